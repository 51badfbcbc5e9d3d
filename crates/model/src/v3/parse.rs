//! The server side: a JSON body or flattened parameters back into a typed
//! [`Request`], refused with the API's own error codes.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::{ModelError, ModelErrorKind, quote};
use crate::text::json_type;
use crate::url::CdnUrl;
use crate::v3::codes::{ApiError, ErrorCode};
use crate::v3::request::{
    DescribeDomains, DescribePurgeQuota, DescribePurgeTasks, DescribePushQuota, DescribePushTasks,
    PurgePaths, PurgeUrls, PushUrls, Request, TaskSelector,
};
use crate::v3::types::{
    Area, DateTime, FlushType, Headers, HttpHeader, Keyword, Layer, PurgeArea, PurgeOptions,
    PurgeStatus, PurgeType, PushOptions, TaskId, TaskStatus, UserAgent,
};
use crate::v3::{Action, DEFAULT_MAX_PURGE_PATHS, MAX_PURGE_URLS, MAX_PUSH_URLS};

/// The per-call limits a server enforces, answered with the
/// `LimitExceeded.*BatchLimit` codes. The default is the API's:
/// 1000 purge URLs, 100 purge paths (the default `PathPurge` quota `Batch`)
/// and 500 push URLs. URL limits above the API's are lowered to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BatchLimits {
    /// URLs per `PurgeUrlsCache`.
    pub purge_urls: usize,
    /// Directories per `PurgePathCache`.
    pub purge_paths: usize,
    /// URLs per `PushUrlsCache`.
    pub push_urls: usize,
}

impl Default for BatchLimits {
    fn default() -> Self {
        Self {
            purge_urls: MAX_PURGE_URLS,
            purge_paths: DEFAULT_MAX_PURGE_PATHS,
            push_urls: MAX_PUSH_URLS,
        }
    }
}

/// The common parameters of a v1 request or TC3 GET, which the flattened
/// parser leaves to the caller (the signature check) and does not read.
pub const COMMON_PARAMS: &[&str] = &[
    "Action",
    "Version",
    "Region",
    "Timestamp",
    "Nonce",
    "SecretId",
    "Signature",
    "SignatureMethod",
    "Token",
    "Language",
    "RequestClient",
];

fn invalid_parameter(message: String) -> ApiError {
    ApiError::new(ErrorCode::InvalidParameter, message)
}

fn invalid_value(field: &str, error: &ModelError) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidParameterValue,
        format!("invalid value of {field}: {error}"),
    )
}

fn missing(field: &str) -> ApiError {
    ApiError::new(
        ErrorCode::MissingParameter,
        format!("the required parameter {field} is missing"),
    )
}

/// A list of header (name, value) pairs, or `None` for a missing half.
type RawHeaders = Vec<(String, String)>;

/// Where a parser reads fields from: a JSON object or flattened parameters.
/// Each `take_*` removes what it reads; [`Source::finish`] refuses the rest.
trait Source {
    fn take_str(&mut self, name: &str) -> Result<Option<String>, ApiError>;
    fn take_bool(&mut self, name: &str) -> Result<Option<bool>, ApiError>;
    fn take_uint(&mut self, name: &str) -> Result<Option<u64>, ApiError>;
    fn take_list(&mut self, name: &str) -> Result<Option<Vec<String>>, ApiError>;
    fn take_headers(&mut self, name: &str) -> Result<Option<RawHeaders>, ApiError>;
    /// The first field no parser read, if any.
    fn leftover(&self) -> Option<String>;

    fn finish(&self) -> Result<(), ApiError> {
        match self.leftover() {
            Some(name) => Err(ApiError::new(
                ErrorCode::UnknownParameter,
                format!(
                    "the parameter {} is not defined for this action",
                    quote(&name)
                ),
            )),
            None => Ok(()),
        }
    }
}

/// A JSON body's top-level object. `null` reads as absent.
struct JsonSource(serde_json::Map<String, Value>);

fn wrong_type(name: &str, want: &str, got: &Value) -> ApiError {
    invalid_parameter(format!(
        "the parameter {name} must be {want}, not {}",
        json_type(got)
    ))
}

impl JsonSource {
    fn take(&mut self, name: &str) -> Option<Value> {
        self.0.remove(name).filter(|v| !v.is_null())
    }
}

impl Source for JsonSource {
    fn take_str(&mut self, name: &str) -> Result<Option<String>, ApiError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(wrong_type(name, "a string", &other)),
        }
    }

    fn take_bool(&mut self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(wrong_type(name, "a boolean", &other)),
        }
    }

    fn take_uint(&mut self, name: &str) -> Result<Option<u64>, ApiError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Number(n)) if n.as_u64().is_some() => Ok(n.as_u64()),
            Some(Value::Number(n)) => Err(ApiError::new(
                ErrorCode::InvalidParameterValue,
                format!("the parameter {name} must be a whole number of at least 0, not {n}"),
            )),
            Some(other) => Err(wrong_type(name, "an integer", &other)),
        }
    }

    fn take_list(&mut self, name: &str) -> Result<Option<Vec<String>>, ApiError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::String(text) => Ok(text),
                    other => Err(wrong_type(&format!("{name}.{i}"), "a string", &other)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(wrong_type(name, "an array of strings", &other)),
        }
    }

    fn take_headers(&mut self, name: &str) -> Result<Option<RawHeaders>, ApiError> {
        let items = match self.take(name) {
            None => return Ok(None),
            Some(Value::Array(items)) => items,
            Some(other) => return Err(wrong_type(name, "an array of objects", &other)),
        };
        let mut headers = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let Value::Object(object) = item else {
                return Err(wrong_type(&format!("{name}.{i}"), "an object", &item));
            };
            let mut object = JsonSource(object);
            let field_name = |field: &str| format!("{name}.{i}.{field}");
            let header_name = object
                .take_str("Name")
                .map_err(|_| invalid_parameter(format!("{} must be a string", field_name("Name"))))?
                .ok_or_else(|| missing(&field_name("Name")))?;
            let value = object
                .take_str("Value")
                .map_err(|_| {
                    invalid_parameter(format!("{} must be a string", field_name("Value")))
                })?
                .ok_or_else(|| missing(&field_name("Value")))?;
            if let Some(extra) = object.leftover() {
                return Err(ApiError::new(
                    ErrorCode::UnknownParameter,
                    format!(
                        "the parameter {} is not defined",
                        quote(&field_name(&extra))
                    ),
                ));
            }
            headers.push((header_name, value));
        }
        Ok(Some(headers))
    }

    fn leftover(&self) -> Option<String> {
        self.0
            .iter()
            .find(|(_, v)| !v.is_null())
            .map(|(k, _)| k.clone())
    }
}

/// Flattened parameters, common ones dropped, each name once.
struct FlatSource(BTreeMap<String, String>);

impl FlatSource {
    fn new<I, K, V>(params: I) -> Result<Self, ApiError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut map = BTreeMap::new();
        for (name, value) in params {
            let name = name.as_ref();
            if COMMON_PARAMS.contains(&name) {
                continue;
            }
            if map
                .insert(name.to_owned(), value.as_ref().to_owned())
                .is_some()
            {
                return Err(invalid_parameter(format!(
                    "the parameter {} appears more than once",
                    quote(name)
                )));
            }
        }
        Ok(Self(map))
    }

    /// Removes the items `{list}.{index}{suffix}` and returns them by index,
    /// checking that the indices are canonical decimals. `suffix` is `""`
    /// for string lists and `.Name`/`.Value` for headers.
    fn take_indexed(
        &mut self,
        list: &str,
    ) -> Result<BTreeMap<usize, Vec<(String, String)>>, ApiError> {
        let prefix = format!("{list}.");
        let keys: Vec<String> = self
            .0
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        let mut items: BTreeMap<usize, Vec<(String, String)>> = BTreeMap::new();
        for key in keys {
            let rest = &key[prefix.len()..];
            let (digits, field) = rest.split_once('.').unwrap_or((rest, ""));
            let canonical = !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && (digits == "0" || !digits.starts_with('0'));
            let index = digits
                .parse::<usize>()
                .ok()
                .filter(|_| canonical)
                .ok_or_else(|| {
                    invalid_parameter(format!(
                        "the parameter name {} is not {list}.N with N a decimal index",
                        quote(&key)
                    ))
                })?;
            let value = self.0.remove(&key).unwrap_or_default();
            items
                .entry(index)
                .or_default()
                .push((field.to_owned(), value));
        }
        if let Some((position, index)) = items
            .keys()
            .enumerate()
            .find(|&(position, &index)| position != index)
        {
            return Err(invalid_parameter(format!(
                "{list}.{position} is missing but {list}.{index} is present; number the items \
                 from 0 without gaps"
            )));
        }
        Ok(items)
    }
}

fn parse_flat_bool(name: &str, value: &str) -> Result<bool, ApiError> {
    if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidParameterValue,
            format!(
                "the parameter {name} is {}; it must be true or false",
                quote(value)
            ),
        ))
    }
}

impl Source for FlatSource {
    fn take_str(&mut self, name: &str) -> Result<Option<String>, ApiError> {
        Ok(self.0.remove(name))
    }

    fn take_bool(&mut self, name: &str) -> Result<Option<bool>, ApiError> {
        self.0
            .remove(name)
            .map(|v| parse_flat_bool(name, &v))
            .transpose()
    }

    fn take_uint(&mut self, name: &str) -> Result<Option<u64>, ApiError> {
        self.0
            .remove(name)
            .map(|v| {
                v.parse::<u64>().ok().filter(|_| v.bytes().all(|b| b.is_ascii_digit())).ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::InvalidParameterValue,
                        format!(
                            "the parameter {name} is {}; it must be a whole number of at least 0",
                            quote(&v)
                        ),
                    )
                })
            })
            .transpose()
    }

    fn take_list(&mut self, name: &str) -> Result<Option<Vec<String>>, ApiError> {
        if let Some(value) = self.0.remove(name) {
            return Err(invalid_parameter(format!(
                "the parameter {name} ({}) must be a list: {name}.0, {name}.1, …",
                quote(&value)
            )));
        }
        let items = self.take_indexed(name)?;
        if items.is_empty() {
            return Ok(None);
        }
        items
            .into_iter()
            .map(|(index, mut fields)| match fields.as_slice() {
                [(field, _)] if field.is_empty() => Ok(fields.remove(0).1),
                _ => Err(invalid_parameter(format!(
                    "{name}.{index} must be a string, not an object"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    fn take_headers(&mut self, name: &str) -> Result<Option<RawHeaders>, ApiError> {
        if let Some(value) = self.0.remove(name) {
            return Err(invalid_parameter(format!(
                "the parameter {name} ({}) must be a list: {name}.0.Name, {name}.0.Value, …",
                quote(&value)
            )));
        }
        let items = self.take_indexed(name)?;
        if items.is_empty() {
            return Ok(None);
        }
        let mut headers = Vec::with_capacity(items.len());
        for (index, fields) in items {
            let (mut header_name, mut value) = (None, None);
            for (field, text) in fields {
                match field.as_str() {
                    "Name" => header_name = Some(text),
                    "Value" => value = Some(text),
                    other => {
                        return Err(ApiError::new(
                            ErrorCode::UnknownParameter,
                            format!(
                                "the parameter {} is not defined",
                                quote(&format!("{name}.{index}.{other}"))
                            ),
                        ));
                    }
                }
            }
            let header_name =
                header_name.ok_or_else(|| missing(&format!("{name}.{index}.Name")))?;
            let value = value.ok_or_else(|| missing(&format!("{name}.{index}.Value")))?;
            headers.push((header_name, value));
        }
        Ok(Some(headers))
    }

    fn leftover(&self) -> Option<String> {
        self.0.keys().next().cloned()
    }
}

fn wire_value<T>(
    name: &str,
    value: Option<String>,
    parse: fn(&str) -> Option<T>,
    choices: &str,
) -> Result<Option<T>, ApiError> {
    value
        .map(|text| {
            parse(&text).ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidParameterValue,
                    format!(
                        "the parameter {name} is {}; it must be {choices}",
                        quote(&text)
                    ),
                )
            })
        })
        .transpose()
}

fn checked<T>(
    field: &str,
    value: Option<String>,
    make: fn(&str) -> Result<T, ModelError>,
) -> Result<Option<T>, ApiError> {
    value
        .map(|text| make(&text).map_err(|e| invalid_value(field, &e)))
        .transpose()
}

fn urls(
    source: &mut dyn Source,
    field: &'static str,
    limit: usize,
    over: ErrorCode,
) -> Result<Vec<CdnUrl>, ApiError> {
    let items = source.take_list(field)?.ok_or_else(|| missing(field))?;
    if items.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidParameterValue,
            format!("the parameter {field} is empty; give at least one"),
        ));
    }
    if items.len() > limit {
        return Err(ApiError::new(
            over,
            format!(
                "{field} holds {} items; one call carries at most {limit}",
                items.len()
            ),
        ));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            CdnUrl::try_from(text).map_err(|e| invalid_value(&format!("{field}.{i}"), &e))
        })
        .collect()
}

fn purge_options(source: &mut dyn Source) -> Result<PurgeOptions, ApiError> {
    Ok(PurgeOptions {
        area: wire_value(
            "Area",
            source.take_str("Area")?,
            PurgeArea::from_wire,
            "mainland or overseas",
        )?,
        url_encode: source.take_bool("UrlEncode")?.unwrap_or(false),
    })
}

/// Turns a validation error of an already checked list into an answer;
/// unreachable in practice since counts are checked first.
fn built<T>(result: Result<T, ModelError>) -> Result<T, ApiError> {
    result.map_err(|e| ApiError::new(ErrorCode::InvalidParameterValue, e.to_string()))
}

fn selector(source: &mut dyn Source) -> Result<TaskSelector, ApiError> {
    let start = checked("StartTime", source.take_str("StartTime")?, DateTime::parse)?;
    let end = checked("EndTime", source.take_str("EndTime")?, DateTime::parse)?;
    let task_id = checked("TaskId", source.take_str("TaskId")?, TaskId::new)?;
    TaskSelector::new(task_id, start, end).map_err(|e| match e.kind() {
        ModelErrorKind::NoTaskSelector => ApiError::new(
            ErrorCode::MissingParameter,
            "the parameter TaskId or StartTime is required",
        ),
        _ => invalid_value("EndTime", &e),
    })
}

fn parse(
    action: Action,
    source: &mut dyn Source,
    limits: &BatchLimits,
) -> Result<Request, ApiError> {
    let request = match action {
        Action::PurgeUrlsCache => {
            let limit = limits.purge_urls.clamp(1, MAX_PURGE_URLS);
            let urls = urls(
                source,
                "Urls",
                limit,
                ErrorCode::CdnPurgeUrlExceedBatchLimit,
            )?;
            let options = purge_options(source)?;
            Request::PurgeUrls(built(PurgeUrls::with_limit(urls, options, limit))?)
        }
        Action::PurgePathCache => {
            let limit = limits.purge_paths.max(1);
            let paths = urls(
                source,
                "Paths",
                limit,
                ErrorCode::CdnPurgePathExceedBatchLimit,
            )?;
            let flush_type = wire_value(
                "FlushType",
                source.take_str("FlushType")?,
                FlushType::from_wire,
                "flush or delete",
            )?
            .ok_or_else(|| missing("FlushType"))?;
            let options = purge_options(source)?;
            Request::PurgePaths(built(PurgePaths::with_limit(
                paths, flush_type, options, limit,
            ))?)
        }
        Action::PushUrlsCache => {
            let limit = limits.push_urls.clamp(1, MAX_PUSH_URLS);
            let urls = urls(source, "Urls", limit, ErrorCode::CdnPushExceedBatchLimit)?;
            let headers = source
                .take_headers("Headers")?
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(i, (name, value))| {
                    HttpHeader::new(&name, &value)
                        .map_err(|e| invalid_value(&format!("Headers.{i}"), &e))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let options = PushOptions {
                user_agent: checked("UserAgent", source.take_str("UserAgent")?, UserAgent::new)?,
                area: wire_value(
                    "Area",
                    source.take_str("Area")?,
                    Area::from_wire,
                    "mainland, overseas or global",
                )?,
                layer: wire_value(
                    "Layer",
                    source.take_str("Layer")?,
                    Layer::from_wire,
                    "middle",
                )?,
                parse_m3u8: source.take_bool("ParseM3U8")?.unwrap_or(false),
                disable_range: source.take_bool("DisableRange")?.unwrap_or(false),
                headers: Headers::new(headers).map_err(|e| invalid_value("Headers", &e))?,
                url_encode: source.take_bool("UrlEncode")?.unwrap_or(false),
            };
            Request::PushUrls(built(PushUrls::with_limit(urls, options, limit))?)
        }
        Action::DescribePurgeTasks => {
            let mut query = DescribePurgeTasks::new(selector(source)?);
            query.purge_type = wire_value(
                "PurgeType",
                source.take_str("PurgeType")?,
                PurgeType::from_wire,
                "url or path",
            )?;
            query.offset = source.take_uint("Offset")?;
            query.limit = source.take_uint("Limit")?;
            query.keyword = checked("Keyword", source.take_str("Keyword")?, Keyword::new)?;
            query.status = wire_value(
                "Status",
                source.take_str("Status")?,
                PurgeStatus::from_wire,
                "fail, done or process",
            )?;
            query.area = wire_value(
                "Area",
                source.take_str("Area")?,
                Area::from_wire,
                "mainland, overseas or global",
            )?;
            Request::DescribePurgeTasks(query)
        }
        Action::DescribePushTasks => {
            let mut query = DescribePushTasks::new(selector(source)?);
            query.keyword = checked("Keyword", source.take_str("Keyword")?, Keyword::new)?;
            query.offset = source.take_uint("Offset")?;
            query.limit = source.take_uint("Limit")?;
            query.area = wire_value(
                "Area",
                source.take_str("Area")?,
                Area::from_wire,
                "mainland, overseas or global",
            )?;
            query.status = wire_value(
                "Status",
                source.take_str("Status")?,
                TaskStatus::from_wire,
                "fail, done, process or invalid",
            )?;
            Request::DescribePushTasks(query)
        }
        Action::DescribePurgeQuota => Request::DescribePurgeQuota(DescribePurgeQuota),
        Action::DescribePushQuota => Request::DescribePushQuota(DescribePushQuota),
        Action::DescribeDomains => Request::DescribeDomains(DescribeDomains {
            offset: source.take_uint("Offset")?,
            limit: source.take_uint("Limit")?,
        }),
    };
    source.finish()?;
    Ok(request)
}

impl Request {
    /// Reads a TC3 POST body (`application/json`) of `action`, as the
    /// server would.
    ///
    /// The body must be a JSON object ([`InvalidParameter`](ErrorCode::InvalidParameter)
    /// otherwise, also for a field of the wrong JSON type); `null` fields
    /// count as absent. Then, in field order: a required field missing →
    /// [`MissingParameter`](ErrorCode::MissingParameter) (`TaskId or
    /// StartTime` for the task queries); a list longer than `limits` →
    /// `LimitExceeded.CdnPurgeUrlExceedBatchLimit`,
    /// `LimitExceeded.CdnPurgePathExceedBatchLimit` or
    /// `LimitExceeded.CdnPushExceedBatchLimit`; a value the API does not
    /// allow (a URL [`CdnUrl`] refuses, an unknown area, a bad header, …) →
    /// [`InvalidParameterValue`](ErrorCode::InvalidParameterValue); a field
    /// the action does not define →
    /// [`UnknownParameter`](ErrorCode::UnknownParameter). Every message
    /// names the field (`Urls.3`, `Headers.0.Name`, …).
    ///
    /// ```
    /// use tcdn_model::v3::{Action, BatchLimits, ErrorCode, Request};
    ///
    /// let body = br#"{"Urls":["https://a.example/x"],"Area":"overseas"}"#;
    /// let request = Request::from_json(Action::PurgeUrlsCache, body, &BatchLimits::default())?;
    /// assert_eq!(request.to_json().as_bytes(), body);
    ///
    /// let err = Request::from_json(Action::PushUrlsCache, br#"{"Urls":["https://a.example/x"],"Layer":"edge"}"#, &BatchLimits::default())
    ///     .unwrap_err();
    /// assert_eq!(err.code(), &ErrorCode::InvalidParameterValue);
    /// assert!(err.message().contains("Layer"));
    /// # Ok::<(), tcdn_model::v3::ApiError>(())
    /// ```
    pub fn from_json(action: Action, body: &[u8], limits: &BatchLimits) -> Result<Self, ApiError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| invalid_parameter(format!("the request body is not valid JSON ({e})")))?;
        let Value::Object(object) = value else {
            return Err(invalid_parameter(format!(
                "the request body must be a JSON object, not {}",
                json_type(&value)
            )));
        };
        parse(action, &mut JsonSource(object), limits)
    }

    /// Reads flattened parameters (a v1 GET query or form body, or a TC3
    /// GET query, decoded, e.g. with [`decode_form`](crate::decode_form)) of
    /// `action`, as the server would.
    ///
    /// The [`COMMON_PARAMS`] are skipped (they are the signature's
    /// business); any other name twice →
    /// [`InvalidParameter`](ErrorCode::InvalidParameter). Lists are
    /// `Urls.0`, `Urls.1`, … and `Headers.0.Name`, `Headers.0.Value`, …,
    /// numbered from 0 without gaps or leading zeros
    /// ([`InvalidParameter`](ErrorCode::InvalidParameter) otherwise).
    /// Booleans are `true` or `false` in any letter case (the Python SDK
    /// sends `True`, the Go SDK `true`; docs/protocol.md §9: the server's
    /// own rule is not published); integers are decimal digits. Then the
    /// same rules as [`from_json`](Self::from_json).
    pub fn from_params<I, K, V>(
        action: Action,
        params: I,
        limits: &BatchLimits,
    ) -> Result<Self, ApiError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        parse(action, &mut FlatSource::new(params)?, limits)
    }
}
