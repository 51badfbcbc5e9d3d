//! What every client command sets up before it sends anything: the
//! endpoint, credentials, signing and clock ([`Setup`]), and the runtime
//! they run on.

use std::io::{self};
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tcdn::clock::{Clock, SystemClock};
use tcdn::credentials::RefreshingCredentials;
use tcdn::error::ClientErrorKind;
use tcdn::nonce::{Nonce, NonceSource, RandomNonces, SequentialNonces};
use tcdn::v3::Signing;
use tcdn::{
    Api, Client, ClientBuilder, CredentialChain, Endpoint, HttpMethod, RetryPolicy, SignatureMethod,
};

use crate::args::{ApiArg, ClientOptions, MethodArg, SignatureMethodArg};
use crate::exit::CliError;

/// The client's settings, resolved from the options and the environment.
pub(crate) struct Setup {
    pub(crate) api: Api,
    pub(crate) endpoint: Endpoint,
    pub(crate) credentials: Arc<RefreshingCredentials>,
    pub(crate) method: HttpMethod,
    pub(crate) signing: Signing,
    pub(crate) language: tcdn::v3::Language,
    clock: Arc<StartingClock>,
    pub(crate) nonces: Arc<dyn NonceSource>,
}

impl Setup {
    /// Reads the endpoint, credentials and signing; refuses TC3 with API 2.0.
    /// The credentials are loaded on `runtime`, which the client then runs
    /// on (their refreshes share its connections).
    pub(crate) fn new(
        global: &ClientOptions,
        runtime: &tokio::runtime::Runtime,
    ) -> Result<Self, CliError> {
        let api = match global.api {
            ApiArg::V2 => Api::V2,
            ApiArg::V3 => Api::V3,
        };
        let signing = match (global.signature_method, api) {
            (SignatureMethodArg::Tc3HmacSha256, Api::V2) => {
                return Err(CliError::usage(
                    "--signature-method tc3-hmac-sha256 is API 3.0's: API 2.0 signs with \
                     hmac-sha1 or hmac-sha256",
                ));
            }
            (SignatureMethodArg::Tc3HmacSha256, _) => Signing::Tc3,
            (SignatureMethodArg::HmacSha1, _) => Signing::V1(SignatureMethod::HmacSha1),
            (SignatureMethodArg::HmacSha256, _) => Signing::V1(SignatureMethod::HmacSha256),
        };
        let endpoint = match &global.endpoint {
            Some(text) => Endpoint::parse_for(api, text)
                .map_err(|e| CliError::config(format!("--endpoint: {e}")))?,
            None => Endpoint::default_for(api),
        };
        let credentials = load_credentials(global, runtime)?;
        let method = match global.method {
            MethodArg::Get => HttpMethod::Get,
            MethodArg::Post => HttpMethod::Post,
        };
        let nonces: Arc<dyn NonceSource> = match global.nonce.and_then(Nonce::new) {
            // `--nonce N`: N, N + 1, ..., so a dry run is reproducible.
            Some(first) => Arc::new(SequentialNonces::new(first)),
            None => Arc::new(RandomNonces::new()),
        };
        let language = match global.language {
            crate::args::LanguageArg::EnUs => tcdn::v3::Language::EnUs,
            crate::args::LanguageArg::ZhCn => tcdn::v3::Language::ZhCn,
        };
        Ok(Self {
            api,
            endpoint,
            credentials,
            method,
            signing,
            language,
            clock: Arc::new(StartingClock::new(global.timestamp, !global.dry_run)),
            nonces,
        })
    }

    /// The client.
    pub(crate) fn client(
        &self,
        global: &ClientOptions,
        batch_size: Option<NonZeroUsize>,
    ) -> Result<Client, CliError> {
        let mut builder = self.builder(global, batch_size);
        if let Some(path) = &global.ca_bundle {
            let pem = read_ca_bundle(path)?;
            builder = builder
                .add_root_certificates_pem(&pem, &path.display().to_string())
                .map_err(|e| CliError::config(format!("--ca-bundle: {e}")))?;
        }
        if global.rate_limit == 0 && !self.endpoint.is_loopback() {
            tracing::warn!(
                "--rate-limit 0: requests are not paced; the server refuses calls over its \
                 limit (API 3.0: 20 per second per action, API 2.0: 100 per minute), and each \
                 refusal waits for the server's window"
            );
        }
        builder.build().map_err(client_error)
    }

    /// The client of a dry run: it signs as [`client`](Self::client)'s
    /// would, and never connects, so neither the certificates nor the
    /// proxy settings are read.
    pub(crate) fn dry_run_client(
        &self,
        global: &ClientOptions,
        batch_size: Option<NonZeroUsize>,
    ) -> Result<Client, CliError> {
        self.builder(global, batch_size)
            .build_offline()
            .map_err(client_error)
    }

    /// The client's configuration from the options.
    fn builder(&self, global: &ClientOptions, batch_size: Option<NonZeroUsize>) -> ClientBuilder {
        let concurrency =
            NonZeroUsize::new(global.concurrency as usize).unwrap_or(NonZeroUsize::MIN);
        Client::builder_refreshing(Arc::clone(&self.credentials))
            .api(self.api)
            .endpoint(self.endpoint.clone())
            .method(self.method)
            .signing(self.signing)
            .language(self.language)
            .timeout(Duration::from_secs(global.timeout.max(1)))
            .retry_policy(
                RetryPolicy::default()
                    .with_retries(global.retries)
                    .with_base_delay(Duration::from_millis(global.retry_delay)),
            )
            .concurrency(concurrency)
            .rate_limit_per_minute(global.rate_limit)
            .batch_size(batch_size)
            .clock(self.clock.clone())
            .nonce_source(self.nonces.clone())
    }
}

/// Why the client could not be made, as the CLI reports it.
fn client_error(e: tcdn::ClientError) -> CliError {
    match e.kind() {
        // The user's environment, not a failure of the run.
        ClientErrorKind::Proxy => CliError::config(e.to_string()),
        _ => CliError::runtime(e.to_string()),
    }
}

/// The most bytes a certificate bundle may hold: the largest system
/// bundles are about 250 KB, so 4 MiB leaves room and still keeps a wrong
/// path (`/dev/zero`, a disk image) from being read whole.
const MAX_CA_BUNDLE_LEN: u64 = 4 << 20;

/// The bytes of the `--ca-bundle` (or `SSL_CERT_FILE`) file, at most
/// [`MAX_CA_BUNDLE_LEN`]: the size is checked before reading, and the read
/// is bounded too (a device or a FIFO has no size to check).
fn read_ca_bundle(path: &Path) -> Result<Vec<u8>, CliError> {
    use std::io::Read as _;
    let name = || {
        format!(
            "certificate bundle {:?} (--ca-bundle or SSL_CERT_FILE)",
            path
        )
    };
    let unreadable = |e: io::Error| CliError::config(format!("{}: {e}", name()));
    let too_large = || {
        CliError::config(format!(
            "{} is larger than {} MiB: it cannot be a certificate bundle; check the path",
            name(),
            MAX_CA_BUNDLE_LEN >> 20
        ))
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    if file
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() > MAX_CA_BUNDLE_LEN)
    {
        return Err(too_large());
    }
    let mut pem = Vec::new();
    file.take(MAX_CA_BUNDLE_LEN + 1)
        .read_to_end(&mut pem)
        .map_err(unreadable)?;
    if pem.len() as u64 > MAX_CA_BUNDLE_LEN {
        return Err(too_large());
    }
    Ok(pem)
}

/// Follows the credential chain as the options say (the explicit choices
/// first, see [`CredentialChain`]). A dry run does not fall back on the
/// instance's role: it contacts the metadata service only when
/// `--use-cvm-role` asks. A source that fails is exit 2, its message naming
/// it (never a secret); `-v` logs which source supplied the credentials.
fn load_credentials(
    global: &ClientOptions,
    runtime: &tokio::runtime::Runtime,
) -> Result<Arc<RefreshingCredentials>, CliError> {
    if global.use_cvm_role && global.profile.is_some() {
        return Err(CliError::usage(
            "--use-cvm-role and --profile name different credentials: choose one",
        ));
    }
    if global.role_session_name.is_some()
        && global.role_arn.is_none()
        && std::env::var_os(tcdn::credentials::ENV_ROLE_ARN).is_none()
    {
        return Err(CliError::usage(format!(
            "--role-session-name names the session of an assumed role: give --role-arn (or {})",
            tcdn::credentials::ENV_ROLE_ARN
        )));
    }
    let mut chain = CredentialChain::from_process();
    if let Some(profile) = &global.profile {
        chain = chain.profile(profile.clone());
    }
    if global.use_cvm_role {
        chain = chain.use_cvm_role();
    } else if global.dry_run {
        chain = chain.without_instance_role_fallback();
    }
    if let Some(role_arn) = &global.role_arn {
        chain = chain.role_arn(role_arn.clone());
    }
    if let Some(name) = &global.role_session_name {
        chain = chain.role_session_name(name.clone());
    }
    let credentials = runtime
        .block_on(chain.load())
        .map_err(|e| CliError::credentials(e.to_string()))?;
    tracing::info!(
        source = %credentials.source(),
        "credentials from {}",
        credentials.source()
    );
    Ok(Arc::new(credentials))
}

/// A multi-threaded tokio runtime.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    build_runtime(tokio::runtime::Builder::new_multi_thread())
}

/// A tokio runtime on the calling thread alone: enough for what a dry run
/// awaits (credentials that come from a service), without starting a
/// worker thread per core that it would never use.
pub(crate) fn dry_run_runtime() -> Result<tokio::runtime::Runtime, CliError> {
    build_runtime(tokio::runtime::Builder::new_current_thread())
}

fn build_runtime(
    mut builder: tokio::runtime::Builder,
) -> Result<tokio::runtime::Runtime, CliError> {
    builder
        .enable_all()
        .build()
        .map_err(|e| CliError::runtime(format!("could not start the async runtime: {e}")))
}

/// The system clock, optionally started at a given Unix time (`--timestamp`)
/// and running on from there, or, for a dry run, staying there so that its
/// output is reproducible.
#[derive(Debug)]
struct StartingClock {
    start_unix: Option<u64>,
    runs: bool,
    origin: Instant,
    system: SystemClock,
}

impl StartingClock {
    fn new(start_unix: Option<u64>, runs: bool) -> Self {
        Self {
            start_unix,
            runs,
            origin: Instant::now(),
            system: SystemClock::new(),
        }
    }
}

impl Clock for StartingClock {
    fn unix_seconds(&self) -> u64 {
        match self.start_unix {
            Some(start) if self.runs => start.saturating_add(self.origin.elapsed().as_secs()),
            Some(start) => start,
            None => self.system.unix_seconds(),
        }
    }

    fn monotonic(&self) -> Duration {
        self.origin.elapsed()
    }
}
