//! After a submission: waiting until its tasks are finished
//! ([`Client::wait`]), and reading a task's logs ([`Client::task_logs`]),
//! with API 3.0's `DescribePurgeTasks` and `DescribePushTasks`.
//!
//! The poll schedule keeps the wait short: a first poll at once, then a gap
//! of a tenth of the time waited so far (at least [`MIN_POLL_GAP`], at most
//! [`MAX_POLL_GAP`]). Tasks that finish after *T* are seen finished by
//! 1.1 *T* + [`MIN_POLL_GAP`] and one poll's latency, and a wait of hours
//! polls a few hundred times, not thousands.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde::Serialize;
use tcdn_model::v3::{DescribePurgeTasks, DescribePushTasks, TaskId, TaskSelector, TaskStatus};

use crate::api::v3::PAGE;
use crate::client::Client;
use crate::error::CallError;
use crate::report::{Failure, Report};

/// The shortest gap between two polls of the same tasks.
pub const MIN_POLL_GAP: Duration = Duration::from_millis(250);
/// The longest gap between two polls.
pub const MAX_POLL_GAP: Duration = Duration::from_secs(30);

/// Which kind of task a log is of.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// A purge (`PurgeUrlsCache`, `PurgePathCache`): `DescribePurgeTasks`.
    Purge,
    /// A push (`PushUrlsCache`): `DescribePushTasks`.
    Push,
}

impl TaskKind {
    /// The kind of a task created by `action` (`PurgeUrlsCache`, …).
    pub fn of_action(action: &str) -> Self {
        if action == "PushUrlsCache" {
            Self::Push
        } else {
            Self::Purge
        }
    }
}

/// One URL of a task, as `Describe*Tasks` logs it.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskLog {
    /// `TaskId`.
    pub task_id: String,
    /// Purge or push.
    pub kind: TaskKind,
    /// `Url`.
    pub url: String,
    /// `Status`: `process`, `done`, `fail` or (push) `invalid`.
    pub status: String,
    /// `Percent` (push only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<i64>,
    /// `CreateTime` (Beijing time).
    pub create_time: String,
}

impl TaskLog {
    /// Whether the task is finished for this URL (`done`, `fail`,
    /// `invalid`).
    pub fn is_finished(&self) -> bool {
        matches!(
            TaskStatus::from_wire(&self.status),
            Some(TaskStatus::Done | TaskStatus::Fail | TaskStatus::Invalid)
        )
    }
}

/// What [`Client::wait`] came to.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WaitSummary {
    /// URLs whose task ended `done`.
    pub done: usize,
    /// URLs whose task ended `fail` or `invalid` (moved to `failed`).
    pub failed: usize,
    /// URLs whose task had not finished when the wait ended (moved to
    /// `failed`).
    pub unfinished: usize,
    /// Polling rounds made.
    pub polls: usize,
    /// The error that stopped the wait early, if one did.
    pub error: Option<CallError>,
}

impl Client {
    /// Every log of task `task_id`: `DescribePurgeTasks`, then (when that
    /// has none) `DescribePushTasks`, each paged.
    ///
    /// # Errors
    /// The first failed call's [`CallError`].
    pub async fn task_logs(&self, task_id: &TaskId) -> Result<Vec<TaskLog>, CallError> {
        let purge = self.logs_of(task_id, TaskKind::Purge).await?;
        if !purge.is_empty() {
            return Ok(purge);
        }
        self.logs_of(task_id, TaskKind::Push).await
    }

    async fn logs_of(&self, task_id: &TaskId, kind: TaskKind) -> Result<Vec<TaskLog>, CallError> {
        let mut logs = Vec::new();
        let mut offset = 0u64;
        loop {
            let selector = TaskSelector::task(task_id.clone());
            let (page, total) = match kind {
                TaskKind::Purge => {
                    let tasks = self
                        .describe_purge_tasks(DescribePurgeTasks {
                            offset: Some(offset),
                            limit: Some(PAGE),
                            ..DescribePurgeTasks::new(selector)
                        })
                        .await?;
                    let page: Vec<TaskLog> = tasks
                        .logs
                        .into_iter()
                        .map(|log| TaskLog {
                            task_id: log.task_id,
                            kind,
                            url: log.url,
                            status: log.status,
                            percent: None,
                            create_time: log.create_time,
                        })
                        .collect();
                    (page, tasks.total_count)
                }
                TaskKind::Push => {
                    let tasks = self
                        .describe_push_tasks(DescribePushTasks {
                            offset: Some(offset),
                            limit: Some(PAGE),
                            ..DescribePushTasks::new(selector)
                        })
                        .await?;
                    let page: Vec<TaskLog> = tasks
                        .logs
                        .into_iter()
                        .map(|log| TaskLog {
                            task_id: log.task_id,
                            kind,
                            url: log.url,
                            status: log.status,
                            percent: Some(log.percent),
                            create_time: log.create_time,
                        })
                        .collect();
                    (page, tasks.total_count)
                }
            };
            let got = page.len() as u64;
            logs.extend(page);
            offset += got;
            if got < PAGE || offset >= u64::try_from(total).unwrap_or(0) {
                return Ok(logs);
            }
        }
    }

    /// Waits until every task of `report` is finished, or `timeout` passes,
    /// polling `DescribePurgeTasks` / `DescribePushTasks` by `TaskId` (paced
    /// and retried like every call) on the schedule of the [module
    /// documentation](crate::wait). `on_progress` gets the URLs finished
    /// and the URLs waited for after each poll.
    ///
    /// Then a URL whose task ended `fail` or `invalid`, or had not finished,
    /// is moved from `succeeded` to `failed` (its task stays in `tasks`).
    /// A poll that fails for good ends the wait; the unfinished URLs are
    /// failed with its error.
    pub async fn wait(
        &self,
        report: &mut Report,
        timeout: Duration,
        mut on_progress: impl FnMut(usize, usize) + Send,
    ) -> WaitSummary {
        let clock = self.core.clock.clone();
        let start = clock.monotonic();
        let mut status: HashMap<String, String> = HashMap::new();
        let mut pending: Vec<usize> = (0..report.tasks.len()).collect();
        let total: usize = report.tasks.iter().map(|t| t.urls.len()).sum();
        let mut summary = WaitSummary::default();
        while !pending.is_empty() {
            summary.polls += 1;
            let mut still = Vec::new();
            for &index in &pending {
                let task = &report.tasks[index];
                let Ok(task_id) = TaskId::new(&task.task_id) else {
                    continue;
                };
                let logs = match self
                    .logs_of(&task_id, TaskKind::of_action(task.action))
                    .await
                {
                    Ok(logs) => logs,
                    Err(error) => {
                        summary.error = Some(error);
                        break;
                    }
                };
                let matched = logs
                    .iter()
                    .filter(|log| task.urls.iter().any(|u| u.as_str() == log.url))
                    .count();
                for log in &logs {
                    status.insert(log.url.clone(), log.status.clone());
                }
                let all_finished = !logs.is_empty() && logs.iter().all(TaskLog::is_finished);
                let urls_finished = task
                    .urls
                    .iter()
                    .all(|url| status.get(url.as_str()).is_some_and(|s| is_terminal(s)));
                // A server that logs a URL in another spelling still ends the
                // wait once every log of the task is finished.
                let finished = urls_finished
                    || (all_finished && logs.len() >= task.urls.len() && matched < task.urls.len());
                if !finished {
                    still.push(index);
                }
            }
            if summary.error.is_some() {
                break;
            }
            pending = still;
            let finished_urls = total
                - pending
                    .iter()
                    .map(|&i| report.tasks[i].urls.len())
                    .sum::<usize>();
            on_progress(finished_urls, total);
            if pending.is_empty() {
                break;
            }
            let waited = clock.monotonic().saturating_sub(start);
            if waited >= timeout {
                break;
            }
            let gap = (waited / 10)
                .clamp(MIN_POLL_GAP, MAX_POLL_GAP)
                .min(timeout - waited);
            self.core.sleeper.sleep(gap).await;
        }
        settle(report, &status, &pending, timeout, &mut summary);
        summary
    }
}

fn is_terminal(status: &str) -> bool {
    matches!(
        TaskStatus::from_wire(status),
        Some(TaskStatus::Done | TaskStatus::Fail | TaskStatus::Invalid)
    )
}

/// Moves the URLs that did not end `done` from `succeeded` to `failed`.
fn settle(
    report: &mut Report,
    status: &HashMap<String, String>,
    pending: &[usize],
    timeout: Duration,
    summary: &mut WaitSummary,
) {
    let mut failed_urls = HashSet::new();
    let mut failures = Vec::new();
    for (index, task) in report.tasks.iter().enumerate() {
        let unfinished = pending.contains(&index);
        for url in &task.urls {
            let seen = status.get(url.as_str()).map(String::as_str);
            let message = match seen {
                Some("done") => None,
                Some(state @ ("fail" | "invalid")) => Some(format!(
                    "the {} task {} ended with status {state}{}",
                    task.action,
                    task.task_id,
                    if state == "invalid" {
                        " (the origin answered 4xx or 5xx)"
                    } else {
                        ""
                    }
                )),
                _ if !unfinished => None,
                _ => Some(match &summary.error {
                    Some(error) => format!(
                        "the {} task {} was not seen finished: looking it up failed: {error}",
                        task.action, task.task_id
                    ),
                    None => format!(
                        "the {} task {} had not finished after {} s of waiting",
                        task.action,
                        task.task_id,
                        timeout.as_secs()
                    ),
                }),
            };
            match message {
                None => summary.done += 1,
                Some(message) => {
                    if unfinished && !matches!(seen, Some("fail" | "invalid")) {
                        summary.unfinished += 1;
                    } else {
                        summary.failed += 1;
                    }
                    failed_urls.insert(url.clone());
                    let mut failure = Failure::unsent(url.clone(), message);
                    failure.task_id = Some(task.task_id.clone());
                    failure.sent = true;
                    failures.push(failure);
                }
            }
        }
    }
    if !failed_urls.is_empty() {
        report.succeeded.retain(|url| !failed_urls.contains(url));
        report.failed.extend(failures);
    }
}
