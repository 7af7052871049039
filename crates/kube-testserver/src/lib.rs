//! A fake Kubernetes API server for tests, speaking the real protocol over real HTTP.
//!
//! What it owns: an in-memory object store with etcd's revision semantics, and an HTTP/1.1
//! server (plain or TLS) that serves it the way kube-apiserver does, so that real clients —
//! kube-rs and kubectl — can be tested against it on a machine with no cluster. The
//! simulation is meant to be faithful to the real protocol wherever a client can observe it;
//! a difference a client can see is a bug here, not a simplification.
//!
//! What it implements, as kube-apiserver does:
//! - Objects of `v1` (Namespace, Node, Pod, Service, ReplicationController, ConfigMap,
//!   Secret), `apps/v1` (ReplicaSet, Deployment, StatefulSet, DaemonSet), `batch/v1` (Job,
//!   CronJob) and `discovery.k8s.io/v1` (EndpointSlice), checked against the API's schema
//!   (the k8s-openapi types) on every write; the server sets `uid`, `resourceVersion`,
//!   `creationTimestamp` and `generation`.
//! - Legacy discovery (`/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`), `/version`.
//! - get, list and watch, cluster-wide and per namespace, with `labelSelector` and
//!   `fieldSelector` (the per-resource field sets, `spec.nodeName` for pods included).
//! - Lists: `limit`/`continue` paging with consistent snapshots and the API's continue-token
//!   format, `remainingItemCount`, `resourceVersion` + `resourceVersionMatch` (unset:
//!   newest; `0`: any, limit ignored as the watch cache does; `NotOlderThan`; `Exact`;
//!   legacy exact-with-limit), 410 Expired for compacted revisions and continue tokens,
//!   504 "Too large resource version" after waiting for a future revision.
//! - Watches: chunked JSON lines of ADDED / MODIFIED / DELETED / BOOKMARK / ERROR;
//!   `resourceVersion` unset or `0` starts with the current state as ADDED events;
//!   `allowWatchBookmarks`; `timeoutSeconds`; `sendInitialEvents` with the
//!   `k8s.io/initial-events-end` bookmark; objects entering or leaving a selector arrive as
//!   ADDED or DELETED; a watch from a compacted revision gets an ERROR event with a 410
//!   Status, as do open watches when [`TestServer::expire_watches`] is called.
//! - Representations: JSON (list items without `apiVersion`/`kind`, as a real server sends
//!   them), `PartialObjectMetadata(List)` for metadata-only requests, and server-side
//!   `Table`s for kubectl (Pod, Service, Deployment and Node columns; Name/Age otherwise).
//! - Authentication: bearer tokens, client certificates (TLS, the CN is the user), anonymous
//!   or 401; authorization: 403 with the API's message for resources a test forbids.
//! - Failures on demand ([`Fault`]): error statuses, requests that hang, dropped
//!   connections, a server restart (the port closes, storage survives, the watch cache
//!   starts over so older revisions get 410).
//!
//! What it does not implement: writes over HTTP (tests write through [`TestServer`]'s
//! methods; HTTP answers 405 to anything but GET), protobuf and YAML encodings, HTTP/2,
//! gzip, aggregated discovery and OpenAPI documents, subresources (`/status`, `/log`, ...),
//! server-side apply and managed-fields bookkeeping (objects keep the `managedFields` they
//! were written with), admission, defaulting of unset fields, garbage collection by
//! owner references and every other controller (the [`sim`] module plays the controllers a
//! scenario needs, and namespace deletion cascades as the namespace controller would), the
//! `gt`/`lt` label operators, real RBAC rules (only whole resources can be forbidden), and
//! the 504 a real server gives, after 3 s, to a *watch* from a revision it has not reached
//! (this one waits for it; lists do get the 504).
//!
//! What it must not do: listen anywhere but 127.0.0.1, or keep running after the
//! [`TestServer`] is dropped.

mod discovery;
mod faults;
pub mod kubeconfig;
mod resources;
mod selector;
mod server;
pub mod sim;
mod store;
mod table;
pub mod time;
mod tls;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::net::TcpSocket;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

pub use faults::{Fault, On, Verb};
pub use kubeconfig::{Context, Credentials};
pub use resources::{Resource, ResourceInfo};
pub use server::{RequestRecord, ServerConfig};
pub use store::{ChangeType, StoreError};
pub use tls::{ClientCert, TlsError};

use server::{lock, Control, Shared};
use store::Store;

/// Why the server could not start or come back.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("starting the server's runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("binding 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("TLS: {0}")]
    Tls(#[from] TlsError),
    #[error("the server was started without TLS; client certificates need `ServerConfig::tls`")]
    NoTls,
}

/// A running server. Dropping it stops it and closes every connection.
pub struct TestServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    runtime: Option<tokio::runtime::Runtime>,
    acceptor: Mutex<Option<JoinHandle<()>>>,
    tls_acceptor: Option<TlsAcceptor>,
}

impl TestServer {
    /// Starts a server on an ephemeral port of 127.0.0.1.
    pub fn start(config: ServerConfig) -> Result<TestServer, ServerError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("kube-testserver")
            .enable_all()
            .build()
            .map_err(ServerError::Runtime)?;
        let tls = if config.tls {
            Some(tls::TlsMaterial::generate()?)
        } else {
            None
        };
        let tls_acceptor = match &tls {
            Some(t) => Some(TlsAcceptor::from(t.server_config()?)),
            None => None,
        };
        let store = Store::new(config.first_revision, config.history_limit);
        let revision = store.revision();
        let shared = Arc::new(Shared {
            config,
            store: Mutex::new(store),
            revision: watch::channel(revision).0,
            control: watch::channel(Control::default()).0,
            faults: Mutex::new(Default::default()),
            log: Mutex::new(Vec::new()),
            tls,
            client_certs: Mutex::new(HashMap::new()),
            address: Mutex::new(String::new()),
            open_watches: Mutex::new(HashMap::new()),
            connections: AtomicUsize::new(0),
        });
        let mut server = TestServer {
            shared,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            runtime: Some(runtime),
            acceptor: Mutex::new(None),
            tls_acceptor,
        };
        server.addr = server.listen(0)?;
        *lock(&server.shared.address) = server.addr.to_string();
        Ok(server)
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().expect("the runtime lives until drop")
    }

    /// Binds `port` (0: any) and starts accepting.
    fn listen(&self, port: u16) -> Result<SocketAddr, ServerError> {
        let _guard = self.runtime().enter();
        let bind = |port: u16| -> std::io::Result<tokio::net::TcpListener> {
            let socket = TcpSocket::new_v4()?;
            // A restart rebinds the same port while old connections sit in TIME_WAIT.
            socket.set_reuseaddr(true)?;
            socket.bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
            socket.listen(1024)
        };
        let listener = bind(port).map_err(|source| ServerError::Bind { port, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| ServerError::Bind { port, source })?;
        let task = self.runtime().spawn(server::accept_loop(
            listener,
            self.shared.clone(),
            self.tls_acceptor.clone(),
        ));
        *lock(&self.acceptor) = Some(task);
        Ok(addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>` or `https://...`.
    pub fn url(&self) -> String {
        let scheme = if self.shared.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// The CA certificate (PEM) clients must trust, when serving HTTPS.
    pub fn ca_pem(&self) -> Option<&str> {
        self.shared.tls.as_ref().map(|t| t.ca_pem.as_str())
    }

    /// Issues a client certificate the server will accept as `user`.
    pub fn client_cert(&self, user: &str) -> Result<ClientCert, ServerError> {
        let tls = self.shared.tls.as_ref().ok_or(ServerError::NoTls)?;
        let cert = tls.client_cert(user, &["system:masters"])?;
        lock(&self.shared.client_certs).insert(cert.der.clone(), user.to_string());
        Ok(cert)
    }

    /// A one-context kubeconfig for this server.
    pub fn kubeconfig(&self, credentials: Credentials) -> String {
        kubeconfig::render(&[self.context("test", credentials)], "test")
    }

    /// A kubeconfig context for this server, to combine several in one file.
    pub fn context(&self, name: &str, credentials: Credentials) -> Context {
        Context {
            name: name.to_string(),
            server: self.url(),
            ca_pem: self.ca_pem().map(str::to_string),
            credentials,
            namespace: None,
        }
    }

    // -----------------------------------------------------------------------------------
    // Objects
    // -----------------------------------------------------------------------------------

    fn write<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut store = lock(&self.shared.store);
        let result = f(&mut store);
        self.shared.notify(&store);
        result
    }

    /// Creates an object (any served kind, in the API's JSON shape); returns it as stored.
    pub fn create(&self, object: Value) -> Result<Value, StoreError> {
        self.write(|s| s.create(object)).map(|o| o.value.clone())
    }

    /// Replaces an object; a `metadata.resourceVersion` in it must be current.
    pub fn update(&self, object: Value) -> Result<Value, StoreError> {
        self.write(|s| s.update(object)).map(|o| o.value.clone())
    }

    /// Reads, changes and writes back an object in one step.
    pub fn modify(
        &self,
        resource: Resource,
        namespace: &str,
        name: &str,
        change: impl FnOnce(&mut Value),
    ) -> Result<Value, StoreError> {
        self.write(|s| {
            let mut value = s
                .get(resource, namespace, name)
                .ok_or_else(|| StoreError::NotFound {
                    resource,
                    name: name.to_string(),
                })?
                .value
                .clone();
            change(&mut value);
            s.update(value)
        })
        .map(|o| o.value.clone())
    }

    /// Deletes an object at once. Deleting a Namespace does what the namespace controller
    /// does: the namespace turns `Terminating`, everything in it is deleted, then it goes.
    pub fn delete(
        &self,
        resource: Resource,
        namespace: &str,
        name: &str,
    ) -> Result<Value, StoreError> {
        self.write(|s| {
            if resource == Resource::Namespaces {
                s.begin_deletion(resource, "", name)?;
                for r in Resource::ALL.into_iter().filter(|r| r.info().namespaced) {
                    for obj in s.current(r, Some(name)) {
                        s.delete(r, name, obj.name())?;
                    }
                }
            }
            s.delete(resource, namespace, name)
        })
        .map(|o| o.value.clone())
    }

    /// Marks an object as being deleted (`deletionTimestamp`), as a graceful deletion
    /// starts; [`TestServer::delete`] finishes it.
    pub fn begin_deletion(
        &self,
        resource: Resource,
        namespace: &str,
        name: &str,
    ) -> Result<Value, StoreError> {
        self.write(|s| s.begin_deletion(resource, namespace, name))
            .map(|o| o.value.clone())
    }

    pub fn get(&self, resource: Resource, namespace: &str, name: &str) -> Option<Value> {
        lock(&self.shared.store)
            .get(resource, namespace, name)
            .map(|o| o.value.clone())
    }

    /// Current objects of a resource, in list order.
    pub fn objects(&self, resource: Resource) -> Vec<Value> {
        lock(&self.shared.store)
            .current(resource, None)
            .iter()
            .map(|o| o.value.clone())
            .collect()
    }

    /// Current objects of a resource in one namespace, in list order.
    pub fn objects_in(&self, resource: Resource, namespace: &str) -> Vec<Value> {
        lock(&self.shared.store)
            .current(resource, Some(namespace))
            .iter()
            .map(|o| o.value.clone())
            .collect()
    }

    /// Current objects of a resource in one namespace that `keep` accepts (only those are
    /// copied).
    pub fn objects_matching(
        &self,
        resource: Resource,
        namespace: &str,
        keep: impl Fn(&Value) -> bool,
    ) -> Vec<Value> {
        lock(&self.shared.store)
            .current(resource, Some(namespace))
            .iter()
            .filter(|o| keep(&o.value))
            .map(|o| o.value.clone())
            .collect()
    }

    /// The current revision (the `resourceVersion` a list would return now).
    pub fn revision(&self) -> u64 {
        lock(&self.shared.store).revision()
    }

    /// Sets how many changes are kept for watches (older ones are compacted away).
    pub fn set_history_limit(&self, limit: usize) {
        lock(&self.shared.store).set_history_limit(limit);
    }

    /// Compacts history up to the current revision: watches from, and lists at, older
    /// revisions get 410 Gone from now on. Open watches are not disturbed.
    pub fn compact(&self) {
        let mut store = lock(&self.shared.store);
        let now = store.revision();
        store.compact(now);
    }

    // -----------------------------------------------------------------------------------
    // Failures
    // -----------------------------------------------------------------------------------

    /// Answers 403 Forbidden to every request for `resource`, as RBAC without the grant.
    pub fn forbid(&self, resource: Resource) {
        lock(&self.shared.faults).forbid(resource);
    }

    pub fn allow(&self, resource: Resource) {
        lock(&self.shared.faults).allow(resource);
    }

    pub fn inject(&self, fault: Fault) {
        lock(&self.shared.faults).inject(fault);
    }

    /// Compacts history and ends every open watch with an ERROR event carrying 410 Gone,
    /// as when a watch falls behind etcd's compaction.
    pub fn expire_watches(&self) {
        self.compact();
        self.shared.control.send_modify(|c| c.expiries += 1);
    }

    /// Closes every open connection abruptly (watch streams end mid-chunk).
    pub fn drop_connections(&self) {
        self.shared.control.send_modify(|c| c.drops += 1);
    }

    /// Stops the server as a crash or restart does: the port stops accepting and every
    /// connection is cut. Storage survives (writes made meanwhile are kept, as etcd keeps
    /// what other API servers write). See [`TestServer::come_back`].
    pub fn go_down(&self) {
        if let Some(task) = lock(&self.acceptor).take() {
            task.abort();
            // The listener closes when the aborted task is dropped on a runtime thread; until
            // then the kernel would still accept connections into its backlog.
            let deadline = std::time::Instant::now() + Duration::from_secs(5);
            while !task.is_finished() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        self.drop_connections();
    }

    /// Accepts connections again on the same port after [`TestServer::go_down`], with a
    /// new watch cache: it starts at the current revision, so a watch resuming from an
    /// older one gets 410 Gone, as from a restarted kube-apiserver.
    pub fn come_back(&self) -> Result<(), ServerError> {
        if lock(&self.acceptor).is_some() {
            return Ok(());
        }
        self.compact();
        // The aborted accept loop may still hold the old listener for a moment.
        let mut last = None;
        for _ in 0..50 {
            match self.listen(self.addr.port()) {
                Ok(_) => return Ok(()),
                Err(e) => last = Some(e),
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(last.expect("at least one attempt"))
    }

    // -----------------------------------------------------------------------------------
    // Observation
    // -----------------------------------------------------------------------------------

    /// Every request served so far, in order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.log).clone()
    }

    /// Watches of `resource` currently streaming.
    pub fn open_watches(&self, resource: Resource) -> usize {
        lock(&self.shared.open_watches)
            .get(&resource)
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            // Works from inside another runtime (async tests) as well as from plain threads.
            rt.shutdown_background();
        }
    }
}
