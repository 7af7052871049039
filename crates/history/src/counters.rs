//! What one bucket holds for one process, one connection view and one file: plain sums
//! (and one gauge), so that a coarser bucket is the merge of the finer ones it covers.

use crate::SeriesId;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// Activity of one process (a series) during one bucket.
///
/// Everything is a sum over the bucket except `rss_kb`, a gauge: the last resident size
/// sampled in the bucket (0: not sampled in this bucket).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// CPU time in ticks of 1/100 s (the unit of the driver's procinfo samples).
    pub cpu_ticks: u32,
    pub rss_kb: u32,
    pub file_read: u64,
    pub file_write: u64,
    pub net_in: u64,
    pub net_out: u64,
    /// HTTP requests this process served (read a request, wrote the response).
    pub http_in: u32,
    /// Served requests answered with a status of 500 or more.
    pub http_in_errors: u32,
    /// Sum of the served requests' latencies, in microseconds.
    pub http_in_latency_us: u64,
    /// HTTP requests this process sent as a client.
    pub http_out: u32,
    pub http_out_errors: u32,
    pub http_out_latency_us: u64,
}

impl Counters {
    /// Adds `o`, which must be later in time than `self` for the gauge to stay right.
    pub fn merge(&mut self, o: &Counters) {
        self.cpu_ticks = self.cpu_ticks.saturating_add(o.cpu_ticks);
        if o.rss_kb != 0 {
            self.rss_kb = o.rss_kb;
        }
        self.file_read += o.file_read;
        self.file_write += o.file_write;
        self.net_in += o.net_in;
        self.net_out += o.net_out;
        self.http_in = self.http_in.saturating_add(o.http_in);
        self.http_in_errors = self.http_in_errors.saturating_add(o.http_in_errors);
        self.http_in_latency_us += o.http_in_latency_us;
        self.http_out = self.http_out.saturating_add(o.http_out);
        self.http_out_errors = self.http_out_errors.saturating_add(o.http_out_errors);
        self.http_out_latency_us += o.http_out_latency_us;
    }

    /// True when nothing happened (a gauge-only sample is not empty).
    pub fn is_empty(&self) -> bool {
        *self == Counters::default()
    }
}

/// Which end of a connection the observing process holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Side {
    Client,
    Server,
    /// Could not be told (both ends on the same address, no listening socket seen).
    Unknown,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Server => "server",
            Side::Unknown => "unknown",
        }
    }
}

/// IP protocol of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Proto {
    Tcp,
    Udp,
    Other,
}

impl Proto {
    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
            Proto::Other => "other",
        }
    }

    pub fn from_name(name: &str) -> Proto {
        match name {
            "tcp" => Proto::Tcp,
            "udp" => Proto::Udp,
            _ => Proto::Other,
        }
    }
}

/// One process's view of the connections between a client address and a server address and
/// port. Client ports are left out on purpose: they are ephemeral, and keeping them would
/// make one key per connection instead of one per conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ConnKey {
    pub proto: Proto,
    pub client: IpAddr,
    pub server: IpAddr,
    pub server_port: u16,
    /// The process that moved the bytes.
    pub observer: SeriesId,
    pub side: Side,
}

/// Bytes the observing process read (`bytes_in`) and wrote (`bytes_out`) on those
/// connections, and the requests of every protocol it completed on them: how many, how
/// many failed, the sum of their latencies (the view's side says served or sent).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnCounters {
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub requests: u32,
    /// Fills what was padding after `requests`.
    pub errors: u32,
    pub latency_us: u64,
}

impl ConnCounters {
    pub fn merge(&mut self, o: &ConnCounters) {
        self.bytes_in += o.bytes_in;
        self.bytes_out += o.bytes_out;
        self.requests = self.requests.saturating_add(o.requests);
        self.errors = self.errors.saturating_add(o.errors);
        self.latency_us = self.latency_us.saturating_add(o.latency_us);
    }
}

/// I/O of one process on one file (names are interned in the catalog).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FileKey {
    pub series: SeriesId,
    pub file: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCounters {
    pub read: u64,
    pub write: u64,
}

impl FileCounters {
    pub fn merge(&mut self, o: &FileCounters) {
        self.read += o.read;
        self.write += o.write;
    }
}

/// Rows that can be merged into a bucket.
pub trait Mergeable: Copy {
    fn merge_into(&self, into: &mut Self);
}

impl Mergeable for Counters {
    fn merge_into(&self, into: &mut Self) {
        into.merge(self)
    }
}
impl Mergeable for ConnCounters {
    fn merge_into(&self, into: &mut Self) {
        into.merge(self)
    }
}
impl Mergeable for FileCounters {
    fn merge_into(&self, into: &mut Self) {
        into.merge(self)
    }
}

/// Application protocol of a request. Serialized by position, so a protocol added later
/// goes after `Other`: snapshots already written keep their meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ReqProto {
    Http,
    Dns,
    Postgres,
    Mysql,
    Redis,
    Http2,
    Grpc,
    /// A protocol this store has no name for yet (a decoder newer than the store).
    Other,
}

impl ReqProto {
    pub const ALL: [ReqProto; 8] = [ReqProto::Http, ReqProto::Dns, ReqProto::Postgres, ReqProto::Mysql, ReqProto::Redis, ReqProto::Http2, ReqProto::Grpc, ReqProto::Other];

    /// The names of the `requests` view and of filters (`req.proto`).
    pub fn as_str(self) -> &'static str {
        match self {
            ReqProto::Http => "http",
            ReqProto::Dns => "dns",
            ReqProto::Postgres => "postgres",
            ReqProto::Mysql => "mysql",
            ReqProto::Redis => "redis",
            ReqProto::Http2 => "http2",
            ReqProto::Grpc => "grpc",
            ReqProto::Other => "other",
        }
    }

    pub fn from_name(name: &str) -> ReqProto {
        ReqProto::ALL.into_iter().find(|p| p.as_str() == name).unwrap_or(ReqProto::Other)
    }

    /// This protocol's bit in a [`ProtoSet`].
    pub fn bit(self) -> ProtoSet {
        1 << (self as u8)
    }
}

/// A set of [`ReqProto`]s, one bit each.
pub type ProtoSet = u16;

/// The protocols of a set, in [`ReqProto::ALL`] order.
pub fn protocols_of(set: ProtoSet) -> impl Iterator<Item = ReqProto> {
    ReqProto::ALL.into_iter().filter(move |p| set & p.bit() != 0)
}

/// Requests of one protocol by one process. HTTP/1 is not kept here but in the process's
/// [`Counters`] (`http_*`), where it always was: a process row does not grow for the
/// protocol most processes speak, and only processes that speak another protocol pay one
/// row per protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ReqKey {
    pub series: SeriesId,
    pub proto: ReqProto,
}

/// Requests served (the process read the request) and sent, failures among them, and the
/// sum of their latencies in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReqCounters {
    pub served: u32,
    pub served_errors: u32,
    pub served_latency_us: u64,
    pub sent: u32,
    pub sent_errors: u32,
    pub sent_latency_us: u64,
}

impl ReqCounters {
    /// The HTTP/1 requests of a process row.
    pub fn of_http(c: &Counters) -> ReqCounters {
        ReqCounters {
            served: c.http_in,
            served_errors: c.http_in_errors,
            served_latency_us: c.http_in_latency_us,
            sent: c.http_out,
            sent_errors: c.http_out_errors,
            sent_latency_us: c.http_out_latency_us,
        }
    }

    /// Counts one request seen from `side` (an unknown side counts as sent: the process
    /// wrote the first message).
    pub fn observe(&mut self, side: Side, error: bool, latency_ns: u64) {
        let (n, e, l) = match side {
            Side::Server => (&mut self.served, &mut self.served_errors, &mut self.served_latency_us),
            _ => (&mut self.sent, &mut self.sent_errors, &mut self.sent_latency_us),
        };
        *n = n.saturating_add(1);
        *e = e.saturating_add(u32::from(error));
        *l = l.saturating_add(latency_ns / 1000);
    }

    pub fn merge(&mut self, o: &ReqCounters) {
        self.served = self.served.saturating_add(o.served);
        self.served_errors = self.served_errors.saturating_add(o.served_errors);
        self.served_latency_us = self.served_latency_us.saturating_add(o.served_latency_us);
        self.sent = self.sent.saturating_add(o.sent);
        self.sent_errors = self.sent_errors.saturating_add(o.sent_errors);
        self.sent_latency_us = self.sent_latency_us.saturating_add(o.sent_latency_us);
    }

    pub fn is_empty(&self) -> bool {
        self.served == 0 && self.sent == 0
    }
}

impl Mergeable for ReqCounters {
    fn merge_into(&self, into: &mut Self) {
        into.merge(self)
    }
}
