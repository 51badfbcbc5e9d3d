//! `cargo xtask demo`: the README's main command.
//!
//! Builds the CLI, starts `tcdn emulator` on a free loopback port with demo
//! credentials, and runs through the real hyper transport, first under API
//! 3.0 (the default: flush URLs, flush a directory, push and `--wait`,
//! `quota`, `tasks`), then under API 2.0 (`--api v2`: flush URLs and a
//! directory, push); prints the CLI's results and the emulator's task list,
//! then stops the emulator with SIGTERM and checks it exited cleanly.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::bench;
use crate::shell::{cargo, root, run};

const DEMO_ID: &str = "AKIDdemo0000000000000000000000000000";
const DEMO_KEY: &str = "demo-secret-key-for-the-local-emulator";

/// The URLs the demo flushes under each API.
const THREE_URLS: [&str; 3] = [
    "https://www.example.com/index.html",
    "https://www.example.com/app.js?v=42",
    "https://www.example.com/图片/logo.png",
];

/// Stops the emulator on every path out of the demo, failures included.
pub(crate) struct EmulatorProcess(pub(crate) Child);

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl EmulatorProcess {
    /// Starts `tcdn emulator` with `args` and the credentials `id` and
    /// `key`, its stderr to `log`; returns it and the first line it prints
    /// (its origin), trimmed.
    pub(crate) fn start(
        tcdn: &Path,
        args: &[&str],
        id: &str,
        key: &str,
        log: &Path,
    ) -> Result<(Self, String), String> {
        let log_file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let mut child = Command::new(tcdn)
            .arg("emulator")
            .args(args)
            .env("TENCENTCLOUD_SECRET_ID", id)
            .env("TENCENTCLOUD_SECRET_KEY", key)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", tcdn.display()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or("the emulator's stdout is not piped")?;
        let emulator = Self(child);
        let mut origin = String::new();
        BufReader::new(stdout)
            .read_line(&mut origin)
            .map_err(|e| format!("could not read the emulator's origin: {e}"))?;
        Ok((emulator, origin.trim().to_owned()))
    }
}

pub(crate) fn binary() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    target
        .join("debug")
        .join(format!("tcdn{}", std::env::consts::EXE_SUFFIX))
}

pub(crate) fn demo(args: &[String]) -> Result<(), String> {
    if let Some(extra) = args.first() {
        return Err(format!("`demo` takes no arguments (got `{extra}`)"));
    }
    run(
        "build the tcdn CLI",
        cargo(&["build", "--quiet", "--package", "tcdn-cli", "--locked"]),
    )?;
    let tcdn = binary();
    let log_path = root().join("target").join("demo-emulator.log");
    let (mut emulator, origin) = EmulatorProcess::start(
        &tcdn,
        &[
            "--listen",
            "127.0.0.1:0",
            "--edgeone-zone",
            "zone-demo0000001=example.com",
        ],
        DEMO_ID,
        DEMO_KEY,
        &log_path,
    )?;
    // The first line is the origin; API 2.0 is at /v2/index.php under it.
    if !origin.starts_with("http://127.0.0.1:") || origin[7..].contains('/') {
        return Err(format!(
            "the emulator printed `{origin}` instead of its origin; see {}",
            log_path.display()
        ));
    }
    eprintln!(
        "\n==> emulator listening at {origin}: API 3.0 at /, API 2.0 at /v2/index.php (log: {})",
        log_path.display()
    );

    let list = root().join("fixtures").join("demo").join("push-urls.txt");
    let list = list.to_string_lossy().into_owned();
    let run_step = |what: &str, step_args: &[&str], capture: bool| -> Result<String, String> {
        eprintln!(
            "\n==> {what}\n$ tcdn {} --endpoint {origin}",
            quote_args(step_args)
        );
        let mut command = Command::new(&tcdn);
        command
            .args(step_args)
            .args(["--endpoint", &origin])
            .env("TENCENTCLOUD_SECRET_ID", DEMO_ID)
            .env("TENCENTCLOUD_SECRET_KEY", DEMO_KEY)
            .env_remove("TENCENTCLOUD_TOKEN")
            .env_remove("TENCENTCLOUD_SECURITY_TOKEN")
            .env_remove("TCDN_API")
            .env_remove("TCDN_PRODUCT")
            .env_remove("TCDN_ENDPOINT");
        let (status, stdout) = if capture {
            let output = command
                .stderr(Stdio::inherit())
                .output()
                .map_err(|e| format!("could not run tcdn: {e}"))?;
            let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
            print!("{stdout}");
            (output.status, stdout)
        } else {
            let status = command
                .status()
                .map_err(|e| format!("could not run tcdn: {e}"))?;
            (status, String::new())
        };
        if !status.success() {
            return Err(format!(
                "`tcdn {}` failed ({status})",
                quote_args(step_args)
            ));
        }
        Ok(stdout)
    };

    eprintln!("\n===== API 3.0 (the default) =====");
    run_step(
        "flush three URLs (no area: each domain's own region)",
        &[&["flush"][..], &THREE_URLS].concat(),
        false,
    )?;
    run_step(
        "flush a directory in mainland China, every resource under it",
        &[
            "flush",
            "--dir",
            "--flush-type",
            "delete",
            "--mainland",
            "https://www.example.com/static/",
        ],
        false,
    )?;
    let pushed = run_step(
        "push URLs from a file to both areas and wait until they are done, JSON output",
        &[
            "push",
            "--mainland",
            "--oversea",
            "--from-file",
            &list,
            "--wait",
            "--wait-timeout",
            "60",
            "--output",
            "json",
        ],
        true,
    )?;
    run_step("read the quotas", &["quota"], false)?;
    let task_id = pushed
        .split_once("\"task_id\":\"")
        .and_then(|(_, rest)| rest.split('"').next())
        .ok_or("the push reported no task id")?
        .to_owned();
    run_step("look the push task up", &["tasks", &task_id], false)?;

    eprintln!("\n===== API 2.0 (--api v2) =====");
    run_step(
        "flush three URLs in both areas",
        &[
            &["--api", "v2", "flush", "--mainland", "--oversea"][..],
            &THREE_URLS,
        ]
        .concat(),
        false,
    )?;
    run_step(
        "flush a directory in mainland China",
        &[
            "--api",
            "v2",
            "flush",
            "--dir",
            "--mainland",
            "https://www.example.com/static/",
        ],
        false,
    )?;
    run_step(
        "push URLs from a file outside mainland China, JSON output",
        &[
            "--api",
            "v2",
            "push",
            "--oversea",
            "--from-file",
            &list,
            "--output",
            "json",
        ],
        false,
    )?;

    eprintln!("\n===== EdgeOne (--product edgeone) =====");
    run_step(
        "purge two URLs in the zone of their host (example.com) and wait until they are done",
        &[
            "--product",
            "edgeone",
            "flush",
            "--wait",
            "--wait-timeout",
            "60",
            "https://www.example.com/index.html",
            "https://www.example.com/app.js?v=42",
        ],
        false,
    )?;

    let tasks_url = format!("{origin}/_emulator/tasks");
    eprintln!("\n==> what the emulator accepted: GET {tasks_url}");
    println!("{}", http_get(&tasks_url)?);

    stop(&mut emulator.0)?;
    eprintln!("\n==> emulator stopped cleanly; demo done");
    Ok(())
}

fn quote_args(args: &[&str]) -> String {
    args.iter()
        .map(|a| {
            if a.contains([' ', '?', '&']) {
                format!("'{a}'")
            } else {
                (*a).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A GET of an `http://` URL on loopback ([`bench::http`]).
fn http_get(url: &str) -> Result<String, String> {
    let rest = url.strip_prefix("http://").ok_or("only http:// URLs")?;
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
    bench::http(authority, "GET", &path)
}

/// Sends SIGTERM and waits for a clean exit.
pub(crate) fn stop(child: &mut Child) -> Result<(), String> {
    let pid = child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status();
    if !sent.is_ok_and(|s| s.success()) {
        child
            .kill()
            .map_err(|e| format!("could not stop the emulator: {e}"))?;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return if status.success() {
                Ok(())
            } else {
                Err(format!("the emulator exited with {status} after SIGTERM"))
            };
        }
        if Instant::now() > deadline {
            return Err("the emulator did not stop within 10 s of SIGTERM".to_owned());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
