//! tcdn: flush (purge) and push (prefetch) Tencent Cloud CDN caches through
//! API 3.0 (`PurgeUrlsCache`, `PurgePathCache`, `PushUrlsCache`, and the
//! task and quota queries; the default) or the legacy API 2.0 action
//! `FlushOrPushOverall`, for any number of URLs, with batching, pacing,
//! retries, lookups of lost answers, waiting, and an outcome for every URL.
//!
//! # Main types
//!
//! The names most users need are at the root; the rest are grouped in
//! modules.
//!
//! - [`Client`] (built by [`ClientBuilder`] from [`Client::builder`]): the
//!   client of either [`Api`] (API 3.0 by default).
//!   [`Client::submit_job`] takes a [`Job`] (operation, areas, API 3.0's
//!   flush type, push options and `UrlEncode`) and any number of URLs, and
//!   returns a [`Report`]; [`submit`](Client::submit),
//!   [`flush_urls`](Client::flush_urls), [`flush_dirs`](Client::flush_dirs)
//!   and [`push_urls`](Client::push_urls) are its short forms, and
//!   [`submit_job_until`](Client::submit_job_until) takes a [`Cancel`] that
//!   interrupts it (a Ctrl-C handler): no new request starts and the URLs
//!   never sent are reported as such.
//!   [`Client::wait`] waits until a report's tasks are finished
//!   ([`wait_until`](Client::wait_until) with a [`Cancel`]), and
//!   [`wait_tasks`](Client::wait_tasks) until tasks named by id are;
//!   [`task_logs`](Client::task_logs),
//!   [`describe_purge_tasks`](Client::describe_purge_tasks),
//!   [`describe_push_tasks`](Client::describe_push_tasks),
//!   [`purge_quota`](Client::purge_quota) and
//!   [`push_quota`](Client::push_quota) are API 3.0's queries.
//!   [`Client::call`] sends one validated [`FlushOrPush`] and returns a
//!   [`CallOutcome`](report::CallOutcome) or a [`CallError`].
//!   [`Client::sign_plan`] yields, for a dry run, the requests a submission
//!   would send, in plan order, as [`SignedRequest`](client::SignedRequest)s
//!   of either API or of EdgeOne (in the job's zone), from a client that may
//!   be built [offline](ClientBuilder::build_offline);
//!   [`Client::sign_targets_plan`] those of an EdgeOne purge of hosts, cache
//!   tags or a whole zone.
//! - [`report`]: the [`Report`] has every distinct input URL exactly once,
//!   in `succeeded`, in `failed` (a [`Failure`] with the code, API 3.0's
//!   string code and request id, and whether the server may have applied it
//!   anyway) or in `not_sent`; the HTTP requests sent, the tasks the server
//!   created (`TaskId` and URLs), and a [`BatchReport`](report::BatchReport)
//!   per request.
//! - [`wait`]: the poll schedule (by time window, many tasks a call),
//!   [`TaskLog`](wait::TaskLog) and [`WaitSummary`](wait::WaitSummary).
//! - [`credentials`]: [`Credentials`] and [`CredentialChain`] (keys from the
//!   environment, tccli's files or the SDKs' INI file), and the pure
//!   parsers.
//! - [`v3`]: API 3.0's [`RequestBuilder`](v3::RequestBuilder), which signs a
//!   [`model::v3::Request`] with TC3-HMAC-SHA256 or
//!   the v1 signature ([`Signing`](v3::Signing)) into a
//!   [`PreparedRequest`](v3::PreparedRequest) (method, URL, headers, body),
//!   reusing the TC3 key derived for the day, and plans URLs into calls
//!   ([`Plan`](v3::Plan), or [`BorrowedPlan`](v3::BorrowedPlan) over URLs
//!   it borrows, each [`PlannedCall`](v3::PlannedCall) signed in place by
//!   [`prepare_call`](v3::RequestBuilder::prepare_call)), for dry runs
//!   without a client.
//! - [`v2`]: API 2.0's [`RequestBuilder`](v2::RequestBuilder), the pure,
//!   allocation-lean signer that turns a [`FlushOrPush`], a timestamp and a
//!   [`Nonce`](nonce::Nonce) into a [`PreparedRequest`](v2::PreparedRequest)
//!   (method, URL, form body), and plans URLs into requests that fit the
//!   wire ([`BatchPlan`](v2::BatchPlan), or
//!   [`BorrowedBatchPlan`](v2::BorrowedBatchPlan) of
//!   [`PlannedBatch`](v2::PlannedBatch)es over URLs it borrows, signed in
//!   place by [`prepare_batch`](v2::RequestBuilder::prepare_batch)).
//! - [`plan`]: [`DistinctUrls`](plan::DistinctUrls), URLs deduplicated
//!   without a second copy of each and held in one text buffer (text goes
//!   in through an [`Inserter`](plan::Inserter) with no allocation per
//!   URL), [`UrlRange`](plan::UrlRange) (a planned batch's URLs, borrowed
//!   from it) and [`TooLarge`](plan::TooLarge).
//! - [`endpoint`]: [`Endpoint`]; [`Endpoint::default_for`] an API
//!   (`https://cdn.tencentcloudapi.com/`,
//!   `https://cdn.api.qcloud.com/v2/index.php`), [`Endpoint::parse_for`] to
//!   give an origin; `http` only to loopback (the emulator).
//! - [`retry`] and [`pacing`]: [`RetryPolicy`] (attempts, exponential backoff
//!   with full jitter, a total deadline) and the rate windows.
//! - [`clock`] and [`nonce`]: the injected [`Clock`](clock::Clock),
//!   [`Sleeper`](clock::Sleeper) and [`NonceSource`](nonce::NonceSource),
//!   and reproducible [`SequentialNonces`](nonce::SequentialNonces); with
//!   the `test-util` feature, `test_util` has deterministic doubles
//!   (`ManualClock`, `ManualSleeper`) and the transport's mocks.
//! - [`error`]: [`CallError`] and [`ClientError`].
//! - [`model`], [`sign`] and [`transport`]: the crates tcdn is built on
//!   (`tcdn-model`, `tcdn-sign`, `tcdn-transport`), re-exported whole.
//!
//! # Real use
//!
//! ```no_run
//! use std::time::Duration;
//! use tcdn::{Areas, Client, CredentialChain};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // API 3.0, TC3-HMAC-SHA256, https://cdn.tencentcloudapi.com/.
//! let client = Client::builder(CredentialChain::from_process().resolve()?).build()?;
//! let urls = ["https://www.example.com/a.css".parse()?, "https://www.example.com/b.js".parse()?];
//! let mut report = client.flush_urls(Areas::Mainland, urls).await;
//! client.wait(&mut report, Duration::from_secs(600), |done, total| eprintln!("{done}/{total}")).await;
//! for task in &report.tasks {
//!     println!("{} {}: {} URLs", task.action, task.task_id, task.urls.len());
//! }
//! assert!(report.is_success(), "{:?}", report.failed);
//! # Ok(())
//! # }
//! ```
//!
//! `examples/purge.rs` is the same as a program; `examples/emulator.rs` runs
//! against the local emulator.
//!
//! # How it works
//!
//! The client core (`src/core/`) is the same for every API: it plans
//! batches, paces, sends, classifies each answer through the API's backend,
//! retries (or, where the API can look tasks up, reconciles a lost answer
//! before resending), and reports. Each API (`src/api/`) builds its signed
//! requests and classifies its answers.
//!
//! # Example
//!
//! API 2.0, with the scripted mock transport (feature `test-util`) instead
//! of the network (`tests/v3.rs` runs API 3.0 against an in-process server):
//!
//! ```
//! use std::sync::Arc;
//! use tcdn::test_util::mock::ScriptedTransport;
//! use tcdn::{Api, Areas, CdnUrl, Client, Credentials};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ok = r#"{"code":0,"message":"","codeDesc":"Success"}"#;
//! let refused = r#"{"code":4000,"message":"(9110)no such host","codeDesc":"9110"}"#;
//! // 25 directories make two requests (at most 20 per flush of directories).
//! let transport = Arc::new(ScriptedTransport::new().then_respond(200, ok).then_respond(200, refused));
//!
//! let client = Client::builder(Credentials::new("AKIDexample", "secret-key")?)
//!     .api(Api::V2)
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
//! assert!(!report.failed[0].maybe_applied);
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
//! [`Client::submit_job`] takes URLs deduplicated (the first wins), packs
//! them in order into calls of at most the action's count (API 3.0: 1000
//! purged URLs, the quota's `Batch` of directories (100 by default), 500
//! pushed URLs; API 2.0: 1000 URLs, 20 directories, 20 pushes), or the
//! builder's `batch_size`, each within the wire limit (API 3.0: 10 MiB TC3
//! POST body, 1 MiB form POST body; both: 32 KiB GET request target; API
//! 2.0: 1 MB POST body). It sends up to `concurrency` calls at a time and
//! paces every HTTP request, retries and lookups included, as the server
//! counts: API 3.0 20 calls per second per action (1200 per minute), API
//! 2.0 100 calls per minute in all.
//!
//! # Retries, and what they cost
//!
//! Each attempt is signed afresh with a new timestamp and nonce. Transport
//! failures, HTTP 5xx and 429, and the API's transient codes (API 3.0:
//! `RequestLimitExceeded`, `InternalError.*`, `…TooOften`,
//! `ResourceInUse.*`; API 2.0: 4400, 6000, 6200, module codes 9000, 9163,
//! 22063) are retried with exponential backoff and full jitter, within
//! [`RetryPolicy`]'s attempts and total deadline. Validation,
//! authentication (`AuthFailure.*`), exhausted daily quotas and other
//! permanent codes are not. A clock problem (`AuthFailure.SignatureExpire`;
//! API 2.0's 4500 about the timestamp) is reported as
//! [`CallErrorKind::ClockSkew`](error::CallErrorKind::ClockSkew); an API
//! 2.0 4500 about the nonce is retried once.
//!
//! A flush or push repeated after a lost answer (a timeout or reset after
//! the request went out) would spend quota twice. Under API 3.0 the client
//! looks the URLs up first (`DescribePurgeTasks` / `DescribePushTasks` from
//! the first attempt's time, by keyword, paged) and resends only those not
//! found; those found succeed with their `TaskId`. API 2.0 cannot look
//! tasks up, so its retries resend the whole batch: lower
//! [`RetryPolicy::with_retries`] when its quota is tight.
//!
//! # Observability
//!
//! `tracing` spans `tcdn.batch` (batch index), `tcdn.call` (action,
//! command, type, batch size) and `tcdn.attempt` (attempt number), with
//! events for acceptance and failures (code, module code, HTTP status,
//! latency) and for backoff and pacing waits. Signatures, tokens, the secret
//! key and query strings are never recorded.
#![forbid(unsafe_code)]

mod api;
mod cancel;
pub mod client;
pub mod clock;
mod core;
pub mod credentials;
mod domains;
pub mod endpoint;
pub mod error;
mod job;
pub mod nonce;
pub mod report;
#[cfg(feature = "test-util")]
pub mod test_util;
mod text;
pub mod wait;

/// Retries: [`RetryPolicy`] and its [`Jitter`](retry::Jitter).
pub mod retry {
    pub use crate::core::retry::{Jitter, RetryPolicy};
}

/// Pacing: every HTTP request, retries included, waits until the server's
/// rate window has room (API 3.0: 20 calls of each action in any second;
/// API 2.0: 100 calls in any 60 s, by default).
pub mod pacing {
    pub use crate::client::{DEFAULT_V2_RATE_LIMIT_PER_MINUTE, DEFAULT_V3_RATE_LIMIT_PER_MINUTE};
    pub use crate::core::pace::{PACING_MARGIN, RATE_WINDOW};
}

/// Planning: URLs deduplicated once ([`DistinctUrls`](plan::DistinctUrls),
/// filled fastest through an [`Inserter`](plan::Inserter)), a borrowed
/// plan's batch of them ([`UrlRange`](plan::UrlRange)) and the URLs no
/// request can hold ([`TooLarge`](plan::TooLarge)). API 2.0's plans are
/// [`v2::BatchPlan`] and [`v2::BorrowedBatchPlan`]; API 3.0's are
/// [`v3::Plan`] and [`v3::BorrowedPlan`].
pub mod plan {
    pub use crate::core::dedupe::{DistinctUrls, Inserter};
    pub use crate::core::plan::{TooLarge, UrlRange};
}

/// API 2.0 (`FlushOrPushOverall`): request building and batch plans without
/// a client, and the wire limits (docs/protocol.md §1, §4).
pub mod v2 {
    pub use crate::api::v2::{
        BatchPlan, BorrowedBatchPlan, MAX_GET_REQUEST_TARGET_LEN, MAX_POST_BODY_LEN, PlanItem,
        PlannedBatch, PreparedRequest, RequestBuilder, RequestError, RequestErrorKind,
    };
}

/// API 3.0: request building and call plans without a client (dry runs),
/// and the signing choices (docs/protocol.md §5, §6). The actions' types
/// are [`model::v3`].
pub mod v3 {
    pub use crate::api::v3::{
        BorrowedPlan, Language, Plan, PlannedCall, PreparedRequest, RequestBuilder, RequestError,
        RequestErrorKind, Signing,
    };
}

/// EdgeOne (`teo`): request signing without a client (dry runs)
/// (docs/protocol.md §13). The actions' types are [`model::teo`]; a
/// [`Client`] built with [`Product::EdgeOne`] submits to it.
pub mod edgeone {
    pub use crate::api::teo::{PreparedRequest, RequestBuilder};
    pub use crate::client::{ALL_TARGET, TargetFailure, TargetReport, TargetTask};
}

pub use tcdn_model as model;
pub use tcdn_sign as sign;
pub use tcdn_transport as transport;

pub use crate::cancel::Cancel;
pub use crate::client::{Client, ClientBuilder};
pub use crate::core::retry::RetryPolicy;
pub use crate::credentials::{CredentialChain, Credentials};
pub use crate::domains::{AccountDomains, CheckDomains, DomainCheckError};
pub use crate::endpoint::Endpoint;
pub use crate::error::{CallError, ClientError};
pub use crate::job::Job;
pub use crate::job::{Api, Product, UnknownApi, UnknownProduct};
pub use crate::report::{Failure, Report};
pub use crate::text::{printable, shown_id};
pub use tcdn_model::v2::FlushOrPush;
pub use tcdn_model::{Areas, CdnUrl, Operation};
pub use tcdn_sign::{HttpMethod, SignatureMethod};
