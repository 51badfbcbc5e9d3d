//! The emulator over real HTTP on 127.0.0.1, reached with tcdn's own hyper
//! transport: routes, bodies, faults and shutdown.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::*;
use tcdn_emulator::{Config, Credential, Emulator, Faults};
use tcdn_model::{Areas, Operation};
use tcdn_sign::HttpMethod;
use tcdn_transport::Transport;

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
        let envelope = tcdn_model::v2::Envelope::from_slice(response.body()).unwrap();
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
        let envelope = tcdn_model::v2::Envelope::from_slice(response.body()).unwrap();
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

/// The client announces 2 MiB and sends a little over the 1 MiB limit,
/// then stops writing: the 501 must come anyway, so the server answered
/// without waiting for (or reading) the rest.
#[tokio::test]
async fn oversize_post_gets_501_without_reading_it_all() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    bounded(async {
        let running = start(|_| {}).await;
        let authority = running.origin().trim_start_matches("http://").to_owned();
        let mut stream = tokio::net::TcpStream::connect(&authority).await.unwrap();
        let announced = 2 * 1024 * 1024;
        let head = format!(
            "POST /v2/index.php HTTP/1.1\r\nHost: {authority}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {announced}\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let sent = tcdn_model::v2::MAX_POST_BODY_LEN + 64 * 1024;
        stream.write_all(&vec![b'a'; sent]).await.unwrap();
        stream.flush().await.unwrap();
        // The rest of the announced body is never sent.
        let mut answer = Vec::new();
        let mut buffer = [0u8; 4096];
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buffer))
                .await
                .expect("no answer while the rest of the body was withheld")
                .unwrap();
            assert!(read > 0, "closed without an answer");
            answer.extend_from_slice(&buffer[..read]);
        }
        let text = String::from_utf8_lossy(&answer);
        assert!(text.starts_with("HTTP/1.1 501"), "{text}");
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
        let envelope = tcdn_model::v2::Envelope::from_slice(response.body()).unwrap();
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

#[tokio::test]
async fn the_origin_has_no_path_and_api_2_is_under_it() {
    bounded(async {
        let running = start(|_| {}).await;
        assert_eq!(running.origin(), format!("http://{}", running.addr()));
        assert_eq!(
            running.endpoint(),
            format!("{}/v2/index.php", running.origin())
        );
        running.shutdown().await.unwrap();
    })
    .await;
}

/// `{"Response":{"Error":{"Code":…}}}` of an API 3.0 answer, checking the
/// shape and the exact `Content-Type` on the way.
fn api3_error_code(response: &http::Response<Bytes>) -> String {
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "API 3.0 answers carry exactly this Content-Type"
    );
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    let request_id = body["Response"]["RequestId"].as_str().unwrap();
    assert_eq!(request_id.len(), 36, "{body}");
    assert!(body["Response"]["Error"]["Message"].is_string(), "{body}");
    body["Response"]["Error"]["Code"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn unsigned_requests_at_the_root_are_refused_in_the_api_3_error_shape() {
    bounded(async {
        let running = start(|_| {}).await;
        let transport = transport();
        let root = format!("{}/", running.origin());
        let response = transport.send(get(root.clone())).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(api3_error_code(&response), "MissingParameter");
        let post = http::Request::post(root)
            .header("content-type", "application/json")
            .header("x-tc-action", "PurgeUrlsCache")
            .body(Bytes::from_static(
                br#"{"Urls":["https://www.example.com/a"]}"#,
            ))
            .unwrap();
        let response = transport.send(post).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(api3_error_code(&response), "MissingParameter");
        assert!(running.emulator().tasks().is_empty());
        assert_eq!(running.emulator().stats().requests, 2);
        running.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn faults_apply_to_api_3_as_well() {
    bounded(async {
        let failing = start(|c| c.faults.fail_rate = 1.0).await;
        let response = transport()
            .send(get(format!("{}/", failing.origin())))
            .await
            .unwrap();
        assert_eq!(response.status(), 503);
        assert_eq!(api3_error_code(&response), "InternalError");
        failing.shutdown().await.unwrap();

        let dropping = start(|c| c.faults.drop_rate = 1.0).await;
        let error = transport()
            .send(get(format!("{}/", dropping.origin())))
            .await
            .unwrap_err();
        assert!(error.may_have_reached_server(), "{error}");
        assert_eq!(dropping.emulator().stats().requests, 1);
        dropping.shutdown().await.unwrap();

        let losing = start(|c| c.faults.lose_answer_rate = 1.0).await;
        let error = transport()
            .send(get(format!("{}/", losing.origin())))
            .await
            .unwrap_err();
        assert!(error.may_have_reached_server(), "{error}");
        losing.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_lost_answer_leaves_the_work_applied() {
    bounded(async {
        let running = start(|c| {
            c.faults.lose_answer_rate = 1.0;
            c.quotas.url_flush = 2;
        })
        .await;
        let transport = transport();
        let timestamp = now();
        let signer = Signer {
            timestamp,
            nonce: 77,
            ..Signer::default()
        };
        let signed = signer.sign(&request(Operation::FlushUrls, Areas::Mainland, 2));
        let url = format!("{}?{}", running.endpoint(), signed.form());
        let error = transport.send(get(url)).await.unwrap_err();
        assert!(error.may_have_reached_server(), "{error}");

        // The task is recorded and listed with its API and action ...
        let listed = transport
            .send(get(format!("{}/_emulator/tasks", running.origin())))
            .await
            .unwrap();
        let tasks: serde_json::Value = serde_json::from_slice(listed.body()).unwrap();
        assert_eq!(tasks.as_array().unwrap().len(), 1, "{tasks}");
        assert_eq!(tasks[0]["api"], "v2");
        assert_eq!(tasks[0]["action"], "FlushOrPushOverall");
        assert!(tasks[0]["task_id"].is_null(), "{tasks}");
        assert_eq!(tasks[0]["urls"].as_array().unwrap().len(), 2);

        // ... its nonce is spent ...
        let host = format!("127.0.0.1:{}", running.addr().port());
        let judge = |query: &str| {
            running.emulator().judge_v2(tcdn_emulator::InboundV2 {
                method: &http::Method::GET,
                path: "/v2/index.php",
                query: Some(query),
                host: Some(&host),
                content_type: None,
                body: b"",
                target_len: query.len() + 14,
            })
        };
        assert_eq!(judge(&signed.form()).code, Some(4500), "replay refused");

        // ... and so is the quota: one more URL is over it.
        let again = Signer {
            timestamp,
            nonce: 78,
            ..Signer::default()
        }
        .sign(&request(Operation::FlushUrls, Areas::Mainland, 1));
        let verdict = judge(&again.form());
        assert_eq!(verdict.code, Some(4000), "{}", verdict.body);
        assert!(verdict.body.contains("22044"), "{}", verdict.body);
        running.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_request_received_is_applied_even_if_the_client_gives_up_waiting() {
    use tokio::io::AsyncWriteExt;
    bounded(async {
        // The client hangs up while the server is still "working" on it.
        let running = start(|c| c.faults.latency = Duration::from_millis(300)).await;
        let signer = Signer {
            method: HttpMethod::Post,
            timestamp: now(),
            ..Signer::default()
        };
        let form = signer
            .sign(&request(Operation::PushUrls, Areas::Oversea, 3))
            .form();
        let mut stream = tokio::net::TcpStream::connect(running.addr())
            .await
            .unwrap();
        let head = format!(
            "POST /v2/index.php HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
            form.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(form.as_bytes()).await.unwrap();
        drop(stream);
        for _ in 0..500 {
            if !running.emulator().tasks().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let tasks = running.emulator().tasks();
        assert_eq!(tasks.len(), 1, "the hang-up cancelled the judging");
        assert_eq!(tasks[0].command, "push");
        assert_eq!(tasks[0].urls.len(), 3);
        running.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_seeded_pattern_with_lost_answers_is_repeatable() {
    let pattern = |seed: u64| async move {
        let running = start(|c| {
            c.faults = Faults {
                fail_rate: 0.3,
                lose_answer_rate: 0.5,
                seed,
                ..Faults::default()
            }
        })
        .await;
        let transport = transport();
        let mut outcomes = Vec::new();
        for _ in 0..12 {
            outcomes.push(match transport.send(get(running.endpoint())).await {
                Ok(response) => response.status().to_string(),
                Err(_) => "lost".to_owned(),
            });
        }
        running.shutdown().await.unwrap();
        outcomes
    };
    bounded(async {
        let first = pattern(5).await;
        assert_eq!(first, pattern(5).await);
        for outcome in ["lost", "503 Service Unavailable", "200 OK"] {
            assert!(first.iter().any(|o| o == outcome), "{first:?}");
        }
    })
    .await;
}

/// `GET /_emulator/tasks` streams the same pretty JSON array the whole
/// list makes, across chunk boundaries, and serves slices with
/// `?offset=N&limit=M`.
#[tokio::test]
async fn the_task_list_streams_whole_and_serves_slices() {
    bounded(async {
        let running = start(|config| config.rate_limit_per_minute = u32::MAX).await;
        let transport = transport();
        let host = format!("127.0.0.1:{}", running.addr().port());
        let tasks = 600;
        for nonce in 1..=tasks {
            let signer = Signer {
                timestamp: now(),
                nonce,
                ..Signer::default()
            };
            let query = signer
                .sign(&request(Operation::FlushUrls, Areas::Mainland, 1))
                .form();
            let verdict = running.emulator().judge_v2(tcdn_emulator::InboundV2 {
                method: &http::Method::GET,
                path: "/v2/index.php",
                query: Some(&query),
                host: Some(&host),
                content_type: None,
                body: b"",
                target_len: query.len() + 14,
            });
            assert_eq!(verdict.code, Some(0), "{}", verdict.body);
        }
        let list = |query: &str| {
            let url = format!("{}/_emulator/tasks{query}", running.origin());
            let transport = &transport;
            async move { transport.send(get(url)).await.unwrap() }
        };
        let whole = list("").await;
        assert_eq!(whole.status(), 200);
        let expected = serde_json::to_string_pretty(&running.emulator().tasks()).unwrap();
        assert_eq!(std::str::from_utf8(whole.body()).unwrap(), expected);
        // An HTTP/1.0 client gets it too, ended by the close.
        let addr = running.addr();
        let raw = tokio::task::spawn_blocking(move || {
            use std::io::{Read, Write};
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            stream
                .write_all(b"GET /_emulator/tasks HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                .unwrap();
            let mut raw = String::new();
            stream.read_to_string(&mut raw).unwrap();
            raw
        })
        .await
        .unwrap();
        assert_eq!(
            raw.split_once("\r\n\r\n").map(|(_, body)| body),
            Some(expected.as_str())
        );

        let seqs = |body: &[u8]| -> Vec<u64> {
            let value: serde_json::Value = serde_json::from_slice(body).unwrap();
            value
                .as_array()
                .unwrap()
                .iter()
                .map(|task| task["seq"].as_u64().unwrap())
                .collect()
        };
        let slices = [
            ("?offset=10&limit=3", vec![11, 12, 13]),
            ("?limit=2", vec![1, 2]),
            ("?offset=598", vec![599, 600]),
            ("?offset=600", vec![]),
            ("?offset=9999&limit=5", vec![]),
            ("?limit=0", vec![]),
        ];
        for (query, expected) in slices {
            let answer = list(query).await;
            assert_eq!(answer.status(), 200, "{query}");
            assert_eq!(seqs(answer.body()), expected, "{query}");
        }
        assert_eq!(
            seqs(list("?offset=100&limit=300").await.body()),
            (101..=400).collect::<Vec<_>>()
        );
        for bad in ["?offset=x", "?limit=-1", "?page=2"] {
            assert_eq!(list(bad).await.status(), 400, "{bad}");
        }
        running.shutdown().await.unwrap();
    })
    .await;
}
