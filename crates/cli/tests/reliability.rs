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
/// no server, instead of trying every batch; no request ever left, so every
/// URL is not sent, `endpoint_unreachable` (none failed).
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
    assert_eq!(dead, 50, "{report}");
    assert_eq!(report["failed"], serde_json::json!([]));
}

/// A server that takes connections and never answers: 200 URLs in batches
/// of 20 with a 2 s timeout end within 45 s (timeouts count toward the
/// dead-endpoint streak, lookups included), every URL failed as maybe
/// applied or not sent as `endpoint_unresponsive`.
#[test]
fn a_silent_endpoint_ends_the_run_quickly() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    listener.set_nonblocking(true).unwrap();
    let holder = std::thread::spawn({
        let stop = stop.clone();
        move || {
            // Accepts and holds every connection, never answering.
            let mut held = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => held.push(stream),
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        }
    });
    let tcdn = Tcdn::new();
    let urls = urls(200);
    let mut args = vec![
        "flush",
        "--endpoint",
        &endpoint,
        "--batch-size",
        "20",
        "--timeout",
        "2",
        "--force",
        "--output",
        "json",
    ];
    args.extend(urls.iter().map(String::as_str));
    let started = Instant::now();
    let output = tcdn.cmd().args(&args).output().unwrap();
    let took = started.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    holder.join().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(took < Duration::from_secs(45), "took {took:?}");
    let report = json(&output.stdout);
    let outcomes = outcomes(&report);
    assert_eq!(outcomes.len(), 200);
    assert!(
        outcomes
            .values()
            .all(|l| l == "failed" || l == "not_sent:endpoint_unresponsive"),
        "{report}"
    );
    assert!(
        outcomes
            .values()
            .any(|l| l == "not_sent:endpoint_unresponsive"),
        "{report}"
    );
    for failure in report["failed"].as_array().unwrap() {
        assert_eq!(failure["maybe_applied"], true, "{failure}");
    }
}

/// Every answer lost and every lookup refused (`--inject-error`): the URLs
/// fail as maybe applied and are never sent again, so the emulator
/// accepted each once.
#[test]
fn a_lost_answer_whose_lookup_fails_is_not_resent() {
    let emulator = EmulatorProcess::start(&[
        "--lose-answer-rate",
        "1",
        "--inject-error",
        "DescribePurgeTasks=InternalError",
    ]);
    let tcdn = Tcdn::new();
    let output = tcdn
        .cmd()
        .args([
            "flush",
            "--endpoint",
            &emulator.origin,
            "--retries",
            "2",
            "--retry-delay",
            "1",
            "--timeout",
            "1",
            "--force",
            "--output",
            "json",
            "https://www.example.com/once.js",
            "https://www.example.com/twice.js",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output.stdout);
    assert_eq!(report["failed"].as_array().unwrap().len(), 2, "{report}");
    assert_eq!(report["failed"][0]["maybe_applied"], true, "{report}");
    let message = report["failed"][0]["message"].as_str().unwrap();
    assert!(message.contains("not sent again"), "{message}");
    let mut accepted = emulator.accepted_urls();
    accepted.sort();
    assert_eq!(
        accepted,
        [
            "https://www.example.com/once.js",
            "https://www.example.com/twice.js"
        ]
    );
}

/// The emulator's clock 5 s behind the client's (`--clock-skew -5`) and
/// half the answers lost: lookups ask by the server's time, so nothing is
/// accepted twice and every URL succeeds.
#[test]
fn a_server_clock_behind_the_client_still_finds_lost_answers() {
    let emulator = EmulatorProcess::start(&[
        "--clock-skew",
        "-5",
        "--lose-answer-rate",
        "0.5",
        "--seed",
        "3",
        "--task-delay",
        "0",
    ]);
    let tcdn = Tcdn::new();
    let urls = urls(30);
    let mut args = vec![
        "flush",
        "--endpoint",
        &emulator.origin,
        "--batch-size",
        "3",
        "--retries",
        "6",
        "--retry-delay",
        "1",
        "--force",
        "--output",
        "json",
    ];
    args.extend(urls.iter().map(String::as_str));
    let output = tcdn.cmd().args(&args).output().unwrap();
    let report = json(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{report}");
    let mut accepted = emulator.accepted_urls();
    accepted.sort();
    let mut expected = urls.clone();
    expected.sort();
    assert_eq!(accepted, expected, "each URL accepted exactly once");
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

/// The emulator's `GET /_emulator/stats`, parsed.
fn stats(emulator: &EmulatorProcess) -> serde_json::Value {
    use std::io::{Read, Write};
    let authority = emulator.origin.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /_emulator/stats HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    json(response.split_once("\r\n\r\n").unwrap().1.as_bytes())
}

/// Ctrl-C while the quota is read before a submission (the server answers
/// after a minute) ends the run at once: exit 130, every URL not sent.
#[test]
fn ctrl_c_during_the_quota_check_ends_the_run() {
    let emulator = EmulatorProcess::start(&["--latency", "60000"]);
    let tcdn = Tcdn::new();
    let urls = urls(3);
    let mut args = vec![
        "flush",
        "--endpoint",
        &emulator.origin,
        "--batch-size",
        "1",
        "--output",
        "json",
    ];
    args.extend(urls.iter().map(String::as_str));
    let child = spawn(&tcdn, &args, Stdio::piped());
    let deadline = Instant::now() + Duration::from_secs(30);
    while stats(&emulator)["requests"] == 0 {
        assert!(Instant::now() < deadline, "the quota was never asked for");
        std::thread::sleep(Duration::from_millis(20));
    }
    let interrupted = Instant::now();
    kill(&child, "-INT");
    let output = child.wait_with_output().unwrap();
    assert!(
        interrupted.elapsed() < Duration::from_secs(20),
        "took {:?} after the interrupt",
        interrupted.elapsed()
    );
    assert_eq!(output.status.code(), Some(130));
    let report = json(&output.stdout);
    let outcomes = outcomes(&report);
    assert_eq!(outcomes.len(), 3);
    assert!(
        outcomes.values().all(|l| l == "not_sent:interrupted"),
        "{report}"
    );
    assert_eq!(stats(&emulator)["requests"], 1, "only the quota was asked");
}
