//! Memory of the cluster's past: the history catalog of a 10k-pod cluster (the benchmark
//! cluster of the test API server: 500 nodes, 100 namespaces, 1k deployments of 10 pods,
//! 2k services) before and after a day of churn, with the change log and the Events log.
//!
//! A day of churn here is every Deployment rolled out 3 times (3,000 rollouts, 30,000 pods
//! replaced), each rollout as the test server's controllers play it: a new ReplicaSet, its
//! pods created and scheduled, the old ones deleted through Terminating, the old ReplicaSet
//! scaled to zero, with their Events (ScalingReplicaSet, SuccessfulCreate, Scheduled). The
//! hub's watches (real HTTP) feed the model, and the catalog is synced from the model as
//! `kinsight up` does, every 10 rollouts.
//!
//! Memory is exact: a counting global allocator gives the bytes the catalog holds (the
//! bytes freed when it is dropped), and the change and Events logs are measured apart by
//! dropping them first.
//!
//! Run by hand (not a test):
//! `cargo run --release -p kinsight-monitor --example churn_bench [-- --rollouts N] [--small]`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use kinsight_history::Catalog;
use kinsight_kube::{KubeWatch, Shape, WatchConfig};
use kinsight_kube_testserver::sim::{ClusterShape, Sim};
use kinsight_kube_testserver::{Credentials, Resource, ServerConfig, TestServer};
use kinsight_model::Cluster;
use kinsight_monitor::catalog_sync::{sync_objects, ObjectsSeen};

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
        LIVE.fetch_add(new_size as isize - layout.size() as isize, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

fn now_ns() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

/// Bytes held by the catalog: freed when a copy of it is dropped. The change and Events
/// logs are dropped first, so each part is measured apart.
struct Footprint {
    changes: isize,
    events: isize,
    rest: isize,
}

fn footprint(catalog: &Catalog) -> Footprint {
    let mut copy = catalog.clone();
    let before = live();
    drop(std::mem::take(&mut copy.changes));
    let after_changes = live();
    drop(std::mem::take(&mut copy.events));
    let after_events = live();
    drop(copy);
    Footprint { changes: before - after_changes, events: after_changes - after_events, rest: after_events - live() }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let small = args.iter().any(|a| a == "--small");
    let shape = if small {
        ClusterShape { nodes: 50, namespaces: 10, deployments: 100, pods_per_deployment: 10, services: 200 }
    } else {
        ClusterShape::BENCH
    };
    let rollouts: usize = args.iter().position(|a| a == "--rollouts").and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(shape.deployments * 3);

    let server = TestServer::start(ServerConfig { history_limit: 2_000_000, ..ServerConfig::default() }).expect("server");
    let mut sim = Sim::new(&server);
    let t = Instant::now();
    sim.populate(&shape).expect("populate");
    println!("cluster: {} pods, {} nodes, {} services, {} deployments (generated in {:.1?})", server.objects(Resource::Pods).len(), shape.nodes, shape.services, shape.deployments, t.elapsed());

    let dir = std::env::temp_dir().join(format!("kinsight-churn-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(&kubeconfig, server.kubeconfig(Credentials::Anonymous)).unwrap();
    let options = kinsight_kube::ConnectOptions { kubeconfig: Some(kubeconfig), context: None };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let client = kinsight_kube::connect(&options).await.expect("connect");
        let (watch, mut rx) = KubeWatch::spawn(client, &Shape::Hub, WatchConfig::default());
        let mut cluster = Cluster::new();
        rx.wait_synced(&mut cluster, Duration::from_secs(120)).await.expect("sync");
        let pods = cluster.pods().len();
        let defaults = kinsight_history::HistoryConfig::default();
        let mut catalog = Catalog::new(defaults.max_series, defaults.max_files);
        let mut seen = ObjectsSeen::default();
        sync_objects(&cluster, &mut catalog, &mut seen, now_ns());
        let start = footprint(&catalog);
        println!(
            "catalog after the first sync: {} objects; {} B per pod (objects {} B/pod, change log {} entries {} B, Events {} B)",
            catalog.pods.len() + catalog.workloads.len() + catalog.services.len() + catalog.nodes.len() + catalog.namespaces.len(),
            (start.rest + start.changes + start.events) / pods as isize,
            start.rest / pods as isize,
            catalog.changes.len(),
            start.changes,
            start.events,
        );

        // A day of churn.
        let namespaces: Vec<String> = (0..shape.namespaces.max(1)).map(|i| format!("team-{i}")).collect();
        let nodes: Vec<String> = (0..shape.nodes.max(1)).map(|i| format!("node-{i}")).collect();
        let started = Instant::now();
        let mut sync_time = Duration::ZERO;
        for r in 0..rollouts {
            let d = r % shape.deployments;
            let placement: Vec<String> = (0..shape.pods_per_deployment).map(|i| nodes[(d * shape.pods_per_deployment + i + r) % nodes.len()].clone()).collect();
            sim.rollout(&namespaces[d % namespaces.len()], &format!("app-{d}"), &placement).expect("rollout");
            if r % 10 == 9 || r + 1 == rollouts {
                // Let the watches deliver, then sync as the sampler does.
                tokio::time::sleep(Duration::from_millis(5)).await;
                rx.apply_pending(&mut cluster);
                let t = Instant::now();
                sync_objects(&cluster, &mut catalog, &mut seen, now_ns());
                sync_time += t.elapsed();
            }
            if r % 500 == 499 {
                println!("  {} rollouts, {} changes, {} Events ({:.0?})", r + 1, catalog.changes.len(), catalog.events.len(), started.elapsed());
            }
        }
        // Everything delivered.
        tokio::time::sleep(Duration::from_millis(500)).await;
        rx.apply_pending(&mut cluster);
        sync_objects(&cluster, &mut catalog, &mut seen, now_ns());
        let end = footprint(&catalog);
        let changes = catalog.changes.len();
        let events = catalog.events.len();
        println!("after {rollouts} rollouts ({} pods replaced) in {:.1?}; catalog sync {:.1?} in all", rollouts * shape.pods_per_deployment, started.elapsed(), sync_time);
        println!("  objects (current and deleted, kept for the past): {} pods, {} workloads; {} B, {} B per current pod", catalog.pods.len(), catalog.workloads.len(), end.rest, end.rest / pods as isize);
        println!("  change log: {changes} entries (dropped {}), {} B, {} B per entry", catalog.changes.dropped, end.changes, end.changes / changes.max(1) as isize);
        println!("  Events: {events} records (dropped {}), {} B, {} B per record", catalog.events.dropped, end.events, end.events / events.max(1) as isize);
        println!("  whole catalog: {} B per current pod", (end.rest + end.changes + end.events) / pods as isize);
        println!("  model (cluster) now: {} pods, {} events", cluster.pods().len(), cluster.events().len());
        watch.stop();
    });
    let _ = std::fs::remove_dir_all(&dir);
}
