//! `tcdn`: flush (purge) and push (prefetch) Tencent Cloud CDN caches from the
//! command line, and serve a local emulator of the API.
//!
//! The work is done by the `tcdn` library crate; this binary reads the
//! command line and input files, prints results, and maps them to exit codes
//! (0 every URL succeeded, 1 some failed, 2 invalid input or usage).
#![forbid(unsafe_code)]

mod args;
mod emulator_cmd;
mod exit;
mod input;
mod output;
mod submit;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(
        cli.global.verbose,
        cli.global.log_format,
        matches!(cli.command, Command::Emulator(_)),
    );
    let result = match cli.command {
        Command::Flush(args) => submit::run_flush(&cli.global, args),
        Command::Push(args) => submit::run_push(&cli.global, args),
        Command::Emulator(args) => emulator_cmd::run(args),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "tcdn", &mut std::io::stdout());
            Ok(exit::ExitStatus::Success)
        }
    };
    match result {
        Ok(status) => ExitCode::from(status.code()),
        Err(error) => {
            eprintln!("tcdn: {error}");
            ExitCode::from(error.code())
        }
    }
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
