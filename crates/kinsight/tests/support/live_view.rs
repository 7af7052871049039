//! `kinsight live` and `kinsight capture` run as children by the live request tests
//! (requests.rs, grpc.rs): started, waited for until they watch, their JSON rows read.

#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::{Duration, Instant};

pub const KINSIGHT: &str = env!("CARGO_BIN_EXE_kinsight");

/// Why the live tests cannot run here: kinsight's own line when it found no BPF.
pub fn no_bpf() -> Option<String> {
    let out = Command::new(KINSIGHT).args(["live", "--mode", "full", "--once", "--interval", "1", "--view", "procs", "--format", "json"]).output().expect("run kinsight");
    String::from_utf8_lossy(&out.stderr).lines().find(|l| l.contains("BPF is not in use")).map(str::to_string)
}

pub fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A child killed when dropped.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `kinsight live` until its one refresh (or `kinsight capture` until its duration).
pub struct Live {
    pub child: Guard,
    stderr: BufReader<ChildStderr>,
}

impl Live {
    pub fn start(args: &[&str]) -> Live {
        let mut child = Command::new(KINSIGHT).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start kinsight");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut line = String::new();
        while Instant::now() < deadline {
            line.clear();
            assert!(stderr.read_line(&mut line).unwrap_or(0) > 0, "kinsight exited before it was ready");
            if line.contains("watching this host") || line.contains("capturing to") {
                return Live { child: Guard(child), stderr };
            }
        }
        panic!("kinsight not ready in 30 s");
    }

    /// Its JSON rows and what it wrote on stderr.
    pub fn rows(mut self) -> (Vec<Value>, String) {
        let mut out = String::new();
        self.child.0.stdout.take().unwrap().read_to_string(&mut out).unwrap();
        let mut err = String::new();
        self.stderr.read_to_string(&mut err).unwrap();
        let status = self.child.0.wait().unwrap();
        assert!(status.success(), "kinsight failed: {err}");
        (serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}")), err)
    }
}
