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
    /// Bytes of the body as sent (nginx's `$body_bytes_sent`), counted from the system
    /// calls' byte counts after the header; see [`Tracker`].
    pub body_bytes: u64,
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
                return Some(Response { status, length, body_bytes: 0 });
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

/// Pairs requests and responses per connection end, and counts each response's body.
///
/// A request opens a transaction on its key; the next buffer on that key that parses as a
/// response answers it (sysdig's chisel stops there). The body is then counted from the
/// byte counts of the system calls that carry it (all of their bytes, not only the
/// captured ones: `full_len`), including calls with no captured data such as `sendfile`:
/// the first buffer's bytes after the blank line that ends the header, then every buffer
/// in the same direction. The transaction is complete when the body reaches its
/// Content-Length, when a chunked body's last chunk is seen, when the next request comes
/// on the connection, when it closes ([`Tracker::close`]), or when nothing more came for
/// a while ([`Tracker::expire`]). When the header's end is beyond the captured bytes its
/// length is unknown: the Content-Length, if captured, is the size, else the bytes of the
/// buffers after the first.
///
/// `E` is what the caller says of the connection end when a request opens on it (its
/// process, its addresses); it comes back with the transaction.
#[derive(Debug)]
pub struct Tracker<K, E = ()> {
    open: HashMap<K, (E, State)>,
}

#[derive(Debug)]
enum State {
    /// A request waiting for its response.
    Request { request: Request, dir: Direction, ts: u64 },
    /// A response whose body is still being sent.
    Body { tx: Transaction, expected: Option<u64>, chunked: bool, last_ts: u64 },
}

impl<K: Eq + Hash, E> Default for Tracker<K, E> {
    fn default() -> Self {
        Tracker { open: HashMap::new() }
    }
}

/// Where the header ends: the bytes after its blank line, when it is in `buf`.
fn header_end(buf: &[u8]) -> Option<usize> {
    find(buf, b"\r\n\r\n").map(|p| p + 4)
}

/// A chunked body's last chunk (`0` CRLF CRLF, no trailers) ends the buffer.
fn ends_chunked_body(buf: &[u8]) -> bool {
    buf.ends_with(b"\r\n0\r\n\r\n") || buf == b"0\r\n\r\n"
}

fn is_chunked(head: &[u8]) -> bool {
    header_line(head, b"transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
}

impl<K: Eq + Hash + Clone, E> Tracker<K, E> {
    /// Feeds one read (`is_read`) or write seen on `key` at `ts`: `buf` its captured bytes,
    /// `full_len` the bytes the call moved; `end` describes the connection end if this
    /// opens a request. Returns the transaction this call completes, if any (a new
    /// request completes the one before it).
    pub fn on_io(&mut self, key: K, is_read: bool, ts: u64, buf: &[u8], full_len: u64, end: impl FnOnce() -> E) -> Option<(E, Transaction)> {
        let full_len = full_len.max(buf.len() as u64);
        match self.open.remove(&key) {
            None => {
                self.open_request(key, is_read, ts, buf, end);
                None
            }
            Some((e, State::Request { request, dir, ts: request_ts })) => {
                let Some(mut response) = parse_response(buf) else {
                    self.open.insert(key, (e, State::Request { request, dir, ts: request_ts }));
                    return None;
                };
                let head = header_end(buf);
                let chunked = is_chunked(buf);
                response.body_bytes = head.map_or(0, |h| full_len.saturating_sub(h as u64));
                // 1xx, 204 and 304 answers have no body, whatever their header says.
                let bodiless = response.status < 200 || response.status == 204 || response.status == 304;
                let expected = if bodiless {
                    Some(0)
                } else {
                    (!chunked && (response.length > 0 || head.is_some() && content_length(buf).is_some())).then_some(response.length)
                };
                let tx = Transaction { dir, request, response, request_ts, response_ts: ts };
                if head.is_none() && expected.is_some() {
                    // The header's length is unknown: the body is what it announced.
                    let mut tx = tx;
                    tx.response.body_bytes = tx.response.length;
                    return Some((e, tx));
                }
                let done = match expected {
                    Some(n) => tx.response.body_bytes >= n,
                    None => chunked && ends_chunked_body(buf),
                };
                if done {
                    return Some((e, tx));
                }
                self.open.insert(key, (e, State::Body { tx, expected, chunked, last_ts: ts }));
                None
            }
            Some((e, State::Body { mut tx, expected, chunked, last_ts })) => {
                let sending = (tx.dir == Direction::Incoming) != is_read;
                if !sending {
                    // The other end speaks again: a new request ends the body before it.
                    if parse_request(buf).is_some() {
                        self.open_request(key, is_read, ts, buf, end);
                        return Some((e, tx));
                    }
                    self.open.insert(key, (e, State::Body { tx, expected, chunked, last_ts }));
                    return None;
                }
                tx.response.body_bytes += full_len;
                let done = match expected {
                    Some(n) => tx.response.body_bytes >= n,
                    None => chunked && ends_chunked_body(buf),
                };
                if done {
                    return Some((e, tx));
                }
                self.open.insert(key, (e, State::Body { tx, expected, chunked, last_ts: ts }));
                None
            }
        }
    }

    fn open_request(&mut self, key: K, is_read: bool, ts: u64, buf: &[u8], end: impl FnOnce() -> E) {
        if let Some(request) = parse_request(buf) {
            let dir = if is_read { Direction::Incoming } else { Direction::Outgoing };
            self.open.insert(key, (end(), State::Request { request, dir, ts }));
        }
    }

    /// The connection end `key` closed: the body being sent on it is complete.
    pub fn close(&mut self, key: &K) -> Option<(E, Transaction)> {
        match self.open.remove(key)? {
            (e, State::Body { tx, .. }) => Some((e, tx)),
            (_, State::Request { .. }) => None,
        }
    }

    /// Bodies that got no byte since `before`: complete as they are (a keep-alive
    /// connection sends nothing more until its next request).
    pub fn expire(&mut self, before: u64) -> Vec<(E, Transaction)> {
        let stale: Vec<K> = self.open.iter().filter(|(_, (_, s))| matches!(s, State::Body { last_ts, .. } if *last_ts < before)).map(|(k, _)| k.clone()).collect();
        stale.into_iter().filter_map(|k| self.close(&k)).collect()
    }

    /// Requests still waiting for their response.
    pub fn open_requests(&self) -> usize {
        self.open.values().filter(|(_, s)| matches!(s, State::Request { .. })).count()
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
        assert_eq!(r, Response { status: 404, length: 162, body_bytes: 0 });
        assert_eq!(parse_response(b"HTTP/1.0 200 OK\r\n").unwrap().length, 0);
        assert!(parse_response(b"HTTP/1.1 OK").is_none());
    }

    #[test]
    fn tracker_pairs_per_key() {
        let mut t = Tracker::default();
        let io = |t: &mut Tracker<i32>, k, read, ts, b: &[u8]| t.on_io(k, read, ts, b, b.len() as u64, || ()).map(|(_, tx)| tx);
        assert!(io(&mut t, 1, false, 10, b"GET /a HTTP/1.1\r\n\r\n").is_none());
        assert!(io(&mut t, 2, true, 11, b"GET /b HTTP/1.1\r\n\r\n").is_none());
        // A non-response buffer on an open key leaves it open.
        assert!(io(&mut t, 1, true, 12, b"garbage").is_none());
        let tx = io(&mut t, 1, true, 15, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello").unwrap();
        assert_eq!((tx.dir, tx.request.url.as_str(), tx.response.status, tx.latency_ns(), tx.response.body_bytes), (Direction::Outgoing, "/a", 200, 5, 5));
        // No length and not chunked: the body runs until the next request.
        assert!(io(&mut t, 2, false, 20, b"HTTP/1.1 500 Oops\r\n\r\nabc").is_none());
        assert!(io(&mut t, 2, false, 21, b"defg").is_none());
        let tx = io(&mut t, 2, true, 30, b"GET /c HTTP/1.1\r\n\r\n").unwrap();
        assert_eq!((tx.dir, tx.response.status, tx.response.body_bytes, tx.response_ts), (Direction::Incoming, 500, 7, 20));
        assert_eq!(t.open_requests(), 1);
    }

    fn on(t: &mut Tracker<i32>, k: i32, read: bool, ts: u64, b: &[u8], n: u64) -> Option<Transaction> {
        t.on_io(k, read, ts, b, n, || ()).map(|(_, tx)| tx)
    }

    #[test]
    fn body_bytes_are_what_the_calls_moved() {
        let mut t: Tracker<i32> = Tracker::default();
        on(&mut t, 1, true, 1, b"GET /f.bin HTTP/1.1\r\nHost: h\r\n\r\n", 33);
        // nginx: the header in one write (cut at the snaplen), the file by sendfile (no data).
        let head = b"HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Sun, 06 Dec 2026 19:00:00 GMT\r\nContent-Ty";
        assert!(on(&mut t, 1, false, 2, head, 240).is_none(), "the header's end and length are beyond the snaplen");
        assert!(on(&mut t, 1, false, 3, b"", 6000).is_none());
        assert!(on(&mut t, 1, false, 4, b"", 4000).is_none());
        // Keep-alive: nothing more until the next request, or until it is stale.
        assert!(t.expire(4).is_empty());
        let (_, tx) = t.expire(5).pop().unwrap();
        assert_eq!((tx.response.status, tx.response.body_bytes), (200, 10_000));

        // The whole header captured: the Content-Length ends the body as soon as it is sent.
        on(&mut t, 1, true, 10, b"GET /g HTTP/1.1\r\n\r\n", 20);
        let head = b"HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n";
        assert!(on(&mut t, 1, false, 11, head, head.len() as u64 + 1000).is_none());
        let tx = on(&mut t, 1, false, 12, b"xxxx", 9000).unwrap();
        assert_eq!(tx.response.body_bytes, 10_000);
        // Content-Length captured but not the header's end: the announced length.
        on(&mut t, 1, true, 20, b"GET /h HTTP/1.1\r\n\r\n", 20);
        let tx = on(&mut t, 1, false, 21, b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nServer: ngi", 400).unwrap();
        assert_eq!(tx.response.body_bytes, 1234);
        // Chunked: the last chunk completes it; chunk framing is part of what was sent.
        on(&mut t, 1, true, 30, b"GET /i HTTP/1.1\r\n\r\n", 20);
        let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert!(on(&mut t, 1, false, 31, head, head.len() as u64).is_none());
        let tx = on(&mut t, 1, false, 32, b"5\r\nhello\r\n0\r\n\r\n", 15).unwrap();
        assert_eq!(tx.response.body_bytes, 15);
        // 304 has no body.
        on(&mut t, 1, true, 40, b"GET /j HTTP/1.1\r\n\r\n", 20);
        let tx = on(&mut t, 1, false, 41, b"HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n", 38).unwrap();
        assert_eq!(tx.response.body_bytes, 0);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(buf in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let _ = parse_request(&buf);
            let _ = parse_response(&buf);
        }
    }
}
