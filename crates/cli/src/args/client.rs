//! The options of the commands that call the API, accepted before the
//! command or after it, and their defaults.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{ApiArg, LanguageArg, MethodArg, OutputArg, SignatureMethodArg};

/// Help headings of the client options.
const ENDPOINT: &str = "Endpoint and signing";
const CREDENTIALS: &str = "Credentials";
const BATCHING: &str = "Batching and pacing";
const OUTPUT: &str = "Output";

/// Defines the client options twice from one list: [`ClientArgs`], listed
/// in the help of the commands that take them, and [`ClientArgsBefore`],
/// the same options written before the command, hidden from the top-level
/// help. Every option is optional here; [`ClientArgs::resolve`] applies the
/// defaults.
macro_rules! client_args {
    ($(
        $(#[doc = $doc:literal])*
        #[arg($($arg:tt)*)]
        $field:ident: $ty:ty,
    )*) => {
        /// Options of the commands that call the API (`flush`, `push`,
        /// `quota`, `tasks`).
        #[derive(Debug, Default, Args)]
        pub struct ClientArgs {
            $(
                $(#[doc = $doc])*
                #[arg($($arg)*)]
                pub $field: $ty,
            )*
        }

        /// The client options written before the command.
        #[derive(Debug, Default, Args)]
        pub struct ClientArgsBefore {
            $(
                $(#[doc = $doc])*
                #[arg($($arg)*, hide = true)]
                pub $field: $ty,
            )*
        }

        impl ClientArgs {
            /// These options, each falling back to the one written before
            /// the command.
            pub fn or(self, before: ClientArgsBefore) -> Self {
                Self {
                    $($field: Fallback::or(self.$field, before.$field),)*
                }
            }
        }

        impl ClientArgsBefore {
            /// The options given, as `--name`.
            pub fn given(&self) -> Vec<String> {
                let mut given = Vec::new();
                $(
                    if Fallback::is_given(&self.$field) {
                        given.push(format!("--{}", stringify!($field).replace('_', "-")));
                    }
                )*
                given
            }
        }
    };
}

/// An option that may be given at either place.
trait Fallback {
    fn or(self, before: Self) -> Self;
    fn is_given(&self) -> bool;
}

impl<T> Fallback for Option<T> {
    fn or(self, before: Self) -> Self {
        self.or(before)
    }
    fn is_given(&self) -> bool {
        self.is_some()
    }
}

impl Fallback for bool {
    fn or(self, before: Self) -> Self {
        self || before
    }
    fn is_given(&self) -> bool {
        *self
    }
}

client_args! {
    /// API version [default: v3] [env: TCDN_API].
    #[arg(long, value_enum, help_heading = ENDPOINT)]
    api: Option<ApiArg>,

    /// API endpoint [default: the API's own] [env: TCDN_ENDPOINT]. An
    /// origin (`scheme://host[:port]`) gets the API's path; http:// is
    /// allowed only to loopback addresses.
    #[arg(long, value_name = "URL", help_heading = ENDPOINT)]
    endpoint: Option<String>,

    /// HTTP method of the API requests [default: post].
    #[arg(long, value_enum, help_heading = ENDPOINT)]
    method: Option<MethodArg>,

    /// Signature algorithm [default: tc3-hmac-sha256 under API 3.0,
    /// hmac-sha1 under API 2.0].
    #[arg(long, value_enum, help_heading = ENDPOINT)]
    signature_method: Option<SignatureMethodArg>,

    /// Also trust the certificates of this PEM file, for TLS-inspecting
    /// proxies and the emulator's --tls [env: SSL_CERT_FILE].
    #[arg(long, value_name = "PATH", help_heading = ENDPOINT)]
    ca_bundle: Option<PathBuf>,

    /// Language of the API's messages, sent as X-TC-Language (the signed
    /// Language parameter with hmac-*) (API 3.0) [default: en-US]
    /// [env: TCDN_LANGUAGE].
    #[arg(long, value_enum, value_name = "LANG", help_heading = ENDPOINT)]
    language: Option<LanguageArg>,

    /// Credential profile of tccli / the SDKs [default: default] [env:
    /// TCCLI_PROFILE].
    #[arg(long, value_name = "NAME", help_heading = CREDENTIALS)]
    profile: Option<String>,

    /// Use the CAM role of this CVM instance (from its metadata service)
    /// and nothing else; with --role-arn, as the base credentials.
    #[arg(long, help_heading = CREDENTIALS)]
    use_cvm_role: bool,

    /// Assume this role with STS AssumeRole, e.g.
    /// qcs::cam::uin/100000000001:roleName/deploy [env: TENCENTCLOUD_ROLE_ARN].
    #[arg(long, value_name = "ARN", help_heading = CREDENTIALS)]
    role_arn: Option<String>,

    /// Session name of the assumed role [default: tcdn-<unix time>] [env:
    /// TENCENTCLOUD_ROLE_SESSION_NAME].
    #[arg(long, value_name = "NAME", help_heading = CREDENTIALS)]
    role_session_name: Option<String>,

    /// Fixed Nonce of the first request (for reproducible dry runs); each
    /// further request or retry takes the next number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), help_heading = ENDPOINT, hide_short_help = true)]
    nonce: Option<u32>,

    /// Fixed Timestamp in Unix seconds (for reproducible dry runs); when
    /// sending, the clock starts at this time and runs on. At most
    /// 253402300799 (the end of year 9999, the last signable second).
    #[arg(long, value_name = "UNIX", value_parser = clap::value_parser!(u64).range(..=tcdn::sign::tc3::MAX_TIMESTAMP), help_heading = ENDPOINT, hide_short_help = true)]
    timestamp: Option<u64>,

    /// At most this many URLs per request (the API's own limit applies anyway).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), help_heading = BATCHING)]
    batch_size: Option<u32>,

    /// Requests in flight at once [default: 4].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64), help_heading = BATCHING)]
    concurrency: Option<u32>,

    /// Requests per minute: API 3.0 paces each action (20 per second),
    /// API 2.0 all calls; 0 = no pacing (warned about unless the endpoint is
    /// loopback) [default: 1200 (v3), 100 (v2)]. A rate-limit refusal is
    /// retried after the server's window (v3 1 s, v2 60 s), not sooner, and
    /// halves the pace of its action for the next window (it grows back).
    #[arg(long, value_name = "N", help_heading = BATCHING)]
    rate_limit: Option<u32>,

    /// Retries of a failed request (transport errors, 5xx, rate limits;
    /// while pacing adapts, a rate-limit refusal uses none) [default: 3].
    #[arg(long, value_name = "N", help_heading = BATCHING)]
    retries: Option<u32>,

    /// First backoff delay between retries, in milliseconds; it doubles at
    /// each retry (with jitter), up to 30 s [default: 1000].
    #[arg(long, value_name = "MS", help_heading = BATCHING)]
    retry_delay: Option<u64>,

    /// Timeout of one HTTP request, in seconds [default: 60]. A lost
    /// answer's lookup (API 3.0) may take --timeout × (--retries + 1).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..), help_heading = BATCHING)]
    timeout: Option<u64>,

    /// Sign and print every request; send nothing.
    #[arg(long, help_heading = OUTPUT)]
    dry_run: bool,

    /// Output format [default: text].
    #[arg(long, value_enum, help_heading = OUTPUT)]
    output: Option<OutputArg>,
}

/// The client options with their defaults applied.
#[derive(Debug)]
pub struct ClientOptions {
    /// `--api`, else `TCDN_API`, else v3.
    pub api: ApiArg,
    /// `--ca-bundle`, else `SSL_CERT_FILE`.
    pub ca_bundle: Option<PathBuf>,
    /// `--endpoint`, else `TCDN_ENDPOINT` (unset or empty: the default).
    pub endpoint: Option<String>,
    /// `--method`.
    pub method: MethodArg,
    /// `--signature-method`, defaulted by the API.
    pub signature_method: SignatureMethodArg,
    /// `--language`, else `TCDN_LANGUAGE`, else en-US.
    pub language: LanguageArg,
    /// `--profile`.
    pub profile: Option<String>,
    /// `--use-cvm-role`.
    pub use_cvm_role: bool,
    /// `--role-arn`.
    pub role_arn: Option<String>,
    /// `--role-session-name`.
    pub role_session_name: Option<String>,
    /// `--nonce`.
    pub nonce: Option<u32>,
    /// `--timestamp`.
    pub timestamp: Option<u64>,
    /// `--batch-size`.
    pub batch_size: Option<u32>,
    /// `--concurrency`.
    pub concurrency: u32,
    /// `--rate-limit`.
    pub rate_limit: u32,
    /// `--retries`.
    pub retries: u32,
    /// `--retry-delay`.
    pub retry_delay: u64,
    /// `--timeout`.
    pub timeout: u64,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--output`.
    pub output: OutputArg,
}

/// The environment variables the client options fall back to.
#[derive(Debug, Default)]
pub struct ClientEnv {
    /// `TCDN_ENDPOINT`.
    pub endpoint: Option<String>,
    /// `TCDN_API`.
    pub api: Option<String>,
    /// `SSL_CERT_FILE`.
    pub ssl_cert_file: Option<PathBuf>,
    /// `TCDN_LANGUAGE`.
    pub language: Option<String>,
}

impl ClientEnv {
    /// Reads the variables.
    pub fn from_process() -> Self {
        Self {
            endpoint: std::env::var("TCDN_ENDPOINT").ok(),
            api: std::env::var("TCDN_API").ok(),
            ssl_cert_file: std::env::var_os("SSL_CERT_FILE").map(PathBuf::from),
            language: std::env::var("TCDN_LANGUAGE").ok(),
        }
    }
}

impl ClientArgs {
    /// Applies the defaults.
    ///
    /// # Errors
    /// A message for a `TCDN_API` that is not `v2` or `v3`, or a
    /// `TCDN_LANGUAGE` that is not `en-US` or `zh-CN`.
    pub fn resolve(self, env: ClientEnv) -> Result<ClientOptions, String> {
        let api = match (self.api, env.api.as_deref().filter(|v| !v.is_empty())) {
            (Some(api), _) => api,
            (None, None) => ApiArg::V3,
            (None, Some(text)) => ApiArg::from_str(text, true)
                .map_err(|_| format!("TCDN_API={text:?} is not an API: choose v3 or v2"))?,
        };
        let v3 = api == ApiArg::V3;
        let language = match (
            self.language,
            env.language.as_deref().filter(|v| !v.is_empty()),
        ) {
            (Some(language), _) => language,
            (None, None) => LanguageArg::EnUs,
            (None, Some(text)) => LanguageArg::from_str(text, true).map_err(|_| {
                format!("TCDN_LANGUAGE={text:?} is not a language: choose en-US or zh-CN")
            })?,
        };
        Ok(ClientOptions {
            language,
            api,
            ca_bundle: self
                .ca_bundle
                .or(env.ssl_cert_file.filter(|p| !p.as_os_str().is_empty())),
            endpoint: self
                .endpoint
                .or(env.endpoint.filter(|value| !value.is_empty())),
            method: self.method.unwrap_or(MethodArg::Post),
            signature_method: self.signature_method.unwrap_or(if v3 {
                SignatureMethodArg::Tc3HmacSha256
            } else {
                SignatureMethodArg::HmacSha1
            }),
            profile: self.profile,
            use_cvm_role: self.use_cvm_role,
            role_arn: self.role_arn,
            role_session_name: self.role_session_name,
            nonce: self.nonce,
            timestamp: self.timestamp,
            batch_size: self.batch_size,
            concurrency: self.concurrency.unwrap_or(4),
            rate_limit: self.rate_limit.unwrap_or(if v3 { 1200 } else { 100 }),
            retries: self.retries.unwrap_or(3),
            retry_delay: self.retry_delay.unwrap_or(1000),
            timeout: self.timeout.unwrap_or(60),
            dry_run: self.dry_run,
            output: self.output.unwrap_or(OutputArg::Text),
        })
    }
}
