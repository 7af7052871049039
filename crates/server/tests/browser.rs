//! The web UI in a real browser: Debian's chromium driven by playwright-core runs
//! ui/e2e/explorer.mjs and ui/e2e/landing.mjs against a replay of the shared Kubernetes
//! capture. Screenshots of every step are kept in ui/test-artifacts/e2e/ and
//! ui/test-artifacts/landing/.

mod common;

use common::replay_server;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `script` against a fresh replay server; its screenshots go to
/// ui/test-artifacts/ARTIFACTS, whose file names it returns.
fn run_script(script: &str, artifacts: &str) -> Vec<String> {
    assert!(kinsight_server::ui_built(), "the web UI was not built into this binary: see the cargo warnings of kinsight-server's build script");
    let ui = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui");
    assert!(ui.join("node_modules/playwright-core").is_dir(), "ui/node_modules is missing playwright-core: run `npm ci` in ui/ (the build script does)");
    assert!(PathBuf::from("/usr/bin/chromium").is_file() || std::env::var_os("KINSIGHT_CHROMIUM").is_some(), "chromium is needed: apt-get install chromium");
    let server = replay_server(None);
    let artifacts = ui.join("test-artifacts").join(artifacts);
    let _ = std::fs::remove_dir_all(&artifacts);
    let mut child = Command::new("node")
        .arg(script)
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
        if started.elapsed() > Duration::from_secs(240) {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = child.wait_with_output().unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(status.is_some_and(|s| s.success()), "{script} failed (screenshots in {}):\n{log}", artifacts.display());
    assert!(log.contains("PASS"), "{log}");
    server.stop();
    std::fs::read_dir(&artifacts).unwrap().filter_map(|e| e.ok()?.file_name().into_string().ok()).collect()
}

#[test]
fn explorer_end_to_end_in_chromium() {
    let shots = run_script("e2e/explorer.mjs", "e2e");
    for step in ["backend-pods", "pivot-to-physical", "topology-pods", "filter-namespace"] {
        assert!(shots.iter().any(|s| s.ends_with(&format!("-{step}.png"))), "screenshot of {step} kept: {shots:?}");
    }
}

/// The overview, process rows and their grouping, keyboard navigation, the copy-link
/// button, the live refresh and its pause, and topology labels that never overlap.
#[test]
fn overview_processes_live_refresh_and_topology_labels_in_chromium() {
    let shots = run_script("e2e/landing.mjs", "landing");
    for step in ["overview", "process-grouping", "keyboard-navigation", "live-refresh-table", "live-refresh-overview", "topology-pod-labels", "topology-50-nodes"] {
        assert!(shots.iter().any(|s| s.ends_with(&format!("-{step}.png"))), "screenshot of {step} kept: {shots:?}");
    }
}
