//! One event as it lies in a capture (or arrives from the live driver): the 26-byte header
//! (22 bytes in old blocks without a parameter count) followed by the parameter lengths and
//! the parameter values. `EventRef` borrows the bytes and knows where each parameter is;
//! typed accessors decode values on demand, so events that nobody looks at cost nothing.

use crate::block::EventBlockLayout;
use crate::table::{self, code};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Events carry at most this many parameters; longer lists are an error.
pub const MAX_PARAMS: usize = 48;

/// Size of the event header with its parameter count (block types V2 and later).
pub const HEADER_LEN: usize = 26;
/// Size of the event header in old blocks, which have no parameter count.
pub const HEADER_LEN_V1: usize = 22;

/// A decoded event that borrows its bytes.
#[derive(Clone, Copy)]
pub struct EventRef<'a> {
    /// Timestamp in nanoseconds since the epoch.
    pub ts: u64,
    /// Thread that generated the event.
    pub tid: i64,
    /// Event code (index into the event table).
    pub etype: u16,
    /// CPU the event was captured on.
    pub cpu: u16,
    /// Per-event flags of EVF blocks (0 otherwise).
    pub flags: u32,
    nparams: u8,
    /// The header carries the parameter count (false for events of old blocks).
    has_nparams: bool,
    /// Parameter lengths are 4 bytes wide (large-payload events of V2 blocks), else 2.
    wide_lengths: bool,
    data: &'a [u8],
}

impl std::fmt::Debug for EventRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventRef")
            .field("ts", &self.ts)
            .field("tid", &self.tid)
            .field("type", &self.name())
            .field("nparams", &self.nparams)
            .finish()
    }
}

fn le_u16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn le_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}
fn le_u64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

impl<'a> EventRef<'a> {
    /// Decodes the body of an event block (cpu id, optional flags, event).
    pub(crate) fn from_block(body: &'a [u8], layout: EventBlockLayout) -> Result<Self, String> {
        let prefix = if layout.has_flags { 6 } else { 2 };
        if body.len() < prefix {
            return Err("event block shorter than its cpu/flags prefix".into());
        }
        let cpu = le_u16(body, 0);
        let flags = if layout.has_flags { le_u32(body, 2) } else { 0 };
        let mut ev = Self::parse(&body[prefix..], layout.has_nparams)?;
        ev.cpu = cpu;
        ev.flags = flags;
        Ok(ev)
    }

    /// Decodes an event that starts at `bytes[0]`, in the current layout (with a parameter
    /// count) when `has_nparams`, else in the old layout whose parameter count is deduced
    /// from the event table and the event length, as libscap does.
    pub fn parse(bytes: &'a [u8], has_nparams: bool) -> Result<Self, String> {
        let hdr = if has_nparams { HEADER_LEN } else { HEADER_LEN_V1 };
        if bytes.len() < hdr {
            return Err(format!("event of {} bytes is shorter than its {hdr}-byte header", bytes.len()));
        }
        let ts = le_u64(bytes, 0);
        let tid = le_u64(bytes, 8) as i64;
        let mut len = le_u32(bytes, 16) as usize;
        let etype = le_u16(bytes, 20);
        if !has_nparams && (etype == code::NOTIFICATION_E || etype == code::INFRASTRUCTURE_EVENT_E) {
            // Old writers over-counted the length of these two events by 3 bytes.
            len = len.saturating_sub(3);
        }
        if len < hdr || len > bytes.len() {
            return Err(format!(
                "event length {len} outside the header {hdr} .. block {} bytes",
                bytes.len()
            ));
        }
        let data = &bytes[..len];
        let info = table::event_info(etype);
        let large = has_nparams && info.is_some_and(|i| i.has_large_payload());
        let width = if large { 4 } else { 2 };
        let nparams = if has_nparams {
            le_u32(bytes, 22) as usize
        } else {
            match info {
                Some(info) => infer_nparams(data, info.nparams())?,
                None => 0,
            }
        };
        if nparams > MAX_PARAMS {
            return Err(format!("event type {etype} claims {nparams} parameters"));
        }
        let mut pos = hdr + nparams * width;
        if pos > len {
            return Err(format!("{nparams} parameter lengths do not fit in an event of {len} bytes"));
        }
        for i in 0..nparams {
            let at = hdr + i * width;
            let plen = if large { le_u32(data, at) as usize } else { le_u16(data, at) as usize };
            pos += plen;
            if pos > len {
                return Err(format!(
                    "parameter {i} of event type {etype} ends at {pos}, past the event end {len}"
                ));
            }
        }
        Ok(EventRef { ts, tid, etype, cpu: 0, flags: 0, nparams: nparams as u8, has_nparams, wide_lengths: large, data })
    }

    /// The raw bytes of the event, header included.
    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }

    /// Whether the header carries the parameter count (events of V2 blocks and later);
    /// `EventRef::parse(ev.bytes(), ev.has_nparams())` decodes the same event again.
    pub fn has_nparams(&self) -> bool {
        self.has_nparams
    }

    pub fn nparams(&self) -> usize {
        self.nparams as usize
    }

    pub fn info(&self) -> Option<&'static table::EventInfo> {
        table::event_info(self.etype)
    }

    /// The event name as sysdig prints it (`open`, `read`, ...), or `<unknown>`.
    pub fn name(&self) -> &'static str {
        self.info().map_or("<unknown>", |i| i.name)
    }

    /// True for enter events (even codes), false for exit events.
    pub fn is_enter(&self) -> bool {
        self.etype & 1 == 0
    }

    /// The bytes of parameter `i`, or None if the event has fewer parameters.
    #[inline]
    pub fn param(&self, i: usize) -> Option<&'a [u8]> {
        if i >= self.nparams as usize {
            return None;
        }
        // Offsets are not stored (events are small and most parameters are never read):
        // the value starts after the lengths array and the values before it. `parse`
        // checked that every value lies inside the event.
        let hdr = if self.has_nparams { HEADER_LEN } else { HEADER_LEN_V1 };
        let n = self.nparams as usize;
        let len_at = |k: usize| -> usize {
            if self.wide_lengths {
                le_u32(self.data, hdr + k * 4) as usize
            } else {
                le_u16(self.data, hdr + k * 2) as usize
            }
        };
        let mut start = hdr + n * if self.wide_lengths { 4 } else { 2 };
        for k in 0..i {
            start += len_at(k);
        }
        Some(&self.data[start..start + len_at(i)])
    }

    #[inline]
    pub fn u64(&self, i: usize) -> Option<u64> {
        let p = self.param(i)?;
        Some(match p.len() {
            8 => u64::from_le_bytes(p.try_into().ok()?),
            4 => u32::from_le_bytes(p.try_into().ok()?) as u64,
            2 => u16::from_le_bytes(p.try_into().ok()?) as u64,
            1 => p[0] as u64,
            _ => return None,
        })
    }

    /// A signed integer parameter of any width, sign-extended.
    #[inline]
    pub fn i64(&self, i: usize) -> Option<i64> {
        let p = self.param(i)?;
        Some(match p.len() {
            8 => i64::from_le_bytes(p.try_into().ok()?),
            4 => i32::from_le_bytes(p.try_into().ok()?) as i64,
            2 => i16::from_le_bytes(p.try_into().ok()?) as i64,
            1 => p[0] as i8 as i64,
            _ => return None,
        })
    }

    /// A string parameter (NUL terminator dropped), lossily decoded.
    pub fn str(&self, i: usize) -> Option<std::borrow::Cow<'a, str>> {
        let p = self.param(i)?;
        let end = p.iter().position(|&c| c == 0).unwrap_or(p.len());
        Some(String::from_utf8_lossy(&p[..end]))
    }

    /// A string-array parameter (NUL-separated: execve args, env, cgroups).
    pub fn str_array(&self, i: usize) -> Vec<std::borrow::Cow<'a, str>> {
        match self.param(i) {
            None => Vec::new(),
            Some(p) => p
                .split(|&c| c == 0)
                .filter(|s| !s.is_empty())
                .map(String::from_utf8_lossy)
                .collect(),
        }
    }

    pub fn sockaddr(&self, i: usize) -> Option<SockAddr> {
        decode_sockaddr(self.param(i)?)
    }

    pub fn socktuple(&self, i: usize) -> Option<SockTuple> {
        decode_socktuple(self.param(i)?)
    }

    /// Index of the parameter called `name` in this event's table entry, if the event
    /// carries it (old captures may carry fewer parameters than the table lists).
    pub fn param_index(&self, name: &str) -> Option<usize> {
        let idx = self.info()?.param_index(name)?;
        (idx < self.nparams()).then_some(idx)
    }
}

/// In old blocks the parameter count is the largest count, starting from the table's, whose
/// lengths add up exactly to the event length: parameters appended to an event code by later
/// versions of the driver are absent from older captures.
fn infer_nparams(data: &[u8], table_nparams: usize) -> Result<usize, String> {
    let end = data.len();
    for n in (0..=table_nparams.min(MAX_PARAMS)).rev() {
        let mut pos = HEADER_LEN_V1 + n * 2;
        if pos > end {
            continue;
        }
        for i in 0..n {
            pos += le_u16(data, HEADER_LEN_V1 + i * 2) as usize;
        }
        if pos == end {
            return Ok(n);
        }
        if pos < end {
            break;
        }
    }
    Err("parameter lengths match no parameter count of this event type".into())
}

/// Socket families as the driver encodes them.
pub const AF_UNIX: u8 = 1;
pub const AF_INET: u8 = 2;
pub const AF_INET6: u8 = 10;

/// A socket address parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SockAddr {
    Ip(IpAddr, u16),
    Unix(String),
    Other(u8),
}

/// A connection tuple parameter: source → destination as the driver saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SockTuple {
    Ip { sip: IpAddr, sport: u16, dip: IpAddr, dport: u16 },
    Unix { source: u64, dest: u64, path: String },
    Other(u8),
}

fn ipv4(b: &[u8]) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))
}
fn ipv6(b: &[u8]) -> IpAddr {
    let a: [u8; 16] = b[..16].try_into().unwrap();
    let v6 = Ipv6Addr::from(a);
    // IPv4-mapped addresses are IPv4 connections made on IPv6 sockets.
    match v6.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(v6),
    }
}

fn nul_str(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

pub fn decode_sockaddr(p: &[u8]) -> Option<SockAddr> {
    let fam = *p.first()?;
    Some(match fam {
        AF_INET if p.len() >= 7 => SockAddr::Ip(ipv4(&p[1..5]), le_u16(p, 5)),
        AF_INET6 if p.len() >= 19 => SockAddr::Ip(ipv6(&p[1..17]), le_u16(p, 17)),
        AF_UNIX => SockAddr::Unix(nul_str(&p[1..])),
        other => SockAddr::Other(other),
    })
}

pub fn decode_socktuple(p: &[u8]) -> Option<SockTuple> {
    let fam = *p.first()?;
    Some(match fam {
        AF_INET if p.len() >= 13 => SockTuple::Ip {
            sip: ipv4(&p[1..5]),
            sport: le_u16(p, 5),
            dip: ipv4(&p[7..11]),
            dport: le_u16(p, 11),
        },
        AF_INET6 if p.len() >= 37 => SockTuple::Ip {
            sip: ipv6(&p[1..17]),
            sport: le_u16(p, 17),
            dip: ipv6(&p[19..35]),
            dport: le_u16(p, 35),
        },
        AF_UNIX if p.len() >= 17 => SockTuple::Unix {
            source: le_u64(p, 1),
            dest: le_u64(p, 9),
            path: nul_str(&p[17..]),
        },
        other => SockTuple::Other(other),
    })
}
