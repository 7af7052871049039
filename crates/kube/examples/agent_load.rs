//! What one node agent costs the API server as the cluster grows: clusters of 25 to 200
//! nodes with the same 20 pods per node (2 Deployments of 10 pods per node, a Service and
//! its EndpointSlice each), the agent of `node-0` watching through a TCP proxy that counts
//! the bytes the API server sends it. For each size: the watches the agent opened, the bytes
//! of its initial lists, and the bytes it received while every pod of the cluster was
//! modified once and every EndpointSlice rewritten once (a rolling restart of everything).
//! The hub's own watch, once per cluster, is measured the same way for comparison.
//!
//! Run by hand (not a test):
//! `cargo run --release -p kinsight-kube --example agent_load`

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kinsight_kube::{KubeWatch, Shape, WatchConfig};
use kinsight_kube_testserver::sim::{ClusterShape, Sim};
use kinsight_kube_testserver::{Credentials, Resource, ServerConfig, TestServer};
use kinsight_model::Cluster;
use serde_json::json;

const PODS_PER_NODE: usize = 20;

/// A TCP proxy in front of the API server; counts the bytes going to the client.
struct CountingProxy {
    port: u16,
    to_client: Arc<AtomicU64>,
}

impl CountingProxy {
    fn start(upstream: std::net::SocketAddr) -> CountingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let to_client = Arc::new(AtomicU64::new(0));
        let counter = to_client.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(upstream) else { continue };
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let counter = counter.clone();
                std::thread::spawn(move || pipe(c2, s2, None));
                std::thread::spawn(move || pipe(server, client, Some(counter)));
            }
        });
        CountingProxy { port, to_client }
    }

    fn bytes(&self) -> u64 {
        self.to_client.load(Ordering::Relaxed)
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream, counter: Option<Arc<AtomicU64>>) {
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 || to.write_all(&buf[..n]).is_err() {
            break;
        }
        if let Some(c) = &counter {
            c.fetch_add(n as u64, Ordering::Relaxed);
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
}

/// Waits until the counter has not moved for a second.
fn settle(proxy: &CountingProxy) -> u64 {
    let mut last = proxy.bytes();
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let now = proxy.bytes();
        if now == last {
            return now;
        }
        last = now;
    }
}

struct Load {
    watches: usize,
    lists: usize,
    sync_bytes: u64,
    churn_bytes: u64,
    pods_held: usize,
}

fn measure(server: &TestServer, shape: &Shape) -> Load {
    let proxy = CountingProxy::start(server.addr());
    let dir = std::env::temp_dir().join(format!("kinsight-agent-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kubeconfig = dir.join("kubeconfig");
    let text = server.kubeconfig(Credentials::Anonymous).replace(&format!(":{}", server.addr().port()), &format!(":{}", proxy.port));
    std::fs::write(&kubeconfig, text).unwrap();
    let options = kinsight_kube::ConnectOptions { kubeconfig: Some(kubeconfig), context: None };
    let requests_before = server.requests().len();

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (watch, pods_held) = runtime.block_on(async {
        let client = kinsight_kube::connect(&options).await.expect("connect");
        let (watch, mut rx) = KubeWatch::spawn(client, shape, WatchConfig::default());
        let mut cluster = Cluster::new();
        rx.wait_synced(&mut cluster, Duration::from_secs(300)).await.expect("sync");
        let pods_held = cluster.pods().len();
        // Keep applying what arrives, as the engine does, so the watch never backs up.
        tokio::spawn(async move { while rx.apply_next(&mut cluster).await.is_some() {} });
        (watch, pods_held)
    });
    let sync_bytes = settle(&proxy);

    // Every pod modified once, every EndpointSlice rewritten once.
    for pod in server.objects(Resource::Pods) {
        let (ns, name) = (pod["metadata"]["namespace"].as_str().unwrap().to_string(), pod["metadata"]["name"].as_str().unwrap().to_string());
        server.modify(Resource::Pods, &ns, &name, |p| p["metadata"]["annotations"]["bench/round"] = json!("1")).unwrap();
    }
    for slice in server.objects(Resource::EndpointSlices) {
        let (ns, name) = (slice["metadata"]["namespace"].as_str().unwrap().to_string(), slice["metadata"]["name"].as_str().unwrap().to_string());
        server.modify(Resource::EndpointSlices, &ns, &name, |s| s["metadata"]["annotations"]["bench/round"] = json!("1")).unwrap();
    }
    let churn_bytes = settle(&proxy) - sync_bytes;
    let requests: Vec<_> = server.requests()[requests_before..].to_vec();
    let watches = requests.iter().filter(|r| r.is_watch()).count();
    let lists = requests.iter().filter(|r| r.method == "GET" && !r.is_watch()).count();
    runtime.block_on(async { watch.stop() });
    runtime.shutdown_timeout(Duration::from_secs(1));
    Load { watches, lists, sync_bytes, churn_bytes, pods_held }
}

fn main() {
    println!("| nodes | pods | services | watcher | pods it holds | watches | list requests | bytes to sync | bytes during the churn | per node: sync / churn |");
    println!("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|");
    for nodes in [25usize, 50, 100, 200] {
        let shape = ClusterShape { nodes, namespaces: (nodes / 5).max(1), deployments: nodes * PODS_PER_NODE / 10, pods_per_deployment: 10, services: nodes * PODS_PER_NODE / 10 };
        let server = TestServer::start(ServerConfig { history_limit: 200_000, ..ServerConfig::default() }).expect("server");
        let t = Instant::now();
        Sim::new(&server).populate(&shape).expect("populate");
        let pods = server.objects(Resource::Pods).len();
        eprintln!("{nodes} nodes: {pods} pods generated in {:.1?}", t.elapsed());
        for (who, watcher) in [("agent of node-0", Shape::Agent { node: "node-0".into() }), ("hub", Shape::Hub)] {
            let load = measure(&server, &watcher);
            let per_node = if who == "hub" { format!("{:.0} KiB / {:.0} KiB", load.sync_bytes as f64 / 1024.0 / nodes as f64, load.churn_bytes as f64 / 1024.0 / nodes as f64) } else { "—".into() };
            println!(
                "| {nodes} | {pods} | {} | {who} | {} | {} | {} | {:.0} KiB | {:.0} KiB | {per_node} |",
                shape.services,
                load.pods_held,
                load.watches,
                load.lists,
                load.sync_bytes as f64 / 1024.0,
                load.churn_bytes as f64 / 1024.0
            );
        }
    }
}
