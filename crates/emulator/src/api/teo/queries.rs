//! EdgeOne's queries: `DescribePurgeTasks` and `DescribePrefetchTasks` over
//! the recorded tasks (one row per target, newest task first),
//! `DescribeContentQuota` of a zone, and `DescribeZones` of the zones the
//! emulator was given.

use tcdn_model::teo::{
    ContentQuota, PurgeType, Quota, QuotaType, Task, TaskQuery, Tasks, Time, Zone, Zones,
};
use tcdn_model::v3::{Answer, ApiError};

use super::super::v3::decode::Caller;
use super::super::v3::{Success, page};
use crate::config::Config;
use crate::state::{State, beijing_day};

/// Which tasks a query lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Listing {
    /// Purges, of one type when given (the `type` filter).
    Purges(Option<PurgeType>),
    /// Prefetches.
    Prefetches,
}

impl Listing {
    fn lists(self, kind: QuotaType) -> bool {
        match self {
            Self::Prefetches => kind == QuotaType::PrefetchUrl,
            Self::Purges(of_type) => {
                kind != QuotaType::PrefetchUrl && of_type.is_none_or(|t| t.quota_type() == kind)
            }
        }
    }
}

/// The `FailType` and `FailMessage` of a target failed on purpose.
const FAIL_TYPE: &str = "taskFailed";
const FAIL_MESSAGE: &str = "failed on purpose by the emulator (--task-fail-rate)";

/// `DescribePurgeTasks` or `DescribePrefetchTasks` of one zone: by `JobId`
/// or by when the task was created (`StartTime` to `EndTime`), filtered by
/// `target` (exact), `statuses` and `type`, paged by `Offset` and `Limit`.
pub(super) fn tasks(
    config: &Config,
    state: &State,
    caller: Caller<'_>,
    query: &TaskQuery,
    listing: Listing,
) -> Result<Success, ApiError> {
    let Caller {
        now_ms, request_id, ..
    } = caller;
    let zone_id = super::zone(config, query.zone_id.as_str())?
        .zone_id
        .as_str();
    let delay_ms = i64::try_from(config.tasks.delay.as_millis()).unwrap_or(i64::MAX);
    let job_id = query.selector.job_id().map(|id| id.as_str());
    let window = query
        .selector
        .time_window()
        .map(|(start, end)| (start.unix(), end.unix()));
    let mut rows = Vec::new();
    for stored in state.tasks().iter().rev() {
        let Some(work) = &stored.teo else {
            continue;
        };
        let created_s = stored.accepted_ms.div_euclid(1000);
        if stored.task.zone_id.as_deref() != Some(zone_id)
            || !listing.lists(work.kind)
            || job_id.is_some_and(|id| stored.task.task_id.as_deref() != Some(id))
            || window.is_some_and(|(start, end)| created_s < start || created_s > end)
        {
            continue;
        }
        for (i, target) in stored.task.urls.iter().enumerate() {
            let status = stored.teo_status(i, now_ms, delay_ms);
            if query.target.as_ref().is_some_and(|t| t.as_str() != target)
                || (!query.statuses.is_empty() && !query.statuses.contains(&status))
            {
                continue;
            }
            let finished = !status.is_running();
            let failed = status.is_failure();
            let updated_ms = if finished {
                stored.accepted_ms.saturating_add(delay_ms)
            } else {
                stored.accepted_ms
            };
            rows.push(Task {
                job_id: stored.task.task_id.clone().unwrap_or_default(),
                target: target.clone(),
                r#type: work.kind.as_str().to_owned(),
                method: work.method.map(|m| m.as_str().to_owned()),
                status: status.as_str().to_owned(),
                create_time: Time::from_unix(created_s).as_str().to_owned(),
                update_time: Time::from_unix(updated_ms.div_euclid(1000))
                    .as_str()
                    .to_owned(),
                fail_type: failed.then(|| FAIL_TYPE.to_owned()),
                fail_message: failed.then(|| FAIL_MESSAGE.to_owned()),
            });
        }
    }
    let (tasks, total_count) = page(rows, query.offset, query.limit);
    let count = tasks.len();
    let body = Answer::ok(request_id, Tasks { tasks, total_count }).to_json();
    Ok((body, None, format!("answered ({count} tasks)")))
}

/// `DescribeContentQuota`: each type's `Batch`, `Daily` and what the zone
/// has left of it today.
pub(super) fn quota(
    config: &Config,
    state: &State,
    caller: Caller<'_>,
    zone_id: &str,
) -> Result<Success, ApiError> {
    let Caller {
        now_ms, request_id, ..
    } = caller;
    let zone_id = super::zone(config, zone_id)?.zone_id.as_str();
    let day = beijing_day(now_ms);
    let row = |kind: QuotaType| {
        let quota = config.edgeone.quotas.get(kind);
        let used = i64::try_from(state.edgeone_used(day, zone_id, kind)).unwrap_or(i64::MAX);
        Quota {
            batch: i64::from(quota.batch),
            daily: i64::from(quota.daily),
            daily_available: (i64::from(quota.daily) - used).max(0),
            r#type: kind.as_str().to_owned(),
        }
    };
    let (prefetch, purge): (Vec<QuotaType>, Vec<QuotaType>) = QuotaType::ALL
        .iter()
        .partition(|&&kind| kind == QuotaType::PrefetchUrl);
    let quota = ContentQuota {
        purge: purge.into_iter().map(row).collect(),
        prefetch: prefetch.into_iter().map(row).collect(),
    };
    let body = Answer::ok(request_id, quota).to_json();
    Ok((body, None, "answered (quota)".to_owned()))
}

/// `DescribeZones`: the zones given, in their order, filtered by `zone-id`
/// and `zone-name` (exact, any of the values), paged.
pub(super) fn zones(
    config: &Config,
    query: &tcdn_model::teo::DescribeZones,
    request_id: &str,
) -> Success {
    let zones: Vec<Zone> = config
        .edgeone
        .zones
        .iter()
        .filter(|zone| {
            (query.zone_ids().is_empty() || query.zone_ids().contains(&zone.zone_id))
                && (query.zone_names().is_empty()
                    || query
                        .zone_names()
                        .iter()
                        .any(|name| name.as_str().eq_ignore_ascii_case(zone.zone_name.as_str())))
        })
        .map(|zone| Zone {
            zone_id: zone.zone_id.as_str().to_owned(),
            zone_name: zone.zone_name.as_str().to_owned(),
            status: Some("active".to_owned()),
            alias_zone_name: None,
            paused: Some(false),
        })
        .collect();
    let (zones, total_count) = page(zones, Some(query.offset()), query.limit());
    let count = zones.len();
    let body = Answer::ok(request_id, Zones { zones, total_count }).to_json();
    (body, None, format!("answered ({count} zones)"))
}
