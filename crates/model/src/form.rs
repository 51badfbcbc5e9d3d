//! `application/x-www-form-urlencoded`, both ways: [`append_form`] and
//! [`form_len`] write pairs with the signer's encoding (the legacy SDK's
//! `quote_plus` rules, which API 2.0 and API 3.0's v1 signature share), and
//! [`decode_form`] reads a body or query back for the emulator, refusing what
//! would not decode to the exact text a signature covers.

use tcdn_sign::encode::{form_value_into, form_value_len};

use crate::error::{ModelError, ModelErrorKind, quote};

/// Appends the form encoding (`k=v&k=v`, keys and values encoded with the
/// legacy SDK's `quote_plus` rules) of `pairs` to `out`. When `out` is not
/// empty, a joining `&` goes first, so the action parameters and the common
/// parameters can be appended one after the other.
///
/// ```
/// let mut form = String::new();
/// tcdn_model::append_form(&mut form, [("urls.0", "https://a.example/a b?x=1&y=2")]);
/// tcdn_model::append_form(&mut form, [("Nonce", "7")]);
/// assert_eq!(form, "urls.0=https%3A%2F%2Fa.example%2Fa+b%3Fx%3D1%26y%3D2&Nonce=7");
/// ```
pub fn append_form<I, K, V>(out: &mut String, pairs: I)
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    for (key, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        form_value_into(key.as_ref(), out);
        out.push('=');
        form_value_into(value.as_ref(), out);
    }
}

/// The exact length in bytes of what [`append_form`] writes for `pairs` into
/// an empty string (without a leading `&`).
pub fn form_len<I, K, V>(pairs: I) -> usize
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut total = 0;
    let mut count = 0usize;
    for (key, value) in pairs {
        total += form_value_len(key.as_ref()) + 1 + form_value_len(value.as_ref());
        count += 1;
    }
    total + count.saturating_sub(1)
}

/// Decodes an `application/x-www-form-urlencoded` body or a raw query string
/// (without the `?`) into name/value pairs, in order.
///
/// Both `+` and `%20` decode to a space. Pairs are split on `&`; empty pieces
/// (`a=1&&b=2`) are skipped, and a piece without `=` is a name with an empty
/// value. A `%` not followed by two hex digits is kept literally, as browsers
/// and PHP do. Decoded bytes that are not UTF-8 (invalid escapes like `%FF`,
/// or raw non-UTF-8 input) are an error of kind
/// [`FormEncoding`](ModelErrorKind::FormEncoding), never replaced: replacing
/// them would change a value the signature covers. Never panics.
///
/// ```
/// let pairs = tcdn_model::decode_form(b"a=x+y%20z&b&c=%E7%8C%AB%2B")?;
/// assert_eq!(pairs, [
///     ("a".to_owned(), "x y z".to_owned()),
///     ("b".to_owned(), String::new()),
///     ("c".to_owned(), "猫+".to_owned()),
/// ]);
/// assert!(tcdn_model::decode_form(b"a=%FF").is_err());
/// # Ok::<(), tcdn_model::ModelError>(())
/// ```
pub fn decode_form(input: &[u8]) -> Result<Vec<(String, String)>, ModelError> {
    input
        .split(|&b| b == b'&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = match piece.iter().position(|&b| b == b'=') {
                Some(eq) => (&piece[..eq], &piece[eq + 1..]),
                None => (piece, &piece[piece.len()..]),
            };
            Ok((decode_component(name)?, decode_component(value)?))
        })
        .collect()
}

fn decode_component(raw: &[u8]) -> Result<String, ModelError> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => bytes.push(b' '),
            b'%' => match (
                raw.get(i + 1).and_then(|&b| hex_value(b)),
                raw.get(i + 2).and_then(|&b| hex_value(b)),
            ) {
                (Some(high), Some(low)) => {
                    bytes.push(high << 4 | low);
                    i += 2;
                }
                _ => bytes.push(b'%'),
            },
            other => bytes.push(other),
        }
        i += 1;
    }
    String::from_utf8(bytes).map_err(|_| {
        ModelError::new(
            ModelErrorKind::FormEncoding,
            format!(
                "form component {} does not decode to UTF-8 text",
                quote(&String::from_utf8_lossy(raw))
            ),
        )
    })
}

const fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoder_edge_cases() {
        let decoded = decode_form(b"&&a=%&b=%4&c=%zz&d=%41%42&=v&e==x").unwrap();
        let expect = [
            ("a", "%"),
            ("b", "%4"),
            ("c", "%zz"),
            ("d", "AB"),
            ("", "v"),
            ("e", "=x"),
        ];
        let got: Vec<(&str, &str)> = decoded
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(got, expect);
        assert_eq!(decode_form(b"").unwrap(), []);
        let err = decode_form(b"k=\xff").unwrap_err();
        assert_eq!(err.kind(), ModelErrorKind::FormEncoding);
        assert_eq!(
            decode_form(b"%E7%8C=1").unwrap_err().kind(),
            ModelErrorKind::FormEncoding
        );
    }
}
