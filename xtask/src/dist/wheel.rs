//! The Python wheel of `cargo xtask dist`: the release binary wrapped as a
//! wheel, so `pip install tcdn` (and `pipx`, `uvx`) give the `tcdn` command
//! on any machine with Python, with no Rust toolchain and no second build.
//!
//! A wheel is a zip archive (PEP 427): the binary goes to
//! `tcdn-VERSION.data/scripts/tcdn`, which installers put on the `PATH` as
//! an executable, next to `tcdn-VERSION.dist-info/` with `METADATA`,
//! `WHEEL`, the licences and `RECORD` (every file's SHA-256 and size).
//! The zip is written here, entries deflated with `miniz_oxide`, every
//! timestamp fixed, so the same binary gives the same wheel.

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The wheel's platform tags: glibc 2.17 or newer on x86_64, under both the
/// PEP 600 name and the older manylinux2014 alias that pip before 20.3
/// knows.
pub(crate) const PLATFORM_TAG: &str = "manylinux_2_17_x86_64.manylinux2014_x86_64";

/// The wheel's file name for `version`.
pub(crate) fn file_name(version: &str) -> String {
    format!("tcdn-{version}-py3-none-{PLATFORM_TAG}.whl")
}

/// What goes into the wheel besides the binary.
#[derive(Debug)]
pub(crate) struct Contents<'a> {
    pub(crate) version: &'a str,
    pub(crate) summary: &'a str,
    pub(crate) license: &'a str,
    pub(crate) repository: &'a str,
    /// The long description (Markdown), shown on the package's page.
    pub(crate) readme: &'a str,
    /// `(file name, text)` of each licence file.
    pub(crate) licenses: &'a [(&'a str, &'a str)],
    pub(crate) binary: &'a [u8],
}

/// The wheel's bytes.
pub(crate) fn build(contents: &Contents<'_>) -> Vec<u8> {
    let version = contents.version;
    let data = format!("tcdn-{version}.data");
    let info = format!("tcdn-{version}.dist-info");
    let mut metadata = format!(
        "Metadata-Version: 2.4\n\
         Name: tcdn\n\
         Version: {version}\n\
         Summary: {summary}\n\
         License-Expression: {license}\n",
        summary = contents.summary,
        license = contents.license,
    );
    for (name, _) in contents.licenses {
        metadata.push_str(&format!("License-File: {name}\n"));
    }
    metadata.push_str(&format!(
        "Project-URL: Repository, {repo}\n\
         Project-URL: Documentation, {repo}#readme\n\
         Requires-Python: >=3.7\n\
         Description-Content-Type: text/markdown\n\n{readme}",
        repo = contents.repository,
        readme = contents.readme,
    ));
    let mut wheel =
        String::from("Wheel-Version: 1.0\nGenerator: tcdn-xtask\nRoot-Is-Purelib: false\n");
    for tag in PLATFORM_TAG.split('.') {
        wheel.push_str(&format!("Tag: py3-none-{tag}\n"));
    }

    let mut files: Vec<(String, Vec<u8>, u32)> = vec![
        (
            format!("{data}/scripts/tcdn"),
            contents.binary.to_vec(),
            0o755,
        ),
        (format!("{info}/METADATA"), metadata.into_bytes(), 0o644),
        (format!("{info}/WHEEL"), wheel.into_bytes(), 0o644),
    ];
    for (name, text) in contents.licenses {
        files.push((
            format!("{info}/licenses/{name}"),
            text.as_bytes().to_vec(),
            0o644,
        ));
    }
    let mut record = String::new();
    for (path, bytes, _) in &files {
        record.push_str(&format!(
            "{path},sha256={},{}\n",
            record_hash(bytes),
            bytes.len()
        ));
    }
    let record_path = format!("{info}/RECORD");
    record.push_str(&format!("{record_path},,\n"));
    files.push((record_path, record.into_bytes(), 0o644));

    let mut zip = ZipWriter::default();
    for (path, bytes, mode) in &files {
        zip.add(path, bytes, *mode);
    }
    zip.finish()
}

/// A file's hash as `RECORD` writes it: SHA-256, URL-safe Base64 without
/// padding.
pub(crate) fn record_hash(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(bytes))
}

/// The CRC-32 (IEEE 802.3, as zip uses it) of `bytes`.
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A minimal zip writer: deflated regular files, Unix modes, no zip64
/// (a wheel or archive of this size stays far below 4 GiB).
#[derive(Debug, Default)]
pub(crate) struct ZipWriter {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
}

/// 1980-01-01 00:00, the earliest date zip can hold: a fixed time keeps
/// the wheel reproducible.
const DOS_DATE: u16 = (1 << 5) | 1;
const DOS_TIME: u16 = 0;

impl ZipWriter {
    pub(crate) fn add(&mut self, path: &str, bytes: &[u8], mode: u32) {
        let compressed = miniz_oxide::deflate::compress_to_vec(bytes, 9);
        let crc = crc32(bytes);
        let offset = u32::try_from(self.out.len()).expect("wheel under 4 GiB");
        let name = path.as_bytes();
        let sizes = |buf: &mut Vec<u8>| {
            buf.extend_from_slice(&crc.to_le_bytes());
            buf.extend_from_slice(&len32(compressed.len()).to_le_bytes());
            buf.extend_from_slice(&len32(bytes.len()).to_le_bytes());
            buf.extend_from_slice(&u16::try_from(name.len()).expect("short name").to_le_bytes());
        };
        // Local file header.
        self.out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        self.out.extend_from_slice(&20u16.to_le_bytes()); // version needed: 2.0
        self.out.extend_from_slice(&0u16.to_le_bytes()); // flags
        self.out.extend_from_slice(&8u16.to_le_bytes()); // deflate
        self.out.extend_from_slice(&DOS_TIME.to_le_bytes());
        self.out.extend_from_slice(&DOS_DATE.to_le_bytes());
        sizes(&mut self.out);
        self.out.extend_from_slice(&0u16.to_le_bytes()); // extra length
        self.out.extend_from_slice(name);
        self.out.extend_from_slice(&compressed);
        // Its central directory record: made by Unix (3), so the mode in
        // the high half of the external attributes counts.
        let c = &mut self.central;
        c.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        c.extend_from_slice(&((3u16 << 8) | 20).to_le_bytes());
        c.extend_from_slice(&20u16.to_le_bytes());
        c.extend_from_slice(&0u16.to_le_bytes());
        c.extend_from_slice(&8u16.to_le_bytes());
        c.extend_from_slice(&DOS_TIME.to_le_bytes());
        c.extend_from_slice(&DOS_DATE.to_le_bytes());
        sizes(c);
        c.extend_from_slice(&0u16.to_le_bytes()); // extra length
        c.extend_from_slice(&0u16.to_le_bytes()); // comment length
        c.extend_from_slice(&0u16.to_le_bytes()); // disk
        c.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        c.extend_from_slice(&((0o100_000 | mode) << 16).to_le_bytes());
        c.extend_from_slice(&offset.to_le_bytes());
        c.extend_from_slice(name);
        self.entries += 1;
    }

    pub(crate) fn finish(mut self) -> Vec<u8> {
        let offset = len32(self.out.len());
        let size = len32(self.central.len());
        self.out.extend_from_slice(&self.central);
        self.out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes()); // this disk
        self.out.extend_from_slice(&0u16.to_le_bytes()); // disk of the directory
        self.out.extend_from_slice(&self.entries.to_le_bytes());
        self.out.extend_from_slice(&self.entries.to_le_bytes());
        self.out.extend_from_slice(&size.to_le_bytes());
        self.out.extend_from_slice(&offset.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes()); // comment length
        self.out
    }
}

fn len32(len: usize) -> u32 {
    u32::try_from(len).expect("wheel under 4 GiB")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(binary: &[u8]) -> Contents<'_> {
        Contents {
            version: "1.2.3",
            summary: "s",
            license: "MIT OR Apache-2.0",
            repository: "https://example.com/r",
            readme: "# r\n",
            licenses: &[("LICENSE-MIT", "mit text\n")],
            binary,
        }
    }

    /// The entries of a zip, read back through its central directory:
    /// (name, mode, CRC, deflated bytes, size).
    fn entries(zip: &[u8]) -> Vec<(String, u32, u32, Vec<u8>, usize)> {
        let u16_at = |at: usize| u16::from_le_bytes([zip[at], zip[at + 1]]) as usize;
        let u32_at = |at: usize| u32::from_le_bytes(zip[at..at + 4].try_into().unwrap());
        let end = zip.len() - 22;
        assert_eq!(u32_at(end), 0x0605_4b50);
        let count = u16_at(end + 10);
        let mut at = u32_at(end + 16) as usize;
        let mut out = Vec::new();
        for _ in 0..count {
            assert_eq!(u32_at(at), 0x0201_4b50);
            let name_len = u16_at(at + 28);
            let name = String::from_utf8(zip[at + 46..at + 46 + name_len].to_vec()).unwrap();
            let local = u32_at(at + 42) as usize;
            assert_eq!(u32_at(local), 0x0403_4b50);
            let start = local + 30 + u16_at(local + 26) + u16_at(local + 28);
            let deflated = zip[start..start + u32_at(at + 20) as usize].to_vec();
            out.push((
                name,
                u32_at(at + 38) >> 16,
                u32_at(at + 16),
                deflated,
                u32_at(at + 24) as usize,
            ));
            at += 46 + name_len;
        }
        out
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn record_hashes_are_urlsafe_base64_of_sha256() {
        // SHA-256 of "" is e3b0c442...b855.
        assert_eq!(
            record_hash(b""),
            "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
        );
    }

    #[test]
    fn the_wheel_holds_the_executable_and_a_record_of_every_file() {
        let binary = b"\x7fELF pretend binary".repeat(50);
        let zip = build(&contents(&binary));
        assert_eq!(zip, build(&contents(&binary)), "reproducible");
        let entries = entries(&zip);
        let names: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "tcdn-1.2.3.data/scripts/tcdn",
                "tcdn-1.2.3.dist-info/METADATA",
                "tcdn-1.2.3.dist-info/WHEEL",
                "tcdn-1.2.3.dist-info/licenses/LICENSE-MIT",
                "tcdn-1.2.3.dist-info/RECORD",
            ]
        );
        let mut texts = Vec::new();
        for (name, mode, crc, deflated, size) in &entries {
            let bytes = miniz_oxide::inflate::decompress_to_vec(deflated).unwrap();
            assert_eq!(bytes.len(), *size, "{name}");
            assert_eq!(crc32(&bytes), *crc, "{name}");
            let executable = name.ends_with("scripts/tcdn");
            assert_eq!(*mode, if executable { 0o100_755 } else { 0o100_644 });
            texts.push(bytes);
        }
        assert_eq!(texts[0], binary);
        let metadata = String::from_utf8(texts[1].clone()).unwrap();
        assert!(metadata.starts_with("Metadata-Version: 2.4\nName: tcdn\nVersion: 1.2.3\n"));
        assert!(metadata.contains("License-File: LICENSE-MIT\n"));
        let wheel = String::from_utf8(texts[2].clone()).unwrap();
        assert!(wheel.contains("Root-Is-Purelib: false\nTag: py3-none-manylinux_2_17_x86_64\nTag: py3-none-manylinux2014_x86_64\n"));
        let record = String::from_utf8(texts[4].clone()).unwrap();
        let lines: Vec<&str> = record.lines().collect();
        assert_eq!(lines.len(), 5);
        for (line, (name, bytes)) in lines.iter().take(4).zip(names.iter().zip(&texts)) {
            assert_eq!(
                *line,
                format!("{name},sha256={},{}", record_hash(bytes), bytes.len())
            );
        }
        assert_eq!(lines[4], "tcdn-1.2.3.dist-info/RECORD,,");
    }
}
