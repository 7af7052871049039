//! Kubernetes objects: the model types, their two JSON sources (the API server's shapes and
//! sysdig's condensed capture events) and the updates a watch produces.

mod api;
mod condensed;
mod decode;
pub mod encode;
pub mod event;
pub mod meta;
pub mod node;
pub mod pod;
pub mod service;
mod time;
pub mod workload;

use std::fmt;

use serde::Serialize;

pub use decode::{parse_api_json, parse_api_value, parse_capture_event};
pub use encode::{watch_event_json, MAX_CAPTURE_EVENT_JSON};
pub use time::{format_rfc3339, rfc3339_ns};
pub use event::{Event, InvolvedObject};
pub use meta::{ObjectMeta, OwnerRef};
pub use node::{parse_quantity, Namespace, Node, NodeAddress, NodeCondition, NodeResources};
pub use pod::{
    ContainerId, ContainerPort, ContainerRole, ContainerState, Pod, PodContainer, PodPhase,
    Termination,
};
pub use service::{
    Endpoint, EndpointPort, EndpointSlice, PodRef, Service, ServicePort, TargetPort,
    SERVICE_NAME_LABEL,
};
pub use workload::{
    CronJob, DaemonSet, Deployment, Job, ReplicaSet, Replicas, ReplicationController, StatefulSet,
    WorkloadKind, WorkloadRef,
};

use crate::intern::{Intern, Interner};

/// The kinds the model holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum ObjectKind {
    Node,
    Namespace,
    Pod,
    Service,
    ReplicationController,
    ReplicaSet,
    Deployment,
    DaemonSet,
    StatefulSet,
    Job,
    CronJob,
    EndpointSlice,
    Event,
}

impl ObjectKind {
    pub const ALL: [ObjectKind; 13] = [
        Self::Node,
        Self::Namespace,
        Self::Pod,
        Self::Service,
        Self::ReplicationController,
        Self::ReplicaSet,
        Self::Deployment,
        Self::DaemonSet,
        Self::StatefulSet,
        Self::Job,
        Self::CronJob,
        Self::EndpointSlice,
        Self::Event,
    ];

    /// The Kubernetes `kind` string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Node => "Node",
            Self::Namespace => "Namespace",
            Self::Pod => "Pod",
            Self::Service => "Service",
            Self::ReplicationController => "ReplicationController",
            Self::ReplicaSet => "ReplicaSet",
            Self::Deployment => "Deployment",
            Self::DaemonSet => "DaemonSet",
            Self::StatefulSet => "StatefulSet",
            Self::Job => "Job",
            Self::CronJob => "CronJob",
            Self::EndpointSlice => "EndpointSlice",
            Self::Event => "Event",
        }
    }

    /// From a Kubernetes `kind` string; `None` for kinds the model does not hold.
    pub fn from_kind(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == kind)
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One object of any kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind")]
pub enum K8sObject {
    Node(Node),
    Namespace(Namespace),
    Pod(Pod),
    Service(Service),
    ReplicationController(ReplicationController),
    ReplicaSet(ReplicaSet),
    Deployment(Deployment),
    DaemonSet(DaemonSet),
    StatefulSet(StatefulSet),
    Job(Job),
    CronJob(CronJob),
    EndpointSlice(EndpointSlice),
    Event(Event),
}

/// Applies `$body` to the object inside whatever variant `$obj` is.
macro_rules! with_object {
    ($obj:expr, $o:ident => $body:expr) => {
        match $obj {
            K8sObject::Node($o) => $body,
            K8sObject::Namespace($o) => $body,
            K8sObject::Pod($o) => $body,
            K8sObject::Service($o) => $body,
            K8sObject::ReplicationController($o) => $body,
            K8sObject::ReplicaSet($o) => $body,
            K8sObject::Deployment($o) => $body,
            K8sObject::DaemonSet($o) => $body,
            K8sObject::StatefulSet($o) => $body,
            K8sObject::Job($o) => $body,
            K8sObject::CronJob($o) => $body,
            K8sObject::EndpointSlice($o) => $body,
            K8sObject::Event($o) => $body,
        }
    };
}

impl K8sObject {
    pub fn kind(&self) -> ObjectKind {
        match self {
            K8sObject::Node(_) => ObjectKind::Node,
            K8sObject::Namespace(_) => ObjectKind::Namespace,
            K8sObject::Pod(_) => ObjectKind::Pod,
            K8sObject::Service(_) => ObjectKind::Service,
            K8sObject::ReplicationController(_) => ObjectKind::ReplicationController,
            K8sObject::ReplicaSet(_) => ObjectKind::ReplicaSet,
            K8sObject::Deployment(_) => ObjectKind::Deployment,
            K8sObject::DaemonSet(_) => ObjectKind::DaemonSet,
            K8sObject::StatefulSet(_) => ObjectKind::StatefulSet,
            K8sObject::Job(_) => ObjectKind::Job,
            K8sObject::CronJob(_) => ObjectKind::CronJob,
            K8sObject::EndpointSlice(_) => ObjectKind::EndpointSlice,
            K8sObject::Event(_) => ObjectKind::Event,
        }
    }

    pub fn meta(&self) -> &ObjectMeta {
        with_object!(self, o => &o.meta)
    }
}

impl Intern for K8sObject {
    fn intern(&mut self, i: &mut Interner) {
        with_object!(self, o => o.intern(i))
    }
}

macro_rules! into_object {
    ($($t:ident),*) => {$(
        impl From<$t> for K8sObject {
            fn from(o: $t) -> Self {
                K8sObject::$t(o)
            }
        }
    )*};
}
into_object!(
    Node,
    Namespace,
    Pod,
    Service,
    ReplicationController,
    ReplicaSet,
    Deployment,
    DaemonSet,
    StatefulSet,
    Job,
    CronJob,
    EndpointSlice,
    Event
);

/// What happened to an object, as a watch reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum WatchKind {
    Added,
    Modified,
    Deleted,
}

impl WatchKind {
    /// `ADDED` / `MODIFIED` / `DELETED`; other watch types (`ERROR`, `BOOKMARK`, sysdig's
    /// `NONEXISTENT`) carry no object and are handled by the decoders.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ADDED" => Some(Self::Added),
            "MODIFIED" => Some(Self::Modified),
            "DELETED" => Some(Self::Deleted),
            _ => None,
        }
    }
}

/// One change to apply to a [`Cluster`](crate::Cluster).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectUpdate {
    pub kind: WatchKind,
    pub object: K8sObject,
}
