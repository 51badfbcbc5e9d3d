//! After a submission: waiting until its tasks are finished
//! ([`Client::wait`], [`Client::wait_until`]), waiting on tasks submitted
//! earlier ([`Client::wait_tasks`], [`Client::wait_on`]), and reading a
//! task's logs ([`Client::task_logs`]), with API 3.0's `DescribePurgeTasks`
//! and `DescribePushTasks`.
//!
//! The poll schedule keeps the wait short: a first poll at once, then a gap
//! of a tenth of the time waited so far (at least [`MIN_POLL_GAP`], at most
//! [`MAX_POLL_GAP`]). Tasks that finish after *T* are seen finished by
//! 1.1 *T* + [`MIN_POLL_GAP`] and one poll's latency, and a wait of hours
//! polls a few hundred times, not thousands.
//!
//! A poll asks by time window, for many tasks a call: from the creation
//! time the server gave the oldest task still waited on (learnt from one
//! lookup by `TaskId`), in pages that fit the transport's 1 MiB cap on an
//! answer. A wait over *N* one-URL tasks costs about *N* / 100 calls a
//! round. A task the window does not show (created before it, or shifted
//! out of a page by tasks created meanwhile) is asked for by its `TaskId`,
//! and so is every task when there are fewer of them than the window has
//! pages.
//!
//! A poll that fails (after the client's own retries) is tried again at the
//! next gap, until the timeout: only an answer that no retry can change (an
//! authentication or parameter error) ends the wait early.
//!
//! A URL is done only when a log of its own task says `done`. A server may
//! log a URL in another spelling (`UrlEncode` makes it percent-encode
//! non-ASCII characters), so logs and URLs are compared with their
//! percent-escapes decoded; when several logs could be the URL, the worst
//! status wins (`fail` or `invalid`, then anything unfinished, then `done`).

use std::time::Duration;

use serde::Serialize;
use tcdn_model::teo::ZoneId;
use tcdn_model::v3::{TaskId, TaskSelector};

use crate::api::v3::{PAGE, PageLog};
use crate::cancel::Cancel;
use crate::client::Client;
use crate::error::CallError;
use crate::report::{Report, Task, UnknownTask};

mod edgeone;
mod poll;
mod settle;
mod targets;
mod watched;

use poll::End;
use settle::{is_terminal, settle};
use watched::{Log, Watched};

/// The shortest gap between two polls of the same tasks.
pub const MIN_POLL_GAP: Duration = Duration::from_millis(250);
/// The longest gap between two polls.
pub const MAX_POLL_GAP: Duration = Duration::from_secs(30);

/// The most logs one poll's page asks for.
pub const POLL_PAGE: u64 = 100;

/// The transport's cap on an answer's body.
const BODY_CAP: usize = 1 << 20;

/// Bytes of one log besides its URL (ids, status, times, JSON punctuation),
/// generously.
const LOG_OVERHEAD: usize = 512;

/// A lying server's `TotalCount` cannot keep one round paging for ever.
const MAX_PAGES: u64 = 10_000;

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
    /// The kind of a task created by `action` (`PurgeUrlsCache`,
    /// `CreatePrefetchTask`, …).
    pub fn of_action(action: &str) -> Self {
        if action == "PushUrlsCache" || action == "CreatePrefetchTask" {
            Self::Push
        } else {
            Self::Purge
        }
    }
}

/// Tasks submitted earlier, named by id, for [`Client::wait_on`]: which
/// query asks for them and, for EdgeOne `JobId`s, which zone.
#[derive(Debug, Clone, Copy)]
pub struct TaskIds<'a> {
    ids: &'a [TaskId],
    kind: Option<TaskKind>,
    zone: Option<&'a ZoneId>,
}

impl<'a> TaskIds<'a> {
    /// `ids`, asked for as purges first, then as pushes, and (EdgeOne) in
    /// each zone of the account.
    pub fn new(ids: &'a [TaskId]) -> Self {
        Self {
            ids,
            kind: None,
            zone: None,
        }
    }

    /// Asked for as tasks of `kind` only (`None`: purges first, then
    /// pushes).
    #[must_use]
    pub fn kind(mut self, kind: Option<TaskKind>) -> Self {
        self.kind = kind;
        self
    }

    /// EdgeOne `JobId`s of `zone` (`None`: looked up in each zone of the
    /// account).
    #[must_use]
    pub fn in_zone(mut self, zone: Option<&'a ZoneId>) -> Self {
        self.zone = zone;
        self
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
        is_terminal(&self.status)
    }
}

/// What [`Client::wait`] came to.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WaitSummary {
    /// URLs whose task ended `done`.
    pub done: usize,
    /// URLs whose task ended `fail` or `invalid`, or whose task cannot be
    /// looked up (moved to `failed`).
    pub failed: usize,
    /// URLs whose task had not finished when the wait ended (moved to
    /// `failed`).
    pub unfinished: usize,
    /// Of `unfinished`, the URLs last seen `process`: their task is still
    /// running.
    pub still_running: usize,
    /// Polling rounds made.
    pub polls: usize,
    /// Whether the wait reached its timeout with tasks unfinished.
    pub timed_out: bool,
    /// Whether the wait was interrupted (its [`Cancel`] was cancelled).
    pub interrupted: bool,
    /// The error that stopped the wait early, if one did.
    pub error: Option<CallError>,
    /// The last failed poll's error, when a poll failed and the wait went
    /// on.
    pub last_poll_error: Option<CallError>,
}

impl WaitSummary {
    /// Whether the wait reached its timeout and every URL of `report` not
    /// done is one whose task is still running, with nothing else failed or
    /// not sent: the CLI's exit status 3.
    pub fn only_still_running(&self, report: &Report) -> bool {
        self.timed_out
            && !self.interrupted
            && self.still_running > 0
            && self.still_running == report.failed.len()
            && report.not_sent.is_empty()
            && report.unknown_tasks.is_empty()
    }
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
        let (logs, _) = self
            .paged(kind, TaskSelector::task(task_id.clone()), PAGE)
            .await?;
        let log = |log: PageLog| TaskLog {
            task_id: log.task_id,
            kind,
            url: log.url,
            status: log.status,
            percent: log.percent,
            create_time: log.create_time,
        };
        Ok(logs.into_iter().map(log).collect())
    }
}

/// Whether a task named `task_id` can be waited on: its id can be asked
/// for (not empty, without control or format characters, at most 128
/// bytes).
pub fn can_wait_on(task_id: &str) -> bool {
    TaskId::new(task_id).is_ok()
}

impl Client {
    /// Waits until every task of `report` is finished, or `timeout` passes:
    /// [`wait_until`](Self::wait_until) with nothing to interrupt it.
    pub async fn wait(
        &self,
        report: &mut Report,
        timeout: Duration,
        on_progress: impl FnMut(usize, usize) + Send,
    ) -> WaitSummary {
        self.wait_until(report, timeout, &Cancel::new(), on_progress)
            .await
    }

    /// Waits until every task of `report` is finished, `timeout` passes, or
    /// `cancel` is cancelled, polling `DescribePurgeTasks` /
    /// `DescribePushTasks` (paced and retried like every call) on the
    /// schedule of the [module documentation](crate::wait). `on_progress`
    /// gets the URLs finished and the URLs waited for after each poll.
    ///
    /// Then every URL not seen `done` is moved from `succeeded` to `failed`
    /// (its task stays in `tasks`), with `code` null, its task, and its
    /// status as last seen (`fail`, `invalid`, `process`, or `unknown` when
    /// never seen): one whose task ended `fail` or `invalid`, one not seen
    /// finished when the wait ended (at the timeout, at an interrupt, or at
    /// a poll that failed for good), and one whose task has a `TaskId` that
    /// cannot be asked for (empty, with control or format characters, or
    /// over 128 bytes).
    pub async fn wait_until(
        &self,
        report: &mut Report,
        timeout: Duration,
        cancel: &Cancel,
        on_progress: impl FnMut(usize, usize) + Send,
    ) -> WaitSummary {
        let mut watched: Vec<Watched> = report.tasks.iter().map(Watched::of_task).collect();
        let mut summary = self.watch(&mut watched, timeout, cancel, on_progress).await;
        settle(report, &watched, timeout, &mut summary);
        summary
    }

    /// Waits on tasks submitted earlier, by `TaskId`, as
    /// [`wait_until`](Self::wait_until) waits on a report's: each task's
    /// URLs are those its logs name, and `kind` (when given) says which
    /// query to ask (else purges are asked for first, then pushes).
    ///
    /// The report lists each task found (once, however often it is named)
    /// with its URLs in `succeeded` (done) or `failed`; a task no lookup found (no such task, or every lookup
    /// failed) is in `unknown_tasks`.
    pub async fn wait_tasks(
        &self,
        task_ids: &[TaskId],
        kind: Option<TaskKind>,
        timeout: Duration,
        cancel: &Cancel,
        on_progress: impl FnMut(usize, usize) + Send,
    ) -> (Report, WaitSummary) {
        let tasks = TaskIds::new(task_ids).kind(kind);
        self.wait_on(tasks, timeout, cancel, on_progress).await
    }

    /// [`wait_tasks`](Self::wait_tasks) of `tasks`, which also name the
    /// EdgeOne zone their `JobId`s are looked up in.
    pub async fn wait_on(
        &self,
        tasks: TaskIds<'_>,
        timeout: Duration,
        cancel: &Cancel,
        on_progress: impl FnMut(usize, usize) + Send,
    ) -> (Report, WaitSummary) {
        let TaskIds { ids, kind, zone } = tasks;
        let mut asked = std::collections::HashSet::new();
        let mut watched: Vec<Watched> = ids
            .iter()
            .filter(|id| asked.insert(id.as_str()))
            .map(|id| {
                let mut watched = Watched::new(id.as_str(), kind, true);
                watched.zone = zone.map(|z| z.as_str().to_owned());
                watched
            })
            .collect();
        let mut summary = self.watch(&mut watched, timeout, cancel, on_progress).await;
        let mut report = Report::default();
        let mut seen = std::collections::HashSet::new();
        let mut found = Vec::new();
        for task in watched {
            if task.found {
                report.tasks.push(Task {
                    task_id: task.task_id.clone(),
                    action: task.action.unwrap_or("PurgeUrlsCache"),
                    urls: task.urls.clone(),
                    zone_id: task.zone.clone(),
                });
                for url in &task.urls {
                    if seen.insert(url.clone()) {
                        report.succeeded.push(url.clone());
                    }
                }
                found.push(task);
                continue;
            }
            let message = if task.missing {
                "no such task was found (tasks are kept for a limited time)".to_owned()
            } else {
                match summary.error.as_ref().or(summary.last_poll_error.as_ref()) {
                    Some(error) => format!("the task could not be looked up: {error}"),
                    None => "the task was not looked up before the wait ended".to_owned(),
                }
            };
            report.unknown_tasks.push(UnknownTask {
                task_id: task.task_id,
                message,
            });
        }
        settle(&mut report, &found, timeout, &mut summary);
        (report, summary)
    }
}

#[cfg(test)]
mod tests {
    use super::poll::{ends_wait, page_size, unix_of};
    use super::watched::{decoded, rank};
    use super::*;
    use crate::api::v3::beijing_time;
    use crate::error::{CallErrorKind, GaveUp};

    #[test]
    fn escapes_decode_and_the_worst_status_ranks_highest() {
        assert_eq!(
            decoded("https://a.example/%E5%9B%BE"),
            "https://a.example/图".as_bytes()
        );
        assert_eq!(
            decoded("https://a.example/%e5%9b%be"),
            "https://a.example/图".as_bytes()
        );
        assert_eq!(
            decoded("https://a.example/%zz%2"),
            b"https://a.example/%zz%2"
        );
        assert!(rank("fail") > rank("process") && rank("process") > rank("done"));
        assert_eq!(rank("invalid"), rank("fail"));
        assert_eq!(rank("weird"), rank("process"));
    }

    #[test]
    fn api_times_read_back_as_unix_seconds() {
        for unix in [0, 951_782_400 - 8 * 3600, 1_700_000_000, 4_102_444_800] {
            assert_eq!(unix_of(&beijing_time(unix)), unix);
        }
    }

    #[test]
    fn pages_fit_the_transport_cap() {
        assert_eq!(page_size(100), POLL_PAGE);
        let page = page_size(tcdn_model::MAX_URL_LEN);
        assert!(page < POLL_PAGE);
        let worst = page as usize * (tcdn_model::MAX_URL_LEN * 3 + LOG_OVERHEAD);
        assert!(worst <= BODY_CAP, "{worst}");
        assert_eq!(page_size(usize::MAX), 1);
    }

    #[test]
    fn only_answers_no_retry_changes_end_a_wait() {
        let mut error = CallError::new(CallErrorKind::Transport, "no answer".into());
        assert!(!ends_wait(&error));
        error.kind = CallErrorKind::Api;
        error.gave_up = GaveUp::AttemptsExhausted;
        assert!(!ends_wait(&error), "a rate limit or an internal error");
        error.gave_up = GaveUp::NotRetryable;
        assert!(ends_wait(&error), "AuthFailure, InvalidParameter");
        error.kind = CallErrorKind::Credentials;
        assert!(ends_wait(&error));
    }
}
