//! A signed EdgeOne call is an API 3.0 [`PreparedRequest`]: the same
//! method, URL, headers and body, the same conversion to an HTTP request
//! and the same redacted form for logs and dry runs.

pub use crate::api::v3::PreparedRequest;
