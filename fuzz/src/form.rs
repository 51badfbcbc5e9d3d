//! Checks for `tcdn_model::decode_form` and `FlushOrPush::from_params` on
//! arbitrary bytes.
//!
//! Standalone (it names no other module of this crate), so the model crate's
//! `tests/fuzz_regressions.rs` includes this very file to replay the corpus.

use tcdn_model::v2::FlushOrPush;
use tcdn_model::{append_form, decode_form, form_len};

/// Decodes `data` as a form; decoded pairs must encode back to the same
/// pairs, and an accepted request must round-trip through its wire form.
pub fn check(data: &[u8]) {
    let pairs = match decode_form(data) {
        Ok(pairs) => pairs,
        Err(error) => {
            let _ = (error.kind(), error.to_string());
            return;
        }
    };
    let mut encoded = String::new();
    append_form(&mut encoded, pairs.iter().map(|(k, v)| (k, v)));
    assert_eq!(encoded.len(), form_len(pairs.iter().map(|(k, v)| (k, v))));
    let decoded_again = decode_form(encoded.as_bytes()).expect("our own encoding decodes");
    assert_eq!(decoded_again, pairs, "encode + decode changed the pairs");

    let request = match FlushOrPush::from_params(pairs.iter().map(|(k, v)| (k, v))) {
        Ok(request) => request,
        Err(error) => {
            let _ = (error.kind(), error.to_string());
            return;
        }
    };
    let mut form = String::new();
    append_form(&mut form, request.action_params());
    assert_eq!(form.len(), request.action_params_form_len());
    let wire_pairs = decode_form(form.as_bytes()).expect("our own form decodes");
    let again = FlushOrPush::from_params(wire_pairs.iter().map(|(k, v)| (k, v)))
        .expect("our own form parses back");
    assert_eq!(again, request, "wire form: {form}");
}
