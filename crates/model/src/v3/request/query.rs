//! The task and quota queries: `DescribePurgeTasks` and `DescribePushTasks`
//! (a [`TaskSelector`] and filters), `DescribePurgeQuota` and
//! `DescribePushQuota` (no parameters).

use crate::error::{ModelError, ModelErrorKind};
use crate::v3::Action;
use crate::v3::request::{ActionRequest, sealed};
use crate::v3::types::{Area, DateTime, Keyword, PurgeStatus, PurgeType, TaskId, TaskStatus};
use crate::v3::wire::{Fields, Value};

/// What a task query selects by: a `TaskId`, a `StartTime` (with an
/// optional `EndTime`), or both. The API requires a `TaskId` or a
/// `StartTime`, so a selector without either cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaskSelector {
    task_id: Option<TaskId>,
    start_time: Option<DateTime>,
    end_time: Option<DateTime>,
}

impl TaskSelector {
    /// Tasks with this id.
    pub fn task(task_id: TaskId) -> Self {
        Self {
            task_id: Some(task_id),
            start_time: None,
            end_time: None,
        }
    }

    /// Tasks created from `start` (to `end`, when given).
    pub fn since(start: DateTime, end: Option<DateTime>) -> Result<Self, ModelError> {
        Self::new(None, Some(start), end)
    }

    /// Any combination with a task id or a start time; `end` must not be
    /// before `start` ([`TimeRange`](ModelErrorKind::TimeRange)); neither id
    /// nor start is [`NoTaskSelector`](ModelErrorKind::NoTaskSelector).
    pub fn new(
        task_id: Option<TaskId>,
        start_time: Option<DateTime>,
        end_time: Option<DateTime>,
    ) -> Result<Self, ModelError> {
        if task_id.is_none() && start_time.is_none() {
            return Err(ModelError::new(
                ModelErrorKind::NoTaskSelector,
                "a task query needs a TaskId or a StartTime",
            ));
        }
        if let (Some(start), Some(end)) = (start_time, end_time)
            && end < start
        {
            return Err(ModelError::new(
                ModelErrorKind::TimeRange,
                format!("EndTime {end} is before StartTime {start}"),
            ));
        }
        Ok(Self {
            task_id,
            start_time,
            end_time,
        })
    }

    /// `TaskId`.
    pub fn task_id(&self) -> Option<&TaskId> {
        self.task_id.as_ref()
    }

    /// `StartTime`.
    pub fn start_time(&self) -> Option<DateTime> {
        self.start_time
    }

    /// `EndTime`.
    pub fn end_time(&self) -> Option<DateTime> {
        self.end_time
    }
}

/// `DescribePurgeTasks`: the purge task logs selected by a [`TaskSelector`]
/// and the optional filters. `None` leaves a filter out (the API's default:
/// `Offset` 0, `Limit` 20, every type, status and area).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribePurgeTasks {
    /// What to select by.
    pub selector: TaskSelector,
    /// `PurgeType`: URL or directory purges.
    pub purge_type: Option<PurgeType>,
    /// `Offset`, for paging.
    pub offset: Option<u64>,
    /// `Limit`, for paging.
    pub limit: Option<u64>,
    /// `Keyword`: a domain or full URL.
    pub keyword: Option<Keyword>,
    /// `Status`.
    pub status: Option<PurgeStatus>,
    /// `Area`.
    pub area: Option<Area>,
}

impl DescribePurgeTasks {
    /// A query with no filter beyond the selector.
    pub fn new(selector: TaskSelector) -> Self {
        Self {
            selector,
            purge_type: None,
            offset: None,
            limit: None,
            keyword: None,
            status: None,
            area: None,
        }
    }
}

fn push_selector<'a>(fields: &mut Fields<'a>, selector: &'a TaskSelector, with_id: bool) {
    if with_id {
        if let Some(id) = &selector.task_id {
            fields.push(("TaskId", Value::Str(id.as_str())));
        }
        return;
    }
    if let Some(start) = &selector.start_time {
        fields.push(("StartTime", Value::Str(start.as_str())));
    }
    if let Some(end) = &selector.end_time {
        fields.push(("EndTime", Value::Str(end.as_str())));
    }
}

impl sealed::HasFields for DescribePurgeTasks {
    fn fields(&self) -> Fields<'_> {
        // PurgeType, StartTime, EndTime, TaskId, Offset, Limit, Keyword,
        // Status, Area.
        let mut fields: Fields<'_> = Vec::new();
        if let Some(t) = self.purge_type {
            fields.push(("PurgeType", Value::Str(t.as_str())));
        }
        push_selector(&mut fields, &self.selector, false);
        push_selector(&mut fields, &self.selector, true);
        fields.extend(self.offset.map(|n| ("Offset", Value::Uint(n))));
        fields.extend(self.limit.map(|n| ("Limit", Value::Uint(n))));
        if let Some(k) = &self.keyword {
            fields.push(("Keyword", Value::Str(k.as_str())));
        }
        fields.extend(self.status.map(|s| ("Status", Value::Str(s.as_str()))));
        fields.extend(self.area.map(|a| ("Area", Value::Str(a.as_str()))));
        fields
    }
}

impl ActionRequest for DescribePurgeTasks {
    const ACTION: Action = Action::DescribePurgeTasks;
}

/// `DescribePushTasks`: the push task logs selected by a [`TaskSelector`]
/// and the optional filters (`None` leaves a filter out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribePushTasks {
    /// What to select by.
    pub selector: TaskSelector,
    /// `Keyword`: a domain or full URL.
    pub keyword: Option<Keyword>,
    /// `Offset`, for paging.
    pub offset: Option<u64>,
    /// `Limit`, for paging.
    pub limit: Option<u64>,
    /// `Area`.
    pub area: Option<Area>,
    /// `Status` (`invalid`: the origin answered 4xx or 5xx).
    pub status: Option<TaskStatus>,
}

impl DescribePushTasks {
    /// A query with no filter beyond the selector.
    pub fn new(selector: TaskSelector) -> Self {
        Self {
            selector,
            keyword: None,
            offset: None,
            limit: None,
            area: None,
            status: None,
        }
    }
}

impl sealed::HasFields for DescribePushTasks {
    fn fields(&self) -> Fields<'_> {
        // StartTime, EndTime, TaskId, Keyword, Offset, Limit, Area, Status.
        let mut fields: Fields<'_> = Vec::new();
        push_selector(&mut fields, &self.selector, false);
        push_selector(&mut fields, &self.selector, true);
        if let Some(k) = &self.keyword {
            fields.push(("Keyword", Value::Str(k.as_str())));
        }
        fields.extend(self.offset.map(|n| ("Offset", Value::Uint(n))));
        fields.extend(self.limit.map(|n| ("Limit", Value::Uint(n))));
        fields.extend(self.area.map(|a| ("Area", Value::Str(a.as_str()))));
        fields.extend(self.status.map(|s| ("Status", Value::Str(s.as_str()))));
        fields
    }
}

impl ActionRequest for DescribePushTasks {
    const ACTION: Action = Action::DescribePushTasks;
}

/// `DescribePurgeQuota`: no parameters; the body is `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DescribePurgeQuota;

impl sealed::HasFields for DescribePurgeQuota {
    fn fields(&self) -> Fields<'_> {
        Vec::new()
    }
}

impl ActionRequest for DescribePurgeQuota {
    const ACTION: Action = Action::DescribePurgeQuota;
}

/// `DescribePushQuota`: no parameters; the body is `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DescribePushQuota;

impl sealed::HasFields for DescribePushQuota {
    fn fields(&self) -> Fields<'_> {
        Vec::new()
    }
}

impl ActionRequest for DescribePushQuota {
    const ACTION: Action = Action::DescribePushQuota;
}
