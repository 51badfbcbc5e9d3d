//! `tcdn`: flush (purge) and push (prefetch) Tencent Cloud CDN caches from the
//! command line, and serve a local emulator of the API.
//!
//! The work is done by the `tcdn` library crate; this binary reads the
//! command line and input files, prints results, and maps them to exit codes
//! (`exit.rs`: 0 every URL succeeded, 1 some failed or were not sent, 2
//! invalid input or usage, 3 a wait timed out with tasks still running,
//! 130 / 143 interrupted, 141 stdout closed).
#![forbid(unsafe_code)]

mod args;
mod domain_check;
mod dry_run;
mod edgeone;
mod edgeone_targets;
mod emulator_cmd;
mod exit;
mod input;
mod job_cmd;
mod man;
mod ordered;
mod output;
mod progress;
mod queries;
mod quota_check;
mod refused_hosts;
mod setup;
mod signals;
mod submit;
mod wait_cmd;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::args::{Cli, Command};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // A script that asked for JSON gets its document even when the
            // command line itself is wrong; help and version are no error.
            if error.use_stderr() && asks_for_json(std::env::args_os().skip(1)) {
                let rendered = error.render().to_string();
                let first = rendered.lines().next().unwrap_or_default();
                let message = first.strip_prefix("error: ").unwrap_or(first);
                print_error_document(&exit::CliError::usage(message));
            }
            error.exit();
        }
    };
    let json = cli.output() == Some(args::OutputArg::Json);
    init_logging(
        cli.log.verbose,
        cli.log.log_format,
        matches!(cli.command, Command::Emulator(_)),
    );
    let before = cli.before;
    // Read once: the variables are fallbacks of --endpoint and --api, not
    // clap env defaults, so that options before the command still win over
    // them and `tcdn emulator` is not refused for them.
    let env = args::ClientEnv::from_process();
    let resolve = |client: args::ClientArgs, before| {
        client
            .or(before)
            .resolve(env)
            .map_err(exit::CliError::config)
    };
    let result = match cli.command {
        Command::Flush(mut args) => resolve(std::mem::take(&mut args.client), before)
            .and_then(|client| job_cmd::run_flush(client, args)),
        Command::Push(mut args) => resolve(std::mem::take(&mut args.client), before)
            .and_then(|client| job_cmd::run_push(client, args)),
        Command::Quota(args) => {
            resolve(args.client, before).and_then(|client| queries::run_quota(&client))
        }
        Command::Tasks(args) => resolve(args.client, before)
            .and_then(|client| queries::run_tasks(&client, &args.task_ids)),
        Command::Wait(mut args) => resolve(std::mem::take(&mut args.client), before)
            .and_then(|client| wait_cmd::run_wait(&client, &args)),
        Command::Emulator(args) => {
            refuse_client_options(&before, "emulator").and_then(|()| emulator_cmd::run(args))
        }
        Command::Man => refuse_client_options(&before, "man").and_then(|()| {
            let mut stdout = std::io::stdout().lock();
            man::render(&mut stdout)
                .and_then(|()| stdout.flush())
                .map_err(|e| exit::CliError::output(&e))?;
            Ok(exit::ExitStatus::Success)
        }),
        Command::Completions { shell } => {
            refuse_client_options(&before, "completions").and_then(|()| {
                // Rendered first: `generate` panics when a write fails (a
                // closed pipe), and a write error is ours to report.
                let mut script = Vec::new();
                let mut cli = Cli::command();
                cli.build();
                clap_complete::generate(shell, &mut without_hidden(&cli), "tcdn", &mut script);
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(&script)
                    .and_then(|()| stdout.flush())
                    .map_err(|e| exit::CliError::output(&e))?;
                Ok(exit::ExitStatus::Success)
            })
        }
    };
    match result {
        Ok(status) => ExitCode::from(status.code()),
        Err(error) => {
            if !error.is_quiet() {
                if json {
                    print_error_document(&error);
                }
                eprintln!("tcdn: {error}");
            }
            ExitCode::from(error.code())
        }
    }
}

/// `command` as the completions see it: without the hidden options and
/// commands, which are accepted but not offered (the client options
/// written before the command, `push --dir`). `command` is built, so its
/// global options are already in each command.
fn without_hidden(command: &clap::Command) -> clap::Command {
    let mut visible = clap::Command::new(command.get_name().to_owned())
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true);
    if let Some(about) = command.get_about() {
        visible = visible.about(about.clone());
    }
    if let Some(version) = command.get_version() {
        visible = visible.version(version.to_owned());
    }
    for arg in command.get_arguments().filter(|arg| !arg.is_hide_set()) {
        visible = visible.arg(arg.clone().global(false));
    }
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        visible = visible.subcommand(without_hidden(sub));
    }
    visible
}

/// Whether `--output json` (or `--output=json`) is among the arguments.
fn asks_for_json(args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    let mut previous_was_output = false;
    for arg in args {
        let arg = arg.to_string_lossy();
        if arg == "--output=json" || (previous_was_output && arg == "json") {
            return true;
        }
        previous_was_output = arg == "--output";
    }
    false
}

/// Prints the JSON error document on stdout (a closed stdout is no
/// matter: the message also goes to stderr).
fn print_error_document(error: &exit::CliError) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(output::error_document(error).as_bytes())
        .and_then(|()| stdout.flush());
}

/// `tcdn emulator` and `tcdn completions` take no client options, wherever
/// they are written.
fn refuse_client_options(
    before: &args::ClientArgsBefore,
    command: &str,
) -> Result<(), exit::CliError> {
    let given = before.given();
    if given.is_empty() {
        return Ok(());
    }
    Err(exit::CliError::usage(format!(
        "`tcdn {command}` takes no client options ({}); they belong to flush, push, quota, tasks and wait",
        given.join(", ")
    )))
}

/// Logs go to stderr; `-v` raises the level, `RUST_LOG` overrides it. The
/// emulator logs its decisions at info level by default.
fn init_logging(verbose: u8, format: args::LogFormatArg, emulator: bool) {
    let default = match (verbose, emulator) {
        (0, false) => "warn",
        (0, true) | (1, _) => "info",
        (2, _) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        args::LogFormatArg::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        args::LogFormatArg::Json => builder.json().try_init(),
    };
}
