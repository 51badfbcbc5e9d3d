//! One module per API. A [`Backend`] knows its API's wire: how URLs are laid
//! out and limited ([`Shape`]), how one attempt is signed into an HTTP
//! request, how an answer is classified ([`Answer`], [`Class`]), which rate
//! window a call counts against, and, where the API can tell, which URLs an
//! attempt whose answer was lost had already applied ([`Backend::reconcile`]).
//! Everything else (planning, pacing, sending, retrying, reporting) is the
//! API-independent core's (`crate::core`).
//!
//! - [`v2`]: API 2.0, `FlushOrPushOverall` (docs/protocol.md §1, §4).
//! - [`v3`]: API 3.0 (docs/protocol.md §5, §6): its `Job` is the action and
//!   its options (area, flush type, push options…), its `Batch` one
//!   `PurgeUrlsCache` / `PurgePathCache` / `PushUrlsCache` or query call, its
//!   `prepare` writes a JSON body (or a query) with the `Authorization` and
//!   `X-TC-*` headers (or the v1 signature), its `classify` reads
//!   `Response.Error.Code` (a string) and `RequestId`, its `Receipt` carries
//!   the `TaskId`, its `pace_key` is the action (20 calls per second each),
//!   and its `reconcile` looks the URLs up with `Describe*Tasks` through a
//!   [`Lookup`].

pub(crate) mod v2;
pub(crate) mod v3;

use std::fmt;
use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use bytes::Bytes;
use tcdn_model::CdnUrl;

pub(crate) use crate::core::call::Lookup;
pub(crate) use crate::core::plan::Shape;
use crate::credentials::Credentials;
use crate::error::CallError;
use crate::nonce::Nonce;

/// Which Tencent Cloud API a [`Client`](crate::Client) speaks.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Api {
    /// API 2.0, `FlushOrPushOverall` on `cdn.api.qcloud.com` (retired by
    /// Tencent in 2022; the emulator serves it).
    V2,
    /// API 3.0 (`PurgeUrlsCache`, `PurgePathCache`, `PushUrlsCache` and the
    /// queries) on `cdn.tencentcloudapi.com`: the default.
    #[default]
    V3,
}

impl Api {
    /// `v2` or `v3`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2 => "v2",
            Self::V3 => "v3",
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not `v2` or `v3`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownApi(String);

impl fmt::Display for UnknownApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown API {:?}: choose v3 (API 3.0) or v2 (API 2.0)",
            self.0
        )
    }
}

impl std::error::Error for UnknownApi {}

impl FromStr for Api {
    type Err = UnknownApi;

    fn from_str(text: &str) -> Result<Self, UnknownApi> {
        match text {
            "v2" | "2" => Ok(Self::V2),
            "v3" | "3" => Ok(Self::V3),
            other => Err(UnknownApi(other.to_owned())),
        }
    }
}

/// What one attempt is signed with: a fresh timestamp and nonce each time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stamp {
    /// Unix seconds (`Timestamp`, `X-TC-Timestamp`).
    pub unix_seconds: u64,
    /// The `Nonce` (API 2.0 and API 3.0's v1 signature).
    pub nonce: Nonce,
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

    /// The `tcdn.call` span of one call of `batch`.
    fn span(batch: &Self::Batch) -> tracing::Span;

    /// The rate window a call of `batch` counts in; calls with the same key
    /// share one window.
    fn pace_key(batch: &Self::Batch) -> &'static str;

    /// The server's rate window (the client's limit is given per minute and
    /// scaled to it).
    fn rate_window(&self) -> RateWindow;

    /// The signed HTTP request of one attempt, signed with `credentials`
    /// (the client's current ones).
    ///
    /// # Errors
    /// [`RequestTooLarge`](crate::error::CallErrorKind::RequestTooLarge) when
    /// it exceeds the wire limit, or
    /// [`InvalidRequest`](crate::error::CallErrorKind::InvalidRequest).
    fn prepare(
        &self,
        batch: &Self::Batch,
        stamp: Stamp,
        credentials: &Credentials,
    ) -> Result<http::Request<Bytes>, CallError>;

    /// Classifies an HTTP answer (any status) to a call of `batch` (whose
    /// action decides how a success is read); `local_unix` is the local
    /// clock, to tell a clock problem from others.
    fn classify(
        &self,
        batch: &Self::Batch,
        response: &http::Response<Bytes>,
        local_unix: u64,
    ) -> Answer<Self::Receipt>;

    /// The task id an accepted call returned, if the API gives one.
    fn task_id(receipt: &Self::Receipt) -> Option<String>;

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
    /// The lookup could not be done (the error says why): the URLs may or
    /// may not have been applied, so they must not be sent again.
    Unknown(CallError),
    /// The API has no lookup: the batch is resent, as maybe applied.
    Unsupported,
}

/// The HTTP request of either API's prepared request; a request `http`
/// refuses (which the builders' checks should make impossible) is an
/// [`InvalidRequest`](crate::error::CallErrorKind::InvalidRequest) error.
pub(crate) fn http_request<P>(prepared: P) -> Result<http::Request<Bytes>, CallError>
where
    http::Request<Bytes>: TryFrom<P, Error = http::Error>,
{
    http::Request::<Bytes>::try_from(prepared).map_err(|err| {
        CallError::new(
            crate::error::CallErrorKind::InvalidRequest,
            format!("cannot build the HTTP request: {err}"),
        )
    })
}

/// Text from a server (a TaskId, a RequestId, a task's URL or status, an
/// error message, a quota's area, a credential service's answer), fit to
/// print on a terminal or in a text log: control characters (escape
/// sequences that could clear a terminal or forge report lines, line
/// breaks), line and paragraph separators, bidirectional marks and
/// overrides, and invisible zero-width characters are escaped as `\u{…}`.
/// Borrowed (no copy) when there is nothing to escape. JSON output needs
/// none of this: it carries the value as received, escaped as JSON.
///
/// ```
/// assert_eq!(tcdn::printable("task-1"), "task-1");
/// assert_eq!(tcdn::printable("t\x1b[2J\nok"), "t\\u{1b}[2J\\u{a}ok");
/// assert_eq!(tcdn::printable("a\u{200b}b"), "a\\u{200b}b");
/// ```
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(
                c,
                '\u{200b}'..='\u{200f}'
                    | '\u{2028}'..='\u{202e}'
                    | '\u{2060}'..='\u{2069}'
                    | '\u{feff}'
            )
    };
    if !text.contains(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// At most 200 characters of a body, for messages (made
/// [`printable`]).
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let head: String = text.chars().take(200).collect();
    let mut out = printable(&head).into_owned();
    if text.chars().count() > 200 {
        out.push('…');
    }
    if out.is_empty() {
        out.push_str("(empty body)");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_cannot_drive_the_terminal() {
        assert_eq!(printable("plain 文字"), "plain 文字");
        assert_eq!(
            printable("a\x1b[2Jb\nFAILED 0 URLs\r\u{202e}x"),
            "a\\u{1b}[2Jb\\u{a}FAILED 0 URLs\\u{d}\\u{202e}x"
        );
        assert_eq!(snippet(b"\x1b]0;title\x07"), "\\u{1b}]0;title\\u{7}");
    }
}
