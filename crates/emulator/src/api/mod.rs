//! The one place an API call is dispatched: API 2.0 at `/v2/index.php`
//! ([`v2`]) or an API 3.0-style call at `/` ([`v3`]), and, among the TC3
//! products served at `/`, the one whose `Version` the call names.
//!
//! Every product at `/` reads its requests alike ([`v3::decode`]: the
//! method, the TC3 or v1 signature, the timestamp and the token); what
//! differs is the [`Scope`] its signatures are made for and how it judges
//! an authenticated call, the two entries of a [`Product`]. A product with
//! its own `Version` is one more entry of [`PRODUCTS`].

pub(crate) mod teo;
pub(crate) mod v2;
pub(crate) mod v3;

use tcdn_model::v3::ApiError;

use crate::config::Config;
use crate::messages::{self, Language};
use crate::state::{Api, State};
use v2::{InboundV2, VerdictV2};
use v3::decode::{self, Call, Caller, Scope};
use v3::{InboundV3, Success, VerdictV3};

/// The verdict of either API on one call.
pub(crate) enum Verdict {
    /// API 2.0's.
    V2(VerdictV2),
    /// API 3.0's (any product at `/`).
    V3(VerdictV3),
}

/// Judges one call to `api` whose body was read, at `now_ms`, applying it
/// when accepted.
pub(crate) fn judge(
    config: &Config,
    state: &mut State,
    now_ms: i64,
    api: Api,
    parts: &http::request::Parts,
    body: &[u8],
) -> Verdict {
    let header =
        |name: http::header::HeaderName| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let target_len = parts.uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    match api {
        Api::V2 => Verdict::V2(v2::judge(
            config,
            state,
            now_ms,
            InboundV2 {
                method: &parts.method,
                path: parts.uri.path(),
                query: parts.uri.query(),
                host: header(http::header::HOST),
                content_type: header(http::header::CONTENT_TYPE),
                body,
                target_len,
            },
        )),
        Api::V3 => Verdict::V3(judge_tc3(
            config,
            state,
            now_ms,
            InboundV3 {
                method: &parts.method,
                query: parts.uri.query(),
                headers: &parts.headers,
                body,
                target_len,
            },
        )),
    }
}

/// A TC3 product served at `/`, told apart from the others by `Version`.
struct Product {
    /// The `Version` (`X-TC-Version`) it serves.
    version: &'static str,
    /// What its signatures are verified against.
    scope: for<'c> fn(&'c Config) -> Scope<'c>,
    /// Judges an authenticated call, applying it when accepted.
    call: fn(&Config, &mut State, Call<'_>) -> Result<Success, ApiError>,
}

/// The products at `/`: the CDN and EdgeOne. The first also judges calls
/// naming a version no product serves: the CDN, which answers them
/// `NoSuchVersion` once their signature and action are checked.
const PRODUCTS: [Product; 2] = [
    Product {
        version: v3::VERSION,
        scope: v3::scope,
        call: v3::call,
    },
    Product {
        version: teo::VERSION,
        scope: teo::scope,
        call: teo::call,
    },
];

/// The product serving `version` (the first when none does).
fn product(version: &str) -> &'static Product {
    PRODUCTS
        .iter()
        .find(|product| product.version == version)
        .unwrap_or(&PRODUCTS[0])
}

/// Judges one call at `/` at `now_ms`, applying it when accepted.
pub(crate) fn judge_tc3(
    config: &Config,
    state: &mut State,
    now_ms: i64,
    inbound: InboundV3<'_>,
) -> VerdictV3 {
    let request_id = state.request_id();
    let reader = decode::Reader {
        config,
        issued: &state.identities,
        now_ms,
        scope_of: |version: &str| (product(version).scope)(config),
    };
    let judged = reader.read(inbound).and_then(|authenticated| {
        let call = Call {
            caller: Caller {
                secret_id: &authenticated.secret_id,
                now_ms,
                request_id: &request_id,
            },
            action: &authenticated.action,
            version: &authenticated.version,
            params: authenticated.params,
        };
        (product(call.version).call)(config, state, call)
    });
    let judged = judged.map_err(|error| {
        let language = Language::of_request(inbound.headers, inbound.query, inbound.body);
        messages::localize(error, language)
    });
    v3::verdict(request_id, judged)
}

/// The largest body read for a call to `api`.
pub(crate) fn max_body(config: &Config, api: Api) -> usize {
    match api {
        Api::V2 => config.max_post_bytes,
        Api::V3 => v3::MAX_BODY_BYTES,
    }
}
