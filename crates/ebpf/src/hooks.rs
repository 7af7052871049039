//! Which kernel hooks aggregated mode counts its bytes with, chosen per kernel.
//!
//! Kernels differ: the socket tracepoints exist from 6.3, fexit is refused on some VMs and
//! allowed on stock distribution kernels, the socket-storage iterator loads on one 6.18 VM
//! and is refused (EPERM) on the next. So at start each optional hook is tried alone, as a
//! tiny program of `bpf/probe.bpf.c` (milliseconds in all), and the plan takes, per
//! feature, the cheapest hook that loaded:
//! - file bytes: fexit on the vfs read/write functions, else the syscall exit;
//! - socket bytes: fexit on the protocols' send/receive functions, else the socket
//!   tracepoints, else the syscall exit (from the fd's socket);
//! - bytes of connections still open: kept in socket storage and moved by an iterator at
//!   each reading, else added to the connection map on every call;
//! - processes: the syscall exit when it is attached anyway, else sched_process_exec.
//!
//! A hook that probed fine can still be refused once it is part of the real programs (a
//! verifier limit); the loader then drops it for the next choice and loads again
//! ([`HookPlan::without`]).

use std::fmt;

/// A hook the plan can choose or leave out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hook {
    /// fexit on vfs_read, vfs_write, vfs_readv and vfs_writev.
    FexitVfs,
    /// fexit on tcp_sendmsg, tcp_recvmsg, udp_sendmsg, udp_recvmsg, udpv6_sendmsg,
    /// udpv6_recvmsg.
    FexitSockets,
    /// The tracepoints sock:sock_send_length and sock:sock_recv_length (6.3+).
    SockTracepoints,
    /// The iterator over socket storage that moves open connections' bytes.
    SockStorageIter,
}

impl Hook {
    pub const ALL: [Hook; 4] = [Hook::FexitVfs, Hook::FexitSockets, Hook::SockTracepoints, Hook::SockStorageIter];

    /// The name users give in `KINSIGHT_BPF_AVOID`.
    pub fn name(self) -> &'static str {
        match self {
            Hook::FexitVfs => "fexit-vfs",
            Hook::FexitSockets => "fexit-sockets",
            Hook::SockTracepoints => "sock-tracepoints",
            Hook::SockStorageIter => "sock-iterator",
        }
    }

    /// What the hook is, for a person.
    pub fn describe(self) -> &'static str {
        match self {
            Hook::FexitVfs => "fexit on vfs_read/vfs_write",
            Hook::FexitSockets => "fexit on tcp/udp sendmsg/recvmsg",
            Hook::SockTracepoints => "the sock_send_length/sock_recv_length tracepoints",
            Hook::SockStorageIter => "the socket-storage iterator",
        }
    }

    /// The probe programs that must load (and attach) for the hook to be usable.
    pub(crate) fn probes(self) -> &'static [&'static str] {
        match self {
            Hook::FexitVfs => &["probe_fexit_vfs_read", "probe_fexit_vfs_write", "probe_fexit_vfs_readv", "probe_fexit_vfs_writev"],
            Hook::FexitSockets => &[
                "probe_fexit_tcp_sendmsg",
                "probe_fexit_tcp_recvmsg",
                "probe_fexit_udp_sendmsg",
                "probe_fexit_udp_recvmsg",
                "probe_fexit_udpv6_sendmsg",
                "probe_fexit_udpv6_recvmsg",
            ],
            Hook::SockTracepoints => &["probe_sock_send_length", "probe_sock_recv_length"],
            Hook::SockStorageIter => &["probe_iter_sk_storage"],
        }
    }

    /// The hook a program of the real object belongs to, if it is an optional one.
    pub(crate) fn of_program(program: &str) -> Option<Hook> {
        match program {
            "ks_fexit_vfs_read" | "ks_fexit_vfs_write" | "ks_fexit_vfs_readv" | "ks_fexit_vfs_writev" => Some(Hook::FexitVfs),
            p if p.starts_with("ks_fexit_") => Some(Hook::FexitSockets),
            "ks_sock_send" | "ks_sock_recv" => Some(Hook::SockTracepoints),
            "ks_flush_sockets" => Some(Hook::SockStorageIter),
            _ => None,
        }
    }

    /// Parses a comma-separated list of hook names (`KINSIGHT_BPF_AVOID`).
    pub fn parse_list(list: &str) -> Result<Vec<Hook>, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|name| {
                Hook::ALL.into_iter().find(|h| h.name() == name).ok_or_else(|| {
                    let known: Vec<&str> = Hook::ALL.iter().map(|h| h.name()).collect();
                    format!("unknown hook `{name}` (known: {})", known.join(", "))
                })
            })
            .collect()
    }
}

/// Where aggregated mode counts file bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileHook {
    SyscallExit,
    Fexit,
}

/// Where aggregated mode counts socket bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetHook {
    Fexit,
    SockTracepoints,
    SyscallExit,
}

/// How the bytes of connections still open reach the map user space reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenConnections {
    /// Kept in socket storage; an iterator moves them at each reading (the cheapest per call).
    Iterator,
    /// Added to the connection map on every call.
    EveryCall,
}

/// Why a hook is not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeftOut {
    pub hook: Hook,
    pub why: String,
}

/// The hooks aggregated mode uses on this kernel, and those it left out with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HookPlan {
    pub file: FileHook,
    pub net: NetHook,
    pub open_connections: OpenConnections,
    pub left_out: Vec<LeftOut>,
}

impl HookPlan {
    /// The cheapest plan from what is available: `unavailable` lists each hook that cannot
    /// be used, with the reason.
    pub fn choose(unavailable: &[LeftOut]) -> HookPlan {
        let ok = |h: Hook| !unavailable.iter().any(|l| l.hook == h);
        let net = if ok(Hook::FexitSockets) {
            NetHook::Fexit
        } else if ok(Hook::SockTracepoints) {
            NetHook::SockTracepoints
        } else {
            NetHook::SyscallExit
        };
        // With socket bytes at the syscall exit, that tracepoint runs on every call anyway
        // and counting file bytes there adds next to nothing: cheaper than a second hook.
        let file = if ok(Hook::FexitVfs) && net != NetHook::SyscallExit { FileHook::Fexit } else { FileHook::SyscallExit };
        // At the syscall exit the socket is read through helpers, which socket storage
        // does not accept: those bytes always go straight to the map.
        let open_connections =
            if ok(Hook::SockStorageIter) && net != NetHook::SyscallExit { OpenConnections::Iterator } else { OpenConnections::EveryCall };
        let mut left_out: Vec<LeftOut> = unavailable.to_vec();
        left_out.sort_by_key(|l| Hook::ALL.iter().position(|h| *h == l.hook));
        left_out.dedup_by_key(|l| l.hook);
        HookPlan { file, net, open_connections, left_out }
    }

    /// The same plan without `hook` (refused when loaded with the real programs).
    pub fn without(&self, hook: Hook, why: String) -> HookPlan {
        let mut unavailable = self.left_out.clone();
        unavailable.push(LeftOut { hook, why });
        HookPlan::choose(&unavailable)
    }

    /// Whether the raw_syscalls sys_exit tracepoint is needed (it runs on every system
    /// call of the machine: the cost the fexit hooks avoid).
    pub fn needs_syscall_exit(&self) -> bool {
        self.file == FileHook::SyscallExit || self.net == NetHook::SyscallExit
    }

    /// The programs of `bpf/kinsight.bpf.c` this plan attaches.
    pub(crate) fn programs(&self) -> Vec<&'static str> {
        let mut p = vec!["ks_process_fork", "ks_process_exit", "ks_sock_state"];
        p.push(if self.needs_syscall_exit() { "ks_sys_exit" } else { "ks_process_exec" });
        if self.file == FileHook::Fexit {
            p.extend(["ks_fexit_vfs_read", "ks_fexit_vfs_write", "ks_fexit_vfs_readv", "ks_fexit_vfs_writev"]);
        }
        match self.net {
            NetHook::Fexit => p.extend([
                "ks_fexit_tcp_sendmsg",
                "ks_fexit_tcp_recvmsg",
                "ks_fexit_udp_sendmsg",
                "ks_fexit_udp_recvmsg",
                "ks_fexit_udpv6_sendmsg",
                "ks_fexit_udpv6_recvmsg",
            ]),
            NetHook::SockTracepoints => p.extend(["ks_sock_send", "ks_sock_recv"]),
            NetHook::SyscallExit => {}
        }
        if self.open_connections == OpenConnections::Iterator {
            p.push("ks_flush_sockets");
        }
        p
    }
}

impl fmt::Display for HookPlan {
    /// One line: what counts what, then what was left out and why.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = match self.file {
            FileHook::Fexit => "fexit vfs_read/vfs_write",
            FileHook::SyscallExit => "syscall exit",
        };
        let net = match self.net {
            NetHook::Fexit => "fexit tcp/udp sendmsg/recvmsg",
            NetHook::SockTracepoints => "sock_send_length/sock_recv_length tracepoints",
            NetHook::SyscallExit => "syscall exit",
        };
        let open = match self.open_connections {
            OpenConnections::Iterator => "socket-storage iterator at each reading",
            OpenConnections::EveryCall => "counted on every call",
        };
        let procs = if self.needs_syscall_exit() { "syscall exit" } else { "sched tracepoints (no per-syscall hook)" };
        write!(f, "file bytes: {file}; socket bytes: {net}; open connections: {open}; processes: {procs}")?;
        if !self.left_out.is_empty() {
            let why: Vec<String> = self.left_out.iter().map(|l| format!("{} ({})", l.hook.describe(), l.why)).collect();
            write!(f, "; not used: {}", why.join(", "))?;
        }
        Ok(())
    }
}

/// Turns a libbpf failure on one program into a reason a person understands.
pub(crate) fn reason(error: &str, log: &str) -> String {
    let all = format!("{error}\n{log}");
    if all.contains("failed to find kernel BTF type ID") || all.contains("failed to find BTF for extern") {
        return "not in this kernel".into();
    }
    if all.contains("find_kernel_btf_id") || all.contains("No such file or directory") || all.contains("ENOENT") {
        return "not in this kernel".into();
    }
    if all.contains("Permission denied") || all.contains("EPERM") || all.contains("Operation not permitted") {
        return "refused by the kernel: EPERM".into();
    }
    if all.contains("not supported") || all.contains("ENOTSUP") || all.contains("-524") {
        return "not supported by this kernel".into();
    }
    if all.contains("Invalid argument") || all.contains("EINVAL") {
        return "refused by the kernel: EINVAL".into();
    }
    error.lines().next().unwrap_or(error).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(hooks: &[Hook]) -> Vec<LeftOut> {
        hooks.iter().map(|&hook| LeftOut { hook, why: "refused by the kernel: EPERM".into() }).collect()
    }

    #[test]
    fn everything_available_takes_fexit_and_the_iterator_and_no_syscall_hook() {
        let p = HookPlan::choose(&[]);
        assert_eq!((p.file, p.net, p.open_connections), (FileHook::Fexit, NetHook::Fexit, OpenConnections::Iterator));
        assert!(!p.needs_syscall_exit());
        let progs = p.programs();
        assert!(progs.contains(&"ks_process_exec") && !progs.contains(&"ks_sys_exit"), "{progs:?}");
        assert!(progs.contains(&"ks_flush_sockets"));
    }

    #[test]
    fn a_vm_without_fexit_or_the_iterator_uses_the_tracepoints_and_counts_every_call() {
        // The CI VM kind: fexit refused, the socket iterator refused on some of them.
        let p = HookPlan::choose(&out(&[Hook::FexitVfs, Hook::FexitSockets, Hook::SockStorageIter]));
        assert_eq!((p.file, p.net, p.open_connections), (FileHook::SyscallExit, NetHook::SockTracepoints, OpenConnections::EveryCall));
        let progs = p.programs();
        assert!(progs.contains(&"ks_sys_exit") && progs.contains(&"ks_sock_send") && !progs.contains(&"ks_flush_sockets"));
        let line = p.to_string();
        assert!(line.contains("socket bytes: sock_send_length") && line.contains("the socket-storage iterator (refused by the kernel: EPERM)"), "{line}");
    }

    #[test]
    fn a_kernel_before_6_3_without_fexit_counts_sockets_at_the_syscall_exit() {
        let p = HookPlan::choose(&out(&[Hook::FexitVfs, Hook::FexitSockets, Hook::SockTracepoints]));
        assert_eq!((p.file, p.net), (FileHook::SyscallExit, NetHook::SyscallExit));
        assert_eq!(p.open_connections, OpenConnections::EveryCall, "helper-read sockets cannot use socket storage");
    }

    #[test]
    fn vfs_fexit_is_not_worth_it_when_the_syscall_exit_is_attached_anyway() {
        let p = HookPlan::choose(&out(&[Hook::FexitSockets, Hook::SockTracepoints]));
        assert_eq!((p.file, p.net), (FileHook::SyscallExit, NetHook::SyscallExit));
        // With socket tracepoints, vfs fexit avoids the syscall hook altogether.
        let p = HookPlan::choose(&out(&[Hook::FexitSockets]));
        assert_eq!((p.file, p.net), (FileHook::Fexit, NetHook::SockTracepoints));
        assert!(!p.needs_syscall_exit());
    }

    #[test]
    fn a_hook_refused_at_load_moves_to_the_next_choice_and_is_named() {
        let p = HookPlan::choose(&[]).without(Hook::SockStorageIter, "refused by the kernel: EPERM".into());
        assert_eq!(p.open_connections, OpenConnections::EveryCall);
        assert_eq!(p.net, NetHook::Fexit);
        assert_eq!(p.left_out.len(), 1);
        let p = p.without(Hook::FexitSockets, "x".into());
        assert_eq!(p.net, NetHook::SockTracepoints);
        assert_eq!(p.left_out.len(), 2);
    }

    #[test]
    fn program_names_map_back_to_their_hook() {
        for plan in [HookPlan::choose(&[]), HookPlan::choose(&out(&[Hook::FexitSockets, Hook::FexitVfs]))] {
            for p in plan.programs() {
                if let Some(h) = Hook::of_program(p) {
                    assert!(!plan.left_out.iter().any(|l| l.hook == h), "{p} belongs to a hook left out");
                }
            }
        }
        assert_eq!(Hook::of_program("ks_fexit_udpv6_recvmsg"), Some(Hook::FexitSockets));
        assert_eq!(Hook::of_program("ks_fexit_vfs_writev"), Some(Hook::FexitVfs));
        assert_eq!(Hook::of_program("ks_sys_exit"), None);
    }

    #[test]
    fn avoid_lists_parse_and_unknown_names_are_clear_errors() {
        assert_eq!(Hook::parse_list("fexit-vfs, sock-iterator").unwrap(), vec![Hook::FexitVfs, Hook::SockStorageIter]);
        assert_eq!(Hook::parse_list("").unwrap(), vec![]);
        let e = Hook::parse_list("fexit").unwrap_err();
        assert!(e.contains("unknown hook `fexit`") && e.contains("fexit-sockets"), "{e}");
    }

    #[test]
    fn load_failures_read_as_reasons() {
        assert_eq!(reason("Invalid argument (os error 22)", "libbpf: prog 'x': failed to find kernel BTF type ID of 'sock_send_length': -3"), "not in this kernel");
        assert_eq!(reason("Operation not permitted (os error 1)", ""), "refused by the kernel: EPERM");
    }
}
