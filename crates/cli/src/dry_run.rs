//! `--dry-run` for `tcdn flush` and `tcdn push`: every request signed and
//! printed in plan order, nothing sent; a large input is signed and rendered
//! on several threads.

use std::io::{self, Write};

use tcdn::{Client, Job};

use crate::args::OutputArg;
use crate::exit::{CliError, ExitStatus};
use crate::input::Collected;
use crate::output;

/// Signs and prints every request of `job` over the input, in plan order,
/// under either API; sends nothing. A URL too long for any request, or a
/// request that cannot be signed, is reported on stderr and makes the exit
/// status 1. API 3.0's directories are planned with the default batch
/// (100): the quota is not read.
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
