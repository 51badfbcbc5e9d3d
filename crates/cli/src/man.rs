//! `tcdn man`: one man page, tcdn(1), rendered from the command line's own
//! definition, so it never drifts from `--help`: the synopses and options
//! come from `clap_mangen`, the description, exit statuses and examples
//! from the texts `--help` shows ([`crate::args`]).
//!
//! The page holds NAME, SYNOPSIS, DESCRIPTION, COMMANDS (one subsection per
//! command with its synopsis, description and options), OPTIONS, EXIT
//! STATUS, ENVIRONMENT, FILES and EXAMPLES. Every list is a man list
//! (`.TP`, `.IP`), never text indented by hand, so that `man` fills it to
//! any width.

use std::io::{self, Write};

use clap::CommandFactory;

use crate::args::{self, Cli};

/// Writes tcdn(1) in roff to `out`.
pub fn render(out: &mut impl Write) -> io::Result<()> {
    let mut cli = Cli::command();
    cli.build();
    let man = clap_mangen::Man::new(cli.clone());
    let mut page = Page::default();
    man.render_title(&mut page.chunk())?;
    page.append(Level::Top);
    man.render_name_section(&mut page.chunk())?;
    page.append(Level::Top);
    man.render_synopsis_section(&mut page.chunk())?;
    page.append(Level::Top);
    page.line(".SH DESCRIPTION");
    page.text(args::LONG_ABOUT);
    page.line(".SH COMMANDS");
    for command in cli.get_subcommands().filter(|c| !c.is_hide_set()) {
        let name = command.get_name();
        if name == "help" {
            continue;
        }
        page.line(&format!(".SS \"tcdn {name}\""));
        let man = clap_mangen::Man::new(command.clone());
        man.render_synopsis_section(&mut page.chunk())?;
        page.append(Level::Command);
        if let Some(about) = command.get_long_about().or(command.get_about()) {
            page.line(".PP");
            page.text(&about.to_string());
        }
        man.render_options_section(&mut page.chunk())?;
        page.append(Level::Command);
    }
    man.render_options_section(&mut page.chunk())?;
    page.append(Level::Top);
    page.line(".SH \"EXIT STATUS\"");
    let statuses = args::EXIT_STATUS
        .split_once('\n')
        .map_or("", |(_, list)| list);
    page.text(statuses);
    page.line(".SH ENVIRONMENT");
    for (names, meaning) in args::ENVIRONMENT {
        page.item(names, meaning);
    }
    page.line(".SH FILES");
    for (path, meaning) in args::FILES {
        page.item(path, meaning);
    }
    page.line(".SH EXAMPLES");
    for (_, comment, command) in args::EXAMPLES {
        page.line(".PP");
        page.line(&escape(comment));
        page.line(".PP");
        page.line(".nf");
        for line in command.lines() {
            page.line(&escape(line));
        }
        page.line(".fi");
    }
    out.write_all(page.text.as_bytes())
}

/// Where a section of `clap_mangen` goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// A section of the page.
    Top,
    /// Part of a command's subsection: its headings become bold lines.
    Command,
}

/// The page being put together.
#[derive(Default)]
struct Page {
    text: String,
    chunk: Vec<u8>,
    /// Whether the preamble was written.
    started: bool,
}

impl Page {
    /// Where the next section is rendered.
    fn chunk(&mut self) -> &mut Vec<u8> {
        self.chunk.clear();
        &mut self.chunk
    }

    fn line(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// A `.TP` item: `term` in bold, then its text.
    fn item(&mut self, term: &str, text: &str) {
        self.line(".TP");
        self.line(&format!("\\fB{}\\fR", escape(term)));
        self.line(&escape(text));
    }

    /// Help text as roff: paragraphs filled, and the lines indented in the
    /// help (`  flush   marks …`, `  1. the …`, `  0    every …`) as `.TP`
    /// items, their first word the term and deeper lines their text.
    fn text(&mut self, text: &str) {
        let mut in_list = false;
        let mut first = true;
        for line in text.lines() {
            if line.trim().is_empty() {
                self.line(".PP");
                in_list = false;
                first = true;
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            match (indent, in_list) {
                (2, _) => {
                    let item = line.trim_start();
                    let (term, rest) = item.split_once(' ').unwrap_or((item, ""));
                    self.item(term, rest.trim_start());
                    in_list = true;
                }
                (0, true) => {
                    self.line(".PP");
                    self.line(&escape(line));
                    in_list = false;
                }
                _ => {
                    if first && !in_list && !self.text.ends_with(".PP\n") {
                        self.line(".PP");
                    }
                    self.line(&escape(line.trim_start()));
                }
            }
            first = false;
        }
    }

    /// Appends the rendered section. Each starts with the same two-line
    /// preamble (a string definition), needed once. In a command's
    /// subsection, its synopsis goes untitled and its option headings
    /// become bold lines.
    fn append(&mut self, level: Level) {
        let chunk = std::mem::take(&mut self.chunk);
        let text = String::from_utf8_lossy(&chunk);
        for line in text.lines() {
            let preamble = line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq");
            if preamble && self.started {
                continue;
            }
            let heading = line
                .strip_prefix(".SH ")
                .or_else(|| line.strip_prefix(".SS "));
            match (heading, level) {
                (Some("SYNOPSIS"), Level::Command) => self.line(".PP"),
                (Some(heading), Level::Command) => {
                    self.line(".PP");
                    self.line(&format!(".B {heading}"));
                }
                _ => self.line(line),
            }
        }
        self.chunk = chunk;
        self.started = true;
    }
}

/// `text` safe as roff text: backslashes and hyphens escaped, and a line
/// that would start with a control character (`.` or `'`) made text.
fn escape(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> String {
        let mut page = Vec::new();
        render(&mut page).unwrap();
        String::from_utf8(page).unwrap()
    }

    #[test]
    fn the_page_has_its_sections_in_order() {
        let page = page();
        assert!(page.contains("\n.TH tcdn 1 "), "{page}");
        assert_eq!(page.matches(".el .ds Aq").count(), 1, "{page}");
        let sections: Vec<&str> = page
            .lines()
            .filter_map(|l| l.strip_prefix(".SH "))
            .collect();
        assert_eq!(
            sections,
            [
                "NAME",
                "SYNOPSIS",
                "DESCRIPTION",
                "COMMANDS",
                "OPTIONS",
                "\"EXIT STATUS\"",
                "ENVIRONMENT",
                "FILES",
                "EXAMPLES"
            ],
            "{page}"
        );
        for command in ["flush", "push", "quota", "tasks", "wait", "emulator", "man"] {
            assert!(
                page.contains(&format!(".SS \"tcdn {command}\"")),
                "{command}"
            );
        }
    }

    #[test]
    fn the_page_documents_every_option_and_the_environment() {
        let page = page();
        for text in [
            "use\\-cvm\\-role",
            "role\\-arn",
            "dry\\-run",
            "credential\\-ttl",
            "base\\-url",
            "allow\\-empty",
            "TENCENTCLOUD_SECRET_ID",
            "TCDN_LANGUAGE",
            "~/.tccli/<profile>.credential",
            "~/.tencentcloud/credentials",
            ".B CREDENTIALS",
        ] {
            assert!(page.contains(text), "{text} is not documented");
        }
        // Every exit status is a list item.
        for code in ["0", "1", "2", "3", "130", "141", "143"] {
            assert!(page.contains(&format!(".TP\n\\fB{code}\\fR\n")), "{code}");
        }
    }

    #[test]
    fn no_text_is_indented_by_hand() {
        let page = page();
        // Only the examples' command lines, set as they are (`.nf`), keep
        // their indentation.
        let mut verbatim = false;
        let indented: Vec<&str> = page
            .lines()
            .filter(|line| {
                match *line {
                    ".nf" => verbatim = true,
                    ".fi" => verbatim = false,
                    _ => {}
                }
                !verbatim && line.starts_with(' ')
            })
            .collect();
        assert!(indented.is_empty(), "{indented:?}");
        // Lists are man lists.
        assert!(
            page.contains(".TP\n\\fBflush\\fR\nmarks cached copies stale"),
            "{page}"
        );
        assert!(
            page.contains(".TP\n\\fB1.\\fR\nTENCENTCLOUD_SECRET_ID"),
            "{page}"
        );
    }

    #[test]
    fn roff_control_characters_are_escaped() {
        assert_eq!(escape(".hidden"), "\\&.hidden");
        assert_eq!(escape("'quote"), "\\&'quote");
        assert_eq!(escape("a-b\\c"), "a\\-b\\ec");
    }
}
