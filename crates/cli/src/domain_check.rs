//! `--check-domains`, after the quota check: before a submission of
//! several API 3.0 calls, the account's domains read (`DescribeDomains`),
//! so that the URLs of other hosts fail without a call.

use tcdn::{CheckDomains, Client, Job};

use crate::exit::CliError;
use crate::signals::Interrupts;

/// The job with the account's domains, or with no check (one call is
/// enough, `never`, or under `auto` a list that could not be read: the
/// library logs it at `-v`). An interrupt during the check ends it: the
/// submission then starts already stopped.
///
/// # Errors
/// Under `always`, a `DescribeDomains` refused or listing nothing (exit 2).
pub fn check_domains(
    runtime: &tokio::runtime::Runtime,
    client: &Client,
    job: Job,
    count: usize,
    interrupts: &Interrupts,
) -> Result<Job, CliError> {
    let checked = runtime.block_on(async {
        // Biased: after an interrupt during the quota check, no
        // `DescribeDomains` request starts.
        tokio::select! {
            biased;
            () = interrupts.cancel().cancelled() => Ok(None),
            checked = client.check_domains(&job, count) => checked,
        }
    });
    match checked {
        Ok(Some(domains)) => Ok(job.account_domains(domains)),
        Ok(None) => Ok(job.check_domains(CheckDomains::Never)),
        Err(error) => Err(CliError::config(error.to_string())),
    }
}
