//! The `kinsight` binary: parses the command line and wires the crates together. Nothing
//! else lives here: reading is kinsight-scap, state is kinsight-engine, what is shown is
//! kinsight-analysis. Each subcommand has a module of its own (`read_cmd`, ...).

mod capture_cmd;
mod capture_kube;
mod k8s_cmd;
mod live_cmd;
mod output;
mod read_cmd;
mod top_cmd;
mod up_cmd;

use clap::{Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "kinsight", version, about = "See inside Kubernetes from system calls: processes, files, connections and HTTP, by node, pod, workload and service.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read a sysdig capture (.scap, plain or gzip) and show a view or a hierarchy.
    Read(read_cmd::ReadArgs),
    /// Show the views for this machine, live: eBPF events when the kernel allows it, else
    /// /proc and cgroups only (needs root).
    Live(live_cmd::LiveArgs),
    /// Write what happens on this machine to a scap capture that sysdig and `kinsight read`
    /// read (needs root and eBPF).
    Capture(capture_cmd::CaptureArgs),
    /// Serve the web UI, the HTTP API and Prometheus /metrics on 127.0.0.1:7070, over this
    /// host and the Kubernetes API it can reach, or over a capture (--replay FILE.scap).
    Up(up_cmd::UpArgs),
    /// Run on every node of a cluster (the DaemonSet in deploy/): this host's events and
    /// the pods of this node, served on 0.0.0.0:7070 with a token.
    Agent(up_cmd::AgentArgs),
    /// Run once per cluster (the Deployment in deploy/): the whole Kubernetes API, served on
    /// 0.0.0.0:7070 with a token.
    Hub(up_cmd::HubArgs),
    /// Show the kubernetes_* views or a hierarchy of a live cluster, from its API server
    /// (kubeconfig or in-cluster service account; metric columns are zero).
    K8s(k8s_cmd::K8sArgs),
    /// A full-screen terminal UI (csysdig's views, both hierarchies, drill-down, filters)
    /// over this host live, a capture (--replay FILE) or a running server (--connect URL).
    Top(top_cmd::TopArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
#[value(rename_all = "snake_case")]
pub enum View {
    Containers,
    Procs,
    Connections,
    KubernetesPods,
    KubernetesServices,
    KubernetesDeployments,
    KubernetesReplicasets,
    KubernetesNamespaces,
    KubernetesControllers,
    Httplog,
    /// Requests of every protocol (HTTP/1, HTTP/2, gRPC, DNS, PostgreSQL, MySQL, Redis); a filter on
    /// `req.*` fields selects requests.
    Requests,
    /// Every event that passes the filter, one line each, as they are read.
    Events,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum TreeKind {
    Physical,
    Logical,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Read(args) => read_cmd::run(args),
        Command::Live(args) => live_cmd::run(args),
        Command::Capture(args) => capture_cmd::run(args),
        Command::Up(args) => up_cmd::run(args),
        Command::Agent(args) => up_cmd::run_agent(args),
        Command::Hub(args) => up_cmd::run_hub(args),
        Command::K8s(args) => k8s_cmd::run(args),
        Command::Top(args) => top_cmd::run(args),
    }
}

