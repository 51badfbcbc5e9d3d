//! A faithful local emulator of Tencent Cloud CDN's API 2.0 `FlushOrPushOverall`.
//!
//! Tencent retired `cdn.api.qcloud.com` in 2022. This crate stands in for it,
//! so that tcdn's main command runs on a fresh machine, its end-to-end tests
//! meet a real HTTP server, and users can rehearse a deploy pipeline offline.
//!
//! # Overview
//!
//! - [`Config`] holds what the emulator accepts: [`Credential`]s, the
//!   two-hour [`Timestamp` window](Config::timestamp_window), the per-minute
//!   rate limit, [`DailyQuotas`] per area and injected [`Faults`].
//! - [`Emulator`] judges requests ([`Emulator::judge`], no HTTP needed) and
//!   serves them over hyper ([`Emulator::start`], [`Emulator::serve`]).
//!   [`RunningEmulator`] is the handle of a started server.
//! - [`AcceptedTask`] is one accepted request, as `GET /_emulator/tasks` lists
//!   them; refused requests never appear there.
//! - [`Clock`] is injectable: tests use [`ManualClock`].
//!
//! # What it judges, and how
//!
//! It uses `tcdn-sign` to verify signatures and `tcdn-model` to validate the
//! action's parameters, never a copy of either. In order:
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
//! simply signed parameters. Faults ([`Faults`]) are decided before judging,
//! so a failed (HTTP 503, code 6000) or dropped request applies nothing.
//!
//! Besides the API, it serves `GET /_emulator/tasks`, `GET /_emulator/stats`
//! (connections and requests counted) and `POST /_emulator/reset`.
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
//! assert!(running.endpoint().starts_with("http://127.0.0.1:"));
//! assert!(running.emulator().tasks().is_empty());
//! running.shutdown().await?;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod api3;
mod clock;
mod config;
mod judge;
mod listen;
mod multipart;
mod server;
mod state;
mod tls;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{
    API_PATH, API3_PATH, Config, ConnectionLimits, Credential, DailyQuotas, Faults, PUBLIC_HOST,
};
pub use judge::{Inbound, Verdict};
pub use server::{Emulator, RunningEmulator, Stats};
pub use state::{AcceptedTask, Api};
pub use tls::{TLS_NAMES, TlsError, TlsErrorKind, TlsIdentity};
