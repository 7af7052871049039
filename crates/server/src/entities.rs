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
//! hierarchy only, as in `kinsight read --tree`.

use kinsight_history::{Catalog, PodMeta, SeriesId};
use rustc_hash::FxHashMap;
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
            "svc" => Level::Service,
            "label" => Level::Label,
            "pod" | "nopod" => Level::Pod,
            "ctr" | "host" => Level::Container,
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
    pub addresses: FxHashMap<IpAddr, AddressOwner>,
    /// Entities known to the catalog without any series (a namespace with no pods, a
    /// service selecting none): listed with zero counters so the structure is whole.
    pub catalog_only: Vec<u32>,
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
            catalog_only: Vec::new(),
        };
        for n in catalog.nodes.values() {
            let e = ix.node(&n.name);
            for ip in &n.ips {
                ix.addresses.insert(*ip, AddressOwner::Node(e));
            }
        }
        // The capturing node exists even when the cluster never described it.
        ix.node(&catalog.local_node);
        for s in catalog.services.values() {
            let e = ix.service(&s.namespace, &s.name);
            if let Some(ip) = s.cluster_ip {
                ix.addresses.insert(ip, AddressOwner::Service(e));
            }
        }
        for p in catalog.pods.values() {
            let e = ix.pod(p);
            if let Some(ip) = p.ip.filter(|_| !p.host_network) {
                ix.addresses.insert(ip, AddressOwner::Pod(e));
            }
        }
        ix.extend(catalog);
        // Namespaces and services with no series, for a whole structure.
        let mut catalog_only = Vec::new();
        for ns in catalog.namespaces.values() {
            let e = ix.intern(format!("ns:{}", ns.name), "namespace", &ns.name, None, Level::Namespace);
            catalog_only.push(e);
        }
        for s in catalog.services.values() {
            catalog_only.push(ix.service(&s.namespace, &s.name));
        }
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
        ix
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

    fn node(&mut self, name: &str) -> u32 {
        self.intern(format!("node:{name}"), "node", name, None, Level::Node)
    }

    fn service(&mut self, ns: &str, name: &str) -> u32 {
        self.intern(format!("svc:{ns}/{name}"), "service", name, Some(ns), Level::Service)
    }

    fn pod(&mut self, p: &PodMeta) -> u32 {
        self.intern(format!("pod:{}", p.uid), "pod", &p.name, Some(&p.namespace), Level::Pod)
    }

    fn add_series(&mut self, catalog: &Catalog, id: SeriesId) {
        let meta = catalog.series(id).expect("series in range");
        let container = meta.key.container.as_deref();
        let cmeta = container.and_then(|c| catalog.containers.get(c));
        let pod = cmeta.and_then(|c| c.pod_uid.as_deref()).and_then(|u| catalog.pods.get(u));
        let node_name = pod.and_then(|p| p.node.as_deref()).unwrap_or(&catalog.local_node).to_string();
        let node = self.node(&node_name);
        let (namespace, workload, pod_e, services) = match pod {
            Some(p) => {
                let ns = self.intern(format!("ns:{}", p.namespace), "namespace", &p.namespace, None, Level::Namespace);
                let wl = match p.workload() {
                    Some(w) => {
                        let kind = w.kind.to_lowercase();
                        self.intern(format!("wl:{}/{}/{}", p.namespace, kind, w.name), &kind, &w.name, Some(&p.namespace), Level::Workload)
                    }
                    // A pod without a controller is its own workload.
                    None => self.intern(format!("wl:{}/pod/{}", p.namespace, p.name), "pod", &p.name, Some(&p.namespace), Level::Workload),
                };
                let services: Box<[u32]> = p
                    .services
                    .iter()
                    .filter_map(|uid| catalog.services.get(uid))
                    .map(|s| (s.namespace.clone(), s.name.clone()))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .map(|(ns, name)| self.service(&ns, &name))
                    .collect();
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
        let proc_id = format!("proc:{}:{}", container.unwrap_or("host"), meta.key.pid);
        let process = self.intern(proc_id, "process", &meta.name, pod.map(|p| p.namespace.as_str()), Level::Process);
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
        let mut of_series = Vec::with_capacity(self.pod_uid.len());
        for i in 0..self.pod_uid.len() {
            let Some(pod) = self.pod_uid[i].as_deref().and_then(|u| catalog.pods.get(u)) else {
                of_series.push(NONE);
                continue;
            };
            let value = pod.labels.get(key).map_or("(none)", String::as_str);
            let e = match by_value.get(value) {
                Some(&e) => e,
                None => {
                    let e = self.intern(format!("label:{key}={value}"), "label", &format!("{key}={value}"), None, Level::Label);
                    by_value.insert(value.to_string(), e);
                    e
                }
            };
            of_series.push(e);
        }
        LabelGroups { of_series }
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
