//! `tcdn flush --product edgeone` of targets that are not URLs: `--host`
//! (hostnames), `--cache-tag` (tags, in `--zone`) and `--all` (all of
//! `--zone`, confirmed by `--yes`); the report in the shapes of a URL
//! report, each target where a URL stands (`*` for all); `--dry-run` prints
//! the signed calls instead.

use std::io::{self, Write};

use tcdn::edgeone::TargetReport;
use tcdn::model::teo::{CacheTag, Hostname, Method, PurgeTargets};
use tcdn::printable;

use crate::args::{ClientOptions, FlushArgs, FlushTypeArg, OutputArg, ProductArg};
use crate::exit::{CliError, ExitStatus};
use crate::output::{task_line, write_versioned};
use crate::setup::{Setup, runtime};

/// `tcdn flush --host|--cache-tag|--all`.
pub fn run(global: &ClientOptions, args: &FlushArgs) -> Result<ExitStatus, CliError> {
    let switch = if args.host {
        "--host"
    } else if args.cache_tag {
        "--cache-tag"
    } else {
        "--all"
    };
    if global.product != ProductArg::Edgeone {
        return Err(CliError::usage(format!(
            "{switch} is EdgeOne's: add --product edgeone (or TCDN_PRODUCT=edgeone)"
        )));
    }
    let target = &args.target;
    let url_options = [
        (target.from_file.is_some(), "--from-file"),
        (target.base_url.is_some(), "--base-url"),
        (target.mainland || target.oversea, "--mainland/--oversea"),
        (target.url_encode, "--url-encode"),
        (args.submit.wait, "--wait"),
    ];
    if let Some((_, option)) = url_options.iter().find(|(given, _)| *given) {
        return Err(CliError::usage(format!(
            "{option} cannot be used with {switch}: give the targets as arguments"
        )));
    }
    let method = match args.flush_type {
        Some(FlushTypeArg::Delete) => Method::Delete,
        Some(FlushTypeArg::Flush) | None => Method::Invalidate,
    };
    let inputs = &target.urls;
    let targets = if args.all {
        if !inputs.is_empty() {
            return Err(CliError::usage(
                "--all takes no inputs: it purges all of --zone",
            ));
        }
        if global.zone.is_none() || !args.yes {
            return Err(CliError::usage(
                "--all purges all of a zone's cache: give the zone with --zone and confirm with --yes",
            ));
        }
        PurgeTargets::All(method)
    } else {
        if inputs.is_empty() {
            return Err(CliError::usage(format!(
                "{switch} needs at least one input"
            )));
        }
        if args.host {
            let hosts = inputs
                .iter()
                .map(|h| Hostname::new(h).map_err(|e| CliError::input(format!("{h:?}: {e}"))))
                .collect::<Result<Vec<_>, _>>()?;
            PurgeTargets::Hosts(dedup(hosts, Hostname::as_str), method)
        } else {
            if global.zone.is_none() {
                return Err(CliError::usage(
                    "--cache-tag needs the zone of the tags (--zone)",
                ));
            }
            let tags = inputs
                .iter()
                .map(|t| CacheTag::new(t).map_err(|e| CliError::input(format!("{t:?}: {e}"))))
                .collect::<Result<Vec<_>, _>>()?;
            PurgeTargets::CacheTags {
                tags: dedup(tags, CacheTag::as_str),
                domains: Vec::new(),
            }
        }
    };
    let runtime = runtime()?;
    let setup = Setup::new(global, &runtime)?;
    if global.dry_run {
        let Some(zone) = &setup.zone else {
            return Err(CliError::usage(
                "--dry-run of --host needs --zone: finding each host's zone takes a call \
                 (DescribeZones)",
            ));
        };
        let client = setup.dry_run_client(global, None)?;
        let mut stdout = io::stdout().lock();
        return crate::dry_run::dry_run_targets(&mut stdout, global.output, &client, zone, targets);
    }
    let client = setup.client(global, None)?;
    let report = runtime.block_on(client.purge_edgeone_targets(setup.zone.as_ref(), targets));
    let mut stdout = io::stdout().lock();
    write_report(&mut stdout, global.output, &report)
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::output(&e))?;
    Ok(if report.is_success() {
        ExitStatus::Success
    } else {
        ExitStatus::SomeFailed
    })
}

/// `items` without repeats (hosts compared without case), first kept.
fn dedup<T>(items: Vec<T>, text: fn(&T) -> &str) -> Vec<T> {
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .filter(|item| seen.insert(text(item).to_ascii_lowercase()))
        .collect()
}

/// Writes the report: the JSON of a URL report (targets in `"url"` and
/// `"urls"`), or its text.
fn write_report(out: &mut impl Write, format: OutputArg, report: &TargetReport) -> io::Result<()> {
    if format == OutputArg::Json {
        return write_versioned(out, report);
    }
    let ok = report.succeeded.len();
    let total = ok + report.failed.len();
    writeln!(
        out,
        "flush: {ok} of {total} target{} succeeded in their EdgeOne zones ({} request{})",
        if total == 1 { "" } else { "s" },
        report.requests,
        if report.requests == 1 { "" } else { "s" },
    )?;
    if !report.failed.is_empty() {
        writeln!(out, "FAILED {}:", report.failed.len())?;
        for failure in &report.failed {
            let label = match (&failure.error_code, failure.sent) {
                (Some(code), _) => code.clone(),
                (None, true) => "no answer".to_owned(),
                (None, false) => "not sent".to_owned(),
            };
            let unknown = if failure.maybe_applied {
                " (outcome unknown: may have been applied)"
            } else {
                ""
            };
            writeln!(
                out,
                "  {} ({}): {}{unknown}",
                printable(&failure.target),
                printable(&label),
                printable(&failure.message)
            )?;
        }
    }
    for task in &report.tasks {
        let count = task.targets.len();
        let noun = if count == 1 { "target" } else { "targets" };
        task_line(out, &task.task_id, task.action, count, noun)?;
    }
    Ok(())
}
