//! The two hierarchies, with totals at every level:
//!   physical: cluster › node › pod › container › process
//!   logical:  cluster › namespace › workload (deployment › replicaset, daemonset, ...) ›
//!             pod › container, and namespace › service › pod
//! Entities the cluster model knows appear even when they had no events (zero totals);
//! containers outside any pod and host processes hang directly under the capturing node.

use crate::collect::{Collector, ThreadRow};
use crate::k8s::{K8sIndex, K8sKind};
use crate::views::Totals;
use kinsight_engine::Engine;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize)]
pub struct TreeNode {
    pub kind: String,
    pub name: String,
    pub id: String,
    #[serde(flatten)]
    pub totals: Totals,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<TreeNode>,
}

impl TreeNode {
    fn new(kind: &str, name: &str, id: &str) -> TreeNode {
        TreeNode { kind: kind.into(), name: name.into(), id: id.into(), totals: Totals::default(), children: vec![] }
    }

    fn push(&mut self, child: TreeNode) {
        self.totals.add(&child.totals);
        self.children.push(child);
    }

    /// Finds a node by kind and name anywhere below (tests and the UI use it).
    pub fn find(&self, kind: &str, name: &str) -> Option<&TreeNode> {
        if self.kind == kind && self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(kind, name))
    }
}

/// Processes of each container (None: the host), as tree nodes with totals.
fn processes_by_container(c: &Collector) -> ProcsByContainer {
    let mut by_proc: BTreeMap<(Option<String>, i64), (Totals, &ThreadRow)> = BTreeMap::new();
    for t in c.threads.values() {
        let key = (t.container.as_deref().map(str::to_string), t.pid);
        let e = by_proc.entry(key).or_insert_with(|| (Totals::default(), t));
        // Per process, memory is the largest of its threads (as the procs view).
        let mut one = Totals::default();
        one.add_thread(t);
        e.0.cpu_pct += one.cpu_pct;
        e.0.file_bytes += one.file_bytes;
        e.0.net_bytes += one.net_bytes;
        e.0.virt_bytes = e.0.virt_bytes.max(one.virt_bytes);
        e.0.res_bytes = e.0.res_bytes.max(one.res_bytes);
        if t.tid == t.pid {
            e.1 = t;
        }
    }
    let mut out: BTreeMap<Option<String>, Vec<TreeNode>> = BTreeMap::new();
    for ((container, pid), (totals, t)) in by_proc {
        let mut n = TreeNode::new("process", &t.image.comm, &pid.to_string());
        n.totals = totals;
        out.entry(container).or_default().push(n);
    }
    out
}

type ProcsByContainer = BTreeMap<Option<String>, Vec<TreeNode>>;

fn container_node(engine: &Engine, id: &str, procs: &ProcsByContainer) -> TreeNode {
    let name = engine.container(id).map(|c| c.name.clone()).unwrap_or_default();
    let mut n = TreeNode::new("container", &name, id);
    for p in procs.get(&Some(id.to_string())).into_iter().flatten() {
        n.push(p.clone());
    }
    n
}

fn pod_node(engine: &Engine, k8s: &K8sIndex, pod_uid: &str, procs: &ProcsByContainer) -> TreeNode {
    let obj = k8s.object(pod_uid);
    let mut n = TreeNode::new("pod", obj.map_or("", |o| o.name.as_str()), pod_uid);
    for cid in k8s.containers_of_pod(pod_uid) {
        n.push(container_node(engine, cid, procs));
    }
    n
}

/// cluster › node › pod › container › process.
pub fn physical(c: &Collector, engine: &Engine, k8s: &K8sIndex) -> TreeNode {
    let procs = processes_by_container(c);
    let mut root = TreeNode::new("cluster", "cluster", "");
    let local = k8s.local_node(engine);
    let mut nodes: Vec<(String, String)> = k8s.nodes().map(|o| (o.name.clone(), o.uid.clone())).collect();
    if nodes.is_empty() || local.is_none() {
        let host = engine.machine.as_ref().map(|m| m.hostname.clone()).filter(|h| !h.is_empty()).unwrap_or_else(|| "host".into());
        nodes.push((host, String::new()));
    }
    let local_name = local.map(|o| o.name.clone()).unwrap_or_else(|| nodes.last().unwrap().0.clone());
    for (name, uid) in nodes {
        let mut node = TreeNode::new("node", &name, &uid);
        for pod_uid in k8s.pods_on_node(&name) {
            node.push(pod_node(engine, k8s, pod_uid, &procs));
        }
        if name == local_name {
            // What runs on the capturing machine outside pods.
            for id in procs.keys().flatten() {
                if k8s.pod_of_container(id).is_none() {
                    node.push(container_node(engine, id, &procs));
                }
            }
            for p in procs.get(&None).into_iter().flatten() {
                node.push(p.clone());
            }
        }
        root.push(node);
    }
    root
}

/// cluster › namespace › workload › pod › container, and namespace › service › pod.
pub fn logical(c: &Collector, engine: &Engine, k8s: &K8sIndex) -> TreeNode {
    let procs = processes_by_container(c);
    let mut root = TreeNode::new("cluster", "cluster", "");
    for ns in k8s.namespaces() {
        let mut ns_node = TreeNode::new("namespace", &ns.name, &ns.uid);
        let pods = k8s.pods_in_namespace(&ns.name);
        // Workloads: top controller › intermediate owner (replicaset under deployment) › pod.
        let mut by_top: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for pod in &pods {
            let top = k8s.objects_of_pod(pod, K8sKind::Controller).first().map(|s| s.to_string()).unwrap_or_default();
            by_top.entry(top).or_default().push(pod);
        }
        for (top, pods) in by_top {
            let mut parent = match k8s.object(&top) {
                Some(o) => TreeNode::new(&o.kind.to_lowercase(), &o.name, &o.uid),
                None => TreeNode::new("bare pods", "(no controller)", ""),
            };
            let mut by_mid: BTreeMap<String, Vec<&str>> = BTreeMap::new();
            for pod in pods {
                let mid = k8s
                    .objects_of_pod(pod, K8sKind::ReplicaSet)
                    .first()
                    .filter(|rs| **rs != top)
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                by_mid.entry(mid).or_default().push(pod);
            }
            for (mid, pods) in by_mid {
                let mut pod_nodes: Vec<TreeNode> = pods.iter().map(|p| pod_node(engine, k8s, p, &procs)).collect();
                pod_nodes.sort_by(|a, b| a.name.cmp(&b.name));
                match k8s.object(&mid) {
                    Some(o) => {
                        let mut rs = TreeNode::new("replicaset", &o.name, &o.uid);
                        for p in pod_nodes {
                            rs.push(p);
                        }
                        parent.push(rs);
                    }
                    None => {
                        for p in pod_nodes {
                            parent.push(p);
                        }
                    }
                }
            }
            ns_node.push(parent);
        }
        // Services group pods too; their totals overlap the workloads', so they are shown
        // beside them without adding to the namespace's total.
        for svc in k8s.services_in_namespace(&ns.name) {
            let mut s = TreeNode::new("service", &svc.name, &svc.uid);
            for pod in k8s.pods_of_service(&svc.uid) {
                s.push(pod_node(engine, k8s, pod, &procs));
            }
            ns_node.children.push(s);
        }
        root.push(ns_node);
    }
    root
}

/// Indented text rendering with the totals on each line.
pub fn render(root: &TreeNode) -> String {
    use crate::human::{bytes, pct};
    let mut out = String::new();
    fn walk(n: &TreeNode, depth: usize, out: &mut String) {
        let label = if n.id.is_empty() || n.id == n.name {
            format!("{} {}", n.kind, n.name)
        } else if n.name.is_empty() {
            format!("{} {}", n.kind, n.id)
        } else {
            format!("{} {} ({})", n.kind, n.name, n.id)
        };
        let indent = "  ".repeat(depth);
        let left = format!("{indent}{label}");
        out.push_str(&format!(
            "{left:<90} cpu={:>6}% virt={:>7} res={:>7} file={:>8} net={:>8}\n",
            pct(n.totals.cpu_pct),
            bytes(n.totals.virt_bytes),
            bytes(n.totals.res_bytes),
            bytes(n.totals.file_bytes),
            bytes(n.totals.net_bytes)
        ));
        for c in &n.children {
            walk(c, depth + 1, out);
        }
    }
    walk(root, 0, &mut out);
    out
}
