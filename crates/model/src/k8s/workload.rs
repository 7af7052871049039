//! Controllers: the objects between a namespace and its pods in the logical hierarchy.

use serde::Serialize;

use crate::intern::{Intern, Interner, Str};
use crate::k8s::meta::ObjectMeta;
use crate::labels::LabelSelector;

/// Desired and observed size. For a DaemonSet: desired/current number scheduled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Replicas {
    pub desired: Option<i32>,
    pub current: Option<i32>,
    /// `status.readyReplicas` (a DaemonSet: `numberReady`).
    pub ready: Option<i32>,
    /// `status.updatedReplicas` (a DaemonSet: `updatedNumberScheduled`): pods of the
    /// current template, what a rollout's progress is read from.
    pub updated: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplicationController {
    pub meta: ObjectMeta,
    pub selector: LabelSelector,
    pub replicas: Replicas,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplicaSet {
    pub meta: ObjectMeta,
    pub selector: LabelSelector,
    pub replicas: Replicas,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deployment {
    pub meta: ObjectMeta,
    pub selector: LabelSelector,
    pub replicas: Replicas,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DaemonSet {
    pub meta: ObjectMeta,
    pub selector: LabelSelector,
    /// desired/current number scheduled.
    pub replicas: Replicas,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatefulSet {
    pub meta: ObjectMeta,
    pub selector: LabelSelector,
    pub replicas: Replicas,
    /// The governing headless Service.
    pub service_name: Option<Str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Job {
    pub meta: ObjectMeta,
    /// Usually `controller-uid=<uid>`, set by the API server.
    pub selector: LabelSelector,
    pub completions: Option<i32>,
    pub parallelism: Option<i32>,
    pub active: Option<i32>,
    pub succeeded: Option<i32>,
    pub failed: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CronJob {
    pub meta: ObjectMeta,
    pub schedule: Option<Str>,
    pub suspend: Option<bool>,
}

/// The kinds of controller, named as Kubernetes names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum WorkloadKind {
    ReplicationController,
    ReplicaSet,
    Deployment,
    DaemonSet,
    StatefulSet,
    Job,
    CronJob,
}

impl WorkloadKind {
    pub const ALL: [WorkloadKind; 7] = [
        Self::ReplicationController,
        Self::ReplicaSet,
        Self::Deployment,
        Self::DaemonSet,
        Self::StatefulSet,
        Self::Job,
        Self::CronJob,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReplicationController => "ReplicationController",
            Self::ReplicaSet => "ReplicaSet",
            Self::Deployment => "Deployment",
            Self::DaemonSet => "DaemonSet",
            Self::StatefulSet => "StatefulSet",
            Self::Job => "Job",
            Self::CronJob => "CronJob",
        }
    }

    pub fn from_kind(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == kind)
    }

    /// Kinds that create pods themselves (the first link of a pod's owner chain).
    pub fn owns_pods(self) -> bool {
        !matches!(self, Self::Deployment | Self::CronJob)
    }
}

/// A borrowed controller of any kind, as returned by the cluster's owner queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadRef<'a> {
    ReplicationController(&'a ReplicationController),
    ReplicaSet(&'a ReplicaSet),
    Deployment(&'a Deployment),
    DaemonSet(&'a DaemonSet),
    StatefulSet(&'a StatefulSet),
    Job(&'a Job),
    CronJob(&'a CronJob),
}

impl<'a> WorkloadRef<'a> {
    pub fn kind(&self) -> WorkloadKind {
        match self {
            Self::ReplicationController(_) => WorkloadKind::ReplicationController,
            Self::ReplicaSet(_) => WorkloadKind::ReplicaSet,
            Self::Deployment(_) => WorkloadKind::Deployment,
            Self::DaemonSet(_) => WorkloadKind::DaemonSet,
            Self::StatefulSet(_) => WorkloadKind::StatefulSet,
            Self::Job(_) => WorkloadKind::Job,
            Self::CronJob(_) => WorkloadKind::CronJob,
        }
    }

    pub fn meta(&self) -> &'a ObjectMeta {
        match self {
            Self::ReplicationController(w) => &w.meta,
            Self::ReplicaSet(w) => &w.meta,
            Self::Deployment(w) => &w.meta,
            Self::DaemonSet(w) => &w.meta,
            Self::StatefulSet(w) => &w.meta,
            Self::Job(w) => &w.meta,
            Self::CronJob(w) => &w.meta,
        }
    }

    pub fn name(&self) -> &'a str {
        &self.meta().name
    }

    pub fn uid(&self) -> &'a str {
        &self.meta().uid
    }

    /// The label selector; a CronJob has none (its Jobs are found by owner reference).
    pub fn selector(&self) -> Option<&'a LabelSelector> {
        match self {
            Self::ReplicationController(w) => Some(&w.selector),
            Self::ReplicaSet(w) => Some(&w.selector),
            Self::Deployment(w) => Some(&w.selector),
            Self::DaemonSet(w) => Some(&w.selector),
            Self::StatefulSet(w) => Some(&w.selector),
            Self::Job(w) => Some(&w.selector),
            Self::CronJob(_) => None,
        }
    }

    /// Desired/current size, for the kinds that have one.
    pub fn replicas(&self) -> Option<Replicas> {
        match self {
            Self::ReplicationController(w) => Some(w.replicas),
            Self::ReplicaSet(w) => Some(w.replicas),
            Self::Deployment(w) => Some(w.replicas),
            Self::DaemonSet(w) => Some(w.replicas),
            Self::StatefulSet(w) => Some(w.replicas),
            Self::Job(w) => Some(Replicas {
                desired: w.completions,
                current: w.active,
                ready: None,
                updated: None,
            }),
            Self::CronJob(_) => None,
        }
    }
}

macro_rules! intern_with_selector {
    ($($t:ty),*) => {$(
        impl Intern for $t {
            fn intern(&mut self, i: &mut Interner) {
                self.meta.intern(i);
                self.selector.intern(i);
            }
        }
    )*};
}
intern_with_selector!(
    ReplicationController,
    ReplicaSet,
    Deployment,
    DaemonSet,
    Job
);

impl Intern for StatefulSet {
    fn intern(&mut self, i: &mut Interner) {
        self.meta.intern(i);
        self.selector.intern(i);
        i.intern_opt(&mut self.service_name);
    }
}

impl Intern for CronJob {
    fn intern(&mut self, i: &mut Interner) {
        self.meta.intern(i);
        i.intern_opt(&mut self.schedule);
    }
}
