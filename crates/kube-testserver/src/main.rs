//! `kinsight-kube-testserver`: the test API server as a process, so kubectl (or kinsight)
//! can be pointed at it by hand. It listens on 127.0.0.1 only, writes a kubeconfig for
//! itself, optionally fills itself with a generated cluster and keeps changing it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use kinsight_kube_testserver::sim::{ClusterShape, Sim};
use kinsight_kube_testserver::{Credentials, Resource, ServerConfig, TestServer};

#[derive(Parser)]
#[command(
    name = "kinsight-kube-testserver",
    about = "A fake Kubernetes API server on 127.0.0.1 for tests and demos."
)]
struct Args {
    /// Serve HTTPS with a generated CA; the kubeconfig then carries a client certificate.
    #[arg(long)]
    tls: bool,
    /// Require this bearer token (the kubeconfig carries it); repeatable.
    #[arg(long)]
    token: Vec<String>,
    /// Write a kubeconfig for this server here.
    #[arg(long)]
    kubeconfig: Option<PathBuf>,
    /// Fill the server with a generated cluster: `demo` (a few pods) or `bench` (10k pods,
    /// 500 nodes, 2k services, 1k deployments).
    #[arg(long, value_parser = ["demo", "bench"])]
    cluster: Option<String>,
    /// Every this many seconds, roll out one of the Deployments (watches then see
    /// ReplicaSets and pods come and go).
    #[arg(long)]
    churn: Option<u64>,
    /// BOOKMARK interval of watches, in seconds.
    #[arg(long, default_value_t = 60)]
    bookmark_seconds: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let config = ServerConfig {
        tls: args.tls,
        anonymous: args.token.is_empty() && !args.tls,
        tokens: args.token.clone(),
        bookmark_interval: Duration::from_secs(args.bookmark_seconds.max(1)),
        ..ServerConfig::default()
    };
    let server = match TestServer::start(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kinsight-kube-testserver: {e}");
            return ExitCode::from(1);
        }
    };
    let shape = match args.cluster.as_deref() {
        Some("bench") => Some(ClusterShape::BENCH),
        Some(_) => Some(ClusterShape::DEMO),
        None => None,
    };
    let mut sim = Sim::new(&server);
    if let Some(shape) = &shape {
        if let Err(e) = sim.populate(shape) {
            eprintln!("kinsight-kube-testserver: generating the cluster: {e}");
            return ExitCode::from(1);
        }
    }
    if let Some(path) = &args.kubeconfig {
        let credentials = if args.tls {
            match server.client_cert("kinsight-admin") {
                Ok(c) => Credentials::ClientCert(c),
                Err(e) => {
                    eprintln!("kinsight-kube-testserver: {e}");
                    return ExitCode::from(1);
                }
            }
        } else if let Some(t) = args.token.first() {
            Credentials::Token(t.clone())
        } else {
            Credentials::Anonymous
        };
        if let Err(e) = std::fs::write(path, server.kubeconfig(credentials)) {
            eprintln!("kinsight-kube-testserver: writing {}: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    println!(
        "kinsight-kube-testserver: serving {} (revision {})",
        server.url(),
        server.revision()
    );
    let deployments = server.objects(Resource::Deployments);
    let nodes: Vec<String> = server
        .objects(Resource::Nodes)
        .iter()
        .filter_map(|n| n.pointer("/metadata/name")?.as_str().map(str::to_string))
        .collect();
    let mut turn = 0usize;
    loop {
        match args.churn {
            Some(secs) if !deployments.is_empty() && !nodes.is_empty() => {
                std::thread::sleep(Duration::from_secs(secs.max(1)));
                let d = &deployments[turn % deployments.len()];
                turn += 1;
                let ns = d
                    .pointer("/metadata/namespace")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default();
                let name = d
                    .pointer("/metadata/name")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default();
                match sim.rollout(ns, name, &nodes) {
                    Ok(()) => println!("rolled out {ns}/{name} (revision {})", server.revision()),
                    Err(e) => eprintln!("kinsight-kube-testserver: rollout of {ns}/{name}: {e}"),
                }
            }
            _ => std::thread::sleep(Duration::from_secs(3600)),
        }
    }
}
