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
