//! The hub against a server speaking the real protocol: initial sync, the scenarios of a
//! living cluster, and the server misbehaving. After each, the model must equal the
//! server's objects.

mod common;

use std::time::{Duration, Instant};

use common::*;
use kinsight_kube::{Notice, WatchConfig, WatchError};
use kinsight_kube_testserver::{Fault, On, Resource, TestServer, Verb};
use kinsight_model::{ObjectKind, WorkloadKind};

fn pods_named<'a>(
    cluster: &'a kinsight_model::Cluster,
    prefix: &str,
) -> Vec<&'a kinsight_model::k8s::Pod> {
    let mut v: Vec<_> = cluster
        .pods()
        .iter()
        .filter(|p| p.meta.name.starts_with(prefix))
        .collect();
    v.sort_by(|a, b| a.meta.name.cmp(&b.meta.name));
    v
}

fn relisted(notices: &[Notice], kind: ObjectKind) -> bool {
    notices
        .iter()
        .any(|n| matches!(n, Notice::Relisting { kind: k, .. } if *k == kind))
}

const CONVERGE: Duration = Duration::from_secs(10);

#[tokio::test]
async fn initial_sync_pages_links_every_kind_and_never_asks_for_secrets() {
    let server = TestServer::start(server_config()).unwrap();
    small_cluster(&server);
    let dir = TempDir::new("sync");
    let (_watch, _rx, cluster) = synced_hub(&server, &dir, watch_config()).await;

    // ownerReferences chains, services through EndpointSlices, nodes, container ids.
    let web = pods_named(&cluster, "web-");
    assert_eq!(web.len(), 3);
    for pod in &web {
        let chain: Vec<(WorkloadKind, &str)> = cluster
            .owner_chain(pod)
            .iter()
            .map(|w| (w.kind(), w.name()))
            .collect();
        assert_eq!(chain.len(), 2, "{chain:?}");
        assert_eq!(chain[0].0, WorkloadKind::ReplicaSet);
        assert_eq!(chain[1], (WorkloadKind::Deployment, "web"));
        let services: Vec<&str> = cluster
            .services_of(pod)
            .iter()
            .map(|s| &*s.meta.name)
            .collect();
        assert_eq!(services, ["web"]);
        assert!(cluster.node_of(pod).is_some());
        for id in pod.container_ids() {
            assert!(
                !id.full.contains("://"),
                "runtime prefix stripped: {}",
                id.full
            );
            assert_eq!(id.runtime.as_deref(), Some("containerd"));
            // The 12-character id cgroup paths give resolves to the pod.
            assert_eq!(
                cluster
                    .pod_of_container(&id.full[..12])
                    .map(|p| &p.meta.uid),
                Some(&pod.meta.uid)
            );
        }
    }
    let job_pod = pods_named(&cluster, "report-")[0];
    let chain: Vec<WorkloadKind> = cluster
        .owner_chain(job_pod)
        .iter()
        .map(|w| w.kind())
        .collect();
    assert_eq!(chain, [WorkloadKind::Job, WorkloadKind::CronJob]);
    for (prefix, kind) in [
        ("db-", WorkloadKind::StatefulSet),
        ("agent-", WorkloadKind::DaemonSet),
        ("legacy-", WorkloadKind::ReplicationController),
    ] {
        let chain: Vec<WorkloadKind> = cluster
            .owner_chain(pods_named(&cluster, prefix)[0])
            .iter()
            .map(|w| w.kind())
            .collect();
        assert_eq!(chain, [kind], "{prefix}");
    }
    assert!(cluster
        .owner_chain(pods_named(&cluster, "debug")[0])
        .is_empty());

    let requests = server.requests();
    assert!(
        requests
            .iter()
            .all(|r| !r.path.contains("secrets") && !r.path.contains("configmaps")),
        "asked for secrets or configmaps"
    );
    let pod_lists: Vec<_> = requests
        .iter()
        .filter(|r| r.path == "/api/v1/pods" && !r.is_watch())
        .collect();
    assert_eq!(pod_lists.len(), 2, "14 pods in pages of 7");
    assert!(pod_lists
        .iter()
        .all(|r| r.param("limit").as_deref() == Some("7")));
    assert!(pod_lists[1].param("continue").is_some());
    assert!(requests
        .iter()
        .filter(|r| r.is_watch())
        .all(|r| r.param("allowWatchBookmarks").as_deref() == Some("true")));
    let namespace_requests: Vec<_> = requests
        .iter()
        .filter(|r| r.path == "/api/v1/namespaces")
        .collect();
    assert!(
        !namespace_requests.is_empty() && namespace_requests.iter().all(|r| r.is_metadata_only())
    );
    assert!(pod_lists.iter().all(|r| !r.is_metadata_only()));
}

#[tokio::test]
async fn deployment_rollout_brings_the_new_replicaset_and_replaces_the_pods() {
    let server = TestServer::start(server_config()).unwrap();
    let mut sim = small_cluster(&server);
    let dir = TempDir::new("rollout");
    let (_watch, mut rx, mut cluster) = synced_hub(&server, &dir, watch_config()).await;
    watches_open(&server, Resource::Pods, 1).await;
    let old_pods: Vec<String> = pods_named(&cluster, "web-")
        .iter()
        .map(|p| p.meta.uid.to_string())
        .collect();
    let old_rs = cluster.owner_chain(pods_named(&cluster, "web-")[0])[0]
        .name()
        .to_string();

    sim.rollout("shop", "web", &node_names(3)).unwrap();
    let notices = converge(&mut rx, &mut cluster, CONVERGE, || expected(&server)).await;

    let web = pods_named(&cluster, "web-");
    assert_eq!(web.len(), 3);
    for pod in &web {
        assert!(!old_pods.contains(&pod.meta.uid.to_string()));
        let chain = cluster.owner_chain(pod);
        assert_ne!(chain[0].name(), old_rs);
        assert_eq!(chain[1].name(), "web");
    }
    let old = cluster
        .replica_sets()
        .iter()
        .find(|rs| *rs.meta.name == old_rs)
        .expect("old ReplicaSet kept at 0");
    assert_eq!(old.replicas.desired, Some(0));
    assert!(
        !relisted(&notices, ObjectKind::Pod),
        "a rollout is watch events, not a relist"
    );
}

#[tokio::test]
async fn service_selector_change_moves_the_pods_behind_it() {
    let server = TestServer::start(server_config()).unwrap();
    let mut sim = small_cluster(&server);
    sim.deployment("shop", "web-canary", 1, &node_names(1))
        .unwrap();
    let dir = TempDir::new("selector");
    let (_watch, mut rx, mut cluster) = synced_hub(&server, &dir, watch_config()).await;
    watches_open(&server, Resource::EndpointSlices, 1).await;

    sim.set_service_selector("shop", "web", &[("app", "web-canary")])
        .unwrap();
    converge(&mut rx, &mut cluster, CONVERGE, || expected(&server)).await;

    let canary = pods_named(&cluster, "web-canary-")[0];
    assert_eq!(
        cluster
            .services_of(canary)
            .iter()
            .map(|s| &*s.meta.name)
            .collect::<Vec<_>>(),
        ["web"]
    );
    for pod in pods_named(&cluster, "web-")
        .into_iter()
        .filter(|p| !p.meta.name.starts_with("web-canary"))
    {
        assert!(
            cluster.services_of(pod).is_empty(),
            "{} still behind web",
            pod.meta.name
        );
    }
}

#[tokio::test]
async fn pod_rescheduled_on_another_node_is_a_new_pod_there() {
    let server = TestServer::start(server_config()).unwrap();
    let mut sim = small_cluster(&server);
    let dir = TempDir::new("reschedule");
    let (_watch, mut rx, mut cluster) = synced_hub(&server, &dir, watch_config()).await;
    watches_open(&server, Resource::Pods, 1).await;
    let before = cluster
        .pods()
        .by_name(Some("shop"), "db-0")
        .unwrap()
        .clone();
    assert_eq!(before.node_name.as_deref(), Some("node-0"));

    sim.reschedule("shop", "db-0", "node-2").unwrap();
    converge(&mut rx, &mut cluster, CONVERGE, || expected(&server)).await;

    let after = cluster.pods().by_name(Some("shop"), "db-0").unwrap();
    assert_ne!(after.meta.uid, before.meta.uid);
    assert_eq!(
        cluster.node_of(after).map(|n| &*n.meta.name),
        Some("node-2")
    );
    assert!(cluster
        .pods_on_node("node-0")
        .iter()
        .all(|p| *p.meta.name != *"db-0"));
    assert_eq!(cluster.owner_chain(after)[0].name(), "db");
    assert_eq!(
        cluster
            .services_of(after)
            .iter()
            .map(|s| &*s.meta.name)
            .collect::<Vec<_>>(),
        ["db"]
    );
    for id in before.container_ids() {
        assert!(
            cluster.pod_of_container(id.short()).is_none(),
            "the old pod's containers are gone"
        );
    }
}

#[tokio::test]
async fn namespace_deletion_takes_everything_in_it() {
    let server = TestServer::start(server_config()).unwrap();
    small_cluster(&server);
    let dir = TempDir::new("nsdel");
    let (_watch, mut rx, mut cluster) = synced_hub(&server, &dir, watch_config()).await;
    watches_open(&server, Resource::Namespaces, 1).await;

    server.delete(Resource::Namespaces, "", "batch").unwrap();
    converge(&mut rx, &mut cluster, CONVERGE, || expected(&server)).await;

    assert!(cluster.namespaces().by_name(None, "batch").is_none());
    assert_eq!(cluster.pods().in_namespace("batch").count(), 0);
    assert_eq!(cluster.jobs().in_namespace("batch").count(), 0);
    assert_eq!(cluster.cron_jobs().in_namespace("batch").count(), 0);
    assert!(cluster.pods().in_namespace("shop").count() > 0);
}

#[tokio::test]
async fn api_server_restart_mid_watch_relists_what_changed_meanwhile() {
    let server = TestServer::start(server_config()).unwrap();
    let mut sim = small_cluster(&server);
    let dir = TempDir::new("restart");
    let (_watch, mut rx, mut cluster) = synced_hub(&server, &dir, watch_config()).await;
    watches_open(&server, Resource::Pods, 1).await;

    server.go_down();
    // Meanwhile the cluster changes (through another API server, into the same etcd).
    sim.rollout("shop", "api", &node_names(3)).unwrap();
    server.delete(Resource::Pods, "batch", "debug").unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.come_back().unwrap();

    let notices = converge(&mut rx, &mut cluster, CONVERGE, || expected(&server)).await;
    assert!(
        notices.iter().any(|n| matches!(
            n,
            Notice::Retrying {
                error: WatchError::Transport { .. },
                ..
            }
        )),
        "connection refused while down is reported"
    );
    assert!(
        relisted(&notices, ObjectKind::Pod),
        "the restarted server's watch cache answers 410"
    );
    assert!(
        cluster.pods().by_name(Some("batch"), "debug").is_none(),
        "the deletion missed by the watch is applied by the relist"
    );
}

#[tokio::test]
async fn gone_during_a_watch_relists() {
    let server = TestServer::start(server_config()).unwrap();
    let mut sim = small_cluster(&server);
    let dir = TempDir::new("gone");
    let (_watch, mut rx, mut cluster) = synced_hub(&server, &dir, watch_config()).await;
    watches_open(&server, Resource::Pods, 1).await;
    let lists = |server: &TestServer| {
        server
            .requests()
            .iter()
            .filter(|r| r.path == "/api/v1/pods" && !r.is_watch())
            .count()
    };
    let lists_before = lists(&server);

    server.expire_watches();
    sim.rollout("shop", "web", &node_names(3)).unwrap();
    let notices = converge(&mut rx, &mut cluster, CONVERGE, || expected(&server)).await;
    assert!(relisted(&notices, ObjectKind::Pod));
    assert!(lists(&server) > lists_before);
}

#[tokio::test]
async fn dropped_connections_resume_from_the_last_resource_version_without_relisting() {
    let server = TestServer::start(server_config()).unwrap();
    let mut sim = small_cluster(&server);
    let dir = TempDir::new("drop");
    let (_watch, mut rx, mut cluster) = synced_hub(&server, &dir, watch_config()).await;
    watches_open(&server, Resource::Pods, 1).await;
    let lists = |server: &TestServer| server.requests().iter().filter(|r| !r.is_watch()).count();
    let lists_before = lists(&server);
    let watches_before = server
        .requests()
        .iter()
        .filter(|r| r.is_watch() && r.path == "/api/v1/pods")
        .count();

    server.drop_connections();
    sim.rollout("shop", "web", &node_names(3)).unwrap();
    let notices = converge(&mut rx, &mut cluster, CONVERGE, || expected(&server)).await;

    assert_eq!(
        lists(&server),
        lists_before,
        "no relist after a dropped connection"
    );
    let requests = server.requests();
    let pod_watches: Vec<_> = requests
        .iter()
        .filter(|r| r.is_watch() && r.path == "/api/v1/pods")
        .collect();
    assert!(pod_watches.len() > watches_before);
    let resumed: u64 = pod_watches
        .last()
        .unwrap()
        .param("resourceVersion")
        .unwrap()
        .parse()
        .unwrap();
    assert!(resumed > 1000, "resumed from a real resourceVersion");
    assert!(notices.iter().any(|n| matches!(
        n,
        Notice::Retrying {
            error: WatchError::Transport { .. },
            ..
        }
    )));
}

#[tokio::test]
async fn watch_timeouts_resume_from_bookmarks() {
    let server = TestServer::start(server_config()).unwrap();
    let mut sim = small_cluster(&server);
    let dir = TempDir::new("bookmark");
    let config = WatchConfig {
        watch_timeout: Duration::from_secs(1),
        ..watch_config()
    };
    let (_watch, mut rx, mut cluster) = synced_hub(&server, &dir, config).await;
    let pods_listed_at: u64 = server
        .requests()
        .iter()
        .filter(|r| r.path == "/api/v1/pods" && r.is_watch())
        .map(|r| r.param("resourceVersion").unwrap().parse::<u64>().unwrap())
        .next()
        .unwrap();

    // Only services change: the pod watch sees no event, just bookmarks moving on.
    sim.service("shop", "extra", &[("app", "web")]).unwrap();
    let pod_watches = || -> Vec<u64> {
        server
            .requests()
            .iter()
            .filter(|r| r.path == "/api/v1/pods" && r.is_watch())
            .map(|r| r.param("resourceVersion").unwrap().parse::<u64>().unwrap())
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !pod_watches().iter().any(|rv| *rv > pods_listed_at) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let watches = pod_watches();
    assert!(
        watches.len() >= 2,
        "the server ended the 1 s watches and they were reopened: {watches:?}"
    );
    assert!(
        watches.iter().any(|rv| *rv > pods_listed_at),
        "reopened from a bookmark's resourceVersion, not the list's: {watches:?}"
    );
    let pod_lists = server
        .requests()
        .iter()
        .filter(|r| r.path == "/api/v1/pods" && !r.is_watch())
        .count();
    assert_eq!(pod_lists, 2, "timeouts do not relist");

    sim.rollout("shop", "api", &node_names(3)).unwrap();
    converge(&mut rx, &mut cluster, CONVERGE, || expected(&server)).await;
}

#[tokio::test]
async fn forbidden_kinds_are_reported_once_and_skipped() {
    let server = TestServer::start(server_config()).unwrap();
    small_cluster(&server);
    server.forbid(Resource::ReplicaSets);
    server.forbid(Resource::EndpointSlices);
    let dir = TempDir::new("forbidden");
    let client = kinsight_kube::connect(&kubeconfig(
        &server,
        &dir,
        kinsight_kube_testserver::Credentials::Anonymous,
    ))
    .await
    .unwrap();
    let (_watch, mut rx) =
        kinsight_kube::KubeWatch::spawn(client, &kinsight_kube::Shape::Hub, watch_config());
    let mut cluster = kinsight_model::Cluster::new();
    let report = rx
        .wait_synced(&mut cluster, Duration::from_secs(10))
        .await
        .expect("other kinds sync");
    assert_eq!(
        report.skipped.keys().copied().collect::<Vec<_>>(),
        [ObjectKind::ReplicaSet, ObjectKind::EndpointSlice]
    );
    assert!(
        report.skipped[&ObjectKind::ReplicaSet].contains("403"),
        "{:?}",
        report.skipped
    );
    assert!(
        report.skipped[&ObjectKind::ReplicaSet].contains("cannot list resource \"replicasets\"")
    );
    let want = || {
        let mut w = expected(&server);
        w.retain(|(k, _), _| !matches!(k, ObjectKind::ReplicaSet | ObjectKind::EndpointSlice));
        w
    };
    let notices = converge(&mut rx, &mut cluster, CONVERGE, want).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    rx.apply_pending(&mut cluster);
    let later = rx.take_notices();
    let skipped = notices
        .iter()
        .chain(later.iter())
        .filter(|n| matches!(n, Notice::Skipped { .. }))
        .count();
    assert_eq!(
        skipped, 2,
        "each forbidden kind reported once: {notices:?} {later:?}"
    );
    let requests = server.requests();
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.path.ends_with("/replicasets"))
            .count(),
        1,
        "not retried"
    );
    // Without EndpointSlices, services still find their pods by selector.
    let web = pods_named(&cluster, "web-")[0];
    assert_eq!(
        cluster
            .services_of(web)
            .iter()
            .map(|s| &*s.meta.name)
            .collect::<Vec<_>>(),
        ["web"]
    );
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff() {
    let server = TestServer::start(server_config()).unwrap();
    small_cluster(&server);
    server.inject(Fault::Status {
        resource: Resource::Pods,
        on: On::Only(Verb::List),
        code: 503,
        times: 3,
    });
    server.inject(Fault::Status {
        resource: Resource::Services,
        on: On::Only(Verb::List),
        code: 410,
        times: 1,
    });
    let dir = TempDir::new("errors");
    let started = Instant::now();
    let client = kinsight_kube::connect(&kubeconfig(
        &server,
        &dir,
        kinsight_kube_testserver::Credentials::Anonymous,
    ))
    .await
    .unwrap();
    let (_watch, mut rx) =
        kinsight_kube::KubeWatch::spawn(client, &kinsight_kube::Shape::Hub, watch_config());
    let mut cluster = kinsight_model::Cluster::new();
    rx.wait_synced(&mut cluster, Duration::from_secs(10))
        .await
        .unwrap();
    let mut notices = rx.take_notices();
    notices.extend(converge(&mut rx, &mut cluster, CONVERGE, || expected(&server)).await);
    let retries: Vec<Duration> = notices
        .iter()
        .filter_map(|n| match n {
            Notice::Retrying {
                error:
                    WatchError::Status {
                        kind: ObjectKind::Pod,
                        code: 503,
                        ..
                    },
                retry_in,
            } => Some(*retry_in),
            _ => None,
        })
        .collect();
    assert_eq!(retries.len(), 3, "{notices:?}");
    assert!(
        retries[1] > retries[0] && retries[2] > retries[1],
        "backoff grows: {retries:?}"
    );
    assert!(started.elapsed() >= retries.iter().sum::<Duration>());
    assert!(
        relisted(&notices, ObjectKind::Service),
        "410 on a list starts it over"
    );
}

#[tokio::test]
async fn a_list_that_hangs_times_out_and_is_retried() {
    let server = TestServer::start(server_config()).unwrap();
    small_cluster(&server);
    server.inject(Fault::Hang {
        resource: Resource::Pods,
        on: On::Only(Verb::List),
        duration: Duration::from_secs(30),
        times: 1,
    });
    let dir = TempDir::new("hang");
    let config = WatchConfig {
        request_timeout: Duration::from_millis(500),
        ..watch_config()
    };
    let started = Instant::now();
    let client = kinsight_kube::connect(&kubeconfig(
        &server,
        &dir,
        kinsight_kube_testserver::Credentials::Anonymous,
    ))
    .await
    .unwrap();
    let (_watch, mut rx) =
        kinsight_kube::KubeWatch::spawn(client, &kinsight_kube::Shape::Hub, config);
    let mut cluster = kinsight_model::Cluster::new();
    rx.wait_synced(&mut cluster, Duration::from_secs(10))
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    let notices = rx.take_notices();
    assert!(notices.iter().any(|n| matches!(
        n,
        Notice::Retrying {
            error: WatchError::Timeout {
                kind: ObjectKind::Pod,
                ..
            },
            ..
        }
    )));
    converge(&mut rx, &mut cluster, CONVERGE, || expected(&server)).await;
}
