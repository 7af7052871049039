//! What every Kubernetes object has: identity, labels, owners.

use serde::Serialize;

use crate::intern::{Intern, Interner, Str};
use crate::labels::Labels;

/// The subset of `metadata` the model keeps. Annotations and managed fields are dropped on
/// conversion: they are the bulk of an API object and nothing here reads them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectMeta {
    /// `metadata.uid`; the store key. (An object without one gets `<namespace>/<name>`.)
    pub uid: Str,
    pub name: Str,
    /// `None` for cluster-scoped kinds (Node, Namespace).
    pub namespace: Option<Str>,
    pub labels: Labels,
    pub owner_refs: Vec<OwnerRef>,
    pub resource_version: Option<String>,
    /// `metadata.creationTimestamp` as written (RFC 3339).
    pub created: Option<String>,
}

/// One `metadata.ownerReferences` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerRef {
    pub kind: Str,
    pub name: Str,
    pub uid: Str,
    /// The managing controller (at most one owner has it).
    pub controller: bool,
}

impl ObjectMeta {
    /// The namespace, or `""` for cluster-scoped objects.
    pub fn namespace_str(&self) -> &str {
        self.namespace.as_deref().unwrap_or("")
    }

    /// The managing controller's reference, if any.
    pub fn controller_ref(&self) -> Option<&OwnerRef> {
        self.owner_refs.iter().find(|o| o.controller)
    }

    /// `namespace/name` (or `name`), for messages.
    pub fn display_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.to_string(),
        }
    }
}

impl Intern for ObjectMeta {
    fn intern(&mut self, i: &mut Interner) {
        // uid and name are unique per object: interning them would only grow the table
        // (pods are the exception, see `Pod`'s interning).
        i.intern_opt(&mut self.namespace);
        i.intern_labels(&mut self.labels);
        for o in &mut self.owner_refs {
            i.intern(&mut o.kind);
            // Owner names repeat across every pod of a ReplicaSet.
            i.intern(&mut o.name);
            i.intern(&mut o.uid);
        }
    }
}
