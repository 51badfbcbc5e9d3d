//! API 2.0 request building, pure: [`RequestBuilder`] signs a validated
//! [`FlushOrPush`] into a [`PreparedRequest`] (method, URL, form body), and
//! plans any number of URLs into batches that fit the wire
//! ([`RequestBuilder::plan`]).

use std::borrow::Cow;
use std::fmt;
use std::num::NonZeroUsize;
use std::sync::Arc;

use bytes::Bytes;
use tcdn_model::{
    ACTION, Areas, CdnUrl, FlushOrPush, MAX_GET_REQUEST_TARGET_LEN, MAX_POST_BODY_LEN, Operation,
};
use tcdn_sign::encode::{FORM_VALUE_SLACK, form_value_extend, form_value_len};
use tcdn_sign::{HttpMethod, SignatureMethod};

use super::plan::BatchPlan;
use crate::core::dedupe::DistinctUrls;
use crate::core::plan::{Planner, Shape};
use crate::credentials::Credentials;
use crate::endpoint::Endpoint;
use crate::nonce::Nonce;

/// Names the client sets itself, which an extra parameter may not take
/// (compared after the signer's `_` → `.` renaming).
const RESERVED: [&str; 11] = [
    "Action",
    "command",
    "type",
    "mainland",
    "oversea",
    "Nonce",
    "Timestamp",
    "SecretId",
    "SignatureMethod",
    "Token",
    "Signature",
];

/// Everything needed to sign a request except the request itself and the
/// per-attempt `Timestamp` and `Nonce`: endpoint, HTTP method, signature
/// method, credentials and extra signed parameters.
///
/// Pure: no clock, no randomness, no I/O. The [`Client`](crate::Client)
/// uses one internally; the CLI's `--dry-run` uses one directly with a fixed
/// nonce and timestamp.
///
/// ```
/// use tcdn::{Areas, CdnUrl, Credentials, FlushOrPush, HttpMethod, nonce::Nonce, Operation, v2::RequestBuilder};
///
/// let credentials = Credentials::new("AKIDexample", "secret")?;
/// let builder = RequestBuilder::new(credentials).with_method(HttpMethod::Get);
/// let url: CdnUrl = "https://www.example.com/a.css".parse()?;
/// let request = FlushOrPush::new(Operation::FlushUrls, Areas::Mainland, [url])?;
/// let prepared = builder.prepare(&request, 1_700_000_000, Nonce::new(7).unwrap());
/// assert!(prepared.url().starts_with(
///     "https://cdn.api.qcloud.com/v2/index.php?Action=FlushOrPushOverall&command=flush&type=url\
///      &urls.0=https%3A%2F%2Fwww.example.com%2Fa.css&mainland=1&Nonce=7&Timestamp=1700000000\
///      &SecretId=AKIDexample&SignatureMethod=HmacSHA1&Signature="));
/// assert_eq!(prepared.body(), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    endpoint: Endpoint,
    method: HttpMethod,
    signature_method: SignatureMethod,
    credentials: Arc<Credentials>,
    extra_params: Vec<(String, String)>,
    /// Indices into `extra_params` in canonical order (names compared with
    /// `_` read as `.`), so that signing never sorts.
    extra_order: Vec<usize>,
}

impl RequestBuilder {
    /// A builder for the default endpoint, POST and HmacSHA1.
    pub fn new(credentials: impl Into<Arc<Credentials>>) -> Self {
        Self {
            endpoint: Endpoint::default(),
            method: HttpMethod::Post,
            signature_method: SignatureMethod::HmacSha1,
            credentials: credentials.into(),
            extra_params: Vec::new(),
            extra_order: Vec::new(),
        }
    }

    /// Sends to `endpoint`.
    #[must_use]
    pub fn with_endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// Uses GET (parameters in the query) or POST (form body, the default).
    #[must_use]
    pub fn with_method(mut self, method: HttpMethod) -> Self {
        self.method = method;
        self
    }

    /// Signs with HmacSHA1 (the default) or HmacSHA256.
    #[must_use]
    pub fn with_signature_method(mut self, signature_method: SignatureMethod) -> Self {
        self.signature_method = signature_method;
        self
    }

    /// Adds an extra signed parameter, sent after the action parameters,
    /// e.g. `RequestClient=SDK_PYTHON_2.0.15` (which the legacy SDK sends,
    /// and which reproduces its signatures).
    ///
    /// # Errors
    /// [`RequestErrorKind::ReservedName`] when the name (read with `_` as
    /// `.`, as the signer does) is one the client sets itself (`Action`,
    /// `command`, `type`, `mainland`, `oversea`, `urls`/`urls.*`, `Nonce`,
    /// `Timestamp`, `SecretId`, `SignatureMethod`, `Token`, `Signature`),
    /// is empty, or repeats an extra parameter already added.
    pub fn with_extra_param(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self, RequestError> {
        let name = name.into();
        let signed = name.replace('_', ".");
        let refuse = |why: &str| RequestError {
            kind: RequestErrorKind::ReservedName,
            message: format!("extra parameter {name:?} is not allowed: {why}"),
        };
        if name.is_empty() {
            return Err(refuse("the name is empty"));
        }
        if RESERVED.contains(&signed.as_str()) || signed == "urls" || signed.starts_with("urls.") {
            return Err(refuse("the client sets this parameter itself"));
        }
        if self
            .extra_params
            .iter()
            .any(|(other, _)| other.replace('_', ".") == signed)
        {
            return Err(refuse(
                "it was already added (names compare with '_' read as '.')",
            ));
        }
        let at = self
            .extra_order
            .partition_point(|&k| folded_cmp(&self.extra_params[k].0, &name).is_lt());
        self.extra_order.insert(at, self.extra_params.len());
        self.extra_params.push((name, value.into()));
        Ok(self)
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The HTTP method.
    pub fn method(&self) -> HttpMethod {
        self.method
    }

    /// The signature method.
    pub fn signature_method(&self) -> SignatureMethod {
        self.signature_method
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Signs `request` with `timestamp` (Unix seconds) and `nonce`.
    ///
    /// Wire order: the action parameters (`Action`, `command`, `type`,
    /// `urls.N`, `mainland`/`oversea`), the extra parameters, then `Nonce`,
    /// `Timestamp`, `SecretId`, `SignatureMethod` (always sent, like the
    /// legacy SDK), `Token` (temporary credentials only), and `Signature`.
    /// Every name and value is form-encoded (the legacy SDK's `quote_plus`
    /// rules); the signature covers the raw values.
    ///
    /// One `String` is allocated, with its exact length computed first, and
    /// nothing else: the parameters are signed in canonical order as the
    /// builder knows it ([`tcdn_sign::CanonicalSigner`], which checks it),
    /// then written in wire order straight into the buffer.
    ///
    /// The result may exceed the wire limits if `request` was not planned
    /// with [`plan`](Self::plan); [`PreparedRequest::fits_wire_limit`] tells.
    pub fn prepare(&self, request: &FlushOrPush, timestamp: u64, nonce: Nonce) -> PreparedRequest {
        self.prepare_as(&self.credentials, request, timestamp, nonce)
    }

    /// [`prepare`](Self::prepare) signed with `credentials` instead of the
    /// builder's own: the client's current ones, which may have been
    /// refreshed since the builder was made.
    pub(crate) fn prepare_as(
        &self,
        credentials: &Credentials,
        request: &FlushOrPush,
        timestamp: u64,
        nonce: Nonce,
    ) -> PreparedRequest {
        let urls = request.urls();
        let batch = Batch {
            operation: request.operation(),
            areas: request.areas(),
            count: urls.len(),
            url: &|index| urls[index].as_str(),
        };
        self.prepare_urls(credentials, &batch, timestamp, nonce)
    }

    /// [`prepare`](Self::prepare) for a batch of a
    /// [`plan_borrowed`](Self::plan_borrowed) plan, with its URLs read from
    /// the plan's list: no [`FlushOrPush`] is made, nor a copy of any URL.
    /// The request is the one [`prepare`](Self::prepare) makes of the
    /// batch's [`request`](super::PlannedBatch::request), byte for byte.
    ///
    /// ```
    /// use tcdn::plan::DistinctUrls;
    /// use tcdn::v2::RequestBuilder;
    /// use tcdn::{Areas, CdnUrl, Credentials, Operation, nonce::Nonce};
    ///
    /// let builder = RequestBuilder::new(Credentials::new("AKIDexample", "secret")?);
    /// let urls: DistinctUrls = (0..30).map(|i| format!("https://a.example/{i}").parse::<CdnUrl>()).collect::<Result<_, _>>()?;
    /// for batch in builder.plan_borrowed(Operation::PushUrls, Areas::Both, &urls, None) {
    ///     let batch = batch?;
    ///     let prepared = builder.prepare_batch(&batch, 1_700_000_000, Nonce::MIN);
    ///     assert_eq!(prepared, builder.prepare(&batch.request(), 1_700_000_000, Nonce::MIN));
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prepare_batch(
        &self,
        batch: &super::PlannedBatch<'_>,
        timestamp: u64,
        nonce: Nonce,
    ) -> PreparedRequest {
        let urls = batch.urls();
        let planned = Batch {
            operation: batch.operation(),
            areas: batch.areas(),
            count: urls.len(),
            url: &|index| urls.get(index).unwrap_or_default(),
        };
        self.prepare_urls(&self.credentials, &planned, timestamp, nonce)
    }

    /// The request of `batch`'s URLs, signed with `credentials`: what
    /// [`prepare`](Self::prepare) does, wherever the URLs are held.
    fn prepare_urls(
        &self,
        credentials: &Credentials,
        batch: &Batch<'_>,
        timestamp: u64,
        nonce: Nonce,
    ) -> PreparedRequest {
        let mut nonce_digits = [0u8; 20];
        let mut timestamp_digits = [0u8; 20];
        let common = CommonParams {
            nonce: decimal(u64::from(nonce.get()), &mut nonce_digits),
            timestamp: decimal(timestamp, &mut timestamp_digits),
            secret_id: credentials.secret_id(),
            signature_method: self.signature_method.as_param(),
            token: credentials.token().map(|token| token.expose()),
        };
        let signature = self.sign_canonical(credentials, batch, &common);

        let Batch {
            operation,
            areas,
            count,
            url: text_of,
        } = *batch;
        let urls = (0..count).map(text_of);
        // The form's length with each encoded value's length given by
        // `value_len` and the action parameters' by `action_len`.
        let form_len = |action_len: usize, value_len: fn(&str) -> usize| {
            let extras: usize = self
                .extra_params
                .iter()
                .map(|(n, v)| value_len(n) + value_len(v) + 2)
                .sum();
            action_len
                + extras
                + "&Nonce=".len()
                + common.nonce.len()
                + "&Timestamp=".len()
                + common.timestamp.len()
                + "&SecretId=".len()
                + value_len(common.secret_id)
                + "&SignatureMethod=".len()
                + common.signature_method.len()
                + common
                    .token
                    .map_or(0, |token| "&Token=".len() + value_len(token))
                + "&Signature=".len()
                + signature.form_encoded_len()
        };
        let url = self.endpoint.as_str();
        let query_mark = usize::from(self.method == HttpMethod::Get);
        // One allocation, of at most what the encoding can take (`%XX` for
        // every byte): counting the exact length first took a pass over
        // every URL, and zeroing the buffer another. Only the bytes written
        // are touched; the rest of the room costs no memory.
        let action_bound = FlushOrPush::fixed_params_form_len(operation, areas)
            + urls
                .clone()
                .map(|url| "&urls.=".len() + 20 + 3 * url.len())
                .sum::<usize>();
        let mut out = Writer {
            buffer: Vec::with_capacity(
                url.len()
                    + query_mark
                    + form_len(action_bound, |value| 3 * value.len())
                    + FORM_VALUE_SLACK,
            ),
        };
        out.raw(url);
        if query_mark == 1 {
            out.raw("?");
        }
        out.raw("Action=");
        out.raw(ACTION);
        out.raw("&command=");
        out.raw(operation.command().as_str());
        out.raw("&type=");
        out.raw(operation.url_type().as_str());
        let mut index_digits = [0u8; 20];
        for (index, url) in urls.clone().enumerate() {
            out.raw("&urls.");
            out.raw(decimal(index as u64, &mut index_digits));
            out.raw("=");
            out.encoded(url);
        }
        if areas.mainland() {
            out.raw("&mainland=1");
        }
        if areas.oversea() {
            out.raw("&oversea=1");
        }
        for (name, value) in &self.extra_params {
            out.raw("&");
            out.encoded(name);
            out.raw("=");
            out.encoded(value);
        }
        out.raw("&Nonce=");
        out.raw(common.nonce);
        out.raw("&Timestamp=");
        out.raw(common.timestamp);
        out.raw("&SecretId=");
        out.encoded(common.secret_id);
        out.raw("&SignatureMethod=");
        out.raw(common.signature_method);
        if let Some(token) = common.token {
            out.raw("&Token=");
            out.encoded(token);
        }
        out.raw("&Signature=");
        out.encoded(signature.as_str());
        debug_assert_eq!(
            out.buffer.len(),
            url.len()
                + query_mark
                + form_len(
                    FlushOrPush::fixed_params_form_len(operation, areas)
                        + urls
                            .enumerate()
                            .map(|(index, url)| FlushOrPush::url_text_form_len(index, url))
                            .sum::<usize>(),
                    form_value_len
                ),
            "the form length counters and the writer disagree"
        );
        // Everything written is ASCII: the endpoint's URL and form encoding.
        let buffer = String::from_utf8(out.buffer)
            .unwrap_or_else(|_| unreachable!("form encoding is ASCII"));

        PreparedRequest {
            method: self.method,
            buffer,
            url_len: if self.method == HttpMethod::Get {
                None
            } else {
                Some(url.len())
            },
            path_len: self.endpoint.path().len(),
        }
    }

    /// The signature of `request` with the common parameters, its
    /// parameters given to the signer in canonical order: the upper-case
    /// names, then the lower-case ones with the `urls.N` group last, and the
    /// extra parameters merged in by name.
    fn sign_canonical(
        &self,
        credentials: &Credentials,
        batch: &Batch<'_>,
        common: &CommonParams<'_>,
    ) -> tcdn_sign::Signature {
        let Batch {
            operation, areas, ..
        } = *batch;
        // Byte order: upper case before lower case.
        let fixed: [(&str, Option<&str>); 10] = [
            ("Action", Some(ACTION)),
            ("Nonce", Some(common.nonce)),
            ("SecretId", Some(common.secret_id)),
            ("SignatureMethod", Some(common.signature_method)),
            ("Timestamp", Some(common.timestamp)),
            ("Token", common.token),
            ("command", Some(operation.command().as_str())),
            ("mainland", areas.mainland().then_some("1")),
            ("oversea", areas.oversea().then_some("1")),
            ("type", Some(operation.url_type().as_str())),
        ];
        let endpoint = tcdn_sign::Endpoint::new(
            self.method,
            self.endpoint.signing_host(),
            self.endpoint.path(),
        );
        let mut signer = tcdn_sign::CanonicalSigner::new(
            credentials.secret_key(),
            &endpoint,
            self.signature_method,
        );
        let mut extras = self
            .extra_order
            .iter()
            .map(|&k| {
                (
                    self.extra_params[k].0.as_str(),
                    self.extra_params[k].1.as_str(),
                )
            })
            .peekable();
        // The parameters are distinct by construction (extra names are
        // checked against the reserved ones, URLs are `urls.N`) and given in
        // order, so signing cannot fail; the signer checks it all the same.
        let mut push = |name, value| {
            signer
                .push(name, value)
                .unwrap_or_else(|err| unreachable!("validated parameters failed to sign: {err}"));
        };
        for (name, value) in fixed {
            while let Some((extra, extra_value)) =
                extras.next_if(|(extra, _)| folded_cmp(extra, name).is_lt())
            {
                push(extra, extra_value);
            }
            if let Some(value) = value {
                push(name, value);
            }
        }
        while let Some((extra, extra_value)) =
            extras.next_if(|(extra, _)| folded_cmp(extra, "urls.").is_lt())
        {
            push(extra, extra_value);
        }
        signer
            .push_indexed_with("urls", batch.count, batch.url)
            .unwrap_or_else(|err| unreachable!("validated parameters failed to sign: {err}"));
        for (extra, extra_value) in extras {
            signer
                .push(extra, extra_value)
                .unwrap_or_else(|err| unreachable!("validated parameters failed to sign: {err}"));
        }
        signer
            .finish()
            .unwrap_or_else(|err| unreachable!("validated parameters failed to sign: {err}"))
    }

    /// The most bytes of form the action parameters of one request may take,
    /// given everything else this builder puts on the wire (the longest
    /// nonce, timestamp and signature included).
    pub fn action_budget(&self) -> usize {
        let extra: usize = self
            .extra_params
            .iter()
            .map(|(n, v)| 1 + form_value_len(n) + 1 + form_value_len(v))
            .sum();
        let signature_max = match self.signature_method {
            SignatureMethod::HmacSha1 => 28,
            SignatureMethod::HmacSha256 => 44,
        } * 3;
        let common = "&Nonce=".len()
            + 10
            + "&Timestamp=".len()
            + 20
            + "&SecretId=".len()
            + "&SignatureMethod=".len()
            + self.signature_method.as_param().len()
            + crate::credentials::identity_budget(&self.credentials)
            + "&Signature=".len()
            + signature_max;
        let limit = match self.method {
            HttpMethod::Get => {
                MAX_GET_REQUEST_TARGET_LEN.saturating_sub(self.endpoint.path().len() + 1)
            }
            HttpMethod::Post => MAX_POST_BODY_LEN,
        };
        limit.saturating_sub(extra + common)
    }

    /// Plans `urls` into requests for `operation` and `areas`: duplicates
    /// are dropped (the first occurrence wins), order is kept, and each
    /// batch holds at most the operation's per-request limit (1000 URLs,
    /// 20 directories, 20 pushes), at most `batch_size` URLs if given, and
    /// fits this builder's wire limit (GET 32 KB request target, POST 1 MB
    /// body). Lazy: URLs are pulled as batches are taken.
    ///
    /// ```
    /// use tcdn::v2::{PlanItem, RequestBuilder};
    /// use tcdn::{Areas, CdnUrl, Credentials, Operation};
    ///
    /// let builder = RequestBuilder::new(Credentials::new("AKIDexample", "secret")?);
    /// let urls = (0..45).chain(0..5).map(|i| format!("https://a.example/{i}.js").parse::<CdnUrl>());
    /// let urls: Vec<CdnUrl> = urls.collect::<Result<_, _>>()?;
    /// let mut plan = builder.plan(Operation::PushUrls, Areas::Both, urls, None);
    /// let sizes: Vec<usize> = plan.by_ref().map(|item| match item {
    ///     PlanItem::Batch(batch) => batch.urls().len(),
    ///     PlanItem::TooLarge(too_large) => panic!("{too_large}"),
    /// }).collect();
    /// assert_eq!(sizes, [20, 20, 5]);
    /// assert_eq!(plan.duplicates_skipped(), 5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn plan<I>(
        &self,
        operation: Operation,
        areas: Areas,
        urls: I,
        batch_size: Option<NonZeroUsize>,
    ) -> BatchPlan
    where
        I: IntoIterator<Item = CdnUrl>,
    {
        self.plan_distinct(operation, areas, urls.into_iter().collect(), batch_size)
    }

    /// [`plan`](Self::plan) over URLs already collected into a
    /// [`DistinctUrls`] (which `plan` does itself), for callers that
    /// deduplicate while reading their input, as the CLI does. Its
    /// [`duplicates_skipped`](BatchPlan::duplicates_skipped) is the repeats
    /// `urls` dropped.
    ///
    /// ```
    /// use tcdn::plan::DistinctUrls;
    /// use tcdn::v2::{PlanItem, RequestBuilder};
    /// use tcdn::{Areas, CdnUrl, Credentials, Operation};
    ///
    /// let builder = RequestBuilder::new(Credentials::new("AKIDexample", "secret")?);
    /// let urls = (0..45).chain(0..5).map(|i| format!("https://a.example/{i}.js").parse::<CdnUrl>());
    /// let urls: DistinctUrls = urls.collect::<Result<_, _>>()?;
    /// let plan = builder.plan_distinct(Operation::PushUrls, Areas::Both, urls, None);
    /// assert_eq!(plan.duplicates_skipped(), 5);
    /// assert_eq!(plan.filter(|item| matches!(item, PlanItem::Batch(_))).count(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn plan_distinct(
        &self,
        operation: Operation,
        areas: Areas,
        urls: DistinctUrls,
        batch_size: Option<NonZeroUsize>,
    ) -> BatchPlan {
        let shape = self.shape(operation, areas).with_batch_size(batch_size);
        BatchPlan::new(operation, areas, Planner::new(shape, urls))
    }

    /// [`plan_distinct`](Self::plan_distinct) over URLs it borrows: the same
    /// batches, each a [`PlannedBatch`](super::PlannedBatch) whose request
    /// is built when asked for (on any thread): planning allocates nothing
    /// per URL.
    ///
    /// ```
    /// use tcdn::plan::DistinctUrls;
    /// use tcdn::v2::RequestBuilder;
    /// use tcdn::{Areas, CdnUrl, Credentials, Operation};
    ///
    /// let builder = RequestBuilder::new(Credentials::new("AKIDexample", "secret")?);
    /// let urls = (0..45).map(|i| format!("https://a.example/{i}.js").parse::<CdnUrl>());
    /// let urls: DistinctUrls = urls.collect::<Result<_, _>>()?;
    /// let sizes: Vec<usize> = builder
    ///     .plan_borrowed(Operation::PushUrls, Areas::Both, &urls, None)
    ///     .map(|batch| batch.unwrap().request().urls().len())
    ///     .collect();
    /// assert_eq!(sizes, [20, 20, 5]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn plan_borrowed<'a>(
        &self,
        operation: Operation,
        areas: Areas,
        urls: &'a DistinctUrls,
        batch_size: Option<NonZeroUsize>,
    ) -> super::BorrowedBatchPlan<'a> {
        let shape = self.shape(operation, areas).with_batch_size(batch_size);
        super::BorrowedBatchPlan::new(operation, areas, shape, urls.list())
    }

    /// How `operation`'s URLs are laid out and limited on this builder's
    /// wire: the operation's per-request count and the
    /// [`action_budget`](Self::action_budget), counted by the model's form
    /// counters.
    pub(crate) fn shape(&self, operation: Operation, areas: Areas) -> Shape {
        Shape {
            limit: operation.max_urls_per_request(),
            budget: self.action_budget(),
            fixed: FlushOrPush::fixed_params_form_len(operation, areas),
            url_len: FlushOrPush::url_text_form_len,
            // `&urls.` and `=` with up to 20 digits, and at most `%XX` for
            // each byte.
            url_len_bound: |len| 27 + 3 * len,
        }
    }
}

/// The decimal digits of `value`, written into `buffer`.
fn decimal(mut value: u64, buffer: &mut [u8; 20]) -> &str {
    let mut start = buffer.len();
    loop {
        start -= 1;
        buffer[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    std::str::from_utf8(&buffer[start..]).unwrap_or_default()
}

/// The action parameters of one request: its operation and areas, and its
/// `count` URLs, the text of each given by `url` (from a [`FlushOrPush`] or
/// straight from a plan's list).
#[derive(Clone, Copy)]
struct Batch<'u> {
    operation: Operation,
    areas: Areas,
    count: usize,
    url: &'u dyn Fn(usize) -> &'u str,
}

/// The common parameters of one request, as text.
struct CommonParams<'a> {
    nonce: &'a str,
    timestamp: &'a str,
    secret_id: &'a str,
    signature_method: &'a str,
    token: Option<&'a str>,
}

/// Fills a buffer made with room for everything written, front to back.
struct Writer {
    buffer: Vec<u8>,
}

impl Writer {
    /// Text that needs no encoding.
    #[inline]
    fn raw(&mut self, text: &str) {
        self.buffer.extend_from_slice(text.as_bytes());
    }

    /// Text form-encoded.
    #[inline]
    fn encoded(&mut self, text: &str) {
        form_value_extend(text, &mut self.buffer);
    }
}

/// Compares names as the signature orders them: `_` read as `.`, then bytes.
fn folded_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let fold = |c: u8| if c == b'_' { b'.' } else { c };
    a.bytes().map(fold).cmp(b.bytes().map(fold))
}

/// A signed request, ready to send: method, URL and (POST) form body.
///
/// `Debug` redacts the `Signature` and `Token` values;
/// [`redacted_display`](Self::redacted_display) redacts the `Token` only.
/// Neither ever held the secret key.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    method: HttpMethod,
    /// GET: the URL with its query. POST: the endpoint URL, then the body.
    buffer: String,
    /// POST: where the body starts.
    url_len: Option<usize>,
    path_len: usize,
}

impl PreparedRequest {
    /// `GET` or `POST`.
    pub fn method(&self) -> HttpMethod {
        self.method
    }

    /// The URL: with the whole signed query for GET, the endpoint for POST.
    pub fn url(&self) -> &str {
        match self.url_len {
            Some(len) => &self.buffer[..len],
            None => &self.buffer,
        }
    }

    /// The `application/x-www-form-urlencoded` body (POST only).
    pub fn body(&self) -> Option<&str> {
        self.url_len.map(|len| &self.buffer[len..])
    }

    /// The form-encoded parameters: the query (GET) or the body (POST).
    pub fn form(&self) -> &str {
        match self.url_len {
            Some(len) => &self.buffer[len..],
            None => self.buffer.split_once('?').map_or("", |(_, query)| query),
        }
    }

    /// The size the server's limit applies to: the request target (path,
    /// `?`, query) for GET, the body for POST.
    pub fn wire_size(&self) -> usize {
        match self.method {
            HttpMethod::Get => self.path_len + 1 + self.form().len(),
            HttpMethod::Post => self.form().len(),
        }
    }

    /// Whether [`wire_size`](Self::wire_size) is within the method's limit
    /// ([`MAX_GET_REQUEST_TARGET_LEN`], [`MAX_POST_BODY_LEN`]); the server
    /// answers HTTP 501 to larger requests.
    pub fn fits_wire_limit(&self) -> bool {
        self.wire_size()
            <= match self.method {
                HttpMethod::Get => MAX_GET_REQUEST_TARGET_LEN,
                HttpMethod::Post => MAX_POST_BODY_LEN,
            }
    }

    /// Method, URL and body as owned values.
    pub fn into_parts(self) -> (HttpMethod, String, Option<String>) {
        match self.url_len {
            Some(len) => {
                let mut url = self.buffer;
                let body = url.split_off(len);
                (self.method, url, Some(body))
            }
            None => (self.method, self.buffer, None),
        }
    }

    /// The request with the `Token` value replaced by `<redacted>`, for
    /// showing to a user (the CLI's text `--dry-run`): `GET <url>`, or
    /// `POST <url>` and the body on a second line. The signature is shown:
    /// it is valid for this one request only and reveals nothing of the
    /// key.
    pub fn redacted_display(&self) -> impl fmt::Display + '_ {
        Redacted {
            request: self,
            names: &["Token"],
        }
    }

    /// The `http` request for a [`Transport`](tcdn_transport::Transport):
    /// POST carries `Content-Type: application/x-www-form-urlencoded`.
    ///
    /// # Errors
    /// When the `http` crate refuses the URI (it takes at most 65534 bytes,
    /// so a GET far over the wire limit).
    pub fn to_http(&self) -> Result<http::Request<Bytes>, http::Error> {
        let builder = http::Request::builder().uri(self.url());
        match self.body() {
            None => builder.method(http::Method::GET).body(Bytes::new()),
            Some(body) => builder
                .method(http::Method::POST)
                .header(
                    http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(Bytes::copy_from_slice(body.as_bytes())),
        }
    }
}

impl TryFrom<PreparedRequest> for http::Request<Bytes> {
    type Error = http::Error;

    fn try_from(prepared: PreparedRequest) -> Result<Self, Self::Error> {
        match prepared.url_len {
            None => http::Request::builder()
                .method(http::Method::GET)
                .uri(prepared.buffer)
                .body(Bytes::new()),
            Some(len) => {
                let uri = prepared.buffer[..len].to_owned();
                let body = Bytes::from(prepared.buffer).slice(len..);
                http::Request::builder()
                    .method(http::Method::POST)
                    .uri(uri)
                    .header(
                        http::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(body)
            }
        }
    }
}

/// `form` with the values of parameters named in `names` replaced.
fn redact_form<'a>(form: &'a str, names: &[&str]) -> Cow<'a, str> {
    let hit = |pair: &str| {
        names.iter().any(|name| {
            pair.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('='))
        })
    };
    if !form.split('&').any(hit) {
        return Cow::Borrowed(form);
    }
    let mut out = String::with_capacity(form.len());
    for (index, pair) in form.split('&').enumerate() {
        if index > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((name, _)) if hit(pair) => {
                out.push_str(name);
                out.push_str("=<redacted>");
            }
            _ => out.push_str(pair),
        }
    }
    Cow::Owned(out)
}

struct Redacted<'a> {
    request: &'a PreparedRequest,
    names: &'a [&'a str],
}

impl Redacted<'_> {
    fn url(&self) -> Cow<'_, str> {
        let url = self.request.url();
        match url.split_once('?') {
            Some((base, query)) => match redact_form(query, self.names) {
                Cow::Borrowed(_) => Cow::Borrowed(url),
                Cow::Owned(query) => Cow::Owned(format!("{base}?{query}")),
            },
            None => Cow::Borrowed(url),
        }
    }
}

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.request.method, self.url())?;
        if let Some(body) = self.request.body() {
            write!(f, "\n{}", redact_form(body, self.names))?;
        }
        Ok(())
    }
}

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = Redacted {
            request: self,
            names: &["Token", "Signature"],
        };
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("url", &redacted.url())
            .field(
                "body",
                &self.body().map(|body| redact_form(body, redacted.names)),
            )
            .finish()
    }
}

/// A problem with a request's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError {
    kind: RequestErrorKind,
    message: String,
}

impl RequestError {
    /// What kind of problem it is.
    pub fn kind(&self) -> RequestErrorKind {
        self.kind
    }
}

/// The kind of a [`RequestError`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestErrorKind {
    /// An extra parameter's name is empty, reserved or repeated.
    ReservedName,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RequestError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::v2::PlanItem;

    fn builder() -> RequestBuilder {
        RequestBuilder::new(
            Credentials::new("AKIDexample", "secret")
                .unwrap()
                .with_token("tok"),
        )
    }

    #[test]
    fn temporary_credentials_leave_room_for_longer_refreshed_ones() {
        let token = "t".repeat(1000);
        let long_term = RequestBuilder::new(
            Credentials::new("AKIDexample", "secret")
                .unwrap()
                .with_token(token.as_str()),
        );
        let temporary = RequestBuilder::new(
            Credentials::new("AKIDexample", "secret")
                .unwrap()
                .with_token(token.as_str())
                .expiring_at(1_700_000_000),
        );
        let identity = "AKIDexample".len() + "&Token=".len() + token.len();
        assert_eq!(
            long_term.action_budget() - temporary.action_budget(),
            identity
        );
    }

    fn urls(n: usize) -> Vec<CdnUrl> {
        (0..n)
            .map(|i| format!("https://a.example/{i}.css").parse().unwrap())
            .collect()
    }

    /// `prepare` the obvious way: every parameter in wire order, signed by
    /// the general signer (which sorts), each name and value form-encoded
    /// into a growing `String`.
    fn reference_prepare(
        builder: &RequestBuilder,
        request: &FlushOrPush,
        timestamp: u64,
        nonce: Nonce,
    ) -> String {
        let credentials = builder.credentials();
        let mut params: Vec<(String, String)> = request
            .action_params()
            .map(|(name, value)| (name.to_string(), value.to_owned()))
            .collect();
        params.extend(builder.extra_params.iter().cloned());
        params.push(("Nonce".into(), nonce.get().to_string()));
        params.push(("Timestamp".into(), timestamp.to_string()));
        params.push(("SecretId".into(), credentials.secret_id().to_owned()));
        params.push((
            "SignatureMethod".into(),
            builder.signature_method().as_param().to_owned(),
        ));
        if let Some(token) = credentials.token() {
            params.push(("Token".into(), token.expose().to_owned()));
        }
        let endpoint = tcdn_sign::Endpoint::new(
            builder.method(),
            builder.endpoint().signing_host(),
            builder.endpoint().path(),
        );
        let signature = tcdn_sign::sign(credentials.secret_key(), &endpoint, &params).unwrap();
        let mut out = builder.endpoint().as_str().to_owned();
        if builder.method() == HttpMethod::Get {
            out.push('?');
        }
        for (name, value) in &params {
            tcdn_sign::encode::form_value_into(name, &mut out);
            out.push('=');
            tcdn_sign::encode::form_value_into(value, &mut out);
            out.push('&');
        }
        out.push_str("Signature=");
        signature.append_form_encoded(&mut out);
        out
    }

    mod fast_path_matches_general_path {
        use proptest::prelude::*;

        use super::*;

        fn operation() -> impl Strategy<Value = Operation> {
            prop::sample::select(vec![
                Operation::FlushUrls,
                Operation::FlushDirs,
                Operation::PushUrls,
            ])
        }

        fn areas() -> impl Strategy<Value = Areas> {
            prop::sample::select(vec![Areas::Mainland, Areas::Oversea, Areas::Both])
        }

        /// Extra names on both sides of every fixed name and of `urls.N`.
        fn extra_name() -> impl Strategy<Value = String> {
            prop_oneof![
                prop::sample::select(vec![
                    "RequestClient",
                    "A",
                    "Zone_Id",
                    "a",
                    "b_c",
                    "urls-x",
                    "urlsA",
                    "v",
                    "zz",
                    "Nonce_2",
                    "Token.x",
                    "commands",
                    "typed",
                    "_x",
                    "~",
                ])
                .prop_map(str::to_owned),
                "[A-Za-z_.~ %&=-]{1,8}",
            ]
        }

        prop_compose! {
            fn case()(
                operation in operation(),
                areas in areas(),
                url_count in 1usize..45,
                path in "([a-z0-9/?&=+~图]|%[0-9A-F]{2}){0,12}",
                extras in prop::collection::vec((extra_name(), "\\PC{0,8}"), 0..4),
                get in any::<bool>(),
                sha256 in any::<bool>(),
                token in proptest::option::of("[A-Za-z0-9+/=]{1,16}"),
                secret_id in "[A-Za-z0-9+=/]{1,12}",
                timestamp in any::<u64>(),
                nonce in 1u32..=u32::MAX,
            ) -> (RequestBuilder, FlushOrPush, u64, Nonce) {
                let limit = operation.max_urls_per_request();
                let urls: Vec<CdnUrl> = (0..url_count.min(limit))
                    .map(|i| format!("https://a.example/{i}/{path}").parse().unwrap())
                    .collect();
                let request = FlushOrPush::new(operation, areas, urls).unwrap();
                let mut credentials = Credentials::new(secret_id, "key").unwrap();
                if let Some(token) = token {
                    credentials = credentials.with_token(token);
                }
                let mut builder = RequestBuilder::new(credentials)
                    .with_method(if get { HttpMethod::Get } else { HttpMethod::Post })
                    .with_signature_method(if sha256 {
                        SignatureMethod::HmacSha256
                    } else {
                        SignatureMethod::HmacSha1
                    });
                for (name, value) in extras {
                    // Reserved and repeated names are refused; skip them.
                    if let Ok(next) = builder.clone().with_extra_param(name, value) {
                        builder = next;
                    }
                }
                (builder, request, timestamp, Nonce::new(nonce).unwrap())
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn prepare_equals_the_general_path((builder, request, timestamp, nonce) in case()) {
                let prepared = builder.prepare(&request, timestamp, nonce);
                let expected = reference_prepare(&builder, &request, timestamp, nonce);
                let mut got = prepared.url().to_owned();
                got.push_str(prepared.body().unwrap_or(""));
                prop_assert_eq!(got, expected);
            }
        }
    }

    #[test]
    fn decimal_writes_digits() {
        let mut buffer = [0; 20];
        assert_eq!(decimal(0, &mut buffer), "0");
        assert_eq!(decimal(u64::MAX, &mut buffer), "18446744073709551615");
    }

    #[test]
    fn extra_params_may_not_take_reserved_or_repeated_names() {
        for name in [
            "Nonce",
            "Signature",
            "urls.0",
            "urls",
            "Secret_Id",
            "Token",
            "",
        ] {
            let name = if name == "Secret_Id" {
                "SecretId"
            } else {
                name
            };
            let err = builder().with_extra_param(name, "x").unwrap_err();
            assert_eq!(err.kind(), RequestErrorKind::ReservedName, "{name}");
            assert!(err.to_string().contains(&format!("{name:?}")), "{err}");
        }
        let err = builder()
            .with_extra_param("Request_Client", "a")
            .unwrap()
            .with_extra_param("Request.Client", "b")
            .unwrap_err();
        assert!(err.to_string().contains("already"), "{err}");
    }

    #[test]
    fn debug_redacts_signature_and_token_and_display_redacts_token() {
        let request = FlushOrPush::new(Operation::FlushUrls, Areas::Both, urls(2)).unwrap();
        for method in [HttpMethod::Get, HttpMethod::Post] {
            let prepared = builder()
                .with_method(method)
                .prepare(&request, 1, Nonce::MIN);
            let debug = format!("{prepared:?}");
            assert!(
                debug.contains("Token=<redacted>") && debug.contains("Signature=<redacted>"),
                "{debug}"
            );
            assert!(
                !debug.contains("tok&") && !debug.contains("=tok"),
                "{debug}"
            );
            let shown = prepared.redacted_display().to_string();
            assert!(shown.contains("Token=<redacted>"), "{shown}");
            assert!(!shown.contains("Signature=<redacted>"), "{shown}");
            assert!(shown.starts_with(method.as_str()), "{shown}");
        }
    }

    #[test]
    fn http_conversion_keeps_method_uri_body_and_content_type() {
        let request = FlushOrPush::new(Operation::PushUrls, Areas::Oversea, urls(3)).unwrap();
        let post = builder().prepare(&request, 1_700_000_000, Nonce::new(42).unwrap());
        let by_ref = post.to_http().unwrap();
        let owned = http::Request::<Bytes>::try_from(post.clone()).unwrap();
        for http_request in [by_ref, owned] {
            assert_eq!(http_request.method(), http::Method::POST);
            assert_eq!(
                http_request.uri(),
                "https://cdn.api.qcloud.com/v2/index.php"
            );
            assert_eq!(http_request.body(), post.body().unwrap().as_bytes());
            assert_eq!(
                http_request.headers()[http::header::CONTENT_TYPE],
                "application/x-www-form-urlencoded"
            );
        }
        let get = builder()
            .with_method(HttpMethod::Get)
            .prepare(&request, 1, Nonce::MIN);
        let http_request = http::Request::<Bytes>::try_from(get.clone()).unwrap();
        assert_eq!(http_request.uri().to_string(), get.url());
        assert!(http_request.body().is_empty());
        assert!(
            !http_request
                .headers()
                .contains_key(http::header::CONTENT_TYPE)
        );
    }

    #[test]
    fn many_params_spill_to_the_heap_with_the_same_result() {
        let builder = builder();
        let request = FlushOrPush::new(Operation::FlushUrls, Areas::Mainland, urls(200)).unwrap();
        let prepared = builder.prepare(&request, 5, Nonce::MIN);
        assert!(prepared.form().contains("urls.199="));
        assert!(prepared.fits_wire_limit());
        // The same bytes as the general signer's, parameter by parameter.
        let mut got = prepared.url().to_owned();
        got.push_str(prepared.body().unwrap_or(""));
        assert_eq!(got, reference_prepare(&builder, &request, 5, Nonce::MIN));
    }

    #[test]
    fn plan_splits_by_count_batch_size_and_size() {
        let count = |plan: BatchPlan| -> Vec<usize> {
            plan.map(|item| match item {
                PlanItem::Batch(batch) => batch.urls().len(),
                PlanItem::TooLarge(t) => panic!("{t}"),
            })
            .collect()
        };
        let b = builder();
        assert_eq!(
            count(b.plan(Operation::FlushUrls, Areas::Both, urls(2500), None)),
            [1000, 1000, 500]
        );
        assert_eq!(
            count(b.plan(Operation::FlushDirs, Areas::Both, urls(41), None)),
            [20, 20, 1]
        );
        assert_eq!(
            count(b.plan(
                Operation::FlushUrls,
                Areas::Both,
                urls(7),
                NonZeroUsize::new(3)
            )),
            [3, 3, 1]
        );
        // GET: 1000 short URLs do not fit 32 KB, so size splits first.
        let get = b.clone().with_method(HttpMethod::Get);
        let sizes = count(get.plan(Operation::FlushUrls, Areas::Both, urls(1000), None));
        assert!(
            sizes.len() > 1 && sizes.iter().sum::<usize>() == 1000,
            "{sizes:?}"
        );
    }

    #[test]
    fn plan_distinct_batches_exactly_like_plan() {
        let mut input = urls(2300);
        input.extend(urls(40));
        let b = builder();
        for batch_size in [None, NonZeroUsize::new(7)] {
            let plain: Vec<PlanItem> = b
                .plan(Operation::FlushUrls, Areas::Both, input.clone(), batch_size)
                .collect();
            let mut distinct_plan = b.plan_distinct(
                Operation::FlushUrls,
                Areas::Both,
                input.iter().cloned().collect(),
                batch_size,
            );
            let distinct: Vec<PlanItem> = distinct_plan.by_ref().collect();
            assert_eq!(plain, distinct);
            assert_eq!(distinct_plan.duplicates_skipped(), 40);
        }
    }

    #[test]
    fn a_url_too_long_for_any_request_is_reported_not_dropped() {
        let long: CdnUrl = format!("https://a.example/{}", "&".repeat(4000))
            .parse()
            .unwrap();
        let b = builder()
            .with_method(HttpMethod::Get)
            .with_extra_param("Padding", "x".repeat(21_000))
            .unwrap();
        let items: Vec<PlanItem> = b
            .plan(
                Operation::FlushUrls,
                Areas::Both,
                [urls(1)[0].clone(), long.clone()],
                None,
            )
            .collect();
        assert!(matches!(&items[0], PlanItem::Batch(batch) if batch.urls().len() == 1));
        assert!(matches!(&items[1], PlanItem::TooLarge(t) if t.url == long));
    }

    /// A borrowed plan is the owning plan, where the wire limit cuts
    /// batches (GET with a long extra parameter) and where it does not.
    #[test]
    fn borrowed_plans_are_the_owning_plans() {
        let mut input: Vec<CdnUrl> = (0..2300)
            .map(|i| {
                format!("https://a.example/{}/{i}", "y".repeat(i % 200))
                    .parse()
                    .unwrap()
            })
            .collect();
        input.insert(
            5,
            format!("https://a.example/{}", "&".repeat(4000))
                .parse()
                .unwrap(),
        );
        let distinct: DistinctUrls = input.iter().cloned().collect();
        let get = builder()
            .with_method(HttpMethod::Get)
            .with_extra_param("Padding", "x".repeat(21_000))
            .unwrap();
        for (b, cut) in [(builder(), false), (get, true)] {
            for operation in [
                Operation::FlushUrls,
                Operation::PushUrls,
                Operation::FlushDirs,
            ] {
                for batch_size in [None, NonZeroUsize::new(7)] {
                    let owned: Vec<PlanItem> = b
                        .plan_distinct(operation, Areas::Both, distinct.clone(), batch_size)
                        .collect();
                    let borrowed: Vec<PlanItem> = b
                        .plan_borrowed(operation, Areas::Both, &distinct, batch_size)
                        .map(|item| match item {
                            Ok(batch) => {
                                // Prepared from the list, it is the request's.
                                let from_list = b.prepare_batch(&batch, 1_700_000_000, Nonce::MIN);
                                let request = batch.request();
                                assert_eq!(
                                    from_list,
                                    b.prepare(&request, 1_700_000_000, Nonce::MIN)
                                );
                                PlanItem::Batch(request)
                            }
                            Err(too_large) => PlanItem::TooLarge(too_large),
                        })
                        .collect();
                    assert_eq!(owned, borrowed, "{operation:?} {batch_size:?}");
                    let too_large = owned
                        .iter()
                        .any(|item| matches!(item, PlanItem::TooLarge(_)));
                    assert_eq!(too_large, cut, "{operation:?} {batch_size:?}");
                }
            }
        }
    }
}
