//! Shared strings.
//!
//! A cluster of 10k pods repeats the same few hundred strings (namespace and node names, label
//! keys and values, image names, owner names) tens of thousands of times. Model types hold them
//! as [`Str`] (`Arc<str>`), and the [`Cluster`](crate::Cluster) passes every stored object
//! through one [`Interner`] so that equal strings share one allocation. Objects built outside
//! a cluster (straight from JSON) simply own their strings.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// An immutable, cheaply cloned string. Derefs to `str`; compares and hashes by content.
pub type Str = Arc<str>;

/// Deduplicates [`Str`]s. Strings are kept while anything else still points at them;
/// [`Interner::prune`] drops the ones only the interner holds (e.g. the label values of
/// deleted pods).
#[derive(Debug, Default)]
pub struct Interner {
    set: HashSet<Str>,
}

impl Interner {
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces `s` with the shared copy of the same text, registering it if new.
    pub fn intern(&mut self, s: &mut Str) {
        if let Some(shared) = self.set.get(&**s) {
            if !Arc::ptr_eq(shared, s) {
                *s = shared.clone();
            }
        } else {
            self.set.insert(s.clone());
        }
    }

    pub fn intern_opt(&mut self, s: &mut Option<Str>) {
        if let Some(s) = s {
            self.intern(s);
        }
    }

    /// Interns both keys and values of a label map (in place: interning keeps the order).
    pub fn intern_labels(&mut self, labels: &mut crate::labels::Labels) {
        labels.for_each_str_mut(|s| self.intern(s));
    }

    /// Interns both keys and values of a `BTreeMap` label map (keys cannot be mutated in
    /// place, so the map is rebuilt; label maps are small).
    pub fn intern_map(&mut self, map: &mut BTreeMap<Str, Str>) {
        if map.is_empty() {
            return;
        }
        let old = std::mem::take(map);
        for (mut k, mut v) in old {
            self.intern(&mut k);
            self.intern(&mut v);
            map.insert(k, v);
        }
    }

    /// Forgets strings nobody else uses any more.
    pub fn prune(&mut self) {
        self.set.retain(|s| Arc::strong_count(s) > 1);
    }

    /// Number of distinct strings held.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

/// Implemented by every type the cluster stores, to route its strings through the interner.
pub trait Intern {
    fn intern(&mut self, interner: &mut Interner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_share_one_allocation_and_prune_releases_them() {
        let mut i = Interner::new();
        let mut a: Str = "critical-app".into();
        let mut b: Str = "critical-app".into();
        assert!(!Arc::ptr_eq(&a, &b));
        i.intern(&mut a);
        i.intern(&mut b);
        assert!(Arc::ptr_eq(&a, &b));
        drop(a);
        drop(b);
        i.prune();
        assert!(i.is_empty());
    }
}
