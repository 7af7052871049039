//! A container's cgroups, as runc makes them for a pod: a v1 memory cgroup and a v2 cgroup
//! at a kubepods path (`kubepods/besteffort/pod<uid>/<64-hex id>`), removed on drop.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Cgroups made for the workload, removed on drop (leaves first, then the parents this
/// test created).
pub struct ContainerCgroups {
    pub id: String,
    #[allow(dead_code)]
    pub pod_uid: String,
    /// Directories created, outermost first.
    created: Vec<PathBuf>,
    /// The leaf of each hierarchy (their cgroup.procs are written).
    leaves: Vec<PathBuf>,
}

pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom").unwrap().read_exact(&mut buf).unwrap();
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

impl ContainerCgroups {
    pub fn create() -> ContainerCgroups {
        let id = random_hex(32);
        let u = random_hex(16);
        let pod_uid = format!("{}-{}-{}-{}-{}", &u[..8], &u[8..12], &u[12..16], &u[16..20], &u[20..32]);
        let rel = format!("kubepods/besteffort/pod{pod_uid}/{id}");
        // v1 memory (v1 and hybrid hosts) and v2 (hybrid: `unified`; pure v2: the root).
        let mut roots = vec![];
        if Path::new("/sys/fs/cgroup/memory/cgroup.procs").exists() {
            roots.push(PathBuf::from("/sys/fs/cgroup/memory"));
        }
        if Path::new("/sys/fs/cgroup/unified/cgroup.procs").exists() {
            roots.push(PathBuf::from("/sys/fs/cgroup/unified"));
        } else if Path::new("/sys/fs/cgroup/cgroup.controllers").exists() {
            roots.push(PathBuf::from("/sys/fs/cgroup"));
        }
        assert!(!roots.is_empty(), "no cgroup hierarchy to put the workload in");
        let mut created = vec![];
        let mut leaves = vec![];
        for root in roots {
            let mut dir = root.clone();
            for part in rel.split('/') {
                dir.push(part);
                if !dir.exists() {
                    std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
                    created.push(dir.clone());
                }
            }
            leaves.push(dir);
        }
        ContainerCgroups { id, pod_uid, created, leaves }
    }

    pub fn join(&self, pid: u32) {
        for leaf in &self.leaves {
            std::fs::write(leaf.join("cgroup.procs"), pid.to_string()).unwrap();
        }
    }

    #[allow(dead_code)]
    pub fn short_id(&self) -> &str {
        &self.id[..12]
    }
}

impl Drop for ContainerCgroups {
    fn drop(&mut self) {
        for dir in self.created.iter().rev() {
            // The processes have exited; retry briefly while the kernel lets go of them.
            for _ in 0..50 {
                if std::fs::remove_dir(dir).is_ok() || !dir.exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

