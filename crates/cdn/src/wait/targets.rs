//! A wait on the jobs of an EdgeOne purge of hosts, cache tags or a whole
//! zone ([`Client::wait_targets`]): each job polled by its `JobId` in its
//! zone as any EdgeOne task is, each target matched with the logs that
//! name it (a whole zone's one target with all of its job's), and the
//! targets not seen done moved to `failed` with the status last seen.

use std::time::Duration;

use super::WaitSummary;
use super::settle::{Tally, end_of, unsettled};
use super::watched::Watched;
use crate::cancel::Cancel;
use crate::client::{Client, TargetFailure, TargetReport};

impl Client {
    /// Waits until every job of `report` is finished, `timeout` passes, or
    /// `cancel` is cancelled, as [`wait_until`](Self::wait_until) waits on
    /// a URL report; `on_progress` gets the targets finished and waited
    /// for after each poll. Then every target not seen done moves from
    /// `succeeded` to `failed`, with its job and its status as last seen.
    pub async fn wait_targets(
        &self,
        report: &mut TargetReport,
        timeout: Duration,
        cancel: &Cancel,
        on_progress: impl FnMut(usize, usize) + Send,
    ) -> WaitSummary {
        let mut watched: Vec<Watched> = report
            .tasks
            .iter()
            .map(|task| Watched::of_targets(&task.task_id, &task.zone_id, &task.targets))
            .collect();
        let mut summary = self.watch(&mut watched, timeout, cancel, on_progress).await;
        let end = end_of(&summary, timeout);
        let mut tally = Tally::default();
        let mut failures = Vec::new();
        for (task, watch) in report.tasks.iter().zip(&watched) {
            for (i, target) in task.targets.iter().enumerate() {
                if let Some((message, status)) = unsettled(watch, i, task.action, &end, &mut tally)
                {
                    failures.push(TargetFailure {
                        target: target.clone(),
                        error_code: None,
                        request_id: None,
                        task_id: Some(task.task_id.clone()),
                        message,
                        status: Some(status),
                        maybe_applied: false,
                        sent: true,
                    });
                }
            }
        }
        tally.into_summary(&mut summary);
        report
            .succeeded
            .retain(|target| failures.iter().all(|f| f.target != *target));
        report.failed.extend(failures);
        summary
    }
}

impl TargetReport {
    /// Whether `summary`'s wait reached its timeout and every target of
    /// this report not done is one whose job is still running, with nothing
    /// else failed: the CLI's exit status 3.
    pub fn only_still_running(&self, summary: &WaitSummary) -> bool {
        summary.timed_out
            && !summary.interrupted
            && summary.still_running > 0
            && summary.still_running == self.failed.len()
    }
}
