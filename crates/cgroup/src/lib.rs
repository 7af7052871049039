//! kinsight-cgroup: who a cgroup path belongs to.
//!
//! Owns: reading container ids, runtimes, Kubernetes pod UIDs and QoS classes off cgroup
//! paths, for every layout the common runtimes produce (docker, containerd, CRI-O, podman;
//! cgroupfs and systemd drivers; kubepods with and without QoS levels; cgroup v1, v2 and
//! hybrid hosts, whose paths look alike), and the `/proc/<pid>/cgroup` line format.
//! Must not: touch the file system, the kernel or any runtime. It is pure text parsing so
//! that the state engine (captures) and the live host scanner agree on every path.
//!
//! Layouts recognized (`<id>` is the 64-hex container id, `<uid>` a pod UID):
//! ```text
//! cgroupfs  /docker/<id>                               docker
//!           /kubepods/<qos>/pod<uid>/<id>              kubelet (any CRI runtime)
//!           /kubepods/pod<uid>/<id>                    kubelet, Guaranteed QoS
//!           /kubepods/<qos>/pod<uid>/crio-<id>         CRI-O
//!           /libpod_parent/libpod-<id>                 podman
//! systemd   /system.slice/docker-<id>.scope            docker
//!           /system.slice/containerd-<id>.scope        containerd
//!           /kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid_>.slice/<rt>-<id>.scope
//!                                                      rt = cri-containerd | crio | docker
//!           /machine.slice/libpod-<id>.scope[/container]   podman (v2 nests a "container" leaf)
//!           /user.slice/.../user@1000.service/.../libpod-<id>.scope[/container]  rootless podman
//! ```
//! Runtime helpers (`crio-conmon-<id>.scope`, `libpod-conmon-<id>.scope`) are host
//! processes, not the container. Nested containers (docker in docker) resolve to the
//! innermost one. sysdig names containers by the first 12 hex digits of the id; so do we.

use std::fmt;

/// Length of the short container id sysdig and docker print.
pub const SHORT_ID_LEN: usize = 12;

/// The container technology a cgroup path names (as far as the path tells).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Runtime {
    Docker,
    Containerd,
    CriO,
    Podman,
    /// A kubelet-managed container whose path does not name its runtime (cgroupfs driver).
    Kubelet,
}

impl Runtime {
    /// sysdig's `container.type` name for this runtime (`cri` when only kubelet is known).
    pub fn sysdig_name(self) -> &'static str {
        match self {
            Runtime::Docker => "docker",
            Runtime::Containerd => "containerd",
            Runtime::CriO => "cri-o",
            Runtime::Podman => "podman",
            Runtime::Kubelet => "cri",
        }
    }

    /// libsinsp's numeric container type (`sinsp_container_type`).
    pub fn sysdig_code(self) -> u16 {
        match self {
            Runtime::Docker => 0,
            Runtime::Kubelet => 6,
            Runtime::Containerd => 7,
            Runtime::CriO => 8,
            Runtime::Podman => 11,
        }
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sysdig_name())
    }
}

/// Kubernetes pod QoS class, from the kubepods level of the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QosClass {
    Guaranteed,
    Burstable,
    BestEffort,
}

impl QosClass {
    pub fn name(self) -> &'static str {
        match self {
            QosClass::Guaranteed => "Guaranteed",
            QosClass::Burstable => "Burstable",
            QosClass::BestEffort => "BestEffort",
        }
    }
}

/// What a cgroup path says about the container it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerRef {
    /// The full 64-hex container id.
    pub id: String,
    pub runtime: Runtime,
    /// The Kubernetes pod UID (dashed form) when the path is under kubepods.
    pub pod_uid: Option<String>,
    pub qos: Option<QosClass>,
}

impl ContainerRef {
    /// The 12-character id sysdig shows.
    pub fn short_id(&self) -> &str {
        &self.id[..SHORT_ID_LEN]
    }
}

fn is_full_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Leaf names runtimes put below the container's own cgroup.
const NESTED_LEAVES: [&str; 2] = ["container", "init.scope"];

/// Runtime prefixes of systemd scope names (and of podman's cgroupfs leaf), longest first so
/// that `cri-containerd-` wins over `containerd-`.
const PREFIXES: [(&str, Runtime); 5] = [
    ("cri-containerd-", Runtime::Containerd),
    ("containerd-", Runtime::Containerd),
    ("docker-", Runtime::Docker),
    ("crio-", Runtime::CriO),
    ("libpod-", Runtime::Podman),
];

/// A path component read as a container.
struct LeafId<'a> {
    /// The runtime its prefix names, if any.
    runtime: Option<Runtime>,
    id: &'a str,
    /// The slice name that the flattened `<slice>:<runtime>:<id>` form carries along.
    slice: Option<&'a str>,
}

/// Reads one path component as a container.
fn component_id(component: &str) -> Option<LeafId<'_>> {
    let name = component.strip_suffix(".scope").unwrap_or(component);
    if is_full_id(name) {
        return Some(LeafId { runtime: None, id: name, slice: None });
    }
    for (prefix, runtime) in PREFIXES {
        if let Some(rest) = name.strip_prefix(prefix) {
            // `crio-conmon-<id>` / `libpod-conmon-<id>` are the runtime's monitor process.
            return is_full_id(rest).then_some(LeafId { runtime: Some(runtime), id: rest, slice: None });
        }
    }
    // containerd's systemd cgroupsPath form, flattened by some setups: `<slice>:<rt>:<id>`.
    let mut parts = name.rsplitn(3, ':');
    let (id, rt, slice) = (parts.next()?, parts.next()?, parts.next());
    if is_full_id(id) {
        let runtime = match rt {
            "cri-containerd" | "containerd" => Runtime::Containerd,
            "crio" => Runtime::CriO,
            "docker" => Runtime::Docker,
            _ => return None,
        };
        return Some(LeafId { runtime: Some(runtime), id, slice });
    }
    None
}

/// The container a cgroup path belongs to, if any.
pub fn container_of_path(path: &str) -> Option<ContainerRef> {
    let components: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    let mut last = components.len();
    // Skip leaves that runtimes create inside the container's cgroup.
    while last > 0 && NESTED_LEAVES.contains(&components[last - 1]) {
        last -= 1;
    }
    if last == 0 {
        return None;
    }
    let LeafId { runtime, id, slice } = component_id(components[last - 1])?;
    let mut parents: Vec<&str> = components[..last - 1].to_vec();
    parents.extend(slice);
    let parents = &parents[..];
    let pod_uid = parents.iter().rev().find_map(|c| pod_uid_of_component(c));
    let qos = pod_uid.as_ref().and_then(|_| qos_of(parents));
    let runtime = runtime.unwrap_or(if parents.iter().any(|c| c.starts_with("kubepods")) {
        Runtime::Kubelet
    } else if parents.iter().any(|c| *c == "docker" || c.starts_with("docker")) {
        Runtime::Docker
    } else if parents.iter().any(|c| c.starts_with("libpod")) {
        Runtime::Podman
    } else {
        // A bare 64-hex leaf anywhere else: docker's cgroupfs layout is by far the most
        // common producer (and what sysdig assumes).
        Runtime::Docker
    });
    Some(ContainerRef { id: id.to_string(), runtime, pod_uid, qos })
}

/// The short container id in one cgroup path, if the path belongs to a container.
pub fn container_id_from_path(path: &str) -> Option<String> {
    short_id_in(path).map(str::to_string)
}

/// The short container id of a cgroup path, borrowed from the path itself.
pub fn short_id_in(path: &str) -> Option<&str> {
    let components: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    let mut last = components.len();
    while last > 0 && NESTED_LEAVES.contains(&components[last - 1]) {
        last -= 1;
    }
    let leaf = component_id(components.get(last.checked_sub(1)?)?)?;
    Some(&leaf.id[..SHORT_ID_LEN])
}

/// The short container id of a thread, given its `subsys=path` cgroup entries (the format
/// of scap process lists and clone/execve events): the first entry that names a container.
pub fn container_id_from_cgroups<'a, I>(entries: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    entries.into_iter().find_map(|entry| container_id_from_path(entry_path(entry)))
}

/// The path of a `subsys=path` entry (the whole entry when it has no `=`). Named v1
/// hierarchies are written `name=systemd=/path`: the path is what follows the last `=`
/// before the first `/`.
pub fn entry_path(entry: &str) -> &str {
    match entry.find('/') {
        Some(slash) => &entry[slash..],
        None => entry.rsplit_once('=').map_or(entry, |(_, p)| p),
    }
}

/// A pod UID in one path component: `pod<uid>` (cgroupfs) or `kubepods-<qos>-pod<uid_>.slice`
/// (systemd, where the UID's dashes become underscores). Returned in dashed form.
fn pod_uid_of_component(c: &str) -> Option<String> {
    let c = c.strip_suffix(".slice").unwrap_or(c);
    let pos = c.rfind("pod")?;
    // `pod` must start the component or follow a `-` (not e.g. `mypod...`).
    if pos > 0 && !c[..pos].ends_with('-') {
        return None;
    }
    let uid = &c[pos + 3..];
    let dashed = uid.replace('_', "-");
    let ok = match dashed.len() {
        36 => dashed.bytes().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        }),
        // Static pods get a 32-hex config hash as their UID.
        32 => dashed.bytes().all(|b| b.is_ascii_hexdigit()),
        _ => false,
    };
    ok.then_some(dashed)
}

/// The Kubernetes pod UID of a kubepods cgroup path.
pub fn pod_uid_from_path(path: &str) -> Option<String> {
    if !path.contains("kubepods") {
        return None;
    }
    path.split('/').find_map(pod_uid_of_component)
}

/// The QoS class of a kubepods path: burstable and besteffort have their own level, and
/// Guaranteed pods sit directly under kubepods.
fn qos_of(parents: &[&str]) -> Option<QosClass> {
    if !parents.iter().any(|c| c.starts_with("kubepods")) {
        return None;
    }
    for c in parents {
        let c = c.strip_suffix(".slice").unwrap_or(c);
        // `burstable` (cgroupfs), `kubepods-burstable` (systemd) or the pod's own slice
        // `kubepods-burstable-pod<uid>` (flattened systemd paths).
        if c == "burstable" || c.starts_with("kubepods-burstable") {
            return Some(QosClass::Burstable);
        }
        if c == "besteffort" || c.starts_with("kubepods-besteffort") {
            return Some(QosClass::BestEffort);
        }
    }
    Some(QosClass::Guaranteed)
}

/// One line of `/proc/<pid>/cgroup`: `hierarchy-id:controller,list:path`. On cgroup v2 the
/// line is `0::path`; on v1 the controller list names the hierarchy's controllers (or
/// `name=systemd` for named hierarchies).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcCgroupLine {
    pub hierarchy_id: u32,
    pub controllers: Vec<String>,
    pub path: String,
}

impl ProcCgroupLine {
    /// The unified (v2) hierarchy's line.
    pub fn is_v2(&self) -> bool {
        self.hierarchy_id == 0 && self.controllers.is_empty()
    }
}

/// Parses `/proc/<pid>/cgroup`; malformed lines are skipped.
pub fn parse_proc_cgroup(text: &str) -> Vec<ProcCgroupLine> {
    text.lines()
        .filter_map(|line| {
            let mut it = line.splitn(3, ':');
            let id = it.next()?.parse().ok()?;
            let controllers = it.next()?;
            let path = it.next()?;
            Some(ProcCgroupLine {
                hierarchy_id: id,
                controllers: controllers.split(',').filter(|c| !c.is_empty()).map(str::to_string).collect(),
                path: path.to_string(),
            })
        })
        .collect()
}

/// Name of the entry that carries the v2 path in `subsys=path` lists (the name sysdig's
/// drivers give the unified hierarchy's entry on hosts where it has no controllers).
pub const UNIFIED_ENTRY: &str = "unified";

/// The `subsys=path` entries of a thread's cgroups, as scap process lists and clone/execve
/// events carry them (NUL-separated on the wire): one entry per v1 controller, named
/// hierarchies as `name=<name>`, and the v2 path under [`UNIFIED_ENTRY`]. Entries holding a
/// container come first, so readers that take the first container path agree.
pub fn scap_entries(lines: &[ProcCgroupLine]) -> Vec<String> {
    let mut out = Vec::new();
    for line in lines {
        if line.is_v2() {
            out.push(format!("{UNIFIED_ENTRY}={}", line.path));
        } else {
            for c in &line.controllers {
                out.push(format!("{c}={}", line.path));
            }
        }
    }
    out.sort_by_key(|e| container_id_from_path(entry_path(e)).is_none());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "730a6f492270921c8cf91d8c8c7c125ebb94a4749e0d4c753b1dc1cd42d84025";
    const UID: &str = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
    const UID_: &str = "0b1c2d3e_4f50_6172_8394_a5b6c7d8e9f0";

    fn parsed(path: &str) -> ContainerRef {
        container_of_path(path).unwrap_or_else(|| panic!("no container in {path}"))
    }

    #[test]
    fn docker_cgroupfs_and_systemd() {
        for path in [format!("/docker/{ID}"), format!("/system.slice/docker-{ID}.scope")] {
            let c = parsed(&path);
            assert_eq!((c.id.as_str(), c.runtime, c.pod_uid.as_deref()), (ID, Runtime::Docker, None), "{path}");
            assert_eq!(c.short_id(), "730a6f492270");
        }
    }

    #[test]
    fn kubepods_cgroupfs_every_qos() {
        let cases = [
            (format!("/kubepods/burstable/pod{UID}/{ID}"), QosClass::Burstable),
            (format!("/kubepods/besteffort/pod{UID}/{ID}"), QosClass::BestEffort),
            (format!("/kubepods/pod{UID}/{ID}"), QosClass::Guaranteed),
        ];
        for (path, qos) in cases {
            let c = parsed(&path);
            assert_eq!(c.runtime, Runtime::Kubelet, "{path}");
            assert_eq!(c.pod_uid.as_deref(), Some(UID), "{path}");
            assert_eq!(c.qos, Some(qos), "{path}");
        }
        let crio = parsed(&format!("/kubepods/burstable/pod{UID}/crio-{ID}"));
        assert_eq!((crio.runtime, crio.qos), (Runtime::CriO, Some(QosClass::Burstable)));
    }

    #[test]
    fn kubepods_systemd_every_runtime() {
        let cases = [
            (
                format!("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{UID_}.slice/cri-containerd-{ID}.scope"),
                Runtime::Containerd,
                QosClass::Burstable,
            ),
            (
                format!("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{UID_}.slice/crio-{ID}.scope"),
                Runtime::CriO,
                QosClass::BestEffort,
            ),
            (format!("/kubepods.slice/kubepods-pod{UID_}.slice/docker-{ID}.scope"), Runtime::Docker, QosClass::Guaranteed),
        ];
        for (path, runtime, qos) in cases {
            let c = parsed(&path);
            assert_eq!((c.id.as_str(), c.runtime, c.pod_uid.as_deref(), c.qos), (ID, runtime, Some(UID), Some(qos)), "{path}");
        }
    }

    #[test]
    fn podman_rootful_rootless_and_nested_leaf() {
        for path in [
            format!("/libpod_parent/libpod-{ID}"),
            format!("/machine.slice/libpod-{ID}.scope"),
            format!("/machine.slice/libpod-{ID}.scope/container"),
            format!("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-{ID}.scope/container"),
        ] {
            let c = parsed(&path);
            assert_eq!((c.id.as_str(), c.runtime), (ID, Runtime::Podman), "{path}");
        }
    }

    #[test]
    fn containerd_outside_kubernetes_and_flattened_systemd_path() {
        assert_eq!(parsed(&format!("/system.slice/containerd-{ID}.scope")).runtime, Runtime::Containerd);
        let c = parsed(&format!("/system.slice/containerd.service/kubepods-burstable-pod{UID_}.slice:cri-containerd:{ID}"));
        assert_eq!((c.runtime, c.pod_uid.as_deref(), c.qos), (Runtime::Containerd, Some(UID), Some(QosClass::Burstable)));
    }

    #[test]
    fn runtime_monitors_and_host_paths_are_not_containers() {
        for path in [
            "/".to_string(),
            "".to_string(),
            "/user.slice/user-0.slice/session-1.scope".to_string(),
            "/system.slice/nginx.service".to_string(),
            "/docker".to_string(),
            "/kubepods/burstable".to_string(),
            format!("/kubepods/burstable/pod{UID}"),
            format!("/machine.slice/libpod-conmon-{ID}.scope"),
            format!("/kubepods.slice/kubepods-pod{UID_}.slice/crio-conmon-{ID}.scope"),
            // 32 hex digits: not a container id.
            "/process_api/ec96321b7809c70b8543dfb7f1526d6c".to_string(),
            format!("/docker/{}", &ID[..63]),
        ] {
            assert_eq!(container_of_path(&path), None, "{path}");
        }
    }

    #[test]
    fn borrowed_short_id_agrees_with_the_parse() {
        for path in [format!("/docker/{ID}"), format!("/machine.slice/libpod-{ID}.scope/container"), "/".into(), "".into()] {
            assert_eq!(short_id_in(&path), container_of_path(&path).as_ref().map(|c| c.short_id()), "{path}");
        }
    }

    #[test]
    fn nested_containers_resolve_to_the_innermost() {
        let inner = "1111111111111111111111111111111111111111111111111111111111111111";
        assert_eq!(parsed(&format!("/docker/{ID}/docker/{inner}")).id, inner);
    }

    #[test]
    fn first_container_entry_wins_and_named_hierarchies_parse() {
        let entries = ["cpuset=/", &format!("cpu=/docker/{ID}")[..]];
        assert_eq!(container_id_from_cgroups(entries).as_deref(), Some("730a6f492270"));
        assert_eq!(entry_path("name=systemd=/system.slice/x.service"), "/system.slice/x.service");
        assert_eq!(entry_path("memory=/a/b"), "/a/b");
        assert_eq!(entry_path("/a"), "/a");
    }

    #[test]
    fn pod_uid_forms() {
        assert_eq!(
            pod_uid_from_path(&format!("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{UID_}.slice/x")).as_deref(),
            Some(UID)
        );
        assert_eq!(pod_uid_from_path(&format!("/kubepods/burstable/pod{UID}/abc")).as_deref(), Some(UID));
        // Static pods: a 32-hex config hash.
        assert_eq!(
            pod_uid_from_path("/kubepods/pod0123456789abcdef0123456789abcdef/x").as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(pod_uid_from_path(&format!("/system.slice/pod{UID}")), None);
        assert_eq!(pod_uid_from_path(&format!("/kubepods/mypod{UID}")), None);
    }

    #[test]
    fn proc_cgroup_of_a_hybrid_host() {
        let text = format!(
            "9:name=systemd:/\n4:memory:/docker/{ID}\n2:cpu,cpuacct:/docker/{ID}\n0::/docker/{ID}\ngarbage\n"
        );
        let lines = parse_proc_cgroup(&text);
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[2].controllers, ["cpu", "cpuacct"]);
        assert!(lines[3].is_v2() && !lines[1].is_v2());
        let entries = scap_entries(&lines);
        assert_eq!(entries.len(), 5);
        // Container paths first; the named hierarchy keeps its name.
        assert!(entries[0].ends_with(ID), "{entries:?}");
        assert!(entries.contains(&"name=systemd=/".to_string()));
        assert!(entries.contains(&format!("unified=/docker/{ID}")));
        assert_eq!(container_id_from_cgroups(entries.iter().map(String::as_str)).as_deref(), Some("730a6f492270"));
    }
}
