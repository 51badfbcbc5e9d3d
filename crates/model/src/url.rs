//! [`CdnUrl`]: a URL or directory that may be flushed or pushed.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{ModelError, ModelErrorKind, quote};

/// The longest URL we accept, in bytes.
///
/// The server publishes no limit (api-facts §4.2, §9), so this is our own
/// choice: 4096 bytes is far above what real CDN paths use, and it bounds the
/// size of one `urls.N` parameter so that the wire-size planning stays sane.
pub const MAX_URL_LEN: usize = 4096;

/// A validated `http://` or `https://` URL (or directory) to flush or push.
///
/// Rules, checked by [`CdnUrl::parse`] (and so by `FromStr`, `TryFrom` and
/// serde deserialization):
/// - at most [`MAX_URL_LEN`] bytes;
/// - no whitespace and no control characters anywhere (write a space as
///   `%20`);
/// - the scheme is `http://` or `https://`, in any letter case;
/// - a non-empty host follows, optionally with `:port` (1 to 5 digits, at most
///   65535) or as a bracketed IPv6 literal; user info (`user@host`) is refused
///   because a CDN never sees it and it would leak credentials into logs;
/// - no `#` fragment (browsers never send it, so no cache key contains it).
///
/// **Sent as given.** The value is never normalised: non-ASCII characters
/// (`https://例子.cn/图片.jpg`) stay as they are and already-percent-encoded
/// sequences (`%E5%9B%BE`, `%20`) are not decoded or re-checked. On the wire
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
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CdnUrl(Box<str>);

impl CdnUrl {
    /// Validates `value` and wraps it.
    pub fn parse(value: &str) -> Result<Self, ModelError> {
        validate(value)?;
        Ok(Self(value.into()))
    }

    /// The URL exactly as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The URL as an owned string.
    pub fn into_string(self) -> String {
        self.0.into_string()
    }
}

fn validate(value: &str) -> Result<(), ModelError> {
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
    })
}

/// The part after `http://` or `https://`, matched without regard to case.
fn strip_scheme(value: &str) -> Option<&str> {
    ["https://", "http://"].into_iter().find_map(|scheme| {
        let head = value.get(..scheme.len())?;
        head.eq_ignore_ascii_case(scheme)
            .then(|| &value[scheme.len()..])
    })
}

fn check_authority(authority: &str) -> Result<(), &'static str> {
    if authority.contains('@') {
        return Err("user info (user@host) is not allowed");
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
        return Err("a host is required after the scheme");
    }
    if host.contains(['[', ']']) {
        return Err("brackets are only allowed around an IPv6 host");
    }
    if let Some(port) = port {
        let valid = (1..=5).contains(&port.len())
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| p <= u32::from(u16::MAX));
        if !valid {
            return Err("the port must be 1 to 5 digits, at most 65535");
        }
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
        ];
        for (value, kind) in cases {
            assert_eq!(kind_of(value), Some(kind), "{value:?}");
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
