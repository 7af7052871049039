//! The JSON API the web UI uses (described in `openapi.rs`). Each handler parses its
//! parameters strictly, reads history under a read lock on a blocking thread, and answers
//! JSON or an [`ApiError`].

use crate::entities::{EntityIndex, Hierarchy, LabelGroups, Level};
use crate::reply;
use crate::error::ApiError;
use crate::fields::{parse_filter, supported_fields, Scope};
use crate::params::{time_range, Params, TimeRange};
use crate::cluster::AgentReport;
use crate::fanout::{AgentAnswer, Fanout};
use crate::query::{self, Resolver};
use crate::state::{now_ns, AppState, Mode};
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use kinsight_filter::Filter;
use kinsight_history::{History, ReqProto, SeriesId};
use kinsight_monitor::SourceState;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

pub type ApiResult = Result<Response, ApiError>;

/// A reply already serialized: large pages are written straight from their rows, without
/// an intermediate JSON tree.
type Reply = Result<String, ApiError>;

fn body(v: &impl Serialize) -> String {
    serde_json::to_string(v).expect("API replies serialize")
}

/// Runs a query on the blocking pool: queries are CPU work, the runtime's threads serve
/// connections.
async fn blocking(st: Arc<AppState>, q: Option<String>, f: fn(&AppState, Option<&str>) -> Reply) -> ApiResult {
    match tokio::task::spawn_blocking(move || f(&st, q.as_deref())).await {
        Ok(r) => r.map(|text| ([(header::CONTENT_TYPE, "application/json")], text).into_response()),
        Err(_) => Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "the query failed unexpectedly; see the server's log")),
    }
}

macro_rules! handler {
    ($name:ident, $f:path) => {
        pub async fn $name(State(st): State<Arc<AppState>>, RawQuery(q): RawQuery) -> ApiResult {
            blocking(st, q, $f).await
        }
    };
}

handler!(status, status_json);
handler!(hierarchies, hierarchies_json);
handler!(entities, entities_json);
handler!(entity, entity_json);
handler!(series, series_json);
handler!(topology, topology_json);
handler!(connections, connections_json);
handler!(files, files_json);
handler!(http, http_json);
handler!(requests, requests_json);
handler!(fields, fields_json);
handler!(changes, changes_json);
handler!(events, events_json);
handler!(overview, crate::overview::overview_json);

fn range_json(r: TimeRange) -> reply::Range {
    r.into()
}

fn status_json(st: &AppState, q: Option<&str>) -> Reply {
    Params::parse(q, &[])?;
    let h = st.history();
    let sources: Vec<Value> = st
        .shared
        .source_statuses()
        .iter()
        .map(|s| json!({ "kind": s.kind, "state": s.state.as_str(), "detail": s.detail, "events": s.events, "bytes_read": s.bytes_read, "error": s.error }))
        .collect();
    let tiers: Vec<Value> = h
        .tiers()
        .iter()
        .map(|t| {
            let r = t.resolution_ns() as f64 / 1e9;
            json!({ "resolution_s": r, "buckets": t.config.buckets, "retention_s": r * t.config.buckets as f64, "kept": t.len(), "evicted": t.evicted })
        })
        .collect();
    let snapshot = st.last_snapshot.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let (mode, live_message) = match &st.mode {
        Mode::Replay(p) => (json!({ "kind": "replay", "file": p.display().to_string() }), Value::Null),
        // Live: why this host is not watched, when it is not.
        Mode::Live => (
            json!({ "kind": "live" }),
            st.shared
                .source_statuses()
                .iter()
                .find(|s| s.kind == "live-host" && matches!(s.state, SourceState::Unavailable | SourceState::Failed))
                .map_or(Value::Null, |s| Value::String(s.error.clone().unwrap_or_else(|| s.detail.clone()))),
        ),
    };
    Ok(body(&json!({
        "version": env!("CARGO_PKG_VERSION"),
        "mode": mode,
        "live_message": live_message,
        "sources": sources,
        "active": st.shared.any_source_active(),
        "data": st.data_range(&h).map(|(a, z)| json!({ "from": a, "to": z, "seconds": (z - a) as f64 / 1e9 })),
        "now_ns": now_ns(),
        "remote_write": st.remote_write.as_ref().map(|w| {
            let s = w.stats();
            json!({ "url": w.url(), "failing": s.failing, "sent_samples": s.sent_samples, "sent_requests": s.sent_requests, "queued_samples": s.queued_samples,
                    "dropped_queue_full": s.dropped_queue_full, "dropped_refused": s.dropped_refused, "failed_attempts": s.failed_attempts,
                    "last_error": s.last_error, "last_refusal": s.last_refusal, "last_success_ms": s.last_success_ms })
        }),
        "store": st.cluster.as_ref().map(|c| {
            let agents = c.agents(now_ns());
            // The cache of the store's blocks (VictoriaMetrics only): what it holds.
            let cache = c.cache_size().map(|(blocks, bytes)| json!({ "blocks": blocks, "bytes": bytes }));
            json!({ "url": c.url(), "error": agents.as_ref().err().map(|e| e.to_string()).or_else(|| c.last_error()), "agents": agents.ok(), "cache": cache })
        }),
        "history": {
            "tiers": tiers,
            "heap_bytes": h.heap_bytes(),
            "max_bytes": h.config().max_bytes,
            "series": h.catalog.series_count(),
            "samples": h.samples(),
            "http_transactions": h.http.len(),
        },
        "snapshot": st.snapshot_path.as_ref().map(|p| json!({
            "path": p.display().to_string(),
            "saved_ns": snapshot.as_ref().map(|s| s.saved_ns),
            "error": snapshot.and_then(|s| s.error),
        })),
        "auth": { "token_required": st.token.is_some() },
    })))
}

fn hierarchies_json(st: &AppState, q: Option<&str>) -> Reply {
    Params::parse(q, &[])?;
    let h = st.history();
    let mut keys: Vec<&str> = h.catalog.pods.values().flat_map(|p| p.labels.keys().map(String::as_str)).collect();
    keys.sort_unstable();
    keys.dedup();
    let describe = |hy: Hierarchy, title: &str| json!({ "id": hy.name(), "title": title, "levels": hy.levels().iter().map(|l| l.name()).collect::<Vec<_>>() });
    Ok(body(&json!({
        "hierarchies": [
            describe(Hierarchy::Physical, "Physical: node › pod › container › process"),
            describe(Hierarchy::Logical, "Logical: namespace › workload › pod › container › process"),
            describe(Hierarchy::Services, "Services: namespace › service › pod › container › process"),
        ],
        "label": { "id": "label:KEY", "levels": Hierarchy::Label(String::new()).levels().iter().map(|l| l.name()).collect::<Vec<_>>() },
        "label_keys": keys,
    })))
}

fn parse_hierarchy(p: &Params) -> Result<Hierarchy, ApiError> {
    let v = p.get("hierarchy").unwrap_or("physical");
    Hierarchy::parse(v).ok_or_else(|| ApiError::bad_param("hierarchy", format!("'{v}' is not a hierarchy: use physical, logical, services or label:KEY")))
}

fn lookup(ix: &EntityIndex, id: &str) -> Result<u32, ApiError> {
    ix.get(id).ok_or_else(|| ApiError::unknown_entity(id))
}

fn label_groups(ix: &mut EntityIndex, h: &History, hierarchy: &Hierarchy) -> Option<LabelGroups> {
    match hierarchy {
        Hierarchy::Label(k) => Some(ix.label_groups(&h.catalog, k)),
        _ => None,
    }
}

/// The level to list: given, else the one below the parent, else the hierarchy's top.
fn resolve_level(p: &Params, hierarchy: &Hierarchy, ix: &EntityIndex, parent: Option<u32>) -> Result<Level, ApiError> {
    let levels = hierarchy.levels();
    let names = || levels.iter().map(|l| l.name()).collect::<Vec<_>>().join(", ");
    if let Some(l) = p.get("level") {
        return Level::parse(l)
            .filter(|l| levels.contains(l))
            .ok_or_else(|| ApiError::bad_param("level", format!("'{l}' is not a level of the {} hierarchy ({})", hierarchy.name(), names())));
    }
    let Some(e) = parent else { return Ok(levels[0]) };
    let ent = ix.entity(e);
    let at = levels.iter().position(|l| *l == ent.level).ok_or_else(|| {
        ApiError::bad_param("parent", format!("'{}' is not part of the {} hierarchy ({}); give 'level' to list what it holds", ent.id, hierarchy.name(), names()))
    })?;
    levels.get(at + 1).copied().ok_or_else(|| ApiError::bad_param("parent", format!("'{}' is a process: nothing is below it", ent.id)))
}

const ENTITY_PARAMS: &[&str] = &["hierarchy", "level", "parent", "filter", "from", "to", "sort", "order", "limit", "offset", "group", "alive", "protocol"];

/// What `protocol` accepts: a protocol's name, or nothing for every protocol.
pub(crate) fn protocol_names() -> Vec<&'static str> {
    std::iter::once("").chain(ReqProto::ALL.iter().map(|p| p.as_str())).collect()
}

/// The `protocol` parameter: only that protocol's requests in the request columns.
fn parse_protocol(p: &Params) -> Result<Option<ReqProto>, ApiError> {
    let names = protocol_names();
    let name = p.one_of("protocol", "", &names)?;
    Ok((!name.is_empty()).then(|| ReqProto::from_name(name)))
}

fn entities_json(st: &AppState, q: Option<&str>) -> Reply {
    let p = Params::parse(q, ENTITY_PARAMS)?;
    let hierarchy = parse_hierarchy(&p)?;
    let filter = parse_filter(p.get("filter"), Scope::Entities)?;
    let sort = p.one_of("sort", "net_bytes", query::SORT_KEYS)?;
    let default_order = if matches!(sort, "name" | "kind") { "asc" } else { "desc" };
    let order = p.one_of("order", default_order, &["asc", "desc"])?;
    let limit = p.usize_in("limit", 10_000, 1, 100_000)?;
    let offset = p.usize_in("offset", 0, 0, usize::MAX / 2)?;
    let by_command = p.one_of("group", "", &["", "command"])? == "command";
    let alive_only = p.one_of("alive", "false", &["false", "true"])? == "true";
    let protocol = parse_protocol(&p)?;
    let (range, totals) = range_totals(st, &p)?;
    let h = st.history();
    let totals = totals.unwrap_or_else(|| query::RangeTotals::of_history(&h, range, protocol));
    let agents = st.agents();
    st.with_index(&h, |ix| {
        let labels = label_groups(ix, &h, &hierarchy);
        let parent = p.get("parent").map(|id| lookup(ix, id)).transpose()?;
        let level = resolve_level(&p, &hierarchy, ix, parent)?;
        let mask = filter.as_ref().map(|f| st.filter_mask(&h, f));
        let selected = query::select_series(&h, ix, labels.as_ref(), range, parent, mask.as_deref().map(Vec::as_slice));
        let catalog_mask = filter.as_ref().map(|f| query::catalog_mask(&h, ix, f));
        let grouping = query::Grouping {
            catalog_mask: catalog_mask.as_deref(),
            parent,
            open_end: reaches_newest(&h, range),
            alive_only,
            by_command,
            ..query::Grouping::new(&hierarchy, level, labels.as_ref())
        };
        let mut rows = query::entity_rows(&h, ix, &grouping, range, &selected, &totals);
        if let Some(agents) = &agents {
            for r in rows.iter_mut().filter(|r| r.kind == "node") {
                r.agent = Some(agents.get(r.name).cloned().unwrap_or(AgentReport { last_report_ns: None, stale: true, url: None }));
            }
        }
        query::sort_rows(&mut rows, sort, order == "desc");
        let total = rows.len();
        let page = &rows[offset.min(total)..(offset.saturating_add(limit)).min(total)];
        Ok(body(&EntitiesReply {
            hierarchy: hierarchy.name(),
            levels: hierarchy.levels().iter().map(|l| l.name()).collect(),
            level: level.name(),
            parent: parent.map(|e| entity_ref(ix, e)),
            filter: filter.as_ref().map(Filter::expr),
            range: range_json(range),
            sort,
            order,
            total,
            offset,
            limit,
            rows: page,
        }))
    })
}

/// One page of entity rows.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct EntitiesReply<'a> {
    hierarchy: String,
    levels: Vec<&'static str>,
    level: &'static str,
    parent: Option<reply::EntityRef>,
    filter: Option<&'a str>,
    range: reply::Range,
    sort: &'a str,
    order: &'a str,
    total: usize,
    offset: usize,
    limit: usize,
    rows: &'a [query::EntityRow<'a>],
}

/// Rows of a drill-down, for an entity or for everything.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct RowsReply<'a, T: Serialize> {
    entity: Option<reply::EntityRef>,
    range: reply::Range,
    total: usize,
    rows: &'a [T],
    /// In the hub: how each agent asked answered (the rows are theirs).
    #[serde(skip_serializing_if = "Option::is_none")]
    agents: Option<Vec<AgentAnswer>>,
}

/// The time series of an entity, or of everything.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct SeriesReply {
    entity: Option<reply::EntityRef>,
    range: reply::Range,
    series: query::SeriesColumns,
}

/// The range a request asks for, and in the hub each series' counters over it from the
/// store (taken before the caller locks history: answering registers series).
pub(crate) fn range_totals(st: &AppState, p: &Params) -> Result<(TimeRange, Option<query::RangeTotals>), ApiError> {
    let range = time_range(p, st.data_range(&st.history()), now_ns())?;
    let totals = st.cluster.as_ref().map(|c| c.totals(&st.shared, range).map_err(|e| ApiError::store(&e))).transpose()?;
    Ok((range, totals))
}

/// Whether a range ends at the newest data (or later): objects created since the last
/// sample, which nothing has counted yet, still belong to it.
fn reaches_newest(h: &History, range: TimeRange) -> bool {
    h.data_range().is_none_or(|(_, end)| range.to >= end)
}

fn entity_ref(ix: &EntityIndex, e: u32) -> reply::EntityRef {
    reply::EntityRef::of(ix, e)
}

/// A filter expression that selects the entity's series, for pivoting to a hierarchy the
/// entity is not part of.
fn filter_for(ix: &EntityIndex, h: &History, e: u32) -> Option<String> {
    let ent = ix.entity(e);
    let q = |v: &str| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""));
    let ns = ent.namespace.as_deref().map(|n| format!(" and k8s.ns.name={}", q(n))).unwrap_or_default();
    Some(match (ent.level, ent.kind.as_str()) {
        (Level::Node, _) => format!("k8s.node.name={}", q(&ent.name)),
        (Level::Namespace, _) => format!("k8s.ns.name={}", q(&ent.name)),
        (Level::Workload, "deployment") => format!("k8s.deployment.name={}{ns}", q(&ent.name)),
        (Level::Workload, "replicaset") => format!("k8s.rs.name={}{ns}", q(&ent.name)),
        (Level::Workload, "replicationcontroller") => format!("k8s.rc.name={}{ns}", q(&ent.name)),
        (Level::Workload, "pod") => format!("k8s.pod.name={}{ns}", q(&ent.name)),
        (Level::Workload, _) => {
            // No field names daemonsets, statefulsets or jobs: list their pods.
            let mut pods: Vec<&str> = (0..ix.series_count() as SeriesId)
                .filter(|s| ix.contains(e, *s, None))
                .filter_map(|s| h.catalog.pod_of_series(s).map(|p| p.name.as_str()))
                .collect();
            pods.sort_unstable();
            pods.dedup();
            format!("k8s.pod.name in ({}){ns}", pods.iter().map(|p| q(p)).collect::<Vec<_>>().join(", "))
        }
        (Level::Service, _) => format!("k8s.svc.name={}{ns}", q(&ent.name)),
        (Level::Label, _) => {
            let (k, v) = ent.name.split_once('=')?;
            if v == "(none)" {
                format!("not k8s.pod.label.{k} exists")
            } else {
                format!("k8s.pod.label.{k}={}", q(v))
            }
        }
        (Level::Pod, "pod") => format!("k8s.pod.id={}", q(ent.id.strip_prefix("pod:")?)),
        (Level::Container, "container") => format!("container.id={}", q(ent.id.strip_prefix("ctr:")?)),
        (Level::Process, _) => {
            let (c, pid) = ent.id.strip_prefix("proc:")?.rsplit_once(':')?;
            format!("container.id={} and proc.pid={pid}", q(c))
        }
        _ => return None,
    })
}

fn entity_json(st: &AppState, q: Option<&str>) -> Reply {
    let p = Params::parse(q, &["id", "from", "to"])?;
    let id = p.get("id").ok_or_else(|| ApiError::bad_param("id", "'id' is required: an entity id such as pod:UID or ns:NAME"))?.to_string();
    let (range, totals) = range_totals(st, &p)?;
    let h = st.history();
    let totals = totals.unwrap_or_else(|| query::RangeTotals::of_history(&h, range, None));
    st.with_index(&h, |ix| {
        // Label entities exist once their label's groups are computed.
        if let Some(key) = id.strip_prefix("label:").and_then(|r| r.split_once('=')).map(|(k, _)| k.to_string()) {
            ix.label_groups(&h.catalog, &key);
        }
        let e = lookup(ix, &id)?;
        let ent = ix.entity(e).clone();
        let label_key = if ent.level == Level::Label { ent.name.split_once('=').map(|(k, _)| k.to_string()) } else { None };
        let labels = label_key.as_ref().map(|k| ix.label_groups(&h.catalog, k));
        let selected = query::select_series(&h, ix, labels.as_ref(), range, Some(e), None);
        let rows = query::entity_rows(&h, ix, &query::Grouping { open_end: true, ..query::Grouping::new(&Hierarchy::Physical, ent.level, labels.as_ref()) }, range, &selected, &totals);
        let totals = rows.into_iter().find(|r| r.id == ent.id);
        // Paths: from any series inside the entity (alive in the range if possible).
        let member = (0..ix.series_count() as SeriesId).filter(|s| ix.contains(e, *s, labels.as_ref())).max_by_key(|s| selected[*s as usize]);
        let mut paths: std::collections::BTreeMap<String, Option<Vec<reply::EntityRef>>> = Default::default();
        let mut hierarchies = vec![Hierarchy::Physical, Hierarchy::Logical, Hierarchy::Services];
        if let Some(k) = &label_key {
            hierarchies.push(Hierarchy::Label(k.clone()));
        }
        for hy in hierarchies {
            let path = match member {
                Some(s) if hy.levels().contains(&ent.level) => ix.path(&hy, s, ent.level, labels.as_ref()).map(|mut v| {
                    // A pod in two services: the path goes through the one asked about.
                    if let Some(last) = v.last_mut() {
                        *last = e;
                    }
                    v
                }),
                None if ix.is_catalog_only(e) && hy.levels().contains(&ent.level) => catalog_path(ix, &hy, e),
                None if hy == Hierarchy::Logical && ent.level == Level::Namespace => Some(vec![e]),
                None if hy == Hierarchy::Services && ent.level == Level::Namespace => Some(vec![e]),
                None if hy == Hierarchy::Services && ent.level == Level::Service => {
                    ent.namespace.as_deref().and_then(|n| ix.get(&format!("ns:{n}"))).map(|ns| vec![ns, e])
                }
                _ => None,
            };
            paths.insert(hy.name(), path.map(|v| v.iter().map(|x| entity_ref(ix, *x)).collect::<Vec<_>>()));
        }
        Ok(body(&json!({
            "id": ent.id,
            "kind": ent.kind,
            "name": ent.name,
            "namespace": ent.namespace,
            "level": ent.level.name(),
            "attributes": attributes(&h, ix, e, member),
            "paths": paths,
            "filter": filter_for(ix, &h, e),
            "range": range_json(range),
            "totals": totals,
            "k8s": ix.state(e),
            "controllers": ix.controllers_of.get(&e).map(|list| list.iter().map(|c| {
                let mut v = serde_json::to_value(entity_ref(ix, *c)).expect("a reference is JSON");
                v["k8s"] = serde_json::to_value(ix.state(*c)).unwrap_or(Value::Null);
                v
            }).collect::<Vec<_>>()),
            "changes": object_uid(&h, ix, e).map(|uid| h.catalog.changes.of_object(&uid).map(change_json).collect::<Vec<_>>()),
            "events": object_uid(&h, ix, e).map(|uid| h.catalog.events.about(&uid, "", None, "").into_iter().map(event_json).collect::<Vec<_>>()),
        })))
    })
}

/// An entity's path in a hierarchy from what contains it, for entities without series.
fn catalog_path(ix: &EntityIndex, hy: &Hierarchy, e: u32) -> Option<Vec<u32>> {
    let level = ix.entity(e).level;
    let levels = hy.levels();
    let end = levels.iter().position(|l| *l == level)?;
    let up = ix.ancestors(e);
    let mut path = Vec::new();
    for l in &levels[..end] {
        path.push(up.iter().copied().find(|a| ix.entity(*a).level == *l)?);
    }
    path.push(e);
    Some(path)
}

/// The Kubernetes uid of an entity that is a Kubernetes object.
fn object_uid(h: &History, ix: &EntityIndex, e: u32) -> Option<String> {
    let ent = ix.entity(e);
    let c = &h.catalog;
    let ns = ent.namespace.as_deref();
    match ent.level {
        Level::Pod => ent.id.strip_prefix("pod:").map(str::to_string),
        Level::Workload => c.workloads.values().find(|w| Some(w.namespace.as_str()) == ns && w.name == ent.name && w.kind.to_lowercase() == ent.kind).map(|w| w.uid.clone()),
        Level::Service => c.services.values().find(|s| Some(s.namespace.as_str()) == ns && s.name == ent.name).map(|s| s.uid.clone()),
        Level::Node => c.nodes.get(&ent.name).map(|n| n.uid.clone()),
        Level::Namespace => c.namespaces.get(&ent.name).map(|n| n.uid.clone()),
        _ => None,
    }
}

fn change_json(c: &kinsight_history::ObjectChange) -> reply::Change {
    c.into()
}

fn event_json(e: &kinsight_history::EventRecord) -> reply::Event {
    e.into()
}

/// Kubernetes Events that occurred during the range, oldest first, optionally only in one
/// namespace, about one kind or one object name.
fn events_json(st: &AppState, q: Option<&str>) -> Reply {
    let p = Params::parse(q, &["from", "to", "namespace", "kind", "name", "limit"])?;
    let limit = p.usize_in("limit", 1000, 1, 100_000)?;
    let h = st.history();
    let range = time_range(&p, st.data_range(&h), now_ns())?;
    let to = if reaches_newest(&h, range) { u64::MAX } else { range.to };
    let ns = p.get("namespace").filter(|n| !n.is_empty());
    let kind = p.get("kind").filter(|k| !k.is_empty());
    let name = p.get("name").filter(|k| !k.is_empty());
    let matching: Vec<&kinsight_history::EventRecord> = h
        .catalog
        .events
        .between(range.from, to)
        .into_iter()
        .filter(|e| ns.is_none_or(|n| e.object.namespace.as_deref() == Some(n)))
        .filter(|e| kind.is_none_or(|k| e.object.kind.eq_ignore_ascii_case(k)))
        .filter(|e| name.is_none_or(|n| e.object.name == n))
        .collect();
    let total = matching.len();
    let rows: Vec<reply::Event> = matching[total.saturating_sub(limit)..].iter().map(|e| event_json(e)).collect();
    Ok(body(&json!({ "range": range_json(range), "total": total, "dropped": h.catalog.events.dropped, "rows": rows })))
}

/// What changed in the cluster during the range: objects created, changed and deleted,
/// oldest first, optionally only in one namespace or of one kind.
fn changes_json(st: &AppState, q: Option<&str>) -> Reply {
    let p = Params::parse(q, &["from", "to", "namespace", "kind", "limit"])?;
    let limit = p.usize_in("limit", 1000, 1, 100_000)?;
    let h = st.history();
    let range = time_range(&p, st.data_range(&h), now_ns())?;
    let to = if reaches_newest(&h, range) { u64::MAX } else { range.to };
    let ns = p.get("namespace").filter(|n| !n.is_empty());
    let kind = p.get("kind").filter(|k| !k.is_empty());
    let matching: Vec<&kinsight_history::ObjectChange> = h
        .catalog
        .changes
        .between(range.from, to)
        .filter(|c| ns.is_none_or(|n| c.namespace.as_deref() == Some(n)))
        .filter(|c| kind.is_none_or(|k| c.kind.eq_ignore_ascii_case(k)))
        .collect();
    let total = matching.len();
    // The newest `limit` when there are more: what changed last matters most.
    let rows: Vec<reply::Change> = matching[total.saturating_sub(limit)..].iter().map(|c| change_json(c)).collect();
    Ok(body(&json!({ "range": range_json(range), "total": total, "dropped": h.catalog.changes.dropped, "rows": rows })))
}

/// What the catalog says about an entity.
fn attributes(h: &History, ix: &EntityIndex, e: u32, member: Option<SeriesId>) -> Value {
    let ent = ix.entity(e);
    let c = &h.catalog;
    let rest = ent.id.split_once(':').map_or("", |(_, r)| r);
    match (ent.level, ent.id.split_once(':').map(|(p, _)| p)) {
        (Level::Pod, Some("pod")) => c.pods.get(rest).map_or(Value::Null, |p| {
            json!({ "uid": p.uid, "ip": p.ip.map(|i| i.to_string()), "node": p.node, "host_network": p.host_network, "labels": p.labels,
                    "owners": p.owners.iter().map(|o| json!({"kind": o.kind, "name": o.name})).collect::<Vec<_>>(),
                    "services": p.services.iter().filter_map(|u| c.services.get(u)).map(|s| s.name.clone()).collect::<Vec<_>>() })
        }),
        (Level::Container, Some("ctr")) => c.containers.get(rest).map_or(Value::Null, |m| {
            json!({ "id": m.id, "runtime_name": m.name, "image": m.image, "runtime": m.runtime, "name_in_pod": m.pod_container_name, "labels": m.labels })
        }),
        (Level::Process, _) => member.and_then(|s| c.series(s)).map_or(Value::Null, |m| json!({ "pid": m.key.pid, "cmdline": m.cmdline, "container": m.key.container })),
        (Level::Service, _) => c
            .services
            .values()
            .find(|s| Some(s.namespace.as_str()) == ent.namespace.as_deref() && s.name == ent.name)
            .map_or(Value::Null, |s| json!({ "uid": s.uid, "cluster_ip": s.cluster_ip.map(|i| i.to_string()), "ports": s.ports, "labels": s.labels })),
        (Level::Node, _) => c.nodes.get(&ent.name).map_or(json!({ "capturing_node": c.local_node == ent.name }), |n| {
            json!({ "uid": n.uid, "ips": n.ips.iter().map(|i| i.to_string()).collect::<Vec<_>>(), "labels": n.labels, "capturing_node": c.local_node == ent.name })
        }),
        (Level::Namespace, _) => c.namespaces.get(&ent.name).map_or(Value::Null, |n| json!({ "uid": n.uid, "labels": n.labels })),
        _ => Value::Null,
    }
}

/// The series of an optional `entity` parameter and a filter, in a range.
fn scoped(p: &Params, h: &History, ix: &mut EntityIndex, range: TimeRange, filter: Option<&[bool]>) -> Result<(Vec<bool>, Option<u32>), ApiError> {
    let within = match p.get("entity") {
        None => None,
        Some(id) => {
            if let Some(key) = id.strip_prefix("label:").and_then(|r| r.split_once('=')).map(|(k, _)| k) {
                let groups = ix.label_groups(&h.catalog, key);
                let e = lookup(ix, id)?;
                return Ok((query::select_series(h, ix, Some(&groups), range, Some(e), filter), Some(e)));
            }
            Some(lookup(ix, id)?)
        }
    };
    Ok((query::select_series(h, ix, None, range, within, filter), within))
}

fn series_json(st: &AppState, q: Option<&str>) -> Reply {
    let p = Params::parse(q, &["entity", "filter", "from", "to", "points", "protocol"])?;
    let filter = parse_filter(p.get("filter"), Scope::Entities)?;
    let protocol = parse_protocol(&p)?;
    let points = p.usize_in("points", 300, 2, 5000)?;
    // In the hub the store's series must be known before selecting among them.
    let (range, _) = range_totals(st, &p)?;
    let (selected, entity) = {
        let h = st.history();
        st.with_index(&h, |ix| {
            let mask = filter.as_ref().map(|f| st.filter_mask(&h, f));
            let (selected, within) = scoped(&p, &h, ix, range, mask.as_deref().map(Vec::as_slice))?;
            Ok::<_, ApiError>((selected, within.map(|e| entity_ref(ix, e))))
        })?
    };
    let cols = match &st.cluster {
        Some(c) => c.series(&st.shared, range, &selected, points).map_err(|e| ApiError::store(&e))?,
        None => query::series_columns(&st.history(), range, &selected, points, protocol),
    };
    Ok(body(&SeriesReply { entity, range: range_json(range), series: cols }))
}

fn topology_json(st: &AppState, q: Option<&str>) -> Reply {
    let p = Params::parse(q, &["hierarchy", "level", "parent", "filter", "from", "to", "max_edges"])?;
    let hierarchy = parse_hierarchy(&p)?;
    let filter = parse_filter(p.get("filter"), Scope::Entities)?;
    let max_edges = p.usize_in("max_edges", 500, 1, 20_000)?;
    let range = time_range(&p, st.data_range(&st.history()), now_ns())?;
    // The hub's connections are the store's (and answering registers their series).
    let views = st.cluster.as_ref().map(|c| c.conn_views(&st.shared, range).map_err(|e| ApiError::store(&e))).transpose()?;
    let h = st.history();
    st.with_index(&h, |ix| {
        let labels = label_groups(ix, &h, &hierarchy);
        let parent = p.get("parent").map(|id| lookup(ix, id)).transpose()?;
        let level = resolve_level(&p, &hierarchy, ix, parent)?;
        let mask = filter.as_ref().map(|f| st.filter_mask(&h, f));
        let selected = query::select_series(&h, ix, labels.as_ref(), range, parent, mask.as_deref().map(Vec::as_slice));
        let resolver = Resolver::new(&h, ix, labels.as_ref(), level);
        let topo = match &views {
            Some(v) => query::topology_of(&resolver, v, &selected, max_edges),
            None => query::topology(&resolver, range, &selected, max_edges),
        };
        Ok(body(&json!({
            "hierarchy": hierarchy.name(),
            "levels": hierarchy.levels().iter().map(|l| l.name()).collect::<Vec<_>>(),
            "level": level.name(),
            "parent": parent.map(|e| entity_ref(ix, e)),
            "range": range_json(range),
            "nodes": topo.nodes,
            "edges": topo.edges,
        })))
    })
}

const DRILL_PARAMS: &[&str] = &["entity", "filter", "from", "to", "limit"];

/// A drill-down list (connections, files, HTTP transactions) of the entity and time range
/// asked for. `rows` gives the rows, at most `limit` of them, and how many there are in all.
fn drill<T: Serialize>(
    st: &AppState,
    q: Option<&str>,
    path: &str,
    scope: Scope,
    rows: impl FnOnce(&History, &EntityIndex, TimeRange, &[bool], Option<&Filter>, usize) -> (Vec<T>, usize),
) -> Reply {
    drill_with(st, q, path, scope, DRILL_PARAMS, rows)
}

/// [`drill`] of a drill-down that takes parameters of its own besides [`DRILL_PARAMS`]
/// (`allowed` lists them all; `rows` has parsed its own).
fn drill_with<T: Serialize>(
    st: &AppState,
    q: Option<&str>,
    path: &str,
    scope: Scope,
    allowed: &[&str],
    rows: impl FnOnce(&History, &EntityIndex, TimeRange, &[bool], Option<&Filter>, usize) -> (Vec<T>, usize),
) -> Reply {
    let p = Params::parse(q, allowed)?;
    let filter = parse_filter(p.get("filter"), scope)?;
    let limit = p.usize_in("limit", 1000, 1, 100_000)?;
    if let (Some(_), Some(fanout)) = (&st.cluster, &st.fanout) {
        return drill_agents(st, fanout, &p, q, path, limit);
    }
    let h = st.history();
    let range = time_range(&p, st.data_range(&h), now_ns())?;
    st.with_index(&h, |ix| {
        let (selected, within) = scoped(&p, &h, ix, range, None)?;
        let (rows, total) = rows(&h, ix, range, &selected, filter.as_ref(), limit);
        Ok(body(&RowsReply { entity: within.map(|e| entity_ref(ix, e)), range: range_json(range), total, rows: &rows[..rows.len().min(limit)], agents: None }))
    })
}

/// A drill-down in the hub: asked of the agents of the nodes the entity is on (all of them
/// without an entity, or when the hub cannot tell), their rows merged, each agent's answer
/// said. The range is resolved here so that every agent answers the same one.
fn drill_agents(st: &AppState, fanout: &Fanout, p: &Params, q: Option<&str>, path: &str, limit: usize) -> Reply {
    let range = time_range(p, st.data_range(&st.history()), now_ns())?;
    let agents = st.agents().unwrap_or_default();
    let (entity, nodes) = {
        let h = st.history();
        st.with_index(&h, |ix| -> Result<_, ApiError> {
            let Some(id) = p.get("entity") else { return Ok((None, None)) };
            let e = lookup(ix, id)?;
            let (selected, _) = scoped(p, &h, ix, range, None)?;
            let nodes: BTreeSet<String> = selected.iter().enumerate().filter(|(_, s)| **s).map(|(i, _)| h.catalog.node_of_series(i as SeriesId).to_string()).collect();
            Ok((Some(entity_ref(ix, e)), (!nodes.is_empty()).then_some(nodes)))
        })?
    };
    let targets: Vec<(String, Option<String>)> = match nodes {
        Some(nodes) => nodes.into_iter().map(|n| (n.clone(), agents.get(&n).and_then(|a| a.url.clone()))).collect(),
        None => agents.iter().map(|(n, a)| (n.clone(), a.url.clone())).collect(),
    };
    // Every agent answers the hub's range, whatever relative times the page used.
    let mut forwarded: Vec<String> = q.unwrap_or("").split('&').filter(|kv| !kv.is_empty() && !kv.starts_with("from=") && !kv.starts_with("to=")).map(str::to_string).collect();
    forwarded.push(format!("from={}", range.from));
    forwarded.push(format!("to={}", range.to));
    let answers = fanout.call(&targets, path, Some(&forwarded.join("&")));
    let mut rows: Vec<Value> = Vec::new();
    let mut total = 0usize;
    let mut said = Vec::with_capacity(answers.len());
    for (mut answer, v) in answers {
        if let Some(v) = v {
            let got = v["rows"].as_array().cloned().unwrap_or_default();
            answer.rows = got.len();
            total += v["total"].as_u64().unwrap_or(got.len() as u64) as usize;
            rows.extend(got);
        }
        said.push(answer);
    }
    rows.truncate(limit);
    Ok(body(&RowsReply { entity, range: range_json(range), total, rows: &rows, agents: Some(said) }))
}

/// All the rows, and their count, of a query that does not stop at a limit itself.
fn counted<T>(rows: Vec<T>) -> (Vec<T>, usize) {
    let total = rows.len();
    (rows, total)
}

fn connections_json(st: &AppState, q: Option<&str>) -> Reply {
    drill(st, q, "/api/connections", Scope::Connections, |h, ix, range, selected, filter, _| {
        counted(query::connection_rows(&Resolver::new(h, ix, None, Level::Pod), range, selected, filter))
    })
}

fn files_json(st: &AppState, q: Option<&str>) -> Reply {
    drill(st, q, "/api/files", Scope::Files, |h, ix, range, selected, filter, _| counted(query::file_rows(h, ix, range, selected, filter)))
}

fn http_json(st: &AppState, q: Option<&str>) -> Reply {
    drill(st, q, "/api/http", Scope::Http, |h, ix, range, selected, filter, limit| query::http_rows(&Resolver::new(h, ix, None, Level::Pod), range, selected, filter, limit))
}

const REQUEST_PARAMS: &[&str] = &["entity", "filter", "from", "to", "limit", "protocol"];

fn requests_json(st: &AppState, q: Option<&str>) -> Reply {
    let protocol = parse_protocol(&Params::parse(q, REQUEST_PARAMS)?)?;
    drill_with(st, q, "/api/requests", Scope::Http, REQUEST_PARAMS, |h, ix, range, selected, filter, limit| {
        query::request_rows(&Resolver::new(h, ix, None, Level::Pod), range, selected, filter, protocol, limit)
    })
}

fn fields_json(_st: &AppState, q: Option<&str>) -> Reply {
    Params::parse(q, &[])?;
    Ok(body(&json!({
        "entities": supported_fields(Scope::Entities),
        "connections": supported_fields(Scope::Connections),
        "files": supported_fields(Scope::Files),
        "http": supported_fields(Scope::Http),
        "requests": supported_fields(Scope::Http),
    })))
}
