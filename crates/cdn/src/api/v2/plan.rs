//! API 2.0 batch plans for callers without a client (dry runs): the core's
//! planner, yielding validated [`FlushOrPush`] requests.

use tcdn_model::{Areas, FlushOrPush, Operation};

use crate::core::plan::{Planner, TooLarge};

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
