//! The URL-list requests: `PurgeUrlsCache` ([`PurgeUrls`]),
//! `PurgePathCache` ([`PurgePaths`]) and `PushUrlsCache` ([`PushUrls`]),
//! their per-call limits and the planner's length helpers.

use crate::error::{ModelError, check_count};
use crate::url::CdnUrl;
use crate::v3::request::{ActionRequest, sealed};
use crate::v3::types::{FlushType, PurgeOptions, PushOptions};
use crate::v3::wire::{self, Fields, Urls, Value};
use crate::v3::{Action, DEFAULT_MAX_PURGE_PATHS, MAX_PURGE_URLS, MAX_PUSH_URLS};

pub(super) fn purge_fields<'a>(
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
        let urls: Vec<CdnUrl> = urls.into_iter().collect();
        check_count("Urls", urls.len(), limit.min(MAX_PURGE_URLS))?;
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
        let paths: Vec<CdnUrl> = paths.into_iter().collect();
        check_count("Paths", paths.len(), limit)?;
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

pub(super) fn push_fields<'a>(urls: Urls<'a>, options: &'a PushOptions) -> Fields<'a> {
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
        let urls: Vec<CdnUrl> = urls.into_iter().collect();
        check_count("Urls", urls.len(), limit.min(MAX_PUSH_URLS))?;
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
