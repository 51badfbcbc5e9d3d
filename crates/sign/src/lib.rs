//! Tencent Cloud request signatures, pure and sans-I/O (no clock, no
//! randomness, nothing async), with nothing but `hmac`, `sha1`, `sha2`,
//! `base64`, `subtle` and `zeroize` underneath:
//!
//! - the API 2.0 signature (HmacSHA1 and HmacSHA256), which API 3.0 also
//!   accepts as signature "v1" on `cdn.tencentcloudapi.com`, path `/`
//!   ([`Endpoint::cdn_v3`], list parameters flattened by [`flatten`]);
//! - [`tc3`]: TC3-HMAC-SHA256, the API 3.0 signature "v3", with a reusable
//!   derived key and server-side verification.
//!
//! # Main types
//!
//! - [`SecretKey`]: the HMAC key. Owned, wiped on drop, redacted in `Debug`,
//!   readable only by this crate.
//! - [`Param`]: how the signer reads a parameter (name, raw value). Pairs
//!   such as `(&str, &str)` or `(String, String)` implement it.
//! - [`Endpoint`]: the [`HttpMethod`], host and path the request goes to;
//!   [`Endpoint::cdn_v2`] is `cdn.api.qcloud.com/v2/index.php`,
//!   [`Endpoint::cdn_v3`] is `cdn.tencentcloudapi.com/` (v1 on API 3.0).
//! - [`SignatureMethod`]: HmacSHA1 (the default) or HmacSHA256, chosen by the
//!   request's `SignatureMethod` parameter with the server's rule.
//! - [`Signature`]: the result, Base64 text stored inline, with
//!   [`Signature::append_form_encoded`] for the wire.
//! - [`CanonicalSigner`]: signing parameters the caller already holds in
//!   canonical order, checked as they come, without ordering them again.
//! - [`sign`] and [`verify`], and the stages on their own:
//!   [`canonical_params`], [`string_to_sign`], [`sign_string_to_sign`].
//! - [`SignError`] and [`VerifyError`], each with a `kind()`.
//! - [`encode`]: the form encoding of values for the wire; [`flatten`]: list
//!   parameters as `Urls.0`, `Headers.0.Name` for v1 and TC3 GET requests.
//! - [`tc3`]: [`tc3::SigningKey`] (derived once per UTC day and service,
//!   reused, zero allocations per signature), [`tc3::Request`], every stage
//!   of the canonical request and string to sign, the `Authorization`
//!   header ([`tc3::Authorization`]) and [`tc3::verify`]. Its module page
//!   has a runnable `PurgeUrlsCache` example.
//!
//! # The v1 algorithm (docs/protocol.md §1.3, §1.4)
//!
//! 1. Take every parameter except `Signature`, with its **raw** value.
//! 2. Read each name with `_` replaced by `.` (the wire keeps the original).
//! 3. Sort by that name in byte order, case-sensitive: `Nonce` before
//!    `command`, `urls.10` before `urls.2`.
//! 4. Join `name=value` with `&`. Values are not encoded, even when they
//!    hold `&`, `=`, spaces or non-ASCII text.
//! 5. Prefix `METHOD + host + path + "?"`, e.g.
//!    `GETcdn.api.qcloud.com/v2/index.php?`.
//! 6. HMAC-SHA1 (or HMAC-SHA256 when `SignatureMethod` is exactly
//!    `HmacSHA256`) keyed with the secret key, then standard Base64 with
//!    padding.
//! 7. Send every parameter form-encoded (GET query or POST body), plus
//!    `Signature`, whose `+`, `/` and `=` must be encoded too.
//!
//! Two names that become equal in step 2 (`a_b` and `a.b`), or the same
//! name twice, would sign something other than what a server reads, so they
//! are an error ([`SignErrorKind::DuplicateName`]), as is a `Signature`
//! among the inputs. The order on the wire does not matter.
//!
//! Timestamps and nonces are ordinary parameters: the caller chooses them,
//! which keeps signing deterministic and testable.
//!
//! # Example: sign a `FlushOrPushOverall` request and build the GET URL
//!
//! A project that borrows only this crate can copy this as it is.
//!
//! ```
//! use tcdn_sign::{encode, sign, verify, Endpoint, HttpMethod, SecretKey, SignatureMethod};
//!
//! let key = SecretKey::from("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE");
//! let endpoint = Endpoint::cdn_v2(HttpMethod::Get);
//!
//! // Parameters with raw values; time and nonce come from the caller.
//! let urls = ["https://www.example.com/index.html"];
//! let mut params: Vec<(String, String)> = vec![
//!     ("command".into(), "flush".into()),
//!     ("type".into(), "url".into()),
//!     ("mainland".into(), "1".into()),
//! ];
//! for (i, url) in urls.iter().enumerate() {
//!     params.push((format!("urls.{i}"), (*url).to_owned()));
//! }
//! for (name, value) in [
//!     ("Nonce", "424242"),
//!     ("Timestamp", "1700000300"),
//!     ("Action", "FlushOrPushOverall"),
//!     ("RequestClient", "SDK_PYTHON_2.0.15"),
//!     ("Token", "exampleSessionToken123"),
//!     ("SecretId", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"),
//!     ("SignatureMethod", SignatureMethod::HmacSha256.as_param()),
//! ] {
//!     params.push((name.into(), value.into()));
//! }
//!
//! // The hash follows the `SignatureMethod` parameter.
//! let signature = sign(&key, &endpoint, &params)?;
//! assert_eq!(signature.method(), SignatureMethod::HmacSha256);
//!
//! // The wire: every value form-encoded, then the encoded signature.
//! let mut url = format!("https://{}{}?", endpoint.host, endpoint.path);
//! for (name, value) in &params {
//!     encode::form_value_into(name, &mut url);
//!     url.push('=');
//!     encode::form_value_into(value, &mut url);
//!     url.push('&');
//! }
//! url.push_str("Signature=");
//! signature.append_form_encoded(&mut url);
//!
//! // docs/protocol.md §3, vector V4, byte for byte.
//! assert_eq!(
//!     url,
//!     "https://cdn.api.qcloud.com/v2/index.php?command=flush&type=url&mainland=1\
//!      &urls.0=https%3A%2F%2Fwww.example.com%2Findex.html&Nonce=424242&Timestamp=1700000300\
//!      &Action=FlushOrPushOverall&RequestClient=SDK_PYTHON_2.0.15\
//!      &Token=exampleSessionToken123&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE\
//!      &SignatureMethod=HmacSHA256&Signature=04IbdYJbODzGIiYU6c7P%2BQ2NniA4rcUDZOSm1ERB3W0%3D"
//! );
//!
//! // A server checks the same request, `Signature` included.
//! params.push(("Signature".into(), signature.as_str().to_owned()));
//! assert!(verify(&key, &endpoint, &params).is_ok());
//! # Ok::<(), tcdn_sign::SignError>(())
//! ```
//!
//! # Example: sign a `PurgeUrlsCache` with TC3-HMAC-SHA256
//!
//! ```
//! use tcdn_sign::SecretKey;
//! use tcdn_sign::tc3::{Request, Service, SigningKey, Timestamp};
//!
//! let secret = SecretKey::from("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE");
//! let now = Timestamp::new(1_700_000_000)?; // the caller's clock
//! // Derived once per UTC day and service, then reused for every request.
//! let key = SigningKey::derive(&secret, now.date(), Service::cdn());
//!
//! let body = br#"{"Urls": ["https://www.example.com/a.jpg"], "Area": "mainland"}"#;
//! let headers = [("Content-Type", "application/json"), ("Host", "cdn.tencentcloudapi.com")];
//! let mut authorization = String::new();
//! key.authorize_into("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", &Request::post(&headers, body), now, &mut authorization)?;
//! assert!(authorization.starts_with(
//!     "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/cdn/tc3_request, \
//!      SignedHeaders=content-type;host, Signature="
//! ));
//! // Send the body with those two headers, `Authorization`, `X-TC-Action: PurgeUrlsCache`,
//! // `X-TC-Timestamp: 1700000000` and `X-TC-Version: 2018-06-06`.
//! # Ok::<(), tcdn_sign::tc3::Error>(())
//! ```
//!
//! # Performance
//!
//! The string to sign is streamed into the MAC without being built, and
//! requests of up to 64 parameters are signed without allocating. The
//! `urls.0 … urls.N` parameters are put in byte order in O(N) without a
//! comparison sort; any other shape of input falls back to a comparison
//! sort with the same result. `cargo xtask bench` compares signing with a
//! bare HMAC over the same bytes, and TC3 signing with the SHA-256 and
//! HMAC it cannot avoid.
#![forbid(unsafe_code)]

mod canonical;
pub mod encode;
mod error;
pub mod flatten;
mod key;
mod method;
mod order;
mod param;
mod signature;
mod signer;
pub mod tc3;

pub use canonical::CanonicalSigner;
pub use error::{SignError, SignErrorKind, VerifyError, VerifyErrorKind};
pub use key::SecretKey;
pub use method::{
    CDN_V2_HOST, CDN_V2_PATH, CDN_V3_HOST, CDN_V3_PATH, Endpoint, HttpMethod, SignatureMethod,
};
pub use param::Param;
pub use signature::Signature;
pub use signer::{canonical_params, sign, sign_string_to_sign, string_to_sign, verify};

/// The most parameters one request may have (about 16 million).
///
/// Far above anything a server accepts (a 1 MB POST body holds at most some
/// 250,000 parameters); the bound lets the signer index parameters with
/// 32-bit numbers.
pub const MAX_PARAMS: usize = 1 << 24;
