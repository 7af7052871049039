//! The protobuf messages of remote write 1.0, written by hand (there are four, and only
//! encoding is needed):
//!
//! ```text
//! WriteRequest { repeated TimeSeries timeseries = 1; }
//! TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
//! Label        { string name = 1; string value = 2; }
//! Sample       { double value = 1; int64 timestamp = 2; }
//! ```

use crate::TimeSeries;

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn varint_len(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// Field key: number and wire type (0 varint, 1 fixed 64-bit, 2 length-delimited).
fn key(out: &mut Vec<u8>, field: u32, wire: u8) {
    out.push(((field << 3) as u8) | wire);
}

fn bytes_field(out: &mut Vec<u8>, field: u32, b: &[u8]) {
    key(out, field, 2);
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn label_len(name: &str, value: &str) -> usize {
    1 + varint_len(name.len() as u64) + name.len() + 1 + varint_len(value.len() as u64) + value.len()
}

fn sample_len(ts: i64) -> usize {
    // value: key + 8 bytes; timestamp: key + varint (negative times take 10 bytes).
    1 + 8 + 1 + varint_len(ts as u64)
}

fn series_len(s: &TimeSeries) -> usize {
    let labels: usize = s.labels.iter().map(|(n, v)| {
        let l = label_len(n, v);
        1 + varint_len(l as u64) + l
    }).sum();
    let sample = sample_len(s.timestamp_ms);
    labels + 1 + varint_len(sample as u64) + sample
}

/// The `WriteRequest` holding `series`, not compressed.
pub fn encode_uncompressed(series: &[TimeSeries]) -> Vec<u8> {
    let total: usize = series.iter().map(|s| {
        let l = series_len(s);
        1 + varint_len(l as u64) + l
    }).sum();
    let mut out = Vec::with_capacity(total);
    for s in series {
        key(&mut out, 1, 2);
        varint(&mut out, series_len(s) as u64);
        for (n, v) in &s.labels {
            key(&mut out, 1, 2);
            varint(&mut out, label_len(n, v) as u64);
            bytes_field(&mut out, 1, n.as_bytes());
            bytes_field(&mut out, 2, v.as_bytes());
        }
        key(&mut out, 2, 2);
        varint(&mut out, sample_len(s.timestamp_ms) as u64);
        key(&mut out, 1, 1);
        out.extend_from_slice(&s.value.to_le_bytes());
        key(&mut out, 2, 0);
        varint(&mut out, s.timestamp_ms as u64);
    }
    debug_assert_eq!(out.len(), total);
    out
}

/// The body of a remote-write request: the `WriteRequest`, snappy block-compressed.
pub fn encode(series: &[TimeSeries]) -> Vec<u8> {
    snap::raw::Encoder::new().compress_vec(&encode_uncompressed(series)).expect("snappy compresses any input")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader of the same four messages, to check the encoding field by field.
    fn read_varint(b: &[u8], at: &mut usize) -> u64 {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let byte = b[*at];
            *at += 1;
            v |= ((byte & 0x7f) as u64) << shift;
            if byte < 0x80 {
                return v;
            }
            shift += 7;
        }
    }

    fn fields(b: &[u8]) -> Vec<(u32, Vec<u8>)> {
        let mut at = 0;
        let mut out = vec![];
        while at < b.len() {
            let k = read_varint(b, &mut at);
            let (field, wire) = ((k >> 3) as u32, k & 7);
            let v = match wire {
                0 => {
                    let start = at;
                    read_varint(b, &mut at);
                    b[start..at].to_vec()
                }
                1 => {
                    at += 8;
                    b[at - 8..at].to_vec()
                }
                2 => {
                    let n = read_varint(b, &mut at) as usize;
                    at += n;
                    b[at - n..at].to_vec()
                }
                w => panic!("wire type {w}"),
            };
            out.push((field, v));
        }
        out
    }

    #[test]
    fn a_write_request_reads_back_field_by_field() {
        let s = TimeSeries::new("kinsight_up", [("pod".to_string(), "web-1".to_string()), ("namespace".to_string(), "shop".to_string())], 2.5, 1_765_000_000_123);
        let s2 = TimeSeries::new("x", [("a".to_string(), "é".repeat(100))], -1.0, -5);
        let body = encode_uncompressed(&[s.clone(), s2.clone()]);
        let top = fields(&body);
        assert_eq!(top.len(), 2);
        for ((field, ts), want) in top.iter().zip([&s, &s2]) {
            assert_eq!(*field, 1);
            let inner = fields(ts);
            let labels: Vec<(String, String)> = inner
                .iter()
                .filter(|(f, _)| *f == 1)
                .map(|(_, l)| {
                    let lf = fields(l);
                    (String::from_utf8(lf[0].1.clone()).unwrap(), String::from_utf8(lf[1].1.clone()).unwrap())
                })
                .collect();
            assert_eq!(labels, want.labels);
            let sample = fields(&inner.iter().find(|(f, _)| *f == 2).unwrap().1);
            assert_eq!(f64::from_le_bytes(sample[0].1.clone().try_into().unwrap()), want.value);
            let mut at = 0;
            assert_eq!(read_varint(&sample[1].1, &mut at) as i64, want.timestamp_ms);
        }
        // Sorted by name, `__name__` first.
        assert_eq!(s.labels[0].0, "__name__");
        assert_eq!(s.labels[1].0, "namespace");
        let back = snap::raw::Decoder::new().decompress_vec(&encode(&[s, s2])).unwrap();
        assert_eq!(back, body);
    }
}
