//! The manifests in deploy/: valid API objects, read-only RBAC on exactly the kinds the
//! watches ask for, an agent per node with what eBPF needs, a hub behind a Service.

use std::collections::BTreeSet;
use std::path::PathBuf;

use k8s_openapi::api::{apps::v1 as apps, core::v1 as core, rbac::v1 as rbac};
use serde::{Deserialize, Serialize};
use serde_json::Value;

fn deploy_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

/// Every document of every manifest, with its file name.
fn documents() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(deploy_dir())
        .expect("deploy/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "yaml")
                && p.file_name().is_some_and(|n| n != "kustomization.yaml")
        })
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let docs: Vec<Value> = serde_saphyr::from_multiple(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for doc in docs.into_iter().filter(|d| !d.is_null()) {
            out.push((
                path.file_name().unwrap().to_string_lossy().into_owned(),
                doc,
            ));
        }
    }
    out
}

fn find<'a>(docs: &'a [(String, Value)], kind: &str, name: &str) -> &'a Value {
    &docs
        .iter()
        .find(|(_, d)| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
        .1
}

/// The first field the typed round trip lost: a misspelled or misplaced field.
fn unknown_field(input: &Value, typed: &Value, path: String) -> Option<String> {
    match (input, typed) {
        (Value::Object(a), Value::Object(b)) => a.iter().find_map(|(k, v)| match b.get(k) {
            Some(w) => unknown_field(v, w, format!("{path}.{k}")),
            None => Some(format!("{path}.{k}")),
        }),
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (v, w))| unknown_field(v, w, format!("{path}[{i}]"))),
        (a, b) if a == b => None,
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => None,
        _ => Some(path),
    }
}

fn check<T: for<'de> Deserialize<'de> + Serialize>(doc: &Value) -> Result<(), String> {
    let typed: T = T::deserialize(doc).map_err(|e| e.to_string())?;
    let back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    match unknown_field(doc, &back, String::new()) {
        Some(p) => Err(format!("unknown or mistyped field {p}")),
        None => Ok(()),
    }
}

#[test]
fn every_manifest_is_a_valid_api_object() {
    let docs = documents();
    assert!(docs.len() >= 7, "{} documents", docs.len());
    for (file, doc) in &docs {
        let kind = doc["kind"].as_str().unwrap_or_default();
        let result = match kind {
            "Namespace" => check::<core::Namespace>(doc),
            "ServiceAccount" => check::<core::ServiceAccount>(doc),
            "Service" => check::<core::Service>(doc),
            "ClusterRole" => check::<rbac::ClusterRole>(doc),
            "ClusterRoleBinding" => check::<rbac::ClusterRoleBinding>(doc),
            "DaemonSet" => check::<apps::DaemonSet>(doc),
            "Deployment" => check::<apps::Deployment>(doc),
            "StatefulSet" => check::<apps::StatefulSet>(doc),
            other => Err(format!("unexpected kind {other:?}")),
        };
        if let Err(e) = result {
            panic!("{file}: {kind} {}: {e}", doc["metadata"]["name"]);
        }
    }
}

/// The (group, resource) pairs a ClusterRole grants, checking that every rule is read-only
/// and never names Secrets or ConfigMaps.
fn granted(role: &Value) -> BTreeSet<(String, String)> {
    let role: rbac::ClusterRole = serde_json::from_value(role.clone()).unwrap();
    let mut granted = BTreeSet::new();
    for rule in role.rules.unwrap_or_default() {
        let verbs: BTreeSet<&str> = rule.verbs.iter().map(String::as_str).collect();
        assert_eq!(
            verbs,
            BTreeSet::from(["get", "list", "watch"]),
            "read-only verbs only"
        );
        assert!(rule.resource_names.is_none() && rule.non_resource_urls.is_none());
        for group in rule.api_groups.unwrap_or_default() {
            for resource in rule.resources.clone().unwrap_or_default() {
                assert_ne!(resource, "*");
                assert!(
                    !matches!(resource.as_str(), "secrets" | "configmaps"),
                    "{resource} must never be granted"
                );
                granted.insert((group.clone(), resource));
            }
        }
    }
    granted
}

fn watched() -> BTreeSet<(String, String)> {
    kinsight_kube::resources::all()
        .into_iter()
        .map(|r| (r.group.to_string(), r.plural.to_string()))
        .collect()
}

#[test]
fn cluster_role_grants_read_only_access_to_exactly_the_watched_kinds() {
    let docs = documents();
    assert_eq!(
        granted(find(&docs, "ClusterRole", "kinsight-reader")),
        watched()
    );

    let binding = find(&docs, "ClusterRoleBinding", "kinsight-reader");
    assert_eq!(binding["roleRef"]["name"], "kinsight-reader");
    assert_eq!(binding["subjects"][0]["name"], "kinsight");
    assert_eq!(binding["subjects"][0]["namespace"], "kinsight");
}

#[test]
fn the_helm_chart_grants_the_same_rules() {
    let path = deploy_dir().join("helm/kinsight/templates/rbac.yaml");
    let template = std::fs::read_to_string(&path).unwrap();
    // Template expressions only fill names and labels here; stand-ins keep it YAML.
    let mut text = String::new();
    let mut rest = template.as_str();
    while let Some(start) = rest.find("{{") {
        text.push_str(&rest[..start]);
        let end = rest[start..]
            .find("}}")
            .map(|e| start + e + 2)
            .expect("closed template expression");
        text.push_str("templated");
        rest = &rest[end..];
    }
    text.push_str(rest);
    let docs: Vec<Value> =
        serde_saphyr::from_multiple(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let role = docs
        .iter()
        .find(|d| d["kind"] == "ClusterRole")
        .expect("a ClusterRole in the chart");
    let mut role = role.clone();
    role["metadata"] = serde_json::json!({"name": "templated"});
    assert_eq!(granted(&role), watched());
}

#[test]
fn the_agent_runs_on_every_node_with_what_ebpf_needs() {
    let docs = documents();
    let ds: apps::DaemonSet =
        serde_json::from_value(find(&docs, "DaemonSet", "kinsight-agent").clone()).unwrap();
    let pod = ds.spec.template.spec.unwrap();
    assert_eq!(pod.host_pid, Some(true));
    assert_eq!(pod.service_account_name.as_deref(), Some("kinsight"));
    assert!(pod
        .tolerations
        .unwrap()
        .iter()
        .any(|t| t.operator.as_deref() == Some("Exists") && t.key.is_none()));
    let c = &pod.containers[0];
    let caps: BTreeSet<String> = c
        .security_context
        .as_ref()
        .unwrap()
        .capabilities
        .as_ref()
        .unwrap()
        .add
        .clone()
        .unwrap()
        .into_iter()
        .collect();
    for cap in ["BPF", "PERFMON", "SYS_RESOURCE", "SYS_PTRACE"] {
        assert!(caps.contains(cap), "missing CAP_{cap}");
    }
    assert!(
        !caps.contains("SYS_ADMIN"),
        "the BPF capabilities replace SYS_ADMIN"
    );
    let host_paths: BTreeSet<String> = pod
        .volumes
        .unwrap()
        .into_iter()
        .filter_map(|v| v.host_path.map(|h| h.path))
        .collect();
    // /proc is the host's through hostPID; /sys holds BTF and the cgroup hierarchies.
    assert_eq!(host_paths, BTreeSet::from(["/sys".to_string()]));
    let node_env = c
        .env
        .as_ref()
        .unwrap()
        .iter()
        .find(|e| e.name == "NODE_NAME")
        .expect("NODE_NAME");
    let field = node_env
        .value_from
        .as_ref()
        .unwrap()
        .field_ref
        .as_ref()
        .unwrap();
    assert_eq!(
        field.field_path, "spec.nodeName",
        "the agent's field selector needs its node's name"
    );
    assert!(c.args.as_ref().unwrap().iter().any(|a| a == "$(NODE_NAME)"));
    // The agents write to the store the manifests run: its Service, namespace and port.
    let args = c.args.as_ref().unwrap();
    let url = &args[args.iter().position(|a| a == "--remote-write").expect("--remote-write") + 1];
    let svc: core::Service = serde_json::from_value(find(&docs, "Service", "victoria-metrics").clone()).unwrap();
    let port = svc.spec.unwrap().ports.unwrap()[0].port;
    assert_eq!(url, &format!("http://victoria-metrics.{}.svc:{port}/api/v1/write", svc.metadata.namespace.unwrap()));
    let store: apps::StatefulSet = serde_json::from_value(find(&docs, "StatefulSet", "victoria-metrics").clone()).unwrap();
    assert!(store.spec.template.spec.unwrap().containers[0].args.as_ref().unwrap().iter().any(|a| a == &format!("-httpListenAddr=:{port}")));
}

#[test]
fn the_hub_is_one_deployment_behind_a_service() {
    let docs = documents();
    let d: apps::Deployment =
        serde_json::from_value(find(&docs, "Deployment", "kinsight-hub").clone()).unwrap();
    let svc: core::Service =
        serde_json::from_value(find(&docs, "Service", "kinsight-hub").clone()).unwrap();
    let spec = d.spec;
    let labels = spec.template.metadata.unwrap().labels.unwrap();
    let selector = svc.spec.as_ref().unwrap().selector.clone().unwrap();
    assert!(
        selector.iter().all(|(k, v)| labels.get(k) == Some(v)),
        "the Service selects the hub's pods"
    );
    let port_names: Vec<String> = spec.template.spec.unwrap().containers[0]
        .ports
        .clone()
        .unwrap()
        .into_iter()
        .filter_map(|p| p.name)
        .collect();
    let target = &svc.spec.unwrap().ports.unwrap()[0].target_port;
    match target {
        Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(name)) => {
            assert!(port_names.contains(name))
        }
        other => panic!("targetPort {other:?}"),
    }
}
