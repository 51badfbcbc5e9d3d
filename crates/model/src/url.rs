//! [`CdnUrl`]: a URL or directory that may be flushed or pushed.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{ModelError, ModelErrorKind, quote};

/// The longest URL we accept, in bytes.
///
/// The server publishes no limit (docs/protocol.md §4.2, §9), so this is our own
/// choice: 4096 bytes is far above what real CDN paths use, and it bounds the
/// size of one `urls.N` parameter so that the wire-size planning stays sane.
pub const MAX_URL_LEN: usize = 4096;

/// A validated `http://` or `https://` URL (or directory) to flush or push.
///
/// Rules, checked by [`CdnUrl::parse`] (and so by `FromStr`, `TryFrom` and
/// serde deserialization):
/// - at most [`MAX_URL_LEN`] bytes;
/// - no whitespace, no control characters and no invisible format
///   characters (Unicode category Cf: zero-width space U+200B, the
///   right-to-left override U+202E, the byte order mark U+FEFF, …) anywhere:
///   they make two URLs that look the same differ, or one URL look like
///   another (write a space as `%20`);
/// - the scheme is `http://` or `https://`, in any letter case;
/// - a host follows, optionally with `:port` (1 to 5 digits, 1 to 65535);
///   user info (`user@host`) is refused because a CDN never sees it and it
///   would leak credentials into logs;
/// - the host is a bracketed IPv6 literal (hex digits, `:` and `.`), or a
///   name of non-empty dot-separated labels (no leading, trailing or doubled
///   `.`) made of letters, digits, `-`, `_`, `~`, the RFC 3986 sub-delimiters
///   `!$&'()*+,;=`, `%XX` escapes and non-ASCII characters (internationalised
///   names are sent as given); `"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`,
///   `}` and a bare `%` cannot appear in a host;
/// - no `#` fragment (browsers never send it, so no cache key contains it);
/// - every `%` starts an escape of two hex digits (`%20`, `%E5`): `%zz` or a
///   `%2` at the end is a typo no server decodes the same way (write a
///   literal `%` as `%25`).
///
/// **Sent as given.** The value is never normalised: non-ASCII characters
/// (`https://例子.cn/图片.jpg`) stay as they are and already-percent-encoded
/// sequences (`%E5%9B%BE`, `%20`) are not decoded. On the wire
/// the whole value is form-encoded once more (so `%20` travels as `%2520`),
/// and the signature covers the raw value. Whether the CDN treats `图` and
/// `%E5%9B%BE` as the same cache key is the CDN's business; pass the form
/// your site serves.
///
/// ```
/// use tcdn_model::CdnUrl;
///
/// let url: CdnUrl = "HTTPS://www.example.com/图片/a%20b.jpg?v=1&w=2".parse()?;
/// assert_eq!(url.as_str(), "HTTPS://www.example.com/图片/a%20b.jpg?v=1&w=2");
/// assert!("ftp://example.com/a".parse::<CdnUrl>().is_err());
/// assert!("https://example.com/a b".parse::<CdnUrl>().is_err());
/// # Ok::<(), tcdn_model::ModelError>(())
/// ```
///
/// Equality (`==`, `Hash`, `Ord`) is byte for byte. To find URLs that name
/// the same resource whatever the letter case of their scheme and host
/// (`HTTPS://Example.COM/a` and `https://example.com/a`), compare
/// [`dedupe_key`](CdnUrl::dedupe_key)s or use
/// [`same_resource`](CdnUrl::same_resource); the path and query keep their
/// case, since servers may tell `/A` from `/a`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CdnUrl(Box<str>);

impl CdnUrl {
    /// Validates `value` and wraps it.
    pub fn parse(value: &str) -> Result<Self, ModelError> {
        validate(value)?;
        Ok(Self(value.into()))
    }

    /// Wraps text already known to be valid (it was validated on its way
    /// into a [`CdnUrlList`](crate::CdnUrlList)), without checking it again.
    pub(crate) fn from_valid(value: &str) -> Self {
        Self(value.into())
    }

    /// The URL exactly as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host, as given (no port, no brackets removed from an IPv6
    /// literal): `www.example.com` of `https://www.example.com:8443/a`.
    ///
    /// ```
    /// use tcdn_model::CdnUrl;
    ///
    /// let url: CdnUrl = "https://WWW.example.com:8443/a?b".parse()?;
    /// assert_eq!(url.host(), "WWW.example.com");
    /// let ipv6: CdnUrl = "http://[::1]:80/a".parse()?;
    /// assert_eq!(ipv6.host(), "[::1]");
    /// # Ok::<(), tcdn_model::ModelError>(())
    /// ```
    pub fn host(&self) -> &str {
        let value = self.as_str();
        let authority = &value[scheme_len(value)..scheme_and_authority_len(value)];
        match authority.strip_prefix('[') {
            Some(rest) => rest
                .find(']')
                .map_or(authority, |end| &authority[..end + 2]),
            None => authority.split(':').next().unwrap_or(authority),
        }
    }

    /// The URL as an owned string.
    pub fn into_string(self) -> String {
        self.0.into_string()
    }

    /// The URL with its scheme and host in lower case and everything else as
    /// given: two URLs with equal keys name the same resource. Borrowed (no
    /// allocation) when the scheme and host are already lower case, as they
    /// nearly always are. Only for comparing: the URL is still sent as given.
    ///
    /// Host letters are lowered with Unicode's rules, so `Ä.example` and
    /// `ä.example` match, as they do once the host is converted to its
    /// IDNA form.
    ///
    /// ```
    /// use tcdn_model::CdnUrl;
    ///
    /// let a: CdnUrl = "HTTPS://WWW.Example.com:8443/Img/A.png?V=1".parse()?;
    /// assert_eq!(a.dedupe_key(), "https://www.example.com:8443/Img/A.png?V=1");
    /// let b: CdnUrl = "https://www.example.com:8443/Img/A.png?V=1".parse()?;
    /// assert!(a.same_resource(&b));
    /// assert!(matches!(b.dedupe_key(), std::borrow::Cow::Borrowed(_)));
    /// let c: CdnUrl = "https://www.example.com:8443/img/A.png?V=1".parse()?;
    /// assert!(!a.same_resource(&c));
    /// # Ok::<(), tcdn_model::ModelError>(())
    /// ```
    pub fn dedupe_key(&self) -> Cow<'_, str> {
        dedupe_key_of(self.as_str())
    }

    /// Whether `self` and `other` name the same resource: equal but for the
    /// letter case of scheme and host (see [`dedupe_key`](Self::dedupe_key)).
    pub fn same_resource(&self, other: &CdnUrl) -> bool {
        self == other || self.dedupe_key() == other.dedupe_key()
    }
}

/// [`CdnUrl::dedupe_key`] of the text of a validated URL.
pub(crate) fn dedupe_key_of(value: &str) -> Cow<'_, str> {
    let (end, marked) = scheme_and_authority(value);
    let head = &value[..end];
    // Only a head with an ASCII capital or a non-ASCII byte (rarely any)
    // needs decoding into chars.
    if !marked || !head.chars().any(char::is_uppercase) {
        return Cow::Borrowed(value);
    }
    let mut key = String::with_capacity(value.len());
    key.push_str(&head.to_lowercase());
    key.push_str(&value[end..]);
    Cow::Owned(key)
}

/// The length of `scheme://authority` in a validated URL.
fn scheme_and_authority_len(value: &str) -> usize {
    scheme_and_authority(value).0
}

/// The length of `scheme://authority` in a validated URL (up to the first
/// `/` or `?` after the scheme), and whether it holds an ASCII capital or
/// a non-ASCII byte.
///
/// Deduplicating calls this once per input URL, so it looks at eight bytes
/// at a time: a substring search and a byte loop cost several times what
/// the rest of the dedupe key does.
fn scheme_and_authority(value: &str) -> (usize, bool) {
    use crate::swar::{capital_or_wide_at, equal_at, low_bytes, padded, word};
    let bytes = value.as_bytes();
    let after_scheme = scheme_len(value);
    let mut marked = if after_scheme <= 8 && bytes.len() >= 8 {
        capital_or_wide_at(word(bytes, 0)) & low_bytes(after_scheme) != 0
    } else {
        bytes[..after_scheme]
            .iter()
            .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
    };
    let mut at = after_scheme;
    loop {
        let rest = &bytes[at..];
        // The tail is padded with `a`, which neither ends nor marks a head.
        let eight = match rest.len() {
            0..8 => padded(rest, b'a'),
            _ => word(bytes, at),
        };
        let stops = equal_at(eight, b'/') | equal_at(eight, b'?');
        if stops != 0 || rest.len() <= 8 {
            let len = match stops {
                0 => rest.len(),
                _ => (stops.trailing_zeros() / 8) as usize,
            };
            marked |= capital_or_wide_at(eight) & low_bytes(len) != 0;
            return (at + len, marked);
        }
        marked |= capital_or_wide_at(eight) != 0;
        at += 8;
    }
}

/// The length of `scheme://` in a validated URL (0 if it has none): the
/// `http://` or `https://` every validated URL starts with is matched in
/// place, any other text is searched for its first `://`.
fn scheme_len(value: &str) -> usize {
    const HTTPS: u64 = u64::from_le_bytes(*b"https://");
    const HTTP: u64 = u64::from_le_bytes(*b"http://\0");
    const SEVEN: u64 = u64::MAX >> 8;
    let bytes = value.as_bytes();
    if bytes.len() >= 8 {
        // Lower case by `| 0x20` on the letters' bytes only: exact there
        // (only `H` and `h` give `h`), where on `:` and `/` it is not.
        let eight = crate::swar::word(bytes, 0);
        if eight | 0x20_2020_2020 == HTTPS {
            return 8;
        }
        if (eight | 0x2020_2020) & SEVEN == HTTP {
            return 7;
        }
    }
    value.find("://").map_or(0, |at| at + 3)
}

/// Whether `c` is an invisible format character (Unicode general category
/// Cf, Unicode 15.1): soft hyphen, Arabic number signs, zero-width space and
/// joiners, bidirectional marks, embeddings, overrides and isolates, the
/// byte order mark, interlinear annotation, tags, ….
pub(crate) fn is_format_char(c: char) -> bool {
    const CF: &[(u32, u32)] = &[
        (0x00AD, 0x00AD),
        (0x0600, 0x0605),
        (0x061C, 0x061C),
        (0x06DD, 0x06DD),
        (0x070F, 0x070F),
        (0x0890, 0x0891),
        (0x08E2, 0x08E2),
        (0x180E, 0x180E),
        (0x200B, 0x200F),
        (0x202A, 0x202E),
        (0x2060, 0x2064),
        (0x2066, 0x206F),
        (0xFEFF, 0xFEFF),
        (0xFFF9, 0xFFFB),
        (0x110BD, 0x110BD),
        (0x110CD, 0x110CD),
        (0x13430, 0x1343F),
        (0x1BCA0, 0x1BCA3),
        (0x1D173, 0x1D17A),
        (0xE0001, 0xE0001),
        (0xE0020, 0xE007F),
    ];
    let c = u32::from(c);
    if c < 0xAD {
        return false;
    }
    CF.binary_search_by(|&(low, high)| {
        if high < c {
            std::cmp::Ordering::Less
        } else if low > c {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    })
    .is_ok()
}

pub(crate) fn validate(value: &str) -> Result<(), ModelError> {
    if is_plainly_valid(value) {
        return Ok(());
    }
    validate_in_full(value)
}

/// The fast path of [`validate`], for the URLs nearly every input holds:
/// printable ASCII without `#`, checked in one pass over the bytes, eight
/// at a time, instead of a pass per rule. `true` only when
/// every rule holds; anything else (non-ASCII text, a refused URL) goes
/// through [`validate_in_full`], which alone words the errors, so both
/// paths accept the same URLs and refuse them with the same messages.
fn is_plainly_valid(value: &str) -> bool {
    use crate::swar::{any_above, any_below, any_equal, fold_words, splat};
    let bytes = value.as_bytes();
    if bytes.len() > MAX_URL_LEN {
        return false;
    }
    // Printable ASCII other than `#` (0x21..=0x7E): no whitespace, control,
    // format or fragment character can be among these bytes. The same pass
    // notes a `%` in the bytes' low bits (the tests above set high bits
    // only), so a URL without escapes costs no second scan.
    let folded = fold_words(bytes, b'a', |w| {
        any_below(w, 0x21) | any_above(w, 0x7E) | any_equal(w, b'#') | (any_equal(w, b'%') >> 7)
    });
    let refused = folded & splat(0x80);
    let has_percent = folded & splat(0x01) != 0;
    refused == 0
        && plain_scheme_len(bytes).is_some_and(|len| is_plain_authority(&bytes[len..]))
        && (!has_percent || bad_escape(value).is_none())
}

/// The first `%` of `value` that does not start a `%XX` escape of two hex
/// digits, with the (at most two) characters after it.
fn bad_escape(value: &str) -> Option<&str> {
    let bytes = value.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'%')
        .map(|(at, _)| at)
        .find(|&at| {
            !(bytes.get(at + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(at + 2).is_some_and(u8::is_ascii_hexdigit))
        })
        .map(|at| {
            let end = value[at + 1..]
                .char_indices()
                .nth(2)
                .map_or(value.len(), |(i, _)| at + 1 + i);
            &value[at..end]
        })
}

/// The length of the `http://` or `https://` (any case) that starts
/// `bytes`, which the caller has checked are printable ASCII: one compare
/// of the first eight bytes, letters folded to lower case by setting bit
/// `0x20`, which `:` and `/` already have and which no other printable byte
/// turns into a scheme's letter, colon or slash.
fn plain_scheme_len(bytes: &[u8]) -> Option<usize> {
    const HTTPS: u64 = u64::from_le_bytes(*b"https://");
    const HTTP: u64 = u64::from_le_bytes(*b"http://\0");
    const SEVEN: u64 = u64::MAX >> 8;
    if bytes.len() < 8 {
        return None;
    }
    let folded = crate::swar::word(bytes, 0) | crate::swar::splat(0x20);
    if folded == HTTPS {
        Some(8)
    } else if folded & SEVEN == HTTP {
        Some(7)
    } else {
        None
    }
}

/// Whether the URL after its scheme starts with a plain authority: a host
/// of non-empty dot-separated labels of ASCII letters, digits, `-` and `_`,
/// and optionally a port of 1 to 5 digits from 1 to 65535, up to the end,
/// a `/` or a `?`. `false` for anything else, valid or not (IPv6, escapes,
/// sub-delimiters), which [`check_authority`] then judges.
fn is_plain_authority(rest: &[u8]) -> bool {
    /// The bytes of a plain label: ASCII letters, digits, `-` and `_`.
    const LABEL: [bool; 256] = {
        let mut table = [false; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            table[b] = c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
            b += 1;
        }
        table
    };
    let mut at = 0;
    loop {
        let start = at;
        while at < rest.len() && LABEL[usize::from(rest[at])] {
            at += 1;
        }
        if at == start {
            // An empty label: nothing, or a `.`, `:` or `/` first.
            return false;
        }
        match rest.get(at) {
            None | Some(b'/' | b'?') => return true,
            Some(b'.') => at += 1,
            Some(b':') => return is_plain_port(&rest[at + 1..]),
            Some(_) => return false,
        }
    }
}

/// Whether `rest` starts with a port of 1 to 5 digits from 1 to 65535,
/// followed by the end, a `/` or a `?`.
fn is_plain_port(rest: &[u8]) -> bool {
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if !(1..=5).contains(&digits) || !matches!(rest.get(digits), None | Some(b'/' | b'?')) {
        return false;
    }
    let port = rest[..digits]
        .iter()
        .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
    (1..=u32::from(u16::MAX)).contains(&port)
}

/// Every rule, one at a time, with the message of the first one broken.
fn validate_in_full(value: &str) -> Result<(), ModelError> {
    if value.len() > MAX_URL_LEN {
        return Err(ModelError::new(
            ModelErrorKind::UrlTooLong,
            format!(
                "URL {} is {} bytes long; at most {MAX_URL_LEN} bytes are allowed",
                quote(value),
                value.len()
            ),
        ));
    }
    if let Some(bad) = value.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(ModelError::new(
            ModelErrorKind::UrlCharacter,
            format!(
                "URL {} contains {bad:?}; whitespace and control characters are not allowed \
                 (write a space as %20)",
                quote(value)
            ),
        ));
    }
    if let Some(bad) = value.chars().find(|&c| is_format_char(c)) {
        return Err(ModelError::new(
            ModelErrorKind::UrlCharacter,
            format!(
                "URL {} contains the invisible format character U+{:04X}; remove it \
                 (it makes the URL look like another)",
                quote(value),
                u32::from(bad)
            ),
        ));
    }
    let rest = strip_scheme(value).ok_or_else(|| {
        ModelError::new(
            ModelErrorKind::UrlScheme,
            format!("URL {} must start with http:// or https://", quote(value)),
        )
    })?;
    if value.contains('#') {
        return Err(ModelError::new(
            ModelErrorKind::UrlFragment,
            format!(
                "URL {} contains a #fragment, which never reaches a CDN; remove it",
                quote(value)
            ),
        ));
    }
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    check_authority(&rest[..authority_end]).map_err(|rule| {
        ModelError::new(
            ModelErrorKind::UrlHost,
            format!("URL {}: {rule}", quote(value)),
        )
    })?;
    if let Some(escape) = bad_escape(value) {
        return Err(ModelError::new(
            ModelErrorKind::UrlCharacter,
            format!(
                "URL {} holds the invalid percent-escape {}; `%` must be followed by two \
                 hex digits (write a literal % as %25)",
                quote(value),
                quote(escape)
            ),
        ));
    }
    Ok(())
}

/// The part after `http://` or `https://`, matched without regard to case.
fn strip_scheme(value: &str) -> Option<&str> {
    ["https://", "http://"].into_iter().find_map(|scheme| {
        let head = value.get(..scheme.len())?;
        head.eq_ignore_ascii_case(scheme)
            .then(|| &value[scheme.len()..])
    })
}

fn check_authority(authority: &str) -> Result<(), Cow<'static, str>> {
    if authority.contains('@') {
        return Err("user info (user@host) is not allowed".into());
    }
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        let close = inner
            .find(']')
            .ok_or("an IPv6 host must be closed with ]")?;
        let after = &inner[close + 1..];
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or("only :port may follow an IPv6 host")?,
            ),
        };
        (&inner[..close], port)
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("a host is required after the scheme".into());
    }
    if authority.starts_with('[') {
        if !host
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return Err("an IPv6 host holds only hex digits, `:` and `.`".into());
        }
    } else {
        check_host_name(host)?;
    }
    if let Some(port) = port {
        let valid = (1..=5).contains(&port.len())
            && port.bytes().all(|b| b.is_ascii_digit())
            && port
                .parse::<u32>()
                .is_ok_and(|p| (1..=u32::from(u16::MAX)).contains(&p));
        if !valid {
            return Err("the port must be 1 to 5 digits, from 1 to 65535".into());
        }
    }
    Ok(())
}

/// A registered name: RFC 3986 `reg-name` characters plus non-ASCII ones,
/// in non-empty dot-separated labels.
pub(crate) fn check_host_name(host: &str) -> Result<(), Cow<'static, str>> {
    if host.contains(['[', ']']) {
        return Err("brackets are only allowed around an IPv6 host".into());
    }
    let bytes = host.as_bytes();
    for (at, &b) in bytes.iter().enumerate() {
        let allowed = b.is_ascii_alphanumeric()
            || b >= 0x80
            || b"-._~!$&'()*+,;=".contains(&b)
            || (b == b'%'
                && bytes.get(at + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(at + 2).is_some_and(u8::is_ascii_hexdigit));
        if !allowed {
            let shown = host[at..].chars().next().unwrap_or('%');
            return Err(format!(
                "the host may not hold {shown:?}; a host holds only letters, digits, \
                 `-._~!$&'()*+,;=`, %XX escapes and non-ASCII characters"
            )
            .into());
        }
    }
    if host.split('.').any(str::is_empty) {
        return Err("the host has an empty label (a leading, trailing or doubled `.`)".into());
    }
    Ok(())
}

impl FromStr for CdnUrl {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for CdnUrl {
    type Error = ModelError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        validate(&value)?;
        Ok(Self(value.into_boxed_str()))
    }
}

impl TryFrom<&str> for CdnUrl {
    type Error = ModelError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<CdnUrl> for String {
    fn from(url: CdnUrl) -> Self {
        url.0.into_string()
    }
}

impl AsRef<str> for CdnUrl {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CdnUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CdnUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CdnUrl").field(&self.0).finish()
    }
}

impl Serialize for CdnUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CdnUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::try_from(raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(value: &str) -> Option<ModelErrorKind> {
        CdnUrl::parse(value).err().map(|e| e.kind())
    }

    #[test]
    fn accepts_http_and_https_in_any_case() {
        for ok in [
            "http://a",
            "https://a.example/",
            "HtTpS://A.EXAMPLE/x?y=1&z=%20",
            "https://例子.cn/图片/猫.jpg",
            "http://[::1]:8080/x",
            "http://a.example:65535",
            "https://a.example?q",
            "http://a.example:1/",
            "https://a-b_c~d.example/",
            "https://a%41.example/",
            "http://[::ffff:127.0.0.1]/",
            "https://a.example/\"<>^`{|}\\",
            "https://a.example/ä\u{300}",
        ] {
            assert_eq!(kind_of(ok), None, "{ok}");
        }
    }

    #[test]
    fn refuses_each_rule_with_its_kind() {
        use ModelErrorKind::*;
        let cases = [
            ("", UrlScheme),
            ("ftp://a.example/", UrlScheme),
            ("//a.example/", UrlScheme),
            ("https:/a.example", UrlScheme),
            ("https://", UrlHost),
            ("https:///path", UrlHost),
            ("https://:80/", UrlHost),
            ("https://u:p@a.example/", UrlHost),
            ("https://a.example:99999/", UrlHost),
            ("https://a.example:/", UrlHost),
            ("https://a.example:8a/", UrlHost),
            ("https://[::1/", UrlHost),
            ("https://[::1]x/", UrlHost),
            ("https://a.example/#top", UrlFragment),
            ("https://a.example/a b", UrlCharacter),
            ("https://a.example/\u{7f}", UrlCharacter),
            ("https://a.example/\u{3000}", UrlCharacter),
            (" https://a.example/", UrlCharacter),
            ("https://a.example:0/", UrlHost),
            ("https://a.example:00000/", UrlHost),
            ("https://a\"b.example/", UrlHost),
            ("https://a<b>.example/", UrlHost),
            ("https://a\\b.example/", UrlHost),
            ("https://a^b.example/", UrlHost),
            ("https://a`b.example/", UrlHost),
            ("https://a{b}.example/", UrlHost),
            ("https://a|b.example/", UrlHost),
            ("https://a%zz.example/", UrlHost),
            ("https://a%4.example/", UrlHost),
            ("https://.a.example/", UrlHost),
            ("https://a..example/", UrlHost),
            ("https://a.example./", UrlHost),
            ("https://./", UrlHost),
            ("https://[::1%eth0]/", UrlHost),
            ("https://[fe80::g]/", UrlHost),
            ("https://a.example/\u{200b}", UrlCharacter),
            ("https://a\u{200b}.example/", UrlCharacter),
            ("https://a.example/\u{202e}gpj.exe", UrlCharacter),
            ("\u{feff}https://a.example/", UrlCharacter),
            ("https://a.example/?q=\u{ad}", UrlCharacter),
            ("https://a.example/\u{e0041}", UrlCharacter),
            ("https://a.example/\u{2066}", UrlCharacter),
            ("https://a.example/%zz", UrlCharacter),
            ("https://a.example/%2", UrlCharacter),
            ("https://a.example/%", UrlCharacter),
            ("https://a.example/a%2g?x", UrlCharacter),
            ("https://a.example/?q=%%41", UrlCharacter),
            ("https://a.example/%e5%9b%b", UrlCharacter),
            ("https://a.example/%图", UrlCharacter),
        ];
        for (value, kind) in cases {
            assert_eq!(kind_of(value), Some(kind), "{value:?}");
        }
    }

    #[test]
    fn format_characters_match_the_unicode_table() {
        for c in [
            '\u{ad}', '\u{200b}', '\u{200f}', '\u{202e}', '\u{2069}', '\u{feff}',
        ] {
            assert!(is_format_char(c), "{c:?}");
        }
        for c in [
            'a',
            '\u{ac}',
            '\u{ae}',
            '\u{2065}',
            '\u{3164}',
            '图',
            '\u{e0080}',
        ] {
            assert!(!is_format_char(c), "{c:?}");
        }
        let err = CdnUrl::parse("https://a.example/\u{202e}x").unwrap_err();
        assert!(err.to_string().contains("U+202E"), "{err}");
        let err = CdnUrl::parse("https://a<b.example/").unwrap_err();
        assert!(err.to_string().contains("may not hold '<'"), "{err}");
    }

    #[test]
    fn dedupe_key_lowers_scheme_and_host_only() {
        let key = |s: &str| CdnUrl::parse(s).unwrap().dedupe_key().into_owned();
        assert_eq!(key("HTTP://A.Example/P?Q=1"), "http://a.example/P?Q=1");
        assert_eq!(key("https://A.EXAMPLE"), "https://a.example");
        assert_eq!(key("https://A.EXAMPLE?X"), "https://a.example?X");
        assert_eq!(key("https://[::A]:80/B"), "https://[::a]:80/B");
        assert_eq!(key("https://Ä.example/Ä"), "https://ä.example/Ä");
        let a = CdnUrl::parse("HTTPS://A.example/x").unwrap();
        let b = CdnUrl::parse("https://a.EXAMPLE/x").unwrap();
        assert!(a.same_resource(&b) && a != b);
        assert!(!a.same_resource(&CdnUrl::parse("https://a.example/X").unwrap()));
    }

    #[test]
    fn scheme_and_authority_are_cut_where_a_search_for_their_delimiters_cuts() {
        let searched = |value: &str| {
            let after_scheme = value.find("://").map_or(0, |at| at + 3);
            let rest = &value[after_scheme..];
            (
                after_scheme,
                after_scheme + rest.find(['/', '?']).unwrap_or(rest.len()),
            )
        };
        for value in [
            "https://a.example/p?q",
            "HTTP://A.Example?x/y",
            "hTtPs://[::1]:8443",
            "http://例子.cn/图片",
            "https://a.example",
            "ftp://a.example/x",
            "a.example/x://y",
            "https:/a.example/x",
            "http:/",
            "",
            "http://",
            "https://",
            "HTTPS://WWW.EXAMPLE.COM",
            "https://a.example.com.cn.longer.host:8443/Z",
            "https://abcdefgh/x",
            "https://abcdefg/x",
            "https://abcdefgh",
            "Https://ä.example/x",
            "https:/\u{1a}/a.example",
            "HTTP\u{1a}//a/b",
        ] {
            assert_eq!(
                (scheme_len(value), scheme_and_authority_len(value)),
                searched(value),
                "{value:?}"
            );
            // The head is marked exactly when it holds a capital or more
            // than ASCII.
            let (end, marked) = scheme_and_authority(value);
            assert_eq!(
                marked,
                value[..end]
                    .bytes()
                    .any(|b| b.is_ascii_uppercase() || !b.is_ascii()),
                "{value:?}"
            );
        }
        for at in 0..24 {
            let mut value = "https://abcdefghijklmnopqrstuvwx/Y".to_owned();
            value.replace_range(8 + at..9 + at, "Q");
            assert!(scheme_and_authority(&value).1, "{value}");
        }
    }

    #[test]
    fn length_cap_is_inclusive() {
        let base = "https://a.example/";
        let at_cap = format!("{base}{}", "x".repeat(MAX_URL_LEN - base.len()));
        assert_eq!(kind_of(&at_cap), None);
        let over = format!("{at_cap}x");
        let err = CdnUrl::parse(&over).unwrap_err();
        assert_eq!(err.kind(), ModelErrorKind::UrlTooLong);
        assert!(err.to_string().contains("4097 bytes"), "{err}");
    }

    #[test]
    fn messages_name_the_value_and_the_rule() {
        let err = CdnUrl::parse("ftp://files.example/a").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"URL "ftp://files.example/a" must start with http:// or https://"#
        );
        let err = CdnUrl::parse("https://a.example/100%zz/b").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"URL "https://a.example/100%zz/b" holds the invalid percent-escape "%zz"; `%` must be followed by two hex digits (write a literal % as %25)"#
        );
        let err = CdnUrl::parse("https://a.example/%2").unwrap_err();
        assert!(err.to_string().contains(r#"percent-escape "%2""#), "{err}");
    }

    /// The fast path never accepts what the full check refuses, and takes
    /// the plain URLs it is there for.
    #[test]
    fn the_fast_path_agrees_with_every_rule() {
        let mut values: Vec<String> = [
            "http://a",
            "https://a.example/x?y=1&z=%20",
            "HTTPS://A.EXAMPLE:8443/a/b.png",
            "http://[::1]:8080/x",
            "https://a.example/#top",
            "https://a.example/a b",
            "https://u:p@a.example/",
            "https://a.example:0/",
            "https://a..example/",
            "https://a%zz.example/",
            "https://a.example/%zz",
            "https://a.example/%2",
            "https://a.example/%2F%2f?q=%7E",
            "ftp://a.example/",
            "https:/a.example",
            "https://",
            "https://[::1/",
            "https://a.example/\u{7f}",
            "https://a.example/\t",
            "https://例子.cn/图片.jpg",
            "https://a.example:65535/",
            "https://a.example:65536/",
            "https://a.example:00080?x",
            "https://a.example:123456/",
            "https://a.example:99999999999999999999/",
            "https://a.example:/",
            "https://a.example:8080x/",
            "https://a.example:0",
            "https://a.example.",
            "https://.a.example",
            "https://a_b-c.example?q",
            "https://a!b.example/",
        ]
        .map(str::to_owned)
        .to_vec();
        let base = "https://a.example/";
        // Every printable ASCII byte and a few others, at every offset
        // within a 16-byte chunk and in the tail after the chunks.
        for b in (0u8..=0x7f).chain([0x80, 0xff]) {
            let c = char::from(b);
            for pad in [0, 5, 13, 14, 15, 16, 29] {
                values.push(format!("{base}{}{c}x", "p".repeat(pad)));
                values.push(format!("https://a{c}b.example/{}", "p".repeat(pad)));
            }
        }
        values.push(format!("{base}{}", "x".repeat(MAX_URL_LEN - base.len())));
        values.push(format!(
            "{base}{}",
            "x".repeat(MAX_URL_LEN + 1 - base.len())
        ));
        let mut fast = 0;
        for value in &values {
            let full = validate_in_full(value);
            if is_plainly_valid(value) {
                fast += 1;
                assert!(full.is_ok(), "{value:?}: {full:?}");
            }
            assert_eq!(validate(value).is_ok(), full.is_ok(), "{value:?}");
        }
        assert!(fast > values.len() / 2, "{fast} of {}", values.len());
    }

    /// The fast path's one-word scheme check, with every ASCII character
    /// (and one that is not) in place of each byte of either scheme.
    #[test]
    fn the_fast_scheme_check_agrees_with_the_full_one() {
        for scheme in ["https://", "http://", "HtTpS://", "HTTP://"] {
            for at in 0..=scheme.len() {
                for c in (0u8..0x80).map(char::from).chain(['é']) {
                    let mut value: String = scheme.chars().take(at).collect();
                    value.push(c);
                    value.push_str(scheme.get(at + 1..).unwrap_or_default());
                    value.push_str("a.example/x");
                    let full = validate_in_full(&value);
                    if is_plainly_valid(&value) {
                        assert!(full.is_ok(), "{value:?}: {full:?}");
                    }
                    assert_eq!(validate(&value).is_ok(), full.is_ok(), "{value:?}");
                }
            }
        }
    }

    #[test]
    fn serde_validates_on_deserialize() {
        let url: CdnUrl = serde_json::from_str(r#""https://a.example/x""#).unwrap();
        assert_eq!(
            serde_json::to_string(&url).unwrap(),
            r#""https://a.example/x""#
        );
        let err = serde_json::from_str::<CdnUrl>(r#""mailto:x@y""#).unwrap_err();
        assert!(err.to_string().contains("http:// or https://"), "{err}");
    }
}
