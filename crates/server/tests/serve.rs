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
    std::fs::write(dir.join("history.bin.gz"), b"kinsight-history v4\nnot gzip").unwrap();
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

/// Pod IPs are reused: a connection is attributed to the pod that held the address when its
/// bytes moved, not to the one that holds it now. History made by hand (the catalog as
/// catalog_sync fills it from the API, connection counters as the pipeline records them):
/// pod web-old had 10.1.0.5 until it was deleted, then web-new got it; a host process
/// talked to 10.1.0.5:80 before and after.
#[test]
fn connections_go_to_the_pod_that_held_the_address_then() {
    use kinsight_history::{ConnCounters, ConnKey, Counters, Lifetime, PodMeta, ProcessKey, Proto, Sample, Side};
    use std::net::IpAddr;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    let sec = 1_000_000_000u64;
    let t0 = (now / sec - 300) * sec;
    let handover = t0 + 60 * sec;
    let mut h = History::new(HistoryConfig::default());
    h.catalog.set_local_node("node-a");
    let ip: IpAddr = "10.1.0.5".parse().unwrap();
    let pod = |uid: &str, name: &str, lifetime: Lifetime| PodMeta {
        uid: uid.into(),
        name: name.into(),
        namespace: "shop".into(),
        node: Some("node-b".into()),
        ip: Some(ip),
        phase: "Running".into(),
        lifetime,
        ..Default::default()
    };
    h.catalog.upsert_pod(pod("uid-old", "web-old", Lifetime { created_ns: Some(t0 - 600 * sec), deleted_ns: Some(handover) }));
    h.catalog.upsert_pod(pod("uid-new", "web-new", Lifetime { created_ns: Some(handover + 2 * sec), deleted_ns: None }));
    let curl = h.catalog.intern_series(ProcessKey { container: None, pid: 4242 }, "curl", "curl http://10.1.0.5/", t0);
    let key = ConnKey { proto: Proto::Tcp, client: "10.0.0.1".parse().unwrap(), server: ip, server_port: 80, observer: curl, side: Side::Client };
    let sample = |ts: u64, bytes: u64| Sample {
        ts_ns: ts,
        procs: vec![(curl, Counters::default())],
        conns: vec![(key, ConnCounters { bytes_in: bytes, bytes_out: 100, requests: 1, ..Default::default() })],
        files: vec![],
        http: vec![],
        requests: vec![],
    };
    for (ts, bytes) in [(t0 + 10 * sec, 1000), (t0 + 30 * sec, 1000), (handover + 10 * sec, 5000)] {
        // The pipeline marks the process seen at every sample.
        h.catalog.intern_series(ProcessKey { container: None, pid: 4242 }, "curl", "curl http://10.1.0.5/", ts);
        h.record(sample(ts, bytes));
    }
    let dir = temp_dir("reused-ip");
    h.save(&dir.join(kinsight_server::up::SNAPSHOT_FILE)).unwrap();
    let s = live(&dir);

    let by_server = |q: &str| -> Vec<(String, u64)> {
        let v = get_json(s.addr, &format!("/api/connections?{q}"));
        let mut rows: Vec<(String, u64)> = v["rows"].as_array().unwrap_or_else(|| panic!("{v:#}")).iter().map(|r| (r["server"]["name"].as_str().unwrap().to_string(), r["bytes"].as_u64().unwrap())).collect();
        rows.sort();
        rows
    };
    let node = enc("node:node-a");
    // The whole history: each pod gets the bytes of its own time.
    assert_eq!(by_server(&format!("entity={node}&from={}", t0 - sec)), vec![("web-new".to_string(), 5100), ("web-old".to_string(), 2200)]);
    // Before the handover only the old pod, which no longer exists; after it only the new.
    assert_eq!(by_server(&format!("entity={node}&from={}&to={}", t0 - sec, handover)), vec![("web-old".to_string(), 2200)]);
    assert_eq!(by_server(&format!("entity={node}&from={handover}")), vec![("web-new".to_string(), 5100)]);
    // The topology at pod level draws an edge to each.
    let topo = get_json(s.addr, &format!("/api/topology?hierarchy=physical&level=pod&from={}", t0 - sec));
    let mut edges: Vec<(String, u64)> = topo["edges"].as_array().unwrap().iter().filter(|e| e["kind"] == "traffic").map(|e| (e["target"].as_str().unwrap().to_string(), e["bytes"].as_u64().unwrap())).collect();
    edges.sort();
    assert_eq!(edges, vec![("pod:uid-new".to_string(), 5100), ("pod:uid-old".to_string(), 2200)], "{topo:#}");
    s.stop();
    std::fs::remove_dir_all(&dir).ok();
}
