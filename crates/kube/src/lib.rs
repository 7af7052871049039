//! kinsight-kube: the live Kubernetes API as a source of cluster-model updates.
//!
//! What it owns: connecting like kubectl ([`connect`]: kubeconfig contexts, client
//! certificates, bearer tokens, exec plugins, in-cluster service account); one list + watch
//! loop per kind the model holds ([`watch`]: paging, bookmarks, resume from the last
//! resourceVersion, relist on 410 Gone, backoff on errors, metadata-only where the object
//! is not needed, RBAC refusals reported once and skipped); the two deployment shapes
//! ([`Shape::Hub`], [`Shape::Agent`]); and the hand-over to the engine ([`UpdateReceiver`]).
//!
//! Objects are converted by the model's one conversion of Kubernetes API JSON — the one the
//! K8S_E events of captures go through — so a live cluster and a replayed capture fill the
//! model the same way.
//!
//! How the engine uses it: start the watches ([`KubeWatch::spawn`] on a tokio runtime, or
//! [`BackgroundWatch::start`] on a thread of their own), then between two event batches call
//! [`UpdateReceiver::apply_pending`] with `&mut engine.cluster`. That call never waits;
//! watch traffic, retries and relists all happen on the watches' own tasks.
//!
//! What it must not do: block or slow the event loop; write to the API server; ask for
//! Secrets, ConfigMaps or any kind the model does not hold; panic on what a server sends
//! (bad JSON, error statuses and broken connections are reported as [`Notice`]s and
//! retried).

pub mod agent;
pub mod connect;
pub mod error;
pub mod resources;
pub mod runner;
pub mod shape;
pub mod updates;
pub mod watch;

pub use connect::{connect, ConnectOptions};
pub use error::{ConnectError, SyncError, WatchError};
pub use runner::{BackgroundWatch, KubeWatch};
pub use shape::Shape;
pub use updates::{snapshot, Applied, KubeUpdate, Notice, SyncReport, UpdateReceiver};
pub use watch::{Projection, WatchConfig, WatchSpec};
