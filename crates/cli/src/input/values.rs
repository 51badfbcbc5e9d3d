//! Inputs that are not URLs (EdgeOne's hostnames and cache tags), one a
//! line from a file or stdin, read as URL files are: blank lines, `#`
//! comments and a leading UTF-8 byte order mark skipped, each value
//! trimmed and numbered by its line, a line that is too long or not UTF-8
//! reported by its number, and a runaway line an error.

use std::io::BufRead;

use super::lines::{BOM, Piece, Pieces};
use super::{MAX_LINE, Origin, Problem};

/// Values, each with where it came from.
pub type Values = Vec<(Origin, String)>;

/// The values of `reader`'s lines, each with its line (named after
/// `source`), and the lines that could not be read as text.
///
/// # Errors
/// A read error, or a line running on past
/// [`RUNAWAY_LINE`](super::RUNAWAY_LINE) (an
/// [`InvalidData`](std::io::ErrorKind) error naming the line).
pub fn read_values(source: &str, reader: impl BufRead) -> std::io::Result<(Values, Vec<Problem>)> {
    let mut values = Vec::new();
    let mut problems = Vec::new();
    let mut number = 0;
    let origin = |line| Origin::Line {
        source: source.to_owned(),
        line,
    };
    for piece in Pieces::new(reader) {
        match piece? {
            Piece::Lines { bytes, opening } => {
                let block = match opening {
                    true => bytes.strip_prefix(BOM).unwrap_or(&bytes),
                    false => &bytes,
                };
                for line in block.split(|&b| b == b'\n') {
                    number += 1;
                    if line.len() > MAX_LINE {
                        problems.push(too_long(origin(number), line.len()));
                        continue;
                    }
                    let Ok(text) = std::str::from_utf8(line) else {
                        problems.push(Problem {
                            origin: origin(number),
                            reason: "the line is not valid UTF-8".to_owned(),
                            value: None,
                        });
                        continue;
                    };
                    let text = text.trim();
                    if !text.is_empty() && !text.starts_with('#') {
                        values.push((origin(number), text.to_owned()));
                    }
                }
            }
            Piece::Overlong(length) => {
                number += 1;
                problems.push(too_long(origin(number), length));
            }
            Piece::Runaway => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("line {} runs on without end", number + 1),
                ));
            }
        }
    }
    Ok((values, problems))
}

/// A line of `length` bytes, too long to be read.
fn too_long(origin: Origin, length: usize) -> Problem {
    Problem {
        origin,
        reason: format!("the line is {length} bytes long; a line is at most {MAX_LINE}"),
        value: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_trimmed_and_numbered_past_blanks_comments_and_a_bom() {
        let text = "\u{feff}a.example.com\n\n# a comment\n  b.example.com \r\nc\u{0}\n";
        let (values, problems) = read_values("hosts", text.as_bytes()).unwrap();
        let got: Vec<(String, &str)> = values
            .iter()
            .map(|(origin, value)| (origin.to_string(), value.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("hosts:1".to_owned(), "a.example.com"),
                ("hosts:4".to_owned(), "b.example.com"),
                ("hosts:5".to_owned(), "c\u{0}"),
            ]
        );
        assert!(problems.is_empty());
    }

    #[test]
    fn a_line_not_utf8_or_too_long_is_a_problem_by_its_number() {
        let mut text = b"a\n\xff\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_LINE + 1));
        text.extend(b"\nb\n");
        let (values, problems) = read_values("-", text.as_slice()).unwrap();
        let lines: Vec<String> = problems.iter().map(|p| p.origin.to_string()).collect();
        assert_eq!(lines, ["-:2", "-:3"]);
        assert_eq!(values.len(), 2);
        assert_eq!(values[1].0.to_string(), "-:4");
    }
}
