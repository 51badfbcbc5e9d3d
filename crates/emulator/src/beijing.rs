//! API 3.0's wall-clock times: `YYYY-MM-DD HH:MM:SS` in Beijing time (UTC+8,
//! no daylight saving), to and from Unix time (docs/protocol.md §11).

use tcdn_model::v3::DateTime;

/// Beijing is UTC+8 all year.
const OFFSET_S: i64 = 8 * 3600;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01 (`civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `unix_ms` as Beijing wall-clock text, e.g. `2023-11-15 06:13:20`.
pub(crate) fn format(unix_ms: i64) -> String {
    let local = unix_ms.div_euclid(1000) + OFFSET_S;
    let (year, month, day) = civil_from_days(local.div_euclid(86_400));
    let second_of_day = local.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// The Unix second a Beijing wall-clock time names.
pub(crate) fn unix_seconds(time: &DateTime) -> i64 {
    // The model checked the shape: ASCII digits at these places.
    let text = time.as_str().as_bytes();
    let number = |range: std::ops::Range<usize>| {
        text[range]
            .iter()
            .fold(0i64, |n, &b| n * 10 + i64::from(b - b'0'))
    };
    let days = days_from_civil(number(0..4), number(5..7), number(8..10));
    days * 86_400 + number(11..13) * 3600 + number(14..16) * 60 + number(17..19) - OFFSET_S
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
