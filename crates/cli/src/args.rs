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
    /// Options shared by every command; accepted before or after it.
    #[command(flatten)]
    pub global: GlobalArgs,

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
}

/// `tcdn push`.
#[derive(Debug, Args)]
pub struct PushArgs {
    /// URLs and areas.
    #[command(flatten)]
    pub target: TargetArgs,
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

/// Options shared by every command.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// API endpoint. http:// is allowed only to loopback addresses.
    #[arg(long, global = true, value_name = "URL", env = "TCDN_ENDPOINT")]
    pub endpoint: Option<String>,

    /// HTTP method of the API requests.
    #[arg(long, global = true, value_enum, default_value_t = MethodArg::Post)]
    pub method: MethodArg,

    /// Signature algorithm.
    #[arg(long, global = true, value_enum, default_value_t = SignatureMethodArg::HmacSha1)]
    pub signature_method: SignatureMethodArg,

    /// Credential profile of tccli / the SDKs (default: TCCLI_PROFILE or `default`).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// At most this many URLs per request (the API's own limit applies anyway).
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub batch_size: Option<u32>,

    /// Requests in flight at once.
    #[arg(long, global = true, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,

    /// Requests per minute (the API allows 100); 0 = no pacing.
    #[arg(long, global = true, value_name = "N", default_value_t = 100)]
    pub rate_limit: u32,

    /// Retries of a failed request (transport errors, 5xx, rate limits).
    #[arg(long, global = true, value_name = "N", default_value_t = 3)]
    pub retries: u32,

    /// First backoff delay between retries, in milliseconds; it doubles at
    /// each retry (with jitter), up to 30 s.
    #[arg(long, global = true, value_name = "MS", default_value_t = 1000)]
    pub retry_delay: u64,

    /// Timeout of one HTTP request, in seconds.
    #[arg(long, global = true, value_name = "SECS", default_value_t = 60)]
    pub timeout: u64,

    /// Sign and print every request; send nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,

    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = OutputArg::Text)]
    pub output: OutputArg,

    /// Fixed Nonce of the first request (for reproducible dry runs); each
    /// further request or retry takes the next number.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub nonce: Option<u32>,

    /// Fixed Timestamp in Unix seconds (for reproducible dry runs); when
    /// sending, the clock starts at this time and runs on.
    #[arg(long, global = true, value_name = "UNIX")]
    pub timestamp: Option<u64>,

    /// Format of the logs on stderr: text, or json (one object per line, for
    /// log collectors).
    #[arg(long, global = true, value_enum, default_value_t = LogFormatArg::Text)]
    pub log_format: LogFormatArg,

    /// More logs on stderr: -v info, -vv debug, -vvv trace.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
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
        assert_eq!(before.global.method, MethodArg::Get);
        assert_eq!(after.global.method, MethodArg::Get);
    }
}
