//! [`HyperTransport`]: the production transport (hyper 1, hyper-util's pooled
//! client, rustls with the ring provider).

use std::error::Error as StdError;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use http::{Request, Response, Uri};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;

use crate::connector::{
    ConnectFailure, ConnectStage, DeadlineConnector, RoutingConnector, error_chain_text,
    is_loopback_host,
};
use crate::error::redacted_target;
use crate::{Transport, TransportError};

/// Default deadline for connection set-up (TCP, proxy tunnel, TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default deadline for a whole exchange, body included (Tencent's own SDKs
/// use 60 s).
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap on a response body: 1 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;
/// The `User-Agent` of every request that does not name its own: the
/// server's logs then tell tcdn's calls, and their version, from others'.
pub const USER_AGENT: &str = concat!("tcdn/", env!("CARGO_PKG_VERSION"));

/// Default time an idle pooled connection is kept.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// Looks up an environment variable; injectable so tests need not mutate
/// the process environment.
type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Where the proxy setting comes from.
#[derive(Clone)]
enum ProxySetting {
    /// `HTTPS_PROXY`/`https_proxy` and `NO_PROXY`/`no_proxy`, read at build.
    FromEnvironment(EnvLookup),
    /// An explicit proxy URL and no-proxy list.
    Explicit { url: String, no_proxy: String },
    /// Always connect directly.
    Disabled,
}

impl fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FromEnvironment(_) => f.write_str("FromEnvironment"),
            // The URL may hold credentials: show only where it points.
            Self::Explicit { url, no_proxy } => f
                .debug_struct("Explicit")
                .field(
                    "proxy",
                    &proxy_display(url).unwrap_or_else(|_| "<invalid>".into()),
                )
                .field("no_proxy", no_proxy)
                .finish(),
            Self::Disabled => f.write_str("Disabled"),
        }
    }
}

/// Builds a [`HyperTransport`]. Start with [`HyperTransport::builder`].
///
/// Defaults: bundled webpki roots (plus the OS store with the `native-roots`
/// feature), proxy from the environment, connect timeout 10 s, total timeout
/// 60 s, response cap 1 MiB, idle pooled connections kept 90 s.
#[derive(Debug, Clone)]
pub struct HyperTransportBuilder {
    connect_timeout: Duration,
    total_timeout: Duration,
    max_response_bytes: usize,
    pool_idle_timeout: Duration,
    default_roots: bool,
    extra_roots: Vec<CertificateDer<'static>>,
    proxy: ProxySetting,
    plain_http_hosts: Vec<String>,
    resolved: Vec<(String, SocketAddr)>,
}

impl Default for HyperTransportBuilder {
    fn default() -> Self {
        Self {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            total_timeout: DEFAULT_TOTAL_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            pool_idle_timeout: DEFAULT_POOL_IDLE_TIMEOUT,
            default_roots: true,
            extra_roots: Vec::new(),
            proxy: ProxySetting::FromEnvironment(Arc::new(|name| std::env::var(name).ok())),
            plain_http_hosts: Vec::new(),
            resolved: Vec::new(),
        }
    }
}

impl HyperTransportBuilder {
    /// Connects to `address` whenever a URL names `host` (compared without
    /// case), as curl's `--resolve` does: the certificate is still checked
    /// for `host`, and no proxy is used for it. For a test or a pipeline
    /// that reaches a server by a name no resolver knows, such as the
    /// emulator's `--tls-san` name in a service container.
    #[must_use]
    pub fn resolve(mut self, host: impl Into<String>, address: SocketAddr) -> Self {
        self.resolved.push((host.into(), address));
        self
    }

    /// Deadline for connection set-up: TCP connect, proxy tunnel and TLS
    /// handshake together. A connect timeout means nothing was sent.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Deadline for the whole exchange, from the first byte to the last byte
    /// of the response body. It always fires, whatever the server does.
    ///
    /// When it fires the error says the request may have reached the server,
    /// even if connecting was still in progress: hyper does not report how
    /// far the exchange got, and claiming "not sent" wrongly could duplicate
    /// a request on retry. Keep it above the connect timeout so that connect
    /// failures are reported as such.
    #[must_use]
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = timeout;
        self
    }

    /// Largest response body accepted; reading stops as soon as it is
    /// exceeded (or at once when `Content-Length` announces more).
    #[must_use]
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// How long an idle keep-alive connection stays in the pool.
    #[must_use]
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// Trusts `certificate` (DER) as a root, in addition to the default roots
    /// unless [`default_roots(false)`](Self::default_roots) is set.
    #[must_use]
    pub fn add_root_certificate(mut self, certificate: CertificateDer<'static>) -> Self {
        self.extra_roots.push(certificate);
        self
    }

    /// Whether to trust the bundled webpki roots (and, with the
    /// `native-roots` feature, the operating system's store). Turn off to
    /// trust only the certificates given to
    /// [`add_root_certificate`](Self::add_root_certificate).
    #[must_use]
    pub fn default_roots(mut self, enabled: bool) -> Self {
        self.default_roots = enabled;
        self
    }

    /// Sends HTTPS requests through the HTTP proxy at `url` (for example
    /// `http://proxy.corp:3128` or `http://user:pass@proxy.corp:3128`) with a
    /// CONNECT tunnel, instead of reading the environment. Only `http://`
    /// proxy URLs are supported; a URL without scheme means `http://`.
    #[must_use]
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = ProxySetting::Explicit {
            url: url.into(),
            no_proxy: String::new(),
        };
        self
    }

    /// Hosts that bypass the explicit [`proxy`](Self::proxy), in `NO_PROXY`
    /// syntax (comma-separated domains, which also match subdomains, IPs,
    /// CIDR ranges, or `*`). Ignored unless an explicit proxy is set.
    #[must_use]
    pub fn no_proxy(mut self, list: impl Into<String>) -> Self {
        if let ProxySetting::Explicit { no_proxy, .. } = &mut self.proxy {
            *no_proxy = list.into();
        }
        self
    }

    /// Allows plain `http://` to `host` (matched without case) besides
    /// loopback: for a service that only speaks http on a link-local
    /// network, such as the cloud instance metadata service. Nothing else
    /// is relaxed; give the exact host name, not a pattern.
    #[must_use]
    pub fn allow_plain_http_host(mut self, host: impl Into<String>) -> Self {
        self.plain_http_hosts.push(host.into());
        self
    }

    /// Never uses a proxy, whatever the environment says.
    #[must_use]
    pub fn disable_proxy(mut self) -> Self {
        self.proxy = ProxySetting::Disabled;
        self
    }

    /// Reads the proxy settings (`HTTPS_PROXY`/`https_proxy`,
    /// `NO_PROXY`/`no_proxy`) through `lookup` instead of the process
    /// environment. This is the default source, with `std::env::var`.
    #[must_use]
    pub fn proxy_from_env_with(
        mut self,
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.proxy = ProxySetting::FromEnvironment(Arc::new(lookup));
        self
    }

    /// Builds the transport.
    ///
    /// # Errors
    /// [`ErrorKind::Proxy`](crate::ErrorKind::Proxy) when the proxy URL (explicit or from the
    /// environment) is not a usable `http://` proxy; [`ErrorKind::Tls`](crate::ErrorKind::Tls) when
    /// no root certificate is trusted or a given root is invalid.
    pub fn build(self) -> Result<HyperTransport, TransportError> {
        let tls = self.tls_config()?;
        let (matcher, proxy_description) = self.proxy_matcher()?;
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(RoutingConnector::new(matcher, self.resolved.clone()));
        let connector = DeadlineConnector::new(https, self.connect_timeout);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_timer(TokioTimer::new())
            .build(connector);
        Ok(HyperTransport {
            client,
            total_timeout: self.total_timeout,
            max_response_bytes: self.max_response_bytes,
            connect_timeout: self.connect_timeout,
            proxy_description,
            plain_http_hosts: self.plain_http_hosts.into(),
        })
    }

    fn tls_config(&self) -> Result<rustls::ClientConfig, TransportError> {
        let mut roots = RootCertStore::empty();
        if self.default_roots {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            #[cfg(feature = "native-roots")]
            {
                // Unreadable individual OS certificates are skipped, as
                // browsers do; the bundled roots remain.
                let native = rustls_native_certs::load_native_certs();
                let _ = roots.add_parsable_certificates(native.certs);
            }
        }
        for (index, certificate) in self.extra_roots.iter().enumerate() {
            roots.add(certificate.clone()).map_err(|error| {
                TransportError::tls(format!(
                    "custom root certificate #{index} is not a valid trust anchor: {error}"
                ))
                .with_source(error)
            })?;
        }
        if roots.is_empty() {
            return Err(TransportError::tls(
                "no root certificate is trusted: enable default_roots or add_root_certificate",
            ));
        }
        // Explicit provider: never depend on a process-wide default, which
        // panics when both ring and aws-lc-rs are linked.
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|error| {
            TransportError::tls(format!("TLS set-up failed: {error}")).with_source(error)
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
        Ok(config)
    }

    fn proxy_matcher(&self) -> Result<(Option<Matcher>, Option<String>), TransportError> {
        let (url, no_proxy, origin) = match &self.proxy {
            ProxySetting::Disabled => return Ok((None, None)),
            ProxySetting::Explicit { url, no_proxy } => {
                (url.clone(), no_proxy.clone(), "the proxy setting")
            }
            ProxySetting::FromEnvironment(lookup) => {
                let first = |names: [&str; 2]| {
                    names
                        .iter()
                        .find_map(|name| lookup(name).filter(|value| !value.trim().is_empty()))
                };
                match first(["HTTPS_PROXY", "https_proxy"]) {
                    None => return Ok((None, None)),
                    Some(url) => (
                        url,
                        first(["NO_PROXY", "no_proxy"]).unwrap_or_default(),
                        "HTTPS_PROXY",
                    ),
                }
            }
        };
        let description = proxy_display(&url)
            .map_err(|reason| TransportError::proxy(format!("{origin}: {reason}")))?;
        let matcher = Matcher::builder().https(url.trim()).no(no_proxy).build();
        Ok((Some(matcher), Some(description)))
    }
}

/// `http://host:port` of a proxy URL (no credentials), or why it is unusable.
fn proxy_display(url: &str) -> Result<String, String> {
    let uri: Uri = url
        .trim()
        .parse()
        .map_err(|_| "the proxy URL is not a valid URL".to_owned())?;
    match uri.scheme_str() {
        None | Some("http") => {}
        Some(other) => {
            return Err(format!(
                "proxy scheme {other}:// is not supported; only http:// proxies (HTTPS goes through a CONNECT tunnel)"
            ));
        }
    }
    let host = uri
        .host()
        .filter(|host| !host.is_empty())
        .ok_or_else(|| "the proxy URL has no host".to_owned())?;
    let port = uri.port_u16().unwrap_or(80);
    Ok(format!("http://{host}:{port}"))
}

/// The production [`Transport`]: hyper 1 over hyper-util's pooled HTTP/1.1
/// client, TLS by rustls (ring provider), optional HTTPS proxy through a
/// CONNECT tunnel.
///
/// Cloning is cheap and shares the connection pool. Must be used inside a
/// Tokio runtime (with the time driver enabled).
#[derive(Clone)]
pub struct HyperTransport {
    client: Client<DeadlineConnector, Full<Bytes>>,
    total_timeout: Duration,
    max_response_bytes: usize,
    connect_timeout: Duration,
    proxy_description: Option<String>,
    plain_http_hosts: Arc<[String]>,
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport")
            .field("connect_timeout", &self.connect_timeout)
            .field("total_timeout", &self.total_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("proxy", &self.proxy_description)
            .field("plain_http_hosts", &self.plain_http_hosts)
            .finish_non_exhaustive()
    }
}

impl HyperTransport {
    /// A builder with the defaults described on [`HyperTransportBuilder`].
    #[must_use]
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::default()
    }

    /// A transport with all defaults.
    ///
    /// # Errors
    /// As [`HyperTransportBuilder::build`] (for example an unusable
    /// `HTTPS_PROXY`).
    pub fn new() -> Result<Self, TransportError> {
        Self::builder().build()
    }

    /// The proxy in use for HTTPS targets, as `http://host:port`, if any.
    #[must_use]
    pub fn proxy(&self) -> Option<&str> {
        self.proxy_description.as_deref()
    }

    async fn exchange(
        &self,
        request: Request<Bytes>,
        target: &str,
    ) -> Result<Response<Bytes>, TransportError> {
        let (parts, body) = request.into_parts();
        let response = self
            .client
            .request(Request::from_parts(parts, Full::new(body)))
            .await
            .map_err(|error| {
                classify_client_error(&error, target, self.proxy_description.as_deref())
            })?;
        let (parts, mut body) = response.into_parts();
        let limit = self.max_response_bytes;
        let announced = parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if announced.is_some_and(|length| length > limit as u64) {
            return Err(TransportError::response_too_large(limit));
        }
        let mut collected = BytesMut::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|error| {
                TransportError::io(format!(
                    "the connection failed while reading the response body: {}",
                    error_chain_text(&error)
                ))
                .with_source(error)
            })?;
            if let Ok(data) = frame.into_data() {
                if collected.len() + data.len() > limit {
                    // Dropping the body closes the connection: the rest is never read.
                    return Err(TransportError::response_too_large(limit));
                }
                collected.extend_from_slice(&data);
            }
        }
        Ok(Response::from_parts(parts, collected.freeze()))
    }
}

/// Refuses requests that must not or cannot be sent, before any network
/// activity.
fn check_request(uri: &Uri, plain_http_hosts: &[String]) -> Result<(), TransportError> {
    let host = uri.host().filter(|host| !host.is_empty());
    match (uri.scheme_str(), host) {
        (Some("https"), Some(_)) => Ok(()),
        (Some("http"), Some(host)) if is_loopback_host(host) => Ok(()),
        (Some("http"), Some(host))
            if plain_http_hosts
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(host)) =>
        {
            Ok(())
        }
        (Some("http"), Some(_)) => Err(TransportError::insecure_scheme(
            "plain http is only allowed to loopback addresses (127.0.0.0/8, ::1, localhost); use https",
        )),
        (Some(other), Some(_)) => Err(TransportError::invalid_request(format!(
            "unsupported scheme {other}://; only https (and http to loopback) are supported"
        ))),
        (_, None) => Err(TransportError::invalid_request(
            "the request URI must be absolute (scheme and host), such as https://host/path",
        )),
        (None, Some(_)) => Err(TransportError::invalid_request(
            "the request URI has no scheme",
        )),
    }
}

/// Maps a hyper-util client error to a [`TransportError`].
fn classify_client_error(
    error: &hyper_util::client::legacy::Error,
    target: &str,
    proxy: Option<&str>,
) -> TransportError {
    let mut cause = StdError::source(error);
    while let Some(current) = cause {
        if let Some(failure) = current.downcast_ref::<ConnectFailure>() {
            let detail = failure.to_string();
            return match failure.stage {
                ConnectStage::Tcp => TransportError::connect(detail),
                ConnectStage::Proxy => TransportError::proxy(format!(
                    "could not tunnel through the proxy {}: {detail}",
                    proxy.unwrap_or("(unknown)")
                )),
                ConnectStage::Tls => TransportError::tls(detail),
                ConnectStage::Deadline(_) => {
                    TransportError::timeout(detail).with_may_have_reached_server(false)
                }
            };
        }
        if let Some(hyper_error) = current.downcast_ref::<hyper::Error>()
            && hyper_error.is_user()
        {
            // hyper refuses user errors (such as a forbidden header) before writing.
            return TransportError::invalid_request(format!(
                "hyper refused the request: {hyper_error}"
            ));
        }
        cause = current.source();
    }
    let detail = error_chain_text(error);
    if error.is_connect() {
        tracing::debug!(target_url = %target, "unlabelled connect error: {detail}");
        return TransportError::connect(detail);
    }
    // Once a connection is up, the request may have been written: assume it was.
    TransportError::io(detail)
}

#[async_trait]
impl Transport for HyperTransport {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        let mut request = request;
        request
            .headers_mut()
            .entry(http::header::USER_AGENT)
            .or_insert(http::HeaderValue::from_static(USER_AGENT));
        let uri = request.uri().clone();
        let target = redacted_target(&uri);
        let method = request.method().clone();
        check_request(&uri, &self.plain_http_hosts).map_err(|error| error.with_target(&uri))?;
        let started = Instant::now();
        let outcome =
            match tokio::time::timeout(self.total_timeout, self.exchange(request, &target)).await {
                Ok(outcome) => outcome,
                Err(_elapsed) => Err(TransportError::timeout(format!(
                    "no complete response within the total timeout of {:?}",
                    self.total_timeout
                ))),
            }
            .map_err(|error| error.with_target(&uri));
        let latency_ms = started.elapsed().as_millis();
        match &outcome {
            Ok(response) => tracing::debug!(
                %method,
                target_url = %target,
                status = response.status().as_u16(),
                latency_ms,
                body_bytes = response.body().len(),
                "http exchange completed"
            ),
            Err(error) => tracing::debug!(
                %method,
                target_url = %target,
                kind = %error.kind(),
                may_have_reached_server = error.may_have_reached_server(),
                latency_ms,
                "http exchange failed"
            ),
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn proxy_urls() {
        assert_eq!(
            proxy_display("http://user:pw@proxy.corp:3128").as_deref(),
            Ok("http://proxy.corp:3128")
        );
        assert_eq!(
            proxy_display("proxy.corp:3128").as_deref(),
            Ok("http://proxy.corp:3128")
        );
        assert_eq!(
            proxy_display(" http://proxy.corp ").as_deref(),
            Ok("http://proxy.corp:80")
        );
        let refused = proxy_display("socks5://proxy.corp:1080").expect_err("socks is unsupported");
        assert!(refused.contains("socks5://"), "{refused}");
        assert!(proxy_display("https://proxy.corp").is_err());
        assert!(proxy_display("not a url").is_err());
    }

    #[test]
    fn request_checks() {
        let kind = |uri: &str| {
            check_request(&uri.parse().expect("valid uri"), &[])
                .err()
                .map(|e| e.kind())
        };
        assert_eq!(kind("https://cdn.example.com/"), None);
        assert_eq!(kind("http://127.0.0.1:8080/"), None);
        assert_eq!(kind("http://[::1]/"), None);
        assert_eq!(kind("http://localhost/"), None);
        assert_eq!(kind("http://192.0.2.1/"), Some(ErrorKind::InsecureScheme));
        assert_eq!(kind("ftp://example.com/"), Some(ErrorKind::InvalidRequest));
        assert_eq!(kind("/relative?x=1"), Some(ErrorKind::InvalidRequest));
    }

    #[test]
    fn plain_http_only_to_the_hosts_named() {
        let allowed = ["metadata.tencentyun.com".to_owned()];
        let kind = |uri: &str| {
            check_request(&uri.parse().expect("valid uri"), &allowed)
                .err()
                .map(|e| e.kind())
        };
        assert_eq!(kind("http://metadata.tencentyun.com/latest/"), None);
        assert_eq!(kind("http://METADATA.tencentyun.com/"), None);
        assert_eq!(
            kind("http://evil.metadata.tencentyun.com/"),
            Some(ErrorKind::InsecureScheme)
        );
        assert_eq!(
            kind("http://tencentyun.com/"),
            Some(ErrorKind::InsecureScheme)
        );
    }

    #[test]
    fn bad_proxy_from_env_fails_the_build_without_leaking_credentials() {
        let error = HyperTransport::builder()
            .proxy_from_env_with(|name| {
                (name == "https_proxy").then(|| "socks5://u:secretpw@p:1080".to_owned())
            })
            .build()
            .expect_err("socks proxies are refused");
        assert_eq!(error.kind(), ErrorKind::Proxy);
        assert!(!error.to_string().contains("secretpw"), "{error}");
    }

    #[test]
    fn debug_hides_proxy_credentials() {
        let builder = HyperTransport::builder().proxy("http://u:secretpw@proxy.corp:3128");
        assert!(!format!("{builder:?}").contains("secretpw"));
    }

    #[test]
    fn no_roots_is_a_build_error() {
        let error = HyperTransport::builder()
            .default_roots(false)
            .build()
            .expect_err("nothing trusted");
        assert_eq!(error.kind(), ErrorKind::Tls);
    }
}
