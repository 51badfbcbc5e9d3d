//! One module per API, each implementing the core's seam
//! ([`Backend`](crate::core::backend::Backend)) and mirroring the other:
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
//!   [`Lookup`](crate::core::call::Lookup).

pub(crate) mod common;
pub(crate) mod teo;
pub(crate) mod v2;
pub(crate) mod v3;

use bytes::Bytes;

use crate::error::CallError;

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
