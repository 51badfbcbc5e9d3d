//! Reading an API 3.0-style request at `/` (docs/protocol.md §5.1): the
//! method, the request target's length, the signature (TC3-HMAC-SHA256 in
//! headers, or v1 among the parameters), the timestamp, the session token,
//! and where the action's parameters are (a JSON body or flat pairs).
//!
//! Nothing here knows a product's actions: the [`Scope`] a request is
//! verified against comes from its `Version`, so every TC3 product served at
//! `/` reads its requests the same way.

use http::{HeaderMap, Method, header};
use std::sync::Arc;
use tcdn_model::v3::{ApiError, ErrorCode};
use tcdn_sign::{SecretKey, tc3};

use crate::auth::{host_candidates, verify_v1};
use crate::config::Config;
use crate::identities::Identities;

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

/// What a signature is verified against: the product's TC3 service name
/// and its public host (the host signed besides the `Host` received).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'c> {
    /// The TC3 service in the credential scope (`cdn`).
    pub(crate) service: tc3::Service,
    /// The public host (`cdn.tencentcloudapi.com`).
    pub(crate) public_host: &'c str,
}

fn missing(name: &str) -> ApiError {
    ApiError::new(
        ErrorCode::MissingParameter,
        format!("the required parameter {name} is missing"),
    )
}

/// How the action's parameters arrived.
pub(crate) enum Params<'a> {
    /// A TC3 POST's JSON body.
    Json(&'a [u8]),
    /// A v1 request's or TC3 GET's parameters, decoded.
    Flat(Vec<(String, String)>),
}

/// A request whose signature, timestamp and token are good.
pub(crate) struct Authenticated<'a> {
    pub(crate) secret_id: String,
    pub(crate) action: String,
    pub(crate) version: String,
    pub(crate) params: Params<'a>,
}

/// Who made a call, when it is judged and the `RequestId` its answer
/// carries: what each step of judging it reads besides the request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caller<'a> {
    /// The `SecretId` that signed it.
    pub(crate) secret_id: &'a str,
    /// The emulator's clock, in Unix milliseconds.
    pub(crate) now_ms: i64,
    /// The `RequestId` of its answer.
    pub(crate) request_id: &'a str,
}

/// An authenticated call, as the product its `Version` names judges it.
pub(crate) struct Call<'a> {
    /// Its caller.
    pub(crate) caller: Caller<'a>,
    /// The `Action` named.
    pub(crate) action: &'a str,
    /// The `Version` named.
    pub(crate) version: &'a str,
    /// The action's parameters.
    pub(crate) params: Params<'a>,
}

/// What reading a request needs besides the request itself.
pub(crate) struct Reader<'c, S> {
    /// The accepted keys, the token, the timestamp window.
    pub(crate) config: &'c Config,
    /// The temporary credentials the emulator issued.
    pub(crate) issued: &'c Identities,
    /// The emulator's clock, in Unix milliseconds.
    pub(crate) now_ms: i64,
    /// What the signature of a request with the given `Version` is
    /// verified against.
    pub(crate) scope_of: S,
}

impl<'c, S: Fn(&str) -> Scope<'c>> Reader<'c, S> {
    /// Reads and authenticates one request.
    pub(crate) fn read<'a>(&self, inbound: InboundV3<'a>) -> Result<Authenticated<'a>, ApiError> {
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
        match inbound.headers.get(header::AUTHORIZATION) {
            Some(value) => self.tc3_request(inbound, value),
            None => self.v1_request(inbound),
        }
    }

    /// TC3-HMAC-SHA256: the action and version in headers, the parameters in a
    /// JSON body (POST) or the query (GET).
    fn tc3_request<'a>(
        &self,
        inbound: InboundV3<'a>,
        authorization: &http::HeaderValue,
    ) -> Result<Authenticated<'a>, ApiError> {
        let (config, issued, now_ms) = (self.config, self.issued, self.now_ms);
        let header = |name: &str| inbound.headers.get(name).and_then(|v| v.to_str().ok());
        let action = header("x-tc-action").ok_or_else(|| missing("X-TC-Action"))?;
        let version = header("x-tc-version").ok_or_else(|| missing("X-TC-Version"))?;
        let scope = (self.scope_of)(version);
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
        for host in host_candidates(header("host"), scope.public_host) {
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
            match tc3::verify(&auth, key, scope.service, &request, timestamp_text) {
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
            Params::Flat(decode_form(query.as_bytes())?)
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

    /// The v1 signature: every parameter, common ones included, in the query
    /// (GET) or a form body (POST).
    fn v1_request<'a>(&self, inbound: InboundV3<'a>) -> Result<Authenticated<'a>, ApiError> {
        let (config, issued, now_ms) = (self.config, self.issued, self.now_ms);
        let get = *inbound.method == Method::GET;
        let params = if get {
            decode_form(inbound.query.unwrap_or("").as_bytes())?
        } else {
            match mime(inbound.headers) {
                None => decode_form(inbound.body)?,
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
                    decode_form(inbound.body)?
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
        let scope = (self.scope_of)(version);
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
            scope.public_host,
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
                    format!(
                        "Timestamp `{timestamp_text}` is not a positive integer of Unix seconds"
                    ),
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

fn decode_form(raw: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    tcdn_model::decode_form(raw)
        .map_err(|e| ApiError::new(ErrorCode::InvalidParameter, e.to_string()))
}
