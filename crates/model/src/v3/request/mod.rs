//! The eight API 3.0 requests, valid by construction, and their wire forms
//! ([`ActionRequest`]): the URL-list actions in `urls.rs`, the task and quota
//! queries in `query.rs`, `DescribeDomains` in `domains.rs`, a URL-list call read in place from a
//! [`CdnUrlList`](crate::CdnUrlList) in `listed.rs`, and here the trait they
//! share and [`Request`], any one of them.

use std::borrow::Cow;

use crate::v3::Action;
use crate::v3::wire;

mod domains;
mod listed;
mod query;
mod urls;

pub use domains::{DescribeDomains, MAX_DOMAINS_LIMIT};
pub use listed::ListedRequest;
pub use query::{
    DescribePurgeQuota, DescribePurgeTasks, DescribePushQuota, DescribePushTasks, TaskSelector,
};
pub use urls::{PurgePaths, PurgeUrls, PushUrls};

mod sealed {
    /// Gives a request's fields to the wire writers; not for other crates.
    pub trait HasFields {
        fn fields(&self) -> crate::v3::wire::Fields<'_>;
    }
}

/// The wire forms of an API 3.0 request: its action, the JSON body of a TC3
/// POST, and the flattened parameters of a v1 request or a TC3 GET, each
/// with its exact encoded length.
///
/// The JSON body is compact (no spaces), fields in the order of the API's
/// own model (as the official SDKs write them), non-ASCII text as UTF-8 and
/// escapes as `serde_json` writes them; optional fields that are absent, and
/// booleans that are `false` (the API's default), are left out, as the
/// official SDK leaves out `None`. The official Python SDK writes the same
/// fields with spaces after `:` and `,` and `\uXXXX` escapes; the server
/// reads both.
///
/// The flattened parameters hold only the action's own fields: `Action`,
/// `Version` and the common parameters are the client's business. Booleans
/// are written `True`, as the official Python SDK writes them.
pub trait ActionRequest: sealed::HasFields {
    /// The action.
    const ACTION: Action;

    /// The JSON body.
    fn to_json(&self) -> String {
        wire::json(&self.fields())
    }

    /// The exact length of [`to_json`](Self::to_json), computed without
    /// building it.
    fn json_len(&self) -> usize {
        wire::json_len(&self.fields())
    }

    /// The flattened parameters, in field order, values raw (not encoded).
    fn flat_params(&self) -> Vec<(Cow<'static, str>, Cow<'_, str>)> {
        wire::flat(&self.fields())
    }

    /// The exact length of the form encoding of
    /// [`flat_params`](Self::flat_params) alone (`k=v&k=v`, as
    /// [`append_flat_form`](crate::v3::append_flat_form) writes it into an
    /// empty string); `0` when there are none.
    fn flat_form_len(&self) -> usize {
        wire::form_len_joined(&self.fields()).saturating_sub(1)
    }
}

/// Any of the eight requests: what the server-side parsers give back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `PurgeUrlsCache`.
    PurgeUrls(PurgeUrls),
    /// `PurgePathCache`.
    PurgePaths(PurgePaths),
    /// `PushUrlsCache`.
    PushUrls(PushUrls),
    /// `DescribePurgeTasks`.
    DescribePurgeTasks(DescribePurgeTasks),
    /// `DescribePushTasks`.
    DescribePushTasks(DescribePushTasks),
    /// `DescribePurgeQuota`.
    DescribePurgeQuota(DescribePurgeQuota),
    /// `DescribePushQuota`.
    DescribePushQuota(DescribePushQuota),
    /// `DescribeDomains`.
    DescribeDomains(DescribeDomains),
}

macro_rules! dispatch {
    ($self:ident, $r:ident => $e:expr) => {
        match $self {
            Request::PurgeUrls($r) => $e,
            Request::PurgePaths($r) => $e,
            Request::PushUrls($r) => $e,
            Request::DescribePurgeTasks($r) => $e,
            Request::DescribePushTasks($r) => $e,
            Request::DescribePurgeQuota($r) => $e,
            Request::DescribePushQuota($r) => $e,
            Request::DescribeDomains($r) => $e,
        }
    };
}

impl Request {
    /// The action.
    pub fn action(&self) -> Action {
        fn of<R: ActionRequest>(_: &R) -> Action {
            R::ACTION
        }
        dispatch!(self, r => of(r))
    }

    /// The JSON body ([`ActionRequest::to_json`]).
    pub fn to_json(&self) -> String {
        dispatch!(self, r => r.to_json())
    }

    /// The JSON body's length.
    pub fn json_len(&self) -> usize {
        dispatch!(self, r => r.json_len())
    }

    /// The flattened parameters ([`ActionRequest::flat_params`]).
    pub fn flat_params(&self) -> Vec<(Cow<'static, str>, Cow<'_, str>)> {
        dispatch!(self, r => r.flat_params())
    }

    /// The flattened form's length ([`ActionRequest::flat_form_len`]).
    pub fn flat_form_len(&self) -> usize {
        dispatch!(self, r => r.flat_form_len())
    }
}

/// Implements `From<T> for Request` of each request type `T` (the
/// variant of the same name), for the `Request` in scope where it is used.
macro_rules! into_request {
    ($($t:ident),*) => {$(
        impl From<$t> for Request {
            fn from(request: $t) -> Self {
                Self::$t(request)
            }
        }
    )*};
}

pub(crate) use into_request;

into_request!(
    PurgeUrls,
    PurgePaths,
    PushUrls,
    DescribePurgeTasks,
    DescribePushTasks,
    DescribePurgeQuota,
    DescribePushQuota,
    DescribeDomains
);
