//! API 2.0 batch plans for callers without a client (dry runs): the core's
//! planner, yielding validated [`FlushOrPush`] requests.

use tcdn_model::v2::FlushOrPush;
use tcdn_model::{Areas, CdnUrlList, Operation};

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

impl PlannedBatch<'_> {
    /// What the batch does.
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// Where.
    pub fn areas(&self) -> Areas {
        self.areas
    }

    /// The batch's URLs.
    pub fn urls(&self) -> &UrlRange<'_> {
        &self.urls
    }

    /// The request: the batch's URLs copied into it.
    pub fn request(&self) -> FlushOrPush {
        batch(self.operation, self.areas, self.urls.to_urls())
    }
}

/// The request of a planned batch: non-empty, within the limit and distinct
/// by construction.
pub(crate) fn batch(
    operation: Operation,
    areas: Areas,
    urls: Vec<tcdn_model::CdnUrl>,
) -> FlushOrPush {
    match FlushOrPush::new(operation, areas, urls) {
        Ok(batch) => batch,
        Err(err) => unreachable!("the planner built an invalid batch: {err}"),
    }
}
