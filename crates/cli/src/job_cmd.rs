//! `tcdn flush` and `tcdn push`: the job from the options, the input read
//! and validated, then a dry run ([`crate::dry_run`]) or a submission
//! ([`crate::submit`]).

use std::io::{self, Write};
use std::num::NonZeroUsize;
use std::path::Path;

use tcdn::model::v3::{FlushType, Headers, HttpHeader, Layer, PushOptions, UserAgent};
use tcdn::{Areas, Job, Operation};

use crate::args::{
    ApiArg, ClientOptions, FlushArgs, FlushTypeArg, OutputArg, ProductArg, PushArgs,
    PushOptionsArgs, SubmitArgs, TargetArgs,
};
use crate::dry_run::{bulk_stdout, dry_run};
use crate::exit::{CliError, ExitStatus};
use crate::input::{Collected, Collector, Origin};
use crate::output;
use crate::setup::{Setup, dry_run_runtime, runtime};

/// `tcdn flush`.
pub fn run_flush(global: ClientOptions, args: FlushArgs) -> Result<ExitStatus, CliError> {
    if args.flush_type.is_some() && !(args.dir || args.host || args.all) {
        return Err(CliError::usage(
            "--flush-type is the method of --dir, --host or --all: add one of them",
        ));
    }
    if !args.tag_domain.is_empty() && !args.cache_tag {
        return Err(CliError::usage(
            "--tag-domain names where --cache-tag's tags are purged: add --cache-tag",
        ));
    }
    if args.host || args.cache_tag || args.all {
        return crate::edgeone_targets::run(&global, &args);
    }
    let operation = if args.dir {
        Operation::FlushDirs
    } else {
        Operation::FlushUrls
    };
    let flush_type = match args.flush_type {
        None => None,
        Some(FlushTypeArg::Flush) => Some(FlushType::Flush),
        Some(FlushTypeArg::Delete) => Some(FlushType::Delete),
    };
    let mut job = Job::new(operation);
    if let Some(flush_type) = flush_type {
        if global.api == ApiArg::V2 && flush_type != FlushType::Flush {
            return Err(v3_only("--flush-type delete"));
        }
        job = job.flush_type(flush_type);
    }
    let dir = args.dir;
    run(&global, job, args.target, &args.submit, dir)
}

/// `tcdn push`.
pub fn run_push(global: ClientOptions, args: PushArgs) -> Result<ExitStatus, CliError> {
    if args.dir {
        return Err(CliError::usage(
            "push --dir: directories can only be flushed (tcdn flush --dir); push takes URLs",
        ));
    }
    let options = push_options(&args.options)?;
    if global.product == ProductArg::Edgeone {
        let lacks = [
            (args.options.user_agent.is_some(), "--user-agent"),
            (args.options.layer.is_some(), "--layer"),
            (args.options.disable_range, "--disable-range"),
        ];
        if let Some((_, option)) = lacks.iter().find(|(given, _)| *given) {
            return Err(edgeone_lacks(option));
        }
    }
    if global.api == ApiArg::V2 && options != PushOptions::default() {
        return Err(v3_only(
            "push options (--user-agent, --layer, --parse-m3u8, --disable-range, --header)",
        ));
    }
    let job = Job::new(Operation::PushUrls).push_options(options);
    run(&global, job, args.target, &args.submit, false)
}

fn edgeone_lacks(option: &str) -> CliError {
    CliError::usage(format!(
        "{option}: EdgeOne has no such option; leave it out with --product edgeone"
    ))
}

fn v3_only(what: &str) -> CliError {
    CliError::usage(format!(
        "{what}: API 3.0 only; leave out --api v2 (or TCDN_API=v2)"
    ))
}

/// The push options, validated.
fn push_options(args: &PushOptionsArgs) -> Result<PushOptions, CliError> {
    let invalid =
        |flag: &str, err: tcdn::model::ModelError| CliError::usage(format!("{flag}: {err}"));
    let user_agent = args
        .user_agent
        .as_deref()
        .map(UserAgent::new)
        .transpose()
        .map_err(|e| invalid("--user-agent", e))?;
    let headers = args
        .headers
        .iter()
        .map(|text| {
            let (name, value) = text.split_once(':').ok_or_else(|| {
                CliError::usage(format!("--header {text:?}: write it as 'Name: Value'"))
            })?;
            HttpHeader::new(name.trim(), value.trim()).map_err(|e| invalid("--header", e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PushOptions {
        user_agent,
        layer: args.layer.map(|_| Layer::Middle),
        parse_m3u8: args.parse_m3u8,
        disable_range: args.disable_range,
        headers: Headers::new(headers).map_err(|e| invalid("--header", e))?,
        ..PushOptions::default()
    })
}

/// Checks the target against the API, reads and validates the input, then
/// dry-runs or submits `job` for it.
fn run(
    global: &ClientOptions,
    job: Job,
    target: TargetArgs,
    submit: &SubmitArgs,
    dir: bool,
) -> Result<ExitStatus, CliError> {
    let v2 = global.api == ApiArg::V2;
    let edgeone = global.product == ProductArg::Edgeone;
    if edgeone {
        if v2 {
            return Err(edgeone_lacks("--api v2 (EdgeOne speaks API 3.0 only)"));
        }
        if target.mainland || target.oversea {
            return Err(edgeone_lacks(
                "--mainland/--oversea (a zone's purge has no area)",
            ));
        }
        if target.url_encode {
            return Err(edgeone_lacks("--url-encode"));
        }
    }
    let areas = match Areas::from_flags(target.mainland, target.oversea) {
        Ok(areas) => Some(areas),
        Err(_) if v2 => {
            return Err(CliError::usage(
                "choose where to submit: --mainland (mainland China), --oversea (outside it), \
                 or both (API 2.0 needs one)",
            ));
        }
        Err(_) => None,
    };
    if v2 && target.url_encode {
        return Err(v3_only("--url-encode"));
    }
    if v2 && submit.wait {
        return Err(v3_only("--wait (API 2.0 cannot look tasks up)"));
    }
    let mut job = job.with_areas(areas).url_encode(target.url_encode);
    let collected = collect_input(&target, dir)?;
    if collected.invalid > 0 {
        for problem in &collected.problems {
            eprintln!("tcdn: {problem}");
        }
        if collected.not_kept() > 0 {
            eprintln!(
                "tcdn: ... and {} more invalid input value(s) not shown",
                collected.not_kept()
            );
        }
        return Err(CliError::input(format!(
            "{} invalid input value(s); nothing was sent",
            collected.invalid
        ))
        .with_problems(collected.problems));
    }
    if collected.urls.is_empty() {
        if target.allow_empty {
            return nothing_sent(global, job.operation(), areas);
        }
        return Err(CliError::input(
            "no URLs given: pass them as arguments, or one per line with --from-file PATH (or - \
             for stdin); --allow-empty makes an empty input a success that sends nothing",
        ));
    }
    if collected.urls.duplicates() > 0 {
        tracing::info!(
            duplicates = collected.urls.duplicates(),
            "repeated input URLs dropped; the first of each was kept"
        );
    }

    let runtime = if global.dry_run {
        dry_run_runtime()?
    } else {
        runtime()?
    };
    let setup = Setup::new(global, &runtime)?;
    if let Some(zone) = &setup.zone {
        job = job.zone(zone.clone());
    }
    let batch_size = global
        .batch_size
        .and_then(|n| NonZeroUsize::new(n as usize));
    if global.dry_run && edgeone && setup.zone.is_none() {
        return Err(CliError::usage(
            "--dry-run with --product edgeone needs --zone: finding each URL's zone \
             takes a call (DescribeZones)",
        ));
    }
    if global.dry_run {
        let client = setup.dry_run_client(global, batch_size)?;
        let mut stdout = io::stdout().lock();
        let mut out = bulk_stdout(&mut stdout);
        return dry_run(&mut out, global.output, &client, &job, &collected);
    }
    let submission = crate::submit::Submission {
        global,
        runtime: &runtime,
        setup: &setup,
        areas,
        batch_size,
        wait: submit.wait,
        wait_timeout: submit.wait_timeout,
        force: submit.force,
    };
    submission.submit(job.check_domains(submit.check_domains.into()), collected)
}

/// `--allow-empty` with no URL: nothing is sent, and the report says so
/// (an empty JSON report, or one line of text). A dry run prints nothing.
fn nothing_sent(
    global: &ClientOptions,
    operation: Operation,
    areas: Option<Areas>,
) -> Result<ExitStatus, CliError> {
    let mut stdout = io::stdout().lock();
    let written = match (global.dry_run, global.output) {
        (true, _) => Ok(()),
        (false, OutputArg::Json) => output::report(
            &mut stdout,
            global.output,
            operation,
            output::Place::Areas(areas),
            &tcdn::Report::default(),
        ),
        (false, OutputArg::Text) => writeln!(
            stdout,
            "{}: no URLs in the input; nothing was sent (--allow-empty)",
            output::verb(operation)
        ),
    };
    written
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::output(&e))?;
    Ok(ExitStatus::Success)
}

fn collect_input(target: &TargetArgs, dir: bool) -> Result<Collected, CliError> {
    let join = target
        .base_url
        .as_deref()
        .map(|base| crate::input::PathJoin::new(base, target.strip_prefix.as_deref(), dir))
        .transpose()
        .map_err(CliError::usage)?;
    let mut collector = Collector::with_join(join);
    for (index, url) in target.urls.iter().enumerate() {
        collector.push(url, || Origin::Argument(index + 1));
    }
    if let Some(path) = &target.from_file {
        if path == Path::new("-") {
            collector
                .read_lines("stdin", io::stdin().lock())
                .map_err(|e| CliError::input(format!("could not read stdin: {e}")))?;
        } else {
            collector
                .read_file(&path.display().to_string(), path)
                .map_err(|e| CliError::input(format!("--from-file {}: {e}", path.display())))?;
        }
    }
    Ok(collector.finish())
}
