//! The emulator's answers whose body is already written: a status, a
//! content type and the body, for the API routes, the `/_emulator/*`
//! endpoints and the identity services alike.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::Full;

/// An answer of `status` carrying `body` as `content_type`.
pub(crate) fn typed(
    status: StatusCode,
    content_type: &'static str,
    body: &str,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_owned())));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A JSON answer, as the APIs send it (`application/json; charset=utf-8`).
pub(crate) fn json_response(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    typed(status, "application/json; charset=utf-8", body)
}

/// A plain-text answer (`text/plain; charset=utf-8`).
pub(crate) fn text_response(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    typed(status, "text/plain; charset=utf-8", body)
}
