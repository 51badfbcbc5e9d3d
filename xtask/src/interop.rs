//! `cargo xtask interop`: Tencent's official Python SDK, `tccli` and the
//! legacy API 2.0 SDK against the emulator.
//!
//! Creates a virtual environment under `target/interop-venv` (kept while
//! `xtask/interop/requirements.txt` is unchanged), installs the pinned SDKs
//! and CLI from PyPI, starts `tcdn emulator` three times (plain HTTP,
//! `--tls` with its CA written under `target/interop/`, and `--tls` playing
//! a real account: domains, a denied action, an injected code, a
//! `--tls-san` name), and runs
//! `xtask/interop/interop.py` against them: every API 3.0 action under the
//! three signature methods and both HTTP methods, wrong keys, `tccli`,
//! `qcloudapi-sdk-python`'s `FlushOrPushOverall` at `/v2/index.php`
//! (`xtask/interop/legacy.py`), the account's refusals, `DescribeDomains`
//! and both languages (`xtask/interop/account.py`), and EdgeOne's six
//! actions with `TeoClient` and `tccli teo` (`xtask/interop/teo.py`, whose
//! zones and quotas the plain and `--tls` emulators are started with).
//! Without Python or without the registry it
//! skips with a message: on a developer's machine that is a success, while
//! under `CI=true` a skip fails the run (CI must not be green having checked
//! nothing) unless `TCDN_INTEROP=skip` asks for it explicitly.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::demo::{EmulatorProcess, binary, stop};
use crate::shell::{cargo, pip_install, root, run};

const ID: &str = "AKIDinterop00000000000000000000000000";
const KEY: &str = "interop-secret-key-for-the-local-emulator";

/// Why the task skips instead of failing.
struct Skip(String);

fn skip(message: impl Into<String>) -> Result<PathBuf, Skip> {
    Err(Skip(message.into()))
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

/// The venv's Python, after creating the venv and installing the pinned
/// packages if the requirements changed since the last install.
fn prepare_venv() -> Result<PathBuf, Skip> {
    let python = ["python3", "python"].into_iter().find(|p| {
        Command::new(p)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    let Some(python) = python else {
        return skip("no python3 on PATH");
    };
    let requirements = root()
        .join("xtask")
        .join("interop")
        .join("requirements.txt");
    let wanted = std::fs::read_to_string(&requirements)
        .map_err(|e| Skip(format!("{}: {e}", requirements.display())))?;
    let venv = root().join("target").join("interop-venv");
    let stamp = venv.join("tcdn-requirements.txt");
    let venv_python = venv_python(&venv);
    if venv_python.exists() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(venv_python);
    }
    eprintln!(
        "\n==> create {} and install the pinned SDKs and tccli",
        venv.display()
    );
    let _ = std::fs::remove_dir_all(&venv);
    let created = Command::new(python)
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .is_ok_and(|s| s.success());
    if !created {
        return skip(format!(
            "`{python} -m venv` failed (is the venv module installed?)"
        ));
    }
    let installed = pip_install(&venv_python, &requirements)
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        let _ = std::fs::remove_dir_all(&venv);
        return skip("pip could not install the pinned packages (is PyPI reachable?)");
    }
    std::fs::write(&stamp, wanted).map_err(|e| Skip(format!("{}: {e}", stamp.display())))?;
    Ok(venv_python)
}

/// Starts `tcdn emulator` with `args`; returns it and its origin.
fn start(tcdn: &Path, args: &[&str], log: &Path) -> Result<(EmulatorProcess, String), String> {
    let (emulator, origin) = EmulatorProcess::start(tcdn, args, ID, KEY, log)?;
    if !origin.contains("://127.0.0.1:") {
        return Err(format!(
            "the emulator printed `{origin}` instead of its origin; see {}",
            log.display()
        ));
    }
    Ok((emulator, origin))
}

pub(crate) fn interop(args: &[String]) -> Result<(), String> {
    if let Some(extra) = args.first() {
        return Err(format!("`interop` takes no arguments (got `{extra}`)"));
    }
    let python = match prepare_venv() {
        Ok(python) => python,
        Err(Skip(why)) => return skipped(&why, &Environment::from_process()),
    };
    run(
        "build the tcdn CLI",
        cargo(&["build", "--quiet", "--package", "tcdn-cli", "--locked"]),
    )?;
    let tcdn = binary();
    let dir = root().join("target").join("interop");
    std::fs::create_dir_all(dir.join("home")).map_err(|e| format!("{}: {e}", dir.display()))?;
    let ca = dir.join("ca.pem");
    let ca_arg = ca.to_string_lossy().into_owned();
    let edgeone = edgeone_args(&python)?;
    let edgeone: Vec<&str> = edgeone.iter().map(String::as_str).collect();
    let (mut plain, http_origin) = start(&tcdn, &edgeone, &dir.join("emulator-http.log"))?;
    let tls_args = [&["--tls", "--tls-ca-out", &ca_arg][..], &edgeone].concat();
    let (mut tls, tls_origin) = start(&tcdn, &tls_args, &dir.join("emulator-tls.log"))?;
    let account_ca = dir.join("account-ca.pem");
    let account_ca_arg = account_ca.to_string_lossy().into_owned();
    let (mut account, account_origin) = start(
        &tcdn,
        &[
            "--tls",
            "--tls-ca-out",
            &account_ca_arg,
            "--tls-san",
            "emulator.interop.test",
            "--domain",
            "www.example.com",
            "--domain",
            "*.img.example.com:global",
            "--offline-domain",
            "old.example.com",
            "--deny",
            "PushUrlsCache",
            "--inject-error",
            "DescribePushQuota=InternalError.CdnConfigError",
        ],
        &dir.join("emulator-account.log"),
    )?;
    eprintln!("\n==> emulators at {http_origin}, {tls_origin} and {account_origin} (an account)");

    let script = root().join("xtask").join("interop").join("interop.py");
    let mut check = Command::new(&python);
    check
        .arg(&script)
        .args([
            "--http",
            &http_origin,
            "--tls",
            &tls_origin,
            "--ca",
            &ca_arg,
        ])
        .arg("--home")
        .arg(dir.join("home"))
        .args([
            "--account",
            &account_origin,
            "--account-ca",
            &account_ca_arg,
        ])
        .env("TENCENTCLOUD_SECRET_ID", ID)
        .env("TENCENTCLOUD_SECRET_KEY", KEY)
        .env_remove("TENCENTCLOUD_TOKEN")
        .env_remove("TCCLI_PROFILE")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy");
    let checked = run("the official SDKs and tccli against the emulator", check);
    stop(&mut plain.0)?;
    stop(&mut tls.0)?;
    stop(&mut account.0)?;
    checked
}

/// The emulator flags of EdgeOne's zones and quotas, as `teo.py` (their
/// one home) prints them, one a line.
fn edgeone_args(python: &Path) -> Result<Vec<String>, String> {
    let script = root().join("xtask").join("interop").join("teo.py");
    let output = Command::new(python)
        .arg(&script)
        .arg("--emulator-args")
        .output()
        .map_err(|e| format!("{}: {e}", script.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} --emulator-args failed: {}",
            script.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}

/// What decides whether a skip is allowed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Environment {
    /// `CI` is set to a true value.
    ci: bool,
    /// `TCDN_INTEROP=skip`.
    skip_asked: bool,
}

impl Environment {
    fn from_process() -> Self {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
        let skip_asked = std::env::var("TCDN_INTEROP").is_ok_and(|v| v == "skip");
        Self { ci, skip_asked }
    }
}

/// The end of a run that could not check anything: a success on a
/// developer's machine, a failure in CI unless the skip was asked for.
fn skipped(why: &str, env: &Environment) -> Result<(), String> {
    if env.ci && !env.skip_asked {
        return Err(format!(
            "interop could not run: {why}; under CI=true that fails the run \
             (set TCDN_INTEROP=skip to skip it on purpose)"
        ));
    }
    eprintln!("\n==> interop SKIPPED: {why}; nothing was checked");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skip_fails_in_ci_unless_asked_for() {
        let local = Environment::default();
        assert_eq!(skipped("no python3", &local), Ok(()));
        let ci = Environment {
            ci: true,
            skip_asked: false,
        };
        let error = skipped("no python3", &ci).unwrap_err();
        assert!(error.contains("no python3") && error.contains("TCDN_INTEROP=skip"));
        let asked = Environment {
            ci: true,
            skip_asked: true,
        };
        assert_eq!(skipped("no python3", &asked), Ok(()));
    }
}
