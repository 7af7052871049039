//! Benchmark of the hub against the test API server over real HTTP: a cluster of 10k pods,
//! 500 nodes, 2k services (each with its EndpointSlice) and 1k deployments (each with its
//! ReplicaSet).
//!
//! Measures
//! - time to initial sync: from starting the watches to every kind listed and applied
//!   (pages of 500, the model's conversion, the hand-over to the model);
//! - model memory per pod: the bytes freed when the whole model (every kind, the indexes
//!   and the string interner) is dropped, divided by the number of pods, with what each
//!   kind accounts for; and the process's resident memory before and after the sync;
//! - update events applied per second: pod MODIFIED events streamed by the server, decoded
//!   and applied to the model (the server writes them first, while the receiving side is
//!   paused, so the rate is the client's, not the server's).
//!
//! Run by hand (not a test):
//! `CARGO_TARGET_DIR=/work/target-kube cargo run --release -p kinsight-kube --example sync_bench`
//! Optional arguments: `--updates N` (default 50000), `--small` (a 1k-pod cluster).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use kinsight_kube::{KubeWatch, Shape, WatchConfig};
use kinsight_kube_testserver::sim::{ClusterShape, Sim};
use kinsight_kube_testserver::{Credentials, Resource, ServerConfig, TestServer};
use kinsight_model::{Cluster, ObjectKind};
use serde_json::json;

/// Counts live heap bytes, so the model's size is measured exactly.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let updates: usize = args
        .iter()
        .position(|a| a == "--updates")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(50_000);
    let shape = if args.iter().any(|a| a == "--small") {
        ClusterShape {
            nodes: 50,
            namespaces: 10,
            deployments: 100,
            pods_per_deployment: 10,
            services: 200,
        }
    } else {
        ClusterShape::BENCH
    };

    let server = TestServer::start(ServerConfig {
        history_limit: updates * 2 + 1000,
        ..ServerConfig::default()
    })
    .expect("server");
    let t = Instant::now();
    let mut sim = Sim::new(&server);
    sim.populate(&shape).expect("populate");
    let pods = server.objects(Resource::Pods);
    let json_bytes: usize = pods.iter().map(|p| p.to_string().len()).sum();
    println!(
        "cluster: {} pods ({:.1} KiB of JSON each), {} nodes, {} services, {} endpointslices, {} deployments, {} replicasets, {} events (generated in {:.1?})",
        pods.len(),
        json_bytes as f64 / pods.len() as f64 / 1024.0,
        server.objects(Resource::Nodes).len(),
        server.objects(Resource::Services).len(),
        server.objects(Resource::EndpointSlices).len(),
        server.objects(Resource::Deployments).len(),
        server.objects(Resource::ReplicaSets).len(),
        server.objects(Resource::Events).len(),
        t.elapsed()
    );
    drop(pods);

    let dir = std::env::temp_dir().join(format!("kinsight-sync-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(&kubeconfig, server.kubeconfig(Credentials::Anonymous)).unwrap();
    let options = kinsight_kube::ConnectOptions {
        kubeconfig: Some(kubeconfig),
        context: None,
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = kinsight_kube::connect(&options).await.expect("connect");
        let config = WatchConfig { channel_capacity: 64, ..WatchConfig::default() };

        // 1. Initial sync.
        let rss_before = rss_kib();
        let started = Instant::now();
        let (watch, mut rx) = KubeWatch::spawn(client.clone(), &Shape::Hub, config.clone());
        let mut cluster = Cluster::new();
        rx.wait_synced(&mut cluster, Duration::from_secs(120)).await.expect("sync");
        let sync = started.elapsed();
        let rss_after = rss_kib();
        let n_pods = cluster.pods().len();
        println!(
            "initial sync: {:.2} s ({} pods, {} objects; page size {})",
            sync.as_secs_f64(),
            n_pods,
            kinsight_kube::snapshot(&cluster).len(),
            config.page_size
        );

        // 2. Model memory: what dropping it frees, kind by kind.
        watch.stop();
        tokio::time::sleep(Duration::from_millis(300)).await;
        drop(rx);
        let total_before = live();
        let mut breakdown = Vec::new();
        for kind in [
            ObjectKind::Event,
            ObjectKind::EndpointSlice,
            ObjectKind::Service,
            ObjectKind::ReplicaSet,
            ObjectKind::Deployment,
            ObjectKind::Node,
            ObjectKind::Namespace,
            ObjectKind::Pod,
        ] {
            let before = live();
            kinsight_kube::updates::replace_kind(&mut cluster, kind, Vec::new());
            breakdown.push((kind, before - live()));
        }
        let before = live();
        drop(cluster);
        let rest = before - live();
        let model = total_before - live();
        println!(
            "model memory: {:.1} MiB = {:.0} B per pod (every kind, indexes and shared strings); process RSS {} MiB before the sync, {} MiB after (the server runs in the same process)",
            model as f64 / 1048576.0,
            model as f64 / n_pods as f64,
            rss_before / 1024,
            rss_after / 1024,
        );
        let parts: Vec<String> = breakdown
            .iter()
            .map(|(k, b)| format!("{k} {:.0} B/pod", *b as f64 / n_pods as f64))
            .chain(std::iter::once(format!("shared strings and empty tables {:.0} B/pod", rest as f64 / n_pods as f64)))
            .collect();
        println!("  of which: {}", parts.join(", "));

        // The pods alone, with their tables, indexes and strings: copies of a second sync's
        // pods (its model dropped first, so that no string is shared) in a model of their own.
        let pods_alone = {
            let (watch, mut rx) = KubeWatch::spawn(client.clone(), &Shape::Hub, config.clone());
            let mut cluster = Cluster::new();
            rx.wait_synced(&mut cluster, Duration::from_secs(120)).await.expect("sync");
            watch.stop();
            let pods: Vec<_> = kinsight_kube::snapshot(&cluster).into_values().filter(|o| o.kind() == ObjectKind::Pod).collect();
            drop(cluster);
            let mut only_pods = Cluster::new();
            kinsight_kube::updates::replace_kind(&mut only_pods, ObjectKind::Pod, pods);
            let before = live();
            drop(only_pods);
            before - live()
        };
        println!(
            "  a model holding the pods alone (their tables, indexes and strings included): {:.0} B per pod",
            pods_alone as f64 / n_pods as f64
        );

        // 3. Update events applied per second, on a second hub.
        let started = Instant::now();
        let (watch, mut rx) = KubeWatch::spawn(client.clone(), &Shape::Hub, config.clone());
        let mut cluster = Cluster::new();
        rx.wait_synced(&mut cluster, Duration::from_secs(120)).await.expect("sync");
        println!("another initial sync: {:.2} s", started.elapsed().as_secs_f64());
        let pod_names: Vec<(String, String)> = server
            .objects(Resource::Pods)
            .iter()
            .map(|p| (p["metadata"]["namespace"].as_str().unwrap().to_string(), p["metadata"]["name"].as_str().unwrap().to_string()))
            .collect();
        let t = Instant::now();
        for i in 0..updates {
            let (ns, name) = &pod_names[i % pod_names.len()];
            server
                .modify(Resource::Pods, ns, name, |p| p["metadata"]["labels"]["bench-round"] = json!((i / pod_names.len()).to_string()))
                .unwrap();
        }
        let written = t.elapsed();
        let started = Instant::now();
        let mut applied = 0usize;
        while applied < updates {
            match tokio::time::timeout(Duration::from_secs(30), rx.apply_next(&mut cluster)).await {
                Ok(Some(a)) => applied += a.changes,
                _ => panic!("only {applied} of {updates} updates arrived"),
            }
        }
        let elapsed = started.elapsed();
        println!(
            "updates: {updates} pod MODIFIED events applied in {:.2} s = {:.0} events/s (the server wrote them in {:.1?} beforehand)",
            elapsed.as_secs_f64(),
            updates as f64 / elapsed.as_secs_f64(),
            written
        );
        watch.stop();

        // 4. The agent of one node, for comparison.
        let started = Instant::now();
        let (watch, mut rx) = KubeWatch::spawn(client, &Shape::Agent { node: "node-0".into() }, config);
        let mut cluster = Cluster::new();
        rx.wait_synced(&mut cluster, Duration::from_secs(120)).await.expect("agent sync");
        // The filter forwards in batches: let the last ones land.
        tokio::time::sleep(Duration::from_millis(200)).await;
        rx.apply_pending(&mut cluster);
        println!(
            "agent of node-0: synced in {:.2} s, holds {} pods and {} objects in all",
            started.elapsed().as_secs_f64(),
            cluster.pods().len(),
            kinsight_kube::snapshot(&cluster).len()
        );
        watch.stop();
    });
    let _ = std::fs::remove_dir_all(dir);
}
