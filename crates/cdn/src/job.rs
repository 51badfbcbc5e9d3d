//! [`Job`]: what to do with a list of URLs (purge URLs, purge directories,
//! push), where, and with which options, for either [`Api`] of either
//! [`Product`].

use std::fmt;
use std::num::NonZeroUsize;
use std::str::FromStr;
use std::sync::Arc;

use tcdn_model::teo::{Method, PrefetchOptions, ZoneId};
use tcdn_model::v3::{Area, FlushType, PurgeArea, PurgeOptions, PushOptions};
pub use tcdn_model::{Api, UnknownApi};
use tcdn_model::{Areas, Operation};

use crate::domains::{AccountDomains, CheckDomains};

/// Which of Tencent's CDNs a [`Client`](crate::Client) calls.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Product {
    /// Tencent Cloud CDN (`cdn`), through either [`Api`]: the default.
    #[default]
    Cdn,
    /// EdgeOne (`teo`, Version `2022-09-01`, TC3 only): purges and
    /// prefetches of a zone (站点).
    EdgeOne,
}

impl Product {
    /// `cdn` or `edgeone`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cdn => "cdn",
            Self::EdgeOne => "edgeone",
        }
    }
}

impl fmt::Display for Product {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not `cdn` or `edgeone`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownProduct(String);

impl fmt::Display for UnknownProduct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown product {:?}: choose cdn (Tencent Cloud CDN) or edgeone (EdgeOne)",
            self.0
        )
    }
}

impl std::error::Error for UnknownProduct {}

impl FromStr for Product {
    type Err = UnknownProduct;

    fn from_str(text: &str) -> Result<Self, UnknownProduct> {
        match text {
            "cdn" => Ok(Self::Cdn),
            "edgeone" | "teo" => Ok(Self::EdgeOne),
            other => Err(UnknownProduct(other.to_owned())),
        }
    }
}

/// What a submission asks for: the [`Operation`], the areas (optional under
/// API 3.0, where none means the domain's own region), and API 3.0's
/// options.
///
/// Areas map to API 3.0's `Area` (docs/protocol.md §5.4): a purge with one
/// area sends it (`mainland`, `overseas`); a purge with both or none sends
/// no `Area` (the domain's own region). A push with both sends `global`,
/// with none no `Area` (the API's default, `mainland`).
///
/// ```
/// use tcdn::{Areas, Job, Operation};
/// use tcdn::model::v3::{FlushType, PurgeArea};
///
/// let job = Job::new(Operation::FlushDirs).areas(Areas::Oversea).flush_type(FlushType::Delete);
/// assert_eq!(job.purge_options().area, Some(PurgeArea::Overseas));
/// assert!(Job::new(Operation::FlushUrls).areas(Areas::Both).purge_options().area.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    operation: Operation,
    areas: Option<Areas>,
    flush_type: FlushType,
    push: PushOptions,
    url_encode: bool,
    path_batch: Option<NonZeroUsize>,
    zone: Option<ZoneId>,
    check_domains: CheckDomains,
    account_domains: Option<Arc<AccountDomains>>,
}

impl Job {
    /// `operation` with no area, `FlushType` `flush`, default push options
    /// and no `UrlEncode`.
    pub fn new(operation: Operation) -> Self {
        Self {
            operation,
            areas: None,
            flush_type: FlushType::Flush,
            push: PushOptions::default(),
            url_encode: false,
            path_batch: None,
            zone: None,
            check_domains: CheckDomains::Never,
            account_domains: None,
        }
    }

    /// The EdgeOne zone of every URL (EdgeOne only). Without one, each
    /// URL's zone is the account's zone whose name is its host or the
    /// host's longest parent domain (`DescribeZones`).
    #[must_use]
    pub fn zone(mut self, zone: ZoneId) -> Self {
        self.zone = Some(zone);
        self
    }

    /// The EdgeOne zone given, if any.
    pub fn zone_given(&self) -> Option<&ZoneId> {
        self.zone.as_ref()
    }

    /// EdgeOne's `Method` of a prefix purge: `flush` invalidates, `delete`
    /// deletes.
    pub fn edgeone_method(&self) -> Method {
        match self.flush_type {
            FlushType::Flush => Method::Invalidate,
            FlushType::Delete => Method::Delete,
        }
    }

    /// EdgeOne's prefetch options: the push's headers, and its `ParseM3U8`
    /// as `PrefetchMediaSegments`.
    pub fn prefetch_options(&self) -> PrefetchOptions {
        PrefetchOptions {
            headers: self.push.headers.as_slice().to_vec(),
            media_segments: self.push.parse_m3u8,
        }
    }

    /// Why EdgeOne cannot do this job, if it cannot.
    pub(crate) fn edgeone_problem(&self) -> Option<&'static str> {
        if self.areas.is_some() {
            Some("EdgeOne has no areas: a zone's purge applies wherever it serves")
        } else if self.url_encode {
            Some("EdgeOne's EncodeUrl is deprecated; tcdn does not send it")
        } else if self.push.user_agent.is_some()
            || self.push.layer.is_some()
            || self.push.disable_range
        {
            Some("EdgeOne prefetches take headers and ParseM3U8 only")
        } else {
            None
        }
    }

    /// Submits to `areas` (API 2.0 needs one).
    #[must_use]
    pub fn areas(mut self, areas: Areas) -> Self {
        self.areas = Some(areas);
        self
    }

    /// Submits to `areas`, or (with `None`) to the domain's own region
    /// (API 3.0 only).
    #[must_use]
    pub fn with_areas(mut self, areas: Option<Areas>) -> Self {
        self.areas = areas;
        self
    }

    /// `PurgePathCache`'s `FlushType` (API 3.0; API 2.0 knows only `flush`).
    #[must_use]
    pub fn flush_type(mut self, flush_type: FlushType) -> Self {
        self.flush_type = flush_type;
        self
    }

    /// `PushUrlsCache`'s options (API 3.0). Their `area` and `url_encode`
    /// are ignored: the job's own areas and [`url_encode`](Self::url_encode)
    /// decide.
    #[must_use]
    pub fn push_options(mut self, options: PushOptions) -> Self {
        self.push = options;
        self
    }

    /// Sets `UrlEncode` on every call (API 3.0): the server encodes
    /// non-ASCII characters; the URLs are sent as given.
    #[must_use]
    pub fn url_encode(mut self, url_encode: bool) -> Self {
        self.url_encode = url_encode;
        self
    }

    /// At most this many directories per `PurgePathCache` call: the `Batch`
    /// of the account's `PathPurge` quota (default 100, docs/protocol.md
    /// §5.2).
    #[must_use]
    pub fn path_batch(mut self, batch: NonZeroUsize) -> Self {
        self.path_batch = Some(batch);
        self
    }

    /// Whether a submission of several calls first reads the account's
    /// domains and fails the URLs of other hosts without a call (API 3.0;
    /// default [`Never`](CheckDomains::Never)). See
    /// [`Client::check_domains`](crate::Client::check_domains).
    #[must_use]
    pub fn check_domains(mut self, mode: CheckDomains) -> Self {
        self.check_domains = mode;
        self
    }

    /// Fails the URLs of hosts that no domain of `domains` covers without
    /// a call (API 3.0), instead of reading them again: the result of a
    /// [`Client::check_domains`](crate::Client::check_domains) made first.
    #[must_use]
    pub fn account_domains(mut self, domains: AccountDomains) -> Self {
        self.account_domains = Some(Arc::new(domains));
        self
    }

    /// The domain check asked for.
    pub fn check_domains_given(&self) -> CheckDomains {
        self.check_domains
    }

    /// The account's domains given, if any.
    pub fn account_domains_given(&self) -> Option<&AccountDomains> {
        self.account_domains.as_deref()
    }

    /// The operation.
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// The areas, if any.
    pub fn areas_given(&self) -> Option<Areas> {
        self.areas
    }

    /// The flush type.
    pub fn flush_type_given(&self) -> FlushType {
        self.flush_type
    }

    /// Whether `UrlEncode` is set.
    pub fn url_encode_given(&self) -> bool {
        self.url_encode
    }

    /// The most URLs one call of this job carries under `api`, before any
    /// batch size and byte limit.
    pub fn max_per_call(&self, api: Api) -> usize {
        match (api, self.operation) {
            (Api::V2, operation) => operation.max_urls_per_request(),
            (Api::V3, Operation::FlushUrls) => tcdn_model::v3::MAX_PURGE_URLS,
            (Api::V3, Operation::PushUrls) => tcdn_model::v3::MAX_PUSH_URLS,
            (Api::V3, Operation::FlushDirs) => self
                .path_batch
                .map_or(tcdn_model::v3::DEFAULT_MAX_PURGE_PATHS, NonZeroUsize::get),
        }
    }

    /// The options of API 3.0's purges: the area mapped as the type
    /// documentation says, and `UrlEncode`.
    pub fn purge_options(&self) -> PurgeOptions {
        PurgeOptions {
            area: match self.areas {
                Some(Areas::Mainland) => Some(PurgeArea::Mainland),
                Some(Areas::Oversea) => Some(PurgeArea::Overseas),
                Some(Areas::Both) | None => None,
            },
            url_encode: self.url_encode,
        }
    }

    /// The options of API 3.0's push: the given push options with the area
    /// mapped and `UrlEncode`.
    pub fn push_options_v3(&self) -> PushOptions {
        PushOptions {
            area: self.push_area(),
            url_encode: self.url_encode,
            ..self.push.clone()
        }
    }

    /// API 3.0's `Area` of a push of this job.
    pub(crate) fn push_area(&self) -> Option<Area> {
        match self.areas {
            Some(Areas::Mainland) => Some(Area::Mainland),
            Some(Areas::Oversea) => Some(Area::Overseas),
            Some(Areas::Both) => Some(Area::Global),
            None => None,
        }
    }

    /// Why API 2.0 cannot do this job, if it cannot.
    pub(crate) fn v2_problem(&self) -> Option<&'static str> {
        if self.areas.is_none() {
            Some("API 2.0 needs an area: mainland, oversea or both")
        } else if self.flush_type != FlushType::Flush {
            Some("API 2.0 flushes directories with FlushType flush only")
        } else if self.url_encode {
            Some("API 2.0 has no UrlEncode")
        } else if self.push != PushOptions::default() {
            Some("API 2.0 has no push options")
        } else {
            None
        }
    }
}
