//! The temporary credentials the emulator's identity services issued
//! ([`Identities`]), kept in its state so that the API actions accept them,
//! with their token, until they expire.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tcdn_sign::SecretKey;
use tcdn_sign::tc3;

/// Issued credentials are forgotten this long after they expire (until
/// then, using them is answered "expired", not "unknown").
const FORGET_AFTER_MS: i64 = 24 * 3600 * 1000;

/// One issue of temporary credentials.
struct Issued {
    secret_key: Arc<SecretKey>,
    token: String,
    expires_ms: i64,
}

impl fmt::Debug for Issued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issued")
            .field("expires_ms", &self.expires_ms)
            .finish_non_exhaustive()
    }
}

/// The temporary credentials issued, by `SecretId`.
#[derive(Debug)]
pub(crate) struct Identities {
    issued: HashMap<String, Issued>,
    rng: fastrand::Rng,
}

impl Default for Identities {
    fn default() -> Self {
        Self {
            issued: HashMap::new(),
            // Unseeded: issued keys must not be predictable from the fault
            // seed.
            rng: fastrand::Rng::new(),
        }
    }
}

/// Credentials just issued, to be written into an answer.
pub(crate) struct Fresh {
    pub(crate) secret_id: String,
    pub(crate) secret_key: String,
    pub(crate) token: String,
    pub(crate) expires_s: i64,
}

/// Why temporary credentials are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    /// No token, or another one.
    WrongToken,
    /// Expired at the given Unix second.
    Expired(i64),
}

impl Identities {
    fn text(&mut self, len: usize) -> String {
        (0..len).map(|_| self.rng.alphanumeric()).collect()
    }

    pub(crate) fn issue(&mut self, now_ms: i64, lifetime: Duration) -> Fresh {
        self.issued
            .retain(|_, issued| issued.expires_ms.saturating_add(FORGET_AFTER_MS) > now_ms);
        let secret_id = format!("AKIDtmp{}", self.text(29));
        let secret_key = self.text(32);
        let token = self.text(96);
        let lifetime_ms = i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX);
        let expires_ms = now_ms.saturating_add(lifetime_ms);
        self.issued.insert(
            secret_id.clone(),
            Issued {
                secret_key: Arc::new(SecretKey::new(secret_key.clone())),
                token: token.clone(),
                expires_ms,
            },
        );
        Fresh {
            secret_id,
            secret_key,
            token,
            expires_s: expires_ms.div_euclid(1000),
        }
    }

    /// The key of issued credentials `secret_id`, expired or not (their
    /// token and expiry are checked by [`check`](Self::check)).
    pub(crate) fn key_for(&self, secret_id: &str) -> Option<Arc<SecretKey>> {
        self.issued
            .get(secret_id)
            .map(|issued| Arc::clone(&issued.secret_key))
    }

    /// `None` when `secret_id` was not issued here; otherwise whether
    /// `token` goes with it and it is still valid at `at_ms`.
    pub(crate) fn check(
        &self,
        secret_id: &str,
        token: Option<&str>,
        at_ms: i64,
    ) -> Option<Result<(), TokenProblem>> {
        let issued = self.issued.get(secret_id)?;
        // Constant-time comparison is not needed by a local test server.
        if token != Some(issued.token.as_str()) {
            return Some(Err(TokenProblem::WrongToken));
        }
        if at_ms >= issued.expires_ms {
            return Some(Err(TokenProblem::Expired(
                issued.expires_ms.div_euclid(1000),
            )));
        }
        Some(Ok(()))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.issued.is_empty()
    }
}

impl TokenProblem {
    pub(crate) fn message(&self, secret_id: &str) -> String {
        match self {
            Self::WrongToken => format!(
                "the token is missing or does not belong to the temporary SecretId {secret_id}"
            ),
            Self::Expired(at) => format!(
                "the temporary credentials of SecretId {secret_id} expired at {} (Unix {at})",
                rfc3339(*at)
            ),
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` (UTC), the form of `Expiration`; times outside
/// 1970 to 9999 (which no clock of the emulator gives) are written as the
/// first or last second.
pub(crate) fn rfc3339(unix_s: i64) -> String {
    let unix_s = unix_s.clamp(0, tc3::MAX_TIMESTAMP as i64) as u64;
    let date = tc3::Date::from_days_since_epoch(unix_s / 86_400).expect("clamped to Date's range");
    let secs = unix_s % 86_400;
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiration_is_utc_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(2_000_000_000), "2033-05-18T03:33:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn issued_credentials_need_their_token_and_expire() {
        let mut identities = Identities::default();
        let fresh = identities.issue(1_000_000, Duration::from_secs(60));
        assert_eq!(fresh.expires_s, 1_060);
        let id = fresh.secret_id.as_str();
        assert!(identities.key_for(id).is_some());
        assert_eq!(identities.check("AKIDother", None, 0), None);
        assert_eq!(
            identities.check(id, Some(&fresh.token), 1_059_999),
            Some(Ok(()))
        );
        assert_eq!(
            identities.check(id, Some("forged"), 1_000_000),
            Some(Err(TokenProblem::WrongToken))
        );
        assert_eq!(
            identities.check(id, None, 1_000_000),
            Some(Err(TokenProblem::WrongToken))
        );
        assert_eq!(
            identities.check(id, Some(&fresh.token), 1_060_000),
            Some(Err(TokenProblem::Expired(1_060)))
        );
        // Forgotten a day after expiry, when the next issue tidies up.
        identities.issue(1_060_000 + FORGET_AFTER_MS, Duration::from_secs(60));
        assert!(identities.key_for(id).is_none());
    }
}
