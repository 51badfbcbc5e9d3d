//! API 3.0 request building, pure: [`RequestBuilder`] signs one
//! [`Request`](tcdn_model::v3::Request) into a [`PreparedRequest`] (method,
//! URL, headers, body) with TC3-HMAC-SHA256 (JSON POST or GET) or the v1
//! signature (form POST or GET), and plans URLs into calls that fit the wire
//! ([`RequestBuilder::plan`]).

use std::borrow::Cow;
use std::fmt;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use tcdn_model::Operation;
use tcdn_model::v3::{
    self, ListedRequest, MAX_GET_REQUEST_TARGET_LEN, MAX_TC3_POST_BODY_LEN, MAX_V1_POST_BODY_LEN,
    PurgePaths, PurgeUrls, PushUrls, Request, VERSION,
};
use tcdn_model::{CdnUrl, CdnUrlList};
use tcdn_sign::encode::form_value_into;
use tcdn_sign::tc3::{Service, SigningKey, Timestamp};
use tcdn_sign::{HttpMethod, SecretKey, SignatureMethod};

use crate::core::dedupe::DistinctUrls;
use crate::core::plan::{Planner, Shape, TooLarge, UrlRange, plan_next};
use crate::credentials::Credentials;
use crate::endpoint::Endpoint;
use crate::job::Job;
use crate::nonce::Nonce;

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

/// The `Content-Type` of a TC3 POST.
const JSON: &str = "application/json";
/// The `Content-Type` of a form POST, and of a TC3 GET (as the official SDK
/// sends it).
const FORM: &str = "application/x-www-form-urlencoded";

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
    kind: RequestErrorKind,
    message: String,
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
struct KeyCache(Mutex<Option<(SecretKey, SigningKey)>>);

/// Everything needed to sign API 3.0 requests except the request itself and
/// the per-attempt timestamp and nonce: endpoint, HTTP method, [`Signing`]
/// and credentials.
///
/// Pure but for its cache of the TC3 key: no clock, no randomness, no I/O.
/// The [`Client`](crate::Client) uses one; the CLI's `--dry-run` uses one
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
    endpoint: Endpoint,
    method: HttpMethod,
    signing: Signing,
    language: Option<Language>,
    credentials: Arc<Credentials>,
    key: Arc<KeyCache>,
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
            endpoint: Endpoint::default_for(crate::Api::V3),
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

    /// Signs `request` with `timestamp` (Unix seconds) and `nonce` (used by
    /// the v1 signature only).
    ///
    /// TC3 POST: the compact JSON body, `Content-Type: application/json`.
    /// TC3 GET: the flattened parameters in the query, an empty payload.
    /// Either carries `Authorization` (signing `content-type` and `host`, as
    /// the official SDKs do), `Content-Type`, `Host`, `X-TC-Action`,
    /// `X-TC-Timestamp`, `X-TC-Version: 2018-06-06`, `X-TC-Language` when a
    /// language is asked for and, with a session token, `X-TC-Token`. The v1 signature puts `Action`, `Version`, the
    /// action's parameters, `Nonce`, `Timestamp`, `SecretId`,
    /// `SignatureMethod`, `Language`, `Token` and `Signature` in the form (POST) or the
    /// query (GET), and sends only `Host` (and `Content-Type` for a POST).
    ///
    /// # Errors
    /// [`RequestErrorKind::Signing`] when it cannot be signed,
    /// [`RequestErrorKind::TooLarge`] when it exceeds the wire limit.
    pub fn prepare(
        &self,
        request: &Request,
        timestamp: u64,
        nonce: Nonce,
    ) -> Result<PreparedRequest, RequestError> {
        self.prepare_as(&self.credentials, request, timestamp, nonce)
    }

    /// [`prepare`](Self::prepare) signed with `credentials` instead of the
    /// builder's own: the client's current ones, which may have been
    /// refreshed since the builder was made.
    pub(crate) fn prepare_as(
        &self,
        credentials: &Credentials,
        request: &Request,
        timestamp: u64,
        nonce: Nonce,
    ) -> Result<PreparedRequest, RequestError> {
        self.prepare_wire(credentials, request, timestamp, nonce)
    }

    /// [`prepare`](Self::prepare) for a call of a
    /// [`plan_borrowed`](Self::plan_borrowed) plan, with its URLs read in
    /// place from the plan's list: no [`Request`] is made, nor a copy of any
    /// URL. The request is the one [`prepare`](Self::prepare) makes of the
    /// call's [`request`](PlannedCall::request), byte for byte.
    ///
    /// ```
    /// use tcdn::{Credentials, Job, Operation, nonce::Nonce, plan::DistinctUrls};
    /// use tcdn::v3::RequestBuilder;
    ///
    /// let builder = RequestBuilder::new(Credentials::new("AKIDexample", "secret")?);
    /// let urls: DistinctUrls = (0..1200).map(|i| format!("https://a.example/{i}.js").parse()).collect::<Result<_, _>>()?;
    /// let job = Job::new(Operation::FlushUrls);
    /// for call in builder.plan_borrowed(&job, &urls, None) {
    ///     let call = call?;
    ///     let prepared = builder.prepare_call(&call, 1_700_000_000, Nonce::MIN)?;
    ///     assert_eq!(prepared, builder.prepare(&call.request(), 1_700_000_000, Nonce::MIN)?);
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As for [`prepare`](Self::prepare).
    pub fn prepare_call(
        &self,
        call: &PlannedCall<'_>,
        timestamp: u64,
        nonce: Nonce,
    ) -> Result<PreparedRequest, RequestError> {
        let (list, positions) = (call.urls.list(), call.urls.positions());
        let job = call.job;
        match job.operation() {
            Operation::FlushUrls => {
                let options = job.purge_options();
                let listed = ListedRequest::purge_urls(list, positions, &options);
                self.prepare_wire(&self.credentials, &listed, timestamp, nonce)
            }
            Operation::FlushDirs => {
                let options = job.purge_options();
                let listed =
                    ListedRequest::purge_paths(list, positions, job.flush_type_given(), &options);
                self.prepare_wire(&self.credentials, &listed, timestamp, nonce)
            }
            Operation::PushUrls => {
                let options = job.push_options_v3();
                let listed = ListedRequest::push_urls(list, positions, &options);
                self.prepare_wire(&self.credentials, &listed, timestamp, nonce)
            }
        }
    }

    /// The signed request of `request`, owned or read in place.
    fn prepare_wire(
        &self,
        credentials: &Credentials,
        request: &impl Wire,
        timestamp: u64,
        nonce: Nonce,
    ) -> Result<PreparedRequest, RequestError> {
        let prepared = match self.signing {
            Signing::Tc3 => self.prepare_tc3(credentials, request, timestamp)?,
            Signing::V1(method) => {
                self.prepare_v1(credentials, request, timestamp, nonce, method)?
            }
        };
        if prepared.wire_size > self.wire_limit() {
            return Err(RequestError {
                kind: RequestErrorKind::TooLarge,
                message: format!(
                    "the {} request is {} bytes, over the {} bytes the server takes; send fewer \
                     or shorter URLs per request",
                    request.action(),
                    prepared.wire_size,
                    self.wire_limit()
                ),
            });
        }
        Ok(prepared)
    }

    fn prepare_tc3(
        &self,
        credentials: &Credentials,
        request: &impl Wire,
        timestamp: u64,
    ) -> Result<PreparedRequest, RequestError> {
        let signing_error = |error: tcdn_sign::tc3::Error| RequestError {
            kind: RequestErrorKind::Signing,
            message: format!("cannot sign the {} request: {error}", request.action()),
        };
        let stamp = Timestamp::new(timestamp).map_err(signing_error)?;
        let host = self.endpoint.authority();
        let (content_type, query, body) = match self.method {
            HttpMethod::Post => (JSON, String::new(), Some(request.to_json())),
            HttpMethod::Get => {
                let mut query = String::with_capacity(request.flat_form_len());
                v3::append_flat_form(&mut query, &request.flat_params());
                (FORM, query, None)
            }
        };
        let signed = [("Content-Type", content_type), ("Host", host)];
        let payload = body.as_deref().unwrap_or_default().as_bytes();
        let tc3_request = tcdn_sign::tc3::Request {
            method: self.method,
            query: &query,
            headers: &signed,
            payload,
        };
        let mut authorization = String::with_capacity(256);
        {
            let mut cache = self.key.0.lock().unwrap_or_else(PoisonError::into_inner);
            let date = stamp.date();
            let secret = credentials.secret_key();
            if cache
                .as_ref()
                .is_none_or(|(from, key)| key.date() != date || from != secret)
            {
                *cache = Some((
                    secret.clone(),
                    SigningKey::derive(secret, date, Service::cdn()),
                ));
            }
            let (_, key) = cache
                .as_ref()
                .unwrap_or_else(|| unreachable!("the key was just derived"));
            key.authorize_into(
                credentials.secret_id(),
                &tc3_request,
                stamp,
                &mut authorization,
            )
            .map_err(signing_error)?;
        }
        let mut headers = vec![
            ("Authorization", authorization),
            ("Content-Type", content_type.to_owned()),
            ("Host", host.to_owned()),
            ("X-TC-Action", request.action().as_str().to_owned()),
            ("X-TC-Timestamp", stamp.to_string()),
            ("X-TC-Version", VERSION.to_owned()),
        ];
        if let Some(language) = self.language {
            headers.push(("X-TC-Language", language.as_str().to_owned()));
        }
        if let Some(token) = credentials.token() {
            headers.push(("X-TC-Token", token.expose().to_owned()));
        }
        let path_len = self.endpoint.path().len();
        let (url, wire_size) = if query.is_empty() {
            (
                self.endpoint.as_str().to_owned(),
                body.as_ref().map_or(path_len, String::len),
            )
        } else {
            let size = path_len + 1 + query.len();
            (format!("{}?{query}", self.endpoint.as_str()), size)
        };
        Ok(PreparedRequest {
            method: self.method,
            url,
            headers,
            body,
            wire_size,
        })
    }

    fn prepare_v1(
        &self,
        credentials: &Credentials,
        request: &impl Wire,
        timestamp: u64,
        nonce: Nonce,
        method: SignatureMethod,
    ) -> Result<PreparedRequest, RequestError> {
        let timestamp_text = timestamp.to_string();
        let nonce_text = nonce.get().to_string();
        let mut params: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::new();
        params.push(("Action".into(), request.action().as_str().into()));
        params.push(("Version".into(), VERSION.into()));
        params.extend(request.flat_params());
        params.push(("Nonce".into(), nonce_text.as_str().into()));
        params.push(("Timestamp".into(), timestamp_text.as_str().into()));
        params.push(("SecretId".into(), credentials.secret_id().into()));
        params.push(("SignatureMethod".into(), method.as_param().into()));
        if let Some(language) = self.language {
            params.push(("Language".into(), language.as_str().into()));
        }
        if let Some(token) = credentials.token() {
            params.push(("Token".into(), token.expose().into()));
        }
        let endpoint = tcdn_sign::Endpoint::new(
            self.method,
            self.endpoint.signing_host(),
            self.endpoint.path(),
        );
        let signature =
            tcdn_sign::sign(credentials.secret_key(), &endpoint, &params).map_err(|error| {
                RequestError {
                    kind: RequestErrorKind::Signing,
                    message: format!("cannot sign the {} request: {error}", request.action()),
                }
            })?;
        let mut form = String::new();
        v3::append_flat_form(&mut form, &params);
        form.push_str("&Signature=");
        form_value_into(signature.as_str(), &mut form);
        let host = self.endpoint.authority().to_owned();
        Ok(match self.method {
            HttpMethod::Post => PreparedRequest {
                method: HttpMethod::Post,
                url: self.endpoint.as_str().to_owned(),
                headers: vec![("Content-Type", FORM.to_owned()), ("Host", host)],
                wire_size: form.len(),
                body: Some(form),
            },
            HttpMethod::Get => PreparedRequest {
                method: HttpMethod::Get,
                wire_size: self.endpoint.path().len() + 1 + form.len(),
                url: format!("{}?{form}", self.endpoint.as_str()),
                headers: vec![("Host", host)],
                body: None,
            },
        })
    }

    /// The bytes everything but the action's own parameters may take on
    /// the wire (the longest timestamp, nonce and signature included), for
    /// a call of `action`.
    fn overhead(&self, action: v3::Action) -> usize {
        match (self.signing, self.method) {
            // The JSON body holds nothing else; a GET's target holds `/?`.
            (Signing::Tc3, HttpMethod::Post) => 0,
            (Signing::Tc3, HttpMethod::Get) => self.endpoint.path().len() + 1,
            (Signing::V1(method), _) => {
                let signature = match method {
                    SignatureMethod::HmacSha1 => 28,
                    SignatureMethod::HmacSha256 => 44,
                } * 3;
                let target = match self.method {
                    HttpMethod::Get => self.endpoint.path().len() + 1,
                    HttpMethod::Post => 0,
                };
                target
                    + "Action=".len()
                    + action.as_str().len()
                    + "&Version=".len()
                    + VERSION.len()
                    + "&Nonce=".len()
                    + 10
                    + "&Timestamp=".len()
                    + 20
                    + "&SecretId=".len()
                    + "&SignatureMethod=".len()
                    + method.as_param().len()
                    + crate::credentials::identity_budget(&self.credentials)
                    + self
                        .language
                        .map_or(0, |l| "&Language=".len() + l.as_str().len())
                    + "&Signature=".len()
                    + signature
            }
        }
    }

    /// How `job`'s URLs are laid out and limited on this builder's wire.
    pub(crate) fn shape(&self, job: &Job) -> Shape {
        let json = self.signing == Signing::Tc3 && self.method == HttpMethod::Post;
        let (action, fixed, url_len): (_, usize, fn(usize, &str) -> usize) =
            match (job.operation(), json) {
                (Operation::FlushUrls, true) => (
                    v3::Action::PurgeUrlsCache,
                    PurgeUrls::base_json_len(&job.purge_options()),
                    PurgeUrls::item_json_len_of,
                ),
                (Operation::FlushUrls, false) => (
                    v3::Action::PurgeUrlsCache,
                    PurgeUrls::base_form_len(&job.purge_options()),
                    PurgeUrls::item_form_len_of,
                ),
                (Operation::FlushDirs, true) => (
                    v3::Action::PurgePathCache,
                    PurgePaths::base_json_len(job.flush_type_given(), &job.purge_options()),
                    PurgePaths::item_json_len_of,
                ),
                (Operation::FlushDirs, false) => (
                    v3::Action::PurgePathCache,
                    PurgePaths::base_form_len(job.flush_type_given(), &job.purge_options()),
                    PurgePaths::item_form_len_of,
                ),
                (Operation::PushUrls, true) => (
                    v3::Action::PushUrlsCache,
                    PushUrls::base_json_len(&job.push_options_v3()),
                    PushUrls::item_json_len_of,
                ),
                (Operation::PushUrls, false) => (
                    v3::Action::PushUrlsCache,
                    PushUrls::base_form_len(&job.push_options_v3()),
                    PushUrls::item_form_len_of,
                ),
            };
        Shape {
            limit: job.max_per_call(crate::Api::V3),
            budget: self.wire_limit().saturating_sub(self.overhead(action)),
            fixed,
            url_len,
            // JSON: at most `\u00XX` for each byte, the quotes and a comma;
            // the flattened form: at most `%XX` for each byte and the name
            // (`&Paths.` and `=` with up to 20 digits).
            url_len_bound: if json {
                |len| 3 + 6 * len
            } else {
                |len| 28 + 3 * len
            },
        }
    }

    /// Plans `urls` (deduplicated) into calls of `job`: order kept, each
    /// call within the action's count (1000 purged URLs, 500 pushed URLs,
    /// the job's path batch), `batch_size` if given, and this builder's
    /// wire limit. Lazy: URLs are pulled as calls are taken.
    ///
    /// ```
    /// use tcdn::{Credentials, Job, Operation};
    /// use tcdn::v3::RequestBuilder;
    ///
    /// let builder = RequestBuilder::new(Credentials::new("AKIDexample", "secret")?);
    /// let urls = (0..1200).map(|i| format!("https://a.example/{i}.js").parse()).collect::<Result<_, _>>()?;
    /// let sizes: Vec<usize> = builder
    ///     .plan(&Job::new(Operation::PushUrls), urls, None)
    ///     .map(|call| call.unwrap().flat_params().len())
    ///     .collect();
    /// assert_eq!(sizes, [500, 500, 200]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn plan(&self, job: &Job, urls: DistinctUrls, batch_size: Option<NonZeroUsize>) -> Plan {
        Plan {
            job: job.clone(),
            planner: Planner::new(self.shape(job).with_batch_size(batch_size), urls),
        }
    }
}

impl RequestBuilder {
    /// [`plan`](Self::plan) over URLs it borrows: the same calls, each a
    /// [`PlannedCall`] whose request is built when asked for (on any
    /// thread): planning allocates nothing per URL.
    ///
    /// ```
    /// use tcdn::{Credentials, Job, Operation, plan::DistinctUrls};
    /// use tcdn::v3::RequestBuilder;
    ///
    /// let builder = RequestBuilder::new(Credentials::new("AKIDexample", "secret")?);
    /// let urls: DistinctUrls = (0..1200).map(|i| format!("https://a.example/{i}.js").parse()).collect::<Result<_, _>>()?;
    /// let job = Job::new(Operation::PushUrls);
    /// let sizes: Vec<usize> = builder
    ///     .plan_borrowed(&job, &urls, None)
    ///     .map(|call| call.unwrap().request().flat_params().len())
    ///     .collect();
    /// assert_eq!(sizes, [500, 500, 200]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn plan_borrowed<'a>(
        &self,
        job: &'a Job,
        urls: &'a DistinctUrls,
        batch_size: Option<NonZeroUsize>,
    ) -> BorrowedPlan<'a> {
        BorrowedPlan {
            job,
            shape: self.shape(job).with_batch_size(batch_size),
            urls: urls.list(),
            next: 0,
        }
    }
}

/// A plan of API 3.0 calls over URLs it borrows, from
/// [`RequestBuilder::plan_borrowed`]: the calls of [`Plan`], each a
/// [`PlannedCall`].
#[derive(Debug, Clone)]
pub struct BorrowedPlan<'a> {
    job: &'a Job,
    shape: Shape,
    urls: &'a CdnUrlList,
    next: usize,
}

impl<'a> Iterator for BorrowedPlan<'a> {
    type Item = Result<PlannedCall<'a>, TooLarge>;

    fn next(&mut self) -> Option<Self::Item> {
        let planned = plan_next(&self.shape, self.urls, &mut self.next)?;
        Some(planned.map(|range| PlannedCall {
            job: self.job,
            urls: UrlRange::new(self.urls, range),
        }))
    }
}

/// One call of a [`BorrowedPlan`]: its URLs, borrowed, and the request they
/// make.
#[derive(Debug, Clone)]
pub struct PlannedCall<'a> {
    job: &'a Job,
    urls: UrlRange<'a>,
}

impl PlannedCall<'_> {
    /// The call's URLs (or directories).
    pub fn urls(&self) -> &UrlRange<'_> {
        &self.urls
    }

    /// The request: the call's URLs copied into it.
    pub fn request(&self) -> Request {
        batch(self.job, self.urls.to_urls())
    }
}

/// A lazy plan of API 3.0 calls, from [`RequestBuilder::plan`]: each item a
/// request to send, or a URL too long for any request. Every distinct input
/// URL appears in exactly one item.
#[derive(Debug)]
pub struct Plan {
    job: Job,
    planner: Planner,
}

impl Plan {
    /// How many duplicate URLs were dropped.
    pub fn duplicates_skipped(&self) -> usize {
        self.planner.duplicates()
    }
}

impl Iterator for Plan {
    type Item = Result<Request, TooLarge>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(self.planner.next()?.map(|urls| batch(&self.job, urls)))
    }
}

/// The request of a planned batch: non-empty and within the limit by
/// construction.
pub(crate) fn batch(job: &Job, urls: Vec<CdnUrl>) -> Request {
    let limit = job.max_per_call(crate::Api::V3);
    let built = match job.operation() {
        Operation::FlushUrls => PurgeUrls::new(urls, job.purge_options()).map(Request::from),
        Operation::FlushDirs => {
            PurgePaths::with_limit(urls, job.flush_type_given(), job.purge_options(), limit)
                .map(Request::from)
        }
        Operation::PushUrls => PushUrls::new(urls, job.push_options_v3()).map(Request::from),
    };
    built.unwrap_or_else(|err| unreachable!("the planner built an invalid call: {err}"))
}

/// What signing reads of a request: an owned [`Request`], or a planned
/// call read in place ([`ListedRequest`]).
trait Wire {
    fn action(&self) -> v3::Action;
    fn to_json(&self) -> String;
    fn flat_params(&self) -> Vec<(Cow<'static, str>, Cow<'_, str>)>;
    fn flat_form_len(&self) -> usize;
}

impl Wire for Request {
    fn action(&self) -> v3::Action {
        Request::action(self)
    }
    fn to_json(&self) -> String {
        Request::to_json(self)
    }
    fn flat_params(&self) -> Vec<(Cow<'static, str>, Cow<'_, str>)> {
        Request::flat_params(self)
    }
    fn flat_form_len(&self) -> usize {
        Request::flat_form_len(self)
    }
}

impl Wire for ListedRequest<'_> {
    fn action(&self) -> v3::Action {
        ListedRequest::action(self)
    }
    fn to_json(&self) -> String {
        ListedRequest::to_json(self)
    }
    fn flat_params(&self) -> Vec<(Cow<'static, str>, Cow<'_, str>)> {
        ListedRequest::flat_params(self)
    }
    fn flat_form_len(&self) -> usize {
        ListedRequest::flat_form_len(self)
    }
}

/// A signed API 3.0 request, ready to send: method, URL, headers and body.
///
/// `Debug` shows the header names and the body's length only;
/// [`redacted_display`](Self::redacted_display) shows everything but the
/// session token. Neither ever held the secret key.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    method: HttpMethod,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: Option<String>,
    wire_size: usize,
}

impl PreparedRequest {
    /// `GET` or `POST`.
    pub fn method(&self) -> HttpMethod {
        self.method
    }

    /// The URL (with the query, for a GET).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every header sent, by name, in the order sent.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.headers
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
    }

    /// The value of header `name` (case-insensitive), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body (POST), or `None` (GET).
    pub fn body(&self) -> Option<&str> {
        self.body.as_deref()
    }

    /// The size the server's limit applies to: the body of a POST, the
    /// request target (path, `?`, query) of a GET.
    pub fn wire_size(&self) -> usize {
        self.wire_size
    }

    /// The request as text, the session token redacted: the request line,
    /// the headers, and the body after a blank line.
    pub fn redacted_display(&self) -> String {
        let method = match self.method {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        };
        let mut out = format!("{method} {}\n", redact_form_token(&self.url));
        for (name, value) in &self.headers {
            let value = if name.eq_ignore_ascii_case("X-TC-Token") {
                "<redacted>"
            } else {
                value
            };
            out.push_str(name);
            out.push_str(": ");
            out.push_str(value);
            out.push('\n');
        }
        if let Some(body) = &self.body {
            out.push('\n');
            out.push_str(&redact_form_token(body));
            out.push('\n');
        }
        out
    }
}

/// A form or URL with its `Token=` value replaced (v1 requests).
fn redact_form_token(text: &str) -> Cow<'_, str> {
    let start = ["?Token=", "&Token="]
        .iter()
        .find_map(|mark| text.find(mark).map(|at| at + mark.len()))
        .or_else(|| text.starts_with("Token=").then_some("Token=".len()));
    match start {
        Some(start) => {
            let end = text[start..].find('&').map_or(text.len(), |e| start + e);
            Cow::Owned(format!("{}<redacted>{}", &text[..start], &text[end..]))
        }
        None => Cow::Borrowed(text),
    }
}

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| *name).collect();
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("endpoint", &self.url.split('?').next().unwrap_or_default())
            .field("headers", &names)
            .field("body_len", &self.body.as_ref().map(String::len))
            .finish_non_exhaustive()
    }
}

impl TryFrom<PreparedRequest> for http::Request<Bytes> {
    type Error = http::Error;

    fn try_from(prepared: PreparedRequest) -> Result<Self, http::Error> {
        let method = match prepared.method {
            HttpMethod::Get => http::Method::GET,
            HttpMethod::Post => http::Method::POST,
        };
        let mut builder = http::Request::builder().method(method).uri(prepared.url);
        for (name, value) in prepared.headers {
            builder = builder.header(name, value);
        }
        builder.body(prepared.body.map(Bytes::from).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tcdn_model::v3::DescribePurgeQuota;

    fn credentials() -> Credentials {
        Credentials::new(
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        )
        .unwrap()
    }

    #[test]
    fn the_token_is_redacted_wherever_it_is() {
        assert_eq!(
            redact_form_token("a=1&Token=xyz&b=2"),
            "a=1&Token=<redacted>&b=2"
        );
        assert_eq!(
            redact_form_token("https://h/?Token=xyz"),
            "https://h/?Token=<redacted>"
        );
        assert_eq!(redact_form_token("Token=xyz"), "Token=<redacted>");
        assert_eq!(redact_form_token("a=1"), "a=1");
    }

    #[test]
    fn a_language_is_a_tc3_header_and_a_signed_v1_parameter() {
        let quota: Request = DescribePurgeQuota.into();
        let plain = RequestBuilder::new(credentials());
        let prepared = plain.prepare(&quota, 1_700_000_000, Nonce::MIN).unwrap();
        assert_eq!(prepared.header("X-TC-Language"), None);
        let tc3 = plain.clone().with_language(Language::ZhCn);
        let prepared = tc3.prepare(&quota, 1_700_000_000, Nonce::MIN).unwrap();
        assert_eq!(prepared.header("X-TC-Language"), Some("zh-CN"));
        for method in [HttpMethod::Post, HttpMethod::Get] {
            let v1 = RequestBuilder::new(credentials())
                .with_signing(Signing::V1(SignatureMethod::HmacSha256))
                .with_method(method);
            let without = v1.prepare(&quota, 1_700_000_000, Nonce::MIN).unwrap();
            let with = v1
                .with_language(Language::EnUs)
                .prepare(&quota, 1_700_000_000, Nonce::MIN)
                .unwrap();
            let text = |p: &PreparedRequest| p.body().unwrap_or(p.url()).to_owned();
            assert!(text(&with).contains("&Language=en-US&"), "{}", text(&with));
            assert!(!text(&without).contains("Language"), "{}", text(&without));
            // Signed: the signature differs from the one without it.
            let signature =
                |p: &PreparedRequest| text(p).rsplit_once("Signature=").unwrap().1.to_owned();
            assert_ne!(signature(&with), signature(&without));
        }
    }

    #[test]
    fn the_signing_key_is_derived_once_a_day() {
        let builder = RequestBuilder::new(credentials());
        let quota: Request = DescribePurgeQuota.into();
        builder.prepare(&quota, 1_700_000_000, Nonce::MIN).unwrap();
        let first = builder.key.0.lock().unwrap().as_ref().unwrap().1.date();
        builder.prepare(&quota, 1_700_000_100, Nonce::MIN).unwrap();
        builder.prepare(&quota, 1_700_086_400, Nonce::MIN).unwrap();
        let second = builder.key.0.lock().unwrap().as_ref().unwrap().1.date();
        assert_eq!(
            (first.to_string(), second.to_string()),
            ("2023-11-14".into(), "2023-11-15".into())
        );
    }

    #[test]
    fn refreshed_credentials_derive_a_new_signing_key() {
        let first = credentials();
        let refreshed = Credentials::new("AKIDrefreshed", "another-secret-key")
            .unwrap()
            .with_token("session");
        let builder = RequestBuilder::new(first.clone());
        let quota: Request = DescribePurgeQuota.into();
        let authorization = |builder: &RequestBuilder, credentials: &Credentials| {
            builder
                .prepare_as(credentials, &quota, 1_700_000_000, Nonce::MIN)
                .unwrap()
                .header("Authorization")
                .unwrap()
                .to_owned()
        };
        let before = authorization(&builder, &first);
        // The same day, other credentials: signed as a fresh builder would.
        let after = authorization(&builder, &refreshed);
        assert_eq!(
            after,
            authorization(&RequestBuilder::new(refreshed.clone()), &refreshed)
        );
        assert_ne!(after, before);
        // And back: the first key again, not the cached one.
        assert_eq!(authorization(&builder, &first), before);
        let same_id_other_key = Credentials::new(first.secret_id(), "rotated-key").unwrap();
        assert_ne!(authorization(&builder, &same_id_other_key), before);
    }

    #[test]
    fn plans_fit_the_wire_for_every_method_and_signing() {
        let long: Vec<CdnUrl> = (0..3000)
            .map(|i| {
                format!("https://www.example.com/{}/{i}", "x".repeat(200))
                    .parse()
                    .unwrap()
            })
            .collect();
        for (method, signing) in [
            (HttpMethod::Post, Signing::Tc3),
            (HttpMethod::Get, Signing::Tc3),
            (HttpMethod::Post, Signing::V1(SignatureMethod::HmacSha1)),
            (HttpMethod::Get, Signing::V1(SignatureMethod::HmacSha256)),
        ] {
            let builder = RequestBuilder::new(credentials().with_token("t".repeat(300)))
                .with_method(method)
                .with_signing(signing);
            let job = Job::new(Operation::FlushUrls);
            let mut seen = 0;
            for call in builder.plan(&job, long.iter().cloned().collect(), None) {
                let call = call.unwrap();
                seen += call.flat_params().len();
                let prepared = builder
                    .prepare(
                        &call,
                        tcdn_sign::tc3::MAX_TIMESTAMP,
                        Nonce::new(u32::MAX).unwrap(),
                    )
                    .unwrap();
                assert!(
                    prepared.wire_size() <= builder.wire_limit(),
                    "{method:?} {signing:?}"
                );
            }
            assert_eq!(seen, long.len());
        }
    }

    /// A borrowed plan is the owning plan: the same calls, the same URLs
    /// too long for any, for every action, method and signing, with and
    /// without a batch size, where the wire limit cuts batches (GET) and
    /// where it never does.
    #[test]
    fn borrowed_plans_are_the_owning_plans() {
        let mut input: Vec<CdnUrl> = (0..2600)
            .map(|i| {
                format!("https://www.example.com/{}/{i}?q=\"", "x".repeat(i % 300))
                    .parse()
                    .unwrap()
            })
            .collect();
        input.insert(
            700,
            format!("https://a.example/{}", "&".repeat(4000))
                .parse()
                .unwrap(),
        );
        let urls: DistinctUrls = input.iter().cloned().collect();
        for (method, signing) in [
            (HttpMethod::Post, Signing::Tc3),
            (HttpMethod::Get, Signing::Tc3),
            (HttpMethod::Post, Signing::V1(SignatureMethod::HmacSha1)),
        ] {
            let builder = RequestBuilder::new(credentials().with_token("t".repeat(20_000)))
                .with_method(method)
                .with_signing(signing);
            for operation in [
                Operation::FlushUrls,
                Operation::FlushDirs,
                Operation::PushUrls,
            ] {
                let job = Job::new(operation);
                for batch_size in [None, NonZeroUsize::new(7)] {
                    let owned: Vec<_> = builder.plan(&job, urls.clone(), batch_size).collect();
                    let borrowed: Vec<_> = builder
                        .plan_borrowed(&job, &urls, batch_size)
                        .map(|call| {
                            call.map(|call| {
                                // Prepared in place, it is the request's.
                                let request = call.request();
                                assert_eq!(
                                    builder.prepare_call(&call, 1_700_000_000, Nonce::MIN),
                                    builder.prepare(&request, 1_700_000_000, Nonce::MIN),
                                );
                                request
                            })
                        })
                        .collect();
                    assert_eq!(owned, borrowed, "{method:?} {signing:?} {operation:?}");
                }
            }
        }
    }
}
