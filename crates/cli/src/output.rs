//! What the CLI prints: dry-run requests and the final report.
//!
//! Results go to stdout (they are what scripts read); progress and problems
//! go to stderr. Text from a server is escaped ([`tcdn::printable`]) before
//! it is printed as text; JSON carries it as received.

use std::io::{self, Write};

use tcdn::client::SignedRequest;
use tcdn::model::v3::Quota;
use tcdn::wait::TaskLog;
use tcdn::{Api, Areas, CdnUrl, Failure, HttpMethod, Operation, Report, printable};

use crate::args::OutputArg;
use crate::exit::CliError;

/// The version of every JSON document's shape (reports, quotas, tasks,
/// errors), its `"schema"` field: within a version, fields are only ever
/// added.
pub const SCHEMA: u32 = 1;

/// `{"schema":1,…}`: a document's own fields after the schema's.
#[derive(serde::Serialize)]
struct Versioned<'a, T: serde::Serialize> {
    schema: u32,
    #[serde(flatten)]
    document: &'a T,
}

/// Writes `document` with its `"schema"` first, and a newline.
pub(crate) fn write_versioned<T: serde::Serialize>(
    out: &mut impl Write,
    document: &T,
) -> io::Result<()> {
    let versioned = Versioned {
        schema: SCHEMA,
        document,
    };
    serde_json::to_writer(&mut *out, &versioned).map_err(io::Error::from)?;
    writeln!(out)
}

/// The JSON error document of `--output json`, newline included:
/// `{"schema":1,"error":{"kind","message","problems":[{"source","line",
/// "value","message"}]}}`.
pub fn error_document(error: &CliError) -> String {
    use crate::input::Origin;
    let problems = error
        .problems()
        .iter()
        .map(|problem| {
            let (source, line) = match &problem.origin {
                Origin::Argument(n) => ("arguments", *n),
                Origin::Line { source, line } => (source.as_str(), *line),
            };
            ProblemEntry {
                source,
                line,
                value: problem.value.as_deref(),
                message: &problem.reason,
            }
        })
        .collect();
    let document = ErrorDocument {
        schema: SCHEMA,
        error: ErrorBody {
            kind: error.kind().name(),
            message: error.message(),
            problems,
        },
    };
    let mut text = serde_json::to_string(&document).unwrap_or_default();
    text.push('\n');
    text
}

/// `{"schema","error"}`, in that order.
#[derive(serde::Serialize)]
struct ErrorDocument<'a> {
    schema: u32,
    error: ErrorBody<'a>,
}

/// `{"kind","message","problems"}`, in that order.
#[derive(serde::Serialize)]
struct ErrorBody<'a> {
    kind: &'static str,
    message: &'a str,
    problems: Vec<ProblemEntry<'a>>,
}

/// `{"source","line","value","message"}`, in that order: `source` is the
/// file (`stdin`) or `arguments`, `line` the line or argument number.
#[derive(serde::Serialize)]
struct ProblemEntry<'a> {
    source: &'a str,
    line: usize,
    value: Option<&'a str>,
    message: &'a str,
}

/// Writes one signed request of a dry run: as text (the token redacted),
/// or as its `--output json` line ([`dry_run_json`]).
pub fn dry_run_request(
    out: &mut impl Write,
    format: OutputArg,
    request: &SignedRequest<'_>,
) -> io::Result<()> {
    match format {
        OutputArg::Text => writeln!(out, "{request}"),
        OutputArg::Json => out.write_all(&dry_run_json(request)),
    }
}

/// The `--output json` line of [`dry_run_request`], newline included, as
/// documented: `{"method","url","headers":{…},"body"}` in that order, with
/// every header sent, in the order sent, for API 3.0;
/// `{"method","url","body"}` for API 2.0, whose signature is in the form.
/// `body` is null for a GET. A dry run renders each request's line with
/// this on a worker thread, in a buffer sized once from the body.
pub fn dry_run_json(request: &SignedRequest<'_>) -> Vec<u8> {
    let method = match request.method() {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
    };
    // Room for the body, its escapes (two quotes a URL), and the headers.
    let mut line = Vec::with_capacity(request.body().map_or(0, str::len) * 9 / 8 + 1024);
    line.extend_from_slice(b"{\"method\":");
    json_string(&mut line, method);
    line.extend_from_slice(b",\"url\":");
    json_string(&mut line, request.url());
    if request.api() == Api::V3 {
        line.extend_from_slice(b",\"headers\":{");
        for (n, (name, value)) in request.headers().enumerate() {
            if n > 0 {
                line.push(b',');
            }
            json_string(&mut line, name);
            line.push(b':');
            json_string(&mut line, value);
        }
        line.push(b'}');
    }
    line.extend_from_slice(b",\"body\":");
    json_option(&mut line, request.body());
    line.extend_from_slice(b"}\n");
    line
}

/// `text` as a JSON string, or `null`.
fn json_option(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => json_string(out, text),
        None => out.extend_from_slice(b"null"),
    }
}

/// Appends `text` as a JSON string literal, escaped exactly as `serde_json`
/// escapes it, so the dry run's lines are the same as when serde wrote them.
fn json_string(out: &mut Vec<u8>, text: &str) {
    tcdn::model::json::write_str(text, out);
}

/// Writes the quotas: a table, or `{"url_purge":[…],"path_purge":[…],
/// "url_push":[…]}` with `{"area","batch","total","available"}` each.
pub fn quotas(
    out: &mut impl Write,
    format: OutputArg,
    groups: &[(&str, &Vec<Quota>)],
) -> io::Result<()> {
    match format {
        OutputArg::Json => {
            #[derive(serde::Serialize)]
            struct Entry<'a> {
                area: &'a str,
                batch: i64,
                total: i64,
                available: i64,
            }
            let mut object = serde_json::Map::new();
            for (name, quotas) in groups {
                let entries: Vec<Entry<'_>> = quotas
                    .iter()
                    .map(|q| Entry {
                        area: &q.area,
                        batch: q.batch,
                        total: q.total,
                        available: q.available,
                    })
                    .collect();
                object.insert(
                    (*name).to_owned(),
                    serde_json::to_value(entries).map_err(io::Error::other)?,
                );
            }
            write_versioned(out, &object)
        }
        OutputArg::Text => {
            writeln!(
                out,
                "{:<12} {:<10} {:>7} {:>7} {:>10}",
                "QUOTA", "AREA", "BATCH", "TOTAL", "AVAILABLE"
            )?;
            for (name, quotas) in groups {
                let label = name.replace('_', " ");
                for q in quotas.iter() {
                    writeln!(
                        out,
                        "{label:<12} {:<10} {:>7} {:>7} {:>10}",
                        printable(&q.area),
                        q.batch,
                        q.total,
                        q.available
                    )?;
                }
            }
            Ok(())
        }
    }
}

/// Writes task logs: a table, or `{"tasks":[{"task_id","kind","url",
/// "status","percent"?,"create_time"}…]}`.
pub fn task_logs(out: &mut impl Write, format: OutputArg, logs: &[TaskLog]) -> io::Result<()> {
    match format {
        OutputArg::Json => {
            #[derive(serde::Serialize)]
            struct Tasks<'a> {
                tasks: &'a [TaskLog],
            }
            write_versioned(out, &Tasks { tasks: logs })
        }
        OutputArg::Text => {
            for log in logs {
                let kind = match log.kind {
                    tcdn::wait::TaskKind::Push => "push",
                    _ => "purge",
                };
                let percent = log.percent.map(|p| format!(" {p}%")).unwrap_or_default();
                writeln!(
                    out,
                    "{} {kind} {}{percent} {} ({})",
                    printable(&log.task_id),
                    printable(&log.status),
                    printable(&log.url),
                    printable(&log.create_time)
                )?;
            }
            Ok(())
        }
    }
}

pub fn verb(operation: Operation) -> &'static str {
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

/// Where a submission went: areas of the CDN, or EdgeOne's zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The CDN's areas (none: the default).
    Areas(Option<Areas>),
    /// EdgeOne: each URL's zone.
    Zones,
}

fn areas_text(operation: Operation, place: Place) -> &'static str {
    let areas = match place {
        Place::Areas(areas) => areas,
        Place::Zones => return "their EdgeOne zones",
    };
    match (operation, areas) {
        (_, Some(Areas::Mainland)) => "mainland China",
        (_, Some(Areas::Oversea)) => "outside mainland China",
        (_, Some(Areas::Both)) => "mainland China and overseas",
        (Operation::PushUrls, None) => "mainland China (the default area)",
        (_, None) => "each domain's own region",
    }
}

/// What decided a failure: its task's status (after a wait), the API's
/// code, the HTTP status, no answer at all, or nothing sent.
fn failure_label(failure: &Failure) -> String {
    if let Some(status) = &failure.status {
        return format!("status {status}");
    }
    match (
        failure.code,
        failure.module_code,
        &failure.error_code,
        failure.http_status,
    ) {
        (Some(code), Some(module), _, _) => format!("code {code}, module {module}"),
        (Some(code), None, _, _) => format!("code {code}"),
        (None, _, Some(code), _) => code.clone(),
        (None, _, None, Some(status)) => format!("HTTP {status}"),
        (None, _, None, None) if failure.sent => "no answer".to_owned(),
        (None, _, None, None) => "not sent".to_owned(),
    }
}

/// One URL, or a run of them: `N URLs from FIRST to LAST`.
fn urls_text<'a>(operation: Operation, urls: impl ExactSizeIterator<Item = &'a CdnUrl>) -> String {
    let count = urls.len();
    let mut urls = urls;
    let first = urls.next().map_or("", CdnUrl::as_str);
    match urls.last() {
        None => first.to_owned(),
        Some(last) => format!("{count} {} from {first} to {last}", noun(operation, count)),
    }
}

/// Writes a report's line of one task: `task ID (ACTION): N NOUN`.
pub(crate) fn task_line(
    out: &mut impl Write,
    task_id: &str,
    action: &str,
    count: usize,
    noun: &str,
) -> io::Result<()> {
    writeln!(
        out,
        "task {} ({action}): {count} {noun}",
        printable(task_id)
    )
}

/// Writes the final report.
pub fn report(
    out: &mut impl Write,
    format: OutputArg,
    operation: Operation,
    place: Place,
    report: &Report,
) -> io::Result<()> {
    match format {
        OutputArg::Json => write_versioned(out, report),
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
                areas_text(operation, place),
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
                // A host's refused URLs take one line, wherever they were.
                let (hosts, others) = crate::refused_hosts::split(&report.failed, operation);
                for group in &hosts {
                    let noun = noun(operation, group.len());
                    crate::refused_hosts::write_group(out, operation, noun, group)?;
                }
                // Identical failures in a row (a batch's) take one line.
                let mut rest = others.as_slice();
                while let Some(first) = rest.first().copied() {
                    let same = rest
                        .iter()
                        .take_while(|f| {
                            f.message == first.message
                                && f.maybe_applied == first.maybe_applied
                                && failure_label(f) == failure_label(first)
                        })
                        .count();
                    let (group, tail) = rest.split_at(same);
                    rest = tail;
                    let unknown = if first.maybe_applied {
                        " (outcome unknown: may have been applied)"
                    } else {
                        ""
                    };
                    writeln!(
                        out,
                        "  {} ({}): {}{unknown}",
                        urls_text(operation, group.iter().map(|f| &f.url)),
                        printable(&failure_label(first)),
                        printable(&first.message)
                    )?;
                }
            }
            if not_sent > 0 {
                writeln!(out, "NOT SENT {not_sent} {}:", noun(operation, not_sent))?;
                let mut rest = report.not_sent.as_slice();
                while let Some(first) = rest.first() {
                    let same = rest.iter().take_while(|n| n.reason == first.reason).count();
                    let (group, tail) = rest.split_at(same);
                    rest = tail;
                    writeln!(
                        out,
                        "  {}: {}",
                        urls_text(operation, group.iter().map(|n| &n.url)),
                        first.reason
                    )?;
                }
            }
            for task in &report.tasks {
                let count = task.urls.len();
                task_line(
                    out,
                    &task.task_id,
                    task.action,
                    count,
                    noun(operation, count),
                )?;
            }
            for task in report
                .tasks
                .iter()
                .filter(|t| !tcdn::wait::can_wait_on(&t.task_id))
            {
                writeln!(
                    out,
                    "warning: the server named a task \"{}\" that cannot be looked up (empty, \
                     with a control or format character, or over 128 bytes): its {} {} cannot \
                     be waited on",
                    tcdn::shown_id(&task.task_id),
                    task.urls.len(),
                    noun(operation, task.urls.len())
                )?;
            }
            Ok(())
        }
    }
}

/// Writes the report of `tcdn wait`: as [`report`]'s JSON document, or as
/// its text under a first line of its own (`wait: N of M URLs done`), with
/// a line for each task not found.
pub fn wait_report(out: &mut impl Write, format: OutputArg, report: &Report) -> io::Result<()> {
    let operation = if report
        .tasks
        .iter()
        .all(|t| tcdn::wait::TaskKind::of_action(t.action) == tcdn::wait::TaskKind::Push)
    {
        Operation::PushUrls
    } else {
        Operation::FlushUrls
    };
    if format == OutputArg::Json {
        return self::report(out, format, operation, Place::Areas(None), report);
    }
    let mut text = Vec::new();
    self::report(&mut text, format, operation, Place::Areas(None), report)?;
    let rest = text
        .iter()
        .position(|&b| b == b'\n')
        .map_or(&text[..0], |end| &text[end + 1..]);
    let ok = report.succeeded.len();
    let total = ok + report.failed.len() + report.not_sent.len();
    writeln!(
        out,
        "wait: {ok} of {total} {} done ({} {})",
        noun(operation, total),
        report.tasks.len(),
        if report.tasks.len() == 1 {
            "task"
        } else {
            "tasks"
        }
    )?;
    out.write_all(rest)?;
    for task in &report.unknown_tasks {
        writeln!(
            out,
            "task {}: {}",
            tcdn::shown_id(&task.task_id),
            task.message
        )?;
    }
    Ok(())
}
