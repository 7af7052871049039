//! The shapes of the API's answers besides the rows of `query`: time ranges, entity
//! references, cluster changes and Events, and the status. Each is a type the handlers
//! fill, and the OpenAPI document's schemas are generated from these types and those of
//! `query` (`openapi.rs`), so the document says what the handlers send.

use crate::entities::EntityIndex;
use crate::params::TimeRange;
use kinsight_history::{EventRecord, ObjectChange};
use schemars::JsonSchema;
use serde::Serialize;

/// A half-open time range, nanoseconds since the epoch.
#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
pub struct Range {
    pub from: u64,
    /// Exclusive.
    pub to: u64,
    pub seconds: f64,
}

impl From<TimeRange> for Range {
    fn from(r: TimeRange) -> Range {
        Range { from: r.from, to: r.to, seconds: r.seconds() }
    }
}

/// An entity, named.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct EntityRef {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    /// Its level in the hierarchies: `node`, `namespace`, `workload`, `service`, ...
    pub level: &'static str,
}

impl EntityRef {
    pub fn of(ix: &EntityIndex, e: u32) -> EntityRef {
        let ent = ix.entity(e);
        EntityRef { id: ent.id.clone(), kind: ent.kind.clone(), name: ent.name.clone(), namespace: ent.namespace.clone(), level: ent.level.name() }
    }
}

#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChangeName {
    Created,
    Changed,
    Deleted,
}

/// One field of an object that changed.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct FieldChange {
    /// `labels`, `node`, `phase`, `image`, `replicas`, `restarts`, `ready`, `ip`, ...
    pub field: String,
    pub from: String,
    pub to: String,
}

/// One change of one Kubernetes object.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Change {
    /// When it happened: the creation time for `created` when the API gave it, else when
    /// kinsight saw it.
    pub ts_ns: u64,
    /// As the API spells it: `Pod`, `Deployment`, ...
    pub kind: String,
    pub uid: String,
    pub namespace: Option<String>,
    pub name: String,
    pub change: ChangeName,
    /// What changed, for `changed`.
    pub fields: Vec<FieldChange>,
}

impl From<&ObjectChange> for Change {
    fn from(c: &ObjectChange) -> Change {
        use kinsight_history::ChangeKind;
        Change {
            ts_ns: c.ts_ns,
            kind: c.kind.clone(),
            uid: c.uid.clone(),
            namespace: c.namespace.clone(),
            name: c.name.clone(),
            change: match c.what {
                ChangeKind::Created => ChangeName::Created,
                ChangeKind::Changed { .. } => ChangeName::Changed,
                ChangeKind::Deleted => ChangeName::Deleted,
            },
            fields: c.what.fields().iter().map(|f| FieldChange { field: f.field.clone(), from: f.from.clone(), to: f.to.clone() }).collect(),
        }
    }
}

/// The object a Kubernetes Event is about.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct InvolvedObject {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub uid: Option<String>,
}

/// A Kubernetes Event; repeats of one event are counted in `count`.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Event {
    /// First and last occurrence, nanoseconds since the epoch.
    pub first_ns: u64,
    pub last_ns: u64,
    pub count: u32,
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub reason: String,
    pub message: String,
    pub source: String,
    pub object: InvolvedObject,
}

impl From<&EventRecord> for Event {
    fn from(e: &EventRecord) -> Event {
        Event {
            first_ns: e.first_ns,
            last_ns: e.last_ns,
            count: e.count,
            event_type: e.event_type.clone(),
            reason: e.reason.clone(),
            message: e.message.clone(),
            source: e.source.clone(),
            object: InvolvedObject { kind: e.object.kind.clone(), namespace: e.object.namespace.clone(), name: e.object.name.clone(), uid: e.object.uid.clone() },
        }
    }
}
