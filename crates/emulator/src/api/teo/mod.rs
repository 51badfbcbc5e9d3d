//! EdgeOne (`teo`, Version `2022-09-01`, docs/protocol.md §13) at `/`:
//! once [`decode`](crate::api::v3::decode) has read and authenticated a
//! request against the service `teo`, its action, the injected errors
//! (`--inject-error teo:ACTION=CODE`), the rate limit, the parameters (the
//! model's `teo::Request::from_json`, flattened ones nested first by
//! [`flat`]) with each quota type's `Batch`, then the task created
//! ([`apply`]) or the query answered ([`queries`]), in the CDN's order.

mod apply;
mod flat;
mod queries;

use tcdn_model::teo::{Action, BatchLimits, QuotaType, Request};
use tcdn_model::v3::{ApiError, ErrorCode};
use tcdn_sign::tc3;

/// The version of EdgeOne's API (`2022-09-01`).
pub(crate) use tcdn_model::teo::VERSION;

use super::v3::decode::{Call, Params, Scope};
use super::v3::{Success, admit};
use crate::config::{Config, InjectedAction};
use crate::edgeone::EdgeOne;
use crate::state::State;
use queries::Listing;

/// What an EdgeOne request's signature is verified against: the service
/// `teo` and `teo.tencentcloudapi.com` (besides the `Host` received).
pub(crate) fn scope(_config: &Config) -> Scope<'_> {
    Scope {
        // `teo` is a well-formed service name: `new` cannot refuse it.
        service: tc3::Service::new(tcdn_model::teo::SERVICE)
            .unwrap_or_else(|_| tc3::Service::cdn()),
        public_host: tcdn_model::teo::ENDPOINT_HOST,
    }
}

/// Judges an authenticated EdgeOne call, applying it when accepted.
pub(crate) fn call(
    config: &Config,
    state: &mut State,
    call: Call<'_>,
) -> Result<Success, ApiError> {
    let action = Action::from_name(call.action).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidAction,
            format!(
                "the action `{}` does not exist in the teo API {VERSION}",
                call.action
            ),
        )
    })?;
    admit(config, state, call.caller, InjectedAction::EdgeOne(action))?;
    let limits = batch_limits(&config.edgeone);
    let request = match call.params {
        Params::Json(body) => Request::from_json(action, body, &limits)?,
        Params::Flat(pairs) => Request::from_json(action, &flat::to_json(pairs)?, &limits)?,
    };
    match request {
        Request::CreatePurgeTask(purge) => apply::purge(config, state, call.caller, &purge),
        Request::CreatePrefetchTask(prefetch) => {
            apply::prefetch(config, state, call.caller, &prefetch)
        }
        Request::DescribePurgeTasks(query) => {
            let listing = Listing::Purges(query.purge_type);
            queries::tasks(config, state, call.caller, &query.query, listing)
        }
        Request::DescribePrefetchTasks(query) => {
            let listing = Listing::Prefetches;
            queries::tasks(config, state, call.caller, &query.query, listing)
        }
        Request::DescribeContentQuota(query) => {
            queries::quota(config, state, call.caller, query.zone_id.as_str())
        }
        Request::DescribeZones(query) => Ok(queries::zones(config, &query, call.caller.request_id)),
    }
}

/// The per-call limits the parser enforces: each quota type's `Batch`.
fn batch_limits(edgeone: &EdgeOne) -> BatchLimits {
    let batch = |kind| usize::try_from(edgeone.quotas.get(kind).batch).unwrap_or(usize::MAX);
    BatchLimits {
        purge_url: batch(QuotaType::PurgeUrl),
        purge_prefix: batch(QuotaType::PurgePrefix),
        purge_host: batch(QuotaType::PurgeHost),
        purge_cache_tag: batch(QuotaType::PurgeCacheTag),
        prefetch_url: batch(QuotaType::PrefetchUrl),
    }
}

/// The zone of id `zone_id`, or the error of one the account does not
/// have. No code is documented for that on these actions
/// (docs/protocol.md §13.6); the emulator answers the catalogue's
/// `ResourceNotFound.ZoneNotFound`.
fn zone<'c>(
    config: &'c Config,
    zone_id: &str,
) -> Result<&'c crate::edgeone::EdgeOneZone, ApiError> {
    config.edgeone.zone(zone_id).ok_or_else(|| {
        tcdn_model::teo::ErrorCode::ZoneNotFound.error(format!(
            "the zone `{zone_id}` does not exist or does not belong to this account"
        ))
    })
}
