//! The records the BPF programs write (layout in `bpf/kinsight.h`), decoded from bytes.

/// The system calls the programs trace (`enum ks_syscall`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Syscall {
    Read = 1,
    Write,
    Pread,
    Pwrite,
    Readv,
    Writev,
    Preadv,
    Pwritev,
    Sendto,
    Recvfrom,
    Sendmsg,
    Recvmsg,
    Sendfile,
    Open,
    Openat,
    Openat2,
    Creat,
    Close,
    Socket,
    Connect,
    Accept,
    Accept4,
    Bind,
    Listen,
    Dup,
    Dup2,
    Dup3,
    Fcntl,
    Pipe,
    Pipe2,
    Chdir,
    Fchdir,
    Clone,
    Clone3,
    Fork,
    Vfork,
    Execve,
    Execveat,
}

impl Syscall {
    const ALL: [Syscall; 38] = [
        Syscall::Read,
        Syscall::Write,
        Syscall::Pread,
        Syscall::Pwrite,
        Syscall::Readv,
        Syscall::Writev,
        Syscall::Preadv,
        Syscall::Pwritev,
        Syscall::Sendto,
        Syscall::Recvfrom,
        Syscall::Sendmsg,
        Syscall::Recvmsg,
        Syscall::Sendfile,
        Syscall::Open,
        Syscall::Openat,
        Syscall::Openat2,
        Syscall::Creat,
        Syscall::Close,
        Syscall::Socket,
        Syscall::Connect,
        Syscall::Accept,
        Syscall::Accept4,
        Syscall::Bind,
        Syscall::Listen,
        Syscall::Dup,
        Syscall::Dup2,
        Syscall::Dup3,
        Syscall::Fcntl,
        Syscall::Pipe,
        Syscall::Pipe2,
        Syscall::Chdir,
        Syscall::Fchdir,
        Syscall::Clone,
        Syscall::Clone3,
        Syscall::Fork,
        Syscall::Vfork,
        Syscall::Execve,
        Syscall::Execveat,
    ];

    pub fn from_u16(v: u16) -> Option<Syscall> {
        Self::ALL.get((v as usize).checked_sub(1)?).copied()
    }
}

/// Record kinds (`KS_REC_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    Syscall(Syscall),
    ProcessExit,
}

/// Size of the fixed part of a record (`KS_RECORD_FIXED`).
pub const RECORD_FIXED: usize = 144;

/// One record, borrowing its bytes.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    pub kind: RecordKind,
    pub cpu: u32,
    /// Monotonic nanoseconds; 0 when the syscall's enter was not seen.
    pub ts_enter: u64,
    pub ts_exit: u64,
    pub tid: u32,
    pub pid: u32,
    pub cgroup_v2: u64,
    /// The v1 memory cgroup id on v1/hybrid hosts, else 0.
    pub cgroup_v1_memory: u64,
    pub ret: i64,
    pub args: [u64; 6],
    /// Syscall-specific facts, see `bpf/kinsight.h`.
    pub extra: [u64; 4],
    /// I/O snapshot, or the argument list of clone/execve.
    pub data: &'a [u8],
    /// A path, a socket address or a tuple.
    pub aux1: &'a [u8],
    /// The connect tuple, or the command name of clone/execve.
    pub aux2: &'a [u8],
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

impl<'a> Record<'a> {
    /// Decodes a record; an error says what is wrong (never a panic on short or odd input).
    pub fn parse(b: &'a [u8]) -> Result<Record<'a>, String> {
        if b.len() < RECORD_FIXED {
            return Err(format!("record of {} bytes is shorter than its {RECORD_FIXED}-byte header", b.len()));
        }
        let kind = match u16_at(b, 0) {
            1 => RecordKind::Syscall(
                Syscall::from_u16(u16_at(b, 2)).ok_or_else(|| format!("unknown syscall id {}", u16_at(b, 2)))?,
            ),
            2 => RecordKind::ProcessExit,
            k => return Err(format!("unknown record kind {k}")),
        };
        let (dl, a1, a2) = (u16_at(b, 4) as usize, u16_at(b, 6) as usize, u16_at(b, 8) as usize);
        let end = RECORD_FIXED + dl + a1 + a2;
        if end > b.len() {
            return Err(format!("record says {end} bytes, has {}", b.len()));
        }
        let mut args = [0u64; 6];
        for (i, a) in args.iter_mut().enumerate() {
            *a = u64_at(b, 64 + 8 * i);
        }
        let mut extra = [0u64; 4];
        for (i, e) in extra.iter_mut().enumerate() {
            *e = u64_at(b, 112 + 8 * i);
        }
        let p = RECORD_FIXED;
        Ok(Record {
            kind,
            cpu: u32_at(b, 12),
            ts_enter: u64_at(b, 16),
            ts_exit: u64_at(b, 24),
            tid: u32_at(b, 32),
            pid: u32_at(b, 36),
            cgroup_v2: u64_at(b, 40),
            cgroup_v1_memory: u64_at(b, 48),
            ret: u64_at(b, 56) as i64,
            args,
            extra,
            data: &b[p..p + dl],
            aux1: &b[p + dl..p + dl + a1],
            aux2: &b[p + dl + a1..end],
        })
    }
}

/// Builds record bytes as the BPF programs lay them out (for tests of the consumers).
#[allow(clippy::too_many_arguments)]
pub fn encode_record(
    kind: RecordKind,
    ts_enter: u64,
    ts_exit: u64,
    tid: u32,
    pid: u32,
    cgroups: (u64, u64),
    ret: i64,
    args: [u64; 6],
    extra: [u64; 4],
    data: &[u8],
    aux1: &[u8],
    aux2: &[u8],
) -> Vec<u8> {
    let mut b = Vec::with_capacity(RECORD_FIXED + data.len() + aux1.len() + aux2.len());
    let (k, sc) = match kind {
        RecordKind::Syscall(sc) => (1u16, sc as u16),
        RecordKind::ProcessExit => (2, 0),
    };
    for v in [k, sc, data.len() as u16, aux1.len() as u16, aux2.len() as u16, 0] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(&0u32.to_le_bytes());
    for v in [ts_enter, ts_exit] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(&tid.to_le_bytes());
    b.extend_from_slice(&pid.to_le_bytes());
    for v in [cgroups.0, cgroups.1, ret as u64] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    for v in args.iter().chain(extra.iter()) {
        b.extend_from_slice(&v.to_le_bytes());
    }
    debug_assert_eq!(b.len(), RECORD_FIXED);
    b.extend_from_slice(data);
    b.extend_from_slice(aux1);
    b.extend_from_slice(aux2);
    b
}

/// Aggregated counters of one process in one cgroup pair (`struct ks_proc_key/val`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProcKey {
    pub tgid: u32,
    pub cgroup_v2: u64,
    pub cgroup_v1_memory: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProcCounters {
    pub file_read: u64,
    pub file_write: u64,
    pub net_read: u64,
    pub net_write: u64,
    pub file_read_ops: u64,
    pub file_write_ops: u64,
    pub net_read_ops: u64,
    pub net_write_ops: u64,
}

impl ProcKey {
    pub fn parse(b: &[u8]) -> Option<ProcKey> {
        (b.len() >= 24).then(|| ProcKey { tgid: u32_at(b, 0), cgroup_v2: u64_at(b, 8), cgroup_v1_memory: u64_at(b, 16) })
    }
}

/// A per-CPU aggregation slot (`struct ks_slot`): its key and the bytes it holds that are
/// not in `proc_io` yet. `None` when the slot is unused or was being handed over while it
/// was copied (its two sequence numbers differ).
pub fn parse_slot(b: &[u8]) -> Option<(ProcKey, ProcCounters)> {
    // seq_lo, task, css_set, key (24), counters (64), seq_hi.
    const KEY: usize = 24;
    const VALS: usize = KEY + 24;
    const SEQ_HI: usize = VALS + 64;
    if b.len() < SEQ_HI + 8 || u64_at(b, 0) != u64_at(b, SEQ_HI) {
        return None;
    }
    let key = ProcKey::parse(&b[KEY..])?;
    let vals = ProcCounters::parse(&b[VALS..])?;
    (key.tgid != 0).then_some((key, vals))
}

/// A slot's hand-over count (`seq_hi`), or `None` when the copy was taken while the slot
/// was changing hands.
pub fn slot_seq(b: &[u8]) -> Option<u64> {
    const SEQ_HI: usize = 112;
    (b.len() >= SEQ_HI + 8 && u64_at(b, 0) == u64_at(b, SEQ_HI)).then(|| u64_at(b, SEQ_HI))
}

impl ProcCounters {
    pub fn parse(b: &[u8]) -> Option<ProcCounters> {
        if b.len() < 64 {
            return None;
        }
        let v = |i: usize| u64_at(b, 8 * i);
        Some(ProcCounters {
            file_read: v(0),
            file_write: v(1),
            net_read: v(2),
            net_write: v(3),
            file_read_ops: v(4),
            file_write_ops: v(5),
            net_read_ops: v(6),
            net_write_ops: v(7),
        })
    }

    pub fn add(&mut self, o: &ProcCounters) {
        self.file_read += o.file_read;
        self.file_write += o.file_write;
        self.net_read += o.net_read;
        self.net_write += o.net_write;
        self.file_read_ops += o.file_read_ops;
        self.file_write_ops += o.file_write_ops;
        self.net_read_ops += o.net_read_ops;
        self.net_write_ops += o.net_write_ops;
    }
}

/// Which end of a connection a socket is, as the kernel saw it open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConnRole {
    Unknown,
    Client,
    Server,
}

/// Aggregated counters of one connection in one process (`struct ks_conn_key/val`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnKey {
    pub tgid: u32,
    pub role: ConnRole,
    /// IPPROTO_TCP (6) or IPPROTO_UDP (17).
    pub proto: u8,
    pub local: std::net::IpAddr,
    pub local_port: u16,
    pub remote: std::net::IpAddr,
    pub remote_port: u16,
    pub cgroup_v2: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConnCounters {
    pub rx: u64,
    pub tx: u64,
    pub rx_ops: u64,
    pub tx_ops: u64,
    /// The socket's role as the kernel saw it open (`ks_conn_val.role`).
    pub role: u32,
}

impl ConnKey {
    pub fn parse(b: &[u8]) -> Option<ConnKey> {
        use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
        if b.len() < 56 {
            return None;
        }
        let family = u16_at(b, 4);
        let addr = |at: usize| -> IpAddr {
            if family == 2 {
                IpAddr::V4(Ipv4Addr::new(b[at], b[at + 1], b[at + 2], b[at + 3]))
            } else {
                let a: [u8; 16] = b[at..at + 16].try_into().unwrap();
                let v6 = Ipv6Addr::from(a);
                v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)
            }
        };
        Some(ConnKey {
            tgid: u32_at(b, 0),
            // Filled from the counters, where the kernel records it.
            role: ConnRole::Unknown,
            proto: b[7],
            local_port: u16_at(b, 8),
            remote_port: u16_at(b, 10),
            local: addr(16),
            remote: addr(32),
            cgroup_v2: u64_at(b, 48),
        })
    }
}

impl ConnCounters {
    pub fn parse(b: &[u8]) -> Option<ConnCounters> {
        (b.len() >= 40).then(|| ConnCounters {
            rx: u64_at(b, 0),
            tx: u64_at(b, 8),
            rx_ops: u64_at(b, 16),
            tx_ops: u64_at(b, 24),
            role: u32_at(b, 32),
        })
    }

    /// Adds another CPU's counters (the role is the same in every CPU's copy once set).
    pub fn add(&mut self, o: &ConnCounters) {
        self.rx += o.rx;
        self.tx += o.tx;
        self.rx_ops += o.rx_ops;
        self.tx_ops += o.tx_ops;
        self.role = self.role.max(o.role);
    }

    pub fn conn_role(&self) -> ConnRole {
        match self.role {
            1 => ConnRole::Client,
            2 => ConnRole::Server,
            _ => ConnRole::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot_bytes(seq_lo: u64, seq_hi: u64, tgid: u32, file_write: u64) -> Vec<u8> {
        let mut b = vec![0u8; 120];
        b[0..8].copy_from_slice(&seq_lo.to_le_bytes());
        b[24..28].copy_from_slice(&tgid.to_le_bytes());
        b[32..40].copy_from_slice(&77u64.to_le_bytes()); // cgroup v2 id
        b[48 + 8..48 + 16].copy_from_slice(&file_write.to_le_bytes());
        b[112..120].copy_from_slice(&seq_hi.to_le_bytes());
        b
    }

    #[test]
    fn slots_copied_during_a_hand_over_are_left_out() {
        let (k, v) = parse_slot(&slot_bytes(3, 3, 42, 1000)).expect("a settled slot");
        assert_eq!((k.tgid, k.cgroup_v2, v.file_write), (42, 77, 1000));
        assert_eq!(parse_slot(&slot_bytes(3, 4, 42, 1000)), None, "copied while changing hands");
        assert_eq!(parse_slot(&slot_bytes(0, 0, 0, 0)), None, "never used");
        assert_eq!(parse_slot(&[0u8; 100]), None, "short");
        assert_eq!(slot_seq(&slot_bytes(3, 3, 42, 1000)), Some(3));
        assert_eq!(slot_seq(&slot_bytes(3, 4, 42, 1000)), None);
    }

    #[test]
    fn records_round_trip() {
        let b = encode_record(
            RecordKind::Syscall(Syscall::Connect),
            10,
            20,
            7,
            6,
            (100, 200),
            -115,
            [3, 0x1000, 16, 0, 0, 0],
            [1, 2, 3, 4],
            b"",
            &[2, 127, 0, 0, 1, 80, 0],
            &[2; 13],
        );
        let r = Record::parse(&b).unwrap();
        assert_eq!(r.kind, RecordKind::Syscall(Syscall::Connect));
        assert_eq!((r.ts_enter, r.ts_exit, r.tid, r.pid, r.ret), (10, 20, 7, 6, -115));
        assert_eq!((r.cgroup_v2, r.cgroup_v1_memory), (100, 200));
        assert_eq!(r.args[1], 0x1000);
        assert_eq!(r.extra, [1, 2, 3, 4]);
        assert_eq!(r.aux1.len(), 7);
        assert_eq!(r.aux2.len(), 13);
    }

    #[test]
    fn bad_records_are_errors() {
        assert!(Record::parse(&[0; 10]).is_err());
        let mut b = encode_record(RecordKind::ProcessExit, 0, 0, 1, 1, (0, 0), 0, [0; 6], [0; 4], b"abc", b"", b"");
        b.truncate(b.len() - 1);
        assert!(Record::parse(&b).is_err(), "lengths past the end");
        let mut b = encode_record(RecordKind::ProcessExit, 0, 0, 1, 1, (0, 0), 0, [0; 6], [0; 4], b"", b"", b"");
        b[2] = 0;
        b[0] = 9;
        assert!(Record::parse(&b).is_err(), "unknown kind");
        assert_eq!(Syscall::from_u16(0), None);
        assert_eq!(Syscall::from_u16(38), Some(Syscall::Execveat));
        assert_eq!(Syscall::from_u16(39), None);
    }
}
