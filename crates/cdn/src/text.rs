//! Text from a server, made fit for a terminal and a log line before any of
//! it is shown: [`printable`] escapes what could drive a terminal,
//! [`shown_id`] shortens an id for a one-line message, and [`snippet`] cuts
//! a body to a short printable start.

/// Text from a server (a TaskId, a RequestId, a task's URL or status, an
/// error message, a quota's area, a credential service's answer), fit to
/// print on a terminal or in a text log: control characters (escape
/// sequences that could clear a terminal or forge report lines, line
/// breaks), line and paragraph separators, bidirectional marks and
/// overrides, and invisible zero-width characters are escaped as `\u{…}`.
/// Borrowed (no copy) when there is nothing to escape. JSON output needs
/// none of this: it carries the value as received, escaped as JSON.
///
/// ```
/// assert_eq!(tcdn::printable("task-1"), "task-1");
/// assert_eq!(tcdn::printable("t\x1b[2J\nok"), "t\\u{1b}[2J\\u{a}ok");
/// assert_eq!(tcdn::printable("a\u{200b}b"), "a\\u{200b}b");
/// ```
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(
                c,
                '\u{200b}'..='\u{200f}'
                    | '\u{2028}'..='\u{202e}'
                    | '\u{2060}'..='\u{2069}'
                    | '\u{feff}'
            )
    };
    if !text.contains(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// At most 200 characters of a body, for messages (made
/// [`printable`]).
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let head: String = text.chars().take(200).collect();
    let mut out = printable(&head).into_owned();
    if text.chars().count() > 200 {
        out.push('…');
    }
    if out.is_empty() {
        out.push_str("(empty body)");
    }
    out
}

/// A task id (or any short server text) fit for a one-line message: at
/// most 40 characters, then its length; control, format and quote
/// characters escaped as Rust escapes them.
///
/// ```
/// assert_eq!(tcdn::shown_id("1533045796-i60rfmzm"), "1533045796-i60rfmzm");
/// assert_eq!(tcdn::shown_id("a\u{200b}b"), "a\\u{200b}b");
/// assert!(tcdn::shown_id(&"x".repeat(500)).ends_with("… (500 bytes)"));
/// ```
pub fn shown_id(task_id: &str) -> String {
    const MOST: usize = 40;
    let mut text: String = task_id
        .chars()
        .take(MOST)
        .flat_map(char::escape_debug)
        .collect();
    if task_id.chars().count() > MOST {
        text.push_str(&format!("… ({} bytes)", task_id.len()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_cannot_drive_the_terminal() {
        assert_eq!(printable("plain 文字"), "plain 文字");
        assert_eq!(
            printable("a\x1b[2Jb\nFAILED 0 URLs\r\u{202e}x"),
            "a\\u{1b}[2Jb\\u{a}FAILED 0 URLs\\u{d}\\u{202e}x"
        );
        assert_eq!(snippet(b"\x1b]0;title\x07"), "\\u{1b}]0;title\\u{7}");
    }

    #[test]
    fn task_ids_are_shown_short_and_escaped() {
        assert_eq!(shown_id("a\u{200b}b"), "a\\u{200b}b");
        let long = "x".repeat(500);
        assert!(shown_id(&long).ends_with("… (500 bytes)"));
    }
}
