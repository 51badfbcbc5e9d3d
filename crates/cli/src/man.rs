//! `tcdn man`: one man page, tcdn(1), rendered from the command line's own
//! definition with `clap_mangen`, so it never drifts from `--help`.
//!
//! The page holds the top-level sections (name, synopsis, description, the
//! options every command takes), then one section per command with its
//! synopsis, description and options (subsections by help heading), so that
//! `man tcdn` alone documents everything.

use std::io::{self, Write};

use clap::CommandFactory;

use crate::args::Cli;

/// Writes tcdn(1) in roff to `out`.
pub fn render(out: &mut impl Write) -> io::Result<()> {
    let mut cli = Cli::command();
    cli.build();
    let man = clap_mangen::Man::new(cli.clone());
    let mut page = Page::default();
    man.render_title(&mut page.chunk())?;
    page.append(false);
    man.render_name_section(&mut page.chunk())?;
    page.append(false);
    man.render_synopsis_section(&mut page.chunk())?;
    page.append(false);
    man.render_description_section(&mut page.chunk())?;
    page.append(false);
    man.render_options_section(&mut page.chunk())?;
    page.append(false);
    for command in cli.get_subcommands().filter(|c| !c.is_hide_set()) {
        let name = command.get_name();
        if name == "help" {
            continue;
        }
        page.line(&format!(".SH \"TCDN {}\"", name.to_uppercase()));
        let man = clap_mangen::Man::new(command.clone());
        man.render_synopsis_section(&mut page.chunk())?;
        page.append(true);
        man.render_description_section(&mut page.chunk())?;
        page.append(true);
        man.render_options_section(&mut page.chunk())?;
        page.append(true);
    }
    man.render_version_section(&mut page.chunk())?;
    page.append(false);
    out.write_all(page.text.as_bytes())
}

/// The page being put together from `clap_mangen`'s sections.
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

    /// Appends the rendered section. Each starts with the same two-line
    /// preamble (a string definition), needed once. With `demote`, it is a
    /// command's: its synopsis and description go untitled under the
    /// command's own `.SH`, and its option headings become subsections.
    fn append(&mut self, demote: bool) {
        let chunk = std::mem::take(&mut self.chunk);
        let text = String::from_utf8_lossy(&chunk);
        for line in text.lines() {
            let preamble = line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq");
            if preamble && self.started {
                continue;
            }
            match line.strip_prefix(".SH ") {
                Some("SYNOPSIS") if demote => {}
                Some("DESCRIPTION") if demote => self.line(".PP"),
                Some(heading) if demote => self.line(&format!(".SS {heading}")),
                _ => self.line(line),
            }
        }
        self.chunk = chunk;
        self.started = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_documents_every_command_and_its_options() {
        let mut page = Vec::new();
        render(&mut page).unwrap();
        let page = String::from_utf8(page).unwrap();
        assert!(page.contains("\n.TH tcdn 1 "), "{page}");
        assert_eq!(page.matches(".el .ds Aq").count(), 1, "{page}");
        for command in ["FLUSH", "PUSH", "QUOTA", "TASKS", "WAIT", "EMULATOR", "MAN"] {
            assert!(
                page.contains(&format!(".SH \"TCDN {command}\"")),
                "{command}"
            );
        }
        for option in [
            "use\\-cvm\\-role",
            "role\\-arn",
            "dry\\-run",
            "credential\\-ttl",
        ] {
            assert!(page.contains(option), "{option} is not documented");
        }
        assert!(page.contains(".SS CREDENTIALS"), "{page}");
        // Only the title, the top sections, the commands and the version.
        let sections = page.lines().filter(|l| l.starts_with(".SH ")).count();
        assert_eq!(sections, 4 + 8 + 1, "{page}");
    }
}
