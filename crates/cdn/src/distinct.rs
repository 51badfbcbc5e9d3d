//! [`DistinctUrls`]: URLs without repeats, deduplicated without a second
//! copy of each URL, so a plan over them needs no set of its own.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasher, RandomState};

use tcdn_model::CdnUrl;

/// URLs in first-seen order with every repeat dropped: the proof a
/// [`RequestBuilder::plan_distinct`](crate::RequestBuilder::plan_distinct)
/// needs to skip deduplicating again.
///
/// Repeats are found by a keyed 64-bit hash pointing at the first URL that
/// had it, then confirmed by comparing the URLs themselves, so the only
/// memory beside the URLs is one small map entry per URL (no clone of any
/// URL). Two different URLs with the same hash are both kept: the later one
/// is remembered in a short list that is compared in full.
///
/// ```
/// use tcdn::{CdnUrl, DistinctUrls};
///
/// let mut urls = DistinctUrls::new();
/// for text in ["https://a.example/x", "https://a.example/y", "https://a.example/x"] {
///     urls.insert(text.parse::<CdnUrl>()?);
/// }
/// assert_eq!(urls.len(), 2);
/// assert_eq!(urls.duplicates(), 1);
/// assert_eq!(urls.as_slice()[1].as_str(), "https://a.example/y");
/// # Ok::<(), tcdn::ModelError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct DistinctUrls(Dedupe<RandomState>);

/// The deduplicating index, generic over the URL hasher so a test can force
/// collisions.
#[derive(Debug, Clone, Default)]
struct Dedupe<S> {
    urls: Vec<CdnUrl>,
    /// Hash of a URL -> index of the first URL with that hash.
    first_by_hash: HashMap<u64, usize>,
    /// Indices of URLs whose hash an earlier, different URL already had.
    collided: Vec<usize>,
    hasher: S,
    duplicates: usize,
}

impl<S: BuildHasher> Dedupe<S> {
    fn insert(&mut self, url: CdnUrl) -> bool {
        let hash = self.hasher.hash_one(url.as_str());
        let repeated = match self.first_by_hash.get(&hash) {
            None => false,
            Some(&first) if self.urls[first] == url => true,
            Some(_) => self.collided.iter().any(|&i| self.urls[i] == url),
        };
        if repeated {
            self.duplicates += 1;
            return false;
        }
        let index = self.urls.len();
        match self.first_by_hash.entry(hash) {
            Entry::Occupied(_) => self.collided.push(index),
            Entry::Vacant(slot) => {
                slot.insert(index);
            }
        }
        self.urls.push(url);
        true
    }
}

impl DistinctUrls {
    /// No URLs yet.
    pub fn new() -> Self {
        Self::default()
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
        assert_eq!(dedupe.collided, [1, 2, 3], "all but the first collided");
    }
}
