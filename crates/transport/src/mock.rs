//! Test doubles for [`Transport`], for this workspace's tests and for users'.
//!
//! - [`ScriptedTransport`] answers from a queue of responses and errors and
//!   records every request it saw.
//! - [`FnTransport`] answers with a closure.
//! - [`SilentTransport`] never answers (for timeout tests).
//!
//! The module is always compiled: it is small, has no dependencies beyond
//! the crate's own, costs nothing unless used, and a feature flag would only
//! make users' `dev-dependencies` fiddlier.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode, Uri};

use crate::{Transport, TransportError};

/// A response with `status` and `body`, for scripting mocks.
///
/// # Panics
/// If `status` is not in 100..=999.
#[must_use]
pub fn response(status: u16, body: impl Into<Bytes>) -> Response<Bytes> {
    let status = StatusCode::from_u16(status)
        .unwrap_or_else(|_| panic!("{status} is not a valid HTTP status code"));
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response
}

/// A request as a mock saw it.
///
/// Its fields hold everything that was sent, query and body included, for
/// tests to inspect; its `Debug` shows only the method, the target without
/// its query, the header names and the body's length, because signed
/// requests carry a signature and possibly a session token, and a failing
/// assertion prints `Debug` output into CI logs.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The method.
    pub method: Method,
    /// The full URI, query included (mocks are for tests: nothing is logged).
    pub uri: Uri,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("target", &crate::error::redacted_target(&self.uri))
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl RecordedRequest {
    fn of(request: &Request<Bytes>) -> Self {
        Self {
            method: request.method().clone(),
            uri: request.uri().clone(),
            headers: request.headers().clone(),
            body: request.body().clone(),
        }
    }

    /// The body as UTF-8 text (lossy).
    #[must_use]
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking assertion in one test task must not hide the record from others.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Answers from a queue of scripted outcomes, in order, and records every
/// request.
///
/// When a request arrives and the script is empty, `send` panics with a
/// message naming the request number: that is a bug in the test's script.
#[derive(Debug, Default)]
pub struct ScriptedTransport {
    script: Mutex<VecDeque<Result<Response<Bytes>, TransportError>>>,
    seen: Mutex<Vec<RecordedRequest>>,
}

impl ScriptedTransport {
    /// An empty script.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues `response` as the next answer.
    #[must_use]
    pub fn then_response(self, response: Response<Bytes>) -> Self {
        self.push(Ok(response));
        self
    }

    /// Queues a response with `status` and `body` as the next answer.
    ///
    /// # Panics
    /// If `status` is not a valid status code.
    #[must_use]
    pub fn then_respond(self, status: u16, body: impl Into<Bytes>) -> Self {
        self.then_response(response(status, body))
    }

    /// Queues `error` as the next answer.
    #[must_use]
    pub fn then_error(self, error: TransportError) -> Self {
        self.push(Err(error));
        self
    }

    /// Queues an outcome after construction (for example from another task).
    pub fn push(&self, outcome: Result<Response<Bytes>, TransportError>) {
        lock(&self.script).push_back(outcome);
    }

    /// Every request seen so far, in order.
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.seen).clone()
    }

    /// The most recent request, if any.
    #[must_use]
    pub fn last_request(&self) -> Option<RecordedRequest> {
        lock(&self.seen).last().cloned()
    }

    /// How many requests were sent.
    #[must_use]
    pub fn sent_count(&self) -> usize {
        lock(&self.seen).len()
    }

    /// How many scripted outcomes have not been used yet.
    #[must_use]
    pub fn remaining(&self) -> usize {
        lock(&self.script).len()
    }

    /// Asserts that exactly `expected` requests were sent.
    ///
    /// # Panics
    /// If a different number was sent; the message lists what was.
    #[track_caller]
    pub fn assert_sent(&self, expected: usize) {
        let seen = lock(&self.seen);
        assert!(
            seen.len() == expected,
            "expected {expected} request(s), the transport saw {}: {:?}",
            seen.len(),
            seen.iter()
                .map(|r| format!("{} {}", r.method, r.uri))
                .collect::<Vec<_>>()
        );
    }

    /// Asserts that every scripted outcome was used.
    ///
    /// # Panics
    /// If some outcomes are left.
    #[track_caller]
    pub fn assert_script_exhausted(&self) {
        let left = self.remaining();
        assert!(left == 0, "{left} scripted outcome(s) were never requested");
    }
}

#[async_trait]
impl Transport for ScriptedTransport {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        let number = {
            let mut seen = lock(&self.seen);
            seen.push(RecordedRequest::of(&request));
            seen.len()
        };
        let next = lock(&self.script).pop_front();
        next.unwrap_or_else(|| {
            panic!(
                "ScriptedTransport: request #{number} ({} {}) arrived but the script is empty",
                request.method(),
                request.uri()
            )
        })
    }
}

/// Answers every request with a closure.
pub struct FnTransport<F> {
    answer: F,
}

impl<F> FnTransport<F>
where
    F: Fn(&Request<Bytes>) -> Result<Response<Bytes>, TransportError> + Send + Sync,
{
    /// A transport whose answer to each request is `answer(&request)`.
    #[must_use]
    pub fn new(answer: F) -> Self {
        Self { answer }
    }
}

impl<F> fmt::Debug for FnTransport<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnTransport").finish_non_exhaustive()
    }
}

#[async_trait]
impl<F> Transport for FnTransport<F>
where
    F: Fn(&Request<Bytes>) -> Result<Response<Bytes>, TransportError> + Send + Sync,
{
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        (self.answer)(&request)
    }
}

/// Never answers: `send` stays pending forever, so only the caller's own
/// deadline ends it. Counts the requests it swallowed.
#[derive(Debug, Default)]
pub struct SilentTransport {
    received: AtomicUsize,
}

impl SilentTransport {
    /// A transport that never answers.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many requests were sent to it.
    #[must_use]
    pub fn received(&self) -> usize {
        self.received.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Transport for SilentTransport {
    async fn send(&self, _request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        self.received.fetch_add(1, Ordering::SeqCst);
        std::future::pending().await
    }
}
