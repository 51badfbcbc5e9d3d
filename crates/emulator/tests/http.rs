//! The emulator over real HTTP on 127.0.0.1, reached with tcdn's own hyper
//! transport: routes, bodies, faults and shutdown.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::*;
use tcdn_emulator::{Config, Credential, Emulator, Faults, RunningEmulator};
use tcdn_model::{Areas, Operation};
use tcdn_sign::HttpMethod;
use tcdn_transport::{ErrorKind, HyperTransport, Transport};

async fn start(adjust: impl FnOnce(&mut Config)) -> RunningEmulator {
    let mut config = Config::new(vec![Credential::new(ID, KEY)]);
    adjust(&mut config);
    Emulator::new(config)
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn transport() -> HyperTransport {
    HyperTransport::builder()
        .total_timeout(Duration::from_secs(5))
        .disable_proxy()
        .build()
        .unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn get(url: String) -> http::Request<Bytes> {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

async fn bounded<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), future)
        .await
        .expect("test took too long")
}

#[tokio::test]
async fn get_and_post_are_served_and_listed_as_tasks() {
    bounded(async {
        let running = start(|_| {}).await;
        let transport = transport();
        let request = request(Operation::FlushUrls, Areas::Mainland, 2);

        let signer = Signer {
            timestamp: now(),
            nonce: 11,
            ..Signer::default()
        };
        let url = format!("{}?{}", running.endpoint(), signer.sign(&request).form());
        let response = transport.send(get(url)).await.unwrap();
        assert_eq!(response.status(), 200);
        let envelope = tcdn_model::Envelope::from_slice(response.body()).unwrap();
        assert!(envelope.is_success(), "{envelope:?}");

        let signer = Signer {
            method: HttpMethod::Post,
            timestamp: now(),
            nonce: 12,
            ..Signer::default()
        };
        let post = http::Request::post(running.endpoint())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Bytes::from(signer.sign(&request).form()))
            .unwrap();
        let response = transport.send(post).await.unwrap();
        let envelope = tcdn_model::Envelope::from_slice(response.body()).unwrap();
        assert!(envelope.is_success(), "{envelope:?}");

        let tasks_url = running
            .endpoint()
            .replace("/v2/index.php", "/_emulator/tasks");
        let response = transport.send(get(tasks_url)).await.unwrap();
        let tasks: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(tasks.as_array().unwrap().len(), 2);
        assert_eq!(tasks[0]["command"], "flush");
        assert_eq!(tasks[1]["seq"], 2);
        assert_eq!(tasks[0]["urls"][1], "https://www.example.com/file/1.js");

        let stats_url = running
            .endpoint()
            .replace("/v2/index.php", "/_emulator/stats");
        let stats: serde_json::Value =
            serde_json::from_slice(transport.send(get(stats_url)).await.unwrap().body()).unwrap();
        assert_eq!(
            stats["connections"], 1,
            "keep-alive reuses one connection: {stats}"
        );
        assert_eq!(stats["accepted"], 2);
        running.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn unknown_paths_and_methods_are_refused() {
    bounded(async {
        let running = start(|_| {}).await;
        let transport = transport();
        let other = running.endpoint().replace("/v2/index.php", "/v3/");
        assert_eq!(transport.send(get(other)).await.unwrap().status(), 404);
        let put = http::Request::put(running.endpoint())
            .body(Bytes::new())
            .unwrap();
        assert_eq!(transport.send(put).await.unwrap().status(), 405);
        running.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn oversize_post_gets_501_without_reading_it_all() {
    bounded(async {
        let running = start(|_| {}).await;
        let body = Bytes::from(vec![b'a'; 2 * 1024 * 1024]);
        let post = http::Request::post(running.endpoint())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .unwrap();
        match transport().send(post).await {
            Ok(response) => assert_eq!(response.status(), 501),
            // The server may close before the client finishes writing.
            Err(error) => assert!(matches!(error.kind(), ErrorKind::Io), "{error}"),
        }
        running.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn fail_rate_answers_503_with_6000_and_applies_nothing() {
    bounded(async {
        let running = start(|c| {
            c.faults = Faults {
                fail_rate: 1.0,
                ..Faults::default()
            }
        })
        .await;
        let request = request(Operation::FlushUrls, Areas::Mainland, 1);
        let signer = Signer {
            timestamp: now(),
            ..Signer::default()
        };
        let url = format!("{}?{}", running.endpoint(), signer.sign(&request).form());
        let response = transport().send(get(url)).await.unwrap();
        assert_eq!(response.status(), 503);
        let envelope = tcdn_model::Envelope::from_slice(response.body()).unwrap();
        assert_eq!(envelope.code(), 6000);
        assert!(running.emulator().tasks().is_empty());
        running.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn drop_rate_closes_the_connection_without_an_answer() {
    bounded(async {
        let running = start(|c| {
            c.faults = Faults {
                drop_rate: 1.0,
                ..Faults::default()
            }
        })
        .await;
        let request = request(Operation::FlushUrls, Areas::Mainland, 1);
        let signer = Signer {
            timestamp: now(),
            ..Signer::default()
        };
        let url = format!("{}?{}", running.endpoint(), signer.sign(&request).form());
        let error = transport().send(get(url)).await.unwrap_err();
        assert!(error.may_have_reached_server(), "{error}");
        assert!(running.emulator().tasks().is_empty());
        assert_eq!(running.emulator().stats().requests, 1);
        running.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn faults_are_repeatable_with_a_seed() {
    let pattern = |seed: u64| {
        let config = Config {
            faults: Faults {
                fail_rate: 0.5,
                seed,
                ..Faults::default()
            },
            ..Config::new(vec![Credential::new(ID, KEY)])
        };
        let emulator = Emulator::new(config);
        async move {
            let running = emulator
                .start("127.0.0.1:0".parse().unwrap())
                .await
                .unwrap();
            let transport = transport();
            let mut statuses = Vec::new();
            for _ in 0..12 {
                let response = transport.send(get(running.endpoint())).await.unwrap();
                statuses.push(response.status().as_u16());
            }
            running.shutdown().await.unwrap();
            statuses
        }
    };
    bounded(async {
        let first = pattern(7).await;
        assert_eq!(first, pattern(7).await);
        assert!(
            first.contains(&503) && first.iter().any(|&s| s != 503),
            "{first:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn latency_is_added_before_answering() {
    bounded(async {
        let running = start(|c| c.faults.latency = Duration::from_millis(150)).await;
        let started = std::time::Instant::now();
        let _ = transport().send(get(running.endpoint())).await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(150));
        running.shutdown().await.unwrap();
    })
    .await;
}
