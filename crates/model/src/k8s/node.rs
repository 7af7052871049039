//! Cluster-scoped objects: the top of the physical (Node) and logical (Namespace) hierarchies.

use std::net::IpAddr;

use serde::Serialize;

use crate::intern::{Intern, Interner, Str};
use crate::k8s::meta::ObjectMeta;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    pub meta: ObjectMeta,
    pub addresses: Vec<NodeAddress>,
}

/// One `status.addresses` entry. sysdig's condensed events keep only the address text, so
/// `kind` (`InternalIP`, `ExternalIP`, `Hostname`, ...) may be unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeAddress {
    pub kind: Option<Str>,
    pub address: Str,
}

impl Node {
    /// The node's IP addresses (hostnames skipped), without duplicates, in reported order.
    pub fn ips(&self) -> Vec<IpAddr> {
        let mut out: Vec<IpAddr> = Vec::new();
        for a in &self.addresses {
            if let Ok(ip) = a.address.parse::<IpAddr>() {
                if !out.contains(&ip) {
                    out.push(ip);
                }
            }
        }
        out
    }
}

impl Intern for Node {
    fn intern(&mut self, i: &mut Interner) {
        self.meta.intern(i);
        for a in &mut self.addresses {
            i.intern_opt(&mut a.kind);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Namespace {
    pub meta: ObjectMeta,
}

impl Intern for Namespace {
    fn intern(&mut self, i: &mut Interner) {
        self.meta.intern(i);
    }
}
