//! `labelSelector` and `fieldSelector` query parameters, parsed and matched as the API
//! server does (`k8s.io/apimachinery/pkg/labels` and `fields` grammars).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::resources::Resource;

/// A parse failure, reported to the client as 400 Bad Request with this text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorError(pub String);

#[derive(Debug, Clone, PartialEq, Eq)]
enum LabelOp {
    Exists,
    DoesNotExist,
    Equals(String),
    NotEquals(String),
    In(Vec<String>),
    NotIn(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct LabelRequirement {
    key: String,
    op: LabelOp,
}

/// `app=web,tier!=db,env in (prod,staging),!legacy`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    requirements: Vec<LabelRequirement>,
}

impl LabelSelector {
    pub fn parse(text: &str) -> Result<LabelSelector, SelectorError> {
        let mut requirements = Vec::new();
        for part in split_top_level(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            requirements.push(parse_label_requirement(part)?);
        }
        Ok(LabelSelector { requirements })
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// An empty selector matches everything (API semantics for the query parameter).
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| {
            let have = labels.get(&r.key);
            match &r.op {
                LabelOp::Exists => have.is_some(),
                LabelOp::DoesNotExist => have.is_none(),
                LabelOp::Equals(v) => have == Some(v),
                LabelOp::NotEquals(v) => have != Some(v),
                LabelOp::In(vs) => have.is_some_and(|h| vs.contains(h)),
                LabelOp::NotIn(vs) => have.is_none_or(|h| !vs.contains(h)),
            }
        })
    }
}

/// Splits at commas outside parentheses.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

fn parse_label_requirement(part: &str) -> Result<LabelRequirement, SelectorError> {
    let bad = |why: &str| SelectorError(format!("unable to parse requirement: {part:?}: {why}"));
    if let Some(key) = part.strip_prefix('!') {
        return Ok(LabelRequirement {
            key: valid_key(key.trim()).map_err(|e| bad(&e))?,
            op: LabelOp::DoesNotExist,
        });
    }
    for (token, negate) in [(" notin ", true), (" in ", false)] {
        if let Some(pos) = part.find(token) {
            let key = valid_key(part[..pos].trim()).map_err(|e| bad(&e))?;
            let set = part[pos + token.len()..].trim();
            let inner = set
                .strip_prefix('(')
                .and_then(|s| s.strip_suffix(')'))
                .ok_or_else(|| bad("a set must be written (a,b,...)"))?;
            let values: Vec<String> = inner
                .split(',')
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect();
            return Ok(LabelRequirement {
                key,
                op: if negate {
                    LabelOp::NotIn(values)
                } else {
                    LabelOp::In(values)
                },
            });
        }
    }
    if let Some((key, value)) = part.split_once("!=") {
        return Ok(LabelRequirement {
            key: valid_key(key.trim()).map_err(|e| bad(&e))?,
            op: LabelOp::NotEquals(value.trim().to_string()),
        });
    }
    if let Some((key, value)) = part.split_once("==").or_else(|| part.split_once('=')) {
        return Ok(LabelRequirement {
            key: valid_key(key.trim()).map_err(|e| bad(&e))?,
            op: LabelOp::Equals(value.trim().to_string()),
        });
    }
    if part.contains(['<', '>']) {
        return Err(bad(
            "the gt/lt operators are not supported by this test server",
        ));
    }
    Ok(LabelRequirement {
        key: valid_key(part).map_err(|e| bad(&e))?,
        op: LabelOp::Exists,
    })
}

fn valid_key(key: &str) -> Result<String, String> {
    let ok = !key.is_empty()
        && key.len() <= 316
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if ok {
        Ok(key.to_string())
    } else {
        Err(format!("invalid label key {key:?}"))
    }
}

/// `spec.nodeName=worker-1,metadata.namespace!=kube-system`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector {
    terms: Vec<(FieldPath, bool, String)>,
}

/// The fields a selector may name (the API server rejects others per resource).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldPath {
    Name,
    Namespace,
    PodNodeName,
    PodPhase,
    PodRestartPolicy,
    PodSchedulerName,
    PodServiceAccountName,
    PodHostNetwork,
    PodIp,
    PodNominatedNodeName,
    NodeUnschedulable,
    NamespacePhase,
    EventInvolvedKind,
    EventInvolvedName,
    EventInvolvedNamespace,
    EventInvolvedUid,
    EventReason,
    EventType,
}

impl FieldPath {
    fn parse(resource: Resource, field: &str) -> Option<FieldPath> {
        Some(match (resource, field) {
            (_, "metadata.name") => FieldPath::Name,
            (_, "metadata.namespace") => FieldPath::Namespace,
            (Resource::Pods, "spec.nodeName") => FieldPath::PodNodeName,
            (Resource::Pods, "status.phase") => FieldPath::PodPhase,
            (Resource::Pods, "spec.restartPolicy") => FieldPath::PodRestartPolicy,
            (Resource::Pods, "spec.schedulerName") => FieldPath::PodSchedulerName,
            (Resource::Pods, "spec.serviceAccountName") => FieldPath::PodServiceAccountName,
            (Resource::Pods, "spec.hostNetwork") => FieldPath::PodHostNetwork,
            (Resource::Pods, "status.podIP") => FieldPath::PodIp,
            (Resource::Pods, "status.nominatedNodeName") => FieldPath::PodNominatedNodeName,
            (Resource::Nodes, "spec.unschedulable") => FieldPath::NodeUnschedulable,
            (Resource::Namespaces, "status.phase") => FieldPath::NamespacePhase,
            (Resource::Events, "involvedObject.kind") => FieldPath::EventInvolvedKind,
            (Resource::Events, "involvedObject.name") => FieldPath::EventInvolvedName,
            (Resource::Events, "involvedObject.namespace") => FieldPath::EventInvolvedNamespace,
            (Resource::Events, "involvedObject.uid") => FieldPath::EventInvolvedUid,
            (Resource::Events, "reason") => FieldPath::EventReason,
            (Resource::Events, "type") => FieldPath::EventType,
            _ => return None,
        })
    }

    /// The field's value as the server's field set renders it (`""` when absent).
    fn value(self, obj: &Value) -> String {
        let s = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
        let b = |v: Option<&Value>| v.and_then(Value::as_bool).unwrap_or(false).to_string();
        match self {
            FieldPath::Name => s(obj.pointer("/metadata/name")),
            FieldPath::Namespace => s(obj.pointer("/metadata/namespace")),
            FieldPath::PodNodeName => s(obj.pointer("/spec/nodeName")),
            FieldPath::PodPhase => s(obj.pointer("/status/phase")),
            FieldPath::PodRestartPolicy => s(obj.pointer("/spec/restartPolicy")),
            FieldPath::PodSchedulerName => s(obj.pointer("/spec/schedulerName")),
            FieldPath::PodServiceAccountName => s(obj.pointer("/spec/serviceAccountName")),
            FieldPath::PodHostNetwork => b(obj.pointer("/spec/hostNetwork")),
            FieldPath::PodIp => s(obj.pointer("/status/podIP")),
            FieldPath::PodNominatedNodeName => s(obj.pointer("/status/nominatedNodeName")),
            FieldPath::NodeUnschedulable => b(obj.pointer("/spec/unschedulable")),
            FieldPath::NamespacePhase => s(obj.pointer("/status/phase")),
            FieldPath::EventInvolvedKind => s(obj.pointer("/involvedObject/kind")),
            FieldPath::EventInvolvedName => s(obj.pointer("/involvedObject/name")),
            FieldPath::EventInvolvedNamespace => s(obj.pointer("/involvedObject/namespace")),
            FieldPath::EventInvolvedUid => s(obj.pointer("/involvedObject/uid")),
            FieldPath::EventReason => s(obj.pointer("/reason")),
            FieldPath::EventType => s(obj.pointer("/type")),
        }
    }
}

impl FieldSelector {
    pub fn parse(resource: Resource, text: &str) -> Result<FieldSelector, SelectorError> {
        let mut terms = Vec::new();
        for part in text.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (field, equal, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                (f, true, v)
            } else {
                return Err(SelectorError(format!(
                    "invalid selector: {part:?}; can't understand {part:?}"
                )));
            };
            let field = field.trim();
            let path = FieldPath::parse(resource, field)
                .ok_or_else(|| SelectorError(format!("field label not supported: {field}")))?;
            terms.push((path, equal, value.trim().to_string()));
        }
        Ok(FieldSelector { terms })
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.terms
            .iter()
            .all(|(path, equal, want)| (path.value(obj) == *want) == *equal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn label_selector_grammar() {
        let sel = LabelSelector::parse("app=web, env in (prod,staging),!legacy,tier!=db").unwrap();
        assert!(sel.matches(&labels(&[("app", "web"), ("env", "prod")])));
        assert!(!sel.matches(&labels(&[("app", "web"), ("env", "dev")])));
        assert!(!sel.matches(&labels(&[("app", "web"), ("env", "prod"), ("legacy", "1")])));
        assert!(!sel.matches(&labels(&[("app", "web"), ("env", "prod"), ("tier", "db")])));
        assert!(LabelSelector::parse("a in b").is_err());
        assert!(LabelSelector::parse("bad key=1").is_err());
    }

    #[test]
    fn field_selector_checks_the_field_per_resource() {
        let pod = json!({"metadata": {"name": "p", "namespace": "ns"}, "spec": {"nodeName": "n1"}});
        let sel = FieldSelector::parse(
            Resource::Pods,
            "spec.nodeName=n1,metadata.namespace!=kube-system",
        )
        .unwrap();
        assert!(sel.matches(&pod));
        assert!(!FieldSelector::parse(Resource::Pods, "spec.nodeName=n2")
            .unwrap()
            .matches(&pod));
        let err = FieldSelector::parse(Resource::Services, "spec.nodeName=n1").unwrap_err();
        assert_eq!(err.0, "field label not supported: spec.nodeName");
    }
}
