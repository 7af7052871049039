//! The hub's cache of what the store answered: each container's counters over aligned
//! blocks of time, so that a page's range is summed from blocks asked of the store once
//! instead of one `increase` over every sample of the range at every page view.
//!
//! Owns: the blocks (10 s, 1 min, 10 min, 1 h, aligned to multiples of their length since
//! the epoch), which of them are final ("sealed"), the refresher that asks the store for
//! each new 10 s step and for the unsealed tail once per step, the roll-up of steps into
//! longer blocks, and the plan that cuts a range into cached blocks and a rest.
//! Must not: decide what the fields mean or which containers are which (cluster.rs does),
//! or serve a range it cannot cover: what the cache lacks is asked of the store.
//!
//! Only a store whose `increase` adds up is cached: VictoriaMetrics' counts from the last
//! sample before the window and does not extrapolate, so the increases over (a, b] and
//! (b, c] sum to the one over (a, c] exactly. Prometheus' extrapolates to the window's
//! edges (a 10 s window holding one sample says nothing), so with Prometheus every range
//! is asked whole, as before.
//!
//! A block is sealed, and never asked again, once every agent has had the time to write
//! it: its end is older than `settle` (an agent's silence that makes it stale, plus a
//! step), and no agent that fell silent since then may still send it. A stale agent holds
//! the horizon at its last report for up to [`HOLD_MAX`] (its queue replays a store outage
//! in order, so once its heartbeat is current again everything before it is in); an agent
//! silent longer is taken as gone. Samples that reach the store later than that are in
//! ranges the cache does not hold, not in the blocks it sealed before.

use crate::cluster::{window, FIELDS, FIELD_LABEL};
use kinsight_promql::{Labels, QueryError, Store};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::sync::Arc;

const SECOND: u64 = 1_000_000_000;
/// The finest block: the agents' push interval.
pub(crate) const STEP_NS: u64 = 10 * SECOND;
/// Block lengths, finest first; each a multiple of the one before.
const LADDER: [u64; 4] = [STEP_NS, 60 * SECOND, 600 * SECOND, 3600 * SECOND];
/// How long blocks of each length are kept: a range of span S is cut at 1/60 of S (see
/// [`unit_for`]), so each length serves ranges up to 60 times its own.
const KEEP: [u64; 4] = [20 * 60 * SECOND, 2 * 3600 * SECOND, 12 * 3600 * SECOND, 8 * 24 * 3600 * SECOND];
/// How long a silent agent may hold blocks unsealed.
pub(crate) const HOLD_MAX: u64 = 10 * 60 * SECOND;
/// Steps the refresher asks for in one round at most (after a start or an outage, the
/// rest follows in the next rounds; ranges not covered yet are asked whole).
const STEPS_PER_ROUND: u64 = 60;

/// One container's values over a block, in the order of [`FIELDS`]: increases, and for
/// the gauges the last sample (NaN when the block holds none).
pub(crate) type Values = [f64; FIELDS.len()];

fn empty_values() -> Values {
    let mut v = [0.0; FIELDS.len()];
    for (i, (f, _)) in FIELDS.iter().enumerate() {
        if f.is_gauge() {
            v[i] = f64::NAN;
        }
    }
    v
}

/// Adds `later` to `acc` (later in time: its gauges win where it has a sample).
pub(crate) fn merge_values(acc: &mut Values, later: &Values) {
    for (i, (f, _)) in FIELDS.iter().enumerate() {
        if f.is_gauge() {
            if !later[i].is_nan() {
                acc[i] = later[i];
            }
        } else if later[i].is_finite() {
            acc[i] += later[i];
        }
    }
}

/// Each container's values over one block, by the cache's container index.
#[derive(Default)]
pub(crate) struct Block {
    rows: Vec<(u32, Values)>,
}

impl Block {
    fn bytes(&self) -> usize {
        self.rows.len() * std::mem::size_of::<(u32, Values)>()
    }
}

/// The store's containers, each named once.
#[derive(Default)]
pub(crate) struct Containers {
    labels: Vec<Labels>,
    index: FxHashMap<Labels, u32>,
}

impl Containers {
    fn id(&mut self, series: &Labels) -> Option<(u32, usize)> {
        let field = series.get(FIELD_LABEL).and_then(|n| FIELDS.iter().position(|(_, name)| name == n))?;
        let mut key = series.clone();
        key.remove(FIELD_LABEL);
        let next = self.labels.len() as u32;
        let id = *self.index.entry(key).or_insert_with_key(|k| {
            self.labels.push(k.clone());
            next
        });
        Some((id, field))
    }

    pub(crate) fn labels(&self, id: u32) -> &Labels {
        &self.labels[id as usize]
    }
}

/// Builds one block from an instant answer.
fn block_of(containers: &mut Containers, answer: &[kinsight_promql::Sample]) -> Block {
    let mut rows: FxHashMap<u32, Values> = FxHashMap::default();
    for s in answer {
        let Some((id, field)) = containers.id(&s.labels) else { continue };
        rows.entry(id).or_insert_with(empty_values)[field] = s.value;
    }
    Block { rows: rows.into_iter().collect() }
}

/// Builds a block per point time from a range answer: (end ns, block).
fn blocks_of(containers: &mut Containers, answer: &[kinsight_promql::RangeSeries]) -> BTreeMap<u64, Block> {
    let mut per_end: BTreeMap<u64, FxHashMap<u32, Values>> = BTreeMap::new();
    for s in answer {
        let Some((id, field)) = containers.id(&s.labels) else { continue };
        for &(t, v) in &s.points {
            let end = (t * 1e3).round() as u64 * 1_000_000;
            per_end.entry(end).or_default().entry(id).or_insert_with(empty_values)[field] = v;
        }
    }
    per_end.into_iter().map(|(end, rows)| (end, Block { rows: rows.into_iter().collect() })).collect()
}

/// The unsealed end of the cluster's time, as the refresher last asked it.
struct Tail {
    from: u64,
    to: u64,
    block: Arc<Block>,
}

/// The blocks, by (length, start).
#[derive(Default)]
pub(crate) struct BlockCache {
    pub(crate) containers: Containers,
    blocks: BTreeMap<(u64, u64), Arc<Block>>,
    tail: Option<Tail>,
    /// Blocks ending at or before this are final.
    sealed: u64,
}

/// The block length a range of `span` is cut at: about 1/60 of it, so that its ends move by
/// at most that much (the store's own resolution is the agents' 10 s step).
pub(crate) fn unit_for(span: u64) -> u64 {
    LADDER.iter().rev().copied().find(|&l| l * 60 <= span).unwrap_or(STEP_NS)
}

/// `range` widened to whole units: the start down, the end up (to the next step).
pub(crate) fn aligned(from: u64, to: u64) -> (u64, u64) {
    let unit = unit_for(to.saturating_sub(from));
    (from / unit * unit, to.div_ceil(STEP_NS) * STEP_NS)
}

/// A piece of a range, in time order.
#[derive(Clone)]
pub(crate) enum Piece {
    Cached(Arc<Block>),
    /// A sealed block the cache lacks: (length, start), to ask and keep.
    Missing(u64, u64),
    /// The unsealed rest (from, to), when the tail does not answer it.
    Rest(u64, u64),
}

impl std::fmt::Debug for Piece {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Piece::Cached(b) => write!(f, "Cached({} rows)", b.rows.len()),
            Piece::Missing(l, s) => write!(f, "Missing({l}, {s})"),
            Piece::Rest(a, b) => write!(f, "Rest({a}, {b})"),
        }
    }
}

impl BlockCache {
    /// Cuts the aligned range `[from, to)` into blocks: the longest aligned block that fits
    /// at each point, up to the sealed horizon; after it, the refresher's tail when it
    /// starts there and reaches the range's end (the newest step not asked yet is the
    /// agents' next write), else the rest as one piece.
    pub(crate) fn plan(&self, from: u64, to: u64, now: u64) -> Vec<Piece> {
        let mut plan = Vec::new();
        let horizon = self.sealed.min(to);
        let mut pos = from;
        while pos < horizon {
            let Some(len) = LADDER.iter().rev().copied().find(|&l| pos % l == 0 && pos + l <= horizon) else { break };
            plan.push(match self.blocks.get(&(len, pos)) {
                Some(b) => Piece::Cached(b.clone()),
                None => Piece::Missing(len, pos),
            });
            pos += len;
        }
        if pos < to {
            plan.push(match &self.tail {
                Some(t) if t.from == pos && t.to + STEP_NS >= to.min(now) => Piece::Cached(t.block.clone()),
                _ => Piece::Rest(pos, to),
            });
        }
        plan
    }

    /// Keeps a sealed block asked for a page.
    pub(crate) fn keep(&mut self, len: u64, start: u64, block: Block) -> Arc<Block> {
        let b = Arc::new(block);
        if start + len <= self.sealed {
            self.blocks.insert((len, start), b.clone());
        }
        b
    }

    pub(crate) fn bytes(&self) -> usize {
        self.blocks.values().chain(self.tail.as_ref().map(|t| &t.block)).map(|b| b.bytes()).sum::<usize>() + self.containers.labels.len() * 160
    }

    pub(crate) fn block_count(&self) -> usize {
        self.blocks.len()
    }

    /// Sums each container's values over `blocks`, oldest first.
    pub(crate) fn sum(blocks: &[Arc<Block>]) -> FxHashMap<u32, Values> {
        let mut out: FxHashMap<u32, Values> = FxHashMap::default();
        for b in blocks {
            for (id, v) in &b.rows {
                merge_values(out.entry(*id).or_insert_with(empty_values), v);
            }
        }
        out
    }

    /// Longer blocks from complete sets of shorter ones, then the old ones dropped.
    fn roll_up(&mut self, now: u64) {
        for pair in LADDER.windows(2) {
            let (short, long) = (pair[0], pair[1]);
            let starts: Vec<u64> = self.blocks.range((short, 0)..(short, u64::MAX)).map(|(&(_, s), _)| s / long * long).collect();
            let mut done = u64::MAX;
            for start in starts {
                if start == done || self.blocks.contains_key(&(long, start)) || start + long > self.sealed {
                    continue;
                }
                done = start;
                let parts: Option<Vec<Arc<Block>>> = (0..long / short).map(|i| self.blocks.get(&(short, start + i * short)).cloned()).collect();
                if let Some(parts) = parts {
                    let rows = BlockCache::sum(&parts).into_iter().collect();
                    self.blocks.insert((long, start), Arc::new(Block { rows }));
                }
            }
        }
        for (len, keep) in LADDER.iter().zip(KEEP) {
            let oldest = now.saturating_sub(keep);
            self.blocks.retain(|&(l, s), _| l != *len || s + l > oldest);
        }
    }
}

/// One round of the refresher at `now`: seals what every agent has written by now, asks for
/// the new steps and for the tail, rolls up and forgets. `hold` is the oldest time a
/// silent agent may still write (None: none may).
pub(crate) fn refresh(cache: &std::sync::Mutex<BlockCache>, store: &Store, now: u64, settle: u64, hold: Option<u64>) -> Result<(), QueryError> {
    let mut horizon = now.saturating_sub(settle) / STEP_NS * STEP_NS;
    if let Some(h) = hold {
        horizon = horizon.min(h / STEP_NS * STEP_NS);
    }
    let (first, last) = {
        let c = lock(cache);
        let oldest = now.saturating_sub(KEEP[0]) / STEP_NS * STEP_NS;
        let first = (oldest..horizon).step_by(STEP_NS as usize).find(|s| !c.blocks.contains_key(&(STEP_NS, *s)));
        (first, horizon)
    };
    // The new steps: one range query whose points are the steps' ends.
    if let Some(first) = first {
        let last_start = (first + STEPS_PER_ROUND * STEP_NS).min(last) - STEP_NS;
        let answer = store.range(&crate::cluster::all_fields_expr(&window(STEP_NS)), (first + STEP_NS) as f64 / 1e9, (last_start + STEP_NS) as f64 / 1e9, STEP_NS as f64 / 1e9)?;
        let mut c = lock(cache);
        let mut fetched = blocks_of(&mut c.containers, &answer);
        for s in (first..=last_start).step_by(STEP_NS as usize) {
            // A step without a point is a step nothing was written in.
            let block = fetched.remove(&(s + STEP_NS)).unwrap_or_default();
            c.blocks.insert((STEP_NS, s), Arc::new(block));
        }
        c.sealed = horizon.min(last_start + STEP_NS);
    } else {
        lock(cache).sealed = horizon;
    }
    let sealed = lock(cache).sealed;
    // The tail: what is not sealed yet, as one window ending now.
    let tail = if now > sealed { Some(store.instant(&crate::cluster::all_fields_expr(&window(now - sealed)), now as f64 / 1e9)?) } else { None };
    let mut c = lock(cache);
    let tail = tail.map(|answer| Tail { from: sealed, to: now, block: Arc::new(block_of(&mut c.containers, &answer)) });
    c.tail = tail;
    c.roll_up(now);
    Ok(())
}

/// Asks the store for one block (or the rest of a range): the increase over `(start, end]`.
pub(crate) fn fetch(cache: &std::sync::Mutex<BlockCache>, store: &Store, start: u64, end: u64) -> Result<Block, QueryError> {
    let answer = store.instant(&crate::cluster::all_fields_expr(&window(end - start)), end as f64 / 1e9)?;
    Ok(block_of(&mut lock(cache).containers, &answer))
}

pub(crate) fn lock(cache: &std::sync::Mutex<BlockCache>) -> std::sync::MutexGuard<'_, BlockCache> {
    cache.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache_with(sealed: u64, steps: &[u64]) -> BlockCache {
        let mut c = BlockCache { sealed, ..BlockCache::default() };
        for &s in steps {
            c.blocks.insert((STEP_NS, s), Arc::new(Block::default()));
        }
        c
    }

    #[test]
    fn a_range_is_cut_into_the_longest_aligned_blocks() {
        let c = cache_with(7200 * SECOND, &[]);
        let p = c.plan(3540 * SECOND, 7200 * SECOND, 7300 * SECOND);
        // 3540..3600 in 1 min, 3600..7200 in one hour.
        assert_eq!(format!("{p:?}"), format!("[Missing({}, {}), Missing({}, {})]", 60 * SECOND, 3540 * SECOND, 3600 * SECOND, 3600 * SECOND));
    }

    #[test]
    fn past_the_sealed_horizon_the_rest_is_one_piece_unless_the_tail_holds_it() {
        let mut c = cache_with(120 * SECOND, &[100 * SECOND, 110 * SECOND]);
        let p = c.plan(100 * SECOND, 200 * SECOND, 195 * SECOND);
        assert_eq!(format!("{p:?}"), format!("[Cached(0 rows), Cached(0 rows), Rest({}, {})]", 120 * SECOND, 200 * SECOND));
        c.tail = Some(Tail { from: 120 * SECOND, to: 195 * SECOND, block: Arc::new(Block { rows: vec![(0, empty_values())] }) });
        let p = c.plan(100 * SECOND, 200 * SECOND, 195 * SECOND);
        assert_eq!(format!("{p:?}"), "[Cached(0 rows), Cached(0 rows), Cached(1 rows)]");
        // A range that ends before the horizon needs no tail.
        let p = c.plan(100 * SECOND, 110 * SECOND, 195 * SECOND);
        assert_eq!(format!("{p:?}"), "[Cached(0 rows)]");
        // A tail asked too long ago does not answer for now.
        let p = c.plan(100 * SECOND, 230 * SECOND, 225 * SECOND);
        assert_eq!(format!("{p:?}"), format!("[Cached(0 rows), Cached(0 rows), Rest({}, {})]", 120 * SECOND, 230 * SECOND));
    }

    #[test]
    fn steps_roll_up_into_minutes_once_all_six_are_there() {
        let mut c = cache_with(600 * SECOND, &[0, 10 * SECOND, 20 * SECOND, 30 * SECOND, 40 * SECOND]);
        c.roll_up(600 * SECOND);
        assert!(!c.blocks.contains_key(&(60 * SECOND, 0)));
        c.blocks.insert((STEP_NS, 50 * SECOND), Arc::new(Block { rows: vec![(0, empty_values())] }));
        c.roll_up(600 * SECOND);
        assert!(c.blocks.contains_key(&(60 * SECOND, 0)));
    }

    #[test]
    fn gauges_keep_the_last_sample_and_counters_add() {
        let rss = FIELDS.iter().position(|(f, _)| f.is_gauge()).unwrap();
        let net = FIELDS.iter().position(|(f, _)| !f.is_gauge()).unwrap();
        let mut a = empty_values();
        a[rss] = 5.0;
        a[net] = 1.0;
        let mut b = empty_values();
        b[net] = 2.0;
        merge_values(&mut a, &b);
        assert_eq!((a[rss], a[net]), (5.0, 3.0));
        b[rss] = 7.0;
        merge_values(&mut a, &b);
        assert_eq!((a[rss], a[net]), (7.0, 5.0));
    }

    #[test]
    fn the_cut_follows_the_span() {
        assert_eq!(unit_for(30 * SECOND), STEP_NS);
        assert_eq!(unit_for(3600 * SECOND), 60 * SECOND);
        assert_eq!(unit_for(24 * 3600 * SECOND), 1200 * SECOND / 2);
        assert_eq!(aligned(3605 * SECOND, 7201 * SECOND), (3600 * SECOND, 7210 * SECOND));
    }
}
