//! EdgeOne (`teo.tencentcloudapi.com`, Version `2022-09-01`): the purge,
//! prefetch, task, quota and zone actions, their JSON bodies, answers and
//! error codes (docs/protocol.md §13), beside [`v2`](crate::v2) and
//! [`v3`](crate::v3). The envelope, the signature (TC3, service
//! [`SERVICE`]) and the common error codes are API 3.0's, so answers are
//! read with [`v3::Answer`](crate::v3::Answer) and errors are
//! [`v3::ApiError`](crate::v3::ApiError)s, classed with [`class_of`].
//!
//! # Main types
//!
//! - [`Action`]: the six actions; [`VERSION`] is `2022-09-01`.
//! - Requests, valid by construction, each naming its zone ([`ZoneId`])
//!   but `DescribeZones`: [`CreatePurgeTask`] of [`PurgeTargets`] (URLs,
//!   prefixes or [`Hostname`]s with a [`Method`], [`CacheTag`]s with their
//!   domains, or the whole zone, which carries no targets),
//!   [`CreatePrefetchTask`] (URLs only, [`PrefetchOptions`]),
//!   [`DescribePurgeTasks`] and [`DescribePrefetchTasks`] (a [`TaskQuery`]
//!   with a [`TaskSelector`]: a [`JobId`] or a window of [`Time`]s),
//!   [`DescribeContentQuota`] and [`DescribeZones`]; [`Request`] is any of
//!   them, [`ActionRequest::to_json`] their body.
//! - The server side: [`Request::from_json`] under [`BatchLimits`].
//! - Answers: [`TaskCreated`] (`JobId` and [`FailReason`]s), [`Tasks`] of
//!   [`Task`]s ([`TaskStatus`]), [`ContentQuota`] of [`Quota`]s
//!   ([`QuotaType`]), [`Zones`] of [`Zone`]s.
//! - Error codes: [`ErrorCode`] catalogues EdgeOne's own; [`class_of`]
//!   classes any code.
//!
//! ```
//! use tcdn_model::teo::{ActionRequest, CreatePurgeTask, Hostname, Method, PurgeTargets, ZoneId};
//! use tcdn_model::v3::Answer;
//! use tcdn_model::teo::TaskCreated;
//!
//! let hosts = PurgeTargets::Hosts(vec![Hostname::new("www.example.com")?], Method::Invalidate);
//! let request = CreatePurgeTask::new(ZoneId::new("zone-1")?, hosts)?;
//! assert_eq!(
//!     request.to_json(),
//!     r#"{"ZoneId":"zone-1","Type":"purge_host","Method":"invalidate","Targets":["www.example.com"]}"#,
//! );
//! let answer = Answer::<TaskCreated>::from_slice(br#"{"Response":{"JobId":"j1","FailedList":[],"RequestId":"r"}}"#)
//!     .expect("a readable answer");
//! assert_eq!(answer.result().as_ref().map(|c| c.job_id.as_str()), Ok("j1"));
//! # Ok::<(), tcdn_model::ModelError>(())
//! ```

mod answer;
mod codes;
mod limits;
mod parse;
mod request;
mod types;

pub use answer::{ContentQuota, FailReason, Quota, Task, TaskCreated, Tasks, Zone, Zones};
pub use codes::{ErrorCode, class_of, class_of_error};
pub use limits::{
    DEFAULT_MAX_TARGETS, ENDPOINT_HOST, ENDPOINT_PATH, MAX_CACHE_TAG_LEN, MAX_CALLS_PER_SECOND,
    MAX_FILTER_VALUES, MAX_HOSTNAME_LEN, MAX_JOB_ID_LEN, MAX_QUERY_WINDOW_SECS, MAX_TASKS_LIMIT,
    MAX_ZONE_ID_LEN, MAX_ZONES_LIMIT, SERVICE, VERSION,
};
pub use parse::BatchLimits;
pub use request::{
    ActionRequest, CreatePrefetchTask, CreatePurgeTask, DescribeContentQuota,
    DescribePrefetchTasks, DescribePurgeTasks, DescribeZones, PrefetchOptions, PurgeTargets,
    Request, TaskQuery, TaskSelector,
};
pub use types::{
    CacheTag, Hostname, JobId, Method, PurgeType, QuotaType, TargetText, TaskStatus, Time, ZoneId,
};

crate::actions::actions! {
    refuse: crate::v3::Action::unknown => crate::v3::ApiError;
    /// An EdgeOne action.
    pub enum Action {
        CreatePurgeTask,
        CreatePrefetchTask,
        DescribePurgeTasks,
        DescribePrefetchTasks,
        DescribeContentQuota,
        DescribeZones,
    }
}
