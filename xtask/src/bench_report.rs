//! The table `cargo xtask bench` prints after criterion: signing time against
//! a bare HMAC over the same bytes (issue 2 item 6, issue 7 item 1).
//!
//! Reads criterion's `target/criterion/<group>/<id>/new/estimates.json` and
//! takes the mean's `point_estimate` (nanoseconds), parsed by hand because
//! xtask has no dependencies.

use std::fmt::Write as _;
use std::path::Path;

/// URL counts the `tcdn-sign` bench measures.
const URL_COUNTS: [u32; 4] = [1, 20, 100, 1000];

/// The ratio `sign / raw HMAC` that counts as good for a request with
/// `urls` URLs: ≤ 2× for one URL (fixed costs dominate), ≤ 1.5× from 20 on.
fn target_ratio(urls: u32) -> f64 {
    if urls >= 20 { 1.5 } else { 2.0 }
}

/// The mean's point estimate in a criterion `estimates.json`.
pub(crate) fn mean_point_estimate(json: &str) -> Option<f64> {
    let mean = json.find("\"mean\"")?;
    let rest = &json[mean..];
    let field = rest.find("\"point_estimate\"")?;
    let rest = rest[field + "\"point_estimate\"".len()..].trim_start();
    let rest = rest.strip_prefix(':')?.trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn read_mean(criterion_dir: &Path, group: &str, id: &str) -> Option<f64> {
    let path = criterion_dir
        .join(group)
        .join(id)
        .join("new")
        .join("estimates.json");
    mean_point_estimate(&std::fs::read_to_string(path).ok()?)
}

/// `1.23 µs` style.
fn human_time(nanos: f64) -> String {
    if nanos >= 1_000_000.0 {
        format!("{:.2} ms", nanos / 1_000_000.0)
    } else if nanos >= 1_000.0 {
        format!("{:.2} µs", nanos / 1_000.0)
    } else {
        format!("{nanos:.0} ns")
    }
}

/// The table, or `None` when criterion left no `tcdn-sign` figures.
pub(crate) fn sign_table(criterion_dir: &Path) -> Option<String> {
    let mut rows = Vec::new();
    for (hash, label) in [("sha1", "HmacSHA1"), ("sha256", "HmacSHA256")] {
        for urls in URL_COUNTS {
            let id = urls.to_string();
            let (Some(signing), Some(raw)) = (
                read_mean(criterion_dir, &format!("sign_{hash}"), &id),
                read_mean(criterion_dir, &format!("hmac_{hash}"), &id),
            ) else {
                continue;
            };
            let ratio = signing / raw;
            let target = target_ratio(urls);
            let plural = if urls == 1 { "" } else { "s" };
            rows.push([
                format!("sign {label}, {urls} URL{plural}"),
                human_time(signing),
                format!("{} (raw {label})", human_time(raw)),
                format!("{ratio:.2}×"),
                format!("≤ {target:.1}×"),
                if ratio <= target { "ok" } else { "OVER" }.to_owned(),
            ]);
        }
    }
    if rows.is_empty() {
        return None;
    }
    let header = ["figure", "value", "reference", "ratio", "target", ""];
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(header.map(str::to_owned)).chain(rows) {
        let mut line = String::new();
        for (cell, w) in row.iter().zip(widths) {
            let pad = w - cell.chars().count();
            let _ = write!(line, "{cell}{}  ", " ".repeat(pad));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_mean_not_the_median() {
        let json = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":3.0},"point_estimate":1234.5,"standard_error":0.1},"median":{"point_estimate":99.0}}"#;
        assert_eq!(mean_point_estimate(json), Some(1234.5));
        assert_eq!(
            mean_point_estimate(r#"{"mean":{"point_estimate": 1.5e3}}"#),
            Some(1500.0)
        );
        assert_eq!(
            mean_point_estimate(r#"{"median":{"point_estimate":1}}"#),
            None
        );
    }

    #[test]
    fn targets_follow_the_issue() {
        assert_eq!(target_ratio(1), 2.0);
        assert_eq!(target_ratio(20), 1.5);
        assert_eq!(target_ratio(1000), 1.5);
        assert_eq!(human_time(950.0), "950 ns");
        assert_eq!(human_time(1_500.0), "1.50 µs");
    }
}
