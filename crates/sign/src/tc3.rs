//! TC3-HMAC-SHA256, the API 3.0 signature "v3" (docs/protocol.md §6): every
//! stage public and pure, no clock (the timestamp is an input), no I/O.
//!
//! # Main types
//!
//! - [`Request`]: what the signature covers: method, query, the headers to
//!   sign (read through [`Param`], like parameters) and the payload bytes.
//! - [`Timestamp`] and its UTC [`Date`]; [`Service`] (`cdn`).
//! - [`SigningKey`]: the key derived for one (date, service), kept and
//!   reused: a client signing a thousand requests a day derives once.
//!   Secret like [`SecretKey`]. [`SigningKey::sign`] allocates nothing.
//! - [`Signature`]: lower-case hex, inline, no `==` (timing).
//! - [`Authorization`]: a parsed header, for servers, and [`verify`].
//! - [`Error`] and [`VerifyError`], each with a `kind()`.
//!
//! # The algorithm
//!
//! 1. Canonical request, joined with `\n`: method; `/`; the query (GET) or
//!    nothing (POST); the canonical headers (name and value lower-cased and
//!    trimmed, `name:value\n` each, sorted by name); the signed header names
//!    joined with `;`; the lower-case hex SHA-256 of the payload. See
//!    [`canonical_request`].
//! 2. String to sign: `TC3-HMAC-SHA256`, the timestamp, the credential
//!    scope `DATE/SERVICE/tc3_request` (DATE the **UTC** date of the
//!    timestamp) and the hex SHA-256 of the canonical request, joined with
//!    `\n`. See [`string_to_sign`].
//! 3. Key: `HMAC("TC3" + SecretKey, DATE)` → `HMAC(·, SERVICE)` →
//!    `HMAC(·, "tc3_request")` ([`date_key`], [`service_key`],
//!    [`SigningKey::from_service_key`]; all three: [`SigningKey::derive`]).
//! 4. Signature: lower-case hex of `HMAC(key, string to sign)`.
//! 5. `Authorization: TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request,
//!    SignedHeaders=content-type;host, Signature=…`.
//!
//! Choices where the documentation is silent (docs/protocol.md §9):
//! header values are lower-cased in ASCII only (the documented example
//! signs `x-tc-action:describeinstances`) and trimmed of spaces and tabs,
//! inner whitespace kept; `content-type` and `host` must be signed, as the
//! documentation requires; a GET's query is signed exactly as sent, in the
//! order sent (see [`canonical_query`]).
//!
//! # Example: sign a `PurgeUrlsCache` POST, then verify it as a server
//!
//! ```
//! use tcdn_sign::{HttpMethod, SecretKey};
//! use tcdn_sign::tc3::{self, Authorization, Request, Service, SigningKey, Timestamp};
//!
//! let secret = SecretKey::from("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE");
//! let timestamp = Timestamp::new(1_700_000_000)?;
//! // Derive once per UTC day and service, then reuse.
//! let key = SigningKey::derive(&secret, timestamp.date(), Service::cdn());
//!
//! let body = r#"{"Urls": ["https://www.example.com/a.jpg", "https://www.example.com/\u56fe\u7247/\u732b.jpg?x=1"], "Area": "mainland"}"#;
//! let signed = [("Content-Type", "application/json"), ("Host", "cdn.tencentcloudapi.com")];
//! let request = Request::post(&signed, body.as_bytes());
//!
//! let mut authorization = String::with_capacity(256);
//! key.authorize_into("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", &request, timestamp, &mut authorization)?;
//! // docs/protocol.md §6, the CDN vector made with the official Python SDK.
//! assert_eq!(
//!     authorization,
//!     "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/cdn/tc3_request, \
//!      SignedHeaders=content-type;host, \
//!      Signature=e63f2d56a6c4cc0b979c345d28b34247f10276430a3945ad5567c48d7dc4906e"
//! );
//!
//! // The server: every header it received, the body, X-TC-Timestamp, and
//! // the secret key of the SecretId named in the header.
//! let received = [
//!     ("Host", "cdn.tencentcloudapi.com"),
//!     ("Content-Type", "application/json"),
//!     ("X-TC-Action", "PurgeUrlsCache"),
//!     ("X-TC-Timestamp", "1700000000"),
//!     ("X-TC-Version", "2018-06-06"),
//! ];
//! let auth = Authorization::parse(&authorization)?;
//! assert_eq!(auth.secret_id(), "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE");
//! let request = Request { method: HttpMethod::Post, query: "", headers: &received, payload: body.as_bytes() };
//! tc3::verify(&auth, &secret, Service::cdn(), &request, "1700000000")?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{HttpMethod, Param, SecretKey};

mod authorization;
mod canonical;
mod error;
mod key;
mod time;

pub use authorization::Authorization;
pub use error::{Error, ErrorKind, VerifyError, VerifyErrorKind};
pub use key::{DerivedKey, MAX_SERVICE_LEN, Service, SigningKey, date_key, service_key};
pub use time::{Date, MAX_DAYS, MAX_TIMESTAMP, Timestamp};

use canonical::{Order, Sink};

/// The algorithm name, first in the string to sign and the header.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// The last component of the credential scope.
pub const SCOPE_TERMINATOR: &str = "tc3_request";
/// The most headers one signature may cover (a request signs two or three).
pub const MAX_SIGNED_HEADERS: usize = 32;

/// What a TC3 signature covers.
///
/// For signing, `headers` are exactly the headers to sign (at least
/// `Content-Type` and `Host`, any case, as sent). For [`verify`], they are
/// every header the server received; it picks those the `Authorization`
/// names.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a, H> {
    /// `GET` or `POST`.
    pub method: HttpMethod,
    /// The query string as sent, without `?` (see [`canonical_query`]);
    /// empty for a POST.
    pub query: &'a str,
    /// Headers as `(name, value)` pairs or any [`Param`].
    pub headers: &'a [H],
    /// The body bytes as sent; empty for a GET.
    pub payload: &'a [u8],
}

impl<'a, H: Param> Request<'a, H> {
    /// A POST with a body (JSON for `Content-Type: application/json`) and no query.
    pub fn post(headers: &'a [H], payload: &'a [u8]) -> Self {
        Self {
            method: HttpMethod::Post,
            query: "",
            headers,
            payload,
        }
    }

    /// A GET with its query string (no `?`) and no body.
    pub fn get(query: &'a str, headers: &'a [H]) -> Self {
        Self {
            method: HttpMethod::Get,
            query,
            headers,
            payload: b"",
        }
    }
}

/// The two lower-case hex digits of every byte.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut table = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = [DIGITS[b >> 4], DIGITS[b & 0x0f]];
        b += 1;
    }
    table
};

/// Lower-case hex of 32 bytes.
fn hex(bytes: &[u8]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (pair, &byte) in out.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&HEX_PAIRS[usize::from(byte)]);
    }
    out
}

/// A SHA-256 in lower-case hex (64 characters), stored inline: the
/// payload hash and the canonical request hash. Not secret.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sha256Hex([u8; 64]);

impl Sha256Hex {
    fn of_hasher(hasher: Sha256) -> Self {
        Self(hex(&hasher.finalize()))
    }

    /// The 64 hex digits.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).expect("hex digits are ASCII")
    }

    fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Hex({})", self.as_str())
    }
}

impl fmt::Display for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A TC3 signature: 64 lower-case hex digits, inline.
///
/// No `==`: servers compare with [`verify`], in constant time. `Debug`
/// shows the first four digits only.
#[derive(Clone, Copy)]
pub struct Signature([u8; 64]);

impl Signature {
    pub(crate) fn from_mac(mac: &[u8]) -> Self {
        Self(hex(mac))
    }

    /// The 64 hex digits.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).expect("hex digits are ASCII")
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tc3::Signature(\"{}…\")", &self.as_str()[..4])
    }
}

/// The lower-case hex SHA-256 of the payload (for a GET, of nothing).
///
/// ```
/// assert_eq!(
///     tcdn_sign::tc3::payload_hash(b"").as_str(),
///     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/// );
/// ```
pub fn payload_hash(payload: &[u8]) -> Sha256Hex {
    Sha256Hex::of_hasher(Sha256::new_with_prefix(payload))
}

/// The canonical headers: `name:value\n` for each header, name and value
/// lower-cased (ASCII) and trimmed of spaces and tabs, sorted by name.
///
/// ```
/// let headers = [("Host", " cdn.tencentcloudapi.com"), ("Content-Type", "application/json ")];
/// assert_eq!(
///     tcdn_sign::tc3::canonical_headers(&headers)?,
///     "content-type:application/json\nhost:cdn.tencentcloudapi.com\n"
/// );
/// # Ok::<(), tcdn_sign::tc3::Error>(())
/// ```
pub fn canonical_headers<H: Param>(headers: &[H]) -> Result<String, Error> {
    let order = Order::of(headers)?;
    let mut out = String::new();
    canonical::write_headers(&mut out, order.pairs(headers));
    Ok(out)
}

/// The signed headers: the lower-case names, sorted, joined with `;`
/// (`content-type;host`).
pub fn signed_headers<H: Param>(headers: &[H]) -> Result<String, Error> {
    let order = Order::of(headers)?;
    let mut out = String::new();
    canonical::write_signed(&mut out, order.pairs(headers));
    Ok(out)
}

/// Appends the query string of a GET to `out`: the parameters in the
/// order given, `name=value` form-encoded and joined with `&`.
///
/// The canonical query string of TC3 is the query **exactly as sent**, not
/// sorted: the official Python SDK signs `urlencode(params)`, the string it
/// then puts after `?`. So a client builds its query with this function,
/// signs it and sends it; a server passes the raw query of the request line
/// to [`verify`]. The encoding is [`crate::encode`]'s (the SDK's
/// `quote_plus`: space as `+`, upper-case `%XX`); flattened list names
/// come from [`crate::flatten`].
///
/// ```
/// let mut query = String::new();
/// tcdn_sign::tc3::canonical_query_into(&[("Urls.0", "https://a.example/x y"), ("Area", "mainland")], &mut query);
/// assert_eq!(query, "Urls.0=https%3A%2F%2Fa.example%2Fx+y&Area=mainland");
/// ```
pub fn canonical_query_into<P: Param>(params: &[P], out: &mut String) {
    for (i, param) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        crate::encode::form_value_into(param.name(), out);
        out.push('=');
        crate::encode::form_value_into(param.value(), out);
    }
}

/// The query string of a GET (see [`canonical_query_into`]).
pub fn canonical_query<P: Param>(params: &[P]) -> String {
    let mut out = String::new();
    canonical_query_into(params, &mut out);
    out
}

/// The canonical request as text (step 1). Signing streams the same bytes
/// into SHA-256 without building them; this is for inspection and tests.
pub fn canonical_request<H: Param>(request: &Request<'_, H>) -> Result<String, Error> {
    let order = Order::of(request.headers)?;
    let payload = payload_hash(request.payload);
    let mut out = String::new();
    canonical::write_request(
        &mut out,
        request.method.as_str(),
        request.query,
        order.pairs(request.headers),
        payload.as_bytes(),
    );
    Ok(out)
}

/// The hex SHA-256 of the canonical request, streamed (no allocation).
pub fn canonical_request_hash<H: Param>(request: &Request<'_, H>) -> Result<Sha256Hex, Error> {
    let order = Order::of(request.headers)?;
    Ok(hash_request(
        request.method,
        request.query,
        order.pairs(request.headers),
        request.payload,
    ))
}

fn hash_request<'a>(
    method: HttpMethod,
    query: &str,
    headers: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    payload: &[u8],
) -> Sha256Hex {
    let payload = payload_hash(payload);
    let mut hasher = Sha256::new();
    canonical::write_request(
        &mut hasher,
        method.as_str(),
        query,
        headers,
        payload.as_bytes(),
    );
    Sha256Hex::of_hasher(hasher)
}

/// The credential scope `DATE/SERVICE/tc3_request`.
///
/// ```
/// use tcdn_sign::tc3::{credential_scope, Service, Timestamp};
/// let date = Timestamp::new(1_700_000_000)?.date();
/// assert_eq!(credential_scope(date, &Service::cdn()), "2023-11-14/cdn/tc3_request");
/// # Ok::<(), tcdn_sign::tc3::Error>(())
/// ```
pub fn credential_scope(date: Date, service: &Service) -> String {
    format!("{date}/{service}/{SCOPE_TERMINATOR}")
}

fn write_string_to_sign<S: Sink>(
    sink: &mut S,
    timestamp: Timestamp,
    service: &Service,
    request_hash: &Sha256Hex,
) {
    let (digits, len) = timestamp.decimal();
    let date = timestamp.date().ascii();
    sink.put(ALGORITHM.as_bytes());
    sink.put(b"\n");
    sink.put(&digits[..len]);
    sink.put(b"\n");
    sink.put(&date);
    sink.put(b"/");
    sink.put(service.as_bytes());
    sink.put(b"/");
    sink.put(SCOPE_TERMINATOR.as_bytes());
    sink.put(b"\n");
    sink.put(request_hash.as_bytes());
}

/// The string to sign (step 2): `TC3-HMAC-SHA256\nTIMESTAMP\nSCOPE\nHASH`,
/// with the scope's date the UTC date of `timestamp`.
pub fn string_to_sign(
    timestamp: Timestamp,
    service: &Service,
    canonical_request_hash: &Sha256Hex,
) -> String {
    let mut out = String::new();
    write_string_to_sign(&mut out, timestamp, service, canonical_request_hash);
    out
}

/// The `Authorization` header value from its parts (step 5).
///
/// `signed_headers` is the list from [`signed_headers`]. An error when the
/// SecretId is empty or holds `/`, `,`, spaces or control bytes.
pub fn authorization(
    secret_id: &str,
    date: Date,
    service: &Service,
    signed_headers: &str,
    signature: &Signature,
) -> Result<String, Error> {
    authorization::check_secret_id(secret_id)?;
    let mut out = String::new();
    authorization::write(
        &mut out,
        secret_id,
        date,
        service,
        |out| out.push_str(signed_headers),
        signature,
    );
    Ok(out)
}

impl SigningKey {
    /// Signs `request` sent at `timestamp`: every stage streamed, nothing
    /// allocated.
    ///
    /// An error when a header cannot be signed (see [`ErrorKind`]) or the
    /// timestamp's UTC date is not the key's ([`ErrorKind::KeyMismatch`]).
    pub fn sign<H: Param>(
        &self,
        request: &Request<'_, H>,
        timestamp: Timestamp,
    ) -> Result<Signature, Error> {
        let order = Order::of(request.headers)?;
        self.sign_ordered(request, &order, timestamp)
    }

    fn sign_ordered<H: Param>(
        &self,
        request: &Request<'_, H>,
        order: &Order,
        timestamp: Timestamp,
    ) -> Result<Signature, Error> {
        if timestamp.date() != self.date() {
            return Err(Error::key_mismatch(self.date(), timestamp.date()));
        }
        let request_hash = hash_request(
            request.method,
            request.query,
            order.pairs(request.headers),
            request.payload,
        );
        let mut mac = self.mac();
        write_string_to_sign(&mut mac, timestamp, self.service(), &request_hash);
        Ok(Signature::from_mac(&hmac::Mac::finalize(mac).into_bytes()))
    }

    /// Signs `request` and appends the whole `Authorization` header value
    /// to `out`. With room in `out` (256 bytes is plenty for two or three
    /// headers), nothing is allocated.
    pub fn authorize_into<H: Param>(
        &self,
        secret_id: &str,
        request: &Request<'_, H>,
        timestamp: Timestamp,
        out: &mut String,
    ) -> Result<(), Error> {
        authorization::check_secret_id(secret_id)?;
        let order = Order::of(request.headers)?;
        let signature = self.sign_ordered(request, &order, timestamp)?;
        authorization::write(
            out,
            secret_id,
            self.date(),
            self.service(),
            |out| canonical::write_signed(out, order.pairs(request.headers)),
            &signature,
        );
        Ok(())
    }
}

/// Checks a received request's TC3 signature, in constant time.
///
/// - `authorization`: the parsed `Authorization` header; the server looks
///   the secret key up by [`Authorization::secret_id`].
/// - `secret`: that secret key. `service`: the server's own (`cdn`).
/// - `request`: the method, the raw query of the request line (empty for
///   a POST), **every** received header (the ones `SignedHeaders` names are
///   picked, by name, case aside) and the body bytes.
/// - `timestamp`: the `X-TC-Timestamp` header as received.
///
/// Whether the timestamp is recent enough is the server's to decide with
/// its own clock (Tencent allows five minutes, docs/protocol.md §5.1).
///
/// Errors, by [`VerifyError::kind`]: [`VerifyErrorKind::Malformed`] (an
/// unreadable timestamp, or a signed header received twice),
/// [`VerifyErrorKind::ScopeMismatch`] (the scope's date is not the UTC date
/// of the timestamp, or its service is not `service`),
/// [`VerifyErrorKind::MissingHeader`] and [`VerifyErrorKind::Mismatch`]
/// (wrong key, or anything signed changed). Nothing is allocated unless
/// verification fails.
pub fn verify<H: Param>(
    authorization: &Authorization<'_>,
    secret: &SecretKey,
    service: Service,
    request: &Request<'_, H>,
    timestamp: &str,
) -> Result<(), VerifyError> {
    let timestamp = Timestamp::from_header(timestamp).map_err(VerifyError::timestamp)?;
    if *authorization.service() != service {
        return Err(VerifyError::scope_service(
            authorization.service().as_str(),
            service.as_str(),
        ));
    }
    if authorization.date() != timestamp.date() {
        return Err(VerifyError::scope_date(
            authorization.date(),
            timestamp.date(),
        ));
    }

    // The value of each signed header, in `SignedHeaders` order (canonical,
    // as `Authorization::parse` checked).
    let mut values = [""; MAX_SIGNED_HEADERS];
    for (slot, name) in values.iter_mut().zip(authorization.signed_headers()) {
        let mut found = None;
        for header in request.headers {
            if canonical::trim(header.name()).eq_ignore_ascii_case(name) {
                if found.is_some() {
                    return Err(VerifyError::header_twice(name));
                }
                found = Some(canonical::trim(header.value()));
            }
        }
        *slot = found.ok_or_else(|| VerifyError::missing_header(name))?;
    }
    let headers = authorization.signed_headers().zip(values.iter().copied());

    let key = SigningKey::derive(secret, timestamp.date(), service);
    let request_hash = hash_request(request.method, request.query, headers, request.payload);
    let mut mac = key.mac();
    write_string_to_sign(&mut mac, timestamp, &service, &request_hash);
    let computed = hmac::Mac::finalize(mac).into_bytes();
    if bool::from(computed.as_slice().ct_eq(authorization.signature_bytes())) {
        Ok(())
    } else {
        Err(VerifyError::mismatch())
    }
}
