//! `cargo xtask bench`'s measurements beyond criterion, by part:
//!
//! - `quick`: `--quick`, the ratios loosely, in under a minute;
//! - `e2e`: the release CLI end to end against the emulator on loopback
//!   (latency bound, rate limit, emulator throughput, load), with `v3` for
//!   API 3.0's rows;
//! - `scale`: the dry run over 100k and 1M URLs (time, memory, streaming);
//! - `process`: the dry run against Tencent's Python SDKs as whole processes;
//! - `report`: the table's rows and the figures read from criterion;
//! - `instructions`: `--instructions`, the dry run's instruction counts;
//! - `sys`: bounded child processes, `/proc` readings, number formats.
//!
//! Every child process runs under a deadline and is killed past it; every
//! socket is on 127.0.0.1.

mod e2e;
mod instructions;
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

/// Builds the release `tcdn` and readies the bench's scratch directory.
fn release_bench(target_dir: &Path) -> Result<Bench, String> {
    run(
        "build the release tcdn CLI",
        cargo(&["build", "--release", "--locked", "--package", "tcdn-cli"]),
    )?;
    Bench::new(target_dir)
}

/// The dry run's instruction counts for the release `tcdn`, against a
/// `baseline` binary when given (see `instructions.rs`).
pub(crate) fn instructions(target_dir: &Path, baseline: Option<&Path>) -> Result<(), String> {
    let bench = release_bench(target_dir)?;
    instructions::instructions(&bench, baseline)
}

/// One end-to-end section's measurement.
type Measure = fn(&Bench, &Path, &mut Results) -> Result<(), String>;

/// The end-to-end sections in the order they run: the name `--only` takes,
/// the title the table's notes give, and the measurement.
const SECTIONS: [(&str, &str, Measure); 8] = [
    ("scale", "CLI at scale", |b, _, r| b.cli_at_scale(r)),
    ("processes", "dry run as processes", |b, dir, r| {
        b.processes(dir, r)
    }),
    ("e2e", "end to end, rate limit off", |b, _, r| {
        b.end_to_end(r)
    }),
    ("throughput", "emulator throughput", |b, _, r| {
        b.throughput(r)
    }),
    ("load", "load", |b, _, r| b.load(r)),
    ("rate-limited", "end to end, rate limited", |b, _, r| {
        b.rate_limited(r)
    }),
    ("v3-e2e", "API 3.0 end to end", |b, _, r| b.v3_end_to_end(r)),
    ("v3-wait", "API 3.0 --wait", |b, _, r| b.v3_wait(r)),
];

/// Runs every end-to-end measurement, or only the section named `only`
/// (a name in `SECTIONS`), and prints its table. Fails when a measurement
/// could not be taken (a missed target is reported, not an error).
pub(crate) fn run_all(
    target_dir: &Path,
    criterion_rows: Vec<Cells>,
    only: Option<&str>,
) -> Result<(), String> {
    if let Some(name) = only
        && !SECTIONS.iter().any(|(key, ..)| *key == name)
    {
        let names: Vec<&str> = SECTIONS.iter().map(|(key, ..)| *key).collect();
        return Err(format!(
            "no bench section `{name}` (sections: {})",
            names.join(", ")
        ));
    }
    let bench = release_bench(target_dir)?;

    let mut results = Results::default();
    for (key, title, measure) in SECTIONS {
        if only.is_none_or(|name| name == key) {
            results.section(title, |r| measure(&bench, target_dir, r));
        }
    }

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
