//! [`ClientBuilder`]: a client's configuration, its defaults, and the
//! checks [`build`](ClientBuilder::build) makes before it makes one.

use std::fmt;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tcdn_sign::{HttpMethod, SignatureMethod};
use tcdn_transport::{CertificateDer, HyperTransport, Transport, TransportError};

use super::{Backends, Client};
use crate::api::teo::{self, Teo};
use crate::api::v2::{RequestBuilder, RequestError, V2};
use crate::api::v3::{self, Signing, V3};
use crate::clock::{Clock, Sleeper, SystemClock, TokioSleeper};
use crate::core::Core;
use crate::core::backend::Backend;
use crate::core::pace::Pacing;
use crate::core::retry::RetryPolicy;
use crate::credentials::{Credentials, RefreshingCredentials};
use crate::endpoint::Endpoint;
use crate::error::{ClientError, ClientErrorKind};
use crate::job::{Api, Product};
use crate::nonce::{NonceSource, RandomNonces};

/// The default per-attempt timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default number of requests in flight.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// API 2.0's default rate limit: its documented 100 calls per minute.
pub const DEFAULT_V2_RATE_LIMIT_PER_MINUTE: u32 = 100;
/// API 3.0's default rate limit: 20 calls per second per action, 1200 per
/// minute.
pub const DEFAULT_V3_RATE_LIMIT_PER_MINUTE: u32 = 1200;
/// How long requests in flight may still answer after a submission is
/// interrupted (see [`ClientBuilder::interrupt_grace`]).
pub const DEFAULT_INTERRUPT_GRACE: Duration = Duration::from_secs(5);

/// Builds a [`Client`]; start with [`Client::builder`].
pub struct ClientBuilder {
    credentials: Arc<RefreshingCredentials>,
    api: Api,
    product: Product,
    endpoint: Option<Endpoint>,
    signing: Option<Signing>,
    language: Option<v3::Language>,
    requests: RequestBuilder,
    extra_params: bool,
    transport: Option<Arc<dyn Transport>>,
    roots: Vec<CertificateDer<'static>>,
    timeout: Duration,
    retry: RetryPolicy,
    concurrency: NonZeroUsize,
    rate_limit_per_minute: Option<u32>,
    batch_size: Option<NonZeroUsize>,
    clock: Arc<dyn Clock>,
    nonces: Arc<dyn NonceSource>,
    sleeper: Arc<dyn Sleeper>,
    jitter_seed: Option<u64>,
    interrupt_grace: Duration,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("credentials", &self.credentials)
            .field("api", &self.api)
            .field("product", &self.product)
            .field("endpoint", &self.endpoint)
            .field("signing", &self.signing)
            .field("language", &self.language)
            .field("requests", &self.requests)
            // A transport's own Debug may show what it recorded (the mocks do).
            .field(
                "transport",
                &self.transport.as_ref().map(|_| "dyn Transport"),
            )
            .field("extra_roots", &self.roots.len())
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("concurrency", &self.concurrency)
            .field("rate_limit_per_minute", &self.rate_limit_per_minute)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Speaks `api` (default [`Api::V3`]).
    #[must_use]
    pub fn api(mut self, api: Api) -> Self {
        self.api = api;
        self
    }

    /// Calls `product` (default [`Product::Cdn`]). EdgeOne speaks API 3.0
    /// with TC3 POST only: API 2.0, the v1 signature, GET and extra
    /// parameters are refused by [`build`](Self::build).
    #[must_use]
    pub fn product(mut self, product: Product) -> Self {
        self.product = product;
        self
    }

    /// Sends to `endpoint` (default: the API's own,
    /// `https://cdn.tencentcloudapi.com/` or
    /// `https://cdn.api.qcloud.com/v2/index.php`); see
    /// [`Endpoint::parse_for`] to give an origin.
    #[must_use]
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// GET or POST (the default).
    #[must_use]
    pub fn method(mut self, method: HttpMethod) -> Self {
        self.requests = self.requests.with_method(method);
        self
    }

    /// Signs with HmacSHA1 or HmacSHA256: API 2.0's signature, and API
    /// 3.0's v1 signature ([`Signing::V1`]). API 2.0's default is HmacSHA1.
    #[must_use]
    pub fn signature_method(mut self, method: SignatureMethod) -> Self {
        self.signing = Some(Signing::V1(method));
        self
    }

    /// How API 3.0 requests are signed (default [`Signing::Tc3`]); API 2.0
    /// takes [`Signing::V1`] only.
    #[must_use]
    pub fn signing(mut self, signing: Signing) -> Self {
        self.signing = Some(signing);
        self
    }

    /// Asks API 3.0 for its messages in `language` (see
    /// [`v3::RequestBuilder::with_language`]); by default none is asked
    /// for. API 2.0 has no such parameter.
    #[must_use]
    pub fn language(mut self, language: v3::Language) -> Self {
        self.language = Some(language);
        self
    }

    /// Adds an extra signed parameter to every API 2.0 request; see
    /// [`RequestBuilder::with_extra_param`]. API 3.0 takes none.
    ///
    /// # Errors
    /// When the name is reserved, empty or repeated.
    pub fn extra_param(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self, RequestError> {
        self.requests = self.requests.with_extra_param(name, value)?;
        self.extra_params = true;
        Ok(self)
    }

    /// Sends through `transport` instead of the default [`HyperTransport`].
    #[must_use]
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Trusts every certificate of a PEM bundle as a root of the default
    /// transport, besides the usual roots: for TLS-inspecting proxies, and
    /// for the emulator's `--tls` (its `--tls-ca-out` file).
    ///
    /// # Errors
    /// [`ClientErrorKind::Certificates`] when the bundle holds no readable
    /// certificate; `source` names it in the message.
    pub fn add_root_certificates_pem(
        mut self,
        pem: &[u8],
        source: &str,
    ) -> Result<Self, ClientError> {
        use rustls::pki_types::pem::PemObject;
        let refused = |why: String| {
            ClientError::new(
                ClientErrorKind::Certificates,
                format!("cannot read trusted certificates from {source}: {why}"),
            )
        };
        let certificates = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|err| refused(err.to_string()))?;
        if certificates.is_empty() {
            return Err(refused("it holds no PEM certificate".to_owned()));
        }
        self.roots.extend(certificates);
        Ok(self)
    }

    /// The per-attempt timeout (default 30 s): given to the default
    /// transport as its total timeout, and enforced by the client around
    /// any transport.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]).
    #[must_use]
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How many requests [`Client::submit`] keeps in flight (default 4).
    #[must_use]
    pub fn concurrency(mut self, concurrency: NonZeroUsize) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// The most HTTP requests per sliding minute, retries included; 0 turns
    /// pacing off. Default: API 2.0's 100 for all calls; API 3.0's 1200 for
    /// each action (paced per second: 20).
    #[must_use]
    pub fn rate_limit_per_minute(mut self, limit: u32) -> Self {
        self.rate_limit_per_minute = Some(limit);
        self
    }

    /// At most this many URLs per request in [`Client::submit`], below the
    /// operation's own limit.
    #[must_use]
    pub fn batch_size(mut self, size: Option<NonZeroUsize>) -> Self {
        self.batch_size = size;
        self
    }

    /// The clock (default [`SystemClock`]).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The nonce source (default [`RandomNonces`]).
    #[must_use]
    pub fn nonce_source(mut self, nonces: Arc<dyn NonceSource>) -> Self {
        self.nonces = nonces;
        self
    }

    /// The sleeper (default [`TokioSleeper`]).
    #[must_use]
    pub fn sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = sleeper;
        self
    }

    /// How long requests in flight may still answer after a submission is
    /// interrupted through its [`Cancel`](crate::cancel::Cancel) (default 5 s): then they are given
    /// up, and their URLs reported failed with `maybe_applied`.
    #[must_use]
    pub fn interrupt_grace(mut self, grace: Duration) -> Self {
        self.interrupt_grace = grace;
        self
    }

    /// Seeds the backoff jitter, for reproducible schedules.
    #[must_use]
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`ClientErrorKind::InvalidConfig`] for TC3 with API 2.0 or extra
    /// parameters with API 3.0; [`ClientErrorKind::Proxy`] when no
    /// transport was given and the proxy setting is unusable;
    /// [`ClientErrorKind::Transport`] when the default transport cannot be
    /// set up otherwise (its TLS roots).
    pub fn build(self) -> Result<Client, ClientError> {
        self.build_with(Transports::Http)
    }

    /// A client that signs but never connects, for dry runs: the checks of
    /// [`build`](Self::build), and none of its transport's set-up (no
    /// certificates or proxy read), so what a dry run prints does not
    /// depend on the network's configuration. [`Client::sign_plan`] and
    /// [`Client::sign_request`] work as with any client; a request sent
    /// fails, reaching no server.
    ///
    /// # Errors
    /// As for [`build`](Self::build), bar the transport's.
    pub fn build_offline(self) -> Result<Client, ClientError> {
        self.build_with(Transports::Offline)
    }

    /// The client, with the transport `transports` says.
    fn build_with(self, transports: Transports) -> Result<Client, ClientError> {
        let endpoint = self
            .endpoint
            .unwrap_or_else(|| Endpoint::default_for_product(self.product, self.api));
        let backend = match (self.product, self.api) {
            (Product::EdgeOne, api) => {
                let refusal = if api == Api::V2 {
                    Some("EdgeOne has no API 2.0: it speaks API 3.0 (TC3) only")
                } else if matches!(self.signing, Some(Signing::V1(_))) {
                    Some("tcdn signs EdgeOne calls with TC3 only")
                } else if self.requests.method() != HttpMethod::Post {
                    Some("tcdn sends EdgeOne calls as POST only")
                } else if self.extra_params {
                    Some("extra parameters are for API 2.0")
                } else {
                    None
                };
                if let Some(refusal) = refusal {
                    return Err(ClientError::new(
                        ClientErrorKind::InvalidConfig,
                        refusal.to_owned(),
                    ));
                }
                let mut requests = teo::RequestBuilder::new(self.requests.credentials().clone())
                    .with_endpoint(endpoint);
                if let Some(language) = self.language {
                    requests = requests.with_language(language);
                }
                Backends::EdgeOne(Arc::new(Teo::new(requests)))
            }
            (Product::Cdn, api) => match api {
                Api::V2 => {
                    let method = match self.signing {
                        None => SignatureMethod::HmacSha1,
                        Some(Signing::V1(method)) => method,
                        Some(Signing::Tc3) => {
                            return Err(ClientError::new(
                                ClientErrorKind::InvalidConfig,
                                "API 2.0 has no TC3-HMAC-SHA256 signature: choose HmacSHA1 or \
                             HmacSHA256, or API 3.0"
                                    .to_owned(),
                            ));
                        }
                    };
                    Backends::V2(Arc::new(V2 {
                        requests: self
                            .requests
                            .with_endpoint(endpoint)
                            .with_signature_method(method),
                    }))
                }
                Api::V3 => {
                    if self.extra_params {
                        return Err(ClientError::new(
                            ClientErrorKind::InvalidConfig,
                            "extra parameters are for API 2.0; API 3.0 refuses parameters it does \
                         not define"
                                .to_owned(),
                        ));
                    }
                    let mut requests = v3::RequestBuilder::new(self.requests.credentials().clone())
                        .with_endpoint(endpoint)
                        .with_method(self.requests.method())
                        .with_signing(self.signing.unwrap_or_default());
                    if let Some(language) = self.language {
                        requests = requests.with_language(language);
                    }
                    Backends::V3(Arc::new(V3 { requests }))
                }
            },
        };
        let transport = match (self.transport, transports) {
            (Some(transport), _) => transport,
            (None, Transports::Offline) => Arc::new(Offline),
            (None, Transports::Http) => {
                let mut builder = HyperTransport::builder().total_timeout(self.timeout);
                for root in self.roots {
                    builder = builder.add_root_certificate(root);
                }
                Arc::new(builder.build().map_err(|e| ClientError::transport(&e))?)
            }
        };
        // The limit is given per minute and scaled to the server's window.
        let (window, default_limit) = match &backend {
            Backends::V2(_) => (V2::RATE_WINDOW, DEFAULT_V2_RATE_LIMIT_PER_MINUTE),
            Backends::V3(_) => (V3::RATE_WINDOW, DEFAULT_V3_RATE_LIMIT_PER_MINUTE),
            Backends::EdgeOne(_) => (Teo::RATE_WINDOW, DEFAULT_V3_RATE_LIMIT_PER_MINUTE),
        };
        let pacing = Pacing::new(
            window.limit(self.rate_limit_per_minute.unwrap_or(default_limit)),
            window.window + window.margin,
        );
        let rng = match self.jitter_seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        Ok(Client {
            core: Arc::new(Core {
                transport,
                credentials: self.credentials,
                timeout: self.timeout,
                retry: self.retry,
                concurrency: self.concurrency,
                batch_size: self.batch_size,
                clock: self.clock,
                nonces: self.nonces,
                sleeper: self.sleeper,
                pacing,
                rng: Mutex::new(rng),
                interrupt_grace: self.interrupt_grace,
                server_clock: crate::core::skew::ServerClock::default(),
            }),
            backend,
        })
    }
}

impl Client {
    /// A builder with `credentials` and the defaults: API 3.0, the API's
    /// endpoint, POST, TC3 (API 2.0: HmacSHA1), the hyper transport, a 30 s
    /// timeout, the default retry policy, concurrency 4, the API's rate
    /// limit, the system clock, random nonces and tokio's sleep.
    pub fn builder(credentials: Credentials) -> ClientBuilder {
        Self::builder_refreshing(Arc::new(RefreshingCredentials::fixed(credentials)))
    }

    /// [`builder`](Self::builder) with credentials that are refreshed
    /// before they expire (from [`CredentialChain::load`](crate::CredentialChain::load)):
    /// every attempt is signed with [`RefreshingCredentials::current`], and
    /// a request refused because its temporary credentials expired in
    /// flight is retried once after [`RefreshingCredentials::refresh_after_refusal`].
    pub fn builder_refreshing(credentials: Arc<RefreshingCredentials>) -> ClientBuilder {
        ClientBuilder {
            requests: RequestBuilder::new(credentials.peek()),
            credentials,
            api: Api::default(),
            product: Product::default(),
            endpoint: None,
            signing: None,
            language: None,
            extra_params: false,
            transport: None,
            roots: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            concurrency: NonZeroUsize::new(DEFAULT_CONCURRENCY).unwrap_or(NonZeroUsize::MIN),
            rate_limit_per_minute: None,
            batch_size: None,
            clock: Arc::new(SystemClock::new()),
            nonces: Arc::new(RandomNonces::new()),
            sleeper: Arc::new(TokioSleeper),
            jitter_seed: None,
            interrupt_grace: DEFAULT_INTERRUPT_GRACE,
        }
    }
}

/// Which transport [`ClientBuilder::build_with`] makes when none was given.
#[derive(Debug, Clone, Copy)]
enum Transports {
    /// The HTTP transport, with the builder's roots and timeout.
    Http,
    /// [`Offline`].
    Offline,
}

/// The transport of a client that never connects
/// ([`ClientBuilder::build_offline`]): every request fails before it
/// leaves.
#[derive(Debug)]
struct Offline;

#[async_trait::async_trait]
impl Transport for Offline {
    async fn send(
        &self,
        _request: http::Request<bytes::Bytes>,
    ) -> Result<http::Response<bytes::Bytes>, TransportError> {
        Err(TransportError::connect(
            "this client was built offline, for dry runs: it sends nothing",
        ))
    }
}
