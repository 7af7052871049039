//! `kinsight up`, `kinsight agent` and `kinsight hub`: the web UI, the HTTP API and
//! /metrics over live monitoring (this host's system calls and the Kubernetes API), or over
//! a capture with `up --replay FILE.scap`. The work is kinsight-server's; this module turns
//! the command line into its options and prints where to look.
//!
//! The three differ only in what they watch and where they listen: `up` is for a person on
//! one machine (this host, and the cluster of the kubeconfig if there is one; loopback);
//! `agent` runs on every node of a cluster (this host, and only the pods scheduled on its
//! node); `hub` runs once per cluster (the whole API, no host capture). The last two
//! listen on all interfaces and so need a token.

use clap::{Args, Parser, ValueEnum};
use kinsight_kube::{ConnectOptions, Shape};
use kinsight_live::Mode;
use kinsight_remote_write::{Auth, WriterConfig};
use kinsight_server::cluster::StoreOptions;
use kinsight_server::push::RemoteWriteOptions;
use kinsight_server::{detect_kubernetes, start, ui_built, KubeAccess, KubeTarget, LiveConfig, UpOptions};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// How this host's events are taken.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Capture {
    /// eBPF, every traced system call (files, network, HTTP); /proc when BPF is missing.
    Full,
    /// /proc and cgroups only: processes, containers, CPU and memory.
    Proc,
    /// Do not watch this host.
    None,
}

/// A line on stdout that does not abort the server when nobody reads it any more (a closed
/// pipe, `kinsight up | head -1`).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Options the three commands share.
#[derive(Args, Debug)]
pub struct Common {
    /// Address to serve the UI, API and /metrics on. Anything but loopback needs a token.
    /// Default: 127.0.0.1:7070 for `up`, 0.0.0.0:7070 for `agent` and `hub`.
    #[arg(long)]
    bind: Option<SocketAddr>,
    /// Token every API and /metrics request must carry ('Authorization: Bearer TOKEN').
    /// Defaults to $KINSIGHT_TOKEN.
    #[arg(long)]
    token: Option<String>,
    /// Where history is kept across restarts. Defaults to $XDG_STATE_HOME/kinsight, else
    /// ~/.local/state/kinsight.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Upper bound on the memory history may use, in MiB.
    #[arg(long, default_value_t = 1024, value_name = "MIB")]
    max_memory: usize,
    /// Seconds between snapshots of history to the data directory.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    snapshot_every: u64,
    /// Bytes of each I/O buffer captured (HTTP decoding needs the request line).
    #[arg(long, default_value_t = 80)]
    snaplen: u32,
    /// The kubeconfig file (default: $KUBECONFIG or ~/.kube/config, else the in-cluster
    /// service account).
    #[arg(long)]
    kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use (default: the current context).
    #[arg(long)]
    context: Option<String>,
    /// Send the series of /metrics to a Prometheus-compatible store with remote write:
    /// VictoriaMetrics http://HOST:8428/api/v1/write, Prometheus (--web.enable-remote-write-receiver)
    /// http://HOST:9090/api/v1/write, Mimir .../api/v1/push, Thanos receive .../api/v1/receive.
    #[arg(long, value_name = "URL")]
    remote_write: Option<String>,
    /// Bearer token for the store (default: $KINSIGHT_REMOTE_WRITE_TOKEN).
    #[arg(long, value_name = "TOKEN")]
    remote_write_token: Option<String>,
    /// Basic-auth user for the store; the password is $KINSIGHT_REMOTE_WRITE_PASSWORD.
    #[arg(long, value_name = "USER")]
    remote_write_user: Option<String>,
    /// Seconds between two rounds of samples sent to the store.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    remote_write_interval: u64,
    /// Samples kept while the store is unreachable (the oldest are dropped, and counted, past it).
    #[arg(long, default_value_t = 300_000, value_name = "SAMPLES")]
    remote_write_queue: usize,
    /// The URL the hub reaches this server at for drill-downs, written to the store with
    /// remote write (default: http://$POD_IP:PORT in a pod, else the --bind address unless
    /// it is 0.0.0.0).
    #[arg(long, value_name = "URL")]
    advertise: Option<String>,
}

#[derive(Parser, Debug)]
pub struct UpArgs {
    /// Serve this capture (.scap, plain or gzip) instead of watching this host, as
    /// sysdig-inspect does. Its events fill history at their own times.
    #[arg(long, value_name = "FILE")]
    replay: Option<PathBuf>,
    /// How this host's events are taken.
    #[arg(long, value_enum, default_value = "full")]
    capture: Capture,
    /// Do not watch a Kubernetes API even when credentials are found.
    #[arg(long)]
    no_kubernetes: bool,
    /// Watch the Kubernetes API as the agent of this node does (only its pods).
    #[arg(long)]
    node: Option<String>,
    #[command(flatten)]
    common: Common,
}

#[derive(Parser, Debug)]
pub struct AgentArgs {
    /// The node this agent runs on: only its pods are watched (default: $NODE_NAME, which
    /// the DaemonSet sets from spec.nodeName).
    #[arg(long)]
    node: Option<String>,
    /// How this host's events are taken.
    #[arg(long, value_enum, default_value = "full")]
    capture: Capture,
    #[command(flatten)]
    common: Common,
}

#[derive(Parser, Debug)]
pub struct HubArgs {
    /// The Prometheus-compatible store the agents write to, read back with PromQL: the
    /// cluster's counters and history come from it. VictoriaMetrics http://HOST:8428,
    /// Prometheus http://HOST:9090, VictoriaMetrics cluster http://vmselect:8481/select/0/prometheus,
    /// Mimir http://HOST/prometheus. Without it the hub serves the cluster's objects only.
    #[arg(long, value_name = "URL")]
    store: Option<String>,
    /// Bearer token for the store's queries (default: $KINSIGHT_STORE_TOKEN).
    #[arg(long, value_name = "TOKEN")]
    store_token: Option<String>,
    /// Basic-auth user for the store's queries; the password is $KINSIGHT_STORE_PASSWORD.
    #[arg(long, value_name = "USER")]
    store_user: Option<String>,
    /// Seconds a query to the store may take before the page says the store failed.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    store_timeout: u64,
    /// Seconds without a sample from a node's agent before the node is shown as stale
    /// (three of the agents' remote-write intervals is a good value).
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    stale_after: u64,
    /// The agents' API token, for drill-downs into processes' connections, files and HTTP
    /// transactions, which the hub asks of the agents (default: $KINSIGHT_AGENT_TOKEN,
    /// else the hub's own token, as in deploy/ where both come from one Secret).
    #[arg(long, value_name = "TOKEN")]
    agent_token: Option<String>,
    /// Seconds a drill-down waits for an agent before naming it as not answering.
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    agent_timeout: u64,
    #[command(flatten)]
    common: Common,
}

fn default_data_dir() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()).map(PathBuf::from);
    let state = state.or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("kinsight"))
}

fn capture_mode(c: Capture) -> Option<Mode> {
    match c {
        Capture::Full => Some(Mode::Full),
        Capture::Proc => Some(Mode::ProcOnly),
        Capture::None => None,
    }
}

/// The Kubernetes API to watch: the one named on the command line, else the one kubectl
/// would find, else none (and why).
fn kube_target(common: &Common, shape: Shape, env: impl Fn(&str) -> Option<String>) -> (Option<KubeTarget>, String) {
    kube_target_of(common.kubeconfig.clone(), common.context.clone(), shape, env)
}

/// [`kube_target`] for commands that take only `--kubeconfig` and `--context` (`top`).
pub(crate) fn kube_target_of(kubeconfig: Option<PathBuf>, context: Option<String>, shape: Shape, env: impl Fn(&str) -> Option<String>) -> (Option<KubeTarget>, String) {
    let connect = ConnectOptions { kubeconfig, context };
    if connect.kubeconfig.is_some() {
        return (Some(KubeTarget { connect, shape }), String::new());
    }
    let kubeconfig = match detect_kubernetes(env) {
        KubeAccess::Kubeconfig(p) => Some(p),
        KubeAccess::InCluster => None,
        KubeAccess::None => return (None, "no kubeconfig ($KUBECONFIG, ~/.kube/config) or in-cluster service account found".into()),
    };
    (Some(KubeTarget { connect: ConnectOptions { kubeconfig, ..connect }, shape }), String::new())
}

fn base_options(common: Common, default_bind: &str) -> UpOptions {
    let mut opts = UpOptions::new(common.bind.unwrap_or_else(|| default_bind.parse().expect("a valid default address")));
    opts.token = common.token.clone().or_else(|| std::env::var("KINSIGHT_TOKEN").ok());
    opts.data_dir = common.data_dir.clone().or_else(default_data_dir);
    opts.history.max_bytes = common.max_memory.max(16) << 20;
    opts.snapshot_every = Duration::from_secs(common.snapshot_every.max(1));
    opts.handle_signals = true;
    opts.advertise = common.advertise.clone();
    opts.remote_write = common.remote_write.as_ref().map(|url| {
        let mut writer = WriterConfig::new(url.clone());
        let token = common.remote_write_token.clone().or_else(|| env_var("KINSIGHT_REMOTE_WRITE_TOKEN"));
        writer.auth = match (&common.remote_write_user, token) {
            (Some(user), _) => Auth::Basic { user: user.clone(), password: env_var("KINSIGHT_REMOTE_WRITE_PASSWORD").unwrap_or_default() },
            (None, Some(t)) => Auth::Bearer(t),
            (None, None) => Auth::None,
        };
        writer.max_queued_samples = common.remote_write_queue.max(1);
        RemoteWriteOptions { writer, interval: Duration::from_secs(common.remote_write_interval.max(1)) }
    });
    opts
}

/// A remote-write URL must be one the writer can send to.
fn check_remote_write(opts: &UpOptions) -> Result<(), String> {
    let Some(rw) = &opts.remote_write else { return Ok(()) };
    let url = &rw.writer.url;
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.split("//").nth(1).is_none_or(|rest| rest.is_empty() || rest.starts_with('/')) {
        return Err(format!("--remote-write {url:?}: expected http://HOST[:PORT]/PATH or https://..., e.g. http://victoria-metrics:8428/api/v1/write"));
    }
    Ok(())
}

pub(crate) fn env_var(k: &str) -> Option<String> {
    std::env::var(k).ok()
}

fn options(args: UpArgs) -> UpOptions {
    let shape = match &args.node {
        Some(node) => Shape::Agent { node: node.clone() },
        None => Shape::Hub,
    };
    let (kubernetes, absent) = if args.no_kubernetes { (None, "--no-kubernetes".to_string()) } else { kube_target(&args.common, shape, env_var) };
    let snaplen = args.common.snaplen;
    let mut opts = base_options(args.common, "127.0.0.1:7070");
    if args.replay.is_some() {
        opts.data_dir = None;
    }
    opts.replay = args.replay;
    opts.live = LiveConfig { capture: capture_mode(args.capture), snaplen, kubernetes, kubernetes_absent: absent };
    opts
}

fn agent_options(args: AgentArgs) -> Result<UpOptions, String> {
    let node = args.node.or_else(|| env_var("NODE_NAME")).filter(|n| !n.is_empty()).ok_or("the agent needs its node's name: --node NAME or $NODE_NAME")?;
    let (kubernetes, absent) = kube_target(&args.common, Shape::Agent { node }, env_var);
    let snaplen = args.common.snaplen;
    let mut opts = base_options(args.common, "0.0.0.0:7070");
    opts.live = LiveConfig { capture: capture_mode(args.capture), snaplen, kubernetes, kubernetes_absent: absent };
    Ok(opts)
}

fn hub_options(args: HubArgs) -> UpOptions {
    let (kubernetes, absent) = kube_target(&args.common, Shape::Hub, env_var);
    let snaplen = args.common.snaplen;
    let mut opts = base_options(args.common, "0.0.0.0:7070");
    opts.live = LiveConfig { capture: None, snaplen, kubernetes, kubernetes_absent: absent };
    let hub_token = opts.token.clone();
    opts.store = args.store.map(|url| {
        let token = args.store_token.or_else(|| env_var("KINSIGHT_STORE_TOKEN"));
        let auth = match (args.store_user, token) {
            (Some(user), _) => Auth::Basic { user, password: env_var("KINSIGHT_STORE_PASSWORD").unwrap_or_default() },
            (None, Some(t)) => Auth::Bearer(t),
            (None, None) => Auth::None,
        };
        StoreOptions {
            url,
            auth,
            timeout: Duration::from_secs(args.store_timeout.max(1)),
            stale_after: Duration::from_secs(args.stale_after.max(1)),
            agent_token: args.agent_token.clone().or_else(|| env_var("KINSIGHT_AGENT_TOKEN")).or_else(|| hub_token.clone()),
            agent_timeout: Duration::from_secs(args.agent_timeout.max(1)),
        }
    });
    opts
}

pub fn run(args: UpArgs) -> ExitCode {
    serve(options(args))
}

pub fn run_agent(args: AgentArgs) -> ExitCode {
    match agent_options(args) {
        Ok(opts) => serve(opts),
        Err(e) => {
            eprintln!("kinsight: {e}");
            ExitCode::from(2)
        }
    }
}

pub fn run_hub(args: HubArgs) -> ExitCode {
    serve(hub_options(args))
}

fn serve(opts: UpOptions) -> ExitCode {
    if let Err(e) = check_remote_write(&opts) {
        eprintln!("kinsight: {e}");
        return ExitCode::from(2);
    }
    let remote_write = opts.remote_write.as_ref().map(|rw| (rw.writer.url.clone(), rw.interval));
    let replay = opts.replay.clone();
    let data_dir = opts.data_dir.clone();
    let live = opts.live.clone();
    let server = match start(opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kinsight: {e}");
            return ExitCode::from(2);
        }
    };
    let fragment = match &server.state.token {
        // The fragment stays in the browser: the UI reads the token from it.
        Some(t) => format!("#token={t}"),
        None => String::new(),
    };
    match &replay {
        Some(f) => say!("kinsight: serving a replay of {} at {}{fragment}", f.display(), server.url()),
        None => {
            say!("kinsight: serving at {}{fragment}", server.url());
            let host = match live.capture {
                Some(Mode::Full) => "this host (eBPF; /proc and cgroups if BPF is unavailable)",
                Some(Mode::ProcOnly) | Some(Mode::Aggregated) => "this host (/proc and cgroups)",
                None => "not this host",
            };
            let kube = match &live.kubernetes {
                Some(KubeTarget { shape: Shape::Hub, .. }) => "the Kubernetes API (whole cluster)".to_string(),
                Some(KubeTarget { shape: Shape::Agent { node }, .. }) => format!("the Kubernetes API (pods of node {node})"),
                None => format!("no Kubernetes API ({})", live.kubernetes_absent),
            };
            say!("kinsight: watching {host}, and {kube}; /api/status tells how each source is doing");
            if let Some(d) = &data_dir {
                say!("kinsight: history is kept in {}", d.display());
            }
        }
    }
    if let Some(store) = &server.state.cluster {
        say!("kinsight: reading the cluster's counters from the store at {} (/api/status says how it goes)", store.url());
    }
    if let Some((url, every)) = &remote_write {
        say!("kinsight: sending the series of /metrics to {url} every {} s (/api/status says how it goes)", every.as_secs());
    }
    if let Some(w) = &server.snapshot_warning {
        eprintln!("kinsight: warning: {w}");
    }
    if !ui_built() {
        eprintln!("kinsight: warning: this binary was built without its web UI (see the build's warnings); the API and /metrics work");
    }
    say!("kinsight: Ctrl-C stops");
    server.wait();
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_keeps_no_history_on_disk_and_live_does() {
        let replay = UpArgs::try_parse_from(["up", "--replay", "x.scap"]).unwrap();
        assert_eq!(options(replay).data_dir, None);
        let live = UpArgs::try_parse_from(["up", "--data-dir", "/tmp/k"]).unwrap();
        assert_eq!(options(live).data_dir, Some(PathBuf::from("/tmp/k")));
    }

    #[test]
    fn binding_beyond_loopback_needs_a_token() {
        std::env::remove_var("KINSIGHT_TOKEN");
        let args = UpArgs::try_parse_from(["up", "--bind", "0.0.0.0:0", "--replay", "/nonexistent.scap"]).unwrap();
        let err = start(options(args)).err().expect("refused");
        assert!(err.to_string().contains("token"), "{err}");
    }

    #[test]
    fn agent_and_hub_listen_beyond_loopback_so_they_need_a_token() {
        std::env::remove_var("KINSIGHT_TOKEN");
        let agent = agent_options(AgentArgs::try_parse_from(["agent", "--node", "n1", "--data-dir", "/tmp/k"]).unwrap()).unwrap();
        assert!(!agent.bind.ip().is_loopback());
        assert!(start(agent).err().expect("refused").to_string().contains("token"));
        let hub = hub_options(HubArgs::try_parse_from(["hub", "--data-dir", "/tmp/k"]).unwrap());
        assert!(start(hub).err().expect("refused").to_string().contains("token"));
    }

    #[test]
    fn agent_watches_its_node_and_host_hub_the_cluster_only() {
        let agent = agent_options(AgentArgs::try_parse_from(["agent", "--node", "n1", "--kubeconfig", "/k/config"]).unwrap()).unwrap();
        assert_eq!(agent.live.capture, Some(Mode::Full));
        let target = agent.live.kubernetes.expect("a Kubernetes target");
        assert!(matches!(&target.shape, Shape::Agent { node } if node == "n1"));
        assert_eq!(target.connect.kubeconfig, Some(PathBuf::from("/k/config")));

        let hub = hub_options(HubArgs::try_parse_from(["hub", "--kubeconfig", "/k/config"]).unwrap());
        assert_eq!(hub.live.capture, None, "the hub does not watch the host it runs on");
        assert!(matches!(hub.live.kubernetes.expect("a Kubernetes target").shape, Shape::Hub));
    }

    #[test]
    fn an_agent_without_its_node_name_is_a_clear_error() {
        std::env::remove_var("NODE_NAME");
        let err = agent_options(AgentArgs::try_parse_from(["agent"]).unwrap()).err().expect("refused");
        assert!(err.contains("--node") && err.contains("NODE_NAME"), "{err}");
    }

    #[test]
    fn up_finds_kubernetes_like_kubectl_or_says_why_not() {
        let args = UpArgs::try_parse_from(["up"]).unwrap();
        let (none, why) = kube_target(&args.common, Shape::Hub, |_| None);
        assert!(none.is_none());
        assert!(why.contains("kubeconfig"), "{why}");
        let dir = std::env::temp_dir().join(format!("kinsight-kubeconfig-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("config");
        std::fs::write(&file, "apiVersion: v1\nkind: Config\n").unwrap();
        let path = file.to_string_lossy().into_owned();
        let (found, _) = kube_target(&args.common, Shape::Hub, |k| (k == "KUBECONFIG").then(|| path.clone()));
        assert_eq!(found.expect("found").connect.kubeconfig, Some(file.clone()));
        let off = options(UpArgs::try_parse_from(["up", "--no-kubernetes", "--kubeconfig", &path]).unwrap());
        assert!(off.live.kubernetes.is_none());
        std::fs::remove_dir_all(&dir).ok();
    }

    /// The `args:` line of the first container in a manifest, as strings.
    fn manifest_args(path: &str) -> Vec<String> {
        let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)).unwrap();
        let line = text.lines().find_map(|l| l.trim().strip_prefix("args:")).unwrap_or_else(|| panic!("no args in {path}"));
        serde_json::from_str(line.trim()).unwrap_or_else(|e| panic!("{path}: args {line}: {e}"))
    }

    #[test]
    fn the_deploy_manifests_start_commands_that_exist() {
        let agent = manifest_args("deploy/agent-daemonset.yaml");
        assert_eq!(agent[0], "agent");
        // The kubelet expands $(NODE_NAME) from the downward API.
        let agent: Vec<String> = agent.iter().map(|a| a.replace("$(NODE_NAME)", "node-1")).collect();
        let opts = agent_options(AgentArgs::try_parse_from(&agent).unwrap()).unwrap();
        assert_eq!(opts.live.capture, Some(Mode::Full));
        assert_eq!(opts.data_dir, Some(PathBuf::from("/var/lib/kinsight")));
        assert!(!opts.bind.ip().is_loopback(), "reachable by Prometheus and the hub");
        let rw = opts.remote_write.expect("the agents write to the store");
        assert_eq!((rw.writer.url.as_str(), rw.interval), ("http://victoria-metrics.kinsight.svc:8428/api/v1/write", Duration::from_secs(10)));

        let hub = manifest_args("deploy/hub-deployment.yaml");
        assert_eq!(hub[0], "hub");
        let opts = hub_options(HubArgs::try_parse_from(&hub).unwrap());
        assert_eq!(opts.live.capture, None);
        assert_eq!(opts.bind.port(), 7070);
        // The hub reads the store the agents write to: same Service, its query API.
        let store = opts.store.expect("the hub reads the store");
        assert_eq!(format!("{}/api/v1/write", store.url), rw.writer.url);
        assert_eq!(store.stale_after, rw.interval * 3);
    }
}
