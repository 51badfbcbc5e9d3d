//! API 3.0's queries through a client: the purge and push quotas and
//! task logs, paced and retried like every call.

use tcdn_model::v3::{
    DescribePurgeQuota, DescribePurgeTasks, DescribePushQuota, DescribePushTasks, PurgeQuota,
    PurgeTasks, PushQuota, PushTasks, Request,
};

use super::{Backends, Client};
use crate::api::v3::Body;
use crate::core::call;
use crate::core::halt::Halt;
use crate::error::{CallError, CallErrorKind};

impl Client {
    /// One API 3.0 query, paced and retried like every call.
    pub(crate) async fn query(&self, request: Request) -> Result<Body, CallError> {
        let Backends::V3(v3) = &self.backend else {
            return Err(CallError::new(
                CallErrorKind::Unsupported,
                format!(
                    "{} is an API 3.0 action; API 2.0 cannot read quotas or look tasks up",
                    request.action()
                ),
            ));
        };
        let called = call::call(&self.core, &**v3, &Halt::default(), request, false).await;
        match called.result? {
            Some(receipt) => Ok(receipt.body),
            None => unreachable!("a query is never reconciled"),
        }
    }

    /// `DescribePurgeQuota`: the account's URL and directory purge quotas
    /// (API 3.0).
    ///
    /// # Errors
    /// The call's [`CallError`]; [`CallErrorKind::Unsupported`] under API
    /// 2.0.
    pub async fn purge_quota(&self) -> Result<PurgeQuota, CallError> {
        match self.query(DescribePurgeQuota.into()).await? {
            Body::PurgeQuota(quota) => Ok(quota),
            other => Err(unexpected(&other)),
        }
    }

    /// `DescribePushQuota`: the account's push quotas (API 3.0).
    ///
    /// # Errors
    /// As [`purge_quota`](Self::purge_quota).
    pub async fn push_quota(&self) -> Result<PushQuota, CallError> {
        match self.query(DescribePushQuota.into()).await? {
            Body::PushQuota(quota) => Ok(quota),
            other => Err(unexpected(&other)),
        }
    }

    /// `DescribePurgeTasks`: one page of purge task logs (API 3.0).
    ///
    /// # Errors
    /// As [`purge_quota`](Self::purge_quota).
    pub async fn describe_purge_tasks(
        &self,
        query: DescribePurgeTasks,
    ) -> Result<PurgeTasks, CallError> {
        match self.query(query.into()).await? {
            Body::PurgeTasks(tasks) => Ok(tasks),
            other => Err(unexpected(&other)),
        }
    }

    /// `DescribePushTasks`: one page of push task logs (API 3.0).
    ///
    /// # Errors
    /// As [`purge_quota`](Self::purge_quota).
    pub async fn describe_push_tasks(
        &self,
        query: DescribePushTasks,
    ) -> Result<PushTasks, CallError> {
        match self.query(query.into()).await? {
            Body::PushTasks(tasks) => Ok(tasks),
            other => Err(unexpected(&other)),
        }
    }
}

/// A query's answer that is another action's payload.
pub(crate) fn unexpected(body: &Body) -> CallError {
    CallError::new(
        CallErrorKind::InvalidResponse,
        format!("the server answered with another action's payload: {body:?}"),
    )
}
