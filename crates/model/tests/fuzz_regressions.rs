//! The model fuzz targets' seed corpus and crashes, replayed in `cargo test`.
//!
//! The checks are the fuzz targets' own (`fuzz/src/{envelope,url,form,v3}.rs`,
//! included below), so a seed or a past crash fails here exactly as it would
//! there.

#[path = "../../../fuzz/src/envelope.rs"]
mod envelope;
#[path = "../../../fuzz/src/form.rs"]
mod form;
#[allow(dead_code)]
#[path = "../../../fuzz/src/url.rs"]
mod url;
#[path = "../../../fuzz/src/v3.rs"]
mod v3;

#[path = "../../../fuzz/src/replay.rs"]
mod replay;
use replay::seeds;

#[test]
fn envelope_seeds_pass_the_target_checks() {
    for (path, bytes) in seeds("envelope") {
        eprintln!("{}", path.display());
        envelope::check(&bytes);
    }
}

#[test]
fn url_seeds_pass_the_target_checks() {
    let mut accepted = 0;
    for (path, bytes) in seeds("url") {
        eprintln!("{}", path.display());
        url::check_bytes(&bytes);
        let text = std::str::from_utf8(&bytes).unwrap();
        accepted += usize::from(tcdn_model::CdnUrl::parse(text).is_ok());
    }
    assert!(accepted >= 3, "only {accepted} URL seeds are valid");
}

#[test]
fn decode_form_seeds_pass_the_target_checks() {
    for (path, bytes) in seeds("decode_form") {
        eprintln!("{}", path.display());
        form::check(&bytes);
    }
}

#[test]
fn v3_body_seeds_pass_the_target_checks() {
    let mut accepted = 0;
    for (path, bytes) in seeds("v3_body") {
        eprintln!("{}", path.display());
        v3::check_body(&bytes);
        let action =
            tcdn_model::v3::Action::ALL[usize::from(bytes[0]) % tcdn_model::v3::Action::ALL.len()];
        let limits = tcdn_model::v3::BatchLimits::default();
        accepted +=
            usize::from(tcdn_model::v3::Request::from_json(action, &bytes[1..], &limits).is_ok());
    }
    assert!(accepted >= 7, "only {accepted} body seeds are accepted");
}

#[test]
fn v3_params_seeds_pass_the_target_checks() {
    for (path, bytes) in seeds("v3_params") {
        eprintln!("{}", path.display());
        v3::check_params(&bytes);
    }
}

#[test]
fn v3_answer_seeds_pass_the_target_checks() {
    for (path, bytes) in seeds("v3_answer") {
        eprintln!("{}", path.display());
        v3::check_answer(&bytes);
    }
}
