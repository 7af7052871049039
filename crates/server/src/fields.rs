//! sysdig filter fields answered from history instead of from one event. The explorer
//! filters entities, so the fields of processes, containers and Kubernetes objects work
//! everywhere; `fd.*` fields work where there is a connection or a file to answer them
//! (the connections, files and HTTP drill-downs). Event fields (`evt.*`, `thread.tid`,
//! `user.*`) have no meaning for aggregated counters and are refused with their position.

use crate::error::ApiError;
use kinsight_filter::{Field, FieldSource, Filter, Value};
use kinsight_history::{Catalog, ConnEnds, ConnKey, ContainerMeta, PodMeta, ProcessMeta, SeriesId, Side};
use std::borrow::Cow;
use std::net::IpAddr;

/// What a filter is evaluated against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Entities,
    Connections,
    Files,
    Http,
}

fn entity_field(f: &Field) -> bool {
    use Field::*;
    matches!(
        f,
        ProcName
            | ProcPid
            | ProcExe
            | ProcCmdline
            | ProcArgs
            | ContainerId
            | ContainerName
            | ContainerImage
            | ContainerType
            | ContainerLabel(_)
            | K8sNsName
            | K8sNsId
            | NsLabel(_)
            | K8sPodName
            | K8sPodId
            | PodLabel(_)
            | K8sPodLabels
            | K8sPodPhase
            | K8sPodRestarts
            | K8sPodReady
            | K8sNodeName
            | K8sRcName
            | K8sRcId
            | K8sRsName
            | K8sRsId
            | K8sDeploymentName
            | K8sDeploymentId
            | K8sSvcName
            | K8sSvcId
            | SvcLabel(_)
    )
}

fn scope_field(scope: Scope, f: &Field) -> bool {
    use Field::*;
    match scope {
        Scope::Entities => false,
        Scope::Connections => matches!(f, FdSip | FdCip | FdSport | FdLip | FdRip | FdL4proto | FdType | FdTypechar | FdIsServer),
        Scope::Files => matches!(f, FdName | FdType | FdTypechar | FdDirectory | FdFilename),
        Scope::Http => matches!(f, FdSip | FdCip | FdSport | FdCport | FdL4proto | FdIsServer),
    }
}

/// Parses a filter and checks that every field it uses can be answered in `scope`.
pub fn parse_filter(expr: Option<&str>, scope: Scope) -> Result<Option<Filter>, ApiError> {
    let Some(expr) = expr.filter(|e| !e.trim().is_empty()) else { return Ok(None) };
    let filter = Filter::parse(expr).map_err(|e| ApiError::bad_filter(&e))?;
    for field in filter.fields() {
        if !entity_field(&field) && !scope_field(scope, &field) {
            let name = field.name();
            let position = expr.find(&name).unwrap_or(0);
            let why = match scope {
                Scope::Entities => "the explorer filters processes, containers and Kubernetes objects; fd.* fields work in the connections, files and HTTP views, and evt.*, thread.* and user.* fields describe single events, which history does not keep",
                _ => "history keeps counters, not events: evt.*, thread.* and user.* fields, and fd fields this view has no value for, cannot be answered",
            };
            return Err(ApiError::bad_filter_field(expr, position, &name, why));
        }
    }
    Ok(Some(filter))
}

/// The fields of one series (a process with its container and pod), or of a pod the
/// catalog knows without any process (its process and container fields have no value).
pub struct SeriesFields<'a> {
    catalog: &'a Catalog,
    meta: Option<&'a ProcessMeta>,
    container: Option<&'a ContainerMeta>,
    pod: Option<&'a PodMeta>,
}

impl<'a> SeriesFields<'a> {
    pub fn new(catalog: &'a Catalog, id: SeriesId) -> Option<SeriesFields<'a>> {
        let meta = catalog.series(id)?;
        let container = meta.key.container.as_deref().and_then(|c| catalog.containers.get(c));
        let pod = container.and_then(|c| c.pod_uid.as_deref()).and_then(|u| catalog.pods.get(u));
        Some(SeriesFields { catalog, meta: Some(meta), container, pod })
    }

    /// A pod on its own, for the pods that have no series.
    pub fn of_pod(catalog: &'a Catalog, pod: &'a PodMeta) -> SeriesFields<'a> {
        SeriesFields { catalog, meta: None, container: None, pod: Some(pod) }
    }

    fn owner(&self, kind: &str) -> Option<&'a kinsight_history::OwnerMeta> {
        self.pod?.owner(kind)
    }

    fn first_service(&self) -> Option<&'a kinsight_history::ServiceMeta> {
        self.pod?.services.iter().find_map(|u| self.catalog.services.get(u))
    }
}

fn s<'x>(v: impl Into<Cow<'x, str>>) -> Option<Value<'x>> {
    Some(Value::Str(v.into()))
}

impl FieldSource for SeriesFields<'_> {
    fn value(&self, field: &Field) -> Option<Value<'_>> {
        let m = self.meta;
        match field {
            Field::ProcName => s(m?.name.as_str()),
            Field::ProcPid => Some(Value::Int(m?.key.pid)),
            Field::ProcCmdline => s(m?.cmdline.as_str()),
            Field::ProcExe => s(m?.cmdline.split(' ').next().unwrap_or("")),
            Field::ProcArgs => s(m?.cmdline.split_once(' ').map_or("", |(_, a)| a)),
            Field::ContainerId => s(m?.key.container.as_deref().unwrap_or("host")),
            Field::ContainerName => match &m?.key.container {
                None => s("host"),
                Some(_) => s(self.container.map_or("", |c| c.name.as_str())),
            },
            Field::ContainerImage => s(self.container?.image.as_str()),
            Field::ContainerType => s(self.container?.runtime.as_str()),
            Field::ContainerLabel(k) => s(self.container?.labels.get(k.as_str())?.as_str()),
            Field::K8sNsName => s(self.pod?.namespace.as_str()),
            Field::K8sNsId => s(self.catalog.namespaces.get(&self.pod?.namespace)?.uid.as_str()),
            Field::NsLabel(k) => s(self.catalog.namespaces.get(&self.pod?.namespace)?.labels.get(k.as_str())?.as_str()),
            Field::K8sPodName => s(self.pod?.name.as_str()),
            Field::K8sPodId => s(self.pod?.uid.as_str()),
            Field::PodLabel(k) => s(self.pod?.labels.get(k.as_str())?.as_str()),
            Field::K8sPodLabels => s(self.pod?.labels.iter().map(|(k, v)| format!("{k}:{v}")).collect::<Vec<_>>().join(", ")),
            Field::K8sNodeName => s(self.pod?.node.as_deref()?),
            Field::K8sPodPhase => s(self.pod?.phase.as_str()).filter(|_| !self.pod.is_some_and(|p| p.phase.is_empty())),
            Field::K8sPodRestarts => Some(Value::Uint(self.pod?.restarts() as u64)),
            Field::K8sPodReady => {
                let (ready, total) = self.pod?.ready_containers();
                (total > 0).then_some(Value::Bool(ready == total))
            }
            Field::K8sRcName => s(self.owner("ReplicationController")?.name.as_str()),
            Field::K8sRcId => s(self.owner("ReplicationController")?.uid.as_str()),
            Field::K8sRsName => s(self.owner("ReplicaSet")?.name.as_str()),
            Field::K8sRsId => s(self.owner("ReplicaSet")?.uid.as_str()),
            Field::K8sDeploymentName => s(self.owner("Deployment")?.name.as_str()),
            Field::K8sDeploymentId => s(self.owner("Deployment")?.uid.as_str()),
            Field::K8sSvcName => s(self.first_service()?.name.as_str()),
            Field::K8sSvcId => s(self.first_service()?.uid.as_str()),
            Field::SvcLabel(k) => s(self.first_service()?.labels.get(k.as_str())?.as_str()),
            _ => None,
        }
    }
}

fn fd_type(ip: IpAddr) -> &'static str {
    if ip.is_ipv4() {
        "ipv4"
    } else {
        "ipv6"
    }
}

/// A connection view: the observing process's fields plus the connection's.
pub struct ConnFields<'a> {
    pub series: SeriesFields<'a>,
    pub key: &'a ConnKey,
}

impl FieldSource for ConnFields<'_> {
    fn value(&self, field: &Field) -> Option<Value<'_>> {
        let k = self.key;
        let server = k.side == Side::Server;
        match field {
            Field::FdSip => Some(Value::Ip(k.server)),
            Field::FdCip => Some(Value::Ip(k.client)),
            Field::FdSport => Some(Value::Uint(k.server_port as u64)),
            Field::FdLip => Some(Value::Ip(if server { k.server } else { k.client })),
            Field::FdRip => Some(Value::Ip(if server { k.client } else { k.server })),
            Field::FdL4proto => s(k.proto.as_str()),
            Field::FdType => s(fd_type(k.server)),
            Field::FdTypechar => s(if k.server.is_ipv4() { "4" } else { "6" }),
            Field::FdIsServer => Some(Value::Bool(server)),
            f => self.series.value(f),
        }
    }
}

/// A file a process read or wrote.
pub struct FileFields<'a> {
    pub series: SeriesFields<'a>,
    pub path: &'a str,
}

impl FieldSource for FileFields<'_> {
    fn value(&self, field: &Field) -> Option<Value<'_>> {
        let p = self.path;
        match field {
            Field::FdName => s(p),
            Field::FdType => s("file"),
            Field::FdTypechar => s("f"),
            Field::FdDirectory => s(p.rsplit_once('/').map(|(d, _)| if d.is_empty() { "/" } else { d })?),
            Field::FdFilename => s(p.rsplit('/').next()?),
            f => self.series.value(f),
        }
    }
}

/// An HTTP transaction: its process's fields plus the connection it used.
pub struct HttpFields<'a> {
    pub series: SeriesFields<'a>,
    pub conn: Option<&'a ConnEnds>,
    pub side: Side,
}

impl FieldSource for HttpFields<'_> {
    fn value(&self, field: &Field) -> Option<Value<'_>> {
        match field {
            Field::FdSip => self.conn.map(|c| Value::Ip(c.server)),
            Field::FdCip => self.conn.map(|c| Value::Ip(c.client)),
            Field::FdSport => self.conn.map(|c| Value::Uint(c.server_port as u64)),
            Field::FdCport => self.conn.map(|c| Value::Uint(c.client_port as u64)),
            Field::FdL4proto => self.conn.map(|_| Value::Str("tcp".into())),
            Field::FdIsServer => Some(Value::Bool(self.side == Side::Server)),
            f => self.series.value(f),
        }
    }
}

/// The fields a filter may use in each scope, for the UI's help.
pub fn supported_fields(scope: Scope) -> Vec<String> {
    Field::fixed()
        .iter()
        .filter(|f| entity_field(f) || scope_field(scope, f))
        .map(|f| f.name())
        .chain(["k8s.pod.label.KEY", "k8s.ns.label.KEY", "k8s.svc.label.KEY", "container.label.KEY"].into_iter().map(String::from))
        .collect()
}
