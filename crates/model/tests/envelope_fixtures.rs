//! Every response body under `fixtures/model/envelopes/` parses to (or fails
//! with) what its `.expected.json` says.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use tcdn_model::v2::{CodeDesc, Envelope};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/model/envelopes")
}

/// What the parser made of a body, in the fixtures' shape.
fn observed(body: &[u8]) -> Value {
    match Envelope::from_slice(body) {
        Ok(envelope) => json!({ "ok": {
            "code": envelope.code(),
            "is_success": envelope.is_success(),
            "common_code": envelope.common_code().map(|c| c.code()),
            "module_code": envelope.module_code().map(|c| c.code()),
            "retryability": envelope.retryability().map(|r| format!("{r:?}")),
            "message": envelope.message(),
            "message_text": envelope.message_text(),
            "code_desc": match envelope.code_desc() {
                None => Value::Null,
                Some(CodeDesc::Text(text)) => json!(text),
                Some(CodeDesc::Number(n)) => json!(n),
            },
            "data": envelope.data(),
            "retcode": envelope.retcode(),
            "errmsg": envelope.errmsg(),
        }}),
        Err(error) => json!({ "error": {
            "kind": format!("{:?}", error.kind()),
            "snippet": error.snippet(),
        }}),
    }
}

#[test]
fn every_fixture_parses_as_expected() {
    let mut bodies: Vec<PathBuf> = fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "body"))
        .collect();
    bodies.sort();
    assert!(bodies.len() >= 10, "too few fixtures: {bodies:?}");
    for body_path in bodies {
        let expected_path = body_path.with_extension("expected.json");
        let expected: Value = serde_json::from_slice(
            &fs::read(&expected_path)
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display())),
        )
        .unwrap();
        let got = observed(&fs::read(&body_path).unwrap());
        assert_eq!(got, expected, "{}", body_path.display());
    }
}

#[test]
fn parsed_fixtures_survive_serialization() {
    for name in [
        "success",
        "success_legacy_retcode_errmsg",
        "error_module_code_in_message",
        "error_numeric_code_desc",
        "error_no_code_desc",
    ] {
        let body = fs::read(fixtures_dir().join(format!("{name}.body"))).unwrap();
        let envelope = Envelope::from_slice(&body).unwrap();
        let written = serde_json::to_vec(&envelope).unwrap();
        assert_eq!(Envelope::from_slice(&written).unwrap(), envelope, "{name}");
        let via_serde: Envelope = serde_json::from_slice(&body).unwrap();
        assert_eq!(via_serde, envelope, "{name}");
    }
}

#[test]
fn the_success_fixture_is_what_the_emulator_writes() {
    let body = fs::read(fixtures_dir().join("success.body")).unwrap();
    assert_eq!(serde_json::to_vec(&Envelope::success()).unwrap(), body);
}
