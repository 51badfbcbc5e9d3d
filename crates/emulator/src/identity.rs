//! The identity services the emulator stands in for (docs/protocol.md
//! §7.5): the CVM instance metadata service's role credentials, and STS's
//! `AssumeRole` and `AssumeRoleWithWebIdentity`. Both issue temporary
//! credentials that live [`Config::credential_ttl`]; the API actions accept
//! them, with their token, until they expire, judged at the request's
//! arrival (before any `--latency`).
//!
//! | request | answer |
//! |---|---|
//! | `GET /latest/meta-data/cam/security-credentials/` | the role's name ([`Config::cvm_role`]), or 404 without one |
//! | `GET /latest/meta-data/cam/security-credentials/<role>` | `{"TmpSecretId","TmpSecretKey","Token","ExpiredTime","Expiration","Code":"Success"}`, or 404 |
//! | `POST /` with `X-TC-Action: AssumeRole` | TC3-signed (service `sts`) by an accepted key or by valid temporary credentials with their `X-TC-Token` |
//! | `POST /` with `X-TC-Action: AssumeRoleWithWebIdentity` | unsigned; any non-empty `ProviderId` and `WebIdentityToken` |
//!
//! STS accepts any well-formed `RoleArn` (`qcs::cam::uin/<digits>:roleName/<name>`
//! or `…:role/<digits>`), except the role name `missing`
//! (`ResourceNotFound.RoleNotExist`). Credentials live the shorter of
//! `DurationSeconds` (1 to 43200, default 7200) and the configured TTL.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use serde_json::{Value, json};
use tcdn_sign::tc3::{self, Authorization, Service};

use crate::config::{API3_PATH, Config};
use crate::identities::{Fresh, rfc3339};
use crate::response::{self, text_response};
use crate::state::{Api, State};

/// What the identity services need of the emulator that serves them: its
/// configuration, its state (where the credentials it issues are kept) and
/// its clock.
pub(crate) trait Host {
    /// The configuration.
    fn config(&self) -> &Config;
    /// The state, locked.
    fn state(&self) -> std::sync::MutexGuard<'_, State>;
    /// The emulator's clock, in Unix milliseconds.
    fn now_millis(&self) -> i64;
}

/// The metadata path naming the instance's role; the role's credentials
/// are at this path followed by the name.
pub const METADATA_ROLE_PATH: &str = "/latest/meta-data/cam/security-credentials/";

/// STS's API version.
const STS_VERSION: &str = "2018-08-13";
/// The STS actions served at `/`.
const STS_ACTIONS: [&str; 2] = ["AssumeRole", "AssumeRoleWithWebIdentity"];
/// The largest STS body read.
const MAX_STS_BODY: usize = 64 * 1024;
/// How far a TC3 `X-TC-Timestamp` may be from the clock (5 minutes).
const SIGNATURE_WINDOW_S: i64 = 300;
/// The longest `DurationSeconds` STS accepts.
const MAX_DURATION_S: u64 = 43_200;
/// `DurationSeconds` when none is given.
const DEFAULT_DURATION_S: u64 = 7200;

/// When an API request arrived (Unix milliseconds): temporary credentials
/// are judged at that instant, before any latency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Arrival(pub(crate) i64);

/// What a request to the identity services is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// Under [`METADATA_ROLE_PATH`].
    Metadata,
    /// `AssumeRole` or `AssumeRoleWithWebIdentity` at `/`.
    Sts,
}

/// Which identity service `request` is for, if any.
pub(crate) fn route<B>(request: &Request<B>) -> Option<Route> {
    let path = request.uri().path();
    if path.starts_with(METADATA_ROLE_PATH) {
        return Some(Route::Metadata);
    }
    let action = request
        .headers()
        .get("x-tc-action")
        .and_then(|value| value.to_str().ok());
    (path == API3_PATH && action.is_some_and(|action| STS_ACTIONS.contains(&action)))
        .then_some(Route::Sts)
}

/// Serves a request to the identity services.
pub(crate) async fn serve(
    emulator: &impl Host,
    route: Route,
    request: Request<hyper::body::Incoming>,
) -> Response<Full<Bytes>> {
    match route {
        Route::Metadata => metadata(emulator, &request),
        Route::Sts => sts(emulator, request).await,
    }
}

fn metadata<B>(emulator: &impl Host, request: &Request<B>) -> Response<Full<Bytes>> {
    if request.method() != Method::GET {
        return text_response(StatusCode::METHOD_NOT_ALLOWED, "only GET is served here\n");
    }
    let config = emulator.config();
    let asked = &request.uri().path()[METADATA_ROLE_PATH.len()..];
    let Some(role) = config.cvm_role.as_deref() else {
        tracing::info!(path = request.uri().path(), "metadata: no role bound, 404");
        return text_response(StatusCode::NOT_FOUND, "404 - Not Found\n");
    };
    if asked.is_empty() {
        return text_response(StatusCode::OK, role);
    }
    if asked != role {
        tracing::info!(asked, "metadata: no such role, 404");
        return text_response(StatusCode::NOT_FOUND, "404 - Not Found\n");
    }
    let now = emulator.now_millis();
    let fresh = emulator
        .state()
        .identities
        .issue(now, config.credential_ttl);
    tracing::info!(role, secret_id = %fresh.secret_id, expires = fresh.expires_s, "metadata: role credentials issued");
    let body = json!({
        "TmpSecretId": fresh.secret_id,
        "TmpSecretKey": fresh.secret_key,
        "ExpiredTime": fresh.expires_s,
        "Expiration": rfc3339(fresh.expires_s),
        "Token": fresh.token,
        "Code": "Success",
    });
    json(StatusCode::OK, &body.to_string())
}

async fn sts(
    emulator: &impl Host,
    request: Request<hyper::body::Incoming>,
) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let timeout = emulator.config().limits.body_read_timeout;
    let read = Limited::new(body, MAX_STS_BODY + 1).collect();
    let body = match tokio::time::timeout(timeout, read).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(_)) | Err(_) => {
            let request_id = emulator.state().request_id();
            return error_response(
                "InvalidParameter",
                &format!("the request body is unreadable, late or over {MAX_STS_BODY} bytes"),
                &request_id,
            );
        }
    };
    let now = emulator.now_millis();
    let config = emulator.config();
    let mut state = emulator.state();
    let request_id = state.request_id();
    let answer = judge_sts(config, &mut state, now, &parts.headers, &body);
    drop(state);
    match answer {
        Ok(fresh) => {
            tracing::info!(secret_id = %fresh.secret_id, expires = fresh.expires_s, "STS: credentials issued");
            let body = json!({
                "Response": {
                    "Credentials": {
                        "Token": fresh.token,
                        "TmpSecretId": fresh.secret_id,
                        "TmpSecretKey": fresh.secret_key,
                    },
                    "ExpiredTime": fresh.expires_s,
                    "Expiration": rfc3339(fresh.expires_s),
                    "RequestId": request_id,
                }
            });
            json(StatusCode::OK, &body.to_string())
        }
        Err((code, message)) => {
            tracing::info!(code, reason = %message, "STS: refused");
            error_response(code, &message, &request_id)
        }
    }
}

type Refusal = (&'static str, String);

/// Judges an STS request: headers, signature (for `AssumeRole`), then the
/// parameters; issues credentials when all is well.
fn judge_sts(
    config: &Config,
    state: &mut State,
    now_ms: i64,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Fresh, Refusal> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let action = header("x-tc-action").unwrap_or("");
    match header("x-tc-version") {
        Some(STS_VERSION) => {}
        Some(other) => {
            return Err((
                "NoSuchVersion",
                format!("STS has no version {other:?}; use {STS_VERSION}"),
            ));
        }
        None => return Err(("MissingParameter", "missing header X-TC-Version".to_owned())),
    }
    if action == "AssumeRole" {
        authenticate(config, state, now_ms, headers, body)?;
    }
    let params: serde_json::Map<String, Value> = match serde_json::from_slice(body) {
        Ok(Value::Object(params)) => params,
        _ => {
            return Err((
                "InvalidParameter",
                "the body must be a JSON object".to_owned(),
            ));
        }
    };
    let string = |name: &str| -> Result<&str, Refusal> {
        match params.get(name) {
            Some(Value::String(text)) if !text.is_empty() => Ok(text),
            Some(_) => Err((
                "InvalidParameter",
                format!("{name} must be a non-empty string"),
            )),
            None => Err(("MissingParameter", format!("missing parameter {name}"))),
        }
    };
    let role_arn = string("RoleArn")?;
    let session_name = string("RoleSessionName")?;
    if action == "AssumeRoleWithWebIdentity" {
        string("ProviderId")?;
        string("WebIdentityToken")?;
    }
    let Some(role) = role_name(role_arn) else {
        return Err((
            "InvalidParameter",
            format!(
                "RoleArn {role_arn:?} is malformed: expected qcs::cam::uin/<account>:roleName/<name>"
            ),
        ));
    };
    let session_ok = (2..=128).contains(&session_name.len())
        && session_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if !session_ok {
        return Err((
            "InvalidParameter",
            format!("RoleSessionName {session_name:?} must be 2 to 128 of [A-Za-z0-9_+=,.@-]"),
        ));
    }
    let duration_s = match params.get("DurationSeconds") {
        None => DEFAULT_DURATION_S,
        Some(value) => match value.as_u64() {
            Some(secs) if (1..=MAX_DURATION_S).contains(&secs) => secs,
            _ => {
                return Err((
                    "InvalidParameter",
                    format!("DurationSeconds must be an integer from 1 to {MAX_DURATION_S}"),
                ));
            }
        },
    };
    if role == "missing" {
        return Err((
            "ResourceNotFound.RoleNotExist",
            format!("role {role_arn} does not exist"),
        ));
    }
    let lifetime = config.credential_ttl.min(Duration::from_secs(duration_s));
    Ok(state.identities.issue(now_ms, lifetime))
}

/// The role's name in a well-formed role ARN.
fn role_name(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("qcs::cam::uin/")?;
    let (account, role) = rest.split_once(':')?;
    if account.is_empty() || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let name = if let Some(name) = role.strip_prefix("roleName/") {
        name
    } else {
        let id = role.strip_prefix("role/")?;
        if !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        id
    };
    let ok = (1..=128).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    ok.then_some(name)
}

/// Checks `AssumeRole`'s TC3 signature (service `sts`) and its timestamp.
fn authenticate(
    config: &Config,
    state: &State,
    now_ms: i64,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Refusal> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let Some(value) = header("authorization") else {
        return Err((
            "AuthFailure.InvalidAuthorization",
            "AssumeRole must be signed: missing Authorization".to_owned(),
        ));
    };
    let authorization = Authorization::parse(value)
        .map_err(|err| ("AuthFailure.InvalidAuthorization", err.to_string()))?;
    let secret_id = authorization.secret_id();
    let issued_key;
    let key = match config.key_for(secret_id) {
        Some(key) => key,
        None => {
            let Some(key) = state.identities.key_for(secret_id) else {
                return Err((
                    "AuthFailure.SecretIdNotFound",
                    format!("unknown SecretId {secret_id}"),
                ));
            };
            if let Some(Err(problem)) =
                state
                    .identities
                    .check(secret_id, header("x-tc-token"), now_ms)
            {
                return Err(("AuthFailure.TokenFailure", problem.message(secret_id)));
            }
            issued_key = key;
            &*issued_key
        }
    };
    let timestamp = header("x-tc-timestamp").unwrap_or("");
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
        .collect();
    let request = tc3::Request::post(&pairs, body);
    let service = Service::new("sts").map_err(|err| ("InternalError", err.to_string()))?;
    tc3::verify(&authorization, key, service, &request, timestamp)
        .map_err(|err| ("AuthFailure.SignatureFailure", err.to_string()))?;
    let sent: i64 = timestamp.parse().unwrap_or(0);
    let skew = sent - now_ms.div_euclid(1000);
    if skew.abs() > SIGNATURE_WINDOW_S {
        return Err((
            "AuthFailure.SignatureExpire",
            format!(
                "X-TC-Timestamp {sent} is {}s away from the server's clock; at most {SIGNATURE_WINDOW_S}s is allowed",
                skew.abs()
            ),
        ));
    }
    Ok(())
}

/// Refuses an API request that carries issued temporary credentials with
/// the wrong token, or that expired before the request arrived; `None` lets
/// the API's judge decide the rest.
pub(crate) fn gate(
    emulator: &impl Host,
    api: Api,
    parts: &http::request::Parts,
    body: &[u8],
) -> Option<Response<Full<Bytes>>> {
    let mut state = emulator.state();
    if state.identities.is_empty() {
        return None;
    }
    let arrived = parts
        .extensions
        .get::<Arrival>()
        .map_or_else(|| emulator.now_millis(), |arrival| arrival.0);
    let (secret_id, token) = match api {
        Api::V2 => params_secret_id_and_token(parts, body)?,
        Api::V3 => match parts.headers.get(header::AUTHORIZATION) {
            Some(value) => {
                let value = value.to_str().ok()?;
                let secret_id = Authorization::parse(value).ok()?.secret_id().to_owned();
                let token = parts
                    .headers
                    .get("x-tc-token")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                (secret_id, token)
            }
            // The v1 signature: SecretId and Token are parameters.
            None => params_secret_id_and_token(parts, body)?,
        },
    };
    let problem = match state
        .identities
        .check(&secret_id, token.as_deref(), arrived)?
    {
        Ok(()) => return None,
        Err(problem) => problem,
    };
    let message = problem.message(&secret_id);
    tracing::info!(api = api.as_str(), %secret_id, reason = %message, "refused: temporary credentials");
    Some(match api {
        Api::V2 => {
            let body =
                json!({ "code": 4100, "message": message, "codeDesc": "AuthFailure.TokenFailure" });
            json(StatusCode::OK, &body.to_string())
        }
        Api::V3 => {
            let request_id = state.request_id();
            error_response("AuthFailure.TokenFailure", &message, &request_id)
        }
    })
}

/// `SecretId` (required) and `Token` from the [`flat_params`] of a request.
fn params_secret_id_and_token(
    parts: &http::request::Parts,
    body: &[u8],
) -> Option<(String, Option<String>)> {
    let params = flat_params(parts, body)?;
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    Some((get("SecretId")?, get("Token")))
}

/// Form-style parameters (API 2.0, and API 3.0's v1 signature), from the
/// query (GET) or the body (POST).
fn flat_params(parts: &http::request::Parts, body: &[u8]) -> Option<Vec<(String, String)>> {
    if parts.method == Method::GET {
        return tcdn_model::decode_form(parts.uri.query().unwrap_or("").as_bytes()).ok();
    }
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match crate::multipart::boundary(content_type) {
        Some(boundary) => crate::multipart::fields(body, boundary).ok(),
        None => tcdn_model::decode_form(body).ok(),
    }
}

/// API 3.0's error shape, HTTP 200: STS's codes are not the CDN's, so the
/// body is written here.
fn error_response(code: &str, message: &str, request_id: &str) -> Response<Full<Bytes>> {
    let body = json!({
        "Response": {
            "Error": { "Code": code, "Message": message },
            "RequestId": request_id,
        }
    });
    json(StatusCode::OK, &body.to_string())
}

/// A JSON answer as the metadata service and STS send it
/// (`application/json`, no charset).
fn json(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    response::typed(status, "application/json", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_are_judged_by_shape() {
        assert_eq!(
            role_name("qcs::cam::uin/100000000001:roleName/deploy"),
            Some("deploy")
        );
        assert_eq!(
            role_name("qcs::cam::uin/1:role/4611686018427397919"),
            Some("4611686018427397919")
        );
        for bad in [
            "qcs::cam::uin/:roleName/x",
            "qcs::cam::uin/12a:roleName/x",
            "qcs::cam::uin/1:roleName/",
            "qcs::cam::uin/1:user/x",
            "qcs::cam::uin/1:roleName/a b",
            "arn:aws:iam::1:role/x",
        ] {
            assert_eq!(role_name(bad), None, "{bad}");
        }
    }
}
