//! A URL-list call whose URLs are read in place from a [`CdnUrlList`].

use std::borrow::Cow;
use std::ops::Range;

use crate::url_list::CdnUrlList;
use crate::v3::Action;
use crate::v3::request::urls::{purge_fields, push_fields};
use crate::v3::types::{FlushType, PurgeOptions, PushOptions};
use crate::v3::wire::{self, Fields, Urls};

/// A call of a URL-list action whose URLs are read in place from positions
/// of a [`CdnUrlList`], for a planner that holds them there: the same wire
/// forms as the owned request of those URLs ([`PurgeUrls`](super::PurgeUrls), [`PurgePaths`](super::PurgePaths),
/// [`PushUrls`](super::PushUrls)), built without a [`CdnUrl`](crate::CdnUrl) each. The counts are not
/// checked: the planner that chose the positions keeps to the limits.
///
/// ```
/// use tcdn_model::v3::{ListedRequest, PurgeOptions, PurgeUrls, Request};
/// use tcdn_model::{CdnUrl, CdnUrlList};
///
/// let mut list = CdnUrlList::new();
/// for i in 0..5 {
///     list.push(&format!("https://a.example/{i}"))?;
/// }
/// let options = PurgeOptions::default();
/// let listed = ListedRequest::purge_urls(&list, 1..4, &options);
/// let urls: Vec<CdnUrl> = list.urls().skip(1).take(3).collect();
/// let owned = Request::from(PurgeUrls::new(urls, options.clone())?);
/// assert_eq!(listed.to_json(), owned.to_json());
/// assert_eq!(listed.flat_params(), owned.flat_params());
/// # Ok::<(), tcdn_model::ModelError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ListedRequest<'a> {
    action: Action,
    fields: Fields<'a>,
}

impl<'a> ListedRequest<'a> {
    /// A call of `action` on the URLs at `positions` of `list`, whose
    /// fields `fields` makes of those URLs.
    fn new(
        action: Action,
        list: &'a CdnUrlList,
        positions: Range<usize>,
        fields: impl FnOnce(Urls<'a>) -> Fields<'a>,
    ) -> Self {
        let urls = Urls::Listed(list, positions.start, positions.end);
        Self {
            action,
            fields: fields(urls),
        }
    }

    /// `PurgeUrlsCache` of the URLs at `positions` of `list`.
    pub fn purge_urls(
        list: &'a CdnUrlList,
        positions: Range<usize>,
        options: &'a PurgeOptions,
    ) -> Self {
        Self::new(Action::PurgeUrlsCache, list, positions, |urls| {
            purge_fields("Urls", urls, None, options)
        })
    }

    /// `PurgePathCache` of the directories at `positions` of `list`.
    pub fn purge_paths(
        list: &'a CdnUrlList,
        positions: Range<usize>,
        flush_type: FlushType,
        options: &'a PurgeOptions,
    ) -> Self {
        Self::new(Action::PurgePathCache, list, positions, |urls| {
            purge_fields("Paths", urls, Some(flush_type), options)
        })
    }

    /// `PushUrlsCache` of the URLs at `positions` of `list`.
    pub fn push_urls(
        list: &'a CdnUrlList,
        positions: Range<usize>,
        options: &'a PushOptions,
    ) -> Self {
        Self::new(Action::PushUrlsCache, list, positions, |urls| {
            push_fields(urls, options)
        })
    }

    /// The action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// The JSON body, as [`ActionRequest::to_json`](super::ActionRequest::to_json).
    pub fn to_json(&self) -> String {
        wire::json(&self.fields)
    }

    /// The flattened parameters, as [`ActionRequest::flat_params`](super::ActionRequest::flat_params).
    pub fn flat_params(&self) -> Vec<(Cow<'static, str>, Cow<'_, str>)> {
        wire::flat(&self.fields)
    }

    /// The form length of the flattened parameters, as
    /// [`ActionRequest::flat_form_len`](super::ActionRequest::flat_form_len).
    pub fn flat_form_len(&self) -> usize {
        wire::form_len_joined(&self.fields).saturating_sub(1)
    }
}
