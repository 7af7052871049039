//! Container ids from cgroup paths. The parsing lives in `kinsight-cgroup`, shared with the
//! live host scanner (`kinsight-host`) so that captures and live hosts agree on every
//! runtime, cgroup driver and kubepods layout; this module keeps the engine's names for it.
//! sysdig names containers by the first 12 hex digits of the id; so do we.

pub use kinsight_cgroup::{container_id_from_cgroups, pod_uid_from_path, SHORT_ID_LEN};

/// The short container id in one cgroup path, if the path belongs to a container.
pub fn container_id_from_path(path: &str) -> Option<&str> {
    kinsight_cgroup::short_id_in(path)
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
