//! The connector stack behind [`HyperTransport`](crate::HyperTransport):
//! TCP (direct or through an HTTP CONNECT tunnel), then TLS, all under one
//! connect deadline, with failures labelled by the stage that failed.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

type BoxError = Box<dyn StdError + Send + Sync + 'static>;
type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Whether `host` (as in [`Uri::host`], IPv6 possibly in brackets) is
/// `localhost` or a loopback address (127.0.0.0/8, ::1).
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Which connection stage failed; decides the [`ErrorKind`](crate::ErrorKind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConnectStage {
    /// TCP connect (or DNS) to the target.
    Tcp,
    /// Reaching the proxy or establishing the CONNECT tunnel.
    Proxy,
    /// The TLS handshake with the target.
    Tls,
    /// The connect deadline passed.
    Deadline(Duration),
}

/// A connection failure labelled with its stage; carried through hyper-util's
/// error so `send` can classify it.
#[derive(Debug)]
pub(crate) struct ConnectFailure {
    pub(crate) stage: ConnectStage,
    pub(crate) source: Option<BoxError>,
}

impl fmt::Display for ConnectFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.stage, &self.source) {
            (ConnectStage::Deadline(limit), _) => {
                write!(f, "connecting took longer than {limit:?}")
            }
            (_, Some(source)) => f.write_str(&error_chain_text(source.as_ref())),
            (stage, None) => write!(f, "{stage:?} stage failed"),
        }
    }
}

impl StdError for ConnectFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}

/// The messages of `error` and its sources joined by `": "`, skipping a
/// message already contained in the previous one (io::Error repeats its
/// inner error's text).
pub(crate) fn error_chain_text(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut current = error.source();
    while let Some(cause) = current {
        let message = cause.to_string();
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        current = cause.source();
    }
    text
}

/// Routes each connection directly or through the HTTPS proxy's CONNECT
/// tunnel. Loopback targets never use the proxy.
/// A host given an address of its own (`resolved`) is connected to
/// directly at that address.
#[derive(Clone)]
pub(crate) struct RoutingConnector {
    http: HttpConnector,
    proxy: Option<Arc<Matcher>>,
    resolved: Arc<[(String, SocketAddr)]>,
}

impl RoutingConnector {
    pub(crate) fn new(proxy: Option<Matcher>, resolved: Vec<(String, SocketAddr)>) -> Self {
        let mut http = HttpConnector::new();
        // TLS is layered on top by hyper-rustls; the deadline by DeadlineConnector.
        http.enforce_http(false);
        http.set_nodelay(true);
        Self {
            http,
            proxy: proxy.map(Arc::new),
            resolved: resolved.into(),
        }
    }

    /// `target` with its host replaced by the address given for it, if one
    /// was.
    fn resolved(&self, target: &Uri) -> Option<Uri> {
        let host = target.host()?;
        let (_, address) = self
            .resolved
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(host))?;
        let scheme = target.scheme_str().unwrap_or("http");
        format!("{scheme}://{address}/").parse().ok()
    }
}

impl Service<Uri> for RoutingConnector {
    type Response = TokioIo<TcpStream>;
    type Error = ConnectFailure;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // HttpConnector is always ready; each call clones it.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, target: Uri) -> Self::Future {
        if let Some(direct) = self.resolved(&target) {
            let mut http = self.http.clone();
            return Box::pin(async move {
                http.call(direct).await.map_err(|error| ConnectFailure {
                    stage: ConnectStage::Tcp,
                    source: Some(Box::new(error)),
                })
            });
        }
        let intercept = match (&self.proxy, target.host()) {
            (Some(matcher), Some(host)) if !is_loopback_host(host) => matcher.intercept(&target),
            _ => None,
        };
        match intercept {
            Some(intercept) => {
                let mut tunnel = Tunnel::new(intercept.uri().clone(), self.http.clone());
                if let Some(auth) = intercept.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                Box::pin(async move {
                    tunnel.call(target).await.map_err(|error| ConnectFailure {
                        stage: ConnectStage::Proxy,
                        source: Some(Box::new(error)),
                    })
                })
            }
            None => {
                let mut http = self.http.clone();
                Box::pin(async move {
                    http.call(target).await.map_err(|error| ConnectFailure {
                        stage: ConnectStage::Tcp,
                        source: Some(Box::new(error)),
                    })
                })
            }
        }
    }
}

/// Puts the whole connection set-up (TCP, tunnel, TLS) under one deadline
/// and labels failures that hyper-rustls produced itself as TLS failures.
#[derive(Clone)]
pub(crate) struct DeadlineConnector {
    inner: HttpsConnector<RoutingConnector>,
    deadline: Duration,
}

impl DeadlineConnector {
    pub(crate) fn new(inner: HttpsConnector<RoutingConnector>, deadline: Duration) -> Self {
        Self { inner, deadline }
    }
}

impl Service<Uri> for DeadlineConnector {
    type Response = MaybeHttpsStream<TokioIo<TcpStream>>;
    type Error = ConnectFailure;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(label_https_error)
    }

    fn call(&mut self, target: Uri) -> Self::Future {
        let deadline = self.deadline;
        let connecting = self.inner.call(target);
        Box::pin(async move {
            match tokio::time::timeout(deadline, connecting).await {
                Ok(Ok(stream)) => Ok(stream),
                Ok(Err(error)) => Err(label_https_error(error)),
                Err(_elapsed) => Err(ConnectFailure {
                    stage: ConnectStage::Deadline(deadline),
                    source: None,
                }),
            }
        })
    }
}

/// Errors from the routing connector pass through hyper-rustls unchanged;
/// anything else it returns comes from the TLS handshake or server-name
/// parsing.
fn label_https_error(error: BoxError) -> ConnectFailure {
    match error.downcast::<ConnectFailure>() {
        Ok(failure) => *failure,
        Err(other) => ConnectFailure {
            stage: ConnectStage::Tls,
            source: Some(other),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "LOCALHOST",
            "localhost.",
            "127.0.0.1",
            "127.255.0.9",
            "[::1]",
            "::1",
        ] {
            assert!(is_loopback_host(host), "{host} should be loopback");
        }
        for host in [
            "192.0.2.1",
            "10.0.0.1",
            "[::2]",
            "localhost.example.com",
            "mylocalhost",
            "cdn.tencentcloudapi.com",
            "128.0.0.1",
            "0.0.0.0",
        ] {
            assert!(!is_loopback_host(host), "{host} should not be loopback");
        }
    }
}
