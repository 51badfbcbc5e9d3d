//! End to end against an emulator playing a real account (`--domain`,
//! `--offline-domain`, `--deny`): a batch refused for one of its hosts is
//! split by host so only that host's URLs fail and nothing is accepted
//! twice, a denied action fails once without a retry, and
//! `--check-domains` fails foreign hosts without a call (`auto`, `always`)
//! or leaves them to the split (`never`).

mod common;

use std::process::Output;

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

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// The failed URLs of a JSON report, with their code.
fn failed(report: &serde_json::Value) -> Vec<(String, String)> {
    report["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["url"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Every URL the emulator accepted, sorted.
fn accepted(emulator: &EmulatorProcess) -> Vec<String> {
    let mut urls: Vec<String> = emulator
        .tasks()
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|task| task["urls"].as_array().unwrap().clone())
        .map(|url| match url {
            serde_json::Value::String(text) => text,
            object => object["url"].as_str().unwrap().to_owned(),
        })
        .collect();
    urls.sort();
    urls
}

const ACCOUNT: [&str; 4] = ["--domain", "www.example.com", "--domain", "*.cdn.example"];

const MIXED: [&str; 5] = [
    "https://www.example.com/0.css",
    "https://foreign.example/1.css",
    "https://img.cdn.example/2.css",
    "https://www.example.com/3.css",
    "https://foreign.example/4.css",
];

fn flush(emulator: &EmulatorProcess, args: &[&str], urls: &[&str]) -> Output {
    Tcdn::new()
        .cmd()
        .arg("flush")
        .args(args)
        .args(["--endpoint", &emulator.origin])
        .args(urls)
        .output()
        .unwrap()
}

/// One call of three hosts, one of them foreign: refused, then sent again
/// host by host; every other URL is purged once, the foreign host's fail
/// with the API's code and request id, and the text report gives them one
/// line that names the host and what to do.
#[test]
fn a_foreign_host_fails_only_its_own_urls() {
    let emulator = EmulatorProcess::start(&ACCOUNT);
    let output = flush(&emulator, &["--output", "json"], &MIXED);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let report = json(&output);
    assert_eq!(
        strings(&report["succeeded"]),
        [MIXED[0], MIXED[2], MIXED[3]]
    );
    let code = "ResourceNotFound.CdnHostNotExists";
    assert_eq!(
        failed(&report),
        [
            (MIXED[1].into(), code.into()),
            (MIXED[4].into(), code.into())
        ]
    );
    for failure in report["failed"].as_array().unwrap() {
        assert!(failure["request_id"].is_string(), "{failure}");
    }
    // The refused call, then one call per host.
    assert_eq!(report["requests"], 4);
    let mut purged = vec![MIXED[0], MIXED[2], MIXED[3]];
    purged.sort_unstable();
    assert_eq!(accepted(&emulator), purged, "each URL accepted once");

    let output = flush(&emulator, &[], &MIXED);
    let text = text(&output);
    let line = text
        .lines()
        .find(|l| l.contains("host foreign.example"))
        .unwrap_or_else(|| panic!("no host line: {text}"));
    assert!(
        line.starts_with(
            "  host foreign.example (2 URLs, ResourceNotFound.CdnHostNotExists, request "
        ),
        "{line}"
    );
    assert!(line.contains("add it in the CDN console"), "{line}");
    assert!(!text.contains("foreign.example/1.css"), "{text}");
}

/// A CAM-denied action fails every URL at once: no retry, no split.
#[test]
fn a_denied_action_fails_without_a_retry() {
    let mut args = ACCOUNT.to_vec();
    args.extend(["--deny", "PurgeUrlsCache"]);
    let emulator = EmulatorProcess::start(&args);
    let urls = [MIXED[0], MIXED[2]];
    let output = flush(&emulator, &["--output", "json"], &urls);
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    let code = "UnauthorizedOperation.CdnCamUnauthorized";
    assert_eq!(
        failed(&report),
        [(urls[0].into(), code.into()), (urls[1].into(), code.into())]
    );
    assert_eq!(report["requests"], 1);
    assert!(accepted(&emulator).is_empty());
}

/// An offline domain's URLs fail with its code (a push's is another), the
/// other host's are purged or pushed.
#[test]
fn an_offline_domains_urls_fail_alone() {
    let emulator = EmulatorProcess::start(&[
        "--domain",
        "www.example.com",
        "--offline-domain",
        "off.example",
    ]);
    let urls = ["https://off.example/a.css", "https://www.example.com/b.css"];
    for (command, code) in [
        ("flush", "InvalidParameter.CdnHostInvalidStatus"),
        ("push", "ResourceUnavailable.CdnHostIsNotOnline"),
    ] {
        let output = Tcdn::new()
            .cmd()
            .args([command, "--output", "json", "--endpoint", &emulator.origin])
            .args(urls)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{command}");
        let report = json(&output);
        assert_eq!(strings(&report["succeeded"]), [urls[1]], "{command}");
        assert_eq!(
            failed(&report),
            [(urls[0].into(), code.into())],
            "{command}"
        );
    }
}

/// A purge with an `Area` the domain does not serve fails that domain's
/// URLs only; without an `Area`, each domain's own area is purged.
#[test]
fn an_area_mismatch_fails_only_that_domains_urls() {
    let emulator = EmulatorProcess::start(&[
        "--domain",
        "www.example.com",
        "--domain",
        "eu.example:overseas",
    ]);
    let urls = ["https://www.example.com/a.css", "https://eu.example/b.css"];
    let output = flush(&emulator, &["--mainland", "--output", "json"], &urls);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let report = json(&output);
    assert_eq!(strings(&report["succeeded"]), [urls[0]]);
    assert_eq!(
        failed(&report),
        [(urls[1].into(), "InvalidParameter.CdnParamError".into())]
    );
    let output = flush(&emulator, &["--output", "json"], &urls);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}

/// `--check-domains`: with several calls, `auto` and `always` read
/// `DescribeDomains` and fail the foreign host's URLs without a call;
/// `never` sends them and lets the refusal fail them.
#[test]
fn check_domains_fails_foreign_hosts_without_a_call() {
    let emulator = EmulatorProcess::start(&ACCOUNT);
    for mode in ["auto", "always"] {
        let output = flush(
            &emulator,
            &[
                "--batch-size",
                "2",
                "--check-domains",
                mode,
                "--output",
                "json",
            ],
            &MIXED,
        );
        assert_eq!(output.status.code(), Some(1), "{mode}");
        let report = json(&output);
        let code = "ResourceNotFound.CdnHostNotExists";
        assert_eq!(
            failed(&report),
            [
                (MIXED[1].into(), code.into()),
                (MIXED[4].into(), code.into())
            ],
            "{mode}"
        );
        for failure in report["failed"].as_array().unwrap() {
            let message = failure["message"].as_str().unwrap();
            assert!(
                message.contains("DescribeDomains found no domain foreign.example"),
                "{message}"
            );
            assert!(failure.get("request_id").is_none(), "{failure}");
        }
        // Three URLs of the account's hosts, two a call.
        assert_eq!(report["requests"], 2, "{mode}");
    }
    let output = flush(
        &emulator,
        &[
            "--batch-size",
            "2",
            "--check-domains",
            "never",
            "--output",
            "json",
        ],
        &MIXED,
    );
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    assert_eq!(failed(&report).len(), 2);
    assert!(report["failed"][0]["request_id"].is_string());
    // Batch 1 (www, foreign): refused, then each host; batch 2 (img,
    // www): accepted; batch 3 (foreign alone): refused, not split.
    assert_eq!(report["requests"], 5);
}

/// An account whose domains cannot be listed: `auto` submits unchecked (and
/// says so at -v), `always` exits 2 and sends nothing.
#[test]
fn an_unreadable_domain_list_is_an_error_only_when_always() {
    let emulator = EmulatorProcess::start(&["--deny", "DescribeDomains"]);
    let urls = [MIXED[0], MIXED[1], MIXED[2]];
    let output = flush(&emulator, &["--batch-size", "1", "-v"], &urls);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("submitting without the domain check"),
        "{stderr}"
    );
    let output = flush(
        &emulator,
        &["--batch-size", "1", "--check-domains", "always"],
        &urls,
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("CdnCamUnauthorized"), "{stderr}");
    assert_eq!(accepted(&emulator).len(), 3, "only the auto run's URLs");
}
