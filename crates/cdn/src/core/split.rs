//! A batch refused for one of its hosts ([`Class::HostRefused`]: a domain
//! not on the account, offline, a wildcard, …) is sent again split by host,
//! so that one bad host fails only its own URLs. The refusal says nothing
//! was applied (docs/protocol.md §12.1, §12.6), so no URL is sent twice to
//! a server that took it.
//!
//! [`Class::HostRefused`]: crate::core::backend::Class::HostRefused

use tcdn_model::CdnUrl;

use crate::core::Core;
use crate::core::backend::Backend;
use crate::core::call::{Called, call};
use crate::core::halt::Halt;

/// [`call`]s `batch` (reconciling lost answers); when it is refused for one
/// of its hosts and holds several, calls each host's URLs on its own, one
/// host after the other, in the order the hosts first appear, and returns
/// the refused call with those calls as its
/// [`parts`](Called::parts) and their attempts and requests added to its
/// own.
pub(crate) async fn call_by_host<B: Backend>(
    core: &Core,
    backend: &B,
    halt: &Halt,
    batch: B::Batch,
) -> Called<B> {
    let mut called = call(core, backend, halt, batch, true).await;
    if !called.host_refused {
        return called;
    }
    let groups = by_host(B::urls(&called.batch));
    if groups.len() < 2 {
        return called;
    }
    tracing::info!(
        hosts = groups.len(),
        "the call was refused for one of its hosts; sending each host's URLs on its own"
    );
    for urls in groups {
        let part = backend.narrow(&called.batch, urls);
        let part = call(core, backend, halt, part, true).await;
        called.attempts += part.attempts;
        called.requests += part.requests;
        called.parts.push(part);
    }
    called
}

/// `urls` grouped by host (letter case aside), each group in input order,
/// the groups in the order their hosts first appear.
pub(crate) fn by_host(urls: &[CdnUrl]) -> Vec<Vec<CdnUrl>> {
    let mut hosts: Vec<String> = Vec::new();
    let mut groups: Vec<Vec<CdnUrl>> = Vec::new();
    for url in urls {
        let host = url.host().to_lowercase();
        match hosts.iter().position(|h| *h == host) {
            Some(at) => groups[at].push(url.clone()),
            None => {
                hosts.push(host);
                groups.push(vec![url.clone()]);
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_grouped_by_host_in_first_appearance_order() {
        let urls: Vec<CdnUrl> = [
            "https://b.example/1",
            "https://a.example/2",
            "https://B.Example:8443/3",
            "http://a.example/4",
            "https://c.example/5",
        ]
        .iter()
        .map(|u| u.parse().unwrap())
        .collect();
        let grouped = by_host(&urls);
        let groups: Vec<Vec<&str>> = grouped
            .iter()
            .map(|g| g.iter().map(CdnUrl::as_str).collect())
            .collect();
        assert_eq!(
            groups,
            [
                vec!["https://b.example/1", "https://B.Example:8443/3"],
                vec!["https://a.example/2", "http://a.example/4"],
                vec!["https://c.example/5"],
            ]
        );
        assert_eq!(by_host(&urls[..1]).len(), 1);
    }
}
