//! The thirteen kinds the cluster model holds, as API resources: group, version, plural and
//! URL, taken from the k8s-openapi definitions (so a typo cannot send us to the wrong URL).
//!
//! Secrets and ConfigMaps are deliberately absent: nothing here may ever ask for them, and
//! the deploy/ ClusterRole does not grant them.

use std::borrow::Cow;

use k8s_openapi::api::{
    apps::v1 as apps, batch::v1 as batch, core::v1 as core, discovery::v1 as discovery,
};
use kinsight_model::ObjectKind;
use kube::Resource;

/// Group, version and plural of a kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiResource {
    pub kind: ObjectKind,
    /// `""` for the core group.
    pub group: Cow<'static, str>,
    pub version: Cow<'static, str>,
    pub plural: Cow<'static, str>,
    pub namespaced: bool,
}

fn describe<K: Resource<DynamicType = ()>>(kind: ObjectKind, namespaced: bool) -> ApiResource {
    ApiResource {
        kind,
        group: Cow::Owned(K::group(&()).into_owned()),
        version: Cow::Owned(K::version(&()).into_owned()),
        plural: Cow::Owned(K::plural(&()).into_owned()),
        namespaced,
    }
}

impl ApiResource {
    pub fn of(kind: ObjectKind) -> ApiResource {
        match kind {
            ObjectKind::Node => describe::<core::Node>(kind, false),
            ObjectKind::Namespace => describe::<core::Namespace>(kind, false),
            ObjectKind::Pod => describe::<core::Pod>(kind, true),
            ObjectKind::Service => describe::<core::Service>(kind, true),
            ObjectKind::ReplicationController => {
                describe::<core::ReplicationController>(kind, true)
            }
            ObjectKind::ReplicaSet => describe::<apps::ReplicaSet>(kind, true),
            ObjectKind::Deployment => describe::<apps::Deployment>(kind, true),
            ObjectKind::DaemonSet => describe::<apps::DaemonSet>(kind, true),
            ObjectKind::StatefulSet => describe::<apps::StatefulSet>(kind, true),
            ObjectKind::Job => describe::<batch::Job>(kind, true),
            ObjectKind::CronJob => describe::<batch::CronJob>(kind, true),
            ObjectKind::EndpointSlice => describe::<discovery::EndpointSlice>(kind, true),
            ObjectKind::Event => describe::<core::Event>(kind, true),
        }
    }

    /// `v1`, `apps/v1`, ...
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The cluster-wide collection: `/api/v1/pods`, `/apis/apps/v1/deployments`.
    pub fn collection_path(&self) -> String {
        let prefix = if self.group.is_empty() {
            "/api".to_string()
        } else {
            format!("/apis/{}", self.group)
        };
        format!("{prefix}/{}/{}", self.version, self.plural)
    }
}

/// Every kind the model holds, with its API resource.
pub fn all() -> Vec<ApiResource> {
    ObjectKind::ALL.into_iter().map(ApiResource::of).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_the_api_servers() {
        assert_eq!(
            ApiResource::of(ObjectKind::Pod).collection_path(),
            "/api/v1/pods"
        );
        assert_eq!(
            ApiResource::of(ObjectKind::CronJob).collection_path(),
            "/apis/batch/v1/cronjobs"
        );
        assert_eq!(
            ApiResource::of(ObjectKind::EndpointSlice).collection_path(),
            "/apis/discovery.k8s.io/v1/endpointslices"
        );
        assert_eq!(
            ApiResource::of(ObjectKind::EndpointSlice).api_version(),
            "discovery.k8s.io/v1"
        );
        assert!(all()
            .iter()
            .all(|r| r.plural != "secrets" && r.plural != "configmaps"));
    }
}
