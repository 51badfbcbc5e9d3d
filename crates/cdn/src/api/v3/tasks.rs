//! One page of task logs, whichever the task kind: the `DescribePurgeTasks`
//! or `DescribePushTasks` query of a page, and the logs its answer holds.
//! The wait and the reconciliation of lost answers page through them.

use tcdn_model::v3::{
    Action, DescribePurgeTasks, DescribePushTasks, Keyword, PurgeType, Request, TaskSelector,
};

use super::Body;

/// Which logs a query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TaskLogs {
    /// `DescribePurgeTasks`, of one purge type or of both.
    Purge(Option<PurgeType>),
    /// `DescribePushTasks`.
    Push,
}

/// The query of the page of `limit` logs from `offset` that `selector` and
/// `keyword` select.
pub(crate) fn page_query(
    logs: TaskLogs,
    selector: TaskSelector,
    keyword: Option<Keyword>,
    (offset, limit): (u64, u64),
) -> Request {
    let (offset, limit) = (Some(offset), Some(limit));
    match logs {
        TaskLogs::Purge(purge_type) => DescribePurgeTasks {
            purge_type,
            offset,
            limit,
            keyword,
            ..DescribePurgeTasks::new(selector)
        }
        .into(),
        TaskLogs::Push => DescribePushTasks {
            offset,
            limit,
            keyword,
            ..DescribePushTasks::new(selector)
        }
        .into(),
    }
}

/// One log of a page, of either kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageLog {
    /// `TaskId`.
    pub(crate) task_id: String,
    /// `Url`.
    pub(crate) url: String,
    /// `Status`.
    pub(crate) status: String,
    /// `Percent` (push logs only).
    pub(crate) percent: Option<i64>,
    /// `CreateTime` (Beijing time).
    pub(crate) create_time: String,
    /// The action that created the task (a purge log's `PurgeType` tells
    /// URLs from directories).
    pub(crate) action: Action,
}

/// A page's logs and its `TotalCount` (0 when negative); the body back when
/// it holds no task logs.
pub(crate) fn page_of(body: Body) -> Result<(Vec<PageLog>, u64), Body> {
    let total = |count: i64| u64::try_from(count).unwrap_or(0);
    let log = |task_id, url, status, create_time, percent, action| PageLog {
        task_id,
        url,
        status,
        percent,
        create_time,
        action,
    };
    match body {
        Body::PurgeTasks(tasks) => {
            let logs = tasks.logs.into_iter().map(|l| {
                let action = match l.purge_type.as_str() {
                    "path" => Action::PurgePathCache,
                    _ => Action::PurgeUrlsCache,
                };
                log(l.task_id, l.url, l.status, l.create_time, None, action)
            });
            Ok((logs.collect(), total(tasks.total_count)))
        }
        Body::PushTasks(tasks) => {
            let logs = tasks.logs.into_iter().map(|l| {
                let action = Action::PushUrlsCache;
                log(
                    l.task_id,
                    l.url,
                    l.status,
                    l.create_time,
                    Some(l.percent),
                    action,
                )
            });
            Ok((logs.collect(), total(tasks.total_count)))
        }
        other => Err(other),
    }
}
