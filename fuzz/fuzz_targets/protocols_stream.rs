//! Fuzz target: arbitrary bytes as the buffers of one connection, fed to the request tracker
//! of kinsight-protocols. The first byte picks the server port (each decoder's, or one only
//! the first bytes can decide), TCP or UDP (bit 7), and whether the client's first write is
//! the HTTP/2 preface (bit 6: so that HTTP/2 and HPACK are reached without the fuzzer
//! having to find the 24 bytes); then each buffer is a header byte (bit 0: read
//! or write; bits 1-7: how many times 64 bytes the call moved beyond those captured), a
//! length byte and that many bytes. No input may panic; every record must be well formed.
#![no_main]

use kinsight_protocols::{Ends, Tracker};
use libfuzzer_sys::fuzz_target;

const PORTS: [u16; 5] = [5432, 3306, 6379, 53, 41000];

fuzz_target!(|data: &[u8]| {
    let Some((&first, mut rest)) = data.split_first() else { return };
    let ends = Ends { local_port: 40000, remote_port: PORTS[first as usize % PORTS.len()], udp: first & 0x80 != 0 };
    let mut tracker: Tracker<u8> = Tracker::default();
    let mut out = Vec::new();
    let mut ts = 0u64;
    if first & 0x40 != 0 {
        let preface = kinsight_protocols::http2::PREFACE;
        tracker.on_io(0, ends, false, ts, preface, preface.len() as u64, || (), &mut out);
    }
    while let [head, len, tail @ ..] = rest {
        let n = (*len as usize).min(tail.len());
        let (buf, next) = tail.split_at(n);
        let uncaptured = (*head >> 1) as u64 * 64;
        ts += 1000;
        tracker.on_io(0, ends, head & 1 != 0, ts, buf, n as u64 + uncaptured, || (), &mut out);
        rest = next;
    }
    for (_, r) in &out {
        assert!(r.latency_ns <= ts, "latency beyond the input's time");
        assert!(r.operation.len() <= 256 && r.target.len() <= 256 * 4, "texts are bounded");
    }
});
