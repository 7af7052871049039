//! The model rebuilt from the real payloads of `bencer/k8s_backend_capture.scap` (a 2016
//! single-node Kubernetes 1.4 cluster): its 25 K8S_E events, its 20 container JSON events,
//! and the raw API responses kubelet/sysdig read during the capture.

use std::net::IpAddr;
use std::sync::Arc;

use kinsight_model::k8s::{parse_capture_event, PodPhase, TargetPort};
use kinsight_model::{Cluster, ModelError, WorkloadKind};

const K8S_E: &str = include_str!("data/k8s_backend_k8s_e.jsonl");
const CONTAINERS: &str = include_str!("data/k8s_backend_containers.jsonl");
const API: &str = include_str!("data/k8s_backend_api.jsonl");

const NS: &str = "critical-app";
const BACKEND_PODS: [&str; 3] = [
    "backend-1440326531-csj02",
    "backend-1440326531-xws32",
    "backend-1440326531-zwl37",
];
const DASHBOARD_POD: &str = "kubernetes-dashboard-1112383990-2j6t7";

fn lines(s: &str) -> impl Iterator<Item = &str> {
    s.lines().filter(|l| !l.trim().is_empty())
}

/// The cluster as a replay of the capture builds it.
fn replay() -> Cluster {
    let mut c = Cluster::new();
    for l in lines(K8S_E) {
        c.apply_capture_event(l).unwrap();
    }
    for l in lines(CONTAINERS) {
        c.apply_container_json(l).unwrap();
    }
    c
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn every_k8s_e_event_parses_and_counts() {
    let mut c = Cluster::new();
    let per_event: Vec<usize> = lines(K8S_E)
        .map(|l| c.apply_capture_event(l).unwrap())
        .collect();
    assert_eq!(per_event.len(), 25);
    // Initial state (lists), then the same objects again as single-item watch events, then
    // one Node MODIFIED. Empty ReplicationController and DaemonSet lists apply nothing.
    assert_eq!(
        per_event,
        [1, 3, 5, 0, 3, 2, 0, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    );
    assert_eq!(c.nodes().len(), 1);
    assert_eq!(c.namespaces().len(), 3);
    assert_eq!(c.pods().len(), 5);
    assert_eq!(c.services().len(), 3);
    assert_eq!(c.replica_sets().len(), 2);
    assert_eq!(c.deployments().len(), 2);
    assert!(c.replication_controllers().is_empty());
    assert!(c.daemon_sets().is_empty());
}

#[test]
fn namespaces_and_node() {
    let c = replay();
    let mut names: Vec<&str> = c.namespaces().iter().map(|n| &*n.meta.name).collect();
    names.sort();
    assert_eq!(names, ["critical-app", "default", "kube-system"]);
    let ns = c.namespaces().by_name(None, NS).unwrap();
    assert_eq!(&*ns.meta.uid, "cfcd4980-bd5a-11e6-8bdb-028ce2cfb533");
    assert_eq!(ns.meta.created.as_deref(), Some("2016-12-08T15:27:21Z"));

    let node = c.nodes().by_name(None, "10.0.2.15").unwrap();
    assert_eq!(node.ips(), [ip("10.0.2.15")]);
    assert_eq!(
        node.meta.labels.get("kubernetes.io/hostname").map(|v| &**v),
        Some("10.0.2.15")
    );
    let on_node: Vec<&str> = c
        .pods_on_node("10.0.2.15")
        .iter()
        .map(|p| &*p.meta.name)
        .collect();
    assert_eq!(
        on_node,
        [
            "backend-1440326531-csj02",
            "backend-1440326531-xws32",
            "backend-1440326531-zwl37",
            "client",
            DASHBOARD_POD
        ]
    );
    for pod in c.pods() {
        assert_eq!(c.node_of(pod).map(|n| &*n.meta.uid), Some(&*node.meta.uid));
        assert!(c.namespace_of(pod).is_some());
    }
}

#[test]
fn backend_deployment_replicaset_and_pods() {
    let c = replay();
    let deploy = c
        .workload_by_name(WorkloadKind::Deployment, Some(NS), "backend")
        .unwrap();
    let rs = c
        .replica_sets()
        .by_name(Some(NS), "backend-1440326531")
        .unwrap();
    assert_eq!(rs.replicas.desired, Some(3));
    assert_eq!(rs.replicas.current, Some(3));
    assert_eq!(
        c.owner_of_workload(kinsight_model::WorkloadRef::ReplicaSet(rs))
            .map(|w| w.uid()),
        Some(deploy.uid())
    );

    for name in BACKEND_PODS {
        let pod = c.pods().by_name(Some(NS), name).unwrap();
        // The condensed events carry no owner references: the chain comes from selectors.
        assert!(pod.meta.owner_refs.is_empty());
        let chain: Vec<(WorkloadKind, &str)> = c
            .owner_chain(pod)
            .iter()
            .map(|w| (w.kind(), w.name()))
            .collect();
        assert_eq!(
            chain,
            [
                (WorkloadKind::ReplicaSet, "backend-1440326531"),
                (WorkloadKind::Deployment, "backend")
            ]
        );
        assert_eq!(c.namespace_of(pod).map(|n| &*n.meta.name), Some(NS));
        assert_eq!(pod.phase, PodPhase::Running);
        assert_eq!(pod.host_ip, Some(ip("10.0.2.15")));
        assert_eq!(pod.restart_count(), 0);
        assert_eq!(pod.meta.labels.get("role").map(|v| &**v), Some("backend"));
    }
    let pods: Vec<&str> = c
        .pods_of_workload(deploy)
        .iter()
        .map(|p| &*p.meta.name)
        .collect();
    assert_eq!(pods, BACKEND_PODS);

    let client = c.pods().by_name(Some(NS), "client").unwrap();
    assert!(client.meta.labels.is_empty());
    assert!(c.owner_chain(client).is_empty());
    assert!(c.services_of(client).is_empty());
}

#[test]
fn backend_service_selects_exactly_the_backend_pods() {
    let c = replay();
    let svc = c.services().by_name(Some(NS), "backend").unwrap();
    assert_eq!(svc.cluster_ip, Some(ip("10.3.0.214")));
    assert_eq!(svc.ports.len(), 1);
    assert_eq!(svc.ports[0].port, 80);
    assert_eq!(svc.ports[0].target_port, Some(TargetPort::Number(80)));
    assert_eq!(svc.ports[0].protocol.as_deref(), Some("TCP"));
    let pods: Vec<&str> = c
        .pods_of_service(svc)
        .iter()
        .map(|p| &*p.meta.name)
        .collect();
    assert_eq!(pods, BACKEND_PODS);
    for name in BACKEND_PODS {
        let pod = c.pods().by_name(Some(NS), name).unwrap();
        let svcs: Vec<&str> = c.services_of(pod).iter().map(|s| &*s.meta.name).collect();
        assert_eq!(svcs, ["backend"]);
    }
    // `default/kubernetes` has no selector: it fronts no pod.
    let k = c.services().by_name(Some("default"), "kubernetes").unwrap();
    assert!(k.selector.is_empty());
    assert!(c.pods_of_service(k).is_empty());
}

#[test]
fn dashboard_in_kube_system() {
    let c = replay();
    let pod = c
        .pods()
        .by_name(Some("kube-system"), DASHBOARD_POD)
        .unwrap();
    let chain: Vec<(WorkloadKind, &str)> = c
        .owner_chain(pod)
        .iter()
        .map(|w| (w.kind(), w.name()))
        .collect();
    assert_eq!(
        chain,
        [
            (WorkloadKind::ReplicaSet, "kubernetes-dashboard-1112383990"),
            (WorkloadKind::Deployment, "kubernetes-dashboard")
        ]
    );
    let svcs: Vec<&str> = c.services_of(pod).iter().map(|s| &*s.meta.name).collect();
    assert_eq!(svcs, ["kubernetes-dashboard"]);
    let svc = c
        .services()
        .by_name(Some("kube-system"), "kubernetes-dashboard")
        .unwrap();
    assert_eq!(svc.ports[0].node_port, Some(4124));
    assert_eq!(svc.ports[0].target_port, Some(TargetPort::Number(9090)));
    assert_eq!(pod.named_port("nope"), None);
    assert_eq!(pod.containers[0].ports[0].port, 9090);
}

#[test]
fn containers_map_to_pods() {
    let c = replay();
    assert_eq!(
        c.containers().count(),
        19,
        "20 events, the dashboard pause container twice"
    );
    let expect = [
        // app containers: by the ids in containerStatuses
        ("730a6f492270", "backend-1440326531-csj02"),
        ("1130aae3b459", "backend-1440326531-zwl37"),
        ("455517a2d6f0", "backend-1440326531-xws32"),
        ("b3a718d8b339", "client"),
        ("46cbfa65bd40", DASHBOARD_POD),
        // pause containers: not in containerStatuses, found by the kubelet docker name
        ("2fbef9108784", "backend-1440326531-csj02"),
        ("72bc22730a33", "backend-1440326531-zwl37"),
        ("eb7f593fc9dd", "backend-1440326531-xws32"),
        ("0d7f3e82ab58", "client"),
        ("52a9095261b2", DASHBOARD_POD),
    ];
    for (id, pod) in expect {
        assert_eq!(
            c.pod_of_container(id).map(|p| &*p.meta.name),
            Some(pod),
            "container {id}"
        );
    }
    let full = "730a6f492270921c8cf91d8c8c7c125ebb94a4749e0d4c753b1dc1cd42d84025";
    assert_eq!(
        c.pod_of_container(full).map(|p| &*p.meta.name),
        Some("backend-1440326531-csj02")
    );
    // Control-plane containers started by hand are in no pod.
    for id in [
        "de7157ba23c4",
        "9e202e5f273e",
        "4b44ae6e7bb7",
        "fa66b010f3f5",
    ] {
        assert!(c.pod_of_container(id).is_none(), "{id}");
    }

    let csj02 = c
        .pods()
        .by_name(Some(NS), "backend-1440326531-csj02")
        .unwrap();
    let ids: Vec<&str> = c.containers_of(csj02).iter().map(|c| &*c.id).collect();
    assert_eq!(ids, ["2fbef9108784", "730a6f492270"]);
    let k8s = csj02.containers[0].id.as_ref().unwrap();
    assert_eq!(k8s.runtime.as_deref(), Some("docker"));
    assert_eq!(&*k8s.full, full);
    assert_eq!(k8s.short(), "730a6f492270");
    assert_eq!(
        csj02.container_by_id(full).map(|c| &*c.name),
        Some("backend")
    );
    assert_eq!(csj02.pod_ip, Some(ip("172.17.0.5")));

    let app = c.container("730a6f492270").unwrap();
    assert_eq!(app.kind.name(), "docker");
    assert_eq!(app.image, "nginx:1.10");
    assert_eq!(app.mounts.len(), 3);
    assert_eq!(app.ip, None, "sysdig wrote 0.0.0.0");
    let pause = c.container("2fbef9108784").unwrap();
    assert_eq!(pause.ip, Some(ip("172.17.0.5")));
}

#[test]
fn pause_container_needs_its_name_to_find_the_pod() {
    let mut c = Cluster::new();
    for l in lines(K8S_E) {
        c.apply_capture_event(l).unwrap();
    }
    assert!(c.pod_of_container("2fbef9108784").is_none());
    assert!(c.pod_of_container("730a6f492270").is_some());
}

#[test]
fn strings_are_shared_across_objects() {
    let c = replay();
    let a = c.pods().by_name(Some(NS), BACKEND_PODS[0]).unwrap();
    let b = c.pods().by_name(Some(NS), BACKEND_PODS[1]).unwrap();
    assert!(Arc::ptr_eq(
        a.meta.namespace.as_ref().unwrap(),
        b.meta.namespace.as_ref().unwrap()
    ));
    let (ka, va) = a.meta.labels.iter().next().unwrap();
    let (kb, vb) = b.meta.labels.iter().next().unwrap();
    assert!(Arc::ptr_eq(ka, kb) && Arc::ptr_eq(va, vb));
    assert!(Arc::ptr_eq(
        a.node_name.as_ref().unwrap(),
        b.node_name.as_ref().unwrap()
    ));
}

#[test]
fn condensed_deleted_nonexistent_and_error_events() {
    let mut c = replay();
    let csj02_event = lines(K8S_E)
        .find(|l| {
            l.contains("\"type\":\"ADDED\"")
                && l.contains("backend-1440326531-csj02")
                && !l.contains("client")
        })
        .unwrap();
    let deleted = csj02_event.replace("\"type\":\"ADDED\"", "\"type\":\"DELETED\"");
    assert_eq!(c.apply_capture_event(&deleted).unwrap(), 1);
    assert!(c
        .pods()
        .by_name(Some(NS), "backend-1440326531-csj02")
        .is_none());
    assert!(c.pod_of_container("730a6f492270").is_none());
    assert!(c.pod_of_container("2fbef9108784").is_none());
    let svc = c.services().by_name(Some(NS), "backend").unwrap();
    assert_eq!(c.pods_of_service(svc).len(), 2);
    // Deleting again changes nothing.
    assert_eq!(c.apply_capture_event(&deleted).unwrap(), 0);

    // MODIFIED replaces the object (here: the pod comes back with a restart).
    let modified = csj02_event
        .replace("\"type\":\"ADDED\"", "\"type\":\"MODIFIED\"")
        .replace("\"restartCount\":0", "\"restartCount\":2");
    assert_eq!(c.apply_capture_event(&modified).unwrap(), 1);
    let pod = c
        .pods()
        .by_name(Some(NS), "backend-1440326531-csj02")
        .unwrap();
    assert_eq!(pod.restart_count(), 2);
    assert_eq!(c.pods().len(), 5);

    // Newer sysdig: an empty list is recorded as NONEXISTENT with a null item.
    let none = r#"{"apiVersion":"extensions/v1beta1","items":[null],"kind":"DaemonSet","type":"NONEXISTENT"}"#;
    assert_eq!(c.apply_capture_event(none).unwrap(), 0);

    let error = r#"{"apiVersion":"v1","items":[{"code":403,"details":null,"message":"daemonsets is forbidden","metadata":{},"reason":"Forbidden","status":"Failure"}],"kind":"Status","type":"ERROR"}"#;
    match c.apply_capture_event(error) {
        Err(ModelError::Watch { code, reason, .. }) => {
            assert_eq!(code, Some(403));
            assert_eq!(reason, "Forbidden");
        }
        other => panic!("expected a watch error, got {other:?}"),
    }
    assert_eq!(c.pods().len(), 5);

    // Items without uid or name cannot be keyed.
    let empty = r#"{"apiVersion":"v1","items":[{}],"kind":"Pod","type":"ADDED"}"#;
    assert_eq!(c.apply_capture_event(empty).unwrap(), 0);

    // Kinds the model does not hold are skipped.
    let events = r#"{"apiVersion":"v1","items":[{"name":"x"}],"kind":"EventList","type":"ADDED"}"#;
    assert_eq!(c.apply_capture_event(events).unwrap(), 0);
}

#[test]
fn condensed_daemonset_and_replicationcontroller() {
    // The capture's lists for these kinds are empty; these items follow sysdig's filters.
    let mut c = Cluster::new();
    for ev in [
        r#"{"apiVersion":"v1","items":[{"labels":{"k8s-app":"agent"},"name":"agent-x1","namespace":"ops","nodeName":"n1","phase":"Running","podIP":"10.1.0.9","uid":"p1"},{"labels":{"app":"legacy","v":"1"},"name":"legacy-abcde","namespace":"ops","uid":"p2"}],"kind":"Pod","type":"ADDED"}"#,
        r#"{"apiVersion":"extensions/v1beta1","items":[{"currentScheduled":1,"desiredScheduled":1,"labels":null,"name":"agent","namespace":"ops","selector":{"k8s-app":"agent"},"timestamp":"2017-01-01T00:00:00Z","uid":"ds1"}],"kind":"DaemonSet","type":"ADDED"}"#,
        r#"{"apiVersion":"v1","items":[{"labels":{"app":"legacy"},"name":"legacy","namespace":"ops","selector":{"app":"legacy"},"specReplicas":1,"statReplicas":1,"uid":"rc1"}],"kind":"ReplicationController","type":"ADDED"}"#,
    ] {
        assert!(c.apply_capture_event(ev).unwrap() > 0);
    }
    let ds = c.daemon_sets().get("ds1").unwrap();
    assert_eq!(
        (ds.replicas.desired, ds.replicas.current),
        (Some(1), Some(1))
    );
    let agent = c.pods().get("p1").unwrap();
    let chain: Vec<WorkloadKind> = c.owner_chain(agent).iter().map(|w| w.kind()).collect();
    assert_eq!(chain, [WorkloadKind::DaemonSet]);
    let legacy = c.pods().get("p2").unwrap();
    let chain: Vec<&str> = c.owner_chain(legacy).iter().map(|w| w.name()).collect();
    assert_eq!(chain, ["legacy"]);
    assert_eq!(agent.pod_ip, Some(ip("10.1.0.9")));
}

#[test]
fn api_responses_in_the_capture_give_the_same_model() {
    // The raw API JSON (extensions/v1beta1 era) seen in the capture's syscall buffers:
    // lists of every kind and three Pod watch events.
    let mut api = Cluster::new();
    let mut applied = 0;
    for l in lines(API) {
        applied += api.apply_api_json(l).unwrap();
    }
    assert_eq!(applied, 1 + 3 + 3 + 2 + 2 + 3);
    let condensed = replay();

    for (ns, name) in [
        (NS, "backend-1440326531-zwl37"),
        (NS, "client"),
        ("kube-system", DASHBOARD_POD),
    ] {
        let from_api = api.pods().by_name(Some(ns), name).unwrap();
        let from_k8s_e = condensed.pods().by_name(Some(ns), name).unwrap();
        // Kubernetes 1.4 already set ownerReferences on pods; sysdig's filter dropped them
        // along with the resource version. Everything else is the same model.
        let mut stripped = from_api.clone();
        stripped.meta.owner_refs.clear();
        stripped.meta.resource_version = None;
        assert_eq!(&stripped, from_k8s_e, "{name}");
    }
    // Pods use their owner reference; the 1.4 ReplicaSet has none, so the Deployment is
    // found by its selector.
    let zwl37 = api
        .pods()
        .by_name(Some(NS), "backend-1440326531-zwl37")
        .unwrap();
    assert_eq!(zwl37.meta.owner_refs.len(), 1);
    assert!(zwl37.meta.owner_refs[0].controller);
    let chain: Vec<&str> = api.owner_chain(zwl37).iter().map(|w| w.name()).collect();
    assert_eq!(chain, ["backend-1440326531", "backend"]);

    for kind in [WorkloadKind::Deployment, WorkloadKind::ReplicaSet] {
        for ns in [NS, "kube-system"] {
            let mut a: Vec<_> = api
                .workloads_in(kind, ns)
                .map(|w| w.meta().clone())
                .collect();
            let mut b: Vec<_> = condensed
                .workloads_in(kind, ns)
                .map(|w| w.meta().clone())
                .collect();
            for m in a.iter_mut().chain(b.iter_mut()) {
                m.resource_version = None;
            }
            a.sort_by(|x, y| x.uid.cmp(&y.uid));
            b.sort_by(|x, y| x.uid.cmp(&y.uid));
            assert_eq!(a, b, "{kind:?} in {ns}");
        }
    }
    let svc_api = api.services().by_name(Some(NS), "backend").unwrap();
    let svc_k8s_e = condensed.services().by_name(Some(NS), "backend").unwrap();
    assert_eq!(svc_api.service_type.as_deref(), Some("ClusterIP"));
    assert_eq!(svc_api.ports, svc_k8s_e.ports);
    assert_eq!(svc_api.selector, svc_k8s_e.selector);
}

#[test]
fn capture_events_may_also_hold_plain_api_json() {
    let mut c = Cluster::new();
    for l in lines(API) {
        c.apply_capture_event(l).unwrap();
    }
    assert_eq!(c.pods().len(), 3);
    assert!(
        parse_capture_event(r#"{"kind":"APIVersions","versions":["v1"]}"#)
            .unwrap()
            .is_empty()
    );
}
