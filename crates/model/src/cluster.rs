//! The cluster store: every known object and container, and the questions the engine and the
//! views ask about them (which pod a container is in, what owns a pod, which services select
//! it, ...).
//!
//! Updates come from watches (live) or K8S_E / container JSON events (replay) and are applied
//! in order; a MODIFIED object replaces the stored one whole, as the API sends full objects.
//! Queries answer from the current state only.

use std::collections::hash_map::{Entry, HashMap};

use crate::container::{short_id, ContainerInfo};
use crate::error::ModelError;
use crate::intern::{Intern, Interner, Str};
use crate::k8s::{
    self, CronJob, DaemonSet, Deployment, EndpointSlice, Event, Job, K8sObject, Namespace, Node,
    ObjectKind, ObjectMeta, ObjectUpdate, OwnerRef, Pod, ReplicaSet, ReplicationController,
    Service, StatefulSet, WatchKind, WorkloadKind, WorkloadRef,
};
use crate::store::Store;

/// Owner chains longer than this are cut (guards against reference cycles in bad data).
const MAX_OWNER_DEPTH: usize = 8;

/// Removals between two passes that forget strings no object uses any more.
const PRUNE_EVERY: usize = 1024;

#[derive(Debug, Default)]
pub struct Cluster {
    nodes: Store<Node>,
    namespaces: Store<Namespace>,
    pods: Store<Pod>,
    services: Store<Service>,
    replication_controllers: Store<ReplicationController>,
    replica_sets: Store<ReplicaSet>,
    deployments: Store<Deployment>,
    daemon_sets: Store<DaemonSet>,
    stateful_sets: Store<StatefulSet>,
    jobs: Store<Job>,
    cron_jobs: Store<CronJob>,
    endpoint_slices: Store<EndpointSlice>,
    events: Store<Event>,

    /// Containers described by container JSON events, by short id.
    containers: HashMap<Box<str>, ContainerInfo>,
    /// Short container id → uid of the pod whose status lists it.
    pod_by_container: HashMap<Box<str>, Str>,
    /// Pod uid → uids of the EndpointSlices that list it.
    slices_by_pod: HashMap<Str, Vec<Str>>,
    /// namespace → service name → uids of the EndpointSlices naming that service.
    slices_by_service: HashMap<Str, HashMap<Str, Vec<Str>>>,

    interner: Interner,
    removals_since_prune: usize,
}

impl Cluster {
    pub fn new() -> Self {
        Self::default()
    }

    // -----------------------------------------------------------------------------------
    // Updates
    // -----------------------------------------------------------------------------------

    /// Applies one update; returns whether the store changed (deleting an unknown object
    /// does not change it).
    pub fn apply(&mut self, update: ObjectUpdate) -> bool {
        match update.kind {
            WatchKind::Added | WatchKind::Modified => {
                self.upsert(update.object);
                true
            }
            WatchKind::Deleted => {
                let (kind, uid) = (update.object.kind(), update.object.meta().uid.clone());
                self.remove(kind, &uid)
            }
        }
    }

    /// Applies the JSON payload of a sysdig K8S_E capture event; returns how many objects
    /// changed the store.
    pub fn apply_capture_event(&mut self, json: &str) -> Result<usize, ModelError> {
        let updates = k8s::parse_capture_event(json)?;
        Ok(self.apply_all(updates))
    }

    /// Applies Kubernetes API JSON: an object, a list or a watch event. Returns how many
    /// objects changed the store.
    ///
    /// A list is applied as ADDED items; objects missing from it are not removed (a relist
    /// that must drop stale objects is the watcher's job, see [`Cluster::remove`]).
    pub fn apply_api_json(&mut self, json: &str) -> Result<usize, ModelError> {
        let updates = k8s::parse_api_json(json)?;
        Ok(self.apply_all(updates))
    }

    /// [`Cluster::apply_api_json`] for an already parsed value.
    pub fn apply_api_value(&mut self, value: &serde_json::Value) -> Result<usize, ModelError> {
        let updates = k8s::parse_api_value(value)?;
        Ok(self.apply_all(updates))
    }

    fn apply_all(&mut self, updates: Vec<ObjectUpdate>) -> usize {
        let mut changed = 0;
        for update in updates {
            changed += usize::from(self.apply(update));
        }
        changed
    }

    fn upsert(&mut self, mut object: K8sObject) {
        object.intern(&mut self.interner);
        match object {
            K8sObject::Node(o) => drop(self.nodes.insert(o)),
            K8sObject::Namespace(o) => drop(self.namespaces.insert(o)),
            K8sObject::Pod(pod) => {
                // Withdraw the old version's index entries before adding the new ones.
                if let Some(old) = self.pods.remove(&pod.meta.uid) {
                    self.unindex_pod_containers(&old);
                }
                for id in pod.container_ids() {
                    self.pod_by_container
                        .insert(id.short().into(), pod.meta.uid.clone());
                }
                self.pods.insert(pod);
            }
            K8sObject::Service(o) => drop(self.services.insert(o)),
            K8sObject::ReplicationController(o) => drop(self.replication_controllers.insert(o)),
            K8sObject::ReplicaSet(o) => drop(self.replica_sets.insert(o)),
            K8sObject::Deployment(o) => drop(self.deployments.insert(o)),
            K8sObject::DaemonSet(o) => drop(self.daemon_sets.insert(o)),
            K8sObject::StatefulSet(o) => drop(self.stateful_sets.insert(o)),
            K8sObject::Job(o) => drop(self.jobs.insert(o)),
            K8sObject::CronJob(o) => drop(self.cron_jobs.insert(o)),
            K8sObject::EndpointSlice(slice) => {
                if let Some(old) = self.endpoint_slices.remove(&slice.meta.uid) {
                    self.index_slice(&old, false);
                }
                self.index_slice(&slice, true);
                self.endpoint_slices.insert(slice);
            }
            K8sObject::Event(o) => drop(self.events.insert(o)),
        }
    }

    /// Removes an object by kind and uid; returns whether it was there.
    pub fn remove(&mut self, kind: ObjectKind, uid: &str) -> bool {
        let removed = match kind {
            ObjectKind::Node => self.nodes.remove(uid).is_some(),
            ObjectKind::Namespace => self.namespaces.remove(uid).is_some(),
            ObjectKind::Pod => match self.pods.remove(uid) {
                Some(old) => {
                    self.unindex_pod_containers(&old);
                    true
                }
                None => false,
            },
            ObjectKind::Service => self.services.remove(uid).is_some(),
            ObjectKind::ReplicationController => self.replication_controllers.remove(uid).is_some(),
            ObjectKind::ReplicaSet => self.replica_sets.remove(uid).is_some(),
            ObjectKind::Deployment => self.deployments.remove(uid).is_some(),
            ObjectKind::DaemonSet => self.daemon_sets.remove(uid).is_some(),
            ObjectKind::StatefulSet => self.stateful_sets.remove(uid).is_some(),
            ObjectKind::Job => self.jobs.remove(uid).is_some(),
            ObjectKind::CronJob => self.cron_jobs.remove(uid).is_some(),
            ObjectKind::EndpointSlice => match self.endpoint_slices.remove(uid) {
                Some(old) => {
                    self.index_slice(&old, false);
                    true
                }
                None => false,
            },
            ObjectKind::Event => self.events.remove(uid).is_some(),
        };
        if removed {
            self.note_removal();
        }
        removed
    }

    fn unindex_pod_containers(&mut self, pod: &Pod) {
        for id in pod.container_ids() {
            if self
                .pod_by_container
                .get(id.short())
                .is_some_and(|u| *u == pod.meta.uid)
            {
                self.pod_by_container.remove(id.short());
            }
        }
    }

    /// Adds (`add`) or withdraws a slice's entries in the pod → slices and per-service
    /// indexes.
    fn index_slice(&mut self, slice: &EndpointSlice, add: bool) {
        let uid = &slice.meta.uid;
        for pod_uid in slice
            .endpoints
            .iter()
            .filter_map(|e| e.pod.as_ref()?.uid.as_ref())
        {
            let list = self.slices_by_pod.entry(pod_uid.clone()).or_default();
            if add {
                if !list.contains(uid) {
                    // Exact growth: a pod is in one or two slices, not the 4 a push reserves.
                    list.reserve_exact(1);
                    list.push(uid.clone());
                }
            } else {
                list.retain(|u| u != uid);
                if list.is_empty() {
                    self.slices_by_pod.remove(pod_uid);
                }
            }
        }
        if let Some(svc) = &slice.service_name {
            let ns: Str = slice.meta.namespace.clone().unwrap_or_else(|| "".into());
            let per_ns = self.slices_by_service.entry(ns.clone()).or_default();
            let list = per_ns.entry(svc.clone()).or_default();
            if add {
                if !list.contains(uid) {
                    list.push(uid.clone());
                }
            } else {
                list.retain(|u| u != uid);
                if list.is_empty() {
                    per_ns.remove(svc);
                }
                if per_ns.is_empty() {
                    self.slices_by_service.remove(&ns);
                }
            }
        }
    }

    fn note_removal(&mut self) {
        self.removals_since_prune += 1;
        if self.removals_since_prune >= PRUNE_EVERY {
            self.interner.prune();
            self.removals_since_prune = 0;
        }
    }

    // -----------------------------------------------------------------------------------
    // Containers
    // -----------------------------------------------------------------------------------

    /// Stores (or replaces) a container description, keyed by its short id.
    pub fn upsert_container(&mut self, mut info: ContainerInfo) -> &ContainerInfo {
        info.intern(&mut self.interner);
        let key: Box<str> = short_id(&info.id).into();
        match self.containers.entry(key) {
            Entry::Occupied(mut e) => {
                e.insert(info);
                e.into_mut()
            }
            Entry::Vacant(e) => e.insert(info),
        }
    }

    /// Parses and stores a container JSON event payload.
    pub fn apply_container_json(&mut self, json: &str) -> Result<&ContainerInfo, ModelError> {
        let info = ContainerInfo::from_json(json)?;
        Ok(self.upsert_container(info))
    }

    pub fn remove_container(&mut self, id: &str) -> Option<ContainerInfo> {
        let old = self.containers.remove(short_id(id));
        if old.is_some() {
            self.note_removal();
        }
        old
    }

    /// A container by short or full id.
    pub fn container(&self, id: &str) -> Option<&ContainerInfo> {
        self.containers.get(short_id(id))
    }

    pub fn containers(&self) -> impl Iterator<Item = &ContainerInfo> {
        self.containers.values()
    }

    // -----------------------------------------------------------------------------------
    // Iteration and lookups per kind
    // -----------------------------------------------------------------------------------

    pub fn nodes(&self) -> &Store<Node> {
        &self.nodes
    }
    pub fn namespaces(&self) -> &Store<Namespace> {
        &self.namespaces
    }
    pub fn pods(&self) -> &Store<Pod> {
        &self.pods
    }
    pub fn services(&self) -> &Store<Service> {
        &self.services
    }
    pub fn replication_controllers(&self) -> &Store<ReplicationController> {
        &self.replication_controllers
    }
    pub fn replica_sets(&self) -> &Store<ReplicaSet> {
        &self.replica_sets
    }
    pub fn deployments(&self) -> &Store<Deployment> {
        &self.deployments
    }
    pub fn daemon_sets(&self) -> &Store<DaemonSet> {
        &self.daemon_sets
    }
    pub fn stateful_sets(&self) -> &Store<StatefulSet> {
        &self.stateful_sets
    }
    pub fn jobs(&self) -> &Store<Job> {
        &self.jobs
    }
    pub fn cron_jobs(&self) -> &Store<CronJob> {
        &self.cron_jobs
    }
    pub fn endpoint_slices(&self) -> &Store<EndpointSlice> {
        &self.endpoint_slices
    }
    pub fn events(&self) -> &Store<Event> {
        &self.events
    }

    /// Any object by kind and uid.
    pub fn meta(&self, kind: ObjectKind, uid: &str) -> Option<&ObjectMeta> {
        Some(match kind {
            ObjectKind::Node => &self.nodes.get(uid)?.meta,
            ObjectKind::Namespace => &self.namespaces.get(uid)?.meta,
            ObjectKind::Pod => &self.pods.get(uid)?.meta,
            ObjectKind::Service => &self.services.get(uid)?.meta,
            ObjectKind::EndpointSlice => &self.endpoint_slices.get(uid)?.meta,
            ObjectKind::Event => &self.events.get(uid)?.meta,
            other => {
                let wk = WorkloadKind::from_kind(other.as_str())?;
                return self.workload(wk, uid).map(|w| w.meta());
            }
        })
    }

    /// A controller by kind and uid.
    pub fn workload(&self, kind: WorkloadKind, uid: &str) -> Option<WorkloadRef<'_>> {
        Some(match kind {
            WorkloadKind::ReplicationController => {
                WorkloadRef::ReplicationController(self.replication_controllers.get(uid)?)
            }
            WorkloadKind::ReplicaSet => WorkloadRef::ReplicaSet(self.replica_sets.get(uid)?),
            WorkloadKind::Deployment => WorkloadRef::Deployment(self.deployments.get(uid)?),
            WorkloadKind::DaemonSet => WorkloadRef::DaemonSet(self.daemon_sets.get(uid)?),
            WorkloadKind::StatefulSet => WorkloadRef::StatefulSet(self.stateful_sets.get(uid)?),
            WorkloadKind::Job => WorkloadRef::Job(self.jobs.get(uid)?),
            WorkloadKind::CronJob => WorkloadRef::CronJob(self.cron_jobs.get(uid)?),
        })
    }

    /// A controller by kind, namespace and name.
    pub fn workload_by_name(
        &self,
        kind: WorkloadKind,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<WorkloadRef<'_>> {
        let ns = namespace;
        Some(match kind {
            WorkloadKind::ReplicationController => {
                WorkloadRef::ReplicationController(self.replication_controllers.by_name(ns, name)?)
            }
            WorkloadKind::ReplicaSet => {
                WorkloadRef::ReplicaSet(self.replica_sets.by_name(ns, name)?)
            }
            WorkloadKind::Deployment => {
                WorkloadRef::Deployment(self.deployments.by_name(ns, name)?)
            }
            WorkloadKind::DaemonSet => WorkloadRef::DaemonSet(self.daemon_sets.by_name(ns, name)?),
            WorkloadKind::StatefulSet => {
                WorkloadRef::StatefulSet(self.stateful_sets.by_name(ns, name)?)
            }
            WorkloadKind::Job => WorkloadRef::Job(self.jobs.by_name(ns, name)?),
            WorkloadKind::CronJob => WorkloadRef::CronJob(self.cron_jobs.by_name(ns, name)?),
        })
    }

    /// Controllers of one kind in one namespace.
    pub fn workloads_in<'a>(
        &'a self,
        kind: WorkloadKind,
        namespace: &str,
    ) -> Box<dyn Iterator<Item = WorkloadRef<'a>> + 'a> {
        match kind {
            WorkloadKind::ReplicationController => Box::new(
                self.replication_controllers
                    .in_namespace(namespace)
                    .map(WorkloadRef::ReplicationController),
            ),
            WorkloadKind::ReplicaSet => Box::new(
                self.replica_sets
                    .in_namespace(namespace)
                    .map(WorkloadRef::ReplicaSet),
            ),
            WorkloadKind::Deployment => Box::new(
                self.deployments
                    .in_namespace(namespace)
                    .map(WorkloadRef::Deployment),
            ),
            WorkloadKind::DaemonSet => Box::new(
                self.daemon_sets
                    .in_namespace(namespace)
                    .map(WorkloadRef::DaemonSet),
            ),
            WorkloadKind::StatefulSet => Box::new(
                self.stateful_sets
                    .in_namespace(namespace)
                    .map(WorkloadRef::StatefulSet),
            ),
            WorkloadKind::Job => Box::new(self.jobs.in_namespace(namespace).map(WorkloadRef::Job)),
            WorkloadKind::CronJob => Box::new(
                self.cron_jobs
                    .in_namespace(namespace)
                    .map(WorkloadRef::CronJob),
            ),
        }
    }

    // -----------------------------------------------------------------------------------
    // Physical hierarchy: container → pod → node
    // -----------------------------------------------------------------------------------

    /// The pod a container (short or full id) belongs to.
    ///
    /// First by the ids in the pods' `containerStatuses`; then, for containers the API does
    /// not list (the pause/sandbox container, or a status not yet updated), by what the
    /// container says about itself: the `io.kubernetes.pod.*` labels or the kubelet's docker
    /// name `k8s_<container>_<pod>_<namespace>_<pod uid>_<attempt>`. The second way needs
    /// the container to be known ([`Cluster::upsert_container`]).
    pub fn pod_of_container(&self, container_id: &str) -> Option<&Pod> {
        let key = short_id(container_id);
        if let Some(pod) = self
            .pod_by_container
            .get(key)
            .and_then(|uid| self.pods.get(uid))
        {
            return Some(pod);
        }
        let hint = self.containers.get(key)?.pod_hint()?;
        hint.pod_uid
            .and_then(|uid| self.pods.get(uid))
            .or_else(|| self.pods.by_name(Some(hint.namespace), hint.pod))
    }

    /// Known containers of a pod: those its status lists and those that name it (pause).
    /// Sorted by id.
    pub fn containers_of(&self, pod: &Pod) -> Vec<&ContainerInfo> {
        let mut out: Vec<&ContainerInfo> = self
            .containers
            .values()
            .filter(|c| {
                self.pod_of_container(&c.id)
                    .is_some_and(|p| p.meta.uid == pod.meta.uid)
            })
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    pub fn node_of(&self, pod: &Pod) -> Option<&Node> {
        self.nodes.by_name(None, pod.node_name.as_deref()?)
    }

    /// Pods scheduled on a node (by node name), sorted by namespace and name.
    pub fn pods_on_node(&self, node_name: &str) -> Vec<&Pod> {
        let mut out: Vec<&Pod> = self
            .pods
            .iter()
            .filter(|p| p.node_name.as_deref() == Some(node_name))
            .collect();
        sort_by_name(&mut out, |p| &p.meta);
        out
    }

    // -----------------------------------------------------------------------------------
    // Logical hierarchy: pod → controllers / services → namespace
    // -----------------------------------------------------------------------------------

    pub fn namespace_of(&self, pod: &Pod) -> Option<&Namespace> {
        self.namespaces
            .by_name(None, pod.meta.namespace.as_deref()?)
    }

    /// The pod's controllers, nearest first: `[ReplicaSet, Deployment]`, `[Job, CronJob]`,
    /// `[ReplicationController]`, `[DaemonSet]`, `[StatefulSet]`; empty for a bare pod.
    ///
    /// Each link is the owner reference when the object has one (by uid, else by name), and
    /// otherwise the label selector of a controller in the same namespace: Kubernetes 1.4
    /// ReplicaSets and every object in sysdig's condensed capture events have no owner
    /// references.
    pub fn owner_chain(&self, pod: &Pod) -> Vec<WorkloadRef<'_>> {
        let mut chain = Vec::new();
        let mut next = self.owner_of_pod(pod);
        while let Some(w) = next {
            if chain.len() >= MAX_OWNER_DEPTH
                || chain.iter().any(|c: &WorkloadRef| c.uid() == w.uid())
            {
                break;
            }
            chain.push(w);
            next = self.owner_of_workload(w);
        }
        chain
    }

    /// The controller that directly manages a pod.
    pub fn owner_of_pod(&self, pod: &Pod) -> Option<WorkloadRef<'_>> {
        let ns = pod.meta.namespace.as_deref();
        if let Some(owner) = managing_ref(&pod.meta) {
            // A named owner is authoritative even when not (yet) known here: guessing by
            // labels could pick a different object. Owners of other kinds (a Node for
            // static pods, custom resources) end the chain.
            return self.resolve_owner(ns, owner);
        }
        let labels = &pod.meta.labels;
        let ns = ns.unwrap_or_default();
        // The most specific selector wins (a ReplicaSet's includes pod-template-hash).
        let best = WorkloadKind::ALL
            .into_iter()
            .filter(|k| k.owns_pods())
            .flat_map(|k| self.workloads_in(k, ns))
            .filter(|w| w.selector().is_some_and(|s| s.matches(labels)))
            .max_by(|a, b| prefer(a, b));
        // No pod-owning controller known (e.g. a capture without ReplicaSet events): sysdig
        // then attributed the pod to the Deployment selecting it, and so do we.
        best.or_else(|| {
            self.workloads_in(WorkloadKind::Deployment, ns)
                .filter(|w| w.selector().is_some_and(|s| s.matches(labels)))
                .max_by(|a, b| prefer(a, b))
        })
    }

    /// The controller that manages a controller (ReplicaSet → Deployment, Job → CronJob).
    pub fn owner_of_workload(&self, w: WorkloadRef<'_>) -> Option<WorkloadRef<'_>> {
        let meta = w.meta();
        let ns = meta.namespace.as_deref();
        if let Some(owner) = managing_ref(meta) {
            return self.resolve_owner(ns, owner).filter(|o| o.uid() != w.uid());
        }
        let ns = ns.unwrap_or_default();
        match w {
            WorkloadRef::ReplicaSet(rs) => self
                .workloads_in(WorkloadKind::Deployment, ns)
                .filter(|d| d.selector().is_some_and(|s| s.matches(&rs.meta.labels)))
                .max_by(|a, b| prefer(a, b)),
            // CronJob controllers before owner references named Jobs `<cronjob>-<time>`.
            WorkloadRef::Job(job) => self
                .workloads_in(WorkloadKind::CronJob, ns)
                .filter(|c| {
                    job.meta
                        .name
                        .strip_prefix(c.name())
                        .and_then(|rest| rest.strip_prefix('-'))
                        .is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                })
                .max_by(|a, b| prefer(a, b)),
            _ => None,
        }
    }

    fn resolve_owner(&self, ns: Option<&str>, owner: &OwnerRef) -> Option<WorkloadRef<'_>> {
        let kind = WorkloadKind::from_kind(&owner.kind)?;
        self.workload(kind, &owner.uid)
            .or_else(|| self.workload_by_name(kind, ns, &owner.name))
    }

    /// Services in front of a pod, sorted by name. From the EndpointSlices that list the pod
    /// and, for services without any EndpointSlice here (old clusters, captures), from their
    /// selectors.
    pub fn services_of(&self, pod: &Pod) -> Vec<&Service> {
        let ns = pod.meta.namespace.as_deref();
        let mut out: Vec<&Service> = Vec::new();
        for slice in self
            .slices_by_pod
            .get(&*pod.meta.uid)
            .into_iter()
            .flatten()
            .filter_map(|uid| self.endpoint_slices.get(uid))
        {
            if let Some(svc) = slice
                .service_name
                .as_deref()
                .and_then(|name| self.services.by_name(slice.meta.namespace.as_deref(), name))
            {
                if !out.iter().any(|s| s.meta.uid == svc.meta.uid) {
                    out.push(svc);
                }
            }
        }
        for svc in self.services.in_namespace(ns.unwrap_or_default()) {
            if !self.has_slices(svc)
                && svc.selector.matches(&pod.meta.labels)
                && !out.iter().any(|s| s.meta.uid == svc.meta.uid)
            {
                out.push(svc);
            }
        }
        sort_by_name(&mut out, |s| &s.meta);
        out
    }

    /// Pods behind a service, sorted by name (the inverse of [`Cluster::services_of`]).
    pub fn pods_of_service(&self, svc: &Service) -> Vec<&Pod> {
        let ns = svc.meta.namespace_str();
        let mut out: Vec<&Pod> = match self.slices_of(svc) {
            Some(slices) => slices
                .iter()
                .filter_map(|uid| self.endpoint_slices.get(uid))
                .flat_map(|s| &s.endpoints)
                .filter_map(|e| e.pod.as_ref()?.uid.as_deref())
                .filter_map(|uid| self.pods.get(uid))
                .collect(),
            None => self
                .pods
                .in_namespace(ns)
                .filter(|p| svc.selector.matches(&p.meta.labels))
                .collect(),
        };
        sort_by_name(&mut out, |p| &p.meta);
        out.dedup_by(|a, b| a.meta.uid == b.meta.uid);
        out
    }

    /// Pods whose owner chain includes the given controller, sorted by name.
    pub fn pods_of_workload(&self, w: WorkloadRef<'_>) -> Vec<&Pod> {
        let mut out: Vec<&Pod> = self
            .pods
            .in_namespace(w.meta().namespace_str())
            .filter(|p| self.owner_chain(p).iter().any(|o| o.uid() == w.uid()))
            .collect();
        sort_by_name(&mut out, |p| &p.meta);
        out
    }

    /// Uids of the EndpointSlices of a service; `None` when it has none here.
    fn slices_of(&self, svc: &Service) -> Option<&[Str]> {
        self.slices_by_service
            .get(svc.meta.namespace_str())?
            .get(&*svc.meta.name)
            .map(Vec::as_slice)
    }

    fn has_slices(&self, svc: &Service) -> bool {
        self.slices_of(svc).is_some()
    }

    /// Number of distinct shared strings (for memory accounting).
    pub fn interned_strings(&self) -> usize {
        self.interner.len()
    }
}

/// The owner reference that manages an object: the `controller: true` one, else the first
/// that names a controller kind (very old servers did not set `controller`).
fn managing_ref(meta: &ObjectMeta) -> Option<&OwnerRef> {
    meta.controller_ref().or_else(|| {
        meta.owner_refs
            .iter()
            .find(|o| WorkloadKind::from_kind(&o.kind).is_some())
    })
}

/// Ordering for "best match": more specific selector, then kind order, then name (so the
/// result does not depend on hash map order).
fn prefer(a: &WorkloadRef<'_>, b: &WorkloadRef<'_>) -> std::cmp::Ordering {
    let spec = |w: &WorkloadRef<'_>| w.selector().map_or(0, |s| s.specificity());
    spec(a)
        .cmp(&spec(b))
        .then_with(|| b.kind().cmp(&a.kind()))
        .then_with(|| b.name().cmp(a.name()))
}

fn sort_by_name<T>(v: &mut [&T], meta: impl Fn(&T) -> &ObjectMeta) {
    v.sort_by(|a, b| {
        let (a, b) = (meta(a), meta(b));
        (a.namespace_str(), &*a.name).cmp(&(b.namespace_str(), &*b.name))
    });
}
