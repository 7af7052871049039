//! `kinsight k8s`: the kubernetes_* views and the two hierarchies from a live API server.
//! kinsight-kube lists every kind once (as a hub, or as the agent of one node with
//! `--node`), the model is shown, and the command ends. No events are processed, so the
//! metric columns are zero; the JSON keys are those of the same views over a capture.

use crate::{output, Format, TreeKind, View};
use clap::{Parser, ValueEnum};
use kinsight_analysis::views::K8sRow;
use kinsight_analysis::{K8sKind, Session};
use kinsight_kube::{BackgroundWatch, ConnectOptions, Notice, Shape, WatchConfig};
use kinsight_model::k8s::{ObjectMeta, WorkloadRef};
use kinsight_model::Cluster;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
pub struct K8sArgs {
    /// The view to show: kubernetes_pods, kubernetes_services, kubernetes_deployments,
    /// kubernetes_replicasets, kubernetes_namespaces or kubernetes_controllers.
    #[arg(
        long,
        short = 'v',
        value_enum,
        default_value = "kubernetes_pods",
        conflicts_with = "tree"
    )]
    view: View,
    /// Show a Kubernetes hierarchy instead of a view.
    #[arg(long, value_enum)]
    tree: Option<TreeKind>,
    /// Output format: aligned text for people, JSON for programs.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// The kubeconfig file (default: $KUBECONFIG or ~/.kube/config, else the in-cluster
    /// service account).
    #[arg(long)]
    kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use (default: the current context).
    #[arg(long)]
    context: Option<String>,
    /// Watch as the agent of this node does: only the pods scheduled on it and the
    /// objects they reference.
    #[arg(long)]
    node: Option<String>,
    /// Seconds to wait for the API server to list every kind.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

pub fn run(args: K8sArgs) -> ExitCode {
    let kind = match (args.tree, output::k8s_kind(args.view)) {
        (None, None) => {
            let name = args
                .view
                .to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default();
            eprintln!("kinsight: `k8s` shows the kubernetes_* views and the trees; the {name} view needs events (use `kinsight read` or `kinsight live`)");
            return ExitCode::from(2);
        }
        (_, kind) => kind,
    };
    let session = match load(&args) {
        Ok(s) => s,
        Err(message) => {
            eprintln!("kinsight: {message}");
            return ExitCode::from(1);
        }
    };
    let out = match (args.tree, kind) {
        (Some(tree), _) => render_tree(&session, tree, args.format),
        (None, Some(kind)) => output::kubernetes(&rows(&session, kind), args.format),
        (None, None) => unreachable!("rejected above"),
    };
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    ExitCode::SUCCESS
}

/// Lists every kind into a fresh session's model. Kinds the server refuses are reported on
/// stderr and left out.
fn load(args: &K8sArgs) -> Result<Session, String> {
    let options = ConnectOptions {
        kubeconfig: args.kubeconfig.clone(),
        context: args.context.clone(),
    };
    let shape = match &args.node {
        Some(node) => Shape::Agent { node: node.clone() },
        None => Shape::Hub,
    };
    let (_watch, mut updates) = BackgroundWatch::start(options, shape, WatchConfig::default())
        .map_err(|e| e.to_string())?;
    let mut session = Session::new(None);
    let synced = updates.wait_synced_blocking(
        &mut session.engine.cluster,
        Duration::from_secs(args.timeout),
    );
    for notice in updates.take_notices() {
        if let Notice::Skipped { .. } = notice {
            eprintln!("kinsight: warning: {notice}; left out");
        }
    }
    synced.map_err(|e| e.to_string())?;
    session.finish();
    Ok(session)
}

/// The `kubernetes_*` view rows of the model: every object of the kind, with the number of
/// pods it groups; metrics are zero.
fn rows(session: &Session, kind: K8sKind) -> Vec<K8sRow> {
    let cluster = &session.engine.cluster;
    let index = session.k8s_index();
    let mut known: BTreeMap<String, (String, &ObjectMeta)> = objects_of_kind(cluster, kind)
        .into_iter()
        .map(|(k, m)| (m.uid.to_string(), (k.to_string(), m)))
        .collect();
    let mut pods: BTreeMap<String, usize> = known.keys().map(|uid| (uid.clone(), 0)).collect();
    for pod in cluster.pods().iter() {
        for uid in index.objects_of_pod(&pod.meta.uid, kind) {
            *pods.entry(uid.to_string()).or_default() += 1;
        }
    }
    let mut rows: Vec<K8sRow> = pods
        .into_iter()
        .filter_map(|(uid, pods)| {
            let (kind, name, namespace, labels) = match known.remove(&uid) {
                Some((kind, meta)) => (
                    kind,
                    meta.name.to_string(),
                    meta.namespace_str().to_string(),
                    meta.labels
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
                None => {
                    let o = index.object(&uid)?;
                    (
                        o.kind.clone(),
                        o.name.clone(),
                        o.namespace.clone(),
                        o.labels.clone(),
                    )
                }
            };
            Some(K8sRow {
                uid,
                name,
                namespace,
                kind,
                labels,
                cpu_pct: 0.0,
                virt_bytes: 0,
                res_bytes: 0,
                file_bytes: 0,
                net_bytes: 0,
                pods,
            })
        })
        .collect();
    rows.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    rows
}

/// The objects a view lists even when no pod belongs to them. For controllers: those no
/// other controller owns (the top of a chain).
fn objects_of_kind(cluster: &Cluster, kind: K8sKind) -> Vec<(&'static str, &ObjectMeta)> {
    match kind {
        K8sKind::Pod => cluster.pods().iter().map(|o| ("Pod", &o.meta)).collect(),
        K8sKind::Namespace => cluster
            .namespaces()
            .iter()
            .map(|o| ("Namespace", &o.meta))
            .collect(),
        K8sKind::Service => cluster
            .services()
            .iter()
            .map(|o| ("Service", &o.meta))
            .collect(),
        K8sKind::Deployment => cluster
            .deployments()
            .iter()
            .map(|o| ("Deployment", &o.meta))
            .collect(),
        K8sKind::ReplicaSet => cluster
            .replica_sets()
            .iter()
            .map(|o| ("ReplicaSet", &o.meta))
            .collect(),
        K8sKind::Controller => {
            let all: Vec<WorkloadRef> = cluster
                .replication_controllers()
                .iter()
                .map(WorkloadRef::ReplicationController)
                .chain(cluster.replica_sets().iter().map(WorkloadRef::ReplicaSet))
                .chain(cluster.deployments().iter().map(WorkloadRef::Deployment))
                .chain(cluster.daemon_sets().iter().map(WorkloadRef::DaemonSet))
                .chain(cluster.stateful_sets().iter().map(WorkloadRef::StatefulSet))
                .chain(cluster.jobs().iter().map(WorkloadRef::Job))
                .chain(cluster.cron_jobs().iter().map(WorkloadRef::CronJob))
                .collect();
            all.into_iter()
                .filter(|w| cluster.owner_of_workload(*w).is_none())
                .map(|w| (w.kind().as_str(), w.meta()))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// A hierarchy of the model, as `read --tree` shows it.
fn render_tree(session: &Session, kind: TreeKind, format: Format) -> String {
    let mut root = output::tree_of(session, kind);
    // No machine is traced here, so the tree's place for "the capturing host" (a node
    // without a uid) stays empty: leave it out.
    root.children
        .retain(|n| !(n.kind == "node" && n.id.is_empty() && n.children.is_empty()));
    output::render_tree(&root, format)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kinsight_kube_testserver::sim::Sim;
    use kinsight_kube_testserver::{Credentials, Resource, ServerConfig, TestServer};

    fn args(kubeconfig: PathBuf) -> K8sArgs {
        K8sArgs {
            view: View::KubernetesDeployments,
            tree: None,
            format: Format::Json,
            kubeconfig: Some(kubeconfig),
            context: None,
            node: None,
            timeout: 10,
        }
    }

    #[test]
    fn views_and_trees_come_from_the_api_server() {
        let server = TestServer::start(ServerConfig::default()).unwrap();
        let mut sim = Sim::new(&server);
        let nodes: Vec<String> = ["n1", "n2"].iter().map(|s| s.to_string()).collect();
        for n in &nodes {
            sim.node(n).unwrap();
        }
        sim.namespace("shop").unwrap();
        sim.deployment("shop", "web", 3, &nodes).unwrap();
        sim.service("shop", "web", &[("app", "web")]).unwrap();
        sim.deployment("shop", "idle", 0, &nodes).unwrap();
        server.forbid(Resource::CronJobs);
        let dir = std::env::temp_dir().join(format!("kinsight-k8s-cmd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("kubeconfig");
        std::fs::write(&path, server.kubeconfig(Credentials::Anonymous)).unwrap();

        let session = load(&args(path.clone())).expect("a forbidden kind is not fatal");
        let deployments: serde_json::Value =
            serde_json::from_str(&output::kubernetes(&rows(&session, K8sKind::Deployment), Format::Json))
                .unwrap();
        let by_name: BTreeMap<&str, &serde_json::Value> = deployments
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["name"].as_str().unwrap(), r))
            .collect();
        assert_eq!(by_name["web"]["pods"], 3);
        assert_eq!(
            by_name["idle"]["pods"], 0,
            "deployments without pods are listed too"
        );
        for key in [
            "uid",
            "name",
            "namespace",
            "kind",
            "labels",
            "cpu_pct",
            "virt_bytes",
            "res_bytes",
            "file_bytes",
            "net_bytes",
            "pods",
        ] {
            assert!(by_name["web"].get(key).is_some(), "key {key}");
        }
        assert_eq!(by_name["web"]["cpu_pct"], 0.0);
        let services = rows(&session, K8sKind::Service);
        assert_eq!((services[0].name.as_str(), services[0].pods), ("web", 3));
        let controllers = rows(&session, K8sKind::Controller);
        assert!(
            controllers.iter().all(|r| r.kind == "Deployment"),
            "replicasets are under their deployments"
        );

        let logical = render_tree(&session, TreeKind::Logical, Format::Table);
        assert!(logical.contains("deployment web"), "{logical}");
        let physical = render_tree(&session, TreeKind::Physical, Format::Table);
        assert!(physical.contains("node n2"), "{physical}");
        assert!(
            !physical.contains("node host"),
            "no capturing host here: {physical}"
        );

        let agent = load(&K8sArgs {
            node: Some("n1".into()),
            ..args(path)
        })
        .unwrap();
        let pods = rows(&agent, K8sKind::Pod);
        assert_eq!(pods.len(), 2, "web's pods 0 and 2 are on n1");
        let _ = std::fs::remove_dir_all(dir);
    }
}
