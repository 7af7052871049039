//! MySQL / MariaDB client/server protocol.
//!
//! Every packet has a 3-byte length and a sequence number; a command is a client packet of
//! sequence 0 (the handshake's client packets count from 1). One command is in flight at a
//! time: its response is an OK (affected rows), an ERR (error number), or a result set
//! (column count, column definitions, an EOF unless both ends agreed on
//! CLIENT_DEPRECATE_EOF, one packet per row, then an EOF or OK whose first byte is 0xFE).
//! COM_STMT_PREPARE's OK gives the statement id that COM_STMT_EXECUTE names, so an
//! execution is shown with the prepared statement's text.
//!
//! The handshake is skipped; its capability flags say whether the intermediate EOF is sent
//! and whether the client switched to TLS (then nothing more is decoded). A connection seen
//! after its handshake is read as if the EOF were sent; a row packet starting with 0xFE is
//! at least 9 bytes long, so a short 0xFE packet ends the rows either way.
//!
//! Truncation: a packet cut at the snaplen is read from its first bytes and its rest is
//! skipped. A server buffer cut beyond its packets ends the command in flight there, with
//! status `?` and the rows counted so far.

use crate::framing::{Framer, Head};
use crate::{sql, text, Chunk, Exchange};
use std::collections::HashMap;

const CLIENT_SSL: u32 = 0x0800;
const CLIENT_DEPRECATE_EOF: u32 = 0x0100_0000;
const MAX_STATEMENTS: usize = 512;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for the response's first packet.
    First,
    /// Column definitions still to come.
    Columns(u64),
    /// The EOF after the column definitions.
    ColumnsEof,
    Rows,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Query,
    Prepare,
    Other,
}

struct Cmd {
    ts: u64,
    kind: Kind,
    op: String,
    target: String,
    bytes: u64,
    response_bytes: u64,
    rows: u64,
    phase: Phase,
}

#[derive(Default)]
pub(crate) struct Conn {
    client: Framer,
    server: Framer,
    server_caps: Option<u32>,
    client_caps: Option<u32>,
    encrypted: bool,
    statements: HashMap<u32, (String, String)>,
    cmd: Option<Cmd>,
}

fn head(b: &[u8]) -> Head {
    if b.len() < 4 {
        return Head::Need;
    }
    Head::Len(u32::from_le_bytes([b[0], b[1], b[2], 0]) as u64 + 4)
}

/// Commands this decoder knows, by their first byte.
fn command_name(c: u8) -> Option<&'static str> {
    Some(match c {
        0x01 => "QUIT",
        0x02 => "USE",
        0x03 => "QUERY",
        0x04 => "FIELD_LIST",
        0x07 => "REFRESH",
        0x08 => "SHUTDOWN",
        0x09 => "STATISTICS",
        0x0d => "DEBUG",
        0x0e => "PING",
        0x11 => "CHANGE_USER",
        0x16 => "PREPARE",
        0x17 => "EXECUTE",
        0x18 => "SEND_LONG_DATA",
        0x19 => "CLOSE",
        0x1a => "RESET",
        0x1b => "SET_OPTION",
        0x1c => "FETCH",
        0x1f => "RESET_CONNECTION",
        _ => return None,
    })
}

/// A client buffer that starts like a command: sequence 0 and a known command byte.
pub fn plausible_client(b: &[u8]) -> bool {
    b.len() >= 5 && b[3] == 0 && command_name(b[4]).is_some()
}

/// A server buffer that starts like a response's first packet or the server's greeting.
pub fn plausible_server(b: &[u8]) -> bool {
    b.len() >= 5 && (b[3] != 0 || is_greeting(b))
}

/// The server's first packet: protocol 10 and a version string.
pub fn is_greeting(b: &[u8]) -> bool {
    if b.len() < 6 || b[3] != 0 || b[4] != 10 {
        return false;
    }
    let version = &b[5..];
    let end = version.iter().position(|&c| c == 0).unwrap_or(version.len());
    end > 0 && version[..end].iter().all(|c| c.is_ascii_graphic())
}

/// A length-encoded integer and the bytes after it.
fn lenenc(b: &[u8]) -> Option<(u64, &[u8])> {
    let (&first, rest) = b.split_first()?;
    let n = match first {
        0..=0xfa => return Some((first as u64, rest)),
        0xfc => 2,
        0xfd => 3,
        0xfe => 8,
        _ => return None,
    };
    let bytes = rest.get(..n)?;
    let mut v = [0u8; 8];
    v[..n].copy_from_slice(bytes);
    Some((u64::from_le_bytes(v), &rest[n..]))
}

impl Conn {
    fn deprecate_eof(&self) -> bool {
        match (self.client_caps, self.server_caps) {
            (Some(c), Some(s)) => c & s & CLIENT_DEPRECATE_EOF != 0,
            (Some(c), None) => c & CLIENT_DEPRECATE_EOF != 0,
            _ => false,
        }
    }

    pub fn on_chunk(&mut self, from_client: bool, chunk: Chunk, out: &mut Vec<Exchange>) {
        if self.encrypted {
            return;
        }
        if from_client {
            self.server.peer_spoke();
        } else {
            self.client.peer_spoke();
        }
        if from_client {
            let mut client = std::mem::take(&mut self.client);
            client.feed(chunk, head, plausible_client, |m| self.on_client(m.bytes, m.len, m.ts));
            self.client = client;
        } else {
            let mut server = std::mem::take(&mut self.server);
            let fed = server.feed(chunk, head, plausible_server, |m| self.on_server(m.bytes, m.len, chunk.ts, out));
            self.server = server;
            if fed.lost {
                if let Some(c) = self.cmd.take() {
                    let rows = (c.phase == Phase::Rows).then_some(c.rows);
                    out.push(c.finish(chunk.ts, "?".into(), false, rows));
                }
            }
        }
    }

    fn on_client(&mut self, m: &[u8], len: u64, ts: u64) {
        if m.len() < 5 {
            return;
        }
        let (seq, payload) = (m[3], &m[4..]);
        if seq != 0 {
            // The handshake response (sequence 1): its capability flags.
            if seq == 1 && self.client_caps.is_none() && payload.len() >= 4 {
                let caps = u32::from_le_bytes([payload[0], payload[1], payload[2], payload[3]]);
                self.client_caps = Some(caps);
                // An SSL request is the flags alone (32 bytes); TLS follows.
                if caps & CLIENT_SSL != 0 && len == 36 {
                    self.encrypted = true;
                }
            }
            return;
        }
        let Some(name) = command_name(payload[0]) else { return };
        let body = &payload[1..];
        let (kind, op, target) = match payload[0] {
            0x03 => {
                let stmt = String::from_utf8_lossy(body);
                (Kind::Query, sql::statement_kind(&stmt), sql::normalize(&stmt))
            }
            0x16 => {
                let stmt = String::from_utf8_lossy(body);
                (Kind::Prepare, "PREPARE".to_string(), sql::normalize(&stmt))
            }
            0x17 => {
                let id = body.get(..4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                let (op, target) = id.and_then(|id| self.statements.get(&id).cloned()).unwrap_or_else(|| ("EXECUTE".into(), "?".into()));
                (Kind::Query, op, target)
            }
            0x19 => {
                if let Some(b) = body.get(..4) {
                    self.statements.remove(&u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                }
                return;
            }
            // No response to these.
            0x01 | 0x18 => return,
            0x02 => (Kind::Other, name.to_string(), text(body)),
            _ => (Kind::Other, name.to_string(), String::new()),
        };
        // A command while one is in flight replaces it: the first one's end was not seen.
        self.cmd = Some(Cmd { ts, kind, op, target, bytes: len, response_bytes: 0, rows: 0, phase: Phase::First });
    }

    fn on_server(&mut self, m: &[u8], len: u64, ts: u64, out: &mut Vec<Exchange>) {
        if m.len() < 5 {
            return;
        }
        let (seq, payload) = (m[3], &m[4..]);
        if seq == 0 && is_greeting(m) {
            // The greeting: version string, then connection id, scramble and the flags.
            let rest = &payload[1..];
            let after_version = rest.iter().position(|&c| c == 0).map(|i| &rest[i + 1..]);
            if let Some(r) = after_version.filter(|r| r.len() >= 15) {
                let low = u16::from_le_bytes([r[13], r[14]]) as u32;
                let high = r.get(18..20).map_or(0, |h| u16::from_le_bytes([h[0], h[1]]) as u32);
                self.server_caps = Some(low | (high << 16));
            }
            return;
        }
        let deprecate_eof = self.deprecate_eof();
        let Some(cmd) = self.cmd.as_mut() else { return };
        cmd.response_bytes += len;
        let first = payload[0];
        let is_eof = first == 0xfe && len < 4 + 9;
        match cmd.phase {
            Phase::First => match first {
                0x00 => {
                    let Some(c) = self.cmd.take() else { return };
                    if c.kind == Kind::Prepare {
                        if let Some(b) = payload.get(1..5) {
                            let id = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                            if self.statements.len() >= MAX_STATEMENTS {
                                self.statements.clear();
                            }
                            self.statements.insert(id, (sql::statement_kind(&c.target), c.target.clone()));
                        }
                        out.push(c.finish(ts, "OK".into(), false, None));
                    } else {
                        let rows = lenenc(&payload[1..]).map(|(n, _)| n);
                        out.push(c.finish(ts, "OK".into(), false, rows));
                    }
                }
                0xff => {
                    let code = payload.get(1..3).map_or("?".to_string(), |b| u16::from_le_bytes([b[0], b[1]]).to_string());
                    if let Some(c) = self.cmd.take() {
                        out.push(c.finish(ts, code, true, None));
                    }
                }
                0xfe if is_eof => {
                    if let Some(c) = self.cmd.take() {
                        out.push(c.finish(ts, "OK".into(), false, None));
                    }
                }
                _ => match lenenc(payload) {
                    Some((n, _)) if n > 0 => cmd.phase = Phase::Columns(n),
                    _ => {
                        if let Some(c) = self.cmd.take() {
                            out.push(c.finish(ts, "OK".into(), false, None));
                        }
                    }
                },
            },
            Phase::Columns(left) => {
                if is_eof {
                    cmd.phase = Phase::Rows;
                } else if left <= 1 {
                    cmd.phase = if deprecate_eof { Phase::Rows } else { Phase::ColumnsEof };
                } else {
                    cmd.phase = Phase::Columns(left - 1);
                }
            }
            Phase::ColumnsEof => {
                cmd.phase = Phase::Rows;
                if !is_eof {
                    // No intermediate EOF after all: this is a row.
                    cmd.rows += 1;
                }
            }
            Phase::Rows => {
                if first == 0xff {
                    let code = payload.get(1..3).map_or("?".to_string(), |b| u16::from_le_bytes([b[0], b[1]]).to_string());
                    if let Some(c) = self.cmd.take() {
                        let rows = Some(c.rows);
                        out.push(c.finish(ts, code, true, rows));
                    }
                } else if is_eof {
                    if let Some(c) = self.cmd.take() {
                        let rows = Some(c.rows);
                        out.push(c.finish(ts, "OK".into(), false, rows));
                    }
                } else {
                    cmd.rows += 1;
                }
            }
        }
    }
}

impl Cmd {
    fn finish(self, end: u64, status: String, error: bool, rows: Option<u64>) -> Exchange {
        Exchange {
            ts_ns: self.ts,
            end_ns: end,
            operation: self.op,
            target: self.target,
            status,
            error,
            request_bytes: self.bytes,
            response_bytes: self.response_bytes,
            rows,
        }
    }
}
