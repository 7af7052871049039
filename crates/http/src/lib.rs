//! kinsight-http: HTTP/1.x transactions from the I/O buffers a capture holds (the first
//! `snaplen` bytes of each read and write on a socket).
//!
//! Owns: recognising a request line and a status line, the Host and Content-Length
//! headers, and pairing a request with the next response on the same connection end.
//! Must not: know about threads, fds or containers; the caller names the connection end
//! with a key of its choice. Matching follows sysdig's `httplog` chisel: a request opens a
//! transaction on its key, the next buffer on that key that parses as a response closes it.
//!
//! Where the chisel's text is wrong, this is right: its Host pattern is greedy over the
//! shown text, so a Host header followed by the blank line that ends the headers gives
//! `127.0.0.1:8089..` and the URL `127.0.0.1:8089../f.bin`; here the Host value is the
//! header line's value, and the URL is `127.0.0.1:8089/f.bin`. (The agreement tests compare
//! method, path and status with sysdig's, not its URL text.)

use std::collections::HashMap;
use std::hash::Hash;

/// Whether this process received (`<`, a server) or sent (`>`, a client) the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    Incoming,
    Outgoing,
}

impl Direction {
    /// sysdig's arrow: `<` for requests read (served here), `>` for requests written.
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::Incoming => "<",
            Direction::Outgoing => ">",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// Host header value followed by the request target, or the target alone.
    pub url: String,
    /// The request target as the request line has it (`/f.bin?x=1`).
    pub target: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// Content-Length, 0 when absent.
    pub length: u64,
}

/// A request and its response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    pub dir: Direction,
    pub request: Request,
    pub response: Response,
    pub request_ts: u64,
    pub response_ts: u64,
}

impl Transaction {
    pub fn latency_ns(&self) -> u64 {
        self.response_ts.saturating_sub(self.request_ts)
    }
}

/// sysdig hands the chisel the buffer with every non-printable byte shown as `.`; the
/// chisel's patterns run on that text, so we look at bytes the same way.
fn shown(b: u8) -> u8 {
    if b.is_ascii_graphic() || b == b' ' {
        b
    } else {
        b'.'
    }
}

/// Length of the run of non-space shown characters at the start of `buf` (Lua's `%g+`).
fn graph_run(buf: &[u8]) -> usize {
    buf.iter().take_while(|&&b| shown(b) != b' ').count()
}

/// A request line: an upper-case method, one space, a target of printable characters.
pub fn parse_request(buf: &[u8]) -> Option<Request> {
    let method_len = buf.iter().take_while(|b| b.is_ascii_uppercase()).count();
    if method_len == 0 || buf.get(method_len) != Some(&b' ') {
        return None;
    }
    let rest = &buf[method_len + 1..];
    let target_len = graph_run(rest);
    if target_len == 0 {
        return None;
    }
    let method = String::from_utf8_lossy(&buf[..method_len]).into_owned();
    let target: String = rest[..target_len].iter().map(|&b| shown(b) as char).collect();
    let url = match header_line(buf, b"host") {
        Some(host) if !target.starts_with("http://") && !target.starts_with("https://") => format!("{host}{target}"),
        _ => target.clone(),
    };
    Some(Request { method, url, target })
}

/// A status line `HTTP/<version> <code>` anywhere in the buffer, as sysdig matches it.
pub fn parse_response(buf: &[u8]) -> Option<Response> {
    let mut from = 0;
    while let Some(pos) = find(&buf[from..], b"HTTP/") {
        let at = from + pos + 5;
        let version_len = graph_run(&buf[at..]);
        let after = at + version_len;
        if version_len > 0 && buf.get(after) == Some(&b' ') {
            let digits = buf[after + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 0 {
                let code = std::str::from_utf8(&buf[after + 1..after + 1 + digits]).ok()?;
                let status = code.parse::<u32>().ok().filter(|&c| c <= u16::MAX as u32)? as u16;
                let length = content_length(buf).unwrap_or(0);
                return Some(Response { status, length });
            }
        }
        from = at;
    }
    None
}

/// The value of header `name` (lower case; matched without regard to case): the rest of
/// its line, trimmed, when the line ends inside the buffer (a value cut at the snaplen is
/// no value).
fn header_line(buf: &[u8], name: &[u8]) -> Option<String> {
    let mut lines = buf.split(|&b| b == b'\n');
    lines.next(); // the request line
    for line in lines {
        let Some(line) = line.strip_suffix(b"\r") else {
            // The last, unterminated line, or a bare LF: not a complete header.
            continue;
        };
        if line.is_empty() {
            break;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else { continue };
        if line[..colon].eq_ignore_ascii_case(name) {
            let value: String = line[colon + 1..].iter().map(|&b| shown(b) as char).collect();
            let value = value.trim();
            return (!value.is_empty()).then(|| value.to_string());
        }
    }
    None
}

/// `Content-Length: (%d+)%.%.`: digits followed by an end of line.
fn content_length(buf: &[u8]) -> Option<u64> {
    const NAME: &[u8] = b"Content-Length: ";
    let mut from = 0;
    while let Some(pos) = find(&buf[from..], NAME) {
        let start = from + pos + NAME.len();
        let digits = buf[start..].iter().take_while(|b| b.is_ascii_digit()).count();
        let end = start + digits;
        if digits > 0 && buf.len() >= end + 2 && shown(buf[end]) == b'.' && shown(buf[end + 1]) == b'.' {
            return std::str::from_utf8(&buf[start..end]).ok()?.parse().ok();
        }
        from = start;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Pairs requests and responses per connection end.
#[derive(Debug)]
pub struct Tracker<K> {
    open: HashMap<K, (Request, Direction, u64)>,
}

impl<K: Eq + Hash> Default for Tracker<K> {
    fn default() -> Self {
        Tracker { open: HashMap::new() }
    }
}

impl<K: Eq + Hash> Tracker<K> {
    /// Feeds one read (`is_read`) or write buffer seen on `key` at `ts`; returns a
    /// transaction when this buffer completes one.
    pub fn on_io(&mut self, key: K, is_read: bool, ts: u64, buf: &[u8]) -> Option<Transaction> {
        match self.open.get(&key) {
            None => {
                let request = parse_request(buf)?;
                let dir = if is_read { Direction::Incoming } else { Direction::Outgoing };
                self.open.insert(key, (request, dir, ts));
                None
            }
            Some(_) => {
                let response = parse_response(buf)?;
                let (request, dir, request_ts) = self.open.remove(&key)?;
                Some(Transaction { dir, request, response, request_ts, response_ts: ts })
            }
        }
    }

    /// Requests still waiting for their response.
    pub fn open_requests(&self) -> usize {
        self.open.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_with_host() {
        let r = parse_request(b"GET /index.php HTTP/1.1\r\nHost: 172.17.0.3\r\nAccept: */*\r\n\r\n").unwrap();
        assert_eq!(r.method, "GET");
        assert_eq!(r.url, "172.17.0.3/index.php");
        assert_eq!(r.target, "/index.php");
    }

    #[test]
    fn host_as_the_last_header_is_not_mangled() {
        // What sysdig's chisel shows as `127.0.0.1:8089../f.bin`.
        let r = parse_request(b"GET /f.bin HTTP/1.1\r\nHost: 127.0.0.1:8089\r\n\r\n").unwrap();
        assert_eq!(r.url, "127.0.0.1:8089/f.bin");
        assert_eq!(parse_request(b"GET /x HTTP/1.1\r\nhost:example.com \r\nA: b\r\n\r\n").unwrap().url, "example.com/x");
        // An absolute target is the URL already.
        assert_eq!(parse_request(b"GET http://a/b HTTP/1.1\r\nHost: a\r\n\r\n").unwrap().url, "http://a/b");
        // A header named like the start of Host is not it.
        assert_eq!(parse_request(b"GET /x HTTP/1.1\r\nHostname: h\r\n\r\n").unwrap().url, "/x");
    }

    #[test]
    fn request_without_host_or_truncated_host() {
        assert_eq!(parse_request(b"POST /api HTTP/1.1\r\n").unwrap().url, "/api");
        // The Host value must end inside the captured bytes.
        assert_eq!(parse_request(b"GET / HTTP/1.1\r\nHost: examp").unwrap().url, "/");
    }

    #[test]
    fn not_requests() {
        assert!(parse_request(b"get / HTTP/1.1").is_none());
        assert!(parse_request(b"GET  /").is_none());
        assert!(parse_request(b"\x16\x03\x01binary").is_none());
        assert!(parse_request(b"").is_none());
    }

    #[test]
    fn response_with_length() {
        let r = parse_response(b"HTTP/1.1 404 Not Found\r\nContent-Length: 162\r\n\r\n").unwrap();
        assert_eq!(r, Response { status: 404, length: 162 });
        assert_eq!(parse_response(b"HTTP/1.0 200 OK\r\n").unwrap().length, 0);
        assert!(parse_response(b"HTTP/1.1 OK").is_none());
    }

    #[test]
    fn tracker_pairs_per_key() {
        let mut t = Tracker::default();
        assert!(t.on_io(1, false, 10, b"GET /a HTTP/1.1\r\n\r\n").is_none());
        assert!(t.on_io(2, true, 11, b"GET /b HTTP/1.1\r\n\r\n").is_none());
        // A non-response buffer on an open key leaves it open.
        assert!(t.on_io(1, true, 12, b"garbage").is_none());
        let tx = t.on_io(1, true, 15, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n").unwrap();
        assert_eq!((tx.dir, tx.request.url.as_str(), tx.response.status, tx.latency_ns()), (Direction::Outgoing, "/a", 200, 5));
        let tx = t.on_io(2, false, 20, b"HTTP/1.1 500 Oops\r\n\r\n").unwrap();
        assert_eq!((tx.dir, tx.response.status), (Direction::Incoming, 500));
        assert_eq!(t.open_requests(), 0);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(buf in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let _ = parse_request(&buf);
            let _ = parse_response(&buf);
        }
    }
}
