//! The identity services over real HTTP on 127.0.0.1: the metadata service
//! and STS issue temporary credentials that API 3.0 accepts under every
//! signature with their token, until they expire (judged on arrival), and
//! STS's refusals carry STS's codes.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::v3::*;
use common::{NOW, transport};
use tcdn_emulator::{METADATA_ROLE_PATH, SessionToken};
use tcdn_transport::Transport;

struct Issued {
    secret_id: String,
    key: String,
    token: String,
    expired_time: i64,
}

async fn get(origin: &str, path: &str) -> (u16, String) {
    let request = http::Request::get(format!("{origin}{path}"))
        .body(Bytes::new())
        .unwrap();
    let response = transport().send(request).await.unwrap();
    (
        response.status().as_u16(),
        String::from_utf8(response.body().to_vec()).unwrap(),
    )
}

async fn from_metadata(origin: &str) -> Issued {
    let (status, role) = get(origin, METADATA_ROLE_PATH).await;
    assert_eq!(status, 200);
    let (status, body) = get(origin, &format!("{METADATA_ROLE_PATH}{role}")).await;
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["Code"], "Success");
    assert!(answer["Expiration"].as_str().unwrap().ends_with('Z'));
    Issued {
        secret_id: answer["TmpSecretId"].as_str().unwrap().to_owned(),
        key: answer["TmpSecretKey"].as_str().unwrap().to_owned(),
        token: answer["Token"].as_str().unwrap().to_owned(),
        expired_time: answer["ExpiredTime"].as_i64().unwrap(),
    }
}

fn call_with(sig: Sig, issued: &Issued, nonce: u64) -> Call {
    let mut call = Call::new(sig, &purge_urls(1));
    call.secret_id = issued.secret_id.clone();
    call.key = issued.key.clone();
    call.token = Some(issued.token.clone());
    call.nonce = nonce;
    call
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_credentials_work_under_every_signature_until_they_expire() {
    let (running, clock) = start_at(|config| config.credential_ttl = Duration::from_secs(90)).await;
    let issued = from_metadata(running.origin()).await;
    assert_eq!(issued.expired_time, NOW + 90);
    for (n, sig) in EVERY_SIG.into_iter().enumerate() {
        call_with(sig, &issued, n as u64 + 1).ok(&running).await;

        let mut wrong = call_with(sig, &issued, n as u64 + 100);
        wrong.token = Some("forged".to_owned());
        let (code, _) = wrong.error(&running).await;
        assert_eq!(code, "AuthFailure.TokenFailure", "{sig:?}");

        let mut none = call_with(sig, &issued, n as u64 + 200);
        none.token = None;
        assert_eq!(none.error(&running).await.0, "AuthFailure.TokenFailure");
    }

    clock.advance_millis(90_000);
    for (n, sig) in EVERY_SIG.into_iter().enumerate() {
        let mut call = call_with(sig, &issued, n as u64 + 300);
        call.timestamp = NOW + 90;
        let (code, message) = call.error(&running).await;
        assert_eq!(code, "AuthFailure.TokenFailure", "{sig:?}");
        assert!(message.contains("expired"), "{message}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_token_for_the_long_term_key_does_not_apply_to_issued_credentials() {
    let (running, _clock) = start_at(|config| {
        config.token = Some(SessionToken::new("long-term-session-token"));
    })
    .await;
    let issued = from_metadata(running.origin()).await;
    call_with(Sig::Tc3Post, &issued, 1).ok(&running).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_is_judged_when_the_request_arrives_not_after_the_latency() {
    let (running, clock) = start_at(|config| {
        config.credential_ttl = Duration::from_secs(60);
        config.faults.latency = Duration::from_millis(500);
    })
    .await;
    let issued = from_metadata(running.origin()).await;
    clock.advance_millis(59_900);
    let call = call_with(Sig::Tc3Post, &issued, 1);
    let request = call.build(running.origin());
    let sending = tokio::spawn(async move { transport().send(request).await.unwrap() });
    // Once the request has arrived (it is counted as it arrives, and then
    // waits out the latency), the credentials expire during the latency.
    while running.emulator().stats().requests == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    clock.advance_millis(1_000);
    let response = sending.await.unwrap();
    let answer: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert!(answer["Response"].get("Error").is_none(), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_role_the_metadata_service_answers_404() {
    let (running, _clock) = start_at(|config| config.cvm_role = None).await;
    assert_eq!(get(running.origin(), METADATA_ROLE_PATH).await.0, 404);
    let (running, _clock) = start_at(|_| {}).await;
    let path = format!("{METADATA_ROLE_PATH}another-role");
    assert_eq!(get(running.origin(), &path).await.0, 404);
}

async fn web_identity(origin: &str, body: &str) -> serde_json::Value {
    let request = http::Request::post(format!("{origin}/"))
        .header("content-type", "application/json")
        .header("x-tc-action", "AssumeRoleWithWebIdentity")
        .header("x-tc-version", "2018-08-13")
        .header("x-tc-timestamp", NOW.to_string())
        .header("x-tc-region", "ap-guangzhou")
        .header("authorization", "SKIP")
        .body(Bytes::from(body.to_owned()))
        .unwrap();
    let response = transport().send(request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    body["Response"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sts_web_identity_issues_credentials_and_refuses_what_it_should() {
    let (running, _clock) =
        start_at(|config| config.credential_ttl = Duration::from_secs(3600)).await;
    let body = |arn: &str, token: &str, duration: u64| {
        serde_json::json!({
            "ProviderId": "tke-provider",
            "WebIdentityToken": token,
            "RoleArn": arn,
            "RoleSessionName": "pod-session",
            "DurationSeconds": duration,
        })
        .to_string()
    };
    let arn = "qcs::cam::uin/100000000001:roleName/pod";
    let answer = web_identity(running.origin(), &body(arn, "eyJ.token", 600)).await;
    assert!(answer["RequestId"].is_string());
    // The shorter of DurationSeconds and the TTL.
    assert_eq!(answer["ExpiredTime"], NOW + 600);
    assert_eq!(answer["Expiration"], "2023-11-14T22:23:20Z");
    let issued = Issued {
        secret_id: answer["Credentials"]["TmpSecretId"]
            .as_str()
            .unwrap()
            .to_owned(),
        key: answer["Credentials"]["TmpSecretKey"]
            .as_str()
            .unwrap()
            .to_owned(),
        token: answer["Credentials"]["Token"].as_str().unwrap().to_owned(),
        expired_time: NOW + 600,
    };
    call_with(
        Sig::V1Get(tcdn_sign::SignatureMethod::HmacSha256),
        &issued,
        1,
    )
    .ok(&running)
    .await;

    for (body, code) in [
        (
            body("qcs::cam::uin/100000000001:roleName/missing", "t", 600),
            "ResourceNotFound.RoleNotExist",
        ),
        (
            body("qcs::cam::uin/x:roleName/pod", "t", 600),
            "InvalidParameter",
        ),
        (body(arn, "", 600), "InvalidParameter"),
        (body(arn, "t", 43_201), "InvalidParameter"),
        ("{\"RoleArn\": \"x\"}".to_owned(), "MissingParameter"),
        ("not json".to_owned(), "InvalidParameter"),
    ] {
        let answer = web_identity(running.origin(), &body).await;
        assert_eq!(answer["Error"]["Code"], code, "{body}: {answer}");
        assert!(answer.get("Credentials").is_none());
    }
}
