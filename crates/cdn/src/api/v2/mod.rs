//! API 2.0: the `FlushOrPushOverall` action (docs/protocol.md §1, §4).
//!
//! - [`RequestBuilder`] (`builder.rs`) holds what every request is signed
//!   with; `sign.rs` signs a [`FlushOrPush`] into a [`PreparedRequest`]
//!   (`prepared.rs`): HmacSHA1 or HmacSHA256 over the sorted parameters,
//!   GET query or POST form.
//! - [`BatchPlan`] (`plan.rs`) plans URLs into requests without a client.
//! - `answer.rs` classifies the answers: the `{"code","message","codeDesc"}`
//!   envelope and its error catalogue.
//! - `V2` (here) is the backend the client core runs: one rate window of 60 s
//!   for every call, no task ids, no way to look tasks up (so a lost answer
//!   is resent whole).

mod answer;
mod builder;
mod plan;
mod prepared;
mod sign;
#[cfg(test)]
mod testing;

use tcdn_model::v2::{ACTION, Envelope, FlushOrPush};
use tcdn_model::{Areas, CdnUrl, Operation};

pub use builder::{RequestBuilder, RequestError, RequestErrorKind};
pub use plan::{BatchPlan, BorrowedBatchPlan, PlanItem, PlannedBatch};
pub use prepared::PreparedRequest;
pub use tcdn_model::v2::{MAX_GET_REQUEST_TARGET_LEN, MAX_POST_BODY_LEN};

use crate::core::backend::{Answer, Backend, RateWindow, Reply, SignWith, Signed};
use crate::core::pace::{PACING_MARGIN, RATE_WINDOW};
use crate::core::plan::Shape;
use crate::error::{CallError, CallErrorKind};

/// The API 2.0 backend: a [`RequestBuilder`] and the answer classifier.
#[derive(Debug, Clone)]
pub(crate) struct V2 {
    pub(crate) requests: RequestBuilder,
}

/// What one API 2.0 submission asks for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Job {
    pub(crate) operation: Operation,
    pub(crate) areas: Areas,
}

impl Backend for V2 {
    type Job = Job;
    type Batch = FlushOrPush;
    type Receipt = Envelope;

    const RATE_WINDOW: RateWindow = RateWindow {
        window: RATE_WINDOW,
        margin: PACING_MARGIN,
    };

    fn shape(&self, job: &Job) -> Shape {
        self.requests.shape(job.operation, job.areas)
    }

    fn batch(&self, job: &Job, urls: Vec<CdnUrl>) -> FlushOrPush {
        plan::batch(job.operation, job.areas, urls)
    }

    fn narrow(&self, batch: &FlushOrPush, urls: Vec<CdnUrl>) -> FlushOrPush {
        plan::batch(batch.operation(), batch.areas(), urls)
    }

    fn urls(batch: &FlushOrPush) -> &[CdnUrl] {
        batch.urls()
    }

    fn into_urls(batch: FlushOrPush) -> Vec<CdnUrl> {
        batch.into_urls()
    }

    fn action(_: &FlushOrPush) -> &'static str {
        ACTION
    }

    fn span(batch: &FlushOrPush) -> tracing::Span {
        tracing::info_span!(
            "tcdn.call",
            action = ACTION,
            command = batch.operation().command().as_str(),
            r#type = batch.operation().url_type().as_str(),
            batch_size = batch.urls().len(),
        )
    }

    fn prepare(&self, batch: &FlushOrPush, with: SignWith<'_>) -> Signed {
        let prepared = self.requests.prepare_as(
            with.credentials,
            batch,
            with.stamp.unix_seconds,
            with.stamp.nonce,
        );
        if !prepared.fits_wire_limit() {
            return Err(CallError::new(
                CallErrorKind::RequestTooLarge,
                format!(
                    "the request is {} bytes, over the {} limit of the server (GET 32 KB \
                     request target, POST 1 MB body); send fewer or shorter URLs per request",
                    prepared.wire_size(),
                    prepared.method()
                ),
            ));
        }
        super::http_request(prepared)
    }

    fn classify(&self, _: &FlushOrPush, reply: Reply<'_>) -> Answer<Envelope> {
        answer::classify(reply.response, reply.local_unix)
    }
}
