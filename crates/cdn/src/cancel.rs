//! [`Cancel`]: a handle that interrupts a submission from outside (a
//! Ctrl-C handler, a shutdown signal), for
//! [`Client::submit_job_until`](crate::Client::submit_job_until).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// Interrupts a submission. Cheap to clone: every clone cancels the same
/// submission, and cancelling is final.
///
/// A submission given a cancelled handle starts no new request; requests in
/// flight get the client's
/// [`interrupt_grace`](crate::ClientBuilder::interrupt_grace) to answer, and
/// the report lists every URL never sent under `not_sent` with
/// [`NotSentReason::Interrupted`](crate::error::NotSentReason::Interrupted).
///
/// ```
/// let cancel = tcdn::Cancel::new();
/// let handle = cancel.clone();
/// assert!(!cancel.is_cancelled());
/// handle.cancel();
/// assert!(cancel.is_cancelled());
/// ```
#[derive(Clone, Default)]
pub struct Cancel {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    notify: Notify,
}

impl fmt::Debug for Cancel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cancel")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

impl Cancel {
    /// A handle not yet cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels: the submission stops starting requests. Calling it again
    /// does nothing more.
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    /// Completes once [`cancel`](Self::cancel) is called (at once if it
    /// was).
    pub async fn cancelled(&self) {
        loop {
            let notified = self.inner.notify.notified();
            tokio::pin!(notified);
            // Registered before the check, so a cancel between the two is
            // not missed.
            notified.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_waiter_wakes_when_cancelled_from_another_task() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let cancel = Cancel::new();
            let waiter = tokio::spawn({
                let cancel = cancel.clone();
                async move { cancel.cancelled().await }
            });
            tokio::task::yield_now().await;
            assert!(!waiter.is_finished());
            cancel.cancel();
            waiter.await.unwrap();
            // Already cancelled: completes at once.
            cancel.cancelled().await;
        });
    }
}
