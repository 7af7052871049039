//! BPF records, as the kernel side lays them out, turned into scap events and run through
//! the engine: the state and the bytes must be what a sysdig capture of the same calls
//! gives.

use kinsight_ebpf::record::{encode_record, Record, RecordKind, Syscall};
use kinsight_engine::{Engine, FdType, IoDir, Role};
use kinsight_host::{CgroupFs, ProcFs};
use kinsight_live::records::Converter;
use kinsight_scap::table::code;

const TID: u32 = 4242;

struct Rig {
    conv: Converter,
    engine: Engine,
    /// (event type, io bytes) of every event, in order.
    seen: Vec<(u16, Option<(IoDir, u64)>)>,
}

impl Rig {
    fn new() -> Rig {
        Rig { conv: Converter::new(ProcFs::new("/nonexistent-proc"), CgroupFs::default()), engine: Engine::new(), seen: vec![] }
    }

    #[allow(clippy::too_many_arguments)]
    fn feed(&mut self, sc: Syscall, ret: i64, args: [u64; 6], extra: [u64; 4], data: &[u8], aux1: &[u8], aux2: &[u8]) {
        let bytes = encode_record(RecordKind::Syscall(sc), 1_000, 2_000, TID, TID, (0, 0), ret, args, extra, data, aux1, aux2);
        let rec = Record::parse(&bytes).unwrap();
        let engine = &mut self.engine;
        let seen = &mut self.seen;
        self.conv.convert(&rec, &mut |ev| {
            let ev = ev.event();
            let ctx = engine.process(&ev);
            seen.push((ev.etype, ctx.io.map(|io| (io.dir, io.bytes))));
        });
    }
}

fn tuple_v4(sip: [u8; 4], sport: u16, dip: [u8; 4], dport: u16) -> Vec<u8> {
    let mut t = vec![2u8];
    t.extend_from_slice(&sip);
    t.extend_from_slice(&sport.to_le_bytes());
    t.extend_from_slice(&dip);
    t.extend_from_slice(&dport.to_le_bytes());
    t
}

#[test]
fn file_open_write_close() {
    let mut r = Rig::new();
    // openat(AT_FDCWD, "/tmp/x", O_WRONLY|O_CREAT) = 3
    r.feed(Syscall::Openat, 3, [(-100i64) as u64, 0, 0o101, 0o644, 0, 0], [0o101, 0o644, 77, 8], b"", b"/tmp/x\0", b"");
    assert_eq!(r.seen.iter().map(|s| s.0).collect::<Vec<_>>(), [code::SYSCALL_OPENAT_2_E, code::SYSCALL_OPENAT_2_X]);
    let fd = r.engine.fd(TID as i64, 3).expect("fd 3 open");
    assert_eq!((fd.kind, &*fd.name), (FdType::File, "/tmp/x"));
    r.feed(Syscall::Write, 5, [3, 0, 5, 0, 0, 0], [0; 4], b"hello", b"", b"");
    assert_eq!(r.seen.last().unwrap().1, Some((IoDir::Write, 5)));
    r.feed(Syscall::Close, 0, [3, 0, 0, 0, 0, 0], [0; 4], b"", b"", b"");
    assert!(r.engine.fd(TID as i64, 3).is_none());
}

#[test]
fn tcp_client_connect_and_io_keep_the_tuple() {
    let mut r = Rig::new();
    r.feed(Syscall::Socket, 4, [2, 1, 6, 0, 0, 0], [0; 4], b"", b"", b"");
    let addr = [2u8, 127, 0, 0, 1, 0x50, 0]; // 127.0.0.1:80, port little-endian
    let tuple = tuple_v4([127, 0, 0, 1], 40000, [127, 0, 0, 1], 80);
    r.feed(Syscall::Connect, 0, [4, 0, 16, 0, 0, 0], [0; 4], b"", &addr, &tuple);
    // sendto on a connected stream socket: no tuple (the kernel side leaves it out).
    r.feed(Syscall::Sendto, 18, [4, 0, 18, 0, 0, 0], [0; 4], b"GET / HTTP/1.1\r\n\r\n", b"", b"");
    r.feed(Syscall::Recvfrom, 5, [4, 0, 100, 0, 0, 0], [0; 4], b"HTTP/", b"", b"");
    let fd = r.engine.fd(TID as i64, 4).unwrap();
    assert_eq!(fd.kind, FdType::Ipv4);
    assert_eq!(fd.role, Role::Client);
    assert_eq!(fd.l4proto.name(), "tcp");
    let t = fd.tuple.unwrap();
    assert_eq!((t.cport, t.sport), (40000, 80));
    let io: Vec<_> = r.seen.iter().filter_map(|s| s.1).collect();
    assert_eq!(io, [(IoDir::Write, 18), (IoDir::Read, 5)]);
}

#[test]
fn accept_makes_a_server_fd_with_the_peer_first() {
    let mut r = Rig::new();
    let tuple = tuple_v4([10, 0, 0, 2], 51000, [10, 0, 0, 1], 8080);
    r.feed(Syscall::Accept4, 7, [3, 0, 0, 0x80800, 0, 0], [0; 4], b"", &tuple, b"");
    let fd = r.engine.fd(TID as i64, 7).unwrap();
    assert_eq!(fd.role, Role::Server);
    let t = fd.tuple.unwrap();
    assert_eq!((t.cip.to_string(), t.sport), ("10.0.0.2".to_string(), 8080));
}

#[test]
fn datagram_tuple_names_the_peer() {
    let mut r = Rig::new();
    r.feed(Syscall::Socket, 5, [2, 2, 17, 0, 0, 0], [0; 4], b"", b"", b"");
    let tuple = tuple_v4([10, 0, 0, 1], 40001, [10, 0, 0, 53], 53);
    r.feed(Syscall::Sendto, 30, [5, 0, 30, 0, 0, 16], [0; 4], b"dns query", &tuple, b"");
    let fd = r.engine.fd(TID as i64, 5).unwrap();
    assert_eq!(fd.l4proto.name(), "udp");
    assert_eq!(fd.tuple.unwrap().sport, 53);
}

#[test]
fn dup_pipe_and_fcntl() {
    let mut r = Rig::new();
    r.feed(Syscall::Pipe2, 0, [0; 6], [8, 9, 1234, 0], b"", b"", b"");
    assert_eq!(r.engine.fd(TID as i64, 8).unwrap().kind, FdType::Pipe);
    r.feed(Syscall::Dup2, 1, [9, 1, 0, 0, 0, 0], [0; 4], b"", b"", b"");
    assert_eq!(r.engine.fd(TID as i64, 1).unwrap().kind, FdType::Pipe);
    let before = r.seen.len();
    // F_GETFD changes nothing and is left out; F_DUPFD copies the fd.
    r.feed(Syscall::Fcntl, 1, [8, 1, 0, 0, 0, 0], [0; 4], b"", b"", b"");
    assert_eq!(r.seen.len(), before);
    r.feed(Syscall::Fcntl, 20, [8, 0, 10, 0, 0, 0], [0; 4], b"", b"", b"");
    assert_eq!(r.seen.len(), before + 2);
    assert_eq!(r.engine.fd(TID as i64, 20).unwrap().kind, FdType::Pipe);
}

#[test]
fn clone_execve_and_exit_build_the_process() {
    let mut r = Rig::new();
    let parent = 4000u32;
    // The child's side of a fork: ret 0, the parent's argument list and command name.
    let bytes = encode_record(
        RecordKind::Syscall(Syscall::Clone),
        10,
        20,
        TID,
        TID,
        (0, 0),
        0,
        [0x1200011, 0, 0, 0, 0, 0],
        [parent as u64, ((TID as u64) << 32) | TID as u64, 0, 0x1200011],
        b"/bin/sh\0-c\0true\0",
        b"",
        b"sh\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
    );
    let rec = Record::parse(&bytes).unwrap();
    let engine = &mut r.engine;
    r.conv.convert(&rec, &mut |ev| {
        engine.process(&ev.event());
    });
    let t = r.engine.thread(TID as i64).unwrap();
    assert_eq!((t.pid, t.ptid, t.image.comm.as_str(), t.image.exe.as_str()), (TID as i64, parent as i64, "sh", "/bin/sh"));
    assert_eq!(t.image.args, ["-c", "true"]);
    // execve: the new image.
    let bytes = encode_record(
        RecordKind::Syscall(Syscall::Execve),
        30,
        40,
        TID,
        TID,
        (0, 0),
        0,
        [0; 6],
        [parent as u64, ((TID as u64) << 32) | TID as u64, 0, 0],
        b"/usr/bin/true\0--version\0",
        b"",
        b"true\0\0\0\0\0\0\0\0\0\0\0\0",
    );
    let rec = Record::parse(&bytes).unwrap();
    let engine = &mut r.engine;
    r.conv.convert(&rec, &mut |ev| {
        engine.process(&ev.event());
    });
    let t = r.engine.thread(TID as i64).unwrap();
    assert_eq!((t.image.comm.as_str(), t.image.exe.as_str()), ("true", "/usr/bin/true"));
    // Exit: the thread is gone.
    let bytes = encode_record(RecordKind::ProcessExit, 0, 50, TID, TID, (0, 0), 0, [0; 6], [0; 4], b"", b"", b"");
    let rec = Record::parse(&bytes).unwrap();
    let engine = &mut r.engine;
    let mut exits = 0;
    r.conv.convert(&rec, &mut |ev| {
        assert_eq!(ev.event().etype, code::PROCEXIT_1_E);
        engine.process(&ev.event());
        exits += 1;
    });
    assert_eq!(exits, 1);
    // The live consumer then drops the thread (kinsight live does).
    r.engine.remove_thread(TID as i64);
    assert!(r.engine.thread(TID as i64).is_none());
}

#[test]
fn timestamps_are_wall_clock_and_ordered() {
    let mut conv = Converter::new(ProcFs::new("/nonexistent-proc"), CgroupFs::default());
    let mono = {
        let mut ts = Timespec { sec: 0, nsec: 0 };
        // SAFETY: clock_gettime fills the struct we own.
        unsafe { clock_gettime(CLOCK_MONOTONIC, &mut ts) };
        ts.sec as u64 * 1_000_000_000 + ts.nsec as u64
    };
    let bytes = encode_record(RecordKind::Syscall(Syscall::Close), mono - 5_000, mono, TID, TID, (0, 0), 0, [3, 0, 0, 0, 0, 0], [0; 4], b"", b"", b"");
    let rec = Record::parse(&bytes).unwrap();
    let mut ts = vec![];
    conv.convert(&rec, &mut |ev| ts.push(ev.event().ts));
    let now = kinsight_live::now_ns();
    assert_eq!(ts.len(), 2);
    assert_eq!(ts[1] - ts[0], 5_000, "enter and exit keep their distance");
    assert!(now.abs_diff(ts[1]) < 1_000_000_000, "wall clock: {} vs {now}", ts[1]);
}

#[repr(C)]
struct Timespec {
    sec: i64,
    nsec: i64,
}
const CLOCK_MONOTONIC: i32 = 1;

extern "C" {
    fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
}
