//! The value types of EdgeOne requests: purge types and methods, task
//! statuses, quota types, zone ids, hostnames, cache tags, job ids and
//! RFC 3339 times.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::error::{ModelError, ModelErrorKind, quote};
use crate::teo::limits::{MAX_CACHE_TAG_LEN, MAX_HOSTNAME_LEN, MAX_JOB_ID_LEN, MAX_ZONE_ID_LEN};
use crate::url::{MAX_URL_LEN, check_host_name};
use crate::v3::types::{check_query_text, wire_enum};

wire_enum! {
    /// What a `CreatePurgeTask` purges (`Type`).
    PurgeType, "purge type" {
        /// `purge_url`: URLs.
        Url = "purge_url",
        /// `purge_prefix`: every URL under a prefix (a directory).
        Prefix = "purge_prefix",
        /// `purge_host`: everything of a hostname.
        Host = "purge_host",
        /// `purge_all`: everything of the zone.
        All = "purge_all",
        /// `purge_cache_tag`: everything carrying a cache tag.
        CacheTag = "purge_cache_tag",
    }
}

impl PurgeType {
    /// Whether the type takes a [`Method`] (prefix, host and all).
    pub const fn takes_method(self) -> bool {
        matches!(self, Self::Prefix | Self::Host | Self::All)
    }

    /// The [`QuotaType`] this type's targets count against.
    pub const fn quota_type(self) -> QuotaType {
        match self {
            Self::Url => QuotaType::PurgeUrl,
            Self::Prefix => QuotaType::PurgePrefix,
            Self::Host => QuotaType::PurgeHost,
            Self::All => QuotaType::PurgeAll,
            Self::CacheTag => QuotaType::PurgeCacheTag,
        }
    }
}

wire_enum! {
    /// How a prefix, host or whole-zone purge purges (`Method`); the API's
    /// default is `invalidate`.
    Method, "purge method" {
        /// `invalidate`: mark stale; the next request revalidates.
        Invalidate = "invalidate",
        /// `delete`: drop; the next request fetches from the origin.
        Delete = "delete",
    }
}

wire_enum! {
    /// A task's `Status`, and the values of the `statuses` filter.
    TaskStatus, "task status" {
        /// `processing`: still running.
        Processing = "processing",
        /// `success`: done.
        Success = "success",
        /// `failed`.
        Failed = "failed",
        /// `timeout`: gave up.
        Timeout = "timeout",
        /// `canceled`.
        Canceled = "canceled",
        /// `invalid` (prefetch only): the origin answered other than 2xx.
        Invalid = "invalid",
    }
}

impl TaskStatus {
    /// Whether the task is still running.
    pub const fn is_running(self) -> bool {
        matches!(self, Self::Processing)
    }

    /// Whether the task ended without doing its work.
    pub const fn is_failure(self) -> bool {
        matches!(
            self,
            Self::Failed | Self::Timeout | Self::Canceled | Self::Invalid
        )
    }
}

wire_enum! {
    /// The type of a content quota (`Quota.Type`).
    QuotaType, "quota type" {
        /// `purge_prefix`.
        PurgePrefix = "purge_prefix",
        /// `purge_url`.
        PurgeUrl = "purge_url",
        /// `purge_host`.
        PurgeHost = "purge_host",
        /// `purge_all`.
        PurgeAll = "purge_all",
        /// `purge_cache_tag`.
        PurgeCacheTag = "purge_cache_tag",
        /// `prefetch_url`.
        PrefetchUrl = "prefetch_url",
    }
}

/// Defines a validated text newtype with `as_str`, `Display` and `FromStr`.
macro_rules! text_type {
    ($(#[$meta:meta])* $name:ident, $check:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Box<str>);

        impl $name {
            /// Validates and wraps the value.
            pub fn new(value: &str) -> Result<Self, ModelError> {
                let check: fn(&str) -> Result<(), ModelError> = $check;
                check(value)?;
                Ok(Self(value.into()))
            }

            /// The value as sent.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = ModelError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }
    };
}

text_type! {
    /// A zone (站点) id, `zone-…`: 1 to [`MAX_ZONE_ID_LEN`] ASCII letters,
    /// digits, `-` and `_`. The API's `*` (every zone) is not one: tcdn
    /// gives each target its own zone.
    ZoneId,
    |value| {
        let ok = !value.is_empty()
            && value.len() <= MAX_ZONE_ID_LEN
            && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(())
        } else {
            Err(ModelError::new(
                ModelErrorKind::ZoneId,
                format!(
                    "zone id {} is not 1 to {MAX_ZONE_ID_LEN} ASCII letters, digits, `-` or `_` \
                     (e.g. zone-2noz78a8ev6k)",
                    quote(value)
                ),
            ))
        }
    }
}

text_type! {
    /// A hostname (`www.example.com`): a `purge_host` target, a cache-tag
    /// domain, a zone's name. A well-formed host of at most
    /// [`MAX_HOSTNAME_LEN`] bytes, without scheme, port or path.
    Hostname,
    |value| {
        let rule = if value.is_empty() {
            Some("is empty".into())
        } else if value.len() > MAX_HOSTNAME_LEN {
            Some(format!("is longer than {MAX_HOSTNAME_LEN} bytes").into())
        } else {
            check_host_name(value).err()
        };
        match rule {
            None => Ok(()),
            Some(rule) => Err(ModelError::new(
                ModelErrorKind::Hostname,
                format!("hostname {}: {rule}", quote(value)),
            )),
        }
    }
}

text_type! {
    /// A cache tag (a `purge_cache_tag` target): 1 to [`MAX_CACHE_TAG_LEN`]
    /// bytes without control or format characters.
    CacheTag,
    |value| {
        check_query_text("cache tag", value, MAX_CACHE_TAG_LEN)
            .map_err(|e| ModelError::new(ModelErrorKind::CacheTag, e.message()))
    }
}

text_type! {
    /// A task's `JobId`: opaque, 1 to [`MAX_JOB_ID_LEN`] bytes without
    /// control or format characters (the examples show `20ga521cpwch`).
    JobId,
    |value| check_query_text("JobId", value, MAX_JOB_ID_LEN)
}

text_type! {
    /// The value of a task query's `target` filter: one target as it was
    /// submitted (a URL, prefix, host or tag), at most a URL's length.
    TargetText,
    |value| check_query_text("target", value, MAX_URL_LEN)
}

impl Hostname {
    /// Whether `host` is this name or one of its subdomains, without regard
    /// to ASCII case (`a.b.example.com` is under `example.com`).
    pub fn covers(&self, host: &str) -> bool {
        let name = self.as_str();
        let Some(cut) = host.len().checked_sub(name.len()) else {
            return false;
        };
        host.get(cut..)
            .is_some_and(|tail| tail.eq_ignore_ascii_case(name))
            && (cut == 0 || host.as_bytes()[cut - 1] == b'.')
    }
}

/// A time as EdgeOne writes it: RFC 3339 (`2022-02-09T02:28:43Z`,
/// `2022-02-09T10:28:43+08:00`, fractions allowed), kept as received and
/// ordered by the instant it names.
///
/// ```
/// use tcdn_model::teo::Time;
///
/// let utc = Time::parse("2022-02-09T02:28:43Z")?;
/// let beijing = Time::parse("2022-02-09T10:28:43+08:00")?;
/// assert_eq!(utc.unix(), beijing.unix());
/// assert_eq!(Time::from_unix(utc.unix()).as_str(), "2022-02-09T02:28:43Z");
/// assert!(Time::parse("2022-02-09 02:28:43").is_err());
/// # Ok::<(), tcdn_model::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Time {
    unix: i64,
    text: Box<str>,
}

impl Time {
    /// Parses RFC 3339: `YYYY-MM-DDTHH:MM:SS`, optional `.fraction`, then
    /// `Z` or `±HH:MM` (`T`, `Z` in either case).
    pub fn parse(value: &str) -> Result<Self, ModelError> {
        let error = || {
            ModelError::new(
                ModelErrorKind::DateTime,
                format!(
                    "time {} is not RFC 3339 (YYYY-MM-DDTHH:MM:SSZ or with an offset \
                     like +08:00)",
                    quote(value)
                ),
            )
        };
        let bytes = value.as_bytes();
        if bytes.len() < 20 || !bytes.is_ascii() {
            return Err(error());
        }
        let shape_ok = bytes[..19].iter().enumerate().all(|(i, &b)| match i {
            4 | 7 => b == b'-',
            10 => b == b'T' || b == b't',
            13 | 16 => b == b':',
            _ => b.is_ascii_digit(),
        });
        if !shape_ok {
            return Err(error());
        }
        let number = |range: std::ops::Range<usize>| {
            bytes[range]
                .iter()
                .fold(0i64, |n, &b| n * 10 + i64::from(b - b'0'))
        };
        let (year, month, day) = (number(0..4), number(5..7), number(8..10));
        let (hour, minute, second) = (number(11..13), number(14..16), number(17..19));
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(error()),
        };
        if !(1..=days_in_month).contains(&day) || hour > 23 || minute > 59 || second > 60 {
            return Err(error());
        }
        let mut rest = &bytes[19..];
        if let Some(fraction) = rest.strip_prefix(b".") {
            let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                return Err(error());
            }
            rest = &fraction[digits..];
        }
        let offset = match rest {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
                if [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit()) =>
            {
                let digit = |b: &u8| i64::from(b - b'0');
                let (hours, minutes) = (digit(h1) * 10 + digit(h2), digit(m1) * 10 + digit(m2));
                if hours > 23 || minutes > 59 {
                    return Err(error());
                }
                let offset = hours * 3600 + minutes * 60;
                if *sign == b'-' { -offset } else { offset }
            }
            _ => return Err(error()),
        };
        let unix =
            days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second.min(59)
                - offset;
        Ok(Self {
            unix,
            text: value.into(),
        })
    }

    /// The UTC time of Unix seconds `unix`, written `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn from_unix(unix: i64) -> Self {
        let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(days);
        let text = format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
        Self {
            unix,
            text: text.into(),
        }
    }

    /// The instant, in Unix seconds (fractions dropped).
    pub fn unix(&self) -> i64 {
        self.unix
    }

    /// The time as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Time {
    fn cmp(&self, other: &Self) -> Ordering {
        self.unix
            .cmp(&other.unix)
            .then_with(|| self.text.cmp(&other.text))
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Time {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01 (the inverse of
/// [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_through_unix_seconds() {
        for unix in [0, 951_782_400, 1_644_373_723, 4_102_444_799, -86_401] {
            let time = Time::from_unix(unix);
            assert_eq!(Time::parse(time.as_str()).unwrap().unix(), unix, "{time}");
        }
        assert_eq!(
            Time::from_unix(951_782_400).as_str(),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn times_refuse_what_rfc_3339_does_not_allow() {
        for bad in [
            "2022-02-09T02:28:43",
            "2022-02-09 02:28:43Z",
            "2022-02-30T00:00:00Z",
            "2022-02-09T24:00:00Z",
            "2022-02-09T02:28:43.Z",
            "2022-02-09T02:28:43+0800",
            "2022-02-09T02:28:43+24:00",
        ] {
            assert_eq!(
                Time::parse(bad).unwrap_err().kind(),
                ModelErrorKind::DateTime,
                "{bad}"
            );
        }
        let fractional = Time::parse("2022-02-09T02:28:43.123-01:30").unwrap();
        assert_eq!(
            fractional.unix(),
            Time::parse("2022-02-09T03:58:43Z").unwrap().unix()
        );
    }

    #[test]
    fn hostnames_cover_themselves_and_their_subdomains() {
        let zone = Hostname::new("example.com").unwrap();
        assert!(zone.covers("example.com"));
        assert!(zone.covers("WWW.Example.COM"));
        assert!(zone.covers("a.b.example.com"));
        assert!(!zone.covers("badexample.com"));
        assert!(!zone.covers("example.co"));
        assert!(!zone.covers("com"));
    }

    #[test]
    fn text_types_refuse_each_rule_with_their_kind() {
        assert_eq!(ZoneId::new("").unwrap_err().kind(), ModelErrorKind::ZoneId);
        assert_eq!(ZoneId::new("*").unwrap_err().kind(), ModelErrorKind::ZoneId);
        assert!(ZoneId::new("zone-2noz78a8ev6k").is_ok());
        assert_eq!(
            Hostname::new("a..b").unwrap_err().kind(),
            ModelErrorKind::Hostname
        );
        assert_eq!(
            Hostname::new("a.b:80").unwrap_err().kind(),
            ModelErrorKind::Hostname
        );
        assert_eq!(
            Hostname::new("").unwrap_err().kind(),
            ModelErrorKind::Hostname
        );
        assert_eq!(
            CacheTag::new("a\nb").unwrap_err().kind(),
            ModelErrorKind::CacheTag
        );
        assert_eq!(
            JobId::new("").unwrap_err().kind(),
            ModelErrorKind::QueryText
        );
    }
}
