//! API errors: every bad input gets a JSON body `{"error": {"code", "message", ...}}` and
//! a 4xx status; nothing a client sends may cause a panic or a 500.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// More members of the error object (the parameter, a position, allowed values).
    pub details: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), details: json!({}) }
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> ApiError {
        if let Value::Object(m) = &mut self.details {
            m.insert(key.to_string(), value.into());
        }
        self
    }

    pub fn bad_param(param: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_parameter", message).with("param", param)
    }

    pub fn bad_time_range(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_time_range", message)
    }

    pub fn unknown_entity(id: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "unknown_entity", format!("no entity with id '{id}' in this history")).with("entity", id)
    }

    pub fn bad_filter(e: &kinsight_filter::FilterError) -> ApiError {
        let (line, column) = e.line_column();
        ApiError::new(StatusCode::BAD_REQUEST, "bad_filter", e.message())
            .with("param", "filter")
            .with("position", e.position)
            .with("line", line)
            .with("column", column)
            .with("rendered", e.to_string())
    }

    pub fn bad_filter_field(expr: &str, position: usize, field: &str, why: &str) -> ApiError {
        let column = expr[..position].chars().count() + 1;
        ApiError::new(StatusCode::BAD_REQUEST, "bad_filter", format!("field '{field}' cannot be used here: {why}"))
            .with("param", "filter")
            .with("position", position)
            .with("line", 1)
            .with("column", column)
            .with("field", field)
    }

    /// The hub's store did not answer, or refused the query it was sent.
    pub fn store(e: &kinsight_promql::QueryError) -> ApiError {
        ApiError::new(StatusCode::BAD_GATEWAY, "store_failed", e.to_string())
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "this server requires a token: send 'Authorization: Bearer TOKEN'")
    }

    pub fn not_found(path: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no API endpoint at {path}; see /api/openapi.json"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "code": self.code, "message": self.message });
        if let (Value::Object(b), Value::Object(d)) = (&mut body, self.details) {
            b.extend(d);
        }
        let mut resp = (self.status, axum::Json(json!({ "error": body }))).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert("www-authenticate", axum::http::HeaderValue::from_static("Bearer"));
        }
        resp
    }
}
