//! Words both APIs' answers share in their errors: a bounded, one-line
//! snippet of a body, and the name of a JSON value's type.

use serde_json::Value;

/// At most this many characters of a body are kept in an error.
pub const SNIPPET_MAX_CHARS: usize = 200;

/// The start of `body` kept in errors: at most [`SNIPPET_MAX_CHARS`]
/// characters, cut on a character boundary, with `…` appended when cut,
/// invalid UTF-8 replaced by `U+FFFD` and control characters (newlines too)
/// turned into spaces so that it fits on one log line.
pub(crate) fn body_snippet(body: &[u8]) -> String {
    // 200 characters take at most 800 bytes of UTF-8 (and each invalid byte
    // becomes one character), so this prefix is always long enough.
    let head = String::from_utf8_lossy(&body[..body.len().min(SNIPPET_MAX_CHARS * 4 + 4)]);
    let mut out: String = head
        .chars()
        .take(SNIPPET_MAX_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if head.chars().nth(SNIPPET_MAX_CHARS).is_some() || body.len() > SNIPPET_MAX_CHARS * 4 + 4 {
        out.push('…');
    }
    out
}

/// What kind of JSON value `value` is, for messages ("a string", "an array"…);
/// the v2 envelope and the API 3.0 parsers word type errors alike.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_is_bounded_and_on_char_boundaries() {
        let body = "图".repeat(1000);
        let s = body_snippet(body.as_bytes());
        assert_eq!(s.chars().count(), SNIPPET_MAX_CHARS + 1);
        assert!(s.ends_with('…'));
        assert_eq!(body_snippet(b"a\nb"), "a b");
        assert_eq!(body_snippet(b"\xff\xfe"), "\u{fffd}\u{fffd}");
        let exact = "x".repeat(SNIPPET_MAX_CHARS);
        assert_eq!(body_snippet(exact.as_bytes()), exact);
    }
}
