//! Streaming reader of a capture: plain or gzip, any number of sections, blocks yielded in
//! file order. It holds one block in memory at a time, so captures of any size read in
//! constant memory.

use crate::block::{self, *};
use crate::error::{ErrorKind, Result, ScapError};
use crate::event::EventRef;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// Blocks larger than this are taken as corruption rather than allocated.
const MAX_BLOCK_LEN: u32 = 256 << 20;

/// One block of a capture.
#[derive(Debug)]
pub enum Block<'a> {
    Section(SectionHeader),
    MachineInfo(MachineInfo),
    ProcessList(Vec<ThreadInfo>),
    FdList(FdList),
    InterfaceList(Vec<Interface>),
    UserList(UserList),
    Event(EventRef<'a>),
    /// A block type this reader does not know; skipped, as libscap does.
    Unknown { block_type: u32, len: u32 },
}

/// Reads the blocks of a capture from any byte stream.
pub struct ScapReader<R> {
    input: R,
    /// Uncompressed offset of the next block.
    offset: u64,
    section: SectionHeader,
    buf: Vec<u8>,
    events: u64,
    /// Bytes of the input buffer that hold the block returned last (decoded in place) and
    /// are released when the next block is asked for.
    consume_pending: usize,
}

impl ScapReader<Box<dyn BufRead + Send>> {
    /// Opens a capture file, decompressing it if it is gzip.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| {
            ScapError::new(0, None, ErrorKind::Io(format!("{}: {e}", path.display())))
        })?;
        Self::from_read(Box::new(file))
    }

    /// Wraps any byte stream, decompressing it if it starts with the gzip magic.
    pub fn from_read(input: Box<dyn Read + Send>) -> Result<Self> {
        // Large reads: fewer system calls per megabyte of capture.
        let mut buffered = BufReader::with_capacity(1 << 20, input);
        let head = buffered
            .fill_buf()
            .map_err(|e| ScapError::new(0, None, ErrorKind::Io(e.to_string())))?;
        let gz = head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b;
        let stream: Box<dyn BufRead + Send> = if gz {
            Box::new(BufReader::with_capacity(1 << 16, flate2::bufread::MultiGzDecoder::new(buffered)))
        } else {
            Box::new(buffered)
        };
        ScapReader::new(stream)
    }
}

impl<R: BufRead> ScapReader<R> {
    /// Reads the first section header; fails if the stream is not a capture.
    pub fn new(input: R) -> Result<Self> {
        let mut r = ScapReader { input, offset: 0, section: SectionHeader::default(), buf: Vec::new(), events: 0, consume_pending: 0 };
        let not_scap = || ScapError::new(0, None, ErrorKind::NotScap);
        match r.read_header() {
            Ok(Some((SHB, len))) => {
                r.section = r.read_section_header(len)?;
                Ok(r)
            }
            // Bytes that do not open with a section header (a file of zeros, a text file) are
            // not a capture: say so, rather than complain about their first "block length".
            Err(e) if e.block_type != Some(SHB) && !matches!(e.kind, ErrorKind::Io(_)) => Err(not_scap()),
            Err(e) => Err(e),
            Ok(Some(_) | None) => Err(not_scap()),
        }
    }

    /// The header of the current section.
    pub fn section(&self) -> &SectionHeader {
        &self.section
    }

    /// Uncompressed byte offset of the next block.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Number of event blocks read so far.
    pub fn events_read(&self) -> u64 {
        self.events
    }

    /// Reads the next block header; None at a clean end of stream.
    fn read_header(&mut self) -> Result<Option<(u32, u32)>> {
        let mut hdr = [0u8; 8];
        let got = read_full(&mut self.input, &mut hdr)
            .map_err(|e| ScapError::new(self.offset, None, ErrorKind::Io(e.to_string())))?;
        if got == 0 {
            return Ok(None);
        }
        if got < 8 {
            // The block type is known as soon as its 4 bytes are there.
            let bt = (got >= 4).then(|| u32::from_le_bytes(hdr[..4].try_into().unwrap()));
            return Err(ScapError::new(
                self.offset,
                bt,
                ErrorKind::Truncated { needed: 8, available: got as u64 },
            ));
        }
        let bt = u32::from_le_bytes(hdr[..4].try_into().unwrap());
        let len = u32::from_le_bytes(hdr[4..].try_into().unwrap());
        if !(12..=MAX_BLOCK_LEN).contains(&len) {
            return Err(ScapError::new(self.offset, Some(bt), ErrorKind::BadBlockLength(len)));
        }
        Ok(Some((bt, len)))
    }

    /// Reads the body and trailer of a block of total length `len` into `self.buf`
    /// (body only) and advances the offset.
    fn read_body(&mut self, bt: u32, len: u32) -> Result<()> {
        let rest = (len - 8) as usize;
        // Grow the buffer with the bytes actually read, not to the length the header claims:
        // a corrupt length in a short file must not allocate up to MAX_BLOCK_LEN.
        self.buf.clear();
        let got = (&mut self.input)
            .take(rest as u64)
            .read_to_end(&mut self.buf)
            .map_err(|e| ScapError::new(self.offset, Some(bt), ErrorKind::Io(e.to_string())))?;
        if got < rest {
            return Err(ScapError::new(
                self.offset,
                Some(bt),
                ErrorKind::Truncated { needed: len as u64, available: 8 + got as u64 },
            ));
        }
        let trailer = u32::from_le_bytes(self.buf[rest - 4..].try_into().unwrap());
        if trailer != len {
            return Err(ScapError::new(
                self.offset,
                Some(bt),
                ErrorKind::TrailerMismatch { header: len, trailer },
            ));
        }
        self.buf.truncate(rest - 4);
        Ok(())
    }

    fn read_section_header(&mut self, len: u32) -> Result<SectionHeader> {
        let at = self.offset;
        self.read_body(SHB, len)?;
        self.offset += len as u64;
        if self.buf.len() < 16 {
            return Err(ScapError::new(at, Some(SHB), ErrorKind::BadBlockLength(len)));
        }
        let magic = u32::from_le_bytes(self.buf[..4].try_into().unwrap());
        if magic != SHB_MAGIC {
            return Err(ScapError::new(at, Some(SHB), ErrorKind::BadMagic(magic)));
        }
        let major = u16::from_le_bytes([self.buf[4], self.buf[5]]);
        let minor = u16::from_le_bytes([self.buf[6], self.buf[7]]);
        if major != 1 {
            return Err(ScapError::new(at, Some(SHB), ErrorKind::UnsupportedVersion { major, minor }));
        }
        // Anything after the fixed 16 bytes is options (comments and the like): skipped.
        Ok(SectionHeader { major, minor, options_len: (self.buf.len() - 16) as u32 })
    }

    /// A whole, well-framed event block at the front of the input buffer: (type, length).
    fn buffered_event_block(&mut self) -> Option<(u32, usize, block::EventBlockLayout)> {
        let avail = self.input.fill_buf().ok()?;
        if avail.len() < 8 {
            return None;
        }
        let bt = u32::from_le_bytes(avail[..4].try_into().unwrap());
        let len = u32::from_le_bytes(avail[4..8].try_into().unwrap());
        let layout = block::event_block_layout(bt)?;
        let l = len as usize;
        if !(12..=MAX_BLOCK_LEN).contains(&len) || avail.len() < l {
            return None;
        }
        (u32::from_le_bytes(avail[l - 4..l].try_into().unwrap()) == len).then_some((bt, l, layout))
    }

    /// The next block, or None at the end of the capture.
    pub fn next_block(&mut self) -> Result<Option<Block<'_>>> {
        if self.consume_pending > 0 {
            self.input.consume(self.consume_pending);
            self.consume_pending = 0;
        }
        // Fast path: event blocks are decoded where they lie in the input buffer, without a
        // copy. Anything unusual (a block split across buffer refills, a metadata block, a
        // damaged frame) takes the general path below, which reports errors precisely.
        if let Some((bt, len, layout)) = self.buffered_event_block() {
            let at = self.offset;
            self.offset += len as u64;
            self.events += 1;
            self.consume_pending = len;
            let avail = self.input.fill_buf().map_err(|e| ScapError::new(at, Some(bt), ErrorKind::Io(e.to_string())))?;
            let body = &avail[8..len - 4];
            return EventRef::from_block(body, layout)
                .map(|ev| Some(Block::Event(ev)))
                .map_err(|msg| ScapError::new(at, Some(bt), ErrorKind::Corrupt(msg)));
        }
        let Some((bt, len)) = self.read_header()? else {
            return Ok(None);
        };
        let at = self.offset;
        if bt == SHB {
            self.section = self.read_section_header(len)?;
            return Ok(Some(Block::Section(self.section.clone())));
        }
        self.read_body(bt, len)?;
        self.offset += len as u64;
        let corrupt = |msg: String| ScapError::new(at, Some(bt), ErrorKind::Corrupt(msg));
        let body = &self.buf[..];
        let block = if let Some(layout) = block::event_block_layout(bt) {
            self.events += 1;
            Block::Event(EventRef::from_block(body, layout).map_err(corrupt)?)
        } else {
            match bt {
                MI | MI_INT => Block::MachineInfo(parse_machine_info(body).map_err(corrupt)?),
                PL_V1 | PL_V1_INT | PL_V2 | PL_V2_INT | PL_V3 | PL_V3_INT | PL_V4 | PL_V5
                | PL_V6 | PL_V7 | PL_V8 | PL_V9 => {
                    Block::ProcessList(parse_process_list(bt, body).map_err(corrupt)?)
                }
                FDL | FDL_INT | FDL_V2 => Block::FdList(parse_fd_list(bt, body).map_err(corrupt)?),
                IL | IL_INT | IL_V2 => {
                    Block::InterfaceList(parse_interface_list(bt, body).map_err(corrupt)?)
                }
                UL | UL_INT | UL_V2 => Block::UserList(parse_user_list(bt, body).map_err(corrupt)?),
                _ => Block::Unknown { block_type: bt, len },
            }
        };
        Ok(Some(block))
    }
}

/// Reads until `buf` is full or the stream ends; returns how much was read.
fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
