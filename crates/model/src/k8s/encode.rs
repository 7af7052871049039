//! From model objects back to Kubernetes API JSON: what `kinsight capture` writes into the
//! K8S_E events of a capture, so that the capture carries its cluster.
//!
//! The output is the API server's own shape (`{"type":"ADDED","object":{apiVersion, kind,
//! metadata, spec, status}}`) restricted to the fields the model keeps, so it goes back in
//! through the one conversion every other source uses ([`crate::k8s::parse_capture_event`]
//! falls back to API JSON for anything that is not sysdig's condensed form). The round trip
//! model → JSON → model is the identity; the tests check it on every kind.

use serde_json::{json, Map, Value};

use crate::k8s::meta::ObjectMeta;
use crate::k8s::node::NodeResources;
use crate::k8s::pod::{ContainerRole, ContainerState, PodContainer, Termination};
use crate::k8s::service::TargetPort;
use crate::k8s::time::format_rfc3339;
use crate::k8s::workload::Replicas;
use crate::k8s::{K8sObject, ObjectKind, WatchKind};
use crate::labels::{LabelSelector, Labels, SelectorOperator};

/// The most a K8S_E payload can hold: its one parameter has a 16-bit length, which counts
/// the terminating NUL.
pub const MAX_CAPTURE_EVENT_JSON: usize = u16::MAX as usize - 1;

/// `v1`, `apps/v1`, ...: the group version the model's kinds are served at.
pub fn api_version(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Node
        | ObjectKind::Namespace
        | ObjectKind::Pod
        | ObjectKind::Service
        | ObjectKind::ReplicationController
        | ObjectKind::Event => "v1",
        ObjectKind::ReplicaSet
        | ObjectKind::Deployment
        | ObjectKind::DaemonSet
        | ObjectKind::StatefulSet => "apps/v1",
        ObjectKind::Job | ObjectKind::CronJob => "batch/v1",
        ObjectKind::EndpointSlice => "discovery.k8s.io/v1",
    }
}

/// A watch event of one object, as the API server would send it.
pub fn watch_event_json(kind: WatchKind, object: &K8sObject) -> String {
    let event_type = match kind {
        WatchKind::Added => "ADDED",
        WatchKind::Modified => "MODIFIED",
        WatchKind::Deleted => "DELETED",
    };
    json!({ "type": event_type, "object": to_api_value(object) }).to_string()
}

/// The object as API JSON.
pub fn to_api_value(object: &K8sObject) -> Value {
    let kind = object.kind();
    let mut out = Map::new();
    out.insert("apiVersion".into(), api_version(kind).into());
    out.insert("kind".into(), kind.as_str().into());
    out.insert("metadata".into(), meta(object.meta()));
    let (spec, status) = match object {
        K8sObject::Node(n) => (
            Value::Null,
            json!({
                "addresses": n.addresses.iter().map(|a| json!({"type": a.kind.as_deref(), "address": &*a.address})).collect::<Vec<_>>(),
                "conditions": n.conditions.iter().map(|c| json!({"type": &*c.kind, "status": &*c.status, "reason": c.reason.as_deref()})).collect::<Vec<_>>(),
                "capacity": resources(&n.capacity),
                "allocatable": resources(&n.allocatable),
            }),
        ),
        K8sObject::Namespace(_) => (Value::Null, Value::Null),
        K8sObject::Pod(p) => {
            let mut spec = json!({
                "nodeName": p.node_name.as_deref(),
                "hostNetwork": p.host_network,
            });
            let mut status = json!({
                "phase": p.phase.as_str(),
                "hostIP": p.host_ip.map(|ip| ip.to_string()),
                "podIP": p.pod_ip.map(|ip| ip.to_string()),
            });
            for (role, specs, statuses) in [
                (ContainerRole::Init, "initContainers", "initContainerStatuses"),
                (ContainerRole::Regular, "containers", "containerStatuses"),
                (ContainerRole::Ephemeral, "ephemeralContainers", "ephemeralContainerStatuses"),
            ] {
                let of_role: Vec<&PodContainer> = p.containers.iter().filter(|c| c.role == role).collect();
                spec[specs] = of_role.iter().map(|c| container_spec(c)).collect();
                status[statuses] = of_role.iter().map(|c| container_status(c)).collect();
            }
            (spec, status)
        }
        K8sObject::Service(s) => (
            json!({
                "type": s.service_type.as_deref(),
                "clusterIP": s.cluster_ip.map(|ip| ip.to_string()),
                "ports": s.ports.iter().map(|p| json!({
                    "name": p.name.as_deref(),
                    "protocol": p.protocol.as_deref(),
                    "port": p.port,
                    "targetPort": p.target_port.as_ref().map(|t| match t {
                        TargetPort::Number(n) => Value::from(*n),
                        TargetPort::Name(name) => Value::from(&**name),
                    }),
                    "nodePort": p.node_port,
                })).collect::<Vec<_>>(),
                "selector": labels(&s.selector.match_labels),
            }),
            Value::Null,
        ),
        K8sObject::ReplicationController(rc) => (
            json!({ "replicas": rc.replicas.desired, "selector": labels(&rc.selector.match_labels) }),
            replica_status(&rc.replicas),
        ),
        K8sObject::ReplicaSet(rs) => (replica_spec(&rs.selector, &rs.replicas, None), replica_status(&rs.replicas)),
        K8sObject::Deployment(d) => (replica_spec(&d.selector, &d.replicas, None), replica_status(&d.replicas)),
        K8sObject::StatefulSet(s) => (
            replica_spec(&s.selector, &s.replicas, s.service_name.as_deref()),
            replica_status(&s.replicas),
        ),
        K8sObject::DaemonSet(d) => (
            json!({ "selector": selector(&d.selector) }),
            json!({
                "desiredNumberScheduled": d.replicas.desired,
                "currentNumberScheduled": d.replicas.current,
                "numberReady": d.replicas.ready,
                "updatedNumberScheduled": d.replicas.updated,
            }),
        ),
        K8sObject::Job(j) => (
            json!({ "selector": selector(&j.selector), "completions": j.completions, "parallelism": j.parallelism }),
            json!({ "active": j.active, "succeeded": j.succeeded, "failed": j.failed }),
        ),
        K8sObject::CronJob(c) => (
            json!({ "schedule": c.schedule.as_deref(), "suspend": c.suspend }),
            Value::Null,
        ),
        K8sObject::EndpointSlice(e) => {
            out.insert("addressType".into(), e.address_type.as_deref().into());
            out.insert(
                "endpoints".into(),
                e.endpoints
                    .iter()
                    .map(|ep| {
                        json!({
                            "addresses": ep.addresses.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
                            "conditions": { "ready": ep.ready },
                            "targetRef": ep.pod.as_ref().map(|p| json!({
                                "kind": "Pod", "name": &*p.name,
                                "namespace": p.namespace.as_deref(), "uid": p.uid.as_deref(),
                            })),
                            "nodeName": ep.node_name.as_deref(),
                        })
                    })
                    .collect(),
            );
            out.insert(
                "ports".into(),
                e.ports
                    .iter()
                    .map(|p| json!({ "name": p.name.as_deref(), "protocol": p.protocol.as_deref(), "port": p.port }))
                    .collect(),
            );
            (Value::Null, Value::Null)
        }
        K8sObject::Event(e) => {
            out.insert(
                "involvedObject".into(),
                json!({
                    "kind": &*e.involved.kind,
                    "namespace": e.involved.namespace.as_deref(),
                    "name": &*e.involved.name,
                    "uid": e.involved.uid.as_deref(),
                }),
            );
            out.insert("reason".into(), e.reason.as_deref().into());
            out.insert("message".into(), e.message.as_deref().into());
            out.insert("type".into(), e.event_type.as_deref().into());
            out.insert("count".into(), e.count.into());
            out.insert("firstTimestamp".into(), e.first_ns.map(format_rfc3339).into());
            out.insert("lastTimestamp".into(), e.last_ns.map(format_rfc3339).into());
            out.insert("source".into(), json!({ "component": e.source.as_deref() }));
            (Value::Null, Value::Null)
        }
    };
    if !spec.is_null() {
        out.insert("spec".into(), spec);
    }
    if !status.is_null() {
        out.insert("status".into(), status);
    }
    Value::Object(out)
}

fn meta(m: &ObjectMeta) -> Value {
    json!({
        "name": &*m.name,
        "namespace": m.namespace.as_deref(),
        "uid": &*m.uid,
        "labels": labels(&m.labels),
        "ownerReferences": m.owner_refs.iter().map(|o| json!({
            "kind": &*o.kind, "name": &*o.name, "uid": &*o.uid, "controller": o.controller,
        })).collect::<Vec<_>>(),
        "resourceVersion": m.resource_version.as_deref(),
        "creationTimestamp": m.created.as_deref(),
    })
}

fn labels(labels: &Labels) -> Value {
    labels.iter().map(|(k, v)| (k.to_string(), Value::from(&**v))).collect::<Map<_, _>>().into()
}

fn selector(s: &LabelSelector) -> Value {
    json!({
        "matchLabels": labels(&s.match_labels),
        "matchExpressions": s.match_expressions.iter().map(|r| json!({
            "key": &*r.key,
            "operator": match &r.operator {
                SelectorOperator::In => "In",
                SelectorOperator::NotIn => "NotIn",
                SelectorOperator::Exists => "Exists",
                SelectorOperator::DoesNotExist => "DoesNotExist",
                SelectorOperator::Other(op) => op,
            },
            "values": r.values.iter().map(|v| &**v).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn replica_spec(s: &LabelSelector, r: &Replicas, service_name: Option<&str>) -> Value {
    json!({ "replicas": r.desired, "selector": selector(s), "serviceName": service_name })
}

fn replica_status(r: &Replicas) -> Value {
    json!({ "replicas": r.current, "readyReplicas": r.ready, "updatedReplicas": r.updated })
}

/// Quantities in the units the model parsed them to: millicores, bytes, a count.
fn resources(r: &NodeResources) -> Value {
    let mut out = Map::new();
    if let Some(cpu) = r.cpu_millis {
        out.insert("cpu".into(), format!("{cpu}m").into());
    }
    if let Some(memory) = r.memory_bytes {
        out.insert("memory".into(), memory.to_string().into());
    }
    if let Some(pods) = r.pods {
        out.insert("pods".into(), pods.to_string().into());
    }
    Value::Object(out)
}

fn container_spec(c: &PodContainer) -> Value {
    json!({
        "name": &*c.name,
        "image": c.image.as_deref(),
        "ports": c.ports.iter().map(|p| json!({
            "name": p.name.as_deref(), "containerPort": p.port, "protocol": p.protocol.as_deref(),
        })).collect::<Vec<_>>(),
    })
}

fn container_status(c: &PodContainer) -> Value {
    json!({
        "name": &*c.name,
        "containerID": c.id.as_ref().map(|id| match &id.runtime {
            Some(runtime) => format!("{runtime}://{}", id.full),
            None => id.full.to_string(),
        }),
        "restartCount": c.restart_count,
        "ready": c.ready,
        "state": c.state.as_ref().map(|s| match s {
            ContainerState::Running => json!({ "running": {} }),
            ContainerState::Waiting { reason } => json!({ "waiting": { "reason": reason.as_deref() } }),
            ContainerState::Terminated(t) => json!({ "terminated": termination(t) }),
        }),
        "lastState": c.last_termination.as_ref().map(|t| json!({ "terminated": termination(t) })),
    })
}

fn termination(t: &Termination) -> Value {
    json!({ "reason": t.reason.as_deref(), "exitCode": t.exit_code })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::parse_capture_event;

    /// Every kind, with every field the model keeps set, as the API server sends it.
    const OBJECTS: &[&str] = &[
        r#"{"kind":"Node","apiVersion":"v1","metadata":{"name":"n1","uid":"u-n1","labels":{"kubernetes.io/hostname":"n1"},"creationTimestamp":"2026-01-01T00:00:00Z","resourceVersion":"5"},
            "status":{"addresses":[{"type":"InternalIP","address":"10.0.0.1"},{"address":"n1.local"}],
            "conditions":[{"type":"Ready","status":"True","reason":"KubeletReady"},{"type":"MemoryPressure","status":"False"}],
            "capacity":{"cpu":"2","memory":"8Gi","pods":"110"},"allocatable":{"cpu":"1900m","memory":"7Gi","pods":"110"}}}"#,
        r#"{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"shop","uid":"u-ns","labels":{"team":"a"}}}"#,
        r#"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"web-1","namespace":"shop","uid":"u-p","labels":{"app":"web"},
              "ownerReferences":[{"kind":"ReplicaSet","name":"web-abc","uid":"u-rs","controller":true}]},
            "spec":{"nodeName":"n1","hostNetwork":false,
              "initContainers":[{"name":"init","image":"busybox"}],
              "containers":[{"name":"app","image":"nginx:1","ports":[{"name":"http","containerPort":80,"protocol":"TCP"}]},{"name":"side","image":"envoy"}]},
            "status":{"phase":"Running","hostIP":"10.0.0.1","podIP":"10.1.0.5",
              "initContainerStatuses":[{"name":"init","containerID":"containerd://aaa","restartCount":0,"ready":false,"state":{"terminated":{"reason":"Completed","exitCode":0}}}],
              "containerStatuses":[{"name":"app","containerID":"docker://0123456789abcdef","restartCount":3,"ready":true,"state":{"running":{}},"lastState":{"terminated":{"reason":"OOMKilled","exitCode":137}}},
                                   {"name":"side","restartCount":0,"ready":false,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}}"#,
        r#"{"kind":"Service","apiVersion":"v1","metadata":{"name":"web","namespace":"shop","uid":"u-s"},
            "spec":{"type":"ClusterIP","clusterIP":"10.96.0.10","selector":{"app":"web"},
              "ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":8080},{"port":443,"targetPort":"https","nodePort":30443}]}}"#,
        r#"{"kind":"ReplicationController","apiVersion":"v1","metadata":{"name":"rc","namespace":"shop","uid":"u-rc"},
            "spec":{"replicas":2,"selector":{"app":"old"}},"status":{"replicas":2,"readyReplicas":1}}"#,
        r#"{"kind":"ReplicaSet","apiVersion":"apps/v1","metadata":{"name":"web-abc","namespace":"shop","uid":"u-rs",
              "ownerReferences":[{"kind":"Deployment","name":"web","uid":"u-d","controller":true}]},
            "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]},{"key":"x","operator":"Exists"}]}},
            "status":{"replicas":3,"readyReplicas":2,"updatedReplicas":3}}"#,
        r#"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","namespace":"shop","uid":"u-d"},
            "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}}},"status":{"replicas":4,"readyReplicas":3,"updatedReplicas":1}}"#,
        r#"{"kind":"DaemonSet","apiVersion":"apps/v1","metadata":{"name":"agent","namespace":"kube-system","uid":"u-ds"},
            "spec":{"selector":{"matchLabels":{"app":"agent"}}},"status":{"desiredNumberScheduled":3,"currentNumberScheduled":3,"numberReady":2,"updatedNumberScheduled":1}}"#,
        r#"{"kind":"StatefulSet","apiVersion":"apps/v1","metadata":{"name":"db","namespace":"shop","uid":"u-ss"},
            "spec":{"replicas":2,"serviceName":"db","selector":{"matchLabels":{"app":"db"}}},"status":{"replicas":2,"readyReplicas":2}}"#,
        r#"{"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"j","namespace":"shop","uid":"u-j"},
            "spec":{"completions":1,"parallelism":1,"selector":{"matchLabels":{"job-name":"j"}}},"status":{"active":1,"failed":2}}"#,
        r#"{"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"cj","namespace":"shop","uid":"u-cj"},"spec":{"schedule":"*/5 * * * *","suspend":false}}"#,
        r#"{"kind":"EndpointSlice","apiVersion":"discovery.k8s.io/v1","metadata":{"name":"web-x","namespace":"shop","uid":"u-es","labels":{"kubernetes.io/service-name":"web"}},
            "addressType":"IPv4","endpoints":[{"addresses":["10.1.0.5"],"conditions":{"ready":true},"targetRef":{"kind":"Pod","name":"web-1","namespace":"shop","uid":"u-p"},"nodeName":"n1"}],
            "ports":[{"name":"http","protocol":"TCP","port":8080}]}"#,
        r#"{"kind":"Event","apiVersion":"v1","metadata":{"name":"web.1","namespace":"shop","uid":"u-e"},
            "involvedObject":{"kind":"Deployment","namespace":"shop","name":"web","uid":"u-d"},
            "reason":"ScalingReplicaSet","message":"Scaled up replica set web-abc from 0 to 3","type":"Normal","count":2,
            "firstTimestamp":"2026-01-01T00:00:01Z","lastTimestamp":"2026-01-01T00:00:09Z","source":{"component":"deployment-controller"}}"#,
    ];

    #[test]
    fn every_kind_goes_back_in_unchanged() {
        let mut kinds = Vec::new();
        for text in OBJECTS {
            let original = parse_capture_event(text).unwrap().pop().unwrap().object;
            let written = watch_event_json(WatchKind::Added, &original);
            assert!(written.len() < MAX_CAPTURE_EVENT_JSON);
            let mut back = parse_capture_event(&written).unwrap();
            assert_eq!(back.len(), 1, "{written}");
            let back = back.pop().unwrap();
            assert_eq!(back.kind, WatchKind::Added);
            assert_eq!(back.object, original, "{written}");
            kinds.push(original.kind());
        }
        kinds.sort();
        kinds.dedup();
        assert_eq!(kinds.len(), ObjectKind::ALL.len(), "a kind is missing from the round trip");
    }

    #[test]
    fn deletions_say_so() {
        let original = parse_capture_event(OBJECTS[1]).unwrap().pop().unwrap().object;
        let back = parse_capture_event(&watch_event_json(WatchKind::Deleted, &original)).unwrap();
        assert_eq!(back[0].kind, WatchKind::Deleted);
        assert_eq!(back[0].object.meta().uid, original.meta().uid);
    }
}
