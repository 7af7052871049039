//! Benchmark workload (not a test): a tight loop of system calls, timed.
//!
//! `syscall_loop [N]` runs N `getppid` (a syscall kinsight does not trace: the cost of the
//! hooks alone) and N one-byte `write`s to /dev/null (traced: a record per call in full
//! mode, a counter update in aggregated mode), and prints the nanoseconds per call of
//! each. See BENCHMARKS.md, "Live capture".

use std::time::Instant;

fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5_000_000);
    let devnull = std::fs::OpenOptions::new().write(true).open("/dev/null").expect("open /dev/null");
    let fd = std::os::fd::AsRawFd::as_raw_fd(&devnull);
    let byte = [0u8; 1];
    let start = Instant::now();
    for _ in 0..n {
        // SAFETY: getppid has no preconditions.
        unsafe { libc::getppid() };
    }
    let getppid_ns = start.elapsed().as_nanos() as f64 / n as f64;
    let start = Instant::now();
    for _ in 0..n {
        // SAFETY: a valid fd and a one-byte buffer.
        unsafe { libc::write(fd, byte.as_ptr().cast(), 1) };
    }
    let write_ns = start.elapsed().as_nanos() as f64 / n as f64;
    println!("getppid_ns={getppid_ns:.1} write_ns={write_ns:.1} total_ns={:.1}", getppid_ns + write_ns);
}
