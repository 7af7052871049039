//! The JSON API over a replay of the shared Kubernetes capture: every endpoint, the
//! hierarchies with the numbers `kinsight read` gives, filters, time ranges, topology,
//! drill-downs, pivots, and clear 4xx errors for bad input.

mod common;

use common::*;
use kinsight_analysis::{tree, views, K8sKind, Session};
use kinsight_scap::ScapReader;
use kinsight_server::Server;
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::OnceLock;

const CSJ02: &str = "pod:d52db280-bd5a-11e6-8bdb-028ce2cfb533";
const CLIENT: &str = "pod:da587b4d-bd5a-11e6-8bdb-028ce2cfb533";
const BACKEND: &str = "wl:critical-app/deployment/backend";

fn server() -> SocketAddr {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| replay_server(None)).addr
}

/// What `kinsight read` computes from the same capture.
fn read_session() -> &'static Session {
    static S: OnceLock<Session> = OnceLock::new();
    S.get_or_init(|| {
        let mut s = Session::new(None);
        let mut r = ScapReader::open(k8s_capture()).unwrap();
        while let Some(b) = r.next_block().unwrap() {
            s.apply_block(&b);
        }
        s.finish();
        s
    })
}

#[test]
fn every_route_is_documented_and_every_documented_path_answers() {
    let a = server();
    let doc = get_json(a, "/api/openapi.json");
    let paths: Vec<&str> = doc["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    let mut routes = kinsight_server::ROUTES.to_vec();
    let mut documented = paths.clone();
    routes.sort();
    documented.sort();
    assert_eq!(routes, documented);
    for p in paths {
        let query = match p {
            "/api/entity" => format!("?id={}", enc(CSJ02)),
            _ => String::new(),
        };
        let r = get(a, &format!("{p}{query}"), None);
        assert_eq!(r.status, 200, "{p}: {}", r.body);
        if p != "/metrics" {
            assert!(r.header("content-type").unwrap().starts_with("application/json"), "{p}");
            r.json();
        }
    }
    // Anything else under /api is a JSON 404, not the UI page.
    let r = get(a, "/api/nope", None);
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "not_found");
}

#[test]
fn status_describes_the_replay() {
    let s = get_json(server(), "/api/status");
    assert_eq!(s["mode"]["kind"], "replay");
    assert_eq!(s["active"], false);
    let src = &s["sources"][0];
    assert_eq!((src["kind"].as_str(), src["state"].as_str()), (Some("replay"), Some("done")));
    assert!(src["events"].as_u64().unwrap() > 140_000);
    // History holds the capture's 13 seconds at their own times (1 s buckets: 14).
    assert_eq!(s["data"]["from"], 1_481_211_698_000_000_000u64);
    assert_eq!(s["data"]["seconds"], 14.0);
    assert_eq!(s["history"]["tiers"][0]["kept"], 14);
    assert_eq!(s["auth"]["token_required"], false);
}

#[test]
fn logical_hierarchy_finds_the_backend_deployment_and_its_pods() {
    let a = server();
    let top = get_json(a, "/api/entities?hierarchy=logical&sort=name");
    assert_eq!(top["level"], "namespace");
    let names: Vec<&str> = top["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["critical-app", "default", "kube-system"], "default has no pods but is listed");

    let wl = get_json(a, "/api/entities?hierarchy=logical&parent=ns:critical-app");
    assert_eq!(wl["level"], "workload");
    let wl = rows_by_name(&wl);
    assert_eq!(wl["backend"]["kind"], "deployment");
    assert_eq!(wl["backend"]["id"], BACKEND);
    assert_eq!(wl["client"]["kind"], "pod", "a pod without a controller is its own workload");

    let pods = get_json(a, &format!("/api/entities?hierarchy=logical&parent={}", enc(BACKEND)));
    assert_eq!(pods["level"], "pod");
    assert_eq!(pods["total"], 3);
    // Bytes per pod are what `kinsight read --view kubernetes_pods` says.
    let s = read_session();
    let expected = views::kubernetes(&s.collector, &s.k8s_index(), K8sKind::Pod);
    for row in pods["rows"].as_array().unwrap() {
        let name = row["name"].as_str().unwrap();
        assert!(name.starts_with("backend-1440326531-"), "{name}");
        let e = expected.iter().find(|p| p.name == name).unwrap();
        assert_eq!((row["net_bytes"].as_u64().unwrap(), row["file_bytes"].as_u64().unwrap()), (e.net_bytes, e.file_bytes), "{name}");
        assert!(row["memory_bytes"].as_u64().unwrap() > 1 << 20, "{name} holds memory");
        assert_eq!(row["has_children"], true);
    }
    let csj02 = rows_by_name(&pods)["backend-1440326531-csj02"].clone();
    assert_eq!(csj02["net_bytes"], 952);
    assert_eq!(csj02["http_requests"], 1);
    assert_eq!(csj02["http_error_pct"], 0.0);
    assert!(pods["rows"][0]["name"] == "backend-1440326531-csj02", "sorted by network bytes by default");

    let containers = rows_by_name(&get_json(a, &format!("/api/entities?hierarchy=logical&parent={}", enc(CSJ02))));
    assert_eq!(containers.keys().collect::<Vec<_>>(), ["POD", "backend"]);
    let procs = get_json(a, &format!("/api/entities?hierarchy=logical&parent={}", enc(containers["backend"]["id"].as_str().unwrap())));
    assert_eq!(procs["level"], "process");
    assert!(procs["rows"].as_array().unwrap().iter().all(|r| r["name"] == "nginx" && r["has_children"] == false));
}

#[test]
fn physical_hierarchy_agrees_with_the_tree() {
    let a = server();
    let nodes = get_json(a, "/api/entities");
    assert_eq!(nodes["level"], "node");
    assert_eq!(nodes["total"], 1);
    let node = &nodes["rows"][0];
    assert_eq!((node["id"].as_str(), node["name"].as_str()), (Some("node:10.0.2.15"), Some("10.0.2.15")));
    let s = read_session();
    let t = tree::physical(&s.collector, &s.engine, &s.k8s_index());
    let n = t.find("node", "10.0.2.15").unwrap();
    assert_eq!(node["net_bytes"].as_u64().unwrap(), n.totals.net_bytes);
    assert_eq!(node["file_bytes"].as_u64().unwrap(), n.totals.file_bytes);
    let pods = rows_by_name(&get_json(a, "/api/entities?parent=node:10.0.2.15"));
    assert!(pods.contains_key("backend-1440326531-csj02") && pods.contains_key("client"));
    let outside = &pods["(outside pods)"];
    assert_eq!(outside["id"], "nopod:10.0.2.15");
    let inside = rows_by_name(&get_json(a, "/api/entities?parent=nopod:10.0.2.15"));
    assert!(inside.contains_key("(host processes)"), "host processes hang under the node too");
}

#[test]
fn services_and_label_hierarchies_group_pods_otherwise() {
    let a = server();
    let svcs = rows_by_name(&get_json(a, "/api/entities?hierarchy=services&parent=ns:critical-app"));
    // The client pod is behind no service: it has a row of its own, so the namespace is
    // the sum of its rows.
    assert_eq!(svcs.keys().collect::<Vec<_>>(), ["(no service)", "backend"]);
    assert_eq!(svcs["(no service)"]["id"], "nosvc:critical-app");
    let unserved = get_json(a, &format!("/api/entities?hierarchy=services&parent={}", enc("nosvc:critical-app")));
    assert_eq!(unserved["rows"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect::<Vec<_>>(), [CLIENT]);
    let pods = get_json(a, &format!("/api/entities?hierarchy=services&parent={}", enc(svcs["backend"]["id"].as_str().unwrap())));
    assert_eq!(pods["total"], 3);
    let defaults = rows_by_name(&get_json(a, "/api/entities?hierarchy=services&parent=ns:default"));
    assert_eq!(defaults["kubernetes"]["processes"], 0, "a service with no pods is listed empty");

    let keys = get_json(a, "/api/hierarchies")["label_keys"].clone();
    assert!(keys.as_array().unwrap().iter().any(|k| k == "app"));
    let apps = rows_by_name(&get_json(a, "/api/entities?hierarchy=label:app"));
    assert!(apps.contains_key("app=critical-app") && apps.contains_key("app=(none)"), "{:?}", apps.keys());
    let in_app = get_json(a, &format!("/api/entities?hierarchy=label:app&parent={}", enc("label:app=critical-app")));
    assert_eq!(in_app["total"], 3);
}

#[test]
fn filters_select_entities_and_bad_filters_say_where() {
    let a = server();
    let f = enc("k8s.ns.name=critical-app");
    let ns = get_json(a, &format!("/api/entities?hierarchy=logical&filter={f}"));
    assert_eq!(ns["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect::<Vec<_>>(), ["critical-app"]);
    let nodes = get_json(a, &format!("/api/entities?filter={f}"));
    let crit = get_json(a, "/api/entities?hierarchy=logical&parent=ns:critical-app");
    let crit_net: u64 = crit["rows"].as_array().unwrap().iter().map(|r| r["net_bytes"].as_u64().unwrap()).sum();
    assert_eq!(nodes["rows"][0]["net_bytes"].as_u64().unwrap(), crit_net, "the node shows only what the filter keeps");
    let pods = get_json(a, &format!("/api/entities?hierarchy=logical&level=pod&filter={}", enc("proc.name=nginx and k8s.pod.label.role=backend")));
    assert_eq!(pods["total"], 3);

    let r = get(a, &format!("/api/entities?filter={}", enc("proc.pid = 1 and proc.nmae = nginx")), None);
    assert_eq!(r.status, 400);
    let e = &r.json()["error"];
    assert_eq!(e["code"], "bad_filter");
    assert_eq!(e["column"], 18);
    assert!(e["message"].as_str().unwrap().contains("did you mean 'proc.name'"), "{e}");
    let r = get(a, &format!("/api/entities?filter={}", enc("k8s.ns.name=x and evt.type=open")), None);
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["column"], 19, "events fields are refused where they are");
    // fd fields work where there is a connection.
    let conns = get_json(a, &format!("/api/connections?filter={}", enc("fd.sport=4001 and proc.name contains etc")));
    assert!(conns["total"].as_u64().unwrap() > 0);
    assert!(conns["rows"].as_array().unwrap().iter().all(|r| r["server_port"] == 4001 && r["process"]["name"] == "etcd"));
}

#[test]
fn bad_input_gets_a_clear_4xx() {
    let a = server();
    let cases: &[(&str, u16, &str)] = &[
        ("/api/entities?hierarchy=sideways", 400, "bad_parameter"),
        ("/api/entities?hierarchy=logical&level=node", 400, "bad_parameter"),
        ("/api/entities?parent=pod:nope", 404, "unknown_entity"),
        ("/api/entities?parent=ns:critical-app", 400, "bad_parameter"),
        ("/api/entities?from=10&to=5", 400, "bad_time_range"),
        ("/api/entities?from=yesterday", 400, "bad_time_range"),
        ("/api/entities?from=-5x", 400, "bad_time_range"),
        ("/api/entities?from=99999999999999999999999", 400, "bad_time_range"),
        ("/api/entities?sort=colour", 400, "bad_parameter"),
        ("/api/entities?limit=0", 400, "bad_parameter"),
        ("/api/entities?limit=ten", 400, "bad_parameter"),
        ("/api/entities?colour=blue", 400, "bad_parameter"),
        ("/api/entities?level=pod&level=node", 400, "bad_parameter"),
        ("/api/entity", 400, "bad_parameter"),
        ("/api/entity?id=%00%FF", 404, "unknown_entity"),
        ("/api/series?entity=ctr:nope", 404, "unknown_entity"),
        ("/api/series?points=1", 400, "bad_parameter"),
        ("/api/topology?max_edges=-1", 400, "bad_parameter"),
        ("/api/files?filter=fd.sip%3D1.2.3.4", 400, "bad_filter"),
        ("/api/http?filter=(", 400, "bad_filter"),
        ("/api/status?x=1", 400, "bad_parameter"),
    ];
    for (path, status, code) in cases {
        let r = get(a, path, None);
        assert_eq!(r.status, *status, "{path}: {}", r.body);
        let e = &r.json()["error"];
        assert_eq!(e["code"], *code, "{path}: {e}");
        assert!(!e["message"].as_str().unwrap().is_empty());
    }
}

#[test]
fn time_ranges_restrict_the_totals() {
    let a = server();
    let start: u64 = 1_481_211_698_000_000_000;
    let second = 1_000_000_000;
    let row = |q: &str| rows_by_name(&get_json(a, &format!("/api/entities?hierarchy=logical&parent={}&{q}", enc(BACKEND))))["backend-1440326531-csj02"].clone();
    // The GET to the backend happened at 15:41:48, ten seconds in.
    assert_eq!(row(&format!("from={start}&to={}", start + 5 * second))["net_bytes"], 0);
    assert_eq!(row(&format!("from={}&to={}", start + 10 * second, start + 11 * second))["net_bytes"], 952);
    assert_eq!(row("from=-5s")["net_bytes"], 952, "relative to the end of the data");
    assert_eq!(row("from=-3s")["net_bytes"], 0);
    let page = get_json(a, &format!("/api/entities?hierarchy=logical&parent={}&from=-5s", enc(BACKEND)));
    assert_eq!(page["range"]["seconds"], 5.0);
    // Rates divide by the covered time.
    let r = row(&format!("from={}&to={}", start + 10 * second, start + 11 * second));
    assert_eq!(r["http_rps"], 1.0);
}

#[test]
fn series_follow_the_capture_second_by_second() {
    let a = server();
    let s = get_json(a, &format!("/api/series?entity={}", enc(CSJ02)));
    let cols = &s["series"];
    assert_eq!(cols["resolution_s"], 1.0);
    let t = cols["t"].as_array().unwrap();
    assert_eq!(t.len(), 14);
    assert_eq!(t[0], 1_481_211_698.0);
    let net: f64 = ["net_in_bps", "net_out_bps"].iter().flat_map(|k| cols[k].as_array().unwrap().iter().map(|v| v.as_f64().unwrap())).sum();
    assert_eq!(net, 952.0);
    assert_eq!(cols["http_rps"][10], 1.0);
    assert!(cols["memory_bytes"].as_array().unwrap().iter().all(|v| v.as_u64().is_some_and(|m| m > 1 << 20)), "memory is known every second");
    assert_eq!(cols["http_latency_ms"][9], Value::Null, "no latency without requests");
    let all = get_json(a, "/api/series?points=5");
    assert!(all["series"]["t"].as_array().unwrap().len() <= 5, "the 10 s tier when 1 s would give too many points");
}

#[test]
fn topology_maps_pod_and_service_addresses_to_entities() {
    let a = server();
    let t = get_json(a, "/api/topology?hierarchy=logical&parent=ns:critical-app&level=pod");
    let name = |id: &str| t["nodes"].as_array().unwrap().iter().find(|n| n["id"] == id).map(|n| n["name"].as_str().unwrap().to_string()).unwrap_or_else(|| panic!("node {id}"));
    let edges: Vec<(String, String, u64, u64, &str)> = t["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (name(e["source"].as_str().unwrap()), name(e["target"].as_str().unwrap()), e["bytes"].as_u64().unwrap(), e["requests"].as_u64().unwrap(), e["kind"].as_str().unwrap()))
        .collect();
    // The client asks the service's cluster IP; the backend pod sees the client's pod IP.
    assert!(edges.contains(&("client".into(), "backend".into(), 952, 1, "traffic")), "{edges:?}");
    assert!(edges.contains(&("client".into(), "backend-1440326531-csj02".into(), 952, 1, "traffic")), "{edges:?}");
    let members = edges.iter().filter(|e| e.4 == "member" && e.0 == "backend").count();
    assert_eq!(members, 3, "the service selects the three pods");
    let svc = t["nodes"].as_array().unwrap().iter().find(|n| n["kind"] == "service").unwrap();
    assert_eq!(svc["inside"], false);
    // At the workload level the same traffic links the workloads.
    let w = get_json(a, "/api/topology?hierarchy=logical&parent=ns:critical-app");
    assert_eq!(w["level"], "workload");
    assert!(w["edges"].as_array().unwrap().iter().any(|e| e["source"] == "wl:critical-app/pod/client" && e["target"] == BACKEND && e["bytes"] == 952));
}

#[test]
fn drill_downs_list_connections_files_and_http() {
    let a = server();
    let c = get_json(a, &format!("/api/connections?entity={}", enc(CSJ02)));
    assert_eq!(c["total"], 1);
    let row = &c["rows"][0];
    assert_eq!((row["side"].as_str(), row["server_port"].as_u64()), (Some("server"), Some(80)));
    assert_eq!((row["client"]["name"].as_str(), row["client"]["kind"].as_str()), (Some("client"), Some("pod")));
    assert_eq!(row["bytes"], 952);
    assert_eq!(row["requests"], 1);

    let h = get_json(a, &format!("/api/http?entity={}", enc(CSJ02)));
    assert_eq!(h["total"], 1);
    let tx = &h["rows"][0];
    assert_eq!((tx["method"].as_str(), tx["status"].as_u64(), tx["side"].as_str()), (Some("GET"), Some(200), Some("server")));
    assert_eq!(tx["url"], "backend.critical-app.svc.cluster.local/");
    assert_eq!(tx["peer"]["name"], "client");
    let sent = get_json(a, &format!("/api/http?entity={}&filter={}", enc(CLIENT), enc("fd.sport=80")));
    assert_eq!(sent["rows"][0]["side"], "client");
    assert_eq!(sent["rows"][0]["peer"]["kind"], "service", "the client spoke to the service's address");
    let all = get_json(a, "/api/http?limit=5");
    assert_eq!(all["rows"].as_array().unwrap().len(), 5);
    assert!(all["total"].as_u64().unwrap() >= 280);

    let f = get_json(a, &format!("/api/files?entity={}", enc(CLIENT)));
    assert!(f["total"].as_u64().unwrap() > 0);
    let total: u64 = f["rows"].as_array().unwrap().iter().map(|r| r["bytes"].as_u64().unwrap()).sum();
    let client = rows_by_name(&get_json(a, "/api/entities?hierarchy=logical&level=pod"))["client"].clone();
    assert_eq!(total, client["file_bytes"].as_u64().unwrap(), "files add up to the pod's file bytes");
    let etc = get_json(a, &format!("/api/files?entity={}&filter={}", enc(CLIENT), enc("fd.directory=/etc")));
    assert!(etc["rows"].as_array().unwrap().iter().all(|r| r["path"].as_str().unwrap().starts_with("/etc/")));
}

#[test]
fn entities_know_their_place_in_every_hierarchy() {
    let a = server();
    let e = get_json(a, &format!("/api/entity?id={}", enc(CSJ02)));
    let ids = |h: &str| e["paths"][h].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(ids("physical"), ["node:10.0.2.15", CSJ02]);
    assert_eq!(ids("logical"), ["ns:critical-app", BACKEND, CSJ02]);
    assert_eq!(ids("services"), ["ns:critical-app", "svc:critical-app/backend", CSJ02]);
    assert_eq!(e["attributes"]["ip"], "172.17.0.5");
    assert_eq!(e["totals"]["net_bytes"], 952);

    // A deployment is not in the physical hierarchy: the pivot is a filter.
    let d = get_json(a, &format!("/api/entity?id={}", enc(BACKEND)));
    assert_eq!(d["paths"]["physical"], Value::Null);
    let filter = d["filter"].as_str().unwrap();
    assert_eq!(filter, "k8s.deployment.name=\"backend\" and k8s.ns.name=\"critical-app\"");
    let pods = get_json(a, &format!("/api/entities?parent=node:10.0.2.15&filter={}", enc(filter)));
    assert_eq!(pods["total"], 3);
    let ns = get_json(a, "/api/entity?id=ns:default");
    assert_eq!(ns["paths"]["logical"][0]["id"], "ns:default", "a namespace without pods has a path too");
}

/// What sysdig says of a process: from its events, the command line and user of the
/// last one and whether its main thread's exit is among them; from the thread table the
/// capture starts with (`-c ps`), the name and user of processes with no event.
#[derive(Default)]
struct SysdigProcess {
    name: String,
    cmdline: Option<String>,
    user: String,
    exited: bool,
}

fn sysdig(args: &[&str]) -> String {
    let out = std::process::Command::new("sysdig").arg("-r").arg(k8s_capture()).args(args).output().expect("sysdig 0.29.3 runs (apt-get install sysdig)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn sysdig_processes() -> std::collections::BTreeMap<i64, SysdigProcess> {
    let mut procs: std::collections::BTreeMap<i64, SysdigProcess> = Default::default();
    for line in sysdig(&["-c", "ps"]).lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (Some(tid), Some(Ok(pid)), Some(user), Some(cmd)) = (f.first(), f.get(1).map(|p| p.parse::<i64>()), f.get(2), f.get(6)) else { continue };
        // A process is named by its main thread.
        if *tid != f[1] {
            continue;
        }
        procs.insert(pid, SysdigProcess { name: cmd.to_string(), user: user.to_string(), ..Default::default() });
    }
    for line in sysdig(&["-p", "%proc.pid|%thread.tid|%evt.type|%user.name|%proc.name|%proc.cmdline"]).lines() {
        let f: Vec<&str> = line.splitn(6, '|').collect();
        let (Ok(pid), Ok(tid)) = (f[0].parse::<i64>(), f[1].parse::<i64>()) else { continue };
        let e = procs.entry(pid).or_default();
        // sysdig names an event by its thread's comm; a process goes by its main thread's.
        if tid == pid {
            e.name = f[4].to_string();
            e.cmdline = Some(f[5].to_string());
            e.user = f[3].to_string();
        } else if e.name.is_empty() {
            e.name = f[4].to_string();
            e.user = f[3].to_string();
        }
        if f[2] == "procexit" && tid == pid {
            e.exited = true;
        }
    }
    procs
}

#[test]
fn process_rows_say_pid_command_line_user_and_whether_they_run_as_sysdig_does() {
    let a = server();
    let truth = sysdig_processes();
    let v = get_json(a, "/api/entities?hierarchy=physical&level=process&limit=100000");
    let rows = v["rows"].as_array().unwrap();
    assert!(rows.len() > 100, "{}", rows.len());
    let mut exited = 0;
    for r in rows {
        let p = &r["process"];
        let pid = p["pid"].as_i64().unwrap_or_else(|| panic!("a process row without its pid: {r:#}"));
        let id = r["id"].as_str().unwrap();
        assert!(id.ends_with(&format!(":{pid}")), "{id} is pid {pid}");
        let Some(sd) = truth.get(&pid) else { panic!("pid {pid} ({id}) is not in sysdig's output") };
        assert_eq!(r["name"].as_str().unwrap(), sd.name, "pid {pid}");
        if let Some(cmdline) = &sd.cmdline {
            assert_eq!(p["cmdline"].as_str().unwrap(), cmdline, "pid {pid}");
        }
        assert_eq!(p["user"].as_str().unwrap_or("<none>"), sd.user, "pid {pid}");
        // The capture ends with the data: a process is alive at its end unless it exited.
        assert_eq!(p["alive"].as_bool().unwrap(), !sd.exited, "pid {pid} {}", sd.name);
        exited += usize::from(sd.exited);
    }
    assert!(exited > 50, "the capture's short-lived iptables runs have exited: {exited}");

    // Only the running ones.
    let alive = get_json(a, "/api/entities?hierarchy=physical&level=process&alive=true&limit=100000");
    let alive_rows = alive["rows"].as_array().unwrap();
    assert_eq!(alive_rows.len(), rows.len() - exited);
    assert!(alive_rows.iter().all(|r| r["process"]["alive"] == true));

    // Grouped by command: one row per name, counting its processes, with their sums.
    let grouped = get_json(a, "/api/entities?hierarchy=physical&level=process&group=command&limit=100000&sort=name");
    let groups = rows_by_name(&grouped);
    let mut expected: std::collections::BTreeMap<&str, (u64, u64)> = Default::default();
    for r in rows {
        let e = expected.entry(r["name"].as_str().unwrap()).or_default();
        e.0 += 1;
        e.1 += r["net_bytes"].as_u64().unwrap() + r["file_bytes"].as_u64().unwrap();
    }
    assert_eq!(groups.len(), expected.len());
    for (name, (count, bytes)) in &expected {
        let g = &groups[*name];
        assert_eq!(g["id"], format!("cmdgroup:{name}"));
        assert_eq!(g["count"].as_u64().unwrap(), *count, "{name}");
        assert_eq!(g["processes"].as_u64().unwrap(), *count, "{name}");
        assert_eq!(g["net_bytes"].as_u64().unwrap() + g["file_bytes"].as_u64().unwrap(), *bytes, "{name}");
        assert!(g.get("process").is_none());
    }
    assert!(groups["iptables"]["count"].as_u64().unwrap() > 10, "{:#}", groups["iptables"]);
    // Bad values say what is allowed.
    let r = get(a, "/api/entities?level=process&group=pid", None);
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("command"), "{}", r.body);
}
