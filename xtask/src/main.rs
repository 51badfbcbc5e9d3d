//! Contributor tasks for tcdn, run as `cargo xtask <task>`.
//!
//! If `cargo xtask test` passes locally, CI is green but for what needs the
//! package registries or a release build: `.ci/run` calls `cargo xtask
//! test`, then `cargo xtask interop` (which installs Tencent's Python SDKs
//! from PyPI), `cargo xtask demo` and `cargo xtask dist`. The tasks shell out
//! to cargo; besides the standard library they use only `sha2`, `base64` and
//! `miniz_oxide` (the hashes, the wheel's zip and the archive's gzip of
//! `cargo xtask dist`), so they build in seconds on a fresh machine.
//! `cargo xtask dist` links its binary with zig against glibc 2.17, so it
//! runs on older systems than the one that builds it (see its module).
#![forbid(unsafe_code)]

mod bench;
mod demo;
mod dist;
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
           --quick: the targets' ratios, loosely (1.5× slack), in under a minute;
           --only SECTION: one end-to-end section, no criterion (scale,
           processes, e2e, throughput, load, rate-limited, v3-e2e, v3-wait);
           --instructions [BASELINE]: the dry run's instruction counts under
           valgrind (load-independent), against another tcdn binary if given
  demo     the main job: start the bundled emulator, flush and push through the
           real CLI and HTTP transport, print results and the emulator's tasks
  fuzz     each cargo-fuzz target for --seconds N (default 60), one table; --list
  dist     the release files in target/dist/ (archive, Python wheel,
           SHA256SUMS), then their checks: crates package with licences,
           wheel installs into a fresh venv, binary stripped, <= 8 MiB,
           glibc <= 2.17 (linked by zig, installed pinned under target/);
           --check: the checks alone
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
        Some("dist") => dist::dist(&args[1..]),
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
