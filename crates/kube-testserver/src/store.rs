//! The storage behind the server, with etcd's semantics where clients can see them.
//!
//! - One global revision counts every write; an object's `metadata.resourceVersion` is the
//!   revision that wrote it, and a list's is the revision it was read at.
//! - Every object keeps its versions since the last compaction, so a list can be served at
//!   an older revision (`resourceVersionMatch=Exact`, continue tokens) exactly as it was.
//! - Changes since the last compaction are kept in order for watches. Compaction (explicit,
//!   or when more than `history_limit` changes are held) forgets older ones: a watch from, or
//!   a list at, a revision before the compaction point then gets 410 Gone.
//! - Keys are ordered as etcd orders them (`namespace/name`), which is the order of lists.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use bytes::Bytes;
use serde_json::Value;

use crate::resources::Resource;
use crate::time::now_rfc3339;

/// `(namespace, name)`; namespace is `""` for cluster-scoped objects.
pub type Key = (String, String);

/// An object as stored: the JSON value and its serialized bytes (lists and watches are
/// byte concatenations, which keeps a 10k-pod list fast).
#[derive(Debug)]
pub struct StoredObject {
    pub resource: Resource,
    pub key: Key,
    pub revision: u64,
    pub value: Value,
    /// The object as a watch event or a get returns it.
    pub json: Bytes,
    /// The object as a list item: without `apiVersion` and `kind`, which a real server's
    /// lists leave out of their items.
    pub item_json: Bytes,
    pub labels: BTreeMap<String, String>,
}

impl StoredObject {
    fn new(resource: Resource, key: Key, revision: u64, value: Value) -> StoredObject {
        let json = Bytes::from(serde_json::to_vec(&value).unwrap_or_default());
        let item_json = match &value {
            Value::Object(map) => {
                let item: serde_json::Map<String, Value> = map
                    .iter()
                    .filter(|(k, _)| *k != "apiVersion" && *k != "kind")
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                Bytes::from(serde_json::to_vec(&item).unwrap_or_default())
            }
            _ => json.clone(),
        };
        let labels = value
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        StoredObject {
            resource,
            key,
            revision,
            value,
            json,
            item_json,
            labels,
        }
    }

    pub fn namespace(&self) -> &str {
        &self.key.0
    }

    pub fn name(&self) -> &str {
        &self.key.1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeType {
    Added,
    Modified,
    Deleted,
}

impl ChangeType {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeType::Added => "ADDED",
            ChangeType::Modified => "MODIFIED",
            ChangeType::Deleted => "DELETED",
        }
    }
}

/// One write, as watches see it.
#[derive(Debug)]
pub struct Change {
    pub revision: u64,
    pub kind: ChangeType,
    /// The object after the write; for a deletion its last state, stamped with the
    /// deletion's revision (as the API server sends it).
    pub object: Arc<StoredObject>,
    /// The object before the write (for MODIFIED and DELETED), to tell a watch with a
    /// selector that an object stopped or started matching.
    pub previous: Option<Arc<StoredObject>>,
}

/// Why a write was refused; the server maps each to the API's status code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Invalid(String),
    #[error("{resource} \"{name}\" already exists")]
    AlreadyExists { resource: Resource, name: String },
    #[error("{resource} \"{name}\" not found")]
    NotFound { resource: Resource, name: String },
    #[error("Operation cannot be fulfilled on {resource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again")]
    Conflict { resource: Resource, name: String },
    #[error("{resource} \"{name}\" is forbidden: unable to create new content in namespace {namespace} because it is being terminated")]
    NamespaceTerminating {
        resource: Resource,
        name: String,
        namespace: String,
    },
}

/// A list or watch asked for a revision that compaction removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gone {
    pub requested: u64,
    pub compacted: u64,
}

/// Versions of one key, oldest first; `None` marks a deletion.
type Versions = Vec<(u64, Option<Arc<StoredObject>>)>;

pub struct Store {
    revision: u64,
    compacted: u64,
    objects: BTreeMap<Resource, BTreeMap<Key, Versions>>,
    changes: VecDeque<Arc<Change>>,
    history_limit: usize,
    next_uid: u64,
}

/// What a list asks for: the objects of `resource` (in `namespace` or all) as they were at
/// revision `at`, in key order after `after`, those `keep` accepts, `limit` at most.
/// `filtered` says whether a selector is at work (then no `remainingItemCount`).
#[derive(Clone, Copy)]
pub struct ListQuery<'a> {
    pub resource: Resource,
    pub namespace: Option<&'a str>,
    pub at: u64,
    pub after: Option<&'a Key>,
    pub limit: Option<usize>,
    pub keep: &'a dyn Fn(&StoredObject) -> bool,
    pub filtered: bool,
}

/// A page of a list.
pub struct Page {
    pub items: Vec<Arc<StoredObject>>,
    /// Key of the last item when more matching items follow.
    pub next: Option<Key>,
    /// Items after this page, counted when no selector filters the list.
    pub remaining: Option<usize>,
}

impl Store {
    /// A store whose first write gets revision `first_revision` (real clusters have large
    /// revisions; starting high catches clients that assume small ones).
    pub fn new(first_revision: u64, history_limit: usize) -> Store {
        Store {
            revision: first_revision.saturating_sub(1),
            compacted: first_revision.saturating_sub(1),
            objects: BTreeMap::new(),
            changes: VecDeque::new(),
            history_limit: history_limit.max(2),
            next_uid: 1,
        }
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn compacted(&self) -> u64 {
        self.compacted
    }

    pub fn set_history_limit(&mut self, limit: usize) {
        self.history_limit = limit.max(2);
    }

    fn latest(&self, resource: Resource, key: &Key) -> Option<&Arc<StoredObject>> {
        self.objects.get(&resource)?.get(key)?.last()?.1.as_ref()
    }

    pub fn get(
        &self,
        resource: Resource,
        namespace: &str,
        name: &str,
    ) -> Option<Arc<StoredObject>> {
        self.latest(resource, &(namespace.to_string(), name.to_string()))
            .cloned()
    }

    /// Every current object of a resource (in one namespace or all), in key order.
    pub fn current(&self, resource: Resource, namespace: Option<&str>) -> Vec<Arc<StoredObject>> {
        self.objects
            .get(&resource)
            .into_iter()
            .flatten()
            .filter(|(k, _)| namespace.is_none_or(|ns| k.0 == ns))
            .filter_map(|(_, v)| v.last()?.1.clone())
            .collect()
    }

    /// Creates an object. The server owns `uid`, `resourceVersion`, `creationTimestamp` and
    /// `generation`, as a real one does; whatever the caller put there is replaced.
    pub fn create(&mut self, mut value: Value) -> Result<Arc<StoredObject>, StoreError> {
        let (resource, key) = identify(&value)?;
        validate_shape(resource, &value)?;
        if self.latest(resource, &key).is_some() {
            return Err(StoreError::AlreadyExists {
                resource,
                name: key.1,
            });
        }
        self.check_namespace_open(resource, &key)?;
        let revision = self.revision + 1;
        let uid = self.new_uid();
        let meta = metadata_mut(&mut value);
        meta.insert("uid".into(), Value::String(uid));
        meta.insert(
            "resourceVersion".into(),
            Value::String(revision.to_string()),
        );
        meta.insert("creationTimestamp".into(), Value::String(now_rfc3339()));
        if has_generation(resource) {
            meta.insert("generation".into(), Value::from(1));
        } else {
            meta.remove("generation");
        }
        let object = Arc::new(StoredObject::new(resource, key, revision, value));
        self.commit(ChangeType::Added, object.clone(), None);
        Ok(object)
    }

    /// Replaces an object. A `resourceVersion` in the new value must be the current one
    /// (optimistic concurrency); without one the write is unconditional.
    pub fn update(&mut self, mut value: Value) -> Result<Arc<StoredObject>, StoreError> {
        let (resource, key) = identify(&value)?;
        validate_shape(resource, &value)?;
        let old = self
            .latest(resource, &key)
            .cloned()
            .ok_or_else(|| StoreError::NotFound {
                resource,
                name: key.1.clone(),
            })?;
        if let Some(rv) = value
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
        {
            if !rv.is_empty() && rv != old.revision.to_string() {
                return Err(StoreError::Conflict {
                    resource,
                    name: key.1,
                });
            }
        }
        let revision = self.revision + 1;
        let spec_changed = value.get("spec") != old.value.get("spec");
        let meta = metadata_mut(&mut value);
        for field in ["uid", "creationTimestamp", "deletionTimestamp"] {
            match old.value.pointer(&format!("/metadata/{field}")) {
                Some(v) => meta.insert(field.into(), v.clone()),
                None => meta.remove(field),
            };
        }
        meta.insert(
            "resourceVersion".into(),
            Value::String(revision.to_string()),
        );
        if has_generation(resource) {
            let generation = old
                .value
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            meta.insert(
                "generation".into(),
                Value::from(generation + i64::from(spec_changed)),
            );
        }
        let object = Arc::new(StoredObject::new(resource, key, revision, value));
        self.commit(ChangeType::Modified, object.clone(), Some(old));
        Ok(object)
    }

    /// Starts a graceful deletion: sets `deletionTimestamp` (and, for a namespace, phase
    /// `Terminating`) and reports it as MODIFIED, as the API server does before the object
    /// goes away.
    pub fn begin_deletion(
        &mut self,
        resource: Resource,
        namespace: &str,
        name: &str,
    ) -> Result<Arc<StoredObject>, StoreError> {
        let key = (namespace.to_string(), name.to_string());
        let old = self
            .latest(resource, &key)
            .cloned()
            .ok_or_else(|| StoreError::NotFound {
                resource,
                name: name.to_string(),
            })?;
        if old.value.pointer("/metadata/deletionTimestamp").is_some() {
            return Ok(old);
        }
        let revision = self.revision + 1;
        let mut value = old.value.clone();
        let meta = metadata_mut(&mut value);
        meta.insert("deletionTimestamp".into(), Value::String(now_rfc3339()));
        meta.insert(
            "resourceVersion".into(),
            Value::String(revision.to_string()),
        );
        if resource == Resource::Pods {
            meta.insert("deletionGracePeriodSeconds".into(), Value::from(30));
        }
        if resource == Resource::Namespaces {
            value["status"] = serde_json::json!({"phase": "Terminating"});
        }
        let object = Arc::new(StoredObject::new(resource, key, revision, value));
        self.commit(ChangeType::Modified, object.clone(), Some(old));
        Ok(object)
    }

    /// Deletes an object at once (grace period 0).
    pub fn delete(
        &mut self,
        resource: Resource,
        namespace: &str,
        name: &str,
    ) -> Result<Arc<StoredObject>, StoreError> {
        let key = (namespace.to_string(), name.to_string());
        let old = self
            .latest(resource, &key)
            .cloned()
            .ok_or_else(|| StoreError::NotFound {
                resource,
                name: name.to_string(),
            })?;
        let revision = self.revision + 1;
        let mut value = old.value.clone();
        metadata_mut(&mut value).insert(
            "resourceVersion".into(),
            Value::String(revision.to_string()),
        );
        let last = Arc::new(StoredObject::new(resource, key, revision, value));
        self.commit(ChangeType::Deleted, last.clone(), Some(old));
        Ok(last)
    }

    fn commit(
        &mut self,
        kind: ChangeType,
        object: Arc<StoredObject>,
        previous: Option<Arc<StoredObject>>,
    ) {
        self.revision = object.revision;
        let stored = (kind != ChangeType::Deleted).then(|| object.clone());
        self.objects
            .entry(object.resource)
            .or_default()
            .entry(object.key.clone())
            .or_default()
            .push((object.revision, stored));
        self.changes.push_back(Arc::new(Change {
            revision: object.revision,
            kind,
            object,
            previous,
        }));
        if self.changes.len() > self.history_limit {
            // Keep the newer half, as a periodic etcd compaction would.
            let keep = self.history_limit / 2;
            let to = self.changes[self.changes.len() - keep - 1].revision;
            self.compact(to);
        }
    }

    /// Forgets changes up to and including `to` (clamped to the current revision).
    pub fn compact(&mut self, to: u64) {
        let to = to.min(self.revision);
        if to <= self.compacted {
            return;
        }
        while let Some(change) = self.changes.front() {
            if change.revision > to {
                break;
            }
            let change = self.changes.pop_front().expect("front exists");
            let resource = change.object.resource;
            if let Some(table) = self.objects.get_mut(&resource) {
                if let Some(versions) = table.get_mut(&change.object.key) {
                    // Keep the state as of `to` and everything newer.
                    let newest_old = versions.iter().rposition(|(rv, _)| *rv <= to);
                    if let Some(i) = newest_old {
                        versions.drain(..i);
                        if versions.first().is_some_and(|(_, o)| o.is_none()) {
                            versions.remove(0);
                        }
                    }
                    if versions.is_empty() {
                        table.remove(&change.object.key);
                    }
                }
            }
        }
        self.compacted = to;
    }

    /// Changes after `revision`, oldest first; [`Gone`] if some were compacted away.
    pub fn changes_after(&self, revision: u64) -> Result<Vec<Arc<Change>>, Gone> {
        if revision < self.compacted {
            return Err(Gone {
                requested: revision,
                compacted: self.compacted,
            });
        }
        let start = self.changes.partition_point(|c| c.revision <= revision);
        Ok(self.changes.range(start..).cloned().collect())
    }

    /// One page of a list (see [`ListQuery`]).
    pub fn list(&self, q: &ListQuery<'_>) -> Result<Page, Gone> {
        let ListQuery {
            resource,
            namespace,
            at,
            after,
            limit,
            keep,
            filtered,
        } = *q;
        if at < self.compacted {
            return Err(Gone {
                requested: at,
                compacted: self.compacted,
            });
        }
        let empty = BTreeMap::new();
        let table = self.objects.get(&resource).unwrap_or(&empty);
        let range = match after {
            Some(k) => {
                table.range::<Key, _>((std::ops::Bound::Excluded(k), std::ops::Bound::Unbounded))
            }
            None => table.range::<Key, _>(..),
        };
        let mut items = Vec::new();
        let mut next = None;
        let mut remaining = 0usize;
        for (key, versions) in range {
            if namespace.is_some_and(|ns| key.0 != ns) {
                continue;
            }
            let Some(obj) = versions
                .iter()
                .rev()
                .find(|(rv, _)| *rv <= at)
                .and_then(|(_, o)| o.as_ref())
            else {
                continue;
            };
            if !keep(obj) {
                continue;
            }
            if limit.is_some_and(|l| items.len() >= l) {
                if next.is_none() {
                    next = items.last().map(|o: &Arc<StoredObject>| o.key.clone());
                    if filtered {
                        break;
                    }
                }
                remaining += 1;
                continue;
            }
            items.push(obj.clone());
        }
        Ok(Page {
            items,
            next,
            remaining: (!filtered && remaining > 0).then_some(remaining),
        })
    }

    fn check_namespace_open(&self, resource: Resource, key: &Key) -> Result<(), StoreError> {
        if !resource.info().namespaced {
            return Ok(());
        }
        match self.latest(Resource::Namespaces, &(String::new(), key.0.clone())) {
            None => Err(StoreError::NotFound {
                resource: Resource::Namespaces,
                name: key.0.clone(),
            }),
            Some(ns) if ns.value.pointer("/metadata/deletionTimestamp").is_some() => {
                Err(StoreError::NamespaceTerminating {
                    resource,
                    name: key.1.clone(),
                    namespace: key.0.clone(),
                })
            }
            Some(_) => Ok(()),
        }
    }

    fn new_uid(&mut self) -> String {
        let n = self.next_uid;
        self.next_uid += 1;
        // Shaped like the API's UUIDs; deterministic so test failures reproduce.
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            n.wrapping_mul(0x9E37_79B9) as u32,
            n & 0xffff,
            n % 0xfff,
            (n >> 12) % 0xfff,
            n
        )
    }
}

/// Resource and key of a submitted object.
fn identify(value: &Value) -> Result<(Resource, Key), StoreError> {
    let s = |p: &str| value.pointer(p).and_then(Value::as_str).unwrap_or_default();
    let (api_version, kind) = (s("/apiVersion"), s("/kind"));
    let resource = Resource::from_kind(api_version, kind).ok_or_else(|| {
        StoreError::Invalid(format!(
            "no resource serves apiVersion {api_version:?} kind {kind:?}"
        ))
    })?;
    let name = s("/metadata/name");
    if name.is_empty() {
        return Err(StoreError::Invalid(format!(
            "{resource}: metadata.name: Required value"
        )));
    }
    let namespace = s("/metadata/namespace");
    match (resource.info().namespaced, namespace.is_empty()) {
        (true, true) => Err(StoreError::Invalid(format!(
            "{resource} {name:?}: metadata.namespace: Required value"
        ))),
        (false, false) => Err(StoreError::Invalid(format!(
            "{resource} {name:?}: metadata.namespace: Forbidden: not allowed on this type"
        ))),
        _ => Ok((resource, (namespace.to_string(), name.to_string()))),
    }
}

/// Objects must have the exact shape of the API's types: the k8s-openapi definitions
/// (generated from the API's OpenAPI schema) must accept them, and every field written must
/// survive the round trip through them (a misspelled or misplaced field does not).
fn validate_shape(resource: Resource, value: &Value) -> Result<(), StoreError> {
    use k8s_openapi::api::{
        apps::v1 as apps, batch::v1 as batch, core::v1 as core, discovery::v1 as discovery,
    };
    use serde::{Deserialize, Serialize};
    fn round_trip<'a, T: Deserialize<'a> + Serialize>(value: &'a Value) -> Result<Value, String> {
        let typed = T::deserialize(value).map_err(|e| e.to_string())?;
        serde_json::to_value(&typed).map_err(|e| e.to_string())
    }
    let back = match resource {
        Resource::Namespaces => round_trip::<core::Namespace>(value),
        Resource::Nodes => round_trip::<core::Node>(value),
        Resource::Pods => round_trip::<core::Pod>(value),
        Resource::Services => round_trip::<core::Service>(value),
        Resource::ReplicationControllers => round_trip::<core::ReplicationController>(value),
        Resource::ConfigMaps => round_trip::<core::ConfigMap>(value),
        Resource::Secrets => round_trip::<core::Secret>(value),
        Resource::ReplicaSets => round_trip::<apps::ReplicaSet>(value),
        Resource::Deployments => round_trip::<apps::Deployment>(value),
        Resource::StatefulSets => round_trip::<apps::StatefulSet>(value),
        Resource::DaemonSets => round_trip::<apps::DaemonSet>(value),
        Resource::Jobs => round_trip::<batch::Job>(value),
        Resource::CronJobs => round_trip::<batch::CronJob>(value),
        Resource::EndpointSlices => round_trip::<discovery::EndpointSlice>(value),
        Resource::Events => round_trip::<core::Event>(value),
    };
    let kind = resource.info().kind;
    let back = back
        .map_err(|e| StoreError::Invalid(format!("{resource}: not a valid {kind} object: {e}")))?;
    match unknown_field(value, &back, String::new()) {
        Some(path) => Err(StoreError::Invalid(format!(
            "{resource}: {kind} has no field {path} (or it has another type)"
        ))),
        None => Ok(()),
    }
}

/// The first field of `input` that `typed` (its round trip) lost or changed; `null`s in the
/// input count as absent, as the API server treats them.
fn unknown_field(input: &Value, typed: &Value, path: String) -> Option<String> {
    match (input, typed) {
        (Value::Object(a), Value::Object(b)) => {
            a.iter().filter(|(_, v)| !v.is_null()).find_map(|(k, v)| {
                let p = format!("{path}.{k}");
                match b.get(k) {
                    Some(w) => unknown_field(v, w, p),
                    None => Some(p),
                }
            })
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (v, w))| unknown_field(v, w, format!("{path}[{i}]"))),
        (a, b) if a == b => None,
        // Numbers may change representation (1.0 vs 1) without changing meaning.
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => None,
        _ => Some(if path.is_empty() {
            ".".to_string()
        } else {
            path
        }),
    }
}

fn has_generation(resource: Resource) -> bool {
    !matches!(
        resource,
        Resource::Namespaces
            | Resource::Nodes
            | Resource::Services
            | Resource::ConfigMaps
            | Resource::Secrets
            | Resource::EndpointSlices
    )
}

fn metadata_mut(value: &mut Value) -> &mut serde_json::Map<String, Value> {
    if !value.get("metadata").is_some_and(Value::is_object) {
        value["metadata"] = Value::Object(Default::default());
    }
    value["metadata"]
        .as_object_mut()
        .expect("metadata was just made an object")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ns(name: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    }

    fn cm(name: &str, data: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "a"}, "data": {"k": data}})
    }

    #[test]
    fn lists_at_an_old_revision_see_the_old_state_until_compacted() {
        let mut s = Store::new(100, 1000);
        s.create(ns("a")).unwrap();
        s.create(cm("x", "1")).unwrap();
        let before = s.revision();
        s.update(cm("x", "2")).unwrap();
        s.create(cm("y", "1")).unwrap();
        let all = |_: &StoredObject| true;
        let q = |at, limit| ListQuery {
            resource: Resource::ConfigMaps,
            namespace: None,
            at,
            after: None,
            limit,
            keep: &all,
            filtered: false,
        };
        let old = s.list(&q(before, None)).unwrap();
        assert_eq!(old.items.len(), 1);
        assert_eq!(old.items[0].value["data"]["k"], "1");
        let now = s.list(&q(s.revision(), Some(1))).unwrap();
        assert_eq!(now.items[0].name(), "x");
        assert_eq!(now.next, Some(("a".into(), "x".into())));
        assert_eq!(now.remaining, Some(1));
        s.compact(s.revision());
        assert!(s.list(&q(before, None)).is_err());
        assert!(s.changes_after(before).is_err());
        assert_eq!(s.changes_after(s.revision()).unwrap().len(), 0);
    }

    #[test]
    fn writes_are_checked_like_the_api_server() {
        let mut s = Store::new(1, 1000);
        assert!(
            matches!(s.create(cm("x", "1")), Err(StoreError::NotFound { .. })),
            "namespace must exist"
        );
        s.create(ns("a")).unwrap();
        s.create(cm("x", "1")).unwrap();
        assert!(matches!(
            s.create(cm("x", "1")),
            Err(StoreError::AlreadyExists { .. })
        ));
        let mut stale = cm("x", "2");
        stale["metadata"]["resourceVersion"] = json!("1");
        assert!(matches!(s.update(stale), Err(StoreError::Conflict { .. })));
        let bad = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "a"}, "spec": {"containers": "nope"}});
        assert!(matches!(s.create(bad), Err(StoreError::Invalid(_))));
        let misspelled = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "a"},
            "spec": {"containers": [{"name": "c", "image": "i"}], "nodename": "n1"}});
        assert_eq!(
            s.create(misspelled).unwrap_err(),
            StoreError::Invalid(
                "pods: Pod has no field .spec.nodename (or it has another type)".into()
            )
        );
    }
}
