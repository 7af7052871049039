//! Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), which is
//! what `kubectl get` asks for. Pods, Services, Deployments and Nodes get the columns a real
//! server prints for them (the wide-only columns are left out); other kinds get the
//! default `Name` / `Age` table.

use std::time::SystemTime;

use serde_json::{json, Value};

use crate::resources::Resource;
use crate::time::{human_age, parse_rfc3339};

/// What each row carries as `object` (`includeObject` query parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeObject {
    None,
    Metadata,
    Object,
}

impl IncludeObject {
    pub fn parse(s: Option<&str>) -> IncludeObject {
        match s {
            Some("None") => IncludeObject::None,
            Some("Object") => IncludeObject::Object,
            _ => IncludeObject::Metadata,
        }
    }
}

fn column(name: &str, kind: &str, format: &str, description: &str) -> Value {
    json!({"name": name, "type": kind, "format": format, "description": description, "priority": 0})
}

pub fn column_definitions(resource: Resource) -> Vec<Value> {
    let name = column(
        "Name",
        "string",
        "name",
        "Name must be unique within a namespace.",
    );
    let age = column("Age", "string", "", "CreationTimestamp is a timestamp representing the server time when this object was created.");
    match resource {
        Resource::Pods => vec![
            name,
            column("Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic."),
            column("Status", "string", "", "The aggregate status of the containers in this pod."),
            column("Restarts", "string", "", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
            age,
        ],
        Resource::Services => vec![
            name,
            column("Type", "string", "", "The type of the service."),
            column("Cluster-IP", "string", "", "The cluster ip of the service."),
            column("External-IP", "string", "", "The external ip of the service."),
            column("Port(s)", "string", "", "The ports of the service."),
            age,
        ],
        Resource::Deployments => vec![
            name,
            column("Ready", "string", "", "Number of the pod with ready state"),
            column("Up-to-date", "string", "", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
            column("Available", "string", "", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
            age,
        ],
        Resource::Nodes => vec![
            name,
            column("Status", "string", "", "The status of the node"),
            column("Roles", "string", "", "The roles of the node"),
            age,
            column("Version", "string", "", "Kubelet Version reported by the node."),
        ],
        _ => vec![name, age],
    }
}

fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn age(obj: &Value, now: SystemTime) -> String {
    match parse_rfc3339(s(obj, "/metadata/creationTimestamp")) {
        Some(t) => human_age(now.duration_since(t).unwrap_or_default()),
        None => "<unknown>".into(),
    }
}

pub fn cells(resource: Resource, obj: &Value, now: SystemTime) -> Vec<Value> {
    let name = Value::from(s(obj, "/metadata/name"));
    match resource {
        Resource::Pods => {
            let statuses = obj
                .pointer("/status/containerStatuses")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let total = obj
                .pointer("/spec/containers")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let ready = statuses
                .iter()
                .filter(|c| c["ready"].as_bool() == Some(true))
                .count();
            let restarts: i64 = statuses
                .iter()
                .filter_map(|c| c["restartCount"].as_i64())
                .sum();
            let waiting = statuses
                .iter()
                .find_map(|c| c.pointer("/state/waiting/reason").and_then(Value::as_str));
            let status = if obj.pointer("/metadata/deletionTimestamp").is_some() {
                "Terminating"
            } else if let Some(reason) = obj.pointer("/status/reason").and_then(Value::as_str) {
                reason
            } else if let Some(reason) = waiting {
                reason
            } else {
                match s(obj, "/status/phase") {
                    "" => "Unknown",
                    phase => phase,
                }
            };
            vec![
                name,
                format!("{ready}/{total}").into(),
                status.into(),
                restarts.into(),
                age(obj, now).into(),
            ]
        }
        Resource::Services => {
            let ports: Vec<String> = obj
                .pointer("/spec/ports")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|p| {
                    let proto = p["protocol"].as_str().unwrap_or("TCP");
                    match p["nodePort"].as_i64() {
                        Some(np) => format!("{}:{np}/{proto}", p["port"]),
                        None => format!("{}/{proto}", p["port"]),
                    }
                })
                .collect();
            let cluster_ip = match s(obj, "/spec/clusterIP") {
                "" => "<none>",
                ip => ip,
            };
            vec![
                name,
                match s(obj, "/spec/type") {
                    "" => "ClusterIP",
                    t => t,
                }
                .into(),
                cluster_ip.into(),
                "<none>".into(),
                if ports.is_empty() {
                    "<none>".to_string()
                } else {
                    ports.join(",")
                }
                .into(),
                age(obj, now).into(),
            ]
        }
        Resource::Deployments => {
            let n = |p: &str| obj.pointer(p).and_then(Value::as_i64).unwrap_or(0);
            vec![
                name,
                format!("{}/{}", n("/status/readyReplicas"), n("/spec/replicas")).into(),
                n("/status/updatedReplicas").into(),
                n("/status/availableReplicas").into(),
                age(obj, now).into(),
            ]
        }
        Resource::Nodes => {
            let ready = obj
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|c| c["type"] == "Ready")
                .map(|c| {
                    if c["status"] == "True" {
                        "Ready"
                    } else {
                        "NotReady"
                    }
                })
                .unwrap_or("Unknown");
            let roles: Vec<&str> = obj
                .pointer("/metadata/labels")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/"))
                .collect();
            vec![
                name,
                ready.into(),
                if roles.is_empty() {
                    "<none>".to_string()
                } else {
                    roles.join(",")
                }
                .into(),
                age(obj, now).into(),
                s(obj, "/status/nodeInfo/kubeletVersion").into(),
            ]
        }
        _ => vec![name, age(obj, now).into()],
    }
}

/// The `PartialObjectMetadata` form of an object (what metadata-only requests get).
pub fn partial_metadata(obj: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj.get("metadata").cloned().unwrap_or_else(|| json!({})),
    })
}

pub fn row(resource: Resource, obj: &Value, include: IncludeObject, now: SystemTime) -> Value {
    let mut row = json!({"cells": cells(resource, obj, now)});
    match include {
        IncludeObject::None => {}
        IncludeObject::Metadata => row["object"] = partial_metadata(obj),
        IncludeObject::Object => row["object"] = obj.clone(),
    }
    row
}

/// A `Table` of `objects`; `columns` false leaves the definitions out (watch events after
/// the first carry none, as from a real server).
pub fn table<'a>(
    resource: Resource,
    objects: impl Iterator<Item = &'a Value>,
    include: IncludeObject,
    list_meta: Value,
    columns: bool,
) -> Value {
    let now = SystemTime::now();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta,
        "columnDefinitions": if columns { Value::from(column_definitions(resource)) } else { Value::Array(vec![]) },
        "rows": objects.map(|o| row(resource, o, include, now)).collect::<Vec<_>>(),
    })
}
