//! Benchmark helper (not a test): attaches empty BPF programs to the syscall tracepoints
//! and keeps them attached until it is killed; the cost floor kinsight is compared with.
//!
//! `empty_programs exit` (raw_syscalls sys_exit, the hook of aggregated mode) or
//! `empty_programs enter-exit` (sys_enter and sys_exit, the hooks of full mode).

use kinsight_ebpf::{BpfCapture, BpfConfig, BpfMode};

fn main() {
    let mode = match std::env::args().nth(1).as_deref() {
        Some("enter-exit") => BpfMode::EmptyEnterExit,
        _ => BpfMode::EmptyExit,
    };
    let cfg = BpfConfig { mode, snaplen: 0, ring_bytes: 4096, self_tgid: std::process::id(), v1_memory: false, avoid: Vec::new() };
    let _bpf = BpfCapture::load(&cfg).unwrap_or_else(|e| {
        eprintln!("empty_programs: {e}");
        std::process::exit(1)
    });
    println!("ready");
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}
