//! Snapshots: the whole store written to one file (a magic line, then gzip'd bincode),
//! replaced atomically, so that a restart of `kinsight up` keeps its history.

use crate::{History, HistoryConfig};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;
use bincode::Options;

/// First bytes of a snapshot file; the version changes whenever the layout does.
const MAGIC: &[u8] = b"kinsight-history v4\n";

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: not a kinsight history snapshot of this version (expected header {expected:?})")]
    WrongFormat { path: String, expected: String },
    #[error("{path}: damaged snapshot: {reason}")]
    Damaged { path: String, reason: String },
}

impl History {
    /// Writes the store to `path` (through a temporary file in the same directory, renamed
    /// over the old snapshot, so a crash never leaves half a snapshot behind).
    pub fn save(&self, path: &Path) -> Result<(), SnapshotError> {
        let io = |source| SnapshotError::Io { path: path.display().to_string(), source };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let tmp = path.with_extension("tmp");
        let file = File::create(&tmp).map_err(io)?;
        let mut out = BufWriter::new(file);
        out.write_all(MAGIC).map_err(io)?;
        let mut gz = GzEncoder::new(out, flate2::Compression::fast());
        bincode::DefaultOptions::new().serialize_into(&mut gz, self).map_err(|e| SnapshotError::Damaged { path: tmp.display().to_string(), reason: e.to_string() })?;
        let out = gz.finish().map_err(io)?;
        out.into_inner().map_err(|e| io(e.into_error()))?.sync_all().map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)?;
        Ok(())
    }

    /// Reads a snapshot and applies `config` to it (a smaller retention trims it).
    pub fn load(path: &Path, config: HistoryConfig) -> Result<History, SnapshotError> {
        let p = || path.display().to_string();
        let file = File::open(path).map_err(|source| SnapshotError::Io { path: p(), source })?;
        let mut input = BufReader::new(file);
        let mut magic = vec![0u8; MAGIC.len()];
        if input.read_exact(&mut magic).is_err() || magic != MAGIC {
            return Err(SnapshotError::WrongFormat { path: p(), expected: String::from_utf8_lossy(MAGIC).trim().to_string() });
        }
        // A damaged length prefix must not make us allocate without bound: no honest
        // snapshot is larger than a few times the memory budget.
        let limit = (config.max_bytes as u64).saturating_mul(4).max(1 << 26);
        let mut h: History = bincode::DefaultOptions::new()
            .with_limit(limit)
            .deserialize_from(GzDecoder::new(input)).map_err(|e| SnapshotError::Damaged { path: p(), reason: e.to_string() })?;
        h.catalog.rebuild_indexes();
        for t in &mut h.tiers {
            t.recount_bytes();
        }
        h.apply_config(config);
        Ok(h)
    }
}
