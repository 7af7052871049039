//! Replaying the shared Kubernetes capture through the pipeline: history must hold the
//! capture's own seconds, agree with a plain `Session` pass (what `kinsight read` shows),
//! name the cluster's objects, and tell which end of each connection a process holds.

use kinsight_analysis::{views, Session};
use kinsight_history::{History, HistoryConfig, Side};
use kinsight_monitor::{Pipeline, Shared};
use kinsight_scap::ScapReader;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn k8s_capture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/traces/bencer/k8s_backend_capture.scap")
}

fn replay() -> History {
    let shared = Shared::new(History::new(HistoryConfig::default()));
    let mut pipeline = Pipeline::new(shared.clone());
    let mut reader = ScapReader::open(k8s_capture()).expect("the shared k8s capture");
    while let Some(block) = reader.next_block().expect("the capture is whole") {
        pipeline.apply_block(&block);
    }
    pipeline.finish();
    drop(pipeline);
    std::sync::Arc::try_unwrap(shared).ok().expect("pipeline dropped").history.into_inner().unwrap()
}

fn plain_session() -> Session {
    let mut s = Session::new(None);
    let mut reader = ScapReader::open(k8s_capture()).unwrap();
    while let Some(block) = reader.next_block().unwrap() {
        s.apply_block(&block);
    }
    s
}

#[test]
fn replay_fills_history_by_event_time_and_agrees_with_read() {
    let h = replay();
    let (first, end) = h.data_range().unwrap();
    let secs = (end - first) / 1_000_000_000;
    assert!((13..=15).contains(&secs), "the capture spans about 13 s, history {secs} s");
    assert_eq!(first / 1_000_000_000, 1_481_211_698, "buckets keyed by the capture's own clock (15:41:38 UTC), events without a time left out");
    assert!(h.tiers()[0].len() >= 13, "one 1 s bucket per second of capture");

    // Bytes per container over the whole range equal the containers view of a plain pass.
    let totals = h.series_totals(first, end);
    let mut by_container: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for (id, meta) in h.catalog.all_series().iter().enumerate() {
        if let Some(c) = &meta.key.container {
            let e = by_container.entry(c.clone()).or_default();
            e.0 += totals[id].net_in + totals[id].net_out;
            e.1 += totals[id].file_read + totals[id].file_write;
        }
    }
    let s = plain_session();
    let k8s = s.k8s_index();
    let rows = views::containers(&s.collector, &s.engine, &k8s);
    assert!(rows.len() >= 5, "{} containers had events", rows.len());
    assert!(rows.iter().map(|r| r.net_bytes).sum::<u64>() > 100_000);
    for r in rows {
        let got = by_container.get(&r.id).copied().unwrap_or_default();
        assert_eq!(got, (r.net_bytes, r.file_bytes), "container {} ({})", r.name, r.id);
    }
    // CPU time: the sum of the samples.
    let ticks: u64 = totals.iter().map(|c| c.cpu_ticks as u64).sum();
    let expected: f64 = s.collector.threads.values().map(|t| t.cpu_sum).sum();
    assert_eq!(ticks, expected.round() as u64);
}

#[test]
fn catalog_names_the_cluster() {
    let h = replay();
    let c = &h.catalog;
    assert_eq!(c.local_node, "10.0.2.15");
    let backends: Vec<_> = c.pods.values().filter(|p| p.name.starts_with("backend-")).collect();
    assert_eq!(backends.len(), 3);
    for p in &backends {
        assert_eq!(p.namespace, "critical-app");
        assert_eq!(p.node.as_deref(), Some("10.0.2.15"));
        assert_eq!(p.workload().map(|w| (w.kind.as_str(), w.name.as_str())), Some(("Deployment", "backend")));
        assert!(p.ip.is_some(), "pod IPs map connections to pods");
        assert_eq!(p.services.len(), 1);
    }
    let svc = c.services.values().find(|s| s.name == "backend").unwrap();
    assert_eq!(svc.cluster_ip, Some("10.3.0.214".parse().unwrap()));
    // Containers of pods know their pod and their name in the pod spec.
    let nginx = c.containers.get("730a6f492270").unwrap();
    assert_eq!(nginx.pod_container_name.as_deref(), Some("backend"));
    let pause = c.containers.get("2fbef9108784").unwrap();
    assert_eq!(pause.pod_container_name.as_deref(), Some("POD"));
    assert_eq!(nginx.pod_uid, pause.pod_uid);
}

#[test]
fn connection_views_know_their_side() {
    let h = replay();
    let (first, end) = h.data_range().unwrap();
    let spans = h.cover(first, end);
    let mut views = Vec::new();
    for b in h.buckets(&spans) {
        b.conns.for_each(|k, v| views.push((*k, *v)));
    }
    let name = |id: u32| h.catalog.series(id).unwrap().name.clone();
    // curl in the client pod, to the backend service's cluster IP.
    let curl = views.iter().find(|(k, _)| k.server == "10.3.0.214".parse::<std::net::IpAddr>().unwrap()).unwrap();
    assert_eq!((name(curl.0.observer).as_str(), curl.0.side, curl.0.server_port), ("curl", Side::Client, 80));
    assert_eq!(curl.1.requests, 1, "the GET is on the connection's view");
    // nginx in a backend pod, the same request after DNAT.
    let nginx = views.iter().find(|(k, _)| k.server == "172.17.0.5".parse::<std::net::IpAddr>().unwrap() && k.server_port == 80).unwrap();
    assert_eq!((name(nginx.0.observer).as_str(), nginx.0.side), ("nginx", Side::Server));
    assert_eq!(nginx.1.bytes_in + nginx.1.bytes_out, 952);
    // Host-network processes on one address: etcd serves 4001, the apiserver is its client.
    let etcd: Vec<_> = views.iter().filter(|(k, _)| k.server_port == 4001 && name(k.observer) == "etcd").collect();
    let apiserver: Vec<_> = views.iter().filter(|(k, _)| k.server_port == 4001 && name(k.observer) == "hyperkube").collect();
    assert!(!etcd.is_empty() && !apiserver.is_empty());
    assert!(etcd.iter().all(|(k, _)| k.side == Side::Server), "{etcd:?}");
    assert!(apiserver.iter().all(|(k, _)| k.side == Side::Client), "{apiserver:?}");

    // The HTTP log has both ends of the GET.
    let gets: Vec<_> = h.http.range(first, end).filter(|t| t.url.starts_with("backend.critical-app")).collect();
    assert_eq!(gets.len(), 2);
    assert!(gets.iter().any(|t| t.side == Side::Server && name(t.series) == "nginx" && t.status == 200));
    assert!(gets.iter().any(|t| t.side == Side::Client && name(t.series) == "curl"));
    // Files were counted per process and path.
    let mut files = 0;
    for b in h.buckets(&spans) {
        files += b.files.len();
    }
    assert!(files > 10);
}
