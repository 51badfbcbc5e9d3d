//! What the emulator accepts and how it misbehaves on purpose.

use std::sync::Arc;
use std::time::Duration;

use tcdn_sign::SecretKey;

/// The public API 2.0 host; requests signed for it are accepted as well, so a
/// request captured for the real endpoint can be replayed here.
pub const PUBLIC_HOST: &str = "cdn.api.qcloud.com";

/// The documented API path.
pub const API_PATH: &str = "/v2/index.php";

/// One key pair the emulator accepts.
#[derive(Debug, Clone)]
pub struct Credential {
    /// The public `SecretId`.
    pub secret_id: String,
    /// The matching secret key (never printed).
    pub secret_key: Arc<SecretKey>,
}

impl Credential {
    /// A credential from its two halves.
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Self {
            secret_id: secret_id.into(),
            secret_key: Arc::new(SecretKey::new(secret_key.into())),
        }
    }
}

/// Daily quotas per area, counted in URLs (or directories) accepted.
///
/// The defaults are the console's published figures (api-facts §4.2). The day
/// is the calendar day in Beijing time (UTC+8), when Tencent's quotas reset;
/// that reset hour is our assumption (\[U\]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyQuotas {
    /// URL flushes per area per day.
    pub url_flush: u32,
    /// Directory flushes per area per day.
    pub dir_flush: u32,
    /// URL pushes per area per day.
    pub url_push: u32,
}

impl Default for DailyQuotas {
    fn default() -> Self {
        Self {
            url_flush: 10_000,
            dir_flush: 100,
            url_push: 1_000,
        }
    }
}

/// Faults injected into otherwise valid exchanges, for testing clients.
///
/// A failed or dropped request is decided before it is judged, so nothing of
/// it is applied: its Nonce is not spent and no task is recorded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Faults {
    /// Added before every answer of the API path.
    pub latency: Duration,
    /// Probability (0..=1) of answering HTTP 503 with code 6000.
    pub fail_rate: f64,
    /// Probability (0..=1) of closing the connection without an answer.
    pub drop_rate: f64,
    /// Seed of the fault dice, for repeatable runs.
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            fail_rate: 0.0,
            drop_rate: 0.0,
            seed: 0,
        }
    }
}

/// Everything the emulator needs to judge requests.
#[derive(Debug, Clone)]
pub struct Config {
    /// Accepted key pairs; any other `SecretId` gets code 4100.
    pub credentials: Vec<Credential>,
    /// The host requests may be signed for besides the `Host` they carry.
    pub public_host: String,
    /// How far `Timestamp` may be from the emulator's clock (documented: 2 hours).
    pub timestamp_window: Duration,
    /// Calls per minute per `SecretId` (documented: 100); 0 turns the limit off.
    pub rate_limit_per_minute: u32,
    /// Daily quotas per area.
    pub quotas: DailyQuotas,
    /// Injected faults.
    pub faults: Faults,
    /// Largest GET request target (path and query), in bytes (documented: 32 KB).
    pub max_get_bytes: usize,
    /// Largest POST body, in bytes (documented: 1 MB).
    pub max_post_bytes: usize,
}

impl Config {
    /// The documented server's rules, accepting the given credentials.
    pub fn new(credentials: Vec<Credential>) -> Self {
        Self {
            credentials,
            public_host: PUBLIC_HOST.to_owned(),
            timestamp_window: Duration::from_secs(2 * 60 * 60),
            rate_limit_per_minute: 100,
            quotas: DailyQuotas::default(),
            faults: Faults::default(),
            max_get_bytes: tcdn_model::MAX_GET_REQUEST_TARGET_LEN,
            max_post_bytes: tcdn_model::MAX_POST_BODY_LEN,
        }
    }

    pub(crate) fn key_for(&self, secret_id: &str) -> Option<&SecretKey> {
        self.credentials
            .iter()
            .find(|c| c.secret_id == secret_id)
            .map(|c| c.secret_key.as_ref())
    }
}
