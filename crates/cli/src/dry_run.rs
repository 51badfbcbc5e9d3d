//! `--dry-run` for `tcdn flush` and `tcdn push`: every request signed and
//! printed in plan order, nothing sent, under either API of the CDN or on
//! EdgeOne (its purges of hosts, cache tags or a zone too); a large input is
//! signed and rendered on several threads.

use std::io::{self, Write};

use tcdn::model::teo::{PurgeTargets, ZoneId};
use tcdn::{Client, Job};

use crate::args::OutputArg;
use crate::exit::{CliError, ExitStatus};
use crate::input::Collected;
use crate::output;

/// Signs and prints every request of `job` over the input, in plan order,
/// under either API or, for EdgeOne, in the job's zone; sends nothing. A
/// URL too long for any request, or a request that cannot be signed, is
/// reported on stderr and makes the exit status 1. API 3.0's directories are planned with the default batch
/// (100), EdgeOne's calls with the model's default: no quota is read.
///
/// A large input is signed and rendered on several threads
/// ([`crate::ordered`]); the timestamps and nonces are still drawn here, in
/// plan order, as [`Client::sign_plan`] yields the requests, and the
/// requests printed in that order, so the output is the same at any thread
/// count.
pub(crate) fn dry_run(
    out: &mut impl Write,
    format: OutputArg,
    client: &Client,
    job: &Job,
    collected: &Collected,
) -> Result<ExitStatus, CliError> {
    let threads = crate::ordered::threads_for(collected.urls.len(), PARALLEL_DRY_RUN_URLS);
    // Planned and stamped here, in order; each request is signed and
    // written on a worker straight from the input's list.
    let plan = client
        .sign_plan(job, &collected.urls)
        .map_err(|e| CliError::usage(e.to_string()))?;
    let mut failed = 0usize;
    crate::ordered::map_in_order(
        plan,
        threads,
        |planned| {
            planned.map(|planned| {
                planned.sign().map(|request| {
                    if format == OutputArg::Json {
                        return Ok(output::dry_run_json(&request));
                    }
                    let mut text = Vec::new();
                    output::dry_run_request(&mut text, format, &request).map(|()| text)
                })
            })
        },
        |rendered| match rendered {
            Ok(Ok(text)) => out.write_all(&text?),
            Ok(Err(error)) => {
                failed += 1;
                eprintln!("tcdn: {error}");
                Ok(())
            }
            Err(too_large) => {
                failed += 1;
                eprintln!("tcdn: {}: {too_large}", too_large.url);
                Ok(())
            }
        },
    )
    .and_then(|()| out.flush())
    .map_err(|e| CliError::output(&e))?;
    Ok(if failed == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::SomeFailed
    })
}

/// Signs and prints the EdgeOne `CreatePurgeTask` calls of a purge of
/// hosts, cache tags or a whole zone in `zone`, in order; sends nothing.
/// The calls carry the model's default batch: the zone's quota is not
/// read.
pub(crate) fn dry_run_targets(
    out: &mut impl Write,
    format: OutputArg,
    client: &Client,
    zone: &ZoneId,
    targets: PurgeTargets,
) -> Result<ExitStatus, CliError> {
    let plan = client
        .sign_targets_plan(zone, targets)
        .map_err(|e| CliError::usage(e.to_string()))?;
    let mut failed = 0usize;
    let write = || -> io::Result<()> {
        for signed in plan {
            match signed {
                Ok(request) => output::dry_run_request(out, format, &request)?,
                Err(error) => {
                    failed += 1;
                    eprintln!("tcdn: {error}");
                }
            }
        }
        out.flush()
    };
    write().map_err(|e| CliError::output(&e))?;
    Ok(if failed == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::SomeFailed
    })
}

/// Stdout for a dry run's bulk output, which is written in whole batches
/// (tens of kilobytes each): a handle of its own on the same descriptor,
/// so the batches reach it without `Stdout`'s line buffering searching each
/// one for its last newline. Where there is no descriptor to share (stdout
/// closed, or not Unix), the locked `stdout` itself.
pub(crate) fn bulk_stdout<'a>(stdout: &'a mut io::StdoutLock<'static>) -> Box<dyn Write + 'a> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        // Nothing is buffered yet, but flushing first keeps the order true
        // whatever is printed before.
        if stdout.flush().is_ok()
            && let Ok(fd) = stdout.as_fd().try_clone_to_owned()
        {
            return Box::new(std::fs::File::from(fd));
        }
    }
    Box::new(stdout)
}

/// From this many distinct URLs on, a dry run signs on several threads.
const PARALLEL_DRY_RUN_URLS: usize = 10_000;
