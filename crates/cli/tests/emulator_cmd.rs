//! `tcdn emulator` as a process: the origin on the first line, `--tls` with
//! the CA written for clients, and the flags that must go together.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use tcdn::transport::{CertificateDer, HyperTransport, Transport};

#[test]
fn tls_prints_an_https_origin_and_writes_the_ca_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let ca_path = dir.path().join("ca.pem");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("tcdn"))
        .args([
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--secret-id",
            ID,
            "--tls",
        ])
        .arg("--tls-ca-out")
        .arg(&ca_path)
        .env_clear()
        .env("TENCENTCLOUD_SECRET_KEY", KEY)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let origin = line.trim().to_owned();
    let port = origin.strip_prefix("https://127.0.0.1:");
    assert!(
        port.is_some_and(|p| p.parse::<u16>().is_ok()),
        "first line: {origin:?}"
    );
    let pem = std::fs::read_to_string(&ca_path).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");

    let transport = HyperTransport::builder()
        .total_timeout(Duration::from_secs(10))
        .disable_proxy()
        .default_roots(false)
        .add_root_certificate(CertificateDer::from(pem_to_der(&pem)))
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let response = runtime
        .block_on(
            transport.send(
                http::Request::get(format!("{origin}/_emulator/tasks"))
                    .body(bytes::Bytes::new())
                    .unwrap(),
            ),
        )
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.body().as_ref(), b"[]");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn the_plain_origin_has_no_path() {
    let emulator = EmulatorProcess::start(&[
        "--lose-answer-rate",
        "0",
        "--max-connections",
        "8",
        "--task-delay",
        "0",
        "--task-fail-rate",
        "0.5",
        "--v3-rate-limit",
        "0",
        "--token",
        "session-token",
    ]);
    assert!(!emulator.origin[7..].contains('/'), "{}", emulator.origin);
    assert_eq!(emulator.tasks(), serde_json::json!([]));
    assert!(emulator.terminate());
}

#[test]
fn edgeone_zones_quotas_and_injected_errors_are_accepted() {
    let emulator = EmulatorProcess::start(&[
        "--edgeone-zone",
        "zone-2noz78a8ev6k=example.com",
        "--edgeone-zone",
        "zone-other=example.org",
        "--edgeone-quota",
        "purge_host=10:100",
        "--inject-error",
        "teo:DescribeZones=InternalError:0.5",
    ]);
    assert_eq!(emulator.tasks(), serde_json::json!([]));
    assert!(emulator.terminate());
}

#[test]
fn tls_needs_somewhere_to_write_the_ca_and_the_ca_path_needs_tls() {
    let tcdn = Tcdn::new();
    let output = tcdn.cmd().args(["emulator", "--tls"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("--tls-ca-out"));

    let output = tcdn
        .cmd()
        .args(["emulator", "--tls-ca-out", "ca.pem"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("--tls"));
}

#[test]
fn rates_and_limits_are_checked() {
    let tcdn = Tcdn::new();
    for bad in [
        ["--lose-answer-rate", "1.5"],
        ["--max-connections", "0"],
        ["--header-timeout", "0"],
        ["--task-fail-rate", "1.1"],
        ["--task-delay", "soon"],
        ["--v3-rate-limit", "lots"],
        ["--edgeone-zone", "zone-1"],
        ["--edgeone-zone", "zone-1=not a host"],
        ["--edgeone-quota", "purge_urls=1:2"],
        ["--edgeone-quota", "purge_url=1"],
        ["--inject-error", "teo:PurgeUrlsCache=InternalError"],
    ] {
        let output = tcdn.cmd().arg("emulator").args(bad).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{bad:?}: {output:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(bad[0]),
            "{bad:?}: {output:?}"
        );
    }
}
