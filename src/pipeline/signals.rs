//! Ctrl-C and SIGTERM: [`Shutdown`] waits for the first one; [`Stop`] lets a sweep (and many
//! watchers of it) stop at the first, storing what it has, and ends the process at a second.

use std::sync::Arc;

/// Ctrl-C and SIGTERM as a value many can watch: a sweep stops at the first, storing what it
/// has; a second one ends the process at once.
#[derive(Clone)]
pub struct Stop {
    rx: tokio::sync::watch::Receiver<bool>,
    _tx: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Stop {
    /// Listens from now on.
    pub fn listen() -> Stop {
        let shutdown = Shutdown::listen();
        let (tx, rx) = tokio::sync::watch::channel(false);
        let tx = Arc::new(tx);
        let sender = tx.clone();
        tokio::spawn(async move {
            shutdown.wait().await;
            let _ = sender.send(true);
            let again = Shutdown::listen();
            again.wait().await;
            eprintln!("netorigin: stopping at once");
            std::process::exit(130);
        });
        Stop { rx, _tx: tx }
    }

    /// Never stops (the signals keep their default action).
    pub fn never() -> Stop {
        let (tx, rx) = tokio::sync::watch::channel(false);
        Stop {
            rx,
            _tx: Arc::new(tx),
        }
    }

    /// Waits for the signal.
    pub async fn stopped(&mut self) {
        let _ = self.rx.wait_for(|s| *s).await;
    }

    /// Whether the signal came.
    pub fn is_stopped(&self) -> bool {
        *self.rx.borrow()
    }
}

/// Ctrl-C and SIGTERM, listened for from the moment this is made: make it before telling
/// anyone that the process is ready, so a signal sent right after is a clean stop.
pub struct Shutdown {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Shutdown {
    /// Listens from now on.
    pub fn listen() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Shutdown {
                signals: signal(SignalKind::interrupt())
                    .ok()
                    .zip(signal(SignalKind::terminate()).ok()),
            }
        }
        #[cfg(not(unix))]
        Shutdown {}
    }

    /// Waits for the first of them.
    pub async fn wait(self) {
        #[cfg(unix)]
        if let Some((mut int, mut term)) = self.signals {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
