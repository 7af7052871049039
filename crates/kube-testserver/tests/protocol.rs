//! The server on the wire: the behaviours of kube-apiserver clients rely on, checked with
//! raw HTTP so that framing and status codes are what is tested, not a client library.

mod common;

use std::time::{Duration, Instant};

use common::{get, open, End};
use kinsight_kube_testserver::sim::Sim;
use kinsight_kube_testserver::{Resource, ServerConfig, TestServer};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(5);
const JSON: (&str, &str) = ("Accept", "application/json");

fn server() -> TestServer {
    TestServer::start(ServerConfig {
        bookmark_interval: Duration::from_millis(100),
        too_large_wait: Duration::from_millis(300),
        ..ServerConfig::default()
    })
    .unwrap()
}

/// Namespace `shop`, node `n1`, and pods `p0`..`p<n-1>` labelled `tier=web`.
fn pods(server: &TestServer, n: usize) {
    let mut sim = Sim::new(server);
    sim.node("n1").unwrap();
    sim.namespace("shop").unwrap();
    for i in 0..n {
        sim.bare_pod("shop", &format!("p{i}"), "n1", &[("tier", "web")])
            .unwrap();
    }
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

fn rv(v: &Value) -> u64 {
    v.as_str()
        .or_else(|| v["metadata"]["resourceVersion"].as_str())
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn list_pages_are_one_consistent_snapshot() {
    let s = server();
    pods(&s, 7);
    let first = get(s.addr(), "/api/v1/namespaces/shop/pods?limit=3", &[JSON]).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("content-type"), Some("application/json"));
    let page = first.json();
    assert_eq!(page["kind"], "PodList");
    assert_eq!(page["apiVersion"], "v1");
    assert_eq!(names(&page), ["p0", "p1", "p2"]);
    assert_eq!(page["metadata"]["remainingItemCount"], 4);
    assert!(
        page["items"][0].get("kind").is_none() && page["items"][0].get("apiVersion").is_none(),
        "list items carry no type"
    );
    let snapshot = rv(&page["metadata"]["resourceVersion"]);

    // Changes between pages do not show in the rest of the list.
    s.modify(Resource::Pods, "shop", "p5", |p| {
        p["metadata"]["labels"]["tier"] = json!("db")
    })
    .unwrap();
    s.delete(Resource::Pods, "shop", "p6").unwrap();
    let mut seen = names(&page);
    let mut token = page["metadata"]["continue"].as_str().unwrap().to_string();
    loop {
        let next = get(
            s.addr(),
            &format!("/api/v1/namespaces/shop/pods?limit=3&continue={token}"),
            &[JSON],
        )
        .await
        .json();
        assert_eq!(rv(&next["metadata"]["resourceVersion"]), snapshot);
        for item in next["items"].as_array().unwrap() {
            if item["metadata"]["name"] == "p5" {
                assert_eq!(
                    item["metadata"]["labels"]["tier"], "web",
                    "p5 as it was at the snapshot"
                );
            }
        }
        seen.extend(names(&next));
        match next["metadata"]["continue"].as_str() {
            Some(t) => token = t.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, ["p0", "p1", "p2", "p3", "p4", "p5", "p6"]);
    let now = get(s.addr(), "/api/v1/pods", &[JSON]).await.json();
    assert_eq!(names(&now).len(), 6);
    assert!(rv(&now["metadata"]["resourceVersion"]) > snapshot);
}

#[tokio::test]
async fn resource_version_semantics_of_lists() {
    let s = server();
    pods(&s, 2);
    let before = s.revision();
    s.modify(Resource::Pods, "shop", "p0", |p| {
        p["metadata"]["labels"]["tier"] = json!("db")
    })
    .unwrap();

    let exact = get(
        s.addr(),
        &format!("/api/v1/pods?resourceVersion={before}&resourceVersionMatch=Exact"),
        &[JSON],
    )
    .await
    .json();
    assert_eq!(
        exact["items"][0]["metadata"]["labels"]["tier"], "web",
        "the past, exactly"
    );
    let newer = get(
        s.addr(),
        &format!("/api/v1/pods?resourceVersion={before}&resourceVersionMatch=NotOlderThan"),
        &[JSON],
    )
    .await
    .json();
    assert_eq!(newer["items"][0]["metadata"]["labels"]["tier"], "db");

    let started = Instant::now();
    let future = get(
        s.addr(),
        &format!(
            "/api/v1/pods?resourceVersion={}&resourceVersionMatch=NotOlderThan",
            before + 100
        ),
        &[JSON],
    )
    .await;
    assert_eq!(future.status, 504);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "waits for the revision first"
    );
    assert!(future.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("Too large resource version"));

    let bad = get(s.addr(), "/api/v1/pods?resourceVersionMatch=Exact", &[JSON]).await;
    assert_eq!(bad.status, 422);
    let both = get(
        s.addr(),
        &format!("/api/v1/pods?continue=abc&resourceVersion={before}"),
        &[JSON],
    )
    .await;
    assert_eq!(both.status, 400);

    // Compaction makes old revisions and continue tokens Gone.
    let page = get(s.addr(), "/api/v1/pods?limit=1", &[JSON]).await.json();
    let token = page["metadata"]["continue"].as_str().unwrap().to_string();
    s.modify(Resource::Pods, "shop", "p1", |p| {
        p["metadata"]["labels"]["x"] = json!("y")
    })
    .unwrap();
    s.compact();
    let expired = get(
        s.addr(),
        &format!("/api/v1/pods?limit=1&continue={token}"),
        &[JSON],
    )
    .await;
    assert_eq!(expired.status, 410);
    assert_eq!(expired.json()["reason"], "Expired");
    assert!(
        expired.json()["metadata"]["continue"].is_string(),
        "an inconsistent continuation is offered"
    );
    let old = get(
        s.addr(),
        &format!("/api/v1/pods?resourceVersion={before}&resourceVersionMatch=Exact"),
        &[JSON],
    )
    .await;
    assert_eq!(old.status, 410);
    assert_eq!(old.json()["code"], 410);
}

#[tokio::test]
async fn watch_streams_changes_then_bookmarks_then_gone() {
    let s = server();
    pods(&s, 2);
    let (status, headers, mut w) = open(
        s.addr(),
        "/api/v1/namespaces/shop/pods?watch=true&allowWatchBookmarks=true",
        &[JSON],
    )
    .await;
    assert_eq!(status, 200);
    assert!(headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v == "chunked"));
    // No resourceVersion: the current state first, as ADDED events.
    for name in ["p0", "p1"] {
        let e = w.next_event(WAIT).await.unwrap();
        assert_eq!(
            (e["type"].as_str(), e["object"]["metadata"]["name"].as_str()),
            (Some("ADDED"), Some(name))
        );
        assert_eq!(e["object"]["kind"], "Pod", "watch objects carry their type");
    }
    let modified = s
        .modify(Resource::Pods, "shop", "p0", |p| {
            p["metadata"]["labels"]["v"] = json!("2")
        })
        .unwrap();
    let e = w.until("MODIFIED", WAIT).await;
    assert_eq!(rv(&e["object"]), rv(&modified));
    s.delete(Resource::Pods, "shop", "p1").unwrap();
    let e = w.until("DELETED", WAIT).await;
    assert_eq!(
        rv(&e["object"]),
        s.revision(),
        "a deletion carries the revision that deleted"
    );

    let b = w.until("BOOKMARK", WAIT).await;
    assert_eq!(b["object"]["kind"], "Pod");
    assert_eq!(rv(&b["object"]), s.revision());
    assert!(b["object"].get("spec").is_none() && b["object"]["metadata"].get("name").is_none());

    s.expire_watches();
    let e = w.until("ERROR", WAIT).await;
    assert_eq!(e["object"]["kind"], "Status");
    assert_eq!(e["object"]["code"], 410);
    assert_eq!(e["object"]["reason"], "Expired");
    assert_eq!(w.next_event(WAIT).await.unwrap_err(), End::Clean);

    // Resuming from before the compaction: 200, then the 410 as an event.
    let (status, _, mut w) = open(
        s.addr(),
        &format!("/api/v1/pods?watch=1&resourceVersion={}", rv(&modified)),
        &[JSON],
    )
    .await;
    assert_eq!(status, 200);
    let e = w.next_event(WAIT).await.unwrap();
    assert_eq!(
        (e["type"].as_str(), e["object"]["code"].as_i64()),
        (Some("ERROR"), Some(410))
    );
}

#[tokio::test]
async fn watch_from_a_resource_version_sends_only_later_changes() {
    let s = server();
    pods(&s, 2);
    let from = s.revision();
    let (_, _, mut w) = open(
        s.addr(),
        &format!("/api/v1/pods?watch=true&resourceVersion={from}"),
        &[JSON],
    )
    .await;
    s.modify(Resource::Pods, "shop", "p1", |p| {
        p["metadata"]["labels"]["v"] = json!("2")
    })
    .unwrap();
    let e = w.next_event(WAIT).await.unwrap();
    assert_eq!(
        (e["type"].as_str(), e["object"]["metadata"]["name"].as_str()),
        (Some("MODIFIED"), Some("p1"))
    );
}

#[tokio::test]
async fn selectors_turn_changes_into_added_and_deleted() {
    let s = server();
    pods(&s, 2);
    let (_, _, mut w) = open(
        s.addr(),
        &format!(
            "/api/v1/pods?watch=true&labelSelector=tier%3Dweb&resourceVersion={}",
            s.revision()
        ),
        &[JSON],
    )
    .await;
    s.modify(Resource::Pods, "shop", "p0", |p| {
        p["metadata"]["labels"]["tier"] = json!("db")
    })
    .unwrap();
    let e = w.next_event(WAIT).await.unwrap();
    assert_eq!(
        (e["type"].as_str(), e["object"]["metadata"]["name"].as_str()),
        (Some("DELETED"), Some("p0"))
    );
    assert_eq!(
        e["object"]["metadata"]["labels"]["tier"], "web",
        "the last state that matched"
    );
    assert_eq!(rv(&e["object"]), s.revision());
    s.modify(Resource::Pods, "shop", "p0", |p| {
        p["metadata"]["labels"]["tier"] = json!("web")
    })
    .unwrap();
    assert_eq!(w.next_event(WAIT).await.unwrap()["type"], "ADDED");

    let on_node = get(
        s.addr(),
        "/api/v1/pods?fieldSelector=spec.nodeName%3Dn1",
        &[JSON],
    )
    .await
    .json();
    assert_eq!(names(&on_node).len(), 2);
    let elsewhere = get(
        s.addr(),
        "/api/v1/pods?fieldSelector=spec.nodeName%3Dn2",
        &[JSON],
    )
    .await
    .json();
    assert!(names(&elsewhere).is_empty());
    let bad = get(
        s.addr(),
        "/api/v1/services?fieldSelector=spec.nodeName%3Dn1",
        &[JSON],
    )
    .await;
    assert_eq!(
        (bad.status, bad.json()["message"].as_str()),
        (400, Some("field label not supported: spec.nodeName"))
    );
}

#[tokio::test]
async fn timeouts_end_watches_cleanly_and_dropped_connections_cut_them() {
    let s = server();
    pods(&s, 1);
    let started = Instant::now();
    let (_, _, mut w) = open(
        s.addr(),
        &format!(
            "/api/v1/pods?watch=true&timeoutSeconds=1&resourceVersion={}",
            s.revision()
        ),
        &[JSON],
    )
    .await;
    assert_eq!(w.next_event(WAIT).await.unwrap_err(), End::Clean);
    assert!(started.elapsed() >= Duration::from_secs(1));

    let (_, _, mut w) = open(
        s.addr(),
        &format!("/api/v1/pods?watch=true&resourceVersion={}", s.revision()),
        &[JSON],
    )
    .await;
    assert_eq!(
        w.next_event(Duration::from_millis(200)).await.unwrap_err(),
        End::Silent
    );
    s.drop_connections();
    assert_eq!(w.next_event(WAIT).await.unwrap_err(), End::Cut);
}

#[tokio::test]
async fn send_initial_events_ends_with_the_annotated_bookmark() {
    let s = server();
    pods(&s, 2);
    let target = "/api/v1/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true";
    let (_, _, mut w) = open(s.addr(), target, &[JSON]).await;
    assert_eq!(w.next_event(WAIT).await.unwrap()["type"], "ADDED");
    assert_eq!(w.next_event(WAIT).await.unwrap()["type"], "ADDED");
    let b = w.next_event(WAIT).await.unwrap();
    assert_eq!(b["type"], "BOOKMARK");
    assert_eq!(
        b["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
    let refused = get(
        s.addr(),
        "/api/v1/pods?watch=true&sendInitialEvents=true",
        &[JSON],
    )
    .await;
    assert_eq!(refused.status, 422);
}

#[tokio::test]
async fn metadata_table_and_unacceptable_representations() {
    let s = server();
    pods(&s, 1);
    let meta = get(
        s.addr(),
        "/api/v1/pods",
        &[(
            "Accept",
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
        )],
    )
    .await
    .json();
    assert_eq!(meta["kind"], "PartialObjectMetadataList");
    assert_eq!(meta["items"][0]["kind"], "PartialObjectMetadata");
    assert!(meta["items"][0].get("spec").is_none());
    assert!(meta["items"][0]["metadata"]["uid"].is_string());

    let table = get(
        s.addr(),
        "/api/v1/pods",
        &[(
            "Accept",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
        )],
    )
    .await
    .json();
    assert_eq!(table["kind"], "Table");
    let columns: Vec<&str> = table["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(columns, ["Name", "Ready", "Status", "Restarts", "Age"]);
    assert_eq!(table["rows"][0]["cells"][1], "2/2");
    assert_eq!(table["rows"][0]["object"]["kind"], "PartialObjectMetadata");

    let protobuf = get(
        s.addr(),
        "/api/v1/pods",
        &[("Accept", "application/vnd.kubernetes.protobuf")],
    )
    .await;
    assert_eq!(protobuf.status, 406);
    let fallback = get(
        s.addr(),
        "/api/v1/pods",
        &[(
            "Accept",
            "application/vnd.kubernetes.protobuf, application/json",
        )],
    )
    .await;
    assert_eq!(
        (fallback.status, fallback.json()["kind"].as_str()),
        (200, Some("PodList"))
    );
}

#[tokio::test]
async fn authentication_authorization_and_not_found() {
    let s = TestServer::start(ServerConfig {
        anonymous: false,
        tokens: vec!["t0ken".into()],
        ..ServerConfig::default()
    })
    .unwrap();
    pods(&s, 1);
    let anonymous = get(s.addr(), "/api/v1/pods", &[JSON]).await;
    assert_eq!(
        (anonymous.status, anonymous.json()["reason"].as_str()),
        (401, Some("Unauthorized"))
    );
    let auth = ("Authorization", "Bearer t0ken");
    assert_eq!(
        get(s.addr(), "/api/v1/pods", &[JSON, auth]).await.status,
        200
    );

    s.forbid(Resource::Pods);
    let forbidden = get(s.addr(), "/api/v1/namespaces/shop/pods", &[JSON, auth]).await;
    assert_eq!(forbidden.status, 403);
    assert_eq!(
        forbidden.json()["message"],
        "pods is forbidden: User \"token-user\" cannot list resource \"pods\" in API group \"\" in the namespace \"shop\""
    );
    let missing = get(
        s.addr(),
        "/apis/apps/v1/namespaces/shop/deployments/nope",
        &[JSON, auth],
    )
    .await;
    assert_eq!(
        (missing.status, missing.json()["message"].as_str()),
        (404, Some("deployments.apps \"nope\" not found"))
    );
    assert_eq!(
        get(s.addr(), "/api/v1/nothing", &[JSON, auth]).await.status,
        404
    );
}

#[tokio::test]
async fn discovery_publishes_the_served_resources() {
    let s = server();
    let core = get(s.addr(), "/api", &[JSON]).await.json();
    assert_eq!(core["versions"], json!(["v1"]));
    let groups = get(s.addr(), "/apis", &[JSON]).await.json();
    let names: Vec<&str> = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["apps", "batch", "discovery.k8s.io"]);
    let apps = get(s.addr(), "/apis/apps/v1", &[JSON]).await.json();
    let deploy = apps["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "deployments")
        .unwrap();
    assert_eq!(deploy["kind"], "Deployment");
    assert_eq!(deploy["namespaced"], true);
    assert!(deploy["verbs"]
        .as_array()
        .unwrap()
        .contains(&json!("watch")));
    assert_eq!(
        get(s.addr(), "/version", &[JSON]).await.json()["major"],
        "1"
    );
}

#[tokio::test]
async fn a_restart_closes_the_port_keeps_the_data_and_forgets_the_watch_cache() {
    let s = server();
    pods(&s, 2);
    let before = s.revision();
    s.go_down();
    assert!(
        tokio::net::TcpStream::connect(s.addr()).await.is_err(),
        "the port is closed while down"
    );
    s.delete(Resource::Pods, "shop", "p0").unwrap();
    s.come_back().unwrap();
    let list = get(s.addr(), "/api/v1/pods", &[JSON]).await.json();
    assert_eq!(names(&list), ["p1"]);
    let (_, _, mut w) = open(
        s.addr(),
        &format!("/api/v1/pods?watch=true&resourceVersion={before}"),
        &[JSON],
    )
    .await;
    assert_eq!(w.next_event(WAIT).await.unwrap()["object"]["code"], 410);
}
