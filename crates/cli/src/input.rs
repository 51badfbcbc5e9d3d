//! Reading the URLs a user submits: arguments, then a file or stdin.
//!
//! Every line is accounted for: blank lines and `#` comments are skipped, a
//! URL seen before is dropped (the first one wins), and every invalid line is
//! reported with where it came from, so nothing a user submits is lost
//! silently. Validation happens here, before anything is signed or sent.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

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
    pub fn read_lines(&mut self, source: &str, reader: impl BufRead) -> std::io::Result<()> {
        self.read_lines_sized(source, reader, None)
    }

    /// Reads the file at `path` (named `source` in problems) like
    /// [`read_lines`](Self::read_lines), sizing the deduplicating index
    /// from the file's length.
    pub fn read_file(&mut self, source: &str, path: &Path) -> std::io::Result<()> {
        let file = File::open(path)?;
        let length = file
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len());
        let reader = BufReader::with_capacity(READ_BLOCK, file);
        self.read_lines_sized(source, reader, length)
    }

    /// The reading itself. Whole lines are taken straight from the reader's
    /// buffer and checked as UTF-8 a block at a time (a line is UTF-8 if its
    /// block is, as `\n` never occurs inside a character); only a block that
    /// fails is checked line by line, to name the bad lines. With `length`,
    /// the URLs still to come are estimated from the lines per byte of the
    /// first block, and room is made for them once.
    fn read_lines_sized(
        &mut self,
        source: &str,
        mut reader: impl BufRead,
        length: Option<u64>,
    ) -> std::io::Result<()> {
        let mut lines = Lines {
            source,
            number: 0,
            bytes: 0,
        };
        let mut reserved = length.is_none();
        // A line cut by the end of the reader's buffer, completed from the
        // next fill.
        let mut partial = Vec::new();
        loop {
            let available = reader.fill_buf()?;
            if available.is_empty() {
                if !partial.is_empty() {
                    lines.block(self, &partial);
                }
                return Ok(());
            }
            let taken = match available.iter().rposition(|&b| b == b'\n') {
                None => {
                    partial.extend_from_slice(available);
                    available.len()
                }
                Some(last) if partial.is_empty() => {
                    lines.block(self, &available[..last]);
                    last + 1
                }
                Some(last) => {
                    partial.extend_from_slice(&available[..last]);
                    lines.block(self, &partial);
                    partial.clear();
                    last + 1
                }
            };
            reader.consume(taken);
            if !reserved && lines.number > 0 {
                reserved = true;
                if let Some(length) = length {
                    let estimate = length as f64 * lines.number as f64 / lines.bytes as f64;
                    // A little over, so that a slightly longer tail still fits;
                    // never more than the shortest possible URL line allows.
                    let estimate = (estimate * 1.02) as u64 + 16;
                    let most = length / MIN_LINE;
                    let remaining = estimate.min(most).saturating_sub(lines.number as u64);
                    self.collected
                        .urls
                        .reserve(usize::try_from(remaining).unwrap_or(0));
                }
            }
        }
    }

    /// The result.
    pub fn finish(self) -> Collected {
        self.collected
    }
}

/// The reader's buffer for a file: large enough that per-block costs vanish,
/// small enough to stay in cache.
const READ_BLOCK: usize = 64 * 1024;

/// The shortest line a valid URL can take (`http://a.b` and its newline),
/// which bounds the estimate of how many a file holds.
const MIN_LINE: u64 = 11;

/// The lines read so far: their count and bytes (newlines included).
struct Lines<'a> {
    source: &'a str,
    number: usize,
    bytes: usize,
}

impl Lines<'_> {
    /// Whole lines without the last one's newline.
    fn block(&mut self, collector: &mut Collector, block: &[u8]) {
        self.bytes += block.len() + 1;
        match std::str::from_utf8(block) {
            Ok(text) => {
                for line in text.split('\n') {
                    self.number += 1;
                    self.line(collector, line);
                }
            }
            Err(_) => {
                for line in block.split(|&b| b == b'\n') {
                    self.number += 1;
                    match std::str::from_utf8(line) {
                        Ok(line) => self.line(collector, line),
                        Err(_) => collector.collected.problems.push(Problem {
                            origin: self.origin(),
                            reason: "the line is not valid UTF-8".to_owned(),
                        }),
                    }
                }
            }
        }
    }

    fn line(&self, collector: &mut Collector, line: &str) {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return;
        }
        collector.push(trimmed, || self.origin());
    }

    fn origin(&self) -> Origin {
        Origin::Line {
            source: self.source.to_owned(),
            line: self.number,
        }
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

    /// Line by line, as the reading was before it went block by block.
    fn reference(text: &[u8]) -> (Vec<String>, Vec<String>) {
        let mut collector = Collector::default();
        for (index, line) in text.split_inclusive(|&b| b == b'\n').enumerate() {
            let origin = || Origin::Line {
                source: "f".to_owned(),
                line: index + 1,
            };
            match std::str::from_utf8(line) {
                Ok(line) => {
                    let trimmed = line.trim();
                    if !(trimmed.is_empty() || trimmed.starts_with('#')) {
                        collector.push(trimmed, origin);
                    }
                }
                Err(_) => collector.collected.problems.push(Problem {
                    origin: origin(),
                    reason: "the line is not valid UTF-8".to_owned(),
                }),
            }
        }
        summary(collector.finish())
    }

    fn summary(got: Collected) -> (Vec<String>, Vec<String>) {
        let urls = got.urls.as_slice().iter().map(|u| u.as_str().to_owned());
        let problems = got.problems.iter().map(ToString::to_string);
        (urls.collect(), problems.collect())
    }

    #[test]
    fn blocks_cut_anywhere_read_like_single_lines() {
        let text: &[u8] = b"# c\nhttps://a.example/1\r\n\nhttps://a.example/\xe7\x8c\xab\nbad\n\
            https://a.example/\xff\n  https://a.example/1 \nhttps://a.example/2";
        let expected = reference(text);
        assert_eq!(expected.0.len(), 3, "{expected:?}");
        assert_eq!(expected.1.len(), 2, "{expected:?}");
        for capacity in [1, 2, 3, 5, 8, 13, 64, 4096] {
            for ending in [&b""[..], b"\n"] {
                let whole = [text, ending].concat();
                let mut collector = Collector::default();
                let reader = BufReader::with_capacity(capacity, &whole[..]);
                collector
                    .read_lines_sized("f", reader, Some(whole.len() as u64))
                    .unwrap();
                assert_eq!(summary(collector.finish()), expected, "capacity {capacity}");
            }
        }
    }

    #[test]
    fn a_file_is_read_whole() {
        let dir = std::env::temp_dir().join(format!("tcdn-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("urls.txt");
        let text: String = (0..5000)
            .map(|i| format!("https://a.example/{}\n", i % 4000))
            .collect();
        std::fs::write(&path, &text).unwrap();
        let mut collector = Collector::default();
        collector.read_file("urls.txt", &path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let got = collector.finish();
        assert_eq!((got.urls.len(), got.urls.duplicates()), (4000, 1000));
        assert_eq!(got.urls.as_slice()[3999].as_str(), "https://a.example/3999");
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
