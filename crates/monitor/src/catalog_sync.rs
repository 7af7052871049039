//! The cluster model copied into the history catalog: every namespace, node, controller,
//! service and pod with the state users look for, whether or not it ever did any I/O, and
//! the log of what changed (created, the followed fields, deleted) with the time it was
//! seen. History then answers "what existed then" and "what changed between then and now"
//! after the cluster forgot the objects.
//!
//! Deletion is only inferred for objects this run saw in the cluster ([`ObjectsSeen`]):
//! objects restored from a snapshot stay as they were until the watch has described them.

use kinsight_history::catalog::{Lifetime, NodeResourcesMeta};
use kinsight_history::changes::note_field;
use kinsight_history::{EventRecord, InvolvedMeta, Catalog, ChangeKind, FieldChange, NamespaceMeta, NodeMeta, ObjectChange, OwnerMeta, PodContainerMeta, PodMeta, ServiceMeta, WorkloadMeta};
use kinsight_model::k8s::{ContainerRole, WorkloadRef};
use kinsight_model::labels::Labels;
use kinsight_model::Cluster;
use rustc_hash::FxHashSet;
use std::collections::BTreeMap;

/// Keys (`Pod/uid`, `Node/name`, ...) of the objects copied from the cluster during this run.
#[derive(Default)]
pub struct ObjectsSeen(FxHashSet<String>);

fn labels(l: &Labels) -> BTreeMap<String, String> {
    l.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn render_labels(l: &BTreeMap<String, String>) -> String {
    l.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

pub use kinsight_model::k8s::rfc3339_ns;

fn lifetime(created: Option<&str>) -> Lifetime {
    Lifetime { created_ns: created.and_then(rfc3339_ns), deleted_ns: None }
}

/// What a change names an object by.
struct Ident<'a> {
    kind: &'a str,
    uid: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

fn log(catalog: &mut Catalog, id: &Ident, ts_ns: u64, what: ChangeKind) {
    catalog.changes.push(ObjectChange {
        ts_ns,
        kind: id.kind.to_string(),
        uid: id.uid.to_string(),
        namespace: id.namespace.map(str::to_string),
        name: id.name.to_string(),
        what,
    });
}

/// Logs the object's creation (first sight in the catalog, or back after a deletion) or
/// the changes of its followed fields.
fn log_upsert(catalog: &mut Catalog, id: &Ident, old: Option<(Lifetime, Vec<FieldChange>)>, created: Lifetime, now_ns: u64) {
    match old {
        Some((was, fields)) if !was.is_deleted() => {
            if !fields.is_empty() {
                log(catalog, id, now_ns, ChangeKind::Changed { fields });
            }
        }
        _ => log(catalog, id, created.created_ns.unwrap_or(now_ns).min(now_ns), ChangeKind::Created),
    }
}

fn pod_meta(cluster: &Cluster, p: &kinsight_model::k8s::Pod) -> PodMeta {
    PodMeta {
        uid: p.meta.uid.to_string(),
        name: p.meta.name.to_string(),
        namespace: p.meta.namespace_str().to_string(),
        node: p.node_name.as_deref().map(str::to_string),
        ip: p.pod_ip,
        host_network: p.host_network,
        labels: labels(&p.meta.labels),
        owners: cluster.owner_chain(p).into_iter().map(owner).collect(),
        services: cluster.services_of(p).iter().map(|s| s.meta.uid.to_string()).collect(),
        phase: p.phase.as_str().to_string(),
        containers: p
            .containers
            .iter()
            .map(|c| PodContainerMeta {
                name: c.name.to_string(),
                role: match c.role {
                    ContainerRole::Regular => "regular",
                    ContainerRole::Init => "init",
                    ContainerRole::Ephemeral => "ephemeral",
                }
                .to_string(),
                image: c.image.as_deref().unwrap_or_default().to_string(),
                id: c.id.as_ref().map(|i| i.short().to_string()),
                ready: c.ready,
                restarts: c.restart_count,
                state: c.state.as_ref().map(|s| s.describe()),
                last_termination: c.last_termination.as_ref().and_then(|t| t.reason.as_deref().map(str::to_string)).or_else(|| c.last_termination.as_ref().map(|t| t.describe())),
            })
            .collect(),
        lifetime: lifetime(p.meta.created.as_deref()),
    }
}

/// Conditions whose status is the unhealthy one: `Ready` not `True`, any other (the
/// pressure conditions, `NetworkUnavailable`) not `False`.
fn node_problems(n: &kinsight_model::k8s::Node) -> Vec<String> {
    n.conditions
        .iter()
        .filter(|c| if &*c.kind == "Ready" { &*c.status != "True" } else { &*c.status != "False" })
        .map(|c| match &c.reason {
            Some(r) => format!("{}={} ({r})", c.kind, c.status),
            None => format!("{}={}", c.kind, c.status),
        })
        .collect()
}

fn node_meta(n: &kinsight_model::k8s::Node) -> NodeMeta {
    let resources = |r: &kinsight_model::k8s::NodeResources| NodeResourcesMeta { cpu_millis: r.cpu_millis, memory_bytes: r.memory_bytes, pods: r.pods };
    NodeMeta {
        uid: n.meta.uid.to_string(),
        name: n.meta.name.to_string(),
        ips: n.ips(),
        labels: labels(&n.meta.labels),
        lifetime: lifetime(n.meta.created.as_deref()),
        ready: n.ready(),
        problems: node_problems(n),
        capacity: resources(&n.capacity),
        allocatable: resources(&n.allocatable),
    }
}

fn owner(w: WorkloadRef<'_>) -> OwnerMeta {
    OwnerMeta { kind: w.kind().as_str().to_string(), name: w.name().to_string(), uid: w.uid().to_string() }
}

fn workload_meta(cluster: &Cluster, w: WorkloadRef<'_>) -> WorkloadMeta {
    let m = w.meta();
    let r = w.replicas();
    WorkloadMeta {
        uid: m.uid.to_string(),
        kind: w.kind().as_str().to_string(),
        name: m.name.to_string(),
        namespace: m.namespace_str().to_string(),
        owner: cluster.owner_of_workload(w).map(owner),
        labels: labels(&m.labels),
        desired: r.and_then(|r| r.desired),
        current: r.and_then(|r| r.current),
        ready: r.and_then(|r| r.ready),
        updated: r.and_then(|r| r.updated),
        lifetime: lifetime(m.created.as_deref()),
    }
}

fn all_workloads(cluster: &Cluster) -> impl Iterator<Item = WorkloadRef<'_>> {
    let rc = cluster.replication_controllers().iter().map(WorkloadRef::ReplicationController);
    let rs = cluster.replica_sets().iter().map(WorkloadRef::ReplicaSet);
    let deploy = cluster.deployments().iter().map(WorkloadRef::Deployment);
    let ds = cluster.daemon_sets().iter().map(WorkloadRef::DaemonSet);
    let sts = cluster.stateful_sets().iter().map(WorkloadRef::StatefulSet);
    let job = cluster.jobs().iter().map(WorkloadRef::Job);
    let cron = cluster.cron_jobs().iter().map(WorkloadRef::CronJob);
    rc.chain(rs).chain(deploy).chain(ds).chain(sts).chain(job).chain(cron)
}

fn pod_fields(old: &PodMeta, new: &PodMeta) -> Vec<FieldChange> {
    let mut f = Vec::new();
    let images = |p: &PodMeta| p.containers.iter().map(|c| format!("{}={}", c.name, c.image)).collect::<Vec<_>>().join(",");
    let ready = |p: &PodMeta| {
        let (r, t) = p.ready_containers();
        format!("{r}/{t}")
    };
    note_field(&mut f, "phase", old.phase.clone(), new.phase.clone());
    note_field(&mut f, "node", opt(old.node.as_deref()), opt(new.node.as_deref()));
    note_field(&mut f, "ip", opt(old.ip), opt(new.ip));
    note_field(&mut f, "ready", ready(old), ready(new));
    note_field(&mut f, "restarts", old.restarts().to_string(), new.restarts().to_string());
    note_field(&mut f, "image", images(old), images(new));
    note_field(&mut f, "labels", render_labels(&old.labels), render_labels(&new.labels));
    f
}

fn workload_fields(old: &WorkloadMeta, new: &WorkloadMeta) -> Vec<FieldChange> {
    let mut f = Vec::new();
    note_field(&mut f, "replicas", opt(old.desired), opt(new.desired));
    note_field(&mut f, "current", opt(old.current), opt(new.current));
    note_field(&mut f, "ready", opt(old.ready), opt(new.ready));
    note_field(&mut f, "updated", opt(old.updated), opt(new.updated));
    note_field(&mut f, "labels", render_labels(&old.labels), render_labels(&new.labels));
    f
}

/// Copies namespaces, nodes, services, controllers and pods; logs their changes at
/// `now_ns`; marks deleted what this run saw and the cluster no longer has.
pub fn sync_objects(cluster: &Cluster, catalog: &mut Catalog, seen: &mut ObjectsSeen, now_ns: u64) {
    let mut present: FxHashSet<String> = FxHashSet::default();

    for ns in cluster.namespaces().iter() {
        let new = NamespaceMeta { uid: ns.meta.uid.to_string(), name: ns.meta.name.to_string(), labels: labels(&ns.meta.labels), lifetime: lifetime(ns.meta.created.as_deref()) };
        let old = catalog.namespaces.get(&new.name).map(|o| {
            let mut f = Vec::new();
            note_field(&mut f, "labels", render_labels(&o.labels), render_labels(&new.labels));
            (o.lifetime, f)
        });
        if catalog.upsert_namespace(new.clone()) {
            log_upsert(catalog, &Ident { kind: "Namespace", uid: &new.uid, namespace: None, name: &new.name }, old, new.lifetime, now_ns);
        }
        present.insert(format!("Namespace/{}", new.name));
    }
    for n in cluster.nodes().iter() {
        let new = node_meta(n);
        let old = catalog.nodes.get(&new.name).map(|o| {
            let mut f = Vec::new();
            note_field(&mut f, "labels", render_labels(&o.labels), render_labels(&new.labels));
            let ips = |v: &[std::net::IpAddr]| v.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
            note_field(&mut f, "addresses", ips(&o.ips), ips(&new.ips));
            note_field(&mut f, "ready", opt(o.ready), opt(new.ready));
            note_field(&mut f, "conditions", o.problems.join(","), new.problems.join(","));
            (o.lifetime, f)
        });
        if catalog.upsert_node(new.clone()) {
            log_upsert(catalog, &Ident { kind: "Node", uid: &new.uid, namespace: None, name: &new.name }, old, new.lifetime, now_ns);
        }
        present.insert(format!("Node/{}", new.name));
    }
    for s in cluster.services().iter() {
        let new = ServiceMeta {
            uid: s.meta.uid.to_string(),
            name: s.meta.name.to_string(),
            namespace: s.meta.namespace_str().to_string(),
            cluster_ip: s.cluster_ip,
            ports: s.ports.iter().map(|p| p.port).collect(),
            labels: labels(&s.meta.labels),
            lifetime: lifetime(s.meta.created.as_deref()),
        };
        let old = catalog.services.get(&new.uid).map(|o| {
            let mut f = Vec::new();
            note_field(&mut f, "cluster_ip", opt(o.cluster_ip), opt(new.cluster_ip));
            note_field(&mut f, "ports", format!("{:?}", o.ports), format!("{:?}", new.ports));
            note_field(&mut f, "labels", render_labels(&o.labels), render_labels(&new.labels));
            (o.lifetime, f)
        });
        if catalog.upsert_service(new.clone()) {
            log_upsert(catalog, &Ident { kind: "Service", uid: &new.uid, namespace: Some(&new.namespace), name: &new.name }, old, new.lifetime, now_ns);
        }
        present.insert(format!("Service/{}", new.uid));
    }
    for w in all_workloads(cluster) {
        let new = workload_meta(cluster, w);
        let old = catalog.workloads.get(&new.uid).map(|o| (o.lifetime, workload_fields(o, &new)));
        if catalog.upsert_workload(new.clone()) {
            log_upsert(catalog, &Ident { kind: &new.kind, uid: &new.uid, namespace: Some(&new.namespace), name: &new.name }, old, new.lifetime, now_ns);
        }
        present.insert(format!("Workload/{}", new.uid));
    }
    for p in cluster.pods().iter() {
        let new = pod_meta(cluster, p);
        if !catalog.namespaces.contains_key(&new.namespace) {
            // Named by pods but never described: a stable made-up uid, as the views do.
            catalog.upsert_namespace(NamespaceMeta { uid: format!("namespace:{}", new.namespace), name: new.namespace.clone(), ..Default::default() });
        }
        let old = catalog.pods.get(&new.uid).map(|o| (o.lifetime, pod_fields(o, &new)));
        if catalog.upsert_pod(new.clone()) {
            log_upsert(catalog, &Ident { kind: "Pod", uid: &new.uid, namespace: Some(&new.namespace), name: &new.name }, old, new.lifetime, now_ns);
        }
        present.insert(format!("Pod/{}", new.uid));
    }

    // Events: kept by uid past the API server's expiry (their deletion is not a change).
    for e in cluster.events().iter() {
        // Most Events are already recorded: skip them before building anything.
        if !catalog.events.wants(&e.meta.uid, e.last_ns.or(e.first_ns), e.count) {
            continue;
        }
        let first_ns = e.first_ns.unwrap_or(now_ns);
        let record = EventRecord {
            uid: e.meta.uid.to_string(),
            first_ns,
            last_ns: e.last_ns.unwrap_or(first_ns).max(first_ns),
            count: e.count,
            event_type: opt(e.event_type.as_deref()),
            reason: opt(e.reason.as_deref()),
            message: opt(e.message.as_deref()),
            source: opt(e.source.as_deref()),
            object: InvolvedMeta {
                kind: e.involved.kind.to_string(),
                namespace: e.involved.namespace.as_deref().map(str::to_string),
                name: e.involved.name.to_string(),
                uid: e.involved.uid.as_deref().map(str::to_string),
            },
        };
        catalog.events.upsert(record);
    }

    // Gone from the cluster since this run saw them: deleted now.
    let gone: Vec<String> = seen.0.iter().filter(|k| !present.contains(*k)).cloned().collect();
    for key in gone {
        seen.0.remove(&key);
        let Some((kind, id)) = key.split_once('/') else { continue };
        let mark = |l: &mut Lifetime| {
            let fresh = l.deleted_ns.is_none();
            l.deleted_ns.get_or_insert(now_ns);
            fresh
        };
        let deleted = match kind {
            "Namespace" => catalog.namespaces.get_mut(id).and_then(|o| mark(&mut o.lifetime).then(|| ("Namespace".to_string(), o.uid.clone(), None, o.name.clone()))),
            "Node" => catalog.nodes.get_mut(id).and_then(|o| mark(&mut o.lifetime).then(|| ("Node".to_string(), o.uid.clone(), None, o.name.clone()))),
            "Service" => catalog.services.get_mut(id).and_then(|o| mark(&mut o.lifetime).then(|| ("Service".to_string(), o.uid.clone(), Some(o.namespace.clone()), o.name.clone()))),
            "Workload" => catalog.workloads.get_mut(id).and_then(|o| mark(&mut o.lifetime).then(|| (o.kind.clone(), o.uid.clone(), Some(o.namespace.clone()), o.name.clone()))),
            "Pod" => catalog.pods.get_mut(id).and_then(|o| mark(&mut o.lifetime).then(|| ("Pod".to_string(), o.uid.clone(), Some(o.namespace.clone()), o.name.clone()))),
            _ => None,
        };
        if let Some((kind, uid, namespace, name)) = deleted {
            catalog.touch();
            log(catalog, &Ident { kind: &kind, uid: &uid, namespace: namespace.as_deref(), name: &name }, now_ns, ChangeKind::Deleted);
        }
    }
    seen.0.extend(present);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_timestamps_are_read_as_the_api_writes_them() {
        assert_eq!(rfc3339_ns("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_ns("2026-12-05T10:00:00Z"), Some(1_796_464_800 * 1_000_000_000));
        assert_eq!(rfc3339_ns("2026-12-05T10:00:00.5Z"), Some(1_796_464_800 * 1_000_000_000 + 500_000_000));
        assert_eq!(rfc3339_ns("2026-12-05T12:00:00+02:00"), rfc3339_ns("2026-12-05T10:00:00Z"));
        assert_eq!(rfc3339_ns("2000-02-29T00:00:00Z"), Some(951_782_400 * 1_000_000_000));
        for bad in ["", "yesterday", "2026-13-05T10:00:00Z", "2026-12-05T10:00:00", "2026-12-05T10:00:00.Z"] {
            assert_eq!(rfc3339_ns(bad), None, "{bad}");
        }
    }
}
