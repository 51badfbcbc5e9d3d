//! The model fuzz targets' seed corpus and crashes, replayed in `cargo test`.
//!
//! The checks are the fuzz targets' own (`fuzz/src/{envelope,url,form}.rs`,
//! included below), so a seed or a past crash fails here exactly as it would
//! there.

use std::fs;
use std::path::{Path, PathBuf};

#[path = "../../../fuzz/src/envelope.rs"]
mod envelope;
#[path = "../../../fuzz/src/form.rs"]
mod form;
#[allow(dead_code)]
#[path = "../../../fuzz/src/url.rs"]
mod url;

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/seeds")
        .join(target);
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
