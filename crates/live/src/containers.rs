//! Containers discovered from the cgroups of the threads seen, each announced once with a
//! container JSON event (the way captures carry container metadata), and remembered with
//! its cgroup paths so that its resource counters can be read later.

use kinsight_cgroup::{ContainerRef, ProcCgroupLine};
use kinsight_host::{ContainerMeta, RuntimeDirs};
use std::collections::BTreeMap;

/// A container of the live host.
#[derive(Clone, Debug)]
pub struct LiveContainer {
    pub cref: ContainerRef,
    pub meta: Option<ContainerMeta>,
    /// The `/proc/<pid>/cgroup` lines of its first process: where its counters are.
    pub cgroup_lines: Vec<ProcCgroupLine>,
    /// A process of the container (for its network namespace); may have exited since.
    pub pid: i64,
}

impl LiveContainer {
    pub fn name(&self) -> String {
        self.meta.as_ref().map(|m| m.name.clone()).filter(|n| !n.is_empty()).unwrap_or_else(|| self.cref.short_id().to_string())
    }
}

/// Every container seen so far, by short id.
pub struct ContainerTracker {
    dirs: RuntimeDirs,
    pub known: BTreeMap<String, LiveContainer>,
}

impl ContainerTracker {
    pub fn new(dirs: RuntimeDirs) -> ContainerTracker {
        ContainerTracker { dirs, known: BTreeMap::new() }
    }

    /// Looks at a process's cgroups; the container JSON of a container not seen before.
    pub fn observe(&mut self, pid: i64, proc_cgroup: &str) -> Option<String> {
        let lines = kinsight_cgroup::parse_proc_cgroup(proc_cgroup);
        let cref = lines.iter().find_map(|l| kinsight_cgroup::container_of_path(&l.path))?;
        self.observe_ref(pid, cref, lines)
    }

    /// Same, from the `subsys=path` entries events carry (NUL-separated).
    pub fn observe_entries(&mut self, pid: i64, entries: &[u8]) -> Option<String> {
        let text = String::from_utf8_lossy(entries);
        let mut lines = Vec::new();
        let mut cref = None;
        for e in text.split('\0').filter(|e| !e.is_empty()) {
            let path = kinsight_cgroup::entry_path(e);
            let subsys = e[..e.len() - path.len()].trim_end_matches('=');
            if cref.is_none() {
                cref = kinsight_cgroup::container_of_path(path);
            }
            let v2 = subsys == kinsight_cgroup::UNIFIED_ENTRY;
            lines.push(ProcCgroupLine {
                hierarchy_id: if v2 { 0 } else { 1 },
                controllers: if v2 { vec![] } else { vec![subsys.to_string()] },
                path: path.to_string(),
            });
        }
        self.observe_ref(pid, cref?, lines)
    }

    fn observe_ref(&mut self, pid: i64, cref: ContainerRef, lines: Vec<ProcCgroupLine>) -> Option<String> {
        let short = cref.short_id().to_string();
        if self.known.contains_key(&short) {
            return None;
        }
        let meta = self.dirs.lookup(&cref);
        let json = kinsight_host::container_json(&cref, meta.as_ref());
        self.known.insert(short, LiveContainer { cref, meta, cgroup_lines: lines, pid });
        Some(json)
    }
}
