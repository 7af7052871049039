//! The API-JSON path with hand-written objects in the exact shapes the Kubernetes API server
//! returns (apps/v1, batch/v1, discovery.k8s.io/v1, core/v1).

use kinsight_model::k8s::{parse_api_json, ContainerRole, PodPhase};
use kinsight_model::{Cluster, K8sObject, ModelError, ObjectKind, WatchKind, WorkloadKind};

fn watch(kind: &str, object: &str) -> String {
    format!(r#"{{"type":"{kind}","object":{object}}}"#)
}

const DEPLOYMENT: &str = r#"{
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "web", "namespace": "shop", "uid": "d-1", "resourceVersion": "100",
    "generation": 3, "creationTimestamp": "2024-05-01T10:00:00Z", "labels": {"app": "web"},
    "annotations": {"deployment.kubernetes.io/revision": "3"},
    "managedFields": [{"manager": "kubectl", "operation": "Update", "fieldsV1": {"f:spec": {}}}]},
  "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
    "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}},
    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}},
  "status": {"observedGeneration": 3, "replicas": 2, "readyReplicas": 2,
    "conditions": [{"type": "Available", "status": "True"}]}
}"#;

// The ReplicaSet's labels deliberately do not satisfy the Deployment's selector: the chain
// must come from ownerReferences, not from labels.
const REPLICASET: &str = r#"{
  "apiVersion": "apps/v1", "kind": "ReplicaSet",
  "metadata": {"name": "web-7d4b9c8f5", "namespace": "shop", "uid": "rs-1", "resourceVersion": "101",
    "labels": {"pod-template-hash": "7d4b9c8f5"},
    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "d-1",
      "controller": true, "blockOwnerDeletion": true}]},
  "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web", "pod-template-hash": "7d4b9c8f5"}}},
  "status": {"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 2, "availableReplicas": 2}
}"#;

fn pod(name: &str, uid: &str, ip: &str, container_id: &str, labels: &str, owner: &str) -> String {
    let init_id = &container_id[4..];
    format!(
        r#"{{
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {{"name": "{name}", "namespace": "shop", "uid": "{uid}", "resourceVersion": "200",
    "labels": {labels}, "ownerReferences": [{owner}]}},
  "spec": {{"nodeName": "worker-1",
    "initContainers": [{{"name": "init-db", "image": "busybox:1.36"}}],
    "containers": [{{"name": "nginx", "image": "nginx:1.25", "ports": [{{"name": "http", "containerPort": 8080, "protocol": "TCP"}}]}},
                   {{"name": "sidecar", "image": "envoy:1.30"}}]}},
  "status": {{"phase": "Running", "hostIP": "192.168.1.10", "podIP": "{ip}",
    "podIPs": [{{"ip": "{ip}"}}],
    "initContainerStatuses": [{{"name": "init-db", "containerID": "containerd://1111{init_id}",
      "restartCount": 0, "ready": true, "state": {{"terminated": {{"exitCode": 0}}}}}}],
    "containerStatuses": [
      {{"name": "nginx", "containerID": "containerd://{container_id}", "image": "docker.io/library/nginx:1.25",
        "imageID": "docker.io/library/nginx@sha256:00", "restartCount": 3, "ready": true, "started": true,
        "state": {{"running": {{"startedAt": "2024-05-01T10:01:00Z"}}}}, "lastState": {{}}}},
      {{"name": "sidecar", "image": "envoy:1.30", "restartCount": 0, "ready": false,
        "state": {{"waiting": {{"reason": "ContainerCreating"}}}}}}]}}
}}"#
    )
}

const RS_OWNER: &str = r#"{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7d4b9c8f5","uid":"rs-1","controller":true,"blockOwnerDeletion":true}"#;
const WEB_1_CID: &str = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";

fn web_pod_1() -> String {
    pod(
        "web-7d4b9c8f5-aaaaa",
        "p-1",
        "10.244.1.5",
        WEB_1_CID,
        r#"{"app": "web", "pod-template-hash": "7d4b9c8f5"}"#,
        RS_OWNER,
    )
}

fn web_pod_2() -> String {
    pod(
        "web-7d4b9c8f5-bbbbb",
        "p-2",
        "10.244.2.7",
        "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
        r#"{"app": "web", "pod-template-hash": "7d4b9c8f5"}"#,
        RS_OWNER,
    )
}

fn shop() -> Cluster {
    let mut c = Cluster::new();
    assert_eq!(c.apply_api_json(&watch("ADDED", DEPLOYMENT)).unwrap(), 1);
    assert_eq!(c.apply_api_json(&watch("ADDED", REPLICASET)).unwrap(), 1);
    let list = format!(
        r#"{{"apiVersion":"v1","kind":"PodList","metadata":{{"resourceVersion":"300"}},"items":[{},{}]}}"#,
        web_pod_1(),
        web_pod_2()
    );
    assert_eq!(c.apply_api_json(&list).unwrap(), 2);
    c
}

#[test]
fn deployment_replicaset_pod_chain_by_owner_references() {
    let c = shop();
    let pod = c.pods().get("p-1").unwrap();
    let chain: Vec<(WorkloadKind, &str)> = c
        .owner_chain(pod)
        .iter()
        .map(|w| (w.kind(), w.name()))
        .collect();
    assert_eq!(
        chain,
        [
            (WorkloadKind::ReplicaSet, "web-7d4b9c8f5"),
            (WorkloadKind::Deployment, "web")
        ]
    );
    let deploy = c.deployments().get("d-1").unwrap();
    assert_eq!(deploy.replicas.desired, Some(2));
    assert_eq!(deploy.meta.resource_version.as_deref(), Some("100"));
    assert_eq!(deploy.meta.created.as_deref(), Some("2024-05-01T10:00:00Z"));
    let rs = c
        .replica_sets()
        .by_name(Some("shop"), "web-7d4b9c8f5")
        .unwrap();
    assert_eq!(rs.meta.owner_refs[0].uid.as_ref(), "d-1");
    assert_eq!(
        c.pods_of_workload(kinsight_model::WorkloadRef::Deployment(deploy))
            .len(),
        2
    );
}

#[test]
fn pod_fields_from_the_api_shape() {
    let c = shop();
    let pod = c.pods().get("p-1").unwrap();
    assert_eq!(pod.node_name.as_deref(), Some("worker-1"));
    assert_eq!(pod.pod_ip, Some("10.244.1.5".parse().unwrap()));
    assert_eq!(pod.host_ip, Some("192.168.1.10".parse().unwrap()));
    assert_eq!(pod.phase, PodPhase::Running);
    assert_eq!(pod.restart_count(), 3);
    let names: Vec<(&str, ContainerRole)> =
        pod.containers.iter().map(|c| (&*c.name, c.role)).collect();
    assert_eq!(
        names,
        [
            ("init-db", ContainerRole::Init),
            ("nginx", ContainerRole::Regular),
            ("sidecar", ContainerRole::Regular)
        ]
    );
    let nginx = &pod.containers[1];
    let id = nginx.id.as_ref().unwrap();
    assert_eq!(id.runtime.as_deref(), Some("containerd"));
    assert_eq!(&*id.full, WEB_1_CID);
    assert_eq!(id.short(), "abcdef012345");
    assert!(nginx.ready);
    assert_eq!(pod.containers[2].id, None, "sidecar not created yet");
    assert_eq!(pod.named_port("http"), Some(8080));

    // Runtime ids, short or full, lead back to the pod.
    assert_eq!(
        c.pod_of_container("abcdef012345").map(|p| &*p.meta.uid),
        Some("p-1")
    );
    assert_eq!(
        c.pod_of_container(WEB_1_CID).map(|p| &*p.meta.uid),
        Some("p-1")
    );
    assert_eq!(
        c.pod_of_container("1111ef012345").map(|p| &*p.meta.uid),
        Some("p-1")
    );
    assert!(c.pod_of_container("000000000000").is_none());
}

const SERVICE: &str = r#"{
  "apiVersion": "v1", "kind": "Service",
  "metadata": {"name": "web", "namespace": "shop", "uid": "s-1", "labels": {"app": "web"}},
  "spec": {"type": "ClusterIP", "clusterIP": "10.96.12.34", "clusterIPs": ["10.96.12.34"],
    "selector": {"app": "web"},
    "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": "http"}],
    "sessionAffinity": "None", "ipFamilies": ["IPv4"]},
  "status": {"loadBalancer": {}}
}"#;

/// Lists only p-1, although the selector would match both pods: the slice is authoritative.
const SLICE: &str = r#"{
  "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
  "metadata": {"name": "web-x7k2p", "namespace": "shop", "uid": "es-1", "generateName": "web-",
    "labels": {"kubernetes.io/service-name": "web", "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
    "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": "web", "uid": "s-1", "controller": true}]},
  "addressType": "IPv4",
  "endpoints": [
    {"addresses": ["10.244.1.5"], "conditions": {"ready": true, "serving": true, "terminating": false},
     "nodeName": "worker-1", "targetRef": {"kind": "Pod", "namespace": "shop", "name": "web-7d4b9c8f5-aaaaa", "uid": "p-1"}}],
  "ports": [{"name": "http", "protocol": "TCP", "port": 8080}]
}"#;

#[test]
fn service_and_endpoint_slice() {
    let mut c = shop();
    c.apply_api_json(&watch("ADDED", SERVICE)).unwrap();
    let svc = c.services().get("s-1").unwrap();
    assert_eq!(svc.cluster_ip, Some("10.96.12.34".parse().unwrap()));
    assert_eq!(svc.service_type.as_deref(), Some("ClusterIP"));

    // Without slices: by selector.
    let p2 = c.pods().get("p-2").unwrap();
    assert_eq!(c.services_of(p2).len(), 1);
    assert_eq!(c.pods_of_service(svc).len(), 2);

    // With a slice: by the slice.
    c.apply_api_json(&watch("ADDED", SLICE)).unwrap();
    let slice = c.endpoint_slices().get("es-1").unwrap();
    assert_eq!(slice.service_name.as_deref(), Some("web"));
    assert_eq!(
        slice.endpoints[0].addresses,
        ["10.244.1.5".parse::<std::net::IpAddr>().unwrap()]
    );
    assert_eq!(slice.endpoints[0].ready, Some(true));
    assert_eq!(slice.ports[0].port, Some(8080));
    let svc = c.services().get("s-1").unwrap();
    let p1 = c.pods().get("p-1").unwrap();
    let names: Vec<&str> = c.services_of(p1).iter().map(|s| &*s.meta.name).collect();
    assert_eq!(names, ["web"]);
    let p2 = c.pods().get("p-2").unwrap();
    assert!(c.services_of(p2).is_empty());
    let pods: Vec<&str> = c
        .pods_of_service(svc)
        .iter()
        .map(|p| &*p.meta.uid)
        .collect();
    assert_eq!(pods, ["p-1"]);

    // MODIFIED: the slice now lists p-2 instead.
    let moved = SLICE
        .replace("10.244.1.5", "10.244.2.7")
        .replace("web-7d4b9c8f5-aaaaa", "web-7d4b9c8f5-bbbbb")
        .replace(r#""uid": "p-1""#, r#""uid": "p-2""#);
    assert_eq!(c.apply_api_json(&watch("MODIFIED", &moved)).unwrap(), 1);
    assert!(c.services_of(c.pods().get("p-1").unwrap()).is_empty());
    assert_eq!(c.services_of(c.pods().get("p-2").unwrap()).len(), 1);
    let svc = c.services().get("s-1").unwrap();
    let pods: Vec<&str> = c
        .pods_of_service(svc)
        .iter()
        .map(|p| &*p.meta.uid)
        .collect();
    assert_eq!(pods, ["p-2"]);

    // The slice goes away: back to the selector.
    assert_eq!(c.apply_api_json(&watch("DELETED", SLICE)).unwrap(), 1);
    assert!(c.endpoint_slices().is_empty());
    for uid in ["p-1", "p-2"] {
        assert_eq!(c.services_of(c.pods().get(uid).unwrap()).len(), 1);
    }
}

const CRONJOB: &str = r#"{
  "apiVersion": "batch/v1", "kind": "CronJob",
  "metadata": {"name": "report", "namespace": "ops", "uid": "cj-1"},
  "spec": {"schedule": "*/5 * * * *", "concurrencyPolicy": "Forbid", "suspend": false,
    "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "r", "image": "report:1"}], "restartPolicy": "OnFailure"}}}}},
  "status": {"lastScheduleTime": "2024-05-01T10:05:00Z"}
}"#;

const JOB: &str = r#"{
  "apiVersion": "batch/v1", "kind": "Job",
  "metadata": {"name": "report-28573205", "namespace": "ops", "uid": "j-1",
    "labels": {"batch.kubernetes.io/controller-uid": "j-1", "batch.kubernetes.io/job-name": "report-28573205", "controller-uid": "j-1", "job-name": "report-28573205"},
    "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "report", "uid": "cj-1", "controller": true, "blockOwnerDeletion": true}]},
  "spec": {"parallelism": 1, "completions": 1, "backoffLimit": 6,
    "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "j-1"}},
    "template": {"metadata": {"labels": {"batch.kubernetes.io/controller-uid": "j-1", "job-name": "report-28573205"}}, "spec": {"containers": []}}},
  "status": {"startTime": "2024-05-01T10:05:00Z", "active": 1, "ready": 0}
}"#;

const JOB_POD: &str = r#"{
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "report-28573205-q8x2z", "namespace": "ops", "uid": "jp-1",
    "labels": {"batch.kubernetes.io/controller-uid": "j-1", "job-name": "report-28573205"},
    "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": "report-28573205", "uid": "j-1", "controller": true, "blockOwnerDeletion": true}]},
  "spec": {"containers": [{"name": "r", "image": "report:1"}], "restartPolicy": "OnFailure"},
  "status": {"phase": "Pending"}
}"#;

#[test]
fn job_owned_by_cronjob() {
    let mut c = Cluster::new();
    let list =
        format!(r#"{{"apiVersion":"v1","kind":"List","items":[{CRONJOB},{JOB},{JOB_POD}]}}"#);
    assert_eq!(c.apply_api_json(&list).unwrap(), 3);
    let pod = c.pods().get("jp-1").unwrap();
    assert_eq!(pod.phase, PodPhase::Pending);
    assert_eq!(pod.pod_ip, None);
    let chain: Vec<(WorkloadKind, &str)> = c
        .owner_chain(pod)
        .iter()
        .map(|w| (w.kind(), w.name()))
        .collect();
    assert_eq!(
        chain,
        [
            (WorkloadKind::Job, "report-28573205"),
            (WorkloadKind::CronJob, "report")
        ]
    );
    let job = c.jobs().get("j-1").unwrap();
    assert_eq!((job.completions, job.active), (Some(1), Some(1)));
    let cj = c.cron_jobs().get("cj-1").unwrap();
    assert_eq!(cj.schedule.as_deref(), Some("*/5 * * * *"));

    // Without owner references (pre-1.8 clusters) the Job is matched by its name.
    let mut old = Cluster::new();
    old.apply_api_json(CRONJOB).unwrap();
    let no_owner = JOB.replace(r#""ownerReferences""#, r#""x-ownerReferences""#);
    old.apply_api_json(&no_owner).unwrap();
    old.apply_api_json(JOB_POD).unwrap();
    let pod = old.pods().get("jp-1").unwrap();
    let chain: Vec<&str> = old.owner_chain(pod).iter().map(|w| w.name()).collect();
    assert_eq!(chain, ["report-28573205", "report"]);
}

#[test]
fn statefulset_and_daemonset() {
    let mut c = Cluster::new();
    let objects = [
        r#"{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db","namespace":"data","uid":"ss-1"},
            "spec":{"replicas":3,"serviceName":"db-headless","selector":{"matchLabels":{"app":"db"},
            "matchExpressions":[{"key":"tier","operator":"In","values":["storage"]}]}},"status":{"replicas":3}}"#,
        r#"{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"agent","namespace":"kube-system","uid":"ds-1"},
            "spec":{"selector":{"matchLabels":{"app":"agent"}}},"status":{"desiredNumberScheduled":4,"currentNumberScheduled":3,"numberReady":3}}"#,
        // No owner reference: found by the StatefulSet's selector (labels + expression).
        r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"db-0","namespace":"data","uid":"dbp-0","labels":{"app":"db","tier":"storage"}},"spec":{},"status":{}}"#,
        r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"db-x","namespace":"data","uid":"dbp-x","labels":{"app":"db","tier":"cache"}},"spec":{},"status":{}}"#,
        r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"agent-q","namespace":"kube-system","uid":"ap-1","labels":{"app":"agent"},
            "ownerReferences":[{"apiVersion":"apps/v1","kind":"DaemonSet","name":"agent","uid":"ds-1","controller":true}]},
            "spec":{"hostNetwork":true,"nodeName":"worker-2"},"status":{"podIP":"192.168.1.11","hostIP":"192.168.1.11"}}"#,
        // Owned by a Node (static pod): not guessed from labels.
        r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"etcd-worker-2","namespace":"kube-system","uid":"sp-1","labels":{"app":"agent"},
            "ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"worker-2","uid":"n-2","controller":true}]},"spec":{},"status":{}}"#,
    ];
    for o in objects {
        assert_eq!(c.apply_api_json(o).unwrap(), 1, "{o}");
    }
    let ss = c.stateful_sets().get("ss-1").unwrap();
    assert_eq!(ss.service_name.as_deref(), Some("db-headless"));
    let kinds = |uid: &str| -> Vec<WorkloadKind> {
        let p = c.pods().get(uid).unwrap();
        c.owner_chain(p).iter().map(|w| w.kind()).collect()
    };
    assert_eq!(kinds("dbp-0"), [WorkloadKind::StatefulSet]);
    assert!(kinds("dbp-x").is_empty());
    assert_eq!(kinds("ap-1"), [WorkloadKind::DaemonSet]);
    assert!(kinds("sp-1").is_empty());
    let agent = c.pods().get("ap-1").unwrap();
    assert!(agent.host_network);
    let ds = c.daemon_sets().get("ds-1").unwrap();
    assert_eq!(
        (ds.replicas.desired, ds.replicas.current),
        (Some(4), Some(3))
    );
}

#[test]
fn deleted_watch_events() {
    let mut c = shop();
    assert!(c.pod_of_container(WEB_1_CID).is_some());
    let deleted = watch("DELETED", &web_pod_1());
    assert_eq!(c.apply_api_json(&deleted).unwrap(), 1);
    assert!(c.pods().get("p-1").is_none());
    assert!(c
        .pods()
        .by_name(Some("shop"), "web-7d4b9c8f5-aaaaa")
        .is_none());
    assert!(c.pod_of_container(WEB_1_CID).is_none());
    assert_eq!(c.apply_api_json(&deleted).unwrap(), 0, "already gone");

    // Deleting the ReplicaSet cuts the chain of the remaining pod at the pod.
    assert_eq!(c.apply_api_json(&watch("DELETED", REPLICASET)).unwrap(), 1);
    let p2 = c.pods().get("p-2").unwrap();
    assert!(c.owner_chain(p2).is_empty());

    // MODIFIED with a new pod IP replaces the pod.
    let moved = web_pod_2().replace("10.244.2.7", "10.244.3.1");
    assert_eq!(c.apply_api_json(&watch("MODIFIED", &moved)).unwrap(), 1);
    assert_eq!(
        c.pods().get("p-2").unwrap().pod_ip,
        Some("10.244.3.1".parse().unwrap())
    );

    // Namespaces and nodes are cluster-scoped.
    c.apply_api_json(r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop","uid":"ns-1"},"status":{"phase":"Active"}}"#).unwrap();
    c.apply_api_json(r#"{"apiVersion":"v1","kind":"Node","metadata":{"name":"worker-1","uid":"n-1","labels":{"node-role.kubernetes.io/worker":""}},
        "status":{"addresses":[{"type":"InternalIP","address":"192.168.1.10"},{"type":"Hostname","address":"worker-1"}]}}"#).unwrap();
    let node = c.nodes().by_name(None, "worker-1").unwrap();
    assert_eq!(
        node.ips(),
        ["192.168.1.10".parse::<std::net::IpAddr>().unwrap()]
    );
    assert_eq!(node.addresses[1].kind.as_deref(), Some("Hostname"));
    let p2 = c.pods().get("p-2").unwrap();
    assert_eq!(c.node_of(p2).map(|n| &*n.meta.uid), Some("n-1"));
    assert_eq!(c.namespace_of(p2).map(|n| &*n.meta.uid), Some("ns-1"));
    assert!(c.remove(ObjectKind::Namespace, "ns-1"));
    let p2 = c.pods().get("p-2").unwrap();
    assert!(c.namespace_of(p2).is_none());
}

#[test]
fn parse_api_json_returns_updates() {
    let updates = parse_api_json(&watch("MODIFIED", REPLICASET)).unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].kind, WatchKind::Modified);
    match &updates[0].object {
        K8sObject::ReplicaSet(rs) => {
            assert_eq!(rs.selector.match_labels.len(), 2);
            assert_eq!(rs.replicas.current, Some(2));
        }
        other => panic!("{other:?}"),
    }
    // A value works as well as text.
    let value: serde_json::Value = serde_json::from_str(DEPLOYMENT).unwrap();
    let mut c = Cluster::new();
    assert_eq!(c.apply_api_value(&value).unwrap(), 1);
    assert_eq!(c.deployments().len(), 1);
}

#[test]
fn watch_errors_bookmarks_and_unknown_kinds() {
    let mut c = shop();
    let gone = r#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
        "message":"too old resource version: 100 (2000)","reason":"Expired","code":410}}"#;
    match c.apply_api_json(gone) {
        Err(ModelError::Watch {
            code,
            reason,
            message,
        }) => {
            assert_eq!(code, Some(410));
            assert_eq!(reason, "Expired");
            assert!(message.contains("too old"));
        }
        other => panic!("{other:?}"),
    }
    let bookmark = r#"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12746","annotations":{"k8s.io/initial-events-end":"true"}}}}"#;
    assert_eq!(c.apply_api_json(bookmark).unwrap(), 0);
    let endpoints = r#"{"type":"MODIFIED","object":{"kind":"Endpoints","apiVersion":"v1","metadata":{"name":"kube-scheduler","namespace":"kube-system"},"subsets":[]}}"#;
    assert_eq!(c.apply_api_json(endpoints).unwrap(), 0);
    let forbidden = r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods is forbidden","reason":"Forbidden","code":403}"#;
    assert!(matches!(
        c.apply_api_json(forbidden),
        Err(ModelError::Watch {
            code: Some(403),
            ..
        })
    ));
    assert!(matches!(
        c.apply_api_json(r#"{"type":"UPSERTED","object":{"kind":"Pod"}}"#),
        Err(ModelError::Shape { .. })
    ));
    assert!(matches!(
        c.apply_api_json(r#"{"metadata":{"name":"x"}}"#),
        Err(ModelError::Shape { .. })
    ));
    assert_eq!(c.pods().len(), 2);
}

#[test]
fn malformed_json_and_wrong_types_are_errors_with_positions() {
    let mut c = Cluster::new();
    // Syntax error.
    let e = c
        .apply_api_json("{\"kind\": \"Pod\",\n \"metadata\": {\"name\": }")
        .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, ModelError::Json { .. }));
    assert!(
        msg.starts_with("Kubernetes API JSON: expected value at line 2 column"),
        "{msg}"
    );
    assert_eq!(e.position().map(|p| p.0), Some(2));

    // Wrong type deep inside a valid document: what and where.
    let bad = web_pod_1().replace(r#""restartCount": 3"#, r#""restartCount": "three""#);
    let e = c.apply_api_json(&bad).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.starts_with(
            "Kubernetes API JSON (Pod): invalid type: string \"three\", expected i64 at line"
        ),
        "{msg}"
    );
    assert!(e.position().is_some());

    let bad = SERVICE.replace("10.96.12.34\",", "10.96.12.345\",");
    let e = c.apply_api_json(&bad).unwrap_err();
    assert!(
        e.to_string()
            .contains("invalid IP address \"10.96.12.345\""),
        "{e}"
    );

    let e = c
        .apply_capture_event(r#"{"apiVersion":"v1","items":[{"name":"p","uid":"u","podIP":17}],"kind":"Pod","type":"ADDED"}"#)
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("sysdig K8S_E event (Pod ADDED): "),
        "{e}"
    );
    let e = c
        .apply_capture_event(r#"{"apiVersion":"v1","items":[{"name":"p","specReplicas":"x"}],"kind":"ReplicaSet","type":"ADDED"}"#)
        .unwrap_err();
    assert!(
        e.to_string().contains("expected i32 at line 1 column"),
        "{e}"
    );
    assert!(c.pods().is_empty());
}

/// Every prefix of real payloads, fed to every parser: errors, never panics.
#[test]
fn truncated_payloads_never_panic() {
    let k8s_e = include_str!("data/k8s_backend_k8s_e.jsonl");
    let containers = include_str!("data/k8s_backend_containers.jsonl");
    let mut samples: Vec<String> = vec![
        web_pod_1(),
        watch("ADDED", SLICE),
        format!(r#"{{"kind":"List","items":[{CRONJOB},{JOB}]}}"#),
    ];
    samples.extend(k8s_e.lines().take(3).map(String::from));
    samples.extend(containers.lines().take(2).map(String::from));
    let mut c = Cluster::new();
    for s in &samples {
        for end in (0..s.len()).filter(|&i| s.is_char_boundary(i)) {
            let cut = &s[..end];
            assert!(c.apply_api_json(cut).is_err() || cut.trim_end().ends_with('}'));
            let _ = c.apply_capture_event(cut);
            let _ = c.apply_container_json(cut);
        }
    }
}

#[test]
fn the_state_a_user_looks_for_is_kept() {
    use kinsight_model::k8s::{ContainerState, Termination};
    let crashing = r#"{
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "api-0", "namespace": "shop", "uid": "p-9"},
  "spec": {"nodeName": "n1", "containers": [{"name": "api", "image": "api:2"}, {"name": "proxy", "image": "envoy:1"}]},
  "status": {"phase": "Running", "containerStatuses": [
    {"name": "api", "ready": false, "restartCount": 4, "image": "api:2", "containerID": "containerd://aaaabbbbccccdddd",
     "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s"}},
     "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": "2024-05-01T10:00:00Z"}}},
    {"name": "proxy", "ready": true, "restartCount": 0, "state": {"running": {"startedAt": "2024-05-01T10:00:00Z"}}, "lastState": {}}]}
}"#;
    let node = r#"{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "uid": "n-1"},
  "status": {"capacity": {"cpu": "8", "memory": "32863040Ki", "pods": "110"},
             "allocatable": {"cpu": "7800m", "memory": "31Gi", "pods": "110"},
             "conditions": [{"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory"},
                            {"type": "Ready", "status": "False", "reason": "KubeletNotReady"}]}}"#;
    let deployment = DEPLOYMENT.replace(r#""readyReplicas": 2,"#, r#""readyReplicas": 1, "updatedReplicas": 2,"#);
    let mut cluster = Cluster::new();
    for json in [crashing, node, deployment.as_str()] {
        assert_eq!(cluster.apply_api_json(json).unwrap(), 1);
    }
    let pod = cluster.pods().iter().next().unwrap();
    let api = &pod.containers[0];
    assert_eq!(api.state, Some(ContainerState::Waiting { reason: Some("CrashLoopBackOff".into()) }));
    assert_eq!(api.last_termination, Some(Box::new(Termination { reason: Some("OOMKilled".into()), exit_code: 137 })));
    assert_eq!(api.state.as_ref().unwrap().describe(), "waiting: CrashLoopBackOff");
    assert_eq!(pod.containers[1].state, Some(ContainerState::Running));
    assert_eq!(pod.containers[1].last_termination, None);

    let n = cluster.nodes().iter().next().unwrap();
    assert_eq!(n.ready(), Some(false));
    assert_eq!(n.capacity.cpu_millis, Some(8000));
    assert_eq!(n.capacity.memory_bytes, Some(32_863_040 * 1024));
    assert_eq!(n.allocatable.cpu_millis, Some(7800));
    assert_eq!(n.allocatable.memory_bytes, Some(31 << 30));
    assert_eq!(n.capacity.pods, Some(110));

    let d = cluster.deployments().iter().next().unwrap();
    assert_eq!((d.replicas.desired, d.replicas.current, d.replicas.ready, d.replicas.updated), (Some(2), Some(2), Some(1), Some(2)));
}
