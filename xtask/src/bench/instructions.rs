//! `cargo xtask bench --instructions [BASELINE]`: the dry run's instruction
//! counts under valgrind (cachegrind), which do not depend on the machine's
//! load as wall times do, so a slowdown shows on a shared machine too.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::e2e::Bench;
use super::process::{V2_DRY_RUN, V3_DRY_RUN};
use super::report::{Row, Verdict, table};
use super::sys::{create, read_text, wait_bounded};

/// How much more than the baseline the dry run may execute.
const INSTRUCTIONS_TARGET: f64 = 1.10;

/// Counts the dry run's instructions over 100k URLs (both APIs, JSON and
/// text) for the release `tcdn` and, when given, a `baseline` binary (a
/// build of an earlier commit), and prints them as a table.
pub(super) fn instructions(bench: &Bench, baseline: Option<&Path>) -> Result<(), String> {
    let version = Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !version.is_ok_and(|status| status.success()) {
        return Err("valgrind is missing (Debian/Ubuntu: apt-get install valgrind)".to_owned());
    }
    let (file, _) = bench.url_file(100_000)?;
    let mut rows = Vec::new();
    let mut lost = Vec::new();
    for (api, dry_run) in [("v2", V2_DRY_RUN), ("v3", V3_DRY_RUN)] {
        for output in ["json", "text"] {
            let mut args: Vec<&str> = dry_run.to_vec();
            if let Some(last) = args.last_mut() {
                *last = output;
            }
            let args: Vec<&str> = args.into_iter().chain(["--from-file"]).collect();
            let ours = count(bench, &bench.tcdn, &args, &file)?;
            let figure = format!("dry run, 100k URLs, {api} {output}: instructions");
            let row = match baseline {
                None => Row::info(figure, millions(ours)),
                Some(baseline) => {
                    let theirs = count(bench, baseline, &args, &file)?;
                    let ratio = ours as f64 / theirs as f64;
                    if ratio > INSTRUCTIONS_TARGET {
                        lost.push(figure.clone());
                    }
                    Row {
                        figure,
                        value: millions(ours),
                        reference: format!("baseline {}", millions(theirs)),
                        ratio: format!("{ratio:.3}×"),
                        target: format!("≤ {INSTRUCTIONS_TARGET}× the baseline"),
                        verdict: Verdict::of(ratio <= INSTRUCTIONS_TARGET),
                    }
                }
            };
            rows.push(row.cells());
        }
    }
    println!("\ntcdn bench --instructions (valgrind --tool=cachegrind, the whole process)\n");
    print!("{}", table(&rows));
    if lost.is_empty() {
        Ok(())
    } else {
        Err(format!("over the baseline: {}", lost.join("; ")))
    }
}

/// The instructions `program` executes for the dry run `args` over `file`,
/// with the bench's credentials and environment.
fn count(bench: &Bench, program: &Path, args: &[&str], file: &Path) -> Result<u64, String> {
    let log = bench.work.join("cachegrind.txt");
    let mut cmd = Command::new("valgrind");
    for (key, value) in bench.tcdn().get_envs() {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    cmd.args([
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
    ])
    .arg(program)
    .args(args)
    .arg(file)
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(create(&log)?);
    let child = cmd
        .spawn()
        .map_err(|e| format!("could not start valgrind: {e}"))?;
    let status = wait_bounded(child, Duration::from_secs(300), "valgrind's dry run")?;
    let text = read_text(&log)?;
    if !status.success() {
        return Err(format!(
            "valgrind's dry run of {} exited with {status}: {}",
            program.display(),
            text.lines().last().unwrap_or_default()
        ));
    }
    instruction_count(&text).ok_or_else(|| format!("no instruction count in {}", log.display()))
}

/// The `I refs` figure of cachegrind's summary (`==12== I   refs:  1,234`).
fn instruction_count(summary: &str) -> Option<u64> {
    summary.lines().find_map(|line| {
        let (_, after) = line.split_once("I   refs:")?;
        after.trim().replace(',', "").parse().ok()
    })
}

/// A count in millions, as the table prints it.
fn millions(count: u64) -> String {
    format!("{:.1} M", count as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_is_read_from_cachegrinds_summary() {
        let summary = "==7== Command: tcdn flush\n==7== \n==7== I   refs:      455,137,907\n";
        assert_eq!(instruction_count(summary), Some(455_137_907));
        assert_eq!(instruction_count("==7== I1  misses: 3\n"), None);
        assert_eq!(millions(455_137_907), "455.1 M");
    }
}
