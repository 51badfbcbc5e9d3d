//! tcdn in a deploy pipeline, end to end through the real CLI and the
//! emulator: a deploy's paths joined with `--base-url`, an empty change with
//! `--allow-empty`, the JSON error document of every exit-2 outcome, the
//! language of the API's messages, and the help, completions and man page a
//! pipeline's author reads.

mod common;

use common::{EmulatorProcess, Tcdn};

fn json(output: &std::process::Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout:?}"))
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn a_deploys_changed_paths_are_flushed_under_the_base_url() {
    let emulator = EmulatorProcess::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let changed = write(
        &dir,
        "changed.txt",
        "dist/css/a.css\n./dist/img/图 1.png\n/dist//index.html\ndist/a%20b.txt\n\
         https://other.example/kept\n# a comment\n",
    );
    let output = Tcdn::new()
        .cmd()
        .args(["flush", "--endpoint", &emulator.origin, "--output", "json"])
        .args([
            "--base-url",
            "https://www.example.com/",
            "--strip-prefix",
            "dist/",
        ])
        .args(["--from-file", &changed])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = json(&output);
    assert_eq!(report["schema"], 1);
    let expected = [
        "https://www.example.com/css/a.css",
        "https://www.example.com/img/%E5%9B%BE%201.png",
        "https://www.example.com/index.html",
        "https://www.example.com/a%20b.txt",
        "https://other.example/kept",
    ];
    assert_eq!(report["succeeded"], serde_json::json!(expected));
    assert_eq!(emulator.accepted_urls(), expected);

    // Directories: each path gets its trailing slash.
    let output = Tcdn::new()
        .cmd()
        .args(["flush", "--dir", "--endpoint", &emulator.origin])
        .args([
            "--base-url",
            "https://www.example.com",
            "static",
            "docs/v2/",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let urls = emulator.accepted_urls();
    assert_eq!(
        urls[expected.len()..],
        [
            "https://www.example.com/static/",
            "https://www.example.com/docs/v2/"
        ]
    );
}

#[test]
fn a_path_that_climbs_out_is_refused_and_nothing_is_sent() {
    let emulator = EmulatorProcess::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let changed = write(&dir, "changed.txt", "a.css\n../secret.txt\n");
    let output = Tcdn::new()
        .cmd()
        .args(["push", "--endpoint", &emulator.origin, "--output", "json"])
        .args([
            "--base-url",
            "https://www.example.com",
            "--from-file",
            &changed,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error = &json(&output)["error"];
    assert_eq!(error["kind"], "input");
    assert_eq!(
        error["problems"][0],
        serde_json::json!({
            "source": changed,
            "line": 2,
            "value": "../secret.txt",
            "message": "path \"../secret.txt\": `..` is refused; a path under --base-url stays under it",
        })
    );
    assert!(emulator.accepted_urls().is_empty());
}

#[test]
fn an_empty_change_sends_nothing_with_allow_empty_and_is_refused_without() {
    let emulator = EmulatorProcess::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    for text in ["", "# nothing changed\n\n"] {
        let changed = write(&dir, "changed.txt", text);
        let flush = |extra: &[&str]| {
            Tcdn::new()
                .cmd()
                .args(["flush", "--endpoint", &emulator.origin])
                .args([
                    "--base-url",
                    "https://www.example.com",
                    "--from-file",
                    &changed,
                ])
                .args(extra)
                .output()
                .unwrap()
        };
        let refused = flush(&[]);
        assert_eq!(refused.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains("--allow-empty"), "{stderr}");
        let refused = flush(&["--output", "json"]);
        assert_eq!(json(&refused)["error"]["kind"], "input");

        let text_run = flush(&["--allow-empty"]);
        assert_eq!(text_run.status.code(), Some(0));
        let stdout = String::from_utf8_lossy(&text_run.stdout);
        assert!(stdout.contains("nothing was sent"), "{stdout}");
        let json_run = flush(&["--allow-empty", "--output", "json"]);
        assert_eq!(json_run.status.code(), Some(0));
        assert_eq!(
            json(&json_run),
            serde_json::json!({
                "schema": 1, "succeeded": [], "failed": [], "not_sent": [], "requests": 0, "tasks": []
            })
        );
    }
    assert!(emulator.tasks().as_array().unwrap().is_empty());
}

/// Runs tcdn with `args` (and `env`) and returns its JSON error document,
/// checking the exit status.
fn error_document(
    tcdn: &Tcdn,
    env: &[(&str, &str)],
    args: &[&str],
    code: i32,
) -> serde_json::Value {
    let mut cmd = tcdn.cmd();
    for (name, value) in env {
        cmd.env(name, value);
    }
    let output = cmd.args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(code), "{args:?}: {output:?}");
    let document = json(&output);
    assert_eq!(document["schema"], 1, "{document}");
    assert!(
        document["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{document}"
    );
    document["error"].clone()
}

#[test]
fn every_exit_2_outcome_prints_its_error_document_under_json() {
    let emulator = EmulatorProcess::start(&["--quota-url-flush", "1"]);
    let tcdn = Tcdn::new();
    let endpoint = emulator.origin.as_str();
    let url = "https://www.example.com/a.css";
    let kind =
        |env: &[(&str, &str)], args: &[&str]| error_document(&tcdn, env, args, 2)["kind"].clone();
    // Usage: clap's own errors, and the CLI's.
    assert_eq!(
        kind(&[], &["flush", "--bogus", "--output", "json"]),
        "usage"
    );
    assert_eq!(
        kind(&[], &["--output=json", "flush", "--timeout", "0", url]),
        "usage"
    );
    assert_eq!(
        kind(&[], &["push", "--dir", "--output", "json", url]),
        "usage"
    );
    // Input: a bad URL, named with where it was.
    let error = error_document(
        &tcdn,
        &[],
        &["flush", "--output", "json", url, "ftp://x/"],
        2,
    );
    assert_eq!(error["kind"], "input");
    assert_eq!(error["problems"][0]["source"], "arguments");
    assert_eq!(error["problems"][0]["line"], 2);
    assert_eq!(error["problems"][0]["value"], "ftp://x/");
    // Credentials: none at all.
    let output = tcdn
        .bare()
        .args(["flush", "--output", "json", "--endpoint", endpoint, url])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(json(&output)["error"]["kind"], "credentials");
    // Config: an unusable endpoint or variable.
    assert_eq!(
        kind(
            &[],
            &[
                "flush",
                "--output",
                "json",
                "--endpoint",
                "ftp://127.0.0.1/",
                url
            ]
        ),
        "config"
    );
    assert_eq!(
        kind(&[("TCDN_API", "v4")], &["quota", "--output", "json"]),
        "config"
    );
    assert_eq!(
        kind(
            &[("TCDN_LANGUAGE", "fr-FR")],
            &["quota", "--output", "json"]
        ),
        "config"
    );
    // Quota: two calls' worth of URLs against a daily quota of one.
    let error = error_document(
        &tcdn,
        &[],
        &[
            "flush",
            "--mainland",
            "--output",
            "json",
            "--batch-size",
            "1",
            "--endpoint",
            endpoint,
            url,
            "https://www.example.com/b.css",
        ],
        2,
    );
    assert_eq!(error["kind"], "quota", "{error}");
    // A failed query is exit 1, kind api.
    let error = error_document(
        &tcdn,
        &[],
        &[
            "quota",
            "--output",
            "json",
            "--endpoint",
            "http://127.0.0.1:9",
            "--retries",
            "0",
        ],
        1,
    );
    assert_eq!(error["kind"], "api");
    assert!(emulator.accepted_urls().is_empty());
    // Text output prints no document.
    let output = tcdn
        .cmd()
        .args(["flush", url, "ftp://x/"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
}

#[test]
fn the_language_is_sent_and_signed() {
    let emulator = EmulatorProcess::start(&[]);
    let url = "https://www.example.com/a.css";
    // The v1 signature covers Language: the emulator checks it.
    for method in ["get", "post"] {
        let output = Tcdn::new()
            .cmd()
            .env("TCDN_LANGUAGE", "zh-CN")
            .args([
                "flush",
                "--signature-method",
                "hmac-sha1",
                "--method",
                method,
            ])
            .args(["--endpoint", &emulator.origin, url])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{output:?}");
    }
    assert_eq!(emulator.accepted_urls(), [url, url]);
    let dry_run = |args: &[&str]| {
        let output = Tcdn::new()
            .cmd()
            .args([
                "flush",
                "--dry-run",
                "--nonce",
                "1",
                "--timestamp",
                "1700000000",
            ])
            .args(args)
            .arg(url)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    assert!(dry_run(&[]).contains("\nX-TC-Language: en-US\n"));
    assert!(dry_run(&["--language", "zh-CN"]).contains("\nX-TC-Language: zh-CN\n"));
    assert!(dry_run(&["--signature-method", "hmac-sha256"]).contains("&Language=en-US&"));
    // API 2.0 has no such parameter.
    assert!(!dry_run(&["--api", "v2", "--mainland"]).contains("Language"));
}

#[test]
fn each_commands_help_has_examples_env_names_and_only_its_options() {
    let help = |args: &[&str]| {
        let output = Tcdn::new().bare().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(0));
        String::from_utf8(output.stdout).unwrap()
    };
    for command in ["flush", "push", "quota", "tasks"] {
        for flag in ["-h", "--help"] {
            let text = help(&[command, flag]);
            assert!(text.contains("\nExamples:\n"), "{command} {flag}");
            assert!(
                text.contains(&format!("  tcdn {command} ")),
                "{command} {flag}"
            );
            for name in [
                "TENCENTCLOUD_SECRET_ID",
                "TENCENTCLOUD_SECRET_KEY",
                "[env: TCDN_ENDPOINT]",
                "[env: TCDN_API]",
                "[env: TCDN_LANGUAGE]",
                "[env: SSL_CERT_FILE]",
                "[env: TCCLI_PROFILE]",
            ] {
                // Wrapped anywhere: compared with single spaces.
                let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(flat.contains(name), "{command} {flag}: {name}");
            }
        }
    }
    for command in ["quota", "tasks"] {
        let text = help(&[command, "--help"]);
        assert!(!text.contains("--batch-size"), "{text}");
        assert!(!text.contains("--concurrency"), "{text}");
    }
    assert!(help(&["flush", "--help"]).contains("--batch-size"));
    // Still accepted where they mean nothing, after the command or before.
    let output = Tcdn::new()
        .cmd()
        .args([
            "--concurrency",
            "2",
            "quota",
            "--batch-size",
            "5",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    for command in ["emulator", "man", "completions"] {
        assert!(
            help(&[command, "--help"]).contains("\nExamples:\n"),
            "{command}"
        );
    }
}

#[test]
fn completions_offer_no_hidden_option() {
    let script = |shell: &str| {
        let output = Tcdn::new()
            .bare()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        String::from_utf8(output.stdout).unwrap()
    };
    let bash = script("bash");
    let push = bash
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("tcdn__subcmd__push)"))
        .nth(1)
        .unwrap();
    assert!(
        push.contains("--base-url") && push.contains("--wait"),
        "{push}"
    );
    assert!(!push.contains("--dir"), "{push}");
    let top = bash
        .lines()
        .skip_while(|l| l.trim() != "tcdn)")
        .nth(1)
        .unwrap();
    assert!(!top.contains("--endpoint"), "{top}");
    for shell in ["zsh", "fish"] {
        let text = script(shell);
        // Only flush's --dir is offered.
        assert_eq!(text.matches("Flush directories").count(), 1, "{shell}");
        assert!(!text.contains("Refused with a message"), "{shell}");
    }
}

#[test]
fn the_man_page_renders_clean_at_80_columns() {
    let output = Tcdn::new().bare().arg("man").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let page = String::from_utf8(output.stdout).unwrap();
    for section in [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "COMMANDS",
        "OPTIONS",
        "\"EXIT STATUS\"",
        "ENVIRONMENT",
        "FILES",
        "EXAMPLES",
    ] {
        assert!(page.contains(&format!("\n.SH {section}\n")), "{section}");
    }
    // The rendering itself needs man (man-db); without it, the page's
    // structure is what can be checked.
    let available = std::process::Command::new("man")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        eprintln!("man is not installed: the rendering is not checked");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "tcdn.1", &page);
    let rendered = std::process::Command::new("man")
        .args(["--warnings", "-l", &path])
        .env("MANWIDTH", "80")
        .env("MAN_KEEP_FORMATTING", "0")
        .env("LC_ALL", "C.UTF-8")
        .env_remove("MANPAGER")
        .env("PAGER", "cat")
        .output()
        .unwrap();
    assert!(rendered.status.success(), "{rendered:?}");
    let stderr = String::from_utf8_lossy(&rendered.stderr);
    assert!(stderr.trim().is_empty(), "warnings: {stderr}");
    let text = String::from_utf8_lossy(&rendered.stdout);
    // Bold and underline are overstrikes when not a terminal: drop them.
    let plain: String = strip_overstrikes(&text);
    assert!(plain.contains("\nEXIT STATUS\n"), "{plain}");
    let long: Vec<&str> = plain.lines().filter(|l| l.chars().count() > 80).collect();
    assert!(long.is_empty(), "{long:#?}");
}

/// `text` without the backspace overstrikes of bold (`X\bX`) and underline
/// (`_\bX`).
fn strip_overstrikes(text: &str) -> String {
    let mut out: Vec<char> = Vec::new();
    for c in text.chars() {
        if c == '\u{8}' {
            out.pop();
        } else {
            out.push(c);
        }
    }
    out.into_iter().collect()
}
