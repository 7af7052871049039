//! What the API computes from history: entity rows grouped at a level, time series of one
//! entity, the topology between entities, and the drill-downs (connections, files, HTTP,
//! requests of every protocol). All of it reads the history under a read lock and the
//! entity index; nothing here serves HTTP requests.

use crate::entities::{AddressOwner, EntityIndex, Hierarchy, K8sState, LabelGroups, Level};
use crate::fields::{ConnFields, FileFields, HttpFields, SeriesFields};
use crate::params::TimeRange;
use kinsight_filter::Filter;
use kinsight_history::{protocols_of, Catalog, ConnCounters, ConnKey, Counters, FileCounters, FileKey, History, ProcessMeta, ProtoSet, ReqCounters, ReqProto, SeriesId, Side, STORE_PID};
use rustc_hash::{FxHashMap, FxHashSet};
use schemars::JsonSchema;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// The series a request looks at: alive during the range, inside the parent entity,
/// matching the filter (`matching`: one flag per series, see [`filter_mask`]).
pub fn select_series(history: &History, ix: &EntityIndex, labels: Option<&LabelGroups>, range: TimeRange, within: Option<u32>, matching: Option<&[bool]>) -> Vec<bool> {
    let finest = history.tiers().first().map_or(1_000_000_000, |t| t.resolution_ns());
    history
        .catalog
        .all_series()
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let id = i as SeriesId;
            // A series is alive from its first to its last sample (which covers a whole
            // interval).
            let alive = m.first_ns < range.to && m.last_ns + finest > range.from;
            alive && matching.is_none_or(|f| f.get(i).copied().unwrap_or(false)) && within.is_none_or(|e| ix.contains(e, id, labels))
        })
        .collect()
}

/// Which series an entity filter keeps. It depends on names and links only, not on time,
/// so the server caches it while the catalog does not change.
pub fn filter_mask(history: &History, filter: &Filter) -> Vec<bool> {
    let catalog = &history.catalog;
    (0..catalog.series_count() as SeriesId).map(|id| SeriesFields::new(catalog, id).is_some_and(|s| filter.matches(&s))).collect()
}

/// Which catalog entities (those without series) a filter keeps, by entity: a pod when
/// its Kubernetes fields match (its process fields have no value), its containers with
/// it, and everything that contains it.
pub fn catalog_mask(history: &History, ix: &EntityIndex, filter: &Filter) -> Vec<bool> {
    let catalog = &history.catalog;
    let mut mask = vec![false; ix.entities.len()];
    for pod in catalog.pods.values() {
        let Some(pe) = ix.pod_entity(&pod.uid) else { continue };
        if filter.matches(&SeriesFields::of_pod(catalog, pod)) {
            mask[pe as usize] = true;
            for &a in ix.ancestors(pe) {
                mask[a as usize] = true;
            }
        }
    }
    for &e in &ix.catalog_only {
        if ix.entity(e).level == Level::Container && ix.ancestors(e).iter().any(|a| ix.entity(*a).level == Level::Pod && mask[*a as usize]) {
            mask[e as usize] = true;
        }
    }
    mask
}

/// One row of an entity table. Names are borrowed from the entity index: a page of ten
/// thousand rows is written without copying them.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct EntityRow<'a> {
    pub id: Cow<'a, str>,
    pub kind: &'a str,
    pub name: &'a str,
    pub namespace: Option<&'a str>,
    /// Processes that ran during the range (total), those with activity or memory in it.
    pub processes: u32,
    /// CPU over the range, percent of one core (average).
    pub cpu_pct: f64,
    /// Resident memory at the end of the range: the last sample of each process still
    /// running then, summed.
    pub memory_bytes: u64,
    /// Bytes read from files during the range (total).
    pub file_read_bytes: u64,
    /// Bytes written to files during the range (total).
    pub file_write_bytes: u64,
    /// Bytes read and written on files during the range (total).
    pub file_bytes: u64,
    /// Bytes received on sockets during the range (total).
    pub net_in_bytes: u64,
    /// Bytes sent on sockets during the range (total).
    pub net_out_bytes: u64,
    /// Bytes received and sent on sockets during the range (total).
    pub net_bytes: u64,
    /// Requests the entity served during the range (total).
    pub http_requests: u64,
    /// Requests served per second over the range (average).
    pub http_rps: f64,
    /// Requests served answered with 5xx during the range (total).
    pub http_errors: u64,
    /// Share of the requests served during the range answered with 5xx, in percent; `null`
    /// without requests.
    pub http_error_pct: Option<f64>,
    /// Mean latency of the requests served during the range, milliseconds; `null` without
    /// requests.
    pub http_latency_ms: Option<f64>,
    /// Requests the entity sent as a client during the range (total).
    pub http_out_requests: u64,
    /// Requests of every protocol (HTTP, DNS, PostgreSQL, MySQL, Redis, ...; only the one
    /// of `protocol` when it is given) the entity served during the range (total).
    pub requests: u64,
    /// Requests served per second over the range (average).
    pub request_rps: f64,
    /// Requests served that failed (HTTP 5xx, an SQL error, a DNS error code, a Redis
    /// error reply) during the range (total).
    pub request_errors: u64,
    /// Share of the requests served during the range that failed, in percent; `null`
    /// without requests.
    pub request_error_pct: Option<f64>,
    /// Mean latency of the requests served during the range, milliseconds; `null` without
    /// requests.
    pub request_latency_ms: Option<f64>,
    /// Requests of every protocol (or of `protocol`) the entity sent as a client during the
    /// range (total).
    pub sent_requests: u64,
    /// Requests sent per second over the range (average).
    pub sent_rps: f64,
    /// Requests sent that failed during the range (total).
    pub sent_errors: u64,
    /// Share of the requests sent during the range that failed, in percent; `null` without
    /// requests.
    pub sent_error_pct: Option<f64>,
    /// Mean latency of the requests sent during the range, milliseconds; `null` without
    /// requests.
    pub sent_latency_ms: Option<f64>,
    /// The protocols the entity's processes served or sent requests of during the range
    /// (all of them, whatever `protocol`).
    pub protocols: Vec<&'static str>,
    /// Whether the hierarchy goes deeper below this row.
    pub has_children: bool,
    /// What Kubernetes says of it, when it is a Kubernetes object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k8s: Option<&'a K8sState>,
    /// The process, on rows of the process level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<ProcessInfo>,
    /// Processes grouped in this row, on rows grouped by command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// In the hub, on node rows: when the node's agent last wrote to the store, and
    /// whether it stopped (the row then shows the last data it sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<crate::cluster::AgentReport>,
    /// The totals the columns come from (grouping rows sums them again).
    #[serde(skip)]
    acc: Acc,
}

/// What `ps` would say of a process row.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ProcessInfo {
    pub pid: i64,
    pub cmdline: String,
    /// The user name the source's user list gives, else the uid; None when not seen.
    pub user: Option<String>,
    /// Still running at the end of the range.
    pub alive: bool,
}

impl ProcessInfo {
    fn of(catalog: &Catalog, meta: &ProcessMeta, at: u64) -> ProcessInfo {
        ProcessInfo {
            pid: meta.key.pid,
            cmdline: meta.cmdline.clone(),
            user: meta.uid.map(|u| catalog.users.get(&u).cloned().unwrap_or_else(|| u.to_string())),
            alive: meta.alive_at(at),
        }
    }
}

#[derive(Default, Clone, Copy, Debug)]
struct Acc {
    c: Counters,
    req: ReqCounters,
    protocols: ProtoSet,
    memory_kb: u64,
    processes: u32,
    /// The last series added: a process row's own.
    series: Option<SeriesId>,
}

impl Acc {
    fn add(&mut self, c: &Counters, req: &(ReqCounters, ProtoSet), series: SeriesId, processes: u32) {
        let rss = c.rss_kb as u64;
        self.c.merge(c);
        self.req.merge(&req.0);
        self.protocols |= req.1;
        self.memory_kb += rss;
        self.processes += processes;
        self.series = Some(series);
    }

    fn merge(&mut self, o: &Acc) {
        self.c.merge(&o.c);
        self.req.merge(&o.req);
        self.protocols |= o.protocols;
        self.memory_kb += o.memory_kb;
        self.processes += o.processes;
    }
}

pub const SORT_KEYS: &[&str] = &[
    "name", "kind", "phase", "restarts", "age", "processes", "cpu_pct", "memory_bytes", "file_bytes", "file_read_bytes", "file_write_bytes", "net_bytes", "net_in_bytes", "net_out_bytes", "http_requests", "http_rps",
    "http_error_pct", "http_latency_ms", "requests", "request_rps", "request_errors", "request_error_pct", "request_latency_ms", "sent_requests", "sent_rps", "sent_errors", "sent_error_pct",
    "sent_latency_ms",
];

/// How rows are grouped: by the entity at `level` (label values from `labels`).
pub struct Grouping<'a> {
    pub level: Level,
    pub labels: Option<&'a LabelGroups>,
    /// The hierarchy goes deeper than this level (rows can be opened).
    pub has_children: bool,
    /// List entities the catalog knows without series (with zero counters).
    pub include_empty: bool,
    /// With a filter: which of those it keeps, by entity ([`catalog_mask`]).
    pub catalog_mask: Option<&'a [bool]>,
    /// Only what is inside this entity.
    pub parent: Option<u32>,
    /// The range reaches the newest data: objects created since then exist in it too.
    pub open_end: bool,
    /// At the process level: only processes still running at the end of the range.
    pub alive_only: bool,
    /// At the process level: one row per command name, with the count of its processes.
    pub by_command: bool,
    /// The hierarchy's first level. Listing a deeper level from the top keeps only what the
    /// top level holds: the logical hierarchy's pods are those of its namespaces, not a
    /// node's processes outside pods, so that every level adds up to the same whole.
    pub top: Level,
}

impl<'a> Grouping<'a> {
    pub fn new(hierarchy: &Hierarchy, level: Level, labels: Option<&'a LabelGroups>) -> Grouping<'a> {
        Grouping { level, labels, has_children: hierarchy.levels().last() != Some(&level), include_empty: true, catalog_mask: None, parent: None, open_end: false, alive_only: false, by_command: false, top: hierarchy.levels()[0] }
    }
}

/// Each series' counters over a range, from this history's buckets or from a store, and the
/// seconds they cover (rates are divided by it).
pub struct RangeTotals {
    pub per_series: Vec<Counters>,
    pub seconds: f64,
    /// Each series' requests (of one protocol, or all) and the protocols it spoke. Empty
    /// when the source keeps none per protocol (a store): the HTTP counters stand for them.
    pub requests: Vec<(ReqCounters, ProtoSet)>,
}

impl RangeTotals {
    pub fn of_history(history: &History, range: TimeRange, protocol: Option<ReqProto>) -> RangeTotals {
        RangeTotals { per_series: history.series_totals(range.from, range.to), seconds: range.covered_seconds(history), requests: history.request_totals(range.from, range.to, protocol) }
    }

    /// The requests of series `i`.
    fn requests_of(&self, i: usize, c: &Counters) -> (ReqCounters, ProtoSet) {
        match self.requests.get(i) {
            Some(r) => *r,
            None if self.requests.is_empty() => {
                let http = ReqCounters::of_http(c);
                (http, if http.is_empty() { 0 } else { ReqProto::Http.bit() })
            }
            None => Default::default(),
        }
    }
}

/// Groups the selected series' totals by entity.
pub fn entity_rows<'i>(history: &History, ix: &'i EntityIndex, g: &Grouping, range: TimeRange, selected: &[bool], totals: &RangeTotals) -> Vec<EntityRow<'i>> {
    let (level, labels) = (g.level, g.labels);
    let range_totals = totals;
    let (totals, secs) = (&totals.per_series, totals.seconds);
    // Dense by entity number: cheaper than a map for the tens of thousands of groups a
    // pod-level page has.
    let mut acc: Vec<Option<Acc>> = vec![None; ix.entities.len()];
    for (i, sel) in selected.iter().enumerate() {
        if !sel {
            continue;
        }
        let mut c = totals.get(i).copied().unwrap_or_default();
        // Memory is what runs at the end of the range holds: not an exited process's last.
        if history.catalog.series(i as SeriesId).is_some_and(|m| !alive_at_end(m, g, range)) {
            c.rss_kb = 0;
        }
        if level == Level::Process && g.alive_only && !history.catalog.series(i as SeriesId).is_some_and(|m| alive_at_end(m, g, range)) {
            continue;
        }
        if g.parent.is_none() && level != g.top && ix.of_series(g.top, i as SeriesId, labels).iter().next().is_none() {
            continue;
        }
        // A store's series is a container's total, not a process.
        let processes = u32::from(history.catalog.series(i as SeriesId).is_none_or(|m| m.key.pid != STORE_PID));
        let req = range_totals.requests_of(i, &c);
        for e in ix.of_series(level, i as SeriesId, labels).iter() {
            acc[e as usize].get_or_insert_with(Acc::default).add(&c, &req, i as SeriesId, processes);
        }
    }
    if g.include_empty {
        let to = if g.open_end { u64::MAX } else { range.to };
        let kept = |e: u32| ix.alive(e, range.from, to) && g.catalog_mask.is_none_or(|m| m.get(e as usize).copied().unwrap_or(false));
        for &e in &ix.catalog_only {
            if ix.entity(e).level == level && kept(e) && g.parent.is_none_or(|p| ix.catalog_inside(e, p, labels)) {
                acc[e as usize].get_or_insert_with(Acc::default);
            }
        }
        // Label values held only by pods without series.
        if let (Level::Label, Some(l), None) = (level, labels, g.parent) {
            for (&pod, &group) in &l.of_pod {
                if ix.is_catalog_only(pod) && kept(pod) {
                    acc[group as usize].get_or_insert_with(Acc::default);
                }
            }
        }
    }
    let at = if g.open_end { u64::MAX } else { range.to.saturating_sub(1) };
    let rows = acc.iter().enumerate().filter_map(|(e, a)| a.as_ref().map(|a| row(history, ix, e as u32, a, secs, g.has_children, at)));
    if level == Level::Process && g.by_command {
        return by_command(rows.collect(), secs);
    }
    rows.collect()
}

fn alive_at_end(meta: &ProcessMeta, g: &Grouping, range: TimeRange) -> bool {
    if g.open_end {
        meta.exit_ns.is_none()
    } else {
        meta.alive_at(range.to.saturating_sub(1))
    }
}

/// Process rows folded into one row per command name (`cmdgroup:NAME`), as `ps` users
/// group a host's hundreds of `awk`s: counters summed, `count` processes.
fn by_command(rows: Vec<EntityRow<'_>>, secs: f64) -> Vec<EntityRow<'_>> {
    let mut groups: BTreeMap<&str, (Acc, Option<&str>)> = BTreeMap::new();
    for r in &rows {
        let g = groups.entry(r.name).or_insert((Acc::default(), r.namespace));
        g.0.merge(&r.acc);
        if g.1 != r.namespace {
            g.1 = None;
        }
    }
    groups
        .into_iter()
        .map(|(name, (a, namespace))| EntityRow {
            id: Cow::Owned(format!("cmdgroup:{name}")),
            kind: "command",
            name,
            namespace,
            count: Some(a.processes),
            process: None,
            k8s: None,
            has_children: false,
            ..counter_columns(&a, secs)
        })
        .collect()
}

fn row<'i>(history: &History, ix: &'i EntityIndex, e: u32, a: &Acc, secs: f64, deeper: bool, at: u64) -> EntityRow<'i> {
    let ent = ix.entity(e);
    let process = (ent.level == Level::Process).then(|| a.series.and_then(|s| history.catalog.series(s))).flatten().map(|m| ProcessInfo::of(&history.catalog, m, at));
    EntityRow {
        id: Cow::Borrowed(&ent.id),
        kind: &ent.kind,
        name: &ent.name,
        namespace: ent.namespace.as_deref(),
        has_children: deeper && ent.kind != "process",
        k8s: ix.state(e),
        process,
        count: None,
        ..counter_columns(a, secs)
    }
}

/// The counter columns of a row from its totals; names and state left empty.
fn counter_columns(a: &Acc, secs: f64) -> EntityRow<'static> {
    let c = &a.c;
    let served = c.http_in as u64;
    let q = &a.req;
    let (pct, mean_ms) = (share_pct, mean_ms);
    EntityRow {
        id: Cow::Borrowed(""),
        kind: "",
        name: "",
        namespace: None,
        processes: a.processes,
        // Ticks are 1/100 s: ticks per second is CPU percent of one core.
        cpu_pct: c.cpu_ticks as f64 / secs,
        memory_bytes: a.memory_kb * 1024,
        file_read_bytes: c.file_read,
        file_write_bytes: c.file_write,
        file_bytes: c.file_read + c.file_write,
        net_in_bytes: c.net_in,
        net_out_bytes: c.net_out,
        net_bytes: c.net_in + c.net_out,
        http_requests: served,
        http_rps: served as f64 / secs,
        http_errors: c.http_in_errors as u64,
        http_error_pct: (served > 0).then(|| c.http_in_errors as f64 * 100.0 / served as f64),
        http_latency_ms: (served > 0).then(|| c.http_in_latency_us as f64 / served as f64 / 1000.0),
        http_out_requests: c.http_out as u64,
        requests: q.served as u64,
        request_rps: q.served as f64 / secs,
        request_errors: q.served_errors as u64,
        request_error_pct: pct(q.served_errors, q.served),
        request_latency_ms: mean_ms(q.served_latency_us, q.served),
        sent_requests: q.sent as u64,
        sent_rps: q.sent as f64 / secs,
        sent_errors: q.sent_errors as u64,
        sent_error_pct: pct(q.sent_errors, q.sent),
        sent_latency_ms: mean_ms(q.sent_latency_us, q.sent),
        protocols: protocols_of(a.protocols).map(ReqProto::as_str).collect(),
        has_children: false,
        k8s: None,
        process: None,
        count: None,
        agent: None,
        acc: *a,
    }
}

/// `errors` of `n` in percent; `None` without any.
fn share_pct(errors: u32, n: u32) -> Option<f64> {
    (n > 0).then(|| errors as f64 * 100.0 / n as f64)
}

/// The mean of `n` latencies summing to `us` microseconds, in milliseconds; `None` without any.
fn mean_ms(us: u64, n: u32) -> Option<f64> {
    (n > 0).then(|| us as f64 / n as f64 / 1000.0)
}

/// Sorts rows by a column (ties by name, then id, so pages are stable).
pub fn sort_rows(rows: &mut Vec<EntityRow<'_>>, key: &str, descending: bool) {
    let num = |r: &EntityRow| -> f64 {
        match key {
            "processes" => r.processes as f64,
            "cpu_pct" => r.cpu_pct,
            "memory_bytes" => r.memory_bytes as f64,
            "file_bytes" => r.file_bytes as f64,
            "file_read_bytes" => r.file_read_bytes as f64,
            "file_write_bytes" => r.file_write_bytes as f64,
            "net_bytes" => r.net_bytes as f64,
            "net_in_bytes" => r.net_in_bytes as f64,
            "net_out_bytes" => r.net_out_bytes as f64,
            "http_requests" => r.http_requests as f64,
            "http_rps" => r.http_rps,
            "http_error_pct" => r.http_error_pct.unwrap_or(-1.0),
            "http_latency_ms" => r.http_latency_ms.unwrap_or(-1.0),
            "requests" => r.requests as f64,
            "request_rps" => r.request_rps,
            "request_errors" => r.request_errors as f64,
            "request_error_pct" => r.request_error_pct.unwrap_or(-1.0),
            "request_latency_ms" => r.request_latency_ms.unwrap_or(-1.0),
            "sent_requests" => r.sent_requests as f64,
            "sent_rps" => r.sent_rps,
            "sent_errors" => r.sent_errors as f64,
            "sent_error_pct" => r.sent_error_pct.unwrap_or(-1.0),
            "sent_latency_ms" => r.sent_latency_ms.unwrap_or(-1.0),
            "restarts" => r.k8s.and_then(|k| k.restarts).map_or(-1.0, f64::from),
            // Older first when descending, as `kubectl get` users read AGE.
            "age" => r.k8s.and_then(|k| k.created_ns).map_or(f64::NEG_INFINITY, |c| -(c as f64)),
            _ => 0.0,
        }
    };
    // As the Status column reads: a deleted object says so, whatever its last phase; case
    // apart, so that `deleted` sorts among `Pending` and `Running`.
    let phase = |r: &EntityRow<'_>| {
        r.k8s.and_then(|k| if k.deleted_ns.is_some() { Some("deleted".to_string()) } else { k.phase.clone() }).unwrap_or_default().to_ascii_lowercase()
    };
    let by_text = matches!(key, "name" | "kind" | "phase");
    // The key of each row is computed once, not at every comparison.
    let mut keyed: Vec<(f64, EntityRow<'_>)> = rows.drain(..).map(|r| (if by_text { 0.0 } else { num(&r) }, r)).collect();
    keyed.sort_by(|(ka, a), (kb, b)| {
        let primary = match key {
            "name" => a.name.cmp(b.name),
            "kind" => a.kind.cmp(b.kind),
            "phase" => phase(a).cmp(&phase(b)),
            _ => ka.total_cmp(kb),
        };
        let primary = if descending { primary.reverse() } else { primary };
        primary.then_with(|| a.name.cmp(b.name)).then_with(|| a.id.cmp(&b.id))
    });
    rows.extend(keyed.into_iter().map(|(_, r)| r));
}

/// Columns of a time series, one value per bucket.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SeriesColumns {
    pub resolution_s: f64,
    /// Bucket start, seconds since the epoch.
    pub t: Vec<f64>,
    pub cpu_pct: Vec<f64>,
    /// `null` where no process of the entity had a recent memory sample.
    pub memory_bytes: Vec<Option<u64>>,
    pub net_in_bps: Vec<f64>,
    pub net_out_bps: Vec<f64>,
    pub file_read_bps: Vec<f64>,
    pub file_write_bps: Vec<f64>,
    pub http_rps: Vec<f64>,
    pub http_error_pct: Vec<Option<f64>>,
    pub http_latency_ms: Vec<Option<f64>>,
    /// Requests of every protocol (or of `protocol`) served per second.
    pub request_rps: Vec<f64>,
    /// Share of them that failed, percent; `null` where none were served.
    pub request_error_pct: Vec<Option<f64>>,
    /// Their mean latency, milliseconds; `null` where none were served.
    pub request_latency_ms: Vec<Option<f64>>,
    /// Requests of every protocol (or of `protocol`) sent per second.
    pub sent_rps: Vec<f64>,
    pub sent_error_pct: Vec<Option<f64>>,
    pub sent_latency_ms: Vec<Option<f64>>,
}

/// Memory samples of idle processes are 10 s apart: a sample stays the process's memory
/// for that long.
const GAUGE_STALE_NS: u64 = 10_000_000_000;

pub fn series_columns(history: &History, range: TimeRange, selected: &[bool], max_points: usize, protocol: Option<ReqProto>) -> SeriesColumns {
    let tl = history.timeline(range.from, range.to, max_points).expect("history has tiers");
    let res = tl.resolution_ns;
    let n = (tl.end - tl.first) as usize;
    let mut per_bucket: Vec<Counters> = vec![Counters::default(); n];
    let mut reqs: Vec<ReqCounters> = vec![ReqCounters::default(); n];
    let mut rss_samples: Vec<Vec<(SeriesId, u32)>> = vec![Vec::new(); n];
    for b in history.timeline_buckets(&tl) {
        let slot = (b.index - tl.first) as usize;
        b.for_each_request(|id, p, c| {
            if protocol.is_none_or(|want| want == p) && selected.get(id as usize).copied().unwrap_or(false) {
                reqs[slot].merge(c);
            }
        });
        let sum = &mut per_bucket[slot];
        b.procs.for_each(|id, c| {
            if selected.get(*id as usize).copied().unwrap_or(false) {
                let mut c2 = *c;
                c2.rss_kb = 0;
                sum.merge(&c2);
                if c.rss_kb > 0 {
                    rss_samples[slot].push((*id, c.rss_kb));
                }
            }
        });
    }
    // Memory: each process's latest sample, while it is fresh.
    let stale_buckets = (GAUGE_STALE_NS / res).max(1) as usize;
    let mut last: FxHashMap<SeriesId, (usize, u32)> = FxHashMap::default();
    let mut memory = Vec::with_capacity(n);
    for (slot, samples) in rss_samples.iter().enumerate() {
        for (id, kb) in samples {
            last.insert(*id, (slot, *kb));
        }
        last.retain(|_, (at, _)| slot - *at < stale_buckets);
        memory.push((!last.is_empty()).then(|| last.values().map(|(_, kb)| *kb as u64 * 1024).sum()));
    }
    let mut cols = SeriesColumns::from_buckets(tl.first * res, res, &per_bucket, memory);
    cols.set_requests(&reqs);
    cols
}

impl SeriesColumns {
    /// Columns of consecutive buckets of `resolution_ns` from `first_ns`: their counters,
    /// and the memory held in each (`None`: no sample).
    pub fn from_buckets(first_ns: u64, resolution_ns: u64, per_bucket: &[Counters], memory_bytes: Vec<Option<u64>>) -> SeriesColumns {
        let n = per_bucket.len();
        let res_s = resolution_ns as f64 / 1e9;
        let mut out = SeriesColumns {
            resolution_s: res_s,
            t: Vec::with_capacity(n),
            cpu_pct: Vec::with_capacity(n),
            memory_bytes,
            net_in_bps: Vec::with_capacity(n),
            net_out_bps: Vec::with_capacity(n),
            file_read_bps: Vec::with_capacity(n),
            file_write_bps: Vec::with_capacity(n),
            http_rps: Vec::with_capacity(n),
            http_error_pct: Vec::with_capacity(n),
            http_latency_ms: Vec::with_capacity(n),
            request_rps: Vec::new(),
            request_error_pct: Vec::new(),
            request_latency_ms: Vec::new(),
            sent_rps: Vec::new(),
            sent_error_pct: Vec::new(),
            sent_latency_ms: Vec::new(),
        };
        for (slot, c) in per_bucket.iter().enumerate() {
            out.t.push((first_ns + slot as u64 * resolution_ns) as f64 / 1e9);
            out.cpu_pct.push(c.cpu_ticks as f64 / res_s);
            out.net_in_bps.push(c.net_in as f64 / res_s);
            out.net_out_bps.push(c.net_out as f64 / res_s);
            out.file_read_bps.push(c.file_read as f64 / res_s);
            out.file_write_bps.push(c.file_write as f64 / res_s);
            out.http_rps.push(c.http_in as f64 / res_s);
            let served = c.http_in as f64;
            out.http_error_pct.push((c.http_in > 0).then(|| c.http_in_errors as f64 * 100.0 / served));
            out.http_latency_ms.push((c.http_in > 0).then(|| c.http_in_latency_us as f64 / served / 1000.0));
        }
        // A store keeps no requests per protocol: its HTTP ones are the requests it has.
        out.set_requests(&per_bucket.iter().map(ReqCounters::of_http).collect::<Vec<_>>());
        out
    }

    /// The request columns from each bucket's requests.
    pub fn set_requests(&mut self, per_bucket: &[ReqCounters]) {
        let res_s = self.resolution_s;
        let pct = share_pct;
        self.request_rps = per_bucket.iter().map(|c| c.served as f64 / res_s).collect();
        self.request_error_pct = per_bucket.iter().map(|c| pct(c.served_errors, c.served)).collect();
        self.request_latency_ms = per_bucket.iter().map(|c| mean_ms(c.served_latency_us, c.served)).collect();
        self.sent_rps = per_bucket.iter().map(|c| c.sent as f64 / res_s).collect();
        self.sent_error_pct = per_bucket.iter().map(|c| pct(c.sent_errors, c.sent)).collect();
        self.sent_latency_ms = per_bucket.iter().map(|c| mean_ms(c.sent_latency_us, c.sent)).collect();
    }
}

/// Where a connection end is, at the level being looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EndRef {
    Entity(u32),
    /// An address no known entity owns.
    Address(IpAddr),
}

/// Maps connection ends to entities at one level.
pub struct Resolver<'a> {
    pub ix: &'a EntityIndex,
    pub labels: Option<&'a LabelGroups>,
    pub level: Level,
    history: &'a History,
    /// A series inside each pod entity, to find the pod's entity at other levels.
    pod_series: FxHashMap<u32, SeriesId>,
}

impl<'a> Resolver<'a> {
    pub fn new(history: &'a History, ix: &'a EntityIndex, labels: Option<&'a LabelGroups>, level: Level) -> Resolver<'a> {
        let mut pod_series = FxHashMap::default();
        for i in 0..ix.series_count() {
            for e in ix.of_series(Level::Pod, i as SeriesId, None).iter() {
                pod_series.entry(e).or_insert(i as SeriesId);
            }
        }
        Resolver { ix, labels, level, history, pod_series }
    }

    /// The entity of a series at the level; series outside the hierarchy (host
    /// processes in the logical one) show as their node.
    pub fn series(&self, id: SeriesId) -> EndRef {
        let e = self.ix.of_series(self.level, id, self.labels).iter().next();
        let e = e.or_else(|| self.ix.of_series(Level::Node, id, None).iter().next());
        e.map_or(EndRef::Address(IpAddr::from([0, 0, 0, 0])), EndRef::Entity)
    }

    /// The entity owning an address, if the address is not shared (a pod's own address
    /// or a service's cluster IP).
    pub fn address(&self, ip: IpAddr) -> Option<EndRef> {
        self.owner_end(*self.ix.addresses.get(&ip)?)
    }

    /// [`Resolver::address`] as it was at `t`: the pod or service that held the address
    /// then (IPs are reused).
    pub fn address_at(&self, ip: IpAddr, t: u64) -> Option<EndRef> {
        self.owner_end(self.ix.address_at(ip, t)?)
    }

    fn owner_end(&self, owner: AddressOwner) -> Option<EndRef> {
        match owner {
            AddressOwner::Pod(pod) => {
                let at_level = match self.level {
                    Level::Pod | Level::Container | Level::Process => Some(pod),
                    l => self.pod_series.get(&pod).and_then(|s| self.ix.of_series(l, *s, self.labels).iter().next()),
                };
                Some(EndRef::Entity(at_level.unwrap_or(pod)))
            }
            AddressOwner::Service(svc) => {
                if self.level == Level::Namespace {
                    let ns = self.ix.entity(svc).namespace.as_deref().and_then(|n| self.ix.get(&format!("ns:{n}")));
                    Some(EndRef::Entity(ns.unwrap_or(svc)))
                } else {
                    Some(EndRef::Entity(svc))
                }
            }
            AddressOwner::Node(_) => None,
        }
    }

    /// A shared or unknown address: what runs outside pods on its node if it is a node's
    /// (at the pod and container levels, where that grouping exists), the node itself at
    /// other levels, else the address.
    pub fn fallback(&self, ip: IpAddr) -> EndRef {
        match self.ix.addresses.get(&ip) {
            Some(AddressOwner::Node(n)) => {
                let name = &self.ix.entity(*n).name;
                let group = match self.level {
                    Level::Pod => self.ix.get(&format!("nopod:{name}")),
                    Level::Container | Level::Process => self.ix.get(&format!("host:{name}")),
                    _ => None,
                };
                EndRef::Entity(group.unwrap_or(*n))
            }
            _ => EndRef::Address(ip),
        }
    }

    pub fn history(&self) -> &History {
        self.history
    }
}

/// The counters of one connection key over a range, and the moment its ends are resolved
/// at (the last bucket it moved bytes in).
pub struct ConnView {
    pub key: ConnKey,
    pub counters: ConnCounters,
    pub at: u64,
}

/// Connection counters summed over a range. A key whose remote address changed hands
/// during the range (a pod IP reused by a later pod) is split at each change, so that every
/// part is attributed to the pod or service that held the address when its bytes moved.
pub fn conn_views(history: &History, ix: &EntityIndex, range: TimeRange) -> Vec<ConnView> {
    let reused = ix.reused_addresses(range.from, range.to);
    let holder = |ip: IpAddr, t: u64| if reused.contains(&ip) { ix.holder_at(ip, t).and_then(|s| s.from).map(|f| f + 1) } else { None };
    let mut out: FxHashMap<(ConnKey, Option<u64>, Option<u64>), (ConnCounters, u64)> = FxHashMap::default();
    let spans = history.cover(range.from, range.to);
    for (start, end, b) in history.timed_buckets(&spans) {
        // The middle of the bucket: lifetimes are seen to the second.
        let t = start + (end - start) / 2;
        b.conns.for_each(|k, v| {
            let slot = out.entry((*k, holder(k.client, t), holder(k.server, t))).or_default();
            slot.0.merge(v);
            slot.1 = slot.1.max(t);
        });
    }
    out.into_iter().map(|((key, _, _), (counters, at))| ConnView { key, counters, at }).collect()
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct TopoNode {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    /// Inside the selection (parent and filter), or a peer outside it.
    pub inside: bool,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct TopoEdge {
    pub source: String,
    pub target: String,
    pub bytes: u64,
    /// Requests of every protocol over the edge's connections.
    pub requests: u64,
    /// Those that failed.
    pub errors: u64,
    /// Their mean latency, milliseconds; `null` without requests.
    pub latency_ms: Option<f64>,
    pub ports: Vec<u16>,
    /// `traffic` (bytes seen on connections) or `member` (a service selects a pod).
    pub kind: &'static str,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Topology {
    pub nodes: Vec<TopoNode>,
    pub edges: Vec<TopoEdge>,
}

fn is_loopback(ip: IpAddr) -> bool {
    ip.is_loopback() || matches!(ip, IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()))
}

/// Source and target of an edge.
type EdgeEnds = (EndRef, EndRef);
/// Bytes, requests (with their errors and latency) and server ports of an edge.
#[derive(Default)]
struct EdgeSums {
    bytes: u64,
    req: ConnCounters,
    ports: FxHashSet<u16>,
}

/// Entities as nodes, connections between them as edges. When both processes of a
/// connection are on this host, both report it: the client's report is used and the
/// server's dropped, so bytes are not counted twice. An edge is shown when one of its ends
/// is inside the selection (the parent entity and the filter).
pub fn topology(r: &Resolver, range: TimeRange, selected: &[bool], max_edges: usize) -> Topology {
    topology_of(r, &conn_views(r.history(), r.ix, range), selected, max_edges)
}

/// [`topology`] of connection views from elsewhere (the hub's store).
pub fn topology_of(r: &Resolver, views: &[ConnView], selected: &[bool], max_edges: usize) -> Topology {
    let mut inside: FxHashSet<EndRef> = FxHashSet::default();
    for (i, s) in selected.iter().enumerate() {
        if *s {
            inside.insert(r.series(i as SeriesId));
        }
    }
    // Local processes serving (address, port), and local clients by conversation.
    let mut servers: FxHashMap<(IpAddr, u16), FxHashSet<EndRef>> = FxHashMap::default();
    let mut local_clients: FxHashSet<(IpAddr, IpAddr, u16)> = FxHashSet::default();
    for k in views.iter().map(|v| &v.key) {
        if k.side == Side::Server {
            servers.entry((k.server, k.server_port)).or_default().insert(r.series(k.observer));
        } else {
            local_clients.insert((k.client, k.server, k.server_port));
        }
    }
    let unique = |set: Option<&FxHashSet<EndRef>>| set.filter(|s| s.len() == 1).and_then(|s| s.iter().next().copied());
    let mut edges: FxHashMap<EdgeEnds, EdgeSums> = FxHashMap::default();
    for ConnView { key: k, counters: v, at } in views {
        let me = r.series(k.observer);
        let (src, dst) = if k.side == Side::Server {
            if local_clients.contains(&(k.client, k.server, k.server_port)) {
                continue;
            }
            let src = r.address_at(k.client, *at).or_else(|| is_loopback(k.client).then_some(me)).unwrap_or_else(|| r.fallback(k.client));
            (src, me)
        } else {
            let dst = r
                .address_at(k.server, *at)
                .or_else(|| unique(servers.get(&(k.server, k.server_port))))
                .or_else(|| is_loopback(k.server).then_some(me))
                .unwrap_or_else(|| r.fallback(k.server));
            (me, dst)
        };
        if src == dst || !(inside.contains(&src) || inside.contains(&dst)) {
            continue;
        }
        let e = edges.entry((src, dst)).or_default();
        e.bytes += v.bytes_in + v.bytes_out;
        e.req.merge(&ConnCounters { bytes_in: 0, bytes_out: 0, ..*v });
        e.ports.insert(k.server_port);
    }
    let mut list: Vec<(EdgeEnds, EdgeSums)> = edges.into_iter().collect();
    list.sort_by(|a, b| b.1.bytes.cmp(&a.1.bytes).then(b.1.req.requests.cmp(&a.1.req.requests)));
    list.truncate(max_edges);

    // Nodes: every entity of the selection, and the peers of the edges kept.
    let mut nodes: Vec<EndRef> = inside.iter().copied().collect();
    let mut seen: FxHashSet<EndRef> = inside.clone();
    for ((a, b), _) in &list {
        for n in [a, b] {
            if seen.insert(*n) {
                nodes.push(*n);
            }
        }
    }
    let id_of = |n: &EndRef| match n {
        EndRef::Entity(e) => r.ix.entity(*e).id.clone(),
        EndRef::Address(ip) => format!("ip:{ip}"),
    };
    let mut out_edges: Vec<TopoEdge> = list
        .iter()
        .map(|((a, b), e)| {
            let mut ports: Vec<u16> = e.ports.iter().copied().collect();
            ports.sort_unstable();
            let (requests, errors) = (e.req.requests as u64, e.req.errors as u64);
            TopoEdge { source: id_of(a), target: id_of(b), bytes: e.bytes, requests, errors, latency_ms: mean_ms(e.req.latency_us, e.req.requests), ports, kind: "traffic" }
        })
        .collect();
    // A service on the map selects pods on the map: draw that too.
    let shown_services: FxHashSet<u32> = seen.iter().filter_map(|n| if let EndRef::Entity(e) = n { Some(*e) } else { None }).filter(|e| r.ix.entity(*e).kind == "service").collect();
    if !shown_services.is_empty() {
        let mut members: FxHashSet<(u32, u32)> = FxHashSet::default();
        for i in 0..r.ix.series_count() {
            let EndRef::Entity(t) = r.series(i as SeriesId) else { continue };
            if !seen.contains(&EndRef::Entity(t)) {
                continue;
            }
            for svc in r.ix.of_series(Level::Service, i as SeriesId, None).iter() {
                if shown_services.contains(&svc) && svc != t {
                    members.insert((svc, t));
                }
            }
        }
        let mut members: Vec<(u32, u32)> = members.into_iter().collect();
        members.sort_unstable();
        for (svc, t) in members {
            out_edges.push(TopoEdge { source: r.ix.entity(svc).id.clone(), target: r.ix.entity(t).id.clone(), bytes: 0, requests: 0, errors: 0, latency_ms: None, ports: vec![], kind: "member" });
        }
    }
    let nodes = nodes
        .iter()
        .map(|n| match n {
            EndRef::Entity(e) => {
                let ent = r.ix.entity(*e);
                TopoNode { id: ent.id.clone(), kind: ent.kind.clone(), name: ent.name.clone(), namespace: ent.namespace.clone(), inside: inside.contains(n) }
            }
            EndRef::Address(ip) => TopoNode { id: format!("ip:{ip}"), kind: "address".into(), name: ip.to_string(), namespace: None, inside: false },
        })
        .collect();
    Topology { nodes, edges: out_edges }
}

/// An end of a connection or the owner of a row: an entity, or an address outside them.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[schemars(rename = "Endpoint")]
pub struct EntityRef {
    pub id: String,
    pub kind: String,
    pub name: String,
}

impl EntityRef {
    pub fn of(r: &Resolver, end: EndRef) -> EntityRef {
        match end {
            EndRef::Entity(e) => {
                let ent = r.ix.entity(e);
                EntityRef { id: ent.id.clone(), kind: ent.kind.clone(), name: ent.name.clone() }
            }
            EndRef::Address(ip) => EntityRef { id: format!("ip:{ip}"), kind: "address".into(), name: ip.to_string() },
        }
    }
}

/// The process, container and pod of a series, for drill-down rows.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Owner {
    pub process: EntityRef,
    pub pid: i64,
    pub container: Option<EntityRef>,
    pub pod: Option<EntityRef>,
}

pub fn owner(ix: &EntityIndex, catalog: &kinsight_history::Catalog, id: SeriesId) -> Owner {
    let meta = |l: Level| -> Option<EntityRef> {
        let e = ix.of_series(l, id, None).iter().next()?;
        let ent = ix.entity(e);
        Some(EntityRef { id: ent.id.clone(), kind: ent.kind.clone(), name: ent.name.clone() })
    };
    Owner {
        process: meta(Level::Process).expect("every series is a process"),
        pid: catalog.series(id).map_or(0, |m| m.key.pid),
        container: meta(Level::Container),
        pod: meta(Level::Pod).filter(|p| p.kind == "pod"),
    }
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ConnRow {
    pub proto: &'static str,
    pub client_ip: String,
    pub server_ip: String,
    pub server_port: u16,
    /// Which end the process holds: `client`, `server` or `unknown`.
    pub side: &'static str,
    #[serde(flatten)]
    pub owner: Owner,
    /// The connection's ends as entities (pods, services, nodes; an address otherwise).
    pub client: EntityRef,
    pub server: EntityRef,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub bytes: u64,
    /// Requests of every protocol the process completed on these connections.
    pub requests: u64,
    /// Those that failed.
    pub errors: u64,
    /// Their mean latency, milliseconds; `null` without requests.
    pub latency_ms: Option<f64>,
}

pub fn connection_rows(r: &Resolver, range: TimeRange, selected: &[bool], filter: Option<&Filter>) -> Vec<ConnRow> {
    let catalog = &r.history().catalog;
    let mut rows: Vec<ConnRow> = conn_views(r.history(), r.ix, range)
        .into_iter()
        .filter(|c| selected.get(c.key.observer as usize).copied().unwrap_or(false))
        .filter(|c| filter.is_none_or(|f| SeriesFields::new(catalog, c.key.observer).is_some_and(|series| f.matches(&ConnFields { series, key: &c.key }))))
        .map(|ConnView { key: k, counters: v, at }| {
            let me = r.series(k.observer);
            let end = |ip: IpAddr, mine: bool| if mine { me } else { r.address_at(ip, at).unwrap_or_else(|| r.fallback(ip)) };
            ConnRow {
                proto: k.proto.as_str(),
                client_ip: k.client.to_string(),
                server_ip: k.server.to_string(),
                server_port: k.server_port,
                side: k.side.as_str(),
                owner: owner(r.ix, catalog, k.observer),
                client: EntityRef::of(r, end(k.client, k.side == Side::Client)),
                server: EntityRef::of(r, end(k.server, k.side == Side::Server)),
                bytes_in: v.bytes_in,
                bytes_out: v.bytes_out,
                bytes: v.bytes_in + v.bytes_out,
                requests: v.requests as u64,
                errors: v.errors as u64,
                latency_ms: mean_ms(v.latency_us, v.requests),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| (&a.client_ip, &a.server_ip, a.server_port, &a.owner.process.id).cmp(&(&b.client_ip, &b.server_ip, b.server_port, &b.owner.process.id))));
    rows
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct FileRow {
    pub path: String,
    #[serde(flatten)]
    pub owner: Owner,
    pub read_bytes: u64,
    pub write_bytes: u64,
    pub bytes: u64,
}

pub fn file_rows(history: &History, ix: &EntityIndex, range: TimeRange, selected: &[bool], filter: Option<&Filter>) -> Vec<FileRow> {
    let mut sums: FxHashMap<FileKey, FileCounters> = FxHashMap::default();
    let spans = history.cover(range.from, range.to);
    for b in history.buckets(&spans) {
        b.files.for_each(|k, v| {
            if selected.get(k.series as usize).copied().unwrap_or(false) {
                sums.entry(*k).or_default().merge(v);
            }
        });
    }
    let catalog = &history.catalog;
    let mut rows: Vec<FileRow> = sums
        .into_iter()
        .filter_map(|(k, v)| {
            let path = catalog.file(k.file)?;
            if let Some(f) = filter {
                let series = SeriesFields::new(catalog, k.series)?;
                if !f.matches(&FileFields { series, path }) {
                    return None;
                }
            }
            Some(FileRow { path: path.to_string(), owner: owner(ix, catalog, k.series), read_bytes: v.read, write_bytes: v.write, bytes: v.read + v.write })
        })
        .collect();
    rows.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path)).then_with(|| a.owner.process.id.cmp(&b.owner.process.id)));
    rows
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct HttpRow {
    pub ts_ns: u64,
    /// `server`: the process served it; `client`: it sent it.
    pub side: &'static str,
    pub method: String,
    pub url: String,
    pub status: u16,
    pub latency_ms: f64,
    pub size_bytes: u64,
    #[serde(flatten)]
    pub owner: Owner,
    pub client_ip: Option<String>,
    pub server_ip: Option<String>,
    pub server_port: Option<u16>,
    /// The other end, as an entity when known.
    pub peer: Option<EntityRef>,
}

/// Newest first.
pub fn http_rows(r: &Resolver, range: TimeRange, selected: &[bool], filter: Option<&Filter>, limit: usize) -> (Vec<HttpRow>, usize) {
    let catalog = &r.history().catalog;
    let mut matched = 0;
    let mut rows = Vec::new();
    for tx in r.history().http.range(range.from, range.to).rev() {
        if !selected.get(tx.series as usize).copied().unwrap_or(false) {
            continue;
        }
        if let Some(f) = filter {
            let Some(series) = SeriesFields::new(catalog, tx.series) else { continue };
            if !f.matches(&HttpFields { series, conn: tx.conn.as_ref(), side: tx.side }) {
                continue;
            }
        }
        matched += 1;
        if rows.len() >= limit {
            continue;
        }
        let peer_ip = tx.conn.map(|c| if tx.side == Side::Server { c.client } else { c.server });
        rows.push(HttpRow {
            ts_ns: tx.ts_ns,
            side: tx.side.as_str(),
            method: tx.method.clone(),
            url: tx.url.clone(),
            status: tx.status,
            latency_ms: tx.latency_ns as f64 / 1e6,
            size_bytes: tx.size_bytes,
            owner: owner(r.ix, catalog, tx.series),
            client_ip: tx.conn.map(|c| c.client.to_string()),
            server_ip: tx.conn.map(|c| c.server.to_string()),
            server_port: tx.conn.map(|c| c.server_port),
            peer: peer_ip.map(|ip| EntityRef::of(r, r.address(ip).unwrap_or_else(|| r.fallback(ip)))),
        });
    }
    (rows, matched)
}

/// A request of any protocol, as the `requests` view of `kinsight read` shows it.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct RequestRow {
    /// When the response ended, nanoseconds since the epoch.
    pub ts_ns: u64,
    /// `http`, `dns`, `postgres`, `mysql`, `redis`, ...
    pub protocol: &'static str,
    /// `server`: the process served it; `client`: it sent it.
    pub side: &'static str,
    /// Method, command, statement kind or query type: `GET`, `SET`, `SELECT`, `AAAA`.
    pub operation: String,
    /// URL, statement with its literals replaced by `?`, key prefix, or domain.
    pub target: String,
    /// HTTP code, SQLSTATE or MySQL error number, DNS rcode, Redis error prefix; `OK` for a
    /// success without a code of its own.
    pub status: String,
    /// Whether the status is a failure.
    pub error: bool,
    pub latency_ms: f64,
    /// Bytes of the request's and the response's messages (HTTP: the response body only).
    pub request_bytes: u64,
    pub response_bytes: u64,
    #[serde(flatten)]
    pub owner: Owner,
    pub client_ip: Option<String>,
    pub server_ip: Option<String>,
    pub server_port: Option<u16>,
    /// The other end, as an entity when known.
    pub peer: Option<EntityRef>,
}

/// What a request row needs of an HTTP transaction or of a request of another protocol.
struct AnyRequest<'a> {
    ts_ns: u64,
    series: SeriesId,
    side: Side,
    protocol: ReqProto,
    operation: &'a str,
    target: &'a str,
    status: Cow<'a, str>,
    error: bool,
    latency_ns: u64,
    request_bytes: u64,
    response_bytes: u64,
    conn: Option<&'a kinsight_history::ConnEnds>,
}

/// Requests of every protocol (or of `protocol`), newest first: the HTTP log and the
/// request log merged by time.
pub fn request_rows(r: &Resolver, range: TimeRange, selected: &[bool], filter: Option<&Filter>, protocol: Option<ReqProto>, limit: usize) -> (Vec<RequestRow>, usize) {
    let h = r.history();
    let catalog = &h.catalog;
    let want = |p: ReqProto| protocol.is_none_or(|w| w == p);
    let http = h.http.range(range.from, range.to).rev().filter(|_| want(ReqProto::Http)).map(|t| AnyRequest {
        ts_ns: t.ts_ns,
        series: t.series,
        side: t.side,
        protocol: ReqProto::Http,
        operation: &t.method,
        target: &t.url,
        status: Cow::Owned(t.status.to_string()),
        error: t.status >= 500,
        latency_ns: t.latency_ns,
        request_bytes: 0,
        response_bytes: t.size_bytes,
        conn: t.conn.as_ref(),
    });
    let other = h.requests.range(range.from, range.to).rev().filter(|t| want(t.proto)).map(|t| AnyRequest {
        ts_ns: t.ts_ns,
        series: t.series,
        side: t.side,
        protocol: t.proto,
        operation: &t.operation,
        target: &t.target,
        status: Cow::Borrowed(&t.status),
        error: t.error,
        latency_ns: t.latency_ns,
        request_bytes: t.request_bytes,
        response_bytes: t.response_bytes,
        conn: t.conn.as_ref(),
    });
    let mut http = http.peekable();
    let mut other = other.peekable();
    // Both logs are in time order: merging keeps the newest first.
    let merged = std::iter::from_fn(|| match (http.peek(), other.peek()) {
        (Some(a), Some(b)) if a.ts_ns >= b.ts_ns => http.next(),
        (Some(_), None) => http.next(),
        _ => other.next(),
    });
    let mut matched = 0;
    let mut rows = Vec::new();
    for tx in merged {
        if !selected.get(tx.series as usize).copied().unwrap_or(false) {
            continue;
        }
        if let Some(f) = filter {
            let Some(series) = SeriesFields::new(catalog, tx.series) else { continue };
            if !f.matches(&HttpFields { series, conn: tx.conn, side: tx.side }) {
                continue;
            }
        }
        matched += 1;
        if rows.len() >= limit {
            continue;
        }
        let peer_ip = tx.conn.map(|c| if tx.side == Side::Server { c.client } else { c.server });
        rows.push(RequestRow {
            ts_ns: tx.ts_ns,
            protocol: tx.protocol.as_str(),
            side: tx.side.as_str(),
            operation: tx.operation.to_string(),
            target: tx.target.to_string(),
            status: tx.status.into_owned(),
            error: tx.error,
            latency_ms: tx.latency_ns as f64 / 1e6,
            request_bytes: tx.request_bytes,
            response_bytes: tx.response_bytes,
            owner: owner(r.ix, catalog, tx.series),
            client_ip: tx.conn.map(|c| c.client.to_string()),
            server_ip: tx.conn.map(|c| c.server.to_string()),
            server_port: tx.conn.map(|c| c.server_port),
            peer: peer_ip.map(|ip| EntityRef::of(r, r.address(ip).unwrap_or_else(|| r.fallback(ip)))),
        });
    }
    (rows, matched)
}
