//! The sending side: a bounded queue of batches and the thread that POSTs them in order.

use crate::{encode, TimeSeries};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How the store wants to be authenticated.
#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Bearer(String),
    Basic { user: String, password: String },
}

impl Auth {
    /// The `Authorization` header's value, if any.
    pub fn header(&self) -> Option<String> {
        match self {
            Auth::None => None,
            Auth::Bearer(t) => Some(format!("Bearer {t}")),
            Auth::Basic { user, password } => {
                use base64::Engine;
                Some(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))))
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct WriterConfig {
    /// The store's remote-write endpoint: VictoriaMetrics `http://HOST:8428/api/v1/write`,
    /// Prometheus `http://HOST:9090/api/v1/write` (with `--web.enable-remote-write-receiver`),
    /// Mimir `/api/v1/push`, Thanos receive `/api/v1/receive`. `https://` uses TLS with the
    /// Mozilla root certificates.
    pub url: String,
    pub auth: Auth,
    /// Samples kept while the store is unreachable; past it the oldest batches are dropped.
    pub max_queued_samples: usize,
    /// Series per request.
    pub max_series_per_request: usize,
    pub request_timeout: Duration,
    /// First wait after a failure; doubled up to `max_backoff`.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    /// At a stop, how long what is queued may still take to reach a failing store.
    pub stop_grace: Duration,
}

impl WriterConfig {
    pub fn new(url: impl Into<String>) -> WriterConfig {
        WriterConfig {
            url: url.into(),
            auth: Auth::None,
            // 10 minutes of 5,000 series every 10 s.
            max_queued_samples: 300_000,
            max_series_per_request: 5_000,
            request_timeout: Duration::from_secs(30),
            min_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            stop_grace: Duration::from_secs(5),
        }
    }
}

/// What happened to what was given to the writer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WriterStats {
    pub sent_samples: u64,
    pub sent_requests: u64,
    pub queued_samples: u64,
    /// Dropped because the queue was full (the store was away too long).
    pub dropped_queue_full: u64,
    /// Dropped because the store refused them (a 4xx other than 429).
    pub dropped_refused: u64,
    pub failed_attempts: u64,
    pub last_error: Option<String>,
    /// What the store said when it last refused a request (kept when later errors differ).
    pub last_refusal: Option<String>,
    /// Milliseconds since the epoch of the last accepted request.
    pub last_success_ms: Option<i64>,
    /// The store is failing now: the last attempt did not succeed.
    pub failing: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    wake: Condvar,
}

#[derive(Default)]
struct Queue {
    /// Oldest first; the front one is being sent when `in_flight`.
    batches: VecDeque<Vec<TimeSeries>>,
    in_flight: bool,
    stats: WriterStats,
    stopping: bool,
}

/// Sends what [`RemoteWriter::push`] is given to one store. Dropping it sends what is
/// queued, giving a failing store `stop_grace`, then stops.
pub struct RemoteWriter {
    shared: Arc<Shared>,
    config: WriterConfig,
    thread: Option<JoinHandle<()>>,
}

impl RemoteWriter {
    pub fn start(config: WriterConfig) -> RemoteWriter {
        let shared = Arc::new(Shared { queue: Mutex::new(Queue::default()), wake: Condvar::new() });
        let thread = {
            let (shared, config) = (shared.clone(), config.clone());
            std::thread::Builder::new().name("remote-write".into()).spawn(move || send_loop(&shared, &config)).expect("spawn the remote-write thread")
        };
        RemoteWriter { shared, config, thread: Some(thread) }
    }

    /// Queues one round of samples, in requests of at most `max_series_per_request`.
    pub fn push(&self, series: Vec<TimeSeries>) {
        if series.is_empty() {
            return;
        }
        let mut q = self.shared.queue.lock().unwrap_or_else(|e| e.into_inner());
        let mut rest = series;
        while !rest.is_empty() {
            let tail = rest.split_off(rest.len().min(self.config.max_series_per_request));
            q.stats.queued_samples += rest.len() as u64;
            q.batches.push_back(rest);
            rest = tail;
        }
        // Full: the oldest batches go, except the one being sent and the newest.
        let keep_front = usize::from(q.in_flight);
        while q.stats.queued_samples as usize > self.config.max_queued_samples && q.batches.len() > keep_front + 1 {
            let old = q.batches.remove(keep_front).expect("a batch behind the front");
            q.stats.queued_samples -= old.len() as u64;
            q.stats.dropped_queue_full += old.len() as u64;
        }
        drop(q);
        self.shared.wake.notify_one();
    }

    pub fn stats(&self) -> WriterStats {
        self.shared.queue.lock().unwrap_or_else(|e| e.into_inner()).stats.clone()
    }

    pub fn url(&self) -> &str {
        &self.config.url
    }
}

impl Drop for RemoteWriter {
    fn drop(&mut self) {
        self.shared.queue.lock().unwrap_or_else(|e| e.into_inner()).stopping = true;
        self.shared.wake.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

enum Outcome {
    Accepted,
    /// Worth trying again later (the store is away or busy).
    Retry(String),
    /// The store will never take it.
    Refused(String),
}

fn send_loop(shared: &Shared, config: &WriterConfig) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(config.request_timeout)).build().into();
    let mut backoff = config.min_backoff;
    let mut stop_deadline: Option<Instant> = None;
    loop {
        let batch = {
            let mut q = shared.queue.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if let Some(b) = q.batches.front() {
                    let b = b.clone();
                    q.in_flight = true;
                    break b;
                }
                if q.stopping {
                    return;
                }
                q = shared.wake.wait(q).unwrap_or_else(|e| e.into_inner());
            }
        };
        let outcome = send(&agent, config, &batch);
        let mut q = shared.queue.lock().unwrap_or_else(|e| e.into_inner());
        let stopping = q.stopping;
        q.in_flight = false;
        match outcome {
            Outcome::Accepted | Outcome::Refused(_) => {
                // push() leaves the batch in flight at the front.
                q.batches.pop_front();
                q.stats.queued_samples -= batch.len() as u64;
                backoff = config.min_backoff;
                q.stats.failing = false;
                match outcome {
                    Outcome::Refused(why) => {
                        q.stats.dropped_refused += batch.len() as u64;
                        q.stats.last_refusal = Some(why.clone());
                        q.stats.last_error = Some(why);
                    }
                    _ => {
                        q.stats.sent_samples += batch.len() as u64;
                        q.stats.sent_requests += 1;
                        q.stats.last_success_ms = Some(now_ms());
                    }
                }
            }
            Outcome::Retry(why) => {
                q.stats.failed_attempts += 1;
                q.stats.last_error = Some(why);
                q.stats.failing = true;
                if stopping {
                    // Stopping: give the store a grace, not forever.
                    let deadline = *stop_deadline.get_or_insert_with(|| Instant::now() + config.stop_grace);
                    if Instant::now() >= deadline {
                        return;
                    }
                }
                let wait = backoff;
                backoff = (backoff * 2).min(config.max_backoff);
                // Sleep, but wake for a stop.
                let _ = shared.wake.wait_timeout(q, wait);
            }
        }
    }
}

fn send(agent: &ureq::Agent, config: &WriterConfig, batch: &[TimeSeries]) -> Outcome {
    let body = encode(batch);
    let mut req = agent
        .post(&config.url)
        .header("Content-Encoding", "snappy")
        .header("Content-Type", "application/x-protobuf")
        .header("X-Prometheus-Remote-Write-Version", "0.1.0")
        .header("User-Agent", concat!("kinsight/", env!("CARGO_PKG_VERSION")));
    if let Some(value) = config.auth.header() {
        req = req.header("Authorization", &value);
    }
    match req.send(&body[..]) {
        Err(e) => Outcome::Retry(format!("{}: {e}", config.url)),
        Ok(mut resp) => {
            let status = resp.status().as_u16();
            if (200..300).contains(&status) {
                return Outcome::Accepted;
            }
            let text = resp.body_mut().read_to_string().unwrap_or_default();
            let why = format!("{}: HTTP {status}: {}", config.url, text.trim().chars().take(300).collect::<String>());
            if status == 429 || status >= 500 {
                Outcome::Retry(why)
            } else {
                Outcome::Refused(why)
            }
        }
    }
}

impl RemoteWriter {
    /// Waits until everything queued was sent (or dropped), at most `timeout`; whether it was.
    pub fn flush(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let q = self.shared.queue.lock().unwrap_or_else(|e| e.into_inner());
            if q.batches.is_empty() {
                return true;
            }
            drop(q);
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
