//! The machine itself: CPUs, memory, hostname, network interfaces and users, as the
//! metadata blocks at the start of a capture describe them.

use kinsight_scap::block::{GroupInfo, UserInfo};
use kinsight_scap::{Interface, MachineInfo, UserList};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

/// CPUs, memory, pid limit and hostname of this machine.
pub fn machine_info() -> MachineInfo {
    // SAFETY: sysconf has no preconditions.
    let cpus = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) }.max(1) as u32;
    let memory_bytes = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024);
    let max_pid = std::fs::read_to_string("/proc/sys/kernel/pid_max").ok().and_then(|t| t.trim().parse().ok()).unwrap_or(32768);
    MachineInfo { num_cpus: cpus, memory_bytes, max_pid, hostname: hostname() }
}

/// The host name (`uname -n`).
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").map(|s| s.trim().to_string()).unwrap_or_default()
}

/// IPv4 and IPv6 addresses of the network interfaces (getifaddrs).
pub fn interfaces() -> Vec<Interface> {
    let mut out = Vec::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `head` with a list we free below; we only read it.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return out;
    }
    let mut cur = head;
    while !cur.is_null() {
        // SAFETY: `cur` is a node of the list getifaddrs returned.
        let ifa = unsafe { &*cur };
        cur = ifa.ifa_next;
        if ifa.ifa_addr.is_null() || ifa.ifa_name.is_null() {
            continue;
        }
        // SAFETY: ifa_name is a NUL-terminated string owned by the list.
        let name = unsafe { std::ffi::CStr::from_ptr(ifa.ifa_name) }.to_string_lossy().into_owned();
        // SAFETY: the address pointers are valid for their family's sockaddr type.
        let (addr, mask) = unsafe { (sockaddr_ip(ifa.ifa_addr), sockaddr_ip(ifa.ifa_netmask)) };
        if let Some(addr) = addr {
            let netmask = mask.unwrap_or(match addr {
                IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            });
            out.push(Interface { name, addr, netmask });
        }
    }
    // SAFETY: `head` came from getifaddrs.
    unsafe { libc::freeifaddrs(head) };
    out
}

/// # Safety
/// `sa` must be null or point to a sockaddr of the size its family implies.
unsafe fn sockaddr_ip(sa: *const libc::sockaddr) -> Option<IpAddr> {
    if sa.is_null() {
        return None;
    }
    match (*sa).sa_family as i32 {
        libc::AF_INET => {
            let sin = &*(sa as *const libc::sockaddr_in);
            Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr))))
        }
        libc::AF_INET6 => {
            let sin6 = &*(sa as *const libc::sockaddr_in6);
            Some(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)))
        }
        _ => None,
    }
}

/// Users and groups of `/etc/passwd` and `/etc/group` under `root` (`/` on the host).
pub fn users(root: &Path) -> UserList {
    let mut list = UserList::default();
    if let Ok(text) = std::fs::read_to_string(root.join("etc/passwd")) {
        for line in text.lines() {
            let f: Vec<&str> = line.split(':').collect();
            if f.len() < 7 {
                continue;
            }
            let (Ok(uid), Ok(gid)) = (f[2].parse(), f[3].parse()) else { continue };
            list.users.push(UserInfo { uid, gid, name: f[0].into(), home: f[5].into(), shell: f[6].into() });
        }
    }
    if let Ok(text) = std::fs::read_to_string(root.join("etc/group")) {
        for line in text.lines() {
            let f: Vec<&str> = line.split(':').collect();
            if f.len() < 3 {
                continue;
            }
            if let Ok(gid) = f[2].parse() {
                list.groups.push(GroupInfo { gid, name: f[0].into() });
            }
        }
    }
    list
}
