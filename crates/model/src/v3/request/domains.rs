//! `DescribeDomains`: one page of the account's CDN domains
//! (docs/protocol.md §12.4), by `Offset` and `Limit`.

use crate::v3::Action;
use crate::v3::request::{ActionRequest, sealed};
use crate::v3::wire::{Fields, Value};

/// The most domains one `DescribeDomains` page may list (docs/protocol.md
/// §12.4).
pub const MAX_DOMAINS_PAGE: u64 = 1000;

/// `DescribeDomains`: a page of the account's domains. `None` leaves a
/// field out (the API's default: `Offset` 0, `Limit` 100).
///
/// ```
/// use tcdn_model::v3::{ActionRequest, DescribeDomains};
///
/// let page = DescribeDomains { offset: Some(1000), limit: Some(1000) };
/// assert_eq!(page.to_json(), r#"{"Offset":1000,"Limit":1000}"#);
/// assert_eq!(DescribeDomains::default().to_json(), "{}");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DescribeDomains {
    /// `Offset`, for paging.
    pub offset: Option<u64>,
    /// `Limit`, for paging (at most [`MAX_DOMAINS_PAGE`]).
    pub limit: Option<u64>,
}

impl sealed::HasFields for DescribeDomains {
    fn fields(&self) -> Fields<'_> {
        let mut fields: Fields<'_> = Vec::new();
        fields.extend(self.offset.map(|n| ("Offset", Value::Uint(n))));
        fields.extend(self.limit.map(|n| ("Limit", Value::Uint(n))));
        fields
    }
}

impl ActionRequest for DescribeDomains {
    const ACTION: Action = Action::DescribeDomains;
}
