//! What changed in the cluster and when: objects created and deleted, and the fields users
//! follow (labels, node, phase, images, replicas, restarts) with their old and new values.
//! It is what answers "what changed between these two times" (a rollout replaced these
//! pods with those) and it is saved with the catalog in snapshots.
//!
//! Bounded twice: at most [`ChangeLog::MAX`] entries, and the writer trims what is older
//! than the history's oldest bucket, so the log never outlives the data it explains.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// `labels`, `node`, `phase`, `image`, `replicas`, `restarts`, `ready`, `ip`, ...
    pub field: String,
    pub from: String,
    pub to: String,
}

// Snapshots are bincode, which has no internally tagged or flattened enums: the API
// renders changes itself (`ChangeKind::name`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeKind {
    Created,
    Deleted,
    Changed { fields: Vec<FieldChange> },
}

/// One change of one object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectChange {
    /// When it happened: the object's creation time for `created` when the API gave it,
    /// otherwise when kinsight saw the change.
    pub ts_ns: u64,
    /// As the API spells it: `Pod`, `Deployment`, `Service`, ...
    pub kind: String,
    pub uid: String,
    pub namespace: Option<String>,
    pub name: String,
    pub what: ChangeKind,
}

impl ChangeKind {
    pub fn name(&self) -> &'static str {
        match self {
            ChangeKind::Created => "created",
            ChangeKind::Deleted => "deleted",
            ChangeKind::Changed { .. } => "changed",
        }
    }

    pub fn fields(&self) -> &[FieldChange] {
        match self {
            ChangeKind::Changed { fields } => fields,
            _ => &[],
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeLog {
    entries: VecDeque<ObjectChange>,
    /// Entries dropped because the log was full (the oldest go first).
    pub dropped: u64,
}

impl ChangeLog {
    /// A day of churn in a 10k-pod cluster (every pod replaced a few times) fits.
    pub const MAX: usize = 200_000;

    /// Records a change, keeping the log ordered by time (changes arrive nearly in order;
    /// a creation time from the API can be older than what is already logged).
    pub fn push(&mut self, change: ObjectChange) {
        if self.entries.len() >= Self::MAX {
            self.entries.pop_front();
            self.dropped += 1;
        }
        let at = self.entries.iter().rev().position(|c| c.ts_ns <= change.ts_ns).map_or(0, |back| self.entries.len() - back);
        self.entries.insert(at, change);
    }

    /// Drops the changes before `ts_ns`.
    pub fn trim_before(&mut self, ts_ns: u64) {
        while self.entries.front().is_some_and(|c| c.ts_ns < ts_ns) {
            self.entries.pop_front();
        }
    }

    /// The changes in `[from, to)`, oldest first.
    pub fn between(&self, from: u64, to: u64) -> impl Iterator<Item = &ObjectChange> {
        let start = self.entries.partition_point(|c| c.ts_ns < from);
        self.entries.range(start..).take_while(move |c| c.ts_ns < to)
    }

    /// Every change of one object, oldest first.
    pub fn of_object<'a>(&'a self, uid: &'a str) -> impl Iterator<Item = &'a ObjectChange> + 'a {
        self.entries.iter().filter(move |c| c.uid == uid)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Approximate heap held, for the memory budget's report.
    pub fn heap_bytes(&self) -> usize {
        self.entries
            .iter()
            .map(|c| {
                let fields = match &c.what {
                    ChangeKind::Changed { fields } => fields.iter().map(|f| f.field.len() + f.from.len() + f.to.len() + 72).sum(),
                    _ => 0,
                };
                std::mem::size_of::<ObjectChange>() + c.kind.len() + c.uid.len() + c.name.len() + c.namespace.as_ref().map_or(0, String::len) + fields
            })
            .sum()
    }
}

/// Compares two renderings of a field and notes the change.
pub fn note_field(fields: &mut Vec<FieldChange>, field: &str, from: String, to: String) {
    if from != to {
        fields.push(FieldChange { field: field.to_string(), from, to });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(ts: u64, name: &str) -> ObjectChange {
        ObjectChange { ts_ns: ts, kind: "Pod".into(), uid: format!("uid-{name}"), namespace: Some("shop".into()), name: name.into(), what: ChangeKind::Created }
    }

    #[test]
    fn keeps_time_order_and_answers_ranges() {
        let mut log = ChangeLog::default();
        log.push(change(10, "a"));
        log.push(change(30, "c"));
        // A creation time older than what is logged goes in its place.
        log.push(change(20, "b"));
        let names: Vec<&str> = log.between(15, 31).map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["b", "c"]);
        log.trim_before(20);
        assert_eq!(log.between(0, u64::MAX).map(|c| c.name.as_str()).collect::<Vec<_>>(), ["b", "c"]);
        assert_eq!(log.of_object("uid-c").count(), 1);
    }

    #[test]
    fn is_bounded_and_says_what_it_dropped() {
        let mut log = ChangeLog::default();
        for i in 0..(ChangeLog::MAX as u64 + 5) {
            log.push(change(i, "p"));
        }
        assert_eq!(log.len(), ChangeLog::MAX);
        assert_eq!(log.dropped, 5);
        assert_eq!(log.between(0, u64::MAX).next().unwrap().ts_ns, 5);
    }

    #[test]
    fn round_trips_through_the_snapshot_encoding() {
        use bincode::Options;
        let c = ObjectChange { what: ChangeKind::Changed { fields: vec![FieldChange { field: "phase".into(), from: "Pending".into(), to: "Running".into() }] }, ..change(1, "a") };
        let bytes = bincode::DefaultOptions::new().serialize(&c).unwrap();
        let back: ObjectChange = bincode::DefaultOptions::new().deserialize(&bytes).unwrap();
        assert_eq!(back, c);
        assert_eq!(back.what.name(), "changed");
        assert_eq!(back.what.fields()[0].to, "Running");
    }
}
