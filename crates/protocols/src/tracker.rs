//! Per connection: the protocol chosen once, then every buffer handed to its decoder in
//! the direction it went, and the decoder's exchanges turned into [`RequestRecord`]s.

use crate::detect::{self, by_bytes, by_port, Config, Detection, Ends};
use crate::{dns, http2, mysql, postgres, redis, Chunk, Exchange, Proto, RequestRecord, Side};
use std::collections::HashMap;
use std::hash::Hash;

/// Buffers with data a connection may show before it is given up as no known protocol.
const SNIFF_BUFFERS: u8 = 4;
/// TCP buffers this short in all, seen whole, may be a length prefix read (or written)
/// apart from its message: MySQL's 4-byte packet header (Connector/Python reads it first),
/// DNS's 2-byte length (dnsmasq reads it a byte at a time). They are kept and judged with
/// the next buffer of the same direction.
const MAX_PREFIX: usize = 4;

enum Decoder {
    Dns(dns::Conn),
    Postgres(Box<postgres::Conn>),
    Mysql(Box<mysql::Conn>),
    Redis(redis::Conn),
    Http2(Box<http2::Conn>),
}

impl Decoder {
    fn new(proto: Proto, udp: bool) -> Option<Decoder> {
        Some(match proto {
            Proto::Dns => Decoder::Dns(dns::Conn::new(!udp)),
            Proto::Postgres => Decoder::Postgres(Box::default()),
            Proto::Mysql => Decoder::Mysql(Box::default()),
            Proto::Redis => Decoder::Redis(redis::Conn::default()),
            Proto::Http2 | Proto::Grpc => Decoder::Http2(Box::default()),
            // Decoded by kinsight-http.
            Proto::Http1 => return None,
        })
    }

    /// Exchanges of the connection's protocol go to `out`; those of a protocol chosen per
    /// request (gRPC or plain HTTP/2 on one connection) to `typed`.
    fn on_chunk(&mut self, from_client: bool, chunk: Chunk, out: &mut Vec<Exchange>, typed: &mut Vec<(Proto, Exchange)>) {
        match self {
            Decoder::Http2(d) => d.on_chunk(from_client, chunk, typed),
            Decoder::Dns(d) => d.on_chunk(from_client, chunk, out),
            Decoder::Postgres(d) => d.on_chunk(from_client, chunk, out),
            Decoder::Mysql(d) => d.on_chunk(from_client, chunk, out),
            Decoder::Redis(d) => d.on_chunk(from_client, chunk, out),
        }
    }
}

/// A short first buffer kept while sniffing (see [`MAX_PREFIX`]).
struct Prefix {
    is_read: bool,
    ts: u64,
    bytes: Vec<u8>,
}

enum State {
    /// No protocol found yet: the buffers with data seen, and a short one kept.
    Sniffing(u8, Option<Prefix>),
    Off,
    /// A protocol this crate recognises but does not decode.
    Other(Proto),
    /// HTTP/1 (decoded by kinsight-http), watched for an upgrade to h2c: the method, path,
    /// time and size of the last request that asked for it.
    Http1 { side: Side, upgrade: Option<(u64, String, String, u64)> },
    Decoding { proto: Proto, side: Side, decoder: Decoder },
}

struct Conn<E> {
    end: E,
    state: State,
}

/// Requests per connection. `K` names a connection end (e.g. process and fd); `E` is what
/// the caller says of it when it is first seen (process, addresses), returned with each of
/// its requests.
pub struct Tracker<K, E = ()> {
    config: Config,
    conns: HashMap<K, Conn<E>>,
    exchanges: Vec<Exchange>,
    typed: Vec<(Proto, Exchange)>,
}

impl<K: Eq + Hash, E> Default for Tracker<K, E> {
    fn default() -> Self {
        Tracker::new(Config::default())
    }
}

impl<K: Eq + Hash, E> Tracker<K, E> {
    pub fn new(config: Config) -> Self {
        Tracker { config, conns: HashMap::new(), exchanges: Vec::new(), typed: Vec::new() }
    }

    /// Feeds one read (`is_read`) or write on `key` at `ts`: `data` the captured bytes,
    /// `full_len` the bytes the call moved. The requests it completes are pushed on `out`.
    #[allow(clippy::too_many_arguments)]
    pub fn on_io(&mut self, key: K, ends: Ends, is_read: bool, ts: u64, data: &[u8], full_len: u64, end: impl FnOnce() -> E, out: &mut Vec<(E, RequestRecord)>)
    where
        E: Clone,
    {
        let config = &self.config;
        let conn = self.conns.entry(key).or_insert_with(|| {
            let state = match by_port(config, ends) {
                Detection::Found(proto, side) => decoding(proto, side, ends.udp),
                Detection::Off => State::Off,
                Detection::Undecided => State::Sniffing(0, None),
            };
            Conn { end: end(), state }
        });
        let mut prefix = None;
        if let State::Sniffing(seen, kept) = &mut conn.state {
            if data.is_empty() {
                return;
            }
            let seen = *seen + 1;
            // A kept prefix is judged with the buffer after it in its direction.
            prefix = kept.take().filter(|p| p.is_read == is_read);
            let joined = prefix.as_ref().map(|p| [p.bytes.as_slice(), data].concat());
            conn.state = match by_bytes(config, ends, is_read, joined.as_deref().unwrap_or(data)) {
                Detection::Found(proto, side) => decoding(proto, side, ends.udp),
                Detection::Off => State::Off,
                Detection::Undecided if seen >= SNIFF_BUFFERS => State::Off,
                Detection::Undecided if !ends.udp && joined.as_deref().unwrap_or(data).len() <= MAX_PREFIX && full_len == data.len() as u64 => {
                    // Still short: kept, with the bytes before it (dnsmasq reads the length
                    // one byte at a time).
                    let ts = prefix.as_ref().map_or(ts, |p| p.ts);
                    State::Sniffing(seen, Some(Prefix { is_read, ts, bytes: joined.clone().unwrap_or_else(|| data.to_vec()) }))
                }
                Detection::Undecided => State::Sniffing(seen, None),
            };
        }
        let full_len = full_len.max(data.len() as u64);
        let mut chunk = Chunk { ts, data, full_len };
        if let State::Http1 { side, upgrade } = &mut conn.state {
            let side = *side;
            let from_client = is_read == (side == Side::Server);
            if from_client {
                if detect::is_http1_request(data) {
                    *upgrade = http2::h2c_request(data).map(|(method, path)| (ts, method, path, full_len));
                }
                return;
            }
            let Some(frames_at) = http2::h2c_switch(data) else { return };
            // The server switched to HTTP/2: the request that asked is stream 1 (unknown
            // when its Upgrade header was not captured).
            let (req_ts, method, path, bytes) = upgrade.take().unwrap_or((ts, "?".into(), "?".into(), 0));
            let decoder = Decoder::Http2(Box::new(http2::Conn::upgraded(req_ts, method, path, bytes)));
            conn.state = State::Decoding { proto: Proto::Http2, side, decoder };
            let at = frames_at.unwrap_or(data.len());
            chunk = Chunk { ts, data: &data[at..], full_len: full_len - at as u64 };
        }
        let State::Decoding { proto, side, decoder } = &mut conn.state else { return };
        // A server reads requests; a client writes them.
        let from_client = is_read == (*side == Side::Server);
        // The prefix the protocol was found with goes first, as it came.
        if let Some(p) = &prefix {
            decoder.on_chunk(from_client, Chunk { ts: p.ts, data: &p.bytes, full_len: p.bytes.len() as u64 }, &mut self.exchanges, &mut self.typed);
        }
        decoder.on_chunk(from_client, chunk, &mut self.exchanges, &mut self.typed);
        for x in self.exchanges.drain(..) {
            out.push((conn.end.clone(), record(*proto, *side, x)));
        }
        for (proto, x) in self.typed.drain(..) {
            out.push((conn.end.clone(), record(proto, *side, x)));
        }
    }

    /// The protocol chosen for `key`, once there is one.
    pub fn protocol(&self, key: &K) -> Option<Proto> {
        match &self.conns.get(key)?.state {
            State::Decoding { proto, .. } | State::Other(proto) => Some(*proto),
            State::Http1 { .. } => Some(Proto::Http1),
            _ => None,
        }
    }

    /// The connection end closed: its state goes (requests still waiting are not answered).
    pub fn close(&mut self, key: &K) {
        self.conns.remove(key);
    }

    /// Connections followed.
    pub fn len(&self) -> usize {
        self.conns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.conns.is_empty()
    }

    /// Forgets the connections `keep` says no to (e.g. of processes that exited).
    pub fn retain(&mut self, mut keep: impl FnMut(&K) -> bool) {
        self.conns.retain(|k, _| keep(k));
    }
}

fn decoding(proto: Proto, side: Side, udp: bool) -> State {
    if proto == Proto::Http1 {
        return State::Http1 { side, upgrade: None };
    }
    match Decoder::new(proto, udp) {
        Some(decoder) => State::Decoding { proto, side, decoder },
        None => State::Other(proto),
    }
}

fn record(proto: Proto, side: Side, x: Exchange) -> RequestRecord {
    RequestRecord {
        proto,
        side,
        ts_ns: x.ts_ns,
        latency_ns: x.end_ns.saturating_sub(x.ts_ns),
        operation: x.operation,
        target: x.target,
        status: x.status,
        error: x.error,
        request_bytes: x.request_bytes,
        response_bytes: x.response_bytes,
        rows: x.rows,
    }
}
