//! `tcdn flush --product edgeone` of targets that are not URLs: `--host`
//! (hostnames), `--cache-tag` (tags, in `--zone`) and `--all` (all of
//! `--zone`, confirmed by `--yes`); the report in the shapes of a URL
//! report, each target where a URL stands (`*` for all); `--dry-run` prints
//! the signed calls instead.

use std::io::{self, Write};
use std::num::NonZeroUsize;
use std::path::Path;
use std::time::Duration;

use tcdn::edgeone::TargetReport;
use tcdn::model::teo::{CacheTag, Hostname, Method, PurgeTargets};
use tcdn::printable;

use crate::args::{ClientOptions, FlushArgs, FlushTypeArg, OutputArg, ProductArg, TargetArgs};
use crate::exit::{CliError, ExitStatus};
use crate::input::{Origin, Problem, read_values};
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
        (target.base_url.is_some(), "--base-url"),
        (target.mainland || target.oversea, "--mainland/--oversea"),
        (target.url_encode, "--url-encode"),
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
    let targets = if args.all {
        if !target.urls.is_empty() || target.from_file.is_some() {
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
        if args.cache_tag && global.zone.is_none() {
            return Err(CliError::usage(
                "--cache-tag needs the zone of the tags (--zone)",
            ));
        }
        let inputs = inputs(target)?;
        if inputs.is_empty() {
            return Err(CliError::input(format!(
                "{switch} needs at least one input: give them as arguments, or one per line \
                 with --from-file PATH (or - for stdin)"
            )));
        }
        if args.host {
            PurgeTargets::Hosts(
                dedup(checked(inputs, Hostname::new)?, Hostname::as_str),
                method,
            )
        } else {
            let domains = args
                .tag_domain
                .iter()
                .map(|h| {
                    Hostname::new(h).map_err(|e| CliError::usage(format!("--tag-domain: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            PurgeTargets::CacheTags {
                tags: dedup(checked(inputs, CacheTag::new)?, CacheTag::as_str),
                domains: dedup(domains, Hostname::as_str),
            }
        }
    };
    let runtime = runtime()?;
    let setup = Setup::new(global, &runtime)?;
    let batch_size = global
        .batch_size
        .and_then(|n| NonZeroUsize::new(n as usize));
    if global.dry_run {
        let Some(zone) = &setup.zone else {
            return Err(CliError::usage(
                "--dry-run of --host needs --zone: finding each host's zone takes a call \
                 (DescribeZones)",
            ));
        };
        let client = setup.dry_run_client(global, batch_size)?;
        let mut stdout = io::stdout().lock();
        return crate::dry_run::dry_run_targets(&mut stdout, global.output, &client, zone, targets);
    }
    let client = setup.client(global, batch_size)?;
    let interrupts = crate::signals::Interrupts::watch(&runtime);
    let mut report = runtime.block_on(client.purge_edgeone_targets_until(
        setup.zone.as_ref(),
        targets,
        interrupts.cancel(),
    ));
    let submit = &args.submit;
    let summary = (submit.wait && !report.tasks.is_empty() && interrupts.received().is_none())
        .then(|| {
            let timeout = Duration::from_secs(submit.wait_timeout);
            runtime.block_on(client.wait_targets(
                &mut report,
                timeout,
                interrupts.cancel(),
                |_, _| {},
            ))
        });
    let mut stdout = io::stdout().lock();
    write_report(&mut stdout, global.output, &report)
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::output(&e))?;
    Ok(if let Some(signal) = interrupts.received() {
        ExitStatus::Interrupted(signal)
    } else if report.is_success() {
        ExitStatus::Success
    } else if summary.is_some_and(|s| report.only_still_running(&s)) {
        ExitStatus::StillRunning
    } else {
        ExitStatus::SomeFailed
    })
}

/// The inputs: the arguments, then `--from-file`'s lines, each with where
/// it came from.
fn inputs(target: &TargetArgs) -> Result<Vec<(Origin, String)>, CliError> {
    let mut inputs: Vec<(Origin, String)> = target
        .urls
        .iter()
        .enumerate()
        .map(|(i, value)| (Origin::Argument(i + 1), value.clone()))
        .collect();
    let mut problems = Vec::new();
    if let Some(path) = &target.from_file {
        let (values, unread) = if path == Path::new("-") {
            read_values("stdin", io::stdin().lock())
                .map_err(|e| CliError::input(format!("could not read stdin: {e}")))?
        } else {
            let shown = path.display().to_string();
            let file = std::fs::File::open(path)
                .map_err(|e| CliError::input(format!("--from-file {shown}: {e}")))?;
            read_values(&shown, io::BufReader::new(file))
                .map_err(|e| CliError::input(format!("--from-file {shown}: {e}")))?
        };
        inputs.extend(values);
        problems = unread;
    }
    refuse(problems)?;
    Ok(inputs)
}

/// Each input checked by `check`; any refused is an input error naming
/// each refused value and where it came from.
fn checked<T, E: std::fmt::Display>(
    inputs: Vec<(Origin, String)>,
    check: fn(&str) -> Result<T, E>,
) -> Result<Vec<T>, CliError> {
    let mut problems = Vec::new();
    let mut items = Vec::new();
    for (origin, value) in inputs {
        match check(&value) {
            Ok(item) => items.push(item),
            Err(e) => problems.push(Problem {
                origin,
                reason: e.to_string(),
                value: Some(value),
            }),
        }
    }
    refuse(problems)?;
    Ok(items)
}

/// Nothing is sent when an input was refused: each is shown, and the
/// error carries them all.
fn refuse(problems: Vec<Problem>) -> Result<(), CliError> {
    if problems.is_empty() {
        return Ok(());
    }
    for problem in &problems {
        eprintln!("tcdn: {problem}");
    }
    Err(CliError::input(format!(
        "{} invalid input value(s); nothing was sent",
        problems.len()
    ))
    .with_problems(problems))
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
                _ if failure.status.is_some() => {
                    format!("status {}", failure.status.as_deref().unwrap_or_default())
                }
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
