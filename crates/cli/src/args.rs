//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::emulator_cmd::EmulatorArgs;

const ABOUT: &str =
    "Flush (purge) or push (prefetch) Tencent Cloud CDN caches, mainland and overseas.";

const LONG_ABOUT: &str = "\
Flush (purge) or push (prefetch) Tencent Cloud CDN caches, mainland and overseas,
with the API 2.0 action FlushOrPushOverall.

  flush   marks cached copies stale, so the next request goes back to the origin.
          Use it after a deploy. With --dir, whole directories are flushed.
  push    fetches URLs into the CDN ahead of users (prefetch). URLs only; the
          account must be on Tencent's prefetch whitelist.

Areas: choose --mainland (mainland China), --oversea (outside it), or both.
Each area's daily quota is spent separately.

Credentials, first found wins:
  1. TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (and TENCENTCLOUD_TOKEN or
     TENCENTCLOUD_SECURITY_TOKEN for temporary credentials);
  2. tccli's ~/.tccli/<profile>.credential (profile: --profile, TCCLI_PROFILE, or default);
  3. the SDKs' ~/.tencentcloud/credentials (INI; TENCENTCLOUD_CREDENTIALS_FILE overrides).

Exit status: 0 every URL succeeded, 1 some failed, 2 invalid input or usage.

Tencent retired the API 2.0 host in 2022: `tcdn emulator` serves a faithful local
stand-in, and --endpoint (or TCDN_ENDPOINT) points tcdn at it.";

/// `tcdn`: the top level.
#[derive(Debug, Parser)]
#[command(name = "tcdn", version, about = ABOUT, long_about = LONG_ABOUT, propagate_version = true)]
pub struct Cli {
    /// Logging, for every command; accepted before or after it.
    #[command(flatten)]
    pub log: LogArgs,

    /// Client options written before the command (`tcdn --endpoint URL
    /// flush …`): accepted for the commands that take them, refused for the
    /// others, and listed in each command's help, not here.
    #[command(flatten)]
    pub before: ClientArgsBefore,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Flush (purge) cached URLs or directories.
    #[command(
        long_about = "Flush (purge) cached URLs, or whole directories with --dir.\n\n\
A flushed URL is fetched again from the origin on its next request. Limits per request:\n\
1000 URLs or 20 directories; tcdn splits larger lists into batches. Daily quotas per\n\
area: 10,000 URLs and 100 directories."
    )]
    Flush(FlushArgs),
    /// Push (prefetch) URLs into the CDN cache.
    #[command(
        long_about = "Push (prefetch) URLs into the CDN cache, ahead of users.\n\n\
Directories cannot be pushed. Limits: 20 URLs per request (tcdn splits larger lists),\n\
1,000 per area per day, and the account must be on Tencent's prefetch whitelist."
    )]
    Push(PushArgs),
    /// Serve a local emulator of the API endpoint, for tests and pipelines.
    #[command(
        long_about = "Serve a local emulator of the retired API 2.0 endpoint.\n\n\
The first line on stdout is its origin (http://127.0.0.1:PORT, https:// with\n\
--tls); API 2.0 is at /v2/index.php under it, the URL to pass to --endpoint.\n\
It checks signatures, timestamps, nonces, rate limits, per-request limits and\n\
daily quotas like the documented server, and lists accepted requests at\n\
/_emulator/tasks.\n\
It stops cleanly on Ctrl-C or SIGTERM."
    )]
    Emulator(EmulatorArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

/// What to submit and where: shared by `flush` and `push`.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Submit to mainland China.
    #[arg(long)]
    pub mainland: bool,

    /// Submit outside mainland China.
    #[arg(long, alias = "overseas")]
    pub oversea: bool,

    /// Read URLs from a file, one per line (`-` for stdin); blank lines and
    /// `#` comments are skipped.
    #[arg(long, value_name = "PATH|-")]
    pub from_file: Option<PathBuf>,

    /// URLs, each starting with http:// or https://.
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,
}

/// `tcdn flush`.
#[derive(Debug, Args)]
pub struct FlushArgs {
    /// Flush directories (each URL names a directory) instead of single URLs.
    #[arg(long)]
    pub dir: bool,

    /// URLs and areas.
    #[command(flatten)]
    pub target: TargetArgs,

    /// How to reach the API.
    #[command(flatten)]
    pub client: ClientArgs,
}

/// `tcdn push`.
#[derive(Debug, Args)]
pub struct PushArgs {
    /// URLs and areas.
    #[command(flatten)]
    pub target: TargetArgs,

    /// How to reach the API.
    #[command(flatten)]
    pub client: ClientArgs,
}

/// HTTP method of the API requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// Parameters in the query string (at most 32 KB per request).
    Get,
    /// Parameters in a form-encoded body (at most 1 MB per request).
    Post,
}

/// Signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SignatureMethodArg {
    /// HMAC-SHA1 (the API's default).
    #[value(name = "hmac-sha1")]
    HmacSha1,
    /// HMAC-SHA256.
    #[value(name = "hmac-sha256")]
    HmacSha256,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputArg {
    /// A short human summary.
    Text,
    /// One JSON document (dry run: one JSON object per request, per line).
    Json,
}

/// Log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormatArg {
    /// Human-readable lines.
    Text,
    /// One JSON object per event.
    Json,
}

/// Logging options, for every command.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Format of the logs on stderr: text, or json (one object per line, for
    /// log collectors).
    #[arg(long, global = true, value_enum, default_value_t = LogFormatArg::Text)]
    pub log_format: LogFormatArg,

    /// More logs on stderr: -v info, -vv debug, -vvv trace.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// Help headings of the client options.
const ENDPOINT: &str = "Endpoint and signing";
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
        /// Options of the commands that call the API (`flush`, `push`).
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
    /// API endpoint (default: TCDN_ENDPOINT, else the API's own). http:// is
    /// allowed only to loopback addresses.
    #[arg(long, value_name = "URL", help_heading = ENDPOINT)]
    endpoint: Option<String>,

    /// HTTP method of the API requests [default: post].
    #[arg(long, value_enum, help_heading = ENDPOINT)]
    method: Option<MethodArg>,

    /// Signature algorithm [default: hmac-sha1].
    #[arg(long, value_enum, help_heading = ENDPOINT)]
    signature_method: Option<SignatureMethodArg>,

    /// Credential profile of tccli / the SDKs (default: TCCLI_PROFILE or `default`).
    #[arg(long, value_name = "NAME", help_heading = ENDPOINT)]
    profile: Option<String>,

    /// Fixed Nonce of the first request (for reproducible dry runs); each
    /// further request or retry takes the next number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), help_heading = ENDPOINT, hide_short_help = true)]
    nonce: Option<u32>,

    /// Fixed Timestamp in Unix seconds (for reproducible dry runs); when
    /// sending, the clock starts at this time and runs on.
    #[arg(long, value_name = "UNIX", help_heading = ENDPOINT, hide_short_help = true)]
    timestamp: Option<u64>,

    /// At most this many URLs per request (the API's own limit applies anyway).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), help_heading = BATCHING)]
    batch_size: Option<u32>,

    /// Requests in flight at once [default: 4].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64), help_heading = BATCHING)]
    concurrency: Option<u32>,

    /// Requests per minute (the API allows 100); 0 = no pacing [default: 100].
    #[arg(long, value_name = "N", help_heading = BATCHING)]
    rate_limit: Option<u32>,

    /// Retries of a failed request (transport errors, 5xx, rate limits) [default: 3].
    #[arg(long, value_name = "N", help_heading = BATCHING)]
    retries: Option<u32>,

    /// First backoff delay between retries, in milliseconds; it doubles at
    /// each retry (with jitter), up to 30 s [default: 1000].
    #[arg(long, value_name = "MS", help_heading = BATCHING)]
    retry_delay: Option<u64>,

    /// Timeout of one HTTP request, in seconds [default: 60].
    #[arg(long, value_name = "SECS", help_heading = BATCHING)]
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
    /// `--endpoint`, else `TCDN_ENDPOINT` (unset or empty: the default).
    pub endpoint: Option<String>,
    /// `--method`.
    pub method: MethodArg,
    /// `--signature-method`.
    pub signature_method: SignatureMethodArg,
    /// `--profile`.
    pub profile: Option<String>,
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

impl ClientArgs {
    /// Applies the defaults; `env_endpoint` is `TCDN_ENDPOINT`.
    pub fn resolve(self, env_endpoint: Option<String>) -> ClientOptions {
        ClientOptions {
            endpoint: self
                .endpoint
                .or(env_endpoint.filter(|value| !value.is_empty())),
            method: self.method.unwrap_or(MethodArg::Post),
            signature_method: self
                .signature_method
                .unwrap_or(SignatureMethodArg::HmacSha1),
            profile: self.profile,
            nonce: self.nonce,
            timestamp: self.timestamp,
            batch_size: self.batch_size,
            concurrency: self.concurrency.unwrap_or(4),
            rate_limit: self.rate_limit.unwrap_or(100),
            retries: self.retries.unwrap_or(3),
            retry_delay: self.retry_delay.unwrap_or(1000),
            timeout: self.timeout.unwrap_or(60),
            dry_run: self.dry_run,
            output: self.output.unwrap_or(OutputArg::Text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    fn client(cli: Cli) -> ClientOptions {
        let Command::Flush(args) = cli.command else {
            panic!("not flush")
        };
        args.client.or(cli.before).resolve(None)
    }

    #[test]
    fn global_options_go_before_or_after_the_subcommand() {
        let before = Cli::try_parse_from([
            "tcdn",
            "--method",
            "get",
            "flush",
            "--mainland",
            "https://a.example/",
        ])
        .unwrap();
        let after = Cli::try_parse_from([
            "tcdn",
            "flush",
            "--mainland",
            "https://a.example/",
            "--method",
            "get",
        ])
        .unwrap();
        assert_eq!(client(before).method, MethodArg::Get);
        assert_eq!(client(after).method, MethodArg::Get);
    }

    #[test]
    fn an_option_after_the_command_wins_and_defaults_fill_the_rest() {
        let cli = Cli::try_parse_from([
            "tcdn",
            "--retries",
            "1",
            "--timeout",
            "5",
            "flush",
            "--mainland",
            "--retries",
            "7",
            "https://a.example/",
        ])
        .unwrap();
        let options = client(cli);
        assert_eq!((options.retries, options.timeout), (7, 5));
        assert_eq!((options.concurrency, options.rate_limit), (4, 100));
        assert_eq!(options.output, OutputArg::Text);
    }

    #[test]
    fn the_endpoint_variable_is_the_fallback() {
        let cli =
            Cli::try_parse_from(["tcdn", "flush", "--mainland", "https://a.example/"]).unwrap();
        let Command::Flush(args) = cli.command else {
            panic!("not flush")
        };
        let options = args
            .client
            .or(cli.before)
            .resolve(Some("http://127.0.0.1:1/".into()));
        assert_eq!(options.endpoint.as_deref(), Some("http://127.0.0.1:1/"));
    }

    #[test]
    fn options_before_the_command_are_listed_for_refusal() {
        let cli = Cli::try_parse_from([
            "tcdn",
            "--dry-run",
            "--endpoint",
            "x",
            "completions",
            "bash",
        ])
        .unwrap();
        assert_eq!(cli.before.given(), ["--endpoint", "--dry-run"]);
    }
}
