//! Tidy checks that run as ordinary tests, so `cargo xtask test` enforces them.
//!
//! - every `.rs` file opens with a `//!` doc;
//! - non-test code holds no placeholder or debugging macros;
//! - every member manifest takes its dependencies from `[workspace.dependencies]`
//!   and its lints from `[workspace.lints]`, so there is one version of each.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Every tracked-looking source file below the roots we own.
fn rust_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for top in ["crates", "xtask", "fuzz"] {
        walk(&root().join(top), &mut out, &|p| {
            p.extension().is_some_and(|e| e == "rs")
        });
    }
    assert!(!out.is_empty(), "tidy found no Rust files: wrong root?");
    out
}

fn manifests() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for top in ["crates", "xtask", "fuzz"] {
        walk(&root().join(top), &mut out, &|p| {
            p.file_name().is_some_and(|n| n == "Cargo.toml")
        });
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, keep: &dyn Fn(&Path) -> bool) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if name == "target" || name.starts_with('.') || name == "corpus" || name == "artifacts"
            {
                continue;
            }
            walk(&path, out, keep);
        } else if keep(&path) {
            out.push(path);
        }
    }
}

fn rel(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let offenders: Vec<String> = rust_files()
        .into_iter()
        .filter(|path| {
            let text = fs::read_to_string(path).unwrap();
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            !first.starts_with("//!")
        })
        .map(|p| rel(&p))
        .collect();
    assert!(
        offenders.is_empty(),
        "files without a leading `//!` doc: {offenders:#?}"
    );
}

#[test]
fn no_placeholder_or_debug_macros_in_non_test_code() {
    // Spelled in pieces so this file does not trip its own check.
    let banned = [
        concat!("todo", "!("),
        concat!("unimplemented", "!("),
        concat!("dbg", "!("),
    ];
    let mut offenders = Vec::new();
    for path in rust_files() {
        let rel_path = rel(&path);
        let is_test_file = rel_path.contains("/tests/") || rel_path.ends_with("/tests.rs");
        if is_test_file {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap();
        for (index, line) in text.lines().enumerate() {
            // Unit tests conventionally sit at the end of a file behind `#[cfg(test)]`.
            if line.trim_start().starts_with("#[cfg(test)]") {
                break;
            }
            if banned.iter().any(|b| line.contains(b)) {
                offenders.push(format!("{rel_path}:{}: {}", index + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "placeholder or debug macros in non-test code: {offenders:#?}"
    );
}

#[test]
fn member_manifests_use_workspace_versions_and_lints() {
    let mut offenders = Vec::new();
    let checked = manifests();
    assert!(
        checked.len() >= 4,
        "tidy found too few manifests: {checked:?}"
    );
    for path in checked {
        let text = fs::read_to_string(&path).unwrap();
        let rel_path = rel(&path);
        if rel_path.starts_with("fuzz/") {
            // cargo-fuzz projects sit outside the workspace by design.
            continue;
        }
        if !text.contains("[lints]\nworkspace = true") {
            offenders.push(format!("{rel_path}: missing `[lints] workspace = true`"));
        }
        let mut in_deps = false;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                in_deps = line.ends_with("dependencies]");
                continue;
            }
            if in_deps
                && !line.is_empty()
                && !line.starts_with('#')
                && !line.contains("workspace = true")
            {
                offenders.push(format!(
                    "{rel_path}: `{line}` does not use `workspace = true`"
                ));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "manifest rules broken: {offenders:#?}"
    );
}
