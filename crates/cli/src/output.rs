//! What the CLI prints: dry-run requests and the final report.
//!
//! Results go to stdout (they are what scripts read); progress and problems
//! go to stderr.

use std::io::{self, Write};

use tcdn::v2::PreparedRequest;
use tcdn::{Areas, HttpMethod, Operation, Report};

use crate::args::OutputArg;

/// Writes one signed request of a dry run.
pub fn dry_run_request(
    out: &mut impl Write,
    format: OutputArg,
    request: &PreparedRequest,
) -> io::Result<()> {
    match format {
        OutputArg::Text => writeln!(out, "{}", request.redacted_display()),
        OutputArg::Json => {
            let method = match request.method() {
                HttpMethod::Get => "GET",
                HttpMethod::Post => "POST",
            };
            // Field order as documented: method, url, body.
            #[derive(serde::Serialize)]
            struct Line<'a> {
                method: &'a str,
                url: &'a str,
                body: Option<&'a str>,
            }
            let line = Line {
                method,
                url: request.url(),
                body: request.body(),
            };
            serde_json::to_writer(&mut *out, &line).map_err(io::Error::other)?;
            writeln!(out)
        }
    }
}

fn verb(operation: Operation) -> &'static str {
    match operation {
        Operation::FlushUrls | Operation::FlushDirs => "flush",
        Operation::PushUrls => "push",
    }
}

fn noun(operation: Operation, count: usize) -> &'static str {
    match (operation, count == 1) {
        (Operation::FlushDirs, true) => "directory",
        (Operation::FlushDirs, false) => "directories",
        (_, true) => "URL",
        (_, false) => "URLs",
    }
}

fn areas_text(areas: Areas) -> &'static str {
    match areas {
        Areas::Mainland => "mainland China",
        Areas::Oversea => "outside mainland China",
        Areas::Both => "mainland China and overseas",
    }
}

/// Writes the final report.
pub fn report(
    out: &mut impl Write,
    format: OutputArg,
    operation: Operation,
    areas: Areas,
    report: &Report,
) -> io::Result<()> {
    match format {
        OutputArg::Json => {
            serde_json::to_writer(&mut *out, report).map_err(io::Error::other)?;
            writeln!(out)
        }
        OutputArg::Text => {
            let ok = report.succeeded.len();
            let failed = report.failed.len();
            let not_sent = report.not_sent.len();
            let requests = report.requests;
            let total = ok + failed + not_sent;
            writeln!(
                out,
                "{}: {ok} of {total} {} succeeded in {} ({requests} request{})",
                verb(operation),
                noun(operation, total),
                areas_text(areas),
                if requests == 1 { "" } else { "s" },
            )?;
            if report.duplicates_skipped > 0 {
                writeln!(
                    out,
                    "skipped {} repeated input line(s)",
                    report.duplicates_skipped
                )?;
            }
            if failed > 0 {
                writeln!(out, "FAILED {failed} {}:", noun(operation, failed))?;
                for failure in &report.failed {
                    let code = match (failure.code, failure.module_code, &failure.error_code) {
                        (Some(code), Some(module), _) => format!("code {code}, module {module}"),
                        (Some(code), None, _) => format!("code {code}"),
                        (None, _, Some(code)) => code.clone(),
                        (None, _, None) => "no answer".to_owned(),
                    };
                    let unknown = if failure.maybe_applied {
                        " (outcome unknown: may have been applied)"
                    } else {
                        ""
                    };
                    writeln!(
                        out,
                        "  {} ({code}): {}{unknown}",
                        failure.url, failure.message
                    )?;
                }
            }
            if not_sent > 0 {
                writeln!(out, "NOT SENT {not_sent} {}:", noun(operation, not_sent))?;
                for entry in &report.not_sent {
                    writeln!(out, "  {}: {}", entry.url, entry.reason)?;
                }
            }
            for task in &report.tasks {
                writeln!(
                    out,
                    "task {} ({}): {} {}",
                    task.task_id,
                    task.action,
                    task.urls.len(),
                    noun(operation, task.urls.len())
                )?;
            }
            Ok(())
        }
    }
}
