//! API 2.0 answers: what an HTTP answer of `FlushOrPushOverall` means for
//! the call (docs/protocol.md §4): accepted, or refused with a [`Class`]
//! that tells the core whether to retry.

use bytes::Bytes;
use tcdn_model::v2::{CommonCode, Envelope, ModuleCode, Retryability};

use crate::api::common::status_refusal;
use crate::core::backend::{Answer, Class};
use crate::core::skew::parse_http_date;
use crate::error::{CallError, CallErrorKind};

/// Classifies one HTTP answer: 2xx with `code` 0 is accepted; 501 means too
/// large; 429 and other 5xx are retryable; any other status is permanent.
/// Under 2xx, the code catalogue decides (`Retryability`): transient codes
/// retry, 4400 and the "too frequent" module codes are rate limits, daily
/// quotas stop, and a 4500 is about the nonce (retried once) or about the
/// clock ([`CallErrorKind::ClockSkew`]).
pub(crate) fn classify(response: &http::Response<Bytes>, local_unix: u64) -> Answer<Envelope> {
    let status = response.status().as_u16();
    let envelope = Envelope::from_slice(response.body());
    if !response.status().is_success() {
        let (mut error, class) = status_refusal(
            status,
            &[501],
            "the request is too large for the server (GET 32 KB, POST 1 MB)",
            response.body(),
        );
        if let Ok(envelope) = &envelope
            && !envelope.is_success()
        {
            error.code = Some(envelope.code());
            error.module_code = envelope.module_code().map(|m| m.code());
        }
        return Answer::Refused { error, class };
    }
    let envelope = match envelope {
        Ok(envelope) => envelope,
        Err(err) => {
            let mut error = CallError::new(
                CallErrorKind::InvalidResponse,
                format!("HTTP {status} with an unreadable answer: {err}"),
            );
            error.http_status = Some(status);
            return Answer::Refused {
                error,
                class: Class::Permanent,
            };
        }
    };
    if envelope.is_success() {
        return Answer::Accepted(envelope);
    }
    let code = envelope.code();
    let module = envelope.module_code();
    let mut text = format!("API error {}", CommonCode::from_code(code));
    if let Some(module) = module {
        text.push_str(&format!(", module code {module}"));
    }
    if !envelope.message_text().is_empty() {
        text.push_str(": ");
        text.push_str(&crate::text::printable(envelope.message_text()));
    }
    let mut kind = CallErrorKind::Api;
    let class = if code == CommonCode::Replay.code() {
        match replay_cause(&envelope, response, local_unix) {
            ReplayCause::Clock(detail) => {
                kind = CallErrorKind::ClockSkew;
                text = format!(
                    "{text} — the request's Timestamp is off{detail}: it must be within 2 hours \
                     of the server's time; check the local clock (or the fixed timestamp, if \
                     one was given)"
                );
                Class::Clock
            }
            ReplayCause::Nonce => Class::RetryOnce,
        }
    } else if code == CommonCode::AuthenticationFailed.code() && token_refused(&envelope) {
        Class::CredentialsRefused
    } else {
        if code == CommonCode::RequestExpired.code() {
            text.push_str(" (check that the local clock is right)");
        }
        let rate_limited = module.map_or(code == CommonCode::QuotaExceeded.code(), |m| {
            matches!(m, ModuleCode::TooFrequent | ModuleCode::PurgeTooFrequent)
        });
        match envelope.retryability() {
            Some(Retryability::Retryable) if rate_limited => Class::RateLimited,
            Some(Retryability::Retryable) => Class::Retryable,
            Some(Retryability::NotToday) => Class::DailyQuotaExhausted,
            _ => Class::Permanent,
        }
    };
    let mut error = CallError::new(kind, text);
    error.http_status = Some(status);
    error.code = Some(code);
    error.module_code = module.map(|m| m.code());
    Answer::Refused { error, class }
}

/// Whether a 4100 names the session token (`codeDesc`
/// `AuthFailure.TokenFailure`): the documentation gives no code for it [U];
/// API 3.0's name is what the emulator sends, and what a server speaking
/// API 3.0's codes underneath would.
fn token_refused(envelope: &Envelope) -> bool {
    matches!(envelope.code_desc(), Some(tcdn_model::v2::CodeDesc::Text(text)) if text == "AuthFailure.TokenFailure")
}

enum ReplayCause {
    /// The detail to add after "the request's Timestamp is off".
    Clock(String),
    Nonce,
}

/// Why a 4500 was answered: the message is read first (English or Chinese
/// words for time or nonce); when it names both or neither, the `Date`
/// header decides (more than an hour off means the clock); otherwise the
/// nonce is assumed.
fn replay_cause(
    envelope: &Envelope,
    response: &http::Response<Bytes>,
    local_unix: u64,
) -> ReplayCause {
    let message = envelope.message().to_lowercase();
    let about_nonce = message.contains("nonce");
    let about_time = ["timestamp", "clock", "time", "时间", "时钟"]
        .iter()
        .any(|word| message.contains(word));
    let server_unix = response
        .headers()
        .get(http::header::DATE)
        .and_then(|value| value.to_str().ok())
        .and_then(parse_http_date)
        .and_then(|seconds| u64::try_from(seconds).ok());
    // i128: a far-future timestamp (up to u64::MAX) is ahead, not wrapped
    // around to "behind".
    let skew = server_unix.map(|server| i128::from(local_unix) - i128::from(server));
    let detail = match skew {
        Some(skew) if skew > 0 => format!(" (about {skew} s ahead of the server's Date header)"),
        Some(skew) if skew < 0 => {
            format!(" (about {} s behind the server's Date header)", -skew)
        }
        _ => String::new(),
    };
    let clock_disagrees = skew.is_some_and(|skew| skew.unsigned_abs() > 3600);
    match (about_time, about_nonce) {
        (true, false) => ReplayCause::Clock(detail),
        (false, true) => ReplayCause::Nonce,
        _ if clock_disagrees => ReplayCause::Clock(detail),
        _ => ReplayCause::Nonce,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay_about_time(local_unix: u64) -> CallError {
        let response = http::Response::builder()
            .header(http::header::DATE, "Tue, 14 Nov 2023 22:13:20 GMT")
            .body(Bytes::from_static(
                br#"{"code":4500,"message":"Timestamp is off: check the clock","codeDesc":"ReplayAttack"}"#,
            ))
            .unwrap();
        match classify(&response, local_unix) {
            Answer::Refused { error, class } => {
                assert_eq!(class, Class::Clock);
                error
            }
            Answer::Accepted(_) => panic!("accepted"),
        }
    }

    #[test]
    fn a_far_future_timestamp_is_ahead_and_may_have_been_given() {
        let ahead = replay_about_time(u64::MAX).to_string();
        assert!(
            ahead.contains("s ahead of the server's Date header"),
            "{ahead}"
        );
        assert!(!ahead.contains("behind"), "{ahead}");
        assert!(ahead.contains("or the fixed timestamp"), "{ahead}");
        assert!(!ahead.contains("fix the system clock"), "{ahead}");
        let behind = replay_about_time(1_700_000_000 - 10_000).to_string();
        assert!(behind.contains("about 10000 s behind"), "{behind}");
    }
}
