//! `kinsight top` driven in a real terminal: tmux runs it in a detached session of a given
//! size, the test types keys with `send-keys` and reads the screen with `capture-pane`.
//!
//! On the Kubernetes capture (bencer/k8s_backend_capture.scap) it must: open on the
//! physical hierarchy, switch to the logical one, drill into namespace critical-app,
//! deployment backend and its three pods, filter `k8s.ns.name=critical-app`, sort by NET,
//! open a pod's detail with its charts, show a bad filter's error at its column, and quit
//! with status 0 — in-process (`--replay`), and against a running `kinsight up` over its
//! API (`--connect`), at 120x40 and at 80x24. On the live host (root only) it must list the
//! processes of this machine. Every screen checked is written to target/tui-artifacts/.
//!
//! The names checked are the capture's (`kinsight read FILE --tree logical` lists them):
//! the three `backend` pods of namespace critical-app and the `client` pod beside them.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const KINSIGHT: &str = env!("CARGO_BIN_EXE_kinsight");
const BACKEND_PODS: [&str; 3] = ["backend-1440326531-csj02", "backend-1440326531-xws32", "backend-1440326531-zwl37"];
const CLIENT_POD: &str = "client";

fn trace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/traces/bencer/k8s_backend_capture.scap")
}

fn artifacts() -> PathBuf {
    // target/tmp is this test's scratch directory; the artifacts go next to it.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../tui-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/tui-artifacts");
    dir
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// One tmux server of its own (a private socket), with one session running a command.
struct Tmux {
    socket: String,
    name: String,
    /// Where the shell around kinsight writes its exit status (tmux's own `pane_dead_status`
    /// is sometimes empty for a pane that just died).
    status_file: PathBuf,
}

impl Tmux {
    fn start(name: &str, width: u16, height: u16, args: &[&str]) -> Tmux {
        if Command::new("tmux").arg("-V").output().is_err() {
            panic!("tmux is not installed: the `kinsight top` tests drive it in tmux (apt-get install tmux; .ci/run installs it)");
        }
        let socket = format!("kinsight-top-{}-{name}", std::process::id());
        let conf = std::env::temp_dir().join(format!("{socket}.conf"));
        // The pane stays when kinsight exits, so its exit status can be read.
        std::fs::write(&conf, "set -g remain-on-exit on\nset -g status off\n").unwrap();
        let status_file = std::env::temp_dir().join(format!("{socket}.status"));
        let _ = std::fs::remove_file(&status_file);
        let command = format!(
            "env NO_COLOR=1 TERM=xterm-256color {} {}; echo $? > {}.tmp && mv {}.tmp {}",
            shell_quote(KINSIGHT),
            args.iter().map(|a| shell_quote(a)).collect::<Vec<_>>().join(" "),
            shell_quote(status_file.to_str().unwrap()),
            shell_quote(status_file.to_str().unwrap()),
            shell_quote(status_file.to_str().unwrap()),
        );
        let t = Tmux { socket, name: name.to_string(), status_file };
        let ok = t.tmux(&["-f", conf.to_str().unwrap(), "new-session", "-d", "-s", name, "-x", &width.to_string(), "-y", &height.to_string(), &command]);
        assert!(ok.status.success(), "tmux new-session failed: {}", String::from_utf8_lossy(&ok.stderr));
        t
    }

    fn tmux(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("run tmux")
    }

    /// Keys by tmux's names (`Enter`, `BSpace`, `Escape`, `C-c`).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.name];
        args.extend_from_slice(keys);
        assert!(self.tmux(&args).status.success());
    }

    /// Text typed as it is.
    fn type_text(&self, text: &str) {
        assert!(self.tmux(&["send-keys", "-t", &self.name, "-l", text]).status.success());
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", &self.name]).stdout).into_owned()
    }

    /// Waits until the screen satisfies `ok`; saves it as an artifact either way.
    fn wait_for(&self, artifact: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                std::fs::write(artifacts().join(format!("{artifact}.txt")), &s).unwrap();
                return s;
            }
            if start.elapsed() > Duration::from_secs(30) {
                std::fs::write(artifacts().join(format!("{artifact}.FAILED.txt")), &s).unwrap();
                panic!("{artifact}: the screen never showed {what}; last screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The exit status once the program has ended.
    /// The exit status once the program has ended (128 + the signal if one ended it).
    fn exit_status(&self) -> Option<i32> {
        std::fs::read_to_string(&self.status_file).ok()?.trim().parse().ok()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
        let _ = std::fs::remove_file(&self.status_file);
    }
}

/// The table's rows: the first word of each line below the column titles, without the
/// selection mark and the `+` of rows that open.
fn row_names(screen: &str) -> Vec<String> {
    screen
        .lines()
        .skip_while(|l| !l.contains("NAME"))
        .skip(1)
        .take_while(|l| !is_below_table(l))
        .filter_map(|l| l.trim_start_matches("> ").split_whitespace().next().map(str::to_string))
        .collect()
}

/// The end of the table: a blank line, the detail pane's border, or the footer.
fn is_below_table(line: &str) -> bool {
    line.trim().is_empty() || line.contains('─') || line.contains('┌') || line.starts_with(" ?help")
}

/// The cells of the right-aligned column titled `title`, in screen order: each cell spans
/// from the end of the previous title to the end of this one.
fn column(screen: &str, title: &str) -> Vec<String> {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let title: Vec<char> = title.chars().collect();
    let Some((h, start)) = lines.iter().enumerate().find_map(|(i, l)| l.windows(title.len()).position(|w| w == title.as_slice()).map(|p| (i, p))) else { return Vec::new() };
    let end = start + title.len();
    let begin = lines[h][..start].iter().rposition(|c| *c != ' ').map_or(0, |i| i + 1);
    lines[h + 1..]
        .iter()
        .map(|l| l.iter().collect::<String>())
        .take_while(|l| !is_below_table(l))
        .map(|l| l.chars().skip(begin).take(end - begin).collect::<String>().trim().to_string())
        .collect()
}

/// `1.50K` → 1536.
fn parse_bytes(s: &str) -> f64 {
    let (num, mult) = match s.chars().last() {
        Some('K') => (&s[..s.len() - 1], 1024.0),
        Some('M') => (&s[..s.len() - 1], 1024.0 * 1024.0),
        Some('G') => (&s[..s.len() - 1], 1024.0 * 1024.0 * 1024.0),
        _ => (s, 1.0),
    };
    num.parse::<f64>().unwrap_or_else(|_| panic!("'{s}' is not a byte count")) * mult
}

/// Selects the row whose name contains `text` with the find prompt.
fn find(t: &Tmux, text: &str) {
    t.keys(&["f"]);
    t.type_text(text);
    t.keys(&["Enter"]);
}

fn selected_row(screen: &str) -> Option<String> {
    screen.lines().find(|l| l.starts_with("> ")).map(|l| l[2..].to_string())
}

/// The walk the issue asks for, at any terminal size, on the Kubernetes capture.
fn walk_the_capture(t: &Tmux, tag: &str) {
    let open = t.wait_for(&format!("{tag}-01-open"), "the physical hierarchy with its node", |s| s.contains("physical") && s.contains("node") && !row_names(s).is_empty());
    assert!(open.contains("kinsight top"), "{open}");

    t.keys(&[":"]);
    t.type_text("logical");
    t.keys(&["Enter"]);
    let logical = t.wait_for(&format!("{tag}-02-logical"), "the namespaces", |s| row_names(s).contains(&"critical-app".to_string()));
    assert!(row_names(&logical).contains(&"kube-system".to_string()), "{logical}");

    find(t, "critical-app");
    t.keys(&["Enter"]);
    let ns = t.wait_for(&format!("{tag}-03-namespace"), "the workloads of critical-app", |s| s.contains("logical › critical-app") && row_names(s).contains(&"backend".to_string()));
    assert!(row_names(&ns).contains(&CLIENT_POD.to_string()), "the client pod is its own workload:\n{ns}");

    find(t, "backend");
    t.keys(&["Enter"]);
    let pods = t.wait_for(&format!("{tag}-04-backend-pods"), "the three backend pods", |s| s.contains("critical-app › backend") && BACKEND_PODS.iter().all(|p| row_names(s).contains(&p.to_string())));
    assert_eq!(row_names(&pods).len(), 3, "backend has three pods, nothing else:\n{pods}");

    // Back to the namespaces, then the filter.
    t.keys(&["BSpace"]);
    t.wait_for(&format!("{tag}-05-back"), "critical-app's workloads again", |s| s.contains("logical › critical-app") && !s.contains("› backend"));
    t.keys(&["BSpace"]);
    t.wait_for(&format!("{tag}-06-back-top"), "the namespaces again", |s| row_names(s).contains(&"kube-system".to_string()));
    t.keys(&["/"]);
    t.type_text("k8s.ns.name=critical-app");
    t.keys(&["Enter"]);
    let filtered = t.wait_for(&format!("{tag}-07-filtered"), "critical-app only", |s| s.contains("filter: k8s.ns.name=critical-app") && row_names(s) == ["critical-app"]);
    assert!(!filtered.contains("kube-system"), "{filtered}");

    // The pods of the namespace, sorted by NET.
    t.keys(&[":"]);
    t.type_text("kubernetes_pods");
    t.keys(&["Enter"]);
    t.keys(&[":"]);
    t.type_text("sort name");
    t.keys(&["Enter"]);
    t.wait_for(&format!("{tag}-08-pods-by-name"), "the four pods by name", |s| s.contains("NAME▼") && row_names(s).len() == 4);
    t.keys(&[":"]);
    t.type_text("sort net");
    t.keys(&["Enter"]);
    let by_net = t.wait_for(&format!("{tag}-09-pods-by-net"), "the pods sorted by NET", |s| s.contains("NET▼") && row_names(s).len() == 4);
    let mut names = row_names(&by_net);
    names.sort();
    let mut expected: Vec<String> = BACKEND_PODS.iter().map(|p| p.to_string()).collect();
    expected.push(CLIENT_POD.to_string());
    expected.sort();
    assert_eq!(names, expected, "{by_net}");
    let net: Vec<f64> = column(&by_net, "NET▼").iter().map(|c| parse_bytes(c)).collect();
    assert_eq!(net.len(), 4, "{by_net}");
    assert!(net.windows(2).all(|w| w[0] >= w[1]), "NET is not in decreasing order: {net:?}\n{by_net}");
    assert!(net[0] > 0.0, "{by_net}");

    // The detail of a backend pod: its attributes and its charts.
    find(t, BACKEND_PODS[1]);
    t.keys(&["d"]);
    let detail = t.wait_for(&format!("{tag}-10-detail"), "the pod's detail with charts", |s| s.contains("detail: pod:") && s.contains("CPU %") && s.contains("critical-app › backend"));
    assert!(selected_row(&detail).is_some_and(|r| r.starts_with(BACKEND_PODS[1])), "{detail}");
    assert!(detail.contains("NET in B/s"), "{detail}");
    t.keys(&["Escape"]);

    // A bad filter: the error and a caret at its column; the previous filter stays.
    t.keys(&["/", "C-u"]);
    t.type_text("k8s.ns.name=critical-app and");
    t.keys(&["Enter"]);
    let bad = t.wait_for(&format!("{tag}-11-bad-filter"), "the filter's error at its column", |s| s.contains("^ column 29: expected a condition"));
    assert!(bad.contains("filter: k8s.ns.name=critical-app │") || bad.contains("filter: k8s.ns.name=critical-app\n") || bad.lines().any(|l| l.trim_end().ends_with("filter: k8s.ns.name=critical-app")), "the previous filter still applies:\n{bad}");
    let caret = bad.lines().find(|l| l.contains("^ column 29")).and_then(|l| l.chars().position(|c| c == '^'));
    assert_eq!(caret, Some("filter /".len() + 28), "the caret stands under column 29 of the expression:\n{bad}");
    t.keys(&["Escape"]);

    t.keys(&["?"]);
    t.wait_for(&format!("{tag}-12-help"), "the help", |s| s.contains("keys (any key closes)"));
    t.keys(&["Escape"]);
    t.keys(&["q"]);
    let start = Instant::now();
    while t.exit_status().is_none() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let how = String::from_utf8_lossy(&t.tmux(&["display-message", "-p", "-t", &t.name, "dead=#{pane_dead} status=#{pane_dead_status} signal=#{pane_dead_signal}"]).stdout).into_owned();
    assert_eq!(t.exit_status(), Some(0), "kinsight top did not quit cleanly ({how}):\n{}", t.screen());
}

#[test]
fn replay_at_120x40() {
    let trace = trace();
    let t = Tmux::start("replay-120x40", 120, 40, &["top", "--replay", trace.to_str().unwrap(), "--interval", "1"]);
    walk_the_capture(&t, "replay-120x40");
}

#[test]
fn replay_at_80x24() {
    let trace = trace();
    let t = Tmux::start("replay-80x24", 80, 24, &["top", "--replay", trace.to_str().unwrap()]);
    walk_the_capture(&t, "replay-80x24");
}

#[test]
fn replay_plays_and_steps_through_time() {
    let trace = trace();
    let t = Tmux::start("replay-time", 100, 30, &["top", "--replay", trace.to_str().unwrap(), "--interval", "0.5"]);
    let whole = t.wait_for("time-01-whole", "the whole capture, paused", |s| s.contains("replay paused") && !s.contains("(reading)") && !row_names(s).is_empty());
    let span = whole.split("replay paused ").nth(1).and_then(|r| r.split(" s").next()).expect("the time in the header").to_string();
    let (_, total) = span.split_once('/').expect("at/total");
    assert!(total.parse::<f64>().unwrap() > 12.0, "the capture spans 13.1 s: {span}");
    t.keys(&["["]);
    t.wait_for("time-02-step-back", "one step back", |s| s.contains(&format!("replay paused {:.1}/{total} s", total.parse::<f64>().unwrap() - 1.0)));
    t.keys(&["Space"]);
    t.wait_for("time-03-playing", "play from there", |s| s.contains("replay playing") || s.contains(&format!("replay paused {total}/{total} s")));
    t.wait_for("time-04-end", "the end, paused", |s| s.contains(&format!("replay paused {total}/{total} s")));
    t.keys(&["Space"]);
    t.wait_for("time-05-start-over", "play starting over", |s| s.contains("replay playing 1.0/") || s.contains("replay playing 1.5/") || s.contains("replay playing 2.0/"));
    t.keys(&["q"]);
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `kinsight up --replay` on a port of its own, stopped on drop.
struct Up {
    child: Child,
    url: String,
}

impl Up {
    fn start(token: &str) -> Up {
        let port = free_port();
        let child = Command::new(KINSIGHT)
            .args(["up", "--replay", trace().to_str().unwrap(), "--bind", &format!("127.0.0.1:{port}"), "--token", token])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start kinsight up");
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(30), "kinsight up did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Up { child, url: format!("http://127.0.0.1:{port}") }
    }
}

impl Drop for Up {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn connected_to_kinsight_up_at_120x40() {
    let up = Up::start("s3cret");
    let t = Tmux::start("connect-120x40", 120, 40, &["top", "--connect", &up.url, "--token", "s3cret"]);
    walk_the_capture(&t, "connect-120x40");
}

#[test]
fn connected_to_kinsight_up_at_80x24() {
    let up = Up::start("s3cret");
    let t = Tmux::start("connect-80x24", 80, 24, &["top", "--connect", &up.url, "--token", "s3cret", "--interval", "1"]);
    walk_the_capture(&t, "connect-80x24");
}

/// Runs `kinsight top ARGS` without a terminal; its exit status and stderr.
fn run_plain(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(KINSIGHT).arg("top").args(args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    (child.wait().unwrap().code(), err)
}

#[test]
fn bad_sources_are_clear_errors() {
    let port = free_port();
    let (code, err) = run_plain(&["--connect", &format!("http://127.0.0.1:{port}")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&format!("cannot reach http://127.0.0.1:{port}")), "{err}");

    let up = Up::start("right");
    let (code, err) = run_plain(&["--connect", &up.url, "--token", "wrong"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("requires a token"), "{err}");

    let (code, err) = run_plain(&["--connect", &up.url, "--token", "right"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is not one"), "no terminal: {err}");

    let (code, err) = run_plain(&["--replay", "/nonexistent.scap"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no such capture file"), "{err}");

    let (code, err) = run_plain(&["--connect", &up.url, "--token", "right", "--view", "nonsense"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("unknown view 'nonsense'"), "{err}");
}

#[test]
fn a_terminal_too_small_says_so() {
    let trace = trace();
    let t = Tmux::start("small", 50, 10, &["top", "--replay", trace.to_str().unwrap()]);
    t.wait_for("small-01", "that the terminal is too small", |s| s.contains("terminal too small (50x10)"));
    t.tmux(&["resize-window", "-t", "small", "-x", "100", "-y", "30"]);
    t.wait_for("small-02-resized", "the table once there is room", |s| !row_names(s).is_empty());
    t.keys(&["q"]);
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn live_host_as_root() {
    if !is_root() {
        println!("skipped: the live host needs root (eBPF, /proc of every process)");
        return;
    }
    // A process of a name of its own (this run's) that keeps making system calls.
    let name = format!("topbusy{}", std::process::id() % 100_000);
    let dir = std::env::temp_dir().join(format!("kinsight-top-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let busy = dir.join(&name);
    std::fs::copy("/bin/dd", &busy).expect("copy /bin/dd");
    let _workload = Workload(spawn_fresh_copy(Command::new(&busy).args(["if=/dev/zero", "of=/dev/null", "bs=4096"]).stderr(Stdio::null())));
    let t = Tmux::start("live", 120, 40, &["top", "--mode", "full", "--view", "procs", "--interval", "1", "--no-kubernetes"]);
    let screen = t.wait_for("live-01-procs", "this host's processes", |s| s.contains("live, last 10 s") && row_names(s).len() > 5);
    assert!(screen.contains("this host"), "{screen}");
    t.keys(&["/"]);
    t.type_text(&format!("proc.name={name}"));
    t.keys(&["Enter"]);
    t.wait_for("live-02-filtered", "the workload alone", |s| row_names(s) == [name.as_str()]);
    t.keys(&["d"]);
    t.wait_for("live-03-detail", "the workload's detail", |s| s.contains("detail: proc:") && s.contains("CPU %"));
    t.keys(&["q"]);
    std::fs::remove_dir_all(&dir).ok();
}

/// Spawns a program that this process has just written. Another test thread
/// may fork while the file is still open for writing, and its child holds
/// that descriptor until it execs: exec of the file fails with ETXTBSY
/// (ExecutableFileBusy) for that moment, so the spawn is retried.
fn spawn_fresh_copy(command: &mut Command) -> Child {
    let mut tries = 0;
    loop {
        match command.spawn() {
            Ok(child) => return child,
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 100 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("spawn {:?}: {e}", command.get_program()),
        }
    }
}

/// A process killed when the test ends, passed or not.
struct Workload(Child);

impl Drop for Workload {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
