//! The HTTP face of the emulator: hyper on a loopback socket.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::clock::{Clock, SystemClock};
use crate::config::{API_PATH, Config};
use crate::judge::{Inbound, Verdict, judge};
use crate::state::{AcceptedTask, State};

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

/// Why the connection must be closed without an answer (`--drop-rate`).
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose (--drop-rate)")
    }
}

impl std::error::Error for Dropped {}

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
            }),
        }
    }

    /// The configuration it judges by.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Judges one request without HTTP, exactly as the server would.
    pub fn judge(&self, inbound: Inbound<'_>) -> Verdict {
        let now = self.inner.clock.now_millis();
        let mut state = self.state();
        judge(&self.inner.config, &mut state, now, inbound)
    }

    /// Every accepted request so far, in order.
    pub fn tasks(&self) -> Vec<AcceptedTask> {
        self.state().tasks().to_vec()
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

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while judging cannot leave the state half-written in a way
        // that matters more than stopping the emulator would.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Binds `addr` and serves in a background task until the handle is shut
    /// down or dropped.
    pub async fn start(self, addr: SocketAddr) -> std::io::Result<RunningEmulator> {
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let emulator = self.clone();
        let task = tokio::spawn(async move {
            emulator
                .serve(listener, async {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(RunningEmulator {
            addr: local,
            emulator: self,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Serves on `listener` until `shutdown` completes, then lets open
    /// exchanges finish.
    pub async fn serve(
        &self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> std::io::Result<()> {
        let graceful = GracefulShutdown::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(pair) => pair,
                        Err(error) => {
                            tracing::warn!(%error, "accept failed");
                            continue;
                        }
                    };
                    self.inner.connections.fetch_add(1, Ordering::Relaxed);
                    let emulator = self.clone();
                    let service = service_fn(move |request| {
                        let emulator = emulator.clone();
                        async move { emulator.handle(request, peer).await }
                    });
                    let connection = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service);
                    let connection = graceful.watch(connection);
                    tokio::spawn(async move {
                        if let Err(error) = connection.await {
                            tracing::debug!(%error, %peer, "connection ended with an error");
                        }
                    });
                }
                () = &mut shutdown => break,
            }
        }
        drop(listener);
        tokio::select! {
            () = graceful.shutdown() => {}
            () = tokio::time::sleep(std::time::Duration::from_secs(5)) => {
                tracing::warn!("open connections did not finish within 5 s; closing");
            }
        }
        Ok(())
    }

    async fn handle(
        self,
        request: Request<Incoming>,
        peer: SocketAddr,
    ) -> Result<Response<Full<Bytes>>, Dropped> {
        let path = request.uri().path().to_owned();
        let method = request.method().clone();
        match (method, path.as_str()) {
            (Method::GET | Method::POST, API_PATH) => self.handle_api(request, peer).await,
            (Method::GET, "/_emulator/tasks") => Ok(json_response(
                StatusCode::OK,
                &serde_json::to_string_pretty(&self.tasks()).unwrap_or_default(),
            )),
            (Method::GET, "/_emulator/stats") => Ok(json_response(
                StatusCode::OK,
                &serde_json::to_string(&self.stats()).unwrap_or_default(),
            )),
            (Method::POST, "/_emulator/reset") => {
                self.state().reset();
                Ok(json_response(StatusCode::OK, "{\"reset\":true}"))
            }
            (_, API_PATH) => Ok(text_response(
                StatusCode::METHOD_NOT_ALLOWED,
                "only GET and POST are served\n",
            )),
            _ => Ok(text_response(
                StatusCode::NOT_FOUND,
                "not found: the API is at /v2/index.php\n",
            )),
        }
    }

    async fn handle_api(
        self,
        request: Request<Incoming>,
        peer: SocketAddr,
    ) -> Result<Response<Full<Bytes>>, Dropped> {
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        let faults = self.inner.config.faults;
        if !faults.latency.is_zero() {
            tokio::time::sleep(faults.latency).await;
        }
        let (drop_it, fail_it) = {
            let mut state = self.state();
            let drop_it = faults.drop_rate > 0.0 && state.dice.f64() < faults.drop_rate;
            let fail_it = !drop_it && faults.fail_rate > 0.0 && state.dice.f64() < faults.fail_rate;
            (drop_it, fail_it)
        };
        if drop_it {
            tracing::info!(%peer, decision = "dropped", "closing the connection without an answer (--drop-rate)");
            return Err(Dropped);
        }
        if fail_it {
            tracing::info!(%peer, decision = "failed", code = 6000, "answering 503 (--fail-rate)");
            let verdict = Verdict::refuse(
                6000,
                "InternalError",
                "internal error (injected by --fail-rate); nothing was applied",
            );
            return Ok(json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                &verdict.body,
            ));
        }

        let (parts, body) = request.into_parts();
        let max_post = self.inner.config.max_post_bytes;
        let body = match Limited::new(body, max_post.saturating_add(1))
            .collect()
            .await
        {
            Ok(collected) => collected.to_bytes(),
            Err(error) => {
                if error
                    .downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
                {
                    tracing::info!(%peer, decision = "refused", status = 501, "POST body over the limit");
                    return Ok(text_response(
                        StatusCode::NOT_IMPLEMENTED,
                        &format!("POST body is over the {max_post}-byte limit\n"),
                    ));
                }
                tracing::info!(%peer, %error, "request body could not be read");
                return Err(Dropped);
            }
        };
        let header =
            |name: header::HeaderName| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let target_len = parts.uri.path_and_query().map_or(0, |pq| pq.as_str().len());
        let inbound = Inbound {
            method: &parts.method,
            path: parts.uri.path(),
            query: parts.uri.query(),
            host: header(header::HOST),
            content_type: header(header::CONTENT_TYPE),
            body: &body,
            target_len,
        };
        let verdict = self.judge(inbound);
        tracing::info!(
            %peer,
            status = verdict.status.as_u16(),
            code = verdict.code,
            accepted = verdict.accepted,
            reason = %verdict.reason,
            "judged"
        );
        let mut response = if verdict.code.is_some() {
            json_response(verdict.status, &verdict.body)
        } else {
            text_response(verdict.status, &verdict.body)
        };
        if verdict.status == StatusCode::NOT_IMPLEMENTED {
            response
                .headers_mut()
                .insert(header::CONNECTION, http::HeaderValue::from_static("close"));
        }
        Ok(response)
    }
}

fn json_response(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_owned())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

fn text_response(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_owned())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// A running emulator: its address, and a way to stop it.
#[derive(Debug)]
pub struct RunningEmulator {
    addr: SocketAddr,
    emulator: Emulator,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl RunningEmulator {
    /// The socket it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API endpoint, e.g. `http://127.0.0.1:40123/v2/index.php`.
    pub fn endpoint(&self) -> String {
        format!("http://{}{API_PATH}", self.addr)
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
