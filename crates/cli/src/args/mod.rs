//! The command line, as clap reads it: the top level and its commands here,
//! the texts of the help and the man page in [`help`], each command's own
//! options in [`commands`], and the options of the commands that call the
//! API in [`client`].

mod client;
mod commands;
mod help;

use clap::{Parser, Subcommand};

use crate::emulator_cmd::EmulatorArgs;

pub use client::{ClientArgs, ClientArgsBefore, ClientEnv, ClientOptions};
pub use commands::*;
use help::{ABOUT, client_after_help, client_after_long_help, examples};
pub use help::{ENVIRONMENT, EXAMPLES, EXIT_STATUS, FILES, LONG_ABOUT};

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
With --domain, --offline-domain and --deny it answers what a real account\n\
answers (a foreign host, an offline domain, a denied action); with --tls it\n\
serves its CA at /_emulator/ca.pem, for clients on other hosts (--tls-san).\n\
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
