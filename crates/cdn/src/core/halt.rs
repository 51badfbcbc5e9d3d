//! Why a submission stops starting requests before its plan is done: the
//! caller interrupted it ([`Cancel`]), a daily quota was found used up, or
//! the endpoint kept refusing connections or kept silent past the timeout.
//! One [`Halt`] is shared by the calls of a submission.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::cancel::Cancel;
use crate::error::NotSentReason;

/// Consecutive attempts that could not reach the server or got no answer
/// within the timeout, across batches (lookups included), after which a
/// submission stops: the endpoint is taken for dead.
pub(crate) const DEAD_ENDPOINT_STREAK: u32 = 5;

/// The stop state of one submission.
#[derive(Debug, Default)]
pub(crate) struct Halt {
    /// The caller's handle.
    interrupt: Cancel,
    /// Fired by the submission itself (quota, dead endpoint).
    stop: Cancel,
    /// Why `stop` fired (the first reason wins).
    reason: Mutex<Option<NotSentReason>>,
    /// Fired when the grace after an interrupt is over: requests still
    /// waiting for an answer are given up.
    abandon: Cancel,
    /// Attempts in a row that reached no server or got no answer in time.
    unreachable_streak: AtomicU32,
}

impl Halt {
    /// Stops when `interrupt` is cancelled, or on its own.
    pub(crate) fn new(interrupt: Cancel) -> Self {
        Self {
            interrupt,
            ..Self::default()
        }
    }

    /// The caller's handle.
    pub(crate) fn interrupt(&self) -> &Cancel {
        &self.interrupt
    }

    /// Why no new request may start, if none may.
    pub(crate) fn reason(&self) -> Option<NotSentReason> {
        if self.interrupt.is_cancelled() {
            return Some(NotSentReason::Interrupted);
        }
        if self.stop.is_cancelled() {
            return *self.reason.lock().unwrap_or_else(PoisonError::into_inner);
        }
        None
    }

    /// Stops the submission for `reason` (unless it already stopped).
    pub(crate) fn stop_for(&self, reason: NotSentReason) {
        let mut slot = self.reason.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            tracing::warn!(%reason, "stopping: the remaining URLs are not sent");
            *slot = Some(reason);
        }
        drop(slot);
        self.stop.cancel();
    }

    /// Completes once the submission stops for any reason.
    pub(crate) async fn stopped(&self) {
        tokio::select! {
            () = self.interrupt.cancelled() => {}
            () = self.stop.cancelled() => {}
        }
    }

    /// Gives up the requests still waiting for an answer.
    pub(crate) fn abandon(&self) {
        self.abandon.cancel();
    }

    /// Completes once the requests in flight are given up.
    pub(crate) async fn abandoned(&self) {
        self.abandon.cancelled().await;
    }

    /// An attempt reached no server (a refused connection, a connect
    /// timeout); after [`DEAD_ENDPOINT_STREAK`] such attempts or timeouts
    /// in a row, the submission stops.
    pub(crate) fn unreachable(&self) {
        self.count(NotSentReason::EndpointUnreachable);
    }

    /// An attempt got no answer within its timeout; it counts toward the
    /// same streak as [`unreachable`](Self::unreachable), since a server
    /// that never answers costs a timeout per request.
    pub(crate) fn unresponsive(&self) {
        self.count(NotSentReason::EndpointUnresponsive);
    }

    /// Adds one to the streak; the attempt that ends it names the reason.
    fn count(&self, reason: NotSentReason) {
        let streak = self.unreachable_streak.fetch_add(1, Ordering::SeqCst) + 1;
        if streak >= DEAD_ENDPOINT_STREAK {
            self.stop_for(reason);
        }
    }

    /// An attempt got an HTTP answer: the endpoint is alive.
    pub(crate) fn answered(&self) {
        self.unreachable_streak.store(0, Ordering::SeqCst);
    }
}
