//! When and how often a failed call is tried again: [`RetryPolicy`] and
//! its [`Jitter`].

use std::num::NonZeroU32;
use std::time::Duration;

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
}
