//! kinsight-host: the live machine as the engine's initial state and as counters.
//!
//! Owns: reading `/proc` (processes, threads, command lines, cwd, users, open fds with the
//! tuples of their sockets from `/proc/<pid>/net/*`) into the scap initial-state types
//! (`ThreadInfo`, `FdList`) that captures carry; the cgroup file systems (v1, v2 and hybrid
//! mounts, cgroup ids, resource counters: CPU and throttling, memory usage / working set /
//! limit / OOM kills, block I/O, pids); network bytes per network namespace; container
//! metadata from the runtimes' state directories; the machine, interface and user lists.
//! Must not: keep state between calls (that is the engine), talk to a runtime's API or to
//! the kernel beyond reading files, or fail because a process vanished mid-read: processes
//! come and go, and whatever disappears is skipped and counted.

pub mod cgroupfs;
pub mod machine;
pub mod net;
pub mod ppm;
pub mod procfs;
pub mod runtime;

pub use cgroupfs::{CgroupCounters, CgroupFs, CgroupIdIndex, CgroupIds, Layout};
pub use kinsight_cgroup::{container_of_path, ContainerRef, QosClass, Runtime};
pub use procfs::{HostScan, ProcFs, ScanOptions, ThreadSample};
pub use runtime::{container_json, ContainerMeta, RuntimeDirs};

/// The network byte counters of one network namespace, summed over its interfaces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetnsCounters {
    pub netns: u64,
    pub interfaces: Vec<net::InterfaceCounters>,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
}

/// Network bytes of every network namespace that has a process, read through one process
/// of each (`/proc/<pid>/net/dev` shows the namespace of `<pid>`).
pub fn netns_counters(proc: &ProcFs) -> Vec<NetnsCounters> {
    let mut seen = std::collections::BTreeMap::new();
    for pid in proc.pids() {
        let Some(ns) = proc.netns(pid) else { continue };
        if seen.contains_key(&ns) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(proc.net_dir(pid).join("dev")) else { continue };
        let interfaces = net::parse_net_dev(&text);
        let rx_bytes = interfaces.iter().map(|i| i.rx_bytes).sum();
        let tx_bytes = interfaces.iter().map(|i| i.tx_bytes).sum();
        seen.insert(ns, NetnsCounters { netns: ns, interfaces, rx_bytes, tx_bytes });
    }
    seen.into_values().collect()
}
