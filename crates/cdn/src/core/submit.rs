//! Any number of URLs: plan them into batches, run the batches with bounded
//! concurrency (each a [`call`](super::call::call)), and gather a
//! [`Report`] with every URL exactly once, in input order.

use std::collections::HashSet;
use std::sync::Arc;

use tcdn_model::{CdnUrl, Operation};
use tokio::task::JoinSet;
use tracing::Instrument;

use crate::api::Backend;
use crate::core::Core;
use crate::core::call::{Called, call};
use crate::core::dedupe::DistinctUrls;
use crate::core::plan::Planner;
use crate::report::{BatchReport, Failure, Report, Task};

/// Submits `urls` for `job` (`operation` names it in the batch reports),
/// calling `on_batch` as each batch finishes (in completion order).
///
/// Must run inside a tokio runtime: batches are tokio tasks.
pub(crate) async fn submit<B: Backend>(
    core: Arc<Core>,
    backend: Arc<B>,
    job: B::Job,
    operation: Operation,
    urls: DistinctUrls,
    mut on_batch: impl FnMut(&BatchReport) + Send,
) -> Report {
    let shape = backend.shape(&job).with_batch_size(core.batch_size);
    let mut plan = Planner::new(shape, urls);
    let mut outcomes: Vec<Option<Called<B>>> = Vec::new();
    // Unsendable URLs, with the index of the batch they precede, so the
    // report keeps input order.
    let mut unsendable: Vec<(usize, Failure)> = Vec::new();
    let mut tasks = JoinSet::new();
    let mut exhausted = false;
    let mut report = Report {
        duplicates_skipped: plan.duplicates(),
        ..Report::default()
    };
    loop {
        while !exhausted && tasks.len() < core.concurrency.get() {
            match plan.next() {
                Some(Ok(urls)) => {
                    let index = outcomes.len();
                    outcomes.push(None);
                    let batch = backend.batch(&job, urls);
                    let (core, backend) = (core.clone(), backend.clone());
                    let span = tracing::info_span!("tcdn.batch", batch = index);
                    tasks.spawn(
                        async move { (index, call(&core, &*backend, batch, true).await) }
                            .instrument(span),
                    );
                }
                Some(Err(too_large)) => {
                    let message = too_large.to_string();
                    unsendable.push((outcomes.len(), Failure::unsent(too_large.url, message)));
                }
                None => exhausted = true,
            }
        }
        let Some(joined) = tasks.join_next().await else {
            break;
        };
        let (index, called) = match joined {
            Ok(done) => done,
            Err(err) => match err.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(err) => unreachable!("batch tasks are never cancelled: {err}"),
            },
        };
        let (attempts, requests, error) = match &called.result {
            Ok(_) => (called.attempts, called.requests, None),
            Err(error) => (error.attempts(), error.requests_sent(), Some(error.clone())),
        };
        let batch_report = BatchReport {
            index,
            operation,
            action: B::action(&called.batch),
            url_count: called
                .original
                .as_ref()
                .map_or_else(|| B::urls(&called.batch).len(), Vec::len),
            attempts,
            requests,
            error,
        };
        on_batch(&batch_report);
        report.batches.push(batch_report);
        outcomes[index] = Some(called);
    }
    report.batches.sort_by_key(|batch| batch.index);

    let mut unsendable = unsendable.into_iter().peekable();
    for (index, called) in outcomes.into_iter().flatten().enumerate() {
        while let Some((_, failure)) = unsendable.next_if(|(before, _)| *before <= index) {
            report.failed.push(failure);
        }
        report.requests += called.requests;
        gather::<B>(&mut report, called);
    }
    report.failed.extend(unsendable.map(|(_, failure)| failure));
    report
}

/// Adds one batch's URLs to the report, in the batch's order.
fn gather<B: Backend>(report: &mut Report, called: Called<B>) {
    let action = B::action(&called.batch);
    let task_id = match &called.result {
        Ok(Some(receipt)) => B::task_id(receipt),
        _ => None,
    };
    // Tasks a lookup found, in the order found, each with its URLs.
    for applied in &called.applied {
        let Some(id) = &applied.task_id else { continue };
        match report
            .tasks
            .iter_mut()
            .rev()
            .find(|task| &task.task_id == id)
        {
            Some(task) => task.urls.push(applied.url.clone()),
            None => report.tasks.push(Task {
                task_id: id.clone(),
                action,
                urls: vec![applied.url.clone()],
            }),
        }
    }
    if let Some(task_id) = task_id {
        report.tasks.push(Task {
            task_id,
            action,
            urls: B::urls(&called.batch).to_vec(),
        });
    }
    let urls = match called.original {
        Some(original) => original,
        None => B::into_urls(called.batch),
    };
    let applied: HashSet<&CdnUrl> = called.applied.iter().map(|a| &a.url).collect();
    for url in urls {
        match &called.result {
            _ if applied.contains(&url) => report.succeeded.push(url),
            Ok(_) => report.succeeded.push(url),
            Err(error) => report.failed.push(Failure::from_error(url, error)),
        }
    }
}
