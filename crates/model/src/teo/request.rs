//! The six EdgeOne requests, valid by construction, and their JSON bodies
//! ([`ActionRequest`]): a purge of the whole zone carries no targets, a
//! prefetch carries only URLs, and every request but `DescribeZones` names
//! its zone.

use serde::Serialize;

use crate::error::{ModelError, ModelErrorKind};
use crate::teo::Action;
use crate::teo::limits::{
    DEFAULT_MAX_TARGETS, MAX_FILTER_VALUES, MAX_QUERY_WINDOW_SECS, MAX_TASKS_LIMIT, MAX_ZONES_LIMIT,
};
use crate::teo::types::{
    CacheTag, Hostname, JobId, Method, PurgeType, TargetText, TaskStatus, Time, ZoneId,
};
use crate::url::CdnUrl;
use crate::v3::HttpHeader;

mod sealed {
    /// Gives a request's JSON body to [`ActionRequest`](super::ActionRequest);
    /// not for other crates.
    pub trait HasBody {
        fn body(&self) -> String;
    }
}

/// The wire form of an EdgeOne request: its action, its zone, and the JSON
/// body of its TC3 POST (compact, fields in the order of the API's own
/// model, absent optional fields left out). EdgeOne is called with TC3 POST
/// only, so there is no flattened form.
pub trait ActionRequest: sealed::HasBody {
    /// The action.
    const ACTION: Action;

    /// The JSON body.
    fn to_json(&self) -> String {
        self.body()
    }
}

fn check_count(field: &'static str, count: usize, limit: usize) -> Result<(), ModelError> {
    if limit == 0 {
        return Err(ModelError::new(
            ModelErrorKind::ZeroLimit,
            "a per-call limit of 0 allows no call at all; it must be at least 1",
        ));
    }
    if count == 0 {
        return Err(ModelError::new(
            ModelErrorKind::NoUrls,
            format!("{field} is empty; give at least one"),
        ));
    }
    if count > limit {
        return Err(ModelError::new(
            ModelErrorKind::ListTooLong {
                field,
                count,
                limit,
            },
            format!(
                "{field} holds {count} items; one call carries at most {limit} \
                 (split them into several calls)"
            ),
        ));
    }
    Ok(())
}

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

/// What a task query selects by: a `job-id` filter, a `StartTime` to
/// `EndTime` window (at most [`MAX_QUERY_WINDOW_SECS`] long), or both. The
/// API requires one of them, so a selector without either cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaskSelector {
    job_id: Option<JobId>,
    window: Option<(Time, Time)>,
}

impl TaskSelector {
    /// The tasks of one job.
    pub fn job(job_id: JobId) -> Self {
        Self {
            job_id: Some(job_id),
            window: None,
        }
    }

    /// The tasks created from `start` to `end`.
    pub fn window(start: Time, end: Time) -> Result<Self, ModelError> {
        Self::new(None, Some((start, end)))
    }

    /// A job, a window or both; neither is
    /// [`NoTaskSelector`](ModelErrorKind::NoTaskSelector), a window that
    /// ends before it starts or spans more than 7 days is
    /// [`TimeRange`](ModelErrorKind::TimeRange).
    pub fn new(job_id: Option<JobId>, window: Option<(Time, Time)>) -> Result<Self, ModelError> {
        if job_id.is_none() && window.is_none() {
            return Err(ModelError::new(
                ModelErrorKind::NoTaskSelector,
                "a task query needs a job-id filter or a StartTime and EndTime",
            ));
        }
        if let Some((start, end)) = &window {
            let span = end.unix() - start.unix();
            if !(0..=MAX_QUERY_WINDOW_SECS).contains(&span) {
                return Err(ModelError::new(
                    ModelErrorKind::TimeRange,
                    format!("EndTime {end} must lie from StartTime {start} to 7 days after it"),
                ));
            }
        }
        Ok(Self { job_id, window })
    }

    /// The `job-id` filter's value.
    pub fn job_id(&self) -> Option<&JobId> {
        self.job_id.as_ref()
    }

    /// `StartTime` and `EndTime`.
    pub fn time_window(&self) -> Option<&(Time, Time)> {
        self.window.as_ref()
    }
}

/// What `DescribePurgeTasks` and `DescribePrefetchTasks` share: the zone,
/// the selector, paging and the filters (`None` or empty leaves one out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskQuery {
    /// `ZoneId` (required by the API since 2024).
    pub zone_id: ZoneId,
    /// What to select by.
    pub selector: TaskSelector,
    /// `Offset`, for paging.
    pub offset: Option<u64>,
    /// `Limit` (the API allows at most [`MAX_TASKS_LIMIT`]; more is sent
    /// as that).
    pub limit: Option<u64>,
    /// The `target` filter: one target as submitted.
    pub target: Option<TargetText>,
    /// The `statuses` filter.
    pub statuses: Vec<TaskStatus>,
}

impl TaskQuery {
    /// A query of `zone_id` with no filter beyond the selector.
    pub fn new(zone_id: ZoneId, selector: TaskSelector) -> Self {
        Self {
            zone_id,
            selector,
            offset: None,
            limit: None,
            target: None,
            statuses: Vec::new(),
        }
    }

    fn body(&self, purge_type: Option<PurgeType>) -> String {
        let mut filters: Vec<Filter<'_>> = Vec::new();
        if let Some(job) = &self.selector.job_id {
            filters.push(Filter::new("job-id", vec![job.as_str()]));
        }
        if let Some(target) = &self.target {
            filters.push(Filter::new("target", vec![target.as_str()]));
        }
        if !self.statuses.is_empty() {
            let statuses = self.statuses.iter().map(|s| s.as_str()).collect();
            filters.push(Filter::new("statuses", statuses));
        }
        if let Some(purge_type) = purge_type {
            filters.push(Filter::new("type", vec![purge_type.as_str()]));
        }
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Wire<'a> {
            zone_id: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            start_time: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            end_time: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            offset: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            limit: Option<u64>,
            #[serde(skip_serializing_if = "Vec::is_empty")]
            filters: Vec<Filter<'a>>,
        }
        let window = self.selector.window.as_ref();
        to_json(&Wire {
            zone_id: self.zone_id.as_str(),
            start_time: window.map(|(start, _)| start.as_str()),
            end_time: window.map(|(_, end)| end.as_str()),
            offset: self.offset,
            limit: self.limit.map(|n| n.min(MAX_TASKS_LIMIT)),
            filters,
        })
    }
}

/// An `AdvancedFilter` on the wire.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Filter<'a> {
    name: &'a str,
    values: Vec<&'a str>,
}

impl<'a> Filter<'a> {
    fn new(name: &'a str, values: Vec<&'a str>) -> Self {
        Self { name, values }
    }
}

/// `DescribePurgeTasks`: the purge tasks of a zone.
///
/// ```
/// use tcdn_model::teo::{ActionRequest, DescribePurgeTasks, JobId, TaskQuery, TaskSelector, ZoneId};
///
/// let query = TaskQuery::new(ZoneId::new("zone-1")?, TaskSelector::job(JobId::new("20ga521cpwch")?));
/// let request = DescribePurgeTasks { query, purge_type: None };
/// assert_eq!(
///     request.to_json(),
///     r#"{"ZoneId":"zone-1","Filters":[{"Name":"job-id","Values":["20ga521cpwch"]}]}"#,
/// );
/// # Ok::<(), tcdn_model::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribePurgeTasks {
    /// The zone, selector, paging and shared filters.
    pub query: TaskQuery,
    /// The `type` filter.
    pub purge_type: Option<PurgeType>,
}

impl sealed::HasBody for DescribePurgeTasks {
    fn body(&self) -> String {
        self.query.body(self.purge_type)
    }
}

impl ActionRequest for DescribePurgeTasks {
    const ACTION: Action = Action::DescribePurgeTasks;
}

/// `DescribePrefetchTasks`: the prefetch tasks of a zone (no `type`
/// filter: every prefetch is `prefetch_url`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribePrefetchTasks {
    /// The zone, selector, paging and filters.
    pub query: TaskQuery,
}

impl sealed::HasBody for DescribePrefetchTasks {
    fn body(&self) -> String {
        self.query.body(None)
    }
}

impl ActionRequest for DescribePrefetchTasks {
    const ACTION: Action = Action::DescribePrefetchTasks;
}

/// `DescribeContentQuota`: a zone's purge and prefetch quotas.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DescribeContentQuota {
    /// `ZoneId`.
    pub zone_id: ZoneId,
}

impl sealed::HasBody for DescribeContentQuota {
    fn body(&self) -> String {
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Wire<'a> {
            zone_id: &'a str,
        }
        to_json(&Wire {
            zone_id: self.zone_id.as_str(),
        })
    }
}

impl ActionRequest for DescribeContentQuota {
    const ACTION: Action = Action::DescribeContentQuota;
}

/// `DescribeZones`: one page of the account's zones, optionally filtered by
/// zone id or name (at most [`MAX_FILTER_VALUES`] of each).
///
/// ```
/// use tcdn_model::teo::{ActionRequest, DescribeZones};
///
/// let request = DescribeZones::page(100, 100)?;
/// assert_eq!(request.to_json(), r#"{"Offset":100,"Limit":100}"#);
/// assert!(DescribeZones::page(0, 101).is_err());
/// # Ok::<(), tcdn_model::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DescribeZones {
    offset: u64,
    limit: Option<u64>,
    zone_ids: Vec<ZoneId>,
    zone_names: Vec<Hostname>,
}

impl DescribeZones {
    /// The page of `limit` (1 to [`MAX_ZONES_LIMIT`]) zones from `offset`.
    pub fn page(offset: u64, limit: u64) -> Result<Self, ModelError> {
        if !(1..=MAX_ZONES_LIMIT).contains(&limit) {
            return Err(ModelError::new(
                ModelErrorKind::ListTooLong {
                    field: "Limit",
                    count: usize::try_from(limit).unwrap_or(usize::MAX),
                    limit: MAX_ZONES_LIMIT as usize,
                },
                format!("a zone page holds 1 to {MAX_ZONES_LIMIT} zones, not {limit}"),
            ));
        }
        Ok(Self {
            offset,
            limit: Some(limit),
            ..Self::default()
        })
    }

    /// Only the zones with these ids (the `zone-id` filter).
    pub fn with_zone_ids(mut self, ids: Vec<ZoneId>) -> Result<Self, ModelError> {
        check_count("zone-id", ids.len(), MAX_FILTER_VALUES)?;
        self.zone_ids = ids;
        Ok(self)
    }

    /// Only the zones of these names (the `zone-name` filter).
    pub fn with_zone_names(mut self, names: Vec<Hostname>) -> Result<Self, ModelError> {
        check_count("zone-name", names.len(), MAX_FILTER_VALUES)?;
        self.zone_names = names;
        Ok(self)
    }

    /// `Offset`.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// `Limit`, when sent (the API's default is 20).
    pub fn limit(&self) -> Option<u64> {
        self.limit
    }

    /// The `zone-id` filter's values.
    pub fn zone_ids(&self) -> &[ZoneId] {
        &self.zone_ids
    }

    /// The `zone-name` filter's values.
    pub fn zone_names(&self) -> &[Hostname] {
        &self.zone_names
    }
}

impl sealed::HasBody for DescribeZones {
    fn body(&self) -> String {
        let mut filters = Vec::new();
        if !self.zone_ids.is_empty() {
            filters.push(Filter::new(
                "zone-id",
                self.zone_ids.iter().map(ZoneId::as_str).collect(),
            ));
        }
        if !self.zone_names.is_empty() {
            filters.push(Filter::new(
                "zone-name",
                self.zone_names.iter().map(Hostname::as_str).collect(),
            ));
        }
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Wire<'a> {
            offset: u64,
            #[serde(skip_serializing_if = "Option::is_none")]
            limit: Option<u64>,
            #[serde(skip_serializing_if = "Vec::is_empty")]
            filters: Vec<Filter<'a>>,
        }
        to_json(&Wire {
            offset: self.offset,
            limit: self.limit,
            filters,
        })
    }
}

impl ActionRequest for DescribeZones {
    const ACTION: Action = Action::DescribeZones;
}

/// Any of the six requests: what the server-side parser gives back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `CreatePurgeTask`.
    CreatePurgeTask(CreatePurgeTask),
    /// `CreatePrefetchTask`.
    CreatePrefetchTask(CreatePrefetchTask),
    /// `DescribePurgeTasks`.
    DescribePurgeTasks(DescribePurgeTasks),
    /// `DescribePrefetchTasks`.
    DescribePrefetchTasks(DescribePrefetchTasks),
    /// `DescribeContentQuota`.
    DescribeContentQuota(DescribeContentQuota),
    /// `DescribeZones`.
    DescribeZones(DescribeZones),
}

impl Request {
    /// The action.
    pub fn action(&self) -> Action {
        match self {
            Self::CreatePurgeTask(_) => Action::CreatePurgeTask,
            Self::CreatePrefetchTask(_) => Action::CreatePrefetchTask,
            Self::DescribePurgeTasks(_) => Action::DescribePurgeTasks,
            Self::DescribePrefetchTasks(_) => Action::DescribePrefetchTasks,
            Self::DescribeContentQuota(_) => Action::DescribeContentQuota,
            Self::DescribeZones(_) => Action::DescribeZones,
        }
    }

    /// The zone the request names (none for `DescribeZones`).
    pub fn zone_id(&self) -> Option<&ZoneId> {
        match self {
            Self::CreatePurgeTask(r) => Some(r.zone_id()),
            Self::CreatePrefetchTask(r) => Some(r.zone_id()),
            Self::DescribePurgeTasks(r) => Some(&r.query.zone_id),
            Self::DescribePrefetchTasks(r) => Some(&r.query.zone_id),
            Self::DescribeContentQuota(r) => Some(&r.zone_id),
            Self::DescribeZones(_) => None,
        }
    }

    /// The JSON body ([`ActionRequest::to_json`]).
    pub fn to_json(&self) -> String {
        match self {
            Self::CreatePurgeTask(r) => r.to_json(),
            Self::CreatePrefetchTask(r) => r.to_json(),
            Self::DescribePurgeTasks(r) => r.to_json(),
            Self::DescribePrefetchTasks(r) => r.to_json(),
            Self::DescribeContentQuota(r) => r.to_json(),
            Self::DescribeZones(r) => r.to_json(),
        }
    }
}

/// Compact JSON of a wire struct, its fields in declaration order (written
/// straight from the struct, so no map type can reorder them).
fn to_json<T: Serialize>(value: &T) -> String {
    // Serialising these plain structs of strings and integers cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}
