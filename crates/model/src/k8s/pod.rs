//! Pods: where the physical and logical hierarchies meet.

use std::net::IpAddr;

use serde::Serialize;

use crate::container::short_id;
use crate::intern::{Intern, Interner, Str};
use crate::k8s::meta::ObjectMeta;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pod {
    pub meta: ObjectMeta,
    /// `spec.nodeName`; `None` until scheduled.
    pub node_name: Option<Str>,
    pub pod_ip: Option<IpAddr>,
    pub host_ip: Option<IpAddr>,
    /// `spec.hostNetwork`: the pod's sockets carry the node's addresses.
    pub host_network: bool,
    pub phase: PodPhase,
    /// Spec containers, init containers and ephemeral containers, each merged with its
    /// status (runtime id, restarts) when the status has arrived.
    pub containers: Vec<PodContainer>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
pub enum PodPhase {
    Pending,
    Running,
    Succeeded,
    Failed,
    /// Reported as `Unknown`, any other text, or not reported.
    #[default]
    Unknown,
}

impl PodPhase {
    pub fn parse(s: &str) -> Self {
        match s {
            "Pending" => Self::Pending,
            "Running" => Self::Running,
            "Succeeded" => Self::Succeeded,
            "Failed" => Self::Failed,
            _ => Self::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Running => "Running",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
            Self::Unknown => "Unknown",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ContainerRole {
    Regular,
    Init,
    Ephemeral,
}

/// A container of a pod as Kubernetes sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PodContainer {
    pub name: Str,
    pub role: ContainerRole,
    pub image: Option<Str>,
    /// From `status.*containerStatuses[].containerID`; `None` before the runtime created it.
    pub id: Option<ContainerId>,
    pub restart_count: u32,
    pub ready: bool,
    pub ports: Vec<ContainerPort>,
    /// `status.*containerStatuses[].state`; `None` before the kubelet reported it.
    pub state: Option<ContainerState>,
    /// `lastState.terminated`: how the previous instance ended, once it restarted. Boxed:
    /// most containers never restarted, and every pod's containers pay for the slot.
    pub last_termination: Option<Box<Termination>>,
}

/// What a container is doing, with the reason the kubelet gives (`CrashLoopBackOff`,
/// `ContainerCreating`, `Completed`, `OOMKilled`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ContainerState {
    Waiting { reason: Option<Str> },
    Running,
    Terminated(Termination),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Termination {
    pub reason: Option<Str>,
    pub exit_code: i32,
}

impl ContainerState {
    /// As `kubectl describe` words it: `running`, `waiting: CrashLoopBackOff`,
    /// `terminated: OOMKilled (137)`.
    pub fn describe(&self) -> String {
        match self {
            ContainerState::Running => "running".to_string(),
            ContainerState::Waiting { reason: None } => "waiting".to_string(),
            ContainerState::Waiting { reason: Some(r) } => format!("waiting: {r}"),
            ContainerState::Terminated(t) => format!("terminated: {}", t.describe()),
        }
    }
}

impl Termination {
    /// `OOMKilled (137)`, or the exit code alone when no reason was given.
    pub fn describe(&self) -> String {
        match &self.reason {
            Some(r) => format!("{r} ({})", self.exit_code),
            None => format!("exit code {}", self.exit_code),
        }
    }
}

/// A runtime container id as Kubernetes reports it, prefix split off:
/// `docker://730a6f49…` → runtime `docker`, full id `730a6f49…`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ContainerId {
    pub runtime: Option<Str>,
    pub full: Box<str>,
}

impl ContainerId {
    /// The 12-character id sysdig and the container JSON events use. It is a prefix of
    /// the full id, so it is a view rather than a second copy.
    pub fn short(&self) -> &str {
        short_id(&self.full)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerPort {
    pub name: Option<Str>,
    pub port: u16,
    pub protocol: Option<Str>,
}

impl Pod {
    /// Ids of the pod's containers known to the API (the pause container never is).
    pub fn container_ids(&self) -> impl Iterator<Item = &ContainerId> {
        self.containers.iter().filter_map(|c| c.id.as_ref())
    }

    /// Sum of the containers' restart counts (what `kubectl get pods` shows).
    pub fn restart_count(&self) -> u32 {
        self.containers.iter().map(|c| c.restart_count).sum()
    }

    /// The container with this runtime id (short or full).
    pub fn container_by_id(&self, id: &str) -> Option<&PodContainer> {
        let key = short_id(id);
        self.containers
            .iter()
            .find(|c| c.id.as_ref().is_some_and(|i| i.short() == key))
    }

    /// Resolves a named container port (Service `targetPort: "http"`).
    pub fn named_port(&self, name: &str) -> Option<u16> {
        self.containers
            .iter()
            .flat_map(|c| &c.ports)
            .find(|p| p.name.as_deref() == Some(name))
            .map(|p| p.port)
    }
}

impl Intern for Pod {
    fn intern(&mut self, i: &mut Interner) {
        self.meta.intern(i);
        // Unlike other objects' uid and name, a pod's are shared: every EndpointSlice
        // endpoint that targets the pod names it (see `EndpointSlice`'s interning).
        i.intern(&mut self.meta.uid);
        i.intern(&mut self.meta.name);
        i.intern_opt(&mut self.node_name);
        for c in &mut self.containers {
            i.intern(&mut c.name);
            i.intern_opt(&mut c.image);
            if let Some(id) = &mut c.id {
                i.intern_opt(&mut id.runtime);
            }
            for p in &mut c.ports {
                i.intern_opt(&mut p.name);
                i.intern_opt(&mut p.protocol);
            }
            match &mut c.state {
                Some(ContainerState::Waiting { reason }) => i.intern_opt(reason),
                Some(ContainerState::Terminated(t)) => i.intern_opt(&mut t.reason),
                _ => {}
            }
            if let Some(t) = &mut c.last_termination {
                i.intern_opt(&mut t.reason);
            }
        }
    }
}
