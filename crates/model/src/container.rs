//! Containers: the sysdig "container JSON" event payload, container ids, and the kubelet's
//! docker naming convention that ties a container to its pod when the pod's status does not.
//!
//! The payload has changed over the years; every variant found in public captures parses:
//! - 2016-2017 sysdig: `{"container":{"Mounts":[...],"id","image","imageid","ip","name","privileged","type":0}}`
//! - minimal (falco test traces): `{"container":{"id","image","name","type":0}}`
//! - 2019+ libsinsp: adds `imagerepo`, `imagetag`, `imagedigest`, `labels` (may be `null`),
//!   `cpu_shares`, `cpu_quota`, `cpu_period`, `memory_limit`, `swap_limit`, `is_pod_sandbox`,
//!   `port_mappings`, `env`, `metadata_deadline`; while the lookup is in flight every text field
//!   reads `"incomplete"` and a second event brings the real values;
//! - falcosecurity/libs and the container plugin: `full_id`, `pod_sandbox_id`, `created_time`,
//!   `lookup_state`, `User`, `host_*`.
//!
//! Unknown fields are ignored; fields of the wrong JSON type are an error.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::error::ModelError;
use crate::intern::{Intern, Interner};
use crate::labels::{labels_from, Labels};
use crate::serde_util::{null_default, opt_ip_or_u32};

/// Length of the short container id sysdig shows and keys containers by.
pub const SHORT_ID_LEN: usize = 12;

/// Which runtime (or container technology) a container belongs to.
///
/// Numbered as libsinsp's `sinsp_container_type` (`container.type` in captures).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ContainerKind {
    Docker,
    Lxc,
    /// `libvirt-lxc`
    Libvirt,
    Mesos,
    Rkt,
    /// Set by sysdig's custom container engine; sysdig has no name for it.
    Custom,
    /// A CRI runtime not identified further.
    Cri,
    Containerd,
    CriO,
    Bpm,
    /// sysdig's "static container" mode; no name in sysdig either.
    Static,
    Podman,
    /// A number or name this model does not know (kept as written, e.g. `"65535"`).
    Unknown(String),
}

impl ContainerKind {
    /// From libsinsp's numeric container type.
    pub fn from_code(code: u64) -> Self {
        match code {
            0 => Self::Docker,
            1 => Self::Lxc,
            2 => Self::Libvirt,
            3 => Self::Mesos,
            4 => Self::Rkt,
            5 => Self::Custom,
            6 => Self::Cri,
            7 => Self::Containerd,
            8 => Self::CriO,
            9 => Self::Bpm,
            10 => Self::Static,
            11 => Self::Podman,
            other => Self::Unknown(other.to_string()),
        }
    }

    /// libsinsp's numeric container type, when this kind has one.
    pub fn code(&self) -> Option<u16> {
        Some(match self {
            Self::Docker => 0,
            Self::Lxc => 1,
            Self::Libvirt => 2,
            Self::Mesos => 3,
            Self::Rkt => 4,
            Self::Custom => 5,
            Self::Cri => 6,
            Self::Containerd => 7,
            Self::CriO => 8,
            Self::Bpm => 9,
            Self::Static => 10,
            Self::Podman => 11,
            Self::Unknown(_) => return None,
        })
    }

    /// From a name: the names [`ContainerKind::name`] prints, a few common spellings, or a
    /// number in text.
    pub fn from_name(name: &str) -> Self {
        match name.trim().to_ascii_lowercase().as_str() {
            "docker" => Self::Docker,
            "lxc" => Self::Lxc,
            "libvirt-lxc" | "libvirt_lxc" | "libvirt" => Self::Libvirt,
            "mesos" => Self::Mesos,
            "rkt" => Self::Rkt,
            "custom" => Self::Custom,
            "cri" => Self::Cri,
            "containerd" => Self::Containerd,
            "cri-o" | "crio" | "cri_o" => Self::CriO,
            "bpm" => Self::Bpm,
            "static" => Self::Static,
            "podman" => Self::Podman,
            other => match other.parse::<u64>() {
                Ok(code) => Self::from_code(code),
                Err(_) => Self::Unknown(name.to_string()),
            },
        }
    }

    /// The name sysdig's `container.type` field prints (`docker`, `cri-o`, `containerd`, ...).
    pub fn name(&self) -> &str {
        match self {
            Self::Docker => "docker",
            Self::Lxc => "lxc",
            Self::Libvirt => "libvirt-lxc",
            Self::Mesos => "mesos",
            Self::Rkt => "rkt",
            Self::Custom => "custom",
            Self::Cri => "cri",
            Self::Containerd => "containerd",
            Self::CriO => "cri-o",
            Self::Bpm => "bpm",
            Self::Static => "static",
            Self::Podman => "podman",
            Self::Unknown(s) => s,
        }
    }
}

impl fmt::Display for ContainerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for ContainerKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// `type` is a number in every libsinsp payload; accept a name too (hand-written or
/// converted payloads).
impl<'de> Deserialize<'de> for ContainerKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KindVisitor;
        impl Visitor<'_> for KindVisitor {
            type Value = ContainerKind;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a container type number or name")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ContainerKind, E> {
                Ok(ContainerKind::from_code(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ContainerKind, E> {
                Ok(match u64::try_from(v) {
                    Ok(v) => ContainerKind::from_code(v),
                    Err(_) => ContainerKind::Unknown(v.to_string()),
                })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ContainerKind, E> {
                Ok(ContainerKind::from_name(v))
            }
        }
        d.deserialize_any(KindVisitor)
    }
}

/// One bind mount / volume of a container (as the runtime reported it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Mount {
    #[serde(rename = "Source", deserialize_with = "null_default")]
    pub source: String,
    #[serde(rename = "Destination", deserialize_with = "null_default")]
    pub destination: String,
    #[serde(rename = "Mode", deserialize_with = "null_default")]
    pub mode: String,
    #[serde(rename = "RW", deserialize_with = "null_default")]
    pub rw: bool,
    #[serde(rename = "Propagation", deserialize_with = "null_default")]
    pub propagation: String,
}

/// A container as described by a container JSON event (or by a runtime query).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerInfo {
    /// Short id (12 characters for docker-style ids), the key sysdig uses everywhere.
    pub id: String,
    /// The runtime's full id, when the payload carried it.
    pub full_id: Option<String>,
    /// Runtime name of the container (docker: `k8s_<container>_<pod>_...` under kubelet).
    pub name: String,
    pub image: String,
    pub image_id: String,
    pub image_repo: String,
    pub image_tag: String,
    pub image_digest: String,
    pub kind: ContainerKind,
    /// The container's own address; `None` when it shares the host's or is unknown
    /// (sysdig writes `0.0.0.0`).
    pub ip: Option<IpAddr>,
    pub labels: Labels,
    pub privileged: Option<bool>,
    pub cpu_shares: Option<i64>,
    pub cpu_quota: Option<i64>,
    pub cpu_period: Option<i64>,
    pub memory_limit: Option<i64>,
    pub swap_limit: Option<i64>,
    pub mounts: Vec<Mount>,
    /// CRI: the id of the pod sandbox this container runs in.
    pub pod_sandbox_id: Option<String>,
    /// CRI/docker: this is the pod's sandbox ("pause") container.
    pub is_pod_sandbox: bool,
    /// Creation time, seconds since the epoch, when reported.
    pub created_time: Option<i64>,
}

/// The payload's shape, field names as written by the producers.
#[derive(Deserialize)]
struct Envelope {
    container: Option<RawContainer>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawContainer {
    id: Option<String>,
    full_id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<ContainerKind>,
    name: Option<String>,
    image: Option<String>,
    imageid: Option<String>,
    imagerepo: Option<String>,
    imagetag: Option<String>,
    imagedigest: Option<String>,
    #[serde(deserialize_with = "opt_ip_or_u32")]
    ip: Option<IpAddr>,
    #[serde(alias = "Labels", deserialize_with = "null_default")]
    labels: BTreeMap<String, String>,
    privileged: Option<bool>,
    cpu_shares: Option<i64>,
    cpu_quota: Option<i64>,
    cpu_period: Option<i64>,
    memory_limit: Option<i64>,
    swap_limit: Option<i64>,
    #[serde(rename = "Mounts", alias = "mounts", deserialize_with = "null_default")]
    mounts: Vec<Mount>,
    pod_sandbox_id: Option<String>,
    is_pod_sandbox: Option<bool>,
    created_time: Option<i64>,
}

impl ContainerInfo {
    /// Parses a container JSON event payload (`{"container":{...}}`).
    pub fn from_json(json: &str) -> Result<ContainerInfo, ModelError> {
        const CONTEXT: &str = "container JSON";
        let env: Envelope = serde_json::from_str(json).map_err(|e| ModelError::json(CONTEXT, e))?;
        let raw = env
            .container
            .ok_or_else(|| ModelError::shape(CONTEXT, "no \"container\" object"))?;
        Self::from_raw(raw).ok_or_else(|| ModelError::shape(CONTEXT, "no container \"id\""))
    }

    fn from_raw(raw: RawContainer) -> Option<ContainerInfo> {
        let non_empty = |s: Option<String>| s.filter(|s| !s.is_empty());
        let given_full = non_empty(raw.full_id);
        let id = non_empty(raw.id).or_else(|| given_full.clone())?;
        // Some producers put the full 64-hex id in `id`; keep the short one as the key.
        let (id, full_id) = if looks_like_full_id(&id) {
            (short_id(&id).to_string(), given_full.or(Some(id)))
        } else {
            (id, given_full)
        };
        Some(ContainerInfo {
            id,
            full_id,
            name: raw.name.unwrap_or_default(),
            image: raw.image.unwrap_or_default(),
            image_id: raw.imageid.unwrap_or_default(),
            image_repo: raw.imagerepo.unwrap_or_default(),
            image_tag: raw.imagetag.unwrap_or_default(),
            image_digest: raw.imagedigest.unwrap_or_default(),
            kind: raw.kind.unwrap_or(ContainerKind::Unknown(String::new())),
            ip: raw.ip,
            labels: labels_from(raw.labels),
            privileged: raw.privileged,
            cpu_shares: raw.cpu_shares,
            cpu_quota: raw.cpu_quota,
            cpu_period: raw.cpu_period,
            memory_limit: raw.memory_limit,
            swap_limit: raw.swap_limit,
            mounts: raw.mounts,
            pod_sandbox_id: non_empty(raw.pod_sandbox_id),
            is_pod_sandbox: raw.is_pod_sandbox.unwrap_or(false),
            created_time: raw.created_time,
        })
    }

    /// True while the runtime lookup has not finished: libsinsp then sends placeholder
    /// values (`"incomplete"`) and follows up with a second event.
    pub fn is_incomplete(&self) -> bool {
        self.image == "incomplete" || self.name == "incomplete"
    }

    /// Where this container says it belongs in Kubernetes: from the kubelet/CRI labels
    /// (`io.kubernetes.pod.*`) or, failing those, from the docker name convention.
    pub fn pod_hint(&self) -> Option<PodHint<'_>> {
        let label = |k: &str| self.labels.get(k).map(|v| &**v).filter(|v| !v.is_empty());
        let (ns, name) = (
            label("io.kubernetes.pod.namespace"),
            label("io.kubernetes.pod.name"),
        );
        let uid = label("io.kubernetes.pod.uid");
        if let (Some(namespace), Some(pod)) = (ns, name) {
            return Some(PodHint {
                namespace,
                pod,
                pod_uid: uid,
                container: label("io.kubernetes.container.name"),
            });
        }
        let k = KubeletContainerName::parse(&self.name)?;
        Some(PodHint {
            namespace: k.namespace,
            pod: k.pod,
            pod_uid: k.pod_uid.or(uid),
            container: Some(k.container),
        })
    }
}

impl Intern for ContainerInfo {
    fn intern(&mut self, i: &mut Interner) {
        i.intern_labels(&mut self.labels);
    }
}

/// Pod coordinates read off a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PodHint<'a> {
    pub namespace: &'a str,
    pub pod: &'a str,
    pub pod_uid: Option<&'a str>,
    /// Container name inside the pod (`POD` for the sandbox/pause container).
    pub container: Option<&'a str>,
}

/// The name kubelet's docker integration gives containers:
/// `k8s_<container>.<hash>_<pod>_<namespace>_<pod uid>_<attempt>` (Kubernetes ≤ 1.5) or
/// `k8s_<container>_<pod>_<namespace>_<pod uid>_<attempt>` (dockershim). The pod's pause
/// container is `<container>` = `POD`; it never appears in the pod's `containerStatuses`, so
/// this name is the only link from it to the pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KubeletContainerName<'a> {
    pub container: &'a str,
    pub pod: &'a str,
    pub namespace: &'a str,
    pub pod_uid: Option<&'a str>,
}

impl<'a> KubeletContainerName<'a> {
    pub fn parse(name: &'a str) -> Option<Self> {
        // Docker reports names with a leading '/'.
        let rest = name.trim_start_matches('/').strip_prefix("k8s_")?;
        // Kubernetes names are DNS labels/subdomains: none contains '_', so splitting is exact.
        let mut parts = rest.split('_');
        let container_part = parts.next()?;
        let pod = parts.next()?;
        let namespace = parts.next()?;
        let pod_uid = parts.next().filter(|s| !s.is_empty());
        // The old convention appends ".<hash>" to the container name; container names
        // cannot contain '.', so everything after the first '.' is the hash.
        let container = container_part.split('.').next()?;
        if container.is_empty() || pod.is_empty() || namespace.is_empty() {
            return None;
        }
        Some(KubeletContainerName {
            container,
            pod,
            namespace,
            pod_uid,
        })
    }
}

/// Splits the runtime prefix off a Kubernetes `containerID` (`docker://<id>`,
/// `containerd://<id>`, `cri-o://<id>`): `(Some("docker"), "<id>")`.
pub fn split_runtime_prefix(container_id: &str) -> (Option<&str>, &str) {
    match container_id.split_once("://") {
        Some((runtime, id)) => (Some(runtime), id),
        None => (None, container_id),
    }
}

/// The short (12-character) form of a container id, as sysdig keys containers; ids already
/// short (or not ASCII) come back unchanged.
pub fn short_id(id: &str) -> &str {
    match id.get(..SHORT_ID_LEN) {
        Some(short) if id.len() > SHORT_ID_LEN => short,
        _ => id,
    }
}

fn looks_like_full_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_type_numbers_and_names_follow_libsinsp() {
        let expect = [
            (0, "docker"),
            (1, "lxc"),
            (2, "libvirt-lxc"),
            (3, "mesos"),
            (4, "rkt"),
            (6, "cri"),
            (7, "containerd"),
            (8, "cri-o"),
            (9, "bpm"),
            (11, "podman"),
        ];
        for (code, name) in expect {
            let k = ContainerKind::from_code(code);
            assert_eq!(k.name(), name);
            assert_eq!(k.code(), Some(code as u16));
            assert_eq!(ContainerKind::from_name(name), k);
        }
        assert_eq!(
            ContainerKind::from_code(0xffff),
            ContainerKind::Unknown("65535".into())
        );
        assert_eq!(ContainerKind::from_name("crio"), ContainerKind::CriO);
        assert_eq!(ContainerKind::from_name("8"), ContainerKind::CriO);
    }

    #[test]
    fn kubelet_names_old_and_dockershim() {
        let old = KubeletContainerName::parse(
            "k8s_POD.d8dbe16c_backend-1440326531-csj02_critical-app_d52db280-bd5a-11e6-8bdb-028ce2cfb533_860e85fb",
        )
        .unwrap();
        assert_eq!(old.container, "POD");
        assert_eq!(old.pod, "backend-1440326531-csj02");
        assert_eq!(old.namespace, "critical-app");
        assert_eq!(old.pod_uid, Some("d52db280-bd5a-11e6-8bdb-028ce2cfb533"));
        let shim = KubeletContainerName::parse("/k8s_nginx_web-0_default_0c1d-22_3").unwrap();
        assert_eq!(
            (shim.container, shim.pod, shim.namespace),
            ("nginx", "web-0", "default")
        );
        assert_eq!(KubeletContainerName::parse("k8s-kubelet"), None);
        assert_eq!(KubeletContainerName::parse("k8s_x"), None);
    }

    #[test]
    fn ids() {
        let full = "730a6f492270921c8cf91d8c8c7c125ebb94a4749e0d4c753b1dc1cd42d84025";
        assert_eq!(short_id(full), "730a6f492270");
        assert_eq!(short_id("730a6f492270"), "730a6f492270");
        assert_eq!(short_id("abc"), "abc");
        assert_eq!(
            split_runtime_prefix(&format!("cri-o://{full}")),
            (Some("cri-o"), full)
        );
        assert_eq!(split_runtime_prefix(full), (None, full));
    }

    #[test]
    fn newest_shape_with_full_id_and_sandbox() {
        let c = ContainerInfo::from_json(
            r#"{"container":{"id":"32a1026ccb88","full_id":"32a1026ccb88a551e2a38eb8f260b4700aefec7e8c007344057e58a9fa302374",
            "type":7,"name":"web","image":"fedora:38","ip":"","labels":{"io.kubernetes.pod.name":"web-1",
            "io.kubernetes.pod.namespace":"shop","io.kubernetes.pod.uid":"u-1","io.kubernetes.container.name":"web"},
            "pod_sandbox_id":"aaaabbbbcccc","is_pod_sandbox":false,"created_time":1730971086,"lookup_state":1,"User":""}}"#,
        )
        .unwrap();
        assert_eq!(c.kind, ContainerKind::Containerd);
        assert_eq!(c.full_id.as_deref().map(short_id), Some("32a1026ccb88"));
        assert_eq!(c.ip, None);
        assert_eq!(c.pod_sandbox_id.as_deref(), Some("aaaabbbbcccc"));
        let hint = c.pod_hint().unwrap();
        assert_eq!(
            (hint.namespace, hint.pod, hint.pod_uid),
            ("shop", "web-1", Some("u-1"))
        );
    }

    #[test]
    fn string_type_capitalised_labels_and_full_id_in_id() {
        let c = ContainerInfo::from_json(
            r#"{"container":{"id":"730a6f492270921c8cf91d8c8c7c125ebb94a4749e0d4c753b1dc1cd42d84025",
            "type":"cri-o","Labels":{"a":"b"},"ip":2886795266}}"#,
        )
        .unwrap();
        assert_eq!(c.id, "730a6f492270");
        assert_eq!(c.full_id.as_deref().map(str::len), Some(64));
        assert_eq!(c.kind.name(), "cri-o");
        assert_eq!(c.labels.get("a").map(|v| &**v), Some("b"));
        assert_eq!(c.ip, Some("172.17.0.2".parse().unwrap()));
    }

    #[test]
    fn wrong_types_and_bad_shapes_are_errors_with_position() {
        let e = ContainerInfo::from_json(r#"{"container":{"id":"abc","cpu_shares":"lots"}}"#)
            .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with("container JSON: invalid type: string \"lots\""),
            "{msg}"
        );
        assert!(msg.contains("line 1 column"), "{msg}");
        assert_eq!(e.position().map(|p| p.0), Some(1));

        let e =
            ContainerInfo::from_json(r#"{"container":{"id":"abc","ip":"300.1.1.1"}}"#).unwrap_err();
        assert!(
            e.to_string().contains("invalid IP address \"300.1.1.1\""),
            "{e}"
        );

        let e = ContainerInfo::from_json("{\"container\":{\"id\":\"abc\",\n").unwrap_err();
        assert_eq!(e.position(), Some((2, 0)));
        assert!(e.to_string().contains("EOF while parsing"), "{e}");

        assert!(matches!(
            ContainerInfo::from_json(r#"{"pod":{}}"#),
            Err(ModelError::Shape { .. })
        ));
        assert!(matches!(
            ContainerInfo::from_json(r#"{"container":{"name":"x"}}"#),
            Err(ModelError::Shape { .. })
        ));
        assert!(ContainerInfo::from_json("[1,2]").is_err());
        assert!(ContainerInfo::from_json("").is_err());
    }
}
