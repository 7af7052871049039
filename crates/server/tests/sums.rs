//! Parents equal the sum of their children: on the shared Kubernetes replay and on captures
//! of hosts without Kubernetes (nginx on a bare host; two containers), for every hierarchy,
//! every label hierarchy and every level below each parent, over the whole capture and over
//! part of it. Each column is the measure its description in the OpenAPI document names: a
//! total over the range, an average over the range, or what runs at the end of the range
//! holds; the overview's totals are the same numbers. A live host runs the same check in
//! crates/kinsight/tests/live.rs.

mod common;
#[path = "common/sums.rs"]
mod sums;

use common::*;
use serde_json::Value;
use std::net::SocketAddr;

/// The parents checked over the whole capture and over its last five seconds.
fn check_capture(addr: SocketAddr) -> (usize, usize) {
    let get = |path: &str| get_json(addr, path);
    let all = sums::parents_are_the_sum_of_their_children(&get, "");
    let part = sums::parents_are_the_sum_of_their_children(&get, "&from=-5s");
    every_level_lists_the_whole(addr, "");
    every_level_lists_the_whole(addr, "&from=-5s");
    the_overview_totals_are_the_nodes(addr);
    (all, part)
}

/// Within a hierarchy, every level listed from the top holds everything the top level
/// does: no process is lost or counted twice between levels.
fn every_level_lists_the_whole(addr: SocketAddr, range: &str) {
    let hierarchies = get_json(addr, "/api/hierarchies");
    for h in hierarchies["hierarchies"].as_array().unwrap() {
        let id = h["id"].as_str().unwrap();
        let levels: Vec<&str> = h["levels"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
        let list = |level: &str| get_json(addr, &format!("/api/entities?hierarchy={id}&level={level}&limit=100000{range}"))["rows"].as_array().unwrap().clone();
        let whole = list(levels[0]);
        // Zeros, to start from: a row's shape with nothing counted.
        let mut total = serde_json::json!({});
        for key in sums::SUMMED {
            total[*key] = whole.iter().map(|r| r[*key].as_u64().unwrap()).sum::<u64>().into();
        }
        for key in sums::RATES {
            total[*key] = whole.iter().map(|r| r[*key].as_f64().unwrap()).sum::<f64>().into();
        }
        for (mean, n) in sums::MEANS {
            let served: u64 = total[*n].as_u64().unwrap();
            let latency: f64 = whole.iter().filter(|r| r[*n].as_u64() > Some(0)).map(|r| r[*mean].as_f64().unwrap() * r[*n].as_u64().unwrap() as f64).sum();
            total[*mean] = if served > 0 { (latency / served as f64).into() } else { Value::Null };
        }
        let mut spoken: Vec<Value> = whole.iter().flat_map(|r| r["protocols"].as_array().unwrap().iter().cloned()).collect();
        spoken.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        spoken.dedup();
        total["protocols"] = spoken.into();
        for level in &levels[1..] {
            sums::children_add_up(&total, &list(level), &format!("{id}: every {level} vs every {}", levels[0]));
        }
    }
}

/// The overview's totals are the node rows' sums (what the physical table's top shows).
fn the_overview_totals_are_the_nodes(addr: SocketAddr) {
    let o = get_json(addr, "/api/overview");
    let nodes = get_json(addr, "/api/entities?hierarchy=physical&limit=100000");
    let rows = nodes["rows"].as_array().unwrap();
    for key in ["processes", "memory_bytes", "file_read_bytes", "file_write_bytes", "net_in_bytes", "net_out_bytes", "http_requests", "http_errors", "requests", "request_errors", "sent_requests", "sent_errors"] {
        let sum: u64 = rows.iter().map(|r| r[key].as_u64().unwrap()).sum();
        assert_eq!(o["totals"][key].as_u64(), Some(sum), "overview {key}");
    }
    let cpu: f64 = rows.iter().map(|r| r["cpu_pct"].as_f64().unwrap()).sum();
    assert!((o["totals"]["cpu_pct"].as_f64().unwrap() - cpu).abs() < 1e-9 * cpu.max(1.0));
}

/// With `protocol`, the request columns are that protocol's, and add up the same way.
#[test]
fn parents_add_up_for_one_protocol() {
    let server = replay_server(None);
    let get = |path: &str| get_json(server.addr, path);
    for p in ["dns", "http"] {
        let checked = sums::parents_are_the_sum_of_their_children(&get, &format!("&protocol={p}"));
        assert!(checked > 50, "{checked} parents checked for {p}");
    }
    // HTTP's request columns are the HTTP columns.
    let rows = get_json(server.addr, "/api/entities?hierarchy=logical&level=pod&limit=100000&protocol=http");
    for r in rows["rows"].as_array().unwrap() {
        assert_eq!((&r["requests"], &r["request_errors"], &r["sent_requests"]), (&r["http_requests"], &r["http_errors"], &r["http_out_requests"]), "{r:#}");
    }
    server.stop();
}

#[test]
fn parents_add_up_on_the_kubernetes_replay() {
    let server = replay_server(None);
    let (all, part) = check_capture(server.addr);
    assert!(all > 50, "{all} parents checked");
    assert!(part > 20, "{part} parents checked over the last 5 s");
    server.stop();
}

#[test]
fn parents_add_up_on_a_bare_host_and_on_containers_without_kubernetes() {
    // nginx on the host, mirrored by wget: no containers, no Kubernetes.
    let server = replay_of(shared_trace("examples/ex0_nginx_v1.scap"), None);
    let (all, _) = check_capture(server.addr);
    assert!(all >= 3, "{all} parents checked");
    let o = get_json(server.addr, "/api/overview");
    assert_eq!(o["kubernetes"], false, "{o:#}");
    assert!(o["totals"]["http_requests"].as_u64() >= Some(20), "nginx served the wget mirror: {:#}", o["totals"]);
    server.stop();
    // A php container talking to a mysql container.
    let server = replay_of(shared_trace("examples/ex4_php_1.scap"), None);
    let (all, _) = check_capture(server.addr);
    assert!(all >= 3, "{all} parents checked");
    server.stop();
}

/// Each counter column of an entity row says which measure it is, in the OpenAPI document
/// the UI's tooltips and API users read.
#[test]
fn every_column_says_what_it_measures() {
    let server = replay_server(None);
    let doc = get_json(server.addr, "/api/openapi.json");
    let row = &doc["components"]["schemas"]["EntityRow"]["properties"];
    let measures = ["total", "average", "at the end of the range", "share", "mean"];
    for key in sums::SUMMED.iter().chain(&["cpu_pct", "http_rps", "http_error_pct", "http_latency_ms"]) {
        let d = row[*key]["description"].as_str().unwrap_or_else(|| panic!("EntityRow.{key} has no description: {:#}", row[*key])).to_lowercase();
        assert!(measures.iter().any(|m| d.contains(m)), "EntityRow.{key} does not say which measure it is: {d}");
        assert!(d.contains("range"), "EntityRow.{key} does not say over what: {d}");
    }
    server.stop();
}
