//! A per-kind object table: by uid, and by namespace and name.

use std::collections::hash_map::{self, HashMap};

use crate::intern::Str;
use crate::k8s::ObjectMeta;

/// Objects that live in a [`Store`].
pub trait Stored {
    fn meta(&self) -> &ObjectMeta;
}

macro_rules! stored {
    ($($t:ty),*) => {$(
        impl Stored for $t {
            fn meta(&self) -> &ObjectMeta {
                &self.meta
            }
        }
    )*};
}
stored!(
    crate::k8s::Node,
    crate::k8s::Namespace,
    crate::k8s::Pod,
    crate::k8s::Service,
    crate::k8s::ReplicationController,
    crate::k8s::ReplicaSet,
    crate::k8s::Deployment,
    crate::k8s::DaemonSet,
    crate::k8s::StatefulSet,
    crate::k8s::Job,
    crate::k8s::CronJob,
    crate::k8s::EndpointSlice,
    crate::k8s::Event
);

/// All objects of one kind. The index keys are clones of the object's own `Arc<str>`s, so
/// indexing costs pointers, not string copies.
///
/// Objects are boxed: a hash table keeps up to half its slots free (and keeps its capacity
/// when emptied), and an unboxed slot is the size of a whole object (~200 bytes for a pod).
#[derive(Debug)]
pub struct Store<T> {
    by_uid: HashMap<Str, Box<T>>,
    /// namespace (`""` when cluster-scoped) → name → uid.
    by_name: HashMap<Str, HashMap<Str, Str>>,
}

impl<T> Default for Store<T> {
    fn default() -> Self {
        Store {
            by_uid: HashMap::new(),
            by_name: HashMap::new(),
        }
    }
}

const NO_NAMESPACE: &str = "";

impl<T: Stored> Store<T> {
    pub fn get(&self, uid: &str) -> Option<&T> {
        self.by_uid.get(uid).map(|b| &**b)
    }

    /// Lookup by namespace and name; `namespace` is ignored for cluster-scoped kinds
    /// (pass `None` or `""`).
    pub fn by_name(&self, namespace: Option<&str>, name: &str) -> Option<&T> {
        let uid = self
            .by_name
            .get(namespace.unwrap_or(NO_NAMESPACE))?
            .get(name)?;
        self.get(uid)
    }

    /// Objects of one namespace, in no particular order.
    pub fn in_namespace<'a>(&'a self, namespace: &str) -> impl Iterator<Item = &'a T> + 'a {
        self.by_name
            .get(namespace)
            .into_iter()
            .flat_map(|names| names.values())
            .filter_map(|uid| self.get(uid))
    }

    /// All objects, in no particular order.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter(self.by_uid.values())
    }

    pub fn len(&self) -> usize {
        self.by_uid.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_uid.is_empty()
    }

    /// Inserts or replaces (same uid); returns the replaced object.
    pub(crate) fn insert(&mut self, obj: T) -> Option<T> {
        let meta = obj.meta();
        let uid = meta.uid.clone();
        let ns: Str = meta
            .namespace
            .clone()
            .unwrap_or_else(|| NO_NAMESPACE.into());
        let name = meta.name.clone();
        let old = self.by_uid.insert(uid.clone(), Box::new(obj)).map(|b| *b);
        if let Some(old) = &old {
            self.unindex_name(old.meta());
        }
        self.by_name.entry(ns).or_default().insert(name, uid);
        old
    }

    pub(crate) fn remove(&mut self, uid: &str) -> Option<T> {
        let old = *self.by_uid.remove(uid)?;
        self.unindex_name(old.meta());
        Some(old)
    }

    /// Drops the name entry of `meta` if it still points at `meta`'s uid (a newer object
    /// with the same name may have taken it).
    fn unindex_name(&mut self, meta: &ObjectMeta) {
        let ns = meta.namespace_str();
        if let Some(names) = self.by_name.get_mut(ns) {
            if names.get(&*meta.name).is_some_and(|u| *u == meta.uid) {
                names.remove(&*meta.name);
            }
            if names.is_empty() {
                self.by_name.remove(ns);
            }
        }
    }
}

impl<'a, T> IntoIterator for &'a Store<T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        Iter(self.by_uid.values())
    }
}

/// The objects of a [`Store`], in no particular order.
#[derive(Debug, Clone)]
pub struct Iter<'a, T>(hash_map::Values<'a, Str, Box<T>>);

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;
    fn next(&mut self) -> Option<&'a T> {
        self.0.next().map(|b| &**b)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}

impl<T> std::iter::FusedIterator for Iter<'_, T> {}
