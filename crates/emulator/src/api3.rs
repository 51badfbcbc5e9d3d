//! API 3.0 at `/` (docs/protocol.md §5): the signature (TC3-HMAC-SHA256 or
//! v1), the action, its parameters, limits and quotas, judged in the order
//! the crate docs list, and the answers in the official shapes (§5.2).
//!
//! Every API 3.0 answer is JSON with `Content-Type: application/json`
//! exactly, as the real server sends: Tencent's SDKs read errors only from
//! such answers.

use bytes::Bytes;
use http::{HeaderMap, Method, Response, StatusCode, header};
use http_body_util::Full;
use std::sync::Arc;
use tcdn_model::CdnUrl;
use tcdn_model::v3::{
    Action, Answer, ApiError, Area, DescribePurgeTasks, DescribePushTasks, ErrorCode, PurgeLog,
    PurgeQuota, PurgeTasks, PurgeType, PushLog, PushQuota, PushTasks, Quota, Request, TaskSelector,
    TaskStatus, TaskSubmitted, VERSION,
};

use tcdn_sign::{SecretKey, tc3};

use crate::auth::{host_candidates, verify_v1};
use crate::beijing;
use crate::config::Config;
use crate::identities::Identities;
use crate::state::{
    AcceptedTask, Api, AreaName, Bucket, RateKey, State, Stored, V3Work, beijing_day,
};

/// Largest API 3.0 body read: the limit of a TC3-signed POST (10 MB,
/// docs/protocol.md §5.1).
pub(crate) const MAX_BODY_BYTES: usize = tcdn_model::v3::MAX_TC3_POST_BODY_LEN;

/// The parts of an HTTP request to `/` that API 3.0 judges.
#[derive(Debug, Clone, Copy)]
pub struct InboundV3<'a> {
    /// `GET` or `POST` (others are `UnsupportedProtocol`).
    pub method: &'a Method,
    /// The raw query, without `?`.
    pub query: Option<&'a str>,
    /// Every header received (`Host`, `Authorization`, `X-TC-*`, …).
    pub headers: &'a HeaderMap,
    /// The whole body.
    pub body: &'a [u8],
    /// Length of the request target (path and query) in bytes.
    pub target_len: usize,
}

/// The emulator's answer to one API 3.0 request (always HTTP 200,
/// `Content-Type: application/json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictV3 {
    /// The `{"Response": …}` body.
    pub body: String,
    /// `Response.Error.Code` when refused.
    pub code: Option<String>,
    /// Why, in a few words, for the logs.
    pub reason: String,
    /// The accepted task's sequence number, when work was accepted.
    pub accepted: Option<u64>,
}

/// Judges one API 3.0 request at `now_ms`, applying it when accepted.
pub(crate) fn judge(
    config: &Config,
    state: &mut State,
    now_ms: i64,
    inbound: InboundV3<'_>,
) -> VerdictV3 {
    let request_id = state.request_id();
    match judge_inner(config, state, now_ms, inbound, &request_id) {
        Ok((body, accepted, reason)) => VerdictV3 {
            body,
            code: None,
            reason,
            accepted,
        },
        Err(error) => VerdictV3 {
            code: Some(error.code().as_str().to_owned()),
            reason: error.message().to_owned(),
            body: Answer::<TaskSubmitted>::error(request_id, error).to_json(),
            accepted: None,
        },
    }
}

/// A JSON answer, HTTP `status` (200 for everything the API itself answers;
/// 503 only for `--fail-rate`).
pub(crate) fn response(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// An API 3.0 error answer with `status`.
pub(crate) fn error_response(
    status: StatusCode,
    code: ErrorCode,
    message: &str,
    request_id: &str,
) -> Response<Full<Bytes>> {
    let body = Answer::<TaskSubmitted>::error(request_id, ApiError::new(code, message)).to_json();
    response(status, body)
}

fn missing(name: &str) -> ApiError {
    ApiError::new(
        ErrorCode::MissingParameter,
        format!("the required parameter {name} is missing"),
    )
}

/// How the action's parameters arrived.
enum Params<'a> {
    /// A TC3 POST's JSON body.
    Json(&'a [u8]),
    /// A v1 request's or TC3 GET's parameters, decoded.
    Flat(Vec<(String, String)>),
}

/// A request whose signature, timestamp and token are good.
struct Authenticated<'a> {
    secret_id: String,
    action: String,
    version: String,
    params: Params<'a>,
}

type Success = (String, Option<u64>, String);

fn judge_inner(
    config: &Config,
    state: &mut State,
    now_ms: i64,
    inbound: InboundV3<'_>,
    request_id: &str,
) -> Result<Success, ApiError> {
    let get = *inbound.method == Method::GET;
    if !get && *inbound.method != Method::POST {
        return Err(ApiError::new(
            ErrorCode::UnsupportedProtocol,
            format!(
                "the HTTP method {} is not supported; send GET or POST",
                inbound.method
            ),
        ));
    }
    if get && inbound.target_len > tcdn_model::v3::MAX_GET_REQUEST_TARGET_LEN {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!(
                "the GET request target is {} bytes; at most {} are allowed (POST larger requests)",
                inbound.target_len,
                tcdn_model::v3::MAX_GET_REQUEST_TARGET_LEN
            ),
        ));
    }
    let authenticated = match inbound.headers.get(header::AUTHORIZATION) {
        Some(value) => tc3_request(config, &state.identities, now_ms, inbound, value)?,
        None => v1_request(config, &state.identities, now_ms, inbound)?,
    };

    let action = Action::from_name(&authenticated.action)
        .ok_or_else(|| Action::unknown(&authenticated.action))?;
    if authenticated.version != VERSION {
        return Err(ApiError::new(
            ErrorCode::NoSuchVersion,
            format!(
                "the version `{}` of the cdn API does not exist; this emulator serves {VERSION}",
                authenticated.version
            ),
        ));
    }
    if let Some(injected) = config
        .inject_errors
        .iter()
        .find(|injected| injected.action == action)
        && (injected.rate >= 1.0 || state.dice.f64() < injected.rate)
    {
        return Err(ApiError::new(
            injected.code.clone(),
            injected_message(&injected.code),
        ));
    }
    let limit = config.v3_rate_limit_per_second;
    if !state.admit(now_ms, RateKey::V3 { action }, limit, 1000) {
        return Err(ApiError::new(
            ErrorCode::RequestLimitExceeded,
            format!("{action}: more than {limit} requests in the last second"),
        ));
    }
    let request = match authenticated.params {
        Params::Json(body) => Request::from_json(action, body, &config.batch_limits)?,
        Params::Flat(params) => Request::from_params(action, params, &config.batch_limits)?,
    };
    apply(
        config,
        state,
        now_ms,
        &authenticated.secret_id,
        request,
        request_id,
    )
}

/// What the server says with an error injected by `--inject-error`: the
/// wording of its usual answers for the common codes, and for any other
/// code a sentence naming it; either way nothing was applied.
fn injected_message(code: &ErrorCode) -> String {
    match code {
        ErrorCode::InternalError => {
            "An internal error has occurred. Retry your request, but if the problem persists, contact us.".to_owned()
        }
        ErrorCode::RequestLimitExceeded => {
            "Your request rate exceeds the limit. Please try again later.".to_owned()
        }
        other => format!("{other}: the request could not be processed. Please try again later."),
    }
}

/// The media type of a `Content-Type` value, without parameters.
fn mime(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim())
}

/// The timestamp check shared by both signatures (after the signature, so
/// that only the key's holder learns the server's clock).
fn check_time(config: &Config, now_ms: i64, timestamp: i64) -> Result<(), ApiError> {
    let now_s = now_ms.div_euclid(1000);
    let window = i64::try_from(config.v3_timestamp_window.as_secs()).unwrap_or(i64::MAX);
    let skew = timestamp.saturating_sub(now_s);
    if skew.unsigned_abs() > window.unsigned_abs() {
        return Err(ApiError::new(
            ErrorCode::SignatureExpire,
            format!(
                "the timestamp {timestamp} is {}s {} the server's clock ({now_s}); at most {window}s is allowed: check the client's clock",
                skew.unsigned_abs(),
                if skew > 0 { "ahead of" } else { "behind" },
            ),
        ));
    }
    Ok(())
}

fn check_token(config: &Config, received: Option<&str>) -> Result<(), ApiError> {
    match (&config.token, received) {
        (None, _) => Ok(()),
        (Some(token), Some(received)) if token.matches(received) => Ok(()),
        (Some(_), Some(_)) => Err(ApiError::new(
            ErrorCode::TokenFailure,
            "the session token is wrong or expired",
        )),
        (Some(_), None) => Err(ApiError::new(
            ErrorCode::TokenFailure,
            "a session token is required (X-TC-Token, or Token with the v1 signature)",
        )),
    }
}

/// The key of `secret_id`: an accepted key, or temporary credentials the
/// emulator issued (`true`: their token and expiry were judged when the
/// request arrived, so the configured token does not apply to them).
fn key_for<'k>(
    config: &'k Config,
    issued: &Identities,
    secret_id: &str,
    holder: &'k mut Option<Arc<SecretKey>>,
) -> Result<(&'k SecretKey, bool), ApiError> {
    if let Some(key) = config.key_for(secret_id) {
        return Ok((key, false));
    }
    let key = issued
        .key_for(secret_id)
        .ok_or_else(|| secret_id_not_found(secret_id))?;
    Ok((&**holder.insert(key), true))
}

fn secret_id_not_found(secret_id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::SecretIdNotFound,
        format!("the SecretId `{secret_id}` does not exist"),
    )
}

/// TC3-HMAC-SHA256: the action and version in headers, the parameters in a
/// JSON body (POST) or the query (GET).
fn tc3_request<'a>(
    config: &Config,
    issued: &Identities,
    now_ms: i64,
    inbound: InboundV3<'a>,
    authorization: &http::HeaderValue,
) -> Result<Authenticated<'a>, ApiError> {
    let header = |name: &str| inbound.headers.get(name).and_then(|v| v.to_str().ok());
    let action = header("x-tc-action").ok_or_else(|| missing("X-TC-Action"))?;
    let version = header("x-tc-version").ok_or_else(|| missing("X-TC-Version"))?;
    let timestamp_text = header("x-tc-timestamp").ok_or_else(|| missing("X-TC-Timestamp"))?;
    let timestamp = tc3::Timestamp::from_header(timestamp_text).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidParameterValue,
            format!("X-TC-Timestamp: {e}"),
        )
    })?;
    let authorization = authorization.to_str().ok().unwrap_or("");
    let auth = tc3::Authorization::parse(authorization).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidAuthorization,
            format!("the Authorization header is not a TC3-HMAC-SHA256 credential: {e}"),
        )
    })?;
    let secret_id = auth.secret_id();
    let mut holder = None;
    let (key, temporary) = key_for(config, issued, secret_id, &mut holder)?;

    let get = *inbound.method == Method::GET;
    let query = if get { inbound.query.unwrap_or("") } else { "" };
    // The SDKs' unsigned-payload option signs this text instead of the body.
    let payload: &[u8] = if header("x-tc-content-sha256") == Some("UNSIGNED-PAYLOAD") {
        b"UNSIGNED-PAYLOAD"
    } else if get {
        b""
    } else {
        inbound.body
    };
    let received: Vec<(&str, &str)> = inbound
        .headers
        .iter()
        .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
        .collect();
    let mut verified = None;
    for host in host_candidates(header("host"), &config.public_host_v3) {
        let mut headers: Vec<(&str, &str)> = received
            .iter()
            .filter(|(name, _)| *name != "host")
            .copied()
            .collect();
        headers.push(("host", host));
        let request = tc3::Request {
            method: if get {
                tcdn_sign::HttpMethod::Get
            } else {
                tcdn_sign::HttpMethod::Post
            },
            query,
            headers: &headers,
            payload,
        };
        match tc3::verify(&auth, key, tc3::Service::cdn(), &request, timestamp_text) {
            Ok(()) => {
                verified = Some(Ok(()));
                break;
            }
            Err(error) => verified = Some(Err(error)),
        }
    }
    if let Some(Err(error)) = verified {
        return Err(ApiError::new(
            ErrorCode::SignatureFailure,
            format!("the TC3-HMAC-SHA256 signature does not match: {error}"),
        ));
    }
    check_time(
        config,
        now_ms,
        i64::try_from(timestamp.as_secs()).unwrap_or(i64::MAX),
    )?;
    if !temporary {
        check_token(config, header("x-tc-token"))?;
    }

    let params = if get {
        Params::Flat(decode(query.as_bytes())?)
    } else {
        match mime(inbound.headers) {
            Some(m) if m.eq_ignore_ascii_case("application/json") => Params::Json(inbound.body),
            other => {
                return Err(ApiError::new(
                    ErrorCode::InvalidParameter,
                    format!(
                        "a TC3-signed POST carries a JSON body (Content-Type: application/json), not `{}`",
                        other.unwrap_or("")
                    ),
                ));
            }
        }
    };
    Ok(Authenticated {
        secret_id: secret_id.to_owned(),
        action: action.to_owned(),
        version: version.to_owned(),
        params,
    })
}

fn decode(raw: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    tcdn_model::decode_form(raw)
        .map_err(|e| ApiError::new(ErrorCode::InvalidParameter, e.to_string()))
}

/// The v1 signature: every parameter, common ones included, in the query
/// (GET) or a form body (POST).
fn v1_request<'a>(
    config: &Config,
    issued: &Identities,
    now_ms: i64,
    inbound: InboundV3<'a>,
) -> Result<Authenticated<'a>, ApiError> {
    let get = *inbound.method == Method::GET;
    let params = if get {
        decode(inbound.query.unwrap_or("").as_bytes())?
    } else {
        match mime(inbound.headers) {
            None => decode(inbound.body)?,
            Some(m) if m.eq_ignore_ascii_case("application/x-www-form-urlencoded") => {
                if inbound.body.len() > tcdn_model::v3::MAX_V1_POST_BODY_LEN {
                    return Err(ApiError::new(
                        ErrorCode::InvalidParameter,
                        format!(
                            "a v1-signed POST body is {} bytes; at most {} are allowed (sign with TC3 to send up to 10 MB)",
                            inbound.body.len(),
                            tcdn_model::v3::MAX_V1_POST_BODY_LEN
                        ),
                    ));
                }
                decode(inbound.body)?
            }
            Some(other) => {
                return Err(ApiError::new(
                    ErrorCode::MissingParameter,
                    format!(
                        "the Authorization header is missing: a `{other}` POST must be signed with TC3-HMAC-SHA256 (the v1 signature travels in a form body)"
                    ),
                ));
            }
        }
    };
    let get_param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let action = get_param("Action").ok_or_else(|| missing("Action"))?;
    let version = get_param("Version").ok_or_else(|| missing("Version"))?;
    let secret_id = get_param("SecretId").ok_or_else(|| missing("SecretId"))?;
    if get_param("Signature").is_none() {
        return Err(missing("Signature"));
    }
    let timestamp_text = get_param("Timestamp").ok_or_else(|| missing("Timestamp"))?;
    let nonce = get_param("Nonce").ok_or_else(|| missing("Nonce"))?;
    let mut holder = None;
    let (key, temporary) = key_for(config, issued, secret_id, &mut holder)?;

    let method = if get {
        tcdn_sign::HttpMethod::Get
    } else {
        tcdn_sign::HttpMethod::Post
    };
    let pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let host = inbound
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok());
    if let Err(why) = verify_v1(
        key,
        method,
        host,
        &config.public_host_v3,
        crate::config::API3_PATH,
        &pairs,
    ) {
        return Err(ApiError::new(
            ErrorCode::SignatureFailure,
            format!("the signature does not match: {why}"),
        ));
    }
    let timestamp = timestamp_text
        .parse::<i64>()
        .ok()
        .filter(|t| *t > 0)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidParameterValue,
                format!("Timestamp `{timestamp_text}` is not a positive integer of Unix seconds"),
            )
        })?;
    if nonce.parse::<u64>().ok().filter(|n| *n > 0).is_none() {
        return Err(ApiError::new(
            ErrorCode::InvalidParameterValue,
            format!("Nonce `{nonce}` is not a positive integer"),
        ));
    }
    check_time(config, now_ms, timestamp)?;
    if !temporary {
        check_token(config, get_param("Token"))?;
    }
    Ok(Authenticated {
        secret_id: secret_id.to_owned(),
        action: action.to_owned(),
        version: version.to_owned(),
        params: Params::Flat(params),
    })
}

/// The areas a piece of work spends quota in.
fn area_names(area: Area) -> Vec<AreaName> {
    match area {
        Area::Mainland => vec![AreaName::Mainland],
        Area::Overseas => vec![AreaName::Oversea],
        Area::Global => vec![AreaName::Mainland, AreaName::Oversea],
    }
}

fn v3_area(area: AreaName) -> &'static str {
    match area {
        AreaName::Mainland => Area::Mainland.as_str(),
        AreaName::Oversea => Area::Overseas.as_str(),
    }
}

fn apply(
    config: &Config,
    state: &mut State,
    now_ms: i64,
    secret_id: &str,
    request: Request,
    request_id: &str,
) -> Result<Success, ApiError> {
    let delay_ms = i64::try_from(config.tasks.delay.as_millis()).unwrap_or(i64::MAX);
    let action = request.action();
    // The three submitting actions differ only in their work and URLs.
    let mut submit_v3 = |work: V3Work, urls: &[CdnUrl], url_encode: bool| {
        submit(
            config, state, now_ms, secret_id, action, work, urls, url_encode, request_id,
        )
    };
    let answer = match request {
        // A purge without `Area` purges the domain's own region; the
        // emulator knows no domains and takes mainland (docs/protocol.md §11).
        Request::PurgeUrls(r) => {
            let area = r.options().area.map_or(Area::Mainland, Area::from);
            return submit_v3(V3Work::PurgeUrls { area }, r.urls(), r.options().url_encode);
        }
        Request::PurgePaths(r) => {
            let area = r.options().area.map_or(Area::Mainland, Area::from);
            let work = V3Work::PurgePaths {
                area,
                flush_type: r.flush_type(),
            };
            return submit_v3(work, r.paths(), r.options().url_encode);
        }
        // The documented default of a push is mainland.
        Request::PushUrls(r) => {
            let area = r.options().area.unwrap_or(Area::Mainland);
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
        Request::DescribePushQuota(_) => {
            let quota = PushQuota {
                url_push: quotas(config, state, now_ms, Bucket::UrlPush),
            };
            (Answer::ok(request_id, quota).to_json(), 0)
        }
    };
    let (body, count) = answer;
    Ok((
        body,
        None,
        format!("{action}: answered ({count} task logs)"),
    ))
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
#[allow(clippy::too_many_arguments)]
fn submit(
    config: &Config,
    state: &mut State,
    now_ms: i64,
    secret_id: &str,
    action: Action,
    work: V3Work,
    urls: &[CdnUrl],
    url_encode: bool,
    request_id: &str,
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
    let day = beijing_day(now_ms);
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
    let task_id = state.task_id(now_ms);
    let fails = state.roll_outcomes(urls.len(), config.tasks.fail_rate);
    let task = AcceptedTask {
        seq: 0,
        api: Api::V3,
        action: action.as_str().to_owned(),
        task_id: Some(task_id.clone()),
        command: command.to_owned(),
        url_type: url_type.to_owned(),
        areas: areas.iter().map(|a| a.as_str().to_owned()).collect(),
        urls: urls
            .iter()
            .map(|u| logged_url(u.as_str(), url_encode))
            .collect(),
        time: now_ms.div_euclid(1000),
        secret_id: secret_id.to_owned(),
        statuses: Vec::new(),
    };
    let stored = Stored {
        task,
        accepted_ms: now_ms,
        fails,
        v3: Some(work),
    };
    let seq = state.record(day, &areas, bucket, stored);
    let body = Answer::ok(request_id, TaskSubmitted { task_id }).to_json();
    Ok((
        body,
        Some(seq),
        format!("{action}: accepted task {seq}: {count} URL(s)"),
    ))
}

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
fn page<T>(logs: Vec<T>, offset: Option<u64>, limit: Option<u64>) -> (Vec<T>, i64) {
    let total = i64::try_from(logs.len()).unwrap_or(i64::MAX);
    let offset = usize::try_from(offset.unwrap_or(0)).unwrap_or(usize::MAX);
    let limit = usize::try_from(limit.unwrap_or(20)).unwrap_or(usize::MAX);
    (logs.into_iter().skip(offset).take(limit).collect(), total)
}

fn purge_tasks(
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

fn push_tasks(state: &State, now_ms: i64, delay_ms: i64, query: &DescribePushTasks) -> PushTasks {
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
fn quotas(config: &Config, state: &State, now_ms: i64, bucket: Bucket) -> Vec<Quota> {
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
