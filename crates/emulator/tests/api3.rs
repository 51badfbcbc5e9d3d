//! API 3.0 at `/` over real HTTP on 127.0.0.1: every action under every
//! signature, and every refusal the real server answers, with its code.

mod common;

use std::time::Duration;

use common::NOW;
use common::v3::*;
use tcdn_emulator::{Faults, SessionToken, TaskProgress};
use tcdn_model::v3::{self, Request};
use tcdn_sign::SignatureMethod;

fn task_id(answer: &serde_json::Value) -> String {
    answer["TaskId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_action_is_served_under_every_signature_and_method() {
    let (running, _) = start_at(|_| {}).await;
    for (n, sig) in EVERY_SIG.into_iter().enumerate() {
        let nonce = n as u64 * 100;
        let mut submitted = Vec::new();
        for request in [purge_urls(2), purge_paths(1), push_urls(3, None)] {
            let mut call = Call::new(sig, &request);
            call.nonce = nonce + submitted.len() as u64 + 1;
            let answer = call.ok(&running).await;
            submitted.push(task_id(&answer));
        }
        let answer = Call::new(sig, &purge_tasks_by_id(&submitted[0]))
            .ok(&running)
            .await;
        assert_eq!(answer["TotalCount"], 2, "{sig:?}: {answer}");
        assert_eq!(answer["PurgeLogs"][0]["PurgeType"], "url");
        let answer = Call::new(sig, &purge_tasks_by_id(&submitted[1]))
            .ok(&running)
            .await;
        assert_eq!(answer["PurgeLogs"][0]["PurgeType"], "path");
        assert_eq!(answer["PurgeLogs"][0]["FlushType"], "delete");
        let answer = Call::new(sig, &push_tasks_by_id(&submitted[2]))
            .ok(&running)
            .await;
        assert_eq!(answer["TotalCount"], 3, "{sig:?}: {answer}");
        assert_eq!(answer["PushLogs"][0]["Area"], "mainland", "the default");
        let quota = Call::new(sig, &Request::DescribePurgeQuota(v3::DescribePurgeQuota))
            .ok(&running)
            .await;
        assert!(quota["UrlPurge"].is_array() && quota["PathPurge"].is_array());
        let quota = Call::new(sig, &Request::DescribePushQuota(v3::DescribePushQuota))
            .ok(&running)
            .await;
        assert!(quota["UrlPush"].is_array(), "{quota}");
    }
    let tasks = running.emulator().tasks();
    assert_eq!(tasks.len(), 3 * EVERY_SIG.len());
    assert!(tasks.iter().all(|t| t.api == tcdn_emulator::Api::V3));
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn answers_have_the_official_shapes_and_parse_with_the_model() {
    let (running, _) = start_at(|_| {}).await;
    let answer = Call::new(Sig::Tc3Post, &purge_urls(1)).ok(&running).await;
    let id = task_id(&answer);
    let (stamp, suffix) = id.split_once('-').unwrap();
    assert_eq!(stamp, NOW.to_string());
    assert_eq!(suffix.len(), 8, "{id}");
    let body = serde_json::json!({ "Response": answer }).to_string();
    v3::Answer::<v3::TaskSubmitted>::from_slice(body.as_bytes())
        .unwrap()
        .into_result()
        .unwrap();

    let answer = Call::new(Sig::Tc3Post, &purge_tasks_by_id(&id))
        .ok(&running)
        .await;
    let body = serde_json::json!({ "Response": answer }).to_string();
    let tasks = v3::Answer::<v3::PurgeTasks>::from_slice(body.as_bytes())
        .unwrap()
        .into_result()
        .unwrap();
    assert_eq!(tasks.logs[0].task_id, id);
    assert_eq!(tasks.logs[0].url, "https://www.example.com/file/0.js");
    // 1_700_000_000 is 2023-11-14 22:13:20 UTC: the next day in Beijing.
    assert_eq!(tasks.logs[0].create_time, "2023-11-15 06:13:20");
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_content_types_of_the_sdks_are_accepted() {
    let (running, _) = start_at(|_| {}).await;
    let mut call = Call::new(Sig::Tc3Post, &purge_urls(1));
    call.content_type = Some("application/json; charset=utf-8".to_owned());
    call.ok(&running).await;
    // The SDKs' unsigned-payload option, POST and GET.
    for sig in [Sig::Tc3Post, Sig::Tc3Get] {
        let mut unsigned = Call::new(sig, &purge_urls(1));
        unsigned.unsigned_payload = true;
        unsigned.ok(&running).await;
    }
    // A TC3 POST must be JSON.
    call.content_type = Some("text/plain".to_owned());
    let (code, message) = call.error(&running).await;
    assert_eq!(code, "InvalidParameter");
    assert!(message.contains("text/plain"), "{message}");
    // A v1 POST must be a form; JSON without a TC3 Authorization is refused.
    let mut call = Call::new(Sig::V1Post(SignatureMethod::HmacSha1), &purge_urls(1));
    call.content_type = Some("application/x-www-form-urlencoded; charset=utf-8".to_owned());
    call.ok(&running).await;
    call.content_type = Some("application/json".to_owned());
    let (code, message) = call.error(&running).await;
    assert_eq!(code, "MissingParameter");
    assert!(message.contains("Authorization"), "{message}");
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn requests_signed_for_the_public_host_replay() {
    let (running, _) = start_at(|_| {}).await;
    for sig in EVERY_SIG {
        let mut call = Call::new(sig, &purge_urls(1));
        call.signed_host = Some("cdn.tencentcloudapi.com".to_owned());
        call.ok(&running).await;
        call.signed_host = Some("cdn.example.com".to_owned());
        assert_eq!(
            call.error(&running).await.0,
            "AuthFailure.SignatureFailure",
            "{sig:?}"
        );
    }
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn authentication_failures_have_their_codes() {
    let (running, _) = start_at(|_| {}).await;
    for sig in EVERY_SIG {
        let good = Call::new(sig, &purge_urls(1));

        let mut call = good.clone();
        call.secret_id = "AKIDsomebodyElse".to_owned();
        let (code, message) = call.error(&running).await;
        assert_eq!(code, "AuthFailure.SecretIdNotFound", "{sig:?}");
        assert!(message.contains("AKIDsomebodyElse"), "{message}");

        let mut call = good.clone();
        call.key = "not-the-key".to_owned();
        assert_eq!(
            call.error(&running).await.0,
            "AuthFailure.SignatureFailure",
            "{sig:?}"
        );

        if sig != Sig::Tc3Get {
            let mut call = good.clone();
            call.tamper = true;
            assert_eq!(
                call.error(&running).await.0,
                "AuthFailure.SignatureFailure",
                "{sig:?}: a changed body"
            );
        }

        for (skew, expected) in [
            (300, None),
            (-300, None),
            (301, Some("ahead")),
            (-301, Some("behind")),
        ] {
            let mut call = good.clone();
            call.timestamp = NOW + skew;
            match expected {
                None => {
                    call.ok(&running).await;
                }
                Some(word) => {
                    let (code, message) = call.error(&running).await;
                    assert_eq!(code, "AuthFailure.SignatureExpire", "{sig:?} {skew}");
                    assert!(message.contains(word), "{message}");
                }
            }
        }
    }
    // Only the requests within the window were applied.
    assert_eq!(running.emulator().tasks().len(), 2 * EVERY_SIG.len());
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_configured_token_is_required() {
    let (running, _) = start_at(|c| c.token = Some(SessionToken::new("session-token-1"))).await;
    for sig in EVERY_SIG {
        let mut call = Call::new(sig, &purge_urls(1));
        assert_eq!(call.error(&running).await.0, "AuthFailure.TokenFailure");
        call.token = Some("session-token-2".to_owned());
        let (code, message) = call.error(&running).await;
        assert_eq!(code, "AuthFailure.TokenFailure");
        assert!(
            !message.contains("session-token"),
            "no token in messages: {message}"
        );
        call.token = Some("session-token-1".to_owned());
        call.ok(&running).await;
    }
    assert!(!format!("{:?}", running.emulator().config()).contains("session-token-1"));
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn action_and_version_are_checked() {
    let (running, _) = start_at(|_| {}).await;
    for sig in EVERY_SIG {
        let good = Call::new(sig, &purge_urls(1));
        let mut call = good.clone();
        call.action = "PurgeEverything".to_owned();
        let (code, message) = call.error(&running).await;
        assert_eq!(code, "InvalidAction", "{sig:?}");
        assert!(message.contains("PurgeEverything"), "{message}");
        let mut call = good.clone();
        call.version = "2017-01-01".to_owned();
        assert_eq!(call.error(&running).await.0, "NoSuchVersion", "{sig:?}");
    }
    // Without an action at all.
    let request = http::Request::post(format!("{}/", running.origin()))
        .header("content-type", "application/json")
        .header("authorization", "TC3-HMAC-SHA256 Credential=x")
        .body(bytes::Bytes::from_static(b"{}"))
        .unwrap();
    let response = tcdn_transport::Transport::send(&common::transport(), request)
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(
        body["Response"]["Error"]["Code"], "MissingParameter",
        "{body}"
    );
    assert!(
        body["Response"]["Error"]["Message"]
            .as_str()
            .unwrap()
            .contains("X-TC-Action")
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn parameter_errors_name_the_field() {
    let (running, _) = start_at(|_| {}).await;
    /// Action, JSON body, the same flattened, the code, the field named.
    type Case = (
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
        &'static str,
        &'static str,
    );
    let cases: [Case; 5] = [
        ("PurgeUrlsCache", r#"{}"#, &[], "MissingParameter", "Urls"),
        (
            "PurgeUrlsCache",
            r#"{"Urls":["https://a.example/x"],"Colour":"red"}"#,
            &[("Urls.0", "https://a.example/x"), ("Colour", "red")],
            "UnknownParameter",
            "Colour",
        ),
        (
            "PurgeUrlsCache",
            r#"{"Urls":["https://a.example/x"],"Area":"moon"}"#,
            &[("Urls.0", "https://a.example/x"), ("Area", "moon")],
            "InvalidParameterValue",
            "Area",
        ),
        (
            "PushUrlsCache",
            r#"{"Urls":["ftp://a.example/x"]}"#,
            &[("Urls.0", "ftp://a.example/x")],
            "InvalidParameterValue",
            "Urls.0",
        ),
        (
            "PurgePathCache",
            r#"{"Paths":["https://a.example/d/"]}"#,
            &[("Paths.0", "https://a.example/d/")],
            "MissingParameter",
            "FlushType",
        ),
    ];
    for sig in EVERY_SIG {
        for (action, json, flat, code, field) in cases {
            let (got, message) = Call::raw(sig, action, json, flat).error(&running).await;
            assert_eq!(got, code, "{sig:?} {action} {json}: {message}");
            assert!(message.contains(field), "{sig:?}: {message}");
        }
    }
    assert!(running.emulator().tasks().is_empty());
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn batch_limits_have_their_codes() {
    let (running, _) = start_at(|_| {}).await;
    let many = |name: &str, n: usize| {
        let items: Vec<String> = (0..n)
            .map(|i| format!("\"https://www.example.com/{i}/\""))
            .collect();
        format!(r#"{{"{name}":[{}],"FlushType":"flush"}}"#, items.join(","))
    };
    for (action, name, n, code) in [
        (
            "PurgeUrlsCache",
            "Urls",
            1001,
            "LimitExceeded.CdnPurgeUrlExceedBatchLimit",
        ),
        (
            "PurgePathCache",
            "Paths",
            101,
            "LimitExceeded.CdnPurgePathExceedBatchLimit",
        ),
        (
            "PushUrlsCache",
            "Urls",
            501,
            "LimitExceeded.CdnPushExceedBatchLimit",
        ),
    ] {
        let mut json = many(name, n);
        if action != "PurgePathCache" {
            json = json.replace(r#","FlushType":"flush""#, "");
        }
        let (got, message) = Call::raw(Sig::Tc3Post, action, &json, &[])
            .error(&running)
            .await;
        assert_eq!(got, code, "{message}");
        assert!(message.contains(&n.to_string()), "{message}");
    }
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn daily_quotas_are_per_area_shared_with_api_2_and_reported() {
    let (running, clock) = start_at(|c| {
        c.quotas.url_flush = 3;
        c.quotas.dir_flush = 2;
        c.quotas.url_push = 4;
    })
    .await;
    // URL purges: mainland by default, overseas separately.
    Call::new(Sig::Tc3Post, &purge_urls(3)).ok(&running).await;
    let (code, message) = Call::new(Sig::Tc3Post, &purge_urls(1))
        .error(&running)
        .await;
    assert_eq!(code, "LimitExceeded.CdnPurgeUrlExceedDayLimit");
    assert!(
        message.contains("mainland") && message.contains("3 of 3"),
        "{message}"
    );
    Call::new(
        Sig::Tc3Post,
        &purge_urls_in(2, Some(v3::PurgeArea::Overseas)),
    )
    .ok(&running)
    .await;

    // Directory purges.
    Call::new(Sig::Tc3Get, &purge_paths(2)).ok(&running).await;
    let (code, _) = Call::new(Sig::Tc3Get, &purge_paths(1))
        .error(&running)
        .await;
    assert_eq!(code, "LimitExceeded.CdnPurgePathExceedDayLimit");

    // A global push spends both areas; an API 2.0 push draws on the same
    // quota.
    Call::new(Sig::Tc3Post, &push_urls(2, Some(v3::Area::Global)))
        .ok(&running)
        .await;
    let v2 = common::Signer {
        nonce: 9,
        ..common::Signer::default()
    }
    .sign(&common::request(
        tcdn_model::Operation::PushUrls,
        tcdn_model::Areas::Oversea,
        1,
    ));
    let url = format!("{}?{}", running.endpoint(), v2.form());
    let response = tcdn_transport::Transport::send(&common::transport(), common::get(url))
        .await
        .unwrap();
    assert!(
        tcdn_model::v2::Envelope::from_slice(response.body())
            .unwrap()
            .is_success()
    );
    let (code, message) = Call::new(Sig::Tc3Post, &push_urls(2, Some(v3::Area::Overseas)))
        .error(&running)
        .await;
    assert_eq!(code, "LimitExceeded.CdnPushExceedDayLimit");
    assert!(
        message.contains("overseas") && message.contains("3 of 4"),
        "{message}"
    );

    let quota = Call::new(
        Sig::Tc3Post,
        &Request::DescribePurgeQuota(v3::DescribePurgeQuota),
    )
    .ok(&running)
    .await;
    assert_eq!(available(&quota["UrlPurge"], "mainland"), 0);
    assert_eq!(available(&quota["UrlPurge"], "overseas"), 1);
    assert_eq!(available(&quota["PathPurge"], "mainland"), 0);
    assert_eq!(quota["UrlPurge"][0]["Total"], 3);
    assert_eq!(quota["UrlPurge"][0]["Batch"], 1000);
    assert_eq!(quota["PathPurge"][0]["Batch"], 100);
    let quota = Call::new(
        Sig::Tc3Post,
        &Request::DescribePushQuota(v3::DescribePushQuota),
    )
    .ok(&running)
    .await;
    assert_eq!(available(&quota["UrlPush"], "mainland"), 2);
    assert_eq!(available(&quota["UrlPush"], "overseas"), 1);

    // The next Beijing day, the quotas are whole again.
    clock.advance_millis(24 * 3600 * 1000);
    let mut call = Call::new(Sig::Tc3Post, &purge_urls(3));
    call.timestamp = NOW + 24 * 3600;
    call.ok(&running).await;
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_rate_limit_counts_each_action_per_second() {
    let (running, clock) = start_at(|c| c.v3_rate_limit_per_second = 3).await;
    for _ in 0..3 {
        Call::new(Sig::Tc3Post, &purge_urls(1)).ok(&running).await;
    }
    let (code, message) = Call::new(Sig::V1Get(SignatureMethod::HmacSha1), &purge_urls(1))
        .error(&running)
        .await;
    assert_eq!(code, "RequestLimitExceeded");
    assert!(message.contains("PurgeUrlsCache"), "{message}");
    // Another action has its own count.
    Call::new(Sig::Tc3Post, &push_urls(1, None))
        .ok(&running)
        .await;
    clock.advance_millis(1000);
    Call::new(Sig::Tc3Post, &purge_urls(1)).ok(&running).await;
    // Refused requests are not applied; unsigned ones are not counted.
    assert_eq!(running.emulator().tasks().len(), 5);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_default_rate_limit_is_twenty_per_second() {
    let (running, _) = start_at(|c| c.v3_rate_limit_per_second = 20).await;
    let quota = Request::DescribePushQuota(v3::DescribePushQuota);
    for _ in 0..20 {
        Call::new(Sig::Tc3Post, &quota).ok(&running).await;
    }
    assert_eq!(
        Call::new(Sig::Tc3Post, &quota).error(&running).await.0,
        "RequestLimitExceeded"
    );
    assert_eq!(
        tcdn_emulator::Config::new(Vec::new()).v3_rate_limit_per_second,
        20
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn tasks_go_from_process_to_done_or_fail_after_the_delay() {
    let (running, clock) = start_at(|c| {
        c.tasks = TaskProgress {
            delay: Duration::from_millis(1000),
            fail_rate: 0.5,
        };
        c.faults.seed = 3;
    })
    .await;
    let id = task_id(
        &Call::new(Sig::Tc3Post, &push_urls(20, None))
            .ok(&running)
            .await,
    );
    let logs = Call::new(Sig::Tc3Post, &push_tasks_by_id(&id))
        .ok(&running)
        .await;
    assert_eq!(logs["TotalCount"], 20);
    assert!(
        logs["PushLogs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["Status"] == "process" && l["Percent"] == 0),
        "{logs}"
    );
    assert_eq!(running.emulator().tasks()[0].statuses, vec!["process"; 20],);
    clock.advance_millis(999);
    let logs = Call::new(Sig::Tc3Post, &push_tasks_by_id(&id))
        .ok(&running)
        .await;
    assert_eq!(logs["PushLogs"][0]["Status"], "process");
    clock.advance_millis(1);
    let logs = Call::new(Sig::Tc3Post, &push_tasks_by_id(&id))
        .ok(&running)
        .await;
    let statuses: Vec<&str> = logs["PushLogs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["Status"].as_str().unwrap())
        .collect();
    let failed = statuses.iter().filter(|s| **s == "fail").count();
    assert!(failed > 0 && failed < 20, "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == "done").count(),
        20 - failed
    );
    assert_eq!(logs["PushLogs"][0]["UpdateTime"], "2023-11-15 06:13:21");
    let listed = running.emulator().tasks()[0].statuses.clone();
    assert_eq!(listed.iter().filter(|s| *s == "fail").count(), failed);

    // The same seed fails the same URLs.
    let (again, again_clock) = start_at(|c| {
        c.tasks = TaskProgress {
            delay: Duration::from_millis(1000),
            fail_rate: 0.5,
        };
        c.faults.seed = 3;
    })
    .await;
    Call::new(Sig::Tc3Post, &push_urls(20, None))
        .ok(&again)
        .await;
    again_clock.advance_millis(1000);
    assert_eq!(again.emulator().tasks()[0].statuses, listed);
    again.shutdown().await.unwrap();
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn task_queries_select_by_window_and_filter_and_page() {
    let (running, clock) = start_at(|c| c.tasks.delay = Duration::ZERO).await;
    // 06:13:20 Beijing: 2 URL purges; 06:13:30: a directory purge overseas;
    // 06:13:40: 3 URL purges on another host.
    Call::new(Sig::Tc3Post, &purge_urls(2)).ok(&running).await;
    clock.advance_millis(10_000);
    let mut call = Call::raw(
        Sig::Tc3Post,
        "PurgePathCache",
        r#"{"Paths":["https://www.example.com/d/"],"FlushType":"flush","Area":"overseas"}"#,
        &[],
    );
    call.timestamp = NOW + 10;
    call.ok(&running).await;
    clock.advance_millis(10_000);
    let mut call = Call::raw(
        Sig::Tc3Post,
        "PurgeUrlsCache",
        r#"{"Urls":["https://img.example.net/1","https://img.example.net/2","https://img.example.net/3"]}"#,
        &[],
    );
    call.timestamp = NOW + 20;
    call.ok(&running).await;

    let query = |json: &str| {
        let mut call = Call::raw(Sig::Tc3Post, "DescribePurgeTasks", json, &[]);
        call.timestamp = NOW + 20;
        call
    };
    let all = query(r#"{"StartTime":"2023-11-15 06:00:00"}"#)
        .ok(&running)
        .await;
    assert_eq!(all["TotalCount"], 6, "{all}");
    assert_eq!(
        all["PurgeLogs"][0]["Url"], "https://img.example.net/1",
        "newest first"
    );
    assert_eq!(all["PurgeLogs"][0]["CreateTime"], "2023-11-15 06:13:40");
    assert_eq!(all["PurgeLogs"][5]["CreateTime"], "2023-11-15 06:13:20");

    let window = query(r#"{"StartTime":"2023-11-15 06:13:21","EndTime":"2023-11-15 06:13:39"}"#)
        .ok(&running)
        .await;
    assert_eq!(window["TotalCount"], 1, "{window}");
    assert_eq!(window["PurgeLogs"][0]["PurgeType"], "path");
    assert_eq!(window["PurgeLogs"][0]["FlushType"], "flush");

    let paged = query(r#"{"StartTime":"2023-11-15 06:00:00","Offset":1,"Limit":2}"#)
        .ok(&running)
        .await;
    assert_eq!(paged["TotalCount"], 6);
    let urls: Vec<&str> = paged["PurgeLogs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["Url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        ["https://img.example.net/2", "https://img.example.net/3"]
    );

    let by_host = query(r#"{"StartTime":"2023-11-15 06:00:00","Keyword":"www.example.com"}"#)
        .ok(&running)
        .await;
    assert_eq!(by_host["TotalCount"], 3);
    let by_url =
        query(r#"{"StartTime":"2023-11-15 06:00:00","Keyword":"https://img.example.net/2"}"#)
            .ok(&running)
            .await;
    assert_eq!(by_url["TotalCount"], 1);
    let by_type =
        query(r#"{"StartTime":"2023-11-15 06:00:00","PurgeType":"url","Area":"mainland"}"#)
            .ok(&running)
            .await;
    assert_eq!(by_type["TotalCount"], 5);
    let overseas = query(r#"{"StartTime":"2023-11-15 06:00:00","Area":"overseas"}"#)
        .ok(&running)
        .await;
    assert_eq!(overseas["TotalCount"], 1);
    let done = query(r#"{"StartTime":"2023-11-15 06:00:00","Status":"done"}"#)
        .ok(&running)
        .await;
    assert_eq!(done["TotalCount"], 6);
    let failed = query(r#"{"StartTime":"2023-11-15 06:00:00","Status":"fail"}"#)
        .ok(&running)
        .await;
    assert_eq!(failed["TotalCount"], 0);
    let later = query(r#"{"StartTime":"2023-11-15 07:00:00"}"#)
        .ok(&running)
        .await;
    assert_eq!(later["TotalCount"], 0);
    assert_eq!(later["PurgeLogs"], serde_json::json!([]));

    // Neither a TaskId nor a StartTime.
    let (code, message) = query("{}").error(&running).await;
    assert_eq!(code, "MissingParameter");
    assert!(message.contains("StartTime"), "{message}");
    let (code, _) = query(r#"{"StartTime":"2023-11-15T06:00:00"}"#)
        .error(&running)
        .await;
    assert_eq!(code, "InvalidParameterValue");
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_lost_answer_leaves_the_task_applied_and_queryable() {
    let (running, _) = start_at(|c| {
        c.faults = Faults {
            lose_answer_rate: 1.0,
            ..Faults::default()
        };
    })
    .await;
    let call = Call::new(Sig::Tc3Post, &push_urls(2, Some(v3::Area::Global)));
    let error = tcdn_transport::Transport::send(&common::transport(), call.build(running.origin()))
        .await
        .unwrap_err();
    assert!(error.may_have_reached_server(), "{error}");
    let tasks = running.emulator().tasks();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].action, "PushUrlsCache");
    assert_eq!(tasks[0].areas, ["mainland", "oversea"]);
    let id = tasks[0].task_id.clone().unwrap();

    // Listed over HTTP with its API, action and id...
    let listed = tcdn_transport::Transport::send(
        &common::transport(),
        common::get(format!("{}/_emulator/tasks", running.origin())),
    )
    .await
    .unwrap();
    let listed: serde_json::Value = serde_json::from_slice(listed.body()).unwrap();
    assert_eq!(listed[0]["api"], "v3");
    assert_eq!(listed[0]["task_id"], id.as_str());
    assert_eq!(
        listed[0]["statuses"],
        serde_json::json!(["process", "process"])
    );
    running.shutdown().await.unwrap();

    // ... and by DescribePushTasks, on an emulator that answers.
    let (answering, _) = start_at(|_| {}).await;
    let id = task_id(&call.ok(&answering).await);
    let logs = Call::new(Sig::Tc3Post, &push_tasks_by_id(&id))
        .ok(&answering)
        .await;
    assert_eq!(logs["TotalCount"], 2);
    assert_eq!(logs["PushLogs"][0]["Area"], "global");
    answering.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_lost_answer_is_visible_to_describe_on_the_same_emulator() {
    // Half the answers are lost (seeded): submit until one is, then query
    // until an answer comes back.
    let (running, _) = start_at(|c| {
        c.faults = Faults {
            lose_answer_rate: 0.5,
            seed: 7,
            ..Faults::default()
        };
    })
    .await;
    let transport = common::transport();
    let mut lost = None;
    for nonce in 1..=20 {
        let mut call = Call::new(Sig::V1Post(SignatureMethod::HmacSha1), &purge_urls(1));
        call.nonce = nonce;
        if tcdn_transport::Transport::send(&transport, call.build(running.origin()))
            .await
            .is_err()
        {
            lost = running
                .emulator()
                .tasks()
                .last()
                .and_then(|t| t.task_id.clone());
            break;
        }
    }
    let lost = lost.expect("a seeded half of the answers is lost");
    let mut found = None;
    for _ in 0..20 {
        let call = Call::new(Sig::Tc3Post, &purge_tasks_by_id(&lost));
        if let Ok(response) =
            tcdn_transport::Transport::send(&transport, call.build(running.origin())).await
        {
            found = Some(serde_json::from_slice::<serde_json::Value>(response.body()).unwrap());
            break;
        }
    }
    let found = found.expect("a seeded half of the answers arrives");
    assert_eq!(found["Response"]["TotalCount"], 1, "{found}");
    assert_eq!(found["Response"]["PurgeLogs"][0]["TaskId"], lost.as_str());
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn injected_failures_and_drops_apply_nothing() {
    let (failing, _) = start_at(|c| c.faults.fail_rate = 1.0).await;
    let response = tcdn_transport::Transport::send(
        &common::transport(),
        Call::new(Sig::Tc3Post, &purge_urls(1)).build(failing.origin()),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["Response"]["Error"]["Code"], "InternalError");
    assert!(failing.emulator().tasks().is_empty());
    failing.shutdown().await.unwrap();

    let (dropping, _) = start_at(|c| c.faults.drop_rate = 1.0).await;
    let error = tcdn_transport::Transport::send(
        &common::transport(),
        Call::new(Sig::V1Post(SignatureMethod::HmacSha256), &purge_urls(1))
            .build(dropping.origin()),
    )
    .await
    .unwrap_err();
    assert!(error.may_have_reached_server(), "{error}");
    assert!(dropping.emulator().tasks().is_empty());
    dropping.shutdown().await.unwrap();
}

#[tokio::test]
async fn other_methods_are_unsupported_protocol() {
    let (running, _) = start_at(|_| {}).await;
    let request = http::Request::put(format!("{}/", running.origin()))
        .body(bytes::Bytes::new())
        .unwrap();
    let response = tcdn_transport::Transport::send(&common::transport(), request)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["Response"]["Error"]["Code"], "UnsupportedProtocol");
    running.shutdown().await.unwrap();
}

/// `--inject-error ACTION=CODE[:RATE]`: that action answers the code with a
/// plausible message and applies nothing; other actions are judged as
/// usual; RATE 0 never answers it.
#[tokio::test]
async fn injected_errors_answer_one_action_with_its_code() {
    let (running, _) = start_at(|c| {
        c.inject_errors = vec![
            "DescribePurgeTasks=InternalError".parse().unwrap(),
            "PushUrlsCache=RequestLimitExceeded:0".parse().unwrap(),
        ];
    })
    .await;
    let id = task_id(&Call::new(Sig::Tc3Post, &purge_urls(2)).ok(&running).await);
    let (code, message) = Call::new(Sig::Tc3Post, &purge_tasks_by_id(&id))
        .error(&running)
        .await;
    assert_eq!(code, "InternalError");
    assert_eq!(message, "Internal error.");
    Call::new(Sig::Tc3Get, &push_urls(1, None))
        .ok(&running)
        .await;
    assert_eq!(running.emulator().tasks().len(), 2);
    running.shutdown().await.unwrap();

    let parsed: tcdn_emulator::InjectedError =
        "PurgeUrlsCache=LimitExceeded.Other:0.25".parse().unwrap();
    assert_eq!(
        parsed.action,
        tcdn_emulator::InjectedAction::Cdn(v3::Action::PurgeUrlsCache)
    );
    assert_eq!(parsed.code.as_str(), "LimitExceeded.Other");
    assert!((parsed.rate - 0.25).abs() < f64::EPSILON);
    for bad in [
        "PurgeUrlsCache",
        "Nope=InternalError",
        "PurgeUrlsCache=",
        "PurgeUrlsCache=Bad Code",
        "PurgeUrlsCache=InternalError:2",
        "PurgeUrlsCache=InternalError:x",
    ] {
        assert!(
            bad.parse::<tcdn_emulator::InjectedError>().is_err(),
            "{bad}"
        );
    }
}

/// Answers carry the emulator's own clock in `Date` (a manual or skewed
/// clock shows), so clients can estimate the server's time.
#[tokio::test]
async fn answers_are_dated_by_the_emulators_clock() {
    let (running, clock) = start_at(|_| {}).await;
    clock.set(1_800_000_000);
    let response = tcdn_transport::Transport::send(
        &common::transport(),
        Call::new(Sig::Tc3Post, &purge_urls(1)).build(running.origin()),
    )
    .await
    .unwrap();
    assert_eq!(response.headers()["date"], "Fri, 15 Jan 2027 08:00:00 GMT");
    running.shutdown().await.unwrap();

    let skewed = tcdn_emulator::SkewedClock::new(
        std::sync::Arc::new(tcdn_emulator::ManualClock::at(1_800_000_000)),
        -61,
    );
    let running = tcdn_emulator::Emulator::with_clock(
        tcdn_emulator::Config::new(Vec::new()),
        std::sync::Arc::new(skewed),
    )
    .start("127.0.0.1:0".parse().unwrap())
    .await
    .unwrap();
    let response = tcdn_transport::Transport::send(
        &common::transport(),
        Call::new(Sig::Tc3Post, &purge_urls(1)).build(running.origin()),
    )
    .await
    .unwrap();
    assert_eq!(response.headers()["date"], "Fri, 15 Jan 2027 07:58:59 GMT");
    running.shutdown().await.unwrap();
}

/// Reads one HTTP/1.1 answer (head and `Content-Length` body) off `stream`.
async fn read_answer(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(
            n > 0,
            "closed after {:?}",
            String::from_utf8_lossy(&received)
        );
        received.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&received).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(str::to_owned)
                })
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            if received.len() >= end + 4 + length {
                return text;
            }
        }
    }
}

/// A failure answered on purpose reads the request's body first: the
/// connection stays usable, so the next request on it is answered too (a
/// 503 sent over an unread body would close it, and the client could not
/// tell whether its request was applied).
#[tokio::test]
async fn a_failure_is_answered_after_the_body_on_a_connection_kept_alive() {
    use tokio::io::AsyncWriteExt;
    let (running, _) = start_at(|c| c.faults.fail_rate = 1.0).await;
    let mut stream = tokio::net::TcpStream::connect(running.addr())
        .await
        .unwrap();
    let body = "x".repeat(64 * 1024);
    let request = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    for _ in 0..2 {
        common::bounded(stream.write_all(request.as_bytes()))
            .await
            .unwrap();
        let answer = common::bounded(read_answer(&mut stream)).await;
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
        assert!(answer.contains("InternalError"), "{answer}");
        assert!(
            !answer.to_ascii_lowercase().contains("connection: close"),
            "{answer}"
        );
    }
    assert!(running.emulator().tasks().is_empty());
    running.shutdown().await.unwrap();
}
