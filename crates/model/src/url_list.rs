//! [`CdnUrlList`]: many validated URLs in one text buffer, with no
//! allocation per URL.

use std::borrow::Cow;
use std::fmt;

use crate::error::ModelError;
use crate::url::{CdnUrl, dedupe_key_of, validate};

/// Validated URLs in order, held as one text buffer and the end offset of
/// each URL in it: about the URLs' own bytes plus 4 per URL, where a
/// `Vec<CdnUrl>` takes an allocation per URL (a 64-byte block for a 49-byte
/// URL) plus 16 bytes. Every URL went through the checks of
/// [`CdnUrl::parse`] on its way in, so the list hands out `&str`s
/// ([`get`](Self::get), [`iter`](Self::iter)) and [`CdnUrl`]s
/// ([`url`](Self::url), [`urls`](Self::urls)) without checking them again.
///
/// The offsets are `u32` while the text is within 4 GiB, and switch once to
/// `usize` past that (on platforms where `usize` is wider), so a list of
/// any size stays exact.
///
/// ```
/// use tcdn_model::{CdnUrl, CdnUrlList};
///
/// let mut list = CdnUrlList::new();
/// list.push("https://a.example/x")?;
/// list.push_url(&"https://a.example/y".parse::<CdnUrl>()?);
/// assert!(list.push("ftp://a.example/z").is_err());
/// assert_eq!(list.len(), 2);
/// assert_eq!(list.get(1), Some("https://a.example/y"));
/// assert_eq!(list.url(0).map(CdnUrl::into_string).as_deref(), Some("https://a.example/x"));
/// assert_eq!(list.iter().collect::<Vec<_>>(), ["https://a.example/x", "https://a.example/y"]);
/// # Ok::<(), tcdn_model::ModelError>(())
/// ```
#[derive(Clone, Default)]
pub struct CdnUrlList {
    /// The URLs, one after another with nothing between them.
    text: String,
    /// Where each URL ends in `text`; each starts where the one before
    /// ends.
    ends: Ends,
}

/// The end offsets: as narrow as the text allows.
#[derive(Debug, Clone)]
enum Ends {
    /// While every offset is at most [`NARROW_MOST`].
    Narrow(Vec<u32>),
    /// Once one is past it.
    Wide(Vec<usize>),
}

/// The largest offset a narrow end holds. The unit tests of this crate
/// lower it so that they cross it with a few URLs.
const NARROW_MOST: usize = if cfg!(test) { 256 } else { u32::MAX as usize };

impl Default for Ends {
    fn default() -> Self {
        Self::Narrow(Vec::new())
    }
}

impl Ends {
    fn len(&self) -> usize {
        match self {
            Self::Narrow(ends) => ends.len(),
            Self::Wide(ends) => ends.len(),
        }
    }

    fn get(&self, index: usize) -> Option<usize> {
        match self {
            Self::Narrow(ends) => ends.get(index).map(|&end| end as usize),
            Self::Wide(ends) => ends.get(index).copied(),
        }
    }

    /// Where the URL at `index` (< len) starts and ends.
    fn span(&self, index: usize) -> Option<(usize, usize)> {
        let end = self.get(index)?;
        let start = match index {
            0 => 0,
            _ => self.get(index - 1).unwrap_or(0),
        };
        Some((start, end))
    }

    fn push(&mut self, end: usize) {
        match self {
            Self::Narrow(ends) => match u32::try_from(end) {
                Ok(narrow) if end <= NARROW_MOST => ends.push(narrow),
                _ => {
                    let mut wide: Vec<usize> = Vec::with_capacity(ends.capacity().max(1));
                    wide.extend(ends.iter().map(|&end| end as usize));
                    wide.push(end);
                    *self = Self::Wide(wide);
                }
            },
            Self::Wide(ends) => ends.push(end),
        }
    }

    fn reserve(&mut self, additional: usize) {
        match self {
            Self::Narrow(ends) => ends.reserve(additional),
            Self::Wide(ends) => ends.reserve(additional),
        }
    }

    fn truncate(&mut self, len: usize) {
        match self {
            Self::Narrow(ends) => ends.truncate(len),
            Self::Wide(ends) => ends.truncate(len),
        }
    }

    /// Drops the end at `index` and moves those after it `removed` bytes
    /// earlier.
    fn remove(&mut self, index: usize, removed: usize) {
        match self {
            Self::Narrow(ends) => {
                ends.remove(index);
                // Offsets only shrink, so they still fit.
                let removed = u32::try_from(removed).unwrap_or(u32::MAX);
                ends[index..].iter_mut().for_each(|end| *end -= removed);
            }
            Self::Wide(ends) => {
                ends.remove(index);
                ends[index..].iter_mut().for_each(|end| *end -= removed);
            }
        }
    }
}

impl CdnUrlList {
    /// No URLs yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// No URLs yet, with room for `urls` URLs of `bytes` bytes in all.
    pub fn with_capacity(urls: usize, bytes: usize) -> Self {
        let mut list = Self::new();
        list.reserve(urls, bytes);
        list
    }

    /// Makes room for `urls` more URLs of `bytes` more bytes in all.
    pub fn reserve(&mut self, urls: usize, bytes: usize) {
        self.ends.reserve(urls);
        self.text.reserve(bytes);
    }

    /// Validates `value` as [`CdnUrl::parse`] does (the same rules, the
    /// same errors) and appends it; on an error the list is unchanged.
    pub fn push(&mut self, value: &str) -> Result<(), ModelError> {
        validate(value)?;
        self.push_valid(value);
        Ok(())
    }

    /// Appends `url` (already valid).
    pub fn push_url(&mut self, url: &CdnUrl) {
        self.push_valid(url.as_str());
    }

    /// Appends the URL at `index` of `other`, not checked again: it was on
    /// its way into `other`. Lets URLs checked on one thread join a list on
    /// another without a second validation.
    ///
    /// # Panics
    ///
    /// If `index` is not below `other`'s [`len`](Self::len).
    pub fn push_from(&mut self, other: &CdnUrlList, index: usize) {
        let Some(value) = other.get(index) else {
            panic!("index {index} is past the {} URLs", other.len());
        };
        self.push_valid(value);
    }

    fn push_valid(&mut self, value: &str) {
        self.text.push_str(value);
        self.ends.push(self.text.len());
    }

    /// How many URLs there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.len() == 0
    }

    /// The bytes of all the URLs together.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// The URL at `index`, if there is one.
    pub fn get(&self, index: usize) -> Option<&str> {
        let (start, end) = self.ends.span(index)?;
        self.text.get(start..end)
    }

    /// The [`CdnUrl::dedupe_key`] of the URL at `index` (its scheme and
    /// host in lower case), if there is one: borrowed from the list unless
    /// the scheme or host has a capital.
    ///
    /// ```
    /// use tcdn_model::CdnUrlList;
    ///
    /// let mut list = CdnUrlList::new();
    /// list.push("HTTPS://A.Example/UP")?;
    /// assert_eq!(list.dedupe_key(0).as_deref(), Some("https://a.example/UP"));
    /// # Ok::<(), tcdn_model::ModelError>(())
    /// ```
    pub fn dedupe_key(&self, index: usize) -> Option<Cow<'_, str>> {
        self.get(index).map(dedupe_key_of)
    }

    /// The URL at `index` as a [`CdnUrl`] (a copy of its text, not checked
    /// again), if there is one.
    pub fn url(&self, index: usize) -> Option<CdnUrl> {
        self.get(index).map(CdnUrl::from_valid)
    }

    /// The URLs in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator + '_ {
        (0..self.len()).map(|index| self.get(index).unwrap_or_default())
    }

    /// The URLs in order as [`CdnUrl`]s, each a copy of its text (not
    /// checked again).
    pub fn urls(&self) -> impl DoubleEndedIterator<Item = CdnUrl> + ExactSizeIterator + '_ {
        self.iter().map(CdnUrl::from_valid)
    }

    /// Removes the URL at `index`, moving the ones after it (their text and
    /// offsets) down: linear in what follows, as `Vec::remove` is.
    ///
    /// # Panics
    ///
    /// If `index` is not below [`len`](Self::len).
    pub fn remove(&mut self, index: usize) {
        let Some((start, end)) = self.ends.span(index) else {
            panic!("removal index {index} is past the {} URLs", self.len());
        };
        self.text.replace_range(start..end, "");
        self.ends.remove(index, end - start);
    }

    /// Keeps the first `len` URLs (all of them if there are fewer).
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len() {
            return;
        }
        let text_end = match len {
            0 => 0,
            _ => self.ends.get(len - 1).unwrap_or(0),
        };
        self.text.truncate(text_end);
        self.ends.truncate(len);
    }

    /// Removes every URL, keeping the room.
    pub fn clear(&mut self) {
        self.truncate(0);
    }
}

impl fmt::Debug for CdnUrlList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for CdnUrlList {
    /// The same URLs in the same order (however their offsets are held).
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for CdnUrlList {}

impl PartialEq<[CdnUrl]> for CdnUrlList {
    fn eq(&self, other: &[CdnUrl]) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter().map(CdnUrl::as_str))
    }
}

impl<const N: usize> PartialEq<[CdnUrl; N]> for CdnUrlList {
    fn eq(&self, other: &[CdnUrl; N]) -> bool {
        *self == other[..]
    }
}

impl PartialEq<Vec<CdnUrl>> for CdnUrlList {
    fn eq(&self, other: &Vec<CdnUrl>) -> bool {
        *self == other[..]
    }
}

impl Extend<CdnUrl> for CdnUrlList {
    fn extend<T: IntoIterator<Item = CdnUrl>>(&mut self, urls: T) {
        for url in urls {
            self.push_url(&url);
        }
    }
}

impl<'a> Extend<&'a CdnUrl> for CdnUrlList {
    fn extend<T: IntoIterator<Item = &'a CdnUrl>>(&mut self, urls: T) {
        for url in urls {
            self.push_url(url);
        }
    }
}

impl FromIterator<CdnUrl> for CdnUrlList {
    fn from_iter<T: IntoIterator<Item = CdnUrl>>(urls: T) -> Self {
        let mut list = Self::new();
        list.extend(urls);
        list
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn url(text: &str) -> CdnUrl {
        text.parse().unwrap()
    }

    #[test]
    fn pushes_read_back_and_refusals_change_nothing() {
        let mut list = CdnUrlList::with_capacity(4, 64);
        assert!(list.is_empty() && list.get(0).is_none() && list.url(0).is_none());
        list.push("https://a.example/1").unwrap();
        let error = list.push("https://a.example/a b").unwrap_err();
        assert_eq!(error, CdnUrl::parse("https://a.example/a b").unwrap_err());
        list.push_url(&url("https://例子.cn/图片"));
        assert_eq!(list.len(), 2);
        assert_eq!(
            list.text_len(),
            "https://a.example/1https://例子.cn/图片".len()
        );
        assert_eq!(list.get(1), Some("https://例子.cn/图片"));
        assert_eq!(list.url(1), Some(url("https://例子.cn/图片")));
        assert_eq!(list.get(2), None);
        assert_eq!(
            list,
            [url("https://a.example/1"), url("https://例子.cn/图片")]
        );
        assert_eq!(
            format!("{list:?}"),
            r#"["https://a.example/1", "https://例子.cn/图片"]"#
        );
    }

    #[test]
    fn remove_and_truncate_keep_the_rest_in_order() {
        let all: Vec<CdnUrl> = (0..6)
            .map(|i| url(&format!("https://a.example/{}", "x".repeat(i))))
            .collect();
        let mut list: CdnUrlList = all.iter().cloned().collect();
        list.remove(2);
        list.remove(0);
        assert_eq!(list, [&all[1], &all[3], &all[4], &all[5]].map(Clone::clone));
        list.remove(3);
        list.truncate(5);
        assert_eq!(
            list,
            all[1..5]
                .iter()
                .filter(|u| **u != all[2])
                .cloned()
                .collect::<Vec<_>>()
        );
        list.truncate(1);
        assert_eq!(list, [all[1].clone()]);
        list.push_url(&all[0]);
        assert_eq!(list, [all[1].clone(), all[0].clone()]);
        list.clear();
        assert!(list.is_empty() && list.text_len() == 0);
    }

    #[test]
    #[should_panic(expected = "removal index 1 is past the 1 URLs")]
    fn removing_past_the_end_panics() {
        let mut list: CdnUrlList = [url("https://a.example/")].into_iter().collect();
        list.remove(1);
    }

    #[test]
    fn offsets_widen_past_the_narrow_limit_and_stay_exact() {
        let urls: Vec<CdnUrl> = (0..40)
            .map(|i| url(&format!("https://a.example/{i:03}")))
            .collect();
        let mut list = CdnUrlList::new();
        for (i, u) in urls.iter().enumerate() {
            list.push_url(u);
            let wide = matches!(list.ends, Ends::Wide(_));
            assert_eq!(wide, list.text_len() > NARROW_MOST, "after {i}");
        }
        assert_eq!(list, urls);
        let narrow: CdnUrlList = urls[..5].iter().cloned().collect();
        assert!(matches!(narrow.ends, Ends::Narrow(_)));
        let mut wide = list.clone();
        wide.truncate(5);
        assert!(matches!(wide.ends, Ends::Wide(_)));
        assert_eq!(wide, narrow);
        list.remove(0);
        assert_eq!(list, urls[1..]);
    }

    /// Valid URLs, some long, and text that is refused for each rule.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[hH][tT][tT][pP][sS]?://([a-z0-9-]{1,12}(\\.[a-z]{2,4})?|例子\\.cn|\\[::1\\])\
                  (:[1-9][0-9]{0,3})?(/[a-zA-Z0-9._~%&=+?;:,'()!*$@图片猫-]{0,40}){0,4}",
            1 => "(ftp|https?)://[a-z .#@\\[]{0,8}(/[ a-z#\u{200b}]{0,4})?",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::with_cases(256)
        })]

        /// A list built by pushes holds exactly what `CdnUrl::parse` accepts,
        /// in order, and refuses the rest with the same errors, on either
        /// side of the offsets' widening.
        #[test]
        fn pushes_round_trip_like_parse(values in prop::collection::vec(value(), 0..24)) {
            let mut list = CdnUrlList::new();
            let mut parsed = Vec::new();
            for value in &values {
                let pushed = list.push(value);
                match CdnUrl::parse(value) {
                    Ok(url) => {
                        prop_assert!(pushed.is_ok());
                        parsed.push(url);
                    }
                    Err(error) => prop_assert_eq!(pushed.unwrap_err(), error),
                }
            }
            prop_assert_eq!(list.len(), parsed.len());
            prop_assert_eq!(list.iter().collect::<Vec<_>>(), parsed.iter().map(CdnUrl::as_str).collect::<Vec<_>>());
            prop_assert_eq!(list.urls().collect::<Vec<_>>(), parsed.clone());
            prop_assert_eq!(list.iter().next_back(), parsed.last().map(CdnUrl::as_str));
            prop_assert_eq!(&list, &parsed);
        }
    }
}
