//! The web UI in a real browser: Debian's chromium driven by playwright-core runs
//! ui/e2e/explorer.mjs against a replay of the shared Kubernetes capture. Screenshots of
//! every step are kept in ui/test-artifacts/e2e/.

mod common;

use common::replay_server;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn explorer_end_to_end_in_chromium() {
    assert!(kinsight_server::ui_built(), "the web UI was not built into this binary: see the cargo warnings of kinsight-server's build script");
    let ui = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui");
    assert!(ui.join("node_modules/playwright-core").is_dir(), "ui/node_modules is missing playwright-core: run `npm ci` in ui/ (the build script does)");
    assert!(PathBuf::from("/usr/bin/chromium").is_file() || std::env::var_os("KINSIGHT_CHROMIUM").is_some(), "chromium is needed: apt-get install chromium");
    let server = replay_server(None);
    let artifacts = ui.join("test-artifacts/e2e");
    let _ = std::fs::remove_dir_all(&artifacts);
    let mut child = Command::new("node")
        .arg("e2e/explorer.mjs")
        .arg(server.url())
        .arg(&artifacts)
        .current_dir(&ui)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    // Bounded: the script takes seconds; a hung browser must not hang the suite.
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if started.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = child.wait_with_output().unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(status.is_some_and(|s| s.success()), "explorer.mjs failed (screenshots in {}):\n{log}", artifacts.display());
    assert!(log.contains("PASS"), "{log}");
    let shots: Vec<String> = std::fs::read_dir(&artifacts).unwrap().filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
    for step in ["backend-pods", "pivot-to-physical", "topology-pods", "filter-namespace"] {
        assert!(shots.iter().any(|s| s.ends_with(&format!("-{step}.png"))), "screenshot of {step} kept: {shots:?}");
    }
    server.stop();
}
