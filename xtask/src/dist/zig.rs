//! The toolchain that builds a Linux binary needing no glibc newer than
//! 2.17 on a machine whose own glibc is newer: zig as the C compiler and
//! linker, which links against the glibc version the target names
//! (`x86_64-unknown-linux-gnu.2.17`), driven by cargo-zigbuild. Both come
//! from the package registries and are pinned: zig from PyPI's `ziglang`
//! (`xtask/dist/requirements.txt`), cargo-zigbuild from crates.io
//! ([`ZIGBUILD_VERSION`]). They are installed once under
//! `target/dist-tools/` and kept while their pins do not change.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::shell::{cargo, pip_install, root, run};

/// The cargo-zigbuild release `dist` installs.
pub(crate) const ZIGBUILD_VERSION: &str = "0.24.1";

/// The installed tools.
#[derive(Debug)]
pub(crate) struct Zig {
    /// The `cargo-zigbuild` binary.
    pub(crate) cargo_zigbuild: PathBuf,
    /// `PATH` with the venv that holds zig first, where cargo-zigbuild
    /// finds it (`python3 -m ziglang`).
    pub(crate) path: OsString,
}

impl Zig {
    /// `cargo-zigbuild zigbuild` with `args`, finding zig.
    pub(crate) fn zigbuild(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.cargo_zigbuild);
        command
            .current_dir(root())
            .arg("zigbuild")
            .args(args)
            .env("PATH", &self.path);
        command
    }
}

fn succeeds(command: &mut Command) -> bool {
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs what is missing under `tools` and returns the tools.
pub(crate) fn prepare(tools: &Path) -> Result<Zig, String> {
    let requirements = root().join("xtask").join("dist").join("requirements.txt");
    let wanted = fs::read_to_string(&requirements)
        .map_err(|e| format!("{}: {e}", requirements.display()))?;
    let venv = tools.join("venv");
    let bin = venv.join("bin");
    let python = bin.join("python3");
    let stamp = venv.join("tcdn-requirements.txt");
    let ready = fs::read_to_string(&stamp).is_ok_and(|s| s == wanted)
        && succeeds(Command::new(&python).args(["-m", "ziglang", "version"]));
    if !ready {
        let _ = fs::remove_dir_all(&venv);
        let mut make = Command::new("python3");
        make.args(["-m", "venv"]).arg(&venv);
        run("make the venv that holds zig", make)?;
        let install = pip_install(&python, &requirements);
        run("pip install the pinned zig (ziglang)", install)?;
        fs::write(&stamp, &wanted).map_err(|e| format!("{}: {e}", stamp.display()))?;
    }
    let cargo_zigbuild = tools.join("bin").join("cargo-zigbuild");
    let installed = Command::new(&cargo_zigbuild)
        .arg("--version")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains(ZIGBUILD_VERSION));
    if !installed {
        let mut install = cargo(&[
            "install",
            "--locked",
            "--quiet",
            "cargo-zigbuild",
            "--version",
            ZIGBUILD_VERSION,
            "--root",
        ]);
        install.arg(tools);
        run("cargo install the pinned cargo-zigbuild", install)?;
    }
    let mut path = OsString::from(bin.as_os_str());
    if let Some(rest) = std::env::var_os("PATH") {
        path.push(":");
        path.push(rest);
    }
    Ok(Zig {
        cargo_zigbuild,
        path,
    })
}
