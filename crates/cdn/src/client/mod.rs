//! [`Client`] and [`ClientBuilder`]: the configuration, and the public
//! entry points, which hand the work to the core (`crate::core`) with the
//! API's backend (`crate::api`): one call with retries ([`Client::call`]),
//! and any number of URLs with batching, bounded concurrency and pacing
//! ([`Client::submit`]).

use std::fmt;
use std::sync::Arc;

use tcdn_model::v2::{Envelope, FlushOrPush};
use tcdn_model::{Areas, CdnUrl, Operation};

use crate::api::teo::{self, Teo};
use crate::api::v2::{self, RequestBuilder, V2};
use crate::api::v3::{self, V3};
use crate::cancel::Cancel;
use crate::core::backend::Backend;
use crate::core::dedupe::DistinctUrls;
use crate::core::halt::Halt;
use crate::core::{Core, call, submit};
use crate::credentials::RefreshingCredentials;
use crate::error::CallError;
use crate::job::Job;
use crate::job::{Api, Product};
use crate::report::{BatchReport, CallOutcome, Failure, Report};

mod builder;
mod domains;
mod edgeone;
mod edgeone_targets;
mod queries;
mod sign_plan;

pub(crate) use queries::unexpected;

pub use crate::domains::{AccountDomains, CheckDomains, DomainCheckError};
pub use builder::{
    ClientBuilder, DEFAULT_CONCURRENCY, DEFAULT_INTERRUPT_GRACE, DEFAULT_TIMEOUT,
    DEFAULT_V2_RATE_LIMIT_PER_MINUTE, DEFAULT_V3_RATE_LIMIT_PER_MINUTE,
};
pub use edgeone_targets::{ALL_TARGET, TargetFailure, TargetReport, TargetTask};
pub use sign_plan::{PlannedRequest, SignedPlan, SignedRequest};

/// The report of a submission none of whose URLs could be sent, for `why`.
fn unsent(urls: DistinctUrls, why: &str) -> Report {
    let duplicates_skipped = urls.duplicates();
    Report {
        failed: urls
            .list()
            .urls()
            .map(|url| Failure::unsent(url, why.to_owned()))
            .collect(),
        duplicates_skipped,
        ..Report::default()
    }
}

/// The backend of the client's API.
#[derive(Debug, Clone)]
enum Backends {
    V2(Arc<V2>),
    V3(Arc<V3>),
    EdgeOne(Arc<Teo>),
}

/// The client: signs, sends, retries, batches and paces API 3.0 calls
/// (`PurgeUrlsCache`, `PurgePathCache`, `PushUrlsCache`, the task and quota
/// queries) or API 2.0's `FlushOrPushOverall`. Cheap to clone (shared
/// state).
///
/// Build one with [`Client::builder`]; see the [crate documentation](crate)
/// for examples.
#[derive(Clone)]
pub struct Client {
    pub(crate) core: Arc<Core>,
    backend: Backends,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("backend", &self.backend)
            .field("core", &self.core)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// The credentials every attempt is signed with.
    pub fn credentials(&self) -> &Arc<RefreshingCredentials> {
        &self.core.credentials
    }

    /// The API the client speaks (EdgeOne speaks API 3.0).
    pub fn api(&self) -> Api {
        match self.backend {
            Backends::V2(_) => Api::V2,
            Backends::V3(_) | Backends::EdgeOne(_) => Api::V3,
        }
    }

    /// The product the client calls.
    pub fn product(&self) -> Product {
        match self.backend {
            Backends::V2(_) | Backends::V3(_) => Product::Cdn,
            Backends::EdgeOne(_) => Product::EdgeOne,
        }
    }

    /// EdgeOne's request builder, when the client calls EdgeOne.
    pub fn edgeone_request_builder(&self) -> Option<&teo::RequestBuilder> {
        match &self.backend {
            Backends::EdgeOne(teo) => Some(&teo.requests),
            Backends::V2(_) | Backends::V3(_) => None,
        }
    }

    /// API 2.0's request builder (for dry runs and plans), when the client
    /// speaks API 2.0.
    pub fn v2_request_builder(&self) -> Option<&RequestBuilder> {
        match &self.backend {
            Backends::V2(v2) => Some(&v2.requests),
            Backends::V3(_) | Backends::EdgeOne(_) => None,
        }
    }

    /// API 3.0's request builder, when the client speaks API 3.0.
    pub fn v3_request_builder(&self) -> Option<&v3::RequestBuilder> {
        match &self.backend {
            Backends::V3(v3) => Some(&v3.requests),
            Backends::V2(_) | Backends::EdgeOne(_) => None,
        }
    }

    /// Sends one validated request, retrying as the [`RetryPolicy`](crate::core::retry::RetryPolicy) allows;
    /// under API 3.0 it is sent as the `PurgeUrlsCache`, `PurgePathCache` or
    /// `PushUrlsCache` its operation maps to.
    ///
    /// Each attempt is signed afresh (a new timestamp and nonce) and waits
    /// for its slot under the rate limit. Retried: transport failures (no
    /// connection, reset, timeout), HTTP 5xx (API 2.0: other than 501,
    /// which means too large) and 429, and the codes the API's catalogue
    /// marks retryable (API 2.0: 4400 rate/quota, 6000 internal, 6200
    /// maintenance, module codes 9000, 9163, 22063; API 3.0:
    /// `RequestLimitExceeded`, `InternalError.*`, `…TooOften`,
    /// `ResourceInUse.*`). Never retried: validation, authentication
    /// (`AuthFailure.*`), daily quotas and other permanent codes, with one
    /// exception: temporary credentials refused because they expired in
    /// flight (`AuthFailure.TokenFailure`, API 2.0's 4100 naming it, or a
    /// signature expiry with credentials past their expiry) are refreshed
    /// and the request retried once. An
    /// API 2.0 4500 (replay) is retried once with a fresh nonce when it is
    /// about the nonce; one about the timestamp, and API 3.0's
    /// `AuthFailure.SignatureExpire`, are reported as
    /// [`CallErrorKind::ClockSkew`](crate::error::CallErrorKind::ClockSkew) with a message saying the local clock
    /// is off.
    ///
    /// **Lost answers.** When an answer is lost (a timeout or reset after
    /// the request went out), the server may have accepted the request.
    /// Under API 3.0 the client looks the URLs up with `Describe*Tasks`
    /// before resending, and resends only those not found. API 2.0 cannot
    /// look tasks up: the retry flushes or pushes the same URLs again,
    /// harmless to the cache but counted against the daily quotas and the
    /// rate limit.
    ///
    /// # Errors
    /// A [`CallError`] describing the last attempt, the attempts made and
    /// why the client stopped; [`Unsupported`](crate::error::CallErrorKind::Unsupported)
    /// for EdgeOne, whose calls name a zone ([`submit_job`](Self::submit_job)
    /// finds it).
    pub async fn call(&self, request: &FlushOrPush) -> Result<CallOutcome, CallError> {
        match &self.backend {
            Backends::EdgeOne(_) => Err(CallError::new(
                crate::error::CallErrorKind::Unsupported,
                "an EdgeOne call names its zone: submit the URLs as a job, which finds it"
                    .to_owned(),
            )),
            Backends::V2(v2) => {
                let called =
                    call::call(&self.core, &**v2, &Halt::default(), request.clone(), true).await;
                let receipt = called.result?;
                Ok(CallOutcome {
                    // Only a lookup finds URLs applied without an answer of its
                    // own, and API 2.0 has none: a success always carries its
                    // envelope.
                    envelope: receipt.unwrap_or_else(Envelope::success),
                    task_id: None,
                    request_id: None,
                    attempts: called.attempts,
                    requests_sent: called.requests,
                })
            }
            Backends::V3(v3) => {
                let job = Job::new(request.operation()).areas(request.areas());
                let batch = v3::batch_of(&job, request.urls().to_vec());
                let called = call::call(&self.core, &**v3, &Halt::default(), batch, true).await;
                let receipt = called.result?;
                let task_id = receipt
                    .as_ref()
                    .and_then(V3::task_id)
                    .or_else(|| called.applied.iter().find_map(|a| a.task_id.clone()));
                Ok(CallOutcome {
                    envelope: Envelope::success(),
                    task_id,
                    request_id: receipt.and_then(|r| r.request_id),
                    attempts: called.attempts,
                    requests_sent: called.requests,
                })
            }
        }
    }

    /// Flushes or pushes any number of URLs to `areas`:
    /// [`submit_job`](Self::submit_job) of `Job::new(operation).areas(areas)`.
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
        self.submit_job(&Job::new(operation).areas(areas), urls, on_batch)
            .await
    }

    /// Does `job` for any number of URLs (deduplicated, as
    /// [`submit_distinct`](Self::submit_distinct) takes them): plans them
    /// into calls within the action's count, the batch size and the wire
    /// limit, sends the calls with bounded concurrency under the rate limit
    /// (each with [`call`](Self::call)'s retries and lookups), and reports
    /// every URL's outcome and the tasks created.
    ///
    /// A job API 2.0 cannot do (no area, API 3.0's options) fails every URL
    /// before anything is sent, naming the reason.
    ///
    /// Must run inside a tokio runtime (batches are tokio tasks).
    pub async fn submit_job(
        &self,
        job: &Job,
        urls: DistinctUrls,
        on_batch: impl FnMut(&BatchReport) + Send,
    ) -> Report {
        self.submit_job_until(job, urls, &Cancel::new(), on_batch)
            .await
    }

    /// [`submit_job`](Self::submit_job), interrupted when `cancel` is
    /// cancelled: no new request starts, requests in flight get the
    /// [`interrupt_grace`](ClientBuilder::interrupt_grace) to answer (then
    /// their URLs fail with `maybe_applied`), and every URL never sent is
    /// in the report's `not_sent` as
    /// [`Interrupted`](crate::error::NotSentReason::Interrupted).
    ///
    /// Any submission also stops starting requests after a daily-quota
    /// refusal (the rest: `not_sent`,
    /// [`DailyQuotaExhausted`](crate::error::NotSentReason::DailyQuotaExhausted)),
    /// and after 5 attempts in a row, across batches, reached no server
    /// ([`EndpointUnreachable`](crate::error::NotSentReason::EndpointUnreachable)).
    pub async fn submit_job_until(
        &self,
        job: &Job,
        urls: DistinctUrls,
        cancel: &Cancel,
        on_batch: impl FnMut(&BatchReport) + Send,
    ) -> Report {
        let operation = job.operation();
        match &self.backend {
            Backends::V2(v2) => {
                let (Some(areas), None) = (job.areas_given(), job.v2_problem()) else {
                    return unsent(urls, job.v2_problem().unwrap_or_default());
                };
                let job = v2::Job { operation, areas };
                submit::submit(
                    self.core.clone(),
                    v2.clone(),
                    job,
                    operation,
                    urls,
                    cancel.clone(),
                    on_batch,
                )
                .await
            }
            Backends::V3(v3) => {
                let fetched;
                let domains = match job.account_domains_given() {
                    Some(domains) => Some(domains),
                    None => match self.check_domains(job, urls.len()).await {
                        Ok(checked) => {
                            fetched = checked;
                            fetched.as_ref()
                        }
                        Err(why) => return unsent(urls, &why.to_string()),
                    },
                };
                let duplicates_skipped = urls.duplicates();
                let (urls, foreign, order) = match domains {
                    Some(domains) => domains::partition(urls, domains),
                    None => (urls, Vec::new(), Vec::new()),
                };
                let mut report = if urls.is_empty() && !foreign.is_empty() {
                    Report::default()
                } else {
                    submit::submit(
                        self.core.clone(),
                        v3.clone(),
                        job.clone(),
                        operation,
                        urls,
                        cancel.clone(),
                        on_batch,
                    )
                    .await
                };
                domains::merge(&mut report, foreign, &order);
                report.duplicates_skipped = duplicates_skipped;
                report
            }
            Backends::EdgeOne(teo) => self.submit_edgeone(teo, job, urls, cancel, on_batch).await,
        }
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
