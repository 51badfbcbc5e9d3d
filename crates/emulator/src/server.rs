//! The HTTP face of the emulator: hyper on a loopback socket, plain or TLS.
//!
//! Layers, outside in: the accept loop (connection cap, back-off), each
//! connection (TLS handshake, header and idle timeouts), the router, the
//! fault layer shared by both APIs, and the API's handler (body read within
//! its timeout, then judged and applied in one step under the state's lock).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Either, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

use crate::api3;
use crate::clock::{Clock, SystemClock};
use crate::config::{API_PATH, API3_PATH, Config, Faults};
use crate::identity;
use crate::judge::{InboundV2, VerdictV2, judge};
use crate::listen::{Accept, AcceptBackoff, Activity, Tracked, WARN_EVERY};
use crate::state::{AcceptedTask, Api, State};
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

/// Why the connection is closed without an answer (hyper closes it when the
/// service fails).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closed {
    /// `--drop-rate`: nothing applied.
    Dropped,
    /// `--lose-answer-rate`: applied, answer withheld.
    AnswerLost,
    /// The body could not be read (the client went away or broke framing).
    Unreadable,
    /// The handler's task panicked.
    HandlerFailed,
}

impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Dropped => "connection dropped on purpose (--drop-rate)",
            Self::AnswerLost => "answer withheld on purpose after applying (--lose-answer-rate)",
            Self::Unreadable => "the request body could not be read",
            Self::HandlerFailed => "the request handler failed",
        })
    }
}

impl std::error::Error for Closed {}

/// The fault the dice chose for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    Drop,
    Fail,
    LoseAnswer,
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
        judge(&self.inner.config, &mut state, now, inbound)
    }

    /// Judges one API 3.0 request without HTTP, exactly as the server would
    /// (no faults: they belong to the HTTP layer).
    pub fn judge_v3(&self, inbound: api3::InboundV3<'_>) -> api3::VerdictV3 {
        let now = self.inner.clock.now_millis();
        let mut state = self.state();
        api3::judge(&self.inner.config, &mut state, now, inbound)
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
        self.start_with(addr, Some(identity.acceptor())).await
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
        self.serve_on(listener, Some(identity.acceptor()), shutdown)
            .await;
        Ok(())
    }

    /// The accept loop: at most `max_connections` at once (the rest wait in
    /// the kernel's backlog), a growing pause after each failed `accept()`.
    pub(crate) async fn serve_on<A: Accept>(
        &self,
        mut acceptor: A,
        tls: Option<TlsAcceptor>,
        shutdown: impl Future<Output = ()>,
    ) {
        let limits = self.inner.config.limits;
        let graceful = GracefulShutdown::new();
        let permits = Arc::new(Semaphore::new(
            limits.max_connections.clamp(1, Semaphore::MAX_PERMITS),
        ));
        let mut backoff = AcceptBackoff::default();
        tokio::pin!(shutdown);
        loop {
            let permit = tokio::select! {
                permit = Arc::clone(&permits).acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
                () = &mut shutdown => break,
            };
            let accepted = tokio::select! {
                accepted = acceptor.accept() => accepted,
                () = &mut shutdown => break,
            };
            let (io, peer) = match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    drop(permit);
                    let after = backoff.failed(Instant::now());
                    if let Some(failures) = after.warn {
                        tracing::warn!(
                            %error,
                            failures,
                            pause_ms = after.pause.as_millis() as u64,
                            "accept failed; pausing before the next attempt (warned at most every {} s)",
                            WARN_EVERY.as_secs()
                        );
                    }
                    tokio::select! {
                        () = tokio::time::sleep(after.pause) => continue,
                        () = &mut shutdown => break,
                    }
                }
            };
            backoff.succeeded();
            self.inner.connections.fetch_add(1, Ordering::Relaxed);
            let emulator = self.clone();
            let watcher = graceful.watcher();
            let tls = tls.clone();
            tokio::spawn(async move {
                let _permit = permit;
                let activity = Arc::new(Activity::new());
                let io = Tracked::new(io, Arc::clone(&activity));
                match tls {
                    None => emulator.connection(io, peer, activity, watcher).await,
                    Some(tls) => {
                        match tokio::time::timeout(limits.header_read_timeout, tls.accept(io)).await
                        {
                            Ok(Ok(stream)) => {
                                emulator.connection(stream, peer, activity, watcher).await;
                            }
                            Ok(Err(error)) => {
                                tracing::debug!(%error, %peer, "TLS handshake failed");
                            }
                            Err(_) => {
                                tracing::debug!(%peer, "TLS handshake timed out");
                            }
                        }
                    }
                }
            });
        }
        drop(acceptor);
        tokio::select! {
            () = graceful.shutdown() => {}
            () = tokio::time::sleep(Duration::from_secs(5)) => {
                tracing::warn!("open connections did not finish within 5 s; closing");
            }
        }
    }

    /// Serves one connection until it ends, times out or goes idle.
    async fn connection<I>(self, io: I, peer: SocketAddr, activity: Arc<Activity>, watcher: Watcher)
    where
        I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let limits = self.inner.config.limits;
        let tracked = Arc::clone(&activity);
        let service = service_fn(move |request| {
            let emulator = self.clone();
            let busy = tracked.busy();
            async move {
                let answer = match TasksListing::of(&request) {
                    Some(listing) => Ok(emulator.tasks_response(listing)),
                    None => emulator
                        .handle(request, peer)
                        .await
                        .map(|response| response.map(Either::Left)),
                };
                drop(busy);
                answer
            }
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .keep_alive(true)
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .serve_connection(TokioIo::new(io), service);
        let connection = watcher.watch(connection);
        tokio::pin!(connection);
        let mut next_check = activity.deadline(limits.idle_timeout);
        loop {
            tokio::select! {
                ended = connection.as_mut() => {
                    if let Err(error) = ended {
                        tracing::debug!(%error, %peer, "connection ended with an error");
                    }
                    return;
                }
                () = tokio::time::sleep_until(next_check) => {
                    if activity.is_idle(limits.idle_timeout) {
                        tracing::debug!(%peer, "closing a connection idle for {:?}", limits.idle_timeout);
                        return;
                    }
                    next_check = activity.next_check(limits.idle_timeout, Instant::now());
                }
            }
        }
    }

    async fn handle(
        self,
        request: Request<Incoming>,
        peer: SocketAddr,
    ) -> Result<Response<Full<Bytes>>, Closed> {
        if let Some(route) = identity::route(&request) {
            return Ok(identity::serve(&self, route, request).await);
        }
        let path = request.uri().path().to_owned();
        let method = request.method().clone();
        match (method, path.as_str()) {
            (Method::GET | Method::POST, API_PATH) => self.serve_api(Api::V2, request, peer).await,
            (_, API3_PATH) => self.serve_api(Api::V3, request, peer).await,
            (Method::GET, "/_emulator/stats") => Ok(json_response(
                StatusCode::OK,
                &serde_json::to_string(&self.stats()).unwrap_or_default(),
            )),
            (Method::POST, "/_emulator/reset") => {
                self.reset();
                Ok(json_response(StatusCode::OK, "{\"reset\":true}"))
            }
            (_, API_PATH) => Ok(text_response(
                StatusCode::METHOD_NOT_ALLOWED,
                "only GET and POST are served\n",
            )),
            _ => Ok(text_response(
                StatusCode::NOT_FOUND,
                "not found: API 2.0 is at /v2/index.php, API 3.0 at /\n",
            )),
        }
    }

    /// The fault layer, the same for both APIs: the dice, the body, the
    /// latency, then the fault or the judging. Every answer carries the
    /// emulator's own clock in `Date`.
    async fn serve_api(
        self,
        api: Api,
        mut request: Request<Incoming>,
        peer: SocketAddr,
    ) -> Result<Response<Full<Bytes>>, Closed> {
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        let arrival = identity::Arrival(self.now_millis());
        request.extensions_mut().insert(arrival);
        let faults = self.inner.config.faults;
        // Rolled on arrival, so that concurrent requests meet the seeded
        // pattern in the order they came.
        let fault = self.roll(&faults);
        // The body, the latency and the judging run in a task of their own:
        // a request that reached the server is judged, and applied if good,
        // even when the client gives up waiting and hyper drops this future.
        // The body is read before any fault is answered, so that an answer
        // never leaves part of a request unread on a kept-alive connection.
        let emulator = self.clone();
        let answered = tokio::spawn(async move {
            let (parts, body) = request.into_parts();
            let body = match emulator.read_body(api, body, peer).await {
                Ok(body) => body,
                Err(done) => return done,
            };
            tokio::time::sleep(faults.latency).await;
            match fault {
                Fault::Drop => {
                    tracing::info!(%peer, api = api.as_str(), decision = "dropped", "closing the connection without an answer (--drop-rate)");
                    Err(Closed::Dropped)
                }
                Fault::Fail => {
                    tracing::info!(%peer, api = api.as_str(), decision = "failed", "answering 503 (--fail-rate)");
                    Ok(emulator.injected_failure(api))
                }
                Fault::None | Fault::LoseAnswer => Ok(emulator.answer(api, &parts, &body, peer)),
            }
        })
        .await
        .map_err(|error| {
            tracing::error!(%error, %peer, "the handler failed");
            Closed::HandlerFailed
        })??;
        if fault == Fault::LoseAnswer {
            tracing::info!(%peer, api = api.as_str(), decision = "answer lost", "applied, now closing the connection without an answer (--lose-answer-rate)");
            return Err(Closed::AnswerLost);
        }
        Ok(self.dated(answered))
    }

    /// Adds `Date` from the emulator's clock (hyper would write the
    /// machine's): clients estimate the server's clock from it.
    fn dated(&self, mut response: Response<Full<Bytes>>) -> Response<Full<Bytes>> {
        if let Ok(date) = http::HeaderValue::from_str(&crate::clock::http_date(self.now_millis())) {
            response.headers_mut().insert(header::DATE, date);
        }
        response
    }

    /// Rolls the fault dice; the order of the rolls keeps the patterns of
    /// seeds used before `--lose-answer-rate` existed.
    fn roll(&self, faults: &Faults) -> Fault {
        let mut state = self.state();
        if faults.drop_rate > 0.0 && state.dice.f64() < faults.drop_rate {
            return Fault::Drop;
        }
        if faults.fail_rate > 0.0 && state.dice.f64() < faults.fail_rate {
            return Fault::Fail;
        }
        if faults.lose_answer_rate > 0.0 && state.dice.f64() < faults.lose_answer_rate {
            return Fault::LoseAnswer;
        }
        Fault::None
    }

    fn injected_failure(&self, api: Api) -> Response<Full<Bytes>> {
        const MESSAGE: &str = "internal error (injected by --fail-rate); nothing was applied";
        match api {
            Api::V2 => {
                let verdict = VerdictV2::refuse(6000, "InternalError", MESSAGE);
                json_response(StatusCode::SERVICE_UNAVAILABLE, &verdict.body)
            }
            Api::V3 => {
                let request_id = self.state().request_id();
                api3::error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    tcdn_model::v3::ErrorCode::InternalError,
                    MESSAGE,
                    &request_id,
                )
            }
        }
    }

    /// Reads the body, bounded in size and time; what cannot be read ends
    /// the exchange with the answer (or the close) it gets instead.
    #[allow(clippy::type_complexity)]
    async fn read_body(
        &self,
        api: Api,
        body: Incoming,
        peer: SocketAddr,
    ) -> Result<Bytes, Result<Response<Full<Bytes>>, Closed>> {
        let limits = self.inner.config.limits;
        let max_body = match api {
            Api::V2 => self.inner.config.max_post_bytes,
            Api::V3 => api3::MAX_BODY_BYTES,
        };
        let read = Limited::new(body, max_body.saturating_add(1)).collect();
        match tokio::time::timeout(limits.body_read_timeout, read).await {
            Ok(Ok(collected)) => Ok(collected.to_bytes()),
            Ok(Err(error)) => {
                if error
                    .downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
                {
                    tracing::info!(%peer, api = api.as_str(), decision = "refused", "body over the limit");
                    return Err(Ok(match api {
                        Api::V2 => closing(text_response(
                            StatusCode::NOT_IMPLEMENTED,
                            &format!("POST body is over the {max_body}-byte limit\n"),
                        )),
                        Api::V3 => {
                            let request_id = self.state().request_id();
                            closing(api3::error_response(
                                StatusCode::OK,
                                tcdn_model::v3::ErrorCode::InvalidParameter,
                                &format!("the request body is over the {max_body}-byte limit"),
                                &request_id,
                            ))
                        }
                    }));
                }
                tracing::info!(%peer, %error, "request body could not be read");
                Err(Err(Closed::Unreadable))
            }
            Err(_) => {
                tracing::info!(%peer, api = api.as_str(), decision = "timed out", "request body not received within {:?}", limits.body_read_timeout);
                Err(Ok(closing(text_response(
                    StatusCode::REQUEST_TIMEOUT,
                    &format!(
                        "the request body did not arrive within {} s\n",
                        limits.body_read_timeout.as_secs_f64()
                    ),
                ))))
            }
        }
    }

    /// Judges a request whose body was read.
    fn answer(
        &self,
        api: Api,
        parts: &http::request::Parts,
        body: &Bytes,
        peer: SocketAddr,
    ) -> Response<Full<Bytes>> {
        if let Some(refused) = identity::gate(self, api, parts, body) {
            return refused;
        }
        let header =
            |name: header::HeaderName| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let target_len = parts.uri.path_and_query().map_or(0, |pq| pq.as_str().len());
        let inbound = InboundV2 {
            method: &parts.method,
            path: parts.uri.path(),
            query: parts.uri.query(),
            host: header(header::HOST),
            content_type: header(header::CONTENT_TYPE),
            body,
            target_len,
        };
        match api {
            Api::V2 => self.answer_v2(inbound, peer),
            Api::V3 => self.answer_v3(
                api3::InboundV3 {
                    method: &parts.method,
                    query: parts.uri.query(),
                    headers: &parts.headers,
                    body,
                    target_len,
                },
                peer,
            ),
        }
    }

    fn answer_v2(&self, inbound: InboundV2<'_>, peer: SocketAddr) -> Response<Full<Bytes>> {
        let verdict = self.judge_v2(inbound);
        tracing::info!(
            %peer,
            api = "v2",
            status = verdict.status.as_u16(),
            code = verdict.code,
            accepted = verdict.accepted,
            reason = %verdict.reason,
            "judged"
        );
        let response = if verdict.code.is_some() {
            json_response(verdict.status, &verdict.body)
        } else {
            text_response(verdict.status, &verdict.body)
        };
        if verdict.status == StatusCode::NOT_IMPLEMENTED {
            closing(response)
        } else {
            response
        }
    }

    fn answer_v3(&self, inbound: api3::InboundV3<'_>, peer: SocketAddr) -> Response<Full<Bytes>> {
        let judged = self.judge_v3(inbound);
        tracing::info!(
            %peer,
            api = "v3",
            code = judged.code.as_deref().unwrap_or("ok"),
            accepted = judged.accepted,
            reason = %judged.reason,
            "judged"
        );
        api3::response(StatusCode::OK, judged.body)
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

/// What `GET /_emulator/tasks` asks for: all tasks, or the slice
/// `?offset=N&limit=M` (either may be left out), or a query it cannot read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TasksListing {
    /// Tasks from position `offset` (0 for the first), at most `limit`.
    Slice { offset: usize, limit: usize },
    /// A query other than `offset` and `limit` as whole numbers.
    Invalid,
}

impl TasksListing {
    /// The listing a request asks for, when it is `GET /_emulator/tasks`.
    fn of<B>(request: &Request<B>) -> Option<Self> {
        if request.method() != Method::GET || request.uri().path() != "/_emulator/tasks" {
            return None;
        }
        let (mut offset, mut limit) = (0, usize::MAX);
        for pair in request.uri().query().unwrap_or("").split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let slot = match name {
                "" => continue,
                "offset" => &mut offset,
                "limit" => &mut limit,
                _ => return Some(Self::Invalid),
            };
            match value.parse() {
                Ok(number) => *slot = number,
                Err(_) => return Some(Self::Invalid),
            }
        }
        Some(Self::Slice { offset, limit })
    }
}

/// How many tasks [`TasksBody`] writes a chunk: enough to keep the
/// chunks large, few enough to hold the state's lock briefly.
const TASKS_PER_CHUNK: usize = 256;

/// The body of `GET /_emulator/tasks`: the JSON array of the tasks from
/// `next` to `end` (fixed when the request came), written a few tasks at a
/// time as the connection takes them, so that listing millions of URLs
/// never holds the whole document. The layout is `serde_json`'s pretty one.
struct TasksBody {
    emulator: Emulator,
    next: usize,
    end: usize,
    now_ms: i64,
    delay_ms: i64,
    opened: bool,
    written: bool,
    finished: bool,
}

impl hyper::body::Body for TasksBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        std::task::Poll::Ready(
            self.get_mut()
                .next_chunk()
                .map(|chunk| Ok(hyper::body::Frame::data(chunk))),
        )
    }

    fn is_end_stream(&self) -> bool {
        self.finished
    }
}

impl TasksBody {
    /// The next piece of the array, or `None` once it is closed.
    fn next_chunk(&mut self) -> Option<Bytes> {
        if self.finished {
            return None;
        }
        let state = self.emulator.state();
        let tasks = state.tasks();
        // A reset while listing shortens the list; what is gone is not listed.
        let end = self.end.min(tasks.len());
        let mut chunk = String::new();
        if !self.opened {
            self.opened = true;
            chunk.push('[');
        }
        let stop = end.min(self.next.saturating_add(TASKS_PER_CHUNK));
        for stored in tasks.get(self.next..stop).unwrap_or_default() {
            chunk.push_str(if self.written { ",\n  " } else { "\n  " });
            self.written = true;
            let view = stored.view(self.now_ms, self.delay_ms);
            // Strings in JSON hold no raw line break, so indenting every
            // line of the element nests it as to_string_pretty would.
            let element = serde_json::to_string_pretty(&view).unwrap_or_default();
            chunk.push_str(&element.replace('\n', "\n  "));
        }
        drop(state);
        self.next = self.next.max(stop);
        if self.next >= end {
            chunk.push_str(if self.written { "\n]" } else { "]" });
            self.finished = true;
        }
        Some(Bytes::from(chunk))
    }
}

/// A response of the emulator: whole, or the streamed task list.
type ServedBody = Either<Full<Bytes>, TasksBody>;

impl Emulator {
    /// `GET /_emulator/tasks`, streamed.
    fn tasks_response(&self, listing: TasksListing) -> Response<ServedBody> {
        let TasksListing::Slice { offset, limit } = listing else {
            return text_response(
                StatusCode::BAD_REQUEST,
                "GET /_emulator/tasks takes ?offset=N&limit=M (whole numbers, both optional)\n",
            )
            .map(Either::Left);
        };
        let len = self.state().tasks().len();
        let next = offset.min(len);
        let mut body = TasksBody {
            emulator: self.clone(),
            next,
            end: next.saturating_add(limit).min(len),
            now_ms: self.inner.clock.now_millis(),
            delay_ms: i64::try_from(self.inner.config.tasks.delay.as_millis()).unwrap_or(i64::MAX),
            opened: false,
            written: false,
            finished: false,
        };
        // A list of one chunk goes whole, with its length, as it always did.
        let body = if body.end - body.next <= TASKS_PER_CHUNK {
            Either::Left(Full::new(body.next_chunk().unwrap_or_default()))
        } else {
            Either::Right(body)
        };
        let mut response = Response::new(body);
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json; charset=utf-8"),
        );
        response
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

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::Mutex;

    use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

    use super::*;
    use crate::config::Credential;
    use crate::listen::{FIRST_PAUSE, MAX_PAUSE};

    /// Fails `failures` times as an out-of-descriptors `accept()` does, then
    /// hands over one in-memory connection, then waits forever.
    struct FailingAcceptor {
        failures: usize,
        connection: Option<DuplexStream>,
        calls: Arc<Mutex<Vec<Instant>>>,
    }

    impl Accept for FailingAcceptor {
        type Io = DuplexStream;

        fn accept(
            &mut self,
        ) -> impl Future<Output = io::Result<(DuplexStream, SocketAddr)>> + Send {
            self.calls.lock().unwrap().push(Instant::now());
            let next = if self.failures > 0 {
                self.failures -= 1;
                Some(Err(io::Error::from_raw_os_error(24))) // EMFILE
            } else {
                self.connection
                    .take()
                    .map(|io| Ok((io, SocketAddr::from(([127, 0, 0, 1], 9)))))
            };
            async move {
                match next {
                    Some(result) => result,
                    None => std::future::pending().await,
                }
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn failed_accepts_back_off_instead_of_spinning_then_serving_resumes() {
        const FAILURES: usize = 40;
        let emulator = Emulator::new(Config::new(vec![Credential::new("AKIDx", "k")]));
        let (mut client, server_side) = tokio::io::duplex(4096);
        let calls = Arc::new(Mutex::new(Vec::new()));
        let acceptor = FailingAcceptor {
            failures: FAILURES,
            connection: Some(server_side),
            calls: Arc::clone(&calls),
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn({
            let emulator = emulator.clone();
            async move {
                emulator
                    .serve_on(acceptor, None, async {
                        let _ = stopped.await;
                    })
                    .await;
            }
        });

        client
            .write_all(b"GET /_emulator/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        client.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("\"connections\":1"), "{answer}");

        let calls: Vec<Instant> = calls.lock().unwrap().clone();
        // One call per failure, one for the connection, one now waiting.
        assert_eq!(calls.len(), FAILURES + 2);
        let pauses: Vec<Duration> = calls[..=FAILURES].windows(2).map(|w| w[1] - w[0]).collect();
        let mut expected = FIRST_PAUSE;
        for (i, pause) in pauses.iter().enumerate() {
            assert!(
                *pause >= expected,
                "pause {i} was {pause:?}, expected {expected:?}"
            );
            expected = (expected * 2).min(MAX_PAUSE);
        }
        // 40 failures took over half a minute (simulated), not a burst.
        assert!(calls[FAILURES] - calls[0] >= Duration::from_secs(30));

        let _ = stop.send(());
        serving.await.unwrap();
    }
}
