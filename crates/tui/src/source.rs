//! Where the UI's data comes from: one [`Source`] trait over kinsight's HTTP API, answered
//! by a remote server ([`HttpSource`]: a `kinsight up`, agent or hub) or by a server run in
//! this process ([`crate::LocalServer`]). Both answer the same JSON, so the rest of the UI
//! has one code path.

use serde_json::Value;
use std::time::Duration;

/// A failed API call, as the user should read it.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceError {
    /// The server could not be reached at all (refused, DNS, timeout, TLS).
    Unreachable { url: String, reason: String },
    /// The server wants a token, or another one.
    Unauthorized { url: String },
    /// The server refused the request and said why (a bad filter, an unknown entity).
    Api(ApiProblem),
    /// The server answered something that is not kinsight's API.
    BadReply { url: String, reason: String },
}

/// The `error` object of an API reply.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiProblem {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// The parameter at fault (`filter`, `parent`, ...).
    pub param: Option<String>,
    /// For a bad filter: the column (1-based, in characters) of the offending token.
    pub column: Option<usize>,
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceError::Unreachable { url, reason } => write!(f, "cannot reach {url}: {reason}"),
            SourceError::Unauthorized { url } => write!(f, "{url} requires a token (or another one): give it with --token or KINSIGHT_TOKEN"),
            SourceError::Api(p) => write!(f, "{}", p.message),
            SourceError::BadReply { url, reason } => write!(f, "{url} did not answer like kinsight's API: {reason}"),
        }
    }
}

impl std::error::Error for SourceError {}

/// Answers GET requests of kinsight's API (`/api/entities`, `/api/series`, ...) as JSON.
/// Calls block; the UI makes them from its fetch thread, never from the drawing loop.
pub trait Source: Send {
    fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, SourceError>;
    /// What the header says the data comes from.
    fn describe(&self) -> String;
}

/// kinsight's API at a base URL, with an optional bearer token.
pub struct HttpSource {
    base: String,
    token: Option<String>,
    agent: ureq::Agent,
    label: String,
}

/// Long enough for a hub's first page over a slow link; short enough that a dead server
/// shows as an error rather than a frozen table.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

impl HttpSource {
    pub fn new(base_url: &str, token: Option<String>) -> HttpSource {
        let base = base_url.trim_end_matches('/').to_string();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            // 4xx replies carry the API's error object: read them, do not turn them into
            // transport errors.
            .http_status_as_error(false)
            .timeout_global(Some(REQUEST_TIMEOUT))
            .build()
            .into();
        HttpSource { label: base.clone(), base, token, agent }
    }

    /// Names the source differently from its URL (an in-process server).
    pub fn with_label(mut self, label: String) -> HttpSource {
        self.label = label;
        self
    }

    fn url(&self, path: &str, query: &[(&str, String)]) -> String {
        let mut url = format!("{}{}", self.base, path);
        for (i, (k, v)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(k);
            url.push('=');
            url.push_str(&percent_encode(v));
        }
        url
    }
}

impl Source for HttpSource {
    fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, SourceError> {
        let url = self.url(path, query);
        let mut req = self.agent.get(&url);
        if let Some(t) = &self.token {
            req = req.header("Authorization", &format!("Bearer {t}"));
        }
        let mut resp = req.call().map_err(|e| SourceError::Unreachable { url: self.base.clone(), reason: e.to_string() })?;
        let status = resp.status().as_u16();
        if status == 401 {
            return Err(SourceError::Unauthorized { url: self.base.clone() });
        }
        let text = resp.body_mut().read_to_string().map_err(|e| SourceError::Unreachable { url: self.base.clone(), reason: e.to_string() })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| SourceError::BadReply { url: format!("{}{}", self.base, path), reason: format!("HTTP {status}, not JSON ({e})") })?;
        if status >= 400 {
            return Err(SourceError::Api(problem(status, &value)));
        }
        Ok(value)
    }

    fn describe(&self) -> String {
        self.label.clone()
    }
}

fn problem(status: u16, reply: &Value) -> ApiProblem {
    let e = &reply["error"];
    let text = |k: &str| e[k].as_str().map(str::to_string);
    ApiProblem {
        status,
        code: text("code").unwrap_or_else(|| "error".into()),
        message: text("message").unwrap_or_else(|| format!("the server answered HTTP {status}")),
        param: text("param"),
        column: e["column"].as_u64().map(|c| c as usize),
    }
}

/// Query-string encoding: everything but unreserved characters as %XX of its UTF-8 bytes.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        let s = HttpSource::new("http://h:1/", None);
        let url = s.url("/api/entities", &[("filter", "k8s.ns.name=\"a b\" and x>1".into()), ("parent", "wl:ns/deployment/x".into())]);
        assert_eq!(url, "http://h:1/api/entities?filter=k8s.ns.name%3D%22a%20b%22%20and%20x%3E1&parent=wl%3Ans%2Fdeployment%2Fx");
    }

    #[test]
    fn an_unreachable_server_is_named() {
        // Port 9 on loopback: nothing listens there on these machines.
        let err = HttpSource::new("http://127.0.0.1:9", None).get("/api/status", &[]).unwrap_err();
        assert!(matches!(&err, SourceError::Unreachable { url, .. } if url == "http://127.0.0.1:9"), "{err:?}");
        assert!(err.to_string().starts_with("cannot reach http://127.0.0.1:9"));
    }

    #[test]
    fn api_errors_keep_their_column() {
        let reply: Value = serde_json::from_str(r#"{"error":{"code":"bad_filter","message":"unknown field 'x'","param":"filter","column":7}}"#).unwrap();
        let p = problem(400, &reply);
        assert_eq!((p.code.as_str(), p.column, p.param.as_deref()), ("bad_filter", Some(7), Some("filter")));
    }
}
