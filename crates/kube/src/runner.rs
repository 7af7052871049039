//! Starting the watches: on the caller's tokio runtime, or on a thread of their own for a
//! synchronous event loop. Either way they run apart from event processing and hand their
//! updates over through an [`UpdateReceiver`].

use kube::Client;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;

use crate::connect::{connect, ConnectOptions};
use crate::error::ConnectError;
use crate::shape::Shape;
use crate::updates::UpdateReceiver;
use crate::watch::{WatchConfig, Watcher};

/// Running watches. Dropping it stops them.
pub struct KubeWatch {
    tasks: JoinSet<()>,
}

impl KubeWatch {
    /// Starts one task per watched kind (and, for an agent, its filter) on the current
    /// tokio runtime. Must be called from within a runtime.
    pub fn spawn(
        client: Client,
        shape: &Shape,
        config: WatchConfig,
    ) -> (KubeWatch, UpdateReceiver) {
        let capacity = config.channel_capacity.max(1);
        let (out_tx, out_rx) = mpsc::channel(capacity);
        let specs = shape.plan();
        let receiver = UpdateReceiver::new(out_rx, specs.iter().map(|s| s.kind));
        let mut tasks = JoinSet::new();
        let watch_tx = match shape {
            Shape::Hub => out_tx,
            Shape::Agent { node } => {
                let (tx, rx) = mpsc::channel(capacity);
                tasks.spawn(crate::agent::run(node.clone(), rx, out_tx));
                tx
            }
        };
        for spec in specs {
            tasks.spawn(Watcher::new(client.clone(), spec, config.clone(), watch_tx.clone()).run());
        }
        (KubeWatch { tasks }, receiver)
    }

    /// Stops every watch.
    pub fn stop(mut self) {
        self.tasks.abort_all();
    }
}

/// Watches on a thread of their own, with their own runtime: for a synchronous caller that
/// only ever calls [`UpdateReceiver::apply_pending`] between event batches.
pub struct BackgroundWatch {
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackgroundWatch {
    /// Connects (returning the connection error, if any) and starts the watches.
    pub fn start(
        options: ConnectOptions,
        shape: Shape,
        config: WatchConfig,
    ) -> Result<(BackgroundWatch, UpdateReceiver), ConnectError> {
        let (ready_tx, ready_rx) =
            std::sync::mpsc::channel::<Result<UpdateReceiver, ConnectError>>();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("kinsight-kube".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(ConnectError::Thread(e)));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let client = match connect(&options).await {
                        Ok(c) => c,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let (watch, receiver) = KubeWatch::spawn(client, &shape, config);
                    if ready_tx.send(Ok(receiver)).is_err() {
                        return;
                    }
                    // Until stopped, or until the BackgroundWatch is dropped.
                    let _ = stop_rx.await;
                    watch.stop();
                });
            })
            .map_err(ConnectError::Thread)?;
        let receiver = ready_rx.recv().map_err(|_| {
            ConnectError::Thread(std::io::Error::other(
                "the watch thread ended before connecting",
            ))
        })??;
        Ok((
            BackgroundWatch {
                stop: Some(stop_tx),
                thread: Some(thread),
            },
            receiver,
        ))
    }

    /// Stops the watches and waits for their thread (what dropping it does).
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for BackgroundWatch {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
