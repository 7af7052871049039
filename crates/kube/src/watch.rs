//! One kind's list + watch loop, as an explicit state machine.
//!
//! ```text
//!            ┌───────────── continue token ─────────────┐
//!            ▼                                          │
//!   ──▶ List page ──(last page: Replace)──▶ Watch from resourceVersion ──(stream ends,
//!          ▲  │                                  │  ▲     timeout, bookmark)──┐
//!          │  └─ 403/404: Skipped, stop          │  └────────────────────────┘
//!          └──── 410 Gone / decode error ────────┘
//! ```
//!
//! - **List** pages with `limit` = [`WatchConfig::page_size`] and `continue`, from the
//!   newest data (no `resourceVersion`: a consistent read). When the last page arrives,
//!   everything listed goes out as one [`KubeUpdate::Replace`], which also removes objects
//!   deleted while the watch was not running. A continue token that expired (410) starts
//!   the list over.
//! - **Watch** from the list's `resourceVersion` with bookmarks, `timeoutSeconds` =
//!   [`WatchConfig::watch_timeout`]. Each event's object (or bookmark) moves the
//!   resourceVersion forward, so a watch that ends — normally at the server's timeout, or
//!   because the connection dropped or went quiet for [`WatchConfig::idle_timeout`] — is
//!   resumed where it stopped, without a relist.
//! - **410 Gone** (an ERROR event or an HTTP status: the resourceVersion was compacted
//!   away, e.g. after an API server restart) and undecodable events (an update may have
//!   been missed) go back to List — at once, unless the previous relist was not followed
//!   by a single watch event, in which case after a backoff.
//! - **403 / 404** (RBAC forbids the kind, or the server does not serve it) are reported
//!   once as [`Notice::Skipped`] and end this kind's loop: it is not fatal to the others.
//! - Every other failure (connection refused or reset, 5xx, 429, 401, a list that does not
//!   answer within [`WatchConfig::request_timeout`]) is reported as [`Notice::Retrying`] and
//!   retried after an exponential backoff with jitter ([`WatchConfig::backoff_initial`]
//!   doubling up to [`WatchConfig::backoff_max`]), reset by the next success.
//!
//! Objects become model objects through the model's one conversion of Kubernetes API JSON
//! ([`kinsight_model::k8s::parse_api_json`]), the same code that reads the K8S_E events of
//! captures; annotations, managed fields and everything else the model does not keep are
//! skipped there without being allocated.

use std::time::{Duration, Instant};

use futures::{AsyncBufReadExt, StreamExt};
use kinsight_model::k8s::{parse_api_json, parse_api_value};
use kinsight_model::{K8sObject, ModelError, ObjectKind, ObjectUpdate};
use kube::api::{ListParams, WatchParams};
use kube::core::Request;
use kube::Client;
use serde::Deserialize;
use serde_json::Value;

use crate::error::WatchError;
use crate::resources::ApiResource;
use crate::updates::{KubeUpdate, Notice, UpdateSender};

/// What one watch covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchSpec {
    pub kind: ObjectKind,
    /// `fieldSelector`, e.g. `spec.nodeName=worker-1`.
    pub field_selector: Option<String>,
    /// `labelSelector`.
    pub label_selector: Option<String>,
    pub projection: Projection,
}

impl WatchSpec {
    pub fn full(kind: ObjectKind) -> WatchSpec {
        WatchSpec {
            kind,
            field_selector: None,
            label_selector: None,
            projection: Projection::Full,
        }
    }
}

/// How much of each object the server sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projection {
    /// The whole object.
    Full,
    /// `metadata` only (`PartialObjectMetadata`): names, labels, owner references. For
    /// kinds whose spec and status the consumer does not need.
    Metadata,
}

/// Timing and sizes of the watch loop. The defaults suit a real cluster; tests shorten
/// them.
#[derive(Debug, Clone)]
pub struct WatchConfig {
    /// Objects per list page (`limit`).
    pub page_size: u32,
    /// `timeoutSeconds` of each watch request; the server ends the stream then and the
    /// watch resumes from its resourceVersion.
    pub watch_timeout: Duration,
    /// A watch stream silent for this long (no event, no bookmark) is taken for a dead
    /// connection and reopened.
    pub idle_timeout: Duration,
    /// How long a list page or the opening of a watch may take.
    pub request_timeout: Duration,
    /// First delay after a failure; doubles per consecutive failure.
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
    /// Updates queued between the watches and the engine before watches wait (the engine
    /// never does).
    pub channel_capacity: usize,
}

impl Default for WatchConfig {
    fn default() -> Self {
        WatchConfig {
            page_size: 500,
            watch_timeout: Duration::from_secs(290),
            idle_timeout: Duration::from_secs(320),
            request_timeout: Duration::from_secs(60),
            backoff_initial: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            channel_capacity: 1024,
        }
    }
}

/// Exponential backoff with ±20% jitter, so that many agents restarted together do not
/// retry in step.
#[derive(Debug)]
pub(crate) struct Backoff {
    initial: Duration,
    max: Duration,
    current: Duration,
    seed: u64,
}

impl Backoff {
    pub fn new(initial: Duration, max: Duration, seed: u64) -> Backoff {
        Backoff {
            initial,
            max: max.max(initial),
            current: initial,
            seed: seed | 1,
        }
    }

    pub fn next_delay(&mut self) -> Duration {
        let base = self.current;
        self.current = (self.current * 2).min(self.max);
        // xorshift64: plenty for jitter.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let frac = (self.seed % 1000) as f64 / 1000.0;
        base.mul_f64(0.8 + 0.4 * frac).min(self.max)
    }

    pub fn reset(&mut self) {
        self.current = self.initial;
    }
}

enum State {
    /// Listing; `objects` holds the pages so far.
    List {
        continue_token: Option<String>,
        objects: Vec<K8sObject>,
    },
    /// Watching from this resourceVersion.
    Watch { resource_version: String },
    /// The kind is skipped, or nobody listens any more.
    Stop,
}

impl State {
    fn fresh_list() -> State {
        State::List {
            continue_token: None,
            objects: Vec::new(),
        }
    }
}

/// One kind's loop. Runs until the receiving side goes away or the kind is skipped.
pub(crate) struct Watcher {
    client: Client,
    spec: WatchSpec,
    resource: ApiResource,
    config: WatchConfig,
    tx: UpdateSender,
    backoff: Backoff,
    /// Whether a watch event arrived since the last relist: a server that answers 410 to
    /// every watch must not turn list + watch into a busy loop.
    watched_since_relist: bool,
}

impl Watcher {
    pub fn new(client: Client, spec: WatchSpec, config: WatchConfig, tx: UpdateSender) -> Watcher {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            ^ (spec.kind as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Watcher {
            client,
            resource: ApiResource::of(spec.kind),
            backoff: Backoff::new(config.backoff_initial, config.backoff_max, seed),
            spec,
            config,
            tx,
            watched_since_relist: true,
        }
    }

    pub async fn run(mut self) {
        let mut state = State::fresh_list();
        loop {
            state = match state {
                State::List {
                    continue_token,
                    objects,
                } => self.list_page(continue_token, objects).await,
                State::Watch { resource_version } => self.watch(resource_version).await,
                State::Stop => return,
            };
        }
    }

    fn kind(&self) -> ObjectKind {
        self.spec.kind
    }

    async fn send(&self, update: KubeUpdate) -> bool {
        self.tx.send(update).await.is_ok()
    }

    /// Reports `error`, waits out the backoff, then goes to `next`.
    async fn retry(&mut self, error: WatchError, next: State) -> State {
        let retry_in = self.backoff.next_delay();
        if !self
            .send(KubeUpdate::Notice(Notice::Retrying { error, retry_in }))
            .await
        {
            return State::Stop;
        }
        tokio::time::sleep(retry_in).await;
        next
    }

    async fn relist(&mut self, reason: String) -> State {
        let kind = self.kind();
        if !self
            .send(KubeUpdate::Notice(Notice::Relisting { kind, reason }))
            .await
        {
            return State::Stop;
        }
        if !std::mem::replace(&mut self.watched_since_relist, false) {
            tokio::time::sleep(self.backoff.next_delay()).await;
        }
        State::fresh_list()
    }

    /// What a failed request leads to.
    async fn request_failed(&mut self, error: kube::Error, then: State) -> State {
        let kind = self.kind();
        match error {
            kube::Error::Api(status) => match status.code {
                403 | 404 => {
                    let notice = Notice::Skipped {
                        kind,
                        code: status.code,
                        message: status.message.clone(),
                    };
                    let _ = self.send(KubeUpdate::Notice(notice)).await;
                    State::Stop
                }
                410 => self.relist(format!("410 Gone: {}", status.message)).await,
                code => {
                    let error = WatchError::Status {
                        kind,
                        code,
                        reason: status.reason.clone(),
                        message: status.message.clone(),
                    };
                    self.retry(error, then).await
                }
            },
            other => {
                self.retry(
                    WatchError::Transport {
                        kind,
                        message: error_chain(&other),
                    },
                    then,
                )
                .await
            }
        }
    }

    fn list_params(&self, continue_token: Option<String>) -> ListParams {
        ListParams {
            limit: Some(self.config.page_size.max(1)),
            continue_token,
            field_selector: self.spec.field_selector.clone(),
            label_selector: self.spec.label_selector.clone(),
            ..ListParams::default()
        }
    }

    async fn list_page(
        &mut self,
        continue_token: Option<String>,
        mut objects: Vec<K8sObject>,
    ) -> State {
        let kind = self.kind();
        let request = Request::new(self.resource.collection_path());
        let params = self.list_params(continue_token.clone());
        let request = match self.spec.projection {
            Projection::Full => request.list(&params),
            Projection::Metadata => request.list_metadata(&params),
        };
        let request = match request {
            Ok(r) => r,
            Err(e) => {
                // Only invalid parameters get here: a programming error, not the server's.
                let notice = Notice::Skipped {
                    kind,
                    code: 0,
                    message: format!("cannot build the list request: {e}"),
                };
                let _ = self.send(KubeUpdate::Notice(notice)).await;
                return State::Stop;
            }
        };
        let text = match tokio::time::timeout(
            self.config.request_timeout,
            self.client.request_text(request),
        )
        .await
        {
            Err(_) => {
                let error = WatchError::Timeout {
                    kind,
                    after: self.config.request_timeout,
                };
                return self
                    .retry(
                        error,
                        State::List {
                            continue_token,
                            objects,
                        },
                    )
                    .await;
            }
            Ok(Err(e)) => {
                return self
                    .request_failed(
                        e,
                        State::List {
                            continue_token,
                            objects,
                        },
                    )
                    .await
            }
            Ok(Ok(text)) => text,
        };
        let page = match decode_list(&text, &self.resource, self.spec.projection) {
            Ok(p) => p,
            Err(error) => return self.retry(error, State::fresh_list()).await,
        };
        objects.extend(page.objects);
        if page.continue_token.is_some() && page.continue_token == continue_token {
            // The same token again would page forever.
            let error = WatchError::Decode {
                kind,
                message: "the server returned the continue token it was given".into(),
            };
            return self.retry(error, State::fresh_list()).await;
        }
        if let Some(token) = page.continue_token {
            return State::List {
                continue_token: Some(token),
                objects,
            };
        }
        let Some(resource_version) = page.resource_version else {
            let error = WatchError::Decode {
                kind,
                message: "the list has no metadata.resourceVersion to watch from".into(),
            };
            return self.retry(error, State::fresh_list()).await;
        };
        if !self.send(KubeUpdate::Replace { kind, objects }).await {
            return State::Stop;
        }
        self.backoff.reset();
        State::Watch { resource_version }
    }

    async fn watch(&mut self, mut resource_version: String) -> State {
        let kind = self.kind();
        let params = WatchParams {
            bookmarks: true,
            timeout: Some(
                self.config
                    .watch_timeout
                    .as_secs()
                    .clamp(1, u32::MAX as u64) as u32,
            ),
            field_selector: self.spec.field_selector.clone(),
            label_selector: self.spec.label_selector.clone(),
            ..WatchParams::default()
        };
        let request = Request::new(self.resource.collection_path());
        let request = match self.spec.projection {
            Projection::Full => request.watch(&params, &resource_version),
            Projection::Metadata => request.watch_metadata(&params, &resource_version),
        };
        let mut request = match request {
            Ok(r) => r,
            Err(e) => {
                let notice = Notice::Skipped {
                    kind,
                    code: 0,
                    message: format!("cannot build the watch request: {e}"),
                };
                let _ = self.send(KubeUpdate::Notice(notice)).await;
                return State::Stop;
            }
        };
        // One JSON document per line needs an uncompressed stream.
        request.headers_mut().insert(
            http::header::ACCEPT_ENCODING,
            http::HeaderValue::from_static("identity"),
        );
        let opened = Instant::now();
        let reader = match tokio::time::timeout(
            self.config.request_timeout,
            self.client.request_stream(request),
        )
        .await
        {
            Err(_) => {
                let error = WatchError::Timeout {
                    kind,
                    after: self.config.request_timeout,
                };
                return self.retry(error, State::Watch { resource_version }).await;
            }
            Ok(Err(e)) => {
                return self
                    .request_failed(e, State::Watch { resource_version })
                    .await
            }
            Ok(Ok(r)) => r,
        };
        let mut lines = Box::pin(reader).lines();
        let mut events = 0usize;
        loop {
            let line = match tokio::time::timeout(self.config.idle_timeout, lines.next()).await {
                Err(_) => {
                    // Silence longer than any bookmark interval: the connection is dead.
                    let error = WatchError::Timeout {
                        kind,
                        after: self.config.idle_timeout,
                    };
                    let notice = Notice::Retrying {
                        error,
                        retry_in: Duration::ZERO,
                    };
                    if !self.send(KubeUpdate::Notice(notice)).await {
                        return State::Stop;
                    }
                    return State::Watch { resource_version };
                }
                Ok(None) if events == 0 && opened.elapsed() < Duration::from_secs(1) => {
                    // A stream that ends at once, over and over, must not become a busy loop.
                    let error = WatchError::Transport {
                        kind,
                        message: "the watch stream ended as soon as it opened".into(),
                    };
                    return self.retry(error, State::Watch { resource_version }).await;
                }
                // The server ended the stream (timeoutSeconds): resume where it stopped.
                Ok(None) => return State::Watch { resource_version },
                Ok(Some(Err(e))) => {
                    let error = WatchError::Transport {
                        kind,
                        message: format!("the watch stream broke: {e}"),
                    };
                    return self.retry(error, State::Watch { resource_version }).await;
                }
                Ok(Some(Ok(line))) => line,
            };
            if line.trim().is_empty() {
                continue;
            }
            events += 1;
            match decode_event(&line, &self.resource, self.spec.projection) {
                Ok(Event::Object(update)) => {
                    if let Some(rv) = update
                        .object
                        .meta()
                        .resource_version
                        .as_deref()
                        .filter(|rv| !rv.is_empty())
                    {
                        resource_version = rv.to_string();
                    }
                    if !self.send(KubeUpdate::from_watch(update)).await {
                        return State::Stop;
                    }
                    self.watched_since_relist = true;
                    self.backoff.reset();
                }
                Ok(Event::Bookmark(rv)) => {
                    resource_version = rv;
                    self.watched_since_relist = true;
                }
                Ok(Event::Ignored) => {}
                Ok(Event::Error {
                    code: Some(410),
                    reason,
                    message,
                }) => {
                    return self.relist(format!("410 {reason}: {message}")).await;
                }
                Ok(Event::Error {
                    code,
                    reason,
                    message,
                }) => {
                    let code = code.and_then(|c| u16::try_from(c).ok()).unwrap_or(500);
                    let error = WatchError::Status {
                        kind,
                        code,
                        reason,
                        message,
                    };
                    return self.retry(error, State::Watch { resource_version }).await;
                }
                Err(error) => {
                    // An update may have been lost with the bad line: only a list is sure.
                    return self.retry(error, State::fresh_list()).await;
                }
            }
        }
    }
}

/// `e: cause: cause` (kube's errors hide the interesting part in their sources).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

// ---------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------

pub(crate) struct ListPage {
    pub objects: Vec<K8sObject>,
    pub resource_version: Option<String>,
    pub continue_token: Option<String>,
}

#[derive(Deserialize, Default)]
struct ListHead {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    metadata: ListMeta,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ListMeta {
    #[serde(default)]
    resource_version: Option<String>,
    #[serde(default, rename = "continue")]
    continue_token: Option<String>,
}

fn decode_error(kind: ObjectKind, e: impl std::fmt::Display) -> WatchError {
    WatchError::Decode {
        kind,
        message: e.to_string(),
    }
}

/// A list answer: its objects (through the model's conversion), resourceVersion and
/// continue token.
pub(crate) fn decode_list(
    text: &str,
    resource: &ApiResource,
    projection: Projection,
) -> Result<ListPage, WatchError> {
    let kind = resource.kind;
    let (head, objects) = match projection {
        Projection::Full => {
            let head: ListHead = serde_json::from_str(text).map_err(|e| decode_error(kind, e))?;
            let expected = format!("{}List", kind.as_str());
            if head.kind.as_deref() != Some(expected.as_str()) {
                return Err(decode_error(
                    kind,
                    format!(
                        "expected a {expected}, got {:?}",
                        head.kind.as_deref().unwrap_or("no kind")
                    ),
                ));
            }
            let updates = parse_api_json(text).map_err(|e| WatchError::decode(kind, &e))?;
            (
                head,
                updates
                    .into_iter()
                    .map(|u| u.object)
                    .filter(|o| o.kind() == kind)
                    .collect(),
            )
        }
        Projection::Metadata => {
            let mut value: Value = serde_json::from_str(text).map_err(|e| decode_error(kind, e))?;
            let head = ListHead::deserialize(&value).map_err(|e| decode_error(kind, e))?;
            let items = match value.get_mut("items") {
                Some(Value::Array(items)) => std::mem::take(items),
                Some(Value::Null) | None => Vec::new(),
                Some(_) => return Err(decode_error(kind, "\"items\" is not an array")),
            };
            let mut objects = Vec::with_capacity(items.len());
            for mut item in items {
                as_kind(&mut item, resource);
                let updates = parse_api_value(&item).map_err(|e| WatchError::decode(kind, &e))?;
                objects.extend(
                    updates
                        .into_iter()
                        .map(|u| u.object)
                        .filter(|o| o.kind() == kind),
                );
            }
            (head, objects)
        }
    };
    Ok(ListPage {
        objects,
        resource_version: head.metadata.resource_version.filter(|s| !s.is_empty()),
        continue_token: head.metadata.continue_token.filter(|s| !s.is_empty()),
    })
}

/// A `PartialObjectMetadata` says what it is only through the request: give it the
/// watched kind so that the model's conversion reads it as one.
fn as_kind(object: &mut Value, resource: &ApiResource) {
    if let Value::Object(map) = object {
        map.insert("kind".into(), Value::from(resource.kind.as_str()));
        map.insert("apiVersion".into(), Value::from(resource.api_version()));
    }
}

#[derive(Debug)]
pub(crate) enum Event {
    Object(ObjectUpdate),
    Bookmark(String),
    Error {
        code: Option<i64>,
        reason: String,
        message: String,
    },
    /// An event for a kind this watch does not hold.
    Ignored,
}

#[derive(Deserialize)]
struct EventHead {
    #[serde(rename = "type")]
    event_type: String,
    #[serde(default)]
    object: Option<BookmarkObject>,
}

#[derive(Deserialize, Default)]
struct BookmarkObject {
    #[serde(default)]
    metadata: BookmarkMeta,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct BookmarkMeta {
    #[serde(default)]
    resource_version: Option<String>,
}

/// One line of a watch stream.
pub(crate) fn decode_event(
    line: &str,
    resource: &ApiResource,
    projection: Projection,
) -> Result<Event, WatchError> {
    let kind = resource.kind;
    let converted = match projection {
        Projection::Full => parse_api_json(line),
        Projection::Metadata => {
            let mut value: Value = serde_json::from_str(line).map_err(|e| decode_error(kind, e))?;
            if matches!(
                value.get("type").and_then(Value::as_str),
                Some("ADDED" | "MODIFIED" | "DELETED")
            ) {
                if let Some(object) = value.get_mut("object") {
                    as_kind(object, resource);
                }
            }
            parse_api_value(&value)
        }
    };
    match converted {
        Ok(mut updates) => match updates.pop() {
            Some(u) if u.object.kind() == kind => Ok(Event::Object(u)),
            Some(_) => Ok(Event::Ignored),
            None => {
                let head: EventHead =
                    serde_json::from_str(line).map_err(|e| decode_error(kind, e))?;
                if head.event_type != "BOOKMARK" {
                    return Ok(Event::Ignored);
                }
                head.object
                    .and_then(|o| o.metadata.resource_version)
                    .filter(|rv| !rv.is_empty())
                    .map(Event::Bookmark)
                    .ok_or_else(|| {
                        decode_error(kind, "a BOOKMARK without metadata.resourceVersion")
                    })
            }
        },
        Err(ModelError::Watch {
            code,
            reason,
            message,
        }) => Ok(Event::Error {
            code,
            reason,
            message,
        }),
        Err(e) => Err(WatchError::decode(kind, &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pods() -> ApiResource {
        ApiResource::of(ObjectKind::Pod)
    }

    #[test]
    fn list_pages_give_objects_version_and_continue() {
        let text = r#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42","continue":"abc","remainingItemCount":3},
            "items":[{"metadata":{"name":"p","namespace":"ns","uid":"u1","resourceVersion":"40","managedFields":[{"manager":"x"}]},"spec":{"nodeName":"n1","containers":[]}}]}"#;
        let page = decode_list(text, &pods(), Projection::Full).unwrap();
        assert_eq!(page.objects.len(), 1);
        assert_eq!(page.resource_version.as_deref(), Some("42"));
        assert_eq!(page.continue_token.as_deref(), Some("abc"));
        let wrong = r#"{"kind":"ServiceList","apiVersion":"v1","metadata":{"resourceVersion":"42"},"items":[]}"#;
        assert!(matches!(
            decode_list(wrong, &pods(), Projection::Full),
            Err(WatchError::Decode { .. })
        ));
        assert!(matches!(
            decode_list("{not json", &pods(), Projection::Full),
            Err(WatchError::Decode { .. })
        ));
    }

    #[test]
    fn metadata_lists_become_objects_of_the_watched_kind() {
        let ns = ApiResource::of(ObjectKind::Namespace);
        let text = r#"{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"7"},
            "items":[{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"shop","uid":"n1","labels":{"team":"a"}}}]}"#;
        let page = decode_list(text, &ns, Projection::Metadata).unwrap();
        assert_eq!(page.objects.len(), 1);
        assert_eq!(page.objects[0].kind(), ObjectKind::Namespace);
        assert_eq!(&*page.objects[0].meta().name, "shop");
        assert_eq!(page.continue_token, None);
    }

    #[test]
    fn watch_lines_are_objects_bookmarks_or_errors() {
        let added = r#"{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","namespace":"ns","uid":"u1","resourceVersion":"51"}}}"#;
        match decode_event(added, &pods(), Projection::Full).unwrap() {
            Event::Object(u) => assert_eq!(u.object.meta().resource_version.as_deref(), Some("51")),
            other => panic!("{other:?}"),
        }
        let bookmark = r#"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"77","creationTimestamp":null}}}"#;
        assert!(
            matches!(decode_event(bookmark, &pods(), Projection::Full).unwrap(), Event::Bookmark(rv) if rv == "77")
        );
        let gone = r#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}"#;
        assert!(matches!(
            decode_event(gone, &pods(), Projection::Full).unwrap(),
            Event::Error {
                code: Some(410),
                ..
            }
        ));
        let meta = r#"{"type":"DELETED","object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"p","namespace":"ns","uid":"u1","resourceVersion":"52"}}}"#;
        assert!(
            matches!(decode_event(meta, &pods(), Projection::Metadata).unwrap(), Event::Object(u) if u.object.kind() == ObjectKind::Pod)
        );
        assert!(decode_event("{\"type\":", &pods(), Projection::Full).is_err());
    }

    #[test]
    fn backoff_doubles_to_the_cap_with_jitter_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(1000), 7);
        let delays: Vec<Duration> = (0..6).map(|_| b.next_delay()).collect();
        assert!(delays[0] >= Duration::from_millis(80) && delays[0] <= Duration::from_millis(120));
        assert!(delays[3] >= Duration::from_millis(640), "{delays:?}");
        assert!(delays.iter().all(|d| *d <= Duration::from_millis(1000)));
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(120));
    }
}
