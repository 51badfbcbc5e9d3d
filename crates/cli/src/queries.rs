//! API 3.0's queries: `tcdn quota` and `tcdn tasks`.

use std::io::{self, Write};

use tcdn::model::v3::{
    DescribePurgeQuota, DescribePurgeTasks, DescribePushQuota, Request, TaskId, TaskSelector,
};

use tcdn::Client;

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
        let client = setup.dry_run_client(global, None)?;
        for request in [
            Request::from(DescribePurgeQuota),
            Request::from(DescribePushQuota),
        ] {
            dry_run_query(&mut stdout, global, &client, &request)?;
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
        let client = setup.dry_run_client(global, None)?;
        for id in ids {
            let query = DescribePurgeTasks::new(TaskSelector::task(id));
            dry_run_query(&mut stdout, global, &client, &query.into())?;
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

/// Signs and prints API 3.0 query `request`, as a dry run.
pub(crate) fn dry_run_query(
    out: &mut impl Write,
    global: &ClientOptions,
    client: &Client,
    request: &Request,
) -> Result<(), CliError> {
    let signed = client
        .sign_request(request)
        .ok_or_else(|| CliError::usage("a query is API 3.0's"))?
        .map_err(|e| CliError::runtime(e.to_string()))?;
    output::dry_run_request(out, global.output, &signed).map_err(write_error)
}
