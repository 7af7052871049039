//! Cutting one direction of a connection into messages, when each buffer holds only the
//! first bytes of what the call moved.
//!
//! A message whose length its header declares is followed across buffers; when the bytes
//! not captured fall inside it, the message is handed over as the prefix that was captured
//! and its remaining bytes are skipped as they come, so the next message is found where it
//! starts. When the bytes not captured go beyond the message (the rest of the buffer's
//! messages are unknown), the stream is lost until a buffer starts with something the
//! protocol calls a plausible message start: system calls of request/response protocols
//! carry whole messages, so a buffer's first byte is almost always a message's first byte.

use crate::Chunk;

/// What a protocol says of the bytes at the start of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Head {
    /// Not enough bytes to know the message's length.
    Need,
    /// The whole message, header included, is this long.
    Len(u64),
    /// Not a message of this protocol: the stream is lost.
    Bad,
}

/// One message, or the captured prefix of one.
pub(crate) struct Msg<'a> {
    /// The bytes captured (the whole message when `complete`).
    pub bytes: &'a [u8],
    /// Its length as declared by its header (more than `bytes` when it was cut).
    pub len: u64,
    /// When its first byte was seen.
    pub ts: u64,
}

/// What happened to the stream while feeding one buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Fed {
    /// Bytes went by whose messages are unknown.
    pub lost: bool,
    /// The buffer was skipped whole because the stream was lost and it does not look like
    /// the start of a message.
    pub ignored: bool,
}

/// Prefix of a message kept while waiting for the rest: a message longer than this is
/// decoded from its first bytes (enough for every header and statement kept) and the rest
/// is skipped, so memory stays bounded whatever a header declares.
pub(crate) const MAX_PREFIX: usize = 16 * 1024;

#[derive(Debug, Default)]
pub(crate) struct Framer {
    /// The start of a message whose end has not come yet.
    buf: Vec<u8>,
    buf_ts: u64,
    /// Bytes of a message already handed over that are still to come.
    skip: u64,
    lost: bool,
    /// The other direction carried data since this one's last buffer.
    peer_spoke: bool,
}

impl Framer {
    /// The other direction of the connection carried data. In a request/response
    /// protocol a peer answers a message only once it is whole, so a message still awaited
    /// here after that was declared longer than it is (bytes that lie): the next buffer
    /// that starts like a message starts afresh.
    pub fn peer_spoke(&mut self) {
        self.peer_spoke = true;
    }

    /// Feeds one buffer; `on_msg` gets every message it completes or cuts.
    pub fn feed(&mut self, chunk: Chunk, head: impl Fn(&[u8]) -> Head, plausible: impl Fn(&[u8]) -> bool, mut on_msg: impl FnMut(Msg)) -> Fed {
        let mut fed = Fed::default();
        let mut data = chunk.data;
        let mut gap = chunk.gap();
        let peer_spoke = std::mem::take(&mut self.peer_spoke);
        if peer_spoke && (self.skip > 0 || !self.buf.is_empty()) && !data.is_empty() && plausible(data) {
            self.skip = 0;
            self.buf.clear();
        }
        if self.lost {
            if data.is_empty() || !plausible(data) {
                fed.ignored = true;
                return fed;
            }
            self.lost = false;
            self.buf.clear();
            self.skip = 0;
        }
        if self.skip > 0 {
            let n = self.skip.min(data.len() as u64);
            data = &data[n as usize..];
            self.skip -= n;
            if self.skip > 0 {
                // The whole buffer was the rest of the message; so may be its missing bytes.
                if gap <= self.skip {
                    self.skip -= gap;
                } else {
                    self.lose(&mut fed);
                }
                return fed;
            }
        }
        if self.buf.is_empty() {
            self.buf_ts = chunk.ts;
        }
        self.buf.extend_from_slice(data);
        let mut pos = 0;
        while pos < self.buf.len() {
            let rest = &self.buf[pos..];
            match head(rest) {
                Head::Bad => {
                    self.lose(&mut fed);
                    return fed;
                }
                Head::Need => {
                    if rest.len() > MAX_PREFIX {
                        // A header that never ends is no header.
                        self.lose(&mut fed);
                        return fed;
                    }
                    break;
                }
                Head::Len(len) => {
                    let have = rest.len() as u64;
                    if have >= len {
                        let len_usize = len as usize;
                        on_msg(Msg { bytes: &rest[..len_usize], len, ts: self.buf_ts });
                        pos += len_usize;
                        self.buf_ts = chunk.ts;
                    } else if have as usize >= MAX_PREFIX {
                        on_msg(Msg { bytes: rest, len, ts: self.buf_ts });
                        self.skip = len - have;
                        pos = self.buf.len();
                    } else {
                        break;
                    }
                }
            }
        }
        self.buf.drain(..pos);
        if gap == 0 {
            return fed;
        }
        // Bytes were moved beyond those captured.
        if !self.buf.is_empty() {
            match head(&self.buf) {
                Head::Len(len) => {
                    let have = self.buf.len() as u64;
                    let missing = len.saturating_sub(have);
                    on_msg(Msg { bytes: &self.buf, len, ts: self.buf_ts });
                    self.buf.clear();
                    if gap <= missing {
                        self.skip = missing - gap;
                    } else {
                        self.lose(&mut fed);
                    }
                }
                _ => self.lose(&mut fed),
            }
            return fed;
        }
        if self.skip > 0 {
            if gap <= self.skip {
                self.skip -= gap;
                gap = 0;
            } else {
                gap -= self.skip;
                self.skip = 0;
            }
        }
        if gap > 0 {
            self.lose(&mut fed);
        }
        fed
    }

    fn lose(&mut self, fed: &mut Fed) {
        self.lost = true;
        self.buf.clear();
        self.skip = 0;
        fed.lost = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy protocol: one length byte, then that many bytes.
    fn head(b: &[u8]) -> Head {
        match b.first() {
            None => Head::Need,
            Some(0) => Head::Bad,
            Some(&n) => Head::Len(n as u64 + 1),
        }
    }

    fn feed(f: &mut Framer, data: &[u8], full: u64) -> (Vec<(Vec<u8>, bool)>, Fed) {
        let mut out = Vec::new();
        let fed = f.feed(Chunk { ts: 0, data, full_len: full }, head, |b| b[0] != 0, |m| out.push((m.bytes.to_vec(), m.bytes.len() as u64 == m.len)));
        (out, fed)
    }

    #[test]
    fn messages_across_buffers_and_cut_ones() {
        let mut f = Framer::default();
        let (m, _) = feed(&mut f, &[2, b'a', b'b', 3, b'x'], 5);
        assert_eq!(m, vec![(vec![2, b'a', b'b'], true)]);
        let (m, _) = feed(&mut f, b"yz", 2);
        assert_eq!(m, vec![(vec![3, b'x', b'y', b'z'], true)]);
        // A message of 10 bytes: 3 captured, 2 moved but not captured, its 5 others skipped.
        let (m, fed) = feed(&mut f, &[9, 1, 2], 5);
        assert_eq!((m, fed.lost), (vec![(vec![9, 1, 2], false)], false));
        let (m, _) = feed(&mut f, &[7, 7, 7, 7, 7, 1, b'k'], 7);
        assert_eq!(m, vec![(vec![1, b'k'], true)]);
        // Missing bytes beyond the message: lost until a plausible start.
        let (_, fed) = feed(&mut f, &[1, b'k'], 50);
        assert!(fed.lost);
        let (m, fed) = feed(&mut f, &[0, 0], 2);
        assert!(m.is_empty() && fed.ignored);
        let (m, _) = feed(&mut f, &[1, b'q'], 2);
        assert_eq!(m, vec![(vec![1, b'q'], true)]);
    }
}
