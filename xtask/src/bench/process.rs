//! The dry run as whole processes: `tcdn` against Tencent's
//! Python SDKs building and signing the same requests, the dry run's
//! scaling from 100k to 1M URLs, and its speed-up from one thread to two.
//!
//! Every comparison alternates the two commands and keeps each one's
//! fastest run: on a shared machine the minimum is the least disturbed, and
//! alternating spreads a burst of load over both. The Python side runs
//! `xtask/bench/*.py` with an interpreter that has the SDKs: the one in
//! `TCDN_BENCH_PYTHON`, else a venv under `target/bench-venv` (made with
//! `python3 -m venv` and pip on first use, with the SDKs pinned in
//! `xtask/bench/requirements.txt`). Without Python or PyPI those
//! rows are skipped with the reason.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::e2e::Bench;
use super::report::{Results, Row, Verdict};

/// The SDKs the comparison scripts import.
/// The pinned SDKs, one requirement a line (`xtask/bench/requirements.txt`).
fn sdk_requirements() -> PathBuf {
    crate::shell::root()
        .join("xtask")
        .join("bench")
        .join("requirements.txt")
}

/// `tcdn` at least this many times faster than the legacy v2 SDK over the
/// same 100k-URL dry run, whole processes.
pub(super) const V2_VS_SDK_TARGET: f64 = 25.0;
/// `tcdn`'s API 3.0 dry run against the official API 3.0 SDK.
pub(super) const V3_VS_SDK_TARGET: f64 = 20.0;

/// The first, looser target for the same ratio, still reported.
pub(super) const V3_VS_SDK_FIRST_TARGET: f64 = 10.0;
/// Time per URL at 1M over that at 100k.
pub(super) const LINEAR_TARGET: f64 = 1.15;
/// Peak RSS of the dry run (100k and 1M URLs) beyond the 1-URL baseline,
/// over the input's size.
pub(super) const RSS_TARGET: f64 = 1.5;

/// The dry run's arguments before `--from-file FILE`, for API 2.0 (named,
/// since API 3.0 is the default).
pub(super) const V2_DRY_RUN: [&str; 7] = [
    "--api",
    "v2",
    "flush",
    "--mainland",
    "--dry-run",
    "--output",
    "json",
];

/// The same for API 3.0: `PurgeUrlsCache` requests of 1000 URLs, signed
/// with TC3, as the official SDK's script builds them.
pub(super) const V3_DRY_RUN: [&str; 7] = [
    "--api",
    "v3",
    "flush",
    "--mainland",
    "--dry-run",
    "--output",
    "json",
];

/// A command to time: program, arguments, environment.
#[derive(Clone)]
pub(super) struct Timed {
    pub(crate) label: String,
    pub(crate) program: PathBuf,
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
}

impl Timed {
    pub(super) fn tcdn(tcdn: &Path, file: &Path, threads: Option<usize>) -> Self {
        let mut args: Vec<String> = V2_DRY_RUN.iter().map(|s| (*s).to_owned()).collect();
        args.push("--from-file".to_owned());
        args.push(file.display().to_string());
        Self {
            label: "tcdn".to_owned(),
            program: tcdn.to_path_buf(),
            args,
            env: threads
                .map(|n| vec![("TCDN_THREADS".to_owned(), n.to_string())])
                .unwrap_or_default(),
        }
    }

    /// One run, stdout discarded; its wall time.
    pub(super) fn once(&self) -> Result<Duration, String> {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("TENCENTCLOUD_SECRET_ID", super::e2e::BENCH_ID)
            .env("TENCENTCLOUD_SECRET_KEY", super::e2e::BENCH_KEY)
            .env_remove("TENCENTCLOUD_TOKEN")
            .env_remove("TENCENTCLOUD_SECURITY_TOKEN")
            .env_remove("TCDN_ENDPOINT")
            .env_remove("TCDN_API")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let output = cmd
            .output()
            .map_err(|e| format!("{}: could not start: {e}", self.label))?;
        let wall = started.elapsed();
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(format!(
                "{} exited with {}: {}",
                self.label,
                output.status,
                stderr.lines().last().unwrap_or_default()
            ));
        }
        Ok(wall)
    }
}

/// The fastest of `rounds` runs of each command, run in turn (a, b, a, b,
/// …).
pub(super) fn alternate(commands: &[&Timed], rounds: usize) -> Result<Vec<Duration>, String> {
    let mut best = vec![Duration::MAX; commands.len()];
    for _ in 0..rounds {
        for (slot, command) in best.iter_mut().zip(commands) {
            *slot = (*slot).min(command.once()?);
        }
    }
    Ok(best)
}

/// A Python with the SDKs, or why there is none.
pub(super) fn python_with_sdks(target_dir: &Path) -> Result<PathBuf, String> {
    let has_sdks = |python: &Path| {
        Command::new(python)
            .args(["-c", "import QcloudApi, tencentcloud.cdn"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if let Some(python) = std::env::var_os("TCDN_BENCH_PYTHON") {
        let python = PathBuf::from(python);
        return if has_sdks(&python) {
            Ok(python)
        } else {
            Err(format!(
                "TCDN_BENCH_PYTHON={} cannot import the SDKs ({})",
                python.display(),
                sdk_requirements().display()
            ))
        };
    }
    let venv = target_dir.join("bench-venv");
    let python = venv.join("bin").join("python");
    let requirements = sdk_requirements();
    let wanted = std::fs::read_to_string(&requirements)
        .map_err(|e| format!("{}: {e}", requirements.display()))?;
    // The venv records the requirements it was made with; other pins make a
    // new one, so the figures always come from the versions named.
    let stamp = venv.join("tcdn-requirements.txt");
    if has_sdks(&python) && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(python);
    }
    let _ = std::fs::remove_dir_all(&venv);
    eprintln!("    making {} for the SDK comparison", venv.display());
    let quiet = |mut cmd: Command, what: &str| -> Result<(), String> {
        let output = cmd
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{what}: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            let stderr = String::from_utf8_lossy(&output.stderr);
            Err(format!(
                "{what} failed: {}",
                stderr.lines().last().unwrap_or_default()
            ))
        }
    };
    let mut make = Command::new("python3");
    make.args(["-m", "venv"]).arg(&venv);
    quiet(make, "python3 -m venv")?;
    let mut install = Command::new(venv.join("bin").join("pip"));
    install
        .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(&requirements);
    quiet(install, "pip install (needs PyPI)")?;
    if has_sdks(&python) {
        std::fs::write(&stamp, wanted).map_err(|e| format!("{}: {e}", stamp.display()))?;
        Ok(python)
    } else {
        Err("the SDKs installed but do not import".to_owned())
    }
}

/// A comparison script of `xtask/bench` run by `python` over `file`.
pub(super) fn script(python: &Path, name: &str, label: &str, file: &Path) -> Timed {
    let path = crate::shell::root().join("xtask").join("bench").join(name);
    Timed {
        label: label.to_owned(),
        program: python.to_path_buf(),
        args: vec![path.display().to_string(), file.display().to_string()],
        env: Vec::new(),
    }
}

/// Python starting and importing what `script` imports, and nothing more:
/// the fixed share of the SDK's time that no URL count changes.
pub(super) fn python_start(python: &Path, imports: &str, label: &str) -> Timed {
    Timed {
        label: label.to_owned(),
        program: python.to_path_buf(),
        args: vec!["-c".to_owned(), imports.to_owned()],
        env: Vec::new(),
    }
}

/// One row comparing `ours` and `theirs` (the reference), with a target or
/// for context.
fn versus(figure: &str, ours: Duration, theirs: Duration, sdk: &str, target: Option<f64>) -> Row {
    let ratio = theirs.as_secs_f64() / ours.as_secs_f64();
    Row {
        figure: figure.to_owned(),
        value: format!("{:.3} s", ours.as_secs_f64()),
        reference: format!("{:.3} s ({sdk})", theirs.as_secs_f64()),
        ratio: format!("{ratio:.1}× faster"),
        target: target.map(|t| format!("≥ {t}×")).unwrap_or_default(),
        verdict: target.map_or(Verdict::Info, |t| Verdict::of(ratio >= t)),
    }
}

/// The row saying how much of an SDK run is Python's start-up and imports.
fn start_up_share(figure: &str, start_up: Duration, whole: Duration) -> Row {
    Row::info(
        figure,
        format!(
            "{:.3} s of {:.3} s ({:.0}%)",
            start_up.as_secs_f64(),
            whole.as_secs_f64(),
            100.0 * start_up.as_secs_f64() / whole.as_secs_f64()
        ),
    )
}

/// The arguments of `tcdn`'s API 3.0 dry run, when its `--help` shows how
/// to ask for one (`--api`); `None` for a binary without API 3.0.
pub(super) fn v3_dry_run_args(tcdn: &Path) -> Option<Vec<String>> {
    let help = Command::new(tcdn)
        .arg("--help")
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let help = String::from_utf8_lossy(&help.stdout);
    help.contains("--api ")
        .then(|| V3_DRY_RUN.map(str::to_owned).to_vec())
}

impl Bench {
    /// The dry run against Tencent's Python SDKs doing the same
    /// (whole processes, alternating; also one thread against one, and the
    /// share of the SDK's time that is Python starting), and its speed-up on
    /// two threads.
    pub(super) fn processes(&self, target_dir: &Path, results: &mut Results) -> Result<(), String> {
        let (file, _) = self.url_file(100_000)?;
        let (million, _) = self.url_file(1_000_000)?;
        let one = Timed::tcdn(&self.tcdn, &million, Some(1));
        let two = Timed::tcdn(&self.tcdn, &million, Some(2));
        let [t1, t2] = alternate(&[&one, &two], 3)?[..] else {
            unreachable!("two commands, two times")
        };
        results.rows.push(Row::info(
            "dry run, 1M URLs, 1 thread (best of 3, alternating)",
            format!("{:.3} s", t1.as_secs_f64()),
        ));
        results.rows.push(Row::info(
            "dry run, 1M URLs, 2 threads: speed-up over 1",
            format!(
                "{:.3} s ({:.2}×)",
                t2.as_secs_f64(),
                t1.as_secs_f64() / t2.as_secs_f64()
            ),
        ));
        let python = match python_with_sdks(target_dir) {
            Ok(python) => python,
            Err(why) => {
                results.rows.push(Row::info(
                    "dry run vs Tencent's Python SDKs: skipped",
                    why.clone(),
                ));
                results.notes.push(format!("SDK comparison skipped: {why}"));
                return Ok(());
            }
        };
        let tcdn = Timed::tcdn(&self.tcdn, &file, None);
        let tcdn_one = Timed::tcdn(&self.tcdn, &file, Some(1));
        let legacy = script(&python, "legacy_v2_dry_run.py", "legacy v2 SDK", &file);
        let legacy_start = python_start(
            &python,
            "from QcloudApi.qcloudapi import QcloudApi",
            "legacy v2 SDK start-up",
        );
        let [ours, ours_one, theirs, start_up] =
            alternate(&[&tcdn, &tcdn_one, &legacy, &legacy_start], 5)?[..]
        else {
            unreachable!("four commands, four times")
        };
        results.rows.push(versus(
            "dry run, 100k URLs, v2: tcdn vs the legacy v2 SDK (processes)",
            ours,
            theirs,
            "qcloudapi-sdk-python",
            Some(V2_VS_SDK_TARGET),
        ));
        results.rows.push(versus(
            "the same, one thread against one (TCDN_THREADS=1)",
            ours_one,
            theirs,
            "qcloudapi-sdk-python",
            None,
        ));
        results.rows.push(start_up_share(
            "the legacy SDK's run: Python's start-up and imports",
            start_up,
            theirs,
        ));
        let official = script(&python, "tc3_sdk_dry_run.py", "API 3.0 SDK", &file);
        match v3_dry_run_args(&self.tcdn) {
            Some(args) => {
                let mut ours = tcdn.clone();
                ours.args = args;
                ours.args.push("--from-file".to_owned());
                ours.args.push(file.display().to_string());
                let mut ours_one = ours.clone();
                ours_one
                    .env
                    .push(("TCDN_THREADS".to_owned(), "1".to_owned()));
                let official_start = python_start(
                    &python,
                    "from tencentcloud.cdn.v20180606 import cdn_client, models",
                    "API 3.0 SDK start-up",
                );
                let [ours, ours_one, theirs, start_up] =
                    alternate(&[&ours, &ours_one, &official, &official_start], 5)?[..]
                else {
                    unreachable!("four commands, four times")
                };
                let sdk = "tencentcloud-sdk-python";
                results.rows.push(versus(
                    "dry run, 100k URLs, v3: tcdn vs the API 3.0 SDK (processes)",
                    ours,
                    theirs,
                    sdk,
                    Some(V3_VS_SDK_TARGET),
                ));
                results.rows.push(versus(
                    "the same, against the first target (10×)",
                    ours,
                    theirs,
                    sdk,
                    Some(V3_VS_SDK_FIRST_TARGET),
                ));
                results.rows.push(versus(
                    "the same, one thread against one (TCDN_THREADS=1)",
                    ours_one,
                    theirs,
                    sdk,
                    None,
                ));
                results.rows.push(start_up_share(
                    "the API 3.0 SDK's run: Python's start-up and imports",
                    start_up,
                    theirs,
                ));
            }
            None => {
                let [theirs] = alternate(&[&official], 3)?[..] else {
                    unreachable!("one command, one time")
                };
                results.rows.push(Row::info(
                    "dry run, 100k URLs, API 3.0 SDK (tcdn has no v3 dry run yet)",
                    format!("{:.3} s", theirs.as_secs_f64()),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternation_keeps_each_commands_fastest_run() {
        let true_cmd = Timed {
            label: "true".to_owned(),
            program: PathBuf::from("true"),
            args: Vec::new(),
            env: Vec::new(),
        };
        let best = alternate(&[&true_cmd, &true_cmd], 2).unwrap();
        assert_eq!(best.len(), 2);
        assert!(best.iter().all(|d| *d < Duration::MAX));
    }
}
