//! API 3.0 (`cdn.tencentcloudapi.com`, Version `2018-06-06`): the purge,
//! push and query actions, their two wire forms, their answers and error
//! codes (docs/protocol.md §5). Pure data, like the rest of the crate: the
//! signature (TC3 or v1) and the transport are the client's business.
//!
//! # Main types
//!
//! - [`Action`]: the eight actions, with their names ([`Action::as_str`]);
//!   [`VERSION`] is `2018-06-06`.
//! - Requests, valid by construction: [`PurgeUrls`] (1 to
//!   [`MAX_PURGE_URLS`] URLs), [`PurgePaths`] (directories with a
//!   [`FlushType`], 1 to [`DEFAULT_MAX_PURGE_PATHS`] or the account's
//!   quota), [`PushUrls`] (1 to [`MAX_PUSH_URLS`] URLs with
//!   [`PushOptions`]: [`UserAgent`], [`Area`], [`Layer`], `ParseM3U8`,
//!   `DisableRange`, [`Headers`] (up to [`MAX_HEADERS`] [`HttpHeader`]s), `UrlEncode`),
//!   [`DescribePurgeTasks`] and [`DescribePushTasks`] (a [`TaskSelector`]
//!   that holds a [`TaskId`] or a start [`DateTime`], and filters),
//!   [`DescribePurgeQuota`], [`DescribePushQuota`], [`DescribeDomains`]
//!   (paged, with [`DomainFilter`]s); [`Request`] is any of
//!   them. Purges take [`PurgeOptions`] ([`PurgeArea`] and `UrlEncode`).
//! - Wire forms ([`ActionRequest`]): the compact JSON body of a TC3 POST
//!   ([`to_json`](ActionRequest::to_json)) and the flattened parameters of a
//!   v1 request or TC3 GET ([`flat_params`](ActionRequest::flat_params):
//!   `Urls.0`, `Headers.0.Name`, …), each with its exact length computed
//!   without building it. `base_json_len`/`item_json_len` and
//!   `base_form_len`/`item_form_len` on the URL requests let a planner pack
//!   URLs under a byte limit ([`MAX_TC3_POST_BODY_LEN`],
//!   [`MAX_V1_POST_BODY_LEN`], [`MAX_GET_REQUEST_TARGET_LEN`]).
//! - The server side: [`Request::from_json`] and [`Request::from_params`]
//!   read a body or parameters back, refusing with the API's own
//!   [`ApiError`] (`MissingParameter`, `InvalidParameterValue`,
//!   `LimitExceeded.CdnPurgeUrlExceedBatchLimit`, …) under [`BatchLimits`].
//! - Answers: [`Answer<T>`](Answer) reads `{"Response": …}` leniently into
//!   the `RequestId` and either the payload ([`TaskSubmitted`],
//!   [`PurgeTasks`] of [`PurgeLog`]s, [`PushTasks`] of [`PushLog`]s,
//!   [`PurgeQuota`] and [`PushQuota`] of [`Quota`]s, [`Domains`] of
//!   [`BriefDomain`]s) or an [`ApiError`];
//!   unreadable bodies are an [`AnswerError`] with a snippet. The same type
//!   writes the official shapes for the emulator.
//! - Error codes: [`ErrorCode`] catalogues docs/protocol.md §5.3, each code
//!   with its meaning and [`ErrorClass`] (retryable, clock, authentication,
//!   unauthorized, invalid request, daily quota, batch limit, not found,
//!   unavailable, …); unknown codes are classed by their shape.
//!
//! # Building a request
//!
//! ```
//! use tcdn_model::CdnUrl;
//! use tcdn_model::v3::{ActionRequest, Area, Headers, HttpHeader, PushOptions, PushUrls};
//!
//! let urls: Vec<CdnUrl> = ["https://www.example.com/a.mp4", "https://www.example.com/图.png"]
//!     .into_iter()
//!     .map(str::parse)
//!     .collect::<Result<_, _>>()?;
//! let options = PushOptions {
//!     area: Some(Area::Global),
//!     parse_m3u8: true,
//!     headers: Headers::new(vec![HttpHeader::new("X-Warm", "1")?])?,
//!     ..Default::default()
//! };
//! let request = PushUrls::new(urls, options)?;
//! assert_eq!(
//!     request.to_json(),
//!     r#"{"Urls":["https://www.example.com/a.mp4","https://www.example.com/图.png"],"Area":"global","ParseM3U8":true,"Headers":[{"Name":"X-Warm","Value":"1"}]}"#,
//! );
//! let mut form = String::new();
//! tcdn_model::v3::append_flat_form(&mut form, &request.flat_params());
//! assert_eq!(form.len(), request.flat_form_len());
//! assert!(form.starts_with("Urls.0=https%3A%2F%2Fwww.example.com%2Fa.mp4&Urls.1="));
//! assert!(form.ends_with("&ParseM3U8=True&Headers.0.Name=X-Warm&Headers.0.Value=1"));
//!
//! // Too many URLs, an empty list or a 21st header cannot be built.
//! assert!(PushUrls::new([], PushOptions::default()).is_err());
//! # Ok::<(), tcdn_model::ModelError>(())
//! ```
//!
//! # Packing URLs under a byte limit
//!
//! ```
//! use tcdn_model::CdnUrl;
//! use tcdn_model::v3::{ActionRequest, PurgeOptions, PurgeUrls};
//!
//! let urls: Vec<CdnUrl> = (0..3).map(|i| format!("https://a.example/{i}").parse()).collect::<Result<_, _>>()?;
//! let options = PurgeOptions::default();
//! let predicted = PurgeUrls::base_json_len(&options)
//!     + urls.iter().enumerate().map(|(i, u)| PurgeUrls::item_json_len(i, u)).sum::<usize>();
//! let request = PurgeUrls::new(urls, options)?;
//! assert_eq!(predicted, request.to_json().len());
//! # Ok::<(), tcdn_model::ModelError>(())
//! ```
//!
//! # Reading an answer
//!
//! ```
//! use tcdn_model::v3::{Answer, AnswerErrorKind, PurgeQuota};
//!
//! let body = br#"{"Response":{"UrlPurge":[{"Batch":1000,"Total":10000,"Available":9990,"Area":"mainland"}],"PathPurge":[],"RequestId":"r1"}}"#;
//! let quota = Answer::<PurgeQuota>::from_slice(body)?.into_result().unwrap();
//! assert_eq!(quota.url_purge[0].available, 9990);
//!
//! let html = Answer::<PurgeQuota>::from_slice(b"<html>502 Bad Gateway</html>").unwrap_err();
//! assert_eq!(html.kind(), AnswerErrorKind::NotJson);
//! assert!(html.snippet().starts_with("<html>"));
//! # Ok::<(), tcdn_model::v3::AnswerError>(())
//! ```

pub(crate) mod answer;
mod codes;
mod domains;
mod limits;
mod parse;
pub(crate) mod request;
mod source;
pub(crate) mod types;
mod wire;

pub use answer::{
    Answer, AnswerBody, AnswerError, AnswerErrorKind, BriefDomain, Domains, PurgeLog, PurgeQuota,
    PurgeTasks, PushLog, PushQuota, PushTasks, Quota, TaskSubmitted,
};
pub use codes::{ApiError, ErrorClass, ErrorCode};
pub use domains::{DOMAIN_FILTER_NAMES, DomainFilter, domain_covers, is_domain_name};
pub use limits::{
    DEFAULT_MAX_PURGE_PATHS, ENDPOINT_HOST, ENDPOINT_PATH, MAX_GET_REQUEST_TARGET_LEN,
    MAX_PURGE_URLS, MAX_PUSH_URLS, MAX_TC3_POST_BODY_LEN, MAX_V1_POST_BODY_LEN, SERVICE, VERSION,
};
pub use parse::BatchLimits;
pub use request::{
    ActionRequest, DescribeDomains, DescribePurgeQuota, DescribePurgeTasks, DescribePushQuota,
    DescribePushTasks, ListedRequest, MAX_DOMAINS_LIMIT, PurgePaths, PurgeUrls, PushUrls, Request,
    TaskSelector,
};
pub use source::COMMON_PARAMS;
pub use types::{
    Area, DateTime, FlushType, Headers, HttpHeader, Keyword, Layer, MAX_HEADER_NAME_LEN,
    MAX_HEADER_VALUE_LEN, MAX_HEADERS, MAX_KEYWORD_LEN, MAX_TASK_ID_LEN, PurgeArea, PurgeOptions,
    PurgeStatus, PurgeType, PushOptions, TaskId, TaskStatus, UserAgent,
};
pub use wire::{FLAT_TRUE, append_flat_form};

crate::actions::actions! {
    refuse: unknown_action => ApiError;
    /// An API 3.0 action.
    pub enum Action {
        PurgeUrlsCache,
        PurgePathCache,
        PushUrlsCache,
        DescribePurgeTasks,
        DescribePushTasks,
        DescribePurgeQuota,
        DescribePushQuota,
        DescribeDomains,
    }
}

impl Action {
    /// The server's answer to an action name it does not know.
    pub fn unknown(name: &str) -> ApiError {
        unknown_action(name)
    }
}

/// The server's answer to an action name it does not know, of any product
/// at API 3.0's endpoint.
pub(crate) fn unknown_action(name: &str) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidAction,
        format!("the action {} does not exist", crate::error::quote(name)),
    )
}
