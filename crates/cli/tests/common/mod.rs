//! Helpers for the CLI's tests: a clean environment, and the real emulator
//! started as `tcdn emulator` in a child process.

#![allow(dead_code, missing_docs, missing_debug_implementations)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const ID: &str = "AKIDcliTestAAAAAAAAAAAAAAAAAAAAAAAAA";
pub const KEY: &str = "cli-test-secret-key-never-printed";
pub const TOKEN: &str = "cli-test-session-token-never-in-text";

/// Two EdgeOne zones for [`EmulatorProcess::start`]: `example.com` and its
/// subdomain `img.example.com`, each a zone of its own.
pub const EDGEONE_ZONES: [&str; 4] = [
    "--edgeone-zone",
    "zone-com00000001=example.com",
    "--edgeone-zone",
    "zone-img00000001=img.example.com",
];

/// `tcdn` with an empty environment and a fresh empty home directory.
pub struct Tcdn {
    pub home: tempfile::TempDir,
}

impl Tcdn {
    pub fn new() -> Self {
        Self {
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// The command with credentials, calling EdgeOne at `emulator`.
    pub fn edgeone(&self, emulator: &EmulatorProcess) -> assert_cmd::Command {
        let mut cmd = self.cmd();
        cmd.args(["--product", "edgeone", "--endpoint", &emulator.origin]);
        cmd
    }

    /// The command, without credentials.
    pub fn bare(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("tcdn").unwrap();
        cmd.env_clear()
            .env("HOME", self.home.path())
            .timeout(Duration::from_secs(60));
        cmd
    }

    /// The command under API 2.0 (`--api v2` before the command), with the
    /// test credentials: for the tests written when API 2.0 was the
    /// default.
    pub fn cmd_v2(&self) -> assert_cmd::Command {
        let mut cmd = self.cmd();
        cmd.args(["--api", "v2"]);
        cmd
    }

    /// The command, with the test credentials in the environment.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = self.bare();
        cmd.env("TENCENTCLOUD_SECRET_ID", ID)
            .env("TENCENTCLOUD_SECRET_KEY", KEY);
        cmd
    }
}

/// A running `tcdn emulator`, killed when dropped.
pub struct EmulatorProcess {
    child: Child,
    /// The first line it printed, e.g. `http://127.0.0.1:40123`.
    pub origin: String,
    /// The API 2.0 endpoint under that origin.
    pub endpoint: String,
}

impl EmulatorProcess {
    /// The tasks the emulator accepted, as `(zone_id, type, targets)`.
    pub fn placed(&self) -> Vec<(String, String, Vec<String>)> {
        self.tasks()
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let targets = t["urls"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|u| u.as_str().unwrap().to_owned())
                    .collect();
                (
                    t["zone_id"].as_str().unwrap().to_owned(),
                    t["type"].as_str().unwrap().to_owned(),
                    targets,
                )
            })
            .collect()
    }

    /// `tcdn emulator --tls`, its CA written to `ca_out`.
    pub fn start_tls(ca_out: &std::path::Path, extra: &[&str]) -> Self {
        let ca = ca_out.to_str().unwrap();
        let mut args = vec!["--tls", "--tls-ca-out", ca];
        args.extend(extra);
        Self::start(&args)
    }

    pub fn start(extra: &[&str]) -> Self {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("tcdn"))
            .args(["emulator", "--listen", "127.0.0.1:0", "--secret-id", ID])
            .args(extra)
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
        let port = origin
            .strip_prefix("http://127.0.0.1:")
            .or_else(|| origin.strip_prefix("https://127.0.0.1:"));
        assert!(
            port.is_some_and(|p| p.parse::<u16>().is_ok()),
            "first line is not the origin: {origin:?}"
        );
        let endpoint = format!("{origin}/v2/index.php");
        Self {
            child,
            origin,
            endpoint,
        }
    }

    fn get(&self, path: &str) -> String {
        let authority = self.origin.trim_start_matches("http://").to_owned();
        let mut stream = TcpStream::connect(&authority).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            // HTTP/1.0: a streamed answer (the task list) comes without
            // chunked encoding, its end marked by the close.
            "GET {path} HTTP/1.0\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response.split_once("\r\n\r\n").unwrap().1.to_owned()
    }

    /// `GET /_emulator/tasks`, parsed.
    pub fn tasks(&self) -> serde_json::Value {
        serde_json::from_str(&self.get("/_emulator/tasks")).unwrap()
    }

    /// Every URL the emulator accepted, in order.
    pub fn accepted_urls(&self) -> Vec<String> {
        self.tasks()
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|task| task["urls"].as_array().unwrap().clone())
            .map(|url| url.as_str().unwrap().to_owned())
            .collect()
    }

    /// Sends SIGTERM and returns whether it exited successfully.
    pub fn terminate(mut self) -> bool {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        false
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The DER bytes of a one-certificate PEM file.
pub fn pem_to_der(pem: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let body: String = pem
        .lines()
        .skip_while(|l| *l != "-----BEGIN CERTIFICATE-----")
        .skip(1)
        .take_while(|l| *l != "-----END CERTIFICATE-----")
        .collect();
    let mut bits = 0u32;
    let mut count = 0;
    let mut der = Vec::new();
    for c in body.bytes().filter(|&c| c != b'=') {
        let value = ALPHABET.iter().position(|&a| a == c).expect("base64") as u32;
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            der.push((bits >> count) as u8);
        }
    }
    der
}
