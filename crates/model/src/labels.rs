//! Labels and label selectors: the glue of the logical hierarchy when objects do not name
//! their owners (old clusters, sysdig's condensed capture events) and for services.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::intern::{Intern, Interner, Str};

/// Key → value labels, sorted by key (stable output for views and JSON).
pub type Labels = BTreeMap<Str, Str>;

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
            .all(|(k, v)| labels.get(&**k).is_some_and(|have| have == v))
            && self.match_expressions.iter().all(|r| r.matches(labels))
    }

    /// Number of rules; used to prefer the most specific of several matching controllers.
    pub fn specificity(&self) -> usize {
        self.match_labels.len() + self.match_expressions.len()
    }
}

impl SelectorRequirement {
    pub fn matches(&self, labels: &Labels) -> bool {
        let have = labels.get(&*self.key);
        match &self.operator {
            SelectorOperator::In => have.is_some_and(|v| self.values.contains(v)),
            SelectorOperator::NotIn => have.map_or(true, |v| !self.values.contains(v)),
            SelectorOperator::Exists => have.is_some(),
            SelectorOperator::DoesNotExist => have.is_none(),
            SelectorOperator::Other(_) => false,
        }
    }
}

impl Intern for LabelSelector {
    fn intern(&mut self, i: &mut Interner) {
        i.intern_map(&mut self.match_labels);
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
    map.into_iter().map(|(k, v)| (k.into(), v.into())).collect()
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
    fn empty_selector_selects_nothing() {
        let pod = labels(&[("app", "web")]);
        assert!(!LabelSelector::default().matches(&pod));
    }
}
