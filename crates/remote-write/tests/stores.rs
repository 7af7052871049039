//! Remote write against real stores, started by the tests: VictoriaMetrics 1.79 (Debian
//! `victoria-metrics`) and Prometheus 2.42 with its remote-write receiver. What the store
//! holds afterwards is read back through its own query API and compared sample by sample.
//! Outages are real too: the store's process is stopped and started again on its data.

use kinsight_remote_write::{RemoteWriter, TimeSeries, WriterConfig, WriterStats};
use serde_json::Value;
use kinsight_teststores::{free_port, http_get, StoreProcess as Store};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kinsight-rw-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// `rounds` rounds of `per_round` series, one sample each, 10 s apart, ending now.
fn rounds(name: &str, rounds: usize, per_round: usize, t0: i64) -> Vec<Vec<TimeSeries>> {
    (0..rounds)
        .map(|r| {
            (0..per_round)
                .map(|i| TimeSeries::new(name, [("pod".to_string(), format!("pod-{i}")), ("namespace".to_string(), "shop".to_string())], (r * 1000 + i) as f64 + 0.5, t0 + r as i64 * 10_000))
                .collect()
        })
        .collect()
}

fn wait_sent(w: &RemoteWriter, samples: u64, within: Duration) -> WriterStats {
    let deadline = Instant::now() + within;
    loop {
        let s = w.stats();
        if s.sent_samples + s.dropped_queue_full + s.dropped_refused >= samples && s.queued_samples == 0 {
            return s;
        }
        assert!(Instant::now() < deadline, "not sent in {within:?}: {s:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every (pod, timestamp, value) VictoriaMetrics holds for `name`.
fn vm_export(store: &Store, name: &str) -> Vec<(String, i64, f64)> {
    let _ = http_get(store.port, "/internal/force_flush");
    let (status, body) = http_get(store.port, &format!("/api/v1/export?match[]={name}")).expect("victoria-metrics answers");
    assert_eq!(status, 200, "{body}");
    let mut out = vec![];
    for line in body.lines().filter(|l| !l.is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap();
        let pod = v["metric"]["pod"].as_str().unwrap().to_string();
        assert_eq!(v["metric"]["namespace"], "shop");
        for (t, x) in v["timestamps"].as_array().unwrap().iter().zip(v["values"].as_array().unwrap()) {
            out.push((pod.clone(), t.as_i64().unwrap(), x.as_f64().unwrap()));
        }
    }
    out.sort_by(|a, b| a.partial_cmp(b).unwrap());
    out
}

fn expected(rounds: &[Vec<TimeSeries>]) -> Vec<(String, i64, f64)> {
    let mut out: Vec<(String, i64, f64)> = rounds
        .iter()
        .flatten()
        .map(|s| (s.labels.iter().find(|l| l.0 == "pod").unwrap().1.clone(), s.timestamp_ms, s.value))
        .collect();
    out.sort_by(|a, b| a.partial_cmp(b).unwrap());
    out
}

#[test]
fn victoria_metrics_holds_every_sample_sent() {
    let dir = temp_dir("vm");
    let store = Store::victoria_metrics(&dir);
    let w = RemoteWriter::start(WriterConfig::new(store.url("/api/v1/write")));
    let data = rounds("kinsight_test_bytes_total", 3, 500, now_ms() - 30_000);
    for r in &data {
        w.push(r.clone());
    }
    let stats = wait_sent(&w, 1500, Duration::from_secs(20));
    assert_eq!((stats.sent_samples, stats.dropped_queue_full, stats.dropped_refused, stats.failed_attempts), (1500, 0, 0, 0), "{stats:?}");
    assert_eq!(vm_export(&store, "kinsight_test_bytes_total"), expected(&data));
}

#[test]
fn an_outage_of_the_store_loses_nothing_and_says_so() {
    let dir = temp_dir("vm-outage");
    let mut store = Store::victoria_metrics(&dir);
    let mut config = WriterConfig::new(store.url("/api/v1/write"));
    config.min_backoff = Duration::from_millis(200);
    config.max_backoff = Duration::from_secs(2);
    let w = RemoteWriter::start(config);
    let data = rounds("kinsight_outage_total", 8, 200, now_ms() - 80_000);
    w.push(data[0].clone());
    wait_sent(&w, 200, Duration::from_secs(20));
    // The store goes away; an agent keeps pushing every "interval".
    store.stop();
    for r in &data[1..] {
        w.push(r.clone());
        std::thread::sleep(Duration::from_millis(500));
    }
    let during = w.stats();
    assert!(during.failing && during.failed_attempts > 0, "{during:?}");
    assert!(during.last_error.as_deref().is_some_and(|e| e.contains(&store.port.to_string())), "the error names the store: {during:?}");
    assert_eq!((during.queued_samples, during.dropped_queue_full), (1400, 0), "{during:?}");
    store.restart();
    let after = wait_sent(&w, 1600, Duration::from_secs(30));
    assert_eq!((after.sent_samples, after.dropped_queue_full, after.failing), (1600, 0, false), "{after:?}");
    assert_eq!(vm_export(&store, "kinsight_outage_total"), expected(&data));
}

#[test]
fn a_longer_outage_drops_the_oldest_and_counts_them() {
    // Nothing listens: every attempt fails.
    let port = free_port();
    let mut config = WriterConfig::new(format!("http://127.0.0.1:{port}/api/v1/write"));
    config.max_queued_samples = 1000;
    config.max_series_per_request = 300;
    config.min_backoff = Duration::from_millis(50);
    let w = RemoteWriter::start(config);
    for r in rounds("kinsight_dropped_total", 10, 300, now_ms()) {
        w.push(r);
    }
    std::thread::sleep(Duration::from_millis(300));
    let s = w.stats();
    // 3,000 given, at most 1,000 kept (plus the one in flight): the rest dropped, counted.
    assert_eq!(s.queued_samples + s.dropped_queue_full, 3000, "{s:?}");
    assert!(s.queued_samples <= 1300 && s.dropped_queue_full >= 1700, "{s:?}");
    assert_eq!(s.sent_samples, 0);
}

#[test]
fn what_the_store_refuses_is_dropped_with_its_answer() {
    let dir = temp_dir("vm-refused");
    let store = Store::victoria_metrics(&dir);
    // A path VictoriaMetrics does not serve: a 4xx, never worth retrying.
    let w = RemoteWriter::start(WriterConfig::new(store.url("/api/v1/no-such-write")));
    w.push(rounds("kinsight_refused_total", 1, 10, now_ms()).remove(0));
    let s = wait_sent(&w, 10, Duration::from_secs(10));
    assert_eq!((s.sent_samples, s.dropped_refused), (0, 10), "{s:?}");
    assert!(s.last_error.as_deref().is_some_and(|e| e.contains("HTTP 4")), "{s:?}");
}

#[test]
fn prometheus_with_its_receiver_holds_every_sample_sent() {
    let dir = temp_dir("prom");
    let store = Store::prometheus(&dir);
    let w = RemoteWriter::start(WriterConfig::new(store.url("/api/v1/write")));
    let t0 = now_ms() - 20_000;
    let data = rounds("kinsight_prom_total", 3, 50, t0);
    for r in &data {
        w.push(r.clone());
    }
    let stats = wait_sent(&w, 150, Duration::from_secs(20));
    assert_eq!((stats.sent_samples, stats.dropped_refused), (150, 0), "{stats:?}");
    // Prometheus' own query API, over the three rounds.
    let q = format!("/api/v1/query_range?query=kinsight_prom_total&start={:.3}&end={:.3}&step=10", t0 as f64 / 1000.0, (t0 + 20_000) as f64 / 1000.0);
    let (status, body) = http_get(store.port, &q).unwrap();
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let mut got: Vec<(String, i64, f64)> = vec![];
    for series in v["data"]["result"].as_array().unwrap() {
        for p in series["values"].as_array().unwrap() {
            got.push((series["metric"]["pod"].as_str().unwrap().to_string(), (p[0].as_f64().unwrap() * 1000.0).round() as i64, p[1].as_str().unwrap().parse().unwrap()));
        }
    }
    got.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(got, expected(&data));
}
