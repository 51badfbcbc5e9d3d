//! The server side: reading an EdgeOne action's JSON body back into a
//! [`Request`], refusing as the API does (common API 3.0 codes for the
//! envelope's rules, EdgeOne's own for targets and quotas), for the
//! emulator.

use serde_json::{Map, Value};

use crate::error::quote;
use crate::teo::codes::ErrorCode as TeoCode;
use crate::teo::limits::{DEFAULT_MAX_TARGETS, MAX_TASKS_LIMIT, MAX_ZONES_LIMIT};
use crate::teo::request::{
    CreatePrefetchTask, CreatePurgeTask, DescribeContentQuota, DescribePrefetchTasks,
    DescribePurgeTasks, DescribeZones, PrefetchOptions, PurgeTargets, Request, TaskQuery,
    TaskSelector,
};
use crate::teo::types::{
    CacheTag, Hostname, JobId, Method, PurgeType, QuotaType, TargetText, TaskStatus, Time, ZoneId,
};
use crate::teo::{Action, MAX_FILTER_VALUES};
use crate::url::CdnUrl;
use crate::v3::{ApiError, ErrorCode, HttpHeader};

/// The per-call target limits the server enforces, one per quota type (the
/// zone's `Batch`): more targets in one call is
/// `LimitExceeded.BatchQuota`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    /// `purge_url`.
    pub purge_url: usize,
    /// `purge_prefix`.
    pub purge_prefix: usize,
    /// `purge_host`.
    pub purge_host: usize,
    /// `purge_cache_tag`.
    pub purge_cache_tag: usize,
    /// `prefetch_url`.
    pub prefetch_url: usize,
}

impl Default for BatchLimits {
    fn default() -> Self {
        Self {
            purge_url: DEFAULT_MAX_TARGETS,
            purge_prefix: DEFAULT_MAX_TARGETS,
            purge_host: DEFAULT_MAX_TARGETS,
            purge_cache_tag: DEFAULT_MAX_TARGETS,
            prefetch_url: DEFAULT_MAX_TARGETS,
        }
    }
}

impl BatchLimits {
    /// The limit of a quota type (`purge_all` carries no targets: no limit).
    pub fn of(&self, quota_type: QuotaType) -> usize {
        match quota_type {
            QuotaType::PurgeUrl => self.purge_url,
            QuotaType::PurgePrefix => self.purge_prefix,
            QuotaType::PurgeHost => self.purge_host,
            QuotaType::PurgeCacheTag => self.purge_cache_tag,
            QuotaType::PrefetchUrl => self.prefetch_url,
            QuotaType::PurgeAll => usize::MAX,
        }
    }
}

fn parameter_error(message: String) -> ApiError {
    TeoCode::ParameterError.error(message)
}

/// The fields of a body, taken one by one; what is left over is unknown.
struct Body(Map<String, Value>);

impl Body {
    fn take(&mut self, name: &str) -> Option<Value> {
        self.0.remove(name).filter(|v| !v.is_null())
    }

    fn string(&mut self, name: &str) -> Result<Option<String>, ApiError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(ApiError::new(
                ErrorCode::InvalidParameter,
                format!("the parameter {name} must be a string"),
            )),
        }
    }

    fn required(&mut self, name: &str) -> Result<String, ApiError> {
        self.string(name)?.ok_or_else(|| {
            ApiError::new(
                ErrorCode::MissingParameter,
                format!("the parameter {name} is missing"),
            )
        })
    }

    fn uint(&mut self, name: &str) -> Result<Option<u64>, ApiError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidParameter,
                    format!("the parameter {name} must be a non-negative integer"),
                )
            }),
            Some(_) => Err(ApiError::new(
                ErrorCode::InvalidParameter,
                format!("the parameter {name} must be an integer"),
            )),
        }
    }

    fn strings(&mut self, name: &str) -> Result<Vec<String>, ApiError> {
        strings_of(name, self.take(name))
    }

    fn objects(&mut self, name: &str) -> Result<Vec<Body>, ApiError> {
        match self.take(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::Object(object) => Ok(Body(object)),
                    _ => Err(ApiError::new(
                        ErrorCode::InvalidParameter,
                        format!("each item of {name} must be an object"),
                    )),
                })
                .collect(),
            Some(Value::Object(object)) => Ok(vec![Body(object)]),
            Some(_) => Err(ApiError::new(
                ErrorCode::InvalidParameter,
                format!("the parameter {name} must be an array of objects"),
            )),
        }
    }

    fn finish(self) -> Result<(), ApiError> {
        match self.0.keys().next() {
            None => Ok(()),
            Some(name) => Err(ApiError::new(
                ErrorCode::UnknownParameter,
                format!("the parameter {} is not one of this action's", quote(name)),
            )),
        }
    }
}

fn strings_of(name: &str, value: Option<Value>) -> Result<Vec<String>, ApiError> {
    let wrong = || {
        ApiError::new(
            ErrorCode::InvalidParameter,
            format!("the parameter {name} must be an array of strings"),
        )
    };
    match value {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(text) => Ok(text),
                _ => Err(wrong()),
            })
            .collect(),
        Some(_) => Err(wrong()),
    }
}

/// Each text read as a `T`, a bad one refused with `code`.
fn each<T>(
    texts: Vec<String>,
    code: TeoCode,
    read: impl Fn(&str) -> Result<T, crate::ModelError>,
) -> Result<Vec<T>, ApiError> {
    texts
        .iter()
        .map(|text| read(text).map_err(|e| code.error(e.message())))
        .collect()
}

fn zone_of(body: &mut Body) -> Result<ZoneId, ApiError> {
    let zone = body.required("ZoneId")?;
    ZoneId::new(&zone).map_err(|e| ApiError::new(ErrorCode::InvalidParameterValue, e.message()))
}

fn batch_checked(count: usize, limit: usize) -> Result<(), ApiError> {
    if count == 0 {
        return Err(parameter_error("Targets is empty".to_owned()));
    }
    if count > limit {
        return Err(TeoCode::BatchQuota.error(format!(
            "{count} targets in one call; the zone's quota allows {limit}"
        )));
    }
    Ok(())
}

fn create_purge(mut body: Body, limits: &BatchLimits) -> Result<Request, ApiError> {
    let zone_id = zone_of(&mut body)?;
    let purge_type = body.required("Type")?;
    let purge_type = PurgeType::from_wire(&purge_type).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidParameterValue,
            format!(
                "Type {} is not one of: {}",
                quote(&purge_type),
                PurgeType::choices()
            ),
        )
    })?;
    let method = match body.string("Method")? {
        None => None,
        Some(_) if !purge_type.takes_method() => {
            return Err(parameter_error(format!(
                "Method does not apply to {purge_type}"
            )));
        }
        Some(text) => Some(Method::from_wire(&text).ok_or_else(|| {
            parameter_error(format!(
                "Method {} is not one of: {}",
                quote(&text),
                Method::choices()
            ))
        })?),
    };
    let method = method.unwrap_or(Method::Invalidate);
    let targets = body.strings("Targets")?;
    let domains = match body.objects("CacheTag")?.into_iter().next() {
        Some(mut tag) => {
            let domains = strings_of("CacheTag.Domains", tag.take("Domains"))?;
            tag.finish()?;
            domains
        }
        None => Vec::new(),
    };
    // EncodeUrl is deprecated and changes nothing the emulator models.
    let _ = body.take("EncodeUrl");
    body.finish()?;
    if purge_type == PurgeType::All {
        if !targets.is_empty() {
            return Err(parameter_error("purge_all takes no Targets".to_owned()));
        }
    } else {
        batch_checked(targets.len(), limits.of(purge_type.quota_type()))?;
    }
    if purge_type != PurgeType::CacheTag && !domains.is_empty() {
        return Err(parameter_error(format!(
            "CacheTag does not apply to {purge_type}"
        )));
    }
    let targets = match purge_type {
        PurgeType::Url => PurgeTargets::Urls(each(targets, TeoCode::Target, CdnUrl::parse)?),
        PurgeType::Prefix => {
            PurgeTargets::Prefixes(each(targets, TeoCode::Target, CdnUrl::parse)?, method)
        }
        PurgeType::Host => {
            PurgeTargets::Hosts(each(targets, TeoCode::Target, Hostname::new)?, method)
        }
        PurgeType::All => PurgeTargets::All(method),
        PurgeType::CacheTag => PurgeTargets::CacheTags {
            tags: each(targets, TeoCode::Target, CacheTag::new)?,
            domains: each(domains, TeoCode::ParameterError, Hostname::new)?,
        },
    };
    CreatePurgeTask::with_limit(zone_id, targets, usize::MAX)
        .map(Request::CreatePurgeTask)
        .map_err(|e| parameter_error(e.message().to_owned()))
}

fn create_prefetch(mut body: Body, limits: &BatchLimits) -> Result<Request, ApiError> {
    let zone_id = zone_of(&mut body)?;
    let targets = body.strings("Targets")?;
    let headers = body
        .objects("Headers")?
        .into_iter()
        .map(|mut header| {
            let name = header.required("Name")?;
            let value = header.required("Value")?;
            header.finish()?;
            HttpHeader::new(&name, &value).map_err(|e| parameter_error(e.message().to_owned()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let media_segments = match body.string("PrefetchMediaSegments")?.as_deref() {
        None | Some("off") => false,
        Some("on") => true,
        Some(other) => {
            return Err(parameter_error(format!(
                "PrefetchMediaSegments {} is neither on nor off",
                quote(other)
            )));
        }
    };
    match body.string("Mode")?.as_deref() {
        None | Some("default" | "edge") => {}
        Some(other) => {
            return Err(parameter_error(format!(
                "Mode {} is neither default nor edge",
                quote(other)
            )));
        }
    }
    let _ = body.take("EncodeUrl");
    body.finish()?;
    batch_checked(targets.len(), limits.prefetch_url)?;
    let urls = each(targets, TeoCode::Target, CdnUrl::parse)?;
    let options = PrefetchOptions {
        headers,
        media_segments,
    };
    CreatePrefetchTask::with_limit(zone_id, urls, options, usize::MAX)
        .map(Request::CreatePrefetchTask)
        .map_err(|e| parameter_error(e.message().to_owned()))
}

/// The filters of a query: `(name, values)` in order.
fn filters(body: &mut Body) -> Result<Vec<(String, Vec<String>)>, ApiError> {
    body.objects("Filters")?
        .into_iter()
        .map(|mut filter| {
            let name = filter.required("Name")?;
            let values = filter.strings("Values")?;
            let _ = filter.take("Fuzzy");
            filter.finish()?;
            if values.is_empty() || values.len() > MAX_FILTER_VALUES {
                return Err(parameter_error(format!(
                    "filter {} holds {} values; 1 to {MAX_FILTER_VALUES} are allowed",
                    quote(&name),
                    values.len()
                )));
            }
            Ok((name, values))
        })
        .collect()
}

fn one_value(name: &str, mut values: Vec<String>) -> Result<String, ApiError> {
    if values.len() != 1 {
        return Err(parameter_error(format!(
            "filter {name} takes exactly one value"
        )));
    }
    Ok(values.remove(0))
}

fn task_query(mut body: Body, purge: bool) -> Result<Request, ApiError> {
    let zone_id = zone_of(&mut body)?;
    let time = |text: Option<String>| {
        text.map(|t| Time::parse(&t).map_err(|e| parameter_error(e.message().to_owned())))
            .transpose()
    };
    let start = time(body.string("StartTime")?)?;
    let end = time(body.string("EndTime")?)?;
    let offset = body.uint("Offset")?;
    let limit = body.uint("Limit")?;
    if limit.is_some_and(|n| n > MAX_TASKS_LIMIT) {
        return Err(parameter_error(format!(
            "Limit may be at most {MAX_TASKS_LIMIT}"
        )));
    }
    let (mut job_id, mut target, mut statuses, mut purge_type) = (None, None, Vec::new(), None);
    for (name, values) in filters(&mut body)? {
        match name.as_str() {
            "job-id" => {
                let id = one_value(&name, values)?;
                job_id =
                    Some(JobId::new(&id).map_err(|e| parameter_error(e.message().to_owned()))?);
            }
            "target" => {
                let text = one_value(&name, values)?;
                target = Some(
                    TargetText::new(&text).map_err(|e| parameter_error(e.message().to_owned()))?,
                );
            }
            "statuses" => {
                statuses = each(values, TeoCode::ParameterError, |s| s.parse::<TaskStatus>())?;
            }
            "type" if purge => {
                let text = one_value(&name, values)?;
                purge_type = Some(
                    text.parse::<PurgeType>()
                        .map_err(|e| parameter_error(e.message().to_owned()))?,
                );
            }
            // Read and not modelled: the server would filter by them.
            "domains" => {}
            _ => return Err(parameter_error(format!("unknown filter {}", quote(&name)))),
        }
    }
    body.finish()?;
    let window = match (start, end) {
        (Some(start), Some(end)) => Some((start, end)),
        (None, None) => None,
        _ => {
            return Err(parameter_error(
                "StartTime and EndTime go together".to_owned(),
            ));
        }
    };
    let selector =
        TaskSelector::new(job_id, window).map_err(|e| parameter_error(e.message().to_owned()))?;
    let query = TaskQuery {
        offset,
        limit,
        target,
        statuses,
        ..TaskQuery::new(zone_id, selector)
    };
    Ok(if purge {
        Request::DescribePurgeTasks(DescribePurgeTasks { query, purge_type })
    } else {
        Request::DescribePrefetchTasks(DescribePrefetchTasks { query })
    })
}

fn describe_zones(mut body: Body) -> Result<Request, ApiError> {
    let offset = body.uint("Offset")?.unwrap_or(0);
    let limit = body.uint("Limit")?.unwrap_or(20);
    if limit > MAX_ZONES_LIMIT {
        return Err(parameter_error(format!(
            "Limit may be at most {MAX_ZONES_LIMIT}"
        )));
    }
    let (mut ids, mut names) = (Vec::new(), Vec::new());
    for (name, values) in filters(&mut body)? {
        match name.as_str() {
            "zone-id" => ids = each(values, TeoCode::ParameterError, ZoneId::new)?,
            "zone-name" => names = each(values, TeoCode::ParameterError, Hostname::new)?,
            _ => return Err(parameter_error(format!("unknown filter {}", quote(&name)))),
        }
    }
    let _ = (body.take("Order"), body.take("Direction"));
    body.finish()?;
    let mut request = DescribeZones::page(offset, limit.max(1))
        .map_err(|e| parameter_error(e.message().to_owned()))?;
    if !ids.is_empty() {
        request = request
            .with_zone_ids(ids)
            .map_err(|e| parameter_error(e.message().to_owned()))?;
    }
    if !names.is_empty() {
        request = request
            .with_zone_names(names)
            .map_err(|e| parameter_error(e.message().to_owned()))?;
    }
    Ok(Request::DescribeZones(request))
}

impl Request {
    /// Reads the JSON body of `action`, refusing as the API does: a body
    /// that is not a JSON object or a field of the wrong JSON type is
    /// `InvalidParameter`, a missing `ZoneId` or `Type`
    /// `MissingParameter`, an unknown field `UnknownParameter`, a bad target
    /// `InvalidParameter.Target`, more targets than `limits` allow
    /// `LimitExceeded.BatchQuota`, other rules
    /// `InvalidParameter.ParameterError`.
    ///
    /// ```
    /// use tcdn_model::teo::{Action, BatchLimits, Request};
    ///
    /// let body = br#"{"ZoneId":"zone-1","Type":"purge_all","Targets":["x"]}"#;
    /// let err = Request::from_json(Action::CreatePurgeTask, body, &BatchLimits::default()).unwrap_err();
    /// assert_eq!(err.code().as_str(), "InvalidParameter.ParameterError");
    /// ```
    pub fn from_json(action: Action, body: &[u8], limits: &BatchLimits) -> Result<Self, ApiError> {
        let body = match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(object)) => Body(object),
            Ok(_) | Err(_) => {
                return Err(ApiError::new(
                    ErrorCode::InvalidParameter,
                    "the body is not a JSON object",
                ));
            }
        };
        match action {
            Action::CreatePurgeTask => create_purge(body, limits),
            Action::CreatePrefetchTask => create_prefetch(body, limits),
            Action::DescribePurgeTasks => task_query(body, true),
            Action::DescribePrefetchTasks => task_query(body, false),
            Action::DescribeContentQuota => {
                let mut body = body;
                let zone_id = zone_of(&mut body)?;
                body.finish()?;
                Ok(Request::DescribeContentQuota(DescribeContentQuota {
                    zone_id,
                }))
            }
            Action::DescribeZones => describe_zones(body),
        }
    }
}
