//! Discovery documents (`/version`, `/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`),
//! in the legacy (non-aggregated) form every client falls back to.

use serde_json::{json, Value};

use crate::resources::{group_versions, Resource};

/// The Kubernetes version the server claims (the newest k8s-openapi knows, like its shapes).
pub const SERVER_MAJOR: &str = "1";
pub const SERVER_MINOR: &str = "37";

pub fn version() -> Value {
    json!({
        "major": SERVER_MAJOR,
        "minor": SERVER_MINOR,
        "gitVersion": format!("v{SERVER_MAJOR}.{SERVER_MINOR}.0-kinsight-testserver"),
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-01-01T00:00:00Z",
        "goVersion": "go1.24.0",
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}

/// `/api`
pub fn core_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]
    })
}

/// `/apis`
pub fn groups() -> Value {
    let groups: Vec<Value> = group_versions()
        .into_iter()
        .filter(|(g, _)| !g.is_empty())
        .map(|(g, v)| {
            let gv = json!({"groupVersion": format!("{g}/{v}"), "version": v});
            json!({"name": g, "versions": [gv.clone()], "preferredVersion": gv})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/api/v1` or `/apis/<group>/<version>`; `None` for a group version not served.
pub fn resources(group: &str, version: &str) -> Option<Value> {
    let served: Vec<Resource> = Resource::ALL
        .into_iter()
        .filter(|r| r.info().group == group && r.info().version == version)
        .collect();
    if served.is_empty() {
        return None;
    }
    let list: Vec<Value> = served
        .iter()
        .map(|r| {
            let i = r.info();
            let mut entry = json!({
                "name": i.plural,
                "singularName": i.singular,
                "namespaced": i.namespaced,
                "kind": i.kind,
                "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
            });
            if !i.short_names.is_empty() {
                entry["shortNames"] = json!(i.short_names);
            }
            if !i.categories.is_empty() {
                entry["categories"] = json!(i.categories);
            }
            entry
        })
        .collect();
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": list}),
    )
}
