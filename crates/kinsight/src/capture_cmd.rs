//! `kinsight capture -w FILE`: writes what happens on this machine as a scap 1.2 capture
//! that sysdig 0.29.3 and `kinsight read` read: the initial state (machine, interfaces,
//! users, processes, fds), a container event per container, and the traced syscalls and
//! process exits from eBPF, with CPU samples (procinfo events) every second, and, when a
//! Kubernetes API is found, the cluster's objects and their changes as K8S_E events
//! (`capture_kube.rs`).

use clap::Parser;
use kinsight_analysis::Session;
use kinsight_filter::Filter;
use kinsight_live::{LiveOptions, LiveSink, LiveSource, Mode};
use kinsight_scap::{Block, Compression, ScapWriter};
use crate::capture_kube::KubeRecorder;
use crate::up_cmd::{env_var, kube_target_of};
use kinsight_kube::Shape;
use std::io::BufWriter;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Parser)]
pub struct CaptureArgs {
    /// The capture file to write (`.gz` at the end: gzip-compressed, as `sysdig -z`).
    #[arg(short = 'w', long = "write")]
    file: PathBuf,
    /// Only write events that match this filter (sysdig syntax); the initial state is
    /// always written.
    #[arg(long, short = 'f')]
    filter: Option<String>,
    /// Stop after this many seconds.
    #[arg(long, conflicts_with = "events")]
    duration: Option<f64>,
    /// Stop after this many events written.
    #[arg(long)]
    events: Option<u64>,
    /// Bytes of each I/O buffer captured (sysdig's -s).
    #[arg(long, short = 's', default_value_t = 80)]
    snaplen: u32,
    /// The kubeconfig of the cluster to record into the capture (default: $KUBECONFIG or
    /// ~/.kube/config, else the in-cluster service account, else none).
    #[arg(long)]
    kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use (default: the current context).
    #[arg(long)]
    context: Option<String>,
    /// Record only this node's pods and what they reference, as its agent watches them.
    #[arg(long)]
    node: Option<String>,
    /// Do not record a Kubernetes API even when credentials are found.
    #[arg(long)]
    no_kubernetes: bool,
    /// Seconds to wait for the Kubernetes API's first listing before capturing without it.
    #[arg(long, default_value_t = 15, value_name = "SECONDS")]
    kube_timeout: u64,
}

/// Writes the stream, passing events through the engine for the filter.
struct CaptureSink<W: std::io::Write> {
    writer: ScapWriter<W>,
    session: Session,
    filtered: bool,
    error: Option<std::io::Error>,
}

impl<W: std::io::Write> LiveSink for CaptureSink<W> {
    fn block(&mut self, block: &Block<'_>) {
        if self.error.is_some() {
            return;
        }
        // The engine sees everything (state for the filter); the file gets metadata and
        // the events that pass.
        let passed = self.session.apply_block(block).is_some();
        let keep = !matches!(block, Block::Event(_)) || !self.filtered || passed;
        if keep {
            if let Err(e) = self.writer.write_block(block) {
                self.error = Some(e);
            }
        }
    }
}

/// Writes the cluster's changes since the last call; the capture's engine sees them too, so
/// that filters on `k8s.*` fields match.
fn record_kube<W: std::io::Write>(kube: &mut Option<KubeRecorder>, sink: &mut CaptureSink<W>) {
    let (Some(recorder), None) = (kube.as_mut(), sink.error.as_ref()) else { return };
    let cluster = &mut sink.session.engine.cluster;
    if let Err(e) = recorder.record(&mut sink.writer, kinsight_live::now_ns(), |json| {
        let _ = cluster.apply_capture_event(json);
    }) {
        sink.error = Some(e);
    }
}

pub fn run(args: CaptureArgs) -> ExitCode {
    let filter = match args.filter.as_deref().map(Filter::parse).transpose() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("kinsight: {e}");
            return ExitCode::from(2);
        }
    };
    if args.duration.is_some_and(|d| !(d > 0.0 && d.is_finite())) {
        eprintln!("kinsight: --duration must be a positive number of seconds");
        return ExitCode::from(2);
    }
    let mut kube = if args.no_kubernetes {
        None
    } else {
        let shape = match &args.node {
            Some(node) => Shape::Agent { node: node.clone() },
            None => Shape::Hub,
        };
        match kube_target_of(args.kubeconfig.clone(), args.context.clone(), shape, env_var) {
            (Some(target), _) => match KubeRecorder::start(&target, Duration::from_secs(args.kube_timeout.max(1))) {
                Ok(recorder) => Some(recorder),
                Err(e) => match &args.kubeconfig {
                    // Named on the command line: the user asked for it.
                    Some(path) => {
                        eprintln!("kinsight: the Kubernetes API of {}: {e}", path.display());
                        return ExitCode::from(1);
                    }
                    None => {
                        eprintln!("kinsight: warning: capturing without Kubernetes metadata: {e}");
                        None
                    }
                },
            },
            (None, _) => None,
        }
    };
    let opts = LiveOptions { mode: Mode::Full, snaplen: args.snaplen, require_bpf: true, ..Default::default() };
    let mut source = match LiveSource::start(opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kinsight: cannot capture: {e}");
            return ExitCode::from(1);
        }
    };
    let file = match std::fs::File::create(&args.file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("kinsight: {}: {e}", args.file.display());
            return ExitCode::from(1);
        }
    };
    let gz = args.file.extension().is_some_and(|e| e == "gz");
    let writer = match ScapWriter::with_compression(BufWriter::with_capacity(1 << 20, file), if gz { Compression::Gzip } else { Compression::None }) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("kinsight: {}: {e}", args.file.display());
            return ExitCode::from(1);
        }
    };
    kinsight_live::stop_on_signals();
    let filtered = filter.is_some();
    let mut sink = CaptureSink { writer, session: Session::new(filter), filtered, error: None };
    let started = Instant::now();
    source.initial_state(&mut sink);
    record_kube(&mut kube, &mut sink);
    eprintln!("kinsight: capturing to {} with {} (Ctrl-C stops it)", args.file.display(), source.capture_line());
    let deadline = args.duration.map(|d| started + Duration::from_secs_f64(d));
    loop {
        if kinsight_live::stop_requested() || sink.error.is_some() {
            break;
        }
        if args.events.is_some_and(|n| sink.writer.events_written() >= n) {
            break;
        }
        let left = match deadline {
            Some(d) => match d.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => left,
                _ => break,
            },
            None => Duration::from_millis(200),
        };
        source.poll(left.min(Duration::from_millis(200)), &mut sink);
        record_kube(&mut kube, &mut sink);
    }
    let stats = source.stats();
    let events = sink.writer.events_written();
    let bytes = sink.writer.bytes_written();
    if let Some(e) = sink.error.take() {
        eprintln!("kinsight: writing {}: {e}", args.file.display());
        return ExitCode::from(1);
    }
    if let Err(e) = sink.writer.finish() {
        eprintln!("kinsight: writing {}: {e}", args.file.display());
        return ExitCode::from(1);
    }
    if let Some(recorded) = kube.as_ref().map(|k| k.recorded) {
        let too_large = if recorded.too_large > 0 { format!(" ({} objects too large for a K8S_E event left out)", recorded.too_large) } else { String::new() };
        eprintln!("kinsight: recorded {} Kubernetes object events{too_large}", recorded.events);
    }
    eprintln!(
        "kinsight: wrote {events} events ({} MiB) to {} in {:.1} s; {} events dropped by the kernel (ring buffer full), {} containers, peak memory {} MiB",
        bytes >> 20,
        args.file.display(),
        started.elapsed().as_secs_f64(),
        stats.kernel_drops,
        stats.containers,
        kinsight_live::peak_rss_kb() / 1024
    );
    ExitCode::SUCCESS
}
