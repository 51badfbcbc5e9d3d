//! API 3.0's limits and fixed names, in one table, as `v2/limits.rs` holds
//! API 2.0's: the version, host, path and service, the URLs one call of each
//! action carries, and the transport's size limits.

/// The API version of every action here (`Version`, `X-TC-Version`).
pub const VERSION: &str = "2018-06-06";

/// The endpoint's host (`cdn.intl.tencentcloudapi.com` on the international
/// site).
pub const ENDPOINT_HOST: &str = tcdn_sign::CDN_V3_HOST;

/// The endpoint's path.
pub const ENDPOINT_PATH: &str = tcdn_sign::CDN_V3_PATH;

/// The TC3 credential scope's service.
pub const SERVICE: &str = "cdn";

/// At most this many URLs per `PurgeUrlsCache`.
pub const MAX_PURGE_URLS: usize = 1000;

/// At most this many URLs per `PushUrlsCache`.
pub const MAX_PUSH_URLS: usize = 500;

/// The default per-call directory limit of `PurgePathCache`: the `Batch` of
/// a default `PathPurge` quota (100; the action's page says 500 per
/// submission, more than the daily quota, docs/protocol.md §5.2). Read the
/// account's real value with `DescribePurgeQuota`.
pub const DEFAULT_MAX_PURGE_PATHS: usize = 100;

/// The largest TC3 POST body: 10 MiB (docs/protocol.md §5.1).
pub const MAX_TC3_POST_BODY_LEN: usize = 10 * 1024 * 1024;

/// The largest v1 (form) POST body: 1 MiB.
pub const MAX_V1_POST_BODY_LEN: usize = 1024 * 1024;

/// The largest GET request target (`/?` and the query): 32 KiB, taken as
/// 32768 bytes like the v2 limit (docs/protocol.md §9).
pub const MAX_GET_REQUEST_TARGET_LEN: usize = 32 * 1024;
