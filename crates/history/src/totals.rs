//! Totals since the store began, for counters that only ever grow (what Prometheus scrapes):
//! per series, per connection view, per HTTP status, and served-request latency histograms.

use crate::counters::{ConnCounters, ConnKey, Counters, Side};
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

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Totals {
    /// By series id; the gauge holds the latest sample.
    pub series: Vec<Counters>,
    pub conns: FxHashMap<ConnKey, ConnCounters>,
    pub http_status: FxHashMap<StatusKey, u64>,
    /// Latency of requests each series served.
    pub served_latency: FxHashMap<SeriesId, LatencyHistogram>,
}

impl Totals {
    pub(crate) fn add_series(&mut self, id: SeriesId, c: &Counters) {
        let i = id as usize;
        if self.series.len() <= i {
            self.series.resize(i + 1, Counters::default());
        }
        self.series[i].merge(c);
    }

    pub fn heap_bytes(&self) -> usize {
        self.series.capacity() * std::mem::size_of::<Counters>()
            + self.conns.capacity() * (std::mem::size_of::<(ConnKey, ConnCounters)>() + 1)
            + self.http_status.capacity() * (std::mem::size_of::<(StatusKey, u64)>() + 1)
            + self.served_latency.capacity() * (std::mem::size_of::<(SeriesId, LatencyHistogram)>() + 1)
    }
}
