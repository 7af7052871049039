//! The decoders on bytes real servers and their own clients exchanged (tests/data, made by
//! record.sh), checked against what the clients did and printed: pgbench's transaction
//! counts, psql's and the mariadb client's errors, dig's statuses and answer counts,
//! redis-benchmark's request counts and redis-cli's errors. Each recording is replayed from
//! the client's side on the protocol's port, from the server's side on a port the tracker
//! does not know (the protocol found from the first bytes), and cut at snaplens.

mod common;

use common::{count, load, read_text, replay, summary, Chunk, View};
use kinsight_protocols::{Proto, RequestRecord, Side};

fn views(port: u16, udp: bool) -> Vec<View> {
    let mut v = Vec::new();
    for snaplen in [0, 256, 80] {
        v.push(View { server: false, port, udp, snaplen });
        v.push(View { server: true, port: 0, udp, snaplen });
    }
    v
}

/// The numbers after `prefix` on the lines of a client's output that have it.
fn numbers_after(out: &str, prefix: &str) -> Vec<u64> {
    out.lines()
        .filter_map(|l| l.find(prefix).map(|i| &l[i + prefix.len()..]))
        .filter_map(|rest| rest.trim_start().split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
        .collect()
}

fn check_sides(records: &[RequestRecord], view: View, proto: Proto) {
    let side = if view.server { Side::Server } else { Side::Client };
    assert!(records.iter().all(|r| r.side == side && r.proto == proto), "{view:?}");
}

#[test]
fn postgres_pgbench_and_psql_errors() {
    let chunks = load("postgres.rec");
    let out = read_text("postgres.client.txt");
    // pgbench's own count of transactions, over its simple, extended and prepared runs.
    let transactions: u64 = out.lines().filter_map(|l| l.strip_prefix("number of transactions actually processed: ")).map(|v| v.split('/').next().unwrap().parse::<u64>().unwrap()).sum();
    assert_eq!(transactions, 70);
    // psql's errors, with the SQLSTATE it printed (VERBOSITY verbose).
    let mut psql_errors: Vec<String> = out.lines().filter_map(|l| l.split("ERROR:  ").nth(1)).map(|e| e[..5].to_string()).collect();
    psql_errors.sort();
    assert_eq!(psql_errors.len(), 3);
    for view in views(5432, false) {
        let r = replay(&chunks, view);
        check_sides(&r, view, Proto::Postgres);
        let op = |o: &str| count(&r, |x| x.operation == o) as u64;
        // TPC-B: BEGIN, three UPDATEs, one SELECT, one INSERT, END per transaction; the
        // psql script adds one INSERT.
        assert_eq!(op("BEGIN"), transactions, "{view:?}\n{}", summary(&r));
        assert_eq!(op("END"), transactions, "{view:?}");
        assert_eq!(op("UPDATE"), 3 * transactions, "{view:?}\n{}", summary(&r));
        assert_eq!(op("INSERT"), transactions + 1, "{view:?}\n{}", summary(&r));
        assert_eq!(count(&r, |x| x.target == "SELECT abalance FROM pgbench_accounts WHERE aid = ?"), transactions as usize, "{view:?}");
        let mut errors: Vec<String> = r.iter().filter(|x| x.error).map(|x| x.status.clone()).collect();
        errors.sort();
        assert_eq!(errors, psql_errors, "{view:?}");
        assert!(r.iter().filter(|x| x.error).all(|x| x.latency_ns > 0));
        if view.snaplen == 0 {
            // The CommandComplete tags: one row per UPDATE and INSERT, three rows selected.
            assert!(r.iter().filter(|x| x.operation == "UPDATE").all(|x| x.rows == Some(1)));
            let three = r.iter().find(|x| x.target == "SELECT aid, abalance FROM pgbench_accounts WHERE aid < ?").unwrap();
            assert_eq!((three.rows, three.status.as_str()), (Some(3), "OK"));
            assert!(r.iter().all(|x| x.status != "?"));
        }
    }
}

#[test]
fn postgres_latency_agrees_with_pgbench() {
    let chunks = load("postgres.rec");
    let out = read_text("postgres.client.txt");
    // pgbench's average latency of a transaction, per run, in ms; and the transactions.
    let averages: Vec<f64> = out.lines().filter_map(|l| l.strip_prefix("latency average = ")).map(|v| v.trim_end_matches(" ms").parse().unwrap()).collect();
    let counts = numbers_after(&out, "number of transactions actually processed: ");
    let client_total_ms: f64 = averages.iter().zip(&counts).map(|(a, n)| a * *n as f64).sum();
    let r = replay(&chunks, View { server: false, port: 5432, udp: false, snaplen: 0 });
    // The statements of the transactions: from each BEGIN to the END after it.
    let tx_ms: f64 = r.iter().filter(|x| x.target.starts_with("UPDATE") || x.target.starts_with("SELECT abalance") || x.target.starts_with("INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (?, ?, ?, ?, CURRENT") || x.operation == "BEGIN" || x.operation == "END").map(|x| x.latency_ns as f64 / 1e6).sum();
    // The relay sees each round trip from inside the client's: the sum of the statements'
    // latencies is at most pgbench's and most of it (pgbench adds its own time between them).
    assert!(tx_ms <= client_total_ms * 1.01, "decoded {tx_ms:.1} ms, pgbench {client_total_ms:.1} ms");
    assert!(tx_ms >= client_total_ms * 0.5, "decoded {tx_ms:.1} ms, pgbench {client_total_ms:.1} ms");
}

#[test]
fn mysql_text_and_prepared_statements() {
    let chunks = load("mysql.rec");
    let out = read_text("mysql.client.txt");
    // The mariadb client's errors (`ERROR 1146 (42S02) at line 2`) and Connector/Python's.
    let mut client_errors: Vec<u64> = numbers_after(&out, "ERROR ");
    client_errors.extend(numbers_after(&out, "error "));
    client_errors.sort();
    assert_eq!(client_errors, vec![1062, 1064, 1146]);
    // Rows the clients printed: `2 rows in set`, `1 row in set`, `select 1 rows 1`.
    let select_rows = numbers_after(&out, "rows ");
    let statements = read_text("mysql.client.sql");
    for view in views(3306, false) {
        let r = replay(&chunks, view);
        check_sides(&r, view, Proto::Mysql);
        let mut errors: Vec<u64> = r.iter().filter(|x| x.error).map(|x| x.status.parse().unwrap()).collect();
        errors.sort();
        assert_eq!(errors, client_errors, "{view:?}\n{}", summary(&r));
        // Every statement of the script, normalised, once.
        for stmt in statements.lines() {
            let target = kinsight_protocols::sql::normalize(stmt);
            assert_eq!(count(&r, |x| x.target == target && x.operation != "PREPARE"), 1, "{target} in {view:?}\n{}", summary(&r));
        }
        // The prepared SELECT: prepared once, executed once per id, shown with its text.
        let executed: Vec<&RequestRecord> = r.iter().filter(|x| x.target == "SELECT name FROM items WHERE id = ?" && x.operation == "SELECT").collect();
        assert_eq!(executed.len(), select_rows.len(), "{view:?}");
        assert_eq!(count(&r, |x| x.operation == "PREPARE"), 2);
        if view.snaplen == 0 {
            let rows: Vec<u64> = executed.iter().map(|x| x.rows.unwrap()).collect();
            assert_eq!(rows, select_rows);
            // `2 rows in set`, `1 row in set`: the text protocol's SELECTs, in order.
            let in_set: Vec<u64> = out.lines().filter(|l| l.contains(" in set")).map(|l| l.split(' ').next().unwrap().parse().unwrap()).collect();
            let text_rows: Vec<u64> = r.iter().filter(|x| x.target.contains("FROM shop.items") && x.operation == "SELECT").map(|x| x.rows.unwrap()).collect();
            assert_eq!(text_rows, in_set);
            let affected = r.iter().find(|x| x.operation == "UPDATE").unwrap().rows;
            assert_eq!(affected, Some(1), "Query OK, 1 row affected");
        }
    }
}

#[test]
fn redis_benchmark_pipeline_and_errors() {
    let chunks = load("redis.rec");
    let out = read_text("redis.client.txt");
    // redis-cli printed each error reply (with --pipe too, which also counts them).
    let cli_errors = out.lines().filter(|l| l.starts_with("ERR ")).count();
    assert_eq!(cli_errors, 3);
    assert_eq!(numbers_after(&out, "errors: "), vec![1]);
    for view in views(6379, false) {
        let r = replay(&chunks, view);
        check_sides(&r, view, Proto::Redis);
        // As record.sh asked: -n 200 -t set,get; -n 100 -P 10 -t incr,lpush.
        let n = |op: &str, target: &str| count(&r, |x| x.operation == op && x.target == target);
        assert_eq!(n("SET", "key:"), 200, "{view:?}");
        assert_eq!(n("GET", "key:"), 200, "{view:?}");
        assert_eq!(n("INCR", "counter:"), 100, "{view:?}");
        assert_eq!(n("LPUSH", "mylist"), 100, "{view:?}");
        let errors: Vec<&str> = r.iter().filter(|x| x.error).map(|x| x.status.as_str()).collect();
        if view.server && view.port == 0 {
            // The --pipe batch is inline commands, which only a Redis port tells apart.
            assert_eq!(errors, vec!["ERR"; cli_errors - 1], "{view:?}");
        } else {
            assert_eq!(errors, vec!["ERR"; cli_errors], "{view:?}\n{}", summary(&r));
            assert_eq!(n("DEL", "k1"), 1);
        }
        if view.snaplen == 0 {
            assert!(r.iter().all(|x| x.status != "?"));
            assert!(r.iter().all(|x| x.request_bytes > 0 && x.response_bytes > 0));
        }
    }
}

fn dns(file: &str, udp: bool) {
    let chunks = load(file);
    let out = read_text(file.replace(".rec", ".client.txt").as_str());
    let statuses: Vec<&str> = out.lines().filter_map(|l| l.split("status: ").nth(1)).map(|s| s.split(',').next().unwrap()).collect();
    let answers: u64 = numbers_after(&out, "ANSWER: ").iter().sum();
    for view in views(53, udp) {
        let r = replay(&chunks, view);
        check_sides(&r, view, Proto::Dns);
        assert_eq!(r.len(), statuses.len(), "{view:?}");
        for status in ["NOERROR", "NXDOMAIN"] {
            assert_eq!(count(&r, |x| x.status == status), statuses.iter().filter(|s| **s == status).count(), "{status} {view:?}");
        }
        assert_eq!(r.iter().map(|x| x.rows.unwrap()).sum::<u64>(), answers);
        assert!(r.iter().filter(|x| x.status == "NXDOMAIN").all(|x| x.error && x.target.ends_with(".kinsight.test") && x.operation == "A"));
        assert_eq!(count(&r, |x| x.operation == "AAAA" && x.target == "db.kinsight.test"), 1);
    }
}

#[test]
fn dns_over_udp() {
    dns("dns_udp.rec", true);
}

#[test]
fn dns_over_tcp() {
    dns("dns_tcp.rec", false);
}

/// gRPC and plain HTTP/2 are found from the client's preface on any port: both sides are
/// replayed on a port the tracker does not know, whole, at a snaplen that keeps every
/// header block and DATA frame of these recordings (512), and cut short (256, 80).
fn h2_views() -> Vec<View> {
    [0, 512, 256, 80]
        .into_iter()
        .flat_map(|snaplen| {
            [false, true].map(|server| View {
                server,
                port: 0,
                udp: false,
                snaplen,
            })
        })
        .collect()
}

#[test]
fn grpc_unary_streaming_and_not_found() {
    let chunks = load("grpc.rec");
    let out = read_text("grpc.client.txt");
    // What grpc_demo.py's client printed: calls answered OK, NOT_FOUND, each List stream's
    // messages, the client stream's and the bidirectional stream's.
    let ok = numbers_after(&out, "unary OK ");
    let not_found = numbers_after(&out, "unary NOT_FOUND ");
    let mut lists = numbers_after(&out, "server_stream ");
    lists.sort();
    let echo = numbers_after(&out, "bidi OK ");
    assert_eq!(
        (ok.len(), not_found.len(), lists.len(), echo.len()),
        (1, 1, 3, 1),
        "{out}"
    );
    let calls = ok[0] + not_found[0] + lists.len() as u64 + 2;
    const GET: &str = "/kinsight.demo.Store/Get";
    for view in h2_views() {
        let r = replay(&chunks, view);
        check_sides(&r, view, Proto::Grpc);
        // Every call is counted, however short the snaplen.
        assert_eq!(r.len() as u64, calls, "{view:?}\n{}", summary(&r));
        // Nothing is invented: a method or status is the true one or `?`.
        let methods = [
            GET,
            "/kinsight.demo.Store/List",
            "/kinsight.demo.Store/Put",
            "/kinsight.demo.Store/Echo",
            "?",
        ];
        assert!(
            r.iter()
                .all(|x| methods.contains(&x.operation.as_str()) && x.operation == x.target),
            "{view:?}\n{}",
            summary(&r)
        );
        assert!(
            r.iter()
                .all(|x| ["OK", "NOT_FOUND", "?"].contains(&x.status.as_str())
                    && x.error == (x.status == "NOT_FOUND")),
            "{view:?}"
        );
        assert!(count(&r, |x| x.status == "NOT_FOUND") as u64 <= not_found[0]);
        if view.snaplen == 0 || view.snaplen >= 512 {
            let n = |op: &str, status: &str| {
                count(&r, |x| x.operation == op && x.status == status) as u64
            };
            assert_eq!(n(GET, "OK"), ok[0], "{view:?}\n{}", summary(&r));
            assert_eq!(n(GET, "NOT_FOUND"), not_found[0], "{view:?}");
            // One message per unary answer, none with NOT_FOUND; the streams' counts.
            assert!(r
                .iter()
                .filter(|x| x.operation == GET)
                .all(|x| x.rows == Some(if x.error { 0 } else { 1 })));
            let mut got: Vec<u64> = r
                .iter()
                .filter(|x| x.operation.ends_with("/List"))
                .map(|x| x.rows.unwrap())
                .collect();
            got.sort();
            assert_eq!(got, lists, "{view:?}");
            assert_eq!(n("/kinsight.demo.Store/Put", "OK"), 1);
            assert_eq!(
                r.iter()
                    .find(|x| x.operation.ends_with("/Echo"))
                    .and_then(|x| x.rows),
                Some(echo[0])
            );
            assert!(r
                .iter()
                .all(|x| x.request_bytes > 0 && x.response_bytes > 0 && x.latency_ns > 0));
        }
    }
}

#[test]
fn http2_gets_with_404_and_503() {
    let chunks = load("http2.rec");
    let out = read_text("http2.client.txt");
    // `status <code> <path> …`, one line per response httpx and curl got.
    let statuses: Vec<(String, String)> = out
        .lines()
        .filter_map(|l| l.strip_prefix("status "))
        .map(|l| {
            let mut w = l.split(' ');
            (w.next().unwrap().to_string(), w.next().unwrap().to_string())
        })
        .collect();
    assert!(
        statuses.len() >= 10 && statuses.iter().any(|(c, _)| c == "404"),
        "{out}"
    );
    for view in h2_views() {
        let r = replay(&chunks, view);
        check_sides(&r, view, Proto::Http2);
        assert!(r
            .iter()
            .all(|x| ["GET", "?"].contains(&x.operation.as_str())));
        for code in ["200", "404", "503"] {
            let want = statuses.iter().filter(|(c, _)| c == code).count();
            let got = count(&r, |x| x.status == code);
            if view.snaplen == 0 || view.snaplen >= 256 {
                assert_eq!(got, want, "{code} {view:?}\n{}", summary(&r));
            } else {
                assert!(got <= want, "{code} {view:?}");
            }
        }
        assert!(r.iter().all(|x| x.error == x.status.starts_with('5')));
        if view.snaplen == 0 || view.snaplen >= 512 {
            // Paths as the clients asked them, the h2c upgrade's (stream 1) included.
            let mut want: Vec<String> = statuses.iter().map(|(c, p)| format!("{c} {p}")).collect();
            let mut got: Vec<String> = r
                .iter()
                .map(|x| format!("{} {}", x.status, x.target))
                .collect();
            want.sort();
            got.sort();
            assert_eq!(got, want, "{view:?}");
        } else {
            // The h2c connection's one response is in the write of its 101 answer; cut
            // within that write, with no later stream on the connection to close it, it
            // is not counted. Every other response is.
            assert!(r.len() + 1 >= statuses.len(), "{view:?}\n{}", summary(&r));
        }
    }
}

/// Every buffer read as a length prefix, then the rest (`prefix` bytes first), as
/// Connector/Python reads MySQL packets (the 4-byte header, then the payload) and dnsmasq
/// DNS over TCP (the 2-byte length a byte at a time, then the message).
fn split_prefixes(chunks: &[Chunk], prefix: usize) -> Vec<Chunk> {
    chunks
        .iter()
        .flat_map(|c| {
            let at = prefix.min(c.data.len());
            let piece = |d: &[u8]| Chunk { ts: c.ts, conn: c.conn, from_client: c.from_client, data: d.to_vec() };
            // The prefix a byte at a time, as dnsmasq reads DNS's length.
            let mut pieces: Vec<Chunk> = if prefix == 2 { c.data[..at].chunks(1).map(piece).collect() } else { vec![piece(&c.data[..at])] };
            pieces.push(piece(&c.data[at..]));
            pieces
        })
        .filter(|c| !c.data.is_empty())
        .collect()
}

/// On a port it does not know, the tracker finds the protocol of a connection whose ends
/// read (or write) a length prefix apart from its message, and decodes the same requests as
/// from whole buffers, on both sides.
#[test]
fn protocols_found_when_a_length_prefix_is_read_apart() {
    for (file, prefix) in [("mysql.rec", 4), ("dns_tcp.rec", 2)] {
        let whole = load(file);
        let split = split_prefixes(&whole, prefix);
        for server in [false, true] {
            let view = View { server, port: 0, udp: false, snaplen: 0 };
            let expected = replay(&whole, view);
            let got = replay(&split, view);
            assert!(!expected.is_empty(), "{file} {view:?}");
            assert_eq!(summary(&got), summary(&expected), "{file} {view:?}");
        }
    }
}
