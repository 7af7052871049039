//! Data sources. Each drives the pipeline on a thread of its own; the server never waits
//! for one. A capture replay is read as fast as possible; the live source (crate::live)
//! feeds this host's events and the Kubernetes watcher's updates. [`detect_kubernetes`]
//! finds credentials the way kubectl does.

use crate::pipeline::Pipeline;
use crate::status::{SourceState, SourceStatus};
use crate::Shared;
use kinsight_scap::ScapReader;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

#[derive(Debug)]
pub enum SourceError {
    /// The source cannot run in this build or on this machine.
    Unavailable(String),
    /// It could not start (unreadable file, not a capture).
    Open(String),
    /// It stopped part way (a damaged capture); what was read before is kept.
    Broken(String),
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceError::Unavailable(s) | SourceError::Open(s) | SourceError::Broken(s) => f.write_str(s),
        }
    }
}

/// What a source can see of the world while it runs.
pub struct SourceCtl {
    pub shared: Arc<Shared>,
    /// Its line in `Shared::sources`.
    pub index: usize,
    pub stop: Arc<AtomicBool>,
}

impl SourceCtl {
    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    pub fn progress(&self, events: u64, bytes_read: u64) {
        self.shared.update_source(self.index, |s| {
            s.events = events;
            s.bytes_read = bytes_read;
        });
    }
}

pub trait Source: Send {
    /// Short name: `replay`, `live-host`.
    fn kind(&self) -> &'static str;
    /// What it reads, for people.
    fn detail(&self) -> String;
    /// Feeds the pipeline until the data ends, or until `ctl.stopping()`.
    fn run(&mut self, pipeline: &mut Pipeline, ctl: &SourceCtl) -> Result<(), SourceError>;
}

/// Runs a source on its own thread, recording its state in `shared`.
pub fn spawn(mut source: Box<dyn Source>, shared: Arc<Shared>, stop: Arc<AtomicBool>) -> JoinHandle<()> {
    let index = shared.add_source(SourceStatus::new(source.kind(), SourceState::Starting, source.detail()));
    std::thread::Builder::new()
        .name(format!("kinsight-{}", source.kind()))
        .spawn(move || {
            let ctl = SourceCtl { shared: Arc::clone(&shared), index, stop };
            let mut pipeline = Pipeline::new(Arc::clone(&shared));
            shared.update_source(index, |s| s.state = SourceState::Running);
            let result = source.run(&mut pipeline, &ctl);
            pipeline.finish();
            let events = pipeline.events();
            shared.update_source(index, |s| {
                s.events = events;
                match result {
                    Ok(()) => s.state = SourceState::Done,
                    Err(SourceError::Unavailable(why)) => {
                        s.state = SourceState::Unavailable;
                        s.detail = why;
                    }
                    Err(e) => {
                        s.state = SourceState::Failed;
                        s.error = Some(e.to_string());
                    }
                }
            });
        })
        .expect("spawning a thread")
}

/// Plays a capture's events through the pipeline as fast as they can be read. History is
/// keyed by the events' own times, so the charts show the capture's span, not the replay's.
pub struct ReplaySource {
    path: PathBuf,
}

impl ReplaySource {
    pub fn new(path: impl Into<PathBuf>) -> ReplaySource {
        ReplaySource { path: path.into() }
    }
}

impl Source for ReplaySource {
    fn kind(&self) -> &'static str {
        "replay"
    }

    fn detail(&self) -> String {
        self.path.display().to_string()
    }

    fn run(&mut self, pipeline: &mut Pipeline, ctl: &SourceCtl) -> Result<(), SourceError> {
        let mut reader = ScapReader::open(&self.path).map_err(|e| SourceError::Open(format!("{}: {e}", self.path.display())))?;
        let mut blocks: u64 = 0;
        loop {
            match reader.next_block() {
                Ok(Some(block)) => pipeline.apply_block(&block),
                Ok(None) => break,
                Err(e) => {
                    return Err(SourceError::Broken(format!(
                        "{}: {e}; the {} events read before the damage are shown",
                        self.path.display(),
                        pipeline.events()
                    )))
                }
            }
            blocks += 1;
            if blocks.is_multiple_of(16384) {
                ctl.progress(pipeline.events(), reader.offset());
                if ctl.stopping() {
                    break;
                }
            }
        }
        ctl.progress(pipeline.events(), reader.offset());
        Ok(())
    }
}

/// Where Kubernetes credentials were found, if anywhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KubeAccess {
    Kubeconfig(PathBuf),
    /// A service account mounted in a pod.
    InCluster,
    None,
}

/// Looks for credentials the way kubectl and in-cluster clients do: `$KUBECONFIG` (first
/// existing entry), `~/.kube/config`, then a mounted service account.
pub fn detect_kubernetes(env: impl Fn(&str) -> Option<String>) -> KubeAccess {
    if let Some(list) = env("KUBECONFIG") {
        if let Some(p) = std::env::split_paths(&list).find(|p| p.is_file()) {
            return KubeAccess::Kubeconfig(p);
        }
    }
    if let Some(home) = env("HOME") {
        let p = Path::new(&home).join(".kube/config");
        if p.is_file() {
            return KubeAccess::Kubeconfig(p);
        }
    }
    if env("KUBERNETES_SERVICE_HOST").is_some() && Path::new("/var/run/secrets/kubernetes.io/serviceaccount/token").is_file() {
        return KubeAccess::InCluster;
    }
    KubeAccess::None
}
