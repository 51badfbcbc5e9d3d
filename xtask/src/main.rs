//! Contributor tasks for tcdn, run as `cargo xtask <task>`.
//!
//! If `cargo xtask test` passes locally, CI is green but for what needs the
//! package registries: `.ci/run` calls `cargo xtask test`, then
//! `cargo xtask interop` (which installs Tencent's Python SDKs from PyPI) and
//! `cargo xtask demo`. The tasks shell out to cargo and use nothing outside the standard
//! library, so they build in seconds on a fresh machine.
#![forbid(unsafe_code)]

mod bench;
mod demo;
mod fuzz;
mod interop;
mod shell;
mod tasks;

use std::process::ExitCode;

const USAGE: &str = "\
cargo xtask <task>

Tasks:
  test     fmt check, clippy (warnings denied), every test (unit, integration,
           doc; nextest when installed), rustdoc (warnings denied), tidy, and a
           compile check of the fuzz targets
  bench    criterion benchmarks, then one table of figures and ratios;
           --quick: the targets' ratios, loosely (1.5× slack), in under a minute
  demo     the main job: start the bundled emulator, flush and push through the
           real CLI and HTTP transport, print results and the emulator's tasks
  fuzz     each cargo-fuzz target for --seconds N (default 60), one table; --list
  interop  Tencent's official Python SDK and tccli (pinned, in a venv under
           target/) against the emulator over HTTP and TLS; skips without
           Python or PyPI (under CI=true a skip fails, unless TCDN_INTEROP=skip)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None | Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some("test") => tasks::test(&args[1..]),
        Some("bench") => tasks::bench(&args[1..]),
        Some("demo") => demo::demo(&args[1..]),
        Some("fuzz") => fuzz::fuzz(&args[1..]),
        Some("interop") => interop::interop(&args[1..]),
        Some(other) => Err(format!("unknown task `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
