//! What `cargo xtask dist` checks in a Linux binary, read straight from the
//! ELF file: whether it is stripped (no `.symtab`) and which versioned
//! symbols it needs from shared libraries (`.gnu.version_r`, matched to
//! `.dynsym` through `.gnu.version`), as `objdump -T` shows them.
//!
//! Only 64-bit little-endian ELF is read: the one target `dist` builds.
//! Reading it here keeps the check free of binutils.

use std::collections::BTreeMap;

const SHT_SYMTAB: u32 = 2;
const SHT_DYNSYM: u32 = 11;
const SHT_GNU_VERNEED: u32 = 0x6fff_fffe;
const SHT_GNU_VERSYM: u32 = 0x6fff_ffff;

/// One section header, the fields this reader uses.
#[derive(Debug, Clone, Copy)]
struct Section {
    kind: u32,
    offset: usize,
    size: usize,
    link: u32,
    info: u32,
}

/// What a binary needs from its shared libraries, and whether it is
/// stripped.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Needs {
    /// Whether a `.symtab` (the static symbol table `strip` removes) is
    /// present.
    pub(crate) has_symtab: bool,
    /// Each needed version (such as `GLIBC_2.17`) and the dynamic symbols
    /// bound to it, sorted.
    pub(crate) versions: BTreeMap<String, Vec<String>>,
}

fn u16_at(data: &[u8], at: usize) -> Result<u16, String> {
    data.get(at..at + 2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .ok_or_else(|| format!("ELF truncated at byte {at}"))
}

fn u32_at(data: &[u8], at: usize) -> Result<u32, String> {
    data.get(at..at + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| format!("ELF truncated at byte {at}"))
}

fn u64_at(data: &[u8], at: usize) -> Result<usize, String> {
    let bytes = data
        .get(at..at + 8)
        .ok_or_else(|| format!("ELF truncated at byte {at}"))?;
    let mut word = [0u8; 8];
    word.copy_from_slice(bytes);
    usize::try_from(u64::from_le_bytes(word)).map_err(|_| "ELF offset too large".to_owned())
}

/// The NUL-terminated string at `at` in the string table `table`.
fn string_at(data: &[u8], table: Section, at: u32) -> Result<String, String> {
    let start = table.offset + at as usize;
    let end = table.offset + table.size;
    let bytes = data
        .get(start..end)
        .ok_or_else(|| format!("string {at} outside its table"))?;
    let len = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    Ok(String::from_utf8_lossy(&bytes[..len]).into_owned())
}

fn sections(data: &[u8]) -> Result<Vec<Section>, String> {
    if data.get(..4) != Some(b"\x7fELF".as_slice()) {
        return Err("not an ELF file".to_owned());
    }
    if data.get(4) != Some(&2) || data.get(5) != Some(&1) {
        return Err("not a 64-bit little-endian ELF file".to_owned());
    }
    let table = u64_at(data, 0x28)?;
    let entry = usize::from(u16_at(data, 0x3a)?);
    let count = usize::from(u16_at(data, 0x3c)?);
    (0..count)
        .map(|i| {
            let at = table + i * entry;
            Ok(Section {
                kind: u32_at(data, at + 4)?,
                offset: u64_at(data, at + 24)?,
                size: u64_at(data, at + 32)?,
                link: u32_at(data, at + 40)?,
                info: u32_at(data, at + 44)?,
            })
        })
        .collect()
}

fn linked(all: &[Section], section: Section) -> Result<Section, String> {
    all.get(section.link as usize)
        .copied()
        .ok_or_else(|| "section link out of range".to_owned())
}

/// Reads what `data`, a 64-bit little-endian ELF file, needs.
pub(crate) fn needs(data: &[u8]) -> Result<Needs, String> {
    let all = sections(data)?;
    let mut out = Needs {
        has_symtab: all.iter().any(|s| s.kind == SHT_SYMTAB),
        ..Needs::default()
    };
    // Version index (as `.gnu.version` holds it) to version name.
    let mut names: BTreeMap<u16, String> = BTreeMap::new();
    for verneed in all.iter().filter(|s| s.kind == SHT_GNU_VERNEED) {
        let strings = linked(&all, *verneed)?;
        let mut need = verneed.offset;
        for _ in 0..verneed.info {
            let aux_count = u16_at(data, need + 2)?;
            let mut aux = need + u32_at(data, need + 8)? as usize;
            for _ in 0..aux_count {
                let index = u16_at(data, aux + 6)?;
                let name = string_at(data, strings, u32_at(data, aux + 8)?)?;
                out.versions.entry(name.clone()).or_default();
                names.insert(index, name);
                aux += u32_at(data, aux + 12)? as usize;
            }
            let next = u32_at(data, need + 12)? as usize;
            if next == 0 {
                break;
            }
            need += next;
        }
    }
    let dynsym = all.iter().find(|s| s.kind == SHT_DYNSYM);
    let versym = all.iter().find(|s| s.kind == SHT_GNU_VERSYM);
    if let (Some(dynsym), Some(versym)) = (dynsym, versym) {
        let strings = linked(&all, *dynsym)?;
        for i in 0..dynsym.size / 24 {
            // Bit 15 marks a hidden symbol; the rest is the version index.
            let index = u16_at(data, versym.offset + 2 * i)? & 0x7fff;
            if let Some(version) = names.get(&index) {
                let symbol = string_at(data, strings, u32_at(data, dynsym.offset + 24 * i)?)?;
                out.versions
                    .get_mut(version)
                    .expect("every named version has an entry")
                    .push(symbol);
            }
        }
    }
    for symbols in out.versions.values_mut() {
        symbols.sort();
        symbols.dedup();
    }
    Ok(out)
}

/// The numbers of a `GLIBC_x.y[.z]` version; `None` for any other name
/// (such as `GLIBC_PRIVATE`, which no other glibc promises to have).
pub(crate) fn glibc_version(name: &str) -> Option<Vec<u32>> {
    name.strip_prefix("GLIBC_")?
        .split('.')
        .map(|part| part.parse().ok())
        .collect()
}

/// The versions of `needs` that a glibc of version `limit` does not have:
/// every `GLIBC_*` name newer than `limit` or not a plain version number.
pub(crate) fn newer_than<'a>(needs: &'a Needs, limit: &[u32]) -> Vec<(&'a str, &'a [String])> {
    needs
        .versions
        .iter()
        .filter(|(name, _)| name.starts_with("GLIBC_"))
        .filter(|(name, _)| glibc_version(name).is_none_or(|v| v.as_slice() > limit))
        .map(|(name, symbols)| (name.as_str(), symbols.as_slice()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glibc_versions_compare_by_number() {
        assert_eq!(glibc_version("GLIBC_2.2.5"), Some(vec![2, 2, 5]));
        assert_eq!(glibc_version("GLIBC_PRIVATE"), None);
        assert_eq!(glibc_version("GCC_3.0"), None);
        let mut needs = Needs::default();
        for name in [
            "GLIBC_2.2.5",
            "GLIBC_2.17",
            "GLIBC_2.18",
            "GLIBC_2.3",
            "GLIBC_PRIVATE",
            "GCC_4.2.0",
        ] {
            needs.versions.insert(name.to_owned(), vec![]);
        }
        let newer: Vec<&str> = newer_than(&needs, &[2, 17])
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        // 2.3 is older than 2.17 (numbers, not text); GCC_ is not glibc's.
        assert_eq!(newer, ["GLIBC_2.18", "GLIBC_PRIVATE"]);
    }

    #[test]
    #[cfg(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu"))]
    fn reads_the_glibc_symbols_of_this_test_binary() {
        let me = std::env::current_exe().unwrap();
        let needs = needs(&std::fs::read(me).unwrap()).unwrap();
        // Every x86_64 glibc program needs the base version, and a test
        // binary is built with its symbol table.
        assert!(needs.has_symtab);
        let base = &needs.versions["GLIBC_2.2.5"];
        assert!(base.iter().any(|s| s == "malloc"), "{base:?}");
        let start: Vec<&String> = needs.versions.values().flatten().collect();
        assert!(start.iter().any(|s| *s == "__libc_start_main"), "{start:?}");
    }

    #[test]
    fn refuses_what_is_not_elf() {
        assert!(needs(b"#!/bin/sh\n").is_err());
        assert!(needs(b"\x7fELF\x01\x01").is_err());
        assert!(needs(b"\x7fELF\x02\x01\x01").is_err());
    }
}
