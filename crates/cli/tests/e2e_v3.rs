//! End to end under API 3.0: the `tcdn` binary against `tcdn emulator`
//! (its API 3.0 at `/`), over HTTP and HTTPS on loopback, through the real
//! hyper transport: every action, every signing, the wait, quotas, tasks,
//! and lost answers reconciled instead of resubmitted.

mod common;

use std::collections::BTreeSet;

use common::*;

fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn ok(output: &std::process::Output, what: &str) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{what}: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every URL the emulator accepted, in order: a task's `urls` hold strings
/// (API 2.0) or objects with a `url` (API 3.0, with each URL's status).
fn accepted_urls(emulator: &EmulatorProcess) -> Vec<String> {
    emulator
        .tasks()
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|task| task["urls"].as_array().unwrap().clone())
        .map(|url| match url {
            serde_json::Value::String(text) => text,
            object => object["url"].as_str().unwrap().to_owned(),
        })
        .collect()
}

#[test]
fn every_action_and_signing_end_to_end() {
    let emulator = EmulatorProcess::start(&[]);
    let tcdn = Tcdn::new();
    let cases: [(&[&str], &str); 5] = [
        (
            &["flush", "--mainland"],
            "https://www.example.com/tc3-post.js",
        ),
        (
            &["flush", "--method", "get"],
            "https://www.example.com/tc3-get.js",
        ),
        (
            &[
                "flush",
                "--dir",
                "--flush-type",
                "delete",
                "--signature-method",
                "hmac-sha1",
            ],
            "https://www.example.com/static/",
        ),
        (
            &[
                "push",
                "--mainland",
                "--oversea",
                "--method",
                "get",
                "--signature-method",
                "hmac-sha256",
                "--header",
                "X-Warm: 1",
                "--parse-m3u8",
            ],
            "https://www.example.com/图片/猫.jpg?x=1&y=a+b",
        ),
        (
            &["push", "--url-encode", "--layer", "middle"],
            "https://www.example.com/v.m3u8",
        ),
    ];
    let mut task_ids = Vec::new();
    for (args, url) in cases {
        let output = tcdn
            .cmd()
            .args(args)
            .args(["--output", "json", "--endpoint", &emulator.origin, url])
            .output()
            .unwrap();
        ok(&output, &format!("{args:?}"));
        let report = json(&output);
        assert_eq!(strings(&report["succeeded"]), [url]);
        assert_eq!(report["requests"], 1);
        let task = &report["tasks"][0];
        assert_eq!(strings(&task["urls"]), [url]);
        task_ids.push(task["task_id"].as_str().unwrap().to_owned());
    }
    // `tcdn tasks` finds every task, purges and pushes alike.
    let output = tcdn
        .cmd()
        .args(["tasks", "--output", "json", "--endpoint", &emulator.origin])
        .args(&task_ids)
        .output()
        .unwrap();
    ok(&output, "tasks");
    let logs = json(&output);
    let found: BTreeSet<&str> = logs["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|log| log["task_id"].as_str().unwrap())
        .collect();
    assert_eq!(found.len(), task_ids.len());
    // `tcdn quota` shows what the submissions spent.
    let output = tcdn
        .cmd()
        .args(["quota", "--output", "json", "--endpoint", &emulator.origin])
        .output()
        .unwrap();
    ok(&output, "quota");
    let quota = json(&output);
    for group in ["url_purge", "path_purge", "url_push"] {
        assert!(
            !quota[group].as_array().unwrap().is_empty(),
            "{group}: {quota}"
        );
    }
    let text = tcdn
        .cmd()
        .args(["quota", "--endpoint", &emulator.origin])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("AVAILABLE"));
    assert!(emulator.terminate(), "the emulator exits 0 on SIGTERM");
}

#[test]
fn wait_returns_when_the_tasks_are_done() {
    let emulator = EmulatorProcess::start(&[]);
    let started = std::time::Instant::now();
    let output = Tcdn::new()
        .cmd()
        .args([
            "flush",
            "--mainland",
            "--wait",
            "--wait-timeout",
            "60",
            "--output",
            "json",
        ])
        .args([
            "--endpoint",
            &emulator.origin,
            "https://www.example.com/waited.css",
        ])
        .output()
        .unwrap();
    ok(&output, "flush --wait");
    let report = json(&output);
    assert_eq!(
        strings(&report["succeeded"]),
        ["https://www.example.com/waited.css"]
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

#[test]
fn tls_with_the_emulators_ca_bundle() {
    let tcdn = Tcdn::new();
    let ca = tcdn.home.path().join("emulator-ca.pem");
    let emulator = EmulatorProcess::start_tls(&ca, &[]);
    assert!(emulator.origin.starts_with("https://"));
    let output = tcdn
        .cmd()
        .args([
            "flush",
            "--output",
            "json",
            "--endpoint",
            &emulator.origin,
            "--ca-bundle",
        ])
        .arg(&ca)
        .arg("https://www.example.com/over-tls.js")
        .output()
        .unwrap();
    ok(&output, "--ca-bundle");
    // SSL_CERT_FILE does the same.
    let output = tcdn
        .cmd()
        .env("SSL_CERT_FILE", &ca)
        .args(["push", "--output", "json", "--endpoint", &emulator.origin])
        .arg("https://www.example.com/over-tls-2.js")
        .output()
        .unwrap();
    ok(&output, "SSL_CERT_FILE");
    // Without the CA, the certificate is refused and nothing is applied.
    let output = tcdn
        .cmd()
        .args(["flush", "--retries", "0", "--endpoint", &emulator.origin])
        .arg("https://www.example.com/untrusted.js")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn lost_answers_are_reconciled_and_no_url_is_submitted_twice() {
    let emulator = EmulatorProcess::start(&["--lose-answer-rate", "0.3", "--seed", "7"]);
    let input: String = (0..300)
        .map(|i| format!("https://www.example.com/lossy/{i}.css\n"))
        .collect();
    let output = Tcdn::new()
        .cmd()
        .args([
            "flush",
            "--mainland",
            "--from-file",
            "-",
            "--batch-size",
            "10",
        ])
        .args([
            "--retries",
            "10",
            "--retry-delay",
            "1",
            "--timeout",
            "5",
            "--output",
            "json",
        ])
        .args(["--endpoint", &emulator.origin])
        .write_stdin(input)
        .output()
        .unwrap();
    ok(&output, "lossy flush");
    let report = json(&output);
    assert_eq!(report["succeeded"].as_array().unwrap().len(), 300);
    let accepted = accepted_urls(&emulator);
    let distinct: BTreeSet<&String> = accepted.iter().collect();
    assert_eq!(distinct.len(), 300);
    assert_eq!(accepted.len(), 300, "no URL was submitted twice");
}
