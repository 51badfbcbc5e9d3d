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

/// Unix seconds of an HTTP date (RFC 9110 §5.6.7: the preferred form
/// `Sun, 06 Nov 1994 08:49:37 GMT`, and the two obsolete ones a recipient
/// must also read); `None` for anything else or a date before 1970.
pub(crate) fn parse_http_date(text: &str) -> Option<i64> {
    let time = httpdate::parse_http_date(text.trim()).ok()?;
    let seconds = time.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(seconds).ok()
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
        // The obsolete forms are read too, as RFC 9110 asks.
        assert_eq!(
            parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_http_date("Sun Nov  6 08:49:37 1994"),
            Some(784_111_777)
        );
        for bad in [
            "",
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
