//! The table `cargo xtask bench` prints: its rows (figure, value, reference,
//! ratio, target, verdict), the sections that fill them, and the rows read
//! from criterion's results.
//!
//! Criterion's part compares signing time against a bare HMAC over the same
//! bytes, the whole request build against the HMAC of its string to sign, an
//! absolute budget and its per-URL scaling, and TC3 signing against the
//! hashing it cannot avoid. It reads criterion's
//! `target/criterion/<group>/<id>/new/estimates.json` and takes the mean's
//! `point_estimate` (nanoseconds), parsed by hand because xtask has no
//! dependencies.

use std::fmt::Write as _;
use std::path::Path;

use std::time::Instant;

use super::sys::load_average;

/// URL counts the `tcdn-sign` bench measures.
pub(super) const URL_COUNTS: [u32; 4] = [1, 20, 100, 1000];

/// The ratio `sign / raw HMAC` that counts as good for a request with
/// `urls` URLs: ≤ 2× for one URL (fixed costs dominate), ≤ 1.5× from 20 on,
/// ≤ 1.3× from 100 on.
pub(super) fn target_ratio(urls: u32) -> f64 {
    if urls >= 100 {
        1.3
    } else if urls >= 20 {
        1.5
    } else {
        2.0
    }
}

/// The mean's point estimate in a criterion `estimates.json`.
pub(super) fn mean_point_estimate(json: &str) -> Option<f64> {
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

pub(super) fn read_mean(criterion_dir: &Path, group: &str, id: &str) -> Option<f64> {
    let path = criterion_dir
        .join(group)
        .join(id)
        .join("new")
        .join("estimates.json");
    mean_point_estimate(&std::fs::read_to_string(path).ok()?)
}

/// `1.23 µs` style.
pub(super) fn human_time(nanos: f64) -> String {
    if nanos >= 1_000_000.0 {
        format!("{:.2} ms", nanos / 1_000_000.0)
    } else if nanos >= 1_000.0 {
        format!("{:.2} µs", nanos / 1_000.0)
    } else {
        format!("{nanos:.0} ns")
    }
}

/// `RequestBuilder::prepare` at most this many times the raw HMAC of its
/// string to sign.
pub(super) const PREPARE_RATIO_TARGET: f64 = 3.2;
/// `prepare` of a 20-URL request within this many nanoseconds.
pub(super) const PREPARE_20_TARGET_NANOS: f64 = 2_500.0;
/// Tencent's legacy Python SDK for a signed 20-URL GET URL, measured once
/// by hand against an old build and kept as a fixed reference.
pub(super) const LEGACY_SDK_20_NANOS: f64 = 118_000.0;
/// "Linear in URLs": the cost of one more URL at 100–1000 URLs at most this
/// many times its cost at 20–100.
pub(super) const MARGINAL_RATIO_TARGET: f64 = 1.25;

/// One table row: figure, value, reference, ratio, target, verdict.
/// figure, value, reference, ratio, target, verdict.
pub(crate) type Cells = [String; 6];

pub(super) fn row(
    figure: String,
    value: String,
    reference: String,
    ratio: f64,
    target: String,
    ok: bool,
) -> Cells {
    [
        figure,
        value,
        reference,
        format!("{ratio:.2}×"),
        target,
        if ok { "ok" } else { "MISS" }.to_owned(),
    ]
}

/// The rows of `RequestBuilder::prepare` (bench `tcdn`/`prepare`).
pub(super) fn prepare_rows(criterion_dir: &Path) -> Vec<Cells> {
    let mut rows = Vec::new();
    let mut means = Vec::new();
    for urls in URL_COUNTS {
        let id = urls.to_string();
        let (Some(prepare), Some(raw)) = (
            read_mean(criterion_dir, "prepare_post_sha1", &id),
            read_mean(criterion_dir, "hmac_post_sha1", &id),
        ) else {
            continue;
        };
        means.push((urls, prepare));
        let ratio = prepare / raw;
        let plural = if urls == 1 { "" } else { "s" };
        rows.push(row(
            format!("prepare POST HmacSHA1, {urls} URL{plural}"),
            human_time(prepare),
            format!("{} (raw HmacSHA1 of its string)", human_time(raw)),
            ratio,
            format!("≤ {PREPARE_RATIO_TARGET:.1}×"),
            ratio <= PREPARE_RATIO_TARGET,
        ));
        if urls == 20 {
            rows.push(row(
                "prepare POST HmacSHA1, 20 URLs, time".to_owned(),
                human_time(prepare),
                format!("{} (legacy Python SDK)", human_time(LEGACY_SDK_20_NANOS)),
                prepare / LEGACY_SDK_20_NANOS,
                format!("≤ {}", human_time(PREPARE_20_TARGET_NANOS)),
                prepare <= PREPARE_20_TARGET_NANOS,
            ));
        }
    }
    let at = |n: u32| means.iter().find(|(urls, _)| *urls == n).map(|(_, t)| *t);
    if let (Some(t20), Some(t100), Some(t1000)) = (at(20), at(100), at(1000)) {
        let middle = (t100 - t20) / 80.0;
        let high = (t1000 - t100) / 900.0;
        let ratio = high / middle;
        rows.push(row(
            "prepare, cost per URL at 100–1000".to_owned(),
            human_time(high),
            format!("{} (per URL at 20–100)", human_time(middle)),
            ratio,
            format!("≤ {MARGINAL_RATIO_TARGET:.2}× (linear)"),
            ratio <= MARGINAL_RATIO_TARGET,
        ));
    }
    rows
}

/// TC3 with a reused key at most this many times its unavoidable hashing
/// (SHA-256 of the payload and of the canonical request, one HMAC of the
/// string to sign), and with key derivation.
pub(super) const TC3_REUSED_KEY_TARGET: f64 = 1.5;
pub(super) const TC3_DERIVE_TARGET: f64 = 2.5;

/// The rows of TC3 signing (bench `tcdn-sign`/`tc3`, a 20-URL
/// `PurgeUrlsCache` body).
pub(super) fn tc3_rows(criterion_dir: &Path) -> Vec<Cells> {
    let Some(floor) = read_mean(criterion_dir, "tc3_hash_floor", "20") else {
        return Vec::new();
    };
    let reference = format!("{} (SHA-256 ×2 + HMAC)", human_time(floor));
    let mut rows = Vec::new();
    for (group, figure, target) in [
        (
            "tc3_sign",
            "TC3 sign, 20-URL PurgeUrlsCache, reused key",
            TC3_REUSED_KEY_TARGET,
        ),
        (
            "tc3_sign_derive",
            "TC3 sign, 20-URL PurgeUrlsCache, key derived",
            TC3_DERIVE_TARGET,
        ),
    ] {
        if let Some(time) = read_mean(criterion_dir, group, "20") {
            let ratio = time / floor;
            rows.push(row(
                figure.to_owned(),
                human_time(time),
                reference.clone(),
                ratio,
                format!("≤ {target:.1}×"),
                ratio <= target,
            ));
        }
    }
    rows
}

/// API 3.0 judging at least this share of API 2.0's rate: TC3 hashes the
/// body and the canonical request and derives a key on every request.
pub(super) const JUDGE_V3_SHARE_TARGET: f64 = 0.5;

/// Requests per CPU-second of a mean time per request.
pub(super) fn per_cpu_second(nanos: f64) -> String {
    format!("{:.0}/CPU-s", 1e9 / nanos)
}

/// The rows of the emulator's in-process judging (bench
/// `tcdn-emulator`/`judge`, 20 URLs): API 3.0 requests per CPU-second
/// beside an API 2.0 flush.
pub(super) fn judge_rows(criterion_dir: &Path) -> Vec<Cells> {
    let Some(v2) = read_mean(criterion_dir, "emulator_judge", "v2_flush_20") else {
        return Vec::new();
    };
    let mut rows = vec![[
        "emulator judges (in process): API 2.0 20-URL flush, HmacSHA1".to_owned(),
        per_cpu_second(v2),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ]];
    for (id, figure) in [
        (
            "tc3_purge_20",
            "emulator judges (in process): TC3 20-URL PurgeUrlsCache",
        ),
        (
            "v1_purge_20",
            "emulator judges (in process): v1 HmacSHA256 20-URL PurgeUrlsCache",
        ),
    ] {
        if let Some(time) = read_mean(criterion_dir, "emulator_judge", id) {
            let share = v2 / time;
            rows.push(row(
                figure.to_owned(),
                per_cpu_second(time),
                format!("{} (API 2.0 flush)", per_cpu_second(v2)),
                share,
                format!("≥ {JUDGE_V3_SHARE_TARGET:.1}×"),
                share >= JUDGE_V3_SHARE_TARGET,
            ));
        }
    }
    rows
}

/// The criterion rows (signing and request building against raw HMAC), in
/// the shared six-column shape; empty when criterion left no figures.
pub(crate) fn criterion_rows(criterion_dir: &Path) -> Vec<Cells> {
    let mut rows: Vec<Cells> = Vec::new();
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
            rows.push(row(
                format!("sign {label}, {urls} URL{plural}"),
                human_time(signing),
                format!("{} (raw {label})", human_time(raw)),
                ratio,
                format!("≤ {target:.1}×"),
                ratio <= target,
            ));
        }
    }
    rows.extend(tc3_rows(criterion_dir));
    rows.extend(prepare_rows(criterion_dir));
    rows.extend(judge_rows(criterion_dir));
    rows
}

/// One row of the table.
pub(super) struct Row {
    pub(super) figure: String,
    pub(super) value: String,
    pub(super) reference: String,
    pub(super) ratio: String,
    pub(super) target: String,
    pub(super) verdict: Verdict,
}

impl Row {
    /// The row in the table's six columns.
    pub(super) fn cells(&self) -> Cells {
        [
            self.figure.clone(),
            self.value.clone(),
            self.reference.clone(),
            self.ratio.clone(),
            self.target.clone(),
            self.verdict.as_str().to_owned(),
        ]
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    Ok,
    Miss,
    /// A figure reported for context, with no target of its own.
    Info,
}

impl Verdict {
    pub(super) fn of(met: bool) -> Self {
        if met { Self::Ok } else { Self::Miss }
    }

    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Miss => "MISS",
            Self::Info => "",
        }
    }
}

impl Row {
    pub(super) fn info(figure: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            figure: figure.into(),
            value: value.into(),
            reference: String::new(),
            ratio: String::new(),
            target: String::new(),
            verdict: Verdict::Info,
        }
    }
}

/// Rows and notes gathered across the sections.
#[derive(Default)]
pub(super) struct Results {
    pub(super) rows: Vec<Row>,
    pub(super) notes: Vec<String>,
    pub(super) errors: Vec<String>,
}

impl Results {
    /// Runs one section, recording its load average, and keeps going past
    /// a failed section so the others still report.
    pub(super) fn section(
        &mut self,
        name: &str,
        body: impl FnOnce(&mut Self) -> Result<(), String>,
    ) {
        eprintln!("\n==> bench: {name}");
        let before = load_average();
        let started = Instant::now();
        let outcome = body(self);
        let after = load_average();
        self.notes.push(format!(
            "{name}: {:.1} s, load average {before} -> {after}",
            started.elapsed().as_secs_f64()
        ));
        if let Err(error) = outcome {
            eprintln!("xtask bench: {name}: {error}");
            self.rows.push(Row {
                figure: format!("{name}: did not complete"),
                value: error.lines().next().unwrap_or_default().to_owned(),
                reference: String::new(),
                ratio: String::new(),
                target: String::new(),
                verdict: Verdict::Miss,
            });
            self.errors.push(format!("{name}: {error}"));
        }
    }
}

pub(super) fn table(rows: &[Cells]) -> String {
    let header = ["figure", "value", "reference", "ratio", "target", "verdict"];
    let cells: Vec<[&str; 6]> = std::iter::once(header)
        .chain(rows.iter().map(|r| r.each_ref().map(String::as_str)))
        .collect();
    let mut widths = [0usize; 6];
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in cells {
        let mut line = String::new();
        for (cell, w) in row.iter().zip(widths) {
            let pad = w - cell.chars().count();
            let _ = write!(line, "{cell}{}  ", " ".repeat(pad));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
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
    fn prepare_rows_read_both_groups_and_the_scaling() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-report-{}", std::process::id()));
        let write = |group: &str, id: u32, nanos: f64| {
            let path = dir.join(group).join(id.to_string()).join("new");
            std::fs::create_dir_all(&path).unwrap();
            std::fs::write(
                path.join("estimates.json"),
                format!(r#"{{"mean":{{"point_estimate":{nanos}}}}}"#),
            )
            .unwrap();
        };
        for (urls, prepare, raw) in [
            (1, 500.0, 400.0),
            (20, 2_000.0, 1_000.0),
            (100, 8_400.0, 4_000.0),
            (1000, 80_400.0, 40_000.0),
        ] {
            write("prepare_post_sha1", urls, prepare);
            write("hmac_post_sha1", urls, raw);
        }
        let rows = prepare_rows(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        let figures: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(figures.len(), 6, "{figures:?}");
        assert_eq!(rows[1][3], "2.00×");
        assert_eq!(rows[2][5], "ok", "2 µs is within 2.5 µs");
        // 80 ns per URL at both ends: linear.
        assert_eq!(rows[5][3], "1.00×");
    }

    #[test]
    fn tc3_rows_divide_by_the_hash_floor() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-tc3-{}", std::process::id()));
        let write = |group: &str, nanos: f64| {
            let path = dir.join(group).join("20").join("new");
            std::fs::create_dir_all(&path).unwrap();
            std::fs::write(
                path.join("estimates.json"),
                format!(r#"{{"mean":{{"point_estimate":{nanos}}}}}"#),
            )
            .unwrap();
        };
        assert!(tc3_rows(&dir).is_empty(), "no floor, no rows");
        write("tc3_hash_floor", 1_000.0);
        write("tc3_sign", 1_600.0);
        write("tc3_sign_derive", 2_000.0);
        let rows = tc3_rows(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0][3].as_str(), rows[0][5].as_str()),
            ("1.60×", "MISS")
        );
        assert_eq!((rows[1][3].as_str(), rows[1][5].as_str()), ("2.00×", "ok"));
        assert_eq!(rows[1][2], "1.00 µs (SHA-256 ×2 + HMAC)");
    }

    #[test]
    fn judge_rows_compare_api_3_with_api_2() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-judge-{}", std::process::id()));
        let write = |id: &str, nanos: f64| {
            let path = dir.join("emulator_judge").join(id).join("new");
            std::fs::create_dir_all(&path).unwrap();
            std::fs::write(
                path.join("estimates.json"),
                format!(r#"{{"mean":{{"point_estimate":{nanos}}}}}"#),
            )
            .unwrap();
        };
        assert!(judge_rows(&dir).is_empty(), "no API 2.0 figure, no rows");
        write("v2_flush_20", 10_000.0);
        write("tc3_purge_20", 12_500.0);
        write("v1_purge_20", 25_000.0);
        let rows = judge_rows(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0][1], "100000/CPU-s");
        assert_eq!(rows[1][1], "80000/CPU-s");
        assert_eq!((rows[1][3].as_str(), rows[1][5].as_str()), ("0.80×", "ok"));
        assert_eq!(
            (rows[2][3].as_str(), rows[2][5].as_str()),
            ("0.40×", "MISS")
        );
    }

    #[test]
    fn targets_follow_the_issue() {
        assert_eq!(target_ratio(1), 2.0);
        assert_eq!(target_ratio(20), 1.5);
        assert_eq!(target_ratio(100), 1.3);
        assert_eq!(target_ratio(1000), 1.3);
        assert_eq!(human_time(950.0), "950 ns");
        assert_eq!(human_time(1_500.0), "1.50 µs");
    }

    #[test]
    fn table_aligns_columns() {
        let rows = [Row::info("a", "1"), Row::info("longer figure", "22")];
        let text = table(&rows.map(|r| r.cells()));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "figure         value  reference  ratio  target  verdict"
        );
        assert_eq!(lines[2], "longer figure  22");
    }
}
