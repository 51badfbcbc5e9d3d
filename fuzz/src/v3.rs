//! Checks for the API 3.0 parsers of `tcdn_model::v3` on arbitrary bytes:
//! the server-side readers of a JSON body and of flattened parameters, and
//! the client-side answer reader.
//!
//! Standalone (it names no other module of this crate), so the model crate's
//! `tests/fuzz_regressions.rs` includes this very file to replay the corpus.

use tcdn_model::decode_form;
use tcdn_model::v3::{
    Action, Answer, AnswerBody, BatchLimits, ErrorClass, PurgeQuota, PurgeTasks, PushQuota,
    PushTasks, Request, TaskSubmitted, append_flat_form,
};

/// The action a seed names with its first byte (`0`–`6`, taken modulo 7).
fn split(data: &[u8]) -> Option<(Action, &[u8])> {
    let (&first, rest) = data.split_first()?;
    Some((Action::ALL[usize::from(first) % Action::ALL.len()], rest))
}

/// An accepted request: its action, both wire forms with the lengths
/// computed for them, and both forms read back to the same request.
fn check_accepted(action: Action, request: &Request) {
    let limits = BatchLimits::default();
    assert_eq!(request.action(), action);
    let json = request.to_json();
    assert_eq!(json.len(), request.json_len(), "{json}");
    let again = Request::from_json(action, json.as_bytes(), &limits);
    assert_eq!(again.as_ref(), Ok(request), "JSON body: {json}");

    let mut form = String::new();
    append_flat_form(&mut form, &request.flat_params());
    assert_eq!(form.len(), request.flat_form_len(), "{form}");
    let pairs = decode_form(form.as_bytes()).expect("our own form decodes");
    let again = Request::from_params(action, pairs, &limits);
    assert_eq!(again.as_ref(), Ok(request), "form: {form}");
}

/// A refusal answers a catalogued code with a message.
fn check_refusal(error: &tcdn_model::v3::ApiError) {
    assert_ne!(error.class(), ErrorClass::Unknown, "{error}");
    assert!(!error.message().is_empty());
}

/// Target `v3_body`: the first byte picks the action, the rest is a TC3 POST
/// body for `Request::from_json`.
pub fn check_body(data: &[u8]) {
    let Some((action, body)) = split(data) else {
        return;
    };
    match Request::from_json(action, body, &BatchLimits::default()) {
        Ok(request) => check_accepted(action, &request),
        Err(error) => check_refusal(&error),
    }
}

/// Target `v3_params`: the first byte picks the action, the rest is a form
/// (v1 query or body) for `decode_form` then `Request::from_params`.
pub fn check_params(data: &[u8]) {
    let Some((action, form)) = split(data) else {
        return;
    };
    let Ok(pairs) = decode_form(form) else {
        return;
    };
    match Request::from_params(action, pairs, &BatchLimits::default()) {
        Ok(request) => check_accepted(action, &request),
        Err(error) => check_refusal(&error),
    }
}

fn check_answer_as<T: AnswerBody + PartialEq + std::fmt::Debug>(data: &[u8]) {
    match Answer::<T>::from_slice(data) {
        Ok(answer) => {
            let json = answer.to_json();
            let again = Answer::<T>::from_slice(json.as_bytes())
                .unwrap_or_else(|e| panic!("our own answer does not read: {e}: {json}"));
            assert_eq!(again, answer, "{json}");
        }
        Err(error) => {
            let snippet = error.snippet();
            assert!(snippet.chars().count() <= tcdn_model::SNIPPET_MAX_CHARS + 1);
            assert!(!snippet.chars().any(char::is_control), "{snippet:?}");
            assert!(!error.detail().is_empty());
        }
    }
}

/// Target `v3_answer`: any bytes read as each answer type; what reads is
/// written and read back equal; errors carry a bounded one-line snippet.
pub fn check_answer(data: &[u8]) {
    check_answer_as::<TaskSubmitted>(data);
    check_answer_as::<PurgeTasks>(data);
    check_answer_as::<PushTasks>(data);
    check_answer_as::<PurgeQuota>(data);
    check_answer_as::<PushQuota>(data);
}
