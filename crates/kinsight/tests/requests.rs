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
//! Skips, saying why, when not root, without BPF, or without the servers (Debian's
//! redis-server, redis-tools, postgresql).

use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::{Duration, Instant};

const KINSIGHT: &str = env!("CARGO_BIN_EXE_kinsight");

fn skip_reason() -> Option<String> {
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root {
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
    let out = Command::new(KINSIGHT).args(["live", "--mode", "full", "--once", "--interval", "1", "--view", "procs", "--format", "json"]).output().expect("run kinsight");
    String::from_utf8_lossy(&out.stderr).lines().find(|l| l.contains("BPF is not in use")).map(str::to_string)
}

fn pg_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql").ok()?.filter_map(|e| Some(e.ok()?.path().join("bin"))).filter(|b| b.join("initdb").exists()).collect();
    dirs.sort();
    dirs.pop()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn run(cmd: &str) -> String {
    let out = Command::new("sh").args(["-c", cmd]).output().expect("run");
    assert!(out.status.success(), "{cmd}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// A child killed when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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

/// `kinsight live` until its one refresh; its JSON rows.
struct Live {
    child: Guard,
    stderr: BufReader<ChildStderr>,
}

impl Live {
    fn start(args: &[&str]) -> Live {
        let mut child = Command::new(KINSIGHT).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start kinsight");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut line = String::new();
        while Instant::now() < deadline {
            line.clear();
            assert!(stderr.read_line(&mut line).unwrap_or(0) > 0, "kinsight exited before it was ready");
            if line.contains("watching this host") || line.contains("capturing to") {
                return Live { child: Guard(child), stderr };
            }
        }
        panic!("kinsight not ready in 30 s");
    }

    fn rows(mut self) -> (Vec<Value>, String) {
        let mut out = String::new();
        self.child.0.stdout.take().unwrap().read_to_string(&mut out).unwrap();
        let mut err = String::new();
        self.stderr.read_to_string(&mut err).unwrap();
        let status = self.child.0.wait().unwrap();
        assert!(status.success(), "kinsight failed: {err}");
        (serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}")), err)
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
