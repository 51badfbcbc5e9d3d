//! Planning: the one batch planner of the workspace. It packs distinct URLs,
//! in order, into batches within a count limit and a byte budget; what a URL
//! costs in bytes is the API's business (a [`Shape`] from the backend).

use std::fmt;
use std::num::NonZeroUsize;
use std::ops::Range;

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
    /// The bytes the URL (its text) adds at a (0-based) position in its
    /// batch.
    pub url_len: fn(usize, &str) -> usize,
    /// At least what `url_len` gives for a URL of this many bytes at any
    /// position: while a batch's bound fits the budget, its URLs need not
    /// be measured one by one (which took a pass over every URL, escaping
    /// or encoding none of them, for a budget they come nowhere near).
    pub url_len_bound: fn(usize) -> usize,
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

impl std::error::Error for TooLarge {}

/// Plans the next batch of `list` from position `*next`: the positions of
/// the URLs it takes (`Ok`, non-empty), or a URL that fits no request
/// (`Err`); `*next` moves past what was planned. `None` when the list is
/// done.
///
/// A URL joins the batch when the batch's length with it stays within the
/// budget, as if every URL were measured; but URLs are measured only when
/// the batch's bound (`url_len_bound` of each) would not fit, which for
/// most batches is never.
pub(crate) fn plan_next(
    shape: &Shape,
    list: &CdnUrlList,
    next: &mut usize,
) -> Option<Result<Range<usize>, TooLarge>> {
    let Shape {
        limit,
        budget,
        fixed,
        url_len,
        url_len_bound,
    } = *shape;
    let start = *next;
    let text = |at: usize| list.get(at).unwrap_or_default();
    if start >= list.len() {
        return None;
    }
    // The exact length of the URLs before `measured`, and a bound of the
    // length of all the URLs taken (before `end`).
    let mut exact = fixed;
    let mut measured = start;
    let mut bound = fixed;
    let mut end = start;
    while end - start < limit && end < list.len() {
        let most = url_len_bound(text(end).len());
        if bound.saturating_add(most) <= budget {
            bound += most;
            end += 1;
            continue;
        }
        while measured < end {
            exact += url_len(measured - start, text(measured));
            measured += 1;
        }
        let added = url_len(end - start, text(end));
        if exact + added <= budget {
            exact += added;
            measured += 1;
            bound = exact;
            end += 1;
        } else if end == start {
            *next = start + 1;
            return Some(Err(TooLarge {
                size: exact + added,
                budget,
                url: list
                    .url(start)
                    .unwrap_or_else(|| unreachable!("a position in the list")),
            }));
        } else {
            break;
        }
    }
    *next = end;
    Some(Ok(start..end))
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
        }
    }

    /// The repeats the input dropped (the first of each was kept).
    pub(crate) fn duplicates(&self) -> usize {
        self.duplicates
    }
}

impl Iterator for Planner {
    type Item = Result<Vec<CdnUrl>, TooLarge>;

    fn next(&mut self) -> Option<Self::Item> {
        let planned = plan_next(&self.shape, &self.urls, &mut self.next)?;
        Some(planned.map(|range| UrlRange::new(&self.urls, range).to_urls()))
    }
}

/// A planned batch's URLs: a range of positions in a list of distinct URLs
/// (see [`DistinctUrls::list`]), borrowed, so that planning allocates
/// nothing and the batch's [`CdnUrl`]s are made where the request is built
/// (on a worker thread, for a dry run signing on several).
#[derive(Debug, Clone)]
pub struct UrlRange<'a> {
    list: &'a CdnUrlList,
    range: Range<usize>,
}

impl<'a> UrlRange<'a> {
    pub(crate) fn new(list: &'a CdnUrlList, range: Range<usize>) -> Self {
        debug_assert!(range.end <= list.len());
        Self { list, range }
    }

    /// How many URLs the batch holds.
    pub fn len(&self) -> usize {
        self.range.len()
    }

    /// Whether it holds none (a planned batch never does).
    pub fn is_empty(&self) -> bool {
        self.range.is_empty()
    }

    /// The text of the batch's `index`-th URL (0-based), if it has one.
    pub fn get(&self, index: usize) -> Option<&'a str> {
        let at = self.range.start.checked_add(index)?;
        if at >= self.range.end {
            return None;
        }
        self.list.get(at)
    }

    /// The list the URLs are in.
    pub(crate) fn list(&self) -> &'a CdnUrlList {
        self.list
    }

    /// The positions of the URLs in the list.
    pub fn positions(&self) -> Range<usize> {
        self.range.clone()
    }

    /// The URLs' text, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        let list = self.list;
        self.range
            .clone()
            .map(move |at| list.get(at).unwrap_or_default())
    }

    /// The URLs, each copied into a [`CdnUrl`] of its own (not checked
    /// again: the list did).
    pub fn to_urls(&self) -> Vec<CdnUrl> {
        self.range
            .clone()
            .filter_map(|at| self.list.url(at))
            .collect()
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
            url_len: |_, url| url.len() + 1,
            url_len_bound: |len| len + 1,
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

    /// The planner as it was before bounds: every URL measured.
    fn measured_one_by_one(shape: Shape, input: &[CdnUrl]) -> Vec<Result<Vec<CdnUrl>, usize>> {
        let mut out = Vec::new();
        let mut rest = input.iter().peekable();
        while rest.peek().is_some() {
            let mut batch = Vec::new();
            let mut len = shape.fixed;
            while batch.len() < shape.limit {
                let Some(url) = rest.peek() else { break };
                let added = (shape.url_len)(batch.len(), url.as_str());
                if len + added <= shape.budget {
                    len += added;
                    batch.push(rest.next().unwrap().clone());
                } else if batch.is_empty() {
                    out.push(Err(len + added));
                    rest.next();
                    break;
                } else {
                    break;
                }
            }
            if !batch.is_empty() {
                out.push(Ok(batch));
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Whatever the bound (tight, loose, or so loose it never fits),
        /// the batches are those of measuring every URL.
        #[test]
        fn bounds_change_nothing_but_the_measuring(
            lengths in prop::collection::vec(0usize..80, 1..80),
            limit in 1usize..30,
            budget in 20usize..400,
            bound in 0usize..3,
        ) {
            let input: Vec<CdnUrl> = lengths
                .iter()
                .enumerate()
                .map(|(i, &n)| format!("https://a.example/{i}/{}", "x".repeat(n)).parse().unwrap())
                .collect();
            let mut shape = shape(limit, budget);
            // The position counts: later URLs cost a byte more.
            shape.url_len = |at, url| url.len() + 1 + usize::from(at >= 5);
            shape.url_len_bound = [|len| len + 2, |len| 3 * len + 9, |_| usize::MAX / 2][bound];
            let got: Vec<Result<Vec<CdnUrl>, usize>> =
                Planner::new(shape, input.iter().cloned().collect())
                    .map(|item| item.map_err(|too_large| too_large.size))
                    .collect();
            prop_assert_eq!(got, measured_one_by_one(shape, &input));
        }
    }
}
