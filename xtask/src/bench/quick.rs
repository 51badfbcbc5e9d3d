//! `cargo xtask bench --quick`: the figures' ratios, loosely, in under a
//! minute on a warm build.

use std::path::Path;
use std::time::Instant;

use super::e2e::Bench;
use super::process::{
    LINEAR_TARGET, RSS_TARGET, Timed, V2_VS_SDK_TARGET, V3_VS_SDK_TARGET, alternate,
};
use super::report::table;
use super::sys::{TIME, load_average};
use crate::shell::{cargo, run};

/// How far from its target a ratio may drift before `--quick` fails: the
/// guard is for losing a target, not for a noisy run missing it narrowly.
pub(super) const QUICK_SLACK: f64 = 1.5;

/// `cargo xtask bench --quick`: the performance targets' ratios, each checked within
/// [`QUICK_SLACK`] of its target, in under a minute on a warm build: short
/// criterion runs of the signer (20 and 100 URLs), `prepare` and TC3, then
/// the dry run against the legacy SDK (if Python and the SDK are there), its
/// scaling from 100k to 1M URLs and its peak memory. Fails when a ratio is
/// lost.
pub(crate) fn quick(target_dir: &Path) -> Result<(), String> {
    let started = Instant::now();
    run(
        "build the release tcdn CLI",
        cargo(&["build", "--release", "--locked", "--package", "tcdn-cli"]),
    )?;
    let short = [
        "--warm-up-time",
        "0.2",
        "--measurement-time",
        "0.6",
        "--noplot",
    ];
    for (package, bench, filter) in [
        ("tcdn-sign", "sign", "^(sign|hmac)_sha1/(20|100)$"),
        ("tcdn-sign", "tc3", "^tc3_(sign|hash_floor)/20$"),
        ("tcdn", "prepare", "^(prepare|hmac)_post_sha1/20$"),
    ] {
        let mut cmd = cargo(&["bench", "--locked", "--package", package, "--bench", bench]);
        cmd.arg("--").args(short).arg(filter);
        run(&format!("criterion, short: {bench}"), cmd)?;
    }
    let criterion = target_dir.join("criterion");
    let mean = |group: &str, id: &str| {
        super::report::read_mean(&criterion, group, id)
            .ok_or_else(|| format!("no criterion figure for {group}/{id}"))
    };
    // (figure, ratio, target, whether a ratio above the target is good)
    let mut checks: Vec<(String, f64, f64, bool)> = Vec::new();
    // (figure, why): checks that could not run, shown in the table too.
    let mut skipped: Vec<(String, String)> = Vec::new();
    for (urls, target) in [("20", 1.5), ("100", 1.3)] {
        checks.push((
            format!("sign HmacSHA1, {urls} URLs / raw HMAC"),
            mean("sign_sha1", urls)? / mean("hmac_sha1", urls)?,
            target,
            false,
        ));
    }
    checks.push((
        "prepare, 20 URLs / raw HMAC of its string".to_owned(),
        mean("prepare_post_sha1", "20")? / mean("hmac_post_sha1", "20")?,
        3.2,
        false,
    ));
    checks.push((
        "TC3 sign, 20 URLs, reused key / hash floor".to_owned(),
        mean("tc3_sign", "20")? / mean("tc3_hash_floor", "20")?,
        1.5,
        false,
    ));

    let bench = Bench::new(target_dir)?;
    let (small, _) = bench.url_file(100_000)?;
    let (large, large_bytes) = bench.url_file(1_000_000)?;
    let (one, _) = bench.url_file(1)?;
    let at_one = Timed::tcdn(&bench.tcdn, &one, None);
    let at_small = Timed::tcdn(&bench.tcdn, &small, None);
    let at_large = Timed::tcdn(&bench.tcdn, &large, None);
    let [fixed, small_time, large_time] = alternate(&[&at_one, &at_small, &at_large], 2)?[..]
    else {
        unreachable!("three commands, three times")
    };
    // Less the 1-URL run's time, the process's fixed cost.
    let per_url =
        |time: std::time::Duration, urls: f64| time.saturating_sub(fixed).as_secs_f64() / urls;
    checks.push((
        "dry run, time per URL at 1M / at 100k (less the 1-URL run)".to_owned(),
        per_url(large_time, 1e6) / per_url(small_time, 1e5),
        LINEAR_TARGET,
        false,
    ));
    if Path::new(TIME).exists() {
        let (tiny, _) = bench.url_file(1)?;
        let baseline = bench.timed_dry_run(&tiny)?.peak_rss;
        let peak = bench.timed_dry_run(&large)?.peak_rss;
        checks.push((
            "dry run, 1M URLs: peak RSS beyond the baseline / input".to_owned(),
            peak.saturating_sub(baseline) as f64 / large_bytes as f64,
            RSS_TARGET,
            false,
        ));
    } else {
        skipped.push((
            "dry run, 1M URLs: peak RSS".to_owned(),
            format!("{TIME} is missing"),
        ));
    }
    match super::process::python_with_sdks(target_dir) {
        Ok(python) => {
            let legacy =
                super::process::script(&python, "legacy_v2_dry_run.py", "legacy v2 SDK", &small);
            let [ours, theirs] = alternate(&[&at_small, &legacy], 3)?[..] else {
                unreachable!("two commands, two times")
            };
            checks.push((
                "dry run, 100k URLs: legacy v2 SDK / tcdn (processes)".to_owned(),
                theirs.as_secs_f64() / ours.as_secs_f64(),
                V2_VS_SDK_TARGET,
                true,
            ));
            if let Some(args) = super::process::v3_dry_run_args(&bench.tcdn) {
                let mut v3 = at_small.clone();
                v3.args = args;
                v3.args.push("--from-file".to_owned());
                v3.args.push(small.display().to_string());
                let official =
                    super::process::script(&python, "tc3_sdk_dry_run.py", "API 3.0 SDK", &small);
                let [ours, theirs] = alternate(&[&v3, &official], 3)?[..] else {
                    unreachable!("two commands, two times")
                };
                checks.push((
                    "dry run, 100k URLs: API 3.0 SDK / tcdn (processes)".to_owned(),
                    theirs.as_secs_f64() / ours.as_secs_f64(),
                    V3_VS_SDK_TARGET,
                    true,
                ));
            } else {
                skipped.push((
                    "dry run, 100k URLs: API 3.0 SDK / tcdn".to_owned(),
                    "this tcdn has no API 3.0 dry run".to_owned(),
                ));
            }
        }
        Err(why) => skipped.push(("dry run vs Tencent's Python SDKs".to_owned(), why)),
    }

    let mut rows = Vec::new();
    let mut lost = Vec::new();
    for (figure, ratio, target, higher_is_better) in &checks {
        let (met, loose_met, target_text) = if *higher_is_better {
            (
                ratio >= target,
                *ratio >= target / QUICK_SLACK,
                format!("≥ {target}× (guard ≥ {:.2}×)", target / QUICK_SLACK),
            )
        } else {
            (
                ratio <= target,
                *ratio <= target * QUICK_SLACK,
                format!("≤ {target}× (guard ≤ {:.2}×)", target * QUICK_SLACK),
            )
        };
        let verdict = match (met, loose_met) {
            (true, _) => "ok",
            (false, true) => "near",
            (false, false) => "LOST",
        };
        if !loose_met {
            lost.push(figure.clone());
        }
        rows.push([
            figure.clone(),
            String::new(),
            String::new(),
            format!("{ratio:.2}×"),
            target_text,
            verdict.to_owned(),
        ]);
    }
    for (figure, why) in &skipped {
        eprintln!("xtask bench --quick: skipped: {figure}: {why}");
        rows.push([
            figure.clone(),
            why.clone(),
            String::new(),
            String::new(),
            String::new(),
            "skipped".to_owned(),
        ]);
    }
    println!("\ntcdn bench --quick (the targets' ratios; \"near\": missed but within the guard)\n");
    print!("{}", table(&rows));
    println!(
        "\n{:.0} s, load average {}",
        started.elapsed().as_secs_f64(),
        load_average()
    );
    if lost.is_empty() {
        Ok(())
    } else {
        Err(format!("ratios lost: {}", lost.join("; ")))
    }
}
