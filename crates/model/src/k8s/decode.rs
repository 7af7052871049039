//! From JSON text (or a parsed `serde_json::Value`) to [`ObjectUpdate`]s.
//!
//! Every payload is read twice: a probe that only looks at `kind`, `type` and `object.kind`
//! (skipping everything else without allocating), then a typed parse of the right shape for
//! that kind. Typed parsing straight from the text keeps serde_json's line/column in errors.
//!
//! Kinds the model does not hold (Endpoints, Event, ConfigMap, ...) decode to no update.

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Deserialize;
use serde_json::Value;

use crate::error::ModelError;
use crate::k8s::api::{ApiStatus, FromApi};
use crate::k8s::condensed::FromCondensed;
use crate::k8s::{
    CronJob, DaemonSet, Deployment, EndpointSlice, Event, Job, K8sObject, Namespace, Node, ObjectKind,
    ObjectUpdate, Pod, ReplicaSet, ReplicationController, Service, StatefulSet, WatchKind,
};
use crate::serde_util::null_default;

/// Parses what the Kubernetes API server sends: a single object (`{"kind":"Pod",...}`,
/// applied as ADDED), a list (`{"kind":"PodList","items":[...]}` or a mixed `"kind":"List"`,
/// every item ADDED) or a watch event (`{"type":"MODIFIED","object":{...}}`).
///
/// A watch `ERROR` event and a `Status` failure come back as [`ModelError::Watch`];
/// `BOOKMARK` events yield nothing.
pub fn parse_api_json(json: &str) -> Result<Vec<ObjectUpdate>, ModelError> {
    decode_api(json, "Kubernetes API JSON")
}

/// [`parse_api_json`] for an already parsed value. Errors then carry no line/column.
pub fn parse_api_value(value: &Value) -> Result<Vec<ObjectUpdate>, ModelError> {
    decode_api(value, "Kubernetes API JSON")
}

/// Parses the JSON payload of a sysdig `K8S_E` capture event: the condensed form sysdig
/// recorded (see `condensed.rs`), or, as some capture versions hold, plain API JSON.
///
/// `ERROR` events come back as [`ModelError::Watch`]; `NONEXISTENT` (sysdig's "the list was
/// empty") yields nothing.
pub fn parse_capture_event(json: &str) -> Result<Vec<ObjectUpdate>, ModelError> {
    let context = "sysdig K8S_E event";
    let probe = Probe::read(json, context)?;
    let is_condensed = probe.object.is_none()
        && probe.items.is_some()
        && probe.event_type.is_some()
        && probe.kind.as_deref().is_some_and(|k| !k.ends_with("List"));
    if !is_condensed {
        return decode_api(json, context);
    }
    let kind = probe.kind.as_deref().unwrap_or_default();
    let event_type = probe.event_type.as_deref().unwrap_or_default();
    let context = format!("{context} ({kind} {event_type})");
    let watch = match event_type {
        "NONEXISTENT" => return Ok(Vec::new()),
        "ERROR" => {
            let err: CondensedEvent<ApiStatus> = json.parse_as(&context)?;
            let status = err.items.into_iter().flatten().next().unwrap_or_default();
            return Err(watch_error(status));
        }
        other => WatchKind::parse(other).ok_or_else(|| {
            ModelError::shape(&context, format_args!("unknown event type {other:?}"))
        })?,
    };
    macro_rules! condensed_kinds {
        ($($t:ident),*) => {
            match ObjectKind::from_kind(kind) {
                $(Some(ObjectKind::$t) => condensed::<$t>(json, &context, watch),)*
                // EventList and kinds sysdig never condensed.
                _ => Ok(Vec::new()),
            }
        };
    }
    condensed_kinds!(
        Node,
        Namespace,
        Pod,
        Service,
        ReplicationController,
        ReplicaSet,
        Deployment,
        DaemonSet
    )
}

// ---------------------------------------------------------------------------------------

/// Text or value: both can be deserialized into any shape.
trait Input: Copy {
    fn parse_as<T: DeserializeOwned>(self, context: &str) -> Result<T, ModelError>;
}

impl Input for &str {
    fn parse_as<T: DeserializeOwned>(self, context: &str) -> Result<T, ModelError> {
        serde_json::from_str(self).map_err(|e| ModelError::json(context, e))
    }
}

impl Input for &Value {
    fn parse_as<T: DeserializeOwned>(self, context: &str) -> Result<T, ModelError> {
        T::deserialize(self).map_err(|e| ModelError::json(context, e))
    }
}

/// The few top-level fields that tell the shapes apart.
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default, rename = "type")]
    event_type: Option<String>,
    #[serde(default)]
    object: Option<ProbeObject>,
    #[serde(default)]
    items: Option<IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ProbeObject {
    kind: Option<String>,
}

impl Probe {
    fn read(input: impl Input, context: &str) -> Result<Probe, ModelError> {
        input.parse_as(context)
    }
}

#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
struct WatchEvent<T> {
    #[serde(rename = "type")]
    event_type: String,
    object: T,
}

#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
struct ApiList<T> {
    #[serde(default, deserialize_with = "null_default")]
    items: Vec<T>,
}

#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
struct CondensedEvent<T> {
    #[serde(default, deserialize_with = "null_default")]
    items: Vec<Option<T>>,
}

fn watch_error(s: ApiStatus) -> ModelError {
    ModelError::Watch {
        code: s.code,
        reason: s.reason.unwrap_or_default(),
        message: s.message.unwrap_or_default(),
    }
}

/// Runs `$f::<Type>($args)` for the model type named by `$kind`; `Ok(vec![])` otherwise.
macro_rules! by_kind {
    ($kind:expr, $f:ident ( $($arg:expr),* )) => {
        match ObjectKind::from_kind($kind) {
            Some(ObjectKind::Node) => $f::<Node>($($arg),*),
            Some(ObjectKind::Namespace) => $f::<Namespace>($($arg),*),
            Some(ObjectKind::Pod) => $f::<Pod>($($arg),*),
            Some(ObjectKind::Service) => $f::<Service>($($arg),*),
            Some(ObjectKind::ReplicationController) => $f::<ReplicationController>($($arg),*),
            Some(ObjectKind::ReplicaSet) => $f::<ReplicaSet>($($arg),*),
            Some(ObjectKind::Deployment) => $f::<Deployment>($($arg),*),
            Some(ObjectKind::DaemonSet) => $f::<DaemonSet>($($arg),*),
            Some(ObjectKind::StatefulSet) => $f::<StatefulSet>($($arg),*),
            Some(ObjectKind::Job) => $f::<Job>($($arg),*),
            Some(ObjectKind::CronJob) => $f::<CronJob>($($arg),*),
            Some(ObjectKind::EndpointSlice) => $f::<EndpointSlice>($($arg),*),
            Some(ObjectKind::Event) => $f::<Event>($($arg),*),
            None => Ok(Vec::new()),
        }
    };
}

fn decode_api(input: impl Input, context: &str) -> Result<Vec<ObjectUpdate>, ModelError> {
    let probe = Probe::read(input, context)?;
    if let (Some(event_type), Some(object)) = (&probe.event_type, &probe.object) {
        let kind = object.kind.as_deref().unwrap_or_default();
        let context = format!("{context} (watch {event_type} {kind})");
        return match event_type.as_str() {
            "BOOKMARK" => Ok(Vec::new()),
            "ERROR" => {
                let ev: WatchEvent<ApiStatus> = input.parse_as(&context)?;
                Err(watch_error(ev.object))
            }
            other => {
                let watch = WatchKind::parse(other).ok_or_else(|| {
                    ModelError::shape(&context, format_args!("unknown watch event type {other:?}"))
                })?;
                if kind.is_empty() {
                    return Err(ModelError::shape(
                        &context,
                        "watch event object has no \"kind\"",
                    ));
                }
                by_kind!(kind, api_watch(input, &context, watch))
            }
        };
    }
    let Some(kind) = probe.kind.as_deref() else {
        return Err(ModelError::shape(
            context,
            "no \"kind\" (not a Kubernetes object, list or watch event)",
        ));
    };
    let context = format!("{context} ({kind})");
    match kind {
        "Status" => {
            let status: ApiStatus = input.parse_as(&context)?;
            Err(watch_error(status))
        }
        "List" => {
            // Mixed kinds (`kubectl get -o json`): each item names its own kind.
            let list: ApiList<Value> = input.parse_as(&context)?;
            let mut out = Vec::with_capacity(list.items.len());
            for (i, item) in list.items.iter().enumerate() {
                let kind = item.get("kind").and_then(Value::as_str).unwrap_or_default();
                let context = format!("{context} item {i} ({kind})");
                out.extend(by_kind!(kind, api_single(item, &context))?);
            }
            Ok(out)
        }
        _ => match kind.strip_suffix("List") {
            Some(item_kind) => by_kind!(item_kind, api_list(input, &context)),
            None => by_kind!(kind, api_single(input, &context)),
        },
    }
}

/// Wraps a converted object; objects with neither uid nor name (an empty `{}` item, an API
/// object in a place that expected the condensed form) cannot be keyed and are dropped.
fn update(kind: WatchKind, object: K8sObject) -> Option<ObjectUpdate> {
    (!object.meta().uid.is_empty()).then_some(ObjectUpdate { kind, object })
}

fn api_single<T: FromApi>(
    input: impl Input,
    context: &str,
) -> Result<Vec<ObjectUpdate>, ModelError> {
    let api: T::Api = input.parse_as(context)?;
    Ok(update(WatchKind::Added, T::from_api(api).into())
        .into_iter()
        .collect())
}

fn api_list<T: FromApi>(input: impl Input, context: &str) -> Result<Vec<ObjectUpdate>, ModelError> {
    let list: ApiList<T::Api> = input.parse_as(context)?;
    Ok(list
        .items
        .into_iter()
        .filter_map(|api| update(WatchKind::Added, T::from_api(api).into()))
        .collect())
}

fn api_watch<T: FromApi>(
    input: impl Input,
    context: &str,
    watch: WatchKind,
) -> Result<Vec<ObjectUpdate>, ModelError> {
    let ev: WatchEvent<T::Api> = input.parse_as(context)?;
    debug_assert!(WatchKind::parse(&ev.event_type) == Some(watch));
    Ok(update(watch, T::from_api(ev.object).into())
        .into_iter()
        .collect())
}

fn condensed<T: FromCondensed>(
    json: &str,
    context: &str,
    watch: WatchKind,
) -> Result<Vec<ObjectUpdate>, ModelError> {
    let ev: CondensedEvent<T::Item> = json.parse_as(context)?;
    Ok(ev
        .items
        .into_iter()
        .flatten()
        .filter_map(|item| update(watch, T::from_api(T::to_api(item)).into()))
        .collect())
}
