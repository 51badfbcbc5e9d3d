//! Deterministic test doubles (feature `test-util`): a [`ManualClock`] that
//! moves only when told to, a [`ManualSleeper`] that advances it instead of
//! waiting, [`SequentialNonces`], and the transport's [`mock`]s, so tests of
//! code built on tcdn need no other crate.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;

use crate::clock::{Clock, Sleeper};

/// The transport's test doubles: a scripted transport, a transport from a
/// closure, and one that never answers.
pub use tcdn_transport::mock;

/// A clock that moves only when told to (or when a [`ManualSleeper`] sleeps
/// on it). Clones share the same time.
///
/// ```
/// use std::time::Duration;
/// use tcdn::{clock::Clock, test_util::ManualClock};
///
/// let clock = ManualClock::new(1_700_000_000);
/// clock.advance(Duration::from_millis(1500));
/// assert_eq!(clock.unix_seconds(), 1_700_000_001);
/// assert_eq!(clock.monotonic(), Duration::from_millis(1500));
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock {
    start_unix: u64,
    elapsed_nanos: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock at Unix time `start_unix` with monotonic reading zero.
    pub fn new(start_unix: u64) -> Self {
        Self {
            start_unix,
            elapsed_nanos: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Moves time forward by `by`.
    pub fn advance(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.elapsed_nanos.fetch_add(nanos, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn unix_seconds(&self) -> u64 {
        self.start_unix + self.monotonic().as_secs()
    }

    fn monotonic(&self) -> Duration {
        Duration::from_nanos(self.elapsed_nanos.load(Ordering::SeqCst))
    }
}

/// A sleeper that does not wait: it records each requested duration,
/// advances its [`ManualClock`] by it, and yields to other tasks once.
///
/// Clones share the record and the clock.
#[derive(Debug, Clone)]
pub struct ManualSleeper {
    clock: ManualClock,
    sleeps: Arc<Mutex<Vec<Duration>>>,
}

impl ManualSleeper {
    /// A sleeper that advances `clock`.
    pub fn new(clock: ManualClock) -> Self {
        Self {
            clock,
            sleeps: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Every duration slept so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The sum of the durations slept so far.
    pub fn total_slept(&self) -> Duration {
        self.sleeps().iter().sum()
    }
}

#[async_trait]
impl Sleeper for ManualSleeper {
    async fn sleep(&self, duration: Duration) {
        self.sleeps
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(duration);
        self.clock.advance(duration);
        tokio::task::yield_now().await;
    }
}

/// Nonces `start`, `start + 1`, ... (the library's own, re-exported here
/// with the other doubles).
pub use crate::nonce::SequentialNonces;
