//! [`CredentialProvider`]: a source of credentials that can be asked again,
//! and the helpers its HTTP implementations share.

use std::fmt;

use async_trait::async_trait;
use bytes::Bytes;
use tcdn_transport::{Transport, TransportError};

use super::{CredentialError, CredentialErrorKind, CredentialSource, Credentials};

/// A source of credentials that can be asked again: the metadata service or
/// STS give temporary credentials, and [`RefreshingCredentials`](super::RefreshingCredentials)
/// asks for new ones before they expire.
#[async_trait]
pub trait CredentialProvider: Send + Sync + fmt::Debug {
    /// Fetches credentials (temporary ones carry their expiry,
    /// [`Credentials::expires_at`]).
    ///
    /// # Errors
    /// A [`CredentialError`] naming the source and what failed, never a
    /// secret.
    async fn fetch(&self) -> Result<Credentials, CredentialError>;

    /// Where the credentials come from, for `-v` and for errors.
    fn source(&self) -> CredentialSource;
}

/// Credentials that never change (long-term keys from the environment or
/// a file, or a caller's own).
#[derive(Debug, Clone)]
pub struct StaticProvider {
    credentials: Credentials,
    source: CredentialSource,
}

impl StaticProvider {
    /// Always gives `credentials`, found in `source`.
    pub fn new(credentials: Credentials, source: CredentialSource) -> Self {
        Self {
            credentials,
            source,
        }
    }
}

#[async_trait]
impl CredentialProvider for StaticProvider {
    async fn fetch(&self) -> Result<Credentials, CredentialError> {
        Ok(self.credentials.clone())
    }

    fn source(&self) -> CredentialSource {
        self.source.clone()
    }
}

/// When temporary credentials with `token` expire: `expired` (Unix seconds,
/// the answer's `ExpiredTime`) as long as it is positive and the token is
/// not empty; otherwise the error `invalid` words (the problem is passed
/// to it).
pub(super) fn checked_expiry(
    expired: i64,
    token: &str,
    invalid: impl Fn(String) -> CredentialError,
) -> Result<u64, CredentialError> {
    let expires_at = u64::try_from(expired)
        .ok()
        .filter(|&at| at > 0)
        .ok_or_else(|| invalid(format!("has an impossible ExpiredTime {expired}")))?;
    if token.is_empty() {
        return Err(invalid("has an empty Token".to_owned()));
    }
    Ok(expires_at)
}

/// Sends `request`; a transport failure becomes an
/// [`Unreachable`](CredentialErrorKind::Unreachable) error naming `what`.
/// The transport's messages name the target without its query, and
/// credential requests carry nothing secret in their URL anyway.
pub(super) async fn exchange(
    transport: &dyn Transport,
    request: http::Request<Bytes>,
    what: &str,
) -> Result<http::Response<Bytes>, CredentialError> {
    transport
        .send(request)
        .await
        .map_err(|err: TransportError| {
            CredentialError::new(
                CredentialErrorKind::Unreachable,
                format!("{what} unreachable: {err}"),
            )
        })
}
