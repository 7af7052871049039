//! Requests of every protocol in the explorer agree with the `requests` view of
//! `kinsight read` on the same capture: per process and protocol, served and sent, failed
//! or not; the request log lists the same requests; `/metrics` counts the same; the
//! topology's edges carry them. The truth is the analysis Session run over the capture,
//! which is what `kinsight read --view requests` prints.
//!
//! Captures: the shared Kubernetes replay (HTTP, and DNS served by skydns, most of it
//! failing), a host's curl to www.google.com (a DNS query and an HTTP GET), nginx on a
//! bare host (HTTP only).

mod common;

use common::*;
use kinsight_analysis::Session;
use kinsight_scap::ScapReader;
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Requests, and those that failed, by (process entity id, protocol, side).
type Counts = BTreeMap<(String, String, String), (u64, u64)>;

fn read_view(capture: &PathBuf) -> Counts {
    let mut s = Session::new(None);
    let mut r = ScapReader::open(capture).unwrap();
    while let Some(b) = r.next_block().unwrap() {
        s.apply_block(&b);
    }
    s.finish();
    let mut out = Counts::new();
    for rec in &s.collector.request_log {
        let side = match rec.req.side {
            kinsight_protocols::Side::Server => "server",
            kinsight_protocols::Side::Client => "client",
        };
        let id = format!("proc:{}:{}", rec.container.as_deref().unwrap_or("host"), rec.pid);
        let e = out.entry((id, rec.req.proto.name().to_string(), side.to_string())).or_default();
        e.0 += 1;
        e.1 += u64::from(rec.req.error);
    }
    out
}

fn u(v: &Value, k: &str) -> u64 {
    v[k].as_u64().unwrap_or_else(|| panic!("{k} of {v:#}"))
}

/// The explorer's process rows, one query per protocol, as the same counts.
fn explorer(addr: SocketAddr, protocols: &[String]) -> Counts {
    let mut out = Counts::new();
    for p in protocols {
        let rows = get_json(addr, &format!("/api/entities?hierarchy=physical&level=process&limit=100000&protocol={p}"));
        for r in rows["rows"].as_array().unwrap() {
            let id = r["id"].as_str().unwrap().to_string();
            for (side, n, e) in [("server", "requests", "request_errors"), ("client", "sent_requests", "sent_errors")] {
                if u(r, n) > 0 {
                    out.insert((id.clone(), p.clone(), side.into()), (u(r, n), u(r, e)));
                }
            }
        }
    }
    out
}

/// `kinsight_*requests_total` summed by (protocol, direction, error).
fn metrics(addr: SocketAddr) -> BTreeMap<(String, String, bool), u64> {
    let text = get(addr, "/metrics", None).body;
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("kinsight_requests_total{") || l.starts_with("kinsight_host_requests_total{")) {
        let (labels, value) = line.rsplit_once(' ').unwrap();
        let label = |k: &str| labels.split(&format!("{k}=\"")).nth(1).and_then(|r| r.split('"').next()).unwrap_or_else(|| panic!("{k} in {line}")).to_string();
        *out.entry((label("protocol"), label("direction"), label("error") == "true")).or_default() += value.parse::<u64>().unwrap();
    }
    out
}

fn check(capture: PathBuf, expect_protocols: &[&str]) {
    let truth = read_view(&capture);
    let protocols: Vec<String> = truth.keys().map(|k| k.1.clone()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    for p in expect_protocols {
        assert!(protocols.iter().any(|q| q == p), "{}: the capture has {p} requests ({protocols:?})", capture.display());
    }
    let server = replay_of(capture.clone(), None);
    let addr = server.addr;
    let what = capture.display().to_string();
    assert_eq!(explorer(addr, &protocols), truth, "{what}: the explorer's requests per process, protocol and side");

    // Without `protocol`, every protocol's requests summed; rows say which they spoke.
    let all = get_json(addr, "/api/entities?hierarchy=physical&level=process&limit=100000");
    for r in all["rows"].as_array().unwrap() {
        let id = r["id"].as_str().unwrap();
        let of = |side: &str| truth.iter().filter(|(k, _)| k.0 == id && k.2 == side).fold((0, 0), |a, (_, v)| (a.0 + v.0, a.1 + v.1));
        assert_eq!((u(r, "requests"), u(r, "request_errors")), of("server"), "{what}: {id} served");
        assert_eq!((u(r, "sent_requests"), u(r, "sent_errors")), of("client"), "{what}: {id} sent");
        let spoke: Vec<&str> = r["protocols"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        let mut want: Vec<&str> = truth.keys().filter(|k| k.0 == id).map(|k| k.1.as_str()).collect();
        want.dedup();
        let order = |p: &&str| protocols.iter().position(|q| q == p);
        let (mut a, mut b) = (spoke.clone(), want.clone());
        a.sort_by_key(order);
        b.sort_by_key(order);
        assert_eq!(a, b, "{what}: {id} protocols");
        if u(r, "requests") > 0 {
            assert!(r["request_latency_ms"].as_f64().unwrap() > 0.0, "{what}: {id} latency");
        } else {
            assert!(r["request_latency_ms"].is_null());
        }
    }

    // The request log lists each of them once.
    let log = get_json(addr, "/api/requests?limit=100000");
    let mut logged = Counts::new();
    let rows = log["rows"].as_array().unwrap();
    for r in rows {
        let e = logged.entry((r["process"]["id"].as_str().unwrap().to_string(), r["protocol"].as_str().unwrap().to_string(), r["side"].as_str().unwrap().to_string())).or_default();
        e.0 += 1;
        e.1 += u64::from(r["error"] == true);
    }
    assert_eq!(logged, truth, "{what}: the request log");
    assert!(rows.windows(2).all(|w| u(&w[0], "ts_ns") >= u(&w[1], "ts_ns")), "{what}: newest first");
    for p in &protocols {
        let one = get_json(addr, &format!("/api/requests?limit=100000&protocol={p}"));
        let n: u64 = truth.iter().filter(|(k, _)| &k.1 == p).map(|(_, v)| v.0).sum();
        assert_eq!(u(&one, "total"), n, "{what}: /api/requests?protocol={p}");
        assert!(one["rows"].as_array().unwrap().iter().all(|r| r["protocol"] == p.as_str()));
    }

    // /metrics: the same counts by protocol, direction and outcome.
    let mut want: BTreeMap<(String, String, bool), u64> = BTreeMap::new();
    for ((_, p, side), (n, e)) in &truth {
        let dir = if side == "server" { "served" } else { "sent" };
        if n > e {
            *want.entry((p.clone(), dir.into(), false)).or_default() += n - e;
        }
        if *e > 0 {
            *want.entry((p.clone(), dir.into(), true)).or_default() += e;
        }
    }
    assert_eq!(metrics(addr), want, "{what}: /metrics");

    // Charts: the served rate over the buckets adds up to the requests served.
    let series = get_json(addr, "/api/series?points=5000");
    let res = series["series"]["resolution_s"].as_f64().unwrap();
    let charted: f64 = series["series"]["request_rps"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() * res).sum();
    let served: u64 = truth.iter().filter(|(k, _)| k.2 == "server").map(|(_, v)| v.0).sum();
    assert!((charted - served as f64).abs() < 1e-6, "{what}: charted {charted} vs served {served}");
    server.stop();
}

#[test]
fn requests_agree_with_the_requests_view_on_the_kubernetes_replay() {
    check(k8s_capture(), &["http", "dns"]);
}

#[test]
fn requests_agree_with_the_requests_view_on_a_host_resolving_and_fetching() {
    check(shared_trace("libs/curl_google.scap"), &["dns", "http"]);
}

#[test]
fn requests_agree_with_the_requests_view_on_a_bare_host() {
    check(shared_trace("examples/ex0_nginx_v1.scap"), &["http"]);
}

/// The topology's edges carry the requests of every protocol: on the Kubernetes replay the
/// client pod's DNS queries to skydns (which runs outside pods, on the node's network) are
/// an edge with requests and failures, as many as skydns served from that pod.
#[test]
fn topology_edges_count_requests_and_errors() {
    let server = replay_server(None);
    let topo = get_json(server.addr, "/api/topology?hierarchy=physical&level=pod");
    let client = "pod:da587b4d-bd5a-11e6-8bdb-028ce2cfb533";
    let log = get_json(server.addr, "/api/requests?limit=100000&protocol=dns");
    let from_client: Vec<&Value> = log["rows"].as_array().unwrap().iter().filter(|r| r["peer"]["id"] == client).collect();
    assert!(!from_client.is_empty(), "the client pod's DNS queries are logged with the pod as peer");
    let errors = from_client.iter().filter(|r| r["error"] == true).count() as u64;
    let edges: Vec<&Value> = topo["edges"].as_array().unwrap().iter().filter(|e| e["source"] == client && u(e, "errors") > 0).collect();
    assert_eq!(edges.len(), 1, "one edge from the client with failed requests: {:#}", topo["edges"]);
    let e = edges[0];
    assert!(u(e, "requests") >= from_client.len() as u64, "{e:#}");
    assert_eq!(u(e, "errors"), errors, "{e:#}");
    assert!(e["latency_ms"].as_f64().unwrap() > 0.0);
    assert!(e["ports"].as_array().unwrap().iter().any(|p| p == 53), "{e:#}");
    // Edges without requests have no latency.
    assert!(topo["edges"].as_array().unwrap().iter().all(|e| (u(e, "requests") == 0) == e["latency_ms"].is_null()));
    server.stop();
}
