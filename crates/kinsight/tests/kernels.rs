//! The kernel matrix: `kinsight live` on Debian's stock kernels 6.1 and 6.12, booted under
//! qemu.
//!
//! The BPF programs are CO-RE and meant to load wherever there is BTF, but the hooks a
//! kernel offers differ (6.1 has no `sock:sock_send_length` tracepoint, for one), and the
//! machine that builds kinsight runs only its own kernel (tests/live.rs covers that one).
//! So each kernel boots once, under TCG, from an initramfs holding busybox, this build's
//! kinsight and its libraries. Its /init (kernels/guest-init.sh) runs kinsight in
//! aggregated, full and proc mode in turn, each watching its own copy of a workload of known
//! size (one at a time: two kinsights would slow each other down under TCG), and sends their
//! outputs and the workload's own measures out on a second serial port. Here they are
//! checked exactly, per kernel and mode:
//!
//! 1. aggregated and full: the bytes `dd` read from /dev/zero and wrote to files;
//! 2. aggregated and full: the bytes a busybox `nc` client sent over loopback, and the bytes
//!    the `nc` server received and wrote to a file;
//! 3. full: the three GETs `wget` sent to busybox `httpd`, each once in the HTTP log;
//! 4. proc: the processes are listed.
//!
//! None of the BPF runs may fall back to /proc. Every run's stderr (where kinsight says which
//! hooks it uses) is kept under `target/kernel-matrix/<kernel>/` with the console log.
//!
//! The kernels are the newest `linux-image-*-cloud-amd64` packages apt offers, downloaded
//! once into `target/kernels/`. When qemu, busybox or the kernels cannot be had, the tests
//! skip and say why, or fail when `KINSIGHT_KERNEL_MATRIX=required` (as in `.ci/run`).

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

const KINSIGHT: &str = env!("CARGO_BIN_EXE_kinsight");
const BUSYBOX: &str = "/bin/busybox";
const QEMU: &str = "qemu-system-x86_64";
const GUEST_INIT: &str = include_str!("kernels/guest-init.sh");

/// Seconds each run watches. The workload starts a second after kinsight says it watches
/// and takes two or three seconds under TCG; it must be over before the interval ends (the
/// guest checks). Aggregated mode reads its counters from the kernel at the end; full mode
/// must also have read every event by then, and a debug build under TCG lags behind.
const AGGREGATED_INTERVAL_S: u32 = 7;
const FULL_INTERVAL_S: u32 = 10;
/// The socket check's payload: NC_CHUNKS writes of NC_CHUNK bytes into the client's pipe.
const NC_CHUNK: u64 = 1000;
const NC_CHUNKS: u64 = 100;
const NC_PORT: u16 = 7001;
const HTTP_PORT: u16 = 7080;
/// Boot, five kinsight runs with their workloads and the outputs take 60-80 s under TCG; the
/// limit leaves room for a loaded machine.
const GUEST_TIMEOUT: Duration = Duration::from_secs(300);

/// A Debian kernel series: the apt packages of its cloud images.
struct KernelSeries {
    label: &'static str,
    /// For `apt-cache search --names-only` (an extended regular expression).
    packages: &'static str,
}

const SIX_ONE: KernelSeries =
    KernelSeries { label: "6.1", packages: r"^linux-image-6\.1\.0-[0-9]+-cloud-amd64(-unsigned)?$" };
const SIX_TWELVE: KernelSeries =
    KernelSeries { label: "6.12", packages: r"^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64(-unsigned)?$" };

#[test]
fn six_one_kernel_attributes_bytes_and_http_in_every_mode() {
    run_matrix_entry("six_one_kernel_attributes_bytes_and_http_in_every_mode", &SIX_ONE);
}

#[test]
fn six_twelve_kernel_attributes_bytes_and_http_in_every_mode() {
    run_matrix_entry("six_twelve_kernel_attributes_bytes_and_http_in_every_mode", &SIX_TWELVE);
}

fn run_matrix_entry(test: &str, series: &KernelSeries) {
    // Two TCG guests at once would share two cores and could stretch the workload past
    // the interval: one boot at a time.
    static ONE_GUEST_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _guard = ONE_GUEST_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let (vmlinuz, initramfs) = match prerequisites(series) {
        Ok(found) => found,
        Err(why) => return unavailable(test, &why),
    };
    let release = vmlinuz.file_name().unwrap().to_string_lossy().trim_start_matches("vmlinuz-").to_string();
    let artifacts = target_dir().join("kernel-matrix").join(&release);
    let report = boot(&vmlinuz, &initramfs, &artifacts);
    let failures = check(&report, &release);
    eprintln!("{test}: {release}: {:.0} s (artifacts in {})", started.elapsed().as_secs_f64(), artifacts.display());
    assert!(failures.is_empty(), "kernel {release}: {} check(s) failed:\n  {}", failures.len(), failures.join("\n  "));
}

/// A missing prerequisite: a failure when the matrix is required, else a skip.
fn unavailable(test: &str, why: &str) {
    if std::env::var("KINSIGHT_KERNEL_MATRIX").as_deref() == Ok("required") {
        panic!("{test}: {why} (KINSIGHT_KERNEL_MATRIX=required: the kernel matrix must run)");
    }
    eprintln!("{test}: skipped: {why}");
}

/// The kernel image of the series and the initramfs, or why they cannot be had.
fn prerequisites(series: &KernelSeries) -> Result<(PathBuf, PathBuf), String> {
    let qemu = Command::new(QEMU).arg("--version").output();
    if !qemu.is_ok_and(|o| o.status.success()) {
        return Err(format!("{QEMU} is not installed (apt-get install qemu-system-x86)"));
    }
    if !Path::new(BUSYBOX).exists() {
        return Err(format!("{BUSYBOX} is missing (apt-get install busybox-static)"));
    }
    static INITRAMFS: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let initramfs = INITRAMFS.get_or_init(build_initramfs).clone()?;
    Ok((kernel_image(series)?, initramfs))
}

/// `target/`, the parent of Cargo's scratch directory for integration tests.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("CARGO_TARGET_TMPDIR is inside target/").to_path_buf()
}

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{cmd:?}: {}: {}", out.status, String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The numbers in a package name, in order: what orders the versions of one series.
fn version_key(package: &str) -> Vec<u64> {
    package.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap_or(0)).collect()
}

/// The kernel image of the series; when it cannot be had and this is root, apt's package
/// lists are refreshed once and it is asked again (stale lists name packages the mirror no
/// longer has).
fn kernel_image(series: &KernelSeries) -> Result<PathBuf, String> {
    match newest_kernel_image(series) {
        Err(why) if is_root() => {
            eprintln!("{why}: apt-get update, then again");
            run(Command::new("apt-get").args(["update", "-qq"]))?;
            newest_kernel_image(series)
        }
        found => found,
    }
}

fn is_root() -> bool {
    run(Command::new("id").arg("-u")).is_ok_and(|uid| uid.trim() == "0")
}

/// The newest kernel of the series apt can give (cached under `target/kernels/<package>/`),
/// or, when none can be downloaded, the newest already cached.
fn newest_kernel_image(series: &KernelSeries) -> Result<PathBuf, String> {
    let cache = target_dir().join("kernels");
    std::fs::create_dir_all(&cache).map_err(|e| format!("{}: {e}", cache.display()))?;
    let found = run(Command::new("apt-cache").args(["search", "--names-only", series.packages]))?;
    let mut packages: Vec<String> =
        found.lines().filter_map(|l| l.split_whitespace().next()).map(str::to_string).collect();
    packages.sort_by_key(|p| std::cmp::Reverse(version_key(p)));
    let mut download_error = None;
    for package in &packages {
        let dir = cache.join(package);
        if let Some(image) = vmlinuz_in(&dir) {
            return Ok(image);
        }
        if download_error.is_some() || !has_candidate(package) {
            continue;
        }
        match download(package, &cache, &dir) {
            Ok(image) => return Ok(image),
            Err(e) => download_error = Some(e),
        }
    }
    Err(match download_error {
        Some(e) => format!("no {} kernel: {e}", series.label),
        None => format!(
            "apt offers no {} kernel (apt-cache search --names-only '{}'; apt-get update?)",
            series.label, series.packages
        ),
    })
}

fn has_candidate(package: &str) -> bool {
    run(Command::new("apt-cache").args(["policy", package])).is_ok_and(|policy| {
        policy.lines().any(|l| l.trim().strip_prefix("Candidate:").is_some_and(|c| c.trim() != "(none)"))
    })
}

fn vmlinuz_in(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir.join("boot"))
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("vmlinuz-")))
}

/// `apt-get download` and `dpkg-deb -x` (no installation), into `dir`.
fn download(package: &str, cache: &Path, dir: &Path) -> Result<PathBuf, String> {
    run(Command::new("apt-get").args(["download", "-q", package]).current_dir(cache))?;
    let deb = std::fs::read_dir(cache)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&format!("{package}_"))))
        .ok_or_else(|| format!("apt-get download {package} left no .deb in {}", cache.display()))?;
    // Extracted beside, then renamed: an interrupted extraction is never taken for a cached one.
    let partial = cache.join(format!("{package}.partial"));
    let _ = std::fs::remove_dir_all(&partial);
    let extracted = run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&partial));
    let _ = std::fs::remove_file(&deb);
    extracted?;
    std::fs::rename(&partial, dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    vmlinuz_in(dir).ok_or_else(|| format!("{package} has no boot/vmlinuz-*"))
}

/// The newc cpio archive the kernel unpacks as its root file system.
#[derive(Default)]
struct Cpio {
    bytes: Vec<u8>,
    next_inode: u32,
    dirs: std::collections::BTreeSet<String>,
}

impl Cpio {
    fn entry(&mut self, name: &str, mode: u32, rdev: (u32, u32), data: &[u8]) {
        self.next_inode += 1;
        let fields =
            [self.next_inode, mode, 0, 0, 1, 0, data.len() as u32, 0, 0, rdev.0, rdev.1, name.len() as u32 + 1, 0];
        self.bytes.extend_from_slice(b"070701");
        for f in fields {
            self.bytes.extend_from_slice(format!("{f:08x}").as_bytes());
        }
        self.bytes.extend_from_slice(name.as_bytes());
        self.bytes.push(0);
        self.pad();
        self.bytes.extend_from_slice(data);
        self.pad();
    }

    fn pad(&mut self) {
        while self.bytes.len() % 4 != 0 {
            self.bytes.push(0);
        }
    }

    /// The directory and its parents, each once.
    fn dir(&mut self, path: &str) {
        let mut at = String::new();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            if !at.is_empty() {
                at.push('/');
            }
            at.push_str(part);
            if self.dirs.insert(at.clone()) {
                self.entry(&at.clone(), 0o040755, (0, 0), &[]);
            }
        }
    }

    fn file(&mut self, path: &str, mode: u32, data: &[u8]) {
        let path = path.trim_start_matches('/');
        if let Some((parent, _)) = path.rsplit_once('/') {
            self.dir(parent);
        }
        self.entry(path, 0o100000 | mode, (0, 0), data);
    }

    fn finish(mut self) -> Vec<u8> {
        self.entry("TRAILER!!!", 0, (0, 0), &[]);
        self.bytes
    }
}

/// The shared objects and the loader `ldd` lists for a binary.
fn shared_libraries(binary: &str) -> Result<Vec<String>, String> {
    let listed = run(Command::new("ldd").arg(binary))?;
    Ok(listed.lines().filter_map(|l| l.split_whitespace().find(|w| w.starts_with('/'))).map(str::to_string).collect())
}

/// busybox, kinsight (without its debug information: a fifth of the size, and the guest
/// unpacks the archive into memory) with its libraries, and the guest's /init.
fn build_initramfs() -> Result<PathBuf, String> {
    let dir = target_dir().join("kernel-matrix");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let kinsight = dir.join("kinsight");
    if run(Command::new("strip").arg("--strip-debug").arg("-o").arg(&kinsight).arg(KINSIGHT)).is_err() {
        std::fs::copy(KINSIGHT, &kinsight).map_err(|e| format!("copy {KINSIGHT}: {e}"))?;
    }
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let init = GUEST_INIT
        .replace("@AGGREGATED_INTERVAL@", &AGGREGATED_INTERVAL_S.to_string())
        .replace("@FULL_INTERVAL@", &FULL_INTERVAL_S.to_string())
        .replace("@NC_PORT@", &NC_PORT.to_string())
        .replace("@NC_CHUNK@", &NC_CHUNK.to_string())
        .replace("@NC_CHUNKS@", &NC_CHUNKS.to_string())
        .replace("@HTTP_PORT@", &HTTP_PORT.to_string());
    let mut cpio = Cpio::default();
    for d in ["dev", "proc", "sys", "tmp", "etc"] {
        cpio.dir(d);
    }
    // The kernel opens /dev/console for /init's stdio before devtmpfs is mounted.
    cpio.entry("dev/console", 0o020600, (5, 1), &[]);
    cpio.file("init", 0o755, init.as_bytes());
    cpio.file("etc/passwd", 0o644, b"root:x:0:0:root:/:/bin/sh\n");
    cpio.file(BUSYBOX, 0o755, &read(Path::new(BUSYBOX))?);
    cpio.file("kinsight", 0o755, &read(&kinsight)?);
    for lib in shared_libraries(KINSIGHT)? {
        cpio.file(&lib, 0o755, &read(Path::new(&lib))?);
    }
    let path = dir.join("initramfs.cpio");
    std::fs::write(&path, cpio.finish()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// What the guest sent on its second serial port.
#[derive(Default)]
struct GuestReport {
    values: BTreeMap<String, String>,
    sections: BTreeMap<String, String>,
}

impl GuestReport {
    fn parse(text: &str) -> (GuestReport, bool) {
        let mut report = GuestReport::default();
        let mut done = false;
        let mut open: Option<(String, Vec<&str>)> = None;
        for line in text.lines() {
            if let Some((name, body)) = &mut open {
                if line == format!("=== END {name}") {
                    report.sections.insert(name.clone(), body.join("\n").trim_end().to_string());
                    open = None;
                } else {
                    body.push(line);
                }
            } else if let Some(name) = line.strip_prefix("=== BEGIN ") {
                open = Some((name.to_string(), vec![]));
            } else if let Some(v) = line.strip_prefix("=== VALUE ") {
                let (name, value) = v.split_once(' ').unwrap_or((v, ""));
                report.values.insert(name.to_string(), value.to_string());
            } else if line == "=== DONE" {
                done = true;
            }
        }
        (report, done)
    }

    fn number(&self, name: &str) -> Result<u64, String> {
        let v = self.values.get(name).ok_or_else(|| format!("the guest did not report {name}"))?;
        v.trim().parse().map_err(|_| format!("the guest reported {name} = {v:?}, not a number"))
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Boots the kernel with the initramfs; the guest's report, its files kept in `artifacts`.
/// Under TCG a guest kernel now and then dies of its own early in boot (an int3 oops while
/// it patches its code on the other emulated CPU), before our init runs: such a boot is
/// tried again, twice at most; anything after init started counts.
fn boot(vmlinuz: &Path, initramfs: &Path, artifacts: &Path) -> GuestReport {
    for attempt in 1.. {
        match boot_once(vmlinuz, initramfs, artifacts) {
            Ok(report) => return report,
            Err(console) if attempt < 3 => {
                eprintln!("{}: the kernel panicked before init ran (attempt {attempt}), booting again:\n{}", vmlinuz.display(), tail(&console, 6));
            }
            Err(console) => panic!("{}: the kernel panicked before init ran, {attempt} times; console:\n{}", vmlinuz.display(), tail(&console, 40)),
        }
    }
    unreachable!()
}

/// One boot; Err(console) when the kernel panicked before the guest's init wrote anything.
fn boot_once(vmlinuz: &Path, initramfs: &Path, artifacts: &Path) -> Result<GuestReport, String> {
    let _ = std::fs::remove_dir_all(artifacts);
    std::fs::create_dir_all(artifacts).unwrap();
    let console = artifacts.join("console.log");
    let results = artifacts.join("results.txt");
    let started = Instant::now();
    // /dev/kvm exists on the CI machines but guests hang on it: TCG.
    let mut qemu = Command::new(QEMU)
        .args([
            "-accel",
            "tcg",
            "-cpu",
            "max",
            "-m",
            "1024",
            "-smp",
            "2",
            "-nodefaults",
            "-no-reboot",
            "-display",
            "none",
        ])
        .arg("-kernel")
        .arg(vmlinuz)
        .arg("-initrd")
        .arg(initramfs)
        .args(["-append", "console=ttyS0 quiet panic=-1 rdinit=/init"])
        .arg("-serial")
        .arg(format!("file:{}", console.display()))
        .arg("-serial")
        .arg(format!("file:{}", results.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {QEMU}: {e}"));
    let status = loop {
        if let Some(status) = qemu.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > GUEST_TIMEOUT {
            let _ = qemu.kill();
            let _ = qemu.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let console_text = std::fs::read_to_string(&console).unwrap_or_default();
    let results_text = std::fs::read_to_string(&results).unwrap_or_default();
    if status.is_some() && results_text.is_empty() && console_text.contains("Kernel panic") {
        return Err(console_text);
    }
    let (report, done) = GuestReport::parse(&results_text);
    for (name, text) in &report.sections {
        std::fs::write(artifacts.join(name), format!("{text}\n")).unwrap();
    }
    let kernel = vmlinuz.display();
    match status {
        None => panic!(
            "{kernel}: the guest did not finish in {} s; console ({}):\n{}",
            GUEST_TIMEOUT.as_secs(),
            console.display(),
            tail(&console_text, 40)
        ),
        Some(_) if !done => {
            let qemu_err = qemu.stderr.take().map(|mut e| {
                let mut s = String::new();
                let _ = std::io::Read::read_to_string(&mut e, &mut s);
                s
            });
            panic!(
                "{kernel}: the guest stopped before its report was complete; qemu: {}; console ({}):\n{}",
                qemu_err.unwrap_or_default().trim(),
                console.display(),
                tail(&console_text, 40)
            )
        }
        Some(_) => {}
    }
    eprintln!("{kernel}: guest done in {:.0} s", started.elapsed().as_secs_f64());
    Ok(report)
}

/// Every check on the guest's report, for this kernel; the failures, one line each. The
/// checks of a run's output are left out when the run itself failed (fell back to /proc,
/// exited with an error, ended before its workload): its failure says why.
fn check(report: &GuestReport, kernel: &str) -> Vec<String> {
    if let Some(uname) = report.values.get("kernel") {
        eprintln!("{kernel}: the guest runs {uname}");
    }
    type Check = fn(&GuestReport, &str, &str) -> Result<String, String>;
    let runs: [(&str, &[Check]); 5] = [
        ("aggregated", &[check_dd, check_nc]),
        ("aggregated_fallback", &[check_dd, check_nc]),
        ("full", &[check_dd, check_nc]),
        ("httplog", &[check_http]),
        ("proc", &[check_proc_mode]),
    ];
    let mut failures = vec![];
    for (run, checks) in runs {
        if let Err(e) = check_run(report, kernel, run) {
            failures.push(e);
            continue;
        }
        for check in checks {
            match check(report, kernel, run) {
                Ok(passed) => eprintln!("{kernel} {run}: ok: {passed}"),
                Err(e) => failures.push(e),
            }
        }
    }
    failures
}

/// The run's stderr: what kinsight says it uses (printed), that it watched with BPF (all but
/// proc mode), that it exited cleanly and that the workload ended within its interval.
fn check_run(report: &GuestReport, kernel: &str, run: &str) -> Result<(), String> {
    let stderr = report.sections.get(&format!("{run}.stderr")).map_or("", String::as_str);
    // Guest uptimes: kinsight started, said it watches, the workload ended.
    let times: Vec<f64> = report
        .values
        .get(&format!("{run}.seconds"))
        .map_or(vec![], |v| v.split_whitespace().filter_map(|t| t.parse().ok()).collect());
    if let [started, ready, done] = times[..] {
        eprintln!(
            "{kernel} {run}: kinsight ready in {:.1} s, the workload done {:.1} s later",
            ready - started,
            done - ready
        );
    }
    // The one line that says what this run captures and with which hooks.
    let watching = stderr.lines().find(|l| l.starts_with("kinsight: watching this host")).unwrap_or_default();
    eprintln!("{kernel} {run}: {watching}");
    if run == "aggregated_fallback" && !stderr.contains("BPF is not in use") {
        if !watching.contains("eBPF counters kept in the kernel") || !watching.contains("file bytes: syscall exit") {
            return Err(format!("{kernel} {run}: expected aggregated mode at the syscall exit: {watching}"));
        }
    }
    if run == "aggregated" && !stderr.contains("BPF is not in use") {
        if !watching.contains("eBPF counters kept in the kernel") {
            return Err(format!("{kernel} {run}: aggregated mode gave way to another: {watching}"));
        }
        // Stock kernels let fexit attach: then no program runs on every system call.
        if !watching.contains("socket bytes: fexit") || !watching.contains("processes: sched tracepoints") {
            return Err(format!("{kernel} {run}: expected the fexit hooks and no per-syscall hook on a stock kernel: {watching}"));
        }
    }
    if let Some(at) = stderr.find("kinsight: BPF is not in use") {
        if run != "proc" {
            // The reason runs over several lines (libbpf's and the verifier's) up to
            // "; showing /proc".
            let why = &stderr[at..];
            let why = why.find("; showing /proc").map_or(why, |end| &why[..end]);
            return Err(format!(
                "{kernel} {run}: kinsight fell back to /proc: {}",
                why.lines().collect::<Vec<_>>().join(" | ")
            ));
        }
    }
    if report.values.contains_key(&format!("{run}.ended_before_the_workload")) {
        return Err(format!("{kernel} {run}: kinsight's interval ended before the workload did"));
    }
    match report.values.get(&format!("{run}.exit")).map(String::as_str) {
        Some("0") => Ok(()),
        status => Err(format!("{kernel} {run}: kinsight exited with {status:?}: {}", tail(stderr, 5))),
    }
}

fn rows(report: &GuestReport, kernel: &str, run: &str) -> Result<Vec<Value>, String> {
    let text = report.sections.get(&format!("{run}.json")).ok_or_else(|| format!("{kernel} {run}: no output"))?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(rows)) => Ok(rows),
        Ok(other) => Err(format!("{kernel} {run}: not a JSON array: {other}")),
        Err(e) => Err(format!("{kernel} {run}: {e}: {}", tail(text, 5))),
    }
}

/// The procs row of `pid` (named `what` in messages).
fn process_row<'a>(rows: &'a [Value], pid: u64, what: &str, kernel: &str, mode: &str) -> Result<&'a Value, String> {
    rows.iter()
        .find(|r| r["pid"].as_u64() == Some(pid))
        .ok_or_else(|| format!("{kernel} {mode}: {what} (pid {pid}) is not in the procs view ({} rows)", rows.len()))
}

fn bytes(row: &Value, key: &str) -> Option<u64> {
    row[key].as_u64()
}

/// Check 1: dd's file bytes are its read of /dev/zero, its write of the file and its report.
fn check_dd(report: &GuestReport, kernel: &str, mode: &str) -> Result<String, String> {
    let rows = rows(report, kernel, mode)?;
    let pid = report.number(&format!("{mode}.dd.pid"))?;
    let copied = report.number(&format!("{mode}.dd.out_bytes"))?;
    let expected = 2 * copied + report.number(&format!("{mode}.dd.err_bytes"))?;
    let row = process_row(&rows, pid, "dd", kernel, mode)?;
    match bytes(row, "file_bytes") {
        Some(got) if got == expected => Ok(format!("dd (pid {pid}) file_bytes = {got}")),
        got => Err(format!(
            "{kernel} {mode}: dd (pid {pid}) file_bytes = {got:?}, expected {expected} ({copied} read, {copied} written, its report): {row}"
        )),
    }
}

/// Check 2: the nc client's socket bytes are what it sent (and it has no file bytes: it read
/// a pipe); the server's, what it received, and its file bytes what it wrote to its file.
fn check_nc(report: &GuestReport, kernel: &str, mode: &str) -> Result<String, String> {
    let rows = rows(report, kernel, mode)?;
    let sent = NC_CHUNK * NC_CHUNKS;
    let received = report.number(&format!("{mode}.nc.received_bytes"))?;
    if received != sent {
        return Err(format!("{kernel}: the workload went wrong: the nc server received {received} bytes of {sent}"));
    }
    let client_pid = report.number(&format!("{mode}.nc_client.pid"))?;
    let server_pid = report.number(&format!("{mode}.nc_server.pid"))?;
    let client = process_row(&rows, client_pid, "the nc client", kernel, mode)?;
    let server = process_row(&rows, server_pid, "the nc server", kernel, mode)?;
    let got = [
        bytes(client, "net_bytes"),
        bytes(client, "file_bytes"),
        bytes(server, "net_bytes"),
        bytes(server, "file_bytes"),
    ];
    let expected = [Some(sent), Some(0), Some(received), Some(received)];
    if got == expected {
        return Ok(format!(
            "nc client (pid {client_pid}) net_bytes = {sent} file_bytes = 0, nc server (pid {server_pid}) net_bytes = file_bytes = {received}"
        ));
    }
    Err(format!(
        "{kernel} {mode}: (nc client net_bytes, file_bytes, nc server net_bytes, file_bytes) = {got:?}, expected {expected:?}: client {client}, server {server}"
    ))
}

/// Check 3: each GET once in the HTTP log, sent by its wget, answered 200.
fn check_http(report: &GuestReport, kernel: &str, run: &str) -> Result<String, String> {
    let log = rows(report, kernel, run)?;
    let mut problems = vec![];
    for i in 1..=3 {
        if report.values.get(&format!("{run}.wget{i}.exit")).map(String::as_str) != Some("0") {
            return Err(format!("{kernel}: the workload went wrong: wget {i} failed"));
        }
        let pid = report.number(&format!("{run}.wget{i}.pid"))?;
        let url = format!("127.0.0.1:{HTTP_PORT}/kinsight-test-{i}");
        let sent: Vec<&Value> = log.iter().filter(|r| r["url"] == url.as_str() && r["dir"] == ">").collect();
        match sent.as_slice() {
            [r] if r["method"] == "GET" && r["status"] == 200 && r["pid"].as_u64() == Some(pid) => {}
            [r] => problems.push(format!("{url}: expected GET, 200 from wget (pid {pid}): {r}")),
            _ => problems.push(format!("{url}: {} requests sent ('>'), expected 1 from wget (pid {pid})", sent.len())),
        }
    }
    if problems.is_empty() {
        Ok(format!("the 3 GETs, each once, sent by their wget, answered 200 ({} rows)", log.len()))
    } else {
        Err(format!("{kernel} {run} (full mode): {}; the log: {}", problems.join("; "), Value::Array(log)))
    }
}

/// Check 4: proc mode lists PID 1 and a process alive throughout.
fn check_proc_mode(report: &GuestReport, kernel: &str, run: &str) -> Result<String, String> {
    let rows = rows(report, kernel, run)?;
    let sleeper = report.number("sleeper.pid")?;
    process_row(&rows, 1, "init", kernel, run)?;
    process_row(&rows, sleeper, "sleep", kernel, run)?;
    Ok(format!("init and sleep (pid {sleeper}) listed among {} processes", rows.len()))
}
