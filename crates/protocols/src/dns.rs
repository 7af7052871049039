//! DNS (RFC 1035) over UDP, one message a datagram, and over TCP, each message behind a
//! 2-byte length. A query and its response are paired by their id (a resolver's socket may
//! have several queries in flight, answered in any order).
//!
//! Truncation: the header (12 bytes) and the question are at the start of a message; a
//! message cut after them still gives its id, name, type, rcode and answer count. One cut
//! inside the question gives no name (`?`).

use crate::framing::{Framer, Head};
use crate::{text, Chunk, Exchange, MAX_PENDING};
use std::collections::VecDeque;

/// The header and first question of a DNS message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub id: u16,
    pub response: bool,
    pub opcode: u8,
    pub rcode: u8,
    pub questions: u16,
    pub answers: u16,
    /// The first question's name, dotted, without the root's dot; `None` when cut.
    pub qname: Option<String>,
    pub qtype: Option<u16>,
}

/// Parses a message's header and first question from as many bytes as were captured.
pub fn parse(msg: &[u8]) -> Option<Message> {
    if msg.len() < 12 {
        return None;
    }
    let u16_at = |i: usize| u16::from_be_bytes([msg[i], msg[i + 1]]);
    let flags = u16_at(2);
    let mut m = Message {
        id: u16_at(0),
        response: flags & 0x8000 != 0,
        opcode: ((flags >> 11) & 0xF) as u8,
        rcode: (flags & 0xF) as u8,
        questions: u16_at(4),
        answers: u16_at(6),
        qname: None,
        qtype: None,
    };
    if m.questions > 0 {
        if let Some((name, end)) = read_name(msg, 12) {
            m.qname = Some(name);
            if end + 2 <= msg.len() {
                m.qtype = Some(u16_at(end));
            }
        }
    }
    Some(m)
}

/// A name at `at`: its dotted text and where the bytes after it start. Compression
/// pointers are followed (at most a few, and only backwards, so no loop).
fn read_name(msg: &[u8], mut at: usize) -> Option<(String, usize)> {
    let mut name = String::new();
    let mut end = None;
    let mut jumps = 0;
    loop {
        let len = *msg.get(at)? as usize;
        match len & 0xC0 {
            0x00 if len == 0 => {
                return Some((if name.is_empty() { ".".to_string() } else { name }, end.unwrap_or(at + 1)));
            }
            0x00 => {
                let label = msg.get(at + 1..at + 1 + len)?;
                if !name.is_empty() {
                    name.push('.');
                }
                if name.len() + label.len() > 255 {
                    return None;
                }
                name.push_str(&text(label).to_ascii_lowercase());
                at += 1 + len;
            }
            0xC0 => {
                let target = ((len & 0x3F) << 8) | *msg.get(at + 1)? as usize;
                jumps += 1;
                if jumps > 16 || target >= at {
                    return None;
                }
                end.get_or_insert(at + 2);
                at = target;
            }
            _ => return None,
        }
    }
}

/// The name of a query type, as dig prints it.
pub fn qtype_name(t: u16) -> String {
    let name = match t {
        1 => "A",
        2 => "NS",
        5 => "CNAME",
        6 => "SOA",
        12 => "PTR",
        13 => "HINFO",
        15 => "MX",
        16 => "TXT",
        28 => "AAAA",
        33 => "SRV",
        35 => "NAPTR",
        41 => "OPT",
        43 => "DS",
        46 => "RRSIG",
        48 => "DNSKEY",
        64 => "SVCB",
        65 => "HTTPS",
        99 => "SPF",
        251 => "IXFR",
        252 => "AXFR",
        255 => "ANY",
        257 => "CAA",
        _ => return format!("TYPE{t}"),
    };
    name.to_string()
}

/// The name of a response code (RFC 6895), as dig prints it.
pub fn rcode_name(r: u8) -> String {
    let name = match r {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        6 => "YXDOMAIN",
        7 => "YXRRSET",
        8 => "NXRRSET",
        9 => "NOTAUTH",
        10 => "NOTZONE",
        _ => return format!("RCODE{r}"),
    };
    name.to_string()
}

/// A plausible message start: a header with one question and a standard or notify opcode.
pub fn plausible(msg: &[u8]) -> bool {
    parse(msg).is_some_and(|m| m.questions == 1 && matches!(m.opcode, 0 | 4 | 5) && m.qname.is_some())
}

struct Query {
    id: u16,
    ts: u64,
    qname: String,
    qtype: String,
    bytes: u64,
}

/// One socket's queries waiting for their responses, and the framing of TCP.
#[derive(Default)]
pub(crate) struct Conn {
    tcp: bool,
    pending: VecDeque<Query>,
    from_client: Framer,
    from_server: Framer,
}

impl Conn {
    pub fn new(tcp: bool) -> Conn {
        Conn { tcp, ..Default::default() }
    }

    pub fn on_chunk(&mut self, from_client: bool, chunk: Chunk, out: &mut Vec<Exchange>) {
        if !self.tcp {
            // A datagram is a message; its length is what the call moved.
            on_message(&mut self.pending, from_client, chunk.data, chunk.full_len, chunk.ts, chunk.ts, out);
            return;
        }
        let Conn { pending, from_client: c, from_server: s, .. } = self;
        let (framer, other) = if from_client { (c, s) } else { (s, c) };
        other.peer_spoke();
        framer.feed(chunk, tcp_head, |b| b.len() >= 14 && plausible(&b[2..]), |m| {
            let body = m.bytes.get(2..).unwrap_or(&[]);
            on_message(pending, from_client, body, m.len.saturating_sub(2), m.ts, chunk.ts, out);
        });
    }

}

fn on_message(pending: &mut VecDeque<Query>, from_client: bool, msg: &[u8], len: u64, ts: u64, end: u64, out: &mut Vec<Exchange>) {
    {
        let Some(m) = parse(msg) else { return };
        if from_client && !m.response {
            if pending.len() >= MAX_PENDING {
                pending.pop_front();
            }
            pending.push_back(Query {
                id: m.id,
                ts,
                qname: m.qname.unwrap_or_else(|| "?".into()),
                qtype: m.qtype.map_or_else(|| "?".into(), qtype_name),
                bytes: len,
            });
        } else if !from_client && m.response {
            // The oldest query with this id (a retry reuses the id: the first answer
            // answers the first ask).
            let Some(i) = pending.iter().position(|q| q.id == m.id) else { return };
            let Some(q) = pending.remove(i) else { return };
            out.push(Exchange {
                ts_ns: q.ts,
                end_ns: end,
                operation: q.qtype,
                target: q.qname,
                status: rcode_name(m.rcode),
                error: m.rcode != 0,
                request_bytes: q.bytes,
                response_bytes: len,
                rows: Some(m.answers as u64),
            });
        }
    }
}

fn tcp_head(b: &[u8]) -> Head {
    if b.len() < 2 {
        return Head::Need;
    }
    let len = u16::from_be_bytes([b[0], b[1]]) as u64;
    if len < 12 {
        Head::Bad
    } else {
        Head::Len(len + 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_compressed_answer() {
        // id 0x1234, RD, one question www.example.com A.
        let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        q.extend_from_slice(b"\x03www\x07example\x03com\x00\x00\x01\x00\x01");
        let m = parse(&q).unwrap();
        assert_eq!((m.id, m.response, m.qname.as_deref(), m.qtype), (0x1234, false, Some("www.example.com"), Some(1)));
        // A name that points at itself is refused, not followed forever.
        let mut bad = q[..12].to_vec();
        bad.extend_from_slice(&[0xC0, 12]);
        assert_eq!(parse(&bad).unwrap().qname, None);
        // Cut inside the question: the header is still there.
        assert_eq!(parse(&q[..16]).unwrap().qname, None);
        assert!(parse(&q[..11]).is_none());
    }
}
