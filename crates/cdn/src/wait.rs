//! After a submission: waiting until its tasks are finished
//! ([`Client::wait`], [`Client::wait_until`]), waiting on tasks submitted
//! earlier ([`Client::wait_tasks`]), and reading a task's logs
//! ([`Client::task_logs`]), with API 3.0's `DescribePurgeTasks` and
//! `DescribePushTasks`.
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

use std::collections::HashMap;
use std::time::Duration;

use serde::Serialize;
use tcdn_model::CdnUrl;
use tcdn_model::v3::{
    DateTime, DescribePurgeTasks, DescribePushTasks, TaskId, TaskSelector, TaskStatus,
};

use crate::api::v3::{PAGE, beijing_time};
use crate::cancel::Cancel;
use crate::client::Client;
use crate::error::{CallError, CallErrorKind, GaveUp};
use crate::report::{Failure, Report, Task, UnknownTask};

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
}

/// One log, as the wait reads it.
struct Log {
    task_id: String,
    kind: TaskKind,
    url: String,
    status: String,
    create_time: String,
    /// The action that created its task.
    action: &'static str,
}

/// A task waited on.
struct Watched {
    /// Its id as the server gave it.
    task_id: String,
    /// Its id, when it is one that can be asked for.
    id: Option<TaskId>,
    kind: Option<TaskKind>,
    /// The action that created it (learnt from its logs when waiting by
    /// id).
    action: Option<&'static str>,
    /// The earliest creation time its logs gave.
    created: Option<DateTime>,
    urls: Vec<CdnUrl>,
    /// Each URL's position, by its text with percent-escapes decoded.
    index: HashMap<Vec<u8>, Vec<usize>>,
    /// Each URL's status as last seen.
    status: Vec<Option<String>>,
    /// Whether its URLs are learnt from its logs (waiting by id).
    learn: bool,
    /// Whether a lookup found it.
    found: bool,
    /// Whether a lookup by id answered that there is no such task.
    missing: bool,
    finished: bool,
}

impl Watched {
    fn of_task(task: &Task) -> Self {
        let mut watched = Self::new(&task.task_id, Some(TaskKind::of_action(task.action)), false);
        watched.action = Some(task.action);
        for url in &task.urls {
            watched.add(url.clone());
        }
        watched
    }

    fn new(task_id: &str, kind: Option<TaskKind>, learn: bool) -> Self {
        Self {
            task_id: task_id.to_owned(),
            id: TaskId::new(task_id).ok(),
            kind,
            action: None,
            created: None,
            urls: Vec::new(),
            index: HashMap::new(),
            status: Vec::new(),
            learn,
            found: false,
            missing: false,
            finished: false,
        }
    }

    fn add(&mut self, url: CdnUrl) {
        self.index
            .entry(decoded(url.as_str()))
            .or_default()
            .push(self.urls.len());
        self.urls.push(url);
        self.status.push(None);
    }

    fn is_pending(&self) -> bool {
        !self.finished && !self.missing && self.id.is_some()
    }

    /// Takes this round's logs of the task.
    fn apply(&mut self, logs: &[Log]) {
        let mut worst: HashMap<Vec<u8>, &str> = HashMap::new();
        for log in logs {
            self.found = true;
            self.kind.get_or_insert(log.kind);
            self.action.get_or_insert(log.action);
            if let Ok(created) = DateTime::parse(&log.create_time)
                && self.created.is_none_or(|known| created < known)
            {
                self.created = Some(created);
            }
            let key = decoded(&log.url);
            if self.learn && !self.index.contains_key(&key) {
                match log.url.parse::<CdnUrl>() {
                    Ok(url) => self.add(url),
                    Err(error) => tracing::warn!(
                        task_id = %self.task_id,
                        "a log of the task names no usable URL: {error}"
                    ),
                }
            }
            let status = worst.entry(key).or_insert(&log.status);
            if rank(&log.status) > rank(status) {
                *status = &log.status;
            }
        }
        for (key, status) in worst {
            for &i in self.index.get(&key).map_or(&[][..], Vec::as_slice) {
                self.status[i] = Some(status.to_owned());
            }
        }
        self.finished = (self.found || !self.learn)
            && !self.urls.is_empty()
            && self
                .status
                .iter()
                .all(|s| s.as_deref().is_some_and(is_terminal));
    }
}

/// How a status weighs when several logs could be one URL: `fail` and
/// `invalid` over anything unfinished, over `done`.
fn rank(status: &str) -> u8 {
    match TaskStatus::from_wire(status) {
        Some(TaskStatus::Done) => 0,
        Some(TaskStatus::Fail | TaskStatus::Invalid) => 2,
        _ => 1,
    }
}

/// `text` with its percent-escapes decoded (an escape that is not one is
/// kept as written), so that `…/图` and `…/%E5%9B%BE` compare equal.
fn decoded(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(high), Some(low)) = (
                bytes.get(i + 1).and_then(|&b| (b as char).to_digit(16)),
                bytes.get(i + 2).and_then(|&b| (b as char).to_digit(16)),
            )
        {
            // Two hex digits make at most 255.
            out.push(u8::try_from(high * 16 + low).unwrap_or(u8::MAX));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// The most logs a page may ask for when no URL is longer than
/// `longest_url` bytes: half the transport's cap, with room for a server
/// that logs every byte percent-encoded (three times as long).
fn page_size(longest_url: usize) -> u64 {
    let per_log = longest_url.saturating_mul(3).saturating_add(LOG_OVERHEAD);
    u64::try_from(BODY_CAP / 2 / per_log)
        .unwrap_or(POLL_PAGE)
        .clamp(1, POLL_PAGE)
}

/// Unix seconds of a time the API wrote (Beijing time, UTC+8).
fn unix_of(time: &DateTime) -> u64 {
    let text = time.as_str().as_bytes();
    let number = |range: std::ops::Range<usize>| {
        text[range]
            .iter()
            .fold(0i64, |n, &b| n * 10 + i64::from(b - b'0'))
    };
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    // Days from 1970-01-01 to the date (the proleptic Gregorian calendar).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds =
        days * 86_400 + number(11..13) * 3600 + number(14..16) * 60 + number(17..19) - 8 * 3600;
    u64::try_from(seconds).unwrap_or(0)
}

/// Whether a failed poll ends the wait: an answer no retry can change
/// (authentication, a parameter the server refuses), or a call that cannot
/// be made at all. Anything else (no answer, 5xx, a rate limit, a garbled
/// answer) may pass, and the next gap tries again.
fn ends_wait(error: &CallError) -> bool {
    match error.kind() {
        CallErrorKind::Credentials
        | CallErrorKind::Unsupported
        | CallErrorKind::InvalidRequest
        | CallErrorKind::ClockSkew => true,
        CallErrorKind::Api => error.gave_up() == GaveUp::NotRetryable,
        _ => false,
    }
}

/// Whether a task named `task_id` can be waited on: its id can be asked
/// for (not empty, without control or format characters, at most 128
/// bytes).
pub fn can_wait_on(task_id: &str) -> bool {
    TaskId::new(task_id).is_ok()
}

/// Tasks a round looks up by id to learn where the window starts.
const PROBES: usize = 3;

/// The paging of one wait.
struct Paging {
    /// Lookups made to learn where the window starts (where the next
    /// starts).
    probe: usize,
    /// Logs a page asks for.
    page: u64,
    /// Pages the last window took (a window costs about as much again).
    window_pages: u64,
}

/// How a wait ended, for the messages of the URLs it did not see done.
enum End<'a> {
    TimedOut(Duration, Option<&'a CallError>),
    Interrupted,
    Failed(&'a CallError),
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
        let mut asked = std::collections::HashSet::new();
        let mut watched: Vec<Watched> = task_ids
            .iter()
            .filter(|id| asked.insert(id.as_str()))
            .map(|id| Watched::new(id.as_str(), kind, true))
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

    /// Polls until no task of `watched` is pending, the timeout passes or
    /// `cancel` is cancelled.
    async fn watch(
        &self,
        watched: &mut [Watched],
        timeout: Duration,
        cancel: &Cancel,
        mut on_progress: impl FnMut(usize, usize) + Send,
    ) -> WaitSummary {
        let clock = self.core.clock.clone();
        let start = clock.monotonic();
        let longest = watched
            .iter()
            .flat_map(|w| w.urls.iter().map(|u| u.as_str().len()))
            .max()
            .filter(|_| watched.iter().all(|w| !w.learn))
            .unwrap_or(tcdn_model::MAX_URL_LEN);
        let mut paging = Paging {
            probe: 0,
            page: page_size(longest),
            window_pages: 1,
        };
        let mut summary = WaitSummary::default();
        while watched.iter().any(Watched::is_pending) {
            if cancel.is_cancelled() {
                summary.interrupted = true;
                break;
            }
            summary.polls += 1;
            let polled = tokio::select! {
                biased;
                () = cancel.cancelled() => None,
                polled = self.poll(watched, &mut paging) => Some(polled),
            };
            match polled {
                None => {
                    summary.interrupted = true;
                    break;
                }
                Some(Err(error)) if ends_wait(&error) => {
                    summary.error = Some(error);
                    break;
                }
                Some(Err(error)) => {
                    tracing::warn!("a poll of the tasks failed; trying again: {error}");
                    summary.last_poll_error = Some(error);
                }
                Some(Ok(())) => summary.last_poll_error = None,
            }
            let total: usize = watched.iter().map(|w| w.urls.len()).sum();
            let finished: usize = watched
                .iter()
                .filter(|w| !w.is_pending())
                .map(|w| w.urls.len())
                .sum();
            on_progress(finished, total);
            if !watched.iter().any(Watched::is_pending) {
                break;
            }
            let waited = clock.monotonic().saturating_sub(start);
            if waited >= timeout {
                summary.timed_out = true;
                break;
            }
            let gap = (waited / 10)
                .clamp(MIN_POLL_GAP, MAX_POLL_GAP)
                .min(timeout - waited);
            let slept = tokio::select! {
                biased;
                () = cancel.cancelled() => false,
                () = self.core.sleeper.sleep(gap) => true,
            };
            if !slept {
                summary.interrupted = true;
                break;
            }
        }
        summary
    }

    /// One round: the pending tasks by time window when that is cheaper,
    /// the rest by `TaskId`.
    async fn poll(&self, watched: &mut [Watched], paging: &mut Paging) -> Result<(), CallError> {
        let pending: Vec<usize> = (0..watched.len())
            .filter(|&i| watched[i].is_pending())
            .collect();
        let mut seen = vec![false; watched.len()];
        let since = |watched: &[Watched]| {
            pending
                .iter()
                .filter(|&&i| watched[i].kind.is_some())
                .filter_map(|&i| watched[i].created)
                .min()
        };
        // The window starts at a creation time the server gave: one lookup
        // by id learns it, whatever the two clocks say. A task not listed
        // (yet) is passed over for the next, a few a round, starting further
        // on each round so that none is left out; until one is listed, the
        // others wait for a later round rather than cost a call each.
        let mut unknown_start = false;
        if since(watched).is_none() {
            let probed: Vec<usize> = pending
                .iter()
                .copied()
                .filter(|&i| watched[i].kind.is_some())
                .collect();
            for k in 0..probed.len().min(PROBES) {
                let i = probed[(paging.probe + k) % probed.len()];
                paging.probe += 1;
                self.poll_by_id(&mut watched[i]).await?;
                seen[i] = true;
                if watched[i].created.is_some() {
                    break;
                }
            }
            unknown_start = since(watched).is_none();
        }
        let windowed: Vec<usize> = pending
            .iter()
            .copied()
            .filter(|&i| !seen[i] && watched[i].kind.is_some())
            .collect();
        if let Some(since) = since(watched)
            && windowed.len() as u64 > paging.window_pages
        {
            let start = beijing_time(unix_of(&since).saturating_sub(2));
            let ids: HashMap<&str, usize> = pending
                .iter()
                .map(|&i| (watched[i].task_id.as_str(), i))
                .collect();
            let mut by_task: HashMap<usize, Vec<Log>> = HashMap::new();
            let mut pages = 0;
            for kind in [TaskKind::Purge, TaskKind::Push] {
                if !windowed.iter().any(|&i| watched[i].kind == Some(kind)) {
                    continue;
                }
                let selector = TaskSelector::since(start, None)
                    .unwrap_or_else(|err| unreachable!("a start alone is a selector: {err}"));
                let (logs, used) = match self.logs(kind, selector, paging.page).await {
                    Ok(got) => got,
                    Err(error) => {
                        // An answer over the transport's cap fails too:
                        // smaller pages next time.
                        paging.page = (paging.page / 2).max(1);
                        return Err(error);
                    }
                };
                pages += used;
                for log in logs {
                    if let Some(&i) = ids.get(log.task_id.as_str()) {
                        by_task.entry(i).or_default().push(log);
                    }
                }
            }
            paging.window_pages = pages.max(1);
            for (i, logs) in by_task {
                watched[i].apply(&logs);
                seen[i] = true;
            }
        }
        for &i in &pending {
            // A task of unknown kind (waited on by id) is looked up anyway.
            let waits = unknown_start && watched[i].kind.is_some();
            if !seen[i] && !waits {
                self.poll_by_id(&mut watched[i]).await?;
            }
        }
        Ok(())
    }

    /// Looks one task up by its `TaskId`.
    async fn poll_by_id(&self, task: &mut Watched) -> Result<(), CallError> {
        let Some(id) = task.id.clone() else {
            return Ok(());
        };
        let page = if task.learn {
            page_size(tcdn_model::MAX_URL_LEN)
        } else {
            page_size(
                task.urls
                    .iter()
                    .map(|u| u.as_str().len())
                    .max()
                    .unwrap_or(0),
            )
        };
        let kinds: &[TaskKind] = match task.kind {
            Some(TaskKind::Purge) => &[TaskKind::Purge],
            Some(TaskKind::Push) => &[TaskKind::Push],
            None => &[TaskKind::Purge, TaskKind::Push],
        };
        let mut logs = Vec::new();
        for &kind in kinds {
            logs = self
                .logs(kind, TaskSelector::task(id.clone()), page)
                .await?
                .0;
            // A server that answers with other tasks' logs is not believed.
            logs.retain(|log| log.task_id == task.task_id);
            if !logs.is_empty() {
                break;
            }
        }
        if logs.is_empty() {
            // Waiting by id, a task the server does not know is not
            // waited for; a task just submitted may not be listed yet.
            task.missing = task.learn && !task.found;
        } else {
            task.apply(&logs);
        }
        Ok(())
    }

    /// Every log `selector` selects, paged, and the pages it took.
    async fn logs(
        &self,
        kind: TaskKind,
        selector: TaskSelector,
        page: u64,
    ) -> Result<(Vec<Log>, u64), CallError> {
        let mut logs = Vec::new();
        let mut offset = 0u64;
        let mut pages = 0;
        loop {
            pages += 1;
            let (got, total) = match kind {
                TaskKind::Purge => {
                    let tasks = self
                        .describe_purge_tasks(DescribePurgeTasks {
                            offset: Some(offset),
                            limit: Some(page),
                            ..DescribePurgeTasks::new(selector.clone())
                        })
                        .await?;
                    let got = tasks.logs.len() as u64;
                    logs.extend(tasks.logs.into_iter().map(|log| Log {
                        action: if log.purge_type == "path" {
                            "PurgePathCache"
                        } else {
                            "PurgeUrlsCache"
                        },
                        task_id: log.task_id,
                        kind,
                        url: log.url,
                        status: log.status,
                        create_time: log.create_time,
                    }));
                    (got, tasks.total_count)
                }
                TaskKind::Push => {
                    let tasks = self
                        .describe_push_tasks(DescribePushTasks {
                            offset: Some(offset),
                            limit: Some(page),
                            ..DescribePushTasks::new(selector.clone())
                        })
                        .await?;
                    let got = tasks.logs.len() as u64;
                    logs.extend(tasks.logs.into_iter().map(|log| Log {
                        action: "PushUrlsCache",
                        task_id: log.task_id,
                        kind,
                        url: log.url,
                        status: log.status,
                        create_time: log.create_time,
                    }));
                    (got, tasks.total_count)
                }
            };
            offset += got;
            if got < page || offset >= u64::try_from(total).unwrap_or(0) || pages >= MAX_PAGES {
                return Ok((logs, pages));
            }
        }
    }
}

fn is_terminal(status: &str) -> bool {
    matches!(
        TaskStatus::from_wire(status),
        Some(TaskStatus::Done | TaskStatus::Fail | TaskStatus::Invalid)
    )
}

/// A task id fit for a message: short, its control and format characters
/// escaped.
fn shown(task_id: &str) -> String {
    const MOST: usize = 40;
    let mut text: String = task_id
        .chars()
        .take(MOST)
        .flat_map(char::escape_debug)
        .collect();
    if task_id.chars().count() > MOST {
        text.push_str(&format!("… ({} bytes)", task_id.len()));
    }
    text
}

/// Moves the URLs that were not seen `done` from `succeeded` to `failed`.
fn settle(report: &mut Report, watched: &[Watched], timeout: Duration, summary: &mut WaitSummary) {
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
                    shown(&task.task_id)
                )
            } else {
                let id = &task.task_id;
                match seen.as_deref() {
                    Some("done") => {
                        done += 1;
                        continue;
                    }
                    Some(state @ ("fail" | "invalid")) => {
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
                        if last == Some("process") {
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn task_ids_are_shown_short_and_escaped() {
        assert_eq!(shown("a\u{200b}b"), "a\\u{200b}b");
        let long = "x".repeat(500);
        assert!(shown(&long).ends_with("… (500 bytes)"));
    }
}
