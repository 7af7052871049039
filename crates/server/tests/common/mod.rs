//! Helpers for the server's tests: a replay server of the shared Kubernetes capture, and a
//! small HTTP/1.1 client (the tests need nothing more than GET).

#![allow(dead_code)]

use kinsight_server::{start, Server, UpOptions};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

pub fn k8s_capture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/traces/bencer/k8s_backend_capture.scap")
}

/// A capture of the shared traces, by its path there (`examples/ex0_nginx_v1.scap`).
pub fn shared_trace(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/traces").join(path)
}

/// A server replaying the k8s capture on a free loopback port, read to the end.
pub fn replay_server(token: Option<&str>) -> Server {
    replay_of(k8s_capture(), token)
}

/// A server replaying `capture` on a free loopback port, read to the end.
pub fn replay_of(capture: PathBuf, token: Option<&str>) -> Server {
    let mut opts = UpOptions::new("127.0.0.1:0".parse().unwrap());
    opts.replay = Some(capture);
    opts.token = token.map(str::to_string);
    let server = start(opts).expect("server starts");
    assert!(server.wait_sources(Duration::from_secs(60)), "the replay finishes");
    server
}

pub struct Response {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// GET `path` (already URL-encoded), with a bearer token if given.
pub fn get(addr: SocketAddr, path: &str, token: Option<&str>) -> Response {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read response");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete response");
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).expect("status code");
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(body) } else { body.to_string() };
    Response { status, headers: head.to_string(), body }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

/// Percent-encodes a query value.
pub fn enc(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// GET that must answer 200 with JSON.
pub fn get_json(addr: SocketAddr, path: &str) -> Value {
    let r = get(addr, path, None);
    assert_eq!(r.status, 200, "GET {path}: {}", r.body);
    r.json()
}

/// The rows' `name` → row.
pub fn rows_by_name(v: &Value) -> std::collections::BTreeMap<String, Value> {
    v["rows"].as_array().expect("rows").iter().map(|r| (r["name"].as_str().unwrap().to_string(), r.clone())).collect()
}
