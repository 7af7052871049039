//! PostgreSQL frontend/backend protocol v3.
//!
//! A request is a simple Query (`Q`) or an Execute (`E`) of the extended protocol, whose
//! statement comes from the Parse (`P`) of the statement its portal was bound (`B`) to. The
//! server answers each Execute with a CommandComplete (`C`, its tag gives the rows), an
//! ErrorResponse (`E`, its `C` field the SQLSTATE), an EmptyQueryResponse or a
//! PortalSuspended; a Query gets one CommandComplete per statement; a ReadyForQuery (`Z`)
//! ends the oldest batch (a Query, or the messages up to a Sync). After an error the server
//! skips the rest of the batch: its Executes end at the ReadyForQuery with that error.
//!
//! The startup packets have no type byte (their first byte is the 0 of a length): the
//! StartupMessage is skipped; an SSLRequest or GSSENCRequest is answered by one byte, and
//! `S`/`G` means the rest is encrypted, so the connection is no longer decoded.
//!
//! Truncation: a message cut at the snaplen gives its statement's first bytes. When a
//! client buffer is cut after a Parse or Bind whose Execute is not captured, it counts as
//! one Execute of that statement and a Sync (how drivers send one statement). When a server
//! buffer is cut beyond its messages, the requests waiting end there with status `?`
//! unless an error was seen (the server writes a response whole before it reads on).

use crate::framing::{Framer, Head};
use crate::{sql, text, Chunk, Exchange, MAX_PENDING};
use std::cell::Cell;
use std::collections::{HashMap, VecDeque};

const SSL_REQUEST: u32 = 80877103;
const GSSENC_REQUEST: u32 = 80877104;
const CANCEL_REQUEST: u32 = 80877102;
const PROTOCOL_3: u32 = 196608;
/// Named statements and portals remembered per connection.
const MAX_NAMES: usize = 512;

const CLIENT_TYPES: &[u8] = b"QPBEDSCHXFdcfp";
const SERVER_TYPES: &[u8] = b"RSKZCDTEINntsA123dcGHWfVv";

struct Req {
    ts: u64,
    op: String,
    target: String,
    batch: u64,
    extended: bool,
    bytes: u64,
    response_bytes: u64,
    rows: Option<u64>,
    error: Option<String>,
    /// An Execute's own answer has come (the batch's ReadyForQuery may still be ahead).
    answered: bool,
}

#[derive(Default)]
pub(crate) struct Conn {
    client: Framer,
    server: Framer,
    /// The client asked for TLS or GSS encryption: the server's next byte is the answer.
    encryption_asked: bool,
    encrypted: bool,
    /// Statement text (normalised) by name, and the statement each portal was bound to.
    statements: HashMap<Vec<u8>, (String, String)>,
    portals: HashMap<Vec<u8>, Vec<u8>>,
    /// The batch the client is sending (Syncs and Queries so far).
    batch: u64,
    /// The statement of the last Parse or Bind of the batch with no Execute after it.
    unexecuted: Option<(u64, String, String, u64)>,
    pending: VecDeque<Req>,
}

fn cstr(b: &[u8]) -> (&[u8], &[u8]) {
    match b.iter().position(|&c| c == 0) {
        Some(i) => (&b[..i], &b[i + 1..]),
        None => (b, &[]),
    }
}

fn typed_head(b: &[u8], types: &[u8]) -> Head {
    if b.len() < 5 {
        return if b.is_empty() || types.contains(&b[0]) { Head::Need } else { Head::Bad };
    }
    let len = u32::from_be_bytes([b[1], b[2], b[3], b[4]]);
    if !types.contains(&b[0]) || !(4..=1 << 30).contains(&len) {
        return Head::Bad;
    }
    Head::Len(len as u64 + 1)
}

fn client_head(b: &[u8]) -> Head {
    match b.first() {
        None => Head::Need,
        // A startup packet: a length (whose first byte is 0 for any sane one) and a code.
        Some(0) => {
            if b.len() < 8 {
                return Head::Need;
            }
            let len = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
            let code = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
            if (8..=10_000).contains(&len) && matches!(code, SSL_REQUEST | GSSENC_REQUEST | CANCEL_REQUEST | PROTOCOL_3) {
                Head::Len(len as u64)
            } else {
                Head::Bad
            }
        }
        Some(_) => typed_head(b, CLIENT_TYPES),
    }
}

/// A buffer that starts like a message: a known type and a sane length, or a startup packet.
pub fn plausible_client(b: &[u8]) -> bool {
    !matches!(client_head(b), Head::Bad) && b.len() >= 5
}

pub fn plausible_server(b: &[u8]) -> bool {
    !matches!(typed_head(b, SERVER_TYPES), Head::Bad) && b.len() >= 5
}

/// Whether a first client buffer is a startup packet, SSLRequest or GSSENCRequest.
pub fn is_startup(b: &[u8]) -> bool {
    b.first() == Some(&0) && matches!(client_head(b), Head::Len(_))
}

/// The rows a CommandComplete tag reports: its last word for the commands that count.
fn tag_rows(tag: &[u8]) -> Option<u64> {
    let tag = std::str::from_utf8(tag).ok()?;
    let mut words = tag.split(' ');
    let cmd = words.next()?;
    if !matches!(cmd, "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "MERGE" | "COPY" | "FETCH" | "MOVE") {
        return None;
    }
    words.next_back()?.parse().ok()
}

/// The SQLSTATE of an ErrorResponse (its field `C`).
fn sqlstate(mut body: &[u8]) -> String {
    while let Some((&kind, rest)) = body.split_first() {
        if kind == 0 {
            break;
        }
        let (value, rest) = cstr(rest);
        if kind == b'C' {
            return text(value);
        }
        body = rest;
    }
    "?".to_string()
}

impl Conn {
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
            let mut saw_execute_or_sync = false;
            let fed = client.feed(chunk, client_head, plausible_client, |m| {
                saw_execute_or_sync |= self.on_client(m.bytes, m.len, m.ts);
            });
            self.client = client;
            if fed.lost && !saw_execute_or_sync {
                // The Execute and Sync of what was parsed or bound are in the bytes not
                // captured.
                if let Some((_, op, target, bytes)) = self.unexecuted.take() {
                    self.push(Req::new(chunk.ts, op, target, self.batch, true, bytes + chunk.gap()));
                    self.batch += 1;
                }
            }
        } else {
            let mut server = std::mem::take(&mut self.server);
            let asked = Cell::new(self.encryption_asked);
            let head = |b: &[u8]| if asked.get() && matches!(b.first(), Some(b'S' | b'N' | b'G')) { Head::Len(1) } else { typed_head(b, SERVER_TYPES) };
            let fed = server.feed(chunk, head, plausible_server, |m| {
                self.on_server(m.bytes, m.len, chunk.ts, &asked, out);
            });
            self.server = server;
            self.encryption_asked = asked.get();
            if fed.lost {
                // Everything asked before this buffer is answered in it.
                while let Some(r) = self.pending.pop_front() {
                    let status = r.error.clone().unwrap_or_else(|| "?".into());
                    out.push(r.finish(chunk.ts, status));
                }
            }
        }
    }

    fn push(&mut self, r: Req) {
        if self.pending.len() >= MAX_PENDING {
            self.pending.pop_front();
        }
        self.pending.push_back(r);
    }

    /// One client message; true for an Execute or a Sync (the batch is complete).
    fn on_client(&mut self, m: &[u8], len: u64, ts: u64) -> bool {
        let Some(&kind) = m.first() else { return false };
        if kind == 0 {
            if m.len() >= 8 && matches!(u32::from_be_bytes([m[4], m[5], m[6], m[7]]), SSL_REQUEST | GSSENC_REQUEST) {
                self.encryption_asked = true;
            }
            return false;
        }
        let body = m.get(5..).unwrap_or(&[]);
        match kind {
            b'Q' => {
                let stmt = String::from_utf8_lossy(cstr(body).0);
                self.push(Req::new(ts, sql::statement_kind(&stmt), sql::normalize(&stmt), self.batch, false, len));
                self.batch += 1;
                self.unexecuted = None;
                true
            }
            b'P' => {
                let (name, rest) = cstr(body);
                let stmt = String::from_utf8_lossy(cstr(rest).0);
                let entry = (sql::statement_kind(&stmt), sql::normalize(&stmt));
                if self.statements.len() >= MAX_NAMES && !self.statements.contains_key(name) {
                    self.statements.clear();
                }
                // An unnamed statement is parsed to be run at once; a named one is being
                // prepared (PQprepare: Parse and Sync), its Executes come later.
                if name.is_empty() {
                    self.unexecuted = Some((ts, entry.0.clone(), entry.1.clone(), len));
                }
                self.statements.insert(name.to_vec(), entry);
                false
            }
            b'B' => {
                let (portal, rest) = cstr(body);
                let (stmt, _) = cstr(rest);
                if self.portals.len() >= MAX_NAMES && !self.portals.contains_key(portal) {
                    self.portals.clear();
                }
                self.portals.insert(portal.to_vec(), stmt.to_vec());
                let (op, target) = self.statements.get(stmt).cloned().unwrap_or_else(|| ("EXECUTE".into(), "?".into()));
                let bytes = self.unexecuted.take().map_or(0, |u| u.3) + len;
                self.unexecuted = Some((ts, op, target, bytes));
                false
            }
            b'E' => {
                let (portal, _) = cstr(body);
                let (op, target) = self
                    .portals
                    .get(portal)
                    .and_then(|s| self.statements.get(s))
                    .cloned()
                    .unwrap_or_else(|| ("EXECUTE".into(), "?".into()));
                let (ts, bytes) = match self.unexecuted.take() {
                    Some(u) => (u.0, u.3 + len),
                    None => (ts, len),
                };
                self.push(Req::new(ts, op, target, self.batch, true, bytes));
                true
            }
            b'S' => {
                self.batch += 1;
                self.unexecuted = None;
                true
            }
            _ => false,
        }
    }

    fn on_server(&mut self, m: &[u8], len: u64, ts: u64, asked: &Cell<bool>, out: &mut Vec<Exchange>) {
        let Some(&kind) = m.first() else { return };
        if len == 1 && asked.get() {
            asked.set(false);
            self.encrypted = matches!(kind, b'S' | b'G');
            return;
        }
        let body = m.get(5..).unwrap_or(&[]);
        // The request this message answers: the oldest one not answered yet.
        let current = self.pending.iter_mut().find(|r| !r.answered);
        match (kind, current) {
            (b'Z', _) => {
                let Some(batch) = self.pending.front().map(|r| r.batch) else { return };
                while self.pending.front().is_some_and(|r| r.batch == batch) {
                    let Some(mut r) = self.pending.pop_front() else { break };
                    if !r.answered {
                        r.response_bytes += len;
                    }
                    let status = r.error.clone().unwrap_or_else(|| "OK".into());
                    out.push(r.finish(ts, status));
                }
            }
            (_, None) => {}
            (b'C', Some(r)) => {
                r.response_bytes += len;
                if let Some(n) = tag_rows(cstr(body).0) {
                    // A Query of several statements: the rows of all of them.
                    r.rows = Some(r.rows.unwrap_or(0) + n);
                }
                r.answered |= r.extended;
            }
            (b'E', Some(r)) => {
                r.response_bytes += len;
                r.error = Some(sqlstate(body));
                // The rest of the batch is skipped: every Execute in it ends with this error.
                let batch = r.batch;
                let code = r.error.clone();
                for other in self.pending.iter_mut().filter(|o| o.batch == batch) {
                    other.answered = other.extended;
                    if other.error.is_none() {
                        other.error = code.clone();
                    }
                }
            }
            (b'I' | b's', Some(r)) => {
                r.response_bytes += len;
                r.answered |= r.extended;
            }
            (_, Some(r)) => r.response_bytes += len,
        }
    }
}

impl Req {
    fn new(ts: u64, op: String, target: String, batch: u64, extended: bool, bytes: u64) -> Req {
        Req { ts, op, target, batch, extended, bytes, response_bytes: 0, rows: None, error: None, answered: false }
    }

    fn finish(self, end: u64, status: String) -> Exchange {
        Exchange {
            ts_ns: self.ts,
            end_ns: end,
            operation: self.op,
            target: self.target,
            error: self.error.is_some(),
            status,
            request_bytes: self.bytes,
            response_bytes: self.response_bytes,
            rows: self.rows,
        }
    }
}
