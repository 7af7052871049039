//! The one pipeline every source feeds: blocks go through the analysis Session (engine
//! state, counters, HTTP decoding, exactly as `kinsight read`), and each interval of event
//! time becomes one history sample.

use crate::sampler::Sampler;
use crate::Shared;
use kinsight_analysis::Session;
use kinsight_engine::Engine;
use kinsight_scap::Block;
use std::sync::Arc;

/// Length of the finest history bucket: one sample per second of event time.
pub const INTERVAL_NS: u64 = 1_000_000_000;

pub struct Pipeline {
    session: Session,
    sampler: Sampler,
    shared: Arc<Shared>,
    /// Start of the interval being filled; `None` before the first event.
    current: Option<u64>,
}

impl Pipeline {
    pub fn new(shared: Arc<Shared>) -> Pipeline {
        // No filter: history keeps everything; users filter when they look.
        Pipeline { session: Session::new(None), sampler: Sampler::new(), shared, current: None }
    }

    /// Applies one block of any source. An event past the current interval first closes
    /// it, so each interval's sample holds exactly the events timed inside it.
    pub fn apply_block(&mut self, block: &Block) {
        if let Block::Event(ev) = block {
            self.advance_to(ev.ts);
        }
        let sampler = &mut self.sampler;
        self.session.apply_block_with(block, |session, _, ctx| sampler.note_event(&session.engine, ctx));
    }

    /// Applies state-only events (a live source's first CPU sample of each thread): the
    /// engine learns from them, the counters do not count them.
    pub fn apply_setup_block(&mut self, block: &Block) {
        match block {
            Block::Event(ev) => {
                self.session.engine.process(ev);
            }
            other => self.apply_block(other),
        }
    }

    /// A live source's sample of a process's memory (captures carry it in events).
    pub fn set_thread_memory(&mut self, tid: i64, vmsize_kb: u64, vmrss_kb: u64) {
        self.session.engine.set_thread_memory(tid, vmsize_kb, vmrss_kb);
    }

    /// A live host runs for long: a thread that exited leaves the engine's state once its
    /// exit was counted (its counters of the interval still reach history).
    pub fn forget_thread(&mut self, tid: i64) {
        self.session.engine.remove_thread(tid);
    }

    /// Applies the Kubernetes updates received since the last call (never waits), between
    /// two blocks; the catalog is refreshed at the end of the interval.
    pub fn apply_kube(&mut self, updates: &mut kinsight_kube::UpdateReceiver) -> kinsight_kube::Applied {
        let applied = updates.apply_pending(&mut self.session.engine.cluster);
        if applied.changes > 0 {
            self.sampler.mark_metadata_changed();
        }
        applied
    }

    /// For live sources: closes the interval when the clock passes it, even without
    /// events, so charts keep moving on a quiet host.
    pub fn tick(&mut self, now_ns: u64) {
        self.advance_to(now_ns);
    }

    /// Closes the last interval (end of a replay).
    pub fn finish(&mut self) {
        if let Some(start) = self.current.take() {
            // The capture ends: bodies still being sent are complete as they are.
            self.session.collector.finish_http();
            self.flush(start);
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.session.engine
    }

    pub fn events(&self) -> u64 {
        self.session.engine.stats.events
    }

    fn advance_to(&mut self, ts: u64) {
        // Some metadata events (container descriptions written at capture start) carry no
        // time: they belong to whatever interval is being filled.
        if ts == 0 {
            return;
        }
        let start = ts - ts % INTERVAL_NS;
        match self.current {
            None => self.current = Some(start),
            Some(cur) if start > cur => {
                self.flush(cur);
                self.current = Some(start);
            }
            // Slightly late events (per-CPU buffers are merged by time, not perfectly)
            // count in the interval being filled.
            Some(_) => {}
        }
    }

    fn flush(&mut self, start: u64) {
        let shared = Arc::clone(&self.shared);
        let mut history = shared.history.write().unwrap_or_else(|e| e.into_inner());
        self.sampler.flush(&mut self.session, &mut history, start, INTERVAL_NS);
    }
}
