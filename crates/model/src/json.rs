//! JSON string literals, written byte for byte as `serde_json` writes them:
//! the one escaper of the workspace, used for API 3.0 bodies, the emulator's
//! answers and the CLI's JSON lines.
//!
//! `"` and `\` are escaped with a backslash, `\b` `\t` `\n` `\f` `\r` by
//! name, other control characters (below U+0020) as `\u00xx`, and
//! everything else (`/`, DEL, non-ASCII) is kept as it is. The bytes to
//! escape are found eight at a time, and the runs between them are copied
//! whole: nearly every URL has none.
//!
//! ```
//! let mut body = String::new();
//! tcdn_model::json::write_str("a\"b\\c\n\u{1}/é", &mut body);
//! assert_eq!(body, r#""a\"b\\c\n\u0001/é""#);
//! assert_eq!(tcdn_model::json::str_len("a\"b\\c\n\u{1}/é"), body.len());
//! ```

use crate::swar::{any_below, any_equal, control_at, equal_at, fold_words, padded, word};

/// Where JSON text is written: a `String`, or bytes (`Vec<u8>`) when it is
/// part of a larger output. Only whole `&str` pieces are written, so a
/// `String` stays valid UTF-8.
pub trait JsonOut {
    /// Appends `text`.
    fn push_text(&mut self, text: &str);
    /// Makes room for `additional` more bytes.
    fn reserve_text(&mut self, additional: usize);
}

impl JsonOut for String {
    #[inline]
    fn push_text(&mut self, text: &str) {
        self.push_str(text);
    }
    fn reserve_text(&mut self, additional: usize) {
        self.reserve(additional);
    }
}

impl JsonOut for Vec<u8> {
    #[inline]
    fn push_text(&mut self, text: &str) {
        self.extend_from_slice(text.as_bytes());
    }
    fn reserve_text(&mut self, additional: usize) {
        self.reserve(additional);
    }
}

/// Whether any byte of `value` is escaped in a JSON string.
pub fn needs_escape(value: &str) -> bool {
    fold_words(value.as_bytes(), b'a', |w| {
        any_below(w, 0x20) | any_equal(w, b'"') | any_equal(w, b'\\')
    }) != 0
}

/// `0x80` in exactly the bytes of `w` that are escaped.
#[inline(always)]
fn escaped_at(w: u64) -> u64 {
    control_at(w) | equal_at(w, b'"') | equal_at(w, b'\\')
}

/// The escape of one byte that needs one (`escaped_at` flagged it).
fn escape<O: JsonOut + ?Sized>(byte: u8, out: &mut O) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let named = match byte {
        b'"' => "\\\"",
        b'\\' => "\\\\",
        0x08 => "\\b",
        b'\t' => "\\t",
        b'\n' => "\\n",
        0x0c => "\\f",
        b'\r' => "\\r",
        _ => {
            let code = [
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xf)],
            ];
            // Six ASCII bytes.
            out.push_text(std::str::from_utf8(&code).unwrap_or_default());
            return;
        }
    };
    out.push_text(named);
}

/// Appends `value` as a JSON string literal, quotes included.
pub fn write_str<O: JsonOut + ?Sized>(value: &str, out: &mut O) {
    let bytes = value.as_bytes();
    out.reserve_text(bytes.len() + 2);
    out.push_text("\"");
    // Bytes before `from` are written. Escaped bytes are ASCII, so every
    // cut is on a character boundary.
    let mut from = 0;
    let mut at = 0;
    while at < bytes.len() {
        let eight = if at + 8 <= bytes.len() {
            word(bytes, at)
        } else {
            padded(&bytes[at..], b'a')
        };
        let mut mask = escaped_at(eight);
        while mask != 0 {
            let hit = at + mask.trailing_zeros() as usize / 8;
            if matches!(bytes[hit], b'"' | b'\\') {
                // The escape is a backslash before the byte itself: write
                // the run and the backslash, and let the byte start the
                // next run (two quotes a URL in a body printed as JSON).
                out.push_text(&value[from..hit]);
                out.push_text("\\");
                from = hit;
            } else {
                out.push_text(&value[from..hit]);
                escape(bytes[hit], out);
                from = hit + 1;
            }
            mask &= mask - 1;
        }
        at += 8;
    }
    out.push_text(&value[from..]);
    out.push_text("\"");
}

/// The length of [`write_str`]'s output, quotes included.
pub fn str_len(value: &str) -> usize {
    if !needs_escape(value) {
        return 2 + value.len();
    }
    2 + value
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0x00..=0x1f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        // Every ASCII character and a few others, alone, at each offset of
        // a word and across word boundaries.
        let mut samples: Vec<String> = (0u32..0x80)
            .chain([0xe9, 0x2028, 0x1f600])
            .filter_map(char::from_u32)
            .flat_map(|c| {
                (0..34).map(move |offset| {
                    let mut text = "a".repeat(offset);
                    text.push(c);
                    text.push_str("tail\"\\");
                    text
                })
            })
            .collect();
        samples.push(String::new());
        samples.push("\u{1}\u{1f}\"\\\n\r\t\u{8}\u{c}\u{7f}".to_owned());
        samples
            .push(r#"{"Urls":["https://a.example/x?q=1&r=\u00e9"],"Area":"mainland"}"#.to_owned());
        for text in samples {
            let expected = serde_json::to_string(&text).unwrap();
            let mut string = String::new();
            write_str(&text, &mut string);
            assert_eq!(string, expected, "{text:?}");
            let mut bytes = b"prefix".to_vec();
            write_str(&text, &mut bytes);
            assert_eq!(bytes, [b"prefix", expected.as_bytes()].concat(), "{text:?}");
            assert_eq!(str_len(&text), expected.len(), "{text:?}");
            assert_eq!(
                needs_escape(&text),
                expected.len() != text.len() + 2,
                "{text:?}"
            );
        }
    }
}
