//! The four queries: tasks by job or time window ([`TaskQuery`]), the
//! content quota and the zones.

use serde::Serialize;

use super::{ActionRequest, check_count, sealed, to_json};
use crate::error::{ModelError, ModelErrorKind};
use crate::teo::Action;
use crate::teo::limits::{
    MAX_FILTER_VALUES, MAX_QUERY_WINDOW_SECS, MAX_TASKS_LIMIT, MAX_ZONES_LIMIT,
};
use crate::teo::types::{Hostname, JobId, PurgeType, TargetText, TaskStatus, Time, ZoneId};

/// What a task query selects by: a `job-id` filter, a `StartTime` to
/// `EndTime` window (at most [`MAX_QUERY_WINDOW_SECS`] long), or both. The
/// API requires one of them, so a selector without either cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaskSelector {
    job_id: Option<JobId>,
    window: Option<(Time, Time)>,
}

impl TaskSelector {
    /// The tasks of one job.
    pub fn job(job_id: JobId) -> Self {
        Self {
            job_id: Some(job_id),
            window: None,
        }
    }

    /// The tasks created from `start` to `end`.
    pub fn window(start: Time, end: Time) -> Result<Self, ModelError> {
        Self::new(None, Some((start, end)))
    }

    /// A job, a window or both; neither is
    /// [`NoTaskSelector`](ModelErrorKind::NoTaskSelector), a window that
    /// ends before it starts or spans more than 7 days is
    /// [`TimeRange`](ModelErrorKind::TimeRange).
    pub fn new(job_id: Option<JobId>, window: Option<(Time, Time)>) -> Result<Self, ModelError> {
        if job_id.is_none() && window.is_none() {
            return Err(ModelError::new(
                ModelErrorKind::NoTaskSelector,
                "a task query needs a job-id filter or a StartTime and EndTime",
            ));
        }
        if let Some((start, end)) = &window {
            let span = end.unix() - start.unix();
            if !(0..=MAX_QUERY_WINDOW_SECS).contains(&span) {
                return Err(ModelError::new(
                    ModelErrorKind::TimeRange,
                    format!("EndTime {end} must lie from StartTime {start} to 7 days after it"),
                ));
            }
        }
        Ok(Self { job_id, window })
    }

    /// The `job-id` filter's value.
    pub fn job_id(&self) -> Option<&JobId> {
        self.job_id.as_ref()
    }

    /// `StartTime` and `EndTime`.
    pub fn time_window(&self) -> Option<&(Time, Time)> {
        self.window.as_ref()
    }
}

/// What `DescribePurgeTasks` and `DescribePrefetchTasks` share: the zone,
/// the selector, paging and the filters (`None` or empty leaves one out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskQuery {
    /// `ZoneId` (required by the API since 2024).
    pub zone_id: ZoneId,
    /// What to select by.
    pub selector: TaskSelector,
    /// `Offset`, for paging.
    pub offset: Option<u64>,
    /// `Limit` (the API allows at most [`MAX_TASKS_LIMIT`]; more is sent
    /// as that).
    pub limit: Option<u64>,
    /// The `target` filter: one target as submitted.
    pub target: Option<TargetText>,
    /// The `statuses` filter.
    pub statuses: Vec<TaskStatus>,
}

impl TaskQuery {
    /// A query of `zone_id` with no filter beyond the selector.
    pub fn new(zone_id: ZoneId, selector: TaskSelector) -> Self {
        Self {
            zone_id,
            selector,
            offset: None,
            limit: None,
            target: None,
            statuses: Vec::new(),
        }
    }

    fn body(&self, purge_type: Option<PurgeType>) -> String {
        let mut filters: Vec<Filter<'_>> = Vec::new();
        if let Some(job) = &self.selector.job_id {
            filters.push(Filter::new("job-id", vec![job.as_str()]));
        }
        if let Some(target) = &self.target {
            filters.push(Filter::new("target", vec![target.as_str()]));
        }
        if !self.statuses.is_empty() {
            let statuses = self.statuses.iter().map(|s| s.as_str()).collect();
            filters.push(Filter::new("statuses", statuses));
        }
        if let Some(purge_type) = purge_type {
            filters.push(Filter::new("type", vec![purge_type.as_str()]));
        }
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Wire<'a> {
            zone_id: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            start_time: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            end_time: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            offset: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            limit: Option<u64>,
            #[serde(skip_serializing_if = "Vec::is_empty")]
            filters: Vec<Filter<'a>>,
        }
        let window = self.selector.window.as_ref();
        to_json(&Wire {
            zone_id: self.zone_id.as_str(),
            start_time: window.map(|(start, _)| start.as_str()),
            end_time: window.map(|(_, end)| end.as_str()),
            offset: self.offset,
            limit: self.limit.map(|n| n.min(MAX_TASKS_LIMIT)),
            filters,
        })
    }
}

/// An `AdvancedFilter` on the wire.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Filter<'a> {
    name: &'a str,
    values: Vec<&'a str>,
}

impl<'a> Filter<'a> {
    fn new(name: &'a str, values: Vec<&'a str>) -> Self {
        Self { name, values }
    }
}

/// `DescribePurgeTasks`: the purge tasks of a zone.
///
/// ```
/// use tcdn_model::teo::{ActionRequest, DescribePurgeTasks, JobId, TaskQuery, TaskSelector, ZoneId};
///
/// let query = TaskQuery::new(ZoneId::new("zone-1")?, TaskSelector::job(JobId::new("20ga521cpwch")?));
/// let request = DescribePurgeTasks { query, purge_type: None };
/// assert_eq!(
///     request.to_json(),
///     r#"{"ZoneId":"zone-1","Filters":[{"Name":"job-id","Values":["20ga521cpwch"]}]}"#,
/// );
/// # Ok::<(), tcdn_model::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribePurgeTasks {
    /// The zone, selector, paging and shared filters.
    pub query: TaskQuery,
    /// The `type` filter.
    pub purge_type: Option<PurgeType>,
}

impl sealed::HasBody for DescribePurgeTasks {
    fn body(&self) -> String {
        self.query.body(self.purge_type)
    }
}

impl ActionRequest for DescribePurgeTasks {
    const ACTION: Action = Action::DescribePurgeTasks;
}

/// `DescribePrefetchTasks`: the prefetch tasks of a zone (no `type`
/// filter: every prefetch is `prefetch_url`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribePrefetchTasks {
    /// The zone, selector, paging and filters.
    pub query: TaskQuery,
}

impl sealed::HasBody for DescribePrefetchTasks {
    fn body(&self) -> String {
        self.query.body(None)
    }
}

impl ActionRequest for DescribePrefetchTasks {
    const ACTION: Action = Action::DescribePrefetchTasks;
}

/// `DescribeContentQuota`: a zone's purge and prefetch quotas.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DescribeContentQuota {
    /// `ZoneId`.
    pub zone_id: ZoneId,
}

impl sealed::HasBody for DescribeContentQuota {
    fn body(&self) -> String {
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Wire<'a> {
            zone_id: &'a str,
        }
        to_json(&Wire {
            zone_id: self.zone_id.as_str(),
        })
    }
}

impl ActionRequest for DescribeContentQuota {
    const ACTION: Action = Action::DescribeContentQuota;
}

/// `DescribeZones`: one page of the account's zones, optionally filtered by
/// zone id or name (at most [`MAX_FILTER_VALUES`] of each).
///
/// ```
/// use tcdn_model::teo::{ActionRequest, DescribeZones};
///
/// let request = DescribeZones::page(100, 100)?;
/// assert_eq!(request.to_json(), r#"{"Offset":100,"Limit":100}"#);
/// assert!(DescribeZones::page(0, 101).is_err());
/// # Ok::<(), tcdn_model::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DescribeZones {
    offset: u64,
    limit: Option<u64>,
    zone_ids: Vec<ZoneId>,
    zone_names: Vec<Hostname>,
}

impl DescribeZones {
    /// The page of `limit` (1 to [`MAX_ZONES_LIMIT`]) zones from `offset`.
    pub fn page(offset: u64, limit: u64) -> Result<Self, ModelError> {
        if !(1..=MAX_ZONES_LIMIT).contains(&limit) {
            return Err(ModelError::new(
                ModelErrorKind::ListTooLong {
                    field: "Limit",
                    count: usize::try_from(limit).unwrap_or(usize::MAX),
                    limit: MAX_ZONES_LIMIT as usize,
                },
                format!("a zone page holds 1 to {MAX_ZONES_LIMIT} zones, not {limit}"),
            ));
        }
        Ok(Self {
            offset,
            limit: Some(limit),
            ..Self::default()
        })
    }

    /// Only the zones with these ids (the `zone-id` filter).
    pub fn with_zone_ids(mut self, ids: Vec<ZoneId>) -> Result<Self, ModelError> {
        check_count("zone-id", ids.len(), MAX_FILTER_VALUES)?;
        self.zone_ids = ids;
        Ok(self)
    }

    /// Only the zones of these names (the `zone-name` filter).
    pub fn with_zone_names(mut self, names: Vec<Hostname>) -> Result<Self, ModelError> {
        check_count("zone-name", names.len(), MAX_FILTER_VALUES)?;
        self.zone_names = names;
        Ok(self)
    }

    /// `Offset`.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// `Limit`, when sent (the API's default is 20).
    pub fn limit(&self) -> Option<u64> {
        self.limit
    }

    /// The `zone-id` filter's values.
    pub fn zone_ids(&self) -> &[ZoneId] {
        &self.zone_ids
    }

    /// The `zone-name` filter's values.
    pub fn zone_names(&self) -> &[Hostname] {
        &self.zone_names
    }
}

impl sealed::HasBody for DescribeZones {
    fn body(&self) -> String {
        let mut filters = Vec::new();
        if !self.zone_ids.is_empty() {
            filters.push(Filter::new(
                "zone-id",
                self.zone_ids.iter().map(ZoneId::as_str).collect(),
            ));
        }
        if !self.zone_names.is_empty() {
            filters.push(Filter::new(
                "zone-name",
                self.zone_names.iter().map(Hostname::as_str).collect(),
            ));
        }
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Wire<'a> {
            offset: u64,
            #[serde(skip_serializing_if = "Option::is_none")]
            limit: Option<u64>,
            #[serde(skip_serializing_if = "Vec::is_empty")]
            filters: Vec<Filter<'a>>,
        }
        to_json(&Wire {
            offset: self.offset,
            limit: self.limit,
            filters,
        })
    }
}

impl ActionRequest for DescribeZones {
    const ACTION: Action = Action::DescribeZones;
}
