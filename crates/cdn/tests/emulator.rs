//! End to end against the local emulator over real HTTP: the default hyper
//! transport, real signing, real pacing clock. The emulator's task list must
//! equal the report's succeeded URLs, retries and faults notwithstanding.

use std::collections::BTreeSet;
use std::num::{NonZeroU32, NonZeroUsize};
use std::time::Duration;

use tcdn::{
    Api, Areas, CdnUrl, Client, ClientBuilder, Credentials, Endpoint, HttpMethod, Operation,
    RetryPolicy, SignatureMethod,
};
use tcdn_emulator::{Config, Credential, Emulator, Faults, RunningEmulator};

const ID: &str = "AKIDclientE2E";
const KEY: &str = "client-e2e-secret-key";

async fn start(adjust: impl FnOnce(&mut Config)) -> RunningEmulator {
    let mut config = Config::new(vec![Credential::new(ID, KEY)]);
    adjust(&mut config);
    Emulator::new(config)
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn client(running: &RunningEmulator, key: &str) -> ClientBuilder {
    let endpoint: Endpoint = running.endpoint().parse().unwrap();
    Client::builder(
        Credentials::new(ID, key)
            .unwrap()
            .with_token("e2e-session-token"),
    )
    .api(Api::V2)
    .endpoint(endpoint)
    .timeout(Duration::from_secs(10))
    .retry_policy(
        RetryPolicy::default()
            .with_max_attempts(NonZeroU32::new(10).unwrap())
            .with_base_delay(Duration::from_millis(1))
            .with_max_delay(Duration::from_millis(5)),
    )
}

fn urls(prefix: &str, n: usize) -> Vec<CdnUrl> {
    (0..n)
        .map(|i| {
            format!("https://www.example.com/{prefix}/{i}.js?v=1&w=图")
                .parse()
                .unwrap()
        })
        .collect()
}

fn task_urls(running: &RunningEmulator) -> Vec<String> {
    running
        .emulator()
        .tasks()
        .into_iter()
        .flat_map(|task| task.urls)
        .collect()
}

fn as_strings(urls: &[CdnUrl]) -> BTreeSet<String> {
    urls.iter().map(|u| u.as_str().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flush_and_push_are_accepted_and_match_the_task_list() {
    let running = start(|_| {}).await;
    for (method, signature_method) in [
        (HttpMethod::Post, SignatureMethod::HmacSha1),
        (HttpMethod::Get, SignatureMethod::HmacSha256),
    ] {
        let before = running.emulator().tasks().len();
        let client = client(&running, KEY)
            .method(method)
            .signature_method(signature_method)
            .build()
            .unwrap();
        let flush = urls(&format!("flush-{method}"), 1500);
        let report = client.flush_urls(Areas::Both, flush.clone()).await;
        assert!(report.is_success(), "{:?}", report.failed.first());
        assert_eq!(report.succeeded, flush);

        let dirs: Vec<CdnUrl> = (0..25)
            .map(|i| {
                format!("https://www.example.com/{method}/dir{i}/")
                    .parse()
                    .unwrap()
            })
            .collect();
        let report_dirs = client.flush_dirs(Areas::Mainland, dirs.clone()).await;
        assert_eq!(report_dirs.succeeded, dirs);

        let push = urls(&format!("push-{method}"), 45);
        let report_push = client.push_urls(Areas::Oversea, push.clone()).await;
        assert_eq!(report_push.succeeded, push);

        let tasks = running.emulator().tasks()[before..].to_vec();
        let accepted: Vec<String> = tasks.iter().flat_map(|t| t.urls.clone()).collect();
        let expected: BTreeSet<String> = [&flush[..], &dirs[..], &push[..]]
            .into_iter()
            .flat_map(as_strings)
            .collect();
        assert_eq!(accepted.len(), expected.len(), "no URL accepted twice");
        assert_eq!(accepted.into_iter().collect::<BTreeSet<_>>(), expected);
        assert_eq!(
            report.requests + report_dirs.requests + report_push.requests,
            tasks.len()
        );
        assert!(tasks.iter().all(|t| t.secret_id == ID));
        assert!(
            tasks
                .iter()
                .any(|t| t.command == "push" && t.areas == ["oversea"])
        );
    }
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_retried_and_every_url_is_accepted_exactly_once() {
    let running = start(|config| {
        config.faults = Faults {
            fail_rate: 0.25,
            drop_rate: 0.15,
            seed: 7,
            ..Faults::default()
        };
    })
    .await;
    let client = client(&running, KEY)
        .batch_size(NonZeroUsize::new(3))
        .concurrency(NonZeroUsize::new(3).unwrap())
        .build()
        .unwrap();
    let input = urls("faulty", 60);
    let report = client.flush_urls(Areas::Mainland, input.clone()).await;
    assert!(report.is_success(), "{:?}", report.failed.first());
    assert_eq!(report.succeeded, input);
    assert!(
        report.requests > 20,
        "faults forced retries: {}",
        report.requests
    );
    let accepted = task_urls(&running);
    assert_eq!(
        accepted.len(),
        input.len(),
        "a failed or dropped request applies nothing"
    );
    assert_eq!(
        accepted.into_iter().collect::<BTreeSet<_>>(),
        as_strings(&input)
    );
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_fails_every_url_with_4100_without_retrying() {
    let running = start(|_| {}).await;
    let client = client(&running, "not-the-key").build().unwrap();
    let input = urls("denied", 30);
    let report = client
        .submit(Operation::PushUrls, Areas::Both, input.clone())
        .await;
    assert!(report.succeeded.is_empty());
    assert_eq!(report.failed.len(), 30);
    assert!(
        report.failed.iter().all(|f| f.code == Some(4100)),
        "{:?}",
        report.failed[0]
    );
    assert_eq!(report.requests, 2, "one request per batch, no retry");
    assert!(running.emulator().tasks().is_empty());
    let message = &report.failed[0].message;
    assert!(
        !message.contains("not-the-key") && !message.contains(KEY),
        "{message}"
    );
    running.shutdown().await.unwrap();
}
