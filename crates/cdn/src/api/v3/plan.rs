//! Planning API 3.0 calls: how a job's URLs are laid out and limited on a
//! builder's wire ([`RequestBuilder::plan`], [`RequestBuilder::plan_borrowed`])
//! and the calls a plan yields ([`Plan`], [`BorrowedPlan`], [`PlannedCall`]).

use std::num::NonZeroUsize;

use tcdn_model::v3::{self, PurgePaths, PurgeUrls, PushUrls, Request, VERSION};
use tcdn_model::{CdnUrl, CdnUrlList, Operation};
use tcdn_sign::{HttpMethod, SignatureMethod};

use super::builder::{RequestBuilder, Signing};
use crate::core::dedupe::DistinctUrls;
use crate::core::plan::{Planner, Shape, TooLarge, UrlRange, plan_next};
use crate::job::{Api, Job};

impl RequestBuilder {
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
            limit: job.max_per_call(Api::V3),
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
    pub(super) job: &'a Job,
    pub(super) urls: UrlRange<'a>,
}

impl<'a> PlannedCall<'a> {
    /// The call's URLs (or directories).
    pub fn urls(&self) -> &UrlRange<'a> {
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
    let limit = job.max_per_call(Api::V3);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::v3::testing::credentials;
    use crate::nonce::Nonce;

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
