//! The canonical request, streamed: header checks and ordering without a
//! heap, and one writer for hashers (no text built) and for `String`s (the
//! text, for the public stages and for tests).

use core::cmp::Ordering;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::{Error, MAX_SIGNED_HEADERS};
use crate::Param;

/// Where canonical text goes: a hasher or a `String`.
///
/// Bytes rather than `str`, so that the hot path never re-checks UTF-8;
/// every caller passes whole `str`s (or ASCII), so the `String` sink
/// always receives valid text.
pub(crate) trait Sink {
    /// Appends `text` as it is.
    fn put(&mut self, text: &[u8]);
    /// Appends `text` with ASCII letters in lower case.
    fn put_lower(&mut self, text: &[u8]);
}

/// Lower-cases `bytes` through a stack block, handing each block to `update`.
fn lowered(bytes: &[u8], mut update: impl FnMut(&[u8])) {
    let mut block = [0u8; 64];
    for chunk in bytes.chunks(block.len()) {
        for (to, from) in block.iter_mut().zip(chunk) {
            *to = from.to_ascii_lowercase();
        }
        update(&block[..chunk.len()]);
    }
}

impl Sink for Sha256 {
    fn put(&mut self, text: &[u8]) {
        Digest::update(self, text);
    }

    fn put_lower(&mut self, text: &[u8]) {
        lowered(text, |block| Digest::update(self, block));
    }
}

impl Sink for Hmac<Sha256> {
    fn put(&mut self, text: &[u8]) {
        Mac::update(self, text);
    }

    fn put_lower(&mut self, text: &[u8]) {
        lowered(text, |block| Mac::update(self, block));
    }
}

impl Sink for String {
    fn put(&mut self, text: &[u8]) {
        self.push_str(core::str::from_utf8(text).expect("whole str or ASCII"));
    }

    fn put_lower(&mut self, text: &[u8]) {
        let text = core::str::from_utf8(text).expect("whole str or ASCII");
        self.extend(text.chars().map(|c| c.to_ascii_lowercase()));
    }
}

/// HTTP's optional whitespace around names and values: spaces and tabs.
pub(crate) fn trim(text: &str) -> &str {
    let bytes = text.as_bytes();
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let start = bytes.iter().position(|b| !blank(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |i| i + 1);
    // Spaces and tabs are ASCII, so both ends are character boundaries.
    &text[start..end]
}

/// An RFC 9110 token character, the bytes a header name is made of.
pub(crate) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn valid_value(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f))
}

/// Byte order of the lower-case forms.
pub(crate) fn cmp_lower(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// The signed headers in canonical order: indices into the caller's slice.
pub(crate) struct Order {
    index: [u8; MAX_SIGNED_HEADERS],
    len: usize,
}

impl Order {
    /// Checks every header and sorts them by lower-case name (insertion
    /// sort: a request signs a handful).
    pub(crate) fn of<H: Param>(headers: &[H]) -> Result<Self, Error> {
        if headers.len() > MAX_SIGNED_HEADERS {
            return Err(Error::too_many_headers(headers.len()));
        }
        let mut order = Self {
            index: [0; MAX_SIGNED_HEADERS],
            len: 0,
        };
        for (i, header) in headers.iter().enumerate() {
            let name = trim(header.name());
            if name.is_empty() || !name.bytes().all(is_tchar) {
                return Err(Error::invalid_header_name(i));
            }
            if !valid_value(trim(header.value())) {
                return Err(Error::invalid_header_value(name));
            }
            let mut at = order.len;
            while at > 0 {
                let before = trim(headers[usize::from(order.index[at - 1])].name());
                match cmp_lower(before, name) {
                    Ordering::Less => break,
                    Ordering::Equal => return Err(Error::duplicate_header(before, name)),
                    Ordering::Greater => {
                        order.index[at] = order.index[at - 1];
                        at -= 1;
                    }
                }
            }
            order.index[at] = i as u8;
            order.len += 1;
        }
        for required in ["content-type", "host"] {
            if !order
                .pairs(headers)
                .any(|(name, _)| name.eq_ignore_ascii_case(required))
            {
                return Err(Error::missing_required(required));
            }
        }
        Ok(order)
    }

    /// `(name, value)`, both trimmed, in canonical order.
    pub(crate) fn pairs<'h, H: Param>(
        &'h self,
        headers: &'h [H],
    ) -> impl Iterator<Item = (&'h str, &'h str)> + Clone + 'h {
        self.index[..self.len].iter().map(move |&i| {
            let header = &headers[usize::from(i)];
            (trim(header.name()), trim(header.value()))
        })
    }
}

/// `name:value\n` per header, lower-cased.
pub(crate) fn write_headers<'a, S: Sink>(
    sink: &mut S,
    headers: impl Iterator<Item = (&'a str, &'a str)>,
) {
    for (name, value) in headers {
        sink.put_lower(name.as_bytes());
        sink.put(b":");
        sink.put_lower(value.as_bytes());
        sink.put(b"\n");
    }
}

/// The lower-case names joined with `;`.
pub(crate) fn write_signed<'a, S: Sink>(
    sink: &mut S,
    headers: impl Iterator<Item = (&'a str, &'a str)>,
) {
    for (i, (name, _)) in headers.enumerate() {
        if i > 0 {
            sink.put(b";");
        }
        sink.put_lower(name.as_bytes());
    }
}

/// `METHOD\n/\nQUERY\nHEADERS\nSIGNED\nPAYLOAD_HASH`.
pub(crate) fn write_request<'a, S: Sink>(
    sink: &mut S,
    method: &str,
    query: &str,
    headers: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    payload_hash: &[u8],
) {
    sink.put(method.as_bytes());
    sink.put(b"\n/\n");
    sink.put(query.as_bytes());
    sink.put(b"\n");
    write_headers(sink, headers.clone());
    sink.put(b"\n");
    write_signed(sink, headers);
    sink.put(b"\n");
    sink.put(payload_hash);
}
