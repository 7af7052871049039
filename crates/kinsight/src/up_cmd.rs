//! `kinsight up`: the web UI, the HTTP API and /metrics over live monitoring of this host,
//! or over a capture with `--replay FILE.scap`. The work is kinsight-server's; this module
//! turns the command line into its options and prints where to look.

use clap::Parser;
use kinsight_server::{start, ui_built, UpOptions, LIVE_UNAVAILABLE};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser, Debug)]
pub struct UpArgs {
    /// Serve this capture (.scap, plain or gzip) instead of watching this host, as
    /// sysdig-inspect does. Its events fill history at their own times.
    #[arg(long, value_name = "FILE")]
    replay: Option<PathBuf>,
    /// Address to serve the UI, API and /metrics on. Anything but loopback needs a token.
    #[arg(long, default_value = "127.0.0.1:7070")]
    bind: SocketAddr,
    /// Token every API and /metrics request must carry ('Authorization: Bearer TOKEN').
    /// Defaults to $KINSIGHT_TOKEN.
    #[arg(long)]
    token: Option<String>,
    /// Where history is kept across restarts when watching this host. Defaults to
    /// $XDG_STATE_HOME/kinsight, else ~/.local/state/kinsight.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Upper bound on the memory history may use, in MiB.
    #[arg(long, default_value_t = 1024, value_name = "MIB")]
    max_memory: usize,
    /// Seconds between snapshots of history to the data directory.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    snapshot_every: u64,
}

fn default_data_dir() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()).map(PathBuf::from);
    let state = state.or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("kinsight"))
}

fn options(args: UpArgs) -> UpOptions {
    let mut opts = UpOptions::new(args.bind);
    opts.token = args.token.or_else(|| std::env::var("KINSIGHT_TOKEN").ok());
    opts.data_dir = if args.replay.is_some() { None } else { args.data_dir.or_else(default_data_dir) };
    opts.replay = args.replay;
    opts.history.max_bytes = args.max_memory.max(16) << 20;
    opts.snapshot_every = Duration::from_secs(args.snapshot_every.max(1));
    opts.handle_signals = true;
    opts
}

pub fn run(args: UpArgs) -> ExitCode {
    let opts = options(args);
    let replay = opts.replay.clone();
    let data_dir = opts.data_dir.clone();
    let server = match start(opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kinsight: {e}");
            return ExitCode::from(2);
        }
    };
    let fragment = match &server.state.token {
        // The fragment stays in the browser: the UI reads the token from it.
        Some(t) => format!("#token={t}"),
        None => String::new(),
    };
    match &replay {
        Some(f) => println!("kinsight: serving a replay of {} at {}{fragment}", f.display(), server.url()),
        None => {
            println!("kinsight: serving at {}{fragment}", server.url());
            println!("kinsight: {LIVE_UNAVAILABLE}");
            if let Some(d) = &data_dir {
                println!("kinsight: history is kept in {}", d.display());
            }
        }
    }
    if let Some(w) = &server.snapshot_warning {
        eprintln!("kinsight: warning: {w}");
    }
    if !ui_built() {
        eprintln!("kinsight: warning: this binary was built without its web UI (see the build's warnings); the API and /metrics work");
    }
    println!("kinsight: Ctrl-C stops");
    server.wait();
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_keeps_no_history_on_disk_and_live_does() {
        let replay = UpArgs::try_parse_from(["up", "--replay", "x.scap"]).unwrap();
        assert_eq!(options(replay).data_dir, None);
        let live = UpArgs::try_parse_from(["up", "--data-dir", "/tmp/k"]).unwrap();
        assert_eq!(options(live).data_dir, Some(PathBuf::from("/tmp/k")));
    }

    #[test]
    fn binding_beyond_loopback_needs_a_token() {
        std::env::remove_var("KINSIGHT_TOKEN");
        let args = UpArgs::try_parse_from(["up", "--bind", "0.0.0.0:0", "--replay", "/nonexistent.scap"]).unwrap();
        let err = start(options(args)).err().expect("refused");
        assert!(err.to_string().contains("token"), "{err}");
    }
}
