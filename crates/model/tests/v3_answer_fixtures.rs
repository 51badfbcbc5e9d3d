//! Every API 3.0 answer body under `fixtures/model/v3_answers/` reads as its
//! `.expected.json` says (see the README there).
//!
//! To write the expectations of new fixtures, run with `TCDN_BLESS=1`,
//! review the diff, and run again without it: a blessing run that changes
//! an expectation still fails, so it can never pass in place of the check
//! (and `cargo xtask test` clears `TCDN_BLESS`).

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use tcdn_model::v3::{
    Answer, AnswerBody, ApiError, PurgeQuota, PurgeTasks, PushQuota, PushTasks, Quota,
    TaskSubmitted,
};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/model/v3_answers")
}

fn quotas(list: &[Quota]) -> Value {
    serde_json::to_value(list).unwrap()
}

fn error(e: &ApiError) -> Value {
    json!({
        "code": e.code().as_str(),
        "message": e.message(),
        "class": format!("{:?}", e.class()),
        "display": e.to_string(),
    })
}

/// What the reader made of a body, in the fixtures' shape.
fn observe<T: AnswerBody>(body: &[u8], payload: impl Fn(&T) -> Value) -> Value {
    match Answer::<T>::from_slice(body) {
        Ok(answer) => {
            let result = match answer.result() {
                Ok(value) => json!({ "ok": payload(value) }),
                Err(e) => json!({ "api_error": error(e) }),
            };
            json!({ "request_id": answer.request_id(), "result": result })
        }
        Err(e) => json!({ "unreadable": {
            "kind": format!("{:?}", e.kind()),
            "detail": e.detail(),
            "snippet": e.snippet(),
        }}),
    }
}

fn observed(answer: &str, body: &[u8]) -> Value {
    match answer {
        "TaskSubmitted" => observe(body, |v: &TaskSubmitted| json!({ "task_id": v.task_id })),
        "PurgeTasks" => observe(body, |v: &PurgeTasks| {
            json!({
                "total_count": v.total_count,
                "logs": v.logs.iter().map(|l| json!({
                    "task_id": l.task_id, "url": l.url, "status": l.status,
                    "task_status": l.task_status().map(|s| s.as_str()),
                    "purge_type": l.purge_kind().map(|s| s.as_str()),
                    "flush_type": l.flush_kind().map(|s| s.as_str()),
                    "create_time": l.create_time,
                })).collect::<Vec<_>>(),
            })
        }),
        "PushTasks" => observe(body, |v: &PushTasks| {
            json!({
                "total_count": v.total_count,
                "logs": v.logs.iter().map(|l| json!({
                    "task_id": l.task_id, "url": l.url, "status": l.status,
                    "task_status": l.task_status().map(|s| s.as_str()),
                    "percent": l.percent, "create_time": l.create_time,
                    "area": l.area_kind().map(|a| a.as_str()), "update_time": l.update_time,
                })).collect::<Vec<_>>(),
            })
        }),
        "PurgeQuota" => observe(
            body,
            |v: &PurgeQuota| json!({ "url_purge": quotas(&v.url_purge), "path_purge": quotas(&v.path_purge) }),
        ),
        "PushQuota" => observe(
            body,
            |v: &PushQuota| json!({ "url_push": quotas(&v.url_push) }),
        ),
        other => panic!("unknown answer type {other}"),
    }
}

#[test]
fn every_fixture_reads_as_expected() {
    let bless = std::env::var_os("TCDN_BLESS").is_some();
    let mut blessed = Vec::new();
    let mut bodies: Vec<PathBuf> = fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "body"))
        .collect();
    bodies.sort();
    assert!(bodies.len() >= 15, "too few fixtures: {bodies:?}");
    for body_path in bodies {
        let expected_path = body_path.with_extension("expected.json");
        let body = fs::read(&body_path).unwrap();
        let mut expected: Value =
            serde_json::from_slice(&fs::read(&expected_path).unwrap()).unwrap();
        let answer = expected["answer"].as_str().unwrap().to_owned();
        let got = observed(&answer, &body);
        if got == expected["read"] {
            continue;
        }
        if bless {
            expected["read"] = got;
            let text = serde_json::to_string_pretty(&expected).unwrap() + "\n";
            fs::write(&expected_path, text).unwrap();
            blessed.push(expected_path.display().to_string());
        } else {
            assert_eq!(got, expected["read"], "{}", body_path.display());
        }
    }
    assert!(
        blessed.is_empty(),
        "TCDN_BLESS rewrote {} expectation(s); review the diff and run again without it: \
         {blessed:#?}",
        blessed.len()
    );
}
