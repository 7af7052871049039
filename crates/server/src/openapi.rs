//! The OpenAPI 3.0 description of the API, served at `/api/openapi.json`. Kept by hand
//! next to the handlers; a test checks that every route is described and every described
//! path answers.

use serde_json::{json, Value};

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

/// A reference that may be `null` (OpenAPI 3.0 ignores siblings of `$ref`).
fn nullable_ref(schema: &str) -> Value {
    json!({ "allOf": [{ "$ref": format!("#/components/schemas/{schema}") }], "nullable": true })
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
    let mut entity = vec![param("id", "The entity id.", true, json!({ "type": "string", "minLength": 1 }))];
    entity.extend(common_range());
    let mut changes = common_range();
    changes.push(str_param("namespace", "Only objects of this namespace."));
    changes.push(str_param("kind", "Only objects of this kind (`Pod`, `Deployment`, ..., any case)."));
    changes.push(int_param("limit", "At most this many changes, the newest.", 1000, 1, 100_000));
    let mut events = common_range();
    events.push(str_param("namespace", "Only events about objects of this namespace."));
    events.push(str_param("kind", "Only events about objects of this kind (`Pod`, `Deployment`, `Node`, ..., any case)."));
    events.push(str_param("name", "Only events about objects of this name."));
    events.push(int_param("limit", "At most this many events, the newest.", 1000, 1, 100_000));

    let num = json!({ "type": "number" });
    let int = json!({ "type": "integer" });
    let s = json!({ "type": "string" });
    let nullable_num = json!({ "type": "number", "nullable": true });
    let ns = json!({ "type": "string", "nullable": true });
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "kinsight",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "What runs in a Kubernetes cluster, from system calls: history of CPU, memory, file and network bytes and HTTP per process, grouped by the physical or logical hierarchy or by a label. Entity ids: node:NAME, ns:NAME, wl:NS/KIND/NAME, svc:NS/NAME, nosvc:NS (the pods of a namespace no service selects), label:KEY=VALUE, pod:UID, nopod:NODE, unscheduled: (pods without a node), ctr:ID, pctr:POD_UID/NAME (a container not created yet), host:NODE, proc:CONTAINER:PID. Every Kubernetes object is listed, with or without activity, with its state in `k8s`. When the server was started with a token, every /api and /metrics request needs `Authorization: Bearer TOKEN`.",
        },
        "components": {
            "securitySchemes": { "token": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": obj(json!({ "error": obj(json!({ "code": s, "message": s, "param": s, "position": int, "column": int })) })),
                "EntityRef": obj(json!({ "id": s, "kind": s, "name": s, "namespace": ns, "level": s })),
                "EntityRow": obj(json!({
                    "id": s, "kind": s, "name": s, "namespace": ns, "processes": int, "cpu_pct": num, "memory_bytes": int,
                    "file_read_bytes": int, "file_write_bytes": int, "file_bytes": int, "net_in_bytes": int, "net_out_bytes": int, "net_bytes": int,
                    "http_requests": int, "http_rps": num, "http_errors": int, "http_error_pct": nullable_num, "http_latency_ms": nullable_num,
                    "http_out_requests": int, "has_children": { "type": "boolean" }, "k8s": nullable_ref("K8sState"),
                    "process": obj(json!({ "pid": int, "cmdline": s, "user": ns, "alive": { "type": "boolean" } })), "count": int,
                })),
                "Range": obj(json!({ "from": int, "to": int, "seconds": num })),
                "K8sState": obj(json!({
                    "kind": s, "phase": s, "ready_containers": int, "containers": int, "restarts": int, "last_termination": s, "state": s, "role": s, "image": s,
                    "node": s, "ip": s, "owner": s, "desired_replicas": int, "current_replicas": int, "ready_replicas": int, "updated_replicas": int,
                    "created_ns": int, "deleted_ns": int, "node_ready": { "type": "boolean" }, "conditions": { "type": "array", "items": s },
                    "cpu_allocatable_millis": int, "memory_allocatable_bytes": int, "pods_allocatable": int, "cpu_capacity_millis": int, "memory_capacity_bytes": int,
                })),
                "Change": obj(json!({
                    "ts_ns": int, "kind": s, "uid": s, "namespace": { "type": "string", "nullable": true }, "name": s,
                    "change": { "type": "string", "enum": ["created", "changed", "deleted"] },
                    "fields": { "type": "array", "items": obj(json!({ "field": s, "from": s, "to": s })) },
                })),
                "Event": obj(json!({
                    "first_ns": int, "last_ns": int, "count": int, "type": s, "reason": s, "message": s, "source": s,
                    "object": obj(json!({ "kind": s, "namespace": ns, "name": s, "uid": ns })),
                })),
            },
        },
        "security": [ {}, { "token": [] } ],
        "paths": {
            "/api/status": get("Where the data comes from, what history holds, whether a token is required.", vec![], ok("Status.", obj(json!({ "mode": obj(json!({})), "sources": { "type": "array" }, "data": { "$ref": "#/components/schemas/Range" }, "history": obj(json!({})) })))),
            "/api/hierarchies": get("The hierarchies, their levels, and the pod label keys usable as `label:KEY`.", vec![], ok("Hierarchies.", obj(json!({ "hierarchies": { "type": "array" }, "label_keys": { "type": "array", "items": s } })))),
            "/api/entities": get("Entities at one level of a hierarchy with their totals over the time range: CPU, memory, file and network bytes, HTTP rate, errors and latency.", entities, ok("One page of rows.", obj(json!({ "level": s, "levels": { "type": "array", "items": s }, "parent": nullable_ref("EntityRef"), "filter": ns, "range": { "$ref": "#/components/schemas/Range" }, "total": int, "rows": { "type": "array", "items": { "$ref": "#/components/schemas/EntityRow" } } })))),
            "/api/entity": get("One entity: attributes, its path in every hierarchy it is part of (for pivoting), a filter that selects it, and its totals.", entity, ok("The entity.", obj(json!({ "id": s, "kind": s, "name": s, "namespace": ns, "attributes": { "type": "object", "nullable": true }, "paths": obj(json!({})), "filter": ns, "totals": nullable_ref("EntityRow"), "k8s": nullable_ref("K8sState"), "controllers": { "type": "array", "nullable": true, "items": { "$ref": "#/components/schemas/EntityRef" } }, "changes": { "type": "array", "nullable": true, "items": { "$ref": "#/components/schemas/Change" } }, "events": { "type": "array", "nullable": true, "items": { "$ref": "#/components/schemas/Event" } } })))),
            "/api/changes": get("What changed in the cluster during the range: objects created and deleted, and the changes of the fields users follow (phase, node, ready, restarts, image, replicas, labels), oldest first.", changes, ok("Changes.", obj(json!({ "range": { "$ref": "#/components/schemas/Range" }, "total": int, "dropped": int, "rows": { "type": "array", "items": { "$ref": "#/components/schemas/Change" } } })))),
            "/api/events": get("Kubernetes Events during the range (a rollout's scaling, FailedScheduling, BackOff, ...), with the object each one is about, oldest first; repeats of one event are counted in `count`.", events, ok("Events.", obj(json!({ "range": { "$ref": "#/components/schemas/Range" }, "total": int, "dropped": int, "rows": { "type": "array", "items": { "$ref": "#/components/schemas/Event" } } })))),
            "/api/series": get("Time series of an entity (or of everything), one point per history bucket.", series, ok("Columns of values, `t` in seconds since the epoch.", obj(json!({ "series": obj(json!({ "resolution_s": num, "t": { "type": "array", "items": num }, "cpu_pct": { "type": "array" }, "memory_bytes": { "type": "array" }, "net_in_bps": { "type": "array" }, "net_out_bps": { "type": "array" }, "file_read_bps": { "type": "array" }, "file_write_bps": { "type": "array" }, "http_rps": { "type": "array" }, "http_error_pct": { "type": "array" }, "http_latency_ms": { "type": "array" } })) })))),
            "/api/topology": get("Entities of a level as nodes and the connections between them as edges (bytes and HTTP requests); pod and service addresses are mapped to their entities, other addresses kept as `ip:ADDRESS` nodes. Services are linked to the pods they select (`member` edges).", topology, ok("Nodes and edges.", obj(json!({ "nodes": { "type": "array", "items": obj(json!({ "id": s, "kind": s, "name": s, "inside": { "type": "boolean" } })) }, "edges": { "type": "array", "items": obj(json!({ "source": s, "target": s, "bytes": int, "requests": int, "ports": { "type": "array", "items": int }, "kind": s })) } })))),
            "/api/connections": get("Connections of the processes of an entity: which end each holds, the ends as entities, bytes and HTTP requests.", drill("processes and connections (fd.sip, fd.cip, fd.sport, fd.l4proto, fd.is_server, ...)"), ok("Rows, most bytes first.", obj(json!({ "total": int, "rows": { "type": "array" } })))),
            "/api/files": get("Files the processes of an entity read and wrote.", drill("processes and files (fd.name, fd.directory, fd.filename)"), ok("Rows, most bytes first.", obj(json!({ "total": int, "rows": { "type": "array" } })))),
            "/api/http": get("HTTP transactions of the processes of an entity, newest first.", drill("processes and connections"), ok("Rows.", obj(json!({ "total": int, "rows": { "type": "array" } })))),
            "/api/fields": get("Filter fields each view accepts.", vec![], ok("Field names by view.", obj(json!({ "entities": { "type": "array", "items": s } })))),
            "/api/openapi.json": get("This document.", vec![], json!({ "200": { "description": "OpenAPI 3.0 document." } })),
            "/metrics": get("Prometheus metrics (text format 0.0.4): cAdvisor-compatible container_cpu_usage_seconds_total and container_memory_rss with namespace, pod, container and node labels; kinsight_* for socket and file bytes, HTTP requests and latency histograms per pod and workload, and bytes per connection peer.", vec![], json!({ "200": { "description": "Metrics.", "content": { "text/plain": { "schema": { "type": "string" } } } }, "401": { "description": "A token is required." } })),
        },
    })
}
