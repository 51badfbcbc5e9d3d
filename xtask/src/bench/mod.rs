//! `cargo xtask bench`'s measurements beyond criterion, by part:
//!
//! - `quick`: `--quick`, the ratios loosely, in under a minute;
//! - `e2e`: the release CLI end to end against the emulator on loopback
//!   (latency bound, rate limit, emulator throughput, load), with `v3` for
//!   API 3.0's rows;
//! - `scale`: the dry run over 100k and 1M URLs (time, memory, streaming);
//! - `process`: the dry run against Tencent's Python SDKs as whole processes;
//! - `report`: the table's rows and the figures read from criterion;
//! - `sys`: bounded child processes, `/proc` readings, number formats.
//!
//! Every child process runs under a deadline and is killed past it; every
//! socket is on 127.0.0.1.

mod e2e;
mod process;
mod quick;
mod report;
mod scale;
mod sys;
mod v3;

use std::path::Path;

use crate::shell::{cargo, run};
use e2e::Bench;
use report::{Cells, Results, Row, table};
use sys::{available_cpus, cpu_model};

pub(crate) use quick::quick;
pub(crate) use report::criterion_rows;
pub(crate) use sys::http;

/// Runs every end-to-end measurement and prints its table. Fails when a
/// measurement could not be taken (a missed target is reported, not an
/// error).
pub(crate) fn run_all(target_dir: &Path, criterion_rows: Vec<Cells>) -> Result<(), String> {
    run(
        "build the release tcdn CLI",
        cargo(&["build", "--release", "--locked", "--package", "tcdn-cli"]),
    )?;
    let bench = Bench::new(target_dir)?;

    let mut results = Results::default();
    results.section("CLI at scale", |r| bench.cli_at_scale(r));
    results.section("dry run as processes", |r| bench.processes(target_dir, r));
    results.section("end to end, rate limit off", |r| bench.end_to_end(r));
    results.section("emulator throughput", |r| bench.throughput(r));
    results.section("load", |r| bench.load(r));
    results.section("end to end, rate limited", |r| bench.rate_limited(r));
    results.section("API 3.0 end to end", |r| bench.v3_end_to_end(r));
    results.section("API 3.0 --wait", |r| bench.v3_wait(r));

    println!(
        "\ntcdn benchmarks: criterion (signing, request building) and end to end (release CLI \
         and emulator on loopback)\n"
    );
    let rows: Vec<Cells> = criterion_rows
        .into_iter()
        .chain(results.rows.iter().map(Row::cells))
        .collect();
    print!("{}", table(&rows));
    println!(
        "\nmachine: {} × {}",
        available_cpus(),
        cpu_model().unwrap_or_else(|| "unknown CPU".to_owned())
    );
    for note in &results.notes {
        println!("  {note}");
    }
    if results.errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} end-to-end section(s) failed: {}",
            results.errors.len(),
            results.errors.join("; ")
        ))
    }
}
