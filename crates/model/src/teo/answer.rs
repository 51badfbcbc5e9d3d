//! EdgeOne's answer payloads, read from and written into the API 3.0
//! envelope ([`Answer`](crate::v3::Answer)): a created task with its
//! `FailedList`, task lists, content quotas and zones.

use serde::Serialize;
use serde_json::Value;

use crate::teo::types::{QuotaType, TaskStatus};
use crate::v3::answer::sealed::Sealed;
use crate::v3::answer::{FieldError, Fields, to_value};
use crate::v3::{AnswerBody, AnswerErrorKind};

/// A list of strings; absent or `null` is empty.
fn strings(f: &Fields<'_>, name: &str) -> Result<Vec<String>, FieldError> {
    match f.get(name) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(text) => Ok(text.clone()),
                _ => Err((
                    AnswerErrorKind::InvalidField,
                    format!("{}.{i} is not a string", f.path(name)),
                )),
            })
            .collect(),
        Some(_) => Err(f.invalid(name, "an array")),
    }
}

/// An optional boolean.
fn optional_bool(f: &Fields<'_>, name: &str) -> Result<Option<bool>, FieldError> {
    match f.get(name) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(f.invalid(name, "a boolean")),
    }
}

/// One `FailedList` entry: the targets refused for one reason. Targets in
/// it are not purged or prefetched; the call's others are.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FailReason {
    /// `Reason` (e.g. `domain not valid`).
    pub reason: String,
    /// `Targets`: the targets refused for it.
    pub targets: Vec<String>,
}

impl FailReason {
    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(Self {
            reason: f.optional_string("Reason")?.unwrap_or_default(),
            targets: strings(f, "Targets")?,
        })
    }
}

/// The answer of `CreatePurgeTask` and `CreatePrefetchTask`: the `JobId`
/// and the targets refused (`FailedList`; `null` reads as empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TaskCreated {
    /// `JobId`.
    pub job_id: String,
    /// `FailedList`.
    pub failed: Vec<FailReason>,
}

impl Sealed for TaskCreated {}
impl AnswerBody for TaskCreated {
    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(Self {
            job_id: f.string("JobId")?,
            failed: f
                .objects("FailedList", FailReason::read)?
                .unwrap_or_default(),
        })
    }

    fn write(&self, response: &mut Vec<(&'static str, Value)>) {
        response.push(("JobId", Value::from(self.job_id.as_str())));
        response.push(("FailedList", to_value(&self.failed)));
    }
}

/// One task of `DescribePurgeTasks` or `DescribePrefetchTasks` (one row per
/// target). Enumerated fields are kept as sent, with typed readers that
/// give `None` for a value this crate does not know.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Task {
    /// `JobId`: the creating call's.
    pub job_id: String,
    /// `Target`.
    pub target: String,
    /// `Type`: a purge type, or `prefetch_url`.
    pub r#type: String,
    /// `Method`: `invalidate` or `delete`, for the types that take one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// `Status`.
    pub status: String,
    /// `CreateTime`, RFC 3339.
    pub create_time: String,
    /// `UpdateTime`, RFC 3339.
    pub update_time: String,
    /// `FailType` (`taskFailed`, `quotaExceeded`, `originPullFailed`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_type: Option<String>,
    /// `FailMessage`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_message: Option<String>,
}

impl Task {
    /// [`status`](Self::status) as a [`TaskStatus`].
    pub fn task_status(&self) -> Option<TaskStatus> {
        TaskStatus::from_wire(&self.status)
    }

    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(Self {
            job_id: f.string("JobId")?,
            target: f.string("Target")?,
            r#type: f.string("Type")?,
            method: f.optional_string("Method")?,
            status: f.string("Status")?,
            create_time: f.string("CreateTime")?,
            update_time: f.optional_string("UpdateTime")?.unwrap_or_default(),
            fail_type: f.optional_string("FailType")?,
            fail_message: f.optional_string("FailMessage")?,
        })
    }
}

/// The answer of `DescribePurgeTasks` and `DescribePrefetchTasks`.
/// `TotalCount` is required; an absent or `null` `Tasks` reads as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Tasks {
    /// `Tasks`.
    pub tasks: Vec<Task>,
    /// `TotalCount`: all matching tasks, for paging.
    pub total_count: i64,
}

impl Sealed for Tasks {}
impl AnswerBody for Tasks {
    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(Self {
            tasks: f.objects("Tasks", Task::read)?.unwrap_or_default(),
            total_count: f.integer("TotalCount")?,
        })
    }

    fn write(&self, response: &mut Vec<(&'static str, Value)>) {
        response.push(("TotalCount", Value::from(self.total_count)));
        response.push(("Tasks", to_value(&self.tasks)));
    }
}

/// One content quota (`Quota`): of one type, per call and per day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Quota {
    /// `Batch`: the most targets one call may carry.
    pub batch: i64,
    /// `Daily`: the daily quota.
    pub daily: i64,
    /// `DailyAvailable`: what is left of it today.
    pub daily_available: i64,
    /// `Type`.
    pub r#type: String,
}

impl Quota {
    /// [`type`](Self::type) as a [`QuotaType`].
    pub fn quota_type(&self) -> Option<QuotaType> {
        QuotaType::from_wire(&self.r#type)
    }

    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(Self {
            batch: f.integer("Batch")?,
            daily: f.integer("Daily")?,
            daily_available: f.integer("DailyAvailable")?,
            r#type: f.string("Type")?,
        })
    }
}

/// The answer of `DescribeContentQuota` (either list absent or `null`
/// reads as empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ContentQuota {
    /// `PurgeQuota`.
    pub purge: Vec<Quota>,
    /// `PrefetchQuota`.
    pub prefetch: Vec<Quota>,
}

impl ContentQuota {
    /// The quota of `quota_type`, when listed.
    pub fn of(&self, quota_type: QuotaType) -> Option<&Quota> {
        self.purge
            .iter()
            .chain(&self.prefetch)
            .find(|q| q.quota_type() == Some(quota_type))
    }
}

impl Sealed for ContentQuota {}
impl AnswerBody for ContentQuota {
    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(Self {
            purge: f.objects("PurgeQuota", Quota::read)?.unwrap_or_default(),
            prefetch: f.objects("PrefetchQuota", Quota::read)?.unwrap_or_default(),
        })
    }

    fn write(&self, response: &mut Vec<(&'static str, Value)>) {
        response.push(("PurgeQuota", to_value(&self.purge)));
        response.push(("PrefetchQuota", to_value(&self.prefetch)));
    }
}

/// One zone of `DescribeZones`: the fields a client needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Zone {
    /// `ZoneId`.
    pub zone_id: String,
    /// `ZoneName`: the site's domain.
    pub zone_name: String,
    /// `Status`: `active`, `pending`, `moved`, `deactivated`, `initializing`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `AliasZoneName`: tells zones of one name apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias_zone_name: Option<String>,
    /// `Paused`: the zone is switched off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
}

impl Zone {
    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(Self {
            zone_id: f.string("ZoneId")?,
            zone_name: f.string("ZoneName")?,
            status: f.optional_string("Status")?,
            alias_zone_name: f.optional_string("AliasZoneName")?,
            paused: optional_bool(f, "Paused")?,
        })
    }
}

/// The answer of `DescribeZones`. `TotalCount` is required; an absent or
/// `null` `Zones` reads as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Zones {
    /// `Zones`.
    pub zones: Vec<Zone>,
    /// `TotalCount`: all matching zones, for paging.
    pub total_count: i64,
}

impl Sealed for Zones {}
impl AnswerBody for Zones {
    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(Self {
            zones: f.objects("Zones", Zone::read)?.unwrap_or_default(),
            total_count: f.integer("TotalCount")?,
        })
    }

    fn write(&self, response: &mut Vec<(&'static str, Value)>) {
        response.push(("TotalCount", Value::from(self.total_count)));
        response.push(("Zones", to_value(&self.zones)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v3::Answer;

    /// Nested objects are written with their keys sorted, which JSON does
    /// not mind: compare the values.
    fn assert_same_json(written: &str, expected: &[u8]) {
        let written: Value = serde_json::from_str(written).unwrap();
        let expected: Value = serde_json::from_slice(expected).unwrap();
        assert_eq!(written, expected);
    }

    #[test]
    fn a_created_task_reads_its_failed_list_and_writes_it_back() {
        let body = br#"{"Response":{"JobId":"20ga521cpwch","FailedList":[{"Reason":"domain not valid","Targets":["https://x.example/a","https://x.example/b"]}],"RequestId":"r"}}"#;
        let answer = Answer::<TaskCreated>::from_slice(body).unwrap();
        let created = answer.result().as_ref().unwrap();
        assert_eq!(created.job_id, "20ga521cpwch");
        assert_eq!(created.failed[0].targets.len(), 2);
        assert_eq!(answer.to_json().as_bytes(), body);
        let null = br#"{"Response":{"JobId":"j","FailedList":null,"RequestId":"r"}}"#;
        let answer = Answer::<TaskCreated>::from_slice(null).unwrap();
        assert!(answer.result().as_ref().unwrap().failed.is_empty());
    }

    #[test]
    fn tasks_quotas_and_zones_round_trip() {
        let tasks = br#"{"Response":{"TotalCount":1,"Tasks":[{"JobId":"j","Target":"https://a.example/","Type":"purge_prefix","Method":"delete","Status":"processing","CreateTime":"2022-02-09T02:28:43Z","UpdateTime":"2022-02-09T02:28:43Z"}],"RequestId":"r"}}"#;
        let answer = Answer::<Tasks>::from_slice(tasks).unwrap();
        let task = &answer.result().as_ref().unwrap().tasks[0];
        assert_eq!(task.task_status(), Some(TaskStatus::Processing));
        assert_same_json(&answer.to_json(), tasks);

        let quota = br#"{"Response":{"PurgeQuota":[{"Batch":2000,"Daily":10000,"DailyAvailable":9999,"Type":"purge_url"}],"PrefetchQuota":null,"RequestId":"r"}}"#;
        let answer = Answer::<ContentQuota>::from_slice(quota).unwrap();
        let quota = answer.result().as_ref().unwrap();
        assert_eq!(quota.of(QuotaType::PurgeUrl).map(|q| q.batch), Some(2000));
        assert_eq!(quota.of(QuotaType::PrefetchUrl), None);

        let zones = br#"{"Response":{"TotalCount":1,"Zones":[{"ZoneId":"zone-1","ZoneName":"example.com","Status":"active","Paused":false}],"RequestId":"r"}}"#;
        let answer = Answer::<Zones>::from_slice(zones).unwrap();
        assert_eq!(
            answer.result().as_ref().unwrap().zones[0].zone_name,
            "example.com"
        );
        assert_same_json(&answer.to_json(), zones);
    }

    #[test]
    fn a_missing_total_count_names_the_field() {
        let err = Answer::<Tasks>::from_slice(br#"{"Response":{"Tasks":[]}}"#).unwrap_err();
        assert_eq!(err.kind(), AnswerErrorKind::MissingField);
        assert!(
            err.detail().contains("Response.TotalCount"),
            "{}",
            err.detail()
        );
    }
}
