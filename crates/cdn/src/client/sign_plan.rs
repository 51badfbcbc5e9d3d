//! Signing without sending, for dry runs: a job's requests in plan order
//! ([`Client::sign_plan`]), each stamped as the plan yields it and signed
//! when asked, on any thread ([`PlannedRequest::sign`]); one API 3.0 query
//! ([`Client::sign_request`]). Every API's request, EdgeOne's included, is
//! a [`SignedRequest`].

use std::fmt;
use std::sync::Arc;

use tcdn_model::CdnUrlList;
use tcdn_model::teo::{CreatePurgeTask, DEFAULT_MAX_TARGETS, PurgeTargets, ZoneId};
use tcdn_model::v3::Request;
use tcdn_sign::HttpMethod;

use super::edgeone_targets::split as split_targets;
use super::{Backends, Client};
use crate::api::teo::Teo;
use crate::api::teo::plan::{self as teo_plan, Kind, ZoneJob};
use crate::api::v2::{self, V2};
use crate::api::v3::{self, RequestError, V3};
use crate::core::dedupe::DistinctUrls;
use crate::core::plan::{Shape, TooLarge, UrlRange, plan_next};
use crate::error::{ClientError, ClientErrorKind};
use crate::job::{Api, Job};
use crate::nonce::Nonce;

impl Client {
    /// The requests a submission of `job` over `urls` sends, in the order
    /// it plans them, under the client's API, method, signing, endpoint and
    /// batch size, with nothing sent. Each item is a [`PlannedRequest`],
    /// stamped from the client's clock and nonce source as the iterator
    /// yields it (so the stamps follow plan order), or a URL too long for
    /// any request. Every URL of `urls` is in exactly one item. The
    /// directories of an API 3.0 job are planned with its own per-call
    /// batch (100 unless [`Job::path_batch`] says otherwise). An EdgeOne
    /// job's calls all go to its zone ([`Job::zone`]), with at most
    /// [`DEFAULT_MAX_TARGETS`] targets
    /// each (or the batch size): a submission reads the zone's quota for
    /// its `Batch` first, which a plan that sends nothing cannot.
    ///
    /// ```
    /// use tcdn::{Client, Credentials, Job, Operation, plan::DistinctUrls};
    ///
    /// let client = Client::builder(Credentials::new("AKIDexample", "secret")?).build_offline()?;
    /// let urls: DistinctUrls = (0..1200).map(|i| format!("https://a.example/{i}.js").parse()).collect::<Result<_, _>>()?;
    /// let job = Job::new(Operation::PushUrls);
    /// let mut counts = Vec::new();
    /// for planned in client.sign_plan(&job, &urls)? {
    ///     let signed = planned?.sign()?;
    ///     counts.push(signed.urls().count());
    /// }
    /// assert_eq!(counts, [500, 500, 200]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// A [`ClientErrorKind::InvalidConfig`] error for a job API 2.0 cannot
    /// do (no area, API 3.0's options), or an EdgeOne job without a zone
    /// (finding each URL's zone takes a call) or with options EdgeOne
    /// lacks.
    pub fn sign_plan<'a>(
        &'a self,
        job: &'a Job,
        urls: &'a DistinctUrls,
    ) -> Result<SignedPlan<'a>, ClientError> {
        let batch_size = self.core.batch_size;
        let calls = match &self.backend {
            Backends::V2(v2) => {
                let (Some(areas), None) = (job.areas_given(), job.v2_problem()) else {
                    let why = job.v2_problem().unwrap_or_default();
                    return Err(ClientError::new(
                        ClientErrorKind::InvalidConfig,
                        why.to_owned(),
                    ));
                };
                let plan = v2
                    .requests
                    .plan_borrowed(job.operation(), areas, urls, batch_size);
                Calls::V2(v2, plan)
            }
            Backends::V3(v3) => Calls::V3(v3, v3.requests.plan_borrowed(job, urls, batch_size)),
            Backends::EdgeOne(teo) => {
                let invalid =
                    |why: &str| ClientError::new(ClientErrorKind::InvalidConfig, why.to_owned());
                if let Some(why) = job.edgeone_problem() {
                    return Err(invalid(why));
                }
                let Some(zone_id) = job.zone_given() else {
                    return Err(invalid(
                        "an EdgeOne plan needs the job's zone (Job::zone): finding each \
                         URL's zone takes a call (DescribeZones)",
                    ));
                };
                let job = ZoneJob {
                    zone_id: zone_id.clone(),
                    kind: Kind::of(job),
                    limit: DEFAULT_MAX_TARGETS,
                };
                Calls::EdgeOne {
                    teo,
                    shape: teo_plan::shape(&job).with_batch_size(batch_size),
                    job: Arc::new(job),
                    urls: urls.list(),
                    next: 0,
                }
            }
        };
        Ok(SignedPlan {
            client: self,
            calls,
        })
    }

    /// API 3.0 `request` (a query, say) signed as the client would send it,
    /// stamped from its clock and nonce source; `None` under API 2.0.
    ///
    /// # Errors
    /// The [`RequestError`] of [`v3::RequestBuilder::prepare`].
    pub fn sign_request(
        &self,
        request: &Request,
    ) -> Option<Result<SignedRequest<'static>, RequestError>> {
        let Backends::V3(v3) = &self.backend else {
            return None;
        };
        let (timestamp, nonce) = self.stamp();
        Some(
            v3.requests
                .prepare(request, timestamp, nonce)
                .map(|prepared| SignedRequest {
                    prepared: Prepared::V3(prepared),
                    urls: None,
                }),
        )
    }

    /// EdgeOne `request` signed as the client would send it, stamped from
    /// its clock; `None` for a client of the CDN.
    ///
    /// # Errors
    /// The [`RequestError`] of
    /// [`edgeone::RequestBuilder::prepare`](crate::edgeone::RequestBuilder::prepare).
    pub fn sign_edgeone_request(
        &self,
        request: &tcdn_model::teo::Request,
    ) -> Option<Result<SignedRequest<'static>, RequestError>> {
        let Backends::EdgeOne(teo) = &self.backend else {
            return None;
        };
        Some(self.sign_teo(teo, request))
    }

    /// The `CreatePurgeTask` calls of a purge of hosts, cache tags or a
    /// whole zone, all in `zone`, in the order
    /// [`purge_edgeone_targets`](Self::purge_edgeone_targets) sends them,
    /// each signed and stamped as the iterator yields it; nothing is sent.
    /// The calls carry at most [`DEFAULT_MAX_TARGETS`] targets each, or
    /// the builder's [`batch_size`](crate::ClientBuilder::batch_size) when
    /// smaller: a purge reads the zone quota's `Batch` first, which a plan
    /// that sends nothing cannot. `purge_all` is one call.
    ///
    /// ```
    /// use tcdn::{Client, Credentials, Product};
    /// use tcdn::model::teo::{Hostname, Method, PurgeTargets, ZoneId};
    ///
    /// let client = Client::builder(Credentials::new("AKIDexample", "secret")?)
    ///     .product(Product::EdgeOne)
    ///     .build_offline()?;
    /// let hosts = (0..1500).map(|i| Hostname::new(&format!("h{i}.example.com"))).collect::<Result<_, _>>()?;
    /// let targets = PurgeTargets::Hosts(hosts, Method::Invalidate);
    /// let mut counts = Vec::new();
    /// for signed in client.sign_targets_plan(&ZoneId::new("zone-1")?, targets)? {
    ///     counts.push(signed?.body().unwrap().matches(".example.com").count());
    /// }
    /// assert_eq!(counts, [1000, 500]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// A [`ClientErrorKind::InvalidConfig`] error for a client of the CDN,
    /// or for URLs or prefixes (planned by [`sign_plan`](Self::sign_plan)).
    /// No hosts or tags make no call.
    pub fn sign_targets_plan(
        &self,
        zone: &ZoneId,
        targets: PurgeTargets,
    ) -> Result<impl Iterator<Item = Result<SignedRequest<'static>, RequestError>> + '_, ClientError>
    {
        let invalid = |why: String| ClientError::new(ClientErrorKind::InvalidConfig, why);
        let Backends::EdgeOne(teo) = &self.backend else {
            return Err(invalid(
                "this client calls Tencent Cloud CDN, not EdgeOne".to_owned(),
            ));
        };
        if let PurgeTargets::Urls(_) | PurgeTargets::Prefixes(..) = targets {
            return Err(invalid(
                "URLs and prefixes are planned with Client::sign_plan".to_owned(),
            ));
        }
        let limit = DEFAULT_MAX_TARGETS.min(self.core.batch_size.map_or(usize::MAX, |n| n.get()));
        let requests = split_targets(targets, limit)
            .into_iter()
            .map(|chunk| {
                CreatePurgeTask::with_limit(zone.clone(), chunk, usize::MAX)
                    .map(tcdn_model::teo::Request::from)
                    .map_err(|error| invalid(format!("not a valid call: {error}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(requests
            .into_iter()
            .map(move |request| self.sign_teo(teo, &request)))
    }

    /// EdgeOne `request` signed by `teo`, stamped now.
    fn sign_teo(
        &self,
        teo: &Teo,
        request: &tcdn_model::teo::Request,
    ) -> Result<SignedRequest<'static>, RequestError> {
        let (timestamp, _) = self.stamp();
        teo.requests
            .prepare(request, timestamp)
            .map(|prepared| SignedRequest {
                prepared: Prepared::V3(prepared),
                urls: None,
            })
    }

    /// The timestamp and nonce of the next request signed.
    fn stamp(&self) -> (u64, Nonce) {
        let timestamp = self.core.clock.unix_seconds();
        (timestamp, self.core.nonces.next_nonce())
    }
}

/// The requests of a job, in plan order, from [`Client::sign_plan`].
pub struct SignedPlan<'a> {
    client: &'a Client,
    calls: Calls<'a>,
}

/// A plan of the client's API, with its backend.
enum Calls<'a> {
    V2(&'a V2, v2::BorrowedBatchPlan<'a>),
    V3(&'a V3, v3::BorrowedPlan<'a>),
    /// One zone's calls: the planner's ranges of `urls`, from `next` on.
    EdgeOne {
        teo: &'a Teo,
        job: Arc<ZoneJob>,
        shape: Shape,
        urls: &'a CdnUrlList,
        next: usize,
    },
}

impl fmt::Debug for SignedPlan<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let api = match self.calls {
            Calls::V2(..) => Api::V2,
            Calls::V3(..) | Calls::EdgeOne { .. } => Api::V3,
        };
        f.debug_struct("SignedPlan")
            .field("api", &api)
            .finish_non_exhaustive()
    }
}

impl<'a> Iterator for SignedPlan<'a> {
    type Item = Result<PlannedRequest<'a>, TooLarge>;

    fn next(&mut self) -> Option<Self::Item> {
        let call = match &mut self.calls {
            Calls::V2(v2, plan) => plan.next()?.map(|batch| Call::V2(v2, batch)),
            Calls::V3(v3, plan) => plan.next()?.map(|call| Call::V3(v3, call)),
            Calls::EdgeOne {
                teo,
                job,
                shape,
                urls,
                next,
            } => plan_next(shape, urls, next)?
                .map(|range| Call::EdgeOne(teo, job.clone(), UrlRange::new(urls, range))),
        };
        Some(call.map(|call| {
            let (timestamp, nonce) = self.client.stamp();
            PlannedRequest {
                call,
                timestamp,
                nonce,
            }
        }))
    }
}

/// One request of a [`SignedPlan`]: its URLs, borrowed, and its stamp;
/// [`sign`](Self::sign) makes the request, on any thread.
#[derive(Clone)]
pub struct PlannedRequest<'a> {
    call: Call<'a>,
    timestamp: u64,
    nonce: Nonce,
}

/// A planned call of the client's API, with its backend.
#[derive(Clone)]
enum Call<'a> {
    V2(&'a V2, v2::PlannedBatch<'a>),
    V3(&'a V3, v3::PlannedCall<'a>),
    EdgeOne(&'a Teo, Arc<ZoneJob>, UrlRange<'a>),
}

impl fmt::Debug for PlannedRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlannedRequest")
            .field("urls", &self.urls().len())
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .finish()
    }
}

impl<'a> PlannedRequest<'a> {
    /// The URLs (or directories) the request carries.
    pub fn urls(&self) -> &UrlRange<'a> {
        match &self.call {
            Call::V2(_, batch) => batch.urls(),
            Call::V3(_, call) => call.urls(),
            Call::EdgeOne(_, _, urls) => urls,
        }
    }

    /// The timestamp (Unix seconds) it is signed with.
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// The nonce it is signed with.
    pub fn nonce(&self) -> Nonce {
        self.nonce
    }

    /// The request, signed.
    ///
    /// # Errors
    /// Under API 3.0 and EdgeOne, the [`RequestError`] of
    /// [`v3::RequestBuilder::prepare_call`]; an API 2.0 request always
    /// signs.
    pub fn sign(&self) -> Result<SignedRequest<'a>, RequestError> {
        let prepared = match &self.call {
            Call::V2(v2, batch) => {
                Prepared::V2(v2.requests.prepare_batch(batch, self.timestamp, self.nonce))
            }
            Call::V3(v3, call) => {
                Prepared::V3(v3.requests.prepare_call(call, self.timestamp, self.nonce)?)
            }
            Call::EdgeOne(teo, job, urls) => {
                let request = teo_plan::batch(job, urls.to_urls());
                Prepared::V3(teo.requests.prepare(&request, self.timestamp)?)
            }
        };
        Ok(SignedRequest {
            prepared,
            urls: Some(self.urls().clone()),
        })
    }
}

/// A signed request of either API, as the client would send it: method,
/// URL, headers, body, and the URLs it carries.
///
/// `Display` is the request as text with the session token redacted (the
/// signature is shown: it is valid for this one request only and reveals
/// nothing of the key); `Debug` shows neither. Neither ever held the
/// secret key.
#[derive(Clone)]
pub struct SignedRequest<'a> {
    prepared: Prepared,
    /// `None` for a query, which carries no URL.
    urls: Option<UrlRange<'a>>,
}

/// A signed request of the client's API.
#[derive(Debug, Clone)]
enum Prepared {
    V2(v2::PreparedRequest),
    V3(v3::PreparedRequest),
}

impl SignedRequest<'_> {
    /// The API it is a request of.
    pub fn api(&self) -> Api {
        match self.prepared {
            Prepared::V2(_) => Api::V2,
            Prepared::V3(_) => Api::V3,
        }
    }

    /// `GET` or `POST`.
    pub fn method(&self) -> HttpMethod {
        match &self.prepared {
            Prepared::V2(request) => request.method(),
            Prepared::V3(request) => request.method(),
        }
    }

    /// The URL (with the whole signed query, for a GET).
    pub fn url(&self) -> &str {
        match &self.prepared {
            Prepared::V2(request) => request.url(),
            Prepared::V3(request) => request.url(),
        }
    }

    /// The headers API 3.0 signs and sends, by name, in the order sent.
    /// None under API 2.0: its signature is in the form, and the transport
    /// adds only `Host` and, for a POST, the form's `Content-Type`.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let headers = match &self.prepared {
            Prepared::V2(_) => None,
            Prepared::V3(request) => Some(request.headers()),
        };
        headers.into_iter().flatten()
    }

    /// The body (POST), or `None` (GET).
    pub fn body(&self) -> Option<&str> {
        match &self.prepared {
            Prepared::V2(request) => request.body(),
            Prepared::V3(request) => request.body(),
        }
    }

    /// The URLs (or directories) it carries, in order; none for a query.
    pub fn urls(&self) -> impl Iterator<Item = &str> {
        self.urls.iter().flat_map(UrlRange::iter)
    }
}

impl fmt::Display for SignedRequest<'_> {
    /// API 2.0: `GET <url>`, or `POST <url>` and the body on a second line.
    /// API 3.0: the request line, the headers, and after a blank line the
    /// body, each line ending in a newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.prepared {
            Prepared::V2(request) => write!(f, "{}", request.redacted_display()),
            Prepared::V3(request) => f.write_str(&request.redacted_display()),
        }
    }
}

impl fmt::Debug for SignedRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let request: &dyn fmt::Debug = match &self.prepared {
            Prepared::V2(request) => request,
            Prepared::V3(request) => request,
        };
        f.debug_struct("SignedRequest")
            .field("request", request)
            .field("urls", &self.urls.as_ref().map_or(0, UrlRange::len))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tcdn_model::{Areas, Operation};

    use super::*;
    use crate::clock::Clock;
    use crate::credentials::Credentials;
    use crate::nonce::SequentialNonces;

    const KEY: &str = "the-secret-key-never-shown";
    const TOKEN: &str = "the-session-token-never-shown";

    /// A clock that stays at one second.
    #[derive(Debug)]
    struct Still;

    impl Clock for Still {
        fn unix_seconds(&self) -> u64 {
            1_700_000_000
        }
        fn monotonic(&self) -> std::time::Duration {
            std::time::Duration::ZERO
        }
    }

    fn client(api: Api, method: HttpMethod) -> Client {
        let credentials = Credentials::new("AKIDexample", KEY)
            .unwrap()
            .with_token(TOKEN);
        Client::builder(credentials)
            .api(api)
            .method(method)
            .clock(Arc::new(Still))
            .nonce_source(Arc::new(SequentialNonces::new(Nonce::MIN)))
            .build_offline()
            .unwrap()
    }

    fn urls(count: usize) -> DistinctUrls {
        (0..count)
            .map(|i| format!("https://a.example/{i}.css").parse().unwrap())
            .collect()
    }

    /// Signs every request of `job`, checking that the stamps follow plan
    /// order and that the requests carry every URL once, in order, `counts`
    /// of them each; gives back the requests.
    fn signed<'a>(
        client: &'a Client,
        job: &'a Job,
        urls: &'a DistinctUrls,
        counts: &[usize],
    ) -> Vec<SignedRequest<'a>> {
        let planned: Vec<PlannedRequest<'a>> = client
            .sign_plan(job, urls)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let nonces: Vec<u32> = planned.iter().map(|p| p.nonce().get()).collect();
        let expected: Vec<u32> = (1..=planned.len() as u32).collect();
        assert_eq!(nonces, expected, "stamped in plan order");
        // Signed out of order, as workers may: each keeps its own stamp.
        let mut signed: Vec<(usize, SignedRequest<'a>)> = planned
            .iter()
            .enumerate()
            .rev()
            .map(|(at, p)| (at, p.sign().unwrap()))
            .collect();
        signed.reverse();
        let requests: Vec<SignedRequest<'a>> = signed.into_iter().map(|(_, s)| s).collect();
        let carried: Vec<&str> = requests.iter().flat_map(SignedRequest::urls).collect();
        let given: Vec<String> = urls.list().urls().map(|u| u.to_string()).collect();
        assert_eq!(carried, given);
        let each: Vec<usize> = requests.iter().map(|r| r.urls().count()).collect();
        assert_eq!(each, counts);
        requests
    }

    #[test]
    fn api_3_requests_come_in_plan_order_with_every_url_once() {
        let client = client(Api::V3, HttpMethod::Post);
        let urls = urls(1201);
        let job = Job::new(Operation::FlushUrls);
        let requests = signed(&client, &job, &urls, &[1000, 201]);
        // What the client's own builder signs with the same stamps.
        let Backends::V3(v3) = &client.backend else {
            panic!("not API 3.0")
        };
        let plan = v3.requests.plan_borrowed(&job, &urls, None);
        for ((call, request), nonce) in plan.zip(&requests).zip(1..) {
            let expected = v3
                .requests
                .prepare_call(&call.unwrap(), 1_700_000_000, Nonce::new(nonce).unwrap())
                .unwrap();
            assert_eq!(request.api(), Api::V3);
            assert_eq!(request.url(), expected.url());
            assert_eq!(request.body(), expected.body());
            assert!(request.headers().eq(expected.headers()));
            for url in request.urls() {
                assert!(request.body().unwrap().contains(url));
            }
        }
    }

    #[test]
    fn api_2_requests_come_in_plan_order_with_every_url_once() {
        let client = client(Api::V2, HttpMethod::Get);
        let urls = urls(45);
        let job = Job::new(Operation::PushUrls).areas(Areas::Mainland);
        let requests = signed(&client, &job, &urls, &[20, 20, 5]);
        let Backends::V2(v2) = &client.backend else {
            panic!("not API 2.0")
        };
        let plan = v2
            .requests
            .plan_borrowed(Operation::PushUrls, Areas::Mainland, &urls, None);
        for ((batch, request), nonce) in plan.zip(&requests).zip(1..) {
            let expected = v2.requests.prepare_batch(
                &batch.unwrap(),
                1_700_000_000,
                Nonce::new(nonce).unwrap(),
            );
            assert_eq!(request.api(), Api::V2);
            assert_eq!(request.method(), HttpMethod::Get);
            assert_eq!(request.url(), expected.url());
            assert_eq!(request.body(), None);
            assert_eq!(request.headers().count(), 0);
        }
    }

    #[test]
    fn a_job_api_2_cannot_do_is_refused_before_any_request() {
        let client = client(Api::V2, HttpMethod::Post);
        let urls = urls(3);
        let error = client
            .sign_plan(&Job::new(Operation::FlushUrls), &urls)
            .unwrap_err();
        assert_eq!(error.kind(), ClientErrorKind::InvalidConfig);
        assert!(error.to_string().contains("area"), "{error}");
    }

    #[test]
    fn secrets_are_redacted_in_display_and_debug() {
        let urls = urls(2);
        for (api, method) in [
            (Api::V2, HttpMethod::Get),
            (Api::V2, HttpMethod::Post),
            (Api::V3, HttpMethod::Get),
            (Api::V3, HttpMethod::Post),
        ] {
            let client = client(api, method);
            let job = Job::new(Operation::FlushUrls).areas(Areas::Both);
            let mut plan = client.sign_plan(&job, &urls).unwrap();
            let planned = plan.next().unwrap().unwrap();
            let request = planned.sign().unwrap();
            let shown = request.to_string();
            let debug = format!("{request:?} {planned:?} {plan:?}");
            assert!(shown.contains("<redacted>"), "{api:?} {method:?}: {shown}");
            for text in [&shown, &debug] {
                assert!(!text.contains(TOKEN), "{api:?} {method:?}: {text}");
                assert!(!text.contains(KEY), "{api:?} {method:?}: {text}");
            }
            // The token is sent: only its display is redacted.
            let sent = format!(
                "{} {:?} {:?}",
                request.url(),
                request.body(),
                request.headers().collect::<Vec<_>>()
            );
            assert!(sent.contains(TOKEN), "{api:?} {method:?}: {sent}");
        }
    }

    #[test]
    fn a_query_is_signed_under_api_3_only() {
        let request = Request::from(tcdn_model::v3::DescribePurgeQuota);
        let v3 = client(Api::V3, HttpMethod::Post);
        let signed = v3.sign_request(&request).unwrap().unwrap();
        assert_eq!(signed.urls().count(), 0);
        assert_eq!(
            signed
                .headers()
                .find(|(name, _)| *name == "X-TC-Action")
                .map(|(_, v)| v),
            Some("DescribePurgeQuota")
        );
        assert!(
            client(Api::V2, HttpMethod::Post)
                .sign_request(&request)
                .is_none()
        );
    }

    fn edgeone_client(batch_size: Option<usize>) -> Client {
        let credentials = Credentials::new("AKIDexample", KEY)
            .unwrap()
            .with_token(TOKEN);
        Client::builder(credentials)
            .product(crate::job::Product::EdgeOne)
            .batch_size(batch_size.and_then(std::num::NonZeroUsize::new))
            .clock(Arc::new(Still))
            .nonce_source(Arc::new(SequentialNonces::new(Nonce::MIN)))
            .build_offline()
            .unwrap()
    }

    fn zone() -> ZoneId {
        ZoneId::new("zone-2noz78a8ev6k").unwrap()
    }

    /// The JSON bodies of `requests`, each checked to be the EdgeOne call
    /// its URLs make, signed as the client's builder signs it.
    fn edgeone_bodies(client: &Client, requests: &[SignedRequest<'_>]) -> Vec<String> {
        let Backends::EdgeOne(teo) = &client.backend else {
            panic!("not EdgeOne")
        };
        requests
            .iter()
            .map(|request| {
                let body = request.body().unwrap().to_owned();
                let action = request.headers().find(|(name, _)| *name == "X-TC-Action");
                let expected = if body.contains("\"Type\"") {
                    "CreatePurgeTask"
                } else {
                    "CreatePrefetchTask"
                };
                assert_eq!(action, Some(("X-TC-Action", expected)), "{body}");
                let again = teo
                    .requests
                    .prepare(&parse_teo(&body), 1_700_000_000)
                    .unwrap();
                assert_eq!(request.url(), again.url());
                assert!(request.headers().eq(again.headers()), "{body}");
                assert_eq!(request.api(), Api::V3);
                assert_eq!(request.method(), HttpMethod::Post);
                body
            })
            .collect()
    }

    /// The EdgeOne request whose JSON body is `body` (a purge or prefetch
    /// of URLs), rebuilt through the model's own constructors.
    fn parse_teo(body: &str) -> tcdn_model::teo::Request {
        let value: serde_json::Value = serde_json::from_str(body).unwrap();
        let zone = ZoneId::new(value["ZoneId"].as_str().unwrap()).unwrap();
        let urls: Vec<tcdn_model::CdnUrl> = value["Targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u.as_str().unwrap().parse().unwrap())
            .collect();
        let method = |v: &serde_json::Value| match v.as_str() {
            Some("delete") => tcdn_model::teo::Method::Delete,
            _ => tcdn_model::teo::Method::Invalidate,
        };
        match value["Type"].as_str() {
            Some("purge_url") => {
                CreatePurgeTask::with_limit(zone, PurgeTargets::Urls(urls), usize::MAX)
                    .unwrap()
                    .into()
            }
            Some("purge_prefix") => CreatePurgeTask::with_limit(
                zone,
                PurgeTargets::Prefixes(urls, method(&value["Method"])),
                usize::MAX,
            )
            .unwrap()
            .into(),
            _ => {
                let headers = value["Headers"]
                    .as_array()
                    .map(|list| {
                        list.iter()
                            .map(|h| {
                                tcdn_model::v3::HttpHeader::new(
                                    h["Name"].as_str().unwrap(),
                                    h["Value"].as_str().unwrap(),
                                )
                                .unwrap()
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let options = tcdn_model::teo::PrefetchOptions {
                    headers,
                    media_segments: value["PrefetchMediaSegments"] == "on",
                };
                tcdn_model::teo::CreatePrefetchTask::with_limit(zone, urls, options, usize::MAX)
                    .unwrap()
                    .into()
            }
        }
    }

    #[test]
    fn edgeone_requests_come_in_plan_order_in_the_jobs_zone_for_each_kind() {
        let urls = urls(2500);
        let header = tcdn_model::v3::HttpHeader::new("X-Warm", "1").unwrap();
        let push = tcdn_model::v3::PushOptions {
            parse_m3u8: true,
            headers: tcdn_model::v3::Headers::new(vec![header]).unwrap(),
            ..Default::default()
        };
        let jobs = [
            (
                Job::new(Operation::FlushUrls),
                r#""Type":"purge_url","Targets""#,
            ),
            (
                Job::new(Operation::FlushDirs).flush_type(tcdn_model::v3::FlushType::Delete),
                r#""Type":"purge_prefix","Method":"delete","Targets""#,
            ),
            (
                Job::new(Operation::FlushDirs),
                r#""Type":"purge_prefix","Method":"invalidate","Targets""#,
            ),
            (
                Job::new(Operation::PushUrls).push_options(push),
                r#""Headers":[{"Name":"X-Warm","Value":"1"}],"PrefetchMediaSegments":"on"}"#,
            ),
        ];
        for (job, shape) in jobs {
            let client = edgeone_client(None);
            let job = job.zone(zone());
            let requests = signed(&client, &job, &urls, &[1000, 1000, 500]);
            for body in edgeone_bodies(&client, &requests) {
                assert!(
                    body.starts_with(r#"{"ZoneId":"zone-2noz78a8ev6k","#),
                    "{body}"
                );
                assert!(body.contains(shape), "{shape}: {body}");
            }
        }
    }

    #[test]
    fn an_edgeone_plan_takes_the_batch_size_of_the_send_path() {
        let client = edgeone_client(Some(7));
        let urls = urls(16);
        let job = Job::new(Operation::FlushUrls).zone(zone());
        let requests = signed(&client, &job, &urls, &[7, 7, 2]);
        let bodies = edgeone_bodies(&client, &requests);
        assert_eq!(
            bodies[2],
            r#"{"ZoneId":"zone-2noz78a8ev6k","Type":"purge_url","Targets":["https://a.example/14.css","https://a.example/15.css"]}"#
        );
    }

    #[test]
    fn an_edgeone_job_without_its_zone_or_with_what_edgeone_lacks_is_refused() {
        let client = edgeone_client(None);
        let urls = urls(3);
        let error = client
            .sign_plan(&Job::new(Operation::FlushUrls), &urls)
            .unwrap_err();
        assert_eq!(error.kind(), ClientErrorKind::InvalidConfig);
        assert!(error.to_string().contains("Job::zone"), "{error}");
        let job = Job::new(Operation::FlushUrls)
            .zone(zone())
            .areas(Areas::Mainland);
        let error = client.sign_plan(&job, &urls).unwrap_err();
        assert_eq!(error.kind(), ClientErrorKind::InvalidConfig);
        assert!(error.to_string().contains("areas"), "{error}");
    }

    #[test]
    fn edgeone_targets_are_signed_in_calls_of_the_default_batch() {
        use tcdn_model::teo::{CacheTag, Hostname, Method};
        let client = edgeone_client(None);
        let signed = |targets: PurgeTargets| -> Vec<SignedRequest<'static>> {
            client
                .sign_targets_plan(&zone(), targets)
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        let hosts: Vec<Hostname> = (0..1500)
            .map(|i| Hostname::new(&format!("h{i}.example.com")).unwrap())
            .collect();
        let requests = signed(PurgeTargets::Hosts(hosts, Method::Delete));
        let counts: Vec<usize> = requests
            .iter()
            .map(|r| r.body().unwrap().matches(".example.com\"").count())
            .collect();
        assert_eq!(counts, [1000, 500]);
        assert!(requests[1].body().unwrap().starts_with(
            r#"{"ZoneId":"zone-2noz78a8ev6k","Type":"purge_host","Method":"delete","Targets":["h1000.example.com","#
        ));
        let tags = vec![CacheTag::new("release-42").unwrap()];
        let requests = signed(PurgeTargets::CacheTags {
            tags,
            domains: Vec::new(),
        });
        let bodies: Vec<_> = requests.iter().map(|r| r.body().unwrap()).collect();
        assert_eq!(
            bodies,
            [r#"{"ZoneId":"zone-2noz78a8ev6k","Type":"purge_cache_tag","Targets":["release-42"]}"#]
        );
        let requests = signed(PurgeTargets::All(Method::Invalidate));
        let bodies: Vec<_> = requests.iter().map(|r| r.body().unwrap()).collect();
        assert_eq!(
            bodies,
            [r#"{"ZoneId":"zone-2noz78a8ev6k","Type":"purge_all","Method":"invalidate"}"#]
        );
        let shown = requests[0].to_string();
        assert!(shown.contains("X-TC-Action: CreatePurgeTask"), "{shown}");
        assert!(shown.contains("/teo/tc3_request"), "{shown}");
        assert!(!shown.contains(TOKEN) && !shown.contains(KEY), "{shown}");
    }

    #[test]
    fn targets_a_purge_of_targets_cannot_carry_are_refused() {
        let urls = vec!["https://a.example/x".parse().unwrap()];
        let refused = [
            (edgeone_client(None), PurgeTargets::Urls(urls), "sign_plan"),
            (
                client(Api::V3, HttpMethod::Post),
                PurgeTargets::All(tcdn_model::teo::Method::Invalidate),
                "not EdgeOne",
            ),
        ];
        for (client, targets, named) in refused {
            let Err(error) = client.sign_targets_plan(&zone(), targets) else {
                panic!("{named}: signed")
            };
            assert_eq!(error.kind(), ClientErrorKind::InvalidConfig);
            assert!(error.to_string().contains(named), "{error}");
        }
        // No target, no call: as a purge of none sends none.
        let none = PurgeTargets::Hosts(Vec::new(), tcdn_model::teo::Method::Invalidate);
        let client = edgeone_client(None);
        assert_eq!(client.sign_targets_plan(&zone(), none).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn an_offline_client_sends_nothing() {
        let credentials = Credentials::new("AKIDexample", KEY).unwrap();
        let client = Client::builder(credentials)
            .retry_policy(crate::core::retry::RetryPolicy::default().with_retries(0))
            .build_offline()
            .unwrap();
        let request = tcdn_model::v2::FlushOrPush::new(
            Operation::FlushUrls,
            Areas::Both,
            vec!["https://a.example/x".parse().unwrap()],
        )
        .unwrap();
        let error = client.call(&request).await.unwrap_err();
        assert!(error.to_string().contains("offline"), "{error}");
    }
}
