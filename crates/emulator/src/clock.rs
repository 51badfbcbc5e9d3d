//! The emulator's notion of "now", injectable so tests control time.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time, in milliseconds since the Unix epoch.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    fn now_millis(&self) -> i64;
}

/// The machine's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
        }
    }
}

/// A clock that only moves when told to; clones share the same time.
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    millis: Arc<AtomicI64>,
}

impl ManualClock {
    /// A clock stopped at `unix_seconds`.
    pub fn at(unix_seconds: i64) -> Self {
        Self {
            millis: Arc::new(AtomicI64::new(unix_seconds.saturating_mul(1000))),
        }
    }

    /// Moves the clock forward by `millis` milliseconds.
    pub fn advance_millis(&self, millis: i64) {
        self.millis.fetch_add(millis, Ordering::SeqCst);
    }

    /// Sets the clock to `unix_seconds`.
    pub fn set(&self, unix_seconds: i64) {
        self.millis
            .store(unix_seconds.saturating_mul(1000), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> i64 {
        self.millis.load(Ordering::SeqCst)
    }
}

/// Another clock, off by a fixed amount (`--clock-skew`): a server whose
/// clock is wrong.
#[derive(Debug, Clone)]
pub struct SkewedClock {
    inner: Arc<dyn Clock>,
    offset_millis: i64,
}

impl SkewedClock {
    /// `inner` plus `offset_seconds` (negative: behind).
    pub fn new(inner: Arc<dyn Clock>, offset_seconds: i64) -> Self {
        Self {
            inner,
            offset_millis: offset_seconds.saturating_mul(1000),
        }
    }
}

impl Clock for SkewedClock {
    fn now_millis(&self) -> i64 {
        self.inner.now_millis().saturating_add(self.offset_millis)
    }
}

/// `millis` (Unix milliseconds) as an HTTP date (RFC 9110 §5.6.7), e.g.
/// `Sun, 06 Nov 1994 08:49:37 GMT`, for the `Date` header: the emulator's
/// own clock, so a skewed or manual clock shows in its answers.
pub(crate) fn http_date(millis: i64) -> String {
    // An HTTP date holds the years 1970 to 9999; a clock skewed past them
    // shows the nearest.
    let millis = millis.clamp(0, 253_402_300_799_999);
    let millis = u64::try_from(millis).unwrap_or(0);
    httpdate::fmt_http_date(UNIX_EPOCH + std::time::Duration::from_millis(millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(784_111_777_000), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(http_date(951_782_400_999), "Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(
            http_date(1_800_000_000_000),
            "Fri, 15 Jan 2027 08:00:00 GMT"
        );
    }

    #[test]
    fn a_skewed_clock_is_off_by_its_offset() {
        let base = ManualClock::at(1_000);
        let ahead = SkewedClock::new(Arc::new(base.clone()), 5);
        let behind = SkewedClock::new(Arc::new(base), -7);
        assert_eq!(ahead.now_millis(), 1_005_000);
        assert_eq!(behind.now_millis(), 993_000);
    }
}
