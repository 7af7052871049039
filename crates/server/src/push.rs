//! Remote write of what `/metrics` shows, every interval, to a Prometheus-compatible store
//! (`kinsight up --remote-write URL`, `kinsight agent --remote-write URL`): the store keeps
//! the long-term history of every node, the hub reads it back.
//!
//! The series are `/metrics`' (cAdvisor's names and labels, `kinsight_` for ours; their
//! cardinality is bounded there), each with `job="kinsight"` and the `node` it comes from.

use crate::metrics;
use crate::state::AppState;
use kinsight_remote_write::{RemoteWriter, TimeSeries, WriterConfig};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Clone, Debug)]
pub struct RemoteWriteOptions {
    pub writer: WriterConfig,
    /// How often the series are sampled and sent (Prometheus' usual scrape interval).
    pub interval: Duration,
}

/// One round: the samples of `/metrics` now, labelled for the store.
pub fn round(st: &AppState, timestamp_ms: i64) -> Vec<TimeSeries> {
    let h = st.history();
    let resources = st.shared.resources();
    let samples = st.with_index(&h, |ix| metrics::samples(&h, ix, &resources));
    let node = h.catalog.local_node.clone();
    drop(h);
    samples
        .into_iter()
        .map(|(name, labels, value)| {
            let has_node = labels.iter().any(|(k, _)| *k == "node");
            let extra = std::iter::once(("job".to_string(), "kinsight".to_string())).chain((!has_node).then(|| ("node".to_string(), node.clone())));
            // An empty label is no label, to Prometheus and to the stores.
            TimeSeries::new(&name, labels.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.to_string(), v)).chain(extra), value, timestamp_ms)
        })
        .collect()
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Samples and queues a round every interval until `stop`; a last round at the stop, sent
/// within the writer's grace.
pub fn spawn(st: Arc<AppState>, writer: Arc<RemoteWriter>, interval: Duration, stop: Arc<AtomicBool>) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name("kinsight-push".into())
        .spawn(move || {
            let mut next = Instant::now() + interval;
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                if Instant::now() >= next {
                    next += interval;
                    writer.push(round(&st, now_ms()));
                }
            }
            writer.push(round(&st, now_ms()));
            writer.flush(Duration::from_secs(5));
        })
        .expect("spawning a thread")
}
