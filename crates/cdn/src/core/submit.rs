//! Any number of URLs: plan them into batches, run the batches with bounded
//! concurrency (each a [`call`](super::call::call)), and gather a
//! [`Report`] with every URL exactly once, in input order.
//!
//! A submission stops starting batches when it is interrupted (its
//! [`Cancel`]), when a daily quota is found used up, or when the endpoint
//! reached no server [`DEAD_ENDPOINT_STREAK`](super::halt::DEAD_ENDPOINT_STREAK)
//! times in a row; the URLs never sent are reported under `not_sent` with
//! the reason. After an interrupt, requests in flight get the core's
//! `interrupt_grace` to answer, then are given up (`maybe_applied`).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tcdn_model::{CdnUrl, Operation};
use tokio::task::JoinSet;
use tracing::Instrument;

use crate::cancel::Cancel;
use crate::core::Core;
use crate::core::backend::{Applied, Backend};
use crate::core::call::Called;
use crate::core::dedupe::DistinctUrls;
use crate::core::halt::Halt;
use crate::core::plan::Planner;
use crate::core::split::call_by_host;
use crate::report::{BatchReport, Failure, NotSent, Report, Task};

/// Submits `urls` for `job` (`operation` names it in the batch reports),
/// calling `on_batch` as each batch finishes (in completion order).
///
/// Must run inside a tokio runtime: batches are tokio tasks.
#[allow(clippy::too_many_lines)]
pub(crate) async fn submit<B: Backend>(
    core: Arc<Core>,
    backend: Arc<B>,
    job: B::Job,
    operation: Operation,
    urls: DistinctUrls,
    interrupt: Cancel,
    mut on_batch: impl FnMut(&BatchReport) + Send,
) -> Report {
    let halt = Arc::new(Halt::new(interrupt));
    let mut grace = None;
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
        while !exhausted && tasks.len() < core.concurrency.get() && halt.reason().is_none() {
            match plan.next() {
                Some(Ok(urls)) => {
                    let index = outcomes.len();
                    outcomes.push(None);
                    let batch = backend.batch(&job, urls);
                    let (core, backend, halt) = (core.clone(), backend.clone(), halt.clone());
                    let span = tracing::info_span!("tcdn.batch", batch = index);
                    tasks.spawn(
                        async move { (index, call_by_host(&core, &*backend, &halt, batch).await) }
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
        let joined = tokio::select! {
            biased;
            joined = tasks.join_next() => joined,
            () = halt.interrupt().cancelled(), if grace.is_none() => {
                // Requests in flight get a grace to answer, then are given up.
                let (sleeper, halt, wait) = (core.sleeper.clone(), halt.clone(), core.interrupt_grace);
                grace = Some(tokio::spawn(async move {
                    sleeper.sleep(wait).await;
                    halt.abandon();
                }));
                continue;
            }
        };
        let Some(joined) = joined else {
            break;
        };
        let (index, called) = match joined {
            Ok(done) => done,
            Err(err) => match err.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(err) => unreachable!("batch tasks are never cancelled: {err}"),
            },
        };
        if called.not_sent.is_some() && called.attempts == 0 {
            outcomes[index] = Some(called);
            continue;
        }
        let (attempts, requests, error) = match &called.result {
            _ if !called.parts.is_empty() => (
                called.attempts,
                called.requests,
                called
                    .parts
                    .iter()
                    .find_map(|p| p.result.as_ref().err().cloned()),
            ),
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
    if let Some(grace) = grace {
        grace.abort();
    }
    report.batches.sort_by_key(|batch| batch.index);
    // What the plan still held when the submission stopped.
    let mut rest = Vec::new();
    if let Some(reason) = halt.reason() {
        for item in plan.by_ref() {
            match item {
                Ok(urls) => rest.extend(urls.into_iter().map(|url| NotSent { url, reason })),
                Err(too_large) => {
                    let message = too_large.to_string();
                    unsendable.push((outcomes.len(), Failure::unsent(too_large.url, message)));
                }
            }
        }
    }

    let mut unsendable = unsendable.into_iter().peekable();
    for (index, called) in outcomes.into_iter().flatten().enumerate() {
        while let Some((_, failure)) = unsendable.next_if(|(before, _)| *before <= index) {
            report.failed.push(failure);
        }
        report.requests += called.requests;
        gather::<B>(&mut report, called);
    }
    report.failed.extend(unsendable.map(|(_, failure)| failure));
    report.not_sent.extend(rest);
    report
}

/// Adds one batch's URLs to the report, in the batch's order; a batch split
/// by host, by its parts' outcomes (and the URLs a lookup had found applied
/// before the split).
fn gather<B: Backend>(report: &mut Report, mut called: Called<B>) {
    if called.parts.is_empty() {
        return gather_call::<B>(report, called);
    }
    let order = called
        .original
        .take()
        .unwrap_or_else(|| B::urls(&called.batch).to_vec());
    let position: HashMap<&CdnUrl, usize> = order.iter().enumerate().map(|(i, u)| (u, i)).collect();
    let at = |url: &CdnUrl| position.get(url).copied().unwrap_or(usize::MAX);
    let mut split = Report::default();
    let parts = std::mem::take(&mut called.parts);
    // What the refused call's lookups had found applied stays succeeded.
    add_applied(&mut split, &called.applied, B::action(&called.batch));
    split
        .succeeded
        .extend(called.applied.iter().map(|a| a.url.clone()));
    for part in parts {
        gather_call::<B>(&mut split, part);
    }
    split.succeeded.sort_by_key(|url| at(url));
    split.failed.sort_by_key(|failure| at(&failure.url));
    split.not_sent.sort_by_key(|not_sent| at(&not_sent.url));
    report.succeeded.append(&mut split.succeeded);
    report.failed.append(&mut split.failed);
    report.not_sent.append(&mut split.not_sent);
    report.tasks.append(&mut split.tasks);
}

/// Adds the tasks a lookup found, in the order found, each with its URLs.
fn add_applied(report: &mut Report, applied: &[Applied], action: &'static str) {
    for applied in applied {
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
                zone_id: None,
            }),
        }
    }
}

/// Adds one call's URLs to the report, in the call's order.
fn gather_call<B: Backend>(report: &mut Report, called: Called<B>) {
    let action = B::action(&called.batch);
    let task_id = match &called.result {
        Ok(Some(receipt)) => B::task_id(receipt),
        _ => None,
    };
    add_applied(report, &called.applied, action);
    if let Some(task_id) = task_id {
        report.tasks.push(Task {
            task_id,
            action,
            urls: B::urls(&called.batch).to_vec(),
            zone_id: None,
        });
    }
    let urls = match called.original {
        Some(original) => original,
        None => B::into_urls(called.batch),
    };
    if let Some(reason) = called.not_sent {
        report
            .not_sent
            .extend(urls.into_iter().map(|url| NotSent { url, reason }));
        return;
    }
    let applied: HashSet<&CdnUrl> = called.applied.iter().map(|a| &a.url).collect();
    for url in urls {
        match &called.result {
            _ if applied.contains(&url) => report.succeeded.push(url),
            Ok(_) => report.succeeded.push(url),
            Err(error) => report.failed.push(Failure::from_error(url, error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroUsize;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use bytes::Bytes;
    use tcdn_model::CdnUrl;
    use tcdn_transport::TransportError;

    use super::*;
    use crate::core::backend::{
        Answer, Applied, Class, Lookup, RateWindow, Reconciled, Reply, SignWith, Signed,
    };
    use crate::core::plan::Shape;
    use crate::core::retry::{Jitter, RetryPolicy};
    use crate::error::NotSentReason;
    use crate::error::{CallError, CallErrorKind};
    use crate::nonce::Nonce;
    use crate::test_util::mock::ScriptedTransport;
    use crate::test_util::{ManualClock, ManualSleeper, SequentialNonces};

    /// A backend whose calls carry their URLs one per line, whose answers
    /// are a task id (HTTP 200) or a retryable refusal, and whose lookup
    /// asks the server (a call with the URL `https://lookup.invalid/`)
    /// which URLs it applied.
    #[derive(Debug, Default)]
    struct Fake {
        since: Mutex<Vec<u64>>,
    }

    fn lookup_url() -> CdnUrl {
        "https://lookup.invalid/".parse().unwrap()
    }

    impl Backend for Fake {
        type Job = ();
        type Batch = Vec<CdnUrl>;
        type Receipt = String;

        const RATE_WINDOW: RateWindow = RateWindow {
            window: Duration::from_secs(60),
            margin: Duration::from_secs(1),
        };

        fn shape(&self, (): &()) -> Shape {
            Shape {
                limit: 3,
                budget: usize::MAX,
                fixed: 0,
                url_len: |_, url| url.len(),
                url_len_bound: |len| len,
            }
        }
        fn batch(&self, (): &(), urls: Vec<CdnUrl>) -> Vec<CdnUrl> {
            urls
        }
        fn narrow(&self, _: &Vec<CdnUrl>, urls: Vec<CdnUrl>) -> Vec<CdnUrl> {
            urls
        }
        fn urls(batch: &Vec<CdnUrl>) -> &[CdnUrl] {
            batch
        }
        fn into_urls(batch: Vec<CdnUrl>) -> Vec<CdnUrl> {
            batch
        }
        fn action(_: &Vec<CdnUrl>) -> &'static str {
            "Purge"
        }
        fn span(_: &Vec<CdnUrl>) -> tracing::Span {
            tracing::Span::none()
        }
        fn pace_key(_: &Vec<CdnUrl>) -> &'static str {
            "Purge"
        }
        fn prepare(&self, batch: &Vec<CdnUrl>, _: SignWith<'_>) -> Signed {
            let body: Vec<&str> = batch.iter().map(CdnUrl::as_str).collect();
            Ok(http::Request::post("http://127.0.0.1/")
                .body(Bytes::from(body.join("\n")))
                .unwrap())
        }
        fn classify(&self, _: &Vec<CdnUrl>, reply: Reply<'_>) -> Answer<String> {
            let response = reply.response;
            let class = match response.status().as_u16() {
                200 => {
                    return Answer::Accepted(String::from_utf8_lossy(response.body()).into_owned());
                }
                403 => Class::DailyQuotaExhausted,
                404 => Class::HostRefused,
                429 => Class::RateLimited,
                _ => Class::Retryable,
            };
            Answer::Refused {
                error: CallError::new(CallErrorKind::HttpStatus, "refused".into()),
                class,
            }
        }
        fn task_id(receipt: &String) -> Option<String> {
            Some(receipt.clone())
        }
        async fn reconcile<'a>(
            &'a self,
            lookup: Lookup<'a, Self>,
            _: &'a Vec<CdnUrl>,
        ) -> Reconciled {
            self.since.lock().unwrap().push(lookup.since_unix());
            let answer = match lookup.call(vec![lookup_url()]).await {
                Ok(Some(answer)) => answer,
                Ok(None) => return Reconciled::Found(Vec::new()),
                Err(error) => return Reconciled::Unknown(error),
            };
            Reconciled::Found(
                answer
                    .lines()
                    .map(|url| Applied {
                        url: url.parse().unwrap(),
                        task_id: Some("task-lost".into()),
                    })
                    .collect(),
            )
        }
    }

    fn core(transport: Arc<ScriptedTransport>) -> Core {
        let clock = ManualClock::new(1_700_000_000);
        core_with(
            transport,
            Arc::new(ManualSleeper::new(clock.clone())),
            clock,
        )
    }

    fn core_with(
        transport: Arc<dyn tcdn_transport::Transport>,
        sleeper: Arc<dyn crate::clock::Sleeper>,
        clock: ManualClock,
    ) -> Core {
        Core {
            transport,
            credentials: Arc::new(crate::credentials::RefreshingCredentials::fixed(
                crate::credentials::Credentials::new("AKIDexample", "secret").unwrap(),
            )),
            timeout: Duration::from_secs(5),
            retry: RetryPolicy::default().with_jitter(Jitter::None),
            concurrency: NonZeroUsize::MIN,
            batch_size: None,
            clock: Arc::new(clock.clone()),
            nonces: Arc::new(SequentialNonces::new(Nonce::MIN)),
            sleeper,
            pacing: None,
            rng: Mutex::new(fastrand::Rng::with_seed(1)),
            interrupt_grace: Duration::from_secs(5),
            server_clock: crate::core::skew::ServerClock::default(),
        }
    }

    fn urls(n: usize) -> Vec<CdnUrl> {
        (0..n)
            .map(|i| format!("https://a.example/{i}").parse().unwrap())
            .collect()
    }

    /// Submits `input` through `script` with the fake backend.
    fn submit_all(
        script: &Arc<ScriptedTransport>,
        input: &[CdnUrl],
        on_batch: impl FnMut(&BatchReport) + Send,
    ) -> Report {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(submit(
                Arc::new(core(script.clone())),
                Arc::new(Fake::default()),
                (),
                Operation::FlushUrls,
                input.iter().cloned().collect(),
                Cancel::new(),
                on_batch,
            ))
    }

    /// A batch refused for one of its hosts is sent again split by host:
    /// the other hosts' URLs succeed in their own calls, only the refused
    /// host's fail, each URL is sent once more at most, and the report
    /// keeps input order.
    #[test]
    fn a_batch_refused_for_a_host_is_split_by_host() {
        let input: Vec<CdnUrl> = [
            "https://a.example/0",
            "https://bad.example/1",
            "https://a.example/2",
            "https://c.example/3",
        ]
        .iter()
        .map(|u| u.parse().unwrap())
        .collect();
        let script = Arc::new(
            ScriptedTransport::new()
                .then_respond(404, "")
                .then_respond(200, "task-a")
                .then_respond(404, "")
                .then_respond(200, "task-c"),
        );
        let mut batches = Vec::new();
        let report = submit_all(&script, &input, |batch| {
            batches.push((batch.attempts, batch.requests, batch.error.is_some()));
        });
        let bodies: Vec<String> = script.requests().iter().map(|r| r.body_text()).collect();
        assert_eq!(
            bodies,
            [
                "https://a.example/0\nhttps://bad.example/1\nhttps://a.example/2",
                "https://a.example/0\nhttps://a.example/2",
                "https://bad.example/1",
                "https://c.example/3",
            ]
        );
        fn urls(list: &[CdnUrl]) -> Vec<&str> {
            list.iter().map(CdnUrl::as_str).collect()
        }
        assert_eq!(
            urls(&report.succeeded),
            [
                "https://a.example/0",
                "https://a.example/2",
                "https://c.example/3"
            ]
        );
        let failed: Vec<&str> = report.failed.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(failed, ["https://bad.example/1"]);
        assert_eq!(report.requests, 4);
        let tasks: Vec<(&str, Vec<&str>)> = report
            .tasks
            .iter()
            .map(|t| (t.task_id.as_str(), urls(&t.urls)))
            .collect();
        assert_eq!(
            tasks,
            [
                ("task-a", vec!["https://a.example/0", "https://a.example/2"]),
                ("task-c", vec!["https://c.example/3"]),
            ]
        );
        assert_eq!(batches, [(3, 3, true), (1, 1, false)]);
    }

    /// A batch of one host refused for it is not sent again.
    #[test]
    fn a_batch_of_one_host_refused_for_it_is_not_split() {
        let input: Vec<CdnUrl> = ["https://bad.example/1", "https://BAD.example/2"]
            .iter()
            .map(|u| u.parse().unwrap())
            .collect();
        let script = Arc::new(ScriptedTransport::new().then_respond(404, ""));
        let report = submit_all(&script, &input, |_| {});
        assert_eq!(script.requests().len(), 1);
        assert_eq!(report.failed.len(), 2);
        assert!(report.succeeded.is_empty());
    }

    /// The answer to the first call is lost; the lookup finds two of its
    /// three URLs applied, so only the third is sent again, and the report
    /// has every URL once, in input order, with both tasks.
    #[test]
    fn a_lost_answer_is_reconciled_before_resending() {
        let input = urls(3);
        let script = Arc::new(
            ScriptedTransport::new()
                .then_error(TransportError::timeout("the answer was lost"))
                .then_respond(200, "https://a.example/0\nhttps://a.example/2")
                .then_respond(200, "task-2"),
        );
        let backend = Arc::new(Fake::default());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let report = runtime.block_on(submit(
            Arc::new(core(script.clone())),
            backend.clone(),
            (),
            Operation::FlushUrls,
            input.iter().cloned().collect(),
            Cancel::new(),
            |_| {},
        ));
        let bodies: Vec<String> = script.requests().iter().map(|r| r.body_text()).collect();
        assert_eq!(
            bodies,
            [
                "https://a.example/0\nhttps://a.example/1\nhttps://a.example/2",
                "https://lookup.invalid/",
                "https://a.example/1",
            ]
        );
        assert_eq!(*backend.since.lock().unwrap(), [1_700_000_000]);
        assert_eq!(report.succeeded, input);
        assert!(report.failed.is_empty() && report.not_sent.is_empty());
        assert_eq!(report.requests, 3, "the lookup's request counts");
        let tasks: Vec<(&str, Vec<&str>)> = report
            .tasks
            .iter()
            .map(|t| {
                (
                    t.task_id.as_str(),
                    t.urls.iter().map(CdnUrl::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            tasks,
            [
                (
                    "task-lost",
                    vec!["https://a.example/0", "https://a.example/2"]
                ),
                ("task-2", vec!["https://a.example/1"]),
            ]
        );
        assert_eq!(report.batches[0].url_count, 3);
    }

    /// When the lookup finds every URL applied, nothing is sent again.
    #[test]
    fn a_lookup_that_finds_everything_ends_the_call() {
        let input = urls(2);
        let script = Arc::new(
            ScriptedTransport::new()
                .then_error(TransportError::timeout("the answer was lost"))
                .then_respond(200, "https://a.example/1\nhttps://a.example/0"),
        );
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let report = runtime.block_on(submit(
            Arc::new(core(script.clone())),
            Arc::new(Fake::default()),
            (),
            Operation::FlushUrls,
            input.iter().cloned().collect(),
            Cancel::new(),
            |_| {},
        ));
        script.assert_sent(2);
        assert_eq!(report.succeeded, input);
        assert_eq!(report.tasks.len(), 1);
        assert_eq!(report.tasks[0].urls.len(), 2);
    }

    /// When the lookup itself keeps failing, it is retried for as long as
    /// the call's own attempts could have taken (5 × 5 s), and then the
    /// URLs fail as maybe applied: they are never sent again.
    #[test]
    fn a_failed_lookup_never_resends() {
        let input = urls(3);
        let mut script =
            ScriptedTransport::new().then_error(TransportError::io("the answer was lost"));
        for _ in 0..20 {
            script = script.then_respond(503, "busy");
        }
        let script = Arc::new(script);
        let report = run(core(script.clone()), &input, Cancel::new(), |_| {});
        let bodies: Vec<String> = script.requests().iter().map(|r| r.body_text()).collect();
        assert_eq!(
            bodies.iter().filter(|b| b.contains("a.example/0")).count(),
            1,
            "{bodies:?}"
        );
        assert!(bodies.len() > 2, "the lookup was retried: {bodies:?}");
        assert!(report.succeeded.is_empty() && report.not_sent.is_empty());
        assert_eq!(report.failed.len(), 3);
        for failure in &report.failed {
            assert!(failure.maybe_applied);
            assert!(
                failure.message.contains("not sent again"),
                "{}",
                failure.message
            );
        }
    }

    fn run(
        core: Core,
        input: &[CdnUrl],
        cancel: Cancel,
        on_batch: impl FnMut(&BatchReport) + Send,
    ) -> Report {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        runtime.block_on(submit(
            Arc::new(core),
            Arc::new(Fake::default()),
            (),
            Operation::FlushUrls,
            input.iter().cloned().collect(),
            cancel,
            on_batch,
        ))
    }

    fn not_sent(report: &Report) -> Vec<(&str, NotSentReason)> {
        report
            .not_sent
            .iter()
            .map(|n| (n.url.as_str(), n.reason))
            .collect()
    }

    /// An interrupt after the first batch: the other two are never sent,
    /// and every URL is reported once.
    #[test]
    fn an_interrupt_stops_new_batches_and_reports_them_not_sent() {
        let input = urls(9);
        let script = Arc::new(ScriptedTransport::new().then_respond(200, "task-0"));
        let cancel = Cancel::new();
        let handle = cancel.clone();
        let report = run(core(script.clone()), &input, cancel, move |_| {
            handle.cancel()
        });
        script.assert_sent(1);
        assert_eq!(report.succeeded, input[..3]);
        assert!(report.failed.is_empty());
        let expected: Vec<_> = input[3..]
            .iter()
            .map(|u| (u.as_str(), NotSentReason::Interrupted))
            .collect();
        assert_eq!(not_sent(&report), expected);
        assert!(!report.is_success());
    }

    /// A request in flight when the run is interrupted gets the grace, then
    /// is given up: its URLs fail as maybe applied, the rest are not sent.
    #[test]
    fn an_interrupt_gives_up_a_request_in_flight_after_the_grace() {
        let input = urls(6);
        let silent = Arc::new(tcdn_transport::mock::SilentTransport::new());
        let clock = ManualClock::new(1_700_000_000);
        let mut core = core_with(silent.clone(), Arc::new(crate::clock::TokioSleeper), clock);
        core.timeout = Duration::from_secs(300);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        let cancel = Cancel::new();
        let report = runtime.block_on(async {
            let watcher = tokio::spawn({
                let (silent, cancel) = (silent.clone(), cancel.clone());
                async move {
                    while silent.received() == 0 {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                    cancel.cancel();
                }
            });
            let started = tokio::time::Instant::now();
            let report = submit(
                Arc::new(core),
                Arc::new(Fake::default()),
                (),
                Operation::FlushUrls,
                input.iter().cloned().collect(),
                cancel,
                |_| {},
            )
            .await;
            watcher.await.unwrap();
            // The grace (5 s), not the attempt's timeout (300 s), ended it.
            assert!(started.elapsed() < Duration::from_secs(60));
            report
        });
        assert_eq!(silent.received(), 1);
        assert!(report.succeeded.is_empty());
        let failed: Vec<(&str, bool)> = report
            .failed
            .iter()
            .map(|f| (f.url.as_str(), f.maybe_applied))
            .collect();
        assert_eq!(
            failed,
            input[..3]
                .iter()
                .map(|u| (u.as_str(), true))
                .collect::<Vec<_>>()
        );
        assert!(report.failed[0].message.contains("interrupted"));
        assert_eq!(report.not_sent.len(), 3);
        assert_eq!(report.requests, 1);
    }

    /// After a daily-quota refusal nothing more is sent: the rest of the
    /// plan is reported not sent, with that reason.
    #[test]
    fn a_daily_quota_refusal_stops_the_submission() {
        let input = urls(12);
        let script = Arc::new(
            ScriptedTransport::new()
                .then_respond(200, "task-0")
                .then_respond(403, "quota"),
        );
        let report = run(core(script.clone()), &input, Cancel::new(), |_| {});
        script.assert_sent(2);
        assert_eq!(report.succeeded, input[..3]);
        assert_eq!(report.failed.len(), 3);
        let expected: Vec<_> = input[6..]
            .iter()
            .map(|u| (u.as_str(), NotSentReason::DailyQuotaExhausted))
            .collect();
        assert_eq!(not_sent(&report), expected);
    }

    /// Five attempts in a row that reach no server, across batches, stop
    /// the submission: not 5 attempts for each of the batches. No request
    /// left, so every URL is reported not sent, not failed.
    #[test]
    fn a_dead_endpoint_stops_the_submission() {
        let refusing = |n| {
            let mut script = ScriptedTransport::new();
            for _ in 0..n {
                script = script.then_error(TransportError::connect("refused"));
            }
            Arc::new(script)
        };
        let unreachable = |input: &[CdnUrl]| -> Vec<(String, NotSentReason)> {
            input
                .iter()
                .map(|u| (u.as_str().to_owned(), NotSentReason::EndpointUnreachable))
                .collect()
        };
        let owned = |report: &Report| -> Vec<(String, NotSentReason)> {
            not_sent(report)
                .into_iter()
                .map(|(u, r)| (u.to_owned(), r))
                .collect()
        };
        let input = urls(9);
        let script = refusing(20);
        let mut two_attempts = core(script.clone());
        two_attempts.retry = RetryPolicy::default()
            .with_max_attempts(std::num::NonZeroU32::new(2).unwrap())
            .with_jitter(Jitter::None);
        let report = run(two_attempts, &input, Cancel::new(), |_| {});
        // Batches 0 and 1 fail after two attempts each, batch 2 after one
        // (the fifth in a row), and nothing else is sent.
        script.assert_sent(5);
        assert!(report.failed.is_empty(), "{:?}", report.failed);
        assert_eq!(owned(&report), unreachable(&input));
        assert_eq!(report.batches.len(), 3, "the batches tried are reported");

        let input = urls(30);
        let script = refusing(5);
        let report = run(core(script.clone()), &input, Cancel::new(), |_| {});
        script.assert_sent(5);
        assert!(report.failed.is_empty());
        assert_eq!(owned(&report), unreachable(&input));
    }

    /// Attempts that time out count toward the same streak: a server that
    /// takes connections and never answers stops the submission after five
    /// timeouts, and the batches never started are not sent as
    /// `endpoint_unresponsive`; the ones tried failed as maybe applied.
    #[test]
    fn a_silent_endpoint_stops_the_submission() {
        let input = urls(30);
        let mut script = ScriptedTransport::new();
        for _ in 0..6 {
            script = script.then_error(TransportError::timeout("no answer"));
        }
        let script = Arc::new(script);
        let mut two_attempts = core(script.clone());
        two_attempts.retry = RetryPolicy::default()
            .with_max_attempts(std::num::NonZeroU32::new(2).unwrap())
            .with_jitter(Jitter::None);
        let report = run(two_attempts, &input, Cancel::new(), |_| {});
        // Batch 0's attempt, then its lookup for 2 × 5 s: at 1 s, 3 s and
        // 7 s (the last with a timeout cut to the 3 s left, which does not
        // count); then batch 1's attempt is the fifth timeout in a row.
        script.assert_sent(6);
        assert!(report.succeeded.is_empty());
        assert!(report.failed.iter().all(|f| f.maybe_applied));
        assert_eq!(report.failed.len() + report.not_sent.len(), 30);
        assert!(!report.not_sent.is_empty());
        assert!(
            report
                .not_sent
                .iter()
                .all(|n| n.reason == NotSentReason::EndpointUnresponsive),
            "{:?}",
            report.not_sent
        );
    }

    /// A rate-limit refusal is retried after the server's whole window, not
    /// after the 1 s backoff.
    #[test]
    fn a_rate_limit_refusal_waits_for_the_window() {
        let input = urls(1);
        let script = Arc::new(
            ScriptedTransport::new()
                .then_respond(429, "slow down")
                .then_respond(200, "task-0"),
        );
        let clock = ManualClock::new(1_700_000_000);
        let sleeper = ManualSleeper::new(clock.clone());
        let report = run(
            core_with(script.clone(), Arc::new(sleeper.clone()), clock),
            &input,
            Cancel::new(),
            |_| {},
        );
        assert_eq!(report.succeeded, input);
        assert_eq!(sleeper.sleeps(), [Duration::from_secs(61)]);
    }

    #[test]
    fn rate_limits_per_minute_scale_to_the_window() {
        let second = RateWindow {
            window: Duration::from_secs(1),
            margin: Duration::ZERO,
        };
        assert_eq!(second.limit(1200), 20);
        assert_eq!(second.limit(30), 1, "at least one per window");
        assert_eq!(second.limit(0), 0);
        let minute = RateWindow {
            window: Duration::from_secs(60),
            margin: Duration::from_secs(1),
        };
        assert_eq!(minute.limit(100), 100);
    }
}
