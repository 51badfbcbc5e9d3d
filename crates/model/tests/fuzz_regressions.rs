//! The model fuzz targets' seed corpus and crashes, replayed in `cargo test`.
//!
//! The checks are the fuzz targets' own (`fuzz/src/{envelope,url,form}.rs`,
//! included below), so a seed or a past crash fails here exactly as it would
//! there.

#[path = "../../../fuzz/src/envelope.rs"]
mod envelope;
#[path = "../../../fuzz/src/form.rs"]
mod form;
#[allow(dead_code)]
#[path = "../../../fuzz/src/url.rs"]
mod url;

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
