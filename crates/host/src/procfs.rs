//! Processes, threads and open fds from `/proc`, as the scap initial-state types sysdig
//! writes at the start of a capture (process list, one fd list per process).
//!
//! Processes come and go while we read: any file that cannot be read (ENOENT, ESRCH,
//! EACCES...) makes us skip that thread, fd or process and count it, never fail the scan.

use crate::net::{SocketEntry, SocketTable};
use crate::ppm;
use kinsight_scap::{FdDetail, FdInfo, FdKind, FdList, ThreadInfo};
use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// What a scan reads beyond the basics.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// Read each process's open fds (with socket tuples).
    pub fds: bool,
    /// Read each process's environment.
    pub env: bool,
    /// Longest argument and environment lists kept, in bytes (sysdig's readers reject
    /// process lists with longer ones).
    pub max_args_len: usize,
    /// A process to leave out (kinsight itself, whose own activity is noise).
    pub skip_pid: Option<i64>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions { fds: true, env: true, max_args_len: MAX_ARGS_LEN, skip_pid: None }
    }
}

/// Limits of libscap's process list reader (`SCAP_MAX_PATH_SIZE`, `SCAP_MAX_ARGS_SIZE`,
/// ...): longer fields make sysdig reject the whole capture, so they are cut, as
/// sysdig's own /proc scan cuts them.
pub const MAX_PATH_LEN: usize = 1023;
pub const MAX_ARGS_LEN: usize = 4095;
pub const MAX_COMM_LEN: usize = 15;

/// Cuts a string to at most `max` bytes at a character boundary.
pub fn cut(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

/// The initial state of a host.
#[derive(Clone, Debug, Default)]
pub struct HostScan {
    /// Every thread of every process (main thread first within a process).
    pub threads: Vec<ThreadInfo>,
    /// The open fds of each process (keyed by its pid in `FdList::tid`).
    pub fd_lists: Vec<FdList>,
    /// Processes that vanished or could not be read during the scan.
    pub skipped_processes: u64,
}

/// The fields of `/proc/<pid>/stat` (or `task/<tid>/stat`) we use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stat {
    pub pid: i64,
    pub comm: String,
    pub state: char,
    pub ppid: i64,
    pub pgrp: i64,
    pub session: i64,
    pub minflt: u64,
    pub majflt: u64,
    /// User and system CPU time in clock ticks.
    pub utime: u64,
    pub stime: u64,
    pub num_threads: u64,
    /// Start time in clock ticks since boot.
    pub starttime: u64,
    pub vsize_bytes: u64,
    pub rss_pages: u64,
}

/// Parses a stat line. The command name is in parentheses and may itself contain spaces
/// and parentheses, so the fields after it are found from the last `)`.
pub fn parse_stat(text: &str) -> Option<Stat> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    if close < open {
        return None;
    }
    let pid = text[..open].trim().parse().ok()?;
    let comm = text[open + 1..close].to_string();
    let f: Vec<&str> = text[close + 1..].split_whitespace().collect();
    if f.len() < 22 {
        return None;
    }
    let n = |i: usize| f[i].parse::<u64>().ok();
    let i = |i: usize| f[i].parse::<i64>().ok();
    Some(Stat {
        pid,
        comm,
        state: f[0].chars().next()?,
        ppid: i(1)?,
        pgrp: i(2)?,
        session: i(3)?,
        minflt: n(7)?,
        majflt: n(9)?,
        utime: n(11)?,
        stime: n(12)?,
        num_threads: n(17)?,
        starttime: n(19)?,
        vsize_bytes: n(20)?,
        rss_pages: n(21)?,
    })
}

/// The fields of `/proc/<pid>/status` we use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Status {
    pub tgid: i64,
    pub ppid: i64,
    pub uid: u32,
    pub gid: u32,
    pub vmsize_kb: u64,
    pub vmrss_kb: u64,
    pub vmswap_kb: u64,
    /// The thread and process ids in the innermost pid namespace (`NSpid`, `NStgid`).
    pub ns_tid: Option<i64>,
    pub ns_tgid: Option<i64>,
}

pub fn parse_status(text: &str) -> Status {
    let mut s = Status::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else { continue };
        let mut words = value.split_whitespace();
        let first = || value.split_whitespace().next().and_then(|w| w.parse::<u64>().ok()).unwrap_or(0);
        let last = || value.split_whitespace().last().and_then(|w| w.parse::<i64>().ok());
        match key {
            "Tgid" => s.tgid = first() as i64,
            "PPid" => s.ppid = first() as i64,
            // Real, effective, saved, fs: sysdig reports the effective ids.
            "Uid" => s.uid = words.nth(1).and_then(|w| w.parse().ok()).unwrap_or(0),
            "Gid" => s.gid = words.nth(1).and_then(|w| w.parse().ok()).unwrap_or(0),
            "VmSize" => s.vmsize_kb = first(),
            "VmRSS" => s.vmrss_kb = first(),
            "VmSwap" => s.vmswap_kb = first(),
            "NSpid" => s.ns_tid = last(),
            "NStgid" => s.ns_tgid = last(),
            _ => {}
        }
    }
    s
}

/// The soft "Max open files" limit of `/proc/<pid>/limits` (0 when unlimited or unknown).
pub fn parse_fd_limit(text: &str) -> u64 {
    text.lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l["Max open files".len()..].split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Splits a NUL-separated command line into the executable (`argv[0]`) and the arguments,
/// NUL-separated as scap lists carry them, at most `max` bytes of them.
pub fn split_cmdline(raw: &[u8], max: usize) -> (String, Vec<u8>) {
    let raw = raw.strip_suffix(&[0]).unwrap_or(raw);
    let (exe, args) = match raw.iter().position(|&b| b == 0) {
        Some(i) => (&raw[..i], &raw[i + 1..]),
        None => (raw, &raw[raw.len()..]),
    };
    // Room for the final NUL within `max`.
    let mut args = args[..args.len().min(max.saturating_sub(1))].to_vec();
    if !args.is_empty() {
        args.push(0);
    }
    (String::from_utf8_lossy(exe).into_owned(), args)
}

/// A `/proc` tree: the real one, or a synthetic one in tests.
#[derive(Clone, Debug)]
pub struct ProcFs {
    root: PathBuf,
}

/// The CPU time and memory of one thread, sampled from its stat file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadSample {
    pub tid: i64,
    pub pid: i64,
    /// User and system CPU time in clock ticks (sysdig's procinfo carries these).
    pub utime: u64,
    pub stime: u64,
    pub vsize_kb: u64,
    pub rss_kb: u64,
}

impl ProcFs {
    pub fn new(root: impl Into<PathBuf>) -> ProcFs {
        ProcFs { root: root.into() }
    }

    /// The host's `/proc`.
    pub fn system() -> ProcFs {
        ProcFs::new("/proc")
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Numeric entries of a directory (pids in `/proc`, tids in `task`), sorted.
    fn numeric_entries(dir: &Path) -> Vec<i64> {
        let mut out: Vec<i64> = match std::fs::read_dir(dir) {
            Ok(rd) => rd.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect(),
            Err(_) => Vec::new(),
        };
        out.sort_unstable();
        out
    }

    /// Every process id.
    pub fn pids(&self) -> Vec<i64> {
        Self::numeric_entries(&self.root)
    }

    /// The threads of a process (empty if it is gone).
    pub fn tids(&self, pid: i64) -> Vec<i64> {
        Self::numeric_entries(&self.pid_dir(pid).join("task"))
    }

    fn pid_dir(&self, pid: i64) -> PathBuf {
        self.root.join(pid.to_string())
    }

    fn task_dir(&self, pid: i64, tid: i64) -> PathBuf {
        self.pid_dir(pid).join("task").join(tid.to_string())
    }

    fn read_string(path: &Path) -> Option<String> {
        std::fs::read(path).ok().map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    fn read_link(path: &Path) -> Option<String> {
        std::fs::read_link(path).ok().map(|p| p.to_string_lossy().into_owned())
    }

    /// The raw `/proc/<pid>/cgroup` text.
    pub fn cgroup_text(&self, pid: i64) -> Option<String> {
        Self::read_string(&self.pid_dir(pid).join("cgroup"))
    }

    /// The inode of the process's network namespace (`/proc/<pid>/ns/net` → `net:[ino]`).
    pub fn netns(&self, pid: i64) -> Option<u64> {
        let link = Self::read_link(&self.pid_dir(pid).join("ns/net"))?;
        link.strip_prefix("net:[")?.strip_suffix(']')?.parse().ok()
    }

    /// The directory holding a process's view of the network (`/proc/<pid>/net`).
    pub fn net_dir(&self, pid: i64) -> PathBuf {
        self.pid_dir(pid).join("net")
    }

    /// A thread's CPU ticks and memory, or None if it is gone.
    pub fn thread_sample(&self, pid: i64, tid: i64) -> Option<ThreadSample> {
        let stat = parse_stat(&Self::read_string(&self.task_dir(pid, tid).join("stat"))?)?;
        Some(ThreadSample {
            tid,
            pid,
            utime: stat.utime,
            stime: stat.stime,
            vsize_kb: stat.vsize_bytes / 1024,
            rss_kb: stat.rss_pages * page_size() / 1024,
        })
    }

    /// Samples every thread of the host (for procinfo events and memory refreshes).
    pub fn sample_all(&self, skip_pid: Option<i64>) -> Vec<ThreadSample> {
        let mut out = Vec::new();
        for pid in self.pids() {
            if Some(pid) == skip_pid {
                continue;
            }
            for tid in self.tids(pid) {
                if let Some(s) = self.thread_sample(pid, tid) {
                    out.push(s);
                }
            }
        }
        out
    }

    /// Reads every process of the host.
    pub fn scan(&self, opts: &ScanOptions) -> HostScan {
        let mut scan = HostScan::default();
        let mut sockets: HashMap<u64, SocketTable> = HashMap::new();
        for pid in self.pids() {
            if Some(pid) == opts.skip_pid {
                continue;
            }
            match self.read_process(pid, opts, &mut sockets) {
                Some((threads, fds)) => {
                    scan.threads.extend(threads);
                    if let Some(fds) = fds {
                        scan.fd_lists.push(fds);
                    }
                }
                None => scan.skipped_processes += 1,
            }
        }
        scan
    }

    /// Reads one process: its threads and (optionally) its fds. None if it vanished.
    pub fn read_process(
        &self,
        pid: i64,
        opts: &ScanOptions,
        sockets: &mut HashMap<u64, SocketTable>,
    ) -> Option<(Vec<ThreadInfo>, Option<FdList>)> {
        let dir = self.pid_dir(pid);
        let stat = parse_stat(&Self::read_string(&dir.join("stat"))?)?;
        let status = parse_status(&Self::read_string(&dir.join("status"))?);
        // Kernel threads have an empty command line; sysdig lists them with their comm.
        let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
        let (mut exe, args) = split_cmdline(&cmdline, opts.max_args_len);
        if exe.is_empty() {
            exe = stat.comm.clone();
        }
        let env = if opts.env {
            let raw = std::fs::read(dir.join("environ")).unwrap_or_default();
            raw[..raw.len().min(opts.max_args_len)].to_vec()
        } else {
            Vec::new()
        };
        let exepath = Self::read_link(&dir.join("exe")).unwrap_or_default();
        let cwd = Self::read_link(&dir.join("cwd")).map(|c| with_trailing_slash(&c)).unwrap_or_default();
        let root = Self::read_link(&dir.join("root")).unwrap_or_default();
        let fdlimit = Self::read_string(&dir.join("limits")).map_or(0, |t| parse_fd_limit(&t));
        let loginuid = Self::read_string(&dir.join("loginuid")).and_then(|t| t.trim().parse::<u32>().ok());
        let cgroups = self.cgroup_text(pid).map_or(Vec::new(), |t| cgroup_entries_bytes(&t));

        let mut base = ThreadInfo {
            tid: pid,
            pid,
            ptid: stat.ppid,
            sid: stat.session,
            vpgid: stat.pgrp,
            comm: stat.comm.clone(),
            exe,
            exepath,
            args,
            cwd,
            fdlimit,
            flags: 0,
            uid: status.uid,
            gid: status.gid,
            vmsize_kb: status.vmsize_kb as u32,
            vmrss_kb: status.vmrss_kb as u32,
            vmswap_kb: status.vmswap_kb as u32,
            pfmajor: stat.majflt,
            pfminor: stat.minflt,
            env,
            vtid: status.ns_tid.unwrap_or(pid),
            vpid: status.ns_tgid.unwrap_or(pid),
            cgroups,
            root,
            loginuid,
        };
        for field in [&mut base.exe, &mut base.exepath, &mut base.cwd, &mut base.root] {
            cut(field, MAX_PATH_LEN);
        }
        cut(&mut base.comm, MAX_COMM_LEN);
        base.cgroups.truncate(MAX_ARGS_LEN);
        let mut threads = vec![];
        let mut tids = self.tids(pid);
        if tids.is_empty() {
            tids.push(pid);
        }
        // The main thread first: readers create the process from it.
        tids.sort_by_key(|&t| (t != pid, t));
        for tid in tids {
            if tid == pid {
                threads.push(base.clone());
                continue;
            }
            let tdir = self.task_dir(pid, tid);
            let Some(tstat) = Self::read_string(&tdir.join("stat")).and_then(|t| parse_stat(&t)) else {
                continue; // the thread exited meanwhile
            };
            let tstatus = Self::read_string(&tdir.join("status")).map(|t| parse_status(&t)).unwrap_or_default();
            let mut t = base.clone();
            t.tid = tid;
            t.comm = tstat.comm;
            cut(&mut t.comm, MAX_COMM_LEN);
            t.pfmajor = tstat.majflt;
            t.pfminor = tstat.minflt;
            t.vtid = tstatus.ns_tid.unwrap_or(tid);
            t.flags = ppm::clone::THREAD | ppm::clone::FILES | ppm::clone::VM | ppm::clone::FS | ppm::clone::SIGHAND;
            threads.push(t);
        }
        let fds = opts.fds.then(|| self.read_fds(pid, sockets));
        Some((threads, fds))
    }

    /// The open fds of a process. Socket fds are resolved against the socket tables of
    /// the process's network namespace, read once per namespace.
    pub fn read_fds(&self, pid: i64, sockets: &mut HashMap<u64, SocketTable>) -> FdList {
        let dir = self.pid_dir(pid).join("fd");
        let mut fds = Vec::new();
        let Ok(rd) = std::fs::read_dir(&dir) else { return FdList { tid: pid, fds } };
        let mut entries: Vec<(i64, PathBuf)> = rd
            .filter_map(|e| {
                let e = e.ok()?;
                let fd = e.file_name().to_str()?.parse().ok()?;
                Some((fd, e.path()))
            })
            .collect();
        entries.sort_unstable_by_key(|(fd, _)| *fd);
        // The process's network namespace, its socket table read once per namespace (and
        // once more if a socket is missing: it may be newer than the table).
        let mut netns: Option<u64> = None;
        let mut refreshed = false;
        for (fd, path) in entries {
            let Ok(target) = std::fs::read_link(&path) else { continue };
            let target_bytes = target.as_os_str().as_bytes();
            if let Some(ino) = bracketed(target_bytes, b"socket:[") {
                let ns = *netns.get_or_insert_with(|| self.netns(pid).unwrap_or(0));
                let net_dir = self.net_dir(pid);
                let mut known = sockets.entry(ns).or_insert_with(|| SocketTable::read(&net_dir)).get(ino).is_some();
                if !known && !refreshed {
                    refreshed = true;
                    sockets.insert(ns, SocketTable::read(&net_dir));
                    known = sockets[&ns].get(ino).is_some();
                }
                let entry = if known { sockets[&ns].get(ino) } else { None };
                if let Some(info) = socket_fd(fd, ino, entry) {
                    fds.push(info);
                }
                continue;
            }
            if let Some(mut info) = self.other_fd(pid, fd, &path, target.as_os_str()) {
                match &mut info.detail {
                    FdDetail::Name(n) | FdDetail::File { name: n, .. } => cut(n, MAX_PATH_LEN),
                    _ => {}
                }
                fds.push(info);
            }
        }
        FdList { tid: pid, fds }
    }

    fn other_fd(&self, pid: i64, fd: i64, link: &Path, target: &OsStr) -> Option<FdInfo> {
        let text = target.to_string_lossy().into_owned();
        let bytes = target.as_bytes();
        if let Some(ino) = bracketed(bytes, b"pipe:[") {
            return Some(FdInfo { fd, ino, kind: FdKind::Fifo, detail: FdDetail::Name(text) });
        }
        if let Some(rest) = text.strip_prefix("anon_inode:") {
            // Kinds newer than the fd lists sysdig 0.29.3 reads (bpf, userfaultfd,
            // io_uring, pidfd: types 17-21) would make it reject the whole capture; they
            // are listed as "unsupported", with their name.
            let kind = match rest.trim_start_matches('[').trim_end_matches(']') {
                "eventfd" => FdKind::Event,
                "eventpoll" => FdKind::EventPoll,
                "inotify" => FdKind::Inotify,
                "signalfd" => FdKind::SignalFd,
                "timerfd" => FdKind::TimerFd,
                _ => FdKind::Unsupported,
            };
            return Some(FdInfo { fd, ino: 0, kind, detail: FdDetail::Name(text) });
        }
        // Everything else names a file system object: stat it through the fd link.
        let meta = std::fs::metadata(link).ok();
        let ino = meta.as_ref().map_or(0, |m| m.ino());
        if meta.as_ref().is_some_and(|m| m.is_dir()) {
            return Some(FdInfo { fd, ino, kind: FdKind::Directory, detail: FdDetail::Name(text) });
        }
        let linux_flags = Self::read_string(&self.pid_dir(pid).join("fdinfo").join(fd.to_string()))
            .and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("flags:"))
                    .and_then(|v| u64::from_str_radix(v.trim(), 8).ok())
            })
            .unwrap_or(0);
        Some(FdInfo {
            fd,
            ino,
            kind: FdKind::FileV2,
            detail: FdDetail::File { open_flags: ppm::open_flags(linux_flags), name: text },
        })
    }
}

/// `prefix<digits>]` → the number.
fn bracketed(s: &[u8], prefix: &[u8]) -> Option<u64> {
    let rest = s.strip_prefix(prefix)?.strip_suffix(b"]")?;
    std::str::from_utf8(rest).ok()?.parse().ok()
}

/// An fd list entry for a socket, from its socket table row when there is one.
fn socket_fd(fd: i64, ino: u64, entry: Option<&SocketEntry>) -> Option<FdInfo> {
    use std::net::IpAddr;
    let v6 = |ip: IpAddr| match ip {
        IpAddr::V6(a) => a.octets(),
        IpAddr::V4(a) => a.to_ipv6_mapped().octets(),
    };
    let (kind, detail) = match entry {
        Some(SocketEntry::Inet(s)) => match (s.local, s.remote, s.is_server()) {
            (IpAddr::V4(l), _, true) => {
                (FdKind::Ipv4ServSock, FdDetail::Ipv4Server { ip: l.octets(), port: s.local_port, l4proto: s.l4proto })
            }
            (IpAddr::V4(l), IpAddr::V4(r), false) => (
                FdKind::Ipv4Sock,
                FdDetail::Ipv4 { sip: l.octets(), dip: r.octets(), sport: s.local_port, dport: s.remote_port, l4proto: s.l4proto },
            ),
            (l, _, true) => {
                (FdKind::Ipv6ServSock, FdDetail::Ipv6Server { ip: v6(l), port: s.local_port, l4proto: s.l4proto })
            }
            (l, r, false) => (
                FdKind::Ipv6Sock,
                FdDetail::Ipv6 { sip: v6(l), dip: v6(r), sport: s.local_port, dport: s.remote_port, l4proto: s.l4proto },
            ),
        },
        Some(SocketEntry::Unix { source, path }) => {
            (FdKind::UnixSock, FdDetail::Unix { source: *source, dest: 0, path: path.clone() })
        }
        Some(SocketEntry::Netlink) => (FdKind::Netlink, FdDetail::Name(String::new())),
        // A socket of a family we do not list (packet, vsock...) or one created after the
        // tables were read.
        None => (FdKind::Unsupported, FdDetail::Name(format!("socket:[{ino}]"))),
    };
    Some(FdInfo { fd, ino, kind, detail })
}

/// The `subsys=path` entries of a `/proc/<pid>/cgroup` text, NUL-separated.
pub fn cgroup_entries_bytes(proc_cgroup: &str) -> Vec<u8> {
    let lines = kinsight_cgroup::parse_proc_cgroup(proc_cgroup);
    let mut out = Vec::new();
    for e in kinsight_cgroup::scap_entries(&lines) {
        out.extend_from_slice(e.as_bytes());
        out.push(0);
    }
    out
}

/// sysdig writes directories with a trailing slash (`proc.cwd`).
fn with_trailing_slash(p: &str) -> String {
    if p.ends_with('/') {
        p.to_string()
    } else {
        format!("{p}/")
    }
}

/// The size of a memory page in bytes.
pub fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let v = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if v > 0 {
        v as u64
    } else {
        4096
    }
}

/// Clock ticks per second (the unit of stat's CPU times).
pub fn clock_ticks_per_sec() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let v = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if v > 0 {
        v as u64
    } else {
        100
    }
}
