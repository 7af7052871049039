//! The `requests` view and the filter over requests: every request of every protocol
//! (HTTP/1 from kinsight-http, the others from kinsight-protocols) as one kind of row.

use crate::collect::{Collector, RequestLogRecord};
use crate::K8sIndex;
use kinsight_engine::Engine;
use kinsight_filter::{Field, FieldSource, Value};
use serde::Serialize;

/// The protocols decoded and the ports they are looked for on, from the command line's
/// `--protocol` items: `PROTO=PORT[,PORT…]` (a protocol on more ports), `-PROTO` (never
/// decoded), `PORT=off` (a port left alone).
pub fn protocol_config(items: &[String]) -> Result<kinsight_protocols::Config, String> {
    let mut config = kinsight_protocols::Config::default();
    for item in items {
        config.apply(item)?;
    }
    Ok(config)
}

/// Whether a filter field is one of a request (`req.*`): such a filter selects requests,
/// not events.
pub fn is_request_field(f: &Field) -> bool {
    matches!(f, Field::ReqProto | Field::ReqOp | Field::ReqTarget | Field::ReqStatus | Field::ReqError | Field::ReqLatency)
}

/// A request's fields for a filter: its own (`req.*`), its process's and its connection's.
pub struct RequestFields<'a> {
    pub rec: &'a RequestLogRecord,
    pub engine: &'a Engine,
}

impl FieldSource for RequestFields<'_> {
    fn value(&self, field: &Field) -> Option<Value<'_>> {
        let r = &self.rec.req;
        let conn = self.rec.conn;
        Some(match field {
            Field::ReqProto => Value::from(r.proto.name()),
            Field::ReqOp => Value::from(r.operation.as_str()),
            Field::ReqTarget => Value::from(r.target.as_str()),
            Field::ReqStatus => Value::from(r.status.as_str()),
            Field::ReqError => Value::Bool(r.error),
            Field::ReqLatency => Value::Uint(r.latency_ns),
            Field::ProcPid => Value::Int(self.rec.pid),
            Field::ProcName => Value::from(self.engine.thread(self.rec.pid)?.image.comm.as_str()),
            Field::ContainerId => Value::from(self.rec.container.as_deref()?),
            Field::FdSip => Value::Ip(conn?.sip),
            Field::FdCip => Value::Ip(conn?.cip),
            Field::FdSport => Value::Uint(conn?.sport as u64),
            Field::FdCport => Value::Uint(conn?.cport as u64),
            Field::FdIsServer => Value::Bool(r.side == kinsight_protocols::Side::Server),
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct RequestRow {
    /// When the response ended.
    pub ts_ns: u64,
    pub proto: String,
    /// `server` when the observing process answered the request, `client` when it asked.
    pub side: String,
    pub client: Option<String>,
    pub server: Option<String>,
    pub operation: String,
    pub target: String,
    pub status: String,
    pub error: bool,
    pub latency_ns: u64,
    pub request_bytes: u64,
    pub response_bytes: u64,
    pub rows: Option<u64>,
    pub pid: i64,
    pub container_id: Option<String>,
    pub pod_uid: Option<String>,
}

/// The `requests` view: every request, in completion order.
pub fn requests(c: &Collector, k8s: &K8sIndex) -> Vec<RequestRow> {
    let mut rows: Vec<RequestRow> = c
        .request_log
        .iter()
        .map(|r| RequestRow {
            ts_ns: r.end_ns(),
            proto: r.req.proto.name().to_string(),
            side: match r.req.side {
                kinsight_protocols::Side::Client => "client",
                kinsight_protocols::Side::Server => "server",
            }
            .to_string(),
            client: r.conn.map(|t| addr(t.cip, t.cport)),
            server: r.conn.map(|t| addr(t.sip, t.sport)),
            operation: r.req.operation.clone(),
            target: r.req.target.clone(),
            status: r.req.status.clone(),
            error: r.req.error,
            latency_ns: r.req.latency_ns,
            request_bytes: r.req.request_bytes,
            response_bytes: r.req.response_bytes,
            rows: r.req.rows,
            pid: r.pid,
            container_id: r.container.as_deref().map(str::to_string),
            pod_uid: r.container.as_deref().and_then(|id| k8s.pod_of_container(id)).map(str::to_string),
        })
        .collect();
    // HTTP transactions complete when their body ends, which may be after a later request
    // of another protocol: one order for all.
    rows.sort_by_key(|r| r.ts_ns);
    rows
}

fn addr(ip: std::net::IpAddr, port: u16) -> String {
    match ip {
        std::net::IpAddr::V6(v6) => format!("[{v6}]:{port}"),
        v4 => format!("{v4}:{port}"),
    }
}
