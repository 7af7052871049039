//! `kinsight top`: the terminal UI of kinsight-tui over one of three sources — a server's
//! API (`--connect URL`: a `kinsight up`, agent or hub), a capture (`--replay FILE`), or
//! this host live (the default, `--mode`), the last two through the pipeline of
//! `kinsight up` run in this process. This module only turns the command line into that
//! source and the UI's options.

use crate::up_cmd::{env_var, kube_target_of};
use clap::{Parser, ValueEnum};
use kinsight_kube::Shape;
use kinsight_live::Mode;
use kinsight_server::{LiveConfig, UpOptions};
use kinsight_tui::{HttpSource, LocalServer, Source, TopOptions};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// How this host's events are taken (live only).
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum LiveMode {
    /// eBPF, every traced system call (files, network, HTTP); /proc when BPF is missing.
    Full,
    /// eBPF counters kept in the kernel: the lowest cost, no HTTP.
    Aggregated,
    /// /proc and cgroups only: processes, containers, CPU and memory.
    Proc,
}

#[derive(Parser, Debug)]
pub struct TopArgs {
    /// Explore this capture (.scap, plain or gzip): space plays it a step per refresh,
    /// [ and ] step through it.
    #[arg(long, value_name = "FILE", conflicts_with = "connect")]
    replay: Option<PathBuf>,
    /// Show what a running `kinsight up`, agent or hub serves, e.g. http://127.0.0.1:7070.
    #[arg(long, value_name = "URL")]
    connect: Option<String>,
    /// The token of the server given with --connect. Defaults to $KINSIGHT_TOKEN.
    #[arg(long, requires = "connect")]
    token: Option<String>,
    /// Live: how this host's events are taken (root for eBPF).
    #[arg(long, value_enum, default_value = "full", conflicts_with_all = ["replay", "connect"])]
    mode: LiveMode,
    /// The view to start in: a csysdig view (containers, procs, connections, httplog,
    /// kubernetes_pods, ...) or a hierarchy (physical, logical, services).
    #[arg(long, default_value = "physical")]
    view: String,
    /// Seconds between refreshes.
    #[arg(long, default_value_t = 2.0, value_name = "SECONDS")]
    interval: f64,
    /// Live data: the seconds of history the tables total.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    window: u64,
    /// Select rows and scroll with the mouse.
    #[arg(long)]
    mouse: bool,
    /// Live: do not watch a Kubernetes API even when credentials are found.
    #[arg(long)]
    no_kubernetes: bool,
    /// Live: the kubeconfig file (default: $KUBECONFIG or ~/.kube/config).
    #[arg(long)]
    kubeconfig: Option<PathBuf>,
    /// Live: the kubeconfig context to use.
    #[arg(long)]
    context: Option<String>,
}

fn source(args: &TopArgs) -> Result<Box<dyn Source>, String> {
    if let Some(url) = &args.connect {
        if !url.starts_with("http://") && !url.starts_with("https://") {
            return Err(format!("--connect takes a URL such as http://127.0.0.1:7070, not '{url}'"));
        }
        let token = args.token.clone().or_else(|| env_var("KINSIGHT_TOKEN")).filter(|t| !t.is_empty());
        return Ok(Box::new(HttpSource::new(url, token)));
    }
    let mut opts = UpOptions::new("127.0.0.1:0".parse().expect("a valid address"));
    let label = match &args.replay {
        Some(file) => {
            opts.replay = Some(file.clone());
            // The header says "replay" next to the time already.
            file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned())
        }
        None => {
            let (kubernetes, absent) = if args.no_kubernetes { (None, "--no-kubernetes".to_string()) } else { kube_target_of(args.kubeconfig.clone(), args.context.clone(), Shape::Hub, env_var) };
            let (capture, what) = match args.mode {
                LiveMode::Full => (Mode::Full, "eBPF"),
                LiveMode::Aggregated => (Mode::Aggregated, "eBPF counters"),
                LiveMode::Proc => (Mode::ProcOnly, "/proc"),
            };
            let cluster = if kubernetes.is_some() { " + Kubernetes API" } else { "" };
            opts.live = LiveConfig { capture: Some(capture), snaplen: 80, kubernetes, kubernetes_absent: absent };
            format!("this host ({what}){cluster}")
        }
    };
    LocalServer::start(opts, label).map(|s| Box::new(s) as Box<dyn Source>).map_err(|e| e.to_string())
}

pub fn run(args: TopArgs) -> ExitCode {
    if !(args.interval.is_finite() && args.interval >= 0.1) {
        eprintln!("kinsight: --interval must be at least 0.1 seconds, not {}", args.interval);
        return ExitCode::from(2);
    }
    let source = match source(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kinsight: {e}");
            return ExitCode::from(2);
        }
    };
    let opts = TopOptions { interval: Duration::from_secs_f64(args.interval), view: args.view, window_s: args.window, mouse: args.mouse };
    match kinsight_tui::run(source, opts) {
        Ok(()) => {
            // Exit now: the in-process server's threads are not waited for.
            use std::io::Write;
            let _ = std::io::stdout().flush();
            std::process::exit(0)
        }
        Err(e) => {
            eprintln!("kinsight: {e}");
            ExitCode::from(2)
        }
    }
}
