//! `/metrics` in Prometheus text format (version 0.0.4), from the totals since the store
//! began.
//!
//! cAdvisor's names where the meaning is the same: `container_cpu_usage_seconds_total`
//! (CPU time of the container's processes) and `container_memory_rss` (their resident
//! memory), labelled `namespace`, `pod`, `container` (the name in the pod spec; `POD` for
//! the sandbox) and `node`. Our own under `kinsight_`: socket and file bytes (cAdvisor's
//! network and fs metrics count interface packets and block I/O, which is not what system
//! calls see), HTTP requests and latency histograms per pod and per workload, requests of
//! every protocol and their latency histograms per pod, workload and host by `protocol`,
//! `direction` and `error` (never an operation, a statement or a target: the labels stay
//! bounded), and bytes per connection peer.
//!
//! Live, each container's cgroup counters of the moment add cAdvisor's resource metrics
//! under their own names: `container_memory_working_set_bytes` (usage minus inactive
//! file pages, as cAdvisor computes it), `container_memory_usage_bytes`,
//! `container_spec_memory_limit_bytes`, `container_oom_events_total`,
//! `container_cpu_cfs_throttled_periods_total`, `container_cpu_cfs_throttled_seconds_total`,
//! `container_fs_reads_bytes_total`, `container_fs_writes_bytes_total`, and the pod's
//! interface bytes `container_network_{receive,transmit}_bytes_total` on its `POD` container.

use crate::entities::{EntityIndex, Level};
use crate::query::{EndRef, Resolver};
use kinsight_history::{Catalog, ContainerMeta, History, SeriesId, Side, LATENCY_BOUNDS_S};
use kinsight_monitor::ResourceRow;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Label sets must be rendered in a fixed order: `(name, value)` pairs as given.
type Labels = Vec<(&'static str, String)>;

/// Samples keep the order they were first added in: a histogram's buckets must come in
/// increasing `le`, then its sum and count.
#[derive(Default)]
struct Family {
    help: &'static str,
    kind: &'static str,
    /// Rendered `suffix{labels}` and value.
    samples: Vec<(String, f64)>,
    /// The same samples' name suffix (`_bucket`, or empty) and labels, for remote write.
    structured: Vec<(&'static str, Labels)>,
    index: FxHashMap<String, usize>,
}

impl Family {
    fn add(&mut self, suffix: &'static str, labels: &[(&'static str, String)], value: f64) {
        let key = format!("{suffix}{}", render_labels(labels));
        match self.index.get(&key) {
            Some(&i) => self.samples[i].1 += value,
            None => {
                self.index.insert(key.clone(), self.samples.len());
                self.samples.push((key, value));
                self.structured.push((suffix, labels.to_vec()));
            }
        }
    }
}

#[derive(Default)]
struct Exposition {
    families: BTreeMap<&'static str, Family>,
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn render_labels(labels: &[(&str, String)]) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{}\"", escape(v))).collect();
    format!("{{{}}}", inner.join(","))
}

impl Exposition {
    fn add(&mut self, name: &'static str, kind: &'static str, help: &'static str, labels: &[(&'static str, String)], value: f64) {
        let f = self.families.entry(name).or_insert_with(|| Family { help, kind, ..Default::default() });
        f.add("", labels, value);
    }

    /// A histogram's `_bucket`, `_sum` and `_count` series from per-bucket counts.
    fn histogram(&mut self, name: &'static str, help: &'static str, labels: &Labels, counts: &[u64], sum_s: f64) {
        let f = self.families.entry(name).or_insert_with(|| Family { help, kind: "histogram", ..Default::default() });
        let mut cumulative = 0u64;
        for (i, c) in counts.iter().enumerate() {
            cumulative += c;
            let le = LATENCY_BOUNDS_S.get(i).map_or("+Inf".to_string(), |b| b.to_string());
            let mut l: Labels = labels.clone();
            l.push(("le", le));
            f.add("_bucket", &l, cumulative as f64);
        }
        f.add("_sum", labels, sum_s);
        f.add("_count", labels, cumulative as f64);
    }

    fn render(&self) -> String {
        let mut out = String::new();
        for (name, f) in &self.families {
            let _ = writeln!(out, "# HELP {name} {}", f.help);
            let _ = writeln!(out, "# TYPE {name} {}", f.kind);
            for (labels, v) in &f.samples {
                // Histogram keys start with their suffix (`_bucket{...}`).
                let _ = writeln!(out, "{name}{labels} {}", fmt_value(*v));
            }
        }
        out
    }
}

fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The `container` label: its name in the pod spec (`POD` for the sandbox), else the
/// runtime's name for it.
fn container_name(cm: Option<&ContainerMeta>) -> Option<String> {
    cm.and_then(|m| m.pod_container_name.clone().or_else(|| (!m.name.is_empty()).then(|| m.name.clone())))
}

/// The Kubernetes labels of a series: namespace, pod, container, node.
fn k8s_labels(c: &Catalog, id: SeriesId) -> Option<Labels> {
    let meta = c.series(id)?;
    let cid = meta.key.container.as_deref()?;
    let cm = c.containers.get(cid);
    let pod = c.pod_of_series(id);
    let container = container_name(cm).unwrap_or_else(|| cid.to_string());
    Some(vec![
        ("namespace", pod.map(|p| p.namespace.clone()).unwrap_or_default()),
        ("pod", pod.map(|p| p.name.clone()).unwrap_or_default()),
        ("container", container),
        ("node", c.node_of_series(id).to_string()),
    ])
}

fn workload_labels(c: &Catalog, id: SeriesId) -> Option<Labels> {
    let pod = c.pod_of_series(id)?;
    let (kind, name) = pod.workload().map_or(("Pod".to_string(), pod.name.clone()), |w| (w.kind.clone(), w.name.clone()));
    Some(vec![("namespace", pod.namespace.clone()), ("workload", name), ("workload_kind", kind)])
}

/// Samples older than this before the newest data belong to processes that are gone.
const GAUGE_STALE_NS: u64 = 30_000_000_000;

/// The Kubernetes labels of a container seen in cgroups: namespace, pod, container, node.
fn container_labels(c: &Catalog, r: &ResourceRow) -> Labels {
    let cm = c.containers.get(&r.id);
    // The pod the API links to the container id first; else the pod UID of its cgroup path.
    let pod = cm.and_then(|m| m.pod_uid.as_ref()).and_then(|uid| c.pods.get(uid)).or_else(|| r.pod_uid.as_ref().and_then(|uid| c.pods.get(uid)));
    let container = container_name(cm).or_else(|| (!r.name.is_empty()).then(|| r.name.clone())).unwrap_or_else(|| r.id.clone());
    vec![
        ("namespace", pod.map(|p| p.namespace.clone()).unwrap_or_default()),
        ("pod", pod.map(|p| p.name.clone()).unwrap_or_default()),
        ("container", container),
        ("node", c.local_node.clone()),
    ]
}

fn add_resources(x: &mut Exposition, c: &Catalog, rows: &[ResourceRow]) {
    let mut pods_with_network = std::collections::BTreeSet::new();
    for r in rows {
        let l = container_labels(c, r);
        let mut gauge = |name: &'static str, help: &'static str, v: Option<u64>| {
            if let Some(v) = v {
                x.add(name, "gauge", help, &l, v as f64);
            }
        };
        gauge("container_memory_working_set_bytes", "Memory the container needs: usage minus inactive file pages, from its cgroup, in bytes.", r.memory_working_set_bytes);
        gauge("container_memory_usage_bytes", "Memory charged to the container's cgroup, page cache included, in bytes.", r.memory_usage_bytes);
        gauge("container_spec_memory_limit_bytes", "The container's cgroup memory limit, in bytes (absent when unlimited).", r.memory_limit_bytes);
        let mut counter = |name: &'static str, help: &'static str, v: Option<f64>| {
            if let Some(v) = v {
                x.add(name, "counter", help, &l, v);
            }
        };
        counter("container_oom_events_total", "Times the container's cgroup hit its memory limit and a process was killed.", r.memory_oom_kills.map(|v| v as f64));
        counter("container_cpu_cfs_throttled_periods_total", "CFS periods in which the container was throttled.", r.cpu_throttled_periods.map(|v| v as f64));
        counter("container_cpu_cfs_throttled_seconds_total", "Time the container was throttled, in seconds.", r.cpu_throttled_ns.map(|v| v as f64 / 1e9));
        counter("container_fs_reads_bytes_total", "Bytes the container's cgroup read from block devices.", r.io_read_bytes.map(|v| v as f64));
        counter("container_fs_writes_bytes_total", "Bytes the container's cgroup wrote to block devices.", r.io_write_bytes.map(|v| v as f64));
        // Interface bytes belong to the network namespace, which a pod's containers share:
        // once per pod, on its sandbox, as cAdvisor reports them.
        let pod = l[1].1.clone();
        if let (Some(rx), Some(tx)) = (r.net_rx_bytes, r.net_tx_bytes) {
            if !pod.is_empty() && pods_with_network.insert((l[0].1.clone(), pod)) {
                let mut pl = l.clone();
                pl[2].1 = "POD".into();
                x.add("container_network_receive_bytes_total", "counter", "Bytes received on the interfaces of the pod's network namespace.", &pl, rx as f64);
                x.add("container_network_transmit_bytes_total", "counter", "Bytes sent on the interfaces of the pod's network namespace.", &pl, tx as f64);
            }
        }
    }
}

fn direction(side: Side) -> &'static str {
    if side == Side::Server {
        "served"
    } else {
        "sent"
    }
}

/// The labels requests are counted under: per pod (its workload named), per workload, or
/// per host (processes outside containers).
fn request_labels(c: &Catalog, id: SeriesId) -> (Option<Labels>, Option<Labels>, Option<Labels>) {
    match k8s_labels(c, id) {
        Some(mut l) => {
            l.retain(|(name, _)| *name != "container");
            // Empty for a container outside pods, as in kinsight_http_requests_total: one
            // label set for the whole family.
            let wl = workload_labels(c, id);
            let get = |i: usize| wl.as_ref().map(|w| w[i].1.clone()).unwrap_or_default();
            l.push(("workload", get(1)));
            l.push(("workload_kind", get(2)));
            (Some(l), wl, None)
        }
        None => (None, None, c.series(id).map(|_| vec![("node", c.node_of_series(id).to_string())])),
    }
}

/// Requests of every protocol: counts by outcome and latency histograms.
fn add_requests(x: &mut Exposition, history: &History) {
    let c = &history.catalog;
    for (k, n) in &history.totals.requests {
        let extra = [("protocol", k.proto.as_str().to_string()), ("direction", direction(k.side).to_string()), ("error", k.error.to_string())];
        let (pod, workload, host) = request_labels(c, k.series);
        let with = |mut l: Labels| {
            l.extend(extra.iter().cloned());
            l
        };
        if let Some(l) = pod {
            x.add("kinsight_requests_total", "counter", "Requests of every protocol per pod, by protocol, direction (served or sent) and whether they failed.", &with(l), *n as f64);
        }
        if let Some(l) = workload {
            x.add("kinsight_workload_requests_total", "counter", "Requests of every protocol per workload, by protocol, direction (served or sent) and whether they failed.", &with(l), *n as f64);
        }
        if let Some(l) = host {
            x.add("kinsight_host_requests_total", "counter", "Requests of every protocol of host processes (outside containers), by protocol, direction and whether they failed.", &with(l), *n as f64);
        }
    }
    for (k, h) in &history.totals.request_latency {
        let sum_s = h.sum_ns as f64 / 1e9;
        let extra = [("protocol", k.proto.as_str().to_string()), ("direction", direction(k.side).to_string())];
        let (pod, workload, host) = request_labels(c, k.series);
        let with = |mut l: Labels| {
            l.extend(extra.iter().cloned());
            l
        };
        if let Some(l) = pod {
            x.histogram("kinsight_request_duration_seconds", "Latency of requests of every protocol per pod, by protocol and direction, in seconds.", &with(l), &h.counts, sum_s);
        }
        if let Some(l) = workload {
            x.histogram("kinsight_workload_request_duration_seconds", "Latency of requests of every protocol per workload, by protocol and direction, in seconds.", &with(l), &h.counts, sum_s);
        }
        if let Some(l) = host {
            x.histogram("kinsight_host_request_duration_seconds", "Latency of requests of every protocol of host processes, by protocol and direction, in seconds.", &with(l), &h.counts, sum_s);
        }
    }
}

pub fn render(history: &History, ix: &EntityIndex, resources: &[ResourceRow]) -> String {
    exposition(history, ix, resources).render()
}

/// One sample of the exposition: the series' full name, its labels, its value.
pub type Sample = (String, Vec<(&'static str, String)>, f64);

/// What `/metrics` shows, as samples: what an agent sends to a store by remote write.
pub fn samples(history: &History, ix: &EntityIndex, resources: &[ResourceRow]) -> Vec<Sample> {
    let x = exposition(history, ix, resources);
    let mut out = Vec::new();
    for (name, f) in x.families {
        for ((suffix, labels), (_, v)) in f.structured.into_iter().zip(f.samples) {
            out.push((format!("{name}{suffix}"), labels, v));
        }
    }
    out
}

fn exposition(history: &History, ix: &EntityIndex, resources: &[ResourceRow]) -> Exposition {
    let c = &history.catalog;
    let mut x = Exposition::default();
    add_resources(&mut x, c, resources);
    let newest = history.data_range().map_or(0, |(_, z)| z);
    for (i, t) in history.totals.series.iter().enumerate() {
        let id = i as SeriesId;
        let Some(meta) = c.series(id) else { continue };
        let alive = meta.last_ns + GAUGE_STALE_NS >= newest;
        match k8s_labels(c, id) {
            Some(l) => {
                x.add("container_cpu_usage_seconds_total", "counter", "Cumulative CPU time consumed by the container's processes, in seconds.", &l, t.cpu_ticks as f64 / 100.0);
                if alive {
                    x.add("container_memory_rss", "gauge", "Resident memory of the container's processes, in bytes.", &l, t.rss_kb as f64 * 1024.0);
                }
                x.add("kinsight_container_network_receive_bytes_total", "counter", "Bytes the container's processes read from IP sockets.", &l, t.net_in as f64);
                x.add("kinsight_container_network_transmit_bytes_total", "counter", "Bytes the container's processes wrote to IP sockets.", &l, t.net_out as f64);
                x.add("kinsight_container_file_read_bytes_total", "counter", "Bytes the container's processes read from files.", &l, t.file_read as f64);
                x.add("kinsight_container_file_write_bytes_total", "counter", "Bytes the container's processes wrote to files.", &l, t.file_write as f64);
            }
            None => {
                let l = vec![("node", c.node_of_series(id).to_string())];
                x.add("kinsight_host_cpu_usage_seconds_total", "counter", "Cumulative CPU time of host processes (outside containers), in seconds.", &l, t.cpu_ticks as f64 / 100.0);
                if alive {
                    x.add("kinsight_host_memory_rss_bytes", "gauge", "Resident memory of host processes (outside containers), in bytes.", &l, t.rss_kb as f64 * 1024.0);
                }
                x.add("kinsight_host_network_receive_bytes_total", "counter", "Bytes host processes read from IP sockets.", &l, t.net_in as f64);
                x.add("kinsight_host_network_transmit_bytes_total", "counter", "Bytes host processes wrote to IP sockets.", &l, t.net_out as f64);
            }
        }
    }
    // HTTP per pod and per workload.
    for (k, n) in &history.totals.http_status {
        let direction = if k.side == Side::Server { "served" } else { "sent" };
        let code = k.status.to_string();
        if let Some(mut l) = k8s_labels(c, k.series) {
            l.retain(|(name, _)| *name != "container");
            let wl = workload_labels(c, k.series).unwrap_or_default();
            l.push(("workload", wl.get(1).map(|w| w.1.clone()).unwrap_or_default()));
            l.push(("workload_kind", wl.get(2).map(|w| w.1.clone()).unwrap_or_default()));
            l.push(("direction", direction.into()));
            l.push(("code", code.clone()));
            x.add("kinsight_http_requests_total", "counter", "HTTP requests per pod, by direction (served or sent) and status code.", &l, *n as f64);
        }
        if let Some(mut l) = workload_labels(c, k.series) {
            l.push(("direction", direction.into()));
            l.push(("code", code));
            x.add("kinsight_workload_http_requests_total", "counter", "HTTP requests per workload, by direction (served or sent) and status code.", &l, *n as f64);
        }
    }
    for (id, h) in &history.totals.served_latency {
        let sum_s = h.sum_ns as f64 / 1e9;
        if let Some(mut l) = k8s_labels(c, *id) {
            l.retain(|(name, _)| *name != "container");
            x.histogram("kinsight_http_request_duration_seconds", "Latency of HTTP requests served by the pod, in seconds.", &l, &h.counts, sum_s);
        }
        if let Some(l) = workload_labels(c, *id) {
            x.histogram("kinsight_workload_http_request_duration_seconds", "Latency of HTTP requests served by the workload's pods, in seconds.", &l, &h.counts, sum_s);
        }
    }
    add_requests(&mut x, history);
    // Bytes per connection peer, the peer named at the pod level.
    let r = Resolver::new(history, ix, None, Level::Pod);
    for (k, v) in &history.totals.conns {
        let Some(mut l) = k8s_labels(c, k.observer) else { continue };
        let peer_ip = if k.side == Side::Server { k.client } else { k.server };
        let (peer_kind, peer, peer_ns) = match r.address(peer_ip).unwrap_or_else(|| r.fallback(peer_ip)) {
            EndRef::Entity(e) => {
                let ent = ix.entity(e);
                (ent.kind.clone(), ent.name.clone(), ent.namespace.clone().unwrap_or_default())
            }
            EndRef::Address(ip) => ("address".to_string(), ip.to_string(), String::new()),
        };
        l.push(("side", k.side.as_str().to_string()));
        l.push(("peer_kind", peer_kind));
        l.push(("peer_namespace", peer_ns));
        l.push(("peer", peer));
        l.push(("port", k.server_port.to_string()));
        let mut lin = l.clone();
        lin.push(("direction", "in".into()));
        x.add("kinsight_connection_bytes_total", "counter", "Bytes a container moved on connections, by peer (pod, service, node or address), server port and direction.", &lin, v.bytes_in as f64);
        l.push(("direction", "out".into()));
        x.add("kinsight_connection_bytes_total", "counter", "Bytes a container moved on connections, by peer (pod, service, node or address), server port and direction.", &l, v.bytes_out as f64);
    }
    x.add("kinsight_history_heap_bytes", "gauge", "Memory held by kinsight's history store, in bytes.", &[], history.heap_bytes() as f64);
    x.add("kinsight_history_series", "gauge", "Processes named in kinsight's history.", &[], c.series_count() as f64);
    x
}
