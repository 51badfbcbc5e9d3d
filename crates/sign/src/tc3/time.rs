//! The request time and its UTC date, without a clock: the caller gives the
//! Unix timestamp.

use core::fmt;

use super::Error;

/// The last second of year 9999 (`9999-12-31T23:59:59Z`): the credential
/// scope writes the year in four digits, so later times cannot be signed.
pub const MAX_TIMESTAMP: u64 = 253_402_300_799;

/// The last [`Date`], 9999-12-31, in days since 1970-01-01.
pub const MAX_DAYS: u64 = MAX_TIMESTAMP / 86_400;

/// A request time in whole seconds since the Unix epoch, as sent in
/// `X-TC-Timestamp` and written in the string to sign.
///
/// It is within `0..=`[`MAX_TIMESTAMP`], so its [`Date`] always has four
/// digits. `Display` writes the decimal number.
///
/// ```
/// use tcdn_sign::tc3::Timestamp;
/// let ts = Timestamp::new(1_551_113_065)?;
/// // 2019-02-26 08:44 in UTC+8, but the scope uses the UTC date.
/// assert_eq!(ts.date().to_string(), "2019-02-25");
/// assert_eq!(Timestamp::from_header("1551113065")?, ts);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(u64);

impl Timestamp {
    /// A timestamp of `seconds` since the epoch; an error above [`MAX_TIMESTAMP`].
    pub fn new(seconds: u64) -> Result<Self, Error> {
        if seconds > MAX_TIMESTAMP {
            return Err(Error::timestamp_out_of_range(seconds));
        }
        Ok(Self(seconds))
    }

    /// Reads an `X-TC-Timestamp` value: decimal digits only, no sign, no
    /// leading zero, no surrounding space, so that the text a server signs
    /// is exactly the text it received.
    pub fn from_header(text: &str) -> Result<Self, Error> {
        let bytes = text.as_bytes();
        let canonical = !bytes.is_empty()
            && bytes.len() <= 20
            && bytes.iter().all(u8::is_ascii_digit)
            && (bytes[0] != b'0' || bytes.len() == 1);
        if !canonical {
            return Err(Error::invalid_timestamp(bytes.len()));
        }
        let seconds = text
            .parse::<u64>()
            .map_err(|_| Error::invalid_timestamp(bytes.len()))?;
        Self::new(seconds)
    }

    /// Seconds since the epoch.
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// The UTC calendar date of this second.
    pub fn date(self) -> Date {
        Date::from_days(self.0 / 86_400)
    }

    /// The decimal text in a stack buffer: `(buffer, length)`.
    pub(crate) fn decimal(self) -> ([u8; 20], usize) {
        let mut digits = [0u8; 20];
        let mut n = self.0;
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let len = digits.len() - at;
        digits.copy_within(at.., 0);
        (digits, len)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A UTC calendar date between 1970-01-01 and 9999-12-31, written
/// `YYYY-MM-DD` in the credential scope.
///
/// It converts to and from a count of days since 1970-01-01 (proleptic
/// Gregorian calendar), for other code that needs a civil date without a
/// date library: [`from_days_since_epoch`](Self::from_days_since_epoch),
/// [`days_since_epoch`](Self::days_since_epoch), [`from_ymd`](Self::from_ymd).
///
/// ```
/// use tcdn_sign::tc3::{Date, MAX_DAYS};
/// let date = Date::parse("2024-02-29")?;
/// assert_eq!((date.year(), date.month(), date.day()), (2024, 2, 29));
/// assert!(Date::parse("2023-02-29").is_err());
/// assert_eq!(date.days_since_epoch(), 19_782);
/// assert_eq!(Date::from_days_since_epoch(19_782), Some(date));
/// assert_eq!(Date::from_ymd(2024, 2, 29), Some(date));
/// assert_eq!(Date::from_days_since_epoch(MAX_DAYS + 1), None);
/// # Ok::<(), tcdn_sign::tc3::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// The date `days` after 1970-01-01 (proleptic Gregorian calendar;
    /// Howard Hinnant's `civil_from_days`).
    fn from_days(days: u64) -> Self {
        let z = days + 719_468;
        let era = z / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + u64::from(month <= 2);
        // In range: timestamps stop at 9999-12-31.
        Self {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        }
    }

    /// The date `days` after 1970-01-01; `None` past 9999-12-31
    /// ([`MAX_DAYS`]).
    pub fn from_days_since_epoch(days: u64) -> Option<Self> {
        (days <= MAX_DAYS).then(|| Self::from_days(days))
    }

    /// The days from 1970-01-01 to this date (Howard Hinnant's
    /// `days_from_civil`), `0..=`[`MAX_DAYS`].
    pub const fn days_since_epoch(self) -> u64 {
        let month = self.month as u64;
        // Years start in March, so that a leap day ends its year.
        let year = self.year as u64 - (month <= 2) as u64;
        let era = year / 400;
        let year_of_era = year - era * 400;
        let month_from_march = if month > 2 { month - 3 } else { month + 9 };
        let day_of_year = (153 * month_from_march + 2) / 5 + self.day as u64 - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The date `year`-`month`-`day`; `None` unless it is a real date from
    /// 1970-01-01 to 9999-12-31.
    pub fn from_ymd(year: u16, month: u8, day: u8) -> Option<Self> {
        let real = (1970..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        real.then_some(Self { year, month, day })
    }

    /// Reads `YYYY-MM-DD` (a real date from 1970-01-01 to 9999-12-31), as
    /// in a credential scope.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let b = text.as_bytes();
        let digits = |range: core::ops::Range<usize>| -> Option<u16> {
            b[range].iter().try_fold(0u16, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + u16::from(c - b'0'))
            })
        };
        let parsed = (b.len() == 10 && b[4] == b'-' && b[7] == b'-')
            .then(|| Some((digits(0..4)?, digits(5..7)?, digits(8..10)?)))
            .flatten();
        parsed
            .and_then(|(year, month, day)| {
                Self::from_ymd(year, u8::try_from(month).ok()?, u8::try_from(day).ok()?)
            })
            .ok_or_else(|| Error::invalid_date(text))
    }

    /// The year, 1970 to 9999.
    pub const fn year(self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub const fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub const fn day(self) -> u8 {
        self.day
    }

    /// `YYYY-MM-DD` as ASCII bytes.
    pub(crate) fn ascii(self) -> [u8; 10] {
        let y = self.year;
        [
            b'0' + (y / 1000) as u8,
            b'0' + (y / 100 % 10) as u8,
            b'0' + (y / 10 % 10) as u8,
            b'0' + (y % 10) as u8,
            b'-',
            b'0' + self.month / 10,
            b'0' + self.month % 10,
            b'-',
            b'0' + self.day / 10,
            b'0' + self.day % 10,
        ]
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ascii = self.ascii();
        f.write_str(core::str::from_utf8(&ascii).expect("ASCII digits"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_of_known_timestamps() {
        for (seconds, date) in [
            (0, "1970-01-01"),
            (86_399, "1970-01-01"),
            (86_400, "1970-01-02"),
            (951_782_400, "2000-02-29"),
            (1_551_113_065, "2019-02-25"),
            (1_700_000_000, "2023-11-14"),
            (1_709_164_800, "2024-02-29"),
            (4_107_542_400, "2100-03-01"),
            (MAX_TIMESTAMP, "9999-12-31"),
        ] {
            let ts = Timestamp::new(seconds).unwrap();
            assert_eq!(ts.date().to_string(), date, "{seconds}");
            assert_eq!(Date::parse(date).unwrap(), ts.date(), "{date}");
        }
    }

    #[test]
    fn every_day_follows_the_previous_one() {
        // Day by day across 1970–2500, checked against `Date::parse` of the
        // successor computed by hand.
        let mut previous = Date::from_days(0);
        for days in 1..(531 * 366) {
            let date = Date::from_days(days);
            let (y, m, d) = (previous.year, previous.month, previous.day);
            let expected = if d < days_in_month(y, m) {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
            assert_eq!((date.year, date.month, date.day), expected, "day {days}");
            assert_eq!(Date::parse(&date.to_string()).unwrap(), date);
            assert_eq!(date.days_since_epoch(), days);
            assert_eq!(Date::from_days_since_epoch(days), Some(date));
            assert_eq!(Date::from_ymd(date.year, date.month, date.day), Some(date));
            previous = date;
        }
    }

    #[test]
    fn day_counts_stop_at_the_last_date() {
        let last = Date::from_days_since_epoch(MAX_DAYS).unwrap();
        assert_eq!(last.to_string(), "9999-12-31");
        assert_eq!(last.days_since_epoch(), MAX_DAYS);
        assert_eq!(Timestamp::new(MAX_TIMESTAMP).unwrap().date(), last);
        assert_eq!(Date::from_days_since_epoch(MAX_DAYS + 1), None);
        assert_eq!(Date::from_days_since_epoch(u64::MAX), None);
        assert_eq!(
            Date::from_days_since_epoch(0).unwrap().to_string(),
            "1970-01-01"
        );
        assert_eq!(Date::from_ymd(1970, 1, 1).unwrap().days_since_epoch(), 0);
        for (year, month, day) in [
            (1969, 12, 31),
            (10_000, 1, 1),
            (2023, 2, 29),
            (2100, 2, 29),
            (2024, 4, 31),
            (2024, 0, 1),
            (2024, 13, 1),
            (2024, 1, 0),
        ] {
            assert_eq!(
                Date::from_ymd(year, month, day),
                None,
                "{year}-{month}-{day}"
            );
        }
        assert!(Date::from_ymd(2000, 2, 29).is_some());
    }

    #[test]
    fn timestamps_out_of_range_or_not_canonical_are_rejected() {
        assert!(Timestamp::new(MAX_TIMESTAMP + 1).is_err());
        for text in [
            "",
            " 1",
            "1 ",
            "+1",
            "-1",
            "01",
            "1.0",
            "1e9",
            "253402300800",
            "99999999999999999999999",
        ] {
            assert!(Timestamp::from_header(text).is_err(), "{text:?}");
        }
        assert_eq!(Timestamp::from_header("0").unwrap().as_secs(), 0);
        let (digits, len) = Timestamp::new(1_700_000_000).unwrap().decimal();
        assert_eq!(&digits[..len], b"1700000000");
        let (digits, len) = Timestamp::new(0).unwrap().decimal();
        assert_eq!(&digits[..len], b"0");
    }

    #[test]
    fn malformed_dates_are_rejected() {
        for text in [
            "2019-2-25",
            "2019-02-25 ",
            "1969-12-31",
            "2019-13-01",
            "2019-00-10",
            "2019-04-31",
            "2019-02-00",
            "2019/02/25",
            "２０19-02-25",
        ] {
            assert!(Date::parse(text).is_err(), "{text:?}");
        }
    }
}
