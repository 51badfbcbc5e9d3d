//! The server side: a JSON body or flattened parameters back into a typed
//! [`Request`], refused with the API's own error codes.

use serde_json::Value;

use crate::error::{ModelError, ModelErrorKind, quote};
use crate::text::json_type;
use crate::url::CdnUrl;
use crate::v3::codes::{ApiError, ErrorCode};
use crate::v3::domains::{DOMAIN_FILTER_NAMES, DomainFilter};
use crate::v3::request::{
    DescribeDomains, DescribePurgeQuota, DescribePurgeTasks, DescribePushQuota, DescribePushTasks,
    MAX_DOMAINS_LIMIT, PurgePaths, PurgeUrls, PushUrls, Request, TaskSelector,
};
use crate::v3::source::{
    FlatSource, JsonSource, Source, invalid_parameter, invalid_value, missing,
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

/// The areas a push or a task query may name.
const AREAS: &str = "mainland, overseas or global";

/// Takes `name` and reads it with `parse`; a value it does not know is
/// refused with the `choices` the API allows.
fn wire_value<T>(
    source: &mut dyn Source,
    name: &str,
    parse: fn(&str) -> Option<T>,
    choices: &str,
) -> Result<Option<T>, ApiError> {
    source
        .take_str(name)?
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

/// Takes `field` and builds it with `make`, whose refusal names the field.
fn checked<T>(
    source: &mut dyn Source,
    field: &str,
    make: fn(&str) -> Result<T, ModelError>,
) -> Result<Option<T>, ApiError> {
    source
        .take_str(field)?
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
        area: wire_value(source, "Area", PurgeArea::from_wire, "mainland or overseas")?,
        url_encode: source.take_bool("UrlEncode")?.unwrap_or(false),
    })
}

/// Turns a validation error of an already checked list into an answer;
/// unreachable in practice since counts are checked first.
fn built<T>(result: Result<T, ModelError>) -> Result<T, ApiError> {
    result.map_err(|e| ApiError::new(ErrorCode::InvalidParameterValue, e.to_string()))
}

fn selector(source: &mut dyn Source) -> Result<TaskSelector, ApiError> {
    let start = checked(source, "StartTime", DateTime::parse)?;
    let end = checked(source, "EndTime", DateTime::parse)?;
    let task_id = checked(source, "TaskId", TaskId::new)?;
    TaskSelector::new(task_id, start, end).map_err(|e| match e.kind() {
        ModelErrorKind::NoTaskSelector => ApiError::new(
            ErrorCode::MissingParameter,
            "the parameter TaskId or StartTime is required",
        ),
        _ => invalid_value("EndTime", &e),
    })
}

/// `DescribeDomains`: `Limit` at most [`MAX_DOMAINS_LIMIT`]; each filter a
/// documented name with 1 to 5 values, fuzzy only for `domain` and
/// `origin` with one value.
fn describe_domains(source: &mut dyn Source) -> Result<DescribeDomains, ApiError> {
    let offset = source.take_uint("Offset")?;
    let limit = source.take_uint("Limit")?;
    if let Some(limit) = limit.filter(|&n| n == 0 || n > MAX_DOMAINS_LIMIT) {
        let message =
            format!("the parameter Limit is {limit}; it must be 1 to {MAX_DOMAINS_LIMIT}");
        return Err(ApiError::new(ErrorCode::InvalidParameterValue, message));
    }
    let mut filters = Vec::new();
    for (i, mut item) in source
        .take_objects("Filters")?
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let field = |name: &str| format!("Filters.{i}.{name}");
        let name = item
            .take_str("Name")?
            .ok_or_else(|| missing(&field("Name")))?;
        let values = item
            .take_list("Value")?
            .ok_or_else(|| missing(&field("Value")))?;
        let fuzzy = item.take_bool("Fuzzy")?.unwrap_or(false);
        item.finish()?;
        let refusal = if !DOMAIN_FILTER_NAMES.contains(&name.as_str()) {
            Some(format!(
                "{} is {}; it must be one of {}",
                field("Name"),
                quote(&name),
                DOMAIN_FILTER_NAMES.join(", ")
            ))
        } else if values.is_empty() || values.len() > 5 {
            Some(format!(
                "{} holds {} values; give 1 to 5",
                field("Value"),
                values.len()
            ))
        } else if fuzzy && (values.len() > 1 || !matches!(name.as_str(), "domain" | "origin")) {
            Some(format!(
                "{}: a fuzzy filter is of domain or origin, with one value",
                field("Fuzzy")
            ))
        } else {
            None
        };
        if let Some(message) = refusal {
            return Err(ApiError::new(ErrorCode::InvalidParameterValue, message));
        }
        filters.push(DomainFilter {
            name,
            values,
            fuzzy,
        });
    }
    Ok(DescribeDomains {
        offset,
        limit,
        filters,
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
            let flush_type =
                wire_value(source, "FlushType", FlushType::from_wire, "flush or delete")?
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
                user_agent: checked(source, "UserAgent", UserAgent::new)?,
                area: wire_value(source, "Area", Area::from_wire, AREAS)?,
                layer: wire_value(source, "Layer", Layer::from_wire, "middle")?,
                parse_m3u8: source.take_bool("ParseM3U8")?.unwrap_or(false),
                disable_range: source.take_bool("DisableRange")?.unwrap_or(false),
                headers: Headers::new(headers).map_err(|e| invalid_value("Headers", &e))?,
                url_encode: source.take_bool("UrlEncode")?.unwrap_or(false),
            };
            Request::PushUrls(built(PushUrls::with_limit(urls, options, limit))?)
        }
        Action::DescribePurgeTasks => {
            let mut query = DescribePurgeTasks::new(selector(source)?);
            query.purge_type =
                wire_value(source, "PurgeType", PurgeType::from_wire, "url or path")?;
            query.offset = source.take_uint("Offset")?;
            query.limit = source.take_uint("Limit")?;
            query.keyword = checked(source, "Keyword", Keyword::new)?;
            query.status = wire_value(
                source,
                "Status",
                PurgeStatus::from_wire,
                "fail, done or process",
            )?;
            query.area = wire_value(source, "Area", Area::from_wire, AREAS)?;
            Request::DescribePurgeTasks(query)
        }
        Action::DescribePushTasks => {
            let mut query = DescribePushTasks::new(selector(source)?);
            query.keyword = checked(source, "Keyword", Keyword::new)?;
            query.offset = source.take_uint("Offset")?;
            query.limit = source.take_uint("Limit")?;
            query.area = wire_value(source, "Area", Area::from_wire, AREAS)?;
            query.status = wire_value(
                source,
                "Status",
                TaskStatus::from_wire,
                "fail, done, process or invalid",
            )?;
            Request::DescribePushTasks(query)
        }
        Action::DescribePurgeQuota => Request::DescribePurgeQuota(DescribePurgeQuota),
        Action::DescribePushQuota => Request::DescribePushQuota(DescribePushQuota),
        Action::DescribeDomains => Request::DescribeDomains(describe_domains(source)?),
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
    /// The [`COMMON_PARAMS`](crate::v3::COMMON_PARAMS) are skipped (they are the signature's
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
