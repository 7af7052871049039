//! Serving: the token guards every API call, the UI is embedded, live mode without a live
//! source still serves and says why, and history survives a restart through its snapshot.

mod common;

use common::*;
use kinsight_history::{History, HistoryConfig};
use kinsight_monitor::{Pipeline, Shared};
use kinsight_scap::ScapReader;
use kinsight_server::{start, UpOptions};
use std::path::PathBuf;
use std::time::Duration;

#[test]
fn the_token_is_checked_on_every_api_call() {
    let s = replay_server(Some("s3cret"));
    let a = s.addr;
    for path in kinsight_server::ROUTES {
        let path = if *path == "/api/entity" { "/api/entity?id=ns:critical-app" } else { path };
        let r = get(a, path, None);
        assert_eq!(r.status, 401, "{path} without a token");
        assert_eq!(r.json()["error"]["code"], "unauthorized");
        assert_eq!(get(a, path, Some("s3cre")).status, 401, "{path} with a wrong token");
        assert_eq!(get(a, path, Some("s3cret")).status, 200, "{path} with the token");
    }
    assert_eq!(get(a, "/api/nope", None).status, 401, "unknown API paths too");
    // The page itself holds no data: it loads, then asks for the token.
    assert_eq!(get(a, "/", None).status, 200);
    s.stop();
}

#[test]
fn binding_beyond_loopback_needs_a_token() {
    let mut opts = UpOptions::new("0.0.0.0:0".parse().unwrap());
    opts.replay = Some(k8s_capture());
    let e = start(opts).err().expect("refused without a token");
    assert!(e.to_string().contains("--token"), "{e}");
    let mut opts = UpOptions::new("127.0.0.1:0".parse().unwrap());
    opts.token = Some(String::new());
    assert!(start(opts).is_err(), "an empty token is no token");
}

#[test]
fn the_ui_is_embedded() {
    assert!(kinsight_server::ui_built(), "the web UI was not built into this binary: see the cargo warnings of kinsight-server's build script (npm missing?)");
    let s = replay_server(None);
    let page = get(s.addr, "/", None);
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").unwrap().starts_with("text/html"));
    let script = page.body.split("src=\"").nth(1).and_then(|r| r.split('"').next()).expect("a script tag");
    let js = get(s.addr, script, None);
    assert_eq!(js.status, 200, "{script}");
    assert!(js.header("content-type").unwrap().starts_with("text/javascript"));
    assert!(js.header("cache-control").unwrap().contains("immutable"));
    // UI routes get the page; missing files are 404s.
    assert_eq!(get(s.addr, "/explore/anything", None).status, 200);
    assert_eq!(get(s.addr, "/assets/missing.js", None).status, 404);
    s.stop();
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kinsight-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn live(data_dir: &std::path::Path) -> kinsight_server::Server {
    let mut opts = UpOptions::new("127.0.0.1:0".parse().unwrap());
    opts.data_dir = Some(data_dir.to_path_buf());
    opts.snapshot_every = Duration::from_millis(300);
    let s = start(opts).expect("live mode starts");
    assert!(s.wait_sources(Duration::from_secs(10)));
    s
}

#[test]
fn live_mode_watching_nothing_serves_and_says_so() {
    let dir = temp_dir("live-empty");
    let s = live(&dir);
    let st = get_json(s.addr, "/api/status");
    assert_eq!(st["mode"]["kind"], "live");
    assert!(st["live_message"].as_str().unwrap().contains("nothing to watch"), "{st:#}");
    let kinds: Vec<(&str, &str)> = st["sources"].as_array().unwrap().iter().map(|x| (x["kind"].as_str().unwrap(), x["state"].as_str().unwrap())).collect();
    assert_eq!(kinds, [("live-host", "unavailable"), ("kubernetes", "unavailable")]);
    assert_eq!(st["data"], serde_json::Value::Null);
    let rows = get_json(s.addr, "/api/entities");
    assert_eq!(rows["total"], 0);
    assert_eq!(get(s.addr, "/metrics", None).status, 200);
    s.stop();
    std::fs::remove_dir_all(&dir).ok();
}

/// History made by replaying the capture through the pipeline, as a live source would.
fn replayed_history() -> History {
    let shared = Shared::new(History::new(HistoryConfig::default()));
    let mut p = Pipeline::new(shared.clone());
    let mut r = ScapReader::open(k8s_capture()).unwrap();
    while let Some(b) = r.next_block().unwrap() {
        p.apply_block(&b);
    }
    p.finish();
    drop(p);
    std::sync::Arc::try_unwrap(shared).ok().unwrap().history.into_inner().unwrap()
}

#[test]
fn a_restart_keeps_history() {
    let dir = temp_dir("live-restart");
    replayed_history().save(&dir.join(kinsight_server::up::SNAPSHOT_FILE)).unwrap();
    let first = live(&dir);
    let pods = get_json(first.addr, &format!("/api/entities?hierarchy=logical&parent={}", enc("wl:critical-app/deployment/backend")));
    assert_eq!(pods["total"], 3, "history loaded from the data directory");
    let st = get_json(first.addr, "/api/status");
    assert_eq!(st["snapshot"]["path"], dir.join("history.bin.gz").display().to_string());
    first.stop();
    // The stop wrote a snapshot again; a second start sees the same history.
    let second = live(&dir);
    let again = get_json(second.addr, &format!("/api/entities?hierarchy=logical&parent={}", enc("wl:critical-app/deployment/backend")));
    assert_eq!(again["rows"], pods["rows"]);
    second.stop();

    // A damaged snapshot is set aside, not fatal.
    std::fs::write(dir.join("history.bin.gz"), b"kinsight-history v3\nnot gzip").unwrap();
    let third = live(&dir);
    assert!(third.snapshot_warning.as_deref().unwrap_or("").contains("damaged"), "{:?}", third.snapshot_warning);
    assert!(dir.join("history.bin.unreadable").is_file());
    assert_eq!(get_json(third.addr, "/api/entities")["total"], 0);
    third.stop();
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_damaged_capture_is_served_up_to_the_damage() {
    let dir = temp_dir("damaged");
    let bytes = std::fs::read(k8s_capture()).unwrap();
    let cut = dir.join("cut.scap");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let mut opts = UpOptions::new("127.0.0.1:0".parse().unwrap());
    opts.replay = Some(cut);
    let s = start(opts).unwrap();
    assert!(s.wait_sources(Duration::from_secs(60)));
    let st = get_json(s.addr, "/api/status");
    let src = &st["sources"][0];
    assert_eq!(src["state"], "failed");
    assert!(src["error"].as_str().unwrap().contains("events read before the damage are shown"), "{src}");
    assert!(st["data"]["seconds"].as_f64().unwrap() > 1.0, "what came before the damage is kept");
    assert!(get_json(s.addr, "/api/entities")["total"].as_u64().unwrap() > 0);
    s.stop();
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_missing_capture_is_refused_at_start() {
    let mut opts = UpOptions::new("127.0.0.1:0".parse().unwrap());
    opts.replay = Some(PathBuf::from("/nonexistent/capture.scap"));
    let e = start(opts).err().expect("refused");
    assert!(e.to_string().contains("no such capture file"), "{e}");
}
