//! EdgeOne purges whose targets are not URLs: hosts (each placed in the
//! zone that serves it, as URLs' hosts are), cache tags and a whole zone
//! (both in the zone given). Each target comes back once in a
//! [`TargetReport`]: succeeded, failed, or not sent when the submission was
//! interrupted first. A call whose answer was lost is looked up
//! (`DescribePurgeTasks` by type, target and time): found, its targets
//! succeeded under the job found; not found, they fail as maybe applied,
//! and the call is never sent again.

use std::collections::HashSet;
use std::sync::Arc;

use serde::Serialize;
use tcdn_model::teo::{
    CreatePurgeTask, DEFAULT_MAX_TARGETS, Hostname, PurgeTargets, Request, ZoneId,
};

use super::{Backends, Client};
use crate::api::teo::plan::ZoneIndex;
use crate::api::teo::{Body, Teo};
use crate::cancel::Cancel;
use crate::core::call;
use crate::core::halt::Halt;
use crate::error::{CallError, CallErrorKind};

/// What `purge_all` stands as in a report: it has no targets.
pub const ALL_TARGET: &str = "*";

/// A purge of non-URL targets, each target once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TargetReport {
    /// Targets EdgeOne accepted, in input order.
    pub succeeded: Vec<String>,
    /// Targets that failed, refused or unsent, in input order.
    pub failed: Vec<TargetFailure>,
    /// HTTP requests sent, zone reads and quota reads included.
    pub requests: usize,
    /// The jobs EdgeOne created, in the order sent.
    pub tasks: Vec<TargetTask>,
}

impl TargetReport {
    /// Whether every target succeeded.
    pub fn is_success(&self) -> bool {
        self.failed.is_empty()
    }
}

/// One target that did not succeed; serialized as a URL report's failure
/// (the target in `"url"`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TargetFailure {
    /// The host, the tag, or [`ALL_TARGET`].
    #[serde(rename = "url")]
    pub target: String,
    /// The API's error code (`FailedOperation.…`), when it answered one.
    pub error_code: Option<String>,
    /// The answer's `RequestId`, when one came.
    pub request_id: Option<String>,
    /// The `JobId` of the call whose `FailedList` named it.
    pub task_id: Option<String>,
    /// Why.
    pub message: String,
    /// The status its job's task last gave, when a
    /// [`wait_targets`](Client::wait_targets) decided the failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Whether it may have been applied (an answer was lost).
    pub maybe_applied: bool,
    /// Whether a call carrying it was sent.
    pub sent: bool,
}

impl TargetFailure {
    fn unsent(target: String, message: String) -> Self {
        Self {
            target,
            message,
            ..Self::default()
        }
    }

    fn from_error(target: String, error: &CallError) -> Self {
        Self {
            error_code: error.error_code().map(str::to_owned),
            request_id: error.request_id().map(str::to_owned),
            maybe_applied: error.maybe_applied(),
            sent: error.requests_sent() > 0,
            ..Self::unsent(target, error.to_string())
        }
    }
}

/// One job EdgeOne created; serialized as a URL report's task (the
/// targets in `"urls"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetTask {
    /// Its `JobId`.
    pub task_id: String,
    /// `CreatePurgeTask`.
    pub action: &'static str,
    /// The targets it carries (those its `FailedList` did not refuse).
    #[serde(rename = "urls")]
    pub targets: Vec<String>,
    /// Its zone.
    pub zone_id: String,
}

impl Client {
    /// `CreatePurgeTask` of hosts, cache tags or a whole zone. Hosts go to
    /// `zone`, or without one to the zone whose name is the host or its
    /// longest parent (a host of no zone fails unsent); cache tags and
    /// `purge_all` need `zone` (without it they fail unsent). Calls carry
    /// at most the zone quota's `Batch` of the type (read first; the
    /// model's default when it cannot be), or the builder's
    /// [`batch_size`](crate::ClientBuilder::batch_size) when smaller. URL
    /// and prefix purges go
    /// through [`submit_job`](Self::submit_job) instead.
    pub async fn purge_edgeone_targets(
        &self,
        zone: Option<&ZoneId>,
        targets: PurgeTargets,
    ) -> TargetReport {
        self.purge_edgeone_targets_until(zone, targets, &Cancel::new())
            .await
    }

    /// [`purge_edgeone_targets`](Self::purge_edgeone_targets) that `cancel`
    /// stops as it stops a submission: no call starts after it, and a call
    /// in flight gets the client's interrupt grace to be answered (then it
    /// fails as maybe applied); the targets of calls not sent fail unsent.
    pub async fn purge_edgeone_targets_until(
        &self,
        zone: Option<&ZoneId>,
        targets: PurgeTargets,
        cancel: &Cancel,
    ) -> TargetReport {
        let halt = Halt::new(cancel.clone());
        let grace = async {
            halt.interrupt().cancelled().await;
            self.core.sleeper.sleep(self.core.interrupt_grace).await;
            halt.abandon();
            std::future::pending::<()>().await;
        };
        tokio::select! {
            biased;
            report = self.purge_targets_halted(zone, targets, &halt) => report,
            () = grace => unreachable!("the grace never ends"),
        }
    }

    async fn purge_targets_halted(
        &self,
        zone: Option<&ZoneId>,
        targets: PurgeTargets,
        halt: &Halt,
    ) -> TargetReport {
        let mut report = TargetReport::default();
        let texts: Vec<String> = match &targets {
            PurgeTargets::All(_) => vec![ALL_TARGET.to_owned()],
            other => other.texts().into_iter().map(str::to_owned).collect(),
        };
        let Backends::EdgeOne(teo) = &self.backend else {
            report.failed = unsent_all(texts, "this client calls Tencent Cloud CDN, not EdgeOne");
            return report;
        };
        let groups = match (zone, targets) {
            (_, PurgeTargets::Urls(_) | PurgeTargets::Prefixes(..)) => {
                report.failed = unsent_all(texts, "URLs and prefixes are purged with submit_job");
                return report;
            }
            (Some(zone), targets) => vec![(zone.clone(), targets)],
            (None, PurgeTargets::Hosts(hosts, method)) => {
                let (zones, requests) = self.edgeone_zones_counted().await;
                report.requests += requests;
                let zones = match zones {
                    Ok(zones) => zones,
                    Err(error) => {
                        let why = format!("cannot read the account's EdgeOne zones: {error}");
                        report.failed = unsent_all(texts, &why);
                        return report;
                    }
                };
                let index = ZoneIndex::new(&zones);
                let mut groups: Vec<(ZoneId, Vec<Hostname>)> = Vec::new();
                for host in hosts {
                    match index.zone_of(host.as_str()) {
                        Ok(zone) => match groups.iter_mut().find(|(id, _)| id == zone) {
                            Some((_, list)) => list.push(host),
                            None => groups.push((zone.clone(), vec![host])),
                        },
                        Err(why) => report
                            .failed
                            .push(TargetFailure::unsent(host.as_str().to_owned(), why)),
                    }
                }
                groups
                    .into_iter()
                    .map(|(zone, hosts)| (zone, PurgeTargets::Hosts(hosts, method)))
                    .collect()
            }
            (None, _) => {
                report.failed = unsent_all(
                    texts,
                    "a purge of cache tags or of a whole zone needs its zone (--zone)",
                );
                return report;
            }
        };
        for (zone_id, targets) in groups {
            let quota_type = targets.purge_type().quota_type();
            // Once stopped, no quota is read: nothing more is sent.
            let limit = if halt.reason().is_none() {
                let (limit, requests) = self.zone_batch(&zone_id, quota_type).await;
                report.requests += requests;
                limit
            } else {
                DEFAULT_MAX_TARGETS
            };
            let limit = limit.min(self.core.batch_size.map_or(usize::MAX, |n| n.get()));
            for chunk in split(targets, limit) {
                self.send_targets(teo, &zone_id, chunk, halt, &mut report)
                    .await;
            }
        }
        let position = |target: &str| texts.iter().position(|t| t == target);
        report.succeeded.sort_by_key(|t| position(t));
        report.failed.sort_by_key(|f| position(&f.target));
        report
    }

    /// Sends one call of `targets` in `zone_id` and adds its outcome.
    async fn send_targets(
        &self,
        teo: &Arc<Teo>,
        zone_id: &ZoneId,
        targets: PurgeTargets,
        halt: &Halt,
        report: &mut TargetReport,
    ) {
        let texts: Vec<String> = match &targets {
            PurgeTargets::All(_) => vec![ALL_TARGET.to_owned()],
            other => other.texts().into_iter().map(str::to_owned).collect(),
        };
        let request: Request =
            match CreatePurgeTask::with_limit(zone_id.clone(), targets, usize::MAX) {
                Ok(request) => request.into(),
                Err(error) => {
                    report
                        .failed
                        .extend(unsent_all(texts, &format!("not a valid call: {error}")));
                    return;
                }
            };
        // A lost answer is looked up; a call of these targets whose job is
        // not found is never sent again (the backend ends it as maybe
        // applied): tasks may be listed late, and a second purge of a host
        // or a zone spends its quota again.
        let called = call::call(&self.core, &**teo, halt, request, true).await;
        report.requests += called.requests;
        if let (Ok(None), Some(job_id)) = (&called.result, called.found_task) {
            report.succeeded.extend(texts.iter().cloned());
            report.tasks.push(TargetTask {
                task_id: job_id,
                action: "CreatePurgeTask",
                targets: texts,
                zone_id: zone_id.as_str().to_owned(),
            });
            return;
        }
        let created = match called.result {
            Ok(Some(receipt)) => match receipt.body {
                Body::Created(created) => created,
                other => {
                    let error = CallError::new(
                        CallErrorKind::InvalidResponse,
                        format!("the server answered with another action's payload: {other:?}"),
                    );
                    fail_all(report, texts, &error);
                    return;
                }
            },
            Ok(None) => {
                let mut error = CallError::new(
                    CallErrorKind::Transport,
                    "the answer was lost and its job was not found".to_owned(),
                );
                error.maybe_applied = true;
                fail_all(report, texts, &error);
                return;
            }
            Err(error) => {
                fail_all(report, texts, &error);
                return;
            }
        };
        let refused = teo.take_refused(&HashSet::from([created.job_id.as_str()]));
        let mut accepted = Vec::new();
        for text in texts {
            match refused.iter().find(|r| r.target == text) {
                Some(refusal) => report.failed.push(TargetFailure {
                    target: text,
                    error_code: None,
                    request_id: refusal.request_id.clone(),
                    task_id: Some(created.job_id.clone()),
                    message: format!(
                        "EdgeOne refused it in FailedList: {}",
                        crate::text::printable(&refusal.reason)
                    ),
                    status: None,
                    maybe_applied: false,
                    sent: true,
                }),
                None => accepted.push(text),
            }
        }
        report.succeeded.extend(accepted.iter().cloned());
        report.tasks.push(TargetTask {
            task_id: created.job_id,
            action: "CreatePurgeTask",
            targets: accepted,
            zone_id: zone_id.as_str().to_owned(),
        });
    }
}

fn unsent_all(texts: Vec<String>, why: &str) -> Vec<TargetFailure> {
    texts
        .into_iter()
        .map(|t| TargetFailure::unsent(t, why.to_owned()))
        .collect()
}

fn fail_all(report: &mut TargetReport, texts: Vec<String>, error: &CallError) {
    report.failed.extend(
        texts
            .into_iter()
            .map(|t| TargetFailure::from_error(t, error)),
    );
}

/// `targets` in calls of at most `limit` (at least one) targets each;
/// `purge_all` is one call.
pub(super) fn split(targets: PurgeTargets, limit: usize) -> Vec<PurgeTargets> {
    let limit = if limit == 0 {
        DEFAULT_MAX_TARGETS
    } else {
        limit
    };
    match targets {
        PurgeTargets::Hosts(hosts, method) => hosts
            .chunks(limit)
            .map(|chunk| PurgeTargets::Hosts(chunk.to_vec(), method))
            .collect(),
        PurgeTargets::CacheTags { tags, domains } => tags
            .chunks(limit)
            .map(|chunk| PurgeTargets::CacheTags {
                tags: chunk.to_vec(),
                domains: domains.clone(),
            })
            .collect(),
        other => vec![other],
    }
}
