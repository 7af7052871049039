//! Benchmark of the API's group-by over a large made-up cluster: 10 000 pods (100
//! namespaces × 10 deployments × 10 pods, two processes each: the app and the sandbox)
//! with one hour of history at one sample per second, served by the real server and asked
//! over HTTP. Prints p50/p95/max per query.
//!
//!   cargo run --release -p kinsight-server --example bench_api [-- --serve]
//!
//! With `--serve` it keeps serving afterwards (the URL is printed) for the UI render
//! benchmark, `node ui/e2e/render-bench.mjs URL`.

#[path = "support/http_get.rs"]
mod http_get;
use http_get::get;

use kinsight_history::*;
use kinsight_server::{start_with, UpOptions};
use std::time::{Duration, Instant};

const S: u64 = 1_000_000_000;
const NAMESPACES: usize = 100;
const DEPLOYMENTS: usize = 10;
const PODS: usize = 10;
const HOUR: u64 = 3600;

fn build() -> History {
    let mut h = History::new(HistoryConfig { max_bytes: 8 << 30, ..HistoryConfig::default() });
    let end = 1_700_000_000 * S;
    let start = end - HOUR * S;
    let c = &mut h.catalog;
    c.set_local_node("node-0");
    let mut app = Vec::new();
    let mut sandbox = Vec::new();
    let mut n = 0;
    for ns in 0..NAMESPACES {
        let namespace = format!("ns-{ns:03}");
        c.upsert_namespace(NamespaceMeta { uid: format!("ns-uid-{ns}"), name: namespace.clone(), ..Default::default() });
        for d in 0..DEPLOYMENTS {
            let deploy = format!("deploy-{d}");
            let svc_uid = format!("svc-{ns}-{d}");
            c.upsert_service(ServiceMeta { uid: svc_uid.clone(), name: deploy.clone(), namespace: namespace.clone(), cluster_ip: Some(format!("10.96.{ns}.{d}").parse().unwrap()), ..Default::default() });
            for p in 0..PODS {
                let uid = format!("pod-{ns}-{d}-{p}");
                let name = format!("{deploy}-7f9c-{p:02}");
                let labels = [("app".to_string(), deploy.clone()), ("half".to_string(), if n % 2 == 0 { "a" } else { "b" }.to_string())].into_iter().collect();
                c.upsert_pod(PodMeta {
                    uid: uid.clone(),
                    name,
                    namespace: namespace.clone(),
                    node: Some(format!("node-{}", n % 50)),
                    ip: Some(format!("172.{}.{}.{}", 16 + n / 65536, (n / 256) % 256, n % 256).parse().unwrap()),
                    host_network: false,
                    labels,
                    owners: vec![
                        OwnerMeta { kind: "ReplicaSet".into(), name: format!("{deploy}-7f9c"), uid: format!("rs-{ns}-{d}") },
                        OwnerMeta { kind: "Deployment".into(), name: deploy.clone(), uid: format!("dep-{ns}-{d}") },
                    ],
                    services: vec![svc_uid.clone()],
                    ..Default::default()
                });
                for (k, cid) in [("app", format!("a{n:011}")), ("POD", format!("p{n:011}"))] {
                    c.upsert_container(ContainerMeta { id: cid.clone(), name: k.into(), pod_uid: Some(uid.clone()), pod_container_name: Some(k.into()), ..Default::default() });
                    let id = c.intern_series(ProcessKey { container: Some(cid), pid: 100 + n as i64 }, if k == "app" { "server" } else { "pause" }, "", start);
                    if k == "app" { app.push(id) } else { sandbox.push(id) }
                }
                n += 1;
            }
        }
    }
    let t0 = Instant::now();
    for sec in 0..HOUR {
        let ts = start + sec * S;
        let mut procs: Vec<(SeriesId, Counters)> = app
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let busy = (i as u64 + sec).is_multiple_of(7);
                (*id, Counters { cpu_ticks: 1 + (i % 3) as u32, rss_kb: 50_000, net_in: 1000 + i as u64, net_out: 2000, file_read: 10, http_in: u32::from(busy), http_in_latency_us: if busy { 1500 } else { 0 }, ..Default::default() })
            })
            .collect();
        if sec % 10 == 0 {
            procs.extend(sandbox.iter().map(|id| (*id, Counters { rss_kb: 500, ..Default::default() })));
        }
        h.record(Sample { ts_ns: ts, procs, ..Default::default() });
    }
    for id in app.iter().chain(&sandbox) {
        // Every process lived through the hour.
        let key = h.catalog.series(*id).unwrap().key.clone();
        h.catalog.intern_series(key, "server", "", end - S);
    }
    eprintln!("history: {} series, {} s of samples, {:.0} MiB, filled in {:.1} s", h.catalog.series_count(), HOUR, h.heap_bytes() as f64 / (1 << 20) as f64, t0.elapsed().as_secs_f64());
    h
}

/// Where the time of the largest query goes, measured in-process (no HTTP).
fn breakdown(h: &History) {
    use kinsight_server::entities::{EntityIndex, Hierarchy, Level};
    use kinsight_server::params::TimeRange;
    use kinsight_server::query;
    let (_, end) = h.data_range().unwrap();
    let range = TimeRange { from: end - HOUR * S, to: end };
    let t = Instant::now();
    let ix = EntityIndex::build(&h.catalog);
    let index_ms = t.elapsed().as_secs_f64() * 1e3;
    let mut parts = [0f64; 5];
    let runs = 20;
    for _ in 0..runs {
        let t = Instant::now();
        let totals = query::RangeTotals::of_history(h, range, None);
        parts[0] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let sel = query::select_series(h, &ix, None, range, None, None::<&[bool]>);
        parts[1] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut rows = query::entity_rows(h, &ix, &query::Grouping::new(&Hierarchy::Logical, Level::Pod, None), range, &sel, &totals);
        parts[2] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        query::sort_rows(&mut rows, "net_bytes", true);
        parts[3] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let text = serde_json::to_string(&rows).unwrap();
        parts[4] += t.elapsed().as_secs_f64();
        std::hint::black_box(text);
    }
    let ms = |x: f64| x / runs as f64 * 1e3;
    println!(
        "\nall pods, in-process (mean of {runs}): entity index build (once, cached) {index_ms:.1} ms; series totals over 1 h {:.1} ms; select series {:.1} ms; group by pod (includes totals) {:.1} ms; sort {:.1} ms; JSON {:.1} ms",
        ms(parts[0]),
        ms(parts[1]),
        ms(parts[2]),
        ms(parts[3]),
        ms(parts[4])
    );
}

fn main() {
    let serve = std::env::args().any(|a| a == "--serve");
    let history = build();
    breakdown(&history);
    let mut opts = UpOptions::new("127.0.0.1:0".parse().unwrap());
    opts.history.max_bytes = 8 << 30;
    let server = start_with(opts, Some(history)).expect("server");
    let a = server.addr;
    let queries = [
        ("namespaces (100 rows)", "/api/entities?hierarchy=logical&from=-1h"),
        ("deployments (1000 rows)", "/api/entities?hierarchy=logical&level=workload&from=-1h"),
        ("pods of one namespace", "/api/entities?hierarchy=logical&parent=ns:ns-042&level=pod&from=-1h"),
        ("all pods (10000 rows)", "/api/entities?hierarchy=logical&level=pod&from=-1h&limit=10000"),
        ("nodes (50 rows)", "/api/entities?hierarchy=physical&from=-1h"),
        ("label app (10 rows)", "/api/entities?hierarchy=label:app&from=-1h"),
        ("namespaces, filtered", "/api/entities?hierarchy=logical&from=-1h&filter=k8s.pod.label.half%3Da"),
        ("namespaces, last 5 min", "/api/entities?hierarchy=logical&from=-5m"),
        ("series of a namespace", "/api/series?entity=ns:ns-042&from=-1h"),
    ];
    println!("| query | rows/bytes | p50 ms | p95 ms | max ms |");
    println!("|---|---|---|---|---|");
    for (name, q) in queries {
        let (status, size) = get(a, q);
        assert_eq!(status, 200, "{q}");
        let mut lat: Vec<f64> = (0..60)
            .map(|_| {
                let t = Instant::now();
                get(a, q);
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        lat.sort_by(|x, y| x.total_cmp(y));
        let p = |q: f64| lat[((lat.len() as f64 - 1.0) * q).round() as usize];
        println!("| {name} | {size} B | {:.1} | {:.1} | {:.1} |", p(0.5), p(0.95), lat[lat.len() - 1]);
    }
    if serve {
        println!("serving {} (Ctrl-C stops)", server.url());
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    server.stop();
}
