//! Damaged captures: truncated at many offsets, bytes flipped inside event blocks, block
//! lengths and trailers overwritten, files of zeros, empty files, gzip streams cut short.
//! The reader must never panic; it must deliver every event before the damage and then fail
//! with an error that names the byte offset of the damaged block and its type. What the
//! outcome should be is computed independently, by walking the block lengths of the intact
//! file (`common::walk_blocks`).

mod common;

use common::*;
use kinsight_scap::{Block, ErrorKind, ScapError, ScapReader};
use std::io::{BufRead, Cursor, Read};

/// What reading a (possibly damaged) capture gave.
struct Run {
    /// Timestamp and type of every event delivered, in order.
    events: Vec<(u64, u16)>,
    error: Option<ScapError>,
}

fn drain<R: BufRead>(reader: Result<ScapReader<R>, ScapError>) -> Run {
    let mut events = Vec::new();
    let mut reader = match reader {
        Ok(r) => r,
        Err(e) => return Run { events, error: Some(e) },
    };
    let error = loop {
        match reader.next_block() {
            Ok(None) => break None,
            Ok(Some(Block::Event(ev))) => events.push((ev.ts, ev.etype)),
            Ok(Some(_)) => {}
            Err(e) => break Some(e),
        }
    };
    Run { events, error }
}

fn read_plain(bytes: &[u8]) -> Run {
    drain(ScapReader::new(Cursor::new(bytes)))
}

fn read_any(bytes: Vec<u8>) -> Run {
    drain(ScapReader::from_read(Box::new(Cursor::new(bytes))))
}

/// What a correct reader must report for a damaged capture.
#[derive(Debug)]
struct Expected {
    /// Events delivered before the error (or in all, without one).
    events: usize,
    /// Offset of the failing block and, when its header was readable, its type.
    error: Option<(u64, Option<u32>)>,
}

/// Number of event blocks among the first `blocks` blocks.
fn events_in(spans: &[BlockSpan], blocks: usize) -> usize {
    spans[..blocks].iter().filter(|s| s.is_event()).count()
}

/// Expected outcome when block `index` of an intact capture is damaged so that it cannot
/// be read.
fn fails_at_block(spans: &[BlockSpan], index: usize) -> Expected {
    let span = spans[index];
    Expected { events: events_in(spans, index), error: Some((span.offset as u64, Some(span.block_type))) }
}

/// Expected outcome when an intact capture is cut after `cut` bytes. The type of the cut
/// block is known once the 4 bytes that hold it have been read.
fn after_truncation(spans: &[BlockSpan], cut: usize) -> Expected {
    let complete = spans.iter().take_while(|s| s.end() <= cut).count();
    if complete == spans.len() || (complete > 0 && spans[complete - 1].end() == cut) {
        return Expected { events: events_in(spans, complete), error: None };
    }
    let span = spans[complete];
    let block_type = (cut - span.offset >= 4).then_some(span.block_type);
    Expected { events: events_in(spans, complete), error: Some((span.offset as u64, block_type)) }
}

#[track_caller]
fn check(what: &str, run: &Run, expected: &Expected, reference: &[(u64, u16)]) {
    assert_eq!(run.events.len(), expected.events, "{what}: events delivered (error {:?})", run.error);
    assert_eq!(run.events[..], reference[..expected.events], "{what}: events before the damage differ");
    match (&run.error, expected.error) {
        (None, None) => {}
        (Some(err), Some((offset, block_type))) => check_error(what, err, offset, block_type),
        (got, want) => panic!("{what}: error {got:?}, expected {want:?}"),
    }
}

#[track_caller]
fn check_error(what: &str, err: &ScapError, offset: u64, block_type: Option<u32>) {
    let text = err.to_string();
    assert_eq!(err.offset, offset, "{what}: {text}");
    assert!(text.contains(&format!("byte offset {offset}")), "{what}: {text}");
    if let Some(bt) = block_type {
        assert_eq!(err.block_type, Some(bt), "{what}: {text}");
        assert!(text.contains(&format!("{} block", block_type_name(bt))), "{what}: {text}");
    }
}

/// The events of an intact capture.
fn reference_events(bytes: &[u8]) -> Vec<(u64, u16)> {
    let run = read_plain(bytes);
    assert!(run.error.is_none(), "intact capture fails: {:?}", run.error);
    run.events
}

/// A small deterministic generator (xorshift), so that failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// An intact trace, decompressed, with its blocks and its events.
struct Trace {
    name: String,
    bytes: Vec<u8>,
    spans: Vec<BlockSpan>,
    reference: Vec<(u64, u16)>,
}

fn load(relative: &str) -> Option<Trace> {
    let path = trace(relative)?;
    let bytes = decompressed(&path);
    let spans = walk_blocks(&bytes);
    let reference = reference_events(&bytes);
    assert_eq!(reference.len(), spans.iter().filter(|s| s.is_event()).count());
    Some(Trace { name: relative.to_string(), bytes, spans, reference })
}

// ---------------------------------------------------------------------------------------

/// Every 997th byte of the first 64 KiB of every trace (all of it for the small ones), and
/// every byte of the first blocks of a version-1.0 and a version-1.2 trace.
#[test]
fn truncated_captures_deliver_every_complete_event_then_fail_at_the_cut_block() {
    let mut cuts_checked = 0;
    for path in all_traces() {
        let bytes = decompressed(&path);
        let spans = walk_blocks(&bytes);
        let reference = reference_events(&bytes);
        let limit = bytes.len().min(64 << 10);
        for cut in (0..limit).step_by(997) {
            let what = format!("{} cut at {cut}", path.display());
            check(&what, &read_plain(&bytes[..cut]), &after_truncation(&spans, cut), &reference);
            cuts_checked += 1;
        }
    }
    for relative in ["examples/ex4_php_1.scap", "libs/sample.scap"] {
        let Some(Trace { name, bytes, spans, reference }) = load(relative) else { return };
        // Section header, machine info, interface list, user list and into the process list.
        let first_blocks_end = spans[4].offset + 600;
        for cut in 0..first_blocks_end {
            check(
                &format!("{name} cut at {cut}"),
                &read_plain(&bytes[..cut]),
                &after_truncation(&spans, cut),
                &reference,
            );
            cuts_checked += 1;
        }
        // Around the first event blocks: inside headers, bodies and trailers.
        let first_event = spans.iter().position(|s| s.is_event()).unwrap();
        let from = spans[first_event - 1].offset;
        for cut in from..spans[first_event + 3].end() {
            check(
                &format!("{name} cut at {cut}"),
                &read_plain(&bytes[..cut]),
                &after_truncation(&spans, cut),
                &reference,
            );
            cuts_checked += 1;
        }
    }
    assert!(cuts_checked > 3000, "{cuts_checked}");
}

/// A whole trace, every 997th byte, and deep cuts in the large one.
#[test]
fn truncated_anywhere_in_a_whole_trace() {
    let Some(Trace { name, bytes, spans, reference }) = load("libs/sample.scap") else { return };
    for cut in (0..bytes.len()).step_by(997) {
        check(&format!("{name} cut at {cut}"), &read_plain(&bytes[..cut]), &after_truncation(&spans, cut), &reference);
    }
    let Some(Trace { name, bytes, spans, reference }) = load("bencer/k8s_backend_capture.scap") else { return };
    let mut rng = Rng(0x5eed_0001);
    for _ in 0..6 {
        let cut = rng.below(bytes.len());
        check(&format!("{name} cut at {cut}"), &read_plain(&bytes[..cut]), &after_truncation(&spans, cut), &reference);
    }
}

/// Random byte flips inside event blocks (old layout and V2 layout). A flip may be harmless
/// (a parameter value, the cpu, a timestamp); if it is not, the error must name the flipped
/// block, and every event before it must have been delivered.
#[test]
fn flipped_bytes_inside_event_blocks() {
    for (relative, seed) in
        [("examples/ex4_php_1.scap", 11), ("libs/sample.scap", 12), ("falco/psp_privileged.scap", 13)]
    {
        let Some(Trace { name, bytes, spans, reference }) = load(relative) else { return };
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ seed);
        let event_blocks: Vec<usize> = (0..spans.len()).filter(|&i| spans[i].is_event()).collect();
        let (mut harmless, mut failed) = (0, 0);
        for _ in 0..250 {
            let index = event_blocks[rng.below(event_blocks.len())];
            let span = spans[index];
            let at = span.offset + rng.below(span.len);
            let mask = 1 + rng.below(255) as u8;
            // Stop the damaged copy two blocks later: what follows cannot change the outcome
            // at the flipped block, and the test stays fast.
            let end = spans.get(index + 2).map_or(bytes.len(), |s| s.end());
            let mut damaged = bytes[..end].to_vec();
            damaged[at] ^= mask;
            let what = format!("{name}: byte {at} of the block at {} xor {mask:#x}", span.offset);
            let run = read_plain(&damaged);
            let before = events_in(&spans, index);
            assert_eq!(run.events[..before.min(run.events.len())], reference[..before.min(run.events.len())], "{what}");
            match &run.error {
                Some(err) => {
                    failed += 1;
                    assert_eq!(run.events.len(), before, "{what}: {err}");
                    // The block type is the flipped one's if the flip hit the type field.
                    let block_type = u32::from_le_bytes(damaged[span.offset..span.offset + 4].try_into().unwrap());
                    check_error(&what, err, span.offset as u64, Some(block_type));
                }
                None => {
                    harmless += 1;
                    let all = events_in(&spans, spans.iter().take_while(|s| s.end() <= end).count());
                    // A flip of the block type may turn the event into a block of another kind.
                    assert!(
                        run.events.len() == all || run.events.len() == all - 1,
                        "{what}: {} events",
                        run.events.len()
                    );
                }
            }
        }
        eprintln!("{name}: {failed} flips detected, {harmless} harmless");
        assert!(failed > 30 && harmless > 30, "{name}: {failed} detected, {harmless} harmless");
    }
}

/// Overwrites the length in the header of block `index`.
fn with_block_len(bytes: &[u8], span: BlockSpan, len: u32) -> Vec<u8> {
    let mut damaged = bytes.to_vec();
    damaged[span.offset + 4..span.offset + 8].copy_from_slice(&len.to_le_bytes());
    damaged
}

#[test]
fn impossible_and_wrong_block_lengths() {
    for relative in ["examples/ex4_php_1.scap", "libs/sample.scap"] {
        let Some(Trace { name, bytes, spans, reference }) = load(relative) else { return };
        let first_event = spans.iter().position(|s| s.is_event()).unwrap();
        // Metadata blocks (machine info, process list, first fd list) and event blocks early,
        // in the middle and last.
        let targets = [1, 4, 5, first_event, first_event + 1, spans.len() / 2, spans.len() - 1];
        for index in targets {
            let span = spans[index];
            let original = span.len as u32;
            for len in [0, 5, 11, 0xFFFF_FFFF, original + 4, original - 4, original + 8] {
                let damaged = with_block_len(&bytes, span, len);
                let what = format!("{name}: block {index} at {} with length {len:#x}", span.offset);
                let run = read_plain(&damaged);
                check(&what, &run, &fails_at_block(&spans, index), &reference);
                let kind = &run.error.as_ref().unwrap().kind;
                match len {
                    0 | 5 | 11 | 0xFFFF_FFFF => assert_eq!(kind, &ErrorKind::BadBlockLength(len), "{what}"),
                    _ if index == spans.len() - 1 && len > original => {
                        assert!(matches!(kind, ErrorKind::Truncated { .. }), "{what}: {kind:?}")
                    }
                    _ => assert!(
                        matches!(kind, ErrorKind::TrailerMismatch { header, .. } if *header == len),
                        "{what}: {kind:?}"
                    ),
                }
            }
        }
    }
}

#[test]
fn mismatched_trailers() {
    let Some(Trace { name, bytes, spans, reference }) = load("examples/ex0_nginx_v1.scap") else { return };
    let mut rng = Rng(77);
    for _ in 0..40 {
        let index = 1 + rng.below(spans.len() - 1);
        let span = spans[index];
        let mut damaged = bytes.clone();
        let trailer_at = span.end() - 4;
        damaged[trailer_at] ^= 1 + rng.below(255) as u8;
        let what = format!("{name}: trailer of block {index} at {}", span.offset);
        let run = read_plain(&damaged);
        check(&what, &run, &fails_at_block(&spans, index), &reference);
        let err = run.error.unwrap();
        assert!(matches!(err.kind, ErrorKind::TrailerMismatch { .. }), "{what}: {err}");
        assert!(err.to_string().contains("trailer"), "{err}");
    }
}

#[test]
fn files_of_zeros_and_empty_files_are_not_captures() {
    for len in [0, 1, 7, 8, 12, 28, 4096, 1 << 20] {
        let run = read_plain(&vec![0u8; len]);
        assert!(run.events.is_empty());
        let err = run.error.unwrap_or_else(|| panic!("{len} zero bytes read as a capture"));
        check_error(&format!("{len} zeros"), &err, 0, None);
        assert_eq!(err.kind, ErrorKind::NotScap, "{len} zeros: {err}");
    }
    let run = read_any(Vec::new());
    assert_eq!(run.error.unwrap().kind, ErrorKind::NotScap);
}

/// A capture whose writer died: the space after the last complete block was allocated but
/// never written (zeros), from a block boundary or from the middle of a block.
#[test]
fn zeros_after_the_last_written_block() {
    let Some(Trace { name, bytes, spans, reference }) = load("examples/ex4_php_1.scap") else { return };
    for index in [3, 4, 10, spans.len() / 3, spans.len() - 2] {
        let span = spans[index];
        for zeros_from in [span.offset, span.offset + 4, span.offset + 9, span.end() - 4] {
            let mut damaged = bytes[..zeros_from].to_vec();
            damaged.resize(bytes.len(), 0);
            let what = format!("{name}: zeros from {zeros_from}");
            let run = read_plain(&damaged);
            let expected = if zeros_from == span.offset {
                // The zeroed block has type 0 and length 0.
                Expected { events: events_in(&spans, index), error: Some((span.offset as u64, Some(0))) }
            } else {
                fails_at_block(&spans, index)
            };
            check(&what, &run, &expected, &reference);
        }
    }
}

/// Reads a gzip stream by chunks until it ends or fails; returns what it yielded.
fn gunzip_prefix(gz: &[u8]) -> Vec<u8> {
    let mut decoder = flate2::read::MultiGzDecoder::new(gz);
    let mut out = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        match decoder.read(&mut chunk) {
            Ok(0) | Err(_) => return out,
            Ok(n) => out.extend_from_slice(&chunk[..n]),
        }
    }
}

#[test]
fn gzip_streams_cut_in_the_middle() {
    for relative in ["examples/ex0_nginx_v1.scap", "falco/psp_run_as_user_0_container.scap"] {
        let Some(path) = trace(relative) else { return };
        let gz = std::fs::read(&path).unwrap();
        assert!(is_gzip(&gz), "{relative} is not gzip");
        let bytes = decompressed(&path);
        let spans = walk_blocks(&bytes);
        let reference = reference_events(&bytes);
        let mut cuts: Vec<usize> = (1..20).map(|i| gz.len() * i / 20).collect();
        cuts.extend([1, 5, 10, 11, 30, gz.len() - 8, gz.len() - 1]);
        for cut in cuts {
            let what = format!("{relative}: gzip cut at {cut} of {}", gz.len());
            let available = gunzip_prefix(&gz[..cut]);
            assert!(bytes.starts_with(&available), "{what}");
            let run = read_any(gz[..cut].to_vec());
            let mut expected = after_truncation(&spans, available.len());
            let block_start = spans.iter().take_while(|s| s.end() <= available.len()).last().map_or(0, |s| s.end());
            if available.len() - block_start < 8 {
                // The decompressor failed inside a block header (or just before it): the
                // reader gets an I/O error instead of a short header, and the type is unknown.
                expected.error = Some((block_start as u64, None));
            }
            check(&what, &run, &expected, &reference);
            if cut > 20 {
                assert!(matches!(run.error.as_ref().unwrap().kind, ErrorKind::Io(_)), "{what}: {:?}", run.error);
            }
        }
    }
}

/// A flip anywhere in a truncated-and-damaged copy never panics and always fails cleanly
/// or reads to the end; reading after an error does not panic either.
#[test]
fn reading_on_after_an_error_does_not_panic() {
    let Some(Trace { bytes, spans, .. }) = load("libs/sample.scap") else { return };
    let mut rng = Rng(4242);
    for _ in 0..200 {
        let mut damaged = bytes[..spans[spans.len() / 4].end()].to_vec();
        for _ in 0..3 {
            let at = rng.below(damaged.len());
            damaged[at] ^= 1 + rng.below(255) as u8;
        }
        let Ok(mut reader) = ScapReader::new(Cursor::new(&damaged[..])) else { continue };
        let mut errors = 0;
        for _ in 0..spans.len() {
            match reader.next_block() {
                Ok(None) => break,
                Ok(Some(_)) => {}
                Err(e) => {
                    assert!(e.to_string().starts_with("at byte offset "), "{e}");
                    errors += 1;
                    if errors > 5 {
                        break;
                    }
                }
            }
        }
    }
}
