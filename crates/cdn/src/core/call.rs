//! One call of one batch: pace, sign, send with a timeout, classify the
//! answer, and retry with backoff, after asking the backend which URLs an
//! attempt with a lost answer had already applied.

use std::collections::HashSet;
use std::sync::PoisonError;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use tcdn_model::CdnUrl;
use tcdn_transport::{ErrorKind, TransportError};
use tracing::Instrument;

use crate::core::Core;
use crate::core::backend::{
    Answer, Applied, Backend, Class, Lookup, LookupCalls, Pending, Reconciled, Reply, SignWith,
    Stamp,
};
use crate::core::halt::Halt;
use crate::core::retry::{Next, Tally, decide};
use crate::credentials::Credentials;
use crate::error::NotSentReason;
use crate::error::{CallError, CallErrorKind, GaveUp};

/// What a call came to.
#[derive(Debug)]
pub(crate) struct Called<B: Backend> {
    /// The receipt of the accepted attempt (`None` when a lookup found every
    /// URL applied, so nothing was sent again), or the last attempt's error.
    pub(crate) result: Result<Option<B::Receipt>, CallError>,
    /// Attempts made.
    pub(crate) attempts: u32,
    /// HTTP requests handed to the transport.
    pub(crate) requests: usize,
    /// URLs a lookup found applied by an attempt whose answer was lost; they
    /// were not sent again.
    pub(crate) applied: Vec<Applied>,
    /// The batch as last sent: narrowed to the URLs not found applied.
    pub(crate) batch: B::Batch,
    /// The batch's URLs in order before it was narrowed, if it was.
    pub(crate) original: Option<Vec<CdnUrl>>,
    /// Why the batch was never sent (its submission stopped before its
    /// first attempt); `result` is then an error that says so.
    pub(crate) not_sent: Option<NotSentReason>,
    /// Whether the last answer refused the call for one of its hosts
    /// ([`Class::HostRefused`]): nothing of it was applied.
    pub(crate) host_refused: bool,
    /// The calls of the batch's URLs split by host, after it was refused
    /// for one of its hosts (empty when it was not split): their outcomes
    /// decide the URLs, `result` is the refusal that made the split.
    pub(crate) parts: Vec<Called<B>>,
    /// The task a lookup found applying the whole batch after its answer
    /// was lost ([`Reconciled::Whole`]); `result` is then `Ok(None)`.
    pub(crate) found_task: Option<String>,
}

/// The core's side of a [`Lookup`]: calls through this call's core, backend
/// and halt, within the lookup's deadline.
#[derive(Debug)]
struct CoreLookup<'a, B: Backend> {
    core: &'a Core,
    backend: &'a B,
    halt: &'a Halt,
    /// Local Unix seconds when the batch's first attempt was signed.
    since_unix: u64,
    /// The monotonic reading after which no lookup call starts.
    deadline: Duration,
    /// HTTP requests the lookup's calls sent, for the report.
    sent: &'a AtomicUsize,
}

/// How far a lookup looks around the server's time when it has no estimate
/// of the server's clock: the skew the server itself accepts of a request's
/// timestamp (`AuthFailure.SignatureExpire` past it).
pub(crate) const UNKNOWN_SKEW: i64 = 300;

/// The margin a lookup's window adds on each side of the attempts' times
/// when the server's clock is estimated: `Date` has whole seconds, and the
/// estimate is as old as the last answer.
pub(crate) const KNOWN_SKEW_MARGIN: i64 = 2;

impl<B: Backend> LookupCalls<B> for CoreLookup<'_, B> {
    fn window(&self) -> (i64, i64) {
        let since = i64::try_from(self.since_unix).unwrap_or(i64::MAX);
        let now = i64::try_from(self.core.clock.unix_seconds()).unwrap_or(i64::MAX);
        match self.core.server_clock.offset() {
            Some(offset) => (
                since.saturating_add(offset) - KNOWN_SKEW_MARGIN,
                now.saturating_add(offset) + KNOWN_SKEW_MARGIN,
            ),
            None => (since - UNKNOWN_SKEW, now.saturating_add(UNKNOWN_SKEW)),
        }
    }

    fn call<'s>(&'s self, batch: B::Batch) -> Pending<'s, Result<Option<B::Receipt>, CallError>> {
        let (core, backend, halt, sent) = (self.core, self.backend, self.halt, self.sent);
        let limits = Limits {
            max_attempts: u32::MAX,
            deadline: Some(self.deadline),
        };
        Box::pin(async move {
            let span = B::span(&batch);
            let called = attempts(core, backend, halt, batch, false, limits)
                .instrument(span)
                .await;
            sent.fetch_add(called.requests, Ordering::Relaxed);
            called.result
        })
    }

    #[cfg(test)]
    fn since_unix(&self) -> u64 {
        self.since_unix
    }
}

/// How long a call may keep trying.
#[derive(Debug, Clone, Copy)]
struct Limits {
    max_attempts: u32,
    /// An absolute monotonic deadline; `None` takes the retry policy's
    /// total deadline from the first attempt.
    deadline: Option<Duration>,
}

/// How a transport failure is treated: a failed connection, a timeout, a
/// reset or a proxy failure may pass; anything else (TLS, an insecure
/// scheme, an invalid request) will not.
fn transport_class(error: &TransportError) -> Class {
    match error.kind() {
        ErrorKind::Connect | ErrorKind::Timeout | ErrorKind::Io | ErrorKind::Proxy => {
            Class::Retryable
        }
        _ => Class::Permanent,
    }
}

/// Calls `batch` until it is accepted or the retry policy gives up; with
/// `reconcile`, asks the backend before each retry of an attempt whose
/// answer was lost which URLs it had applied, and sends only the rest.
///
/// Once `halt` stops, no attempt starts: a batch not yet sent comes back
/// with [`Called::not_sent`], one already tried with its last error. A
/// request in flight when the submission abandons them fails as
/// `maybe_applied`. Attempts that reach no server, and daily-quota
/// refusals, are reported to `halt`.
pub(crate) async fn call<B: Backend>(
    core: &Core,
    backend: &B,
    halt: &Halt,
    batch: B::Batch,
    reconcile: bool,
) -> Called<B> {
    let span = B::span(&batch);
    let limits = Limits {
        max_attempts: core.retry.max_attempts().get(),
        deadline: None,
    };
    attempts(core, backend, halt, batch, reconcile, limits)
        .instrument(span)
        .await
}

#[allow(clippy::too_many_lines)]
async fn attempts<B: Backend>(
    core: &Core,
    backend: &B,
    halt: &Halt,
    mut batch: B::Batch,
    reconcile: bool,
    limits: Limits,
) -> Called<B> {
    let mut deadline = limits.deadline.map(Some);
    let mut attempts = 0u32;
    let mut tally = Tally {
        attempts: 0,
        free: 0,
        max_attempts: limits.max_attempts,
        fresh_nonce_used: false,
        refresh_used: false,
        pacing_absorbs_rate_limits: false,
    };
    let mut sent = 0usize;
    let mut maybe_applied = false;
    let mut first_unix = None;
    let mut applied = Vec::new();
    let mut original = None;
    let mut found_task = None;
    let mut last_error: Option<CallError> = None;
    let mut not_sent = None;
    // Whether any attempt may have reached the server, and whether every
    // failure so far was the endpoint's (refused, unresolvable, no connect):
    // a batch none of whose requests left is reported not sent.
    let mut reached = false;
    let mut endpoint_only = true;
    let mut host_refused = false;
    let result = loop {
        if let Some(reason) = halt.reason() {
            break stopped(reason, last_error.take(), &mut not_sent, attempts);
        }
        // The request is prepared before it takes a rate-limit slot, so one
        // too large to send fails at once instead of after waiting for a
        // slot; it is signed again only if the wait made its stamp stale.
        let stamp = Stamp {
            unix_seconds: core.clock.unix_seconds(),
            nonce: core.nonces.next_nonce(),
        };
        let prepared = match signed(core, backend, &batch, stamp).await {
            Ok(prepared) => prepared,
            Err(error) => break Err((error, GaveUp::NotRetryable, attempts)),
        };
        let waited = wait_for_slot(core, halt, B::pace_key(&batch)).await;
        if let Some(reason) = halt.reason() {
            break stopped(reason, last_error.take(), &mut not_sent, attempts);
        }
        let now = core.clock.monotonic();
        let deadline =
            *deadline.get_or_insert_with(|| core.retry.total_deadline().map(|budget| now + budget));
        if deadline.is_some_and(|deadline| now >= deadline) {
            // The wait for a rate-limit slot ran past the deadline, or a
            // lookup's time was spent before this call of it.
            let error = last_error.take().unwrap_or_else(|| {
                CallError::new(
                    CallErrorKind::Transport,
                    "no time was left to send it".to_owned(),
                )
            });
            break Err((error, GaveUp::DeadlineReached, attempts));
        }
        let (stamp, used, request) = if waited {
            // Signed again with the time after the wait, and the same nonce.
            let stamp = Stamp {
                unix_seconds: core.clock.unix_seconds(),
                nonce: stamp.nonce,
            };
            match signed(core, backend, &batch, stamp).await {
                Ok(prepared) => prepared,
                Err(error) => break Err((error, GaveUp::NotRetryable, attempts)),
            }
        } else {
            prepared
        };
        attempts += 1;
        let first_unix = *first_unix.get_or_insert(stamp.unix_seconds);
        let timeout = match deadline {
            Some(deadline) => core.timeout.min(deadline.saturating_sub(now)),
            None => core.timeout,
        };
        // A timeout cut short by the deadline says nothing of the endpoint.
        let full_timeout = timeout == core.timeout;
        sent += 1;
        let attempt_span = tracing::debug_span!("tcdn.attempt", attempt = attempts);
        let started = core.clock.monotonic();
        let response = send_with_timeout(core, halt, request, timeout)
            .instrument(attempt_span.clone())
            .await;
        let latency_ms = (core.clock.monotonic().saturating_sub(started)).as_millis() as u64;
        let mut lost = false;
        let (error, class) = match response {
            Err(Sent::Abandoned) => {
                maybe_applied = true;
                reached = true;
                let error = CallError::new(
                    CallErrorKind::Transport,
                    "the run was interrupted before the answer came".to_owned(),
                );
                let reason = halt.reason().unwrap_or(NotSentReason::Interrupted);
                break Err((error, GaveUp::Stopped(reason), attempts));
            }
            Err(Sent::Failed(err)) => {
                lost = err.may_have_reached_server();
                maybe_applied |= lost;
                reached |= lost;
                match err.kind() {
                    ErrorKind::Connect | ErrorKind::Timeout if !lost => halt.unreachable(),
                    ErrorKind::Timeout if full_timeout => halt.unresponsive(),
                    _ if !lost => endpoint_only = false,
                    _ => {}
                }
                let class = transport_class(&err);
                // An answer over the transport's cap came but cannot be read.
                let kind = match err.kind() {
                    ErrorKind::ResponseTooLarge => CallErrorKind::InvalidResponse,
                    _ => CallErrorKind::Transport,
                };
                (CallError::new(kind, err.to_string()), class)
            }
            Ok(response) => {
                halt.answered();
                reached = true;
                core.server_clock.observe(
                    response.headers().get(http::header::DATE),
                    core.clock.unix_seconds(),
                );
                let reply = Reply {
                    response: &response,
                    local_unix: core.clock.unix_seconds(),
                };
                match backend.classify(&batch, reply) {
                    Answer::Accepted(receipt) => {
                        tracing::info!(parent: &attempt_span, code = 0, latency_ms, "accepted");
                        break Ok(Some(receipt));
                    }
                    Answer::Refused { error, class } => (error, class),
                }
            }
        };
        tracing::warn!(
            parent: &attempt_span,
            code = error.code,
            error_code = error.error_code.as_deref(),
            module_code = error.module_code,
            http_status = error.http_status,
            latency_ms,
            error = %error.message,
            "attempt failed"
        );
        // The one refused authentication that is retried: temporary
        // credentials that expired in flight, once, after a refresh.
        let expired_in_flight = used.expires_at().is_some()
            && match class {
                Class::CredentialsRefused => true,
                Class::Clock => used.is_expired_at(core.clock.unix_seconds()),
                _ => false,
            };
        if class == Class::RateLimited
            && let Some(pacing) = &core.pacing
        {
            pacing.slow_down(B::pace_key(&batch), core.clock.monotonic());
        }
        if class == Class::DailyQuotaExhausted {
            halt.stop_for(NotSentReason::DailyQuotaExhausted);
        }
        tally.attempts = attempts;
        // The pace adapts, so a rate-limit refusal is the pacer's to absorb,
        // not the retry budget's, while a deadline bounds the call.
        tally.pacing_absorbs_rate_limits = core.pacing.is_some() && deadline.is_some();
        match decide(class, expired_in_flight, &tally) {
            Next::GiveUp(gave_up) => {
                host_refused = class == Class::HostRefused;
                break Err((error, gave_up, attempts));
            }
            Next::Refresh => {
                tally.refresh_used = true;
                match core.credentials.refresh_after_refusal(&used).await {
                    Ok(_) => {
                        tracing::info!(
                            parent: &attempt_span,
                            "the credentials expired in flight; retrying once with fresh ones"
                        );
                        last_error = Some(error);
                        continue;
                    }
                    Err(refresh) => {
                        let mut error = error;
                        error.message = format!(
                            "{}; fetching new credentials failed: {refresh}",
                            error.message
                        );
                        break Err((error, GaveUp::NotRetryable, attempts));
                    }
                }
            }
            Next::Retry { fresh_nonce, free } => {
                tally.fresh_nonce_used |= fresh_nonce;
                tally.free += u32::from(free);
            }
        }
        let delay = {
            let mut rng = core.rng.lock().unwrap_or_else(PoisonError::into_inner);
            core.retry.backoff(tally.counted().max(1), &mut rng)
        };
        // A rate-limit refusal means the server's window is full: an earlier
        // retry would be refused again, so wait for the whole window.
        let delay = if class == Class::RateLimited {
            let window = B::RATE_WINDOW;
            delay.max(window.window + window.margin)
        } else {
            delay
        };
        let now = core.clock.monotonic();
        if deadline.is_some_and(|deadline| now + delay >= deadline) {
            break Err((error, GaveUp::DeadlineReached, attempts));
        }
        tracing::debug!(parent: &attempt_span, delay_ms = delay.as_millis() as u64, "backing off");
        tokio::select! {
            () = core.sleeper.sleep(delay) => {}
            () = halt.stopped() => {}
        }
        if reconcile && lost {
            match look_up_lost(core, backend, halt, &batch, first_unix, &mut sent).await {
                Looked::Unknown(why) => {
                    let error = CallError::new(
                        CallErrorKind::Transport,
                        format!(
                            "{}; looking the URLs up failed ({why}), so they may have been applied and are not sent again",
                            error.message
                        ),
                    );
                    break Err((error, GaveUp::LookupFailed, attempts));
                }
                Looked::Applied(found, rest) => {
                    original.get_or_insert_with(|| B::urls(&batch).to_vec());
                    applied.extend(found);
                    if rest.is_empty() {
                        break Ok(None);
                    }
                    batch = backend.narrow(&batch, rest);
                }
                Looked::Whole(task) => {
                    found_task = Some(task);
                    break Ok(None);
                }
                Looked::Nothing => {}
            }
        }
        last_error = Some(error);
    };
    if result.is_err() && attempts > 0 && !reached && endpoint_only && not_sent.is_none() {
        not_sent = Some(NotSentReason::EndpointUnreachable);
    }
    Called {
        result: result.map_err(|(mut error, gave_up, attempts)| {
            error.gave_up = gave_up;
            error.attempts = attempts;
            error.requests_sent = sent;
            error.maybe_applied |= maybe_applied;
            error
        }),
        attempts,
        requests: sent,
        applied,
        batch,
        original,
        not_sent,
        host_refused,
        parts: Vec::new(),
        found_task,
    }
}

/// What looking up an attempt whose answer was lost came to.
enum Looked {
    /// Nothing was found applied (or the API cannot look up): the batch is
    /// sent again whole.
    Nothing,
    /// These URLs were applied; the rest (in order) are sent again.
    Applied(Vec<Applied>, Vec<CdnUrl>),
    /// The whole batch was applied by this task.
    Whole(String),
    /// The lookup failed, for this reason: nothing may be sent again.
    Unknown(String),
}

/// Asks the backend which URLs of `batch` an attempt whose answer was lost
/// applied, with calls of its own that may take as long as the call's own
/// attempts could have (one timeout each); their requests are added to
/// `sent`.
async fn look_up_lost<B: Backend>(
    core: &Core,
    backend: &B,
    halt: &Halt,
    batch: &B::Batch,
    first_unix: u64,
    sent: &mut usize,
) -> Looked {
    let lookups = AtomicUsize::new(0);
    let budget = core.timeout.saturating_mul(core.retry.max_attempts().get());
    let calls = CoreLookup {
        core,
        backend,
        halt,
        since_unix: first_unix,
        deadline: core.clock.monotonic().saturating_add(budget),
        sent: &lookups,
    };
    let reconciled = backend.reconcile(Lookup::new(&calls), batch).await;
    *sent += lookups.into_inner();
    match reconciled {
        Reconciled::Unsupported => Looked::Nothing,
        Reconciled::Unknown(why) => {
            tracing::warn!(
                error = %why.message,
                "a lost answer could not be looked up; the URLs are not sent again"
            );
            Looked::Unknown(why.message)
        }
        Reconciled::Whole(task) => {
            tracing::info!(task = %task, "a lookup found the batch applied");
            Looked::Whole(task)
        }
        Reconciled::Found(found) if found.is_empty() => Looked::Nothing,
        Reconciled::Found(found) => {
            tracing::info!(applied = found.len(), "a lookup found URLs already applied");
            let done: HashSet<&CdnUrl> = found.iter().map(|a| &a.url).collect();
            let rest: Vec<CdnUrl> = B::urls(batch)
                .iter()
                .filter(|url| !done.contains(url))
                .cloned()
                .collect();
            Looked::Applied(found, rest)
        }
    }
}

/// How a call that the submission stopped ends: with the last attempt's
/// error, or, never sent, with an error that says why.
fn stopped<T>(
    reason: NotSentReason,
    last_error: Option<CallError>,
    not_sent: &mut Option<NotSentReason>,
    attempts: u32,
) -> Result<T, (CallError, GaveUp, u32)> {
    let error = last_error.unwrap_or_else(|| {
        *not_sent = Some(reason);
        CallError::new(CallErrorKind::NotSent, reason.to_string())
    });
    Err((error, GaveUp::Stopped(reason), attempts))
}

/// A call that could not be signed: its credentials expired, and fetching
/// new ones failed.
/// `batch` signed at `stamp` with the credentials current now, and those
/// credentials (a refusal of them in flight refreshes them).
async fn signed<B: Backend>(
    core: &Core,
    backend: &B,
    batch: &B::Batch,
    stamp: Stamp,
) -> Result<(Stamp, Credentials, http::Request<Bytes>), CallError> {
    let credentials = core
        .credentials
        .current()
        .await
        .map_err(|error| credential_error(&error))?;
    let with = SignWith {
        stamp,
        credentials: &credentials,
    };
    let request = backend.prepare(batch, with)?;
    Ok((stamp, credentials, request))
}

fn credential_error(error: &crate::credentials::CredentialError) -> CallError {
    CallError::new(
        CallErrorKind::Credentials,
        format!("no valid credentials to sign with: {error}"),
    )
}

/// Waits until the pacer allows another request under `key`, or until the
/// submission stops; `true` if it waited.
async fn wait_for_slot(core: &Core, halt: &Halt, key: &'static str) -> bool {
    let Some(pacing) = &core.pacing else {
        return false;
    };
    let now = core.clock.monotonic();
    let at = pacing.reserve(key, now);
    if at > now {
        tracing::debug!(
            wait_ms = (at - now).as_millis() as u64,
            "pacing to the rate limit"
        );
        tokio::select! {
            () = core.sleeper.sleep(at - now) => {}
            () = halt.stopped() => {}
        }
        return true;
    }
    false
}

/// Why an attempt has no answer.
enum Sent {
    /// The transport failed, or the timeout passed.
    Failed(TransportError),
    /// The submission gave up waiting (the grace after an interrupt ended).
    Abandoned,
}

async fn send_with_timeout(
    core: &Core,
    halt: &Halt,
    request: http::Request<Bytes>,
    timeout: Duration,
) -> Result<http::Response<Bytes>, Sent> {
    let send = core.transport.send(request);
    let expire = core.sleeper.sleep(timeout);
    tokio::select! {
        biased;
        result = send => result.map_err(Sent::Failed),
        () = expire => Err(Sent::Failed(TransportError::timeout(format!(
            "no complete answer within {:.1} s",
            timeout.as_secs_f64()
        )))),
        () = halt.abandoned() => Err(Sent::Abandoned),
    }
}
