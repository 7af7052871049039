//! Turns the Session's running counters into one history sample per interval.
//!
//! The Session (kinsight-analysis) already folds every event into counters per thread and
//! per connection and decodes HTTP; the sampler does not count anything again. At the end
//! of each interval it takes the difference of those counters since the previous interval,
//! so history and `kinsight read` agree by construction. Only what the Session does not
//! keep is gathered per event here: bytes per file, and which end of a connection a
//! process holds when the engine knew it at the time of the event.

use kinsight_analysis::collect::{ConnKey as SessionConnKey, ThreadRow};
use kinsight_analysis::Session;
use kinsight_engine::{Engine, EventCtx, FdType, IoDir, IpTuple, ProcessImage, Role};
use kinsight_history::{
    Catalog, ConnCounters, ConnEnds, ConnKey, ContainerMeta, Counters, FileCounters, FileKey, History, HttpTx, ProcessKey, Proto, ReqProto, RequestTx, Sample, SeriesId, Side,
};
use crate::catalog_sync::ObjectsSeen;
use kinsight_http::Direction;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

/// Idle processes get their memory sampled this often (in intervals), busy ones every
/// interval: charts stay continuous without a row per process per second.
const IDLE_MEMORY_EVERY: u64 = 10;

#[derive(Default)]
struct ThreadSnap {
    events: u64,
    cpu_sum: f64,
    file_in: u64,
    file_out: u64,
    net_in: u64,
    net_out: u64,
}

#[derive(Default)]
struct ConnSnap {
    events: u64,
    in_bytes: u64,
    out_bytes: u64,
    side: Option<Side>,
}

type ProcKey = (Option<Arc<str>>, i64);

/// A connection view that moved bytes this interval: the view, its process's container
/// and image, bytes in and out.
type GrownView = (SessionConnKey, Option<Arc<str>>, Arc<ProcessImage>, u64, u64);

#[derive(Default)]
pub struct Sampler {
    threads: FxHashMap<i64, ThreadSnap>,
    conns: FxHashMap<SessionConnKey, ConnSnap>,
    /// File bytes of the current interval, by process and path.
    files: FxHashMap<(ProcKey, Arc<str>), FileCounters>,
    /// Roles the engine knew at the time of an event, by (pid, tuple), until the
    /// connection's side is settled.
    role_hints: FxHashMap<(i64, IpTuple), Side>,
    metadata_changed: bool,
    flushes: u64,
    /// Kubernetes objects copied to the catalog during this run.
    seen: ObjectsSeen,
    /// Processes seen running, until a flush finds them gone: an exit is noted even when
    /// the process did nothing counted in its last interval.
    running_series: FxHashMap<ProcKey, SeriesId>,
}

/// How long a response body may go without a byte before it counts as complete.
const HTTP_BODY_QUIET_NS: u64 = 500_000_000;

impl Sampler {
    pub fn new() -> Sampler {
        Sampler::default()
    }

    /// Containers or Kubernetes objects changed outside events (the watcher): the catalog
    /// is copied again at the end of the interval.
    pub fn mark_metadata_changed(&mut self) {
        self.metadata_changed = true;
    }

    /// Per-event part: what the Session does not keep.
    pub fn note_event(&mut self, engine: &Engine, ctx: &EventCtx) {
        if ctx.metadata_changed {
            self.metadata_changed = true;
        }
        let (Some(io), Some(fd)) = (ctx.io, ctx.fd.as_ref()) else { return };
        let Some(thread) = engine.thread(ctx.tid) else { return };
        if fd.kind == FdType::File && io.bytes > 0 {
            let f = self.files.entry(((thread.container.clone(), thread.pid), fd.name.clone())).or_default();
            match io.dir {
                IoDir::Read => f.read += io.bytes,
                IoDir::Write => f.write += io.bytes,
            }
        } else if fd.kind.is_ip() && fd.role != Role::Unknown {
            if let Some(t) = fd.tuple {
                let side = if fd.role == Role::Server { Side::Server } else { Side::Client };
                self.role_hints.entry((thread.pid, t)).or_insert(side);
            }
        }
    }

    /// Ends the interval starting at `start_ns`: the counters' growth since the previous
    /// interval becomes one sample.
    pub fn flush(&mut self, session: &mut Session, history: &mut History, start_ns: u64, interval_ns: u64) {
        let first = self.flushes == 0;
        self.flushes += 1;
        // Bodies quiet for half a second are complete (keep-alive connections say nothing
        // until their next request); they are counted in this interval.
        session.collector.expire_http(start_ns.saturating_add(interval_ns).saturating_sub(HTTP_BODY_QUIET_NS));
        let engine = &session.engine;
        let collector = &mut session.collector;

        // Threads → processes.
        let mut procs: FxHashMap<ProcKey, (Counters, Arc<ProcessImage>, u32)> = FxHashMap::default();
        for (tid, row) in &collector.threads {
            let snap = self.threads.entry(*tid).or_default();
            if snap.events == row.events {
                continue;
            }
            let c = delta(snap, row);
            // A process is named by its main thread, busy in this interval or not.
            let main = engine.thread(row.pid).filter(|t| t.pid == row.pid);
            let e = procs.entry((row.container.clone(), row.pid)).or_insert_with(|| match main {
                Some(t) => (Counters::default(), t.image.clone(), t.uid),
                None => (Counters::default(), row.image.clone(), row.uid),
            });
            e.0.merge(&c);
            if row.tid == row.pid {
                e.1 = row.image.clone();
                e.2 = row.uid;
            }
        }
        // Memory: busy processes every interval, every live process now and then.
        let sample_all = first || (start_ns / interval_ns.max(1)).is_multiple_of(IDLE_MEMORY_EVERY);
        for t in engine.threads().filter(|t| t.is_main()) {
            let key = (t.container.clone(), t.pid);
            let rss = u32::try_from(t.vmrss_kb).unwrap_or(u32::MAX);
            if let Some(e) = procs.get_mut(&key) {
                e.0.rss_kb = rss;
            } else if sample_all && rss > 0 {
                procs.insert(key, (Counters { rss_kb: rss, ..Default::default() }, t.image.clone(), t.uid));
            }
        }

        let unknown_container = procs.keys().filter_map(|k| k.0.as_deref()).any(|c| !history.catalog.containers.contains_key(c));
        if first || self.metadata_changed || unknown_container {
            sync_catalog(engine, &mut history.catalog, procs.keys().filter_map(|k| k.0.as_deref()), &mut self.seen, start_ns);
            self.metadata_changed = false;
        }

        let catalog = &mut history.catalog;
        let mut ids: FxHashMap<ProcKey, SeriesId> = FxHashMap::default();
        let mut sample = Sample { ts_ns: start_ns, ..Default::default() };
        let mut proc_rows: FxHashMap<SeriesId, Counters> = FxHashMap::default();
        // A process with no thread left that has not exited (a live source forgets exited
        // threads, a capture marks them) has ended.
        let running: FxHashSet<ProcKey> = engine.threads().filter(|t| !t.exited).map(|t| (t.container.clone(), t.pid)).collect();
        let end_ns = start_ns.saturating_add(interval_ns);
        for (key, (c, image, uid)) in &procs {
            // A thread the source never described (a kernel thread seen only being
            // scheduled) that counted nothing is no process a user could look at.
            if image.comm.is_empty() && *c == Counters::default() {
                continue;
            }
            let id = intern(catalog, &mut ids, key, image, start_ns);
            proc_rows.entry(id).or_default().merge(c);
            if running.contains(key) {
                catalog.note_process(id, *uid, None);
                self.running_series.insert(key.clone(), id);
            } else {
                catalog.note_process(id, *uid, Some(end_ns));
            }
            if !catalog.users.contains_key(uid) {
                if let Some(name) = engine.user_name(*uid) {
                    catalog.users.insert(*uid, name.to_string());
                }
            }
        }
        self.running_series.retain(|key, id| {
            let runs = running.contains(key);
            if !runs {
                catalog.note_exit(*id, end_ns);
            }
            runs
        });

        // HTTP first: a transaction's direction settles which end its process holds.
        let mut conn_rows: FxHashMap<ConnKey, ConnCounters> = FxHashMap::default();
        for rec in collector.http_log.drain(..) {
            let key = (rec.container.clone(), rec.pid);
            let image = engine.thread(rec.pid).map(|t| t.image.clone()).unwrap_or_default();
            let id = intern(catalog, &mut ids, &key, &image, start_ns);
            let side = match rec.dir {
                Direction::Incoming => Side::Server,
                Direction::Outgoing => Side::Client,
            };
            let row = proc_rows.entry(id).or_default();
            let latency_us = rec.latency_ns / 1000;
            let error = u32::from(rec.status >= 500);
            match side {
                Side::Server => {
                    row.http_in += 1;
                    row.http_in_errors += error;
                    row.http_in_latency_us += latency_us;
                }
                _ => {
                    row.http_out += 1;
                    row.http_out_errors += error;
                    row.http_out_latency_us += latency_us;
                }
            }
            if let Some(t) = rec.conn {
                // Requests go on the same view as the connection's bytes.
                let side = self.request_side("tcp", rec.pid, t, side);
                let ck = ConnKey { proto: Proto::Tcp, client: t.cip, server: t.sip, server_port: t.sport, observer: id, side };
                let c = conn_rows.entry(ck).or_default();
                c.requests += 1;
                c.errors += error;
                c.latency_us += latency_us;
            }
            sample.http.push(HttpTx {
                ts_ns: rec.ts_ns,
                series: id,
                side,
                method: rec.method,
                url: rec.url,
                status: rec.status,
                latency_ns: rec.latency_ns,
                size_bytes: rec.size_bytes,
                conn: rec.conn.map(|t| ConnEnds { client: t.cip, client_port: t.cport, server: t.sip, server_port: t.sport }),
            });
        }

        // The other protocols, decoded by the Session from the same buffers (its log holds
        // the HTTP transactions again, counted above from the HTTP log).
        for rec in collector.request_log.drain(..) {
            let proto = match rec.req.proto {
                kinsight_protocols::Proto::Http1 => continue,
                p => ReqProto::from_name(p.name()),
            };
            let key = (rec.container.clone(), rec.pid);
            let image = engine.thread(rec.pid).map(|t| t.image.clone()).unwrap_or_default();
            let id = intern(catalog, &mut ids, &key, &image, start_ns);
            let side = match rec.req.side {
                kinsight_protocols::Side::Server => Side::Server,
                kinsight_protocols::Side::Client => Side::Client,
            };
            if let Some(t) = rec.conn {
                // UDP when the connection views hold the tuple as UDP (DNS queries).
                let l4 = ["tcp", "udp"].into_iter().find(|p| {
                    let skey = SessionConnKey { proto: p, client_ip: t.cip, client_port: t.cport, server_ip: t.sip, server_port: t.sport, pid: rec.pid };
                    collector.conns.contains_key(&skey)
                });
                let l4 = l4.unwrap_or(if rec.req.proto == kinsight_protocols::Proto::Dns { "udp" } else { "tcp" });
                let side = self.request_side(l4, rec.pid, t, side);
                let ck = ConnKey { proto: Proto::from_name(l4), client: t.cip, server: t.sip, server_port: t.sport, observer: id, side };
                let c = conn_rows.entry(ck).or_default();
                c.requests += 1;
                c.errors += u32::from(rec.req.error);
                c.latency_us += rec.req.latency_ns / 1000;
            }
            let ts_ns = rec.end_ns();
            sample.requests.push(RequestTx {
                ts_ns,
                series: id,
                side,
                proto,
                operation: rec.req.operation,
                target: rec.req.target,
                status: rec.req.status,
                error: rec.req.error,
                latency_ns: rec.req.latency_ns,
                request_bytes: rec.req.request_bytes,
                response_bytes: rec.req.response_bytes,
                conn: rec.conn.map(|t| ConnEnds { client: t.cip, client_port: t.cport, server: t.sip, server_port: t.sport }),
            });
        }

        // Connections: growth per view, and which end the observer holds.
        let mut grown: Vec<GrownView> = Vec::new();
        for (k, row) in &collector.conns {
            let snap = self.conns.entry(k.clone()).or_default();
            if snap.events == row.events {
                continue;
            }
            let (din, dout) = (row.in_bytes.saturating_sub(snap.in_bytes), row.out_bytes.saturating_sub(snap.out_bytes));
            snap.events = row.events;
            snap.in_bytes = row.in_bytes;
            snap.out_bytes = row.out_bytes;
            grown.push((k.clone(), row.container.clone(), row.image.clone(), din, dout));
        }
        self.settle_sides(engine, catalog, grown.iter().map(|g| (&g.0, g.1.as_deref())));
        for (k, container, image, din, dout) in grown {
            let side = self.conns.get(&k).and_then(|s| s.side).unwrap_or(Side::Unknown);
            let id = intern(catalog, &mut ids, &(container, k.pid), &image, start_ns);
            let ck = ConnKey { proto: Proto::from_name(k.proto), client: k.client_ip, server: k.server_ip, server_port: k.server_port, observer: id, side };
            let row = conn_rows.entry(ck).or_default();
            row.bytes_in += din;
            row.bytes_out += dout;
        }

        // Files.
        let mut file_rows: FxHashMap<FileKey, FileCounters> = FxHashMap::default();
        for ((pkey, path), c) in self.files.drain() {
            let image = engine.thread(pkey.1).map(|t| t.image.clone()).unwrap_or_default();
            let series = intern(catalog, &mut ids, &pkey, &image, start_ns);
            let file = catalog.intern_file(&path);
            file_rows.entry(FileKey { series, file }).or_default().merge(&c);
        }

        sample.procs = proc_rows.into_iter().collect();
        sample.conns = conn_rows.into_iter().collect();
        sample.files = file_rows.into_iter().collect();
        history.record(sample);
        self.forget_exited(session);
    }

    /// The end of its connection view a process held for a request seen from `side`: the
    /// view's settled side if it has one, else `side` settles it (a request's direction is
    /// the surest sign of which end a process holds).
    fn request_side(&mut self, l4: &'static str, pid: i64, t: IpTuple, side: Side) -> Side {
        let skey = SessionConnKey { proto: l4, client_ip: t.cip, client_port: t.cport, server_ip: t.sip, server_port: t.sport, pid };
        match self.conns.get_mut(&skey) {
            Some(ConnSnap { side: Some(s), .. }) => *s,
            Some(snap) => {
                snap.side = Some(side);
                side
            }
            None => {
                self.role_hints.insert((pid, t), side);
                side
            }
        }
    }

    /// Drops the counters of threads the engine forgot (a live source removes exited
    /// threads) once their last growth is in history: a host running for days must not
    /// keep a row per thread it ever saw.
    fn forget_exited(&mut self, session: &mut Session) {
        let engine = &session.engine;
        let collector = &mut session.collector;
        collector.threads.retain(|tid, _| engine.thread(*tid).is_some());
        self.threads.retain(|tid, _| collector.threads.contains_key(tid));
        collector.conns.retain(|k, _| engine.thread(k.pid).is_some());
        self.conns.retain(|k, _| collector.conns.contains_key(k));
        collector.forget_request_state(|pid| engine.thread(pid).is_some());
        self.role_hints.retain(|(pid, _), _| engine.thread(*pid).is_some());
    }

    /// Decides, for connection views seen for the first time, which end the observing
    /// process holds. In order: the process's own pod address; the role the engine knew
    /// at an event; a listening socket of the process on the server port; the other
    /// process of the same connection on this host; another process listening on the
    /// server port (then this one is the client).
    fn settle_sides<'k>(&mut self, engine: &Engine, catalog: &Catalog, views: impl Iterator<Item = (&'k SessionConnKey, Option<&'k str>)>) {
        let mut pending: Vec<&SessionConnKey> = Vec::new();
        for (k, container) in views {
            if self.conns.get(k).is_some_and(|s| s.side.is_some()) {
                continue;
            }
            let tuple = tuple_of(k);
            let side = side_from_pod_address(catalog, container, k)
                .or_else(|| self.role_hints.remove(&(k.pid, tuple)))
                .or_else(|| listens_on(engine, k.pid, k.server_port).then_some(Side::Server));
            match side {
                Some(s) => self.conns.entry(k.clone()).or_default().side = Some(s),
                None => pending.push(k),
            }
        }
        if pending.is_empty() {
            return;
        }
        // The other process of the same connection, when both ends are on this host.
        let wanted: FxHashSet<IpTuple> = pending.iter().map(|k| tuple_of(k)).collect();
        let mut known: FxHashMap<IpTuple, Vec<(i64, Side)>> = FxHashMap::default();
        for (o, s) in &self.conns {
            if let Some(side) = s.side.filter(|s| *s != Side::Unknown) {
                let t = tuple_of(o);
                if wanted.contains(&t) {
                    known.entry(t).or_default().push((o.pid, side));
                }
            }
        }
        let mut listeners: Option<FxHashSet<(i64, u16)>> = None;
        for k in pending {
            let peer = known.get(&tuple_of(k)).and_then(|v| v.iter().find(|(pid, _)| *pid != k.pid)).map(|(_, s)| *s);
            let side = match peer {
                Some(Side::Server) => Side::Client,
                Some(Side::Client) => Side::Server,
                _ => {
                    let l = listeners.get_or_insert_with(|| listening_ports(engine));
                    if l.iter().any(|&(pid, port)| port == k.server_port && pid != k.pid) {
                        Side::Client
                    } else {
                        Side::Unknown
                    }
                }
            };
            self.conns.entry(k.clone()).or_default().side = Some(side);
        }
    }
}

fn tuple_of(k: &SessionConnKey) -> IpTuple {
    IpTuple { cip: k.client_ip, cport: k.client_port, sip: k.server_ip, sport: k.server_port }
}

fn delta(snap: &mut ThreadSnap, row: &ThreadRow) -> Counters {
    let c = Counters {
        // procinfo samples are CPU ticks (1/100 s) per sample, so their sum is CPU time.
        cpu_ticks: (row.cpu_sum - snap.cpu_sum).round().max(0.0) as u32,
        file_read: row.file_in.saturating_sub(snap.file_in),
        file_write: row.file_out.saturating_sub(snap.file_out),
        net_in: row.net_in.saturating_sub(snap.net_in),
        net_out: row.net_out.saturating_sub(snap.net_out),
        ..Default::default()
    };
    *snap = ThreadSnap { events: row.events, cpu_sum: row.cpu_sum, file_in: row.file_in, file_out: row.file_out, net_in: row.net_in, net_out: row.net_out };
    c
}

fn intern(catalog: &mut Catalog, ids: &mut FxHashMap<ProcKey, SeriesId>, key: &ProcKey, image: &ProcessImage, ts: u64) -> SeriesId {
    if let Some(&id) = ids.get(key) {
        return id;
    }
    let pk = ProcessKey { container: key.0.as_deref().map(str::to_string), pid: key.1 };
    let id = catalog.intern_series(pk, &image.comm, &image.cmdline(), ts);
    ids.insert(key.clone(), id);
    id
}

fn side_from_pod_address(catalog: &Catalog, container: Option<&str>, k: &SessionConnKey) -> Option<Side> {
    let pod = catalog.pods.get(catalog.containers.get(container?)?.pod_uid.as_deref()?)?;
    let ip = pod.ip.filter(|_| !pod.host_network)?;
    match (ip == k.client_ip, ip == k.server_ip) {
        (true, false) => Some(Side::Client),
        (false, true) => Some(Side::Server),
        _ => None,
    }
}

/// The port of a listening socket (`10.0.2.15:4001`, `:::80`), from its fd name.
fn listening_port(fd: &kinsight_engine::Fd) -> Option<u16> {
    if fd.role != Role::Server || fd.tuple.is_some() || !fd.kind.is_ip() {
        return None;
    }
    fd.name.rsplit(':').next()?.parse().ok()
}

fn listens_on(engine: &Engine, pid: i64, port: u16) -> bool {
    engine.fd_table(pid).is_some_and(|t| t.fds.values().any(|fd| listening_port(fd) == Some(port)))
}

fn listening_ports(engine: &Engine) -> FxHashSet<(i64, u16)> {
    let mut out = FxHashSet::default();
    for t in engine.threads().filter(|t| t.is_main()) {
        if let Some(table) = engine.fd_table(t.pid) {
            out.extend(table.fds.values().filter_map(listening_port).map(|p| (t.pid, p)));
        }
    }
    out
}

/// Copies the engine's view of containers and Kubernetes objects into the catalog (only
/// what changed bumps its generation), recording what changed at `now_ns`. Objects the
/// engine forgot stay in the catalog, marked deleted.
pub fn sync_catalog<'a>(engine: &Engine, catalog: &mut Catalog, extra_containers: impl Iterator<Item = &'a str>, seen: &mut ObjectsSeen, now_ns: u64) {
    let cluster = &engine.cluster;
    crate::catalog_sync::sync_objects(cluster, catalog, seen, now_ns);
    let mut ids: Vec<String> = cluster.containers().map(|c| c.id.clone()).collect();
    ids.extend(extra_containers.map(str::to_string));
    ids.extend(catalog.all_series().iter().filter_map(|s| s.key.container.clone()));
    ids.sort();
    ids.dedup();
    for id in ids {
        let info = engine.container(&id);
        let pod = cluster.pod_of_container(&id);
        let sandbox = info.is_some_and(|i| i.is_pod_sandbox || i.name.starts_with("k8s_POD"));
        let pod_container_name = pod
            .and_then(|p| p.container_by_id(&id))
            .map(|c| c.name.to_string())
            .or_else(|| (pod.is_some() && sandbox).then(|| "POD".to_string()));
        let meta = ContainerMeta {
            id: id.clone(),
            name: info.map(|i| i.name.clone()).unwrap_or_default(),
            image: info.map(|i| i.image.clone()).unwrap_or_default(),
            runtime: info.map(|i| i.kind.name().to_string()).unwrap_or_default(),
            labels: info.map(|i| i.labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()).unwrap_or_default(),
            pod_uid: pod.map(|p| p.meta.uid.to_string()),
            pod_container_name,
        };
        catalog.upsert_container(meta);
    }
    let ix = kinsight_analysis::K8sIndex::build(engine);
    let local = ix
        .local_node(engine)
        .map(|n| n.name.clone())
        .or_else(|| engine.machine.as_ref().map(|m| m.hostname.clone()).filter(|h| !h.is_empty()))
        .unwrap_or_else(|| "host".to_string());
    catalog.set_local_node(&local);
}
