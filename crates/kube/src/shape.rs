//! The two deployments of the watches: a hub that watches the whole cluster once, and a
//! per-node agent that watches only its node's pods and what they reference.

use kinsight_model::ObjectKind;

use crate::watch::{Projection, WatchSpec};

/// Which objects to watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Every object of every kind, once for the cluster. Namespaces come metadata-only
    /// (the model keeps nothing else of them).
    Hub,
    /// What a node agent needs to attribute its containers: the pods scheduled on `node`
    /// (`fieldSelector=spec.nodeName=<node>`), the node itself, and the namespaces,
    /// controllers and services those pods belong to. Controllers and namespaces are
    /// watched metadata-only (owner references and labels are all the chain needs); the
    /// agent then forwards only the objects its pods reference.
    ///
    /// No EndpointSlices: every pod change anywhere rewrites a slice, so a cluster-wide
    /// slice watch on every node would make each agent's traffic grow with the cluster's
    /// churn. A pod's services come from the services' selectors instead (what the
    /// EndpointSlice controller itself evaluates); the hub, which watches the slices, is
    /// the one that places other nodes' pods.
    Agent { node: String },
}

impl Shape {
    /// One watch per kind.
    pub fn plan(&self) -> Vec<WatchSpec> {
        ObjectKind::ALL
            .into_iter()
            .filter(|kind| {
                !(matches!(self, Shape::Agent { .. }) && *kind == ObjectKind::EndpointSlice)
            })
            .map(|kind| {
                let mut spec = WatchSpec::full(kind);
                match self {
                    Shape::Hub => {
                        if kind == ObjectKind::Namespace {
                            spec.projection = Projection::Metadata;
                        }
                    }
                    Shape::Agent { node } => match kind {
                        ObjectKind::Pod => {
                            spec.field_selector = Some(format!("spec.nodeName={node}"))
                        }
                        ObjectKind::Node => {
                            spec.field_selector = Some(format!("metadata.name={node}"))
                        }
                        // The node's own events only: a cluster-wide events watch per
                        // node would multiply the API server's event traffic by the
                        // node count. Pod events are the hub's.
                        ObjectKind::Event => {
                            spec.field_selector = Some(format!(
                                "involvedObject.kind=Node,involvedObject.name={node}"
                            ))
                        }
                        ObjectKind::Service => {}
                        _ => spec.projection = Projection::Metadata,
                    },
                }
                spec
            })
            .collect()
    }
}
