//! The reading of a file or stdin: its bytes cut into blocks of whole
//! lines, each block's lines checked as URLs (on any thread), and the
//! checked blocks applied to the [`Collector`] in input order.

use std::io::BufRead;

use tcdn::model::CdnUrlList;
use tcdn::model::MAX_URL_LEN;

use super::join::PathJoin;
use super::{Collector, MAX_LINE, Origin, PROBLEMS_KEPT, RUNAWAY_LINE};

/// The UTF-8 byte order mark.
pub(super) const BOM: &[u8] = "\u{feff}".as_bytes();

/// From this many bytes on (about 20 000 URLs), a file's lines are checked
/// on several threads; input of unknown length (stdin) always is.
pub(super) const PARALLEL_INPUT_BYTES: u64 = 1 << 20;

/// A piece of the input, cut on the reading thread.
pub(super) enum Piece {
    /// Whole lines without the last one's newline; `opening` when they
    /// start the input (where a byte order mark is skipped).
    Lines { bytes: Vec<u8>, opening: bool },
    /// A line of this many bytes (newline excluded), too long to hold.
    Overlong(usize),
    /// A line running on past [`RUNAWAY_LINE`]: the reading stops.
    Runaway,
}

/// What becomes of a [`Piece`] off the reading thread.
pub(super) enum Step {
    Checked(Checked),
    Overlong(usize),
    Runaway,
}

/// The input cut into [`Piece`]s. Whole lines are taken straight from the
/// reader's buffer (and copied once, to be checked elsewhere); a line cut
/// by the end of the buffer is completed from the next fill, up to
/// [`MAX_LINE`] bytes; past that, the rest of it is skipped unread.
pub(super) struct Pieces<R> {
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
    pub(super) fn new(reader: R) -> Self {
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
pub(super) struct Checked {
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
        let trimmed = trim(line);
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
pub(super) fn check(block: &[u8], opening: bool, join: Option<&PathJoin>) -> Checked {
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
            for (index, line) in split_lines(block).enumerate() {
                checked.lines = index + 1;
                // At a `\n`, which is never inside a character.
                checked.line(index, &text[line], join);
            }
        }
        Err(_) => {
            for (index, line) in split_lines(block).enumerate() {
                let line = &block[line];
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

/// Where the lines of `block` are: what `split('\n')` yields, the last line
/// (empty if `block` ends with a newline) included.
///
/// Lines are short (a URL each), so the search for each newline, eight
/// bytes at a time, is written out here to be inlined: `str::split` calls
/// a general character searcher per line, which costs more than the
/// search itself.
fn split_lines(block: &[u8]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut from = Some(0);
    std::iter::from_fn(move || {
        let start = from?;
        let end = match newline_in(&block[start..]) {
            Some(at) => {
                from = Some(start + at + 1);
                start + at
            }
            None => {
                from = None;
                block.len()
            }
        };
        Some(start..end)
    })
}

/// The position of the first `\n` in `bytes`.
#[inline]
fn newline_in(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const NEWLINES: u64 = u64::from_ne_bytes([b'\n'; 8]);
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let mut eight = [0; 8];
        eight.copy_from_slice(word);
        // A byte of `x` is 0 where the word holds a newline; the lowest
        // such byte sets its high bit here (a borrow may mark bytes above
        // it too, never below).
        let x = u64::from_le_bytes(eight) ^ NEWLINES;
        let zero = x.wrapping_sub(ONES) & !x & HIGHS;
        if zero != 0 {
            return Some(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let rest = words.remainder();
    rest.iter().position(|&b| b == b'\n').map(|i| at + i)
}

/// `line.trim()`, answered without the Unicode tables when the line starts
/// and ends with ASCII other than whitespace, as nearly every URL does.
#[inline]
fn trim(line: &str) -> &str {
    // The ASCII characters `char::is_whitespace` accepts: `\t` to `\r`
    // and the space (a byte under 0x80 is a whole character).
    let plain = |b: u8| b < 0x80 && !matches!(b, b'\t'..=b'\r' | b' ');
    match line.as_bytes() {
        [first, .., last] if plain(*first) && plain(*last) => line,
        [only] if plain(*only) => line,
        _ => line.trim(),
    }
}

/// Why a line of `length` bytes was not read.
fn too_long(length: usize) -> String {
    format!(
        "the line is {length} bytes long; a URL is at most {MAX_URL_LEN} bytes, and a line at \
         most {MAX_LINE}"
    )
}

/// The reading thread's side: checked pieces applied in input order.
pub(super) struct Reading<'a, 'c> {
    pub(super) collector: &'c mut Collector,
    pub(super) lines: Lines<'a>,
    pub(super) length: Option<u64>,
    pub(super) reserved: bool,
}

impl Reading<'_, '_> {
    pub(super) fn apply(&mut self, step: Step) -> std::io::Result<()> {
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

/// The reader's buffer for a file: large enough that per-block costs vanish,
/// small enough to stay in cache.
pub(super) const READ_BLOCK: usize = 64 * 1024;

/// The shortest line a valid URL can take (`http://a.b` and its newline),
/// which bounds the estimate of how many a file holds.
const MIN_LINE: u64 = 11;

/// The lines read so far: their count and bytes (newlines included).
pub(super) struct Lines<'a> {
    pub(super) source: &'a str,
    pub(super) number: usize,
    pub(super) bytes: usize,
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

    #[test]
    fn lines_are_cut_as_split_cuts_them() {
        // Newlines at every place in and across the eight-byte words.
        let mut texts = vec![String::new(), "\n".to_owned(), "\n\n".to_owned()];
        for length in 0..40 {
            for at in 0..length {
                let mut text = "x".repeat(length);
                text.replace_range(at..=at, "\n");
                texts.push(text.clone());
                texts.push(text.replace('x', "é"));
            }
        }
        texts.push("https://a.example/1\r\nhttps://a.example/2\n# c\n\nlast".to_owned());
        for text in &texts {
            let got: Vec<&str> = split_lines(text.as_bytes())
                .map(|line| &text[line])
                .collect();
            let expected: Vec<&str> = text.split('\n').collect();
            assert_eq!(got, expected, "{text:?}");
        }
    }

    #[test]
    fn lines_are_trimmed_as_trim_trims_them() {
        let cases = [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\r",
            "\u{b}a\u{c}",
            "a\u{85}",
            "\u{3000}a",
            "é",
            "é ",
            "\u{a0}a\u{a0}",
            "https://a.example/x",
            "\u{feff}a",
            "#a",
        ];
        for case in cases {
            assert_eq!(trim(case), case.trim(), "{case:?}");
        }
    }
}
