//! The options of each command: what to submit and where, how to flush or
//! push, what to query or wait for, and the values they choose between.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::ClientArgs;

/// Help heading of the push options.
const PUSH: &str = "Push options (API 3.0)";

/// What to submit and where: shared by `flush` and `push`.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Submit to mainland China.
    #[arg(long)]
    pub mainland: bool,

    /// Submit outside mainland China.
    #[arg(long, alias = "overseas")]
    pub oversea: bool,

    /// Sets UrlEncode (API 3.0): the server encodes non-ASCII characters of
    /// the URLs, which are sent as given.
    #[arg(long)]
    pub url_encode: bool,

    /// Read URLs (with --host or --cache-tag: hostnames or tags) from a
    /// file, one per line (`-` for stdin); blank lines,
    /// `#` comments and a leading UTF-8 BOM are skipped; a line over 8 KiB
    /// is reported and skipped; at most 20 invalid values are shown, then a
    /// count.
    #[arg(long, value_name = "PATH|-")]
    pub from_file: Option<PathBuf>,

    /// Join every input that is not a URL to this base, as a path:
    /// `css/a.css` or `/css/a.css` becomes BASE/css/a.css (`./` and `//`
    /// normalised, `..` refused, non-ASCII, spaces and stray `%`
    /// percent-encoded, existing `%XX` kept; with --dir, a trailing `/`).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// With --base-url: drop this leading folder (a build's `dist/`) from
    /// the paths that start with it, before the join.
    #[arg(long, value_name = "PREFIX", requires = "base_url")]
    pub strip_prefix: Option<String>,

    /// An input with no URL (a deploy that changed nothing) sends nothing
    /// and exits 0, instead of exit 2.
    #[arg(long)]
    pub allow_empty: bool,

    /// URLs, each starting with http:// or https:// (or, with --base-url,
    /// paths).
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,
}

/// What happens around the submission: the quota check and the wait.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// Submit even when the quota read before a submission of several calls
    /// says it cannot hold it (API 3.0).
    #[arg(long)]
    pub force: bool,

    /// After submitting, wait until every URL's task (EdgeOne: every
    /// target's job) is done, failed or invalid (API 3.0); exit 0 only if
    /// every URL is done, 3 if tasks are still running at --wait-timeout. A
    /// failed poll is tried again until then.
    #[arg(long)]
    pub wait: bool,

    /// The longest --wait, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 600, requires = "wait")]
    pub wait_timeout: u64,

    /// Before a submission of several calls, read the account's domains
    /// (DescribeDomains) and fail the URLs of other hosts without a call
    /// (API 3.0). auto: if the list cannot be read or is empty, say so at
    /// -v and submit unchecked; always: that is an error (exit 2); never:
    /// no check.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = CheckDomainsArg::Auto)]
    pub check_domains: CheckDomainsArg,
}

/// When `--check-domains` reads the account's domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckDomainsArg {
    /// Check, and submit unchecked when the list is unreadable or empty.
    Auto,
    /// Check; an unreadable or empty list is an error.
    Always,
    /// Never check.
    Never,
}

impl From<CheckDomainsArg> for tcdn::CheckDomains {
    fn from(arg: CheckDomainsArg) -> Self {
        match arg {
            CheckDomainsArg::Auto => Self::Auto,
            CheckDomainsArg::Always => Self::Always,
            CheckDomainsArg::Never => Self::Never,
        }
    }
}

/// `FlushType` of `flush --dir` (API 3.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FlushTypeArg {
    /// Refresh the resources that changed at the origin.
    Flush,
    /// Refresh every resource under the directory.
    Delete,
}

/// `tcdn flush`.
#[derive(Debug, Args)]
pub struct FlushArgs {
    /// Flush directories (each URL names a directory) instead of single URLs.
    #[arg(long)]
    pub dir: bool,

    /// EdgeOne: the inputs are hostnames, each purged whole (purge_host),
    /// in the zone that serves it (or --zone's; a dry run needs --zone).
    #[arg(long, conflicts_with_all = ["dir", "cache_tag", "all"])]
    pub host: bool,

    /// EdgeOne: the inputs are cache tags (purge_cache_tag), in --zone.
    #[arg(long, conflicts_with_all = ["dir", "all"])]
    pub cache_tag: bool,

    /// With --cache-tag: purge the tags only on this hostname of the zone
    /// (CacheTag.Domains; repeatable) [default: the whole zone].
    #[arg(long, value_name = "HOST")]
    pub tag_domain: Vec<String>,

    /// EdgeOne: purge all of --zone's cache (purge_all); takes no inputs
    /// and needs --zone and --yes.
    #[arg(long, conflicts_with = "dir")]
    pub all: bool,

    /// With --all: yes, purge the whole zone.
    #[arg(long, requires = "all")]
    pub yes: bool,

    /// With --dir, --host or --all: refresh changed resources (flush) or
    /// everything (delete) (API 3.0; EdgeOne's invalidate or delete)
    /// [default: flush].
    #[arg(long, value_enum)]
    pub flush_type: Option<FlushTypeArg>,

    /// URLs and areas.
    #[command(flatten)]
    pub target: TargetArgs,

    /// Quota check and wait.
    #[command(flatten)]
    pub submit: SubmitArgs,

    /// How to reach the API.
    #[command(flatten)]
    pub client: ClientArgs,
}

/// Push options (API 3.0).
#[derive(Debug, Args)]
pub struct PushOptionsArgs {
    /// The User-Agent of the prefetch requests to the origin [default:
    /// TencentCdn].
    #[arg(long, value_name = "UA", help_heading = PUSH)]
    pub user_agent: Option<String>,

    /// Prefetch into the middle tier only.
    #[arg(long, value_enum, value_name = "LAYER", help_heading = PUSH)]
    pub layer: Option<LayerArg>,

    /// Also prefetch the segments an M3U8 playlist lists.
    #[arg(long = "parse-m3u8", help_heading = PUSH)]
    pub parse_m3u8: bool,

    /// Fetch whole files from the origin, without range requests.
    #[arg(long, help_heading = PUSH)]
    pub disable_range: bool,

    /// A header of the prefetch requests, `Name: Value` (repeatable, at most 20).
    #[arg(long = "header", value_name = "NAME: VALUE", help_heading = PUSH)]
    pub headers: Vec<String>,
}

/// `--layer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayerArg {
    /// The middle tier.
    Middle,
}

/// `tcdn push`.
#[derive(Debug, Args)]
pub struct PushArgs {
    /// Refused with a message: directories can only be flushed.
    #[arg(long, hide = true)]
    pub dir: bool,

    /// URLs and areas.
    #[command(flatten)]
    pub target: TargetArgs,

    /// Push options.
    #[command(flatten)]
    pub options: PushOptionsArgs,

    /// Quota check and wait.
    #[command(flatten)]
    pub submit: SubmitArgs,

    /// How to reach the API.
    #[command(flatten)]
    pub client: ClientArgs,
}

/// `tcdn quota`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// How to reach the API.
    #[command(flatten)]
    pub client: ClientArgs,
}

/// `tcdn tasks`.
#[derive(Debug, Args)]
pub struct TasksArgs {
    /// TaskIds, as `tcdn flush` and `tcdn push` report them.
    #[arg(value_name = "TASKID", required = true)]
    pub task_ids: Vec<String>,

    /// How to reach the API.
    #[command(flatten)]
    pub client: ClientArgs,
}

/// `--kind` of `tcdn wait`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Purge tasks (flush): DescribePurgeTasks.
    Purge,
    /// Push tasks: DescribePushTasks.
    Push,
}

/// `tcdn wait`.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// TaskIds, as `tcdn flush` and `tcdn push` report them.
    #[arg(value_name = "TASKID", required = true)]
    pub task_ids: Vec<String>,

    /// The longest wait, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub wait_timeout: u64,

    /// The tasks' kind, when known: only that query is asked [default: ask
    /// for purges, then pushes].
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,

    /// How to reach the API.
    #[command(flatten)]
    pub client: ClientArgs,
}

/// Which API to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApiArg {
    /// API 3.0 (cdn.tencentcloudapi.com).
    V3,
    /// API 2.0 (FlushOrPushOverall, cdn.api.qcloud.com; retired by Tencent).
    V2,
}

/// Which of Tencent's CDNs to call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProductArg {
    /// Tencent Cloud CDN (cdn.tencentcloudapi.com, or API 2.0).
    Cdn,
    /// EdgeOne (teo.tencentcloudapi.com): purges and prefetches of zones.
    Edgeone,
}

/// `--language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LanguageArg {
    /// English.
    #[value(name = "en-US")]
    EnUs,
    /// Simplified Chinese.
    #[value(name = "zh-CN")]
    ZhCn,
}

/// HTTP method of the API requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// Parameters in the query string (at most 32 KB per request).
    Get,
    /// Parameters in the body: JSON with TC3 (at most 10 MiB), form-encoded with
    /// hmac-sha1/hmac-sha256 (at most 1 MB).
    Post,
}

/// Signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SignatureMethodArg {
    /// TC3-HMAC-SHA256 (API 3.0 only; its default).
    #[value(name = "tc3-hmac-sha256")]
    Tc3HmacSha256,
    /// HMAC-SHA1 (API 2.0's default; API 3.0's v1 signature).
    #[value(name = "hmac-sha1")]
    HmacSha1,
    /// HMAC-SHA256.
    #[value(name = "hmac-sha256")]
    HmacSha256,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputArg {
    /// A short human summary (the URLs refused for their host take one line
    /// that names the host and what to do).
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
