//! Reading the URLs a user submits: arguments, then a file or stdin.
//!
//! Every line is accounted for: blank lines and `#` comments are skipped, a
//! URL seen before is dropped (the first one wins), and every invalid line is
//! counted and the first [`PROBLEMS_KEPT`] reported with where they came
//! from, so nothing a user submits is lost silently. Validation happens
//! here, before anything is signed or sent.
//!
//! The reading is bounded: a line longer than [`MAX_LINE`] is reported
//! without being held, and one that runs on past [`RUNAWAY_LINE`] (a device
//! like `/dev/zero`, a binary file) stops the reading with an error. A UTF-8
//! byte order mark at the start of the input is skipped, as editors on
//! Windows write one.

mod join;
mod lines;
mod values;

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use tcdn::model::MAX_URL_LEN;
use tcdn::plan::{DistinctUrls, Inserter};

pub use join::PathJoin;
use lines::{Lines, PARALLEL_INPUT_BYTES, Piece, Pieces, READ_BLOCK, Reading, Step, check};
pub use values::read_values;

/// The most invalid values kept (and so shown) with their reasons; the rest
/// are only counted.
pub const PROBLEMS_KEPT: usize = 20;

/// The longest line read as a URL: one of [`MAX_URL_LEN`] bytes with as much
/// whitespace around it. A longer line is reported without being held.
pub const MAX_LINE: usize = 2 * MAX_URL_LEN;

/// A line running on this long without a line break is no URL list: the
/// reading stops there with an error.
pub const RUNAWAY_LINE: usize = 1 << 20;

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
    /// The value refused, when it could be read as text (not an overlong
    /// or non-UTF-8 line).
    pub value: Option<String>,
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
    /// The first [`PROBLEMS_KEPT`] invalid values, in input order.
    pub problems: Vec<Problem>,
    /// How many invalid values there were in all, kept or not.
    pub invalid: usize,
}

impl Collected {
    /// The invalid values counted but not kept in
    /// [`problems`](Self::problems).
    pub fn not_kept(&self) -> usize {
        self.invalid.saturating_sub(self.problems.len())
    }
}

/// Accumulates URLs, dropping repeats without keeping a second copy of each
/// (see [`DistinctUrls`]). Valid text goes straight into the URL list, with
/// no allocation per URL.
#[derive(Debug, Default)]
pub struct Collector {
    collected: Collected,
    /// How paths become URLs (`--base-url`); without it, every value must
    /// be a URL.
    join: Option<PathJoin>,
}

impl Collector {
    /// A collector that joins paths with `join`.
    pub fn with_join(join: Option<PathJoin>) -> Self {
        Self {
            collected: Collected::default(),
            join,
        }
    }

    /// Adds one raw value from `origin`.
    pub fn push(&mut self, raw: &str, origin: impl FnOnce() -> Origin) {
        let joined = match &self.join {
            Some(join) => join.apply(raw),
            None => Ok(std::borrow::Cow::Borrowed(raw)),
        };
        let mut sink = self.sink();
        match joined {
            Ok(url) => sink.push(&url, raw, origin),
            Err(reason) => sink.problem(origin, Some(raw), || reason),
        }
    }

    /// Where values go until the sink is dropped: a block of lines at a
    /// time, so that the index is looked up a few URLs ahead.
    fn sink(&mut self) -> Sink<'_> {
        let Collected {
            urls,
            problems,
            invalid,
        } = &mut self.collected;
        Sink {
            urls: urls.inserter(),
            problems,
            invalid,
        }
    }

    /// Reads one URL per line from `reader`, naming lines after `source`.
    ///
    /// A line that is not UTF-8, or longer than [`MAX_LINE`], is reported
    /// like any other invalid line; only a read error or a line running on
    /// past [`RUNAWAY_LINE`] (an [`InvalidData`](std::io::ErrorKind) error
    /// naming the line) stops the reading.
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

    /// The reading itself, in three parts: [`Pieces`] cuts the input into
    /// blocks of whole lines on this thread, [`check`] validates a block's
    /// lines on any thread, and [`Reading::apply`] takes the checked blocks
    /// back here in input order, numbers their problems and deduplicates
    /// their URLs. A large input is checked on several threads
    /// ([`crate::ordered`]) while this one reads and deduplicates; the
    /// result is the same at any thread count. With `length`, the URLs
    /// still to come are estimated from the lines per byte of the first
    /// block, and room is made for them once.
    fn read_lines_sized(
        &mut self,
        source: &str,
        reader: impl BufRead,
        length: Option<u64>,
    ) -> std::io::Result<()> {
        let large = length.is_none_or(|length| length >= PARALLEL_INPUT_BYTES);
        let threads = crate::ordered::threads_for(usize::from(large), 1);
        self.read_on(source, reader, length, threads)
    }

    /// [`read_lines_sized`](Self::read_lines_sized) checking on `threads`
    /// threads.
    fn read_on(
        &mut self,
        source: &str,
        reader: impl BufRead,
        length: Option<u64>,
        threads: std::num::NonZeroUsize,
    ) -> std::io::Result<()> {
        let join = self.join.clone();
        let join = join.as_ref();
        let mut reading = Reading {
            collector: self,
            lines: Lines {
                source,
                number: 0,
                bytes: 0,
            },
            length,
            reserved: length.is_none(),
        };
        crate::ordered::map_in_order(
            Pieces::new(reader),
            threads,
            |piece| {
                piece.map(|piece| match piece {
                    Piece::Lines { bytes, opening } => Step::Checked(check(&bytes, opening, join)),
                    Piece::Overlong(length) => Step::Overlong(length),
                    Piece::Runaway => Step::Runaway,
                })
            },
            |step| reading.apply(step?),
        )
    }

    /// The result.
    pub fn finish(self) -> Collected {
        self.collected
    }
}

/// Where the values of a [`Collector`] go: valid ones into its URLs, which
/// drop the repeats a few at a time (all of them by the time the sink is
/// dropped), invalid ones into its problems.
struct Sink<'c> {
    urls: Inserter<'c>,
    problems: &'c mut Vec<Problem>,
    invalid: &'c mut usize,
}

impl Sink<'_> {
    /// Adds `url`, the value `raw` joined, from `origin`.
    fn push(&mut self, url: &str, raw: &str, origin: impl FnOnce() -> Origin) {
        if let Err(error) = self.urls.insert_str(url) {
            self.problem(origin, Some(raw), || error.to_string());
        }
    }

    /// Counts an invalid value, and keeps it while fewer than
    /// [`PROBLEMS_KEPT`] are.
    fn problem(
        &mut self,
        origin: impl FnOnce() -> Origin,
        value: Option<&str>,
        reason: impl FnOnce() -> String,
    ) {
        *self.invalid += 1;
        if self.problems.len() < PROBLEMS_KEPT {
            self.problems.push(Problem {
                origin: origin(),
                reason: reason(),
                value: value.map(str::to_owned),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tcdn::CdnUrl;

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
                    value: None,
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

    /// Reads `text` through a reader buffer of each of several sizes.
    fn read_cut(text: &[u8], each: impl Fn(usize, Collected)) {
        for capacity in [1, 2, 3, 7, 64, 4096, 65536] {
            let mut collector = Collector::default();
            let reader = BufReader::with_capacity(capacity, text);
            collector.read_lines_sized("f", reader, None).unwrap();
            each(capacity, collector.finish());
        }
    }

    #[test]
    fn a_leading_byte_order_mark_is_skipped_and_only_there() {
        let text = "\u{feff}https://a.example/1\n\u{feff}https://a.example/2\n";
        read_cut(text.as_bytes(), |capacity, got| {
            let (urls, problems) = summary(got);
            assert_eq!(urls, ["https://a.example/1"], "capacity {capacity}");
            assert_eq!(problems.len(), 1, "capacity {capacity}");
            assert!(problems[0].starts_with("f:2: "), "{problems:?}");
            assert!(problems[0].contains("U+FEFF"), "{problems:?}");
        });
        let got = read("\u{feff}\nhttps://a.example/1\n");
        assert_eq!((got.urls.len(), got.invalid), (1, 0));
    }

    #[test]
    fn a_line_too_long_is_reported_by_number_and_the_reading_goes_on() {
        let long = "x".repeat(3 * MAX_LINE);
        let at_limit = format!("  https://a.example/{}  ", "y".repeat(MAX_URL_LEN - 18));
        assert!(at_limit.len() <= MAX_LINE);
        let text = format!("https://a.example/1\n{long}\n{at_limit}\n{long}\nhttps://a.example/2");
        read_cut(text.as_bytes(), |capacity, got| {
            let (urls, problems) = summary(got);
            assert_eq!(urls.len(), 3, "capacity {capacity}");
            let expected = format!(
                "the line is {} bytes long; a URL is at most {MAX_URL_LEN} bytes, and a line at \
                 most {MAX_LINE}",
                long.len()
            );
            assert_eq!(
                problems,
                [format!("f:2: {expected}"), format!("f:4: {expected}")],
                "capacity {capacity}"
            );
        });
    }

    #[test]
    fn a_line_without_end_stops_the_reading_with_an_error() {
        let mut collector = Collector::default();
        let reader = BufReader::with_capacity(READ_BLOCK, std::io::repeat(0));
        let error = collector.read_lines("zeros", reader).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
        assert!(error.to_string().starts_with("line 1 runs on"), "{error}");
        let mut collector = Collector::default();
        let text = [&b"https://a.example/1\n"[..], &[b'x'; RUNAWAY_LINE + 1]].concat();
        let error = collector
            .read_lines("f", BufReader::with_capacity(READ_BLOCK, &text[..]))
            .unwrap_err();
        assert!(error.to_string().starts_with("line 2 runs on"), "{error}");
    }

    #[test]
    fn only_the_first_problems_are_kept_but_all_are_counted() {
        let text: String = (0..PROBLEMS_KEPT + 5)
            .map(|i| format!("ftp://a.example/{i}\nhttps://a.example/{i}\n"))
            .collect();
        let got = read(&text);
        assert_eq!(got.urls.len(), PROBLEMS_KEPT + 5);
        assert_eq!(got.problems.len(), PROBLEMS_KEPT);
        assert_eq!((got.invalid, got.not_kept()), (PROBLEMS_KEPT + 5, 5));
        let last = &got.problems[PROBLEMS_KEPT - 1];
        assert_eq!(
            last.origin.to_string(),
            format!("urls.txt:{}", 2 * PROBLEMS_KEPT - 1)
        );
    }

    #[test]
    fn any_thread_count_reads_the_same() {
        // Many blocks, with more problems than are kept (and more than
        // one block keeps), repeats across blocks, a byte order mark, a
        // line too long, a line not UTF-8 and a last line without newline.
        let mut text = "\u{feff}https://a.example/first\n".as_bytes().to_vec();
        for i in 0..6000 {
            let line = match i % 97 {
                0 => format!("bad {i}"),
                1 => format!("https://a.example/{}", i / 3),
                2 => "x".repeat(MAX_LINE + 1),
                3 => "  # comment".to_owned(),
                _ => format!("https://a.example/{i}"),
            };
            text.extend_from_slice(line.as_bytes());
            text.extend_from_slice(if i % 2 == 0 { b"\n" } else { b"\r\n" });
        }
        text.extend_from_slice(b"https://a.example/\xff\nhttps://a.example/last");
        let read = |threads: usize, capacity: usize| {
            let mut collector = Collector::default();
            let threads = std::num::NonZeroUsize::new(threads).unwrap();
            let reader = BufReader::with_capacity(capacity, &text[..]);
            collector.read_on("f", reader, None, threads).unwrap();
            let got = collector.finish();
            let (invalid, duplicates) = (got.invalid, got.urls.duplicates());
            (summary(got), invalid, duplicates)
        };
        let expected = read(1, READ_BLOCK);
        assert_eq!(expected.0.1.len(), PROBLEMS_KEPT);
        assert!(expected.1 > 2 * PROBLEMS_KEPT, "{}", expected.1);
        assert!(expected.2 > 0);
        assert_eq!(expected.0.0[0], "https://a.example/first");
        for threads in [1, 2, 3] {
            for capacity in [997, 8192, READ_BLOCK] {
                assert_eq!(
                    read(threads, capacity),
                    expected,
                    "{threads} threads, {capacity}"
                );
            }
        }
    }

    #[test]
    fn a_collector_joins_arguments_and_lines_and_names_the_refused_value() {
        let join = PathJoin::new("https://s.example", Some("dist"), false).unwrap();
        let mut collector = Collector::with_join(Some(join));
        collector.push("dist/a.css", || Origin::Argument(1));
        collector
            .read_lines(
                "changed.txt",
                &b"b.css\n\n../c.css\nhttps://o.example/d\n"[..],
            )
            .unwrap();
        let got = collector.finish();
        let (urls, problems) = summary(got);
        assert_eq!(
            urls,
            [
                "https://s.example/a.css",
                "https://s.example/b.css",
                "https://o.example/d"
            ]
        );
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("changed.txt:3: "), "{problems:?}");
        let mut collector = Collector::with_join(None);
        collector.read_lines("f", &b"a.css\n"[..]).unwrap();
        let got = collector.finish();
        assert_eq!(got.problems[0].value.as_deref(), Some("a.css"));
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
