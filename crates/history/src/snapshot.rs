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
const MAGIC: &[u8] = b"kinsight-history v5\n";
/// The layout before requests of every protocol were kept (v5 added them): still read, so
/// an upgrade keeps the history it had.
const MAGIC_V4: &[u8] = b"kinsight-history v4\n";

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
        let read = input.read_exact(&mut magic).is_ok();
        let v4 = magic == MAGIC_V4;
        if !read || (magic != MAGIC && !v4) {
            return Err(SnapshotError::WrongFormat { path: p(), expected: String::from_utf8_lossy(MAGIC).trim().to_string() });
        }
        // A damaged length prefix must not make us allocate without bound: no honest
        // snapshot is larger than a few times the memory budget.
        let limit = (config.max_bytes as u64).saturating_mul(4).max(1 << 26);
        let damaged = |e: bincode::Error| SnapshotError::Damaged { path: p(), reason: e.to_string() };
        let options = bincode::DefaultOptions::new().with_limit(limit);
        let mut h: History = if v4 {
            options.deserialize_from::<_, v4::History>(GzDecoder::new(input)).map_err(damaged)?.into()
        } else {
            options.deserialize_from(GzDecoder::new(input)).map_err(damaged)?
        };
        h.catalog.rebuild_indexes();
        for t in &mut h.tiers {
            t.recount_bytes();
        }
        h.apply_config(config);
        Ok(h)
    }
}

/// The v4 layout, as far as it differs: connection counters without errors and latency, no
/// request rows, log or totals. Its HTTP totals become HTTP request totals, so that
/// `kinsight_requests_total` goes on from where `kinsight_http_requests_total` was.
mod v4 {
    use crate::counters::{ConnKey, Counters, FileCounters, FileKey, ReqProto, Side};
    use crate::tier::{Bucket as BucketV5, Rows, Tier as TierV5, TierConfig};
    use crate::totals::{LatencyHistogram, LatencyKey, RequestKey, StatusKey, Totals as TotalsV5};
    use crate::{Catalog, HistoryConfig, HttpLog, RequestLog, SeriesId};
    use rustc_hash::FxHashMap;
    use serde::Deserialize;
    use std::collections::VecDeque;

    #[derive(Deserialize)]
    pub struct History {
        config: HistoryConfig,
        catalog: Catalog,
        tiers: Vec<Tier>,
        http: HttpLog,
        totals: Totals,
        first_ns: Option<u64>,
        last_ns: u64,
        samples: u64,
        conn_totals_dropped: u64,
    }

    #[derive(Deserialize)]
    struct Tier {
        config: TierConfig,
        buckets: VecDeque<Bucket>,
        evicted: u64,
    }

    #[derive(Deserialize)]
    struct Bucket {
        index: u64,
        procs: Rows<SeriesId, Counters>,
        conns: Rows<ConnKey, ConnCounters>,
        files: Rows<FileKey, FileCounters>,
    }

    #[derive(Clone, Copy, Deserialize)]
    struct ConnCounters {
        bytes_in: u64,
        bytes_out: u64,
        requests: u32,
    }

    impl From<ConnCounters> for crate::ConnCounters {
        fn from(c: ConnCounters) -> Self {
            crate::ConnCounters { bytes_in: c.bytes_in, bytes_out: c.bytes_out, requests: c.requests, ..Default::default() }
        }
    }

    #[derive(Deserialize)]
    struct Totals {
        series: Vec<Counters>,
        conns: FxHashMap<ConnKey, ConnCounters>,
        http_status: FxHashMap<StatusKey, u64>,
        served_latency: FxHashMap<SeriesId, LatencyHistogram>,
    }

    fn conns(rows: Rows<ConnKey, ConnCounters>) -> Rows<ConnKey, crate::ConnCounters> {
        let mut v: Vec<(ConnKey, crate::ConnCounters)> = Vec::new();
        match rows {
            Rows::Open(m) => v.extend(m.into_iter().map(|(k, c)| (k, c.into()))),
            Rows::Sealed(r) => v.extend(r.into_iter().map(|(k, c)| (k, c.into()))),
        }
        v.sort_unstable_by_key(|r| r.0);
        Rows::Sealed(v)
    }

    impl From<History> for crate::History {
        fn from(h: History) -> Self {
            let tiers = h
                .tiers
                .into_iter()
                .map(|t| {
                    let buckets = t.buckets.into_iter().map(|b| BucketV5 { index: b.index, procs: b.procs, conns: conns(b.conns), files: b.files, reqs: Rows::default() }).collect();
                    TierV5::from_parts(t.config, buckets, t.evicted)
                })
                .collect();
            let mut requests: FxHashMap<RequestKey, u64> = FxHashMap::default();
            for (k, n) in &h.totals.http_status {
                *requests.entry(RequestKey { series: k.series, proto: ReqProto::Http, side: k.side, error: k.status >= 500 }).or_default() += n;
            }
            // v4 kept the latency of served requests only.
            let request_latency = h.totals.served_latency.iter().map(|(s, l)| (LatencyKey { series: *s, proto: ReqProto::Http, side: Side::Server }, l.clone())).collect();
            let totals = TotalsV5 {
                series: h.totals.series,
                conns: h.totals.conns.into_iter().map(|(k, c)| (k, c.into())).collect(),
                http_status: h.totals.http_status,
                served_latency: h.totals.served_latency,
                requests,
                request_latency,
            };
            crate::History {
                requests: RequestLog::new(h.config.http_log_capacity),
                config: h.config,
                catalog: h.catalog,
                tiers,
                http: h.http,
                totals,
                first_ns: h.first_ns,
                last_ns: h.last_ns,
                samples: h.samples,
                conn_totals_dropped: h.conn_totals_dropped,
            }
        }
    }
}
