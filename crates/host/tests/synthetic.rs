//! The host scanner on synthetic `/proc`, cgroupfs and runtime-state trees written by the
//! tests, and on the real `/proc` of this machine.

use kinsight_host::{
    container_of_path, CgroupFs, Layout, ProcFs, RuntimeDirs, ScanOptions,
};
use kinsight_scap::{FdDetail, FdKind};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("kinsight-host-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const ID: &str = "730a6f492270921c8cf91d8c8c7c125ebb94a4749e0d4c753b1dc1cd42d84025";
const UID: &str = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

fn stat_line(pid: i64, comm: &str, ppid: i64, utime: u64, stime: u64) -> String {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
    // stime cutime cstime prio nice nthreads itreal starttime vsize rss ...
    format!("{pid} ({comm}) S {ppid} {pid} {pid} 0 -1 4194560 120 0 3 0 {utime} {stime} 0 0 20 0 2 0 5000 10485760 256 18446744073709551615 0 0 0\n")
}

/// A fake process: stat, status, cmdline, links, cgroup, fds.
fn fake_process(proc: &Path, pid: i64, comm: &str, cgroup: &str, tids: &[i64]) {
    let d = proc.join(pid.to_string());
    write(&d.join("stat"), &stat_line(pid, comm, 1, 10, 5));
    write(
        &d.join("status"),
        &format!("Name:\t{comm}\nTgid:\t{pid}\nPPid:\t1\nUid:\t1000\t1001\t1001\t1001\nGid:\t50\t51\t51\t51\nVmSize:\t  10240 kB\nVmRSS:\t   1024 kB\nVmSwap:\t0 kB\nNStgid:\t{pid}\t7\nNSpid:\t{pid}\t7\n"),
    );
    write(&d.join("cmdline"), &format!("/usr/bin/{comm}\0--port\08080\0"));
    write(&d.join("environ"), "HOME=/root\0PATH=/bin\0");
    write(&d.join("limits"), "Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 4096                 files\n");
    write(&d.join("loginuid"), "4294967295");
    write(&d.join("cgroup"), cgroup);
    symlink(format!("/usr/bin/{comm}"), d.join("exe")).unwrap();
    symlink("/srv/app", d.join("cwd")).unwrap();
    symlink("/", d.join("root")).unwrap();
    symlink("net:[4026531999]", d.join("ns/net")).unwrap_or_else(|_| {
        std::fs::create_dir_all(d.join("ns")).unwrap();
        symlink("net:[4026531999]", d.join("ns/net")).unwrap();
    });
    for &tid in tids {
        let t = d.join("task").join(tid.to_string());
        let tcomm = if tid == pid { comm.to_string() } else { format!("{comm}-w") };
        write(&t.join("stat"), &stat_line(tid, &tcomm, 1, 3 * tid as u64, 1));
        write(&t.join("status"), &format!("Tgid:\t{pid}\nNSpid:\t{tid}\t{}\n", tid - pid + 7));
    }
}

#[test]
fn synthetic_proc_scan_reads_threads_cgroups_and_fds() {
    let tmp = TempDir::new("proc");
    let proc = tmp.0.join("proc");
    let files = tmp.0.join("files");
    write(&files.join("data.log"), "x");
    std::fs::create_dir_all(files.join("dir")).unwrap();
    let cgroup = format!("4:memory:/kubepods/besteffort/pod{UID}/{ID}\n1:cpu,cpuacct:/kubepods/besteffort/pod{UID}/{ID}\n0::/kubepods/besteffort/pod{UID}/{ID}\n");
    fake_process(&proc, 100, "my server", &cgroup, &[100, 101]);
    let fd_dir = proc.join("100/fd");
    std::fs::create_dir_all(&fd_dir).unwrap();
    symlink(files.join("data.log"), fd_dir.join("3")).unwrap();
    symlink(files.join("dir"), fd_dir.join("4")).unwrap();
    symlink("socket:[5001]", fd_dir.join("5")).unwrap();
    symlink("socket:[5002]", fd_dir.join("6")).unwrap();
    symlink("socket:[5003]", fd_dir.join("7")).unwrap();
    symlink("pipe:[77]", fd_dir.join("8")).unwrap();
    symlink("anon_inode:[eventpoll]", fd_dir.join("9")).unwrap();
    symlink("socket:[9999]", fd_dir.join("10")).unwrap();
    symlink("anon_inode:bpf-map", fd_dir.join("11")).unwrap();
    write(&proc.join("100/fdinfo/3"), "pos:\t0\nflags:\t02002001\nmnt_id:\t1\n");
    let net = proc.join("100/net");
    write(&net.join("tcp"), "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5001 1 0\n\
   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 5002 1 0\n");
    write(&net.join("unix"), "Num       RefCount Protocol Flags    Type St Inode Path\n00000000000000ab: 00000002 00000000 00010000 0001 01 5003 /run/app.sock\n");
    // A process that vanished between listing and reading: only a directory.
    std::fs::create_dir_all(proc.join("200")).unwrap();
    // Not a process.
    std::fs::create_dir_all(proc.join("self-like")).unwrap();

    let scan = ProcFs::new(&proc).scan(&ScanOptions::default());
    assert_eq!(scan.skipped_processes, 1, "the vanished process is skipped and counted");
    assert_eq!(scan.threads.len(), 2);
    let main = &scan.threads[0];
    assert_eq!((main.tid, main.pid, main.ptid), (100, 100, 1));
    assert_eq!(main.comm, "my server");
    assert_eq!(main.exe, "/usr/bin/my server");
    assert_eq!(main.args, b"--port\08080\0");
    assert_eq!(main.exepath, "/usr/bin/my server");
    assert_eq!(main.cwd, "/srv/app/");
    assert_eq!((main.uid, main.gid, main.fdlimit), (1001, 51, 1024));
    assert_eq!((main.vmsize_kb, main.vmrss_kb), (10240, 1024));
    assert_eq!((main.vtid, main.vpid), (7, 7), "ids in the container's pid namespace");
    assert_eq!(main.loginuid, Some(u32::MAX));
    let cg = String::from_utf8_lossy(&main.cgroups);
    assert!(cg.starts_with(&format!("memory=/kubepods/besteffort/pod{UID}/{ID}\0")), "{cg}");
    assert!(cg.contains(&format!("unified=/kubepods/besteffort/pod{UID}/{ID}")), "{cg}");
    let worker = &scan.threads[1];
    assert_eq!((worker.tid, worker.pid, worker.comm.as_str(), worker.vtid), (101, 100, "my server-w", 8));
    assert!(worker.flags & kinsight_host::ppm::clone::THREAD != 0);

    // The engine attributes the threads to the container of their cgroup.
    let mut engine = kinsight_engine::Engine::new();
    engine.apply_block(&kinsight_scap::Block::ProcessList(scan.threads.clone()));
    assert_eq!(engine.thread(101).unwrap().container.as_deref(), Some(&ID[..12]));

    let fds = &scan.fd_lists[0];
    assert_eq!(fds.tid, 100);
    let by_fd = |n: i64| fds.fds.iter().find(|f| f.fd == n).unwrap_or_else(|| panic!("fd {n} in {:?}", fds.fds));
    match &by_fd(3).detail {
        FdDetail::File { open_flags, name } => {
            assert!(name.ends_with("files/data.log"));
            assert_eq!(*open_flags, kinsight_host::ppm::open::WRONLY | kinsight_host::ppm::open::APPEND | kinsight_host::ppm::open::CLOEXEC);
        }
        d => panic!("fd 3 is {d:?}"),
    }
    assert_eq!(by_fd(4).kind, FdKind::Directory);
    assert_eq!(by_fd(5).detail, FdDetail::Ipv4Server { ip: [127, 0, 0, 1], port: 8080, l4proto: 2 });
    assert_eq!(
        by_fd(6).detail,
        FdDetail::Ipv4 { sip: [127, 0, 0, 1], dip: [127, 0, 0, 1], sport: 8080, dport: 50000, l4proto: 2 }
    );
    assert_eq!(by_fd(7).detail, FdDetail::Unix { source: 0xab, dest: 0, path: "/run/app.sock".into() });
    assert_eq!((by_fd(8).kind, by_fd(8).ino), (FdKind::Fifo, 77));
    assert_eq!(by_fd(9).kind, FdKind::EventPoll);
    assert_eq!(by_fd(10).kind, FdKind::Unsupported, "a socket missing from every table");
    assert_eq!(by_fd(11).kind, FdKind::Unsupported, "fd kinds sysdig 0.29.3 cannot read are listed as unsupported");

    // Samples for procinfo: ticks per thread.
    let samples = ProcFs::new(&proc).sample_all(None);
    assert_eq!(samples.len(), 2);
    assert_eq!((samples[1].tid, samples[1].utime), (101, 303));
}

#[test]
fn garbage_proc_files_never_panic() {
    let tmp = TempDir::new("garbage");
    let proc = tmp.0.join("proc");
    for (pid, stat) in [(1, ""), (2, "2 (x"), (3, "3 (ok) S notanumber"), (4, "\u{0}\u{1}"), (5, "5 (a) b) S 1 2 3")] {
        write(&proc.join(pid.to_string()).join("stat"), stat);
        write(&proc.join(pid.to_string()).join("status"), "garbage\n:::\n");
    }
    let scan = ProcFs::new(&proc).scan(&ScanOptions::default());
    assert_eq!(scan.threads.len(), 0);
    assert_eq!(scan.skipped_processes, 5);
}

fn cgroup_tree(root: &Path) -> CgroupFs {
    let mountinfo = format!(
        "32 31 0:29 / {0}/cpu rw - cgroup cgroup rw,cpu\n33 31 0:30 / {0}/cpuacct rw - cgroup cgroup rw,cpuacct\n\
35 31 0:32 / {0}/memory rw - cgroup cgroup rw,memory\n36 31 0:33 / {0}/blkio rw - cgroup cgroup rw,blkio\n\
37 31 0:34 / {0}/pids rw - cgroup cgroup rw,pids\n41 31 0:38 / {0}/unified rw - cgroup2 cgroup2 rw\n",
        root.display()
    );
    CgroupFs::from_mountinfo(&mountinfo)
}

#[test]
fn v1_counters_of_a_hybrid_host() {
    let tmp = TempDir::new("cg1");
    let root = tmp.0.join("cgroup");
    let path = format!("/docker/{ID}");
    let d = |c: &str| root.join(c).join(path.trim_start_matches('/'));
    write(&d("cpuacct").join("cpuacct.usage"), "123456789\n");
    write(&d("cpu").join("cpu.stat"), "nr_periods 10\nnr_throttled 4\nthrottled_time 5000\n");
    write(&d("memory").join("memory.usage_in_bytes"), "1000000\n");
    write(&d("memory").join("memory.limit_in_bytes"), "9223372036854771712\n");
    write(&d("memory").join("memory.stat"), "cache 1\ntotal_inactive_file 300000\n");
    write(&d("memory").join("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
    write(&d("blkio").join("blkio.throttle.io_service_bytes_recursive"), "8:0 Read 4096\n8:0 Write 8192\n8:0 Total 12288\nTotal 12288\n");
    write(&d("pids").join("pids.current"), "3\n");
    write(&d("pids").join("pids.max"), "max\n");
    std::fs::create_dir_all(d("unified")).unwrap();
    let fs = cgroup_tree(&root);
    assert_eq!(fs.layout(), Layout::Hybrid);
    let lines = kinsight_cgroup::parse_proc_cgroup(&format!(
        "5:pids:{path}\n4:memory:{path}\n3:blkio:{path}\n2:cpuacct:{path}\n1:cpu:{path}\n0::{path}\n"
    ));
    let c = fs.counters(&lines);
    assert_eq!(c.cpu_usage_ns, Some(123456789));
    assert_eq!((c.cpu_periods, c.cpu_throttled_periods, c.cpu_throttled_ns), (Some(10), Some(4), Some(5000)));
    assert_eq!((c.memory_usage_bytes, c.memory_working_set_bytes), (Some(1000000), Some(700000)));
    assert_eq!(c.memory_limit_bytes, None, "v1's huge value means unlimited");
    assert_eq!(c.memory_oom_kills, Some(2));
    assert_eq!((c.io_read_bytes, c.io_write_bytes), (Some(4096), Some(8192)));
    assert_eq!((c.pids_current, c.pids_limit), (Some(3), None));
    let ids = fs.ids(&lines);
    assert!(ids.v2.is_some() && ids.v1_memory.is_some() && ids.v2 != ids.v1_memory);
}

#[test]
fn v2_counters() {
    let tmp = TempDir::new("cg2");
    let root = tmp.0.join("cgroup");
    let path = format!("/kubepods.slice/kubepods-pod{}.slice/cri-containerd-{ID}.scope", UID.replace('-', "_"));
    let d = root.join(path.trim_start_matches('/'));
    write(&d.join("cpu.stat"), "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\nnr_periods 7\nnr_throttled 1\nthrottled_usec 30\n");
    write(&d.join("memory.current"), "5000\n");
    write(&d.join("memory.max"), "max\n");
    write(&d.join("memory.stat"), "anon 1\ninactive_file 1000\n");
    write(&d.join("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
    write(&d.join("io.stat"), "8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n");
    write(&d.join("pids.current"), "4\n");
    write(&d.join("pids.max"), "100\n");
    let fs = CgroupFs::from_mountinfo(&format!("30 23 0:26 / {} rw - cgroup2 cgroup2 rw\n", root.display()));
    assert_eq!(fs.layout(), Layout::V2);
    let c = fs.counters(&kinsight_cgroup::parse_proc_cgroup(&format!("0::{path}\n")));
    assert_eq!(c.cpu_usage_ns, Some(2_500_000));
    assert_eq!((c.cpu_throttled_periods, c.cpu_throttled_ns), (Some(1), Some(30_000)));
    assert_eq!((c.memory_usage_bytes, c.memory_working_set_bytes, c.memory_limit_bytes), (Some(5000), Some(4000), None));
    assert_eq!(c.memory_oom_kills, Some(1));
    assert_eq!((c.io_read_bytes, c.io_write_bytes, c.pids_current, c.pids_limit), (Some(100), Some(200), Some(4), Some(100)));
}

#[test]
fn runtime_state_directories() {
    let tmp = TempDir::new("rt");
    let dirs = RuntimeDirs::under(&tmp.0);
    // containerd CRI bundle.
    write(
        &tmp.0.join(format!("run/containerd/io.containerd.runtime.v2.task/k8s.io/{ID}/config.json")),
        &serde_json::json!({"annotations": {
            "io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.container-name": "api",
            "io.kubernetes.cri.sandbox-name": "api-0", "io.kubernetes.cri.sandbox-namespace": "prod",
            "io.kubernetes.cri.sandbox-uid": UID, "io.kubernetes.cri.image-name": "ghcr.io/acme/api:2"}})
        .to_string(),
    );
    let c = container_of_path(&format!("/kubepods/burstable/pod{UID}/{ID}")).unwrap();
    let m = dirs.lookup(&c).expect("containerd bundle found");
    assert_eq!((m.name.as_str(), m.image.as_str()), ("api", "ghcr.io/acme/api:2"));
    assert_eq!(m.runtime, Some(kinsight_host::Runtime::Containerd));
    let json = kinsight_host::container_json(&c, Some(&m));
    let info = kinsight_model_check(&json);
    assert_eq!(info, ("api".to_string(), "prod".to_string(), "api-0".to_string()));

    // docker.
    let id2 = "2222222222222222222222222222222222222222222222222222222222222222";
    write(
        &tmp.0.join(format!("var/lib/docker/containers/{id2}/config.v2.json")),
        r#"{"Name":"/web","Image":"sha256:abc","Config":{"Image":"nginx:1.25","Labels":{"tier":"front"}}}"#,
    );
    write(&tmp.0.join(format!("var/lib/docker/containers/{id2}/hostconfig.json")), r#"{"Memory":268435456,"Privileged":true}"#);
    let m = dirs.lookup(&container_of_path(&format!("/docker/{id2}")).unwrap()).unwrap();
    assert_eq!((m.name.as_str(), m.image.as_str(), m.memory_limit, m.privileged), ("web", "nginx:1.25", Some(268435456), Some(true)));
    assert_eq!(m.labels["tier"], "front");

    // podman: OCI config plus the storage record with the name.
    let id3 = "3333333333333333333333333333333333333333333333333333333333333333";
    let storage = tmp.0.join("var/lib/containers/storage/overlay-containers");
    write(&storage.join(id3).join("userdata/config.json"), r#"{"annotations":{"io.container.manager":"libpod"}}"#);
    write(
        &storage.join("containers.json"),
        &serde_json::json!([{"id": id3, "names": ["db"], "metadata": "{\"image-name\":\"docker.io/library/postgres:16\"}"}]).to_string(),
    );
    let m = dirs.lookup(&container_of_path(&format!("/machine.slice/libpod-{id3}.scope/container")).unwrap()).unwrap();
    assert_eq!((m.runtime, m.name.as_str(), m.image.as_str()), (Some(kinsight_host::Runtime::Podman), "db", "docker.io/library/postgres:16"));

    // runc: state.json points at the bundle.
    let id4 = "4444444444444444444444444444444444444444444444444444444444444444";
    let bundle = tmp.0.join("bundles/b4");
    write(&bundle.join("config.json"), r#"{"annotations":{"io.kubernetes.cri.container-name":"job"}}"#);
    write(
        &tmp.0.join(format!("run/runc/{id4}/state.json")),
        &serde_json::json!({"id": id4, "config": {"labels": [format!("bundle={}", bundle.display())]}}).to_string(),
    );
    let m = dirs.lookup(&container_of_path(&format!("/kubepods/pod{UID}/{id4}")).unwrap()).unwrap();
    assert_eq!(m.name, "job");

    // Nothing known: no metadata, and the JSON still names the container by its id.
    let id5 = "5555555555555555555555555555555555555555555555555555555555555555";
    let c5 = container_of_path(&format!("/docker/{id5}")).unwrap();
    assert_eq!(dirs.lookup(&c5), None);
    assert!(kinsight_host::container_json(&c5, None).contains("\"name\":\"555555555555\""));
}

/// Reads a container JSON payload back as the engine's model does: (name, pod namespace,
/// pod name) from the pod hint.
fn kinsight_model_check(json: &str) -> (String, String, String) {
    let info = kinsight_model::ContainerInfo::from_json(json).expect("the model reads our container JSON");
    assert_eq!(info.id, &ID[..12]);
    let hint = info.pod_hint().expect("a pod hint");
    (info.name.clone(), hint.namespace.to_string(), hint.pod.to_string())
}

#[test]
fn real_proc_of_this_machine() {
    let me = std::process::id() as i64;
    let proc = ProcFs::system();
    let scan = proc.scan(&ScanOptions::default());
    let mine = scan.threads.iter().find(|t| t.tid == me).expect("this test process is in the scan");
    assert_eq!(mine.pid, me);
    assert!(mine.exepath.contains("synthetic"), "exe {}", mine.exepath);
    assert!(!mine.cgroups.is_empty());
    assert!(scan.threads.iter().any(|t| t.pid == 1), "pid 1 is listed");
    // Our own threads (the test harness runs tests on threads) are listed under our pid.
    assert!(scan.threads.iter().filter(|t| t.pid == me).count() >= 1);
    // A listening socket we open shows up with its port.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut tables = Default::default();
    let fds = proc.read_fds(me, &mut tables);
    assert!(
        fds.fds.iter().any(|f| f.detail == FdDetail::Ipv4Server { ip: [127, 0, 0, 1], port, l4proto: 2 }),
        "listening socket on {port} in {:?}",
        fds.fds
    );
    // Only fd kinds that sysdig 0.29.3's fd list reader knows (types up to FileV2).
    for f in scan.fd_lists.iter().flat_map(|l| &l.fds) {
        assert!(
            !matches!(f.kind, FdKind::Bpf | FdKind::UserFaultFd | FdKind::IoUring | FdKind::MemFd | FdKind::PidFd),
            "{f:?}"
        );
    }
    let fs = CgroupFs::system();
    assert_ne!(fs.layout(), Layout::None);
    let lines = kinsight_cgroup::parse_proc_cgroup(&proc.cgroup_text(me).unwrap());
    let ids = fs.ids(&lines);
    assert!(ids.v2.is_some() || ids.v1_memory.is_some());
    let counters = fs.counters(&lines);
    assert!(counters.cpu_usage_ns.is_some() || counters.memory_usage_bytes.is_some(), "{counters:?}");
    assert!(!kinsight_host::netns_counters(&proc).is_empty());
    assert!(kinsight_host::machine::machine_info().num_cpus >= 1);
}

#[test]
fn cgroup_ids_resolve_to_paths() {
    let tmp = TempDir::new("ids");
    let root = tmp.0.join("cgroup");
    let path = format!("/docker/{ID}");
    for c in ["memory", "unified"] {
        std::fs::create_dir_all(root.join(c).join(path.trim_start_matches('/'))).unwrap();
    }
    let fs = cgroup_tree(&root);
    let lines = kinsight_cgroup::parse_proc_cgroup(&format!("4:memory:{path}\n0::{path}\n"));
    let ids = fs.ids(&lines);
    let mut ix = kinsight_host::CgroupIdIndex::build(&fs);
    let (v2, v1) = (ids.v2.unwrap(), ids.v1_memory.unwrap());
    assert!(ix.knows(v2, v1));
    assert_eq!(ix.entries(v2, v1), [format!("memory={path}"), format!("unified={path}")]);
    // A cgroup created later is found after a refresh.
    let later = root.join("unified/docker/later");
    std::fs::create_dir_all(&later).unwrap();
    let later_id = kinsight_host::cgroupfs::cgroup_id(&later).unwrap();
    assert!(!ix.knows(later_id, 0));
    ix.refresh(&fs);
    assert_eq!(ix.entries(later_id, 0), ["unified=/docker/later".to_string()]);
}

#[test]
fn overlong_fields_are_cut_to_what_sysdig_reads() {
    let tmp = TempDir::new("long");
    let proc = tmp.0.join("proc");
    fake_process(&proc, 300, "title", "0::/\n", &[300]);
    // A process that rewrote its command line without NULs (setproctitle), and a huge one.
    let d = proc.join("300");
    write(&d.join("cmdline"), &"x".repeat(5000));
    write(&d.join("environ"), &"E=1\0".repeat(3000));
    let scan = ProcFs::new(&proc).scan(&ScanOptions::default());
    let t = &scan.threads[0];
    assert_eq!(t.exe.len(), kinsight_host::procfs::MAX_PATH_LEN);
    assert!(t.args.is_empty());
    assert!(t.env.len() <= kinsight_host::procfs::MAX_ARGS_LEN);
    fake_process(&proc, 301, "args", "0::/\n", &[301]);
    write(&proc.join("301/cmdline"), &format!("prog\0{}", "a\0".repeat(4000)));
    let scan = ProcFs::new(&proc).scan(&ScanOptions::default());
    let t = scan.threads.iter().find(|t| t.pid == 301).unwrap();
    assert!(t.args.len() <= kinsight_host::procfs::MAX_ARGS_LEN && t.args.ends_with(&[0]));
}
