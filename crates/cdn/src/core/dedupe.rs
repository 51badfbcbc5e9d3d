//! [`DistinctUrls`]: URLs without repeats, deduplicated without a second
//! copy of each URL, so a plan over them needs no set of its own.

use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use hashbrown::HashTable;
use tcdn_model::CdnUrl;

/// URLs in first-seen order with every repeat dropped: the proof a
/// [`RequestBuilder::plan_distinct`](crate::v2::RequestBuilder::plan_distinct)
/// needs to skip deduplicating again.
///
/// The index beside the URLs holds only the 32-bit position of each URL in
/// a hash table keyed by the URL's hash, and a candidate repeat is always
/// confirmed by comparing the URLs themselves: exact, with about 5 bytes per
/// URL beside the URLs and no clone of any URL.
///
/// The hash is foldhash's, seeded at random per process: several times
/// faster than std's SipHash on URLs, which matters at a million of them.
/// It is not built to resist an adversary who picks the URLs to collide;
/// the URLs are the caller's own list, and a collision costs time, never
/// correctness (every match is confirmed in full). When the number of URLs
/// is known or can be estimated, [`with_capacity`](Self::with_capacity) or
/// [`reserve`](Self::reserve) spare the index its rehashing as it grows.
///
/// ```
/// use tcdn::{CdnUrl, plan::DistinctUrls};
///
/// let mut urls = DistinctUrls::new();
/// for text in ["https://a.example/x", "https://a.example/y", "https://a.example/x"] {
///     urls.insert(text.parse::<CdnUrl>()?);
/// }
/// assert_eq!(urls.len(), 2);
/// assert_eq!(urls.duplicates(), 1);
/// assert_eq!(urls.as_slice()[1].as_str(), "https://a.example/y");
/// # Ok::<(), tcdn::model::ModelError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct DistinctUrls(Dedupe<RandomState>);

/// The deduplicating index, generic over the URL hasher so a test can force
/// collisions.
#[derive(Debug, Clone, Default)]
struct Dedupe<S> {
    urls: Vec<CdnUrl>,
    /// Positions in `urls`, found by the hash of the URL there. Positions
    /// past `u32::MAX` (hundreds of gigabytes of URLs) are not indexed and
    /// are compared in full instead.
    index: HashTable<u32>,
    hasher: S,
    duplicates: usize,
}

impl<S: BuildHasher> Dedupe<S> {
    fn reserve(&mut self, additional: usize) {
        let Self {
            urls,
            index,
            hasher,
            ..
        } = self;
        urls.reserve(additional);
        let indexable = (u32::MAX as usize).saturating_sub(index.len());
        index.reserve(additional.min(indexable), |i| {
            hasher.hash_one(urls[*i as usize].as_str())
        });
    }

    fn insert(&mut self, url: CdnUrl) -> bool {
        let Self {
            urls,
            index,
            hasher,
            ..
        } = self;
        let hash = hasher.hash_one(url.as_str());
        let at = |i: &u32| &urls[*i as usize];
        let repeated = index.find(hash, |i| *at(i) == url).is_some()
            || urls
                .get(u32::MAX as usize..)
                .is_some_and(|unindexed| unindexed.contains(&url));
        if repeated {
            self.duplicates += 1;
            return false;
        }
        if let Ok(position) = u32::try_from(urls.len()) {
            index.insert_unique(hash, position, |i| {
                hasher.hash_one(urls[*i as usize].as_str())
            });
        }
        urls.push(url);
        true
    }
}

impl DistinctUrls {
    /// No URLs yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// No URLs yet, with room for `capacity` distinct URLs before any
    /// growth.
    pub fn with_capacity(capacity: usize) -> Self {
        let mut distinct = Self::default();
        distinct.reserve(capacity);
        distinct
    }

    /// Makes room for `additional` more distinct URLs at once, rather than
    /// growing (and rehashing the index) step by step.
    pub fn reserve(&mut self, additional: usize) {
        self.0.reserve(additional);
    }

    /// Adds `url` unless an equal URL is already in; returns whether it was
    /// added. A repeat is counted in [`duplicates`](Self::duplicates).
    pub fn insert(&mut self, url: CdnUrl) -> bool {
        self.0.insert(url)
    }

    /// How many distinct URLs there are.
    pub fn len(&self) -> usize {
        self.0.urls.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.urls.is_empty()
    }

    /// How many repeats were dropped (the first of each was kept).
    pub fn duplicates(&self) -> usize {
        self.0.duplicates
    }

    /// The URLs, in first-seen order.
    pub fn as_slice(&self) -> &[CdnUrl] {
        &self.0.urls
    }

    /// The URLs, in first-seen order; the index is freed.
    pub fn into_vec(self) -> Vec<CdnUrl> {
        self.0.urls
    }
}

impl Extend<CdnUrl> for DistinctUrls {
    fn extend<T: IntoIterator<Item = CdnUrl>>(&mut self, urls: T) {
        for url in urls {
            self.insert(url);
        }
    }
}

impl FromIterator<CdnUrl> for DistinctUrls {
    fn from_iter<T: IntoIterator<Item = CdnUrl>>(urls: T) -> Self {
        let mut distinct = Self::new();
        distinct.extend(urls);
        distinct
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasherDefault, Hasher};

    fn url(i: usize) -> CdnUrl {
        format!("https://a.example/{i}").parse().unwrap()
    }

    #[test]
    fn keeps_first_of_each_in_order() {
        let distinct: DistinctUrls = [1, 2, 1, 3, 2, 2].into_iter().map(url).collect();
        assert_eq!(distinct.as_slice(), [url(1), url(2), url(3)]);
        assert_eq!(distinct.duplicates(), 3);
        assert_eq!(distinct.len(), 3);
    }

    /// A hasher under which every URL collides, to drive the fallback.
    #[derive(Debug, Default)]
    struct Constant;

    impl Hasher for Constant {
        fn finish(&self) -> u64 {
            7
        }
        fn write(&mut self, _: &[u8]) {}
    }

    #[test]
    fn hash_collisions_keep_distinct_urls_and_still_drop_repeats() {
        let mut dedupe = Dedupe::<BuildHasherDefault<Constant>>::default();
        let added: Vec<bool> = [1, 2, 3, 2, 1, 4, 3]
            .into_iter()
            .map(|i| dedupe.insert(url(i)))
            .collect();
        assert_eq!(added, [true, true, true, false, false, true, false]);
        assert_eq!(dedupe.urls, [url(1), url(2), url(3), url(4)]);
        assert_eq!(dedupe.duplicates, 3);
        assert_eq!(dedupe.index.len(), 4);
    }

    #[test]
    fn reserving_changes_nothing_but_the_room() {
        let mut reserved = DistinctUrls::with_capacity(2);
        reserved.reserve(100);
        let added: Vec<bool> = [1, 2, 1, 3]
            .into_iter()
            .map(|i| reserved.insert(url(i)))
            .collect();
        assert_eq!(added, [true, true, false, true]);
        assert_eq!(reserved.as_slice(), [url(1), url(2), url(3)]);
        assert!(reserved.0.index.capacity() >= 102);
    }
}
