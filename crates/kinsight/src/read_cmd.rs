//! `kinsight read FILE`: one pass over a capture through the engine, then a view or a tree.

use crate::{output, Format, TreeKind, View};
use clap::Parser;
use kinsight_analysis::Session;
use kinsight_filter::Filter;
use kinsight_scap::ScapReader;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Parser)]
pub struct ReadArgs {
    /// The capture file.
    file: PathBuf,
    /// The view to show.
    #[arg(long, short = 'v', value_enum, default_value = "containers", conflicts_with = "tree")]
    view: View,
    /// Show a Kubernetes hierarchy with totals instead of a view.
    #[arg(long, value_enum)]
    tree: Option<TreeKind>,
    /// Only count events that match this filter (sysdig syntax), e.g.
    /// "k8s.ns.name=critical-app and fd.type=ipv4".
    #[arg(long, short = 'f')]
    filter: Option<String>,
    /// Output format: aligned text for people, JSON for programs.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Decode PROTO on more ports (`redis=7000,7001`), never decode one (`-mysql`), or
    /// leave a port alone (`5432=off`); may be repeated. Ports 53, 3306, 5432 and 6379 are
    /// known, other connections are recognised from their first bytes.
    #[arg(long = "protocol", value_name = "SPEC", allow_hyphen_values = true)]
    protocols: Vec<String>,
}

pub fn run(args: ReadArgs) -> ExitCode {
    let filter = match args.filter.as_deref().map(Filter::parse).transpose() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("kinsight: {e}");
            return ExitCode::from(2);
        }
    };
    let mut reader = match ScapReader::open(&args.file) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kinsight: {}: {e}", args.file.display());
            return ExitCode::from(1);
        }
    };
    let file_len = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
    let protocols = match kinsight_analysis::requests::protocol_config(&args.protocols) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kinsight: --protocol {e}");
            return ExitCode::from(2);
        }
    };
    let mut session = Session::new(filter);
    session.collector.set_protocols(protocols);
    let progress = std::io::stderr().is_terminal();
    let started = Instant::now();
    let mut last_report = started;
    let mut damaged = None;
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let print_events = args.view == View::Events && args.tree.is_none();
    loop {
        match reader.next_block() {
            Ok(Some(block)) if print_events => {
                let mut closed = false;
                session.apply_block_with(&block, |s, ev, ctx| {
                    closed = writeln!(stdout, "{}", s.event_line(ev, ctx)).is_err();
                });
                if closed {
                    return ExitCode::SUCCESS; // the reader went away (e.g. `| head`)
                }
            }
            Ok(Some(block)) => session.ingest_block(&block),
            Ok(None) => break,
            Err(e) => {
                damaged = Some(e);
                break;
            }
        }
        if progress && session.engine.stats.events.is_multiple_of(65536) && last_report.elapsed() > Duration::from_millis(500) {
            last_report = Instant::now();
            eprint!(
                "\rkinsight: {} events, {} MiB decoded{}",
                session.engine.stats.events,
                reader.offset() >> 20,
                if file_len > 0 { format!(" (file is {} MiB)", file_len >> 20) } else { String::new() }
            );
        }
    }
    if progress && last_report != started {
        eprintln!();
    }
    if let Some(e) = &damaged {
        eprintln!(
            "kinsight: {}: {e}\nkinsight: showing the {} events read before the damage",
            args.file.display(),
            session.engine.stats.events
        );
    }
    session.finish();
    for err in &session.engine.stats.metadata_errors {
        eprintln!("kinsight: warning: {err}");
    }
    if stdout.flush().is_err() {
        return ExitCode::SUCCESS;
    }
    drop(stdout);
    if args.view == View::Events && args.tree.is_none() {
        return if damaged.is_some() { ExitCode::from(3) } else { ExitCode::SUCCESS };
    }
    let out = match args.tree {
        Some(kind) => output::tree(&session, kind, args.format),
        None => output::view(&session, args.view, args.format),
    };
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    if damaged.is_some() {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}
