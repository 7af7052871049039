//! The pipeline `kinsight up` runs (a capture replay, or this host and the Kubernetes API),
//! run inside `kinsight top` itself: the same server, on an ephemeral loopback port with a
//! token of its own, queried through [`HttpSource`]. The UI thus sees exactly what a
//! `kinsight up` would serve, with no second way of computing it.

use crate::source::{HttpSource, Source, SourceError};
use kinsight_server::{start, Server, UpError, UpOptions};
use serde_json::Value;
use std::io::Read;

pub struct LocalServer {
    // Dropping the server stops its sources; it lives as long as the UI's source.
    server: Server,
    http: HttpSource,
}

impl LocalServer {
    /// Starts the server `opts` describe, listening on 127.0.0.1 on a port the system picks.
    /// `label` is what the header shows as the source.
    pub fn start(mut opts: UpOptions, label: String) -> Result<LocalServer, UpError> {
        opts.bind = "127.0.0.1:0".parse().expect("a valid loopback address");
        // Other users of this machine can reach loopback ports: a token keeps the API ours.
        let token = random_token();
        opts.token = token.clone();
        opts.handle_signals = false;
        let server = start(opts)?;
        let http = HttpSource::new(&format!("http://{}", server.addr), token).with_label(label);
        Ok(LocalServer { server, http })
    }

    pub fn url(&self) -> String {
        self.server.url()
    }
}

impl Source for LocalServer {
    fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, SourceError> {
        self.http.get(path, query)
    }

    fn describe(&self) -> String {
        self.http.describe()
    }
}

/// 128 random bits as hex, or none when the system has no random source (the server then
/// runs without a token, as `kinsight up` does on loopback).
fn random_token() -> Option<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes)).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
