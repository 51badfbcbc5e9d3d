//! Every outcome is the truth, end to end against `tcdn emulator`: an
//! interrupted run prints what it did (exit 130 / 143), a used-up daily
//! quota and a dead endpoint stop the run with the rest reported not sent,
//! lost answers read "may have been applied", and a closed stdout ends the
//! program quietly (exit 141).

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// `tcdn` as a plain child process (to signal it, or to close its stdout),
/// with the test credentials and an empty home.
fn spawn(tcdn: &Tcdn, args: &[&str], stdout: Stdio) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("tcdn"))
        .args(args)
        .env_clear()
        .env("HOME", tcdn.home.path())
        .env("TENCENTCLOUD_SECRET_ID", ID)
        .env("TENCENTCLOUD_SECRET_KEY", KEY)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn urls(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("https://www.example.com/r/{i}.js"))
        .collect()
}

fn json(stdout: &[u8]) -> serde_json::Value {
    serde_json::from_slice(stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(stdout)))
}

/// Each URL's list in the JSON report; panics if a URL is in two lists.
fn outcomes(report: &serde_json::Value) -> BTreeMap<String, String> {
    let mut seen = BTreeMap::new();
    let mut add = |url: &str, list: String| {
        assert!(
            seen.insert(url.to_owned(), list).is_none(),
            "{url} is listed twice"
        );
    };
    for url in report["succeeded"].as_array().unwrap() {
        add(url.as_str().unwrap(), "succeeded".into());
    }
    for failure in report["failed"].as_array().unwrap() {
        add(failure["url"].as_str().unwrap(), "failed".into());
    }
    for entry in report["not_sent"].as_array().unwrap() {
        let reason = entry["reason"].as_str().unwrap();
        add(entry["url"].as_str().unwrap(), format!("not_sent:{reason}"));
    }
    seen
}

/// Waits until the emulator has accepted `n` URLs.
fn wait_for_accepted(emulator: &EmulatorProcess, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while count_accepted(emulator) < n {
        assert!(
            Instant::now() < deadline,
            "the emulator accepted fewer than {n}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn count_accepted(emulator: &EmulatorProcess) -> usize {
    emulator
        .tasks()
        .as_array()
        .unwrap()
        .iter()
        .map(|task| task["urls"].as_array().unwrap().len())
        .sum()
}

fn kill(child: &std::process::Child, signal: &str) {
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap()
            .success()
    );
}

/// A paced run of 20 one-URL calls (one a second), interrupted after two
/// were accepted.
fn interrupted_run(signal: &str, output: &str) -> (std::process::Output, usize) {
    let emulator = EmulatorProcess::start(&[]);
    let tcdn = Tcdn::new();
    let urls = urls(20);
    let mut args = vec![
        "flush",
        "--endpoint",
        &emulator.origin,
        "--batch-size",
        "1",
        "--concurrency",
        "1",
        "--rate-limit",
        "60",
        "--force",
        "--output",
        output,
    ];
    args.extend(urls.iter().map(String::as_str));
    let child = spawn(&tcdn, &args, Stdio::piped());
    wait_for_accepted(&emulator, 2);
    kill(&child, signal);
    let output = child.wait_with_output().unwrap();
    (output, count_accepted(&emulator))
}

#[test]
fn sigint_prints_the_json_report_so_far_and_exits_130() {
    let (output, accepted) = interrupted_run("-INT", "json");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "stderr: {stderr}");
    assert!(stderr.contains("interrupted"), "stderr: {stderr}");
    let report = json(&output.stdout);
    let outcomes = outcomes(&report);
    assert_eq!(outcomes.len(), 20, "every URL exactly once: {report}");
    let succeeded = outcomes.values().filter(|l| *l == "succeeded").count();
    assert_eq!(succeeded, accepted, "what the server accepted: {report}");
    let interrupted = outcomes
        .values()
        .filter(|l| *l == "not_sent:interrupted")
        .count();
    assert!(interrupted >= 15, "{report}");
    assert_eq!(succeeded + interrupted, 20, "{report}");
}

#[test]
fn sigterm_prints_the_text_report_so_far_and_exits_143() {
    let (output, accepted) = interrupted_run("-TERM", "text");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(143), "{stdout}");
    assert!(
        stdout.starts_with(&format!("flush: {accepted} of 20 URLs succeeded")),
        "{stdout}"
    );
    let not_sent = 20 - accepted;
    assert!(
        stdout.contains(&format!("NOT SENT {not_sent} URLs:")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "  {not_sent} URLs from https://www.example.com/r/{accepted}.js to \
             https://www.example.com/r/19.js: not sent: the run was interrupted"
        )),
        "{stdout}"
    );
}

/// Under both APIs: after the first daily-quota refusal nothing more is
/// sent, and the rest is reported not sent with that reason, in one line
/// of text per run of URLs.
#[test]
fn a_used_up_daily_quota_stops_the_run() {
    for api in ["v3", "v2"] {
        let emulator = EmulatorProcess::start(&["--quota-url-flush", "10"]);
        let tcdn = Tcdn::new();
        let urls = urls(40);
        let endpoint = if api == "v2" {
            &emulator.endpoint
        } else {
            &emulator.origin
        };
        let mut args = vec![
            "--api",
            api,
            "flush",
            "--mainland",
            "--endpoint",
            endpoint,
            "--batch-size",
            "10",
            "--concurrency",
            "1",
            "--force",
            "--output",
            "json",
        ];
        args.extend(urls.iter().map(String::as_str));
        let output = tcdn.cmd().args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{api}");
        let report = json(&output.stdout);
        let outcomes = outcomes(&report);
        let count = |list: &str| outcomes.values().filter(|l| *l == list).count();
        assert_eq!(
            (
                count("succeeded"),
                count("failed"),
                count("not_sent:daily_quota_exhausted")
            ),
            (10, 10, 20),
            "{api}: {report}"
        );
        assert_eq!(
            report["requests"], 2,
            "{api}: nothing sent after the refusal"
        );

        // Again in text, on the same (now used-up) quota: the first call is
        // refused, and each run of identical outcomes takes one line.
        let text_args: Vec<&str> = args[..args.len() - urls.len() - 2]
            .iter()
            .copied()
            .chain(urls.iter().map(String::as_str))
            .collect();
        let output = tcdn.cmd().args(&text_args).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains(
                "\n  10 URLs from https://www.example.com/r/0.js to https://www.example.com/r/9.js ("
            ),
            "{api}: {stdout}"
        );
        assert!(
            stdout.contains(
                "\n  30 URLs from https://www.example.com/r/10.js to \
                 https://www.example.com/r/39.js: not sent: the daily quota is used up\n"
            ),
            "{api}: {stdout}"
        );
        assert_eq!(
            stdout.lines().count(),
            5,
            "{api}: one line per run: {stdout}"
        );
    }
}

/// A port nobody listens on: the run stops after 5 attempts in a row reach
/// no server, instead of trying every batch.
#[test]
fn a_dead_endpoint_stops_the_run() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let endpoint = format!("http://127.0.0.1:{port}");
    let tcdn = Tcdn::new();
    let urls = urls(50);
    let mut args = vec![
        "flush",
        "--endpoint",
        &endpoint,
        "--batch-size",
        "1",
        "--concurrency",
        "1",
        "--retry-delay",
        "1",
        "--force",
        "--output",
        "json",
    ];
    args.extend(urls.iter().map(String::as_str));
    let output = tcdn.cmd().args(&args).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output.stdout);
    // The first batch's 4 attempts (3 retries) and the second's first.
    assert_eq!(report["requests"], 5, "{report}");
    let outcomes = outcomes(&report);
    assert_eq!(outcomes.len(), 50);
    let dead = outcomes
        .values()
        .filter(|l| *l == "not_sent:endpoint_unreachable")
        .count();
    assert_eq!(dead, 48, "{report}");
    assert_eq!(report["failed"][0]["maybe_applied"], false);
}

/// Every answer is lost: the URLs fail, and the text says the server may
/// have applied them (the JSON's `maybe_applied`).
#[test]
fn lost_answers_read_may_have_been_applied() {
    let emulator = EmulatorProcess::start(&["--lose-answer-rate", "1"]);
    let tcdn = Tcdn::new();
    let output = tcdn
        .cmd_v2()
        .args([
            "flush",
            "--mainland",
            "--endpoint",
            &emulator.endpoint,
            "--retries",
            "1",
            "--retry-delay",
            "1",
            "--timeout",
            "2",
            "https://www.example.com/lost.js",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("(outcome unknown: may have been applied)"),
        "{stdout}"
    );
    assert!(!stdout.contains("(not sent)"), "{stdout}");
}

/// An HTTP error status is an answer: its label says so.
#[test]
fn an_http_error_is_not_labelled_no_answer() {
    let emulator = EmulatorProcess::start(&[]);
    let tcdn = Tcdn::new();
    let endpoint = format!("{}/v2/nowhere.php", emulator.origin);
    let output = tcdn
        .cmd_v2()
        .args([
            "flush",
            "--mainland",
            "--endpoint",
            &endpoint,
            "https://www.example.com/a.js",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("(HTTP 404)"), "{stdout}");
    assert!(!stdout.contains("no answer"), "{stdout}");
}

/// `tcdn … | head`: stdout closed before the output is written ends the
/// program quietly with exit 141, never 1 and never a panic.
#[test]
fn a_closed_stdout_exits_141_quietly() {
    let tcdn = Tcdn::new();
    let emulator = EmulatorProcess::start(&[]);
    let many = urls(3000);
    let mut dry_run = vec!["flush", "--dry-run", "--output", "json"];
    dry_run.extend(many.iter().map(String::as_str));
    let mut real = vec![
        "flush",
        "--endpoint",
        &emulator.origin,
        "--force",
        "--output",
        "json",
    ];
    real.extend(many[..10].iter().map(String::as_str));
    for args in [vec!["completions", "bash"], dry_run, real] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let child = spawn(&tcdn, &args, Stdio::from(writer));
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(141), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("could not write"), "{args:?}: {stderr}");
    }
}

/// Usage mistakes exit 2 and say what is wrong, without echoing secrets.
#[test]
fn usage_mistakes_are_named() {
    let tcdn = Tcdn::new();
    let run = |cmd: &mut assert_cmd::Command, args: &[&str]| {
        let output = cmd.args(args).output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stderr) = run(
        &mut tcdn.cmd(),
        &["flush", "--timeout", "0", "https://a.example/x"],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--timeout"), "{stderr}");

    let (code, stderr) = run(&mut tcdn.cmd(), &["push", "--dir", "https://a.example/x/"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("directories can only be flushed"),
        "{stderr}"
    );

    let (code, stderr) = run(
        &mut tcdn.cmd(),
        &[
            "flush",
            "--endpoint",
            "https://alice:hunter2@cdn.example.com/",
            "https://a.example/x",
        ],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    assert!(stderr.contains("alice:***@"), "{stderr}");

    let (code, stderr) = run(
        tcdn.cmd().env("HTTPS_PROXY", "ftp://proxy.example"),
        &["flush", "--force", "https://a.example/x"],
    );
    assert_eq!(
        code,
        Some(2),
        "an unusable proxy setting is a usage error: {stderr}"
    );
    assert!(stderr.contains("HTTPS_PROXY"), "{stderr}");
}

/// `--rate-limit 0` is warned about against a remote endpoint (once), not
/// against the local emulator.
#[test]
fn no_pacing_is_warned_about_for_a_remote_endpoint() {
    let tcdn = Tcdn::new();
    let emulator = EmulatorProcess::start(&[]);
    let local = tcdn
        .cmd()
        .args(["flush", "--rate-limit", "0", "--endpoint", &emulator.origin])
        .arg("https://www.example.com/a.js")
        .output()
        .unwrap();
    assert_eq!(local.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&local.stderr).contains("--rate-limit 0"));
    // A remote endpoint nobody answers for in a test: the dead-endpoint
    // stop ends the run quickly.
    let remote = tcdn
        .cmd()
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .args([
            "flush",
            "--rate-limit",
            "0",
            "--retry-delay",
            "1",
            "--force",
        ])
        .arg("https://www.example.com/a.js")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&remote.stderr);
    assert_eq!(stderr.matches("--rate-limit 0").count(), 1, "{stderr}");
}
