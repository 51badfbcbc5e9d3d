//! `cargo xtask dist`: the release files of `tcdn`, built once and checked.
//!
//! Into `target/dist/` (names the release workflow and
//! `[package.metadata.binstall]` rely on):
//!
//! - `tcdn-VERSION-x86_64-unknown-linux-gnu.tar.gz`: one folder of the
//!   same name with the stripped `tcdn` of `[profile.dist]`, its man page
//!   `tcdn.1`, `completions/` for bash, zsh and fish, `README.md` and both
//!   licences;
//! - `tcdn-VERSION-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl`:
//!   the same binary as a Python wheel ([`wheel`]);
//! - `SHA256SUMS` of both.
//!
//! Then it checks them, and fails when any check fails: every crate
//! packages (`cargo package --workspace --no-verify`) with its README and
//! licences; the archive unpacks to exactly those files and its `tcdn
//! --version` answers; the wheel installs into a fresh venv with pip (no
//! network) and `tcdn --version` and a dry run work from it; the binary is
//! stripped, at most 8 MiB, and needs no glibc symbol newer than 2.17
//! ([`elf`]). `--check` runs the checks on the files already built.
//!
//! The Linux binary is linked by zig against glibc 2.17 (cargo-zigbuild
//! and PyPI's `ziglang`, pinned and installed under `target/dist-tools/`
//! by `zig.rs`), so it runs on CentOS 7 and newer whatever this machine's
//! glibc. `VERSION` is `tcdn-cli`'s version. On any other machine than x86_64
//! Linux (the release workflow's macOS and Windows jobs) it builds the
//! archive of the machine's own target only (`.zip` on Windows), with the
//! same layout, and checks it. The build has its own target directory,
//! `target/dist-build/`, so that `target/dist/` holds only these files and
//! what the checks unpack under `target/dist/check/`.

mod archive;
mod elf;
mod wheel;
mod zig;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

use crate::shell::{cargo, root, run};

/// The target of the full set of files (archive, wheel) and checks; on any
/// other machine `dist` builds the archive of the machine's own target.
const LINUX_TARGET: &str = "x86_64-unknown-linux-gnu";
/// The binary's size limit, stripped.
const MAX_BINARY_BYTES: u64 = 8 * 1024 * 1024;
/// The newest glibc the binary may need: CentOS 7's (and manylinux2014's),
/// older than Ubuntu 18.04's 2.27 and Debian 10's 2.28.
const GLIBC_LIMIT: [u32; 2] = [2, 17];
/// What the wheel's `Summary` says.
const SUMMARY: &str = "Flush (purge) and push (prefetch) Tencent Cloud CDN caches, API 3.0 and API 2.0, with a local emulator";
/// The files of the archive's folder besides the binary.
const ARCHIVE_FILES: [&str; 7] = [
    "LICENSE-APACHE",
    "LICENSE-MIT",
    "README.md",
    "completions/_tcdn",
    "completions/tcdn.bash",
    "completions/tcdn.fish",
    "tcdn.1",
];
/// Fixed credentials for the dry runs of the checks: a dry run signs, so
/// it needs a key, but sends nothing.
const DRY_RUN_ID: &str = "AKIDdistcheck0000000000000000000000";
const DRY_RUN_KEY: &str = "dist-check-key";

/// The names of this version's release files for one target.
#[derive(Debug)]
struct Names {
    version: String,
    target: String,
    /// The binary's file name: `tcdn`, or `tcdn.exe` on Windows.
    exe: String,
    /// `tcdn-VERSION-TARGET`: the archive's folder, and its name without
    /// `.tar.gz` (`.zip` on Windows, where unpacking a zip needs no tool).
    stem: String,
    archive: String,
    /// The wheel, for [`LINUX_TARGET`] only.
    wheel: Option<String>,
}

impl Names {
    fn new(version: &str, target: &str) -> Self {
        let stem = format!("tcdn-{version}-{target}");
        let windows = target.contains("windows");
        Self {
            version: version.to_owned(),
            target: target.to_owned(),
            exe: if windows { "tcdn.exe" } else { "tcdn" }.to_owned(),
            archive: format!("{stem}{}", if windows { ".zip" } else { ".tar.gz" }),
            wheel: (target == LINUX_TARGET).then(|| wheel::file_name(version)),
            stem,
        }
    }

    fn is_linux(&self) -> bool {
        self.target == LINUX_TARGET
    }

    /// The archive and the wheel, as SHA256SUMS lists them.
    fn files(&self) -> Vec<&str> {
        std::iter::once(self.archive.as_str())
            .chain(self.wheel.as_deref())
            .collect()
    }
}

/// The machine's own target, as rustc names it.
fn host_target() -> Result<String, String> {
    let mut rustc = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()));
    rustc.arg("-vV");
    let text = String::from_utf8_lossy(&output("rustc -vV", rustc)?).into_owned();
    text.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(|host| host.trim().to_owned())
        .ok_or_else(|| format!("rustc -vV names no host:\n{text}"))
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// A workspace package's version, as cargo reads it.
fn version_of(package: &str) -> Result<String, String> {
    let output = cargo(&["pkgid", "-p", package])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cargo pkgid: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo pkgid failed ({})", output.status));
    }
    // `path+file:///…/crates/cli#tcdn-cli@0.1.0`, or `…#0.1.0` when the
    // folder is named after the package.
    let id = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let version = id.rsplit(['#', '@']).next().unwrap_or_default();
    if version.is_empty() || !version.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(format!("cannot read {package}'s version from `{id}`"));
    }
    Ok(version.to_owned())
}

/// Runs `cmd` and returns its stdout, failing on a failed status.
fn output(what: &str, mut cmd: Command) -> Result<Vec<u8>, String> {
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("{what}: could not start: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!("{what} failed ({})", out.status))
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn fresh_dir(path: &Path) -> Result<(), String> {
    if path.exists() {
        fs::remove_dir_all(path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    fs::create_dir_all(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// `cargo xtask dist [--check]`.
pub(crate) fn dist(args: &[String]) -> Result<(), String> {
    let check_only = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        [other, ..] => return Err(format!("`dist` takes only `--check` (got `{other}`)")),
    };
    let names = Names::new(&version_of("tcdn-cli")?, &host_target()?);
    let out = target_dir().join("dist");
    if !check_only {
        build(&names, &out)?;
    }
    check(&names, &out)
}

/// The release build's arguments after `cargo build` (or `cargo zigbuild`),
/// up to the target directory's path.
fn release_args(target: &str) -> [&str; 10] {
    [
        "--locked",
        "--profile",
        "dist",
        "--package",
        "tcdn-cli",
        "--bin",
        "tcdn",
        "--target",
        target,
        "--target-dir",
    ]
}

/// Builds the three files into `out`.
fn build(names: &Names, out: &Path) -> Result<(), String> {
    let build_dir = target_dir().join("dist-build");
    let mut build = if names.target == LINUX_TARGET {
        // Linked by zig against glibc 2.17, whatever this machine's glibc.
        let zig = zig::prepare(&target_dir().join("dist-tools"))?;
        let glibc = format!("{LINUX_TARGET}.{}.{}", GLIBC_LIMIT[0], GLIBC_LIMIT[1]);
        zig.zigbuild(&release_args(&glibc))
    } else {
        let mut build = cargo(&["build"]);
        build.args(release_args(&names.target));
        build
    };
    build.arg(&build_dir);
    run("release build (profile dist)", build)?;
    let binary = build_dir.join(&names.target).join("dist").join(&names.exe);
    fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;

    let binary_bytes = read(&binary)?;
    let stem = &names.stem;
    let mut entries = vec![
        archive::Entry::Dir(stem.clone()),
        archive::Entry::Dir(format!("{stem}/completions")),
        archive::Entry::File {
            path: format!("{stem}/{}", names.exe),
            mode: 0o755,
            bytes: binary_bytes.clone(),
        },
    ];
    let mut man = Command::new(&binary);
    man.arg("man");
    entries.push(archive::Entry::File {
        path: format!("{stem}/tcdn.1"),
        mode: 0o644,
        bytes: output("tcdn man", man)?,
    });
    for (shell, file) in [
        ("bash", "tcdn.bash"),
        ("zsh", "_tcdn"),
        ("fish", "tcdn.fish"),
    ] {
        let mut completions = Command::new(&binary);
        completions.args(["completions", shell]);
        entries.push(archive::Entry::File {
            path: format!("{stem}/completions/{file}"),
            mode: 0o644,
            bytes: output(&format!("tcdn completions {shell}"), completions)?,
        });
    }
    for file in ["README.md", "LICENSE-MIT", "LICENSE-APACHE"] {
        entries.push(archive::Entry::File {
            path: format!("{stem}/{file}"),
            mode: 0o644,
            bytes: read(&root().join(file))?,
        });
    }
    let packed = if names.archive.ends_with(".zip") {
        archive::zip(&mut entries)
    } else {
        archive::gzip(&archive::tar(&mut entries))
    };
    write(&out.join(&names.archive), &packed)?;
    eprintln!("\n==> archive: {}", names.archive);
    if let Some(wheel_name) = &names.wheel {
        build_wheel(wheel_name, &names.version, &binary_bytes, out)?;
    }

    let mut sums = String::new();
    for file in names.files() {
        let bytes = read(&out.join(file))?;
        sums.push_str(&format!("{}  {file}\n", sha256_hex(&bytes)));
    }
    write(&out.join("SHA256SUMS"), sums.as_bytes())?;
    eprintln!("==> SHA256SUMS\n{sums}");
    Ok(())
}

/// Wraps `binary` as the wheel `wheel_name` in `out`.
fn build_wheel(wheel_name: &str, version: &str, binary: &[u8], out: &Path) -> Result<(), String> {
    let cli_readme =
        String::from_utf8_lossy(&read(&root().join("crates/cli/README.md"))?).into_owned();
    let mit = String::from_utf8_lossy(&read(&root().join("LICENSE-MIT"))?).into_owned();
    let apache = String::from_utf8_lossy(&read(&root().join("LICENSE-APACHE"))?).into_owned();
    let wheel_bytes = wheel::build(&wheel::Contents {
        version,
        summary: SUMMARY,
        license: "MIT OR Apache-2.0",
        repository: env!("CARGO_PKG_REPOSITORY"),
        readme: &cli_readme,
        licenses: &[("LICENSE-MIT", &mit), ("LICENSE-APACHE", &apache)],
        binary,
    });
    write(&out.join(wheel_name), &wheel_bytes)?;
    eprintln!("\n==> wheel: {wheel_name}");
    Ok(())
}

/// One check's name and what it found, or why it failed.
type Outcome = (&'static str, Result<String, String>);
/// A check: what it found, or why it failed.
type Check<'a> = &'a dyn Fn() -> Result<String, String>;

/// Runs every check, prints one line each, and fails if any failed.
///
/// The crates are packaged on Linux only: the licences in each crate are
/// symbolic links, which a Windows checkout may leave as text files, and
/// the crates are published once, not per target.
fn check(names: &Names, out: &Path) -> Result<(), String> {
    let sums = || check_sums(names, out);
    let archive = || check_archive(names, out);
    let binary = || check_binary(names, out);
    let wheel = || check_wheel(names, out);
    let mut checks: Vec<(&'static str, Check<'_>)> = Vec::new();
    if names.is_linux() {
        checks.push(("crates package", &check_packages));
    }
    checks.push(("SHA256SUMS", &sums));
    checks.push(("archive", &archive));
    checks.push(("binary", &binary));
    if names.wheel.is_some() {
        checks.push(("wheel", &wheel));
    }
    let mut outcomes: Vec<Outcome> = Vec::new();
    for (name, check) in checks {
        eprintln!("\n==> check: {name}");
        outcomes.push((name, check()));
    }
    eprintln!("\ncargo xtask dist: {}", out.display());
    let mut failed = 0;
    for (name, outcome) in &outcomes {
        match outcome {
            Ok(detail) => eprintln!("  ok    {name}: {detail}"),
            Err(why) => {
                failed += 1;
                eprintln!("  FAIL  {name}: {why}");
            }
        }
    }
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} of {} dist checks failed", outcomes.len()))
    }
}

/// `cargo package --workspace --no-verify`, then each publishable crate's
/// `.crate` holds `README.md`, `LICENSE-MIT` and `LICENSE-APACHE` as
/// regular files with the root's text.
fn check_packages() -> Result<String, String> {
    run(
        "cargo package",
        cargo(&[
            "package",
            "--workspace",
            "--no-verify",
            "--locked",
            "--allow-dirty",
        ]),
    )?;
    let packages = publishable_packages()?;
    if packages.is_empty() {
        return Err("no publishable package under crates/".to_owned());
    }
    let mit = read(&root().join("LICENSE-MIT"))?;
    let apache = read(&root().join("LICENSE-APACHE"))?;
    let unpacked = target_dir().join("dist").join("check").join("crates");
    fresh_dir(&unpacked)?;
    for (name, version) in &packages {
        let file = target_dir()
            .join("package")
            .join(format!("{name}-{version}.crate"));
        let mut tar = Command::new("tar");
        tar.arg("-xzf").arg(&file).arg("-C").arg(&unpacked);
        output(&format!("unpack {}", file.display()), tar)?;
        let dir = unpacked.join(format!("{name}-{version}"));
        for (member, want) in [
            ("LICENSE-MIT", Some(&mit)),
            ("LICENSE-APACHE", Some(&apache)),
            ("README.md", None),
        ] {
            let path = dir.join(member);
            let meta = fs::symlink_metadata(&path)
                .map_err(|_| format!("{name}-{version}.crate has no {member}"))?;
            if !meta.is_file() || meta.len() == 0 {
                return Err(format!(
                    "{name}-{version}.crate: {member} is not a non-empty regular file"
                ));
            }
            if want.is_some_and(|want| read(&path).ok().as_ref() != Some(want)) {
                return Err(format!(
                    "{name}-{version}.crate: {member} differs from the root's"
                ));
            }
        }
    }
    let list: Vec<&str> = packages.iter().map(|(n, _)| n.as_str()).collect();
    Ok(format!(
        "{} crates, each with README and licences: {}",
        packages.len(),
        list.join(", ")
    ))
}

/// `(name, version)` of each package under `crates/` whose manifest does
/// not say `publish = false`, the version as cargo reads it.
fn publishable_packages() -> Result<Vec<(String, String)>, String> {
    let crates = root().join("crates");
    let mut manifests: Vec<PathBuf> = fs::read_dir(&crates)
        .map_err(|e| format!("{}: {e}", crates.display()))?
        .flatten()
        .map(|entry| entry.path().join("Cargo.toml"))
        .filter(|path| path.is_file())
        .collect();
    manifests.sort();
    let mut out = Vec::new();
    for manifest in manifests {
        let text = String::from_utf8_lossy(&read(&manifest)?).into_owned();
        if text.lines().any(|line| line.trim() == "publish = false") {
            continue;
        }
        let name = package_name(&text)
            .ok_or_else(|| format!("{}: no package name", manifest.display()))?;
        let version = version_of(&name)?;
        out.push((name, version));
    }
    Ok(out)
}

/// The `name` of a manifest's `[package]` table.
fn package_name(manifest: &str) -> Option<String> {
    let package = manifest.split("[package]").nth(1)?;
    let table = package.split("\n[").next()?;
    table.lines().find_map(|line| {
        let value = line.trim().strip_prefix("name")?.trim().strip_prefix('=')?;
        Some(value.trim().trim_matches('"').to_owned())
    })
}

fn check_sums(names: &Names, out: &Path) -> Result<String, String> {
    let sums = String::from_utf8_lossy(&read(&out.join("SHA256SUMS"))?).into_owned();
    let mut want = Vec::new();
    for file in names.files() {
        want.push(format!("{}  {file}", sha256_hex(&read(&out.join(file))?)));
    }
    let lines: Vec<&str> = sums.lines().collect();
    if lines == want {
        Ok(names.files().join(" and "))
    } else {
        Err(format!("SHA256SUMS does not match the files:\n{sums}"))
    }
}

/// `tcdn --version` of `binary`, which must name `version`.
fn check_version(binary: &Path, version: &str) -> Result<String, String> {
    let mut cmd = Command::new(binary);
    cmd.arg("--version");
    let text = String::from_utf8_lossy(&output("tcdn --version", cmd)?)
        .trim()
        .to_owned();
    if text.split_whitespace().any(|word| word == version) {
        Ok(text)
    } else {
        Err(format!("`tcdn --version` says `{text}`, not {version}"))
    }
}

/// A dry run of one flush from `binary`: it signs and prints the request.
fn check_dry_run(binary: &Path) -> Result<(), String> {
    let mut cmd = Command::new(binary);
    cmd.args([
        "flush",
        "--dry-run",
        "--output",
        "json",
        "https://www.example.com/a.css",
    ])
    .env("TENCENTCLOUD_SECRET_ID", DRY_RUN_ID)
    .env("TENCENTCLOUD_SECRET_KEY", DRY_RUN_KEY)
    .env_remove("TENCENTCLOUD_SESSION_TOKEN")
    .env("HOME", target_dir().join("dist").join("check"));
    let text = String::from_utf8_lossy(&output("tcdn flush --dry-run", cmd)?).into_owned();
    if text.contains("\"PurgeUrlsCache\"") && text.contains("https://www.example.com/a.css") {
        Ok(())
    } else {
        Err(format!(
            "the dry run printed no signed PurgeUrlsCache: {text}"
        ))
    }
}

fn check_archive(names: &Names, out: &Path) -> Result<String, String> {
    let dir = out.join("check").join("archive");
    fresh_dir(&dir)?;
    // GNU tar reads the gzip by itself; the bsdtar of macOS and Windows
    // reads the zip too.
    let mut tar = Command::new("tar");
    tar.arg("-xf")
        .arg(out.join(&names.archive))
        .arg("-C")
        .arg(&dir);
    output("unpack the archive", tar)?;
    let mut top: Vec<String> = fs::read_dir(&dir)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    if top != [names.stem.clone()] {
        return Err(format!(
            "the archive holds {top:?}, not one folder {}",
            names.stem
        ));
    }
    let folder = dir.join(&names.stem);
    let mut files = Vec::new();
    list_files(&folder, &folder, &mut files)?;
    files.sort();
    let mut want: Vec<String> = ARCHIVE_FILES.iter().map(|f| (*f).to_owned()).collect();
    want.push(names.exe.clone());
    want.sort();
    if files != want {
        return Err(format!("the folder holds {files:?}, not {want:?}"));
    }
    let man = String::from_utf8_lossy(&read(&folder.join("tcdn.1"))?).into_owned();
    if !man.starts_with(".ie") && !man.contains(".TH tcdn") {
        return Err("tcdn.1 is not a man page".to_owned());
    }
    let version = check_version(&folder.join(&names.exe), &names.version)?;
    check_dry_run(&folder.join(&names.exe))?;
    Ok(format!(
        "{} files in {}/; `{version}`; dry run ok",
        files.len(),
        names.stem
    ))
}

fn list_files(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), String> {
    for entry in fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path();
        if path.is_dir() {
            list_files(base, &path, out)?;
        } else {
            let rel = path.strip_prefix(base).map_err(|e| e.to_string())?;
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// The archive's binary, as [`check_archive`] unpacked it.
fn unpacked_binary(names: &Names, out: &Path) -> PathBuf {
    out.join("check")
        .join("archive")
        .join(&names.stem)
        .join(&names.exe)
}

/// The archive's binary: within the size limit and, for Linux, stripped
/// and needing no glibc symbol newer than [`GLIBC_LIMIT`].
fn check_binary(names: &Names, out: &Path) -> Result<String, String> {
    let bytes = read(&unpacked_binary(names, out))?;
    let mut problems = Vec::new();
    let size = bytes.len() as u64;
    let mib = size as f64 / (1024.0 * 1024.0);
    if size > MAX_BINARY_BYTES {
        problems.push(format!("{mib:.2} MiB, over the 8 MiB limit"));
    }
    if !names.is_linux() {
        return if problems.is_empty() {
            Ok(format!("{mib:.2} MiB"))
        } else {
            Err(problems.join("; "))
        };
    }
    let needs = elf::needs(&bytes)?;
    if needs.has_symtab {
        problems.push("not stripped (it has a .symtab)".to_owned());
    }
    let newest = needs
        .versions
        .keys()
        .filter_map(|name| elf::glibc_version(name).map(|v| (v, name)))
        .max()
        .map(|(_, name)| name.clone())
        .unwrap_or_default();
    let newer = elf::newer_than(&needs, &GLIBC_LIMIT);
    if !newer.is_empty() {
        let mut text = format!(
            "needs glibc symbols newer than {}.{} (built against the machine's glibc; \
             a build on glibc {}.{} or older gives the old versions):",
            GLIBC_LIMIT[0], GLIBC_LIMIT[1], GLIBC_LIMIT[0], GLIBC_LIMIT[1]
        );
        for (version, symbols) in newer {
            let _ = write!(text, "\n          {version}: {}", symbols.join(", "));
        }
        problems.push(text);
    }
    if problems.is_empty() {
        Ok(format!(
            "{mib:.2} MiB, stripped, newest glibc symbol {newest}"
        ))
    } else {
        Err(format!("{mib:.2} MiB; {}", problems.join("; ")))
    }
}

/// Installs the wheel into a fresh venv, without the network, and runs the
/// `tcdn` it installed.
fn check_wheel(names: &Names, out: &Path) -> Result<String, String> {
    let Some(wheel_name) = &names.wheel else {
        return Err(format!("no wheel is built for {}", names.target));
    };
    let venv = out.join("check").join("venv");
    if venv.exists() {
        fs::remove_dir_all(&venv).map_err(|e| format!("{}: {e}", venv.display()))?;
    }
    let mut create = Command::new("python3");
    create.args(["-m", "venv"]).arg(&venv);
    output(
        "python3 -m venv (python3 is needed to check the wheel)",
        create,
    )?;
    let mut pip = Command::new(venv.join("bin").join("python"));
    pip.args([
        "-m",
        "pip",
        "install",
        "--no-index",
        "--no-cache-dir",
        "--disable-pip-version-check",
        "--quiet",
    ])
    .arg(out.join(wheel_name));
    output("pip install the wheel", pip)?;
    let installed = venv.join("bin").join("tcdn");
    if read(&installed)? != read(&unpacked_binary(names, out))? {
        return Err("the wheel's tcdn differs from the archive's".to_owned());
    }
    let version = check_version(&installed, &names.version)?;
    check_dry_run(&installed)?;
    Ok(format!(
        "pip installs it into a fresh venv; `{version}`; dry run ok; same binary as the archive"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_release_pattern() {
        let names = Names::new("1.2.3", "x86_64-unknown-linux-gnu");
        assert_eq!(names.stem, "tcdn-1.2.3-x86_64-unknown-linux-gnu");
        assert_eq!(names.archive, "tcdn-1.2.3-x86_64-unknown-linux-gnu.tar.gz");
        let wheel = "tcdn-1.2.3-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
        assert_eq!(names.wheel.as_deref(), Some(wheel));
        assert_eq!(
            names.files(),
            ["tcdn-1.2.3-x86_64-unknown-linux-gnu.tar.gz", wheel]
        );
        assert!(names.is_linux());

        let mac = Names::new("1.2.3", "aarch64-apple-darwin");
        assert_eq!(mac.archive, "tcdn-1.2.3-aarch64-apple-darwin.tar.gz");
        assert_eq!((mac.exe.as_str(), mac.wheel), ("tcdn", None));
        let windows = Names::new("1.2.3", "x86_64-pc-windows-msvc");
        assert_eq!(windows.archive, "tcdn-1.2.3-x86_64-pc-windows-msvc.zip");
        assert_eq!(windows.exe, "tcdn.exe");
        assert_eq!(windows.files(), [windows.archive.as_str()]);
    }

    #[test]
    fn package_names_come_from_the_package_table() {
        let manifest = "[package]\nname = \"tcdn-sign\"\nversion.workspace = true\n\n[dependencies]\nname = \"x\"\n";
        assert_eq!(package_name(manifest).as_deref(), Some("tcdn-sign"));
        assert_eq!(package_name("[dependencies]\nname = \"x\"\n"), None);
    }

    #[test]
    fn sha256_hex_is_lowercase_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
