//! The two requests that create tasks: `CreatePurgeTask` (what it purges
//! is a [`PurgeTargets`]) and `CreatePrefetchTask` (URLs only).

use serde::Serialize;

use super::{ActionRequest, check_count, sealed, to_json};
use crate::error::ModelError;
use crate::teo::Action;
use crate::teo::limits::DEFAULT_MAX_TARGETS;
use crate::teo::types::{CacheTag, Hostname, Method, PurgeType, ZoneId};
use crate::url::CdnUrl;
use crate::v3::HttpHeader;

/// What a `CreatePurgeTask` purges: its `Type` with the targets (and the
/// `Method`) that type takes. Built unchecked;
/// [`CreatePurgeTask::new`] checks the counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PurgeTargets {
    /// `purge_url`: URLs.
    Urls(Vec<CdnUrl>),
    /// `purge_prefix`: URL prefixes (with their scheme).
    Prefixes(Vec<CdnUrl>, Method),
    /// `purge_host`: hostnames.
    Hosts(Vec<Hostname>, Method),
    /// `purge_all`: the whole zone; no targets.
    All(Method),
    /// `purge_cache_tag`: cache tags, with the hostnames they apply to
    /// (`CacheTag.Domains`; may be empty).
    CacheTags {
        /// The tags.
        tags: Vec<CacheTag>,
        /// `CacheTag.Domains`.
        domains: Vec<Hostname>,
    },
}

impl PurgeTargets {
    /// The `Type`.
    pub fn purge_type(&self) -> PurgeType {
        match self {
            Self::Urls(_) => PurgeType::Url,
            Self::Prefixes(..) => PurgeType::Prefix,
            Self::Hosts(..) => PurgeType::Host,
            Self::All(_) => PurgeType::All,
            Self::CacheTags { .. } => PurgeType::CacheTag,
        }
    }

    /// The `Method`, for the types that take one.
    pub fn method(&self) -> Option<Method> {
        match self {
            Self::Prefixes(_, method) | Self::Hosts(_, method) | Self::All(method) => Some(*method),
            Self::Urls(_) | Self::CacheTags { .. } => None,
        }
    }

    /// The `Targets`, as sent (none for `purge_all`).
    pub fn texts(&self) -> Vec<&str> {
        match self {
            Self::Urls(urls) | Self::Prefixes(urls, _) => urls.iter().map(CdnUrl::as_str).collect(),
            Self::Hosts(hosts, _) => hosts.iter().map(Hostname::as_str).collect(),
            Self::All(_) => Vec::new(),
            Self::CacheTags { tags, .. } => tags.iter().map(CacheTag::as_str).collect(),
        }
    }

    /// How many targets.
    pub fn len(&self) -> usize {
        match self {
            Self::Urls(urls) | Self::Prefixes(urls, _) => urls.len(),
            Self::Hosts(hosts, _) => hosts.len(),
            Self::All(_) => 0,
            Self::CacheTags { tags, .. } => tags.len(),
        }
    }

    /// Whether there are no targets (always so for `purge_all`).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `CreatePurgeTask`: purge targets of one zone.
///
/// ```
/// use tcdn_model::teo::{ActionRequest, CreatePurgeTask, Method, PurgeTargets, ZoneId};
///
/// let zone = ZoneId::new("zone-2noz78a8ev6k")?;
/// let prefixes = PurgeTargets::Prefixes(vec!["https://www.example.com/img/".parse()?], Method::Delete);
/// let request = CreatePurgeTask::new(zone.clone(), prefixes)?;
/// assert_eq!(
///     request.to_json(),
///     r#"{"ZoneId":"zone-2noz78a8ev6k","Type":"purge_prefix","Method":"delete","Targets":["https://www.example.com/img/"]}"#,
/// );
/// assert_eq!(
///     CreatePurgeTask::new(zone.clone(), PurgeTargets::All(Method::Invalidate))?.to_json(),
///     r#"{"ZoneId":"zone-2noz78a8ev6k","Type":"purge_all","Method":"invalidate"}"#,
/// );
/// // An empty list of URLs is not a purge.
/// assert!(CreatePurgeTask::new(zone, PurgeTargets::Urls(vec![])).is_err());
/// # Ok::<(), tcdn_model::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatePurgeTask {
    zone_id: ZoneId,
    targets: PurgeTargets,
}

impl CreatePurgeTask {
    /// A purge of 1 to [`DEFAULT_MAX_TARGETS`] targets (none for
    /// `purge_all`).
    pub fn new(zone_id: ZoneId, targets: PurgeTargets) -> Result<Self, ModelError> {
        Self::with_limit(zone_id, targets, DEFAULT_MAX_TARGETS)
    }

    /// A purge of 1 to `limit` targets (the zone quota's `Batch`).
    pub fn with_limit(
        zone_id: ZoneId,
        targets: PurgeTargets,
        limit: usize,
    ) -> Result<Self, ModelError> {
        if !matches!(targets, PurgeTargets::All(_)) {
            check_count("Targets", targets.len(), limit)?;
        }
        Ok(Self { zone_id, targets })
    }

    /// The zone.
    pub fn zone_id(&self) -> &ZoneId {
        &self.zone_id
    }

    /// The targets.
    pub fn targets(&self) -> &PurgeTargets {
        &self.targets
    }

    /// Takes the targets back.
    pub fn into_targets(self) -> PurgeTargets {
        self.targets
    }
}

impl sealed::HasBody for CreatePurgeTask {
    fn body(&self) -> String {
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Domains<'a> {
            domains: Vec<&'a str>,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Wire<'a> {
            zone_id: &'a str,
            r#type: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            method: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            targets: Option<Vec<&'a str>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            cache_tag: Option<Domains<'a>>,
        }
        let cache_tag = match &self.targets {
            PurgeTargets::CacheTags { domains, .. } if !domains.is_empty() => Some(Domains {
                domains: domains.iter().map(Hostname::as_str).collect(),
            }),
            _ => None,
        };
        to_json(&Wire {
            zone_id: self.zone_id.as_str(),
            r#type: self.targets.purge_type().as_str(),
            method: self.targets.method().map(Method::as_str),
            targets: (!self.targets.is_empty()).then(|| self.targets.texts()),
            cache_tag,
        })
    }
}

impl ActionRequest for CreatePurgeTask {
    const ACTION: Action = Action::CreatePurgeTask;
}

/// The options of a prefetch, the same for every batch of one submission.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrefetchOptions {
    /// `Headers`: sent with each prefetch (the API states no limit).
    pub headers: Vec<HttpHeader>,
    /// `PrefetchMediaSegments` `on`: prefetch an M3U8's segments too.
    pub media_segments: bool,
}

/// `CreatePrefetchTask`: prefetch 1 to *limit* URLs of one zone. Only URLs:
/// a prefetch of a prefix, host or tag cannot be built.
///
/// ```
/// use tcdn_model::teo::{ActionRequest, CreatePrefetchTask, PrefetchOptions, ZoneId};
/// use tcdn_model::v3::HttpHeader;
///
/// let options = PrefetchOptions { headers: vec![HttpHeader::new("X-Warm", "1")?], media_segments: true };
/// let request = CreatePrefetchTask::new(
///     ZoneId::new("zone-1")?,
///     vec!["https://www.example.com/a.m3u8".parse()?],
///     options,
/// )?;
/// assert_eq!(
///     request.to_json(),
///     r#"{"ZoneId":"zone-1","Targets":["https://www.example.com/a.m3u8"],"Headers":[{"Name":"X-Warm","Value":"1"}],"PrefetchMediaSegments":"on"}"#,
/// );
/// # Ok::<(), tcdn_model::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatePrefetchTask {
    zone_id: ZoneId,
    urls: Vec<CdnUrl>,
    options: PrefetchOptions,
}

impl CreatePrefetchTask {
    /// A prefetch of 1 to [`DEFAULT_MAX_TARGETS`] URLs.
    pub fn new(
        zone_id: ZoneId,
        urls: Vec<CdnUrl>,
        options: PrefetchOptions,
    ) -> Result<Self, ModelError> {
        Self::with_limit(zone_id, urls, options, DEFAULT_MAX_TARGETS)
    }

    /// A prefetch of 1 to `limit` URLs (the zone quota's `Batch`).
    pub fn with_limit(
        zone_id: ZoneId,
        urls: Vec<CdnUrl>,
        options: PrefetchOptions,
        limit: usize,
    ) -> Result<Self, ModelError> {
        check_count("Targets", urls.len(), limit)?;
        Ok(Self {
            zone_id,
            urls,
            options,
        })
    }

    /// The zone.
    pub fn zone_id(&self) -> &ZoneId {
        &self.zone_id
    }

    /// The URLs, in wire order.
    pub fn urls(&self) -> &[CdnUrl] {
        &self.urls
    }

    /// The options.
    pub fn options(&self) -> &PrefetchOptions {
        &self.options
    }

    /// Takes the URLs back.
    pub fn into_urls(self) -> Vec<CdnUrl> {
        self.urls
    }
}

impl sealed::HasBody for CreatePrefetchTask {
    fn body(&self) -> String {
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Header<'a> {
            name: &'a str,
            value: &'a str,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Wire<'a> {
            zone_id: &'a str,
            targets: Vec<&'a str>,
            #[serde(skip_serializing_if = "Vec::is_empty")]
            headers: Vec<Header<'a>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            prefetch_media_segments: Option<&'a str>,
        }
        to_json(&Wire {
            zone_id: self.zone_id.as_str(),
            targets: self.urls.iter().map(CdnUrl::as_str).collect(),
            headers: self
                .options
                .headers
                .iter()
                .map(|h| Header {
                    name: h.name(),
                    value: h.value(),
                })
                .collect(),
            prefetch_media_segments: self.options.media_segments.then_some("on"),
        })
    }
}

impl ActionRequest for CreatePrefetchTask {
    const ACTION: Action = Action::CreatePrefetchTask;
}
