//! `tcdn flush --product edgeone --host|--cache-tag|--all` end to end: the
//! real CLI over HTTP against the bundled emulator: targets read from a
//! file, waited on (`--wait`, exit 3 at the timeout), sent with
//! `CacheTag.Domains`, lost answers looked up instead of sent again, and a
//! Ctrl-C that reports every target once.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const ZONE: &str = "zone-com00000001";

fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The emulator's tasks as `(type, targets)`.
fn placed(emulator: &EmulatorProcess) -> Vec<(String, Vec<String>)> {
    let placed = emulator.placed().into_iter();
    placed.map(|(_, kind, targets)| (kind, targets)).collect()
}

#[test]
fn hosts_from_a_file_and_a_whole_zone_are_purged_and_waited_on() {
    let mut args = EDGEONE_ZONES.to_vec();
    args.extend(["--task-delay", "1500"]);
    let emulator = EmulatorProcess::start(&args);
    let tcdn = Tcdn::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hosts.txt");
    std::fs::write(
        &file,
        "\u{feff}# the hosts of a deploy\nwww.example.com\n\n  img.example.com  \nwww.example.com\n",
    )
    .unwrap();
    let output = tcdn
        .edgeone(&emulator)
        .args(["flush", "--host", "--wait", "--wait-timeout", "30"])
        .args(["--output", "json"])
        .arg("--from-file")
        .arg(&file)
        .output()
        .unwrap();
    let report = json(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert_eq!(
        report["succeeded"],
        serde_json::json!(["www.example.com", "img.example.com"]),
        "{report}"
    );
    // Each task is done already when tcdn exits (it runs for 1.5 s): the
    // wait did not end before them.
    for task in emulator.tasks().as_array().unwrap() {
        assert_eq!(task["statuses"], serde_json::json!(["success"]), "{task}");
    }

    let output = tcdn
        .edgeone(&emulator)
        .args(["flush", "--all", "--yes", "--zone", ZONE, "--wait"])
        .args(["--wait-timeout", "30"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.starts_with("flush: 1 of 1 target succeeded"), "{text}");
    assert_eq!(placed(&emulator).len(), 3);
}

#[test]
fn a_bad_host_or_tag_in_a_file_names_its_line_and_nothing_is_sent() {
    let emulator = EmulatorProcess::start(&EDGEONE_ZONES);
    let tcdn = Tcdn::new();
    let output = tcdn
        .edgeone(&emulator)
        .args(["flush", "--host", "--from-file", "-", "www.example.com"])
        .write_stdin("img.example.com\n# fine\nbad..host\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("stdin:3: hostname \"bad..host\": "),
        "{stderr}"
    );
    let output = tcdn
        .edgeone(&emulator)
        .args(["flush", "--cache-tag", "--zone", ZONE, "--from-file", "-"])
        .write_stdin("ok\nbad\u{7}tag\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("stdin:2: cache tag \"bad\\u{7}tag\" holds"),
        "{stderr}"
    );
    // A file with no targets is an input error too.
    tcdn.edgeone(&emulator)
        .args(["flush", "--host", "--from-file", "-"])
        .write_stdin("# nothing\n")
        .assert()
        .code(2);
    assert!(placed(&emulator).is_empty());
}

#[test]
fn a_wait_that_times_out_exits_3_and_a_failed_task_fails() {
    let mut args = EDGEONE_ZONES.to_vec();
    args.extend(["--task-delay", "60000"]);
    let emulator = EmulatorProcess::start(&args);
    let tcdn = Tcdn::new();
    let output = tcdn
        .edgeone(&emulator)
        .args(["flush", "--cache-tag", "--zone", ZONE, "--wait"])
        .args(["--wait-timeout", "1", "--output", "json", "release-42"])
        .output()
        .unwrap();
    let report = json(&output);
    assert_eq!(output.status.code(), Some(3), "{report}");
    assert_eq!(report["failed"][0]["url"], "release-42");
    assert_eq!(report["failed"][0]["status"], "processing", "{report}");
    assert_eq!(
        report["failed"][0]["task_id"],
        report["tasks"][0]["task_id"]
    );

    let mut args = EDGEONE_ZONES.to_vec();
    args.extend(["--task-delay", "100", "--task-fail-rate", "1"]);
    let emulator = EmulatorProcess::start(&args);
    let output = tcdn
        .edgeone(&emulator)
        .args(["flush", "--host", "--wait", "www.example.com"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("  www.example.com (status failed): the CreatePurgeTask task"),
        "{text}"
    );
}

#[test]
fn tag_domains_are_sent_in_cache_tag_domains() {
    let emulator = EmulatorProcess::start(&EDGEONE_ZONES);
    let tcdn = Tcdn::new();
    let tag = |domain: &str| {
        tcdn.edgeone(&emulator)
            .args(["flush", "--cache-tag", "--zone", ZONE, "--output", "json"])
            .args(["--tag-domain", domain, "release-42"])
            .output()
            .unwrap()
    };
    let output = tag("www.example.com");
    assert_eq!(output.status.code(), Some(0), "{}", json(&output));
    // The emulator refuses a domain outside the zone: so it was sent.
    let output = tag("www.example.org");
    let report = json(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert_eq!(
        report["failed"][0]["error_code"], "InvalidParameter.DomainNotFound",
        "{report}"
    );
    assert_eq!(tag("bad..host").status.code(), Some(2));
    tcdn.edgeone(&emulator)
        .args(["flush", "--host", "--tag-domain", "www.example.com"])
        .arg("www.example.com")
        .assert()
        .code(2);
    assert_eq!(placed(&emulator).len(), 1);
}

#[test]
fn lost_answers_are_looked_up_and_no_target_is_purged_twice() {
    let mut args = EDGEONE_ZONES.to_vec();
    args.extend([
        "--task-delay",
        "0",
        "--lose-answer-rate",
        "0.5",
        "--seed",
        "7",
    ]);
    args.extend(["--edgeone-quota", "purge_host=1:10000"]);
    let emulator = EmulatorProcess::start(&args);
    let tcdn = Tcdn::new();
    let hosts: Vec<String> = (1..=12).map(|i| format!("h{i}.example.com")).collect();
    let retries = ["--retries", "10", "--retry-delay", "1", "--timeout", "5"];
    let output = tcdn
        .edgeone(&emulator)
        .args(["-v", "flush", "--host", "--zone", ZONE, "--output", "json"])
        .args(retries)
        .args(&hosts)
        .output()
        .unwrap();
    let report = json(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert_eq!(report["succeeded"].as_array().unwrap().len(), 12);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("a lookup found the batch applied"),
        "{stderr}"
    );
    let placed = placed(&emulator);
    assert_eq!(placed.len(), 12, "nothing purged twice: {placed:?}");
    // Each target's job is the one the emulator made for it.
    let tasks = emulator.tasks();
    for task in report["tasks"].as_array().unwrap() {
        let made = tasks
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["task_id"] == task["task_id"])
            .unwrap_or_else(|| panic!("no such job: {task}"));
        assert_eq!(made["urls"], task["urls"]);
    }

    // A whole zone's purge: its task names the zone, not `*`.
    let mut found = false;
    for _ in 0..6 {
        let output = tcdn
            .edgeone(&emulator)
            .args(["-v", "flush", "--all", "--yes", "--zone", ZONE, "--output"])
            .args(["json", "--wait"])
            .args(retries)
            .output()
            .unwrap();
        let report = json(&output);
        assert_eq!(output.status.code(), Some(0), "{report}");
        assert_eq!(report["succeeded"], serde_json::json!(["*"]));
        found |= String::from_utf8_lossy(&output.stderr).contains("found the batch applied");
    }
    assert!(found, "no purge_all answer was lost: pick another seed");
    let all = emulator
        .tasks()
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["type"] == "purge_all")
        .count();
    assert_eq!(all, 6);
}

#[test]
fn ctrl_c_reports_every_target_once_and_those_not_sent_as_such() {
    let mut args = EDGEONE_ZONES.to_vec();
    args.extend(["--edgeone-quota", "purge_host=1:10000"]);
    let emulator = EmulatorProcess::start(&args);
    let tcdn = Tcdn::new();
    let hosts: Vec<String> = (1..=20).map(|i| format!("h{i}.example.com")).collect();
    let child = Command::new(assert_cmd::cargo::cargo_bin("tcdn"))
        .args(["--product", "edgeone", "--endpoint", &emulator.origin])
        .args(["flush", "--host", "--zone", ZONE, "--rate-limit", "60"])
        .args(["--output", "json"])
        .args(&hosts)
        .env_clear()
        .env("HOME", tcdn.home.path())
        .env("TENCENTCLOUD_SECRET_ID", ID)
        .env("TENCENTCLOUD_SECRET_KEY", KEY)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while placed(&emulator).len() < 2 {
        assert!(Instant::now() < deadline, "fewer than 2 calls were made");
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let output = child.wait_with_output().unwrap();
    let report = json(&output);
    assert_eq!(output.status.code(), Some(130), "{report}");
    let succeeded: Vec<&str> = report["succeeded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let failed = report["failed"].as_array().unwrap();
    let mut seen: Vec<&str> = succeeded.clone();
    seen.extend(failed.iter().map(|f| f["url"].as_str().unwrap()));
    seen.sort_unstable();
    let mut all: Vec<&str> = hosts.iter().map(String::as_str).collect();
    all.sort_unstable();
    assert_eq!(seen, all, "every target exactly once: {report}");
    assert_eq!(succeeded.len(), placed(&emulator).len(), "{report}");
    assert!(failed.len() >= 15, "{report}");
    for failure in failed {
        assert_eq!(failure["sent"], false, "{failure}");
        assert!(
            failure["message"].as_str().unwrap().contains("interrupted"),
            "{failure}"
        );
    }
}

#[test]
fn hosts_are_sent_in_calls_of_the_batch_size() {
    let emulator = EmulatorProcess::start(&EDGEONE_ZONES);
    let tcdn = Tcdn::new();
    let output = tcdn
        .edgeone(&emulator)
        .args(["--batch-size", "2", "--output", "json", "flush", "--host"])
        .args(["a.example.com", "b.example.com", "c.example.com"])
        .output()
        .unwrap();
    let report = json(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert_eq!(report["tasks"].as_array().unwrap().len(), 2, "{report}");
    let hosts = |list: &[&str]| list.iter().map(|h| h.to_string()).collect::<Vec<_>>();
    assert_eq!(
        placed(&emulator),
        [
            (
                "purge_host".to_owned(),
                hosts(&["a.example.com", "b.example.com"])
            ),
            ("purge_host".to_owned(), hosts(&["c.example.com"])),
        ]
    );
}
