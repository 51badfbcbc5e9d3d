//! API 3.0 answers: what an HTTP answer means for the call (docs/protocol.md
//! §5.1–§5.3): accepted (a [`Receipt`] read as the action's answer), or
//! refused with a [`Class`] from the code's [`ErrorClass`].

use bytes::Bytes;
use tcdn_model::v3::{
    Action, Answer as ApiAnswer, AnswerBody, ApiError, Domains, ErrorClass, ErrorCode, PurgeQuota,
    PurgeTasks, PushQuota, PushTasks, TaskSubmitted,
};

use crate::api::common::status_refusal;
use crate::core::backend::{Answer, Class};
use crate::error::{CallError, CallErrorKind};

/// What an accepted API 3.0 call returned (EdgeOne's calls too, with
/// their own answers as `B`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Receipt<B = Body> {
    /// `RequestId`.
    pub(crate) request_id: Option<String>,
    /// The action's answer.
    pub(crate) body: B,
}

/// An answer read: its `RequestId` and the action's payload or the server's
/// error, or a body that is no answer.
pub(crate) type Parsed<B> =
    Result<(Option<String>, Result<B, ApiError>), tcdn_model::v3::AnswerError>;

/// How a product's error codes are read: their class and meaning.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Codes {
    /// The code's class.
    pub(crate) class: fn(&ApiError) -> ErrorClass,
    /// What the code means.
    pub(crate) meaning: fn(&ApiError) -> &'static str,
}

/// API 3.0's own catalogue.
const CDN_CODES: Codes = Codes {
    class: ApiError::class,
    meaning: |error| error.code().meaning(),
};

/// The answer of each action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Body {
    /// `PurgeUrlsCache`, `PurgePathCache`, `PushUrlsCache`.
    Task(TaskSubmitted),
    /// `DescribePurgeTasks`.
    PurgeTasks(PurgeTasks),
    /// `DescribePushTasks`.
    PushTasks(PushTasks),
    /// `DescribePurgeQuota`.
    PurgeQuota(PurgeQuota),
    /// `DescribePushQuota`.
    PushQuota(PushQuota),
    /// `DescribeDomains`.
    Domains(Domains),
}

/// Reads `body` as an answer of `T`, its payload wrapped by `wrap`.
pub(crate) fn read<T: AnswerBody, B>(body: &[u8], wrap: fn(T) -> B) -> Parsed<B> {
    let answer = ApiAnswer::<T>::from_slice(body)?;
    let request_id = answer.request_id().map(str::to_owned);
    Ok((request_id, answer.into_result().map(wrap)))
}

/// Reads `body` as `action`'s answer.
fn parse(action: Action, body: &[u8]) -> Parsed<Body> {
    match action {
        Action::PurgeUrlsCache | Action::PurgePathCache | Action::PushUrlsCache => {
            read(body, Body::Task)
        }
        Action::DescribePurgeTasks => read(body, Body::PurgeTasks),
        Action::DescribePushTasks => read(body, Body::PushTasks),
        Action::DescribePurgeQuota => read(body, Body::PurgeQuota),
        Action::DescribePushQuota => read(body, Body::PushQuota),
        Action::DescribeDomains => read(body, Body::Domains),
    }
}

/// The core's class of an API 3.0 error code (docs/protocol.md §5.3): the
/// rate limits (`RequestLimitExceeded` and its sub-codes, `…TooOften`) wait
/// for the server's window, other retryable codes back off. A code about one
/// of the call's domains is a host refusal (§12.6), and so is
/// `InvalidParameter.CdnParamError` when the call may name an area the
/// domain does not serve (`area`: it carries an `Area`, or is a push, whose
/// default area is mainland), the likeliest answer to that (§12.3).
fn class_of(error: &ApiError, codes: Codes, area: bool) -> Class {
    let code = error.code();
    let family = code.as_str().split('.').next().unwrap_or_default();
    if code.concerns_host() || (area && *code == ErrorCode::CdnParamError) {
        return Class::HostRefused;
    }
    match (codes.class)(error) {
        ErrorClass::Retryable
            if family == "RequestLimitExceeded" || code.as_str().ends_with("TooOften") =>
        {
            Class::RateLimited
        }
        ErrorClass::Retryable => Class::Retryable,
        ErrorClass::Clock => Class::Clock,
        _ if matches!(code, ErrorCode::TokenFailure) => Class::CredentialsRefused,
        ErrorClass::DailyQuota => Class::DailyQuotaExhausted,
        _ => Class::Permanent,
    }
}

/// The error of an API 3.0 `Error` object, fit for a user.
fn api_error(
    error: &ApiError,
    request_id: Option<String>,
    status: u16,
    codes: Codes,
    area: bool,
) -> (CallError, Class) {
    let code = error.code();
    let class = class_of(error, codes, area);
    let shown = crate::text::printable(code.as_str());
    let mut text = format!("API error {shown} ({})", (codes.meaning)(error));
    if !error.message().is_empty() {
        text.push_str(": ");
        text.push_str(&crate::text::printable(error.message()));
    }
    let kind = if class == Class::Clock {
        text.push_str(
            " — the request's timestamp is off: it must be within 5 minutes of the server's \
             time; check the local clock (or the fixed timestamp, if one was given)",
        );
        CallErrorKind::ClockSkew
    } else {
        CallErrorKind::Api
    };
    let mut call_error = CallError::new(kind, text);
    call_error.http_status = Some(status);
    call_error.error_code = Some(shown.into());
    call_error.request_id = request_id.map(String::into_boxed_str);
    (call_error, class)
}

/// Classifies one HTTP answer to a call of `action`: a 2xx with the
/// action's payload is accepted; a 2xx with `Response.Error` is refused by
/// its code's class (rate limits and internal errors retry, a signature
/// expiry is the clock, daily quotas stop, the rest is permanent). Other
/// statuses: 429 is a rate limit, other 5xx retry, 413 and 414 mean too
/// large, the rest is permanent; an API error in their body is reported.
/// `area`: the call may name an area its domains do not serve (see
/// [`class_of`]).
pub(crate) fn classify(
    action: Action,
    response: &http::Response<Bytes>,
    area: bool,
) -> Answer<Receipt> {
    let parsed = parse(action, response.body());
    classify_parsed(action.as_str(), response, parsed, CDN_CODES, area)
}

/// [`classify`] of an answer already read (`parsed`) as `action`'s, its
/// error codes read by `codes`: shared by the products that speak API 3.0.
/// `area` as for [`classify`].
pub(crate) fn classify_parsed<B>(
    action: &str,
    response: &http::Response<Bytes>,
    parsed: Parsed<B>,
    codes: Codes,
    area: bool,
) -> Answer<Receipt<B>> {
    let status = response.status().as_u16();
    if !response.status().is_success() {
        let (mut error, class) = status_refusal(
            status,
            &[413, 414],
            "the request is too large for the server",
            response.body(),
        );
        if let Ok((request_id, Err(api))) = parsed {
            error.error_code = Some(crate::text::printable(api.code().as_str()).into());
            error.request_id = request_id.map(String::into_boxed_str);
            error.message.push_str(&format!(
                " ({}: {})",
                crate::text::printable(api.code().as_str()),
                crate::text::printable(api.message())
            ));
        }
        return Answer::Refused { error, class };
    }
    match parsed {
        Ok((request_id, Ok(body))) => Answer::Accepted(Receipt { request_id, body }),
        Ok((request_id, Err(api))) => {
            let (error, class) = api_error(&api, request_id, status, codes, area);
            Answer::Refused { error, class }
        }
        Err(unreadable) => {
            let mut error = CallError::new(
                CallErrorKind::InvalidResponse,
                format!("HTTP {status} to {action}: {unreadable}"),
            );
            error.http_status = Some(status);
            Answer::Refused {
                error,
                class: Class::Permanent,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> http::Response<Bytes> {
        http::Response::builder()
            .status(status)
            .body(Bytes::from(body.to_owned()))
            .unwrap()
    }

    fn refused(action: Action, status: u16, body: &str) -> (CallError, Class) {
        match classify(action, &answer(status, body), false) {
            Answer::Refused { error, class } => (error, class),
            Answer::Accepted(receipt) => panic!("accepted: {receipt:?}"),
        }
    }

    fn error_body(code: &str) -> String {
        format!(r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"m"}},"RequestId":"r-1"}}}}"#)
    }

    /// A `Message` (or an unknown `Code`) with escape sequences cannot
    /// clear the terminal or forge report lines.
    #[test]
    fn server_text_is_printed_with_control_characters_escaped() {
        let body = r#"{"Response":{"Error":{"Code":"X.\u001b[2J","Message":"bad\nFAILED 0 URLs\u001b[1A"},"RequestId":"r-1"}}"#;
        let (error, _) = refused(Action::PurgeUrlsCache, 200, body);
        let text = error.to_string();
        assert!(!text.contains(['\u{1b}', '\n']), "{text:?}");
        assert!(text.contains("bad\\u{a}FAILED 0 URLs\\u{1b}[1A"), "{text}");
        assert_eq!(error.error_code(), Some("X.\\u{1b}[2J"));
        let (error, _) = refused(Action::PurgeUrlsCache, 502, "<h1>\u{1b}]0;x\u{7}</h1>");
        assert!(!error.to_string().contains('\u{1b}'), "{error}");
    }

    #[test]
    fn a_task_id_is_read() {
        let body = r#"{"Response":{"TaskId":"1533045796-i60rfmzm","RequestId":"r-0"}}"#;
        let Answer::Accepted(receipt) = classify(Action::PurgeUrlsCache, &answer(200, body), false)
        else {
            panic!("refused")
        };
        assert_eq!(receipt.request_id.as_deref(), Some("r-0"));
        assert_eq!(
            receipt.body,
            Body::Task(TaskSubmitted {
                task_id: "1533045796-i60rfmzm".into()
            })
        );
    }

    #[test]
    fn codes_are_classed_and_named() {
        for (code, class, kind) in [
            (
                "RequestLimitExceeded",
                Class::RateLimited,
                CallErrorKind::Api,
            ),
            (
                "RequestLimitExceeded.UinLimitExceeded",
                Class::RateLimited,
                CallErrorKind::Api,
            ),
            (
                "ResourceInUse.CdnOpInProgress",
                Class::Retryable,
                CallErrorKind::Api,
            ),
            (
                "AuthFailure.TokenFailure",
                Class::CredentialsRefused,
                CallErrorKind::Api,
            ),
            (
                "UnauthorizedOperation.OperationTooOften",
                Class::RateLimited,
                CallErrorKind::Api,
            ),
            (
                "InternalError.CdnSystemError",
                Class::Retryable,
                CallErrorKind::Api,
            ),
            (
                "InternalError.SomethingNew",
                Class::Retryable,
                CallErrorKind::Api,
            ),
            (
                "AuthFailure.SignatureExpire",
                Class::Clock,
                CallErrorKind::ClockSkew,
            ),
            (
                "AuthFailure.SignatureFailure",
                Class::Permanent,
                CallErrorKind::Api,
            ),
            (
                "InvalidParameter.CdnParamError",
                Class::Permanent,
                CallErrorKind::Api,
            ),
            (
                "LimitExceeded.CdnPurgeUrlExceedDayLimit",
                Class::DailyQuotaExhausted,
                CallErrorKind::Api,
            ),
            (
                "LimitExceeded.CdnPushExceedBatchLimit",
                Class::Permanent,
                CallErrorKind::Api,
            ),
        ] {
            let (error, got) = refused(Action::PurgeUrlsCache, 200, &error_body(code));
            assert_eq!((got, error.kind()), (class, kind), "{code}");
            assert_eq!(error.error_code(), Some(code));
            assert_eq!(error.request_id(), Some("r-1"));
            assert!(error.to_string().contains(code), "{error}");
        }
    }

    /// The codes about one domain are host refusals, never retried; the
    /// parameter error is one only when the call may name an area.
    #[test]
    fn host_codes_are_host_refusals() {
        for code in [
            "ResourceNotFound.CdnHostNotExists",
            "UnauthorizedOperation.CdnHostUnauthorized",
            "InvalidParameter.CdnHostInvalidStatus",
            "ResourceUnavailable.CdnHostIsNotOnline",
            "InvalidParameter.CdnPurgeWildcardNotAllowed",
        ] {
            let (error, class) = refused(Action::PurgeUrlsCache, 200, &error_body(code));
            assert_eq!(class, Class::HostRefused, "{code}");
            assert!(!class.is_retryable());
            assert_eq!(error.request_id(), Some("r-1"));
        }
        let param = error_body("InvalidParameter.CdnParamError");
        assert_eq!(
            refused(Action::PurgeUrlsCache, 200, &param).1,
            Class::Permanent
        );
        let Answer::Refused { class, .. } =
            classify(Action::PurgeUrlsCache, &answer(200, &param), true)
        else {
            panic!("accepted")
        };
        assert_eq!(class, Class::HostRefused);
        for (code, class) in [
            ("UnauthorizedOperation.CdnCamUnauthorized", Class::Permanent),
            ("FailedOperation.CdnConfigError", Class::Permanent),
            ("InternalError.CdnConfigError", Class::Retryable),
        ] {
            assert_eq!(
                refused(Action::PushUrlsCache, 200, &error_body(code)).1,
                class,
                "{code}"
            );
        }
    }

    #[test]
    fn statuses_and_unreadable_bodies() {
        assert_eq!(
            refused(Action::PushUrlsCache, 502, "<html>").1,
            Class::Retryable
        );
        assert_eq!(
            refused(Action::PushUrlsCache, 429, "").1,
            Class::RateLimited
        );
        let (error, class) = refused(Action::PushUrlsCache, 413, "");
        assert_eq!(
            (error.kind(), class),
            (CallErrorKind::RequestTooLarge, Class::Permanent)
        );
        let (error, class) = refused(Action::PushUrlsCache, 200, "<html>oops</html>");
        assert_eq!(
            (error.kind(), class),
            (CallErrorKind::InvalidResponse, Class::Permanent)
        );
        assert!(error.to_string().contains("<html>oops"), "{error}");
        let (error, _) = refused(
            Action::DescribePushQuota,
            403,
            &error_body("AuthFailure.SecretIdNotFound"),
        );
        assert_eq!(error.error_code(), Some("AuthFailure.SecretIdNotFound"));
        assert_eq!(error.http_status(), Some(403));
    }
}
