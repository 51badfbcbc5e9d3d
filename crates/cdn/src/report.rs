//! What a submission came to: a [`Report`] with every input URL exactly once
//! (in `succeeded`, `failed` or `not_sent`), the tasks the server created,
//! and per-batch details; and the [`CallOutcome`] of one call.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use tcdn_model::v2::Envelope;
use tcdn_model::{CdnUrl, Operation};

use crate::error::CallError;
pub use crate::error::NotSentReason;

/// A successful [`Client::call`](crate::Client::call).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub struct CallOutcome {
    /// The success envelope (`code` 0); under API 3.0, a plain success
    /// envelope (the answer is in `task_id` and `request_id`).
    pub envelope: Envelope,
    /// The task the server created (API 3.0's `TaskId`).
    pub task_id: Option<String>,
    /// The server's id of the answer (API 3.0's `RequestId`).
    pub request_id: Option<String>,
    /// Attempts made, the successful one included.
    pub attempts: u32,
    /// HTTP requests handed to the transport.
    pub requests_sent: usize,
}

/// A URL that was sent and not flushed or pushed, and the answer that
/// decided it.
///
/// Serializes as `{"url","code","module_code"?,"message","request_id"?,
/// "task_id"?,"status"?,"maybe_applied"}`: `code` is the API 2.0 integer code, or the API's string
/// code for APIs that name errors by string, or `null` when no answer had
/// one.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The URL.
    pub url: CdnUrl,
    /// The API 2.0 `code`, when the server answered with one.
    pub code: Option<i64>,
    /// The API 2.0 module code (`(9110)…`), when there was one.
    pub module_code: Option<i64>,
    /// The API's error code as text (API 3.0's
    /// `LimitExceeded.CdnPurgeUrlExceedDayLimit`), when it names errors so.
    pub error_code: Option<String>,
    /// The server's id of the deciding answer (API 3.0's `RequestId`).
    pub request_id: Option<String>,
    /// The task the URL was accepted in, when it failed afterwards (its task
    /// ended `fail` or `invalid`, or had not finished, in a
    /// [`wait`](crate::Client::wait)).
    pub task_id: Option<String>,
    /// What happened, fit to show a user.
    pub message: String,
    /// The status its task's log last gave, when a
    /// [`wait`](crate::Client::wait) decided the failure: `fail`,
    /// `invalid`, `process` (still running), or `unknown` (never seen).
    pub status: Option<String>,
    /// Whether an attempt may have reached the server without its answer
    /// coming back: the URL may have been flushed or pushed after all.
    pub maybe_applied: bool,
    /// The HTTP status of the deciding answer, when there was one (not
    /// serialized: `message` starts with it when it was not a 2xx).
    pub http_status: Option<u16>,
    /// Whether any request carried the URL (`false`: refused before
    /// sending, e.g. too long for any request; not serialized).
    pub sent: bool,
}

impl Failure {
    /// Each URL of a failed call gets the call's error.
    pub(crate) fn from_error(url: CdnUrl, error: &CallError) -> Self {
        Self {
            code: error.code(),
            module_code: error.module_code(),
            error_code: error.error_code().map(str::to_owned),
            request_id: error.request_id().map(str::to_owned),
            maybe_applied: error.maybe_applied(),
            http_status: error.http_status(),
            sent: error.requests_sent() > 0,
            ..Self::unsent(url, error.to_string())
        }
    }

    /// A URL refused before anything was sent.
    pub(crate) fn unsent(url: CdnUrl, message: String) -> Self {
        Self {
            url,
            code: None,
            module_code: None,
            error_code: None,
            request_id: None,
            task_id: None,
            message,
            status: None,
            maybe_applied: false,
            http_status: None,
            sent: false,
        }
    }
}

impl Serialize for Failure {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(untagged)]
        enum Code<'a> {
            Number(i64),
            Text(&'a str),
        }
        let code = match (self.code, &self.error_code) {
            (Some(code), _) => Some(Code::Number(code)),
            (None, Some(text)) => Some(Code::Text(text)),
            (None, None) => None,
        };
        let fields = 4
            + usize::from(self.module_code.is_some())
            + usize::from(self.request_id.is_some())
            + usize::from(self.task_id.is_some())
            + usize::from(self.status.is_some());
        let mut out = serializer.serialize_struct("Failure", fields)?;
        out.serialize_field("url", &self.url)?;
        out.serialize_field("code", &code)?;
        if let Some(module_code) = self.module_code {
            out.serialize_field("module_code", &module_code)?;
        }
        out.serialize_field("message", &self.message)?;
        if let Some(request_id) = &self.request_id {
            out.serialize_field("request_id", request_id)?;
        }
        if let Some(task_id) = &self.task_id {
            out.serialize_field("task_id", task_id)?;
        }
        if let Some(status) = &self.status {
            out.serialize_field("status", status)?;
        }
        out.serialize_field("maybe_applied", &self.maybe_applied)?;
        out.end()
    }
}

/// A URL that was never sent, and why.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotSent {
    /// The URL.
    pub url: CdnUrl,
    /// Why it was not sent.
    pub reason: NotSentReason,
}

/// A task the server created for accepted URLs (APIs that name tasks:
/// API 3.0's `TaskId`; API 2.0 names none).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    /// The server's task id.
    pub task_id: String,
    /// The API action that created it.
    pub action: &'static str,
    /// Its URLs, in input order.
    pub urls: Vec<CdnUrl>,
    /// The EdgeOne zone it was created in (not serialized when absent: the
    /// CDN has no zones).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<String>,
}

/// A task waited on by its id ([`Client::wait_tasks`](crate::Client::wait_tasks))
/// whose URLs are unknown: no lookup found it.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownTask {
    /// The task id asked for.
    pub task_id: String,
    /// Why it is unknown (no such task, or its lookups failed).
    pub message: String,
}

/// What happened to one batch (one call, retries included).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchReport {
    /// The batch's position in the plan, from 0.
    pub index: usize,
    /// The operation.
    pub operation: Operation,
    /// The API action called.
    pub action: &'static str,
    /// How many URLs it carried.
    pub url_count: usize,
    /// Attempts made.
    pub attempts: u32,
    /// HTTP requests sent for it.
    pub requests: usize,
    /// `None` when it succeeded, else why it failed.
    pub error: Option<CallError>,
}

/// The outcome of [`Client::submit`](crate::Client::submit): every distinct
/// input URL appears exactly once, in `succeeded`, in `failed` or in
/// `not_sent`.
///
/// Serializes (serde) as
/// `{"succeeded":[url…],"failed":[Failure…],"not_sent":[{"url","reason"}…],
/// "requests":N,"tasks":[{"task_id","action","urls"}…]}` (see [`Failure`]
/// for its fields), and `"unknown_tasks":[{"task_id","message"}…]` when a
/// wait by task id found a task unknown; the per-batch details and the duplicate count are not
/// serialized.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Report {
    /// URLs accepted by the server, in input order.
    pub succeeded: Vec<CdnUrl>,
    /// URLs that were sent, or refused before sending, and failed, in input
    /// order.
    pub failed: Vec<Failure>,
    /// URLs never sent, in input order.
    pub not_sent: Vec<NotSent>,
    /// HTTP requests sent, retries and lookups included.
    pub requests: usize,
    /// The tasks the server created, in plan order.
    pub tasks: Vec<Task>,
    /// Tasks waited on by id that no lookup found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_tasks: Vec<UnknownTask>,
    /// Duplicate input URLs dropped (the first occurrence was kept).
    #[serde(skip)]
    pub duplicates_skipped: usize,
    /// Each batch, in plan order.
    #[serde(skip)]
    pub batches: Vec<BatchReport>,
}

impl Report {
    /// Whether every URL succeeded (and every task waited on by id was
    /// found).
    pub fn is_success(&self) -> bool {
        self.failed.is_empty() && self.not_sent.is_empty() && self.unknown_tasks.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_serializes_the_code_it_has() {
        let url: CdnUrl = "https://a.example/x".parse().unwrap();
        let mut failure = Failure::unsent(url, "no".into());
        let json = |f: &Failure| serde_json::to_value(f).unwrap();
        assert_eq!(
            json(&failure),
            serde_json::json!({"url":"https://a.example/x","code":null,"message":"no","maybe_applied":false})
        );
        failure.code = Some(4000);
        failure.module_code = Some(9110);
        assert_eq!(json(&failure)["code"], 4000);
        assert_eq!(json(&failure)["module_code"], 9110);
        failure.code = None;
        failure.module_code = None;
        failure.error_code = Some("LimitExceeded.CdnPurgeUrlExceedDayLimit".into());
        failure.request_id = Some("req-1".into());
        failure.maybe_applied = true;
        assert_eq!(
            json(&failure),
            serde_json::json!({
                "url":"https://a.example/x",
                "code":"LimitExceeded.CdnPurgeUrlExceedDayLimit",
                "message":"no",
                "request_id":"req-1",
                "maybe_applied":true
            })
        );
    }

    #[test]
    fn an_empty_report_lists_every_key() {
        let json = serde_json::to_value(Report::default()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"succeeded":[],"failed":[],"not_sent":[],"requests":0,"tasks":[]})
        );
    }
}
