//! Connecting as kubectl does: a kubeconfig (its contexts, client certificates, bearer
//! tokens, exec credential plugins) or, inside a pod, the service account.

use std::path::PathBuf;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

use crate::error::ConnectError;

/// Where the configuration comes from. All empty: `$KUBECONFIG` or `~/.kube/config` if
/// there is one, else the in-cluster service account — kubectl's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    /// `--kubeconfig`: this file only.
    pub kubeconfig: Option<PathBuf>,
    /// `--context`: this context instead of the current one.
    pub context: Option<String>,
}

/// The client configuration the options describe.
pub async fn config(options: &ConnectOptions) -> Result<Config, ConnectError> {
    let kube_options = KubeConfigOptions {
        context: options.context.clone(),
        ..KubeConfigOptions::default()
    };
    match &options.kubeconfig {
        Some(path) => {
            let file =
                Kubeconfig::read_from(path).map_err(|source| ConnectError::ReadKubeconfig {
                    path: path.clone(),
                    source,
                })?;
            Config::from_custom_kubeconfig(file, &kube_options)
                .await
                .map_err(|source| ConnectError::Kubeconfig {
                    where_: path.display().to_string(),
                    context: options.context.clone(),
                    source,
                })
        }
        None if options.context.is_some() => {
            Config::from_kubeconfig(&kube_options)
                .await
                .map_err(|source| ConnectError::Kubeconfig {
                    where_: "from $KUBECONFIG or ~/.kube/config".into(),
                    context: options.context.clone(),
                    source,
                })
        }
        None => Config::infer().await.map_err(ConnectError::NoConfiguration),
    }
}

/// A client for the options' cluster. Nothing is sent to the server yet.
pub async fn connect(options: &ConnectOptions) -> Result<Client, ConnectError> {
    let mut config = config(options).await?;
    // The watch loop retries with its own backoff and reports each failure; kube's silent
    // retries of 429/503/504 underneath would hide them and double the waiting.
    config.default_retry = false;
    // Reads are timed by the watch loop (`WatchConfig::request_timeout` for a list,
    // `idle_timeout` between two lines of a watch); a transport read timeout underneath
    // would cut quiet watch streams on its own schedule.
    config.read_timeout = None;
    Client::try_from(config).map_err(ConnectError::Client)
}
