//! The watches feeding the engine: updates applied between event batches without the
//! batches ever waiting, the views built from the result, and one conversion shared with
//! the K8S_E events of captures.

mod common;

use std::time::{Duration, Instant};

use common::*;
use kinsight_analysis::{tree, Collector, K8sIndex};
use kinsight_engine::Engine;
use kinsight_kube::{snapshot, BackgroundWatch, Shape, WatchConfig};
use kinsight_kube_testserver::{Credentials, Fault, On, Resource, TestServer, Verb};
use kinsight_model::Cluster;
use serde_json::json;

#[test]
fn the_event_loop_never_waits_for_the_api_server() {
    let server = TestServer::start(server_config()).unwrap();
    small_cluster(&server);
    // The pod list answers only after 1.5 s: the event loop must keep going meanwhile.
    server.inject(Fault::Hang {
        resource: Resource::Pods,
        on: On::Only(Verb::List),
        duration: Duration::from_millis(1500),
        times: 1,
    });
    let dir = TempDir::new("engine");
    let config = WatchConfig {
        request_timeout: Duration::from_secs(5),
        ..watch_config()
    };
    let (_watch, mut rx) = BackgroundWatch::start(
        kubeconfig(&server, &dir, Credentials::Anonymous),
        Shape::Hub,
        config,
    )
    .unwrap();

    let mut engine = Engine::new();
    let started = Instant::now();
    let (mut batches, mut slowest) = (0u32, Duration::ZERO);
    let mut batches_before_pods = None;
    while started.elapsed() < Duration::from_secs(10) {
        // One event batch's worth of work...
        std::thread::sleep(Duration::from_millis(1));
        batches += 1;
        // ...then the model updates that arrived meanwhile.
        let t = Instant::now();
        rx.apply_pending(&mut engine.cluster);
        slowest = slowest.max(t.elapsed());
        if batches_before_pods.is_none() && !engine.cluster.pods().is_empty() {
            batches_before_pods = Some(batches);
        }
        if rx.is_synced() && snapshot(&engine.cluster) == expected(&server) {
            break;
        }
    }
    assert_eq!(
        snapshot(&engine.cluster),
        expected(&server),
        "synced within 10 s"
    );
    let before = batches_before_pods.expect("pods arrived");
    assert!(
        before > 100,
        "batches kept running while the pod list hung: only {before}"
    );
    assert!(
        slowest < Duration::from_millis(100),
        "apply_pending took {slowest:?}"
    );

    // The views see the live model.
    let index = K8sIndex::build(&engine);
    let logical = tree::logical(&Collector::new(), &engine, &index);
    let shop = logical.find("namespace", "shop").expect("namespace shop");
    let web = shop
        .find("deployment", "web")
        .expect("deployment web under shop");
    assert_eq!(web.children.len(), 1, "one replicaset");
    assert_eq!(web.children[0].children.len(), 3, "three pods");
    let physical = tree::physical(&Collector::new(), &engine, &index);
    assert!(physical
        .find("node", "node-1")
        .is_some_and(|n| !n.children.is_empty()));
}

#[tokio::test]
async fn capture_events_and_the_watcher_share_one_conversion() {
    let server = TestServer::start(server_config()).unwrap();
    small_cluster(&server);
    let dir = TempDir::new("oneconv");
    let (_watch, _rx, live) = synced_hub(&server, &dir, watch_config()).await;

    // The same objects as a capture would carry them in K8S_E events.
    let mut replayed = Cluster::new();
    for r in served_kinds() {
        for object in server.objects(r) {
            let event = json!({"type": "ADDED", "object": object}).to_string();
            replayed.apply_capture_event(&event).unwrap();
        }
    }
    assert_eq!(snapshot(&replayed), snapshot(&live));
}
