//! Ctrl-C (SIGINT) and SIGTERM during a submission: the first stops it
//! through the library's [`Cancel`] (no new request; requests in flight get
//! a short grace; the report so far is printed; exit 130 or 143), a second
//! one exits at once.

use std::sync::{Arc, Mutex, PoisonError};

use tcdn::Cancel;

/// The signal that interrupted the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT (Ctrl-C): exit 130.
    Interrupt,
    /// SIGTERM: exit 143.
    Terminate,
}

impl Signal {
    /// 128 + the signal's number, as shells report it.
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Interrupt => 130,
            Self::Terminate => 143,
        }
    }
}

/// Watches for signals on a runtime; see the [module documentation](self).
#[derive(Debug, Clone, Default)]
pub struct Interrupts {
    cancel: Cancel,
    first: Arc<Mutex<Option<Signal>>>,
}

impl Interrupts {
    /// Starts watching on `runtime` (the handlers are installed before this
    /// returns, so no signal is lost after it).
    pub fn watch(runtime: &tokio::runtime::Runtime) -> Self {
        let interrupts = Self::default();
        let mut listener = match runtime.block_on(async { Listener::new() }) {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "cannot watch for Ctrl-C and SIGTERM");
                return interrupts;
            }
        };
        let watcher = interrupts.clone();
        runtime.spawn(async move {
            let Some(first) = listener.next().await else {
                return;
            };
            *watcher.first.lock().unwrap_or_else(PoisonError::into_inner) = Some(first);
            eprintln!(
                "tcdn: interrupted: sending nothing more, waiting briefly for requests in \
                 flight (interrupt again to quit at once)"
            );
            watcher.cancel.cancel();
            if let Some(second) = listener.next().await {
                std::process::exit(i32::from(second.exit_code()));
            }
        });
        interrupts
    }

    /// The handle the submission is given.
    pub fn cancel(&self) -> &Cancel {
        &self.cancel
    }

    /// The first signal received, if any.
    pub fn received(&self) -> Option<Signal> {
        *self.first.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(unix)]
struct Listener {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Listener {
    fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    async fn next(&mut self) -> Option<Signal> {
        tokio::select! {
            got = self.interrupt.recv() => got.map(|()| Signal::Interrupt),
            got = self.terminate.recv() => got.map(|()| Signal::Terminate),
        }
    }
}

#[cfg(not(unix))]
struct Listener;

#[cfg(not(unix))]
impl Listener {
    #[allow(clippy::unnecessary_wraps)]
    fn new() -> std::io::Result<Self> {
        Ok(Self)
    }

    async fn next(&mut self) -> Option<Signal> {
        tokio::signal::ctrl_c()
            .await
            .ok()
            .map(|()| Signal::Interrupt)
    }
}
