//! The store's promises: totals over any range are the sums of what was recorded in it
//! (exact where a fine enough tier still holds the edges), tiers stay within their length
//! and the memory budget, limits fold extra names into overflow entries, and a snapshot
//! brings everything back.

use kinsight_history::*;

const S: u64 = 1_000_000_000;
/// Some time in 2016, like the shared captures: not aligned to anything in particular.
const T0: u64 = 1_481_211_700 * S;

fn small_config() -> HistoryConfig {
    HistoryConfig {
        tiers: vec![
            TierConfig { resolution_ns: S, buckets: 10 },
            TierConfig { resolution_ns: 10 * S, buckets: 6 },
            TierConfig { resolution_ns: 60 * S, buckets: 100 },
        ],
        ..HistoryConfig::default()
    }
}

fn key(pid: i64) -> ProcessKey {
    ProcessKey { container: Some("abcdef012345".into()), pid }
}

/// Records `seconds` samples, one per second from T0: series `a` moves `sec + 1` network
/// bytes in second `sec`, so any range's total is known in closed form.
fn fill(h: &mut History, seconds: u64) -> SeriesId {
    let a = h.catalog.intern_series(key(1), "nginx", "nginx -g daemon off;", T0);
    for sec in 0..seconds {
        let c = Counters { net_in: sec + 1, cpu_ticks: 1, rss_kb: 1000 + sec as u32, ..Default::default() };
        h.record(Sample { ts_ns: T0 + sec * S, procs: vec![(a, c)], ..Default::default() });
    }
    a
}

/// Sum of `sec + 1` for the seconds whose start lies in [from, to).
fn expected(from_sec: u64, to_sec: u64) -> u64 {
    (from_sec..to_sec).map(|s| s + 1).sum()
}

#[test]
fn recent_ranges_are_exact_to_the_second() {
    let mut h = History::new(HistoryConfig::default());
    let a = fill(&mut h, 300);
    for (from, to) in [(0, 300), (3, 17), (59, 61), (120, 240), (299, 300), (7, 8)] {
        let t = h.series_totals(T0 + from * S, T0 + to * S);
        assert_eq!(t[a as usize].net_in, expected(from, to), "range {from}..{to}");
        assert_eq!(t[a as usize].cpu_ticks as u64, to - from, "range {from}..{to}");
        // The gauge is the last sample inside the range.
        assert_eq!(t[a as usize].rss_kb, 1000 + to as u32 - 1, "range {from}..{to}");
    }
}

#[test]
fn old_ranges_fall_back_to_coarser_tiers() {
    let mut h = History::new(small_config());
    let a = fill(&mut h, 600);
    // The 1 s tier holds only the last 10 s, the 10 s tier the last minute.
    assert!(h.tiers()[0].len() <= 10 && h.tiers()[1].len() <= 6);
    // Aligned to minutes: exact from the 1 min tier alone.
    let base = T0 - T0 % (60 * S);
    let off = (T0 - base) / S; // seconds of T0 past its minute
    let from = base + 120 * S;
    let to = base + 300 * S;
    let t = h.series_totals(from, to);
    assert_eq!(t[a as usize].net_in, expected(120 - off, 300 - off));
    let spans = h.cover(from, to);
    assert_eq!(spans, vec![Span { tier: 2, first: from / (60 * S), end: to / (60 * S) }]);
    // Unaligned old edges round outward to the minute that holds them.
    let t = h.series_totals(from + 5 * S, to - 5 * S);
    assert_eq!(t[a as usize].net_in, expected(120 - off, 300 - off));
    // Recent unaligned edges are exact: the last 10 s are still in the 1 s tier.
    let end = T0 + 600 * S;
    let t = h.series_totals(end - 7 * S, end);
    assert_eq!(t[a as usize].net_in, expected(593, 600));
}

#[test]
fn tiers_drop_what_is_older_than_they_cover() {
    let mut h = History::new(small_config());
    fill(&mut h, 100);
    let newest = h.tiers()[0].extent_ns().unwrap().1;
    // A late sample older than the 1 s tier's ring still reaches the coarser tiers.
    let a = h.catalog.series_id(&key(1)).unwrap();
    let before = h.series_totals(T0, T0 + 100 * S)[a as usize].net_in;
    h.record(Sample { ts_ns: T0 + 50 * S, procs: vec![(a, Counters { net_in: 1_000_000, ..Default::default() })], ..Default::default() });
    assert_eq!(h.tiers()[0].extent_ns().unwrap().1, newest, "an old sample does not move the fine tier");
    let after = h.series_totals(T0, T0 + 100 * S)[a as usize].net_in;
    assert_eq!(after, before + 1_000_000);
}

#[test]
fn memory_stays_within_the_budget() {
    let budget = 200_000;
    let mut h = History::new(HistoryConfig { max_bytes: budget, ..HistoryConfig::default() });
    let ids: Vec<SeriesId> = (0..50).map(|p| h.catalog.intern_series(key(p), "p", "p", T0)).collect();
    for sec in 0..2000 {
        let procs = ids.iter().map(|&id| (id, Counters { net_out: 1, ..Default::default() })).collect();
        h.record(Sample { ts_ns: T0 + sec * S, procs, ..Default::default() });
        // One open bucket per tier may be over before the next eviction.
        assert!(h.heap_bytes() <= budget + 3 * 50 * 128, "at {sec}s: {} bytes", h.heap_bytes());
    }
    assert!(h.tiers().iter().map(|t| t.evicted).sum::<u64>() > 0, "the budget forced evictions");
    // The newest data is still there.
    let t = h.series_totals(T0 + 1990 * S, T0 + 2000 * S);
    assert_eq!(t[ids[0] as usize].net_out, 10);
}

#[test]
fn limits_fold_extra_names_into_overflow_entries() {
    let mut h = History::new(HistoryConfig { max_series: 3, max_files: 2, ..HistoryConfig::default() });
    let a = h.catalog.intern_series(key(1), "a", "a", T0);
    let b = h.catalog.intern_series(key(2), "b", "b", T0);
    let c = h.catalog.intern_series(key(3), "c", "c", T0);
    let d = h.catalog.intern_series(key(4), "d", "d", T0);
    assert_ne!(a, b);
    assert_eq!(c, d, "past the limit, processes share one series");
    assert_eq!(h.catalog.series(c).unwrap().name, catalog::OVERFLOW_SERIES_NAME);
    assert_eq!(h.catalog.intern_series(key(1), "a", "a", T0), a, "known processes keep their series");
    let f1 = h.catalog.intern_file("/etc/hosts");
    let f2 = h.catalog.intern_file("/etc/passwd");
    let f3 = h.catalog.intern_file("/etc/group");
    assert_ne!(f1, f2);
    assert_eq!(f2, f3);
    assert_eq!(h.catalog.file(f3), Some(catalog::OVERFLOW_FILE_NAME));
}

#[test]
fn timeline_picks_a_tier_that_holds_the_start() {
    let mut h = History::new(small_config());
    fill(&mut h, 600);
    let end = T0 + 600 * S;
    let t = h.timeline(end - 10 * S, end, 100).unwrap();
    assert_eq!(t.resolution_ns, S);
    let t = h.timeline(end - 60 * S, end, 100).unwrap();
    assert_eq!(t.resolution_ns, 10 * S, "the 1 s tier no longer holds a minute ago");
    let t = h.timeline(end - 60 * S, end, 3).unwrap();
    assert_eq!(t.resolution_ns, 60 * S, "too many points at 10 s");
    let buckets: Vec<_> = h.timeline_buckets(&h.timeline(T0, end, 1000).unwrap()).collect();
    assert!(buckets.windows(2).all(|w| w[0].index < w[1].index));
}

fn tx(ts: u64, series: SeriesId, status: u16) -> HttpTx {
    HttpTx { ts_ns: ts, series, side: Side::Server, method: "GET".into(), url: "/".into(), status, latency_ns: 2_000_000, size_bytes: 10, conn: None }
}

#[test]
fn http_log_is_bounded_and_in_time_order() {
    let mut h = History::new(HistoryConfig { http_log_capacity: 3, ..HistoryConfig::default() });
    let a = h.catalog.intern_series(key(1), "a", "a", T0);
    h.record(Sample { ts_ns: T0, http: vec![tx(T0 + 5, a, 200), tx(T0 + 1, a, 500), tx(T0 + 3, a, 200), tx(T0 + 4, a, 404)], ..Default::default() });
    let ts: Vec<u64> = h.http.range(0, u64::MAX).map(|t| t.ts_ns - T0).collect();
    assert_eq!(ts, vec![3, 4, 5]);
    assert_eq!(h.http.dropped, 1);
    // Totals count every transaction, even those the log no longer holds.
    let served = &h.totals.served_latency[&a];
    assert_eq!(served.count(), 4);
    assert_eq!(served.counts[0], 4, "2 ms is in the first bucket (<= 5 ms)");
    assert_eq!(h.totals.http_status[&StatusKey { series: a, side: Side::Server, status: 500 }], 1);
}

#[test]
fn snapshots_bring_everything_back() {
    let dir = std::env::temp_dir().join(format!("kinsight-history-test-{}", std::process::id()));
    let path = dir.join("history.bin.gz");
    let mut h = History::new(small_config());
    let a = fill(&mut h, 100);
    h.catalog.upsert_pod(PodMeta { uid: "u1".into(), name: "backend-1".into(), namespace: "critical-app".into(), ..Default::default() });
    let f = h.catalog.intern_file("/var/log/nginx/access.log");
    let conn = ConnKey { proto: Proto::Tcp, client: "172.17.0.7".parse().unwrap(), server: "172.17.0.5".parse().unwrap(), server_port: 80, observer: a, side: Side::Server };
    h.record(Sample {
        ts_ns: T0 + 100 * S,
        conns: vec![(conn, ConnCounters { bytes_in: 100, bytes_out: 850, requests: 1, ..Default::default() })],
        files: vec![(FileKey { series: a, file: f }, FileCounters { read: 0, write: 120 })],
        http: vec![tx(T0 + 100 * S, a, 200)],
        ..Default::default()
    });
    h.save(&path).unwrap();
    let mut back = History::load(&path, small_config()).unwrap();
    assert_eq!(back.data_range(), h.data_range());
    assert_eq!(back.series_totals(T0, T0 + 200 * S), h.series_totals(T0, T0 + 200 * S));
    assert_eq!(back.catalog.pods, h.catalog.pods);
    assert_eq!(back.catalog.series_id(&key(1)), Some(a), "lookups work after loading");
    assert_eq!(back.catalog.intern_file("/var/log/nginx/access.log"), f);
    assert_eq!(back.http.len(), 1);
    assert_eq!(back.totals.conns[&conn].bytes_out, 850);
    assert!(back.heap_bytes() > 0, "loaded buckets are counted against the budget");
    // A shorter retention trims what was loaded.
    let mut shorter = small_config();
    shorter.tiers[2].buckets = 1;
    let trimmed = History::load(&path, shorter).unwrap();
    assert_eq!(trimmed.tiers()[2].len(), 1);

    // Not a snapshot, and a damaged one: clear errors, no panic.
    std::fs::write(dir.join("junk"), b"hello").unwrap();
    let e = History::load(&dir.join("junk"), small_config()).unwrap_err();
    assert!(matches!(e, SnapshotError::WrongFormat { .. }), "{e}");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(dir.join("cut"), &bytes[..bytes.len() / 2]).unwrap();
    let e = History::load(&dir.join("cut"), small_config()).unwrap_err();
    assert!(matches!(e, SnapshotError::Damaged { .. }), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

fn req(ts: u64, series: SeriesId, proto: ReqProto, side: Side, error: bool, latency_ms: u64) -> RequestTx {
    RequestTx {
        ts_ns: ts,
        series,
        side,
        proto,
        operation: "SELECT".into(),
        target: "SELECT ?".into(),
        status: if error { "42P01".into() } else { "OK".into() },
        error,
        latency_ns: latency_ms * 1_000_000,
        request_bytes: 30,
        response_bytes: 60,
        conn: None,
    }
}

#[test]
fn requests_are_counted_per_series_and_protocol() {
    let mut h = History::new(small_config());
    let a = h.catalog.intern_series(key(1), "app", "app", T0);
    let b = h.catalog.intern_series(key(2), "postgres", "postgres", T0);
    let quiet = h.catalog.intern_series(key(3), "sleep", "sleep", T0);
    for s in 0..4 {
        let t = T0 + s * S;
        h.record(Sample {
            ts_ns: t,
            procs: vec![(a, Counters { http_in: 3, http_in_errors: 1, http_in_latency_us: 3000, ..Default::default() }), (quiet, Counters { cpu_ticks: 1, ..Default::default() })],
            http: vec![tx(t, a, 200), tx(t, a, 200), tx(t, a, 502)],
            requests: vec![req(t, a, ReqProto::Postgres, Side::Client, false, 2), req(t, a, ReqProto::Postgres, Side::Client, true, 4), req(t, b, ReqProto::Postgres, Side::Server, true, 3), req(t, a, ReqProto::Dns, Side::Client, false, 1)],
            ..Default::default()
        });
    }
    // Per protocol, over the last two seconds.
    let pg = h.request_totals(T0 + 2 * S, T0 + 4 * S, Some(ReqProto::Postgres));
    assert_eq!(pg[a as usize].0, ReqCounters { sent: 4, sent_errors: 2, sent_latency_us: 12_000, ..Default::default() });
    assert_eq!(pg[b as usize].0, ReqCounters { served: 2, served_errors: 2, served_latency_us: 6000, ..Default::default() });
    assert_eq!(pg[a as usize].1, ReqProto::Http.bit() | ReqProto::Postgres.bit() | ReqProto::Dns.bit(), "the protocols spoken, whatever the one asked");
    // Every protocol: HTTP/1 comes from the process rows.
    let all = h.request_totals(T0, T0 + 4 * S, None);
    assert_eq!(all[a as usize].0, ReqCounters { served: 12, served_errors: 4, served_latency_us: 12_000, sent: 12, sent_errors: 4, sent_latency_us: 28_000 });
    assert_eq!(all[quiet as usize], (ReqCounters::default(), 0));
    let http = h.request_totals(T0, T0 + 4 * S, Some(ReqProto::Http));
    assert_eq!(http[a as usize].0.served, 12);
    assert_eq!(http[b as usize].0, ReqCounters::default());
    // Rows only for the processes and protocols that had requests: HTTP/1 is not repeated.
    let b0 = h.tiers()[0].range(0, u64::MAX).next().unwrap();
    assert_eq!(b0.reqs.len(), 3, "app/postgres, app/dns, postgres/postgres");
    // Totals, for Prometheus: every request by protocol, direction and outcome.
    let n = |series, proto, side, error| h.totals.requests.get(&RequestKey { series, proto, side, error }).copied().unwrap_or(0);
    assert_eq!(n(a, ReqProto::Http, Side::Server, true), 4);
    assert_eq!(n(a, ReqProto::Http, Side::Server, false), 8);
    assert_eq!(n(a, ReqProto::Postgres, Side::Client, true), 4);
    assert_eq!(n(b, ReqProto::Postgres, Side::Server, true), 4);
    let lat = &h.totals.request_latency[&LatencyKey { series: a, proto: ReqProto::Postgres, side: Side::Client }];
    assert_eq!((lat.count(), lat.sum_ns), (8, 4 * 6_000_000));
    assert_eq!(h.requests.len(), 16);
    assert!(h.requests.range(0, u64::MAX).all(|r| r.proto != ReqProto::Http), "HTTP/1 is in the HTTP log");
    // And back from a snapshot.
    let dir = std::env::temp_dir().join(format!("kinsight-history-req-{}", std::process::id()));
    let path = dir.join("h.bin.gz");
    h.save(&path).unwrap();
    let back = History::load(&path, small_config()).unwrap();
    assert_eq!(back.request_totals(T0, T0 + 4 * S, None), all);
    assert_eq!(back.totals.requests, h.totals.requests);
    assert_eq!(back.requests.len(), 16);
    std::fs::remove_dir_all(&dir).ok();
}

/// tests/data/v4.snapshot was written by the store before requests of every protocol were
/// kept (three seconds of an nginx serving two requests a second, one failing, over one
/// connection view): it still loads, and its HTTP totals carry on as request totals.
#[test]
fn snapshots_of_the_previous_layout_still_load() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/v4.snapshot");
    let h = History::load(&path, HistoryConfig::default()).unwrap();
    let a = h.catalog.series_id(&ProcessKey { container: Some("c1".into()), pid: 7 }).expect("the series is named");
    let (from, to) = h.data_range().unwrap();
    assert_eq!(to - from, 3 * S);
    let c = h.series_totals(from, to)[a as usize];
    assert_eq!((c.cpu_ticks, c.net_in, c.http_in, c.http_in_errors), (15, 300, 6, 3));
    assert_eq!(h.request_totals(from, to, None)[a as usize].0, ReqCounters { served: 6, served_errors: 3, served_latency_us: 12_000, ..Default::default() });
    let conn = h.totals.conns.values().next().unwrap();
    assert_eq!((conn.bytes_in, conn.bytes_out, conn.requests, conn.errors), (300, 2550, 6, 0));
    assert_eq!(h.totals.requests[&RequestKey { series: a, proto: ReqProto::Http, side: Side::Server, error: true }], 3);
    assert_eq!(h.totals.requests[&RequestKey { series: a, proto: ReqProto::Http, side: Side::Server, error: false }], 3);
    assert_eq!(h.totals.request_latency[&LatencyKey { series: a, proto: ReqProto::Http, side: Side::Server }].count(), 6);
    assert_eq!(h.http.len(), 6);
    assert!(h.heap_bytes() > 0);
}
