//! The hierarchies users browse, and the entity each series belongs to at every level.
//!
//!   physical: node › pod › container › process
//!   logical:  namespace › workload › pod › container › process (a pod without a
//!             controller is its own workload)
//!   services: namespace › service › pod › container › process
//!   label:KEY: value of the pod label KEY › pod › container › process
//!
//! Entity ids are stable strings that say their kind: `node:NAME`, `ns:NAME`,
//! `wl:NS/KIND/NAME`, `svc:NS/NAME`, `label:KEY=VALUE`, `pod:UID`, `ctr:ID`,
//! `proc:CONTAINER:PID` (`host` for host processes), and two groupings for what runs
//! outside pods on a node: `nopod:NODE` (at the pod level) and `host:NODE` (at the
//! container level). Host processes and containers outside pods are in the physical
//! hierarchy only, as in `kinsight read --tree`. In the services hierarchy the pods no
//! service selects are under `nosvc:NS`, so that a namespace is the sum of its rows.
//!
//! Every Kubernetes object the catalog knows is an entity too, with or without series: a
//! pending pod, an idle deployment, a container that never started (`pctr:POD_UID/NAME`
//! until the runtime gives it an id), pods not yet scheduled (under `unscheduled:`, at the
//! node level). Each carries its Kubernetes state ([`K8sState`]) and its lifetime, so a
//! past range lists what existed then. Controllers owned by another controller (a
//! Deployment's ReplicaSets, a CronJob's Jobs) are entities inside their owner, listed in
//! its detail rather than beside it, so a namespace's workloads do not count pods twice.

use kinsight_history::{Catalog, Lifetime, NodeMeta, PodMeta, SeriesId, WorkloadMeta, STORE_PID};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::net::IpAddr;

/// Marks "no entity at this level" in the per-series tables.
pub const NONE: u32 = u32::MAX;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Hierarchy {
    Physical,
    Logical,
    Services,
    /// Pods grouped by the value of one of their labels.
    Label(String),
}

impl Hierarchy {
    pub fn parse(s: &str) -> Option<Hierarchy> {
        match s {
            "physical" => Some(Hierarchy::Physical),
            "logical" => Some(Hierarchy::Logical),
            "services" => Some(Hierarchy::Services),
            _ => {
                let key = s.strip_prefix("label:")?;
                (!key.is_empty()).then(|| Hierarchy::Label(key.to_string()))
            }
        }
    }

    pub fn name(&self) -> String {
        match self {
            Hierarchy::Physical => "physical".into(),
            Hierarchy::Logical => "logical".into(),
            Hierarchy::Services => "services".into(),
            Hierarchy::Label(k) => format!("label:{k}"),
        }
    }

    pub fn levels(&self) -> &'static [Level] {
        use Level::*;
        match self {
            Hierarchy::Physical => &[Node, Pod, Container, Process],
            Hierarchy::Logical => &[Namespace, Workload, Pod, Container, Process],
            Hierarchy::Services => &[Namespace, Service, Pod, Container, Process],
            Hierarchy::Label(_) => &[Label, Pod, Container, Process],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    Node,
    Namespace,
    Workload,
    Service,
    Label,
    Pod,
    Container,
    Process,
}

impl Level {
    pub const ALL: [Level; 8] = [Level::Node, Level::Namespace, Level::Workload, Level::Service, Level::Label, Level::Pod, Level::Container, Level::Process];

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.name() == s)
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Node => "node",
            Level::Namespace => "namespace",
            Level::Workload => "workload",
            Level::Service => "service",
            Level::Label => "label",
            Level::Pod => "pod",
            Level::Container => "container",
            Level::Process => "process",
        }
    }

    /// The level of an entity, from its id's prefix.
    pub fn of_id(id: &str) -> Option<Level> {
        let prefix = id.split_once(':')?.0;
        Some(match prefix {
            "node" => Level::Node,
            "ns" => Level::Namespace,
            "wl" => Level::Workload,
            "svc" | "nosvc" => Level::Service,
            "label" => Level::Label,
            "pod" | "nopod" => Level::Pod,
            "unscheduled" => Level::Node,
            "ctr" | "pctr" | "host" => Level::Container,
            "proc" => Level::Process,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entity {
    pub id: String,
    /// `node`, `namespace`, `deployment` (or any workload kind, lower case; `pod` for a pod
    /// without a controller), `service`, `label`, `pod`, `container`, `process`, and `group` for the
    /// outside-pods and host groupings.
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub level: Level,
}

/// What Kubernetes says of an object: the columns `kubectl get` shows, and its lifetime.
/// Absent fields do not apply to the entity's kind.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct K8sState {
    /// The API's kind: `Pod`, `Deployment`, `Node`, ...
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// Ready regular containers of a pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready_containers: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub containers: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restarts: Option<u32>,
    /// Why a container last ended (`OOMKilled`, `Error`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_termination: Option<String>,
    /// A container's state (`running`, `waiting: CrashLoopBackOff`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// A container's role in its pod: `regular`, `init` or `ephemeral`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The nearest controller: `ReplicaSet/web-7d9f`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desired_replicas: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_replicas: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready_replicas: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_replicas: Option<i32>,
    /// `metadata.creationTimestamp`, nanoseconds since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_ns: Option<u64>,
    /// When its deletion was seen; the entity is listed only for ranges before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_ns: Option<u64>,
    /// A node's `Ready` condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_ready: Option<bool>,
    /// A node's conditions in an unhealthy state: `MemoryPressure=True (KubeletHasInsufficientMemory)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<String>>,
    /// A node's allocatable CPU (millicores), memory (bytes) and pods (what the scheduler
    /// hands out); capacity minus what the system reserves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_allocatable_millis: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_allocatable_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pods_allocatable: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_capacity_millis: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_capacity_bytes: Option<u64>,
}

impl K8sState {
    fn of_pod(p: &PodMeta) -> K8sState {
        let (ready, total) = p.ready_containers();
        K8sState {
            kind: "Pod".into(),
            phase: Some(p.phase.clone()).filter(|s| !s.is_empty()),
            ready_containers: Some(ready as u32),
            containers: Some(total as u32),
            restarts: Some(p.restarts()),
            last_termination: p.last_termination().map(str::to_string),
            node: p.node.clone(),
            ip: p.ip.map(|i| i.to_string()),
            owner: p.owners.first().map(|o| format!("{}/{}", o.kind, o.name)),
            created_ns: p.lifetime.created_ns,
            deleted_ns: p.lifetime.deleted_ns,
            ..Default::default()
        }
    }

    fn of_workload(w: &WorkloadMeta) -> K8sState {
        K8sState {
            kind: w.kind.clone(),
            owner: w.owner.as_ref().map(|o| format!("{}/{}", o.kind, o.name)),
            desired_replicas: w.desired,
            current_replicas: w.current,
            ready_replicas: w.ready,
            updated_replicas: w.updated,
            created_ns: w.lifetime.created_ns,
            deleted_ns: w.lifetime.deleted_ns,
            ..Default::default()
        }
    }

    fn of_node(n: &NodeMeta) -> K8sState {
        K8sState {
            node_ready: n.ready,
            conditions: Some(n.problems.clone()).filter(|p| !p.is_empty()),
            cpu_allocatable_millis: n.allocatable.cpu_millis,
            memory_allocatable_bytes: n.allocatable.memory_bytes,
            pods_allocatable: n.allocatable.pods,
            cpu_capacity_millis: n.capacity.cpu_millis,
            memory_capacity_bytes: n.capacity.memory_bytes,
            ..K8sState::of_lifetime("Node", n.lifetime)
        }
    }

    fn of_lifetime(kind: &str, l: Lifetime) -> K8sState {
        K8sState { kind: kind.into(), created_ns: l.created_ns, deleted_ns: l.deleted_ns, ..Default::default() }
    }

    pub fn lifetime(&self) -> Lifetime {
        Lifetime { created_ns: self.created_ns, deleted_ns: self.deleted_ns }
    }
}

/// The levels with one value per series, in this order in [`EntityIndex`]'s tables.
const SINGLE: [Level; 6] = [Level::Node, Level::Namespace, Level::Workload, Level::Pod, Level::Container, Level::Process];

fn slot(level: Level) -> Option<usize> {
    SINGLE.iter().position(|l| *l == level)
}

/// What an address belongs to, for mapping connection ends to entities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressOwner {
    /// A pod with an address of its own (not on the host network).
    Pod(u32),
    Service(u32),
    Node(u32),
}

/// One holder of an address and when it held it (`[from, to)`, ns; open ends unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressSpan {
    pub from: Option<u64>,
    pub to: Option<u64>,
    pub owner: AddressOwner,
}

impl AddressSpan {
    fn of(lifetime: Lifetime, owner: AddressOwner) -> AddressSpan {
        AddressSpan { from: lifetime.created_ns, to: lifetime.deleted_ns, owner }
    }

    pub fn holds_at(&self, t: u64) -> bool {
        self.from.is_none_or(|f| f <= t) && self.to.is_none_or(|e| t < e)
    }

    pub fn overlaps(&self, from: u64, to: u64) -> bool {
        self.from.is_none_or(|f| f < to) && self.to.is_none_or(|e| e > from)
    }
}

impl EntityIndex {
    /// Who held `ip` at `t`: the pod or service whose lifetime covers it, else whoever
    /// holds it now.
    pub fn address_at(&self, ip: IpAddr, t: u64) -> Option<AddressOwner> {
        self.holder_at(ip, t).map(|s| s.owner).or_else(|| self.addresses.get(&ip).copied())
    }

    /// The span of `ip` covering `t` (the newest, if creation and deletion times overlap),
    /// else the nearest in time: bytes are counted per bucket and lifetimes are seen to the
    /// second, so a pod's first or last bytes can fall just outside its lifetime.
    pub fn holder_at(&self, ip: IpAddr, t: u64) -> Option<&AddressSpan> {
        let spans = self.address_history.get(&ip)?;
        spans.iter().rev().find(|s| s.holds_at(t)).or_else(|| {
            spans.iter().min_by_key(|s| match (s.from, s.to) {
                (Some(f), _) if t < f => f - t,
                (_, Some(e)) if t >= e => t - e + 1,
                _ => 0,
            })
        })
    }

    /// Addresses held by more than one pod or service during `[from, to)`: their
    /// connections must be resolved bucket by bucket.
    pub fn reused_addresses(&self, from: u64, to: u64) -> FxHashSet<IpAddr> {
        self.address_history
            .iter()
            .filter(|(_, spans)| spans.iter().filter(|s| s.overlaps(from, to)).nth(1).is_some())
            .map(|(ip, _)| *ip)
            .collect()
    }
}

/// Every entity any series belongs to, and per series the entity at each level. Built
/// from the catalog; extended in place when series are added; rebuilt when the catalog's
/// entity maps change.
pub struct EntityIndex {
    pub generation: u64,
    pub entities: Vec<Entity>,
    by_id: FxHashMap<String, u32>,
    /// `levels[slot][series]`.
    levels: [Vec<u32>; 6],
    /// Services of each series' pod (usually none or one).
    services: Vec<Box<[u32]>>,
    /// The pod uid of each series, for label lookups.
    pod_uid: Vec<Option<String>>,
    /// Who holds each address now.
    pub addresses: FxHashMap<IpAddr, AddressOwner>,
    /// Every pod and service that ever held an address, with when: IPs are reused, so a
    /// connection is attributed to the pod that held the address when its bytes moved.
    pub address_history: FxHashMap<IpAddr, Vec<AddressSpan>>,
    /// Entities known to the catalog without any series (a namespace with no pods, a
    /// service selecting none, a pending pod): listed with zero counters so the structure
    /// is whole.
    pub catalog_only: Vec<u32>,
    catalog_only_flag: Vec<bool>,
    /// What contains each catalog entity, in every hierarchy (a pod: its node, namespace,
    /// workload and services; a container: its pod and the pod's).
    ancestors: FxHashMap<u32, Box<[u32]>>,
    /// Kubernetes state by entity.
    states: FxHashMap<u32, K8sState>,
    /// Controllers owned by another controller, by owner entity.
    pub controllers_of: FxHashMap<u32, Vec<u32>>,
    /// Pod entity of each catalog pod uid.
    pod_entity: FxHashMap<String, u32>,
}

impl EntityIndex {
    pub fn build(catalog: &Catalog) -> EntityIndex {
        let mut ix = EntityIndex {
            generation: catalog.generation(),
            entities: Vec::new(),
            by_id: FxHashMap::default(),
            levels: Default::default(),
            services: Vec::new(),
            pod_uid: Vec::new(),
            addresses: FxHashMap::default(),
            address_history: FxHashMap::default(),
            catalog_only: Vec::new(),
            catalog_only_flag: Vec::new(),
            ancestors: FxHashMap::default(),
            states: FxHashMap::default(),
            controllers_of: FxHashMap::default(),
            pod_entity: FxHashMap::default(),
        };
        let mut candidates: Vec<u32> = Vec::new();
        for n in catalog.nodes.values() {
            let e = ix.node(&n.name);
            for ip in n.ips.iter().filter(|_| !n.lifetime.is_deleted()) {
                ix.addresses.insert(*ip, AddressOwner::Node(e));
            }
            ix.states.insert(e, K8sState::of_node(n));
            candidates.push(e);
        }
        // The capturing node exists even when the cluster never described it.
        ix.node(&catalog.local_node);
        for ns in catalog.namespaces.values() {
            let e = ix.namespace(&ns.name);
            ix.states.insert(e, K8sState::of_lifetime("Namespace", ns.lifetime));
            candidates.push(e);
        }
        for s in catalog.services.values() {
            let e = ix.service(&s.namespace, &s.name);
            if let Some(ip) = s.cluster_ip {
                if !s.lifetime.is_deleted() {
                    ix.addresses.insert(ip, AddressOwner::Service(e));
                }
                ix.address_history.entry(ip).or_default().push(AddressSpan::of(s.lifetime, AddressOwner::Service(e)));
            }
            let ns = ix.namespace(&s.namespace);
            ix.ancestors.insert(e, Box::new([ns]));
            ix.states.insert(e, K8sState::of_lifetime("Service", s.lifetime));
            candidates.push(e);
        }
        for w in catalog.workloads.values() {
            let e = ix.workload(&w.namespace, &w.kind, &w.name);
            let ns = ix.namespace(&w.namespace);
            ix.states.insert(e, K8sState::of_workload(w));
            match w.owner.as_ref().and_then(|o| catalog.workloads.get(&o.uid)) {
                // Inside its owner: reached from the owner's detail, not listed beside it.
                Some(o) => {
                    let owner = ix.workload(&o.namespace, &o.kind, &o.name);
                    ix.ancestors.insert(e, Box::new([owner, ns]));
                    ix.controllers_of.entry(owner).or_default().push(e);
                }
                None => {
                    ix.ancestors.insert(e, Box::new([ns]));
                    candidates.push(e);
                }
            }
        }
        for p in catalog.pods.values() {
            let e = ix.pod(p);
            ix.pod_entity.insert(p.uid.clone(), e);
            if let Some(ip) = p.ip.filter(|_| !p.host_network) {
                if !p.lifetime.is_deleted() {
                    ix.addresses.insert(ip, AddressOwner::Pod(e));
                }
                ix.address_history.entry(ip).or_default().push(AddressSpan::of(p.lifetime, AddressOwner::Pod(e)));
            }
            let node = match p.node.as_deref() {
                Some(n) => ix.node(n),
                None => ix.intern("unscheduled:".into(), "group", "(not scheduled)", None, Level::Node),
            };
            let ns = ix.namespace(&p.namespace);
            let wl = ix.workload_of(p);
            if !ix.ancestors.contains_key(&wl) {
                // A pod without a controller is its own workload, alive as long as the pod;
                // a controller the catalog never described is known by its pods only.
                if p.workload().is_none() {
                    ix.states.insert(wl, K8sState::of_lifetime("Pod", p.lifetime));
                }
                ix.ancestors.insert(wl, Box::new([ns]));
                candidates.push(wl);
            }
            let mut up: Vec<u32> = vec![node, ns, wl];
            for s in p.services.iter().filter_map(|u| catalog.services.get(u)) {
                up.push(ix.service(&s.namespace, &s.name));
            }
            if up.len() == 3 {
                up.push(ix.no_service(&p.namespace));
            }
            ix.states.insert(e, K8sState::of_pod(p));
            candidates.push(e);
            // Containers from the spec, started or not.
            let mut with_pod = up.clone();
            with_pod.push(e);
            let with_pod: Box<[u32]> = with_pod.into();
            for c in &p.containers {
                let ce = match &c.id {
                    Some(id) => ix.intern(format!("ctr:{id}"), "container", &c.name, Some(&p.namespace), Level::Container),
                    None => ix.intern(format!("pctr:{}/{}", p.uid, c.name), "container", &c.name, Some(&p.namespace), Level::Container),
                };
                ix.ancestors.insert(ce, with_pod.clone());
                ix.states.insert(
                    ce,
                    K8sState {
                        kind: "Container".into(),
                        restarts: Some(c.restarts),
                        state: c.state.clone(),
                        last_termination: c.last_termination.clone(),
                        role: Some(c.role.clone()),
                        image: Some(c.image.clone()).filter(|i| !i.is_empty()),
                        ready_containers: Some(u32::from(c.ready)),
                        ..K8sState::of_lifetime("Container", p.lifetime)
                    },
                );
                candidates.push(ce);
            }
            ix.ancestors.insert(e, up.into());
        }
        ix.extend(catalog);
        let catalog_only = candidates;
        let mut used = vec![false; ix.entities.len()];
        for table in &ix.levels {
            for &e in table.iter().filter(|e| **e != NONE) {
                used[e as usize] = true;
            }
        }
        for list in &ix.services {
            for &e in list.iter() {
                used[e as usize] = true;
            }
        }
        ix.catalog_only = catalog_only.into_iter().filter(|e| !used.get(*e as usize).copied().unwrap_or(false)).collect();
        ix.catalog_only.sort_unstable();
        ix.catalog_only.dedup();
        ix.catalog_only_flag = vec![false; ix.entities.len()];
        for &e in &ix.catalog_only {
            ix.catalog_only_flag[e as usize] = true;
        }
        // Oldest holder first; `address_at` takes the newest that covers a moment.
        for spans in ix.address_history.values_mut() {
            spans.sort_by_key(|s| s.from);
        }
        ix
    }

    /// Whether the entity is known only from the catalog (no series of its own).
    pub fn is_catalog_only(&self, e: u32) -> bool {
        self.catalog_only_flag.get(e as usize).copied().unwrap_or(false)
    }

    /// The Kubernetes state of an entity, when it is a Kubernetes object.
    pub fn state(&self, e: u32) -> Option<&K8sState> {
        self.states.get(&e)
    }

    /// The entities that contain a catalog entity, in every hierarchy.
    pub fn ancestors(&self, e: u32) -> &[u32] {
        self.ancestors.get(&e).map_or(&[], |a| a)
    }

    /// Whether a catalog entity lies inside `parent` (label groups through its pod).
    pub fn catalog_inside(&self, e: u32, parent: u32, labels: Option<&LabelGroups>) -> bool {
        let up = self.ancestors(e);
        if up.contains(&parent) {
            return true;
        }
        let Some(l) = labels else { return false };
        let pod = if self.entity(e).level == Level::Pod { Some(e) } else { up.iter().copied().find(|a| self.entity(*a).level == Level::Pod) };
        pod.and_then(|p| l.of_pod.get(&p)) == Some(&parent)
    }

    /// Whether a catalog entity existed during `[from, to)`.
    pub fn alive(&self, e: u32, from: u64, to: u64) -> bool {
        self.states.get(&e).is_none_or(|s| s.lifetime().overlaps(from, to))
    }

    /// The entity of a catalog pod.
    pub fn pod_entity(&self, uid: &str) -> Option<u32> {
        self.pod_entity.get(uid).copied()
    }

    /// Adds the series the catalog gained since the index was built.
    pub fn extend(&mut self, catalog: &Catalog) {
        let series = catalog.all_series();
        for id in self.pod_uid.len()..series.len() {
            self.add_series(catalog, id as SeriesId);
        }
    }

    pub fn series_count(&self) -> usize {
        self.pod_uid.len()
    }

    fn intern(&mut self, id: String, kind: &str, name: &str, namespace: Option<&str>, level: Level) -> u32 {
        if let Some(&e) = self.by_id.get(&id) {
            return e;
        }
        let e = self.entities.len() as u32;
        self.entities.push(Entity { id: id.clone(), kind: kind.into(), name: name.into(), namespace: namespace.map(str::to_string), level });
        self.by_id.insert(id, e);
        e
    }

    fn namespace(&mut self, name: &str) -> u32 {
        self.intern(format!("ns:{name}"), "namespace", name, None, Level::Namespace)
    }

    /// `kind` as the API spells it (`Deployment`); entity ids use it in lower case.
    fn workload(&mut self, ns: &str, kind: &str, name: &str) -> u32 {
        let kind = kind.to_lowercase();
        self.intern(format!("wl:{ns}/{kind}/{name}"), &kind, name, Some(ns), Level::Workload)
    }

    /// A pod's workload: the top of its owner chain, or the pod itself.
    fn workload_of(&mut self, p: &PodMeta) -> u32 {
        match p.workload() {
            Some(w) => self.workload(&p.namespace, &w.kind, &w.name),
            None => self.intern(format!("wl:{}/pod/{}", p.namespace, p.name), "pod", &p.name, Some(&p.namespace), Level::Workload),
        }
    }

    fn node(&mut self, name: &str) -> u32 {
        self.intern(format!("node:{name}"), "node", name, None, Level::Node)
    }

    fn service(&mut self, ns: &str, name: &str) -> u32 {
        self.intern(format!("svc:{ns}/{name}"), "service", name, Some(ns), Level::Service)
    }

    /// The pods of a namespace that no service selects.
    fn no_service(&mut self, ns: &str) -> u32 {
        self.intern(format!("nosvc:{ns}"), "group", "(no service)", Some(ns), Level::Service)
    }

    fn pod(&mut self, p: &PodMeta) -> u32 {
        self.intern(format!("pod:{}", p.uid), "pod", &p.name, Some(&p.namespace), Level::Pod)
    }

    fn add_series(&mut self, catalog: &Catalog, id: SeriesId) {
        let meta = catalog.series(id).expect("series in range");
        let container = meta.key.container.as_deref();
        let cmeta = container.and_then(|c| catalog.containers.get(c));
        let pod = cmeta.and_then(|c| c.pod_uid.as_deref()).and_then(|u| catalog.pods.get(u));
        let node_name = catalog.node_of_series(id).to_string();
        let node = self.node(&node_name);
        let (namespace, workload, pod_e, services) = match pod {
            Some(p) => {
                let ns = self.namespace(&p.namespace);
                let wl = self.workload_of(p);
                let services: Box<[u32]> = p
                    .services
                    .iter()
                    .filter_map(|uid| catalog.services.get(uid))
                    .map(|s| (s.namespace.clone(), s.name.clone()))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .map(|(ns, name)| self.service(&ns, &name))
                    .collect();
                // Pods behind no service are counted in their namespace too: a group of
                // their own, so that the namespace is the sum of what is below it.
                let services = if services.is_empty() { Box::new([self.no_service(&p.namespace)]) as Box<[u32]> } else { services };
                (ns, wl, self.pod(p), services)
            }
            None => (NONE, NONE, self.intern(format!("nopod:{node_name}"), "group", "(outside pods)", None, Level::Pod), Box::default()),
        };
        let container_e = match (container, cmeta) {
            (Some(c), _) => {
                let name = cmeta
                    .and_then(|m| m.pod_container_name.clone().or_else(|| (!m.name.is_empty()).then(|| m.name.clone())))
                    .unwrap_or_else(|| c.to_string());
                let ns = pod.map(|p| p.namespace.as_str());
                self.intern(format!("ctr:{c}"), "container", &name, ns, Level::Container)
            }
            (None, _) => self.intern(format!("host:{node_name}"), "group", "(host processes)", None, Level::Container),
        };
        // A store's series is a container's total: it has no process row.
        let process = if meta.key.pid == STORE_PID {
            NONE
        } else {
            let proc_id = format!("proc:{}:{}", container.unwrap_or("host"), meta.key.pid);
            self.intern(proc_id, "process", &meta.name, pod.map(|p| p.namespace.as_str()), Level::Process)
        };
        for (s, e) in SINGLE.iter().zip([node, namespace, workload, pod_e, container_e, process]) {
            self.levels[slot(*s).expect("single level")].push(e);
        }
        self.services.push(services);
        self.pod_uid.push(pod.map(|p| p.uid.clone()));
    }

    pub fn get(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    pub fn entity(&self, e: u32) -> &Entity {
        &self.entities[e as usize]
    }

    /// The entities a series belongs to at `level` (several only for services).
    #[inline]
    pub fn of_series<'a>(&'a self, level: Level, series: SeriesId, labels: Option<&'a LabelGroups>) -> EntitiesOf<'a> {
        match level {
            Level::Service => EntitiesOf::Many(&self.services[series as usize]),
            Level::Label => EntitiesOf::One(labels.map_or(NONE, |l| l.of_series[series as usize])),
            l => EntitiesOf::One(self.levels[slot(l).expect("single level")][series as usize]),
        }
    }

    /// Whether `series` belongs to entity `e`.
    pub fn contains(&self, e: u32, series: SeriesId, labels: Option<&LabelGroups>) -> bool {
        let level = self.entity(e).level;
        if level == Level::Label {
            return labels.is_some_and(|l| l.of_series[series as usize] == e);
        }
        self.of_series(level, series, labels).iter().any(|x| x == e)
    }

    /// The pod uid of a series.
    pub fn pod_uid(&self, series: SeriesId) -> Option<&str> {
        self.pod_uid[series as usize].as_deref()
    }

    /// Entities for the values of one pod label: series outside pods have none, pods
    /// without the label get `(none)`.
    pub fn label_groups(&mut self, catalog: &Catalog, key: &str) -> LabelGroups {
        let mut by_value: FxHashMap<String, u32> = FxHashMap::default();
        let mut group = |ix: &mut EntityIndex, pod: &PodMeta| {
            let value = pod.labels.get(key).map_or("(none)", String::as_str);
            match by_value.get(value) {
                Some(&e) => e,
                None => {
                    let e = ix.intern(format!("label:{key}={value}"), "label", &format!("{key}={value}"), None, Level::Label);
                    by_value.insert(value.to_string(), e);
                    e
                }
            }
        };
        let mut of_series = Vec::with_capacity(self.pod_uid.len());
        for i in 0..self.pod_uid.len() {
            let Some(pod) = self.pod_uid[i].as_deref().and_then(|u| catalog.pods.get(u)) else {
                of_series.push(NONE);
                continue;
            };
            let e = group(self, pod);
            of_series.push(e);
        }
        let mut of_pod = FxHashMap::default();
        for pod in catalog.pods.values() {
            if let Some(pe) = self.pod_entity(&pod.uid) {
                let e = group(self, pod);
                of_pod.insert(pe, e);
            }
        }
        LabelGroups { of_series, of_pod }
    }

    /// The entity at `level` that holds `series` on the way to it in `hierarchy`: the
    /// entity's ancestors, from a series inside it.
    pub fn path(&self, hierarchy: &Hierarchy, series: SeriesId, upto: Level, labels: Option<&LabelGroups>) -> Option<Vec<u32>> {
        let levels = hierarchy.levels();
        let end = levels.iter().position(|l| *l == upto)?;
        let mut out = Vec::new();
        for l in &levels[..=end] {
            let e = self.of_series(*l, series, labels).iter().next()?;
            out.push(e);
        }
        Some(out)
    }
}

/// Series → label-value entity, for one label key.
pub struct LabelGroups {
    pub of_series: Vec<u32>,
    /// Label-value entity of every catalog pod (with or without series).
    pub of_pod: FxHashMap<u32, u32>,
}

pub enum EntitiesOf<'a> {
    One(u32),
    Many(&'a [u32]),
}

impl EntitiesOf<'_> {
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let (one, many): (Option<u32>, &[u32]) = match self {
            EntitiesOf::One(e) => ((*e != NONE).then_some(*e), &[]),
            EntitiesOf::Many(v) => (None, v),
        };
        one.into_iter().chain(many.iter().copied())
    }
}
