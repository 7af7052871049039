//! The OpenAPI 3.0 description of the API, served at `/api/openapi.json`. The schemas of
//! what the handlers answer are generated from the types they answer with (`reply`,
//! `query`, the reply structs of `api`), so they cannot drift from them; the paths and
//! their parameters are written here. Tests check that every route is described and
//! answers, and schemathesis checks the answers against this document.

use crate::api::{EntitiesReply, RowsReply, SeriesReply};
use crate::query::{ConnRow, FileRow, HttpRow, RequestRow, Topology};
use crate::reply;
use schemars::gen::{SchemaGenerator, SchemaSettings};
use schemars::JsonSchema;
use serde_json::{json, Value};

/// The generated schemas, and a reference to each type the paths answer with.
struct Schemas {
    gen: SchemaGenerator,
}

impl Schemas {
    fn new() -> Schemas {
        Schemas { gen: SchemaSettings::openapi3().into_generator() }
    }

    /// `{"$ref": "#/components/schemas/T"}`, T's schema kept for the components.
    fn of<T: JsonSchema>(&mut self) -> Value {
        serde_json::to_value(self.gen.subschema_for::<T>()).expect("a schema is JSON")
    }

    fn components(mut self) -> Value {
        serde_json::to_value(self.gen.take_definitions()).expect("schemas are JSON")
    }
}

fn param(name: &str, description: &str, required: bool, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": required, "description": description, "schema": schema })
}

fn str_param(name: &str, description: &str) -> Value {
    param(name, description, false, json!({ "type": "string" }))
}

/// What `from` and `to` accept (`params::time_range`). That `from` must come before `to`
/// is a rule between two parameters, which OpenAPI 3.0 cannot state: such a request is
/// answered 400 `bad_time_range`.
/// An empty value is no value (`params::Params::get`).
const TIME_PATTERN: &str = "^(|end|-[0-9]{1,12}(ms|s|m|h|d)|[0-9]{1,19})$";

fn int_param(name: &str, description: &str, default: u64, min: u64, max: u64) -> Value {
    param(name, description, false, json!({ "type": "integer", "default": default, "minimum": min, "maximum": max }))
}

fn common_range() -> Vec<Value> {
    vec![
        param("from", "Start of the time range: nanoseconds since the epoch, or a duration before the end of the data (-30s, -5m, -1h, -7d). Default: the oldest data kept. Must come before `to`.", false, json!({ "type": "string", "pattern": TIME_PATTERN })),
        param("to", "End of the time range (exclusive): nanoseconds since the epoch, a relative time, or `end`. Default: the end of the data.", false, json!({ "type": "string", "pattern": TIME_PATTERN })),
    ]
}

fn filter_param(scope: &str) -> Value {
    str_param("filter", &format!("A sysdig filter expression over {scope} (see /api/fields), e.g. `k8s.ns.name=critical-app`."))
}

fn ok(description: &str, schema: Value) -> Value {
    json!({
        "200": { "description": description, "content": { "application/json": { "schema": schema } } },
        "400": { "description": "A bad parameter, filter or time range.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
        "401": { "description": "A token is required and was not given or is wrong.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
        "404": { "description": "An unknown entity.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
    })
}

fn get(summary: &str, params: Vec<Value>, responses: Value) -> Value {
    json!({ "get": { "summary": summary, "parameters": params, "responses": responses } })
}

fn hierarchy_params() -> Vec<Value> {
    vec![
        param("hierarchy", "`physical` (node › pod › container › process, the default), `logical` (namespace › workload › pod › container › process), `services` (namespace › service › pod › container › process) or `label:KEY` (pod label value › pod › container › process).", false, json!({ "type": "string", "pattern": "^(|physical|logical|services|label:.+)$" })),
        param("level", "The level to list, one of the hierarchy's levels (a level of another hierarchy is answered 400). Default: the level below `parent`, else the hierarchy's first.", false, json!({ "type": "string", "enum": ["", "node", "namespace", "workload", "service", "label", "pod", "container", "process"] })),
        str_param("parent", "An entity id: only what is inside it is listed."),
    ]
}

/// `protocol` (`api::parse_protocol`).
fn protocol_param() -> Value {
    param("protocol", "Only this protocol's requests in the request columns and rows (`requests`, `request_*`, `sent_*`). Default: every protocol.", false, json!({ "type": "string", "enum": crate::api::protocol_names() }))
}

fn obj(props: Value) -> Value {
    json!({ "type": "object", "properties": props })
}

pub fn document() -> Value {
    let mut entities = hierarchy_params();
    entities.push(filter_param("processes, containers and Kubernetes objects"));
    entities.extend(common_range());
    entities.push(param("sort", "Column to sort by.", false, json!({ "type": "string", "enum": std::iter::once("").chain(crate::query::SORT_KEYS.iter().copied()).collect::<Vec<_>>(), "default": "net_bytes" })));
    entities.push(param("order", "Sort order; default desc for numbers, asc for name and kind.", false, json!({ "type": "string", "enum": ["", "asc", "desc"] })));
    entities.push(int_param("limit", "Rows per page.", 10000, 1, 100_000));
    entities.push(int_param("offset", "Rows to skip.", 0, 0, (usize::MAX / 2) as u64));
    entities.push(param("group", "At the process level, `command`: one row per command name (`cmdgroup:NAME`) with `count` processes and their summed counters. Other levels are not grouped.", false, json!({ "type": "string", "enum": ["", "command"] })));
    entities.push(protocol_param());
    entities.push(param("alive", "At the process level, `true`: only processes still running at the end of the range. Other levels are not affected.", false, json!({ "type": "string", "enum": ["", "false", "true"], "default": "false" })));

    let mut topology = hierarchy_params();
    topology.push(filter_param("processes, containers and Kubernetes objects"));
    topology.extend(common_range());
    topology.push(int_param("max_edges", "Keep the heaviest edges only.", 500, 1, 20_000));

    let drill = |scope: &str| {
        let mut v = vec![str_param("entity", "An entity id: only its processes. Default: everything."), filter_param(scope)];
        v.extend(common_range());
        v.push(int_param("limit", "Rows to return.", 1000, 1, 100_000));
        v
    };
    let mut series = vec![param("entity", "An entity id.", false, json!({ "type": "string" })), filter_param("processes, containers and Kubernetes objects")];
    series.extend(common_range());
    series.push(int_param("points", "At most this many points; the finest tier that fits is used.", 300, 2, 5000));
    series.push(protocol_param());
    let mut requests = drill("processes and connections");
    requests.push(protocol_param());
    let mut entity = vec![param("id", "The entity id.", true, json!({ "type": "string", "minLength": 1 }))];
    entity.extend(common_range());
    let mut changes = common_range();
    changes.push(str_param("namespace", "Only objects of this namespace."));
    changes.push(str_param("kind", "Only objects of this kind (`Pod`, `Deployment`, ..., any case)."));
    changes.push(int_param("limit", "At most this many changes, the newest.", 1000, 1, 100_000));
    let mut overview = common_range();
    overview.push(int_param("top", "Entities in each top list.", 5, 1, 50));
    let mut events = common_range();
    events.push(str_param("namespace", "Only events about objects of this namespace."));
    events.push(str_param("kind", "Only events about objects of this kind (`Pod`, `Deployment`, `Node`, ..., any case)."));
    events.push(str_param("name", "Only events about objects of this name."));
    events.push(int_param("limit", "At most this many events, the newest.", 1000, 1, 100_000));

    let int = json!({ "type": "integer" });
    let s = json!({ "type": "string" });
    let ns = json!({ "type": "string", "nullable": true });
    let mut types = Schemas::new();
    let entities_reply = types.of::<EntitiesReply>();
    let series_reply = types.of::<SeriesReply>();
    let topology_reply = types.of::<Topology>();
    let connections_reply = types.of::<RowsReply<ConnRow>>();
    let files_reply = types.of::<RowsReply<FileRow>>();
    let http_reply = types.of::<RowsReply<HttpRow>>();
    let requests_reply = types.of::<RowsReply<RequestRow>>();
    let overview_reply = types.of::<crate::overview::OverviewReply>();
    let range = types.of::<reply::Range>();
    let entity_ref = types.of::<reply::EntityRef>();
    let entity_row = types.of::<crate::query::EntityRow>();
    let k8s_state = types.of::<crate::entities::K8sState>();
    let change = types.of::<reply::Change>();
    let event = types.of::<reply::Event>();
    let nullable = |r: &Value| json!({ "allOf": [r], "nullable": true });
    let listing = |item: &Value| obj(json!({ "range": range, "total": int, "dropped": int, "rows": { "type": "array", "items": item } }));
    let changes_reply = listing(&change);
    let events_reply = listing(&event);
    let mut schemas = types.components();
    // Errors carry what their code needs beyond these (`allowed`, `from`, `to`, ...).
    schemas["Error"] = obj(json!({ "error": obj(json!({ "code": s, "message": s, "param": s, "position": int, "column": int })) }));
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "kinsight",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "What runs in a Kubernetes cluster, from system calls: history of CPU, memory, file and network bytes and HTTP per process, grouped by the physical or logical hierarchy or by a label. Entity ids: node:NAME, ns:NAME, wl:NS/KIND/NAME, svc:NS/NAME, nosvc:NS (the pods of a namespace no service selects), label:KEY=VALUE, pod:UID, nopod:NODE, unscheduled: (pods without a node), ctr:ID, pctr:POD_UID/NAME (a container not created yet), host:NODE, proc:CONTAINER:PID. Every Kubernetes object is listed, with or without activity, with its state in `k8s`. When the server was started with a token, every /api and /metrics request needs `Authorization: Bearer TOKEN`.",
        },
        "components": {
            "securitySchemes": { "token": { "type": "http", "scheme": "bearer" } },
            "schemas": schemas,
        },
        "security": [ {}, { "token": [] } ],
        "paths": {
            "/api/status": get("Where the data comes from, what history holds, whether a token is required.", vec![], ok("Status.", obj(json!({ "mode": obj(json!({})), "sources": { "type": "array" }, "data": nullable(&range), "history": obj(json!({})) })))),
            "/api/hierarchies": get("The hierarchies, their levels, and the pod label keys usable as `label:KEY`.", vec![], ok("Hierarchies.", obj(json!({ "hierarchies": { "type": "array" }, "label_keys": { "type": "array", "items": s } })))),
            "/api/entities": get("Entities at one level of a hierarchy with their totals over the time range: CPU, memory, file and network bytes, HTTP rate, errors and latency, and requests of every protocol (or of `protocol`) served and sent: rate, errors, latency.", entities, ok("One page of rows.", entities_reply)),
            "/api/entity": get("One entity: attributes, its path in every hierarchy it is part of (for pivoting), a filter that selects it, and its totals.", entity, ok("The entity.", obj(json!({ "id": s, "kind": s, "name": s, "namespace": ns, "attributes": { "type": "object", "nullable": true }, "paths": { "type": "object", "additionalProperties": { "type": "array", "nullable": true, "items": entity_ref } }, "filter": ns, "totals": nullable(&entity_row), "k8s": nullable(&k8s_state), "controllers": { "type": "array", "nullable": true, "items": entity_ref }, "changes": { "type": "array", "nullable": true, "items": change }, "events": { "type": "array", "nullable": true, "items": event } })))),
            "/api/changes": get("What changed in the cluster during the range: objects created and deleted, and the changes of the fields users follow (phase, node, ready, restarts, image, replicas, labels), oldest first.", changes, ok("Changes.", changes_reply)),
            "/api/events": get("Kubernetes Events during the range (a rollout's scaling, FailedScheduling, BackOff, ...), with the object each one is about, oldest first; repeats of one event are counted in `count`.", events, ok("Events.", events_reply)),
            "/api/overview": get("The cluster (or this host) at a glance over the range: how many nodes, namespaces, workloads, services, pods, containers and processes; their totals; every node and namespace; the busiest workloads, pods and commands by CPU, memory, network bytes and HTTP errors; how many Kubernetes objects changed and how many Events (Warnings) there were.", overview, ok("The overview.", overview_reply)),
            "/api/series": get("Time series of an entity (or of everything), one point per history bucket.", series, ok("Columns of values, `t` in seconds since the epoch.", series_reply)),
            "/api/topology": get("Entities of a level as nodes and the connections between them as edges (bytes, and requests of every protocol with their errors and latency); pod and service addresses are mapped to their entities, other addresses kept as `ip:ADDRESS` nodes. Services are linked to the pods they select (`member` edges).", topology, ok("Nodes and edges.", topology_reply)),
            "/api/connections": get("Connections of the processes of an entity: which end each holds, the ends as entities, bytes and HTTP requests.", drill("processes and connections (fd.sip, fd.cip, fd.sport, fd.l4proto, fd.is_server, ...)"), ok("Rows, most bytes first.", connections_reply)),
            "/api/files": get("Files the processes of an entity read and wrote.", drill("processes and files (fd.name, fd.directory, fd.filename)"), ok("Rows, most bytes first.", files_reply)),
            "/api/http": get("HTTP transactions of the processes of an entity, newest first.", drill("processes and connections"), ok("Rows.", http_reply)),
            "/api/requests": get("Requests of every protocol (HTTP, DNS, PostgreSQL, MySQL, Redis, ...) of the processes of an entity, newest first, as the `requests` view of `kinsight read` lists them.", requests, ok("Rows.", requests_reply)),
            "/api/fields": get("Filter fields each view accepts.", vec![], ok("Field names by view.", obj(json!({ "entities": { "type": "array", "items": s } })))),
            "/api/openapi.json": get("This document.", vec![], json!({ "200": { "description": "OpenAPI 3.0 document." } })),
            "/metrics": get("Prometheus metrics (text format 0.0.4): cAdvisor-compatible container_cpu_usage_seconds_total and container_memory_rss with namespace, pod, container and node labels; kinsight_* for socket and file bytes, HTTP requests and latency histograms per pod and workload (kinsight_http_*), requests of every protocol with latency histograms by protocol, direction and failure (kinsight_requests_total, kinsight_request_duration_seconds and their kinsight_workload_* forms), and bytes per connection peer.", vec![], json!({ "200": { "description": "Metrics.", "content": { "text/plain": { "schema": { "type": "string" } } } }, "401": { "description": "A token is required." } })),
        },
    })
}
