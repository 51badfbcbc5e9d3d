//! Credentials and where they come from: the environment, tccli's JSON
//! profile files, the SDKs' INI file, TKE's OIDC web identity, the CVM
//! instance's CAM role, and roles assumed through STS; and keeping
//! temporary ones fresh.
//!
//! # Main types
//!
//! - [`Credentials`]: a `SecretId`, a [`SecretKey`], and for temporary
//!   credentials a [`SessionToken`] and the time they expire.
//! - [`CredentialChain`]: where to look, in order, with the environment and
//!   home directory injected. [`CredentialChain::resolve`] reads the
//!   environment and the files only (no network);
//!   [`CredentialChain::load`] follows the whole chain, over HTTP where a
//!   source needs it, and returns [`RefreshingCredentials`].
//! - [`CredentialProvider`]: one source that can be asked again:
//!   [`CvmRoleProvider`] (the metadata service), [`AssumeRoleProvider`] (STS
//!   `AssumeRole` signed with base credentials), [`WebIdentityProvider`]
//!   (STS `AssumeRoleWithWebIdentity` with TKE's OIDC token) and
//!   [`StaticProvider`].
//! - [`RefreshingCredentials`]: holds the current credentials and fetches
//!   new ones before they expire ([`RefreshPolicy`]), one fetch shared by
//!   every caller; a failed refresh keeps still-valid credentials.
//! - [`ServiceOrigin`]: where the metadata service and STS are reached
//!   (`TCDN_METADATA_ENDPOINT`, `TCDN_STS_ENDPOINT`).
//! - [`CredentialSource`] names where credentials came from;
//!   [`CredentialError`] (with [`CredentialErrorKind`]) why none could be
//!   had. Neither ever holds a secret key, a session token or a web identity
//!   token.
//! - [`parse_tccli_credential`] and [`parse_ini_credentials`]: the pure file
//!   parsers (no I/O, never panic).
//!
//! The protocols are described in docs/protocol.md §7.

use std::fmt;
use std::path::{Path, PathBuf};

use subtle::ConstantTimeEq;
use tcdn_sign::SecretKey;
use tcdn_sign::encode::form_value_len;
use zeroize::Zeroize;

mod chain;
mod cvm_role;
mod files;
mod origin;
mod provider;
mod refresh;
mod sts;

pub use chain::CredentialChain;
pub use cvm_role::{CvmRoleProvider, METADATA_ROLE_PATH};
pub use files::{MAX_CREDENTIAL_FILE_LEN, parse_ini_credentials, parse_tccli_credential};
pub use origin::{
    DEFAULT_METADATA_ORIGIN, DEFAULT_STS_ORIGIN, METADATA_HOST, ServiceOrigin, ServiceOriginError,
};
pub use provider::{CredentialProvider, StaticProvider};
pub use refresh::{RefreshPolicy, RefreshingCredentials};
pub use sts::{
    AssumeRoleProvider, DEFAULT_DURATION, DEFAULT_STS_REGION, RoleArn, RoleSessionName,
    STS_VERSION, WebIdentityProvider,
};

/// `TENCENTCLOUD_SECRET_ID`.
pub const ENV_SECRET_ID: &str = "TENCENTCLOUD_SECRET_ID";
/// `TENCENTCLOUD_SECRET_KEY`.
pub const ENV_SECRET_KEY: &str = "TENCENTCLOUD_SECRET_KEY";
/// `TENCENTCLOUD_TOKEN`, the session token as tccli names it.
pub const ENV_TOKEN: &str = "TENCENTCLOUD_TOKEN";
/// `TENCENTCLOUD_SECURITY_TOKEN`, the session token as Terraform names it.
pub const ENV_SECURITY_TOKEN: &str = "TENCENTCLOUD_SECURITY_TOKEN";
/// `TCCLI_PROFILE`, the profile used when none is given explicitly.
pub const ENV_PROFILE: &str = "TCCLI_PROFILE";
/// `TENCENTCLOUD_CREDENTIALS_FILE`, which replaces `~/.tencentcloud/credentials`.
pub const ENV_CREDENTIALS_FILE: &str = "TENCENTCLOUD_CREDENTIALS_FILE";
/// `TENCENTCLOUD_ROLE_ARN`: a role to assume with STS `AssumeRole`.
pub const ENV_ROLE_ARN: &str = "TENCENTCLOUD_ROLE_ARN";
/// `TENCENTCLOUD_ROLE_SESSION_NAME`: the session name for that role.
pub const ENV_ROLE_SESSION_NAME: &str = "TENCENTCLOUD_ROLE_SESSION_NAME";
/// `TKE_REGION`: the region of TKE's OIDC `AssumeRoleWithWebIdentity`.
pub const ENV_TKE_REGION: &str = "TKE_REGION";
/// `TKE_PROVIDER_ID`: the OIDC identity provider's id.
pub const ENV_TKE_PROVIDER_ID: &str = "TKE_PROVIDER_ID";
/// `TKE_WEB_IDENTITY_TOKEN_FILE`: the file holding the web identity token
/// (read again at every refresh: TKE rotates it).
pub const ENV_TKE_WEB_IDENTITY_TOKEN_FILE: &str = "TKE_WEB_IDENTITY_TOKEN_FILE";
/// `TKE_ROLE_ARN`: the role the pod's identity assumes.
pub const ENV_TKE_ROLE_ARN: &str = "TKE_ROLE_ARN";
/// `TCDN_METADATA_ENDPOINT`: the metadata service's origin instead of
/// `http://metadata.tencentyun.com`.
pub const ENV_METADATA_ENDPOINT: &str = "TCDN_METADATA_ENDPOINT";
/// `TCDN_STS_ENDPOINT`: STS's origin instead of `https://sts.tencentcloudapi.com`.
pub const ENV_STS_ENDPOINT: &str = "TCDN_STS_ENDPOINT";
/// The profile used when neither an explicit one nor `TCCLI_PROFILE` is given.
pub const DEFAULT_PROFILE: &str = "default";

/// A session token of temporary credentials, sent as the `Token` parameter.
///
/// Wiped on drop; `Debug` prints `SessionToken(<redacted>)`; no `Display`;
/// compared in constant time (only the length may show), like signatures.
#[derive(Clone)]
pub struct SessionToken(String);

impl PartialEq for SessionToken {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.0.as_bytes().ct_eq(other.0.as_bytes()))
    }
}

impl Eq for SessionToken {}

impl SessionToken {
    /// Wraps the token's text.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text, for building the request only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl Drop for SessionToken {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// A `SecretId`, a `SecretKey` and, for temporary credentials, a session
/// token.
///
/// The secret id is not secret (it is sent in every request) and is shown
/// by `Debug`; the key and the token are redacted. There is no `Display`.
///
/// ```
/// use tcdn::Credentials;
///
/// let credentials = Credentials::new("AKIDexample", "secret-key")?.with_token("session");
/// assert_eq!(credentials.secret_id(), "AKIDexample");
/// let shown = format!("{credentials:?}");
/// assert!(!shown.contains("secret-key") && !shown.contains("session\""), "{shown}");
/// # Ok::<(), tcdn::credentials::CredentialError>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    secret_id: String,
    secret_key: SecretKey,
    token: Option<SessionToken>,
    expires_at: Option<u64>,
}

impl Credentials {
    /// Credentials from a secret id and key.
    ///
    /// # Errors
    /// [`CredentialErrorKind::Invalid`] when either is empty or the id holds
    /// whitespace or control characters (the key is never quoted).
    pub fn new(
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Result<Self, CredentialError> {
        let secret_id = secret_id.into();
        let mut secret_key = secret_key.into();
        if secret_id.is_empty() {
            secret_key.zeroize();
            return Err(CredentialError::new(
                CredentialErrorKind::Invalid,
                "the SecretId is empty".to_owned(),
            ));
        }
        if secret_id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            secret_key.zeroize();
            return Err(CredentialError::new(
                CredentialErrorKind::Invalid,
                format!("the SecretId {secret_id:?} contains whitespace or control characters"),
            ));
        }
        if secret_key.is_empty() {
            return Err(CredentialError::new(
                CredentialErrorKind::Invalid,
                format!("the SecretKey for SecretId {secret_id} is empty"),
            ));
        }
        Ok(Self {
            secret_id,
            secret_key: SecretKey::new(secret_key),
            token: None,
            expires_at: None,
        })
    }

    /// Adds a session token (temporary credentials); an empty token means
    /// none.
    #[must_use]
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        let token = token.into();
        self.token = (!token.is_empty()).then(|| SessionToken::new(token));
        self
    }

    /// The `SecretId`.
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The `SecretKey` (opaque: only the signer reads it).
    pub fn secret_key(&self) -> &SecretKey {
        &self.secret_key
    }

    /// The session token, if any.
    pub fn token(&self) -> Option<&SessionToken> {
        self.token.as_ref()
    }

    /// Marks the credentials as expiring at `unix_seconds` (temporary
    /// credentials: the metadata service's and STS's `ExpiredTime`).
    #[must_use]
    pub fn expiring_at(mut self, unix_seconds: u64) -> Self {
        self.expires_at = Some(unix_seconds);
        self
    }

    /// When they stop working, in Unix seconds; `None` for long-term keys.
    pub fn expires_at(&self) -> Option<u64> {
        self.expires_at
    }

    /// Whether they have expired at `now` (Unix seconds); long-term keys
    /// never do.
    pub fn is_expired_at(&self, now: u64) -> bool {
        self.expires_at.is_some_and(|expires| now >= expires)
    }

    /// Whether `other` has the same `SecretId` and session token: tells a
    /// caller whether the credentials it used are still the current ones
    /// (every issue of temporary credentials has its own id and token).
    pub fn same_as(&self, other: &Self) -> bool {
        self.secret_id == other.secret_id && self.token == other.token
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &self.secret_key)
            .field("token", &self.token)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The form-encoded bytes the `SecretId` value and the `&Token=` parameter
/// of `credentials` may take in a request, for planning batches that fit
/// the wire. Temporary credentials are refreshed during a run, and the new
/// ones may be a little longer: they are budgeted at twice their current
/// length (refreshed credentials come from the same source, whose ids and
/// tokens keep about the same length).
pub(crate) fn identity_budget(credentials: &Credentials) -> usize {
    let id = form_value_len(credentials.secret_id());
    let token = credentials
        .token()
        .map_or(0, |t| "&Token=".len() + form_value_len(t.expose()));
    if credentials.expires_at().is_some() {
        2 * (id + token)
    } else {
        id + token
    }
}

/// Where resolved credentials were found.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// The `TENCENTCLOUD_*` environment variables.
    Environment,
    /// tccli's `~/.tccli/<profile>.credential` JSON file.
    TccliFile {
        /// The file.
        path: PathBuf,
        /// The profile.
        profile: String,
    },
    /// The SDKs' INI file (`~/.tencentcloud/credentials` or
    /// `$TENCENTCLOUD_CREDENTIALS_FILE`).
    IniFile {
        /// The file.
        path: PathBuf,
        /// The section read.
        profile: String,
    },
    /// The CAM role bound to this CVM instance, from the metadata service.
    CvmRole {
        /// The role's name, as the metadata service gave it.
        role: String,
    },
    /// A role assumed with STS `AssumeRole`, signed with credentials from
    /// `base`.
    AssumedRole {
        /// The role assumed.
        role_arn: String,
        /// Where the credentials that signed `AssumeRole` came from.
        base: Box<CredentialSource>,
    },
    /// A role assumed with STS `AssumeRoleWithWebIdentity`, with TKE's OIDC
    /// token (the `TKE_*` variables).
    WebIdentity {
        /// The role assumed.
        role_arn: String,
        /// The OIDC identity provider.
        provider_id: String,
    },
    /// Credentials handed to tcdn directly (a library caller's own).
    Given,
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Environment => write!(f, "environment ({ENV_SECRET_ID}, {ENV_SECRET_KEY})"),
            Self::TccliFile { path, profile } => {
                write!(f, "{} (tccli profile {profile})", path.display())
            }
            Self::IniFile { path, profile } => {
                write!(f, "{} (section [{profile}])", path.display())
            }
            Self::CvmRole { role } => write!(f, "CVM role {role} (instance metadata service)"),
            Self::AssumedRole { role_arn, base } => {
                write!(
                    f,
                    "role {role_arn} assumed with STS AssumeRole using {base}"
                )
            }
            Self::WebIdentity {
                role_arn,
                provider_id,
            } => write!(
                f,
                "TKE OIDC: role {role_arn} assumed with STS AssumeRoleWithWebIdentity (provider {provider_id})"
            ),
            Self::Given => f.write_str("credentials given by the caller"),
        }
    }
}

/// What kind of credential problem occurred.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialErrorKind {
    /// Nothing was found in any place looked at.
    NotFound,
    /// An environment variable is set but empty.
    EmptyVariable,
    /// An environment variable is not valid UTF-8.
    NotUnicode,
    /// Only one of the secret id and key is set in the environment.
    IncompleteEnvironment,
    /// The profile name cannot name a file safely.
    InvalidProfile,
    /// A credential file exists but could not be read.
    Unreadable,
    /// A credential file (or the web identity token file) is larger than
    /// [`MAX_CREDENTIAL_FILE_LEN`]: refused without reading it whole.
    TooLarge,
    /// A credential file is not valid JSON / INI.
    Malformed,
    /// A credential file lacks a required field, or has it with the wrong
    /// type.
    MissingField,
    /// A tccli profile uses a credential type tcdn cannot use (a CVM role,
    /// SSO, OAuth) and holds no keys.
    UnsupportedType,
    /// A secret id or key is empty or malformed.
    Invalid,
    /// The metadata service answered 404: no CAM role is bound to this
    /// instance.
    NoRoleBound,
    /// The metadata service or STS could not be reached (no connection, a
    /// timeout, a reset).
    Unreachable,
    /// The metadata service or STS answered with an error (STS's error code
    /// is in the message).
    Refused,
    /// The metadata service or STS answered something unreadable.
    InvalidAnswer,
    /// A setting is unusable: a role ARN, a session name, an endpoint
    /// override.
    InvalidSetting,
}

/// A credential problem, with a message fit for a user: it names the
/// variable, file (and line) or profile concerned, never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialError {
    kind: CredentialErrorKind,
    message: String,
}

impl CredentialError {
    pub(crate) fn new(kind: CredentialErrorKind, message: String) -> Self {
        Self { kind, message }
    }

    /// What kind of problem it is.
    pub fn kind(&self) -> CredentialErrorKind {
        self.kind
    }

    /// The same error, its message prefixed with `context: `.
    pub(crate) fn context(self, context: impl fmt::Display) -> Self {
        Self::new(self.kind, format!("{context}: {}", self.message))
    }

    fn in_file(self, path: &Path) -> Self {
        Self::new(
            self.kind,
            format!("credential file {}: {}", path.display(), self.message),
        )
    }
}

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CredentialError {}
