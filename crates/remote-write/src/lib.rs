//! kinsight-remote-write: time series sent to a Prometheus-compatible store with the
//! remote-write protocol 1.0 (a protobuf `WriteRequest`, snappy-compressed, POSTed).
//!
//! Owns: the wire encoding ([`encode`]), and a [`RemoteWriter`] that sends batches from a
//! bounded queue on a thread of its own, in order, retrying what the store could not take
//! now (connection errors, 5xx, 429) with exponential backoff, so that an outage shorter
//! than the queue loses nothing; past the queue's bound the oldest batches are dropped
//! and counted. What the store refuses for good (other 4xx) is dropped and counted too,
//! with the store's answer kept as the last error.
//! Must not: know what the series mean; the caller names and labels them.

mod proto;
mod writer;

pub use proto::{encode, encode_uncompressed};
pub use writer::{Auth, RemoteWriter, WriterConfig, WriterStats};

/// One series' sample: its labels (with `__name__`), a value and a time.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeSeries {
    /// Name and value pairs; sent sorted by name, as the protocol requires.
    pub labels: Vec<(String, String)>,
    pub value: f64,
    /// Milliseconds since the epoch.
    pub timestamp_ms: i64,
}

impl TimeSeries {
    pub fn new(name: &str, labels: impl IntoIterator<Item = (String, String)>, value: f64, timestamp_ms: i64) -> TimeSeries {
        let mut labels: Vec<(String, String)> = std::iter::once(("__name__".to_string(), name.to_string())).chain(labels).collect();
        labels.sort();
        TimeSeries { labels, value, timestamp_ms }
    }

    /// The metric name (`__name__`).
    pub fn name(&self) -> &str {
        self.labels.iter().find(|(k, _)| k == "__name__").map_or("", |(_, v)| v)
    }
}
