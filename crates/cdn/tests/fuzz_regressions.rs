//! The `credentials` fuzz target's seed corpus and crashes, replayed in
//! `cargo test`.
//!
//! The checks are the fuzz target's own (`fuzz/src/credentials.rs`,
//! included below), so a seed or a past crash fails here exactly as it
//! would there.

use std::fs;
use std::path::Path;

#[path = "../../../fuzz/src/credentials.rs"]
mod checks;

#[test]
fn credentials_seeds_pass_the_target_checks() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/credentials");
    let mut seeds: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 3, "too few seeds in {}", dir.display());
    let mut accepted = 0;
    for path in seeds {
        eprintln!("{}", path.display());
        let bytes = fs::read(&path).unwrap();
        checks::check(&bytes);
        let text = std::str::from_utf8(&bytes).unwrap();
        accepted += usize::from(tcdn::parse_tccli_credential(text).is_ok());
        accepted += usize::from(matches!(
            tcdn::parse_ini_credentials(text, "default"),
            Ok(Some(_))
        ));
    }
    assert!(accepted >= 4, "only {accepted} seeds hold credentials");
}
