//! kinsight-analysis: what users see, computed from the engine's state.
//!
//! Owns: the per-event folding of counters ([`Collector`]), the filter step in front of it
//! ([`Session`]), the csysdig-style views ([`views`]), the two Kubernetes hierarchies as
//! trees ([`tree`]) and human formatting of numbers ([`human`]).
//! Must not: parse capture bytes (kinsight-scap) or keep thread/fd state (kinsight-engine).

pub mod collect;
pub mod human;
pub mod k8s;
pub mod requests;
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
    /// A filter naming request fields (`req.*`) selects requests instead of events.
    request_filter: Option<Filter>,
    /// Events that did not pass the filter.
    pub filtered_out: u64,
}

impl Session {
    pub fn new(filter: Option<Filter>) -> Session {
        let (filter, request_filter) = match filter {
            Some(f) if f.fields().iter().any(requests::is_request_field) => (None, Some(f)),
            f => (f, None),
        };
        Session { engine: Engine::new(), collector: Collector::new(), filter, request_filter, filtered_out: 0 }
    }

    /// Keeps, of the requests from `from` on, those the request filter selects.
    fn filter_requests(&mut self, from: usize) {
        let Some(f) = &self.request_filter else { return };
        let engine = &self.engine;
        let mut i = 0;
        self.collector.request_log.retain(|rec| {
            i += 1;
            i <= from || f.matches(&requests::RequestFields { rec, engine })
        });
    }

    /// Starts the next interval of a live view (see [`Collector::next_interval`]).
    pub fn next_interval(&mut self) {
        self.collector = self.collector.next_interval();
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
        let known = self.collector.request_log.len();
        self.collector.observe(&self.engine, ev, &ctx);
        if self.collector.request_log.len() > known {
            self.filter_requests(known);
        }
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
        let known = self.collector.request_log.len();
        self.collector.finish_http();
        self.filter_requests(known);
        if self.filter.is_none() {
            self.collector.add_live_threads(&self.engine);
        }
    }

    /// A snapshot of the cluster model for the views.
    pub fn k8s_index(&self) -> K8sIndex {
        K8sIndex::build(&self.engine)
    }
}
