//! Kubernetes Events (core/v1 `Event`, the objects `kubectl get events` lists): what the
//! scheduler, the kubelet and the controllers said about an object — a rollout's
//! `ScalingReplicaSet`, a `FailedScheduling`, a `BackOff` — with how often and when.
//!
//! Events name the object they involve (`involvedObject`), which is how the views attach
//! them. The API server expires them (one hour by default), so the history keeps its own
//! copy; the model holds only the ones the API still has.

use serde::Serialize;

use crate::intern::{Intern, Interner, Str};
use crate::k8s::meta::ObjectMeta;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub meta: ObjectMeta,
    pub involved: InvolvedObject,
    /// `Normal` or `Warning`.
    pub event_type: Option<Str>,
    /// A short CamelCase word: `Scheduled`, `Pulled`, `BackOff`, `ScalingReplicaSet`.
    pub reason: Option<Str>,
    pub message: Option<Box<str>>,
    /// The component that reported it (`source.component`, or `reportingComponent` of
    /// events written through events.k8s.io/v1): `kubelet`, `default-scheduler`,
    /// `deployment-controller`.
    pub source: Option<Str>,
    /// Times it happened (`count`, or `series.count` for new-style events); at least 1.
    pub count: u32,
    /// First and last occurrence, nanoseconds since the epoch: `firstTimestamp` /
    /// `lastTimestamp`, or `eventTime` / `series.lastObservedTime`. (Its
    /// `metadata.creationTimestamp`, the same moment as `first`, is not kept.)
    pub first_ns: Option<u64>,
    pub last_ns: Option<u64>,
}

/// The object an Event is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvolvedObject {
    pub kind: Str,
    pub namespace: Option<Str>,
    pub name: Str,
    pub uid: Option<Str>,
}

impl Intern for Event {
    fn intern(&mut self, i: &mut Interner) {
        self.meta.intern(i);
        i.intern(&mut self.involved.kind);
        i.intern_opt(&mut self.involved.namespace);
        i.intern(&mut self.involved.name);
        i.intern_opt(&mut self.involved.uid);
        i.intern_opt(&mut self.event_type);
        i.intern_opt(&mut self.reason);
        i.intern_opt(&mut self.source);
    }
}
