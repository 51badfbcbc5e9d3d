//! Tidy checks that run as ordinary tests, so `cargo xtask test` enforces them.
//!
//! - every `.rs` file opens with a `//!` doc;
//! - non-test code holds no placeholder or debugging macros;
//! - every member manifest takes its dependencies from `[workspace.dependencies]`
//!   and its lints from `[workspace.lints]`, so there is one version of each.
//! - no tracked file names the private fact sheet the protocol notes were first
//!   drawn from, nor an absolute path of a developer's machine: a reader of the
//!   repository can follow neither. Protocol facts are cited as
//!   `docs/protocol.md §N`;
//! - every repository path the docs name exists, so the docs follow a move;
//! - each crate depends only on the workspace crates under it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

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

/// Every file git tracks (what a clone holds), or, when git cannot say (no
/// repository, no git), every file under the root outside build and dot
/// directories.
fn tracked_files() -> Vec<PathBuf> {
    let listed = Command::new("git")
        .arg("-C")
        .arg(root())
        .args(["ls-files", "-z"])
        .output();
    let out: Vec<PathBuf> = match listed {
        Ok(output) if output.status.success() => output
            .stdout
            .split(|&b| b == 0)
            .filter(|name| !name.is_empty())
            .map(|name| root().join(String::from_utf8_lossy(name).as_ref()))
            // A tracked file deleted in the work tree is not there to check.
            .filter(|path| path.is_file())
            .collect(),
        _ => {
            let mut out = Vec::new();
            walk(&root(), &mut out, &|_| true);
            out
        }
    };
    assert!(!out.is_empty(), "tidy found no files: wrong root?");
    out
}

/// Lines of `path` (1-based numbers) for which `offends` holds, as
/// `path:line: text`. Non-UTF-8 files are read lossily, so a binary file is
/// checked for the same ASCII text.
fn offending_lines(path: &Path, offends: &dyn Fn(&str) -> bool) -> Vec<String> {
    let bytes = fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    text.lines()
        .enumerate()
        .filter(|(_, line)| offends(line))
        .map(|(index, line)| {
            let shown: String = line.trim().chars().take(160).collect();
            format!("{}:{}: {shown}", rel(path), index + 1)
        })
        .collect()
}

/// The directories whose absolute paths give away a developer's machine,
/// each with its trailing slash (spelled in pieces so this file passes its
/// own check).
const MACHINE_DIRS: [&str; 4] = [
    concat!("/", "work/"),
    concat!("/", "tmp/"),
    concat!("/", "root/"),
    concat!("/", "home/"),
];

/// Whether `line` holds an absolute path that starts with one of
/// [`MACHINE_DIRS`].
///
/// A match counts only where a path can start: at the start of the line,
/// after a character that cannot be part of a path or URL (space, quote,
/// `=`, `(`, `:` ...), or right after `file://`. A URL whose path happens to
/// begin with one of those names passes (the host comes first), and so do
/// relative paths (`./`, `../`, `~/`, `${DIR}/` before the name); examples
/// of both are in the test below. Paths such as `/etc/...` or
/// `/usr/...` are not machine-specific and are not flagged.
fn has_machine_path(line: &str) -> bool {
    let bytes = line.as_bytes();
    MACHINE_DIRS.iter().any(|dir| {
        line.match_indices(dir).any(|(at, _)| {
            let before = &line[..at];
            let path_may_start = match bytes[..at].last() {
                None => true,
                Some(&c) => !(c.is_ascii_alphanumeric() || b"._-~/$})%@+".contains(&c)),
            };
            path_may_start || before.ends_with("file://")
        })
    })
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
        for (index, line) in non_test_lines(&text) {
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

/// The lines of `text` (0-based numbers) outside items gated by
/// `#[cfg(test)]`: each such item is skipped from its attribute to the
/// brace that closes it (or to its `;`, for `mod tests;`), and the scan
/// goes on after it, since code may follow a test module. Braces are
/// counted outside `//` comments only, without reading string literals: a
/// test module with an unbalanced brace in a string ends early or late,
/// which a reviewer sees in the offender list.
fn non_test_lines(text: &str) -> Vec<(usize, &str)> {
    let mut kept = Vec::new();
    let mut skipping = false;
    let mut depth = 0i64;
    let mut opened = false;
    for (index, line) in text.lines().enumerate() {
        if !skipping {
            if line.trim_start().starts_with("#[cfg(test)]") {
                (skipping, depth, opened) = (true, 0, false);
            } else {
                kept.push((index, line));
            }
            continue;
        }
        let code = line.split("//").next().unwrap_or("");
        for c in code.chars() {
            match c {
                '{' => {
                    depth += 1;
                    opened = true;
                }
                '}' => depth -= 1,
                _ => {}
            }
        }
        if (opened && depth <= 0) || (!opened && code.trim_end().ends_with(';')) {
            skipping = false;
        }
    }
    kept
}

#[test]
fn the_test_code_rule_skips_test_items_only() {
    let banned = concat!("todo", "!()");
    let text = [
        "fn a() {}",
        "#[cfg(test)]",
        "mod tests {",
        "    fn t() { if x { y } }",
        &format!("    fn u() {{ {banned} }}"),
        "}",
        &format!("fn after() {{ {banned} }}"),
        "#[cfg(test)]",
        "mod more;",
        &format!("fn last() {{ {banned} }}"),
        "#[cfg(test)]",
        "#[allow(dead_code)]",
        "fn helper() {",
        &format!("    {banned}"),
        "}",
    ]
    .join("\n");
    let flagged: Vec<usize> = non_test_lines(&text)
        .into_iter()
        .filter(|(_, line)| line.contains(banned))
        .map(|(index, _)| index)
        .collect();
    assert_eq!(flagged, [6, 9]);
}

/// Whether `line` is the crate's dependency on itself, by `path = "."` and
/// without a version (a dev-dependency that turns on the crate's own test
/// features for its integration tests).
///
/// It is the one dependency that cannot come from the workspace: with a
/// version, `cargo package` would look the crate up in the registry before
/// it is there; without one, packaging drops it, as it drops every
/// versionless dev-dependency.
fn is_self_dev_dependency(manifest: &str, line: &str) -> bool {
    let own_name = manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("name = "))
        .map(|name| name.trim_matches('"'));
    let dep_name = line.split('=').next().map(str::trim);
    own_name.is_some()
        && own_name == dep_name
        && line.contains("path = \".\"")
        && !line.contains("version")
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
                && !is_self_dev_dependency(&text, line)
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

#[test]
fn no_tracked_file_names_the_fact_sheet() {
    // Spelled in pieces so this file does not trip its own check.
    let banned = concat!("api", "-facts");
    let offenders: Vec<String> = tracked_files()
        .iter()
        .flat_map(|path| offending_lines(path, &|line| line.contains(banned)))
        .collect();
    assert!(
        offenders.is_empty(),
        "cite `docs/protocol.md §N` instead of `{banned}`: {offenders:#?}"
    );
}

#[test]
fn no_tracked_file_holds_an_absolute_machine_path() {
    let offenders: Vec<String> = tracked_files()
        .iter()
        .flat_map(|path| offending_lines(path, &has_machine_path))
        .collect();
    assert!(
        offenders.is_empty(),
        "absolute paths of a machine (use paths relative to the repository): {offenders:#?}"
    );
}

#[test]
fn the_machine_path_rule_flags_paths_and_spares_urls() {
    let flagged = [
        concat!("cd /", "work/main"),
        concat!("\"/", "tmp/venv\""),
        concat!("dir=/", "home/user/x"),
        concat!("(/", "root/.cargo)"),
        concat!("/", "tmp/x at the start"),
        concat!("see file:///", "root/a"),
    ];
    for line in flagged {
        assert!(has_machine_path(line), "not flagged: {line}");
    }
    let spared = [
        concat!("https://example.com/", "work/a"),
        concat!("http://host:8080/", "tmp/b"),
        concat!("./", "tmp/c and ../", "work/d"),
        concat!("~/", "work/e and ${DIR}/", "tmp/f"),
        "/etc/tencentcloud/credentials and /work or /tmp without a slash",
    ];
    for line in spared {
        assert!(!has_machine_path(line), "flagged: {line}");
    }
}

/// The repository paths a document names: words that start with one of the
/// repository's top-level folders, up to the first character that cannot be
/// part of a path. A path with a placeholder (`<target>`) or one under a
/// folder that builds make (`fuzz/artifacts/`) is not a file to look for.
fn named_paths(text: &str) -> Vec<String> {
    const TOPS: [&str; 7] = [
        "crates/",
        "xtask/",
        "fixtures/",
        "docs/",
        "fuzz/",
        ".ci/",
        ".github/",
    ];
    let mut out: Vec<String> = Vec::new();
    let words = text.split(|c: char| !(c.is_ascii_alphanumeric() || "._-/*<>".contains(c)));
    for word in words {
        let path = word.trim_end_matches(['.', ',']);
        if TOPS.iter().any(|top| path.starts_with(top))
            && !path.contains('<')
            && !path.starts_with("fuzz/artifacts")
            && !out.iter().any(|p| p == path)
        {
            out.push(path.to_owned());
        }
    }
    out
}

/// Whether `pattern` (a path, possibly with `*` in its last part) names
/// something in the repository.
fn exists(pattern: &str) -> bool {
    let path = root().join(pattern.trim_end_matches('/'));
    let Some((dir, last)) = pattern.trim_end_matches('/').rsplit_once('/') else {
        return path.exists();
    };
    if !last.contains('*') {
        return path.exists();
    }
    let (prefix, suffix) = last.split_once('*').unwrap_or((last, ""));
    fs::read_dir(root().join(dir)).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(prefix) && name.ends_with(suffix.trim_start_matches('*'))
        })
    })
}

#[test]
fn every_repository_path_the_docs_name_exists() {
    let mut docs: Vec<PathBuf> = ["README.md", "BENCHMARKS.md", "fuzz/README.md"]
        .iter()
        .map(|name| root().join(name))
        .collect();
    walk(&root().join("docs"), &mut docs, &|p| {
        p.extension().is_some_and(|e| e == "md")
    });
    walk(&root().join("crates"), &mut docs, &|p| {
        p.file_name().is_some_and(|n| n == "README.md")
    });
    let mut missing = Vec::new();
    for doc in docs.iter().filter(|d| d.is_file()) {
        let text = fs::read_to_string(doc).unwrap();
        for path in named_paths(&text) {
            if !exists(&path) {
                missing.push(format!("{}: `{path}`", rel(doc)));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "the docs name paths the repository does not have:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_path_finder_reads_paths_as_the_docs_write_them() {
    let text = "see `crates/cdn/src/nonce.rs` (`Nonce`), [a](fixtures/demo/x.txt), \
                xtask/bench/*.py, fuzz/artifacts/<target>/crash, \
                https://example.com/docs/x.md and ../crates/up.rs.";
    assert_eq!(
        named_paths(text),
        [
            "crates/cdn/src/nonce.rs",
            "fixtures/demo/x.txt",
            "xtask/bench/*.py"
        ]
    );
    assert!(exists("xtask/tests/tidy.rs"));
    assert!(exists("xtask/tests/*.rs"));
    assert!(!exists("xtask/tests/*.py"));
    assert!(!exists("crates/cdn/src/env.rs"));
}

/// The workspace crates each crate may name under `[dependencies]`: the
/// signer stands alone, the model builds on it, the transport knows neither,
/// the client ties the three together, the emulator judges with the signer
/// and the model, and the CLI reaches everything through the client (and
/// serves the emulator). Dev-dependencies may bring the emulator into tests.
const ALLOWED_DEPENDENCIES: [(&str, &[&str]); 6] = [
    ("sign", &[]),
    ("model", &["tcdn-sign"]),
    ("transport", &[]),
    ("cdn", &["tcdn-sign", "tcdn-model", "tcdn-transport"]),
    ("emulator", &["tcdn-sign", "tcdn-model"]),
    ("cli", &["tcdn", "tcdn-emulator"]),
];

/// The workspace crates a manifest's `[dependencies]` (and target-specific
/// `[target.….dependencies]`) name.
fn workspace_dependencies(manifest: &str) -> Vec<String> {
    let mut section = String::new();
    let mut out = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line.trim_matches(['[', ']']).to_owned();
            continue;
        }
        let normal = section == "dependencies"
            || (section.starts_with("target.") && section.ends_with(".dependencies"));
        if !normal {
            continue;
        }
        let name = line.split(['=', '.', ' ']).next().unwrap_or("").trim();
        if name == "tcdn" || name.starts_with("tcdn-") {
            out.push(name.to_owned());
        }
    }
    out
}

#[test]
fn crates_depend_only_on_the_crates_under_them() {
    let mut wrong = Vec::new();
    let mut seen = 0;
    for dir in fs::read_dir(root().join("crates")).unwrap().flatten() {
        let manifest = dir.path().join("Cargo.toml");
        let Ok(text) = fs::read_to_string(&manifest) else {
            continue;
        };
        let folder = dir.file_name().to_string_lossy().into_owned();
        let Some((_, allowed)) = ALLOWED_DEPENDENCIES.iter().find(|(f, _)| *f == folder) else {
            wrong.push(format!("crates/{folder}: not in the layering table"));
            continue;
        };
        seen += 1;
        for name in workspace_dependencies(&text) {
            if !allowed.contains(&name.as_str()) {
                wrong.push(format!("crates/{folder} depends on {name}"));
            }
        }
    }
    assert_eq!(
        seen,
        ALLOWED_DEPENDENCIES.len(),
        "a crate of the table is gone"
    );
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn the_layering_reader_sees_normal_dependencies_only() {
    let manifest = "[dependencies]\ntcdn = { workspace = true }\ntcdn-model.workspace = true\n\
                    serde = \"1\"\n[dev-dependencies]\ntcdn-emulator = { workspace = true }\n\
                    [target.'cfg(unix)'.dependencies]\ntcdn-sign = { workspace = true }\n";
    assert_eq!(
        workspace_dependencies(manifest),
        ["tcdn", "tcdn-model", "tcdn-sign"]
    );
}

/// Whether a line's comment cites an issue by its number (the word, a space
/// or `#`, then digits), which no reader of the repository can follow.
fn cites_an_issue(line: &str) -> bool {
    let Some(at) = line.find("//") else {
        return false;
    };
    let comment = line[at..].to_ascii_lowercase();
    comment.match_indices("issue").any(|(i, _)| {
        let rest = comment[i + "issue".len()..].trim_start_matches([' ', '#']);
        comment[i + "issue".len()..].starts_with([' ', '#'])
            && rest.starts_with(|c: char| c.is_ascii_digit())
    })
}

#[test]
fn no_comment_cites_an_issue_number() {
    let mut offending = Vec::new();
    // This file states the rule, with examples.
    let this_file = root().join("xtask").join("tests").join("tidy.rs");
    for path in rust_files().into_iter().filter(|p| *p != this_file) {
        offending.extend(offending_lines(&path, &cites_an_issue));
    }
    assert!(
        offending.is_empty(),
        "say why in the code's own terms instead of citing an issue:\n{}",
        offending.join("\n")
    );
}

#[test]
fn the_issue_rule_flags_numbers_only() {
    assert!(cites_an_issue(concat!("// the limit (issue", " 7 item 2)")));
    assert!(cites_an_issue("//! Issue #12: the dry run"));
    assert!(cites_an_issue(concat!("let x = 1; // issue", " 3")));
    assert!(!cites_an_issue("/// every issue of temporary credentials"));
    assert!(!cites_an_issue("let issue = 7;"));
}

/// The `crate::…` paths a Rust file names in code (comments aside).
fn crate_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (at, _) in code.match_indices("crate::") {
            if code[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &code[at + "crate::".len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '{'))
                .unwrap_or(rest.len());
            out.push(rest[..end].to_owned());
        }
    }
    out
}

/// Files under `crates/cdn/src/<dir>` that name `crate::<forbidden>`.
fn cdn_imports(dir: &str, forbidden: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut files = Vec::new();
    walk(&root().join("crates/cdn/src").join(dir), &mut files, &|p| {
        p.extension().is_some_and(|e| e == "rs")
    });
    assert!(!files.is_empty(), "no files under crates/cdn/src/{dir}");
    let mut wrong = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        for path in crate_paths(&text) {
            if forbidden(&path) {
                wrong.push(format!("{}: crate::{path}", rel(&file)));
            }
        }
    }
    wrong
}

#[test]
fn the_client_core_and_credentials_import_nothing_above_them() {
    let mut wrong = cdn_imports("core", &|path| path.starts_with("api"));
    wrong.extend(cdn_imports("credentials", &|path| {
        path.starts_with("api") || path.starts_with("core")
    }));
    // The API modules name what they use through its module, never through
    // the crate root's re-exports (`crate::Api`, `crate::{…}`).
    wrong.extend(cdn_imports("api", &|path| {
        path.starts_with('{') || path.starts_with(|c: char| c.is_ascii_uppercase())
    }));
    assert!(
        wrong.is_empty(),
        "imports that run back up:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_import_reader_sees_code_paths_only() {
    let text = "use crate::core::backend::Backend;\n\
                // crate::api is only mentioned here\n\
                let x = crate::Api::V3; use crate::{a, b};\n\
                let y = mycrate::z;";
    assert_eq!(crate_paths(text), ["core", "Api", "{a"]);
}

/// Source files allowed more than [`MAX_LINES_BEFORE_TESTS`] lines before
/// their tests, until they are split; the list only shrinks.
const LONG_FILES: [&str; 0] = [];

/// A source file holds one job; past this many lines it holds several.
const MAX_LINES_BEFORE_TESTS: usize = 700;

#[test]
fn no_source_file_is_longer_than_one_job() {
    let mut long = Vec::new();
    let mut listed_but_short = Vec::new();
    for path in rust_files() {
        let name = rel(&path);
        if !(name.starts_with("crates/") || name.starts_with("xtask/src"))
            || !name.contains("/src/")
        {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap();
        let before_tests = text
            .lines()
            .position(|line| line.starts_with("#[cfg(test)]"))
            .unwrap_or_else(|| text.lines().count());
        let listed = LONG_FILES.contains(&name.as_str());
        if before_tests > MAX_LINES_BEFORE_TESTS && !listed {
            long.push(format!("{name}: {before_tests} lines before its tests"));
        }
        if before_tests <= MAX_LINES_BEFORE_TESTS && listed {
            listed_but_short.push(name);
        }
    }
    assert!(long.is_empty(), "split these by job:\n{}", long.join("\n"));
    assert!(
        listed_but_short.is_empty(),
        "take these off LONG_FILES, they fit now: {listed_but_short:?}"
    );
}

#[test]
fn only_a_versionless_path_dependency_on_itself_skips_the_workspace() {
    let manifest = "[package]\nname = \"tcdn\"\n";
    assert!(is_self_dev_dependency(
        manifest,
        r#"tcdn = { path = ".", features = ["test-util"] }"#
    ));
    assert!(!is_self_dev_dependency(
        manifest,
        r#"tcdn = { path = ".", version = "0.1.0" }"#
    ));
    assert!(!is_self_dev_dependency(
        manifest,
        r#"tcdn-sign = { path = "." }"#
    ));
    assert!(!is_self_dev_dependency(
        manifest,
        r#"tcdn = { path = "../sign" }"#
    ));
}
