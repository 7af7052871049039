//! kinsight-protocols: requests of DNS, PostgreSQL, MySQL/MariaDB, Redis, HTTP/2 and gRPC
//! decoded from the I/O buffers a capture holds (the first `snaplen` bytes of each read and write on a socket,
//! with the byte count the call moved), in one request model for every protocol.
//!
//! Owns: choosing a connection's protocol from its ports and first bytes ([`detect`]), one
//! incremental decoder per protocol over each direction of a connection ([`dns`],
//! [`postgres`], [`mysql`], [`redis`], [`http2`] with its HPACK header decoding and gRPC on
//! it), statement normalisation ([`sql`]), and pairing requests with their responses per
//! connection ([`Tracker`]) into [`RequestRecord`]s. HTTP/1 is decoded by kinsight-http; here
//! it is only recognised, so that a connection carries one protocol, and watched for an
//! upgrade to h2c.
//! Must not: know about threads, fds or containers (the caller names a connection with a key
//! of its choice and says which ports it has), or trust any byte: every length is checked,
//! every buffer is bounded, a message cut at the snaplen is decoded from what was captured
//! and the stream picks up again at the next plausible message start. (HTTP/2 is the one
//! protocol whose state spans messages: its header compression; what a cut does to it is in
//! [`http2`].)

pub mod detect;
pub mod dns;
pub mod http2;
mod hpack;
mod framing;
pub mod mysql;
pub mod postgres;
pub mod redis;
pub mod sql;
mod tracker;

pub use detect::{Config, Detection, Ends};
pub use tracker::Tracker;

use std::fmt;

/// The application protocol of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Proto {
    Http1,
    Dns,
    Postgres,
    Mysql,
    Redis,
    Http2,
    Grpc,
}

impl Proto {
    pub const ALL: [Proto; 7] = [Proto::Http1, Proto::Dns, Proto::Postgres, Proto::Mysql, Proto::Redis, Proto::Http2, Proto::Grpc];

    /// The name users type in filters and see in views (`req.proto = postgres`).
    pub fn name(self) -> &'static str {
        match self {
            Proto::Http1 => "http",
            Proto::Dns => "dns",
            Proto::Postgres => "postgres",
            Proto::Mysql => "mysql",
            Proto::Redis => "redis",
            Proto::Http2 => "http2",
            Proto::Grpc => "grpc",
        }
    }

    pub fn from_name(name: &str) -> Option<Proto> {
        let name = name.to_ascii_lowercase();
        Proto::ALL.into_iter().find(|p| p.name() == name).or(match name.as_str() {
            "http1" => Some(Proto::Http1),
            "postgresql" | "pg" => Some(Proto::Postgres),
            "mariadb" => Some(Proto::Mysql),
            _ => None,
        })
    }
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which end of the connection the observing process holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// It sent the request (its writes are requests).
    Client,
    /// It received the request (its reads are requests).
    Server,
}

/// One request and its response, whatever the protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    pub proto: Proto,
    /// Which end the observer holds.
    pub side: Side,
    /// When the request's first byte was seen.
    pub ts_ns: u64,
    /// From the request's first byte to the response's last message.
    pub latency_ns: u64,
    /// Method, command, statement kind or query type: `GET`, `SET`, `SELECT`, `AAAA`.
    pub operation: String,
    /// URL path, statement with its literals replaced by `?`, key prefix, or domain.
    pub target: String,
    /// HTTP code, SQLSTATE or MySQL error number, DNS rcode name, Redis error prefix, gRPC
    /// status; `OK` for a success that has no code of its own; `?` when the response was
    /// not seen in full (cut at the snaplen with its end in bytes not captured).
    pub status: String,
    /// Whether the status is a failure of the request.
    pub error: bool,
    /// Bytes of the request's and of the response's messages, as their framing declares
    /// them (including bytes beyond the snaplen).
    pub request_bytes: u64,
    pub response_bytes: u64,
    /// Rows returned or affected, DNS answers, elements of a Redis array reply, messages of
    /// a gRPC response.
    pub rows: Option<u64>,
}

/// What a protocol decoder produces before the tracker adds the protocol and the side.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Exchange {
    pub ts_ns: u64,
    pub end_ns: u64,
    pub operation: String,
    pub target: String,
    pub status: String,
    pub error: bool,
    pub request_bytes: u64,
    pub response_bytes: u64,
    pub rows: Option<u64>,
}

/// What a decoder needs to know of one buffer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Chunk<'a> {
    pub ts: u64,
    /// The captured bytes.
    pub data: &'a [u8],
    /// The bytes the call moved (at least `data.len()`): the rest was not captured.
    pub full_len: u64,
}

impl Chunk<'_> {
    /// Bytes moved but not captured.
    pub fn gap(&self) -> u64 {
        self.full_len.saturating_sub(self.data.len() as u64)
    }
}

/// Longest operation or target kept: a statement of megabytes stays a line in a view.
pub(crate) const MAX_TEXT: usize = 256;

/// Requests kept waiting for their responses per connection; older ones are dropped (a
/// server that never answers must not grow the state).
pub(crate) const MAX_PENDING: usize = 1024;

/// Text of at most [`MAX_TEXT`] bytes from arbitrary bytes, cut on a character boundary
/// (invalid UTF-8 replaced, control characters as spaces).
pub(crate) fn text(bytes: &[u8]) -> String {
    let bytes = &bytes[..bytes.len().min(MAX_TEXT)];
    let s = String::from_utf8_lossy(bytes);
    // Each invalid byte became a 3-byte replacement character: cut again.
    clip(s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect())
}

/// `t` cut to at most [`MAX_TEXT`] bytes on a character boundary (texts made of several
/// [`text`]s are longer than each).
pub(crate) fn clip(mut t: String) -> String {
    if t.len() > MAX_TEXT {
        let mut end = MAX_TEXT;
        while !t.is_char_boundary(end) {
            end -= 1;
        }
        t.truncate(end);
    }
    t
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_is_bounded_in_bytes_whatever_the_input() {
        let t = super::text(&[0xff; 1000]);
        assert!(t.len() <= super::MAX_TEXT && t.starts_with('\u{fffd}'), "{}", t.len());
        assert_eq!(super::text(b"GET\n/x"), "GET /x");
    }
}
