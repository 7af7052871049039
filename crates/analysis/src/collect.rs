//! The per-event step of every analysis: fold each event into counters per thread and per
//! connection, and feed socket buffers to the HTTP decoder and to the request decoders of
//! the other protocols. Views are computed from these counters at the end (or on demand),
//! never from raw events.

use kinsight_engine::{Engine, EventCtx, FdType, IoDir, IpTuple, L4Proto, ProcessImage};
use kinsight_http::{Direction, Tracker};
use kinsight_scap::EventRef;
use rustc_hash::FxHashMap;
use std::net::IpAddr;
use std::sync::Arc;

/// Counters of one thread over the events that passed the filter.
#[derive(Clone, Debug)]
pub struct ThreadRow {
    pub tid: i64,
    pub pid: i64,
    pub ppid: i64,
    pub uid: u32,
    pub container: Option<Arc<str>>,
    pub image: Arc<ProcessImage>,
    /// Sum and count of the thread's procinfo CPU samples (sysdig's `thread.cpu`, averaged).
    pub cpu_sum: f64,
    pub cpu_samples: u32,
    /// Largest virtual / resident size of the process seen at the events of its main
    /// thread, in KiB (0 for other threads).
    pub max_vmsize_kb: u64,
    pub max_vmrss_kb: u64,
    pub file_in: u64,
    pub file_out: u64,
    pub net_in: u64,
    pub net_out: u64,
    pub events: u64,
}

impl ThreadRow {
    fn new(thread: &kinsight_engine::Thread) -> ThreadRow {
        ThreadRow {
            tid: thread.tid,
            pid: thread.pid,
            ppid: thread.ptid,
            uid: thread.uid,
            container: thread.container.clone(),
            image: thread.image.clone(),
            cpu_sum: 0.0,
            cpu_samples: 0,
            max_vmsize_kb: 0,
            max_vmrss_kb: 0,
            file_in: 0,
            file_out: 0,
            net_in: 0,
            net_out: 0,
            events: 0,
        }
    }

    /// Average CPU percentage over the capture (csysdig's CPU column for one thread).
    pub fn cpu_pct(&self) -> f64 {
        if self.cpu_samples == 0 {
            0.0
        } else {
            self.cpu_sum / self.cpu_samples as f64
        }
    }
    pub fn file_bytes(&self) -> u64 {
        self.file_in + self.file_out
    }
    pub fn net_bytes(&self) -> u64 {
        self.net_in + self.net_out
    }
}

/// One IP connection as seen by one process.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnKey {
    pub proto: &'static str,
    pub client_ip: IpAddr,
    pub client_port: u16,
    pub server_ip: IpAddr,
    pub server_port: u16,
    pub pid: i64,
}

#[derive(Clone, Debug, Default)]
pub struct ConnRow {
    pub in_bytes: u64,
    pub out_bytes: u64,
    pub events: u64,
    pub container: Option<Arc<str>>,
    pub image: Arc<ProcessImage>,
}

/// A decoded HTTP transaction with the entities it belongs to.
#[derive(Clone, Debug)]
pub struct HttpRecord {
    pub ts_ns: u64,
    pub dir: Direction,
    pub method: String,
    pub url: String,
    pub status: u16,
    pub latency_ns: u64,
    pub size_bytes: u64,
    pub pid: i64,
    pub container: Option<Arc<str>>,
    /// The connection the transaction went over (client and server ends), when the socket
    /// is an IP socket with a known tuple: lets request counts be put on topology edges.
    pub conn: Option<kinsight_engine::IpTuple>,
}

/// The process and connection a transaction went over, as its request opened.
#[derive(Clone, Debug)]
pub struct HttpEnd {
    pid: i64,
    container: Option<Arc<str>>,
    conn: Option<kinsight_engine::IpTuple>,
}

impl HttpRecord {
    fn of(end: HttpEnd, tx: kinsight_http::Transaction) -> HttpRecord {
        HttpRecord {
            ts_ns: tx.response_ts,
            dir: tx.dir,
            latency_ns: tx.latency_ns(),
            method: tx.request.method,
            url: tx.request.url,
            status: tx.response.status,
            size_bytes: tx.response.body_bytes,
            pid: end.pid,
            container: end.container,
            conn: end.conn,
        }
    }
}

/// A request of any protocol with the process and connection it went over.
#[derive(Clone, Debug)]
pub struct RequestLogRecord {
    pub req: kinsight_protocols::RequestRecord,
    pub pid: i64,
    pub container: Option<Arc<str>>,
    pub conn: Option<IpTuple>,
}

impl RequestLogRecord {
    fn of(end: HttpEnd, req: kinsight_protocols::RequestRecord) -> RequestLogRecord {
        RequestLogRecord { req, pid: end.pid, container: end.container, conn: end.conn }
    }

    /// When the response ended.
    pub fn end_ns(&self) -> u64 {
        self.req.ts_ns.saturating_add(self.req.latency_ns)
    }

    /// An HTTP/1 transaction in the request model.
    fn of_http(h: &HttpRecord) -> RequestLogRecord {
        let req = kinsight_protocols::RequestRecord {
            proto: kinsight_protocols::Proto::Http1,
            side: match h.dir {
                Direction::Incoming => kinsight_protocols::Side::Server,
                Direction::Outgoing => kinsight_protocols::Side::Client,
            },
            ts_ns: h.ts_ns.saturating_sub(h.latency_ns),
            latency_ns: h.latency_ns,
            operation: h.method.clone(),
            target: h.url.clone(),
            status: h.status.to_string(),
            error: h.status >= 500,
            request_bytes: 0,
            response_bytes: h.size_bytes,
            rows: None,
        };
        RequestLogRecord { req, pid: h.pid, container: h.container.clone(), conn: h.conn }
    }
}

/// Connection ends as the request tracker names them: the process, the fd and the tuple
/// (an fd number reused for another connection is another connection).
type ReqKey = (i64, i64, Option<IpTuple>);

/// Everything the views are computed from.
#[derive(Default)]
pub struct Collector {
    pub threads: FxHashMap<i64, ThreadRow>,
    pub conns: FxHashMap<ConnKey, ConnRow>,
    http: Tracker<(i64, i64), HttpEnd>,
    pub http_log: Vec<HttpRecord>,
    requests: kinsight_protocols::Tracker<ReqKey, HttpEnd>,
    completed: Vec<(HttpEnd, kinsight_protocols::RequestRecord)>,
    /// The tuples of the last datagram read and written on each UDP socket.
    udp_query_tuple: FxHashMap<(i64, i64), (Option<IpTuple>, Option<IpTuple>)>,
    /// Requests of every protocol (HTTP/1 included), in completion order.
    pub request_log: Vec<RequestLogRecord>,
    pub first_ts: u64,
    pub last_ts: u64,
    pub events: u64,
}

impl Collector {
    pub fn new() -> Collector {
        Collector::default()
    }

    /// A collector for the next interval of a live view: counters start again, the request
    /// decoders keep each connection's protocol and the requests still waiting.
    pub fn next_interval(&mut self) -> Collector {
        Collector { requests: std::mem::take(&mut self.requests), udp_query_tuple: std::mem::take(&mut self.udp_query_tuple), ..Collector::default() }
    }

    /// Decoders of the protocols other than HTTP/1, with the user's ports and protocols.
    pub fn set_protocols(&mut self, config: kinsight_protocols::Config) {
        self.requests = kinsight_protocols::Tracker::new(config);
    }

    /// Forgets the request state of connections of processes `alive` says are gone.
    pub fn forget_request_state(&mut self, mut alive: impl FnMut(i64) -> bool) {
        self.requests.retain(|k| alive(k.0));
        self.udp_query_tuple.retain(|k, _| alive(k.0));
    }

    fn push_http(&mut self, end: HttpEnd, tx: kinsight_http::Transaction) {
        let rec = HttpRecord::of(end, tx);
        self.request_log.push(RequestLogRecord::of_http(&rec));
        self.http_log.push(rec);
    }

    /// Seconds between the first and the last event seen (at least one nanosecond).
    pub fn span_secs(&self) -> f64 {
        (self.last_ts.saturating_sub(self.first_ts)).max(1) as f64 / 1e9
    }

    /// Adds the threads alive at the end that had no event, and each process's memory at
    /// the end, as csysdig does when it closes a sample: an idle process is still there and
    /// still holds its memory.
    pub fn add_live_threads(&mut self, engine: &Engine) {
        for thread in engine.threads() {
            let row = self.threads.entry(thread.tid).or_insert_with(|| ThreadRow::new(thread));
            if thread.is_main() {
                row.max_vmsize_kb = row.max_vmsize_kb.max(thread.vmsize_kb);
                row.max_vmrss_kb = row.max_vmrss_kb.max(thread.vmrss_kb);
            }
        }
    }

    /// Folds one event, already applied to `engine`, into the counters.
    pub fn observe(&mut self, engine: &Engine, ev: &EventRef, ctx: &EventCtx) {
        if self.events == 0 {
            self.first_ts = ev.ts;
        }
        self.events += 1;
        self.last_ts = self.last_ts.max(ev.ts);
        let Some(thread) = engine.thread(ctx.tid) else { return };
        let row = self.threads.entry(ctx.tid).or_insert_with(|| ThreadRow::new(thread));
        row.events += 1;
        // Keep the latest identity: execve changes the image, clone sets the container.
        if !Arc::ptr_eq(&row.image, &thread.image) {
            row.image = thread.image.clone();
            row.pid = thread.pid;
            row.ppid = thread.ptid;
            row.uid = thread.uid;
        }
        if row.container != thread.container {
            row.container = thread.container.clone();
        }
        // Memory belongs to the process: only its main thread reports it (as sysdig's
        // thread.vmsize), so summing rows counts each address space once.
        if thread.is_main() {
            row.max_vmsize_kb = row.max_vmsize_kb.max(thread.vmsize_kb);
            row.max_vmrss_kb = row.max_vmrss_kb.max(thread.vmrss_kb);
        }
        if let Some(pct) = ctx.cpu_pct {
            row.cpu_sum += pct;
            row.cpu_samples += 1;
        }
        let (Some(io), Some(fd)) = (ctx.io, ctx.fd.as_ref()) else { return };
        match (fd.kind, io.dir) {
            (FdType::File, IoDir::Read) => row.file_in += io.bytes,
            (FdType::File, IoDir::Write) => row.file_out += io.bytes,
            (k, IoDir::Read) if k.is_ip() => row.net_in += io.bytes,
            (k, IoDir::Write) if k.is_ip() => row.net_out += io.bytes,
            _ => {}
        }
        if let Some(t) = fd.tuple.filter(|_| fd.kind.is_ip()) {
            let key = ConnKey {
                proto: fd.l4proto.name(),
                client_ip: t.cip,
                client_port: t.cport,
                server_ip: t.sip,
                server_port: t.sport,
                pid: thread.pid,
            };
            let conn = self.conns.entry(key).or_insert_with(|| ConnRow {
                container: thread.container.clone(),
                image: thread.image.clone(),
                ..Default::default()
            });
            conn.events += 1;
            match io.dir {
                IoDir::Read => conn.in_bytes += io.bytes,
                IoDir::Write => conn.out_bytes += io.bytes,
            }
        }
        // HTTP: buffers of completed socket I/O, as the httplog chisel selects them, and
        // the byte counts of calls without captured data (sendfile) for the bodies.
        if io.bytes > 0 && (fd.kind.is_ip() || fd.kind == FdType::Unix) {
            if let Some(fd_num) = ctx.fd_num {
                let is_read = io.dir == IoDir::Read;
                let data = ctx.data.unwrap_or(&[]);
                let end = || HttpEnd { pid: thread.pid, container: thread.container.clone(), conn: fd.tuple.filter(|_| fd.kind.is_ip()) };
                if let Some((end, tx)) = self.http.on_io((thread.pid, fd_num), is_read, ev.ts, data, io.bytes, end) {
                    self.push_http(end, tx);
                }
                // The other protocols: the same buffers, in one tracker that picks each
                // connection's protocol from its ports or its first bytes.
                let tuple = fd.tuple.filter(|_| fd.kind.is_ip());
                let udp = fd.l4proto == L4Proto::Udp;
                let (local_port, remote_port) = fd.local_remote().map_or((0, 0), |(l, r)| (l.1, r.1));
                let ends = kinsight_protocols::Ends { local_port, remote_port, udp };
                let end = || HttpEnd { pid: thread.pid, container: thread.container.clone(), conn: tuple };
                // A UDP socket's tuple is each datagram's (a server's turns round between
                // the query it reads and the answer it sends): the socket is the key.
                let key = (thread.pid, fd_num, tuple.filter(|_| !udp));
                self.requests.on_io(key, ends, is_read, ev.ts, data, io.bytes, end, &mut self.completed);
                for (mut end, req) in self.completed.drain(..) {
                    if udp {
                        // The ends of the query's datagram: the one a client wrote last on
                        // the socket, the one a server read last (an answer's tuple is
                        // the other way round).
                        let (read, written) = self.udp_query_tuple.get(&(thread.pid, fd_num)).copied().unwrap_or_default();
                        end.conn = match req.side {
                            kinsight_protocols::Side::Client => written,
                            kinsight_protocols::Side::Server => read,
                        }
                        .or(tuple);
                    }
                    self.request_log.push(RequestLogRecord::of(end, req));
                }
                if udp && tuple.is_some() {
                    let e = self.udp_query_tuple.entry((thread.pid, fd_num)).or_default();
                    if is_read {
                        e.0 = tuple;
                    } else {
                        e.1 = tuple;
                    }
                }
            }
        }
    }

    /// Completes the transactions whose body got no byte since `before_ns` (called at the
    /// end of each interval: a keep-alive connection is quiet until its next request).
    pub fn expire_http(&mut self, before_ns: u64) {
        let mut done = self.http.expire(before_ns);
        // In the order they were answered, as the log is.
        done.sort_by_key(|(_, tx)| tx.response_ts);
        for (end, tx) in done {
            self.push_http(end, tx);
        }
    }

    /// Completes every transaction still sending its body (the end of a capture).
    pub fn finish_http(&mut self) {
        self.expire_http(u64::MAX);
    }

}
