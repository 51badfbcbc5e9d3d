//! Pacing: every HTTP request, retries and lookups included, waits for a
//! slot under the rate limit the server counts. Each API names its windows:
//! API 2.0 counts one 60 s window for every call; a backend may count per
//! action (a key per action), each with its own sliding window.
//!
//! The limit adapts: a rate-limit refusal under a key halves that key's
//! limit for the next window (the server counts less than the client was
//! told, or other clients share the account's window), and each window
//! without a refusal after that gives one send per window back, up to the
//! configured limit.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

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
    /// The limit in force now.
    limit: usize,
    /// The configured limit, which `limit` grows back to.
    ceiling: usize,
    /// When the limit was last cut, and when it last grew since.
    cut_at: Option<Duration>,
    grown_at: Duration,
    window: Duration,
    /// The reserved send times that can still hold a later send back, in
    /// order: at most the last `limit`, and none a whole window before the
    /// latest. So memory follows the sends of one window, not the limit.
    times: VecDeque<Duration>,
}

impl Pacer {
    /// At most `limit` sends in any `window`.
    pub(crate) fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit,
            ceiling: limit,
            cut_at: None,
            grown_at: Duration::ZERO,
            window,
            // Grown as sends are reserved: a huge limit reserves nothing up front.
            times: VecDeque::new(),
        }
    }

    /// The limit in force.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// The server refused a send under this limit at `now`: halves the
    /// limit (at least one send per window), once per window, since the
    /// refusals of sends already in flight tell nothing new.
    pub(crate) fn slow_down(&mut self, now: Duration) {
        if self.cut_at.is_some_and(|cut| now < cut + self.window) {
            return;
        }
        self.limit = (self.limit / 2).max(1);
        self.cut_at = Some(now);
        self.grown_at = now;
    }

    /// Gives back one send per whole window since the last cut or growth.
    fn grow_back(&mut self, now: Duration) {
        if self.limit >= self.ceiling || self.cut_at.is_none() {
            return;
        }
        let windows = now.saturating_sub(self.grown_at).as_nanos() / self.window.as_nanos().max(1);
        if windows > 0 {
            let windows = usize::try_from(windows).unwrap_or(usize::MAX);
            self.limit = self.limit.saturating_add(windows).min(self.ceiling);
            self.grown_at = now;
        }
    }

    /// Reserves the earliest send time at or after `now` (a monotonic
    /// reading) and returns it.
    pub(crate) fn reserve(&mut self, now: Duration) -> Duration {
        self.grow_back(now);
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
        // Reservations never go back in time, so a send a whole window
        // before this one can never hold a later one back.
        while self
            .times
            .front()
            .is_some_and(|&oldest| oldest + self.window <= at)
        {
            self.times.pop_front();
        }
        at
    }
}

/// The pacers of one client: one [`Pacer`] per key the backend names (API
/// 2.0: one for all calls), each allowing `limit` sends per `window`.
#[derive(Debug)]
pub(crate) struct Pacing {
    limit: usize,
    window: Duration,
    pacers: Mutex<HashMap<&'static str, Pacer>>,
}

impl Pacing {
    /// `limit` sends per `window` for each key; `None` when `limit` is 0
    /// (pacing off).
    pub(crate) fn new(limit: usize, window: Duration) -> Option<Self> {
        (limit > 0).then(|| Self {
            limit,
            window,
            pacers: Mutex::new(HashMap::new()),
        })
    }

    /// Reserves the earliest send time at or after `now` under `key`'s window.
    pub(crate) fn reserve(&self, key: &'static str, now: Duration) -> Duration {
        self.pacers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_insert_with(|| Pacer::new(self.limit, self.window))
            .reserve(now)
    }

    /// The server refused a send under `key` as over its rate at `now`:
    /// that key's limit is halved for the next window.
    pub(crate) fn slow_down(&self, key: &'static str, now: Duration) {
        let mut pacers = self.pacers.lock().unwrap_or_else(PoisonError::into_inner);
        let pacer = pacers
            .entry(key)
            .or_insert_with(|| Pacer::new(self.limit, self.window));
        pacer.slow_down(now);
        tracing::info!(
            key,
            limit = pacer.limit(),
            "rate limited: sending at most this many per window for now"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const WINDOW: Duration = Duration::from_secs(RATE_WINDOW.as_secs() + PACING_MARGIN.as_secs());

    #[test]
    fn pacer_lets_a_full_window_through_then_waits_for_the_oldest() {
        let mut pacer = Pacer::new(3, WINDOW);
        let got: Vec<u64> = (0..7)
            .map(|_| pacer.reserve(Duration::ZERO).as_secs())
            .collect();
        assert_eq!(got, [0, 0, 0, 61, 61, 61, 122]);
    }

    /// `--rate-limit 4000000000`: nothing is reserved up front for the
    /// limit, and what is kept follows the sends of one window.
    #[test]
    fn a_huge_limit_keeps_only_the_sends_of_one_window() {
        let huge = crate::core::backend::RateWindow {
            window: RATE_WINDOW,
            margin: PACING_MARGIN,
        }
        .limit(4_000_000_000);
        assert!(huge >= 4_000_000_000);
        let mut pacer = Pacer::new(huge, WINDOW);
        assert_eq!(pacer.times.capacity(), 0);
        for _ in 0..5 {
            assert_eq!(pacer.reserve(Duration::ZERO), Duration::ZERO);
        }
        assert!(pacer.times.capacity() < 64, "{}", pacer.times.capacity());
        // A send every second for an hour: never held back, and only the
        // last window's sends are kept.
        for second in 61..3600 {
            let now = Duration::from_secs(second);
            assert_eq!(pacer.reserve(now), now);
            assert!(pacer.times.len() <= 61, "{}", pacer.times.len());
        }
        assert!(pacer.times.capacity() < 256, "{}", pacer.times.capacity());
    }

    #[test]
    fn keys_have_windows_of_their_own() {
        let pacing = Pacing::new(1, Duration::from_secs(1)).unwrap();
        assert_eq!(pacing.reserve("A", Duration::ZERO), Duration::ZERO);
        assert_eq!(pacing.reserve("B", Duration::ZERO), Duration::ZERO);
        assert_eq!(pacing.reserve("A", Duration::ZERO), Duration::from_secs(1));
        assert!(Pacing::new(0, WINDOW).is_none());
    }

    /// A refusal halves the limit (once per window, however many sends
    /// were refused in it), and each clean window after it gives one send
    /// back, up to the configured limit.
    #[test]
    fn a_refusal_halves_the_limit_and_it_grows_back() {
        let second = Duration::from_secs(1);
        let mut pacer = Pacer::new(20, second);
        pacer.slow_down(Duration::ZERO);
        assert_eq!(pacer.limit(), 10);
        pacer.slow_down(Duration::from_millis(500));
        assert_eq!(pacer.limit(), 10, "one cut per window");
        pacer.slow_down(Duration::from_millis(1000));
        assert_eq!(pacer.limit(), 5);
        // Five sends go at once, the sixth waits a window.
        let at: Vec<Duration> = (0..6)
            .map(|_| pacer.reserve(Duration::from_millis(1000)))
            .collect();
        assert_eq!(at[4], Duration::from_millis(1000));
        assert_eq!(at[5], Duration::from_millis(2000));
        pacer.reserve(Duration::from_millis(4000));
        assert_eq!(pacer.limit(), 8, "three clean windows give three back");
        pacer.reserve(Duration::from_secs(60));
        assert_eq!(pacer.limit(), 20, "never past the configured limit");
        let mut untouched = Pacer::new(20, second);
        untouched.reserve(Duration::from_secs(60));
        assert_eq!(untouched.limit(), 20);
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
            let mut pacer = Pacer::new(limit, WINDOW);
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
                    .take_while(|&&t| t < start + WINDOW)
                    .count();
                prop_assert!(in_window <= limit, "{in_window} sends within a window from {start:?}");
            }
        }
    }
}
