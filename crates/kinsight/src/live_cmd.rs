//! `kinsight live`: the views of `kinsight read`, for the machine kinsight runs on. Events
//! come from eBPF when the kernel allows it, else from /proc and cgroups samples; either way
//! they go through the same engine as a capture's events. Each refresh shows the activity
//! of the last interval.

use crate::{output, Format, View};
use clap::{Parser, ValueEnum};
use kinsight_analysis::human::{bytes, pct, table};
use kinsight_analysis::Session;
use kinsight_filter::Filter;
use kinsight_live::aggregate::{AggregateReader, ConnDelta, ProcDelta};
use kinsight_live::resources::{self, ResourceRow, ResourceSampler};
use kinsight_live::{LiveOptions, LiveSink, LiveSource, Mode};
use kinsight_scap::table::code;
use kinsight_scap::Block;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The views of `kinsight read`, plus the cgroup counters of live containers and pods.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
#[value(rename_all = "snake_case")]
pub enum LiveView {
    Containers,
    Procs,
    Connections,
    KubernetesPods,
    KubernetesServices,
    KubernetesDeployments,
    KubernetesReplicasets,
    KubernetesNamespaces,
    KubernetesControllers,
    Httplog,
    /// Requests of every protocol (HTTP/1, HTTP/2, gRPC, DNS, PostgreSQL, MySQL, Redis) completed in the
    /// interval; a filter on `req.*` fields selects requests.
    Requests,
    /// Every event that passes the filter, one line each, as it happens.
    Events,
    /// Per container, from its cgroups: CPU and throttling, memory usage / working set /
    /// limit / OOM kills, block I/O, pids, network bytes of its network namespace.
    Resources,
    /// The same counters summed per Kubernetes pod.
    PodResources,
}

impl LiveView {
    fn shared(self) -> Option<View> {
        Some(match self {
            LiveView::Containers => View::Containers,
            LiveView::Procs => View::Procs,
            LiveView::Connections => View::Connections,
            LiveView::KubernetesPods => View::KubernetesPods,
            LiveView::KubernetesServices => View::KubernetesServices,
            LiveView::KubernetesDeployments => View::KubernetesDeployments,
            LiveView::KubernetesReplicasets => View::KubernetesReplicasets,
            LiveView::KubernetesNamespaces => View::KubernetesNamespaces,
            LiveView::KubernetesControllers => View::KubernetesControllers,
            LiveView::Httplog => View::Httplog,
            LiveView::Requests => View::Requests,
            LiveView::Events => View::Events,
            LiveView::Resources | LiveView::PodResources => return None,
        })
    }
}

/// Where live events come from.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum LiveMode {
    /// Aggregated for the views made of counters, full for `httplog`, `events` and
    /// filters (they need every event).
    Auto,
    /// Every traced system call streamed from the kernel (files, network, HTTP).
    Full,
    /// Counters kept in the kernel, read at each refresh: lowest overhead.
    Aggregated,
    /// No BPF: processes, CPU and memory from /proc and cgroups only.
    Proc,
}

#[derive(Parser)]
pub struct LiveArgs {
    /// The view to show.
    #[arg(long, short = 'v', value_enum, default_value = "containers")]
    view: LiveView,
    /// Only count events that match this filter (sysdig syntax).
    #[arg(long, short = 'f')]
    filter: Option<String>,
    /// Output format: aligned text for people, JSON for programs (one document per refresh).
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Seconds between refreshes (at least 1: CPU is sampled once a second).
    #[arg(long, default_value_t = 2.0)]
    interval: f64,
    /// Show one refresh and exit.
    #[arg(long)]
    once: bool,
    /// Where events come from.
    #[arg(long, value_enum, default_value = "auto")]
    mode: LiveMode,
    /// Bytes of each I/O buffer captured (HTTP decoding needs the request line; statements
    /// and pipelined commands longer than this are cut, see BENCHMARKS.md).
    #[arg(long, default_value_t = 80)]
    snaplen: u32,
    /// Decode PROTO on more ports (`redis=7000,7001`), never decode one (`-mysql`), or
    /// leave a port alone (`5432=off`); may be repeated. Ports 53, 3306, 5432 and 6379 are
    /// known, other connections are recognised from their first bytes.
    #[arg(long = "protocol", value_name = "SPEC", allow_hyphen_values = true)]
    protocols: Vec<String>,
}

/// Feeds the live stream into a session.
struct SessionSink<'a> {
    session: &'a mut Session,
    /// Where the `events` view prints lines as they come.
    events_out: Option<&'a mut dyn Write>,
}

impl LiveSink for SessionSink<'_> {
    fn block(&mut self, block: &Block<'_>) {
        let ctx = self.session.apply_block(block);
        if let (Some(out), Some(ctx), Block::Event(ev)) = (self.events_out.as_mut(), ctx, block) {
            let _ = writeln!(out, "{}", self.session.event_line(ev, &ctx));
        }
        // A live host runs for long: exited threads leave the state (their counters of
        // this interval stay in the views).
        if let Block::Event(ev) = block {
            if ev.etype == code::PROCEXIT_1_E {
                self.session.engine.remove_thread(ev.tid);
            }
        }
    }

    fn setup_event(&mut self, block: &Block<'_>) {
        match block {
            // State only: the engine sees it, the counters do not.
            Block::Event(ev) => {
                self.session.engine.process(ev);
            }
            other => {
                self.session.apply_block(other);
            }
        }
    }

    fn thread_memory(&mut self, tid: i64, vmsize_kb: u64, vmrss_kb: u64) {
        self.session.engine.set_thread_memory(tid, vmsize_kb, vmrss_kb);
    }
}

pub fn run(args: LiveArgs) -> ExitCode {
    let filter = match args.filter.as_deref().map(Filter::parse).transpose() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("kinsight: {e}");
            return ExitCode::from(2);
        }
    };
    if !(args.interval >= 1.0 && args.interval.is_finite()) {
        eprintln!("kinsight: --interval must be at least 1 second (CPU is sampled once a second)");
        return ExitCode::from(2);
    }
    let needs_events = matches!(args.view, LiveView::Httplog | LiveView::Requests | LiveView::Events) || filter.is_some();
    let mode = match args.mode {
        LiveMode::Auto if needs_events => Mode::Full,
        LiveMode::Auto => Mode::Aggregated,
        LiveMode::Aggregated if needs_events => {
            let view = args.view.to_possible_value().map_or_else(String::new, |v| v.get_name().to_string());
            eprintln!("kinsight: the `{view}` view and filters need every event: use --mode full (or auto)");
            return ExitCode::from(2);
        }
        LiveMode::Full => Mode::Full,
        LiveMode::Aggregated => Mode::Aggregated,
        LiveMode::Proc => Mode::ProcOnly,
    };
    let opts = LiveOptions { mode, snaplen: args.snaplen, ..Default::default() };
    let mut source = match LiveSource::start(opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kinsight: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some(why) = source.bpf_off_reason() {
        eprintln!(
            "kinsight: BPF is not in use ({why}); showing /proc and cgroups only: processes, containers, \
             CPU and memory, without file, network or HTTP activity"
        );
    }
    let protocols = match kinsight_analysis::requests::protocol_config(&args.protocols) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kinsight: --protocol {e}");
            return ExitCode::from(2);
        }
    };
    let mut session = Session::new(filter);
    session.collector.set_protocols(protocols);
    let mut stdout = std::io::stdout().lock();
    let events_view = args.view == LiveView::Events;
    let interval = Duration::from_secs_f64(args.interval);
    let mut sampler = ResourceSampler::default();
    let mut aggregates = AggregateReader::default();
    {
        let mut sink = SessionSink { session: &mut session, events_out: None };
        source.initial_state(&mut sink);
    }
    eprintln!("kinsight: watching this host ({}); a refresh every {} s", source.capture_line(), args.interval);
    // Aggregated mode: the first reading is the baseline; the resource view's rates need
    // a first sample too.
    if let Some(bpf) = source.bpf() {
        aggregates.read(bpf);
    }
    let _ = sampler.sample(source.proc(), &source.cgroupfs, source.containers.known.values());
    loop {
        // Counters start again; the request decoders keep their connections.
        session.next_interval();
        let end = Instant::now() + interval;
        {
            let out: Option<&mut dyn Write> = if events_view { Some(&mut stdout) } else { None };
            let mut sink = SessionSink { session: &mut session, events_out: out };
            while let Some(left) = end.checked_duration_since(Instant::now()).filter(|d| !d.is_zero()) {
                source.poll(left, &mut sink);
            }
        }
        if source.mode() == Mode::Aggregated {
            if let Some(bpf) = source.bpf() {
                let (procs, conns) = aggregates.read(bpf);
                fold_aggregates(&mut session, &mut source, &procs, &conns);
            }
        }
        session.finish();
        let stats = source.stats();
        let text = match args.view.shared() {
            Some(View::Events) => String::new(),
            Some(view) => output::view(&session, view, args.format),
            None => {
                let rows = sampler.sample(source.proc(), &source.cgroupfs, source.containers.known.values());
                let rows = if args.view == LiveView::PodResources { resources::per_pod(&rows) } else { rows };
                render_resources(&rows, args.format)
            }
        };
        if stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()).is_err() {
            return ExitCode::SUCCESS; // the reader went away (`| head`)
        }
        eprintln!(
            "kinsight: {} events, {} dropped by the kernel (ring buffer full), {} containers, peak memory {} MiB{}",
            stats.events,
            stats.kernel_drops,
            stats.containers,
            kinsight_live::peak_rss_kb() / 1024,
            if source.bpf_off_reason().is_some() { " (BPF not in use)" } else { "" }
        );
        if args.once {
            return ExitCode::SUCCESS;
        }
        if args.format == Format::Table && !events_view {
            let _ = writeln!(stdout);
        }
    }
}

/// Aggregated mode: the kernel's byte counters of the interval become the counters of
/// the views (per process main thread, per connection), attributed to containers by the
/// cgroups the kernel saw the bytes in.
fn fold_aggregates(session: &mut Session, source: &mut LiveSource, procs: &[ProcDelta], conns: &[ConnDelta]) {
    use kinsight_analysis::collect::{ConnKey, ConnRow, ThreadRow};
    for d in procs {
        let container = source.container_of_cgroups(d.cgroup_v2, d.cgroup_v1_memory).map(|c| std::sync::Arc::from(c.as_str()));
        let thread = session.engine.thread(d.pid);
        let row = session.collector.threads.entry(d.pid).or_insert_with(|| ThreadRow {
            tid: d.pid,
            pid: d.pid,
            ppid: thread.map_or(0, |t| t.ptid),
            uid: thread.map_or(0, |t| t.uid),
            container: container.clone(),
            image: thread.map(|t| t.image.clone()).unwrap_or_default(),
            cpu_sum: 0.0,
            cpu_samples: 0,
            max_vmsize_kb: 0,
            max_vmrss_kb: 0,
            file_in: 0,
            file_out: 0,
            net_in: 0,
            net_out: 0,
            events: 0,
        });
        if container.is_some() {
            row.container = container;
        }
        row.file_in += d.file_in;
        row.file_out += d.file_out;
        row.net_in += d.net_in;
        row.net_out += d.net_out;
    }
    for c in conns {
        let thread = session.engine.thread(c.pid);
        let key = ConnKey {
            proto: if c.tcp { "tcp" } else { "udp" },
            client_ip: c.client.0,
            client_port: c.client.1,
            server_ip: c.server.0,
            server_port: c.server.1,
            pid: c.pid,
        };
        let row = session.collector.conns.entry(key).or_insert_with(|| ConnRow {
            container: thread.and_then(|t| t.container.clone()),
            image: thread.map(|t| t.image.clone()).unwrap_or_default(),
            ..Default::default()
        });
        row.in_bytes += c.in_bytes;
        row.out_bytes += c.out_bytes;
    }
}

fn opt_bytes(v: Option<u64>) -> String {
    v.map_or_else(|| "-".into(), bytes)
}

fn opt_num(v: Option<u64>) -> String {
    v.map_or_else(|| "-".into(), |n| n.to_string())
}

fn render_resources(rows: &[ResourceRow], format: Format) -> String {
    if format == Format::Json {
        let mut s = serde_json::to_string_pretty(rows).expect("rows serialize");
        s.push('\n');
        return s;
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                pct(r.cpu_pct),
                opt_num(r.cpu_throttled_periods),
                opt_bytes(r.memory_working_set_bytes),
                opt_bytes(r.memory_usage_bytes),
                opt_bytes(r.memory_limit_bytes),
                opt_num(r.memory_oom_kills),
                opt_bytes(r.io_read_bytes),
                opt_bytes(r.io_write_bytes),
                opt_num(r.pids),
                opt_bytes(r.net_rx_bytes),
                opt_bytes(r.net_tx_bytes),
                r.qos_class.clone().unwrap_or_default(),
                r.id.clone(),
                r.name.clone(),
            ]
        })
        .collect();
    table(
        &["CPU%", "THROTTLED", "WSET", "MEM", "LIMIT", "OOM", "IO_R", "IO_W", "PIDS", "NET_RX", "NET_TX", "QOS", "ID", "NAME"],
        &cells,
    )
}
