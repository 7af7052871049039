//! kinsight-ebpf: kinsight's kernel side and its loader.
//!
//! Owns: the BPF programs (`bpf/kinsight.bpf.c`, CO-RE, BTF-typed tracepoints only:
//! raw_syscalls sys_enter/sys_exit, sched_process_fork/exit, sock:sock_send_length /
//! sock_recv_length, sock:inet_sock_set_state), loading them with libbpf with the
//! verifier's reason on failure, the ring buffer of syscall records (full mode), the
//! counters kept in the kernel (aggregated mode) and the drop counters, and the decoding of
//! records and counters from their bytes.
//! Must not: interpret records as events or keep process state (kinsight-live turns records
//! into scap events, the engine keeps state), or block: a full ring buffer drops records in
//! the kernel and counts them.
//!
//! The object is built by `build.rs` with clang and a `vmlinux.h` generated from the build
//! machine's BTF; without clang, bpftool or BTF the crate builds without it and
//! [`BpfCapture::load`] says why BPF is unavailable.

pub mod hooks;
pub mod record;

use hooks::{FileHook, Hook, HookPlan, LeftOut, NetHook, OpenConnections};
use libbpf_rs::{MapCore, MapFlags, Object, ObjectBuilder, RingBuffer, RingBufferBuilder};
use record::{ConnCounters, ConnKey, ProcCounters, ProcKey};
use std::cell::RefCell;
use std::os::fd::AsFd;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::sync::Mutex;
use std::time::Duration;

#[cfg(kinsight_bpf)]
static OBJECT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/kinsight.bpf.o"));
#[cfg(kinsight_bpf)]
static PROBE_OBJECT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/probe.bpf.o"));
#[cfg(not(kinsight_bpf))]
static NOT_BUILT: &str = include_str!(concat!(env!("OUT_DIR"), "/bpf_unavailable.txt"));

/// What the kernel side does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BpfMode {
    /// One record per traced syscall through the ring buffer.
    Full,
    /// Byte counters per process/cgroup and per connection kept in maps; only process
    /// lifecycle records (clone, execve, exit) through the ring buffer.
    Aggregated,
    /// Benchmarks only: empty programs on raw_syscalls sys_exit (the hook aggregated mode
    /// uses), the cost floor of any tracing.
    EmptyExit,
    /// Benchmarks only: empty programs on sys_enter and sys_exit (the hooks of full mode).
    EmptyEnterExit,
}

#[derive(Clone, Debug)]
pub struct BpfConfig {
    pub mode: BpfMode,
    /// Bytes of I/O buffers copied into records (at most 4095).
    pub snaplen: u32,
    /// Ring buffer size in bytes: a power of two, at least a page.
    pub ring_bytes: usize,
    /// A process whose own syscalls are not traced (kinsight itself).
    pub self_tgid: u32,
    /// Read the v1 memory cgroup id of every task (v1 and hybrid hosts).
    pub v1_memory: bool,
    /// Aggregated mode: hooks not to use even where the kernel accepts them (to work
    /// around a kernel that misbehaves, and to test the fallbacks).
    pub avoid: Vec<Hook>,
}

/// Why BPF cannot be used.
#[derive(Debug)]
pub enum BpfError {
    /// This build has no BPF object; the reason comes from build time.
    NotBuilt(String),
    /// The kernel exposes no BTF (`/sys/kernel/btf/vmlinux`): CO-RE programs cannot be
    /// relocated.
    NoBtf,
    /// libbpf could not open or load the object; `log` holds the end of libbpf's and the
    /// verifier's messages.
    Load { error: String, log: String },
    /// A program loaded but could not be attached to its tracepoint.
    Attach { program: String, error: String, log: String },
    Other(String),
}

impl std::fmt::Display for BpfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BpfError::NotBuilt(why) => write!(f, "this kinsight was built without its BPF programs ({})", why.trim()),
            BpfError::NoBtf => write!(
                f,
                "the kernel has no BTF (/sys/kernel/btf/vmlinux is missing; CONFIG_DEBUG_INFO_BTF=y is needed)"
            ),
            BpfError::Load { error, log } => {
                write!(f, "loading the BPF programs failed: {error}")?;
                if !log.is_empty() {
                    write!(f, "\nlibbpf / verifier said:\n{log}")?;
                }
                Ok(())
            }
            BpfError::Attach { program, error, log } => {
                write!(f, "attaching BPF program {program} failed: {error}")?;
                if !log.is_empty() {
                    write!(f, "\nlibbpf said:\n{log}")?;
                }
                Ok(())
            }
            BpfError::Other(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for BpfError {}

/// The last lines libbpf printed (its load failures carry the verifier log).
static LIBBPF_LOG: Mutex<VecDeque<String>> = Mutex::new(VecDeque::new());
const LOG_LINES: usize = 60;

fn libbpf_print(level: libbpf_rs::PrintLevel, msg: String) {
    if level == libbpf_rs::PrintLevel::Debug {
        return;
    }
    if let Ok(mut log) = LIBBPF_LOG.lock() {
        for line in msg.lines() {
            if log.len() == LOG_LINES {
                log.pop_front();
            }
            log.push_back(line.to_string());
        }
    }
}

fn take_log() -> String {
    LIBBPF_LOG.lock().map(|mut l| l.drain(..).collect::<Vec<_>>().join("\n")).unwrap_or_default()
}

/// Counters of the kernel side about itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KernelStats {
    /// Records written to the ring buffer.
    pub records: u64,
    /// Records lost because the ring buffer was full.
    pub drops: u64,
    /// Aggregated mode: byte counts lost because the per-process map was full.
    pub aggregate_full: u64,
}

/// Byte offsets in `struct ks_config` (the object's only .rodata variable).
const CONFIG_MAGIC: u32 = 0x6b69_6e73;

/// The loaded and attached programs.
pub struct BpfCapture {
    object: Object,
    _links: Vec<libbpf_rs::Link>,
    /// Aggregated mode: the iterator link run before each reading of the connection counters.
    flush_iters: Vec<libbpf_rs::Link>,
    ring: RingBuffer<'static>,
    /// Records copied out of the ring buffer by its callback: `u32` length, then bytes.
    queue: Rc<RefCell<Vec<u8>>>,
    mode: BpfMode,
    /// Aggregated mode: the hooks in use on this kernel.
    plan: Option<HookPlan>,
}

impl BpfCapture {
    /// Whether this build carries the BPF object (and if not, why).
    pub fn built() -> Result<(), String> {
        #[cfg(kinsight_bpf)]
        return Ok(());
        #[cfg(not(kinsight_bpf))]
        return Err(NOT_BUILT.trim().to_string());
    }

    /// Opens, configures, loads and attaches the programs.
    pub fn load(cfg: &BpfConfig) -> Result<BpfCapture, BpfError> {
        #[cfg(not(kinsight_bpf))]
        {
            let _ = cfg;
            Err(BpfError::NotBuilt(NOT_BUILT.to_string()))
        }
        #[cfg(kinsight_bpf)]
        {
            if !std::path::Path::new("/sys/kernel/btf/vmlinux").exists() {
                return Err(BpfError::NoBtf);
            }
            libbpf_rs::set_print(Some((libbpf_rs::PrintLevel::Info, libbpf_print)));
            if cfg.mode != BpfMode::Aggregated {
                return Self::load_object(OBJECT, cfg, None);
            }
            // Probe the optional hooks, then load the cheapest plan; a hook the real
            // programs cannot use after all moves to its next choice (each retry leaves
            // one more out, so this ends).
            let mut plan = HookPlan::choose(&probe_hooks(PROBE_OBJECT, &cfg.avoid));
            loop {
                match Self::load_object(OBJECT, cfg, Some(&plan)) {
                    Ok(cap) => return Ok(cap),
                    Err(e) => {
                        let Some((hook, why)) = e.optional_hook() else { return Err(e) };
                        if plan.left_out.iter().any(|l| l.hook == hook) {
                            return Err(e);
                        }
                        plan = plan.without(hook, why);
                    }
                }
            }
        }
    }

    /// Aggregated mode: the hooks in use, and those left out with the reason.
    pub fn hook_plan(&self) -> Option<&HookPlan> {
        self.plan.as_ref()
    }

    /// One line saying which kernel hooks feed this capture.
    pub fn hooks_line(&self) -> String {
        match (&self.plan, self.mode) {
            (Some(plan), _) => plan.to_string(),
            (None, BpfMode::Full) => {
                "every system call at the raw_syscalls sys_enter/sys_exit tracepoints; processes: sched tracepoints".into()
            }
            (None, _) => "benchmark programs".into(),
        }
    }

    #[cfg_attr(not(kinsight_bpf), allow(dead_code))]
    fn load_object(bytes: &[u8], cfg: &BpfConfig, plan: Option<&HookPlan>) -> Result<BpfCapture, BpfError> {
        take_log();
        let load_err = |e: libbpf_rs::Error| BpfError::Load { error: e.to_string(), log: take_log() };
        let mut open = ObjectBuilder::default().name("kinsight").map_err(load_err)?.open_memory(bytes).map_err(load_err)?;
        let ring_bytes = cfg.ring_bytes.next_power_of_two().max(4096) as u32;
        for mut map in open.maps_mut() {
            let name = map.name().to_string_lossy().into_owned();
            if name == "events" {
                map.set_max_entries(ring_bytes).map_err(load_err)?;
            } else if name.ends_with(".rodata") {
                let value = map.initial_value_mut().ok_or_else(|| BpfError::Other("the .rodata map has no initial value".into()))?;
                write_config(value, cfg, plan)?;
            }
        }
        // Only the programs of the chosen mode are loaded: the socket tracepoints do not
        // exist on older kernels and the full mode does not need them.
        let wanted = programs(cfg.mode, plan);
        for mut prog in open.progs_mut() {
            let name = prog.name().to_string_lossy().into_owned();
            prog.set_autoload(wanted.contains(&name.as_str()));
        }
        let object = open.load().map_err(load_err)?;
        let mut links = Vec::new();
        let mut flush_iters = Vec::new();
        for prog in object.progs_mut() {
            let name = prog.name().to_string_lossy().into_owned();
            if !wanted.contains(&name.as_str()) {
                continue;
            }
            let attach_err = |e: libbpf_rs::Error| BpfError::Attach { program: name.clone(), error: e.to_string(), log: take_log() };
            if name == FLUSH_SOCKETS {
                // A map iterator: attached to the socket storage it walks.
                let map = object
                    .maps()
                    .find(|m| m.name() == "sock_counters")
                    .ok_or_else(|| BpfError::Other("the object has no `sock_counters` map".into()))?;
                flush_iters.push(prog.attach_iter(map.as_fd()).map_err(attach_err)?);
            } else {
                links.push(prog.attach().map_err(attach_err)?);
            }
        }
        let queue: Rc<RefCell<Vec<u8>>> = Rc::new(RefCell::new(Vec::with_capacity(1 << 20)));
        let q = queue.clone();
        let ring = {
            let events = object
                .maps()
                .find(|m| m.name() == "events")
                .ok_or_else(|| BpfError::Other("the object has no `events` ring buffer".into()))?;
            let mut builder = RingBufferBuilder::new();
            builder
                .add(&events, move |data: &[u8]| {
                    let mut q = q.borrow_mut();
                    q.extend_from_slice(&(data.len() as u32).to_le_bytes());
                    q.extend_from_slice(data);
                    0
                })
                .map_err(|e| BpfError::Other(format!("ring buffer: {e}")))?;
            builder.build().map_err(|e| BpfError::Other(format!("ring buffer: {e}")))?
        };
        Ok(BpfCapture { object, _links: links, flush_iters, ring, queue, mode: cfg.mode, plan: plan.cloned() })
    }

    pub fn mode(&self) -> BpfMode {
        self.mode
    }

    /// How long a consumer may wait between drains: the kernel side wakes it only when
    /// the ring buffer fills up (a wakeup per record would slow every traced call down).
    pub const POLL_PERIOD: Duration = Duration::from_millis(20);

    /// Waits until records are ready or `timeout` passes; true if some are ready. Without a
    /// wakeup, records still wait in the ring: drain at least every [`Self::POLL_PERIOD`].
    pub fn wait(&self, timeout: Duration) -> bool {
        let mut ev = libc::epoll_event { events: 0, u64: 0 };
        let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
        // SAFETY: the ring buffer's epoll fd is valid while `self.ring` lives; one event slot.
        let n = unsafe { libc::epoll_wait(self.ring.epoll_fd(), &mut ev, 1, ms) };
        n > 0
    }

    /// Takes at most `max` records out of the ring buffer and hands each to `f`; returns
    /// how many were taken. Bounded so that a busy producer cannot hold the consumer.
    pub fn drain(&mut self, max: usize, f: &mut dyn FnMut(&[u8])) -> usize {
        let n = self.ring.consume_raw_n(max);
        let queue = std::mem::take(&mut *self.queue.borrow_mut());
        let mut at = 0;
        while at + 4 <= queue.len() {
            let len = u32::from_le_bytes(queue[at..at + 4].try_into().unwrap()) as usize;
            at += 4;
            if at + len > queue.len() {
                break;
            }
            f(&queue[at..at + len]);
            at += len;
        }
        // Give the allocation back for the next batch.
        let mut q = self.queue.borrow_mut();
        if q.capacity() < queue.capacity() {
            let mut queue = queue;
            queue.clear();
            *q = queue;
        }
        n.max(0) as usize
    }

    fn map(&self, name: &str) -> Option<libbpf_rs::Map<'_>> {
        self.object.maps().find(|m| m.name() == name)
    }

    /// Records written and dropped by the kernel side since loading.
    pub fn kernel_stats(&self) -> KernelStats {
        let mut s = KernelStats::default();
        let Some(map) = self.map("stats") else { return s };
        for (idx, slot) in [(0u32, &mut s.records), (1u32, &mut s.drops), (2u32, &mut s.aggregate_full)] {
            if let Ok(Some(per_cpu)) = map.lookup_percpu(&idx.to_le_bytes(), MapFlags::ANY) {
                *slot = per_cpu.iter().filter_map(|v| v.get(..8)).map(|v| u64::from_le_bytes(v.try_into().unwrap())).sum();
            }
        }
        s
    }

    /// Aggregated mode: bytes per process and cgroup pair since loading, summed over CPUs:
    /// what is in `proc_io` plus what the per-CPU slots hold that is not in it yet.
    ///
    /// A slot that changes hands while `proc_io` is read moves its bytes into the map
    /// during the reading, where they may or may not be seen. So the slots' hand-over
    /// counters are read before and after the map: when no slot was changing hands and
    /// none changed hands in between, the reading is exact; otherwise it is taken again (a
    /// hand-over lasts nanoseconds). After `READ_ATTEMPTS` the last reading is returned:
    /// it may then miss bytes, never count any twice, and the next reading has them.
    pub fn proc_counters(&self) -> HashMap<ProcKey, ProcCounters> {
        const READ_ATTEMPTS: usize = 8;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let before = self.slot_copies();
            let mut out = HashMap::new();
            if let Some(map) = self.map("proc_io") {
                for key in map.keys() {
                    let (Some(k), Ok(Some(vals))) = (ProcKey::parse(&key), map.lookup_percpu(&key, MapFlags::ANY)) else { continue };
                    let total = out.entry(k).or_insert_with(ProcCounters::default);
                    for v in vals.iter().filter_map(|v| ProcCounters::parse(v)) {
                        total.add(&v);
                    }
                }
            }
            let after = self.slot_copies();
            let seqs = |copies: &[Vec<u8>]| copies.iter().map(|b| record::slot_seq(b)).collect::<Vec<_>>();
            let (seq_before, seq_after) = (seqs(&before), seqs(&after));
            let settled = seq_before.iter().all(Option::is_some) && seq_before == seq_after;
            if settled || attempt == READ_ATTEMPTS {
                for (k, v) in after.iter().filter_map(|b| record::parse_slot(b)) {
                    out.entry(k).or_insert_with(ProcCounters::default).add(&v);
                }
                return out;
            }
        }
    }

    /// Aggregated mode: a copy of every per-CPU slot, way after way.
    fn slot_copies(&self) -> Vec<Vec<u8>> {
        let Some(map) = self.map("proc_slot") else { return Vec::new() };
        (0..SLOT_WAYS).filter_map(|way| map.lookup_percpu(&way.to_le_bytes(), MapFlags::ANY).ok().flatten()).flatten().collect()
    }

    /// Aggregated mode: what every per-CPU slot holds (a settled copy of each).
    fn slots(&self) -> Vec<(ProcKey, ProcCounters)> {
        self.slot_copies().iter().filter_map(|b| record::parse_slot(b)).collect()
    }

    /// Aggregated mode: deletes the per-process counters of processes that exited, so that
    /// the map holds the living; call it after reading them. A key a per-CPU slot still
    /// holds stays until the slot has moved its bytes (a dead process cannot take a slot
    /// again). Returns the keys deleted: their readings start again from zero.
    pub fn forget_processes(&self, exited: &dyn Fn(u32) -> bool) -> Vec<ProcKey> {
        let Some(map) = self.map("proc_io") else { return Vec::new() };
        let in_slots: Vec<ProcKey> = self.slots().into_iter().map(|(k, _)| k).collect();
        let mut gone = Vec::new();
        for raw in map.keys() {
            let Some(k) = ProcKey::parse(&raw) else { continue };
            if exited(k.tgid) && !in_slots.contains(&k) && map.delete(&raw).is_ok() {
                gone.push(k);
            }
        }
        gone
    }

    /// Aggregated mode: moves the counters kept in socket storage into the map user space
    /// reads. Running an iterator is reading it to the end; it prints nothing.
    pub fn flush(&self) {
        for link in &self.flush_iters {
            if let Ok(mut it) = libbpf_rs::Iter::new(link) {
                let mut sink = Vec::new();
                let _ = std::io::Read::read_to_end(&mut it, &mut sink);
            }
        }
    }

    /// Aggregated mode: bytes per connection and process, summed over CPUs (after a flush).
    pub fn conn_counters(&self) -> HashMap<ConnKey, ConnCounters> {
        self.flush();
        let mut out = HashMap::new();
        let Some(map) = self.map("conn_io") else { return out };
        for key in map.keys() {
            let (Some(mut k), Ok(Some(vals))) = (ConnKey::parse(&key), map.lookup_percpu(&key, MapFlags::ANY)) else { continue };
            let mut total = ConnCounters::default();
            for v in vals.iter().filter_map(|v| ConnCounters::parse(v)) {
                total.add(&v);
            }
            k.role = total.conn_role();
            out.entry(k).or_insert_with(ConnCounters::default).add(&total);
        }
        out
    }
}

/// Aggregated mode: the iterator that moves the counters kept in socket storage into
/// `conn_io`, run before each reading.
const FLUSH_SOCKETS: &str = "ks_flush_sockets";

/// Aggregation slots per CPU (`KS_SLOT_WAYS` in kinsight.h).
const SLOT_WAYS: u32 = 4;

/// The programs each mode attaches (aggregated mode: those of its plan).
fn programs(mode: BpfMode, plan: Option<&HookPlan>) -> Vec<&'static str> {
    match mode {
        BpfMode::Full => vec!["ks_sys_enter", "ks_sys_exit", "ks_process_fork", "ks_process_exit"],
        BpfMode::Aggregated => plan.map(HookPlan::programs).unwrap_or_default(),
        BpfMode::EmptyExit => vec!["ks_empty_exit"],
        BpfMode::EmptyEnterExit => vec!["ks_empty_enter", "ks_empty_exit"],
    }
}

/// Tries each optional hook alone, as the tiny programs of `bpf/probe.bpf.c`: loaded,
/// attached (and an iterator run once), then dropped. Returns the hooks that cannot be
/// used, with the reason; those in `avoid` are left out without trying.
#[cfg_attr(not(kinsight_bpf), allow(dead_code))]
fn probe_hooks(bytes: &[u8], avoid: &[Hook]) -> Vec<LeftOut> {
    let mut out = Vec::new();
    for hook in Hook::ALL {
        if avoid.contains(&hook) {
            out.push(LeftOut { hook, why: "avoided by KINSIGHT_BPF_AVOID".into() });
            continue;
        }
        for probe in hook.probes() {
            if let Err(why) = probe_one(bytes, probe) {
                out.push(LeftOut { hook, why });
                break;
            }
        }
    }
    out
}

/// Loads and attaches one probe program.
#[cfg_attr(not(kinsight_bpf), allow(dead_code))]
fn probe_one(bytes: &[u8], name: &str) -> Result<(), String> {
    take_log();
    let fail = |e: libbpf_rs::Error| {
        let log = take_log();
        // The reason is one line; the verifier's own words when asked for.
        if std::env::var_os("KINSIGHT_BPF_DEBUG").is_some() {
            eprintln!("kinsight: probe {name} failed: {e}\n{log}");
        }
        hooks::reason(&e.to_string(), &log)
    };
    let mut open = ObjectBuilder::default().name("kinsight_probe").map_err(fail)?.open_memory(bytes).map_err(fail)?;
    for mut prog in open.progs_mut() {
        let this = prog.name() == name;
        prog.set_autoload(this);
    }
    let object = open.load().map_err(fail)?;
    let prog = object.progs_mut().find(|p| p.name() == name).ok_or_else(|| format!("no probe program {name}"))?;
    if name == "probe_iter_sk_storage" {
        let map = object.maps().find(|m| m.name() == "probe_sk_map").ok_or("no probe_sk_map")?;
        let link = prog.attach_iter(map.as_fd()).map_err(fail)?;
        let mut it = libbpf_rs::Iter::new(&link).map_err(fail)?;
        let mut sink = Vec::new();
        std::io::Read::read_to_end(&mut it, &mut sink).map_err(|e| hooks::reason(&e.to_string(), ""))?;
    } else {
        // Attached, then detached when the link drops: attaching is what is probed.
        let _link = prog.attach().map_err(fail)?;
    }
    Ok(())
}

impl BpfError {
    /// The optional hook whose program failed, and why, when that is what failed.
    #[cfg_attr(not(kinsight_bpf), allow(dead_code))]
    fn optional_hook(&self) -> Option<(Hook, String)> {
        match self {
            BpfError::Attach { program, error, log } => Hook::of_program(program).map(|h| (h, hooks::reason(error, log))),
            BpfError::Load { error, log } => {
                // libbpf names the program it could not load: "prog 'NAME': ...".
                let program = log.lines().rev().find_map(|l| {
                    let rest = &l[l.find("prog '")? + 6..];
                    Some(rest[..rest.find('\'')?].to_string())
                })?;
                Hook::of_program(&program).map(|h| (h, hooks::reason(error, log)))
            }
            _ => None,
        }
    }
}

/// Fills `struct ks_config` at the start of .rodata, after checking its magic.
fn write_config(rodata: &mut [u8], cfg: &BpfConfig, plan: Option<&HookPlan>) -> Result<(), BpfError> {
    if rodata.len() < 36 || u32::from_le_bytes(rodata[0..4].try_into().unwrap()) != CONFIG_MAGIC {
        return Err(BpfError::Other("the BPF object's .rodata does not start with its configuration".into()));
    }
    let mode = match cfg.mode {
        BpfMode::Aggregated => 1u32,
        BpfMode::Full | BpfMode::EmptyExit | BpfMode::EmptyEnterExit => 0,
    };
    // Wake the consumer when a quarter of the ring is waiting; it polls anyway.
    let wakeup_bytes = (cfg.ring_bytes.next_power_of_two().max(4096) / 4) as u32;
    // KS_FILE_*, KS_NET_* and conn_direct in kinsight.h.
    let (file_hook, net_hook, conn_direct) = match plan {
        Some(p) => (
            match p.file {
                FileHook::SyscallExit => 0,
                FileHook::Fexit => 1,
            },
            match p.net {
                NetHook::SockTracepoints => 0,
                NetHook::Fexit => 1,
                NetHook::SyscallExit => 2,
            },
            (p.open_connections == OpenConnections::EveryCall) as u32,
        ),
        None => (0, 0, 0),
    };
    let fields = [mode, cfg.snaplen.min(4095), cfg.self_tgid, cfg.v1_memory as u32, wakeup_bytes, file_hook, net_hook, conn_direct];
    for (i, v) in fields.iter().enumerate() {
        rodata[4 + 4 * i..8 + 4 * i].copy_from_slice(&v.to_le_bytes());
    }
    Ok(())
}
