//! Arbitrary bytes, and real recordings mutated, split and cut anywhere, never make a
//! decoder panic; and a stream cut at the snaplen picks up again at the next message.

mod common;

use kinsight_protocols::{Ends, Tracker};
use proptest::prelude::*;

/// The server ports of every decoder, and one that only the first bytes can decide.
const PORTS: [u16; 5] = [5432, 3306, 6379, 53, 41000];

fn feed_all(port: u16, udp: bool, bufs: &[(bool, Vec<u8>, u64)]) -> usize {
    let mut t: Tracker<u8> = Tracker::default();
    let mut out = Vec::new();
    let ends = Ends { local_port: 40000, remote_port: port, udp };
    for (ts, (is_read, data, extra)) in bufs.iter().enumerate() {
        t.on_io(1, ends, *is_read, ts as u64, data, data.len() as u64 + extra, || (), &mut out);
    }
    out.len()
}

fn buffers() -> impl Strategy<Value = Vec<(bool, Vec<u8>, u64)>> {
    prop::collection::vec((any::<bool>(), prop::collection::vec(any::<u8>(), 0..300), prop_oneof![Just(0u64), 0..100_000u64, Just(u32::MAX as u64)]), 0..40)
}

/// A recording's server port, whether it is UDP, and its chunks as (is_read for the
/// client, bytes).
type Recording = (u16, bool, Vec<(bool, Vec<u8>)>);

/// The recordings' chunks; gRPC and HTTP/2 on a port only their first bytes decide.
fn recordings() -> Vec<Recording> {
    [("postgres.rec", 5432, false), ("mysql.rec", 3306, false), ("redis.rec", 6379, false), ("dns_udp.rec", 53, true), ("dns_tcp.rec", 53, false), ("grpc.rec", 41000, false), ("http2.rec", 41000, false)]
        .into_iter()
        .map(|(f, port, udp)| {
            let chunks = common::load(f);
            // Only the first connections: enough to reach every state, fast to replay.
            let first: Vec<(bool, Vec<u8>)> = chunks.into_iter().filter(|c| c.conn <= 3).take(120).map(|c| (!c.from_client, c.data)).collect();
            (port, udp, first)
        })
        .collect()
}

/// HTTP/2 frames with valid headers and arbitrary payloads after the client's preface: the
/// frame, stream and HPACK paths that random bytes (which never start with the preface)
/// cannot reach. Each buffer: from the client or not, frames, bytes moved beyond them.
fn http2_buffers() -> impl Strategy<Value = Vec<(bool, Vec<u8>, u64)>> {
    let frame = (0u8..11, any::<u8>(), prop_oneof![Just(0u32), 1u32..8, Just(u32::MAX)], prop::collection::vec(any::<u8>(), 0..120)).prop_map(|(kind, flags, stream, payload)| {
        let len = payload.len() as u32;
        let mut f = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
        f.extend_from_slice(&stream.to_be_bytes());
        f.extend(payload);
        f
    });
    prop::collection::vec((any::<bool>(), prop::collection::vec(frame, 1..4), prop_oneof![Just(0u64), 0..200u64]), 0..30).prop_map(|bufs| {
        let mut out = vec![(false, kinsight_protocols::http2::PREFACE.to_vec(), 0)];
        out.extend(bufs.into_iter().map(|(from_client, frames, extra)| (!from_client, frames.concat(), extra)));
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_http2_frames(bufs in http2_buffers()) {
        feed_all(41000, false, &bufs);
    }

    #[test]
    fn random_buffers_on_every_port(bufs in buffers(), port in prop::sample::select(PORTS.to_vec()), udp in any::<bool>()) {
        feed_all(port, udp, &bufs);
    }

    #[test]
    fn mutated_recordings(which in 0usize..7, edits in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..20), snaplen in prop_oneof![Just(0usize), 1usize..200]) {
        let recs = recordings();
        let (port, udp, chunks) = &recs[which];
        let mut bufs: Vec<(bool, Vec<u8>, u64)> = chunks.iter().map(|(r, d)| (*r, d.clone(), 0)).collect();
        for (chunk, at, byte, kind) in edits {
            let (_, data, _) = &mut bufs[chunk.index(chunks.len())];
            if data.is_empty() { continue; }
            let i = at.index(data.len());
            match kind {
                0 => data[i] = byte,
                1 => data[i] ^= 1 << (byte % 8),
                2 => data.truncate(i),
                _ => data.splice(i..i, [0xff, 0xff, 0xff, 0x7f]).for_each(drop),
            }
        }
        if snaplen > 0 {
            for (_, data, extra) in &mut bufs {
                if data.len() > snaplen {
                    *extra = (data.len() - snaplen) as u64;
                    data.truncate(snaplen);
                }
            }
        }
        feed_all(*port, *udp, &bufs);
    }
}

#[test]
fn a_garbage_buffer_does_not_desync_forever() {
    // Redis commands, one buffer of noise claiming a huge bulk, then commands again.
    let mut bufs = Vec::new();
    for _ in 0..3 {
        bufs.push((false, b"*1\r\n$4\r\nPING\r\n".to_vec(), 0));
        bufs.push((true, b"+PONG\r\n".to_vec(), 0));
    }
    bufs.push((false, b"*2\r\n$3\r\nGET\r\n$999999\r\nabc".to_vec(), 500));
    bufs.push((true, b"$-1\r\n".to_vec(), 0));
    for _ in 0..3 {
        bufs.push((false, b"*1\r\n$4\r\nPING\r\n".to_vec(), 0));
        bufs.push((true, b"+PONG\r\n".to_vec(), 0));
    }
    assert_eq!(feed_all(6379, false, &bufs), 7);
}
