//! An account's CDN domains (docs/protocol.md §12): which names are domain
//! names, which hosts a domain covers, a wildcard domain included, and the
//! filters `DescribeDomains` lists them by.

/// Whether `name` is a domain name an account can add: dot-separated
/// non-empty labels of ASCII letters, digits, `-` and `_`, optionally
/// after a leading `*.` (a wildcard domain).
///
/// ```
/// use tcdn_model::v3::is_domain_name;
///
/// assert!(is_domain_name("www.example.com"));
/// assert!(is_domain_name("*.example.com"));
/// assert!(!is_domain_name("a.*.example.com"));
/// assert!(!is_domain_name("example.com:443"));
/// ```
pub fn is_domain_name(name: &str) -> bool {
    let labels = name.strip_prefix("*.").unwrap_or(name);
    !labels.is_empty()
        && labels.len() <= 253
        && labels.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Whether the account's domain `domain` covers `host`, ignoring letter
/// case: `host` is the domain itself, or `domain` is a wildcard
/// `*.parent` and `host` is one label below `parent` (`img.example.com`
/// under `*.example.com`, but not `a.img.example.com`: a wildcard covers
/// one level, as CDN wildcard domains do; docs/protocol.md §12.6).
///
/// ```
/// use tcdn_model::v3::domain_covers;
///
/// assert!(domain_covers("www.example.com", "WWW.Example.com"));
/// assert!(domain_covers("*.example.com", "img.example.com"));
/// assert!(!domain_covers("*.example.com", "a.img.example.com"));
/// assert!(!domain_covers("*.example.com", "example.com"));
/// ```
pub fn domain_covers(domain: &str, host: &str) -> bool {
    if domain.eq_ignore_ascii_case(host) {
        return true;
    }
    let Some(parent) = domain.strip_prefix("*.") else {
        return false;
    };
    let Some((label, rest)) = host.split_once('.') else {
        return false;
    };
    !label.is_empty() && label != "*" && rest.eq_ignore_ascii_case(parent)
}

/// The filter names `DescribeDomains` documents.
pub const DOMAIN_FILTER_NAMES: &[&str] = &[
    "origin",
    "domain",
    "resourceId",
    "status",
    "serviceType",
    "projectId",
    "domainType",
    "fullUrlCache",
    "https",
    "originPullProtocol",
    "tagKey",
];

/// One filter of `DescribeDomains` (`DomainFilter`): a domain matches when
/// its field `name` equals one of `values`, or, when `fuzzy`, contains the
/// one value. Filters are ANDed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DomainFilter {
    /// `Name`: one of [`DOMAIN_FILTER_NAMES`] (`domain`, `status`, …).
    pub name: String,
    /// `Value`: at most 5 values, 1 when fuzzy.
    pub values: Vec<String>,
    /// `Fuzzy`: match a part (only `domain` and `origin`).
    pub fuzzy: bool,
}

impl DomainFilter {
    /// Domains whose `name` field is one of `values`.
    pub fn exact(name: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            name: name.to_owned(),
            values: values.into_iter().map(Into::into).collect(),
            fuzzy: false,
        }
    }

    /// Domains whose `name` field contains `value`.
    pub fn fuzzy(name: &str, value: impl Into<String>) -> Self {
        Self {
            name: name.to_owned(),
            values: vec![value.into()],
            fuzzy: true,
        }
    }
}
