//! API 3.0's [`RequestBuilder`]: the configuration every call of a client is
//! signed with (endpoint, HTTP method, [`Signing`], [`Language`],
//! credentials, and the TC3 signing key it derives once a day), and the
//! [`RequestError`] of a call that cannot be signed or sent. Signing is in
//! `sign.rs`, planning in `plan.rs`, the signed request in `prepared.rs`.

use std::fmt;
use std::sync::{Arc, Mutex};

use tcdn_model::v3::{MAX_GET_REQUEST_TARGET_LEN, MAX_TC3_POST_BODY_LEN, MAX_V1_POST_BODY_LEN};
use tcdn_sign::tc3::SigningKey;
use tcdn_sign::{HttpMethod, SecretKey, SignatureMethod};

use crate::credentials::Credentials;
use crate::endpoint::Endpoint;

/// How API 3.0 requests are signed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Signing {
    /// TC3-HMAC-SHA256 (signature v3), the default: a POST carries a JSON
    /// body, a GET the flattened parameters in its query.
    #[default]
    Tc3,
    /// The v1 signature (HmacSHA1 or HmacSHA256 over the sorted
    /// parameters, as API 2.0 signs): a form POST or a GET with `Action`,
    /// `Version`, `Nonce`, `Timestamp`, `SecretId`, `SignatureMethod` (and
    /// `Token`) among the parameters.
    V1(SignatureMethod),
}

/// The language of the server's messages (`X-TC-Language` under TC3, the
/// signed `Language` parameter under the v1 signature). Without one, the
/// server answers in its own default, which can be Chinese.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Language {
    /// `en-US`.
    #[default]
    EnUs,
    /// `zh-CN`.
    ZhCn,
}

impl Language {
    /// The value sent: `en-US` or `zh-CN`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EnUs => "en-US",
            Self::ZhCn => "zh-CN",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of a [`RequestError`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestErrorKind {
    /// The request cannot be signed (a timestamp past year 9999, a
    /// `SecretId` that cannot go into the `Authorization` header).
    Signing,
    /// The request exceeds the method's wire limit.
    TooLarge,
}

/// A request that could not be prepared; the message names the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError {
    pub(super) kind: RequestErrorKind,
    pub(super) message: String,
}

impl RequestError {
    /// What went wrong.
    pub fn kind(&self) -> RequestErrorKind {
        self.kind
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RequestError {}

/// The TC3 key of the last (secret key, UTC date, `cdn`) signed for:
/// derived once a day, and again when the credentials are refreshed;
/// shared by clones of the builder. The secret key it came from is kept to
/// tell (compared in constant time).
#[derive(Default)]
pub(super) struct KeyCache(pub(super) Mutex<Option<(SecretKey, SigningKey)>>);

/// Everything needed to sign API 3.0 requests except the request itself and
/// the per-attempt timestamp and nonce: endpoint, HTTP method, [`Signing`]
/// and credentials.
///
/// Pure but for its cache of the TC3 key: no clock, no randomness, no I/O.
/// The [`Client`](crate::client::Client) uses one; the CLI's `--dry-run` uses one
/// directly with a fixed nonce and timestamp.
///
/// ```
/// use tcdn::model::v3::{PurgeOptions, PurgeUrls};
/// use tcdn::nonce::Nonce;
/// use tcdn::v3::RequestBuilder;
/// use tcdn::Credentials;
///
/// let builder = RequestBuilder::new(Credentials::new("AKIDexample", "secret")?);
/// let purge = PurgeUrls::new(["https://www.example.com/a.css".parse()?], PurgeOptions::default())?;
/// let prepared = builder.prepare(&purge.into(), 1_700_000_000, Nonce::MIN)?;
/// assert_eq!(prepared.url(), "https://cdn.tencentcloudapi.com/");
/// assert_eq!(prepared.body(), Some(r#"{"Urls":["https://www.example.com/a.css"]}"#));
/// assert_eq!(prepared.header("X-TC-Action"), Some("PurgeUrlsCache"));
/// assert!(prepared.header("Authorization").unwrap().starts_with(
///     "TC3-HMAC-SHA256 Credential=AKIDexample/2023-11-14/cdn/tc3_request, SignedHeaders=content-type;host, Signature="));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct RequestBuilder {
    pub(super) endpoint: Endpoint,
    pub(super) method: HttpMethod,
    pub(super) signing: Signing,
    pub(super) language: Option<Language>,
    pub(super) credentials: Arc<Credentials>,
    pub(super) key: Arc<KeyCache>,
}

impl fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("endpoint", &self.endpoint)
            .field("method", &self.method)
            .field("signing", &self.signing)
            .field("language", &self.language)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl RequestBuilder {
    /// A builder for `https://cdn.tencentcloudapi.com/`, POST and TC3.
    pub fn new(credentials: impl Into<Arc<Credentials>>) -> Self {
        Self {
            endpoint: Endpoint::default_for(crate::job::Api::V3),
            method: HttpMethod::Post,
            signing: Signing::Tc3,
            language: None,
            credentials: credentials.into(),
            key: Arc::default(),
        }
    }

    /// Sends to `endpoint`.
    #[must_use]
    pub fn with_endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// GET or POST (the default).
    #[must_use]
    pub fn with_method(mut self, method: HttpMethod) -> Self {
        self.method = method;
        self
    }

    /// TC3 (the default) or the v1 signature.
    #[must_use]
    pub fn with_signing(mut self, signing: Signing) -> Self {
        self.signing = signing;
        self
    }

    /// Asks the server for its messages in `language`: the
    /// `X-TC-Language` header (TC3) or the signed `Language` parameter (v1).
    /// Without it, neither is sent.
    #[must_use]
    pub fn with_language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// The language asked for, if any.
    pub fn language(&self) -> Option<Language> {
        self.language
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The HTTP method.
    pub fn method(&self) -> HttpMethod {
        self.method
    }

    /// The signing.
    pub fn signing(&self) -> Signing {
        self.signing
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The wire limit of this builder's method and signing: the body of a
    /// POST (10 MiB TC3, 1 MiB v1), the request target of a GET (32 KiB).
    pub fn wire_limit(&self) -> usize {
        match (self.method, self.signing) {
            (HttpMethod::Get, _) => MAX_GET_REQUEST_TARGET_LEN,
            (HttpMethod::Post, Signing::Tc3) => MAX_TC3_POST_BODY_LEN,
            (HttpMethod::Post, Signing::V1(_)) => MAX_V1_POST_BODY_LEN,
        }
    }
}
