//! kinsight-server: the HTTP side of `kinsight up`.
//!
//! Owns: the JSON API over history (`/api/*`, described at `/api/openapi.json`), the
//! Prometheus endpoint (`/metrics`), the embedded web UI, the token check, and starting a
//! server with its sources ([`up`]): hierarchies and entity ids ([`entities`]), sysdig
//! filters answered from history ([`fields`]), the group-by, time series, topology and
//! drill-down queries ([`query`]).
//! Must not: read captures or keep engine state (kinsight-monitor feeds history), store
//! time series (kinsight-history), or bind anything but loopback without a token.

mod api;
mod assets;
pub mod cluster;
pub mod entities;
mod error;
pub mod fanout;
pub mod fields;
mod metrics;
mod openapi;
mod overview;
pub mod params;
pub mod push;
pub mod query;
pub mod reply;
pub mod state;
mod store_cache;
pub mod up;

pub use assets::ui_built;
pub use kinsight_monitor::{detect_kubernetes, KubeAccess, KubeTarget, LiveConfig};
pub use error::ApiError;
pub use state::{AppState, Mode};
pub use up::{start, start_with, Server, UpError, UpOptions};

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;

/// The API's routes; each is described in the OpenAPI document (a test holds them equal).
pub const ROUTES: &[&str] = &[
    "/api/status",
    "/api/hierarchies",
    "/api/entities",
    "/api/entity",
    "/api/series",
    "/api/topology",
    "/api/connections",
    "/api/files",
    "/api/http",
    "/api/requests",
    "/api/fields",
    "/api/changes",
    "/api/events",
    "/api/overview",
    "/api/openapi.json",
    "/metrics",
];

/// The OpenAPI document served at `/api/openapi.json`.
pub fn openapi_document() -> serde_json::Value {
    openapi::document()
}

/// Every route of the server.
pub fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/api/status", get(api::status))
        .route("/api/hierarchies", get(api::hierarchies))
        .route("/api/entities", get(api::entities))
        .route("/api/entity", get(api::entity))
        .route("/api/series", get(api::series))
        .route("/api/topology", get(api::topology))
        .route("/api/connections", get(api::connections))
        .route("/api/files", get(api::files))
        .route("/api/http", get(api::http))
        .route("/api/requests", get(api::requests))
        .route("/api/fields", get(api::fields))
        .route("/api/changes", get(api::changes))
        .route("/api/events", get(api::events))
        .route("/api/overview", get(api::overview))
        .route("/api/openapi.json", get(|| async { Json(openapi::document()) }))
        .route("/metrics", get(prometheus))
        .route("/api/{*rest}", get(|req: Request| async move { ApiError::not_found(req.uri().path()) }))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    api.fallback(assets::serve).with_state(state)
}

async fn prometheus(State(st): State<Arc<AppState>>) -> Response {
    let text = tokio::task::spawn_blocking(move || {
        let h = st.history();
        let resources = st.shared.resources();
        st.with_index(&h, |ix| metrics::render(&h, ix, &resources))
    })
    .await
    .unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

/// With a token configured, every API and metrics request must carry it as a bearer token.
async fn require_token(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if let Some(token) = &st.token {
        let given = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|g| constant_time_eq(g.as_bytes(), token.as_bytes())) {
            return ApiError::unauthorized().into_response();
        }
    }
    next.run(req).await
}

/// Compares without stopping at the first difference, so timing does not leak the token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
