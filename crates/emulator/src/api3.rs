//! API 3.0's answer shapes (docs/protocol.md §5.2), shared by the fault layer
//! and the API 3.0 handler.
//!
//! Every API 3.0 answer is JSON with `Content-Type: application/json`
//! exactly, as the real server sends: Tencent's SDKs read errors only from
//! such answers.

use bytes::Bytes;
use http::{Response, StatusCode, header};
use http_body_util::Full;
use serde_json::json;

/// Largest API 3.0 body read: the limit of a TC3-signed POST (10 MB,
/// docs/protocol.md §5.1).
pub(crate) const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// The message of the `InvalidAction` answered at `/` until API 3.0 is
/// judged.
pub(crate) const NOT_SERVED: &str =
    "this emulator does not serve API 3.0 actions yet; API 2.0 is at /v2/index.php";

/// `{"Response":{"Error":{"Code":…,"Message":…},"RequestId":…}}`.
pub(crate) fn error_body(code: &str, message: &str, request_id: &str) -> String {
    json!({
        "Response": {
            "Error": { "Code": code, "Message": message },
            "RequestId": request_id,
        }
    })
    .to_string()
}

/// An API 3.0 error answer with `status` (200 for everything the API itself
/// answers; 503 only for `--fail-rate`).
pub(crate) fn error_response(
    status: StatusCode,
    code: &str,
    message: &str,
    request_id: &str,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(error_body(
        code, message, request_id,
    ))));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}
