//! One resolution of the store: a ring of fixed-size time buckets. Buckets are sparse (a
//! quiet second has no bucket) and the ring keeps those whose index is within `capacity`
//! of the newest, so a tier never covers more than `capacity × resolution` of time.

use crate::counters::{ConnCounters, ConnKey, Counters, FileCounters, FileKey, Mergeable, ReqCounters, ReqKey, ReqProto};
use crate::SeriesId;
use rustc_hash::FxHashMap;
use serde::de::Deserializer;
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::hash::Hash;

/// Rows of a bucket: a hash map while the bucket is being written, a vector sorted by key
/// once it is closed (smaller, and faster to scan for queries).
#[derive(Clone, Debug)]
pub enum Rows<K, V> {
    Open(FxHashMap<K, V>),
    Sealed(Vec<(K, V)>),
}

impl<K, V> Default for Rows<K, V> {
    fn default() -> Self {
        Rows::Sealed(Vec::new())
    }
}

impl<K: Copy + Eq + Hash + Ord, V: Mergeable + Default> Rows<K, V> {
    pub fn len(&self) -> usize {
        match self {
            Rows::Open(m) => m.len(),
            Rows::Sealed(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `v` to the row of `k`.
    pub fn merge(&mut self, k: K, v: &V) {
        if let Rows::Sealed(rows) = self {
            // Late data for a closed bucket is rare: reopen it.
            let map: FxHashMap<K, V> = std::mem::take(rows).into_iter().collect();
            *self = Rows::Open(map);
        }
        if let Rows::Open(map) = self {
            v.merge_into(map.entry(k).or_default());
        }
    }

    pub fn seal(&mut self) {
        if let Rows::Open(map) = self {
            let mut rows: Vec<(K, V)> = std::mem::take(map).into_iter().collect();
            rows.sort_unstable_by_key(|r| r.0);
            *self = Rows::Sealed(rows);
        }
    }

    /// Calls `f` on every row (order unspecified while open).
    #[inline]
    pub fn for_each(&self, mut f: impl FnMut(&K, &V)) {
        match self {
            Rows::Open(m) => m.iter().for_each(|(k, v)| f(k, v)),
            Rows::Sealed(rows) => rows.iter().for_each(|(k, v)| f(k, v)),
        }
    }

    /// Approximate heap bytes: a hash map holds about an eighth more than its rows.
    pub fn heap_bytes(&self) -> usize {
        let row = std::mem::size_of::<(K, V)>();
        match self {
            Rows::Open(m) => m.capacity() * (row + 1) + m.capacity() / 8,
            Rows::Sealed(v) => v.capacity() * row,
        }
    }
}

impl<K: Serialize, V: Serialize> Serialize for Rows<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Rows::Open(m) => {
                let mut seq = s.serialize_seq(Some(m.len()))?;
                for row in m.iter() {
                    seq.serialize_element(&row)?;
                }
                seq.end()
            }
            Rows::Sealed(v) => v.serialize(s),
        }
    }
}

impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Deserialize<'de> for Rows<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut rows: Vec<(K, V)> = Vec::deserialize(d)?;
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Rows::Sealed(rows))
    }
}

/// Everything counted during one time bucket.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Bucket {
    /// Start time divided by the tier's resolution.
    pub index: u64,
    pub procs: Rows<SeriesId, Counters>,
    pub conns: Rows<ConnKey, ConnCounters>,
    pub files: Rows<FileKey, FileCounters>,
    /// Requests of the protocols other than HTTP/1 (which is in `procs`), per process and
    /// protocol: only processes that spoke one have rows.
    pub reqs: Rows<ReqKey, ReqCounters>,
}

impl Bucket {
    fn seal(&mut self) {
        self.procs.seal();
        self.conns.seal();
        self.files.seal();
        self.reqs.seal();
    }

    pub fn heap_bytes(&self) -> usize {
        self.procs.heap_bytes() + self.conns.heap_bytes() + self.files.heap_bytes() + self.reqs.heap_bytes()
    }

    /// Calls `f` with the requests of every process and protocol in the bucket, HTTP/1
    /// (from the process rows) included.
    pub fn for_each_request(&self, mut f: impl FnMut(SeriesId, ReqProto, &ReqCounters)) {
        self.procs.for_each(|id, c| {
            if c.http_in != 0 || c.http_out != 0 {
                f(*id, ReqProto::Http, &ReqCounters::of_http(c));
            }
        });
        self.reqs.for_each(|k, c| f(k.series, k.proto, c));
    }
}

/// Size and length of a tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierConfig {
    pub resolution_ns: u64,
    /// How many buckets it keeps: the tier covers `buckets × resolution` of time.
    pub buckets: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Tier {
    pub config: TierConfig,
    buckets: VecDeque<Bucket>,
    /// Heap bytes of the buckets, kept up to date by the writer.
    #[serde(skip)]
    pub(crate) bytes: usize,
    /// Buckets dropped early to stay within the memory budget.
    pub evicted: u64,
}

impl Tier {
    pub fn new(config: TierConfig) -> Tier {
        Tier { config, buckets: VecDeque::new(), bytes: 0, evicted: 0 }
    }

    /// A tier of buckets read from an older snapshot layout.
    pub(crate) fn from_parts(config: TierConfig, buckets: VecDeque<Bucket>, evicted: u64) -> Tier {
        let mut t = Tier { config, buckets, bytes: 0, evicted };
        t.recount_bytes();
        t
    }

    pub fn resolution_ns(&self) -> u64 {
        self.config.resolution_ns
    }

    /// The bucket for `index`, created if needed; `None` when it is older than the ring
    /// keeps.
    pub(crate) fn bucket_mut(&mut self, index: u64) -> Option<&mut Bucket> {
        let newest = self.buckets.back().map(|b| b.index);
        match newest {
            None => self.buckets.push_back(Bucket { index, ..Default::default() }),
            Some(n) if index > n => {
                if let Some(last) = self.buckets.back_mut() {
                    let before = last.heap_bytes();
                    last.seal();
                    self.bytes = (self.bytes + last.heap_bytes()).saturating_sub(before);
                }
                self.buckets.push_back(Bucket { index, ..Default::default() });
                let keep_from = (index + 1).saturating_sub(self.config.buckets as u64);
                while self.buckets.front().is_some_and(|b| b.index < keep_from) {
                    let dropped = self.buckets.pop_front().expect("front exists");
                    self.bytes = self.bytes.saturating_sub(dropped.heap_bytes());
                }
            }
            Some(n) => {
                if index + self.config.buckets as u64 <= n {
                    return None;
                }
                let pos = self.buckets.partition_point(|b| b.index < index);
                if self.buckets.get(pos).map(|b| b.index) != Some(index) {
                    self.buckets.insert(pos, Bucket { index, ..Default::default() });
                }
                return self.buckets.get_mut(pos);
            }
        }
        self.buckets.back_mut()
    }

    /// Buckets with `first <= index < end`, oldest first.
    pub fn range(&self, first: u64, end: u64) -> impl Iterator<Item = &Bucket> {
        let a = self.buckets.partition_point(|b| b.index < first);
        let z = self.buckets.partition_point(|b| b.index < end);
        self.buckets.range(a..z.max(a))
    }

    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// Start (ns) of the oldest time the ring can still hold: older data is gone or was
    /// never kept at this resolution. 0 while the ring has not wrapped.
    pub fn horizon_ns(&self) -> u64 {
        let Some(newest) = self.buckets.back() else { return 0 };
        let from_capacity = (newest.index + 1).saturating_sub(self.config.buckets as u64);
        // After evictions the oldest kept bucket marks the horizon.
        let from_evictions = if self.evicted > 0 { self.buckets.front().map_or(0, |b| b.index) } else { 0 };
        from_capacity.max(from_evictions) * self.config.resolution_ns
    }

    /// Oldest and newest bucket start times (ns).
    pub fn extent_ns(&self) -> Option<(u64, u64)> {
        let r = self.config.resolution_ns;
        Some((self.buckets.front()?.index * r, self.buckets.back()?.index * r))
    }

    pub(crate) fn evict_oldest(&mut self) -> bool {
        if self.buckets.len() < 2 {
            return false;
        }
        let dropped = self.buckets.pop_front().expect("len checked");
        self.bytes = self.bytes.saturating_sub(dropped.heap_bytes());
        self.evicted += 1;
        true
    }

    pub(crate) fn recount_bytes(&mut self) {
        self.bytes = self.buckets.iter().map(Bucket::heap_bytes).sum();
    }

    /// Drops buckets beyond a (possibly smaller) configured length after a restart.
    pub(crate) fn apply_config(&mut self, config: TierConfig) {
        self.config = config;
        while self.buckets.len() > config.buckets {
            self.buckets.pop_front();
        }
        self.recount_bytes();
    }

    pub fn row_count(&self) -> usize {
        self.buckets.iter().map(|b| b.procs.len() + b.conns.len() + b.files.len() + b.reqs.len()).sum()
    }
}
