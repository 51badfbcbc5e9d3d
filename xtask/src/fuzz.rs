//! `cargo xtask fuzz`: runs every cargo-fuzz target in `fuzz/` for a fixed
//! time, one after the other, and prints one table.
//!
//! - Installs cargo-fuzz from crates.io when `cargo fuzz` is missing.
//! - Builds with `RUSTC_BOOTSTRAP=1`, set on the cargo-fuzz commands only:
//!   cargo-fuzz passes nightly-only flags (`-Z…`) and this repository builds
//!   on stable. Nothing else sees the variable.
//! - Builds without a sanitizer (`--sanitizer none`): every tcdn crate is
//!   `#![forbid(unsafe_code)]`, so AddressSanitizer would mostly halve the
//!   runs per second on a small machine. Debug assertions and overflow checks
//!   stay on (cargo-fuzz's default).
//! - Corpus: libFuzzer writes what it finds to `fuzz/corpus/<target>/`
//!   (git-ignored) and reads the committed seeds in `fuzz/seeds/<target>/`
//!   without writing to them. Crashes land in `fuzz/artifacts/<target>/`
//!   (git-ignored); each one should become a test in a crate's
//!   `tests/fuzz_regressions.rs` (see `fuzz/README.md`).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::shell::{cargo, root, run};

const DEFAULT_SECONDS: u64 = 60;

const HELP: &str = "\
cargo xtask fuzz [--seconds N] [--list] [TARGET...]

Runs each fuzz target (or only the TARGETs named) for N seconds (default 60),
then prints: target, runs, seconds, new crashes. `--list` prints the targets.
";

/// What the command line asked for.
struct Options {
    seconds: u64,
    list: bool,
    targets: Vec<String>,
}

fn parse(args: &[String]) -> Result<Option<Options>, String> {
    let mut options = Options {
        seconds: DEFAULT_SECONDS,
        list: false,
        targets: Vec::new(),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--list" => options.list = true,
            "--seconds" => {
                let value = args.next().ok_or("`--seconds` needs a number of seconds")?;
                options.seconds = parse_seconds(value)?;
            }
            other if other.starts_with("--seconds=") => {
                options.seconds = parse_seconds(&other["--seconds=".len()..])?;
            }
            other if other.starts_with('-') => {
                return Err(format!("unknown option `{other}`\n\n{HELP}"));
            }
            target => options.targets.push(target.to_owned()),
        }
    }
    Ok(Some(options))
}

fn parse_seconds(value: &str) -> Result<u64, String> {
    match value.parse::<u64>() {
        Ok(seconds) if seconds > 0 => Ok(seconds),
        _ => Err(format!(
            "`--seconds` takes a whole number of seconds above 0 (got `{value}`)"
        )),
    }
}

fn fuzz_dir() -> PathBuf {
    root().join("fuzz")
}

/// The `[[bin]]` names of `fuzz/Cargo.toml`, in the manifest's order.
fn targets() -> Result<Vec<String>, String> {
    let manifest = fuzz_dir().join("Cargo.toml");
    let text = fs::read_to_string(&manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let mut names = Vec::new();
    let mut in_bin = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if in_bin && let Some(value) = line.strip_prefix("name") {
            let name = value.trim_start().trim_start_matches('=').trim();
            names.push(name.trim_matches('"').to_owned());
        }
    }
    if names.is_empty() {
        return Err(format!("no [[bin]] targets in {}", manifest.display()));
    }
    Ok(names)
}

/// `cargo fuzz …` with the nightly escape hatch set for this command only.
fn cargo_fuzz(args: &[&str]) -> Command {
    let mut cmd = cargo(&["fuzz"]);
    cmd.args(args).env("RUSTC_BOOTSTRAP", "1");
    cmd
}

fn ensure_cargo_fuzz() -> Result<(), String> {
    let installed = cargo(&["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if installed {
        return Ok(());
    }
    run(
        "install cargo-fuzz",
        cargo(&["install", "cargo-fuzz", "--locked"]),
    )
}

/// Files libFuzzer leaves for a failure (`crash-…`, `leak-…`, `timeout-…`,
/// `oom-…`) in `fuzz/artifacts/<target>/`.
fn failure_artifacts(target: &str) -> BTreeSet<PathBuf> {
    let dir = fuzz_dir().join("artifacts").join(target);
    let Ok(entries) = fs::read_dir(dir) else {
        return BTreeSet::new();
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                let n = n.to_string_lossy();
                ["crash-", "leak-", "timeout-", "oom-"]
                    .iter()
                    .any(|prefix| n.starts_with(prefix))
            })
        })
        .collect()
}

/// The number after `stat::number_of_executed_units:` in libFuzzer's final
/// statistics, or else in its last `#N` status line.
fn executed_runs(log: &str) -> Option<u64> {
    let from_stats = log.lines().find_map(|line| {
        line.strip_prefix("stat::number_of_executed_units:")
            .and_then(|n| n.trim().parse().ok())
    });
    from_stats.or_else(|| {
        log.lines().rev().find_map(|line| {
            let rest = line.strip_prefix('#')?;
            let end = rest.find(|c: char| !c.is_ascii_digit())?;
            rest[..end].parse().ok()
        })
    })
}

/// One target's figures.
struct Outcome {
    target: String,
    runs: Option<u64>,
    seconds: f64,
    new_crashes: Vec<PathBuf>,
    log: PathBuf,
}

fn fuzz_one(target: &str, seconds: u64) -> Result<Outcome, String> {
    let corpus = fuzz_dir().join("corpus").join(target);
    let seeds = fuzz_dir().join("seeds").join(target);
    fs::create_dir_all(&corpus).map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
    let log_dir = fuzz_dir().join("target").join("xtask-logs");
    fs::create_dir_all(&log_dir)
        .map_err(|e| format!("cannot create {}: {e}", log_dir.display()))?;
    let log = log_dir.join(format!("{target}.log"));
    let log_file =
        fs::File::create(&log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;

    let before = failure_artifacts(target);
    let corpus_arg = corpus.display().to_string();
    let seeds_arg = seeds.display().to_string();
    let max_time = format!("-max_total_time={seconds}");
    let mut args = vec!["run", "--sanitizer", "none", target, &corpus_arg];
    if seeds.is_dir() {
        args.push(&seeds_arg);
    }
    args.extend(["--", &max_time, "-print_final_stats=1"]);
    eprintln!("\n==> fuzz {target} for {seconds}s (log: {})", rel(&log));
    let started = Instant::now();
    let status = cargo_fuzz(&args)
        .stdout(Stdio::null())
        .stderr(log_file)
        .status()
        .map_err(|e| format!("fuzz {target}: could not start cargo fuzz: {e}"))?;
    let elapsed = started.elapsed().as_secs_f64();
    let text = fs::read_to_string(&log).unwrap_or_default();
    let new_crashes: Vec<PathBuf> = failure_artifacts(target)
        .difference(&before)
        .cloned()
        .collect();
    if !status.success() && new_crashes.is_empty() {
        let tail: Vec<&str> = text.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "fuzz {target} failed ({status}) without a crash artifact; end of {}:\n{}",
            rel(&log),
            tail.join("\n")
        ));
    }
    Ok(Outcome {
        target: target.to_owned(),
        runs: executed_runs(&text),
        seconds: elapsed,
        new_crashes,
        log,
    })
}

fn rel(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn table(outcomes: &[Outcome]) -> String {
    let width = outcomes
        .iter()
        .map(|o| o.target.len())
        .chain(["target".len()])
        .max()
        .unwrap_or(6);
    let mut out = format!(
        "{:<width$}  {:>12}  {:>8}  {:>11}\n",
        "target", "runs", "seconds", "new crashes"
    );
    for o in outcomes {
        let runs = o.runs.map_or_else(|| "?".to_owned(), |r| r.to_string());
        out.push_str(&format!(
            "{:<width$}  {:>12}  {:>8.1}  {:>11}\n",
            o.target,
            runs,
            o.seconds,
            o.new_crashes.len()
        ));
    }
    out
}

/// `cargo xtask fuzz`.
pub(crate) fn fuzz(args: &[String]) -> Result<(), String> {
    let Some(options) = parse(args)? else {
        print!("{HELP}");
        return Ok(());
    };
    let all = targets()?;
    if options.list {
        for target in &all {
            println!("{target}");
        }
        return Ok(());
    }
    let chosen: Vec<String> = if options.targets.is_empty() {
        all
    } else {
        if let Some(unknown) = options.targets.iter().find(|t| !all.contains(t)) {
            return Err(format!(
                "unknown fuzz target `{unknown}`; targets: {}",
                all.join(", ")
            ));
        }
        options.targets
    };

    ensure_cargo_fuzz()?;
    run(
        "build fuzz targets",
        cargo_fuzz(&["build", "--sanitizer", "none"]),
    )?;
    let mut outcomes = Vec::new();
    for target in &chosen {
        outcomes.push(fuzz_one(target, options.seconds)?);
    }

    println!("\nfuzzing, {}s per target\n", options.seconds);
    print!("{}", table(&outcomes));
    let crashes: Vec<String> = outcomes
        .iter()
        .flat_map(|o| {
            o.new_crashes
                .iter()
                .map(move |c| format!("  {} (log: {})", rel(c), rel(&o.log)))
        })
        .collect();
    if crashes.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "new crashes; reproduce with `RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none \
             <target> <file>`, then add each to the crate's tests/fuzz_regressions.rs:\n{}",
            crashes.join("\n")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_come_from_the_final_stats_or_the_last_status_line() {
        let stats = "#2\tINITED\n#4096\tpulse  cov: 1\nstat::number_of_executed_units: 51234\n";
        assert_eq!(executed_runs(stats), Some(51234));
        let status_only = "#128\tNEW cov: 3\n#9000\tREDUCE cov: 4\nDone 9001 runs in 2 second(s)\n";
        assert_eq!(executed_runs(status_only), Some(9000));
        assert_eq!(executed_runs("nothing here"), None);
    }

    #[test]
    fn seconds_must_be_a_positive_whole_number() {
        let args = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let options = parse(&args(&["--seconds", "20", "url"])).unwrap().unwrap();
        assert_eq!(
            (options.seconds, options.targets.as_slice()),
            (20, &["url".to_owned()][..])
        );
        assert_eq!(parse(&args(&["--seconds=5"])).unwrap().unwrap().seconds, 5);
        assert_eq!(parse(&args(&[])).unwrap().unwrap().seconds, DEFAULT_SECONDS);
        assert!(parse(&args(&["--seconds", "0"])).is_err());
        assert!(parse(&args(&["--seconds"])).is_err());
        assert!(parse(&args(&["--bogus"])).is_err());
        assert!(parse(&args(&["--help"])).unwrap().is_none());
    }

    #[test]
    fn targets_are_read_from_the_fuzz_manifest() {
        let targets = targets().unwrap();
        for expected in ["envelope", "url", "decode_form", "sign_verify"] {
            assert!(targets.iter().any(|t| t == expected), "{targets:?}");
        }
    }
}
