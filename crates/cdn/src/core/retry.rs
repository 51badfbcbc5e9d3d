//! When and how often a failed call is tried again: [`RetryPolicy`] and
//! its [`Jitter`], and the decision after each refused attempt
//! ([`decide`]), pure so that every case is tested without a runtime.

use std::num::NonZeroU32;
use std::time::Duration;

use crate::core::backend::Class;
use crate::error::GaveUp;

/// How the backoff delay is randomised.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Jitter {
    /// "Full jitter": a uniformly random delay between zero and the
    /// exponential cap, which spreads out clients that failed together.
    #[default]
    Full,
    /// Exactly the exponential cap (for tests and reproducible schedules).
    None,
}

/// When and how often a failed call is tried again.
///
/// Delays grow exponentially: the cap before attempt *n + 1* is
/// `min(max_delay, base_delay × 2^(n−1))`, and with [`Jitter::Full`] the
/// delay is uniformly random below it. A call stops at `max_attempts`, or
/// when the next attempt would start after `total_deadline` (measured from
/// the first attempt; each attempt's own timeout is also cut to fit).
///
/// Defaults: 5 attempts, 1 s base, 30 s cap, 5 min deadline, full jitter.
///
/// ```
/// use std::time::Duration;
/// use tcdn::{retry::Jitter, RetryPolicy};
///
/// let policy = RetryPolicy::default().with_retries(2).with_jitter(Jitter::None);
/// assert_eq!(policy.max_attempts().get(), 3);
/// assert_eq!(policy.backoff_cap(1), Duration::from_secs(1));
/// assert_eq!(policy.backoff_cap(3), Duration::from_secs(4));
/// assert_eq!(policy.backoff_cap(30), Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RetryPolicy {
    max_attempts: NonZeroU32,
    base_delay: Duration,
    max_delay: Duration,
    total_deadline: Option<Duration>,
    jitter: Jitter,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN),
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            total_deadline: Some(Duration::from_secs(300)),
            jitter: Jitter::Full,
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries.
    pub fn no_retries() -> Self {
        Self::default().with_max_attempts(NonZeroU32::MIN)
    }

    /// At most `attempts` attempts in all.
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: NonZeroU32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// At most `retries` retries after the first attempt (the CLI's
    /// `--retries`).
    #[must_use]
    pub fn with_retries(self, retries: u32) -> Self {
        let attempts = NonZeroU32::MIN.saturating_add(retries);
        self.with_max_attempts(attempts)
    }

    /// The first backoff's cap.
    #[must_use]
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The largest backoff.
    #[must_use]
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The time budget of a call from its first attempt (`None`: no limit
    /// beyond the attempts).
    #[must_use]
    pub fn with_total_deadline(mut self, deadline: Option<Duration>) -> Self {
        self.total_deadline = deadline;
        self
    }

    /// The jitter.
    #[must_use]
    pub fn with_jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// Attempts in all.
    pub fn max_attempts(&self) -> NonZeroU32 {
        self.max_attempts
    }

    /// The total deadline.
    pub fn total_deadline(&self) -> Option<Duration> {
        self.total_deadline
    }

    /// The backoff cap after the `failed_attempts`-th failure (1-based).
    pub fn backoff_cap(&self, failed_attempts: u32) -> Duration {
        let doublings = failed_attempts.saturating_sub(1).min(31);
        self.base_delay
            .saturating_mul(1u32 << doublings)
            .min(self.max_delay)
    }

    /// The delay after the `failed_attempts`-th failure, jittered with `rng`.
    pub(crate) fn backoff(&self, failed_attempts: u32, rng: &mut fastrand::Rng) -> Duration {
        let cap = self.backoff_cap(failed_attempts);
        match self.jitter {
            Jitter::None => cap,
            Jitter::Full => {
                let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
                Duration::from_nanos(rng.u64(0..=nanos))
            }
        }
    }
}

/// What the retry decision reads of a call so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Attempts made, the refused one included.
    pub(crate) attempts: u32,
    /// Rate-limit refusals that cost no attempt.
    pub(crate) free: u32,
    /// Attempts allowed in all.
    pub(crate) max_attempts: u32,
    /// Whether the one freshly signed retry of a [`Class::RetryOnce`] was
    /// used.
    pub(crate) fresh_nonce_used: bool,
    /// Whether the one refresh of credentials that expired in flight was
    /// used.
    pub(crate) refresh_used: bool,
    /// Whether the pacer adapts to rate-limit refusals and a deadline bounds
    /// the call, so that such a refusal is the pacer's to absorb and not the
    /// attempt budget's.
    pub(crate) pacing_absorbs_rate_limits: bool,
}

impl Tally {
    /// Attempts that count against [`max_attempts`](Self::max_attempts).
    pub(crate) fn counted(&self) -> u32 {
        self.attempts.saturating_sub(self.free)
    }
}

/// What to do after a refused attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Fetch new credentials and try again, once: the temporary ones used
    /// expired in flight.
    Refresh,
    /// Try again after a backoff; `fresh_nonce` uses the one freshly signed
    /// retry, `free` costs no attempt (a rate limit the pacer absorbs).
    Retry {
        /// This retry is the one a [`Class::RetryOnce`] allows.
        fresh_nonce: bool,
        /// This refusal does not count against the attempts.
        free: bool,
    },
    /// Stop, for this reason.
    GiveUp(GaveUp),
}

/// What to do after an attempt refused as `class`; `expired_in_flight` says
/// whether the temporary credentials it was signed with had expired by the
/// time the refusal came (a refused token, or a clock refusal past their
/// expiry).
pub(crate) fn decide(class: Class, expired_in_flight: bool, tally: &Tally) -> Next {
    if expired_in_flight && !tally.refresh_used {
        return if tally.attempts >= tally.max_attempts {
            Next::GiveUp(GaveUp::AttemptsExhausted)
        } else {
            Next::Refresh
        };
    }
    let (retry, fresh_nonce) = match class {
        Class::RetryOnce => (!tally.fresh_nonce_used, true),
        class => (class.is_retryable(), false),
    };
    if !retry {
        return Next::GiveUp(GaveUp::NotRetryable);
    }
    let free = class == Class::RateLimited && tally.pacing_absorbs_rate_limits;
    if tally.counted().saturating_sub(u32::from(free)) >= tally.max_attempts {
        return Next::GiveUp(GaveUp::AttemptsExhausted);
    }
    Next::Retry { fresh_nonce, free }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_jitter_stays_below_the_cap() {
        let policy = RetryPolicy::default();
        let mut rng = fastrand::Rng::with_seed(7);
        for attempt in 1..10 {
            let delay = policy.backoff(attempt, &mut rng);
            assert!(delay <= policy.backoff_cap(attempt));
        }
    }

    fn tally(attempts: u32) -> Tally {
        Tally {
            attempts,
            free: 0,
            max_attempts: 3,
            fresh_nonce_used: false,
            refresh_used: false,
            pacing_absorbs_rate_limits: false,
        }
    }

    #[test]
    fn retryable_classes_retry_until_the_attempts_are_spent() {
        let retry = Next::Retry {
            fresh_nonce: false,
            free: false,
        };
        assert_eq!(decide(Class::Retryable, false, &tally(1)), retry);
        assert_eq!(decide(Class::RateLimited, false, &tally(2)), retry);
        assert_eq!(
            decide(Class::Retryable, false, &tally(3)),
            Next::GiveUp(GaveUp::AttemptsExhausted)
        );
        for class in [
            Class::Permanent,
            Class::DailyQuotaExhausted,
            Class::Clock,
            Class::CredentialsRefused,
        ] {
            assert_eq!(
                decide(class, false, &tally(1)),
                Next::GiveUp(GaveUp::NotRetryable)
            );
        }
    }

    #[test]
    fn a_fresh_nonce_is_tried_once() {
        assert_eq!(
            decide(Class::RetryOnce, false, &tally(1)),
            Next::Retry {
                fresh_nonce: true,
                free: false
            }
        );
        let used = Tally {
            fresh_nonce_used: true,
            ..tally(2)
        };
        assert_eq!(
            decide(Class::RetryOnce, false, &used),
            Next::GiveUp(GaveUp::NotRetryable)
        );
    }

    #[test]
    fn credentials_that_expired_in_flight_are_refreshed_once() {
        assert_eq!(
            decide(Class::CredentialsRefused, true, &tally(1)),
            Next::Refresh
        );
        assert_eq!(decide(Class::Clock, true, &tally(1)), Next::Refresh);
        assert_eq!(
            decide(Class::Clock, true, &tally(3)),
            Next::GiveUp(GaveUp::AttemptsExhausted)
        );
        let refreshed = Tally {
            refresh_used: true,
            ..tally(2)
        };
        assert_eq!(
            decide(Class::CredentialsRefused, true, &refreshed),
            Next::GiveUp(GaveUp::NotRetryable)
        );
    }

    #[test]
    fn rate_limits_the_pacer_absorbs_cost_no_attempt() {
        let paced = Tally {
            pacing_absorbs_rate_limits: true,
            free: 5,
            ..tally(7)
        };
        assert_eq!(
            decide(Class::RateLimited, false, &paced),
            Next::Retry {
                fresh_nonce: false,
                free: true
            }
        );
        // Other refusals still count the attempts the rate limits did not.
        assert_eq!(
            decide(Class::Retryable, false, &paced),
            Next::Retry {
                fresh_nonce: false,
                free: false
            }
        );
        let spent = Tally { free: 4, ..paced };
        assert_eq!(
            decide(Class::Retryable, false, &spent),
            Next::GiveUp(GaveUp::AttemptsExhausted)
        );
    }
}
