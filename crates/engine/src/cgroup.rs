//! Container ids from cgroup paths. Every container runtime puts a container's processes in
//! cgroups whose last path component carries the 64-hex container id, decorated per runtime
//! and cgroup driver:
//!   cgroupfs:  /docker/<id>, /kubepods/burstable/pod<uid>/<id>, /libpod_parent/libpod-<id>
//!   systemd:   /system.slice/docker-<id>.scope, .../cri-containerd-<id>.scope,
//!              .../crio-<id>.scope, .../libpod-<id>.scope
//! sysdig names containers by the first 12 hex digits; so do we.

/// Length of the short container id sysdig and docker print.
pub const SHORT_ID_LEN: usize = 12;

/// The short container id in one cgroup path, if the path belongs to a container.
pub fn container_id_from_path(path: &str) -> Option<&str> {
    let mut components = path.rsplit('/').filter(|c| !c.is_empty());
    let last = components.next()?;
    let mut id = last.strip_suffix(".scope").unwrap_or(last);
    for prefix in ["docker-", "cri-containerd-", "crio-", "libpod-", "containerd-"] {
        if let Some(rest) = id.strip_prefix(prefix) {
            id = rest;
            break;
        }
    }
    if id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Some(&id[..SHORT_ID_LEN])
    } else {
        None
    }
}

/// The short container id of a thread, given its `subsys=path` cgroup entries.
pub fn container_id_from_cgroups<'a, I>(entries: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    entries.into_iter().find_map(|entry| {
        let path = entry.split_once('=').map_or(entry, |(_, p)| p);
        container_id_from_path(path).map(str::to_string)
    })
}

/// The Kubernetes pod UID of a kubepods cgroup path (`pod<uid>` or `kubepods-...-pod<uid>.slice`).
pub fn pod_uid_from_path(path: &str) -> Option<String> {
    path.split('/').find_map(|c| {
        let c = c.strip_suffix(".slice").unwrap_or(c);
        let pos = c.rfind("pod")?;
        let uid = &c[pos + 3..];
        (uid.len() == 36 || uid.len() == 32)
            .then(|| uid.replace('_', "-"))
            .filter(|u| u.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "730a6f492270921c8cf91d8c8c7c125ebb94a4749e0d4c753b1dc1cd42d84025";

    #[test]
    fn runtimes_and_drivers() {
        for path in [
            format!("/docker/{ID}"),
            format!("/system.slice/docker-{ID}.scope"),
            format!("/kubepods/burstable/pod1f3c/{ID}"),
            format!("/kubepods.slice/kubepods-burstable.slice/cri-containerd-{ID}.scope"),
            format!("/kubepods.slice/kubepods-pod1.slice/crio-{ID}.scope"),
            format!("/machine.slice/libpod-{ID}.scope"),
        ] {
            assert_eq!(container_id_from_path(&path), Some("730a6f492270"), "{path}");
        }
    }

    #[test]
    fn host_paths_are_not_containers() {
        for path in ["/", "/user.slice/user-0.slice/session-1.scope", "/system.slice/nginx.service", "/docker"] {
            assert_eq!(container_id_from_path(path), None, "{path}");
        }
    }

    #[test]
    fn first_matching_entry_wins() {
        let entries = ["cpuset=/", &format!("cpu=/docker/{ID}")[..]];
        assert_eq!(container_id_from_cgroups(entries).as_deref(), Some("730a6f492270"));
    }

    #[test]
    fn pod_uid() {
        assert_eq!(
            pod_uid_from_path("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0b1c2d3e_4f50_6172_8394_a5b6c7d8e9f0.slice/x").as_deref(),
            Some("0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0")
        );
        assert_eq!(
            pod_uid_from_path("/kubepods/burstable/podd52db280-bd5a-11e6-8bdb-028ce2cfb533/abc").as_deref(),
            Some("d52db280-bd5a-11e6-8bdb-028ce2cfb533")
        );
    }
}
