//! HTTP/2 (RFC 9113) with HPACK, and gRPC on it.
//!
//! Each direction of a connection is a sequence of frames (a 9-octet header: length, type,
//! flags, stream id). The client's starts with the preface `PRI * HTTP/2.0…`, either as the
//! connection's first bytes (prior knowledge, or TLS's ALPN `h2` when the plaintext is
//! seen) or after an HTTP/1.1 `Upgrade: h2c` answered `101` (the request that asked for
//! the upgrade is then stream 1). Requests are streams: a stream starts with the client's
//! HEADERS, its response is the server's HEADERS, DATA and trailing HEADERS on the same
//! stream id, and it ends at the server's END_STREAM flag or a RST_STREAM from either side.
//! Streams run concurrently on one connection and are paired by id, not by order.
//!
//! HTTP/2: operation = `:method`, target = `:path`, status = `:status`; an error is a 5xx
//! or a stream reset (status: the reset's error code, `CANCEL`, `REFUSED_STREAM`, …).
//!
//! gRPC: a request whose `content-type` (request or response) is `application/grpc…` is
//! [`Proto::Grpc`]; operation and target = the method path (`/pkg.Service/Method`); status
//! = the name of `grpc-status` from the trailers (or a Trailers-Only response): `OK` for 0,
//! else `NOT_FOUND`, `UNAVAILABLE`, …, an error. Without `grpc-status` a non-200 `:status`
//! is the status. Streaming calls (client, server, bidirectional) are one request per
//! stream; `rows` counts the messages of the response (the 5-octet length prefixes found in
//! its DATA), when every DATA frame of the response was captured whole.
//!
//! Truncation (the snaplen keeps the first bytes of each read or write):
//!
//! * A frame cut at the snaplen is followed by its declared length; the next frame is found
//!   where it starts. A frame header in bytes not captured loses the direction's framing
//!   until a buffer starts with a plausible frame header (HTTP/2 stacks write whole frames,
//!   so a call's first bytes are a frame's first bytes).
//! * A header block (HEADERS, CONTINUATION, PUSH_PROMISE) cut at the snaplen, or frames lost
//!   with the framing, desynchronise that direction's HPACK dynamic table. The fields
//!   decoded before the cut stand (pseudo-headers come first, so a cut block usually still
//!   gives its `:method`, `:path` or `:status`); from then on references into the part of
//!   the table that is no longer known give unknown fields, never guessed ones (see
//!   the `hpack` module), and the table is trusted again once it provably holds only entries
//!   seen since. Streams are still counted from their frame headers: a stream whose request
//!   headers are unknown has operation and target `?`; one whose status is unknown has
//!   status `?`. A response on a stream whose request was not seen (its HEADERS lost) is
//!   counted with request `?`.
//! * When the server's framing is lost, streams waiting then may have ended unseen: each is
//!   ended with status `?` as soon as a stream opened after it completes while it has shown
//!   no frame since the loss.
//!
//! * A connection whose client did not start with the preface (its protocol named by its
//!   port, or opened before the observer) starts with both tables unknown.
//! * A connection on which a stream was seen to be gRPC counts its streams whose
//!   content-type could not be decoded as gRPC too (a channel carries one kind of call).
//! * A response whose status was seen is ended where the server's framing is lost; one on
//!   a connection that shows no later stream (an h2c upgrade's only response cut inside the
//!   `101` write, say) is not counted.
//!
//! What gRPC needs (measured on tests/data/grpc.rec, grpcio 1.85): every header block and
//! DATA frame decodes from a snaplen of 311 octets, the header blocks alone from 269 (the
//! largest write carrying one: the client's first, with the preface, SETTINGS and the first
//! call's HEADERS, whose fields are all new literals); later calls' blocks are a few dozen
//! octets, mostly indices. Below that the first block is cut, the table loses step for the
//! connection's life (grpcio indexes every field and then only refers to them) and calls
//! are counted with method or status `?`. A server that reads several concurrent calls in
//! one call needs their sum: the live test (crates/kinsight/tests/grpc.rs) saw a server
//! read of about a kilobyte lose 4 of 37 methods at 512 and none at 4095. At the live
//! default of 80 every call is still counted.

use crate::framing::{Framer, Head};
use crate::hpack;
use crate::{text, Chunk, Exchange, Proto, MAX_PENDING};
use std::collections::HashMap;

pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// A header block (HEADERS and its CONTINUATIONs) longer than this is decoded from its
/// first bytes, as if cut (real blocks are a few hundred octets; the limit bounds memory).
const MAX_BLOCK: usize = 64 * 1024;

/// The frame size a peer may send before SETTINGS_MAX_FRAME_SIZE raises it.
const DEFAULT_FRAME: u32 = 16_384;

const DATA: u8 = 0x0;
const HEADERS: u8 = 0x1;
const PRIORITY: u8 = 0x2;
const RST_STREAM: u8 = 0x3;
const SETTINGS: u8 = 0x4;
const PUSH_PROMISE: u8 = 0x5;
const PING: u8 = 0x6;
const GOAWAY: u8 = 0x7;
const WINDOW_UPDATE: u8 = 0x8;
const CONTINUATION: u8 = 0x9;

const END_STREAM: u8 = 0x1;
const END_HEADERS: u8 = 0x4;
const PADDED: u8 = 0x8;
const PRIORITY_FLAG: u8 = 0x20;

/// The length a frame header declares for the whole frame, or why it is none.
fn frame_head(b: &[u8]) -> Head {
    if b.len() < 9 {
        return Head::Need;
    }
    let len = u32::from_be_bytes([0, b[0], b[1], b[2]]);
    let fixed = match b[3] {
        PRIORITY => len == 5,
        RST_STREAM | WINDOW_UPDATE => len == 4,
        PING => len == 8,
        SETTINGS => len.is_multiple_of(6),
        GOAWAY => len >= 8,
        _ => true,
    };
    if fixed {
        Head::Len(9 + len as u64)
    } else {
        Head::Bad
    }
}

/// Whether a buffer starts like a frame an HTTP/2 stack would write: a known type with only
/// its own flags, on the stream kind it belongs to, within the frame size allowed. Used to
/// pick the stream up again after bytes were lost, so stricter than `frame_head`.
pub fn plausible_frame(b: &[u8], max_frame: u32) -> bool {
    if b.len() < 9 {
        return false;
    }
    let len = u32::from_be_bytes([0, b[0], b[1], b[2]]);
    let (kind, flags) = (b[3], b[4]);
    let stream = u32::from_be_bytes([b[5], b[6], b[7], b[8]]);
    if stream >> 31 != 0 || len > max_frame || !matches!(frame_head(b), Head::Len(_)) {
        return false;
    }
    let (allowed, on_stream0) = match kind {
        DATA => (END_STREAM | PADDED, false),
        HEADERS => (END_STREAM | END_HEADERS | PADDED | PRIORITY_FLAG, false),
        PRIORITY => (0, false),
        RST_STREAM => (0, false),
        SETTINGS => (1, true),
        PUSH_PROMISE => (END_HEADERS | PADDED, false),
        PING => (1, true),
        GOAWAY => (0, true),
        WINDOW_UPDATE => (0, stream == 0),
        CONTINUATION => (END_HEADERS, false),
        _ => return false,
    };
    flags & !allowed == 0 && (stream == 0) == on_stream0
}

fn client_head(b: &[u8]) -> Head {
    if b.first() == Some(&b'P') {
        if b.len() < PREFACE.len() && PREFACE.starts_with(b) {
            return Head::Need;
        }
        if b.starts_with(PREFACE) {
            return Head::Len(PREFACE.len() as u64);
        }
    }
    frame_head(b)
}

/// The name of an RST_STREAM or GOAWAY error code (RFC 9113 §7).
fn error_name(code: u32) -> String {
    const NAMES: [&str; 14] = [
        "NO_ERROR",
        "PROTOCOL_ERROR",
        "INTERNAL_ERROR",
        "FLOW_CONTROL_ERROR",
        "SETTINGS_TIMEOUT",
        "STREAM_CLOSED",
        "FRAME_SIZE_ERROR",
        "REFUSED_STREAM",
        "CANCEL",
        "COMPRESSION_ERROR",
        "CONNECT_ERROR",
        "ENHANCE_YOUR_CALM",
        "INADEQUATE_SECURITY",
        "HTTP_1_1_REQUIRED",
    ];
    NAMES
        .get(code as usize)
        .map_or_else(|| format!("0x{code:x}"), |n| n.to_string())
}

/// The name of a gRPC status code (grpc/doc/statuscodes.md).
pub fn grpc_status_name(code: &str) -> String {
    const NAMES: [&str; 17] = [
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    ];
    code.parse::<usize>()
        .ok()
        .and_then(|c| NAMES.get(c))
        .map_or_else(|| text(code.as_bytes()), |n| n.to_string())
}

/// Counts gRPC messages in a stream's DATA: each is a 1-octet flag and a 4-octet length,
/// then that many octets, and may span frames.
#[derive(Debug, Default)]
struct Messages {
    count: u64,
    /// Octets of the current message still to come.
    left: u64,
    /// The prefix octets of the next message seen so far.
    prefix: [u8; 5],
    have: u8,
    /// A DATA frame was not captured whole: the count is unknown.
    lost: bool,
}

impl Messages {
    fn feed(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            if self.left > 0 {
                let n = self.left.min(data.len() as u64);
                self.left -= n;
                data = &data[n as usize..];
                continue;
            }
            let n = (5 - self.have as usize).min(data.len());
            self.prefix[self.have as usize..self.have as usize + n].copy_from_slice(&data[..n]);
            self.have += n as u8;
            data = &data[n..];
            if self.have == 5 {
                self.count += 1;
                self.left = u32::from_be_bytes([
                    self.prefix[1],
                    self.prefix[2],
                    self.prefix[3],
                    self.prefix[4],
                ]) as u64;
                self.have = 0;
            }
        }
    }
}

/// The fields of a header block that matter here.
#[derive(Debug, Default)]
struct Heads {
    method: Option<String>,
    path: Option<String>,
    status: Option<String>,
    grpc: bool,
    grpc_status: Option<String>,
    unknown: bool,
}

impl Heads {
    fn take(&mut self, f: hpack::Field) {
        let (Some(name), Some(value)) = (f.name, f.value) else {
            return;
        };
        match name {
            b":method" => self.method = Some(text(value)),
            b":path" => self.path = Some(text(value)),
            b":status" => self.status = Some(text(value)),
            b"content-type" => self.grpc |= value.starts_with(b"application/grpc"),
            b"grpc-status" => self.grpc_status = Some(text(value)),
            _ => {}
        }
    }
}

#[derive(Debug, Default)]
struct Stream {
    id: u32,
    ts: u64,
    method: Option<String>,
    path: Option<String>,
    grpc: bool,
    status: Option<String>,
    grpc_status: Option<String>,
    request_bytes: u64,
    response_bytes: u64,
    messages: Messages,
    /// The server's framing was lost while this stream waited, and it has shown no frame
    /// since.
    uncertain: bool,
    /// Some field of its header blocks could not be decoded.
    unknown_fields: bool,
}

/// The ids of the streams counted last. Stream ids only grow, but frames lost at the
/// snaplen leave gaps: a response may come for a stream whose request was never seen, after
/// higher streams were counted, so "below the highest" does not mean "counted".
#[derive(Debug, Default)]
struct Done {
    set: std::collections::HashSet<u32>,
    order: std::collections::VecDeque<u32>,
    /// The highest id forgotten: at or below it, a stream not waiting counts as done.
    floor: u32,
}

impl Done {
    fn add(&mut self, id: u32) {
        if self.set.insert(id) {
            self.order.push_back(id);
            if self.order.len() > MAX_PENDING {
                let old = self.order.pop_front().unwrap_or(0);
                self.set.remove(&old);
                self.floor = self.floor.max(old);
            }
        }
    }

    fn has(&self, id: u32) -> bool {
        id <= self.floor || self.set.contains(&id)
    }
}

/// A header block being put together from HEADERS and CONTINUATION frames.
#[derive(Debug)]
struct Block {
    stream: u32,
    ts: u64,
    bytes: Vec<u8>,
    end_stream: bool,
    /// Some fragment was cut: decode what there is, then the table is out of step.
    cut: bool,
    /// A PUSH_PROMISE's block: decoded for the table's sake only.
    promise: bool,
    /// Octets of its frames, headers included.
    frames: u64,
}

#[derive(Debug)]
struct Dir {
    framer: Framer,
    hpack: hpack::Decoder,
    block: Option<Block>,
    /// The largest frame this direction's sender may send (the receiver's
    /// SETTINGS_MAX_FRAME_SIZE).
    max_frame: u32,
}

impl Default for Dir {
    fn default() -> Self {
        Dir {
            framer: Framer::default(),
            hpack: hpack::Decoder::default(),
            block: None,
            max_frame: DEFAULT_FRAME,
        }
    }
}

/// What a direction's SETTINGS say of the other direction.
enum Setting {
    TableSize(u32),
    MaxFrame(u32),
}

#[derive(Debug, Default)]
pub(crate) struct Conn {
    client: Dir,
    server: Dir,
    streams: HashMap<u32, Stream>,
    /// Streams already counted (or given up), so that a late frame opens none again.
    done: Done,
    /// The client sent data: whether its first bytes were the preface is known.
    client_started: bool,
    /// A stream of this connection was gRPC: one whose content-type could not be decoded
    /// is gRPC too (a channel carries one kind of traffic).
    grpc_seen: bool,
}

impl Conn {
    /// A connection that turned to HTTP/2 after an HTTP/1.1 `Upgrade: h2c` request, which
    /// becomes stream 1 (RFC 7540 §3.2; RFC 9113 deprecates the upgrade but servers still
    /// offer it).
    pub fn upgraded(ts: u64, method: String, path: String, request_bytes: u64) -> Conn {
        let mut c = Conn::default();
        c.streams.insert(
            1,
            Stream {
                id: 1,
                ts,
                method: Some(method),
                path: Some(path),
                request_bytes,
                ..Stream::default()
            },
        );
        c
    }

    pub fn on_chunk(&mut self, from_client: bool, chunk: Chunk, out: &mut Vec<(Proto, Exchange)>) {
        if from_client && !self.client_started && !chunk.data.is_empty() {
            self.client_started = true;
            if !chunk.data.starts_with(&PREFACE[..chunk.data.len().min(PREFACE.len())]) {
                // Joined mid-connection (a port named for HTTP/2 or gRPC, a connection
                // older than the observer): both tables hold entries never seen.
                self.client.hpack.lose_step();
                self.server.hpack.lose_step();
            }
        }
        let (dir, other) = if from_client {
            (&mut self.client, &mut self.server)
        } else {
            (&mut self.server, &mut self.client)
        };
        let Dir {
            framer,
            hpack,
            block,
            max_frame,
        } = dir;
        let max_frame = *max_frame;
        let mut settings = Vec::new();
        let mut ctx = Frames {
            from_client,
            hpack,
            block,
            streams: &mut self.streams,
            done: &mut self.done,
            grpc_seen: &mut self.grpc_seen,
            settings: &mut settings,
            out,
            ts: chunk.ts,
        };
        let head = if from_client { client_head } else { frame_head };
        let plausible = |b: &[u8]| {
            plausible_frame(b, max_frame.max(DEFAULT_FRAME))
                || (from_client
                    && b.starts_with(&PREFACE[..b.len().min(PREFACE.len())])
                    && b.len() >= 3)
        };
        let fed = framer.feed(chunk, head, plausible, |m| ctx.frame(m.bytes, m.len, m.ts));
        if fed.lost {
            // Frames went by unseen, header blocks perhaps among them.
            ctx.hpack.lose_step();
            *ctx.block = None;
            if !from_client {
                ctx.server_lost();
            }
        }
        for s in settings {
            match s {
                // The sender's limits apply to what the other direction sends.
                Setting::TableSize(n) => other.hpack.set_limit(n),
                Setting::MaxFrame(n) => other.max_frame = n,
            }
        }
    }
}

struct Frames<'a> {
    from_client: bool,
    hpack: &'a mut hpack::Decoder,
    block: &'a mut Option<Block>,
    streams: &'a mut HashMap<u32, Stream>,
    done: &'a mut Done,
    grpc_seen: &'a mut bool,
    settings: &'a mut Vec<Setting>,
    out: &'a mut Vec<(Proto, Exchange)>,
    ts: u64,
}

impl Frames<'_> {
    /// One frame, whole or its captured start (`bytes` shorter than `len`).
    fn frame(&mut self, bytes: &[u8], len: u64, ts: u64) {
        if bytes.len() < 9 {
            // The client's preface, or a frame cut inside its header (the framer only hands
            // those over when bytes beyond were captured, which cannot be here).
            return;
        }
        let cut = (bytes.len() as u64) < len;
        let kind = bytes[3];
        let flags = bytes[4];
        let stream = u32::from_be_bytes([bytes[5], bytes[6], bytes[7], bytes[8]]) & 0x7fff_ffff;
        let payload = &bytes[9..];
        if self.block.is_some() && kind != CONTINUATION {
            // A block whose CONTINUATION never came (RFC 9113 forbids it): decode what came.
            self.finish_block();
        }
        if stream != 0 {
            if let Some(s) = self.streams.get_mut(&stream) {
                if !self.from_client {
                    s.uncertain = false;
                }
                if self.from_client {
                    s.request_bytes += len;
                } else {
                    s.response_bytes += len;
                }
            }
        }
        match kind {
            HEADERS | PUSH_PROMISE => {
                let Some(fragment) = fragment(kind, flags, payload, cut) else {
                    // Not even the padding and priority fields were captured.
                    self.hpack.lose_step();
                    return;
                };
                let promise = kind == PUSH_PROMISE;
                if !promise && !self.from_client && stream % 2 == 1 {
                    self.response_seen(stream, ts, len);
                }
                let mut bytes = fragment.to_vec();
                bytes.truncate(MAX_BLOCK);
                let cut = cut || fragment.len() > MAX_BLOCK;
                *self.block = Some(Block {
                    stream,
                    ts,
                    bytes,
                    end_stream: flags & END_STREAM != 0 && !promise,
                    cut,
                    promise,
                    frames: len,
                });
                if flags & END_HEADERS != 0 || cut {
                    self.finish_block();
                }
            }
            CONTINUATION => {
                let Some(b) = self.block.as_mut() else {
                    // Its HEADERS was not seen: the block cannot be decoded.
                    self.hpack.lose_step();
                    return;
                };
                let room = MAX_BLOCK - b.bytes.len();
                b.bytes
                    .extend_from_slice(&payload[..payload.len().min(room)]);
                b.cut |= cut || payload.len() > room;
                b.frames += len;
                if flags & END_HEADERS != 0 || b.cut {
                    self.finish_block();
                }
            }
            DATA if !self.from_client => {
                if let Some(s) = self.streams.get_mut(&stream) {
                    match data_payload(flags, payload, cut) {
                        Some(d) => s.messages.feed(d),
                        None => s.messages.lost = true,
                    }
                }
                if flags & END_STREAM != 0 {
                    self.end(stream, None);
                }
            }
            RST_STREAM if payload.len() >= 4 => {
                let code = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]);
                self.end(stream, Some(code));
            }
            SETTINGS if flags & 1 == 0 => {
                for s in payload.chunks_exact(6) {
                    let value = u32::from_be_bytes([s[2], s[3], s[4], s[5]]);
                    match u16::from_be_bytes([s[0], s[1]]) {
                        0x1 => self.settings.push(Setting::TableSize(value)),
                        0x5 => self.settings.push(Setting::MaxFrame(value)),
                        _ => {}
                    }
                }
            }
            GOAWAY if payload.len() >= 4 && !cut => {
                // Streams above the last one the sender processed were not processed: the
                // client retries them elsewhere, so they are no requests here.
                let last = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]])
                    & 0x7fff_ffff;
                if !self.from_client {
                    let gone: Vec<u32> = self.streams.keys().copied().filter(|&id| id > last).collect();
                    for id in gone {
                        self.streams.remove(&id);
                        self.done.add(id);
                    }
                }
            }
            _ => {}
        }
    }

    /// The server answers a client stream: one whose request was not seen starts here.
    fn response_seen(&mut self, stream: u32, ts: u64, len: u64) {
        if self.streams.contains_key(&stream) || self.done.has(stream) {
            return;
        }
        self.open(
            stream,
            Stream {
                ts,
                response_bytes: len,
                ..Stream::default()
            },
        );
    }

    fn open(&mut self, id: u32, s: Stream) {
        if self.streams.len() >= MAX_PENDING {
            // A peer that never ends its streams must not grow the state: the oldest goes.
            if let Some(&oldest) = self.streams.keys().min() {
                self.streams.remove(&oldest);
                self.done.add(oldest);
            }
        }
        self.streams.insert(id, Stream { id, ..s });
    }

    fn finish_block(&mut self) {
        let Some(b) = self.block.take() else { return };
        let mut heads = Heads::default();
        // Fields the table could not give stay unknown: never a value guessed.
        let d = self.hpack.decode(&b.bytes, !b.cut, |f| heads.take(f));
        heads.unknown = d.broken || d.unknown > 0;
        *self.grpc_seen |= heads.grpc;
        if b.promise || b.stream == 0 {
            return;
        }
        if self.from_client {
            if b.stream % 2 == 0 {
                return;
            }
            match self.streams.get_mut(&b.stream) {
                // Trailers of the request (client streaming ends with them sometimes).
                Some(_) => {}
                None if !self.done.has(b.stream) => {
                    let s = Stream {
                        ts: b.ts,
                        method: heads.method,
                        path: heads.path,
                        grpc: heads.grpc,
                        request_bytes: b.frames,
                        unknown_fields: heads.unknown,
                        ..Stream::default()
                    };
                    self.open(b.stream, s);
                }
                None => {}
            }
            return;
        }
        if let Some(s) = self.streams.get_mut(&b.stream) {
            s.grpc |= heads.grpc;
            s.unknown_fields |= heads.unknown;
            if let Some(st) = heads.status.filter(|st| !st.starts_with('1')) {
                s.status = Some(st);
            }
            if heads.grpc_status.is_some() {
                s.grpc_status = heads.grpc_status;
            }
        }
        if b.end_stream {
            self.end(b.stream, None);
        }
    }

    /// The server ended `stream`, or either side reset it (`reset`: the error code).
    fn end(&mut self, stream: u32, reset: Option<u32>) {
        let Some(mut s) = self.streams.remove(&stream) else {
            return;
        };
        s.grpc |= *self.grpc_seen && s.unknown_fields;
        let (status, error) = match reset {
            // A reset with NO_ERROR after a response (the server needs no more of the
            // request) is that response's.
            Some(code) if code != 0 || (s.status.is_none() && s.grpc_status.is_none()) => {
                (error_name(code), true)
            }
            _ => match (&s.grpc_status, &s.status) {
                (Some(code), _) if s.grpc => (grpc_status_name(code), code != "0"),
                (_, Some(st)) if !s.grpc || st != "200" => {
                    (st.clone(), st.starts_with('5') || s.grpc)
                }
                _ => ("?".to_string(), false),
            },
        };
        let rows = (s.grpc && !s.messages.lost && s.messages.have == 0).then_some(s.messages.count);
        self.emit(s, status, error, rows);
        // Streams the lost server bytes may have ended: one opened after them completed.
        let stale: Vec<u32> = self
            .streams
            .iter()
            .filter(|(&id, w)| id < stream && w.uncertain)
            .map(|(&id, _)| id)
            .collect();
        for id in stale {
            if let Some(w) = self.streams.remove(&id) {
                let mut w = w;
                w.grpc |= *self.grpc_seen && w.unknown_fields;
                self.emit(w, "?".into(), false, None);
            }
        }
    }

    /// The server's frames were lost beyond a cut: a plain HTTP/2 response whose status
    /// was seen most likely ended there (the rest of its body, or its END_STREAM, went by
    /// in that write), and is ended with it; other waiting streams wait, uncertain.
    fn server_lost(&mut self) {
        let grpc_seen = *self.grpc_seen;
        let done: Vec<u32> = self
            .streams
            .iter()
            .filter(|(_, s)| s.status.is_some() && !s.grpc && !(grpc_seen && s.unknown_fields))
            .map(|(&id, _)| id)
            .collect();
        for id in done {
            if let Some(s) = self.streams.remove(&id) {
                let status = s.status.clone().unwrap_or_default();
                let error = status.starts_with('5');
                self.emit(s, status, error, None);
            }
        }
        for s in self.streams.values_mut() {
            s.uncertain = true;
        }
    }

    fn emit(&mut self, s: Stream, status: String, error: bool, rows: Option<u64>) {
        self.done.add(s.id);
        let unknown = || "?".to_string();
        let path = s.path.unwrap_or_else(unknown);
        let (proto, operation) = if s.grpc {
            (Proto::Grpc, path.clone())
        } else {
            (Proto::Http2, s.method.unwrap_or_else(unknown))
        };
        let x = Exchange {
            ts_ns: s.ts,
            end_ns: self.ts.max(s.ts),
            operation,
            target: path,
            status,
            error,
            request_bytes: s.request_bytes,
            response_bytes: s.response_bytes,
            rows,
        };
        self.out.push((proto, x));
    }
}

/// The header block fragment of a HEADERS or PUSH_PROMISE payload, without padding and
/// priority fields; `None` when they do not fit.
fn fragment(kind: u8, flags: u8, payload: &[u8], cut: bool) -> Option<&[u8]> {
    let mut p = payload;
    let mut pad = 0;
    if flags & PADDED != 0 {
        pad = *p.first()? as usize;
        p = &p[1..];
    }
    let skip = match kind {
        HEADERS if flags & PRIORITY_FLAG != 0 => 5,
        PUSH_PROMISE => 4,
        _ => 0,
    };
    p = p.get(skip..)?;
    if cut {
        // The padding is at the end, beyond what was captured (or partly within it: the
        // block is broken there anyway).
        return Some(p);
    }
    p.get(..p.len().checked_sub(pad)?)
}

/// A DATA payload without its padding; `None` when the frame was cut.
fn data_payload(flags: u8, payload: &[u8], cut: bool) -> Option<&[u8]> {
    if cut {
        return None;
    }
    if flags & PADDED == 0 {
        return Some(payload);
    }
    let pad = *payload.first()? as usize;
    payload[1..].get(..payload.len().checked_sub(1 + pad)?)
}

/// The method and path of an HTTP/1.1 request that asks to upgrade to h2c, from its
/// captured bytes.
pub(crate) fn h2c_request(data: &[u8]) -> Option<(String, String)> {
    let mut lines = data.split(|&c| c == b'\n');
    let first = lines.next()?;
    let mut words = first.split(|&c| c == b' ');
    let method = text(words.next()?);
    let path = text(words.next()?);
    upgrade_h2c(lines).then_some((method, path))
}

/// Whether header lines (up to the blank one) hold `Upgrade: h2c`.
fn upgrade_h2c<'a>(lines: impl Iterator<Item = &'a [u8]>) -> bool {
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if let Some(colon) = line.iter().position(|&c| c == b':') {
            let value = String::from_utf8_lossy(&line[colon + 1..]).to_ascii_lowercase();
            if line[..colon].eq_ignore_ascii_case(b"upgrade")
                && value.split(',').any(|v| v.trim() == "h2c")
            {
                return true;
            }
        }
    }
    false
}

/// A server's `101 Switching Protocols` to h2c: `Some` with where its frames start (`None`
/// when the end of the response's head was not captured).
pub(crate) fn h2c_switch(data: &[u8]) -> Option<Option<usize>> {
    if !data.starts_with(b"HTTP/1.1 101") {
        return None;
    }
    let end = data
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    let head = &data[..end.unwrap_or(data.len())];
    upgrade_h2c(head.split(|&c| c == b'\n').skip(1)).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
        let len = payload.len() as u32;
        let mut f = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
        f.extend_from_slice(&stream.to_be_bytes());
        f.extend_from_slice(payload);
        f
    }

    /// A literal field with incremental indexing and a new name (no Huffman).
    fn lit(name: &str, value: &str) -> Vec<u8> {
        let mut b = vec![0x40, name.len() as u8];
        b.extend_from_slice(name.as_bytes());
        b.push(value.len() as u8);
        b.extend_from_slice(value.as_bytes());
        b
    }

    /// A literal field without indexing whose name is static entry `index` (< 15).
    fn lit_static(index: u8, value: &str) -> Vec<u8> {
        let mut b = vec![index, value.len() as u8];
        b.extend_from_slice(value.as_bytes());
        b
    }

    fn settings() -> Vec<u8> {
        frame(SETTINGS, 0, 0, &[0, 3, 0, 0, 0, 100])
    }

    struct T {
        c: Conn,
        out: Vec<(Proto, Exchange)>,
        ts: u64,
    }

    impl T {
        fn new() -> T {
            T {
                c: Conn::default(),
                out: Vec::new(),
                ts: 0,
            }
        }
        fn send(&mut self, from_client: bool, data: &[u8]) {
            self.cut(from_client, data, data.len());
        }
        /// Sends `data`, of which only the first `keep` bytes are captured.
        fn cut(&mut self, from_client: bool, data: &[u8], keep: usize) {
            self.ts += 10;
            let chunk = Chunk {
                ts: self.ts,
                data: &data[..keep.min(data.len())],
                full_len: data.len() as u64,
            };
            self.c.on_chunk(from_client, chunk, &mut self.out);
        }
        fn summary(&self) -> Vec<String> {
            self.out
                .iter()
                .map(|(p, x)| format!("{p} {} {} {} {}", x.operation, x.target, x.status, x.error))
                .collect()
        }
    }

    fn concat(parts: &[Vec<u8>]) -> Vec<u8> {
        parts.concat()
    }

    #[test]
    fn concurrent_streams_pair_by_id() {
        let mut t = T::new();
        let mut first = PREFACE.to_vec();
        first.extend(settings());
        // Stream 1: GET /a (":path" literal, indexed as 62); stream 3: GET /b.
        first.extend(frame(
            HEADERS,
            END_HEADERS | END_STREAM,
            1,
            &concat(&[vec![0x82, 0x86], lit(":path", "/a")]),
        ));
        first.extend(frame(
            HEADERS,
            END_HEADERS | END_STREAM,
            3,
            &concat(&[vec![0x82, 0x86], lit(":path", "/b")]),
        ));
        t.send(true, &first);
        t.send(false, &settings());
        // Stream 3 answered first: 404; then stream 1: 200 with a body in two DATA frames.
        t.send(false, &frame(HEADERS, END_HEADERS | END_STREAM, 3, &[0x8d]));
        t.send(
            false,
            &concat(&[
                frame(HEADERS, END_HEADERS, 1, &[0x88]),
                frame(DATA, 0, 1, b"hello"),
                frame(DATA, END_STREAM, 1, b"!"),
            ]),
        );
        assert_eq!(
            t.summary(),
            ["http2 GET /b 404 false", "http2 GET /a 200 false"]
        );
        let a = &t.out[1].1;
        assert_eq!(a.response_bytes, 10 + 14 + 10);
        assert!(a.end_ns > a.ts_ns);
        // Stream 5 refers to the dynamic table: "/b" is now 62, "/a" 63.
        t.send(
            true,
            &frame(HEADERS, END_HEADERS | END_STREAM, 5, &[0x82, 0x86, 0xbf]),
        );
        t.send(false, &frame(HEADERS, END_HEADERS | END_STREAM, 5, &[0x8e]));
        assert_eq!(t.summary()[2], "http2 GET /a 500 true");
    }

    fn grpc_request(stream: u32, path: &str) -> Vec<u8> {
        // The static name 1 is :authority: a field the decoder skips.
        let block = concat(&[
            vec![0x83, 0x86],
            lit_static(4, path),
            lit_static(1, "x"),
            lit("content-type", "application/grpc"),
            lit("te", "trailers"),
        ]);
        frame(HEADERS, END_HEADERS, stream, &block)
    }

    fn message(len: u32) -> Vec<u8> {
        let mut m = vec![0];
        m.extend_from_slice(&len.to_be_bytes());
        m.extend(std::iter::repeat_n(7, len as usize));
        m
    }

    #[test]
    fn grpc_unary_streaming_and_an_error_status() {
        let mut t = T::new();
        t.send(
            true,
            &concat(&[
                PREFACE.to_vec(),
                settings(),
                grpc_request(1, "/pkg.Svc/Get"),
                frame(DATA, END_STREAM, 1, &message(3)),
            ]),
        );
        let response_head = frame(
            HEADERS,
            END_HEADERS,
            1,
            &concat(&[vec![0x88], lit("content-type", "application/grpc")]),
        );
        t.send(false, &response_head);
        t.send(false, &frame(DATA, 0, 1, &message(4)));
        t.send(
            false,
            &frame(
                HEADERS,
                END_HEADERS | END_STREAM,
                1,
                &lit("grpc-status", "0"),
            ),
        );
        // A server stream: three messages, the second spanning two DATA frames.
        t.send(
            true,
            &concat(&[
                grpc_request(3, "/pkg.Svc/List"),
                frame(DATA, END_STREAM, 3, &message(0)),
            ]),
        );
        let two = concat(&[message(2), message(6)]);
        t.send(false, &frame(HEADERS, END_HEADERS, 3, &[0x88, 0xbf]));
        t.send(false, &frame(DATA, 0, 3, &two[..9]));
        t.send(false, &frame(DATA, 0, 3, &two[9..]));
        t.send(false, &frame(DATA, 0, 3, &message(1)));
        t.send(false, &frame(HEADERS, END_HEADERS | END_STREAM, 3, &[0xbe]));
        // NOT_FOUND, Trailers-Only: one HEADERS frame.
        t.send(
            true,
            &concat(&[
                grpc_request(5, "/pkg.Svc/Get"),
                frame(DATA, END_STREAM, 5, &message(1)),
            ]),
        );
        t.send(
            false,
            &frame(
                HEADERS,
                END_HEADERS | END_STREAM,
                5,
                &concat(&[
                    vec![0x88, 0xbf],
                    lit("grpc-status", "5"),
                    lit("grpc-message", "no such key"),
                ]),
            ),
        );
        assert_eq!(
            t.summary(),
            [
                "grpc /pkg.Svc/Get /pkg.Svc/Get OK false",
                "grpc /pkg.Svc/List /pkg.Svc/List OK false",
                "grpc /pkg.Svc/Get /pkg.Svc/Get NOT_FOUND true"
            ]
        );
        let rows: Vec<Option<u64>> = t.out.iter().map(|(_, x)| x.rows).collect();
        assert_eq!(rows, [Some(1), Some(3), Some(0)]);
    }

    #[test]
    fn resets_and_goaway() {
        let mut t = T::new();
        t.send(
            true,
            &concat(&[
                PREFACE.to_vec(),
                grpc_request(1, "/s.S/Watch"),
                grpc_request(3, "/s.S/Watch"),
            ]),
        );
        t.send(true, &frame(RST_STREAM, 0, 1, &8u32.to_be_bytes()));
        // GOAWAY: the server processed up to stream 1 only; stream 3 is no request here.
        t.send(false, &frame(GOAWAY, 0, 0, &[0, 0, 0, 1, 0, 0, 0, 0]));
        t.send(false, &frame(HEADERS, END_HEADERS | END_STREAM, 3, &[0x88]));
        assert_eq!(t.summary(), ["grpc /s.S/Watch /s.S/Watch CANCEL true"]);
    }

    #[test]
    fn a_cut_header_block_loses_the_table_not_the_count() {
        let mut t = T::new();
        t.send(
            true,
            &concat(&[
                PREFACE.to_vec(),
                frame(
                    HEADERS,
                    END_HEADERS | END_STREAM,
                    1,
                    &concat(&[
                        vec![0x82, 0x86],
                        lit(":path", "/first"),
                        lit("x-long", &"v".repeat(100)),
                    ]),
                ),
            ]),
        );
        t.send(false, &frame(HEADERS, END_HEADERS | END_STREAM, 1, &[0x88]));
        // Stream 3's block is cut after its :path (an entry the table may or may not hold).
        let block3 = concat(&[
            vec![0x82, 0x86],
            lit(":path", "/second"),
            lit("x-other", &"w".repeat(50)),
        ]);
        let f3 = frame(HEADERS, END_HEADERS | END_STREAM, 3, &block3);
        t.cut(true, &f3, 9 + 2 + 10 + 5);
        t.send(
            false,
            &frame(HEADERS, END_HEADERS | END_STREAM, 3, &lit_static(8, "201")),
        );
        // Stream 5 refers to "/first" by its index: unknown now, so `?`, not a guess.
        t.send(
            true,
            &frame(HEADERS, END_HEADERS | END_STREAM, 5, &[0x82, 0x86, 0xc0]),
        );
        t.send(false, &frame(HEADERS, END_HEADERS | END_STREAM, 5, &[0x88]));
        assert_eq!(
            t.summary(),
            [
                "http2 GET /first 200 false",
                "http2 GET /second 201 false",
                "http2 GET ? 200 false"
            ]
        );
    }

    #[test]
    fn lost_server_framing_ends_waiting_streams_unknown() {
        let mut t = T::new();
        t.send(
            true,
            &concat(&[
                PREFACE.to_vec(),
                frame(HEADERS, END_HEADERS | END_STREAM, 1, &[0x82, 0x86, 0x84]),
                frame(HEADERS, END_HEADERS | END_STREAM, 3, &[0x82, 0x86, 0x85]),
            ]),
        );
        // The server's answers to 1 and 3 in a write whose end (and the next frames) were not
        // captured: the framer loses step. Stream 1's status was seen: it ends there.
        let big = concat(&[
            frame(HEADERS, END_HEADERS, 1, &[0x88]),
            frame(DATA, END_STREAM, 1, &[1; 50]),
            frame(HEADERS, END_HEADERS | END_STREAM, 3, &[0x88]),
        ]);
        t.cut(false, &big, 12);
        assert_eq!(t.summary(), ["http2 GET / 200 false"]);
        // Stream 5 comes and completes: stream 3 ended unseen.
        t.send(
            true,
            &frame(HEADERS, END_HEADERS | END_STREAM, 5, &[0x82, 0x86, 0x84]),
        );
        t.send(false, &frame(HEADERS, END_HEADERS | END_STREAM, 5, &[0x88]));
        let mut s = t.summary();
        s.sort();
        assert_eq!(
            s,
            [
                "http2 GET / 200 false",
                "http2 GET / 200 false",
                "http2 GET /index.html ? false"
            ]
        );
    }

    #[test]
    fn a_response_whose_request_was_lost_still_counts() {
        let mut t = T::new();
        t.send(
            true,
            &concat(&[
                PREFACE.to_vec(),
                frame(HEADERS, END_HEADERS | END_STREAM, 1, &[0x82, 0x86, 0x84]),
            ]),
        );
        // The client's next write is lost beyond its first bytes.
        t.cut(
            true,
            &concat(&[
                frame(HEADERS, END_HEADERS | END_STREAM, 3, &[0x82, 0x86, 0x84]),
                frame(HEADERS, END_HEADERS | END_STREAM, 5, &[0x82, 0x86, 0x84]),
            ]),
            4,
        );
        // Stream 7 is seen and answered before the lost ones: they still count once each.
        t.send(true, &frame(HEADERS, END_HEADERS | END_STREAM, 7, &[0x83, 0x86, 0x84]));
        for id in [1, 7, 3, 5, 3, 1] {
            t.send(
                false,
                &frame(HEADERS, END_HEADERS | END_STREAM, id, &[0x8d]),
            );
        }
        assert_eq!(
            t.summary(),
            [
                "http2 GET / 404 false",
                "http2 POST / 404 false",
                "http2 ? ? 404 false",
                "http2 ? ? 404 false"
            ]
        );
    }

    #[test]
    fn h2c_upgrade_lines() {
        let req = b"GET /up HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n";
        assert_eq!(h2c_request(req), Some(("GET".into(), "/up".into())));
        assert_eq!(
            h2c_request(b"GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"),
            None
        );
        let resp = b"HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: h2c\r\n\r\n\x00\x00";
        assert_eq!(h2c_switch(resp), Some(Some(resp.len() - 2)));
        assert_eq!(
            h2c_switch(&resp[..70]),
            Some(None),
            "cut after its Upgrade header"
        );
        assert_eq!(h2c_switch(&resp[..40]), None, "cut before it");
        assert_eq!(h2c_switch(b"HTTP/1.1 200 OK\r\n\r\n"), None);
    }

    #[test]
    fn joined_mid_connection_the_tables_are_unknown() {
        let mut t = T::new();
        // No preface: blocks referring to dynamic entries this decoder never saw are
        // unknown fields, not broken blocks, so the static fields after them still count.
        t.send(true, &frame(HEADERS, END_HEADERS | END_STREAM, 9, &[0x82, 0xbe, 0x84]));
        t.send(false, &frame(HEADERS, END_HEADERS | END_STREAM, 9, &[0xbf, 0x8d]));
        assert_eq!(t.summary(), ["http2 GET / 404 false"]);
    }

    #[test]
    fn frame_starts() {
        assert!(plausible_frame(&settings(), DEFAULT_FRAME));
        assert!(plausible_frame(
            &frame(HEADERS, END_HEADERS, 1, &[0x82]),
            DEFAULT_FRAME
        ));
        assert!(
            !plausible_frame(&frame(HEADERS, END_HEADERS, 0, &[0x82]), DEFAULT_FRAME),
            "HEADERS on stream 0"
        );
        assert!(!plausible_frame(
            &frame(SETTINGS, 0, 0, &[0; 5]),
            DEFAULT_FRAME
        ));
        assert!(!plausible_frame(&frame(0x42, 0, 1, &[]), DEFAULT_FRAME));
        assert!(!plausible_frame(b"GET / HTTP/1.1\r\n", DEFAULT_FRAME));
        assert_eq!(frame_head(&frame(PING, 0, 0, &[0; 7])), Head::Bad);
    }
}
