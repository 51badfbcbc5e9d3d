//! API 3.0's queries: `DescribePurgeTasks` and `DescribePushTasks` (by task
//! id or time window, filtered, newest first, paged) and
//! `DescribePurgeQuota`/`DescribePushQuota` (each area's quota today).

use tcdn_model::v3::{
    DescribePurgeTasks, DescribePushTasks, PurgeLog, PurgeTasks, PurgeType, PushLog, PushTasks,
    Quota, TaskSelector, TaskStatus,
};

use super::apply::v3_area;
use crate::beijing;
use crate::config::Config;
use crate::state::{AreaName, Bucket, State, Stored, V3Work, beijing_day};

/// Whether a task was accepted within the selector's window and has its id.
fn selected(selector: &TaskSelector, stored: &Stored) -> bool {
    let accepted_s = stored.accepted_ms.div_euclid(1000);
    selector
        .task_id()
        .is_none_or(|id| stored.task.task_id.as_deref() == Some(id.as_str()))
        && selector
            .start_time()
            .is_none_or(|start| accepted_s >= beijing::unix_seconds(&start))
        && selector
            .end_time()
            .is_none_or(|end| accepted_s <= beijing::unix_seconds(&end))
}

/// `Keyword`: a full URL, or a domain the URL is on.
fn keyword_matches(keyword: Option<&tcdn_model::v3::Keyword>, url: &str) -> bool {
    let Some(keyword) = keyword.map(|k| k.as_str()) else {
        return true;
    };
    if url == keyword {
        return true;
    }
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    host.eq_ignore_ascii_case(keyword) || authority.eq_ignore_ascii_case(keyword)
}

/// `Offset` (default 0) and `Limit` (default 20) over the matching logs,
/// newest task first.
pub(crate) fn page<T>(logs: Vec<T>, offset: Option<u64>, limit: Option<u64>) -> (Vec<T>, i64) {
    let total = i64::try_from(logs.len()).unwrap_or(i64::MAX);
    let offset = usize::try_from(offset.unwrap_or(0)).unwrap_or(usize::MAX);
    let limit = usize::try_from(limit.unwrap_or(20)).unwrap_or(usize::MAX);
    (logs.into_iter().skip(offset).take(limit).collect(), total)
}

pub(crate) fn purge_tasks(
    state: &State,
    now_ms: i64,
    delay_ms: i64,
    query: &DescribePurgeTasks,
) -> PurgeTasks {
    let mut logs = Vec::new();
    for stored in state.tasks().iter().rev() {
        let (purge_type, flush_type, area) = match stored.v3 {
            Some(V3Work::PurgeUrls { area }) => (PurgeType::Url, "flush", area),
            Some(V3Work::PurgePaths { area, flush_type }) => {
                (PurgeType::Path, flush_type.as_str(), area)
            }
            _ => continue,
        };
        if !selected(&query.selector, stored)
            || query.purge_type.is_some_and(|t| t != purge_type)
            || query.area.is_some_and(|a| a != area)
        {
            continue;
        }
        for (i, url) in stored.task.urls.iter().enumerate() {
            let status = stored.status(i, now_ms, delay_ms);
            if query.status.is_some_and(|s| TaskStatus::from(s) != status)
                || !keyword_matches(query.keyword.as_ref(), url)
            {
                continue;
            }
            logs.push(PurgeLog {
                task_id: stored.task.task_id.clone().unwrap_or_default(),
                url: url.clone(),
                status: status.as_str().to_owned(),
                purge_type: purge_type.as_str().to_owned(),
                flush_type: flush_type.to_owned(),
                create_time: beijing::format(stored.accepted_ms),
            });
        }
    }
    let (logs, total_count) = page(logs, query.offset, query.limit);
    PurgeTasks { logs, total_count }
}

pub(crate) fn push_tasks(
    state: &State,
    now_ms: i64,
    delay_ms: i64,
    query: &DescribePushTasks,
) -> PushTasks {
    let mut logs = Vec::new();
    for stored in state.tasks().iter().rev() {
        let Some(V3Work::Push { area }) = stored.v3 else {
            continue;
        };
        if !selected(&query.selector, stored) || query.area.is_some_and(|a| a != area) {
            continue;
        }
        for (i, url) in stored.task.urls.iter().enumerate() {
            let status = stored.status(i, now_ms, delay_ms);
            if query.status.is_some_and(|s| s != status)
                || !keyword_matches(query.keyword.as_ref(), url)
            {
                continue;
            }
            let finished = status != TaskStatus::Process;
            logs.push(PushLog {
                task_id: stored.task.task_id.clone().unwrap_or_default(),
                url: url.clone(),
                status: status.as_str().to_owned(),
                percent: if status == TaskStatus::Done { 100 } else { 0 },
                create_time: beijing::format(stored.accepted_ms),
                area: area.as_str().to_owned(),
                update_time: Some(beijing::format(if finished {
                    stored.accepted_ms.saturating_add(delay_ms)
                } else {
                    stored.accepted_ms
                })),
            });
        }
    }
    let (logs, total_count) = page(logs, query.offset, query.limit);
    PushTasks { logs, total_count }
}

/// Today's quota of `bucket` in each area, with what both APIs spent.
pub(crate) fn quotas(config: &Config, state: &State, now_ms: i64, bucket: Bucket) -> Vec<Quota> {
    let day = beijing_day(now_ms);
    let (total, batch) = match bucket {
        Bucket::UrlFlush => (config.quotas.url_flush, config.batch_limits.purge_urls),
        Bucket::DirFlush => (config.quotas.dir_flush, config.batch_limits.purge_paths),
        Bucket::UrlPush => (config.quotas.url_push, config.batch_limits.push_urls),
    };
    [AreaName::Mainland, AreaName::Oversea]
        .into_iter()
        .map(|area| {
            let used = i64::try_from(state.used(day, area, bucket)).unwrap_or(i64::MAX);
            Quota {
                batch: i64::try_from(batch).unwrap_or(i64::MAX),
                total: i64::from(total),
                available: (i64::from(total) - used).max(0),
                area: v3_area(area).to_owned(),
            }
        })
        .collect()
}
