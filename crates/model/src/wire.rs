//! The wire form of a request: its ordered action parameters, their form
//! encoding and size, the transport's size limits, batch planning under those
//! limits, and the way back (form decoding and parameter parsing, for the
//! emulator).

use std::fmt;
use std::iter::FusedIterator;

use tcdn_sign::encode::{form_value_into, form_value_len};

use crate::error::{ModelError, ModelErrorKind, quote};
use crate::request::{Areas, Command, FlushOrPush, Operation, UrlType, check_count};
use crate::url::CdnUrl;

/// The `Action` value of this API.
pub const ACTION: &str = "FlushOrPushOverall";

/// The endpoint's host.
pub const ENDPOINT_HOST: &str = "cdn.api.qcloud.com";

/// The endpoint's path; a GET request target is this, `?` and the query.
pub const ENDPOINT_PATH: &str = "/v2/index.php";

/// The largest GET request target (path, `?` and query) in bytes.
///
/// The documentation says "32 KB" (docs/protocol.md §1.1); we take it as 32768
/// bytes, counted over the whole request target (\[U\]: not verified against the
/// server). Over the limit the server answers HTTP 501.
pub const MAX_GET_REQUEST_TARGET_LEN: usize = 32 * 1024;

/// The largest POST body in bytes: "1 MB", taken as 1048576 bytes (\[U\]).
pub const MAX_POST_BODY_LEN: usize = 1024 * 1024;

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

/// Appends the form encoding (`k=v&k=v`, keys and values encoded with the
/// legacy SDK's `quote_plus` rules) of `pairs` to `out`. When `out` is not
/// empty, a joining `&` goes first, so the action parameters and the common
/// parameters can be appended one after the other.
///
/// ```
/// let mut form = String::new();
/// tcdn_model::append_form(&mut form, [("urls.0", "https://a.example/a b?x=1&y=2")]);
/// tcdn_model::append_form(&mut form, [("Nonce", "7")]);
/// assert_eq!(form, "urls.0=https%3A%2F%2Fa.example%2Fa+b%3Fx%3D1%26y%3D2&Nonce=7");
/// ```
pub fn append_form<I, K, V>(out: &mut String, pairs: I)
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    for (key, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        form_value_into(key.as_ref(), out);
        out.push('=');
        form_value_into(value.as_ref(), out);
    }
}

/// The exact length in bytes of what [`append_form`] writes for `pairs` into
/// an empty string (without a leading `&`).
pub fn form_len<I, K, V>(pairs: I) -> usize
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut total = 0;
    let mut count = 0usize;
    for (key, value) in pairs {
        total += form_value_len(key.as_ref()) + 1 + form_value_len(value.as_ref());
        count += 1;
    }
    total + count.saturating_sub(1)
}

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
    /// use tcdn_model::{Areas, CdnUrl, FlushOrPush, Operation};
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
    /// [`action_params`](Self::action_params), as [`form_len`] would count
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

    /// Parses decoded wire parameters back into a request, as the server
    /// would read them (for the emulator).
    ///
    /// Read: `command`, `type`, `mainland`, `oversea` and every name that is
    /// `urls` or starts with `urls.`. Everything else (`Action`, `SecretId`,
    /// `Timestamp`, `Nonce`, `Signature`, `SignatureMethod`, `Token`,
    /// `RequestClient`, `Region`, unknown extras) is ignored: it is the
    /// caller's business.
    ///
    /// Rules and the error kind for each, in the order they are checked:
    /// 1. `command`, `type`, `mainland` or `oversea` twice →
    ///    [`DuplicateParameter`](ModelErrorKind::DuplicateParameter) (PHP
    ///    would silently keep the last; refusing it shows client bugs).
    /// 2. `command` or `type` missing →
    ///    [`MissingParameter`](ModelErrorKind::MissingParameter); not exactly
    ///    `flush`/`push` → [`UnknownCommand`](ModelErrorKind::UnknownCommand);
    ///    not exactly `url`/`dir` → [`UnknownType`](ModelErrorKind::UnknownType);
    ///    `push` with `dir` → [`PushDirectory`](ModelErrorKind::PushDirectory).
    /// 3. `mainland`/`oversea`: `1` chooses the area; `0` or empty means not
    ///    chosen, like an absent flag (\[U\]: the document only defines `1` and
    ///    absent]; any other value →
    ///    [`InvalidAreaFlag`](ModelErrorKind::InvalidAreaFlag); none chosen →
    ///    [`NoArea`](ModelErrorKind::NoArea).
    /// 4. URL names must be `urls.N` with N a canonical decimal (no sign, no
    ///    leading zero), each N once, and together exactly `0..count` (no
    ///    gaps); otherwise [`UrlIndex`](ModelErrorKind::UrlIndex).
    /// 5. No URLs → [`NoUrls`](ModelErrorKind::NoUrls); more than the
    ///    operation's limit → [`TooManyUrls`](ModelErrorKind::TooManyUrls)
    ///    with the operation, count and limit (the server answers those with
    ///    module codes 22043/22045/23100, not 4000).
    /// 6. Each value must be a valid [`CdnUrl`] (its own kinds), and distinct
    ///    ([`DuplicateUrl`](ModelErrorKind::DuplicateUrl)).
    ///
    /// Accepts any pairs of string-likes: `(&str, &str)`, `(String, String)`,
    /// or `pairs.iter().map(|(k, v)| (k, v))` over a slice of owned pairs.
    ///
    /// ```
    /// use tcdn_model::{FlushOrPush, ModelErrorKind, Operation, decode_form};
    ///
    /// let pairs = decode_form(
    ///     b"Action=FlushOrPushOverall&Nonce=1&command=flush&type=dir&oversea=1\
    ///       &urls.0=https%3A%2F%2Fa.example%2Fstatic%2F&Signature=abc%3D",
    /// )?;
    /// let request = FlushOrPush::from_params(pairs.iter().map(|(k, v)| (k, v)))?;
    /// assert_eq!(request.operation(), Operation::FlushDirs);
    ///
    /// let err = FlushOrPush::from_params([("command", "push"), ("type", "dir")]).unwrap_err();
    /// assert_eq!(err.kind(), ModelErrorKind::PushDirectory);
    /// # Ok::<(), tcdn_model::ModelError>(())
    /// ```
    pub fn from_params<I, K, V>(params: I) -> Result<Self, ModelError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut command = Slot::new("command");
        let mut url_type = Slot::new("type");
        let mut mainland = Slot::new("mainland");
        let mut oversea = Slot::new("oversea");
        let mut indexed: Vec<(usize, String)> = Vec::new();
        for (key, value) in params {
            let (key, value) = (key.as_ref(), value.as_ref());
            match key {
                "command" => command.set(value)?,
                "type" => url_type.set(value)?,
                "mainland" => mainland.set(value)?,
                "oversea" => oversea.set(value)?,
                _ if key == "urls" || key.starts_with("urls.") => {
                    indexed.push((url_index(key)?, value.to_owned()));
                }
                _ => {}
            }
        }

        let command: Command = command.required()?.parse()?;
        let url_type: UrlType = url_type.required()?.parse()?;
        let operation = Operation::from_parts(command, url_type)?;
        let areas = Areas::from_flags(area_flag(&mainland)?, area_flag(&oversea)?)?;

        indexed.sort_unstable_by_key(|(index, _)| *index);
        for (position, (index, _)) in indexed.iter().enumerate() {
            if *index != position {
                let rule = if position > 0 && indexed[position - 1].0 == *index {
                    format!("urls.{index} appears more than once")
                } else {
                    format!("urls.{position} is missing but urls.{index} is present")
                };
                return Err(ModelError::new(
                    ModelErrorKind::UrlIndex,
                    format!("{rule}; URLs must be numbered urls.0, urls.1, … without gaps"),
                ));
            }
        }
        check_count(operation, indexed.len())?;

        let urls = indexed
            .into_iter()
            .map(|(_, value)| CdnUrl::try_from(value))
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(operation, areas, urls)
    }
}

/// A parameter that may appear at most once.
struct Slot {
    name: &'static str,
    value: Option<String>,
}

impl Slot {
    fn new(name: &'static str) -> Self {
        Self { name, value: None }
    }

    fn set(&mut self, value: &str) -> Result<(), ModelError> {
        if let Some(first) = &self.value {
            return Err(ModelError::new(
                ModelErrorKind::DuplicateParameter,
                format!(
                    "parameter {} appears more than once ({} and {}); send it once",
                    self.name,
                    quote(first),
                    quote(value)
                ),
            ));
        }
        self.value = Some(value.to_owned());
        Ok(())
    }

    fn required(&self) -> Result<&str, ModelError> {
        self.value.as_deref().ok_or_else(|| {
            ModelError::new(
                ModelErrorKind::MissingParameter,
                format!("required parameter {} is missing", self.name),
            )
        })
    }
}

fn area_flag(slot: &Slot) -> Result<bool, ModelError> {
    match slot.value.as_deref() {
        None | Some("") | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(other) => Err(ModelError::new(
            ModelErrorKind::InvalidAreaFlag,
            format!(
                "parameter {} is {}; it must be 1 (chosen), or 0 or empty (not chosen)",
                slot.name,
                quote(other)
            ),
        )),
    }
}

/// The N of a `urls.N` name, which must be a canonical decimal.
fn url_index(key: &str) -> Result<usize, ModelError> {
    let digits = key.strip_prefix("urls.").unwrap_or("");
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    match digits.parse::<usize>() {
        Ok(index) if canonical => Ok(index),
        _ => Err(ModelError::new(
            ModelErrorKind::UrlIndex,
            format!(
                "parameter name {} is not urls.N with N a decimal index (urls.0, urls.1, …)",
                quote(key)
            ),
        )),
    }
}

/// Decodes an `application/x-www-form-urlencoded` body or a raw query string
/// (without the `?`) into name/value pairs, in order.
///
/// Both `+` and `%20` decode to a space. Pairs are split on `&`; empty pieces
/// (`a=1&&b=2`) are skipped, and a piece without `=` is a name with an empty
/// value. A `%` not followed by two hex digits is kept literally, as browsers
/// and PHP do. Decoded bytes that are not UTF-8 (invalid escapes like `%FF`,
/// or raw non-UTF-8 input) are an error of kind
/// [`FormEncoding`](ModelErrorKind::FormEncoding), never replaced: replacing
/// them would change a value the signature covers. Never panics.
///
/// ```
/// let pairs = tcdn_model::decode_form(b"a=x+y%20z&b&c=%E7%8C%AB%2B")?;
/// assert_eq!(pairs, [
///     ("a".to_owned(), "x y z".to_owned()),
///     ("b".to_owned(), String::new()),
///     ("c".to_owned(), "猫+".to_owned()),
/// ]);
/// assert!(tcdn_model::decode_form(b"a=%FF").is_err());
/// # Ok::<(), tcdn_model::ModelError>(())
/// ```
pub fn decode_form(input: &[u8]) -> Result<Vec<(String, String)>, ModelError> {
    input
        .split(|&b| b == b'&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = match piece.iter().position(|&b| b == b'=') {
                Some(eq) => (&piece[..eq], &piece[eq + 1..]),
                None => (piece, &piece[piece.len()..]),
            };
            Ok((decode_component(name)?, decode_component(value)?))
        })
        .collect()
}

fn decode_component(raw: &[u8]) -> Result<String, ModelError> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => bytes.push(b' '),
            b'%' => match (
                raw.get(i + 1).and_then(|&b| hex_value(b)),
                raw.get(i + 2).and_then(|&b| hex_value(b)),
            ) {
                (Some(high), Some(low)) => {
                    bytes.push(high << 4 | low);
                    i += 2;
                }
                _ => bytes.push(b'%'),
            },
            other => bytes.push(other),
        }
        i += 1;
    }
    String::from_utf8(bytes).map_err(|_| {
        ModelError::new(
            ModelErrorKind::FormEncoding,
            format!(
                "form component {} does not decode to UTF-8 text",
                quote(&String::from_utf8_lossy(raw))
            ),
        )
    })
}

const fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(op: Operation, areas: Areas, urls: &[&str]) -> FlushOrPush {
        FlushOrPush::new(op, areas, urls.iter().map(|u| u.parse().unwrap())).unwrap()
    }

    fn kind(params: &[(&str, &str)]) -> Option<ModelErrorKind> {
        FlushOrPush::from_params(params.iter().copied())
            .err()
            .map(|e| e.kind())
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

    #[test]
    fn parser_reads_what_the_server_reads() {
        let params = [
            ("Action", "FlushOrPushOverall"),
            ("SecretId", "AKID"),
            ("urls.1", "https://a/2"),
            ("command", "flush"),
            ("urls.0", "https://a/1"),
            ("type", "url"),
            ("mainland", "0"),
            ("oversea", "1"),
            ("Region", "gz"),
        ];
        let r = FlushOrPush::from_params(params).unwrap();
        assert_eq!(
            r,
            request(
                Operation::FlushUrls,
                Areas::Oversea,
                &["https://a/1", "https://a/2"]
            )
        );
    }

    #[test]
    fn parser_refusals() {
        use ModelErrorKind::*;
        let base = |extra: &[(&'static str, &'static str)]| {
            let mut p = vec![("command", "flush"), ("type", "url"), ("mainland", "1")];
            p.extend_from_slice(extra);
            p
        };
        let url = ("urls.0", "https://a/");
        assert_eq!(kind(&base(&[url])), None);
        assert_eq!(
            kind(&[("type", "url"), ("mainland", "1"), url]),
            Some(MissingParameter)
        );
        assert_eq!(
            kind(&[("command", "flush"), ("mainland", "1"), url]),
            Some(MissingParameter)
        );
        assert_eq!(
            kind(&base(&[url, ("command", "flush")])),
            Some(DuplicateParameter)
        );
        assert_eq!(
            kind(&[
                ("command", "Flush"),
                ("type", "url"),
                ("mainland", "1"),
                url
            ]),
            Some(UnknownCommand)
        );
        assert_eq!(
            kind(&[
                ("command", "flush"),
                ("type", "file"),
                ("mainland", "1"),
                url
            ]),
            Some(UnknownType)
        );
        assert_eq!(
            kind(&[("command", "push"), ("type", "dir"), ("mainland", "1"), url]),
            Some(PushDirectory)
        );
        assert_eq!(
            kind(&[("command", "flush"), ("type", "url"), url]),
            Some(NoArea)
        );
        assert_eq!(
            kind(&[
                ("command", "flush"),
                ("type", "url"),
                ("mainland", ""),
                ("oversea", "0"),
                url
            ]),
            Some(NoArea)
        );
        assert_eq!(kind(&base(&[url, ("oversea", "2")])), Some(InvalidAreaFlag));
        assert_eq!(kind(&base(&[])), Some(NoUrls));
        assert_eq!(kind(&base(&[("urls.1", "https://a/")])), Some(UrlIndex));
        assert_eq!(
            kind(&base(&[url, ("urls.0", "https://b/")])),
            Some(UrlIndex)
        );
        assert_eq!(kind(&base(&[("urls.01", "https://a/")])), Some(UrlIndex));
        assert_eq!(kind(&base(&[("urls.x", "https://a/")])), Some(UrlIndex));
        assert_eq!(kind(&base(&[("urls", "https://a/")])), Some(UrlIndex));
        assert_eq!(kind(&base(&[("urls.-1", "https://a/")])), Some(UrlIndex));
        assert_eq!(
            kind(&base(&[("urls.99999999999999999999999", "https://a/")])),
            Some(UrlIndex)
        );
        assert_eq!(kind(&base(&[("urls.0", "ftp://a/")])), Some(UrlScheme));
        assert_eq!(
            kind(&base(&[url, ("urls.1", "https://a/")])),
            Some(DuplicateUrl)
        );
        let many: Vec<(String, String)> = (0..21)
            .map(|i| (format!("urls.{i}"), format!("https://a/{i}")))
            .chain(
                [("command", "push"), ("type", "url"), ("oversea", "1")]
                    .map(|(k, v)| (k.into(), v.into())),
            )
            .collect();
        assert_eq!(
            FlushOrPush::from_params(many).unwrap_err().kind(),
            TooManyUrls {
                operation: Operation::PushUrls,
                count: 21,
                limit: 20
            }
        );
    }

    #[test]
    fn gap_and_repeat_messages() {
        let err = FlushOrPush::from_params([
            ("command", "flush"),
            ("type", "url"),
            ("mainland", "1"),
            ("urls.0", "https://a/"),
            ("urls.2", "https://b/"),
        ])
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("urls.1 is missing but urls.2 is present"),
            "{err}"
        );
        let err = FlushOrPush::from_params([
            ("command", "flush"),
            ("type", "url"),
            ("mainland", "1"),
            ("urls.0", "https://a/"),
            ("urls.0", "https://b/"),
        ])
        .unwrap_err();
        assert!(
            err.to_string().starts_with("urls.0 appears more than once"),
            "{err}"
        );
    }

    #[test]
    fn decoder_edge_cases() {
        let decoded = decode_form(b"&&a=%&b=%4&c=%zz&d=%41%42&=v&e==x").unwrap();
        let expect = [
            ("a", "%"),
            ("b", "%4"),
            ("c", "%zz"),
            ("d", "AB"),
            ("", "v"),
            ("e", "=x"),
        ];
        let got: Vec<(&str, &str)> = decoded
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(got, expect);
        assert_eq!(decode_form(b"").unwrap(), []);
        let err = decode_form(b"k=\xff").unwrap_err();
        assert_eq!(err.kind(), ModelErrorKind::FormEncoding);
        assert_eq!(
            decode_form(b"%E7%8C=1").unwrap_err().kind(),
            ModelErrorKind::FormEncoding
        );
    }
}
