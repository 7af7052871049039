//! Shared by the integration tests: a test API server, a client configured through a
//! kubeconfig file (the path users take), watch timings short enough for tests, and the
//! comparison of the model with the server's objects.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kinsight_kube::{
    snapshot, ConnectOptions, KubeWatch, Notice, Shape, UpdateReceiver, WatchConfig,
};
use kinsight_kube_testserver::sim::Sim;
use kinsight_kube_testserver::{Credentials, Resource, ServerConfig, TestServer};
use kinsight_model::k8s::parse_api_value;
use kinsight_model::{Cluster, K8sObject, ObjectKind};
use serde_json::{json, Value};

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("kinsight-kube-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Server timings for tests: bookmarks every 200 ms.
pub fn server_config() -> ServerConfig {
    ServerConfig {
        bookmark_interval: Duration::from_millis(200),
        ..ServerConfig::default()
    }
}

/// Watch timings for tests: small pages, quick retries, quick dead-connection detection.
pub fn watch_config() -> WatchConfig {
    WatchConfig {
        page_size: 7,
        watch_timeout: Duration::from_secs(30),
        idle_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(5),
        backoff_initial: Duration::from_millis(50),
        backoff_max: Duration::from_millis(400),
        channel_capacity: 64,
    }
}

/// Writes a kubeconfig for `server` and returns the options that point at it.
pub fn kubeconfig(server: &TestServer, dir: &TempDir, credentials: Credentials) -> ConnectOptions {
    let path = dir.path().join("kubeconfig");
    std::fs::write(&path, server.kubeconfig(credentials)).expect("write kubeconfig");
    ConnectOptions {
        kubeconfig: Some(path),
        context: None,
    }
}

/// The nodes `node-0` .. `node-<n-1>` (names only).
pub fn node_names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("node-{i}")).collect()
}

/// A small cluster with every kind: 3 nodes, 2 namespaces, Deployments with Services, a
/// StatefulSet, a DaemonSet, a ReplicationController, a CronJob run and a bare pod.
pub fn small_cluster(server: &TestServer) -> Sim<'_> {
    let mut sim = Sim::new(server);
    let nodes = node_names(3);
    for n in &nodes {
        sim.node(n).unwrap();
    }
    for ns in ["shop", "batch"] {
        sim.namespace(ns).unwrap();
    }
    sim.deployment("shop", "web", 3, &nodes).unwrap();
    sim.service("shop", "web", &[("app", "web")]).unwrap();
    sim.deployment("shop", "api", 2, &nodes[1..]).unwrap();
    sim.service("shop", "api", &[("app", "api")]).unwrap();
    sim.stateful_set("shop", "db", 2, &nodes).unwrap();
    sim.service("shop", "db", &[("app", "db")]).unwrap();
    sim.daemon_set("shop", "agent", &nodes).unwrap();
    sim.replication_controller("batch", "legacy", 2, &nodes)
        .unwrap();
    sim.cron_job_run("batch", "report", &nodes[2]).unwrap();
    sim.bare_pod("batch", "debug", &nodes[0], &[("run", "debug")])
        .unwrap();
    sim
}

/// The model objects the server's objects convert to: what a watcher's model must equal.
pub fn expected(server: &TestServer) -> BTreeMap<(ObjectKind, String), K8sObject> {
    let mut out = BTreeMap::new();
    for r in served_kinds() {
        for obj in server.objects(r) {
            for u in parse_api_value(&obj).expect("server objects convert") {
                out.insert((u.object.kind(), u.object.meta().uid.to_string()), u.object);
            }
        }
    }
    out
}

/// The same objects reduced to what a metadata-only watch delivers.
pub fn metadata_only(object: &Value) -> Value {
    json!({"kind": object["kind"], "apiVersion": object["apiVersion"], "metadata": object["metadata"]})
}

pub fn served_kinds() -> Vec<Resource> {
    Resource::ALL
        .into_iter()
        .filter(|r| !matches!(r, Resource::Secrets | Resource::ConfigMaps))
        .collect()
}

/// Differences between two model snapshots, for failure messages.
pub fn diff(
    have: &BTreeMap<(ObjectKind, String), K8sObject>,
    want: &BTreeMap<(ObjectKind, String), K8sObject>,
) -> String {
    let mut out = Vec::new();
    for (k, v) in want {
        match have.get(k) {
            None => out.push(format!("missing {} {}", k.0, v.meta().display_name())),
            Some(h) if h != v => out.push(format!(
                "different {} {}:\n  have {h:?}\n  want {v:?}",
                k.0,
                v.meta().display_name()
            )),
            _ => {}
        }
    }
    for (k, v) in have {
        if !want.contains_key(k) {
            out.push(format!("extra {} {}", k.0, v.meta().display_name()));
        }
    }
    out.join("\n")
}

/// Applies updates until the model equals `want()` (re-evaluated as updates arrive), or
/// panics with the difference after `timeout`. Returns the notices seen meanwhile.
pub async fn converge(
    rx: &mut UpdateReceiver,
    cluster: &mut Cluster,
    timeout: Duration,
    want: impl Fn() -> BTreeMap<(ObjectKind, String), K8sObject>,
) -> Vec<Notice> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut notices = Vec::new();
    loop {
        rx.apply_pending(cluster);
        notices.extend(rx.take_notices());
        let (have, w) = (snapshot(cluster), want());
        if have == w {
            return notices;
        }
        match tokio::time::timeout_at(deadline, rx.apply_next(cluster)).await {
            Ok(Some(_)) => {}
            Ok(None) => panic!("the watches stopped; difference:\n{}", diff(&have, &w)),
            Err(_) => {
                let notices: Vec<String> = notices.iter().map(ToString::to_string).collect();
                panic!(
                    "the model did not converge in {timeout:?}; difference:\n{}\nnotices:\n{}",
                    diff(&have, &w),
                    notices.join("\n")
                )
            }
        }
    }
}

/// A hub watching `server`, synced and equal to the server's objects.
pub async fn synced_hub(
    server: &TestServer,
    dir: &TempDir,
    config: WatchConfig,
) -> (KubeWatch, UpdateReceiver, Cluster) {
    let client = kinsight_kube::connect(&kubeconfig(server, dir, Credentials::Anonymous))
        .await
        .expect("connect");
    let (watch, mut rx) = KubeWatch::spawn(client, &Shape::Hub, config);
    let mut cluster = Cluster::new();
    rx.wait_synced(&mut cluster, Duration::from_secs(20))
        .await
        .expect("initial sync");
    converge(&mut rx, &mut cluster, Duration::from_secs(10), || {
        expected(server)
    })
    .await;
    (watch, rx, cluster)
}

/// Waits until `server` has `n` open watches of `resource` (so that a change made next is
/// seen by a watch rather than by a list).
pub async fn watches_open(server: &TestServer, resource: Resource, n: usize) {
    for _ in 0..500 {
        if server.open_watches(resource) >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "{resource}: {} watches open, expected {n}",
        server.open_watches(resource)
    );
}
