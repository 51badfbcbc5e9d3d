//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::emulator_cmd::EmulatorArgs;

const ABOUT: &str =
    "Flush (purge) or push (prefetch) Tencent Cloud CDN caches, mainland and overseas.";

pub const LONG_ABOUT: &str = "\
Flush (purge) or push (prefetch) Tencent Cloud CDN caches, mainland and overseas,
with API 3.0 (PurgeUrlsCache, PurgePathCache, PushUrlsCache; the default) or the
legacy API 2.0 action FlushOrPushOverall (--api v2).

  flush   marks cached copies stale, so the next request goes back to the origin.
          Use it after a deploy. With --dir, whole directories are flushed.
  push    fetches URLs into the CDN ahead of users (prefetch). URLs only.
  quota   prints the account's daily purge and push quotas (API 3.0).
  tasks   prints the status of tasks by their TaskId (API 3.0).
  wait    waits until tasks submitted earlier are finished (API 3.0).

Areas: --mainland (mainland China), --oversea (outside it), or both. Under API 3.0
they are optional: a flush without one (or with both) goes to the domain's own
region, a push with both to `global`. API 2.0 needs one. Each area's daily quota
is spent separately.

Credentials, first found wins:
  1. TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (and TENCENTCLOUD_TOKEN or
     TENCENTCLOUD_SECURITY_TOKEN for temporary credentials);
  2. tccli's ~/.tccli/<profile>.credential (profile: --profile, TCCLI_PROFILE, or default);
  3. the SDKs' ~/.tencentcloud/credentials (INI; TENCENTCLOUD_CREDENTIALS_FILE overrides);
  4. TKE OIDC, when TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE and
     TKE_ROLE_ARN are all set (STS AssumeRoleWithWebIdentity);
  5. the CAM role of the CVM instance (its metadata service; not during --dry-run).
--use-cvm-role takes the instance's role only. --role-arn (or TENCENTCLOUD_ROLE_ARN)
assumes a role with STS AssumeRole, signed with what the rest finds. Temporary
credentials are refreshed before they expire. `-v` says where they came from.

Ctrl-C or SIGTERM stops starting requests, waits briefly for those in flight, and
prints the report so far (a second signal exits at once). A daily-quota refusal, or 5
attempts in a row that reach no server, also stops the run; the URLs never sent are
listed as not sent, with the reason.

`tcdn emulator` serves a faithful local stand-in of both APIs, and --endpoint (or
TCDN_ENDPOINT) points tcdn at it.";

/// The examples of each command's help, and of the man page (one list,
/// each a comment line and a command line): what a deploy pipeline does.
pub const EXAMPLES: &[(&str, &str, &str)] = &[
    (
        "flush",
        "Flush a deploy's changed paths under the site (an empty list sends nothing)",
        "tcdn flush --base-url https://www.example.com --strip-prefix dist/ \\\n    --allow-empty --from-file changed.txt",
    ),
    (
        "flush",
        "Flush whole directories, everything under them",
        "tcdn flush --dir --flush-type delete https://www.example.com/static/",
    ),
    (
        "push",
        "Push the entry pages and wait until the CDN holds them",
        "tcdn push --wait --wait-timeout 300 \\\n    https://www.example.com/ https://www.example.com/index.html",
    ),
    (
        "quota",
        "What is left of today's quotas, for a script",
        "tcdn quota --output json",
    ),
    (
        "tasks",
        "The status of a task that flush or push reported",
        "tcdn tasks 1533045796-i60rfmzm",
    ),
    (
        "wait",
        "Wait later on tasks a deploy submitted; exit 3 means still running",
        "tcdn wait --wait-timeout 600 1533045796-i60rfmzm",
    ),
    (
        "flush",
        "Print the signed requests, send nothing",
        "tcdn flush --dry-run --output json --base-url https://www.example.com \\\n    index.html",
    ),
    (
        "emulator",
        "A local stand-in of the API for a pipeline's tests",
        "tcdn emulator --listen 127.0.0.1:0 --secret-id AKIDtest > origin.txt &",
    ),
    (
        "completions",
        "Install the bash completions",
        "tcdn completions bash > ~/.local/share/bash-completion/completions/tcdn",
    ),
    (
        "man",
        "Install the man page",
        "tcdn man > ~/.local/share/man/man1/tcdn.1",
    ),
];

/// The environment variables tcdn reads, for the man page's ENVIRONMENT
/// (the options' own are named in their help as `[env: NAME]`).
pub const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY",
        "The API key pair; the first credentials tried.",
    ),
    (
        "TENCENTCLOUD_TOKEN, TENCENTCLOUD_SECURITY_TOKEN",
        "The session token of temporary credentials.",
    ),
    (
        "TENCENTCLOUD_CREDENTIALS_FILE",
        "Another path for the SDKs' credentials file.",
    ),
    (
        "TCCLI_PROFILE",
        "The profile of the credential files (--profile).",
    ),
    (
        "TENCENTCLOUD_ROLE_ARN, TENCENTCLOUD_ROLE_SESSION_NAME",
        "A role to assume, and its session's name (--role-arn, --role-session-name).",
    ),
    (
        "TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN",
        "TKE OIDC: all four set, a pod's web identity is exchanged for credentials.",
    ),
    ("TCDN_API", "The API, v3 or v2 (--api)."),
    ("TCDN_ENDPOINT", "The API endpoint (--endpoint)."),
    (
        "TCDN_LANGUAGE",
        "The language of the API's messages (--language).",
    ),
    (
        "TCDN_METADATA_ENDPOINT, TCDN_STS_ENDPOINT",
        "Other CVM metadata and STS services, such as the emulator's.",
    ),
    (
        "TCDN_THREADS",
        "Threads that check large inputs and sign large dry runs.",
    ),
    (
        "SSL_CERT_FILE",
        "Extra trusted certificates in PEM (--ca-bundle).",
    ),
    (
        "HTTPS_PROXY, NO_PROXY",
        "The proxy of HTTPS requests, and the hosts that bypass it.",
    ),
    ("RUST_LOG", "The log filter, over -v."),
];

/// The files tcdn reads, for the man page's FILES.
pub const FILES: &[(&str, &str)] = &[
    (
        "~/.tccli/<profile>.credential",
        "tccli's credentials (JSON), the second source tried.",
    ),
    (
        "~/.tencentcloud/credentials",
        "The SDKs' credentials (INI), the third source tried.",
    ),
];

/// Where the client commands find credentials, after their help.
const CREDENTIALS_HELP: &str = "\
Credentials: TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (with TENCENTCLOUD_TOKEN
for temporary ones), else ~/.tccli/<profile>.credential, ~/.tencentcloud/credentials
(TENCENTCLOUD_CREDENTIALS_FILE), TKE OIDC, or the CVM instance's role; `tcdn --help`
has the whole order.";

/// The examples of `command` (every command's for `tcdn` itself), as a
/// help section.
fn examples(command: Option<&str>) -> String {
    let mut text = String::from("Examples:\n");
    for (of, comment, line) in EXAMPLES {
        if command.is_none_or(|c| c == *of) {
            text.push_str(&format!("  # {comment}\n"));
            for part in line.lines() {
                text.push_str(&format!("  {part}\n"));
            }
        }
    }
    text.pop();
    text
}

/// A client command's short help footer: its examples and the credentials.
fn client_after_help(command: &str) -> String {
    format!("{}\n\n{CREDENTIALS_HELP}", examples(Some(command)))
}

/// A client command's long help footer: the short one and the exit statuses.
fn client_after_long_help(command: &str) -> String {
    format!("{}\n\n{EXIT_STATUS}", client_after_help(command))
}

/// The exit statuses, after the help of `tcdn` and the client commands.
pub const EXIT_STATUS: &str = "\
Exit status:
  0    every URL succeeded (with --wait: is done)
  1    some URLs failed or were not sent; `tcdn tasks`, `tcdn wait`: a task was not found
  2    invalid input or usage (bad URL or option, missing credentials, unusable proxy,
       a quota that cannot hold the submission without --force, an empty input without
       --allow-empty); with --output json, an error document on stdout
  3    --wait or `tcdn wait` reached --wait-timeout with tasks still running, and
       nothing else failed or was not sent (the running URLs are listed as failed,
       with their status `process`)
  130  interrupted by Ctrl-C (SIGINT), after printing the report so far
  141  stdout closed early (`tcdn ... | head`); nothing more is printed
  143  interrupted by SIGTERM, after printing the report so far";

/// `tcdn`: the top level.
#[derive(Debug, Parser)]
#[command(
    name = "tcdn",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = examples(None),
    after_long_help = format!("{}\n\n{EXIT_STATUS}", examples(None)),
    propagate_version = true
)]
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

impl Cli {
    /// The `--output` given, after the command or before it.
    pub fn output(&self) -> Option<OutputArg> {
        let after = match &self.command {
            Command::Flush(args) => args.client.output,
            Command::Push(args) => args.client.output,
            Command::Quota(args) => args.client.output,
            Command::Tasks(args) => args.client.output,
            Command::Wait(args) => args.client.output,
            Command::Emulator(_) | Command::Man | Command::Completions { .. } => None,
        };
        after.or(self.before.output)
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Flush (purge) cached URLs or directories.
    #[command(
        long_about = "Flush (purge) cached URLs, or whole directories with --dir.\n\n\
A flushed URL is fetched again from the origin on its next request. Limits per call:\n\
API 3.0 1000 URLs or the quota's batch of directories (100 by default); API 2.0 1000\n\
URLs or 20 directories. tcdn splits larger lists into calls. Daily quotas per area:\n\
10,000 URLs and 100 directories.",
        after_help = client_after_help("flush"),
        after_long_help = client_after_long_help("flush")
    )]
    Flush(FlushArgs),
    /// Push (prefetch) URLs into the CDN cache.
    #[command(
        long_about = "Push (prefetch) URLs into the CDN cache, ahead of users.\n\n\
Directories cannot be pushed. Limits: 500 URLs per call under API 3.0, 20 under\n\
API 2.0 (tcdn splits larger lists), 1,000 per area per day. The account may need to\n\
be on Tencent's prefetch whitelist (UnauthorizedOperation.CdnUserNoWhitelist).",
        after_help = client_after_help("push"),
        after_long_help = client_after_long_help("push")
    )]
    Push(PushArgs),
    /// Print the account's purge and push quotas (API 3.0).
    #[command(
        long_about = "Print the account's daily purge and push quotas: per area, the most URLs\n\
or directories per call (batch), per day (total), and what is left today (available).\n\
API 3.0's DescribePurgeQuota and DescribePushQuota. An answer without one of its\n\
lists (UrlPurge, PathPurge, UrlPush) is a failed query: exit 1, naming it.",
        after_help = client_after_help("quota"),
        after_long_help = client_after_long_help("quota"),
        // Accepted (a shared command line may carry them), but of no use here.
        mut_arg("batch_size", |arg| arg.hide(true)),
        mut_arg("concurrency", |arg| arg.hide(true))
    )]
    Quota(QueryArgs),
    /// Print the status of tasks by TaskId (API 3.0).
    #[command(
        long_about = "Print the status of every URL of the given tasks: process, done, fail or\n\
(push) invalid. The TaskIds are those `tcdn flush` and `tcdn push` report. API 3.0's\n\
DescribePurgeTasks and DescribePushTasks. Exit status 1 when a task is not found.",
        after_help = client_after_help("tasks"),
        after_long_help = client_after_long_help("tasks"),
        // Accepted (a shared command line may carry them), but of no use here.
        mut_arg("batch_size", |arg| arg.hide(true)),
        mut_arg("concurrency", |arg| arg.hide(true))
    )]
    Tasks(TasksArgs),
    /// Wait until tasks submitted earlier are finished (API 3.0).
    #[command(
        long_about = "Wait until every URL of the given tasks is finished, then print the same\n\
report as `flush --wait` or `push --wait`: a URL is done, or failed (its task ended\n\
fail or invalid, or was still running at --wait-timeout: `\"code\": null` and its\n\
`\"status\"`). The TaskIds are those `tcdn flush` and `tcdn push` report. Purge and\n\
push tasks are told apart by asking for both, or by --kind. API 3.0's\n\
DescribePurgeTasks and DescribePushTasks; a failed poll is tried again until the\n\
timeout. Exit status 1 when a task is not found, 3 when tasks are still running at\n\
the timeout.",
        after_help = client_after_help("wait"),
        after_long_help = client_after_long_help("wait"),
        // Accepted (a shared command line may carry them), but of no use here.
        mut_arg("batch_size", |arg| arg.hide(true)),
        mut_arg("concurrency", |arg| arg.hide(true))
    )]
    Wait(WaitArgs),
    /// Serve a local emulator of the API endpoint, for tests and pipelines.
    #[command(
        long_about = "Serve a local emulator of the API endpoints (API 3.0 and API 2.0).\n\n\
The first line on stdout is its origin (http://127.0.0.1:PORT, https:// with\n\
--tls), the URL to pass to --endpoint: API 3.0 is at / under it, API 2.0 at\n\
/v2/index.php (tcdn adds the path for the --api chosen).\n\
It checks signatures, timestamps, nonces, rate limits, per-request limits and\n\
daily quotas like the documented server, and lists accepted requests at\n\
/_emulator/tasks.\n\
It stops cleanly on Ctrl-C or SIGTERM.",
        after_help = examples(Some("emulator"))
    )]
    Emulator(EmulatorArgs),
    /// Print tcdn's man page (roff), e.g. `tcdn man > ~/.local/share/man/man1/tcdn.1`.
    #[command(after_help = examples(Some("man")))]
    Man,
    /// Print a shell completion script.
    #[command(after_help = examples(Some("completions")))]
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

    /// Sets UrlEncode (API 3.0): the server encodes non-ASCII characters of
    /// the URLs, which are sent as given.
    #[arg(long)]
    pub url_encode: bool,

    /// Read URLs from a file, one per line (`-` for stdin); blank lines,
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

    /// After submitting, wait until every URL's task is done, failed or
    /// invalid (API 3.0); exit 0 only if every URL is done, 3 if tasks are
    /// still running at --wait-timeout. A failed poll is tried again until
    /// then.
    #[arg(long)]
    pub wait: bool,

    /// The longest --wait, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 600, requires = "wait")]
    pub wait_timeout: u64,
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

    /// With --dir: refresh changed resources (flush) or everything (delete)
    /// (API 3.0) [default: flush].
    #[arg(long, value_enum, requires = "dir")]
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
const CREDENTIALS: &str = "Credentials";
const BATCHING: &str = "Batching and pacing";
const OUTPUT: &str = "Output";
const PUSH: &str = "Push options (API 3.0)";

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
        args.client
            .or(cli.before)
            .resolve(ClientEnv::default())
            .unwrap()
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
        assert_eq!((options.concurrency, options.rate_limit), (4, 1200));
        assert_eq!(options.api, ApiArg::V3);
        assert_eq!(options.signature_method, SignatureMethodArg::Tc3HmacSha256);
        assert_eq!(options.output, OutputArg::Text);
        assert_eq!(options.language, LanguageArg::EnUs);
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
            .resolve(ClientEnv {
                endpoint: Some("http://127.0.0.1:1/".into()),
                api: Some("v2".into()),
                ssl_cert_file: None,
                language: Some("zh-cn".into()),
            })
            .unwrap();
        assert_eq!(options.endpoint.as_deref(), Some("http://127.0.0.1:1/"));
        assert_eq!(options.api, ApiArg::V2);
        assert_eq!(options.rate_limit, 100);
        assert_eq!(options.signature_method, SignatureMethodArg::HmacSha1);
        assert_eq!(options.language, LanguageArg::ZhCn);
    }

    #[test]
    fn a_bad_api_variable_is_named() {
        let error = ClientArgs::default()
            .resolve(ClientEnv {
                api: Some("v4".into()),
                ..ClientEnv::default()
            })
            .unwrap_err();
        assert!(error.contains("TCDN_API"), "{error}");
        let error = ClientArgs::default()
            .resolve(ClientEnv {
                language: Some("fr-FR".into()),
                ..ClientEnv::default()
            })
            .unwrap_err();
        assert!(error.contains("TCDN_LANGUAGE"), "{error}");
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
