//! kinsight-history: the embedded time-series store behind `kinsight up`.
//!
//! Owns: counters per series (a process, keyed by container and pid), per connection view
//! and per file, in fixed-size time buckets kept at several resolutions (by default 1 s for
//! 10 min, 10 s for 6 h, 1 min for 7 days); the catalog that names series and the
//! containers, pods, services, nodes and namespaces they belong to; requests of every
//! application protocol per series and protocol; the most recent HTTP transactions and
//! requests; totals since the start (for Prometheus counters); a memory budget; and
//! snapshots to disk so a restart keeps history.
//! Must not: know about events, the engine or HTTP serving, or decide how series are
//! grouped (hierarchies are the server's business). Writers hand it samples that are
//! already counted; readers get buckets and totals.
//!
//! Time is nanoseconds since the epoch, as in captures. Buckets are keyed by the time of
//! the data, not by when it was recorded, so a replayed capture fills the buckets of the
//! moments it was taken.

pub mod catalog;
pub mod changes;
pub mod events;
pub mod counters;
pub mod httplog;
mod snapshot;
pub mod tier;
pub mod totals;

pub use catalog::{STORE_PID, Catalog, ContainerMeta, Lifetime, NamespaceMeta, NodeMeta, OwnerMeta, PodContainerMeta, PodMeta, ProcessKey, ProcessMeta, ServiceMeta, WorkloadMeta};
pub use changes::{ChangeKind, ChangeLog, FieldChange, ObjectChange};
pub use events::{EventLog, EventRecord, InvolvedMeta};
pub use counters::{protocols_of, ConnCounters, ConnKey, Counters, FileCounters, FileKey, Proto, ProtoSet, ReqCounters, ReqKey, ReqProto, Side};
pub use httplog::{ConnEnds, HttpLog, HttpTx, RequestLog, RequestTx};
pub use snapshot::SnapshotError;
pub use tier::{Bucket, Tier, TierConfig};
pub use totals::{LatencyHistogram, LatencyKey, RequestKey, StatusKey, Totals, LATENCY_BOUNDS_S};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Index of a series in the catalog.
pub type SeriesId = u32;

const SECOND: u64 = 1_000_000_000;

/// Sizes and limits of the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryConfig {
    /// Finest first; each tier should cover more time than the one before it.
    pub tiers: Vec<TierConfig>,
    /// Upper bound on the heap the buckets, totals and HTTP log may use. Past it the oldest
    /// bucket of the largest tier is dropped (that tier's retention shrinks).
    pub max_bytes: usize,
    /// Distinct processes named; more share one overflow series.
    pub max_series: usize,
    /// Distinct file paths named; more share one overflow name.
    pub max_files: usize,
    /// Connection views with totals kept (for Prometheus); more are counted in buckets only.
    pub max_conn_totals: usize,
    /// Records kept by each of the HTTP log and the request log (the other protocols).
    pub http_log_capacity: usize,
}

impl Default for HistoryConfig {
    fn default() -> Self {
        HistoryConfig {
            tiers: vec![
                TierConfig { resolution_ns: SECOND, buckets: 600 },
                TierConfig { resolution_ns: 10 * SECOND, buckets: 6 * 360 },
                TierConfig { resolution_ns: 60 * SECOND, buckets: 7 * 24 * 60 },
            ],
            max_bytes: 1 << 30,
            max_series: 1 << 20,
            max_files: 1 << 18,
            max_conn_totals: 200_000,
            http_log_capacity: 100_000,
        }
    }
}

/// What happened during one interval (normally one second), already attributed to series.
/// `ts_ns` is the start of the interval: every row lands in the bucket holding it.
#[derive(Clone, Debug, Default)]
pub struct Sample {
    pub ts_ns: u64,
    pub procs: Vec<(SeriesId, Counters)>,
    pub conns: Vec<(ConnKey, ConnCounters)>,
    pub files: Vec<(FileKey, FileCounters)>,
    pub http: Vec<HttpTx>,
    /// Requests of the protocols other than HTTP/1: counted per series and protocol in the
    /// buckets, in the totals, and kept in the request log.
    pub requests: Vec<RequestTx>,
}

/// A stretch of buckets of one tier: `first <= index < end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub tier: usize,
    pub first: u64,
    pub end: u64,
}

/// The buckets chosen to draw a time series: one tier, consecutive bucket indexes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeline {
    pub tier: usize,
    pub resolution_ns: u64,
    pub first: u64,
    pub end: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct History {
    config: HistoryConfig,
    pub catalog: Catalog,
    tiers: Vec<Tier>,
    pub http: HttpLog,
    pub requests: RequestLog,
    pub totals: Totals,
    /// Time of the first and the end of the last recorded interval.
    first_ns: Option<u64>,
    last_ns: u64,
    samples: u64,
    /// Connection views left out of the totals because of `max_conn_totals`.
    pub conn_totals_dropped: u64,
}

impl History {
    pub fn new(config: HistoryConfig) -> History {
        History {
            catalog: Catalog::new(config.max_series, config.max_files),
            tiers: config.tiers.iter().map(|t| Tier::new(*t)).collect(),
            http: HttpLog::new(config.http_log_capacity),
            requests: RequestLog::new(config.http_log_capacity),
            totals: Totals::default(),
            first_ns: None,
            last_ns: 0,
            samples: 0,
            conn_totals_dropped: 0,
            config,
        }
    }

    pub fn config(&self) -> &HistoryConfig {
        &self.config
    }

    pub fn tiers(&self) -> &[Tier] {
        &self.tiers
    }

    /// Start of the first and end of the last recorded interval.
    pub fn data_range(&self) -> Option<(u64, u64)> {
        Some((self.first_ns?, self.last_ns))
    }

    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// Adds one interval's counts to every tier, to the totals and to the HTTP log.
    pub fn record(&mut self, sample: Sample) {
        let finest = self.tiers.first().map_or(SECOND, |t| t.resolution_ns());
        self.first_ns = Some(self.first_ns.map_or(sample.ts_ns, |f| f.min(sample.ts_ns)));
        self.last_ns = self.last_ns.max(sample.ts_ns - sample.ts_ns % finest + finest);
        self.samples += 1;
        let mut reqs: FxHashMap<ReqKey, ReqCounters> = FxHashMap::default();
        for tx in &sample.requests {
            reqs.entry(ReqKey { series: tx.series, proto: tx.proto }).or_default().observe(tx.side, tx.error, tx.latency_ns);
        }
        for tier in &mut self.tiers {
            let index = sample.ts_ns / tier.resolution_ns();
            let Some(bucket) = tier.bucket_mut(index) else { continue };
            let before = bucket.heap_bytes();
            for (id, c) in &sample.procs {
                bucket.procs.merge(*id, c);
            }
            for (k, c) in &sample.conns {
                bucket.conns.merge(*k, c);
            }
            for (k, c) in &sample.files {
                bucket.files.merge(*k, c);
            }
            for (k, c) in &reqs {
                bucket.reqs.merge(*k, c);
            }
            let after = bucket.heap_bytes();
            tier.bytes = (tier.bytes + after).saturating_sub(before);
        }
        for (id, c) in &sample.procs {
            self.totals.add_series(*id, c);
        }
        for (k, c) in &sample.conns {
            if let Some(t) = self.totals.conns.get_mut(k) {
                t.merge(c);
            } else if self.totals.conns.len() < self.config.max_conn_totals {
                self.totals.conns.insert(*k, *c);
            } else {
                self.conn_totals_dropped += 1;
            }
        }
        for tx in sample.http {
            let key = StatusKey { series: tx.series, side: tx.side, status: tx.status };
            *self.totals.http_status.entry(key).or_default() += 1;
            if tx.side == Side::Server {
                self.totals.served_latency.entry(tx.series).or_default().observe(tx.latency_ns);
            }
            self.totals.add_request(tx.series, ReqProto::Http, tx.side, tx.status >= 500, tx.latency_ns);
            self.http.push(tx);
        }
        for tx in sample.requests {
            self.totals.add_request(tx.series, tx.proto, tx.side, tx.error, tx.latency_ns);
            self.requests.push(tx);
        }
        self.enforce_budget();
        // The change log explains the data: it keeps what the longest tier can still show.
        if let Some(t) = self.tiers.last() {
            let retention = t.resolution_ns().saturating_mul(t.config.buckets as u64);
            self.catalog.changes.trim_before(self.last_ns.saturating_sub(retention));
            self.catalog.events.trim_before(self.last_ns.saturating_sub(retention));
        }
    }

    /// Heap bytes in use (approximate, but from the real sizes of the containers).
    pub fn heap_bytes(&self) -> usize {
        self.tiers.iter().map(|t| t.bytes).sum::<usize>() + self.totals.heap_bytes() + self.http.heap_bytes() + self.requests.heap_bytes()
    }

    fn enforce_budget(&mut self) {
        // The HTTP log is measured on demand (walking it is not free), so only when the
        // cheap part already comes close.
        let cheap = self.tiers.iter().map(|t| t.bytes).sum::<usize>() + self.totals.heap_bytes();
        if cheap < self.config.max_bytes / 2 {
            return;
        }
        let mut over = self.heap_bytes().saturating_sub(self.config.max_bytes);
        while over > 0 {
            let Some(t) = self.tiers.iter_mut().filter(|t| t.len() > 1).max_by_key(|t| t.bytes) else { break };
            let before = t.bytes;
            if !t.evict_oldest() {
                break;
            }
            over = over.saturating_sub(before - t.bytes);
        }
    }

    /// Which buckets of which tiers to read for exact totals over `[from, to)`: whole
    /// buckets of the coarsest tier inside the range, finer tiers for the edges where they
    /// still hold them, else the coarser bucket that contains the edge. In time order.
    pub fn cover(&self, from: u64, to: u64) -> Vec<Span> {
        let mut out = Vec::new();
        if from < to && !self.tiers.is_empty() {
            self.cover_with(from, to, self.tiers.len() - 1, &mut out);
        }
        out
    }

    fn cover_with(&self, from: u64, to: u64, k: usize, out: &mut Vec<Span>) {
        if from >= to {
            return;
        }
        let r = self.tiers[k].resolution_ns();
        if k == 0 {
            out.push(Span { tier: 0, first: from / r, end: to.div_ceil(r) });
            return;
        }
        let a = from.div_ceil(r);
        let b = to / r;
        if a >= b {
            // No whole bucket of this tier inside: a finer tier, if it holds this time.
            if self.tiers[k - 1].horizon_ns() <= from {
                self.cover_with(from, to, k - 1, out);
            } else {
                out.push(Span { tier: k, first: from / r, end: to.div_ceil(r) });
            }
            return;
        }
        let finer_holds = |t: u64| self.tiers[k - 1].horizon_ns() <= t;
        if a * r > from {
            if finer_holds(from) {
                self.cover_with(from, a * r, k - 1, out);
            } else {
                out.push(Span { tier: k, first: from / r, end: a });
            }
        }
        out.push(Span { tier: k, first: a, end: b });
        if b * r < to {
            if finer_holds(b * r) {
                self.cover_with(b * r, to, k - 1, out);
            } else {
                out.push(Span { tier: k, first: b, end: b + 1 });
            }
        }
    }

    /// The buckets of the spans, in span order.
    pub fn buckets<'a>(&'a self, spans: &'a [Span]) -> impl Iterator<Item = &'a Bucket> + 'a {
        spans.iter().flat_map(move |s| self.tiers[s.tier].range(s.first, s.end))
    }

    /// [`History::buckets`] with the time each covers, `[start, end)` in nanoseconds.
    pub fn timed_buckets<'a>(&'a self, spans: &'a [Span]) -> impl Iterator<Item = (u64, u64, &'a Bucket)> + 'a {
        spans.iter().flat_map(move |s| {
            let r = self.tiers[s.tier].resolution_ns();
            self.tiers[s.tier].range(s.first, s.end).map(move |b| (b.index * r, (b.index + 1) * r, b))
        })
    }

    /// Each series' counters summed over `[from, to)`, indexed by series id (the gauge
    /// holds the last sample in the range).
    pub fn series_totals(&self, from: u64, to: u64) -> Vec<Counters> {
        let mut out = vec![Counters::default(); self.catalog.series_count()];
        let spans = self.cover(from, to);
        for b in self.buckets(&spans) {
            b.procs.for_each(|id, c| {
                if let Some(slot) = out.get_mut(*id as usize) {
                    slot.merge(c);
                }
            });
        }
        out
    }

    /// Each series' requests over `[from, to)`, indexed by series id: of protocol `proto`,
    /// or of every protocol summed when `None`; with the set of protocols it spoke (all of
    /// them, whatever `proto`).
    pub fn request_totals(&self, from: u64, to: u64, proto: Option<ReqProto>) -> Vec<(ReqCounters, ProtoSet)> {
        let mut out = vec![(ReqCounters::default(), 0); self.catalog.series_count()];
        let spans = self.cover(from, to);
        for b in self.buckets(&spans) {
            b.for_each_request(|id, p, c| {
                if let Some(slot) = out.get_mut(id as usize) {
                    slot.1 |= p.bit();
                    if proto.is_none_or(|want| want == p) {
                        slot.0.merge(c);
                    }
                }
            });
        }
        out
    }

    /// The tier to draw `[from, to)` with at most `max_points` points: the finest one that
    /// still holds `from` and is coarse enough, else the coarsest.
    pub fn timeline(&self, from: u64, to: u64, max_points: usize) -> Option<Timeline> {
        let last = self.tiers.len().checked_sub(1)?;
        let max_points = max_points.max(1) as u64;
        let pick = (0..=last)
            .find(|&k| {
                let t = &self.tiers[k];
                let r = t.resolution_ns();
                t.horizon_ns() <= from && (to.saturating_sub(from)).div_ceil(r) <= max_points
            })
            .unwrap_or(last);
        let r = self.tiers[pick].resolution_ns();
        Some(Timeline { tier: pick, resolution_ns: r, first: from / r, end: to.div_ceil(r).max(from / r + 1) })
    }

    pub fn timeline_buckets(&self, t: &Timeline) -> impl Iterator<Item = &Bucket> {
        self.tiers[t.tier].range(t.first, t.end)
    }

    /// Re-applies limits after a snapshot taken with other settings is loaded.
    fn apply_config(&mut self, config: HistoryConfig) {
        if self.tiers.len() != config.tiers.len() || self.tiers.iter().zip(&config.tiers).any(|(t, c)| t.config.resolution_ns != c.resolution_ns) {
            // Different resolutions cannot be reused: keep names and totals, restart buckets.
            self.tiers = config.tiers.iter().map(|t| Tier::new(*t)).collect();
        } else {
            for (t, c) in self.tiers.iter_mut().zip(&config.tiers) {
                t.apply_config(*c);
            }
        }
        self.catalog.set_limits(config.max_series, config.max_files);
        self.http.set_capacity(config.http_log_capacity);
        self.requests.set_capacity(config.http_log_capacity);
        self.config = config;
        self.enforce_budget();
    }
}
