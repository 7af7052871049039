//! sysdig's condensed Kubernetes events (the `K8S_E` events of old captures) mapped back onto
//! the API shapes, so that [`FromApi`] stays the only conversion into the model.
//!
//! sysdig (libsinsp `k8s_*_handler.cpp`, 2016-2023) ran every API response through a jq
//! filter before recording it: a watch event `{"type", "object"}` or a list became
//! `{"type": <ADDED|MODIFIED|DELETED|ERROR|NONEXISTENT>, "apiVersion", "kind": <singular kind>,
//!   "items": [ <one flat object per API object> ]}`
//! where each flat object keeps `namespace`, `name`, `uid`, `timestamp` (creationTimestamp),
//! `labels` (all possibly `null`) plus, per kind:
//!
//! | kind | fields | from |
//! |---|---|---|
//! | Node | `addresses` (strings, deduplicated) | `status.addresses[].address` |
//! | Namespace | — | |
//! | Pod | `nodeName`, `hostIP`, `podIP`, `phase`, `containers`, `containerStatuses`, `initContainerStatuses` | `spec.*`, `status.*` |
//! | ReplicationController | `specReplicas`, `statReplicas`, `selector` (map) | `spec.replicas`, `status.replicas`, `spec.selector` |
//! | ReplicaSet, Deployment | `specReplicas`, `statReplicas`, `selector` | …, `spec.selector.matchLabels` |
//! | DaemonSet | `desiredScheduled`, `currentScheduled`, `selector` | `status.desiredNumberScheduled`, `status.currentNumberScheduled`, `spec.selector.matchLabels` |
//! | Service | `clusterIP`, `ports`, `selector` | `spec.*` |
//!
//! No owner references survive the filter: owners are found by label selectors.
//! A list with no objects becomes `"type": "NONEXISTENT", "items": [null]` (newer sysdig) or
//! an `ADDED` event with `"items": []` (the 2016 capture).

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Deserialize;

use crate::k8s::api::{
    ApiContainer, ApiContainerStatus, ApiLabelSelector, ApiMeta, ApiNodeAddress, ApiNodeStatus,
    ApiObject, ApiPod, ApiPodSpec, ApiPodStatus, ApiRcSpec, ApiReplicaSpec, ApiReplicaStatus,
    ApiServicePort, ApiServiceSpec, FromApi,
};
use crate::k8s::node::{Namespace, Node};
use crate::k8s::pod::Pod;
use crate::k8s::service::Service;
use crate::k8s::workload::{DaemonSet, Deployment, ReplicaSet, ReplicationController};
use crate::serde_util::{null_default, opt_ip};

/// A kind sysdig recorded in condensed form, and how its flat item maps to the API shape.
pub(crate) trait FromCondensed: FromApi {
    type Item: DeserializeOwned;
    fn to_api(item: Self::Item) -> Self::Api;
}

/// Declares a condensed item: the common fields plus the kind's own.
macro_rules! condensed_item {
    ($name:ident { $($(#[$attr:meta])* $field:ident : $ty:ty,)* }) => {
        #[derive(Deserialize, Default)]
        #[serde(default, rename_all = "camelCase")]
        pub(crate) struct $name {
            #[serde(deserialize_with = "null_default")]
            namespace: Option<String>,
            #[serde(deserialize_with = "null_default")]
            name: Option<String>,
            #[serde(deserialize_with = "null_default")]
            uid: Option<String>,
            #[serde(deserialize_with = "null_default")]
            timestamp: Option<String>,
            #[serde(deserialize_with = "null_default")]
            labels: BTreeMap<String, String>,
            $($(#[$attr])* $field: $ty,)*
        }
        impl $name {
            fn meta(&mut self) -> ApiMeta {
                ApiMeta {
                    name: self.name.take(),
                    namespace: self.namespace.take(),
                    uid: self.uid.take(),
                    labels: std::mem::take(&mut self.labels),
                    // The filter dropped owner references and resource versions.
                    owner_references: Vec::new(),
                    resource_version: None,
                    creation_timestamp: self.timestamp.take(),
                }
            }
        }
    };
}

condensed_item!(CondensedNode {
    #[serde(deserialize_with = "null_default")]
    addresses: Vec<String>,
});

impl FromCondensed for Node {
    type Item = CondensedNode;
    fn to_api(mut item: CondensedNode) -> Self::Api {
        ApiObject {
            metadata: item.meta(),
            spec: IgnoredAny,
            status: ApiNodeStatus {
                // The address type was filtered away.
                addresses: item
                    .addresses
                    .into_iter()
                    .map(|address| ApiNodeAddress {
                        kind: None,
                        address,
                    })
                    .collect(),
                ..Default::default()
            },
        }
    }
}

condensed_item!(CondensedNamespace {});

impl FromCondensed for Namespace {
    type Item = CondensedNamespace;
    fn to_api(mut item: CondensedNamespace) -> Self::Api {
        ApiObject {
            metadata: item.meta(),
            spec: IgnoredAny,
            status: IgnoredAny,
        }
    }
}

condensed_item!(CondensedPod {
    node_name: Option<String>,
    #[serde(rename = "hostIP", deserialize_with = "opt_ip")]
    host_ip: Option<IpAddr>,
    #[serde(rename = "podIP", deserialize_with = "opt_ip")]
    pod_ip: Option<IpAddr>,
    phase: Option<String>,
    #[serde(deserialize_with = "null_default")]
    containers: Vec<ApiContainer>,
    #[serde(deserialize_with = "null_default")]
    container_statuses: Vec<ApiContainerStatus>,
    #[serde(deserialize_with = "null_default")]
    init_container_statuses: Vec<ApiContainerStatus>,
});

impl FromCondensed for Pod {
    type Item = CondensedPod;
    fn to_api(mut item: CondensedPod) -> ApiPod {
        ApiObject {
            metadata: item.meta(),
            spec: ApiPodSpec {
                node_name: item.node_name,
                host_network: None,
                containers: item.containers,
                // Init container specs were not recorded; their statuses were.
                init_containers: Vec::new(),
                ephemeral_containers: Vec::new(),
            },
            status: ApiPodStatus {
                phase: item.phase,
                host_ip: item.host_ip,
                pod_ip: item.pod_ip,
                container_statuses: item.container_statuses,
                init_container_statuses: item.init_container_statuses,
                ephemeral_container_statuses: Vec::new(),
            },
        }
    }
}

condensed_item!(CondensedService {
    #[serde(rename = "clusterIP", deserialize_with = "opt_ip")]
    cluster_ip: Option<IpAddr>,
    #[serde(deserialize_with = "null_default")]
    ports: Vec<ApiServicePort>,
    #[serde(deserialize_with = "null_default")]
    selector: BTreeMap<String, String>,
});

impl FromCondensed for Service {
    type Item = CondensedService;
    fn to_api(mut item: CondensedService) -> Self::Api {
        ApiObject {
            metadata: item.meta(),
            spec: ApiServiceSpec {
                service_type: None,
                cluster_ip: item.cluster_ip,
                ports: item.ports,
                selector: item.selector,
            },
            status: IgnoredAny,
        }
    }
}

condensed_item!(CondensedReplicated {
    spec_replicas: Option<i32>,
    stat_replicas: Option<i32>,
    #[serde(deserialize_with = "null_default")]
    selector: BTreeMap<String, String>,
});

impl CondensedReplicated {
    fn into_api(mut self) -> ApiObject<ApiReplicaSpec, ApiReplicaStatus> {
        ApiObject {
            metadata: self.meta(),
            spec: ApiReplicaSpec {
                replicas: self.spec_replicas,
                selector: Some(match_labels(self.selector)),
                service_name: None,
            },
            status: ApiReplicaStatus {
                replicas: self.stat_replicas,
                ..Default::default()
            },
        }
    }
}

fn match_labels(map: BTreeMap<String, String>) -> ApiLabelSelector {
    ApiLabelSelector {
        match_labels: map,
        match_expressions: Vec::new(),
    }
}

impl FromCondensed for ReplicaSet {
    type Item = CondensedReplicated;
    fn to_api(item: CondensedReplicated) -> Self::Api {
        item.into_api()
    }
}

impl FromCondensed for Deployment {
    type Item = CondensedReplicated;
    fn to_api(item: CondensedReplicated) -> Self::Api {
        item.into_api()
    }
}

impl FromCondensed for ReplicationController {
    type Item = CondensedReplicated;
    fn to_api(mut item: CondensedReplicated) -> Self::Api {
        ApiObject {
            metadata: item.meta(),
            spec: ApiRcSpec {
                replicas: item.spec_replicas,
                selector: item.selector,
            },
            status: ApiReplicaStatus {
                replicas: item.stat_replicas,
                ..Default::default()
            },
        }
    }
}

condensed_item!(CondensedDaemonSet {
    desired_scheduled: Option<i32>,
    current_scheduled: Option<i32>,
    #[serde(deserialize_with = "null_default")]
    selector: BTreeMap<String, String>,
});

impl FromCondensed for DaemonSet {
    type Item = CondensedDaemonSet;
    fn to_api(mut item: CondensedDaemonSet) -> Self::Api {
        ApiObject {
            metadata: item.meta(),
            spec: ApiReplicaSpec {
                replicas: None,
                selector: Some(match_labels(item.selector)),
                service_name: None,
            },
            status: ApiReplicaStatus {
                replicas: None,
                desired_number_scheduled: item.desired_scheduled,
                current_number_scheduled: item.current_scheduled,
                ..Default::default()
            },
        }
    }
}
