//! A flat snapshot of the cluster model for the views: which pod each container is in, which
//! objects of each kind each pod belongs to, and the names and labels of those objects.
//! Taken once per report so views do not walk owner chains per thread.

use kinsight_engine::Engine;
use kinsight_model::k8s::{ObjectMeta, Pod, WorkloadKind, WorkloadRef};
use kinsight_model::Cluster;
use std::collections::{BTreeMap, HashMap};

/// The groupings of the kubernetes_* views.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum K8sKind {
    Pod,
    Namespace,
    Service,
    Deployment,
    ReplicaSet,
    ReplicationController,
    DaemonSet,
    StatefulSet,
    Job,
    CronJob,
    /// The top of each pod's owner chain, whatever its kind (kubernetes_controllers).
    Controller,
    Node,
}

/// Name, namespace, kind and labels of one object.
#[derive(Clone, Debug)]
pub struct ObjectInfo {
    pub uid: String,
    pub name: String,
    pub namespace: String,
    pub kind: String,
    pub labels: BTreeMap<String, String>,
}

impl ObjectInfo {
    fn from_meta(meta: &ObjectMeta, kind: &str) -> ObjectInfo {
        ObjectInfo {
            uid: meta.uid.to_string(),
            name: meta.name.to_string(),
            namespace: meta.namespace_str().to_string(),
            kind: kind.to_string(),
            labels: meta.labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }
}

#[derive(Clone, Debug, Default)]
struct PodLinks {
    namespace: String,
    node: Option<String>,
    containers: Vec<String>,
    /// Owner chain, nearest first.
    owners: Vec<(K8sKind, String)>,
    services: Vec<String>,
}

#[derive(Default)]
pub struct K8sIndex {
    objects: HashMap<String, ObjectInfo>,
    pod_of_container: HashMap<String, String>,
    pods: BTreeMap<String, PodLinks>,
    namespaces: BTreeMap<String, String>,
    nodes: BTreeMap<String, String>,
    services_by_ns: BTreeMap<String, Vec<String>>,
    pods_of_service: HashMap<String, Vec<String>>,
    node_ips: HashMap<String, Vec<std::net::IpAddr>>,
}

fn kind_of(w: WorkloadKind) -> K8sKind {
    match w {
        WorkloadKind::ReplicationController => K8sKind::ReplicationController,
        WorkloadKind::ReplicaSet => K8sKind::ReplicaSet,
        WorkloadKind::Deployment => K8sKind::Deployment,
        WorkloadKind::DaemonSet => K8sKind::DaemonSet,
        WorkloadKind::StatefulSet => K8sKind::StatefulSet,
        WorkloadKind::Job => K8sKind::Job,
        WorkloadKind::CronJob => K8sKind::CronJob,
    }
}

/// Namespaces named by pods but never described get a stable made-up uid.
fn ns_uid(cluster: &Cluster, name: &str) -> String {
    cluster
        .namespaces()
        .by_name(None, name)
        .map(|n| n.meta.uid.to_string())
        .unwrap_or_else(|| format!("namespace:{name}"))
}

impl K8sIndex {
    pub fn build(engine: &Engine) -> K8sIndex {
        let cluster = &engine.cluster;
        let mut ix = K8sIndex::default();
        for n in cluster.namespaces().iter() {
            ix.objects.insert(n.meta.uid.to_string(), ObjectInfo::from_meta(&n.meta, "Namespace"));
            ix.namespaces.insert(n.meta.name.to_string(), n.meta.uid.to_string());
        }
        for n in cluster.nodes().iter() {
            ix.objects.insert(n.meta.uid.to_string(), ObjectInfo::from_meta(&n.meta, "Node"));
            ix.nodes.insert(n.meta.name.to_string(), n.meta.uid.to_string());
            ix.node_ips.insert(n.meta.name.to_string(), n.ips());
        }
        for svc in cluster.services().iter() {
            ix.objects.insert(svc.meta.uid.to_string(), ObjectInfo::from_meta(&svc.meta, "Service"));
            ix.services_by_ns.entry(svc.meta.namespace_str().to_string()).or_default().push(svc.meta.uid.to_string());
            let pods = cluster.pods_of_service(svc).iter().map(|p| p.meta.uid.to_string()).collect();
            ix.pods_of_service.insert(svc.meta.uid.to_string(), pods);
        }
        for pod in cluster.pods().iter() {
            ix.add_pod(cluster, pod);
        }
        for c in cluster.containers() {
            if let Some(pod) = cluster.pod_of_container(&c.id) {
                ix.pod_of_container.insert(c.id.clone(), pod.meta.uid.to_string());
                let links = ix.pods.entry(pod.meta.uid.to_string()).or_default();
                if !links.containers.contains(&c.id) {
                    links.containers.push(c.id.clone());
                }
            }
        }
        for links in ix.pods.values_mut() {
            links.containers.sort();
        }
        // Containers that ran in a pod but were never described still belong to it.
        for t in engine.threads() {
            if let Some(id) = t.container.as_deref() {
                if !ix.pod_of_container.contains_key(id) {
                    if let Some(pod) = cluster.pod_of_container(id) {
                        ix.pod_of_container.insert(id.to_string(), pod.meta.uid.to_string());
                    }
                }
            }
        }
        for list in ix.services_by_ns.values_mut() {
            list.sort_by(|a, b| ix.objects[a].name.cmp(&ix.objects[b].name));
        }
        ix
    }

    fn add_pod(&mut self, cluster: &Cluster, pod: &Pod) {
        let uid = pod.meta.uid.to_string();
        self.objects.insert(uid.clone(), ObjectInfo::from_meta(&pod.meta, "Pod"));
        let namespace = pod.meta.namespace_str().to_string();
        if !self.namespaces.contains_key(&namespace) {
            let nsuid = ns_uid(cluster, &namespace);
            self.objects.insert(
                nsuid.clone(),
                ObjectInfo { uid: nsuid.clone(), name: namespace.clone(), namespace: String::new(), kind: "Namespace".into(), labels: BTreeMap::new() },
            );
            self.namespaces.insert(namespace.clone(), nsuid);
        }
        let owners: Vec<(K8sKind, String)> = cluster
            .owner_chain(pod)
            .into_iter()
            .map(|w: WorkloadRef| {
                self.objects
                    .entry(w.uid().to_string())
                    .or_insert_with(|| ObjectInfo::from_meta(w.meta(), w.kind().as_str()));
                (kind_of(w.kind()), w.uid().to_string())
            })
            .collect();
        let services = cluster.services_of(pod).iter().map(|s| s.meta.uid.to_string()).collect();
        let mut containers = Vec::new();
        for id in pod.container_ids() {
            let short = id.short().to_string();
            self.pod_of_container.insert(short.clone(), uid.clone());
            containers.push(short);
        }
        let links = self.pods.entry(uid).or_default();
        links.namespace = namespace;
        links.node = pod.node_name.as_deref().map(str::to_string);
        links.owners = owners;
        links.services = services;
        for c in containers {
            if !links.containers.contains(&c) {
                links.containers.push(c);
            }
        }
    }

    /// The pod uid of a container (short id).
    pub fn pod_of_container(&self, id: &str) -> Option<&str> {
        self.pod_of_container.get(id).map(String::as_str)
    }

    /// Uids of the objects of `kind` a pod belongs to.
    pub fn objects_of_pod(&self, pod: &str, kind: K8sKind) -> Vec<&str> {
        let Some((pod_uid, links)) = self.pods.get_key_value(pod) else { return vec![] };
        match kind {
            K8sKind::Pod => vec![pod_uid.as_str()],
            K8sKind::Namespace => self.namespaces.get(&links.namespace).map(String::as_str).into_iter().collect(),
            K8sKind::Node => links.node.as_ref().and_then(|n| self.nodes.get(n)).map(String::as_str).into_iter().collect(),
            K8sKind::Service => links.services.iter().map(String::as_str).collect(),
            K8sKind::Controller => links.owners.last().map(|(_, u)| u.as_str()).into_iter().collect(),
            k => links.owners.iter().filter(|(ok, _)| *ok == k).map(|(_, u)| u.as_str()).collect(),
        }
    }

    pub fn object(&self, uid: &str) -> Option<&ObjectInfo> {
        self.objects.get(uid)
    }

    pub fn containers_of_pod(&self, pod: &str) -> impl Iterator<Item = &str> {
        self.pods.get(pod).into_iter().flat_map(|l| l.containers.iter().map(String::as_str))
    }

    pub fn nodes(&self) -> impl Iterator<Item = &ObjectInfo> {
        self.nodes.values().filter_map(|u| self.objects.get(u))
    }

    pub fn namespaces(&self) -> impl Iterator<Item = &ObjectInfo> {
        self.namespaces.values().filter_map(|u| self.objects.get(u))
    }

    /// Pod uids on a node, by pod name.
    pub fn pods_on_node(&self, node: &str) -> Vec<&str> {
        let mut v: Vec<&str> = self.pods.iter().filter(|(_, l)| l.node.as_deref() == Some(node)).map(|(u, _)| u.as_str()).collect();
        v.sort_by_key(|u| self.objects.get(*u).map(|o| o.name.as_str()));
        v
    }

    pub fn pods_in_namespace(&self, ns: &str) -> Vec<&str> {
        let mut v: Vec<&str> = self.pods.iter().filter(|(_, l)| l.namespace == ns).map(|(u, _)| u.as_str()).collect();
        v.sort_by_key(|u| self.objects.get(*u).map(|o| o.name.as_str()));
        v
    }

    pub fn services_in_namespace(&self, ns: &str) -> Vec<&ObjectInfo> {
        self.services_by_ns.get(ns).into_iter().flatten().filter_map(|u| self.objects.get(u)).collect()
    }

    pub fn pods_of_service(&self, svc: &str) -> Vec<&str> {
        self.pods_of_service.get(svc).into_iter().flatten().map(String::as_str).collect()
    }

    /// The node the capture was taken on: the one whose address is an address of the
    /// capturing machine, else the only node.
    pub fn local_node(&self, engine: &Engine) -> Option<&ObjectInfo> {
        let local_ips: Vec<std::net::IpAddr> = engine.interfaces.iter().map(|i| i.addr).collect();
        let by_ip = self.node_ips.iter().find(|(_, ips)| ips.iter().any(|ip| local_ips.contains(ip))).map(|(n, _)| n);
        let name = by_ip.or_else(|| (self.nodes.len() == 1).then(|| self.nodes.keys().next().unwrap()))?;
        self.objects.get(self.nodes.get(name)?)
    }
}
