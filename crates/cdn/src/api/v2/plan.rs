//! API 2.0 batch plans for callers without a client (dry runs): the core's
//! planner, yielding validated [`FlushOrPush`] requests.

use tcdn_model::v2::FlushOrPush;
use tcdn_model::{Areas, CdnUrlList, Operation};

use std::num::NonZeroUsize;

use tcdn_model::CdnUrl;
use tcdn_model::v2::{MAX_GET_REQUEST_TARGET_LEN, MAX_POST_BODY_LEN};
use tcdn_sign::encode::form_value_len;
use tcdn_sign::{HttpMethod, SignatureMethod};

use super::builder::RequestBuilder;
use crate::core::dedupe::DistinctUrls;
use crate::core::plan::{Planner, Shape, TooLarge, UrlRange, plan_next};

/// One item of a [`BatchPlan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanItem {
    /// A request to send.
    Batch(FlushOrPush),
    /// A URL so long that no request holding it fits the wire limit.
    TooLarge(TooLarge),
}

/// A lazy batch plan: an iterator of [`PlanItem`]s, from
/// [`RequestBuilder::plan`](super::RequestBuilder::plan).
///
/// Every distinct input URL appears in exactly one item.
#[derive(Debug)]
pub struct BatchPlan {
    operation: Operation,
    areas: Areas,
    planner: Planner,
}

impl BatchPlan {
    pub(crate) fn new(operation: Operation, areas: Areas, planner: Planner) -> Self {
        Self {
            operation,
            areas,
            planner,
        }
    }

    /// How many duplicate URLs were dropped (each time, the first occurrence
    /// was kept).
    pub fn duplicates_skipped(&self) -> usize {
        self.planner.duplicates()
    }
}

impl Iterator for BatchPlan {
    type Item = PlanItem;

    fn next(&mut self) -> Option<PlanItem> {
        Some(match self.planner.next()? {
            Ok(urls) => PlanItem::Batch(batch(self.operation, self.areas, urls)),
            Err(too_large) => PlanItem::TooLarge(too_large),
        })
    }
}

/// A batch plan over URLs it borrows, from
/// [`RequestBuilder::plan_borrowed`](super::RequestBuilder::plan_borrowed):
/// the same batches as [`BatchPlan`], each a [`PlannedBatch`] whose request
/// is built when asked for, so planning allocates nothing per URL and the
/// requests can be built on other threads.
#[derive(Debug, Clone)]
pub struct BorrowedBatchPlan<'a> {
    operation: Operation,
    areas: Areas,
    shape: Shape,
    urls: &'a CdnUrlList,
    next: usize,
}

impl<'a> BorrowedBatchPlan<'a> {
    pub(crate) fn new(
        operation: Operation,
        areas: Areas,
        shape: Shape,
        urls: &'a CdnUrlList,
    ) -> Self {
        Self {
            operation,
            areas,
            shape,
            urls,
            next: 0,
        }
    }
}

impl<'a> Iterator for BorrowedBatchPlan<'a> {
    type Item = Result<PlannedBatch<'a>, TooLarge>;

    fn next(&mut self) -> Option<Self::Item> {
        let planned = plan_next(&self.shape, self.urls, &mut self.next)?;
        Some(planned.map(|range| PlannedBatch {
            operation: self.operation,
            areas: self.areas,
            urls: UrlRange::new(self.urls, range),
        }))
    }
}

/// One batch of a [`BorrowedBatchPlan`]: its URLs, borrowed, and the request
/// they make.
#[derive(Debug, Clone)]
pub struct PlannedBatch<'a> {
    operation: Operation,
    areas: Areas,
    urls: UrlRange<'a>,
}

impl<'a> PlannedBatch<'a> {
    /// What the batch does.
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// Where.
    pub fn areas(&self) -> Areas {
        self.areas
    }

    /// The batch's URLs.
    pub fn urls(&self) -> &UrlRange<'a> {
        &self.urls
    }

    /// The request: the batch's URLs copied into it.
    pub fn request(&self) -> FlushOrPush {
        batch(self.operation, self.areas, self.urls.to_urls())
    }
}

/// The request of a planned batch: non-empty, within the limit and distinct
/// by construction.
pub(crate) fn batch(operation: Operation, areas: Areas, urls: Vec<CdnUrl>) -> FlushOrPush {
    match FlushOrPush::new(operation, areas, urls) {
        Ok(batch) => batch,
        Err(err) => unreachable!("the planner built an invalid batch: {err}"),
    }
}

impl RequestBuilder {
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
    ) -> BorrowedBatchPlan<'a> {
        let shape = self.shape(operation, areas).with_batch_size(batch_size);
        BorrowedBatchPlan::new(operation, areas, shape, urls.list())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::v2::testing::{builder, urls};
    use crate::credentials::Credentials;
    use crate::nonce::Nonce;

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
