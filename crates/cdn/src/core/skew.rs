//! The server's clock as the client estimates it: the `Date` header of each
//! HTTP answer (any status) against the local clock when it arrived. A
//! lookup of lost answers asks by the server's time, so a local clock that
//! is off by seconds still finds what the server accepted.

use std::sync::Mutex;
use std::sync::PoisonError;

/// The latest estimate of the server's clock minus the local one.
#[derive(Debug, Default)]
pub(crate) struct ServerClock {
    /// Seconds (server − local); `None` until an answer with a readable
    /// `Date` came.
    offset: Mutex<Option<i64>>,
}

impl ServerClock {
    /// Notes an answer's `Date` header, read at `local_unix`.
    pub(crate) fn observe(&self, date: Option<&http::HeaderValue>, local_unix: u64) {
        let Some(server) = date
            .and_then(|value| value.to_str().ok())
            .and_then(parse_http_date)
        else {
            return;
        };
        let local = i64::try_from(local_unix).unwrap_or(i64::MAX);
        *self.offset.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(server.saturating_sub(local));
    }

    /// Seconds to add to the local clock to get the server's, if known.
    pub(crate) fn offset(&self) -> Option<i64> {
        *self.offset.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Unix seconds of an HTTP date in the preferred form (RFC 9110 §5.6.7,
/// `Sun, 06 Nov 1994 08:49:37 GMT`); other forms are not used by the
/// servers this client talks to and give `None`.
pub(crate) fn parse_http_date(text: &str) -> Option<i64> {
    let text = text.trim();
    let (_weekday, rest) = text.split_once(", ")?;
    let mut parts = rest.split(' ');
    let day: i64 = parts.next()?.parse().ok()?;
    let month = parts.next()?;
    let year: i64 = parts.next()?.parse().ok()?;
    let time = parts.next()?;
    if parts.next()? != "GMT" || parts.next().is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = i64::try_from(MONTHS.iter().position(|m| *m == month)? + 1).ok()?;
    let mut hms = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if hms.next().is_some()
        || !(1..=31).contains(&day)
        || !(0..24).contains(&h)
        || !(0..60).contains(&m)
        || !(0..=60).contains(&s)
    {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// algorithm).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_read_as_unix_seconds() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT"),
            Some(951_782_400)
        );
        for bad in [
            "",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_offset_follows_the_latest_date() {
        let clock = ServerClock::default();
        assert_eq!(clock.offset(), None);
        clock.observe(None, 100);
        assert_eq!(clock.offset(), None);
        let date = http::HeaderValue::from_static("Thu, 01 Jan 1970 00:01:40 GMT");
        clock.observe(Some(&date), 95);
        assert_eq!(clock.offset(), Some(5));
        clock.observe(Some(&date), 103);
        assert_eq!(clock.offset(), Some(-3));
        clock.observe(Some(&http::HeaderValue::from_static("garbage")), 0);
        assert_eq!(
            clock.offset(),
            Some(-3),
            "an unreadable date changes nothing"
        );
    }
}
