//! A faithful local emulator of Tencent Cloud CDN's purge and prefetch API.
//!
//! Tencent retired API 2.0 (`cdn.api.qcloud.com`) in 2022. This crate stands
//! in for its `FlushOrPushOverall` endpoint, so that tcdn's main command runs
//! on a fresh machine, its end-to-end tests meet a real HTTP server, and users
//! can rehearse a deploy pipeline offline. It is built to serve API 3.0 beside
//! it (one account, one task list, one fault layer); until then, API 3.0's
//! path answers `InvalidAction` in API 3.0's error shape.
//!
//! # Overview
//!
//! - [`Config`] holds what the emulator accepts: [`Credential`]s, the
//!   two-hour [`Timestamp` window](Config::timestamp_window), the per-minute
//!   rate limit, [`DailyQuotas`] per area (shared by both APIs), injected
//!   [`Faults`] and the server's [`ConnectionLimits`].
//! - [`Emulator`] judges requests ([`Emulator::judge`], no HTTP needed) and
//!   serves them over hyper, plain ([`Emulator::start`], [`Emulator::serve`])
//!   or over TLS ([`Emulator::start_tls`], [`Emulator::serve_tls`]) with a
//!   [`TlsIdentity`] generated at start. [`RunningEmulator`] is the handle of
//!   a started server; its [`origin`](RunningEmulator::origin) is
//!   `http://127.0.0.1:PORT` (or `https://`).
//! - [`AcceptedTask`] is one accepted request, as `GET /_emulator/tasks` lists
//!   them, with its [`Api`], action and task id; refused requests never
//!   appear there.
//! - [`Clock`] is injectable: tests use [`ManualClock`].
//!
//! # Paths
//!
//! | path | what |
//! |---|---|
//! | `GET`/`POST` [`/v2/index.php`](API_PATH) | API 2.0, judged as below |
//! | [`/`](API3_PATH) | API 3.0: today always `InvalidAction`, HTTP 200, `Content-Type: application/json`, `{"Response":{"Error":{…},"RequestId":…}}` |
//! | `GET /latest/meta-data/cam/security-credentials/…` | the CVM metadata service's role and its temporary credentials |
//! | `POST /` with `X-TC-Action: AssumeRole` or `AssumeRoleWithWebIdentity` | STS, issuing temporary credentials |
//! | `GET /_emulator/tasks` | accepted requests of both APIs, in order |
//! | `GET /_emulator/stats` | connections and requests counted |
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
//! request (HTTP 503; API 2.0 code 6000, API 3.0 `InternalError`) or a
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

mod api3;
mod clock;
mod config;
mod identity;
mod judge;
mod listen;
mod multipart;
mod server;
mod state;
mod tls;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{
    API_PATH, API3_PATH, Config, ConnectionLimits, Credential, DEFAULT_CVM_ROLE, DailyQuotas,
    Faults, PUBLIC_HOST,
};
pub use identity::METADATA_ROLE_PATH;
pub use judge::{Inbound, Verdict};
pub use server::{Emulator, RunningEmulator, Stats};
pub use state::{AcceptedTask, Api};
pub use tls::{TLS_NAMES, TlsError, TlsErrorKind, TlsIdentity};
