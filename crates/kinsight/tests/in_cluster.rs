//! kinsight inside a pod: no kubeconfig, only what the kubelet mounts for the pod's service
//! account (`/var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt,namespace}`) and
//! the `KUBERNETES_SERVICE_HOST`/`PORT` variables. The API server is the protocol-faithful
//! test server over HTTPS, accepting only the service account's bearer token (anonymous
//! requests get 401), so a run that lists the cluster went through the in-cluster path.
//!
//! The files are created for the test (root only) and removed after; the test skips on a
//! machine that already has them (a real pod).

use kinsight_kube_testserver::sim::Sim;
use kinsight_kube_testserver::{ServerConfig, TestServer};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KINSIGHT: &str = env!("CARGO_BIN_EXE_kinsight");
const SA_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
const TOKEN: &str = "kinsight-sa-token-7f3a";

/// The service account files, removed on drop with the directories the test created.
struct ServiceAccount {
    created: Vec<PathBuf>,
}

impl ServiceAccount {
    fn mount(ca_pem: &str, token: &str) -> ServiceAccount {
        let mut created = Vec::new();
        let mut dir = PathBuf::from("/");
        for part in Path::new(SA_DIR).iter().skip(1) {
            dir.push(part);
            if !dir.exists() {
                std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
                created.push(dir.clone());
            }
        }
        let sa = ServiceAccount { created };
        std::fs::write(Path::new(SA_DIR).join("token"), token).unwrap();
        std::fs::write(Path::new(SA_DIR).join("ca.crt"), ca_pem).unwrap();
        std::fs::write(Path::new(SA_DIR).join("namespace"), "kinsight").unwrap();
        sa
    }
}

impl Drop for ServiceAccount {
    fn drop(&mut self) {
        for f in ["token", "ca.crt", "namespace"] {
            let _ = std::fs::remove_file(Path::new(SA_DIR).join(f));
        }
        for dir in self.created.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(2) == Some("0")))
        .unwrap_or(false)
}

/// A pod's environment: the API server's address, no kubeconfig anywhere.
fn in_pod<'a>(cmd: &'a mut Command, port: u16, home: &Path) -> &'a mut Command {
    cmd.env_remove("KUBECONFIG")
        .env("HOME", home)
        .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        .env("KUBERNETES_SERVICE_PORT", port.to_string())
        .env("KUBERNETES_SERVICE_PORT_HTTPS", port.to_string())
}

fn get(addr: &str, path: &str, token: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    (head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0), body.to_string())
}

#[test]
fn the_service_account_of_a_pod_is_enough_for_k8s_and_hub() {
    if !is_root() {
        eprintln!("skipped: creating {SA_DIR} needs root");
        return;
    }
    if Path::new(SA_DIR).exists() {
        eprintln!("skipped: {SA_DIR} already exists (inside a pod?); not touching it");
        return;
    }
    let api = TestServer::start(ServerConfig { tls: true, tokens: vec![TOKEN.into()], anonymous: false, ..Default::default() }).unwrap();
    let mut sim = Sim::new(&api);
    sim.node("node-a").unwrap();
    sim.namespace("shop").unwrap();
    sim.deployment("shop", "web", 2, &["node-a".to_string()]).unwrap();
    let port = api.addr().port();
    let home = std::env::temp_dir().join(format!("kinsight-in-cluster-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let sa = ServiceAccount::mount(api.ca_pem().expect("HTTPS"), TOKEN);

    // `kinsight k8s`: the pods, listed with the service account's token over verified TLS.
    let out = in_pod(&mut Command::new(KINSIGHT), port, &home).args(["k8s", "--view", "kubernetes_pods", "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "kinsight k8s in a pod: {}", String::from_utf8_lossy(&out.stderr));
    let pods: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = pods.as_array().unwrap().iter().filter_map(|p| p["name"].as_str()).filter(|n| n.starts_with("web-")).collect();
    assert_eq!(names.len(), 2, "{pods:#}");
    let requests = api.requests();
    assert!(requests.iter().any(|r| r.path.contains("/api/v1/pods") && r.status == 200 && r.user.is_some()), "the pods were listed as the service account: {:?}", requests.iter().map(|r| (&r.path, r.status, &r.user)).collect::<Vec<_>>());

    // `kinsight hub`, as deploy/ runs it (token from the environment), on loopback here.
    let mut hub = in_pod(&mut Command::new(KINSIGHT), port, &home)
        .args(["hub", "--bind", "127.0.0.1:0", "--data-dir", home.join("data").to_str().unwrap()])
        .env("KINSIGHT_TOKEN", "ui-secret")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(hub.stdout.take().unwrap());
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "kinsight hub exited before serving");
        if let Some(rest) = line.split("serving at http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    let result = std::panic::catch_unwind(|| {
        assert_eq!(get(&addr, "/api/status", "wrong").0, 401, "the UI token is checked");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (code, body) = get(&addr, "/api/entities?hierarchy=logical&sort=name", "ui-secret");
            assert_eq!(code, 200, "{body}");
            let v: Value = serde_json::from_str(&body).unwrap();
            if v["rows"].as_array().is_some_and(|r| r.iter().any(|n| n["name"] == "shop")) {
                let (_, status) = get(&addr, "/api/status", "ui-secret");
                let status: Value = serde_json::from_str(&status).unwrap();
                let kinds: Vec<(&str, &str)> = status["sources"].as_array().unwrap().iter().map(|s| (s["kind"].as_str().unwrap(), s["state"].as_str().unwrap())).collect();
                assert!(kinds.contains(&("kubernetes", "running")), "{kinds:?}");
                break;
            }
            assert!(Instant::now() < deadline, "namespace shop never appeared: {v:#}");
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let _ = hub.kill();
    let _ = hub.wait();
    drop(sa);
    std::fs::remove_dir_all(&home).ok();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
