//! API 3.0 of the CDN at `/` (docs/protocol.md §5): once [`decode`] has
//! read and authenticated a request, its action and version, the injected
//! errors, the rate limit, the action's parameters, then the work applied
//! ([`apply`]) or the query answered ([`queries`]), in the order the crate
//! docs list; the answers in the official shapes ([`answers`]).

mod answers;
mod apply;
pub(crate) mod decode;
mod domains;
mod queries;

use tcdn_model::CdnUrl;
/// The version of the CDN's API 3.0 (`2018-06-06`).
pub(crate) use tcdn_model::v3::VERSION;
use tcdn_model::v3::{Action, Answer, ApiError, Area, ErrorCode, PurgeQuota, PushQuota, Request};
use tcdn_sign::tc3;

pub use answers::VerdictV3;
pub(crate) use answers::{Success, error_response, response, verdict};
use apply::submit;
pub use decode::InboundV3;
use decode::{Call, Caller, Params, Scope};
pub(crate) use queries::page;
use queries::{purge_tasks, push_tasks, quotas};

use crate::account::Submission;
use crate::config::{Config, InjectedAction};
use crate::state::{Bucket, RateKey, State, V3Work};

/// Largest API 3.0 body read: the limit of a TC3-signed POST (10 MB,
/// docs/protocol.md §5.1).
pub(crate) const MAX_BODY_BYTES: usize = tcdn_model::v3::MAX_TC3_POST_BODY_LEN;

/// What a CDN request's signature is verified against: the service `cdn`
/// and [`Config::public_host_v3`].
pub(crate) fn scope(config: &Config) -> Scope<'_> {
    Scope {
        service: tc3::Service::cdn(),
        public_host: &config.public_host_v3,
    }
}

/// Judges an authenticated CDN call, applying it when accepted.
pub(crate) fn call(
    config: &Config,
    state: &mut State,
    call: Call<'_>,
) -> Result<Success, ApiError> {
    let action = Action::from_name(call.action).ok_or_else(|| Action::unknown(call.action))?;
    if call.version != VERSION {
        return Err(ApiError::new(
            ErrorCode::NoSuchVersion,
            format!(
                "the version `{}` of the cdn API does not exist; this emulator serves {VERSION}",
                call.version
            ),
        ));
    }
    config.account.authorize(action)?;
    admit(config, state, call.caller, InjectedAction::Cdn(action))?;
    let request = match call.params {
        Params::Json(body) => Request::from_json(action, body, &config.batch_limits)?,
        Params::Flat(params) => Request::from_params(action, params, &config.batch_limits)?,
    };
    act(config, state, call.caller, request)
}

/// The checks between authentication and the parameters, the same for
/// every product at `/`: the error `--inject-error` answers for `action`
/// this time (the first that names it; the dice decide at its rate), then
/// [`Config::v3_rate_limit_per_second`] calls a second per action.
pub(crate) fn admit(
    config: &Config,
    state: &mut State,
    caller: Caller<'_>,
    action: InjectedAction,
) -> Result<(), ApiError> {
    if let Some(injected) = config
        .inject_errors
        .iter()
        .find(|injected| injected.action == action)
        && (injected.rate >= 1.0 || state.dice.f64() < injected.rate)
    {
        return Err(ApiError::new(
            injected.code.clone(),
            crate::messages::english(&injected.code),
        ));
    }
    let limit = config.v3_rate_limit_per_second;
    let key = match action {
        InjectedAction::Cdn(action) => RateKey::V3 { action },
        InjectedAction::EdgeOne(action) => RateKey::EdgeOne { action },
    };
    if !state.admit(caller.now_ms, key, limit, 1000) {
        return Err(ApiError::new(
            ErrorCode::RequestLimitExceeded,
            format!(
                "{}: more than {limit} requests in the last second",
                action.name()
            ),
        ));
    }
    Ok(())
}

/// Runs one action: work is submitted, queries answered.
fn act(
    config: &Config,
    state: &mut State,
    caller: Caller<'_>,
    request: Request,
) -> Result<Success, ApiError> {
    let Caller {
        now_ms, request_id, ..
    } = caller;
    let delay_ms = i64::try_from(config.tasks.delay.as_millis()).unwrap_or(i64::MAX);
    let action = request.action();
    // The three submitting actions differ only in their work and URLs.
    let mut submit_v3 = |work: V3Work, urls: &[CdnUrl], url_encode: bool| {
        submit(config, state, caller, action, work, urls, url_encode)
    };
    let answer = match request {
        // A purge without `Area` purges its domains' own areas (mainland
        // when the account owns every host, docs/protocol.md §11).
        Request::PurgeUrls(r) => {
            let given = r.options().area.map(Area::from);
            let area = config.account.check(Submission::Purge(given), r.urls())?;
            return submit_v3(V3Work::PurgeUrls { area }, r.urls(), r.options().url_encode);
        }
        Request::PurgePaths(r) => {
            let given = r.options().area.map(Area::from);
            let area = config.account.check(Submission::Purge(given), r.paths())?;
            let work = V3Work::PurgePaths {
                area,
                flush_type: r.flush_type(),
            };
            return submit_v3(work, r.paths(), r.options().url_encode);
        }
        // The documented default of a push is mainland.
        Request::PushUrls(r) => {
            let given = r.options().area.unwrap_or(Area::Mainland);
            let area = config.account.check(Submission::Push(given), r.urls())?;
            return submit_v3(V3Work::Push { area }, r.urls(), r.options().url_encode);
        }
        Request::DescribePurgeTasks(query) => {
            let tasks = purge_tasks(state, now_ms, delay_ms, &query);
            let count = tasks.total_count;
            (Answer::ok(request_id, tasks).to_json(), count)
        }
        Request::DescribePushTasks(query) => {
            let tasks = push_tasks(state, now_ms, delay_ms, &query);
            let count = tasks.total_count;
            (Answer::ok(request_id, tasks).to_json(), count)
        }
        Request::DescribePurgeQuota(_) => {
            let quota = PurgeQuota {
                url_purge: quotas(config, state, now_ms, Bucket::UrlFlush),
                path_purge: quotas(config, state, now_ms, Bucket::DirFlush),
            };
            (Answer::ok(request_id, quota).to_json(), 0)
        }
        Request::DescribeDomains(query) => {
            let domains = domains::domains(&config.account, &query);
            let count = domains.total_number;
            (Answer::ok(request_id, domains).to_json(), count)
        }
        Request::DescribePushQuota(_) => {
            let quota = PushQuota {
                url_push: quotas(config, state, now_ms, Bucket::UrlPush),
            };
            (Answer::ok(request_id, quota).to_json(), 0)
        }
    };
    let (body, count) = answer;
    Ok((body, None, format!("{action}: answered ({count} found)")))
}
