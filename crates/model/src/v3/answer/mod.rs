//! API 3.0 answers: the `{"Response": …}` envelope, read leniently into a
//! typed [`Answer`], and written back in the official shapes.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

mod domains;

pub use domains::{BriefDomain, Domains};

use crate::text::body_snippet;
use crate::v3::codes::{ApiError, ErrorCode};
use crate::v3::types::{Area, FlushType, PurgeType, TaskStatus};

/// Why a body is not a readable API 3.0 answer.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnswerErrorKind {
    /// The body is empty or only whitespace.
    EmptyBody,
    /// The body is not JSON (an HTML error page, a truncated body, …).
    NotJson,
    /// The body is JSON but not an object with a `Response` object.
    NoResponse,
    /// `Response.Error` is there but has no string `Code`.
    InvalidError,
    /// A field the answer requires is missing (or `null`).
    MissingField,
    /// A field has the wrong JSON type.
    InvalidField,
}

/// A body that could not be read as an answer: its kind, what was wrong
/// (naming the field) and a short snippet of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerError {
    kind: AnswerErrorKind,
    detail: String,
    snippet: String,
}

impl AnswerError {
    fn new(kind: AnswerErrorKind, detail: String, body: &[u8]) -> Self {
        Self {
            kind,
            detail,
            snippet: body_snippet(body),
        }
    }

    /// The class of the error.
    pub fn kind(&self) -> AnswerErrorKind {
        self.kind
    }

    /// What was wrong, naming the field (`Response.PurgeLogs.2.Url is
    /// missing`).
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The start of the body: at most [`SNIPPET_MAX_CHARS`](crate::SNIPPET_MAX_CHARS) characters on one
    /// line (as [`EnvelopeError::snippet`](crate::v2::EnvelopeError::snippet)).
    pub fn snippet(&self) -> &str {
        &self.snippet
    }
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unreadable API 3.0 answer: {}; body starts with {:?}",
            self.detail, self.snippet
        )
    }
}

impl std::error::Error for AnswerError {}

/// A field error before the body is attached.
pub(crate) type FieldError = (AnswerErrorKind, String);

pub(crate) use sealed::Fields;

impl<'a> Fields<'a> {
    pub(crate) fn get(&self, name: &str) -> Option<&'a Value> {
        self.object.get(name).filter(|v| !v.is_null())
    }

    pub(crate) fn path(&self, name: &str) -> String {
        format!("{}.{name}", self.path)
    }

    pub(crate) fn missing(&self, name: &str) -> FieldError {
        (
            AnswerErrorKind::MissingField,
            format!("{} is missing", self.path(name)),
        )
    }

    pub(crate) fn invalid(&self, name: &str, want: &str) -> FieldError {
        (
            AnswerErrorKind::InvalidField,
            format!("{} is not {want}", self.path(name)),
        )
    }

    pub(crate) fn string(&self, name: &str) -> Result<String, FieldError> {
        self.optional_string(name)?
            .ok_or_else(|| self.missing(name))
    }

    pub(crate) fn optional_string(&self, name: &str) -> Result<Option<String>, FieldError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            // Numbers stand for ids now and then: keep their text when it
            // is exact (an integer beyond 64 bits would have been rounded).
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(Some(n.to_string())),
            Some(Value::Number(_)) => Err(self.invalid(
                name,
                "a string (it is a number too large or fractional to keep exactly)",
            )),
            Some(_) => Err(self.invalid(name, "a string")),
        }
    }

    pub(crate) fn integer(&self, name: &str) -> Result<i64, FieldError> {
        match self.get(name) {
            None => Err(self.missing(name)),
            Some(Value::Number(n)) => n.as_i64().ok_or_else(|| self.invalid(name, "an integer")),
            Some(Value::String(text)) => text
                .trim()
                .parse()
                .map_err(|_| self.invalid(name, "an integer")),
            Some(_) => Err(self.invalid(name, "an integer")),
        }
    }

    /// A task list `name` and `TotalCount`, both required; a `null` list
    /// reads as empty.
    fn task_list<T>(
        &self,
        name: &str,
        read: impl Fn(&Fields<'_>) -> Result<T, FieldError>,
    ) -> Result<(Vec<T>, i64), FieldError> {
        if !self.object.contains_key(name) {
            return Err(self.missing(name));
        }
        let items = self.objects(name, read)?.unwrap_or_default();
        Ok((items, self.integer("TotalCount")?))
    }

    /// A list of objects; absent or `null` is `None`.
    pub(crate) fn objects<T>(
        &self,
        name: &str,
        read: impl Fn(&Fields<'_>) -> Result<T, FieldError>,
    ) -> Result<Option<Vec<T>>, FieldError> {
        let items = match self.get(name) {
            None => return Ok(None),
            Some(Value::Array(items)) => items,
            Some(_) => return Err(self.invalid(name, "an array")),
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let path = format!("{}.{i}", self.path(name));
                match item {
                    Value::Object(object) => read(&Fields { path, object }),
                    _ => Err((
                        AnswerErrorKind::InvalidField,
                        format!("{path} is not an object"),
                    )),
                }
            })
            .collect::<Result<Vec<T>, _>>()
            .map(Some)
    }
}

pub(crate) mod sealed {
    use serde_json::{Map, Value};

    pub trait Sealed {}

    /// Reads fields of one JSON object, naming them by their path.
    #[derive(Debug)]
    pub struct Fields<'a> {
        pub(super) path: String,
        pub(super) object: &'a Map<String, Value>,
    }
}

/// The success payload of an answer: read from, and written into,
/// `Response` beside `RequestId`.
pub trait AnswerBody: sealed::Sealed + Sized {
    #[doc(hidden)]
    fn read(fields: &Fields<'_>) -> Result<Self, FieldError>;
    #[doc(hidden)]
    fn write(&self, response: &mut Vec<(&'static str, Value)>);
}

/// The answer of `PurgeUrlsCache`, `PurgePathCache` and `PushUrlsCache`:
/// the `TaskId` shared by the batch (opaque text).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaskSubmitted {
    /// `TaskId`.
    pub task_id: String,
}

impl sealed::Sealed for TaskSubmitted {}
impl AnswerBody for TaskSubmitted {
    fn read(fields: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(Self {
            task_id: fields.string("TaskId")?,
        })
    }

    fn write(&self, response: &mut Vec<(&'static str, Value)>) {
        response.push(("TaskId", Value::from(self.task_id.as_str())));
    }
}

/// One log of `DescribePurgeTasks` (`PurgeLogs` item). Enumerated fields are
/// kept as sent, with typed readers that give `None` for a value this crate
/// does not know.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PurgeLog {
    /// `TaskId`.
    pub task_id: String,
    /// `Url`, as the server reports it.
    pub url: String,
    /// `Status`: `fail`, `done` or `process`.
    pub status: String,
    /// `PurgeType`: `url` or `path`.
    pub purge_type: String,
    /// `FlushType`: `flush` (directories only) or `delete`.
    pub flush_type: String,
    /// `CreateTime`, `YYYY-MM-DD HH:MM:SS`.
    pub create_time: String,
}

impl PurgeLog {
    /// [`status`](Self::status) as a [`TaskStatus`].
    pub fn task_status(&self) -> Option<TaskStatus> {
        TaskStatus::from_wire(&self.status)
    }

    /// [`purge_type`](Self::purge_type) as a [`PurgeType`].
    pub fn purge_kind(&self) -> Option<PurgeType> {
        PurgeType::from_wire(&self.purge_type)
    }

    /// [`flush_type`](Self::flush_type) as a [`FlushType`].
    pub fn flush_kind(&self) -> Option<FlushType> {
        FlushType::from_wire(&self.flush_type)
    }

    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(Self {
            task_id: f.string("TaskId")?,
            url: f.string("Url")?,
            status: f.string("Status")?,
            purge_type: f.string("PurgeType")?,
            flush_type: f.string("FlushType")?,
            create_time: f.string("CreateTime")?,
        })
    }
}

/// One log of `DescribePushTasks` (`PushLogs` item).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PushLog {
    /// `TaskId`.
    pub task_id: String,
    /// `Url`.
    pub url: String,
    /// `Status`: `fail`, `done`, `process` or `invalid`.
    pub status: String,
    /// `Percent`: progress, 0 to 100.
    pub percent: i64,
    /// `CreateTime`.
    pub create_time: String,
    /// `Area`: `mainland`, `overseas` or `global`.
    pub area: String,
    /// `UpdateTime`; the API may send `null`.
    pub update_time: Option<String>,
}

impl PushLog {
    /// [`status`](Self::status) as a [`TaskStatus`].
    pub fn task_status(&self) -> Option<TaskStatus> {
        TaskStatus::from_wire(&self.status)
    }

    /// [`area`](Self::area) as an [`Area`].
    pub fn area_kind(&self) -> Option<Area> {
        Area::from_wire(&self.area)
    }

    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(Self {
            task_id: f.string("TaskId")?,
            url: f.string("Url")?,
            status: f.string("Status")?,
            percent: f.integer("Percent")?,
            create_time: f.string("CreateTime")?,
            area: f.string("Area")?,
            update_time: f.optional_string("UpdateTime")?,
        })
    }
}

/// The answer of `DescribePurgeTasks`. `PurgeLogs` and `TotalCount` are
/// required; a `null` list reads as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PurgeTasks {
    /// `PurgeLogs`.
    pub logs: Vec<PurgeLog>,
    /// `TotalCount`: all matching tasks, for paging.
    pub total_count: i64,
}

impl sealed::Sealed for PurgeTasks {}
impl AnswerBody for PurgeTasks {
    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        let (logs, total_count) = f.task_list("PurgeLogs", PurgeLog::read)?;
        Ok(Self { logs, total_count })
    }

    fn write(&self, response: &mut Vec<(&'static str, Value)>) {
        response.push(("PurgeLogs", to_value(&self.logs)));
        response.push(("TotalCount", Value::from(self.total_count)));
    }
}

/// The answer of `DescribePushTasks`. `PushLogs` and `TotalCount` are
/// required; a `null` list reads as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PushTasks {
    /// `PushLogs`.
    pub logs: Vec<PushLog>,
    /// `TotalCount`.
    pub total_count: i64,
}

impl sealed::Sealed for PushTasks {}
impl AnswerBody for PushTasks {
    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        let (logs, total_count) = f.task_list("PushLogs", PushLog::read)?;
        Ok(Self { logs, total_count })
    }

    fn write(&self, response: &mut Vec<(&'static str, Value)>) {
        response.push(("PushLogs", to_value(&self.logs)));
        response.push(("TotalCount", Value::from(self.total_count)));
    }
}

/// A quota of one operation in one area (`Quota`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Quota {
    /// `Batch`: the most items one call may carry.
    pub batch: i64,
    /// `Total`: the daily quota.
    pub total: i64,
    /// `Available`: what is left of it today.
    pub available: i64,
    /// `Area`: `mainland` or `overseas`.
    pub area: String,
}

impl Quota {
    /// [`area`](Self::area) as an [`Area`].
    pub fn area_kind(&self) -> Option<Area> {
        Area::from_wire(&self.area)
    }

    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(Self {
            batch: f.integer("Batch")?,
            total: f.integer("Total")?,
            available: f.integer("Available")?,
            area: f.string("Area")?,
        })
    }
}

/// The answer of `DescribePurgeQuota`. The API marks neither list as
/// required; absent or `null` reads as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PurgeQuota {
    /// `UrlPurge`.
    pub url_purge: Vec<Quota>,
    /// `PathPurge`.
    pub path_purge: Vec<Quota>,
}

impl sealed::Sealed for PurgeQuota {}
impl AnswerBody for PurgeQuota {
    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(Self {
            url_purge: f.objects("UrlPurge", Quota::read)?.unwrap_or_default(),
            path_purge: f.objects("PathPurge", Quota::read)?.unwrap_or_default(),
        })
    }

    fn write(&self, response: &mut Vec<(&'static str, Value)>) {
        response.push(("UrlPurge", to_value(&self.url_purge)));
        response.push(("PathPurge", to_value(&self.path_purge)));
    }
}

/// The answer of `DescribePushQuota` (`UrlPush`; absent or `null` reads as
/// empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PushQuota {
    /// `UrlPush`.
    pub url_push: Vec<Quota>,
}

impl sealed::Sealed for PushQuota {}
impl AnswerBody for PushQuota {
    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(Self {
            url_push: f.objects("UrlPush", Quota::read)?.unwrap_or_default(),
        })
    }

    fn write(&self, response: &mut Vec<(&'static str, Value)>) {
        response.push(("UrlPush", to_value(&self.url_push)));
    }
}

pub(crate) fn to_value<T: Serialize>(value: &T) -> Value {
    // Serialising these plain structs of strings and integers cannot fail.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// An API 3.0 answer: the `RequestId` and either the action's payload or
/// the server's [`ApiError`].
///
/// Reading ([`Answer::from_slice`]) is lenient: unknown fields are ignored,
/// `null` counts as absent, ids sent as numbers are kept as text, integers
/// sent as strings are read. `Response.Error` decides failure: when present
/// (and not `null`) it must have a string `Code` (`Message` may be absent).
/// A missing `RequestId` is tolerated (`None`); a missing required payload
/// field is an [`AnswerError`] naming it.
///
/// Writing ([`to_json`](Self::to_json)) gives the official shapes, payload
/// fields first and `RequestId` last:
/// `{"Response":{"TaskId":"…","RequestId":"…"}}` and
/// `{"Response":{"Error":{"Code":"…","Message":"…"},"RequestId":"…"}}`.
///
/// ```
/// use tcdn_model::v3::{Answer, ErrorClass, ErrorCode, TaskSubmitted};
///
/// let ok = Answer::<TaskSubmitted>::from_slice(
///     br#"{"Response":{"RequestId":"4d5a83f8","TaskId":"1533045796-i60rfmzm"}}"#,
/// )?;
/// assert_eq!(ok.request_id(), Some("4d5a83f8"));
/// assert_eq!(ok.result().as_ref().unwrap().task_id, "1533045796-i60rfmzm");
///
/// let err = Answer::<TaskSubmitted>::from_slice(
///     br#"{"Response":{"Error":{"Code":"LimitExceeded.CdnPurgeUrlExceedDayLimit","Message":"quota"},"RequestId":"r"}}"#,
/// )?;
/// let error = err.result().as_ref().unwrap_err();
/// assert_eq!(error.code(), &ErrorCode::CdnPurgeUrlExceedDayLimit);
/// assert_eq!(error.class(), ErrorClass::DailyQuota);
/// assert_eq!(
///     err.to_json(),
///     r#"{"Response":{"Error":{"Code":"LimitExceeded.CdnPurgeUrlExceedDayLimit","Message":"quota"},"RequestId":"r"}}"#,
/// );
/// # Ok::<(), tcdn_model::v3::AnswerError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer<T> {
    request_id: Option<String>,
    result: Result<T, ApiError>,
}

impl<T: AnswerBody> Answer<T> {
    /// A success answer.
    pub fn ok(request_id: impl Into<String>, value: T) -> Self {
        Self {
            request_id: Some(request_id.into()),
            result: Ok(value),
        }
    }

    /// An error answer.
    pub fn error(request_id: impl Into<String>, error: ApiError) -> Self {
        Self {
            request_id: Some(request_id.into()),
            result: Err(error),
        }
    }

    /// `RequestId`, when the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The payload or the server's error.
    pub fn result(&self) -> &Result<T, ApiError> {
        &self.result
    }

    /// Takes the payload or the server's error.
    pub fn into_result(self) -> Result<T, ApiError> {
        self.result
    }

    /// Reads a body. See the type's docs for what is tolerated.
    pub fn from_slice(body: &[u8]) -> Result<Self, AnswerError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(AnswerError::new(
                AnswerErrorKind::EmptyBody,
                "the body is empty".to_owned(),
                body,
            ));
        }
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            AnswerError::new(
                AnswerErrorKind::NotJson,
                format!("the body is not valid JSON ({e})"),
                body,
            )
        })?;
        Self::from_value(&value).map_err(|(kind, detail)| AnswerError::new(kind, detail, body))
    }

    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let response = match value.get("Response") {
            Some(Value::Object(response)) => response,
            _ => {
                return Err((
                    AnswerErrorKind::NoResponse,
                    "the body is not an object with a `Response` object".to_owned(),
                ));
            }
        };
        let fields = Fields {
            path: "Response".to_owned(),
            object: response,
        };
        let request_id = fields.optional_string("RequestId")?;
        let result = match fields.get("Error") {
            Some(Value::Object(error)) => {
                let error = Fields {
                    path: "Response.Error".to_owned(),
                    object: error,
                };
                let code = error
                    .string("Code")
                    .map_err(|(_, detail)| (AnswerErrorKind::InvalidError, detail))?;
                let message = error
                    .optional_string("Message")
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                Err(ApiError::new(ErrorCode::from_code(&code), message))
            }
            Some(_) => {
                return Err((
                    AnswerErrorKind::InvalidError,
                    "Response.Error is not an object".to_owned(),
                ));
            }
            None => Ok(T::read(&fields)?),
        };
        Ok(Self { request_id, result })
    }

    /// The body in the official shape (compact JSON).
    pub fn to_json(&self) -> String {
        let mut response: Vec<(&'static str, Value)> = Vec::new();
        match &self.result {
            Ok(value) => value.write(&mut response),
            Err(error) => {
                #[derive(Serialize)]
                #[serde(rename_all = "PascalCase")]
                struct Wire<'a> {
                    code: &'a str,
                    message: &'a str,
                }
                response.push((
                    "Error",
                    to_value(&Wire {
                        code: error.code().as_str(),
                        message: error.message(),
                    }),
                ));
            }
        }
        if let Some(id) = &self.request_id {
            response.push(("RequestId", Value::from(id.as_str())));
        }
        // Written by hand so that the order above holds whatever map type
        // serde_json was built with.
        let mut out = String::from("{\"Response\":{");
        for (i, (name, value)) in response.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            crate::v3::wire::write_json_str(name, &mut out);
            out.push(':');
            out.push_str(&value.to_string());
        }
        out.push_str("}}");
        out
    }
}
