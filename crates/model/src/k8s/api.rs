//! The Kubernetes API shapes (core/v1, apps/v1 and extensions/v1beta1, batch/v1,
//! discovery.k8s.io/v1) reduced to the fields the model keeps, and the one conversion per kind
//! from those shapes into model types ([`FromApi`]).
//!
//! Everything not named here (annotations, managedFields, pod templates, conditions, ...) is
//! skipped by the parser without being allocated. `null` is accepted wherever the API or
//! older servers write it. Field types are checked: a wrong type is a parse error.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, Visitor};
use serde::Deserialize;

use crate::container::split_runtime_prefix;
use crate::intern::Str;
use crate::k8s::meta::{ObjectMeta, OwnerRef};
use crate::k8s::node::{parse_quantity, Namespace, Node, NodeAddress, NodeCondition, NodeResources};
use crate::k8s::pod::{
    ContainerId, ContainerPort, ContainerRole, ContainerState, Pod, PodContainer, PodPhase,
    Termination,
};
use crate::k8s::service::{
    Endpoint, EndpointPort, EndpointSlice, PodRef, Service, ServicePort, TargetPort,
    SERVICE_NAME_LABEL,
};
use crate::k8s::workload::{
    CronJob, DaemonSet, Deployment, Job, ReplicaSet, Replicas, ReplicationController, StatefulSet,
};
use crate::k8s::event::{Event, InvolvedObject};
use crate::k8s::time::rfc3339_ns;
use crate::k8s::K8sObject;
use crate::labels::{labels_from, LabelSelector, SelectorOperator, SelectorRequirement};
use crate::serde_util::{ip_list, null_default, opt_ip};

/// A model type that has an API shape and converts from it. One impl per kind: the live API
/// watcher and sysdig's condensed capture events (via `condensed.rs`) both end up here.
pub(crate) trait FromApi: Sized + Into<K8sObject> {
    type Api: DeserializeOwned;
    fn from_api(api: Self::Api) -> Self;
}

// ---------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ApiMeta {
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub uid: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub labels: BTreeMap<String, String>,
    #[serde(deserialize_with = "null_default")]
    pub owner_references: Vec<ApiOwnerRef>,
    pub resource_version: Option<String>,
    pub creation_timestamp: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ApiOwnerRef {
    pub kind: String,
    pub name: String,
    pub uid: String,
    pub controller: Option<bool>,
}

/// `{ metadata, spec, status }`, the layout of every kind but EndpointSlice.
#[derive(Deserialize, Default)]
#[serde(
    default,
    bound(deserialize = "S: Deserialize<'de> + Default, T: Deserialize<'de> + Default")
)]
pub(crate) struct ApiObject<S, T> {
    #[serde(deserialize_with = "null_default")]
    pub metadata: ApiMeta,
    #[serde(deserialize_with = "null_default")]
    pub spec: S,
    #[serde(deserialize_with = "null_default")]
    pub status: T,
}

/// apps/v1 `LabelSelector`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ApiLabelSelector {
    #[serde(deserialize_with = "null_default")]
    pub match_labels: BTreeMap<String, String>,
    #[serde(deserialize_with = "null_default")]
    pub match_expressions: Vec<ApiSelectorRequirement>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ApiSelectorRequirement {
    pub key: String,
    pub operator: String,
    #[serde(deserialize_with = "null_default")]
    pub values: Vec<String>,
}

fn meta(m: ApiMeta) -> ObjectMeta {
    let name: Str = m.name.unwrap_or_default().into();
    let namespace: Option<Str> = m.namespace.filter(|n| !n.is_empty()).map(Into::into);
    // Every API object has a uid; hand-made or trimmed payloads may not. The store needs a
    // key that is stable across ADDED/DELETED, and namespace/name is.
    let uid: Str = match m.uid.filter(|u| !u.is_empty()) {
        Some(uid) => uid.into(),
        None => match &namespace {
            Some(ns) => format!("{ns}/{name}").into(),
            None => name.clone(),
        },
    };
    ObjectMeta {
        uid,
        name,
        namespace,
        labels: labels_from(m.labels),
        owner_refs: m
            .owner_references
            .into_iter()
            .map(|o| OwnerRef {
                kind: o.kind.into(),
                name: o.name.into(),
                uid: o.uid.into(),
                controller: o.controller.unwrap_or(false),
            })
            .collect_exact(),
        resource_version: m.resource_version,
        created: m.creation_timestamp,
    }
}

fn selector(s: Option<ApiLabelSelector>) -> LabelSelector {
    let Some(s) = s else {
        return LabelSelector::default();
    };
    LabelSelector {
        match_labels: labels_from(s.match_labels),
        match_expressions: s
            .match_expressions
            .into_iter()
            .map(|r| SelectorRequirement {
                key: r.key.into(),
                operator: SelectorOperator::parse(&r.operator),
                values: r.values.into_iter().map(Into::into).collect_exact(),
            })
            .collect_exact(),
    }
}

/// Drops a vector's spare capacity: the model keeps its objects for their lifetime, and a
/// vector grown by pushes (serde, `filter_map`) holds room for 4 elements where 1 is usual,
/// while one collected from a mapped `Vec` reuses that (larger) API vector's buffer.
fn shrunk<T>(mut v: Vec<T>) -> Vec<T> {
    v.shrink_to_fit();
    v
}

/// `collect` into a `Vec` without spare capacity (see [`shrunk`]).
trait CollectExact: Iterator + Sized {
    fn collect_exact(self) -> Vec<Self::Item> {
        shrunk(self.collect())
    }
}

impl<I: Iterator> CollectExact for I {}

fn opt_str(s: Option<String>) -> Option<Str> {
    s.filter(|s| !s.is_empty()).map(Into::into)
}

// ---------------------------------------------------------------------------------------
// Node, Namespace
// ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ApiNodeStatus {
    #[serde(deserialize_with = "null_default")]
    pub addresses: Vec<ApiNodeAddress>,
    #[serde(deserialize_with = "null_default")]
    pub conditions: Vec<ApiNodeCondition>,
    #[serde(deserialize_with = "null_default")]
    pub capacity: BTreeMap<String, String>,
    #[serde(deserialize_with = "null_default")]
    pub allocatable: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ApiNodeCondition {
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    pub reason: Option<String>,
}

fn node_resources(list: &BTreeMap<String, String>) -> NodeResources {
    NodeResources {
        cpu_millis: list.get("cpu").and_then(|q| parse_quantity(q, 1000.0)),
        memory_bytes: list.get("memory").and_then(|q| parse_quantity(q, 1.0)),
        pods: list.get("pods").and_then(|q| parse_quantity(q, 1.0)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ApiNodeAddress {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub address: String,
}

impl FromApi for Node {
    type Api = ApiObject<IgnoredAny, ApiNodeStatus>;
    fn from_api(api: Self::Api) -> Self {
        Node {
            meta: meta(api.metadata),
            addresses: api
                .status
                .addresses
                .into_iter()
                .filter(|a| !a.address.is_empty())
                .map(|a| NodeAddress {
                    kind: opt_str(a.kind),
                    address: a.address.into(),
                })
                .collect_exact(),
            conditions: api
                .status
                .conditions
                .into_iter()
                .filter(|c| !c.kind.is_empty())
                .map(|c| NodeCondition {
                    kind: c.kind.into(),
                    status: c.status.into(),
                    reason: opt_str(c.reason),
                })
                .collect_exact(),
            capacity: node_resources(&api.status.capacity),
            allocatable: node_resources(&api.status.allocatable),
        }
    }
}

impl FromApi for Namespace {
    type Api = ApiObject<IgnoredAny, IgnoredAny>;
    fn from_api(api: Self::Api) -> Self {
        Namespace {
            meta: meta(api.metadata),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Pod
// ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ApiPodSpec {
    pub node_name: Option<String>,
    pub host_network: Option<bool>,
    #[serde(deserialize_with = "null_default")]
    pub containers: Vec<ApiContainer>,
    #[serde(deserialize_with = "null_default")]
    pub init_containers: Vec<ApiContainer>,
    #[serde(deserialize_with = "null_default")]
    pub ephemeral_containers: Vec<ApiContainer>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ApiContainer {
    pub name: String,
    pub image: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub ports: Vec<ApiContainerPort>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ApiContainerPort {
    pub name: Option<String>,
    pub container_port: Option<u16>,
    pub protocol: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ApiPodStatus {
    pub phase: Option<String>,
    #[serde(rename = "hostIP", deserialize_with = "opt_ip")]
    pub host_ip: Option<IpAddr>,
    #[serde(rename = "podIP", deserialize_with = "opt_ip")]
    pub pod_ip: Option<IpAddr>,
    #[serde(deserialize_with = "null_default")]
    pub container_statuses: Vec<ApiContainerStatus>,
    #[serde(deserialize_with = "null_default")]
    pub init_container_statuses: Vec<ApiContainerStatus>,
    #[serde(deserialize_with = "null_default")]
    pub ephemeral_container_statuses: Vec<ApiContainerStatus>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ApiContainerStatus {
    pub name: String,
    #[serde(rename = "containerID")]
    pub container_id: Option<String>,
    pub image: Option<String>,
    pub restart_count: Option<i64>,
    pub ready: Option<bool>,
    pub state: Option<ApiContainerState>,
    pub last_state: Option<ApiContainerState>,
}

/// `state` / `lastState`: at most one of the three is set.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ApiContainerState {
    pub waiting: Option<ApiStateReason>,
    pub running: Option<IgnoredAny>,
    pub terminated: Option<ApiStateReason>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ApiStateReason {
    pub reason: Option<String>,
    pub exit_code: Option<i32>,
}

impl ApiStateReason {
    fn termination(self) -> Termination {
        Termination {
            reason: opt_str(self.reason),
            exit_code: self.exit_code.unwrap_or(0),
        }
    }
}

impl ApiContainerState {
    fn into_state(self) -> Option<ContainerState> {
        if let Some(t) = self.terminated {
            Some(ContainerState::Terminated(t.termination()))
        } else if self.running.is_some() {
            Some(ContainerState::Running)
        } else {
            self.waiting.map(|w| ContainerState::Waiting {
                reason: opt_str(w.reason),
            })
        }
    }
}

pub(crate) type ApiPod = ApiObject<ApiPodSpec, ApiPodStatus>;

/// Merges spec containers with their statuses (matched by name); statuses without a spec
/// entry are kept too, so no runtime id is lost.
fn pod_containers(
    role: ContainerRole,
    spec: Vec<ApiContainer>,
    mut statuses: Vec<ApiContainerStatus>,
    out: &mut Vec<PodContainer>,
) {
    for c in spec {
        let status = statuses
            .iter()
            .position(|s| s.name == c.name)
            .map(|i| statuses.swap_remove(i));
        out.push(pod_container(role, Some(c), status));
    }
    for s in statuses {
        out.push(pod_container(role, None, Some(s)));
    }
}

fn pod_container(
    role: ContainerRole,
    spec: Option<ApiContainer>,
    status: Option<ApiContainerStatus>,
) -> PodContainer {
    let (name, spec_image, ports) = match spec {
        Some(c) => (c.name, c.image, c.ports),
        None => (String::new(), None, Vec::new()),
    };
    let mut status = status.unwrap_or_default();
    let state = status.state.take().and_then(ApiContainerState::into_state);
    let last_termination = status
        .last_state
        .take()
        .and_then(|s| s.terminated)
        .map(|t| Box::new(t.termination()));
    let name = if name.is_empty() { status.name } else { name };
    let id = status.container_id.as_deref().and_then(|raw| {
        let (runtime, id) = split_runtime_prefix(raw);
        (!id.is_empty()).then(|| ContainerId {
            runtime: runtime.map(Into::into),
            full: id.into(),
        })
    });
    PodContainer {
        name: name.into(),
        role,
        image: opt_str(spec_image.or(status.image)),
        id,
        restart_count: status
            .restart_count
            .map_or(0, |n| u32::try_from(n.max(0)).unwrap_or(u32::MAX)),
        ready: status.ready.unwrap_or(false),
        state,
        last_termination,
        ports: shrunk(
            ports
                .into_iter()
                .filter_map(|p| {
                    Some(ContainerPort {
                        port: p.container_port?,
                        name: opt_str(p.name),
                        protocol: opt_str(p.protocol),
                    })
                })
                .collect(),
        ),
    }
}

impl FromApi for Pod {
    type Api = ApiPod;
    fn from_api(api: Self::Api) -> Self {
        let (spec, status) = (api.spec, api.status);
        let mut containers = Vec::with_capacity(spec.containers.len());
        pod_containers(
            ContainerRole::Init,
            spec.init_containers,
            status.init_container_statuses,
            &mut containers,
        );
        pod_containers(
            ContainerRole::Regular,
            spec.containers,
            status.container_statuses,
            &mut containers,
        );
        pod_containers(
            ContainerRole::Ephemeral,
            spec.ephemeral_containers,
            status.ephemeral_container_statuses,
            &mut containers,
        );
        containers.shrink_to_fit();
        Pod {
            meta: meta(api.metadata),
            node_name: opt_str(spec.node_name),
            pod_ip: status.pod_ip,
            host_ip: status.host_ip,
            host_network: spec.host_network.unwrap_or(false),
            phase: status
                .phase
                .as_deref()
                .map_or(PodPhase::Unknown, PodPhase::parse),
            containers,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Service, EndpointSlice
// ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ApiServiceSpec {
    #[serde(rename = "type")]
    pub service_type: Option<String>,
    #[serde(rename = "clusterIP", deserialize_with = "opt_ip")]
    pub cluster_ip: Option<IpAddr>,
    #[serde(deserialize_with = "null_default")]
    pub ports: Vec<ApiServicePort>,
    #[serde(deserialize_with = "null_default")]
    pub selector: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ApiServicePort {
    pub name: Option<String>,
    pub protocol: Option<String>,
    pub port: Option<u16>,
    pub target_port: Option<ApiIntOrString>,
    pub node_port: Option<u16>,
}

/// `IntOrString` (`targetPort: 8080` or `targetPort: "http"`).
pub(crate) enum ApiIntOrString {
    Int(u16),
    String(String),
}

impl<'de> Deserialize<'de> for ApiIntOrString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ApiIntOrString;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a port number or a port name")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                u16::try_from(v)
                    .map(ApiIntOrString::Int)
                    .map_err(|_| E::custom(format_args!("port {v} out of range")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                u16::try_from(v)
                    .map(ApiIntOrString::Int)
                    .map_err(|_| E::custom(format_args!("port {v} out of range")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                // Numbers sometimes arrive quoted.
                Ok(match v.parse::<u16>() {
                    Ok(n) => ApiIntOrString::Int(n),
                    Err(_) => ApiIntOrString::String(v.to_string()),
                })
            }
        }
        d.deserialize_any(V)
    }
}

pub(crate) type ApiService = ApiObject<ApiServiceSpec, IgnoredAny>;

impl FromApi for Service {
    type Api = ApiService;
    fn from_api(api: Self::Api) -> Self {
        let spec = api.spec;
        Service {
            meta: meta(api.metadata),
            service_type: opt_str(spec.service_type),
            cluster_ip: spec.cluster_ip,
            ports: spec
                .ports
                .into_iter()
                .map(|p| ServicePort {
                    name: opt_str(p.name),
                    protocol: opt_str(p.protocol),
                    port: p.port.unwrap_or(0),
                    target_port: p.target_port.map(|t| match t {
                        ApiIntOrString::Int(n) => TargetPort::Number(n),
                        ApiIntOrString::String(s) => TargetPort::Name(s.into()),
                    }),
                    node_port: p.node_port.filter(|&n| n != 0),
                })
                .collect_exact(),
            selector: LabelSelector::from_map(labels_from(spec.selector)),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ApiEndpointSlice {
    #[serde(deserialize_with = "null_default")]
    pub metadata: ApiMeta,
    pub address_type: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub endpoints: Vec<ApiEndpoint>,
    #[serde(deserialize_with = "null_default")]
    pub ports: Vec<ApiEndpointPort>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ApiEndpoint {
    #[serde(deserialize_with = "ip_list")]
    pub addresses: Vec<IpAddr>,
    #[serde(deserialize_with = "null_default")]
    pub conditions: ApiEndpointConditions,
    pub target_ref: Option<ApiObjectReference>,
    pub node_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ApiEndpointConditions {
    pub ready: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ApiObjectReference {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub uid: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ApiEndpointPort {
    pub name: Option<String>,
    pub protocol: Option<String>,
    pub port: Option<u16>,
}

impl FromApi for EndpointSlice {
    type Api = ApiEndpointSlice;
    fn from_api(api: Self::Api) -> Self {
        let meta = meta(api.metadata);
        EndpointSlice {
            service_name: meta.labels.get(SERVICE_NAME_LABEL).cloned(),
            meta,
            address_type: opt_str(api.address_type),
            endpoints: api
                .endpoints
                .into_iter()
                .map(|e| Endpoint {
                    addresses: shrunk(e.addresses),
                    pod: e
                        .target_ref
                        .filter(|t| matches!(t.kind.as_deref(), None | Some("Pod")))
                        .and_then(|t| {
                            Some(PodRef {
                                name: t.name.filter(|n| !n.is_empty())?.into(),
                                namespace: opt_str(t.namespace),
                                uid: opt_str(t.uid),
                            })
                        }),
                    node_name: opt_str(e.node_name),
                    ready: e.conditions.ready,
                })
                .collect_exact(),
            ports: api
                .ports
                .into_iter()
                .map(|p| EndpointPort {
                    name: opt_str(p.name),
                    protocol: opt_str(p.protocol),
                    port: p.port,
                })
                .collect_exact(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Controllers
// ---------------------------------------------------------------------------------------

/// Spec of ReplicaSet, Deployment, StatefulSet, DaemonSet (apps/v1 and extensions/v1beta1).
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ApiReplicaSpec {
    pub replicas: Option<i32>,
    pub selector: Option<ApiLabelSelector>,
    pub service_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ApiReplicaStatus {
    pub replicas: Option<i32>,
    pub desired_number_scheduled: Option<i32>,
    pub current_number_scheduled: Option<i32>,
    pub ready_replicas: Option<i32>,
    pub updated_replicas: Option<i32>,
    pub number_ready: Option<i32>,
    pub updated_number_scheduled: Option<i32>,
}

/// ReplicationController: `spec.selector` is a bare map.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ApiRcSpec {
    pub replicas: Option<i32>,
    #[serde(deserialize_with = "null_default")]
    pub selector: BTreeMap<String, String>,
}

pub(crate) type ApiReplicaSet = ApiObject<ApiReplicaSpec, ApiReplicaStatus>;

impl FromApi for ReplicationController {
    type Api = ApiObject<ApiRcSpec, ApiReplicaStatus>;
    fn from_api(api: Self::Api) -> Self {
        ReplicationController {
            meta: meta(api.metadata),
            selector: LabelSelector::from_map(labels_from(api.spec.selector)),
            replicas: Replicas {
                desired: api.spec.replicas,
                current: api.status.replicas,
                ready: api.status.ready_replicas,
                updated: api.status.updated_replicas,
            },
        }
    }
}

impl FromApi for ReplicaSet {
    type Api = ApiReplicaSet;
    fn from_api(api: Self::Api) -> Self {
        ReplicaSet {
            meta: meta(api.metadata),
            selector: selector(api.spec.selector),
            replicas: Replicas {
                desired: api.spec.replicas,
                current: api.status.replicas,
                ready: api.status.ready_replicas,
                updated: api.status.updated_replicas,
            },
        }
    }
}

impl FromApi for Deployment {
    type Api = ApiReplicaSet;
    fn from_api(api: Self::Api) -> Self {
        Deployment {
            meta: meta(api.metadata),
            selector: selector(api.spec.selector),
            replicas: Replicas {
                desired: api.spec.replicas,
                current: api.status.replicas,
                ready: api.status.ready_replicas,
                updated: api.status.updated_replicas,
            },
        }
    }
}

impl FromApi for StatefulSet {
    type Api = ApiReplicaSet;
    fn from_api(api: Self::Api) -> Self {
        StatefulSet {
            meta: meta(api.metadata),
            selector: selector(api.spec.selector),
            replicas: Replicas {
                desired: api.spec.replicas,
                current: api.status.replicas,
                ready: api.status.ready_replicas,
                updated: api.status.updated_replicas,
            },
            service_name: opt_str(api.spec.service_name),
        }
    }
}

impl FromApi for DaemonSet {
    type Api = ApiReplicaSet;
    fn from_api(api: Self::Api) -> Self {
        DaemonSet {
            meta: meta(api.metadata),
            selector: selector(api.spec.selector),
            replicas: Replicas {
                desired: api.status.desired_number_scheduled,
                current: api.status.current_number_scheduled,
                ready: api.status.number_ready,
                updated: api.status.updated_number_scheduled,
            },
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ApiJobSpec {
    pub selector: Option<ApiLabelSelector>,
    pub completions: Option<i32>,
    pub parallelism: Option<i32>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ApiJobStatus {
    pub active: Option<i32>,
    pub succeeded: Option<i32>,
    pub failed: Option<i32>,
}

impl FromApi for Job {
    type Api = ApiObject<ApiJobSpec, ApiJobStatus>;
    fn from_api(api: Self::Api) -> Self {
        Job {
            meta: meta(api.metadata),
            selector: selector(api.spec.selector),
            completions: api.spec.completions,
            parallelism: api.spec.parallelism,
            active: api.status.active,
            succeeded: api.status.succeeded,
            failed: api.status.failed,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ApiCronJobSpec {
    pub schedule: Option<String>,
    pub suspend: Option<bool>,
}

impl FromApi for CronJob {
    type Api = ApiObject<ApiCronJobSpec, IgnoredAny>;
    fn from_api(api: Self::Api) -> Self {
        CronJob {
            meta: meta(api.metadata),
            schedule: opt_str(api.spec.schedule),
            suspend: api.spec.suspend,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Event
// ---------------------------------------------------------------------------------------

/// core/v1 `Event`: no spec or status, its fields are at the top. Events written through
/// events.k8s.io/v1 show here with `eventTime`, `series` and `reportingComponent` instead of
/// the timestamps, `count` and `source`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ApiEvent {
    #[serde(deserialize_with = "null_default")]
    pub metadata: ApiMeta,
    #[serde(deserialize_with = "null_default")]
    pub involved_object: ApiInvolvedObject,
    pub reason: Option<String>,
    pub message: Option<String>,
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    pub count: Option<i64>,
    pub first_timestamp: Option<String>,
    pub last_timestamp: Option<String>,
    pub event_time: Option<String>,
    pub series: Option<ApiEventSeries>,
    pub source: Option<ApiEventSource>,
    pub reporting_component: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ApiInvolvedObject {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub uid: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ApiEventSeries {
    pub count: Option<i64>,
    pub last_observed_time: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ApiEventSource {
    pub component: Option<String>,
}

impl FromApi for Event {
    type Api = ApiEvent;
    fn from_api(api: Self::Api) -> Self {
        let nonempty = |s: Option<String>| s.filter(|s| !s.is_empty());
        let first = nonempty(api.first_timestamp).or_else(|| nonempty(api.event_time.clone()));
        let (series_count, series_last) = api.series.map_or((None, None), |s| (s.count, s.last_observed_time));
        let last = nonempty(api.last_timestamp).or(nonempty(series_last)).or_else(|| first.clone());
        let count = api.count.or(series_count).unwrap_or(1).clamp(1, i64::from(u32::MAX));
        let mut meta = meta(api.metadata);
        // The moment of `first` again: events are the most numerous objects, keep it once.
        meta.created = None;
        Event {
            meta,
            involved: InvolvedObject {
                kind: api.involved_object.kind.into(),
                namespace: opt_str(nonempty(api.involved_object.namespace)),
                name: api.involved_object.name.into(),
                uid: opt_str(nonempty(api.involved_object.uid)),
            },
            event_type: opt_str(nonempty(api.event_type)),
            reason: opt_str(nonempty(api.reason)),
            message: nonempty(api.message).map(Into::into),
            source: opt_str(nonempty(api.source.and_then(|s| s.component)).or(nonempty(api.reporting_component))),
            count: count as u32,
            first_ns: first.as_deref().and_then(rfc3339_ns),
            last_ns: last.as_deref().and_then(rfc3339_ns),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Watch errors
// ---------------------------------------------------------------------------------------

/// `Status`, the object of a watch `ERROR` event (and of sysdig's ERROR items).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ApiStatus {
    pub code: Option<i64>,
    pub reason: Option<String>,
    pub message: Option<String>,
}
