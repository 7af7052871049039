//! Reading the recordings of tests/data (see its README) and replaying them through a
//! tracker, from the client's or the server's point of view, with or without a snaplen.

#![allow(dead_code)]

use kinsight_protocols::{Config, Ends, RequestRecord, Tracker};
use std::path::PathBuf;

/// One recorded chunk: when, on which connection, who sent it, its bytes.
pub struct Chunk {
    pub ts: u64,
    pub conn: u32,
    pub from_client: bool,
    pub data: Vec<u8>,
}

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

pub fn read_text(name: &str) -> String {
    let path = data_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Parses `<ts> <conn> <c|s> <hex>` lines.
pub fn load(name: &str) -> Vec<Chunk> {
    read_text(name)
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let f: Vec<&str> = line.split(' ').collect();
            assert_eq!(f.len(), 4, "{name}:{}: expected 4 fields", i + 1);
            let data = (0..f[3].len()).step_by(2).map(|j| u8::from_str_radix(&f[3][j..j + 2], 16).expect("hex")).collect();
            Chunk { ts: f[0].parse().expect("ts"), conn: f[1].parse().expect("conn"), from_client: f[2] == "c", data }
        })
        .collect()
}

/// How a replay sees the connection.
#[derive(Clone, Copy, Debug)]
pub struct View {
    /// The observer is the server (else the client).
    pub server: bool,
    /// The server's port as the tracker is told it (0: an unknown port, detected from bytes).
    pub port: u16,
    pub udp: bool,
    /// Bytes of each buffer kept (0: all).
    pub snaplen: usize,
}

pub fn replay(chunks: &[Chunk], view: View) -> Vec<RequestRecord> {
    replay_with(chunks, view, Config::default())
}

pub fn replay_with(chunks: &[Chunk], view: View, config: Config) -> Vec<RequestRecord> {
    let mut t: Tracker<u32> = Tracker::new(config);
    let mut out = Vec::new();
    for c in chunks {
        let ephemeral = 40000 + c.conn as u16;
        let server_port = if view.port == 0 { 41000 } else { view.port };
        let ends = if view.server {
            Ends { local_port: server_port, remote_port: ephemeral, udp: view.udp }
        } else {
            Ends { local_port: ephemeral, remote_port: server_port, udp: view.udp }
        };
        // The server reads what the client sent.
        let is_read = c.from_client == view.server;
        let kept = if view.snaplen == 0 { &c.data[..] } else { &c.data[..c.data.len().min(view.snaplen)] };
        t.on_io(c.conn, ends, is_read, c.ts, kept, c.data.len() as u64, || (), &mut out);
    }
    out.into_iter().map(|(_, r)| r).collect()
}

pub fn count(records: &[RequestRecord], f: impl Fn(&RequestRecord) -> bool) -> usize {
    records.iter().filter(|r| f(r)).count()
}

/// A summary for failure messages: operation, status and target of each record.
pub fn summary(records: &[RequestRecord]) -> String {
    records.iter().map(|r| format!("{} {} {} {:?}\n", r.operation, r.status, r.target, r.rows)).collect()
}
