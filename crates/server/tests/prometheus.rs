//! /metrics: Prometheus text with cAdvisor's names where they mean the same, Kubernetes
//! labels, HTTP histograms; `promtool` accepts it and a real Prometheus 2.42 (the Debian
//! package) scrapes it and answers queries with the pods' series.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn sample<'a>(text: &'a str, name: &str, labels: &[&str]) -> Option<&'a str> {
    text.lines().filter(|l| !l.starts_with('#')).find(|l| l.starts_with(&format!("{name}{{")) && labels.iter().all(|x| l.contains(x))).and_then(|l| l.rsplit(' ').next())
}

#[test]
fn metrics_use_cadvisor_names_and_kubernetes_labels() {
    let s = replay_server(None);
    let r = get(s.addr, "/metrics", None);
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/plain; version=0.0.4"));
    let m = &r.body;
    let pod = ["namespace=\"critical-app\"", "pod=\"backend-1440326531-csj02\"", "container=\"backend\"", "node=\"10.0.2.15\""];
    assert!(sample(m, "container_cpu_usage_seconds_total", &pod).is_some(), "cpu of the backend container");
    let rss: f64 = sample(m, "container_memory_rss", &pod).unwrap().parse().unwrap();
    assert!(rss > 1e6, "resident memory {rss}");
    assert!(sample(m, "container_cpu_usage_seconds_total", &["pod=\"backend-1440326531-csj02\"", "container=\"POD\""]).is_some(), "the sandbox as cAdvisor names it");
    let net_in: f64 = sample(m, "kinsight_container_network_receive_bytes_total", &pod).unwrap().parse().unwrap();
    let net_out: f64 = sample(m, "kinsight_container_network_transmit_bytes_total", &pod).unwrap().parse().unwrap();
    assert_eq!(net_in + net_out, 952.0);
    // HTTP per pod and workload, and the latency histogram.
    let served = ["pod=\"backend-1440326531-csj02\"", "workload=\"backend\"", "workload_kind=\"Deployment\"", "direction=\"served\"", "code=\"200\""];
    assert_eq!(sample(m, "kinsight_http_requests_total", &served), Some("1"));
    assert_eq!(sample(m, "kinsight_workload_http_requests_total", &["workload=\"backend\"", "direction=\"served\""]), Some("1"));
    let buckets: Vec<(&str, f64)> = m
        .lines()
        .filter(|l| l.starts_with("kinsight_http_request_duration_seconds_bucket{") && l.contains("backend-1440326531-csj02"))
        .map(|l| (l.split("le=\"").nth(1).unwrap().split('"').next().unwrap(), l.rsplit(' ').next().unwrap().parse().unwrap()))
        .collect();
    assert_eq!(buckets.first().map(|b| b.0), Some("0.005"));
    assert_eq!(buckets.last(), Some(&("+Inf", 1.0)));
    assert!(buckets.windows(2).all(|w| w[0].1 <= w[1].1), "cumulative buckets");
    assert_eq!(sample(m, "kinsight_http_request_duration_seconds_count", &["pod=\"backend-1440326531-csj02\""]), Some("1"));
    // Bytes per peer: the backend pod talked to the client pod on port 80.
    let peer = ["pod=\"backend-1440326531-csj02\"", "peer_kind=\"pod\"", "peer=\"client\"", "port=\"80\"", "direction=\"out\""];
    assert_eq!(sample(m, "kinsight_connection_bytes_total", &peer), Some("850"));

    // promtool (from the same package as Prometheus) must accept the exposition.
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (Debian package prometheus) is installed");
    child.stdin.take().unwrap().write_all(m.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "promtool check metrics:\n{report}");
    s.stop();
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Prometheus {
    child: Child,
    dir: std::path::PathBuf,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn prometheus_scrapes_metrics_and_returns_the_pods_series() {
    let s = replay_server(None);
    let dir = std::env::temp_dir().join(format!("kinsight-prometheus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: kinsight\n    static_configs:\n      - targets: ['{}']\n",
        s.addr
    );
    std::fs::write(dir.join("prometheus.yml"), config).unwrap();
    let port = free_port();
    let prom_addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", dir.join("prometheus.yml").display()))
        .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
        .arg(format!("--web.listen-address={prom_addr}"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("prometheus.log")).unwrap())
        .spawn()
        .expect("prometheus (Debian package) is installed");
    let prom = Prometheus { child, dir: dir.clone() };

    // Ask until the first scrapes are in (bounded: Prometheus starts in a few seconds).
    let query = enc("container_cpu_usage_seconds_total{namespace=\"critical-app\"}");
    let started = Instant::now();
    let result = loop {
        assert!(started.elapsed() < Duration::from_secs(60), "no series after 60 s; log:\n{}", std::fs::read_to_string(dir.join("prometheus.log")).unwrap_or_default());
        std::thread::sleep(Duration::from_millis(500));
        let Ok(r) = std::panic::catch_unwind(|| get(prom_addr, &format!("/api/v1/query?query={query}"), None)) else { continue };
        if r.status != 200 {
            continue;
        }
        let v = r.json();
        let result = v["data"]["result"].as_array().cloned().unwrap_or_default();
        if !result.is_empty() {
            break result;
        }
    };
    let pods: BTreeSet<String> = result.iter().map(|s| s["metric"]["pod"].as_str().unwrap().to_string()).collect();
    assert_eq!(pods, ["backend-1440326531-csj02", "backend-1440326531-xws32", "backend-1440326531-zwl37", "client"].into_iter().map(String::from).collect());
    for s in &result {
        let m = &s["metric"];
        assert_eq!(m["namespace"], "critical-app");
        assert_eq!(m["node"], "10.0.2.15");
        assert_eq!(m["job"], "kinsight");
        let c = m["container"].as_str().unwrap();
        assert!(["backend", "client", "POD"].contains(&c), "container label {c}");
    }
    // HTTP requests per workload, through PromQL.
    let q = enc("sum by (workload) (kinsight_workload_http_requests_total{namespace=\"critical-app\",direction=\"served\"})");
    let v = get(prom_addr, &format!("/api/v1/query?query={q}"), None).json();
    assert_eq!(v["data"]["result"][0]["metric"]["workload"], "backend");
    assert_eq!(v["data"]["result"][0]["value"][1], "1");
    drop(prom);
    s.stop();
}
