//! Waiting on tasks: `tcdn wait TASKID...`, and the wait after `flush
//! --wait` / `push --wait`, with their progress bar and exit status (3 when
//! the wait reached its timeout with tasks still running and nothing else
//! failed).

use std::io::{self, Write};
use std::time::Duration;

use tcdn::model::v3::{DescribePurgeTasks, DescribePushTasks, Request, TaskId, TaskSelector};
use tcdn::wait::{TaskIds, TaskKind, WaitSummary};
use tcdn::{Cancel, Client, Report};

use crate::args::{ApiArg, ClientOptions, KindArg, WaitArgs};
use crate::exit::{CliError, ExitStatus};
use crate::output;
use crate::progress::progress_bar;
use crate::setup::{Setup, runtime};

/// Waits on `report`'s tasks (after a submission), with a progress bar;
/// an interrupt ends the wait, and the URLs not seen done are failed with
/// their status as last seen, as at the timeout.
pub fn wait_for_report(
    runtime: &tokio::runtime::Runtime,
    client: &Client,
    report: &mut Report,
    timeout: Duration,
    cancel: &Cancel,
) -> WaitSummary {
    let waited: usize = report.tasks.iter().map(|t| t.urls.len()).sum();
    let bar = progress_bar(waited, 0, "URLs finished", None);
    let summary = runtime.block_on(client.wait_until(report, timeout, cancel, |finished, _| {
        if let Some(bar) = &bar {
            bar.set_position(finished as u64);
        }
    }));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    summary
}

/// The exit status of a run that is not interrupted: 0, 1, or 3 when a
/// wait left only tasks still running.
pub fn status_of(report: &Report, summary: Option<&WaitSummary>) -> ExitStatus {
    if report.is_success() {
        ExitStatus::Success
    } else if summary.is_some_and(|s| s.only_still_running(report)) {
        ExitStatus::StillRunning
    } else {
        ExitStatus::SomeFailed
    }
}

/// `tcdn wait TASKID...`.
pub fn run_wait(global: &ClientOptions, args: &WaitArgs) -> Result<ExitStatus, CliError> {
    if global.api == ApiArg::V2 {
        return Err(CliError::usage(
            "`tcdn wait` is API 3.0's: API 2.0 cannot look tasks up; leave out --api v2 (or \
             TCDN_API=v2)",
        ));
    }
    let ids = args
        .task_ids
        .iter()
        .map(|text| TaskId::new(text).map_err(|e| CliError::usage(format!("TASKID: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let kind = args.kind.map(|kind| match kind {
        KindArg::Purge => TaskKind::Purge,
        KindArg::Push => TaskKind::Push,
    });
    let runtime = runtime()?;
    let setup = Setup::new(global, &runtime)?;
    let mut stdout = io::stdout().lock();
    if global.dry_run && setup.product == tcdn::Product::EdgeOne {
        return crate::edgeone::dry_run_wait(global, &setup, &ids, kind);
    }
    if global.dry_run {
        // The first poll: each task by id (a purge, unless --kind push).
        let client = setup.dry_run_client(global, None)?;
        for id in ids {
            let query: Request = match kind {
                Some(TaskKind::Push) => DescribePushTasks::new(TaskSelector::task(id)).into(),
                _ => DescribePurgeTasks::new(TaskSelector::task(id)).into(),
            };
            crate::queries::dry_run_query(&mut stdout, global, &client, &query)?;
        }
        return Ok(ExitStatus::Success);
    }
    let client = setup.client(global, None)?;
    let interrupts = crate::signals::Interrupts::watch(&runtime);
    let bar = progress_bar(1, 0, "URLs finished", None);
    let tasks = TaskIds::new(&ids).kind(kind).in_zone(setup.zone.as_ref());
    let (report, summary) = runtime.block_on(client.wait_on(
        tasks,
        Duration::from_secs(args.wait_timeout),
        interrupts.cancel(),
        |finished, total| {
            if let Some(bar) = &bar {
                bar.set_length(total as u64);
                bar.set_position(finished as u64);
            }
        },
    ));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    output::wait_report(&mut stdout, global.output, &report)
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::output(&e))?;
    Ok(match interrupts.received() {
        Some(signal) => ExitStatus::Interrupted(signal),
        None => status_of(&report, Some(&summary)),
    })
}
