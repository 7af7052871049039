//! Rendering of views and trees as text tables or JSON.

use crate::{Format, TreeKind, View};
use kinsight_analysis::human::{bytes, duration_ns, pct, table};
use kinsight_analysis::views::K8sRow;
use kinsight_analysis::{tree, views, K8sKind, Session};
use serde::Serialize;

fn json<T: Serialize>(rows: &T) -> String {
    let mut s = serde_json::to_string_pretty(rows).expect("views serialize");
    s.push('\n');
    s
}

/// JSON for programs, or an aligned table with `header` and one `cells` line per row.
fn render<T: Serialize>(rows: &[T], format: Format, header: &[&str], cells: impl Fn(&T) -> Vec<String>) -> String {
    match format {
        Format::Json => json(&rows),
        Format::Table => table(header, &rows.iter().map(cells).collect::<Vec<_>>()),
    }
}

fn labels(l: &std::collections::BTreeMap<String, String>) -> String {
    l.iter().map(|(k, v)| format!("{k}:{v}")).collect::<Vec<_>>().join(", ")
}

pub fn view(s: &Session, view: View, format: Format) -> String {
    let k8s = s.k8s_index();
    let c = &s.collector;
    let e = &s.engine;
    match view {
        View::Containers => {
            let rows = views::containers(c, e, &k8s);
            render(&rows, format, &["CPU%", "PROCS", "THREADS", "VIRT", "RES", "FILE", "NET", "ENGINE", "IMAGE", "ID", "NAME"], |r| {
                vec![
                    pct(r.cpu_pct),
                    r.procs.to_string(),
                    r.threads.to_string(),
                    bytes(r.virt_bytes),
                    bytes(r.res_bytes),
                    bytes(r.file_bytes),
                    bytes(r.net_bytes),
                    r.kind.clone(),
                    r.image.clone(),
                    r.id.clone(),
                    r.name.clone(),
                ]
            })
        }
        View::Procs => {
            let rows = views::procs(c, e);
            render(&rows, format, &["PID", "PPID", "CPU%", "USER", "TH", "VIRT", "RES", "FILE", "NET", "CONTAINER", "COMMAND"], |r| {
                vec![
                    r.pid.to_string(),
                    r.ppid.to_string(),
                    pct(r.cpu_pct),
                    r.user.clone(),
                    r.threads.to_string(),
                    bytes(r.virt_bytes),
                    bytes(r.res_bytes),
                    bytes(r.file_bytes),
                    bytes(r.net_bytes),
                    r.container_id.clone().unwrap_or_else(|| "host".into()),
                    r.cmdline.clone(),
                ]
            })
        }
        View::Connections => {
            let rows = views::connections(c);
            render(&rows, format, &["PROTO", "CLIENT", "SERVER", "IN", "OUT", "TOTAL", "PID", "CONTAINER", "COMMAND"], |r| {
                vec![
                    r.proto.clone(),
                    format!("{}:{}", r.client_ip, r.client_port),
                    format!("{}:{}", r.server_ip, r.server_port),
                    bytes(r.in_bytes),
                    bytes(r.out_bytes),
                    bytes(r.total_bytes),
                    r.pid.to_string(),
                    r.container_id.clone().unwrap_or_else(|| "host".into()),
                    r.cmdline.clone(),
                ]
            })
        }
        View::Httplog => {
            let rows = views::httplog(c, &k8s);
            // A time a person reads (UTC, to the nanosecond); JSON keeps `ts_ns`.
            render(&rows, format, &["TIME (UTC)", "CONTAINER", "DIR", "METHOD", "STATUS", "LATENCY", "SIZE", "URL"], |r| {
                vec![
                    kinsight_model::k8s::format_rfc3339(r.ts_ns),
                    r.container_id.clone().unwrap_or_else(|| "host".into()),
                    r.dir.clone(),
                    r.method.clone(),
                    r.status.to_string(),
                    duration_ns(r.latency_ns),
                    bytes(r.size_bytes),
                    r.url.clone(),
                ]
            })
        }
        View::Requests => {
            let rows = kinsight_analysis::requests::requests(c, &k8s);
            let addr = |a: &Option<String>| a.clone().unwrap_or_else(|| "-".into());
            render(&rows, format, &["TIME (UTC)", "PROTO", "CLIENT", "SERVER", "OPERATION", "STATUS", "LATENCY", "REQ", "RESP", "TARGET"], |r| {
                vec![
                    kinsight_model::k8s::format_rfc3339(r.ts_ns),
                    r.proto.clone(),
                    addr(&r.client),
                    addr(&r.server),
                    r.operation.clone(),
                    r.status.clone(),
                    duration_ns(r.latency_ns),
                    bytes(r.request_bytes),
                    bytes(r.response_bytes),
                    r.target.clone(),
                ]
            })
        }
        View::Events => String::new(),
        k8s_view => kubernetes(&views::kubernetes(c, &k8s, k8s_kind(k8s_view).unwrap_or(K8sKind::Controller)), format),
    }
}

/// The Kubernetes kind a `kubernetes_*` view lists.
pub fn k8s_kind(view: View) -> Option<K8sKind> {
    Some(match view {
        View::KubernetesPods => K8sKind::Pod,
        View::KubernetesServices => K8sKind::Service,
        View::KubernetesDeployments => K8sKind::Deployment,
        View::KubernetesReplicasets => K8sKind::ReplicaSet,
        View::KubernetesNamespaces => K8sKind::Namespace,
        View::KubernetesControllers => K8sKind::Controller,
        _ => return None,
    })
}

/// The rows of a `kubernetes_*` view.
pub fn kubernetes(rows: &[K8sRow], format: Format) -> String {
    render(rows, format, &["CPU%", "VIRT", "RES", "FILE", "NET", "PODS", "KIND", "NAMESPACE", "NAME", "UID", "LABELS"], |r| {
        vec![
            pct(r.cpu_pct),
            bytes(r.virt_bytes),
            bytes(r.res_bytes),
            bytes(r.file_bytes),
            bytes(r.net_bytes),
            r.pods.to_string(),
            r.kind.clone(),
            r.namespace.clone(),
            r.name.clone(),
            r.uid.clone(),
            labels(&r.labels),
        ]
    })
}

/// A hierarchy as it is built, before rendering (callers may trim it).
pub fn tree_of(s: &Session, kind: TreeKind) -> tree::TreeNode {
    let k8s = s.k8s_index();
    match kind {
        TreeKind::Physical => tree::physical(&s.collector, &s.engine, &k8s),
        TreeKind::Logical => tree::logical(&s.collector, &s.engine, &k8s),
    }
}

pub fn render_tree(t: &tree::TreeNode, format: Format) -> String {
    match format {
        Format::Json => json(t),
        Format::Table => tree::render(t),
    }
}

pub fn tree(s: &Session, kind: TreeKind, format: Format) -> String {
    render_tree(&tree_of(s, kind), format)
}
