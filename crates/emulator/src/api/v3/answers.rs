//! API 3.0's answers (docs/protocol.md §5.2): the `{"Response": …}`
//! envelope of a result or an error, as a [`VerdictV3`] and as HTTP.
//!
//! Every API 3.0 answer is JSON with `Content-Type: application/json`
//! exactly, as the real server sends: Tencent's SDKs read errors only from
//! such answers.

use bytes::Bytes;
use http::{Response, StatusCode, header};
use http_body_util::Full;
use tcdn_model::v3::{Answer, ApiError, ErrorCode, TaskSubmitted};

/// The emulator's answer to one API 3.0 request (always HTTP 200,
/// `Content-Type: application/json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictV3 {
    /// The `{"Response": …}` body.
    pub body: String,
    /// `Response.Error.Code` when refused.
    pub code: Option<String>,
    /// Why, in a few words, for the logs.
    pub reason: String,
    /// The accepted task's sequence number, when work was accepted.
    pub accepted: Option<u64>,
}

/// What an accepted call answers: the body, the accepted task's sequence
/// number (when work was accepted), and why, for the logs.
pub(crate) type Success = (String, Option<u64>, String);

/// The verdict on a call that was given `request_id`: its answer, or the
/// error's envelope.
pub(crate) fn verdict(request_id: String, judged: Result<Success, ApiError>) -> VerdictV3 {
    match judged {
        Ok((body, accepted, reason)) => VerdictV3 {
            body,
            code: None,
            reason,
            accepted,
        },
        Err(error) => VerdictV3 {
            code: Some(error.code().as_str().to_owned()),
            reason: error.message().to_owned(),
            body: Answer::<TaskSubmitted>::error(request_id, error).to_json(),
            accepted: None,
        },
    }
}

/// A JSON answer, HTTP `status` (200 for everything the API itself answers;
/// 503 only for `--fail-rate`).
pub(crate) fn response(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// An API 3.0 error answer with `status`.
pub(crate) fn error_response(
    status: StatusCode,
    code: ErrorCode,
    message: &str,
    request_id: &str,
) -> Response<Full<Bytes>> {
    let body = Answer::<TaskSubmitted>::error(request_id, ApiError::new(code, message)).to_json();
    response(status, body)
}
