//! The hub's counters of the whole cluster, read from the Prometheus-compatible store the
//! agents remote-write to (`kinsight hub --store URL`), joined with the hub's own model.
//!
//! Every agent sends its node's containers under cAdvisor's labels (`namespace`, `pod`,
//! `container`, `node`; see metrics.rs). The hub asks the store, with PromQL, for each
//! container's increase over the range a page looks at, and gives each container a series
//! of its catalog ([`Catalog::intern_store_series`]): the pods, workloads, services and
//! nodes it belongs to then come from the hub's one watch of the cluster, and the tables,
//! sums and filters are the same code as `kinsight up`'s.
//!
//! What the store answers is exact with VictoriaMetrics (its `increase` takes the last
//! sample before the window and does not extrapolate; agents write a zero before each new
//! series so a series born in the window counts from zero). Prometheus' `increase`
//! extrapolates to the window's edges, so its totals are estimates.
//!
//! A node whose agent stopped writing keeps its last data (counters are increases over
//! the range, memory the last sample in it) and is marked stale: never zeroed, never
//! counted twice (a restarted agent's counters start again from zero, which `increase`
//! reads as a reset).

use crate::params::TimeRange;
use crate::query::{ConnView, RangeTotals, SeriesColumns};
use kinsight_history::{Catalog, ConnCounters, ConnKey, ContainerMeta, Counters, Proto, SeriesId, Side};
use kinsight_monitor::Shared;
use kinsight_promql::{Labels, QueryError, Store};
use rustc_hash::FxHashMap;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use crate::store_cache::{self, BlockCache, Piece, STEP_NS};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn now_ns() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// The store's query API: `http://HOST:8428` (VictoriaMetrics), `http://HOST:9090`
    /// (Prometheus), `http://vmselect:8481/select/0/prometheus`, `http://mimir/prometheus`.
    pub url: String,
    pub auth: kinsight_remote_write::Auth,
    pub timeout: Duration,
    /// An agent silent for longer than this is stale (three of its push intervals).
    pub stale_after: Duration,
    /// The agents' API token, for drill-downs (they serve beyond loopback, so they have one).
    pub agent_token: Option<String>,
    /// How long a drill-down waits for an agent before naming it as not answering.
    pub agent_timeout: Duration,
}

/// A counter or gauge the hub reads, and where it goes in [`Counters`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    Cpu,
    Rss,
    NetIn,
    NetOut,
    FileRead,
    FileWrite,
    HttpServed,
    HttpServedErrors,
    HttpServedSeconds,
    HttpSent,
    HttpSentErrors,
}

impl Field {
    /// A gauge's value over a range is its last sample; the others are increases.
    pub(crate) fn is_gauge(self) -> bool {
        self == Field::Rss
    }
}

pub(crate) const FIELDS: [(Field, &str); 11] = [
    (Field::Cpu, "cpu"),
    (Field::Rss, "rss"),
    (Field::NetIn, "net_in"),
    (Field::NetOut, "net_out"),
    (Field::FileRead, "file_read"),
    (Field::FileWrite, "file_write"),
    (Field::HttpServed, "http_served"),
    (Field::HttpServedErrors, "http_served_errors"),
    (Field::HttpServedSeconds, "http_served_seconds"),
    (Field::HttpSent, "http_sent"),
    (Field::HttpSentErrors, "http_sent_errors"),
];

/// The label the one query tags each part of its answer with.
pub(crate) const FIELD_LABEL: &str = "kinsight_field";
const BY: &str = "namespace, pod, container, node";

/// The PromQL of one field over `window` (a PromQL duration), summed by container.
fn field_expr(f: Field, window: &str) -> String {
    let inc = |m: &str| format!("sum by ({BY}) (increase({m}[{window}]))");
    match f {
        Field::Cpu => format!("{} or {}", inc("container_cpu_usage_seconds_total"), inc("kinsight_host_cpu_usage_seconds_total")),
        Field::Rss => format!("sum by ({BY}) (last_over_time(container_memory_rss[{window}])) or sum by ({BY}) (last_over_time(kinsight_host_memory_rss_bytes[{window}]))"),
        Field::NetIn => format!("{} or {}", inc("kinsight_container_network_receive_bytes_total"), inc("kinsight_host_network_receive_bytes_total")),
        Field::NetOut => format!("{} or {}", inc("kinsight_container_network_transmit_bytes_total"), inc("kinsight_host_network_transmit_bytes_total")),
        Field::FileRead => inc("kinsight_container_file_read_bytes_total"),
        Field::FileWrite => inc("kinsight_container_file_write_bytes_total"),
        Field::HttpServed => inc("kinsight_http_requests_total{direction=\"served\"}"),
        Field::HttpServedErrors => inc("kinsight_http_requests_total{direction=\"served\",code=~\"5..\"}"),
        Field::HttpServedSeconds => inc("kinsight_http_request_duration_seconds_sum"),
        Field::HttpSent => inc("kinsight_http_requests_total{direction=\"sent\"}"),
        Field::HttpSentErrors => inc("kinsight_http_requests_total{direction=\"sent\",code=~\"5..\"}"),
    }
}

/// All fields in one query, each part tagged with its field's name: one round trip.
pub(crate) fn all_fields_expr(window: &str) -> String {
    FIELDS.iter().map(|(f, name)| format!("label_replace({}, \"{FIELD_LABEL}\", \"{name}\", \"\", \"\")", paren(&field_expr(*f, window)))).collect::<Vec<_>>().join(" or ")
}

fn paren(e: &str) -> String {
    format!("({e})")
}

fn add(c: &mut Counters, f: Field, v: f64) {
    if !v.is_finite() || v <= 0.0 {
        return;
    }
    let n = v.round() as u64;
    let n32 = n.min(u32::MAX as u64) as u32;
    match f {
        // Ticks are 1/100 s.
        Field::Cpu => c.cpu_ticks = c.cpu_ticks.saturating_add((v * 100.0).round().min(u32::MAX as f64) as u32),
        Field::Rss => c.rss_kb = c.rss_kb.saturating_add((v / 1024.0).round().min(u32::MAX as f64) as u32),
        Field::NetIn => c.net_in += n,
        Field::NetOut => c.net_out += n,
        Field::FileRead => c.file_read += n,
        Field::FileWrite => c.file_write += n,
        Field::HttpServed => c.http_in = c.http_in.saturating_add(n32),
        Field::HttpServedErrors => c.http_in_errors = c.http_in_errors.saturating_add(n32),
        Field::HttpServedSeconds => c.http_in_latency_us += (v * 1e6).round() as u64,
        Field::HttpSent => c.http_out = c.http_out.saturating_add(n32),
        Field::HttpSentErrors => c.http_out_errors = c.http_out_errors.saturating_add(n32),
    }
}

/// A PromQL duration of at least a second covering `ns`.
pub(crate) fn window(ns: u64) -> String {
    format!("{}s", ns.div_ceil(1_000_000_000).max(1))
}

/// What the hub knows of one node's agent from the store.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
pub struct AgentReport {
    /// Time of the agent's newest sample in the store (ns since the epoch); `null` when it
    /// wrote nothing in the last five minutes.
    pub last_report_ns: Option<u64>,
    /// The agent stopped writing: its rows show the last data it sent.
    pub stale: bool,
    /// Where the agent listens, for the hub's drill-downs.
    pub url: Option<String>,
}

/// The hub's link to the store.
pub struct ClusterStore {
    store: Store,
    stale_after: Duration,
    /// The last query's failure, for `/api/status`.
    last_error: Mutex<Option<String>>,
    /// Blocks of the store's answers (used once the store is known to add them up).
    cache: Mutex<BlockCache>,
    adds_up: AtomicBool,
    /// The agents' heartbeats as last asked, and when (ns): pages within a second share it.
    agents_seen: Mutex<Option<(u64, BTreeMap<String, AgentReport>)>>,
}

impl ClusterStore {
    pub fn new(opts: &StoreOptions) -> Result<ClusterStore, String> {
        Ok(ClusterStore {
            store: Store::new(&opts.url, opts.auth.clone(), opts.timeout)?,
            stale_after: opts.stale_after,
            last_error: Mutex::new(None),
            cache: Mutex::new(BlockCache::default()),
            adds_up: AtomicBool::new(false),
            agents_seen: Mutex::new(None),
        })
    }

    /// Starts the cache's refresher: once per step it asks the store for the step that
    /// every agent has written by now and for the tail since (see store_cache.rs). It ends
    /// when the hub drops its store.
    pub fn start_refresher(self: &Arc<ClusterStore>) {
        let weak = Arc::downgrade(self);
        let spawned = std::thread::Builder::new().name("store-cache".into()).spawn(move || {
            let mut probed = false;
            loop {
                let Some(me) = weak.upgrade() else { return };
                let now = now_ns();
                if !probed {
                    // MetricsQL (VictoriaMetrics) knows `keep_metric_names`; PromQL rejects it.
                    // Only VictoriaMetrics' `increase` adds up over adjacent windows.
                    match me.store.instant("vector(1) keep_metric_names", now as f64 / 1e9) {
                        Ok(_) => {
                            me.adds_up.store(true, Ordering::Relaxed);
                            probed = true;
                        }
                        Err(QueryError::Rejected { .. } | QueryError::Status { .. }) => return,
                        Err(_) => {}
                    }
                }
                if probed {
                    me.refresh(now);
                }
                drop(me);
                // A second into the next step: the agents' writes of the step are in.
                let next = (now / STEP_NS + 1) * STEP_NS + 1_000_000_000;
                std::thread::sleep(Duration::from_nanos(next.saturating_sub(now_ns()).min(STEP_NS)));
            }
        });
        if let Err(e) = spawned {
            eprintln!("kinsight: the store cache's refresher did not start ({e}): every page asks the store for its whole range");
        }
    }

    fn refresh(&self, now: u64) {
        // A silent agent may still send what it holds: its last report holds the seal.
        let hold = self.agents(now).ok().and_then(|agents| {
            agents.values().filter(|a| a.stale).filter_map(|a| a.last_report_ns).filter(|&last| now.saturating_sub(last) < store_cache::HOLD_MAX).min()
        });
        let settle = self.stale_after.as_nanos() as u64 + STEP_NS;
        // A failure shows in `/api/status` like a page's; the next round tries again.
        let _ = self.note(store_cache::refresh(&self.cache, &self.store, now, settle, hold));
    }

    /// The cache's size, for `/api/status`: blocks held and their bytes.
    pub fn cache_size(&self) -> Option<(usize, usize)> {
        self.adds_up.load(Ordering::Relaxed).then(|| {
            let c = store_cache::lock(&self.cache);
            (c.block_count(), c.bytes())
        })
    }

    pub fn url(&self) -> &str {
        self.store.url()
    }

    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn note<T>(&self, r: Result<T, QueryError>) -> Result<T, QueryError> {
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = r.as_ref().err().map(|e| e.to_string());
        r
    }

    /// Each container's counters over `range`, by the catalog series the hub gives it: from
    /// the cache's blocks when the store adds up (the range widened to whole blocks, by at
    /// most 1/60 of it), else asked whole.
    pub fn totals(&self, shared: &Shared, range: TimeRange) -> Result<RangeTotals, QueryError> {
        if !self.adds_up.load(Ordering::Relaxed) {
            return self.totals_asked_whole(shared, range);
        }
        let (from, to) = store_cache::aligned(range.from, range.to);
        let now = now_ns();
        let plan = store_cache::lock(&self.cache).plan(from, to, now);
        let mut blocks = Vec::with_capacity(plan.len());
        for piece in plan {
            blocks.push(match piece {
                Piece::Cached(b) => b,
                Piece::Missing(len, start) => {
                    let b = self.note(store_cache::fetch(&self.cache, &self.store, start, start + len))?;
                    store_cache::lock(&self.cache).keep(len, start, b)
                }
                // Not past now: the store has nothing later, and answers for a window ending now.
                Piece::Rest(a, b) => Arc::new(self.note(store_cache::fetch(&self.cache, &self.store, a, b.min(now).max(a + 1)))?),
            });
        }
        let sums = BlockCache::sum(&blocks);
        let cache = store_cache::lock(&self.cache);
        let mut h = shared.history.write().unwrap_or_else(|e| e.into_inner());
        let mut resolver = SeriesResolver::new(&h.catalog);
        let mut per_series: Vec<Counters> = Vec::new();
        for (container, values) in &sums {
            let id = resolver.series(&mut h.catalog, cache.containers.labels(*container));
            if per_series.len() <= id as usize {
                per_series.resize(id as usize + 1, Counters::default());
            }
            for ((field, _), v) in FIELDS.iter().zip(values) {
                add(&mut per_series[id as usize], *field, *v);
            }
        }
        Ok(RangeTotals { per_series, seconds: ((to - from) as f64 / 1e9).max(1.0), requests: Vec::new() })
    }

    fn totals_asked_whole(&self, shared: &Shared, range: TimeRange) -> Result<RangeTotals, QueryError> {
        let span = range.to.saturating_sub(range.from);
        let answer = self.note(self.store.instant(&all_fields_expr(&window(span)), range.to as f64 / 1e9))?;
        let mut per_series: Vec<Counters> = Vec::new();
        let mut h = shared.history.write().unwrap_or_else(|e| e.into_inner());
        let mut resolver = SeriesResolver::new(&h.catalog);
        for s in &answer {
            let Some(field) = s.labels.get(FIELD_LABEL).and_then(|n| FIELDS.iter().find(|(_, name)| name == n)).map(|(f, _)| *f) else { continue };
            let id = resolver.series(&mut h.catalog, &s.labels);
            if per_series.len() <= id as usize {
                per_series.resize(id as usize + 1, Counters::default());
            }
            add(&mut per_series[id as usize], field, s.value);
        }
        Ok(RangeTotals { per_series, seconds: (span as f64 / 1e9).max(1.0), requests: Vec::new() })
    }

    /// The time series of the selected series, from the store: one range query per field,
    /// by container, summed here over the selection.
    pub fn series(&self, shared: &Shared, range: TimeRange, selected: &[bool], max_points: usize) -> Result<SeriesColumns, QueryError> {
        let span = range.to.saturating_sub(range.from);
        let step_ns = span.div_ceil(max_points.max(1) as u64).max(1_000_000_000).div_ceil(1_000_000_000) * 1_000_000_000;
        let n = span.div_ceil(step_ns) as usize;
        let step_s = step_ns as f64 / 1e9;
        let mut per_bucket = vec![Counters::default(); n];
        let mut memory: Vec<Option<u64>> = vec![None; n];
        // Point t of a range query covers (t - step, t]: the bucket starting at t - step.
        let (start, end) = ((range.from + step_ns) as f64 / 1e9, (range.from + step_ns * n as u64) as f64 / 1e9);
        let answer = self.note(self.store.range(&all_fields_expr(&window(step_ns)), start, end, step_s))?;
        let mut h = shared.history.write().unwrap_or_else(|e| e.into_inner());
        let mut resolver = SeriesResolver::new(&h.catalog);
        for s in &answer {
            let Some(field) = s.labels.get(FIELD_LABEL).and_then(|n| FIELDS.iter().find(|(_, name)| name == n)).map(|(f, _)| *f) else { continue };
            let id = resolver.series(&mut h.catalog, &s.labels);
            if !selected.get(id as usize).copied().unwrap_or(true) {
                continue;
            }
            for &(t, v) in &s.points {
                let slot = ((t * 1e9) as u64).saturating_sub(range.from + step_ns) / step_ns;
                let Some(bucket) = per_bucket.get_mut(slot as usize) else { continue };
                if field == Field::Rss {
                    if v.is_finite() {
                        *memory[slot as usize].get_or_insert(0) += v.round() as u64;
                    }
                } else {
                    add(bucket, field, v);
                }
            }
        }
        Ok(SeriesColumns::from_buckets(range.from, step_ns, &per_bucket, memory))
    }

    /// The connections of the cluster over `range`, as [`ConnView`]s of the hub's series:
    /// each agent names a peer it knows (a pod, service or node of its own) and gives the
    /// address of any other; the hub turns names back into their addresses, so that one
    /// resolver (the hub's, which knows every pod and when it held its IP) places both ends.
    pub fn conn_views(&self, shared: &Shared, range: TimeRange) -> Result<Vec<ConnView>, QueryError> {
        let span = range.to.saturating_sub(range.from);
        let expr = format!("sum by ({BY}, side, peer_kind, peer_namespace, peer, port, direction) (increase(kinsight_connection_bytes_total[{}]))", window(span));
        let answer = self.note(self.store.instant(&expr, range.to as f64 / 1e9))?;
        let mut h = shared.history.write().unwrap_or_else(|e| e.into_inner());
        let mut resolver = SeriesResolver::new(&h.catalog);
        let at = range.to.saturating_sub(1);
        let mut views: FxHashMap<ConnKey, ConnCounters> = FxHashMap::default();
        for s in &answer {
            let get = |k: &str| s.labels.get(k).map(String::as_str).unwrap_or("");
            let observer = resolver.series(&mut h.catalog, &s.labels);
            let side = match get("side") {
                "server" => Side::Server,
                "client" => Side::Client,
                _ => continue,
            };
            let own = own_address(&h.catalog, get("namespace"), get("pod"), get("node"));
            let Some(peer) = peer_address(&h.catalog, get("peer_kind"), get("peer_namespace"), get("peer")) else { continue };
            let Ok(server_port) = get("port").parse::<u16>() else { continue };
            let (client, server) = if side == Side::Server { (peer, own) } else { (own, peer) };
            let c = views.entry(ConnKey { proto: Proto::Tcp, client, server, server_port, observer, side }).or_default();
            let bytes = if s.value.is_finite() && s.value > 0.0 { s.value.round() as u64 } else { 0 };
            if get("direction") == "in" {
                c.bytes_in += bytes;
            } else {
                c.bytes_out += bytes;
            }
        }
        Ok(views.into_iter().map(|(key, counters)| ConnView { key, counters, at }).collect())
    }

    /// Each node's agent: when it last wrote, where it listens, and whether it is stale at
    /// `now_ns`.
    pub fn agents(&self, now_ns: u64) -> Result<BTreeMap<String, AgentReport>, QueryError> {
        if let Some((at, seen)) = &*self.agents_seen.lock().unwrap_or_else(|e| e.into_inner()) {
            if now_ns >= *at && now_ns - at < 1_000_000_000 {
                return Ok(seen.clone());
            }
        }
        let out = self.agents_asked(now_ns)?;
        *self.agents_seen.lock().unwrap_or_else(|e| e.into_inner()) = Some((now_ns, out.clone()));
        Ok(out)
    }

    fn agents_asked(&self, now_ns: u64) -> Result<BTreeMap<String, AgentReport>, QueryError> {
        // Every agent writes its address every round: its heartbeat.
        let answer = self.note(self.store.instant("max by (node, url) (timestamp(kinsight_agent_info))", now_ns as f64 / 1e9))?;
        let mut out: BTreeMap<String, AgentReport> = BTreeMap::new();
        for s in answer {
            let Some(node) = s.labels.get("node").cloned() else { continue };
            let last = (s.value * 1e9) as u64;
            let report = AgentReport { last_report_ns: Some(last), stale: now_ns.saturating_sub(last) > self.stale_after.as_nanos() as u64, url: s.labels.get("url").cloned() };
            // A restarted agent may listen elsewhere: the newest address is the one.
            if out.get(&node).is_none_or(|r| r.last_report_ns < report.last_report_ns) {
                out.insert(node, report);
            }
        }
        Ok(out)
    }
}

/// The address of a container the store names: its pod's IP, else its node's (host
/// network), else unspecified.
fn own_address(c: &Catalog, namespace: &str, pod: &str, node: &str) -> IpAddr {
    let pod_ip = (!pod.is_empty()).then(|| c.pods.values().filter(|p| p.namespace == namespace && p.name == pod).filter_map(|p| p.ip).next_back()).flatten();
    pod_ip.or_else(|| c.nodes.get(node).and_then(|n| n.ips.first().copied())).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The address of a connection's peer as an agent named it.
fn peer_address(c: &Catalog, kind: &str, namespace: &str, name: &str) -> Option<IpAddr> {
    match kind {
        "address" => name.parse().ok(),
        "pod" => c.pods.values().filter(|p| p.namespace == namespace && p.name == name).filter_map(|p| p.ip).next_back(),
        "service" => c.services.values().find(|s| s.namespace == namespace && s.name == name).and_then(|s| s.cluster_ip),
        "node" => c.nodes.get(name).and_then(|n| n.ips.first().copied()),
        _ => None,
    }
}

/// Gives each container of a store's answer a series of the hub's catalog.
struct SeriesResolver {
    /// Pod uid by (namespace, name): the one created last, when a name was reused.
    pods: FxHashMap<(String, String), String>,
    /// Container id by (pod uid, container name), from the pods' statuses.
    containers: FxHashMap<(String, String), String>,
    /// Each pod's first container (by id, the sandbox left out): per-pod counters go there.
    first_container: FxHashMap<String, String>,
}

impl SeriesResolver {
    fn new(c: &Catalog) -> SeriesResolver {
        let mut pods: FxHashMap<(String, String), (Option<u64>, String)> = FxHashMap::default();
        for p in c.pods.values() {
            let key = (p.namespace.clone(), p.name.clone());
            let created = p.lifetime.created_ns;
            if pods.get(&key).is_none_or(|(c0, _)| *c0 <= created) {
                pods.insert(key, (created, p.uid.clone()));
            }
        }
        let containers: FxHashMap<(String, String), String> = c.containers.values().filter_map(|m| Some(((m.pod_uid.clone()?, m.pod_container_name.clone()?), m.id.clone()))).collect();
        let mut first_container: FxHashMap<String, String> = FxHashMap::default();
        for ((uid, name), id) in &containers {
            if name != "POD" && first_container.get(uid).is_none_or(|first| id < first) {
                first_container.insert(uid.clone(), id.clone());
            }
        }
        SeriesResolver { pods: pods.into_iter().map(|(k, (_, uid))| (k, uid)).collect(), containers, first_container }
    }

    fn series(&mut self, catalog: &mut Catalog, labels: &Labels) -> SeriesId {
        let get = |k: &str| labels.get(k).map(String::as_str).unwrap_or("");
        let (namespace, pod, container, node) = (get("namespace"), get("pod"), get("container"), get("node"));
        let pod_uid = (!pod.is_empty()).then(|| self.pods.get(&(namespace.to_string(), pod.to_string())).cloned()).flatten();
        let id = match (&pod_uid, container) {
            // Per-pod counters (HTTP) have no container: the pod's first container has them.
            (Some(uid), "") => self.first_container.get(uid).cloned().unwrap_or_else(|| format!("store:{uid}")),
            (Some(uid), name) => match self.containers.get(&(uid.clone(), name.to_string())) {
                Some(id) => id.clone(),
                None => format!("store:{uid}/{name}"),
            },
            // A pod the hub does not know (yet, or any more): its own container.
            (None, name) if !pod.is_empty() => format!("store:{node}/{namespace}/{pod}/{name}"),
            (None, "") => return catalog.intern_store_series(None, "(host processes)", node),
            (None, name) => format!("store:{node}/{name}"),
        };
        if !catalog.containers.contains_key(&id) {
            let (pod_uid, pod_container_name) = match &pod_uid {
                Some(uid) => (Some(uid.clone()), Some(if container.is_empty() { "(pod)".to_string() } else { container.to_string() })),
                None => (None, None),
            };
            let name = if pod.is_empty() { container.to_string() } else { format!("{namespace}/{pod}/{container}") };
            catalog.upsert_container(ContainerMeta { id: id.clone(), name, pod_uid: pod_uid.clone(), pod_container_name: pod_container_name.clone(), ..ContainerMeta::default() });
            if let (Some(uid), Some(n)) = (pod_uid, pod_container_name) {
                if n != "POD" && self.first_container.get(&uid).is_none_or(|first| &id < first) {
                    self.first_container.insert(uid.clone(), id.clone());
                }
                self.containers.insert((uid, n), id.clone());
            }
        }
        let name = if container.is_empty() { pod } else { container };
        catalog.intern_store_series(Some(id), name, node)
    }
}
