//! Errors of the scap reader: every one says where in the (decompressed) stream it happened
//! and in which block, so that a user can find the damage with a hex editor.

use std::fmt;

/// What went wrong while decoding a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The underlying file could not be read (I/O error text).
    Io(String),
    /// The stream does not start with a scap section header block.
    NotScap,
    /// The section header's byte-order magic is not 0x1A2B3C4D.
    BadMagic(u32),
    /// A major version this reader does not understand.
    UnsupportedVersion { major: u16, minor: u16 },
    /// The stream ended in the middle of a block.
    Truncated { needed: u64, available: u64 },
    /// A block's total length is smaller than its header or not plausible.
    BadBlockLength(u32),
    /// The length repeated after a block's body differs from the one in its header.
    TrailerMismatch { header: u32, trailer: u32 },
    /// A block body or event is internally inconsistent.
    Corrupt(String),
}

/// A decoding error with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScapError {
    /// Byte offset in the uncompressed stream where the failing block starts.
    pub offset: u64,
    /// Block type being decoded, if the header was read.
    pub block_type: Option<u32>,
    pub kind: ErrorKind,
}

impl ScapError {
    pub(crate) fn new(offset: u64, block_type: Option<u32>, kind: ErrorKind) -> Self {
        ScapError { offset, block_type, kind }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Io(e) => write!(f, "read error: {e}"),
            ErrorKind::NotScap => write!(f, "not a scap capture (no section header block)"),
            ErrorKind::BadMagic(m) => write!(f, "bad byte-order magic {m:#010x}"),
            ErrorKind::UnsupportedVersion { major, minor } => {
                write!(f, "unsupported scap version {major}.{minor}")
            }
            ErrorKind::Truncated { needed, available } => {
                write!(f, "truncated: block needs {needed} bytes, only {available} left")
            }
            ErrorKind::BadBlockLength(l) => write!(f, "implausible block length {l}"),
            ErrorKind::TrailerMismatch { header, trailer } => {
                write!(f, "block length {header} in header but {trailer} in trailer")
            }
            ErrorKind::Corrupt(what) => write!(f, "corrupt block: {what}"),
        }
    }
}

impl fmt::Display for ScapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.block_type {
            Some(bt) => write!(
                f,
                "at byte offset {} ({} block, type {:#x}): {}",
                self.offset,
                crate::block::block_type_name(bt),
                bt,
                self.kind
            ),
            None => write!(f, "at byte offset {}: {}", self.offset, self.kind),
        }
    }
}

impl std::error::Error for ScapError {}

pub type Result<T> = std::result::Result<T, ScapError>;
