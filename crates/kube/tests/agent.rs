//! The per-node agent: only its node's pods (watched with a field selector) and the
//! objects they reference reach its model, and it follows them as they change.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use common::*;
use kinsight_kube::{KubeWatch, Shape, UpdateReceiver};
use kinsight_kube_testserver::{Credentials, Resource, TestServer};
use kinsight_model::k8s::parse_api_value;
use kinsight_model::{Cluster, K8sObject, ObjectKind, WorkloadKind};

const CONVERGE: Duration = Duration::from_secs(10);

fn object_kind(w: WorkloadKind) -> ObjectKind {
    ObjectKind::from_kind(w.as_str()).expect("every workload kind is an object kind")
}

/// Kinds an agent watches metadata-only.
fn metadata_kind(kind: ObjectKind) -> bool {
    !matches!(
        kind,
        ObjectKind::Pod | ObjectKind::Node | ObjectKind::Service
    )
}

/// What an agent on `node` must hold: the server's objects its pods reference, converted
/// as the agent receives them (metadata-only for namespaces and controllers). The services
/// are those the server's EndpointSlices put the pods behind; the agent, which does not
/// watch slices, must find the same ones from the services' selectors.
fn expected_agent(server: &TestServer, node: &str) -> BTreeMap<(ObjectKind, String), K8sObject> {
    let mut full = Cluster::new();
    for r in served_kinds() {
        for o in server.objects(r) {
            full.apply_api_value(&o).unwrap();
        }
    }
    let mut keys: HashSet<(ObjectKind, String)> = HashSet::new();
    for pod in full
        .pods()
        .iter()
        .filter(|p| p.node_name.as_deref() == Some(node))
    {
        keys.insert((ObjectKind::Pod, pod.meta.uid.to_string()));
        if let Some(ns) = full.namespace_of(pod) {
            keys.insert((ObjectKind::Namespace, ns.meta.uid.to_string()));
        }
        for w in full.owner_chain(pod) {
            keys.insert((object_kind(w.kind()), w.uid().to_string()));
        }
        for s in full.services_of(pod) {
            keys.insert((ObjectKind::Service, s.meta.uid.to_string()));
        }
    }
    if let Some(n) = full.nodes().by_name(None, node) {
        keys.insert((ObjectKind::Node, n.meta.uid.to_string()));
    }
    let mut out = BTreeMap::new();
    for r in served_kinds() {
        for o in server.objects(r) {
            let kind = ObjectKind::from_kind(o["kind"].as_str().unwrap()).unwrap();
            let value = if metadata_kind(kind) {
                metadata_only(&o)
            } else {
                o
            };
            for u in parse_api_value(&value).unwrap() {
                let key = (u.object.kind(), u.object.meta().uid.to_string());
                if keys.contains(&key) {
                    out.insert(key, u.object);
                }
            }
        }
    }
    out
}

async fn synced_agent(
    server: &TestServer,
    dir: &TempDir,
    node: &str,
) -> (KubeWatch, UpdateReceiver, Cluster) {
    let client = kinsight_kube::connect(&kubeconfig(server, dir, Credentials::Anonymous))
        .await
        .unwrap();
    let (watch, mut rx) = KubeWatch::spawn(
        client,
        &Shape::Agent {
            node: node.to_string(),
        },
        watch_config(),
    );
    let mut cluster = Cluster::new();
    rx.wait_synced(&mut cluster, Duration::from_secs(20))
        .await
        .expect("agent sync");
    converge(&mut rx, &mut cluster, CONVERGE, || {
        expected_agent(server, node)
    })
    .await;
    (watch, rx, cluster)
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut v: Vec<String> = it.map(str::to_string).collect();
    v.sort();
    v
}

#[tokio::test]
async fn agent_holds_only_its_nodes_pods_and_what_they_reference() {
    let server = TestServer::start(server_config()).unwrap();
    small_cluster(&server);
    let dir = TempDir::new("agent");
    let (_watch, _rx, cluster) = synced_agent(&server, &dir, "node-1").await;

    let on_node = server
        .objects(Resource::Pods)
        .iter()
        .filter(|p| p["spec"]["nodeName"] == "node-1")
        .count();
    assert_eq!(cluster.pods().len(), on_node);
    assert!(cluster
        .pods()
        .iter()
        .all(|p| p.node_name.as_deref() == Some("node-1")));
    assert_eq!(
        names(cluster.nodes().iter().map(|n| &*n.meta.name)),
        ["node-1"]
    );
    // The CronJob's only run, and the bare pod, are on other nodes.
    assert!(cluster.cron_jobs().is_empty() && cluster.jobs().is_empty());
    assert_eq!(
        names(cluster.deployments().iter().map(|d| &*d.meta.name)),
        ["api", "web"]
    );
    assert_eq!(
        names(cluster.services().iter().map(|s| &*s.meta.name)),
        ["api", "db", "web"]
    );
    assert_eq!(
        names(cluster.namespaces().iter().map(|n| &*n.meta.name)),
        ["batch", "shop"]
    );
    for pod in cluster.pods().iter() {
        let expected_chain = match pod.meta.name.split('-').next().unwrap() {
            "web" | "api" => 2,
            _ => 1,
        };
        assert_eq!(
            cluster.owner_chain(pod).len(),
            expected_chain,
            "{}",
            pod.meta.name
        );
    }

    let requests = server.requests();
    let pods: Vec<_> = requests
        .iter()
        .filter(|r| r.path == "/api/v1/pods")
        .collect();
    assert!(pods
        .iter()
        .all(|r| r.param("fieldSelector").as_deref() == Some("spec.nodeName=node-1")));
    let nodes: Vec<_> = requests
        .iter()
        .filter(|r| r.path == "/api/v1/nodes")
        .collect();
    assert!(nodes
        .iter()
        .all(|r| r.param("fieldSelector").as_deref() == Some("metadata.name=node-1")));
    for path in [
        "/apis/apps/v1/replicasets",
        "/apis/apps/v1/deployments",
        "/api/v1/namespaces",
        "/apis/batch/v1/jobs",
    ] {
        let rs: Vec<_> = requests.iter().filter(|r| r.path == path).collect();
        assert!(
            !rs.is_empty() && rs.iter().all(|r| r.is_metadata_only()),
            "{path} metadata-only"
        );
    }
    assert!(requests
        .iter()
        .filter(|r| r.path == "/api/v1/services")
        .all(|r| !r.is_metadata_only()));
    // Slices change with every pod of the cluster: an agent never asks for them.
    assert!(
        !requests.iter().any(|r| r.path.contains("endpointslices")),
        "an agent watched EndpointSlices"
    );
}

#[tokio::test]
async fn a_rescheduled_pod_moves_from_one_agent_to_the_other() {
    let server = TestServer::start(server_config()).unwrap();
    let mut sim = small_cluster(&server);
    let (dir0, dir2) = (TempDir::new("agent0"), TempDir::new("agent2"));
    let (_w0, mut rx0, mut c0) = synced_agent(&server, &dir0, "node-0").await;
    let (_w2, mut rx2, mut c2) = synced_agent(&server, &dir2, "node-2").await;
    assert!(c0.pods().by_name(Some("shop"), "db-0").is_some());
    assert!(c2.stateful_sets().is_empty(), "no db pod on node-2 yet");
    watches_open(&server, Resource::Pods, 2).await;

    sim.reschedule("shop", "db-0", "node-2").unwrap();
    converge(&mut rx0, &mut c0, CONVERGE, || {
        expected_agent(&server, "node-0")
    })
    .await;
    converge(&mut rx2, &mut c2, CONVERGE, || {
        expected_agent(&server, "node-2")
    })
    .await;

    assert!(c0.pods().by_name(Some("shop"), "db-0").is_none());
    assert!(
        c0.stateful_sets().is_empty(),
        "node-0 has no db pod left, so no reason to hold the StatefulSet"
    );
    assert!(c0.services().by_name(Some("shop"), "db").is_none());
    let moved = c2
        .pods()
        .by_name(Some("shop"), "db-0")
        .expect("db-0 on node-2");
    assert_eq!(c2.owner_chain(moved)[0].name(), "db");
    assert_eq!(
        c2.services_of(moved)
            .iter()
            .map(|s| &*s.meta.name)
            .collect::<Vec<_>>(),
        ["db"]
    );
}

#[tokio::test]
async fn an_agent_follows_a_rollout_and_forgets_the_old_replicaset() {
    let server = TestServer::start(server_config()).unwrap();
    let mut sim = small_cluster(&server);
    let dir = TempDir::new("agent-rollout");
    let (_watch, mut rx, mut cluster) = synced_agent(&server, &dir, "node-1").await;
    let old_rs: Vec<String> = cluster
        .replica_sets()
        .iter()
        .map(|r| r.meta.name.to_string())
        .collect();
    watches_open(&server, Resource::Pods, 1).await;

    sim.rollout("shop", "web", &node_names(3)).unwrap();
    converge(&mut rx, &mut cluster, CONVERGE, || {
        expected_agent(&server, "node-1")
    })
    .await;

    let web_rs: Vec<String> = cluster
        .replica_sets()
        .iter()
        .filter(|r| r.meta.name.starts_with("web-"))
        .map(|r| r.meta.name.to_string())
        .collect();
    assert_eq!(web_rs.len(), 1);
    assert!(
        !old_rs.contains(&web_rs[0]),
        "the new ReplicaSet, not the old one scaled to zero"
    );
}
