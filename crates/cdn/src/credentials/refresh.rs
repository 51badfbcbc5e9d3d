//! [`RefreshingCredentials`]: the current credentials of a source, fetched
//! again before they expire, one fetch shared by every caller.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::{
    CredentialError, CredentialErrorKind, CredentialProvider, CredentialSource, Credentials,
    StaticProvider,
};
use crate::clock::{Clock, SystemClock};

/// When temporary credentials are fetched again.
///
/// Credentials that live at least twice [`margin`](Self::margin) are
/// refreshed `margin` before they expire; shorter-lived ones at half their
/// remaining life (counted from when they were fetched), so that a short
/// lifetime still leaves them time to be used. A failed refresh is retried
/// after [`retry_after`](Self::retry_after) while the credentials in hand
/// are still valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// How long before expiry to refresh: 5 minutes by default, the margin
    /// of the official Python SDK's CVM role credential, and the API 3.0
    /// signature's validity window.
    pub margin: Duration,
    /// How long to wait after a failed refresh before trying again (10 s by
    /// default).
    pub retry_after: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self {
            margin: Duration::from_secs(300),
            retry_after: Duration::from_secs(10),
        }
    }
}

impl RefreshPolicy {
    /// When credentials fetched at `now` (Unix seconds) that expire at
    /// `expires_at` should be refreshed.
    ///
    /// ```
    /// use tcdn::credentials::RefreshPolicy;
    /// let policy = RefreshPolicy::default();
    /// // Two hours: five minutes before expiry.
    /// assert_eq!(policy.refresh_at(1_000, 1_000 + 7_200), 1_000 + 7_200 - 300);
    /// // One minute: after thirty seconds.
    /// assert_eq!(policy.refresh_at(1_000, 1_060), 1_030);
    /// ```
    pub fn refresh_at(&self, now: u64, expires_at: u64) -> u64 {
        let life = expires_at.saturating_sub(now);
        let margin = self.margin.as_secs();
        if life >= margin.saturating_mul(2) {
            expires_at - margin
        } else {
            now + life / 2
        }
    }
}

/// What is held: the credentials, when to refresh them, and when a failed
/// refresh may be tried again.
#[derive(Clone)]
struct Held {
    credentials: Credentials,
    refresh_at: Option<u64>,
    retry_at: Option<u64>,
}

impl Held {
    fn new(credentials: Credentials, now: u64, policy: &RefreshPolicy) -> Self {
        let refresh_at = credentials
            .expires_at()
            .map(|expires_at| policy.refresh_at(now, expires_at));
        Self {
            credentials,
            refresh_at,
            retry_at: None,
        }
    }

    /// Whether a caller at `now` should fetch anew.
    fn due(&self, now: u64) -> bool {
        let Some(refresh_at) = self.refresh_at else {
            return false;
        };
        now >= refresh_at
            && (self.retry_at.is_none_or(|retry_at| now >= retry_at)
                || self.credentials.is_expired_at(now))
    }
}

/// The current credentials of a [`CredentialProvider`], fetched again
/// before they expire ([`RefreshPolicy`]), with an injected [`Clock`].
///
/// - [`current`](Self::current) returns credentials that are valid now.
///   When a refresh is due, one caller fetches while the others keep using
///   the credentials in hand if they are still valid, or wait for that one
///   fetch if they are not: callers never fetch in parallel.
/// - A failed refresh is logged (never with a secret) and the credentials
///   in hand are kept while they are valid; the refresh is tried again after
///   [`RefreshPolicy::retry_after`]. Once they have expired, the failure is
///   the caller's error.
/// - [`refresh_after_refusal`](Self::refresh_after_refusal) fetches anew
///   after the server refused credentials that expired in flight.
///
/// Cloning the `Arc` shares everything; `Debug` shows the source and the
/// times, never a key or token.
pub struct RefreshingCredentials {
    provider: Arc<dyn CredentialProvider>,
    clock: Arc<dyn Clock>,
    policy: RefreshPolicy,
    held: Mutex<Held>,
    refreshing: tokio::sync::Mutex<()>,
}

impl fmt::Debug for RefreshingCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let held = self.held();
        f.debug_struct("RefreshingCredentials")
            .field("source", &self.provider.source())
            .field("secret_id", &held.credentials.secret_id())
            .field("expires_at", &held.credentials.expires_at())
            .field("refresh_at", &held.refresh_at)
            .field("retry_at", &held.retry_at)
            .finish_non_exhaustive()
    }
}

impl RefreshingCredentials {
    /// Fetches the first credentials from `provider`, with the default
    /// [`RefreshPolicy`].
    ///
    /// # Errors
    /// The provider's error.
    pub async fn new(
        provider: Arc<dyn CredentialProvider>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, CredentialError> {
        Self::with_policy(provider, clock, RefreshPolicy::default()).await
    }

    /// Fetches the first credentials from `provider`, refreshing them by
    /// `policy`.
    ///
    /// # Errors
    /// The provider's error, or credentials already expired by `clock`.
    pub async fn with_policy(
        provider: Arc<dyn CredentialProvider>,
        clock: Arc<dyn Clock>,
        policy: RefreshPolicy,
    ) -> Result<Self, CredentialError> {
        let credentials = provider.fetch().await?;
        let now = clock.unix_seconds();
        check_not_expired(&credentials, now, &provider.source())?;
        tracing::debug!(
            source = %provider.source(),
            expires_at = credentials.expires_at(),
            "credentials fetched"
        );
        Ok(Self {
            held: Mutex::new(Held::new(credentials, now, &policy)),
            provider,
            clock,
            policy,
            refreshing: tokio::sync::Mutex::new(()),
        })
    }

    /// Credentials that never change and need no fetching (long-term keys).
    pub fn fixed(credentials: Credentials) -> Self {
        let policy = RefreshPolicy::default();
        let held = Held {
            refresh_at: None,
            retry_at: None,
            credentials: credentials.clone(),
        };
        Self {
            provider: Arc::new(StaticProvider::new(credentials, CredentialSource::Given)),
            clock: Arc::new(SystemClock::new()),
            policy,
            held: Mutex::new(held),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// Where the credentials come from.
    pub fn source(&self) -> CredentialSource {
        self.provider.source()
    }

    /// The credentials in hand, without refreshing them (they may have
    /// expired; see [`Credentials::expires_at`]).
    pub fn peek(&self) -> Credentials {
        self.held().credentials
    }

    fn held(&self) -> Held {
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn store(&self, held: Held) {
        *self.held.lock().unwrap_or_else(PoisonError::into_inner) = held;
    }

    /// Credentials valid now, refreshed first when due (see the type's
    /// documentation).
    ///
    /// # Errors
    /// The provider's error, when a refresh failed and the credentials in
    /// hand have expired.
    pub async fn current(&self) -> Result<Credentials, CredentialError> {
        let now = self.clock.unix_seconds();
        let held = self.held();
        if !held.due(now) {
            return Ok(held.credentials);
        }
        let _refreshing = if held.credentials.is_expired_at(now) {
            self.refreshing.lock().await
        } else {
            match self.refreshing.try_lock() {
                Ok(guard) => guard,
                // Another caller is refreshing; these are still valid.
                Err(_) => return Ok(held.credentials),
            }
        };
        // Another caller may have refreshed while this one waited.
        let now = self.clock.unix_seconds();
        let held = self.held();
        if !held.due(now) {
            return Ok(held.credentials);
        }
        match self.fetch().await {
            Ok(fresh) => Ok(fresh),
            Err(error) => {
                let now = self.clock.unix_seconds();
                if held.credentials.is_expired_at(now) {
                    return Err(error);
                }
                let retry_in = self.policy.retry_after.as_secs().max(1);
                tracing::warn!(
                    source = %self.provider.source(),
                    %error,
                    valid_until = held.credentials.expires_at(),
                    retry_in_secs = retry_in,
                    "refreshing the credentials failed; using the current ones while they last"
                );
                let credentials = held.credentials.clone();
                self.store(Held {
                    retry_at: Some(now + retry_in),
                    ..held
                });
                Ok(credentials)
            }
        }
    }

    /// After a request was refused because the credentials it carried
    /// (`used`) expired in flight: fetches anew, unless another caller
    /// already replaced `used`, in which case those newer credentials are
    /// returned. Callers retry such a request once.
    ///
    /// # Errors
    /// The provider's error (the credentials in hand were just refused, so
    /// they are not fallen back on).
    pub async fn refresh_after_refusal(
        &self,
        used: &Credentials,
    ) -> Result<Credentials, CredentialError> {
        let _refreshing = self.refreshing.lock().await;
        let held = self.held();
        if !held.credentials.same_as(used) {
            return Ok(held.credentials);
        }
        self.fetch().await
    }

    /// Fetches and stores; the caller holds `refreshing`.
    async fn fetch(&self) -> Result<Credentials, CredentialError> {
        let fresh = self.provider.fetch().await?;
        let now = self.clock.unix_seconds();
        check_not_expired(&fresh, now, &self.provider.source())?;
        tracing::info!(
            source = %self.provider.source(),
            expires_at = fresh.expires_at(),
            "credentials refreshed"
        );
        self.store(Held::new(fresh.clone(), now, &self.policy));
        Ok(fresh)
    }
}

/// Credentials that arrive already expired mean the local clock is off (or
/// the source is broken); using them would only be refused, and fetching
/// again at once would hammer the source.
fn check_not_expired(
    credentials: &Credentials,
    now: u64,
    source: &CredentialSource,
) -> Result<(), CredentialError> {
    match credentials.expires_at() {
        Some(expires_at) if now >= expires_at => Err(CredentialError::new(
            CredentialErrorKind::InvalidAnswer,
            format!(
                "{source}: the credentials received expire at {expires_at} (Unix time), which \
                 the local clock says has passed ({now}): check the system clock"
            ),
        )),
        _ => Ok(()),
    }
}
