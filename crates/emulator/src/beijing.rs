//! API 3.0's wall-clock times: `YYYY-MM-DD HH:MM:SS` in Beijing time (UTC+8,
//! no daylight saving), to and from Unix time (docs/protocol.md §11).

use tcdn_model::v3::DateTime;
use tcdn_sign::tc3::{Date, MAX_TIMESTAMP};

/// Beijing is UTC+8 all year.
const OFFSET_S: i64 = 8 * 3600;

/// `unix_ms` as Beijing wall-clock text, e.g. `2023-11-15 06:13:20`. The
/// text has a four-digit year from 1970: earlier or later times (which no
/// clock of the emulator gives) are written as the first or last second.
pub(crate) fn format(unix_ms: i64) -> String {
    let local = (unix_ms.div_euclid(1000) + OFFSET_S).clamp(0, MAX_TIMESTAMP as i64) as u64;
    let date = Date::from_days_since_epoch(local / 86_400).expect("clamped to Date's range");
    let second_of_day = local % 86_400;
    format!(
        "{date} {:02}:{:02}:{:02}",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// The Unix second a Beijing wall-clock time names. A date before 1970,
/// which precedes every task, gives `i64::MIN`.
pub(crate) fn unix_seconds(time: &DateTime) -> i64 {
    // The model checked the shape and the date: ASCII digits at these places.
    let text = time.as_str().as_bytes();
    let number = |range: std::ops::Range<usize>| {
        text[range]
            .iter()
            .fold(0u16, |n, &b| n * 10 + u16::from(b - b'0'))
    };
    let Some(date) = Date::from_ymd(number(0..4), number(5..7) as u8, number(8..10) as u8) else {
        return i64::MIN;
    };
    let second_of_day = i64::from(number(11..13)) * 3600
        + i64::from(number(14..16)) * 60
        + i64::from(number(17..19));
    date.days_since_epoch() as i64 * 86_400 + second_of_day - OFFSET_S
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_epoch_is_eight_in_the_morning_in_beijing() {
        assert_eq!(format(0), "1970-01-01 08:00:00");
        assert_eq!(format(1_700_000_000_000), "2023-11-15 06:13:20");
        assert_eq!(format(-1000), "1970-01-01 07:59:59");
    }

    #[test]
    fn text_and_unix_time_round_trip_across_leap_days() {
        for &seconds in &[
            0i64,
            951_782_400,
            1_709_164_799,
            1_709_251_200,
            4_102_444_800,
        ] {
            let text = format(seconds * 1000);
            let parsed = DateTime::parse(&text).unwrap();
            assert_eq!(unix_seconds(&parsed), seconds, "{text}");
        }
        let leap = DateTime::parse("2024-02-29 23:59:59").unwrap();
        assert_eq!(format(unix_seconds(&leap) * 1000), "2024-02-29 23:59:59");
    }
}
