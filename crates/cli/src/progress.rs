//! The progress bar of a submission or a wait, and its time left, which
//! counts in what the rate limit still holds back.

use std::io::{self, IsTerminal};
use std::time::Duration;

use tcdn::Api;

/// What the rate limit allows a submission: at most `per_window` requests
/// of `per_request` URLs each in any `window` (the pacer's window, margin
/// included), as the client paces them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pacing {
    per_request: u64,
    per_window: u64,
    window: Duration,
}

impl Pacing {
    /// The pacing of `api` at `--rate-limit per_minute` (0: none), for
    /// requests of `per_request` URLs. API 3.0 counts each action's calls
    /// per second, API 2.0 every call per minute (docs/protocol.md §5.1).
    pub(crate) fn of(api: Api, per_minute: u32, per_request: usize) -> Option<Self> {
        if per_minute == 0 {
            return None;
        }
        let (window, margin) = match api {
            Api::V2 => (tcdn::pacing::RATE_WINDOW, tcdn::pacing::PACING_MARGIN),
            _ => (Duration::from_secs(1), Duration::from_millis(100)),
        };
        let per_window = u128::from(per_minute) * window.as_millis() / 60_000;
        Some(Self {
            per_request: per_request.max(1) as u64,
            per_window: u64::try_from(per_window.max(1)).unwrap_or(u64::MAX),
            window: window + margin,
        })
    }

    /// The earliest time after the first send that the last of `total`
    /// URLs can be sent: the first `per_window` requests go at once, each
    /// further `per_window` a window later. Retries and lookups take slots
    /// too, so the real end is later still.
    pub(crate) fn earliest_end(self, total: u64) -> Duration {
        let requests = total.div_ceil(self.per_request);
        let windows = requests.saturating_sub(1) / self.per_window;
        self.window
            .saturating_mul(u32::try_from(windows).unwrap_or(u32::MAX))
    }
}

/// A progress bar on stderr, only when stderr is a terminal and more than
/// `per_request` URLs are counted; its time left counts `pacing` in.
pub(crate) fn progress_bar(
    urls: usize,
    per_request: usize,
    what: &str,
    pacing: Option<Pacing>,
) -> Option<indicatif::ProgressBar> {
    if urls <= per_request || !io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(urls as u64);
    let template = format!("{{bar:40}} {{pos}}/{{len}} {what}, {{elapsed}} elapsed, {{left}}");
    let style = indicatif::ProgressStyle::with_template(&template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .with_key(
            "left",
            move |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = out.write_str(&time_left(
                    state.elapsed(),
                    state.pos(),
                    state.len().unwrap_or(0),
                    pacing,
                ));
            },
        );
    bar.set_style(style);
    // Redrawn while pacing holds requests back, so the clock keeps moving.
    bar.enable_steady_tick(Duration::from_secs(1));
    Some(bar)
}

/// The time left: at the average pace so far, and never less than what
/// `pacing` still holds the rest back by. Unlike indicatif's `{eta}` (the
/// recent rate), a burst of fast calls that the rate limit lets through at
/// once does not read "~0s left" when a minute of pacing follows.
fn time_left(elapsed: Duration, done: u64, total: u64, pacing: Option<Pacing>) -> String {
    if total <= done {
        return "time left unknown".to_owned();
    }
    let paced = pacing.map_or(0.0, |p| {
        (p.earliest_end(total).as_secs_f64() - elapsed.as_secs_f64()).max(0.0)
    });
    let average = if done == 0 {
        0.0
    } else {
        elapsed.as_secs_f64() * (total - done) as f64 / done as f64
    };
    let left = average.max(paced);
    if done == 0 && left == 0.0 {
        return "time left unknown".to_owned();
    }
    // At least a second while anything is left.
    format!("~{}s left", left.ceil().max(1.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts the time left of each `(elapsed, done, left)` case, of
    /// `total` URLs at `pacing`.
    fn assert_left(total: u64, pacing: Option<Pacing>, cases: &[(Duration, u64, &str)]) {
        for &(elapsed, done, left) in cases {
            let got = time_left(elapsed, done, total, pacing);
            assert_eq!(got, left, "{elapsed:?}, {done} of {total} done");
        }
    }

    #[test]
    fn time_left_follows_the_average_pace() {
        // 20 of 100 URLs in 61 s (one fast call, then a minute of pacing):
        // about 4 minutes left, not "~0s".
        assert_left(
            100,
            None,
            &[
                (Duration::from_secs(61), 20, "~244s left"),
                (Duration::from_millis(10), 20, "~1s left"),
                (Duration::from_secs(5), 0, "time left unknown"),
            ],
        );
    }

    #[test]
    fn time_left_counts_the_pacing_still_ahead() {
        let earliest_end = |api, per_minute, per_request, total| {
            Pacing::of(api, per_minute, per_request).map(|p| p.earliest_end(total))
        };
        // API 2.0 at 100 calls a minute, one URL a call, 250 URLs: the first
        // 100 go at once, then 100 a window (61 s), so the last goes at 122 s.
        assert_eq!(
            earliest_end(Api::V2, 100, 1, 250),
            Some(Duration::from_secs(122))
        );
        assert_left(
            250,
            Pacing::of(Api::V2, 100, 1),
            &[
                // The burst is done in a second: the average pace says ~2 s,
                // the pacing 121 s.
                (Duration::from_secs(1), 100, "~121s left"),
                (Duration::from_secs(1), 0, "~121s left"),
                // Past the pacing's bound, the average pace rules again.
                (Duration::from_secs(200), 200, "~50s left"),
            ],
        );
        // 100 URLs a call fit one window: nothing held back.
        assert_eq!(earliest_end(Api::V2, 100, 100, 250), Some(Duration::ZERO));
        // API 3.0 at 1200 a minute: 20 calls a second (and the margin).
        assert_eq!(
            earliest_end(Api::V3, 1200, 1, 41),
            Some(Duration::from_millis(2200))
        );
        assert_eq!(Pacing::of(Api::V2, 0, 1), None);
    }
}
