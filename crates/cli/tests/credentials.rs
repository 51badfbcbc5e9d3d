//! The CLI's credential sources end to end against `tcdn emulator` over
//! HTTP: the instance role (`--use-cvm-role`), an assumed role
//! (`--role-arn`, `TENCENTCLOUD_ROLE_ARN`), TKE's OIDC variables, and a paced
//! run whose short-lived credentials expire and are refreshed mid-run. A
//! source that fails is exit 2 with one line naming it, never a secret; a
//! dry run does not reach the metadata service unless asked.

mod common;

use std::net::TcpListener;

use common::{EmulatorProcess, ID, KEY, Tcdn};
use predicates::prelude::*;

const ROLE_ARN: &str = "qcs::cam::uin/100000000001:roleName/deploy";
const WEB_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.cli-web-identity-secret.signature";

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `tcdn -v flush` of `urls` at the emulator, with its metadata service
/// and STS as the credential services, and no keys in the environment.
fn flush(
    tcdn: &Tcdn,
    emulator: &EmulatorProcess,
    extra: &[&str],
    urls: &[&str],
) -> assert_cmd::Command {
    let mut cmd = tcdn.bare();
    cmd.env("TCDN_METADATA_ENDPOINT", &emulator.origin)
        .env("TCDN_STS_ENDPOINT", &emulator.origin)
        .args(["-v", "flush", "--endpoint", &emulator.origin])
        .args(extra)
        .args(urls);
    cmd
}

/// Exit 0, every URL accepted by the emulator, and `-v` naming `source`.
fn assert_purged(
    output: &std::process::Output,
    emulator: &EmulatorProcess,
    urls: &[&str],
    source: &str,
) {
    let stderr = stderr_of(output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(emulator.accepted_urls(), urls, "{stderr}");
    assert!(
        stderr.contains("credentials from") && stderr.contains(source),
        "{stderr}"
    );
    assert!(
        !stderr.contains(KEY) && !stderr.contains(WEB_TOKEN),
        "{stderr}"
    );
}

#[test]
fn the_instance_role_purges() {
    let emulator = EmulatorProcess::start(&[]);
    let tcdn = Tcdn::new();
    let urls = ["https://www.example.com/cvm.js"];
    let output = flush(&tcdn, &emulator, &["--use-cvm-role"], &urls)
        .output()
        .unwrap();
    assert_purged(&output, &emulator, &urls, "CVM role tcdn-emulator-role");
}

#[test]
fn an_assumed_role_purges_from_the_flag_or_the_variable() {
    let emulator = EmulatorProcess::start(&[]);
    let tcdn = Tcdn::new();
    let urls = ["https://www.example.com/assumed.js"];
    let output = flush(
        &tcdn,
        &emulator,
        &["--role-arn", ROLE_ARN, "--role-session-name", "cli-test"],
        &urls,
    )
    .env("TENCENTCLOUD_SECRET_ID", ID)
    .env("TENCENTCLOUD_SECRET_KEY", KEY)
    .output()
    .unwrap();
    assert_purged(&output, &emulator, &urls, "assumed with STS AssumeRole");

    let emulator = EmulatorProcess::start(&[]);
    let output = flush(&tcdn, &emulator, &[], &urls)
        .env("TENCENTCLOUD_SECRET_ID", ID)
        .env("TENCENTCLOUD_SECRET_KEY", KEY)
        .env("TENCENTCLOUD_ROLE_ARN", ROLE_ARN)
        .output()
        .unwrap();
    assert_purged(&output, &emulator, &urls, ROLE_ARN);
}

#[test]
fn the_tke_oidc_variables_purge() {
    let emulator = EmulatorProcess::start(&[]);
    let tcdn = Tcdn::new();
    let token_file = tcdn.home.path().join("tke-token");
    std::fs::write(&token_file, WEB_TOKEN).unwrap();
    let urls = ["https://www.example.com/tke.js"];
    let output = flush(&tcdn, &emulator, &[], &urls)
        .env("TKE_REGION", "ap-guangzhou")
        .env("TKE_PROVIDER_ID", "tke-oidc-provider")
        .env("TKE_WEB_IDENTITY_TOKEN_FILE", &token_file)
        .env("TKE_ROLE_ARN", ROLE_ARN)
        .output()
        .unwrap();
    assert_purged(&output, &emulator, &urls, "TKE OIDC");
}

#[test]
fn credentials_that_expire_mid_run_are_refreshed() {
    // Credentials live 3 s; one call per second (--rate-limit 60 paces API
    // 3.0 at one per 1.1 s), one URL each: the run outlives them, and each
    // issue is refreshed at half its life, before it could be refused.
    let emulator = EmulatorProcess::start(&["--credential-ttl", "3"]);
    let tcdn = Tcdn::new();
    let urls: Vec<String> = (0..5)
        .map(|i| format!("https://www.example.com/paced-{i}.js"))
        .collect();
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    let output = flush(
        &tcdn,
        &emulator,
        &[
            "--use-cvm-role",
            "--batch-size",
            "1",
            "--concurrency",
            "1",
            "--rate-limit",
            "60",
            "--retries",
            "0",
        ],
        &urls,
    )
    .output()
    .unwrap();
    assert_purged(&output, &emulator, &urls, "CVM role");
    let stderr = stderr_of(&output);
    assert!(stderr.contains("credentials refreshed"), "{stderr}");
    assert!(!stderr.contains("TokenFailure"), "{stderr}");
}

#[test]
fn a_failing_source_is_exit_2_with_one_line_naming_it() {
    // Nothing listens on the discard port.
    let output = Tcdn::new()
        .bare()
        .env("TCDN_METADATA_ENDPOINT", "http://127.0.0.1:9")
        .args(["flush", "--use-cvm-role", "https://www.example.com/a.js"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("metadata service") && stderr.contains("unreachable"),
        "{stderr}"
    );

    let emulator = EmulatorProcess::start(&[]);
    let output = Tcdn::new()
        .cmd()
        .env("TCDN_STS_ENDPOINT", &emulator.origin)
        .args([
            "flush",
            "--endpoint",
            &emulator.origin,
            "--role-arn",
            "qcs::cam::uin/100000000001:roleName/missing",
            "https://www.example.com/a.js",
        ])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("ResourceNotFound.RoleNotExist"), "{stderr}");
    assert!(!stderr.contains(KEY), "{stderr}");
    assert!(emulator.accepted_urls().is_empty());
}

#[test]
fn a_dry_run_does_not_ask_the_metadata_service_unless_told() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    Tcdn::new()
        .bare()
        .env("TCDN_METADATA_ENDPOINT", &origin)
        .args(["flush", "--dry-run", "https://www.example.com/a.js"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("TENCENTCLOUD_SECRET_ID"));
    assert!(
        listener.accept().is_err(),
        "the dry run connected to the metadata service"
    );

    // Asked: it is used, and the dry run signs with the role's credentials.
    let emulator = EmulatorProcess::start(&[]);
    Tcdn::new()
        .bare()
        .env("TCDN_METADATA_ENDPOINT", &emulator.origin)
        .args([
            "flush",
            "--dry-run",
            "--use-cvm-role",
            "https://www.example.com/a.js",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Credential=AKIDtmp"));
}

#[test]
fn conflicting_credential_options_are_refused() {
    Tcdn::new()
        .cmd()
        .args([
            "flush",
            "--dry-run",
            "--use-cvm-role",
            "--profile",
            "prod",
            "https://www.example.com/a.js",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--use-cvm-role and --profile"));
    Tcdn::new()
        .cmd()
        .args([
            "flush",
            "--dry-run",
            "--role-session-name",
            "s",
            "https://www.example.com/a.js",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--role-arn"));
}
