//! Aggregated mode: the byte counters the kernel keeps per process and cgroup pair and
//! per connection, turned into what happened since the previous reading.
//!
//! Per process, a reading may come out lower than the truth (bytes moving from a per-CPU
//! slot to the map while it is read; see kinsight-ebpf), never higher, and the next reading
//! has them: so the highest reading of each key is kept, and a lower one means nothing
//! happened yet. Keys of processes that exited are deleted from the kernel map after a
//! reading and forgotten here: if they come back, they start from zero. Per connection,
//! a counter that went backwards was evicted from its LRU map and recreated: its new value
//! is the delta.

use kinsight_ebpf::record::{ConnCounters, ConnKey, ConnRole, ProcCounters, ProcKey};
use kinsight_ebpf::BpfCapture;
use std::collections::HashMap;
use std::net::IpAddr;

/// Bytes moved by one process in one cgroup pair since the previous reading.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcDelta {
    pub pid: i64,
    pub cgroup_v2: u64,
    pub cgroup_v1_memory: u64,
    pub file_in: u64,
    pub file_out: u64,
    pub net_in: u64,
    pub net_out: u64,
}

/// Bytes moved on one connection by one process since the previous reading, client end
/// first (as `kinsight read`'s connections).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnDelta {
    pub pid: i64,
    pub tcp: bool,
    pub client: (IpAddr, u16),
    pub server: (IpAddr, u16),
    /// Bytes received and sent by this process.
    pub in_bytes: u64,
    pub out_bytes: u64,
    pub cgroup_v2: u64,
}

/// The previous readings.
#[derive(Default)]
pub struct AggregateReader {
    procs: HashMap<ProcKey, ProcCounters>,
    conns: HashMap<ConnKey, ConnCounters>,
}

fn delta(now: u64, then: u64) -> u64 {
    if now >= then {
        now - then
    } else {
        now
    }
}

/// How far a reading rose above the highest one so far (which it then becomes).
fn rise(mark: &mut u64, now: u64) -> u64 {
    let d = now.saturating_sub(*mark);
    *mark = (*mark).max(now);
    d
}

impl AggregateReader {
    /// Reads the kernel maps and returns what changed since the last call.
    pub fn read(&mut self, bpf: &BpfCapture) -> (Vec<ProcDelta>, Vec<ConnDelta>) {
        let deltas = self.fold(bpf.proc_counters(), bpf.conn_counters());
        let exited = |tgid: u32| !std::path::Path::new(&format!("/proc/{tgid}")).exists();
        for k in bpf.forget_processes(&exited) {
            self.procs.remove(&k);
        }
        deltas
    }

    /// The same from readings given directly (tests).
    pub fn fold(
        &mut self,
        procs: HashMap<ProcKey, ProcCounters>,
        conns: HashMap<ConnKey, ConnCounters>,
    ) -> (Vec<ProcDelta>, Vec<ConnDelta>) {
        let mut pd = Vec::new();
        for (k, v) in procs {
            let mark = self.procs.entry(k).or_default();
            let d = ProcDelta {
                pid: k.tgid as i64,
                cgroup_v2: k.cgroup_v2,
                cgroup_v1_memory: k.cgroup_v1_memory,
                file_in: rise(&mut mark.file_read, v.file_read),
                file_out: rise(&mut mark.file_write, v.file_write),
                net_in: rise(&mut mark.net_read, v.net_read),
                net_out: rise(&mut mark.net_write, v.net_write),
            };
            if d.file_in + d.file_out + d.net_in + d.net_out > 0 {
                pd.push(d);
            }
        }
        let mut cd = Vec::new();
        for (k, v) in &conns {
            let then = self.conns.get(k).copied().unwrap_or_default();
            let (rx, tx) = (delta(v.rx, then.rx), delta(v.tx, then.tx));
            if rx + tx == 0 {
                continue;
            }
            let local = (k.local, k.local_port);
            let remote = (k.remote, k.remote_port);
            let local_is_server = match k.role {
                ConnRole::Server => true,
                ConnRole::Client => false,
                // Opened before kinsight started: clients use ephemeral (high) ports.
                ConnRole::Unknown => k.local_port < k.remote_port,
            };
            let (client, server) = if local_is_server { (remote, local) } else { (local, remote) };
            cd.push(ConnDelta {
                pid: k.tgid as i64,
                tcp: k.proto == 6,
                client,
                server,
                in_bytes: rx,
                out_bytes: tx,
                cgroup_v2: k.cgroup_v2,
            });
        }
        self.conns = conns;
        (pd, cd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn deltas_between_readings_and_a_reading_that_missed_bytes_in_flight() {
        let k = ProcKey { tgid: 7, cgroup_v2: 1, cgroup_v1_memory: 2 };
        let mut r = AggregateReader::default();
        let reading = |w: u64| HashMap::from([(k, ProcCounters { file_write: w, ..Default::default() })]);
        let (d, _) = r.fold(reading(100), HashMap::new());
        assert_eq!(d[0].file_out, 100);
        let (d, _) = r.fold(reading(150), HashMap::new());
        assert_eq!(d[0].file_out, 50);
        let (d, _) = r.fold(reading(150), HashMap::new());
        assert!(d.is_empty(), "no change, no row");
        // 40 bytes moved from a slot to the map while it was read: missing from this one...
        let (d, _) = r.fold(reading(110), HashMap::new());
        assert!(d.is_empty(), "a low reading is not a reset: {d:?}");
        // ...and in the next, with 10 new ones: counted once.
        let (d, _) = r.fold(reading(160), HashMap::new());
        assert_eq!(d[0].file_out, 10);
        // A key deleted after its process exited starts from zero if it comes back.
        r.procs.remove(&k);
        let (d, _) = r.fold(reading(30), HashMap::new());
        assert_eq!(d[0].file_out, 30);
    }

    #[test]
    fn connection_ends_follow_the_role() {
        let lo = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let key = |role, lport, rport| ConnKey { tgid: 1, role, proto: 6, local: lo, local_port: lport, remote: lo, remote_port: rport, cgroup_v2: 0 };
        let mut r = AggregateReader::default();
        let conns = HashMap::from([
            (key(ConnRole::Client, 40000, 80), ConnCounters { rx: 10, tx: 5, ..Default::default() }),
            (key(ConnRole::Server, 80, 40000), ConnCounters { rx: 5, tx: 10, ..Default::default() }),
            (key(ConnRole::Unknown, 8080, 50000), ConnCounters { rx: 1, ..Default::default() }),
        ]);
        let (_, mut d) = r.fold(HashMap::new(), conns);
        d.sort_by_key(|c| (c.server.1, c.in_bytes));
        assert_eq!(d.len(), 3);
        assert!(d.iter().filter(|c| c.server.1 == 80).all(|c| c.client.1 == 40000));
        assert_eq!(d[2].server.1, 8080);
    }
}
