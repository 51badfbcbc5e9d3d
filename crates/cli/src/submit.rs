//! A submission of `tcdn flush` or `tcdn push`: the quota checked, every
//! URL sent with a progress bar, the tasks waited on (`--wait`), and every
//! URL's outcome reported.

use std::io::{self, Write};
use std::num::NonZeroUsize;
use std::time::Duration;

use tcdn::{Api, Areas, Job};

use crate::args::ClientOptions;
use crate::exit::{CliError, ExitStatus};
use crate::input::Collected;
use crate::output;
use crate::progress::{Pacing, progress_bar};
use crate::setup::Setup;

/// What a submission needs beyond its job and URLs.
pub(crate) struct Submission<'a> {
    pub(crate) global: &'a ClientOptions,
    pub(crate) runtime: &'a tokio::runtime::Runtime,
    pub(crate) setup: &'a Setup,
    /// The areas asked for (`None`: the API's default).
    pub(crate) areas: Option<Areas>,
    pub(crate) batch_size: Option<NonZeroUsize>,
    /// `--wait`, `--wait-timeout` and `--force`.
    pub(crate) wait: bool,
    pub(crate) wait_timeout: u64,
    pub(crate) force: bool,
}

impl Submission<'_> {
    /// Sends `job` for the collected URLs and reports every URL's outcome.
    pub(crate) fn submit(self, mut job: Job, collected: Collected) -> Result<ExitStatus, CliError> {
        let Self {
            global,
            runtime,
            setup,
            areas,
            batch_size,
            ..
        } = self;
        let operation = job.operation();
        let mut stdout = io::stdout().lock();
        let url_count = collected.urls.len();
        let client = setup.client(global, batch_size)?;
        let interrupts = crate::signals::Interrupts::watch(runtime);
        // EdgeOne's quotas are per zone: the client reads each zone's
        // before its calls, and batches by it.
        if setup.api == Api::V3 && setup.product == tcdn::Product::Cdn && !self.force {
            // An interrupt during the check ends it at once: the submission
            // then starts already stopped and reports every URL not sent.
            let unchecked = job.clone();
            job = runtime.block_on(async {
                tokio::select! {
                    checked = crate::quota_check::check_quota(&client, job, url_count, batch_size) => checked,
                    () = interrupts.cancel().cancelled() => Ok(unchecked),
                }
            })?;
        }
        if setup.api == Api::V3 {
            job =
                crate::domain_check::check_domains(runtime, &client, job, url_count, &interrupts)?;
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
        let summary = (self.wait && !report.tasks.is_empty() && interrupts.received().is_none())
            .then(|| {
                crate::wait_cmd::wait_for_report(
                    runtime,
                    &client,
                    &mut report,
                    Duration::from_secs(self.wait_timeout),
                    interrupts.cancel(),
                )
            });
        let place = match setup.product {
            tcdn::Product::EdgeOne => output::Place::Zones,
            _ => output::Place::Areas(areas),
        };
        output::report(&mut stdout, global.output, operation, place, &report)
            .and_then(|()| stdout.flush())
            .map_err(|e| CliError::output(&e))?;
        Ok(match interrupts.received() {
            Some(signal) => ExitStatus::Interrupted(signal),
            None => crate::wait_cmd::status_of(&report, summary.as_ref()),
        })
    }
}
