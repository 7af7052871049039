//! The cluster's structure in the explorer with no activity at all: `kinsight up --capture
//! none` against the test API server (a faithful simulation of kube-apiserver's list and
//! watch protocol, checked against kubectl in its own tests), and kubectl asked the same
//! server in the same test as the truth. Every workload and pod kubectl lists must be at
//! its place in the logical and physical hierarchies, in the state kubectl reports,
//! within 2 s of its creation, change and deletion, and again after the API server
//! restarts and after a 410 Gone. A rollout leaves the old pods in the earlier range and
//! the replacement in "what changed".

#[path = "support/e2e.rs"]
mod e2e;

use kinsight_kube_testserver::sim::Sim;
use kinsight_kube_testserver::{Credentials, Resource, ServerConfig, TestServer};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const KINSIGHT: &str = env!("CARGO_BIN_EXE_kinsight");
/// The promise: a change of the cluster is in the explorer within this.
const PROPAGATION: Duration = Duration::from_secs(2);

fn now_ns() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn api_get(addr: &str, path: &str) -> Value {
    try_get(addr, path).unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

/// `None` for an entity the explorer does not know (yet).
fn try_get(addr: &str, path: &str) -> Result<Value, String> {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    if !head.starts_with("HTTP/1.1 200") {
        return Err(format!("{head}\n{body}"));
    }
    // The server answers with a length (no chunking) for these small replies.
    serde_json::from_str(body).map_err(|e| format!("{e}: {body}"))
}

struct Up {
    child: Child,
    addr: String,
    /// Held open: kinsight keeps writing to its stdout.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Up {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_up(kubeconfig: &Path, data: &Path) -> Up {
    let mut child = Command::new(KINSIGHT)
        .args(["up", "--capture", "none", "--bind", "127.0.0.1:0", "--data-dir", data.to_str().unwrap(), "--kubeconfig", kubeconfig.to_str().unwrap()])
        .stdout(Stdio::piped())
        // Its warnings and a panic, if any, are the test's evidence.
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start kinsight up");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "kinsight up exited before serving");
        if let Some(rest) = line.split("serving at http://").nth(1) {
            break rest.trim().trim_end_matches('/').to_string();
        }
    };
    Up { child, addr, _stdout: stdout }
}

/// What kubectl says: `(namespace, kind, name)` of every controller and pod, and per pod
/// its phase and node.
#[derive(Debug, PartialEq, Eq, Clone, Default)]
struct Truth {
    /// Controllers no other controller owns, as the explorer lists them at the workload
    /// level (bare pods are their own workload).
    top_workloads: BTreeSet<(String, String, String)>,
    /// Controllers inside another: `(namespace, owner kind/name, kind/name)`.
    nested: BTreeSet<(String, String, String)>,
    /// `(namespace, name, phase, node)`.
    pods: BTreeSet<(String, String, String, String)>,
}

fn kubectl(kubeconfig: &Path, what: &str) -> Vec<Value> {
    let out = Command::new("kubectl").args(["--kubeconfig", kubeconfig.to_str().unwrap(), "get", what, "-A", "-o", "json"]).output().expect("kubectl");
    assert!(out.status.success(), "kubectl get {what}: {}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["items"].as_array().unwrap().clone()
}

fn truth(kubeconfig: &Path) -> Truth {
    let mut t = Truth::default();
    let workloads = kubectl(kubeconfig, "deployments,replicasets,statefulsets,daemonsets,jobs,cronjobs,replicationcontrollers");
    let s = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_str).unwrap_or_default().to_string();
    let controller_of = |v: &Value| v["metadata"]["ownerReferences"].as_array().and_then(|o| o.iter().find(|r| r["controller"] == true).cloned());
    for w in &workloads {
        let ns = s(w, "/metadata/namespace");
        let kind = s(w, "/kind").to_lowercase();
        let name = s(w, "/metadata/name");
        match controller_of(w) {
            Some(o) => {
                t.nested.insert((ns, format!("{}/{}", s(&o, "/kind").to_lowercase(), s(&o, "/name")), format!("{kind}/{name}")));
            }
            None => {
                t.top_workloads.insert((ns, kind, name));
            }
        }
    }
    for p in kubectl(kubeconfig, "pods") {
        let ns = s(&p, "/metadata/namespace");
        let name = s(&p, "/metadata/name");
        if controller_of(&p).is_none() {
            t.top_workloads.insert((ns.clone(), "pod".into(), name.clone()));
        }
        t.pods.insert((ns, name, s(&p, "/status/phase"), s(&p, "/spec/nodeName")));
    }
    t
}

fn rows(addr: &str, path: &str) -> Vec<Value> {
    api_get(addr, path)["rows"].as_array().unwrap().clone()
}

/// Rows under a parent the explorer may not know yet (no rows then).
fn rows_under(addr: &str, path: &str) -> Vec<Value> {
    match try_get(addr, path) {
        Ok(v) => v["rows"].as_array().unwrap().clone(),
        Err(e) if e.contains("unknown_entity") => Vec::new(),
        Err(e) => panic!("GET {path}: {e}"),
    }
}

fn alive(r: &Value) -> bool {
    r["k8s"]["deleted_ns"].is_null()
}

/// What the explorer shows, in the same terms, from both hierarchies.
fn explorer(addr: &str, truth_nodes: &BTreeSet<String>) -> Truth {
    let mut t = Truth::default();
    let namespaces = rows(addr, "/api/entities?hierarchy=logical&level=namespace&limit=100000");
    for ns in namespaces.iter().filter(|r| alive(r)) {
        let ns_name = ns["name"].as_str().unwrap();
        for w in rows_under(addr, &format!("/api/entities?hierarchy=logical&parent={}&level=workload&limit=100000", enc(&format!("ns:{ns_name}")))).iter().filter(|r| alive(r)) {
            let (kind, name) = (w["kind"].as_str().unwrap(), w["name"].as_str().unwrap());
            t.top_workloads.insert((ns_name.to_string(), kind.to_string(), name.to_string()));
            let Ok(detail) = try_get(addr, &format!("/api/entity?id={}", enc(w["id"].as_str().unwrap()))) else { continue };
            for c in detail["controllers"].as_array().into_iter().flatten().filter(|c| c["k8s"]["deleted_ns"].is_null()) {
                t.nested.insert((ns_name.to_string(), format!("{kind}/{name}"), format!("{}/{}", c["kind"].as_str().unwrap(), c["name"].as_str().unwrap())));
            }
        }
    }
    // Pods from the physical hierarchy: under their node (or not scheduled).
    let mut parents: Vec<String> = truth_nodes.iter().map(|n| format!("node:{n}")).collect();
    parents.push("unscheduled:".into());
    for parent in parents {
        for p in rows_under(addr, &format!("/api/entities?hierarchy=physical&parent={}&level=pod&limit=100000", enc(&parent))).iter().filter(|r| alive(r)) {
            let node = p["k8s"]["node"].as_str().unwrap_or_default().to_string();
            assert_eq!(parent == "unscheduled:", node.is_empty(), "pod {p} under {parent}");
            t.pods.insert((p["namespace"].as_str().unwrap().into(), p["name"].as_str().unwrap().into(), p["k8s"]["phase"].as_str().unwrap_or_default().into(), node));
        }
    }
    t
}

fn node_names(kubeconfig: &Path) -> BTreeSet<String> {
    kubectl(kubeconfig, "nodes").iter().map(|n| n["metadata"]["name"].as_str().unwrap().to_string()).collect()
}

/// Waits until the explorer agrees with kubectl, and returns how long the explorer took
/// after `since` (kubectl's own time is not counted against it).
fn agree(addr: &str, kubeconfig: &Path, since: Instant, what: &str) -> Duration {
    let nodes = node_names(kubeconfig);
    let want = truth(kubeconfig);
    let spent_on_kubectl = since.elapsed();
    let start = Instant::now();
    loop {
        let got = explorer(addr, &nodes);
        if got == want {
            let took = spent_on_kubectl + start.elapsed();
            eprintln!("{what}: in the explorer after {took:?}");
            return took;
        }
        if start.elapsed() > Duration::from_secs(20) {
            panic!("{what}: the explorer never agreed with kubectl\nkubectl:  {want:#?}\nexplorer: {got:#?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn within(took: Duration, what: &str) {
    assert!(took <= PROPAGATION, "{what}: took {took:?}, more than {PROPAGATION:?}");
}

fn pending_pod(api: &TestServer, namespace: &str, name: &str) {
    // What the API holds for a pod the scheduler has not placed (a control plane without
    // nodes): no nodeName, phase Pending, a PodScheduled=False condition, no statuses.
    api.create(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": {"containers": [{"name": "app", "image": "registry.example.com/batch:2.1"}], "initContainers": [{"name": "migrate", "image": "registry.example.com/migrate:2.1"}]},
        "status": {"phase": "Pending", "qosClass": "BestEffort", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/2 nodes are available"}]},
    }))
    .unwrap();
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kinsight-structure-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn every_object_kubectl_lists_is_in_both_hierarchies_without_activity() {
    let api = TestServer::start(ServerConfig::default()).unwrap();
    let nodes = vec!["node-a".to_string(), "node-b".to_string()];
    let mut sim = Sim::new(&api);
    for n in &nodes {
        sim.node(n).unwrap();
    }
    sim.namespace("shop").unwrap();
    sim.namespace("batch").unwrap();
    sim.namespace("empty").unwrap();
    sim.deployment("shop", "web", 3, &nodes).unwrap();
    sim.service("shop", "web", &[("app", "web")]).unwrap();
    sim.stateful_set("shop", "db", 2, &nodes).unwrap();
    sim.daemon_set("shop", "agent", &nodes).unwrap();
    sim.cron_job_run("batch", "nightly", "node-a").unwrap();
    sim.bare_pod("shop", "debug", "node-b", &[("app", "debug")]).unwrap();
    pending_pod(&api, "batch", "import");

    let dir = temp_dir("kubectl");
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(&kubeconfig, api.kubeconfig(Credentials::Anonymous)).unwrap();
    let up = start_up(&kubeconfig, &dir.join("data"));
    let addr = up.addr.clone();
    agree(&addr, &kubeconfig, Instant::now(), "the initial list");

    // The pending pod: in the physical view under "not scheduled", with its state and
    // both of its containers (the init container too), neither of which ever started.
    let pending = rows(&addr, "/api/entities?hierarchy=logical&level=pod&filter=k8s.pod.phase%3DPending");
    assert_eq!(pending.len(), 1, "{pending:#?}");
    assert_eq!(pending[0]["name"], "import");
    assert_eq!(pending[0]["k8s"]["ready_containers"], 0);
    let containers = rows(&addr, &format!("/api/entities?hierarchy=logical&parent={}", enc(pending[0]["id"].as_str().unwrap())));
    let mut names: Vec<(&str, &str)> = containers.iter().map(|c| (c["name"].as_str().unwrap(), c["k8s"]["role"].as_str().unwrap())).collect();
    names.sort();
    assert_eq!(names, [("app", "regular"), ("migrate", "init")]);
    // An empty namespace is there too, and the service with the pods it selects.
    assert!(rows(&addr, "/api/entities?hierarchy=logical&level=namespace").iter().any(|r| r["name"] == "empty"));
    let web_pods = rows(&addr, &format!("/api/entities?hierarchy=services&parent={}&level=pod", enc("svc:shop/web")));
    assert_eq!(web_pods.len(), 3, "{web_pods:#?}");

    // Creation.
    let t = Instant::now();
    sim.deployment("shop", "api", 2, &nodes).unwrap();
    within(agree(&addr, &kubeconfig, t, "a new deployment"), "a new deployment");

    // A change: the pod moves to Failed with a restart, as the kubelet reports it.
    let victim = api.objects_in(Resource::Pods, "shop").into_iter().find(|p| p["metadata"]["name"].as_str().unwrap().starts_with("api-")).unwrap();
    let victim_name = victim["metadata"]["name"].as_str().unwrap().to_string();
    let t = Instant::now();
    api.modify(Resource::Pods, "shop", &victim_name, |p| {
        p["status"]["phase"] = json!("Failed");
        p["status"]["containerStatuses"][0]["restartCount"] = json!(4);
        p["metadata"]["labels"]["tier"] = json!("canary");
    })
    .unwrap();
    within(agree(&addr, &kubeconfig, t, "a pod's phase"), "a pod's phase");
    let failed = rows(&addr, &format!("/api/entities?hierarchy=logical&level=pod&filter={}", enc("k8s.pod.restarts>=4 and k8s.pod.label.tier=canary")));
    assert_eq!(failed.iter().map(|r| r["name"].as_str().unwrap()).collect::<Vec<_>>(), [victim_name.as_str()]);
    assert_eq!(failed[0]["k8s"]["restarts"], 4);
    assert_eq!(failed[0]["k8s"]["phase"], "Failed");

    // Deletion: gone from the current structure, kept (marked) in history.
    let t = Instant::now();
    api.delete(Resource::Pods, "shop", &victim_name).unwrap();
    within(agree(&addr, &kubeconfig, t, "a pod's deletion"), "a pod's deletion");
    let changes = api_get(&addr, "/api/changes?namespace=shop&kind=pod");
    let of_victim: Vec<&str> = changes["rows"].as_array().unwrap().iter().filter(|c| c["name"] == victim_name.as_str()).map(|c| c["change"].as_str().unwrap()).collect();
    assert_eq!(of_victim, ["created", "changed", "deleted"], "{changes:#}");
    let changed = changes["rows"].as_array().unwrap().iter().find(|c| c["name"] == victim_name.as_str() && c["change"] == "changed").unwrap();
    let fields: BTreeSet<&str> = changed["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert!(["phase", "restarts", "labels"].iter().all(|f| fields.contains(f)), "{changed:#}");

    // The API server restarts (a new watch cache: resuming watches get 410) and objects
    // change while it is down.
    api.go_down();
    api.delete(Resource::Pods, "shop", "debug").unwrap();
    sim.deployment("batch", "worker", 1, &nodes).unwrap();
    api.come_back().unwrap();
    let t = Instant::now();
    let took = agree(&addr, &kubeconfig, t, "after the API server restarted");
    assert!(took <= Duration::from_secs(10), "a restart is caught up on reconnection: {took:?}");
    let t = Instant::now();
    sim.bare_pod("batch", "probe", "node-a", &[("app", "probe")]).unwrap();
    within(agree(&addr, &kubeconfig, t, "a pod after the restart"), "a pod after the restart");

    // A 410 Gone on every open watch: the relist finds what changed.
    api.expire_watches();
    let t = Instant::now();
    api.delete(Resource::Pods, "batch", "probe").unwrap();
    sim.stateful_set("batch", "cache", 1, &nodes).unwrap();
    let took = agree(&addr, &kubeconfig, t, "after a 410 Gone");
    assert!(took <= Duration::from_secs(10), "a relist after 410 Gone: {took:?}");
    drop(up);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_rollout_keeps_the_old_pods_in_the_past_and_lists_the_replacement() {
    let api = TestServer::start(ServerConfig::default()).unwrap();
    let nodes = vec!["node-a".to_string()];
    let mut sim = Sim::new(&api);
    sim.node("node-a").unwrap();
    sim.namespace("shop").unwrap();
    let before = sim.deployment("shop", "web", 3, &nodes).unwrap();
    let old_pods: BTreeSet<String> = before.pods.iter().map(|p| p["metadata"]["name"].as_str().unwrap().to_string()).collect();
    let old_rs = before.replica_set["metadata"]["name"].as_str().unwrap().to_string();

    let dir = temp_dir("rollout");
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(&kubeconfig, api.kubeconfig(Credentials::Anonymous)).unwrap();
    let up = start_up(&kubeconfig, &dir.join("data"));
    let addr = up.addr.clone();
    agree(&addr, &kubeconfig, Instant::now(), "before the rollout");
    // Pod creation times have a resolution of one second: keep the rollout in a later one.
    std::thread::sleep(Duration::from_millis(1100));
    let t_before = now_ns();
    std::thread::sleep(Duration::from_millis(1100));

    let t = Instant::now();
    sim.rollout("shop", "web", &nodes).unwrap();
    within(agree(&addr, &kubeconfig, t, "the rollout"), "the rollout");
    let new_pods: BTreeSet<String> = api.objects_in(Resource::Pods, "shop").iter().map(|p| p["metadata"]["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(new_pods.len(), 3);
    assert!(new_pods.is_disjoint(&old_pods));
    let t_after = now_ns();

    // The deployment holds both replica sets, the old one scaled to zero.
    let detail = api_get(&addr, &format!("/api/entity?id={}", enc("wl:shop/deployment/web")));
    let sets: Vec<(String, i64)> = detail["controllers"].as_array().unwrap().iter().map(|c| (c["name"].as_str().unwrap().to_string(), c["k8s"]["desired_replicas"].as_i64().unwrap())).collect();
    assert_eq!(sets.len(), 2, "{detail:#}");
    assert!(sets.contains(&(old_rs.clone(), 0)), "{sets:?}");
    assert!(sets.iter().any(|(n, r)| *n != old_rs && *r == 3), "{sets:?}");

    // The earlier range shows the old pods (with their replica set), now the new ones.
    let pods_in = |from: u64, to: Option<u64>| -> BTreeSet<String> {
        let to = to.map(|t| format!("&to={t}")).unwrap_or_default();
        rows(&addr, &format!("/api/entities?hierarchy=logical&parent={}&level=pod&from={from}{to}", enc("wl:shop/deployment/web"))).iter().map(|r| r["name"].as_str().unwrap().to_string()).collect()
    };
    let start_of_history = api_get(&addr, "/api/status")["data"]["from"].as_u64().unwrap();
    assert_eq!(pods_in(start_of_history, Some(t_before)), old_pods, "the structure as it was before the rollout");
    let old_rows = rows(&addr, &format!("/api/entities?hierarchy=logical&parent={}&level=pod&to={t_before}", enc("wl:shop/deployment/web")));
    assert!(old_rows.iter().all(|r| r["k8s"]["owner"] == format!("ReplicaSet/{old_rs}")), "{old_rows:#?}");
    // History must reach past `t_after + 1 s` for that range to exist.
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(pods_in(t_after + 1_000_000_000, None), new_pods, "the structure after the rollout");

    // What changed between the two times: the replacement, pod by pod.
    let changes = api_get(&addr, &format!("/api/changes?from={t_before}&kind=Pod"));
    let by = |what: &str| -> BTreeSet<String> { changes["rows"].as_array().unwrap().iter().filter(|c| c["change"] == what).map(|c| c["name"].as_str().unwrap().to_string()).collect() };
    assert_eq!(by("deleted"), old_pods, "{changes:#}");
    assert_eq!(by("created"), new_pods, "{changes:#}");

    // The rollout's Events are on the deployment, as kubectl lists them.
    let kubectl_events: BTreeSet<(String, String)> = kubectl(&kubeconfig, "events")
        .iter()
        .filter(|e| e["involvedObject"]["kind"] == "Deployment" && e["involvedObject"]["name"] == "web")
        .map(|e| (e["reason"].as_str().unwrap().to_string(), e["message"].as_str().unwrap().to_string()))
        .collect();
    assert!(kubectl_events.iter().any(|(_, m)| m.contains("Scaled down replica set") && m.contains(&old_rs)), "{kubectl_events:?}");
    let on_deployment = |v: &Value| -> BTreeSet<(String, String)> {
        v.as_array().unwrap().iter().map(|e| (e["reason"].as_str().unwrap().to_string(), e["message"].as_str().unwrap().to_string())).collect()
    };
    let detail = api_get(&addr, &format!("/api/entity?id={}", enc("wl:shop/deployment/web")));
    assert_eq!(on_deployment(&detail["events"]), kubectl_events, "{detail:#}");
    let listed = api_get(&addr, &format!("/api/events?namespace=shop&kind=deployment&name=web&from={start_of_history}"));
    assert_eq!(on_deployment(&listed["rows"]), kubectl_events, "{listed:#}");
    // Over the range of the rollout only, its scaling and not the first scale-up.
    let during = api_get(&addr, &format!("/api/events?namespace=shop&kind=Deployment&from={t_before}"));
    let messages: Vec<&str> = during["rows"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert!(messages.iter().any(|m| m.starts_with(&format!("Scaled down replica set {old_rs} "))), "{during:#}");
    assert!(!messages.iter().any(|m| m.starts_with(&format!("Scaled up replica set {old_rs} "))), "{during:#}");
    drop(up);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The structure in a real browser (Debian's chromium driven by playwright-core):
/// ui/e2e/structure.mjs checks the state columns (status, ready, up-to-date, restarts,
/// node, age), the deleted pods of a rollout, the deployment's and a pod's Events in the
/// details panel and as marks on the charts, and the "what changed" view, against what the
/// API server holds. Screenshots of every step are kept in ui/test-artifacts/structure/.
#[test]
fn the_explorer_shows_state_events_and_changes_in_chromium() {
    let ui = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui");
    assert!(ui.join("node_modules/playwright-core").is_dir(), "ui/node_modules is missing playwright-core: run `npm ci` in ui/ (the build script does)");
    assert!(Path::new("/usr/bin/chromium").is_file() || std::env::var_os("KINSIGHT_CHROMIUM").is_some(), "chromium is needed: apt-get install chromium");
    let api = TestServer::start(ServerConfig::default()).unwrap();
    let nodes = vec!["node-a".to_string()];
    let mut sim = Sim::new(&api);
    sim.node("node-a").unwrap();
    sim.namespace("shop").unwrap();
    let before = sim.deployment("shop", "web", 3, &nodes).unwrap();
    let names = |pods: &[Value]| -> Vec<String> { pods.iter().map(|p| p["metadata"]["name"].as_str().unwrap().to_string()).collect() };
    let old_pods = names(&before.pods);
    let old_rs = before.replica_set["metadata"]["name"].as_str().unwrap().to_string();
    let dir = temp_dir("browser");
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(&kubeconfig, api.kubeconfig(Credentials::Anonymous)).unwrap();
    let up = start_up(&kubeconfig, &dir.join("data"));
    agree(&up.addr, &kubeconfig, Instant::now(), "before the rollout");
    std::thread::sleep(Duration::from_millis(1100));
    sim.rollout("shop", "web", &nodes).unwrap();
    let new_pods = names(&api.objects_in(Resource::Pods, "shop"));
    let warned = api.get(Resource::Pods, "shop", &new_pods[0]).unwrap();
    let warning = "Back-off restarting failed container app";
    sim.event(&warned, "Warning", "BackOff", warning, "kubelet").unwrap();
    agree(&up.addr, &kubeconfig, Instant::now(), "the rollout");
    // History reaches past the last change before the page asks for it.
    std::thread::sleep(Duration::from_millis(1500));

    let expected = json!({ "old_pods": old_pods, "new_pods": new_pods, "old_rs": old_rs, "warned_pod": new_pods[0], "warning": warning });
    let artifacts = ui.join("test-artifacts/structure");
    let _ = std::fs::remove_dir_all(&artifacts);
    // The script takes seconds.
    e2e::run_script(&ui, "structure.mjs", &[&format!("http://{}/", up.addr), artifacts.to_str().unwrap(), &expected.to_string()], &artifacts, Duration::from_secs(180));
    drop(up);
    let _ = std::fs::remove_dir_all(&dir);
}
