//! The HTTP side: connections (plain or TLS), authentication, routing, content negotiation,
//! and the get / list / watch verbs with the API server's query-parameter semantics.

// Handlers return `Err(response)` to answer early (400, 410, 504, ...): the response is
// the value wanted, not an error to propagate, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine as _;
use bytes::{BufMut, Bytes, BytesMut};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::{combinators::BoxBody, BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio_rustls::TlsAcceptor;

use crate::discovery;
use crate::faults::{Action, Faults, Verb};
use crate::resources::Resource;
use crate::selector::{FieldSelector, LabelSelector};
use crate::store::{Change, ChangeType, Key, ListQuery, Store, StoredObject};
use crate::table::{self, IncludeObject};
use crate::tls::TlsMaterial;

pub(crate) type Body = BoxBody<Bytes, io::Error>;

/// How the server behaves; the defaults are a real server's where a test can live with them.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Serve HTTPS with a generated CA (needed for client-certificate authentication).
    pub tls: bool,
    /// Bearer tokens the server accepts.
    pub tokens: Vec<String>,
    /// Whether requests without credentials are served (as `system:anonymous`). When false
    /// they get 401, as from a server with anonymous auth disabled.
    pub anonymous: bool,
    /// Interval of BOOKMARK events on watches that allow them (a real server: about a minute).
    pub bookmark_interval: Duration,
    /// How long a watch without `timeoutSeconds` lasts (a real server: 30 to 60 minutes).
    pub default_watch_timeout: Duration,
    /// Changes kept for watches before the oldest are compacted away.
    pub history_limit: usize,
    /// The revision of the first write.
    pub first_revision: u64,
    /// How long a request for a revision the server has not reached waits for it before
    /// 504 "Too large resource version" (a real server: 3 s).
    pub too_large_wait: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            tls: false,
            tokens: Vec::new(),
            anonymous: true,
            bookmark_interval: Duration::from_secs(60),
            default_watch_timeout: Duration::from_secs(1800),
            history_limit: 100_000,
            first_revision: 1000,
            too_large_wait: Duration::from_secs(3),
        }
    }
}

/// One request as the server saw it (tests assert on these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    pub query: String,
    /// The `Accept` header (metadata-only and Table requests show here).
    pub accept: String,
    pub user: Option<String>,
    pub status: u16,
}

impl RequestRecord {
    pub fn is_watch(&self) -> bool {
        self.param("watch").is_some_and(parse_bool)
    }

    /// A query parameter, decoded.
    pub fn param(&self, key: &str) -> Option<String> {
        query_pairs(&self.query)
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Whether the client asked for `PartialObjectMetadata`.
    pub fn is_metadata_only(&self) -> bool {
        self.accept.contains("as=PartialObjectMetadata")
    }
}

/// Generations of the disruptive controls; watch streams and connections compare against
/// the value they started with.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Control {
    pub drops: u64,
    pub expiries: u64,
}

pub(crate) struct Shared {
    pub config: ServerConfig,
    pub store: Mutex<Store>,
    pub revision: watch::Sender<u64>,
    pub control: watch::Sender<Control>,
    pub faults: Mutex<Faults>,
    pub log: Mutex<Vec<RequestRecord>>,
    pub tls: Option<TlsMaterial>,
    /// DER of client certificates issued by [`TlsMaterial::client_cert`] → user.
    pub client_certs: Mutex<HashMap<Vec<u8>, String>>,
    pub address: Mutex<String>,
    pub open_watches: Mutex<HashMap<Resource, usize>>,
    pub connections: AtomicUsize,
}

/// Locks a mutex, recovering the data if a panicking test thread poisoned it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

const MAX_LOG: usize = 100_000;

impl Shared {
    pub fn notify(&self, store: &Store) {
        self.revision.send_replace(store.revision());
    }
}

// ---------------------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------------------

pub(crate) async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    tls: Option<TlsAcceptor>,
) {
    loop {
        let Ok((tcp, _peer)) = listener.accept().await else {
            // Out of file descriptors and the like: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let _ = tcp.set_nodelay(true);
        tokio::spawn(connection(tcp, shared.clone(), tls.clone()));
    }
}

async fn connection(tcp: TcpStream, shared: Arc<Shared>, tls: Option<TlsAcceptor>) {
    let mut control = shared.control.subscribe();
    let started = control.borrow().drops;
    shared.connections.fetch_add(1, Ordering::Relaxed);
    let serve = async {
        match tls {
            Some(acceptor) => {
                let Ok(stream) = acceptor.accept(tcp).await else {
                    return;
                };
                let user = stream
                    .get_ref()
                    .1
                    .peer_certificates()
                    .and_then(|chain| chain.first())
                    .and_then(|der| lock(&shared.client_certs).get(der.as_ref()).cloned());
                serve(TokioIo::new(stream), shared.clone(), user).await;
            }
            None => serve(TokioIo::new(tcp), shared.clone(), None).await,
        }
    };
    // Dropping the connection future closes the socket mid-stream: that is what a dropped
    // connection looks like to the client.
    tokio::select! {
        _ = serve => {}
        _ = control.wait_for(|c| c.drops != started) => {}
    }
    shared.connections.fetch_sub(1, Ordering::Relaxed);
}

async fn serve<I>(io: I, shared: Arc<Shared>, cert_user: Option<String>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = service_fn(move |req| {
        let shared = shared.clone();
        let cert_user = cert_user.clone();
        async move { Ok::<_, Infallible>(handle(shared, cert_user, req).await) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, service)
        .await;
}

// ---------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------

async fn handle(
    shared: Arc<Shared>,
    cert_user: Option<String>,
    req: Request<Incoming>,
) -> Response<Body> {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    let accept = req
        .headers()
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let user = authenticate(&shared, cert_user, req.headers());
    let response = match &user {
        Err(()) => status_response(401, "Unauthorized", "Unauthorized", None),
        Ok(user) => route_request(&shared, &method, &path, &query, req.headers(), user).await,
    };
    let mut log = lock(&shared.log);
    if log.len() < MAX_LOG {
        log.push(RequestRecord {
            method: method.to_string(),
            path,
            query,
            accept,
            user: user.ok(),
            status: response.status().as_u16(),
        });
    }
    response
}

/// The user a request acts as: its client certificate, else a valid bearer token, else
/// anonymous if allowed. A bad token is refused even when anonymous requests are allowed.
fn authenticate(
    shared: &Shared,
    cert_user: Option<String>,
    headers: &HeaderMap,
) -> Result<String, ()> {
    if let Some(user) = cert_user {
        return Ok(user);
    }
    if let Some(auth) = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let token = auth.strip_prefix("Bearer ").ok_or(())?.trim();
        return if shared.config.tokens.iter().any(|t| t == token) {
            Ok("token-user".into())
        } else {
            Err(())
        };
    }
    if shared.config.anonymous {
        Ok("system:anonymous".into())
    } else {
        Err(())
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Route {
    Version,
    Health,
    CoreVersions,
    Groups,
    GroupResources {
        group: String,
        version: String,
    },
    Collection {
        resource: Resource,
        namespace: Option<String>,
    },
    Object {
        resource: Resource,
        namespace: Option<String>,
        name: String,
    },
    NotFound,
}

fn route(path: &str) -> Route {
    let segments: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let (group, version, rest) = match segments.as_slice() {
        ["version"] => return Route::Version,
        ["healthz"] | ["livez"] | ["readyz"] => return Route::Health,
        ["api"] => return Route::CoreVersions,
        ["apis"] => return Route::Groups,
        ["api", version, rest @ ..] => ("", *version, rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return Route::NotFound,
    };
    let resource = |plural: &str| Resource::from_path(group, version, plural);
    match rest {
        [] => Route::GroupResources {
            group: group.into(),
            version: version.into(),
        },
        ["namespaces", name] if group.is_empty() => Route::Object {
            resource: Resource::Namespaces,
            namespace: None,
            name: name.to_string(),
        },
        [plural] => match resource(plural) {
            Some(r) => Route::Collection {
                resource: r,
                namespace: None,
            },
            None => Route::NotFound,
        },
        [plural, name] => match resource(plural) {
            Some(r) if !r.info().namespaced => Route::Object {
                resource: r,
                namespace: None,
                name: name.to_string(),
            },
            _ => Route::NotFound,
        },
        ["namespaces", ns, plural] => match resource(plural) {
            Some(r) if r.info().namespaced => Route::Collection {
                resource: r,
                namespace: Some(ns.to_string()),
            },
            _ => Route::NotFound,
        },
        ["namespaces", ns, plural, name] => match resource(plural) {
            Some(r) if r.info().namespaced => Route::Object {
                resource: r,
                namespace: Some(ns.to_string()),
                name: name.to_string(),
            },
            _ => Route::NotFound,
        },
        _ => Route::NotFound,
    }
}

async fn route_request(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    user: &str,
) -> Response<Body> {
    let route = route(path);
    let params = Params::from_query(query);
    if method != Method::GET {
        // Writes go through the library API; over HTTP the server is read-only.
        return status_response(
            405,
            "MethodNotAllowed",
            &format!("the server does not allow this method on the requested resource ({method} is not served by this test server)"),
            None,
        );
    }
    match route {
        Route::Version => json_response(200, &discovery::version()),
        Route::Health => text_response(200, "ok"),
        Route::CoreVersions => {
            json_response(200, &discovery::core_versions(&lock(&shared.address)))
        }
        Route::Groups => json_response(200, &discovery::groups()),
        Route::GroupResources { group, version } => match discovery::resources(&group, &version) {
            Some(doc) => json_response(200, &doc),
            None => not_found_path(),
        },
        Route::NotFound => not_found_path(),
        Route::Collection {
            resource,
            namespace,
        } => {
            let verb = if params.bool("watch") {
                Verb::Watch
            } else {
                Verb::List
            };
            if let Some(refusal) =
                apply_fault(shared, resource, verb, namespace.as_deref(), user).await
            {
                return refusal;
            }
            let format = match Format::negotiate(headers, verb) {
                Ok(f) => f,
                Err(r) => return r,
            };
            match verb {
                Verb::Watch => watch(shared.clone(), resource, namespace, &params, format).await,
                _ => list(shared, resource, namespace.as_deref(), &params, format).await,
            }
        }
        Route::Object {
            resource,
            namespace,
            name,
        } => {
            if let Some(refusal) =
                apply_fault(shared, resource, Verb::Get, namespace.as_deref(), user).await
            {
                return refusal;
            }
            let format = match Format::negotiate(headers, Verb::Get) {
                Ok(f) => f,
                Err(r) => return r,
            };
            get(
                shared,
                resource,
                namespace.as_deref().unwrap_or(""),
                &name,
                format,
            )
        }
    }
}

async fn apply_fault(
    shared: &Shared,
    resource: Resource,
    verb: Verb,
    namespace: Option<&str>,
    user: &str,
) -> Option<Response<Body>> {
    let action = lock(&shared.faults).take(resource, verb)?;
    Some(match action {
        Action::Forbid => {
            let verb = match verb {
                Verb::Get => "get",
                Verb::List => "list",
                Verb::Watch => "watch",
            };
            let i = resource.info();
            let scope = match namespace {
                Some(ns) => format!("in the namespace \"{ns}\""),
                None => "at the cluster scope".to_string(),
            };
            status_response(
                403,
                "Forbidden",
                &format!(
                    "{resource} is forbidden: User \"{user}\" cannot {verb} resource \"{}\" in API group \"{}\" {scope}",
                    i.plural, i.group
                ),
                Some(json!({"group": i.group, "kind": i.plural})),
            )
        }
        Action::Status(code) => {
            let reason = match code {
                429 => "TooManyRequests",
                500 => "InternalError",
                503 => "ServiceUnavailable",
                504 => "Timeout",
                _ => "InternalError",
            };
            let mut r = status_response(
                code,
                reason,
                &format!("injected fault: {code} {reason}"),
                None,
            );
            if code == 429 {
                r.headers_mut().insert(
                    http::header::RETRY_AFTER,
                    http::HeaderValue::from_static("1"),
                );
            }
            r
        }
        Action::Hang(duration) => {
            tokio::time::sleep(duration).await;
            status_response(
                504,
                "Timeout",
                "injected fault: the server did not answer in time",
                None,
            )
        }
    })
}

/// The representation a client asked for in `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Metadata,
    Table,
}

impl Format {
    /// The first acceptable media range wins; protobuf and YAML are skipped (not served
    /// here), so clients that list JSON as a fallback get it, and others get 406.
    fn negotiate(headers: &HeaderMap, verb: Verb) -> Result<Format, Response<Body>> {
        let accept = headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if accept.trim().is_empty() {
            return Ok(Format::Json);
        }
        for range in accept.split(',') {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or_default();
            let params: HashMap<&str, &str> = parts.filter_map(|p| p.split_once('=')).collect();
            if !matches!(media, "application/json" | "*/*" | "application/*") {
                continue;
            }
            match params.get("as").copied() {
                None => return Ok(Format::Json),
                Some("Table") if params.get("g") == Some(&"meta.k8s.io") => {
                    return Ok(Format::Table)
                }
                Some("PartialObjectMetadataList")
                    if verb == Verb::List && params.get("g") == Some(&"meta.k8s.io") =>
                {
                    return Ok(Format::Metadata)
                }
                Some("PartialObjectMetadata")
                    if verb != Verb::List && params.get("g") == Some(&"meta.k8s.io") =>
                {
                    return Ok(Format::Metadata)
                }
                Some(_) => continue,
            }
        }
        Err(status_response(
            406,
            "NotAcceptable",
            &format!("only the following media types are accepted: application/json (asked for {accept:?})"),
            None,
        ))
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Metadata => "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1",
            Format::Table => "application/json;as=Table;g=meta.k8s.io;v=v1",
        }
    }
}

// ---------------------------------------------------------------------------------------
// Query parameters
// ---------------------------------------------------------------------------------------

struct Params(Vec<(String, String)>);

impl Params {
    fn from_query(query: &str) -> Params {
        Params(query_pairs(query))
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn bool(&self, key: &str) -> bool {
        self.get(key).is_some_and(parse_bool)
    }
}

fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Go's `strconv.ParseBool`, which the API server uses for boolean parameters.
fn parse_bool(v: impl AsRef<str>) -> bool {
    let v = v.as_ref();
    matches!(v, "1" | "t" | "T" | "true" | "TRUE" | "True")
}

struct Selectors {
    labels: LabelSelector,
    fields: FieldSelector,
    namespace: Option<String>,
}

impl Selectors {
    fn parse(
        resource: Resource,
        namespace: Option<String>,
        params: &Params,
    ) -> Result<Selectors, Response<Body>> {
        let bad =
            |e: crate::selector::SelectorError| status_response(400, "BadRequest", &e.0, None);
        Ok(Selectors {
            labels: LabelSelector::parse(params.get("labelSelector").unwrap_or("")).map_err(bad)?,
            fields: FieldSelector::parse(resource, params.get("fieldSelector").unwrap_or(""))
                .map_err(bad)?,
            namespace,
        })
    }

    fn filters(&self) -> bool {
        !self.labels.is_empty() || !self.fields.is_empty()
    }

    fn matches(&self, obj: &StoredObject) -> bool {
        self.namespace
            .as_deref()
            .is_none_or(|ns| obj.namespace() == ns)
            && self.labels.matches(&obj.labels)
            && self.fields.matches(&obj.value)
    }
}

// ---------------------------------------------------------------------------------------
// get, list
// ---------------------------------------------------------------------------------------

fn get(
    shared: &Shared,
    resource: Resource,
    namespace: &str,
    name: &str,
    format: Format,
) -> Response<Body> {
    let Some(obj) = lock(&shared.store).get(resource, namespace, name) else {
        return status_response(
            404,
            "NotFound",
            &format!("{} \"{name}\" not found", resource),
            Some(
                json!({"name": name, "group": resource.info().group, "kind": resource.info().plural}),
            ),
        );
    };
    match format {
        Format::Json => bytes_response(200, format.content_type(), obj.json.clone()),
        Format::Metadata => json_typed(200, format, &table::partial_metadata(&obj.value)),
        Format::Table => json_typed(
            200,
            format,
            &table::table(
                resource,
                std::iter::once(&obj.value),
                IncludeObject::Metadata,
                json!({"resourceVersion": obj.revision.to_string()}),
                true,
            ),
        ),
    }
}

/// Continue tokens in the API server's format: base64 of
/// `{"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key>\u0000"}`.
fn encode_continue(revision: u64, last: &Key) -> String {
    let start = if last.0.is_empty() {
        format!("{}\u{0}", last.1)
    } else {
        format!("{}/{}\u{0}", last.0, last.1)
    };
    let token = json!({"v": "meta.k8s.io/v1", "rv": revision, "start": start});
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token.to_string())
}

fn decode_continue(token: &str) -> Option<(u64, Key)> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .ok()?;
    let v: Value = serde_json::from_slice(&raw).ok()?;
    if v["v"] != "meta.k8s.io/v1" {
        return None;
    }
    let rv = v["rv"].as_u64()?;
    let start = v["start"].as_str()?.strip_suffix('\u{0}')?;
    let key = match start.split_once('/') {
        Some((ns, name)) => (ns.to_string(), name.to_string()),
        None => (String::new(), start.to_string()),
    };
    Some((rv, key))
}

fn parse_revision(s: &str) -> Result<u64, Response<Body>> {
    s.parse::<u64>().map_err(|_| {
        status_response(
            400,
            "BadRequest",
            &format!("invalid resource version: {s:?}"),
            None,
        )
    })
}

/// Waits until the store reaches `revision`, or answers 504 as the API server does.
async fn wait_for_revision(shared: &Shared, revision: u64) -> Result<(), Response<Body>> {
    let mut rx = shared.revision.subscribe();
    let reached = tokio::time::timeout(
        shared.config.too_large_wait,
        rx.wait_for(|r| *r >= revision),
    )
    .await;
    match reached {
        Ok(Ok(_)) => Ok(()),
        _ => {
            let current = *shared.revision.borrow();
            Err(status_response(
                504,
                "Timeout",
                &format!("Too large resource version: {revision}, current: {current}"),
                Some(
                    json!({"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}], "retryAfterSeconds": 1}),
                ),
            ))
        }
    }
}

fn gone(requested: u64, compacted: u64) -> Response<Body> {
    status_response(
        410,
        "Expired",
        &format!("too old resource version: {requested} ({})", compacted + 1),
        None,
    )
}

async fn list(
    shared: &Shared,
    resource: Resource,
    namespace: Option<&str>,
    params: &Params,
    format: Format,
) -> Response<Body> {
    let selectors = match Selectors::parse(resource, namespace.map(str::to_string), params) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mut limit = match params.get("limit").map(str::parse::<i64>) {
        None => None,
        Some(Ok(n)) if n > 0 => Some(n as usize),
        Some(Ok(_)) => None,
        Some(Err(_)) => {
            return status_response(400, "BadRequest", "limit must be an integer", None)
        }
    };
    let rv = params.get("resourceVersion").filter(|s| !s.is_empty());
    let rv_match = params.get("resourceVersionMatch").filter(|s| !s.is_empty());
    let continue_token = params.get("continue").filter(|s| !s.is_empty());
    if continue_token.is_some() && rv.is_some_and(|r| r != "0") {
        return status_response(
            400,
            "BadRequest",
            "specifying resource version is not allowed when using continue",
            None,
        );
    }
    if rv_match.is_some() && rv.is_none() {
        return status_response(
            422,
            "Invalid",
            "resourceVersionMatch is forbidden unless resourceVersion is provided",
            None,
        );
    }
    if rv_match == Some("Exact") && rv == Some("0") {
        return status_response(
            422,
            "Invalid",
            "resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"0\"",
            None,
        );
    }
    if let Some(m) = rv_match.filter(|m| !matches!(*m, "Exact" | "NotOlderThan")) {
        return status_response(
            422,
            "Invalid",
            &format!("resourceVersionMatch: Unsupported value: {m:?}"),
            None,
        );
    }

    let current = lock(&shared.store).revision();
    let mut after = None;
    let at = if let Some(token) = continue_token {
        let Some((rv, key)) = decode_continue(token) else {
            return status_response(
                400,
                "BadRequest",
                "continue key is not valid: malformed token",
                None,
            );
        };
        let compacted = lock(&shared.store).compacted();
        if rv < compacted {
            let mut r = status_response(
                410,
                "Expired",
                "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
                None,
            );
            // The inconsistent continuation a real server offers.
            let body = json!({"kind": "Status", "apiVersion": "v1",
                "metadata": {"continue": encode_continue(current, &key)},
                "status": "Failure", "reason": "Expired", "code": 410,
                "message": "The provided continue parameter is too old to display a consistent list result."});
            *r.body_mut() = full(Bytes::from(body.to_string()));
            return r;
        }
        after = Some(key);
        rv
    } else {
        match rv {
            None => current,
            Some("0") => {
                // "Any" semantics, served like the watch cache does: newest data, limit ignored.
                limit = None;
                current
            }
            Some(r) => {
                let n = match parse_revision(r) {
                    Ok(n) => n,
                    Err(resp) => return resp,
                };
                if n > current {
                    if let Err(resp) = wait_for_revision(shared, n).await {
                        return resp;
                    }
                }
                let exact = rv_match == Some("Exact") || (rv_match.is_none() && limit.is_some());
                if exact {
                    n
                } else {
                    lock(&shared.store).revision()
                }
            }
        }
    };

    let page = {
        let store = lock(&shared.store);
        store.list(&ListQuery {
            resource,
            namespace,
            at,
            after: after.as_ref(),
            limit,
            keep: &|o| selectors.matches(o),
            filtered: selectors.filters(),
        })
    };
    let page = match page {
        Ok(p) => p,
        Err(g) => return gone(g.requested, g.compacted),
    };
    let mut meta = json!({"resourceVersion": at.to_string()});
    if let Some(next) = &page.next {
        meta["continue"] = Value::from(encode_continue(at, next));
    }
    if let Some(n) = page.remaining {
        meta["remainingItemCount"] = Value::from(n);
    }
    match format {
        Format::Json => {
            let i = resource.info();
            let mut out = BytesMut::with_capacity(
                64 + page
                    .items
                    .iter()
                    .map(|o| o.item_json.len() + 1)
                    .sum::<usize>(),
            );
            out.put_slice(
                format!(
                    r#"{{"kind":"{}List","apiVersion":"{}","metadata":{},"items":["#,
                    i.kind,
                    resource.api_version(),
                    meta
                )
                .as_bytes(),
            );
            for (n, o) in page.items.iter().enumerate() {
                if n > 0 {
                    out.put_u8(b',');
                }
                out.put_slice(&o.item_json);
            }
            out.put_slice(b"]}");
            bytes_response(200, format.content_type(), out.freeze())
        }
        Format::Metadata => {
            let items: Vec<Value> = page
                .items
                .iter()
                .map(|o| table::partial_metadata(&o.value))
                .collect();
            json_typed(
                200,
                format,
                &json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": meta, "items": items}),
            )
        }
        Format::Table => {
            let include = IncludeObject::parse(params.get("includeObject"));
            json_typed(
                200,
                format,
                &table::table(
                    resource,
                    page.items.iter().map(|o| &o.value),
                    include,
                    meta,
                    true,
                ),
            )
        }
    }
}

// ---------------------------------------------------------------------------------------
// watch
// ---------------------------------------------------------------------------------------

type Sender = mpsc::Sender<Result<Frame<Bytes>, io::Error>>;

struct WatchStream {
    resource: Resource,
    format: Format,
    include: IncludeObject,
    selectors: Selectors,
    tx: Sender,
    /// Table watches carry column definitions in their first event only.
    columns_sent: bool,
}

impl WatchStream {
    async fn send_line(&mut self, event: &str, object: ObjectOut<'_>) -> bool {
        let mut line = BytesMut::new();
        line.put_slice(format!(r#"{{"type":"{event}","object":"#).as_bytes());
        match (self.format, object) {
            (_, ObjectOut::Raw(v)) => line.put_slice(v.to_string().as_bytes()),
            (Format::Json, ObjectOut::Stored(o)) => line.put_slice(&o.json),
            (Format::Json, ObjectOut::Value(v)) => line.put_slice(v.to_string().as_bytes()),
            (Format::Metadata, ObjectOut::Stored(o)) => {
                line.put_slice(table::partial_metadata(&o.value).to_string().as_bytes())
            }
            (Format::Metadata, ObjectOut::Value(v)) => {
                line.put_slice(table::partial_metadata(v).to_string().as_bytes())
            }
            (Format::Table, out) => {
                let v = match out {
                    ObjectOut::Stored(o) => &o.value,
                    ObjectOut::Value(v) | ObjectOut::Raw(v) => v,
                };
                let rv = v
                    .pointer("/metadata/resourceVersion")
                    .cloned()
                    .unwrap_or(Value::Null);
                let t = table::table(
                    self.resource,
                    std::iter::once(v),
                    self.include,
                    json!({"resourceVersion": rv}),
                    !self.columns_sent,
                );
                self.columns_sent = true;
                line.put_slice(t.to_string().as_bytes());
            }
        }
        line.put_slice(b"}\n");
        self.tx.send(Ok(Frame::data(line.freeze()))).await.is_ok()
    }

    fn bookmark(&self, revision: u64, initial_events_end: bool) -> Value {
        let i = self.resource.info();
        let (kind, api_version) = match self.format {
            Format::Metadata => (
                "PartialObjectMetadata".to_string(),
                "meta.k8s.io/v1".to_string(),
            ),
            _ => (i.kind.to_string(), self.resource.api_version()),
        };
        let mut meta = json!({"resourceVersion": revision.to_string(), "creationTimestamp": null});
        if initial_events_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        json!({"kind": kind, "apiVersion": api_version, "metadata": meta})
    }

    /// What a change looks like through this watch's selectors: an object that starts
    /// matching is ADDED, one that stops matching is DELETED (its old state, stamped with
    /// the change's revision), as the API server's watch cache reports them.
    async fn send_change(&mut self, change: &Change) -> bool {
        if change.object.resource != self.resource {
            return true;
        }
        let now = self.selectors.matches(&change.object);
        let before = change
            .previous
            .as_ref()
            .is_some_and(|p| self.selectors.matches(p));
        match change.kind {
            ChangeType::Added if now => {
                self.send_line("ADDED", ObjectOut::Stored(&change.object))
                    .await
            }
            ChangeType::Modified if now && before => {
                self.send_line("MODIFIED", ObjectOut::Stored(&change.object))
                    .await
            }
            ChangeType::Modified if now => {
                self.send_line("ADDED", ObjectOut::Stored(&change.object))
                    .await
            }
            ChangeType::Modified if before => {
                let mut old = change
                    .previous
                    .as_ref()
                    .map(|p| p.value.clone())
                    .unwrap_or(Value::Null);
                old["metadata"]["resourceVersion"] = Value::from(change.revision.to_string());
                self.send_line("DELETED", ObjectOut::Value(&old)).await
            }
            ChangeType::Deleted if before => {
                self.send_line("DELETED", ObjectOut::Stored(&change.object))
                    .await
            }
            _ => true,
        }
    }
}

#[derive(Clone, Copy)]
enum ObjectOut<'a> {
    Stored(&'a StoredObject),
    Value(&'a Value),
    /// Sent as is whatever the format (Status, bookmarks).
    Raw(&'a Value),
}

/// Counts a watch as open while it lives.
struct OpenWatch {
    shared: Arc<Shared>,
    resource: Resource,
}

impl Drop for OpenWatch {
    fn drop(&mut self) {
        if let Some(n) = lock(&self.shared.open_watches).get_mut(&self.resource) {
            *n = n.saturating_sub(1);
        }
    }
}

async fn watch(
    shared: Arc<Shared>,
    resource: Resource,
    namespace: Option<String>,
    params: &Params,
    format: Format,
) -> Response<Body> {
    let selectors = match Selectors::parse(resource, namespace, params) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let timeout = match params.get("timeoutSeconds").map(str::parse::<u64>) {
        None => shared.config.default_watch_timeout,
        Some(Ok(s)) => Duration::from_secs(s),
        Some(Err(_)) => {
            return status_response(400, "BadRequest", "timeoutSeconds must be an integer", None)
        }
    };
    let bookmarks = params.bool("allowWatchBookmarks");
    let send_initial = params.bool("sendInitialEvents");
    let rv = params.get("resourceVersion").filter(|s| !s.is_empty());
    if send_initial && (params.get("resourceVersionMatch") != Some("NotOlderThan") || !bookmarks) {
        return status_response(
            422,
            "Invalid",
            "sendInitialEvents requires resourceVersionMatch=NotOlderThan and allowWatchBookmarks=true",
            None,
        );
    }
    let start = match rv {
        None | Some("0") => None,
        Some(r) => match parse_revision(r) {
            Ok(n) => Some(n),
            Err(resp) => return resp,
        },
    };
    if send_initial {
        if let Some(n) = start {
            if let Err(resp) = wait_for_revision(&shared, n).await {
                return resp;
            }
        }
    }

    let (tx, rx) = mpsc::channel::<Result<Frame<Bytes>, io::Error>>(64);
    let body = StreamBody::new(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|f| (f, rx))
    }));
    *lock(&shared.open_watches).entry(resource).or_default() += 1;
    let open = OpenWatch {
        shared: shared.clone(),
        resource,
    };
    let stream = WatchStream {
        resource,
        format,
        include: IncludeObject::parse(params.get("includeObject")),
        selectors,
        tx,
        columns_sent: false,
    };
    tokio::spawn(run_watch(
        shared,
        stream,
        start,
        send_initial,
        bookmarks,
        timeout,
        open,
    ));
    let mut response = Response::new(body.boxed());
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(format.content_type()),
    );
    response.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-cache, private"),
    );
    response
}

async fn run_watch(
    shared: Arc<Shared>,
    mut stream: WatchStream,
    start: Option<u64>,
    send_initial: bool,
    bookmarks: bool,
    timeout: Duration,
    _open: OpenWatch,
) {
    let mut control = shared.control.subscribe();
    let started = *control.borrow();
    let mut revisions = shared.revision.subscribe();
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);

    // Where the stream starts: after `start`, or with the current state as ADDED events.
    let (mut cursor, initial) = {
        let store = lock(&shared.store);
        match start {
            Some(n) if !send_initial => (n, Vec::new()),
            _ => (
                store.revision(),
                store.current(stream.resource, stream.selectors.namespace.as_deref()),
            ),
        }
    };
    for obj in &initial {
        if stream.selectors.matches(obj) && !stream.send_line("ADDED", ObjectOut::Stored(obj)).await
        {
            return;
        }
    }
    if send_initial {
        let b = stream.bookmark(cursor, true);
        if !stream.send_line("BOOKMARK", ObjectOut::Raw(&b)).await {
            return;
        }
    }
    let mut ticker = tokio::time::interval(shared.config.bookmark_interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await; // the first tick is immediate

    loop {
        let changes = lock(&shared.store).changes_after(cursor);
        match changes {
            Err(gone) => {
                let status = status_value(
                    410,
                    "Expired",
                    &format!(
                        "too old resource version: {} ({})",
                        gone.requested,
                        gone.compacted + 1
                    ),
                    None,
                );
                let _ = stream.send_line("ERROR", ObjectOut::Raw(&status)).await;
                return;
            }
            Ok(changes) => {
                for change in changes {
                    cursor = change.revision;
                    if !stream.send_change(&change).await {
                        return;
                    }
                }
            }
        }
        tokio::select! {
            r = revisions.changed() => {
                if r.is_err() {
                    return;
                }
            }
            _ = ticker.tick(), if bookmarks => {
                let b = stream.bookmark(cursor, false);
                if !stream.send_line("BOOKMARK", ObjectOut::Raw(&b)).await {
                    return;
                }
            }
            _ = &mut deadline => return,
            _ = control.changed() => {
                let now = *control.borrow();
                if now.drops != started.drops {
                    let _ = stream.tx.send(Err(io::Error::new(io::ErrorKind::ConnectionAborted, "connection dropped by the test"))).await;
                    return;
                }
                if now.expiries != started.expiries {
                    let status = status_value(410, "Expired", &format!("too old resource version: {cursor} ({})", cursor + 1), None);
                    let _ = stream.send_line("ERROR", ObjectOut::Raw(&status)).await;
                    return;
                }
            }
            _ = stream.tx.closed() => return,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------

fn full(bytes: Bytes) -> Body {
    Full::new(bytes).map_err(|never| match never {}).boxed()
}

fn bytes_response(code: u16, content_type: &'static str, body: Bytes) -> Response<Body> {
    let mut r = Response::new(full(body));
    *r.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(content_type),
    );
    r
}

fn json_response(code: u16, value: &Value) -> Response<Body> {
    bytes_response(code, "application/json", Bytes::from(value.to_string()))
}

fn json_typed(code: u16, format: Format, value: &Value) -> Response<Body> {
    bytes_response(code, format.content_type(), Bytes::from(value.to_string()))
}

fn text_response(code: u16, text: &'static str) -> Response<Body> {
    bytes_response(
        code,
        "text/plain; charset=utf-8",
        Bytes::from_static(text.as_bytes()),
    )
}

pub(crate) fn status_value(
    code: u16,
    reason: &str,
    message: &str,
    details: Option<Value>,
) -> Value {
    let mut v = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {},
        "status": "Failure", "message": message, "reason": reason, "code": code,
    });
    if let Some(d) = details {
        v["details"] = d;
    }
    v
}

fn status_response(
    code: u16,
    reason: &str,
    message: &str,
    details: Option<Value>,
) -> Response<Body> {
    json_response(code, &status_value(code, reason, message, details))
}

fn not_found_path() -> Response<Body> {
    status_response(
        404,
        "NotFound",
        "the server could not find the requested resource",
        Some(json!({})),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_follow_the_api_layout() {
        assert_eq!(
            route("/api/v1/pods"),
            Route::Collection {
                resource: Resource::Pods,
                namespace: None
            }
        );
        assert_eq!(
            route("/apis/apps/v1/namespaces/shop/deployments/web"),
            Route::Object {
                resource: Resource::Deployments,
                namespace: Some("shop".into()),
                name: "web".into()
            }
        );
        assert_eq!(
            route("/api/v1/namespaces/shop"),
            Route::Object {
                resource: Resource::Namespaces,
                namespace: None,
                name: "shop".into()
            }
        );
        assert_eq!(
            route("/api/v1/nodes/n1"),
            Route::Object {
                resource: Resource::Nodes,
                namespace: None,
                name: "n1".into()
            }
        );
        assert_eq!(
            route("/api/v1/pods/p"),
            Route::NotFound,
            "namespaced kinds have no cluster-wide object path"
        );
        assert_eq!(
            route("/apis/apps/v1/namespaces/x/pods"),
            Route::NotFound,
            "pods are not in apps/v1"
        );
        assert_eq!(route("/api/v1/namespaces/x/pods/p/log"), Route::NotFound);
    }

    #[test]
    fn continue_tokens_round_trip_and_reject_garbage() {
        let key = ("shop".to_string(), "web-1".to_string());
        let token = encode_continue(1234, &key);
        assert_eq!(decode_continue(&token), Some((1234, key)));
        assert_eq!(decode_continue("not-a-token"), None);
    }

    #[test]
    fn query_values_are_percent_decoded() {
        let p = Params::from_query(
            "fieldSelector=spec.nodeName%3Dworker-1&labelSelector=a+in+%28x%2Cy%29&watch=1",
        );
        assert_eq!(p.get("fieldSelector"), Some("spec.nodeName=worker-1"));
        assert_eq!(p.get("labelSelector"), Some("a in (x,y)"));
        assert!(p.bool("watch"));
    }
}
