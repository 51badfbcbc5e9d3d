//! Time as the client sees it: the [`Clock`] (Unix seconds for signatures, a
//! monotonic reading for pacing and deadlines) and the [`Sleeper`] that
//! waits (backoff, pacing, timeouts), with their production implementations
//! [`SystemClock`] and [`TokioSleeper`]. Deterministic doubles for tests are
//! in `test_util` (feature `test-util`).

use std::fmt;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;

/// Time as the client needs it: Unix seconds for the `Timestamp` parameter,
/// and a monotonic reading for pacing and deadlines.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Seconds since the Unix epoch (the `Timestamp` parameter).
    fn unix_seconds(&self) -> u64;
    /// A monotonic reading: time elapsed since some fixed origin. Only
    /// differences between readings are meaningful.
    fn monotonic(&self) -> Duration;
}

/// Waits, asynchronously (backoff, pacing, per-attempt timeouts).
#[async_trait]
pub trait Sleeper: Send + Sync + fmt::Debug {
    /// Completes after `duration`.
    async fn sleep(&self, duration: Duration);
}

/// The system clock: [`SystemTime`] and [`Instant`].
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    /// A clock whose monotonic origin is now.
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn unix_seconds(&self) -> u64 {
        // A clock before 1970 is reported as 0; the server then answers 4500
        // and the client says the local clock is off.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs())
    }

    fn monotonic(&self) -> Duration {
        self.origin.elapsed()
    }
}

/// Sleeps with `tokio::time::sleep` (so `tokio::time::pause` applies).
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioSleeper;

#[async_trait]
impl Sleeper for TokioSleeper {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}
