//! The README's "In CI" recipes, run: the shell lines of its GitHub Actions
//! job, its GitLab CI job and its pipeline test are taken from README.md and
//! run with bash against the emulator, the `tcdn` just built standing in
//! for the install line, so the README cannot drift from the code.
//!
//! The CI jobs run in a git repository of two commits, as a checkout of
//! depth 2 is, their secrets and endpoint in the environment as the CI would
//! set them; the pipeline test starts its own emulator, as written.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{EmulatorProcess, ID, KEY};

/// The README's `## In CI` section.
fn section() -> String {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let text = std::fs::read_to_string(readme).unwrap();
    let start = text
        .find("\n## In CI\n")
        .expect("README has an In CI section");
    let rest = &text[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    rest[..end].to_owned()
}

/// The section's fenced code blocks of `language`, in order.
fn blocks(section: &str, language: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in section.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(lang)) if lang == language => current = Some(String::new()),
            (Some(block), Some("")) => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The shell lines of a GitHub Actions job: every `run:`, one line or a
/// `|` block.
fn github_lines(yaml: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut block: Option<usize> = None;
    for line in yaml.lines() {
        if let Some(depth) = block {
            if line.trim().is_empty() || indent(line) > depth {
                lines.push(line.trim().to_owned());
                continue;
            }
            block = None;
        }
        let key = line.trim_start().trim_start_matches("- ");
        if let Some(value) = key.strip_prefix("run:") {
            match value.trim() {
                "|" => block = Some(indent(line)),
                command => lines.push(command.to_owned()),
            }
        }
    }
    lines
}

/// The shell lines of a GitLab CI job: the items of its `script:`.
fn gitlab_lines(yaml: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut script: Option<usize> = None;
    for line in yaml.lines() {
        if let Some(depth) = script {
            if indent(line) > depth {
                if let Some(command) = line.trim().strip_prefix("- ") {
                    lines.push(command.to_owned());
                }
                continue;
            }
            script = None;
        }
        if line.trim() == "script:" {
            script = Some(indent(line));
        }
    }
    lines
}

/// The lines as one bash script, the install line left out: the `tcdn`
/// just built is on the PATH instead.
fn script(lines: &[String]) -> String {
    let kept: Vec<&str> = lines
        .iter()
        .map(String::as_str)
        .filter(|line| !line.starts_with("cargo install"))
        .collect();
    assert!(kept.len() < lines.len(), "no install line in {lines:?}");
    kept.join("\n") + "\n"
}

/// A directory holding `tcdn`, for the PATH.
fn bin_dir() -> PathBuf {
    assert_cmd::cargo::cargo_bin("tcdn")
        .parent()
        .unwrap()
        .to_owned()
}

fn path_with_tcdn() -> String {
    let path = std::env::var("PATH").unwrap_or_default();
    format!("{}:{path}", bin_dir().display())
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=ci", "-c", "user.email=ci@example.invalid"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// A checkout whose last commit changes `changed` (paths and contents)
/// after a first commit of the site.
fn checkout(changed: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    };
    git(dir.path(), &["init", "-q"]);
    write("dist/index.html", "<h1>v1</h1>");
    write("dist/css/a.css", "a {}");
    write("src/main.ts", "1");
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "first"]);
    for (path, text) in changed {
        write(path, text);
    }
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "deploy"]);
    dir
}

/// Runs `script` with bash -e in `dir`, as a CI job's step, with the
/// secrets and the emulator's endpoint in the environment.
fn run_job(script: &str, dir: &Path, emulator: &EmulatorProcess) -> std::process::Output {
    let output = Command::new("bash")
        .args(["-e", "-c", script])
        .current_dir(dir)
        .env_clear()
        .env("PATH", path_with_tcdn())
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("TENCENTCLOUD_SECRET_ID", ID)
        .env("TENCENTCLOUD_SECRET_KEY", KEY)
        .env("TCDN_ENDPOINT", &emulator.origin)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the recipe failed ({:?}):\n{script}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn ci_jobs() -> Vec<(&'static str, String)> {
    let section = section();
    let yaml = blocks(&section, "yaml");
    assert_eq!(yaml.len(), 2, "a GitHub Actions job and a GitLab CI job");
    let github = github_lines(&yaml[0]);
    let gitlab = gitlab_lines(&yaml[1]);
    for lines in [&github, &gitlab] {
        assert!(
            lines.iter().any(|l| l.starts_with("tcdn flush --base-url")),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|l| l.contains("--allow-empty")),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|l| l.starts_with("tcdn push --wait")),
            "{lines:?}"
        );
    }
    vec![("GitHub", script(&github)), ("GitLab", script(&gitlab))]
}

#[test]
fn the_ci_jobs_flush_a_deploys_changed_paths_and_push_the_entry_pages() {
    for (name, script) in ci_jobs() {
        let emulator = EmulatorProcess::start(&["--task-delay", "100"]);
        let dir = checkout(&[
            ("dist/css/a.css", "a { color: red }"),
            ("dist/img/图 1.png", "png"),
            ("src/main.ts", "2"),
        ]);
        run_job(&script, dir.path(), &emulator);
        let accepted = emulator.accepted_urls();
        assert_eq!(
            accepted,
            [
                "https://www.example.com/css/a.css",
                "https://www.example.com/img/%E5%9B%BE%201.png",
                "https://www.example.com/",
                "https://www.example.com/index.html",
            ],
            "{name}"
        );
    }
}

#[test]
fn the_ci_jobs_send_no_flush_when_the_deploy_changed_nothing() {
    for (name, script) in ci_jobs() {
        let emulator = EmulatorProcess::start(&["--task-delay", "100"]);
        let dir = checkout(&[("src/main.ts", "3")]);
        let output = run_job(&script, dir.path(), &emulator);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("nothing was sent"), "{name}: {stdout}");
        let actions: Vec<String> = emulator
            .tasks()
            .as_array()
            .unwrap()
            .iter()
            .map(|task| task["action"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(actions, ["PushUrlsCache"], "{name}");
    }
}

#[test]
fn the_pipeline_test_runs_as_written() {
    let section = section();
    let sh = blocks(&section, "sh");
    assert_eq!(sh.len(), 1, "one pipeline test");
    assert!(sh[0].contains("tcdn emulator"), "{}", sh[0]);
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new("bash")
        .args(["-e", "-c", &sh[0]])
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", path_with_tcdn())
        .env("HOME", dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The flush, the empty flush, the push after its wait, and the quota
    // document, which counts the two URLs flushed and pushed.
    assert!(stdout.contains("flush: 2 of 2 URLs succeeded"), "{stdout}");
    assert!(stdout.contains("nothing was sent"), "{stdout}");
    assert!(stdout.contains("push: 2 of 2 URLs succeeded"), "{stdout}");
    let quota: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(quota["schema"], 1);
    let mainland = |kind: &str| {
        quota[kind]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["area"] == "mainland")
            .map(|q| q["total"].as_i64().unwrap() - q["available"].as_i64().unwrap())
    };
    assert_eq!(mainland("url_purge"), Some(2), "{quota}");
    assert_eq!(mainland("url_push"), Some(2), "{quota}");
}

#[test]
fn the_extraction_reads_both_yaml_forms() {
    let github = "steps:\n  - name: a\n    run: echo one\n  - run: |\n      echo two\n      echo three\n  - uses: x\n";
    assert_eq!(github_lines(github), ["echo one", "echo two", "echo three"]);
    let gitlab = "job:\n  script:\n    # a comment\n    - echo one\n    - echo two\n  after: x\n";
    assert_eq!(gitlab_lines(gitlab), ["echo one", "echo two"]);
}
