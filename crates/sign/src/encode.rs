//! Form encoding of parameter names and values for the wire.
//!
//! The signature covers raw values, but the wire carries them encoded, and the
//! `Signature` itself (Base64, with `+`, `/` and `=`) must be encoded too.
//! This is the `application/x-www-form-urlencoded` encoding that Tencent's
//! legacy SDK produces (Python's `urlencode` with `quote_plus`): ASCII letters,
//! digits and `_ . - ~` stay as they are, a space becomes `+`, and every other
//! byte of the UTF-8 text becomes `%XX` with upper-case hex. Matching it byte
//! for byte lets our golden files compare whole requests with the SDK's.
//!
//! ```
//! let mut out = String::new();
//! tcdn_sign::encode::form_value_into("https://a.example/猫 x?q=1&r=~", &mut out);
//! assert_eq!(out, "https%3A%2F%2Fa.example%2F%E7%8C%AB+x%3Fq%3D1%26r%3D~");
//! assert_eq!(tcdn_sign::encode::form_value_len("a b%"), out_len("a+b%25"));
//! # fn out_len(s: &str) -> usize { s.len() }
//! ```

/// How each byte is written: `true` for bytes kept as they are.
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'~');
        b += 1;
    }
    table
};

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// The encoding of each byte: up to three bytes of text in the low bytes,
/// its length in the top byte (little-endian), so that encoding a byte is
/// one load and one three-byte store, without a branch.
const ENCODED: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut b = 0;
    while b < 256 {
        let text = if UNRESERVED[b] {
            [b as u8, 0, 0, 1]
        } else if b == b' ' as usize {
            [b'+', 0, 0, 1]
        } else {
            [b'%', HEX_UPPER[b >> 4], HEX_UPPER[b & 0x0f], 3]
        };
        table[b] = u32::from_le_bytes(text);
        b += 1;
    }
    table
};

/// Writes the form encoding of `value` into `out` starting at `at`, and
/// returns the position after it: the fast path for filling a buffer whose
/// exact size [`form_value_len`] gave beforehand, front to back.
///
/// Each byte is written as four bytes at once and the position moves by
/// the encoding's length, so **up to three bytes after the returned
/// position may be overwritten** (with bytes that mean nothing); the next
/// write replaces them. The encoding itself is never cut short.
///
/// ```
/// let mut out = vec![0u8; 3 + tcdn_sign::encode::form_value_len("a b/")];
/// let end = tcdn_sign::encode::write_form_value(&mut out, 3, "a b/");
/// assert_eq!(&out[3..end], b"a+b%2F");
/// ```
///
/// # Panics
/// When `out` has fewer than `form_value_len(value)` bytes from `at`.
pub fn write_form_value(out: &mut [u8], at: usize, value: &str) -> usize {
    let mut pos = at;
    let mut chunks = value.as_bytes().chunks_exact(CHUNK);
    for chunk in chunks.by_ref() {
        let mut window = [0u8; WINDOW + 4];
        let len = encode_chunk(chunk, &mut window);
        out[pos..pos + len].copy_from_slice(&window[..len]);
        pos += len;
    }
    for &b in chunks.remainder() {
        let entry = ENCODED[usize::from(b)];
        let len = (entry >> 24) as usize;
        match out.get_mut(pos..pos + 4) {
            // One four-byte store: the text, then a byte the next store
            // overwrites.
            Some(slot) => slot.copy_from_slice(&entry.to_le_bytes()),
            // The last bytes of `out`: exactly the encoding.
            None => out[pos..pos + len].copy_from_slice(&entry.to_le_bytes()[..len]),
        }
        pos += len;
    }
    pos
}

/// Appends the form encoding of `value` to the bytes `out`: the bytes
/// [`form_value_into`] appends to a `String`, made as
/// [`write_form_value`] makes them, for a buffer that grows (or was made
/// with room enough: three bytes for each byte of `value`, and
/// [`FORM_VALUE_SLACK`] more).
///
/// ```
/// let mut out = b"a=".to_vec();
/// tcdn_sign::encode::form_value_extend("x y/é", &mut out);
/// assert_eq!(out, b"a=x+y%2F%C3%A9");
/// ```
pub fn form_value_extend(value: &str, out: &mut Vec<u8>) {
    let mut chunks = value.as_bytes().chunks_exact(CHUNK);
    for chunk in chunks.by_ref() {
        let mut window = [0u8; WINDOW + 4];
        let len = encode_chunk(chunk, &mut window);
        // The whole window, then cut back: a copy of a constant size is a
        // few moves, where one of `len` bytes was a call to `memcpy`.
        let start = out.len();
        out.extend_from_slice(&window);
        out.truncate(start + len);
    }
    for &b in chunks.remainder() {
        let entry = ENCODED[usize::from(b)];
        out.extend_from_slice(&entry.to_le_bytes()[..(entry >> 24) as usize]);
    }
}

/// The room [`form_value_extend`] may use past the encoding (and gives
/// back) as it writes sixteen bytes of input at a time.
pub const FORM_VALUE_SLACK: usize = WINDOW + 4;

/// Encodes one chunk into `window`, whose offsets are masked so that no
/// store needs a bounds check; returns the encoding's length.
#[inline(always)]
fn encode_chunk(chunk: &[u8], window: &mut [u8; WINDOW + 4]) -> usize {
    let mut len = 0;
    for &b in chunk {
        let entry = ENCODED[usize::from(b)];
        let at = len & (WINDOW - 1);
        window[at..at + 4].copy_from_slice(&entry.to_le_bytes());
        len += (entry >> 24) as usize;
    }
    len
}

/// Input bytes encoded per window in [`write_form_value`].
const CHUNK: usize = 16;
/// A power of two that holds a whole chunk's encoding (at most 3 × 16).
const WINDOW: usize = 64;

/// Appends the form encoding of `value` to `out`.
pub fn form_value_into(value: &str, out: &mut String) {
    out.reserve(form_value_len(value));
    let bytes = value.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if UNRESERVED[usize::from(b)] {
            continue;
        }
        // A kept run starts and ends at ASCII bytes, so it is always on char
        // boundaries; an empty run may sit inside a multi-byte character.
        if start < i {
            out.push_str(&value[start..i]);
        }
        if b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
            out.push(char::from(HEX_UPPER[usize::from(b & 0x0f)]));
        }
        start = i + 1;
    }
    out.push_str(&value[start..]);
}

/// Returns the form encoding of `value` as a new string.
pub fn form_value(value: &str) -> String {
    let mut out = String::new();
    form_value_into(value, &mut out);
    out
}

/// The length in bytes of the form encoding of `value`, without encoding it.
///
/// Clients use it to keep a request under the wire's size limits before
/// building it.
pub fn form_value_len(value: &str) -> usize {
    // One table load a byte, summed in four independent lanes: the
    // comparisons this replaced were meant to vectorise, but the compiler
    // does so only across many 16-byte chunks, and a URL is a few.
    let mut lanes = [0usize; 4];
    let mut quads = value.as_bytes().chunks_exact(4);
    for quad in quads.by_ref() {
        for (lane, &b) in lanes.iter_mut().zip(quad) {
            *lane += usize::from(EXPANSION[usize::from(b)]);
        }
    }
    for &b in quads.remainder() {
        lanes[0] += usize::from(EXPANSION[usize::from(b)]);
    }
    value.len() + lanes.iter().sum::<usize>()
}

/// The bytes each byte's encoding adds to its own one: 2 for `%XX`, 0 for
/// a byte kept or a space (`+`).
const EXPANSION: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (ENCODED[b] >> 24) as u8 - 1;
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_python_quote_plus() {
        // Expected values produced by Python 3: urllib.parse.quote_plus(s, safe='').
        let cases = [
            ("", ""),
            ("abcXYZ019_.-~", "abcXYZ019_.-~"),
            ("a b", "a+b"),
            ("+/=", "%2B%2F%3D"),
            ("*'()!", "%2A%27%28%29%21"),
            ("%20", "%2520"),
            ("图片", "%E5%9B%BE%E7%89%87"),
            ("\n\t", "%0A%09"),
            (
                "https://www.example.com/a.jpg?x=1&y=2",
                "https%3A%2F%2Fwww.example.com%2Fa.jpg%3Fx%3D1%26y%3D2",
            ),
        ];
        for (raw, encoded) in cases {
            assert_eq!(form_value(raw), encoded, "encoding {raw:?}");
            assert_eq!(form_value_len(raw), encoded.len(), "length of {raw:?}");
        }
    }

    #[test]
    fn the_table_and_the_slice_writer_agree_with_the_string_writer() {
        for b in 0..=255u8 {
            let entry = ENCODED[usize::from(b)].to_le_bytes();
            let expected = if b.is_ascii() {
                form_value(core::str::from_utf8(&[b]).unwrap())
            } else {
                format!("%{b:02X}")
            };
            assert_eq!(&entry[..usize::from(entry[3])], expected.as_bytes(), "{b}");
        }
        for value in [
            "",
            "a",
            "a b",
            "图片 x?y=1&z",
            "%%",
            "~_.-",
            "https://a.example/x",
        ] {
            let len = form_value_len(value);
            // Exactly sized, and with room after: same text either way.
            for extra in [0, 1, 2, 5] {
                let mut out = vec![b'#'; 1 + len + extra];
                let end = write_form_value(&mut out, 1, value);
                assert_eq!(end, 1 + len);
                assert_eq!(&out[1..end], form_value(value).as_bytes(), "{value:?}");
                assert_eq!(out[0], b'#');
            }
            let mut grown = b"#".to_vec();
            form_value_extend(value, &mut grown);
            assert_eq!(&grown[1..], form_value(value).as_bytes(), "{value:?}");
        }
        // Every byte at every offset of a chunk, and long values.
        for b in (0u8..0x80).map(char::from).chain(['é', '猫']) {
            for pad in 0..40 {
                let value = format!("{}{b}{}", "x".repeat(pad), "/".repeat(pad % 7));
                let mut grown = Vec::new();
                form_value_extend(&value, &mut grown);
                assert_eq!(grown, form_value(&value).as_bytes(), "{value:?}");
                assert_eq!(grown.len(), form_value_len(&value), "{value:?}");
            }
        }
    }

    #[test]
    fn appends_without_clearing() {
        let mut out = String::from("k=");
        form_value_into("v w", &mut out);
        assert_eq!(out, "k=v+w");
    }
}
