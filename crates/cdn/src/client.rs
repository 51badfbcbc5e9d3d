//! [`Client`] and [`ClientBuilder`]: one call with retries
//! ([`Client::call`]) and any number of URLs with batching, bounded
//! concurrency and pacing ([`Client::submit`]).

use std::fmt;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;
use tcdn_model::{
    ACTION, Areas, CdnUrl, CommonCode, Envelope, FlushOrPush, Operation, Retryability,
};
use tcdn_sign::{HttpMethod, SignatureMethod};
use tcdn_transport::{ErrorKind, HyperTransport, Transport, TransportError};
use tokio::task::JoinSet;
use tracing::Instrument;

use crate::credentials::Credentials;
use crate::endpoint::Endpoint;
use crate::env::{Clock, NonceSource, RandomNonces, Sleeper, SystemClock, TokioSleeper};
use crate::error::{CallError, CallErrorKind, ClientError, GaveUp};
use crate::request::{PlanItem, RequestBuilder, RequestError};
use crate::retry::{Pacer, RetryPolicy};

/// The default per-attempt timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default number of requests in flight.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// The default rate limit: the documented 100 calls per minute.
pub const DEFAULT_RATE_LIMIT_PER_MINUTE: u32 = 100;

/// Builds a [`Client`]; start with [`Client::builder`].
pub struct ClientBuilder {
    requests: RequestBuilder,
    transport: Option<Arc<dyn Transport>>,
    timeout: Duration,
    retry: RetryPolicy,
    concurrency: NonZeroUsize,
    rate_limit_per_minute: u32,
    batch_size: Option<NonZeroUsize>,
    clock: Arc<dyn Clock>,
    nonces: Arc<dyn NonceSource>,
    sleeper: Arc<dyn Sleeper>,
    jitter_seed: Option<u64>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("requests", &self.requests)
            // A transport's own Debug may show what it recorded (the mocks do).
            .field(
                "transport",
                &self.transport.as_ref().map(|_| "dyn Transport"),
            )
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("concurrency", &self.concurrency)
            .field("rate_limit_per_minute", &self.rate_limit_per_minute)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Sends to `endpoint` (default `https://cdn.api.qcloud.com/v2/index.php`).
    #[must_use]
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.requests = self.requests.with_endpoint(endpoint);
        self
    }

    /// GET or POST (the default).
    #[must_use]
    pub fn method(mut self, method: HttpMethod) -> Self {
        self.requests = self.requests.with_method(method);
        self
    }

    /// HmacSHA1 (the default) or HmacSHA256.
    #[must_use]
    pub fn signature_method(mut self, method: SignatureMethod) -> Self {
        self.requests = self.requests.with_signature_method(method);
        self
    }

    /// Adds an extra signed parameter to every request; see
    /// [`RequestBuilder::with_extra_param`].
    ///
    /// # Errors
    /// When the name is reserved, empty or repeated.
    pub fn extra_param(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self, RequestError> {
        self.requests = self.requests.with_extra_param(name, value)?;
        Ok(self)
    }

    /// Sends through `transport` instead of the default [`HyperTransport`].
    #[must_use]
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// The per-attempt timeout (default 30 s): given to the default
    /// transport as its total timeout, and enforced by the client around
    /// any transport.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]).
    #[must_use]
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How many requests [`Client::submit`] keeps in flight (default 4).
    #[must_use]
    pub fn concurrency(mut self, concurrency: NonZeroUsize) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// The most HTTP requests per sliding minute, retries included (default
    /// 100, the documented limit; 0 turns pacing off).
    #[must_use]
    pub fn rate_limit_per_minute(mut self, limit: u32) -> Self {
        self.rate_limit_per_minute = limit;
        self
    }

    /// At most this many URLs per request in [`Client::submit`], below the
    /// operation's own limit.
    #[must_use]
    pub fn batch_size(mut self, size: Option<NonZeroUsize>) -> Self {
        self.batch_size = size;
        self
    }

    /// The clock (default [`SystemClock`]).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The nonce source (default [`RandomNonces`]).
    #[must_use]
    pub fn nonce_source(mut self, nonces: Arc<dyn NonceSource>) -> Self {
        self.nonces = nonces;
        self
    }

    /// The sleeper (default [`TokioSleeper`]).
    #[must_use]
    pub fn sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = sleeper;
        self
    }

    /// Seeds the backoff jitter, for reproducible schedules.
    #[must_use]
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// When no transport was given and the default one cannot be set up
    /// (its TLS roots or proxy settings).
    pub fn build(self) -> Result<Client, ClientError> {
        let transport = match self.transport {
            Some(transport) => transport,
            None => Arc::new(
                HyperTransport::builder()
                    .total_timeout(self.timeout)
                    .build()
                    .map_err(ClientError::transport)?,
            ),
        };
        let pacer = (self.rate_limit_per_minute > 0)
            .then(|| Mutex::new(Pacer::new(self.rate_limit_per_minute as usize)));
        let rng = match self.jitter_seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                requests: self.requests,
                transport,
                timeout: self.timeout,
                retry: self.retry,
                concurrency: self.concurrency,
                batch_size: self.batch_size,
                clock: self.clock,
                nonces: self.nonces,
                sleeper: self.sleeper,
                pacer,
                rng: Mutex::new(rng),
            }),
        })
    }
}

/// The client: signs, sends, retries, batches and paces
/// `FlushOrPushOverall` calls. Cheap to clone (shared state).
///
/// Build one with [`Client::builder`]; see the [crate documentation](crate)
/// for an example.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    requests: RequestBuilder,
    transport: Arc<dyn Transport>,
    timeout: Duration,
    retry: RetryPolicy,
    concurrency: NonZeroUsize,
    batch_size: Option<NonZeroUsize>,
    clock: Arc<dyn Clock>,
    nonces: Arc<dyn NonceSource>,
    sleeper: Arc<dyn Sleeper>,
    pacer: Option<Mutex<Pacer>>,
    rng: Mutex<fastrand::Rng>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("requests", &self.inner.requests)
            .field("transport", &"dyn Transport")
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .field("concurrency", &self.inner.concurrency)
            .field("paced", &self.inner.pacer.is_some())
            .finish_non_exhaustive()
    }
}

/// A successful call.
#[derive(Debug, Clone, PartialEq)]
pub struct CallOutcome {
    /// The success envelope (`code` 0).
    pub envelope: Envelope,
    /// Attempts made, the successful one included.
    pub attempts: u32,
    /// HTTP requests handed to the transport.
    pub requests_sent: usize,
}

/// A URL that was not flushed or pushed, and the answer that decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The URL.
    pub url: CdnUrl,
    /// The API's `code`, when the server answered with one.
    pub code: Option<i64>,
    /// The module code (`(9110)…`), when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module_code: Option<i64>,
    /// What happened, fit to show a user.
    pub message: String,
}

/// What happened to one batch (one request, retries included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchReport {
    /// The batch's position in the plan, from 0.
    pub index: usize,
    /// The operation.
    pub operation: Operation,
    /// How many URLs it carried.
    pub url_count: usize,
    /// Attempts made.
    pub attempts: u32,
    /// HTTP requests sent for it.
    pub requests: usize,
    /// `None` when it succeeded, else why it failed.
    pub error: Option<CallError>,
}

/// The outcome of [`Client::submit`]: every distinct input URL appears
/// exactly once, in `succeeded` or in `failed`.
///
/// Serializes (serde) as
/// `{"succeeded":[url…],"failed":[{"url":…,"code":…,"message":…}],"requests":N}`
/// (`module_code` is added to a failure that has one); the per-batch
/// details and the duplicate count are not serialized.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Report {
    /// URLs accepted by the server, in input order.
    pub succeeded: Vec<CdnUrl>,
    /// URLs that failed, in input order.
    pub failed: Vec<Failure>,
    /// HTTP requests sent, retries included.
    pub requests: usize,
    /// Duplicate input URLs dropped (the first occurrence was kept).
    #[serde(skip)]
    pub duplicates_skipped: usize,
    /// Each batch, in plan order.
    #[serde(skip)]
    pub batches: Vec<BatchReport>,
}

impl Report {
    /// Whether every URL succeeded.
    pub fn is_success(&self) -> bool {
        self.failed.is_empty()
    }
}

/// What one attempt came to.
enum Attempt {
    Success(Envelope),
    Failure { error: CallError, retry: Retry },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Retry {
    No,
    Yes,
    /// A 4500 that looks like a replayed nonce: once, with a fresh nonce.
    OnceWithFreshNonce,
}

impl Client {
    /// A builder with `credentials` and the defaults: the default endpoint,
    /// POST, HmacSHA1, the hyper transport, a 30 s timeout, the default
    /// retry policy, concurrency 4, 100 requests per minute, the system
    /// clock, random nonces and tokio's sleep.
    pub fn builder(credentials: Credentials) -> ClientBuilder {
        ClientBuilder {
            requests: RequestBuilder::new(credentials),
            transport: None,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            concurrency: NonZeroUsize::new(DEFAULT_CONCURRENCY).unwrap_or(NonZeroUsize::MIN),
            rate_limit_per_minute: DEFAULT_RATE_LIMIT_PER_MINUTE,
            batch_size: None,
            clock: Arc::new(SystemClock::new()),
            nonces: Arc::new(RandomNonces::new()),
            sleeper: Arc::new(TokioSleeper),
            jitter_seed: None,
        }
    }

    /// The request builder the client signs with (for dry runs and plans).
    pub fn request_builder(&self) -> &RequestBuilder {
        &self.inner.requests
    }

    /// Sends one validated request, retrying as the [`RetryPolicy`] allows.
    ///
    /// Each attempt is signed afresh, with a new `Timestamp` and `Nonce`,
    /// and waits for its slot under the rate limit. Retried: transport
    /// failures (no connection, reset, timeout), HTTP 5xx other than 501
    /// (which means too large) and 429, and API codes the catalogue marks
    /// retryable (4400 rate/quota, 6000 internal, 6200 maintenance, module
    /// codes 9000, 9163, 22063). Never retried: validation (4000),
    /// authentication (4100), expiry (4200), daily quotas (22044, 22046,
    /// 23101, 21000) and other permanent codes. A 4500 (replay) is retried
    /// once with a fresh nonce when it is about the nonce; when it is about
    /// the timestamp (per its message, or the server's `Date` header
    /// disagreeing with the local clock by more than an hour) it is reported
    /// as [`CallErrorKind::ClockSkew`] with a message saying the local clock
    /// is off.
    ///
    /// **Retries spend quota.** When an answer is lost (a timeout or reset
    /// after the request went out), the server may have accepted the
    /// request; the retry then flushes or pushes the same URLs again. That
    /// is harmless to the cache (a purge or prefetch is idempotent in
    /// effect) but counts against the daily quotas and the rate limit.
    ///
    /// # Errors
    /// A [`CallError`] describing the last attempt, the attempts made and
    /// why the client stopped.
    pub async fn call(&self, request: &FlushOrPush) -> Result<CallOutcome, CallError> {
        let span = tracing::info_span!(
            "tcdn.call",
            action = ACTION,
            command = request.operation().command().as_str(),
            r#type = request.operation().url_type().as_str(),
            batch_size = request.urls().len(),
        );
        self.call_inner(request).instrument(span).await
    }

    async fn call_inner(&self, request: &FlushOrPush) -> Result<CallOutcome, CallError> {
        let inner = &*self.inner;
        let max_attempts = inner.retry.max_attempts().get();
        let mut deadline = None;
        let mut attempts = 0u32;
        let mut sent = 0usize;
        let mut fresh_nonce_retry_used = false;
        let mut last_error: Option<CallError> = None;
        loop {
            self.wait_for_slot().await;
            let now = inner.clock.monotonic();
            let deadline = *deadline
                .get_or_insert_with(|| inner.retry.total_deadline().map(|budget| now + budget));
            if let Some(error) = last_error.take()
                && deadline.is_some_and(|deadline| now >= deadline)
            {
                // The wait for a rate-limit slot ran past the deadline.
                return Err(finish_error(error, GaveUp::DeadlineReached, attempts, sent));
            }
            attempts += 1;
            let prepared = inner.requests.prepare(
                request,
                inner.clock.unix_seconds(),
                inner.nonces.next_nonce(),
            );
            if !prepared.fits_wire_limit() {
                let error = CallError::new(
                    CallErrorKind::RequestTooLarge,
                    format!(
                        "the request is {} bytes, over the {} limit of the server (GET 32 KB \
                         request target, POST 1 MB body); send fewer or shorter URLs per request",
                        prepared.wire_size(),
                        prepared.method()
                    ),
                );
                return Err(finish_error(
                    error,
                    GaveUp::NotRetryable,
                    attempts - 1,
                    sent,
                ));
            }
            let http_request = match http::Request::<Bytes>::try_from(prepared) {
                Ok(http_request) => http_request,
                Err(err) => {
                    let error = CallError::new(
                        CallErrorKind::InvalidRequest,
                        format!("cannot build the HTTP request: {err}"),
                    );
                    return Err(finish_error(
                        error,
                        GaveUp::NotRetryable,
                        attempts - 1,
                        sent,
                    ));
                }
            };
            let timeout = match deadline {
                Some(deadline) => inner.timeout.min(deadline.saturating_sub(now)),
                None => inner.timeout,
            };
            sent += 1;
            let attempt_span = tracing::debug_span!("tcdn.attempt", attempt = attempts);
            let started = inner.clock.monotonic();
            let result = self
                .send_with_timeout(http_request, timeout)
                .instrument(attempt_span.clone())
                .await;
            let latency_ms = (inner.clock.monotonic().saturating_sub(started)).as_millis() as u64;
            let attempt = self.judge(result);
            let (error, retry) = match attempt {
                Attempt::Success(envelope) => {
                    tracing::info!(parent: &attempt_span, code = 0, latency_ms, "accepted");
                    return Ok(CallOutcome {
                        envelope,
                        attempts,
                        requests_sent: sent,
                    });
                }
                Attempt::Failure { error, retry } => (error, retry),
            };
            tracing::warn!(
                parent: &attempt_span,
                code = error.code,
                module_code = error.module_code,
                http_status = error.http_status,
                latency_ms,
                error = %error.message,
                "attempt failed"
            );
            let retry = match retry {
                Retry::OnceWithFreshNonce if !fresh_nonce_retry_used => {
                    fresh_nonce_retry_used = true;
                    true
                }
                Retry::OnceWithFreshNonce | Retry::No => false,
                Retry::Yes => true,
            };
            if !retry {
                return Err(finish_error(error, GaveUp::NotRetryable, attempts, sent));
            }
            if attempts >= max_attempts {
                return Err(finish_error(
                    error,
                    GaveUp::AttemptsExhausted,
                    attempts,
                    sent,
                ));
            }
            let delay = {
                let mut rng = inner.rng.lock().unwrap_or_else(PoisonError::into_inner);
                inner.retry.backoff(attempts, &mut rng)
            };
            let now = inner.clock.monotonic();
            if deadline.is_some_and(|deadline| now + delay >= deadline) {
                return Err(finish_error(error, GaveUp::DeadlineReached, attempts, sent));
            }
            tracing::debug!(parent: &attempt_span, delay_ms = delay.as_millis() as u64, "backing off");
            inner.sleeper.sleep(delay).await;
            last_error = Some(error);
        }
    }

    /// Waits until the pacer allows another request.
    async fn wait_for_slot(&self) {
        let Some(pacer) = &self.inner.pacer else {
            return;
        };
        let now = self.inner.clock.monotonic();
        let at = pacer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .reserve(now);
        if at > now {
            tracing::debug!(
                wait_ms = (at - now).as_millis() as u64,
                "pacing to the rate limit"
            );
            self.inner.sleeper.sleep(at - now).await;
        }
    }

    async fn send_with_timeout(
        &self,
        request: http::Request<Bytes>,
        timeout: Duration,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let send = self.inner.transport.send(request);
        let expire = self.inner.sleeper.sleep(timeout);
        tokio::select! {
            biased;
            result = send => result,
            () = expire => Err(TransportError::timeout(format!(
                "no complete answer within {:.1} s",
                timeout.as_secs_f64()
            ))),
        }
    }

    fn judge(&self, result: Result<http::Response<Bytes>, TransportError>) -> Attempt {
        let response = match result {
            Ok(response) => response,
            Err(err) => {
                let retry = match err.kind() {
                    ErrorKind::Connect | ErrorKind::Timeout | ErrorKind::Io | ErrorKind::Proxy => {
                        Retry::Yes
                    }
                    _ => Retry::No,
                };
                return Attempt::Failure {
                    error: CallError::new(CallErrorKind::Transport, err.to_string()),
                    retry,
                };
            }
        };
        let status = response.status().as_u16();
        let envelope = Envelope::from_slice(response.body());
        if !response.status().is_success() {
            let (kind, retry, what) = match status {
                501 => (
                    CallErrorKind::RequestTooLarge,
                    Retry::No,
                    "the request is too large for the server (GET 32 KB, POST 1 MB)".to_owned(),
                ),
                429 | 500..=599 => (
                    CallErrorKind::HttpStatus,
                    Retry::Yes,
                    "the server had a temporary problem".to_owned(),
                ),
                _ => (
                    CallErrorKind::HttpStatus,
                    Retry::No,
                    format!("unexpected answer: {}", snippet(response.body())),
                ),
            };
            let mut error = CallError::new(kind, format!("HTTP {status}: {what}"));
            error.http_status = Some(status);
            if let Ok(envelope) = &envelope
                && !envelope.is_success()
            {
                error.code = Some(envelope.code());
                error.module_code = envelope.module_code().map(|m| m.code());
            }
            return Attempt::Failure { error, retry };
        }
        let envelope = match envelope {
            Ok(envelope) => envelope,
            Err(err) => {
                let mut error = CallError::new(
                    CallErrorKind::InvalidResponse,
                    format!("HTTP {status} with an unreadable answer: {err}"),
                );
                error.http_status = Some(status);
                return Attempt::Failure {
                    error,
                    retry: Retry::No,
                };
            }
        };
        if envelope.is_success() {
            return Attempt::Success(envelope);
        }
        let code = envelope.code();
        let module = envelope.module_code();
        let mut text = format!("API error {}", CommonCode::from_code(code));
        if let Some(module) = module {
            text.push_str(&format!(", module code {module}"));
        }
        if !envelope.message_text().is_empty() {
            text.push_str(": ");
            text.push_str(envelope.message_text());
        }
        let mut kind = CallErrorKind::Api;
        let retry = if code == CommonCode::Replay.code() {
            match replay_cause(&envelope, &response, self.inner.clock.unix_seconds()) {
                ReplayCause::Clock(detail) => {
                    kind = CallErrorKind::ClockSkew;
                    text = format!(
                        "{text} — the local clock is off{detail}: the Timestamp must be within 2 \
                         hours of the server's time; fix the system clock"
                    );
                    Retry::No
                }
                ReplayCause::Nonce => Retry::OnceWithFreshNonce,
            }
        } else {
            if code == CommonCode::RequestExpired.code() {
                text.push_str(" (check that the local clock is right)");
            }
            match envelope.retryability() {
                Some(Retryability::Retryable) => Retry::Yes,
                _ => Retry::No,
            }
        };
        let mut error = CallError::new(kind, text);
        error.http_status = Some(status);
        error.code = Some(code);
        error.module_code = module.map(|m| m.code());
        Attempt::Failure { error, retry }
    }

    /// Flushes or pushes any number of URLs: dedupes them (first wins),
    /// plans them into batches within the per-request count, the optional
    /// batch size and the wire size limit, sends the batches with bounded
    /// concurrency under the rate limit (each with [`call`](Self::call)'s
    /// retries), and reports every URL's outcome.
    ///
    /// Must run inside a tokio runtime (batches are tokio tasks). Never
    /// fails as a whole: failures are per URL in the [`Report`].
    pub async fn submit(
        &self,
        operation: Operation,
        areas: Areas,
        urls: impl IntoIterator<Item = CdnUrl>,
    ) -> Report {
        self.submit_with_progress(operation, areas, urls, |_| {})
            .await
    }

    /// [`submit`](Self::submit), calling `on_batch` as each batch finishes
    /// (in completion order), e.g. to move a progress bar.
    pub async fn submit_with_progress(
        &self,
        operation: Operation,
        areas: Areas,
        urls: impl IntoIterator<Item = CdnUrl>,
        mut on_batch: impl FnMut(&BatchReport) + Send,
    ) -> Report {
        let mut plan = self
            .inner
            .requests
            .plan(operation, areas, urls, self.inner.batch_size);
        let mut outcomes: Vec<Option<(FlushOrPush, BatchReport)>> = Vec::new();
        // Unsendable URLs, with the index of the batch they precede, so the
        // report keeps input order.
        let mut unsendable: Vec<(usize, Failure)> = Vec::new();
        let mut tasks = JoinSet::new();
        let mut planned = 0usize;
        let mut exhausted = false;
        loop {
            while !exhausted && tasks.len() < self.inner.concurrency.get() {
                match plan.next() {
                    Some(PlanItem::Batch(batch)) => {
                        let index = planned;
                        planned += 1;
                        outcomes.push(None);
                        let client = self.clone();
                        let span = tracing::info_span!("tcdn.batch", batch = index);
                        tasks.spawn(
                            async move {
                                let result = client.call(&batch).await;
                                (index, batch, result)
                            }
                            .instrument(span),
                        );
                    }
                    Some(PlanItem::TooLarge(too_large)) => {
                        let message = too_large.to_string();
                        unsendable.push((
                            planned,
                            Failure {
                                url: too_large.url,
                                code: None,
                                module_code: None,
                                message,
                            },
                        ));
                    }
                    None => exhausted = true,
                }
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            let (index, batch, result) = match joined {
                Ok(done) => done,
                Err(err) => match err.try_into_panic() {
                    Ok(panic) => std::panic::resume_unwind(panic),
                    Err(err) => unreachable!("batch tasks are never cancelled: {err}"),
                },
            };
            let (attempts, requests, error) = match result {
                Ok(outcome) => (outcome.attempts, outcome.requests_sent, None),
                Err(error) => (error.attempts(), error.requests_sent(), Some(error)),
            };
            let report = BatchReport {
                index,
                operation,
                url_count: batch.urls().len(),
                attempts,
                requests,
                error,
            };
            on_batch(&report);
            outcomes[index] = Some((batch, report));
        }

        let mut report = Report {
            duplicates_skipped: plan.duplicates_skipped(),
            ..Report::default()
        };
        let mut unsendable = unsendable.into_iter().peekable();
        for (index, (batch, batch_report)) in outcomes.into_iter().flatten().enumerate() {
            while let Some((_, failure)) = unsendable.next_if(|(before, _)| *before <= index) {
                report.failed.push(failure);
            }
            report.requests += batch_report.requests;
            match &batch_report.error {
                None => report.succeeded.extend(batch.into_urls()),
                Some(error) => report
                    .failed
                    .extend(batch.into_urls().into_iter().map(|url| Failure {
                        url,
                        code: error.code(),
                        module_code: error.module_code(),
                        message: error.to_string(),
                    })),
            }
            report.batches.push(batch_report);
        }
        report.failed.extend(unsendable.map(|(_, failure)| failure));
        report
    }

    /// [`submit`](Self::submit) of [`Operation::FlushUrls`].
    pub async fn flush_urls(&self, areas: Areas, urls: impl IntoIterator<Item = CdnUrl>) -> Report {
        self.submit(Operation::FlushUrls, areas, urls).await
    }

    /// [`submit`](Self::submit) of [`Operation::FlushDirs`].
    pub async fn flush_dirs(&self, areas: Areas, dirs: impl IntoIterator<Item = CdnUrl>) -> Report {
        self.submit(Operation::FlushDirs, areas, dirs).await
    }

    /// [`submit`](Self::submit) of [`Operation::PushUrls`].
    pub async fn push_urls(&self, areas: Areas, urls: impl IntoIterator<Item = CdnUrl>) -> Report {
        self.submit(Operation::PushUrls, areas, urls).await
    }
}

fn finish_error(mut error: CallError, gave_up: GaveUp, attempts: u32, sent: usize) -> CallError {
    error.gave_up = gave_up;
    error.attempts = attempts;
    error.requests_sent = sent;
    error
}

/// At most 200 characters of a body, for messages.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        out.push('…');
    }
    if out.is_empty() {
        out.push_str("(empty body)");
    }
    out
}

enum ReplayCause {
    /// The detail to add after "the local clock is off".
    Clock(String),
    Nonce,
}

/// Why a 4500 was answered: the message is read first (English or Chinese
/// words for time or nonce); when it names both or neither, the `Date`
/// header decides (more than an hour off means the clock); otherwise the
/// nonce is assumed.
fn replay_cause(
    envelope: &Envelope,
    response: &http::Response<Bytes>,
    local_unix: u64,
) -> ReplayCause {
    let message = envelope.message().to_lowercase();
    let about_nonce = message.contains("nonce");
    let about_time = ["timestamp", "clock", "time", "时间", "时钟"]
        .iter()
        .any(|word| message.contains(word));
    let server_unix = response
        .headers()
        .get(http::header::DATE)
        .and_then(|value| value.to_str().ok())
        .and_then(parse_http_date);
    let skew = server_unix.map(|server| local_unix as i64 - server as i64);
    let detail = match skew {
        Some(skew) if skew > 0 => format!(" (about {skew} s ahead of the server's Date header)"),
        Some(skew) if skew < 0 => {
            format!(" (about {} s behind the server's Date header)", -skew)
        }
        _ => String::new(),
    };
    let clock_disagrees = skew.is_some_and(|skew| skew.unsigned_abs() > 3600);
    match (about_time, about_nonce) {
        (true, false) => ReplayCause::Clock(detail),
        (false, true) => ReplayCause::Nonce,
        _ if clock_disagrees => ReplayCause::Clock(detail),
        _ => ReplayCause::Nonce,
    }
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) into Unix
/// seconds.
fn parse_http_date(text: &str) -> Option<u64> {
    let mut parts = text.split_whitespace();
    let _weekday = parts.next()?;
    let day: u64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut clock = parts.next()?.split(':');
    let hour: u64 = clock.next()?.parse().ok()?;
    let minute: u64 = clock.next()?.parse().ok()?;
    let second: u64 = clock.next()?.parse().ok()?;
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60
    {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * m + 2) / 5 + day as i64 - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    let seconds = days * 86_400 + (hour * 3600 + minute * 60 + second) as i64;
    u64::try_from(seconds).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_parse() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_http_date("Tue, 14 Nov 2023 22:13:20 GMT"),
            Some(1_700_000_000)
        );
        assert_eq!(parse_http_date("Tue, 14 Nov 2023 22:13:20 UTC"), None);
        assert_eq!(parse_http_date("garbage"), None);
    }
}
