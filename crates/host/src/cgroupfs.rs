//! The cgroup file systems of the host: where each hierarchy is mounted (v1, v2 or both:
//! "hybrid" hosts mount controllers on v1 and an empty v2 hierarchy beside them), the ids
//! the kernel gives cgroups (what BPF programs see), and the resource counters of a
//! process's cgroups read from the v1 or v2 files, whichever holds the controller.

use kinsight_cgroup::ProcCgroupLine;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// One mounted cgroup hierarchy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CgroupMount {
    pub mount_point: PathBuf,
    /// The cgroup the mount shows as its root (not `/` inside a cgroup namespace).
    pub root: String,
    pub v2: bool,
    /// v1 controllers of this hierarchy (`name=systemd` for named ones); empty for v2.
    pub controllers: Vec<String>,
}

/// How the host's cgroups are organized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    V1,
    V2,
    /// v1 controllers plus a v2 hierarchy (systemd's "hybrid" mode): processes have a
    /// cgroup in each, and BPF sees the v2 one as "the" cgroup.
    Hybrid,
    /// No cgroup file system mounted.
    None,
}

/// The host's cgroup mounts.
#[derive(Clone, Debug, Default)]
pub struct CgroupFs {
    pub mounts: Vec<CgroupMount>,
}

impl CgroupFs {
    /// Reads `/proc/self/mountinfo`.
    pub fn system() -> CgroupFs {
        std::fs::read_to_string("/proc/self/mountinfo").map_or_else(|_| CgroupFs::default(), |t| CgroupFs::from_mountinfo(&t))
    }

    /// Parses mountinfo lines: `id parent maj:min root mount-point opts [optional...] - fstype source super-opts`.
    pub fn from_mountinfo(text: &str) -> CgroupFs {
        let mut mounts = Vec::new();
        for line in text.lines() {
            let Some((left, right)) = line.split_once(" - ") else { continue };
            let l: Vec<&str> = left.split_whitespace().collect();
            let r: Vec<&str> = right.split_whitespace().collect();
            if l.len() < 5 || r.is_empty() {
                continue;
            }
            let v2 = match r[0] {
                "cgroup2" => true,
                "cgroup" => false,
                _ => continue,
            };
            let controllers = if v2 {
                Vec::new()
            } else {
                r.get(2)
                    .map(|opts| {
                        opts.split(',')
                            .filter(|o| !matches!(*o, "rw" | "ro") && !o.contains("relatime") && !o.starts_with("no") && *o != "clone_children" && !o.starts_with("release_agent") && *o != "xattr")
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default()
            };
            mounts.push(CgroupMount {
                mount_point: PathBuf::from(unescape_mount(l[4])),
                root: unescape_mount(l[3]),
                v2,
                controllers,
            });
        }
        CgroupFs { mounts }
    }

    pub fn layout(&self) -> Layout {
        let v2 = self.mounts.iter().any(|m| m.v2);
        let v1 = self.mounts.iter().any(|m| !m.v2 && m.controllers.iter().any(|c| !c.starts_with("name=")));
        match (v1, v2) {
            (true, true) => Layout::Hybrid,
            (true, false) => Layout::V1,
            (false, true) => Layout::V2,
            (false, false) => Layout::None,
        }
    }

    pub fn v2_mount(&self) -> Option<&CgroupMount> {
        self.mounts.iter().find(|m| m.v2)
    }

    /// The v1 hierarchy that holds `controller`.
    pub fn v1_mount(&self, controller: &str) -> Option<&CgroupMount> {
        self.mounts.iter().find(|m| !m.v2 && m.controllers.iter().any(|c| c == controller))
    }

    /// The directory of cgroup `path` (as `/proc/<pid>/cgroup` prints it) in `mount`.
    pub fn dir(mount: &CgroupMount, path: &str) -> PathBuf {
        let rel = if mount.root != "/" { path.strip_prefix(mount.root.as_str()).unwrap_or(path) } else { path };
        mount.mount_point.join(rel.trim_start_matches('/'))
    }

    /// The v2 directory of a process, from its `/proc/<pid>/cgroup` lines.
    pub fn v2_dir(&self, lines: &[ProcCgroupLine]) -> Option<PathBuf> {
        let line = lines.iter().find(|l| l.is_v2())?;
        Some(Self::dir(self.v2_mount()?, &line.path))
    }

    /// The v1 directory of a process for `controller`.
    pub fn v1_dir(&self, lines: &[ProcCgroupLine], controller: &str) -> Option<PathBuf> {
        let line = lines.iter().find(|l| l.controllers.iter().any(|c| c == controller))?;
        Some(Self::dir(self.v1_mount(controller)?, &line.path))
    }

    /// The ids BPF programs see for a process: the v2 cgroup id (`bpf_get_current_cgroup_id`)
    /// and, on v1 and hybrid hosts, the id of its v1 memory cgroup.
    pub fn ids(&self, lines: &[ProcCgroupLine]) -> CgroupIds {
        CgroupIds {
            v2: self.v2_dir(lines).and_then(|d| cgroup_id(&d)),
            v1_memory: self.v1_dir(lines, "memory").and_then(|d| cgroup_id(&d)),
        }
    }

    /// Resource counters of a process's cgroups: each from the hierarchy that holds its
    /// controller (v1 when mounted there, else v2).
    pub fn counters(&self, lines: &[ProcCgroupLine]) -> CgroupCounters {
        let mut c = CgroupCounters::default();
        let v2 = self.v2_dir(lines);
        // CPU usage: cpuacct on v1; v2 always has cpu.stat's usage_usec.
        if let Some(dir) = self.v1_dir(lines, "cpuacct") {
            c.cpu_usage_ns = read_u64(&dir.join("cpuacct.usage"));
        }
        if let Some(dir) = self.v1_dir(lines, "cpu") {
            if let Some(stat) = read_kv(&dir.join("cpu.stat")) {
                c.cpu_periods = stat.get("nr_periods");
                c.cpu_throttled_periods = stat.get("nr_throttled");
                c.cpu_throttled_ns = stat.get("throttled_time");
            }
        }
        if let Some(dir) = &v2 {
            if let Some(stat) = read_kv(&dir.join("cpu.stat")) {
                if c.cpu_usage_ns.is_none() {
                    c.cpu_usage_ns = stat.get("usage_usec").map(|u| u * 1000);
                }
                if c.cpu_periods.is_none() {
                    c.cpu_periods = stat.get("nr_periods");
                    c.cpu_throttled_periods = stat.get("nr_throttled");
                    c.cpu_throttled_ns = stat.get("throttled_usec").map(|u| u * 1000);
                }
            }
        }
        // Memory.
        if let Some(dir) = self.v1_dir(lines, "memory") {
            c.memory_usage_bytes = read_u64(&dir.join("memory.usage_in_bytes"));
            c.memory_limit_bytes = read_u64(&dir.join("memory.limit_in_bytes")).filter(|&l| l < V1_UNLIMITED);
            let inactive = read_kv(&dir.join("memory.stat")).and_then(|s| s.get("total_inactive_file"));
            c.memory_working_set_bytes = c.memory_usage_bytes.map(|u| u.saturating_sub(inactive.unwrap_or(0)));
            c.memory_oom_kills = read_kv(&dir.join("memory.oom_control")).and_then(|s| s.get("oom_kill"));
        } else if let Some(dir) = &v2 {
            c.memory_usage_bytes = read_u64(&dir.join("memory.current"));
            c.memory_limit_bytes = read_u64(&dir.join("memory.max"));
            let inactive = read_kv(&dir.join("memory.stat")).and_then(|s| s.get("inactive_file"));
            c.memory_working_set_bytes = c.memory_usage_bytes.map(|u| u.saturating_sub(inactive.unwrap_or(0)));
            c.memory_oom_kills = read_kv(&dir.join("memory.events")).and_then(|s| s.get("oom_kill"));
        }
        // Block I/O.
        if let Some(dir) = self.v1_dir(lines, "blkio") {
            let text = std::fs::read_to_string(dir.join("blkio.throttle.io_service_bytes_recursive"))
                .or_else(|_| std::fs::read_to_string(dir.join("blkio.throttle.io_service_bytes")));
            if let Ok(text) = text {
                let (r, w) = parse_blkio_v1(&text);
                c.io_read_bytes = Some(r);
                c.io_write_bytes = Some(w);
            }
        } else if let Some(dir) = &v2 {
            if let Ok(text) = std::fs::read_to_string(dir.join("io.stat")) {
                let (r, w) = parse_io_stat_v2(&text);
                c.io_read_bytes = Some(r);
                c.io_write_bytes = Some(w);
            }
        }
        // Pids.
        let pids_dir = self.v1_dir(lines, "pids").or_else(|| v2.clone().filter(|d| d.join("pids.current").exists()));
        if let Some(dir) = pids_dir {
            c.pids_current = read_u64(&dir.join("pids.current"));
            c.pids_limit = read_u64(&dir.join("pids.max"));
        }
        c
    }
}

/// Cgroup paths by id, for the two ids BPF programs report: the v2 cgroup and the v1
/// memory cgroup. Built by walking the hierarchies; a miss means a cgroup created since the
/// last walk, and [`CgroupIdIndex::refresh`] walks again.
#[derive(Clone, Debug, Default)]
pub struct CgroupIdIndex {
    pub v2: std::collections::HashMap<u64, String>,
    pub v1_memory: std::collections::HashMap<u64, String>,
}

impl CgroupIdIndex {
    pub fn build(fs: &CgroupFs) -> CgroupIdIndex {
        let mut ix = CgroupIdIndex::default();
        ix.refresh(fs);
        ix
    }

    /// Walks the v2 and v1 memory hierarchies again.
    pub fn refresh(&mut self, fs: &CgroupFs) {
        self.v2.clear();
        self.v1_memory.clear();
        if let Some(m) = fs.v2_mount() {
            walk(&m.mount_point, &m.root, &mut self.v2, 0);
        }
        if let Some(m) = fs.v1_mount("memory") {
            walk(&m.mount_point, &m.root, &mut self.v1_memory, 0);
        }
    }

    /// The `subsys=path` entries (the scap `cgroups` format) for a pair of ids, the v1
    /// memory entry first (on hybrid hosts it is the one runtimes always set).
    pub fn entries(&self, v2: u64, v1_memory: u64) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(p) = self.v1_memory.get(&v1_memory).filter(|_| v1_memory != 0) {
            out.push(format!("memory={p}"));
        }
        if let Some(p) = self.v2.get(&v2).filter(|_| v2 != 0) {
            out.push(format!("{}={p}", kinsight_cgroup::UNIFIED_ENTRY));
        }
        out
    }

    /// Whether both ids are known (0 stands for "not reported").
    pub fn knows(&self, v2: u64, v1_memory: u64) -> bool {
        (v2 == 0 || self.v2.contains_key(&v2)) && (v1_memory == 0 || self.v1_memory.contains_key(&v1_memory))
    }
}

/// Records every directory under `dir` by inode, as the cgroup path `prefix/...`. Bounded
/// in depth; unreadable directories (removed meanwhile) are skipped.
fn walk(dir: &Path, prefix: &str, out: &mut std::collections::HashMap<u64, String>, depth: usize) {
    if depth > 32 {
        return;
    }
    if let Some(id) = cgroup_id(dir) {
        out.insert(id, if prefix.is_empty() { "/".to_string() } else { prefix.to_string() });
    }
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            let name = e.file_name().to_string_lossy().into_owned();
            let child = if prefix == "/" || prefix.is_empty() { format!("/{name}") } else { format!("{prefix}/{name}") };
            walk(&e.path(), &child, out, depth + 1);
        }
    }
}

/// v1 reports "no limit" as the largest page-aligned signed 64-bit value.
const V1_UNLIMITED: u64 = 1 << 62;

/// The ids of a process's cgroups as BPF programs see them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CgroupIds {
    pub v2: Option<u64>,
    pub v1_memory: Option<u64>,
}

/// A cgroup's id: the inode number of its directory (kernfs node id on 64-bit kernels).
pub fn cgroup_id(dir: &Path) -> Option<u64> {
    std::fs::metadata(dir).ok().map(|m| m.ino())
}

/// Resource counters of one cgroup (None: the host does not provide it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CgroupCounters {
    /// Total CPU time used, in nanoseconds.
    pub cpu_usage_ns: Option<u64>,
    pub cpu_periods: Option<u64>,
    pub cpu_throttled_periods: Option<u64>,
    pub cpu_throttled_ns: Option<u64>,
    pub memory_usage_bytes: Option<u64>,
    /// Usage minus inactive file cache, as cAdvisor's `container_memory_working_set_bytes`.
    pub memory_working_set_bytes: Option<u64>,
    /// None when unlimited.
    pub memory_limit_bytes: Option<u64>,
    pub memory_oom_kills: Option<u64>,
    pub io_read_bytes: Option<u64>,
    pub io_write_bytes: Option<u64>,
    pub pids_current: Option<u64>,
    /// None when unlimited.
    pub pids_limit: Option<u64>,
}

fn read_u64(path: &Path) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// `key value` lines (cpu.stat, memory.stat, memory.events, memory.oom_control).
struct Kv(Vec<(String, u64)>);

impl Kv {
    fn get(&self, key: &str) -> Option<u64> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

fn read_kv(path: &Path) -> Option<Kv> {
    Some(parse_kv(&std::fs::read_to_string(path).ok()?))
}

fn parse_kv(text: &str) -> Kv {
    Kv(text
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            let k = it.next()?;
            let v = it.next()?.parse().ok()?;
            Some((k.to_string(), v))
        })
        .collect())
}

/// v1 `blkio.throttle.io_service_bytes`: `maj:min Read|Write|Sync|Async|Discard|Total N`.
pub fn parse_blkio_v1(text: &str) -> (u64, u64) {
    let (mut r, mut w) = (0, 0);
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() == 3 {
            let v: u64 = f[2].parse().unwrap_or(0);
            match f[1] {
                "Read" => r += v,
                "Write" => w += v,
                _ => {}
            }
        }
    }
    (r, w)
}

/// v2 `io.stat`: `maj:min rbytes=N wbytes=N rios=N wios=N ...`.
pub fn parse_io_stat_v2(text: &str) -> (u64, u64) {
    let (mut r, mut w) = (0, 0);
    for line in text.lines() {
        for kv in line.split_whitespace().skip(1) {
            if let Some((k, v)) = kv.split_once('=') {
                let v: u64 = v.parse().unwrap_or(0);
                match k {
                    "rbytes" => r += v,
                    "wbytes" => w += v,
                    _ => {}
                }
            }
        }
    }
    (r, w)
}

/// mountinfo escapes spaces, tabs, newlines and backslashes as `\ooo`.
fn unescape_mount(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 3 < b.len() && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c)) {
            let v = (b[i + 1] - b'0') as u32 * 64 + (b[i + 2] - b'0') as u32 * 8 + (b[i + 3] - b'0') as u32;
            out.push(v as u8);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const HYBRID_MOUNTINFO: &str = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
22 1 0:20 / /proc rw,nosuid - proc proc rw
";

    #[test]
    fn mountinfo_layouts() {
        let fs = CgroupFs::from_mountinfo(HYBRID_MOUNTINFO);
        assert_eq!(fs.layout(), Layout::Hybrid);
        assert_eq!(fs.v1_mount("memory").unwrap().mount_point, Path::new("/sys/fs/cgroup/memory"));
        assert_eq!(fs.v1_mount("name=systemd").unwrap().mount_point, Path::new("/sys/fs/cgroup/systemd"));
        assert_eq!(fs.v2_mount().unwrap().mount_point, Path::new("/sys/fs/cgroup/unified"));

        let v2 = CgroupFs::from_mountinfo("30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n");
        assert_eq!(v2.layout(), Layout::V2);
        let v1 = CgroupFs::from_mountinfo("35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
        assert_eq!(v1.layout(), Layout::V1);
        assert_eq!(CgroupFs::from_mountinfo("").layout(), Layout::None);
    }

    #[test]
    fn dirs_honour_the_mount_root_of_cgroup_namespaces() {
        let fs = CgroupFs::from_mountinfo("41 31 0:38 /kubepods/pod1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
        let m = fs.v2_mount().unwrap();
        assert_eq!(CgroupFs::dir(m, "/kubepods/pod1/abc"), Path::new("/sys/fs/cgroup/abc"));
        assert_eq!(unescape_mount("/a\\040b"), "/a b");
    }

    #[test]
    fn io_counters_parse() {
        assert_eq!(parse_blkio_v1("8:0 Read 100\n8:0 Write 50\n8:0 Total 150\n8:16 Read 1\nTotal 151\n"), (101, 50));
        assert_eq!(parse_io_stat_v2("8:0 rbytes=10 wbytes=20 rios=1 wios=2\n8:16 rbytes=1 wbytes=2\n"), (11, 22));
        let kv = parse_kv("usage_usec 12\nnr_throttled 3\nbad\n");
        assert_eq!((kv.get("usage_usec"), kv.get("nr_throttled"), kv.get("x")), (Some(12), Some(3), None));
    }
}
