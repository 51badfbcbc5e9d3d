//! The `sign_verify` fuzz target's seed corpus and crashes, replayed in
//! `cargo test`.
//!
//! The checks are the fuzz target's own (`fuzz/src/sign.rs`, included
//! below), so a seed or a past crash fails here exactly as it would there.

use std::fs;
use std::path::{Path, PathBuf};

use tcdn_sign::{CDN_V2_PATH, Endpoint, SecretKey};

#[path = "../../../fuzz/src/sign.rs"]
mod checks;

fn seeds() -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/sign_verify");
    let mut out: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    out.sort();
    assert!(out.len() >= 3, "too few seeds in {}", dir.display());
    out
}

#[test]
fn sign_verify_seeds_pass_the_target_checks() {
    for (path, bytes) in seeds() {
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
    let seeds = seeds();
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
