//! Pluggable async HTTP transport for tcdn.
//!
//! The rest of tcdn builds a signed, fully buffered [`http::Request`] and
//! hands it to a [`Transport`]; this crate knows nothing of signing or of the
//! CDN API, only of moving bytes safely.
//!
//! # Main types
//!
//! - [`Transport`]: the object-safe async trait (`Arc<dyn Transport>`): one
//!   `http::Request<Bytes>` in, one `http::Response<Bytes>` or a
//!   [`TransportError`] out. Any status code, 5xx included, is a response,
//!   not an error.
//! - [`TransportError`]: what failed ([`ErrorKind`]) and, crucially,
//!   [`may_have_reached_server`](TransportError::may_have_reached_server),
//!   which tells a caller whether retrying could duplicate the request.
//!   Messages name the target as `scheme://host:port/path`, never the query
//!   string (which carries signatures and tokens).
//! - [`HyperTransport`] (built by [`HyperTransportBuilder`]): the production
//!   implementation. hyper 1 with hyper-util's pooled HTTP/1.1 keep-alive
//!   client; rustls with the ring provider passed explicitly; the bundled
//!   webpki roots (plus the OS store with the `native-roots` feature) or your
//!   own; a connect timeout (10 s) covering TCP, proxy tunnel and TLS; a
//!   total timeout (60 s) covering the whole exchange including the body; a
//!   response cap (1 MiB) enforced while reading; `HTTPS_PROXY` /
//!   `NO_PROXY` or an explicit proxy through a CONNECT tunnel (loopback
//!   targets never use it). Plain `http://` is allowed only to loopback
//!   (127.0.0.0/8, ::1, `localhost`); anything else is refused before a byte
//!   is sent ([`ErrorKind::InsecureScheme`]).
//! - The `mock` module (feature `test-util`): `ScriptedTransport`,
//!   `FnTransport` and `SilentTransport`, for tests.
//!
//! `tracing` debug events report method, target (without query), status or
//! error kind, and latency for each exchange.
//!
//! # Using the default transport
//!
//! ```no_run
//! use std::time::Duration;
//! use tcdn_transport::{HyperTransport, Transport};
//!
//! # async fn demo() -> Result<(), tcdn_transport::TransportError> {
//! let transport = HyperTransport::builder()
//!     .total_timeout(Duration::from_secs(30))
//!     .build()?;
//! let request = http::Request::get("https://cdn.tencentcloudapi.com/")
//!     .body(bytes::Bytes::new())
//!     .expect("valid request");
//! let response = transport.send(request).await?;
//! println!("status {}", response.status());
//! # Ok(())
//! # }
//! ```
//!
//! # Plugging in your own transport
//!
//! Implement [`Transport`] (with [`macro@async_trait`], re-exported here) over any HTTP stack, to add
//! middleware, a different TLS set-up or a corporate proxy scheme. Classify
//! failures honestly: a retry policy relies on
//! [`may_have_reached_server`](TransportError::may_have_reached_server).
//!
//! ```
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use bytes::Bytes;
//! use tcdn_transport::{Transport, TransportError};
//!
//! /// Counts requests, then delegates to an inner transport.
//! #[derive(Debug)]
//! struct Counting<T> {
//!     inner: T,
//!     sent: AtomicUsize,
//! }
//!
//! #[tcdn_transport::async_trait]
//! impl<T: Transport> Transport for Counting<T> {
//!     async fn send(
//!         &self,
//!         request: http::Request<Bytes>,
//!     ) -> Result<http::Response<Bytes>, TransportError> {
//!         self.sent.fetch_add(1, Ordering::Relaxed);
//!         self.inner.send(request).await
//!     }
//! }
//!
//! # let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
//! # runtime.block_on(async {
//! let counting = Counting {
//!     inner: tcdn_transport::mock::FnTransport::new(|_| Ok(tcdn_transport::mock::response(204, ""))),
//!     sent: AtomicUsize::new(0),
//! };
//! let transport: std::sync::Arc<dyn Transport> = std::sync::Arc::new(counting);
//! let request = http::Request::new(Bytes::new());
//! assert_eq!(transport.send(request).await.unwrap().status(), 204);
//! # });
//! ```
//!
//! # Testing with the mocks
//!
//! ```
//! use std::sync::Arc;
//! use bytes::Bytes;
//! use tcdn_transport::mock::ScriptedTransport;
//! use tcdn_transport::{ErrorKind, Transport, TransportError};
//!
//! # let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
//! # runtime.block_on(async {
//! // First a connect failure (nothing sent), then a 200.
//! let script = Arc::new(
//!     ScriptedTransport::new()
//!         .then_error(TransportError::connect("connection refused"))
//!         .then_respond(200, r#"{"code":0}"#),
//! );
//! // Code under test takes an Arc<dyn Transport>; keep a handle for assertions.
//! let transport: Arc<dyn Transport> = script.clone();
//!
//! let request = || http::Request::post("https://cdn.example.com/v2/").body(Bytes::from("a=1")).unwrap();
//! let first = transport.send(request()).await.unwrap_err();
//! assert_eq!(first.kind(), ErrorKind::Connect);
//! assert!(!first.may_have_reached_server());
//! let second = transport.send(request()).await.unwrap();
//! assert_eq!(second.body(), r#"{"code":0}"#);
//!
//! script.assert_sent(2);
//! script.assert_script_exhausted();
//! assert_eq!(script.requests()[0].body_text(), "a=1");
//! # });
//! ```
//!
//! `SilentTransport` never answers, so the caller's
//! own deadline is what ends the exchange; pair it with
//! `tokio::time::pause()` for instant timeout tests.
#![forbid(unsafe_code)]

mod connector;
mod error;
mod hyper_transport;
#[cfg(feature = "test-util")]
pub mod mock;

use std::sync::Arc;

pub use async_trait::async_trait;
use bytes::Bytes;

pub use error::{ErrorKind, TransportError};
pub use hyper_transport::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_POOL_IDLE_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT, HyperTransport, HyperTransportBuilder, USER_AGENT,
};
/// A DER certificate, as taken by
/// [`HyperTransportBuilder::add_root_certificate`] (re-exported from rustls).
pub use rustls::pki_types::CertificateDer;

/// Sends one fully buffered HTTP request and returns the fully buffered
/// response.
///
/// Implementations must be cheap to share (`Send + Sync`) and are used as
/// `Arc<dyn Transport>`. Every HTTP status, 4xx and 5xx included, is an
/// `Ok` response; `Err` is for exchanges that did not complete, classified
/// by [`TransportError::kind`] and
/// [`TransportError::may_have_reached_server`].
#[async_trait]
pub trait Transport: Send + Sync + std::fmt::Debug {
    /// Sends `request` and waits for the complete response.
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError>;
}

/// A pointer to a transport is a transport: it sends through what it
/// points to.
macro_rules! forward_transport {
    ($($pointer:ty),*) => {$(
        #[async_trait]
        impl<T: Transport + ?Sized> Transport for $pointer {
            async fn send(
                &self,
                request: http::Request<Bytes>,
            ) -> Result<http::Response<Bytes>, TransportError> {
                (**self).send(request).await
            }
        }
    )*};
}

forward_transport!(Arc<T>, Box<T>, &T);
