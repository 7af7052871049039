//! The entity model both hierarchies are built from, and the conversions into it.
//!
//! - physical: node → pod → container (processes live in the engine, not here);
//! - logical: namespace → service / controllers (deployment, replicaset,
//!   replicationcontroller, statefulset, daemonset, job, cronjob) → pod → container;
//!   labels on everything.
//!
//! What it owns: the types ([`ContainerInfo`], [`k8s`] objects), their conversions from
//! sysdig container JSON events, Kubernetes API JSON (objects, lists, watch events) and
//! sysdig's condensed K8S_E capture events, and the [`Cluster`] store that answers "which pod
//! is this container in, what owns it, which services front it".
//!
//! What it must not do: know about syscalls, file descriptors, scap blocks or the network;
//! talk to an API server or a container runtime; block. Callers hand it JSON strings or
//! values and ask it questions. It never panics on input: bad data is a [`ModelError`].

pub mod cluster;
pub mod container;
pub mod error;
pub mod intern;
pub mod k8s;
pub mod labels;
mod serde_util;
pub mod store;

pub use cluster::Cluster;
pub use container::{ContainerInfo, ContainerKind, KubeletContainerName, Mount, PodHint};
pub use error::ModelError;
pub use intern::Str;
pub use k8s::{
    K8sObject, ObjectKind, ObjectMeta, ObjectUpdate, OwnerRef, WatchKind, WorkloadKind, WorkloadRef,
};
pub use labels::{LabelSelector, Labels};
pub use store::Store;
