//! The failures of this crate, one enum per failure mode: connecting, one watch's trouble
//! with the server, and waiting for the first complete picture.

use std::path::PathBuf;
use std::time::Duration;

use kinsight_model::{ModelError, ObjectKind};

/// Could not build a client: no usable kubeconfig or in-cluster account.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The kubeconfig file named with `--kubeconfig` could not be read or parsed.
    #[error("reading kubeconfig {}: {source}", path.display())]
    ReadKubeconfig {
        path: PathBuf,
        #[source]
        source: kube::config::KubeconfigError,
    },
    /// The kubeconfig was read but the chosen context is unusable (unknown context, missing
    /// server, unreadable certificate or key, ...).
    #[error("kubeconfig {where_}{}: {source}", context.as_deref().map(|c| format!(", context {c:?}")).unwrap_or_default())]
    Kubeconfig {
        /// The file, or "from $KUBECONFIG / ~/.kube/config".
        where_: String,
        context: Option<String>,
        #[source]
        source: kube::config::KubeconfigError,
    },
    /// Neither a kubeconfig nor an in-cluster service account was found.
    #[error("no Kubernetes configuration: give --kubeconfig, set KUBECONFIG, or run in a pod with a service account ({0})")]
    NoConfiguration(#[source] kube::config::InferConfigError),
    /// The configuration was found but a client could not be made from it (TLS setup,
    /// exec plugin configuration, proxy, ...).
    #[error("building the Kubernetes client: {0}")]
    Client(#[source] kube::Error),
    /// The background thread that owns the watches could not be started.
    #[error("starting the watch thread: {0}")]
    Thread(#[source] std::io::Error),
}

/// Why one watch (list + watch of one kind) could not make progress. The watch retries
/// by itself; these are reported so that a person can see what is wrong.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WatchError {
    /// The request did not reach the server or the connection broke (refused, reset, TLS,
    /// DNS, a watch stream cut mid-way).
    #[error("{kind}: request failed: {message}")]
    Transport { kind: ObjectKind, message: String },
    /// The server answered with an error status (5xx, 429, 401, ...).
    #[error("{kind}: the API server answered {code} {reason}: {message}")]
    Status {
        kind: ObjectKind,
        code: u16,
        reason: String,
        message: String,
    },
    /// The server's answer is not the JSON it should be.
    #[error("{kind}: undecodable answer: {message}")]
    Decode { kind: ObjectKind, message: String },
    /// No answer (a list) or no line, not even a bookmark (a watch), for this long.
    #[error("{kind}: no answer for {0:?}", after)]
    Timeout { kind: ObjectKind, after: Duration },
}

impl WatchError {
    pub(crate) fn decode(kind: ObjectKind, e: &ModelError) -> WatchError {
        WatchError::Decode {
            kind,
            message: e.to_string(),
        }
    }
}

/// The first complete picture of the cluster did not arrive.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Some kinds had not been listed when the time was up.
    #[error("the API server did not list {} within {after:?}{}", list(pending), last_problem.as_deref().map(|p| format!(" (last problem: {p})")).unwrap_or_default())]
    Timeout {
        pending: Vec<ObjectKind>,
        after: Duration,
        last_problem: Option<String>,
    },
    /// The watches stopped (their runtime shut down) before listing everything.
    #[error("the watches stopped before the first complete list")]
    Stopped,
    /// No timer to wait with (a blocking wait could not start its runtime).
    #[error("waiting for the first list: {0}")]
    Runtime(#[source] std::io::Error),
}

fn list(kinds: &[ObjectKind]) -> String {
    kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
