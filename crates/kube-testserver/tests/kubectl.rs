//! kubectl, the reference client, against the server over HTTPS with a client
//! certificate: `get -A` (server-side tables, discovery, categories), `-o json`, a 403, and
//! `get --watch` following a rollout.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use kinsight_kube_testserver::sim::Sim;
use kinsight_kube_testserver::{Credentials, Resource, ServerConfig, TestServer};
use serde_json::Value;

struct Kubectl {
    dir: PathBuf,
    kubeconfig: PathBuf,
}

impl Kubectl {
    /// A kubeconfig (client certificate for `kinsight-admin`) and a private cache and home
    /// in a temp dir, so nothing touches the user's ~/.kube.
    fn new(server: &TestServer, tag: &str) -> Kubectl {
        let dir =
            std::env::temp_dir().join(format!("kinsight-kubectl-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let kubeconfig = dir.join("kubeconfig");
        let cert = server.client_cert("kinsight-admin").unwrap();
        std::fs::write(
            &kubeconfig,
            server.kubeconfig(Credentials::ClientCert(cert)),
        )
        .unwrap();
        Kubectl { dir, kubeconfig }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("kubectl");
        c.env("HOME", &self.dir)
            .env_remove("KUBECONFIG")
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(self.dir.join("cache"))
            .arg("--request-timeout=20s")
            .args(args)
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .output()
            .unwrap_or_else(|e| panic!("kubectl is needed for this test: {e}"))
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "kubectl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

impl Drop for Kubectl {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn tls_server() -> TestServer {
    TestServer::start(ServerConfig {
        tls: true,
        anonymous: false,
        ..ServerConfig::default()
    })
    .unwrap()
}

fn cluster(server: &TestServer) -> Vec<String> {
    let mut sim = Sim::new(server);
    let nodes: Vec<String> = (0..2).map(|i| format!("node-{i}")).collect();
    for n in &nodes {
        sim.node(n).unwrap();
    }
    for ns in ["shop", "ops"] {
        sim.namespace(ns).unwrap();
    }
    sim.deployment("shop", "web", 2, &nodes).unwrap();
    sim.service("shop", "web", &[("app", "web")]).unwrap();
    sim.stateful_set("shop", "db", 1, &nodes).unwrap();
    sim.daemon_set("ops", "agent", &nodes).unwrap();
    sim.cron_job_run("ops", "report", &nodes[1]).unwrap();
    nodes
}

fn name(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap()
}

#[test]
fn kubectl_get_all_namespaces_lists_what_the_server_holds() {
    let server = tls_server();
    cluster(&server);
    let kubectl = Kubectl::new(&server, "get");

    let out = kubectl.ok(&["get", "pods", "-A"]);
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    );
    let mut rows: Vec<(String, String)> = lines
        .map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(&cells[2..5], ["2/2", "Running", "0"], "{l}");
            (cells[0].to_string(), cells[1].to_string())
        })
        .collect();
    let mut want: Vec<(String, String)> = server
        .objects(Resource::Pods)
        .iter()
        .map(|p| {
            (
                p["metadata"]["namespace"].as_str().unwrap().to_string(),
                name(p).to_string(),
            )
        })
        .collect();
    rows.sort();
    want.sort();
    assert_eq!(rows, want);

    // Objects decoded by kubectl and written back out are the server's.
    let json: Value = serde_json::from_str(&kubectl.ok(&[
        "get",
        "deployments,services,endpointslices",
        "-A",
        "-o",
        "json",
    ]))
    .unwrap();
    let mut got: Vec<String> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| format!("{}/{}", o["kind"].as_str().unwrap(), name(o)))
        .collect();
    let mut expected: Vec<String> = [
        Resource::Deployments,
        Resource::Services,
        Resource::EndpointSlices,
    ]
    .into_iter()
    .flat_map(|r| server.objects(r))
    .map(|o| format!("{}/{}", o["kind"].as_str().unwrap(), name(&o)))
    .collect();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
    let pod = server.objects_in(Resource::Pods, "shop").remove(0);
    let single: Value =
        serde_json::from_str(&kubectl.ok(&["get", "pod", name(&pod), "-n", "shop", "-o", "json"]))
            .unwrap();
    assert_eq!(single["metadata"]["uid"], pod["metadata"]["uid"]);
    assert_eq!(
        single["status"]["containerStatuses"],
        pod["status"]["containerStatuses"]
    );

    // Short names and categories come from discovery.
    let names = kubectl.ok(&["get", "all", "-A", "-o", "name"]);
    for expected in [
        "deployment.apps/web",
        "statefulset.apps/db",
        "daemonset.apps/agent",
        "cronjob.batch/report",
        "service/web",
    ] {
        assert!(
            names.lines().any(|l| l == expected),
            "{expected} missing from `get all`:\n{names}"
        );
    }
    assert_eq!(kubectl.ok(&["get", "no", "-o", "name"]).lines().count(), 2);

    server.forbid(Resource::ReplicaSets);
    let refused = kubectl.run(&["get", "rs", "-A"]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("Error from server (Forbidden): replicasets.apps is forbidden: User \"kinsight-admin\" cannot list resource \"replicasets\" in API group \"apps\" at the cluster scope"),
        "{stderr}"
    );
}

/// Lines of a running command's stdout, as they come.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits for a line satisfying `want`, collecting what came before; a line already seen
/// counts (kubectl prints the pods of one batch in its own order).
fn wait_for(
    rx: &mpsc::Receiver<String>,
    seen: &mut Vec<String>,
    want: impl Fn(&str) -> bool,
    what: &str,
) {
    if seen.iter().any(|l| want(l)) {
        return;
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) => {
                let done = want(&line);
                seen.push(line);
                if done {
                    return;
                }
            }
            Err(_) => break,
        }
    }
    panic!(
        "kubectl --watch never printed {what}; it printed:\n{}",
        seen.join("\n")
    );
}

fn watch_events(kubectl: &Kubectl) -> Child {
    kubectl
        .command(&[
            "get",
            "pods",
            "-n",
            "shop",
            "--watch",
            "--output-watch-events",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kubectl is needed for this test")
}

#[test]
fn kubectl_get_watch_follows_a_rollout() {
    let server = tls_server();
    let nodes = cluster(&server);
    let kubectl = Kubectl::new(&server, "watch");
    let old: Vec<String> = server
        .objects_in(Resource::Pods, "shop")
        .iter()
        .map(|p| name(p).to_string())
        .collect();

    let mut child = watch_events(&kubectl);
    let rx = lines_of(&mut child);
    let mut seen = Vec::new();
    wait_for(&rx, &mut seen, |l| l.starts_with("EVENT"), "its header");
    for pod in &old {
        wait_for(
            &rx,
            &mut seen,
            |l| l.starts_with("ADDED") && l.contains(pod.as_str()),
            pod,
        );
    }

    Sim::new(&server).rollout("shop", "web", &nodes).unwrap();
    let new: Vec<String> = server
        .objects_in(Resource::Pods, "shop")
        .iter()
        .map(|p| name(p).to_string())
        .filter(|n| !old.contains(n))
        .collect();
    assert_eq!(new.len(), 2);
    for pod in &new {
        wait_for(
            &rx,
            &mut seen,
            |l| l.starts_with("ADDED") && l.contains(pod.as_str()),
            pod,
        );
    }
    for pod in old.iter().filter(|p| p.starts_with("web-")) {
        wait_for(
            &rx,
            &mut seen,
            |l| l.starts_with("MODIFIED") && l.contains(pod.as_str()) && l.contains("Terminating"),
            pod,
        );
        wait_for(
            &rx,
            &mut seen,
            |l| l.starts_with("DELETED") && l.contains(pod.as_str()),
            pod,
        );
    }
    let _ = child.kill();
    let _ = child.wait();
}
