//! [`RetryPolicy`] and the sliding-window pacer.

use std::collections::VecDeque;
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
/// use tcdn::{Jitter, RetryPolicy};
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

/// The safety margin added to the 60 s window: network latency varies, so
/// the server may see two sends 60 s apart as closer than that.
pub const PACING_MARGIN: Duration = Duration::from_secs(1);

/// The server's rate-limit window.
pub const RATE_WINDOW: Duration = Duration::from_secs(60);

/// Paces sends so that no window of [`RATE_WINDOW`] + [`PACING_MARGIN`]
/// holds more than `limit` of them: the *k*-th send is no earlier than the
/// (*k − limit*)-th plus the window. Unlike a token bucket this never
/// bursts past the server's sliding-window count.
#[derive(Debug)]
pub(crate) struct Pacer {
    limit: usize,
    window: Duration,
    /// The last `limit` reserved send times, in order.
    times: VecDeque<Duration>,
}

impl Pacer {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            limit,
            window: RATE_WINDOW + PACING_MARGIN,
            times: VecDeque::with_capacity(limit),
        }
    }

    /// Reserves the earliest send time at or after `now` (a monotonic
    /// reading) and returns it.
    pub(crate) fn reserve(&mut self, now: Duration) -> Duration {
        let mut at = now.max(self.times.back().copied().unwrap_or_default());
        if self.times.len() >= self.limit
            && let Some(&oldest) = self.times.get(self.times.len() - self.limit)
        {
            at = at.max(oldest + self.window);
        }
        self.times.push_back(at);
        while self.times.len() > self.limit {
            self.times.pop_front();
        }
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pacer_lets_a_full_window_through_then_waits_for_the_oldest() {
        let mut pacer = Pacer::new(3);
        let got: Vec<u64> = (0..7)
            .map(|_| pacer.reserve(Duration::ZERO).as_secs())
            .collect();
        assert_eq!(got, [0, 0, 0, 61, 61, 61, 122]);
    }

    #[test]
    fn full_jitter_stays_below_the_cap() {
        let policy = RetryPolicy::default();
        let mut rng = fastrand::Rng::with_seed(7);
        for attempt in 1..10 {
            let delay = policy.backoff(attempt, &mut rng);
            assert!(delay <= policy.backoff_cap(attempt));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Whatever the arrival pattern, no window of 60 s + margin ever
        /// holds more than `limit` reserved sends, and reservations never go
        /// back in time.
        #[test]
        fn no_window_exceeds_the_limit(
            limit in 1usize..8,
            gaps_ms in proptest::collection::vec(0u64..30_000, 1..60),
        ) {
            let mut pacer = Pacer::new(limit);
            let mut now = Duration::ZERO;
            let mut sent = Vec::new();
            for gap in gaps_ms {
                now += Duration::from_millis(gap);
                let at = pacer.reserve(now);
                prop_assert!(at >= now);
                if let Some(&last) = sent.last() {
                    prop_assert!(at >= last);
                }
                sent.push(at);
            }
            for (i, &start) in sent.iter().enumerate() {
                let in_window = sent[i..]
                    .iter()
                    .take_while(|&&t| t < start + RATE_WINDOW + PACING_MARGIN)
                    .count();
                prop_assert!(in_window <= limit, "{in_window} sends within a window from {start:?}");
            }
        }
    }
}
