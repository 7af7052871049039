//! Cluster-scoped objects: the top of the physical (Node) and logical (Namespace) hierarchies.

use std::net::IpAddr;

use serde::Serialize;

use crate::intern::{Intern, Interner, Str};
use crate::k8s::meta::ObjectMeta;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    pub meta: ObjectMeta,
    pub addresses: Vec<NodeAddress>,
    /// `status.conditions`: `Ready`, `MemoryPressure`, `DiskPressure`, ...
    pub conditions: Vec<NodeCondition>,
    /// `status.capacity` and `status.allocatable`.
    pub capacity: NodeResources,
    pub allocatable: NodeResources,
}

/// One `status.conditions` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeCondition {
    pub kind: Str,
    /// `True`, `False` or `Unknown`.
    pub status: Str,
    pub reason: Option<Str>,
}

/// CPU, memory and pods of a node, parsed from Kubernetes quantities (`"3800m"`,
/// `"32863040Ki"`). `None` when not reported or not understood.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct NodeResources {
    pub cpu_millis: Option<u64>,
    pub memory_bytes: Option<u64>,
    pub pods: Option<u64>,
}

/// A Kubernetes resource quantity scaled by `unit` (1000 for CPU in millicores, 1 for
/// bytes): `"8"`, `"3800m"`, `"1.5"`, `"16Gi"`, `"500M"`, `"1e3"`. `None` on anything else.
pub fn parse_quantity(q: &str, unit: f64) -> Option<u64> {
    let q = q.trim();
    let split = q.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-')).unwrap_or(q.len());
    let (num, suffix) = q.split_at(split);
    let (num, suffix) = match suffix.strip_prefix(['e', 'E']) {
        Some(exp) if exp.parse::<i32>().is_ok() => (format!("{num}e{exp}"), ""),
        _ => (num.to_string(), suffix),
    };
    let value: f64 = num.parse().ok()?;
    let scale = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        _ => return None,
    };
    let v = value * scale * unit;
    (v.is_finite() && v >= 0.0 && v < u64::MAX as f64).then(|| v.round() as u64)
}

/// One `status.addresses` entry. sysdig's condensed events keep only the address text, so
/// `kind` (`InternalIP`, `ExternalIP`, `Hostname`, ...) may be unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeAddress {
    pub kind: Option<Str>,
    pub address: Str,
}

impl Node {
    /// The `Ready` condition: `Some(true)` when `True`, `None` when not reported.
    pub fn ready(&self) -> Option<bool> {
        self.conditions
            .iter()
            .find(|c| &*c.kind == "Ready")
            .map(|c| &*c.status == "True")
    }

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
        for c in &mut self.conditions {
            i.intern(&mut c.kind);
            i.intern(&mut c.status);
            i.intern_opt(&mut c.reason);
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

#[cfg(test)]
mod tests {
    use super::parse_quantity;

    #[test]
    fn quantities_are_read_as_kubernetes_writes_them() {
        assert_eq!(parse_quantity("8", 1000.0), Some(8000));
        assert_eq!(parse_quantity("3800m", 1000.0), Some(3800));
        assert_eq!(parse_quantity("1.5", 1000.0), Some(1500));
        assert_eq!(parse_quantity("32863040Ki", 1.0), Some(32_863_040 * 1024));
        assert_eq!(parse_quantity("16Gi", 1.0), Some(16 << 30));
        assert_eq!(parse_quantity("500M", 1.0), Some(500_000_000));
        assert_eq!(parse_quantity("1e3", 1.0), Some(1000));
        assert_eq!(parse_quantity("110", 1.0), Some(110));
        for bad in ["", "lots", "12Qi", "-1", "NaN"] {
            assert_eq!(parse_quantity(bad, 1.0), None, "{bad}");
        }
    }
}
