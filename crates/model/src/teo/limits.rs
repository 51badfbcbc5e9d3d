//! EdgeOne's limits and fixed names, in one table, as `v3/limits.rs` holds
//! API 3.0's (docs/protocol.md §13): the version, host and service, the
//! per-call defaults before the zone's quota is read, and the query limits.

/// The API version of every EdgeOne action (`X-TC-Version`).
pub const VERSION: &str = "2022-09-01";

/// The endpoint's host (`teo.intl.tencentcloudapi.com` on the international
/// site).
pub const ENDPOINT_HOST: &str = "teo.tencentcloudapi.com";

/// The endpoint's path.
pub const ENDPOINT_PATH: &str = "/";

/// The TC3 credential scope's service.
pub const SERVICE: &str = "teo";

/// Calls per second each action allows (every action's page).
pub const MAX_CALLS_PER_SECOND: u32 = 20;

/// The per-call target limit assumed before the zone's quota
/// (`DescribeContentQuota`'s `Batch`) is read. The API publishes no fixed
/// number (it follows the plan); the documented example quota is 2,000, and
/// 1,000 is our cautious reading.
pub const DEFAULT_MAX_TARGETS: usize = 1000;

/// The most tasks one `DescribePurgeTasks` or `DescribePrefetchTasks` page
/// returns (`Limit`).
pub const MAX_TASKS_LIMIT: u64 = 1000;

/// The most zones one `DescribeZones` page returns (`Limit`).
pub const MAX_ZONES_LIMIT: u64 = 100;

/// The most values one filter (`AdvancedFilter.Values`) holds.
pub const MAX_FILTER_VALUES: usize = 20;

/// The longest window a task query covers, in seconds: 7 days (the text of
/// `InvalidParameter.ParameterError`).
pub const MAX_QUERY_WINDOW_SECS: i64 = 7 * 24 * 3600;

/// The longest zone id we send or accept, in bytes (the documented ids are
/// `zone-` and 8 to 12 letters and digits).
pub const MAX_ZONE_ID_LEN: usize = 64;

/// The longest hostname we send or accept, in bytes (DNS's limit).
pub const MAX_HOSTNAME_LEN: usize = 253;

/// The longest cache tag we send or accept, in bytes: the API states none.
pub const MAX_CACHE_TAG_LEN: usize = 1024;

/// The longest `JobId` we send or accept, in bytes.
pub const MAX_JOB_ID_LEN: usize = 128;
