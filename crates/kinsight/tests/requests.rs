//! `kinsight live --view requests` on real servers driven by their own clients, whose own
//! counts are the truth: redis-server with redis-benchmark (plain and pipelined) and
//! redis-cli (one error), PostgreSQL with pgbench (a fixed transaction count) and psql (one
//! error). Both run on ports kinsight does not know, so each connection's protocol comes
//! from its first bytes; both ends are on this host, so every request is seen twice: by the
//! client (side `client`) and by the server (side `server`). The live default snaplen
//! (80 bytes) cuts pipelined batches and long statements; the counts must hold anyway, and
//! hold again when the capture written meanwhile is read back, and `kinsight up --replay` of
//! that capture counts the same requests per process, protocol and side in the explorer.
//!
//! The same for MariaDB 10.11 (a private mariadbd, the `mariadb` client running a script
//! with errors on purpose: its own account of each statement, error numbers and times, is
//! the truth; then prepared statements with MySQL Connector/Python, timing each execution
//! itself) and DNS (dnsmasq on a private port with static records, one `dig` a query over
//! UDP and TCP, some NXDOMAIN: dig's status, answer count and query time are the truth).
//! Each request is matched to the process that made or answered it by pid.
//!
//! Skips, saying why, when not root, without BPF, or without the servers (Debian's
//! redis-server, redis-tools, postgresql; mariadb-server, mariadb-client, dnsmasq,
//! bind9-dnsutils; Connector/Python in .ci/venv or `$KINSIGHT_TEST_PYTHON`).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/live_view.rs"]
mod live_view;

use live_view::{free_port, is_root, no_bpf, Guard, Live, KINSIGHT};

fn skip_reason() -> Option<String> {
    if !is_root() {
        return Some("not root".into());
    }
    for tool in ["redis-server", "redis-benchmark", "redis-cli", "pgbench", "psql"] {
        if !Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().is_ok_and(|o| o.status.success()) {
            return Some(format!("{tool} is missing (apt-get install redis-server redis-tools postgresql)"));
        }
    }
    if pg_bin().is_none() {
        return Some("no /usr/lib/postgresql/*/bin/initdb (apt-get install postgresql)".into());
    }
    no_bpf()
}

fn pg_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql").ok()?.filter_map(|e| Some(e.ok()?.path().join("bin"))).filter(|b| b.join("initdb").exists()).collect();
    dirs.sort();
    dirs.pop()
}

/// The tests of this file run one at a time: each kinsight traces the whole host, so the
/// other test's load (four tracers, benchmarks) would fill the ring buffer and drop events
/// the exact counts need.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn run(cmd: &str) -> String {
    let out = Command::new("sh").args(["-c", cmd]).output().expect("run");
    assert!(out.status.success(), "{cmd}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

struct Postgres {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
}

impl Postgres {
    fn start(dir: &Path) -> Postgres {
        let bin = pg_bin().unwrap();
        std::fs::create_dir_all(dir).unwrap();
        run(&format!("chown postgres {}", dir.display()));
        let data = dir.join("data");
        run(&format!("runuser -u postgres -- {}/initdb -D {} -A trust -U postgres >/dev/null", bin.display(), data.display()));
        let port = free_port();
        run(&format!(
            "runuser -u postgres -- {}/pg_ctl -D {} -w -o '-p {port} -k {} -c listen_addresses=127.0.0.1' -l {}/log start >/dev/null",
            bin.display(),
            data.display(),
            dir.display(),
            dir.display()
        ));
        Postgres { dir: dir.to_path_buf(), bin, port }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new("sh").args(["-c", &format!("runuser -u postgres -- {}/pg_ctl -D {}/data -m immediate stop >/dev/null 2>&1", self.bin.display(), self.dir.display())]).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn count(rows: &[Value], side: &str, proto: &str, op: &str, pred: impl Fn(&Value) -> bool) -> usize {
    rows.iter().filter(|r| r["side"] == side && r["proto"] == proto && r["operation"] == op && pred(r)).count()
}

#[test]
fn requests_of_redis_and_postgres_match_their_clients() {
    if let Some(why) = skip_reason() {
        eprintln!("requests_of_redis_and_postgres_match_their_clients: skipped: {why}");
        return;
    }
    let _serial = serial();
    let tmp = std::env::temp_dir().join(format!("kinsight-requests-test-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let redis_port = free_port();
    let _redis = Guard(
        Command::new("redis-server")
            .args(["--port", &redis_port.to_string(), "--save", "", "--appendonly", "no", "--dir", tmp.to_str().unwrap()])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server"),
    );
    let pg = Postgres::start(&tmp.join("pg"));
    let pg_url = format!("-h 127.0.0.1 -p {} -U postgres", pg.port);
    // pgbench's tables, before kinsight watches.
    run(&format!("pgbench {pg_url} -i -s 1 -q postgres"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while run(&format!("redis-cli -p {redis_port} PING || true")).trim() != "PONG" {
        assert!(Instant::now() < deadline, "redis-server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }

    let all = Live::start(&["live", "--view", "requests", "--format", "json", "--interval", "12", "--once"]);
    let errors = Live::start(&["live", "--view", "requests", "--format", "json", "--interval", "12", "--once", "--filter", "req.error = true and req.proto in (redis, postgres)"]);
    let capture = tmp.join("requests.scap");
    let writer = Live::start(&["capture", "-w", capture.to_str().unwrap(), "--duration", "12"]);
    let started = Instant::now();

    // Redis: as asked (-n), pipelined by ten, and one error redis-cli prints.
    run(&format!("redis-benchmark -p {redis_port} -c 2 -n 300 -t set,get -q"));
    run(&format!("redis-benchmark -p {redis_port} -c 1 -n 200 -P 10 -t incr -q"));
    run(&format!("redis-cli -p {redis_port} SET kinsight:word hello"));
    let incr = run(&format!("redis-cli -p {redis_port} INCR kinsight:word"));
    let redis_errors = incr.lines().filter(|l| l.starts_with("ERR")).count();
    assert_eq!(redis_errors, 1, "{incr}");

    // PostgreSQL: a fixed number of TPC-B transactions, then one statement that fails.
    let bench = run(&format!("pgbench {pg_url} -n -c 1 -t 40 postgres"));
    let transactions: usize = bench.lines().find_map(|l| l.strip_prefix("number of transactions actually processed: ")).and_then(|v| v.split('/').next()?.parse().ok()).expect(&bench);
    let psql = Command::new("psql").args(["-h", "127.0.0.1", "-p", &pg.port.to_string(), "-U", "postgres", "-c", "SELECT * FROM no_such_table", "postgres"]).output().unwrap();
    let psql_err = String::from_utf8_lossy(&psql.stderr);
    assert!(psql_err.contains("no_such_table"), "{psql_err}");

    assert!(started.elapsed() < Duration::from_secs(11), "the workload outlasted kinsight's interval");
    let (rows, err) = all.rows();
    let (error_rows, _) = errors.rows();
    check(&rows, &err, transactions, redis_errors);
    // The filter on request fields: the two errors, from both sides, and nothing else.
    let mut seen: Vec<String> = error_rows.iter().map(|r| format!("{} {} {}", r["side"].as_str().unwrap(), r["proto"].as_str().unwrap(), r["status"].as_str().unwrap())).collect();
    seen.sort();
    assert_eq!(seen, ["client postgres 42P01", "client redis ERR", "server postgres 42P01", "server redis ERR"]);

    // The same requests from the capture written meanwhile.
    let mut w = writer.child;
    assert!(w.0.wait().unwrap().success(), "kinsight capture failed");
    let read = Command::new(KINSIGHT).args(["read", capture.to_str().unwrap(), "--view", "requests", "--format", "json"]).output().unwrap();
    assert!(read.status.success(), "{}", String::from_utf8_lossy(&read.stderr));
    let from_capture: Vec<Value> = serde_json::from_slice(&read.stdout).unwrap();
    check(&from_capture, "(from the capture)", transactions, redis_errors);
    explorer_agrees(&capture, &tmp, &from_capture);
    drop(pg);
    let _ = std::fs::remove_dir_all(&tmp);
}

/// `kinsight up --replay` of the capture counts, per process, protocol and side, the
/// requests and failures `kinsight read --view requests` lists.
fn explorer_agrees(capture: &Path, tmp: &Path, rows: &[Value]) {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let data = tmp.join("up");
    let _up = Guard(Command::new(KINSIGHT).args(["up", "--replay", capture.to_str().unwrap(), "--bind", &bind, "--data-dir", data.to_str().unwrap(), "--no-kubernetes"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
    let get = |path: &str| -> Option<Value> {
        let out = Command::new("curl").args(["-sf", &format!("http://{bind}{path}")]).output().ok()?;
        serde_json::from_slice(&out.stdout).ok()
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let done = get("/api/status").is_some_and(|s| s["sources"].as_array().is_some_and(|a| !a.is_empty() && a.iter().all(|x| x["state"] != "starting" && x["state"] != "running")));
        if done {
            break;
        }
        assert!(Instant::now() < deadline, "the replay of the capture did not finish");
        std::thread::sleep(Duration::from_millis(300));
    }
    let mut truth: std::collections::BTreeMap<(i64, String, String), (u64, u64)> = Default::default();
    for r in rows {
        let e = truth.entry((r["pid"].as_i64().unwrap(), r["proto"].as_str().unwrap().to_string(), r["side"].as_str().unwrap().to_string())).or_default();
        e.0 += 1;
        e.1 += u64::from(r["error"] == true);
    }
    let mut seen: std::collections::BTreeMap<(i64, String, String), (u64, u64)> = Default::default();
    let protocols: std::collections::BTreeSet<String> = truth.keys().map(|k| k.1.clone()).collect();
    assert!(protocols.contains("redis") && protocols.contains("postgres"), "{protocols:?}");
    for p in &protocols {
        let page = get(&format!("/api/entities?hierarchy=physical&level=process&limit=100000&protocol={p}")).expect("entities");
        for r in page["rows"].as_array().unwrap() {
            let pid = r["process"]["pid"].as_i64().unwrap();
            for (side, n, e) in [("server", "requests", "request_errors"), ("client", "sent_requests", "sent_errors")] {
                let (n, e) = (r[n].as_u64().unwrap(), r[e].as_u64().unwrap());
                if n > 0 {
                    *seen.entry((pid, p.clone(), side.to_string())).or_default() = (n, e);
                }
            }
        }
    }
    assert_eq!(seen, truth, "the explorer's requests per process, protocol and side vs the requests view");
}

/// The counts the clients reported, on each side.
fn check(rows: &[Value], err: &str, transactions: usize, redis_errors: usize) {
    let summary = || {
        let mut m = std::collections::BTreeMap::new();
        for r in rows {
            *m.entry(format!("{} {} {} {}", r["side"], r["proto"], r["operation"], r["status"])).or_insert(0) += 1;
        }
        format!("{m:#?}\n{err}")
    };
    for side in ["client", "server"] {
        let ok = |r: &Value| r["status"] == "OK";
        assert_eq!(count(rows, side, "redis", "SET", |r| ok(r) && r["target"] == "key:"), 300, "{side}: {}", summary());
        assert_eq!(count(rows, side, "redis", "GET", |r| ok(r) && r["target"] == "key:"), 300, "{side}: {}", summary());
        assert_eq!(count(rows, side, "redis", "INCR", |r| ok(r) && r["target"] == "counter:"), 200, "{side}: {}", summary());
        assert_eq!(count(rows, side, "redis", "INCR", |r| r["status"] == "ERR" && r["target"] == "kinsight:"), redis_errors, "{side}: {}", summary());
        assert_eq!(count(rows, side, "postgres", "BEGIN", |_| true), transactions, "{side}: {}", summary());
        assert_eq!(count(rows, side, "postgres", "UPDATE", ok), 3 * transactions, "{side}: {}", summary());
        assert_eq!(count(rows, side, "postgres", "INSERT", ok), transactions, "{side}: {}", summary());
        assert_eq!(count(rows, side, "postgres", "END", ok), transactions, "{side}: {}", summary());
        assert_eq!(count(rows, side, "postgres", "SELECT", |r| r["status"] == "42P01" && r["error"] == true), 1, "{side}: {}", summary());
        // The server's latency is inside the client's.
        let latency = |proto: &str| rows.iter().filter(|r| r["side"] == side && r["proto"] == proto).map(|r| r["latency_ns"].as_u64().unwrap()).sum::<u64>();
        assert!(latency("redis") > 0 && latency("postgres") > 0);
    }
    let client_latency: u64 = rows.iter().filter(|r| r["side"] == "client" && r["proto"] == "postgres").map(|r| r["latency_ns"].as_u64().unwrap()).sum();
    let server_latency: u64 = rows.iter().filter(|r| r["side"] == "server" && r["proto"] == "postgres").map(|r| r["latency_ns"].as_u64().unwrap()).sum();
    assert!(server_latency <= client_latency, "server {server_latency} ns, client {client_latency} ns");
}

fn have(tool: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().is_ok_and(|o| o.status.success())
}

/// Why the MariaDB and DNS test cannot run here, if it cannot.
fn mariadb_dns_skip_reason() -> Option<String> {
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root {
        return Some("not root".into());
    }
    for tool in ["mariadbd", "mariadb-install-db", "mariadb", "dnsmasq", "dig"] {
        if !have(tool) && !Path::new("/usr/sbin").join(tool).exists() {
            return Some(format!("{tool} is missing (apt-get install mariadb-server mariadb-client dnsmasq bind9-dnsutils)"));
        }
    }
    if !Command::new(connector_python()).args(["-c", "import mysql.connector"]).stderr(Stdio::null()).status().is_ok_and(|s| s.success()) {
        return Some(format!("{} cannot import mysql.connector (.ci/run installs mysql-connector-python from PyPI in .ci/venv)", connector_python().display()));
    }
    let out = Command::new(KINSIGHT).args(["live", "--mode", "full", "--once", "--interval", "1", "--view", "procs", "--format", "json"]).output().expect("run kinsight");
    String::from_utf8_lossy(&out.stderr).lines().find(|l| l.contains("BPF is not in use")).map(str::to_string)
}

/// The Python with MySQL Connector/Python: `$KINSIGHT_TEST_PYTHON`, else .ci/venv's.
fn connector_python() -> PathBuf {
    std::env::var_os("KINSIGHT_TEST_PYTHON").map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/venv/bin/python"), PathBuf::from)
}

/// Prepared statements (COM_STMT_PREPARE / COM_STMT_EXECUTE, the binary protocol) with
/// Connector/Python, timing each execution itself: a SELECT executed for four ids (one
/// with no row), an INSERT of a key that exists (error 1062).
const PREPARED_PY: &str = r#"
import sys, time
import mysql.connector
db = mysql.connector.connect(host="127.0.0.1", port=int(sys.argv[1]), user="k", password="k", database="shop", ssl_disabled=True)
cur = db.cursor(prepared=True)
for i in (1, 2, 3, 99):
    t = time.perf_counter_ns()
    cur.execute("SELECT name FROM items WHERE id = %s", (i,))
    rows = cur.fetchall()
    print("select", i, "rows", len(rows), "ns", time.perf_counter_ns() - t)
t = time.perf_counter_ns()
try:
    cur.execute("INSERT INTO items VALUES (%s, %s)", (1, "duplicate"))
except mysql.connector.Error as e:
    print("error", e.errno, "ns", time.perf_counter_ns() - t)
db.close()
"#;

/// A private mariadbd: its own datadir, socket and TCP port, a user `k` and a table
/// `shop.items` of three rows, made before kinsight watches.
struct Mariadb {
    server: Guard,
    dir: PathBuf,
    port: u16,
}

impl Mariadb {
    fn start(dir: &Path) -> Mariadb {
        std::fs::create_dir_all(dir).unwrap();
        run(&format!("chown mysql {}", dir.display()));
        let data = dir.join("data");
        run(&format!("mariadb-install-db --user=mysql --datadir={} --auth-root-authentication-method=normal --skip-test-db >/dev/null", data.display()));
        let port = free_port();
        let sock = dir.join("sock");
        let server = Guard(
            Command::new("runuser")
                .args(["-u", "mysql", "--", "mariadbd", "--no-defaults"])
                .arg(format!("--datadir={}", data.display()))
                .arg(format!("--socket={}", sock.display()))
                .args([&format!("--port={port}"), "--bind-address=127.0.0.1", "--skip-name-resolve", "--innodb-buffer-pool-size=16M"])
                .arg(format!("--pid-file={}", dir.join("pid").display()))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("mariadbd"),
        );
        let deadline = Instant::now() + Duration::from_secs(60);
        while !Command::new("mariadb").arg(format!("--socket={}", sock.display())).args(["-u", "root", "-e", "SELECT 1"]).stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap().success() {
            assert!(Instant::now() < deadline, "mariadbd did not start");
            std::thread::sleep(Duration::from_millis(200));
        }
        run(&format!(
            "mariadb --socket={} -u root -e \"CREATE USER 'k'@'%' IDENTIFIED BY 'k'; GRANT ALL ON *.* TO 'k'@'%'; CREATE DATABASE shop; \
             CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(40)); INSERT INTO shop.items VALUES (1,'apple'),(2,'pear'),(3,'plum');\"",
            sock.display()
        ));
        Mariadb { server, dir: dir.to_path_buf(), port }
    }

    /// mariadbd's own pid (runuser's child).
    fn pid(&self) -> u32 {
        std::fs::read_to_string(self.dir.join("pid")).unwrap().trim().parse().unwrap()
    }
}

impl Drop for Mariadb {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.pid().to_string()).status();
        let _ = self.server.0.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What one client process reported: its pid, and per request (in order) its status and
/// its own timing when it printed one.
struct ClientRun {
    pid: u32,
    out: String,
}

fn client(cmd: &mut Command, stdin: Option<&str>) -> ClientRun {
    let mut child = cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() }).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("client");
    if let Some(text) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    let pid = child.id();
    let o = child.wait_with_output().unwrap();
    ClientRun { pid, out: String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr) }
}

/// The statements the mariadb client runs (text protocol), errors on purpose: two 1146
/// (no such table) and one 1064 (syntax).
const MARIADB_SCRIPT: &[&str] = &[
    "SELECT id, name FROM shop.items WHERE id < 3",
    "SELECT id, name FROM shop.items WHERE id < 3",
    "SELECT id, name FROM shop.items WHERE id < 3",
    "SELECT * FROM shop.no_such_table",
    "INSERT INTO shop.items VALUES (4, 'fig')",
    "UPDATE shop.items SET name = 'grape' WHERE id = 4",
    "SELEKT 1",
    "SELECT * FROM shop.no_such_table",
    "DELETE FROM shop.items WHERE id = 4",
    "SELECT COUNT(*) FROM shop.items",
];

/// The mariadb client's own account of the script (`-vvv`): each statement echoed, then
/// `(0.008 sec)` for one that succeeded or `ERROR 1146 (42S02) at line 4` for one that did
/// not. Per statement: the error number or None, and the seconds it printed.
fn mariadb_report(out: &str) -> (Vec<u64>, Vec<f64>) {
    let errors: Vec<u64> = out.lines().filter_map(|l| l.strip_prefix("ERROR ")?.split(' ').next()?.parse().ok()).collect();
    let timings: Vec<f64> = out.lines().filter_map(|l| l.rsplit_once(" (")?.1.strip_suffix(" sec)")?.parse().ok()).collect();
    (errors, timings)
}

/// One dig query: its pid, status (NOERROR, NXDOMAIN), its answer count and the query time
/// it printed (whole milliseconds).
struct Dig {
    pid: u32,
    status: String,
    answers: u64,
    ms: u64,
    tcp: bool,
}

fn dig(port: u16, name: &str, qtype: &str, tcp: bool) -> Dig {
    let mut cmd = Command::new("dig");
    cmd.args(["@127.0.0.1", "-p", &port.to_string(), "+tries=1", "+time=2", name, qtype]);
    if tcp {
        cmd.arg("+tcp");
    }
    let r = client(&mut cmd, None);
    let field = |key: &str| r.out.lines().find_map(|l| Some(l.split(key).nth(1)?.split([',', ' ']).next()?.to_string())).unwrap_or_else(|| panic!("no {key} in {}", r.out));
    Dig { pid: r.pid, status: field("status: "), answers: field("ANSWER: ").parse().unwrap(), ms: field("Query time: ").parse().unwrap(), tcp }
}

/// How far kinsight's latency of a request, seen from the client's system calls, may be
/// from the client's own timing: the clients print whole milliseconds (dig) or
/// milliseconds rounded (mariadb), and time a little more than the send and the receive.
const LATENCY_TOLERANCE_NS: i64 = 3_000_000;

#[test]
fn requests_of_mariadb_and_dns_match_their_clients() {
    if let Some(why) = mariadb_dns_skip_reason() {
        eprintln!("requests_of_mariadb_and_dns_match_their_clients: skipped: {why}");
        return;
    }
    let _serial = serial();
    let tmp = std::env::temp_dir().join(format!("kinsight-requests-mariadb-dns-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let db = Mariadb::start(&tmp.join("my"));
    // dnsmasq answers for kinsight.test only, from its static records: nothing leaves the host.
    let dns_port = free_port();
    let dnsmasq = Guard(
        Command::new("dnsmasq")
            .args(["--keep-in-foreground", "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--bind-interfaces", "--listen-address=127.0.0.1", "--local=/kinsight.test/", "--user=root"])
            .arg(format!("--port={dns_port}"))
            .args(["--host-record=www.kinsight.test,10.1.2.3", "--host-record=db.kinsight.test,10.1.2.4,fd00::4"])
            .arg(format!("--pid-file={}", tmp.join("dnsmasq.pid").display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dnsmasq"),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !run(&format!("dig @127.0.0.1 -p {dns_port} +tries=1 +time=1 +short www.kinsight.test || true")).contains("10.1.2.3") {
        assert!(Instant::now() < deadline, "dnsmasq did not answer");
        std::thread::sleep(Duration::from_millis(100));
    }
    let dnsmasq_pid = dnsmasq.0.id();
    let mariadbd_pid = db.pid();

    // Both on ports kinsight does not know: each connection's protocol comes from its first
    // bytes, also where an end reads the length prefix apart from the message
    // (Connector/Python's MySQL packet headers, dnsmasq's DNS over TCP).
    let all = Live::start(&["live", "--view", "requests", "--format", "json", "--interval", "10", "--once", "--filter", "req.proto in (mysql, dns)"]);
    let capture = tmp.join("requests.scap");
    let writer = Live::start(&["capture", "-w", capture.to_str().unwrap(), "--duration", "10"]);
    let started = Instant::now();

    // MariaDB: the script over TCP, on a port kinsight does not know.
    let script: String = MARIADB_SCRIPT.iter().map(|s| format!("{s};\n")).collect();
    let maria = client(Command::new("mariadb").args(["-h", "127.0.0.1", "-P", &db.port.to_string(), "-u", "k", "-pk", "--skip-ssl", "--force", "-vvv"]), Some(&script));
    let (maria_errors, maria_timings) = mariadb_report(&maria.out);
    assert_eq!(maria_errors.len() + maria_timings.len(), MARIADB_SCRIPT.len(), "the client's account of every statement:\n{}", maria.out);
    // Prepared statements, on the same server.
    let script_py = tmp.join("prepared.py");
    std::fs::write(&script_py, PREPARED_PY).unwrap();
    let py = client(Command::new(connector_python()).arg(&script_py).arg(db.port.to_string()), None);
    // `select ID rows N ns T` for each execution, then `error 1062 ns T`.
    let executions: Vec<(String, u64)> = py.out.lines().filter_map(|l| {
        let w: Vec<&str> = l.split(' ').collect();
        match w.as_slice() {
            ["select", _, "rows", _, "ns", t] => Some(("OK".to_string(), t.parse().ok()?)),
            ["error", code, "ns", t] => Some((code.to_string(), t.parse().ok()?)),
            _ => None,
        }
    }).collect();
    assert_eq!(executions.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(), ["OK", "OK", "OK", "OK", "1062"], "Connector/Python said:\n{}", py.out);

    // DNS: over UDP and TCP, answered and NXDOMAIN, one dig a query.
    let mut digs = Vec::new();
    for tcp in [false, true] {
        for _ in 0..3 {
            digs.push(dig(dns_port, "www.kinsight.test", "A", tcp));
        }
        digs.push(dig(dns_port, "db.kinsight.test", "AAAA", tcp));
        digs.push(dig(dns_port, "nosuch.kinsight.test", "A", tcp));
        digs.push(dig(dns_port, "gone.kinsight.test", "A", tcp));
    }
    assert_eq!(digs.iter().filter(|d| d.status == "NXDOMAIN").count(), 4, "dig's statuses");
    assert!(started.elapsed() < Duration::from_secs(9), "the workload outlasted kinsight's interval");

    let (rows, err) = all.rows();
    let expect = Expect { maria: &maria, maria_errors: &maria_errors, maria_timings: &maria_timings, py: &py, executions: &executions, mariadbd_pid, digs: &digs, dnsmasq_pid };
    check_mariadb_dns(&rows, &err, &expect, true);

    // The same requests from the capture written meanwhile.
    let mut w = writer.child;
    assert!(w.0.wait().unwrap().success(), "kinsight capture failed");
    let read = Command::new(KINSIGHT).args(["read", capture.to_str().unwrap(), "--view", "requests", "--format", "json", "--filter", "req.proto in (mysql, dns)"]).output().unwrap();
    assert!(read.status.success(), "{}", String::from_utf8_lossy(&read.stderr));
    let from_capture: Vec<Value> = serde_json::from_slice(&read.stdout).unwrap();
    check_mariadb_dns(&from_capture, "(from the capture)", &expect, false);
    // sysdig 0.29.3 reads the capture too, dig's sendmmsg as the sendmsg of its query.
    if Path::new("/usr/bin/sysdig").exists() {
        for d in digs.iter().filter(|d| !d.tcp) {
            let out = run(&format!("sysdig -r {} -p '%evt.type %evt.rawres' 'proc.pid={} and evt.type=sendmsg and evt.dir=<'", capture.display(), d.pid));
            // One send of bytes, the query's (the syscall returned a count of messages);
            // libuv first calls sendmmsg with no message to see that it exists (0 bytes).
            let sent: Vec<i64> = out.lines().filter_map(|l| l.strip_prefix("sendmsg ")?.trim().parse().ok()).filter(|n| *n != 0).collect();
            assert!(sent.len() == 1 && sent[0] > 12, "sysdig on dig {}'s sends: {out}", d.pid);
        }
    }
    drop(dnsmasq);
    drop(db);
    let _ = std::fs::remove_dir_all(&tmp);
}

struct Expect<'a> {
    maria: &'a ClientRun,
    maria_errors: &'a [u64],
    maria_timings: &'a [f64],
    py: &'a ClientRun,
    /// Each execution of a prepared statement: the status Connector/Python saw, its time.
    executions: &'a [(String, u64)],
    mariadbd_pid: u32,
    digs: &'a [Dig],
    dnsmasq_pid: u32,
}

/// Counts, errors, processes and latency as the clients reported them.
fn check_mariadb_dns(rows: &[Value], err: &str, e: &Expect, live: bool) {
    let summary = || {
        let mut m = std::collections::BTreeMap::new();
        for r in rows {
            *m.entry(format!("{} {} pid {} {} {} {}", r["side"], r["proto"], r["pid"], r["operation"], r["status"], r["target"])).or_insert(0) += 1;
        }
        format!("{m:#?}\n{err}")
    };
    let of = |side: &str, proto: &str, pid: u32| -> Vec<&Value> { rows.iter().filter(|r| r["side"] == side && r["proto"] == proto && r["pid"] == pid).collect() };
    let ns = |r: &Value| r["latency_ns"].as_u64().unwrap() as i64;

    // MariaDB, the client's side: its process, every statement once, in order, with the
    // errors it printed; the statements that succeeded within the tolerance of the times it
    // printed.
    let client = of("client", "mysql", e.maria.pid);
    assert_eq!(client.len(), MARIADB_SCRIPT.len(), "the mariadb client's requests ({}): {}", e.maria.pid, summary());
    let errors: Vec<u64> = client.iter().filter(|r| r["error"] == true).map(|r| r["status"].as_str().unwrap().parse().unwrap()).collect();
    assert_eq!(errors, e.maria_errors, "{}", summary());
    let ok: Vec<&&Value> = client.iter().filter(|r| r["error"] == false).collect();
    assert_eq!(ok.len(), e.maria_timings.len(), "{}", summary());
    for (r, secs) in ok.iter().zip(e.maria_timings) {
        let theirs = (secs * 1e9) as i64;
        assert!((ns(r) - theirs).abs() <= LATENCY_TOLERANCE_NS, "{} took {} ns, the client said {secs} s", r["target"], ns(r));
    }
    for (r, stmt) in client.iter().zip(MARIADB_SCRIPT) {
        let kind = stmt.split(' ').next().unwrap();
        assert!(kind == "SELEKT" || r["operation"] == kind, "{stmt}: {r}");
    }
    // The server's side: mariadbd, the same requests and errors, each inside the client's
    // (its rows of the mariadb client's connection: the server sees it from the other end).
    let connection = client[0]["client"].clone();
    let server: Vec<&Value> = of("server", "mysql", e.mariadbd_pid).into_iter().filter(|r| r["client"] == connection).collect();
    assert_eq!(server.len(), MARIADB_SCRIPT.len(), "mariadbd's requests ({}): {}", e.mariadbd_pid, summary());
    let server_errors: Vec<u64> = server.iter().filter(|r| r["error"] == true).map(|r| r["status"].as_str().unwrap().parse().unwrap()).collect();
    assert_eq!(server_errors, e.maria_errors, "{}", summary());
    for (s, c) in server.iter().zip(&client) {
        assert_eq!(s["target"], c["target"]);
        assert!(ns(s) <= ns(c), "server {} ns, client {} ns for {}", ns(s), ns(c), c["target"]);
    }

    // Connector/Python: its two statements prepared once each, then each execution shown
    // with the prepared text, the status the client saw, within the tolerance of its time.
    let py = of("client", "mysql", e.py.pid);
    assert_eq!(py.iter().filter(|r| r["operation"] == "PREPARE").count(), 2, "Connector/Python's requests ({}): {}", e.py.pid, summary());
    // Its statements' executions; around them, what the connector does of its own: the
    // session's settings (SET NAMES, autocommit), a PING, a COM_STMT_RESET before each
    // execution.
    let prepared = |r: &Value| r["target"] == "SELECT name FROM items WHERE id = ?" || r["target"] == "INSERT INTO items VALUES (?, ?)";
    let executed: Vec<&&Value> = py.iter().filter(|r| r["operation"] != "PREPARE" && prepared(r)).collect();
    let own: Vec<&str> = py.iter().filter(|r| !prepared(r)).map(|r| r["operation"].as_str().unwrap()).collect();
    assert!(own.iter().all(|op| ["SET", "PING", "RESET"].contains(op)), "{own:?}");
    assert_eq!(own.iter().filter(|op| **op == "RESET").count(), e.executions.len(), "{own:?}");
    let targets: Vec<&str> = executed.iter().map(|r| r["target"].as_str().unwrap()).collect();
    assert_eq!(targets, ["SELECT name FROM items WHERE id = ?", "SELECT name FROM items WHERE id = ?", "SELECT name FROM items WHERE id = ?", "SELECT name FROM items WHERE id = ?", "INSERT INTO items VALUES (?, ?)"], "{}", summary());
    for (r, (status, theirs)) in executed.iter().zip(e.executions) {
        assert_eq!((r["error"] == true, r["error"] == true || r["status"] != "?"), (status != "OK", true), "{r}");
        if status != "OK" {
            assert_eq!(r["status"].as_str(), Some(status.as_str()), "{r}");
        }
        // A failed execution's time includes the connector raising its exception (40 ms
        // seen): there only an upper bound holds.
        let low = if status == "OK" { *theirs as i64 - LATENCY_TOLERANCE_NS } else { 0 };
        assert!(ns(r) > low && ns(r) <= *theirs as i64 + LATENCY_TOLERANCE_NS, "{} took {} ns, the client timed {theirs} ns", r["target"], ns(r));
    }
    let py_connection = py[0]["client"].clone();
    let py_server: Vec<&Value> = of("server", "mysql", e.mariadbd_pid).into_iter().filter(|r| r["client"] == py_connection).collect();
    let ops = |rs: &[&Value]| rs.iter().map(|r| format!("{} {} {}", r["operation"], r["status"], r["target"])).collect::<Vec<_>>();
    assert_eq!(ops(&py_server), ops(&py), "mariadbd saw what Connector/Python did");
    // Nobody else's.
    assert_eq!(rows.iter().filter(|r| r["proto"] == "mysql").count(), 2 * (MARIADB_SCRIPT.len() + py.len()), "{}", summary());

    // DNS: each dig's one query from its own process, with its status, answers and time;
    // dnsmasq served every one.
    for d in e.digs {
        let mine = of("client", "dns", d.pid);
        assert_eq!(mine.len(), 1, "dig {} ({}): {}", d.pid, if d.tcp { "tcp" } else { "udp" }, summary());
        let r = mine[0];
        assert_eq!((r["status"].as_str().unwrap(), r["error"] == true, r["rows"].as_u64()), (d.status.as_str(), d.status != "NOERROR", Some(d.answers)), "{r}");
        let theirs = d.ms as i64 * 1_000_000;
        // dig prints whole milliseconds, cut: its time is in [ms, ms + 1). It times more
        // than the request: over TCP the connection's setup, and always the hand-over of
        // the query and of the answer between its threads (4 ms against 33 µs seen on a
        // busy machine), so kinsight's latency, from the send to the receipt of the
        // answer, is at most dig's.
        assert!(ns(r) > 0 && ns(r) < theirs + 1_000_000 + LATENCY_TOLERANCE_NS, "dig said {} ms, kinsight {} ns: {r}", d.ms, ns(r));
    }
    // dnsmasq answers UDP itself and each TCP connection in a child it forks for it.
    let served: Vec<&Value> = rows.iter().filter(|r| r["side"] == "server" && r["proto"] == "dns").collect();
    assert_eq!(served.len(), e.digs.len(), "dnsmasq's requests: {}", summary());
    assert_eq!(served.iter().filter(|r| r["pid"] == e.dnsmasq_pid).count(), e.digs.iter().filter(|d| !d.tcp).count(), "UDP by dnsmasq itself: {}", summary());
    assert!(served.iter().all(|r| r["pid"] == e.dnsmasq_pid || !e.digs.iter().any(|d| r["pid"] == d.pid)), "none by a client: {}", summary());
    assert_eq!(served.iter().filter(|r| r["status"] == "NXDOMAIN" && r["error"] == true).count(), e.digs.iter().filter(|d| d.status == "NXDOMAIN").count());
    let _ = live;
}
