//! The seven API 3.0 requests, valid by construction, and their wire forms
//! ([`ActionRequest`]).

use std::borrow::Cow;

use crate::error::{ModelError, ModelErrorKind};
use crate::url::CdnUrl;
use crate::url_list::CdnUrlList;
use crate::v3::types::{
    Area, DateTime, FlushType, Keyword, PurgeOptions, PurgeStatus, PurgeType, PushOptions, TaskId,
    TaskStatus,
};
use crate::v3::wire::{self, Fields, Urls, Value};
use crate::v3::{Action, DEFAULT_MAX_PURGE_PATHS, MAX_PURGE_URLS, MAX_PUSH_URLS};

mod sealed {
    /// Gives a request's fields to the wire writers; not for other crates.
    pub trait HasFields {
        fn fields(&self) -> crate::v3::wire::Fields<'_>;
    }
}

/// The wire forms of an API 3.0 request: its action, the JSON body of a TC3
/// POST, and the flattened parameters of a v1 request or a TC3 GET, each
/// with its exact encoded length.
///
/// The JSON body is compact (no spaces), fields in the order of the API's
/// own model (as the official SDKs write them), non-ASCII text as UTF-8 and
/// escapes as `serde_json` writes them; optional fields that are absent, and
/// booleans that are `false` (the API's default), are left out, as the
/// official SDK leaves out `None`. The official Python SDK writes the same
/// fields with spaces after `:` and `,` and `\uXXXX` escapes; the server
/// reads both.
///
/// The flattened parameters hold only the action's own fields: `Action`,
/// `Version` and the common parameters are the client's business. Booleans
/// are written `True`, as the official Python SDK writes them.
pub trait ActionRequest: sealed::HasFields {
    /// The action.
    const ACTION: Action;

    /// The JSON body.
    fn to_json(&self) -> String {
        wire::json(&self.fields())
    }

    /// The exact length of [`to_json`](Self::to_json), computed without
    /// building it.
    fn json_len(&self) -> usize {
        wire::json_len(&self.fields())
    }

    /// The flattened parameters, in field order, values raw (not encoded).
    fn flat_params(&self) -> Vec<(Cow<'static, str>, Cow<'_, str>)> {
        wire::flat(&self.fields())
    }

    /// The exact length of the form encoding of
    /// [`flat_params`](Self::flat_params) alone (`k=v&k=v`, as
    /// [`append_flat_form`](crate::v3::append_flat_form) writes it into an
    /// empty string); `0` when there are none.
    fn flat_form_len(&self) -> usize {
        wire::form_len_joined(&self.fields()).saturating_sub(1)
    }
}

fn check_list(field: &'static str, count: usize, limit: usize) -> Result<(), ModelError> {
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

fn check_limit(limit: usize) -> Result<(), ModelError> {
    if limit == 0 {
        return Err(ModelError::new(
            ModelErrorKind::ZeroLimit,
            "a per-call limit of 0 allows no call at all; it must be at least 1",
        ));
    }
    Ok(())
}

fn purge_fields<'a>(
    list: &'static str,
    urls: Urls<'a>,
    flush_type: Option<FlushType>,
    options: &PurgeOptions,
) -> Fields<'a> {
    let mut fields: Fields<'a> = vec![(list, Value::Urls(urls))];
    let area = options.area.map(|a| ("Area", Value::Str(a.as_str())));
    let encode = options.url_encode.then_some(("UrlEncode", Value::True));
    match flush_type {
        // PurgePathCache: Paths, FlushType, UrlEncode, Area.
        Some(flush_type) => {
            fields.push(("FlushType", Value::Str(flush_type.as_str())));
            fields.extend(encode);
            fields.extend(area);
        }
        // PurgeUrlsCache: Urls, Area, UrlEncode.
        None => {
            fields.extend(area);
            fields.extend(encode);
        }
    }
    fields
}

/// Defines the planner's length helpers of a URL-list request.
macro_rules! list_lengths {
    ($list:literal) => {
        /// The length of one list item in the JSON body: its string literal
        /// plus the `,` before it when `index > 0`. A body's
        /// [`json_len`](ActionRequest::json_len) is `base_json_len` plus the
        /// items' lengths, so a planner can pack items under a byte limit
        /// without building requests.
        pub fn item_json_len(index: usize, url: &CdnUrl) -> usize {
            wire::json_item_len(index, url.as_str())
        }

        /// [`item_json_len`](Self::item_json_len) of a URL's text (for
        /// planners holding URLs as text).
        pub fn item_json_len_of(index: usize, url: &str) -> usize {
            wire::json_item_len(index, url)
        }

        #[doc = concat!("The length of one list item in the flattened form: `&", $list, ".{index}=` and the encoded value. A form's [`flat_form_len`](ActionRequest::flat_form_len) is `base_form_len` plus the items' lengths, minus the one `&` that does not start a form.")]
        pub fn item_form_len(index: usize, url: &CdnUrl) -> usize {
            wire::form_item_len($list, index, url.as_str())
        }

        /// [`item_form_len`](Self::item_form_len) of a URL's text (for
        /// planners holding URLs as text).
        pub fn item_form_len_of(index: usize, url: &str) -> usize {
            wire::form_item_len($list, index, url)
        }
    };
}

/// `PurgeUrlsCache`: purge 1 to [`MAX_PURGE_URLS`] URLs.
///
/// The API does not refuse repeated URLs, so neither does this type; dedupe
/// with [`CdnUrl::dedupe_key`] first.
///
/// ```
/// use tcdn_model::v3::{ActionRequest, PurgeArea, PurgeOptions, PurgeUrls};
///
/// let options = PurgeOptions { area: Some(PurgeArea::Overseas), url_encode: false };
/// let request = PurgeUrls::new(["https://a.example/x.js".parse()?], options)?;
/// assert_eq!(request.to_json(), r#"{"Urls":["https://a.example/x.js"],"Area":"overseas"}"#);
/// assert_eq!(request.json_len(), request.to_json().len());
/// let flat: Vec<(String, String)> = request
///     .flat_params()
///     .into_iter()
///     .map(|(k, v)| (k.into_owned(), v.into_owned()))
///     .collect();
/// assert_eq!(flat[0], ("Urls.0".to_owned(), "https://a.example/x.js".to_owned()));
/// # Ok::<(), tcdn_model::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeUrls {
    urls: Vec<CdnUrl>,
    options: PurgeOptions,
}

impl PurgeUrls {
    /// A purge of 1 to [`MAX_PURGE_URLS`] URLs.
    pub fn new(
        urls: impl IntoIterator<Item = CdnUrl>,
        options: PurgeOptions,
    ) -> Result<Self, ModelError> {
        Self::with_limit(urls, options, MAX_PURGE_URLS)
    }

    /// A purge of 1 to `limit` URLs (at most [`MAX_PURGE_URLS`] whatever
    /// `limit` says), e.g. the `Batch` of the account's quota.
    pub fn with_limit(
        urls: impl IntoIterator<Item = CdnUrl>,
        options: PurgeOptions,
        limit: usize,
    ) -> Result<Self, ModelError> {
        check_limit(limit)?;
        let urls: Vec<CdnUrl> = urls.into_iter().collect();
        check_list("Urls", urls.len(), limit.min(MAX_PURGE_URLS))?;
        Ok(Self { urls, options })
    }

    /// The URLs, in wire order.
    pub fn urls(&self) -> &[CdnUrl] {
        &self.urls
    }

    /// The options.
    pub fn options(&self) -> PurgeOptions {
        self.options
    }

    /// Takes the URLs back.
    pub fn into_urls(self) -> Vec<CdnUrl> {
        self.urls
    }

    /// The JSON body length of a request with these options and an empty
    /// `Urls` list (`"Urls":[]`).
    pub fn base_json_len(options: &PurgeOptions) -> usize {
        wire::json_len(&purge_fields("Urls", Urls::Owned(&[]), None, options))
    }

    /// The flattened form length of these options, each parameter counted
    /// with its joining `&`.
    pub fn base_form_len(options: &PurgeOptions) -> usize {
        wire::form_len_joined(&purge_fields("Urls", Urls::Owned(&[]), None, options))
    }

    list_lengths!("Urls");
}

impl sealed::HasFields for PurgeUrls {
    fn fields(&self) -> Fields<'_> {
        purge_fields("Urls", Urls::Owned(&self.urls), None, &self.options)
    }
}

impl ActionRequest for PurgeUrls {
    const ACTION: Action = Action::PurgeUrlsCache;
}

/// `PurgePathCache`: purge 1 to *limit* directories (`Paths`, validated as
/// [`CdnUrl`]s) with a [`FlushType`].
///
/// The per-call limit is the `Batch` of the account's `PathPurge` quota
/// (`DescribePurgeQuota`); [`new`](Self::new) assumes
/// [`DEFAULT_MAX_PURGE_PATHS`] (100), [`with_limit`](Self::with_limit) takes
/// the real one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgePaths {
    paths: Vec<CdnUrl>,
    flush_type: FlushType,
    options: PurgeOptions,
}

impl PurgePaths {
    /// A purge of 1 to [`DEFAULT_MAX_PURGE_PATHS`] directories.
    pub fn new(
        paths: impl IntoIterator<Item = CdnUrl>,
        flush_type: FlushType,
        options: PurgeOptions,
    ) -> Result<Self, ModelError> {
        Self::with_limit(paths, flush_type, options, DEFAULT_MAX_PURGE_PATHS)
    }

    /// A purge of 1 to `limit` directories.
    pub fn with_limit(
        paths: impl IntoIterator<Item = CdnUrl>,
        flush_type: FlushType,
        options: PurgeOptions,
        limit: usize,
    ) -> Result<Self, ModelError> {
        check_limit(limit)?;
        let paths: Vec<CdnUrl> = paths.into_iter().collect();
        check_list("Paths", paths.len(), limit)?;
        Ok(Self {
            paths,
            flush_type,
            options,
        })
    }

    /// The directories, in wire order.
    pub fn paths(&self) -> &[CdnUrl] {
        &self.paths
    }

    /// The flush type.
    pub fn flush_type(&self) -> FlushType {
        self.flush_type
    }

    /// The options.
    pub fn options(&self) -> PurgeOptions {
        self.options
    }

    /// Takes the directories back.
    pub fn into_paths(self) -> Vec<CdnUrl> {
        self.paths
    }

    /// The JSON body length with an empty `Paths` list.
    pub fn base_json_len(flush_type: FlushType, options: &PurgeOptions) -> usize {
        wire::json_len(&purge_fields(
            "Paths",
            Urls::Owned(&[]),
            Some(flush_type),
            options,
        ))
    }

    /// The flattened form length without `Paths`, each parameter counted with
    /// its joining `&`.
    pub fn base_form_len(flush_type: FlushType, options: &PurgeOptions) -> usize {
        wire::form_len_joined(&purge_fields(
            "Paths",
            Urls::Owned(&[]),
            Some(flush_type),
            options,
        ))
    }

    list_lengths!("Paths");
}

impl sealed::HasFields for PurgePaths {
    fn fields(&self) -> Fields<'_> {
        purge_fields(
            "Paths",
            Urls::Owned(&self.paths),
            Some(self.flush_type),
            &self.options,
        )
    }
}

impl ActionRequest for PurgePaths {
    const ACTION: Action = Action::PurgePathCache;
}

fn push_fields<'a>(urls: Urls<'a>, options: &'a PushOptions) -> Fields<'a> {
    // PushUrlsCache: Urls, UserAgent, Area, Layer, ParseM3U8, DisableRange,
    // Headers, UrlEncode.
    let mut fields: Fields<'a> = vec![("Urls", Value::Urls(urls))];
    if let Some(agent) = &options.user_agent {
        fields.push(("UserAgent", Value::Str(agent.as_str())));
    }
    if let Some(area) = options.area {
        fields.push(("Area", Value::Str(area.as_str())));
    }
    if let Some(layer) = options.layer {
        fields.push(("Layer", Value::Str(layer.as_str())));
    }
    if options.parse_m3u8 {
        fields.push(("ParseM3U8", Value::True));
    }
    if options.disable_range {
        fields.push(("DisableRange", Value::True));
    }
    if !options.headers.is_empty() {
        fields.push(("Headers", Value::Headers(options.headers.as_slice())));
    }
    if options.url_encode {
        fields.push(("UrlEncode", Value::True));
    }
    fields
}

/// `PushUrlsCache`: push (prefetch) 1 to [`MAX_PUSH_URLS`] URLs with
/// [`PushOptions`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushUrls {
    urls: Vec<CdnUrl>,
    options: PushOptions,
}

impl PushUrls {
    /// A push of 1 to [`MAX_PUSH_URLS`] URLs.
    pub fn new(
        urls: impl IntoIterator<Item = CdnUrl>,
        options: PushOptions,
    ) -> Result<Self, ModelError> {
        Self::with_limit(urls, options, MAX_PUSH_URLS)
    }

    /// A push of 1 to `limit` URLs (at most [`MAX_PUSH_URLS`] whatever
    /// `limit` says), e.g. the `Batch` of the account's quota.
    pub fn with_limit(
        urls: impl IntoIterator<Item = CdnUrl>,
        options: PushOptions,
        limit: usize,
    ) -> Result<Self, ModelError> {
        check_limit(limit)?;
        let urls: Vec<CdnUrl> = urls.into_iter().collect();
        check_list("Urls", urls.len(), limit.min(MAX_PUSH_URLS))?;
        Ok(Self { urls, options })
    }

    /// The URLs, in wire order.
    pub fn urls(&self) -> &[CdnUrl] {
        &self.urls
    }

    /// The options.
    pub fn options(&self) -> &PushOptions {
        &self.options
    }

    /// Takes the URLs back.
    pub fn into_urls(self) -> Vec<CdnUrl> {
        self.urls
    }

    /// The JSON body length with an empty `Urls` list.
    pub fn base_json_len(options: &PushOptions) -> usize {
        wire::json_len(&push_fields(Urls::Owned(&[]), options))
    }

    /// The flattened form length without `Urls`, each parameter counted with
    /// its joining `&`.
    pub fn base_form_len(options: &PushOptions) -> usize {
        wire::form_len_joined(&push_fields(Urls::Owned(&[]), options))
    }

    list_lengths!("Urls");
}

impl sealed::HasFields for PushUrls {
    fn fields(&self) -> Fields<'_> {
        push_fields(Urls::Owned(&self.urls), &self.options)
    }
}

impl ActionRequest for PushUrls {
    const ACTION: Action = Action::PushUrlsCache;
}

/// What a task query selects by: a `TaskId`, a `StartTime` (with an
/// optional `EndTime`), or both. The API requires a `TaskId` or a
/// `StartTime`, so a selector without either cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaskSelector {
    task_id: Option<TaskId>,
    start_time: Option<DateTime>,
    end_time: Option<DateTime>,
}

impl TaskSelector {
    /// Tasks with this id.
    pub fn task(task_id: TaskId) -> Self {
        Self {
            task_id: Some(task_id),
            start_time: None,
            end_time: None,
        }
    }

    /// Tasks created from `start` (to `end`, when given).
    pub fn since(start: DateTime, end: Option<DateTime>) -> Result<Self, ModelError> {
        Self::new(None, Some(start), end)
    }

    /// Any combination with a task id or a start time; `end` must not be
    /// before `start` ([`TimeRange`](ModelErrorKind::TimeRange)); neither id
    /// nor start is [`NoTaskSelector`](ModelErrorKind::NoTaskSelector).
    pub fn new(
        task_id: Option<TaskId>,
        start_time: Option<DateTime>,
        end_time: Option<DateTime>,
    ) -> Result<Self, ModelError> {
        if task_id.is_none() && start_time.is_none() {
            return Err(ModelError::new(
                ModelErrorKind::NoTaskSelector,
                "a task query needs a TaskId or a StartTime",
            ));
        }
        if let (Some(start), Some(end)) = (start_time, end_time)
            && end < start
        {
            return Err(ModelError::new(
                ModelErrorKind::TimeRange,
                format!("EndTime {end} is before StartTime {start}"),
            ));
        }
        Ok(Self {
            task_id,
            start_time,
            end_time,
        })
    }

    /// `TaskId`.
    pub fn task_id(&self) -> Option<&TaskId> {
        self.task_id.as_ref()
    }

    /// `StartTime`.
    pub fn start_time(&self) -> Option<DateTime> {
        self.start_time
    }

    /// `EndTime`.
    pub fn end_time(&self) -> Option<DateTime> {
        self.end_time
    }
}

/// `DescribePurgeTasks`: the purge task logs selected by a [`TaskSelector`]
/// and the optional filters. `None` leaves a filter out (the API's default:
/// `Offset` 0, `Limit` 20, every type, status and area).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribePurgeTasks {
    /// What to select by.
    pub selector: TaskSelector,
    /// `PurgeType`: URL or directory purges.
    pub purge_type: Option<PurgeType>,
    /// `Offset`, for paging.
    pub offset: Option<u64>,
    /// `Limit`, for paging.
    pub limit: Option<u64>,
    /// `Keyword`: a domain or full URL.
    pub keyword: Option<Keyword>,
    /// `Status`.
    pub status: Option<PurgeStatus>,
    /// `Area`.
    pub area: Option<Area>,
}

impl DescribePurgeTasks {
    /// A query with no filter beyond the selector.
    pub fn new(selector: TaskSelector) -> Self {
        Self {
            selector,
            purge_type: None,
            offset: None,
            limit: None,
            keyword: None,
            status: None,
            area: None,
        }
    }
}

fn push_selector<'a>(fields: &mut Fields<'a>, selector: &'a TaskSelector, with_id: bool) {
    if with_id {
        if let Some(id) = &selector.task_id {
            fields.push(("TaskId", Value::Str(id.as_str())));
        }
        return;
    }
    if let Some(start) = &selector.start_time {
        fields.push(("StartTime", Value::Str(start.as_str())));
    }
    if let Some(end) = &selector.end_time {
        fields.push(("EndTime", Value::Str(end.as_str())));
    }
}

impl sealed::HasFields for DescribePurgeTasks {
    fn fields(&self) -> Fields<'_> {
        // PurgeType, StartTime, EndTime, TaskId, Offset, Limit, Keyword,
        // Status, Area.
        let mut fields: Fields<'_> = Vec::new();
        if let Some(t) = self.purge_type {
            fields.push(("PurgeType", Value::Str(t.as_str())));
        }
        push_selector(&mut fields, &self.selector, false);
        push_selector(&mut fields, &self.selector, true);
        fields.extend(self.offset.map(|n| ("Offset", Value::Uint(n))));
        fields.extend(self.limit.map(|n| ("Limit", Value::Uint(n))));
        if let Some(k) = &self.keyword {
            fields.push(("Keyword", Value::Str(k.as_str())));
        }
        fields.extend(self.status.map(|s| ("Status", Value::Str(s.as_str()))));
        fields.extend(self.area.map(|a| ("Area", Value::Str(a.as_str()))));
        fields
    }
}

impl ActionRequest for DescribePurgeTasks {
    const ACTION: Action = Action::DescribePurgeTasks;
}

/// `DescribePushTasks`: the push task logs selected by a [`TaskSelector`]
/// and the optional filters (`None` leaves a filter out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribePushTasks {
    /// What to select by.
    pub selector: TaskSelector,
    /// `Keyword`: a domain or full URL.
    pub keyword: Option<Keyword>,
    /// `Offset`, for paging.
    pub offset: Option<u64>,
    /// `Limit`, for paging.
    pub limit: Option<u64>,
    /// `Area`.
    pub area: Option<Area>,
    /// `Status` (`invalid`: the origin answered 4xx or 5xx).
    pub status: Option<TaskStatus>,
}

impl DescribePushTasks {
    /// A query with no filter beyond the selector.
    pub fn new(selector: TaskSelector) -> Self {
        Self {
            selector,
            keyword: None,
            offset: None,
            limit: None,
            area: None,
            status: None,
        }
    }
}

impl sealed::HasFields for DescribePushTasks {
    fn fields(&self) -> Fields<'_> {
        // StartTime, EndTime, TaskId, Keyword, Offset, Limit, Area, Status.
        let mut fields: Fields<'_> = Vec::new();
        push_selector(&mut fields, &self.selector, false);
        push_selector(&mut fields, &self.selector, true);
        if let Some(k) = &self.keyword {
            fields.push(("Keyword", Value::Str(k.as_str())));
        }
        fields.extend(self.offset.map(|n| ("Offset", Value::Uint(n))));
        fields.extend(self.limit.map(|n| ("Limit", Value::Uint(n))));
        fields.extend(self.area.map(|a| ("Area", Value::Str(a.as_str()))));
        fields.extend(self.status.map(|s| ("Status", Value::Str(s.as_str()))));
        fields
    }
}

impl ActionRequest for DescribePushTasks {
    const ACTION: Action = Action::DescribePushTasks;
}

/// `DescribePurgeQuota`: no parameters; the body is `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DescribePurgeQuota;

impl sealed::HasFields for DescribePurgeQuota {
    fn fields(&self) -> Fields<'_> {
        Vec::new()
    }
}

impl ActionRequest for DescribePurgeQuota {
    const ACTION: Action = Action::DescribePurgeQuota;
}

/// `DescribePushQuota`: no parameters; the body is `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DescribePushQuota;

impl sealed::HasFields for DescribePushQuota {
    fn fields(&self) -> Fields<'_> {
        Vec::new()
    }
}

impl ActionRequest for DescribePushQuota {
    const ACTION: Action = Action::DescribePushQuota;
}

/// A call of a URL-list action whose URLs are read in place from positions
/// of a [`CdnUrlList`], for a planner that holds them there: the same wire
/// forms as the owned request of those URLs ([`PurgeUrls`], [`PurgePaths`],
/// [`PushUrls`]), built without a [`CdnUrl`] each. The counts are not
/// checked: the planner that chose the positions keeps to the limits.
///
/// ```
/// use tcdn_model::v3::{ListedRequest, PurgeOptions, PurgeUrls, Request};
/// use tcdn_model::{CdnUrl, CdnUrlList};
///
/// let mut list = CdnUrlList::new();
/// for i in 0..5 {
///     list.push(&format!("https://a.example/{i}"))?;
/// }
/// let options = PurgeOptions::default();
/// let listed = ListedRequest::purge_urls(&list, 1..4, &options);
/// let urls: Vec<CdnUrl> = list.urls().skip(1).take(3).collect();
/// let owned = Request::from(PurgeUrls::new(urls, options.clone())?);
/// assert_eq!(listed.to_json(), owned.to_json());
/// assert_eq!(listed.flat_params(), owned.flat_params());
/// # Ok::<(), tcdn_model::ModelError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ListedRequest<'a> {
    action: Action,
    fields: Fields<'a>,
}

impl<'a> ListedRequest<'a> {
    /// `PurgeUrlsCache` of the URLs at `positions` of `list`.
    pub fn purge_urls(
        list: &'a CdnUrlList,
        positions: std::ops::Range<usize>,
        options: &'a PurgeOptions,
    ) -> Self {
        let urls = Urls::Listed(list, positions.start, positions.end);
        Self {
            action: Action::PurgeUrlsCache,
            fields: purge_fields("Urls", urls, None, options),
        }
    }

    /// `PurgePathCache` of the directories at `positions` of `list`.
    pub fn purge_paths(
        list: &'a CdnUrlList,
        positions: std::ops::Range<usize>,
        flush_type: FlushType,
        options: &'a PurgeOptions,
    ) -> Self {
        let urls = Urls::Listed(list, positions.start, positions.end);
        Self {
            action: Action::PurgePathCache,
            fields: purge_fields("Paths", urls, Some(flush_type), options),
        }
    }

    /// `PushUrlsCache` of the URLs at `positions` of `list`.
    pub fn push_urls(
        list: &'a CdnUrlList,
        positions: std::ops::Range<usize>,
        options: &'a PushOptions,
    ) -> Self {
        let urls = Urls::Listed(list, positions.start, positions.end);
        Self {
            action: Action::PushUrlsCache,
            fields: push_fields(urls, options),
        }
    }

    /// The action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// The JSON body, as [`ActionRequest::to_json`].
    pub fn to_json(&self) -> String {
        wire::json(&self.fields)
    }

    /// The flattened parameters, as [`ActionRequest::flat_params`].
    pub fn flat_params(&self) -> Vec<(Cow<'static, str>, Cow<'_, str>)> {
        wire::flat(&self.fields)
    }

    /// The form length of the flattened parameters, as
    /// [`ActionRequest::flat_form_len`].
    pub fn flat_form_len(&self) -> usize {
        wire::form_len_joined(&self.fields).saturating_sub(1)
    }
}

/// Any of the seven requests: what the server-side parsers give back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `PurgeUrlsCache`.
    PurgeUrls(PurgeUrls),
    /// `PurgePathCache`.
    PurgePaths(PurgePaths),
    /// `PushUrlsCache`.
    PushUrls(PushUrls),
    /// `DescribePurgeTasks`.
    DescribePurgeTasks(DescribePurgeTasks),
    /// `DescribePushTasks`.
    DescribePushTasks(DescribePushTasks),
    /// `DescribePurgeQuota`.
    DescribePurgeQuota(DescribePurgeQuota),
    /// `DescribePushQuota`.
    DescribePushQuota(DescribePushQuota),
}

macro_rules! dispatch {
    ($self:ident, $r:ident => $e:expr) => {
        match $self {
            Request::PurgeUrls($r) => $e,
            Request::PurgePaths($r) => $e,
            Request::PushUrls($r) => $e,
            Request::DescribePurgeTasks($r) => $e,
            Request::DescribePushTasks($r) => $e,
            Request::DescribePurgeQuota($r) => $e,
            Request::DescribePushQuota($r) => $e,
        }
    };
}

impl Request {
    /// The action.
    pub fn action(&self) -> Action {
        fn of<R: ActionRequest>(_: &R) -> Action {
            R::ACTION
        }
        dispatch!(self, r => of(r))
    }

    /// The JSON body ([`ActionRequest::to_json`]).
    pub fn to_json(&self) -> String {
        dispatch!(self, r => r.to_json())
    }

    /// The JSON body's length.
    pub fn json_len(&self) -> usize {
        dispatch!(self, r => r.json_len())
    }

    /// The flattened parameters ([`ActionRequest::flat_params`]).
    pub fn flat_params(&self) -> Vec<(Cow<'static, str>, Cow<'_, str>)> {
        dispatch!(self, r => r.flat_params())
    }

    /// The flattened form's length ([`ActionRequest::flat_form_len`]).
    pub fn flat_form_len(&self) -> usize {
        dispatch!(self, r => r.flat_form_len())
    }
}

macro_rules! into_request {
    ($($t:ident),*) => {$(
        impl From<$t> for Request {
            fn from(request: $t) -> Self {
                Self::$t(request)
            }
        }
    )*};
}

into_request!(
    PurgeUrls,
    PurgePaths,
    PushUrls,
    DescribePurgeTasks,
    DescribePushTasks,
    DescribePurgeQuota,
    DescribePushQuota
);
