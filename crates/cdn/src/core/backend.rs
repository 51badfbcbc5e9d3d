//! The seam between the API-independent core and each API: the [`Backend`]
//! trait an API module implements, and the words it speaks with the core.
//! A backend knows its API's wire: how URLs are laid out and limited
//! ([`Shape`]), how one attempt is signed into an HTTP request ([`Stamp`]),
//! how an answer is classified ([`Answer`], [`Class`]), which rate window a
//! call counts against ([`RateWindow`]), and, where the API can tell, which
//! URLs an attempt whose answer was lost had already applied
//! ([`Backend::reconcile`], [`Applied`]). Everything else (planning, pacing,
//! sending, retrying, reporting) is the core's.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use tcdn_model::CdnUrl;

use crate::core::plan::Shape;
use crate::credentials::Credentials;
use crate::error::{CallError, CallErrorKind};
use crate::nonce::Nonce;

/// What one attempt is signed with: a fresh timestamp and nonce each time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stamp {
    /// Unix seconds (`Timestamp`, `X-TC-Timestamp`).
    pub unix_seconds: u64,
    /// The `Nonce` (API 2.0 and API 3.0's v1 signature).
    pub nonce: Nonce,
}

/// What signs one attempt: its stamp and the client's current credentials.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignWith<'a> {
    /// The attempt's timestamp and nonce.
    pub stamp: Stamp,
    /// The credentials current when the attempt is prepared.
    pub credentials: &'a Credentials,
}

/// The signed HTTP request of one attempt, or why it could not be
/// prepared (in the manner of [`std::fmt::Result`]).
pub(crate) type Signed = Result<http::Request<Bytes>, CallError>;

/// An HTTP answer (any status) and the local clock when it arrived, to
/// tell a clock problem from others.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reply<'a> {
    /// The answer.
    pub response: &'a http::Response<Bytes>,
    /// The local clock, in Unix seconds.
    pub local_unix: u64,
}

/// How the core treats a refused call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// A transient server state (internal error, maintenance): retry after a
    /// backoff, freshly signed.
    Retryable,
    /// Too many calls in the server's window: retry after a backoff.
    RateLimited,
    /// A refusal that one freshly signed retry gets past (API 2.0's 4500
    /// about a replayed nonce), and no more.
    RetryOnce,
    /// The local clock is off (4500 about time, `AuthFailure.SignatureExpire`):
    /// a retry from the same clock fails again. When the credentials used
    /// had expired by the local clock, the core refreshes them and retries
    /// once instead.
    Clock,
    /// The session token was refused (`AuthFailure.TokenFailure`; API 2.0:
    /// 4100 with that `codeDesc`): temporary credentials that expired in
    /// flight. The core refreshes them and retries once; long-term
    /// credentials are not retried.
    CredentialsRefused,
    /// A daily quota is used up: nothing of this operation gets through
    /// before it resets.
    DailyQuotaExhausted,
    /// The same request fails again until the caller changes something.
    Permanent,
    /// Refused for one of the call's hosts, without saying which (a domain
    /// not on the account, offline, a wildcard): permanent, and nothing of
    /// the call was applied, so a submission sends a batch of several
    /// hosts again split by host, and only the refused host's URLs fail.
    HostRefused,
}

impl Class {
    /// Whether the core may try again (`RetryOnce` only once).
    pub(crate) fn is_retryable(self) -> bool {
        matches!(self, Self::Retryable | Self::RateLimited | Self::RetryOnce)
    }
}

/// What an HTTP answer came to.
#[derive(Debug)]
pub(crate) enum Answer<R> {
    /// The server accepted the call.
    Accepted(R),
    /// The server refused it; `error` says why, fit for a user.
    Refused {
        /// The refusal, with the API's codes and the HTTP status.
        error: CallError,
        /// What the core should do about it.
        class: Class,
    },
}

/// A rate window as the server counts it, and the margin the client adds:
/// network latency varies, so the server may see two sends a window apart
/// as closer than that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateWindow {
    /// The server's window.
    pub window: Duration,
    /// Added to the window when pacing.
    pub margin: Duration,
}

impl RateWindow {
    /// How many sends fit one window under a limit of `per_minute`, at least
    /// one (0 for no limit).
    pub(crate) fn limit(self, per_minute: u32) -> usize {
        let per_window = u128::from(per_minute) * self.window.as_millis() / 60_000;
        let per_window = per_window.max(u128::from(per_minute.min(1)));
        usize::try_from(per_window).unwrap_or(usize::MAX)
    }
}

/// A URL that a lookup found applied by an earlier attempt whose answer was
/// lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Applied {
    /// The URL.
    pub url: CdnUrl,
    /// The task that applied it, when the API names one.
    pub task_id: Option<String>,
}

/// One API's wire, for the core. See the [module documentation](self).
pub(crate) trait Backend: Send + Sync + Sized + 'static {
    /// What one submission asks for (API 2.0: an operation and its areas).
    type Job: Send + Sync + 'static;
    /// One call's worth: the job's parameters and its URLs.
    type Batch: Send + Sync + 'static;
    /// What an accepted call returned.
    type Receipt: Send + 'static;

    /// The server's rate window (the client's limit is given per minute and
    /// scaled to it).
    const RATE_WINDOW: RateWindow;

    /// How URLs of `job` are laid out and limited on the wire.
    fn shape(&self, job: &Self::Job) -> Shape;

    /// The batch of `job` carrying `urls` (non-empty, distinct, within
    /// [`shape`](Self::shape): the planner made them so).
    fn batch(&self, job: &Self::Job, urls: Vec<CdnUrl>) -> Self::Batch;

    /// `batch` with only `urls` (a non-empty subset of its URLs), for the
    /// retry after a lookup found the others applied.
    fn narrow(&self, batch: &Self::Batch, urls: Vec<CdnUrl>) -> Self::Batch;

    /// The batch's URLs, in order.
    fn urls(batch: &Self::Batch) -> &[CdnUrl];

    /// The batch's URLs, taken.
    fn into_urls(batch: Self::Batch) -> Vec<CdnUrl>;

    /// The API action the batch calls, as the API names it.
    fn action(batch: &Self::Batch) -> &'static str;

    /// The zone the batch's call is for, where the API submits per zone
    /// (EdgeOne); none by default.
    fn zone(batch: &Self::Batch) -> Option<&str> {
        let _ = batch;
        None
    }

    /// The `tcdn.call` span of one call of `batch`: its action, its zone
    /// (when it has one) and its number of URLs.
    fn span(batch: &Self::Batch) -> tracing::Span {
        tracing::info_span!(
            "tcdn.call",
            action = Self::action(batch),
            zone = Self::zone(batch),
            batch_size = Self::urls(batch).len(),
        )
    }

    /// The rate window a call of `batch` counts in; calls with the same key
    /// share one window. Each action has its own window in every API
    /// (API 2.0's one action stands for every call of the account,
    /// docs/protocol.md §4), so the key is the action's name.
    fn pace_key(batch: &Self::Batch) -> &'static str {
        Self::action(batch)
    }

    /// The signed HTTP request of one attempt.
    ///
    /// # Errors
    /// [`RequestTooLarge`](crate::error::CallErrorKind::RequestTooLarge) when
    /// it exceeds the wire limit, or
    /// [`InvalidRequest`](crate::error::CallErrorKind::InvalidRequest).
    fn prepare(&self, batch: &Self::Batch, with: SignWith<'_>) -> Signed;

    /// Classifies the reply to a call of `batch` (whose action decides how
    /// a success is read).
    fn classify(&self, batch: &Self::Batch, reply: Reply<'_>) -> Answer<Self::Receipt>;

    /// The task id an accepted call returned, if the API gives one; none
    /// by default.
    fn task_id(receipt: &Self::Receipt) -> Option<String> {
        let _ = receipt;
        None
    }

    /// Which URLs of `batch` an earlier attempt, whose answer was lost, has
    /// already applied: called before a retry of such an attempt, so that
    /// only the rest is sent again. The default cannot tell (API 2.0 has
    /// no way to look tasks up), and the whole batch is resent.
    fn reconcile<'a>(
        &'a self,
        lookup: Lookup<'a, Self>,
        batch: &'a Self::Batch,
    ) -> impl Future<Output = Reconciled> + Send + 'a {
        let _ = (lookup, batch);
        std::future::ready(Reconciled::Unsupported)
    }
}

/// What a lookup of lost answers came to.
#[derive(Debug)]
pub(crate) enum Reconciled {
    /// The lookup was done: these URLs were applied, and the others were
    /// not (as far as the server shows).
    Found(Vec<Applied>),
    /// The lookup found the whole batch applied by this task: a batch
    /// whose targets are not URLs (EdgeOne's hosts, cache tags, a whole
    /// zone), which [`Found`](Self::Found) cannot name. The call ends
    /// accepted, without an answer of its own.
    Whole(String),
    /// The lookup could not be done (the error says why): the URLs may or
    /// may not have been applied, so they must not be sent again.
    Unknown(CallError),
    /// The API has no lookup: the batch is resent, as maybe applied.
    Unsupported,
}

impl Reconciled {
    /// The lookup could not be done because its window (`err` says why)
    /// cannot be asked for.
    pub(crate) fn no_window(err: impl std::fmt::Display) -> Self {
        Self::Unknown(CallError::new(
            CallErrorKind::InvalidRequest,
            format!("no lookup window: {err}"),
        ))
    }
}

/// The tasks a lookup's pages showed: each with the URLs its logs name and
/// its creation time (server's Unix seconds, when it could be read), in the
/// order the tasks first appear.
#[derive(Debug, Default)]
pub(crate) struct Logged {
    tasks: Vec<(String, HashSet<String>, Option<i64>)>,
}

impl Logged {
    /// Notes a log of task `task_id` naming `url`; `created` counts for
    /// the task's first log.
    pub(crate) fn add(&mut self, task_id: String, url: String, created: Option<i64>) {
        match self.tasks.iter_mut().find(|(id, _, _)| *id == task_id) {
            Some((_, urls, _)) => {
                urls.insert(url);
            }
            None => self.tasks.push((task_id, HashSet::from([url]), created)),
        }
    }

    /// The URLs of `urls` applied by the lost attempt: an attempt made one
    /// task of exactly its URLs, so the first task whose URLs are exactly
    /// `urls`, created within `(start, end)` (when its time is known),
    /// applied them all; a task of other URLs (or of more) is another
    /// submission's.
    fn applied(self, urls: &[CdnUrl], (start, end): (i64, i64)) -> Vec<Applied> {
        let wanted: HashSet<&str> = urls.iter().map(CdnUrl::as_str).collect();
        let ours = self.tasks.into_iter().find(|(_, logged, created)| {
            created.is_none_or(|created| (start..=end).contains(&created))
                && logged.len() == wanted.len()
                && logged.iter().all(|url| wanted.contains(url.as_str()))
        });
        match ours {
            Some((task_id, _, _)) => urls
                .iter()
                .map(|url| Applied {
                    url: url.clone(),
                    task_id: Some(task_id.clone()),
                })
                .collect(),
            None => Vec::new(),
        }
    }
}

/// A boxed future, which breaks the type cycle of a call that looks up
/// through calls.
pub(crate) type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a backend's [`reconcile`](Backend::reconcile) may use: the window
/// to look in (in the server's time) and calls of its own (paced, signed
/// and retried like any until the lookup's deadline, but not reconciled
/// themselves). The core provides them ([`LookupCalls`]).
pub(crate) struct Lookup<'a, B: Backend> {
    calls: &'a (dyn LookupCalls<B> + 'a),
}

impl<B: Backend> std::fmt::Debug for Lookup<'_, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lookup")
            .field("window", &self.calls.window())
            .finish_non_exhaustive()
    }
}

impl<'a, B: Backend> Lookup<'a, B> {
    /// A lookup through `calls`.
    pub(crate) fn new(calls: &'a (dyn LookupCalls<B> + 'a)) -> Self {
        Self { calls }
    }

    /// The window, in the server's Unix seconds, in which the server can
    /// have accepted an attempt of the batch: from the first attempt − 2 s
    /// to now + 2 s on the server's clock as its answers' `Date` tell it;
    /// with no answer read yet, widened by the 300 s of skew the server
    /// accepts on either side. Asked again, it reflects answers read since.
    pub(crate) fn window(&self) -> (i64, i64) {
        self.calls.window()
    }

    /// Sends `batch` (a lookup call, e.g. `DescribePurgeTasks`), retried
    /// with backoff until it is answered or the lookup's deadline passes.
    pub(crate) fn call(
        &self,
        batch: B::Batch,
    ) -> Pending<'a, Result<Option<B::Receipt>, CallError>> {
        self.calls.call(batch)
    }

    /// What a lookup that found `logged` says of `urls`: those the task of
    /// exactly `urls` applied (see [`Logged`]). The lookup's own answers
    /// dated the server's clock if nothing had before, so the window is
    /// asked for again, to narrow it by each task's creation time.
    pub(crate) fn found(&self, urls: &[CdnUrl], logged: Logged) -> Reconciled {
        Reconciled::Found(logged.applied(urls, self.window()))
    }

    /// Local Unix seconds of the batch's first attempt.
    #[cfg(test)]
    pub(crate) fn since_unix(&self) -> u64 {
        self.calls.since_unix()
    }
}

/// What the core gives a [`Lookup`]: see its methods.
pub(crate) trait LookupCalls<B: Backend>: Send + Sync {
    /// See [`Lookup::window`].
    fn window(&self) -> (i64, i64);
    /// See [`Lookup::call`].
    fn call<'s>(&'s self, batch: B::Batch) -> Pending<'s, Result<Option<B::Receipt>, CallError>>;
    /// See [`Lookup::since_unix`].
    #[cfg(test)]
    fn since_unix(&self) -> u64;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(texts: &[&str]) -> Vec<CdnUrl> {
        texts.iter().map(|t| t.parse().unwrap()).collect()
    }

    /// The first task of exactly the batch's URLs, created in the window
    /// or at an unknown time, applied them; others are other submissions'.
    #[test]
    fn the_task_of_exactly_the_batchs_urls_applied_them() {
        let batch = urls(&["https://a.example/1", "https://a.example/2"]);
        let mut logged = Logged::default();
        // More URLs than the batch's; then the batch's but too early.
        for url in [
            "https://a.example/1",
            "https://a.example/2",
            "https://a.example/3",
        ] {
            logged.add("more".to_owned(), url.to_owned(), Some(100));
        }
        logged.add(
            "early".to_owned(),
            "https://a.example/2".to_owned(),
            Some(9),
        );
        logged.add(
            "early".to_owned(),
            "https://a.example/1".to_owned(),
            Some(9),
        );
        logged.add(
            "ours".to_owned(),
            "https://a.example/2".to_owned(),
            Some(100),
        );
        // A later log's time does not count: the first one's does.
        logged.add("ours".to_owned(), "https://a.example/1".to_owned(), Some(9));
        logged.add("again".to_owned(), "https://a.example/1".to_owned(), None);
        logged.add("again".to_owned(), "https://a.example/2".to_owned(), None);
        let applied = logged.applied(&batch, (10, 200));
        assert_eq!(applied.len(), 2);
        for (applied, url) in applied.iter().zip(&batch) {
            assert_eq!(&applied.url, url);
            assert_eq!(applied.task_id.as_deref(), Some("ours"));
        }

        let mut unknown_time = Logged::default();
        for url in &batch {
            unknown_time.add("t".to_owned(), url.as_str().to_owned(), None);
        }
        assert_eq!(unknown_time.applied(&batch, (10, 200)).len(), 2);
        let mut subset = Logged::default();
        subset.add("t".to_owned(), "https://a.example/1".to_owned(), Some(100));
        assert!(subset.applied(&batch, (10, 200)).is_empty());
    }
}
