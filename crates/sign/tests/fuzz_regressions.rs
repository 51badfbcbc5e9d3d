//! The `sign_verify` fuzz target's seed corpus and crashes, replayed in
//! `cargo test`.
//!
//! The checks are the fuzz target's own (`fuzz/src/sign.rs`, included
//! below), so a seed or a past crash fails here exactly as it would there.

use tcdn_sign::{CDN_V2_PATH, Endpoint, SecretKey};

#[path = "../../../fuzz/src/sign.rs"]
mod checks;

#[path = "../../../fuzz/src/replay.rs"]
mod replay;
use replay::seeds;

#[test]
fn sign_verify_seeds_pass_the_target_checks() {
    for (path, bytes) in seeds("sign_verify") {
        eprintln!("{}", path.display());
        checks::check(&bytes);
    }
}

/// The seeds taken from published vectors decode to the very requests that
/// were signed there, so the fuzzer starts from real signatures.
#[test]
fn vector_seeds_decode_to_their_published_signatures() {
    let expected = [
        ("docs_describe_hosts", "bWMMAR1eFGjZ5KWbfxTlBiLiNLc="),
        ("v1_get", "Ka7z2AVAZiWtn6bmLne9r4JHSpo="),
        ("v3_post_11_urls", "h0nySgb68FeNQnD+TeV2AFKvcIE="),
        (
            "v4_get_sha256",
            "04IbdYJbODzGIiYU6c7P+Q2NniA4rcUDZOSm1ERB3W0=",
        ),
    ];
    let seeds = seeds("sign_verify");
    for (name, signature) in expected {
        let (_, bytes) = seeds
            .iter()
            .find(|(path, _)| path.file_name().unwrap() == name)
            .unwrap_or_else(|| panic!("seed {name} is missing"));
        let case = checks::Case::decode(bytes);
        let key = SecretKey::from(case.key.as_str());
        let endpoint = Endpoint::new(case.method, &case.host, CDN_V2_PATH);
        let signed = tcdn_sign::sign(&key, &endpoint, &case.params).unwrap();
        assert_eq!(signed.as_str(), signature, "seed {name}");
    }
}
