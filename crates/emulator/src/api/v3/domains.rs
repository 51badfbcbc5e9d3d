//! `DescribeDomains` (docs/protocol.md §12.4): the account's domains, in the
//! order they were configured, filtered and paged, each with every field
//! Tencent's SDK reads.

use tcdn_model::v3::{BriefDomain, DescribeDomains, DomainFilter, Domains};

use super::queries::page;
use crate::account::{Account, AccountDomain};

/// The `AppId` every listed domain carries.
const APP_ID: i64 = 1_250_000_000;

/// When every domain was created and last changed (Beijing time): a fixed
/// instant, so answers do not depend on when the emulator started.
const CREATED: &str = "2024-01-01 00:00:00";

/// The domains that pass every filter, from `Offset` (default 0), at most
/// `Limit` (default 100).
pub(crate) fn domains(account: &Account, query: &DescribeDomains) -> Domains {
    let listed: Vec<BriefDomain> = account
        .domains
        .iter()
        .map(brief)
        .filter(|domain| query.filters.iter().all(|f| matches(f, domain)))
        .collect();
    let (domains, total_number) = page(listed, query.offset, Some(query.limit.unwrap_or(100)));
    Domains {
        domains,
        total_number,
    }
}

fn brief(domain: &AccountDomain) -> BriefDomain {
    let name = domain.name();
    let parent = name.strip_prefix("*.").unwrap_or(name);
    BriefDomain {
        resource_id: resource_id(name),
        app_id: APP_ID,
        domain: name.to_owned(),
        cname: format!("{}.cdn.dnsv1.com", name.replace('*', "_")),
        status: domain.status().as_str().to_owned(),
        project_id: 0,
        service_type: "web".to_owned(),
        create_time: CREATED.to_owned(),
        update_time: CREATED.to_owned(),
        origins: vec![format!("origin.{parent}")],
        disable: "normal".to_owned(),
        area: domain.area().as_str().to_owned(),
        readonly: "normal".to_owned(),
        product: "cdn".to_owned(),
        parent_host: String::new(),
    }
}

/// `cdn-` and eight letters and digits derived from the name (FNV-1a), so
/// a domain keeps its id across runs.
fn resource_id(name: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let id: String = (0..8)
        .map(|i| char::from(digits[((hash >> (i * 6)) % 36) as usize]))
        .collect();
    format!("cdn-{id}")
}

/// Whether `domain` passes `filter`: its field equals one of the values
/// (letter case ignored), or, fuzzy, contains the value. A field the
/// emulator does not keep (`tagKey`) matches nothing.
fn matches(filter: &DomainFilter, domain: &BriefDomain) -> bool {
    let project = domain.project_id.to_string();
    let field = match filter.name.as_str() {
        "domain" => domain.domain.as_str(),
        "origin" => domain.origins.first().map_or("", String::as_str),
        "resourceId" => domain.resource_id.as_str(),
        "status" => domain.status.as_str(),
        "serviceType" => domain.service_type.as_str(),
        "projectId" => project.as_str(),
        "domainType" => "cname",
        "fullUrlCache" => "on",
        "https" => "off",
        "originPullProtocol" => "http",
        _ => return false,
    }
    .to_ascii_lowercase();
    filter.values.iter().any(|value| {
        let value = value.to_ascii_lowercase();
        if filter.fuzzy {
            field.contains(&value)
        } else {
            field == value
        }
    })
}
