//! The agent's filter between its watches and the engine: of everything the
//! cluster-wide watches bring (controllers, services, namespaces), only what the node's
//! pods reference reaches the model.
//!
//! The filter keeps its own small [`Cluster`] of the candidates and asks it the engine's
//! questions (owner chain, services of a pod, namespace, node), so "referenced" means
//! exactly what the model will use (an agent watches no EndpointSlices: a pod's services
//! come from their selectors, see [`crate::Shape::Agent`]). After each batch of updates the set of referenced objects is
//! recomputed and the difference with what was forwarded goes out.

use std::collections::{BTreeSet, HashSet};

use kinsight_model::{Cluster, ObjectKind, ObjectUpdate, Str, WatchKind, WorkloadKind};
use tokio::sync::mpsc;

use crate::updates::{object_of, replace_kind, KubeUpdate, UpdateSender};

/// Updates folded into one recomputation at most.
const MAX_BATCH: usize = 1024;

pub(crate) async fn run(node: String, mut rx: mpsc::Receiver<KubeUpdate>, tx: UpdateSender) {
    let mut filter = Relevance::new(node);
    while let Some(first) = rx.recv().await {
        filter.ingest(first);
        let mut batch = 1;
        while batch < MAX_BATCH {
            match rx.try_recv() {
                Ok(more) => {
                    filter.ingest(more);
                    batch += 1;
                }
                Err(_) => break,
            }
        }
        for update in filter.flush() {
            if tx.send(update).await.is_err() {
                return;
            }
        }
    }
}

type Key = (ObjectKind, Str);

/// The objects a node's pods reference, as updates.
pub struct Relevance {
    node: String,
    candidates: Cluster,
    forwarded: HashSet<Key>,
    touched: HashSet<Key>,
    replaced: BTreeSet<ObjectKind>,
    notices: Vec<KubeUpdate>,
}

fn workload_kind(k: WorkloadKind) -> ObjectKind {
    match k {
        WorkloadKind::ReplicationController => ObjectKind::ReplicationController,
        WorkloadKind::ReplicaSet => ObjectKind::ReplicaSet,
        WorkloadKind::Deployment => ObjectKind::Deployment,
        WorkloadKind::DaemonSet => ObjectKind::DaemonSet,
        WorkloadKind::StatefulSet => ObjectKind::StatefulSet,
        WorkloadKind::Job => ObjectKind::Job,
        WorkloadKind::CronJob => ObjectKind::CronJob,
    }
}

impl Relevance {
    pub fn new(node: String) -> Relevance {
        Relevance {
            node,
            candidates: Cluster::new(),
            forwarded: HashSet::new(),
            touched: HashSet::new(),
            replaced: BTreeSet::new(),
            notices: Vec::new(),
        }
    }

    pub fn ingest(&mut self, update: KubeUpdate) {
        match update {
            KubeUpdate::Replace { kind, objects } => {
                replace_kind(&mut self.candidates, kind, objects);
                self.replaced.insert(kind);
            }
            KubeUpdate::Upsert(object) => {
                let key = (object.kind(), object.meta().uid.clone());
                self.candidates.apply(ObjectUpdate {
                    kind: WatchKind::Modified,
                    object,
                });
                self.touched.insert(key);
            }
            KubeUpdate::Remove { kind, uid } => {
                self.candidates.remove(kind, &uid);
                self.touched.insert((kind, uid));
            }
            notice @ KubeUpdate::Notice(_) => self.notices.push(notice),
        }
    }

    /// Everything the node's pods reference, the pods included.
    fn referenced(&self) -> HashSet<Key> {
        let c = &self.candidates;
        let mut out = HashSet::new();
        for pod in c.pods().iter() {
            out.insert((ObjectKind::Pod, pod.meta.uid.clone()));
            if let Some(ns) = c.namespace_of(pod) {
                out.insert((ObjectKind::Namespace, ns.meta.uid.clone()));
            }
            if let Some(node) = c.node_of(pod) {
                out.insert((ObjectKind::Node, node.meta.uid.clone()));
            }
            for owner in c.owner_chain(pod) {
                out.insert((workload_kind(owner.kind()), owner.meta().uid.clone()));
            }
            for svc in c.services_of(pod) {
                out.insert((ObjectKind::Service, svc.meta.uid.clone()));
            }
        }
        // The node itself, pods or not (its addresses identify the machine).
        for node in c.nodes().iter() {
            out.insert((ObjectKind::Node, node.meta.uid.clone()));
        }
        // Events about what is forwarded (the agent watches only its node's).
        let about: HashSet<&str> = out.iter().map(|(_, uid)| &**uid).collect();
        let events: Vec<Key> = c
            .events()
            .iter()
            .filter(|e| {
                e.involved.uid.as_deref().is_some_and(|u| about.contains(u))
                    || (&*e.involved.kind == "Node" && &*e.involved.name == self.node)
            })
            .map(|e| (ObjectKind::Event, e.meta.uid.clone()))
            .collect();
        out.extend(events);
        out
    }

    /// The updates that bring the engine's model to the referenced set.
    pub fn flush(&mut self) -> Vec<KubeUpdate> {
        let referenced = self.referenced();
        let mut out = std::mem::take(&mut self.notices);
        for key in &referenced {
            if self.replaced.contains(&key.0) {
                continue;
            }
            if !self.forwarded.contains(key) || self.touched.contains(key) {
                if let Some(object) = object_of(&self.candidates, key.0, &key.1) {
                    out.push(KubeUpdate::Upsert(object));
                }
            }
        }
        for key in &self.forwarded {
            if !self.replaced.contains(&key.0) && !referenced.contains(key) {
                out.push(KubeUpdate::Remove {
                    kind: key.0,
                    uid: key.1.clone(),
                });
            }
        }
        for kind in std::mem::take(&mut self.replaced) {
            let objects = referenced
                .iter()
                .filter(|(k, _)| *k == kind)
                .filter_map(|(k, uid)| object_of(&self.candidates, *k, uid))
                .collect();
            out.push(KubeUpdate::Replace { kind, objects });
        }
        self.forwarded = referenced;
        self.touched.clear();
        out
    }
}
