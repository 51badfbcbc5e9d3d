//! EdgeOne (`teo`, docs/protocol.md §13): `CreatePurgeTask`,
//! `CreatePrefetchTask`, their task queries, `DescribeContentQuota` and
//! `DescribeZones`, mirroring `api/v3`.
//!
//! - [`RequestBuilder`] (`builder.rs`) signs a
//!   [`Request`](tcdn_model::teo::Request) into a [`PreparedRequest`]
//!   (`prepared.rs`): API 3.0's TC3 POST under the service `teo`
//!   (`sign.rs`).
//! - `plan.rs` gives each URL its zone and shapes one zone's calls.
//! - `answer.rs` classifies the answers with EdgeOne's error codes.
//! - `Teo` (here) is the backend the client core runs for one zone's
//!   submission at a time: one rate window of one second per action (20
//!   calls each), a `JobId` per accepted call, the targets of each call's
//!   `FailedList` kept aside for the report, and the reconciliation of lost
//!   answers with `DescribePurgeTasks` / `DescribePrefetchTasks`.

mod answer;
mod builder;
pub(crate) mod plan;
mod prepared;
mod sign;

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use bytes::Bytes;
use tcdn_model::CdnUrl;
use tcdn_model::teo::{
    DescribePrefetchTasks, DescribePurgeTasks, MAX_TASKS_LIMIT, PurgeTargets, Request, TargetText,
    TaskQuery, TaskSelector, Time,
};

pub(crate) use answer::{Body, TeoReceipt};
pub use builder::RequestBuilder;
pub use prepared::PreparedRequest;

use crate::core::backend::{Answer, Backend, Logged, Lookup, RateWindow, Reconciled, Stamp};
use crate::core::plan::Shape;
use crate::credentials::Credentials;
use crate::error::{CallError, CallErrorKind};
use plan::ZoneJob;

/// A target an accepted call refused in its `FailedList`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    /// The target, as the answer gave it.
    pub(crate) target: String,
    /// `Reason`.
    pub(crate) reason: String,
    /// The call's `JobId`.
    pub(crate) job_id: String,
    /// The call's `RequestId`.
    pub(crate) request_id: Option<String>,
}

/// The EdgeOne backend: a [`RequestBuilder`] and the targets refused in
/// `FailedList`s, taken by the submission that made the calls.
#[derive(Debug)]
pub(crate) struct Teo {
    pub(crate) requests: RequestBuilder,
    refused: Mutex<Vec<Refused>>,
}

impl Teo {
    /// The backend of `requests`.
    pub(crate) fn new(requests: RequestBuilder) -> Self {
        Self {
            requests,
            refused: Mutex::new(Vec::new()),
        }
    }

    /// Takes the refused targets of the calls that created `job_ids`.
    pub(crate) fn take_refused(&self, job_ids: &HashSet<&str>) -> Vec<Refused> {
        let mut refused = self.refused.lock().unwrap_or_else(PoisonError::into_inner);
        let (ours, others) = refused
            .drain(..)
            .partition(|r| job_ids.contains(r.job_id.as_str()));
        *refused = others;
        ours
    }
}

impl Backend for Teo {
    type Job = ZoneJob;
    type Batch = Request;
    type Receipt = TeoReceipt;

    fn shape(&self, job: &ZoneJob) -> Shape {
        plan::shape(job)
    }

    fn batch(&self, job: &ZoneJob, urls: Vec<CdnUrl>) -> Request {
        plan::batch(job, urls)
    }

    fn narrow(&self, batch: &Request, urls: Vec<CdnUrl>) -> Request {
        let (zone_id, kind) = match batch {
            Request::CreatePurgeTask(r) => match r.targets() {
                PurgeTargets::Urls(_) => (r.zone_id(), plan::Kind::PurgeUrls),
                PurgeTargets::Prefixes(_, method) => {
                    (r.zone_id(), plan::Kind::PurgePrefixes(*method))
                }
                _ => return batch.clone(),
            },
            Request::CreatePrefetchTask(r) => {
                (r.zone_id(), plan::Kind::Prefetch(r.options().clone()))
            }
            _ => return batch.clone(),
        };
        let job = ZoneJob {
            zone_id: zone_id.clone(),
            kind,
            limit: urls.len(),
        };
        plan::batch(&job, urls)
    }

    fn urls(batch: &Request) -> &[CdnUrl] {
        match batch {
            Request::CreatePurgeTask(r) => match r.targets() {
                PurgeTargets::Urls(urls) | PurgeTargets::Prefixes(urls, _) => urls,
                _ => &[],
            },
            Request::CreatePrefetchTask(r) => r.urls(),
            _ => &[],
        }
    }

    fn into_urls(batch: Request) -> Vec<CdnUrl> {
        match batch {
            Request::CreatePurgeTask(r) => match r.into_targets() {
                PurgeTargets::Urls(urls) | PurgeTargets::Prefixes(urls, _) => urls,
                _ => Vec::new(),
            },
            Request::CreatePrefetchTask(r) => r.into_urls(),
            _ => Vec::new(),
        }
    }

    fn action(batch: &Request) -> &'static str {
        batch.action().as_str()
    }

    fn zone(batch: &Request) -> Option<&str> {
        batch.zone_id().map(|z| z.as_str())
    }

    fn rate_window(&self) -> RateWindow {
        // 20 calls per second per action, as API 3.0's (docs/protocol.md
        // §13).
        crate::api::v3::rate_window()
    }

    fn prepare(
        &self,
        batch: &Request,
        stamp: Stamp,
        credentials: &Credentials,
    ) -> Result<http::Request<Bytes>, CallError> {
        let prepared = self
            .requests
            .prepare_as(credentials, batch, stamp.unix_seconds)
            .map_err(crate::api::v3::unprepared)?;
        super::http_request(prepared)
    }

    fn classify(
        &self,
        batch: &Request,
        response: &http::Response<Bytes>,
        _: u64,
    ) -> Answer<TeoReceipt> {
        let answer = answer::classify(batch.action(), response);
        if let Answer::Accepted(receipt) = &answer
            && let Body::Created(created) = &receipt.body
            && !created.failed.is_empty()
        {
            let mut refused = self.refused.lock().unwrap_or_else(PoisonError::into_inner);
            for reason in &created.failed {
                refused.extend(reason.targets.iter().map(|target| Refused {
                    target: target.clone(),
                    reason: reason.reason.clone(),
                    job_id: created.job_id.clone(),
                    request_id: receipt.request_id.clone(),
                }));
            }
        }
        answer
    }

    fn task_id(receipt: &TeoReceipt) -> Option<String> {
        match &receipt.body {
            Body::Created(created) => Some(created.job_id.clone()),
            _ => None,
        }
    }

    async fn reconcile<'a>(&'a self, lookup: Lookup<'a, Self>, batch: &'a Request) -> Reconciled {
        // Hosts, cache tags and whole zones have no lookup here: resending
        // them could apply them twice, so the call ends as maybe applied.
        if let Request::CreatePurgeTask(r) = batch
            && !matches!(
                r.targets(),
                PurgeTargets::Urls(_) | PurgeTargets::Prefixes(..)
            )
        {
            return Reconciled::Unknown(CallError::new(
                CallErrorKind::Transport,
                format!(
                    "a {} purge is not looked up",
                    r.targets().purge_type().as_str()
                ),
            ));
        }
        let urls = Self::urls(batch);
        let (Some(zone_id), false) = (batch.zone_id(), urls.is_empty()) else {
            return Reconciled::Unsupported;
        };
        let (start, end) = lookup.window();
        let selector = match TaskSelector::window(Time::from_unix(start), Time::from_unix(end)) {
            Ok(selector) => selector,
            Err(err) => return Reconciled::no_window(err),
        };
        let mut query = TaskQuery::new(zone_id.clone(), selector);
        query.limit = Some(MAX_TASKS_LIMIT);
        // One target is looked up by itself; more, by every task of the
        // window (the target filter takes one value).
        if let [url] = urls {
            query.target = TargetText::new(url.as_str()).ok();
        }
        let purge_type = match batch {
            Request::CreatePurgeTask(r) => Some(r.targets().purge_type()),
            _ => None,
        };
        // Each job's targets.
        let mut logged = Logged::default();
        let mut offset = 0;
        loop {
            query.offset = Some(offset);
            let request: Request = match purge_type {
                Some(purge_type) => DescribePurgeTasks {
                    query: query.clone(),
                    purge_type: Some(purge_type),
                }
                .into(),
                None => DescribePrefetchTasks {
                    query: query.clone(),
                }
                .into(),
            };
            let tasks = match lookup.call(request).await {
                Ok(Some(TeoReceipt {
                    body: Body::Tasks(tasks),
                    ..
                })) => tasks,
                Ok(_) => {
                    return Reconciled::Unknown(CallError::new(
                        CallErrorKind::InvalidResponse,
                        "the lookup's answer has no tasks".to_owned(),
                    ));
                }
                Err(error) => return Reconciled::Unknown(error),
            };
            let page = tasks.tasks.len() as u64;
            for task in tasks.tasks {
                let created = Time::parse(&task.create_time).ok().map(|t| t.unix());
                logged.add(task.job_id, task.target, created);
            }
            offset += page;
            if page == 0 || offset >= u64::try_from(tasks.total_count).unwrap_or(0) {
                break;
            }
        }
        lookup.found(urls, logged)
    }
}
