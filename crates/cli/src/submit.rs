//! `tcdn flush` and `tcdn push`: read and validate input, then sign and
//! print (`--dry-run`) or send, and report every URL's outcome.

use std::io::{self, Write};
use std::num::NonZeroUsize;
use std::path::Path;
use std::time::Duration;

use tcdn::model::v3::{FlushType, Headers, HttpHeader, Layer, PushOptions, UserAgent};
use tcdn::v2::RequestBuilder;
use tcdn::v3::Signing;
use tcdn::{Api, Areas, Job, Operation, SignatureMethod};

use crate::args::{
    ApiArg, ClientOptions, FlushArgs, FlushTypeArg, OutputArg, PushArgs, PushOptionsArgs,
    SubmitArgs, TargetArgs,
};
use crate::dry_run::{bulk_stdout, dry_run, dry_run_v3};
use crate::exit::{CliError, ExitStatus};
use crate::input::{Collected, Collector, Origin};
use crate::output;
use crate::progress::{Pacing, progress_bar};
use crate::setup::{Setup, dry_run_runtime, runtime};

/// `tcdn flush`.
pub fn run_flush(global: ClientOptions, args: FlushArgs) -> Result<ExitStatus, CliError> {
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
    if global.api == ApiArg::V2 && options != PushOptions::default() {
        return Err(v3_only(
            "push options (--user-agent, --layer, --parse-m3u8, --disable-range, --header)",
        ));
    }
    let job = Job::new(Operation::PushUrls).push_options(options);
    run(&global, job, args.target, &args.submit, false)
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
fn run(
    global: &ClientOptions,
    job: Job,
    target: TargetArgs,
    submit: &SubmitArgs,
    dir: bool,
) -> Result<ExitStatus, CliError> {
    let v2 = global.api == ApiArg::V2;
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
    let batch_size = global
        .batch_size
        .and_then(|n| NonZeroUsize::new(n as usize));
    let operation = job.operation();

    let mut stdout = io::stdout().lock();
    if global.dry_run {
        let mut out = bulk_stdout(&mut stdout);
        let stdout = &mut out;
        let status = if setup.api == Api::V2 {
            {
                let builder = RequestBuilder::new(setup.credentials.peek())
                    .with_endpoint(setup.endpoint.clone())
                    .with_method(setup.method)
                    .with_signature_method(match setup.signing {
                        Signing::V1(method) => method,
                        Signing::Tc3 => SignatureMethod::HmacSha1,
                    });
                let areas = areas.unwrap_or(Areas::Both);
                dry_run(
                    stdout, global, &builder, operation, areas, collected, batch_size, &setup,
                )
            }
        } else {
            dry_run_v3(stdout, global, &setup, &job, collected, batch_size)
        };
        return status.map_err(|e| CliError::output(&e));
    }

    let url_count = collected.urls.len();
    let client = setup.client(global, batch_size)?;
    let interrupts = crate::signals::Interrupts::watch(&runtime);
    if setup.api == Api::V3 && !submit.force {
        // An interrupt during the check ends it at once: the submission
        // then starts already stopped and reports every URL not sent.
        let unchecked = job.clone();
        job = runtime.block_on(async {
            tokio::select! {
                checked = crate::queries::check_quota(&client, job, url_count, batch_size) => checked,
                () = interrupts.cancel().cancelled() => Ok(unchecked),
            }
        })?;
    }
    if setup.api == Api::V3 {
        job =
            crate::queries::check_domains(&runtime, &client, job, submit, url_count, &interrupts)?;
    }
    let per_call = job
        .max_per_call(setup.api)
        .min(batch_size.map_or(usize::MAX, NonZeroUsize::get));
    let pacing = Pacing::of(setup.api, global.rate_limit, per_call);
    let progress = progress_bar(url_count, per_call, "URLs", pacing);
    // The input was deduplicated while it was read: once is enough.
    let mut report = runtime.block_on(client.submit_job_until(
        &job,
        collected.urls,
        interrupts.cancel(),
        |batch| {
            if let Some(bar) = &progress {
                bar.inc(batch.url_count as u64);
            }
        },
    ));
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let summary = (submit.wait && !report.tasks.is_empty() && interrupts.received().is_none())
        .then(|| {
            crate::wait_cmd::wait_for_report(
                &runtime,
                &client,
                &mut report,
                Duration::from_secs(submit.wait_timeout),
                interrupts.cancel(),
            )
        });
    output::report(&mut stdout, global.output, operation, areas, &report)
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::output(&e))?;
    Ok(match interrupts.received() {
        Some(signal) => ExitStatus::Interrupted(signal),
        None => crate::wait_cmd::status_of(&report, summary.as_ref()),
    })
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
            areas,
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
