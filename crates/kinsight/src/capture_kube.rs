//! The cluster a capture was taken in, recorded into it: `kinsight capture` watches the
//! Kubernetes API (when it finds one) and writes every object as a K8S_E event, first the
//! whole listing, then each change as it happens, so that `kinsight read` and `up --replay`
//! show the logical hierarchy of the capture later, offline.
//!
//! Each event holds one object as the API server's own watch event JSON
//! (`{"type":"ADDED","object":{...}}`, see `kinsight_model::k8s::encode`), reduced to the
//! fields the model keeps: K8S_E's one parameter has a 16-bit length.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use kinsight_kube::{snapshot, BackgroundWatch, Notice, UpdateReceiver, WatchConfig};
use kinsight_model::k8s::{watch_event_json, MAX_CAPTURE_EVENT_JSON};
use kinsight_model::{Cluster, K8sObject, ObjectKind, WatchKind};
use kinsight_server::KubeTarget;
use kinsight_scap::table::code;
use kinsight_scap::ScapWriter;

/// What was recorded, for the closing line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Recorded {
    pub events: u64,
    /// Objects whose JSON did not fit a K8S_E event (left out, counted).
    pub too_large: u64,
}

pub struct KubeRecorder {
    _watch: BackgroundWatch,
    updates: UpdateReceiver,
    cluster: Cluster,
    /// What the capture holds of each object, to write only what changed.
    written: BTreeMap<(ObjectKind, String), K8sObject>,
    /// Whether the first listing was written.
    started: bool,
    pub recorded: Recorded,
}

impl KubeRecorder {
    /// Connects and waits up to `timeout` for the first complete listing; kinds the server
    /// refuses are reported and left out.
    pub fn start(target: &KubeTarget, timeout: Duration) -> Result<KubeRecorder, String> {
        let (watch, mut updates) = BackgroundWatch::start(target.connect.clone(), target.shape.clone(), WatchConfig::default())
            .map_err(|e| e.to_string())?;
        let mut cluster = Cluster::default();
        let synced = updates.wait_synced_blocking(&mut cluster, timeout);
        for notice in updates.take_notices() {
            if let Notice::Skipped { .. } = notice {
                eprintln!("kinsight: warning: {notice}; not recorded");
            }
        }
        synced.map_err(|e| e.to_string())?;
        Ok(KubeRecorder { _watch: watch, updates, cluster, written: BTreeMap::new(), started: false, recorded: Recorded::default() })
    }

    /// Writes what changed since the last call (everything, the first time) at `ts`.
    /// `also` sees every payload written (the capture's own engine, for its filter).
    pub fn record<W: Write>(&mut self, writer: &mut ScapWriter<W>, ts: u64, mut also: impl FnMut(&str)) -> std::io::Result<()> {
        if self.updates.apply_pending(&mut self.cluster).changes == 0 && self.started {
            return Ok(());
        }
        let now = snapshot(&self.cluster);
        let mut out: Vec<(WatchKind, &K8sObject)> = Vec::new();
        for (key, object) in &now {
            match self.written.get(key) {
                Some(old) if old == object => {}
                Some(_) => out.push((WatchKind::Modified, object)),
                None => out.push((WatchKind::Added, object)),
            }
        }
        for (key, object) in &self.written {
            if !now.contains_key(key) {
                out.push((WatchKind::Deleted, object));
            }
        }
        let tid = i64::from(std::process::id());
        for (kind, object) in out {
            let mut json = watch_event_json(kind, object);
            if json.len() > MAX_CAPTURE_EVENT_JSON {
                self.recorded.too_large += 1;
                continue;
            }
            also(&json);
            json.push('\0');
            writer.write_raw_event(0, ts, tid, code::K8S_E, &[json.as_bytes()])?;
            self.recorded.events += 1;
        }
        self.written = now;
        self.started = true;
        Ok(())
    }
}
