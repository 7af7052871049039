//! Totals since the store began, for counters that only ever grow (what Prometheus scrapes):
//! per series, per connection view, per HTTP status, served-request latency histograms, and
//! requests of every protocol by outcome with their latency histograms.

use crate::counters::{ConnCounters, ConnKey, Counters, ReqProto, Side};
use crate::SeriesId;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Upper bounds (seconds) of the latency histogram buckets; a last bucket takes the rest.
pub const LATENCY_BOUNDS_S: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatencyHistogram {
    /// Count per bucket (not cumulative), the last one for latencies above every bound.
    pub counts: [u64; LATENCY_BOUNDS_S.len() + 1],
    pub sum_ns: u64,
}

impl LatencyHistogram {
    pub fn observe(&mut self, latency_ns: u64) {
        let secs = latency_ns as f64 / 1e9;
        let i = LATENCY_BOUNDS_S.iter().position(|&b| secs <= b).unwrap_or(LATENCY_BOUNDS_S.len());
        self.counts[i] += 1;
        self.sum_ns += latency_ns;
    }

    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    pub fn merge(&mut self, o: &LatencyHistogram) {
        for (a, b) in self.counts.iter_mut().zip(o.counts.iter()) {
            *a += b;
        }
        self.sum_ns += o.sum_ns;
    }
}

/// Requests of one series with one status code, in one direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatusKey {
    pub series: SeriesId,
    pub side: Side,
    pub status: u16,
}

/// Requests of one series in one protocol and direction. Only whether they failed, not
/// their status: the labels Prometheus gets stay bounded whatever codes a protocol has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RequestKey {
    pub series: SeriesId,
    pub proto: ReqProto,
    pub side: Side,
    pub error: bool,
}

/// Latency of the requests of one series in one protocol and direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LatencyKey {
    pub series: SeriesId,
    pub proto: ReqProto,
    pub side: Side,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Totals {
    /// By series id; the gauge holds the latest sample.
    pub series: Vec<Counters>,
    pub conns: FxHashMap<ConnKey, ConnCounters>,
    pub http_status: FxHashMap<StatusKey, u64>,
    /// Latency of requests each series served.
    pub served_latency: FxHashMap<SeriesId, LatencyHistogram>,
    /// Requests of every protocol (HTTP/1 included), served and sent.
    pub requests: FxHashMap<RequestKey, u64>,
    pub request_latency: FxHashMap<LatencyKey, LatencyHistogram>,
}

impl Totals {
    pub(crate) fn add_series(&mut self, id: SeriesId, c: &Counters) {
        let i = id as usize;
        if self.series.len() <= i {
            self.series.resize(i + 1, Counters::default());
        }
        self.series[i].merge(c);
    }

    pub(crate) fn add_request(&mut self, series: SeriesId, proto: ReqProto, side: Side, error: bool, latency_ns: u64) {
        *self.requests.entry(RequestKey { series, proto, side, error }).or_default() += 1;
        self.request_latency.entry(LatencyKey { series, proto, side }).or_default().observe(latency_ns);
    }

    pub fn heap_bytes(&self) -> usize {
        self.series.capacity() * std::mem::size_of::<Counters>()
            + self.conns.capacity() * (std::mem::size_of::<(ConnKey, ConnCounters)>() + 1)
            + self.http_status.capacity() * (std::mem::size_of::<(StatusKey, u64)>() + 1)
            + self.served_latency.capacity() * (std::mem::size_of::<(SeriesId, LatencyHistogram)>() + 1)
            + self.requests.capacity() * (std::mem::size_of::<(RequestKey, u64)>() + 1)
            + self.request_latency.capacity() * (std::mem::size_of::<(LatencyKey, LatencyHistogram)>() + 1)
    }
}
