//! The wire form of a request: its ordered action parameters and their
//! exact encoded size, which the client's batch planner packs by.

use std::fmt;
use std::iter::FusedIterator;

use tcdn_sign::encode::form_value_len;

use crate::operation::{Areas, Operation};
use crate::url::CdnUrl;
use crate::v2::limits::ACTION;
use crate::v2::request::FlushOrPush;

/// The longest parameter name we render: `urls.` and 20 digits of a `u64`.
const NAME_CAPACITY: usize = 25;

/// The name of one action parameter, rendered into an inline buffer so that
/// iterating over a thousand `urls.N` parameters allocates nothing.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParamName {
    bytes: [u8; NAME_CAPACITY],
    len: u8,
}

impl ParamName {
    const fn fixed(name: &str) -> Self {
        let src = name.as_bytes();
        let mut bytes = [0; NAME_CAPACITY];
        let mut i = 0;
        while i < src.len() {
            bytes[i] = src[i];
            i += 1;
        }
        Self {
            bytes,
            len: src.len() as u8,
        }
    }

    /// `Action`.
    pub const ACTION: Self = Self::fixed("Action");
    /// `command`.
    pub const COMMAND: Self = Self::fixed("command");
    /// `type`.
    pub const TYPE: Self = Self::fixed("type");
    /// `mainland`.
    pub const MAINLAND: Self = Self::fixed("mainland");
    /// `oversea`.
    pub const OVERSEA: Self = Self::fixed("oversea");

    /// `urls.{index}`.
    pub fn url(index: usize) -> Self {
        let mut name = Self::fixed("urls.");
        let mut digits = [0u8; 20];
        let mut count = 0;
        let mut rest = index as u64;
        loop {
            digits[count] = b'0' + (rest % 10) as u8;
            count += 1;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        for &digit in digits[..count].iter().rev() {
            name.bytes[usize::from(name.len)] = digit;
            name.len += 1;
        }
        name
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever written into the buffer.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl AsRef<str> for ParamName {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for ParamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ParamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// The action parameters of a request, in wire order: `Action`, `command`,
/// `type`, `urls.0` … `urls.N-1`, then `mainland=1` and/or `oversea=1` (an
/// area that is not chosen is omitted, as the documentation says). Values are
/// raw (not encoded) and borrowed from the request.
///
/// Created by [`FlushOrPush::action_params`].
#[derive(Debug, Clone)]
pub struct ActionParams<'a> {
    request: &'a FlushOrPush,
    next: usize,
    end: usize,
}

impl<'a> ActionParams<'a> {
    fn at(&self, position: usize) -> (ParamName, &'a str) {
        let urls = self.request.urls();
        match position {
            0 => (ParamName::ACTION, ACTION),
            1 => (
                ParamName::COMMAND,
                self.request.operation().command().as_str(),
            ),
            2 => (
                ParamName::TYPE,
                self.request.operation().url_type().as_str(),
            ),
            p if p < 3 + urls.len() => (ParamName::url(p - 3), urls[p - 3].as_str()),
            p => {
                let areas = self.request.areas();
                if p == 3 + urls.len() && areas.mainland() {
                    (ParamName::MAINLAND, "1")
                } else {
                    (ParamName::OVERSEA, "1")
                }
            }
        }
    }
}

impl<'a> Iterator for ActionParams<'a> {
    type Item = (ParamName, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        let item = self.at(self.next);
        self.next += 1;
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.end - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for ActionParams<'_> {}
impl FusedIterator for ActionParams<'_> {}

/// The number of decimal digits in `0..count`, together.
fn digits_total(count: usize) -> usize {
    let mut total = 0;
    let mut width = 1;
    let mut low = 0;
    let mut high = 10;
    while low < count {
        total += (count.min(high) - low) * width;
        width += 1;
        low = high;
        high = high.saturating_mul(10);
    }
    total
}

impl FlushOrPush {
    /// The request's action parameters, in wire order, with raw values.
    ///
    /// ```
    /// use tcdn_model::{Areas, CdnUrl, Operation};
    /// use tcdn_model::v2::FlushOrPush;
    ///
    /// let url: CdnUrl = "https://a.example/x.js".parse()?;
    /// let request = FlushOrPush::new(Operation::PushUrls, Areas::Oversea, [url])?;
    /// let params: Vec<String> = request
    ///     .action_params()
    ///     .map(|(name, value)| format!("{name}={value}"))
    ///     .collect();
    /// assert_eq!(
    ///     params,
    ///     ["Action=FlushOrPushOverall", "command=push", "type=url",
    ///      "urls.0=https://a.example/x.js", "oversea=1"],
    /// );
    /// # Ok::<(), tcdn_model::ModelError>(())
    /// ```
    pub fn action_params(&self) -> ActionParams<'_> {
        let areas = usize::from(self.areas().mainland()) + usize::from(self.areas().oversea());
        ActionParams {
            request: self,
            next: 0,
            end: 3 + self.urls().len() + areas,
        }
    }

    /// The exact length of the form encoding of
    /// [`action_params`](Self::action_params), as [`form_len`](crate::form_len) would count
    /// it, computed without encoding anything.
    pub fn action_params_form_len(&self) -> usize {
        let urls = self.urls();
        let names = urls.len() * "&urls.=".len() + digits_total(urls.len());
        let values: usize = urls.iter().map(|url| form_value_len(url.as_str())).sum();
        Self::fixed_params_form_len(self.operation(), self.areas()) + names + values
    }

    /// The form length of the action parameters of a request of `operation`
    /// and `areas` without its URLs: `Action=…&command=…&type=…` and the
    /// area flags. With [`url_param_form_len`](Self::url_param_form_len) for
    /// each URL, it adds up to
    /// [`action_params_form_len`](Self::action_params_form_len): the
    /// counters a batch planner packs by.
    pub fn fixed_params_form_len(operation: Operation, areas: Areas) -> usize {
        let areas_len = match areas {
            Areas::Mainland => "&mainland=1".len(),
            Areas::Oversea => "&oversea=1".len(),
            Areas::Both => "&mainland=1&oversea=1".len(),
        };
        // Every fixed name and value is unreserved text: encoded as is.
        "Action=".len()
            + ACTION.len()
            + "&command=".len()
            + operation.command().as_str().len()
            + "&type=".len()
            + operation.url_type().as_str().len()
            + areas_len
    }

    /// The form length `url` adds as `&urls.{index}=…`.
    pub fn url_param_form_len(index: usize, url: &CdnUrl) -> usize {
        Self::url_text_form_len(index, url.as_str())
    }

    /// [`url_param_form_len`](Self::url_param_form_len) of a URL's text
    /// (for planners holding URLs as text).
    pub fn url_text_form_len(index: usize, url: &str) -> usize {
        // `&urls.` and `=`, the index's digits, the encoded value.
        "&urls.=".len() + digits_total(index + 1) - digits_total(index) + form_value_len(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::{append_form, form_len};

    fn request(op: Operation, areas: Areas, urls: &[&str]) -> FlushOrPush {
        FlushOrPush::new(op, areas, urls.iter().map(|u| u.parse().unwrap())).unwrap()
    }

    #[test]
    fn param_names_render_inline() {
        assert_eq!(ParamName::url(0).as_str(), "urls.0");
        assert_eq!(ParamName::url(999).as_str(), "urls.999");
        assert_eq!(
            ParamName::url(usize::MAX).as_str(),
            format!("urls.{}", usize::MAX)
        );
        assert_eq!(ParamName::OVERSEA.as_str(), "oversea");
        assert_eq!(format!("{:?}", ParamName::TYPE), r#""type""#);
    }

    #[test]
    fn params_are_in_wire_order_and_omit_unchosen_areas() {
        let r = request(
            Operation::FlushUrls,
            Areas::Both,
            &["https://a/1", "https://a/2"],
        );
        let names: Vec<String> = r.action_params().map(|(n, _)| n.to_string()).collect();
        assert_eq!(
            names,
            [
                "Action", "command", "type", "urls.0", "urls.1", "mainland", "oversea"
            ]
        );
        assert_eq!(r.action_params().len(), 7);
        let m = request(Operation::FlushDirs, Areas::Mainland, &["https://a/"]);
        let last: Vec<_> = m.action_params().skip(3).collect();
        assert_eq!(
            last,
            [
                (ParamName::url(0), "https://a/"),
                (ParamName::MAINLAND, "1")
            ]
        );
    }

    #[test]
    fn form_len_matches_the_encoding() {
        let r = request(
            Operation::PushUrls,
            Areas::Oversea,
            &["https://a.example/猫?x=1&y=%20&z=+~", "http://b/"],
        );
        let mut form = String::new();
        append_form(&mut form, r.action_params());
        assert_eq!(form.len(), r.action_params_form_len());
        assert_eq!(form.len(), form_len(r.action_params()));
        assert_eq!(form_len(std::iter::empty::<(&str, &str)>()), 0);
    }

    #[test]
    fn url_name_digits_add_up() {
        for count in [0, 1, 9, 10, 11, 99, 100, 101, 1000, 12_345] {
            let expected: usize = (0..count).map(|i: usize| i.to_string().len()).sum();
            assert_eq!(digits_total(count), expected, "{count}");
        }
    }

    #[test]
    fn a_url_texts_form_length_is_its_parameters() {
        let url = "https://a.example/猫 x?q=1&r=~";
        for index in [0, 1, 9, 10, 99, 100, 999, 1000, 123_456] {
            let name = ParamName::url(index);
            let expected =
                format!("&{}={}", name.as_str(), tcdn_sign::encode::form_value(url)).len();
            assert_eq!(
                FlushOrPush::url_text_form_len(index, url),
                expected,
                "{index}"
            );
        }
    }

    #[test]
    fn counters_add_up_to_the_form_length() {
        for operation in Operation::ALL {
            for areas in [Areas::Mainland, Areas::Oversea, Areas::Both] {
                let urls: Vec<CdnUrl> = (0..12)
                    .map(|i| format!("https://a.example/{i}?x=a+b&y=猫").parse().unwrap())
                    .take(operation.max_urls_per_request())
                    .collect();
                let r = FlushOrPush::new(operation, areas, urls).unwrap();
                let mut form = String::new();
                append_form(&mut form, r.action_params());
                let counted = FlushOrPush::fixed_params_form_len(operation, areas)
                    + r.urls()
                        .iter()
                        .enumerate()
                        .map(|(i, url)| FlushOrPush::url_param_form_len(i, url))
                        .sum::<usize>();
                assert_eq!(counted, form.len());
                assert_eq!(r.action_params_form_len(), form.len());
            }
        }
    }
}
