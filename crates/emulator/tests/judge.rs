//! The emulator's rules, judged directly (no HTTP): each kind of bad request
//! gets its documented code, and good ones are recorded as tasks.

mod common;

use common::*;
use http::StatusCode;
use tcdn_model::{Areas, Operation};
use tcdn_sign::{HttpMethod, SignatureMethod};

#[test]
fn a_signed_get_is_accepted_and_recorded() {
    let (emulator, _) = emulator();
    let request = request(Operation::FlushUrls, Areas::Mainland, 3);
    let verdict = judge_get(&emulator, &Signer::default().sign(&request).form());
    assert_eq!(verdict.status, StatusCode::OK);
    assert_eq!(verdict.code, Some(0), "{}", verdict.body);
    let envelope = envelope(&verdict);
    assert!(envelope.is_success());
    let tasks = emulator.tasks();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].command, "flush");
    assert_eq!(tasks[0].url_type, "url");
    assert_eq!(tasks[0].areas, ["mainland"]);
    assert_eq!(tasks[0].urls.len(), 3);
    assert_eq!(tasks[0].time, NOW);
}

#[test]
fn post_with_sha256_both_areas_and_dirs_is_accepted() {
    let (emulator, _) = emulator();
    let request = request(Operation::FlushDirs, Areas::Both, 2);
    let signer = Signer {
        method: HttpMethod::Post,
        signature_method: SignatureMethod::HmacSha256,
        ..Signer::default()
    };
    let form = signer.sign(&request).form();
    let verdict = judge_post(
        &emulator,
        "application/x-www-form-urlencoded",
        form.as_bytes(),
    );
    assert_eq!(verdict.code, Some(0), "{}", verdict.body);
    assert_eq!(emulator.tasks()[0].areas, ["mainland", "oversea"]);
    assert_eq!(emulator.tasks()[0].url_type, "dir");
}

#[test]
fn multipart_bodies_are_read() {
    let (emulator, _) = emulator();
    let request = request(Operation::PushUrls, Areas::Oversea, 2);
    let signed = Signer {
        method: HttpMethod::Post,
        ..Signer::default()
    }
    .sign(&request);
    let mut body = String::new();
    for (k, v) in &signed.params {
        body.push_str(&format!(
            "--BOUNDARY\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str("--BOUNDARY--\r\n");
    let verdict = judge_post(
        &emulator,
        "multipart/form-data; boundary=BOUNDARY",
        body.as_bytes(),
    );
    assert_eq!(verdict.code, Some(0), "{}", verdict.body);
    assert_eq!(emulator.tasks()[0].command, "push");
}

#[test]
fn a_request_signed_for_the_public_host_is_accepted() {
    let (emulator, _) = emulator();
    let request = request(Operation::FlushUrls, Areas::Mainland, 1);
    let signer = Signer {
        host: "cdn.api.qcloud.com",
        ..Signer::default()
    };
    let verdict = judge_get(&emulator, &signer.sign(&request).form());
    assert_eq!(verdict.code, Some(0), "{}", verdict.body);
}

#[test]
fn extra_common_parameters_are_signed_parameters_not_errors() {
    let (emulator, _) = emulator();
    let request = request(Operation::FlushUrls, Areas::Mainland, 1);
    let signer = Signer {
        extra: vec![("RequestClient", "SDK_PYTHON_2.0.15"), ("Region", "gz")],
        ..Signer::default()
    };
    let mut signed = signer.sign(&request);
    assert_eq!(judge_get(&emulator, &signed.form()).code, Some(0));
    // ... and they are covered by the signature.
    signed.set("Region", "bj");
    signed.set("Nonce", "2");
    assert_eq!(judge_get(&emulator, &signed.form()).code, Some(4100));
}

#[test]
fn forged_requests_get_4100() {
    let (emulator, _) = emulator();
    let request = request(Operation::FlushUrls, Areas::Mainland, 1);

    let wrong_key = Signer {
        key: "not-the-key",
        ..Signer::default()
    };
    let verdict = judge_get(&emulator, &wrong_key.sign(&request).form());
    assert_eq!(verdict.code, Some(4100), "{}", verdict.body);

    let unknown_id = Signer {
        secret_id: "AKIDsomebodyElse",
        ..Signer::default()
    };
    let verdict = judge_get(&emulator, &unknown_id.sign(&request).form());
    assert_eq!(verdict.code, Some(4100));
    assert!(
        verdict.body.contains("AKIDsomebodyElse"),
        "{}",
        verdict.body
    );

    let mut tampered = Signer::default().sign(&request);
    tampered.set("urls.0", "https://www.example.com/evil.js");
    assert_eq!(judge_get(&emulator, &tampered.form()).code, Some(4100));

    let wrong_host = Signer {
        host: "cdn.api.qcloud.com.evil",
        ..Signer::default()
    };
    assert_eq!(
        judge_get(&emulator, &wrong_host.sign(&request).form()).code,
        Some(4100)
    );

    // A POST signature does not pass for a GET.
    let post_signed = Signer {
        method: HttpMethod::Post,
        ..Signer::default()
    };
    assert_eq!(
        judge_get(&emulator, &post_signed.sign(&request).form()).code,
        Some(4100)
    );
    assert!(emulator.tasks().is_empty(), "nothing refused is recorded");
}

#[test]
fn the_secret_never_appears_in_answers() {
    let (emulator, _) = emulator();
    let request = request(Operation::FlushUrls, Areas::Mainland, 1);
    let wrong = Signer {
        key: "not-the-key",
        ..Signer::default()
    };
    let verdict = judge_get(&emulator, &wrong.sign(&request).form());
    assert!(!verdict.body.contains(KEY) && !verdict.reason.contains(KEY));
    assert!(!format!("{:?}", emulator.config()).contains(KEY));
}

#[test]
fn stale_and_replayed_requests_get_4500() {
    let (emulator, clock) = emulator();
    let request = request(Operation::FlushUrls, Areas::Mainland, 1);

    let stale = Signer {
        timestamp: NOW - 3 * 3600,
        ..Signer::default()
    };
    let verdict = judge_get(&emulator, &stale.sign(&request).form());
    assert_eq!(verdict.code, Some(4500));
    assert!(
        verdict.body.contains("clock"),
        "the message blames the clock: {}",
        verdict.body
    );

    let future = Signer {
        timestamp: NOW + 7201,
        nonce: 2,
        ..Signer::default()
    };
    assert_eq!(
        judge_get(&emulator, &future.sign(&request).form()).code,
        Some(4500)
    );

    let edge = Signer {
        timestamp: NOW - 7200,
        nonce: 3,
        ..Signer::default()
    };
    assert_eq!(
        judge_get(&emulator, &edge.sign(&request).form()).code,
        Some(0),
        "2 h exactly is inside"
    );

    let fresh = Signer {
        nonce: 42,
        ..Signer::default()
    }
    .sign(&request)
    .form();
    assert_eq!(judge_get(&emulator, &fresh).code, Some(0));
    let replay = judge_get(&emulator, &fresh);
    assert_eq!(replay.code, Some(4500));
    assert!(replay.body.contains("Nonce 42"), "{}", replay.body);
    assert_eq!(emulator.tasks().len(), 2);

    // The same nonce with a new timestamp, still inside the window, is a replay too.
    clock.advance_millis(60_000);
    let again = Signer {
        nonce: 42,
        timestamp: NOW + 60,
        ..Signer::default()
    };
    assert_eq!(
        judge_get(&emulator, &again.sign(&request).form()).code,
        Some(4500)
    );
}

#[test]
fn forged_requests_do_not_spend_nonces() {
    let (emulator, _) = emulator();
    let request = request(Operation::FlushUrls, Areas::Mainland, 1);
    let forged = Signer {
        key: "wrong",
        nonce: 9,
        ..Signer::default()
    };
    assert_eq!(
        judge_get(&emulator, &forged.sign(&request).form()).code,
        Some(4100)
    );
    let real = Signer {
        nonce: 9,
        ..Signer::default()
    };
    assert_eq!(
        judge_get(&emulator, &real.sign(&request).form()).code,
        Some(0)
    );
}

#[test]
fn over_rate_requests_get_4400_until_the_minute_passes() {
    let (emulator, clock) = emulator_with(|c| c.rate_limit_per_minute = 3);
    let request = request(Operation::FlushUrls, Areas::Mainland, 1);
    let mut nonce = 0;
    let mut send = || {
        nonce += 1;
        let signer = Signer {
            nonce,
            timestamp: clock_now(&clock),
            ..Signer::default()
        };
        judge_get(&emulator, &signer.sign(&request).form()).code
    };
    for _ in 0..3 {
        assert_eq!(send(), Some(0));
    }
    assert_eq!(send(), Some(4400));
    clock.advance_millis(60_001);
    assert_eq!(send(), Some(0));
}

fn clock_now(clock: &tcdn_emulator::ManualClock) -> i64 {
    use tcdn_emulator::Clock;
    clock.now_millis() / 1000
}

#[test]
fn per_request_limits_get_module_codes() {
    let (emulator, _) = emulator();
    let cases = [
        (Operation::FlushUrls, 1001, 22043),
        (Operation::FlushDirs, 21, 22045),
        (Operation::PushUrls, 21, 23100),
    ];
    for (nonce, (operation, count, module)) in cases.into_iter().enumerate() {
        // Built by hand: the model refuses to build an over-limit request.
        let command = operation.command().as_str();
        let url_type = operation.url_type().as_str();
        let mut params: Vec<(String, String)> = vec![
            ("Action".into(), "FlushOrPushOverall".into()),
            ("command".into(), command.into()),
            ("type".into(), url_type.into()),
            ("mainland".into(), "1".into()),
        ];
        for i in 0..count {
            params.push((format!("urls.{i}"), format!("https://www.example.com/{i}/")));
        }
        Signer {
            nonce: nonce as u64 + 1,
            method: HttpMethod::Post,
            ..Signer::default()
        }
        .sign_params(&mut params);
        let form = Signed { params }.form();
        let verdict = judge_post(
            &emulator,
            "application/x-www-form-urlencoded",
            form.as_bytes(),
        );
        let envelope = envelope(&verdict);
        assert_eq!(envelope.code(), 4000, "{}", verdict.body);
        assert_eq!(
            envelope.module_code().map(|m| m.code()),
            Some(module),
            "{}",
            verdict.body
        );
    }
    assert!(emulator.tasks().is_empty());
}

#[test]
fn daily_quotas_are_per_area_and_get_module_codes() {
    let (emulator, clock) = emulator_with(|c| {
        c.quotas.url_push = 30;
        c.rate_limit_per_minute = 0;
    });
    let mut nonce = 0;
    let mut push = |areas: Areas, n: usize, prefix: &str| {
        nonce += 1;
        let urls: Vec<_> = urls(prefix, n);
        let request = tcdn_model::v2::FlushOrPush::new(Operation::PushUrls, areas, urls).unwrap();
        let signer = Signer {
            nonce,
            timestamp: clock_now(&clock),
            ..Signer::default()
        };
        envelope(&judge_get(&emulator, &signer.sign(&request).form()))
    };
    assert!(push(Areas::Mainland, 20, "a").is_success());
    assert!(
        push(Areas::Oversea, 20, "b").is_success(),
        "areas are counted apart"
    );
    let over = push(Areas::Both, 11, "c");
    assert_eq!(over.module_code().map(|m| m.code()), Some(23101));
    assert!(over.message().contains("mainland"), "{}", over.message());
    assert!(
        push(Areas::Mainland, 10, "d").is_success(),
        "exactly the quota is fine"
    );
    // The next Beijing day brings a fresh quota.
    clock.advance_millis(24 * 3600 * 1000);
    assert!(push(Areas::Mainland, 20, "e").is_success());
}

#[test]
fn invalid_parameters_get_4000_naming_the_problem() {
    let (emulator, _) = emulator();
    let cases: [(&[(&str, &str)], &str); 6] = [
        (
            &[
                ("command", "purge"),
                ("type", "url"),
                ("mainland", "1"),
                ("urls.0", "https://a.example/x"),
            ],
            "purge",
        ),
        (
            &[
                ("command", "push"),
                ("type", "dir"),
                ("mainland", "1"),
                ("urls.0", "https://a.example/x/"),
            ],
            "dir",
        ),
        (
            &[
                ("command", "flush"),
                ("type", "url"),
                ("urls.0", "https://a.example/x"),
            ],
            "oversea",
        ),
        (
            &[("command", "flush"), ("type", "url"), ("mainland", "1")],
            "URL",
        ),
        (
            &[
                ("command", "flush"),
                ("type", "url"),
                ("mainland", "1"),
                ("urls.0", "ftp://a.example/x"),
            ],
            "ftp",
        ),
        (
            &[
                ("command", "flush"),
                ("type", "url"),
                ("mainland", "1"),
                ("urls.0", "https://a.example/x"),
                ("urls.2", "https://a.example/y"),
            ],
            "urls",
        ),
    ];
    for (nonce, (action_params, named)) in cases.into_iter().enumerate() {
        let mut params: Vec<(String, String)> =
            vec![("Action".into(), "FlushOrPushOverall".into())];
        params.extend(
            action_params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Signer {
            nonce: nonce as u64 + 1,
            ..Signer::default()
        }
        .sign_params(&mut params);
        let verdict = judge_get(&emulator, &Signed { params }.form());
        assert_eq!(
            verdict.code,
            Some(4000),
            "{action_params:?}: {}",
            verdict.body
        );
        assert!(
            verdict.body.contains(named),
            "{action_params:?} should name {named:?}: {}",
            verdict.body
        );
    }
    assert!(emulator.tasks().is_empty());
}

#[test]
fn missing_or_foreign_actions_get_4000() {
    let (emulator, _) = emulator();
    assert_eq!(judge_get(&emulator, "").code, Some(4000));
    let verdict = judge_get(&emulator, "Action=SetHttpsInfo");
    assert_eq!(verdict.code, Some(4000));
    assert!(verdict.body.contains("SetHttpsInfo"));
}

#[test]
fn oversize_requests_get_http_501() {
    let (emulator, _) = emulator();
    let long = format!("Action=FlushOrPushOverall&x={}", "a".repeat(33 * 1024));
    let verdict = judge_get(&emulator, &long);
    assert_eq!(verdict.status, StatusCode::NOT_IMPLEMENTED);
    let body = vec![b'a'; 1024 * 1024 + 1];
    let verdict = judge_post(&emulator, "application/x-www-form-urlencoded", &body);
    assert_eq!(verdict.status, StatusCode::NOT_IMPLEMENTED);
}

#[test]
fn unsupported_content_types_and_broken_encodings_get_4000() {
    let (emulator, _) = emulator();
    assert_eq!(
        judge_post(&emulator, "application/json", b"{}").code,
        Some(4000)
    );
    assert_eq!(
        judge_post(&emulator, "application/x-www-form-urlencoded", b"a=%FF%FE").code,
        Some(4000)
    );
    assert_eq!(
        judge_post(&emulator, "multipart/form-data; boundary=x", b"garbage").code,
        Some(4000)
    );
}

mod robustness {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_queries_never_crash_and_are_all_refused(query in ".{0,300}") {
            let (emulator, _) = emulator();
            let verdict = judge_get(&emulator, &query);
            // Unsigned text never passes: a refusal, with a code in an
            // envelope or an HTTP error status, and nothing recorded.
            prop_assert!(verdict.code != Some(0), "{:?} accepted", query);
            prop_assert!(
                verdict.code.is_some() || verdict.status != StatusCode::OK,
                "{:?}: {:?}", query, verdict.body
            );
            prop_assert!(emulator.tasks().is_empty(), "{:?} recorded a task", query);
        }

        #[test]
        fn arbitrary_bodies_never_crash(
            body in proptest::collection::vec(any::<u8>(), 0..400),
            multipart in any::<bool>(),
        ) {
            let (emulator, _) = emulator();
            let content_type = if multipart { "multipart/form-data; boundary=b" } else { "application/x-www-form-urlencoded" };
            let verdict = judge_post(&emulator, content_type, &body);
            prop_assert!(verdict.code.is_some() || verdict.status != StatusCode::OK);
        }

        #[test]
        fn mangled_signed_requests_never_crash(cut in 0usize..400, junk in "[%&=+a-zA-Z0-9.]{0,8}") {
            let (emulator, _) = emulator();
            let request = request(Operation::FlushUrls, Areas::Both, 3);
            let form = Signer::default().sign(&request).form();
            let cut = cut.min(form.len());
            let mangled = format!("{}{}{}", &form[..cut], junk, &form[cut..]);
            let verdict = judge_get(&emulator, &mangled);
            if verdict.code == Some(0) {
                // Only a harmless change may still pass (e.g. an empty insertion).
                prop_assert_eq!(emulator.tasks().len(), 1);
            }
        }
    }
}
