//! Kubernetes Events kept past the API server's expiry (one hour by default): what the
//! scheduler, the kubelet and the controllers said about an object, with how often and
//! when, so the entity's detail and its charts show them for any range history holds.
//!
//! One record per Event object (by uid): a repeated event (`count` grows) updates its
//! record. Bounded like the change log: at most [`EventLog::MAX`] records, and the writer
//! trims those whose last occurrence is older than the history's oldest bucket.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The object an event is about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvolvedMeta {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub uid: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    pub uid: String,
    /// First and last occurrence, nanoseconds since the epoch.
    pub first_ns: u64,
    pub last_ns: u64,
    pub count: u32,
    /// `Normal` or `Warning`.
    pub event_type: String,
    pub reason: String,
    pub message: String,
    pub source: String,
    pub object: InvolvedMeta,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventLog {
    by_uid: BTreeMap<String, EventRecord>,
    /// Records dropped to stay within [`EventLog::MAX`].
    pub dropped: u64,
    /// The last occurrence of the newest record dropped: older ones are not taken back (the
    /// API server may still hold them and send them again at every sync).
    floor_ns: u64,
}

impl EventLog {
    pub const MAX: usize = 50_000;
    /// When full, the oldest records go in batches down to this many, so that a stream of
    /// new Events costs one pass per batch rather than one per Event.
    const AFTER_EVICTION: usize = Self::MAX - Self::MAX / 10;

    /// Whether a record of Event `uid` last seen at `last_ns` (`None`: not said) with
    /// `count` occurrences would change the log: new and not older than what was dropped,
    /// or known with other numbers. Lets the caller skip building records it has.
    pub fn wants(&self, uid: &str, last_ns: Option<u64>, count: u32) -> bool {
        match self.by_uid.get(uid) {
            Some(r) => last_ns.is_some_and(|l| l != r.last_ns) || count != r.count,
            None => last_ns.is_none_or(|l| l >= self.floor_ns),
        }
    }

    /// Adds or updates a record; returns whether anything changed.
    pub fn upsert(&mut self, record: EventRecord) -> bool {
        if self.by_uid.get(&record.uid) == Some(&record) {
            return false;
        }
        if !self.by_uid.contains_key(&record.uid) && record.last_ns < self.floor_ns {
            return false;
        }
        self.by_uid.insert(record.uid.clone(), record);
        if self.by_uid.len() > Self::MAX {
            let excess = self.by_uid.len() - Self::AFTER_EVICTION;
            let mut oldest: Vec<(u64, String)> = self.by_uid.values().map(|r| (r.last_ns, r.uid.clone())).collect();
            oldest.select_nth_unstable(excess - 1);
            oldest.truncate(excess);
            for (last, uid) in oldest {
                self.floor_ns = self.floor_ns.max(last);
                self.by_uid.remove(&uid);
            }
            self.dropped += excess as u64;
        }
        true
    }

    /// Forgets records whose last occurrence is before `ts_ns`.
    pub fn trim_before(&mut self, ts_ns: u64) {
        self.by_uid.retain(|_, r| r.last_ns >= ts_ns);
    }

    pub fn len(&self) -> usize {
        self.by_uid.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_uid.is_empty()
    }

    /// Records that occurred in `[from, to)` (first to last occurrence overlapping it),
    /// oldest first. An Event's times are mostly whole seconds (`lastTimestamp`): one
    /// stamped second S happened during [S, S+1 s), so it overlaps a range that starts
    /// within that second (a history begun at S.4 holds an Event stamped S).
    pub fn between(&self, from: u64, to: u64) -> Vec<&EventRecord> {
        const SECOND: u64 = 1_000_000_000;
        let last_end = |r: &EventRecord| if r.last_ns % SECOND == 0 { r.last_ns + SECOND } else { r.last_ns + 1 };
        let mut out: Vec<&EventRecord> = self.by_uid.values().filter(|r| r.first_ns < to && last_end(r) > from).collect();
        out.sort_by_key(|r| (r.last_ns, r.first_ns));
        out
    }

    /// Records about one object (by its uid, or by kind, namespace and name for events
    /// that carry no uid), oldest first.
    pub fn about(&self, uid: &str, kind: &str, namespace: Option<&str>, name: &str) -> Vec<&EventRecord> {
        let mut out: Vec<&EventRecord> = self
            .by_uid
            .values()
            .filter(|r| match &r.object.uid {
                Some(u) => u == uid,
                None => r.object.kind == kind && r.object.namespace.as_deref() == namespace && r.object.name == name,
            })
            .collect();
        out.sort_by_key(|r| (r.last_ns, r.first_ns));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(uid: &str, first: u64, last: u64, object_uid: &str) -> EventRecord {
        EventRecord { uid: uid.into(), first_ns: first, last_ns: last, count: 1, object: InvolvedMeta { kind: "Pod".into(), uid: Some(object_uid.into()), ..Default::default() }, ..Default::default() }
    }

    #[test]
    fn repeated_events_update_one_record_and_ranges_select_by_occurrence() {
        let mut log = EventLog::default();
        assert!(log.upsert(rec("e1", 10, 10, "p1")));
        assert!(!log.upsert(rec("e1", 10, 10, "p1")));
        assert!(log.upsert(EventRecord { count: 3, ..rec("e1", 10, 50, "p1") }));
        assert!(log.upsert(rec("e2", 30, 30, "p2")));
        assert_eq!(log.len(), 2);
        assert_eq!(log.about("p1", "Pod", None, "")[0].count, 3);
        let uids = |v: Vec<&EventRecord>| v.iter().map(|r| r.uid.clone()).collect::<Vec<_>>();
        assert_eq!(uids(log.between(40, 60)), ["e1"]);
        assert_eq!(uids(log.between(0, 35)), ["e2", "e1"]);
        assert!(log.between(0, 10).is_empty());
        log.trim_before(40);
        assert_eq!(uids(log.between(0, 100)), ["e1"]);
    }

    #[test]
    fn a_full_log_drops_the_oldest_in_batches_and_does_not_take_them_back() {
        let mut log = EventLog::default();
        for i in 0..=EventLog::MAX as u64 {
            log.upsert(rec(&format!("e{i}"), i, i, "p"));
        }
        assert_eq!(log.len(), EventLog::AFTER_EVICTION);
        assert_eq!(log.dropped, (EventLog::MAX + 1 - EventLog::AFTER_EVICTION) as u64);
        // The oldest went; the API server sending one again does not bring it back.
        assert!(log.between(0, 1).is_empty());
        assert!(!log.wants("e0", Some(0), 1));
        assert!(!log.upsert(rec("e0", 0, 0, "p")));
        // Known records are wanted only with new numbers; new recent ones are.
        let newest = format!("e{}", EventLog::MAX);
        assert!(!log.wants(&newest, Some(EventLog::MAX as u64), 1));
        assert!(log.wants(&newest, Some(EventLog::MAX as u64 + 5), 2));
        assert!(log.wants("fresh", Some(EventLog::MAX as u64 + 9), 1));
    }
}
