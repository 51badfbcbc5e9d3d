//! tcdn: flush (purge) and push (prefetch) Tencent Cloud CDN caches through
//! the API 2.0 action `FlushOrPushOverall`, for any number of URLs, with
//! batching, pacing, retries and an outcome for every URL.
//!
//! # Main types
//!
//! - [`Client`] (built by [`ClientBuilder`] from [`Client::builder`]): the
//!   client. [`Client::submit`] (and [`flush_urls`](Client::flush_urls),
//!   [`flush_dirs`](Client::flush_dirs), [`push_urls`](Client::push_urls))
//!   takes any number of URLs and returns a [`Report`];
//!   [`Client::call`] sends one validated [`FlushOrPush`] and returns a
//!   [`CallOutcome`] or a [`CallError`].
//! - [`Report`]: every distinct input URL exactly once, in `succeeded` or in
//!   `failed` (a [`Failure`] with the code and message that decided it),
//!   the number of HTTP requests sent, and a [`BatchReport`] per request.
//! - [`Credentials`] and [`CredentialChain`]: keys from the environment,
//!   tccli's files or the SDKs' INI file; [`parse_tccli_credential`] and
//!   [`parse_ini_credentials`] are the pure parsers.
//! - [`RequestBuilder`]: the pure, allocation-lean signer that turns a
//!   [`FlushOrPush`], a timestamp and a [`Nonce`] into a
//!   [`PreparedRequest`] (method, URL, form body). Its
//!   [`plan`](RequestBuilder::plan) (or [`plan_batches`]) splits URLs into
//!   requests that fit the wire; [`plan_distinct`](RequestBuilder::plan_distinct)
//!   does it over [`DistinctUrls`] (deduplicated by hash, without a second
//!   copy of every URL). Both serve dry runs without a client.
//! - [`Endpoint`]: `https://cdn.api.qcloud.com/v2/index.php` by default;
//!   `http` only to loopback (the emulator).
//! - [`RetryPolicy`]: attempts, exponential backoff with full [`Jitter`], a
//!   total deadline.
//! - [`Clock`], [`NonceSource`] and [`Sleeper`]: injected time, nonces and
//!   waiting, with deterministic doubles ([`ManualClock`],
//!   [`ManualSleeper`], [`SequentialNonces`]) for tests.
//!
//! The model ([`CdnUrl`], [`Operation`], [`Areas`], [`FlushOrPush`]) comes
//! from `tcdn-model`, signing from `tcdn-sign`, and HTTP from
//! `tcdn-transport` (any [`Transport`]); the names a user needs are
//! re-exported here.
//!
//! # Example
//!
//! With the scripted mock transport instead of the network:
//!
//! ```
//! use std::sync::Arc;
//! use tcdn::{Areas, CdnUrl, Client, Credentials};
//! use tcdn_transport::mock::ScriptedTransport;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ok = r#"{"code":0,"message":"","codeDesc":"Success"}"#;
//! let refused = r#"{"code":4000,"message":"(9110)no such host","codeDesc":"9110"}"#;
//! // 25 directories make two requests (at most 20 per flush of directories).
//! let transport = Arc::new(ScriptedTransport::new().then_respond(200, ok).then_respond(200, refused));
//!
//! let client = Client::builder(Credentials::new("AKIDexample", "secret-key")?)
//!     .transport(transport.clone())
//!     .concurrency(std::num::NonZeroUsize::MIN)
//!     .build()?;
//! let dirs = (0..25)
//!     .map(|i| format!("https://www.example.com/static/{i}/").parse::<CdnUrl>())
//!     .collect::<Result<Vec<_>, _>>()?;
//! let report = client.flush_dirs(Areas::Both, dirs).await;
//!
//! assert_eq!(report.succeeded.len(), 20);
//! assert_eq!(report.failed.len(), 5);
//! assert_eq!(report.failed[0].code, Some(4000));
//! assert_eq!(report.failed[0].module_code, Some(9110));
//! assert_eq!(report.requests, 2);
//! transport.assert_sent(2);
//! # Ok(())
//! # }
//! ```
//!
//! In production, leave the transport out (the default is hyper with rustls)
//! and take the credentials from [`CredentialChain::from_process`].
//!
//! # Credentials
//!
//! [`CredentialChain`] looks, in order, at:
//!
//! 1. `TENCENTCLOUD_SECRET_ID` and `TENCENTCLOUD_SECRET_KEY` (session token
//!    from `TENCENTCLOUD_TOKEN`, else `TENCENTCLOUD_SECURITY_TOKEN`), unless
//!    a profile was named explicitly;
//! 2. `~/.tccli/<profile>.credential` (JSON: `secretId`, `secretKey`,
//!    `token`);
//! 3. `~/.tencentcloud/credentials`, or `$TENCENTCLOUD_CREDENTIALS_FILE`
//!    (INI: `[<profile>]` with `secret_id`, `secret_key`, `token`).
//!
//! The profile is the explicit one, else `TCCLI_PROFILE`, else `default`.
//! A variable set but empty, or a file that exists but is malformed, is an
//! error naming it; when nothing is found the error names every place
//! looked at. The secret key and token never appear in `Debug`, `Display`,
//! logs or errors.
//!
//! # Batching and pacing
//!
//! [`Client::submit`] drops duplicate URLs (the first wins), packs the rest
//! in order into requests of at most 1000 URLs (flush), 20 directories or 20
//! pushes (or the builder's `batch_size`), each within the method's size
//! limit (GET: 32 KB request target; POST: 1 MB body). It sends up to
//! `concurrency` requests at a time and paces every HTTP request, retries
//! included, so that no 60 s window (plus a 1 s margin) holds more than the
//! rate limit (100 per minute by default), which is how the server counts.
//!
//! # Retries, and what they cost
//!
//! Each attempt is signed afresh with a new `Timestamp` and `Nonce`.
//! Transport failures, HTTP 5xx (but not 501, "too large") and 429, and the
//! API's transient codes (4400 rate/quota, 6000 internal error, 6200
//! maintenance, module codes 9000, 9163, 22063) are retried with exponential
//! backoff and full jitter, within [`RetryPolicy`]'s attempts and total
//! deadline. Validation (4000), authentication (4100), expired requests
//! (4200), exhausted daily quotas and other permanent codes are not. A 4500
//! ("replay") about the nonce is retried once; one about the timestamp is
//! reported as [`CallErrorKind::ClockSkew`], saying the local clock is off.
//!
//! A flush or push repeated after a lost answer (a timeout or reset after
//! the request went out) is harmless to the cache (purging or prefetching
//! twice has the same effect as once) but **spends quota**: the daily URL
//! quotas and the per-minute rate count the repeat. Lower
//! [`RetryPolicy::with_retries`] when quota is tight.
//!
//! # Observability
//!
//! `tracing` spans `tcdn.batch` (batch index), `tcdn.call` (action,
//! command, type, batch size) and `tcdn.attempt` (attempt number), with
//! events for acceptance and failures (code, module code, HTTP status,
//! latency) and for backoff and pacing waits. Signatures, tokens, the secret
//! key and query strings are never recorded.
#![forbid(unsafe_code)]

mod client;
mod credentials;
mod distinct;
mod endpoint;
mod env;
mod error;
mod request;
mod retry;

pub use client::{
    BatchReport, CallOutcome, Client, ClientBuilder, DEFAULT_CONCURRENCY,
    DEFAULT_RATE_LIMIT_PER_MINUTE, DEFAULT_TIMEOUT, Failure, Report,
};
pub use credentials::{
    CredentialChain, CredentialError, CredentialErrorKind, CredentialSource, Credentials,
    DEFAULT_PROFILE, ENV_CREDENTIALS_FILE, ENV_PROFILE, ENV_SECRET_ID, ENV_SECRET_KEY,
    ENV_SECURITY_TOKEN, ENV_TOKEN, SessionToken, parse_ini_credentials, parse_tccli_credential,
};
pub use distinct::DistinctUrls;
pub use endpoint::{DEFAULT_ENDPOINT, Endpoint, EndpointError, EndpointErrorKind};
pub use env::{
    Clock, ManualClock, ManualSleeper, Nonce, NonceError, NonceErrorKind, NonceSource,
    RandomNonces, SequentialNonces, Sleeper, SystemClock, TokioSleeper,
};
pub use error::{CallError, CallErrorKind, ClientError, ClientErrorKind, GaveUp};
pub use request::{
    BatchPlan, MAX_GET_TARGET_LEN, MAX_POST_BODY_LEN, PlanItem, PreparedRequest, RequestBuilder,
    RequestError, RequestErrorKind, TooLarge, plan_batches,
};
pub use retry::{Jitter, PACING_MARGIN, RATE_WINDOW, RetryPolicy};
pub use tcdn_model::{Areas, CdnUrl, Envelope, FlushOrPush, ModelError, ModelErrorKind, Operation};
pub use tcdn_sign::{HttpMethod, SecretKey, SignatureMethod};
pub use tcdn_transport::Transport;
