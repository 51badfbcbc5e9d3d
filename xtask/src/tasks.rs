//! The tasks behind `cargo xtask`: each is a short list of cargo invocations.

use std::path::PathBuf;
use std::process::Command;

use crate::shell::{cargo, root, run};

fn has_nextest() -> bool {
    cargo(&["nextest", "--version"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Environment that makes test runs repeatable and strict.
fn strict_test_env(cmd: &mut Command) {
    // insta: a missing or changed snapshot fails instead of being written.
    cmd.env("CI", "true").env("INSTA_UPDATE", "no");
    cmd.env_remove("INSTA_FORCE_PASS");
    // proptest: every property fixes its own case count; a fixed seed makes
    // two runs of the same tree explore the same cases.
    cmd.env("PROPTEST_RNG_SEED", "20261128");
    cmd.env_remove("PROPTEST_CASES");
    // The fixture tests rewrite their expectations under TCDN_BLESS instead
    // of checking them.
    cmd.env_remove("TCDN_BLESS");
}

/// `cargo xtask test`.
pub(crate) fn test(args: &[String]) -> Result<(), String> {
    if let Some(extra) = args.first() {
        return Err(format!("`test` takes no arguments (got `{extra}`)"));
    }
    run("rustfmt", cargo(&["fmt", "--all", "--check"]))?;
    run(
        "clippy",
        cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    if has_nextest() {
        let mut unit = cargo(&[
            "nextest",
            "run",
            "--workspace",
            "--locked",
            "--no-fail-fast",
        ]);
        strict_test_env(&mut unit);
        run("tests (nextest)", unit)?;
        let mut doc = cargo(&["test", "--workspace", "--doc", "--locked"]);
        strict_test_env(&mut doc);
        run("doc tests", doc)?;
    } else {
        let mut all = cargo(&["test", "--workspace", "--locked", "--no-fail-fast"]);
        strict_test_env(&mut all);
        run("tests", all)?;
        let mut doc = cargo(&["test", "--workspace", "--doc", "--locked"]);
        strict_test_env(&mut doc);
        run("doc tests", doc)?;
    }
    let mut doc = cargo(&["doc", "--workspace", "--no-deps", "--locked"]);
    doc.env("RUSTDOCFLAGS", "-D warnings");
    run("rustdoc", doc)?;
    // The fuzz targets live outside the workspace, so nothing else compiles
    // them; a change of a public API would otherwise break them unseen.
    run(
        "fuzz targets compile (cargo check, stable)",
        cargo(&[
            "check",
            "--manifest-path",
            "fuzz/Cargo.toml",
            "--bins",
            "--locked",
        ]),
    )?;
    eprintln!("\nxtask test: all green");
    Ok(())
}

/// `cargo xtask bench`: runs the criterion benches, then prints one table of
/// the signer's figures against a bare HMAC, with their targets.
///
/// Extra arguments go to criterion (e.g. a filter such as `sign_sha1`).
pub(crate) fn bench(args: &[String]) -> Result<(), String> {
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    if args.first().map(String::as_str) == Some("--quick") {
        if let Some(extra) = args.get(1) {
            return Err(format!(
                "`bench --quick` takes no more arguments (got `{extra}`)"
            ));
        }
        return crate::bench::quick(&target_dir);
    }
    if args.first().map(String::as_str) == Some("--instructions") {
        let baseline = match args {
            [_] => None,
            [_, baseline] => Some(PathBuf::from(baseline)),
            _ => return Err("`bench --instructions` takes at most a baseline binary".to_owned()),
        };
        return crate::bench::instructions(&target_dir, baseline.as_deref());
    }
    if args.first().map(String::as_str) == Some("--only") {
        // One end-to-end section, without criterion's long run first.
        let [_, section] = args else {
            return Err("`bench --only` takes one section name".to_owned());
        };
        return crate::bench::run_all(&target_dir, Vec::new(), Some(section));
    }
    let mut cmd = cargo(&["bench", "--workspace", "--locked"]);
    if !args.is_empty() {
        cmd.arg("--").args(args);
    }
    run("criterion benches", cmd)?;
    let criterion_dir = target_dir.join("criterion");
    let criterion_rows = crate::bench::criterion_rows(&criterion_dir);
    if criterion_rows.is_empty() {
        eprintln!(
            "xtask bench: no criterion figures under {}",
            criterion_dir.display()
        );
    }
    crate::bench::run_all(&target_dir, criterion_rows, None)
}
