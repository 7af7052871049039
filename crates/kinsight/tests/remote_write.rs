//! `kinsight up --remote-write URL` against a real VictoriaMetrics (Debian
//! `victoria-metrics` 1.79) started by the test: what the store holds afterwards is what
//! `/metrics` shows, series by series, with the labels Prometheus users query by; a
//! store that is not there is said in `/api/status` while the server keeps serving.

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const KINSIGHT: &str = env!("CARGO_BIN_EXE_kinsight");

fn k8s_capture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/traces/bencer/k8s_backend_capture.scap")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut c = TcpStream::connect(("127.0.0.1", port)).ok()?;
    c.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(c, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut text = String::new();
    c.read_to_string(&mut text).ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    Some((status, text.split_once("\r\n\r\n").map(|x| x.1.to_string()).unwrap_or_default()))
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn victoria_metrics(dir: &std::path::Path) -> (Killed, u16) {
    let bin = "/usr/bin/victoria-metrics";
    assert!(std::path::Path::new(bin).is_file(), "{bin} is needed: apt-get install victoria-metrics (.ci/run installs it)");
    let port = free_port();
    let child = Command::new(bin)
        .arg(format!("-storageDataPath={}", dir.display()))
        .arg(format!("-httpListenAddr=127.0.0.1:{port}"))
        .arg("-search.latencyOffset=0s")
        .arg("-search.disableCache")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while http_get(port, "/health").is_none_or(|(s, _)| s != 200) {
        assert!(Instant::now() < deadline, "victoria-metrics did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    (Killed(child), port)
}

/// `kinsight up` on a replay; its address once it serves.
fn kinsight_up(extra: &[&str]) -> (Killed, u16) {
    let port = free_port();
    let mut child = Command::new(KINSIGHT)
        .args(["up", "--replay"])
        .arg(k8s_capture())
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut said = String::new();
    loop {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "kinsight up ended: {said}");
        said.push_str(&line);
        if line.contains("Ctrl-C stops") {
            break;
        }
    }
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    (Killed(child), port)
}

fn status(port: u16) -> Value {
    serde_json::from_str(&http_get(port, "/api/status").unwrap().1).unwrap()
}

/// `/metrics` as (series with sorted labels) → value, for the families given.
fn exposition(port: u16, families: &[&str]) -> BTreeMap<String, f64> {
    let (_, text) = http_get(port, "/metrics").unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && families.iter().any(|f| l.starts_with(&format!("{f}{{"))))
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            let (name, labels) = series.split_once('{').unwrap();
            // An empty label is no label (as Prometheus reads the exposition).
            let mut pairs: Vec<String> = labels.trim_end_matches('}').split("\",").map(|p| p.trim_end_matches('"').replacen("=\"", "=", 1)).filter(|p| !p.ends_with('=')).collect();
            pairs.push("job=kinsight".into());
            pairs.sort();
            (format!("{name}{{{}}}", pairs.join(",")), value.parse().unwrap())
        })
        .collect()
}

/// The newest value VictoriaMetrics holds of each series of the families.
fn stored(port: u16, families: &[&str]) -> BTreeMap<String, f64> {
    let _ = http_get(port, "/internal/force_flush");
    let mut out = BTreeMap::new();
    for f in families {
        let (status, body) = http_get(port, &format!("/api/v1/export?match[]={f}")).unwrap();
        assert_eq!(status, 200, "{body}");
        for line in body.lines().filter(|l| !l.is_empty()) {
            let v: Value = serde_json::from_str(line).unwrap();
            let m = v["metric"].as_object().unwrap();
            let mut pairs: Vec<String> = m.iter().filter(|(k, _)| *k != "__name__").map(|(k, v)| format!("{k}={}", v.as_str().unwrap())).collect();
            pairs.sort();
            let last = v["values"].as_array().unwrap().last().unwrap().as_f64().unwrap();
            out.insert(format!("{f}{{{}}}", pairs.join(",")), last);
        }
    }
    out
}

#[test]
fn the_store_holds_what_metrics_shows() {
    let dir = std::env::temp_dir().join(format!("kinsight-rw-up-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (_vm, vm) = victoria_metrics(&dir);
    let (_up, port) = kinsight_up(&["--remote-write", &format!("http://127.0.0.1:{vm}/api/v1/write"), "--remote-write-interval", "1"]);
    // The replay is read, then a round after it.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let s = status(port);
        let rw = &s["remote_write"];
        if s["active"] == false && rw["sent_requests"].as_u64().unwrap_or(0) >= 2 && rw["queued_samples"] == 0 {
            std::thread::sleep(Duration::from_millis(1500));
            break;
        }
        assert!(Instant::now() < deadline, "{s:#}");
        std::thread::sleep(Duration::from_millis(200));
    }
    // The requests of every protocol go too (DNS served outside pods, by the host's skydns).
    let families = ["container_cpu_usage_seconds_total", "kinsight_container_network_transmit_bytes_total", "kinsight_http_requests_total", "kinsight_requests_total", "kinsight_request_duration_seconds_count", "kinsight_host_requests_total"];
    let shown = exposition(port, &families);
    assert!(shown.len() > 10 && shown.keys().any(|k| k.contains("namespace=critical-app") && k.contains("pod=backend-")), "{shown:#?}");
    assert!(shown.keys().any(|k| k.starts_with("kinsight_requests_total") && k.contains("protocol=http")), "{shown:#?}");
    assert!(shown.keys().any(|k| k.contains("protocol=dns") && k.contains("error=true")), "{shown:#?}");
    assert_eq!(stored(vm, &families), shown, "VictoriaMetrics (left) vs /metrics (right)");
    let rw = &status(port)["remote_write"];
    assert_eq!((rw["failing"].as_bool(), rw["dropped_queue_full"].as_u64(), rw["dropped_refused"].as_u64()), (Some(false), Some(0), Some(0)), "{rw:#}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unreachable_store_is_said_and_the_server_keeps_serving() {
    let nobody = free_port();
    let (_up, port) = kinsight_up(&["--remote-write", &format!("http://127.0.0.1:{nobody}/api/v1/write"), "--remote-write-interval", "1"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    let rw = loop {
        let rw = status(port)["remote_write"].clone();
        if rw["failed_attempts"].as_u64().unwrap_or(0) >= 2 {
            break rw;
        }
        assert!(Instant::now() < deadline, "{rw:#}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(rw["failing"], true, "{rw:#}");
    assert!(rw["last_error"].as_str().unwrap().contains(&nobody.to_string()), "{rw:#}");
    assert!(rw["queued_samples"].as_u64().unwrap() > 0 && rw["sent_samples"] == 0, "{rw:#}");
    // Its own node is still served.
    let (code, body) = http_get(port, "/api/entities?hierarchy=logical").unwrap();
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("critical-app"));
}

#[test]
fn a_bad_remote_write_url_is_a_clear_error() {
    let out = Command::new(KINSIGHT).args(["up", "--replay"]).arg(k8s_capture()).args(["--bind", "127.0.0.1:0", "--remote-write", "victoria:8428"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--remote-write") && err.contains("http://"), "{err}");
}
