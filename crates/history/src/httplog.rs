//! The most recent HTTP transactions and requests of the other protocols, one record each,
//! in rings of fixed capacity: what the drill-downs list. Rates and latencies over longer
//! spans come from the buckets.

use crate::counters::{ReqProto, Side};
use crate::SeriesId;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::net::IpAddr;

/// Client and server ends of the connection a transaction used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnEnds {
    pub client: IpAddr,
    pub client_port: u16,
    pub server: IpAddr,
    pub server_port: u16,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpTx {
    /// When the response was seen (ns since the epoch).
    pub ts_ns: u64,
    /// The process that saw it.
    pub series: SeriesId,
    /// `Server`: the process served the request; `Client`: it sent it.
    pub side: Side,
    pub method: String,
    pub url: String,
    pub status: u16,
    pub latency_ns: u64,
    pub size_bytes: u64,
    pub conn: Option<ConnEnds>,
}

/// A request of a protocol other than HTTP/1 (those are [`HttpTx`]), as the `requests`
/// view shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestTx {
    /// When the response ended (ns since the epoch), as [`HttpTx::ts_ns`].
    pub ts_ns: u64,
    pub series: SeriesId,
    pub side: Side,
    pub proto: ReqProto,
    pub operation: String,
    pub target: String,
    pub status: String,
    pub error: bool,
    pub latency_ns: u64,
    pub request_bytes: u64,
    pub response_bytes: u64,
    pub conn: Option<ConnEnds>,
}

/// What a log needs of its records.
pub trait Logged {
    fn ts_ns(&self) -> u64;
    /// Heap bytes of the record, itself included.
    fn size(&self) -> usize;
}

impl Logged for HttpTx {
    fn ts_ns(&self) -> u64 {
        self.ts_ns
    }
    fn size(&self) -> usize {
        std::mem::size_of::<HttpTx>() + self.method.len() + self.url.len()
    }
}

impl Logged for RequestTx {
    fn ts_ns(&self) -> u64 {
        self.ts_ns
    }
    fn size(&self) -> usize {
        std::mem::size_of::<RequestTx>() + self.operation.len() + self.target.len() + self.status.len()
    }
}

pub type HttpLog = Log<HttpTx>;
pub type RequestLog = Log<RequestTx>;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Log<T> {
    capacity: usize,
    txs: VecDeque<T>,
    /// Records pushed out by newer ones.
    pub dropped: u64,
}

impl<T: Logged> Log<T> {
    pub fn new(capacity: usize) -> Log<T> {
        Log { capacity: capacity.max(1), txs: VecDeque::new(), dropped: 0 }
    }

    pub fn push(&mut self, tx: T) {
        if self.txs.len() == self.capacity {
            self.txs.pop_front();
            self.dropped += 1;
        }
        // Keep time order even if a source hands transactions slightly out of order.
        let pos = if self.txs.back().is_none_or(|last| last.ts_ns() <= tx.ts_ns()) {
            self.txs.len()
        } else {
            self.txs.partition_point(|t| t.ts_ns() <= tx.ts_ns())
        };
        self.txs.insert(pos, tx);
    }

    /// Records with `from <= ts < to`, oldest first.
    pub fn range(&self, from: u64, to: u64) -> impl DoubleEndedIterator<Item = &T> {
        let a = self.txs.partition_point(|t| t.ts_ns() < from);
        let z = self.txs.partition_point(|t| t.ts_ns() < to);
        self.txs.range(a..z.max(a))
    }

    pub fn len(&self) -> usize {
        self.txs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.txs.is_empty()
    }

    pub(crate) fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(1);
        while self.txs.len() > self.capacity {
            self.txs.pop_front();
        }
    }

    pub fn heap_bytes(&self) -> usize {
        self.txs.iter().map(Logged::size).sum()
    }
}
