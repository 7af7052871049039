//! The most recent HTTP transactions, one record each, in a ring of fixed capacity: what
//! the drill-down lists. Rates and latencies over longer spans come from the buckets.

use crate::counters::Side;
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

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HttpLog {
    capacity: usize,
    txs: VecDeque<HttpTx>,
    /// Transactions pushed out by newer ones.
    pub dropped: u64,
}

impl HttpLog {
    pub fn new(capacity: usize) -> HttpLog {
        HttpLog { capacity: capacity.max(1), txs: VecDeque::new(), dropped: 0 }
    }

    pub fn push(&mut self, tx: HttpTx) {
        if self.txs.len() == self.capacity {
            self.txs.pop_front();
            self.dropped += 1;
        }
        // Keep time order even if a source hands transactions slightly out of order.
        let pos = if self.txs.back().is_none_or(|last| last.ts_ns <= tx.ts_ns) {
            self.txs.len()
        } else {
            self.txs.partition_point(|t| t.ts_ns <= tx.ts_ns)
        };
        self.txs.insert(pos, tx);
    }

    /// Transactions with `from <= ts < to`, oldest first.
    pub fn range(&self, from: u64, to: u64) -> impl DoubleEndedIterator<Item = &HttpTx> {
        let a = self.txs.partition_point(|t| t.ts_ns < from);
        let z = self.txs.partition_point(|t| t.ts_ns < to);
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
        self.txs.iter().map(|t| std::mem::size_of::<HttpTx>() + t.method.len() + t.url.len()).sum()
    }
}
