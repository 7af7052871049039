//! The resource types the server serves, with the names discovery publishes for them.
//!
//! ConfigMaps and Secrets are served too (empty unless a test creates some) so that a test
//! can prove a client never asks for them: discovery lists them as a real server does.

use std::fmt;

/// One served resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    Namespaces,
    Nodes,
    Pods,
    Services,
    ReplicationControllers,
    ConfigMaps,
    Secrets,
    ReplicaSets,
    Deployments,
    StatefulSets,
    DaemonSets,
    Jobs,
    CronJobs,
    EndpointSlices,
    Events,
}

/// What discovery says about a resource type.
#[derive(Debug, Clone, Copy)]
pub struct ResourceInfo {
    /// API group; `""` for the core group (`/api/v1`).
    pub group: &'static str,
    pub version: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
    pub categories: &'static [&'static str],
}

const ALL_CATEGORY: &[&str] = &["all"];

impl Resource {
    pub const ALL: [Resource; 15] = [
        Resource::Namespaces,
        Resource::Nodes,
        Resource::Pods,
        Resource::Services,
        Resource::ReplicationControllers,
        Resource::ConfigMaps,
        Resource::Secrets,
        Resource::ReplicaSets,
        Resource::Deployments,
        Resource::StatefulSets,
        Resource::DaemonSets,
        Resource::Jobs,
        Resource::CronJobs,
        Resource::EndpointSlices,
        Resource::Events,
    ];

    pub fn info(self) -> ResourceInfo {
        let (group, version, plural, singular, kind, namespaced, short_names, categories): (
            &'static str,
            &'static str,
            &'static str,
            &'static str,
            &'static str,
            bool,
            &'static [&'static str],
            &'static [&'static str],
        ) = match self {
            Resource::Namespaces => (
                "",
                "v1",
                "namespaces",
                "namespace",
                "Namespace",
                false,
                &["ns"],
                &[],
            ),
            Resource::Nodes => ("", "v1", "nodes", "node", "Node", false, &["no"], &[]),
            Resource::Pods => ("", "v1", "pods", "pod", "Pod", true, &["po"], ALL_CATEGORY),
            Resource::Services => (
                "",
                "v1",
                "services",
                "service",
                "Service",
                true,
                &["svc"],
                ALL_CATEGORY,
            ),
            Resource::ReplicationControllers => (
                "",
                "v1",
                "replicationcontrollers",
                "replicationcontroller",
                "ReplicationController",
                true,
                &["rc"],
                ALL_CATEGORY,
            ),
            Resource::ConfigMaps => (
                "",
                "v1",
                "configmaps",
                "configmap",
                "ConfigMap",
                true,
                &["cm"],
                &[],
            ),
            Resource::Secrets => ("", "v1", "secrets", "secret", "Secret", true, &[], &[]),
            Resource::ReplicaSets => (
                "apps",
                "v1",
                "replicasets",
                "replicaset",
                "ReplicaSet",
                true,
                &["rs"],
                ALL_CATEGORY,
            ),
            Resource::Deployments => (
                "apps",
                "v1",
                "deployments",
                "deployment",
                "Deployment",
                true,
                &["deploy"],
                ALL_CATEGORY,
            ),
            Resource::StatefulSets => (
                "apps",
                "v1",
                "statefulsets",
                "statefulset",
                "StatefulSet",
                true,
                &["sts"],
                ALL_CATEGORY,
            ),
            Resource::DaemonSets => (
                "apps",
                "v1",
                "daemonsets",
                "daemonset",
                "DaemonSet",
                true,
                &["ds"],
                ALL_CATEGORY,
            ),
            Resource::Jobs => ("batch", "v1", "jobs", "job", "Job", true, &[], ALL_CATEGORY),
            Resource::CronJobs => (
                "batch",
                "v1",
                "cronjobs",
                "cronjob",
                "CronJob",
                true,
                &["cj"],
                ALL_CATEGORY,
            ),
            Resource::EndpointSlices => (
                "discovery.k8s.io",
                "v1",
                "endpointslices",
                "endpointslice",
                "EndpointSlice",
                true,
                &[],
                &[],
            ),
            Resource::Events => ("", "v1", "events", "event", "Event", true, &["ev"], &[]),
        };
        ResourceInfo {
            group,
            version,
            plural,
            singular,
            kind,
            namespaced,
            short_names,
            categories,
        }
    }

    /// `v1`, `apps/v1`, ...
    pub fn api_version(self) -> String {
        let i = self.info();
        if i.group.is_empty() {
            i.version.to_string()
        } else {
            format!("{}/{}", i.group, i.version)
        }
    }

    /// The resource an object of this `apiVersion` and `kind` belongs to.
    pub fn from_kind(api_version: &str, kind: &str) -> Option<Resource> {
        Resource::ALL
            .into_iter()
            .find(|r| r.info().kind == kind && r.api_version() == api_version)
    }

    /// The resource served at `group`/`version`/`plural`.
    pub fn from_path(group: &str, version: &str, plural: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| {
            let i = r.info();
            i.group == group && i.version == version && i.plural == plural
        })
    }

    /// The path prefix of the group version: `/api/v1` or `/apis/apps/v1`.
    pub fn group_version_path(self) -> String {
        let i = self.info();
        if i.group.is_empty() {
            format!("/api/{}", i.version)
        } else {
            format!("/apis/{}/{}", i.group, i.version)
        }
    }

    /// The collection path, cluster-wide (`/api/v1/pods`) or in one namespace.
    pub fn collection_path(self, namespace: Option<&str>) -> String {
        match namespace {
            Some(ns) if self.info().namespaced => {
                format!(
                    "{}/namespaces/{ns}/{}",
                    self.group_version_path(),
                    self.info().plural
                )
            }
            _ => format!("{}/{}", self.group_version_path(), self.info().plural),
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = self.info();
        if i.group.is_empty() {
            f.write_str(i.plural)
        } else {
            write!(f, "{}.{}", i.plural, i.group)
        }
    }
}

/// The API groups in the order discovery lists them (core first, as a real server does).
pub fn group_versions() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> = Vec::new();
    for r in Resource::ALL {
        let i = r.info();
        if !out.contains(&(i.group, i.version)) {
            out.push((i.group, i.version));
        }
    }
    out
}
