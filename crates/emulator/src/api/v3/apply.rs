//! Applying accepted API 3.0 work (purges and pushes): the daily quota of
//! each area the work spends, then the task recorded with its id.

use tcdn_model::CdnUrl;
use tcdn_model::v3::{Action, Answer, ApiError, Area, ErrorCode, TaskSubmitted};

use super::answers::Success;
use super::decode::Caller;
use crate::config::Config;
use crate::state::{AcceptedTask, Api, AreaName, Bucket, State, Stored, V3Work, beijing_day};

/// The areas a piece of work spends quota in.
fn area_names(area: Area) -> Vec<AreaName> {
    match area {
        Area::Mainland => vec![AreaName::Mainland],
        Area::Overseas => vec![AreaName::Oversea],
        Area::Global => vec![AreaName::Mainland, AreaName::Oversea],
    }
}

pub(crate) fn v3_area(area: AreaName) -> &'static str {
    match area {
        AreaName::Mainland => Area::Mainland.as_str(),
        AreaName::Oversea => Area::Overseas.as_str(),
    }
}

/// A URL as the server records it: with `UrlEncode`, its non-ASCII
/// characters percent-encoded (the real server logs `…/%E5%9B%BE` for
/// `…/图`), else as sent.
fn logged_url(url: &str, url_encode: bool) -> String {
    if !url_encode || url.is_ascii() {
        return url.to_owned();
    }
    let mut out = String::with_capacity(url.len() * 3);
    for byte in url.bytes() {
        if byte.is_ascii() {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Records accepted work after checking the daily quota of each area it
/// spends.
pub(crate) fn submit(
    config: &Config,
    state: &mut State,
    caller: Caller<'_>,
    action: Action,
    work: V3Work,
    urls: &[CdnUrl],
    url_encode: bool,
) -> Result<Success, ApiError> {
    let (area, bucket, quota, code, what, command, url_type) = match work {
        V3Work::PurgeUrls { area } => (
            area,
            Bucket::UrlFlush,
            config.quotas.url_flush,
            ErrorCode::CdnPurgeUrlExceedDayLimit,
            "URL purge",
            "flush",
            "url",
        ),
        V3Work::PurgePaths { area, .. } => (
            area,
            Bucket::DirFlush,
            config.quotas.dir_flush,
            ErrorCode::CdnPurgePathExceedDayLimit,
            "directory purge",
            "flush",
            "dir",
        ),
        V3Work::Push { area } => (
            area,
            Bucket::UrlPush,
            config.quotas.url_push,
            ErrorCode::CdnPushExceedDayLimit,
            "URL push",
            "push",
            "url",
        ),
    };
    let areas = area_names(area);
    let day = beijing_day(caller.now_ms);
    let count = urls.len() as u64;
    for &area in &areas {
        let used = state.used(day, area, bucket);
        if used + count > u64::from(quota) {
            return Err(ApiError::new(
                code,
                format!(
                    "daily {what} quota exceeded in {}: {used} of {quota} used today, this request needs {count}",
                    v3_area(area)
                ),
            ));
        }
    }
    let task_id = state.task_id(caller.now_ms);
    let fails = state.roll_outcomes(urls.len(), config.tasks.fail_rate);
    let task = AcceptedTask {
        seq: 0,
        api: Api::V3,
        product: None,
        zone_id: None,
        action: action.as_str().to_owned(),
        task_id: Some(task_id.clone()),
        command: command.to_owned(),
        url_type: url_type.to_owned(),
        areas: areas.iter().map(|a| a.as_str().to_owned()).collect(),
        urls: urls
            .iter()
            .map(|u| logged_url(u.as_str(), url_encode))
            .collect(),
        time: caller.now_ms.div_euclid(1000),
        secret_id: caller.secret_id.to_owned(),
        statuses: Vec::new(),
    };
    let stored = Stored {
        v3: Some(work),
        ..Stored::new(task, caller.now_ms, fails)
    };
    let seq = state.record(day, &areas, bucket, stored);
    let body = Answer::ok(caller.request_id, TaskSubmitted { task_id }).to_json();
    Ok((
        body,
        Some(seq),
        format!("{action}: accepted task {seq}: {count} URL(s)"),
    ))
}
