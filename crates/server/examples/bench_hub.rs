//! Benchmark of the hub's group-by through a store: a made-up cluster of 10 000 pods
//! (100 namespaces × 10 deployments × 10 pods on 200 nodes) whose agents wrote one hour of
//! series every 10 s into a real VictoriaMetrics (backfilled here by remote write, the
//! series and labels of /metrics), and the hub (`--store`) answering the explorer's
//! queries over HTTP: each one a PromQL query to the store joined with the hub's model.
//! Prints p50/p95/max per query and the hub's memory.
//!
//!   victoria-metrics -storageDataPath=/tmp/vm -httpListenAddr=127.0.0.1:8428 &
//!   cargo run --release -p kinsight-server --example bench_hub -- http://127.0.0.1:8428
//!
//! The backfill takes minutes; `-- URL END_S` asks again over the hour a previous run wrote
//! (it prints its END_S) without writing it again.

#[path = "support/http_get.rs"]
mod http_get;
use http_get::get;

use kinsight_history::*;
use kinsight_remote_write::{Auth, RemoteWriter, TimeSeries, WriterConfig};
use kinsight_server::cluster::StoreOptions;
use kinsight_server::{start_with, UpOptions};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const NAMESPACES: usize = 100;
const DEPLOYMENTS: usize = 10;
const PODS: usize = 10;
const NODES: usize = 200;
const STEP_S: i64 = 10;
const HOUR_S: i64 = 3600;

struct Pod {
    namespace: String,
    name: String,
    node: String,
}

/// The hub's model of the cluster: what its watch would hold.
fn cluster() -> (History, Vec<Pod>) {
    let mut h = History::new(HistoryConfig::default());
    let c = &mut h.catalog;
    c.set_local_node("hub");
    let mut pods = Vec::new();
    for ns in 0..NAMESPACES {
        let namespace = format!("ns-{ns:03}");
        c.upsert_namespace(NamespaceMeta { uid: format!("ns-{ns}"), name: namespace.clone(), ..Default::default() });
        for d in 0..DEPLOYMENTS {
            let deploy = format!("deploy-{d}");
            let svc = format!("svc-{ns}-{d}");
            c.upsert_service(ServiceMeta { uid: svc.clone(), name: deploy.clone(), namespace: namespace.clone(), ..Default::default() });
            for p in 0..PODS {
                let n = pods.len();
                let (uid, name, node) = (format!("pod-{ns}-{d}-{p}"), format!("{deploy}-5d8f-{p:02}"), format!("node-{:03}", n % NODES));
                let owners = vec![
                    OwnerMeta { kind: "ReplicaSet".into(), name: format!("{deploy}-5d8f"), uid: format!("rs-{ns}-{d}") },
                    OwnerMeta { kind: "Deployment".into(), name: deploy.clone(), uid: format!("dep-{ns}-{d}") },
                ];
                c.upsert_pod(PodMeta { uid: uid.clone(), name: name.clone(), namespace: namespace.clone(), node: Some(node.clone()), owners, services: vec![svc.clone()], ..Default::default() });
                c.upsert_container(ContainerMeta { id: format!("c{n:011}"), name: "app".into(), pod_uid: Some(uid), pod_container_name: Some("app".into()), ..Default::default() });
                pods.push(Pod { namespace: namespace.clone(), name, node });
            }
        }
    }
    (h, pods)
}

/// An hour of the agents' rounds, every 10 s, ending at `end_s`.
fn backfill(url: &str, pods: &[Pod], end_s: i64) -> u64 {
    let mut config = WriterConfig::new(format!("{url}/api/v1/write"));
    config.max_queued_samples = 50_000_000;
    let w = RemoteWriter::start(config);
    let mut sent = 0u64;
    let t0 = Instant::now();
    for round in 0..=HOUR_S / STEP_S {
        let t_ms = (end_s - HOUR_S + round * STEP_S) * 1000;
        let k = round as f64;
        let mut batch = Vec::with_capacity(pods.len() * 7);
        for (i, p) in pods.iter().enumerate() {
            let l = |extra: &[(&str, &str)]| -> Vec<(String, String)> {
                let mut v = vec![("namespace".to_string(), p.namespace.clone()), ("pod".to_string(), p.name.clone()), ("node".to_string(), p.node.clone()), ("job".to_string(), "kinsight".to_string())];
                v.extend(extra.iter().map(|(a, b)| (a.to_string(), b.to_string())));
                v
            };
            let c = l(&[("container", "app")]);
            batch.push(TimeSeries::new("container_cpu_usage_seconds_total", c.clone(), k * 0.05 * (1 + i % 3) as f64, t_ms));
            batch.push(TimeSeries::new("container_memory_rss", c.clone(), 50e6, t_ms));
            batch.push(TimeSeries::new("kinsight_container_network_receive_bytes_total", c.clone(), k * 10_000.0, t_ms));
            batch.push(TimeSeries::new("kinsight_container_network_transmit_bytes_total", c.clone(), k * 20_000.0, t_ms));
            batch.push(TimeSeries::new("kinsight_container_file_read_bytes_total", c.clone(), k * 100.0, t_ms));
            batch.push(TimeSeries::new("kinsight_container_file_write_bytes_total", c, k * 50.0, t_ms));
            batch.push(TimeSeries::new("kinsight_http_requests_total", l(&[("direction", "served"), ("code", "200"), ("workload", "x"), ("workload_kind", "Deployment")]), k * 3.0, t_ms));
        }
        for n in 0..NODES {
            batch.push(TimeSeries::new("kinsight_agent_info", [("node".to_string(), format!("node-{n:03}")), ("job".to_string(), "kinsight".to_string())], 1.0, t_ms));
        }
        sent += batch.len() as u64;
        w.push(batch);
    }
    assert!(w.flush(Duration::from_secs(900)), "backfill not sent: {:?}", w.stats());
    eprintln!("backfill: {sent} samples in {:.1} s ({:?})", t0.elapsed().as_secs_f64(), w.stats().dropped_refused);
    sent
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok()).map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let url = std::env::args().nth(1).expect("usage: bench_hub http://VICTORIA-METRICS:8428").trim_end_matches('/').to_string();
    let (history, pods) = cluster();
    let end_s = match std::env::args().nth(2) {
        Some(end) => end.parse().expect("END_S: the seconds since the epoch a previous run printed"),
        None => {
            let end_s = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
            backfill(&url, &pods, end_s);
            // VictoriaMetrics makes recent samples searchable within a second or so.
            let _ = store_get(&url, "/internal/force_flush");
            std::thread::sleep(Duration::from_secs(3));
            end_s
        }
    };
    eprintln!("hour ending at END_S={end_s}");

    let mut opts = UpOptions::new("127.0.0.1:0".parse().unwrap());
    opts.store = Some(StoreOptions { url: url.clone(), auth: Auth::None, timeout: Duration::from_secs(60), stale_after: Duration::from_secs(30), agent_token: None, agent_timeout: Duration::from_secs(5) });
    let server = start_with(opts, Some(history)).expect("hub starts");
    let before = rss_mib();
    // Without END_S the page is live: the last hour up to now, asked again as time passes.
    let live = std::env::args().nth(2).is_none();
    let range = move || {
        let to = if live { SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64 } else { end_s as u64 * 1_000_000_000 };
        format!("from={}&to={to}", to - HOUR_S as u64 * 1_000_000_000)
    };
    // BENCH_HUB_TIMES asks each query fewer times, for a quick look.
    let asks: usize = std::env::var("BENCH_HUB_TIMES").ok().and_then(|t| t.parse().ok()).unwrap_or(30);
    let queries = [
        ("namespaces (logical root)", format!("/api/entities?hierarchy=logical&{{range}}")),
        ("workloads of one namespace", format!("/api/entities?hierarchy=logical&level=workload&filter=k8s.ns.name%3Dns-042&{{range}}")),
        ("all 1,000 workloads", format!("/api/entities?hierarchy=logical&level=workload&{{range}}")),
        ("all 10,000 pods, top 100 by net", format!("/api/entities?hierarchy=logical&level=pod&limit=100&{{range}}")),
        ("200 nodes (physical root)", format!("/api/entities?hierarchy=physical&{{range}}")),
        ("services of one namespace", format!("/api/entities?hierarchy=services&level=service&filter=k8s.ns.name%3Dns-042&{{range}}")),
        ("chart of the cluster, 300 points", format!("/api/series?points=300&{{range}}")),
    ];
    // The first ask of each query is timed apart: the hub's cache of the store's blocks
    // is cold then for the blocks of the range nothing asked before.
    println!("| query | first ask ms | p50 ms | p95 ms | max ms | reply bytes |");
    println!("|---|---:|---:|---:|---:|---:|");
    let ask = |path: &str| {
        let t = Instant::now();
        let (status, n) = get(server.addr, path);
        assert_eq!(status, 200, "{path}");
        (t.elapsed().as_secs_f64() * 1000.0, n)
    };
    for (name, path) in &queries {
        let (first, _) = ask(&path.replace("{range}", &range()));
        let mut times = Vec::new();
        let mut bytes = 0;
        for _ in 0..asks {
            let (ms, n) = ask(&path.replace("{range}", &range()));
            times.push(ms);
            bytes = n;
            // A live page asks again every second or so.
            std::thread::sleep(Duration::from_millis(if live { 1000 } else { 0 }));
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!("| {name} | {first:.1} | {:.1} | {:.1} | {:.1} | {bytes} |", times[times.len() / 2], times[(times.len() * 95).div_ceil(100) - 1], times[times.len() - 1]);
    }
    println!("\nhub RSS: {before:.0} MiB after start (model of 10,000 pods), {:.0} MiB after the queries", rss_mib());
    server.stop();
}

fn store_get(base: &str, path: &str) -> Option<u16> {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    buf.split(' ').nth(1)?.parse().ok()
}
