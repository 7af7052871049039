//! Labels and label selectors: the glue of the logical hierarchy when objects do not name
//! their owners (old clusters, sysdig's condensed capture events) and for services.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::intern::{Intern, Interner, Str};

/// Key → value labels, sorted by key (stable output for views and JSON).
///
/// A sorted boxed slice rather than a `BTreeMap`: objects carry a handful of labels and the
/// map is never edited in place, while a B-tree leaf costs ~370 bytes however few entries it
/// holds. An empty map allocates nothing. Lookups are binary searches.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Labels(Box<[(Str, Str)]>);

impl Labels {
    pub fn new() -> Self {
        Self::default()
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| (**k).cmp(key))
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Str> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `(key, value)` pairs in key order.
    pub fn iter(&self) -> LabelsIter<'_> {
        LabelsIter(self.0.iter())
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Str> + ExactSizeIterator {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Str> + ExactSizeIterator {
        self.0.iter().map(|(_, v)| v)
    }

    /// Rewrites every key and value in place (the order is unchanged: `f` must map each
    /// string to an equal one, as interning does).
    pub(crate) fn for_each_str_mut(&mut self, mut f: impl FnMut(&mut Str)) {
        for (k, v) in self.0.iter_mut() {
            f(k);
            f(v);
        }
    }
}

/// Iterator over a [`Labels`] map's `(key, value)` pairs, in key order.
#[derive(Debug, Clone)]
pub struct LabelsIter<'a>(std::slice::Iter<'a, (Str, Str)>);

impl<'a> Iterator for LabelsIter<'a> {
    type Item = (&'a Str, &'a Str);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for LabelsIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl ExactSizeIterator for LabelsIter<'_> {}

impl<'a> IntoIterator for &'a Labels {
    type Item = (&'a Str, &'a Str);
    type IntoIter = LabelsIter<'a>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl IntoIterator for Labels {
    type Item = (Str, Str);
    type IntoIter = std::vec::IntoIter<(Str, Str)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_vec().into_iter()
    }
}

impl FromIterator<(Str, Str)> for Labels {
    /// Like collecting into a `BTreeMap`: sorted by key, the last of equal keys wins.
    fn from_iter<I: IntoIterator<Item = (Str, Str)>>(iter: I) -> Self {
        let mut pairs: Vec<(Str, Str)> = iter.into_iter().collect();
        // Stable: equal keys keep their input order, so the last one is the one kept.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(Str, Str)> = Vec::with_capacity(pairs.len());
        for p in pairs {
            match out.last_mut() {
                Some(last) if last.0 == p.0 => last.1 = p.1,
                _ => out.push(p),
            }
        }
        Labels(out.into_boxed_slice())
    }
}

impl<K: Into<Str>, V: Into<Str>> From<BTreeMap<K, V>> for Labels {
    fn from(map: BTreeMap<K, V>) -> Self {
        // Already sorted and unique.
        Labels(map.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

impl std::ops::Index<&str> for Labels {
    type Output = Str;
    fn index(&self, key: &str) -> &Str {
        self.get(key).expect("no such label")
    }
}

impl std::fmt::Debug for Labels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Labels {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// A Kubernetes label selector: `matchLabels` plus `matchExpressions`.
///
/// Services and ReplicationControllers carry a bare map; that is a selector with only
/// `match_labels`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LabelSelector {
    pub match_labels: Labels,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<SelectorRequirement>,
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelectorRequirement {
    pub key: Str,
    pub operator: SelectorOperator,
    pub values: Vec<Str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum SelectorOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    /// An operator this model does not know; it never matches, so an unknown rule cannot
    /// attribute a pod to the wrong owner.
    Other(Str),
}

impl SelectorOperator {
    pub fn parse(s: &str) -> Self {
        match s {
            "In" => Self::In,
            "NotIn" => Self::NotIn,
            "Exists" => Self::Exists,
            "DoesNotExist" => Self::DoesNotExist,
            other => Self::Other(other.into()),
        }
    }
}

impl LabelSelector {
    /// A selector from a bare `key: value` map (Service, ReplicationController).
    pub fn from_map(match_labels: Labels) -> Self {
        LabelSelector {
            match_labels,
            match_expressions: Vec::new(),
        }
    }

    /// True when the selector has no rule at all.
    ///
    /// Kubernetes reads an empty selector two ways (everything for some APIs, nothing for a
    /// Service). For attribution an empty selector must select nothing: otherwise a Service
    /// without selector (e.g. `default/kubernetes`) would claim every pod.
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// Whether `labels` satisfy every rule. An empty selector matches nothing (see
    /// [`LabelSelector::is_empty`]).
    pub fn matches(&self, labels: &Labels) -> bool {
        if self.is_empty() {
            return false;
        }
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k).is_some_and(|have| have == v))
            && self.match_expressions.iter().all(|r| r.matches(labels))
    }

    /// Number of rules; used to prefer the most specific of several matching controllers.
    pub fn specificity(&self) -> usize {
        self.match_labels.len() + self.match_expressions.len()
    }
}

impl SelectorRequirement {
    pub fn matches(&self, labels: &Labels) -> bool {
        let have = labels.get(&self.key);
        match &self.operator {
            SelectorOperator::In => have.is_some_and(|v| self.values.contains(v)),
            SelectorOperator::NotIn => have.is_none_or(|v| !self.values.contains(v)),
            SelectorOperator::Exists => have.is_some(),
            SelectorOperator::DoesNotExist => have.is_none(),
            SelectorOperator::Other(_) => false,
        }
    }
}

impl Intern for LabelSelector {
    fn intern(&mut self, i: &mut Interner) {
        i.intern_labels(&mut self.match_labels);
        for r in &mut self.match_expressions {
            i.intern(&mut r.key);
            for v in &mut r.values {
                i.intern(v);
            }
        }
    }
}

/// Builds a [`Labels`] map from owned strings (the shape serde produces).
pub(crate) fn labels_from(map: BTreeMap<String, String>) -> Labels {
    Labels::from(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    #[test]
    fn match_labels_and_expressions() {
        let pod = labels(&[("app", "web"), ("tier", "front")]);
        let mut sel = LabelSelector::from_map(labels(&[("app", "web")]));
        assert!(sel.matches(&pod));
        sel.match_expressions.push(SelectorRequirement {
            key: "tier".into(),
            operator: SelectorOperator::In,
            values: vec!["front".into(), "edge".into()],
        });
        assert!(sel.matches(&pod));
        sel.match_expressions.push(SelectorRequirement {
            key: "canary".into(),
            operator: SelectorOperator::DoesNotExist,
            values: vec![],
        });
        assert!(sel.matches(&pod));
        sel.match_expressions.push(SelectorRequirement {
            key: "tier".into(),
            operator: SelectorOperator::NotIn,
            values: vec!["front".into()],
        });
        assert!(!sel.matches(&pod));
    }

    #[test]
    fn labels_behave_like_a_sorted_map() {
        let l = labels(&[("tier", "front"), ("app", "web"), ("app", "api")]);
        assert_eq!(l.len(), 2);
        assert_eq!(l.get("app").map(|v| &**v), Some("api"));
        assert!(l.contains_key("tier") && !l.contains_key("zone"));
        let keys: Vec<&str> = l.iter().map(|(k, _)| &**k).collect();
        assert_eq!(keys, ["app", "tier"]);
        assert_eq!(
            serde_json::to_string(&l).unwrap(),
            r#"{"app":"api","tier":"front"}"#
        );
        assert_eq!(format!("{l:?}"), r#"{"app": "api", "tier": "front"}"#);
        assert!(Labels::new().is_empty());
        let from_map: BTreeMap<String, String> = [
            ("b".to_string(), "2".to_string()),
            ("a".to_string(), "1".to_string()),
        ]
        .into();
        assert_eq!(labels_from(from_map), labels(&[("a", "1"), ("b", "2")]));
    }

    #[test]
    fn empty_selector_selects_nothing() {
        let pod = labels(&[("app", "web")]);
        assert!(!LabelSelector::default().matches(&pod));
    }
}
