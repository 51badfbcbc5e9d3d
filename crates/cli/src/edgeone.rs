//! EdgeOne's queries: `tcdn quota` (each zone's content quotas, or
//! `--zone`'s) and `tcdn tasks` (a job's tasks, in `--zone` or looked up in
//! each zone of the account), with `--product edgeone`.

use std::io::{self, Write};

use tcdn::model::teo::{
    ContentQuota, DescribeContentQuota, DescribePurgeTasks, JobId, Quota, Request, Task, TaskQuery,
    TaskSelector, ZoneId,
};
use tcdn::{Client, printable};

use crate::args::{ClientOptions, OutputArg};
use crate::exit::{CliError, ExitStatus};
use crate::output::{self, write_versioned};
use crate::setup::{Setup, runtime};

/// The zones a query covers: `--zone`'s, or every zone of the account
/// (`DescribeZones`), each with its name when known.
fn zones(
    runtime: &tokio::runtime::Runtime,
    client: &Client,
    setup: &Setup,
) -> Result<Vec<(ZoneId, Option<String>)>, CliError> {
    if let Some(zone) = &setup.zone {
        return Ok(vec![(zone.clone(), None)]);
    }
    let zones = runtime
        .block_on(client.edgeone_zones())
        .map_err(|e| CliError::api(format!("DescribeZones: {e}")))?;
    Ok(zones
        .into_iter()
        .filter_map(|z| Some((ZoneId::new(&z.zone_id).ok()?, Some(z.zone_name))))
        .collect())
}

/// Signs and prints `requests` (a dry run).
fn dry_run(global: &ClientOptions, setup: &Setup, requests: Vec<Request>) -> Result<(), CliError> {
    let client = setup.dry_run_client(global, None)?;
    let mut stdout = io::stdout().lock();
    for request in requests {
        let Some(signed) = client.sign_edgeone_request(&request) else {
            return Err(CliError::runtime("not an EdgeOne client"));
        };
        let signed = signed.map_err(|e| CliError::runtime(e.to_string()))?;
        output::dry_run_request(&mut stdout, global.output, &signed)
            .map_err(|e| CliError::output(&e))?;
    }
    Ok(())
}

fn needs_zone(command: &str) -> CliError {
    CliError::usage(format!(
        "`tcdn {command} --dry-run --product edgeone` needs --zone: listing the account's \
         zones takes a call"
    ))
}

/// `tcdn quota --product edgeone`.
pub fn run_quota(global: &ClientOptions) -> Result<ExitStatus, CliError> {
    let runtime = runtime()?;
    let setup = Setup::new(global, &runtime)?;
    if global.dry_run {
        let zone_id = setup.zone.clone().ok_or_else(|| needs_zone("quota"))?;
        dry_run(
            global,
            &setup,
            vec![DescribeContentQuota { zone_id }.into()],
        )?;
        return Ok(ExitStatus::Success);
    }
    let client = setup.client(global, None)?;
    let mut quotas = Vec::new();
    for (zone_id, name) in zones(&runtime, &client, &setup)? {
        let quota = runtime
            .block_on(client.edgeone_quota(&zone_id))
            .map_err(|e| CliError::api(format!("DescribeContentQuota of {zone_id}: {e}")))?;
        quotas.push((zone_id, name, quota));
    }
    let mut stdout = io::stdout().lock();
    write_quotas(&mut stdout, global.output, &quotas)
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::output(&e))?;
    Ok(ExitStatus::Success)
}

/// Writes zones' quotas: a table, or `{"zones":[{"zone_id","zone_name"?,
/// "purge_quota":[{"type","batch","daily","daily_available"}…],
/// "prefetch_quota":[…]}…]}`.
fn write_quotas(
    out: &mut impl Write,
    format: OutputArg,
    zones: &[(ZoneId, Option<String>, ContentQuota)],
) -> io::Result<()> {
    #[derive(serde::Serialize)]
    struct Entry<'a> {
        r#type: &'a str,
        batch: i64,
        daily: i64,
        daily_available: i64,
    }
    #[derive(serde::Serialize)]
    struct ZoneQuotas<'a> {
        zone_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        zone_name: Option<&'a str>,
        purge_quota: Vec<Entry<'a>>,
        prefetch_quota: Vec<Entry<'a>>,
    }
    #[derive(serde::Serialize)]
    struct Document<'a> {
        zones: Vec<ZoneQuotas<'a>>,
    }
    fn entry(q: &Quota) -> Entry<'_> {
        Entry {
            r#type: &q.r#type,
            batch: q.batch,
            daily: q.daily,
            daily_available: q.daily_available,
        }
    }
    match format {
        OutputArg::Json => {
            let zones = zones
                .iter()
                .map(|(id, name, quota)| ZoneQuotas {
                    zone_id: id.as_str(),
                    zone_name: name.as_deref(),
                    purge_quota: quota.purge.iter().map(entry).collect(),
                    prefetch_quota: quota.prefetch.iter().map(entry).collect(),
                })
                .collect();
            write_versioned(out, &Document { zones })
        }
        OutputArg::Text => {
            writeln!(
                out,
                "{:<20} {:<16} {:>7} {:>7} {:>10}",
                "ZONE", "TYPE", "BATCH", "DAILY", "AVAILABLE"
            )?;
            for (id, _, quota) in zones {
                for q in quota.purge.iter().chain(&quota.prefetch) {
                    writeln!(
                        out,
                        "{:<20} {:<16} {:>7} {:>7} {:>10}",
                        id.as_str(),
                        printable(&q.r#type),
                        q.batch,
                        q.daily,
                        q.daily_available
                    )?;
                }
            }
            Ok(())
        }
    }
}

/// `tcdn tasks --product edgeone JOBID...`.
pub fn run_tasks(global: &ClientOptions, job_ids: &[String]) -> Result<ExitStatus, CliError> {
    let ids = job_ids
        .iter()
        .map(|text| JobId::new(text).map_err(|e| CliError::input(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let runtime = runtime()?;
    let setup = Setup::new(global, &runtime)?;
    if global.dry_run {
        let zone_id = setup.zone.clone().ok_or_else(|| needs_zone("tasks"))?;
        let requests = ids
            .into_iter()
            .map(|id| {
                let query = TaskQuery::new(zone_id.clone(), TaskSelector::job(id));
                DescribePurgeTasks {
                    query,
                    purge_type: None,
                }
                .into()
            })
            .collect();
        dry_run(global, &setup, requests)?;
        return Ok(ExitStatus::Success);
    }
    let client = setup.client(global, None)?;
    let zones = zones(&runtime, &client, &setup)?;
    let mut found: Vec<(ZoneId, Task)> = Vec::new();
    let mut missing = Vec::new();
    for id in &ids {
        let tasks = runtime
            .block_on(job_tasks(&client, &zones, id))
            .map_err(|e| CliError::api(format!("job {id}: {e}")))?;
        if tasks.is_empty() {
            missing.push(id.to_string());
        }
        found.extend(tasks);
    }
    let mut stdout = io::stdout().lock();
    write_tasks(&mut stdout, global.output, &found)
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::output(&e))?;
    for id in &missing {
        eprintln!("tcdn: no job {id} was found (tasks are kept for a limited time)");
    }
    Ok(if missing.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::SomeFailed
    })
}

/// The tasks of job `id`: purges, then prefetches, in the first zone that
/// lists any.
async fn job_tasks(
    client: &Client,
    zones: &[(ZoneId, Option<String>)],
    id: &JobId,
) -> Result<Vec<(ZoneId, Task)>, tcdn::CallError> {
    for (zone_id, _) in zones {
        let mut query = TaskQuery::new(zone_id.clone(), TaskSelector::job(id.clone()));
        query.limit = Some(tcdn::model::teo::MAX_TASKS_LIMIT);
        let purges = client
            .edgeone_purge_tasks(DescribePurgeTasks {
                query: query.clone(),
                purge_type: None,
            })
            .await?;
        let tasks = if purges.tasks.is_empty() {
            client
                .edgeone_prefetch_tasks(tcdn::model::teo::DescribePrefetchTasks { query })
                .await?
                .tasks
        } else {
            purges.tasks
        };
        let tasks: Vec<(ZoneId, Task)> = tasks
            .into_iter()
            .filter(|t| t.job_id == id.as_str())
            .map(|t| (zone_id.clone(), t))
            .collect();
        if !tasks.is_empty() {
            return Ok(tasks);
        }
    }
    Ok(Vec::new())
}

/// Writes tasks: one line each, or `{"tasks":[{"zone_id","job_id",
/// "target","type","method"?,"status","create_time","update_time",
/// "fail_type"?,"fail_message"?}…]}`, statuses as EdgeOne spells them.
fn write_tasks(
    out: &mut impl Write,
    format: OutputArg,
    tasks: &[(ZoneId, Task)],
) -> io::Result<()> {
    match format {
        OutputArg::Json => {
            #[derive(serde::Serialize)]
            struct Row<'a> {
                zone_id: &'a str,
                job_id: &'a str,
                target: &'a str,
                r#type: &'a str,
                #[serde(skip_serializing_if = "Option::is_none")]
                method: Option<&'a str>,
                status: &'a str,
                create_time: &'a str,
                update_time: &'a str,
                #[serde(skip_serializing_if = "Option::is_none")]
                fail_type: Option<&'a str>,
                #[serde(skip_serializing_if = "Option::is_none")]
                fail_message: Option<&'a str>,
            }
            #[derive(serde::Serialize)]
            struct Document<'a> {
                tasks: Vec<Row<'a>>,
            }
            let tasks = tasks
                .iter()
                .map(|(zone, t)| Row {
                    zone_id: zone.as_str(),
                    job_id: &t.job_id,
                    target: &t.target,
                    r#type: &t.r#type,
                    method: t.method.as_deref(),
                    status: &t.status,
                    create_time: &t.create_time,
                    update_time: &t.update_time,
                    fail_type: t.fail_type.as_deref(),
                    fail_message: t.fail_message.as_deref(),
                })
                .collect();
            write_versioned(out, &Document { tasks })
        }
        OutputArg::Text => {
            for (zone, t) in tasks {
                let failure = t
                    .fail_message
                    .as_deref()
                    .map(|m| format!(" [{}]", printable(m)))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{} {} {} {} {} ({}){failure}",
                    zone.as_str(),
                    printable(&t.job_id),
                    printable(&t.r#type),
                    printable(&t.status),
                    printable(&t.target),
                    printable(&t.create_time)
                )?;
            }
            Ok(())
        }
    }
}

/// `tcdn wait --dry-run --product edgeone`: the first poll of each job in
/// `--zone` (purges, unless `--kind push`).
pub fn dry_run_wait(
    global: &ClientOptions,
    setup: &Setup,
    ids: &[tcdn::model::v3::TaskId],
    kind: Option<tcdn::wait::TaskKind>,
) -> Result<ExitStatus, CliError> {
    let zone_id = setup.zone.clone().ok_or_else(|| needs_zone("wait"))?;
    let requests = ids
        .iter()
        .map(|id| {
            let job = JobId::new(id.as_str()).map_err(|e| CliError::usage(e.to_string()))?;
            let query = TaskQuery::new(zone_id.clone(), TaskSelector::job(job));
            Ok(match kind {
                Some(tcdn::wait::TaskKind::Push) => {
                    tcdn::model::teo::DescribePrefetchTasks { query }.into()
                }
                _ => DescribePurgeTasks {
                    query,
                    purge_type: None,
                }
                .into(),
            })
        })
        .collect::<Result<Vec<Request>, CliError>>()?;
    dry_run(global, setup, requests)?;
    Ok(ExitStatus::Success)
}
