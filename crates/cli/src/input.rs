//! Reading the URLs a user submits: arguments, then a file or stdin.
//!
//! Every line is accounted for: blank lines and `#` comments are skipped, a
//! URL seen before is dropped (the first one wins), and every invalid line is
//! reported with where it came from, so nothing a user submits is lost
//! silently. Validation happens here, before anything is signed or sent.

use std::fmt;
use std::io::BufRead;

use tcdn::CdnUrl;
use tcdn::plan::DistinctUrls;

/// Where a submitted value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The n-th URL argument (1-based).
    Argument(usize),
    /// A line of a file (`-` for stdin), 1-based.
    Line {
        /// The file name as given, or `stdin`.
        source: String,
        /// The line number.
        line: usize,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Argument(n) => write!(f, "argument {n}"),
            Self::Line { source, line } => write!(f, "{source}:{line}"),
        }
    }
}

/// One invalid value: where it was, and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where the value came from.
    pub origin: Origin,
    /// The reason, naming the value and the rule.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.reason)
    }
}

/// What reading the input gave.
#[derive(Debug, Default)]
pub struct Collected {
    /// Valid, distinct URLs in input order, with the count of repeats
    /// dropped.
    pub urls: DistinctUrls,
    /// Every invalid value, in input order.
    pub problems: Vec<Problem>,
}

/// Accumulates URLs, dropping repeats without keeping a second copy of each
/// (see [`DistinctUrls`]).
#[derive(Debug, Default)]
pub struct Collector {
    collected: Collected,
}

impl Collector {
    /// Adds one raw value from `origin`.
    pub fn push(&mut self, raw: &str, origin: impl FnOnce() -> Origin) {
        let url = match CdnUrl::parse(raw) {
            Ok(url) => url,
            Err(error) => {
                self.collected.problems.push(Problem {
                    origin: origin(),
                    reason: error.to_string(),
                });
                return;
            }
        };
        self.collected.urls.insert(url);
    }

    /// Reads one URL per line from `reader`, naming lines after `source`.
    ///
    /// A line that is not UTF-8 is reported like any other invalid line; only
    /// a read error stops the reading.
    pub fn read_lines(&mut self, source: &str, mut reader: impl BufRead) -> std::io::Result<()> {
        let mut buffer = Vec::new();
        let mut number = 0;
        loop {
            buffer.clear();
            if reader.read_until(b'\n', &mut buffer)? == 0 {
                return Ok(());
            }
            number += 1;
            let origin = || Origin::Line {
                source: source.to_owned(),
                line: number,
            };
            let Ok(line) = std::str::from_utf8(&buffer) else {
                self.collected.problems.push(Problem {
                    origin: origin(),
                    reason: "the line is not valid UTF-8".to_owned(),
                });
                continue;
            };
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            self.push(trimmed, origin);
        }
    }

    /// The result.
    pub fn finish(self) -> Collected {
        self.collected
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Collected {
        let mut collector = Collector::default();
        collector.read_lines("urls.txt", text.as_bytes()).unwrap();
        collector.finish()
    }

    #[test]
    fn skips_blanks_and_comments_and_trims() {
        let got = read(
            "# deploy 42\n\n  https://a.example/x  \r\nhttps://a.example/y\n   # indented comment\n",
        );
        let urls: Vec<&str> = got.urls.as_slice().iter().map(CdnUrl::as_str).collect();
        assert_eq!(urls, ["https://a.example/x", "https://a.example/y"]);
        assert!(got.problems.is_empty());
    }

    #[test]
    fn drops_repeats_first_wins() {
        let got = read("https://a.example/x\nhttps://a.example/y\nhttps://a.example/x\n");
        assert_eq!(got.urls.len(), 2);
        assert_eq!(got.urls.duplicates(), 1);
        assert_eq!(got.urls.as_slice()[0].as_str(), "https://a.example/x");
    }

    #[test]
    fn reports_every_bad_line_with_its_number() {
        let got = read("https://a.example/x\nftp://a.example/y\nhttps://a.example/z\nnot a url\n");
        assert_eq!(got.urls.len(), 2);
        let lines: Vec<String> = got.problems.iter().map(|p| p.origin.to_string()).collect();
        assert_eq!(lines, ["urls.txt:2", "urls.txt:4"]);
        assert!(
            got.problems[0].reason.contains("ftp://a.example/y"),
            "{}",
            got.problems[0].reason
        );
    }

    #[test]
    fn invalid_utf8_is_a_problem_not_a_stop() {
        let mut collector = Collector::default();
        collector
            .read_lines("-", &b"https://a.example/\xff\nhttps://a.example/ok\n"[..])
            .unwrap();
        let got = collector.finish();
        assert_eq!(got.urls.len(), 1);
        assert_eq!(got.problems[0].origin.to_string(), "-:1");
    }

    #[test]
    fn arguments_are_numbered() {
        let mut collector = Collector::default();
        collector.push("https://a.example/x", || Origin::Argument(1));
        collector.push("nope", || Origin::Argument(2));
        let got = collector.finish();
        assert_eq!(
            got.problems[0].to_string().split(':').next(),
            Some("argument 2")
        );
    }
}
