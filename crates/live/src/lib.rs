//! kinsight-live: the live machine as one stream of capture blocks.
//!
//! Owns: starting a live source (eBPF when the kernel allows it, else /proc and cgroups
//! only, saying why), the initial state (machine, interfaces, users, process list, fd lists
//! read from /proc), container metadata (container JSON events for every container found
//! in the threads' cgroups), periodic samples (procinfo CPU events every second, memory
//! sizes, and in the /proc-only mode the threads that appeared or exited), and the turning
//! of BPF records into scap events. Everything reaches the consumer as `kinsight_scap::Block`s
//! in the scap byte layout, so live events and capture events go through the same engine.
//! Must not: keep the state those events describe (the engine does), decide what a user
//! sees, or block the consumer for longer than the poll timeout it was given.

pub mod aggregate;
pub mod containers;
pub mod event;
pub mod records;
pub mod resources;

use containers::ContainerTracker;
use event::EventBuf;
use kinsight_ebpf::record::Record;
use kinsight_ebpf::hooks::Hook;
use kinsight_ebpf::{BpfCapture, BpfConfig, BpfMode};
use kinsight_host::{CgroupFs, Layout, ProcFs, RuntimeDirs, ScanOptions};
use kinsight_scap::table::code;
use kinsight_scap::{Block, FdList, ThreadInfo};
use records::Converter;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Where live events come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Every traced syscall to user space through the ring buffer (captures, HTTP).
    Full,
    /// Counters kept in the kernel, read periodically; only process lifecycle events
    /// stream to user space.
    Aggregated,
    /// No BPF: /proc and cgroups only.
    ProcOnly,
}

#[derive(Clone, Debug)]
pub struct LiveOptions {
    pub mode: Mode,
    /// Bytes of each I/O buffer copied into events (sysdig's snaplen; 80 by default).
    pub snaplen: u32,
    /// Size of the kernel ring buffer in bytes (a power of two).
    pub ring_bytes: usize,
    /// Fail instead of falling back to /proc when BPF cannot be used (captures need it).
    pub require_bpf: bool,
    /// Aggregated mode: hooks not to use even where the kernel has them, besides those the
    /// `KINSIGHT_BPF_AVOID` variable names (a comma-separated list of hook names).
    pub avoid: Vec<Hook>,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions { mode: Mode::Full, snaplen: 80, ring_bytes: 8 << 20, require_bpf: false, avoid: Vec::new() }
    }
}

/// The variable that names hooks aggregated mode must not use.
pub const AVOID_VAR: &str = "KINSIGHT_BPF_AVOID";

/// Why a live source could not start.
#[derive(Debug)]
pub enum LiveError {
    /// Reading every process and loading BPF programs needs root (or CAP_BPF,
    /// CAP_PERFMON and CAP_SYS_PTRACE).
    NotRoot,
    /// BPF was required and is unavailable; the reason says what is missing.
    BpfUnavailable(String),
    /// A setting is wrong (which, and why).
    BadSetting(String),
}

impl std::fmt::Display for LiveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LiveError::NotRoot => write!(
                f,
                "live capture needs root: reading every process's fds and loading BPF programs \
                 are privileged (run with sudo, or grant CAP_BPF, CAP_PERFMON, CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH)"
            ),
            LiveError::BpfUnavailable(why) => write!(f, "BPF unavailable: {why}"),
            LiveError::BadSetting(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for LiveError {}

/// The consumer of a live stream.
pub trait LiveSink {
    /// A block of the stream: the initial state first, then events.
    fn block(&mut self, block: &Block<'_>);
    /// Events that only set up state and that views should not count: the first CPU
    /// sample of each thread, whose percentage means nothing yet. By default, a block.
    fn setup_event(&mut self, block: &Block<'_>) {
        self.block(block);
    }
    /// Memory sizes of a process sampled from /proc (captures carry memory in events;
    /// live, it is refreshed every second).
    fn thread_memory(&mut self, _tid: i64, _vmsize_kb: u64, _vmrss_kb: u64) {}
}

/// Counters about the live source itself.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct LiveStats {
    /// Events handed to the consumer (synthesized ones included).
    pub events: u64,
    /// Events the kernel could not queue because the ring buffer was full.
    pub kernel_drops: u64,
    /// Records from the kernel that could not be decoded.
    pub bad_records: u64,
    /// Processes that vanished while being read.
    pub vanished_processes: u64,
    pub containers: usize,
}

/// Wall-clock nanoseconds since the epoch (the timestamps of scap events).
pub fn now_ns() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

/// The peak resident memory of this process so far, in KiB (`VmHWM`).
pub fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|t| t.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.split_whitespace().next()?.parse().ok()))
        .unwrap_or(0)
}

/// True when running as root (effective uid 0).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// How often CPU and memory are sampled: sysdig's procinfo events are one per second,
/// and their tick deltas are percentages only at that rate.
pub const SAMPLE_PERIOD: Duration = Duration::from_secs(1);

/// A live source of blocks.
pub struct LiveSource {
    opts: LiveOptions,
    proc: ProcFs,
    pub cgroupfs: CgroupFs,
    pub containers: ContainerTracker,
    ev: EventBuf,
    self_pid: i64,
    /// Threads known to the consumer (tid → pid), to tell new and vanished ones apart.
    known_threads: HashMap<i64, i64>,
    /// Threads whose first CPU sample was sent.
    sampled: HashSet<i64>,
    next_sample: Instant,
    stats: LiveStats,
    /// Why BPF is not in use, when it is not.
    bpf_off_reason: Option<String>,
    /// Why aggregated mode was asked for and the full stream is used instead.
    aggregated_off_reason: Option<String>,
    bpf: Option<BpfCapture>,
    converter: Converter,
    /// Cgroup id pairs already looked at for containers, and the last one.
    seen_cgroups: HashSet<(u64, u64)>,
    last_cgroups: (u64, u64),
}

/// The first line of a message (libbpf's log follows on the next lines).
fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}

/// Records taken from the ring buffer per batch, and the longest a poll keeps draining
/// before it looks at its other duties (samples, deadline).
const DRAIN_BATCH: usize = 4096;
const DRAIN_SLICE: Duration = Duration::from_millis(50);

impl LiveSource {
    /// Starts a live source. Without root this fails; without BPF it falls back to /proc
    /// (unless `require_bpf`), and [`LiveSource::bpf_off_reason`] says why.
    pub fn start(opts: LiveOptions) -> Result<LiveSource, LiveError> {
        if !is_root() {
            return Err(LiveError::NotRoot);
        }
        let cgroupfs = CgroupFs::system();
        let self_pid = std::process::id() as i64;
        let mut opts = opts;
        if let Ok(list) = std::env::var(AVOID_VAR) {
            opts.avoid.extend(Hook::parse_list(&list).map_err(|e| LiveError::BadSetting(format!("{AVOID_VAR}: {e}")))?);
        }
        let mut cfg = BpfConfig {
            mode: BpfMode::Aggregated,
            snaplen: opts.snaplen,
            ring_bytes: opts.ring_bytes,
            self_tgid: self_pid as u32,
            v1_memory: matches!(cgroupfs.layout(), Layout::V1 | Layout::Hybrid),
            avoid: opts.avoid.clone(),
        };
        // Fallback order: aggregated, then the full stream (the same views, counted from
        // every event), then /proc.
        let mut aggregated_off_reason = None;
        if opts.mode == Mode::Aggregated {
            match BpfCapture::load(&cfg) {
                Ok(b) => return Ok(Self::with(opts, ProcFs::system(), cgroupfs, self_pid, Some(b), None, None)),
                Err(e) => {
                    aggregated_off_reason = Some(first_line(&e.to_string()));
                    opts.mode = Mode::Full;
                }
            }
        }
        let (bpf, bpf_off_reason) = match opts.mode {
            Mode::ProcOnly => (None, Some("/proc-only mode was asked for".to_string())),
            Mode::Full | Mode::Aggregated => {
                cfg.mode = BpfMode::Full;
                match BpfCapture::load(&cfg) {
                    Ok(b) => (Some(b), None),
                    Err(e) => (None, Some(e.to_string())),
                }
            }
        };
        if opts.require_bpf {
            if let Some(why) = &bpf_off_reason {
                return Err(LiveError::BpfUnavailable(why.clone()));
            }
        }
        Ok(Self::with(opts, ProcFs::system(), cgroupfs, self_pid, bpf, bpf_off_reason, aggregated_off_reason))
    }

    fn with(
        opts: LiveOptions,
        proc: ProcFs,
        cgroupfs: CgroupFs,
        self_pid: i64,
        bpf: Option<BpfCapture>,
        bpf_off_reason: Option<String>,
        aggregated_off_reason: Option<String>,
    ) -> LiveSource {
        LiveSource {
            opts,
            converter: Converter::new(proc.clone(), cgroupfs.clone()),
            bpf,
            seen_cgroups: HashSet::new(),
            last_cgroups: (u64::MAX, u64::MAX),
            proc,
            cgroupfs,
            containers: ContainerTracker::new(RuntimeDirs::default()),
            ev: EventBuf::new(),
            self_pid,
            known_threads: HashMap::new(),
            sampled: HashSet::new(),
            next_sample: Instant::now(),
            stats: LiveStats::default(),
            bpf_off_reason,
            aggregated_off_reason,
        }
    }

    /// One line saying what this source captures and with which kernel hooks, and what was
    /// left out and why: what `kinsight live`, `capture` and `up` print.
    pub fn capture_line(&self) -> String {
        match (&self.bpf, &self.bpf_off_reason) {
            (Some(b), _) if b.mode() == BpfMode::Aggregated => format!("eBPF counters kept in the kernel; {}", b.hooks_line()),
            (Some(b), _) => {
                let mut line = format!("eBPF, every event streamed: {}", b.hooks_line());
                if let Some(why) = &self.aggregated_off_reason {
                    line.push_str(&format!("; kernel counters (aggregated mode) unavailable: {why}"));
                }
                line
            }
            (None, why) => format!("/proc and cgroups only, without file, network or HTTP activity ({})", first_line(why.as_deref().unwrap_or("BPF not in use"))),
        }
    }

    /// Why aggregated mode, when it was asked for, gave way to the full stream.
    pub fn aggregated_off_reason(&self) -> Option<&str> {
        self.aggregated_off_reason.as_deref()
    }

    /// None when events come from BPF; else why they do not.
    pub fn bpf_off_reason(&self) -> Option<&str> {
        self.bpf_off_reason.as_deref()
    }

    pub fn mode(&self) -> Mode {
        if self.bpf_off_reason.is_some() {
            Mode::ProcOnly
        } else {
            self.opts.mode
        }
    }

    pub fn stats(&self) -> LiveStats {
        let mut s = self.stats.clone();
        s.containers = self.containers.known.len();
        if let Some(b) = &self.bpf {
            s.kernel_drops = b.kernel_stats().drops;
        }
        s
    }

    /// The loaded BPF programs (aggregated mode reads its counters from them).
    pub fn bpf(&self) -> Option<&BpfCapture> {
        self.bpf.as_ref()
    }

    /// The container short id of a cgroup id pair, if it is a container's.
    pub fn container_of_cgroups(&mut self, v2: u64, v1_memory: u64) -> Option<String> {
        self.converter
            .cgroup_entries(v2, v1_memory)
            .iter()
            .find_map(|e| kinsight_cgroup::container_id_from_path(kinsight_cgroup::entry_path(e)))
    }

    pub fn proc(&self) -> &ProcFs {
        &self.proc
    }

    /// Sends the initial state: machine, interfaces, users, every process with its threads
    /// and fds, a container event for every container, and the first CPU sample of each
    /// thread (as setup events).
    pub fn initial_state(&mut self, sink: &mut dyn LiveSink) {
        use kinsight_host::machine;
        sink.block(&Block::MachineInfo(machine::machine_info()));
        sink.block(&Block::InterfaceList(machine::interfaces()));
        sink.block(&Block::UserList(machine::users(std::path::Path::new("/"))));
        let opts = ScanOptions { skip_pid: Some(self.self_pid), ..Default::default() };
        let scan = self.proc.scan(&opts);
        self.stats.vanished_processes += scan.skipped_processes;
        self.add_threads(scan.threads, scan.fd_lists, sink);
        self.sample(sink);
    }

    /// Announces threads (and their processes' fds and containers) to the consumer.
    fn add_threads(&mut self, threads: Vec<ThreadInfo>, fd_lists: Vec<FdList>, sink: &mut dyn LiveSink) {
        if threads.is_empty() {
            return;
        }
        for t in &threads {
            self.known_threads.insert(t.tid, t.pid);
        }
        sink.block(&Block::ProcessList(threads.clone()));
        for list in fd_lists {
            sink.block(&Block::FdList(list));
        }
        // Container events after the threads: readers match containers to threads by id.
        let mut seen = HashSet::new();
        for t in threads.iter().filter(|t| t.tid == t.pid && seen.insert(t.pid)) {
            if let Some(json) = self.containers.observe_entries(t.pid, &t.cgroups) {
                self.emit_container(&json, sink);
            }
        }
    }

    fn emit_container(&mut self, json: &str, sink: &mut dyn LiveSink) {
        // The 16-bit-length container event is the one every sysdig version reads; the
        // large-payload one is for documents that do not fit.
        let etype = if json.len() < u16::MAX as usize { code::CONTAINER_JSON_E } else { code::CONTAINER_JSON_2_E };
        self.ev.begin(now_ns(), self.self_pid, etype).str(json);
        self.ev.finish();
        self.stats.events += 1;
        sink.block(&Block::Event(self.ev.event()));
    }

    /// Waits up to `timeout` for what is due (kernel records, the next sample) and hands
    /// it to the sink.
    pub fn poll(&mut self, timeout: Duration, sink: &mut dyn LiveSink) {
        let wait = self.next_sample.saturating_duration_since(Instant::now()).min(timeout);
        if self.bpf.is_some() {
            // The kernel wakes us only when its ring buffer fills up: drain on a period.
            let wait = wait.min(BpfCapture::POLL_PERIOD);
            if let Some(b) = self.bpf.as_ref() {
                b.wait(wait);
            }
            self.drain(sink);
        } else {
            std::thread::sleep(wait);
        }
        if Instant::now() >= self.next_sample {
            if self.mode() == Mode::ProcOnly {
                self.rescan(sink);
            }
            self.sample(sink);
        }
    }

    /// Takes records out of the ring buffer for at most `DRAIN_SLICE`.
    fn drain(&mut self, sink: &mut dyn LiveSink) {
        let start = Instant::now();
        let Some(mut bpf) = self.bpf.take() else { return };
        loop {
            let n = bpf.drain(DRAIN_BATCH, &mut |bytes| self.on_record(bytes, sink));
            if n < DRAIN_BATCH || start.elapsed() > DRAIN_SLICE {
                break;
            }
        }
        self.bpf = Some(bpf);
    }

    fn on_record(&mut self, bytes: &[u8], sink: &mut dyn LiveSink) {
        let r = match Record::parse(bytes) {
            Ok(r) => r,
            Err(_) => {
                self.stats.bad_records += 1;
                return;
            }
        };
        // A cgroup pair not seen before may be a new container: announce it first. Records
        // come in runs from the same task, hence the check of the last pair first. A pair
        // whose cgroups are not in the index yet (created since its last walk) is looked
        // at again with the next record.
        let pair = (r.cgroup_v2, r.cgroup_v1_memory);
        if pair != self.last_cgroups && !self.seen_cgroups.contains(&pair) {
            let entries = self.converter.cgroup_entries(r.cgroup_v2, r.cgroup_v1_memory);
            if self.converter.cgroup_index.knows(r.cgroup_v2, r.cgroup_v1_memory) {
                self.seen_cgroups.insert(pair);
                self.last_cgroups = pair;
            }
            let joined = entries.join("\0");
            if let Some(json) = self.containers.observe_entries(r.pid as i64, joined.as_bytes()) {
                self.emit_container(&json, sink);
            }
        }
        if matches!(r.kind, kinsight_ebpf::record::RecordKind::ProcessExit) {
            self.sampled.remove(&(r.tid as i64));
        }
        let stats = &mut self.stats;
        self.converter.convert(&r, &mut |ev| {
            stats.events += 1;
            sink.block(&Block::Event(ev.event()));
        });
    }

    /// /proc-only mode: threads that appeared since the last look join the state, and
    /// threads that are gone get a procexit event, as the driver would have sent.
    fn rescan(&mut self, sink: &mut dyn LiveSink) {
        let mut alive: HashMap<i64, i64> = HashMap::new();
        for pid in self.proc.pids() {
            if pid == self.self_pid {
                continue;
            }
            for tid in self.proc.tids(pid) {
                alive.insert(tid, pid);
            }
        }
        let new_pids: HashSet<i64> =
            alive.iter().filter(|(tid, _)| !self.known_threads.contains_key(tid)).map(|(_, &pid)| pid).collect();
        let mut threads = Vec::new();
        let mut fds = Vec::new();
        let opts = ScanOptions::default();
        let mut tables = HashMap::new();
        for pid in new_pids {
            let process_is_new = !self.known_threads.contains_key(&pid);
            match self.proc.read_process(pid, &ScanOptions { fds: process_is_new, ..opts.clone() }, &mut tables) {
                Some((ts, fd)) => {
                    threads.extend(ts.into_iter().filter(|t| !self.known_threads.contains_key(&t.tid)));
                    fds.extend(fd);
                }
                None => self.stats.vanished_processes += 1,
            }
        }
        self.add_threads(threads, fds, sink);
        let gone: Vec<i64> = self.known_threads.keys().filter(|tid| !alive.contains_key(tid)).copied().collect();
        for tid in gone {
            self.known_threads.remove(&tid);
            self.sampled.remove(&tid);
            // procexit: status, ret, sig, core.
            self.ev.begin(now_ns(), tid, code::PROCEXIT_1_E).i64(0).i64(0).u8(0).u8(0);
            self.ev.finish();
            self.stats.events += 1;
            sink.block(&Block::Event(self.ev.event()));
        }
    }

    /// One CPU sample per thread (procinfo events) and the memory of every process.
    fn sample(&mut self, sink: &mut dyn LiveSink) {
        self.next_sample = Instant::now() + SAMPLE_PERIOD;
        let ts = now_ns();
        for s in self.proc.sample_all(Some(self.self_pid)) {
            self.ev.begin(ts, s.tid, code::PROCINFO_E).u64(s.utime).u64(s.stime);
            self.ev.finish();
            self.stats.events += 1;
            let first = self.sampled.insert(s.tid);
            let block = Block::Event(self.ev.event());
            if first {
                sink.setup_event(&block);
            } else {
                sink.block(&block);
            }
            if s.tid == s.pid {
                sink.thread_memory(s.tid, s.vsize_kb, s.rss_kb);
            }
        }
    }
}

/// Set when SIGINT or SIGTERM arrives after [`stop_on_signals`]: long-running commands
/// check it to finish cleanly (a capture must end with its last block complete).
pub static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

extern "C" fn on_stop_signal(_: libc::c_int) {
    STOP.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// Makes SIGINT and SIGTERM set [`STOP`] instead of killing the process.
pub fn stop_on_signals() {
    let handler = on_stop_signal as extern "C" fn(libc::c_int);
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler as libc::sighandler_t);
        libc::signal(libc::SIGTERM, handler as libc::sighandler_t);
    }
}

/// Whether a stop was asked for.
pub fn stop_requested() -> bool {
    STOP.load(std::sync::atomic::Ordering::SeqCst)
}
