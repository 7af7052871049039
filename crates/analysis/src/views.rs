//! The views, with csysdig's names and meanings: rows of counters grouped by an entity.
//!
//! Column meanings (as csysdig's): CPU is the average over the capture of each thread's
//! CPU percentage (from procinfo samples), summed over the entity's threads; VIRT and RES
//! are each process's largest size seen at the events of its main thread, summed over the
//! entity's processes; FILE and NET are bytes read plus written on files and on
//! IPv4/IPv6 sockets. Bytes are totals over the capture; rates divide by its span.

use crate::collect::{Collector, ThreadRow};
use crate::k8s::{K8sIndex, K8sKind};
use kinsight_engine::Engine;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Sums of the column counters over a set of threads.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq)]
pub struct Totals {
    pub cpu_pct: f64,
    pub virt_bytes: u64,
    pub res_bytes: u64,
    pub file_bytes: u64,
    pub net_bytes: u64,
}

impl Totals {
    pub fn add_thread(&mut self, t: &ThreadRow) {
        self.cpu_pct += t.cpu_pct();
        self.virt_bytes += t.max_vmsize_kb * 1024;
        self.res_bytes += t.max_vmrss_kb * 1024;
        self.file_bytes += t.file_bytes();
        self.net_bytes += t.net_bytes();
    }

    pub fn add(&mut self, o: &Totals) {
        self.cpu_pct += o.cpu_pct;
        self.virt_bytes += o.virt_bytes;
        self.res_bytes += o.res_bytes;
        self.file_bytes += o.file_bytes;
        self.net_bytes += o.net_bytes;
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ContainerRow {
    pub id: String,
    pub name: String,
    pub image: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub cpu_pct: f64,
    pub procs: usize,
    pub threads: usize,
    pub virt_bytes: u64,
    pub res_bytes: u64,
    pub file_bytes: u64,
    pub net_bytes: u64,
    pub pod_uid: Option<String>,
}

/// The `containers` view: every container that had events, the host excluded.
pub fn containers(c: &Collector, engine: &Engine, k8s: &K8sIndex) -> Vec<ContainerRow> {
    let mut groups: BTreeMap<&str, (Totals, Vec<i64>, usize)> = BTreeMap::new();
    for t in c.threads.values() {
        let Some(id) = t.container.as_deref() else { continue };
        let g = groups.entry(id).or_default();
        g.0.add_thread(t);
        g.1.push(t.pid);
        g.2 += 1;
    }
    let mut rows: Vec<ContainerRow> = groups
        .into_iter()
        .map(|(id, (tot, mut pids, threads))| {
            pids.sort_unstable();
            pids.dedup();
            let info = engine.container(id);
            ContainerRow {
                id: id.to_string(),
                name: info.map(|i| i.name.clone()).unwrap_or_default(),
                image: info.map(|i| i.image.clone()).unwrap_or_default(),
                kind: info.map(|i| i.kind.name().to_string()).unwrap_or_default(),
                cpu_pct: tot.cpu_pct,
                procs: pids.len(),
                threads,
                virt_bytes: tot.virt_bytes,
                res_bytes: tot.res_bytes,
                file_bytes: tot.file_bytes,
                net_bytes: tot.net_bytes,
                pod_uid: k8s.pod_of_container(id).map(str::to_string),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.cpu_pct.total_cmp(&a.cpu_pct).then(b.net_bytes.cmp(&a.net_bytes)).then(a.id.cmp(&b.id)));
    rows
}

#[derive(Clone, Debug, Serialize)]
pub struct ProcRow {
    pub pid: i64,
    pub ppid: i64,
    pub name: String,
    pub cmdline: String,
    pub user: String,
    pub threads: usize,
    pub cpu_pct: f64,
    pub virt_bytes: u64,
    pub res_bytes: u64,
    pub file_bytes: u64,
    pub net_bytes: u64,
    pub container_id: Option<String>,
}

/// The `procs` view: one row per process that had events.
pub fn procs(c: &Collector, engine: &Engine) -> Vec<ProcRow> {
    let mut by_pid: HashMap<i64, Vec<&ThreadRow>> = HashMap::new();
    for t in c.threads.values() {
        by_pid.entry(t.pid).or_default().push(t);
    }
    let mut rows: Vec<ProcRow> = by_pid
        .into_iter()
        .map(|(pid, threads)| {
            // The main thread speaks for the process when it had events.
            let main = threads.iter().find(|t| t.tid == pid).unwrap_or(&threads[0]);
            let mut row = ProcRow {
                pid,
                ppid: main.ppid,
                name: main.image.comm.clone(),
                cmdline: main.image.cmdline(),
                user: engine.user_name(main.uid).map_or_else(|| main.uid.to_string(), str::to_string),
                threads: threads.len(),
                cpu_pct: 0.0,
                virt_bytes: 0,
                res_bytes: 0,
                file_bytes: 0,
                net_bytes: 0,
                container_id: main.container.as_deref().map(str::to_string),
            };
            for t in &threads {
                row.cpu_pct += t.cpu_pct();
                row.virt_bytes = row.virt_bytes.max(t.max_vmsize_kb * 1024);
                row.res_bytes = row.res_bytes.max(t.max_vmrss_kb * 1024);
                row.file_bytes += t.file_bytes();
                row.net_bytes += t.net_bytes();
            }
            row
        })
        .collect();
    rows.sort_by(|a, b| b.cpu_pct.total_cmp(&a.cpu_pct).then(b.net_bytes.cmp(&a.net_bytes)).then(a.pid.cmp(&b.pid)));
    rows
}

#[derive(Clone, Debug, Serialize)]
pub struct ConnectionRow {
    pub proto: String,
    pub client_ip: String,
    pub client_port: u16,
    pub server_ip: String,
    pub server_port: u16,
    pub in_bytes: u64,
    pub out_bytes: u64,
    pub total_bytes: u64,
    pub pid: i64,
    pub cmdline: String,
    pub container_id: Option<String>,
}

/// The `connections` view: IP connections with the bytes each process moved on them.
pub fn connections(c: &Collector) -> Vec<ConnectionRow> {
    let mut rows: Vec<ConnectionRow> = c
        .conns
        .iter()
        .map(|(k, v)| ConnectionRow {
            proto: k.proto.to_string(),
            client_ip: k.client_ip.to_string(),
            client_port: k.client_port,
            server_ip: k.server_ip.to_string(),
            server_port: k.server_port,
            in_bytes: v.in_bytes,
            out_bytes: v.out_bytes,
            total_bytes: v.in_bytes + v.out_bytes,
            pid: k.pid,
            cmdline: v.image.exeline(),
            container_id: v.container.as_deref().map(str::to_string),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.total_bytes
            .cmp(&a.total_bytes)
            .then_with(|| (&a.client_ip, a.client_port, &a.server_ip, a.server_port, a.pid).cmp(&(&b.client_ip, b.client_port, &b.server_ip, b.server_port, b.pid)))
    });
    rows
}

#[derive(Clone, Debug, Serialize)]
pub struct HttpRow {
    pub ts_ns: u64,
    pub dir: String,
    pub method: String,
    pub url: String,
    pub status: u16,
    pub latency_ns: u64,
    pub size_bytes: u64,
    pub pid: i64,
    pub container_id: Option<String>,
    pub pod_uid: Option<String>,
}

/// The `httplog` view: every HTTP transaction, in completion order.
pub fn httplog(c: &Collector, k8s: &K8sIndex) -> Vec<HttpRow> {
    c.http_log
        .iter()
        .map(|h| HttpRow {
            ts_ns: h.ts_ns,
            dir: h.dir.arrow().to_string(),
            method: h.method.clone(),
            url: h.url.clone(),
            status: h.status,
            latency_ns: h.latency_ns,
            size_bytes: h.size_bytes,
            pid: h.pid,
            container_id: h.container.as_deref().map(str::to_string),
            pod_uid: h.container.as_deref().and_then(|id| k8s.pod_of_container(id)).map(str::to_string),
        })
        .collect()
}

#[derive(Clone, Debug, Serialize)]
pub struct K8sRow {
    pub uid: String,
    pub name: String,
    pub namespace: String,
    pub kind: String,
    pub labels: BTreeMap<String, String>,
    pub cpu_pct: f64,
    pub virt_bytes: u64,
    pub res_bytes: u64,
    pub file_bytes: u64,
    pub net_bytes: u64,
    pub pods: usize,
}

/// The `kubernetes_*` views: threads grouped by the Kubernetes object their container's
/// pod belongs to (a pod in two services counts in both).
pub fn kubernetes(c: &Collector, k8s: &K8sIndex, kind: K8sKind) -> Vec<K8sRow> {
    let mut totals: BTreeMap<String, (Totals, Vec<String>)> = BTreeMap::new();
    for t in c.threads.values() {
        let Some(cid) = t.container.as_deref() else { continue };
        let Some(pod) = k8s.pod_of_container(cid) else { continue };
        for uid in k8s.objects_of_pod(pod, kind) {
            let e = totals.entry(uid.to_string()).or_default();
            e.0.add_thread(t);
            if !e.1.iter().any(|p| p == pod) {
                e.1.push(pod.to_string());
            }
        }
    }
    let mut rows: Vec<K8sRow> = totals
        .into_iter()
        .filter_map(|(uid, (tot, pods))| {
            let obj = k8s.object(&uid)?;
            Some(K8sRow {
                uid,
                name: obj.name.clone(),
                namespace: obj.namespace.clone(),
                kind: obj.kind.clone(),
                labels: obj.labels.clone(),
                cpu_pct: tot.cpu_pct,
                virt_bytes: tot.virt_bytes,
                res_bytes: tot.res_bytes,
                file_bytes: tot.file_bytes,
                net_bytes: tot.net_bytes,
                pods: pods.len(),
            })
        })
        .collect();
    rows.sort_by(|a, b| b.cpu_pct.total_cmp(&a.cpu_pct).then(b.net_bytes.cmp(&a.net_bytes)).then(a.name.cmp(&b.name)));
    rows
}
