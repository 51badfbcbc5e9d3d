//! API 3.0's queries: `tcdn quota`, `tcdn tasks`, and the quota check
//! before a submission of several calls.

use std::io::{self, Write};
use std::num::NonZeroUsize;

use tcdn::model::v3::{
    DescribePurgeQuota, DescribePurgeTasks, DescribePushQuota, Quota, Request, TaskId, TaskSelector,
};
use tcdn::{Api, Areas, Client, Job, Operation};

use crate::args::{ApiArg, ClientOptions};
use crate::exit::{CliError, ExitStatus};
use crate::output;
use crate::setup::{Setup, runtime};

fn v3_only(command: &str) -> CliError {
    CliError::usage(format!(
        "`tcdn {command}` is API 3.0's: API 2.0 cannot read quotas or look tasks up; leave out \
         --api v2 (or TCDN_API=v2)"
    ))
}

fn write_error(error: io::Error) -> CliError {
    CliError::output(&error)
}

/// `tcdn quota`.
pub fn run_quota(global: &ClientOptions) -> Result<ExitStatus, CliError> {
    if global.api == ApiArg::V2 {
        return Err(v3_only("quota"));
    }
    let runtime = runtime()?;
    let setup = Setup::new(global, &runtime)?;
    let mut stdout = io::stdout().lock();
    if global.dry_run {
        let builder = setup.v3_builder();
        for request in [
            Request::from(DescribePurgeQuota),
            Request::from(DescribePushQuota),
        ] {
            let (timestamp, nonce) = setup.stamp(global);
            let prepared = builder
                .prepare(&request, timestamp, nonce)
                .map_err(|e| CliError::runtime(e.to_string()))?;
            output::dry_run_v3_request(&mut stdout, global.output, &prepared)
                .map_err(write_error)?;
        }
        return Ok(ExitStatus::Success);
    }
    let client = setup.client(global, None)?;
    let (purge, push) = runtime
        .block_on(async {
            let purge = client.purge_quota().await?;
            let push = client.push_quota().await?;
            Ok::<_, tcdn::CallError>((purge, push))
        })
        .map_err(|e| CliError::api(e.to_string()))?;
    // Every account has quotas of each kind: an answer without a list is a
    // server's mistake, and an empty table would read as "no quota".
    let missing: Vec<&str> = [
        ("DescribePurgeQuota's UrlPurge", purge.url_purge.is_empty()),
        (
            "DescribePurgeQuota's PathPurge",
            purge.path_purge.is_empty(),
        ),
        ("DescribePushQuota's UrlPush", push.url_push.is_empty()),
    ]
    .into_iter()
    .filter_map(|(name, empty)| empty.then_some(name))
    .collect();
    if !missing.is_empty() {
        return Err(CliError::api(format!(
            "the quotas cannot be read: the server's answer lacks {} (absent or empty)",
            missing.join(" and ")
        )));
    }
    output::quotas(
        &mut stdout,
        global.output,
        &[
            ("url_purge", &purge.url_purge),
            ("path_purge", &purge.path_purge),
            ("url_push", &push.url_push),
        ],
    )
    .and_then(|()| stdout.flush())
    .map_err(write_error)?;
    Ok(ExitStatus::Success)
}

/// `tcdn tasks TASKID...`.
pub fn run_tasks(global: &ClientOptions, task_ids: &[String]) -> Result<ExitStatus, CliError> {
    if global.api == ApiArg::V2 {
        return Err(v3_only("tasks"));
    }
    let ids = task_ids
        .iter()
        .map(|text| TaskId::new(text).map_err(|e| CliError::input(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let runtime = runtime()?;
    let setup = Setup::new(global, &runtime)?;
    let mut stdout = io::stdout().lock();
    if global.dry_run {
        let builder = setup.v3_builder();
        for id in ids {
            let (timestamp, nonce) = setup.stamp(global);
            let query = DescribePurgeTasks::new(TaskSelector::task(id));
            let prepared = builder
                .prepare(&query.into(), timestamp, nonce)
                .map_err(|e| CliError::runtime(e.to_string()))?;
            output::dry_run_v3_request(&mut stdout, global.output, &prepared)
                .map_err(write_error)?;
        }
        return Ok(ExitStatus::Success);
    }
    let client = setup.client(global, None)?;
    let mut logs = Vec::new();
    let mut missing = Vec::new();
    for id in &ids {
        let found = runtime
            .block_on(client.task_logs(id))
            .map_err(|e| CliError::api(format!("task {id}: {e}")))?;
        if found.is_empty() {
            missing.push(id.to_string());
        }
        logs.extend(found);
    }
    output::task_logs(&mut stdout, global.output, &logs)
        .and_then(|()| stdout.flush())
        .map_err(write_error)?;
    for id in &missing {
        eprintln!("tcdn: no task {id} was found (tasks are kept for a limited time)");
    }
    Ok(if missing.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::SomeFailed
    })
}

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

/// `--check-domains`, after the quota check: the job with the account's
/// domains, so that the URLs of other hosts fail without a call, or with
/// no check (one call is enough, `never`, or under `auto` a list that could
/// not be read). An interrupt during the check ends it: the submission then
/// starts already stopped.
///
/// # Errors
/// Under `always`, a `DescribeDomains` refused or listing nothing (exit 2).
pub fn check_domains(
    runtime: &tokio::runtime::Runtime,
    client: &Client,
    job: Job,
    submit: &crate::args::SubmitArgs,
    count: usize,
    interrupts: &crate::signals::Interrupts,
) -> Result<Job, CliError> {
    let job = job.check_domains(submit.check_domains.into());
    let checked = runtime.block_on(async {
        tokio::select! {
            checked = client.check_domains(&job, count) => checked,
            () = interrupts.cancel().cancelled() => Ok(None),
        }
    });
    match checked {
        Ok(Some(domains)) => Ok(job.account_domains(domains)),
        Ok(None) => Ok(job.check_domains(tcdn::CheckDomains::Never)),
        Err(error) => Err(CliError::config(error.to_string())),
    }
}
