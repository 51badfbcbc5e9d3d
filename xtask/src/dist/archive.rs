//! The release archive: a `.tar.gz` (a `.zip` on Windows), written here
//! rather than by `tar`: the same files give the same bytes (sorted
//! entries, owner root, one fixed time, no name or time in the gzip header),
//! and the task does not depend on the options of the machine's `tar` (GNU
//! tar 1.26 of CentOS 7, where the release build runs, has no `--sort`).
//!
//! A ustar archive is a sequence of 512-byte headers, each followed by the
//! file's bytes padded to 512, and two zero blocks at the end; gzip wraps
//! its deflate stream with a 10-byte header and a CRC-32 and size trailer.

use super::wheel::{ZipWriter, crc32};

/// One entry of the archive: a folder, or a file with its mode.
#[derive(Debug)]
pub(crate) enum Entry {
    Dir(String),
    File {
        path: String,
        mode: u32,
        bytes: Vec<u8>,
    },
}

impl Entry {
    fn path(&self) -> &str {
        match self {
            Entry::Dir(path) | Entry::File { path, .. } => path,
        }
    }
}

/// Writes `value` as a NUL-terminated octal number filling `field`.
fn octal(field: &mut [u8], value: u64) {
    let digits = format!("{value:0width$o}", width = field.len() - 1);
    assert!(
        digits.len() < field.len(),
        "{value} too large for a tar field"
    );
    field[..digits.len()].copy_from_slice(digits.as_bytes());
    field[digits.len()] = 0;
}

fn header(path: &str, mode: u32, size: u64, kind: u8) -> [u8; 512] {
    let mut h = [0u8; 512];
    let name = path.as_bytes();
    assert!(name.len() <= 100, "tar path over 100 bytes: {path}");
    h[..name.len()].copy_from_slice(name);
    octal(&mut h[100..108], u64::from(mode));
    octal(&mut h[108..116], 0); // uid
    octal(&mut h[116..124], 0); // gid
    octal(&mut h[124..136], size);
    octal(&mut h[136..148], 0); // mtime
    h[156] = kind;
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[265..269].copy_from_slice(b"root");
    h[297..301].copy_from_slice(b"root");
    // The checksum counts its own field as eight spaces.
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    let digits = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(digits.as_bytes());
    h
}

/// The uncompressed tar of `entries`, sorted by path.
pub(crate) fn tar(entries: &mut [Entry]) -> Vec<u8> {
    entries.sort_by(|a, b| a.path().cmp(b.path()));
    let mut out = Vec::new();
    for entry in entries.iter() {
        match entry {
            Entry::Dir(path) => {
                out.extend_from_slice(&header(&format!("{path}/"), 0o755, 0, b'5'));
            }
            Entry::File { path, mode, bytes } => {
                out.extend_from_slice(&header(path, *mode, bytes.len() as u64, b'0'));
                out.extend_from_slice(bytes);
                out.resize(out.len().next_multiple_of(512), 0);
            }
        }
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// The zip of `entries` (Windows' archive), sorted by path; folders are
/// implied by the files' paths.
pub(crate) fn zip(entries: &mut [Entry]) -> Vec<u8> {
    entries.sort_by(|a, b| a.path().cmp(b.path()));
    let mut zip = ZipWriter::default();
    for entry in entries.iter() {
        if let Entry::File { path, mode, bytes } = entry {
            zip.add(path, bytes, *mode);
        }
    }
    zip.finish()
}

/// `bytes` as a gzip file, without a name or time in its header.
pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    // Magic, deflate, no flags, mtime 0, best compression, Unix.
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3];
    out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(bytes, 9));
    out.extend_from_slice(&crc32(bytes).to_le_bytes());
    // ISIZE is the length modulo 2^32, as the format defines it.
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_carry_octal_fields_and_a_valid_checksum() {
        let h = header("d/f", 0o755, 1234, b'0');
        assert_eq!(&h[..4], b"d/f\0");
        assert_eq!(&h[100..108], b"0000755\0");
        assert_eq!(&h[124..136], b"00000002322\0");
        assert_eq!(&h[257..263], b"ustar\0");
        let stored = u32::from_str_radix(std::str::from_utf8(&h[148..154]).unwrap(), 8).unwrap();
        let mut blank = h;
        blank[148..156].copy_from_slice(b"        ");
        assert_eq!(stored, blank.iter().map(|&b| u32::from(b)).sum::<u32>());
    }

    #[test]
    fn entries_are_sorted_padded_and_closed_by_two_zero_blocks() {
        let mut entries = vec![
            Entry::File {
                path: "d/b".into(),
                mode: 0o644,
                bytes: vec![7; 600],
            },
            Entry::Dir("d".into()),
        ];
        let tar = tar(&mut entries);
        // Folder header, file header, two blocks of data, two zero blocks.
        assert_eq!(tar.len(), 512 * 6);
        assert_eq!(&tar[..2], b"d/");
        assert_eq!(tar[156], b'5');
        assert_eq!(&tar[512..515], b"d/b");
        assert_eq!(&tar[1024..1624], &[7; 600][..]);
        assert!(tar[1624..].iter().all(|&b| b == 0));
    }

    #[test]
    fn gzip_round_trips_with_its_trailer() {
        let data = b"tcdn tcdn tcdn tcdn".repeat(100);
        let gz = gzip(&data);
        assert_eq!(&gz[..4], &[0x1f, 0x8b, 8, 0]);
        let body = &gz[10..gz.len() - 8];
        assert_eq!(miniz_oxide::inflate::decompress_to_vec(body).unwrap(), data);
        let trailer = &gz[gz.len() - 8..];
        assert_eq!(trailer[..4], crc32(&data).to_le_bytes());
        assert_eq!(trailer[4..], (data.len() as u32).to_le_bytes());
        assert_eq!(gz, gzip(&data), "reproducible");
    }
}
