//! The whole cluster in one explorer: three `kinsight agent`s, one per node, write to a
//! real VictoriaMetrics (Debian `victoria-metrics` 1.79, started here); `kinsight hub
//! --store` reads it back and serves the cluster.
//!
//! The cluster is made of real parts on this machine: each pod has a network namespace of
//! its own (a veth pair on a bridge this test creates, its address the pod IP the API
//! server reports) and a container's cgroups (the container id the API server reports),
//! and runs a real program in them. The API server is the protocol-faithful test server:
//! nodes `node-a`, `node-b`, `node-c`; deployment `backend` with a pod on each node behind
//! service `backend`; a `client` pod on `node-a` that calls the three backends over TCP
//! across the namespaces. Each backend counts the bytes it read and wrote and the requests
//! it answered; the hub's logical view must show exactly their sums. All agents share one
//! kernel here, so each also sees the other nodes' pods as containers it cannot name: they
//! appear outside pods on its node and leave the pods' numbers alone.
//!
//! Faults: an agent killed is stale in the hub with its last data, the other nodes
//! unaffected; restarted, its counters continue with no double count.

#[path = "support/cgroups.rs"]
mod cgroups;

use cgroups::ContainerCgroups;
use kinsight_kube_testserver::sim::Sim;
use kinsight_kube_testserver::{Credentials, Resource, ServerConfig, TestServer};
use kinsight_teststores::StoreProcess;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const KINSIGHT: &str = env!("CARGO_BIN_EXE_kinsight");
const NODES: [&str; 3] = ["node-a", "node-b", "node-c"];

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Why this test cannot run here, if it cannot.
fn skip_reason() -> Option<String> {
    if !is_root() {
        return Some("not root (network namespaces, cgroups and BPF need it)".into());
    }
    if !Path::new("/usr/bin/python3").is_file() {
        return Some("/usr/bin/python3 is missing".into());
    }
    let out = Command::new(KINSIGHT).args(["live", "--mode", "full", "--once", "--interval", "1", "--view", "procs", "--format", "json"]).output().expect("run kinsight");
    let err = String::from_utf8_lossy(&out.stderr);
    err.lines().find(|l| l.contains("BPF is not in use")).map(|l| l.to_string())
}

fn sh(cmd: &str) {
    let out = Command::new("sh").arg("-c").arg(cmd).output().unwrap();
    assert!(out.status.success(), "{cmd}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A bridge and one network namespace per pod, each with a veth pair on the bridge; all
/// removed on drop.
struct Network {
    bridge: String,
    namespaces: Vec<String>,
}

impl Network {
    fn create(tag: &str, pods: usize) -> Network {
        let bridge = format!("kib{tag}");
        let _ = Command::new("ip").args(["link", "del", &bridge]).output();
        sh(&format!("ip link add {bridge} type bridge && ip addr add 10.231.{tag}.1/24 dev {bridge} && ip link set {bridge} up"));
        let mut namespaces = vec![];
        for i in 0..pods {
            let ns = format!("kins{tag}p{i}");
            let _ = Command::new("ip").args(["netns", "del", &ns]).output();
            let (host_end, pod_end) = (format!("kiv{tag}h{i}"), format!("kiv{tag}p{i}"));
            sh(&format!(
                "ip netns add {ns} && ip link add {host_end} type veth peer name {pod_end} && ip link set {pod_end} netns {ns} && \
                 ip link set {host_end} master {bridge} up && ip -n {ns} addr add {ip}/24 dev {pod_end} && ip -n {ns} link set {pod_end} up && ip -n {ns} link set lo up",
                ip = Self::ip(tag, i)
            ));
            namespaces.push(ns);
        }
        Network { bridge, namespaces }
    }

    fn ip(tag: &str, pod: usize) -> String {
        format!("10.231.{tag}.{}", 10 + pod)
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        for ns in &self.namespaces {
            let _ = Command::new("ip").args(["netns", "del", ns]).output();
        }
        let _ = Command::new("ip").args(["link", "del", &self.bridge]).output();
    }
}

/// The backend: answers each request on a connection of its own, and counts what it read,
/// wrote and answered. The counts are printed after each connection (the truth).
const BACKEND: &str = r#"
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 8080)); s.listen(64)
read = written = answered = 0
print("ready", flush=True)
while True:
    c, _ = s.accept()
    req = b""
    while b"\r\n\r\n" not in req:
        d = c.recv(4096)
        if not d: break
        read += len(d); req += d
    body = b"backend " + sys.argv[1].encode() + b" " + req.split(b" ")[1] + b"\n" * 200
    resp = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body
    c.sendall(resp); written += len(resp); answered += 1
    c.close()
    print("counts", read, written, answered, flush=True)
"#;

/// The client: `n` GETs to each address given, one connection each.
const CLIENT: &str = r#"
import socket, sys
n = int(sys.argv[1])
for i in range(n):
    for ip in sys.argv[2:]:
        c = socket.create_connection((ip, 8080))
        c.sendall(b"GET /item/%d HTTP/1.1\r\nHost: backend.shop\r\nConnection: close\r\n\r\n" % i)
        while c.recv(65536): pass
        c.close()
"#;

/// A program in a pod: in the pod's network namespace and its container's cgroups from
/// its first instruction on.
struct PodProcess {
    child: Child,
    stdout: BufReader<std::process::ChildStdout>,
}

impl PodProcess {
    fn start(cg: &ContainerCgroups, netns: &str, args: &[&str]) -> PodProcess {
        let cmd = args.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(" ");
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("read go; exec ip netns exec {netns} {cmd}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        cg.join(child.id());
        child.stdin.take().unwrap().write_all(b"go\n").unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        PodProcess { child, stdout }
    }

    fn line(&mut self) -> String {
        let mut l = String::new();
        assert!(self.stdout.read_line(&mut l).unwrap() > 0, "the pod's program ended");
        l
    }
}

impl Drop for PodProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A backend's own counts: bytes read, bytes written, requests answered.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Counts {
    read: u64,
    written: u64,
    answered: u64,
}

impl Counts {
    fn of(p: &mut PodProcess, answered: u64) -> Counts {
        loop {
            let l = p.line();
            let v: Vec<u64> = l.split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
            if v.len() == 3 && v[2] == answered {
                return Counts { read: v[0], written: v[1], answered: v[2] };
            }
        }
    }
}

/// A kinsight process (agent or hub), killed on drop, with the address it serves.
struct Running {
    child: Child,
    addr: String,
}

impl Running {
    fn start(args: &[String]) -> Running {
        let mut child = Command::new(KINSIGHT).args(args).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("start kinsight");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let addr = loop {
            line.clear();
            assert!(out.read_line(&mut line).unwrap() > 0, "kinsight {args:?} exited before serving");
            if let Some(rest) = line.split("serving at http://").nth(1) {
                break rest.split('#').next().unwrap().trim().trim_end_matches('/').to_string();
            }
        };
        // Keep reading its stdout so it never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            let _ = out.read_to_string(&mut sink);
        });
        Running { child, addr }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill();
    }
}

fn api_get(addr: &str, path: &str) -> Value {
    let mut c = TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(c, "GET {path} HTTP/1.0\r\nHost: {addr}\r\nAuthorization: Bearer cluster-test\r\n\r\n").unwrap();
    let mut text = String::new();
    c.read_to_string(&mut text).unwrap();
    let body = text.split_once("\r\n\r\n").map(|x| x.1).unwrap_or("");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

fn row<'a>(reply: &'a Value, name: &str) -> Option<&'a Value> {
    reply["rows"].as_array()?.iter().find(|r| r["name"] == name)
}

/// Polls `f` until it returns Some, at most `within`.
fn eventually<T>(within: Duration, what: &str, mut f: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + within;
    loop {
        match f() {
            Ok(v) => return v,
            Err(last) if Instant::now() > deadline => panic!("{what} not seen in {within:?}; last: {last}"),
            Err(_) => std::thread::sleep(Duration::from_millis(500)),
        }
    }
}

struct Pod {
    name: String,
    uid: String,
    node: String,
    cgroups: ContainerCgroups,
    netns: String,
    ip: String,
}

/// Which store the agents write to and the hub reads.
#[derive(Clone, Copy, PartialEq)]
enum StoreKind {
    VictoriaMetrics,
    Prometheus,
}

#[test]
fn the_hub_serves_three_nodes_from_victoria_metrics_with_a_node_lost_and_back() {
    cluster_run("the_hub_serves_three_nodes_from_victoria_metrics_with_a_node_lost_and_back", StoreKind::VictoriaMetrics);
}

#[test]
fn the_hub_serves_three_nodes_from_prometheus_with_a_node_lost_and_back() {
    cluster_run("the_hub_serves_three_nodes_from_prometheus_with_a_node_lost_and_back", StoreKind::Prometheus);
}

/// The whole scenario against one store. VictoriaMetrics' answers must be exact.
/// Prometheus' `increase` extrapolates past a series' last sample by half its mean sample
/// interval, which on the seconds-old series of this test is up to a third of the value:
/// with it a number must be within 35 % (the structure, staleness and drill-downs are
/// checked the same).
fn cluster_run(test: &str, kind: StoreKind) {
    if let Some(why) = skip_reason() {
        eprintln!("{test}: skipped: {why}");
        return;
    }
    // One cluster at a time: each is three agents tracing every system call.
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let same = move |actual: &Value, expected: u64| -> bool {
        let Some(a) = actual.as_u64().or_else(|| actual.as_f64().map(|f| f.round() as u64)) else { return false };
        match kind {
            StoreKind::VictoriaMetrics => a == expected,
            StoreKind::Prometheus => a.abs_diff(expected) as f64 <= expected as f64 * 0.35,
        }
    };
    let tag = (std::process::id() % 100 * 2 + 20 + kind as u32).to_string();
    let tmp = std::env::temp_dir().join(format!("kinsight-cluster-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::create_dir_all(tmp.join("store")).unwrap();
    let store = match kind {
        StoreKind::VictoriaMetrics => StoreProcess::victoria_metrics(&tmp.join("store")),
        StoreKind::Prometheus => StoreProcess::prometheus(&tmp.join("store")),
    };

    // The cluster as the API server describes it.
    let api = TestServer::start(ServerConfig::default()).unwrap();
    let mut sim = Sim::new(&api);
    let nodes: Vec<String> = NODES.iter().map(|n| n.to_string()).collect();
    for n in &nodes {
        sim.node(n).unwrap();
    }
    sim.namespace("shop").unwrap();
    sim.deployment("shop", "backend", 3, &nodes).unwrap();
    sim.deployment("shop", "client", 1, &nodes[..1]).unwrap();
    sim.service("shop", "backend", &[("app", "backend")]).unwrap();
    let network = Network::create(&tag, 4);
    let mut pods: Vec<Pod> = vec![];
    for (i, p) in api.objects_in(Resource::Pods, "shop").iter().enumerate() {
        let name = p["metadata"]["name"].as_str().unwrap().to_string();
        let uid = p["metadata"]["uid"].as_str().unwrap().to_string();
        let node = p["spec"]["nodeName"].as_str().unwrap().to_string();
        let cgroups = ContainerCgroups::create();
        let ip = Network::ip(&tag, i);
        // The kubelet reports the container the runtime started and the pod's address.
        api.modify(Resource::Pods, "shop", &name, |p| {
            p["status"]["containerStatuses"][0]["containerID"] = Value::String(format!("containerd://{}", cgroups.id));
            p["status"]["podIP"] = Value::String(ip.clone());
            p["status"]["podIPs"] = serde_json::json!([{ "ip": ip }]);
        })
        .unwrap();
        pods.push(Pod { name, uid, node, cgroups, netns: network.namespaces[i].clone(), ip });
    }
    sim.sync_endpoints("shop", "backend").unwrap();
    let backends: Vec<&Pod> = pods.iter().filter(|p| p.name.starts_with("backend-")).collect();
    let client = pods.iter().find(|p| p.name.starts_with("client-")).unwrap();
    let mut on_nodes: Vec<&str> = backends.iter().map(|p| p.node.as_str()).collect();
    on_nodes.sort();
    assert_eq!(on_nodes, NODES, "a backend pod on each node");
    let kubeconfig = tmp.join("kubeconfig");
    std::fs::write(&kubeconfig, api.kubeconfig(Credentials::Anonymous)).unwrap();

    // One agent per node, one hub.
    let write_url = store.url("/api/v1/write");
    let agent = |node: &str| {
        let args: Vec<String> = [
            "agent", "--node", node, "--kubeconfig", kubeconfig.to_str().unwrap(), "--bind", "127.0.0.1:0", "--token", "cluster-test",
            "--data-dir", tmp.join(node).to_str().unwrap(), "--remote-write", &write_url, "--remote-write-interval", "1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        Running::start(&args)
    };
    let mut agents: Vec<Running> = NODES.iter().map(|n| agent(n)).collect();
    let hub_args: Vec<String> = ["hub", "--store", &store.url(""), "--kubeconfig", kubeconfig.to_str().unwrap(), "--bind", "127.0.0.1:0", "--token", "cluster-test", "--data-dir", tmp.join("hub").to_str().unwrap(), "--stale-after", "4"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let hub = Running::start(&hub_args);
    // Each agent's host capture is running before the workloads start.
    for a in &agents {
        eventually(Duration::from_secs(30), "the agent's sources running", || {
            let status = api_get(&a.addr, "/api/status");
            let running = |kind: &str| status["sources"].as_array().unwrap().iter().any(|s| s["kind"] == kind && s["state"] == "running");
            (running("live-host") && running("kubernetes")).then_some(()).ok_or_else(|| status.to_string())
        });
    }

    // The workloads: three backends, then the client calling each of them 10 times.
    let python = |script: &str, name: &str| {
        let path = tmp.join(name);
        std::fs::write(&path, script).unwrap();
        path
    };
    let (backend_py, client_py) = (python(BACKEND, "backend.py"), python(CLIENT, "client.py"));
    let mut servers: Vec<PodProcess> = backends
        .iter()
        .map(|p| {
            let mut s = PodProcess::start(&p.cgroups, &p.netns, &["/usr/bin/python3", "-u", backend_py.to_str().unwrap(), &p.ip]);
            assert_eq!(s.line().trim(), "ready");
            s
        })
        .collect();
    let ips: Vec<&str> = backends.iter().map(|p| p.ip.as_str()).collect();
    let run_client = |n: u32, targets: &[&str]| {
        let mut args = vec!["/usr/bin/python3".to_string(), client_py.to_str().unwrap().to_string(), n.to_string()];
        args.extend(targets.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut c = PodProcess::start(&client.cgroups, &client.netns, &refs);
        let status = c.child.wait().unwrap();
        assert!(status.success(), "the client failed");
    };
    run_client(10, &ips);
    let counts: Vec<Counts> = servers.iter_mut().map(|s| Counts::of(s, 10)).collect();
    let net_expected: u64 = counts.iter().map(|c| c.read + c.written).sum();

    // The hub's logical view: backend is the sum of its three pods' own counts.
    let workloads = format!("/api/entities?hierarchy=logical&level=workload&filter={}", enc("k8s.ns.name=shop"));
    let backend = eventually(Duration::from_secs(60), "backend's bytes and requests in the hub", || {
        let reply = api_get(&hub.addr, &workloads);
        let b = row(&reply, "backend").cloned().ok_or_else(|| reply.to_string())?;
        if same(&b["net_bytes"], net_expected) && same(&b["http_requests"], 30) {
            return Ok(b);
        }
        // What each agent saw of its own pods, to tell a capture's loss from the store's.
        let own: Vec<String> = agents.iter().map(|a| format!("{} {}", api_get(&a.addr, &format!("/api/entities?hierarchy=logical&level=pod&filter={}", enc("k8s.ns.name=shop")))["rows"], api_get(&a.addr, "/api/status")["sources"])).collect();
        Err(format!("want net {net_expected}, 30 requests: {b}\nthe agents: {own:#?}"))
    });
    assert_eq!(backend["kind"], "deployment");
    assert_eq!(backend["http_errors"], 0);
    // Then the rest of the picture, checked together until it holds (Prometheus'
    // extrapolation shrinks as the series grow).
    let check = || -> Result<(), String> {
        let reply = api_get(&hub.addr, &workloads);
        let c = row(&reply, "client").ok_or_else(|| reply.to_string())?;
        if !(same(&c["http_out_requests"], 30) && same(&c["net_bytes"], net_expected)) {
            return Err(format!("the client sent 30 requests moving {net_expected} bytes: {c}"));
        }
        // Each pod, on its node, with its own backend's counts.
        let pods_reply = api_get(&hub.addr, &format!("/api/entities?hierarchy=logical&level=pod&filter={}", enc("k8s.ns.name=shop")));
        for (p, c) in backends.iter().zip(&counts) {
            let r = row(&pods_reply, &p.name).ok_or_else(|| format!("{} in {pods_reply}", p.name))?;
            if !(same(&r["net_in_bytes"], c.read) && same(&r["net_out_bytes"], c.written) && same(&r["http_requests"], c.answered)) {
                return Err(format!("{}: {c:?} counted, {r}", p.name));
            }
        }
        // The service is the same sum, seen from the services hierarchy.
        let services = api_get(&hub.addr, &format!("/api/entities?hierarchy=services&level=service&filter={}", enc("k8s.ns.name=shop")));
        let svc = row(&services, "backend").ok_or_else(|| services.to_string())?;
        if !same(&svc["net_bytes"], net_expected) {
            return Err(format!("service backend moved {net_expected}: {svc}"));
        }
        // The topology: the client's pod calls each backend pod across the nodes, with the
        // bytes each backend counted; at the service level the calls go to service backend.
        let topo = api_get(&hub.addr, &format!("/api/topology?hierarchy=logical&level=pod&filter={}", enc("k8s.ns.name=shop")));
        let node_id = |name: &str| topo["nodes"].as_array().unwrap().iter().find(|n| n["name"] == name).map(|n| n["id"].as_str().unwrap().to_string());
        let client_id = node_id(&client.name).ok_or_else(|| format!("client pod on the map: {topo}"))?;
        for (p, c) in backends.iter().zip(&counts) {
            let target = node_id(&p.name).ok_or_else(|| format!("{} on the map: {topo}", p.name))?;
            let edge = topo["edges"].as_array().unwrap().iter().find(|e| e["source"] == client_id.as_str() && e["target"] == target.as_str()).ok_or_else(|| format!("client → {} ({}) in {topo}", p.name, p.node))?;
            if !(same(&edge["bytes"], c.read + c.written) && edge["ports"] == serde_json::json!([8080])) {
                return Err(format!("client → {} on {}: {c:?}, {edge}", p.name, p.node));
            }
        }
        let topo = api_get(&hub.addr, &format!("/api/topology?hierarchy=services&level=service&filter={}", enc("k8s.ns.name=shop")));
        // (Edges from or to a node are the agents seeing the other nodes' pods through the
        // kernel they share here, as processes outside pods: they never touch a pod's edges.)
        let to_service: Vec<&Value> = topo["edges"].as_array().unwrap().iter().filter(|e| e["target"] == "svc:shop/backend" && e["source"] == "nosvc:shop").collect();
        if !(to_service.len() == 1 && same(&to_service[0]["bytes"], net_expected)) {
            return Err(format!("the client's calls to service backend ({net_expected}): {topo}"));
        }
        Ok(())
    };
    eventually(Duration::from_secs(60), "the cluster's pods, service and topology", check);

    // The physical view: three nodes, each with its backend pod, none stale.
    let physical = api_get(&hub.addr, "/api/entities?hierarchy=physical");
    for (n, p) in NODES.iter().map(|n| (n, backends.iter().find(|p| p.node == *n).unwrap())) {
        let node = row(&physical, n).unwrap_or_else(|| panic!("{n} in {physical}"));
        assert_eq!(node["agent"]["stale"], false, "{node}");
        let inside = api_get(&hub.addr, &format!("/api/entities?hierarchy=physical&parent={}", enc(node["id"].as_str().unwrap())));
        let pod = row(&inside, &p.name).unwrap_or_else(|| panic!("{} under {n}: {inside}", p.name));
        assert!(pod["net_bytes"].as_u64().unwrap() > 0, "{pod}");
    }

    // Raw detail comes from the agents: a pod's HTTP transactions from its node's agent, a
    // workload's connections from the agents of all its nodes.
    let b_pod = backends.iter().find(|p| p.node == "node-b").unwrap();
    let http = api_get(&hub.addr, &format!("/api/http?entity={}", enc(&format!("pod:{}", b_pod.uid))));
    assert_eq!(http["rows"].as_array().map(Vec::len), Some(10), "backend on node-b served 10 requests: {http}");
    assert_eq!(http["agents"], serde_json::json!([{ "node": "node-b", "url": format!("http://{}", agents[1].addr), "ok": true, "error": null, "rows": 10 }]), "{http}");
    let conns = api_get(&hub.addr, &format!("/api/connections?entity={}", enc("wl:shop/deployment/backend")));
    let asked: Vec<&str> = conns["agents"].as_array().unwrap().iter().filter(|a| a["ok"] == true && a["rows"].as_u64() > Some(0)).map(|a| a["node"].as_str().unwrap()).collect();
    assert_eq!(asked, NODES, "each node's agent gave its backend's connections: {conns}");

    // node-b's agent dies: node-b is stale, its data stays, the others are unaffected.
    let b = NODES.iter().position(|n| *n == "node-b").unwrap();
    agents[b].kill();
    let physical = eventually(Duration::from_secs(30), "node-b stale", || {
        let reply = api_get(&hub.addr, "/api/entities?hierarchy=physical");
        let node = row(&reply, "node-b").cloned().ok_or_else(|| reply.to_string())?;
        (node["agent"]["stale"] == true).then_some(reply.clone()).ok_or_else(|| node.to_string())
    });
    assert_eq!(row(&physical, "node-a").unwrap()["agent"]["stale"], false);
    let reply = api_get(&hub.addr, &workloads);
    assert!(same(&row(&reply, "backend").unwrap()["net_bytes"], net_expected), "a stale node keeps its last data ({net_expected}): {reply}");
    let status = api_get(&hub.addr, "/api/status");
    assert_eq!(status["store"]["agents"]["node-b"]["stale"], true, "{status}");
    // A drill-down into node-b names it as not answering.
    let http = api_get(&hub.addr, &format!("/api/http?entity={}", enc(&format!("pod:{}", b_pod.uid))));
    let said = &http["agents"][0];
    assert!(said["node"] == "node-b" && said["ok"] == false && said["error"].as_str().is_some_and(|e| !e.is_empty()), "{http}");
    assert_eq!(http["rows"], serde_json::json!([]));

    // Restarted on its data: its counters continue, nothing is counted twice.
    agents[b] = agent("node-b");
    eventually(Duration::from_secs(30), "node-b's agent running again", || {
        let status = api_get(&agents[b].addr, "/api/status");
        let running = |kind: &str| status["sources"].as_array().unwrap().iter().any(|s| s["kind"] == kind && s["state"] == "running");
        (running("live-host") && running("kubernetes")).then_some(()).ok_or_else(|| status.to_string())
    });
    let b_index = backends.iter().position(|p| p.node == "node-b").unwrap();
    run_client(5, &[ips[b_index]]);
    let after = Counts::of(&mut servers[b_index], 15);
    let more = (after.read + after.written) - (counts[b_index].read + counts[b_index].written);
    eventually(Duration::from_secs(60), "the restarted node's new requests, counted once", || {
        let reply = api_get(&hub.addr, &workloads);
        let r = row(&reply, "backend").cloned().ok_or_else(|| reply.to_string())?;
        (same(&r["net_bytes"], net_expected + more) && same(&r["http_requests"], 35)).then_some(()).ok_or_else(|| format!("want net {}, 35 requests: {r}", net_expected + more))
    });
    eventually(Duration::from_secs(20), "node-b reporting again", || {
        let physical = api_get(&hub.addr, "/api/entities?hierarchy=physical");
        let agent = &row(&physical, "node-b").ok_or_else(|| physical.to_string())?["agent"];
        (agent["stale"] == false && agent["url"] == format!("http://{}", agents[b].addr).as_str()).then_some(()).ok_or_else(|| agent.to_string())
    });
    let net_expected = net_expected + more;

    // The hub restarts: the history is the store's, nothing is lost.
    drop(hub);
    let hub = Running::start(&hub_args);
    eventually(Duration::from_secs(30), "the restarted hub's backend", || {
        let reply = api_get(&hub.addr, &workloads);
        let r = row(&reply, "backend").cloned().ok_or_else(|| reply.to_string())?;
        (same(&r["net_bytes"], net_expected) && same(&r["http_requests"], 35)).then_some(()).ok_or_else(|| r.to_string())
    });

    // The store is down for a minute: the agents keep counting and serving their node, say
    // that they cannot send, and lose nothing once it is back.
    let mut store = store;
    store.stop();
    let a_index = backends.iter().position(|p| p.node == "node-a").unwrap();
    run_client(5, &[ips[a_index]]);
    let after_a = Counts::of(&mut servers[a_index], 15);
    let more_a = (after_a.read + after_a.written) - (counts[a_index].read + counts[a_index].written);
    let a = NODES.iter().position(|n| *n == "node-a").unwrap();
    let local = eventually(Duration::from_secs(30), "node-a's agent serving its pod on its own", || {
        let reply = api_get(&agents[a].addr, &format!("/api/entities?hierarchy=logical&level=pod&filter={}", enc("k8s.ns.name=shop")));
        let r = row(&reply, &backends[a_index].name).cloned().ok_or_else(|| reply.to_string())?;
        (r["http_requests"] == 15).then_some(r.clone()).ok_or_else(|| r.to_string())
    });
    assert_eq!(local["net_bytes"], after_a.read + after_a.written, "{local}");
    std::thread::sleep(Duration::from_secs(60));
    let status = api_get(&agents[a].addr, "/api/status");
    let rw = &status["remote_write"];
    assert_eq!(rw["failing"], true, "{rw}");
    assert!(rw["queued_samples"].as_u64().unwrap() > 0 && rw["last_error"].as_str().unwrap().contains(&store.port.to_string()), "{rw}");
    assert_eq!(rw["dropped_queue_full"], 0, "{rw}");
    let hub_status = api_get(&hub.addr, "/api/status");
    assert!(hub_status["store"]["error"].as_str().is_some_and(|e| e.contains("unreachable")), "the hub says its store is down: {hub_status}");
    store.restart();
    eventually(Duration::from_secs(90), "node-a's requests made during the outage", || {
        let reply = api_get(&hub.addr, &workloads);
        let r = row(&reply, "backend").cloned().ok_or_else(|| reply.to_string())?;
        (same(&r["net_bytes"], net_expected + more_a) && same(&r["http_requests"], 40)).then_some(()).ok_or_else(|| format!("want net {}, 40 requests: {r}", net_expected + more_a))
    });
    let rw = &api_get(&agents[a].addr, "/api/status")["remote_write"];
    assert_eq!((rw["dropped_queue_full"].as_u64(), rw["dropped_refused"].as_u64()), (Some(0), Some(0)), "nothing dropped: {rw}");
    drop(servers);
    drop(network);
    let _ = std::fs::remove_dir_all(&tmp);
}
