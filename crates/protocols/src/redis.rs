//! Redis serialization protocol, RESP2 and RESP3.
//!
//! A command is an array of bulk strings (or an inline command, one line of words); replies
//! come in the order of the commands, so pipelined commands are answered first in, first
//! out. An error reply (`-ERR …`, `-WRONGTYPE …`, RESP3's blob error `!`) gives its first
//! word as the status. RESP3 push messages (`>`) and attributes (`|`) answer no command.
//!
//! The operation is the command's name (with its subcommand for container commands such as
//! `CONFIG GET`); the target is the first key up to and including its first `:` (the usual
//! `object:id` naming), so one line stands for all keys of a kind. Arguments that are not
//! keys (values, passwords) are never kept.
//!
//! Truncation: a value's length is in its header, so a message is followed across buffers
//! and one cut at the snaplen is read from its first bytes when its end can be known. When
//! a server buffer is cut beyond what can be followed, the commands sent before it end
//! there with status `?` (a server answers what it has read in one write). When a client
//! buffer of pipelined commands is cut, the replies that find no command waiting answer
//! the commands not captured; they are counted as the buffer's last captured command (a
//! pipeline usually repeats one command), with no request size.

use crate::framing::{Framer, Head, MAX_PREFIX};
use crate::{text, Chunk, Exchange, MAX_PENDING};
use std::collections::VecDeque;

/// Nesting deeper than this is no reply a client would parse.
const MAX_DEPTH: u32 = 32;
/// A declared bulk length beyond Redis's own limit (512 MB) is no length.
const MAX_BULK: u64 = 512 << 20;

/// Where one value at `at` ends.
enum Walk {
    /// Just after its last byte.
    End(usize),
    /// More bytes are needed; when only the payload of a value that ends the whole message
    /// is missing, the message's total length is known.
    Need(Option<u64>),
}

/// The end of the line starting at `at` (the index of its `\r`).
fn line_end(b: &[u8], at: usize, max: usize) -> Result<Option<usize>, ()> {
    let window = &b[at..b.len().min(at + max)];
    match window.windows(2).position(|w| w == b"\r\n") {
        Some(i) => Ok(Some(at + i)),
        None if b.len() - at >= max => Err(()),
        None => Ok(None),
    }
}

fn number(b: &[u8]) -> Option<i64> {
    std::str::from_utf8(b).ok()?.parse().ok()
}

fn walk(b: &[u8], at: usize, depth: u32, last: bool) -> Result<Walk, ()> {
    if depth > MAX_DEPTH {
        return Err(());
    }
    let Some(&kind) = b.get(at) else { return Ok(Walk::Need(None)) };
    let simple_max = if matches!(kind, b'+' | b'-') { MAX_PREFIX } else { 32 };
    let Some(end) = line_end(b, at + 1, simple_max)? else { return Ok(Walk::Need(None)) };
    let after = end + 2;
    match kind {
        b'+' | b'-' | b':' | b',' | b'_' | b'#' | b'(' => Ok(Walk::End(after)),
        b'$' | b'!' | b'=' => {
            let n = number(&b[at + 1..end]).ok_or(())?;
            if n < 0 {
                return if n == -1 { Ok(Walk::End(after)) } else { Err(()) };
            }
            let n = n as u64;
            if n > MAX_BULK {
                return Err(());
            }
            let total = after as u64 + n + 2;
            if (b.len() as u64) >= total {
                if &b[total as usize - 2..total as usize] != b"\r\n" {
                    return Err(());
                }
                Ok(Walk::End(total as usize))
            } else {
                Ok(Walk::Need(last.then_some(total)))
            }
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n = number(&b[at + 1..end]).ok_or(())?;
            if n < 0 {
                return if n == -1 { Ok(Walk::End(after)) } else { Err(()) };
            }
            let elements = if matches!(kind, b'%' | b'|') { n.saturating_mul(2) } else { n };
            let mut pos = after;
            let mut i = 0;
            while i < elements {
                match walk(b, pos, depth + 1, last && i + 1 == elements)? {
                    Walk::End(e) => pos = e,
                    need => return Ok(need),
                }
                i += 1;
            }
            Ok(Walk::End(pos))
        }
        _ => Err(()),
    }
}

fn resp_head(b: &[u8]) -> Head {
    match walk(b, 0, 0, true) {
        Ok(Walk::End(n)) => Head::Len(n as u64),
        Ok(Walk::Need(Some(total))) => Head::Len(total),
        Ok(Walk::Need(None)) => Head::Need,
        Err(()) => Head::Bad,
    }
}

fn client_head(b: &[u8]) -> Head {
    match b.first() {
        None => Head::Need,
        Some(b'*') => resp_head(b),
        // Blank lines between inline commands (redis-cli --pipe sends them): skipped.
        Some(b'\r' | b'\n') => Head::Len(b.iter().take_while(|&&c| c == b'\r' || c == b'\n').count() as u64),
        // An inline command: one line.
        Some(c) if c.is_ascii_alphabetic() => match b.iter().position(|&c| c == b'\n') {
            Some(i) => Head::Len(i as u64 + 1),
            None if b.len() > 4096 => Head::Bad,
            None => Head::Need,
        },
        Some(_) => Head::Bad,
    }
}

/// A client buffer that starts like a command (`*<digits>\r\n$`).
pub fn plausible_client(b: &[u8]) -> bool {
    if b.first() != Some(&b'*') {
        return false;
    }
    let digits = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
    digits > 0 && b.get(1 + digits..).is_some_and(|r| r.starts_with(b"\r\n$") || r.len() < 3 && b"\r\n$".starts_with(r))
}

pub fn plausible_server(b: &[u8]) -> bool {
    b.first().is_some_and(|c| b"+-:$*_,#!=(%~|>".contains(c)) && !matches!(resp_head(b), Head::Bad)
}

/// The bulk strings of a command array, as many as were captured and at most `max`.
fn command_args(b: &[u8], max: usize) -> Vec<&[u8]> {
    let mut args = Vec::new();
    if b.first() != Some(&b'*') {
        return b.split(|&c| c == b' ' || c == b'\r' || c == b'\n').filter(|a| !a.is_empty()).take(max).collect();
    }
    let Ok(Some(end)) = line_end(b, 1, 32) else { return args };
    let n = number(&b[1..end]).unwrap_or(0).max(0) as usize;
    let mut pos = end + 2;
    while args.len() < n.min(max) && b.get(pos) == Some(&b'$') {
        let Ok(Some(end)) = line_end(b, pos + 1, 32) else { break };
        let Some(len) = number(&b[pos + 1..end]).filter(|&l| l >= 0) else { break };
        let start = end + 2;
        let stop = (start + len as usize).min(b.len());
        args.push(&b[start.min(stop)..stop]);
        pos = stop + 2;
    }
    args
}

/// Commands whose second word names what they do.
const CONTAINER_COMMANDS: &[&str] = &["ACL", "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "FUNCTION", "LATENCY", "MEMORY", "MODULE", "OBJECT", "PUBSUB", "SCRIPT", "SLOWLOG", "XGROUP", "XINFO"];

/// Commands whose first argument is not a key.
const KEYLESS_COMMANDS: &[&str] = &[
    "AUTH", "BGSAVE", "DBSIZE", "DISCARD", "ECHO", "EVAL", "EVALSHA", "EXEC", "FCALL", "FLUSHALL", "FLUSHDB", "HELLO", "INFO", "LASTSAVE", "MONITOR", "MULTI", "PING", "PSUBSCRIBE", "PUBLISH", "QUIT", "RESET", "ROLE", "SAVE", "SELECT", "SHUTDOWN", "SUBSCRIBE", "SWAPDB", "TIME", "UNSUBSCRIBE", "WAIT",
];

/// The operation and target of a command.
pub fn describe(cmd: &[u8]) -> (String, String) {
    let args = command_args(cmd, 2);
    let Some(name) = args.first() else { return ("?".into(), String::new()) };
    let name = text(name).to_ascii_uppercase();
    if CONTAINER_COMMANDS.contains(&name.as_str()) {
        let sub = args.get(1).map(|s| text(s).to_ascii_uppercase()).unwrap_or_default();
        return (crate::clip(format!("{name} {sub}").trim_end().to_string()), String::new());
    }
    if KEYLESS_COMMANDS.contains(&name.as_str()) {
        return (name, String::new());
    }
    let target = args.get(1).map(|k| key_prefix(k)).unwrap_or_default();
    (name, target)
}

/// A key up to and including its first `:`, at most 64 bytes.
pub fn key_prefix(key: &[u8]) -> String {
    let cut = key.iter().position(|&c| c == b':').map_or(key.len(), |i| i + 1);
    text(&key[..cut.min(64)])
}

struct Cmd {
    ts: u64,
    op: String,
    target: String,
    bytes: u64,
}

#[derive(Default)]
pub(crate) struct Conn {
    client: Framer,
    server: Framer,
    pending: VecDeque<Cmd>,
    /// The last command of a client buffer cut beyond what was captured: replies that find
    /// no command waiting answer the commands after it, counted as the same command.
    uncaptured: Option<(u64, String, String)>,
}

impl Conn {
    pub fn on_chunk(&mut self, from_client: bool, chunk: Chunk, out: &mut Vec<Exchange>) {
        let Conn { client, server, pending, uncaptured } = self;
        if from_client {
            server.peer_spoke();
        } else {
            client.peer_spoke();
        }
        if from_client {
            let mut last = None;
            let fed = client.feed(chunk, client_head, plausible_client, |m| {
                if m.bytes.iter().all(|c| c.is_ascii_whitespace()) {
                    return;
                }
                let (op, target) = describe(m.bytes);
                last = Some((op.clone(), target.clone()));
                if pending.len() >= MAX_PENDING {
                    pending.pop_front();
                }
                pending.push_back(Cmd { ts: m.ts, op, target, bytes: m.len });
            });
            if fed.lost {
                // A pipelined batch cut at the snaplen: its other commands are unknown, but
                // their replies will come.
                *uncaptured = last.map(|(op, target)| (chunk.ts, op, target));
            }
            return;
        }
        let fed = server.feed(chunk, resp_head, plausible_server, |m| {
            let Some(&kind) = m.bytes.first() else { return };
            if kind == b'>' || kind == b'|' {
                return;
            }
            let Some(cmd) = pending.pop_front().or_else(|| uncaptured.as_ref().map(|(ts, op, target)| Cmd { ts: *ts, op: op.clone(), target: target.clone(), bytes: 0 })) else { return };
            let (status, error) = match kind {
                b'-' => (first_word(&m.bytes[1..]), true),
                b'!' => {
                    // A blob error: its text after the length line.
                    let body = m.bytes.iter().position(|&c| c == b'\n').map_or(&[][..], |i| &m.bytes[i + 1..]);
                    (first_word(body), true)
                }
                _ => ("OK".to_string(), false),
            };
            let rows = match kind {
                b'*' | b'~' | b'%' => {
                    let end = m.bytes.iter().position(|&c| c == b'\r').unwrap_or(m.bytes.len());
                    number(&m.bytes[1..end]).map(|n| n.max(0) as u64)
                }
                _ => None,
            };
            out.push(Exchange { ts_ns: cmd.ts, end_ns: chunk.ts, operation: cmd.op, target: cmd.target, status, error, request_bytes: cmd.bytes, response_bytes: m.len, rows });
        });
        if fed.lost {
            while let Some(cmd) = pending.pop_front() {
                if cmd.ts > chunk.ts {
                    pending.push_front(cmd);
                    break;
                }
                out.push(Exchange { ts_ns: cmd.ts, end_ns: chunk.ts, operation: cmd.op, target: cmd.target, status: "?".into(), error: false, request_bytes: cmd.bytes, response_bytes: 0, rows: None });
            }
        }
    }
}

fn first_word(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == b' ' || c == b'\r' || c == b'\n').unwrap_or(b.len());
    let w = text(&b[..end.min(32)]);
    if w.is_empty() {
        "ERR".into()
    } else {
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_nested_replies() {
        assert_eq!(resp_head(b"*2\r\n$3\r\nfoo\r\n:1\r\n+x"), Head::Len(17));
        assert_eq!(resp_head(b"%1\r\n+a\r\n*1\r\n_\r\n"), Head::Len(15));
        assert_eq!(resp_head(b"*2\r\n$3\r\nfo"), Head::Need);
        // The last value's payload alone is missing: the total is known.
        assert_eq!(resp_head(b"*2\r\n:1\r\n$10\r\nab"), Head::Len(4 + 4 + 5 + 12));
        assert_eq!(resp_head(b"?x\r\n"), Head::Bad);
        assert_eq!(resp_head(b"$-2\r\n"), Head::Bad);
        let deep = "*1\r\n".repeat(100);
        assert_eq!(resp_head(deep.as_bytes()), Head::Bad);
    }

    #[test]
    fn operations_and_targets() {
        assert_eq!(describe(b"*3\r\n$3\r\nSET\r\n$16\r\nkey:__rand_int__\r\n$3\r\nVXK\r\n"), ("SET".into(), "key:".into()));
        assert_eq!(describe(b"*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$4\r\nsave\r\n"), ("CONFIG GET".into(), String::new()));
        assert_eq!(describe(b"*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n"), ("AUTH".into(), String::new()));
        assert_eq!(describe(b"PING\r\n"), ("PING".into(), String::new()));
        // A container command and a subcommand of 256 bytes each: one bounded text (found by
        // fuzzing).
        let long = format!("*2\r\n$3\r\nACL\r\n$256\r\n{}\r\n", "x".repeat(256));
        assert!(describe(long.as_bytes()).0.len() <= crate::MAX_TEXT);
        // Cut inside the key: what was captured.
        assert_eq!(describe(b"*2\r\n$3\r\nGET\r\n$20\r\nsess"), ("GET".into(), "sess".into()));
    }
}
