//! EdgeOne through a client: the account's zones (read once), each zone's
//! content quota, its task lists, and a submission: URLs grouped by zone,
//! each zone's URLs planned and sent as any submission is (batches of the
//! quota's `Batch`), the targets of `FailedList`s failed, and one report of
//! every URL in input order.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tcdn_model::CdnUrl;
use tcdn_model::teo::{
    ContentQuota, DEFAULT_MAX_TARGETS, DescribeContentQuota, DescribePrefetchTasks,
    DescribePurgeTasks, DescribeZones, MAX_ZONES_LIMIT, QuotaType, Request, Tasks, Zone, ZoneId,
};

use super::{Backends, Client};
use crate::api::teo::plan::{Kind, ZoneIndex, ZoneJob, group_by_zone};
use crate::api::teo::{Body, Teo};
use crate::cancel::Cancel;
use crate::core::call;
use crate::core::dedupe::DistinctUrls;
use crate::core::halt::Halt;
use crate::core::submit;
use crate::error::{CallError, CallErrorKind};
use crate::job::Job;
use crate::report::{BatchReport, Failure, Report};

impl Client {
    /// One EdgeOne query, paced and retried like every call, with the HTTP
    /// requests it took.
    async fn edgeone_query(&self, request: Request) -> (Result<Body, CallError>, usize) {
        let Backends::EdgeOne(teo) = &self.backend else {
            let error = CallError::new(
                CallErrorKind::Unsupported,
                format!(
                    "{} is an EdgeOne action; this client calls Tencent Cloud CDN",
                    request.action()
                ),
            );
            return (Err(error), 0);
        };
        let called = call::call(&self.core, &**teo, &Halt::default(), request, false).await;
        let requests = called.requests;
        let body = called.result.map(|receipt| match receipt {
            Some(receipt) => receipt.body,
            None => unreachable!("a query is never reconciled"),
        });
        (body, requests)
    }

    /// `DescribeZones`, every page: the zones the account may see.
    ///
    /// # Errors
    /// The call's [`CallError`]; [`CallErrorKind::Unsupported`] for a
    /// client of Tencent Cloud CDN.
    pub async fn edgeone_zones(&self) -> Result<Vec<Zone>, CallError> {
        self.edgeone_zones_counted().await.0
    }

    pub(super) async fn edgeone_zones_counted(&self) -> (Result<Vec<Zone>, CallError>, usize) {
        let mut zones = Vec::new();
        let mut requests = 0;
        loop {
            let page = DescribeZones::page(zones.len() as u64, MAX_ZONES_LIMIT)
                .unwrap_or_else(|err| unreachable!("the largest page is valid: {err}"));
            let (body, sent) = self.edgeone_query(page.into()).await;
            requests += sent;
            match body {
                Ok(Body::Zones(page)) => {
                    let done = page.zones.is_empty()
                        || zones.len() + page.zones.len()
                            >= usize::try_from(page.total_count).unwrap_or(0);
                    zones.extend(page.zones);
                    if done {
                        return (Ok(zones), requests);
                    }
                }
                Ok(other) => return (Err(unexpected(&other)), requests),
                Err(error) => return (Err(error), requests),
            }
        }
    }

    /// `DescribeContentQuota`: a zone's purge and prefetch quotas.
    ///
    /// # Errors
    /// As [`edgeone_zones`](Self::edgeone_zones).
    pub async fn edgeone_quota(&self, zone_id: &ZoneId) -> Result<ContentQuota, CallError> {
        let request = DescribeContentQuota {
            zone_id: zone_id.clone(),
        };
        match self.edgeone_query(request.into()).await.0? {
            Body::Quota(quota) => Ok(quota),
            other => Err(unexpected(&other)),
        }
    }

    /// `DescribePurgeTasks`: one page of a zone's purge tasks.
    ///
    /// # Errors
    /// As [`edgeone_zones`](Self::edgeone_zones).
    pub async fn edgeone_purge_tasks(&self, query: DescribePurgeTasks) -> Result<Tasks, CallError> {
        match self.edgeone_query(query.into()).await.0? {
            Body::Tasks(tasks) => Ok(tasks),
            other => Err(unexpected(&other)),
        }
    }

    /// `DescribePrefetchTasks`: one page of a zone's prefetch tasks.
    ///
    /// # Errors
    /// As [`edgeone_zones`](Self::edgeone_zones).
    pub async fn edgeone_prefetch_tasks(
        &self,
        query: DescribePrefetchTasks,
    ) -> Result<Tasks, CallError> {
        match self.edgeone_query(query.into()).await.0? {
            Body::Tasks(tasks) => Ok(tasks),
            other => Err(unexpected(&other)),
        }
    }

    /// [`submit_job_until`](Self::submit_job_until) for EdgeOne: each URL
    /// in the job's zone or, without one, in the zone of its host (a URL of
    /// no zone fails unsent, naming its host); each zone's URLs in calls of
    /// its quota's `Batch` (read first; the default when it cannot be);
    /// targets an accepted call lists in `FailedList` fail with its reason.
    pub(super) async fn submit_edgeone(
        &self,
        teo: &Arc<Teo>,
        job: &Job,
        urls: DistinctUrls,
        cancel: &Cancel,
        mut on_batch: impl FnMut(&BatchReport) + Send,
    ) -> Report {
        let operation = job.operation();
        let mut report = Report {
            duplicates_skipped: urls.duplicates(),
            ..Report::default()
        };
        let all: Vec<CdnUrl> = urls.list().urls().collect();
        if let Some(why) = job.edgeone_problem() {
            report.failed = all
                .into_iter()
                .map(|url| Failure::unsent(url, why.to_owned()))
                .collect();
            return report;
        }
        let kind = Kind::of(job);
        let index;
        let (zones, orphans) = if let Some(zone) = job.zone_given() {
            let numbered = all.into_iter().enumerate().collect();
            (vec![(zone.clone(), numbered)], Vec::new())
        } else {
            let (zones, requests) = self.edgeone_zones_counted().await;
            report.requests += requests;
            match zones {
                Ok(zones) => {
                    index = ZoneIndex::new(&zones);
                    group_by_zone(all, |host| index.zone_of(host))
                }
                Err(error) => {
                    let mut error = error;
                    error.message = format!("cannot read the account's EdgeOne zones: {error}");
                    // The URLs themselves were never sent.
                    report.failed = all
                        .into_iter()
                        .map(|url| {
                            let mut failure = Failure::from_error(url, &error);
                            failure.sent = false;
                            failure.maybe_applied = false;
                            failure
                        })
                        .collect();
                    return report;
                }
            }
        };
        // Input positions, to put the zones' reports back in input order.
        let mut at: HashMap<String, usize> = HashMap::new();
        for (position, url, why) in orphans {
            at.insert(url.as_str().to_owned(), position);
            report.failed.push(Failure::unsent(url, why));
        }
        for (zone_id, urls) in zones {
            for (position, url) in &urls {
                at.insert(url.as_str().to_owned(), *position);
            }
            let (limit, requests) = self.zone_batch(&zone_id, kind.quota_type()).await;
            report.requests += requests;
            let zone_job_id = zone_id.clone();
            let zone_job = ZoneJob {
                zone_id,
                kind: kind.clone(),
                limit,
            };
            let offset = report.batches.len();
            let distinct: DistinctUrls = urls.into_iter().map(|(_, url)| url).collect();
            let zone_report = submit::submit(
                self.core.clone(),
                teo.clone(),
                zone_job,
                operation,
                distinct,
                cancel.clone(),
                |batch: &BatchReport| {
                    let mut batch = batch.clone();
                    batch.index += offset;
                    on_batch(&batch);
                },
            )
            .await;
            merge(&mut report, zone_report, &zone_job_id, teo, offset);
        }
        let position = |url: &CdnUrl| at.get(url.as_str()).copied().unwrap_or(usize::MAX);
        report.succeeded.sort_by_key(&position);
        report.failed.sort_by_key(|f| position(&f.url));
        report.not_sent.sort_by_key(|n| position(&n.url));
        report
    }

    /// The most targets one call of `quota_type` carries in `zone_id`: its
    /// quota's `Batch`, or the default when the quota cannot be read or
    /// lists no such type; and the HTTP requests the read took.
    pub(super) async fn zone_batch(
        &self,
        zone_id: &ZoneId,
        quota_type: QuotaType,
    ) -> (usize, usize) {
        let request = DescribeContentQuota {
            zone_id: zone_id.clone(),
        };
        let (body, requests) = self.edgeone_query(request.into()).await;
        let batch = match body {
            Ok(Body::Quota(quota)) => quota
                .of(quota_type)
                .and_then(|q| usize::try_from(q.batch).ok())
                .filter(|&batch| batch > 0),
            Ok(_) => None,
            Err(error) => {
                tracing::warn!(zone = zone_id.as_str(), %error, "the zone's quota could not be read");
                None
            }
        };
        (batch.unwrap_or(DEFAULT_MAX_TARGETS), requests)
    }
}

/// Adds one zone's report to the whole, its batches numbered after those
/// before, and the targets its calls' `FailedList`s refused failed.
fn merge(report: &mut Report, mut zone: Report, zone_id: &ZoneId, teo: &Teo, offset: usize) {
    let job_ids: HashSet<&str> = zone.tasks.iter().map(|t| t.task_id.as_str()).collect();
    let refused = teo.take_refused(&job_ids);
    for refusal in refused {
        let Some(at) = zone
            .succeeded
            .iter()
            .position(|url| url.as_str() == refusal.target)
        else {
            tracing::warn!(
                target_text = %crate::text::printable(&refusal.target),
                "FailedList names a target not sent"
            );
            continue;
        };
        let url = zone.succeeded.remove(at);
        for task in &mut zone.tasks {
            task.urls.retain(|u| *u != url);
        }
        let mut failure = Failure::unsent(
            url,
            format!(
                "EdgeOne refused it in FailedList: {}",
                crate::text::printable(&refusal.reason)
            ),
        );
        failure.request_id = refusal.request_id;
        failure.task_id = Some(refusal.job_id);
        failure.sent = true;
        // The refusal came in the call's answer, an HTTP 200.
        failure.http_status = Some(200);
        zone.failed.push(failure);
    }
    for batch in &mut zone.batches {
        batch.index += offset;
    }
    for task in &mut zone.tasks {
        task.zone_id = Some(zone_id.as_str().to_owned());
    }
    report.succeeded.append(&mut zone.succeeded);
    report.failed.append(&mut zone.failed);
    report.not_sent.append(&mut zone.not_sent);
    report.requests += zone.requests;
    report.tasks.append(&mut zone.tasks);
    report.batches.append(&mut zone.batches);
}

fn unexpected(body: &Body) -> CallError {
    CallError::new(
        CallErrorKind::InvalidResponse,
        format!("the server answered with another action's payload: {body:?}"),
    )
}
