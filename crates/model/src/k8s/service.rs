//! Services and the EndpointSlices that say which pods back them.

use std::net::IpAddr;

use serde::Serialize;

use crate::intern::{Intern, Interner, Str};
use crate::k8s::meta::ObjectMeta;
use crate::labels::LabelSelector;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    pub meta: ObjectMeta,
    /// `spec.type` (`ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`); not in
    /// sysdig's condensed events.
    pub service_type: Option<Str>,
    /// `None` for headless services (`clusterIP: None`) and before allocation.
    pub cluster_ip: Option<IpAddr>,
    pub ports: Vec<ServicePort>,
    /// `spec.selector`. Empty for services whose endpoints are managed by hand (e.g.
    /// `default/kubernetes`): those select no pod.
    pub selector: LabelSelector,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServicePort {
    pub name: Option<Str>,
    pub protocol: Option<Str>,
    pub port: u16,
    pub target_port: Option<TargetPort>,
    pub node_port: Option<u16>,
}

/// `targetPort`: a number or the name of a container port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum TargetPort {
    Number(u16),
    Name(Str),
}

/// A slice of a Service's endpoints (discovery.k8s.io).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointSlice {
    pub meta: ObjectMeta,
    /// The `kubernetes.io/service-name` label: the Service (same namespace) this slice backs.
    pub service_name: Option<Str>,
    /// `IPv4`, `IPv6` or `FQDN`.
    pub address_type: Option<Str>,
    pub endpoints: Vec<Endpoint>,
    pub ports: Vec<EndpointPort>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// IP addresses only (FQDN entries are dropped).
    pub addresses: Vec<IpAddr>,
    /// `targetRef` when it points at a Pod.
    pub pod: Option<PodRef>,
    pub node_name: Option<Str>,
    /// `conditions.ready`; `None` when not reported (the API's "unknown, assume ready").
    pub ready: Option<bool>,
}

/// A reference to a pod from an endpoint. Older producers may omit the uid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PodRef {
    pub uid: Option<Str>,
    pub namespace: Option<Str>,
    pub name: Str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointPort {
    pub name: Option<Str>,
    pub protocol: Option<Str>,
    pub port: Option<u16>,
}

/// Label naming the Service an EndpointSlice belongs to.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

impl Intern for Service {
    fn intern(&mut self, i: &mut Interner) {
        self.meta.intern(i);
        i.intern_opt(&mut self.service_type);
        self.selector.intern(i);
        for p in &mut self.ports {
            i.intern_opt(&mut p.name);
            i.intern_opt(&mut p.protocol);
            if let Some(TargetPort::Name(n)) = &mut p.target_port {
                i.intern(n);
            }
        }
    }
}

impl Intern for EndpointSlice {
    fn intern(&mut self, i: &mut Interner) {
        self.meta.intern(i);
        i.intern_opt(&mut self.service_name);
        i.intern_opt(&mut self.address_type);
        for e in &mut self.endpoints {
            i.intern_opt(&mut e.node_name);
            if let Some(p) = &mut e.pod {
                // The pod's own uid and name strings (interned with the pod).
                i.intern_opt(&mut p.uid);
                i.intern(&mut p.name);
                i.intern_opt(&mut p.namespace);
            }
        }
        for p in &mut self.ports {
            i.intern_opt(&mut p.name);
            i.intern_opt(&mut p.protocol);
        }
    }
}
