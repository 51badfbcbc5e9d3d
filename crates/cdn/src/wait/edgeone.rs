//! One round of a wait on EdgeOne tasks: each pending task asked for by
//! its `JobId` (the `job-id` filter) in its zone, or, when its zone is not
//! known (waiting by id without `--zone`), in each zone of the account
//! until one lists it. Statuses are kept as EdgeOne spells them.

use tcdn_model::teo::{
    DescribePrefetchTasks, DescribePurgeTasks, JobId, MAX_TASKS_LIMIT, TaskQuery, TaskSelector,
    ZoneId,
};

use super::watched::{Log, Watched};
use super::{MAX_PAGES, TaskKind};
use crate::client::Client;
use crate::error::CallError;

impl Client {
    /// Looks each pending task of `watched` up by its `JobId`.
    pub(super) async fn poll_edgeone(&self, watched: &mut [Watched]) -> Result<(), CallError> {
        let mut account_zones: Option<Vec<ZoneId>> = None;
        for task in watched.iter_mut().filter(|w| w.is_pending()) {
            let Ok(job_id) = JobId::new(&task.task_id) else {
                continue;
            };
            let zones = match task.zone.as_deref().map(ZoneId::new) {
                Some(Ok(zone)) => vec![zone],
                Some(Err(_)) => continue,
                None => match &account_zones {
                    Some(zones) => zones.clone(),
                    None => {
                        let zones: Vec<ZoneId> = self
                            .edgeone_zones()
                            .await?
                            .iter()
                            .filter_map(|z| ZoneId::new(&z.zone_id).ok())
                            .collect();
                        account_zones = Some(zones.clone());
                        zones
                    }
                },
            };
            let kinds: &[TaskKind] = match task.kind {
                Some(TaskKind::Purge) => &[TaskKind::Purge],
                Some(TaskKind::Push) => &[TaskKind::Push],
                None => &[TaskKind::Purge, TaskKind::Push],
            };
            let mut logs = Vec::new();
            'zones: for zone in zones {
                for &kind in kinds {
                    logs = self.job_logs(&zone, &job_id, kind).await?;
                    // A server that answers with other jobs' tasks is not
                    // believed.
                    logs.retain(|log| log.task_id == task.task_id);
                    if !logs.is_empty() {
                        task.zone = Some(zone.as_str().to_owned());
                        break 'zones;
                    }
                }
            }
            if logs.is_empty() {
                task.missing = task.learn && !task.found;
            } else {
                task.apply(&logs);
            }
        }
        Ok(())
    }

    /// Every task row of `job_id` in `zone`, paged.
    async fn job_logs(
        &self,
        zone: &ZoneId,
        job_id: &JobId,
        kind: TaskKind,
    ) -> Result<Vec<Log>, CallError> {
        let mut logs = Vec::new();
        let mut offset = 0u64;
        for _ in 0..MAX_PAGES {
            let mut query = TaskQuery::new(zone.clone(), TaskSelector::job(job_id.clone()));
            query.offset = Some(offset);
            query.limit = Some(MAX_TASKS_LIMIT);
            let tasks = match kind {
                TaskKind::Purge => {
                    self.edgeone_purge_tasks(DescribePurgeTasks {
                        query,
                        purge_type: None,
                    })
                    .await?
                }
                TaskKind::Push => {
                    self.edgeone_prefetch_tasks(DescribePrefetchTasks { query })
                        .await?
                }
            };
            let got = tasks.tasks.len() as u64;
            logs.extend(tasks.tasks.into_iter().map(|task| Log {
                action: if task.r#type == "prefetch_url" {
                    "CreatePrefetchTask"
                } else {
                    "CreatePurgeTask"
                },
                task_id: task.job_id,
                kind,
                url: task.target,
                status: task.status,
                create_time: task.create_time,
            }));
            offset += got;
            if got == 0 || offset >= u64::try_from(tasks.total_count).unwrap_or(0) {
                break;
            }
        }
        Ok(logs)
    }
}
