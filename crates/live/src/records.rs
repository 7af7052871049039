//! BPF records turned into scap events: for each traced syscall the enter and the exit
//! event sysdig's drivers write, with the same codes and parameters, so that the engine,
//! sysdig and kinsight's capture reader all see what a sysdig capture would hold.
//!
//! Event versions are the ones sysdig 0.29.3 reads (e.g. `accept4` as the 5-parameter
//! `ACCEPT4_5`, `dup2`/`dup3` as `dup`, `clone3` as `clone`); parameters appended by later
//! drivers are left out for the same reason. Facts the kernel record does not carry
//! (cwd, fd limit, memory, page faults of a new process; cgroup paths of cgroup ids) come
//! from /proc and the cgroup index.

use crate::event::EventBuf;
use kinsight_ebpf::record::{Record, RecordKind, Syscall};
use kinsight_host::{ppm, CgroupFs, CgroupIdIndex, ProcFs};
use kinsight_scap::table::code;
use std::time::{Duration, Instant};

/// Converts records, one at a time, into one or two events.
pub struct Converter {
    ev: EventBuf,
    /// Added to the kernel's monotonic timestamps to get wall-clock nanoseconds.
    mono_to_real_ns: i128,
    proc: ProcFs,
    cgroupfs: CgroupFs,
    pub cgroup_index: CgroupIdIndex,
    last_index_refresh: Instant,
}

/// CLOCK_MONOTONIC now, in nanoseconds (what `bpf_ktime_get_ns` returns).
fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Linux fcntl commands that return a copy of the fd, with their PPM values.
const F_DUPFD: u64 = 0;
const F_DUPFD_CLOEXEC: u64 = 1030;
const PPM_FCNTL_F_DUPFD: u8 = 1;
const PPM_FCNTL_F_DUPFD_CLOEXEC: u8 = 26;

impl Converter {
    pub fn new(proc: ProcFs, cgroupfs: CgroupFs) -> Converter {
        let cgroup_index = CgroupIdIndex::build(&cgroupfs);
        let mono_to_real_ns = crate::now_ns() as i128 - monotonic_ns() as i128;
        Converter { ev: EventBuf::new(), mono_to_real_ns, proc, cgroupfs, cgroup_index, last_index_refresh: Instant::now() }
    }

    fn real_ts(&self, mono: u64) -> u64 {
        (mono as i128 + self.mono_to_real_ns).max(0) as u64
    }

    /// The `subsys=path` entries of a cgroup id pair, walking the hierarchies again (at
    /// most every 100 ms) when an id is new.
    pub fn cgroup_entries(&mut self, v2: u64, v1_memory: u64) -> Vec<String> {
        if !self.cgroup_index.knows(v2, v1_memory) && self.last_index_refresh.elapsed() > Duration::from_millis(100) {
            self.cgroup_index.refresh(&self.cgroupfs);
            self.last_index_refresh = Instant::now();
        }
        self.cgroup_index.entries(v2, v1_memory)
    }

    /// Emits the events of one record through `emit` (enter first).
    pub fn convert(&mut self, r: &Record, emit: &mut dyn FnMut(&EventBuf)) {
        let ts_exit = self.real_ts(r.ts_exit);
        let ts_enter = if r.ts_enter != 0 && r.ts_enter <= r.ts_exit { self.real_ts(r.ts_enter) } else { ts_exit };
        let tid = r.tid as i64;
        let sc = match r.kind {
            RecordKind::ProcessExit => {
                let code_ = r.extra[0] as i64;
                // procexit: status, ret (exit status), sig (terminating signal), core.
                self.ev.begin(ts_exit, tid, code::PROCEXIT_1_E).i64(code_).i64((code_ >> 8) & 0xff).u8((code_ & 0x7f) as u8).u8(((code_ & 0x80) != 0) as u8);
                self.ev.finish();
                emit(&self.ev);
                return;
            }
            RecordKind::Syscall(sc) => sc,
        };
        let a = r.args;
        let fd = a[0] as i64;
        let res = r.ret;
        // Sizes are 32-bit parameters in the event table.
        let size32 = |v: u64| v.min(u32::MAX as u64) as u32;
        use Syscall::*;
        macro_rules! pair {
            ($e:expr, |$b:ident| $enter:block, |$x:ident| $exit:block) => {{
                let $b = self.ev.begin(ts_enter, tid, $e);
                $enter
                self.ev.finish();
                emit(&self.ev);
                let $x = self.ev.begin(ts_exit, tid, $e + 1);
                $exit
                self.ev.finish();
                emit(&self.ev);
            }};
        }
        match sc {
            Read => pair!(code::SYSCALL_READ_E, |b| { b.i64(fd).u32(size32(a[2])); }, |x| { x.i64(res).bytes(r.data); }),
            Write => pair!(code::SYSCALL_WRITE_E, |b| { b.i64(fd).u32(size32(a[2])); }, |x| { x.i64(res).bytes(r.data); }),
            Pread => pair!(code::SYSCALL_PREAD_E, |b| { b.i64(fd).u32(size32(a[2])).u64(a[3]); }, |x| { x.i64(res).bytes(r.data); }),
            Pwrite => pair!(code::SYSCALL_PWRITE_E, |b| { b.i64(fd).u32(size32(a[2])).u64(a[3]); }, |x| { x.i64(res).bytes(r.data); }),
            Readv => pair!(code::SYSCALL_READV_E, |b| { b.i64(fd); }, |x| { x.i64(res).u32(size32(res.max(0) as u64)).bytes(r.data); }),
            Writev => pair!(code::SYSCALL_WRITEV_E, |b| { b.i64(fd).u32(size32(res.max(0) as u64)); }, |x| { x.i64(res).bytes(r.data); }),
            Preadv => pair!(code::SYSCALL_PREADV_E, |b| { b.i64(fd).u64(a[3]); }, |x| { x.i64(res).u32(size32(res.max(0) as u64)).bytes(r.data); }),
            Pwritev => pair!(code::SYSCALL_PWRITEV_E, |b| { b.i64(fd).u32(size32(res.max(0) as u64)).u64(a[3]); }, |x| { x.i64(res).bytes(r.data); }),
            Sendto => pair!(code::SOCKET_SENDTO_E, |b| { b.i64(fd).u32(size32(a[2])).bytes(r.aux1); }, |x| { x.i64(res).bytes(r.data); }),
            Recvfrom => pair!(code::SOCKET_RECVFROM_E, |b| { b.i64(fd).u32(size32(a[2])); }, |x| { x.i64(res).bytes(r.data).bytes(r.aux1); }),
            Sendmsg => pair!(code::SOCKET_SENDMSG_E, |b| { b.i64(fd).u32(size32(res.max(0) as u64)).bytes(r.aux1); }, |x| { x.i64(res).bytes(r.data); }),
            Recvmsg => pair!(code::SOCKET_RECVMSG_E, |b| { b.i64(fd); }, |x| { x.i64(res).u32(size32(res.max(0) as u64)).bytes(r.data).bytes(r.aux1); }),
            Sendfile => pair!(code::SYSCALL_SENDFILE_E, |b| { b.i64(fd).i64(a[1] as i64).u64(r.extra[0]).u64(a[3]); }, |x| { x.i64(res).u64(r.extra[0]); }),
            Open | Creat => {
                let flags = ppm::open_flags(r.extra[0]);
                let mode = r.extra[1] as u32;
                pair!(code::SYSCALL_OPEN_E, |b| { b.str_bytes(r.aux1).u32(flags).u32(mode); },
                    |x| { x.i64(res).str_bytes(r.aux1).u32(flags).u32(mode).u32(r.extra[3] as u32); })
            }
            Openat | Openat2 => {
                let flags = ppm::open_flags(r.extra[0]);
                let mode = r.extra[1] as u32;
                let dirfd = a[0] as i32 as i64;
                pair!(code::SYSCALL_OPENAT_2_E, |b| { b.i64(dirfd).str_bytes(r.aux1).u32(flags).u32(mode); },
                    |x| { x.i64(res).i64(dirfd).str_bytes(r.aux1).u32(flags).u32(mode).u32(r.extra[3] as u32); })
            }
            Close => pair!(code::SYSCALL_CLOSE_E, |b| { b.i64(fd); }, |x| { x.i64(res); }),
            Socket => pair!(code::SOCKET_SOCKET_E, |b| { b.u32(a[0] as u32).u32(a[1] as u32).u32(a[2] as u32); }, |x| { x.i64(res); }),
            Connect => pair!(code::SOCKET_CONNECT_E, |b| { b.i64(fd).bytes(r.aux1); }, |x| { x.i64(res).bytes(r.aux2); }),
            Accept => pair!(code::SOCKET_ACCEPT_5_E, |_b| {}, |x| { x.i64(res).bytes(r.aux1).u8(0).u32(0).u32(0); }),
            Accept4 => pair!(code::SOCKET_ACCEPT4_5_E, |b| { b.i32(a[3] as i32); }, |x| { x.i64(res).bytes(r.aux1).u8(0).u32(0).u32(0); }),
            Bind => pair!(code::SOCKET_BIND_E, |b| { b.i64(fd); }, |x| { x.i64(res).bytes(r.aux1); }),
            Listen => pair!(code::SOCKET_LISTEN_E, |b| { b.i64(fd).i32(a[1] as i32); }, |x| { x.i64(res); }),
            Dup | Dup2 | Dup3 => pair!(code::SYSCALL_DUP_E, |b| { b.i64(fd); }, |x| { x.i64(res); }),
            Fcntl => {
                // Only the commands that create an fd change state; the others are left out.
                let cmd = match a[1] {
                    F_DUPFD => PPM_FCNTL_F_DUPFD,
                    F_DUPFD_CLOEXEC => PPM_FCNTL_F_DUPFD_CLOEXEC,
                    _ => return,
                };
                pair!(code::SYSCALL_FCNTL_E, |b| { b.i64(fd).u8(cmd); }, |x| { x.i64(res); })
            }
            Pipe | Pipe2 => pair!(code::SYSCALL_PIPE_E, |_b| {}, |x| { x.i64(res).i64(r.extra[0] as i64).i64(r.extra[1] as i64).u64(r.extra[2]); }),
            Chdir => pair!(code::SYSCALL_CHDIR_E, |_b| {}, |x| { x.i64(res).str_bytes(r.aux1); }),
            Fchdir => pair!(code::SYSCALL_FCHDIR_E, |b| { b.i64(fd); }, |x| { x.i64(res); }),
            Clone | Clone3 | Fork | Vfork => {
                let etype = match sc {
                    Fork => code::SYSCALL_FORK_20_E,
                    Vfork => code::SYSCALL_VFORK_20_E,
                    _ => code::SYSCALL_CLONE_20_E,
                };
                let p = self.process_params(r);
                let cgroups = self.cgroup_entries(r.cgroup_v2, r.cgroup_v1_memory).join("\0").into_bytes();
                let mut flags = ppm::clone_flags(r.extra[3]);
                if p.vtid != tid {
                    flags |= ppm::clone::CHILD_IN_PIDNS;
                }
                pair!(etype, |_b| {}, |x| {
                    x.i64(res).str_bytes(&p.exe).bytes(&p.args).i64(tid).i64(r.pid as i64).i64(r.extra[0] as i64)
                        .str(&p.cwd).i64(p.fdlimit as i64).u64(p.pgft_maj).u64(p.pgft_min)
                        .u32(p.vm_size_kb).u32(p.vm_rss_kb).u32(p.vm_swap_kb).str_bytes(&p.comm)
                        .bytes(&nul_terminated(&cgroups)).u32(flags).u32(p.uid).u32(p.gid).i64(p.vtid).i64(p.vpid);
                })
            }
            Execve | Execveat => {
                let p = self.process_params(r);
                let cgroups = self.cgroup_entries(r.cgroup_v2, r.cgroup_v1_memory).join("\0").into_bytes();
                pair!(code::SYSCALL_EXECVE_19_E, |b| { b.str_bytes(&p.exe); }, |x| {
                    x.i64(res).str_bytes(&p.exe).bytes(&p.args).i64(tid).i64(r.pid as i64).i64(r.extra[0] as i64)
                        .str(&p.cwd).u64(p.fdlimit).u64(p.pgft_maj).u64(p.pgft_min)
                        .u32(p.vm_size_kb).u32(p.vm_rss_kb).u32(p.vm_swap_kb).str_bytes(&p.comm)
                        .bytes(&nul_terminated(&cgroups)).bytes(&[]).u32(0).i64(p.pgid).u32(p.loginuid);
                })
            }
        }
    }

    /// What a clone or execve exit event says about the process: from the record (argument
    /// list, command name, ids, credentials) and from /proc (the rest).
    fn process_params(&self, r: &Record) -> ProcessParams {
        let (exe, args) = match r.data.iter().position(|&b| b == 0) {
            Some(i) => (r.data[..i].to_vec(), r.data[i + 1..].to_vec()),
            None => (r.data.to_vec(), Vec::new()),
        };
        let comm_end = r.aux2.iter().position(|&b| b == 0).unwrap_or(r.aux2.len());
        let mut p = ProcessParams {
            exe,
            args,
            comm: r.aux2[..comm_end].to_vec(),
            cwd: String::new(),
            fdlimit: 0,
            pgft_maj: 0,
            pgft_min: 0,
            vm_size_kb: 0,
            vm_rss_kb: 0,
            vm_swap_kb: 0,
            uid: (r.extra[2] >> 32) as u32,
            gid: r.extra[2] as u32,
            vtid: (r.extra[1] >> 32) as i64,
            vpid: (r.extra[1] & 0xffff_ffff) as i64,
            pgid: 0,
            loginuid: u32::MAX,
        };
        if p.vtid == 0 {
            p.vtid = r.tid as i64;
        }
        if p.vpid == 0 {
            p.vpid = r.pid as i64;
        }
        // The process may be gone already (short-lived): then these stay empty.
        let (pid, tid) = (r.pid as i64, r.tid as i64);
        let dir = self.proc.root().join(pid.to_string());
        if let Ok(cwd) = std::fs::read_link(dir.join("cwd")) {
            let mut c = cwd.to_string_lossy().into_owned();
            if !c.ends_with('/') {
                c.push('/');
            }
            p.cwd = c;
        }
        if let Ok(t) = std::fs::read_to_string(dir.join("limits")) {
            p.fdlimit = kinsight_host::procfs::parse_fd_limit(&t);
        }
        if let Ok(t) = std::fs::read_to_string(dir.join("task").join(tid.to_string()).join("stat")) {
            if let Some(s) = kinsight_host::procfs::parse_stat(&t) {
                p.pgft_maj = s.majflt;
                p.pgft_min = s.minflt;
                p.pgid = s.pgrp;
            }
        }
        if let Ok(t) = std::fs::read_to_string(dir.join("status")) {
            let s = kinsight_host::procfs::parse_status(&t);
            p.vm_size_kb = s.vmsize_kb as u32;
            p.vm_rss_kb = s.vmrss_kb as u32;
            p.vm_swap_kb = s.vmswap_kb as u32;
        }
        if let Some(l) = std::fs::read_to_string(dir.join("loginuid")).ok().and_then(|t| t.trim().parse().ok()) {
            p.loginuid = l;
        }
        p
    }
}

struct ProcessParams {
    exe: Vec<u8>,
    args: Vec<u8>,
    comm: Vec<u8>,
    cwd: String,
    fdlimit: u64,
    pgft_maj: u64,
    pgft_min: u64,
    vm_size_kb: u32,
    vm_rss_kb: u32,
    vm_swap_kb: u32,
    uid: u32,
    gid: u32,
    vtid: i64,
    vpid: i64,
    pgid: i64,
    loginuid: u32,
}

/// String arrays end with a NUL after their last string.
fn nul_terminated(b: &[u8]) -> Vec<u8> {
    let mut v = b.to_vec();
    if !v.is_empty() && v.last() != Some(&0) {
        v.push(0);
    }
    v
}
