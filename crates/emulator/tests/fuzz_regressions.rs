//! The emulator fuzz targets' seed corpus and crashes, replayed in `cargo test`.
//!
//! The checks are the fuzz targets' own (`fuzz/src/emulator.rs`, included
//! below), so a seed or a past crash fails here exactly as it would there.

use std::fs;
use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "../../../fuzz/src/emulator.rs"]
mod checks;

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
fn emulator_judge_seeds_pass_the_target_checks() {
    let mut accepted = 0;
    for (path, bytes) in seeds("emulator_judge") {
        eprintln!("{}", path.display());
        checks::check_raw(&bytes);
        let verdict = checks::Request::decode(&bytes).judge(&checks::emulator());
        accepted += usize::from(verdict.accepted.is_some());
    }
    // The corpus must reach past the signature check, or the fuzzer starts blind.
    assert!(accepted >= 2, "only {accepted} seeds are accepted");
}

#[test]
fn emulator_signed_seeds_pass_the_target_checks() {
    for (path, bytes) in seeds("emulator_signed") {
        eprintln!("{}", path.display());
        checks::check_signed(&bytes);
    }
}

#[test]
fn every_transport_of_a_signed_request_is_accepted_untouched() {
    for flags in 0..=u8::MAX {
        let (signed, _) = checks::Signed::decode(&[flags, flags, 0, 1, 2, 3, 4, 5, 6, 7]);
        let request = signed.inbound(&signed.wire).unwrap();
        let verdict = request.judge(&checks::emulator());
        assert_eq!(verdict.code, Some(0), "flags {flags:#04x}: {verdict:?}");
    }
}
