//! API 3.0 against the emulator under the faults that lose answers: lookups
//! that fail, a client clock off from the server's, URLs long enough that a
//! lookup's answer needs pages, a server slower than the timeout, a rate
//! limit lower than the client was told, and any mix of them. Whatever
//! happens, the emulator accepts no URL twice, every URL is reported once,
//! and a URL the emulator applied is never reported as not applied.
//!
//! Waiting is compressed as in `faults.rs`: both clocks are manual and the
//! client's sleeper advances them together once no request is in flight, so
//! backoff, pacing and lookup budgets take no real time. The client's own
//! per-attempt timeout therefore never fires; the transport's real total
//! timeout bounds each exchange instead, and a server slower than it is
//! made with the emulator's (real) latency.

mod compressed;

use compressed::{CompressedTime, Tracked};
use std::collections::{BTreeMap, BTreeSet};
use std::num::{NonZeroU32, NonZeroUsize};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use proptest::prelude::*;
use tcdn::report::NotSentReason;
use tcdn::transport::{HyperTransport, Transport, TransportError, async_trait};
use tcdn::{
    Api, Areas, CdnUrl, Client, Credentials, Endpoint, Report, RetryPolicy, test_util::ManualClock,
};
use tcdn_emulator::{Config, Credential, Emulator, Faults, InjectedError, RunningEmulator};
use tokio::sync::watch;

const ID: &str = "AKIDfaultsV3";
const KEY: &str = "faults-v3-secret-key";
const START: u64 = 1_800_000_000;

struct Setup {
    faults: Faults,
    inject_errors: Vec<InjectedError>,
    emulator_rate_limit: u32,
    /// Per minute; the client scales it to API 3.0's one-second window.
    client_rate_limit: u32,
    client_clock_offset: i64,
    concurrency: usize,
    batch_size: usize,
    /// The transport's real total timeout for one exchange.
    attempt_timeout: Duration,
    retry: RetryPolicy,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            faults: Faults::default(),
            inject_errors: Vec::new(),
            emulator_rate_limit: 0,
            client_rate_limit: 0,
            client_clock_offset: 0,
            concurrency: 4,
            batch_size: 4,
            attempt_timeout: Duration::from_secs(7),
            retry: RetryPolicy::default()
                .with_max_attempts(NonZeroU32::new(8).unwrap())
                .with_base_delay(Duration::from_millis(200))
                .with_max_delay(Duration::from_secs(5))
                .with_total_deadline(Some(Duration::from_secs(600))),
        }
    }
}

struct Run {
    report: Report,
    /// Every URL the emulator accepted, once per acceptance.
    accepted: Vec<String>,
}

fn urls(prefix: &str, n: usize, pad: usize) -> Vec<CdnUrl> {
    let padding = "p".repeat(pad);
    (0..n)
        .map(|i| {
            format!("https://www.example.com/{prefix}/{i}.css?{padding}")
                .parse()
                .unwrap()
        })
        .collect()
}

async fn run(setup: Setup, input: &[CdnUrl]) -> Run {
    let emulator_clock = tcdn_emulator::ManualClock::at(START as i64);
    let mut config = Config::new(vec![Credential::new(ID, KEY)]);
    config.faults = setup.faults;
    let latency = setup.faults.latency;
    config.inject_errors = setup.inject_errors;
    config.v3_rate_limit_per_second = setup.emulator_rate_limit;
    let running: RunningEmulator = Emulator::with_clock(config, Arc::new(emulator_clock.clone()))
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client_clock = ManualClock::new(START.saturating_add_signed(setup.client_clock_offset));
    let (in_flight, watching) = watch::channel(0);
    let transport = Arc::new(Tracked {
        inner: HyperTransport::builder()
            .total_timeout(setup.attempt_timeout)
            .build()
            .unwrap(),
        in_flight,
    });
    let sleeper = Arc::new(CompressedTime {
        client: client_clock.clone(),
        emulator: emulator_clock,
        in_flight: watching,
    });
    let client = Client::builder(Credentials::new(ID, KEY).unwrap())
        .api(Api::V3)
        .endpoint(Endpoint::parse_for(Api::V3, running.origin()).unwrap())
        .transport(transport)
        .timeout(setup.attempt_timeout)
        .retry_policy(setup.retry)
        .rate_limit_per_minute(setup.client_rate_limit)
        .batch_size(NonZeroUsize::new(setup.batch_size))
        .concurrency(NonZeroUsize::new(setup.concurrency).unwrap())
        .clock(Arc::new(client_clock.clone()))
        .sleeper(sleeper)
        .jitter_seed(5)
        .build()
        .unwrap();
    let report = tokio::time::timeout(
        Duration::from_secs(120),
        client.flush_urls(Areas::Mainland, input.to_vec()),
    )
    .await
    .expect("the run finished in bounded real time");
    // A request the client gave up on is still applied once the emulator's
    // latency is over: let it finish before counting.
    tokio::time::sleep(latency * 2).await;
    let accepted = running
        .emulator()
        .tasks()
        .into_iter()
        .flat_map(|task| task.urls)
        .collect();
    running.shutdown().await.unwrap();
    Run { report, accepted }
}

/// The invariants every run keeps, whatever the faults: each URL has
/// exactly one outcome, none was accepted twice, every URL reported
/// succeeded was accepted, and every URL accepted is reported succeeded or
/// failed as maybe applied (never not sent, never plainly failed).
fn check_accounting(run: &Run, input: &[CdnUrl]) -> Result<(), TestCaseError> {
    let mut outcome: BTreeMap<&str, String> = BTreeMap::new();
    let reported = run
        .report
        .succeeded
        .iter()
        .map(|url| (url, "succeeded".to_owned()))
        .chain(
            run.report
                .failed
                .iter()
                .map(|f| (&f.url, format!("failed maybe_applied={}", f.maybe_applied))),
        )
        .chain(
            run.report
                .not_sent
                .iter()
                .map(|n| (&n.url, format!("not_sent {}", n.reason))),
        );
    for (url, what) in reported {
        let previous = outcome.insert(url.as_str(), what);
        prop_assert!(previous.is_none(), "{} reported twice", url.as_str());
    }
    let expected: BTreeSet<&str> = input.iter().map(CdnUrl::as_str).collect();
    prop_assert_eq!(
        outcome.keys().copied().collect::<BTreeSet<_>>(),
        expected,
        "every URL has an outcome"
    );
    let mut accepted: BTreeMap<&str, usize> = BTreeMap::new();
    for url in &run.accepted {
        *accepted.entry(url.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = accepted.iter().filter(|(_, n)| **n > 1).collect();
    prop_assert!(twice.is_empty(), "accepted more than once: {twice:?}");
    for url in &run.report.succeeded {
        prop_assert!(
            accepted.contains_key(url.as_str()),
            "{} reported succeeded but never accepted",
            url.as_str()
        );
    }
    for url in accepted.keys() {
        let said = &outcome[url];
        prop_assert!(
            said == "succeeded" || said == "failed maybe_applied=true",
            "{url} was applied but reported {said}"
        );
    }
    Ok(())
}

fn check(run: &Run, input: &[CdnUrl]) {
    if let Err(error) = check_accounting(run, input) {
        panic!("{error}");
    }
}

/// Lost answers and lookups that fail: every lookup is refused with
/// `InternalError`, so nothing lost can be confirmed; those URLs fail as
/// maybe applied and are never sent again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_that_fail_never_resend() {
    let input = urls("failing-lookups", 40, 0);
    let run = run(
        Setup {
            faults: Faults {
                lose_answer_rate: 0.5,
                seed: 11,
                ..Faults::default()
            },
            inject_errors: vec!["DescribePurgeTasks=InternalError".parse().unwrap()],
            ..Setup::default()
        },
        &input,
    )
    .await;
    check(&run, &input);
    let maybe: Vec<_> = run
        .report
        .failed
        .iter()
        .filter(|f| f.maybe_applied)
        .collect();
    assert!(!maybe.is_empty(), "some answers were lost");
    assert_eq!(maybe.len(), run.report.failed.len());
    assert!(
        maybe[0].message.contains("not sent again"),
        "{}",
        maybe[0].message
    );
    assert_eq!(
        run.accepted.len(),
        run.report.succeeded.len() + maybe.len(),
        "every lost batch was applied once, and only once"
    );
}

/// The client's clock 5 s ahead of the server's (and, in a second run, 5 s
/// behind): the lookup's window follows the server's `Date`, so lost
/// answers are found, not resent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_clock_off_by_seconds_still_finds_lost_answers() {
    for offset in [5, -5] {
        let input = urls(&format!("skew{offset}"), 40, 0);
        let run = run(
            Setup {
                faults: Faults {
                    lose_answer_rate: 0.5,
                    seed: 12,
                    ..Faults::default()
                },
                client_clock_offset: offset,
                ..Setup::default()
            },
            &input,
        )
        .await;
        check(&run, &input);
        assert!(
            run.report.is_success(),
            "offset {offset}: {:?}",
            run.report.failed.first()
        );
        assert_eq!(run.accepted.len(), input.len());
    }
}

/// URLs of about 1 KB: a lookup of a host's tasks needs more than one page
/// to fit the transport's 1 MiB answer cap, and still finds every lost
/// answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_of_long_urls_page_within_the_answer_cap() {
    let input = urls("long", 1000, 1000);
    let run = run(
        Setup {
            faults: Faults {
                lose_answer_rate: 0.5,
                seed: 13,
                ..Faults::default()
            },
            batch_size: 100,
            concurrency: 1,
            ..Setup::default()
        },
        &input,
    )
    .await;
    check(&run, &input);
    assert!(run.report.is_success(), "{:?}", run.report.failed.first());
    assert_eq!(run.accepted.len(), input.len());
}

/// A server slower than the timeout: every exchange times out (lookups
/// too), nothing is resent, and after five timeouts in a row the run stops;
/// the batches never started are not sent, `endpoint_unresponsive`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_slower_than_the_timeout_is_never_sent_a_url_twice() {
    let input = urls("slow", 80, 0);
    let run = run(
        Setup {
            faults: Faults {
                latency: Duration::from_millis(400),
                ..Faults::default()
            },
            attempt_timeout: Duration::from_millis(150),
            ..Setup::default()
        },
        &input,
    )
    .await;
    check(&run, &input);
    assert!(run.report.succeeded.is_empty());
    assert!(run.report.failed.iter().all(|f| f.maybe_applied));
    assert!(!run.report.not_sent.is_empty());
    assert!(
        run.report
            .not_sent
            .iter()
            .all(|n| n.reason == NotSentReason::EndpointUnresponsive)
    );
}

/// A rate limit lower than the client was told (5 a second against 20):
/// the refusals halve the client's pace, and no URL fails for them, even
/// with only 3 retries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lower_rate_limit_slows_the_client_down_and_fails_nothing() {
    let input = urls("rate", 120, 0);
    let run = run(
        Setup {
            emulator_rate_limit: 5,
            client_rate_limit: 1200,
            batch_size: 1,
            concurrency: 1,
            retry: RetryPolicy::default()
                .with_retries(3)
                .with_base_delay(Duration::from_millis(200))
                .with_max_delay(Duration::from_secs(5)),
            ..Setup::default()
        },
        &input,
    )
    .await;
    check(&run, &input);
    assert!(run.report.is_success(), "{:?}", run.report.failed.first());
    assert_eq!(run.accepted.len(), input.len());
    // One refusal halves the pace and it grows back a send per window: a
    // refusal every few windows. At a fixed pace of 20 it would be one
    // every window (23 here).
    let refusals = run.report.requests - input.len();
    assert!(refusals <= 12, "{refusals} rate-limit refusals");
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 6,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Any mix of dropped connections, failures, lost answers and a slow
    /// server: no URL accepted twice, every URL reported once, applied ones
    /// never as not applied.
    #[test]
    fn no_mix_of_faults_applies_a_url_twice(
        drop_rate in 0.0f64..0.3,
        fail_rate in 0.0f64..0.3,
        lose_answer_rate in 0.0f64..0.6,
        slow in proptest::bool::weighted(0.25),
        lookup_fail_rate in 0.0f64..0.5,
        seed in any::<u64>(),
        offset in -10i64..10,
    ) {
        let input = urls(&format!("mix{seed}"), 24, 0);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let lookup_errors = format!("DescribePurgeTasks=InternalError:{lookup_fail_rate}");
        let run = runtime.block_on(run(
            Setup {
                faults: Faults {
                    latency: if slow { Duration::from_millis(300) } else { Duration::ZERO },
                    drop_rate,
                    fail_rate,
                    lose_answer_rate,
                    seed,
                },
                inject_errors: vec![lookup_errors.parse().unwrap()],
                client_clock_offset: offset,
                attempt_timeout: if slow { Duration::from_millis(100) } else { Duration::from_secs(5) },
                ..Setup::default()
            },
            &input,
        ));
        check_accounting(&run, &input)?;
    }
}

/// Loses the first `PurgeUrlsCache` request as a reset connection would:
/// it never reaches the server, but the client cannot know that.
#[derive(Debug)]
struct ResetFirstPurge {
    inner: Tracked,
    reset: std::sync::atomic::AtomicBool,
}

#[async_trait]
impl Transport for ResetFirstPurge {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let purge = request
            .headers()
            .get("x-tc-action")
            .is_some_and(|action| action == "PurgeUrlsCache");
        if purge && !self.reset.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return Err(TransportError::io("connection reset by peer"));
        }
        self.inner.send(request).await
    }
}

/// A second run of the same URLs 10 s after a first, whose own purge never
/// reached the server: its lookup (asked before any answer dated the
/// server's clock) sees the first run's task, but that task was created
/// before this run's first attempt, so it is not taken for this run's; the
/// URLs are sent again and reported with the second run's own task.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_is_not_credited_with_the_first_runs_task() {
    let input = urls("again", 3, 0);
    let emulator_clock = tcdn_emulator::ManualClock::at(START as i64);
    let mut config = Config::new(vec![Credential::new(ID, KEY)]);
    config.v3_rate_limit_per_second = 0;
    let running = Emulator::with_clock(config, Arc::new(emulator_clock.clone()))
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client_clock = ManualClock::new(START);
    let client = |transport: Arc<dyn Transport>, in_flight: watch::Receiver<usize>| {
        Client::builder(Credentials::new(ID, KEY).unwrap())
            .api(Api::V3)
            .endpoint(Endpoint::parse_for(Api::V3, running.origin()).unwrap())
            .transport(transport)
            .retry_policy(Setup::default().retry)
            .clock(Arc::new(client_clock.clone()))
            .sleeper(Arc::new(CompressedTime {
                client: client_clock.clone(),
                emulator: emulator_clock.clone(),
                in_flight,
            }))
            .jitter_seed(5)
            .build()
            .unwrap()
    };
    let tracked = || {
        let (in_flight, watching) = watch::channel(0);
        let transport = Tracked {
            inner: HyperTransport::builder()
                .total_timeout(Duration::from_secs(7))
                .build()
                .unwrap(),
            in_flight,
        };
        (transport, watching)
    };
    let (first, watching) = tracked();
    let report = client(Arc::new(first), watching)
        .flush_urls(Areas::Mainland, input.clone())
        .await;
    assert!(report.is_success(), "{:?}", report.failed.first());
    let first_task = report.tasks[0].task_id.clone();

    client_clock.advance(Duration::from_secs(10));
    emulator_clock.advance_millis(10_000);
    let (second, watching) = tracked();
    let resetting = Arc::new(ResetFirstPurge {
        inner: second,
        reset: std::sync::atomic::AtomicBool::new(false),
    });
    let report = client(resetting, watching)
        .flush_urls(Areas::Mainland, input.clone())
        .await;
    assert_eq!(report.succeeded, input, "{:?}", report.failed.first());
    assert_eq!(report.tasks.len(), 1);
    assert_ne!(report.tasks[0].task_id, first_task);
    assert_eq!(running.emulator().tasks().len(), 2, "sent again, once");
    running.shutdown().await.unwrap();
}
