//! Errors of one call ([`CallError`]), why URLs were never sent
//! ([`NotSentReason`]), and errors of building a client ([`ClientError`]). Messages are fit to show a user; none holds a secret,
//! a signature or a query string.

use std::fmt;

use serde::Serialize;

/// Why a URL was never sent.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotSentReason {
    /// The run was interrupted before its batch was sent.
    Interrupted,
    /// A daily quota of its operation and area was found used up.
    DailyQuotaExhausted,
    /// The endpoint could not be reached (refused connections, a name that
    /// does not resolve): the request never left, or the run stopped after
    /// several such attempts in a row.
    EndpointUnreachable,
    /// The endpoint took connections but answered none of several requests
    /// in a row within the timeout, so the run stopped.
    EndpointUnresponsive,
}

impl fmt::Display for NotSentReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Interrupted => "not sent: the run was interrupted",
            Self::DailyQuotaExhausted => "not sent: the daily quota is used up",
            Self::EndpointUnreachable => "not sent: the endpoint is unreachable",
            Self::EndpointUnresponsive => "not sent: the endpoint does not answer",
        })
    }
}

/// Why a call failed, broadly.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallErrorKind {
    /// The exchange did not complete: no connection, a reset, no answer in
    /// time.
    Transport,
    /// The server answered with an HTTP status other than 2xx (and not 501).
    HttpStatus,
    /// The request is over the wire's size limit: refused before sending,
    /// or answered with HTTP 501.
    RequestTooLarge,
    /// The server's answer is not a readable response envelope.
    InvalidResponse,
    /// The API refused the call (API 2.0: a non-zero `code`; API 3.0: a
    /// `Response.Error`).
    Api,
    /// The API refused the timestamp (API 2.0's 4500 about time, API 3.0's
    /// `AuthFailure.SignatureExpire`): the local clock is off.
    ClockSkew,
    /// The request could not be turned into an HTTP request.
    InvalidRequest,
    /// The client's API has no such call (API 2.0 cannot read quotas or
    /// look tasks up).
    Unsupported,
    /// No valid credentials to sign with: temporary ones expired and
    /// fetching new ones failed (the message names the source).
    Credentials,
    /// Nothing was sent: the submission stopped first (interrupted, a daily
    /// quota used up, the endpoint unreachable).
    NotSent,
}

/// Why the client stopped trying.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GaveUp {
    /// The failure cannot be helped by retrying (validation, authentication,
    /// a daily quota, ...).
    NotRetryable,
    /// The retry policy's attempts were all used.
    AttemptsExhausted,
    /// The retry policy's total deadline would have passed before the next
    /// attempt.
    DeadlineReached,
    /// The submission stopped (interrupted, a daily quota used up, the
    /// endpoint unreachable) before the next attempt, or while one waited
    /// for its answer.
    Stopped(NotSentReason),
    /// An attempt's answer was lost and looking its URLs up failed: they
    /// may have been applied, so they are not sent again.
    LookupFailed,
}

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotRetryable => "not retryable",
            Self::AttemptsExhausted => "no attempts left",
            Self::DeadlineReached => "total deadline reached",
            Self::LookupFailed => "the lost answer could not be looked up",
            Self::Stopped(NotSentReason::Interrupted) => "the run was interrupted",
            Self::Stopped(NotSentReason::DailyQuotaExhausted) => "the daily quota is used up",
            Self::Stopped(NotSentReason::EndpointUnreachable) => "the endpoint is unreachable",
            Self::Stopped(NotSentReason::EndpointUnresponsive) => "the endpoint does not answer",
        })
    }
}

/// The failure of one [`Client::call`](crate::Client::call) (or of one batch): the last
/// attempt's problem, how many attempts and requests were made, and why the
/// client stopped.
///
/// `Display` gives one line for a user, e.g. `API error 4100
/// (authentication failed): signature mismatch`, followed by `(after 3
/// attempts: no attempts left)` when there were retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallError {
    pub(crate) kind: CallErrorKind,
    pub(crate) gave_up: GaveUp,
    pub(crate) attempts: u32,
    pub(crate) requests_sent: usize,
    pub(crate) http_status: Option<u16>,
    pub(crate) code: Option<i64>,
    pub(crate) module_code: Option<i64>,
    // Boxed text keeps the error small (it is the `Err` of hot paths).
    pub(crate) error_code: Option<Box<str>>,
    pub(crate) request_id: Option<Box<str>>,
    pub(crate) message: String,
    pub(crate) maybe_applied: bool,
}

impl CallError {
    pub(crate) fn new(kind: CallErrorKind, message: String) -> Self {
        Self {
            kind,
            gave_up: GaveUp::NotRetryable,
            attempts: 0,
            requests_sent: 0,
            http_status: None,
            code: None,
            module_code: None,
            error_code: None,
            request_id: None,
            message,
            maybe_applied: false,
        }
    }

    /// What failed.
    pub fn kind(&self) -> CallErrorKind {
        self.kind
    }

    /// Why the client stopped trying.
    pub fn gave_up(&self) -> GaveUp {
        self.gave_up
    }

    /// Attempts made (0 when the request was refused before any).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// HTTP requests handed to the transport.
    pub fn requests_sent(&self) -> usize {
        self.requests_sent
    }

    /// The HTTP status of the last answer, if there was one.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// The API's `code` in the last answer, if it had one.
    pub fn code(&self) -> Option<i64> {
        self.code
    }

    /// The module code in the last answer (`(9110)…` or `codeDesc`), if any.
    pub fn module_code(&self) -> Option<i64> {
        self.module_code
    }

    /// The API's error code as text, for APIs that name errors by string
    /// (API 3.0's `LimitExceeded.CdnPurgeUrlExceedDayLimit`); `None` under
    /// API 2.0, whose codes are [`code`](Self::code) and
    /// [`module_code`](Self::module_code).
    pub fn error_code(&self) -> Option<&str> {
        self.error_code.as_deref()
    }

    /// The server's id of the last answer (API 3.0's `RequestId`), if any.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Whether any attempt may have reached the server without its answer
    /// coming back (a timeout or a reset after the request went out): the
    /// server may then have applied the request, though the call failed.
    pub fn maybe_applied(&self) -> bool {
        self.maybe_applied
    }

    /// The last attempt's problem, without the attempt summary.
    pub fn detail(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if self.attempts > 1 {
            write!(f, " (after {} attempts: {})", self.attempts, self.gave_up)?;
        }
        Ok(())
    }
}

impl std::error::Error for CallError {}

/// The kind of a [`ClientError`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientErrorKind {
    /// The default HTTP transport could not be set up.
    Transport,
    /// The options do not go together (TC3 with API 2.0, extra parameters
    /// with API 3.0).
    InvalidConfig,
    /// A PEM bundle of trusted roots holds no readable certificate.
    Certificates,
    /// The proxy setting (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`) is not
    /// usable.
    Proxy,
}

/// A client that could not be built. `Display` states the cause (the
/// transport's own error included), so `source()` does not repeat it.
#[derive(Debug)]
pub struct ClientError {
    kind: ClientErrorKind,
    message: String,
}

impl ClientError {
    pub(crate) fn transport(source: &tcdn_transport::TransportError) -> Self {
        let kind = if source.kind() == tcdn_transport::ErrorKind::Proxy {
            ClientErrorKind::Proxy
        } else {
            ClientErrorKind::Transport
        };
        Self {
            kind,
            message: format!("cannot set up the HTTP client: {source}"),
        }
    }

    pub(crate) fn new(kind: ClientErrorKind, message: String) -> Self {
        Self { kind, message }
    }

    /// What went wrong.
    pub fn kind(&self) -> ClientErrorKind {
        self.kind
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ClientError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_error_tells_its_cause_once() {
        let cause = tcdn_transport::TransportError::proxy("HTTPS_PROXY: no host");
        let error = ClientError::transport(&cause);
        assert_eq!(error.kind(), ClientErrorKind::Proxy);
        assert!(error.to_string().contains("HTTPS_PROXY: no host"));
        assert!(std::error::Error::source(&error).is_none());
    }
}
