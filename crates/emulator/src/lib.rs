//! A faithful local emulator of Tencent Cloud CDN's purge and prefetch API.
//!
//! It stands in for API 3.0 (`cdn.tencentcloudapi.com`: `PurgeUrlsCache`,
//! `PurgePathCache`, `PushUrlsCache`, `DescribePurgeTasks`,
//! `DescribePushTasks`, `DescribePurgeQuota`, `DescribePushQuota`,
//! `DescribeDomains`) and for
//! the retired API 2.0's `FlushOrPushOverall`, one account behind both (one
//! set of quotas, one task list, one fault layer), so that tcdn's main
//! command runs on a fresh machine, its end-to-end tests meet a real HTTP
//! server, and users can rehearse a deploy pipeline offline, with tcdn or
//! with Tencent's own SDKs and `tccli`. It also serves the purge and
//! prefetch actions of EdgeOne (`teo.tencentcloudapi.com`, 2022-09-01) for
//! the zones it is given ([`EdgeOne`]).
//!
//! # Overview
//!
//! - [`Config`] holds what the emulator accepts: [`Credential`]s, the
//!   timestamp windows (API 2.0: two hours; API 3.0: five minutes), the rate
//!   limits (API 2.0: per minute per `SecretId`; API 3.0: per second per
//!   action), an optional [`SessionToken`], [`DailyQuotas`] per area (shared
//!   by both APIs), API 3.0's [`TaskProgress`], injected [`Faults`], the
//!   server's [`ConnectionLimits`], the [`Account`] played: its
//!   [`AccountDomain`]s (area, [`DomainStatus`], wildcards) and the actions
//!   CAM denies it (by default it owns every host and may call every
//!   action), and EdgeOne's zones and quotas ([`EdgeOne`]:
//!   [`EdgeOneZone`]s, [`EdgeOneQuotas`]).
//! - [`Emulator`] judges requests ([`Emulator::judge_v2`] for API 2.0,
//!   [`Emulator::judge_v3`] with an [`InboundV3`] for API 3.0; no HTTP needed) and
//!   serves them over hyper, plain ([`Emulator::start`], [`Emulator::serve`])
//!   or over TLS ([`Emulator::start_tls`], [`Emulator::serve_tls`]) with a
//!   [`TlsIdentity`] generated at start (for the loopback names and any
//!   others, [`TlsIdentity::generate_for`]) or given
//!   ([`TlsIdentity::from_pem`]). [`RunningEmulator`] is the handle of
//!   a started server; its [`origin`](RunningEmulator::origin) is
//!   `http://IP:PORT` (or `https://`).
//! - [`AcceptedTask`] is one accepted request, as `GET /_emulator/tasks` lists
//!   them, with its [`Api`], action, task id and (API 3.0) each URL's
//!   status; refused requests never appear there.
//! - [`Clock`] is injectable: tests use [`ManualClock`].
//!
//! # Modules
//!
//! | module | job |
//! |---|---|
//! | `api` | the one place a call is dispatched: API 2.0 or a TC3 product at `/`, chosen by its `Version` |
//! | `api::v2` | API 2.0's `FlushOrPushOverall`, judged and applied |
//! | `api::teo` | EdgeOne's six actions at `/` (`Version` `2022-09-01`, TC3 service `teo`): `flat` (flattened parameters nested into the JSON the model's parser reads), `apply` (purge and prefetch tasks: zones, quotas, `FailedList`), `queries` (tasks, quotas, zones) |
//! | `edgeone` | EdgeOne's zones and per-type quotas, and their command-line forms |
//! | `api::v3` | the CDN's API 3.0: `decode` (method, signature, timestamp, token, parameters; shared by every product at `/`), `apply` (purges and pushes: quotas, tasks), `queries` (`Describe*Tasks`, `Describe*Quota`), `domains` (`DescribeDomains`), `answers` (the JSON envelopes) |
//! | `account` | the account played: its domains, which hosts they cover, the areas they serve, the actions CAM denies |
//! | `messages` | every API 3.0 error's words in Chinese and English, and the language a request asks |
//! | `auth` | the v1 signature both APIs verify, and the hosts a signature may name |
//! | `identity`, `identities` | the metadata service and STS, and the temporary credentials they issue |
//! | `state` | what the account remembers: tasks, quota use, nonces, rate windows, dice |
//! | `server` | the HTTP face: the accept loop and connections, the router, the fault layer, `/_emulator/tasks` |
//! | `config`, `clock`, `listen`, `tls`, `multipart`, `beijing` | settings, time, the accept helpers, the TLS identity, form bodies, Beijing time |
//!
//! # Paths
//!
//! | path | what |
//! |---|---|
//! | `GET`/`POST` [`/v2/index.php`](API_PATH) | API 2.0, judged as below |
//! | `GET`/`POST` [`/`](API3_PATH) | API 3.0, judged as below; every answer HTTP 200 with `Content-Type: application/json` exactly (an injected failure: 503) |
//! | `GET /latest/meta-data/cam/security-credentials/…` | the CVM metadata service's role and its temporary credentials |
//! | `POST /` with `X-TC-Action: AssumeRole` or `AssumeRoleWithWebIdentity` | STS, issuing temporary credentials |
//! | `GET /_emulator/tasks` | accepted requests of both APIs, in order, as a JSON array streamed a few tasks at a time; `?offset=N&limit=M` for a slice |
//! | `GET /_emulator/stats` | connections and requests counted |
//! | `GET /_emulator/ca.pem` | over TLS, the CA certificate clients trust (PEM; 404 over plain HTTP) |
//! | `POST /_emulator/reset` | forget tasks, nonces, calls and quota use |
//!
//! # How API 2.0 is judged
//!
//! It uses `tcdn-sign` to verify signatures and `tcdn-model` to validate the
//! action's parameters, never a copy of either. In order
//! (docs/protocol.md §1 and §4):
//!
//! | check | answer |
//! |---|---|
//! | GET target over 32 KB, POST body over 1 MB | HTTP 501 |
//! | unreadable query or body, missing/unknown `Action` | code 4000 |
//! | unknown `SecretId`, wrong signature (HmacSHA1 or HmacSHA256, against the `Host` received and `cdn.api.qcloud.com`) | code 4100 |
//! | `Timestamp` more than 2 h away, `Nonce` reused within that window | code 4500 |
//! | more than 100 calls in the last minute for this `SecretId` | code 4400 |
//! | parameters that break the document's rules | code 4000, the problem named |
//! | over 1000 URLs / 20 dirs / 20 pushes in one request | code 4000 with module code 22043 / 22045 / 23100 |
//! | over the daily quota of an area | code 4000 with module code 22044 / 22046 / 23101 |
//!
//! Unknown extra common parameters such as `RequestClient` or `Region` are
//! simply signed parameters.
//!
//! # How API 3.0 is judged
//!
//! A request with an `Authorization` header is TC3-HMAC-SHA256 (a JSON POST,
//! `application/json` with or without parameters, or a GET with the
//! parameters in the query); one without is the v1 signature (a form POST or
//! a GET, every parameter flattened: `Urls.0`, `Headers.0.Name`, …).
//! Signatures are checked with `tcdn-sign` (`tc3::verify`, `verify`) and the
//! parameters read with `tcdn-model`'s `v3::Request` parsers. In order
//! (docs/protocol.md §5 and §11), every refusal in the shape
//! `{"Response":{"Error":{"Code":…,"Message":…},"RequestId":…}}`:
//!
//! | check | `Error.Code` |
//! |---|---|
//! | a method other than GET and POST | `UnsupportedProtocol` |
//! | no `X-TC-Action`/`Action`, `X-TC-Version`/`Version`, timestamp, `SecretId`, `Signature` or `Nonce` | `MissingParameter` |
//! | an unreadable `Authorization` | `AuthFailure.InvalidAuthorization` |
//! | unknown `SecretId` | `AuthFailure.SecretIdNotFound` |
//! | wrong signature, against the `Host` received and `cdn.tencentcloudapi.com` | `AuthFailure.SignatureFailure` |
//! | timestamp more than 300 s from the emulator's clock | `AuthFailure.SignatureExpire` |
//! | with [`Config::token`]: a missing or wrong `X-TC-Token`/`Token` | `AuthFailure.TokenFailure` |
//! | unknown action; a version other than `2018-06-06` | `InvalidAction`; `NoSuchVersion` |
//! | an action the [`Account`] may not call | `UnauthorizedOperation.CdnCamUnauthorized` |
//! | an error injected for the action ([`Config::inject_errors`]) | that code |
//! | more than 20 requests in a second for this action ([`Config::v3_rate_limit_per_second`]) | `RequestLimitExceeded` |
//! | a TC3 POST not in JSON; bad or missing parameters | `InvalidParameter`, `InvalidParameterValue`, `MissingParameter`, `UnknownParameter`, naming the field |
//! | over 1000 URLs / 100 directories / 500 pushes in one call | `LimitExceeded.CdnPurgeUrlExceedBatchLimit` / `…CdnPurgePathExceedBatchLimit` / `…CdnPushExceedBatchLimit` |
//! | with domains, the first URL whose host is a wildcard / that no domain covers / of an offline domain / outside the call's `Area` | `InvalidParameter.CdnPurgeWildcardNotAllowed` (push: `…CdnPushWildcardNotAllowed`) / `ResourceNotFound.CdnHostNotExists` / `InvalidParameter.CdnHostInvalidStatus` (push: `ResourceUnavailable.CdnHostIsNotOnline`) / `InvalidParameter.CdnParamError`, for the whole call |
//! | over an area's daily quota | `LimitExceeded.CdnPurgeUrlExceedDayLimit` / `…CdnPurgePathExceedDayLimit` / `…CdnPushExceedDayLimit` |
//!
//! Every message is in Chinese unless the request asks `en-US`
//! (`X-TC-Language`, or v1's `Language`). A purge without `Area` applies to
//! its domains' own areas (mainland when the account owns every host), a
//! push without one to mainland (documented), and a `global` push spends
//! both areas. `DescribeDomains` lists the account's domains, filtered and
//! paged (docs/protocol.md §11, §12.4). Accepted
//! work answers `TaskId` (`1700000000-ab12cd34`); each URL is `process`, then
//! `done` (or `fail`, [`TaskProgress`]) after the task delay; a URL sent
//! with `UrlEncode` is logged with its non-ASCII bytes percent-encoded
//! (`…/%E5%9B%BE` for `…/图`), as the real server logs it. The
//! `Describe*Tasks` actions return API 3.0 tasks by `TaskId` or by
//! `StartTime`/`EndTime` (Beijing time, `YYYY-MM-DD HH:MM:SS`), newest first,
//! filtered by `PurgeType`, `Area`, `Status` and `Keyword` (a full URL or its
//! host) and paged by `Offset`/`Limit` (default 20). The `Describe*Quota`
//! actions report each area's `Total`, `Available` (what both APIs left
//! today) and `Batch`. The v1 `Nonce` is not checked for replays (\[U\]:
//! the API 3.0 documents do not say the server does).
//!
//! # EdgeOne
//!
//! A call at `/` naming `Version` `2022-09-01` is EdgeOne's: read and
//! authenticated like the CDN's (its TC3 scope names the service `teo`;
//! signed for the `Host` received or `teo.tencentcloudapi.com`), then
//! injected errors (`teo:ACTION`), the rate per action, the parameters (the
//! model's `teo::Request::from_json`), and the six actions for the
//! [`EdgeOneZone`]s configured: a target outside its zone goes to
//! `FailedList`, quotas are per zone and type (`LimitExceeded.BatchQuota`,
//! `LimitExceeded.DailyQuota`), accepted targets are one task under a
//! `JobId`, `processing` until the task delay, then `success` or `failed`.
//! docs/protocol.md §13.7 lists the conventions.
//!
//! # Temporary credentials
//!
//! The metadata service and STS issue temporary credentials that live
//! [`Config::credential_ttl`] (see the `identity` module's table in the
//! source, and docs/protocol.md §7.5). Both APIs accept them with their
//! token (`Token`, `X-TC-Token`) until they expire, judged at the instant a
//! request arrives, before any latency; then they answer
//! `AuthFailure.TokenFailure` (API 2.0: code 4100 with that `codeDesc`).
//! STS accepts any well-formed `RoleArn` except the role name `missing`
//! (`ResourceNotFound.RoleNotExist`).
//!
//! # Faults, the same for both APIs
//!
//! The dice ([`Faults`], seeded) are rolled when a request arrives. A failed
//! request (HTTP 503; API 2.0 code 6000, API 3.0 `InternalError`, which the
//! official SDKs raise as `ServerNetworkError`) or a
//! dropped one (connection closed) applies nothing. A request whose answer
//! is lost is judged and applied in full (task recorded, quota spent, nonce
//! used), and then its connection is closed without an answer. Everything
//! from the latency to the judging runs in a task of its own, so a client
//! that gives up waiting never cancels work the server has received.
//!
//! # Self-defence
//!
//! [`ConnectionLimits`]: at most 1024 connections at once (the rest wait in
//! the kernel's backlog), 10 s for a request's head (and between requests on
//! a kept-alive connection, and for a TLS handshake), 30 s for its body
//! (then HTTP 408), 60 s of silence both ways while nothing is being handled.
//! When `accept()` fails (e.g. out of file descriptors) the loop pauses,
//! 5 ms doubling up to 1 s, and warns at most every 10 s.
//!
//! # Example
//!
//! ```
//! use tcdn_emulator::{Config, Credential, Emulator};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let config = Config::new(vec![Credential::new("AKIDdemo", "demo-secret-key")]);
//! let running = Emulator::new(config).start("127.0.0.1:0".parse().unwrap()).await?;
//! assert!(running.origin().starts_with("http://127.0.0.1:"));
//! assert_eq!(running.endpoint(), format!("{}/v2/index.php", running.origin()));
//! assert!(running.emulator().tasks().is_empty());
//! running.shutdown().await?;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod account;
mod api;
mod auth;
mod beijing;
mod clock;
mod config;
mod edgeone;
mod identities;
mod identity;
mod listen;
mod messages;
mod multipart;
mod response;
mod server;
mod state;
mod tls;

pub use account::{Account, AccountDomain, DomainStatus};
pub use api::v2::{InboundV2, VerdictV2};
pub use api::v3::{InboundV3, VerdictV3};
pub use clock::{Clock, ManualClock, SkewedClock, SystemClock};
pub use config::{
    API_PATH, API3_PATH, Config, ConnectionLimits, Credential, DEFAULT_CVM_ROLE, DailyQuotas,
    Faults, InjectedAction, InjectedError, PUBLIC_HOST, PUBLIC_HOST_V3, SessionToken, TaskProgress,
};
pub use edgeone::{
    DEFAULT_EDGEONE_QUOTA, EdgeOne, EdgeOneQuota, EdgeOneQuotas, EdgeOneZone, QuotaSetting,
};
pub use identity::METADATA_ROLE_PATH;
pub use server::{Emulator, RunningEmulator, Stats};
pub use state::{AcceptedTask, Api};
pub use tls::{TLS_NAMES, TlsError, TlsErrorKind, TlsIdentity};
