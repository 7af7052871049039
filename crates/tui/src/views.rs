//! The views the UI offers, by csysdig's names, and the hierarchies it browses. Each view
//! says which API call lists it: entity views are one level of a hierarchy
//! (`/api/entities`), `connections` and `httplog` are the drill-down lists.

/// A hierarchy of `/api/entities` (`hierarchy=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hierarchy {
    Physical,
    Logical,
    Services,
}

impl Hierarchy {
    pub const ALL: [Hierarchy; 3] = [Hierarchy::Physical, Hierarchy::Logical, Hierarchy::Services];

    pub fn name(self) -> &'static str {
        match self {
            Hierarchy::Physical => "physical",
            Hierarchy::Logical => "logical",
            Hierarchy::Services => "services",
        }
    }

    pub fn levels(self) -> &'static str {
        match self {
            Hierarchy::Physical => "node › pod › container › process",
            Hierarchy::Logical => "namespace › workload › pod › container › process",
            Hierarchy::Services => "namespace › service › pod › container › process",
        }
    }

    pub fn next(self) -> Hierarchy {
        let i = Hierarchy::ALL.iter().position(|h| *h == self).unwrap_or(0);
        Hierarchy::ALL[(i + 1) % Hierarchy::ALL.len()]
    }
}

/// What a view lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listing {
    /// Entities of a hierarchy: its top level, or `level` when given; only rows of `kind`
    /// when given (deployments among workloads).
    Entities { hierarchy: Hierarchy, level: Option<&'static str>, kind: Option<&'static str> },
    Connections,
    Http,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct View {
    pub name: &'static str,
    /// Other names `:` accepts (k9s-style short ones).
    pub aliases: &'static [&'static str],
    pub title: &'static str,
    pub listing: Listing,
}

const fn entities(hierarchy: Hierarchy, level: Option<&'static str>, kind: Option<&'static str>) -> Listing {
    Listing::Entities { hierarchy, level, kind }
}

pub const VIEWS: &[View] = &[
    View { name: "physical", aliases: &["tree", "nodes"], title: "Physical: node › pod › container › process", listing: entities(Hierarchy::Physical, None, None) },
    View { name: "logical", aliases: &["apps"], title: "Logical: namespace › workload › pod › container › process", listing: entities(Hierarchy::Logical, None, None) },
    View { name: "services", aliases: &["svc-tree"], title: "Services: namespace › service › pod › container › process", listing: entities(Hierarchy::Services, None, None) },
    View { name: "containers", aliases: &["co", "ctr"], title: "Containers", listing: entities(Hierarchy::Physical, Some("container"), None) },
    View { name: "procs", aliases: &["ps", "processes"], title: "Processes", listing: entities(Hierarchy::Physical, Some("process"), None) },
    View { name: "connections", aliases: &["conn", "net"], title: "Connections", listing: Listing::Connections },
    View { name: "kubernetes_pods", aliases: &["pods", "po"], title: "Kubernetes pods", listing: entities(Hierarchy::Logical, Some("pod"), None) },
    View { name: "kubernetes_namespaces", aliases: &["namespaces", "ns"], title: "Kubernetes namespaces", listing: entities(Hierarchy::Logical, Some("namespace"), None) },
    View { name: "kubernetes_controllers", aliases: &["controllers", "workloads", "wl"], title: "Kubernetes controllers (the top of each pod's owners)", listing: entities(Hierarchy::Logical, Some("workload"), None) },
    View {
        name: "kubernetes_deployments",
        aliases: &["deployments", "deploy"],
        title: "Kubernetes deployments",
        listing: entities(Hierarchy::Logical, Some("workload"), Some("deployment")),
    },
    View { name: "kubernetes_services", aliases: &["svc"], title: "Kubernetes services", listing: entities(Hierarchy::Services, Some("service"), None) },
    View { name: "httplog", aliases: &["http"], title: "HTTP transactions, newest first", listing: Listing::Http },
];

/// csysdig views this UI knows by name but does not list, and why (`:` says so instead of
/// "unknown view").
pub const NOT_OFFERED: &[(&str, &str)] = &[
    ("kubernetes_replicasets", "the API groups pods by the top of their owners (kubernetes_controllers, kubernetes_deployments), not by replicaset"),
    ("requests", "the requests view is not part of this kinsight yet"),
];

pub fn find(name: &str) -> Option<&'static View> {
    let name = name.trim().to_ascii_lowercase();
    VIEWS.iter().find(|v| v.name == name || v.aliases.contains(&name.as_str()))
}

/// The view that browses a hierarchy from its top.
pub fn of_hierarchy(h: Hierarchy) -> &'static View {
    VIEWS.iter().find(|v| v.listing == entities(h, None, None)).expect("every hierarchy has a view")
}

/// Names starting with `prefix`, for the `:` prompt's completion.
pub fn completions(prefix: &str) -> Vec<&'static str> {
    let p = prefix.trim().to_ascii_lowercase();
    let mut names: Vec<&'static str> = VIEWS.iter().map(|v| v.name).filter(|n| n.starts_with(&p)).collect();
    names.extend(NOT_OFFERED.iter().map(|(n, _)| *n).filter(|n| n.starts_with(&p)));
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_are_found_by_name_and_alias() {
        assert_eq!(find("kubernetes_pods").unwrap().name, "kubernetes_pods");
        assert_eq!(find("PODS").unwrap().name, "kubernetes_pods");
        assert_eq!(find("ns").unwrap().name, "kubernetes_namespaces");
        assert!(find("kubernetes_replicasets").is_none());
        for h in Hierarchy::ALL {
            assert_eq!(of_hierarchy(h).name, h.name());
        }
    }

    #[test]
    fn names_are_unique() {
        let mut all: Vec<&str> = VIEWS.iter().flat_map(|v| std::iter::once(v.name).chain(v.aliases.iter().copied())).collect();
        all.extend(NOT_OFFERED.iter().map(|(n, _)| *n));
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
    }
}
