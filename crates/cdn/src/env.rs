//! The client's injectable environment: [`Clock`], [`NonceSource`] and
//! [`Sleeper`], their production implementations, and deterministic test
//! doubles ([`ManualClock`], [`ManualSleeper`], [`SequentialNonces`]).

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;

/// The `Nonce` parameter: a positive integer in `1..=u32::MAX`.
///
/// The documentation asks for "a random positive integer" ("UInt") and
/// publishes no upper bound (api-facts §1.2, \[U\]). The legacy Python SDK
/// draws up to 2^63 − 1 and the PHP sample uses `rand()` (up to 2^31 − 1);
/// we stay within the documented "UInt" type, 1 to 4294967295, which any
/// server integer type holds. Zero is excluded because it is not positive.
///
/// ```
/// use tcdn::Nonce;
/// let nonce: Nonce = "12345".parse()?;
/// assert_eq!(nonce.get(), 12345);
/// assert!("0".parse::<Nonce>().is_err());
/// assert!("4294967296".parse::<Nonce>().is_err());
/// # Ok::<(), tcdn::NonceError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nonce(NonZeroU32);

impl Nonce {
    /// The smallest nonce, 1.
    pub const MIN: Self = Self(NonZeroU32::MIN);
    /// The largest nonce, 4294967295.
    pub const MAX: Self = Self(NonZeroU32::MAX);

    /// A nonce from a value; `None` for zero.
    pub const fn new(value: u32) -> Option<Self> {
        match NonZeroU32::new(value) {
            Some(value) => Some(Self(value)),
            None => None,
        }
    }

    /// The value.
    pub const fn get(self) -> u32 {
        self.0.get()
    }
}

impl fmt::Display for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for Nonce {
    type Err = NonceError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.parse::<u32>()
            .ok()
            .and_then(Self::new)
            .ok_or_else(|| NonceError {
                text: text.chars().take(40).collect(),
            })
    }
}

/// A text that is not a nonce (an integer from 1 to 4294967295).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonceError {
    text: String,
}

impl NonceError {
    /// The kind of problem (there is one).
    pub fn kind(&self) -> NonceErrorKind {
        NonceErrorKind::OutOfRange
    }
}

/// The kind of a [`NonceError`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NonceErrorKind {
    /// Not an integer from 1 to 4294967295.
    OutOfRange,
}

impl fmt::Display for NonceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "nonce {:?} is not valid: it must be an integer from 1 to {}",
            self.text,
            u32::MAX
        )
    }
}

impl std::error::Error for NonceError {}

/// Time as the client needs it: Unix seconds for the `Timestamp` parameter,
/// and a monotonic reading for pacing and deadlines.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Seconds since the Unix epoch (the `Timestamp` parameter).
    fn unix_seconds(&self) -> u64;
    /// A monotonic reading: time elapsed since some fixed origin. Only
    /// differences between readings are meaningful.
    fn monotonic(&self) -> Duration;
}

/// Produces a fresh [`Nonce`] for each signed attempt.
pub trait NonceSource: Send + Sync + fmt::Debug {
    /// The next nonce.
    fn next_nonce(&self) -> Nonce;
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

/// Uniformly random nonces in `1..=u32::MAX` from `fastrand` (a fast,
/// non-cryptographic generator seeded from the OS; a nonce must be
/// unpredictable enough to be unique, not secret).
#[derive(Debug, Default)]
pub struct RandomNonces {
    _private: (),
}

impl RandomNonces {
    /// The default source.
    pub fn new() -> Self {
        Self::default()
    }
}

impl NonceSource for RandomNonces {
    fn next_nonce(&self) -> Nonce {
        Nonce(NonZeroU32::new(fastrand::u32(1..=u32::MAX)).unwrap_or(NonZeroU32::MIN))
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

/// A clock that moves only when told to (or when a [`ManualSleeper`] sleeps
/// on it). Clones share the same time.
///
/// ```
/// use std::time::Duration;
/// use tcdn::{Clock, ManualClock};
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

/// Nonces `start`, `start + 1`, ... (wrapping from `u32::MAX` to 1).
#[derive(Debug)]
pub struct SequentialNonces {
    next: AtomicU32,
}

impl SequentialNonces {
    /// Starts at `start`.
    pub fn new(start: Nonce) -> Self {
        Self {
            next: AtomicU32::new(start.get()),
        }
    }
}

impl NonceSource for SequentialNonces {
    fn next_nonce(&self) -> Nonce {
        let value = self
            .next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                Some(n.checked_add(1).unwrap_or(1))
            })
            .unwrap_or(1);
        Nonce::new(value).unwrap_or(Nonce::MIN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_nonces_are_in_range_and_vary() {
        let source = RandomNonces::new();
        let nonces: std::collections::HashSet<u32> =
            (0..64).map(|_| source.next_nonce().get()).collect();
        assert!(nonces.len() > 60);
        assert!(!nonces.contains(&0));
    }

    #[test]
    fn sequential_nonces_count_up_and_skip_zero() {
        let source = SequentialNonces::new(Nonce::new(u32::MAX - 1).unwrap());
        let got: Vec<u32> = (0..3).map(|_| source.next_nonce().get()).collect();
        assert_eq!(got, [u32::MAX - 1, u32::MAX, 1]);
    }
}
