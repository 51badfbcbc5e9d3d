//! The quota check before a submission of several API 3.0 calls: the
//! quota read, the per-call batch of directories taken from it, and a
//! submission refused that the chosen areas cannot hold.

use std::num::NonZeroUsize;

use tcdn::model::v3::Quota;
use tcdn::{Api, Areas, Client, Job, Operation};

use crate::exit::CliError;

/// The quota entries of `area` (`mainland`, `overseas`).
fn of_area<'a>(quotas: &'a [Quota], area: &str) -> Option<&'a Quota> {
    quotas.iter().find(|q| q.area == area)
}

/// Before a submission of several calls, reads the quota of its operation
/// and refuses (exit 2, naming the numbers) when the chosen areas cannot
/// hold it. Directories always read it, for the per-call `Batch`.
///
/// Which quota must hold it: a single area's own; a push to both areas
/// (`global`) spends both, so each must; a push to no area goes to
/// mainland, the API's default; a purge to both or no area goes to the
/// domain's own region, which the client does not know, so the check
/// refuses only when no area could hold it. A quota that cannot be read
/// (a sub-account without the permission, say) is warned about and the
/// submission goes on unchecked.
pub async fn check_quota(
    client: &Client,
    job: Job,
    count: usize,
    batch_size: Option<NonZeroUsize>,
) -> Result<Job, CliError> {
    let operation = job.operation();
    let per_call = job
        .max_per_call(Api::V3)
        .min(batch_size.map_or(usize::MAX, NonZeroUsize::get));
    let several = count > per_call;
    if !several && operation != Operation::FlushDirs {
        return Ok(job);
    }
    let (what, quotas) = match operation {
        Operation::FlushUrls => ("URL purge", client.purge_quota().await.map(|q| q.url_purge)),
        Operation::FlushDirs => (
            "directory purge",
            client.purge_quota().await.map(|q| q.path_purge),
        ),
        Operation::PushUrls => ("push", client.push_quota().await.map(|q| q.url_push)),
    };
    let quotas = match quotas {
        Ok(quotas) => quotas,
        Err(error) => {
            eprintln!(
                "tcdn: could not read the {what} quota ({error}); submitting without the check"
            );
            return Ok(job);
        }
    };
    let mut job = job;
    if operation == Operation::FlushDirs
        && let Some(batch) = quotas
            .iter()
            .filter_map(|q| usize::try_from(q.batch).ok().and_then(NonZeroUsize::new))
            .min()
    {
        job = job.path_batch(batch);
    }
    let several = count
        > job
            .max_per_call(Api::V3)
            .min(batch_size.map_or(usize::MAX, NonZeroUsize::get));
    if !several {
        return Ok(job);
    }
    let fits = |q: &Quota| usize::try_from(q.available).is_ok_and(|a| a >= count);
    let needed: Vec<&Quota> = match (operation, job.areas_given()) {
        (_, Some(Areas::Mainland)) => of_area(&quotas, "mainland").into_iter().collect(),
        (_, Some(Areas::Oversea)) => of_area(&quotas, "overseas").into_iter().collect(),
        (Operation::PushUrls, Some(Areas::Both)) => quotas.iter().collect(),
        (Operation::PushUrls, None) => of_area(&quotas, "mainland").into_iter().collect(),
        // The domain's own region: refuse only when no area could hold it.
        (_, _) => {
            if quotas.iter().any(fits) {
                Vec::new()
            } else {
                quotas.iter().collect()
            }
        }
    };
    let short: Vec<String> = needed
        .iter()
        .filter(|q| !fits(q))
        .map(|q| format!("{} available of {} in {}", q.available, q.total, q.area))
        .collect();
    if short.is_empty() {
        return Ok(job);
    }
    Err(CliError::quota(format!(
        "the daily {what} quota cannot hold this submission: {count} to submit, {}; submit \
         fewer, wait until the quota resets (midnight, Beijing time), or pass --force",
        short.join(", ")
    )))
}
