//! [`Client`] and [`ClientBuilder`]: the configuration, and the public
//! entry points, which hand the work to the core (`crate::core`) with the
//! API's backend (`crate::api`): one call with retries ([`Client::call`]),
//! and any number of URLs with batching, bounded concurrency and pacing
//! ([`Client::submit`]).

use std::fmt;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tcdn_model::{Areas, CdnUrl, Envelope, FlushOrPush, Operation};
use tcdn_sign::{HttpMethod, SignatureMethod};
use tcdn_transport::{HyperTransport, Transport};

use crate::api::Backend;
use crate::api::v2::{self, RequestBuilder, RequestError, V2};
use crate::clock::{Clock, Sleeper, SystemClock, TokioSleeper};
use crate::core::dedupe::DistinctUrls;
use crate::core::pace::Pacing;
use crate::core::retry::RetryPolicy;
use crate::core::{Core, call, submit};
use crate::credentials::Credentials;
use crate::endpoint::Endpoint;
use crate::error::{CallError, ClientError};
use crate::nonce::{NonceSource, RandomNonces};
use crate::report::{BatchReport, CallOutcome, Report};

/// The default per-attempt timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default number of requests in flight.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// The default rate limit: API 2.0's documented 100 calls per minute.
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
        let backend = V2 {
            requests: self.requests,
        };
        // The limit is given per minute and scaled to the server's window.
        let window = backend.rate_window();
        let pacing = Pacing::new(
            window.limit(self.rate_limit_per_minute),
            window.window + window.margin,
        );
        let rng = match self.jitter_seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        Ok(Client {
            core: Arc::new(Core {
                transport,
                timeout: self.timeout,
                retry: self.retry,
                concurrency: self.concurrency,
                batch_size: self.batch_size,
                clock: self.clock,
                nonces: self.nonces,
                sleeper: self.sleeper,
                pacing,
                rng: Mutex::new(rng),
            }),
            v2: Arc::new(backend),
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
    core: Arc<Core>,
    v2: Arc<V2>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("requests", &self.v2.requests)
            .field("core", &self.core)
            .finish_non_exhaustive()
    }
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
        &self.v2.requests
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
    /// as [`CallErrorKind::ClockSkew`](crate::error::CallErrorKind::ClockSkew)
    /// with a message saying the local clock is off.
    ///
    /// **Retries spend quota.** When an answer is lost (a timeout or reset
    /// after the request went out), the server may have accepted the
    /// request; the retry then flushes or pushes the same URLs again. That
    /// is harmless to the cache (a purge or prefetch is idempotent in
    /// effect) but counts against the daily quotas and the rate limit.
    /// API 2.0 has no way to look tasks up before resending.
    ///
    /// # Errors
    /// A [`CallError`] describing the last attempt, the attempts made and
    /// why the client stopped.
    pub async fn call(&self, request: &FlushOrPush) -> Result<CallOutcome, CallError> {
        let called = call::call(&self.core, &*self.v2, request.clone(), true).await;
        let receipt = called.result?;
        Ok(CallOutcome {
            // Only a lookup finds URLs applied without an answer of its own,
            // and API 2.0 has none: a success always carries its envelope.
            envelope: receipt.unwrap_or_else(Envelope::success),
            attempts: called.attempts,
            requests_sent: called.requests,
        })
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
        on_batch: impl FnMut(&BatchReport) + Send,
    ) -> Report {
        self.submit_distinct(operation, areas, urls.into_iter().collect(), on_batch)
            .await
    }

    /// [`submit_with_progress`](Self::submit_with_progress) of URLs already
    /// deduplicated (as the CLI does while reading its input): they are not
    /// deduplicated again, and the report's `duplicates_skipped` is the
    /// repeats `urls` dropped.
    pub async fn submit_distinct(
        &self,
        operation: Operation,
        areas: Areas,
        urls: DistinctUrls,
        on_batch: impl FnMut(&BatchReport) + Send,
    ) -> Report {
        let job = v2::Job { operation, areas };
        submit::submit(
            self.core.clone(),
            self.v2.clone(),
            job,
            operation,
            urls,
            on_batch,
        )
        .await
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
