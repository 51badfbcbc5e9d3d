//! End to end: `--wait` and `tcdn wait` against `tcdn emulator` over HTTP
//! (and a scripted loopback server where the emulator cannot lie): failed
//! polls outlasted, many tasks in few calls, a respelled failed log, exit
//! status 3 at the timeout, an interrupted wait, waiting on tasks of an
//! earlier run, unknown and unusable task ids.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Output, Stdio};
use std::time::Duration;

use common::*;

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn code(output: &Output) -> Option<i32> {
    output.status.code()
}

fn explain(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The `Describe*Tasks` calls a `-v --log-format json` run made.
fn describe_calls(output: &Output) -> usize {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|line| {
            line.contains("\"message\":\"accepted\"")
                && (line.contains("\"action\":\"DescribePurgeTasks\"")
                    || line.contains("\"action\":\"DescribePushTasks\""))
        })
        .count()
}

#[test]
fn wait_outlasts_failed_polls() {
    // Half of all requests fail (HTTP 503). The submission has retries to
    // spare; the polls have none, so many fail for good while the tasks
    // run for 3 s (all ten or so succeeding: once in a thousand runs; the
    // seed keeps the dice the same each run anyway).
    let emulator =
        EmulatorProcess::start(&["--fail-rate", "0.5", "--seed", "3", "--task-delay", "3000"]);
    let tcdn = Tcdn::new();
    let output = tcdn
        .cmd()
        .args([
            "flush",
            "--output",
            "json",
            "--retries",
            "30",
            "--retry-delay",
            "1",
        ])
        .args(["--endpoint", &emulator.origin])
        .args([
            "https://www.example.com/a.css",
            "https://www.example.com/b.css",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", explain(&output));
    let id = json(&output)["tasks"][0]["task_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for command in [
        &["wait", &id][..],
        &["flush", "--wait", "https://www.example.com/c.css"],
    ] {
        let output = tcdn
            .cmd()
            .args(command)
            .args(["--wait-timeout", "60", "--output", "json", "--retries", "0"])
            .args(["--endpoint", &emulator.origin])
            .output()
            .unwrap();
        if command[0] == "flush" && json(&output)["tasks"].as_array().unwrap().is_empty() {
            // Its submission failed (no retries): nothing to wait on.
            continue;
        }
        assert_eq!(code(&output), Some(0), "{command:?}: {}", explain(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        if command[0] == "wait" {
            assert!(
                stderr.contains("a poll of the tasks failed; trying again"),
                "no poll failed: {stderr}"
            );
            assert_eq!(json(&output)["succeeded"].as_array().unwrap().len(), 2);
        }
    }
}

#[test]
fn two_hundred_one_url_tasks_are_polled_many_a_call() {
    let emulator = EmulatorProcess::start(&["--task-delay", "500"]);
    let urls: String = (0..200)
        .map(|i| format!("https://www.example.com/many/{i}.css\n"))
        .collect();
    let tcdn = Tcdn::new();
    let list = tcdn.home.path().join("urls.txt");
    std::fs::write(&list, urls).unwrap();
    let output = tcdn
        .cmd()
        .args(["-v", "--log-format", "json"])
        .args(["flush", "--wait", "--force", "--batch-size", "1"])
        .args(["--output", "json", "--endpoint", &emulator.origin])
        .arg("--from-file")
        .arg(&list)
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", explain(&output));
    let report = json(&output);
    assert_eq!(report["succeeded"].as_array().unwrap().len(), 200);
    assert_eq!(report["tasks"].as_array().unwrap().len(), 200);
    // A round is a lookup by id and two pages of 100, and the tasks are
    // done within a few rounds: far fewer than one call per task.
    let calls = describe_calls(&output);
    assert!((1..=60).contains(&calls), "{calls} Describe calls");
}

#[test]
fn a_respelled_failed_log_is_a_failure() {
    let emulator = EmulatorProcess::start(&["--task-fail-rate", "1", "--task-delay", "200"]);
    let url = "https://www.example.com/图/1.png";
    let output = Tcdn::new()
        .cmd()
        .args(["push", "--url-encode", "--wait", "--output", "json"])
        .args(["--endpoint", &emulator.origin, url])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(1), "{}", explain(&output));
    let report = json(&output);
    assert!(report["succeeded"].as_array().unwrap().is_empty());
    let failure = &report["failed"][0];
    assert_eq!(failure["url"], url);
    assert_eq!(failure["status"], "fail");
    assert_eq!(failure["code"], serde_json::Value::Null);
    // The emulator logs it as the real server does.
    let logged = emulator.tasks()[0]["urls"][0].clone();
    assert_eq!(logged, "https://www.example.com/%E5%9B%BE/1.png");
}

#[test]
fn a_timeout_with_tasks_still_running_exits_3() {
    let emulator = EmulatorProcess::start(&["--task-delay", "60000"]);
    let output = Tcdn::new()
        .cmd()
        .args(["flush", "--wait", "--wait-timeout", "1", "--output", "json"])
        .args([
            "--endpoint",
            &emulator.origin,
            "https://www.example.com/slow.css",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(3), "{}", explain(&output));
    let report = json(&output);
    let failure = &report["failed"][0];
    assert_eq!(failure["code"], serde_json::Value::Null);
    assert_eq!(failure["status"], "process");
    assert_eq!(failure["task_id"], report["tasks"][0]["task_id"]);
    // Something else failed too (a daily quota's refusal): 1, not 3.
    let emulator = EmulatorProcess::start(&["--task-delay", "60000", "--quota-url-flush", "1"]);
    let output = Tcdn::new()
        .cmd()
        .args(["flush", "--wait", "--wait-timeout", "1", "--output", "json"])
        .args(["--force", "--batch-size", "1", "--concurrency", "1"])
        .args(["--endpoint", &emulator.origin])
        .args([
            "https://www.example.com/q1.css",
            "https://www.example.com/q2.css",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(1), "{}", explain(&output));
    let report = json(&output);
    let statuses: Vec<&serde_json::Value> = report["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["status"])
        .collect();
    assert_eq!(
        statuses,
        [&serde_json::Value::Null, &serde_json::json!("process")],
        "{report}"
    );
    let text = Tcdn::new()
        .cmd()
        .args(["flush", "--help"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("\n  3    --wait or `tcdn wait`"));
}

#[test]
fn an_interrupted_wait_reports_its_urls_as_at_the_timeout() {
    let emulator = EmulatorProcess::start(&["--task-delay", "60000"]);
    let tcdn = Tcdn::new();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tcdn"))
        .env_clear()
        .env("HOME", tcdn.home.path())
        .env("TENCENTCLOUD_SECRET_ID", ID)
        .env("TENCENTCLOUD_SECRET_KEY", KEY)
        .args([
            "flush",
            "--wait",
            "--output",
            "json",
            "--endpoint",
            &emulator.origin,
        ])
        .arg("https://www.example.com/int.css")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupted once the task is accepted: the wait is under way.
    for _ in 0..400 {
        if !emulator.tasks().as_array().unwrap().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    std::thread::sleep(Duration::from_millis(300));
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(code(&output), Some(130), "{}", explain(&output));
    let report = json(&output);
    assert!(
        report["succeeded"].as_array().unwrap().is_empty(),
        "{report}"
    );
    let failure = &report["failed"][0];
    assert_eq!(failure["status"], "process");
    assert_eq!(failure["code"], serde_json::Value::Null);
    assert!(failure["message"].as_str().unwrap().contains("interrupted"));
    assert_eq!(report["tasks"].as_array().unwrap().len(), 1);
}

#[test]
fn tcdn_wait_waits_on_tasks_of_an_earlier_run() {
    let emulator = EmulatorProcess::start(&["--task-delay", "1000"]);
    let tcdn = Tcdn::new();
    let mut ids = Vec::new();
    for (command, url) in [
        ("flush", "https://www.example.com/w1.css"),
        ("push", "https://www.example.com/w2.css"),
    ] {
        let output = tcdn
            .cmd()
            .args([
                command,
                "--output",
                "json",
                "--endpoint",
                &emulator.origin,
                url,
            ])
            .output()
            .unwrap();
        assert_eq!(code(&output), Some(0), "{}", explain(&output));
        ids.push(
            json(&output)["tasks"][0]["task_id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let output = tcdn
        .cmd()
        .args(["wait", "--output", "json", "--endpoint", &emulator.origin])
        .args(&ids)
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", explain(&output));
    let report = json(&output);
    let mut done: Vec<&str> = report["succeeded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    done.sort_unstable();
    assert_eq!(
        done,
        [
            "https://www.example.com/w1.css",
            "https://www.example.com/w2.css"
        ]
    );
    let actions: Vec<&str> = report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["PurgeUrlsCache", "PushUrlsCache"]);
    // An unknown task is a failure, named in the text report.
    let output = tcdn
        .cmd()
        .args(["wait", "--kind", "push", "--endpoint", &emulator.origin])
        .args([ids[1].as_str(), "1700000000-nosuchid"])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(1), "{}", explain(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with("wait: 1 of 1 URL done"), "{text}");
    assert!(
        text.contains("task 1700000000-nosuchid: no such task was found"),
        "{text}"
    );
    // Still running at the timeout: 3.
    let slow = EmulatorProcess::start(&["--task-delay", "60000"]);
    let output = tcdn
        .cmd()
        .args(["flush", "--output", "json", "--endpoint", &slow.origin])
        .arg("https://www.example.com/w3.css")
        .output()
        .unwrap();
    let id = json(&output)["tasks"][0]["task_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let output = tcdn
        .cmd()
        .args(["wait", "--wait-timeout", "1", "--output", "json"])
        .args(["--endpoint", &slow.origin, &id])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(3), "{}", explain(&output));
    assert_eq!(json(&output)["failed"][0]["status"], "process");
}

#[test]
fn tcdn_wait_refuses_bad_task_ids_and_api_2() {
    let tcdn = Tcdn::new();
    for (args, needle) in [
        (&["wait", "a\u{200b}b"][..], "TaskId"),
        (&["wait", ""][..], "TaskId"),
        (&["--api", "v2", "wait", "1700000000-abc"][..], "API 3.0"),
        (&["wait"][..], "TASKID"),
    ] {
        let output = tcdn
            .cmd()
            .args(args)
            .args(["--endpoint", "http://127.0.0.1:9"])
            .output()
            .unwrap();
        assert_eq!(code(&output), Some(2), "{args:?}: {}", explain(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}

/// A loopback server that accepts every submission with `task_id`, and
/// counts the requests it answered.
fn lying_server(task_id: &'static str) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let answer = serde_json::json!({"Response": {"RequestId": "r-1", "TaskId": task_id}})
                .to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    (origin, count)
}

#[test]
fn an_unusable_task_id_is_no_success_under_wait() {
    for task_id in ["", "1700000000-a\u{200b}b"] {
        let (origin, requests) = lying_server(task_id);
        let tcdn = Tcdn::new();
        let output = tcdn
            .cmd()
            .args(["flush", "--wait", "--output", "json", "--endpoint", &origin])
            .arg("https://www.example.com/odd.css")
            .output()
            .unwrap();
        assert_eq!(code(&output), Some(1), "{task_id:?}: {}", explain(&output));
        let report = json(&output);
        assert!(report["succeeded"].as_array().unwrap().is_empty());
        let failure = &report["failed"][0];
        assert_eq!(failure["code"], serde_json::Value::Null);
        assert!(
            failure["message"]
                .as_str()
                .unwrap()
                .contains("cannot be looked up"),
            "{failure}"
        );
        assert_eq!(
            requests.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "no Describe call"
        );
        // Without --wait the server's acceptance stands, with a warning.
        let output = tcdn
            .cmd()
            .args(["flush", "--endpoint", &origin])
            .arg("https://www.example.com/odd.css")
            .output()
            .unwrap();
        assert_eq!(code(&output), Some(0), "{}", explain(&output));
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("1 of 1 URL succeeded"), "{text}");
        assert!(text.contains("warning: the server named a task"), "{text}");
        let warning = text.lines().find(|l| l.starts_with("warning:")).unwrap();
        assert!(!warning.contains('\u{200b}'), "escaped: {warning}");
    }
}
