//! The validation error shared by URLs, requests, the parameter parser and the
//! form decoder.

use std::fmt;

/// What went wrong while building or parsing a request.
///
/// Every variant is `Copy`, so callers (the emulator in particular) can match
/// on it and map it to a server reply without holding on to the error.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelErrorKind {
    /// The URL does not start with `http://` or `https://`.
    UrlScheme,
    /// The URL has no host, a malformed port, or user info before the host.
    UrlHost,
    /// The URL contains whitespace or a control character.
    UrlCharacter,
    /// The URL contains a `#` fragment, which never reaches a CDN.
    UrlFragment,
    /// The URL is longer than [`MAX_URL_LEN`](crate::MAX_URL_LEN) bytes.
    UrlTooLong,
    /// The batch is empty.
    NoUrls,
    /// The batch holds more URLs than one request of this operation allows.
    TooManyUrls {
        /// How many URLs the batch holds.
        count: usize,
        /// The per-request limit of the operation.
        limit: usize,
    },
    /// The same URL appears twice in one batch.
    DuplicateUrl,
    /// Neither mainland nor oversea was chosen.
    NoArea,
    /// A push (prefetch) of directories was asked for; only URLs can be pushed.
    PushDirectory,
    /// A required wire parameter (`command` or `type`) is missing.
    MissingParameter,
    /// A wire parameter that may appear once appears more than once.
    DuplicateParameter,
    /// `command` is neither `flush` nor `push`.
    UnknownCommand,
    /// `type` is neither `url` nor `dir`.
    UnknownType,
    /// `mainland` or `oversea` is not `1`, `0` or empty.
    InvalidAreaFlag,
    /// A `urls.N` name has a bad index, or the indices have gaps or repeats.
    UrlIndex,
    /// A URL alone is too large to fit the wire budget it was planned for.
    ExceedsWireLimit,
    /// A form-encoded input decodes to bytes that are not UTF-8.
    FormEncoding,
    /// An API 3.0 list (`Urls`, `Paths`, `Headers`) holds more items than one
    /// call allows.
    ListTooLong {
        /// The list's wire name (`Urls`, `Paths`, `Headers`).
        field: &'static str,
        /// How many items it holds.
        count: usize,
        /// The per-call limit.
        limit: usize,
    },
    /// A value is not one of the wire values its field allows (an area, a
    /// `FlushType`, a `Status`, …).
    UnknownValue,
    /// An API 3.0 per-call limit of zero was asked for.
    ZeroLimit,
    /// An HTTP header name is empty, too long or not an HTTP token.
    HeaderName,
    /// An HTTP header value (or `UserAgent`) is too long or holds a character
    /// HTTP does not allow in a header.
    HeaderValue,
    /// A time is not `YYYY-MM-DD HH:MM:SS`, or not a real date and time.
    DateTime,
    /// `EndTime` is before `StartTime`.
    TimeRange,
    /// A task query names neither a `TaskId` nor a `StartTime`.
    NoTaskSelector,
    /// A `TaskId` or `Keyword` is empty, too long or holds control or format
    /// characters.
    QueryText,
    /// An EdgeOne zone id is empty, too long or holds a character other
    /// than ASCII letters, digits, `-` and `_`.
    ZoneId,
    /// A hostname (an EdgeOne `purge_host` target or cache-tag domain) is
    /// empty, too long or not a well-formed host.
    Hostname,
    /// An EdgeOne cache tag is empty, too long or holds a control or format
    /// character.
    CacheTag,
}

/// A validation error: its [`kind`](ModelError::kind) and a message that
/// names the offending value and the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    kind: ModelErrorKind,
    message: String,
}

/// At most this many characters of an offending value are quoted in a message,
/// so that a 1 MB bogus value does not turn into a 1 MB log line.
const QUOTE_MAX_CHARS: usize = 120;

impl ModelError {
    pub(crate) fn new(kind: ModelErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The class of the error, for matching.
    pub fn kind(&self) -> ModelErrorKind {
        self.kind
    }

    /// The human-readable message (the same text as `Display`).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ModelError {}

/// Quotes a user-supplied value for an error message: Rust string escaping
/// (so control characters are visible), cut to a bounded length.
/// Checks a list of `count` items against a per-call `limit` (API 3.0 and
/// EdgeOne): a limit of 0 is [`ZeroLimit`](ModelErrorKind::ZeroLimit), an
/// empty list [`NoUrls`](ModelErrorKind::NoUrls), a longer one
/// [`ListTooLong`](ModelErrorKind::ListTooLong).
pub(crate) fn check_count(
    field: &'static str,
    count: usize,
    limit: usize,
) -> Result<(), ModelError> {
    if limit == 0 {
        return Err(ModelError::new(
            ModelErrorKind::ZeroLimit,
            "a per-call limit of 0 allows no call at all; it must be at least 1",
        ));
    }
    if count == 0 {
        return Err(ModelError::new(
            ModelErrorKind::NoUrls,
            format!("{field} is empty; give at least one"),
        ));
    }
    if count > limit {
        return Err(ModelError::new(
            ModelErrorKind::ListTooLong {
                field,
                count,
                limit,
            },
            format!(
                "{field} holds {count} items; one call carries at most {limit} \
                 (split them into several calls)"
            ),
        ));
    }
    Ok(())
}

pub(crate) fn quote(value: &str) -> String {
    match value.char_indices().nth(QUOTE_MAX_CHARS) {
        None => format!("{value:?}"),
        Some((cut, _)) => format!("{:?}… ({} bytes)", &value[..cut], value.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_escaped_and_bounded() {
        assert_eq!(quote("a\nb"), r#""a\nb""#);
        let long = "é".repeat(500);
        let quoted = quote(&long);
        assert!(quoted.chars().count() < QUOTE_MAX_CHARS + 30, "{quoted}");
        assert!(quoted.ends_with("(1000 bytes)"), "{quoted}");
    }
}
