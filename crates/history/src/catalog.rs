//! Names for what the buckets count: every series (a process, by container and pid) gets a
//! small id, and the containers, pods, services, nodes and namespaces they belong to are
//! described here as they were last seen. The catalog keeps entities that have gone away,
//! so history about them still has names after the cluster forgot them.

use crate::changes::ChangeLog;
use crate::events::EventLog;
use crate::SeriesId;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// The pid of a series read from a store: a container's total, not one process.
pub const STORE_PID: i64 = -2;

/// What identifies a series: the container (short id; `None` on the host) and the pid.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ProcessKey {
    pub container: Option<String>,
    pub pid: i64,
}

/// One series: a process as last seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessMeta {
    pub key: ProcessKey,
    /// Executable name (`proc.name`).
    pub name: String,
    pub cmdline: String,
    pub first_ns: u64,
    pub last_ns: u64,
    /// User id the process runs as (its name is in [`Catalog::users`]); None until seen.
    pub uid: Option<u32>,
    /// End of the interval in which the process was seen gone; None while it runs (or
    /// when its end was not seen: a capture that stopped first).
    pub exit_ns: Option<u64>,
}

impl ProcessMeta {
    /// Whether the process still ran at `t`: started by then and not seen exiting before.
    pub fn alive_at(&self, t: u64) -> bool {
        self.first_ns <= t && self.exit_ns.is_none_or(|e| e > t)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerMeta {
    /// Short (12-character) id.
    pub id: String,
    /// Runtime name (for docker, `k8s_<container>_<pod>_...` under kubelet).
    pub name: String,
    pub image: String,
    pub runtime: String,
    pub labels: BTreeMap<String, String>,
    pub pod_uid: Option<String>,
    /// The container's name in its pod's spec (`backend`), `POD` for the sandbox.
    pub pod_container_name: Option<String>,
}

/// A controller a pod belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerMeta {
    /// As the API spells it: `Deployment`, `ReplicaSet`, `DaemonSet`, ...
    pub kind: String,
    pub name: String,
    pub uid: String,
}

/// When an object existed, as far as the cluster and kinsight said: `metadata.creationTimestamp`
/// and the moment its deletion was seen. Either is `None` when unknown (an object from an
/// older snapshot, or one still there).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifetime {
    pub created_ns: Option<u64>,
    pub deleted_ns: Option<u64>,
}

impl Lifetime {
    /// Whether the object existed at some moment of `[from, to)`.
    pub fn overlaps(&self, from: u64, to: u64) -> bool {
        self.created_ns.is_none_or(|c| c < to) && self.deleted_ns.is_none_or(|d| d > from)
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted_ns.is_some()
    }
}

/// A container of a pod as its spec and status describe it, started or not.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodContainerMeta {
    pub name: String,
    /// `regular`, `init` or `ephemeral`.
    pub role: String,
    pub image: String,
    /// Short (12-character) runtime id, once the runtime created the container.
    pub id: Option<String>,
    pub ready: bool,
    pub restarts: u32,
    /// `running`, `waiting: CrashLoopBackOff`, `terminated: Completed`..., when reported.
    #[serde(default)]
    pub state: Option<String>,
    /// Why the previous instance ended (`OOMKilled`, `Error`), when it restarted.
    #[serde(default)]
    pub last_termination: Option<String>,
}

/// A controller: ReplicaSet, Deployment, StatefulSet, DaemonSet, Job, CronJob or
/// ReplicationController.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadMeta {
    pub uid: String,
    /// As the API spells it: `Deployment`, `ReplicaSet`, ...
    pub kind: String,
    pub name: String,
    pub namespace: String,
    /// The controller that owns this one (a ReplicaSet's Deployment, a Job's CronJob).
    pub owner: Option<OwnerMeta>,
    pub labels: BTreeMap<String, String>,
    /// Desired replicas (a DaemonSet: nodes it should run on; a Job: completions).
    pub desired: Option<i32>,
    /// Observed replicas (a Job: active pods).
    pub current: Option<i32>,
    #[serde(default)]
    pub ready: Option<i32>,
    #[serde(default)]
    pub updated: Option<i32>,
    #[serde(default)]
    pub lifetime: Lifetime,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodMeta {
    pub uid: String,
    pub name: String,
    pub namespace: String,
    pub node: Option<String>,
    pub ip: Option<IpAddr>,
    /// The pod uses its node's network: its sockets carry the node's addresses.
    pub host_network: bool,
    pub labels: BTreeMap<String, String>,
    /// Owner chain, nearest first (replicaset, then its deployment).
    pub owners: Vec<OwnerMeta>,
    /// Uids of the services selecting the pod.
    pub services: Vec<String>,
    /// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.
    #[serde(default)]
    pub phase: String,
    /// Init, regular and ephemeral containers of the spec, each with its status.
    #[serde(default)]
    pub containers: Vec<PodContainerMeta>,
    #[serde(default)]
    pub lifetime: Lifetime,
}

impl PodMeta {
    /// The top of the owner chain: what users call the pod's workload.
    pub fn workload(&self) -> Option<&OwnerMeta> {
        self.owners.last()
    }

    pub fn owner(&self, kind: &str) -> Option<&OwnerMeta> {
        self.owners.iter().find(|o| o.kind == kind)
    }

    /// Restarts of all its containers (what `kubectl get pods` shows).
    pub fn restarts(&self) -> u32 {
        self.containers.iter().map(|c| c.restarts).sum()
    }

    /// Ready and total regular containers (`kubectl get pods`' READY column).
    pub fn ready_containers(&self) -> (usize, usize) {
        let regular = self.containers.iter().filter(|c| c.role == "regular");
        let (mut ready, mut total) = (0, 0);
        for c in regular {
            total += 1;
            ready += usize::from(c.ready);
        }
        (ready, total)
    }

    /// The last termination reason of any container (the most telling one first).
    pub fn last_termination(&self) -> Option<&str> {
        let reasons = || self.containers.iter().filter_map(|c| c.last_termination.as_deref());
        reasons().find(|r| *r == "OOMKilled").or_else(|| reasons().next())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceMeta {
    pub uid: String,
    pub name: String,
    pub namespace: String,
    pub cluster_ip: Option<IpAddr>,
    pub ports: Vec<u16>,
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub lifetime: Lifetime,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeMeta {
    pub uid: String,
    pub name: String,
    pub ips: Vec<IpAddr>,
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub lifetime: Lifetime,
    /// The `Ready` condition (`None` when not reported).
    #[serde(default)]
    pub ready: Option<bool>,
    /// Conditions in an unusual state, as `Type=Status (Reason)`: `Ready=False (KubeletNotReady)`,
    /// `MemoryPressure=True`. Healthy nodes have none.
    #[serde(default)]
    pub problems: Vec<String>,
    #[serde(default)]
    pub capacity: NodeResourcesMeta,
    #[serde(default)]
    pub allocatable: NodeResourcesMeta,
}

/// CPU (millicores), memory (bytes) and pods of a node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeResourcesMeta {
    pub cpu_millis: Option<u64>,
    pub memory_bytes: Option<u64>,
    pub pods: Option<u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamespaceMeta {
    pub uid: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub lifetime: Lifetime,
}

/// Name of the series every process beyond `max_series` is counted in.
pub const OVERFLOW_SERIES_NAME: &str = "(series limit reached)";
/// Name of the file every path beyond `max_files` is counted under.
pub const OVERFLOW_FILE_NAME: &str = "(file limit reached)";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Catalog {
    series: Vec<ProcessMeta>,
    #[serde(skip)]
    series_index: FxHashMap<ProcessKey, SeriesId>,
    files: Vec<String>,
    #[serde(skip)]
    file_index: FxHashMap<String, u32>,
    pub containers: BTreeMap<String, ContainerMeta>,
    pub pods: BTreeMap<String, PodMeta>,
    pub services: BTreeMap<String, ServiceMeta>,
    /// By node name.
    pub nodes: BTreeMap<String, NodeMeta>,
    /// By namespace name.
    pub namespaces: BTreeMap<String, NamespaceMeta>,
    /// Controllers by uid.
    #[serde(default)]
    pub workloads: BTreeMap<String, WorkloadMeta>,
    /// What changed in the cluster and when, oldest first.
    #[serde(default)]
    pub changes: ChangeLog,
    /// Kubernetes Events about the objects, kept past the API server's expiry.
    #[serde(default)]
    pub events: EventLog,
    /// User names by uid, as the source's user list gave them.
    pub users: BTreeMap<u32, String>,
    /// The node the data was captured on: containers outside pods and host processes
    /// belong to it.
    pub local_node: String,
    /// The node of series that are neither in a pod nor on `local_node`: the hub's series
    /// read from a store ([`Catalog::intern_store_series`]). Set again at every query.
    #[serde(skip)]
    series_node: FxHashMap<SeriesId, String>,
    /// `local_node` as configured (an agent's `--node`): what the data says does not change it.
    #[serde(skip)]
    pinned_node: bool,
    /// Bumped on every change of the entity maps (containers, pods, ...), so readers can
    /// cache what they derive from them. New series do not bump it: they only append.
    generation: u64,
    max_series: usize,
    max_files: usize,
}

impl Catalog {
    pub fn new(max_series: usize, max_files: usize) -> Catalog {
        Catalog {
            series: Vec::new(),
            series_index: FxHashMap::default(),
            series_node: FxHashMap::default(),
            pinned_node: false,
            files: Vec::new(),
            file_index: FxHashMap::default(),
            containers: BTreeMap::new(),
            pods: BTreeMap::new(),
            services: BTreeMap::new(),
            nodes: BTreeMap::new(),
            namespaces: BTreeMap::new(),
            workloads: BTreeMap::new(),
            changes: ChangeLog::default(),
            events: EventLog::default(),
            users: BTreeMap::new(),
            local_node: "host".into(),
            generation: 0,
            max_series: max_series.max(1),
            max_files: max_files.max(1),
        }
    }

    /// The id of a process's series, created on first sight. Name and command line follow
    /// the latest exec. Past `max_series` distinct processes, new ones share one overflow
    /// series, so memory stays bounded and totals stay whole.
    pub fn intern_series(&mut self, key: ProcessKey, name: &str, cmdline: &str, ts_ns: u64) -> SeriesId {
        if let Some(&id) = self.series_index.get(&key) {
            let meta = &mut self.series[id as usize];
            meta.last_ns = meta.last_ns.max(ts_ns);
            if meta.name != name || meta.cmdline != cmdline {
                meta.name = name.to_string();
                meta.cmdline = cmdline.to_string();
            }
            return id;
        }
        let (key, name, cmdline) = if self.series.len() + 1 >= self.max_series {
            let overflow = ProcessKey { container: None, pid: -1 };
            if let Some(&id) = self.series_index.get(&overflow) {
                return id;
            }
            (overflow, OVERFLOW_SERIES_NAME, "")
        } else {
            (key, name, cmdline)
        };
        let id = self.series.len() as SeriesId;
        self.series.push(ProcessMeta { key: key.clone(), name: name.into(), cmdline: cmdline.into(), first_ns: ts_ns, last_ns: ts_ns, uid: None, exit_ns: None });
        self.series_index.insert(key, id);
        id
    }

    /// A series whose counters live in a Prometheus-compatible store, not in this history:
    /// a container (or the host processes, with `container: None`) of `node`, as the hub
    /// reads the cluster. It has no process of its own (`pid` is [`STORE_PID`]) and spans
    /// all time: the store says when it had data.
    pub fn intern_store_series(&mut self, container: Option<String>, name: &str, node: &str) -> SeriesId {
        let id = self.intern_series(ProcessKey { container, pid: STORE_PID }, name, "", 0);
        if let Some(meta) = self.series.get_mut(id as usize) {
            meta.first_ns = 0;
            meta.last_ns = u64::MAX / 4;
        }
        if self.series_node.get(&id).is_none_or(|n| n != node) {
            self.series_node.insert(id, node.to_string());
        }
        id
    }

    /// What the source says of a series' process at the end of an interval: the user it
    /// runs as, and whether it has exited (`exited_at`) or runs (None: a pid seen again
    /// after its exit is a running process once more).
    pub fn note_process(&mut self, id: SeriesId, uid: u32, exited_at: Option<u64>) {
        if let Some(meta) = self.series.get_mut(id as usize).filter(|m| m.key.pid >= 0) {
            meta.uid = Some(uid);
            meta.exit_ns = exited_at;
        }
    }

    /// A process seen running before is gone at `ts_ns`.
    pub fn note_exit(&mut self, id: SeriesId, ts_ns: u64) {
        if let Some(meta) = self.series.get_mut(id as usize).filter(|m| m.key.pid >= 0 && m.exit_ns.is_none()) {
            meta.exit_ns = Some(ts_ns);
        }
    }

    pub fn series_id(&self, key: &ProcessKey) -> Option<SeriesId> {
        self.series_index.get(key).copied()
    }

    pub fn series(&self, id: SeriesId) -> Option<&ProcessMeta> {
        self.series.get(id as usize)
    }

    /// Every series, indexed by id.
    pub fn all_series(&self) -> &[ProcessMeta] {
        &self.series
    }

    pub fn series_count(&self) -> usize {
        self.series.len()
    }

    /// The id of a file path; past `max_files` paths, new ones share one overflow name.
    pub fn intern_file(&mut self, path: &str) -> u32 {
        if let Some(&id) = self.file_index.get(path) {
            return id;
        }
        let path = if self.files.len() + 1 >= self.max_files { OVERFLOW_FILE_NAME } else { path };
        if let Some(&id) = self.file_index.get(path) {
            return id;
        }
        let id = self.files.len() as u32;
        self.files.push(path.to_string());
        self.file_index.insert(path.to_string(), id);
        id
    }

    pub fn file(&self, id: u32) -> Option<&str> {
        self.files.get(id as usize).map(String::as_str)
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Records a change made through the public maps.
    pub fn touch(&mut self) {
        self.generation += 1;
    }

    /// Replaces an entry when it changed; says whether it did.
    pub fn upsert_container(&mut self, c: ContainerMeta) -> bool {
        upsert(&mut self.containers, c.id.clone(), c, &mut self.generation)
    }
    pub fn upsert_pod(&mut self, p: PodMeta) -> bool {
        upsert(&mut self.pods, p.uid.clone(), p, &mut self.generation)
    }
    pub fn upsert_service(&mut self, s: ServiceMeta) -> bool {
        upsert(&mut self.services, s.uid.clone(), s, &mut self.generation)
    }
    pub fn upsert_node(&mut self, n: NodeMeta) -> bool {
        upsert(&mut self.nodes, n.name.clone(), n, &mut self.generation)
    }
    pub fn upsert_workload(&mut self, w: WorkloadMeta) -> bool {
        upsert(&mut self.workloads, w.uid.clone(), w, &mut self.generation)
    }
    pub fn upsert_namespace(&mut self, n: NamespaceMeta) -> bool {
        upsert(&mut self.namespaces, n.name.clone(), n, &mut self.generation)
    }
    pub fn set_local_node(&mut self, name: &str) {
        if !self.pinned_node && self.local_node != name {
            self.local_node = name.to_string();
            self.generation += 1;
        }
    }

    /// Names the capturing node once for all: an agent knows its node from its command
    /// line before the API or the host says anything, and its first samples must carry it.
    pub fn pin_local_node(&mut self, name: &str) {
        self.pinned_node = false;
        self.set_local_node(name);
        self.pinned_node = true;
    }

    /// The pod a series runs in.
    pub fn pod_of_series(&self, id: SeriesId) -> Option<&PodMeta> {
        let c = self.series(id)?.key.container.as_deref()?;
        self.pods.get(self.containers.get(c)?.pod_uid.as_deref()?)
    }

    /// The node a series runs on: its pod's, else the one a store said, else the capturing
    /// node.
    pub fn node_of_series(&self, id: SeriesId) -> &str {
        self.pod_of_series(id).and_then(|p| p.node.as_deref()).or_else(|| self.series_node.get(&id).map(String::as_str)).unwrap_or(&self.local_node)
    }

    /// Rebuilds the lookup tables that snapshots leave out.
    pub(crate) fn rebuild_indexes(&mut self) {
        self.series_index = self.series.iter().enumerate().map(|(i, m)| (m.key.clone(), i as SeriesId)).collect();
        self.file_index = self.files.iter().enumerate().map(|(i, f)| (f.clone(), i as u32)).collect();
    }

    pub(crate) fn set_limits(&mut self, max_series: usize, max_files: usize) {
        self.max_series = max_series.max(1);
        self.max_files = max_files.max(1);
    }
}

fn upsert<V: PartialEq>(map: &mut BTreeMap<String, V>, key: String, v: V, generation: &mut u64) -> bool {
    match map.get(&key) {
        Some(old) if *old == v => false,
        _ => {
            map.insert(key, v);
            *generation += 1;
            true
        }
    }
}
