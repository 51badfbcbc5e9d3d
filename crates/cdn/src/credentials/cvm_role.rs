//! [`CvmRoleProvider`]: the temporary credentials of the CAM role bound to
//! this CVM instance, from the instance metadata service (docs/protocol.md
//! §7.5).

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use bytes::Bytes;
use serde::Deserialize;
use tcdn_transport::Transport;

use super::provider::{checked_expiry, exchange};
use super::{
    CredentialError, CredentialErrorKind, CredentialProvider, CredentialSource, Credentials,
    ServiceOrigin,
};

/// The metadata path that lists the role bound to the instance; the role's
/// credentials are at this path followed by the role's name.
pub const METADATA_ROLE_PATH: &str = "/latest/meta-data/cam/security-credentials/";

/// What this source is called in errors.
const NAME: &str = "CVM role";

/// The CAM role bound to this CVM instance: `GET
/// /latest/meta-data/cam/security-credentials/` gives the role's name (a
/// 404 means no role is bound), then `GET …/<role>` its temporary
/// `TmpSecretId`, `TmpSecretKey` and `Token`, valid until `ExpiredTime`,
/// with `"Code": "Success"`.
///
/// The role's name is looked up once and remembered, as the official SDKs
/// do; a later 404 for the role forgets it.
pub struct CvmRoleProvider {
    transport: Arc<dyn Transport>,
    origin: ServiceOrigin,
    role: Mutex<Option<String>>,
}

impl fmt::Debug for CvmRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CvmRoleProvider")
            .field("origin", &self.origin)
            .field("role", &self.remembered_role())
            .finish_non_exhaustive()
    }
}

/// The answer for a role; only `fetch` reads it, and it has no `Debug`, so
/// that the key and token cannot be printed by accident.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RoleAnswer {
    code: Option<String>,
    tmp_secret_id: Option<String>,
    tmp_secret_key: Option<String>,
    token: Option<String>,
    expired_time: Option<i64>,
}

impl CvmRoleProvider {
    /// Asks the metadata service at `origin` ([`ServiceOrigin::metadata`]
    /// on a real instance) through `transport`, which must allow plain
    /// `http` to `metadata.tencentyun.com`
    /// (`HyperTransportBuilder::allow_plain_http_host`).
    pub fn new(transport: Arc<dyn Transport>, origin: ServiceOrigin) -> Self {
        Self {
            transport,
            origin,
            role: Mutex::new(None),
        }
    }

    /// Uses `role` instead of asking the metadata service which role is
    /// bound.
    #[must_use]
    pub fn with_role(self, role: impl Into<String>) -> Self {
        *self.role.lock().unwrap_or_else(PoisonError::into_inner) = Some(role.into());
        self
    }

    fn remembered_role(&self) -> Option<String> {
        self.role
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn remember(&self, role: Option<String>) {
        *self.role.lock().unwrap_or_else(PoisonError::into_inner) = role;
    }

    /// GETs `path` from the metadata service (any status).
    async fn get(&self, path: &str) -> Result<http::Response<Bytes>, CredentialError> {
        let request = self.request(path)?;
        exchange(self.transport.as_ref(), request, &self.service())
            .await
            .map_err(|err| err.context(NAME))
    }

    fn request(&self, path: &str) -> Result<http::Request<Bytes>, CredentialError> {
        http::Request::get(self.origin.url(path))
            .header(http::header::HOST, self.origin.authority())
            .body(Bytes::new())
            .map_err(|err| {
                CredentialError::new(
                    CredentialErrorKind::InvalidSetting,
                    format!(
                        "{NAME}: cannot build a request to {}: {err}",
                        self.origin.url(path)
                    ),
                )
            })
    }

    fn service(&self) -> String {
        format!("metadata service {}", self.origin)
    }

    /// The name of the role bound to the instance (remembered after the
    /// first lookup).
    ///
    /// # Errors
    /// [`NoRoleBound`](CredentialErrorKind::NoRoleBound) on a 404;
    /// [`Unreachable`](CredentialErrorKind::Unreachable) when the service
    /// cannot be reached; [`Refused`](CredentialErrorKind::Refused) for
    /// another non-200 status; [`InvalidAnswer`](CredentialErrorKind::InvalidAnswer)
    /// for a name that is empty or not a plain path segment.
    pub async fn role_name(&self) -> Result<String, CredentialError> {
        if let Some(role) = self.remembered_role() {
            return Ok(role);
        }
        let answer = self.get(METADATA_ROLE_PATH).await?;
        match answer.status().as_u16() {
            200 => {}
            404 => {
                return Err(CredentialError::new(
                    CredentialErrorKind::NoRoleBound,
                    format!(
                        "{NAME}: no CAM role is bound to this instance ({} answered 404)",
                        self.service()
                    ),
                ));
            }
            status => {
                return Err(CredentialError::new(
                    CredentialErrorKind::Refused,
                    format!(
                        "{NAME}: {} answered HTTP {status} for the role's name",
                        self.service()
                    ),
                ));
            }
        }
        let text = std::str::from_utf8(answer.body()).unwrap_or("");
        // One role can be bound to an instance; take the first line.
        let role = text.lines().next().unwrap_or("").trim();
        if role.is_empty() || !role.chars().all(is_role_name_char) {
            return Err(CredentialError::new(
                CredentialErrorKind::InvalidAnswer,
                format!(
                    "{NAME}: {} gave a role name that is empty or not a plain name ({} bytes)",
                    self.service(),
                    answer.body().len()
                ),
            ));
        }
        self.remember(Some(role.to_owned()));
        Ok(role.to_owned())
    }
}

/// What CAM allows in a role name (letters, digits and `+=,.@_-`): a plain
/// path segment.
fn is_role_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '=' | ',' | '.' | '@' | '_' | '-')
}

#[async_trait]
impl CredentialProvider for CvmRoleProvider {
    async fn fetch(&self) -> Result<Credentials, CredentialError> {
        let role = self.role_name().await?;
        let answer = self.get(&format!("{METADATA_ROLE_PATH}{role}")).await?;
        match answer.status().as_u16() {
            200 => {}
            404 => {
                self.remember(None);
                return Err(CredentialError::new(
                    CredentialErrorKind::NoRoleBound,
                    format!(
                        "{NAME}: role {role} is not bound to this instance ({} answered 404)",
                        self.service()
                    ),
                ));
            }
            status => {
                return Err(CredentialError::new(
                    CredentialErrorKind::Refused,
                    format!(
                        "{NAME}: {} answered HTTP {status} for role {role}",
                        self.service()
                    ),
                ));
            }
        }
        let invalid = |what: String| {
            CredentialError::new(
                CredentialErrorKind::InvalidAnswer,
                format!("{NAME}: {}'s answer for role {role} {what}", self.service()),
            )
        };
        // serde_json's errors name a position, never the input.
        let parsed: RoleAnswer = serde_json::from_slice(answer.body()).map_err(|err| {
            invalid(format!(
                "is not the expected JSON (line {} column {})",
                err.line(),
                err.column()
            ))
        })?;
        match parsed.code.as_deref() {
            Some("Success") => {}
            Some(code) => {
                return Err(CredentialError::new(
                    CredentialErrorKind::Refused,
                    format!(
                        "{NAME}: {} answered Code \"{}\" for role {role}",
                        self.service(),
                        crate::text::printable(code)
                    ),
                ));
            }
            None => return Err(invalid("has no Code".to_owned())),
        }
        let (Some(id), Some(key), Some(token), Some(expired)) = (
            parsed.tmp_secret_id,
            parsed.tmp_secret_key,
            parsed.token,
            parsed.expired_time,
        ) else {
            return Err(invalid(
                "lacks TmpSecretId, TmpSecretKey, Token or ExpiredTime".to_owned(),
            ));
        };
        let expires_at = checked_expiry(expired, &token, invalid)?;
        let credentials = Credentials::new(id, key).map_err(|err| err.context(NAME))?;
        Ok(credentials.with_token(token).expiring_at(expires_at))
    }

    fn source(&self) -> CredentialSource {
        CredentialSource::CvmRole {
            role: self
                .remembered_role()
                .unwrap_or_else(|| "(not looked up yet)".to_owned()),
        }
    }
}
