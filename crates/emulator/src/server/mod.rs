//! The HTTP face of the emulator: hyper on a loopback socket, plain or TLS.
//!
//! Layers, outside in: the accept loop and each connection (TLS handshake,
//! header and idle timeouts: [`connection`]), the router ([`routes`], with
//! the `/_emulator/*` endpoints in [`admin`]), the fault layer shared by both
//! APIs ([`faults`]: body read within its timeout, latency, injected
//! faults), and the API's judge ([`crate::api`], judged and applied in one
//! step under the state's lock). This file holds the [`Emulator`] itself,
//! starting it, and the handle of a started one.

mod admin;
mod connection;
mod faults;
mod routes;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http::{Response, header};
use http_body_util::Full;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::api;
use crate::api::v2::{InboundV2, VerdictV2};
use crate::api::v3::{InboundV3, VerdictV3};
use crate::clock::{Clock, SystemClock};
use crate::config::{API_PATH, Config};
use crate::identity;
use crate::state::{AcceptedTask, State};
use crate::tls::TlsIdentity;

/// The emulator: configuration, clock and shared state. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Emulator {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    connections: AtomicU64,
    requests: AtomicU64,
    /// The CA certificate clients trust, once serving TLS
    /// (`GET /_emulator/ca.pem`).
    ca_pem: std::sync::OnceLock<String>,
}

/// Counters served at `GET /_emulator/stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// TCP connections accepted since start.
    pub connections: u64,
    /// API requests answered or dropped since start.
    pub requests: u64,
    /// Requests accepted (tasks recorded).
    pub accepted: u64,
}

impl Emulator {
    /// An emulator on the machine's clock.
    pub fn new(config: Config) -> Self {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// An emulator on the given clock (tests use [`ManualClock`](crate::ManualClock)).
    pub fn with_clock(config: Config, clock: Arc<dyn Clock>) -> Self {
        let seed = config.faults.seed;
        Self {
            inner: Arc::new(Inner {
                config,
                clock,
                state: Mutex::new(State::new(seed)),
                connections: AtomicU64::new(0),
                requests: AtomicU64::new(0),
                ca_pem: std::sync::OnceLock::new(),
            }),
        }
    }

    /// The configuration it judges by.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Judges one API 2.0 request without HTTP, exactly as the server would
    /// (no faults: they belong to the HTTP layer).
    pub fn judge_v2(&self, inbound: InboundV2<'_>) -> VerdictV2 {
        let now = self.inner.clock.now_millis();
        let mut state = self.state();
        api::v2::judge(&self.inner.config, &mut state, now, inbound)
    }

    /// Judges one API 3.0 request without HTTP, exactly as the server would
    /// (no faults: they belong to the HTTP layer).
    pub fn judge_v3(&self, inbound: InboundV3<'_>) -> VerdictV3 {
        let now = self.inner.clock.now_millis();
        let mut state = self.state();
        api::judge_tc3(&self.inner.config, &mut state, now, inbound)
    }

    /// Forgets tasks, nonces, calls and quota use, as `POST /_emulator/reset`.
    pub fn reset(&self) {
        self.state().reset();
    }

    /// Every accepted request so far, in order, API 3.0 URLs with their
    /// status now.
    pub fn tasks(&self) -> Vec<AcceptedTask> {
        let now = self.inner.clock.now_millis();
        let delay = i64::try_from(self.inner.config.tasks.delay.as_millis()).unwrap_or(i64::MAX);
        self.state()
            .tasks()
            .iter()
            .map(|stored| stored.view(now, delay))
            .collect()
    }

    /// Connection and request counters.
    pub fn stats(&self) -> Stats {
        let accepted = self.state().tasks().len() as u64;
        Stats {
            connections: self.inner.connections.load(Ordering::Relaxed),
            requests: self.inner.requests.load(Ordering::Relaxed),
            accepted,
        }
    }

    /// The emulator's clock, in Unix milliseconds.
    pub(crate) fn now_millis(&self) -> i64 {
        self.inner.clock.now_millis()
    }

    pub(crate) fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while judging cannot leave the state half-written in a way
        // that matters more than stopping the emulator would.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Binds `addr` and serves plain HTTP in a background task until the
    /// handle is shut down or dropped.
    pub async fn start(self, addr: SocketAddr) -> std::io::Result<RunningEmulator> {
        self.start_with(addr, None).await
    }

    /// Binds `addr` and serves HTTPS with `identity` in a background task
    /// until the handle is shut down or dropped.
    pub async fn start_tls(
        self,
        addr: SocketAddr,
        identity: &TlsIdentity,
    ) -> std::io::Result<RunningEmulator> {
        self.serves_ca(identity);
        self.start_with(addr, Some(identity.acceptor())).await
    }

    /// Keeps the CA of `identity` for `GET /_emulator/ca.pem`.
    fn serves_ca(&self, identity: &TlsIdentity) {
        let _ = self
            .inner
            .ca_pem
            .set(identity.ca_certificate_pem().to_owned());
    }

    /// The CA certificate (PEM) clients are to trust, when serving TLS.
    pub(crate) fn ca_pem(&self) -> Option<&str> {
        self.inner.ca_pem.get().map(String::as_str)
    }

    async fn start_with(
        self,
        addr: SocketAddr,
        tls: Option<TlsAcceptor>,
    ) -> std::io::Result<RunningEmulator> {
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let emulator = self.clone();
        let task = tokio::spawn(async move {
            emulator
                .serve_on(listener, tls, async {
                    let _ = stopped.await;
                })
                .await;
            Ok(())
        });
        Ok(RunningEmulator {
            addr: local,
            origin: origin(scheme, local),
            emulator: self,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Serves plain HTTP on `listener` until `shutdown` completes, then lets
    /// open exchanges finish (for at most 5 s).
    pub async fn serve(
        &self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> std::io::Result<()> {
        self.serve_on(listener, None, shutdown).await;
        Ok(())
    }

    /// Serves HTTPS with `identity` on `listener` until `shutdown` completes,
    /// then lets open exchanges finish (for at most 5 s).
    pub async fn serve_tls(
        &self,
        listener: TcpListener,
        identity: &TlsIdentity,
        shutdown: impl Future<Output = ()>,
    ) -> std::io::Result<()> {
        self.serves_ca(identity);
        self.serve_on(listener, Some(identity.acceptor()), shutdown)
            .await;
        Ok(())
    }
}

impl identity::Host for Emulator {
    fn config(&self) -> &Config {
        Emulator::config(self)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        Emulator::state(self)
    }

    fn now_millis(&self) -> i64 {
        Emulator::now_millis(self)
    }
}

/// Adds `Connection: close`, for answers after which the rest of the
/// request is not worth reading.
fn closing(mut response: Response<Full<Bytes>>) -> Response<Full<Bytes>> {
    response
        .headers_mut()
        .insert(header::CONNECTION, http::HeaderValue::from_static("close"));
    response
}

fn origin(scheme: &str, addr: SocketAddr) -> String {
    format!("{scheme}://{addr}")
}

/// A running emulator: its address, and a way to stop it.
#[derive(Debug)]
pub struct RunningEmulator {
    addr: SocketAddr,
    origin: String,
    emulator: Emulator,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl RunningEmulator {
    /// The socket it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The origin, e.g. `http://127.0.0.1:40123` (`https://` when serving
    /// TLS): API 3.0 is served at its root.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The API 2.0 endpoint, e.g. `http://127.0.0.1:40123/v2/index.php`.
    pub fn endpoint(&self) -> String {
        format!("{}{API_PATH}", self.origin)
    }

    /// The emulator behind it (tasks, stats, direct judging).
    pub fn emulator(&self) -> &Emulator {
        &self.emulator
    }

    /// Stops accepting, lets open exchanges finish, and waits for the server.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.unwrap_or_else(|e| Err(std::io::Error::other(e))),
            None => Ok(()),
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
