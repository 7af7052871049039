//! Starting `kinsight up`: history (from the last snapshot in live mode), the sources on
//! their threads, the HTTP server on a small runtime, periodic snapshots, and an orderly
//! stop that writes a last snapshot.

use crate::state::{now_ns, AppState, Mode, SnapshotInfo};
use kinsight_history::{History, HistoryConfig};
use kinsight_monitor::source::spawn;
use kinsight_monitor::{LiveConfig, LiveHostSource, ReplaySource, Shared};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

pub struct UpOptions {
    pub bind: SocketAddr,
    /// Required on every API call when set; required to bind anything but loopback.
    pub token: Option<String>,
    /// Serve this capture instead of watching the host.
    pub replay: Option<PathBuf>,
    /// Without a replay: what is watched live (this host, a Kubernetes API). Nothing by
    /// default; the command line asks for this host and the cluster it finds.
    pub live: LiveConfig,
    /// Live mode: where history is snapshotted and reloaded from. `None`: no persistence.
    pub data_dir: Option<PathBuf>,
    pub history: HistoryConfig,
    pub snapshot_every: Duration,
    /// Stop on Ctrl-C / SIGTERM (the command line); tests stop the server themselves.
    pub handle_signals: bool,
    /// Send the series of `/metrics` to a Prometheus-compatible store.
    pub remote_write: Option<crate::push::RemoteWriteOptions>,
    /// The hub: read the cluster's counters from this store (where the agents write).
    pub store: Option<crate::cluster::StoreOptions>,
    /// Where this server can be reached by the hub (agents): written to the store with
    /// each round of remote write. Default: `http://$POD_IP:PORT` in a pod, else the
    /// address bound when it is not a wildcard.
    pub advertise: Option<String>,
}

impl UpOptions {
    pub fn new(bind: SocketAddr) -> UpOptions {
        UpOptions { bind, token: None, replay: None, live: LiveConfig::nothing(), data_dir: None, history: HistoryConfig::default(), snapshot_every: Duration::from_secs(60), handle_signals: false, remote_write: None, store: None, advertise: None }
    }
}

#[derive(Debug)]
pub enum UpError {
    /// Binding beyond loopback without a token.
    TokenRequired(SocketAddr),
    EmptyToken,
    Bind(SocketAddr, std::io::Error),
    Replay(String),
    Runtime(std::io::Error),
    /// The hub's store URL is not one.
    Store(String),
}

impl std::fmt::Display for UpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UpError::TokenRequired(a) => write!(f, "binding {a} exposes the API beyond this machine: give a token with --token or KINSIGHT_TOKEN (clients then send 'Authorization: Bearer TOKEN')"),
            UpError::EmptyToken => write!(f, "the token is empty"),
            UpError::Bind(a, e) if e.kind() == std::io::ErrorKind::AddrInUse => write!(f, "{a} is already in use (another kinsight up?); pick another address with --bind 127.0.0.1:PORT"),
            UpError::Bind(a, e) => write!(f, "cannot listen on {a}: {e}"),
            UpError::Replay(e) => write!(f, "{e}"),
            UpError::Runtime(e) => write!(f, "cannot start the server: {e}"),
            UpError::Store(e) => write!(f, "--store: {e}"),
        }
    }
}

impl std::error::Error for UpError {}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub state: Arc<AppState>,
    /// History could not be read back from the snapshot (it was set aside, and history
    /// starts empty).
    pub snapshot_warning: Option<String>,
    stop: Arc<AtomicBool>,
    shutdown: Arc<Notify>,
    http_thread: Option<JoinHandle<()>>,
    snapshot_thread: Option<JoinHandle<()>>,
    push_thread: Option<JoinHandle<()>>,
}

pub const SNAPSHOT_FILE: &str = "history.bin.gz";

/// Starts sources, the HTTP server and snapshots; returns once the port is bound.
pub fn start(opts: UpOptions) -> Result<Server, UpError> {
    start_with(opts, None)
}

/// Like [`start`], serving `history` as it is instead of an empty or reloaded one
/// (benchmarks and tests with made-up data).
pub fn start_with(opts: UpOptions, history: Option<History>) -> Result<Server, UpError> {
    if let Some(t) = &opts.token {
        if t.is_empty() {
            return Err(UpError::EmptyToken);
        }
    }
    if !opts.bind.ip().is_loopback() && opts.token.is_none() {
        return Err(UpError::TokenRequired(opts.bind));
    }
    if let Some(p) = &opts.replay {
        if !p.is_file() {
            return Err(UpError::Replay(format!("{}: no such capture file", p.display())));
        }
    }
    let listener = std::net::TcpListener::bind(opts.bind).map_err(|e| UpError::Bind(opts.bind, e))?;
    listener.set_nonblocking(true).map_err(UpError::Runtime)?;
    let addr = listener.local_addr().map_err(UpError::Runtime)?;

    // History: a replay starts empty (the capture is the data); live mode resumes.
    let snapshot_path = match (&opts.replay, &opts.data_dir) {
        (None, Some(d)) => Some(d.join(SNAPSHOT_FILE)),
        _ => None,
    };
    let mut snapshot_warning = None;
    let history = match history {
        Some(h) => h,
        None => resume(snapshot_path.as_deref(), &opts.history, &mut snapshot_warning),
    };
    let mut history = history;
    if let Some(kinsight_monitor::KubeTarget { shape: kinsight_monitor::Shape::Agent { node }, .. }) = &opts.live.kubernetes {
        history.catalog.pin_local_node(node);
    }
    let shared = Shared::new(history);
    let stop = Arc::new(AtomicBool::new(false));
    let mode = match &opts.replay {
        Some(p) => {
            spawn(Box::new(ReplaySource::new(p.clone())), shared.clone(), stop.clone());
            Mode::Replay(p.clone())
        }
        None => {
            spawn(Box::new(LiveHostSource::new(opts.live.clone())), shared.clone(), stop.clone());
            Mode::Live
        }
    };
    let mut state = AppState::new(shared.clone(), opts.token.clone(), mode, snapshot_path.clone());
    state.remote_write = opts.remote_write.as_ref().map(|rw| Arc::new(kinsight_remote_write::RemoteWriter::start(rw.writer.clone())));
    state.cluster = opts.store.as_ref().map(|s| crate::cluster::ClusterStore::new(s).map(Arc::new)).transpose().map_err(UpError::Store)?;
    if let Some(c) = &state.cluster {
        c.start_refresher();
    }
    state.fanout = opts.store.as_ref().map(|s| crate::fanout::Fanout::new(s.agent_token.clone(), s.agent_timeout));
    state.advertise = opts.advertise.clone().or_else(|| default_advertise(addr, std::env::var("POD_IP").ok()));
    let state = Arc::new(state);
    let push_thread = opts.remote_write.as_ref().zip(state.remote_write.clone()).map(|(rw, w)| crate::push::spawn(state.clone(), w, rw.interval, stop.clone()));
    let shutdown = Arc::new(Notify::new());

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).max_blocking_threads(4).enable_all().thread_name("kinsight-http").build().map_err(UpError::Runtime)?;
    let app = crate::router(state.clone());
    let sd = shutdown.clone();
    let handle_signals = opts.handle_signals;
    let http_thread = std::thread::Builder::new()
        .name("kinsight-server".into())
        .spawn(move || {
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::from_std(listener) {
                    Ok(l) => l,
                    Err(e) => {
                        eprintln!("kinsight: {e}");
                        return;
                    }
                };
                if handle_signals {
                    let s = sd.clone();
                    tokio::spawn(async move {
                        if tokio::signal::ctrl_c().await.is_ok() {
                            s.notify_one();
                        }
                    });
                    #[cfg(unix)]
                    {
                        let s = sd.clone();
                        if let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                            tokio::spawn(async move {
                                term.recv().await;
                                s.notify_one();
                            });
                        }
                    }
                }
                let stopped = async move { sd.notified().await };
                if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(stopped).await {
                    eprintln!("kinsight: server error: {e}");
                }
            });
        })
        .map_err(UpError::Runtime)?;

    let snapshot_thread = snapshot_path.map(|path| {
        let st = state.clone();
        let stop = stop.clone();
        let every = opts.snapshot_every;
        std::thread::Builder::new()
            .name("kinsight-snapshot".into())
            .spawn(move || {
                let mut saved_samples = st.history().samples();
                let mut last = Instant::now();
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    if last.elapsed() >= every {
                        last = Instant::now();
                        saved_samples = save_if_changed(&st, &path, saved_samples);
                    }
                }
                save_if_changed(&st, &path, saved_samples);
            })
            .expect("spawning a thread")
    });
    Ok(Server { addr, state, snapshot_warning, stop, shutdown, http_thread: Some(http_thread), snapshot_thread, push_thread })
}

/// The address others reach this server at: the pod's IP in a pod, else the bound one
/// unless it is a wildcard (then nobody can tell which of this host's addresses works).
fn default_advertise(addr: SocketAddr, pod_ip: Option<String>) -> Option<String> {
    match pod_ip.filter(|ip| !ip.is_empty()) {
        Some(ip) if ip.contains(':') => Some(format!("http://[{ip}]:{}", addr.port())),
        Some(ip) => Some(format!("http://{ip}:{}", addr.port())),
        None if !addr.ip().is_unspecified() => Some(format!("http://{addr}")),
        None => None,
    }
}

/// History from the last snapshot, or empty. A snapshot that cannot be read is set aside
/// (never deleted) and reported.
fn resume(snapshot: Option<&std::path::Path>, config: &HistoryConfig, warning: &mut Option<String>) -> History {
    let Some(p) = snapshot.filter(|p| p.is_file()) else { return History::new(config.clone()) };
    match History::load(p, config.clone()) {
        // Counters for Prometheus and the store start again from zero, as any exporter's do
        // when it restarts: a snapshot older than the last samples sent would otherwise
        // look like a reset to the store and be counted twice.
        Ok(mut h) => {
            h.totals = Default::default();
            h
        }
        Err(e) => {
            let aside = p.with_extension("unreadable");
            let _ = std::fs::rename(p, &aside);
            *warning = Some(format!("{e}; it was moved to {} and history starts empty", aside.display()));
            History::new(config.clone())
        }
    }
}

/// Writes a snapshot when history gained samples since the last one; returns the count
/// saved.
fn save_if_changed(st: &AppState, path: &std::path::Path, saved: u64) -> u64 {
    let h = st.history();
    // Nothing recorded yet, or nothing new since the last snapshot: nothing to write.
    if h.samples() == 0 || (h.samples() == saved && path.is_file()) {
        return saved;
    }
    let result = h.save(path);
    let samples = h.samples();
    drop(h);
    let error = result.err().map(|e| e.to_string());
    if let Some(e) = &error {
        eprintln!("kinsight: snapshot failed: {e}");
    }
    *st.last_snapshot.lock().unwrap_or_else(|e| e.into_inner()) = Some(SnapshotInfo { saved_ns: now_ns(), error });
    samples
}

impl Server {
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Waits until no source is running (a replay has been read), at most `timeout`.
    pub fn wait_sources(&self, timeout: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if !self.state.shared.any_source_active() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Blocks until the server stops (Ctrl-C or SIGTERM when signals are handled), then
    /// finishes like [`Server::stop`].
    pub fn wait(mut self) {
        if let Some(t) = self.http_thread.take() {
            let _ = t.join();
        }
        self.finish();
    }

    /// Stops serving, stops the sources, writes a last snapshot.
    pub fn stop(mut self) {
        self.shutdown.notify_one();
        if let Some(t) = self.http_thread.take() {
            let _ = t.join();
        }
        self.finish();
    }

    fn finish(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.snapshot_thread.take() {
            let _ = t.join();
        }
        if let Some(t) = self.push_thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown.notify_one();
        self.stop.store(true, Ordering::Relaxed);
    }
}
