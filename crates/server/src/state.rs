//! What every request handler shares: the monitor's state, the token, and a cached entity
//! index that follows the catalog.

use crate::entities::EntityIndex;
use kinsight_filter::Filter;
use kinsight_history::History;
use kinsight_monitor::Shared;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLockReadGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// Where this server's data comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Replay(PathBuf),
    Live,
}

pub struct AppState {
    pub shared: Arc<Shared>,
    /// Required on every API call when set.
    pub token: Option<String>,
    pub mode: Mode,
    /// Where history is snapshotted (live mode).
    pub snapshot_path: Option<PathBuf>,
    pub last_snapshot: Mutex<Option<SnapshotInfo>>,
    /// Where the series are sent, with `--remote-write`.
    pub remote_write: Option<Arc<kinsight_remote_write::RemoteWriter>>,
    /// The hub's store (`--store`): the cluster's counters come from it.
    pub cluster: Option<Arc<crate::cluster::ClusterStore>>,
    /// The hub's calls to its agents for drill-downs.
    pub fanout: Option<crate::fanout::Fanout>,
    /// Where this server says it listens, in its heartbeat to the store (agents).
    pub advertise: Option<String>,
    index: Mutex<Option<EntityIndex>>,
    /// Recent entity filters and the series they keep, valid for one catalog state.
    filters: Mutex<Vec<CachedFilter>>,
}

struct CachedFilter {
    expr: String,
    generation: u64,
    series: usize,
    mask: Arc<Vec<bool>>,
}

/// Filters kept: a page's table, topology and charts, and a few before.
const FILTER_CACHE: usize = 8;

#[derive(Clone, Debug)]
pub struct SnapshotInfo {
    pub saved_ns: u64,
    pub error: Option<String>,
}

impl AppState {
    pub fn new(shared: Arc<Shared>, token: Option<String>, mode: Mode, snapshot_path: Option<PathBuf>) -> AppState {
        AppState { shared, token, mode, snapshot_path, last_snapshot: Mutex::new(None), remote_write: None, cluster: None, fanout: None, advertise: None, index: Mutex::new(None), filters: Mutex::new(Vec::new()) }
    }

    pub fn history(&self) -> RwLockReadGuard<'_, History> {
        self.shared.history.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` with the entity index of `history` as it is now: rebuilt when the catalog's
    /// entities changed, extended when only series were added. Requests that need it take
    /// turns; each holds it for a few milliseconds.
    pub fn with_index<T>(&self, history: &History, f: impl FnOnce(&mut EntityIndex) -> T) -> T {
        let mut guard = self.index.lock().unwrap_or_else(|e| e.into_inner());
        let stale = guard.as_ref().is_none_or(|ix| ix.generation != history.catalog.generation() || ix.series_count() > history.catalog.series_count());
        if stale {
            *guard = Some(EntityIndex::build(&history.catalog));
        } else if let Some(ix) = guard.as_mut() {
            ix.extend(&history.catalog);
        }
        f(guard.as_mut().expect("index just built"))
    }
}

impl AppState {
    /// In the hub, each node's agent as the store last heard it; None elsewhere or when the
    /// store does not answer (its error is in `/api/status`).
    pub fn agents(&self) -> Option<BTreeMap<String, crate::cluster::AgentReport>> {
        self.cluster.as_ref().and_then(|c| c.agents(now_ns()).ok())
    }

    /// The range the data covers: history's, except in the hub, whose counters are in the
    /// store (None: pages default to the last hour).
    pub fn data_range(&self, h: &History) -> Option<(u64, u64)> {
        if self.cluster.is_some() {
            None
        } else {
            h.data_range()
        }
    }

    /// The series an entity filter keeps, computed once per catalog state: the UI asks the
    /// same filter for its table, topology and charts, and again on every refresh.
    pub fn filter_mask(&self, history: &History, filter: &Filter) -> Arc<Vec<bool>> {
        let (generation, series) = (history.catalog.generation(), history.catalog.series_count());
        let mut cache = self.filters.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = cache.iter().find(|c| c.expr == filter.expr() && c.generation == generation && c.series == series) {
            return c.mask.clone();
        }
        let mask = Arc::new(crate::query::filter_mask(history, filter));
        cache.retain(|c| c.generation == generation);
        if cache.len() >= FILTER_CACHE {
            cache.remove(0);
        }
        cache.push(CachedFilter { expr: filter.expr().to_string(), generation, series, mask: mask.clone() });
        mask
    }
}

pub fn now_ns() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}
