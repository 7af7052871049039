//! Container metadata from the state the runtimes leave on the host, without talking to
//! any runtime: OCI bundles (`config.json`, whose annotations carry the Kubernetes pod and
//! container names under containerd's `io.kubernetes.cri.*` and CRI-O's
//! `io.kubernetes.pod.*` keys), runc's `state.json`, docker's `config.v2.json` and podman's
//! storage records. Whatever is missing stays empty: the cgroup path alone still gives the
//! id, the runtime and the pod UID.

use kinsight_cgroup::{ContainerRef, Runtime};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where runtimes keep their state (every list is tried in order).
#[derive(Clone, Debug)]
pub struct RuntimeDirs {
    /// containerd's task bundles: `<dir>/<namespace>/<id>/config.json`.
    pub containerd_tasks: Vec<PathBuf>,
    /// runc roots: `<dir>/<id>/state.json` or `<dir>/<namespace>/<id>/state.json`.
    pub runc_roots: Vec<PathBuf>,
    /// containers/storage (CRI-O, podman): `<dir>/<id>/userdata/config.json` and `<dir>/containers.json`.
    pub storage_containers: Vec<PathBuf>,
    /// docker: `<dir>/<id>/config.v2.json` and `hostconfig.json`.
    pub docker_containers: Vec<PathBuf>,
}

impl Default for RuntimeDirs {
    fn default() -> Self {
        RuntimeDirs::under(Path::new("/"))
    }
}

impl RuntimeDirs {
    /// The standard locations under `root` (`/` on a host; a fixture directory in tests).
    pub fn under(root: &Path) -> RuntimeDirs {
        let p = |s: &str| root.join(s);
        RuntimeDirs {
            containerd_tasks: vec![p("run/containerd/io.containerd.runtime.v2.task")],
            runc_roots: vec![p("run/runc"), p("run/containerd/runc"), p("run/docker/runtime-runc/moby")],
            storage_containers: vec![
                p("run/containers/storage/overlay-containers"),
                p("var/lib/containers/storage/overlay-containers"),
            ],
            docker_containers: vec![p("var/lib/docker/containers")],
        }
    }

    /// What the runtimes' state says about a container; None when no state is found.
    pub fn lookup(&self, c: &ContainerRef) -> Option<ContainerMeta> {
        let id = c.id.as_str();
        let mut meta = match c.runtime {
            Runtime::Docker => self.docker(id).or_else(|| self.oci_anywhere(id)),
            _ => self.oci_anywhere(id).or_else(|| self.docker(id)),
        }?;
        meta.id = id.to_string();
        Some(meta)
    }

    fn oci_anywhere(&self, id: &str) -> Option<ContainerMeta> {
        for dir in &self.containerd_tasks {
            for ns in read_dir_names(dir) {
                let bundle = dir.join(&ns).join(id);
                if let Some(mut m) = read_json(&bundle.join("config.json")).map(|v| from_oci(&v)) {
                    m.runtime = Some(Runtime::Containerd);
                    return Some(m);
                }
            }
        }
        for dir in &self.storage_containers {
            if let Some(v) = read_json(&dir.join(id).join("userdata/config.json")) {
                let mut m = from_oci(&v);
                let podman_record = podman_record(dir, id);
                m.runtime = Some(if podman_record.is_some() || m.labels.contains_key("io.container.manager") {
                    Runtime::Podman
                } else {
                    Runtime::CriO
                });
                if let Some((name, image)) = podman_record {
                    if m.name.is_empty() {
                        m.name = name;
                    }
                    if m.image.is_empty() {
                        m.image = image;
                    }
                }
                return Some(m);
            }
        }
        for root in &self.runc_roots {
            let mut candidates = vec![root.join(id).join("state.json")];
            candidates.extend(read_dir_names(root).into_iter().map(|ns| root.join(ns).join(id).join("state.json")));
            for state in candidates {
                if let Some(v) = read_json(&state) {
                    return Some(from_runc_state(&v));
                }
            }
        }
        None
    }

    fn docker(&self, id: &str) -> Option<ContainerMeta> {
        for dir in &self.docker_containers {
            let cdir = dir.join(id);
            let Some(cfg) = read_json(&cdir.join("config.v2.json")) else { continue };
            let host = read_json(&cdir.join("hostconfig.json")).unwrap_or(Value::Null);
            let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
            let mut m = ContainerMeta {
                runtime: Some(Runtime::Docker),
                name: s(&cfg["Name"]).trim_start_matches('/').to_string(),
                image: s(&cfg["Config"]["Image"]),
                image_id: s(&cfg["Image"]),
                labels: string_map(&cfg["Config"]["Labels"]),
                privileged: host["Privileged"].as_bool(),
                memory_limit: host["Memory"].as_i64().filter(|&m| m > 0),
                cpu_quota: host["CpuQuota"].as_i64().filter(|&q| q > 0),
                cpu_period: host["CpuPeriod"].as_i64().filter(|&p| p > 0),
                cpu_shares: host["CpuShares"].as_i64().filter(|&s| s > 0),
                ..Default::default()
            };
            m.is_pod_sandbox = m.labels.get("io.kubernetes.docker.type").is_some_and(|t| t == "podsandbox");
            return Some(m);
        }
        None
    }
}

/// What the host knows about one container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerMeta {
    /// The full id.
    pub id: String,
    /// The runtime whose state described it (may refine what the cgroup path said).
    pub runtime: Option<Runtime>,
    pub name: String,
    pub image: String,
    pub image_id: String,
    /// Container labels, with the Kubernetes coordinates under the kubelet's label keys
    /// (`io.kubernetes.pod.name`, `.namespace`, `.uid`, `io.kubernetes.container.name`).
    pub labels: BTreeMap<String, String>,
    pub is_pod_sandbox: bool,
    pub pod_sandbox_id: Option<String>,
    pub privileged: Option<bool>,
    pub memory_limit: Option<i64>,
    pub cpu_quota: Option<i64>,
    pub cpu_period: Option<i64>,
    pub cpu_shares: Option<i64>,
}

fn read_json(path: &Path) -> Option<Value> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn read_dir_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn string_map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|o| o.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        .unwrap_or_default()
}

/// Reads an OCI runtime spec: annotations (CRI coordinates), resources.
pub fn from_oci(spec: &Value) -> ContainerMeta {
    let ann = string_map(&spec["annotations"]);
    let get = |k: &str| ann.get(k).cloned().filter(|v| !v.is_empty());
    let mut labels = BTreeMap::new();
    // CRI-O keeps the container's Kubernetes labels as a JSON object in an annotation.
    if let Some(Value::Object(o)) = get("io.kubernetes.cri-o.Labels").and_then(|s| serde_json::from_str(&s).ok()) {
        for (k, v) in o {
            if let Some(v) = v.as_str() {
                labels.insert(k, v.to_string());
            }
        }
    }
    // containerd (io.kubernetes.cri.*) and CRI-O (io.kubernetes.pod.*) name the same facts.
    let mut put = |label: &str, keys: &[&str]| {
        if let Some(v) = keys.iter().find_map(|k| get(k)) {
            labels.insert(label.to_string(), v);
        }
    };
    put("io.kubernetes.pod.name", &["io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name"]);
    put("io.kubernetes.pod.namespace", &["io.kubernetes.cri.sandbox-namespace", "io.kubernetes.pod.namespace"]);
    put("io.kubernetes.pod.uid", &["io.kubernetes.cri.sandbox-uid", "io.kubernetes.pod.uid"]);
    put("io.kubernetes.container.name", &["io.kubernetes.cri.container-name", "io.kubernetes.container.name"]);
    for (k, v) in &ann {
        if k.starts_with("io.podman.annotations.") || k == "io.container.manager" || k.starts_with("org.opencontainers.image.") {
            labels.insert(k.clone(), v.clone());
        }
    }
    let container_type = get("io.kubernetes.cri.container-type").or_else(|| get("io.kubernetes.cri-o.ContainerType"));
    let is_pod_sandbox = container_type.as_deref() == Some("sandbox");
    if is_pod_sandbox {
        labels.entry("io.kubernetes.container.name".into()).or_insert_with(|| "POD".into());
    }
    let name = if is_pod_sandbox {
        labels.get("io.kubernetes.pod.name").cloned()
    } else {
        labels.get("io.kubernetes.container.name").cloned()
    }
    .or_else(|| get("io.kubernetes.cri-o.Name"))
    .unwrap_or_default();
    let res = &spec["linux"]["resources"];
    ContainerMeta {
        id: String::new(),
        runtime: None,
        name,
        image: get("io.kubernetes.cri.image-name")
            .or_else(|| get("io.kubernetes.cri-o.ImageName"))
            .or_else(|| get("org.opencontainers.image.ref.name"))
            .unwrap_or_default(),
        image_id: get("io.kubernetes.cri-o.ImageRef").unwrap_or_default(),
        labels,
        is_pod_sandbox,
        pod_sandbox_id: get("io.kubernetes.cri.sandbox-id").or_else(|| get("io.kubernetes.cri-o.SandboxID")),
        privileged: None,
        memory_limit: res["memory"]["limit"].as_i64().filter(|&m| m > 0),
        cpu_quota: res["cpu"]["quota"].as_i64().filter(|&q| q > 0),
        cpu_period: res["cpu"]["period"].as_i64().filter(|&p| p > 0),
        cpu_shares: res["cpu"]["shares"].as_i64().filter(|&s| s > 0),
    }
}

/// runc's `state.json`: the bundle path is a `bundle=<dir>` label; the bundle's
/// `config.json` has the annotations.
fn from_runc_state(state: &Value) -> ContainerMeta {
    let bundle = state["config"]["labels"]
        .as_array()
        .and_then(|ls| ls.iter().filter_map(Value::as_str).find_map(|l| l.strip_prefix("bundle=")))
        .map(PathBuf::from);
    let mut m = bundle
        .as_ref()
        .and_then(|b| read_json(&b.join("config.json")))
        .map(|v| from_oci(&v))
        .unwrap_or_default();
    if m.memory_limit.is_none() {
        m.memory_limit = state["config"]["cgroups"]["memory"].as_i64().filter(|&x| x > 0);
    }
    m
}

/// podman's `containers.json` record: the container's name and image name.
fn podman_record(dir: &Path, id: &str) -> Option<(String, String)> {
    let list = read_json(&dir.join("containers.json"))?;
    let rec = list.as_array()?.iter().find(|r| r["id"].as_str() == Some(id))?;
    let name = rec["names"].as_array().and_then(|n| n.first()).and_then(Value::as_str).unwrap_or_default().to_string();
    let meta: Value = rec["metadata"].as_str().and_then(|s| serde_json::from_str(s).ok()).unwrap_or(Value::Null);
    let image = meta["image-name"].as_str().unwrap_or_default().to_string();
    Some((name, image))
}

/// Splits an image reference into repository, tag and digest
/// (`registry:5000/ns/app:1.2@sha256:...` → `registry:5000/ns/app`, `1.2`, `sha256:...`).
pub fn split_image(image: &str) -> (String, String, String) {
    let (rest, digest) = image.split_once('@').unwrap_or((image, ""));
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(i) => (rest[..last_slash + i].to_string(), rest[last_slash + i + 1..].to_string(), digest.to_string()),
        None => (rest.to_string(), String::new(), digest.to_string()),
    }
}

/// The sysdig container JSON event payload for a container: what its cgroup path says,
/// completed by the runtime state when there is some.
pub fn container_json(c: &ContainerRef, meta: Option<&ContainerMeta>) -> String {
    let runtime = meta.and_then(|m| m.runtime).unwrap_or(c.runtime);
    let empty = ContainerMeta::default();
    let m = meta.unwrap_or(&empty);
    let mut labels = m.labels.clone();
    if let Some(uid) = &c.pod_uid {
        labels.entry("io.kubernetes.pod.uid".into()).or_insert_with(|| uid.clone());
    }
    let (repo, tag, digest) = split_image(&m.image);
    let mut obj = serde_json::json!({
        "id": c.short_id(),
        "full_id": c.id,
        "type": runtime.sysdig_code(),
        "name": if m.name.is_empty() { c.short_id().to_string() } else { m.name.clone() },
        "image": m.image,
        "imageid": m.image_id,
        "imagerepo": repo,
        "imagetag": tag,
        "imagedigest": digest,
        "ip": "0.0.0.0",
        "labels": labels,
        "Mounts": [],
        "is_pod_sandbox": m.is_pod_sandbox,
        "lookup_state": 1,
    });
    let o = obj.as_object_mut().expect("an object");
    let mut opt = |k: &str, v: Option<serde_json::Value>| {
        if let Some(v) = v {
            o.insert(k.to_string(), v);
        }
    };
    opt("pod_sandbox_id", m.pod_sandbox_id.clone().map(Value::from));
    opt("privileged", m.privileged.map(Value::from));
    opt("memory_limit", m.memory_limit.map(Value::from));
    opt("cpu_quota", m.cpu_quota.map(Value::from));
    opt("cpu_period", m.cpu_period.map(Value::from));
    opt("cpu_shares", m.cpu_shares.map(Value::from));
    opt("pod_uid", c.pod_uid.clone().map(Value::from));
    opt("qos_class", c.qos.map(|q| Value::from(q.name())));
    serde_json::json!({ "container": obj }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references_split() {
        assert_eq!(split_image("nginx"), ("nginx".into(), "".into(), "".into()));
        assert_eq!(split_image("docker.io/library/nginx:1.25"), ("docker.io/library/nginx".into(), "1.25".into(), "".into()));
        assert_eq!(
            split_image("registry:5000/ns/app:1.2@sha256:abc"),
            ("registry:5000/ns/app".into(), "1.2".into(), "sha256:abc".into())
        );
        assert_eq!(split_image("registry:5000/app"), ("registry:5000/app".into(), "".into(), "".into()));
    }

    #[test]
    fn containerd_cri_annotations_become_kubelet_labels() {
        let spec = serde_json::json!({
            "annotations": {
                "io.kubernetes.cri.container-type": "container",
                "io.kubernetes.cri.container-name": "web",
                "io.kubernetes.cri.sandbox-name": "web-7d9c-abcde",
                "io.kubernetes.cri.sandbox-namespace": "shop",
                "io.kubernetes.cri.sandbox-uid": "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
                "io.kubernetes.cri.sandbox-id": "aaaa",
                "io.kubernetes.cri.image-name": "docker.io/library/nginx:1.25"
            },
            "linux": {"resources": {"memory": {"limit": 134217728}, "cpu": {"quota": 50000, "period": 100000, "shares": 512}}}
        });
        let m = from_oci(&spec);
        assert_eq!(m.name, "web");
        assert_eq!(m.image, "docker.io/library/nginx:1.25");
        assert_eq!(m.labels["io.kubernetes.pod.namespace"], "shop");
        assert_eq!(m.labels["io.kubernetes.pod.name"], "web-7d9c-abcde");
        assert_eq!(m.pod_sandbox_id.as_deref(), Some("aaaa"));
        assert_eq!((m.memory_limit, m.cpu_quota, m.cpu_shares), (Some(134217728), Some(50000), Some(512)));
        assert!(!m.is_pod_sandbox);
    }

    #[test]
    fn crio_sandbox_annotations() {
        let spec = serde_json::json!({"annotations": {
            "io.kubernetes.cri-o.ContainerType": "sandbox",
            "io.kubernetes.pod.name": "db-0", "io.kubernetes.pod.namespace": "data",
            "io.kubernetes.pod.uid": "u", "io.kubernetes.cri-o.Labels": "{\"app\":\"db\"}"
        }});
        let m = from_oci(&spec);
        assert!(m.is_pod_sandbox);
        assert_eq!(m.name, "db-0");
        assert_eq!(m.labels["app"], "db");
        assert_eq!(m.labels["io.kubernetes.container.name"], "POD");
    }

    #[test]
    fn container_json_is_read_back_by_the_model() {
        let c = kinsight_cgroup::container_of_path(
            "/kubepods/besteffort/pod0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0/730a6f492270921c8cf91d8c8c7c125ebb94a4749e0d4c753b1dc1cd42d84025",
        )
        .unwrap();
        let json = container_json(&c, None);
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["container"]["id"], "730a6f492270");
        assert_eq!(v["container"]["type"], 6);
        assert_eq!(v["container"]["labels"]["io.kubernetes.pod.uid"], "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0");
        assert_eq!(v["container"]["qos_class"], "BestEffort");
    }
}
