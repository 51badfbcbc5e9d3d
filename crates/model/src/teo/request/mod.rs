//! The six EdgeOne requests, valid by construction, and their JSON bodies
//! ([`ActionRequest`]): a purge of the whole zone carries no targets, a
//! prefetch carries only URLs, and every request but `DescribeZones` names
//! its zone.

mod create;
mod query;

pub use create::{CreatePrefetchTask, CreatePurgeTask, PrefetchOptions, PurgeTargets};
pub use query::{
    DescribeContentQuota, DescribePrefetchTasks, DescribePurgeTasks, DescribeZones, TaskQuery,
    TaskSelector,
};

use serde::Serialize;

use crate::error::check_count;
use crate::teo::Action;
use crate::teo::types::ZoneId;
mod sealed {
    /// Gives a request's JSON body to [`ActionRequest`](super::ActionRequest);
    /// not for other crates.
    pub trait HasBody {
        fn body(&self) -> String;
    }
}

/// The wire form of an EdgeOne request: its action, its zone, and the JSON
/// body of its TC3 POST (compact, fields in the order of the API's own
/// model, absent optional fields left out). EdgeOne is called with TC3 POST
/// only, so there is no flattened form.
pub trait ActionRequest: sealed::HasBody {
    /// The action.
    const ACTION: Action;

    /// The JSON body.
    fn to_json(&self) -> String {
        self.body()
    }
}

/// Any of the six requests: what the server-side parser gives back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `CreatePurgeTask`.
    CreatePurgeTask(CreatePurgeTask),
    /// `CreatePrefetchTask`.
    CreatePrefetchTask(CreatePrefetchTask),
    /// `DescribePurgeTasks`.
    DescribePurgeTasks(DescribePurgeTasks),
    /// `DescribePrefetchTasks`.
    DescribePrefetchTasks(DescribePrefetchTasks),
    /// `DescribeContentQuota`.
    DescribeContentQuota(DescribeContentQuota),
    /// `DescribeZones`.
    DescribeZones(DescribeZones),
}

impl Request {
    /// The action.
    pub fn action(&self) -> Action {
        match self {
            Self::CreatePurgeTask(_) => Action::CreatePurgeTask,
            Self::CreatePrefetchTask(_) => Action::CreatePrefetchTask,
            Self::DescribePurgeTasks(_) => Action::DescribePurgeTasks,
            Self::DescribePrefetchTasks(_) => Action::DescribePrefetchTasks,
            Self::DescribeContentQuota(_) => Action::DescribeContentQuota,
            Self::DescribeZones(_) => Action::DescribeZones,
        }
    }

    /// The zone the request names (none for `DescribeZones`).
    pub fn zone_id(&self) -> Option<&ZoneId> {
        match self {
            Self::CreatePurgeTask(r) => Some(r.zone_id()),
            Self::CreatePrefetchTask(r) => Some(r.zone_id()),
            Self::DescribePurgeTasks(r) => Some(&r.query.zone_id),
            Self::DescribePrefetchTasks(r) => Some(&r.query.zone_id),
            Self::DescribeContentQuota(r) => Some(&r.zone_id),
            Self::DescribeZones(_) => None,
        }
    }

    /// The JSON body ([`ActionRequest::to_json`]).
    pub fn to_json(&self) -> String {
        match self {
            Self::CreatePurgeTask(r) => r.to_json(),
            Self::CreatePrefetchTask(r) => r.to_json(),
            Self::DescribePurgeTasks(r) => r.to_json(),
            Self::DescribePrefetchTasks(r) => r.to_json(),
            Self::DescribeContentQuota(r) => r.to_json(),
            Self::DescribeZones(r) => r.to_json(),
        }
    }
}

/// Compact JSON of a wire struct, its fields in declaration order (written
/// straight from the struct, so no map type can reorder them).
fn to_json<T: Serialize>(value: &T) -> String {
    // Serialising these plain structs of strings and integers cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}
