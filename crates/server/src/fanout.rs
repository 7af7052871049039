//! The hub's drill-downs into raw detail (connections, files, HTTP transactions): the store
//! holds counters only, so the hub asks the agents of the nodes concerned, all at once,
//! each with a timeout, and merges their rows. A node that did not answer is named in the
//! reply (`agents`), never silently missing.
//!
//! Agents write their address to the store with their heartbeat (`kinsight_agent_info`,
//! see push.rs); the hub calls them with the agents' token.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use std::time::Duration;

/// How one agent answered a fanned-out request.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct AgentAnswer {
    pub node: String,
    /// Where the agent was asked; `null` when it never said where it listens.
    pub url: Option<String>,
    /// It answered (possibly with no rows: the entity is not on its node).
    pub ok: bool,
    pub error: Option<String>,
    /// Rows it gave.
    pub rows: usize,
}

/// Calls the agents the hub drills into.
pub struct Fanout {
    token: Option<String>,
    http: ureq::Agent,
}

impl Fanout {
    pub fn new(token: Option<String>, timeout: Duration) -> Fanout {
        Fanout { token, http: ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(timeout)).build().into() }
    }

    /// `path?query` on every agent of `targets` (node, url) at once: each one's answer, and
    /// the JSON body of those that gave one.
    pub fn call(&self, targets: &[(String, Option<String>)], path: &str, query: Option<&str>) -> Vec<(AgentAnswer, Option<Value>)> {
        std::thread::scope(|scope| {
            let calls: Vec<_> = targets.iter().map(|(node, url)| (node, url, scope.spawn(move || url.as_deref().map(|u| self.get(u, path, query))))).collect();
            calls
                .into_iter()
                .map(|(node, url, handle)| {
                    let answer = |ok: bool, error: Option<String>| AgentAnswer { node: node.clone(), url: url.clone(), ok, error, rows: 0 };
                    match handle.join().ok().flatten() {
                        None => (answer(false, Some("the agent never said where it listens (no kinsight_agent_info in the store)".into())), None),
                        Some(Ok(v)) => (answer(true, None), Some(v)),
                        // The entity is not on that node: no rows, not a failure.
                        Some(Err(AgentError::NotHere)) => (answer(true, None), None),
                        Some(Err(AgentError::Failed(e))) => (answer(false, Some(e)), None),
                    }
                })
                .collect()
        })
    }

    fn get(&self, base: &str, path: &str, query: Option<&str>) -> Result<Value, AgentError> {
        let url = match query.filter(|q| !q.is_empty()) {
            Some(q) => format!("{}{path}?{q}", base.trim_end_matches('/')),
            None => format!("{}{path}", base.trim_end_matches('/')),
        };
        let mut req = self.http.get(&url);
        if let Some(t) = &self.token {
            req = req.header("Authorization", &format!("Bearer {t}"));
        }
        let mut resp = req.call().map_err(|e| AgentError::Failed(format!("{url}: {e}")))?;
        let status = resp.status().as_u16();
        let text = resp.body_mut().with_config().limit(256 * 1024 * 1024).read_to_string().map_err(|e| AgentError::Failed(format!("{url}: reading the answer: {e}")))?;
        let v: Value = serde_json::from_str(&text).map_err(|e| AgentError::Failed(format!("{url}: HTTP {status}, not JSON: {e}")))?;
        match status {
            200 => Ok(v),
            404 if v["error"]["code"] == "unknown_entity" => Err(AgentError::NotHere),
            _ => Err(AgentError::Failed(format!("{url}: HTTP {status}: {}", v["error"]["message"].as_str().unwrap_or(&text)))),
        }
    }
}

enum AgentError {
    NotHere,
    Failed(String),
}
