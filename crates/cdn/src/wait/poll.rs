//! One round of a wait: polls by time window in pages that fit the
//! transport's cap, and by task id for what the window does not show; which
//! errors end a wait.

use std::collections::HashMap;
use std::time::Duration;

use tcdn_model::v3::{DateTime, TaskSelector};

use super::*;
use crate::api::v3::{PageLog, TaskLogs, beijing_time, page_of, page_query, unix_of_beijing};
use crate::cancel::Cancel;
use crate::client::{Client, unexpected};
use crate::error::{CallError, CallErrorKind, GaveUp};

/// The most logs a page may ask for when no URL is longer than
/// `longest_url` bytes: half the transport's cap, with room for a server
/// that logs every byte percent-encoded (three times as long).
pub(super) fn page_size(longest_url: usize) -> u64 {
    let per_log = longest_url.saturating_mul(3).saturating_add(LOG_OVERHEAD);
    u64::try_from(BODY_CAP / 2 / per_log)
        .unwrap_or(POLL_PAGE)
        .clamp(1, POLL_PAGE)
}

/// Unix seconds of a time the API wrote (Beijing time, UTC+8).
pub(super) fn unix_of(time: &DateTime) -> u64 {
    unix_of_beijing(time.as_str()).map_or(0, |unix| u64::try_from(unix).unwrap_or(0))
}

/// Whether a failed poll ends the wait: an answer no retry can change
/// (authentication, a parameter the server refuses), or a call that cannot
/// be made at all. Anything else (no answer, 5xx, a rate limit, a garbled
/// answer) may pass, and the next gap tries again.
pub(super) fn ends_wait(error: &CallError) -> bool {
    match error.kind() {
        CallErrorKind::Credentials
        | CallErrorKind::Unsupported
        | CallErrorKind::InvalidRequest
        | CallErrorKind::ClockSkew => true,
        CallErrorKind::Api => error.gave_up() == GaveUp::NotRetryable,
        _ => false,
    }
}

/// Tasks a round looks up by id to learn where the window starts.
pub(super) const PROBES: usize = 3;

/// The paging of one wait.
pub(super) struct Paging {
    /// Lookups made to learn where the window starts (where the next
    /// starts).
    pub(super) probe: usize,
    /// Logs a page asks for.
    pub(super) page: u64,
    /// Pages the last window took (a window costs about as much again).
    pub(super) window_pages: u64,
}

/// How a wait ended, for the messages of the URLs it did not see done.
pub(super) enum End<'a> {
    TimedOut(Duration, Option<&'a CallError>),
    Interrupted,
    Failed(&'a CallError),
}

impl Client {
    /// Polls until no task of `watched` is pending, the timeout passes or
    /// `cancel` is cancelled.
    pub(super) async fn watch(
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
            let total: usize = watched.iter().map(|w| w.status.len()).sum();
            let finished: usize = watched
                .iter()
                .filter(|w| !w.is_pending())
                .map(|w| w.status.len())
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
    pub(super) async fn poll(
        &self,
        watched: &mut [Watched],
        paging: &mut Paging,
    ) -> Result<(), CallError> {
        if self.product() == crate::job::Product::EdgeOne {
            return self.poll_edgeone(watched).await;
        }
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
    pub(super) async fn poll_by_id(&self, task: &mut Watched) -> Result<(), CallError> {
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
    pub(super) async fn logs(
        &self,
        kind: TaskKind,
        selector: TaskSelector,
        page: u64,
    ) -> Result<(Vec<Log>, u64), CallError> {
        let (logs, pages) = self.paged(kind, selector, page).await?;
        let log = |log: PageLog| Log {
            action: log.action.as_str(),
            task_id: log.task_id,
            kind,
            url: log.url,
            status: log.status,
            create_time: log.create_time,
        };
        Ok((logs.into_iter().map(log).collect(), pages))
    }

    /// Every log of one kind that `selector` selects, in pages of `page`
    /// logs (at most [`MAX_PAGES`] of them), and the pages it took.
    pub(super) async fn paged(
        &self,
        kind: TaskKind,
        selector: TaskSelector,
        page: u64,
    ) -> Result<(Vec<PageLog>, u64), CallError> {
        let of_kind = match kind {
            TaskKind::Purge => TaskLogs::Purge(None),
            TaskKind::Push => TaskLogs::Push,
        };
        let mut logs = Vec::new();
        let mut offset = 0u64;
        let mut pages = 0;
        loop {
            pages += 1;
            let query = page_query(of_kind, selector.clone(), None, (offset, page));
            let (got, total) =
                page_of(self.query(query).await?).map_err(|body| unexpected(&body))?;
            let got_len = got.len() as u64;
            logs.extend(got);
            offset += got_len;
            if got_len < page || offset >= total || pages >= MAX_PAGES {
                return Ok((logs, pages));
            }
        }
    }
}
