//! The account the emulator plays (docs/protocol.md §12): its CDN domains,
//! each with an acceleration area and a status, and the actions CAM denies
//! it. With no domain configured the account owns every host, so quick tests
//! need no setup.

use std::fmt;
use std::str::FromStr;

use tcdn_model::CdnUrl;
use tcdn_model::v3::{Action, ApiError, Area, ErrorCode};

/// Whether a domain accepts purges and pushes (`Status` of
/// `DescribeDomains`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DomainStatus {
    /// `online`: accelerated; purges and pushes are accepted.
    Online,
    /// `offline`: switched off; purges and pushes are refused.
    Offline,
}

impl DomainStatus {
    /// The wire value: `online` or `offline`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Offline => "offline",
        }
    }
}

/// One domain of the account (`--domain HOST[:AREA]`,
/// `--offline-domain HOST[:AREA]`).
///
/// The name is kept in lower case; `*.example.com` is a wildcard domain,
/// which covers every name one label below `example.com`
/// ([`tcdn_model::v3::domain_covers`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDomain {
    name: String,
    area: Area,
    status: DomainStatus,
}

impl AccountDomain {
    /// An online domain serving `area`; `None` when `name` is not a host
    /// name (letters, digits, `-`, `_` and dots, optionally after `*.`).
    pub fn online(name: &str, area: Area) -> Option<Self> {
        let name = name.to_ascii_lowercase();
        tcdn_model::v3::is_domain_name(&name).then_some(Self {
            name,
            area,
            status: DomainStatus::Online,
        })
    }

    /// The same domain, switched off.
    pub fn offline(self) -> Self {
        Self {
            status: DomainStatus::Offline,
            ..self
        }
    }

    /// The name, in lower case (`www.example.com`, `*.example.com`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where it is accelerated.
    pub fn area(&self) -> Area {
        self.area
    }

    /// Whether it is online.
    pub fn status(&self) -> DomainStatus {
        self.status
    }

    /// Whether it covers `host` (lower case): by name, or as a wildcard.
    fn covers(&self, host: &str) -> bool {
        tcdn_model::v3::domain_covers(&self.name, host)
    }
}

impl FromStr for AccountDomain {
    type Err = String;

    /// `HOST[:AREA]`, online; AREA is `mainland` (the default), `overseas`
    /// or `global`.
    fn from_str(text: &str) -> Result<Self, String> {
        let (host, area) = match text.split_once(':') {
            Some((host, area)) => {
                let area = Area::from_wire(area).ok_or_else(|| {
                    format!("`{area}` is not an area: mainland, overseas or global")
                })?;
                (host, area)
            }
            None => (text, Area::Mainland),
        };
        Self::online(host, area).ok_or_else(|| {
            format!("`{host}` is not a domain name (e.g. www.example.com or *.example.com)")
        })
    }
}

impl fmt::Display for AccountDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.area)
    }
}

/// What a URL-carrying call of the account asks, for [`Account::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Submission {
    /// A purge (`PurgeUrlsCache`, `PurgePathCache`) with its `Area`, if
    /// given.
    Purge(Option<Area>),
    /// A push (`PushUrlsCache`) with its area (given, or the documented
    /// default `mainland`).
    Push(Area),
}

/// The account: its domains and the actions it may not call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    /// The account's domains, in the order `DescribeDomains` lists them;
    /// empty: every host is the account's.
    pub domains: Vec<AccountDomain>,
    /// Actions CAM denies (`UnauthorizedOperation.CdnCamUnauthorized`).
    pub denied: Vec<Action>,
}

impl Account {
    /// `UnauthorizedOperation.CdnCamUnauthorized` when CAM denies `action`.
    pub(crate) fn authorize(&self, action: Action) -> Result<(), ApiError> {
        if self.denied.contains(&action) {
            return Err(refusal(ErrorCode::CdnCamUnauthorized, action.as_str()));
        }
        Ok(())
    }

    /// Judges the URLs of one call against the account's domains, in order:
    /// the first URL that the account cannot take refuses the whole call
    /// (nothing is applied). Returns the area the work applies to: a
    /// purge without `Area` applies to its domains' own areas (mainland
    /// when the account owns every host).
    pub(crate) fn check(&self, submission: Submission, urls: &[CdnUrl]) -> Result<Area, ApiError> {
        let given = match submission {
            Submission::Purge(area) => area,
            Submission::Push(area) => Some(area),
        };
        if self.domains.is_empty() {
            return Ok(given.unwrap_or(Area::Mainland));
        }
        let push = matches!(submission, Submission::Push(_));
        let mut own = None;
        for url in urls {
            let host = url.host().to_ascii_lowercase();
            if host.starts_with("*.") {
                return Err(if push {
                    refusal(ErrorCode::CdnPushWildcardNotAllowed, &host)
                } else {
                    refusal(ErrorCode::CdnPurgeWildcardNotAllowed, &host)
                });
            }
            let domain = self
                .domain_of(&host)
                .ok_or_else(|| refusal(ErrorCode::CdnHostNotExists, &host))?;
            if domain.status == DomainStatus::Offline {
                // docs/protocol.md §12.1: a push names prefetch in its code.
                return Err(if push {
                    refusal(ErrorCode::CdnHostIsNotOnline, &host)
                } else {
                    refusal(ErrorCode::CdnHostInvalidStatus, &host)
                });
            }
            if let Some(area) = given
                && !serves(domain.area, area)
            {
                return Err(ApiError::new(
                    ErrorCode::CdnParamError,
                    format!(
                        "Parameter error: the domain {} is accelerated in {}, not in the Area {area}.",
                        domain.name, domain.area
                    ),
                ));
            }
            own = Some(own.map_or(domain.area, |seen| union(seen, domain.area)));
        }
        Ok(given.or(own).unwrap_or(Area::Mainland))
    }

    /// The domain that covers `host`: its own name first, then a wildcard.
    fn domain_of(&self, host: &str) -> Option<&AccountDomain> {
        self.domains
            .iter()
            .find(|d| d.name == host)
            .or_else(|| self.domains.iter().find(|d| d.covers(host)))
    }
}

/// A refusal in the API's English words, naming the host or action (the
/// real server names none; the emulator does, for whoever reads its logs).
fn refusal(code: ErrorCode, what: &str) -> ApiError {
    let message = crate::messages::english(&code);
    ApiError::new(code, format!("{message} ({what})"))
}

/// Whether a domain accelerated in `domain` serves work in `asked`.
fn serves(domain: Area, asked: Area) -> bool {
    domain == Area::Global || domain == asked
}

fn union(a: Area, b: Area) -> Area {
    if a == b { a } else { Area::Global }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(domains: &[&str]) -> Account {
        Account {
            domains: domains.iter().map(|d| d.parse().unwrap()).collect(),
            denied: Vec::new(),
        }
    }

    fn urls(texts: &[&str]) -> Vec<CdnUrl> {
        texts.iter().map(|t| t.parse().unwrap()).collect()
    }

    fn code(result: Result<Area, ApiError>) -> String {
        result.unwrap_err().code().as_str().to_owned()
    }

    #[test]
    fn domains_parse_with_an_optional_area() {
        let d: AccountDomain = "WWW.Example.com".parse().unwrap();
        assert_eq!((d.name(), d.area()), ("www.example.com", Area::Mainland));
        let d: AccountDomain = "*.example.com:overseas".parse().unwrap();
        assert_eq!((d.name(), d.area()), ("*.example.com", Area::Overseas));
        assert_eq!(d.to_string(), "*.example.com:overseas");
        for bad in [
            "",
            "a..b",
            "a.b:moon",
            "https://a.b",
            "a b",
            "*.",
            "a.*.b",
            "a.b:",
        ] {
            assert!(bad.parse::<AccountDomain>().is_err(), "{bad}");
        }
    }

    #[test]
    fn no_domain_owns_every_host() {
        let any = Account::default();
        let urls = &urls(&["https://*.x.com/a", "https://anything/b"]);
        assert_eq!(any.check(Submission::Purge(None), urls), Ok(Area::Mainland));
        let push = Submission::Push(Area::Global);
        assert_eq!(any.check(push, urls), Ok(Area::Global));
    }

    #[test]
    fn hosts_are_judged_in_order() {
        let a = account(&["www.example.com", "*.img.example.com:global"]);
        let purge = Submission::Purge(None);
        assert_eq!(
            a.check(
                purge,
                &urls(&[
                    "https://WWW.example.com:8443/a",
                    "http://x.img.example.com/b"
                ])
            ),
            Ok(Area::Global)
        );
        assert_eq!(
            code(a.check(
                purge,
                &urls(&["https://www.example.com/a", "https://other.com/b"])
            )),
            "ResourceNotFound.CdnHostNotExists"
        );
        // One label below a wildcard, not two.
        assert_eq!(
            code(a.check(purge, &urls(&["https://a.b.img.example.com/x"]))),
            "ResourceNotFound.CdnHostNotExists"
        );
        assert_eq!(
            code(a.check(purge, &urls(&["https://*.img.example.com/x"]))),
            "InvalidParameter.CdnPurgeWildcardNotAllowed"
        );
        assert_eq!(
            code(a.check(
                Submission::Push(Area::Mainland),
                &urls(&["https://*.img.example.com/x"])
            )),
            "InvalidParameter.CdnPushWildcardNotAllowed"
        );
    }

    #[test]
    fn offline_domains_and_areas() {
        let mut a = account(&["www.example.com", "eu.example.com:overseas"]);
        a.domains.push(
            AccountDomain::online("off.example.com", Area::Mainland)
                .unwrap()
                .offline(),
        );
        let off = &urls(&["https://off.example.com/a"]);
        assert_eq!(
            code(a.check(Submission::Purge(None), off)),
            "InvalidParameter.CdnHostInvalidStatus"
        );
        assert_eq!(
            code(a.check(Submission::Push(Area::Mainland), off)),
            "ResourceUnavailable.CdnHostIsNotOnline"
        );
        let eu = &urls(&["https://eu.example.com/a"]);
        assert_eq!(a.check(Submission::Purge(None), eu), Ok(Area::Overseas));
        assert_eq!(
            code(a.check(Submission::Purge(Some(Area::Mainland)), eu)),
            "InvalidParameter.CdnParamError"
        );
        assert_eq!(
            code(a.check(Submission::Push(Area::Mainland), eu)),
            "InvalidParameter.CdnParamError"
        );
        assert_eq!(
            code(a.check(
                Submission::Push(Area::Global),
                &urls(&["https://www.example.com/a"])
            )),
            "InvalidParameter.CdnParamError"
        );
    }

    #[test]
    fn denied_actions_are_refused() {
        let a = Account {
            denied: vec![Action::PushUrlsCache],
            ..Account::default()
        };
        assert!(a.authorize(Action::PurgeUrlsCache).is_ok());
        let error = a.authorize(Action::PushUrlsCache).unwrap_err();
        assert_eq!(error.code(), &ErrorCode::CdnCamUnauthorized);
    }
}
