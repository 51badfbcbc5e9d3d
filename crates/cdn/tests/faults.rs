//! The client against the emulator under faults, each alone and all
//! together: latency, HTTP 5xx, dropped connections, the rate limit and a
//! stale clock. Whatever happens, every URL has exactly one outcome, the
//! emulator applied exactly the URLs the client reports as succeeded, the
//! total deadline holds, and nothing panics.
//!
//! Waiting is compressed: the client's clock and the emulator's clock are
//! both manual, and the client's sleeper advances them together, so a minute
//! of rate-limit pacing or backoff takes no real time. No simulated wait
//! ends while one of the client's requests is in flight, so simulated time
//! never cuts an HTTP exchange short: the client's own per-attempt timeout
//! (a wait raced against its request) cannot fire, and the transport's real
//! total timeout of [`ATTEMPT_TIMEOUT`] bounds every exchange instead. The
//! sleeper is never told what a wait is for.

mod compressed;

use compressed::{CompressedTime, Tracked};
use std::collections::BTreeSet;
use std::num::{NonZeroU32, NonZeroUsize};
use std::sync::Arc;
use std::time::Duration;

use tcdn::transport::HyperTransport;
use tcdn::{
    Api, Areas, CdnUrl, Client, Credentials, Endpoint, Report, RetryPolicy,
    clock::Clock,
    error::{CallErrorKind, GaveUp},
    test_util::ManualClock,
};
use tcdn_emulator::{Config, Credential, Emulator, Faults, RunningEmulator};
use tokio::sync::watch;

const ID: &str = "AKIDfaultMatrix";
const KEY: &str = "fault-matrix-secret-key";
const START: u64 = 1_800_000_000;
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(7);

struct Setup {
    faults: Faults,
    /// Requests in flight at once. Tests that measure simulated time use 1:
    /// concurrent sleepers would each advance the shared clock by their own
    /// wait, adding up waits that really overlap.
    concurrency: usize,
    emulator_rate_limit: u32,
    client_rate_limit: u32,
    client_clock_offset: i64,
    retry: RetryPolicy,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            faults: Faults::default(),
            concurrency: 4,
            emulator_rate_limit: 0,
            client_rate_limit: 0,
            client_clock_offset: 0,
            retry: RetryPolicy::default()
                .with_max_attempts(NonZeroU32::new(12).unwrap())
                .with_base_delay(Duration::from_millis(200))
                .with_max_delay(Duration::from_secs(5))
                .with_total_deadline(Some(Duration::from_secs(600))),
        }
    }
}

struct Run {
    report: Report,
    accepted: Vec<String>,
    simulated: Duration,
}

fn urls(n: usize) -> Vec<CdnUrl> {
    (0..n)
        .map(|i| {
            format!("https://www.example.com/matrix/{i}.css")
                .parse()
                .unwrap()
        })
        .collect()
}

async fn run(setup: Setup, input: &[CdnUrl]) -> Run {
    let emulator_clock = tcdn_emulator::ManualClock::at(START as i64);
    let mut config = Config::new(vec![Credential::new(ID, KEY)]);
    config.faults = setup.faults;
    config.rate_limit_per_minute = setup.emulator_rate_limit;
    let running: RunningEmulator = Emulator::with_clock(config, Arc::new(emulator_clock.clone()))
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client_clock = ManualClock::new(START.saturating_add_signed(setup.client_clock_offset));
    let (in_flight, watching) = watch::channel(0);
    let transport = Arc::new(Tracked {
        inner: HyperTransport::builder()
            .total_timeout(ATTEMPT_TIMEOUT)
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
        .api(Api::V2)
        .endpoint(running.endpoint().parse::<Endpoint>().unwrap())
        .transport(transport)
        .timeout(ATTEMPT_TIMEOUT)
        .retry_policy(setup.retry)
        .rate_limit_per_minute(setup.client_rate_limit)
        .batch_size(NonZeroUsize::new(4))
        .concurrency(NonZeroUsize::new(setup.concurrency).unwrap())
        .clock(Arc::new(client_clock.clone()))
        .sleeper(sleeper)
        .jitter_seed(5)
        .build()
        .unwrap();
    let started = client_clock.monotonic();
    let report = tokio::time::timeout(
        Duration::from_secs(60),
        client.flush_urls(Areas::Both, input.to_vec()),
    )
    .await
    .expect("the run finished in bounded real time");
    let simulated = client_clock.monotonic() - started;
    let accepted = running
        .emulator()
        .tasks()
        .into_iter()
        .flat_map(|task| task.urls)
        .collect();
    running.shutdown().await.unwrap();
    Run {
        report,
        accepted,
        simulated,
    }
}

/// The invariants every run keeps, whatever the faults.
fn check_accounting(run: &Run, input: &[CdnUrl]) {
    let succeeded: Vec<&str> = run.report.succeeded.iter().map(CdnUrl::as_str).collect();
    let failed: Vec<&str> = run.report.failed.iter().map(|f| f.url.as_str()).collect();
    let mut outcomes: Vec<&str> = succeeded.iter().chain(&failed).copied().collect();
    outcomes.sort_unstable();
    let mut expected: Vec<&str> = input.iter().map(CdnUrl::as_str).collect();
    expected.sort_unstable();
    assert_eq!(outcomes, expected, "every URL has exactly one outcome");
    let accepted: BTreeSet<&str> = run.accepted.iter().map(String::as_str).collect();
    assert_eq!(
        accepted.len(),
        run.accepted.len(),
        "nothing was applied twice"
    );
    assert_eq!(
        accepted,
        succeeded.iter().copied().collect::<BTreeSet<_>>(),
        "the emulator applied exactly what the client calls succeeded"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_alone() {
    let input = urls(24);
    let run = run(
        Setup {
            faults: Faults {
                latency: Duration::from_millis(20),
                ..Faults::default()
            },
            ..Setup::default()
        },
        &input,
    )
    .await;
    check_accounting(&run, &input);
    assert!(run.report.is_success());
    assert_eq!(run.report.requests, 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_alone() {
    let input = urls(40);
    let run = run(
        Setup {
            faults: Faults {
                fail_rate: 0.4,
                seed: 3,
                ..Faults::default()
            },
            ..Setup::default()
        },
        &input,
    )
    .await;
    check_accounting(&run, &input);
    assert!(run.report.is_success(), "{:?}", run.report.failed.first());
    assert!(run.report.requests > 10, "5xx were retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connections_alone() {
    let input = urls(40);
    let run = run(
        Setup {
            faults: Faults {
                drop_rate: 0.4,
                seed: 4,
                ..Faults::default()
            },
            ..Setup::default()
        },
        &input,
    )
    .await;
    check_accounting(&run, &input);
    assert!(run.report.is_success(), "{:?}", run.report.failed.first());
    assert!(run.report.requests > 10, "drops were retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_with_pacing_gets_no_refusal_and_takes_what_the_limit_allows() {
    let input = urls(48); // 12 requests at a limit of 5 per minute
    let run = run(
        Setup {
            emulator_rate_limit: 5,
            client_rate_limit: 5,
            concurrency: 1,
            ..Setup::default()
        },
        &input,
    )
    .await;
    check_accounting(&run, &input);
    assert!(run.report.is_success(), "{:?}", run.report.failed.first());
    assert_eq!(run.report.requests, 12, "no 4400 refusal, so no retry");
    // 12 calls at 5 per minute: the third window opens after 2 minutes.
    let allowed = Duration::from_secs(120);
    assert!(run.simulated >= allowed, "{:?}", run.simulated);
    assert!(run.simulated <= allowed.mul_f64(1.1), "{:?}", run.simulated);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_without_pacing_is_retried_after_4400() {
    let input = urls(32); // 8 requests at a limit of 5 per minute
    let run = run(
        Setup {
            emulator_rate_limit: 5,
            client_rate_limit: 0,
            // Backoff must be able to wait out a minute-long window.
            retry: RetryPolicy::default()
                .with_max_attempts(NonZeroU32::new(20).unwrap())
                .with_base_delay(Duration::from_secs(1))
                .with_max_delay(Duration::from_secs(30)),
            ..Setup::default()
        },
        &input,
    )
    .await;
    check_accounting(&run, &input);
    assert!(run.report.is_success(), "{:?}", run.report.failed.first());
    assert!(run.report.requests > 8, "4400 refusals were retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_clock_fails_every_url_once_without_retrying() {
    let input = urls(12);
    let run = run(
        Setup {
            client_clock_offset: -3 * 3600,
            ..Setup::default()
        },
        &input,
    )
    .await;
    check_accounting(&run, &input);
    assert!(run.report.succeeded.is_empty());
    assert_eq!(run.report.requests, 3, "clock skew is not retried");
    for failure in &run.report.failed {
        assert_eq!(failure.code, Some(4500));
        assert!(failure.message.contains("clock"), "{}", failure.message);
    }
    assert!(run.report.batches.iter().all(|b| {
        b.error
            .as_ref()
            .is_some_and(|e| e.kind() == CallErrorKind::ClockSkew)
    }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_faults_together() {
    let input = urls(60);
    let run = run(
        Setup {
            faults: Faults {
                latency: Duration::from_millis(5),
                fail_rate: 0.2,
                drop_rate: 0.2,
                seed: 9,
                ..Faults::default()
            },
            emulator_rate_limit: 20,
            client_rate_limit: 20,
            concurrency: 1,
            ..Setup::default()
        },
        &input,
    )
    .await;
    check_accounting(&run, &input);
    assert!(run.report.is_success(), "{:?}", run.report.failed.first());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_total_deadline_holds_when_the_server_never_succeeds() {
    let input = urls(8);
    let deadline = Duration::from_secs(20);
    let run = run(
        Setup {
            faults: Faults {
                fail_rate: 1.0,
                ..Faults::default()
            },
            retry: RetryPolicy::default()
                .with_max_attempts(NonZeroU32::new(1000).unwrap())
                .with_base_delay(Duration::from_secs(1))
                .with_max_delay(Duration::from_secs(4))
                .with_total_deadline(Some(deadline)),
            concurrency: 1,
            ..Setup::default()
        },
        &input,
    )
    .await;
    check_accounting(&run, &input);
    assert!(run.report.succeeded.is_empty());
    // The deadline is per call; the two batches ran one after the other.
    assert!(
        run.simulated <= deadline * 2,
        "{:?} > 2 × {deadline:?}",
        run.simulated
    );
    for batch in &run.report.batches {
        assert!(batch.attempts > 1, "retried until the deadline");
    }
    for failure in &run.report.failed {
        // Every attempt was answered (no exchange was cut short): the client
        // gave up before a backoff that would have passed the deadline.
        assert_eq!(failure.code, Some(6000), "{failure:?}");
        assert!(!failure.maybe_applied, "{failure:?}");
    }
    for batch in &run.report.batches {
        let error = batch.error.as_ref().expect("every batch failed");
        assert_eq!(error.gave_up(), GaveUp::DeadlineReached, "{error:?}");
    }
}
