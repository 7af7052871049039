//! kinsight-analysis: what users see, computed from the engine's state.
//!
//! Owns: the per-event folding of counters ([`Collector`]), the filter step in front of it
//! ([`Session`]), the csysdig-style views ([`views`]), the two Kubernetes hierarchies as
//! trees ([`tree`]) and human formatting of numbers ([`human`]).
//! Must not: parse capture bytes (kinsight-scap) or keep thread/fd state (kinsight-engine).

pub mod collect;
pub mod human;
pub mod k8s;
pub mod tree;
pub mod views;

pub use collect::Collector;
pub use k8s::{K8sIndex, K8sKind};

use kinsight_engine::{Engine, EventCtx, EventFields};
use kinsight_filter::Filter;
use kinsight_scap::{Block, EventRef};

/// One pipeline: every block goes through the engine, events that pass the filter are
/// folded into the counters.
pub struct Session {
    pub engine: Engine,
    pub collector: Collector,
    filter: Option<Filter>,
    /// Events that did not pass the filter.
    pub filtered_out: u64,
}

impl Session {
    pub fn new(filter: Option<Filter>) -> Session {
        Session { engine: Engine::new(), collector: Collector::new(), filter, filtered_out: 0 }
    }

    /// Applies a block; returns the context of an event that passed the filter.
    pub fn apply_block<'a>(&mut self, block: &Block<'a>) -> Option<EventCtx<'a>> {
        let mut passed = None;
        self.apply_block_with(block, |_, _, ctx| passed = Some(ctx.clone()));
        passed
    }

    /// Applies a block, keeping nothing of it but the counters: the fast path of a pass
    /// over a capture.
    pub fn ingest_block(&mut self, block: &Block) {
        self.apply_block_with(block, |_, _, _| {});
    }

    /// Applies a block and calls `on_event` for each event that passes the filter, with
    /// the state as it is right after the event.
    pub fn apply_block_with<'a>(&mut self, block: &Block<'a>, on_event: impl FnOnce(&Session, &EventRef<'a>, &EventCtx<'a>)) {
        let Block::Event(ev) = block else {
            self.engine.apply_block(block);
            return;
        };
        let mut ctx = EventCtx::default();
        self.engine.process_into(ev, &mut ctx);
        if let Some(f) = &self.filter {
            if !f.matches(&EventFields::new(&self.engine, ev, &ctx)) {
                self.filtered_out += 1;
                return;
            }
        }
        self.collector.observe(&self.engine, ev, &ctx);
        on_event(self, ev, &ctx);
    }

    /// One line per event, like `sysdig -p "%evt.num %evt.time %thread.tid %proc.name
    /// %evt.dir %evt.type %fd.num %fd.type %fd.name %evt.res %evt.buflen"`.
    pub fn event_line(&self, ev: &kinsight_scap::EventRef, ctx: &EventCtx) -> String {
        use kinsight_filter::{Field, FieldSource, Value};
        let f = EventFields::new(&self.engine, ev, ctx);
        let text = |field: Field| match f.value(&field) {
            None => "<NA>".to_string(),
            Some(Value::Str(s)) => s.into_owned(),
            Some(Value::Int(i)) => i.to_string(),
            Some(Value::Uint(u)) => u.to_string(),
            Some(Value::Ip(ip)) => ip.to_string(),
            Some(Value::Bool(b)) => b.to_string(),
        };
        [
            Field::EvtNum,
            Field::EvtTime,
            Field::ThreadTid,
            Field::ProcPid,
            Field::ProcName,
            Field::EvtDir,
            Field::EvtType,
            Field::FdNum,
            Field::FdType,
            Field::FdName,
            Field::EvtRes,
            Field::EvtBuflen,
            Field::ContainerId,
        ]
        .into_iter()
        .map(text)
        .collect::<Vec<_>>()
        .join(" ")
    }

    /// Ends the input: without a filter, threads that were alive but idle join the views
    /// (csysdig lists every live process, busy or not).
    pub fn finish(&mut self) {
        self.collector.finish_http();
        if self.filter.is_none() {
            self.collector.add_live_threads(&self.engine);
        }
    }

    /// A snapshot of the cluster model for the views.
    pub fn k8s_index(&self) -> K8sIndex {
        K8sIndex::build(&self.engine)
    }
}
