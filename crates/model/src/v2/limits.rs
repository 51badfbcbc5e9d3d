//! API 2.0's limits and fixed names, in one table: the action, the host and
//! path, the transport's size limits, and how many URLs one request of each
//! operation carries.

/// The `Action` value of this API.
pub const ACTION: &str = "FlushOrPushOverall";

/// The endpoint's host.
pub const ENDPOINT_HOST: &str = tcdn_sign::CDN_V2_HOST;

/// The endpoint's path; a GET request target is this, `?` and the query.
pub const ENDPOINT_PATH: &str = tcdn_sign::CDN_V2_PATH;

/// The largest GET request target (path, `?` and query) in bytes.
///
/// The documentation says "32 KB" (docs/protocol.md §1.1); we take it as 32768
/// bytes, counted over the whole request target (\[U\]: not verified against the
/// server). Over the limit the server answers HTTP 501.
pub const MAX_GET_REQUEST_TARGET_LEN: usize = 32 * 1024;

/// The largest POST body in bytes: "1 MB", taken as 1048576 bytes (\[U\]).
pub const MAX_POST_BODY_LEN: usize = 1024 * 1024;

/// URLs one purge carries (docs/protocol.md §4.2, the console's quota).
pub const MAX_FLUSH_URLS: usize = 1000;

/// Directories one directory purge carries (docs/protocol.md §4.2).
pub const MAX_FLUSH_DIRS: usize = 20;

/// URLs one prefetch carries (docs/protocol.md §4.2).
pub const MAX_PUSH_URLS: usize = 20;
