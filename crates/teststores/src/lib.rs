//! kinsight-teststores: the stores kinsight's tests write to and read from, as the real
//! programs: VictoriaMetrics 1.79 (Debian `victoria-metrics`) and Prometheus 2.42 with its
//! remote-write receiver (Debian `prometheus`), each on a free loopback port with a data
//! directory of the test's.
//!
//! Owns: starting a store, waiting until it is ready, stopping it (SIGTERM: both flush on
//! it) and starting it again on the same data, so outages in tests are real outages.
//! Must not: be used outside tests.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A store's process, stopped when dropped.
pub struct StoreProcess {
    child: Option<Child>,
    pub port: u16,
    start: Box<dyn Fn() -> Child + Send>,
}

pub const VICTORIA_METRICS: &str = "/usr/bin/victoria-metrics";

impl StoreProcess {
    pub fn victoria_metrics(data: &Path) -> StoreProcess {
        assert!(Path::new(VICTORIA_METRICS).is_file(), "{VICTORIA_METRICS} is needed: apt-get install victoria-metrics (.ci/run installs it)");
        let port = free_port();
        let data = data.to_path_buf();
        let start = Box::new(move || {
            Command::new(VICTORIA_METRICS)
                .arg(format!("-storageDataPath={}", data.display()))
                .arg(format!("-httpListenAddr=127.0.0.1:{port}"))
                // Recent samples are searchable at once (the default hides the last 30 s).
                .arg("-search.latencyOffset=0s")
                .arg("-search.disableCache")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start victoria-metrics")
        });
        StoreProcess::started(port, start)
    }

    pub fn prometheus(data: &Path) -> StoreProcess {
        let port = free_port();
        let data: PathBuf = data.to_path_buf();
        std::fs::write(data.join("prometheus.yml"), "global: {}\n").unwrap();
        let start = Box::new(move || {
            Command::new("prometheus")
                .arg(format!("--config.file={}", data.join("prometheus.yml").display()))
                .arg(format!("--storage.tsdb.path={}", data.join("tsdb").display()))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .arg("--web.enable-remote-write-receiver")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start prometheus (apt-get install prometheus)")
        });
        StoreProcess::started(port, start)
    }

    fn started(port: u16, start: Box<dyn Fn() -> Child + Send>) -> StoreProcess {
        let mut s = StoreProcess { child: None, port, start };
        s.restart();
        s
    }

    /// Starts the store (again) on its data and waits until it answers.
    pub fn restart(&mut self) {
        self.child = Some((self.start)());
        let deadline = Instant::now() + Duration::from_secs(30);
        while http_get(self.port, "/-/ready").is_none_or(|(status, _)| status != 200) && http_get(self.port, "/health").is_none_or(|(status, _)| status != 200) {
            assert!(Instant::now() < deadline, "the store on port {} did not start", self.port);
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(c.id().to_string()).status();
            let _ = c.wait();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// A GET on the store: status and body, None when nothing listens.
    pub fn get(&self, path: &str) -> Option<(u16, String)> {
        http_get(self.port, path)
    }
}

impl Drop for StoreProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A plain HTTP/1.0 GET on loopback: status and body, None when nothing listens.
pub fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut c = TcpStream::connect(("127.0.0.1", port)).ok()?;
    c.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(c, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut text = String::new();
    c.read_to_string(&mut text).ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    Some((status, text.split_once("\r\n\r\n").map(|x| x.1.to_string()).unwrap_or_default()))
}
