//! What each event does to the state. Handlers are chosen once per event code from the
//! event's name, so every version of a syscall's event (execve has eight) takes the same
//! path, and parameters are looked up by name because old captures carry fewer of them.

use crate::fd::{Fd, FdType, IpTuple, L4Proto, Role};
use crate::thread::{ProcessImage, Thread};
use crate::{container_of_cgroups, Engine, EventCtx, Io, IoDir, Pending};
use kinsight_model::ContainerInfo;
use kinsight_scap::event::{SockAddr, SockTuple};
use kinsight_scap::table::{self, Category, EventFlags, ParamType};
use kinsight_scap::EventRef;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Handler {
    None,
    Open,
    Socket,
    Connect,
    Accept,
    Bind,
    Close,
    Dup,
    FdPair(FdType),
    NewFd(FdType),
    Fcntl,
    Clone,
    Execve,
    ProcExit,
    Chdir,
    Fchdir,
    ProcInfo,
    Container,
    K8s,
    Memory,
}

/// Per event code: its handler and whether it is I/O (and which way).
#[derive(Default)]
pub(crate) struct Dispatch {
    handler: Vec<Handler>,
    io: Vec<Option<IoDir>>,
    /// Events that happen to a thread between a syscall's enter and exit (context
    /// switches, signal deliveries, procinfo samples) and must not unpair them.
    transparent: Vec<bool>,
    /// Enter events whose exit handler may read their arguments (a path, an address, a
    /// tuple): only these are copied aside. Plain reads and writes need only their fd.
    keep_enter: Vec<bool>,
}


impl Dispatch {
    pub fn build() -> Dispatch {
        let mut d = Dispatch::default();
        for info in table::EVENT_TABLE.iter() {
            d.handler.push(handler_for(info.name));
            let handler = *d.handler.last().unwrap();
            let names_peer = info.params.iter().any(|p| matches!(p.name, "tuple" | "addr" | "name" | "path"));
            d.keep_enter.push(handler != Handler::None || names_peer);
            d.transparent.push(
                info.flags.contains(EventFlags::SKIPPARSERESET)
                    || info.category.kind() == Category::SCHEDULER
                    || matches!(info.name, "signaldeliver" | "page_fault"),
            );
            let kind = info.category.kind();
            d.io.push(if kind == Category::IO_READ {
                Some(IoDir::Read)
            } else if kind == Category::IO_WRITE {
                Some(IoDir::Write)
            } else {
                None
            });
        }
        d
    }
}

fn handler_for(name: &str) -> Handler {
    use Handler::*;
    match name {
        "open" | "openat" | "openat2" | "creat" | "open_by_handle_at" => Open,
        "socket" => Socket,
        "connect" => Connect,
        "accept" | "accept4" => Accept,
        "bind" => Bind,
        "close" => Close,
        "dup" | "dup2" | "dup3" => Dup,
        "pipe" | "pipe2" => FdPair(FdType::Pipe),
        "socketpair" => FdPair(FdType::Unix),
        "eventfd" | "eventfd2" => NewFd(FdType::Event),
        "signalfd" | "signalfd4" => NewFd(FdType::SignalFd),
        "timerfd_create" => NewFd(FdType::TimerFd),
        "inotify_init" | "inotify_init1" => NewFd(FdType::Inotify),
        "epoll_create" | "epoll_create1" => NewFd(FdType::EventPoll),
        "userfaultfd" => NewFd(FdType::UserFaultFd),
        "memfd_create" => NewFd(FdType::MemFd),
        "pidfd_open" | "pidfd_getfd" => NewFd(FdType::PidFd),
        "bpf" => NewFd(FdType::Bpf),
        "io_uring_setup" => NewFd(FdType::IoUring),
        "fcntl" => Fcntl,
        "clone" | "fork" | "vfork" | "clone3" => Clone,
        "execve" | "execveat" => Execve,
        "procexit" => ProcExit,
        "chdir" => Chdir,
        "fchdir" => Fchdir,
        "procinfo" => ProcInfo,
        "container" => Container,
        "k8s" => K8s,
        "brk" | "mmap" | "mmap2" | "munmap" => Memory,
        _ => None,
    }
}

/// `container` events of every version, told apart by their parameters.
fn is_json_container(ev: &EventRef) -> bool {
    ev.info().is_some_and(|i| i.params.first().is_some_and(|p| p.name == "json"))
}

/// Applies one event to the state and fills `ctx` (which the caller has reset).
pub(crate) fn handle<'a>(engine: &mut Engine, ev: &EventRef<'a>, ctx: &mut EventCtx<'a>) {
    let code = ev.etype as usize;
    let handler = engine.handlers.handler.get(code).copied().unwrap_or(Handler::None);
    let io_dir = engine.handlers.io.get(code).copied().flatten();
    ctx.tid = ev.tid;

    // Metadata events describe the world, not the thread that carries them.
    match handler {
        Handler::Container => {
            container_event(engine, ev);
            ctx.metadata_changed = true;
            return;
        }
        Handler::K8s => {
            if let Some(json) = ev.str(0) {
                if let Err(e) = engine.cluster.apply_capture_event(&json) {
                    engine.note_metadata_error(format!("k8s event at ts {}: {e}", ev.ts));
                }
            }
            ctx.metadata_changed = true;
            return;
        }
        _ => {}
    }

    // Events of no thread (tid 0: the idle task, or a driver's own notices) describe none.
    if ev.tid <= 0 {
        return;
    }
    // One lookup of the thread serves the whole event: create it if unknown, then take or
    // leave the pending enter event.
    let thread = engine.threads.entry(ev.tid).or_insert_with(|| Thread::new(ev.tid, ev.tid));
    // procexit comes alone, as an enter event, and leaves the thread's state as it is.
    if handler == Handler::ProcExit {
        thread.exited = true;
        return;
    }
    if engine.handlers.transparent.get(code).copied().unwrap_or(false) {
        if handler == Handler::ProcInfo {
            ctx.cpu_pct = procinfo(thread, ev);
        }
        return;
    }

    if ev.is_enter() {
        let pending = pending_of(ev);
        // The fd itself is looked up only when someone asks (filters, the events view):
        // views count bytes at exit events.
        ctx.fd_num = pending.fd;
        thread.pending = Some(pending);
        thread.pending_raw.clear();
        if engine.handlers.keep_enter.get(code).copied().unwrap_or(false) {
            thread.pending_raw.extend_from_slice(ev.bytes());
        }
        return;
    }

    // Exit event: pair it with its enter event.
    let (pending, raw) = (thread.pending.take(), std::mem::take(&mut thread.pending_raw));
    let pending = match pending {
        Some(p) if p.etype + 1 == ev.etype => Some(p),
        _ => {
            engine.stats.unmatched_exits += 1;
            None
        }
    };
    let enter = pending.filter(|_| !raw.is_empty()).and_then(|p| EventRef::parse(&raw, p.has_nparams).ok());
    let args = Args { exit: ev, enter: enter.as_ref() };
    handle_exit(engine, ev, &args, handler, io_dir, pending, ctx);
    // Give the buffer back for the thread's next syscall.
    if raw.capacity() > 0 {
        if let Some(t) = engine.threads.get_mut(&ev.tid) {
            if t.pending_raw.capacity() == 0 {
                t.pending_raw = raw;
            }
        }
    }
}

/// Parameters of a syscall by name: from its exit event, else from its enter event.
struct Args<'e, 'a> {
    exit: &'e EventRef<'a>,
    enter: Option<&'e EventRef<'e>>,
}

impl<'e, 'a> Args<'e, 'a> {
    fn find<T>(&self, name: &str, get: impl Fn(&EventRef, usize) -> Option<T>) -> Option<T> {
        if let Some(v) = self.exit.param_index(name).and_then(|i| get(self.exit, i)) {
            return Some(v);
        }
        let enter = self.enter?;
        enter.param_index(name).and_then(|i| get(enter, i))
    }
    fn str(&self, name: &str) -> Option<String> {
        self.find(name, |e, i| e.str(i).map(|c| c.into_owned()))
    }
    fn i64(&self, name: &str) -> Option<i64> {
        self.find(name, |e, i| e.i64(i))
    }
    fn u64(&self, name: &str) -> Option<u64> {
        self.find(name, |e, i| e.u64(i))
    }
    fn sockaddr(&self, name: &str) -> Option<SockAddr> {
        self.find(name, |e, i| e.sockaddr(i))
    }
}

#[allow(clippy::too_many_arguments)]
fn handle_exit<'a>(
    engine: &mut Engine,
    ev: &EventRef<'a>,
    args: &Args,
    handler: Handler,
    io_dir: Option<IoDir>,
    pending: Option<Pending>,
    ctx: &mut EventCtx<'a>,
) {
    let res = ev.i64(0);
    ctx.res = res;
    ctx.latency_ns = pending.map(|p| ev.ts.saturating_sub(p.ts));
    // Newer drivers repeat the fd in the exit event; older ones only have it at enter.
    let fd_num = pending.and_then(|p| p.fd).or_else(|| exit_fd_param(ev));
    ctx.fd_num = fd_num;

    if let (Some(dir), Some(fd)) = (io_dir, fd_num) {
        ctx.fd = lookup_fd(engine, ev.tid, fd).cloned();
        if let Some(n) = res.filter(|&r| r >= 0) {
            ctx.io = Some(Io { dir, bytes: n as u64 });
            ctx.data = ev.param_index("data").and_then(|i| ev.param(i));
        }
        // sendto/recvfrom/sendmsg/recvmsg on unconnected (datagram) sockets name the peer
        // of each datagram: the fd takes that tuple from then on, as in sysdig.
        if let Some(SockTuple::Ip { sip, sport, dip, dport }) = args.find("tuple", |e, i| e.socktuple(i)) {
            {
                let t = IpTuple { cip: sip, cport: sport, sip: dip, sport: dport };
                if let Some(f) = lookup_fd_mut(engine, ev.tid, fd) {
                    if f.tuple != Some(t) {
                        let role = f.role;
                        f.set_tuple(t, role);
                        f.l4proto = L4Proto::Udp;
                        ctx.fd = Some(f.clone());
                    }
                }
            }
        }
        return;
    }

    match handler {
        Handler::Open => on_open(engine, ev, args, res),
        Handler::Socket => on_socket(engine, ev, res, pending),
        Handler::Connect => {
            if let Some(fd) = fd_num {
                on_connect(engine, ev, fd, res);
                ctx.fd = lookup_fd(engine, ev.tid, fd).cloned();
            }
        }
        Handler::Accept => {
            if let Some(newfd) = res.filter(|&r| r >= 0) {
                on_accept(engine, ev, newfd);
                ctx.fd_num = Some(newfd);
                ctx.fd = lookup_fd(engine, ev.tid, newfd).cloned();
            }
        }
        Handler::Bind => {
            if let (Some(fd), Some(0)) = (fd_num, res) {
                if let Some(addr) = args.sockaddr("addr") {
                    if let Some(f) = lookup_fd_mut(engine, ev.tid, fd) {
                        if let SockAddr::Ip(ip, port) = addr {
                            f.name = Arc::from(format!("{ip}:{port}").as_str());
                            f.role = Role::Server;
                        }
                    }
                }
            }
        }
        Handler::Close => {
            if let Some(fd) = fd_num {
                ctx.fd = lookup_fd(engine, ev.tid, fd).cloned();
                if res.is_some_and(|r| r >= 0) {
                    remove_fd(engine, ev.tid, fd);
                }
            }
        }
        Handler::Dup => on_dup(engine, ev, res, pending),
        Handler::FdPair(kind) => on_fd_pair(engine, ev, kind),
        Handler::NewFd(kind) => {
            if let Some(fd) = res.filter(|&r| r >= 0) {
                insert_fd(engine, ev.tid, fd, Fd::named(kind, ""));
            }
        }
        Handler::Fcntl => {
            // F_DUPFD and F_DUPFD_CLOEXEC return a copy of the fd.
            let cmd = pending.map(|p| p.args[1]).unwrap_or(-1);
            if let (Some(old), Some(new)) = (fd_num, res.filter(|&r| r >= 0)) {
                if cmd == 1 || cmd == 2 {
                    copy_fd(engine, ev.tid, old, new);
                }
            }
        }
        Handler::Clone => on_clone(engine, ev, res),
        Handler::Execve => on_execve(engine, ev, res),
        Handler::Chdir if res == Some(0) => {
            if let Some(path) = args.str("path") {
                let t = engine.threads.get_mut(&ev.tid).unwrap();
                let cwd = join_path(&t.cwd, &path);
                t.cwd = Arc::from(cwd.as_str());
            }
        }
        Handler::Fchdir => {
            if let (Some(0), Some(fd)) = (res, fd_num) {
                if let Some(name) = lookup_fd(engine, ev.tid, fd).map(|f| f.name.clone()) {
                    engine.threads.get_mut(&ev.tid).unwrap().cwd = name;
                }
            }
        }
        Handler::Memory => update_memory(engine, ev),
        _ => {}
    }
}

/// Remembers what exit handlers need: the fd and the first integer arguments.
fn pending_of(ev: &EventRef) -> Pending {
    let mut p = Pending { etype: ev.etype, ts: ev.ts, has_nparams: ev.has_nparams(), fd: None, args: [-1; 3] };
    if let Some(info) = ev.info() {
        for (i, param) in info.params.iter().enumerate().take(ev.nparams()) {
            if p.fd.is_none() && param.ptype == ParamType::Fd {
                p.fd = ev.i64(i);
            }
            if i < 3 {
                p.args[i] = ev.i64(i).unwrap_or(-1);
            }
        }
    }
    p
}

/// The fd an exit event names itself, in drivers that repeat it there.
fn exit_fd_param(ev: &EventRef) -> Option<i64> {
    let info = ev.info()?;
    let i = info.params.iter().take(ev.nparams()).skip(1).position(|p| p.ptype == ParamType::Fd)? + 1;
    ev.i64(i)
}

fn pid_of(engine: &Engine, tid: i64) -> i64 {
    engine.threads.get(&tid).map_or(tid, |t| t.pid)
}

fn lookup_fd(engine: &Engine, tid: i64, fd: i64) -> Option<&Fd> {
    engine.fd_tables.get(&pid_of(engine, tid))?.fds.get(&fd)
}

fn lookup_fd_mut(engine: &mut Engine, tid: i64, fd: i64) -> Option<&mut Fd> {
    let pid = pid_of(engine, tid);
    engine.fd_tables.get_mut(&pid)?.fds.get_mut(&fd)
}

fn insert_fd(engine: &mut Engine, tid: i64, fd: i64, f: Fd) {
    let pid = pid_of(engine, tid);
    engine.fd_tables.entry(pid).or_default().fds.insert(fd, f);
}

fn remove_fd(engine: &mut Engine, tid: i64, fd: i64) {
    let pid = pid_of(engine, tid);
    if let Some(t) = engine.fd_tables.get_mut(&pid) {
        t.fds.remove(&fd);
    }
}

fn copy_fd(engine: &mut Engine, tid: i64, old: i64, new: i64) {
    if let Some(f) = lookup_fd(engine, tid, old).cloned() {
        insert_fd(engine, tid, new, f);
    }
}

fn join_path(base: &str, path: &str) -> String {
    if path.starts_with('/') {
        return normalize(path);
    }
    let mut s = String::with_capacity(base.len() + path.len() + 1);
    s.push_str(base);
    if !s.ends_with('/') {
        s.push('/');
    }
    s.push_str(path);
    normalize(&s)
}

/// Resolves `.` and `..` the way sysdig prints paths.
fn normalize(path: &str) -> String {
    if !path.contains("/.") && !path.contains("//") {
        return path.to_string();
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    let mut s = String::from("/");
    s.push_str(&parts.join("/"));
    if path.ends_with('/') && s.len() > 1 {
        s.push('/');
    }
    s
}

const O_DIRECTORY_PPM: u64 = 1 << 11;

fn on_open(engine: &mut Engine, ev: &EventRef, args: &Args, res: Option<i64>) {
    let Some(fd) = res.filter(|&r| r >= 0) else { return };
    let Some(name) = args.str("name") else { return };
    let dirfd = args.i64("dirfd");
    let base: Arc<str> = match dirfd {
        Some(d) if d != -100 && !name.starts_with('/') => {
            lookup_fd(engine, ev.tid, d).map_or_else(|| Arc::from("<UNKNOWN>"), |f| f.name.clone())
        }
        _ => engine.threads.get(&ev.tid).map_or_else(|| Arc::from("/"), |t| t.cwd.clone()),
    };
    let path = join_path(&base, &name);
    let flags = args.u64("flags").unwrap_or(0);
    let kind = if flags & O_DIRECTORY_PPM != 0 { FdType::Directory } else { FdType::File };
    insert_fd(engine, ev.tid, fd, Fd::named(kind, &path));
}

fn on_socket(engine: &mut Engine, ev: &EventRef, res: Option<i64>, pending: Option<Pending>) {
    let Some(fd) = res.filter(|&r| r >= 0) else { return };
    let [domain, sock_type, proto] = pending.map_or([-1; 3], |p| p.args);
    let kind = match domain {
        2 => FdType::Ipv4,
        10 => FdType::Ipv6,
        1 => FdType::Unix,
        16 => FdType::Netlink,
        _ => FdType::Unknown,
    };
    let mut f = Fd::named(kind, "");
    f.l4proto = L4Proto::from_socket(sock_type, proto);
    insert_fd(engine, ev.tid, fd, f);
}

fn tuple_of(st: SockTuple) -> Option<IpTuple> {
    match st {
        SockTuple::Ip { sip, sport, dip, dport } => Some(IpTuple { cip: sip, cport: sport, sip: dip, sport: dport }),
        _ => None,
    }
}

fn on_connect(engine: &mut Engine, ev: &EventRef, fd: i64, res: Option<i64>) {
    // A non-blocking connect returns EINPROGRESS (-115) and still establishes the tuple.
    if !matches!(res, Some(0) | Some(-115)) {
        return;
    }
    let Some(st) = ev.param_index("tuple").and_then(|i| ev.socktuple(i)) else { return };
    match st {
        SockTuple::Unix { path, .. } => {
            let f = lookup_fd_mut(engine, ev.tid, fd);
            if let Some(f) = f {
                f.kind = FdType::Unix;
                f.name = Arc::from(path.as_str());
            }
        }
        st => {
            let Some(t) = tuple_of(st) else { return };
            if lookup_fd(engine, ev.tid, fd).is_none() {
                insert_fd(engine, ev.tid, fd, Fd::named(FdType::Unknown, ""));
            }
            let f = lookup_fd_mut(engine, ev.tid, fd).unwrap();
            if f.l4proto == L4Proto::Unknown {
                f.l4proto = L4Proto::Tcp;
            }
            f.set_tuple(t, Role::Client);
        }
    }
}

fn on_accept(engine: &mut Engine, ev: &EventRef, newfd: i64) {
    let st = ev.param_index("tuple").and_then(|i| ev.socktuple(i));
    let f = match st {
        Some(SockTuple::Unix { path, .. }) => Fd::named(FdType::Unix, &path),
        Some(st) => match tuple_of(st) {
            Some(t) => {
                let mut f = Fd::named(FdType::Ipv4, "");
                f.l4proto = L4Proto::Tcp;
                f.set_tuple(t, Role::Server);
                f
            }
            None => Fd::named(FdType::Unknown, ""),
        },
        None => Fd::named(FdType::Unknown, ""),
    };
    insert_fd(engine, ev.tid, newfd, f);
}

fn on_dup(engine: &mut Engine, ev: &EventRef, res: Option<i64>, pending: Option<Pending>) {
    let Some(new) = res.filter(|&r| r >= 0) else { return };
    let old = ev
        .param_index("oldfd")
        .and_then(|i| ev.i64(i))
        .or_else(|| pending.and_then(|p| p.fd));
    if let Some(old) = old {
        if old != new {
            copy_fd(engine, ev.tid, old, new);
        }
    }
}

fn on_fd_pair(engine: &mut Engine, ev: &EventRef, kind: FdType) {
    if ev.i64(0).is_none_or(|r| r < 0) {
        return;
    }
    for name in ["fd1", "fd2"] {
        if let Some(fd) = ev.param_index(name).and_then(|i| ev.i64(i)) {
            insert_fd(engine, ev.tid, fd, Fd::named(kind, ""));
        }
    }
}

/// Reads the process facts that clone and execve exit events carry.
fn image_from(ev: &EventRef, old: &ProcessImage) -> ProcessImage {
    let s = |name: &str| ev.param_index(name).and_then(|i| ev.str(i)).map(|c| c.into_owned());
    let exe = s("exe").unwrap_or_else(|| old.exe.clone());
    let args = ev.param_index("args").map(|i| ev.str_array(i).into_iter().map(|c| c.into_owned()).collect());
    let comm = s("comm").unwrap_or_else(|| exe.rsplit('/').next().unwrap_or(&exe).to_string());
    ProcessImage {
        comm,
        exe,
        exepath: s("exepath").unwrap_or_default(),
        args: args.unwrap_or_else(|| old.args.clone()),
    }
}

fn apply_common(t: &mut Thread, ev: &EventRef) {
    let u = |name: &str| ev.param_index(name).and_then(|i| ev.u64(i));
    if let Some(v) = u("vm_size") {
        t.vmsize_kb = v;
    }
    if let Some(v) = u("vm_rss") {
        t.vmrss_kb = v;
    }
    if let Some(cwd) = ev.param_index("cwd").and_then(|i| ev.str(i)) {
        if !cwd.is_empty() {
            t.cwd = Arc::from(&*cwd);
        }
    }
    if let Some(i) = ev.param_index("cgroups") {
        if let Some(raw) = ev.param(i) {
            t.container = container_of_cgroups(raw);
        }
    }
    if let Some(uid) = u("uid") {
        t.uid = uid as u32;
    }
    if let Some(v) = ev.param_index("vtid").and_then(|i| ev.i64(i)) {
        t.vtid = v;
    }
    if let Some(v) = ev.param_index("vpid").and_then(|i| ev.i64(i)) {
        t.vpid = v;
    }
}

const CLONE_THREAD: u64 = 1 << 13; // PPM_CL_CLONE_THREAD

fn on_clone(engine: &mut Engine, ev: &EventRef, res: Option<i64>) {
    let Some(res) = res.filter(|&r| r >= 0) else { return };
    let i64p = |name: &str| ev.param_index(name).and_then(|i| ev.i64(i));
    // The child's exit (res 0) carries the child's view; the parent's carries the parent's.
    let child_tid = if res == 0 { ev.tid } else { res };
    if res > 0 && engine.threads.get(&child_tid).is_some_and(|t| !t.image.comm.is_empty()) {
        return; // the child already reported itself
    }
    // A caller in a pid namespace (its vtid is not its tid) gets the child's id in that
    // namespace: not a host tid. The child's own exit event describes it, as sysdig waits for.
    if res > 0 && i64p("vtid").is_some_and(|v| v >= 0 && v != ev.tid) {
        return;
    }
    let flags = ev.param_index("flags").and_then(|i| ev.u64(i)).unwrap_or(0);
    let parent_tid = if res == 0 { i64p("ptid").unwrap_or(-1) } else { ev.tid };
    let parent = engine.threads.get(&parent_tid).or_else(|| engine.threads.get(&ev.tid)).cloned();
    let pid = if res == 0 {
        i64p("pid").unwrap_or(child_tid)
    } else if flags & CLONE_THREAD != 0 {
        parent.as_ref().map_or(child_tid, |p| p.pid)
    } else {
        child_tid
    };
    let mut t = Thread::new(child_tid, pid);
    if let Some(p) = &parent {
        t.image = p.image.clone();
        t.cwd = p.cwd.clone();
        t.uid = p.uid;
        t.container = p.container.clone();
        t.vmsize_kb = p.vmsize_kb;
        t.vmrss_kb = p.vmrss_kb;
    }
    t.ptid = if res == 0 { i64p("ptid").unwrap_or(parent_tid) } else { parent.as_ref().map_or(ev.tid, |p| p.pid) };
    let image = image_from(ev, &t.image);
    t.image = Arc::new(image);
    apply_common(&mut t, ev);
    if res > 0 {
        // The parent's event carries the parent's memory and ids, not the child's.
        if let Some(p) = &parent {
            t.vmsize_kb = p.vmsize_kb;
            t.vmrss_kb = p.vmrss_kb;
            t.vtid = -1;
            t.vpid = -1;
        }
    }
    // A new process gets a copy of the parent's fd table (a thread shares it).
    if pid != parent.as_ref().map_or(-1, |p| p.pid) && !engine.fd_tables.contains_key(&pid) {
        if let Some(ppid) = parent.as_ref().map(|p| p.pid) {
            if let Some(table) = engine.fd_tables.get(&ppid).cloned() {
                engine.fd_tables.insert(pid, table);
            }
        }
    }
    engine.threads.insert(child_tid, t);
}

fn on_execve(engine: &mut Engine, ev: &EventRef, res: Option<i64>) {
    if res != Some(0) {
        return;
    }
    let t = engine.threads.get_mut(&ev.tid).unwrap();
    let image = image_from(ev, &t.image);
    t.image = Arc::new(image);
    apply_common(t, ev);
    if let Some(pid) = ev.param_index("pid").and_then(|i| ev.i64(i)) {
        t.pid = pid;
    }
    if let Some(ptid) = ev.param_index("ptid").and_then(|i| ev.i64(i)) {
        t.ptid = ptid;
    }
}

fn update_memory(engine: &mut Engine, ev: &EventRef) {
    if let Some(t) = engine.threads.get_mut(&ev.tid) {
        let u = |name: &str| ev.param_index(name).and_then(|i| ev.u64(i));
        if let Some(v) = u("vm_size") {
            t.vmsize_kb = v;
        }
        if let Some(v) = u("vm_rss") {
            t.vmrss_kb = v;
        }
    }
}

/// A procinfo sample: CPU ticks (1/100 s) since the previous sample of the thread, capped
/// at 100, as sysdig's `thread.cpu`; the thread's first sample gives 0.
fn procinfo(t: &mut Thread, ev: &EventRef) -> Option<f64> {
    let user = ev.u64(0)?;
    let system = ev.u64(1)?;
    let ticks = user + system;
    let pct = if t.last_cpu_ticks != 0 { (ticks.wrapping_sub(t.last_cpu_ticks) as f64).min(100.0) } else { 0.0 };
    t.last_cpu_ticks = ticks;
    Some(pct)
}

fn container_event(engine: &mut Engine, ev: &EventRef) {
    if is_json_container(ev) {
        let Some(json) = ev.str(0) else { return };
        match ContainerInfo::from_json(&json) {
            Ok(info) => engine.upsert_container(info),
            Err(e) => engine.note_metadata_error(format!("container event at ts {}: {e}", ev.ts)),
        }
    } else {
        // The oldest container event: id, type, name, image as parameters.
        let s = |i: usize| ev.str(i).map(|c| c.into_owned()).unwrap_or_default();
        let json = serde_json::json!({
            "container": { "id": s(0), "type": ev.u64(1).unwrap_or(0), "name": s(2), "image": s(3) }
        });
        match ContainerInfo::from_json(&json.to_string()) {
            Ok(info) => engine.upsert_container(info),
            Err(e) => engine.note_metadata_error(format!("container event at ts {}: {e}", ev.ts)),
        }
    }
}
