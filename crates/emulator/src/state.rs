//! The emulator's memory: spent nonces, recent calls, quota use and tasks.
//!
//! One account: both APIs spend the same nonces' space per `SecretId`, draw on
//! the same daily quotas and append to the same task list, where EdgeOne's
//! tasks stand too (its quotas are its zones' own).

use std::collections::{HashMap, HashSet, VecDeque};

use crate::identities::Identities;
use serde::Serialize;
/// The API a request came through (EdgeOne's counts as `v3`).
pub use tcdn_model::Api;
use tcdn_model::teo;
use tcdn_model::v3::{Action, Area, FlushType, TaskStatus};

/// A request the emulator accepted, as `GET /_emulator/tasks` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcceptedTask {
    /// 1 for the first accepted request, then 2, 3, ... across both APIs.
    pub seq: u64,
    /// The API it came through (EdgeOne's is API 3.0's envelope and
    /// signature: `v3`).
    pub api: Api,
    /// `edgeone` for EdgeOne's tasks; absent (not serialised) for the CDN's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// EdgeOne: the zone; absent for the CDN's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<String>,
    /// The action, e.g. `FlushOrPushOverall` or `PurgeUrlsCache`.
    pub action: String,
    /// The `TaskId` answered (API 3.0; EdgeOne's `JobId`); API 2.0 answers
    /// none, so `null`.
    pub task_id: Option<String>,
    /// `flush` or `push` (an EdgeOne purge or prefetch).
    pub command: String,
    /// `url` or `dir`; EdgeOne: its purge type (`purge_url`,
    /// `purge_prefix`, `purge_host`, `purge_all`, `purge_cache_tag`) or
    /// `prefetch_url`.
    #[serde(rename = "type")]
    pub url_type: String,
    /// `mainland`, `oversea`, or both, in that order; empty for EdgeOne.
    pub areas: Vec<String>,
    /// The URLs as received, in `urls.N` order; EdgeOne: the targets its
    /// zone accepted (URLs, prefixes, hosts or tags; the zone's name for
    /// `purge_all`).
    pub urls: Vec<String>,
    /// The emulator's clock when it accepted the request, Unix seconds.
    pub time: i64,
    /// Which key pair signed it.
    pub secret_id: String,
    /// API 3.0: each URL's status when listed (`process`, `done` or
    /// `fail`; EdgeOne: `processing`, `success` or `failed`), in `urls`
    /// order; API 2.0 reports none (not serialised).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<String>,
}

/// What API 3.0 tasks record beyond [`AcceptedTask`], for `Describe*Tasks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum V3Work {
    /// `PurgeUrlsCache` in one area.
    PurgeUrls { area: Area },
    /// `PurgePathCache` in one area.
    PurgePaths { area: Area, flush_type: FlushType },
    /// `PushUrlsCache`; `global` spends both areas.
    Push { area: Area },
}

/// The `product` of EdgeOne's tasks in `GET /_emulator/tasks`.
pub(crate) const EDGEONE: &str = "edgeone";

/// What EdgeOne tasks record beyond [`AcceptedTask`], for
/// `DescribePurgeTasks` and `DescribePrefetchTasks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TeoWork {
    /// The quota type: the purge type, or `prefetch_url`.
    pub(crate) kind: teo::QuotaType,
    /// The purge's `Method`, for the types that take one.
    pub(crate) method: Option<teo::Method>,
}

/// One accepted request, as the state keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    /// The public view; `seq` is set by [`State::record`], `statuses` when listed.
    pub(crate) task: AcceptedTask,
    /// When it was accepted, on the emulator's clock.
    pub(crate) accepted_ms: i64,
    /// API 3.0: whether each URL ends in `fail` rather than `done`.
    pub(crate) fails: Vec<bool>,
    /// API 3.0 detail; `None` for API 2.0 and EdgeOne.
    pub(crate) v3: Option<V3Work>,
    /// EdgeOne detail; `None` for the CDN.
    pub(crate) teo: Option<TeoWork>,
}

impl Stored {
    /// A request accepted at `accepted_ms`, with no API 3.0 or EdgeOne
    /// detail yet.
    pub(crate) fn new(task: AcceptedTask, accepted_ms: i64, fails: Vec<bool>) -> Self {
        Self {
            task,
            accepted_ms,
            fails,
            v3: None,
            teo: None,
        }
    }

    /// The status of URL `index` at `now_ms`, for an API 3.0 task.
    pub(crate) fn status(&self, index: usize, now_ms: i64, delay_ms: i64) -> TaskStatus {
        if now_ms < self.accepted_ms.saturating_add(delay_ms) {
            TaskStatus::Process
        } else if self.fails.get(index).copied().unwrap_or(false) {
            TaskStatus::Fail
        } else {
            TaskStatus::Done
        }
    }

    /// The status of target `index` at `now_ms`, for an EdgeOne task, in
    /// EdgeOne's words.
    pub(crate) fn teo_status(&self, index: usize, now_ms: i64, delay_ms: i64) -> teo::TaskStatus {
        match self.status(index, now_ms, delay_ms) {
            TaskStatus::Process => teo::TaskStatus::Processing,
            TaskStatus::Done => teo::TaskStatus::Success,
            TaskStatus::Fail | TaskStatus::Invalid => teo::TaskStatus::Failed,
        }
    }

    /// The public view with the statuses at `now_ms`.
    pub(crate) fn view(&self, now_ms: i64, delay_ms: i64) -> AcceptedTask {
        let mut task = self.task.clone();
        let count = task.urls.len();
        if self.teo.is_some() {
            task.statuses = (0..count)
                .map(|i| self.teo_status(i, now_ms, delay_ms).as_str().to_owned())
                .collect();
        } else if self.v3.is_some() {
            task.statuses = (0..count)
                .map(|i| self.status(i, now_ms, delay_ms).as_str().to_owned())
                .collect();
        }
        task
    }
}

/// Quota buckets: what kind of work, in which area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Bucket {
    UrlFlush,
    DirFlush,
    UrlPush,
}

/// An area, as the quota ledger counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum AreaName {
    Mainland,
    Oversea,
}

impl AreaName {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Mainland => "mainland",
            Self::Oversea => "oversea",
        }
    }
}

/// Mutable state behind one lock; every decision reads and updates it at once.
#[derive(Debug)]
pub(crate) struct State {
    nonces: HashSet<(String, u64)>,
    nonce_expiry: VecDeque<(i64, (String, u64))>,
    calls: HashMap<RateKey, VecDeque<i64>>,
    usage: HashMap<(i64, AreaName, Bucket), u64>,
    /// EdgeOne's quota use, per day, zone and type.
    edgeone_usage: HashMap<(i64, String, teo::QuotaType), u64>,
    tasks: Vec<Stored>,
    pub(crate) dice: fastrand::Rng,
    /// Separate from the fault dice, so that answering API 3.0 requests
    /// (which carry a `RequestId`) does not shift a seeded fault pattern.
    ids: fastrand::Rng,
    /// Which API 3.0 URLs end in `fail` (`--task-fail-rate`); separate
    /// again, so that neither pattern shifts the other.
    outcomes: fastrand::Rng,
    /// Temporary credentials issued by the metadata service and STS.
    pub(crate) identities: Identities,
}

/// What a rate limit counts calls of.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum RateKey {
    /// API 2.0: calls per `SecretId`.
    V2 { secret_id: String },
    /// API 3.0: calls per action (one account).
    V3 { action: Action },
    /// EdgeOne: calls per action.
    EdgeOne { action: teo::Action },
}

const MINUTE_MS: i64 = 60_000;

impl State {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            nonces: HashSet::new(),
            nonce_expiry: VecDeque::new(),
            calls: HashMap::new(),
            usage: HashMap::new(),
            edgeone_usage: HashMap::new(),
            tasks: Vec::new(),
            dice: fastrand::Rng::with_seed(seed),
            ids: fastrand::Rng::with_seed(seed.rotate_left(32) ^ 0x1d5_1d5_1d5),
            outcomes: fastrand::Rng::with_seed(seed.rotate_left(16) ^ 0x000f_a110_fa11),
            identities: Identities::default(),
        }
    }

    /// A fresh `TaskId` in the shape of the documented examples,
    /// `1533045796-i60rfmzm`: the Unix second, `-`, 8 letters and digits.
    pub(crate) fn task_id(&mut self, now_ms: i64) -> String {
        const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let mut id = format!("{}-", now_ms.div_euclid(1000));
        for _ in 0..8 {
            id.push(char::from(ALPHABET[self.ids.usize(..ALPHABET.len())]));
        }
        id
    }

    /// A fresh EdgeOne `JobId` in the shape of the documented example,
    /// `20ga521cpwch`: 12 lowercase letters and digits.
    pub(crate) fn job_id(&mut self) -> String {
        const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        (0..12)
            .map(|_| char::from(ALPHABET[self.ids.usize(..ALPHABET.len())]))
            .collect()
    }

    /// Rolls, for each of `count` URLs, whether it ends in `fail`.
    pub(crate) fn roll_outcomes(&mut self, count: usize, fail_rate: f64) -> Vec<bool> {
        (0..count)
            .map(|_| fail_rate > 0.0 && self.outcomes.f64() < fail_rate)
            .collect()
    }

    /// A fresh `RequestId` in the UUID shape Tencent answers with.
    pub(crate) fn request_id(&mut self) -> String {
        let a = self.ids.u32(..);
        let b = self.ids.u16(..);
        let c = self.ids.u16(..0x1000);
        let d = self.ids.u16(..0x4000) | 0x8000;
        let e = self.ids.u64(..1 << 48);
        format!("{a:08x}-{b:04x}-4{c:03x}-{d:04x}-{e:012x}")
    }

    /// Whether `nonce` was spent by `secret_id` within the window; forgets older ones.
    pub(crate) fn nonce_seen(&mut self, now_ms: i64, secret_id: &str, nonce: u64) -> bool {
        while let Some((expiry, _)) = self.nonce_expiry.front() {
            if *expiry > now_ms {
                break;
            }
            if let Some((_, key)) = self.nonce_expiry.pop_front() {
                self.nonces.remove(&key);
            }
        }
        self.nonces.contains(&(secret_id.to_owned(), nonce))
    }

    pub(crate) fn spend_nonce(&mut self, now_ms: i64, window_ms: i64, secret_id: &str, nonce: u64) {
        let key = (secret_id.to_owned(), nonce);
        if self.nonces.insert(key.clone()) {
            self.nonce_expiry
                .push_back((now_ms.saturating_add(window_ms), key));
        }
    }

    /// Counts a call against the per-minute limit; false when it is over.
    pub(crate) fn admit_call(&mut self, now_ms: i64, secret_id: &str, per_minute: u32) -> bool {
        let key = RateKey::V2 {
            secret_id: secret_id.to_owned(),
        };
        self.admit(now_ms, key, per_minute, MINUTE_MS)
    }

    /// Counts a call against `limit` calls per sliding `window_ms`; false
    /// (and not counted) when it is over. A limit of 0 is off.
    pub(crate) fn admit(&mut self, now_ms: i64, key: RateKey, limit: u32, window_ms: i64) -> bool {
        if limit == 0 {
            return true;
        }
        let window = self.calls.entry(key).or_default();
        while window.front().is_some_and(|&t| t <= now_ms - window_ms) {
            window.pop_front();
        }
        if window.len() >= limit as usize {
            return false;
        }
        window.push_back(now_ms);
        true
    }

    pub(crate) fn used(&self, day: i64, area: AreaName, bucket: Bucket) -> u64 {
        self.usage.get(&(day, area, bucket)).copied().unwrap_or(0)
    }

    /// Records an accepted request and spends its quota in each area.
    pub(crate) fn record(
        &mut self,
        day: i64,
        areas: &[AreaName],
        bucket: Bucket,
        stored: Stored,
    ) -> u64 {
        for &area in areas {
            *self.usage.entry((day, area, bucket)).or_default() += stored.task.urls.len() as u64;
        }
        self.push(stored)
    }

    /// What EdgeOne's `zone` spent of its `kind` quota on `day`.
    pub(crate) fn edgeone_used(&self, day: i64, zone: &str, kind: teo::QuotaType) -> u64 {
        self.edgeone_usage
            .get(&(day, zone.to_owned(), kind))
            .copied()
            .unwrap_or(0)
    }

    /// Records an accepted EdgeOne task and spends `zone`'s `kind` quota,
    /// one per target.
    pub(crate) fn record_edgeone(
        &mut self,
        day: i64,
        zone: &str,
        kind: teo::QuotaType,
        stored: Stored,
    ) -> u64 {
        *self
            .edgeone_usage
            .entry((day, zone.to_owned(), kind))
            .or_default() += stored.task.urls.len() as u64;
        self.push(stored)
    }

    fn push(&mut self, mut stored: Stored) -> u64 {
        stored.task.seq = self.tasks.len() as u64 + 1;
        let seq = stored.task.seq;
        self.tasks.push(stored);
        seq
    }

    pub(crate) fn tasks(&self) -> &[Stored] {
        &self.tasks
    }

    pub(crate) fn reset(&mut self) {
        let dice = self.dice.clone();
        let ids = self.ids.clone();
        let outcomes = self.outcomes.clone();
        // Issued credentials outlive a reset: a client may be mid-run.
        let identities = std::mem::take(&mut self.identities);
        *self = Self::new(0);
        self.dice = dice;
        self.ids = ids;
        self.outcomes = outcomes;
        self.identities = identities;
    }
}

/// The quota day of a Unix time: the calendar day in Beijing (UTC+8).
pub(crate) fn beijing_day(unix_ms: i64) -> i64 {
    (unix_ms / 1000 + 8 * 3600).div_euclid(86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_expire_after_the_window() {
        let mut state = State::new(1);
        state.spend_nonce(1_000, 7_200_000, "id", 7);
        assert!(state.nonce_seen(2_000, "id", 7));
        assert!(!state.nonce_seen(2_000, "other", 7));
        assert!(!state.nonce_seen(7_201_000, "id", 7));
    }

    #[test]
    fn rate_window_slides() {
        let mut state = State::new(1);
        for i in 0..3 {
            assert!(state.admit_call(i * 10, "id", 3));
        }
        assert!(!state.admit_call(59_999, "id", 3));
        assert!(
            state.admit_call(60_000, "id", 3),
            "the first call left the window"
        );
        assert!(state.admit_call(0, "other", 3), "limits are per SecretId");
        assert!(
            state.admit_call(0, "id", 0) && state.admit_call(0, "id", 0),
            "0 = off"
        );
    }

    #[test]
    fn request_ids_have_the_uuid_shape_and_do_not_repeat() {
        let mut state = State::new(3);
        let first = state.request_id();
        let second = state.request_id();
        assert_ne!(first, second);
        let groups: Vec<usize> = first.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{first}");
        assert!(first.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit()));
        assert_eq!(&first[14..15], "4", "version 4: {first}");
        let before = state.dice.clone().u64(..);
        state.request_id();
        assert_eq!(state.dice.u64(..), before, "ids leave the fault dice alone");
    }

    #[test]
    fn beijing_day_turns_at_utc_16h() {
        let utc_15_59 = (15 * 3600 + 59 * 60) * 1000;
        let utc_16_00 = 16 * 3600 * 1000;
        assert_eq!(beijing_day(utc_15_59) + 1, beijing_day(utc_16_00));
    }
}
