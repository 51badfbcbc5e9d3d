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

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use tcdn::CdnUrl;
use tcdn::model::CdnUrlList;
use tcdn::model::MAX_URL_LEN;
use tcdn::plan::{DistinctUrls, Inserter};

/// The most invalid values kept (and so shown) with their reasons; the rest
/// are only counted.
pub const PROBLEMS_KEPT: usize = 20;

/// The longest line read as a URL: one of [`MAX_URL_LEN`] bytes with as much
/// whitespace around it. A longer line is reported without being held.
pub const MAX_LINE: usize = 2 * MAX_URL_LEN;

/// A line running on this long without a line break is no URL list: the
/// reading stops there with an error.
pub const RUNAWAY_LINE: usize = 1 << 20;

/// The UTF-8 byte order mark.
const BOM: &[u8] = "\u{feff}".as_bytes();

/// Whether `value` is a URL (`http://` or `https://`, in any case) rather
/// than a path for [`PathJoin`].
pub fn is_url(value: &str) -> bool {
    let starts = |prefix: &str| {
        value
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    starts("http://") || starts("https://")
}

/// How a deploy's paths become URLs: `--base-url`, `--strip-prefix` and
/// `--dir`. A value that is already a URL is taken as it is.
///
/// A path is cut into segments on `/`; empty segments and `.` are dropped
/// (so `./a`, `/a` and `a//b` normalise), `..` is refused (a path never
/// climbs out of the site), the prefix's segments are dropped when the path
/// starts with them, and each remaining segment is percent-encoded as RFC
/// 3986 requires of a path segment. An escape already there (`%` and two
/// hex digits) is kept, so an encoded path is never encoded twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathJoin {
    /// The base URL without its trailing `/`.
    base: String,
    /// The segments of `--strip-prefix`.
    strip: Vec<String>,
    /// `--dir`: every joined path ends with `/`.
    dir: bool,
}

impl PathJoin {
    /// The join onto `base`, an `http://` or `https://` URL with no query
    /// or fragment (a path under it is kept: `https://site/docs`).
    ///
    /// # Errors
    /// A message naming the option whose value is not usable.
    pub fn new(base: &str, strip_prefix: Option<&str>, dir: bool) -> Result<Self, String> {
        let refuse = |why: &str| format!("--base-url {base:?}: {why}");
        if !is_url(base) {
            return Err(refuse("it must start with http:// or https://"));
        }
        if base.contains(['?', '#']) {
            return Err(refuse("a base URL has no query (?) or fragment (#)"));
        }
        let trimmed = base.trim_end_matches('/');
        CdnUrl::parse(&format!("{trimmed}/")).map_err(|e| refuse(&e.to_string()))?;
        let strip = match strip_prefix {
            None => Vec::new(),
            Some(prefix) => segments(prefix)
                .map(|segment| segment.map(str::to_owned))
                .collect::<Result<_, _>>()
                .map_err(|()| {
                    format!("--strip-prefix {prefix:?}: `..` has no place in a prefix")
                })?,
        };
        Ok(Self {
            base: trimmed.to_owned(),
            strip,
            dir,
        })
    }

    /// `value` as a URL: itself when it is one, else the path joined to the
    /// base.
    ///
    /// # Errors
    /// The reason a path is refused (it holds a `..` segment).
    pub fn apply<'a>(&self, value: &'a str) -> Result<std::borrow::Cow<'a, str>, String> {
        if is_url(value) {
            return Ok(std::borrow::Cow::Borrowed(value));
        }
        if has_scheme(value) {
            return Err(format!(
                "URL {value:?} must start with http:// or https:// (a path has no scheme)"
            ));
        }
        let parts: Vec<&str> = segments(value).collect::<Result<_, _>>().map_err(|()| {
            format!("path {value:?}: `..` is refused; a path under --base-url stays under it")
        })?;
        let prefixed = !self.strip.is_empty()
            && parts.len() >= self.strip.len()
            && parts
                .iter()
                .zip(&self.strip)
                .all(|(part, strip)| part == strip);
        let rest = if prefixed {
            &parts[self.strip.len()..]
        } else {
            &parts[..]
        };
        let mut url = String::with_capacity(self.base.len() + value.len() * 3 + 2);
        url.push_str(&self.base);
        for segment in rest {
            url.push('/');
            encode_segment(segment, &mut url);
        }
        let directory = self.dir || value.ends_with('/') || value.ends_with("/.");
        if rest.is_empty() || directory {
            url.push('/');
        }
        Ok(std::borrow::Cow::Owned(url))
    }
}

/// Whether `value` starts like a URL of another scheme (`ftp://…`): a
/// mistake, not a path.
fn has_scheme(value: &str) -> bool {
    value.split_once("://").is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// The segments of a path: empty ones and `.` dropped, `Err` for `..`.
fn segments(path: &str) -> impl Iterator<Item = Result<&str, ()>> {
    path.split('/')
        .filter(|segment| !segment.is_empty() && *segment != ".")
        .map(|segment| {
            if segment == ".." {
                Err(())
            } else {
                Ok(segment)
            }
        })
}

/// Appends `segment` percent-encoded as an RFC 3986 path segment (`pchar`:
/// unreserved, sub-delims, `:` and `@` stay), keeping each `%XX` escape as
/// it is.
fn encode_segment(segment: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = segment.as_bytes();
    for (i, &byte) in bytes.iter().enumerate() {
        let keep = byte.is_ascii_alphanumeric()
            || b"-._~!$&'()*+,;=:@".contains(&byte)
            || (byte == b'%'
                && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit));
        if keep {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
}

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

/// From this many bytes on (about 20 000 URLs), a file's lines are checked
/// on several threads; input of unknown length (stdin) always is.
const PARALLEL_INPUT_BYTES: u64 = 1 << 20;

/// A piece of the input, cut on the reading thread.
enum Piece {
    /// Whole lines without the last one's newline; `opening` when they
    /// start the input (where a byte order mark is skipped).
    Lines { bytes: Vec<u8>, opening: bool },
    /// A line of this many bytes (newline excluded), too long to hold.
    Overlong(usize),
    /// A line running on past [`RUNAWAY_LINE`]: the reading stops.
    Runaway,
}

/// What becomes of a [`Piece`] off the reading thread.
enum Step {
    Checked(Checked),
    Overlong(usize),
    Runaway,
}

/// The input cut into [`Piece`]s. Whole lines are taken straight from the
/// reader's buffer (and copied once, to be checked elsewhere); a line cut
/// by the end of the buffer is completed from the next fill, up to
/// [`MAX_LINE`] bytes; past that, the rest of it is skipped unread.
struct Pieces<R> {
    reader: R,
    /// A line cut by the end of the reader's buffer.
    partial: Vec<u8>,
    /// The bytes so far of a line too long to hold (0: none is).
    skipped: usize,
    /// Whether a piece has been cut yet.
    begun: bool,
    /// Pieces cut but not yet taken (a fill makes up to two).
    ready: std::collections::VecDeque<Piece>,
    /// The input has ended, or an error or a runaway line ended it.
    ended: bool,
}

impl<R: BufRead> Pieces<R> {
    fn new(reader: R) -> Self {
        Self {
            reader,
            partial: Vec::new(),
            skipped: 0,
            begun: false,
            ready: std::collections::VecDeque::new(),
            ended: false,
        }
    }

    fn lines(&mut self, bytes: Vec<u8>) {
        let opening = !std::mem::replace(&mut self.begun, true);
        self.ready.push_back(Piece::Lines { bytes, opening });
    }

    fn overlong(&mut self, length: usize) {
        self.begun = true;
        self.ready.push_back(Piece::Overlong(length));
    }

    /// Reads one fill of the reader and cuts what it completes.
    fn fill(&mut self) -> std::io::Result<()> {
        let available = self.reader.fill_buf()?;
        if available.is_empty() {
            self.ended = true;
            if self.skipped > 0 {
                self.overlong(self.skipped);
            } else if !self.partial.is_empty() {
                let partial = std::mem::take(&mut self.partial);
                self.lines(partial);
            }
            return Ok(());
        }
        let Some(last) = available.iter().rposition(|&b| b == b'\n') else {
            // No line ends in this fill.
            let taken = available.len();
            if self.skipped > 0 || self.partial.len() + taken > MAX_LINE {
                self.skipped += self.partial.len() + taken;
                self.partial = Vec::new();
                if self.skipped > RUNAWAY_LINE {
                    self.ended = true;
                    self.ready.push_back(Piece::Runaway);
                }
            } else {
                self.partial.extend_from_slice(available);
            }
            self.reader.consume(taken);
            return Ok(());
        };
        let mut from = 0;
        let mut completed = None;
        if self.skipped > 0 || !self.partial.is_empty() {
            // The line begun in an earlier fill ends here.
            let first = available.iter().position(|&b| b == b'\n').unwrap_or(last);
            if self.skipped > 0 {
                completed = Some(Err(self.skipped + first));
                self.skipped = 0;
            } else {
                let mut partial = std::mem::take(&mut self.partial);
                partial.extend_from_slice(&available[..first]);
                completed = Some(Ok(partial));
            }
            from = first + 1;
        }
        let block = (from <= last).then(|| available[from..last].to_vec());
        self.reader.consume(last + 1);
        match completed {
            Some(Ok(partial)) => self.lines(partial),
            Some(Err(length)) => self.overlong(length),
            None => {}
        }
        if let Some(block) = block {
            self.lines(block);
        }
        Ok(())
    }
}

impl<R: BufRead> Iterator for Pieces<R> {
    type Item = std::io::Result<Piece>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(piece) = self.ready.pop_front() {
                return Some(Ok(piece));
            }
            if self.ended {
                return None;
            }
            if let Err(error) = self.fill() {
                self.ended = true;
                return Some(Err(error));
            }
        }
    }
}

/// A block of lines checked: its valid URLs in order, its first problems
/// by line (0-based within the block), and its counts.
struct Checked {
    urls: CdnUrlList,
    problems: Vec<(usize, String, Option<String>)>,
    invalid: usize,
    lines: usize,
    /// The block's bytes, a byte order mark included.
    bytes: usize,
}

impl Checked {
    fn problem(&mut self, line: usize, value: Option<&str>, reason: impl FnOnce() -> String) {
        self.invalid += 1;
        if self.problems.len() < PROBLEMS_KEPT {
            self.problems
                .push((line, reason(), value.map(str::to_owned)));
        }
    }

    fn line(&mut self, index: usize, line: &str, join: Option<&PathJoin>) {
        if line.len() > MAX_LINE {
            self.problem(index, None, || too_long(line.len()));
            return;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return;
        }
        let joined = match join {
            Some(join) => join.apply(trimmed),
            None => Ok(std::borrow::Cow::Borrowed(trimmed)),
        };
        match joined {
            Ok(url) => {
                if let Err(error) = self.urls.push(&url) {
                    self.problem(index, Some(trimmed), || error.to_string());
                }
            }
            Err(reason) => self.problem(index, Some(trimmed), || reason),
        }
    }
}

/// Checks whole lines (without the last one's newline): as UTF-8 all at
/// once (a line is UTF-8 if its block is, as `\n` never occurs inside a
/// character), and only a block that fails line by line, to name the bad
/// lines; then each line as a URL.
fn check(block: &[u8], opening: bool, join: Option<&PathJoin>) -> Checked {
    let mut checked = Checked {
        urls: CdnUrlList::with_capacity(block.len() / 32, block.len()),
        problems: Vec::new(),
        invalid: 0,
        lines: 0,
        bytes: block.len(),
    };
    let block = match opening {
        true => block.strip_prefix(BOM).unwrap_or(block),
        false => block,
    };
    match std::str::from_utf8(block) {
        Ok(text) => {
            for (index, line) in text.split('\n').enumerate() {
                checked.lines = index + 1;
                checked.line(index, line, join);
            }
        }
        Err(_) => {
            for (index, line) in block.split(|&b| b == b'\n').enumerate() {
                checked.lines = index + 1;
                if line.len() > MAX_LINE {
                    checked.problem(index, None, || too_long(line.len()));
                    continue;
                }
                match std::str::from_utf8(line) {
                    Ok(line) => checked.line(index, line, join),
                    Err(_) => {
                        checked.problem(index, None, || "the line is not valid UTF-8".to_owned());
                    }
                }
            }
        }
    }
    checked
}

/// Why a line of `length` bytes was not read.
fn too_long(length: usize) -> String {
    format!(
        "the line is {length} bytes long; a URL is at most {MAX_URL_LEN} bytes, and a line at \
         most {MAX_LINE}"
    )
}

/// The reading thread's side: checked pieces applied in input order.
struct Reading<'a, 'c> {
    collector: &'c mut Collector,
    lines: Lines<'a>,
    length: Option<u64>,
    reserved: bool,
}

impl Reading<'_, '_> {
    fn apply(&mut self, step: Step) -> std::io::Result<()> {
        let Self {
            collector, lines, ..
        } = self;
        match step {
            Step::Checked(checked) => {
                let mut sink = collector.sink();
                // The block counted the problems it did not keep.
                *sink.invalid += checked.invalid - checked.problems.len();
                for (index, reason, value) in checked.problems {
                    let line = lines.number + index + 1;
                    sink.problem(|| lines.origin_of(line), value.as_deref(), || reason);
                }
                sink.urls.insert_list(&checked.urls);
                lines.number += checked.lines;
                lines.bytes += checked.bytes + 1;
            }
            Step::Overlong(length) => {
                lines.bytes += length + 1;
                lines.number += 1;
                let line = lines.number;
                collector
                    .sink()
                    .problem(|| lines.origin_of(line), None, || too_long(length));
            }
            Step::Runaway => return Err(lines.runaway()),
        }
        self.reserve();
        Ok(())
    }

    /// Once lines have been read from a file of known length, makes room
    /// for the URLs the rest of it holds, estimated from the lines per
    /// byte so far.
    fn reserve(&mut self) {
        let (Some(length), false, true) = (self.length, self.reserved, self.lines.number > 0)
        else {
            return;
        };
        self.reserved = true;
        let lines = &self.lines;
        let estimate = length as f64 * lines.number as f64 / lines.bytes as f64;
        // A little over, so that a slightly longer tail still fits;
        // never more than the shortest possible URL line allows.
        let estimate = (estimate * 1.02) as u64 + 16;
        let most = length / MIN_LINE;
        let remaining = estimate.min(most).saturating_sub(lines.number as u64);
        let urls = &mut self.collector.collected.urls;
        urls.reserve(usize::try_from(remaining).unwrap_or(0));
        // The URLs' text is at most the rest of the file but a newline per
        // line; room not written to costs no memory.
        let text = length
            .saturating_sub(lines.bytes as u64)
            .saturating_sub(remaining);
        urls.reserve_text(usize::try_from(text).unwrap_or(0));
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
    /// The error that stops the reading of a line without end.
    fn runaway(&self) -> std::io::Error {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "line {} runs on for more than {} MiB without a line break; a URL list holds \
                 one URL of at most {MAX_URL_LEN} bytes per line",
                self.number + 1,
                RUNAWAY_LINE >> 20
            ),
        )
    }

    fn origin_of(&self, line: usize) -> Origin {
        Origin::Line {
            source: self.source.to_owned(),
            line,
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

    fn joined(base: &str, strip: Option<&str>, dir: bool, value: &str) -> Result<String, String> {
        PathJoin::new(base, strip, dir)
            .unwrap()
            .apply(value)
            .map(|url| url.into_owned())
    }

    #[test]
    fn paths_join_the_base_and_normalise() {
        let base = "https://site.example";
        for (value, expected) in [
            ("css/a.css", "https://site.example/css/a.css"),
            ("/css/a.css", "https://site.example/css/a.css"),
            ("./css//a.css", "https://site.example/css/a.css"),
            ("css/./a.css", "https://site.example/css/a.css"),
            ("static/", "https://site.example/static/"),
            ("/", "https://site.example/"),
            ("图 1.png", "https://site.example/%E5%9B%BE%201.png"),
            ("a%2Fb%zz%4", "https://site.example/a%2Fb%25zz%254"),
            ("q?x#y", "https://site.example/q%3Fx%23y"),
            ("HTTPS://other.example/x y", "HTTPS://other.example/x y"),
            ("http://other.example/a", "http://other.example/a"),
        ] {
            assert_eq!(
                joined(base, None, false, value).unwrap(),
                expected,
                "{value}"
            );
        }
        // A base with a path and a trailing slash.
        assert_eq!(
            joined("https://site.example/docs/", None, false, "/a.html").unwrap(),
            "https://site.example/docs/a.html"
        );
    }

    #[test]
    fn dot_dot_and_other_schemes_are_refused() {
        for value in ["../a", "a/../b", "a/..", "ftp://x.example/a"] {
            let error = joined("https://s.example", None, false, value).unwrap_err();
            assert!(error.contains(value), "{error}");
        }
        assert!(PathJoin::new("ftp://s.example", None, false).is_err());
        assert!(PathJoin::new("https://s.example/?a", None, false).is_err());
        assert!(PathJoin::new("https://s.example", Some("a/../b"), false).is_err());
    }

    #[test]
    fn dir_paths_end_with_a_slash() {
        for value in ["static", "static/", "./static//"] {
            assert_eq!(
                joined("https://s.example", None, true, value).unwrap(),
                "https://s.example/static/"
            );
        }
        assert_eq!(
            joined("https://s.example", None, true, "https://o.example/x").unwrap(),
            "https://o.example/x"
        );
    }

    #[test]
    fn the_prefix_is_stripped_only_from_the_paths_that_start_with_it() {
        for strip in ["dist/", "dist", "./dist", "/dist/"] {
            let join = |value| joined("https://s.example", Some(strip), false, value).unwrap();
            assert_eq!(join("dist/css/a.css"), "https://s.example/css/a.css");
            assert_eq!(join("./dist/a.css"), "https://s.example/a.css");
            assert_eq!(join("distant/a.css"), "https://s.example/distant/a.css");
            assert_eq!(join("css/dist/a.css"), "https://s.example/css/dist/a.css");
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

    mod join_properties {
        use super::super::*;
        use proptest::prelude::*;

        /// Paths of segments mixing plain text, escapes (good and stray),
        /// non-ASCII, spaces and `.`, with any slashes around them.
        fn path() -> impl Strategy<Value = String> {
            let segment = prop_oneof![
                "[a-zA-Z0-9._~-]{1,8}",
                "[ %图é#?!:@a-f0-9]{1,8}",
                Just(".".to_owned()),
                Just(String::new()),
            ];
            ("/{0,2}", prop::collection::vec(segment, 0..6), "/{0,2}")
                .prop_map(|(lead, segments, tail)| format!("{lead}{}{tail}", segments.join("/")))
                .prop_filter("a path, not a URL", |p| !is_url(p) && !has_scheme(p))
        }

        proptest! {
            #![proptest_config(ProptestConfig {
                cases: 256,
                failure_persistence: None,
                ..ProptestConfig::default()
            })]

            /// A joined path is a valid URL under the base, made only of
            /// characters a URL path may hold; joining its own path again
            /// gives it back (escapes are never encoded twice); and decoding
            /// it gives the path's segments back.
            #[test]
            fn the_join_is_a_url_under_the_base_and_idempotent(value in path(), dir in any::<bool>()) {
                let base = "https://site.example/root";
                let join = PathJoin::new(base, None, dir).unwrap();
                if value.split('/').any(|segment| segment == "..") {
                    prop_assert!(join.apply(&value).is_err(), "{}", value);
                    return Ok(());
                }
                let url = join.apply(&value).unwrap().into_owned();
                prop_assert!(url.starts_with("https://site.example/root/"), "{}", url);
                prop_assert!(CdnUrl::parse(&url).is_ok(), "{}", url);
                let path = &url[base.len()..];
                prop_assert!(
                    path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@%".contains(&b)),
                    "{}", url
                );
                prop_assert!(!path.contains("//"), "{}", url);
                prop_assert_eq!(join.apply(path).unwrap().into_owned(), url.clone());
                if dir {
                    prop_assert!(url.ends_with('/'), "{}", url);
                }
                let expected: Vec<&str> = value.split('/').filter(|s| !s.is_empty() && *s != ".").collect();
                let decoded: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(decode).collect();
                prop_assert_eq!(decoded, expected.iter().map(|s| decode(s)).collect::<Vec<_>>());
            }
        }

        /// Percent-decodes `text` (a `%` without two hex digits stays).
        fn decode(text: &str) -> String {
            let bytes = text.as_bytes();
            let mut out = Vec::new();
            let mut i = 0;
            while i < bytes.len() {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
                    (b'%', Some(byte)) => {
                        out.push(byte);
                        i += 3;
                    }
                    (byte, _) => {
                        out.push(byte);
                        i += 1;
                    }
                }
            }
            String::from_utf8_lossy(&out).into_owned()
        }
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
