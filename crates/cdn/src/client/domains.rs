//! Which hosts are the account's (docs/protocol.md §12.4, §12.6):
//! `DescribeDomains` read page by page ([`Client::account_domains`]), the
//! check a submission of several calls makes first ([`CheckDomains`],
//! [`Client::check_domains`]), and the URLs it fails without a call
//! because no domain of the account covers their host.

use std::collections::HashMap;

use tcdn_model::CdnUrl;
use tcdn_model::v3::{DescribeDomains, MAX_DOMAINS_LIMIT};

use super::Client;
use crate::api::v3::Body;
use crate::core::dedupe::DistinctUrls;
use crate::domains::{AccountDomains, CheckDomains, DomainCheckError};
use crate::error::CallError;
use crate::job::{Api, Job};
use crate::report::{Failure, Report};

/// At most this many `DescribeDomains` pages are read (a million domains):
/// a server whose `TotalNumber` never ends the paging cannot loop forever.
const MAX_PAGES: u64 = 1000;

/// The code a URL whose host is not the account's fails with, as the API
/// itself would answer it.
const NOT_THE_ACCOUNTS: &str = "ResourceNotFound.CdnHostNotExists";

impl Client {
    /// `DescribeDomains`, every page: the account's domains (as far as the
    /// credentials may see them) (API 3.0).
    ///
    /// # Errors
    /// A page's [`CallError`];
    /// [`CallErrorKind::Unsupported`](crate::error::CallErrorKind::Unsupported)
    /// under API 2.0.
    pub async fn account_domains(&self) -> Result<AccountDomains, CallError> {
        let mut domains = Vec::new();
        let mut offset = 0;
        for _ in 0..MAX_PAGES {
            let page = DescribeDomains {
                offset: Some(offset),
                limit: Some(MAX_DOMAINS_LIMIT),
                ..DescribeDomains::default()
            };
            let page = match self.query(page.into()).await? {
                Body::Domains(page) => page,
                other => return Err(super::unexpected(&other)),
            };
            let count = page.domains.len() as u64;
            domains.extend(page.domains);
            offset += count;
            if count == 0 || offset >= u64::try_from(page.total_number).unwrap_or(0) {
                break;
            }
        }
        Ok(AccountDomains::new(domains))
    }

    /// The check of `job` (its [`check_domains`](Job::check_domains) mode)
    /// for `count` URLs: `Ok(Some)` the account's domains, to fail the
    /// URLs they do not cover; `Ok(None)` no check (never asked, one call
    /// is enough, API 2.0, or, under [`CheckDomains::Auto`], the list could
    /// not be read or was empty, which the log says at `info`).
    ///
    /// # Errors
    /// Under [`CheckDomains::Always`], a refused `DescribeDomains` or an
    /// empty list.
    pub async fn check_domains(
        &self,
        job: &Job,
        count: usize,
    ) -> Result<Option<AccountDomains>, DomainCheckError> {
        let mode = job.check_domains_given();
        let per_call = job
            .max_per_call(Api::V3)
            .min(self.core.batch_size.map_or(usize::MAX, |n| n.get()));
        if mode == CheckDomains::Never || self.api() != Api::V3 || count <= per_call {
            return Ok(None);
        }
        let why = match self.account_domains().await {
            Ok(domains) if !domains.is_empty() => {
                tracing::info!(
                    domains = domains.domains().len(),
                    "DescribeDomains listed the account's domains; URLs of other hosts fail without a call"
                );
                return Ok(Some(domains));
            }
            Ok(_) => "DescribeDomains listed no domain".to_owned(),
            Err(error) => format!("DescribeDomains failed: {error}"),
        };
        if mode == CheckDomains::Always {
            return Err(DomainCheckError::new(format!(
                "{why}, so the hosts cannot be checked (--check-domains always); \
                 --check-domains auto submits unchecked"
            )));
        }
        tracing::info!("{why}; submitting without the domain check");
        Ok(None)
    }
}

/// `urls` split into those whose host `domains` cover, still distinct,
/// and the failures of the others, which were never sent; and every URL in
/// input order, for [`merge`].
pub(crate) fn partition(
    urls: DistinctUrls,
    domains: &AccountDomains,
) -> (DistinctUrls, Vec<Failure>, Vec<CdnUrl>) {
    let order = urls.into_vec();
    let mut foreign = Vec::new();
    let mut kept = DistinctUrls::new();
    // Each host is looked up once.
    let mut seen: HashMap<String, bool> = HashMap::new();
    for url in &order {
        let host = url.host().to_lowercase();
        let covered = *seen
            .entry(host)
            .or_insert_with_key(|host| domains.covers(host));
        if covered {
            kept.insert(url.clone());
        } else {
            foreign.push(not_the_accounts(url.clone()));
        }
    }
    (kept, foreign, order)
}

/// The failure of a URL whose host no domain of the account covers.
fn not_the_accounts(url: CdnUrl) -> Failure {
    let message = format!(
        "API error {NOT_THE_ACCOUNTS} (no such domain on the account): DescribeDomains found \
         no domain {} on the account, so the URL was not sent",
        crate::text::printable(url.host())
    );
    let mut failure = Failure::unsent(url, message);
    failure.error_code = Some(NOT_THE_ACCOUNTS.to_owned());
    failure
}

/// Puts the failures of URLs never sent for their host into `report`'s
/// `failed`, in input order (`order`: every URL of the submission, in
/// order).
pub(crate) fn merge(report: &mut Report, foreign: Vec<Failure>, order: &[CdnUrl]) {
    if foreign.is_empty() {
        return;
    }
    let position: HashMap<&CdnUrl, usize> = order.iter().enumerate().map(|(i, u)| (u, i)).collect();
    let at = |url: &CdnUrl| position.get(url).copied().unwrap_or(usize::MAX);
    report.failed.extend(foreign);
    report.failed.sort_by_key(|failure| at(&failure.url));
}
