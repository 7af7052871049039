//! kinsight-monitor: where `kinsight up` gets its data, and the one pipeline it goes through.
//!
//! Owns: the [`Source`]s (a capture replay; the live host capture together with the
//! Kubernetes watcher), the [`Pipeline`] (every block →
//! the analysis `Session` → one [`kinsight_history::Sample`] per second of event time →
//! the history store), the catalog sync from the engine's cluster model, and the status of
//! each source, all kept in [`Shared`] for the server to read.
//! Must not: serve HTTP or decide what users see (kinsight-server), parse capture bytes
//! (kinsight-scap) or keep thread and fd state (kinsight-engine); it only reads the
//! Session's counters and the engine's state.

pub mod catalog_sync;
pub mod live;
pub mod pipeline;
pub mod sampler;
pub mod source;
pub mod status;

pub use pipeline::Pipeline;
pub use kinsight_live::resources::ResourceRow;
pub use kinsight_kube::Shape;
pub use live::{KubeTarget, LiveConfig, LiveHostSource};
pub use source::{detect_kubernetes, spawn, KubeAccess, ReplaySource, Source, SourceCtl, SourceError};

use kinsight_history::History;
pub use status::{SourceState, SourceStatus};
use std::sync::{Arc, Mutex, RwLock};

/// What the server reads: the history, and how each source is doing.
pub struct Shared {
    pub history: RwLock<History>,
    pub sources: Mutex<Vec<SourceStatus>>,
    /// The latest reading of each container's cgroup counters (live sources only): CPU
    /// throttling, memory working set and limit, OOM kills, block I/O, interface bytes.
    /// Gauges of the moment, not history.
    pub resources: Mutex<Vec<ResourceRow>>,
}

impl Shared {
    pub fn new(history: History) -> Arc<Shared> {
        Arc::new(Shared { history: RwLock::new(history), sources: Mutex::new(Vec::new()), resources: Mutex::new(Vec::new()) })
    }

    /// Adds a source's status line; returns its index for updates.
    pub fn add_source(&self, status: SourceStatus) -> usize {
        let mut s = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        s.push(status);
        s.len() - 1
    }

    pub fn update_source(&self, index: usize, f: impl FnOnce(&mut SourceStatus)) {
        let mut s = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(st) = s.get_mut(index) {
            f(st);
        }
    }

    pub fn set_resources(&self, rows: Vec<ResourceRow>) {
        *self.resources.lock().unwrap_or_else(|e| e.into_inner()) = rows;
    }

    pub fn resources(&self) -> Vec<ResourceRow> {
        self.resources.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn source_statuses(&self) -> Vec<SourceStatus> {
        self.sources.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// True while some source may still add data.
    pub fn any_source_active(&self) -> bool {
        self.source_statuses().iter().any(|s| matches!(s.state, SourceState::Starting | SourceState::Running))
    }
}

