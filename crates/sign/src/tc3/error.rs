//! Errors of TC3 signing and of verification.
//!
//! They name headers, dates, services and lengths, never header values (a
//! value may be an `X-TC-Token`), keys or signatures.

use core::fmt;

use super::{Date, MAX_SIGNED_HEADERS, MAX_TIMESTAMP};
use crate::error::debug_as_kind_and_message;

/// What kind of [`Error`] this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A header name is empty or holds a byte HTTP does not allow in names
    /// (spaces, `:`, `;`, control bytes, non-ASCII).
    InvalidHeaderName,
    /// A header value holds a control byte (CR, LF, NUL, …) other than tab.
    InvalidHeaderValue,
    /// Two headers have the same name, case aside.
    DuplicateHeader,
    /// `content-type` or `host` is not among the signed headers; the
    /// server requires both (docs/protocol.md §6).
    MissingRequiredHeader,
    /// More than [`MAX_SIGNED_HEADERS`] signed headers.
    TooManyHeaders,
    /// A timestamp after [`MAX_TIMESTAMP`].
    TimestampOutOfRange,
    /// An `X-TC-Timestamp` that is not a plain decimal number.
    InvalidTimestamp,
    /// A date that is not a real `YYYY-MM-DD` from 1970 to 9999.
    InvalidDate,
    /// A service name that is empty, too long or not `[a-z0-9_-]`.
    InvalidService,
    /// A SecretId that is empty or holds `/`, `,`, a space or a control
    /// byte, which would break the `Credential=` of the header.
    InvalidSecretId,
    /// The [`SigningKey`](super::SigningKey) was derived for another UTC
    /// date than the request timestamp's.
    KeyMismatch,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Detail {
    HeaderName { index: usize },
    HeaderValue { name: String },
    Duplicate { first: String, second: String },
    Required { name: &'static str },
    TooMany { count: usize },
    OutOfRange { seconds: u64 },
    Timestamp { len: usize },
    Date { text: String },
    Service { text: String },
    SecretId,
    KeyDate { key: Date, request: Date },
}

/// A request that cannot be signed as given.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    detail: Detail,
}

/// Keeps at most 64 characters of caller text in a message.
fn clip(text: &str) -> String {
    text.chars().take(64).collect()
}

impl Error {
    pub(crate) fn invalid_header_name(index: usize) -> Self {
        Self {
            detail: Detail::HeaderName { index },
        }
    }

    pub(crate) fn invalid_header_value(name: &str) -> Self {
        Self {
            detail: Detail::HeaderValue { name: clip(name) },
        }
    }

    pub(crate) fn duplicate_header(first: &str, second: &str) -> Self {
        Self {
            detail: Detail::Duplicate {
                first: clip(first),
                second: clip(second),
            },
        }
    }

    pub(crate) fn missing_required(name: &'static str) -> Self {
        Self {
            detail: Detail::Required { name },
        }
    }

    pub(crate) fn too_many_headers(count: usize) -> Self {
        Self {
            detail: Detail::TooMany { count },
        }
    }

    pub(crate) fn timestamp_out_of_range(seconds: u64) -> Self {
        Self {
            detail: Detail::OutOfRange { seconds },
        }
    }

    pub(crate) fn invalid_timestamp(len: usize) -> Self {
        Self {
            detail: Detail::Timestamp { len },
        }
    }

    pub(crate) fn invalid_date(text: &str) -> Self {
        Self {
            detail: Detail::Date { text: clip(text) },
        }
    }

    pub(crate) fn invalid_service(text: &str) -> Self {
        Self {
            detail: Detail::Service { text: clip(text) },
        }
    }

    pub(crate) fn invalid_secret_id() -> Self {
        Self {
            detail: Detail::SecretId,
        }
    }

    pub(crate) fn key_mismatch(key: Date, request: Date) -> Self {
        Self {
            detail: Detail::KeyDate { key, request },
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        match self.detail {
            Detail::HeaderName { .. } => ErrorKind::InvalidHeaderName,
            Detail::HeaderValue { .. } => ErrorKind::InvalidHeaderValue,
            Detail::Duplicate { .. } => ErrorKind::DuplicateHeader,
            Detail::Required { .. } => ErrorKind::MissingRequiredHeader,
            Detail::TooMany { .. } => ErrorKind::TooManyHeaders,
            Detail::OutOfRange { .. } => ErrorKind::TimestampOutOfRange,
            Detail::Timestamp { .. } => ErrorKind::InvalidTimestamp,
            Detail::Date { .. } => ErrorKind::InvalidDate,
            Detail::Service { .. } => ErrorKind::InvalidService,
            Detail::SecretId => ErrorKind::InvalidSecretId,
            Detail::KeyDate { .. } => ErrorKind::KeyMismatch,
        }
    }
}

debug_as_kind_and_message!(Error, "tc3::Error");

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.detail {
            Detail::HeaderName { index } => write!(
                f,
                "header #{index} has an invalid name (empty, or a space, `:`, `;`, control or \
                 non-ASCII byte)"
            ),
            Detail::HeaderValue { name } => write!(
                f,
                "header `{name}` has a control byte in its value (CR, LF, NUL, ...); \
                 it cannot be signed or sent"
            ),
            Detail::Duplicate { first, second } => write!(
                f,
                "headers `{first}` and `{second}` are the same name (case aside); \
                 each signed header may appear once"
            ),
            Detail::Required { name } => write!(
                f,
                "header `{name}` is not among the signed headers; TC3 requires \
                 `content-type` and `host`"
            ),
            Detail::TooMany { count } => write!(
                f,
                "{count} signed headers exceed the limit of {MAX_SIGNED_HEADERS}"
            ),
            Detail::OutOfRange { seconds } => write!(
                f,
                "timestamp {seconds} is after 9999-12-31T23:59:59Z ({MAX_TIMESTAMP}); \
                 the credential scope has four-digit years"
            ),
            Detail::Timestamp { len } => write!(
                f,
                "the timestamp ({len} bytes) is not a decimal number of seconds without \
                 sign, spaces or leading zeros"
            ),
            Detail::Date { text } => write!(
                f,
                "`{text}` is not a date YYYY-MM-DD between 1970-01-01 and 9999-12-31"
            ),
            Detail::Service { text } => write!(
                f,
                "`{text}` is not a service name (1 to 32 bytes of a-z, 0-9, `-`, `_`)"
            ),
            Detail::SecretId => {
                f.write_str("the SecretId is empty or holds `/`, `,`, a space or a control byte")
            }
            Detail::KeyDate { key, request } => write!(
                f,
                "the signing key was derived for {key} but the request timestamp is on \
                 {request} (UTC); derive a key for {request}"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// What kind of [`VerifyError`] this is; a server answers each differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerifyErrorKind {
    /// The `Authorization` header or `X-TC-Timestamp` cannot be read, or
    /// the received headers cannot be verified as they stand (a signed
    /// header sent twice).
    Malformed,
    /// The `Authorization` header names another algorithm than
    /// `TC3-HMAC-SHA256`.
    UnsupportedAlgorithm,
    /// The credential scope's date is not the UTC date of `X-TC-Timestamp`,
    /// or its service is not the server's.
    ScopeMismatch,
    /// A header named in `SignedHeaders` is not in the request.
    MissingHeader,
    /// The signature differs from the one computed with the key.
    Mismatch,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum VerifyDetail {
    Malformed { what: &'static str },
    Timestamp(Error),
    Algorithm { name: String },
    ScopeDate { scope: Date, timestamp: Date },
    ScopeService { scope: String, expected: String },
    Missing { name: String },
    Twice { name: String },
    Mismatch,
}

/// A request whose TC3 signature does not check out.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifyError {
    detail: VerifyDetail,
}

impl VerifyError {
    pub(crate) fn malformed(what: &'static str) -> Self {
        Self {
            detail: VerifyDetail::Malformed { what },
        }
    }

    pub(crate) fn timestamp(source: Error) -> Self {
        Self {
            detail: VerifyDetail::Timestamp(source),
        }
    }

    pub(crate) fn algorithm(name: &str) -> Self {
        Self {
            detail: VerifyDetail::Algorithm { name: clip(name) },
        }
    }

    pub(crate) fn scope_date(scope: Date, timestamp: Date) -> Self {
        Self {
            detail: VerifyDetail::ScopeDate { scope, timestamp },
        }
    }

    pub(crate) fn scope_service(scope: &str, expected: &str) -> Self {
        Self {
            detail: VerifyDetail::ScopeService {
                scope: scope.to_owned(),
                expected: expected.to_owned(),
            },
        }
    }

    pub(crate) fn missing_header(name: &str) -> Self {
        Self {
            detail: VerifyDetail::Missing { name: clip(name) },
        }
    }

    pub(crate) fn header_twice(name: &str) -> Self {
        Self {
            detail: VerifyDetail::Twice { name: clip(name) },
        }
    }

    pub(crate) fn mismatch() -> Self {
        Self {
            detail: VerifyDetail::Mismatch,
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> VerifyErrorKind {
        match self.detail {
            VerifyDetail::Malformed { .. }
            | VerifyDetail::Timestamp(_)
            | VerifyDetail::Twice { .. } => VerifyErrorKind::Malformed,
            VerifyDetail::Algorithm { .. } => VerifyErrorKind::UnsupportedAlgorithm,
            VerifyDetail::ScopeDate { .. } | VerifyDetail::ScopeService { .. } => {
                VerifyErrorKind::ScopeMismatch
            }
            VerifyDetail::Missing { .. } => VerifyErrorKind::MissingHeader,
            VerifyDetail::Mismatch => VerifyErrorKind::Mismatch,
        }
    }
}

debug_as_kind_and_message!(VerifyError, "tc3::VerifyError");

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.detail {
            VerifyDetail::Malformed { what } => {
                write!(f, "malformed Authorization header: {what}")
            }
            VerifyDetail::Timestamp(source) => write!(f, "malformed X-TC-Timestamp: {source}"),
            VerifyDetail::Algorithm { name } => write!(
                f,
                "the Authorization header uses algorithm `{name}`; only TC3-HMAC-SHA256 \
                 is supported"
            ),
            VerifyDetail::ScopeDate { scope, timestamp } => write!(
                f,
                "the credential scope is dated {scope} but X-TC-Timestamp is on {timestamp} (UTC)"
            ),
            VerifyDetail::ScopeService { scope, expected } => write!(
                f,
                "the credential scope is for service `{scope}`, not `{expected}`"
            ),
            VerifyDetail::Missing { name } => {
                write!(f, "signed header `{name}` is not in the request")
            }
            VerifyDetail::Twice { name } => write!(
                f,
                "signed header `{name}` appears more than once in the request"
            ),
            VerifyDetail::Mismatch => f.write_str("the signature does not match the request"),
        }
    }
}

// `Display` already states the cause, so `source()` does not repeat it:
// an error chain would print it twice.
impl std::error::Error for VerifyError {}
