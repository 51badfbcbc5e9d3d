//! What the emulator accepts and how it misbehaves on purpose.

use std::sync::Arc;
use std::time::Duration;

use tcdn_sign::SecretKey;

/// The public API 2.0 host; requests signed for it are accepted as well, so a
/// request captured for the real endpoint can be replayed here.
pub const PUBLIC_HOST: &str = tcdn_model::v2::ENDPOINT_HOST;

/// The documented API 2.0 path; the emulator's origin plus this path is the
/// API 2.0 endpoint.
pub const API_PATH: &str = tcdn_model::v2::ENDPOINT_PATH;

/// The API 3.0 path: every API 3.0 action is posted to the origin's root.
pub const API3_PATH: &str = "/";

/// The role the metadata service names by default.
pub const DEFAULT_CVM_ROLE: &str = "tcdn-emulator-role";

/// The public API 3.0 host; TC3 and v1 signatures made for it are accepted
/// as well as those made for the `Host` received, so captured requests replay.
pub const PUBLIC_HOST_V3: &str = tcdn_sign::CDN_V3_HOST;

/// The session token the emulator requires of API 3.0 requests (`--token`),
/// as temporary credentials carry one. Secret: never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// A token from its text.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// Whether `received` is this token (in constant time for equal lengths).
    pub(crate) fn matches(&self, received: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), received.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// How accepted API 3.0 work progresses, as `Describe*Tasks` report it.
///
/// Every accepted URL is `process` until `delay` has passed since it was
/// accepted (on the emulator's clock), then `done`, or `fail` for the share
/// `fail_rate` chose (seeded dice, separate from the fault dice).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskProgress {
    /// Time from `process` to `done` or `fail` (default 1 s).
    pub delay: Duration,
    /// Probability (0..=1) that a URL ends in `fail`.
    pub fail_rate: f64,
}

impl Default for TaskProgress {
    fn default() -> Self {
        Self {
            delay: Duration::from_secs(1),
            fail_rate: 0.0,
        }
    }
}

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
/// One account: API 2.0 and API 3.0 requests draw on the same quotas.
///
/// The defaults are the console's published figures (docs/protocol.md §4.2). The day
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
/// They apply alike to both APIs. The dice are rolled before a request is
/// judged: a failed or dropped request applies nothing (its Nonce is not
/// spent and no task is recorded), while a request whose answer is lost is
/// judged and applied in full, and only then is its connection closed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Faults {
    /// Added before every answer of an API path; for requests that are
    /// judged, before judging, as server-side work: a client that gives up
    /// during it still has its request applied.
    pub latency: Duration,
    /// Probability (0..=1) of answering HTTP 503 (API 2.0: code 6000; API
    /// 3.0: `InternalError`), applying nothing.
    pub fail_rate: f64,
    /// Probability (0..=1) of closing the connection without an answer,
    /// applying nothing.
    pub drop_rate: f64,
    /// Probability (0..=1) of judging and applying the request (task
    /// recorded, quota spent, nonce used), then closing the connection
    /// without an answer: the purge that happened but whose answer was lost.
    pub lose_answer_rate: f64,
    /// Seed of the fault dice, for repeatable runs.
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            fail_rate: 0.0,
            drop_rate: 0.0,
            lose_answer_rate: 0.0,
            seed: 0,
        }
    }
}

/// The action an [`InjectedError`] applies to: the CDN's (`ACTION`) or
/// EdgeOne's (`teo:ACTION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InjectedAction {
    /// A CDN API 3.0 action.
    Cdn(tcdn_model::v3::Action),
    /// An EdgeOne action.
    EdgeOne(tcdn_model::teo::Action),
}

impl InjectedAction {
    /// The action's name (`X-TC-Action`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Cdn(action) => action.as_str(),
            Self::EdgeOne(action) => action.as_str(),
        }
    }

    /// `ACTION` or `teo:ACTION`, as the flag names it.
    fn from_flag(name: &str) -> Result<Self, String> {
        match name.strip_prefix("teo:") {
            Some(teo) => tcdn_model::teo::Action::from_name(teo)
                .map(Self::EdgeOne)
                .ok_or_else(|| format!("`{teo}` is not an EdgeOne action this emulator serves")),
            None => tcdn_model::v3::Action::from_name(name)
                .map(Self::Cdn)
                .ok_or_else(|| {
                    format!(
                        "`{name}` is not an API 3.0 action this emulator serves \
                         (EdgeOne's are written teo:ACTION)"
                    )
                }),
        }
    }
}

/// An API 3.0 error answered on purpose for one action (`--inject-error
/// ACTION=CODE[:RATE]`, EdgeOne's actions written `teo:ACTION`): once a
/// request of that action is authenticated, the dice decide, at `rate`, to
/// answer `code` with a plausible message instead of judging it; nothing is
/// applied.
#[derive(Debug, Clone, PartialEq)]
pub struct InjectedError {
    /// The action it applies to.
    pub action: InjectedAction,
    /// The string code answered (`InternalError`, `RequestLimitExceeded`…).
    pub code: tcdn_model::v3::ErrorCode,
    /// Probability (0..=1) of answering it.
    pub rate: f64,
}

impl std::str::FromStr for InjectedError {
    type Err = String;

    /// `ACTION=CODE[:RATE]`, e.g. `DescribePurgeTasks=InternalError:0.5`
    /// or `teo:CreatePurgeTask=LimitExceeded.DailyQuota` (RATE defaults to
    /// 1).
    fn from_str(text: &str) -> Result<Self, String> {
        let (action, rest) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}` is not ACTION=CODE[:RATE]"))?;
        let action = InjectedAction::from_flag(action)?;
        let (code, rate) = match rest.split_once(':') {
            Some((code, rate)) => {
                let rate: f64 = rate
                    .parse()
                    .map_err(|_| format!("the rate `{rate}` is not a number"))?;
                if !(0.0..=1.0).contains(&rate) {
                    return Err(format!("the rate `{rate}` is not between 0 and 1"));
                }
                (code, rate)
            }
            None => (rest, 1.0),
        };
        let well_formed = !code.is_empty()
            && code
                .split('.')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()));
        if !well_formed {
            return Err(format!(
                "`{code}` is not an API 3.0 error code (e.g. InternalError or LimitExceeded.Other)"
            ));
        }
        Ok(Self {
            action,
            code: tcdn_model::v3::ErrorCode::from_code(code),
            rate,
        })
    }
}

/// How the server protects itself from slow or numerous clients.
///
/// A connection over [`max_connections`](Self::max_connections) is not
/// accepted until another one closes: it waits in the kernel's backlog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections served at once.
    pub max_connections: usize,
    /// Time for a request's head (request line and headers) to arrive,
    /// counted from when the server starts waiting for it: on a kept-alive
    /// connection that includes the wait between requests. Also bounds the
    /// TLS handshake.
    pub header_read_timeout: Duration,
    /// Time for a request's whole body to arrive once its head has.
    pub body_read_timeout: Duration,
    /// A connection on which no byte moves either way for this long, while
    /// no request of it is being handled, is closed (e.g. a client that
    /// never reads its answer).
    pub idle_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// Everything the emulator needs to judge requests.
#[derive(Debug, Clone)]
pub struct Config {
    /// Accepted key pairs; any other `SecretId` gets code 4100 (API 2.0) or
    /// `AuthFailure.SecretIdNotFound` (API 3.0).
    pub credentials: Vec<Credential>,
    /// The host API 2.0 requests may be signed for besides the `Host` they
    /// carry.
    pub public_host: String,
    /// How far `Timestamp` may be from the emulator's clock (documented: 2 hours).
    pub timestamp_window: Duration,
    /// API 2.0 calls per minute per `SecretId` (documented: 100); 0 turns the
    /// limit off.
    pub rate_limit_per_minute: u32,
    /// Daily quotas per area.
    pub quotas: DailyQuotas,
    /// Injected faults.
    pub faults: Faults,
    /// Largest GET request target (path and query), in bytes (documented: 32 KB).
    pub max_get_bytes: usize,
    /// Largest POST body, in bytes (documented: 1 MB).
    pub max_post_bytes: usize,
    /// Connection cap and timeouts.
    pub limits: ConnectionLimits,
    /// The host API 3.0 requests may be signed for besides the `Host` they
    /// carry.
    pub public_host_v3: String,
    /// How far an API 3.0 timestamp may be from the emulator's clock
    /// (documented: 5 minutes, then `AuthFailure.SignatureExpire`).
    pub v3_timestamp_window: Duration,
    /// API 3.0 requests per second per action (documented: 20, then
    /// `RequestLimitExceeded`); 0 turns the limit off.
    pub v3_rate_limit_per_second: u32,
    /// When set, every API 3.0 request must carry this token (`X-TC-Token`
    /// or `Token`), else `AuthFailure.TokenFailure`. When unset, a token
    /// sent is ignored (\[U\]: what Tencent does with a token beside a
    /// permanent key is not documented).
    pub token: Option<SessionToken>,
    /// API 3.0 per-call limits (`LimitExceeded.*BatchLimit`), also reported
    /// as `Batch` by `Describe*Quota`.
    pub batch_limits: tcdn_model::v3::BatchLimits,
    /// How API 3.0 tasks progress.
    pub tasks: TaskProgress,
    /// API 3.0 errors answered on purpose, per action (the first that
    /// names a request's action applies).
    pub inject_errors: Vec<InjectedError>,
    /// The account played: its domains and the actions CAM denies
    /// (API 3.0). By default it owns every host and may call every action.
    pub account: crate::account::Account,
    /// How long the temporary credentials issued by the metadata service
    /// and STS live (STS: at most its `DurationSeconds`). 2 hours by
    /// default, STS's default.
    pub credential_ttl: Duration,
    /// The CAM role the metadata service says is bound to the instance;
    /// `None`: no role (the metadata paths answer 404).
    pub cvm_role: Option<String>,
    /// EdgeOne's zones and quotas (none by default).
    pub edgeone: crate::edgeone::EdgeOne,
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
            max_get_bytes: tcdn_model::v2::MAX_GET_REQUEST_TARGET_LEN,
            max_post_bytes: tcdn_model::v2::MAX_POST_BODY_LEN,
            limits: ConnectionLimits::default(),
            public_host_v3: PUBLIC_HOST_V3.to_owned(),
            v3_timestamp_window: Duration::from_secs(300),
            v3_rate_limit_per_second: 20,
            token: None,
            batch_limits: tcdn_model::v3::BatchLimits::default(),
            tasks: TaskProgress::default(),
            inject_errors: Vec::new(),
            account: crate::account::Account::default(),
            credential_ttl: Duration::from_secs(2 * 60 * 60),
            cvm_role: Some(DEFAULT_CVM_ROLE.to_owned()),
            edgeone: crate::edgeone::EdgeOne::default(),
        }
    }

    pub(crate) fn key_for(&self, secret_id: &str) -> Option<&SecretKey> {
        self.credentials
            .iter()
            .find(|c| c.secret_id == secret_id)
            .map(|c| c.secret_key.as_ref())
    }
}
