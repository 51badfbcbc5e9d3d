//! The Tencent Cloud CDN purge and push model, shared by the tcdn client,
//! CLI and emulator: one module per API, [`v2`] (`FlushOrPushOverall`) and
//! [`v3`] (`PurgeUrlsCache`, `PurgePathCache`, `PushUrlsCache` and their
//! queries), mirroring each other, over the words both share at the root.
//! Validated requests, their wire forms, lenient answers and error
//! catalogues. Pure data: no I/O, no clock, no signing.
//!
//! # Main types
//!
//! - [`Operation`] is one of [`FlushUrls`](Operation::FlushUrls),
//!   [`FlushDirs`](Operation::FlushDirs) or [`PushUrls`](Operation::PushUrls)
//!   (a push of directories cannot be expressed); [`Areas`] is mainland,
//!   oversea or both, never neither. Both APIs speak them.
//! - [`CdnUrl`] is an `http://` or `https://` URL with a well-formed host
//!   and port, no whitespace, control or invisible format characters, no
//!   fragment, at most [`MAX_URL_LEN`] bytes; sent exactly as given, and
//!   compared for dedupe without regard to the case of scheme and host
//!   ([`CdnUrl::dedupe_key`]). Both APIs use it.
//! - [`CdnUrlList`] holds many validated URLs in one text buffer with
//!   their end offsets (no allocation per URL), and hands out `&str`s or
//!   [`CdnUrl`]s cut from it without validating them again.
//! - [`v2`]: the request [`v2::FlushOrPush`] (an operation, its areas and 1
//!   to *limit* distinct URLs) with its wire [`v2::Command`] and
//!   [`v2::UrlType`], its ordered action parameters and their exact encoded
//!   size (which the client's batch planner packs by), the server-side
//!   parser ([`v2::FlushOrPush::from_params`]) for the emulator, the answer
//!   [`v2::Envelope`] (parsed leniently, the module code taken from a
//!   `"(9110)…"` message prefix or a numeric `codeDesc`), the error catalogue
//!   ([`v2::CommonCode`], [`v2::ModuleCode`], [`v2::Retryability`]) and the
//!   limits. A request loads from JSON with serde:
//!   `{"operation":"flush_urls","areas":"both","urls":["https://…"]}`.
//! - [`v3`]: the API 3.0 actions ([`v3::Action`]), typed requests
//!   ([`v3::PurgeUrls`], [`v3::PurgePaths`], [`v3::PushUrls`],
//!   [`v3::DescribePurgeTasks`], …) with their JSON bodies and flattened
//!   parameters, the server-side parsers, answers ([`v3::Answer`]) and the
//!   error-code catalogue ([`v3::ErrorCode`], [`v3::ErrorClass`]). See the
//!   module's documentation.
//! - [`teo`]: EdgeOne's actions (`CreatePurgeTask`, `CreatePrefetchTask`,
//!   their task queries, `DescribeContentQuota`, `DescribeZones`), typed
//!   requests that name their zone, their JSON bodies, the server-side
//!   parser, answers and EdgeOne's error codes. See the module's
//!   documentation.
//! - [`append_form`], [`form_len`] and [`decode_form`] write and read
//!   `application/x-www-form-urlencoded` with the signer's encoding, for
//!   both APIs.
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
//! use tcdn_model::{append_form, Areas, CdnUrl, Operation};
//! use tcdn_model::v2::{FlushOrPush, ENDPOINT_PATH, MAX_GET_REQUEST_TARGET_LEN};
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
//! use tcdn_model::v2::{CommonCode, Envelope, EnvelopeErrorKind, ModuleCode, Retryability};
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
//! # Ok::<(), tcdn_model::v2::EnvelopeError>(())
//! ```
#![forbid(unsafe_code)]

mod actions;
mod api;
mod error;
mod form;
pub mod json;
mod operation;
mod swar;
pub mod teo;
mod text;
mod url;
mod url_list;
pub mod v2;
pub mod v3;

pub use api::{Api, UnknownApi};
pub use error::{ModelError, ModelErrorKind};
pub use form::{append_form, decode_form, form_len};
pub use operation::{Areas, Operation};
pub use text::SNIPPET_MAX_CHARS;
pub use url::{CdnUrl, MAX_URL_LEN};
pub use url_list::CdnUrlList;
