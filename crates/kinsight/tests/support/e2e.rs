//! Runs one of ui/e2e's browser scripts under node, bounded in time: a hung browser must not
//! hang the suite.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `node e2e/<script> <args…>` in `ui` for at most `within`; asserts it exited with
/// success and printed PASS, naming where its screenshots are. Returns what it printed.
pub fn run_script(ui: &Path, script: &str, args: &[&str], artifacts: &Path, within: Duration) -> String {
    let mut child = Command::new("node")
        .arg(format!("e2e/{script}"))
        .args(args)
        .current_dir(ui)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if started.elapsed() > within {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut log = String::new();
    child.stdout.take().unwrap().read_to_string(&mut log).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    assert!(status.is_some_and(|s| s.success()) && log.contains("PASS"), "{script} failed (screenshots in {}):\n{log}", artifacts.display());
    log
}
