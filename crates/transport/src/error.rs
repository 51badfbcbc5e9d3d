//! [`TransportError`]: what went wrong while sending a request, and whether
//! the request may have reached the server.

use std::error::Error as StdError;
use std::fmt;

/// The broad category of a [`TransportError`].
///
/// Use [`TransportError::may_have_reached_server`], not the kind alone, to
/// decide whether a retry is safe: a [`ErrorKind::Timeout`] during connection
/// set-up sent nothing, one after the request was written may have.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// No connection to the server could be made (refused, unreachable,
    /// DNS failure). Nothing was sent.
    Connect,
    /// A deadline passed: the connect timeout or the total per-request
    /// timeout.
    Timeout,
    /// The TLS handshake failed (untrusted certificate, wrong name, protocol
    /// mismatch). Nothing was sent.
    Tls,
    /// Reading or writing failed once the connection was up: a reset, an
    /// early close, a malformed response.
    Io,
    /// The response body exceeded the configured cap.
    ResponseTooLarge,
    /// The request itself cannot be sent (relative URI, unsupported scheme,
    /// a header hyper refuses). Nothing was sent.
    InvalidRequest,
    /// Plain `http://` to a non-loopback host, refused before any network
    /// activity. Nothing was sent.
    InsecureScheme,
    /// The HTTP proxy could not be used: unreachable, refused the CONNECT
    /// tunnel, or misconfigured. Nothing reached the target server.
    Proxy,
}

impl ErrorKind {
    /// Whether an error of this kind may have reached the server when nothing
    /// more specific is known. Used by the constructors of [`TransportError`].
    #[must_use]
    pub const fn typically_reached_server(self) -> bool {
        match self {
            Self::Connect
            | Self::Tls
            | Self::InvalidRequest
            | Self::InsecureScheme
            | Self::Proxy => false,
            Self::Timeout | Self::Io | Self::ResponseTooLarge => true,
        }
    }

    const fn summary(self) -> &'static str {
        match self {
            Self::Connect => "could not connect to",
            Self::Timeout => "timed out talking to",
            Self::Tls => "TLS handshake failed with",
            Self::Io => "I/O error talking to",
            Self::ResponseTooLarge => "response too large from",
            Self::InvalidRequest => "invalid request for",
            Self::InsecureScheme => "refused to send plain http to",
            Self::Proxy => "proxy failure while reaching",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connect",
            Self::Timeout => "timeout",
            Self::Tls => "tls",
            Self::Io => "io",
            Self::ResponseTooLarge => "response too large",
            Self::InvalidRequest => "invalid request",
            Self::InsecureScheme => "insecure scheme",
            Self::Proxy => "proxy",
        })
    }
}

/// A request could not be completed.
///
/// The message names the target as `scheme://host:port/path` only: query
/// strings are never printed, because for signed APIs they carry the
/// signature and the session token.
///
/// Users writing their own [`Transport`](crate::Transport) or mocks build
/// errors with the per-kind constructors ([`TransportError::connect`],
/// [`TransportError::timeout`], ...) and refine them with
/// [`with_target`](TransportError::with_target),
/// [`with_may_have_reached_server`](TransportError::with_may_have_reached_server)
/// and [`with_source`](TransportError::with_source).
pub struct TransportError {
    kind: ErrorKind,
    may_have_reached_server: bool,
    target: Option<String>,
    detail: String,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl TransportError {
    /// An error of `kind` with a human-readable `detail`; whether it may have
    /// reached the server defaults to [`ErrorKind::typically_reached_server`].
    ///
    /// `detail` is printed as is: never put secrets or query strings in it.
    #[must_use]
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            may_have_reached_server: kind.typically_reached_server(),
            target: None,
            detail: detail.into(),
            source: None,
        }
    }

    /// [`ErrorKind::Connect`]: no connection could be made; nothing sent.
    #[must_use]
    pub fn connect(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Connect, detail)
    }

    /// [`ErrorKind::Timeout`]; by default the request may have reached the
    /// server (use [`with_may_have_reached_server(false)`](Self::with_may_have_reached_server)
    /// for a connect timeout).
    #[must_use]
    pub fn timeout(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Timeout, detail)
    }

    /// [`ErrorKind::Tls`]: the handshake failed; nothing sent.
    #[must_use]
    pub fn tls(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Tls, detail)
    }

    /// [`ErrorKind::Io`]: failure after the connection was up; the request
    /// may have reached the server.
    #[must_use]
    pub fn io(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Io, detail)
    }

    /// [`ErrorKind::ResponseTooLarge`]: the body exceeded `limit_bytes`.
    #[must_use]
    pub fn response_too_large(limit_bytes: usize) -> Self {
        Self::new(
            ErrorKind::ResponseTooLarge,
            format!("the response body exceeds the limit of {limit_bytes} bytes"),
        )
    }

    /// [`ErrorKind::InvalidRequest`]: the request cannot be sent; nothing
    /// sent.
    #[must_use]
    pub fn invalid_request(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidRequest, detail)
    }

    /// [`ErrorKind::InsecureScheme`]: plain http to a non-loopback host;
    /// nothing sent.
    #[must_use]
    pub fn insecure_scheme(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::InsecureScheme, detail)
    }

    /// [`ErrorKind::Proxy`]: the proxy could not be used; nothing reached
    /// the target server.
    #[must_use]
    pub fn proxy(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Proxy, detail)
    }

    /// Names the request's target in the message, as
    /// `scheme://host:port/path` (the query string and any user info are
    /// dropped).
    #[must_use]
    pub fn with_target(mut self, uri: &http::Uri) -> Self {
        self.target = Some(redacted_target(uri));
        self
    }

    /// Overrides whether the request may have reached the server.
    #[must_use]
    pub fn with_may_have_reached_server(mut self, may_have_reached_server: bool) -> Self {
        self.may_have_reached_server = may_have_reached_server;
        self
    }

    /// Attaches the underlying cause, returned by [`StdError::source`].
    #[must_use]
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The broad category of the failure.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// `false` when the request certainly did not reach the server (connect
    /// and TLS handshake failures, requests refused before sending), so a
    /// retry cannot duplicate it; `true` when it may have (timeouts after
    /// sending, I/O errors once the request was written, resets
    /// mid-response, oversize responses).
    #[must_use]
    pub fn may_have_reached_server(&self) -> bool {
        self.may_have_reached_server
    }

    /// The redacted target (`scheme://host:port/path`), when known.
    #[must_use]
    pub fn target(&self) -> Option<&str> {
        self.target.as_deref()
    }

    /// The human-readable detail, without the target.
    #[must_use]
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = self.target.as_deref().unwrap_or("the server");
        write!(f, "{} {target}: {}", self.kind.summary(), self.detail)?;
        f.write_str(if self.may_have_reached_server {
            " (the request may have reached the server)"
        } else {
            " (the request was not sent)"
        })
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("kind", &self.kind)
            .field("may_have_reached_server", &self.may_have_reached_server)
            .field("target", &self.target)
            .field("detail", &self.detail)
            .field("source", &self.source.as_ref().map(ToString::to_string))
            .finish()
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}

impl From<ErrorKind> for TransportError {
    /// An error of `kind` with a generic detail; handy in mocks.
    fn from(kind: ErrorKind) -> Self {
        Self::new(kind, format!("simulated {kind} error"))
    }
}

/// `scheme://host:port/path` of `uri`: no user info, no query string.
pub(crate) fn redacted_target(uri: &http::Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("?");
    let path = uri.path();
    match uri.host() {
        Some(host) => {
            let port = uri.port_u16().or(match scheme {
                "https" => Some(443),
                "http" => Some(80),
                _ => None,
            });
            match port {
                Some(port) => format!("{scheme}://{host}:{port}{path}"),
                None => format!("{scheme}://{host}{path}"),
            }
        }
        None => format!("relative path {path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_drops_query_and_userinfo() {
        let uri: http::Uri =
            "https://user:pw@cdn.example.com/v2/index.php?Signature=s3cr3t&Token=t0k"
                .parse()
                .expect("valid uri");
        assert_eq!(
            redacted_target(&uri),
            "https://cdn.example.com:443/v2/index.php"
        );
        let error = TransportError::io("connection reset").with_target(&uri);
        let shown = format!("{error} {error:?}");
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("t0k") && !shown.contains("pw"),
            "{shown}"
        );
    }

    #[test]
    fn display_says_what_when_and_whether_sent() {
        let uri: http::Uri = "http://192.0.2.1/x?a=b".parse().expect("valid uri");
        let error = TransportError::connect("connection refused").with_target(&uri);
        assert_eq!(
            error.to_string(),
            "could not connect to http://192.0.2.1:80/x: connection refused (the request was not sent)"
        );
        let error = TransportError::timeout("no response within 200ms").with_target(&uri);
        assert_eq!(
            error.to_string(),
            "timed out talking to http://192.0.2.1:80/x: no response within 200ms \
             (the request may have reached the server)"
        );
    }

    #[test]
    fn constructors_pick_the_usual_reachability() {
        let not_sent = [
            TransportError::connect("x"),
            TransportError::tls("x"),
            TransportError::invalid_request("x"),
            TransportError::insecure_scheme("x"),
            TransportError::proxy("x"),
        ];
        assert!(not_sent.iter().all(|e| !e.may_have_reached_server()));
        let maybe_sent = [
            TransportError::timeout("x"),
            TransportError::io("x"),
            TransportError::response_too_large(10),
        ];
        assert!(
            maybe_sent
                .iter()
                .all(TransportError::may_have_reached_server)
        );
        assert!(
            !TransportError::timeout("connect")
                .with_may_have_reached_server(false)
                .may_have_reached_server()
        );
    }
}
