//! Events built in the scap byte layout, so that live events are the very type captures
//! hold: the 26-byte header (timestamp, thread id, length, type, parameter count), one
//! length per parameter (16-bit, or 32-bit for `LARGE_PAYLOAD` event types) and the values.

use kinsight_scap::event::HEADER_LEN;
use kinsight_scap::table;
use kinsight_scap::EventRef;

/// A reusable buffer that encodes one event at a time.
#[derive(Default)]
pub struct EventBuf {
    values: Vec<u8>,
    lens: Vec<u32>,
    out: Vec<u8>,
    ts: u64,
    tid: i64,
    etype: u16,
}

impl EventBuf {
    pub fn new() -> EventBuf {
        EventBuf::default()
    }

    /// Starts an event; add its parameters in table order, then call [`EventBuf::finish`].
    pub fn begin(&mut self, ts: u64, tid: i64, etype: u16) -> &mut Self {
        self.values.clear();
        self.lens.clear();
        self.ts = ts;
        self.tid = tid;
        self.etype = etype;
        self
    }

    /// A raw parameter value. Values longer than a 16-bit length holds are cut (only
    /// `LARGE_PAYLOAD` events have 32-bit lengths).
    pub fn bytes(&mut self, v: &[u8]) -> &mut Self {
        let large = table::event_info(self.etype).is_some_and(|i| i.has_large_payload());
        let v = if large { v } else { &v[..v.len().min(u16::MAX as usize)] };
        self.values.extend_from_slice(v);
        self.lens.push(v.len() as u32);
        self
    }

    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.bytes(&[v])
    }
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    pub fn i32(&mut self, v: i32) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    pub fn i64(&mut self, v: i64) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }

    /// A string parameter: the text and its NUL terminator, as drivers write them.
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.str_bytes(s.as_bytes())
    }

    /// A string parameter from raw bytes (paths need not be UTF-8); stops at an inner NUL.
    pub fn str_bytes(&mut self, s: &[u8]) -> &mut Self {
        let end = s.iter().position(|&b| b == 0).unwrap_or(s.len());
        let large = table::event_info(self.etype).is_some_and(|i| i.has_large_payload());
        let end = if large { end } else { end.min(u16::MAX as usize - 1) };
        self.values.extend_from_slice(&s[..end]);
        self.values.push(0);
        self.lens.push(end as u32 + 1);
        self
    }

    /// Lays the event out and returns its bytes (valid until the next `begin`).
    pub fn finish(&mut self) -> &[u8] {
        let large = table::event_info(self.etype).is_some_and(|i| i.has_large_payload());
        let width = if large { 4 } else { 2 };
        let len = HEADER_LEN + self.lens.len() * width + self.values.len();
        let out = &mut self.out;
        out.clear();
        out.extend_from_slice(&self.ts.to_le_bytes());
        out.extend_from_slice(&self.tid.to_le_bytes());
        out.extend_from_slice(&(len as u32).to_le_bytes());
        out.extend_from_slice(&self.etype.to_le_bytes());
        out.extend_from_slice(&(self.lens.len() as u32).to_le_bytes());
        for &l in &self.lens {
            if large {
                out.extend_from_slice(&l.to_le_bytes());
            } else {
                out.extend_from_slice(&(l as u16).to_le_bytes());
            }
        }
        out.extend_from_slice(&self.values);
        out
    }

    /// The event just finished, decoded.
    pub fn event(&self) -> EventRef<'_> {
        EventRef::parse(&self.out, true).expect("events built here are well formed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kinsight_scap::table::code;

    #[test]
    fn built_events_parse_back() {
        let mut b = EventBuf::new();
        b.begin(7, 42, code::SYSCALL_READ_X).i64(5).bytes(b"hello");
        let bytes = b.finish().to_vec();
        let ev = EventRef::parse(&bytes, true).unwrap();
        assert_eq!((ev.ts, ev.tid, ev.name(), ev.nparams()), (7, 42, "read", 2));
        assert_eq!(ev.i64(0), Some(5));
        assert_eq!(ev.param(1), Some(&b"hello"[..]));

        b.begin(1, 1, code::SYSCALL_OPENAT_2_X).i64(3).i64(-100).str("/etc/passwd").u32(1).u32(0).u32(0).u64(9);
        b.finish();
        let ev = b.event();
        assert_eq!(ev.str(2).as_deref(), Some("/etc/passwd"));
        assert_eq!(ev.u64(6), Some(9));
    }

    #[test]
    fn large_payload_events_keep_long_values() {
        let mut b = EventBuf::new();
        let json = "x".repeat(70_000);
        b.begin(1, 1, code::CONTAINER_JSON_2_E).str(&json);
        b.finish();
        assert_eq!(b.event().str(0).unwrap().len(), 70_000);
        // A 16-bit event cuts what does not fit.
        b.begin(1, 1, code::SYSCALL_WRITE_X).i64(1).bytes(&vec![0u8; 70_000]);
        b.finish();
        assert_eq!(b.event().param(1).unwrap().len(), u16::MAX as usize);
    }
}
