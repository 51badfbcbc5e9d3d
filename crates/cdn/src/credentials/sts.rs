//! STS: [`AssumeRoleProvider`] (`AssumeRole`, TC3-signed with base
//! credentials) and [`WebIdentityProvider`] (`AssumeRoleWithWebIdentity`,
//! unsigned, with TKE's OIDC token), and the [`RoleArn`] and
//! [`RoleSessionName`] they take (docs/protocol.md §7.5).

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use serde::Deserialize;
use tcdn_sign::tc3::{Service, SigningKey, Timestamp};
use tcdn_transport::Transport;
use zeroize::Zeroize;

use super::provider::{checked_expiry, exchange};
use super::{
    CredentialError, CredentialErrorKind, CredentialProvider, CredentialSource, Credentials,
    RefreshingCredentials, ServiceOrigin,
};
use crate::clock::Clock;

/// STS's API version.
pub const STS_VERSION: &str = "2018-08-13";
/// The region sent with `AssumeRole` (`X-TC-Region`), as the official SDKs
/// send it: STS is global, the region only picks where the call is served.
pub const DEFAULT_STS_REGION: &str = "ap-guangzhou";
/// How long assumed credentials are asked to live (`DurationSeconds`): the
/// SDKs' default; STS allows up to 43200 s.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(7200);
/// The longest `DurationSeconds` STS accepts.
const MAX_DURATION_SECS: u64 = 43_200;

/// A role's resource name, e.g. `qcs::cam::uin/100000000001:roleName/deploy`.
///
/// Checked loosely (STS is the judge of what exists): it starts with
/// `qcs::cam::`, has no whitespace or control characters, and is at most
/// 1000 bytes. Not secret: shown in `Debug`, `Display` and errors.
///
/// ```
/// use tcdn::credentials::RoleArn;
/// let arn: RoleArn = "qcs::cam::uin/100000000001:roleName/deploy".parse()?;
/// assert_eq!(arn.as_str(), "qcs::cam::uin/100000000001:roleName/deploy");
/// assert!("arn:aws:iam::1:role/x".parse::<RoleArn>().is_err());
/// # Ok::<(), tcdn::credentials::CredentialError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleArn(String);

impl RoleArn {
    /// The ARN's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for RoleArn {
    type Err = CredentialError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let ok = text.starts_with("qcs::cam::")
            && text.len() > "qcs::cam::".len()
            && text.len() <= 1000
            && !text.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(unusable(
                "role ARN",
                text,
                "expected qcs::cam::uin/<account>:roleName/<name> without spaces",
            ))
        }
    }
}

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A `RoleSessionName`: 2 to 128 letters, digits and `_+=,.@-`, as STS
/// requires. It shows in the account's audit log as who acted.
///
/// ```
/// use tcdn::credentials::RoleSessionName;
/// assert_eq!(RoleSessionName::generated(1_700_000_000).as_str(), "tcdn-1700000000");
/// assert!("deploy job".parse::<RoleSessionName>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleSessionName(String);

impl RoleSessionName {
    /// `tcdn-<unix seconds>`, the name used when none is given (the SDKs
    /// use `tencentcloud-<language>-sdk-<microseconds>` the same way).
    pub fn generated(unix_seconds: u64) -> Self {
        Self(format!("tcdn-{unix_seconds}"))
    }

    /// The name's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for RoleSessionName {
    type Err = CredentialError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let ok = (2..=128).contains(&text.len())
            && text.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '=' | ',' | '.' | '@' | '-')
            });
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(unusable(
                "role session name",
                text,
                "use 2 to 128 letters, digits or _+=,.@-",
            ))
        }
    }
}

impl fmt::Display for RoleSessionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The error of a setting `what` whose `text` STS would refuse; `hint`
/// says what it takes.
fn unusable(what: &str, text: &str, hint: &str) -> CredentialError {
    CredentialError::new(
        CredentialErrorKind::InvalidSetting,
        format!("{what} {text:?} is not usable: {hint}"),
    )
}

/// Where and how STS is called: shared by both providers.
#[derive(Clone)]
struct Sts {
    transport: Arc<dyn Transport>,
    origin: ServiceOrigin,
    clock: Arc<dyn Clock>,
}

impl Sts {
    fn new(transport: Arc<dyn Transport>, origin: ServiceOrigin, clock: Arc<dyn Clock>) -> Self {
        Self {
            transport,
            origin,
            clock,
        }
    }
}

impl fmt::Debug for Sts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sts")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// The JSON body of both actions; `WebIdentityToken` is secret, so the body
/// is built here and never logged.
fn body(fields: &[(&str, &str)], duration: Duration) -> String {
    let mut object = serde_json::Map::new();
    for (name, value) in fields {
        object.insert((*name).to_owned(), serde_json::Value::from(*value));
    }
    object.insert(
        "DurationSeconds".to_owned(),
        serde_json::Value::from(duration.as_secs()),
    );
    serde_json::Value::Object(object).to_string()
}

/// STS's answer. No `Debug`: it holds the key and token.
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Response")]
    response: Option<Answer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    error: Option<ApiError>,
    credentials: Option<Issued>,
    expired_time: Option<i64>,
    request_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApiError {
    code: String,
    message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Issued {
    token: Option<String>,
    tmp_secret_id: Option<String>,
    tmp_secret_key: Option<String>,
}

impl Sts {
    /// Calls `action` with `body`; signs with `signer` (TC3, service `sts`)
    /// or, without one, sends `Authorization: SKIP` as the SDKs do for
    /// `AssumeRoleWithWebIdentity`.
    async fn call(
        &self,
        action: &str,
        region: &str,
        body: String,
        signer: Option<&Credentials>,
    ) -> Result<Credentials, CredentialError> {
        let service_name = format!("STS {}", self.origin);
        let invalid_setting = |what: String| {
            CredentialError::new(
                CredentialErrorKind::InvalidSetting,
                format!("cannot build the {action} request: {what}"),
            )
        };
        let now = self.clock.unix_seconds();
        let timestamp =
            Timestamp::new(now).map_err(|err| invalid_setting(format!("the clock: {err}")))?;
        let host = self.origin.authority();
        let mut request = http::Request::post(self.origin.url("/"))
            .header(http::header::HOST, host)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header("X-TC-Action", action)
            .header("X-TC-Version", STS_VERSION)
            .header("X-TC-Timestamp", now.to_string())
            .header("X-TC-Region", region);
        let authorization = match signer {
            Some(credentials) => {
                if let Some(token) = credentials.token() {
                    request = request.header("X-TC-Token", token.expose());
                }
                let service =
                    Service::new("sts").map_err(|err| invalid_setting(err.to_string()))?;
                let key = SigningKey::derive(credentials.secret_key(), timestamp.date(), service);
                let signed = [("Content-Type", "application/json"), ("Host", host)];
                let mut out = String::with_capacity(256);
                key.authorize_into(
                    credentials.secret_id(),
                    &tcdn_sign::tc3::Request::post(&signed, body.as_bytes()),
                    timestamp,
                    &mut out,
                )
                .map_err(|err| invalid_setting(format!("signing failed: {err}")))?;
                out
            }
            None => "SKIP".to_owned(),
        };
        let request = request
            .header(http::header::AUTHORIZATION, authorization)
            .body(Bytes::from(body))
            .map_err(|err| invalid_setting(err.to_string()))?;
        let answer = exchange(self.transport.as_ref(), request, &service_name).await?;
        let status = answer.status().as_u16();
        let invalid = |what: String| {
            CredentialError::new(
                CredentialErrorKind::InvalidAnswer,
                format!("{service_name}'s answer to {action} {what}"),
            )
        };
        // serde_json's errors name a position, never the input.
        let parsed: Envelope = serde_json::from_slice(answer.body()).map_err(|err| {
            if status == 200 {
                invalid(format!(
                    "is not the expected JSON (line {} column {})",
                    err.line(),
                    err.column()
                ))
            } else {
                CredentialError::new(
                    CredentialErrorKind::Refused,
                    format!("{service_name} answered {action} with HTTP {status}"),
                )
            }
        })?;
        let Some(answer) = parsed.response else {
            return Err(invalid("has no Response".to_owned()));
        };
        let request_id = answer
            .request_id
            .as_deref()
            .map(|id| format!(", RequestId {}", crate::text::printable(id)))
            .unwrap_or_default();
        if let Some(error) = answer.error {
            let message = error.message.unwrap_or_default();
            return Err(CredentialError::new(
                CredentialErrorKind::Refused,
                format!(
                    "{service_name} refused {action}: {} ({}{request_id})",
                    crate::text::printable(&error.code),
                    crate::text::printable(&message)
                ),
            ));
        }
        let (Some(issued), Some(expired)) = (answer.credentials, answer.expired_time) else {
            return Err(invalid("lacks Credentials or ExpiredTime".to_owned()));
        };
        let (Some(id), Some(key), Some(token)) =
            (issued.tmp_secret_id, issued.tmp_secret_key, issued.token)
        else {
            return Err(invalid(
                "lacks TmpSecretId, TmpSecretKey or Token".to_owned(),
            ));
        };
        let expires_at = checked_expiry(expired, &token, invalid)?;
        let credentials = Credentials::new(id, key)?;
        Ok(credentials.with_token(token).expiring_at(expires_at))
    }
}

fn check_duration(duration: Duration) -> Result<Duration, CredentialError> {
    if (1..=MAX_DURATION_SECS).contains(&duration.as_secs()) {
        Ok(duration)
    } else {
        Err(CredentialError::new(
            CredentialErrorKind::InvalidSetting,
            format!(
                "a role's credentials can live 1 to {MAX_DURATION_SECS} s, not {} s",
                duration.as_secs()
            ),
        ))
    }
}

/// What both providers ask STS for, and where: the role, the session's
/// name, how long its credentials live, and the region the call is served
/// in.
#[derive(Debug)]
struct Role {
    sts: Sts,
    arn: RoleArn,
    session_name: RoleSessionName,
    duration: Duration,
    region: String,
}

impl Role {
    /// `arn` assumed at STS's `origin` through `transport`, in `region`, as
    /// `session_name` (default [`RoleSessionName::generated`] from the
    /// clock), for [`DEFAULT_DURATION`].
    fn new(
        (transport, origin, clock): (Arc<dyn Transport>, ServiceOrigin, Arc<dyn Clock>),
        arn: RoleArn,
        session_name: Option<RoleSessionName>,
        region: String,
    ) -> Self {
        let session_name =
            session_name.unwrap_or_else(|| RoleSessionName::generated(clock.unix_seconds()));
        Self {
            sts: Sts::new(transport, origin, clock),
            arn,
            session_name,
            duration: DEFAULT_DURATION,
            region,
        }
    }

    /// Asks for credentials living `duration` (1 s to 12 h).
    fn set_duration(&mut self, duration: Duration) -> Result<(), CredentialError> {
        self.duration = check_duration(duration)?;
        Ok(())
    }

    /// Calls `action` with `body`, signed with `signer` if given.
    async fn assume(
        &self,
        action: &str,
        body: String,
        signer: Option<&Credentials>,
    ) -> Result<Credentials, CredentialError> {
        self.sts.call(action, &self.region, body, signer).await
    }

    /// The call's body: `fields` first, then the role and session name.
    fn body(&self, fields: &[(&str, &str)]) -> String {
        let mut all = fields.to_vec();
        all.extend([
            ("RoleArn", self.arn.as_str()),
            ("RoleSessionName", self.session_name.as_str()),
        ]);
        body(&all, self.duration)
    }
}

/// A role assumed with STS `AssumeRole`, signed (TC3, service `sts`) with
/// the current base credentials, which may themselves be temporary.
#[derive(Debug)]
pub struct AssumeRoleProvider {
    base: Arc<RefreshingCredentials>,
    role: Role,
}

impl AssumeRoleProvider {
    /// Assumes `role_arn` at STS's `origin` through `transport`, with
    /// `base`'s credentials, as `session_name` (default
    /// [`RoleSessionName::generated`] from the clock), for
    /// [`DEFAULT_DURATION`].
    pub fn new(
        transport: Arc<dyn Transport>,
        origin: ServiceOrigin,
        clock: Arc<dyn Clock>,
        base: Arc<RefreshingCredentials>,
        role_arn: RoleArn,
        session_name: Option<RoleSessionName>,
    ) -> Self {
        let region = DEFAULT_STS_REGION.to_owned();
        Self {
            base,
            role: Role::new((transport, origin, clock), role_arn, session_name, region),
        }
    }

    /// Asks for credentials living `duration` (1 s to 12 h).
    ///
    /// # Errors
    /// [`InvalidSetting`](CredentialErrorKind::InvalidSetting) outside that
    /// range.
    pub fn with_duration(mut self, duration: Duration) -> Result<Self, CredentialError> {
        self.role.set_duration(duration)?;
        Ok(self)
    }

    /// The role assumed.
    pub fn role_arn(&self) -> &RoleArn {
        &self.role.arn
    }

    /// The session name sent.
    pub fn session_name(&self) -> &RoleSessionName {
        &self.role.session_name
    }
}

#[async_trait]
impl CredentialProvider for AssumeRoleProvider {
    async fn fetch(&self) -> Result<Credentials, CredentialError> {
        let context = format!("assumed role {}", self.role.arn);
        let base = self
            .base
            .current()
            .await
            .map_err(|err| err.context(format!("{context}: base credentials")))?;
        let body = self.role.body(&[]);
        self.role
            .assume("AssumeRole", body, Some(&base))
            .await
            .map_err(|err| err.context(context))
    }

    fn source(&self) -> CredentialSource {
        CredentialSource::AssumedRole {
            role_arn: self.role.arn.to_string(),
            base: Box::new(self.base.source()),
        }
    }
}

/// A role assumed with STS `AssumeRoleWithWebIdentity`: TKE's OIDC web
/// identity token (read from its file at every fetch, since TKE rotates
/// it), sent unsigned as the SDKs send it.
#[derive(Debug)]
pub struct WebIdentityProvider {
    role: Role,
    provider_id: String,
    token_file: PathBuf,
}

impl WebIdentityProvider {
    /// Assumes `role_arn` at STS's `origin` through `transport`, in
    /// `region`, with the token in `token_file` issued by `provider_id`.
    pub fn new(
        transport: Arc<dyn Transport>,
        origin: ServiceOrigin,
        clock: Arc<dyn Clock>,
        region: impl Into<String>,
        provider_id: impl Into<String>,
        token_file: impl Into<PathBuf>,
        role_arn: RoleArn,
    ) -> Self {
        Self {
            role: Role::new((transport, origin, clock), role_arn, None, region.into()),
            provider_id: provider_id.into(),
            token_file: token_file.into(),
        }
    }

    /// Uses `session_name` instead of a generated one.
    #[must_use]
    pub fn with_session_name(mut self, session_name: RoleSessionName) -> Self {
        self.role.session_name = session_name;
        self
    }

    /// As [`AssumeRoleProvider::with_duration`]: credentials living
    /// `duration`, 1 s to 12 h.
    ///
    /// # Errors
    /// As [`AssumeRoleProvider::with_duration`].
    pub fn with_duration(mut self, duration: Duration) -> Result<Self, CredentialError> {
        self.role.set_duration(duration)?;
        Ok(self)
    }
}

#[async_trait]
impl CredentialProvider for WebIdentityProvider {
    async fn fetch(&self) -> Result<Credentials, CredentialError> {
        let context = format!("TKE OIDC role {}", self.role.arn);
        let what = "web identity token file";
        let mut token = match super::files::read_bounded(&self.token_file, what) {
            Ok(Some(token)) => token,
            Ok(None) => {
                return Err(CredentialError::new(
                    CredentialErrorKind::Unreadable,
                    format!(
                        "{context}: cannot read the {what} {}: it does not exist",
                        self.token_file.display()
                    ),
                ));
            }
            Err(err) => return Err(err.context(&context)),
        };
        let trimmed = token.trim();
        if trimmed.is_empty() {
            token.zeroize();
            return Err(CredentialError::new(
                CredentialErrorKind::Invalid,
                format!(
                    "{context}: the web identity token file {} is empty",
                    self.token_file.display()
                ),
            ));
        }
        let body = self.role.body(&[
            ("ProviderId", self.provider_id.as_str()),
            ("WebIdentityToken", trimmed),
        ]);
        token.zeroize();
        self.role
            .assume("AssumeRoleWithWebIdentity", body, None)
            .await
            .map_err(|err| err.context(context))
    }

    fn source(&self) -> CredentialSource {
        CredentialSource::WebIdentity {
            role_arn: self.role.arn.to_string(),
            provider_id: self.provider_id.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_and_session_names_are_checked() {
        for ok in [
            "qcs::cam::uin/100000000001:roleName/deploy",
            "qcs::cam::uin/100000000001:role/4611686018427397919",
        ] {
            assert_eq!(ok.parse::<RoleArn>().unwrap().as_str(), ok);
        }
        for bad in [
            "",
            "qcs::cam::",
            "qcs::cam::uin/1:roleName/a b",
            "arn:aws:iam::1:role/x",
        ] {
            let err = bad.parse::<RoleArn>().unwrap_err();
            assert_eq!(err.kind(), CredentialErrorKind::InvalidSetting);
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
        assert!("ci-deploy@main".parse::<RoleSessionName>().is_ok());
        for bad in ["x", "has space", &"a".repeat(129), "naïve"] {
            assert!(bad.parse::<RoleSessionName>().is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_refusals_text_is_escaped() {
        let hostile = r"x\u001b[2J\nforged\u202e";
        let answer = format!(
            r#"{{"Response":{{"Error":{{"Code":"{hostile}","Message":"{hostile}"}},"RequestId":"{hostile}"}}}}"#
        );
        let sts = Sts {
            transport: Arc::new(
                crate::test_util::mock::ScriptedTransport::new().then_respond(400, answer),
            ),
            origin: ServiceOrigin::parse("http://127.0.0.1:9").unwrap(),
            clock: Arc::new(crate::test_util::ManualClock::new(1_700_000_000)),
        };
        let err = sts
            .call(
                "AssumeRoleWithWebIdentity",
                "ap-guangzhou",
                "{}".into(),
                None,
            )
            .await
            .err()
            .unwrap();
        let text = err.to_string();
        assert!(!text.contains(['\u{1b}', '\n', '\u{202e}']), "{text:?}");
        assert_eq!(
            text.matches(r"x\u{1b}[2J\u{a}forged\u{202e}").count(),
            3,
            "{text}"
        );
    }

    #[test]
    fn the_body_holds_the_fields_and_the_duration() {
        let text = body(
            &[("RoleArn", "qcs::cam::uin/1:roleName/x")],
            DEFAULT_DURATION,
        );
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["RoleArn"], "qcs::cam::uin/1:roleName/x");
        assert_eq!(value["DurationSeconds"], 7200);
        assert!(check_duration(Duration::from_secs(43_201)).is_err());
        assert!(check_duration(Duration::ZERO).is_err());
    }
}
