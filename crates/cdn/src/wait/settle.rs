//! The end of a wait: every URL not seen done moves from `succeeded` to
//! `failed`, with the status last seen and why.

use std::time::Duration;

use super::watched::{Phase, is_running, phase};
use super::*;
use crate::report::{Failure, Report};

pub(super) fn is_terminal(status: &str) -> bool {
    phase(status) != Phase::Running
}

/// How the items (URLs or targets) of a wait ended, counted.
#[derive(Default)]
pub(super) struct Tally {
    done: usize,
    failed: usize,
    unfinished: usize,
    running: usize,
}

impl Tally {
    /// Adds the counts to `summary`.
    pub(super) fn into_summary(self, summary: &mut WaitSummary) {
        summary.done += self.done;
        summary.failed += self.failed;
        summary.unfinished += self.unfinished;
        summary.still_running += self.running;
    }
}

/// How the wait of `summary` ended.
pub(super) fn end_of(summary: &WaitSummary, timeout: Duration) -> End<'_> {
    match (&summary.error, summary.interrupted) {
        (Some(error), _) => End::Failed(error),
        (None, true) => End::Interrupted,
        (None, false) => End::TimedOut(timeout, summary.last_poll_error.as_ref()),
    }
}

/// Why item `i` of `watch` (a task of `action`) was not seen done, with
/// the status it was last seen in (`unknown` if never); `None` when it was
/// seen done. Counted in `tally` either way.
pub(super) fn unsettled(
    watch: &Watched,
    i: usize,
    action: &str,
    end: &End<'_>,
    tally: &mut Tally,
) -> Option<(String, String)> {
    let seen = watch.status.get(i).cloned().flatten();
    let id = &watch.task_id;
    let message = if watch.id.is_none() {
        tally.failed += 1;
        format!(
            "the {action} task's TaskId \"{}\" cannot be looked up (it is empty, holds a control \
             or format character, or is over 128 bytes): whether it finished is unknown",
            crate::text::shown_id(id)
        )
    } else {
        match seen.as_deref() {
            Some(state) if phase(state) == Phase::Done => {
                tally.done += 1;
                return None;
            }
            Some(state) if phase(state) == Phase::Failed => {
                tally.failed += 1;
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
                tally.unfinished += 1;
                if last.is_some_and(is_running) {
                    tally.running += 1;
                }
                let last = last.unwrap_or("unknown");
                match end {
                    End::TimedOut(timeout, poll_error) => format!(
                        "the {action} task {id} had not finished after {} s of waiting (last \
                         seen: {last}){}",
                        timeout.as_secs(),
                        poll_error
                            .map(|e| format!("; the last poll failed: {e}"))
                            .unwrap_or_default()
                    ),
                    End::Interrupted => format!(
                        "the {action} task {id} was not seen finished: the wait was interrupted \
                         (last seen: {last})"
                    ),
                    End::Failed(error) => format!(
                        "the {action} task {id} was not seen finished: looking it up failed: \
                         {error}"
                    ),
                }
            }
        }
    };
    Some((message, seen.unwrap_or_else(|| "unknown".to_owned())))
}

/// Moves the URLs that were not seen `done` from `succeeded` to `failed`.
pub(super) fn settle(
    report: &mut Report,
    watched: &[Watched],
    timeout: Duration,
    summary: &mut WaitSummary,
) {
    let end = end_of(summary, timeout);
    let mut tally = Tally::default();
    let mut failed_urls = std::collections::HashSet::new();
    let mut failures = Vec::new();
    for (task, watch) in report.tasks.iter().zip(watched) {
        for (i, url) in task.urls.iter().enumerate() {
            let Some((message, status)) = unsettled(watch, i, task.action, &end, &mut tally) else {
                continue;
            };
            failed_urls.insert(url.clone());
            let mut failure = Failure::unsent(url.clone(), message);
            failure.task_id = Some(task.task_id.clone());
            failure.status = Some(status);
            failure.sent = true;
            failures.push(failure);
        }
    }
    tally.into_summary(summary);
    if !failed_urls.is_empty() {
        report.succeeded.retain(|url| !failed_urls.contains(url));
        report.failed.extend(failures);
    }
}
