//! The tasks a wait watches ([`Watched`]) and how their logs settle each
//! URL: matched with percent-escapes decoded, the worst status winning.

use std::collections::HashMap;

use tcdn_model::CdnUrl;
use tcdn_model::v3::{DateTime, TaskId, TaskStatus};

use super::*;
use crate::report::Task;

/// One log, as the wait reads it.
pub(super) struct Log {
    pub(super) task_id: String,
    pub(super) kind: TaskKind,
    pub(super) url: String,
    pub(super) status: String,
    pub(super) create_time: String,
    /// The action that created its task.
    pub(super) action: &'static str,
}

/// A task waited on.
pub(super) struct Watched {
    /// Its id as the server gave it.
    pub(super) task_id: String,
    /// Its id, when it is one that can be asked for.
    pub(super) id: Option<TaskId>,
    pub(super) kind: Option<TaskKind>,
    /// The action that created it (learnt from its logs when waiting by
    /// id).
    pub(super) action: Option<&'static str>,
    /// The earliest creation time its logs gave.
    pub(super) created: Option<DateTime>,
    pub(super) urls: Vec<CdnUrl>,
    /// Each URL's position, by its text with percent-escapes decoded.
    pub(super) index: HashMap<Vec<u8>, Vec<usize>>,
    /// Each URL's status as last seen.
    pub(super) status: Vec<Option<String>>,
    /// Whether its URLs are learnt from its logs (waiting by id).
    pub(super) learn: bool,
    /// Whether a lookup found it.
    pub(super) found: bool,
    /// Whether a lookup by id answered that there is no such task.
    pub(super) missing: bool,
    /// Its EdgeOne zone, when known.
    pub(super) zone: Option<String>,
    /// Whether its one item stands for every log of the task (a whole
    /// zone's purge, whose logs name the zone, not a target of ours).
    pub(super) whole: bool,
    pub(super) finished: bool,
}

impl Watched {
    pub(super) fn of_task(task: &Task) -> Self {
        let mut watched = Self::new(&task.task_id, Some(TaskKind::of_action(task.action)), false);
        watched.action = Some(task.action);
        watched.zone = task.zone_id.clone();
        for url in &task.urls {
            watched.add(url.clone());
        }
        watched
    }

    pub(super) fn new(task_id: &str, kind: Option<TaskKind>, learn: bool) -> Self {
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
            zone: None,
            whole: false,
            finished: false,
        }
    }

    /// An EdgeOne job of targets that are not URLs (hosts, cache tags, or
    /// [`ALL_TARGET`](crate::client::ALL_TARGET) for a whole zone), in
    /// `zone`: each target matched with the logs that name it.
    pub(super) fn of_targets(job_id: &str, zone: &str, targets: &[String]) -> Self {
        let mut watched = Self::new(job_id, Some(TaskKind::Purge), false);
        watched.action = Some("CreatePurgeTask");
        watched.zone = Some(zone.to_owned());
        watched.whole = targets == [crate::client::ALL_TARGET];
        for target in targets {
            let key = if watched.whole {
                Vec::new()
            } else {
                decoded(target)
            };
            watched
                .index
                .entry(key)
                .or_default()
                .push(watched.status.len());
            watched.status.push(None);
        }
        watched
    }

    pub(super) fn add(&mut self, url: CdnUrl) {
        self.index
            .entry(decoded(url.as_str()))
            .or_default()
            .push(self.urls.len());
        self.urls.push(url);
        self.status.push(None);
    }

    pub(super) fn is_pending(&self) -> bool {
        !self.finished && !self.missing && self.id.is_some()
    }

    /// Takes this round's logs of the task.
    pub(super) fn apply(&mut self, logs: &[Log]) {
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
            let key = if self.whole {
                Vec::new()
            } else {
                decoded(&log.url)
            };
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
            && !self.status.is_empty()
            && self
                .status
                .iter()
                .all(|s| s.as_deref().is_some_and(is_terminal));
    }
}

/// How a status weighs when several logs could be one URL: a failure
/// over anything unfinished, over done.
pub(super) fn rank(status: &str) -> u8 {
    match phase(status) {
        Phase::Done => 0,
        Phase::Running => 1,
        Phase::Failed => 2,
    }
}

/// Where a task is, by its status as either product spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// `done` (CDN), `success` (EdgeOne).
    Done,
    /// `fail`, `invalid` (CDN); `failed`, `timeout`, `canceled`, `invalid`
    /// (EdgeOne).
    Failed,
    /// `process` (CDN), `processing` (EdgeOne), and any status neither
    /// knows.
    Running,
}

/// The [`Phase`] of a status.
pub(super) fn phase(status: &str) -> Phase {
    if let Some(status) = TaskStatus::from_wire(status) {
        return match status {
            TaskStatus::Done => Phase::Done,
            TaskStatus::Fail | TaskStatus::Invalid => Phase::Failed,
            TaskStatus::Process => Phase::Running,
        };
    }
    match tcdn_model::teo::TaskStatus::from_wire(status) {
        Some(tcdn_model::teo::TaskStatus::Success) => Phase::Done,
        Some(status) if status.is_failure() => Phase::Failed,
        _ => Phase::Running,
    }
}

/// Whether a status says its task is still running, as the product spells
/// it (a status neither knows is not).
pub(super) fn is_running(status: &str) -> bool {
    matches!(status, "process" | "processing")
}

/// `text` with its percent-escapes decoded (an escape that is not one is
/// kept as written), so that `…/图` and `…/%E5%9B%BE` compare equal.
pub(super) fn decoded(text: &str) -> Vec<u8> {
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
