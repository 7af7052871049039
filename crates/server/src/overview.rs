//! `/api/overview`: the cluster (or the host) at a glance over a time range, for the UI's
//! landing page. How many nodes, namespaces, workloads, pods, containers and processes
//! there are; what they did in all; the busiest workloads, pods and commands by CPU,
//! memory, network and HTTP errors; and how much changed in Kubernetes. Every number is
//! one the entity tables show (the same rows, grouped the same way), so the overview and
//! the tables cannot disagree. The charts and the sources' health come from
//! `/api/series` and `/api/status`.

use crate::api::range_totals;
use crate::entities::{EntityIndex, Hierarchy, Level};
use crate::error::ApiError;
use crate::params::Params;
use crate::query::{self, EntityRow, Grouping};
use crate::reply;
use crate::state::AppState;
use kinsight_history::{ChangeKind, History};
use schemars::JsonSchema;
use serde::Serialize;

/// The measures the top lists rank by.
const RANKED: &[&str] = &["cpu_pct", "memory_bytes", "net_bytes", "http_errors", "request_errors"];

#[derive(Serialize, JsonSchema)]
pub(crate) struct OverviewReply<'a> {
    range: reply::Range,
    /// Whether Kubernetes describes any of it (nodes, namespaces or pods from the API);
    /// without it the overview is of this host's processes and containers.
    kubernetes: bool,
    /// Everything in the range: the sum of the node rows (every process is on one node).
    totals: Totals,
    counts: Counts,
    /// Every node, as the physical hierarchy's top level lists it.
    nodes: Vec<EntityRow<'a>>,
    /// Every namespace, as the logical hierarchy's top level lists it.
    namespaces: Vec<EntityRow<'a>>,
    /// The busiest entities: for each of workloads (logical), pods and commands (processes
    /// grouped by command name), the first `top` by each measure, those with none left out.
    top: Vec<TopList<'a>>,
    changes: ChangeCounts,
    events: EventCounts,
}

/// What everything did over the range; each measure as the entity rows define it.
#[derive(Default, Serialize, JsonSchema)]
struct Totals {
    /// Processes that ran in the range.
    processes: u32,
    /// Average over the range, percent of one core.
    cpu_pct: f64,
    /// Resident memory of the processes running at the end of the range.
    memory_bytes: u64,
    /// Totals over the range.
    file_read_bytes: u64,
    file_write_bytes: u64,
    net_in_bytes: u64,
    net_out_bytes: u64,
    /// HTTP requests served, and those answered 5xx, over the range.
    http_requests: u64,
    http_errors: u64,
    /// Requests served per second, average over the range.
    http_rps: f64,
    /// Requests of every protocol served, those that failed, and their rate (average).
    requests: u64,
    request_errors: u64,
    request_rps: f64,
    /// Requests of every protocol sent, and those that failed.
    sent_requests: u64,
    sent_errors: u64,
}

/// How many of each there are in the range (Kubernetes objects whether busy or not).
#[derive(Default, Serialize, JsonSchema)]
struct Counts {
    nodes: usize,
    namespaces: usize,
    /// Deployments, StatefulSets, DaemonSets, Jobs, ... and bare pods, as the logical
    /// hierarchy lists them.
    workloads: usize,
    services: usize,
    pods: usize,
    containers: usize,
    /// Processes that ran in the range, and those still running at its end.
    processes: usize,
    processes_running: usize,
}

#[derive(Serialize, JsonSchema)]
struct TopList<'a> {
    /// `workload`, `pod` or `command`.
    level: &'static str,
    /// The hierarchy whose rows these are (drill-downs open there).
    hierarchy: &'static str,
    /// The measure they are ranked by: `cpu_pct`, `memory_bytes`, `net_bytes`,
    /// `http_errors` or `request_errors` (failed requests of every protocol, served).
    by: &'static str,
    rows: Vec<EntityRow<'a>>,
}

/// Kubernetes objects created, changed and deleted during the range (`/api/changes` lists them).
#[derive(Default, Serialize, JsonSchema)]
struct ChangeCounts {
    created: usize,
    changed: usize,
    deleted: usize,
}

/// Kubernetes Events during the range (`/api/events` lists them).
#[derive(Serialize, JsonSchema)]
struct EventCounts {
    total: usize,
    warnings: usize,
    /// The last Warnings, newest last.
    recent_warnings: Vec<reply::Event>,
}

fn value(r: &EntityRow, by: &str) -> f64 {
    match by {
        "cpu_pct" => r.cpu_pct,
        "memory_bytes" => r.memory_bytes as f64,
        "net_bytes" => r.net_bytes as f64,
        "request_errors" => r.request_errors as f64,
        _ => r.http_errors as f64,
    }
}

pub(crate) fn overview_json(st: &AppState, q: Option<&str>) -> Result<String, ApiError> {
    let p = Params::parse(q, &["from", "to", "top"])?;
    let top = p.usize_in("top", 5, 1, 50)?;
    let (range, totals) = range_totals(st, &p)?;
    let h = st.history();
    let totals = totals.unwrap_or_else(|| query::RangeTotals::of_history(&h, range, None));
    let open_end = h.data_range().is_none_or(|(_, end)| range.to >= end);
    let reply = st.with_index(&h, |ix| {
        let ix: &EntityIndex = ix;
        let selected = query::select_series(&h, ix, None, range, None, None);
        let rows = |hierarchy: &Hierarchy, level: Level, by_command: bool, alive_only: bool| {
            let g = Grouping { open_end, by_command, alive_only, ..Grouping::new(hierarchy, level, None) };
            query::entity_rows(&h, ix, &g, range, &selected, &totals)
        };
        let (physical, logical) = (Hierarchy::Physical, Hierarchy::Logical);
        let mut nodes = rows(&physical, Level::Node, false, false);
        let mut namespaces = rows(&logical, Level::Namespace, false, false);
        let workloads = rows(&logical, Level::Workload, false, false);
        let pods = rows(&physical, Level::Pod, false, false);
        let containers = rows(&physical, Level::Container, false, false);
        let processes = rows(&physical, Level::Process, false, false);
        let running = processes.iter().filter(|r| r.process.as_ref().is_some_and(|p| p.alive)).count();
        let commands = rows(&physical, Level::Process, true, false);
        let services = rows(&Hierarchy::Services, Level::Service, false, false);
        query::sort_rows(&mut nodes, "name", false);
        query::sort_rows(&mut namespaces, "name", false);

        let mut sum = Totals::default();
        for r in &nodes {
            sum.processes += r.processes;
            sum.cpu_pct += r.cpu_pct;
            sum.memory_bytes += r.memory_bytes;
            sum.file_read_bytes += r.file_read_bytes;
            sum.file_write_bytes += r.file_write_bytes;
            sum.net_in_bytes += r.net_in_bytes;
            sum.net_out_bytes += r.net_out_bytes;
            sum.http_requests += r.http_requests;
            sum.http_errors += r.http_errors;
            sum.http_rps += r.http_rps;
            sum.requests += r.requests;
            sum.request_errors += r.request_errors;
            sum.request_rps += r.request_rps;
            sum.sent_requests += r.sent_requests;
            sum.sent_errors += r.sent_errors;
        }
        // By kind: the hierarchies' own rows (a node's processes outside pods, a
        // namespace's pods no service selects) are not objects to count.
        let of_kind = |rows: &[EntityRow], kind: &str| rows.iter().filter(|r| r.kind == kind).count();
        let counts = Counts {
            nodes: of_kind(&nodes, "node"),
            namespaces: of_kind(&namespaces, "namespace"),
            workloads: workloads.iter().filter(|r| r.k8s.is_some()).count(),
            services: of_kind(&services, "service"),
            pods: of_kind(&pods, "pod"),
            containers: of_kind(&containers, "container"),
            processes: processes.len(),
            processes_running: running,
        };
        let kubernetes = counts.namespaces > 0 || counts.pods > 0 || nodes.iter().any(|r| r.k8s.is_some());

        let mut lists = Vec::new();
        for (level, hierarchy, candidates) in [("workload", "logical", &workloads), ("pod", "physical", &pods), ("command", "physical", &commands)] {
            // Pods only: not the processes of a node outside them.
            let candidates: Vec<&EntityRow> = candidates.iter().filter(|r| level != "pod" || r.kind == "pod").collect();
            for &by in RANKED {
                let mut ranked: Vec<EntityRow> = candidates.iter().filter(|r| value(r, by) > 0.0).map(|r| (*r).clone()).collect();
                ranked.sort_by(|a, b| value(b, by).total_cmp(&value(a, by)).then_with(|| a.name.cmp(b.name)).then_with(|| a.id.cmp(&b.id)));
                ranked.truncate(top);
                lists.push(TopList { level, hierarchy, by, rows: ranked });
            }
        }
        let body = serde_json::to_string(&OverviewReply {
            range: range.into(),
            kubernetes,
            totals: sum,
            counts,
            nodes,
            namespaces,
            top: lists,
            changes: change_counts(&h, range.from, if open_end { u64::MAX } else { range.to }),
            events: event_counts(&h, range.from, if open_end { u64::MAX } else { range.to }),
        })
        .expect("the overview serializes");
        Ok::<_, ApiError>(body)
    })?;
    Ok(reply)
}

fn change_counts(h: &History, from: u64, to: u64) -> ChangeCounts {
    let mut c = ChangeCounts::default();
    for ch in h.catalog.changes.between(from, to) {
        match ch.what {
            ChangeKind::Created => c.created += 1,
            ChangeKind::Changed { .. } => c.changed += 1,
            ChangeKind::Deleted => c.deleted += 1,
        }
    }
    c
}

fn event_counts(h: &History, from: u64, to: u64) -> EventCounts {
    let events = h.catalog.events.between(from, to);
    let warnings: Vec<_> = events.iter().filter(|e| e.event_type == "Warning").collect();
    let recent_warnings = warnings[warnings.len().saturating_sub(5)..].iter().map(|e| reply::Event::from(&***e)).collect();
    EventCounts { total: events.len(), warnings: warnings.len(), recent_warnings }
}
