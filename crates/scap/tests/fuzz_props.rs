//! Fuzzing on stable Rust, in the normal test suite: the two entry points of the cargo-fuzz
//! targets in `fuzz/` (`ScapReader::new` then `next_block` until the end; `EventRef::parse`
//! then every accessor) fed with mutations of real capture prefixes, with captures made of
//! random blocks of every known type, and with plain random bytes. Nothing may panic; every
//! error must say where it happened. `PROPTEST_CASES=n` scales every property to n cases.

mod common;

use common::*;
use kinsight_scap::event::{decode_sockaddr, decode_socktuple};
use kinsight_scap::table::{self, code};
use kinsight_scap::{
    Block, Compression, EventRef, FdDetail, FdInfo, FdKind, FdList, ScapReader, ScapWriter, ThreadInfo,
};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::FileFailurePersistence;
use std::io::Cursor;
use std::sync::OnceLock;

/// How much of each real trace seeds the mutations.
const CORPUS_PREFIX: usize = 64 << 10;

fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    ProptestConfig {
        cases,
        max_shrink_iters: 2_000,
        // Failing inputs are saved next to this file (tests/fuzz_props.proptest-regressions)
        // and replayed first on the next run.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    }
}

/// Seeds: the first 64 KiB of traces of every format version (1.0, 1.1, 1.2, with section
/// options), plus a capture made by our writer, so that the suite runs without the traces.
fn corpus() -> &'static [Vec<u8>] {
    static CORPUS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut seeds = vec![synthetic_capture()];
        if traces_dir().is_some() {
            for relative in [
                "examples/ex4_php_1.scap",
                "bencer/k8s_backend_capture.scap",
                "falco/syscall.scap",
                "libs/sample.scap",
                "libs/curl_google_comments.scap",
                "falco/psp_run_as_user_0_container.scap",
            ] {
                let bytes = decompressed(&trace(relative).unwrap());
                seeds.push(bytes[..bytes.len().min(CORPUS_PREFIX)].to_vec());
                // Large traces open with more than 64 KiB of process and fd lists: a second
                // seed keeps their section header and continues at their first event.
                let spans = walk_blocks(&bytes);
                let first_event = spans.iter().find(|s| s.is_event()).unwrap().offset;
                if first_event > CORPUS_PREFIX / 2 {
                    let mut events_seed = bytes[..spans[0].end()].to_vec();
                    events_seed.extend_from_slice(&bytes[first_event..(first_event + CORPUS_PREFIX).min(bytes.len())]);
                    seeds.push(events_seed);
                }
            }
        }
        seeds
    })
}

/// A small capture with every metadata block and events of several layouts.
fn synthetic_capture() -> Vec<u8> {
    let mut w = ScapWriter::with_compression(Vec::new(), Compression::None).unwrap();
    w.write_machine_info(&Default::default()).unwrap();
    let thread = ThreadInfo {
        tid: 7,
        pid: 7,
        comm: "sh".into(),
        args: b"-c\0ls\0".to_vec(),
        loginuid: Some(0),
        ..Default::default()
    };
    w.write_process_list(&[thread]).unwrap();
    let fds = vec![
        FdInfo { fd: 0, ino: 1, kind: FdKind::File, detail: FdDetail::Name("/dev/null".into()) },
        FdInfo {
            fd: 3,
            ino: 2,
            kind: FdKind::Ipv4Sock,
            detail: FdDetail::Ipv4 { sip: [10, 0, 0, 1], dip: [10, 0, 0, 2], sport: 80, dport: 4000, l4proto: 6 },
        },
        FdInfo { fd: 4, ino: 3, kind: FdKind::Unknown, detail: FdDetail::None },
    ];
    w.write_fd_list(&FdList { tid: 7, fds }).unwrap();
    w.write_user_list(&Default::default()).unwrap();
    let tuple = [2u8, 10, 0, 0, 1, 80, 0, 10, 0, 0, 2, 160, 15];
    w.write_raw_event(0, 1, 7, code::SOCKET_CONNECT_X, &[&0i64.to_le_bytes(), &tuple, &3i64.to_le_bytes()]).unwrap();
    w.write_raw_event(1, 2, 7, code::SYSCALL_OPEN_X, &[&3i64.to_le_bytes(), b"/etc/hosts\0", &0u32.to_le_bytes()])
        .unwrap();
    w.write_raw_event(1, 3, -1, code::CONTAINER_JSON_2_E, &[b"{\"container\":{}}\0"]).unwrap();
    w.finish().unwrap()
}

/// Every block type the reader knows, and a few it does not.
const BLOCK_TYPES: &[u32] = &[
    0x0A0D_0D0A,
    0x201,
    0x8002_ABCD,
    0x202,
    0x8000_ABCD,
    0x207,
    0x8013_ABCD,
    0x209,
    0x8014_ABCD,
    0x210,
    0x211,
    0x212,
    0x213,
    0x214,
    0x215,
    0x203,
    0x8001_ABCD,
    0x218,
    0x204,
    0x8010_ABCD,
    0x216,
    0x221,
    0x208,
    0x217,
    0x222,
    0x205,
    0x8011_ABCD,
    0x219,
    0x206,
    0x8012_ABCD,
    0x220,
    0x0,
    0x300,
    0xFFFF_FFFF,
];

/// Asserts what every reader error must say: where, and in which block when known.
fn assert_well_formed(err: &kinsight_scap::ScapError, input_len: usize) {
    let text = err.to_string();
    assert!(text.starts_with(&format!("at byte offset {}", err.offset)), "{text}");
    assert!(err.offset <= input_len as u64, "offset {} past the input end {input_len}: {text}", err.offset);
    if let Some(bt) = err.block_type {
        assert!(text.contains(&format!("{} block", block_type_name(bt))), "{text}");
        assert!(text.contains(&format!("{bt:#x}")), "{text}");
    }
}

/// Calls every accessor of an event on every parameter (and one past the last).
fn touch_event(ev: &EventRef<'_>) {
    let _ = format!("{ev:?}");
    let _ = (ev.bytes().len(), ev.name(), ev.is_enter(), ev.has_nparams(), ev.info().map(|i| i.nparams()));
    for i in 0..=ev.nparams() {
        let raw = ev.param(i);
        assert_eq!(raw.is_some(), i < ev.nparams());
        let _ = (ev.u64(i), ev.i64(i), ev.str(i), ev.str_array(i), ev.sockaddr(i), ev.socktuple(i));
        if let Some(p) = raw {
            let _ = (decode_sockaddr(p), decode_socktuple(p));
        }
    }
    if let Some(info) = ev.info() {
        for param in info.params {
            if let Some(i) = ev.param_index(param.name) {
                assert!(i < ev.nparams());
            }
        }
    }
    assert_eq!(ev.param_index("no such parameter"), None);
}

/// The `scap_blocks` fuzz target: open, then read blocks until the end or the first error.
fn fuzz_blocks(data: &[u8]) {
    let mut reader = match ScapReader::new(Cursor::new(data)) {
        Ok(reader) => reader,
        Err(err) => return assert_well_formed(&err, data.len()),
    };
    loop {
        match reader.next_block() {
            Ok(None) => break,
            Ok(Some(Block::Event(ev))) => touch_event(&ev),
            Ok(Some(_)) => {}
            Err(err) => return assert_well_formed(&err, data.len()),
        }
        assert!(reader.offset() <= data.len() as u64);
    }
    assert_eq!(reader.offset(), data.len() as u64, "a clean end must be the end of the input");
}

/// The `scap_event` fuzz target: both event layouts over the same bytes.
fn fuzz_event(data: &[u8]) {
    for has_nparams in [true, false] {
        match EventRef::parse(data, has_nparams) {
            Ok(ev) => {
                assert!(ev.bytes().len() <= data.len());
                touch_event(&ev);
            }
            Err(msg) => assert!(!msg.is_empty()),
        }
    }
}

#[derive(Clone, Debug)]
enum Mutation {
    FlipBit(Index, u8),
    SetByte(Index, u8),
    /// A plausible or absurd 32-bit value (lengths, counts) written anywhere.
    SetU32(Index, u32),
    Insert(Index, Vec<u8>),
    Delete(Index, usize),
    Truncate(Index),
}

fn interesting_u32() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(0u32),
        Just(5),
        Just(12),
        Just(26),
        Just(0xFFFF),
        Just(0x1_0000),
        Just(0x7FFF_FFFF),
        Just(0xFFFF_FFFF),
        0u32..4096,
        any::<u32>(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        (any::<Index>(), any::<u8>()).prop_map(|(i, v)| Mutation::SetByte(i, v)),
        (any::<Index>(), interesting_u32()).prop_map(|(i, v)| Mutation::SetU32(i, v)),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..64)).prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<Index>(), 1usize..256).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<Index>().prop_map(Mutation::Truncate),
    ]
}

fn apply(data: &mut Vec<u8>, mutation: &Mutation) {
    if data.is_empty() {
        if let Mutation::Insert(_, bytes) = mutation {
            data.extend_from_slice(bytes);
        }
        return;
    }
    match mutation {
        Mutation::FlipBit(i, bit) => {
            let at = i.index(data.len());
            data[at] ^= 1 << bit;
        }
        Mutation::SetByte(i, v) => {
            let at = i.index(data.len());
            data[at] = *v;
        }
        Mutation::SetU32(i, v) => {
            let at = i.index(data.len());
            let end = (at + 4).min(data.len());
            data[at..end].copy_from_slice(&v.to_le_bytes()[..end - at]);
        }
        Mutation::Insert(i, bytes) => {
            let at = i.index(data.len() + 1);
            data.splice(at..at, bytes.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let at = i.index(data.len());
            let end = (at + n).min(data.len());
            data.drain(at..end);
        }
        Mutation::Truncate(i) => data.truncate(i.index(data.len() + 1)),
    }
}

/// A mutated seed; mutations are concentrated where the parsing happens by first cutting the
/// seed at a random point (most seeds are all events after the first few KiB).
fn mutated_seed() -> impl Strategy<Value = Vec<u8>> {
    (any::<Index>(), any::<Index>(), prop::collection::vec(mutation(), 1..8)).prop_map(|(seed, cut, mutations)| {
        let seeds = corpus();
        let seed = &seeds[seed.index(seeds.len())];
        let mut data = seed[..cut.index(seed.len()).max(seed.len().min(4096))].to_vec();
        for m in &mutations {
            apply(&mut data, m);
        }
        data
    })
}

/// One block: a known (or unknown) type, a random body and, mostly, a matching trailer.
fn random_block() -> impl Strategy<Value = Vec<u8>> {
    (prop::sample::select(BLOCK_TYPES), prop::collection::vec(any::<u8>(), 0..512), any::<bool>(), any::<u8>())
        .prop_map(|(block_type, body, honest, noise)| {
            let total = (12 + body.len()) as u32;
            let mut block = Vec::with_capacity(total as usize);
            block.extend_from_slice(&block_type.to_le_bytes());
            block.extend_from_slice(&total.to_le_bytes());
            block.extend_from_slice(&body);
            // Mostly a correct trailer, so that the parsers behind the framing get the body.
            let trailer = if honest || noise > 32 { total } else { total ^ noise as u32 };
            block.extend_from_slice(&trailer.to_le_bytes());
            block
        })
}

/// A section header (version 1.x, maybe with options) followed by random blocks.
fn random_blocks_capture() -> impl Strategy<Value = Vec<u8>> {
    (0u16..4, prop::collection::vec(any::<u8>(), 0..16), prop::collection::vec(random_block(), 0..12)).prop_map(
        |(minor, options, blocks)| {
            let options_len = options.len() / 4 * 4;
            let total = (28 + options_len) as u32;
            let mut data = Vec::new();
            data.extend_from_slice(&0x0A0D_0D0Au32.to_le_bytes());
            data.extend_from_slice(&total.to_le_bytes());
            data.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
            data.extend_from_slice(&1u16.to_le_bytes());
            data.extend_from_slice(&minor.to_le_bytes());
            data.extend_from_slice(&u64::MAX.to_le_bytes());
            data.extend_from_slice(&options[..options_len]);
            data.extend_from_slice(&total.to_le_bytes());
            for block in blocks {
                data.extend_from_slice(&block);
            }
            data
        },
    )
}

/// Event bytes: a header with a real (or random) event code and a parameter count, then
/// random lengths and values; or a real event cut out of a seed.
fn random_event() -> impl Strategy<Value = Vec<u8>> {
    let code = prop_oneof![0u16..table::EVENT_MAX, any::<u16>()];
    let built =
        (code, any::<u64>(), interesting_u32(), 0u32..50, prop::collection::vec(any::<u8>(), 0..300), any::<bool>())
            .prop_map(|(etype, ts, len, nparams, tail, honest_len)| {
                let mut ev = Vec::new();
                ev.extend_from_slice(&ts.to_le_bytes());
                ev.extend_from_slice(&ts.rotate_left(17).to_le_bytes());
                let real_len = (26 + tail.len()) as u32;
                ev.extend_from_slice(&(if honest_len { real_len } else { len }).to_le_bytes());
                ev.extend_from_slice(&etype.to_le_bytes());
                ev.extend_from_slice(&nparams.to_le_bytes());
                ev.extend_from_slice(&tail);
                ev
            });
    prop_oneof![built, event_from_seed()]
}

/// The bytes of one real event (old or V2 layout) from a seed, slightly mutated.
fn event_from_seed() -> impl Strategy<Value = Vec<u8>> {
    (any::<Index>(), prop::collection::vec(mutation(), 0..3)).prop_map(|(which, mutations)| {
        let events = seed_events();
        let mut data = events[which.index(events.len())].clone();
        for m in &mutations {
            apply(&mut data, m);
        }
        data
    })
}

/// The events of every seed, without their block framing (cpu and flags).
fn seed_events() -> &'static [Vec<u8>] {
    static EVENTS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    EVENTS.get_or_init(|| {
        let mut events = Vec::new();
        for seed in corpus() {
            for span in walk_blocks(seed_blocks(seed)).into_iter().filter(|s| s.is_event()) {
                let prefix = if matches!(span.block_type, 0x208 | 0x217 | 0x222) { 6 } else { 2 };
                events.push(seed[span.offset + 8 + prefix..span.end() - 4].to_vec());
            }
        }
        events
    })
}

/// The seed cut at its last complete block, so that `walk_blocks` accepts it.
fn seed_blocks(seed: &[u8]) -> &[u8] {
    let mut offset = 0;
    while offset + 8 <= seed.len() {
        let len = u32::from_le_bytes(seed[offset + 4..offset + 8].try_into().unwrap()) as usize;
        if len < 12 || offset + len > seed.len() {
            break;
        }
        offset += len;
    }
    &seed[..offset]
}

#[test]
fn seeds_read_cleanly() {
    let mut events = 0;
    for seed in corpus() {
        let blocks = seed_blocks(seed);
        fuzz_blocks(blocks);
        let mut reader = ScapReader::new(Cursor::new(blocks)).unwrap();
        while let Some(block) = reader.next_block().unwrap() {
            events += matches!(block, Block::Event(_)) as usize;
        }
    }
    assert_eq!(events, seed_events().len());
    assert!(events > 3, "{events} events in the seeds");
    eprintln!("{} seeds, {events} events", corpus().len());
}

proptest! {
    #![proptest_config(cases(4_000))]

    #[test]
    fn mutated_captures_never_panic(data in mutated_seed()) {
        fuzz_blocks(&data);
    }

    #[test]
    fn captures_of_random_blocks_never_panic(data in random_blocks_capture()) {
        fuzz_blocks(&data);
    }
}

proptest! {
    #![proptest_config(cases(6_000))]

    #[test]
    fn random_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..2048)) {
        fuzz_blocks(&data);
        fuzz_event(&data);
    }

    #[test]
    fn events_never_panic(data in random_event()) {
        fuzz_event(&data);
    }
}
