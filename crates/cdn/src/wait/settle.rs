//! The end of a wait: every URL not seen done moves from `succeeded` to
//! `failed`, with the status last seen and why.

use std::time::Duration;

use super::watched::{Phase, is_running, phase};
use super::*;
use crate::report::{Failure, Report};

pub(super) fn is_terminal(status: &str) -> bool {
    phase(status) != Phase::Running
}

/// Moves the URLs that were not seen `done` from `succeeded` to `failed`.
pub(super) fn settle(
    report: &mut Report,
    watched: &[Watched],
    timeout: Duration,
    summary: &mut WaitSummary,
) {
    let end = match (&summary.error, summary.interrupted) {
        (Some(error), _) => End::Failed(error),
        (None, true) => End::Interrupted,
        (None, false) => End::TimedOut(timeout, summary.last_poll_error.as_ref()),
    };
    let mut failed_urls = std::collections::HashSet::new();
    let mut failures = Vec::new();
    let (mut done, mut failed, mut unfinished, mut running) = (0, 0, 0, 0);
    for (task, watch) in report.tasks.iter().zip(watched) {
        let action = task.action;
        for (i, url) in task.urls.iter().enumerate() {
            let seen = watch.status.get(i).cloned().flatten();
            let message = if watch.id.is_none() {
                failed += 1;
                format!(
                    "the {action} task's TaskId \"{}\" cannot be looked up (it is empty, holds \
                     a control or format character, or is over 128 bytes): whether it finished \
                     is unknown",
                    crate::text::shown_id(&task.task_id)
                )
            } else {
                let id = &task.task_id;
                match seen.as_deref() {
                    Some(state) if phase(state) == Phase::Done => {
                        done += 1;
                        continue;
                    }
                    Some(state) if phase(state) == Phase::Failed => {
                        failed += 1;
                        format!(
                            "the {action} task {id} ended with status {state}{}",
                            if state == "invalid" {
                                " (the origin answered 4xx or 5xx)"
                            } else {
                                ""
                            }
                        )
                    }
                    last => {
                        unfinished += 1;
                        if last.is_some_and(is_running) {
                            running += 1;
                        }
                        let last = last.unwrap_or("unknown");
                        match &end {
                            End::TimedOut(timeout, poll_error) => format!(
                                "the {action} task {id} had not finished after {} s of waiting \
                                 (last seen: {last}){}",
                                timeout.as_secs(),
                                poll_error
                                    .map(|e| format!("; the last poll failed: {e}"))
                                    .unwrap_or_default()
                            ),
                            End::Interrupted => format!(
                                "the {action} task {id} was not seen finished: the wait was \
                                 interrupted (last seen: {last})"
                            ),
                            End::Failed(error) => format!(
                                "the {action} task {id} was not seen finished: looking it up \
                                 failed: {error}"
                            ),
                        }
                    }
                }
            };
            failed_urls.insert(url.clone());
            let mut failure = Failure::unsent(url.clone(), message);
            failure.task_id = Some(task.task_id.clone());
            failure.status = Some(seen.unwrap_or_else(|| "unknown".to_owned()));
            failure.sent = true;
            failures.push(failure);
        }
    }
    summary.done += done;
    summary.failed += failed;
    summary.unfinished += unfinished;
    summary.still_running += running;
    if !failed_urls.is_empty() {
        report.succeeded.retain(|url| !failed_urls.contains(url));
        report.failed.extend(failures);
    }
}
