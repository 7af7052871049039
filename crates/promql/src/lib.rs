//! kinsight-promql: reads a Prometheus-compatible store through the HTTP query API that
//! Prometheus defines and VictoriaMetrics, Mimir and Thanos also serve
//! (`/api/v1/query`, `/api/v1/query_range`).
//!
//! Owns: sending PromQL with the store's authentication and a timeout, decoding vector and
//! matrix answers with their labels, and errors that say which store and what it said.
//! Must not: know what the series mean (the hub's store queries live in kinsight-server),
//! or retry on its own: a query answers a person's page, and a slow store must show as
//! slow, not hide behind retries.

use kinsight_remote_write::Auth;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

pub type Labels = BTreeMap<String, String>;

/// One series of an instant vector: its labels and its value at the query's time.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub labels: Labels,
    /// Seconds since the epoch.
    pub t: f64,
    pub value: f64,
}

/// One series of a range query: its labels and its points, oldest first.
#[derive(Clone, Debug, PartialEq)]
pub struct RangeSeries {
    pub labels: Labels,
    /// (seconds since the epoch, value)
    pub points: Vec<(f64, f64)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum QueryError {
    /// The store could not be reached (connection refused, timeout, TLS).
    Unreachable { store: String, reason: String },
    /// The store answered with an HTTP error and no PromQL error body.
    Status { store: String, code: u16, body: String },
    /// The store rejected the query (`errorType` and `error` of its answer).
    Rejected { store: String, error_type: String, error: String },
    /// The answer was not the query API's JSON.
    Decode { store: String, reason: String },
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::Unreachable { store, reason } => write!(f, "store {store} unreachable: {reason}"),
            QueryError::Status { store, code, body } => write!(f, "store {store} answered HTTP {code}: {}", body.chars().take(300).collect::<String>()),
            QueryError::Rejected { store, error_type, error } => write!(f, "store {store} rejected the query ({error_type}): {error}"),
            QueryError::Decode { store, reason } => write!(f, "store {store} answered something that is not the Prometheus query API's JSON: {reason}"),
        }
    }
}

impl std::error::Error for QueryError {}

/// A store's query endpoint.
pub struct Store {
    /// What the query API paths are appended to: `http://HOST:8428` (VictoriaMetrics),
    /// `http://HOST:9090` (Prometheus), `http://vmselect:8481/select/0/prometheus`
    /// (VictoriaMetrics cluster), `http://mimir/prometheus`.
    base: String,
    auth: Auth,
    agent: ureq::Agent,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("url", &self.base).finish()
    }
}

impl Store {
    /// Checks the URL's shape (the store is first asked at the first query).
    pub fn new(url: &str, auth: Auth, timeout: Duration) -> Result<Store, String> {
        let base = url.trim_end_matches('/').to_string();
        let rest = base.strip_prefix("http://").or_else(|| base.strip_prefix("https://")).ok_or_else(|| format!("store URL {url:?} must start with http:// or https://"))?;
        if rest.is_empty() || rest.starts_with('/') {
            return Err(format!("store URL {url:?} has no host"));
        }
        let base = base.strip_suffix("/api/v1/query").unwrap_or(&base).to_string();
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(timeout)).build().into();
        Ok(Store { base, auth, agent })
    }

    pub fn url(&self) -> &str {
        &self.base
    }

    /// `expr` evaluated at `at` (seconds since the epoch): an instant vector (a scalar
    /// answer is one sample without labels).
    pub fn instant(&self, expr: &str, at: f64) -> Result<Vec<Sample>, QueryError> {
        let data = self.call("/api/v1/query", &[("query", expr), ("time", &fmt_time(at))])?;
        match data.result_type.as_str() {
            "vector" => serde_json::from_str::<Vec<VectorItem>>(data.result.get()).map_err(|e| self.decode(e)).and_then(|v| {
                v.into_iter().map(|i| Ok(Sample { labels: i.metric, t: i.value.0, value: parse_value(&i.value.1).map_err(|e| self.decode(e))? })).collect()
            }),
            "scalar" => {
                let (t, v): (f64, String) = serde_json::from_str(data.result.get()).map_err(|e| self.decode(e))?;
                Ok(vec![Sample { labels: Labels::new(), t, value: parse_value(&v).map_err(|e| self.decode(e))? }])
            }
            other => Err(self.decode(format!("an instant query answered a {other}"))),
        }
    }

    /// `expr` evaluated every `step` seconds from `start` to `end`.
    pub fn range(&self, expr: &str, start: f64, end: f64, step: f64) -> Result<Vec<RangeSeries>, QueryError> {
        let data = self.call("/api/v1/query_range", &[("query", expr), ("start", &fmt_time(start)), ("end", &fmt_time(end)), ("step", &fmt_time(step.max(0.001)))])?;
        if data.result_type != "matrix" {
            return Err(self.decode(format!("a range query answered a {}", data.result_type)));
        }
        let items: Vec<MatrixItem> = serde_json::from_str(data.result.get()).map_err(|e| self.decode(e))?;
        items
            .into_iter()
            .map(|i| {
                let points = i.values.into_iter().map(|(t, v)| Ok((t, parse_value(&v).map_err(|e| self.decode(e))?))).collect::<Result<_, QueryError>>()?;
                Ok(RangeSeries { labels: i.metric, points })
            })
            .collect()
    }

    fn decode(&self, reason: impl fmt::Display) -> QueryError {
        QueryError::Decode { store: self.base.clone(), reason: reason.to_string() }
    }

    fn call(&self, path: &str, form: &[(&str, &str)]) -> Result<Data, QueryError> {
        let url = format!("{}{path}", self.base);
        let body = form.iter().map(|(k, v)| format!("{k}={}", form_encode(v))).collect::<Vec<_>>().join("&");
        let mut req = self.agent.post(&url).header("Content-Type", "application/x-www-form-urlencoded").header("User-Agent", concat!("kinsight/", env!("CARGO_PKG_VERSION")));
        if let Some(value) = self.auth.header() {
            req = req.header("Authorization", &value);
        }
        let mut resp = req.send(body.as_bytes()).map_err(|e| QueryError::Unreachable { store: self.base.clone(), reason: e.to_string() })?;
        let code = resp.status().as_u16();
        let text = resp.body_mut().with_config().limit(512 * 1024 * 1024).read_to_string().map_err(|e| QueryError::Unreachable { store: self.base.clone(), reason: format!("reading the answer: {e}") })?;
        let answer: Result<Answer, _> = serde_json::from_str(&text);
        match answer {
            Ok(Answer { status, data: Some(data), .. }) if status == "success" => Ok(data),
            Ok(Answer { error_type: Some(error_type), error: Some(error), .. }) => Err(QueryError::Rejected { store: self.base.clone(), error_type, error }),
            _ if !(200..300).contains(&code) => Err(QueryError::Status { store: self.base.clone(), code, body: text }),
            Ok(_) => Err(self.decode("no data in a successful answer")),
            Err(e) => Err(self.decode(e)),
        }
    }
}

#[derive(Deserialize)]
struct Answer {
    status: String,
    data: Option<Data>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    /// Kept as text and decoded once into its own shape: a tree of JSON values first would
    /// cost the hub ten times the answer's size (an answer of 60,000 series is megabytes).
    result: Box<serde_json::value::RawValue>,
}

#[derive(Deserialize)]
struct VectorItem {
    #[serde(default)]
    metric: Labels,
    value: (f64, String),
}

#[derive(Deserialize)]
struct MatrixItem {
    #[serde(default)]
    metric: Labels,
    values: Vec<(f64, String)>,
}

/// Values are strings in the API, so that NaN and infinities survive JSON.
fn parse_value(s: &str) -> Result<f64, String> {
    match s {
        "NaN" => Ok(f64::NAN),
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ => s.parse().map_err(|_| format!("sample value {s:?} is not a number")),
    }
}

fn fmt_time(t: f64) -> String {
    format!("{t:.3}")
}

fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A label value quoted for a PromQL selector: `"it's \"x\""`.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_query_paths_left_off() {
        assert!(Store::new("localhost:8428", Auth::None, Duration::from_secs(1)).unwrap_err().contains("http://"));
        assert!(Store::new("http:///x", Auth::None, Duration::from_secs(1)).unwrap_err().contains("no host"));
        assert_eq!(Store::new("http://vm:8428/", Auth::None, Duration::from_secs(1)).unwrap().url(), "http://vm:8428");
        assert_eq!(Store::new("http://p:9090/api/v1/query", Auth::None, Duration::from_secs(1)).unwrap().url(), "http://p:9090");
    }

    #[test]
    fn values_and_quotes() {
        assert!(parse_value("NaN").unwrap().is_nan());
        assert_eq!(parse_value("+Inf").unwrap(), f64::INFINITY);
        assert_eq!(parse_value("12.5").unwrap(), 12.5);
        assert!(parse_value("x").is_err());
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(form_encode("sum(x{a=\"b c\"})"), "sum%28x%7Ba%3D%22b+c%22%7D%29");
    }
}
