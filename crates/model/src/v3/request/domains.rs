//! `DescribeDomains`: the account's CDN domains, paged and filtered
//! (docs/protocol.md §12.4).

use crate::v3::Action;
use crate::v3::domains::DomainFilter;
use crate::v3::request::{ActionRequest, sealed};
use crate::v3::wire::{Fields, Value};

/// The largest `Limit` of `DescribeDomains` (documented: 1,000; the
/// default is 100).
pub const MAX_DOMAINS_LIMIT: u64 = 1000;

/// `DescribeDomains`: `None` leaves `Offset` (0) and `Limit` (100) to the
/// API; no filter lists every domain the caller may see.
///
/// ```
/// use tcdn_model::v3::{ActionRequest, DescribeDomains, DomainFilter};
///
/// let query = DescribeDomains {
///     offset: Some(100),
///     limit: Some(100),
///     filters: vec![DomainFilter::fuzzy("domain", "example.com")],
/// };
/// assert_eq!(
///     query.to_json(),
///     r#"{"Offset":100,"Limit":100,"Filters":[{"Name":"domain","Value":["example.com"],"Fuzzy":true}]}"#,
/// );
/// let flat = query.flat_params();
/// assert_eq!(flat[2].0, "Filters.0.Name");
/// assert_eq!(flat[3], ("Filters.0.Value.0".into(), "example.com".into()));
/// assert_eq!(flat[4], ("Filters.0.Fuzzy".into(), "True".into()));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DescribeDomains {
    /// `Offset`, for paging.
    pub offset: Option<u64>,
    /// `Limit`, for paging (at most [`MAX_DOMAINS_LIMIT`]).
    pub limit: Option<u64>,
    /// `Filters`.
    pub filters: Vec<DomainFilter>,
}

impl sealed::HasFields for DescribeDomains {
    fn fields(&self) -> Fields<'_> {
        // Offset, Limit, Filters.
        let mut fields: Fields<'_> = Vec::new();
        fields.extend(self.offset.map(|n| ("Offset", Value::Uint(n))));
        fields.extend(self.limit.map(|n| ("Limit", Value::Uint(n))));
        if !self.filters.is_empty() {
            fields.push(("Filters", Value::Filters(&self.filters)));
        }
        fields
    }
}

impl ActionRequest for DescribeDomains {
    const ACTION: Action = Action::DescribeDomains;
}
