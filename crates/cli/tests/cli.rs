//! The CLI's contract, offline: exit codes, messages that name the bad value
//! and its line, help texts, and dry-run output (snapshots).

mod common;

use common::*;
use predicates::prelude::*;

fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn no_area_is_a_usage_error_under_api_2_that_says_to_choose() {
    Tcdn::new()
        .cmd()
        .args(["flush", "--api", "v2", "https://www.example.com/a.js"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--mainland").and(predicate::str::contains("--oversea")));
}

#[test]
fn bad_lines_are_all_reported_with_their_numbers_and_nothing_is_sent() {
    let tcdn = Tcdn::new();
    let list = tcdn.home.path().join("urls.txt");
    std::fs::write(&list, "# release 7\nhttps://www.example.com/ok.js\nftp://www.example.com/x\n\nhttps://www.example.com/#frag\n").unwrap();
    let assert = tcdn
        .cmd()
        // Unreachable on purpose: nothing may be sent.
        .args([
            "flush",
            "--mainland",
            "--endpoint",
            "http://127.0.0.1:9/v2/index.php",
            "--from-file",
        ])
        .arg(&list)
        .assert()
        .code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("urls.txt:3") && stderr.contains("ftp://www.example.com/x"),
        "{stderr}"
    );
    assert!(
        stderr.contains("urls.txt:5") && stderr.contains("#frag"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was sent"), "{stderr}");
}

#[test]
fn only_the_first_20_bad_lines_are_shown_then_a_count_of_the_rest() {
    let tcdn = Tcdn::new();
    let list = tcdn.home.path().join("urls.txt");
    let text: String = (1..=25)
        .map(|i| format!("ftp://www.example.com/{i}\n"))
        .collect();
    std::fs::write(&list, text).unwrap();
    let assert = tcdn
        .cmd()
        .args(["flush", "--dry-run", "--from-file"])
        .arg(&list)
        .assert()
        .code(2)
        .stdout("");
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    let shown: Vec<&str> = stderr.lines().filter(|l| l.contains("urls.txt:")).collect();
    assert_eq!(shown.len(), 20, "{stderr}");
    assert!(shown[19].contains("urls.txt:20:"), "{stderr}");
    assert!(!stderr.contains("urls.txt:21"), "{stderr}");
    assert!(stderr.contains("and 5 more invalid"), "{stderr}");
    assert!(stderr.contains("25 invalid input value(s)"), "{stderr}");
}

#[test]
fn a_leading_byte_order_mark_in_a_url_file_is_skipped() {
    let tcdn = Tcdn::new();
    let list = tcdn.home.path().join("urls.txt");
    std::fs::write(&list, "\u{feff}https://www.example.com/a.js\r\n").unwrap();
    let output = tcdn
        .cmd()
        .args(["flush", "--dry-run", "--output", "json", "--from-file"])
        .arg(&list)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let stdout = stdout_of(&output);
    assert!(stdout.contains("https://www.example.com/a.js"), "{stdout}");
    assert!(!stdout.contains("\\ufeff"), "{stdout}");
}

#[test]
fn an_endless_line_ends_the_reading_with_a_clear_error() {
    let assert = Tcdn::new()
        .cmd()
        .args(["flush", "--dry-run", "--from-file", "/dev/zero"])
        .assert()
        .code(2)
        .stdout("");
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("--from-file /dev/zero: line 1 runs on for more than 1 MiB"),
        "{stderr}"
    );
}

#[test]
fn a_line_too_long_is_named_by_its_number() {
    let tcdn = Tcdn::new();
    let list = tcdn.home.path().join("urls.txt");
    let long = format!("https://www.example.com/{}", "x".repeat(100_000));
    std::fs::write(&list, format!("https://www.example.com/a\n{long}\n")).unwrap();
    tcdn.cmd()
        .args(["flush", "--dry-run", "--from-file"])
        .arg(&list)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "urls.txt:2: the line is {} bytes long",
            long.len()
        )));
}

#[test]
fn bad_arguments_are_numbered() {
    Tcdn::new()
        .cmd()
        .args([
            "push",
            "--oversea",
            "https://www.example.com/a.js",
            "www.example.com/b.js",
        ])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("argument 2")
                .and(predicate::str::contains("www.example.com/b.js")),
        );
}

#[test]
fn empty_input_is_an_error() {
    Tcdn::new()
        .cmd()
        .args(["flush", "--mainland", "--from-file", "-"])
        .write_stdin("# nothing but comments\n\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no URLs"));
}

#[test]
fn missing_credentials_name_the_variable() {
    Tcdn::new()
        .bare()
        .args([
            "flush",
            "--mainland",
            "--dry-run",
            "https://www.example.com/a.js",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("TENCENTCLOUD_SECRET_ID"));
}

#[test]
fn a_missing_file_is_named() {
    Tcdn::new()
        .cmd()
        .args([
            "flush",
            "--mainland",
            "--from-file",
            "/nonexistent/urls.txt",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/urls.txt"));
}

#[test]
fn directories_cannot_be_pushed() {
    Tcdn::new()
        .cmd()
        .args(["push", "--dir", "--mainland", "https://www.example.com/a/"])
        .assert()
        .code(2);
}

#[test]
fn plain_http_is_refused_except_to_loopback() {
    Tcdn::new()
        .cmd()
        .args([
            "flush",
            "--mainland",
            "--endpoint",
            "http://cdn.example.com/v2/index.php",
            "https://www.example.com/a.js",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("http"));
}

#[test]
fn help_explains_flush_push_areas_and_credentials() {
    let output = Tcdn::new().bare().arg("--help").output().unwrap();
    let help = stdout_of(&output);
    for needle in [
        "flush",
        "push",
        "--mainland",
        "TENCENTCLOUD_SECRET_ID",
        ".tccli",
        ".tencentcloud/credentials",
        "emulator",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}:\n{help}");
    }
    let output = Tcdn::new()
        .bare()
        .args(["push", "--help"])
        .output()
        .unwrap();
    assert!(stdout_of(&output).contains("whitelist"));
}

#[test]
fn completions_are_printed() {
    Tcdn::new()
        .bare()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("tcdn"));
}

fn dry_run(args: &[&str]) -> String {
    let output = Tcdn::new()
        .cmd()
        .args(["--dry-run", "--nonce", "12345", "--timestamp", "1700000000"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout_of(&output)
}

/// `application/x-www-form-urlencoded` decoding, written out here so the
/// check below shares no code with the signer.
fn form_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// Checks an API 2.0 request (a GET URL or a POST form) with the
/// verifier, against the test's secret key: a snapshot then pins a
/// signature known to be right, not only the one the code produced.
fn verify_v2(method: tcdn::HttpMethod, url: &str, form: &str) {
    let rest = url.strip_prefix("https://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let path = path.split('?').next().unwrap();
    let params: Vec<(String, String)> = form
        .split('&')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap();
            (form_decode(name), form_decode(value))
        })
        .collect();
    let endpoint = tcdn::sign::Endpoint::new(method, host, path);
    tcdn::sign::verify(&tcdn::sign::SecretKey::from(KEY), &endpoint, &params)
        .unwrap_or_else(|e| panic!("{url}: {e}"));
}

/// Checks an API 3.0 TC3 POST of a JSON dry run with the verifier.
fn verify_tc3_post(line: &serde_json::Value) {
    use tcdn::sign::tc3;
    let headers: Vec<(String, String)> = line["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, value)| (name.clone(), value.as_str().unwrap().to_owned()))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap()
    };
    let authorization = tc3::Authorization::parse(header("Authorization")).unwrap();
    let signed: Vec<(&str, &str)> = headers
        .iter()
        .filter(|(name, _)| name != "Authorization")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let body = line["body"].as_str().unwrap();
    tc3::verify(
        &authorization,
        &tcdn::sign::SecretKey::from(KEY),
        tc3::Service::cdn(),
        &tc3::Request::post(&signed, body.as_bytes()),
        header("X-TC-Timestamp"),
    )
    .unwrap_or_else(|e| panic!("{line}: {e}"));
}

const THREE: [&str; 3] = [
    "https://www.example.com/a.jpg?x=1&y=2",
    "https://www.example.com/图片/猫.jpg",
    "https://www.example.com/c++/a~b.js?q=a+b%20c",
];

#[test]
fn dry_run_get_sha1_json() {
    let mut args = vec![
        "flush",
        "--api",
        "v2",
        "--mainland",
        "--method",
        "get",
        "--output",
        "json",
    ];
    args.extend(THREE);
    let out = dry_run(&args);
    for line in out.lines() {
        let line: serde_json::Value = serde_json::from_str(line).unwrap();
        let url = line["url"].as_str().unwrap();
        verify_v2(tcdn::HttpMethod::Get, url, url.split_once('?').unwrap().1);
    }
    insta::assert_snapshot!(out);
}

#[test]
fn dry_run_post_sha256_text() {
    let mut args = vec![
        "push",
        "--api",
        "v2",
        "--mainland",
        "--oversea",
        "--signature-method",
        "hmac-sha256",
    ];
    args.extend(THREE);
    let text = dry_run(&args);
    // The same requests as JSON: each verifies, and its signature is the
    // one the text shows.
    args.extend(["--output", "json"]);
    for line in dry_run(&args).lines() {
        let line: serde_json::Value = serde_json::from_str(line).unwrap();
        let form = line["body"].as_str().unwrap();
        verify_v2(tcdn::HttpMethod::Post, line["url"].as_str().unwrap(), form);
        let signature = form.rsplit_once("Signature=").unwrap().1;
        assert!(text.contains(signature), "{signature} not in {text}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn dry_run_redacts_the_token_in_text_but_never_prints_the_key() {
    let output = Tcdn::new()
        .cmd()
        .env("TENCENTCLOUD_TOKEN", TOKEN)
        .args([
            "--dry-run",
            "flush",
            "--api",
            "v2",
            "--oversea",
            "--method",
            "get",
            "https://www.example.com/a.js",
        ])
        .output()
        .unwrap();
    let text = stdout_of(&output);
    assert!(text.contains("Token=") && !text.contains(TOKEN), "{text}");
    assert!(!text.contains(KEY));
}

#[test]
fn dry_run_splits_by_count() {
    let dirs: Vec<String> = (0..25)
        .map(|i| format!("https://www.example.com/static/{i}/"))
        .collect();
    let mut args = vec![
        "flush",
        "--api",
        "v2",
        "--dir",
        "--oversea",
        "--output",
        "json",
    ];
    args.extend(dirs.iter().map(String::as_str));
    let out = dry_run(&args);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let counts: Vec<usize> = lines
        .iter()
        .map(|l| l["body"].as_str().unwrap().matches("urls.").count())
        .collect();
    assert_eq!(counts, [20, 5]);
    let nonces: Vec<bool> = lines
        .iter()
        .map(|l| l["body"].as_str().unwrap().contains("Nonce=12346"))
        .collect();
    assert_eq!(nonces, [false, true], "each request takes the next nonce");
    insta::assert_snapshot!(out);
}

#[test]
fn dry_run_splits_get_by_size_and_every_request_fits() {
    let tcdn = Tcdn::new();
    let list = tcdn.home.path().join("long.txt");
    let mut text = String::new();
    for i in 0..1000 {
        text.push_str(&format!("https://www.example.com/assets/a-rather-long-path/to/a/file/number-{i:04}.js?version=20261128\n"));
    }
    std::fs::write(&list, text).unwrap();
    let output = tcdn
        .cmd()
        .args([
            "--dry-run",
            "--nonce",
            "1",
            "--timestamp",
            "1700000000",
            "--output",
            "json",
            "flush",
            "--api",
            "v2",
            "--mainland",
            "--method",
            "get",
            "--from-file",
        ])
        .arg(&list)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let summary: Vec<String> = stdout_of(&output)
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let url = value["url"].as_str().unwrap();
            let target = &url[url.find("/v2/").unwrap()..];
            assert!(
                target.len() <= 32 * 1024,
                "request target of {} bytes",
                target.len()
            );
            format!(
                "{} URLs, {} bytes",
                url.matches("urls.").count(),
                target.len()
            )
        })
        .collect();
    assert_eq!(
        summary
            .iter()
            .map(|s| s.split(' ').next().unwrap().parse::<usize>().unwrap())
            .sum::<usize>(),
        1000
    );
    insta::assert_snapshot!(summary.join("\n"));
}

#[test]
fn client_options_are_listed_under_headings_and_rare_ones_only_in_long_help() {
    let short = stdout_of(&Tcdn::new().bare().args(["flush", "-h"]).output().unwrap());
    let long = stdout_of(
        &Tcdn::new()
            .bare()
            .args(["flush", "--help"])
            .output()
            .unwrap(),
    );
    for heading in ["Endpoint and signing:", "Batching and pacing:", "Output:"] {
        assert!(
            short.contains(heading) && long.contains(heading),
            "{heading}:\n{short}"
        );
    }
    for rare in ["--nonce", "--timestamp"] {
        assert!(!short.contains(rare), "-h shows {rare}:\n{short}");
        assert!(long.contains(rare), "--help lacks {rare}:\n{long}");
    }
    // The top level lists the commands, not the client options.
    // (Its examples, after the options, may show them in use.)
    let top = stdout_of(&Tcdn::new().bare().arg("-h").output().unwrap());
    let (options, examples) = top.split_once("\nExamples:\n").unwrap();
    assert!(
        !options.contains("--rate-limit") && !options.contains("--dry-run"),
        "{top}"
    );
    assert!(examples.contains("tcdn flush --dry-run"), "{top}");
}

#[test]
fn emulator_and_completions_refuse_client_options() {
    for args in [
        &["--dry-run", "emulator", "--secret-id", ID][..],
        &["--rate-limit", "5", "emulator", "--secret-id", ID],
        &["--endpoint", "http://127.0.0.1:9/", "completions", "bash"],
    ] {
        Tcdn::new()
            .cmd()
            .args(args)
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty());
    }
    // Asked for JSON, even a refused command line answers with its error
    // document.
    for args in [
        &["completions", "bash", "--output", "json"][..],
        &["--output", "json", "emulator", "--secret-id", ID],
    ] {
        let output = Tcdn::new().cmd().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(document["schema"], 1);
        assert_eq!(document["error"]["kind"], "usage", "{document}");
    }
}

fn dry_run_lines(args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["--output", "json"];
    all.extend(args);
    dry_run(&all)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn dry_run_v3_tc3_post_json() {
    let mut args = vec!["flush", "--mainland", "--output", "json"];
    args.extend(THREE);
    let out = dry_run(&args);
    let line: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let mut headers: Vec<&str> = line["headers"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    // The parsed object sorts its keys: the line itself has them as sent.
    let first = out.lines().next().unwrap();
    headers.sort_by_key(|name| first.find(&format!("\"{name}\":")).unwrap());
    assert_eq!(
        headers,
        [
            "Authorization",
            "Content-Type",
            "Host",
            "X-TC-Action",
            "X-TC-Timestamp",
            "X-TC-Version",
            "X-TC-Language"
        ],
        "in the order sent"
    );
    for line in out.lines() {
        verify_tc3_post(&serde_json::from_str(line).unwrap());
    }
    insta::assert_snapshot!(out);
}

#[test]
fn dry_run_v3_get_text_redacts_the_token() {
    let output = Tcdn::new()
        .cmd()
        .env("TENCENTCLOUD_TOKEN", TOKEN)
        .args([
            "--dry-run",
            "--nonce",
            "12345",
            "--timestamp",
            "1700000000",
            "push",
            "--method",
            "get",
            "https://www.example.com/a.js",
        ])
        .output()
        .unwrap();
    let text = stdout_of(&output);
    assert!(text.contains("X-TC-Token: <redacted>"), "{text}");
    assert!(!text.contains(TOKEN) && !text.contains(KEY));
    insta::assert_snapshot!(text);
}

#[test]
fn dry_run_v3_with_the_v1_signature_and_a_get_has_no_body() {
    let lines = dry_run_lines(&[
        "push",
        "--signature-method",
        "hmac-sha256",
        "--method",
        "get",
        "--oversea",
        "https://www.example.com/a.js",
    ]);
    assert!(lines[0]["body"].is_null());
    let url = lines[0]["url"].as_str().unwrap();
    assert!(
        url.starts_with(
            "https://cdn.tencentcloudapi.com/?Action=PushUrlsCache&Version=2018-06-06&Urls.0="
        ),
        "{url}"
    );
    assert!(
        url.contains("&Area=overseas&")
            && url.contains("&SignatureMethod=HmacSHA256&Language=en-US&Signature="),
        "{url}"
    );
    let lines = dry_run_lines(&[
        "flush",
        "--signature-method",
        "hmac-sha1",
        "https://www.example.com/a.js",
    ]);
    let body = lines[0]["body"].as_str().unwrap();
    assert!(
        body.starts_with("Action=PurgeUrlsCache&Version=2018-06-06&Urls.0=https%3A%2F%2F"),
        "{body}"
    );
    assert_eq!(
        lines[0]["headers"]["Content-Type"],
        "application/x-www-form-urlencoded"
    );
}

#[test]
fn dry_run_v3_batches_by_each_actions_limit_and_maps_options() {
    let tcdn = Tcdn::new();
    let list = tcdn.home.path().join("urls.txt");
    let text: String = (0..1200)
        .map(|i| format!("https://www.example.com/{i}.js\n"))
        .collect();
    std::fs::write(&list, text).unwrap();
    let output = tcdn
        .cmd()
        .args([
            "--dry-run",
            "--output",
            "json",
            "push",
            "--mainland",
            "--oversea",
        ])
        .args([
            "--header",
            "X-Warm: 1",
            "--layer",
            "middle",
            "--parse-m3u8",
            "--url-encode",
        ])
        .args(["--user-agent", "warm/1", "--disable-range", "--from-file"])
        .arg(&list)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bodies: Vec<serde_json::Value> = stdout_of(&output)
        .lines()
        .map(|line| {
            let line: serde_json::Value = serde_json::from_str(line).unwrap();
            serde_json::from_str(line["body"].as_str().unwrap()).unwrap()
        })
        .collect();
    let sizes: Vec<usize> = bodies
        .iter()
        .map(|b| b["Urls"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [500, 500, 200]);
    let mut first = bodies[0].clone();
    first.as_object_mut().unwrap().remove("Urls");
    assert_eq!(
        first,
        serde_json::json!({
            "UserAgent": "warm/1", "Area": "global", "Layer": "middle", "ParseM3U8": true,
            "DisableRange": true, "Headers": [{"Name": "X-Warm", "Value": "1"}], "UrlEncode": true
        })
    );
    let dirs: Vec<String> = (0..150)
        .map(|i| format!("https://www.example.com/d/{i}/"))
        .collect();
    let mut args = vec!["flush", "--dir", "--flush-type", "delete"];
    args.extend(dirs.iter().map(String::as_str));
    let lines = dry_run_lines(&args);
    let bodies: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l["body"].as_str().unwrap()).unwrap())
        .collect();
    let sizes: Vec<usize> = bodies
        .iter()
        .map(|b| b["Paths"].as_array().unwrap().len())
        .collect();
    assert_eq!(
        sizes,
        [100, 50],
        "the default path batch when the quota is not read"
    );
    assert_eq!(bodies[0]["FlushType"], "delete");
    assert!(
        bodies[0].get("Area").is_none(),
        "no area: the domain's own region"
    );
}

#[test]
fn api_3_only_options_are_usage_errors_under_api_2() {
    for args in [
        &[
            "flush",
            "--api",
            "v2",
            "--mainland",
            "--signature-method",
            "tc3-hmac-sha256",
        ][..],
        &[
            "flush",
            "--api",
            "v2",
            "--mainland",
            "--dir",
            "--flush-type",
            "delete",
        ],
        &["flush", "--api", "v2", "--mainland", "--url-encode"],
        &["flush", "--api", "v2", "--mainland", "--wait"],
        &["push", "--api", "v2", "--mainland", "--parse-m3u8"],
        &["quota", "--api", "v2"],
        &["tasks", "--api", "v2", "123-abc"],
    ] {
        let output = Tcdn::new()
            .cmd()
            .args(args)
            .arg("--dry-run")
            .args(
                (args[0] != "quota" && args[0] != "tasks").then_some("https://www.example.com/a/"),
            )
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("API 3.0") || stderr.contains("API 2.0"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn the_api_variable_chooses_the_api_and_a_bad_one_is_named() {
    let output = Tcdn::new()
        .cmd()
        .env("TCDN_API", "v2")
        .args([
            "--dry-run",
            "--output",
            "json",
            "flush",
            "--mainland",
            "https://www.example.com/a.js",
        ])
        .output()
        .unwrap();
    assert!(stdout_of(&output).contains("FlushOrPushOverall"));
    Tcdn::new()
        .cmd()
        .env("TCDN_API", "v9")
        .args(["--dry-run", "flush", "https://www.example.com/a.js"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("TCDN_API"));
}

#[test]
fn bad_push_headers_and_ca_bundles_are_named() {
    Tcdn::new()
        .cmd()
        .args([
            "push",
            "--dry-run",
            "--header",
            "no-colon",
            "https://www.example.com/a.js",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-colon"));
    let tcdn = Tcdn::new();
    let bundle = tcdn.home.path().join("ca.pem");
    std::fs::write(&bundle, "not a certificate").unwrap();
    tcdn.cmd()
        .args(["flush", "--endpoint", "http://127.0.0.1:9", "--ca-bundle"])
        .arg(&bundle)
        .arg("https://www.example.com/a.js")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ca.pem"));
}

#[test]
fn the_man_page_renders_every_command() {
    let output = Tcdn::new().bare().arg("man").output().unwrap();
    assert!(output.status.success());
    let page = stdout_of(&output);
    assert!(page.contains(".TH tcdn 1"), "{page}");
    for command in ["flush", "push", "quota", "tasks", "emulator", "completions"] {
        assert!(
            page.contains(&format!(".SS \"tcdn {command}\"")),
            "{command}"
        );
    }
    Tcdn::new()
        .bare()
        .args(["--dry-run", "man"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`tcdn man` takes no client options",
        ));
}
