//! The API 3.0 rows of `cargo xtask bench` (issue 12, Performance):
//!
//! - a dry run of 100,000 URLs under API 3.0 (TC3 POST, the whole `tcdn`
//!   process) against Tencent's official Python SDK building and signing
//!   the same `PurgeUrlsCache` requests of 1000 URLs
//!   (`AbstractClient._build_req_inter`, the path `call` takes before it
//!   sends); the SDK is found as `$TCDN_BENCH_PYTHON` (a Python with
//!   `tencentcloud-sdk-python` installed, e.g. a venv), else `python3`, and
//!   the row says so when neither has it;
//! - 400 API 3.0 requests at concurrency 8 against the emulator with 50 ms
//!   latency, against the 2.5 s latency bound;
//! - `--wait` on tasks the emulator finishes after 1.5 s, against
//!   1.1 × 1.5 s + 1 s.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Bench, HIGH_QUOTA, Report, Results, Row, Verdict, create, wait_bounded};

/// The script the official SDK runs: reads the URL file, builds and signs
/// one `PurgeUrlsCache` of each 1000 URLs (area mainland), and writes each
/// `Authorization` header and body, as the dry run writes its requests.
const SDK_SCRIPT: &str = r#"
import sys
from tencentcloud.common import credential
from tencentcloud.common.abstract_client import RequestInternal
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.cdn.v20180606 import cdn_client, models

urls_path, out_path, secret_id, secret_key = sys.argv[1:5]
with open(urls_path) as f:
    urls = [line.strip() for line in f if line.strip()]
client = cdn_client.CdnClient(credential.Credential(secret_id, secret_key), "", ClientProfile())
with open(out_path, "w") as out:
    for start in range(0, len(urls), 1000):
        request = models.PurgeUrlsCacheRequest()
        request.Urls = urls[start:start + 1000]
        request.Area = "mainland"
        req = RequestInternal(client._get_endpoint(), "POST", "/", header={})
        client._build_req_inter("PurgeUrlsCache", request._serialize(), req)
        out.write(req.header["Authorization"] + "\n" + req.data + "\n")
"#;

/// The tasks' time the emulator is told for the `--wait` row.
const TASK_SECONDS: f64 = 1.5;

impl Bench {
    /// A Python that imports the official SDK's CDN client.
    fn sdk_python() -> Option<String> {
        let candidates = std::env::var("TCDN_BENCH_PYTHON")
            .ok()
            .into_iter()
            .chain(["python3".to_owned()]);
        for python in candidates {
            let ok = Command::new(&python)
                .args(["-c", "import tencentcloud.cdn.v20180606.cdn_client"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                return Some(python);
            }
        }
        None
    }

    /// Dry run of 100k URLs under API 3.0 against the official Python SDK.
    pub(super) fn v3_dry_run(&self, results: &mut Results) -> Result<(), String> {
        const URLS: usize = 100_000;
        let (file, _) = self.url_file(URLS)?;
        let file_text = file.to_string_lossy();
        let run = self.run_cli(
            "v3-dry-run-100k",
            &[
                "--api",
                "v3",
                "flush",
                "--mainland",
                "--dry-run",
                "--output",
                "json",
                "--from-file",
                &file_text,
            ],
            Duration::from_secs(120),
        )?;
        run.check_success("v3 dry run")?;
        let requests = run.stdout.lines().count();
        if requests != URLS / 1000 {
            return Err(format!("{requests} requests printed, not {}", URLS / 1000));
        }
        let tcdn = run.wall.as_secs_f64();
        let Some(python) = Self::sdk_python() else {
            results.rows.push(Row {
                figure: "v3 dry run, 100k URLs (whole process)".to_owned(),
                value: format!("{tcdn:.3} s"),
                reference: "official Python SDK not found: set TCDN_BENCH_PYTHON to a Python \
                            with tencentcloud-sdk-python-cdn"
                    .to_owned(),
                ratio: String::new(),
                target: "≥ 10×".to_owned(),
                verdict: Verdict::Miss,
            });
            return Ok(());
        };
        let sdk = self.sdk_build(&python, &file)?;
        let ratio = sdk / tcdn;
        results.rows.push(Row {
            figure: "v3 dry run, 100k URLs, 100 TC3 POSTs (whole process)".to_owned(),
            value: format!("{tcdn:.3} s"),
            reference: format!("{sdk:.3} s (official Python SDK, _build_req_inter)"),
            ratio: format!("{ratio:.1}× faster"),
            target: "≥ 10×".to_owned(),
            verdict: Verdict::of(ratio >= 10.0),
        });
        Ok(())
    }

    /// The official SDK building and signing the same requests: the whole
    /// Python process's wall time.
    fn sdk_build(&self, python: &str, urls: &Path) -> Result<f64, String> {
        let script = self.work.join("sdk_build.py");
        std::fs::write(&script, SDK_SCRIPT).map_err(|e| format!("{}: {e}", script.display()))?;
        let out = self.work.join("sdk_build.out");
        let started = Instant::now();
        let child = Command::new(python)
            .arg(&script)
            .arg(urls)
            .arg(&out)
            .args([super::BENCH_ID, super::BENCH_KEY])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(create(&self.work.join("sdk_build.err"))?)
            .spawn()
            .map_err(|e| format!("could not start {python}: {e}"))?;
        let status = wait_bounded(child, Duration::from_secs(300), "the Python SDK")?;
        let wall = started.elapsed().as_secs_f64();
        if !status.success() {
            return Err(format!(
                "the Python SDK exited with {status}; see sdk_build.err"
            ));
        }
        Ok(wall)
    }

    /// 400 API 3.0 requests at concurrency 8 against 50 ms of latency.
    pub(super) fn v3_end_to_end(&self, results: &mut Results) -> Result<(), String> {
        const REQUESTS: usize = 400;
        let (file, _) = self.url_file(REQUESTS)?;
        let emulator = self.emulator(
            "v3-e2e-emulator",
            &[
                "--latency",
                "50",
                "--rate-limit",
                "0",
                "--quota-url-flush",
                HIGH_QUOTA,
            ],
        )?;
        let origin = emulator.origin();
        let file = file.to_string_lossy();
        let run = self.run_cli(
            "v3-e2e",
            &[
                "--api",
                "v3",
                "flush",
                "--mainland",
                "--endpoint",
                &origin,
                "--batch-size",
                "1",
                "--concurrency",
                "8",
                "--rate-limit",
                "0",
                "--force",
                "--output",
                "json",
                "--from-file",
                &file,
            ],
            Duration::from_secs(60),
        )?;
        emulator.stop()?;
        run.check_success("v3 end to end")?;
        let report = Report::parse(&run.stdout)?;
        if report.succeeded != REQUESTS || report.failed != 0 {
            return Err(format!(
                "{} succeeded and {} failed of {REQUESTS}",
                report.succeeded, report.failed
            ));
        }
        let bound = 2.5;
        let wall = run.wall.as_secs_f64();
        results.rows.push(Row {
            figure: "v3 e2e: 400 requests, concurrency 8, latency 50 ms".to_owned(),
            value: format!("{wall:.2} s"),
            reference: format!("{bound:.2} s (400 × 50 ms / 8)"),
            ratio: format!("{:.2}×", wall / bound),
            target: "≤ 1.25×".to_owned(),
            verdict: Verdict::of(wall / bound <= 1.25),
        });
        Ok(())
    }

    /// `--wait` on tasks the emulator finishes after 1.5 s.
    pub(super) fn v3_wait(&self, results: &mut Results) -> Result<(), String> {
        let emulator = self.emulator(
            "v3-wait-emulator",
            &[
                "--task-duration-ms",
                &((TASK_SECONDS * 1000.0) as u64).to_string(),
            ],
        )?;
        let origin = emulator.origin();
        let run = self.run_cli(
            "v3-wait",
            &[
                "--api",
                "v3",
                "flush",
                "--mainland",
                "--wait",
                "--wait-timeout",
                "30",
                "--endpoint",
                &origin,
                "--output",
                "json",
                "https://www.example.com/waited/a.css",
                "https://www.example.com/waited/b.css",
            ],
            Duration::from_secs(60),
        )?;
        emulator.stop()?;
        run.check_success("v3 --wait")?;
        let bound = 1.1 * TASK_SECONDS + 1.0;
        let wall = run.wall.as_secs_f64();
        results.rows.push(Row {
            figure: "v3 --wait, tasks done after 1.5 s (whole process)".to_owned(),
            value: format!("{wall:.2} s"),
            reference: format!("{bound:.2} s (1.1 × 1.5 s + 1 s)"),
            ratio: format!("{:.2}×", wall / bound),
            target: "≤ 1.0×".to_owned(),
            verdict: Verdict::of(wall <= bound),
        });
        Ok(())
    }
}
