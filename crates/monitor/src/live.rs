//! The live source of `kinsight up`, `kinsight agent` and `kinsight hub`: this host's
//! events (eBPF, or /proc and cgroups when BPF cannot be used) and the Kubernetes API's
//! objects, fed into one pipeline so that the containers the host shows are the pods the
//! API describes.
//!
//! Data flow, on the source's thread: kinsight-live's initial state and then its polls
//! hand blocks to the pipeline; between two polls the watcher's updates (received on its
//! own thread, never waited for) are applied to the engine's cluster model; the clock
//! closes each second's interval even when the host is quiet.

use crate::pipeline::Pipeline;
use crate::source::{Source, SourceCtl, SourceError};
use crate::status::{SourceState, SourceStatus};
use kinsight_kube::{BackgroundWatch, ConnectOptions, Notice, Shape, UpdateReceiver, WatchConfig};
use kinsight_live::{LiveOptions, LiveSink, Mode};
use kinsight_scap::table::code;
use kinsight_scap::Block;
use std::time::{Duration, Instant};

/// The longest a poll of the host waits: the watcher's updates and the clock are looked at
/// this often.
const POLL: Duration = Duration::from_millis(100);

/// How often containers' cgroup counters are read for /metrics: more often than
/// Prometheus scrapes, far less often than events come.
const RESOURCES_EVERY: Duration = Duration::from_secs(2);

/// Which Kubernetes API to watch and how much of it.
#[derive(Clone, Debug)]
pub struct KubeTarget {
    pub connect: ConnectOptions,
    pub shape: Shape,
}

/// What the live source watches.
#[derive(Clone, Debug)]
pub struct LiveConfig {
    /// How this host's events are taken; `None` watches no host (a hub).
    pub capture: Option<Mode>,
    /// Bytes of each I/O buffer kept (HTTP decoding needs the request line).
    pub snaplen: u32,
    /// The API server to watch; `None` when no credentials were found or asked for.
    pub kubernetes: Option<KubeTarget>,
    /// Why there is no `kubernetes` target, for the status line.
    pub kubernetes_absent: String,
}

impl LiveConfig {
    /// Watches nothing: serves the history kept from earlier runs.
    pub fn nothing() -> LiveConfig {
        LiveConfig { capture: None, snaplen: 80, kubernetes: None, kubernetes_absent: "not asked for".into() }
    }

    pub fn host_only(capture: Mode) -> LiveConfig {
        LiveConfig { capture: Some(capture), snaplen: 80, kubernetes: None, kubernetes_absent: "not asked for".into() }
    }
}

pub struct LiveHostSource {
    config: LiveConfig,
}

impl LiveHostSource {
    pub fn new(config: LiveConfig) -> LiveHostSource {
        LiveHostSource { config }
    }
}

/// The pipeline as the consumer of kinsight-live's stream.
struct PipelineSink<'a> {
    pipeline: &'a mut Pipeline,
}

impl LiveSink for PipelineSink<'_> {
    fn block(&mut self, block: &Block<'_>) {
        self.pipeline.apply_block(block);
        if let Block::Event(ev) = block {
            if ev.etype == code::PROCEXIT_1_E {
                self.pipeline.forget_thread(ev.tid);
            }
        }
    }

    fn setup_event(&mut self, block: &Block<'_>) {
        self.pipeline.apply_setup_block(block);
    }

    fn thread_memory(&mut self, tid: i64, vmsize_kb: u64, vmrss_kb: u64) {
        self.pipeline.set_thread_memory(tid, vmsize_kb, vmrss_kb);
    }
}

/// The watcher and its status line.
struct Watch {
    _watch: BackgroundWatch,
    updates: UpdateReceiver,
    status: usize,
    objects_changed: u64,
    reported_synced: bool,
}

impl Watch {
    fn start(target: &KubeTarget, ctl: &SourceCtl) -> Option<Watch> {
        let what = match &target.shape {
            Shape::Hub => "the whole cluster".to_string(),
            Shape::Agent { node } => format!("node {node}'s pods and what they reference"),
        };
        let from = match &target.connect.kubeconfig {
            Some(p) => format!("kubeconfig {}", p.display()),
            None => "the default kubeconfig or in-cluster service account".into(),
        };
        let status = ctl.shared.add_source(SourceStatus::new("kubernetes", SourceState::Starting, format!("{what}, from {from}")));
        match BackgroundWatch::start(target.connect.clone(), target.shape.clone(), WatchConfig::default()) {
            Ok((watch, updates)) => Some(Watch { _watch: watch, updates, status, objects_changed: 0, reported_synced: false }),
            Err(e) => {
                ctl.shared.update_source(status, |s| {
                    s.state = SourceState::Failed;
                    s.error = Some(e.to_string());
                });
                None
            }
        }
    }

    fn apply(&mut self, pipeline: &mut Pipeline, ctl: &SourceCtl) {
        let applied = pipeline.apply_kube(&mut self.updates);
        self.objects_changed += applied.changes as u64;
        let notices = self.updates.take_notices();
        let synced = self.updates.is_synced();
        if applied.messages == 0 && notices.is_empty() && synced == self.reported_synced {
            return;
        }
        self.reported_synced = synced;
        let skipped: Vec<String> = self.updates.skipped().iter().map(|(k, why)| format!("{k} ({why})")).collect();
        let last_problem = notices.iter().rev().find(|n| !matches!(n, Notice::Skipped { .. })).map(|n| n.to_string());
        let changed = self.objects_changed;
        ctl.shared.update_source(self.status, |s| {
            s.state = if synced { SourceState::Running } else { SourceState::Starting };
            s.events = changed;
            if !skipped.is_empty() {
                s.error = Some(format!("left out, the API server refused: {}", skipped.join(", ")));
            } else if let Some(p) = last_problem {
                s.error = Some(p);
            }
        });
    }
}

impl Source for LiveHostSource {
    fn kind(&self) -> &'static str {
        "live-host"
    }

    fn detail(&self) -> String {
        match self.config.capture {
            Some(Mode::Full) => "this host: eBPF, every traced system call".into(),
            Some(Mode::Aggregated) => "this host: eBPF, counters kept in the kernel".into(),
            Some(Mode::ProcOnly) => "this host: /proc and cgroups".into(),
            None => "no host capture (hub)".into(),
        }
    }

    fn run(&mut self, pipeline: &mut Pipeline, ctl: &SourceCtl) -> Result<(), SourceError> {
        let mut watch = match &self.config.kubernetes {
            Some(target) => Watch::start(target, ctl),
            None => {
                ctl.shared.add_source(SourceStatus::new("kubernetes", SourceState::Unavailable, self.config.kubernetes_absent.clone()));
                None
            }
        };
        let mut host = match self.config.capture {
            None => None,
            Some(mode) => {
                let opts = LiveOptions { mode, snaplen: self.config.snaplen, ..Default::default() };
                match kinsight_live::LiveSource::start(opts) {
                    Ok(h) => Some(h),
                    Err(e) if watch.is_some() => {
                        // Kubernetes alone is still worth serving; the UI shows why the host
                        // is missing.
                        ctl.shared.update_source(ctl.index, |s| s.error = Some(format!("this host is not watched: {e}")));
                        None
                    }
                    Err(e) => return Err(SourceError::Unavailable(e.to_string())),
                }
            }
        };
        if host.is_none() && watch.is_none() {
            let kubernetes = match &self.config.kubernetes {
                Some(_) => "the Kubernetes API could not be reached (see its source)".to_string(),
                None => format!("no Kubernetes API ({})", self.config.kubernetes_absent),
            };
            return Err(SourceError::Unavailable(format!("nothing to watch: no host capture, and {kubernetes}")));
        }
        if let Some(h) = &host {
            // What the host source really captures, with which kernel hooks, and what was
            // left out and why.
            let detail = format!("this host: {}", h.capture_line());
            ctl.shared.update_source(ctl.index, |s| s.detail = detail);
        }
        if let Some(h) = host.as_mut() {
            h.initial_state(&mut PipelineSink { pipeline });
        }
        let mut resources = kinsight_live::resources::ResourceSampler::default();
        let mut last_resources: Option<Instant> = None;
        let mut last_progress = Instant::now();
        while !ctl.stopping() {
            match host.as_mut() {
                Some(h) => h.poll(POLL, &mut PipelineSink { pipeline }),
                None => std::thread::sleep(POLL),
            }
            if let Some(w) = watch.as_mut() {
                w.apply(pipeline, ctl);
            }
            pipeline.tick(kinsight_live::now_ns());
            if let Some(h) = &host {
                if last_resources.is_none_or(|t| t.elapsed() >= RESOURCES_EVERY) {
                    last_resources = Some(Instant::now());
                    ctl.shared.set_resources(resources.sample(h.proc(), &h.cgroupfs, h.containers.known.values()));
                }
            }
            if last_progress.elapsed() >= Duration::from_secs(1) {
                last_progress = Instant::now();
                let drops = host.as_ref().map_or(0, |h| h.stats().kernel_drops);
                ctl.progress(pipeline.events(), 0);
                if drops > 0 {
                    ctl.shared.update_source(ctl.index, |s| s.error = Some(format!("{drops} events dropped by the kernel (ring buffer full)")));
                }
            }
        }
        Ok(())
    }
}
