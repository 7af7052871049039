//! sysdig's field names, answered from one event and the state around it. The filter asks
//! only for the fields its expression uses, so each is computed on demand.

use crate::{Engine, EventCtx, Thread};
use kinsight_filter::{Field, FieldSource, Value};
use kinsight_model::k8s::{Pod, WorkloadKind};
use kinsight_scap::EventRef;
use std::borrow::Cow;

/// The fields of one event, for filters and output formats.
pub struct EventFields<'e, 'a> {
    engine: &'e Engine,
    ev: &'e EventRef<'a>,
    ctx: &'e EventCtx<'a>,
}

impl<'e, 'a> EventFields<'e, 'a> {
    pub fn new(engine: &'e Engine, ev: &'e EventRef<'a>, ctx: &'e EventCtx<'a>) -> Self {
        EventFields { engine, ev, ctx }
    }

    fn thread(&self) -> Option<&'e Thread> {
        self.engine.thread(self.ctx.tid)
    }

    fn container_id(&self) -> Option<&'e str> {
        self.thread()?.container.as_deref()
    }

    fn pod(&self) -> Option<&'e Pod> {
        self.engine.cluster.pod_of_container(self.container_id()?)
    }

    fn owner(&self, kind: WorkloadKind) -> Option<kinsight_model::k8s::WorkloadRef<'e>> {
        let pod = self.pod()?;
        self.engine.cluster.owner_chain(pod).into_iter().find(|w| w.kind() == kind)
    }
}

fn s<'x>(v: impl Into<Cow<'x, str>>) -> Option<Value<'x>> {
    Some(Value::Str(v.into()))
}

/// Linux errno names for evt.res, the common ones.
fn errno_name(e: i64) -> Cow<'static, str> {
    let name = match -e {
        1 => "EPERM",
        2 => "ENOENT",
        3 => "ESRCH",
        4 => "EINTR",
        5 => "EIO",
        9 => "EBADF",
        11 => "EAGAIN",
        12 => "ENOMEM",
        13 => "EACCES",
        14 => "EFAULT",
        17 => "EEXIST",
        20 => "ENOTDIR",
        21 => "EISDIR",
        22 => "EINVAL",
        24 => "EMFILE",
        25 => "ENOTTY",
        28 => "ENOSPC",
        32 => "EPIPE",
        104 => "ECONNRESET",
        110 => "ETIMEDOUT",
        111 => "ECONNREFUSED",
        115 => "EINPROGRESS",
        _ => return Cow::Owned(format!("E{}", -e)),
    };
    Cow::Borrowed(name)
}

impl FieldSource for EventFields<'_, '_> {
    fn value(&self, field: &Field) -> Option<Value<'_>> {
        let ev = self.ev;
        let ctx = self.ctx;
        let fd = self.engine.event_fd(ctx);
        match field {
            Field::EvtType => s(ev.name()),
            Field::EvtDir => s(if ev.is_enter() { ">" } else { "<" }),
            Field::EvtNum => Some(Value::Uint(self.engine.stats.events)),
            Field::EvtRawtime => Some(Value::Uint(ev.ts)),
            Field::EvtTime => {
                let secs_of_day = (ev.ts / 1_000_000_000) % 86_400;
                s(format!(
                    "{:02}:{:02}:{:02}.{:09}",
                    secs_of_day / 3600,
                    secs_of_day / 60 % 60,
                    secs_of_day % 60,
                    ev.ts % 1_000_000_000
                ))
            }
            Field::EvtRes => {
                let r = ctx.res?;
                s(if r >= 0 { Cow::Borrowed("SUCCESS") } else { errno_name(r) })
            }
            Field::EvtFailed => Some(Value::Bool(ctx.res.is_some_and(|r| r < 0))),
            Field::EvtIsIo => Some(Value::Bool(ctx.io.is_some() || (ev.is_enter() && ctx.fd_num.is_some() && ev.info().is_some_and(|i| i.category.is_io())))),
            Field::EvtBuflen => ctx.io.map(|io| Value::Uint(io.bytes)),
            Field::ProcName => s(self.thread()?.image.comm.as_str()),
            Field::ProcPid => Some(Value::Int(self.thread()?.pid)),
            Field::ProcPpid => Some(Value::Int(self.engine.main_thread(self.thread()?).ptid)),
            Field::ProcExe => s(self.thread()?.image.exe.as_str()),
            Field::ProcCmdline => s(self.thread()?.image.cmdline()),
            Field::ProcArgs => s(self.thread()?.image.args.join(" ")),
            Field::ThreadTid => Some(Value::Int(ctx.tid)),
            Field::UserUid => Some(Value::Uint(self.thread()?.uid as u64)),
            Field::UserName => s(self.engine.user_name(self.thread()?.uid)?),
            Field::FdNum => ctx.fd_num.map(Value::Int),
            Field::FdName => s(&*fd?.name),
            Field::FdType => s(fd?.kind.name()),
            Field::FdTypechar => s(fd?.kind.typechar().to_string()),
            Field::FdDirectory => {
                let name = &*fd?.name;
                s(name.rsplit_once('/').map(|(d, _)| if d.is_empty() { "/" } else { d })?)
            }
            Field::FdFilename => s(fd?.name.rsplit('/').next()?),
            Field::FdSip => fd?.tuple.map(|t| Value::Ip(t.sip)),
            Field::FdCip => fd?.tuple.map(|t| Value::Ip(t.cip)),
            Field::FdSport => fd?.tuple.map(|t| Value::Uint(t.sport as u64)),
            Field::FdCport => fd?.tuple.map(|t| Value::Uint(t.cport as u64)),
            Field::FdLip => fd?.local_remote().map(|(l, _)| Value::Ip(l.0)),
            Field::FdRip => fd?.local_remote().map(|(_, r)| Value::Ip(r.0)),
            Field::FdLport => fd?.local_remote().map(|(l, _)| Value::Uint(l.1 as u64)),
            Field::FdRport => fd?.local_remote().map(|(_, r)| Value::Uint(r.1 as u64)),
            Field::FdL4proto => fd.filter(|f| f.kind.is_ip()).map(|f| Value::Str(f.l4proto.name().into())),
            Field::FdIsServer => fd.map(|f| Value::Bool(f.role == crate::Role::Server)),
            Field::ContainerId => s(self.container_id().unwrap_or("host")),
            Field::ContainerName => match self.container_id() {
                None => s("host"),
                Some(id) => s(self.engine.container(id).map_or("", |c| c.name.as_str())),
            },
            Field::ContainerImage => s(self.engine.container(self.container_id()?)?.image.as_str()),
            Field::ContainerType => s(self.engine.container(self.container_id()?)?.kind.name()),
            Field::ContainerLabel(k) => s(self.engine.container(self.container_id()?)?.labels.get(k.as_str())?.as_ref()),
            Field::K8sPodName => s(&*self.pod()?.meta.name),
            Field::K8sPodId => s(&*self.pod()?.meta.uid),
            Field::PodLabel(k) => s(&**self.pod()?.meta.labels.get(k.as_str())?),
            Field::K8sPodLabels => s(self.pod()?.meta.labels.iter().map(|(k, v)| format!("{k}:{v}")).collect::<Vec<_>>().join(", ")),
            Field::K8sPodPhase => s(self.pod()?.phase.as_str()),
            Field::K8sPodRestarts => Some(Value::Uint(self.pod()?.restart_count() as u64)),
            Field::K8sPodReady => {
                let pod = self.pod()?;
                let mut regular = pod.containers.iter().filter(|c| c.role == kinsight_model::k8s::ContainerRole::Regular).peekable();
                regular.peek()?;
                Some(Value::Bool(regular.all(|c| c.ready)))
            }
            Field::K8sNsName => s(self.pod()?.meta.namespace.as_deref()?),
            Field::K8sNsId => s(&*self.engine.cluster.namespace_of(self.pod()?)?.meta.uid),
            Field::NsLabel(k) => s(&**self.engine.cluster.namespace_of(self.pod()?)?.meta.labels.get(k.as_str())?),
            Field::K8sNodeName => s(self.pod()?.node_name.as_deref()?),
            Field::K8sRcName => s(self.owner(WorkloadKind::ReplicationController)?.name()),
            Field::K8sRcId => s(self.owner(WorkloadKind::ReplicationController)?.uid()),
            Field::RcLabel(k) => s(&**self.owner(WorkloadKind::ReplicationController)?.meta().labels.get(k.as_str())?),
            Field::K8sRsName => s(self.owner(WorkloadKind::ReplicaSet)?.name()),
            Field::K8sRsId => s(self.owner(WorkloadKind::ReplicaSet)?.uid()),
            Field::RsLabel(k) => s(&**self.owner(WorkloadKind::ReplicaSet)?.meta().labels.get(k.as_str())?),
            Field::K8sDeploymentName => s(self.owner(WorkloadKind::Deployment)?.name()),
            Field::K8sDeploymentId => s(self.owner(WorkloadKind::Deployment)?.uid()),
            Field::DeploymentLabel(k) => s(&**self.owner(WorkloadKind::Deployment)?.meta().labels.get(k.as_str())?),
            Field::K8sSvcName => s(&*self.engine.cluster.services_of(self.pod()?).first()?.meta.name),
            Field::K8sSvcId => s(&*self.engine.cluster.services_of(self.pod()?).first()?.meta.uid),
            Field::SvcLabel(k) => s(&**self.engine.cluster.services_of(self.pod()?).first()?.meta.labels.get(k.as_str())?),
            // Requests are decoded after the engine (kinsight-analysis); an event has none.
            Field::ReqProto | Field::ReqOp | Field::ReqTarget | Field::ReqStatus | Field::ReqError | Field::ReqLatency => None,
        }
    }
}
