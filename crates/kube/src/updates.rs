//! The hand-over between the watches and the engine: what watches send, and the receiving
//! end that applies it to a [`Cluster`] without ever waiting.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Duration;

use kinsight_model::{Cluster, K8sObject, ObjectKind, ObjectUpdate, Str, WatchKind};
use tokio::sync::mpsc;

use crate::error::{SyncError, WatchError};

/// Messages from the watches to the model, in the order they must be applied.
#[derive(Debug, Clone)]
pub enum KubeUpdate {
    /// A complete list of one kind (the first, or a relist after 410 Gone or a restart):
    /// these are all the objects of the kind; any other stored object of the kind is gone.
    Replace {
        kind: ObjectKind,
        objects: Vec<K8sObject>,
    },
    /// An object was added or changed.
    Upsert(K8sObject),
    /// An object was deleted.
    Remove { kind: ObjectKind, uid: Str },
    /// Something a person should know about; the model is unchanged.
    Notice(Notice),
}

/// Problems and events worth reporting; watches recover from all but [`Notice::Skipped`].
#[derive(Debug, Clone)]
pub enum Notice {
    /// The server refuses this kind (RBAC 403) or does not serve it (404). Reported once;
    /// the kind stays empty (or as listed, if only the watch is refused).
    Skipped {
        kind: ObjectKind,
        code: u16,
        message: String,
    },
    /// A request failed; the watch tries again after `retry_in`.
    Retrying {
        error: WatchError,
        retry_in: Duration,
    },
    /// The watch's resourceVersion expired (410 Gone) or the server restarted: listing
    /// again from scratch.
    Relisting { kind: ObjectKind, reason: String },
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::Skipped {
                kind,
                code,
                message,
            } => {
                write!(
                    f,
                    "{kind}: skipped, the API server answered {code}: {message}"
                )
            }
            Notice::Retrying { error, retry_in } => {
                write!(f, "{error}; retrying in {retry_in:.1?}")
            }
            Notice::Relisting { kind, reason } => write!(f, "{kind}: listing again ({reason})"),
        }
    }
}

impl KubeUpdate {
    /// A watch event as an update.
    pub fn from_watch(update: ObjectUpdate) -> KubeUpdate {
        match update.kind {
            WatchKind::Added | WatchKind::Modified => KubeUpdate::Upsert(update.object),
            WatchKind::Deleted => KubeUpdate::Remove {
                kind: update.object.kind(),
                uid: update.object.meta().uid.clone(),
            },
        }
    }
}

pub(crate) type UpdateSender = mpsc::Sender<KubeUpdate>;

/// What one call of [`UpdateReceiver::apply_pending`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub messages: usize,
    /// Objects added, replaced or removed.
    pub changes: usize,
}

/// How the first complete picture came together.
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    /// Kinds the server refused or does not serve, with its answer.
    pub skipped: BTreeMap<ObjectKind, String>,
}

/// The engine's end of the watches. Every method returns at once except the `wait_*`
/// ones, which are for callers that want a complete first picture before starting.
pub struct UpdateReceiver {
    rx: mpsc::Receiver<KubeUpdate>,
    expected: BTreeSet<ObjectKind>,
    listed: BTreeSet<ObjectKind>,
    skipped: BTreeMap<ObjectKind, String>,
    notices: Vec<Notice>,
    closed: bool,
}

/// Notices kept for [`UpdateReceiver::take_notices`] before the oldest are dropped.
const MAX_NOTICES: usize = 256;

impl UpdateReceiver {
    pub(crate) fn new(
        rx: mpsc::Receiver<KubeUpdate>,
        expected: impl IntoIterator<Item = ObjectKind>,
    ) -> UpdateReceiver {
        UpdateReceiver {
            rx,
            expected: expected.into_iter().collect(),
            listed: BTreeSet::new(),
            skipped: BTreeMap::new(),
            notices: Vec::new(),
            closed: false,
        }
    }

    /// Applies every update already received and returns. Meant to be called between two
    /// event batches: it never waits for the network.
    pub fn apply_pending(&mut self, cluster: &mut Cluster) -> Applied {
        self.apply_at_most(cluster, usize::MAX)
    }

    /// [`UpdateReceiver::apply_pending`], stopping after `max_messages` so one call's work
    /// stays bounded (a relist of 10k pods is one message).
    pub fn apply_at_most(&mut self, cluster: &mut Cluster, max_messages: usize) -> Applied {
        let mut applied = Applied::default();
        while applied.messages < max_messages {
            match self.rx.try_recv() {
                Ok(update) => {
                    applied.messages += 1;
                    applied.changes += self.apply(cluster, update);
                }
                Err(mpsc::error::TryRecvError::Empty) => break,
                Err(mpsc::error::TryRecvError::Disconnected) => {
                    self.closed = true;
                    break;
                }
            }
        }
        applied
    }

    fn apply(&mut self, cluster: &mut Cluster, update: KubeUpdate) -> usize {
        match update {
            KubeUpdate::Replace { kind, objects } => {
                self.listed.insert(kind);
                replace_kind(cluster, kind, objects)
            }
            KubeUpdate::Upsert(object) => usize::from(cluster.apply(ObjectUpdate {
                kind: WatchKind::Modified,
                object,
            })),
            KubeUpdate::Remove { kind, uid } => usize::from(cluster.remove(kind, &uid)),
            KubeUpdate::Notice(notice) => {
                if let Notice::Skipped {
                    kind,
                    code,
                    message,
                } = &notice
                {
                    self.skipped.insert(*kind, format!("{code}: {message}"));
                }
                if self.notices.len() >= MAX_NOTICES {
                    self.notices.remove(0);
                }
                self.notices.push(notice);
                0
            }
        }
    }

    /// Whether every kind has been listed once (or skipped).
    pub fn is_synced(&self) -> bool {
        self.expected
            .iter()
            .all(|k| self.listed.contains(k) || self.skipped.contains_key(k))
    }

    /// Kinds not listed yet.
    pub fn pending(&self) -> Vec<ObjectKind> {
        self.expected
            .iter()
            .filter(|k| !self.listed.contains(k) && !self.skipped.contains_key(k))
            .copied()
            .collect()
    }

    /// Kinds the server refused or does not serve, with its answer.
    pub fn skipped(&self) -> &BTreeMap<ObjectKind, String> {
        &self.skipped
    }

    /// Notices since the last call, oldest first.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// Waits for the next update and applies it with everything else already there.
    /// Returns `None` when the watches have stopped.
    pub async fn apply_next(&mut self, cluster: &mut Cluster) -> Option<Applied> {
        let first = self.rx.recv().await?;
        let mut applied = Applied {
            messages: 1,
            changes: self.apply(cluster, first),
        };
        let rest = self.apply_pending(cluster);
        applied.messages += rest.messages;
        applied.changes += rest.changes;
        Some(applied)
    }

    /// Applies updates as they come until every kind has been listed once (or skipped),
    /// for at most `timeout`.
    pub async fn wait_synced(
        &mut self,
        cluster: &mut Cluster,
        timeout: Duration,
    ) -> Result<SyncReport, SyncError> {
        let deadline = tokio::time::Instant::now() + timeout;
        self.apply_pending(cluster);
        while !self.is_synced() {
            match tokio::time::timeout_at(deadline, self.apply_next(cluster)).await {
                Ok(Some(_)) => {}
                Ok(None) => return Err(SyncError::Stopped),
                Err(_) => {
                    let last_problem = self
                        .notices
                        .iter()
                        .rev()
                        .find(|n| !matches!(n, Notice::Relisting { .. }))
                        .map(|n| n.to_string());
                    return Err(SyncError::Timeout {
                        pending: self.pending(),
                        after: timeout,
                        last_problem,
                    });
                }
            }
        }
        Ok(SyncReport {
            skipped: self.skipped.clone(),
        })
    }

    /// [`UpdateReceiver::wait_synced`] for callers outside any async runtime (a command
    /// line tool, a synchronous event loop). Must not be called from within a runtime.
    pub fn wait_synced_blocking(
        &mut self,
        cluster: &mut Cluster,
        timeout: Duration,
    ) -> Result<SyncReport, SyncError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(SyncError::Runtime)?;
        runtime.block_on(self.wait_synced(cluster, timeout))
    }

    /// Whether the sending side has gone away (seen by the last apply).
    pub fn is_closed(&self) -> bool {
        self.closed
    }
}

// ---------------------------------------------------------------------------------------
// Whole-kind operations on a Cluster
// ---------------------------------------------------------------------------------------

/// Makes `objects` the complete set of `kind` in the cluster: stored objects missing from
/// it are removed, the others added or replaced. Returns the number of changes.
pub fn replace_kind(cluster: &mut Cluster, kind: ObjectKind, objects: Vec<K8sObject>) -> usize {
    let keep: HashSet<Str> = objects.iter().map(|o| o.meta().uid.clone()).collect();
    let mut changes = 0;
    for uid in uids_of(cluster, kind) {
        if !keep.contains(&uid) && cluster.remove(kind, &uid) {
            changes += 1;
        }
    }
    for object in objects.into_iter().filter(|o| o.kind() == kind) {
        changes += usize::from(cluster.apply(ObjectUpdate {
            kind: WatchKind::Modified,
            object,
        }));
    }
    changes
}

/// Uids of the stored objects of one kind.
pub fn uids_of(cluster: &Cluster, kind: ObjectKind) -> Vec<Str> {
    fn uids<'a, T: 'a + kinsight_model::store::Stored>(
        it: impl Iterator<Item = &'a T>,
    ) -> Vec<Str> {
        it.map(|o| o.meta().uid.clone()).collect()
    }
    match kind {
        ObjectKind::Node => uids(cluster.nodes().iter()),
        ObjectKind::Namespace => uids(cluster.namespaces().iter()),
        ObjectKind::Pod => uids(cluster.pods().iter()),
        ObjectKind::Service => uids(cluster.services().iter()),
        ObjectKind::ReplicationController => uids(cluster.replication_controllers().iter()),
        ObjectKind::ReplicaSet => uids(cluster.replica_sets().iter()),
        ObjectKind::Deployment => uids(cluster.deployments().iter()),
        ObjectKind::DaemonSet => uids(cluster.daemon_sets().iter()),
        ObjectKind::StatefulSet => uids(cluster.stateful_sets().iter()),
        ObjectKind::Job => uids(cluster.jobs().iter()),
        ObjectKind::CronJob => uids(cluster.cron_jobs().iter()),
        ObjectKind::EndpointSlice => uids(cluster.endpoint_slices().iter()),
        ObjectKind::Event => uids(cluster.events().iter()),
    }
}

/// A copy of one stored object.
pub fn object_of(cluster: &Cluster, kind: ObjectKind, uid: &str) -> Option<K8sObject> {
    Some(match kind {
        ObjectKind::Node => cluster.nodes().get(uid)?.clone().into(),
        ObjectKind::Namespace => cluster.namespaces().get(uid)?.clone().into(),
        ObjectKind::Pod => cluster.pods().get(uid)?.clone().into(),
        ObjectKind::Service => cluster.services().get(uid)?.clone().into(),
        ObjectKind::ReplicationController => {
            cluster.replication_controllers().get(uid)?.clone().into()
        }
        ObjectKind::ReplicaSet => cluster.replica_sets().get(uid)?.clone().into(),
        ObjectKind::Deployment => cluster.deployments().get(uid)?.clone().into(),
        ObjectKind::DaemonSet => cluster.daemon_sets().get(uid)?.clone().into(),
        ObjectKind::StatefulSet => cluster.stateful_sets().get(uid)?.clone().into(),
        ObjectKind::Job => cluster.jobs().get(uid)?.clone().into(),
        ObjectKind::CronJob => cluster.cron_jobs().get(uid)?.clone().into(),
        ObjectKind::EndpointSlice => cluster.endpoint_slices().get(uid)?.clone().into(),
        ObjectKind::Event => cluster.events().get(uid)?.clone().into(),
    })
}

/// Every stored object, by kind and uid: what tests compare with the server's objects.
pub fn snapshot(cluster: &Cluster) -> BTreeMap<(ObjectKind, String), K8sObject> {
    let mut out = BTreeMap::new();
    for kind in ObjectKind::ALL {
        for uid in uids_of(cluster, kind) {
            if let Some(o) = object_of(cluster, kind, &uid) {
                out.insert((kind, uid.to_string()), o);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kinsight_model::k8s::parse_api_json;

    fn pod(uid: &str, name: &str) -> K8sObject {
        let json = format!(
            r#"{{"kind":"Pod","apiVersion":"v1","metadata":{{"name":"{name}","namespace":"ns","uid":"{uid}"}}}}"#
        );
        parse_api_json(&json).unwrap().remove(0).object
    }

    #[test]
    fn replace_makes_the_list_the_whole_kind() {
        let mut cluster = Cluster::new();
        replace_kind(
            &mut cluster,
            ObjectKind::Pod,
            vec![pod("a", "pa"), pod("b", "pb")],
        );
        let changes = replace_kind(
            &mut cluster,
            ObjectKind::Pod,
            vec![pod("b", "pb"), pod("c", "pc")],
        );
        let mut uids: Vec<String> = uids_of(&cluster, ObjectKind::Pod)
            .iter()
            .map(|u| u.to_string())
            .collect();
        uids.sort();
        assert_eq!(uids, ["b", "c"]);
        assert_eq!(changes, 3, "a removed, b replaced, c added");
    }

    #[tokio::test]
    async fn the_receiver_applies_in_order_and_tracks_what_was_listed() {
        let (tx, rx) = mpsc::channel(8);
        let mut rx = UpdateReceiver::new(rx, [ObjectKind::Pod, ObjectKind::Service]);
        let mut cluster = Cluster::new();
        tx.send(KubeUpdate::Replace {
            kind: ObjectKind::Pod,
            objects: vec![pod("a", "pa")],
        })
        .await
        .unwrap();
        tx.send(KubeUpdate::Upsert(pod("b", "pb"))).await.unwrap();
        tx.send(KubeUpdate::Remove {
            kind: ObjectKind::Pod,
            uid: "a".into(),
        })
        .await
        .unwrap();
        let applied = rx.apply_pending(&mut cluster);
        assert_eq!(
            applied,
            Applied {
                messages: 3,
                changes: 3
            }
        );
        assert_eq!(uids_of(&cluster, ObjectKind::Pod), vec![Str::from("b")]);
        assert!(!rx.is_synced());
        assert_eq!(rx.pending(), [ObjectKind::Service]);
        let notice = Notice::Skipped {
            kind: ObjectKind::Service,
            code: 403,
            message: "services is forbidden".into(),
        };
        assert_eq!(
            notice.to_string(),
            "Service: skipped, the API server answered 403: services is forbidden"
        );
        tx.send(KubeUpdate::Notice(notice)).await.unwrap();
        rx.wait_synced(&mut cluster, Duration::from_secs(1))
            .await
            .unwrap();
        assert!(rx.is_synced());
        let timeout = Notice::Retrying {
            error: WatchError::Timeout {
                kind: ObjectKind::Pod,
                after: Duration::from_secs(5),
            },
            retry_in: Duration::from_millis(250),
        };
        assert_eq!(
            timeout.to_string(),
            "Pod: no answer for 5s; retrying in 250.0ms"
        );
        drop(tx);
        assert!(rx.apply_next(&mut cluster).await.is_none());
    }
}
