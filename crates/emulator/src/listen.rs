//! What guards the accept loop and each connection: a source of connections
//! that tests can replace, back-off when `accept()` fails, and the activity
//! tracking behind the idle timeout.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// A source of incoming connections: a [`TcpListener`], or in tests one
/// that fails on demand.
pub(crate) trait Accept: Send {
    /// The connection's byte stream.
    type Io: AsyncRead + AsyncWrite + Unpin + Send + 'static;

    /// The next connection, or the error `accept()` met.
    fn accept(&mut self) -> impl Future<Output = io::Result<(Self::Io, SocketAddr)>> + Send;
}

impl Accept for TcpListener {
    type Io = TcpStream;

    fn accept(&mut self) -> impl Future<Output = io::Result<(TcpStream, SocketAddr)>> + Send {
        TcpListener::accept(self)
    }
}

/// The first pause after a failed `accept()`; it doubles up to [`MAX_PAUSE`].
pub(crate) const FIRST_PAUSE: Duration = Duration::from_millis(5);
/// The longest pause between failed `accept()` calls.
pub(crate) const MAX_PAUSE: Duration = Duration::from_secs(1);
/// At most one warning about failed `accept()` calls per this period.
pub(crate) const WARN_EVERY: Duration = Duration::from_secs(10);

/// How long to pause after a failed `accept()`, and when to say so.
///
/// Running out of file descriptors makes `accept()` fail at once, again and
/// again, while the pending connection stays queued: without a pause the
/// loop spins on one core and floods the log.
#[derive(Debug, Default)]
pub(crate) struct AcceptBackoff {
    failures: u32,
    last_warning: Option<Instant>,
    unreported: u64,
}

/// What to do after one failed `accept()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AfterFailure {
    /// Pause this long before accepting again.
    pub(crate) pause: Duration,
    /// Warn now, counting this failure and those not reported before it.
    pub(crate) warn: Option<u64>,
}

impl AcceptBackoff {
    pub(crate) fn failed(&mut self, now: Instant) -> AfterFailure {
        let pause = FIRST_PAUSE
            .saturating_mul(1 << self.failures.min(16))
            .min(MAX_PAUSE);
        self.failures = self.failures.saturating_add(1);
        self.unreported += 1;
        let due = self
            .last_warning
            .is_none_or(|last| now.saturating_duration_since(last) >= WARN_EVERY);
        let warn = due.then(|| {
            self.last_warning = Some(now);
            std::mem::take(&mut self.unreported)
        });
        AfterFailure { pause, warn }
    }

    pub(crate) fn succeeded(&mut self) {
        self.failures = 0;
    }
}

/// When a connection last moved a byte, and how many of its requests are
/// being handled; behind the idle timeout.
#[derive(Debug)]
pub(crate) struct Activity {
    start: Instant,
    last_ms: AtomicU64,
    busy: AtomicUsize,
}

impl Activity {
    pub(crate) fn new() -> Self {
        Self {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            busy: AtomicUsize::new(0),
        }
    }

    fn touch(&self) {
        let elapsed = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.fetch_max(elapsed, Ordering::Relaxed);
    }

    /// When the connection becomes idle for `timeout` if nothing moves.
    pub(crate) fn deadline(&self, timeout: Duration) -> Instant {
        self.start + Duration::from_millis(self.last_ms.load(Ordering::Relaxed)) + timeout
    }

    /// Whether nothing moved for `timeout` and no request is being handled.
    pub(crate) fn is_idle(&self, timeout: Duration) -> bool {
        self.busy.load(Ordering::Relaxed) == 0 && Instant::now() >= self.deadline(timeout)
    }

    /// When to look again after finding the connection not idle at `now`:
    /// at the deadline, or, when a request has kept it busy past the
    /// deadline, one `timeout` later (so an idle connection is closed within
    /// one to two timeouts, and a long request is not polled in a loop).
    pub(crate) fn next_check(&self, timeout: Duration, now: Instant) -> Instant {
        let deadline = self.deadline(timeout);
        if deadline > now {
            deadline
        } else {
            now + timeout
        }
    }

    /// Marks a request as being handled until the guard is dropped.
    pub(crate) fn busy(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::Relaxed);
        Busy(Arc::clone(self))
    }
}

/// A request being handled; see [`Activity::busy`].
#[derive(Debug)]
pub(crate) struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.touch();
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A byte stream that reports every byte moved to an [`Activity`].
#[derive(Debug)]
pub(crate) struct Tracked<I> {
    inner: I,
    activity: Arc<Activity>,
}

impl<I> Tracked<I> {
    pub(crate) fn new(inner: I, activity: Arc<Activity>) -> Self {
        Self { inner, activity }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Tracked<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Tracked<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_a_second_and_reset_on_success() {
        let now = Instant::now();
        let mut backoff = AcceptBackoff::default();
        let pauses: Vec<u128> = (0..10)
            .map(|_| backoff.failed(now).pause.as_millis())
            .collect();
        assert_eq!(pauses, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        backoff.succeeded();
        assert_eq!(backoff.failed(now).pause, FIRST_PAUSE);
    }

    #[tokio::test(start_paused = true)]
    async fn a_busy_connection_past_its_deadline_is_looked_at_once_per_period() {
        let timeout = Duration::from_secs(1);
        let activity = Arc::new(Activity::new());
        let start = Instant::now();
        assert_eq!(activity.next_check(timeout, start), start + timeout);
        let busy = activity.busy();
        tokio::time::advance(Duration::from_millis(2500)).await;
        let now = Instant::now();
        assert!(!activity.is_idle(timeout), "busy is not idle");
        assert_eq!(activity.next_check(timeout, now), now + timeout);
        drop(busy);
        assert!(!activity.is_idle(timeout), "the answer just moved");
        assert_eq!(activity.next_check(timeout, now), now + timeout);
        tokio::time::advance(timeout).await;
        assert!(activity.is_idle(timeout));
    }

    #[test]
    fn warnings_come_at_most_once_per_period_and_count_what_they_skipped() {
        let start = Instant::now();
        let mut backoff = AcceptBackoff::default();
        assert_eq!(backoff.failed(start).warn, Some(1));
        for i in 1..=99 {
            let at = start + Duration::from_millis(i * 50);
            assert_eq!(backoff.failed(at).warn, None, "failure {i}");
        }
        assert_eq!(backoff.failed(start + WARN_EVERY).warn, Some(100));
        assert_eq!(backoff.failed(start + WARN_EVERY).warn, None);
    }
}
