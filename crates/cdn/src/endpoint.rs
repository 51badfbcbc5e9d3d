//! [`Endpoint`]: the URL requests are sent to.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use crate::job::{Api, Product};

/// API 2.0's endpoint: `https://cdn.api.qcloud.com/v2/index.php`.
pub const DEFAULT_ENDPOINT: &str = "https://cdn.api.qcloud.com/v2/index.php";

/// API 3.0's endpoint: `https://cdn.tencentcloudapi.com/`.
pub const DEFAULT_V3_ENDPOINT: &str = "https://cdn.tencentcloudapi.com/";

/// EdgeOne's endpoint (`teo`, docs/protocol.md §13).
pub const DEFAULT_EDGEONE_ENDPOINT: &str = "https://teo.tencentcloudapi.com/";

/// API 2.0's path on any origin.
pub const V2_PATH: &str = tcdn_model::v2::ENDPOINT_PATH;

/// Where requests go: a validated `https://` URL (or `http://` to a loopback
/// host, for the emulator and tests) with a host, an optional port and a
/// path, and no query, fragment or user info.
///
/// The signature covers the host **without** scheme or port and the path
/// (docs/protocol.md §1.3 step 5); [`signing_host`](Self::signing_host) and
/// [`path`](Self::path) give them.
///
/// ```
/// use tcdn::Endpoint;
///
/// let default = Endpoint::default();
/// assert_eq!(default.as_str(), "https://cdn.tencentcloudapi.com/");
/// assert_eq!(default.signing_host(), "cdn.tencentcloudapi.com");
///
/// let v2 = Endpoint::default_for(tcdn::Api::V2);
/// assert_eq!(v2.as_str(), "https://cdn.api.qcloud.com/v2/index.php");
///
/// let local: Endpoint = "http://127.0.0.1:8080/v2/index.php".parse()?;
/// assert_eq!(local.signing_host(), "127.0.0.1");
/// assert_eq!(local.path(), "/v2/index.php");
///
/// assert!("http://cdn.example.com/v2/index.php".parse::<Endpoint>().is_err());
/// # Ok::<(), tcdn::endpoint::EndpointError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// `scheme://authority/path`, normalised (lower-case scheme and host).
    url: String,
    host_start: usize,
    host_end: usize,
    path_start: usize,
}

impl Endpoint {
    /// Parses and checks an endpoint URL.
    ///
    /// Rules: scheme `https` (or `http` when the host is loopback:
    /// 127.0.0.0/8, `::1` or `localhost`); a host; an optional port; no
    /// user info, query or fragment. An empty path becomes `/`.
    ///
    /// # Errors
    /// An [`EndpointError`] naming the value and the rule it broke.
    pub fn parse(text: &str) -> Result<Self, EndpointError> {
        let fail = |rule: &str| EndpointError {
            message: format!(
                "endpoint {:?} is not usable: {rule}",
                redact_user_info(text)
            ),
        };
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| fail("it must start with https://"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(fail(
                "the scheme must be https (or http to a loopback host)",
            ));
        }
        if rest.contains(['?', '#']) {
            return Err(fail("it must not have a query or fragment"));
        }
        let (authority, path) = match rest.find('/') {
            Some(slash) => (&rest[..slash], &rest[slash..]),
            None => (rest, "/"),
        };
        if authority.contains('@') {
            return Err(fail("it must not contain user info"));
        }
        if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(fail(
                "the path must not contain whitespace or control characters",
            ));
        }
        let (host, port) =
            split_host_port(authority).ok_or_else(|| fail("the host or port is malformed"))?;
        let host = host.to_ascii_lowercase();
        if scheme == "http" && !is_loopback(&host) {
            return Err(fail(
                "plain http is allowed only to a loopback host (127.0.0.0/8, ::1, localhost); use https",
            ));
        }
        let mut url = String::with_capacity(text.len());
        url.push_str(&scheme);
        url.push_str("://");
        let host_start = url.len();
        url.push_str(&host);
        let host_end = url.len();
        if let Some(port) = port {
            url.push(':');
            url.push_str(port);
        }
        let path_start = url.len();
        url.push_str(path);
        // The same check the HTTP layer will make, so a bad endpoint fails here.
        http::Uri::try_from(url.as_str()).map_err(|_| fail("it is not a valid URI"))?;
        Ok(Self {
            url,
            host_start,
            host_end,
            path_start,
        })
    }

    /// The default endpoint of `api`.
    pub fn default_for(api: Api) -> Self {
        let text = match api {
            Api::V2 => DEFAULT_ENDPOINT,
            Api::V3 => DEFAULT_V3_ENDPOINT,
        };
        Self::parse(text).unwrap_or_else(|_| unreachable!("the default endpoints are valid"))
    }

    /// The default endpoint of `product` under `api` (EdgeOne has one:
    /// [`DEFAULT_EDGEONE_ENDPOINT`]).
    pub fn default_for_product(product: Product, api: Api) -> Self {
        match product {
            Product::Cdn => Self::default_for(api),
            Product::EdgeOne => Self::parse(DEFAULT_EDGEONE_ENDPOINT)
                .unwrap_or_else(|_| unreachable!("the default endpoints are valid")),
        }
    }

    /// Parses an endpoint for `api`: an origin (`scheme://host[:port]`,
    /// with or without a trailing `/`) gets the API's own path (`/` for API
    /// 3.0, `/v2/index.php` for API 2.0); any other path is used as given.
    ///
    /// ```
    /// use tcdn::{Api, Endpoint};
    ///
    /// let v2 = Endpoint::parse_for(Api::V2, "http://127.0.0.1:8080/")?;
    /// assert_eq!(v2.as_str(), "http://127.0.0.1:8080/v2/index.php");
    /// let v3 = Endpoint::parse_for(Api::V3, "http://127.0.0.1:8080")?;
    /// assert_eq!(v3.as_str(), "http://127.0.0.1:8080/");
    /// let custom = Endpoint::parse_for(Api::V2, "https://proxy.example/cdn/v2")?;
    /// assert_eq!(custom.path(), "/cdn/v2");
    /// # Ok::<(), tcdn::endpoint::EndpointError>(())
    /// ```
    ///
    /// # Errors
    /// As [`parse`](Self::parse).
    pub fn parse_for(api: Api, text: &str) -> Result<Self, EndpointError> {
        let mut endpoint = Self::parse(text)?;
        if endpoint.path() == "/" && api == Api::V2 {
            endpoint.url.truncate(endpoint.path_start);
            endpoint.url.push_str(V2_PATH);
        }
        Ok(endpoint)
    }

    /// `host[:port]`, as the `Host` header carries it.
    pub fn authority(&self) -> &str {
        &self.url[self.host_start..self.path_start]
    }

    /// The normalised URL (`scheme://host[:port]/path`).
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The host as it goes into the string to sign: no scheme, no port
    /// (an IPv6 literal keeps its brackets, as in the `Host` header).
    pub fn signing_host(&self) -> &str {
        &self.url[self.host_start..self.host_end]
    }

    /// The path (`/v2/index.php`).
    pub fn path(&self) -> &str {
        &self.url[self.path_start..]
    }

    /// Whether requests go over plain `http` (loopback only).
    pub fn is_plain_http(&self) -> bool {
        self.url.starts_with("http://")
    }

    /// Whether the host is loopback (127.0.0.0/8, `::1`, `localhost`): a
    /// local emulator.
    pub fn is_loopback(&self) -> bool {
        is_loopback(self.signing_host())
    }
}

/// `text` with the password of any user info masked
/// (`https://user:***@host/`; without a password the user may be a token:
/// `https://***@host/`), for messages.
fn redact_user_info(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return text.to_owned();
    };
    let host_and_rest = &rest[at + 1..];
    match rest[..at].split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host_and_rest}"),
        None => format!("{scheme}://***@{host_and_rest}"),
    }
}

fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let close = rest.find(']')?;
        let host = &authority[..close + 2];
        let after = &rest[close + 1..];
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let host_ok = !host.is_empty()
        && (host.starts_with('[')
            || host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')));
    let port_ok = port.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 5
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u16>().is_ok()
    });
    (host_ok && port_ok).then_some((host, port))
}

fn is_loopback(host: &str) -> bool {
    if host == "localhost" {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The default API's endpoint, as [`Api::default`] is: API 3.0's
/// (`https://cdn.tencentcloudapi.com/`). [`Endpoint::default_for`] takes the
/// API.
impl Default for Endpoint {
    fn default() -> Self {
        Self::default_for(Api::default())
    }
}

impl FromStr for Endpoint {
    type Err = EndpointError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Endpoint").field(&self.url).finish()
    }
}

/// An endpoint URL that cannot be used; the message names it and the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointError {
    message: String,
}

impl EndpointError {
    /// What kind of problem it is (there is one kind today).
    pub fn kind(&self) -> EndpointErrorKind {
        EndpointErrorKind::Invalid
    }
}

/// The kind of an [`EndpointError`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndpointErrorKind {
    /// The URL breaks one of [`Endpoint::parse`]'s rules.
    Invalid,
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EndpointError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_https_and_loopback_http() {
        for (text, host, path) in [
            (
                "https://cdn.api.qcloud.com/v2/index.php",
                "cdn.api.qcloud.com",
                "/v2/index.php",
            ),
            ("HTTPS://CDN.Example.com:8443", "cdn.example.com", "/"),
            ("http://localhost:1234/x", "localhost", "/x"),
            (
                "http://127.3.4.5/v2/index.php",
                "127.3.4.5",
                "/v2/index.php",
            ),
            ("http://[::1]:9000/v2/index.php", "[::1]", "/v2/index.php"),
        ] {
            let endpoint = Endpoint::parse(text).unwrap();
            assert_eq!(endpoint.signing_host(), host, "{text}");
            assert_eq!(endpoint.path(), path, "{text}");
        }
    }

    #[test]
    fn a_refused_endpoint_never_shows_its_password() {
        let message = Endpoint::parse("https://alice:hunter2@cdn.example.com/v2")
            .unwrap_err()
            .to_string();
        assert!(!message.contains("hunter2"), "{message}");
        assert!(
            message.contains("https://alice:***@cdn.example.com/v2"),
            "{message}"
        );
        assert!(
            Endpoint::parse("http://127.0.0.1:9/")
                .unwrap()
                .is_loopback()
        );
        assert!(Endpoint::parse("http://[::1]:9/").unwrap().is_loopback());
        assert!(
            !Endpoint::parse("https://cdn.example.com/")
                .unwrap()
                .is_loopback()
        );
    }

    #[test]
    fn refuses_what_breaks_a_rule_and_names_it() {
        for (text, rule) in [
            ("http://cdn.example.com/v2", "loopback"),
            ("http://10.0.0.1/v2", "loopback"),
            ("ftp://cdn.example.com/", "scheme"),
            ("cdn.example.com/v2", "https://"),
            ("https://cdn.example.com/v2?x=1", "query"),
            ("https://***@cdn.example.com/", "user info"),
            ("https://cdn.example.com:99999/", "port"),
            ("https:///v2", "host"),
            ("https://cdn.example.com/a b", "whitespace"),
        ] {
            let err = Endpoint::parse(text).unwrap_err();
            let message = err.to_string();
            assert!(
                message.contains(rule) && message.contains(text),
                "{text}: {message}"
            );
        }
    }
}
