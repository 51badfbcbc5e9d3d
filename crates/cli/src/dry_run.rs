//! `--dry-run` for `tcdn flush` and `tcdn push`: every request signed and
//! printed in plan order, nothing sent; a large input is signed and rendered
//! on several threads.

use std::io::{self, Write};
use std::num::NonZeroUsize;

use tcdn::model::teo::ZoneId;
use tcdn::v2::RequestBuilder;
use tcdn::{Areas, Job, Operation};

use crate::args::{ClientOptions, OutputArg};
use crate::exit::ExitStatus;
use crate::input::Collected;
use crate::output;
use crate::setup::Setup;

/// Signs and prints every API 3.0 request; sends nothing. Directories are
/// planned with the default batch (100): the quota is not read.
///
/// Like [`dry_run`], a large input is signed and rendered on several
/// threads, with the timestamps and nonces drawn here in plan order.
pub(crate) fn dry_run_v3(
    out: &mut impl Write,
    global: &ClientOptions,
    setup: &Setup,
    job: &Job,
    collected: Collected,
    batch_size: Option<NonZeroUsize>,
) -> io::Result<ExitStatus> {
    let builder = setup.v3_builder();
    let threads = crate::ordered::threads_for(collected.urls.len(), PARALLEL_DRY_RUN_URLS);
    // Planned here, in order, with the stamps; each call is signed and
    // written on a worker straight from the input's list.
    let jobs = builder
        .plan_borrowed(job, &collected.urls, batch_size)
        .map(|item| {
            item.map(|call| {
                let (timestamp, nonce) = setup.stamp(global);
                (call, timestamp, nonce)
            })
        });
    let format = global.output;
    let mut failed = 0usize;
    crate::ordered::map_in_order(
        jobs,
        threads,
        |job| {
            job.map(|(call, timestamp, nonce)| {
                builder
                    .prepare_call(&call, timestamp, nonce)
                    .map(|prepared| {
                        if format == OutputArg::Json {
                            return Ok(output::dry_run_v3_json(&prepared));
                        }
                        let mut text = Vec::new();
                        output::dry_run_v3_request(&mut text, format, &prepared).map(|()| text)
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
    )?;
    out.flush()?;
    Ok(if failed == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::SomeFailed
    })
}

/// Signs and prints every EdgeOne request of `zone`; sends nothing. The
/// calls carry the default batch (or `--batch-size`): the zone's quota is
/// not read.
pub(crate) fn dry_run_edgeone(
    out: &mut impl Write,
    global: &ClientOptions,
    setup: &Setup,
    job: &Job,
    zone: &ZoneId,
    collected: Collected,
    batch_size: Option<NonZeroUsize>,
) -> io::Result<ExitStatus> {
    let builder = setup.edgeone_builder();
    let mut failed = 0usize;
    for call in builder.plan(job, zone, collected.urls, batch_size) {
        let prepared = match call {
            Ok(request) => {
                let (timestamp, _) = setup.stamp(global);
                builder.prepare(&request, timestamp)
            }
            Err(too_large) => {
                failed += 1;
                eprintln!("tcdn: {}: {too_large}", too_large.url);
                continue;
            }
        };
        match prepared {
            Ok(prepared) if global.output == OutputArg::Json => {
                out.write_all(&output::dry_run_v3_json(&prepared))?;
            }
            Ok(prepared) => output::dry_run_v3_request(out, global.output, &prepared)?,
            Err(error) => {
                failed += 1;
                eprintln!("tcdn: {error}");
            }
        }
    }
    out.flush()?;
    Ok(if failed == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::SomeFailed
    })
}

/// Signs and prints every request; sends nothing. A URL too long for any
/// request is reported on stderr and makes the exit status 1.
///
/// A large input is signed and rendered on several threads
/// ([`crate::ordered`]); the timestamps and nonces are still drawn here, in
/// plan order, and the requests printed in that order, so the output is the
/// same at any thread count.
#[allow(clippy::too_many_arguments)]
pub(crate) fn dry_run(
    out: &mut impl Write,
    global: &ClientOptions,
    builder: &RequestBuilder,
    operation: Operation,
    areas: Areas,
    collected: Collected,
    batch_size: Option<NonZeroUsize>,
    setup: &Setup,
) -> io::Result<ExitStatus> {
    let threads = crate::ordered::threads_for(collected.urls.len(), PARALLEL_DRY_RUN_URLS);
    // Planned here, in order, with the stamps; each batch is signed and
    // written on a worker straight from the input's list.
    let jobs = builder
        .plan_borrowed(operation, areas, &collected.urls, batch_size)
        .map(|item| {
            item.map(|batch| {
                let (timestamp, nonce) = setup.stamp(global);
                (batch, timestamp, nonce)
            })
        });
    let format = global.output;
    let mut unsendable = 0usize;
    crate::ordered::map_in_order(
        jobs,
        threads,
        |job| {
            job.map(|(batch, timestamp, nonce)| {
                let request = builder.prepare_batch(&batch, timestamp, nonce);
                if format == OutputArg::Json {
                    return Ok(output::dry_run_json(&request));
                }
                let mut text = Vec::new();
                output::dry_run_request(&mut text, format, &request).map(|()| text)
            })
        },
        |rendered| match rendered {
            Ok(text) => out.write_all(&text?),
            Err(too_large) => {
                unsendable += 1;
                eprintln!("tcdn: {}: {too_large}", too_large.url);
                Ok(())
            }
        },
    )?;
    out.flush()?;
    Ok(if unsendable == 0 {
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
