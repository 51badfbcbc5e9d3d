//! The API 2.0 response envelope, parsed leniently.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::text::{body_snippet, json_type};
use crate::v2::codes::{CommonCode, ModuleCode, Retryability};

/// The `codeDesc` field, which the service sends as a string (`"Success"`,
/// `"9110"`) or as a number (`9110`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeDesc {
    /// A string `codeDesc`.
    Text(String),
    /// A numeric `codeDesc`.
    Number(i64),
}

impl CodeDesc {
    /// The number it carries: a `Number`, or a `Text` that is an integer.
    pub fn as_number(&self) -> Option<i64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Text(text) => parse_integer(text),
        }
    }
}

impl fmt::Display for CodeDesc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(text) => f.write_str(text),
            Self::Number(n) => write!(f, "{n}"),
        }
    }
}

impl Serialize for CodeDesc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Text(text) => serializer.serialize_str(text),
            Self::Number(n) => serializer.serialize_i64(*n),
        }
    }
}

/// An API 2.0 response: `{"code":0,"message":"","codeDesc":"Success"}` and
/// its variants.
///
/// Parsing ([`Envelope::from_slice`], or serde through `TryFrom<Value>`) is
/// lenient about everything except what decides success:
/// - `code` must be an integer, or a string holding one. When `code` is
///   absent, the legacy `retcode` stands in for it; with neither, parsing
///   fails ([`EnvelopeErrorKind::MissingCode`]).
/// - `message` may be a string, `null` or absent (empty); any other JSON is
///   kept as its JSON text.
/// - `codeDesc` may be a string, an integer, `null` or absent; any other JSON
///   is kept as text.
/// - `data` may be anything (`[]`, `{}`, ...) or absent; `null` is absent.
/// - `retcode` (integer) and `errmsg` (string) are kept when they have those
///   types; unknown fields are ignored.
///
/// The module code is read from a `(NNNN)` prefix of `message` first, then
/// from a numeric `codeDesc`: see [`module_code`](Self::module_code).
///
/// Serialization writes `code`, `message`, then `codeDesc`, `data`, `retcode`
/// and `errmsg` when present, so what the emulator writes parses back to the
/// same value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Value")]
pub struct Envelope {
    code: i64,
    message: String,
    #[serde(rename = "codeDesc", skip_serializing_if = "Option::is_none")]
    code_desc: Option<CodeDesc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retcode: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errmsg: Option<String>,
}

impl Envelope {
    /// The success envelope: `{"code":0,"message":"","codeDesc":"Success"}`.
    pub fn success() -> Self {
        Self {
            code: 0,
            message: String::new(),
            code_desc: Some(CodeDesc::Text("Success".to_owned())),
            data: None,
            retcode: None,
            errmsg: None,
        }
    }

    /// An error envelope in the shape of the action page's example:
    /// `{"code":4000,"message":"(9110)text","codeDesc":"9110"}`. Without a
    /// module code, `message` is `text` and `codeDesc` is absent, like the
    /// common error example `{"code":5100,"message":"…"}`.
    pub fn error(code: CommonCode, module: Option<ModuleCode>, text: &str) -> Self {
        let (message, code_desc) = match module {
            Some(module) => (
                format!("({}){text}", module.code()),
                Some(CodeDesc::Text(module.code().to_string())),
            ),
            None => (text.to_owned(), None),
        };
        Self {
            code: code.code(),
            message,
            code_desc,
            data: None,
            retcode: None,
            errmsg: None,
        }
    }

    /// Replaces `codeDesc`.
    pub fn with_code_desc(mut self, code_desc: Option<CodeDesc>) -> Self {
        self.code_desc = code_desc;
        self
    }

    /// Replaces `data`.
    pub fn with_data(mut self, data: Option<Value>) -> Self {
        self.data = data;
        self
    }

    /// Adds the legacy `retcode`/`errmsg` pair.
    pub fn with_legacy(mut self, retcode: i64, errmsg: impl Into<String>) -> Self {
        self.retcode = Some(retcode);
        self.errmsg = Some(errmsg.into());
        self
    }

    /// Parses a response body. See the type docs for what is tolerated.
    ///
    /// ```
    /// use tcdn_model::v2::{Envelope, EnvelopeErrorKind, ModuleCode, Retryability};
    ///
    /// let ok = Envelope::from_slice(br#"{"code":0,"message":"","codeDesc":"Success","data":[]}"#)?;
    /// assert!(ok.is_success());
    ///
    /// let err = Envelope::from_slice(
    ///     r#"{"code":4000,"message":"(9110)没有这个域名的信息 cdn no such host","codeDesc":9110}"#
    ///         .as_bytes(),
    /// )?;
    /// assert!(!err.is_success());
    /// assert_eq!(err.module_code(), Some(ModuleCode::NoSuchHost));
    /// assert_eq!(err.retryability(), Some(Retryability::Permanent));
    ///
    /// let html = Envelope::from_slice(b"<html><body>502 Bad Gateway</body></html>").unwrap_err();
    /// assert_eq!(html.kind(), EnvelopeErrorKind::NotJson);
    /// assert!(html.snippet().starts_with("<html>"));
    /// # Ok::<(), tcdn_model::v2::EnvelopeError>(())
    /// ```
    pub fn from_slice(body: &[u8]) -> Result<Self, EnvelopeError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(EnvelopeError::new(
                EnvelopeErrorKind::EmptyBody,
                body,
                "the body is empty".to_owned(),
            ));
        }
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            EnvelopeError::new(
                EnvelopeErrorKind::NotJson,
                body,
                format!("the body is not valid JSON ({e})"),
            )
        })?;
        Self::from_value(value).map_err(|(kind, detail)| EnvelopeError::new(kind, body, detail))
    }

    fn from_value(value: Value) -> Result<Self, (EnvelopeErrorKind, String)> {
        let Value::Object(mut fields) = value else {
            return Err((
                EnvelopeErrorKind::NotAnObject,
                format!("the JSON is {}, not an object", json_type(&value)),
            ));
        };
        let retcode = fields.get("retcode").and_then(integer);
        let code = match fields.get("code") {
            Some(Value::Null) | None => retcode.ok_or((
                EnvelopeErrorKind::MissingCode,
                "the object has neither `code` nor `retcode`".to_owned(),
            ))?,
            Some(code) => integer(code).ok_or_else(|| {
                (
                    EnvelopeErrorKind::InvalidCode,
                    format!("`code` is {code}, not an integer"),
                )
            })?,
        };
        let message = match fields.remove("message") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(text)) => text,
            Some(other) => other.to_string(),
        };
        let code_desc = match fields.remove("codeDesc") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(CodeDesc::Text(text)),
            Some(Value::Number(n)) => Some(match n.as_i64() {
                Some(n) => CodeDesc::Number(n),
                None => CodeDesc::Text(n.to_string()),
            }),
            Some(other) => Some(CodeDesc::Text(other.to_string())),
        };
        let data = match fields.remove("data") {
            None | Some(Value::Null) => None,
            Some(data) => Some(data),
        };
        let errmsg = match fields.remove("errmsg") {
            Some(Value::String(text)) => Some(text),
            _ => None,
        };
        Ok(Self {
            code,
            message,
            code_desc,
            data,
            retcode,
            errmsg,
        })
    }

    /// The common code; `0` is success.
    pub fn code(&self) -> i64 {
        self.code
    }

    /// Whether the request succeeded (`code` is 0).
    pub fn is_success(&self) -> bool {
        self.code == 0
    }

    /// The common error code, or `None` on success.
    pub fn common_code(&self) -> Option<CommonCode> {
        (!self.is_success()).then(|| CommonCode::from_code(self.code))
    }

    /// The `message` text (empty when absent).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The `message` without its `(NNNN)` module-code prefix.
    pub fn message_text(&self) -> &str {
        match split_module_prefix(&self.message) {
            Some((_, rest)) => rest,
            None => &self.message,
        }
    }

    /// The `codeDesc` field.
    pub fn code_desc(&self) -> Option<&CodeDesc> {
        self.code_desc.as_ref()
    }

    /// The `data` field (`[]`, an object, ...), if present and not `null`.
    pub fn data(&self) -> Option<&Value> {
        self.data.as_ref()
    }

    /// The legacy `retcode`.
    pub fn retcode(&self) -> Option<i64> {
        self.retcode
    }

    /// The legacy `errmsg`.
    pub fn errmsg(&self) -> Option<&str> {
        self.errmsg.as_deref()
    }

    /// The module code: the integer in parentheses at the start of `message`
    /// (`"(9110)…"`, also `"(-9009)…"`), else a numeric `codeDesc` (`9110`
    /// or `"9110"`). On success there is none.
    pub fn module_code(&self) -> Option<ModuleCode> {
        if self.is_success() {
            return None;
        }
        split_module_prefix(&self.message)
            .map(|(code, _)| code)
            .or_else(|| self.code_desc.as_ref().and_then(CodeDesc::as_number))
            .map(ModuleCode::from_code)
    }

    /// What to do about a failure (`None` on success): the module code's
    /// class when the module code is catalogued (it is the more specific,
    /// e.g. a daily quota under 4400), else the common code's class.
    pub fn retryability(&self) -> Option<Retryability> {
        let common = self.common_code()?;
        match self.module_code().map(ModuleCode::retryability) {
            Some(class) if class != Retryability::Unknown => Some(class),
            _ => Some(common.retryability()),
        }
    }
}

impl TryFrom<Value> for Envelope {
    type Error = EnvelopeError;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        let text = value.to_string();
        Self::from_value(value)
            .map_err(|(kind, detail)| EnvelopeError::new(kind, text.as_bytes(), detail))
    }
}

/// `(code)rest` at the start of a message (after leading whitespace).
fn split_module_prefix(message: &str) -> Option<(i64, &str)> {
    let inner = message.trim_start().strip_prefix('(')?;
    let (number, rest) = inner.split_once(')')?;
    Some((parse_integer(number)?, rest))
}

/// A decimal integer with an optional `-`, nothing else.
fn parse_integer(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(text) => parse_integer(text.trim()),
        _ => None,
    }
}

/// Why a response body is not an envelope.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnvelopeErrorKind {
    /// The body is empty or only whitespace.
    EmptyBody,
    /// The body is not JSON (an HTML error page, the seed's mixed quotes, ...).
    NotJson,
    /// The body is JSON but not an object.
    NotAnObject,
    /// The object has neither `code` nor `retcode`.
    MissingCode,
    /// `code` is not an integer.
    InvalidCode,
}

/// A body that could not be read as an envelope, with a short snippet of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeError {
    kind: EnvelopeErrorKind,
    snippet: String,
    detail: String,
}

impl EnvelopeError {
    fn new(kind: EnvelopeErrorKind, body: &[u8], detail: String) -> Self {
        Self {
            kind,
            snippet: body_snippet(body),
            detail,
        }
    }

    /// The class of the error.
    pub fn kind(&self) -> EnvelopeErrorKind {
        self.kind
    }

    /// The start of the body: at most [`SNIPPET_MAX_CHARS`](crate::SNIPPET_MAX_CHARS) characters, cut
    /// on a character boundary, with `…` appended when cut, invalid UTF-8
    /// replaced by `U+FFFD` and control characters (newlines too) turned into
    /// spaces so that it fits on one log line.
    pub fn snippet(&self) -> &str {
        &self.snippet
    }
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unreadable response: {}; a v2 response is a JSON object with an integer `code`; \
             body starts with {:?}",
            self.detail, self.snippet
        )
    }
}

impl std::error::Error for EnvelopeError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_prefix_forms() {
        assert_eq!(
            split_module_prefix("(9110)no host"),
            Some((9110, "no host"))
        );
        assert_eq!(split_module_prefix(" (-9009)x"), Some((-9009, "x")));
        assert_eq!(split_module_prefix("(abc)x"), None);
        assert_eq!(split_module_prefix("(+1)x"), None);
        assert_eq!(split_module_prefix("no (9110) prefix"), None);
        assert_eq!(split_module_prefix("(9110"), None);
    }

    #[test]
    fn error_builder_matches_the_documented_shape() {
        let env = Envelope::error(
            CommonCode::InvalidParameter,
            Some(ModuleCode::NoSuchHost),
            "没有这个域名的信息 cdn no such host",
        );
        assert_eq!(
            serde_json::to_string(&env).unwrap(),
            r#"{"code":4000,"message":"(9110)没有这个域名的信息 cdn no such host","codeDesc":"9110"}"#
        );
        assert_eq!(env.message_text(), "没有这个域名的信息 cdn no such host");
        assert_eq!(
            serde_json::to_string(&Envelope::success()).unwrap(),
            r#"{"code":0,"message":"","codeDesc":"Success"}"#
        );
    }

    #[test]
    fn retryability_prefers_a_known_module_code() {
        let daily = Envelope::error(
            CommonCode::QuotaExceeded,
            Some(ModuleCode::PurgeUrlDailyQuotaExceeded),
            "quota",
        );
        assert_eq!(daily.retryability(), Some(Retryability::NotToday));
        let unknown = Envelope::error(CommonCode::QuotaExceeded, Some(ModuleCode::Other(1)), "?");
        assert_eq!(unknown.retryability(), Some(Retryability::Retryable));
        assert_eq!(Envelope::success().retryability(), None);
    }
}
