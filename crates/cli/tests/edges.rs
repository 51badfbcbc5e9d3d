//! The small edges, end to end against `tcdn emulator`: URLs that differ
//! only in the case of scheme and host are one URL, broken percent-escapes
//! are refused, out-of-range options are usage errors, server text is
//! escaped before it reaches a terminal, files read whole are bounded, and
//! a report that cannot be written is said so.

mod common;

use common::*;

fn run(cmd: &mut assert_cmd::Command, args: &[&str]) -> (Option<i32>, String, String) {
    let output = cmd.args(args).output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Scheme and host are case-insensitive: the first spelling is sent, once.
#[test]
fn urls_differing_only_in_the_case_of_scheme_and_host_are_sent_once() {
    let tcdn = Tcdn::new();
    let emulator = EmulatorProcess::start(&[]);
    let (code, stdout, stderr) = run(
        &mut tcdn.cmd(),
        &[
            "flush",
            "--endpoint",
            &emulator.origin,
            "--force",
            "--output",
            "json",
            "HTTPS://WWW.EXAMPLE.COM/UP",
            "https://www.example.com/UP",
            "https://www.example.com/up",
            "https://Www.Example.Com/UP",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        emulator.accepted_urls(),
        ["HTTPS://WWW.EXAMPLE.COM/UP", "https://www.example.com/up"]
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["succeeded"].as_array().unwrap().len(), 2, "{report}");
}

/// `%zz` and a cut-off `%2` are refused as input, naming the escape.
#[test]
fn broken_percent_escapes_are_refused_as_input() {
    let tcdn = Tcdn::new();
    for (url, escape) in [
        ("https://www.example.com/a%zz.js", "%zz"),
        ("https://www.example.com/a%2", "%2"),
    ] {
        let (code, _, stderr) = run(&mut tcdn.cmd(), &["flush", "--dry-run", url]);
        assert_eq!(code, Some(2), "{url}: {stderr}");
        assert!(stderr.contains(&format!("\"{escape}\"")), "{url}: {stderr}");
        assert!(stderr.contains("percent-escape"), "{url}: {stderr}");
    }
}

/// A timestamp past the last signable second is a bad option: exit 2,
/// under either API, before anything is signed.
#[test]
fn an_out_of_range_timestamp_is_a_usage_error() {
    let tcdn = Tcdn::new();
    for api in ["v3", "v2"] {
        let (code, _, stderr) = run(
            &mut tcdn.cmd(),
            &[
                "--api",
                api,
                "flush",
                "--mainland",
                "--dry-run",
                "--timestamp",
                "18446744073709551615",
                "https://www.example.com/a.js",
            ],
        );
        assert_eq!(code, Some(2), "{api}: {stderr}");
        assert!(stderr.contains("--timestamp"), "{api}: {stderr}");
    }
    let (code, _, stderr) = run(
        &mut tcdn.cmd(),
        &[
            "flush",
            "--dry-run",
            "--timestamp",
            "253402300799",
            "https://www.example.com/a.js",
        ],
    );
    assert_eq!(code, Some(0), "the last signable second: {stderr}");
}

/// A certificate bundle is read with a bound: `/dev/zero` or a huge file
/// given as `--ca-bundle` or `SSL_CERT_FILE` fails at once, exit 2, naming
/// the file, instead of being read into memory.
#[test]
fn certificate_bundles_are_read_with_a_bound() {
    let tcdn = Tcdn::new();
    let huge = tcdn.home.path().join("huge.pem");
    let file = std::fs::File::create(&huge).unwrap();
    file.set_len(5 << 20).unwrap();
    drop(file);
    let huge = huge.to_str().unwrap();
    let url = "https://www.example.com/a.js";
    let endpoint = "http://127.0.0.1:9";
    for path in ["/dev/zero", huge] {
        let (code, _, stderr) = run(
            tcdn.cmd().timeout(std::time::Duration::from_secs(20)),
            &["flush", "--endpoint", endpoint, "--ca-bundle", path, url],
        );
        assert_eq!(code, Some(2), "--ca-bundle {path}: {stderr}");
        assert!(stderr.contains(path), "{stderr}");
        assert!(stderr.contains("larger than 4 MiB"), "{stderr}");
        let (code, _, stderr) = run(
            tcdn.cmd()
                .env("SSL_CERT_FILE", path)
                .timeout(std::time::Duration::from_secs(20)),
            &["flush", "--endpoint", endpoint, url],
        );
        assert_eq!(code, Some(2), "SSL_CERT_FILE={path}: {stderr}");
        assert!(stderr.contains(path), "{stderr}");
    }
}

/// A server on 127.0.0.1 that answers every call with the body `answer`
/// gives for its `X-TC-Action`: for answers the emulator never gives
/// (hostile text, missing lists). Serves until the test process ends.
fn fake_server(answer: fn(&str) -> String) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream);
            let (mut action, mut length) = (String::new(), 0usize);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let (name, value) = line.split_once(':').unwrap_or((&line, ""));
                match name.to_ascii_lowercase().as_str() {
                    "x-tc-action" => value.trim().clone_into(&mut action),
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    _ => {}
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let text = answer(&action);
            let mut stream = reader.into_inner();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    origin
}

/// Text a hostile server could send: a terminal escape that clears the
/// screen, a line break that forges a report line, a right-to-left
/// override, a zero-width space.
const HOSTILE: &str = r"x\u001b[2J\nFAILED 0 URLs\u202e\u200b";

fn hostile_answer(action: &str) -> String {
    let body = match action {
        "PurgeUrlsCache" => format!(r#""TaskId":"{HOSTILE}""#),
        "DescribePurgeTasks" => format!(
            r#""PurgeLogs":[{{"TaskId":"{HOSTILE}","Url":"https://www.example.com/{HOSTILE}","Status":"{HOSTILE}","PurgeType":"url","FlushType":"flush","CreateTime":"{HOSTILE}"}}],"TotalCount":1"#
        ),
        "DescribePurgeQuota" => format!(
            r#""UrlPurge":[{{"Batch":1,"Total":2,"Available":2,"Area":"{HOSTILE}"}}],"PathPurge":[{{"Batch":1,"Total":2,"Available":2,"Area":"mainland"}}]"#
        ),
        "DescribePushQuota" => {
            r#""UrlPush":[{"Batch":1,"Total":2,"Available":2,"Area":"mainland"}]"#.to_owned()
        }
        _ => String::new(),
    };
    format!(r#"{{"Response":{{{body},"RequestId":"{HOSTILE}"}}}}"#)
}

/// What a terminal must never receive from a server.
fn assert_nothing_raw(text: &str) {
    for c in ['\u{1b}', '\u{202e}', '\u{200b}'] {
        assert!(!text.contains(c), "raw {c:?} printed: {text:?}");
    }
    assert!(!text.contains("\nFAILED 0 URLs"), "a forged line: {text}");
}

/// The server's text is shown, escaped.
fn assert_escaped(text: &str) {
    assert_nothing_raw(text);
    assert!(
        text.contains(r"x\u{1b}[2J\u{a}FAILED 0 URLs\u{202e}\u{200b}"),
        "{text}"
    );
}

/// Every string from a server is escaped in text output; JSON output
/// carries it as received, as valid JSON.
#[test]
fn server_text_is_escaped_in_text_and_exact_in_json() {
    let origin = fake_server(hostile_answer);
    let tcdn = Tcdn::new();
    let received = "x\u{1b}[2J\nFAILED 0 URLs\u{202e}\u{200b}";
    let url = "https://www.example.com/a.js";
    let commands: [&[&str]; 3] = [&["flush", "--force", url], &["tasks", "t1"], &["quota"]];
    for command in commands {
        let mut args = command.to_vec();
        args.extend(["--endpoint", &origin]);
        let (code, stdout, stderr) = run(&mut tcdn.cmd(), &args);
        assert_eq!(code, Some(0), "{command:?}: {stderr}");
        assert_escaped(&stdout);
        assert_nothing_raw(&stderr);
        args.extend(["--output", "json"]);
        let (code, stdout, stderr) = run(&mut tcdn.cmd(), &args);
        assert_eq!(code, Some(0), "{command:?}: {stderr}");
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let value = match command[0] {
            "flush" => &json["tasks"][0]["task_id"],
            "tasks" => &json["tasks"][0]["status"],
            _ => &json["url_purge"][0]["area"],
        };
        assert_eq!(value, received, "{command:?}: {json}");
    }
}

/// A quota answer without its lists is a failed query, not an empty table.
#[test]
fn a_quota_answer_without_its_lists_is_a_failed_query() {
    let origin = fake_server(|action| {
        match action {
        "DescribePushQuota" => {
            r#"{"Response":{"UrlPush":[{"Batch":1,"Total":2,"Available":2,"Area":"mainland"}],"RequestId":"r"}}"#.to_owned()
        }
        _ => r#"{"Response":{"RequestId":"r"}}"#.to_owned(),
    }
    });
    let tcdn = Tcdn::new();
    for output in ["text", "json"] {
        let (code, stdout, stderr) = run(
            &mut tcdn.cmd(),
            &["quota", "--endpoint", &origin, "--output", output],
        );
        assert_eq!(code, Some(1), "{output}: {stdout} {stderr}");
        assert!(stderr.contains("UrlPurge"), "{stderr}");
        assert!(stderr.contains("PathPurge"), "{stderr}");
        assert!(!stderr.contains("UrlPush"), "{stderr}");
        assert!(!stdout.contains("QUOTA"), "{stdout}");
    }
}

/// A report that cannot be written (a full disk) is said so on stderr and
/// exits 1, whatever the command and output format; a closed pipe stays
/// exit 141 (see `reliability.rs`).
#[cfg(target_os = "linux")]
#[test]
fn a_report_that_cannot_be_written_is_said_so_and_exits_1() {
    let tcdn = Tcdn::new();
    let emulator = EmulatorProcess::start(&[]);
    let url = "https://www.example.com/a.js";
    let commands: [&[&str]; 5] = [
        &["flush", "--force", url],
        &["push", "--force", url],
        &["quota"],
        &["flush", "--dry-run", url],
        &["man"],
    ];
    for command in commands {
        for output in ["text", "json"] {
            let mut args = command.to_vec();
            if command[0] != "man" {
                args.extend(["--output", output]);
                if !args.contains(&"--dry-run") {
                    args.extend(["--endpoint", &emulator.origin]);
                }
            }
            let full = std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap();
            let result = std::process::Command::new(assert_cmd::cargo::cargo_bin("tcdn"))
                .args(&args)
                .env_clear()
                .env("HOME", tcdn.home.path())
                .env("TENCENTCLOUD_SECRET_ID", ID)
                .env("TENCENTCLOUD_SECRET_KEY", KEY)
                .stdin(std::process::Stdio::null())
                .stdout(full)
                .stderr(std::process::Stdio::piped())
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&result.stderr);
            assert_eq!(result.status.code(), Some(1), "{args:?}: {stderr}");
            assert!(
                stderr.contains("could not write the output"),
                "{args:?}: {stderr}"
            );
            assert!(stderr.contains("No space left"), "{args:?}: {stderr}");
        }
    }
}
