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
    // The heartbeat: the hub tells live agents from stale ones, and finds where to drill.
    // (Without an address the url label is empty, so left out.)
    let info = ("kinsight_agent_info".to_string(), vec![("url", st.advertise.clone().unwrap_or_default())], 1.0);
    samples
        .into_iter()
        .chain(std::iter::once(info))
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

/// Counters this process has sent: a new one is preceded by a zero.
///
/// A counter's first sample says how much it grew since this process began counting, but a
/// store cannot tell that from a counter that was already large: `increase()` over a range
/// would miss the first sample's value. So before the first sample of each counter this
/// process sends, it sends a zero at the time of the previous round (or of its start):
/// true, since the counter did not exist then, and every increase is counted from zero.
#[derive(Default)]
pub struct Born {
    seen: rustc_hash::FxHashSet<u64>,
}

fn is_counter(name: &str) -> bool {
    name.ends_with("_total") || name.ends_with("_bucket") || name.ends_with("_sum") || name.ends_with("_count")
}

impl Born {
    /// `round` with a zero before each counter first sent, at `previous_ms`.
    pub fn with_zeros(&mut self, round: Vec<TimeSeries>, previous_ms: i64) -> Vec<TimeSeries> {
        use std::hash::{Hash, Hasher};
        let mut out = Vec::with_capacity(round.len());
        for ts in round {
            if is_counter(ts.name()) {
                let mut hasher = rustc_hash::FxHasher::default();
                ts.labels.hash(&mut hasher);
                if self.seen.insert(hasher.finish()) && ts.value != 0.0 && previous_ms < ts.timestamp_ms {
                    out.push(TimeSeries { value: 0.0, timestamp_ms: previous_ms, ..ts.clone() });
                }
            }
            out.push(ts);
        }
        out
    }
}

/// Samples and queues a round every interval until `stop`; a last round at the stop, sent
/// within the writer's grace.
pub fn spawn(st: Arc<AppState>, writer: Arc<RemoteWriter>, interval: Duration, stop: Arc<AtomicBool>) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name("kinsight-push".into())
        .spawn(move || {
            let mut born = Born::default();
            let mut previous = now_ms();
            let mut next = Instant::now() + interval;
            let send = |born: &mut Born, previous: &mut i64| {
                let t = now_ms();
                writer.push(born.with_zeros(round(&st, t), *previous));
                *previous = t;
            };
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                if Instant::now() >= next {
                    next += interval;
                    send(&mut born, &mut previous);
                }
            }
            send(&mut born, &mut previous);
            writer.flush(Duration::from_secs(5));
        })
        .expect("spawning a thread")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(name: &str, pod: &str, v: f64, t: i64) -> TimeSeries {
        TimeSeries::new(name, [("pod".to_string(), pod.to_string())], v, t)
    }

    #[test]
    fn a_new_counter_is_preceded_by_a_zero_once() {
        let mut born = Born::default();
        let first = born.with_zeros(vec![ts("x_total", "a", 5.0, 2000), ts("mem_bytes", "a", 7.0, 2000), ts("y_total", "a", 0.0, 2000)], 1000);
        assert_eq!(first, vec![ts("x_total", "a", 0.0, 1000), ts("x_total", "a", 5.0, 2000), ts("mem_bytes", "a", 7.0, 2000), ts("y_total", "a", 0.0, 2000)]);
        // Seen: no zero again; a counter of another pod is new.
        let second = born.with_zeros(vec![ts("x_total", "a", 9.0, 3000), ts("x_total", "b", 1.0, 3000), ts("y_total", "a", 4.0, 3000)], 2000);
        assert_eq!(second, vec![ts("x_total", "a", 9.0, 3000), ts("x_total", "b", 0.0, 2000), ts("x_total", "b", 1.0, 3000), ts("y_total", "a", 4.0, 3000)]);
    }
}
