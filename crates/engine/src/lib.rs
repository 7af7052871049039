//! kinsight-engine: the state machine every event goes through, whatever its source.
//!
//! Owns: threads and processes (fork/clone/execve/exit and the initial process list), fd
//! tables (files, sockets with their tuples, pipes, ...), containers (from container events
//! or cgroups) and the Kubernetes cluster model (from K8S_E events, later from the API).
//! For each event it returns an [`EventCtx`]: who did it, on which fd, how many bytes.
//! Must not: aggregate, format or decide what a user sees (that is `kinsight-analysis`), or
//! block on anything: metadata arrives as events or as model updates applied between events.

pub mod cgroup;
pub mod fd;
mod fields;
mod handlers;
pub mod thread;

pub use fd::{Fd, FdTable, FdType, IpTuple, L4Proto, Role};
pub use fields::EventFields;
pub use thread::{ProcessImage, Thread};

use kinsight_model::{Cluster, ContainerInfo};
use kinsight_scap::{Block, EventRef, Interface, MachineInfo};
use rustc_hash::FxHashMap;
use std::collections::HashMap;
use std::sync::Arc;

/// What an exit handler needs to remember of the enter event.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pending {
    pub etype: u16,
    pub ts: u64,
    /// How to decode the saved enter event bytes.
    pub has_nparams: bool,
    /// The fd the syscall operates on (first fd parameter of the enter event).
    pub fd: Option<i64>,
    /// The first integer parameters (socket domain/type/proto, dup's old fd, ...).
    pub args: [i64; 3],
}

/// Direction of an I/O event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IoDir {
    Read,
    Write,
}

/// Bytes moved by a completed I/O syscall.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Io {
    pub dir: IoDir,
    pub bytes: u64,
}

/// What the engine learned from one event, for the analyses and the filter.
#[derive(Clone, Debug, Default)]
pub struct EventCtx<'a> {
    pub tid: i64,
    /// The fd number the event used, if any.
    pub fd_num: Option<i64>,
    /// The fd as it was at an exit event (before a close removed it); None at enter
    /// events, whose fd is still in the table (see [`Engine::event_fd`]).
    pub fd: Option<Fd>,
    /// Set for completed I/O exit events with a non-negative result.
    pub io: Option<Io>,
    /// The captured data buffer of I/O events (snaplen bytes at most).
    pub data: Option<&'a [u8]>,
    /// Return value of exit events.
    pub res: Option<i64>,
    /// Latency of exit events whose enter event was seen.
    pub latency_ns: Option<u64>,
    /// The event was a procinfo sample: CPU percentage since the thread's previous one.
    pub cpu_pct: Option<f64>,
    /// The event carried container or cluster metadata and changed the model.
    pub metadata_changed: bool,
}

/// Counters about the engine's own work.
#[derive(Clone, Debug, Default)]
pub struct EngineStats {
    pub events: u64,
    pub first_ts: u64,
    pub last_ts: u64,
    /// Exit events whose enter event was not seen (dropped or before the capture).
    pub unmatched_exits: u64,
    /// Metadata events that could not be decoded, with the reason (first few kept).
    pub metadata_errors: Vec<String>,
    pub metadata_error_count: u64,
}

/// Threads, fds, containers and the cluster, as the events so far describe them.
#[derive(Default)]
pub struct Engine {
    // Integer keys looked up several times per event: a fast non-cryptographic hash.
    threads: FxHashMap<i64, Thread>,
    /// Fd tables by process id (threads of a process share one).
    fd_tables: FxHashMap<i64, FdTable>,
    /// Kubernetes objects and container metadata.
    pub cluster: Cluster,
    pub machine: Option<MachineInfo>,
    /// Network interfaces of the capturing machine.
    pub interfaces: Vec<Interface>,
    users: HashMap<u32, String>,
    handlers: handlers::Dispatch,
    pub stats: EngineStats,
}

impl Engine {
    pub fn new() -> Engine {
        Engine { handlers: handlers::Dispatch::build(), ..Default::default() }
    }

    /// Applies any block of a capture: metadata blocks fill the initial state, event
    /// blocks are processed. Returns the context of event blocks.
    pub fn apply_block<'a>(&mut self, block: &Block<'a>) -> Option<EventCtx<'a>> {
        match block {
            Block::Event(ev) => return Some(self.process(ev)),
            Block::MachineInfo(mi) => self.machine = Some(mi.clone()),
            Block::ProcessList(list) => {
                for ti in list {
                    self.add_initial_thread(ti);
                }
            }
            Block::FdList(list) => {
                let pid = self.threads.get(&list.tid).map_or(list.tid, |t| t.pid);
                let table = self.fd_tables.entry(pid).or_default();
                for info in &list.fds {
                    table.fds.insert(info.fd, fd::fd_from_list(info));
                }
            }
            Block::UserList(ul) => {
                for u in &ul.users {
                    self.users.insert(u.uid, u.name.clone());
                }
            }
            Block::InterfaceList(list) => self.interfaces = list.clone(),
            Block::Section(_) | Block::Unknown { .. } => {}
        }
        None
    }

    fn add_initial_thread(&mut self, ti: &kinsight_scap::ThreadInfo) {
        let mut t = Thread::new(ti.tid, ti.pid);
        t.ptid = ti.ptid;
        t.vtid = ti.vtid;
        t.vpid = ti.vpid;
        t.uid = ti.uid;
        t.cwd = Arc::from(ti.cwd.as_str());
        t.vmsize_kb = ti.vmsize_kb as u64;
        t.vmrss_kb = ti.vmrss_kb as u64;
        t.image = Arc::new(ProcessImage {
            comm: ti.comm.clone(),
            exe: ti.exe.clone(),
            exepath: ti.exepath.clone(),
            args: split_nul(&ti.args),
        });
        t.container = container_of_cgroups(&ti.cgroups);
        self.threads.insert(ti.tid, t);
    }

    /// Applies one event and says what it did.
    pub fn process<'a>(&mut self, ev: &EventRef<'a>) -> EventCtx<'a> {
        let mut ctx = EventCtx::default();
        self.process_into(ev, &mut ctx);
        ctx
    }

    /// Applies one event and writes what it did into `ctx` (reset first): the hot loop
    /// reuses one context instead of moving a new one through every layer.
    pub fn process_into<'a>(&mut self, ev: &EventRef<'a>, ctx: &mut EventCtx<'a>) {
        let stats = &mut self.stats;
        if stats.events == 0 {
            stats.first_ts = ev.ts;
        }
        stats.events += 1;
        stats.last_ts = stats.last_ts.max(ev.ts);
        *ctx = EventCtx::default();
        handlers::handle(self, ev, ctx);
    }

    pub fn thread(&self, tid: i64) -> Option<&Thread> {
        self.threads.get(&tid)
    }

    pub fn threads(&self) -> impl Iterator<Item = &Thread> {
        self.threads.values()
    }

    /// The main thread of a thread's process (itself if it is the main thread or unknown).
    pub fn main_thread<'s>(&'s self, t: &'s Thread) -> &'s Thread {
        self.threads.get(&t.pid).unwrap_or(t)
    }

    pub fn fd(&self, pid: i64, fd: i64) -> Option<&Fd> {
        self.fd_tables.get(&pid)?.fds.get(&fd)
    }

    /// The fd an event used: the one it carried, else the table's entry for its number.
    pub fn event_fd<'s>(&'s self, ctx: &'s EventCtx) -> Option<&'s Fd> {
        ctx.fd.as_ref().or_else(|| {
            let pid = self.threads.get(&ctx.tid).map_or(ctx.tid, |t| t.pid);
            self.fd(pid, ctx.fd_num?)
        })
    }

    pub fn fd_table(&self, pid: i64) -> Option<&FdTable> {
        self.fd_tables.get(&pid)
    }

    /// Number of threads of a process (`proc.nthreads`).
    pub fn thread_count(&self, pid: i64) -> usize {
        self.threads.values().filter(|t| t.pid == pid).count()
    }

    pub fn container(&self, id: &str) -> Option<&ContainerInfo> {
        self.cluster.container(id)
    }

    /// Adds or replaces a container's metadata (live sources call this too).
    pub fn upsert_container(&mut self, info: ContainerInfo) {
        self.cluster.upsert_container(info);
    }

    /// Forgets a thread that has exited, and its process's fd table with the process's last
    /// thread. Live sources call this after a thread's procexit event, so that state stays
    /// bounded on a long-running host (the event handlers keep exited threads).
    pub fn remove_thread(&mut self, tid: i64) {
        if let Some(t) = self.threads.remove(&tid) {
            if !self.threads.values().any(|o| o.pid == t.pid) {
                self.fd_tables.remove(&t.pid);
            }
        }
    }

    /// Sets a thread's memory sizes from a live sample. Captures carry memory in events;
    /// a live host watched without a driver refreshes it from /proc instead.
    pub fn set_thread_memory(&mut self, tid: i64, vmsize_kb: u64, vmrss_kb: u64) {
        if let Some(t) = self.threads.get_mut(&tid) {
            t.vmsize_kb = vmsize_kb;
            t.vmrss_kb = vmrss_kb;
        }
    }

    pub fn user_name(&self, uid: u32) -> Option<&str> {
        self.users.get(&uid).map(String::as_str)
    }

    pub(crate) fn note_metadata_error(&mut self, what: String) {
        self.stats.metadata_error_count += 1;
        if self.stats.metadata_errors.len() < 16 {
            self.stats.metadata_errors.push(what);
        }
    }
}

pub(crate) fn split_nul(b: &[u8]) -> Vec<String> {
    b.split(|&c| c == 0).filter(|s| !s.is_empty()).map(|s| String::from_utf8_lossy(s).into_owned()).collect()
}

pub(crate) fn container_of_cgroups(cgroups: &[u8]) -> Option<Arc<str>> {
    let entries = cgroups.split(|&c| c == 0).filter_map(|s| std::str::from_utf8(s).ok());
    cgroup::container_id_from_cgroups(entries).map(|s| Arc::from(s.as_str()))
}
