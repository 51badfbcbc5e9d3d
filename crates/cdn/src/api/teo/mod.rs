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

use tcdn_model::CdnUrl;
use tcdn_model::teo::{
    DescribePrefetchTasks, DescribePurgeTasks, MAX_TASKS_LIMIT, PurgeTargets, Request, TargetText,
    TaskQuery, TaskSelector, Time,
};

pub(crate) use answer::{Body, TeoReceipt};
pub use builder::RequestBuilder;
pub use prepared::PreparedRequest;

use crate::core::backend::{
    Answer, Applied, Backend, Lookup, RateWindow, Reconciled, Reply, SignWith, Signed,
};
use crate::core::plan::Shape;
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

fn targets_of(batch: &Request) -> &[CdnUrl] {
    match batch {
        Request::CreatePurgeTask(r) => match r.targets() {
            PurgeTargets::Urls(urls) | PurgeTargets::Prefixes(urls, _) => urls,
            _ => &[],
        },
        Request::CreatePrefetchTask(r) => r.urls(),
        _ => &[],
    }
}

impl Backend for Teo {
    type Job = ZoneJob;
    type Batch = Request;
    type Receipt = TeoReceipt;

    // 20 calls per second per action, as API 3.0's (docs/protocol.md §13).
    const RATE_WINDOW: RateWindow = crate::api::v3::RATE_WINDOW;

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
        targets_of(batch)
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

    fn prepare(&self, batch: &Request, with: SignWith<'_>) -> Signed {
        let prepared = self
            .requests
            .prepare_as(with.credentials, batch, with.stamp.unix_seconds)
            .map_err(crate::api::v3::unprepared)?;
        super::http_request(prepared)
    }

    fn classify(&self, batch: &Request, reply: Reply<'_>) -> Answer<TeoReceipt> {
        let answer = answer::classify(batch.action(), reply.response);
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
        let Some(wanted) = Wanted::of(batch) else {
            return Reconciled::Unsupported;
        };
        let Some(zone_id) = batch.zone_id() else {
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
        if let [target] = wanted.targets.as_slice() {
            query.target = TargetText::new(target).ok();
        }
        let purge_type = match batch {
            Request::CreatePurgeTask(r) => Some(r.targets().purge_type()),
            _ => None,
        };
        // Each job's targets, in the order the jobs first appear, with its
        // creation time.
        let mut jobs: Vec<(String, HashSet<String>, Option<i64>)> = Vec::new();
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
                let target = wanted.key(task.target);
                match jobs.iter_mut().find(|(id, _, _)| *id == task.job_id) {
                    Some((_, targets, _)) => {
                        targets.insert(target);
                    }
                    None => jobs.push((task.job_id, HashSet::from([target]), created)),
                }
            }
            offset += page;
            if page == 0 || offset >= u64::try_from(tasks.total_count).unwrap_or(0) {
                break;
            }
        }
        let found = ours(lookup.window(), &wanted, jobs);
        match (targets_of(batch), found) {
            ([], Some(job_id)) => Reconciled::Whole(job_id),
            ([], None) => Reconciled::Unknown(CallError::new(
                CallErrorKind::Transport,
                format!(
                    "no {} job of these targets was found in DescribePurgeTasks",
                    purge_type.map_or("purge", |t| t.as_str())
                ),
            )),
            (urls, Some(job_id)) => Reconciled::Found(
                urls.iter()
                    .map(|url| Applied {
                        url: url.clone(),
                        task_id: Some(job_id.clone()),
                    })
                    .collect(),
            ),
            (_, None) => Reconciled::Found(Vec::new()),
        }
    }
}

/// What a lost call's job is recognised by: its targets as a task lists
/// them (hosts without regard to case), or, for a whole zone's purge, any
/// job of its type (a task lists such a job under no target of ours).
struct Wanted {
    targets: Vec<String>,
    /// Hosts compare without case.
    fold: bool,
    /// A whole zone's purge: any target matches.
    any: bool,
}

impl Wanted {
    /// What a lost call of `batch` created, for the creating actions.
    fn of(batch: &Request) -> Option<Self> {
        let texts = |items: &[CdnUrl]| items.iter().map(|u| u.as_str().to_owned()).collect();
        let (targets, fold, any) = match batch {
            Request::CreatePurgeTask(r) => match r.targets() {
                PurgeTargets::Urls(urls) | PurgeTargets::Prefixes(urls, _) => {
                    (texts(urls), false, false)
                }
                PurgeTargets::Hosts(hosts, _) => (
                    hosts
                        .iter()
                        .map(|h| h.as_str().to_ascii_lowercase())
                        .collect(),
                    true,
                    false,
                ),
                PurgeTargets::CacheTags { tags, .. } => (
                    tags.iter().map(|t| t.as_str().to_owned()).collect(),
                    false,
                    false,
                ),
                PurgeTargets::All(_) => (Vec::new(), false, true),
            },
            Request::CreatePrefetchTask(r) => (texts(r.urls()), false, false),
            _ => return None,
        };
        (any || !targets.is_empty()).then_some(Self { targets, fold, any })
    }

    /// A task's target as compared with ours.
    fn key(&self, target: String) -> String {
        if self.fold {
            target.to_ascii_lowercase()
        } else {
            target
        }
    }
}

/// The job of the lost attempt: the one whose targets are exactly the
/// batch's, created in `window` (narrowed again by the lookup's own
/// answers); a job of other targets is another submission's. A whole
/// zone's purge has no targets of ours to tell it by: of that type's jobs
/// in the window, the one created last (the lost attempt is the latest
/// call of it that this client made).
fn ours(
    window: (i64, i64),
    wanted: &Wanted,
    jobs: Vec<(String, HashSet<String>, Option<i64>)>,
) -> Option<String> {
    let (start, end) = window;
    let targets: HashSet<&str> = wanted.targets.iter().map(String::as_str).collect();
    let mut matching = jobs.into_iter().filter(|(_, found, created)| {
        created.is_none_or(|created| (start..=end).contains(&created))
            && (wanted.any
                || (found.len() == targets.len()
                    && found.iter().all(|t| targets.contains(t.as_str()))))
    });
    let found = if wanted.any {
        matching.max_by_key(|(_, _, created)| *created)
    } else {
        matching.next()
    };
    found.map(|(job_id, _, _)| job_id)
}
