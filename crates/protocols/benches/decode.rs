//! Decoding cost per protocol: the recordings of tests/data replayed through the tracker
//! from the client's side, whole and cut at the live default snaplen (80 bytes). The
//! throughput is of the bytes the calls moved (what a live host's traffic is measured in).
//! gRPC and HTTP/2 run on a port the tracker does not know (found from the preface).
//!
//! `cargo bench -p kinsight-protocols --bench decode`

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn decode(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode");
    for (file, proto, port, udp) in [("postgres.rec", "postgres", 5432, false), ("mysql.rec", "mysql", 3306, false), ("redis.rec", "redis", 6379, false), ("dns_udp.rec", "dns", 53, true), ("grpc.rec", "grpc", 0, false), ("http2.rec", "http2", 0, false)] {
        let chunks = common::load(file);
        let bytes: u64 = chunks.iter().map(|c| c.data.len() as u64).sum();
        group.throughput(Throughput::Bytes(bytes));
        for snaplen in [0usize, 80] {
            let view = common::View { server: false, port, udp, snaplen };
            let name = if snaplen == 0 { format!("{proto}/whole") } else { format!("{proto}/snaplen{snaplen}") };
            group.bench_function(name, |b| b.iter(|| common::replay(&chunks, view).len()));
        }
    }
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
