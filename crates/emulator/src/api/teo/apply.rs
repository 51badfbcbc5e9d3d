//! EdgeOne's two creating actions: each target checked against the zone (a
//! target on a host outside it goes to `FailedList`, docs/protocol.md
//! §13.1), the zone's daily quota of the type spent by the others, and
//! those recorded as one task under a fresh `JobId`.

use tcdn_model::teo::{
    Action, CreatePrefetchTask, CreatePurgeTask, ErrorCode as TeoCode, FailReason, Method,
    PurgeTargets, QuotaType, TaskCreated,
};
use tcdn_model::v3::{Answer, ApiError};

use super::super::v3::Success;
use super::super::v3::decode::Caller;
use crate::config::Config;
use crate::edgeone::EdgeOneZone;
use crate::state::{AcceptedTask, Api, EDGEONE, State, Stored, TeoWork, beijing_day};

/// The `Reason` of a target outside the zone (the documented example's).
const NOT_IN_ZONE: &str = "domain not valid";

/// `CreatePurgeTask`. A `purge_all` task has one target, the zone's name;
/// a cache tag's `CacheTag.Domains` must all be the zone's.
pub(super) fn purge(
    config: &Config,
    state: &mut State,
    caller: Caller<'_>,
    request: &CreatePurgeTask,
) -> Result<Success, ApiError> {
    let zone = super::zone(config, request.zone_id().as_str())?;
    let targets = request.targets();
    let (accepted, refused) = match targets {
        PurgeTargets::Urls(urls) | PurgeTargets::Prefixes(urls, _) => {
            split(zone, urls.iter().map(|url| (url.as_str(), url.host())))
        }
        PurgeTargets::Hosts(hosts, _) => {
            split(zone, hosts.iter().map(|h| (h.as_str(), h.as_str())))
        }
        PurgeTargets::All(_) => (vec![zone.zone_name.as_str().to_owned()], Vec::new()),
        PurgeTargets::CacheTags { tags, domains } => {
            if let Some(foreign) = domains.iter().find(|d| !zone.zone_name.covers(d.as_str())) {
                return Err(TeoCode::DomainNotFound.error(format!(
                    "CacheTag.Domains: `{foreign}` is not a domain of the zone {} ({})",
                    zone.zone_id, zone.zone_name
                )));
            }
            let tags = tags.iter().map(|t| t.as_str().to_owned()).collect();
            (tags, Vec::new())
        }
    };
    let work = Created {
        action: Action::CreatePurgeTask,
        kind: targets.purge_type().quota_type(),
        method: targets.method(),
        accepted,
        refused,
    };
    create(config, state, caller, zone, work)
}

/// `CreatePrefetchTask`.
pub(super) fn prefetch(
    config: &Config,
    state: &mut State,
    caller: Caller<'_>,
    request: &CreatePrefetchTask,
) -> Result<Success, ApiError> {
    let zone = super::zone(config, request.zone_id().as_str())?;
    let (accepted, refused) = split(zone, request.urls().iter().map(|u| (u.as_str(), u.host())));
    let work = Created {
        action: Action::CreatePrefetchTask,
        kind: QuotaType::PrefetchUrl,
        method: None,
        accepted,
        refused,
    };
    create(config, state, caller, zone, work)
}

/// The targets (text, host) whose host is the zone's, and the others.
fn split<'a>(
    zone: &EdgeOneZone,
    targets: impl Iterator<Item = (&'a str, &'a str)>,
) -> (Vec<String>, Vec<String>) {
    let (mut accepted, mut refused) = (Vec::new(), Vec::new());
    for (target, host) in targets {
        if zone.zone_name.covers(host) {
            accepted.push(target.to_owned());
        } else {
            refused.push(target.to_owned());
        }
    }
    (accepted, refused)
}

/// What one creating call asks for, its targets sorted.
struct Created {
    action: Action,
    kind: QuotaType,
    method: Option<Method>,
    accepted: Vec<String>,
    refused: Vec<String>,
}

/// Spends the zone's daily quota and records the task; a call none of
/// whose targets is the zone's is refused whole (docs/protocol.md §13.7).
fn create(
    config: &Config,
    state: &mut State,
    caller: Caller<'_>,
    zone: &EdgeOneZone,
    work: Created,
) -> Result<Success, ApiError> {
    let Created {
        action,
        kind,
        method,
        accepted,
        refused,
    } = work;
    if accepted.is_empty() {
        return Err(TeoCode::DomainNotFound.error(format!(
            "no target is on the zone {} ({}): {}",
            zone.zone_id,
            zone.zone_name,
            refused.join(", ")
        )));
    }
    let zone_id = zone.zone_id.as_str();
    let day = beijing_day(caller.now_ms);
    let daily = config.edgeone.quotas.get(kind).daily;
    let used = state.edgeone_used(day, zone_id, kind);
    let count = accepted.len() as u64;
    if used + count > u64::from(daily) {
        return Err(TeoCode::DailyQuota.error(format!(
            "the daily {kind} quota of the zone {zone_id} is used up: {used} of {daily} used today, this call needs {count}"
        )));
    }
    let job_id = state.job_id();
    let fails = state.roll_outcomes(accepted.len(), config.tasks.fail_rate);
    let task = AcceptedTask {
        seq: 0,
        api: Api::V3,
        product: Some(EDGEONE.to_owned()),
        zone_id: Some(zone_id.to_owned()),
        action: action.as_str().to_owned(),
        task_id: Some(job_id.clone()),
        command: if kind == QuotaType::PrefetchUrl {
            "push"
        } else {
            "flush"
        }
        .to_owned(),
        url_type: kind.as_str().to_owned(),
        areas: Vec::new(),
        urls: accepted,
        time: caller.now_ms.div_euclid(1000),
        secret_id: caller.secret_id.to_owned(),
        statuses: Vec::new(),
    };
    let stored = Stored {
        teo: Some(TeoWork { kind, method }),
        ..Stored::new(task, caller.now_ms, fails)
    };
    let seq = state.record_edgeone(day, zone_id, kind, stored);
    let refused_count = refused.len();
    let failed = if refused.is_empty() {
        Vec::new()
    } else {
        vec![FailReason {
            reason: NOT_IN_ZONE.to_owned(),
            targets: refused,
        }]
    };
    let body = Answer::ok(caller.request_id, TaskCreated { job_id, failed }).to_json();
    Ok((
        body,
        Some(seq),
        format!("{action}: accepted task {seq}: {count} target(s), {refused_count} refused"),
    ))
}
