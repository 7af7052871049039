//! A fleet of simulated agents remote-writing to one VictoriaMetrics: NODES agents (one
//! RemoteWriter each, as every `kinsight agent` has) of PODS pods, each pod with the series
//! an agent's /metrics has for it (two containers, the app and the sandbox: CPU, memory,
//! socket and file bytes; HTTP requests by code and direction; a latency histogram; bytes
//! per peer), pushing every INTERVAL seconds for ROUNDS rounds.
//!
//! Prints the samples/s the store ingested (its own `vm_rows_inserted_total`), the CPU the
//! agents' sending took per pod and round, and the store's memory.
//!
//! `cargo run --release -p kinsight-remote-write --example fleet_bench -- URL NODES PODS INTERVAL ROUNDS`

use kinsight_remote_write::{RemoteWriter, TimeSeries, WriterConfig};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn pod_series(node: usize, pod: usize, round: usize, ts: i64) -> Vec<TimeSeries> {
    let base = |container: &str| {
        vec![
            ("namespace".to_string(), format!("ns-{}", pod % 10)),
            ("pod".to_string(), format!("web-{node}-{pod}")),
            ("container".to_string(), container.to_string()),
            ("node".to_string(), format!("node-{node}")),
            ("job".to_string(), "kinsight".to_string()),
        ]
    };
    let v = (round * 1000 + pod) as f64;
    let mut out = vec![];
    for c in ["app", "POD"] {
        for name in [
            "container_cpu_usage_seconds_total",
            "container_memory_rss",
            "container_memory_working_set_bytes",
            "kinsight_container_network_receive_bytes_total",
            "kinsight_container_network_transmit_bytes_total",
            "kinsight_container_file_read_bytes_total",
            "kinsight_container_file_write_bytes_total",
        ] {
            out.push(TimeSeries::new(name, base(c), v, ts));
        }
    }
    let wl = |extra: Vec<(String, String)>| {
        let mut l = base("app");
        l.retain(|(k, _)| k != "container");
        l.push(("workload".into(), format!("web-{}", pod % 10)));
        l.push(("workload_kind".into(), "Deployment".into()));
        l.extend(extra);
        l
    };
    for code in ["200", "500"] {
        out.push(TimeSeries::new("kinsight_http_requests_total", wl(vec![("code".into(), code.into()), ("direction".into(), "served".into())]), v, ts));
    }
    for le in ["0.005", "0.025", "0.1", "0.5", "2.5", "+Inf"] {
        out.push(TimeSeries::new("kinsight_http_request_duration_seconds_bucket", wl(vec![("le".into(), le.into())]), v, ts));
    }
    out.push(TimeSeries::new("kinsight_http_request_duration_seconds_sum", wl(vec![]), v, ts));
    out.push(TimeSeries::new("kinsight_http_request_duration_seconds_count", wl(vec![]), v, ts));
    for peer in 0..3 {
        out.push(TimeSeries::new("kinsight_connection_bytes_total", wl(vec![("peer".into(), format!("pod:db-{peer}")), ("direction".into(), "out".into())]), v, ts));
    }
    out
}

fn vm_counter(base: &str, name: &str) -> f64 {
    let text = ureq::get(&format!("{base}/metrics")).call().ok().and_then(|mut r| r.body_mut().read_to_string().ok()).unwrap_or_default();
    text.lines().filter(|l| l.starts_with(name)).filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok()).sum()
}

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let f: Vec<&str> = stat.rsplit(')').next().unwrap().split_whitespace().collect();
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).cloned().unwrap_or_else(|| "http://127.0.0.1:8428/api/v1/write".into());
    let nodes: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(200);
    let pods: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(50);
    let interval: u64 = args.get(4).and_then(|a| a.parse().ok()).unwrap_or(10);
    let rounds: usize = args.get(5).and_then(|a| a.parse().ok()).unwrap_or(6);
    let base = url.split("/api/").next().unwrap().to_string();
    let writers: Vec<RemoteWriter> = (0..nodes).map(|_| RemoteWriter::start(WriterConfig::new(url.clone()))).collect();
    let per_pod = pod_series(0, 0, 0, 0).len();
    let rows_before = vm_counter(&base, "vm_rows_inserted_total");
    let started = Instant::now();
    let mut build_cpu = 0.0;
    let cpu_before = cpu_seconds();
    for round in 0..rounds {
        let at = started + Duration::from_secs(interval * round as u64);
        std::thread::sleep(at.saturating_duration_since(Instant::now()));
        let ts = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64;
        // Spread the agents over the interval, as real ones are.
        for (n, w) in writers.iter().enumerate() {
            let c0 = cpu_seconds();
            let series: Vec<TimeSeries> = (0..pods).flat_map(|p| pod_series(n, p, round, ts)).collect();
            build_cpu += cpu_seconds() - c0;
            w.push(series);
            std::thread::sleep(Duration::from_millis(interval * 1000 / nodes as u64 / 2));
        }
    }
    for w in &writers {
        w.flush(Duration::from_secs(60));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before - build_cpu;
    let sent: u64 = writers.iter().map(|w| w.stats().sent_samples).sum();
    let dropped: u64 = writers.iter().map(|w| w.stats().dropped_queue_full + w.stats().dropped_refused).sum();
    let _ = ureq::get(&format!("{base}/internal/force_flush")).call();
    let rows = vm_counter(&base, "vm_rows_inserted_total") - rows_before;
    let rss = vm_counter(&base, "process_resident_memory_bytes");
    println!("agents {nodes} x pods {pods} = {} pods, {per_pod} series per pod, {} series per round, every {interval} s, {rounds} rounds", nodes * pods, nodes * pods * per_pod);
    println!("sent {sent} samples (dropped {dropped}); the store inserted {rows:.0} rows in {elapsed:.1} s");
    println!("steady rate: {:.0} samples/s into the store", (nodes * pods * per_pod) as f64 / interval as f64);
    println!("agents' sending CPU (encode + snappy + HTTP): {:.1} µs per pod per round, {:.3} % of a core per 50-pod agent", cpu * 1e6 / (nodes * pods * rounds) as f64, cpu / elapsed / nodes as f64 * 100.0);
    println!("store resident memory: {:.0} MiB", rss / 1048576.0);
}
