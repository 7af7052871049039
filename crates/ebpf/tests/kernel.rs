//! The programs on this machine's kernel (root only; skipped with a reason otherwise):
//! they load, attach, and report our own system calls with their arguments and data.

use kinsight_ebpf::record::{Record, RecordKind, Syscall};
use kinsight_ebpf::hooks::{FileHook, Hook, NetHook, OpenConnections};
use kinsight_ebpf::{BpfCapture, BpfConfig, BpfMode};
use std::io::Write;
use std::time::{Duration, Instant};

fn skip_reason() -> Option<String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Some("not root".into());
    }
    BpfCapture::built().err()
}

/// Runs `work` in a child thread group? No: in this process, which is traced because
/// `self_tgid` names another process.
fn capture(mode: BpfMode, work: impl FnOnce()) -> (Vec<Vec<u8>>, BpfCapture) {
    capture_avoiding(mode, &[], work)
}

/// Every hook plan aggregated mode can fall back to, as the hooks to avoid: whatever this
/// kernel offers, each plan runs (a kernel that lacks a hook gets the next plan anyway).
const FALLBACKS: [&[Hook]; 4] = [
    &[],
    &[Hook::SockStorageIter],
    &[Hook::FexitVfs, Hook::FexitSockets, Hook::SockStorageIter],
    &[Hook::FexitVfs, Hook::FexitSockets, Hook::SockTracepoints],
];

fn capture_avoiding(mode: BpfMode, avoid: &[Hook], work: impl FnOnce()) -> (Vec<Vec<u8>>, BpfCapture) {
    let cfg = BpfConfig { mode, snaplen: 80, ring_bytes: 4 << 20, self_tgid: u32::MAX, v1_memory: true, avoid: avoid.to_vec() };
    let mut cap = BpfCapture::load(&cfg).unwrap_or_else(|e| panic!("{e}"));
    work();
    let mut out = Vec::new();
    let end = Instant::now() + Duration::from_secs(2);
    while Instant::now() < end {
        cap.wait(Duration::from_millis(50));
        cap.drain(4096, &mut |r| out.push(r.to_vec()));
    }
    (out, cap)
}

#[test]
fn full_mode_reports_our_writes_with_their_bytes() {
    if let Some(why) = skip_reason() {
        eprintln!("skipped: {why}");
        return;
    }
    let me = std::process::id();
    let path = std::env::temp_dir().join(format!("kinsight-ebpf-test-{me}"));
    let (records, cap) = capture(BpfMode::Full, || {
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(b"hello from the kinsight BPF test").unwrap();
        drop(f);
        std::fs::remove_file(&path).unwrap();
    });
    let mine: Vec<Record> = records.iter().map(|b| Record::parse(b).unwrap()).filter(|r| r.pid == me).collect();
    let open = mine
        .iter()
        .find(|r| matches!(r.kind, RecordKind::Syscall(Syscall::Openat)) && r.aux1.starts_with(path.to_str().unwrap().as_bytes()))
        .expect("the openat of the test file");
    assert!(open.ret >= 0);
    assert!(open.ts_enter > 0 && open.ts_enter <= open.ts_exit, "enter time from task storage");
    assert!(open.cgroup_v2 != 0, "a v2 cgroup id");
    let write = mine
        .iter()
        .find(|r| matches!(r.kind, RecordKind::Syscall(Syscall::Write)) && r.args[0] as i64 == open.ret)
        .expect("the write to the test file");
    assert_eq!(write.ret, 32);
    assert_eq!(write.data, b"hello from the kinsight BPF test");
    assert!(mine.iter().any(|r| matches!(r.kind, RecordKind::Syscall(Syscall::Close)) && r.args[0] as i64 == open.ret));
    let stats = cap.kernel_stats();
    assert!(stats.records as usize >= records.len(), "{stats:?}");
}

#[test]
fn aggregated_mode_counts_file_bytes_in_the_kernel_with_every_hook_plan() {
    if let Some(why) = skip_reason() {
        eprintln!("skipped: {why}");
        return;
    }
    let me = std::process::id();
    for avoid in FALLBACKS {
        let (_records, cap) = capture_avoiding(BpfMode::Aggregated, avoid, || {
            let mut f = std::fs::OpenOptions::new().write(true).open("/dev/null").unwrap();
            for _ in 0..100 {
                f.write_all(&[0u8; 1000]).unwrap();
            }
            // The vectored and positioned calls count too (writev, pwrite, preadv).
            let iov = [std::io::IoSlice::new(&[0u8; 700]), std::io::IoSlice::new(&[0u8; 300])];
            assert_eq!(f.write_vectored(&iov).unwrap(), 1000);
            let z = std::fs::File::open("/dev/zero").unwrap();
            let mut buf = [0u8; 4096];
            assert_eq!(std::os::unix::fs::FileExt::read_at(&z, &mut buf, 0).unwrap(), 4096);
        });
        let plan = cap.hook_plan().expect("aggregated mode has a plan");
        eprintln!("avoiding {avoid:?}: {plan}");
        for h in avoid {
            assert!(plan.left_out.iter().any(|l| l.hook == *h), "{h:?} avoided: {plan}");
        }
        if avoid.contains(&Hook::FexitVfs) {
            assert_eq!(plan.file, FileHook::SyscallExit);
        }
        let counters = cap.proc_counters();
        let (read, written) = counters.iter().filter(|(k, _)| k.tgid == me).fold((0, 0), |(r, w), (_, v)| (r + v.file_read, w + v.file_write));
        // Other threads of the test binary may do file I/O too: at least ours.
        assert!(written >= 101_000, "avoiding {avoid:?} ({plan}): file bytes written by this process: {written}");
        assert!(read >= 4096, "avoiding {avoid:?} ({plan}): file bytes read by this process: {read}");
    }
}

/// Processes doing I/O at the same time take the per-CPU slots from each other all the
/// time: every byte must still land on its own process, exactly, and the counters of
/// processes that exited must leave the kernel map once read.
#[test]
fn aggregated_mode_keeps_interleaved_processes_apart_exactly() {
    if let Some(why) = skip_reason() {
        eprintln!("skipped: {why}");
        return;
    }
    let busybox = "/bin/busybox";
    if !std::path::Path::new(busybox).exists() {
        eprintln!("skipped: {busybox} is missing (apt-get install busybox-static)");
        return;
    }
    // Each: 2000 reads of 1000 bytes from /dev/zero and 2000 writes to /dev/null.
    let mut pids = Vec::new();
    let (_records, cap) = capture(BpfMode::Aggregated, || {
        let children: Vec<_> = (0..4)
            .map(|_| {
                std::process::Command::new(busybox)
                    .args(["dd", "if=/dev/zero", "of=/dev/null", "bs=1000", "count=2000"])
                    // Its summary goes to a pipe: not file bytes (/dev/null would be).
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut c in children {
            pids.push(c.id());
            assert!(c.wait().unwrap().success());
        }
    });
    let counters = cap.proc_counters();
    for pid in &pids {
        let (read, write): (u64, u64) = counters.iter().filter(|(k, _)| k.tgid == *pid).fold((0, 0), |(r, w), (_, v)| (r + v.file_read, w + v.file_write));
        assert_eq!((read, write), (2_000_000, 2_000_000), "dd {pid}: bytes read and written");
    }
    // They exited: their keys go, except those a slot still holds until it changes hands.
    // Sixteen more processes doing I/O take the slots over (each way is picked by thread id:
    // that a slot meets none of them is a 1 % chance, that all four do is negligible).
    let others: Vec<_> = (0..16)
        .map(|_| std::process::Command::new(busybox).args(["dd", "if=/dev/zero", "of=/dev/null", "bs=100", "count=200"]).stderr(std::process::Stdio::piped()).spawn().unwrap())
        .collect();
    for mut c in others {
        assert!(c.wait().unwrap().success());
    }
    let gone = cap.forget_processes(&|tgid| pids.contains(&tgid));
    let left: Vec<_> = cap.proc_counters().into_keys().filter(|k| pids.contains(&k.tgid)).collect();
    assert!(!gone.is_empty(), "the exited processes' counters were deleted");
    assert_eq!(gone.len() + left.len(), pids.len(), "each key either deleted or still in a slot: {gone:?} {left:?}");
    assert!(left.iter().all(|k| !gone.contains(k)), "a deleted key came back: {left:?} {gone:?}");
}

#[test]
fn aggregated_mode_counts_connection_bytes_with_their_ends_with_every_hook_plan() {
    if let Some(why) = skip_reason() {
        eprintln!("skipped: {why}");
        return;
    }
    for avoid in FALLBACKS {
        connection_bytes_with_their_ends(avoid);
    }
}

fn connection_bytes_with_their_ends(avoid: &[Hook]) {
    use kinsight_ebpf::record::ConnRole;
    use std::io::Read;
    let me = std::process::id();
    let mut client_port = 0;
    let mut server_port = 0;
    let (_records, cap) = capture_avoiding(BpfMode::Aggregated, avoid, || {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        server_port = listener.local_addr().unwrap().port();
        // One connection closed before the reading, one still open.
        for open_at_reading in [false, true] {
            let mut client = std::net::TcpStream::connect(("127.0.0.1", server_port)).unwrap();
            let (mut server, _) = listener.accept().unwrap();
            client.write_all(&[1u8; 1000]).unwrap();
            let mut buf = [0u8; 1000];
            server.read_exact(&mut buf).unwrap();
            server.write_all(&[2u8; 300]).unwrap();
            client.read_exact(&mut buf[..300]).unwrap();
            if open_at_reading {
                client_port = client.local_addr().unwrap().port();
                // Leaked on purpose until the end of the test: the connection stays open.
                std::mem::forget((client, server));
            }
        }
    });
    let plan = cap.hook_plan().expect("aggregated mode has a plan").clone();
    eprintln!("avoiding {avoid:?}: {plan}");
    if avoid.contains(&Hook::SockStorageIter) {
        assert_eq!(plan.open_connections, OpenConnections::EveryCall);
    }
    if avoid.contains(&Hook::SockTracepoints) && avoid.contains(&Hook::FexitSockets) {
        assert_eq!(plan.net, NetHook::SyscallExit);
    }
    let conns = cap.conn_counters();
    let mine: Vec<_> = conns.iter().filter(|(k, _)| k.tgid == me && (k.local_port == server_port || k.remote_port == server_port)).collect();
    let client_side: u64 = mine.iter().filter(|(k, _)| k.role == ConnRole::Client).map(|(_, v)| v.tx).sum();
    let server_side: u64 = mine.iter().filter(|(k, _)| k.role == ConnRole::Server).map(|(_, v)| v.rx).sum();
    assert_eq!((client_side, server_side), (2000, 2000), "{plan}: bytes sent by the clients and read by the server: {mine:?}");
    let open = mine.iter().find(|(k, _)| k.role == ConnRole::Client && k.local_port == client_port).unwrap_or_else(|| panic!("{plan}: the open connection in {mine:?}"));
    assert_eq!((open.1.tx, open.1.rx), (1000, 300), "{plan}");
    let procs = cap.proc_counters();
    let net: u64 = procs.iter().filter(|(k, _)| k.tgid == me).map(|(_, v)| v.net_write).sum();
    assert!(net >= 2600, "{plan}: network bytes written by this process: {net}");
}
