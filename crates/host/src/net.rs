//! Socket tables of a network namespace (`/proc/<pid>/net/{tcp,tcp6,udp,udp6,raw,raw6,unix,netlink}`),
//! indexed by inode so that `socket:[inode]` fd links resolve to their addresses.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

/// Layer-4 protocol codes of scap fd lists (SCAP_L4_*).
pub const L4_TCP: u8 = 2;
pub const L4_UDP: u8 = 3;
pub const L4_RAW: u8 = 5;

/// TCP_LISTEN in the `st` column.
const TCP_LISTEN: u8 = 0x0A;

/// One inet socket as the kernel lists it: local end first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InetSocket {
    pub local: IpAddr,
    pub local_port: u16,
    pub remote: IpAddr,
    pub remote_port: u16,
    pub l4proto: u8,
    /// TCP state (`st` column); 7 (TCP_CLOSE) for unconnected UDP.
    pub state: u8,
}

impl InetSocket {
    /// A listening (TCP) or unconnected (UDP/raw) socket: sysdig lists these as server
    /// sockets with only the local address.
    pub fn is_server(&self) -> bool {
        self.state == TCP_LISTEN || (self.l4proto != L4_TCP && self.remote_port == 0 && self.remote.is_unspecified())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SocketEntry {
    Inet(InetSocket),
    /// `source` is the kernel's (hashed) socket address, as in sysdig's fd lists.
    Unix { source: u64, path: String },
    Netlink,
}

/// Every socket of one network namespace, by inode.
#[derive(Clone, Debug, Default)]
pub struct SocketTable {
    pub by_inode: HashMap<u64, SocketEntry>,
}

impl SocketTable {
    /// Reads the tables under `net_dir` (`/proc/<pid>/net`); missing files are skipped
    /// (IPv6 disabled, no raw sockets...).
    pub fn read(net_dir: &Path) -> SocketTable {
        let mut t = SocketTable::default();
        for (file, l4, v6) in [
            ("tcp", L4_TCP, false),
            ("tcp6", L4_TCP, true),
            ("udp", L4_UDP, false),
            ("udp6", L4_UDP, true),
            ("raw", L4_RAW, false),
            ("raw6", L4_RAW, true),
        ] {
            if let Ok(text) = std::fs::read_to_string(net_dir.join(file)) {
                t.add_inet(&text, l4, v6);
            }
        }
        if let Ok(text) = std::fs::read_to_string(net_dir.join("unix")) {
            t.add_unix(&text);
        }
        if let Ok(text) = std::fs::read_to_string(net_dir.join("netlink")) {
            t.add_netlink(&text);
        }
        t
    }

    pub fn get(&self, inode: u64) -> Option<&SocketEntry> {
        self.by_inode.get(&inode)
    }

    /// Adds the rows of a `tcp`/`udp`/`raw` (or `*6`) table.
    pub fn add_inet(&mut self, text: &str, l4proto: u8, v6: bool) {
        for line in text.lines().skip(1) {
            if let Some((inode, sock)) = parse_inet_line(line, l4proto, v6) {
                self.by_inode.insert(inode, SocketEntry::Inet(sock));
            }
        }
    }

    /// Adds the rows of the `unix` table: `Num RefCount Protocol Flags Type St Inode [Path]`.
    pub fn add_unix(&mut self, text: &str) {
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.len() < 7 {
                continue;
            }
            let (Ok(source), Ok(inode)) =
                (u64::from_str_radix(cols[0].trim_end_matches(':'), 16), cols[6].parse::<u64>())
            else {
                continue;
            };
            let path = cols.get(7).map_or(String::new(), |p| p.to_string());
            self.by_inode.insert(inode, SocketEntry::Unix { source, path });
        }
    }

    /// Adds the rows of the `netlink` table (inode is the last column).
    pub fn add_netlink(&mut self, text: &str) {
        for line in text.lines().skip(1) {
            if let Some(Ok(inode)) = line.split_whitespace().last().map(str::parse::<u64>) {
                self.by_inode.insert(inode, SocketEntry::Netlink);
            }
        }
    }
}

/// `sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...`
fn parse_inet_line(line: &str, l4proto: u8, v6: bool) -> Option<(u64, InetSocket)> {
    let cols: Vec<&str> = line.split_whitespace().collect();
    if cols.len() < 10 {
        return None;
    }
    let (local, local_port) = parse_endpoint(cols[1], v6)?;
    let (remote, remote_port) = parse_endpoint(cols[2], v6)?;
    let state = u8::from_str_radix(cols[3], 16).ok()?;
    let inode = cols[9].parse().ok()?;
    Some((inode, InetSocket { local, local_port, remote, remote_port, l4proto, state }))
}

/// `0100007F:0050` → 127.0.0.1:80. The kernel prints each 32-bit word of the address in
/// host byte order, so the word's native bytes are the address bytes.
pub fn parse_endpoint(s: &str, v6: bool) -> Option<(IpAddr, u16)> {
    let (addr, port) = s.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let words = |n: usize| -> Option<Vec<u8>> {
        if addr.len() != n * 8 {
            return None;
        }
        let mut out = Vec::with_capacity(n * 4);
        for i in 0..n {
            let w = u32::from_str_radix(&addr[i * 8..i * 8 + 8], 16).ok()?;
            out.extend_from_slice(&w.to_ne_bytes());
        }
        Some(out)
    };
    let ip = if v6 {
        let b: [u8; 16] = words(4)?.try_into().ok()?;
        IpAddr::V6(Ipv6Addr::from(b))
    } else {
        let b: [u8; 4] = words(1)?.try_into().ok()?;
        IpAddr::V4(Ipv4Addr::from(b))
    };
    Some((ip, port))
}

/// Byte counters of one interface from `/proc/<pid>/net/dev`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InterfaceCounters {
    pub name: String,
    pub rx_bytes: u64,
    pub rx_packets: u64,
    pub tx_bytes: u64,
    pub tx_packets: u64,
}

/// Parses `net/dev`: two header lines, then `name: rx_bytes rx_packets ... (8 rx columns) tx_bytes tx_packets ...`.
pub fn parse_net_dev(text: &str) -> Vec<InterfaceCounters> {
    text.lines()
        .skip(2)
        .filter_map(|line| {
            let (name, rest) = line.split_once(':')?;
            let v: Vec<u64> = rest.split_whitespace().filter_map(|x| x.parse().ok()).collect();
            if v.len() < 10 {
                return None;
            }
            Some(InterfaceCounters {
                name: name.trim().to_string(),
                rx_bytes: v[0],
                rx_packets: v[1],
                tx_bytes: v[8],
                tx_packets: v[9],
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_rows_v4_and_v6() {
        let tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1 0 100 0 0 10 0\n\
   1: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 1235 1 0 20 4 30 10 -1\n";
        let mut t = SocketTable::default();
        t.add_inet(tcp, L4_TCP, false);
        let SocketEntry::Inet(listen) = t.get(1234).unwrap() else { panic!() };
        assert_eq!((listen.local.to_string().as_str(), listen.local_port, listen.is_server()), ("127.0.0.1", 8080, true));
        let SocketEntry::Inet(conn) = t.get(1235).unwrap() else { panic!() };
        assert_eq!((conn.local_port, conn.remote_port, conn.is_server()), (50000, 8080, false));

        let tcp6 = "header\n   0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1\n\
   1: 0000000000000000FFFF00000100007F:0050 0000000000000000FFFF00000100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 100 1\n";
        t.add_inet(tcp6, L4_TCP, true);
        let SocketEntry::Inet(l6) = t.get(99).unwrap() else { panic!() };
        assert_eq!(l6.local.to_string(), "::1");
        let SocketEntry::Inet(m6) = t.get(100).unwrap() else { panic!() };
        assert_eq!(m6.local.to_string(), "::ffff:127.0.0.1");
    }

    #[test]
    fn udp_unconnected_is_a_server_socket() {
        let udp = "h\n  1: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 555 2 0 0\n";
        let mut t = SocketTable::default();
        t.add_inet(udp, L4_UDP, false);
        let SocketEntry::Inet(s) = t.get(555).unwrap() else { panic!() };
        assert!(s.is_server());
        assert_eq!(s.local_port, 68);
    }

    #[test]
    fn unix_and_netlink_rows() {
        let unix = "Num       RefCount Protocol Flags    Type St Inode Path\n\
0000000000000000: 00000002 00000000 00010000 0001 01 321 /run/systemd/notify\n\
ffff8880aa: 00000003 00000000 00000000 0001 03 322\n";
        let mut t = SocketTable::default();
        t.add_unix(unix);
        assert_eq!(t.get(321), Some(&SocketEntry::Unix { source: 0, path: "/run/systemd/notify".into() }));
        assert_eq!(t.get(322), Some(&SocketEntry::Unix { source: 0xffff8880aa, path: String::new() }));
        t.add_netlink("sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode\n0000 0 1 0 0 0 0 2 0 777\n");
        assert_eq!(t.get(777), Some(&SocketEntry::Netlink));
    }

    #[test]
    fn bad_rows_are_skipped() {
        let mut t = SocketTable::default();
        t.add_inet("h\n garbage\n 0: ZZ:1 00:0 0A x x x x x x\n", L4_TCP, false);
        t.add_unix("h\nshort line\n");
        assert!(t.by_inode.is_empty());
    }

    #[test]
    fn net_dev_counters() {
        let text = "Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n    lo: 1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0\n  eth0: 5 1 0 0 0 0 0 0 7 2 0 0 0 0 0 0\n";
        let v = parse_net_dev(text);
        assert_eq!(v.len(), 2);
        assert_eq!((v[1].name.as_str(), v[1].rx_bytes, v[1].tx_bytes, v[1].tx_packets), ("eth0", 5, 7, 2));
    }
}
