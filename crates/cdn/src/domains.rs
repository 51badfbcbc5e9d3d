//! The account's domains as a [`Job`](crate::Job) names them: whether a
//! submission checks its hosts against them first ([`CheckDomains`]), the
//! domains read ([`AccountDomains`]), and why a check that must happen
//! could not ([`DomainCheckError`]). The client reads them
//! ([`Client::account_domains`](crate::Client::account_domains)).

use std::fmt;
use std::str::FromStr;

use tcdn_model::v3::{BriefDomain, domain_covers};

/// Whether a submission first reads the account's domains
/// (`DescribeDomains`) and fails the URLs of hosts that are not the
/// account's without a call, so that they cannot refuse the calls of the
/// other hosts (API 3.0).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum CheckDomains {
    /// Checks a submission that needs more than one call; when
    /// `DescribeDomains` is refused or lists no domain (a sub-account may
    /// see none), says so in the log and submits unchecked.
    Auto,
    /// Checks a submission that needs more than one call; a refusal of
    /// `DescribeDomains`, or an empty list, is an error.
    Always,
    /// Never checks (the library's default: no call is added).
    #[default]
    Never,
}

impl CheckDomains {
    /// `auto`, `always` or `never`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Always => "always",
            Self::Never => "never",
        }
    }
}

impl fmt::Display for CheckDomains {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CheckDomains {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "auto" => Ok(Self::Auto),
            "always" => Ok(Self::Always),
            "never" => Ok(Self::Never),
            other => Err(format!(
                "unknown domain check {other:?}: choose auto, always or never"
            )),
        }
    }
}

/// The account's domains as `DescribeDomains` lists them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountDomains {
    domains: Vec<BriefDomain>,
}

impl AccountDomains {
    /// These domains.
    pub fn new(domains: Vec<BriefDomain>) -> Self {
        Self { domains }
    }

    /// The domains, as listed.
    pub fn domains(&self) -> &[BriefDomain] {
        &self.domains
    }

    /// Whether no domain is listed.
    pub fn is_empty(&self) -> bool {
        self.domains.is_empty()
    }

    /// Whether a domain covers `host`: it is the domain (letter case
    /// aside), or one label below a wildcard domain's parent
    /// ([`domain_covers`]).
    pub fn covers(&self, host: &str) -> bool {
        self.domains.iter().any(|d| domain_covers(&d.domain, host))
    }
}

/// Why [`Client::check_domains`](crate::Client::check_domains) could not check, under
/// [`CheckDomains::Always`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainCheckError {
    message: String,
}

impl DomainCheckError {
    pub(crate) fn new(message: String) -> Self {
        Self { message }
    }
}

impl fmt::Display for DomainCheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DomainCheckError {}
