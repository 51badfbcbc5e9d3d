//! The API 3.0 end-to-end rows of `cargo xtask bench`; its dry run against the official SDK is measured with the
//! API 2.0 one, in "dry run as processes" (`process.rs`):
//!
//! - 400 API 3.0 requests at concurrency 8 against the emulator with 50 ms
//!   latency, against the 2.5 s latency bound;
//! - `--wait` on tasks the emulator finishes after 1.5 s, against
//!   1.1 × 1.5 s + 1 s.

use std::time::Duration;

use super::e2e::{Api, Bench};
use super::report::{Results, Row, Verdict};

/// The tasks' time the emulator is told for the `--wait` row.
pub(super) const TASK_SECONDS: f64 = 1.5;

impl Bench {
    /// 400 API 3.0 requests at concurrency 8 against 50 ms of latency
    /// ([`Bench::latency`]).
    pub(super) fn v3_end_to_end(&self, results: &mut Results) -> Result<(), String> {
        self.latency(Api::V3, results).map(drop)
    }

    /// `--wait` on tasks the emulator finishes after 1.5 s.
    pub(super) fn v3_wait(&self, results: &mut Results) -> Result<(), String> {
        let emulator = self.emulator(
            "v3-wait-emulator",
            &[
                "--task-delay",
                &((TASK_SECONDS * 1000.0) as u64).to_string(),
            ],
        )?;
        let origin = emulator.origin();
        let run = self.run_cli(
            "v3-wait",
            &[
                "--api",
                "v3",
                "flush",
                "--mainland",
                "--wait",
                "--wait-timeout",
                "30",
                "--endpoint",
                &origin,
                "--output",
                "json",
                "https://www.example.com/waited/a.css",
                "https://www.example.com/waited/b.css",
            ],
            Duration::from_secs(60),
        )?;
        emulator.stop()?;
        run.check_success("v3 --wait")?;
        let bound = 1.1 * TASK_SECONDS + 1.0;
        let wall = run.wall.as_secs_f64();
        results.rows.push(Row {
            figure: "v3 --wait, tasks done after 1.5 s (whole process)".to_owned(),
            value: format!("{wall:.2} s"),
            reference: format!("{bound:.2} s (1.1 × 1.5 s + 1 s)"),
            ratio: format!("{:.2}×", wall / bound),
            target: "≤ 1.0×".to_owned(),
            verdict: Verdict::of(wall <= bound),
        });
        Ok(())
    }
}
