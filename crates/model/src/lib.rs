//! The Tencent Cloud CDN purge and push model, shared by the tcdn client,
//! CLI and emulator: API 2.0 (`FlushOrPushOverall`) at the crate root, API
//! 3.0 (`PurgeUrlsCache`, `PurgePathCache`, `PushUrlsCache` and their
//! queries) in [`v3`]. Validated requests, their wire forms, lenient
//! answers and error catalogues. Pure data: no I/O, no clock, no signing.
//!
//! # Main types
//!
//! - [`v3`]: the API 3.0 actions ([`v3::Action`]), typed requests
//!   ([`v3::PurgeUrls`], [`v3::PurgePaths`], [`v3::PushUrls`],
//!   [`v3::DescribePurgeTasks`], …) with their JSON bodies and flattened
//!   parameters, the server-side parsers, answers ([`v3::Answer`]) and the
//!   error-code catalogue ([`v3::ErrorCode`], [`v3::ErrorClass`]). See the
//!   module's documentation.
//!
//! - [`CdnUrl`] is an `http://` or `https://` URL with a well-formed host
//!   and port, no whitespace, control or invisible format characters, no
//!   fragment, at most [`MAX_URL_LEN`] bytes; sent exactly as given, and
//!   compared for dedupe without regard to the case of scheme and host
//!   ([`CdnUrl::dedupe_key`]). Both APIs use it.
//! - [`CdnUrlList`] holds many validated URLs in one text buffer with
//!   their end offsets (no allocation per URL), and hands out `&str`s or
//!   [`CdnUrl`]s cut from it without validating them again.
//! - [`Operation`] is one of [`FlushUrls`](Operation::FlushUrls),
//!   [`FlushDirs`](Operation::FlushDirs) or [`PushUrls`](Operation::PushUrls)
//!   (a push of directories cannot be expressed), with the wire
//!   [`Command`] and [`UrlType`] and the per-request URL limit
//!   (1000 / 20 / 20).
//! - [`Areas`] is mainland, oversea or both; never neither.
//! - [`FlushOrPush`] is the request: an operation, its areas and 1 to
//!   *limit* distinct URLs. It yields its ordered action parameters
//!   ([`FlushOrPush::action_params`]), knows their exact encoded size
//!   ([`FlushOrPush::action_params_form_len`], and its parts
//!   [`FlushOrPush::fixed_params_form_len`] and
//!   [`FlushOrPush::url_param_form_len`], which the client's batch planner
//!   packs by), and parses decoded parameters back ([`FlushOrPush::from_params`],
//!   [`decode_form`]) for the emulator. It loads from JSON with serde:
//!   `{"operation":"flush_urls","areas":"both","urls":["https://…"]}`.
//! - [`Envelope`] is the v2 response `{"code":…,"message":…,"codeDesc":…}`,
//!   parsed leniently ([`Envelope::from_slice`]) with the module code taken
//!   from a `"(9110)…"` message prefix or a numeric `codeDesc`; unreadable
//!   bodies are an [`EnvelopeError`] with a short snippet.
//! - [`CommonCode`] and [`ModuleCode`] form the error catalogue, each code with
//!   its [`meaning`](CommonCode::meaning) and [`Retryability`].
//! - [`ModelError`] reports every validation failure, with a
//!   [`kind`](ModelError::kind) ([`ModelErrorKind`]) and a message naming the
//!   offending value and the rule.
//! - [`json`] writes JSON string literals exactly as `serde_json` does, for
//!   the API 3.0 bodies and anyone printing requests as JSON.
//!
//! # Building a request and its wire form
//!
//! The common parameters (`SecretId`, `Timestamp`, `Nonce`,
//! `SignatureMethod`, `Signature`, ...) are the client's business; this crate
//! gives the action parameters and the form encoding.
//!
//! ```
//! use tcdn_model::{append_form, Areas, CdnUrl, FlushOrPush, Operation, ENDPOINT_PATH, MAX_GET_REQUEST_TARGET_LEN};
//!
//! let urls = ["https://www.example.com/a.jpg?x=1&y=2", "https://www.example.com/图片/"]
//!     .into_iter()
//!     .map(str::parse)
//!     .collect::<Result<Vec<CdnUrl>, _>>()?;
//! let request = FlushOrPush::new(Operation::FlushUrls, Areas::Mainland, urls)?;
//!
//! let mut query = String::new();
//! append_form(&mut query, request.action_params());
//! append_form(&mut query, [("Nonce", "12345"), ("Timestamp", "1700000000")]);
//! assert_eq!(
//!     query,
//!     "Action=FlushOrPushOverall&command=flush&type=url\
//!      &urls.0=https%3A%2F%2Fwww.example.com%2Fa.jpg%3Fx%3D1%26y%3D2\
//!      &urls.1=https%3A%2F%2Fwww.example.com%2F%E5%9B%BE%E7%89%87%2F\
//!      &mainland=1&Nonce=12345&Timestamp=1700000000",
//! );
//! assert!(ENDPOINT_PATH.len() + 1 + query.len() <= MAX_GET_REQUEST_TARGET_LEN);
//!
//! // A push of directories, an empty batch or a missing area cannot be built.
//! assert!(Areas::from_flags(false, false).is_err());
//! assert!(FlushOrPush::new(Operation::PushUrls, Areas::Both, []).is_err());
//! # Ok::<(), tcdn_model::ModelError>(())
//! ```
//!
//! # Reading a response
//!
//! ```
//! use tcdn_model::{CommonCode, Envelope, EnvelopeErrorKind, ModuleCode, Retryability};
//!
//! let body = r#"{"code":4000,"message":"(9110)没有这个域名的信息 cdn no such host","codeDesc":"9110"}"#;
//! let envelope = Envelope::from_slice(body.as_bytes())?;
//! assert!(!envelope.is_success());
//! assert_eq!(envelope.common_code(), Some(CommonCode::InvalidParameter));
//! assert_eq!(envelope.module_code(), Some(ModuleCode::NoSuchHost));
//! assert_eq!(envelope.message_text(), "没有这个域名的信息 cdn no such host");
//! assert_eq!(envelope.retryability(), Some(Retryability::Permanent));
//!
//! // The seed document's own example mixes quotes: a typed error, not a panic.
//! let seed = br#"{"retcode":0, "errmsg":'ok", "data":[], "code":0, "message":""}"#;
//! let err = Envelope::from_slice(seed).unwrap_err();
//! assert_eq!(err.kind(), EnvelopeErrorKind::NotJson);
//! # Ok::<(), tcdn_model::EnvelopeError>(())
//! ```
#![forbid(unsafe_code)]

mod codes;
mod envelope;
mod error;
pub mod json;
mod request;
mod swar;
mod url;
mod url_list;
pub mod v3;
mod wire;

pub use codes::{CommonCode, ModuleCode, Retryability};
pub use envelope::{CodeDesc, Envelope, EnvelopeError, EnvelopeErrorKind, SNIPPET_MAX_CHARS};
pub use error::{ModelError, ModelErrorKind};
pub use request::{Areas, Command, FlushOrPush, Operation, UrlType};
pub use url::{CdnUrl, MAX_URL_LEN};
pub use url_list::CdnUrlList;
pub use wire::{
    ACTION, ActionParams, ENDPOINT_HOST, ENDPOINT_PATH, MAX_GET_REQUEST_TARGET_LEN,
    MAX_POST_BODY_LEN, ParamName, append_form, decode_form, form_len,
};
