//! End to end under API 2.0 (`--api v2`): the `tcdn` binary against `tcdn
//! emulator`, over HTTP on loopback, through the real hyper transport.

mod common;

use std::collections::BTreeSet;

use common::*;

fn report(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not a JSON report ({e}): {}\nstderr: {}",
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

#[test]
fn flush_and_push_with_every_method_and_signature() {
    let emulator = EmulatorProcess::start(&[]);
    let tcdn = Tcdn::new();
    let cases: [(&[&str], &str); 4] = [
        (
            &["flush", "--mainland", "--method", "get"],
            "https://www.example.com/get-sha1.js",
        ),
        (
            &[
                "flush",
                "--oversea",
                "--method",
                "post",
                "--signature-method",
                "hmac-sha256",
            ],
            "https://www.example.com/post-sha256.js",
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
            ],
            "https://www.example.com/图片/猫.jpg?x=1&y=a+b",
        ),
        (
            &["flush", "--dir", "--mainland"],
            "https://www.example.com/static/",
        ),
    ];
    for (args, url) in cases {
        let output = tcdn
            .cmd_v2()
            .args(args)
            .args(["--output", "json", "--endpoint", &emulator.endpoint, url])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report = report(&output);
        assert_eq!(strings(&report["succeeded"]), [url]);
        assert_eq!(report["requests"], 1);
    }
    let tasks = emulator.tasks();
    let kinds: Vec<(String, String)> = tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["command"].as_str().unwrap().to_owned(),
                t["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(kinds[2], ("push".to_owned(), "url".to_owned()));
    assert_eq!(kinds[3], ("flush".to_owned(), "dir".to_owned()));
    assert_eq!(
        tasks[2]["areas"],
        serde_json::json!(["mainland", "oversea"])
    );
    assert!(emulator.terminate(), "the emulator exits 0 on SIGTERM");
}

#[test]
fn large_lists_are_split_and_every_url_is_accepted_once() {
    let emulator = EmulatorProcess::start(&["--rate-limit", "0"]);
    let tcdn = Tcdn::new();
    let input: String = (0..2500)
        .map(|i| format!("https://www.example.com/bulk/{i}.css\n"))
        .collect();
    let output = tcdn
        .cmd_v2()
        .args([
            "flush",
            "--mainland",
            "--from-file",
            "-",
            "--output",
            "json",
            "--endpoint",
            &emulator.endpoint,
        ])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = report(&output);
    assert_eq!(report["requests"], 3, "1000 + 1000 + 500");
    let expected: Vec<String> = input.lines().map(str::to_owned).collect();
    assert!(
        strings(&report["succeeded"]) == expected,
        "succeeded differs from the input"
    );
    // Requests run concurrently, so the emulator may accept batches in any order.
    let mut accepted = emulator.accepted_urls();
    accepted.sort();
    let mut sorted = expected;
    sorted.sort();
    assert!(
        accepted == sorted,
        "the emulator accepted {} URLs, not the 2500 sent once each",
        accepted.len()
    );
}

#[test]
fn faults_are_retried_and_every_url_has_exactly_one_outcome() {
    let emulator = EmulatorProcess::start(&[
        "--rate-limit",
        "0",
        "--fail-rate",
        "0.3",
        "--drop-rate",
        "0.2",
        "--seed",
        "11",
    ]);
    let tcdn = Tcdn::new();
    let urls: Vec<String> = (0..200)
        .map(|i| format!("https://www.example.com/faulty/{i}.png"))
        .collect();
    let output = tcdn
        .cmd_v2()
        .args([
            "push",
            "--oversea",
            "--batch-size",
            "10",
            "--retries",
            "8",
            "--retry-delay",
            "5",
            "--timeout",
            "10",
            "--output",
            "json",
            "--endpoint",
            &emulator.endpoint,
        ])
        .args(&urls)
        .output()
        .unwrap();
    let report = report(&output);
    let succeeded = strings(&report["succeeded"]);
    let failed: Vec<String> = report["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["url"].as_str().unwrap().to_owned())
        .collect();
    // Exactly one outcome per URL.
    let mut all: Vec<String> = succeeded.iter().chain(&failed).cloned().collect();
    all.sort();
    let mut expected = urls.clone();
    expected.sort();
    assert_eq!(all, expected);
    // What the client calls succeeded is exactly what the emulator applied.
    let accepted: BTreeSet<String> = emulator.accepted_urls().into_iter().collect();
    assert_eq!(accepted, succeeded.iter().cloned().collect::<BTreeSet<_>>());
    assert!(
        report["requests"].as_u64().unwrap() > 20,
        "faults forced retries: {report}"
    );
    assert_eq!(
        output.status.code(),
        Some(if failed.is_empty() { 0 } else { 1 })
    );
}

#[test]
fn refusals_exit_1_with_the_code_and_message() {
    let emulator = EmulatorProcess::start(&["--quota-url-push", "3"]);
    let urls: Vec<String> = (0..5)
        .map(|i| format!("https://www.example.com/q/{i}.js"))
        .collect();
    let output = Tcdn::new()
        .cmd_v2()
        .args(["push", "--mainland", "--endpoint", &emulator.endpoint])
        .args(&urls)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("0 of 5"), "{text}");
    assert!(text.contains("23101") && text.contains("quota"), "{text}");
    assert!(emulator.accepted_urls().is_empty());
}

#[test]
fn a_clock_three_hours_off_is_reported_as_a_clock_problem() {
    let emulator = EmulatorProcess::start(&[]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let output = Tcdn::new()
        .cmd_v2()
        .args([
            "flush",
            "--mainland",
            "--timestamp",
            &(now - 3 * 3600).to_string(),
            "--endpoint",
            &emulator.endpoint,
        ])
        .arg("https://www.example.com/skew.js")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("4500") && text.contains("clock"), "{text}");
}

#[test]
fn secrets_never_appear_in_output_or_logs() {
    let emulator = EmulatorProcess::start(&[]);
    for args in [
        vec!["-vvv", "flush", "--mainland", "--method", "get"],
        vec![
            "-vvv",
            "flush",
            "--mainland",
            "--method",
            "post",
            "--output",
            "json",
        ],
        vec![
            "-vvv",
            "--dry-run",
            "flush",
            "--mainland",
            "--method",
            "get",
        ],
    ] {
        let output = Tcdn::new()
            .cmd_v2()
            .env("TENCENTCLOUD_TOKEN", TOKEN)
            .args(&args)
            .args([
                "--endpoint",
                &emulator.endpoint,
                "https://www.example.com/secret.js",
            ])
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!all.contains(KEY), "{args:?} printed the secret key");
        assert!(!all.contains(TOKEN), "{args:?} printed the session token");
        assert!(
            all.contains("TRACE") || all.contains("DEBUG") || args.contains(&"--dry-run"),
            "{args:?} logged nothing at -vvv"
        );
    }
}

#[test]
fn the_json_report_lists_not_sent_tasks_and_maybe_applied() {
    let emulator = EmulatorProcess::start(&["--quota-url-push", "1"]);
    let output = Tcdn::new()
        .cmd_v2()
        .args(["push", "--mainland", "--output", "json", "--endpoint"])
        .arg(&emulator.endpoint)
        .args([
            "https://www.example.com/j/0.js",
            "https://www.example.com/j/1.js",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = report(&output);
    assert_eq!(report["not_sent"], serde_json::json!([]));
    assert_eq!(report["tasks"], serde_json::json!([]));
    let failed = report["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 2);
    for failure in failed {
        assert_eq!(failure["code"], 4000, "{failure}");
        assert_eq!(failure["module_code"], 23101, "{failure}");
        assert_eq!(failure["maybe_applied"], false, "{failure}");
    }
}
