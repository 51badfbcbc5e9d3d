//! `tcdn emulator` playing a real account and reachable from another host:
//! `--domain`, `--offline-domain`, `--deny`, `--listen` beyond loopback
//! (with its warning), `--tls-san` and `GET /_emulator/ca.pem`, and the
//! flags' usage errors.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use tcdn::transport::{CertificateDer, HyperTransport, Transport};

#[test]
fn an_account_served_beyond_loopback_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    let ca_path = dir.path().join("ca.pem");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("tcdn"))
        .args([
            "emulator",
            "--listen",
            "0.0.0.0:0",
            "--secret-id",
            ID,
            "--tls",
        ])
        .arg("--tls-ca-out")
        .arg(&ca_path)
        .args(["--tls-san", "emulator.ci.test", "--tls-san", "10.9.8.7"])
        .args([
            "--domain",
            "www.example.com",
            "--domain",
            "*.img.example.com:global",
        ])
        .args([
            "--offline-domain",
            "old.example.com",
            "--deny",
            "PushUrlsCache",
        ])
        .env_clear()
        .env("TENCENTCLOUD_SECRET_KEY", KEY)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .strip_prefix("https://0.0.0.0:")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_owned();
    // The warning comes before the origin; the rest of stderr is read once
    // the child is gone.
    let mut stderr = child.stderr.take().unwrap();
    let origin = format!("https://127.0.0.1:{port}");
    let ca = std::fs::read_to_string(&ca_path).unwrap();

    let transport = HyperTransport::builder()
        .total_timeout(Duration::from_secs(10))
        .disable_proxy()
        .default_roots(false)
        .add_root_certificate(CertificateDer::from(pem_to_der(&ca)))
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let served = runtime
        .block_on(
            transport.send(
                http::Request::get(format!("{origin}/_emulator/ca.pem"))
                    .body(bytes::Bytes::new())
                    .unwrap(),
            ),
        )
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(String::from_utf8_lossy(served.body()), ca);

    let tcdn = Tcdn::new();
    let run = |command: &str, url: &str| {
        tcdn.cmd()
            .args([
                command,
                "--output",
                "json",
                "--endpoint",
                &origin,
                "--ca-bundle",
            ])
            .arg(&ca_path)
            .arg(url)
            .output()
            .unwrap()
    };
    let output = run("flush", "https://cdn.img.example.com/a.js");
    assert!(output.status.success(), "{output:?}");
    for (command, url, code) in [
        (
            "flush",
            "https://other.example.org/a.js",
            "ResourceNotFound.CdnHostNotExists",
        ),
        (
            "flush",
            "https://old.example.com/a.js",
            "InvalidParameter.CdnHostInvalidStatus",
        ),
        (
            "flush",
            "https://*.img.example.com/a.js",
            "InvalidParameter.CdnPurgeWildcardNotAllowed",
        ),
        (
            "push",
            "https://www.example.com/a.js",
            "UnauthorizedOperation.CdnCamUnauthorized",
        ),
    ] {
        let output = run(command, url);
        assert!(!output.status.success(), "{url}: {output:?}");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(text.contains(code), "{url}: {text}");
    }

    let _ = child.kill();
    let _ = child.wait();
    let mut warnings = String::new();
    stderr.read_to_string(&mut warnings).unwrap();
    assert!(
        warnings.contains("reachable from other hosts") && warnings.contains("for tests"),
        "{warnings}"
    );
}

#[test]
fn account_and_tls_flags_are_checked() {
    let tcdn = Tcdn::new();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    let ca = ca.to_str().unwrap();
    for (bad, named) in [
        (vec!["--domain", "www.example.com:moon"], "moon"),
        (vec!["--domain", "https://www.example.com"], "--domain"),
        (vec!["--offline-domain", "a..b"], "--offline-domain"),
        (vec!["--deny", "PurgeEverything"], "PurgeEverything"),
        (vec!["--tls-san", "emulator.ci.test"], "--tls"),
        (
            vec!["--tls", "--tls-ca-out", ca, "--tls-san", "bad name"],
            "bad name",
        ),
        (vec!["--tls", "--tls-cert", "cert.pem"], "--tls-key"),
        (vec!["--tls", "--tls-key", "key.pem"], "--tls-cert"),
    ] {
        let output = tcdn.cmd().arg("emulator").args(&bad).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{bad:?}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(named), "{bad:?}: {stderr}");
    }
}
