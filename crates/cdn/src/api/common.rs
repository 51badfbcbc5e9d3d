//! What both API modules share: how a number is written into a signed
//! request without allocating, the order the signature sorts names in, and
//! what an HTTP status other than 200 means.

use crate::core::backend::Class;
use crate::error::{CallError, CallErrorKind};

/// The decimal digits of `value`, written into `buffer`.
pub(crate) fn decimal(mut value: u64, buffer: &mut [u8; 20]) -> &str {
    let mut start = buffer.len();
    loop {
        start -= 1;
        buffer[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    std::str::from_utf8(&buffer[start..]).unwrap_or_default()
}

/// Compares names as the signature orders them: `_` read as `.`, then bytes.
pub(crate) fn folded_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let fold = |c: u8| if c == b'_' { b'.' } else { c };
    a.bytes().map(fold).cmp(b.bytes().map(fold))
}

/// The refusal an HTTP status other than success stands for, before the
/// API's own answer in the body is read: `too_large` names the statuses the
/// API answers an oversized request with (`what_too_large` says so to the
/// user); 429 is a rate limit; other 5xx are temporary and retried; anything
/// else is permanent, shown with the start of the body.
pub(crate) fn status_refusal(
    status: u16,
    too_large: &[u16],
    what_too_large: &str,
    body: &[u8],
) -> (CallError, Class) {
    let (kind, class, what) = match status {
        s if too_large.contains(&s) => (
            CallErrorKind::RequestTooLarge,
            Class::Permanent,
            what_too_large.to_owned(),
        ),
        429 => (
            CallErrorKind::HttpStatus,
            Class::RateLimited,
            "too many requests".to_owned(),
        ),
        500..=599 => (
            CallErrorKind::HttpStatus,
            Class::Retryable,
            "the server had a temporary problem".to_owned(),
        ),
        _ => (
            CallErrorKind::HttpStatus,
            Class::Permanent,
            format!("unexpected answer: {}", crate::text::snippet(body)),
        ),
    };
    let mut error = CallError::new(kind, format!("HTTP {status}: {what}"));
    error.http_status = Some(status);
    (error, class)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_writes_digits() {
        let mut buffer = [0; 20];
        assert_eq!(decimal(0, &mut buffer), "0");
        assert_eq!(decimal(u64::MAX, &mut buffer), "18446744073709551615");
    }

    #[test]
    fn names_sort_with_underscore_read_as_dot() {
        use std::cmp::Ordering;
        assert_eq!(folded_cmp("urls_1", "urls.1"), Ordering::Equal);
        assert_eq!(folded_cmp("a.b", "a_c"), Ordering::Less);
        assert_eq!(folded_cmp("Z", "a"), Ordering::Less);
    }

    #[test]
    fn statuses_mean_the_same_for_both_apis() {
        let (error, class) = status_refusal(429, &[501], "too large", b"");
        assert_eq!(
            (class, error.message.as_str()),
            (Class::RateLimited, "HTTP 429: too many requests")
        );
        let (error, class) = status_refusal(501, &[501], "too large", b"");
        assert_eq!(
            (class, error.kind()),
            (Class::Permanent, CallErrorKind::RequestTooLarge)
        );
        let (_, class) = status_refusal(501, &[413, 414], "too large", b"");
        assert_eq!(class, Class::Retryable);
        let (error, class) = status_refusal(404, &[], "", b"<html>\x1b[2J");
        assert_eq!(class, Class::Permanent);
        assert!(error.message.contains("\\u{1b}"), "{}", error.message);
        assert_eq!(error.http_status(), Some(404));
    }
}
