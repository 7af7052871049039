//! How fast a capture replays into history (`kinsight up --replay`), against the same
//! pass without history (what `kinsight read` does).
//!
//!   cargo run --release -p kinsight-monitor --example replay_speed -- FILE.scap

use kinsight_analysis::Session;
use kinsight_history::{History, HistoryConfig};
use kinsight_monitor::{Pipeline, Shared};
use kinsight_scap::ScapReader;
use std::time::Instant;

fn plain(path: &str) -> (f64, u64) {
    let t = Instant::now();
    let mut session = Session::new(None);
    let mut r = ScapReader::open(path).unwrap();
    while let Some(b) = r.next_block().unwrap() {
        session.ingest_block(&b);
    }
    (t.elapsed().as_secs_f64(), session.engine.stats.events)
}

fn replay(path: &str) -> (f64, History) {
    let t = Instant::now();
    let shared = Shared::new(History::new(HistoryConfig::default()));
    let mut p = Pipeline::new(shared.clone());
    let mut r = ScapReader::open(path).unwrap();
    while let Some(b) = r.next_block().unwrap() {
        p.apply_block(&b);
    }
    p.finish();
    let secs = t.elapsed().as_secs_f64();
    drop(p);
    (secs, std::sync::Arc::try_unwrap(shared).ok().unwrap().history.into_inner().unwrap())
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: replay_speed FILE.scap");
    // Alternate the two passes and keep each one's best of three: a shared machine is noisy.
    let (mut best_plain, mut best_replay, mut events, mut history) = (f64::MAX, f64::MAX, 0, None);
    for _ in 0..3 {
        let (t, e) = plain(&path);
        best_plain = best_plain.min(t);
        events = e;
        let (t, h) = replay(&path);
        best_replay = best_replay.min(t);
        history = Some(h);
    }
    let h = history.unwrap();
    println!("{events} events, best of 3");
    println!("session only (kinsight read): {best_plain:.2} s, {:.1} M events/s", events as f64 / best_plain / 1e6);
    println!("pipeline into history (kinsight up --replay): {best_replay:.2} s, {:.1} M events/s ({:+.0}%)", events as f64 / best_replay / 1e6, (best_replay / best_plain - 1.0) * 100.0);
    println!("history: {} samples, {} series, {:.1} MiB", h.samples(), h.catalog.series_count(), h.heap_bytes() as f64 / (1 << 20) as f64);
}
