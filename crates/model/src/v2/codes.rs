//! The error catalogue: common codes (the envelope's `code`, docs/protocol.md §4.4),
//! purge/push module codes (the `(NNNN)` prefix of `message` or `codeDesc`,
//! docs/protocol.md §4.5), and what a client should do about each.

use std::fmt;

/// What a client should do about an error code.
///
/// The classes, and why each code is where it is:
/// - [`Retryable`](Retryability::Retryable): transient server states that a
///   later, freshly signed attempt can get past: internal errors (6000, 9000),
///   maintenance (6200), rate limits ("operating too frequently", 9163 and
///   22063, and the common 4400 when no module code says otherwise) and replay
///   refusals (4500, since every retry is signed anew with a fresh `Nonce`).
/// - [`NotToday`](Retryability::NotToday): a daily quota is used up (21000,
///   22044, 22046, 23101). Retrying within the same day only burns calls; the
///   quota resets the next day.
/// - [`Permanent`](Retryability::Permanent): the same request fails again
///   until the caller changes something: parameters (4000, 9003, batch-size
///   codes 22043/22045/23100, which need a split), credentials or clock (4100,
///   4200: a fresh signature from the same wrong clock expires again), the
///   account or domain (4300, 9105, 9110, 9169, 23103, 28006-28008, ...).
///   5400 (partly succeeded) is here too: a blind retry would resubmit the
///   parts that already succeeded.
/// - [`Unknown`](Retryability::Unknown): a code not in the catalogue; callers
///   should treat it as permanent unless they know better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Retryability {
    /// Transient: retry after a backoff, with a freshly signed request.
    Retryable,
    /// A daily quota is exhausted: do not retry before the quota resets
    /// (the next day).
    NotToday,
    /// Retrying the same request cannot succeed; fix the request, the
    /// credentials or the account first.
    Permanent,
    /// The code is not in the catalogue.
    Unknown,
}

/// Defines a catalogue enum with an `Other(i64)` fallback and its lookups.
macro_rules! catalogue {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $meaning:literal, $retry:ident; )*
        }
    ) => {
        $(#[$meta])*
        #[non_exhaustive]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* #[doc = concat!("`", stringify!($code), "`: ", $meaning, ".")] $variant, )*
            /// A code not in the catalogue, preserved as received.
            Other(i64),
        }

        impl $name {
            /// Every catalogued code (without `Other`), in catalogue order.
            pub const KNOWN: &'static [Self] = &[$(Self::$variant),*];

            /// Looks a code up; unknown codes become `Other(code)`.
            pub const fn from_code(code: i64) -> Self {
                match code {
                    $( $code => Self::$variant, )*
                    other => Self::Other(other),
                }
            }

            /// The numeric code.
            pub const fn code(self) -> i64 {
                match self {
                    $( Self::$variant => $code, )*
                    Self::Other(code) => code,
                }
            }

            /// What the code means (English; from Tencent's error-code page).
            pub const fn meaning(self) -> &'static str {
                match self {
                    $( Self::$variant => $meaning, )*
                    Self::Other(_) => "unknown code",
                }
            }

            /// What a client should do about it (see [`Retryability`] for the reasoning).
            pub const fn retryability(self) -> Retryability {
                match self {
                    $( Self::$variant => Retryability::$retry, )*
                    Self::Other(_) => Retryability::Unknown,
                }
            }
        }

        impl From<i64> for $name {
            fn from(code: i64) -> Self {
                Self::from_code(code)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} ({})", self.code(), self.meaning())
            }
        }
    };
}

catalogue! {
    /// A common error code: the envelope's non-zero `code` (docs/protocol.md §4.4).
    ///
    /// `0` means success and is not an error, so `from_code(0)` gives
    /// `Other(0)`; use [`Envelope::is_success`](crate::v2::Envelope::is_success).
    CommonCode {
        InvalidParameter = 4000, "invalid parameter; details in the message", Permanent;
        AuthenticationFailed = 4100, "authentication failed", Permanent;
        RequestExpired = 4200, "request expired", Permanent;
        AccessDenied = 4300, "access denied (account banned or not in the API's user scope)", Permanent;
        QuotaExceeded = 4400, "quota or rate limit exceeded", Retryable;
        Replay = 4500, "replay: Nonce reused or Timestamp more than 2 hours off", Retryable;
        ProtocolNotSupported = 4600, "protocol not supported", Permanent;
        ResourceNotFound = 5000, "resource does not exist", Permanent;
        ResourceOperationFailed = 5100, "resource operation failed", Permanent;
        PurchaseFailed = 5200, "purchase failed", Permanent;
        InsufficientBalance = 5300, "purchase failed: insufficient balance", Permanent;
        PartialSuccess = 5400, "batch operation partly succeeded", Permanent;
        QualificationNotPassed = 5500, "purchase failed: account qualification review not passed", Permanent;
        InternalError = 6000, "internal server error", Retryable;
        VersionNotSupported = 6100, "version not supported (check the host)", Permanent;
        UnderMaintenance = 6200, "API under maintenance", Retryable;
    }
}

catalogue! {
    /// A CDN module code relevant to purge and prefetch (docs/protocol.md §4.5),
    /// found as `(NNNN)` at the start of `message` or as `codeDesc`.
    ModuleCode {
        SystemError = 9000, "system error", Retryable;
        ParameterError = 9003, "parameter error", Permanent;
        NoMatchingRecord = -9009, "no matching record", Permanent;
        DomainNotFound = 9105, "domain does not exist", Permanent;
        NoSuchHost = 9110, "no information for this domain (domain does not exist)", Permanent;
        CdnNotActivated = 9111, "CDN service not activated", Permanent;
        TooFrequent = 9163, "operating too frequently", Retryable;
        AccountBanned = 9169, "account banned", Permanent;
        PrefetchDailyQuotaExceeded = 21000, "prefetch daily quota exceeded", NotToday;
        TaskNotFound = 21001, "task_id does not exist", Permanent;
        PrefetchSubmissionTooLong = 21002, "single prefetch submission too long", Permanent;
        DomainWithoutCdn = 22041, "domain has no CDN service", Permanent;
        PurgeTooManyUrls = 22043, "too many URLs in one purge", Permanent;
        PurgeUrlDailyQuotaExceeded = 22044, "URL purge daily quota exceeded", NotToday;
        PurgeTooManyDirs = 22045, "too many directories in one purge", Permanent;
        PurgeDirDailyQuotaExceeded = 22046, "directory purge daily quota exceeded", NotToday;
        PurgeTooFrequent = 22063, "operating too frequently", Retryable;
        PrefetchTooManyUrls = 23100, "too many URLs in one prefetch", Permanent;
        PrefetchUrlDailyQuotaExceeded = 23101, "URL prefetch daily quota exceeded", NotToday;
        NoApiPermission = 23103, "no permission to call this API (e.g. not on the prefetch whitelist)", Permanent;
        NoResourcePermission = 25002, "no permission on the resource", Permanent;
        PrefetchDomainClosed = 28006, "prefetch domain is closed", Permanent;
        PurgeDomainClosed = 28007, "purge domain is closed", Permanent;
        DomainNotOnline = 28008, "domain not online", Permanent;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_round_trip_and_unknown_codes_are_kept() {
        for &code in CommonCode::KNOWN {
            assert_eq!(CommonCode::from_code(code.code()), code);
            assert_ne!(code.retryability(), Retryability::Unknown);
        }
        for &code in ModuleCode::KNOWN {
            assert_eq!(ModuleCode::from_code(code.code()), code);
            assert_ne!(code.retryability(), Retryability::Unknown);
        }
        assert_eq!(CommonCode::from_code(4001), CommonCode::Other(4001));
        assert_eq!(CommonCode::Other(4001).code(), 4001);
        assert_eq!(
            ModuleCode::from(100004).retryability(),
            Retryability::Unknown
        );
        assert_eq!(CommonCode::from_code(0), CommonCode::Other(0));
    }

    #[test]
    fn classes_match_the_documented_reasoning() {
        use Retryability::*;
        let common = [
            (4000, Permanent),
            (4100, Permanent),
            (4300, Permanent),
            (4400, Retryable),
            (4500, Retryable),
            (6000, Retryable),
        ];
        for (code, class) in common {
            assert_eq!(CommonCode::from_code(code).retryability(), class, "{code}");
        }
        let module = [
            (9163, Retryable),
            (22063, Retryable),
            (22044, NotToday),
            (23101, NotToday),
            (22043, Permanent),
            (9110, Permanent),
        ];
        for (code, class) in module {
            assert_eq!(ModuleCode::from_code(code).retryability(), class, "{code}");
        }
    }

    #[test]
    fn display_shows_code_and_meaning() {
        assert_eq!(
            ModuleCode::NoSuchHost.to_string(),
            "9110 (no information for this domain (domain does not exist))"
        );
        assert_eq!(CommonCode::Other(7).to_string(), "7 (unknown code)");
    }
}
