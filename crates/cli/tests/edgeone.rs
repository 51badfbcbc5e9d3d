//! `--product edgeone`, offline: the dry run of EdgeOne purges and
//! prefetches (snapshots of the signed requests), and the options EdgeOne
//! lacks refused as usage errors before anything is sent.

mod common;

use common::*;
use predicates::prelude::*;

fn dry_run(args: &[&str]) -> String {
    let output = Tcdn::new()
        .cmd()
        .args([
            "--dry-run",
            "--timestamp",
            "1700000000",
            "--product",
            "edgeone",
        ])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn dry_run_of_an_edgeone_prefix_purge_and_prefetch() {
    let purge = dry_run(&[
        "flush",
        "--zone",
        "zone-2noz78a8ev6k",
        "--dir",
        "--flush-type",
        "delete",
        "https://www.example.com/static/",
        "https://www.example.com/img/",
    ]);
    let prefetch = dry_run(&[
        "push",
        "--zone",
        "zone-2noz78a8ev6k",
        "--output",
        "json",
        "--parse-m3u8",
        "--header",
        "X-Warm: 1",
        "https://www.example.com/live.m3u8",
    ]);
    insta::assert_snapshot!(format!("{purge}---\n{prefetch}"));
}

#[test]
fn dry_run_splits_by_batch_size_and_reads_the_product_from_the_environment() {
    let output = Tcdn::new()
        .cmd()
        .env("TCDN_PRODUCT", "edgeone")
        .args([
            "flush",
            "--dry-run",
            "--zone",
            "zone-1",
            "--batch-size",
            "2",
        ])
        .args([
            "https://a.example/1",
            "https://a.example/2",
            "https://a.example/3",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        text.matches("X-TC-Action: CreatePurgeTask").count(),
        2,
        "{text}"
    );
    assert!(
        text.contains(
            r#"{"ZoneId":"zone-1","Type":"purge_url","Targets":["https://a.example/3"]}"#
        ),
        "{text}"
    );
}

#[test]
fn what_edgeone_lacks_is_a_usage_error() {
    let cases: &[(&[&str], &str)] = &[
        (&["flush", "--mainland"], "--mainland"),
        (&["flush", "--api", "v2"], "--api v2"),
        (&["flush", "--url-encode"], "--url-encode"),
        (&["push", "--layer", "middle"], "--layer"),
        (&["push", "--user-agent", "x"], "--user-agent"),
        (&["flush", "--signature-method", "hmac-sha1"], "hmac"),
        (&["flush", "--method", "get"], "--method get"),
        (&["flush", "--dry-run"], "--zone"),
        (&["flush", "--zone", "zone/1"], "zone id"),
    ];
    for (args, named) in cases {
        Tcdn::new()
            .cmd()
            .args(["--product", "edgeone", "--endpoint", "http://127.0.0.1:9"])
            .args(*args)
            .arg("https://www.example.com/a.js")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(*named));
    }
    Tcdn::new()
        .cmd()
        .args(["flush", "--zone", "zone-1", "https://www.example.com/a.js"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--product edgeone"));
    Tcdn::new()
        .cmd()
        .env("TCDN_PRODUCT", "akamai")
        .args(["quota"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("TCDN_PRODUCT"));
}

#[test]
fn dry_run_of_host_cache_tag_and_whole_zone_purges() {
    let hosts = dry_run(&[
        "flush",
        "--zone",
        "zone-2noz78a8ev6k",
        "--host",
        "--flush-type",
        "delete",
        "www.example.com",
        "img.example.com",
        "WWW.example.com",
    ]);
    let tags = dry_run(&[
        "flush",
        "--zone",
        "zone-2noz78a8ev6k",
        "--output",
        "json",
        "--cache-tag",
        "release-42",
        "css",
    ]);
    let all = dry_run(&["flush", "--zone", "zone-2noz78a8ev6k", "--all", "--yes"]);
    insta::assert_snapshot!(format!("{hosts}---\n{tags}---\n{all}"));
}

#[test]
fn a_dry_run_of_targets_sends_nothing_in_calls_of_the_default_batch_and_hosts_need_the_zone() {
    let hosts: Vec<String> = (0..1001).map(|i| format!("h{i}.example.com")).collect();
    // Nothing listens at the endpoint: a call would fail.
    let output = Tcdn::new()
        .cmd()
        .args(["--product", "edgeone", "--endpoint", "http://127.0.0.1:9"])
        .args(["--dry-run", "--zone", "zone-1", "flush", "--host"])
        .args(&hosts)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let bodies: Vec<&str> = text.lines().filter(|l| l.starts_with('{')).collect();
    assert_eq!(bodies.len(), 2, "{text}");
    assert_eq!(bodies[0].matches(".example.com").count(), 1000);
    assert_eq!(
        bodies[1],
        r#"{"ZoneId":"zone-1","Type":"purge_host","Method":"invalidate","Targets":["h1000.example.com"]}"#
    );
    Tcdn::new()
        .cmd()
        .args(["--product", "edgeone", "--dry-run", "flush", "--host"])
        .arg("www.example.com")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("--zone"));
}

#[test]
fn a_dry_run_of_targets_takes_the_batch_size() {
    let output = Tcdn::new()
        .cmd()
        .args(["--product", "edgeone", "--endpoint", "http://127.0.0.1:9"])
        .args(["--dry-run", "--zone", "zone-1", "--batch-size", "2"])
        .args(["flush", "--cache-tag", "a", "b", "c"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let bodies: Vec<&str> = text.lines().filter(|l| l.starts_with('{')).collect();
    assert_eq!(
        bodies,
        [
            r#"{"ZoneId":"zone-1","Type":"purge_cache_tag","Targets":["a","b"]}"#,
            r#"{"ZoneId":"zone-1","Type":"purge_cache_tag","Targets":["c"]}"#,
        ],
        "{text}"
    );
}
