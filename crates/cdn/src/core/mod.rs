//! The client core, the same for every API. A submission flows through it
//! in this order, one file per step:
//!
//! 1. `dedupe.rs`: drop repeated URLs, keeping the first
//!    ([`DistinctUrls`](dedupe::DistinctUrls)).
//! 2. `plan.rs`: pack them, in order, into batches within the API's count and
//!    byte limits (the backend's `Shape`).
//! 3. `pace.rs`: wait for a slot under the rate limit the server counts.
//! 4. `call.rs`: sign one attempt (the backend, with the current
//!    credentials, refreshed when due), send it with a timeout,
//!    classify the answer (the backend), and retry with backoff
//!    (`retry.rs`), asking the backend first which URLs an attempt with a
//!    lost answer had already applied (reconciliation).
//! 5. `split.rs`: send a batch refused for one of its hosts again split by
//!    host, so that only that host's URLs fail.
//! 6. `submit.rs`: run batches with bounded concurrency and gather a
//!    [`Report`](crate::report::Report) with every URL exactly once.
//!
//! What differs between APIs is behind [`Backend`](backend::Backend).

pub(crate) mod backend;
pub(crate) mod call;
pub(crate) mod dedupe;
pub(crate) mod halt;
pub(crate) mod pace;
pub(crate) mod plan;
pub(crate) mod retry;
pub(crate) mod skew;
pub(crate) mod split;
pub(crate) mod submit;

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tcdn_transport::Transport;

use crate::clock::{Clock, Sleeper};
use crate::core::pace::Pacing;
use crate::core::retry::RetryPolicy;
use crate::credentials::RefreshingCredentials;
use crate::nonce::NonceSource;

/// Everything the core needs besides the backend: the transport, limits and
/// policies, and the injected clock, nonces and sleeper.
pub(crate) struct Core {
    pub(crate) transport: Arc<dyn Transport>,
    /// What every attempt is signed with, refreshed before it expires.
    pub(crate) credentials: Arc<RefreshingCredentials>,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) concurrency: NonZeroUsize,
    pub(crate) batch_size: Option<NonZeroUsize>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) nonces: Arc<dyn NonceSource>,
    pub(crate) sleeper: Arc<dyn Sleeper>,
    /// `None` when pacing is off.
    pub(crate) pacing: Option<Pacing>,
    pub(crate) rng: Mutex<fastrand::Rng>,
    /// How long requests in flight may answer after an interrupt.
    pub(crate) interrupt_grace: Duration,
    /// The server's clock as its answers' `Date` headers tell it.
    pub(crate) server_clock: skew::ServerClock,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A transport's own Debug may show what it recorded (the mocks do).
        f.debug_struct("Core")
            .field("transport", &"dyn Transport")
            .field("credentials", &self.credentials)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("concurrency", &self.concurrency)
            .field("batch_size", &self.batch_size)
            .field("paced", &self.pacing.is_some())
            .finish_non_exhaustive()
    }
}
