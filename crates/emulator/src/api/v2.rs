//! API 2.0 at `/v2/index.php` (`FlushOrPushOverall`): how the emulator judges one
//! request, in the order the documented server does.
//!
//! 1. size (HTTP 501 over 32 KB GET or 1 MB POST);
//! 2. decoding of the query or body (4000 when unreadable);
//! 3. `Action`, then `SecretId` and the signature (4100), checked against the
//!    `Host` received and against the public host;
//! 4. `Timestamp` within two hours and a fresh `Nonce` (4500);
//! 5. the per-minute rate limit (4400);
//! 6. the action's parameters by the document's rules (4000), its per-request
//!    limits and the daily quotas (module codes, see [`ModuleCode`](tcdn_model)).
//!
//! Authentication comes before the replay check so that unsigned traffic can
//! neither spend nonces nor eat anybody's rate limit.

use http::StatusCode;
use serde_json::json;

use crate::config::Config;
use crate::multipart;
use crate::state::{AcceptedTask, Api, AreaName, Bucket, State, Stored, beijing_day};

/// The parts of an HTTP request the emulator judges.
#[derive(Debug, Clone, Copy)]
pub struct InboundV2<'a> {
    /// `GET` or `POST` (anything else is refused with 405 before judging).
    pub method: &'a http::Method,
    /// The request path, e.g. `/v2/index.php`.
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    /// The `Host` header as received.
    pub host: Option<&'a str>,
    /// The `Content-Type` header.
    pub content_type: Option<&'a str>,
    /// The whole body.
    pub body: &'a [u8],
    /// Length of the request target (path and query) in bytes.
    pub target_len: usize,
}

/// The emulator's answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictV2 {
    /// HTTP status.
    pub status: StatusCode,
    /// Response body (the JSON envelope, or a short text for HTTP errors).
    pub body: String,
    /// The envelope's `code`, when the body is an envelope.
    pub code: Option<i64>,
    /// Why, in a few words, for the logs.
    pub reason: String,
    /// The accepted task's sequence number, when accepted.
    pub accepted: Option<u64>,
}

impl VerdictV2 {
    fn http(status: StatusCode, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        Self {
            status,
            body: format!("{reason}\n"),
            code: None,
            reason,
            accepted: None,
        }
    }

    /// An envelope with a non-zero code.
    pub(crate) fn refuse(code: i64, code_desc: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let body = json!({ "code": code, "message": message, "codeDesc": code_desc }).to_string();
        Self {
            status: StatusCode::OK,
            body,
            code: Some(code),
            reason: message,
            accepted: None,
        }
    }

    /// A module error: `code` 4000 with `(NNNN)` leading the message, as the
    /// documented error example shows (\[U\]: the real server's `code` for
    /// quota errors is not documented; 4000 keeps clients from retrying a
    /// daily quota that will not come back before tomorrow).
    fn module(module: i64, message: impl std::fmt::Display) -> Self {
        Self::refuse(4000, &module.to_string(), format!("({module}){message}"))
    }
}

/// Judges `inbound` at time `now_ms`, updating `state` when it is accepted.
pub(crate) fn judge(
    config: &Config,
    state: &mut State,
    now_ms: i64,
    inbound: InboundV2<'_>,
) -> VerdictV2 {
    let params = match read_params(config, inbound) {
        Ok(params) => params,
        Err(verdict) => return verdict,
    };
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };

    match get("Action") {
        Some("FlushOrPushOverall") => {}
        Some(other) => {
            return VerdictV2::refuse(
                4000,
                "InvalidAction",
                format!("unsupported Action `{other}`: this emulator serves FlushOrPushOverall"),
            );
        }
        None => return VerdictV2::refuse(4000, "MissingParameter", "missing parameter `Action`"),
    }

    // Authentication.
    let Some(secret_id) = get("SecretId") else {
        return VerdictV2::refuse(4100, "AuthFailure", "missing parameter `SecretId`");
    };
    // Temporary credentials issued here: their token and expiry were judged
    // when the request arrived (`identity::gate`).
    let issued_key;
    let key = match config.key_for(secret_id) {
        Some(key) => key,
        None => {
            let Some(key) = state.identities.key_for(secret_id) else {
                return VerdictV2::refuse(
                    4100,
                    "AuthFailure",
                    format!("unknown SecretId `{secret_id}`"),
                );
            };
            issued_key = key;
            &*issued_key
        }
    };
    let method = if inbound.method == http::Method::POST {
        tcdn_sign::HttpMethod::Post
    } else {
        tcdn_sign::HttpMethod::Get
    };
    let pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if let Err(why) = crate::auth::verify_v1(
        key,
        method,
        inbound.host,
        &config.public_host,
        inbound.path,
        &pairs,
    ) {
        return VerdictV2::refuse(4100, "AuthFailure", format!("authentication failed: {why}"));
    }

    // Replay protection.
    let timestamp = match get("Timestamp").map(str::parse::<i64>) {
        Some(Ok(t)) if t > 0 => t,
        Some(_) => {
            return VerdictV2::refuse(
                4000,
                "InvalidParameter",
                format!(
                    "`Timestamp` must be a positive integer of Unix seconds, got `{}`",
                    get("Timestamp").unwrap_or("")
                ),
            );
        }
        None => {
            return VerdictV2::refuse(4000, "MissingParameter", "missing parameter `Timestamp`");
        }
    };
    let nonce = match get("Nonce").map(str::parse::<u64>) {
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            return VerdictV2::refuse(
                4000,
                "InvalidParameter",
                format!(
                    "`Nonce` must be a positive integer, got `{}`",
                    get("Nonce").unwrap_or("")
                ),
            );
        }
        None => return VerdictV2::refuse(4000, "MissingParameter", "missing parameter `Nonce`"),
    };
    let now_s = now_ms.div_euclid(1000);
    let window_s = i64::try_from(config.timestamp_window.as_secs()).unwrap_or(i64::MAX);
    let skew = timestamp.saturating_sub(now_s);
    if skew.unsigned_abs() > window_s.unsigned_abs() {
        return VerdictV2::refuse(
            4500,
            "ReplayAttack",
            format!(
                "Timestamp {timestamp} is {}s {} the server's clock ({now_s}); at most {window_s}s is allowed: check the client's clock",
                skew.unsigned_abs(),
                if skew > 0 { "ahead of" } else { "behind" },
            ),
        );
    }
    if state.nonce_seen(now_ms, secret_id, nonce) {
        return VerdictV2::refuse(
            4500,
            "ReplayAttack",
            format!(
                "Nonce {nonce} was already used by this SecretId within {window_s}s: replayed request"
            ),
        );
    }
    state.spend_nonce(now_ms, window_s.saturating_mul(1000), secret_id, nonce);

    if !state.admit_call(now_ms, secret_id, config.rate_limit_per_minute) {
        return VerdictV2::refuse(
            4400,
            "RequestLimitExceeded",
            format!(
                "rate limit exceeded: at most {} calls per minute",
                config.rate_limit_per_minute
            ),
        );
    }

    // The action itself, with names read as the signature reads them: the
    // signature folds `_` into `.` (and PHP, behind the real endpoint, reads
    // `.` as `_`), so `urls_2` is `urls.2` spelled differently. Read
    // literally, a signed `urls_2` would be ignored and its URL dropped from
    // an accepted request (found by the `emulator_signed` fuzz target's
    // oracle). Verification has already refused names that fold together.
    let folded: Vec<(String, &str)> = pairs
        .iter()
        .map(|&(name, value)| (name.replace('_', "."), value))
        .collect();
    let request = match tcdn_model::v2::FlushOrPush::from_params(folded.iter().map(|(k, v)| (k, v)))
    {
        Ok(request) => request,
        Err(error) => return refuse_model_error(&error, &folded),
    };
    let bucket = match request.operation() {
        tcdn_model::Operation::FlushUrls => Bucket::UrlFlush,
        tcdn_model::Operation::FlushDirs => Bucket::DirFlush,
        tcdn_model::Operation::PushUrls => Bucket::UrlPush,
    };
    let areas: Vec<AreaName> = [
        request.areas().mainland().then_some(AreaName::Mainland),
        request.areas().oversea().then_some(AreaName::Oversea),
    ]
    .into_iter()
    .flatten()
    .collect();
    let day = beijing_day(now_ms);
    let count = request.urls().len() as u64;
    let (quota, module, what) = match bucket {
        Bucket::UrlFlush => (config.quotas.url_flush, 22044, "URL flush"),
        Bucket::DirFlush => (config.quotas.dir_flush, 22046, "directory flush"),
        Bucket::UrlPush => (config.quotas.url_push, 23101, "URL push"),
    };
    for &area in &areas {
        let used = state.used(day, area, bucket);
        if used + count > u64::from(quota) {
            return VerdictV2::module(
                module,
                format_args!(
                    "daily {what} quota exceeded in {}: {used} of {quota} used today, this request needs {count}",
                    area.as_str()
                ),
            );
        }
    }
    let task = AcceptedTask {
        seq: 0,
        api: Api::V2,
        product: None,
        zone_id: None,
        action: "FlushOrPushOverall".to_owned(),
        task_id: None,
        command: request.operation().command().as_str().to_owned(),
        url_type: request.operation().url_type().as_str().to_owned(),
        areas: areas.iter().map(|a| a.as_str().to_owned()).collect(),
        urls: request
            .urls()
            .iter()
            .map(|u| u.as_str().to_owned())
            .collect(),
        time: now_s,
        secret_id: secret_id.to_owned(),
        statuses: Vec::new(),
    };
    let stored = Stored::new(task, now_ms, Vec::new());
    let seq = state.record(day, &areas, bucket, stored);
    let body = json!({ "code": 0, "message": "", "codeDesc": "Success" }).to_string();
    VerdictV2 {
        status: StatusCode::OK,
        body,
        code: Some(0),
        reason: format!("accepted task {seq}: {count} URL(s)"),
        accepted: Some(seq),
    }
}

fn refuse_model_error(error: &tcdn_model::ModelError, params: &[(String, &str)]) -> VerdictV2 {
    if let tcdn_model::ModelErrorKind::TooManyUrls { count, limit } = error.kind()
        && let Some(operation) = operation_of(params)
    {
        let (module, what) = match operation {
            tcdn_model::Operation::FlushUrls => (22043, "URLs in one flush"),
            tcdn_model::Operation::FlushDirs => (22045, "directories in one flush"),
            tcdn_model::Operation::PushUrls => (23100, "URLs in one push"),
        };
        return VerdictV2::module(
            module,
            format_args!("too many {what}: {count}, at most {limit}"),
        );
    }
    VerdictV2::refuse(4000, "InvalidParameter", error.to_string())
}

/// The operation the parameters name: a count is checked only after
/// `command` and `type` have been read, so a count error always has one.
fn operation_of(params: &[(String, &str)]) -> Option<tcdn_model::Operation> {
    let value = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| *v);
    let command = value("command")?.parse().ok()?;
    let url_type = value("type")?.parse().ok()?;
    tcdn_model::Operation::from_parts(command, url_type).ok()
}

/// Decodes the parameters from the query (GET) or the body (POST).
fn read_params(
    config: &Config,
    inbound: InboundV2<'_>,
) -> Result<Vec<(String, String)>, VerdictV2> {
    if *inbound.method == http::Method::GET {
        if inbound.target_len > config.max_get_bytes {
            return Err(VerdictV2::http(
                StatusCode::NOT_IMPLEMENTED,
                format!(
                    "GET request of {} bytes is over the {}-byte limit",
                    inbound.target_len, config.max_get_bytes
                ),
            ));
        }
        return decode_urlencoded(inbound.query.unwrap_or("").as_bytes());
    }
    if inbound.body.len() > config.max_post_bytes {
        return Err(VerdictV2::http(
            StatusCode::NOT_IMPLEMENTED,
            format!(
                "POST body of {} bytes is over the {}-byte limit",
                inbound.body.len(),
                config.max_post_bytes
            ),
        ));
    }
    let content_type = inbound
        .content_type
        .unwrap_or("application/x-www-form-urlencoded");
    if let Some(boundary) = multipart::boundary(content_type) {
        return multipart::fields(inbound.body, boundary)
            .map_err(|e| VerdictV2::refuse(4000, "InvalidParameter", e.to_string()));
    }
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if mime.eq_ignore_ascii_case("application/x-www-form-urlencoded") || mime.is_empty() {
        decode_urlencoded(inbound.body)
    } else {
        Err(VerdictV2::refuse(
            4000,
            "InvalidParameter",
            format!(
                "unsupported Content-Type `{mime}`: send application/x-www-form-urlencoded or multipart/form-data"
            ),
        ))
    }
}

fn decode_urlencoded(raw: &[u8]) -> Result<Vec<(String, String)>, VerdictV2> {
    tcdn_model::decode_form(raw)
        .map_err(|e| VerdictV2::refuse(4000, "InvalidParameter", e.to_string()))
}
