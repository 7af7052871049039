//! Container JSON payloads exactly as recorded in public captures, one per sysdig era.

use std::net::IpAddr;

use kinsight_model::{Cluster, ContainerInfo, ContainerKind};

const VARIANTS: &str = include_str!("data/container_json_variants.jsonl");
const K8S: &str = include_str!("data/k8s_backend_containers.jsonl");

fn parse_all(s: &str) -> Vec<ContainerInfo> {
    s.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| ContainerInfo::from_json(l).unwrap_or_else(|e| panic!("{e}\n{l}")))
        .collect()
}

fn find<'a>(all: &'a [ContainerInfo], id: &str, image: &str) -> &'a ContainerInfo {
    all.iter()
        .find(|c| c.id == id && c.image == image)
        .unwrap_or_else(|| panic!("{id} {image}"))
}

#[test]
fn every_recorded_payload_parses() {
    let all = parse_all(VARIANTS);
    assert_eq!(all.len(), 10);
    assert_eq!(parse_all(K8S).len(), 20);
    assert!(all.iter().all(|c| c.kind == ContainerKind::Docker));
    assert!(all.iter().all(|c| c.id.len() == 12));
}

#[test]
fn minimal_payload_falco_empty_scap() {
    let all = parse_all(VARIANTS);
    let c = find(&all, "ad8301db070e", "nginx:latest");
    assert_eq!(c.name, "mitm_nginx");
    assert_eq!(c.kind.name(), "docker");
    assert_eq!(c.ip, None);
    assert_eq!(c.privileged, None);
    assert!(c.labels.is_empty() && c.mounts.is_empty());
    assert_eq!(c.full_id, None);
}

#[test]
fn ip_without_mounts_falco_open_multiple_files() {
    let all = parse_all(VARIANTS);
    let c = find(&all, "5ea733068030", "sysdig/falco:latest");
    assert_eq!(c.ip, Some("172.17.0.3".parse::<IpAddr>().unwrap()));
}

#[test]
fn mounts_2016_sysdig() {
    let all = parse_all(VARIANTS);
    let c = find(&all, "1b709bd0d100", "mysql:5.7");
    assert_eq!(c.name, "example4_mysql_1");
    assert_eq!(c.privileged, Some(false));
    assert_eq!(c.image_id.len(), 64);
    assert_eq!(c.mounts.len(), 1);
    assert_eq!(c.mounts[0].destination, "/var/lib/mysql");
    assert!(c.mounts[0].rw);
    assert_eq!(c.ip, None, "0.0.0.0");

    let kubelet = parse_all(K8S)
        .into_iter()
        .find(|c| c.name == "k8s-kubelet")
        .unwrap();
    assert_eq!(kubelet.privileged, Some(true));
    assert_eq!(kubelet.mounts[0].mode, "rw,shared");
    assert_eq!(kubelet.mounts[0].propagation, "shared");
}

#[test]
fn resources_labels_and_repo_falco_psp() {
    let all = parse_all(VARIANTS);
    let c = find(&all, "697956520d89", "nginx");
    assert_eq!(c.name, "hopeful_taussig");
    assert_eq!(c.image_repo, "nginx");
    assert_eq!(c.image_tag, "latest");
    assert!(c.image_digest.starts_with("sha256:96fb261b"));
    assert_eq!(c.cpu_shares, Some(1024));
    assert_eq!(c.cpu_period, Some(100000));
    assert_eq!(c.cpu_quota, Some(0));
    assert_eq!(c.memory_limit, Some(0));
    assert_eq!(c.swap_limit, Some(0));
    assert!(!c.is_pod_sandbox);
    assert_eq!(
        c.labels.get("maintainer").map(|v| &**v),
        Some("NGINX Docker Maintainers <docker-maint@nginx.com>")
    );
    assert!(!c.is_incomplete());

    // The first event of the same container, sent while the lookup ran: `"labels": null`.
    let pending = find(&all, "697956520d89", "incomplete");
    assert!(pending.is_incomplete());
    assert!(pending.labels.is_empty());

    let privileged = find(&all, "9dbcbd0c435f", "nginx:latest");
    assert_eq!(privileged.privileged, Some(true));
}

#[test]
fn later_event_replaces_the_incomplete_one() {
    let mut cluster = Cluster::new();
    for line in VARIANTS.lines().filter(|l| l.contains("697956520d89")) {
        cluster.apply_container_json(line).unwrap();
    }
    let c = cluster.container("697956520d89").unwrap();
    assert_eq!(c.name, "hopeful_taussig");
    assert!(cluster.remove_container("697956520d89").is_some());
    assert!(cluster.container("697956520d89").is_none());
}
