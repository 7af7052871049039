//! Helpers shared by the scap integration tests: where the real traces are, their
//! decompressed bytes, and an independent walk over block boundaries (it trusts only the
//! block lengths, not the reader under test).
#![allow(dead_code)] // each test crate uses a different subset

use std::io::Read;
use std::path::{Path, PathBuf};

/// Directory of the public sysdig traces: `$KINSIGHT_TRACES`, else `/work/shared/traces`.
/// None (and a notice on stderr) when it is absent, so that the tests skip instead of failing
/// on machines without the data.
pub fn traces_dir() -> Option<PathBuf> {
    let dir =
        std::env::var_os("KINSIGHT_TRACES").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/work/shared/traces"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("NOTICE: trace directory {} not found (set KINSIGHT_TRACES); skipping", dir.display());
        None
    }
}

/// Every `.scap` file under the trace directory, sorted.
pub fn all_traces() -> Vec<PathBuf> {
    let Some(dir) = traces_dir() else { return Vec::new() };
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "scap") {
                out.push(path);
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no .scap files in the trace directory");
    out
}

/// One trace by its path relative to the trace directory, if the directory exists.
pub fn trace(relative: &str) -> Option<PathBuf> {
    let path = traces_dir()?.join(relative);
    assert!(path.is_file(), "{} missing", path.display());
    Some(path)
}

pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.len() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
}

/// The file's bytes, gunzipped if they are gzip.
pub fn decompressed(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap();
    if !is_gzip(&raw) {
        return raw;
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out).unwrap();
    out
}

/// Where one block lies in a capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockSpan {
    pub offset: usize,
    pub block_type: u32,
    pub len: usize,
}

impl BlockSpan {
    pub fn end(&self) -> usize {
        self.offset + self.len
    }
    pub fn is_event(&self) -> bool {
        is_event_block_type(self.block_type)
    }
}

/// Event block types of every format version (kept apart from the crate's own table on
/// purpose: the tests must not share the reader's mistakes).
pub fn is_event_block_type(bt: u32) -> bool {
    matches!(bt, 0x204 | 0x8010_ABCD | 0x208 | 0x216 | 0x217 | 0x221 | 0x222)
}

/// Walks a well-formed capture by its block lengths alone.
pub fn walk_blocks(bytes: &[u8]) -> Vec<BlockSpan> {
    let mut spans = Vec::new();
    let mut offset = 0;
    while offset + 8 <= bytes.len() {
        let block_type = u32::from_le_bytes(bytes[offset..offset + 4].try_into().unwrap());
        let len = u32::from_le_bytes(bytes[offset + 4..offset + 8].try_into().unwrap()) as usize;
        assert!(len >= 12 && offset + len <= bytes.len(), "bad block at {offset} in a good file");
        spans.push(BlockSpan { offset, block_type, len });
        offset += len;
    }
    assert_eq!(offset, bytes.len(), "trailing bytes after the last block");
    spans
}

/// The human name the reader must give a block type in its errors.
pub fn block_type_name(bt: u32) -> &'static str {
    match bt {
        0x0A0D_0D0A => "section header",
        0x201 | 0x8002_ABCD => "machine info",
        0x202 | 0x8000_ABCD | 0x207 | 0x8013_ABCD | 0x209 | 0x8014_ABCD | 0x210..=0x215 => "process list",
        0x203 | 0x8001_ABCD | 0x218 => "fd list",
        0x204 | 0x8010_ABCD | 0x216 | 0x221 => "event",
        0x208 | 0x217 | 0x222 => "event with flags",
        0x205 | 0x8011_ABCD | 0x219 => "interface list",
        0x206 | 0x8012_ABCD | 0x220 => "user list",
        _ => "unknown",
    }
}

/// Is `program` on PATH?
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// A path in the temp directory unique to this process and `name`; removed on drop.
pub struct TempFile(pub PathBuf);

impl TempFile {
    pub fn new(name: &str) -> TempFile {
        TempFile(std::env::temp_dir().join(format!("kinsight-scap-test-{}-{name}", std::process::id())))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
