//! [`ServiceOrigin`]: where the metadata service and STS are reached, and
//! the rules for overriding them.

use std::fmt;

use crate::endpoint::Endpoint;

/// The metadata service's host, the one name plain `http` may go to besides
/// loopback: the service is reachable only from inside the instance, over
/// http, at this fixed name (docs/protocol.md §7.5).
pub const METADATA_HOST: &str = "metadata.tencentyun.com";
/// The metadata service's origin.
pub const DEFAULT_METADATA_ORIGIN: &str = "http://metadata.tencentyun.com";
/// STS's origin.
pub const DEFAULT_STS_ORIGIN: &str = "https://sts.tencentcloudapi.com";

/// An origin, `scheme://host[:port]` with no path: `https` anywhere, plain
/// `http` only to a loopback host (the emulator) or to the metadata
/// service's own fixed `http://metadata.tencentyun.com`.
///
/// ```
/// use tcdn::credentials::ServiceOrigin;
///
/// let sts = ServiceOrigin::sts();
/// assert_eq!(sts.url("/"), "https://sts.tencentcloudapi.com/");
/// assert_eq!(sts.authority(), "sts.tencentcloudapi.com");
///
/// let local = ServiceOrigin::parse("http://127.0.0.1:8080")?;
/// assert_eq!(local.authority(), "127.0.0.1:8080");
/// assert!(ServiceOrigin::parse("http://sts.example.com").is_err());
/// assert!(ServiceOrigin::parse("https://sts.example.com/v2").is_err());
/// # Ok::<(), tcdn::credentials::ServiceOriginError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ServiceOrigin {
    /// `scheme://authority`, normalised, without a trailing `/`.
    origin: String,
    /// Where the authority starts in `origin`.
    authority_start: usize,
}

impl ServiceOrigin {
    /// Parses an override: `scheme://host[:port]`, optionally with a single
    /// trailing `/`.
    ///
    /// # Errors
    /// [`ServiceOriginError`] naming the value and the rule it broke.
    pub fn parse(text: &str) -> Result<Self, ServiceOriginError> {
        let fail = |rule: &str| ServiceOriginError {
            message: format!("origin {text:?} is not usable: {rule}"),
        };
        if text.eq_ignore_ascii_case(DEFAULT_METADATA_ORIGIN)
            || text.eq_ignore_ascii_case(&format!("{DEFAULT_METADATA_ORIGIN}/"))
        {
            return Ok(Self::metadata());
        }
        let endpoint = Endpoint::parse(text).map_err(|err| ServiceOriginError {
            message: err.to_string(),
        })?;
        if endpoint.path() != "/" {
            return Err(fail(
                "give only scheme://host[:port], without a path (tcdn appends the paths)",
            ));
        }
        let full = endpoint.as_str();
        Ok(Self::from_normalised(&full[..full.len() - 1]))
    }

    fn from_normalised(origin: &str) -> Self {
        let authority_start = origin.find("://").map_or(0, |at| at + 3);
        Self {
            origin: origin.to_owned(),
            authority_start,
        }
    }

    /// The metadata service, `http://metadata.tencentyun.com`.
    pub fn metadata() -> Self {
        Self::from_normalised(DEFAULT_METADATA_ORIGIN)
    }

    /// STS, `https://sts.tencentcloudapi.com`.
    pub fn sts() -> Self {
        Self::from_normalised(DEFAULT_STS_ORIGIN)
    }

    /// `scheme://host[:port]`.
    pub fn as_str(&self) -> &str {
        &self.origin
    }

    /// `host[:port]`, the `Host` header (TC3 signs it as sent).
    pub fn authority(&self) -> &str {
        &self.origin[self.authority_start..]
    }

    /// The origin followed by `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        let mut url = String::with_capacity(self.origin.len() + path.len());
        url.push_str(&self.origin);
        url.push_str(path);
        url
    }
}

impl fmt::Display for ServiceOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin)
    }
}

impl fmt::Debug for ServiceOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ServiceOrigin").field(&self.origin).finish()
    }
}

/// An origin that cannot be used; the message names it and the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceOriginError {
    message: String,
}

impl ServiceOriginError {
    /// What kind of problem it is (there is one kind today).
    pub fn kind(&self) -> ServiceOriginErrorKind {
        ServiceOriginErrorKind::Invalid
    }
}

/// The kind of a [`ServiceOriginError`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceOriginErrorKind {
    /// The text breaks one of [`ServiceOrigin::parse`]'s rules.
    Invalid,
}

impl fmt::Display for ServiceOriginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ServiceOriginError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_follow_the_endpoint_rules_and_have_no_path() {
        for (text, origin, authority) in [
            (
                "https://sts.example.com",
                "https://sts.example.com",
                "sts.example.com",
            ),
            (
                "https://STS.example.com:8443/",
                "https://sts.example.com:8443",
                "sts.example.com:8443",
            ),
            (
                "http://127.0.0.1:9000",
                "http://127.0.0.1:9000",
                "127.0.0.1:9000",
            ),
            ("http://[::1]:9000", "http://[::1]:9000", "[::1]:9000"),
            (
                "http://metadata.tencentyun.com",
                DEFAULT_METADATA_ORIGIN,
                METADATA_HOST,
            ),
        ] {
            let parsed = ServiceOrigin::parse(text).unwrap();
            assert_eq!(parsed.as_str(), origin, "{text}");
            assert_eq!(parsed.authority(), authority, "{text}");
        }
        for (text, rule) in [
            ("http://sts.example.com", "loopback"),
            ("http://metadata.tencentyun.com.evil.example", "loopback"),
            ("https://sts.example.com/v2", "path"),
            ("ftp://sts.example.com", "scheme"),
        ] {
            let message = ServiceOrigin::parse(text).unwrap_err().to_string();
            assert!(
                message.contains(rule) && message.contains(text),
                "{text}: {message}"
            );
        }
    }
}
