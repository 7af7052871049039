//! HPACK (RFC 7541): the header compression of HTTP/2, one decoder per direction of a
//! connection, with its static table, its dynamic table and Huffman-coded strings.
//!
//! The dynamic table is what makes HPACK fragile to observe: every header block may add
//! entries, and later blocks refer to them by position. A block not seen whole (cut at the
//! snaplen, or in bytes the capture lost) may have added entries nobody saw, which shifts
//! every later position. The decoder then keeps what it can prove:
//!
//! * the fields decoded before the cut stand (the table was in step up to there);
//! * the table's content becomes *unknown*: entries added from then on are known (they are
//!   the newest, at the first dynamic positions), the older ones are not, so a reference
//!   beyond the entries added since gives a field whose name and value are unknown, never
//!   a guess;
//! * the table is whole again once the entries added since fill it so that no older entry
//!   can remain (each entry costs at least 32 octets), or when a size update empties it.
//!
//! Memory is bounded: the table holds at most the size the peer advertised in
//! SETTINGS_HEADER_TABLE_SIZE and never more than [`MAX_TABLE`] octets (entries the peer
//! keeps beyond that are treated as unknown), and a string is never longer than the block
//! it is read from.

use std::collections::VecDeque;

/// The largest dynamic table kept, whatever the peer allows (RFC 7541's default is 4096;
/// common servers stay at or below 64 KiB).
pub(crate) const MAX_TABLE: usize = 64 * 1024;

/// The size a table starts with, before any SETTINGS (RFC 9113 §6.5.2).
pub(crate) const DEFAULT_TABLE: usize = 4096;

/// RFC 7541 Appendix A.
const STATIC: [(&str, &str); 61] = [
    (":authority", ""),
    (":method", "GET"),
    (":method", "POST"),
    (":path", "/"),
    (":path", "/index.html"),
    (":scheme", "http"),
    (":scheme", "https"),
    (":status", "200"),
    (":status", "204"),
    (":status", "206"),
    (":status", "304"),
    (":status", "400"),
    (":status", "404"),
    (":status", "500"),
    ("accept-charset", ""),
    ("accept-encoding", "gzip, deflate"),
    ("accept-language", ""),
    ("accept-ranges", ""),
    ("accept", ""),
    ("access-control-allow-origin", ""),
    ("age", ""),
    ("allow", ""),
    ("authorization", ""),
    ("cache-control", ""),
    ("content-disposition", ""),
    ("content-encoding", ""),
    ("content-language", ""),
    ("content-length", ""),
    ("content-location", ""),
    ("content-range", ""),
    ("content-type", ""),
    ("cookie", ""),
    ("date", ""),
    ("etag", ""),
    ("expect", ""),
    ("expires", ""),
    ("from", ""),
    ("host", ""),
    ("if-match", ""),
    ("if-modified-since", ""),
    ("if-none-match", ""),
    ("if-range", ""),
    ("if-unmodified-since", ""),
    ("last-modified", ""),
    ("link", ""),
    ("location", ""),
    ("max-forwards", ""),
    ("proxy-authenticate", ""),
    ("proxy-authorization", ""),
    ("range", ""),
    ("referer", ""),
    ("refresh", ""),
    ("retry-after", ""),
    ("server", ""),
    ("set-cookie", ""),
    ("strict-transport-security", ""),
    ("transfer-encoding", ""),
    ("user-agent", ""),
    ("vary", ""),
    ("via", ""),
    ("www-authenticate", ""),
];

/// The code length of each symbol (0-255, then EOS) of RFC 7541 Appendix B. The code is
/// canonical (codes of one length are consecutive, in symbol order, and shorter codes come
/// first), so the lengths alone define it.
const HUFFMAN_LENGTHS: [u8; 257] = [
    13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28,
    28, 28, 28, 28, 28, 28, 28, 28, 6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5,
    5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, 13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, 15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6,
    6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, 20, 22, 20, 20, 22, 22, 22, 23, 22,
    23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, 22,
    21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20,
    22, 22, 22, 23, 22, 22, 23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19,
    21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, 20, 24, 20, 21, 22, 21, 21, 23, 22,
    22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, 30,
];

const MAX_CODE: usize = 30;
const EOS: u16 = 256;

/// Canonical decoding tables: for each length, the first code, how many codes have it, and
/// where its symbols start in `symbols`.
struct Huffman {
    first: [u32; MAX_CODE + 1],
    count: [u32; MAX_CODE + 1],
    offset: [u32; MAX_CODE + 1],
    symbols: [u16; 257],
}

const fn huffman() -> Huffman {
    let mut h = Huffman {
        first: [0; MAX_CODE + 1],
        count: [0; MAX_CODE + 1],
        offset: [0; MAX_CODE + 1],
        symbols: [0; 257],
    };
    let mut s = 0;
    while s < 257 {
        h.count[HUFFMAN_LENGTHS[s] as usize] += 1;
        s += 1;
    }
    let mut len = 1;
    let mut code = 0u32;
    let mut at = 0u32;
    while len <= MAX_CODE {
        h.first[len] = code;
        h.offset[len] = at;
        code = (code + h.count[len]) << 1;
        at += h.count[len];
        len += 1;
    }
    // Symbols sorted by length, then value.
    let mut fill = h.offset;
    let mut s = 0;
    while s < 257 {
        let l = HUFFMAN_LENGTHS[s] as usize;
        h.symbols[fill[l] as usize] = s as u16;
        fill[l] += 1;
        s += 1;
    }
    h
}

static HUFFMAN: Huffman = huffman();

/// Decodes a Huffman-coded string onto `out`; `None` when it holds EOS, a code that does
/// not exist, or padding that is not the 1-bits of EOS's prefix (at most 7 of them).
pub(crate) fn huffman_decode(input: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let h = &HUFFMAN;
    let mut code = 0u32;
    let mut len = 0usize;
    for &byte in input {
        for bit in (0..8).rev() {
            code = (code << 1) | ((byte >> bit) & 1) as u32;
            len += 1;
            // In a canonical code a prefix that matched no shorter length is at least the
            // first code of its own length.
            let i = code.wrapping_sub(h.first[len]);
            if i < h.count[len] {
                let sym = h.symbols[(h.offset[len] + i) as usize];
                if sym == EOS {
                    return None;
                }
                out.push(sym as u8);
                code = 0;
                len = 0;
            } else if len == MAX_CODE {
                return None;
            }
        }
    }
    (len <= 7 && code == (1u32 << len) - 1).then_some(())
}

/// A field of a header block. A name or value that the table cannot give is `None`.
pub(crate) struct Field<'a> {
    pub name: Option<&'a [u8]>,
    pub value: Option<&'a [u8]>,
}

/// What became of one header block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Decoded {
    /// Fields given whose name or value was unknown (the table had lost step).
    pub unknown: u32,
    /// The block was not decoded to its end (cut or malformed): the table lost step here.
    pub broken: bool,
}

/// A dynamic table entry: name and value.
type Entry = (Box<[u8]>, Box<[u8]>);
type NameValue<'a> = (&'a [u8], &'a [u8]);

/// An index no table holds (a COMPRESSION_ERROR for a real decoder).
struct BadIndex;

#[derive(Debug)]
pub(crate) struct Decoder {
    /// Newest first: dynamic index 62 is `entries[0]`.
    entries: VecDeque<Entry>,
    /// The size of `entries` as RFC 7541 §4.1 counts it (32 octets more per entry).
    size: usize,
    /// The table size the encoder uses (changed by size updates in blocks).
    max: usize,
    /// The largest size the encoder may choose: what this direction's receiver advertised.
    limit: usize,
    /// The peer may hold entries older than `entries` that this decoder does not know.
    unknown_tail: bool,
    name: Vec<u8>,
    value: Vec<u8>,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder {
            entries: VecDeque::new(),
            size: 0,
            max: DEFAULT_TABLE,
            limit: DEFAULT_TABLE,
            unknown_tail: false,
            name: Vec::new(),
            value: Vec::new(),
        }
    }
}

/// Reads an integer with an `n`-bit prefix (RFC 7541 §5.1); `None` when the bytes end
/// first or the value does not fit in 32 bits (no header needs more).
fn integer(b: &[u8], pos: &mut usize, n: u8) -> Option<u64> {
    let mask = (1u64 << n) - 1;
    let first = *b.get(*pos)? as u64 & mask;
    *pos += 1;
    if first < mask {
        return Some(first);
    }
    let mut value = mask;
    let mut shift = 0;
    loop {
        let byte = *b.get(*pos)?;
        *pos += 1;
        value += ((byte & 0x7f) as u64) << shift;
        if byte & 0x80 == 0 {
            return (value <= u32::MAX as u64).then_some(value);
        }
        shift += 7;
        if shift > 28 {
            return None;
        }
    }
}

/// Reads a string literal (RFC 7541 §5.2) into `out`.
fn string(b: &[u8], pos: &mut usize, out: &mut Vec<u8>) -> Option<()> {
    let huffman = b.get(*pos)? & 0x80 != 0;
    let len = integer(b, pos, 7)? as usize;
    let bytes = b.get(*pos..pos.checked_add(len)?)?;
    *pos += len;
    out.clear();
    if huffman {
        huffman_decode(bytes, out)
    } else {
        out.extend_from_slice(bytes);
        Some(())
    }
}

impl Decoder {
    /// The receiver of this direction advertised SETTINGS_HEADER_TABLE_SIZE.
    pub fn set_limit(&mut self, limit: u32) {
        self.limit = limit as usize;
    }

    /// Header blocks went by unseen: the table's content is no longer known.
    pub fn lose_step(&mut self) {
        self.entries.clear();
        self.size = 0;
        self.unknown_tail = true;
    }

    /// Whether the table is known whole.
    #[cfg(test)]
    pub fn in_step(&self) -> bool {
        !self.unknown_tail
    }

    fn evict_to(&mut self, max: usize) {
        while self.size > max {
            let Some((n, v)) = self.entries.pop_back() else {
                break;
            };
            self.size -= n.len() + v.len() + 32;
        }
    }

    /// A new size from a size update; entries past our own bound are dropped as unknown.
    fn resize(&mut self, max: usize) {
        self.max = max;
        let before = self.entries.len();
        self.evict_to(max.min(MAX_TABLE));
        if max == 0 || (self.entries.len() < before && max <= MAX_TABLE) {
            // Emptied, or known entries evicted: the unknown (older) ones went first.
            self.unknown_tail = false;
        }
        self.check_tail();
    }

    fn check_tail(&mut self) {
        if self.unknown_tail && self.max <= MAX_TABLE && self.max - self.size.min(self.max) < 32 {
            // No older entry fits beside those known.
            self.unknown_tail = false;
        }
    }

    fn insert(&mut self, name: &[u8], value: &[u8]) {
        let cost = name.len() + value.len() + 32;
        if cost > self.max {
            // RFC 7541 §4.4: an entry larger than the table empties it.
            self.entries.clear();
            self.size = 0;
            self.unknown_tail = false;
            return;
        }
        let bound = self.max.min(MAX_TABLE);
        if cost > bound {
            // The peer keeps it; this decoder cannot.
            self.lose_step();
            return;
        }
        let evicting = self.size + cost > bound;
        self.evict_to(bound - cost);
        if evicting {
            // The peer evicts its oldest entries first, so evicting a known one means no
            // unknown one is left, unless the eviction is only ours (the peer's table is
            // larger than this decoder keeps).
            self.unknown_tail = self.max > MAX_TABLE;
        }
        self.entries.push_front((name.into(), value.into()));
        self.size += cost;
        self.check_tail();
    }

    /// Name and value at `index` (1-based over the static then the dynamic table); `Err`
    /// when the index cannot exist, `Ok(None)` when it is in the unknown part.
    fn lookup(&self, index: u64) -> Result<Option<NameValue<'_>>, BadIndex> {
        let index = index as usize;
        if index == 0 {
            return Err(BadIndex);
        }
        if index <= STATIC.len() {
            let (n, v) = STATIC[index - 1];
            return Ok(Some((n.as_bytes(), v.as_bytes())));
        }
        match self.entries.get(index - STATIC.len() - 1) {
            Some((n, v)) => Ok(Some((n, v))),
            None if self.unknown_tail => Ok(None),
            None => Err(BadIndex),
        }
    }

    /// Decodes one header block, or the captured start of one (`whole` false), giving each
    /// field to `on_field`. A block that ends early or breaks the rules leaves the table
    /// out of step (see the module doc) after the fields decoded before that point.
    pub fn decode(
        &mut self,
        block: &[u8],
        whole: bool,
        mut on_field: impl FnMut(Field),
    ) -> Decoded {
        let mut d = Decoded::default();
        let mut pos = 0;
        let mut fields_seen = false;
        while pos < block.len() {
            if self
                .field(block, &mut pos, &mut fields_seen, &mut d, &mut on_field)
                .is_none()
            {
                d.broken = true;
                self.lose_step();
                return d;
            }
        }
        if !whole {
            d.broken = true;
            self.lose_step();
        }
        d
    }

    fn field(
        &mut self,
        b: &[u8],
        pos: &mut usize,
        fields_seen: &mut bool,
        d: &mut Decoded,
        on_field: &mut impl FnMut(Field),
    ) -> Option<()> {
        let first = b[*pos];
        if first & 0x80 != 0 {
            // Indexed field.
            let index = integer(b, pos, 7)?;
            *fields_seen = true;
            match self.lookup(index).ok()? {
                Some((n, v)) => on_field(Field {
                    name: Some(n),
                    value: Some(v),
                }),
                None => {
                    d.unknown += 1;
                    on_field(Field {
                        name: None,
                        value: None,
                    });
                }
            }
            return Some(());
        }
        if first & 0xe0 == 0x20 {
            // Dynamic table size update: only before the block's first field.
            let size = integer(b, pos, 5)? as usize;
            if *fields_seen || size > self.limit {
                return None;
            }
            self.resize(size);
            return Some(());
        }
        // A literal: with incremental indexing (6-bit index), without or never indexed (4).
        let indexing = first & 0xc0 == 0x40;
        let index = integer(b, pos, if indexing { 6 } else { 4 })?;
        *fields_seen = true;
        let mut name_known = true;
        let mut name = std::mem::take(&mut self.name);
        if index == 0 {
            string(b, pos, &mut name)?;
        } else {
            name.clear();
            match self.lookup(index).ok()? {
                Some((n, _)) => name.extend_from_slice(n),
                None => name_known = false,
            }
        }
        let mut value = std::mem::take(&mut self.value);
        let read = string(b, pos, &mut value);
        if read.is_some() {
            if !name_known {
                d.unknown += 1;
            }
            on_field(Field {
                name: name_known.then_some(&name[..]),
                value: Some(&value),
            });
            if indexing {
                if name_known {
                    self.insert(&name, &value);
                } else {
                    // An entry of unknown name: the positions stay known only if the
                    // entry is kept as unknown, which this table does not hold.
                    self.lose_step();
                }
            }
        }
        self.name = name;
        self.value = value;
        read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(d: &mut Decoder, block: &[u8], whole: bool) -> (Vec<(String, String)>, Decoded) {
        let mut v = Vec::new();
        let r = d.decode(block, whole, |f| {
            let s = |x: Option<&[u8]>| {
                x.map_or("?".to_string(), |b| String::from_utf8_lossy(b).into_owned())
            };
            v.push((s(f.name), s(f.value)))
        });
        (v, r)
    }

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn huffman_of_rfc_examples() {
        // RFC 7541 C.4.1: "www.example.com".
        let mut out = Vec::new();
        huffman_decode(&hex("f1e3 c2e5 f23a 6ba0 ab90 f4ff"), &mut out).unwrap();
        assert_eq!(out, b"www.example.com");
        out.clear();
        huffman_decode(&hex("a8eb 1064 9cbf"), &mut out).unwrap();
        assert_eq!(out, b"no-cache");
        // Padding longer than 7 bits, or not all ones, is an error.
        assert!(
            huffman_decode(&hex("f1e3 c2e5 f23a 6ba0 ab90 f4ff ff"), &mut Vec::new()).is_none()
        );
        assert!(huffman_decode(&[0x00], &mut Vec::new()).is_none());
        // EOS itself (30 ones) is refused.
        assert!(huffman_decode(&[0xff, 0xff, 0xff, 0xff], &mut Vec::new()).is_none());
    }

    #[test]
    fn rfc_request_examples_with_huffman() {
        // RFC 7541 C.4: three requests on one connection sharing the dynamic table.
        let mut d = Decoder::default();
        let (f, r) = fields(
            &mut d,
            &hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff"),
            true,
        );
        assert_eq!(r, Decoded::default());
        assert_eq!(f[3], (":authority".into(), "www.example.com".into()));
        assert_eq!(d.size, 57);
        let (f, _) = fields(&mut d, &hex("8286 84be 5886 a8eb 1064 9cbf"), true);
        assert_eq!(f[3], (":authority".into(), "www.example.com".into()));
        assert_eq!(f[4], ("cache-control".into(), "no-cache".into()));
        let (f, _) = fields(
            &mut d,
            &hex("8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"),
            true,
        );
        assert_eq!(f[1], (":scheme".into(), "https".into()));
        assert_eq!(f[2], (":path".into(), "/index.html".into()));
        assert_eq!(f[3], (":authority".into(), "www.example.com".into()));
        assert_eq!(f[4], ("custom-key".into(), "custom-value".into()));
        assert_eq!(d.size, 164);
    }

    #[test]
    fn responses_with_eviction() {
        // RFC 7541 C.6: a 256-octet table, entries evicted as the responses come.
        let mut d = Decoder {
            limit: 256,
            ..Decoder::default()
        };
        let (_, r) = fields(&mut d, &hex("3fe1 01"), true);
        assert_eq!((r.broken, d.max), (false, 256));
        let first = "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3";
        let (f, _) = fields(&mut d, &hex(first), true);
        assert_eq!(f[0], (":status".into(), "302".into()));
        assert_eq!(f[3], ("location".into(), "https://www.example.com".into()));
        assert_eq!(d.size, 222);
        let (f, _) = fields(&mut d, &hex("4883 640e ffc1 c0bf"), true);
        assert_eq!(f[0], (":status".into(), "307".into()));
        assert_eq!(f[1], ("cache-control".into(), "private".into()));
        assert_eq!(d.size, 222);
        assert_eq!(d.entries.len(), 4);
    }

    #[test]
    fn a_cut_block_keeps_its_start_and_loses_the_table() {
        let mut d = Decoder::default();
        // :method GET, then a literal :path "/a" indexed, cut inside the next literal.
        let block = [0x82, 0x44, 0x02, b'/', b'a', 0x40, 0x03, b'x', b'-'];
        let (f, r) = fields(&mut d, &block, false);
        assert_eq!(
            f,
            vec![
                (":method".into(), "GET".into()),
                (":path".into(), "/a".into())
            ]
        );
        assert!(r.broken && !d.in_step());
        // Index 62 was "/a" but entries the cut part added may sit before it: unknown.
        let (f, r) = fields(&mut d, &[0x82, 0xbe], true);
        assert_eq!(f[1], ("?".into(), "?".into()));
        assert_eq!(r.unknown, 1);
        // A new entry is known at 62; 63 is not.
        let (f, _) = fields(&mut d, &[0x44, 0x02, b'/', b'b', 0xbe, 0xbf], true);
        assert_eq!(f[1], (":path".into(), "/b".into()));
        assert_eq!(f[2].1, "?");
        // A size update to zero empties the table: in step again.
        let (_, r) = fields(&mut d, &[0x20, 0x3f, 0xe1, 0x1f], true);
        assert!(!r.broken && d.in_step(), "{r:?}");
        assert_eq!(d.max, 4096);
    }

    #[test]
    fn filling_the_table_brings_it_back_in_step() {
        let mut d = Decoder::default();
        d.lose_step();
        let value = vec![b'v'; 1000];
        for i in 0..4 {
            // A literal name of one letter; the value's length 1000 as a 7-bit-prefix
            // integer: 127, then 873 = 0x69 + 6 * 128.
            let mut block = vec![0x40, 0x01, b'a' + i, 0x7f, 0xe9, 0x06];
            block.extend_from_slice(&value);
            fields(&mut d, &block, true);
            // 1033 octets each: the fourth evicts the oldest known entry, so every
            // unknown (older) one went before it.
            assert_eq!(d.in_step(), i == 3, "{i}: size {}", d.size);
        }
    }

    #[test]
    fn size_updates_beyond_the_limit_and_bad_indices_break() {
        let mut d = Decoder::default();
        d.set_limit(100);
        assert!(fields(&mut d, &[0x3f, 0xe1, 0x1f], true).1.broken);
        let mut d = Decoder::default();
        assert!(
            fields(&mut d, &[0xbe], true).1.broken,
            "index 62 of an empty table"
        );
        let mut d = Decoder::default();
        assert!(fields(&mut d, &[0x80], true).1.broken, "index 0");
        // A size update after a field.
        let mut d = Decoder::default();
        assert!(fields(&mut d, &[0x82, 0x20], true).1.broken);
        // An integer that never ends.
        let mut d = Decoder::default();
        assert!(
            fields(&mut d, &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], true)
                .1
                .broken
        );
    }

    #[test]
    fn memory_stays_within_our_bound_when_the_peer_allows_more() {
        let mut d = Decoder::default();
        d.set_limit(1 << 20);
        // Size update to 1 MiB, then 100 entries of about 1 KiB.
        let mut block = vec![0x3f];
        let mut v = (1u32 << 20) - 31;
        while v >= 128 {
            block.push((v as u8 & 0x7f) | 0x80);
            v >>= 7;
        }
        block.push(v as u8);
        fields(&mut d, &block, true);
        for i in 0..100u8 {
            let mut b = vec![0x40, 0x02, b'k', i, 0x7f, 0xe9, 0x06];
            b.extend(std::iter::repeat_n(b'x', 1000));
            fields(&mut d, &b, true);
        }
        assert!(d.size <= MAX_TABLE);
        assert!(!d.in_step(), "entries the peer keeps are beyond ours");
        // The newest entry is still known.
        let (f, _) = fields(&mut d, &[0xbe], true);
        assert_eq!(f[0].0, String::from_utf8_lossy(&[b'k', 99]));
    }
}
