//! Client behaviour against scripted transports, with an injected clock,
//! sleeper and nonces: batching, pacing, retries, deadlines and per-URL
//! accounting. Nothing sleeps for real.

use std::collections::HashMap;
use std::num::{NonZeroU32, NonZeroUsize};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use proptest::prelude::*;
use tcdn::test_util::mock::{
    FnTransport, RecordedRequest, ScriptedTransport, SilentTransport, response,
};
use tcdn::transport::{Transport, TransportError};
use tcdn::{
    Api, Areas, CdnUrl, Client, ClientBuilder, Credentials, FlushOrPush, HttpMethod, Operation,
    RetryPolicy, error::CallErrorKind, error::GaveUp, nonce::Nonce, retry::Jitter,
    test_util::ManualClock, test_util::ManualSleeper, test_util::SequentialNonces,
};

const OK: &str = r#"{"code":0,"message":"","codeDesc":"Success"}"#;
const START: u64 = 1_700_000_000;

struct Harness {
    clock: ManualClock,
    sleeper: ManualSleeper,
}

impl Harness {
    fn new() -> Self {
        let clock = ManualClock::new(START);
        let sleeper = ManualSleeper::new(clock.clone());
        Self { clock, sleeper }
    }

    fn builder(&self, transport: Arc<dyn Transport>) -> ClientBuilder {
        Client::builder(Credentials::new("AKIDtest", "test-secret-key").unwrap())
            .api(Api::V2)
            .transport(transport)
            .clock(Arc::new(self.clock.clone()))
            .sleeper(Arc::new(self.sleeper.clone()))
            .nonce_source(Arc::new(SequentialNonces::new(Nonce::new(1000).unwrap())))
            .retry_policy(RetryPolicy::default().with_jitter(Jitter::None))
            .rate_limit_per_minute(0)
    }
}

fn urls(n: usize) -> Vec<CdnUrl> {
    (0..n)
        .map(|i| {
            format!("https://www.example.com/assets/{i}.js")
                .parse()
                .unwrap()
        })
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// The decoded parameters of a recorded request (query or body).
fn params(request: &RecordedRequest) -> HashMap<String, String> {
    let form = if request.method == http::Method::GET {
        request.uri.query().unwrap_or("").as_bytes().to_vec()
    } else {
        request.body.to_vec()
    };
    tcdn::model::decode_form(&form)
        .unwrap()
        .into_iter()
        .collect()
}

fn url_count(request: &RecordedRequest) -> usize {
    params(request)
        .keys()
        .filter(|k| k.starts_with("urls."))
        .count()
}

fn envelope(code: i64, message: &str) -> String {
    serde_json::json!({ "code": code, "message": message }).to_string()
}

#[test]
fn batches_by_count_and_reports_every_url_in_order() {
    let harness = Harness::new();
    let script = Arc::new(
        ScriptedTransport::new()
            .then_respond(200, OK)
            .then_respond(200, OK)
            .then_respond(200, OK),
    );
    let client = harness
        .builder(script.clone())
        .concurrency(NonZeroUsize::MIN)
        .build()
        .unwrap();
    let input = urls(45);
    let report = runtime().block_on(client.push_urls(Areas::Both, input.clone()));
    script.assert_sent(3);
    let counts: Vec<usize> = script.requests().iter().map(url_count).collect();
    assert_eq!(counts, [20, 20, 5]);
    assert_eq!(report.succeeded, input);
    assert!(report.failed.is_empty() && report.is_success());
    assert_eq!(report.requests, 3);
    assert_eq!(report.batches.len(), 3);
    let first = params(&script.requests()[0]);
    assert_eq!(first["command"], "push");
    assert_eq!(first["mainland"], "1");
    assert_eq!(first["oversea"], "1");
    assert_eq!(
        script.requests()[0].headers[http::header::CONTENT_TYPE],
        "application/x-www-form-urlencoded"
    );
}

#[test]
fn batch_size_and_duplicates() {
    let harness = Harness::new();
    let script = Arc::new(FnTransport::new(|_| Ok(response(200, OK))));
    let client = harness
        .builder(script)
        .batch_size(NonZeroUsize::new(4))
        .build()
        .unwrap();
    let mut input = urls(10);
    input.extend(urls(3));
    let report = runtime().block_on(client.flush_urls(Areas::Mainland, input));
    assert_eq!(report.succeeded, urls(10));
    assert_eq!(report.duplicates_skipped, 3);
    let sizes: Vec<usize> = report.batches.iter().map(|b| b.url_count).collect();
    assert_eq!(sizes, [4, 4, 2]);
}

#[test]
fn get_batches_split_by_size_and_each_fits_32_kb() {
    let harness = Harness::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let transport = Arc::new(FnTransport::new(move |request: &http::Request<Bytes>| {
        let target = request.uri().path_and_query().unwrap().as_str().len();
        record.lock().unwrap().push(target);
        Ok(response(200, OK))
    }));
    let client = harness
        .builder(transport)
        .method(HttpMethod::Get)
        .build()
        .unwrap();
    let long: Vec<CdnUrl> = (0..300)
        .map(|i| {
            format!("https://www.example.com/{}/{i}.png", "图".repeat(40))
                .parse()
                .unwrap()
        })
        .collect();
    let report = runtime().block_on(client.flush_urls(Areas::Both, long.clone()));
    assert_eq!(report.succeeded, long);
    let targets = seen.lock().unwrap().clone();
    assert!(targets.len() > 1, "300 long URLs need several GETs");
    assert!(targets.iter().all(|&len| len <= 32 * 1024), "{targets:?}");
    // Greedy packing: every batch but the last is nearly full.
    assert!(
        targets[..targets.len() - 1]
            .iter()
            .all(|&len| len > 30 * 1024),
        "{targets:?}"
    );
}

#[test]
fn pacing_follows_a_sliding_window_without_real_sleeping() {
    let harness = Harness::new();
    let clock = harness.clock.clone();
    let sends = Arc::new(Mutex::new(Vec::new()));
    let record = sends.clone();
    let transport = Arc::new(FnTransport::new(move |_: &http::Request<Bytes>| {
        use tcdn::clock::Clock;
        record.lock().unwrap().push(clock.monotonic().as_secs());
        Ok(response(200, OK))
    }));
    let client = harness
        .builder(transport)
        .rate_limit_per_minute(2)
        .batch_size(NonZeroUsize::new(1))
        .concurrency(NonZeroUsize::MIN)
        .build()
        .unwrap();
    let report = runtime().block_on(client.flush_urls(Areas::Mainland, urls(5)));
    assert!(report.is_success());
    // Two per 61 s (60 s window + 1 s margin), never a burst past it.
    assert_eq!(*sends.lock().unwrap(), [0, 0, 61, 61, 122]);
    assert_eq!(
        harness.sleeper.sleeps(),
        [Duration::from_secs(61), Duration::from_secs(61)]
    );
}

#[test]
fn a_request_too_large_to_send_fails_before_taking_a_rate_limit_slot() {
    let harness = Harness::new();
    let script = Arc::new(
        ScriptedTransport::new()
            .then_respond(200, OK)
            .then_respond(200, OK),
    );
    let client = harness
        .builder(script.clone())
        .method(HttpMethod::Get)
        .rate_limit_per_minute(1)
        .build()
        .unwrap();
    let small = FlushOrPush::new(Operation::FlushUrls, Areas::Mainland, urls(1)).unwrap();
    let long_path = "a".repeat(1000);
    let huge: Vec<CdnUrl> = (0..40)
        .map(|i| {
            format!("https://www.example.com/{long_path}/{i}.js")
                .parse()
                .unwrap()
        })
        .collect();
    let huge = FlushOrPush::new(Operation::FlushUrls, Areas::Mainland, huge).unwrap();
    let rt = runtime();
    rt.block_on(client.call(&small)).unwrap();
    // The window is full, but the request (over GET's 32 KB) is refused
    // before waiting for it.
    let err = rt.block_on(client.call(&huge)).unwrap_err();
    assert_eq!(err.kind(), CallErrorKind::RequestTooLarge, "{err}");
    assert_eq!(err.attempts(), 0);
    assert!(harness.sleeper.sleeps().is_empty());
    // Nor did it take the slot: the next request waits one window, and is
    // signed with the time after the wait.
    rt.block_on(client.call(&small)).unwrap();
    assert_eq!(harness.sleeper.sleeps(), [Duration::from_secs(61)]);
    let sent = script.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(params(&sent[1])["Timestamp"], (START + 61).to_string());
}

#[test]
fn pacing_holds_with_concurrency() {
    let harness = Harness::new();
    let clock = harness.clock.clone();
    let sends = Arc::new(Mutex::new(Vec::new()));
    let record = sends.clone();
    let transport = Arc::new(FnTransport::new(move |_: &http::Request<Bytes>| {
        use tcdn::clock::Clock;
        record.lock().unwrap().push(clock.monotonic());
        Ok(response(200, OK))
    }));
    let client = harness
        .builder(transport)
        .rate_limit_per_minute(3)
        .batch_size(NonZeroUsize::new(1))
        .concurrency(NonZeroUsize::new(4).unwrap())
        .build()
        .unwrap();
    let report = runtime().block_on(client.flush_urls(Areas::Mainland, urls(10)));
    assert_eq!(report.succeeded.len(), 10);
    let sends = sends.lock().unwrap().clone();
    for (i, &start) in sends.iter().enumerate() {
        let in_window = sends
            .iter()
            .filter(|&&t| t >= start && t < start + Duration::from_secs(60))
            .count();
        assert!(
            in_window <= 3,
            "send {i} at {start:?}: {in_window} in its window: {sends:?}"
        );
    }
}

#[test]
fn retries_5xx_drops_and_4400_with_fresh_nonces_and_signatures() {
    let harness = Harness::new();
    let script = Arc::new(
        ScriptedTransport::new()
            .then_respond(503, "Service Unavailable")
            .then_error(TransportError::io("connection reset by peer"))
            .then_respond(200, envelope(4400, "(9163)operating too frequently"))
            .then_respond(200, OK),
    );
    let client = harness.builder(script.clone()).build().unwrap();
    let request = FlushOrPush::new(Operation::FlushUrls, Areas::Mainland, urls(2)).unwrap();
    let outcome = runtime().block_on(client.call(&request)).unwrap();
    assert_eq!(outcome.attempts, 4);
    assert_eq!(outcome.requests_sent, 4);
    script.assert_sent(4);
    script.assert_script_exhausted();
    let sent: Vec<HashMap<String, String>> = script.requests().iter().map(params).collect();
    let nonces: Vec<&str> = sent.iter().map(|p| p["Nonce"].as_str()).collect();
    assert_eq!(nonces, ["1000", "1001", "1002", "1003"]);
    let signatures: std::collections::HashSet<&str> =
        sent.iter().map(|p| p["Signature"].as_str()).collect();
    assert_eq!(signatures.len(), 4, "each attempt is signed afresh");
    // Exponential backoff without jitter: 1 s, 2 s; the rate-limit refusal
    // waits for the server's 60 s window (and the margin); and the Timestamp
    // follows the clock.
    assert_eq!(
        harness.sleeper.sleeps(),
        [1, 2, 61].map(Duration::from_secs)
    );
    assert_eq!(sent[3]["Timestamp"], (START + 64).to_string());
}

#[test]
fn validation_and_auth_failures_are_not_retried() {
    for (code, message) in [(4000, "(9110)no such host"), (4100, "signature mismatch")] {
        let harness = Harness::new();
        let script = Arc::new(ScriptedTransport::new().then_respond(200, envelope(code, message)));
        let client = harness.builder(script.clone()).build().unwrap();
        let request = FlushOrPush::new(Operation::FlushUrls, Areas::Mainland, urls(1)).unwrap();
        let err = runtime().block_on(client.call(&request)).unwrap_err();
        script.assert_sent(1);
        assert_eq!(err.kind(), CallErrorKind::Api);
        assert_eq!(err.code(), Some(code));
        assert_eq!(err.gave_up(), GaveUp::NotRetryable);
        assert_eq!(err.attempts(), 1);
        assert!(harness.sleeper.sleeps().is_empty());
        let shown = err.to_string();
        assert!(shown.contains(&code.to_string()), "{shown}");
        assert!(
            shown.contains(message.trim_start_matches("(9110)")),
            "{shown}"
        );
    }
}

#[test]
fn daily_quota_and_too_large_are_not_retried() {
    for (status, body, kind) in [
        (
            200,
            envelope(4400, "(22044)URL purge daily quota exceeded"),
            CallErrorKind::Api,
        ),
        (
            501,
            "Not Implemented".to_owned(),
            CallErrorKind::RequestTooLarge,
        ),
    ] {
        let harness = Harness::new();
        let script = Arc::new(ScriptedTransport::new().then_respond(status, body));
        let client = harness.builder(script.clone()).build().unwrap();
        let request = FlushOrPush::new(Operation::FlushUrls, Areas::Mainland, urls(1)).unwrap();
        let err = runtime().block_on(client.call(&request)).unwrap_err();
        script.assert_sent(1);
        assert_eq!(err.kind(), kind, "{err}");
    }
}

#[test]
fn replay_about_the_nonce_is_retried_once_and_clock_skew_is_named() {
    let nonce_replay = envelope(
        4500,
        "Nonce 1000 was already used by this SecretId: replayed request",
    );
    let harness = Harness::new();
    let script = Arc::new(
        ScriptedTransport::new()
            .then_respond(200, nonce_replay.clone())
            .then_respond(200, nonce_replay),
    );
    let client = harness.builder(script.clone()).build().unwrap();
    let request = FlushOrPush::new(Operation::FlushUrls, Areas::Mainland, urls(1)).unwrap();
    let err = runtime().block_on(client.call(&request)).unwrap_err();
    script.assert_sent(2);
    assert_eq!(err.kind(), CallErrorKind::Api);
    assert_eq!(err.gave_up(), GaveUp::NotRetryable);

    let harness = Harness::new();
    let skewed = envelope(
        4500,
        "Timestamp 1 is 1700000000s behind the server's clock: check the client's clock",
    );
    let script = Arc::new(ScriptedTransport::new().then_respond(200, skewed));
    let client = harness.builder(script.clone()).build().unwrap();
    let err = runtime().block_on(client.call(&request)).unwrap_err();
    script.assert_sent(1);
    assert_eq!(err.kind(), CallErrorKind::ClockSkew);
    assert!(err.to_string().contains("Timestamp is off"), "{err}");

    // An ambiguous message: the server's Date header decides.
    let harness = Harness::new();
    let mut answer = response(200, envelope(4500, "重放攻击"));
    answer.headers_mut().insert(
        http::header::DATE,
        "Tue, 14 Nov 2023 12:00:00 GMT".parse().unwrap(),
    );
    let script = Arc::new(ScriptedTransport::new().then_response(answer));
    let client = harness.builder(script.clone()).build().unwrap();
    let err = runtime().block_on(client.call(&request)).unwrap_err();
    assert_eq!(err.kind(), CallErrorKind::ClockSkew);
    assert!(
        err.to_string()
            .contains("s ahead of the server's Date header"),
        "{err}"
    );
}

#[test]
fn attempts_are_bounded() {
    let harness = Harness::new();
    let transport = Arc::new(FnTransport::new(|_| Ok(response(500, "boom"))));
    let client = harness
        .builder(transport)
        .retry_policy(
            RetryPolicy::default()
                .with_jitter(Jitter::None)
                .with_max_attempts(NonZeroU32::new(3).unwrap()),
        )
        .build()
        .unwrap();
    let request = FlushOrPush::new(Operation::FlushUrls, Areas::Mainland, urls(1)).unwrap();
    let err = runtime().block_on(client.call(&request)).unwrap_err();
    assert_eq!(err.attempts(), 3);
    assert_eq!(err.requests_sent(), 3);
    assert_eq!(err.gave_up(), GaveUp::AttemptsExhausted);
    assert_eq!(err.http_status(), Some(500));
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
}

#[test]
fn the_total_deadline_is_respected() {
    let harness = Harness::new();
    let silent = Arc::new(SilentTransport::new());
    let client = harness
        .builder(silent.clone())
        .timeout(Duration::from_secs(10))
        .retry_policy(
            RetryPolicy::default()
                .with_jitter(Jitter::None)
                .with_max_attempts(NonZeroU32::new(10).unwrap())
                .with_total_deadline(Some(Duration::from_secs(25))),
        )
        .build()
        .unwrap();
    let request = FlushOrPush::new(Operation::FlushUrls, Areas::Mainland, urls(1)).unwrap();
    let err = runtime().block_on(client.call(&request)).unwrap_err();
    assert_eq!(err.kind(), CallErrorKind::Transport);
    assert_eq!(err.gave_up(), GaveUp::DeadlineReached);
    // 10 s timeout, 1 s backoff, 10 s timeout, 2 s backoff, then the last
    // attempt's timeout is cut to the 2 s left.
    assert_eq!(
        harness.sleeper.sleeps(),
        [10, 1, 10, 2, 2].map(Duration::from_secs)
    );
    assert_eq!(silent.received(), 3);
    use tcdn::clock::Clock;
    assert!(harness.clock.monotonic() <= Duration::from_secs(25));
}

/// A lost answer (the request went out, no answer came) followed by refused
/// connections: the last attempt says "not sent", but the first may have
/// been applied, and the failure says so.
#[test]
fn a_lost_answer_then_refused_connections_may_have_been_applied() {
    let harness = Harness::new();
    let script = Arc::new(
        ScriptedTransport::new()
            .then_error(TransportError::timeout("the answer was lost"))
            .then_error(TransportError::connect("connection refused"))
            .then_error(TransportError::connect("connection refused")),
    );
    let client = harness
        .builder(script.clone())
        .retry_policy(
            RetryPolicy::default()
                .with_retries(2)
                .with_jitter(Jitter::None),
        )
        .build()
        .unwrap();
    let report = runtime().block_on(client.flush_urls(Areas::Mainland, urls(3)));
    script.assert_sent(3);
    assert_eq!(report.failed.len(), 3);
    assert!(
        report.failed.iter().all(|f| f.maybe_applied),
        "{:?}",
        report.failed[0]
    );
    assert!(report.failed[0].message.contains("connection refused"));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["failed"][0]["maybe_applied"], true);

    // Refused connections alone: the request never left, so the URL is
    // not sent, for the endpoint's sake.
    let script = Arc::new(
        ScriptedTransport::new().then_error(TransportError::connect("connection refused")),
    );
    let client = harness
        .builder(script.clone())
        .retry_policy(RetryPolicy::no_retries())
        .build()
        .unwrap();
    let report = runtime().block_on(client.flush_urls(Areas::Mainland, urls(1)));
    assert!(report.failed.is_empty() && report.tasks.is_empty());
    assert_eq!(report.not_sent.len(), 1);
    assert_eq!(
        report.not_sent[0].reason,
        tcdn::report::NotSentReason::EndpointUnreachable
    );
}

#[test]
fn partial_failures_are_accounted_per_url() {
    let harness = Harness::new();
    let script = Arc::new(
        ScriptedTransport::new()
            .then_respond(200, OK)
            .then_respond(200, envelope(4000, "(9110)no such host"))
            .then_respond(200, OK),
    );
    let client = harness
        .builder(script.clone())
        .batch_size(NonZeroUsize::new(2))
        .concurrency(NonZeroUsize::MIN)
        .build()
        .unwrap();
    let input = urls(6);
    let mut progress = Vec::new();
    let report = runtime().block_on(client.submit_with_progress(
        Operation::FlushUrls,
        Areas::Oversea,
        input.clone(),
        |batch| progress.push((batch.index, batch.error.is_some())),
    ));
    assert_eq!(progress, [(0, false), (1, true), (2, false)]);
    assert_eq!(report.succeeded, [&input[0..2], &input[4..6]].concat());
    let failed: Vec<&CdnUrl> = report.failed.iter().map(|f| &f.url).collect();
    assert_eq!(failed, [&input[2], &input[3]]);
    assert!(
        report
            .failed
            .iter()
            .all(|f| f.code == Some(4000) && f.module_code == Some(9110))
    );
    assert_eq!(report.requests, 3);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["requests"], 3);
    assert_eq!(json["failed"][0]["code"], 4000);
    assert_eq!(json["succeeded"][0], input[0].as_str());
    assert!(json.get("batches").is_none());
}

/// What the transport does with a batch, keyed by the batch's first URL.
#[derive(Debug, Clone, Copy)]
enum Fate {
    Accept,
    Refuse,
    ServerError,
    Drop,
    FlakyThenAccept,
}

fn fate() -> impl Strategy<Value = Fate> {
    prop_oneof![
        Just(Fate::Accept),
        Just(Fate::Refuse),
        Just(Fate::ServerError),
        Just(Fate::Drop),
        Just(Fate::FlakyThenAccept),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever each batch's fate, every distinct input URL ends up exactly
    /// once in the report, in input order, and the request count adds up.
    #[test]
    fn every_url_has_exactly_one_outcome(
        indices in proptest::collection::vec(0usize..40, 1..80),
        fates in proptest::collection::vec(fate(), 40),
        batch_size in 1usize..6,
        concurrency in 1usize..4,
    ) {
        let all = urls(40);
        let input: Vec<CdnUrl> = indices.iter().map(|&i| all[i].clone()).collect();
        let mut distinct = Vec::new();
        for url in &input {
            if !distinct.contains(url) {
                distinct.push(url.clone());
            }
        }
        let tries: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
        let sent = Arc::new(Mutex::new(0usize));
        let (tries_in, sent_in, all_in) = (tries.clone(), sent.clone(), all.clone());
        let transport = Arc::new(FnTransport::new(move |request: &http::Request<Bytes>| {
            *sent_in.lock().unwrap() += 1;
            let pairs = tcdn::model::decode_form(request.body()).unwrap();
            let first = pairs.iter().find(|(k, _)| k == "urls.0").unwrap().1.clone();
            let index = all_in.iter().position(|u| u.as_str() == first).unwrap();
            let mut tries = tries_in.lock().unwrap();
            let count = tries.entry(first).or_insert(0);
            *count += 1;
            match (fates[index], *count) {
                (Fate::Accept, _) | (Fate::FlakyThenAccept, 2..) => Ok(response(200, OK)),
                (Fate::Refuse, _) => Ok(response(200, envelope(4000, "(9003)parameter error"))),
                (Fate::ServerError, _) => Ok(response(502, "bad gateway")),
                (Fate::Drop, _) | (Fate::FlakyThenAccept, _) => Err(TransportError::io("reset")),
            }
        }));
        let harness = Harness::new();
        let client = harness
            .builder(transport)
            .retry_policy(
                RetryPolicy::default()
                    .with_jitter(Jitter::None)
                    .with_max_attempts(NonZeroU32::new(2).unwrap()),
            )
            .batch_size(NonZeroUsize::new(batch_size))
            .concurrency(NonZeroUsize::new(concurrency).unwrap())
            .build()
            .unwrap();
        let report = runtime().block_on(client.flush_urls(Areas::Both, input));

        let mut outcomes: Vec<&CdnUrl> = report.succeeded.iter().collect();
        outcomes.extend(report.failed.iter().map(|f| &f.url));
        prop_assert_eq!(outcomes.len(), distinct.len());
        let unique: std::collections::HashSet<&CdnUrl> = outcomes.iter().copied().collect();
        prop_assert_eq!(unique.len(), distinct.len());
        let in_order = |subset: Vec<&CdnUrl>| {
            let positions: Vec<usize> = subset
                .iter()
                .map(|u| distinct.iter().position(|d| d == *u).unwrap())
                .collect();
            positions.windows(2).all(|w| w[0] < w[1])
        };
        prop_assert!(in_order(report.succeeded.iter().collect()));
        prop_assert!(in_order(report.failed.iter().map(|f| &f.url).collect()));
        prop_assert_eq!(report.requests, *sent.lock().unwrap());
        prop_assert_eq!(
            report.batches.iter().map(|b| b.url_count).sum::<usize>(),
            distinct.len()
        );
    }
}
