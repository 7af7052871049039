//! Connecting as kubectl does: client certificates over TLS, bearer tokens, exec plugins,
//! contexts; and clear errors for kubeconfigs that cannot work.

mod common;

use std::time::Duration;

use common::*;
use kinsight_kube::{ConnectError, ConnectOptions, KubeWatch, Shape, SyncError};
use kinsight_kube_testserver::sim::Sim;
use kinsight_kube_testserver::{kubeconfig as kc, Credentials, ServerConfig, TestServer};
use kinsight_model::Cluster;

fn locked_down(tls: bool, tokens: &[&str]) -> TestServer {
    let server = TestServer::start(ServerConfig {
        tls,
        anonymous: false,
        tokens: tokens.iter().map(|t| t.to_string()).collect(),
        ..server_config()
    })
    .unwrap();
    let mut sim = Sim::new(&server);
    sim.node("node-0").unwrap();
    sim.namespace("shop").unwrap();
    sim.deployment("shop", "web", 2, &node_names(1)).unwrap();
    server
}

async fn sync_with(options: &ConnectOptions, timeout: Duration) -> Result<Cluster, SyncError> {
    let client = kinsight_kube::connect(options).await.expect("connect");
    let (_watch, mut rx) = KubeWatch::spawn(client, &Shape::Hub, watch_config());
    let mut cluster = Cluster::new();
    rx.wait_synced(&mut cluster, timeout).await.map(|_| cluster)
}

#[tokio::test]
async fn client_certificate_over_tls() {
    let server = locked_down(true, &[]);
    assert!(server.url().starts_with("https://127.0.0.1:"));
    let dir = TempDir::new("cert");
    let cert = server.client_cert("kinsight-agent").unwrap();
    let cluster = sync_with(
        &kubeconfig(&server, &dir, Credentials::ClientCert(cert)),
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert_eq!(cluster.pods().len(), 2);
    assert!(server
        .requests()
        .iter()
        .all(|r| r.user.as_deref() == Some("kinsight-agent") && r.status == 200));
}

#[tokio::test]
async fn bearer_token_and_a_wrong_one() {
    let server = locked_down(false, &["s3cret"]);
    let dir = TempDir::new("token");
    let cluster = sync_with(
        &kubeconfig(&server, &dir, Credentials::Token("s3cret".into())),
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert_eq!(cluster.pods().len(), 2);

    let bad = TempDir::new("badtoken");
    let err = sync_with(
        &kubeconfig(&server, &bad, Credentials::Token("wrong".into())),
        Duration::from_secs(2),
    )
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("401") && text.contains("Unauthorized"),
        "{text}"
    );
}

#[tokio::test]
async fn exec_credential_plugin() {
    let server = locked_down(false, &["from-exec"]);
    let dir = TempDir::new("exec");
    let script = dir.path().join("credential-plugin.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"from-exec\"}}'\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let credentials = Credentials::Exec {
        command: script.display().to_string(),
        args: vec![],
    };
    let cluster = sync_with(
        &kubeconfig(&server, &dir, credentials),
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert_eq!(cluster.deployments().len(), 1);
}

#[tokio::test]
async fn context_selects_the_cluster() {
    let (a, b) = (
        TestServer::start(server_config()).unwrap(),
        TestServer::start(server_config()).unwrap(),
    );
    Sim::new(&a).namespace("only-in-a").unwrap();
    Sim::new(&b).namespace("only-in-b").unwrap();
    let dir = TempDir::new("contexts");
    let path = dir.path().join("kubeconfig");
    let contexts = [
        a.context("a", Credentials::Anonymous),
        b.context("b", Credentials::Anonymous),
    ];
    std::fs::write(&path, kc::render(&contexts, "a")).unwrap();

    let current = sync_with(
        &ConnectOptions {
            kubeconfig: Some(path.clone()),
            context: None,
        },
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert!(current.namespaces().by_name(None, "only-in-a").is_some());
    let chosen = sync_with(
        &ConnectOptions {
            kubeconfig: Some(path),
            context: Some("b".into()),
        },
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert!(chosen.namespaces().by_name(None, "only-in-b").is_some());
    assert!(chosen.namespaces().by_name(None, "only-in-a").is_none());
}

async fn connect_error(options: ConnectOptions) -> ConnectError {
    match kinsight_kube::connect(&options).await {
        Ok(_) => panic!("connected with {options:?}"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn unusable_kubeconfigs_say_what_and_where() {
    let dir = TempDir::new("badconfig");
    let missing = dir.path().join("nope.yaml");
    let err = connect_error(ConnectOptions {
        kubeconfig: Some(missing.clone()),
        context: None,
    })
    .await;
    assert!(
        matches!(err, ConnectError::ReadKubeconfig { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );

    let garbage = dir.path().join("garbage.yaml");
    std::fs::write(&garbage, "clusters: [this is: not: a kubeconfig").unwrap();
    let err = connect_error(ConnectOptions {
        kubeconfig: Some(garbage.clone()),
        context: None,
    })
    .await;
    assert!(
        err.to_string().contains(&garbage.display().to_string()),
        "{err}"
    );

    let server = TestServer::start(server_config()).unwrap();
    let options = kubeconfig(&server, &dir, Credentials::Anonymous);
    let err = connect_error(ConnectOptions {
        context: Some("no-such-context".into()),
        ..options
    })
    .await;
    assert!(matches!(err, ConnectError::Kubeconfig { .. }), "{err:?}");
    assert!(err.to_string().contains("no-such-context"), "{err}");
}
