//! The committed seeds of a fuzz target, for replaying in `cargo test`.
//!
//! Not a module of the fuzz crate: each crate's `tests/fuzz_regressions.rs`
//! includes this file with `#[path]`, so the seed directory is found from
//! that crate's manifest (`crates/<name>/../../fuzz/seeds/<target>`).

use std::fs;
use std::path::{Path, PathBuf};

/// Every seed of `target`, sorted by path, as `(path, bytes)`.
///
/// # Panics
/// When the directory cannot be read or holds fewer than three seeds: an
/// empty corpus would make the replay pass while checking nothing.
pub fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
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
