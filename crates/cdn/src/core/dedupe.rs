//! [`DistinctUrls`]: URLs without repeats, deduplicated without a second
//! copy of each URL, so a plan over them needs no set of its own.

use std::fmt;
use std::hash::BuildHasher;
use std::sync::OnceLock;

use foldhash::fast::RandomState;
use tcdn_model::{CdnUrl, CdnUrlList, ModelError};

/// URLs in first-seen order with every repeat dropped (a repeat names the
/// same resource: equal but for the letter case of scheme and host, see
/// [`CdnUrl::dedupe_key`]; the first spelling is kept): the proof a
/// [`RequestBuilder::plan_distinct`](crate::v2::RequestBuilder::plan_distinct)
/// needs to skip deduplicating again.
///
/// The URLs are held in a [`CdnUrlList`] (one text buffer and an end
/// offset per URL, no allocation per URL), and the batch planners cut
/// [`CdnUrl`]s from it one batch at a time. Text comes in fastest through
/// an [`Inserter`] ([`inserter`](Self::inserter)), which validates each
/// value straight into the list; [`get`](Self::get), [`iter`](Self::iter)
/// and [`list`](Self::list) read the URLs without copying them, where
/// [`as_slice`](Self::as_slice) and [`into_vec`](Self::into_vec) copy each
/// into a `CdnUrl` of its own.
///
/// The index beside the URLs holds only the position of each URL and a
/// few bits of its hash, in 32 bits, in a hash table keyed by the URL's hash, and a
/// candidate repeat is always confirmed by comparing the URLs themselves:
/// exact, with 5–11 bytes per URL beside the URLs (the table's size is a
/// power of two) and no clone of any URL.
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
#[derive(Clone, Default)]
pub struct DistinctUrls(Dedupe<RandomState>, OnceLock<Vec<CdnUrl>>);

/// The deduplicating index, generic over the URL hasher so a test can force
/// collisions.
#[derive(Debug, Clone, Default)]
struct Dedupe<S> {
    urls: CdnUrlList,
    /// Positions in `urls`, found by the hash of the URL there. Positions
    /// from [`Index::MOST`] on (hundreds of gigabytes of URLs) are not
    /// indexed and are compared in full instead.
    index: Index,
    hasher: S,
    duplicates: usize,
}

/// How many URLs [`Dedupe::settle`] hashes and looks up ahead of
/// inserting them: enough slots loaded at once to hide the memory's
/// latency, few enough that they are still cached when inserted.
const AHEAD: usize = 16;

impl<S: BuildHasher> Dedupe<S> {
    fn reserve(&mut self, additional: usize) {
        self.urls.reserve(additional, 0);
        self.reserve_index(additional);
    }

    fn reserve_index(&mut self, additional: usize) {
        let Self {
            urls,
            index,
            hasher,
            ..
        } = self;
        let indexable = Index::MOST.saturating_sub(index.len());
        index.reserve(additional.min(indexable), urls, hasher);
    }

    fn insert(&mut self, url: CdnUrl) -> bool {
        let from = self.urls.len();
        self.urls.push_url(&url);
        self.settle(from);
        self.urls.len() > from
    }

    /// Inserts every URL of `batch` in order, as [`insert`](Self::insert)
    /// would, but [`settle`](Self::settle)s them [`AHEAD`] at a time.
    fn insert_all(&mut self, batch: impl IntoIterator<Item = CdnUrl>) {
        let mut from = self.urls.len();
        for url in batch {
            self.urls.push_url(&url);
            if self.urls.len() - from == AHEAD {
                self.settle(from);
                from = self.urls.len();
            }
        }
        self.settle(from);
    }

    /// Deduplicates the URLs appended from position `from` on (at most
    /// [`AHEAD`]): in order, each is indexed, or removed and counted when an
    /// equal URL comes before it. Their hashes are computed and their slots
    /// loaded before the first of them is looked up: at a million URLs the
    /// index is far larger than the cache, and loading slots one at a time,
    /// each after the last insert, left the processor waiting on memory for
    /// most of the time the dedupe took.
    fn settle(&mut self, from: usize) {
        let count = self.urls.len().saturating_sub(from);
        if count == 0 {
            return;
        }
        debug_assert!(count <= AHEAD, "{count} URLs to settle at once");
        let mut hashes = [0u64; AHEAD];
        for (hash, at) in hashes.iter_mut().zip(from..self.urls.len()) {
            *hash = self
                .hasher
                .hash_one(self.urls.dedupe_key(at).unwrap_or_default());
        }
        self.reserve_index(count);
        self.index.touch(hashes[..count].iter().copied());
        let mut at = from;
        for &hash in &hashes[..count] {
            if self.find_or_index(hash, at) {
                self.urls.remove(at);
                self.duplicates += 1;
            } else {
                at += 1;
            }
        }
    }

    /// Whether an URL before position `at` names the same resource as the
    /// one there (equal but for the case of scheme and host), whose hash is
    /// `hash`; if none does, `at` is indexed (room was reserved).
    fn find_or_index(&mut self, hash: u64, at: usize) -> bool {
        let Self { urls, index, .. } = self;
        let url = urls.get(at);
        let same = |i: usize| {
            let other = urls.get(i);
            // Byte-equal repeats, nearly all of them, need no key.
            other == url || urls.dedupe_key(i) == urls.dedupe_key(at)
        };
        index.find_or_insert(hash, at, same) || (Index::MOST..at).any(same)
    }
}

/// An open-addressing table of URL positions, probed linearly. Each slot is
/// a `u32`: the URL's position plus one (0: the slot is free) in its low
/// bits, as many as the table has slots to number, and as many bits of the
/// URL's hash as are left above them (its fingerprint). A lookup usually
/// reads one cache line and compares a URL only when the fingerprint
/// matches too; hashbrown's table, used before, read a control byte and a
/// separate slot, two cache misses per URL once the table outgrows the
/// cache, in 5 bytes a slot where this takes 4.
#[derive(Debug, Clone, Default)]
struct Index {
    /// A power of two of slots (at least 16), or none.
    slots: Vec<u32>,
    /// Occupied slots.
    len: usize,
}

impl Index {
    /// The most slots in use, as a fraction of all: 3/4 keeps linear
    /// probing short.
    const LOAD: (usize, usize) = (3, 4);

    /// The most positions indexed: the table then has 2^32 slots, whose
    /// numbers take a slot's 32 bits.
    const MOST: usize = 3 << 30;

    fn len(&self) -> usize {
        self.len
    }

    /// How many positions fit before the table grows.
    fn capacity(&self) -> usize {
        self.slots.len() / Self::LOAD.1 * Self::LOAD.0
    }

    /// The slot a hash starts probing at, the bits of a slot that hold a
    /// position, and the fingerprint bits of the hash, in place.
    fn home(&self, hash: u64) -> (usize, u32, u32) {
        // The upper half picks the slot, the lower gives the fingerprint:
        // independent bits (for tables up to 2^32 slots).
        let mask = self.slots.len().wrapping_sub(1);
        let positions = mask as u32;
        (
            (hash >> 32) as usize & mask,
            positions,
            hash as u32 & !positions,
        )
    }

    /// Makes room for `additional` more positions, rehashing the URLs in
    /// `urls` (the positions' targets) when the table grows.
    fn reserve<S: BuildHasher>(&mut self, additional: usize, urls: &CdnUrlList, hasher: &S) {
        let needed = self.len.saturating_add(additional);
        if needed <= self.capacity() {
            return;
        }
        let slots = needed
            .saturating_mul(Self::LOAD.1)
            .div_ceil(Self::LOAD.0)
            .max(16)
            .checked_next_power_of_two()
            .unwrap_or(usize::MAX / 2 + 1);
        let positions = self.slots.len().wrapping_sub(1) as u32;
        let old = std::mem::replace(&mut self.slots, vec![0; slots]);
        if old.is_empty() {
            return;
        }
        self.len = 0;
        for position in old
            .iter()
            .filter(|&&slot| slot != 0)
            .map(|&slot| ((slot & positions) - 1) as usize)
        {
            let hash = hasher.hash_one(urls.dedupe_key(position).unwrap_or_default());
            self.find_or_insert(hash, position, |_| false);
        }
    }

    /// Loads the home slots of `hashes` ahead of their lookups, so their
    /// cache misses overlap instead of following one another.
    fn touch(&self, hashes: impl Iterator<Item = u64>) {
        let mut any = 0;
        for hash in hashes {
            let (at, _, _) = self.home(hash);
            any |= self.slots.get(at).copied().unwrap_or(0);
        }
        std::hint::black_box(any);
    }

    /// Whether a position with `hash` for which `same` holds is in; if none
    /// is, `position` is put in (unless it is past what a slot holds).
    /// Room must have been reserved.
    fn find_or_insert(
        &mut self,
        hash: u64,
        position: usize,
        mut same: impl FnMut(usize) -> bool,
    ) -> bool {
        let (mut at, positions, fingerprint) = self.home(hash);
        let mask = self.slots.len() - 1;
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                if let Some(stored) = u32::try_from(position)
                    .ok()
                    .and_then(|p| p.checked_add(1))
                    .filter(|&p| p <= positions)
                {
                    self.slots[at] = fingerprint | stored;
                    self.len += 1;
                }
                return false;
            }
            if slot & !positions == fingerprint && same(((slot & positions) - 1) as usize) {
                return true;
            }
            at = (at + 1) & mask;
        }
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

    /// Makes room for `bytes` more bytes of URL text (all the URLs
    /// together), beside [`reserve`](Self::reserve)'s room for their
    /// number.
    pub fn reserve_text(&mut self, bytes: usize) {
        self.0.urls.reserve(0, bytes);
    }

    /// Adds `url` unless an equal URL is already in; returns whether it was
    /// added. A repeat is counted in [`duplicates`](Self::duplicates).
    pub fn insert(&mut self, url: CdnUrl) -> bool {
        self.1.take();
        self.0.insert(url)
    }

    /// Validates `raw` as [`CdnUrl::parse`] does (the same rules and
    /// errors) and adds it unless an equal URL is already in; returns
    /// whether it was added. No `CdnUrl` is made: the text goes straight
    /// into the list. For many values, an [`inserter`](Self::inserter) is
    /// faster.
    pub fn insert_str(&mut self, raw: &str) -> Result<bool, ModelError> {
        self.1.take();
        let from = self.0.urls.len();
        self.0.urls.push(raw)?;
        self.0.settle(from);
        Ok(self.0.urls.len() > from)
    }

    /// A way in for many values of text: [`Inserter::insert_str`]
    /// validates each straight into the list, and repeats are dropped a few
    /// URLs at a time (the index is probed ahead), the last of them when
    /// the inserter is dropped.
    ///
    /// ```
    /// use tcdn::plan::DistinctUrls;
    ///
    /// let mut urls = DistinctUrls::new();
    /// let mut inserter = urls.inserter();
    /// for text in ["https://a.example/x", "ftp://a.example/", "https://a.example/x"] {
    ///     if let Err(error) = inserter.insert_str(text) {
    ///         assert!(error.to_string().contains("ftp://a.example/"));
    ///     }
    /// }
    /// drop(inserter);
    /// assert_eq!((urls.len(), urls.duplicates()), (1, 1));
    /// assert_eq!(urls.get(0), Some("https://a.example/x"));
    /// ```
    pub fn inserter(&mut self) -> Inserter<'_> {
        self.1.take();
        Inserter {
            from: self.0.urls.len(),
            dedupe: &mut self.0,
        }
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

    /// The URL at `index` in first-seen order, if there is one.
    pub fn get(&self, index: usize) -> Option<&str> {
        self.0.urls.get(index)
    }

    /// The URLs, in first-seen order, without copying them.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator + '_ {
        self.0.urls.iter()
    }

    /// The URLs, in first-seen order, as they are held.
    pub fn list(&self) -> &CdnUrlList {
        &self.0.urls
    }

    /// The URLs, in first-seen order, as they are held; the index is freed.
    pub fn into_list(self) -> CdnUrlList {
        self.0.urls
    }

    /// The URLs, in first-seen order, as `CdnUrl`s.
    ///
    /// The first call copies every URL into a `CdnUrl` of its own (an
    /// allocation each, about as much memory again as the list), kept until
    /// the URLs change; prefer [`get`](Self::get), [`iter`](Self::iter) or
    /// [`list`](Self::list).
    pub fn as_slice(&self) -> &[CdnUrl] {
        self.1.get_or_init(|| self.0.urls.urls().collect())
    }

    /// The URLs, in first-seen order, each copied into a `CdnUrl` of its
    /// own; the index is freed. [`into_list`](Self::into_list) copies
    /// nothing.
    pub fn into_vec(self) -> Vec<CdnUrl> {
        let Self(dedupe, mut slice) = self;
        slice.take().unwrap_or_else(|| dedupe.urls.urls().collect())
    }
}

impl fmt::Debug for DistinctUrls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DistinctUrls")
            .field("urls", &self.0.urls)
            .field("duplicates", &self.0.duplicates)
            .finish_non_exhaustive()
    }
}

/// Adds many values of text to a [`DistinctUrls`]
/// ([`DistinctUrls::inserter`]), validating each straight into its list
/// and dropping repeats a few URLs at a time; the URLs still waiting are
/// deduplicated when the inserter is dropped, so the `DistinctUrls` is
/// never seen with a repeat in it.
pub struct Inserter<'a> {
    dedupe: &'a mut Dedupe<RandomState>,
    /// Where the URLs not yet deduplicated start.
    from: usize,
}

impl Inserter<'_> {
    /// Validates `raw` as [`CdnUrl::parse`] does (the same rules and
    /// errors) and adds it, unless an equal URL is in (counted in
    /// [`DistinctUrls::duplicates`]); a refused value changes nothing.
    pub fn insert_str(&mut self, raw: &str) -> Result<(), ModelError> {
        self.dedupe.urls.push(raw)?;
        self.settle_when_ahead();
        Ok(())
    }

    /// Adds every URL of `list` in order, as
    /// [`insert_str`](Self::insert_str) would, without validating them
    /// again (the list did): for URLs checked on another thread.
    pub fn insert_list(&mut self, list: &CdnUrlList) {
        for index in 0..list.len() {
            self.dedupe.urls.push_from(list, index);
            self.settle_when_ahead();
        }
    }

    /// Deduplicates the waiting URLs once [`AHEAD`] of them are in.
    fn settle_when_ahead(&mut self) {
        if self.dedupe.urls.len() - self.from == AHEAD {
            self.dedupe.settle(self.from);
            self.from = self.dedupe.urls.len();
        }
    }
}

impl Drop for Inserter<'_> {
    fn drop(&mut self) {
        self.dedupe.settle(self.from);
    }
}

impl fmt::Debug for Inserter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inserter")
            .field("waiting", &(self.dedupe.urls.len() - self.from))
            .finish_non_exhaustive()
    }
}

impl Extend<CdnUrl> for DistinctUrls {
    /// Like [`insert`](DistinctUrls::insert) for each URL in order, and
    /// faster for many URLs (the index is probed a few URLs ahead).
    fn extend<T: IntoIterator<Item = CdnUrl>>(&mut self, urls: T) {
        self.1.take();
        self.0.insert_all(urls);
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
    fn scheme_and_host_are_compared_without_case_and_the_first_spelling_stays() {
        let mut distinct = DistinctUrls::new();
        let mut inserter = distinct.inserter();
        for text in [
            "HTTPS://A.EXAMPLE/UP",
            "https://a.example/UP",
            "https://a.example/up",
            "Https://A.example/UP",
            "https://Ä.example/x",
            "https://ä.example/x",
        ] {
            inserter.insert_str(text).unwrap();
        }
        drop(inserter);
        assert_eq!(
            distinct.iter().collect::<Vec<_>>(),
            [
                "HTTPS://A.EXAMPLE/UP",
                "https://a.example/up",
                "https://Ä.example/x"
            ]
        );
        assert_eq!(distinct.duplicates(), 3);
        assert!(!distinct.insert("https://A.EXAMPLE/UP".parse().unwrap()));
        assert!(
            distinct.insert_str("http://a.example/up").unwrap(),
            "another scheme"
        );
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
    fn inserting_many_at_once_is_inserting_each_in_turn() {
        // Repeats near and far, through many growths of the index.
        let inputs: Vec<usize> = (0..5000).map(|i| (i * 7919) % 3001).collect();
        let mut one_by_one = DistinctUrls::new();
        let added: Vec<bool> = inputs.iter().map(|&i| one_by_one.insert(url(i))).collect();
        let mut at_once = DistinctUrls::new();
        at_once.extend(inputs.iter().map(|&i| url(i)));
        assert_eq!(at_once.as_slice(), one_by_one.as_slice());
        assert_eq!(at_once.duplicates(), one_by_one.duplicates());
        assert_eq!(at_once.len(), 3001);
        assert_eq!(added.iter().filter(|&&a| a).count(), 3001);

        let mut colliding = Dedupe::<BuildHasherDefault<Constant>>::default();
        colliding.insert_all([1, 2, 1, 3, 2, 4].into_iter().map(url));
        assert_eq!(colliding.urls, [url(1), url(2), url(3), url(4)]);
        assert_eq!(colliding.duplicates, 2);
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

    #[test]
    fn text_goes_in_as_parsed_urls_do() {
        // Valid values with repeats near and far, and refused ones between.
        let inputs: Vec<String> = (0..3000)
            .map(|i| match i % 7 {
                3 => format!("ftp://a.example/{i}"),
                5 => format!("https://a.example/{i} x"),
                _ => format!("https://a.example/{}", (i * 7919) % 1201),
            })
            .collect();
        let mut parsed = DistinctUrls::new();
        let mut one_by_one = DistinctUrls::new();
        let mut by_inserter = DistinctUrls::new();
        let mut inserter = by_inserter.inserter();
        for input in &inputs {
            let expected = CdnUrl::parse(input).map(|url| parsed.insert(url));
            assert_eq!(one_by_one.insert_str(input), expected, "{input}");
            assert_eq!(inserter.insert_str(input), expected.map(|_| ()));
        }
        drop(inserter);
        for got in [&one_by_one, &by_inserter] {
            assert_eq!(got.as_slice(), parsed.as_slice());
            assert_eq!(got.duplicates(), parsed.duplicates());
            assert!(got.iter().eq(parsed.as_slice().iter().map(CdnUrl::as_str)));
        }
        assert_eq!(by_inserter.len(), 1201);
        assert_eq!(
            by_inserter.get(1200),
            parsed.as_slice().last().map(CdnUrl::as_str)
        );
        assert_eq!(parsed.into_list(), by_inserter.into_vec());
    }

    #[test]
    fn the_slice_follows_every_change() {
        let mut distinct: DistinctUrls = [1, 2].into_iter().map(url).collect();
        assert_eq!(distinct.as_slice(), [url(1), url(2)]);
        distinct.insert(url(3));
        assert_eq!(distinct.as_slice(), [url(1), url(2), url(3)]);
        distinct.insert_str("https://a.example/4").unwrap();
        assert_eq!(distinct.as_slice().len(), 4);
        distinct.extend([url(5), url(1)]);
        assert_eq!(distinct.as_slice().len(), 5);
        distinct
            .inserter()
            .insert_str("https://a.example/6")
            .unwrap();
        assert_eq!(distinct.as_slice()[5], url(6));
        assert_eq!(distinct.clone().into_vec(), distinct.as_slice());
        assert_eq!(
            format!("{distinct:?}"),
            format!(
                "DistinctUrls {{ urls: {:?}, duplicates: 1, .. }}",
                distinct.list()
            )
        );
    }

    #[test]
    fn inserting_a_checked_list_is_inserting_each_in_turn() {
        // Repeats within the list, and of URLs already in, across groups.
        let inputs: Vec<usize> = (0..300).map(|i| (i * 37) % 101).collect();
        let mut one_by_one: DistinctUrls = (0..5).map(url).collect();
        for &i in &inputs {
            one_by_one.insert(url(i));
        }
        let mut list = CdnUrlList::new();
        for &i in &inputs {
            list.push_url(&url(i));
        }
        let mut at_once: DistinctUrls = (0..5).map(url).collect();
        at_once.inserter().insert_list(&list);
        assert_eq!(at_once.list(), one_by_one.list());
        assert_eq!(at_once.duplicates(), one_by_one.duplicates());
        assert_eq!(at_once.len(), 101);
    }
}
