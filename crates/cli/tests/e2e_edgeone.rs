//! `--product edgeone` end to end: the real CLI over HTTP against the
//! bundled emulator serving two EdgeOne zones: URLs of both zones without
//! `--zone` purged once each in their zone with `--wait`, a prefix purge,
//! a prefetch, quota, tasks, and a wait by `JobId` (in a given zone too).

mod common;

use common::*;

fn json(output: &std::process::Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn urls_of_two_zones_are_purged_once_each_in_their_zone_and_waited_on() {
    let emulator = EmulatorProcess::start(&EDGEONE_ZONES);
    let tcdn = Tcdn::new();
    let urls = [
        "https://img.example.com/1.png",
        "https://www.example.com/a.css",
        "https://img.example.com/2.png",
    ];
    let output = tcdn
        .edgeone(&emulator)
        .args(["flush", "--wait", "--output", "json"])
        .args(urls)
        .output()
        .unwrap();
    let report = json(&output);
    assert_eq!(report["succeeded"].as_array().unwrap().len(), 3, "{report}");
    let tasks = emulator.tasks();
    let placed: Vec<(String, Vec<String>)> = tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert_eq!(t["product"], "edgeone", "{t}");
            let urls = t["urls"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u.as_str().unwrap().to_owned())
                .collect();
            (t["zone_id"].as_str().unwrap().to_owned(), urls)
        })
        .collect();
    assert_eq!(
        placed,
        [
            (
                "zone-img00000001".to_owned(),
                vec![urls[0].to_owned(), urls[2].to_owned()]
            ),
            ("zone-com00000001".to_owned(), vec![urls[1].to_owned()]),
        ]
    );
    let zones: Vec<&str> = report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["zone_id"].as_str().unwrap())
        .collect();
    assert_eq!(zones, ["zone-img00000001", "zone-com00000001"]);
}

#[test]
fn a_prefix_purge_a_prefetch_quota_and_tasks() {
    let emulator = EmulatorProcess::start(&EDGEONE_ZONES);
    let tcdn = Tcdn::new();
    let output = tcdn
        .edgeone(&emulator)
        .args([
            "flush",
            "--dir",
            "--flush-type",
            "delete",
            "--output",
            "json",
        ])
        .arg("https://www.example.com/static/")
        .output()
        .unwrap();
    let report = json(&output);
    let job = report["tasks"][0]["task_id"].as_str().unwrap().to_owned();
    let output = tcdn
        .edgeone(&emulator)
        .args([
            "push",
            "--wait",
            "--output",
            "json",
            "--header",
            "X-Warm: 1",
        ])
        .arg("https://img.example.com/live.m3u8")
        .output()
        .unwrap();
    assert_eq!(
        json(&output)["succeeded"][0],
        "https://img.example.com/live.m3u8"
    );
    let kinds: Vec<String> = emulator
        .tasks()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(kinds, ["purge_prefix", "prefetch_url"]);
    let output = tcdn
        .edgeone(&emulator)
        .args(["quota", "--output", "json"])
        .output()
        .unwrap();
    let quota = json(&output);
    assert_eq!(quota["zones"].as_array().unwrap().len(), 2, "{quota}");
    let output = tcdn
        .edgeone(&emulator)
        .args(["tasks", "--output", "json", &job])
        .output()
        .unwrap();
    let tasks = json(&output);
    assert_eq!(tasks["tasks"][0]["zone_id"], "zone-com00000001", "{tasks}");
    assert_eq!(tasks["tasks"][0]["type"], "purge_prefix");
    assert_eq!(tasks["tasks"][0]["method"], "delete");
    let output = tcdn
        .edgeone(&emulator)
        .args(["wait", "--output", "json", &job])
        .output()
        .unwrap();
    let waited = json(&output);
    assert_eq!(
        waited["succeeded"][0], "https://www.example.com/static/",
        "{waited}"
    );
    // With --zone, the job is looked up in that zone only.
    let wait_in = |zone: &str| {
        let output = tcdn
            .edgeone(&emulator)
            .args(["wait", "--zone", zone, "--output", "json", &job])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        (output.status.code(), report)
    };
    let (code, waited) = wait_in("zone-com00000001");
    assert_eq!(code, Some(0), "{waited}");
    assert_eq!(waited["succeeded"][0], "https://www.example.com/static/");
    let (code, waited) = wait_in("zone-img00000001");
    assert_eq!(code, Some(1), "a task not found: {waited}");
    assert_eq!(waited["succeeded"].as_array().unwrap().len(), 0, "{waited}");
    assert_eq!(waited["unknown_tasks"][0]["task_id"], *job, "{waited}");
}

#[test]
fn hosts_of_two_zones_a_cache_tag_and_a_whole_zone_are_purged_once_each() {
    let emulator = EmulatorProcess::start(&EDGEONE_ZONES);
    let tcdn = Tcdn::new();
    let output = tcdn
        .edgeone(&emulator)
        .args([
            "flush",
            "--host",
            "--flush-type",
            "delete",
            "--output",
            "json",
        ])
        .args(["img.example.com", "www.example.com", "img.example.com"])
        .output()
        .unwrap();
    let report = json(&output);
    assert_eq!(
        report["succeeded"],
        serde_json::json!(["img.example.com", "www.example.com"]),
        "{report}"
    );
    let zones: Vec<&str> = report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["zone_id"].as_str().unwrap())
        .collect();
    assert_eq!(zones, ["zone-img00000001", "zone-com00000001"]);

    let output = tcdn
        .edgeone(&emulator)
        .args(["flush", "--cache-tag", "--zone", "zone-com00000001"])
        .args(["--output", "json", "release-42"])
        .output()
        .unwrap();
    assert_eq!(json(&output)["succeeded"][0], "release-42");

    let output = tcdn
        .edgeone(&emulator)
        .args(["flush", "--all", "--yes", "--zone", "zone-img00000001"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("flush: 1 of 1 target succeeded"), "{text}");

    let text = |s: &str| s.to_owned();
    assert_eq!(
        emulator.placed(),
        [
            (
                text("zone-img00000001"),
                text("purge_host"),
                vec![text("img.example.com")]
            ),
            (
                text("zone-com00000001"),
                text("purge_host"),
                vec![text("www.example.com")]
            ),
            (
                text("zone-com00000001"),
                text("purge_cache_tag"),
                vec![text("release-42")]
            ),
            // The emulator lists a whole zone's purge under the zone's name.
            (
                text("zone-img00000001"),
                text("purge_all"),
                vec![text("img.example.com")]
            ),
        ]
    );
}

#[test]
fn the_target_switches_are_usage_errors_without_edgeone_with_each_other_and_all_unconfirmed() {
    let emulator = EmulatorProcess::start(&EDGEONE_ZONES);
    let tcdn = Tcdn::new();
    let refused: [&[&str]; 7] = [
        &["--all", "--zone", "zone-com00000001"],
        &["--all", "--yes"],
        &[
            "--all",
            "--yes",
            "--zone",
            "zone-com00000001",
            "www.example.com",
        ],
        &["--host", "--cache-tag", "a.example.com"],
        &["--host", "--dir", "a.example.com"],
        &[
            "--cache-tag",
            "--flush-type",
            "delete",
            "--zone",
            "zone-com00000001",
            "t",
        ],
        &["--cache-tag", "t"],
    ];
    for args in refused {
        tcdn.edgeone(&emulator)
            .arg("flush")
            .args(args)
            .assert()
            .code(2);
    }
    tcdn.cmd()
        .args([
            "--endpoint",
            &emulator.origin,
            "flush",
            "--host",
            "www.example.com",
        ])
        .assert()
        .code(2);
    assert!(emulator.placed().is_empty());
}

/// POSTs a dry run's JSON request (`{"method","url","headers","body"}`)
/// as it stands to the emulator; the answer's body.
fn replay(emulator: &EmulatorProcess, request: &serde_json::Value) -> String {
    use std::io::{Read, Write};
    let authority = emulator.origin.trim_start_matches("http://");
    assert_eq!(request["url"], format!("{}/", emulator.origin));
    let body = request["body"].as_str().unwrap();
    let mut head = String::from("POST / HTTP/1.0\r\n");
    for (name, value) in request["headers"].as_object().unwrap() {
        head.push_str(&format!("{name}: {}\r\n", value.as_str().unwrap()));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.split_once("\r\n\r\n").unwrap().1.to_owned()
}

#[test]
fn a_dry_run_of_hosts_a_cache_tag_and_a_zone_signs_the_calls_the_emulator_accepts() {
    let emulator = EmulatorProcess::start(&EDGEONE_ZONES);
    let tcdn = Tcdn::new();
    let cases: [&[&str]; 3] = [
        &[
            "--host",
            "--flush-type",
            "delete",
            "img.example.com",
            "www.img.example.com",
        ],
        &["--cache-tag", "release-42"],
        &["--all", "--yes"],
    ];
    let mut requests = Vec::new();
    for args in cases {
        let output = tcdn
            .edgeone(&emulator)
            .args([
                "--dry-run",
                "--output",
                "json",
                "--zone",
                "zone-img00000001",
            ])
            .arg("flush")
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}: {output:?}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        for line in stdout.lines() {
            requests.push(serde_json::from_str::<serde_json::Value>(line).unwrap());
        }
    }
    assert!(emulator.placed().is_empty(), "a dry run sent a call");
    for request in &requests {
        let answer = replay(&emulator, request);
        assert!(answer.contains("\"JobId\""), "{request}: {answer}");
    }
    let text = |s: &str| s.to_owned();
    assert_eq!(
        emulator.placed(),
        [
            (
                text("zone-img00000001"),
                text("purge_host"),
                vec![text("img.example.com"), text("www.img.example.com")]
            ),
            (
                text("zone-img00000001"),
                text("purge_cache_tag"),
                vec![text("release-42")]
            ),
            (
                text("zone-img00000001"),
                text("purge_all"),
                vec![text("img.example.com")]
            ),
        ]
    );
}
