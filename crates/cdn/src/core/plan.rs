//! Planning: the one batch planner of the workspace. It packs distinct URLs,
//! in order, into batches within a count limit and a byte budget; what a URL
//! costs in bytes is the API's business (a [`Shape`] from the backend).

use std::fmt;
use std::num::NonZeroUsize;

use tcdn_model::{CdnUrl, CdnUrlList};

use crate::core::dedupe::DistinctUrls;

/// How one API lays URLs out on the wire for one kind of call: at most
/// `limit` URLs, and `fixed` bytes plus each URL's `url_len` within
/// `budget` bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    /// The most URLs in one call (the action's limit, or a smaller batch
    /// size).
    pub limit: usize,
    /// The most bytes the counted part of a request may take.
    pub budget: usize,
    /// The bytes of the counted part without any URL.
    pub fixed: usize,
    /// The bytes the URL adds at a (0-based) position in its batch.
    pub url_len: fn(usize, &CdnUrl) -> usize,
}

impl Shape {
    /// The limit, cut to `batch_size` when one is given.
    pub(crate) fn with_batch_size(mut self, batch_size: Option<NonZeroUsize>) -> Self {
        if let Some(size) = batch_size {
            self.limit = self.limit.min(size.get());
        }
        self
    }
}

/// A URL that cannot be sent: alone, its request exceeds the size limit.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLarge {
    /// The URL.
    pub url: CdnUrl,
    /// The bytes the counted part of the request takes with this URL alone.
    pub size: usize,
    /// The most bytes that part may take under the method's size limit.
    pub budget: usize,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the URL alone makes the request's parameters {} bytes, over the {} bytes that fit \
             the method's size limit",
            self.size, self.budget
        )
    }
}

/// The planner: a lazy iterator of batches (`Ok`, each non-empty, in input
/// order) and unsendable URLs (`Err`). Every URL comes out exactly once.
///
/// It walks the distinct URLs' list by position and copies each batch's
/// URLs out of it as the batch is planned, so only the batches in use
/// hold `CdnUrl`s of their own; the list is freed with the planner.
#[derive(Debug)]
pub(crate) struct Planner {
    shape: Shape,
    urls: CdnUrlList,
    /// The position in `urls` of the next URL to plan.
    next: usize,
    /// A URL taken from `urls` that did not fit the last batch.
    pending: Option<CdnUrl>,
    duplicates: usize,
}

impl Planner {
    /// Plans `urls` (already distinct) into batches of `shape`.
    pub(crate) fn new(shape: Shape, urls: DistinctUrls) -> Self {
        Self {
            shape,
            duplicates: urls.duplicates(),
            urls: urls.into_list(),
            next: 0,
            pending: None,
        }
    }

    /// The repeats the input dropped (the first of each was kept).
    pub(crate) fn duplicates(&self) -> usize {
        self.duplicates
    }

    /// The next URL to plan, if any is left.
    fn take(&mut self) -> Option<CdnUrl> {
        self.pending.take().or_else(|| {
            let url = self.urls.url(self.next)?;
            self.next += 1;
            Some(url)
        })
    }
}

impl Iterator for Planner {
    type Item = Result<Vec<CdnUrl>, TooLarge>;

    fn next(&mut self) -> Option<Self::Item> {
        let Shape {
            limit,
            budget,
            fixed,
            url_len,
        } = self.shape;
        let mut current: Vec<CdnUrl> = Vec::new();
        let mut current_len = fixed;
        while current.len() < limit {
            let Some(url) = self.take() else {
                break;
            };
            let added = url_len(current.len(), &url);
            if current_len + added <= budget {
                current_len += added;
                current.push(url);
            } else if current.is_empty() {
                return Some(Err(TooLarge {
                    size: current_len + added,
                    budget,
                    url,
                }));
            } else {
                self.pending = Some(url);
                break;
            }
        }
        (!current.is_empty()).then_some(Ok(current))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn urls(n: usize) -> Vec<CdnUrl> {
        (0..n)
            .map(|i| format!("https://a.example/{i:04}").parse().unwrap())
            .collect()
    }

    /// A wire form where a URL costs its length plus one separator byte.
    fn shape(limit: usize, budget: usize) -> Shape {
        Shape {
            limit,
            budget,
            fixed: 10,
            url_len: |_, url| url.as_str().len() + 1,
        }
    }

    fn sizes(planner: Planner) -> Vec<usize> {
        planner.map(|batch| batch.unwrap().len()).collect()
    }

    #[test]
    fn splits_by_count_then_by_size_and_keeps_order() {
        let input = urls(2500);
        let by_count = Planner::new(shape(1000, usize::MAX), input.iter().cloned().collect());
        assert_eq!(sizes(by_count), [1000, 1000, 500]);

        let by_size: Vec<Vec<CdnUrl>> =
            Planner::new(shape(1000, 500), input.iter().cloned().collect())
                .map(Result::unwrap)
                .collect();
        assert!(by_size.len() > 3);
        for batch in &by_size {
            assert!(10 + batch.iter().map(|u| u.as_str().len() + 1).sum::<usize>() <= 500);
        }
        assert_eq!(by_size.concat(), input);
    }

    #[test]
    fn batch_size_cuts_the_limit_and_duplicates_are_counted() {
        let mut input = urls(7);
        input.extend(urls(3));
        let shape = shape(1000, usize::MAX).with_batch_size(NonZeroUsize::new(3));
        let planner = Planner::new(shape, input.into_iter().collect());
        assert_eq!(planner.duplicates(), 3);
        assert_eq!(sizes(planner), [3, 3, 1]);
    }

    #[test]
    fn a_url_too_long_for_any_request_is_reported_not_dropped() {
        let long: CdnUrl = format!("https://a.example/{}", "x".repeat(600))
            .parse()
            .unwrap();
        let input = vec![urls(1)[0].clone(), long.clone(), urls(2)[1].clone()];
        let items: Vec<_> = Planner::new(shape(1000, 500), input.into_iter().collect()).collect();
        assert_eq!(items.len(), 3);
        assert!(matches!(&items[1], Err(t) if t.url == long && t.size > t.budget));
        assert!(items[0].is_ok() && items[2].is_ok());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Moved from the model crate's planner: whatever the budget, batches
        /// keep order, fit the budget and the limit, and nothing is lost.
        #[test]
        fn planned_batches_keep_order_and_fit(
            count in 1usize..60,
            limit in 1usize..25,
            budget in 20usize..200,
        ) {
            let input = urls(count);
            let mut seen = Vec::new();
            for item in Planner::new(shape(limit, budget), input.iter().cloned().collect()) {
                match item {
                    Ok(batch) => {
                        prop_assert!(!batch.is_empty() && batch.len() <= limit);
                        let len = 10 + batch.iter().map(|u| u.as_str().len() + 1).sum::<usize>();
                        prop_assert!(len <= budget);
                        seen.extend(batch);
                    }
                    Err(too_large) => {
                        prop_assert!(too_large.size > budget);
                        seen.push(too_large.url);
                    }
                }
            }
            prop_assert_eq!(seen, input);
        }
    }
}
