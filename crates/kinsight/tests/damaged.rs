//! A damaged capture is read up to the damage: the views show what came before it, stderr
//! says where the damage is, and the exit status (3) tells scripts the result is partial.

use std::io::Read;
use std::path::Path;
use std::process::Command;

fn decompressed_k8s_trace() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/traces/bencer/k8s_backend_capture.scap");
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(path).unwrap()).read_to_end(&mut out).unwrap();
    out
}

fn run(file: &Path, view: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kinsight"))
        .args(["read", file.to_str().unwrap(), "--view", view, "--format", "json"])
        .output()
        .unwrap()
}

#[test]
fn truncated_capture_keeps_the_events_before_the_cut() {
    let bytes = decompressed_k8s_trace();
    let dir = std::env::temp_dir().join(format!("kinsight-damaged-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cut = dir.join("cut.scap");
    // Cut in the middle of the file: inside some block.
    std::fs::write(&cut, &bytes[..bytes.len() / 2 + 7]).unwrap();
    let out = run(&cut, "containers");
    assert_eq!(out.status.code(), Some(3), "partial results exit with 3");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("byte offset") && err.contains("block"), "{err}");
    assert!(err.contains("truncated"), "{err}");
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("views still printed");
    let net: u64 = rows.as_array().unwrap().iter().map(|r| r["net_bytes"].as_u64().unwrap()).sum();
    assert!(net > 0, "the first half of the capture has network traffic");

    // The full file sees more than the half.
    let full = dir.join("full.scap");
    std::fs::write(&full, &bytes).unwrap();
    let out_full = run(&full, "containers");
    assert!(out_full.status.success());
    let rows_full: serde_json::Value = serde_json::from_slice(&out_full.stdout).unwrap();
    let net_full: u64 = rows_full.as_array().unwrap().iter().map(|r| r["net_bytes"].as_u64().unwrap()).sum();
    assert!(net_full > net);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn not_a_capture_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("kinsight-notscap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("notes.txt");
    std::fs::write(&f, b"this is not a capture at all, just some text\n").unwrap();
    let out = run(&f, "procs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("notes.txt") && err.contains("not a scap capture"), "{err}");
    let missing = run(&dir.join("missing.scap"), "procs");
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("missing.scap"));
    std::fs::remove_dir_all(&dir).ok();
}
