//! Queries against real stores started by the tests (VictoriaMetrics 1.79, Prometheus 2.42):
//! samples written with remote write are read back with PromQL, labels and values equal;
//! a query the store rejects and a store that is not there are errors that say so.

use kinsight_promql::{quote, QueryError, Store};
use kinsight_remote_write::{Auth, RemoteWriter, TimeSeries, WriterConfig};
use kinsight_teststores::StoreProcess;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kinsight-promql-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn now_s() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64().floor()
}

/// A counter of three pods, 6 samples 10 s apart ending now: pod-i grows by i+1 per sample.
fn write_counters(process: &StoreProcess, t_end: f64) {
    let w = RemoteWriter::start(WriterConfig::new(process.url("/api/v1/write")));
    for r in 0..6 {
        let t_ms = ((t_end - 50.0 + r as f64 * 10.0) * 1000.0) as i64;
        let batch: Vec<TimeSeries> = (0..3)
            .map(|i| TimeSeries::new("kinsight_test_bytes_total", [("namespace".to_string(), "shop".to_string()), ("pod".to_string(), format!("pod-{i}"))], ((i + 1) * r) as f64, t_ms))
            .collect();
        w.push(batch);
    }
    assert!(w.flush(Duration::from_secs(20)), "{:?}", w.stats());
    let _ = process.get("/internal/force_flush");
}

fn check_store(process: &StoreProcess) {
    let t = now_s();
    write_counters(process, t);
    let store = Store::new(&process.url(""), Auth::None, Duration::from_secs(10)).unwrap();
    // Searchable once indexed (VictoriaMetrics takes up to a second): wait for the last round.
    let deadline = Instant::now() + Duration::from_secs(30);
    let last = loop {
        let v = store.instant("kinsight_test_bytes_total", t).unwrap();
        if v.len() == 3 && v.iter().map(|s| s.value).sum::<f64>() == 30.0 {
            break v;
        }
        assert!(Instant::now() < deadline, "the last round never searchable: {v:?}");
        std::thread::sleep(Duration::from_millis(200));
    };
    for s in &last {
        let i: f64 = s.labels["pod"].trim_start_matches("pod-").parse().unwrap();
        assert_eq!(s.labels["namespace"], "shop");
        assert_eq!(s.value, (i + 1.0) * 5.0, "{s:?}");
        assert_eq!(s.t, t);
    }
    let sum = store.instant(&format!("sum by (namespace) (kinsight_test_bytes_total{{namespace={}}})", quote("shop")), t).unwrap();
    assert_eq!(sum.len(), 1);
    assert_eq!(sum[0].value, 5.0 + 10.0 + 15.0);
    // A range query: every sample, one point per step.
    let range = store.range("kinsight_test_bytes_total{pod=\"pod-2\"}", t - 50.0, t, 10.0).unwrap();
    assert_eq!(range.len(), 1);
    let values: Vec<f64> = range[0].points.iter().map(|p| p.1).collect();
    assert_eq!(values, vec![0.0, 3.0, 6.0, 9.0, 12.0, 15.0]);
    assert_eq!(range[0].points[0].0, t - 50.0);
    // Scalars come back as one unlabelled sample.
    assert_eq!(store.instant("scalar(sum(kinsight_test_bytes_total))", t).unwrap()[0].value, 30.0);
    // What the store refuses, it says why.
    match store.instant("sum(", t) {
        Err(e @ QueryError::Rejected { .. }) => assert!(e.to_string().contains(&process.port.to_string()), "{e}"),
        other => panic!("a syntax error is rejected: {other:?}"),
    }
}

#[test]
fn victoria_metrics_answers_promql_with_what_was_written() {
    let dir = temp_dir("vm");
    let process = StoreProcess::victoria_metrics(&dir);
    check_store(&process);
}

#[test]
fn prometheus_answers_promql_with_what_was_written() {
    let dir = temp_dir("prom");
    let process = StoreProcess::prometheus(&dir);
    check_store(&process);
}

#[test]
fn a_store_that_is_not_there_is_named() {
    let port = kinsight_teststores::free_port();
    let store = Store::new(&format!("http://127.0.0.1:{port}"), Auth::None, Duration::from_secs(2)).unwrap();
    match store.instant("up", now_s()) {
        Err(e @ QueryError::Unreachable { .. }) => assert!(e.to_string().contains(&format!("127.0.0.1:{port}")), "{e}"),
        other => panic!("{other:?}"),
    }
}
