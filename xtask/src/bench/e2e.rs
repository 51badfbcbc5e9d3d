//! The end-to-end half of `cargo xtask bench`: the release `tcdn` binary
//! measured as a user runs it, against the bundled emulator on loopback.
//!
//! - **CLI at scale**: `tcdn flush --dry-run` over 100,000 and 1,000,000 URLs
//!   under `/usr/bin/time -v` (wall time, peak RSS against the input's size,
//!   and whether the output streams).
//! - **End to end**: 400 requests at concurrency 8 against `--latency 50`
//!   (bound 2.5 s, connections counted), then a run over a 600/min rate
//!   limit (zero 4400 refusals, time against what the limit allows).
//! - **Emulator throughput**: requests verified per second at concurrency 16
//!   for 1-URL and 100-URL requests.
//! - **Load**: fixed rounds against one emulator process whose RSS is sampled
//!   from `/proc/<pid>/status` throughout.
//!
//! Every child process runs under a deadline and is killed past it; every
//! socket is on 127.0.0.1. The figures are printed as one table (figure,
//! value, reference, ratio, target, verdict) followed by the machine's load
//! average when each section ran, since the machine may be shared.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::report::{Results, Row, Verdict};
use super::sys::{
    Sampler, clock_ticks_per_second, cpu_ticks, create, http, json_u64, mib, read_text, rss_of,
    url_for, wait_bounded, wait_child,
};

pub(super) const BENCH_ID: &str = "AKIDbench000000000000000000000000000";
pub(super) const BENCH_KEY: &str = "bench-secret-key-for-the-local-emulator";

/// Quotas high enough that no bench run meets one.
pub(super) const HIGH_QUOTA: &str = "1000000000";

/// The concurrency of the latency runs ([`Bench::latency`]).
const LATENCY_CONCURRENCY: usize = 8;

/// The API a run speaks, where the bench measures both alike.
#[derive(Debug, Clone, Copy)]
pub(super) enum Api {
    V2,
    V3,
}

impl Api {
    /// `what`, marked `v3` for API 3.0 (API 2.0's rows came first, unmarked).
    fn label(self, what: &str) -> String {
        match self {
            Self::V2 => what.to_owned(),
            Self::V3 => format!("v3 {what}"),
        }
    }

    /// The name of a run's files, marked `v3-` like its [`label`](Self::label).
    fn file_name(self, what: &str) -> String {
        self.label(what).replace(' ', "-")
    }

    /// The emulator's option of this API's rate limit.
    fn rate_limit_flag(self) -> &'static str {
        match self {
            Self::V2 => "--rate-limit",
            Self::V3 => "--v3-rate-limit",
        }
    }
}

/// How a bench's flush sends: URLs a call, calls at a time, and calls a
/// minute (0: no limit).
#[derive(Debug, Clone, Copy)]
pub(super) struct Pace {
    pub(super) batch: usize,
    pub(super) concurrency: usize,
    pub(super) per_minute: usize,
}

pub(super) struct Bench {
    pub(super) tcdn: PathBuf,
    pub(super) work: PathBuf,
}

/// What one `tcdn` run gave.
pub(super) struct CliRun {
    pub(super) status: ExitStatus,
    pub(super) wall: Duration,
    pub(super) stdout: String,
    pub(super) stderr: String,
}

impl CliRun {
    pub(super) fn check_success(&self, what: &str) -> Result<(), String> {
        if self.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{what}: tcdn exited with {}: {}",
                self.status,
                self.stderr.lines().last().unwrap_or_default()
            ))
        }
    }
}

/// The fields of the CLI's `--output json` report the bench checks.
pub(super) struct Report {
    pub(super) succeeded: usize,
    pub(super) failed: usize,
    pub(super) requests: u64,
    pub(super) refused_4400: usize,
}

impl Report {
    pub(super) fn parse(json: &str) -> Result<Self, String> {
        let requests = json_u64(json, "requests").ok_or("no `requests` in the report")?;
        let section = |name: &str| -> Result<&str, String> {
            let start = json
                .find(&format!("\"{name}\":["))
                .ok_or(format!("no `{name}` in the report"))?;
            let rest = &json[start..];
            Ok(&rest[..rest.find(']').unwrap_or(rest.len())])
        };
        let succeeded = section("succeeded")?;
        let succeeded = if succeeded.ends_with('[') {
            0
        } else {
            succeeded.matches(',').count() + 1
        };
        Ok(Self {
            succeeded,
            failed: section("failed")?.matches("\"url\"").count(),
            requests,
            refused_4400: json.matches("\"code\":4400").count(),
        })
    }
}

/// `GET /_emulator/stats`.
#[derive(Debug)]
pub(super) struct Stats {
    pub(super) connections: u64,
    pub(super) requests: u64,
    pub(super) accepted: u64,
}

impl Bench {
    /// The bench of the release `tcdn` under `target_dir`, its files in
    /// `target_dir/bench-macro` (made here).
    pub(super) fn new(target_dir: &Path) -> Result<Self, String> {
        let tcdn = target_dir
            .join("release")
            .join(format!("tcdn{}", std::env::consts::EXE_SUFFIX));
        let work = target_dir.join("bench-macro");
        std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
        Ok(Self { tcdn, work })
    }

    pub(super) fn tcdn(&self) -> Command {
        let mut cmd = Command::new(&self.tcdn);
        cmd.env("TENCENTCLOUD_SECRET_ID", BENCH_ID)
            .env("TENCENTCLOUD_SECRET_KEY", BENCH_KEY)
            .env_remove("TENCENTCLOUD_TOKEN")
            .env_remove("TENCENTCLOUD_SECURITY_TOKEN")
            .env_remove("TCDN_ENDPOINT")
            .env_remove("RUST_LOG")
            // The rows before API 3.0's measure API 2.0, the default when
            // they were written; API 3.0's rows pass `--api v3`.
            .env("TCDN_API", "v2")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `tcdn` with `args`, stdout to a file, killed past `limit`.
    pub(super) fn run_cli(
        &self,
        name: &str,
        args: &[&str],
        limit: Duration,
    ) -> Result<CliRun, String> {
        let stdout_path = self.work.join(format!("{name}.out"));
        let stderr_path = self.work.join(format!("{name}.err"));
        let mut cmd = self.tcdn();
        cmd.args(args)
            .stdout(create(&stdout_path)?)
            .stderr(create(&stderr_path)?);
        let started = Instant::now();
        let child = cmd
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", self.tcdn.display()))?;
        let status = wait_bounded(child, limit, name)?;
        let wall = started.elapsed();
        Ok(CliRun {
            status,
            wall,
            stdout: read_text(&stdout_path)?,
            stderr: read_text(&stderr_path)?,
        })
    }

    /// Runs `tcdn flush --mainland --endpoint ENDPOINT` of the URLs in
    /// `file` at `pace`, with `options`, reporting as JSON; killed past
    /// `limit`.
    pub(super) fn flush_file(
        &self,
        name: &str,
        endpoint: &str,
        pace: Pace,
        options: &[&str],
        file: &Path,
        limit: Duration,
    ) -> Result<CliRun, String> {
        let (batch, concurrency) = (pace.batch.to_string(), pace.concurrency.to_string());
        let rate_limit = pace.per_minute.to_string();
        let mut args = vec!["flush", "--mainland", "--endpoint", endpoint];
        args.extend(["--batch-size", &batch, "--concurrency", &concurrency]);
        args.extend(["--rate-limit", &rate_limit]);
        args.extend_from_slice(options);
        let file = file.to_string_lossy();
        args.extend(["--output", "json", "--from-file", &file]);
        self.run_cli(name, &args, limit)
    }

    /// Starts `tcdn emulator` with `args` and waits for its endpoint line.
    pub(super) fn emulator(&self, name: &str, args: &[&str]) -> Result<Emulator, String> {
        let log_path = self.work.join(format!("{name}.log"));
        let mut child = self
            .tcdn()
            .args(["emulator", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(create(&log_path)?)
            .spawn()
            .map_err(|e| format!("could not start the emulator: {e}"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or("the emulator's stdout is not piped")?;
        let mut emulator = Emulator {
            child,
            endpoint: String::new(),
        };
        let mut first_line = String::new();
        BufReader::new(stdout)
            .read_line(&mut first_line)
            .map_err(|e| format!("could not read the emulator's endpoint: {e}"))?;
        // The first line is the origin; API 2.0 is at /v2/index.php under it.
        let origin = first_line.trim().to_owned();
        if !origin.starts_with("http://127.0.0.1:") || origin[7..].contains('/') {
            return Err(format!(
                "the emulator printed `{origin}` instead of its origin; see {}",
                log_path.display()
            ));
        }
        emulator.endpoint = format!("{origin}/v2/index.php");
        Ok(emulator)
    }

    /// A file of `count` distinct URLs, one a line; written once, reused.
    pub(super) fn url_file(&self, count: usize) -> Result<(PathBuf, u64), String> {
        let path = self.work.join(format!("urls-{count}.txt"));
        let expected: u64 = (0..count).map(|i| url_for(i).len() as u64 + 1).sum();
        if std::fs::metadata(&path).is_ok_and(|m| m.len() == expected) {
            return Ok((path, expected));
        }
        let mut out = BufWriter::new(create(&path)?);
        for i in 0..count {
            writeln!(out, "{}", url_for(i)).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        out.flush()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok((path, expected))
    }
}

impl Bench {
    /// Item 4, first half: 400 requests at concurrency 8 against 50 ms of
    /// latency, rate limit off, and the connections the client opened.
    pub(super) fn end_to_end(&self, results: &mut Results) -> Result<(), String> {
        let stats = self.latency(Api::V2, results)?;
        // The stats query's own connection is counted before it is answered.
        let client_connections = stats.connections.saturating_sub(1);
        results.rows.push(Row {
            figure: "e2e: TCP connections opened by the client".to_owned(),
            value: client_connections.to_string(),
            reference: format!("{} requests, {} accepted", stats.requests, stats.accepted),
            ratio: format!(
                "{:.0} requests/connection",
                stats.requests as f64 / client_connections.max(1) as f64
            ),
            target: "≈ 8 (reused)".to_owned(),
            verdict: Verdict::of(client_connections <= 2 * LATENCY_CONCURRENCY as u64),
        });
        Ok(())
    }

    /// 400 one-URL requests to `api` at concurrency 8 against 50 ms of
    /// latency, rate limit off: the row of their time against the latency
    /// bound (400 × 50 ms / 8), and the emulator's counts after them.
    pub(super) fn latency(&self, api: Api, results: &mut Results) -> Result<Stats, String> {
        const REQUESTS: usize = 400;
        const LATENCY_MS: usize = 50;
        let (file, _) = self.url_file(REQUESTS)?;
        let emulator = self.emulator(
            &api.file_name("e2e-emulator"),
            &[
                "--latency",
                "50",
                api.rate_limit_flag(),
                "0",
                "--quota-url-flush",
                HIGH_QUOTA,
            ],
        )?;
        let (endpoint, options): (String, &[&str]) = match api {
            Api::V2 => (emulator.endpoint.clone(), &[]),
            Api::V3 => (emulator.origin(), &["--api", "v3", "--force"]),
        };
        let pace = Pace {
            batch: 1,
            concurrency: LATENCY_CONCURRENCY,
            per_minute: 0,
        };
        let run = self.flush_file(
            &api.file_name("e2e"),
            &endpoint,
            pace,
            options,
            &file,
            Duration::from_secs(60),
        )?;
        let stats = emulator.stats()?;
        emulator.stop()?;
        run.check_success(&api.label("end to end"))?;
        let report = Report::parse(&run.stdout)?;
        if report.succeeded != REQUESTS || report.failed != 0 {
            return Err(format!(
                "{} succeeded and {} failed of {REQUESTS}",
                report.succeeded, report.failed
            ));
        }
        let bound = (REQUESTS * LATENCY_MS / LATENCY_CONCURRENCY) as f64 / 1000.0;
        let wall = run.wall.as_secs_f64();
        results.rows.push(Row {
            figure: api.label("e2e: 400 requests, concurrency 8, latency 50 ms"),
            value: format!("{wall:.2} s"),
            reference: format!("{bound:.2} s (400 × 50 ms / 8)"),
            ratio: format!("{:.2}×", wall / bound),
            target: "≤ 1.25×".to_owned(),
            verdict: Verdict::of(wall / bound <= 1.25),
        });
        Ok(stats)
    }

    /// Item 4, second half: more requests than a 600/min window allows.
    pub(super) fn rate_limited(&self, results: &mut Results) -> Result<(), String> {
        const LIMIT: usize = 600;
        const REQUESTS: usize = 900;
        let (file, _) = self.url_file(REQUESTS)?;
        let limit = LIMIT.to_string();
        let emulator = self.emulator(
            "rate-emulator",
            &["--rate-limit", &limit, "--quota-url-flush", HIGH_QUOTA],
        )?;
        let pace = Pace {
            batch: 1,
            concurrency: 8,
            per_minute: LIMIT,
        };
        let run = self.flush_file(
            "rate",
            &emulator.endpoint,
            pace,
            &["--retries", "0"],
            &file,
            Duration::from_secs(150),
        )?;
        let report = Report::parse(&run.stdout)?;
        let stats = emulator.stats()?;
        emulator.stop()?;
        // Under a sliding 60 s window, request LIMIT + 1 cannot go before
        // the first leaves the window: 60 s is the least the limit allows.
        let allowed = 60.0 * ((REQUESTS - 1) / LIMIT) as f64;
        let wall = run.wall.as_secs_f64();
        let refused = stats.requests - stats.accepted;
        results.rows.push(Row {
            figure: format!("rate limited: {REQUESTS} requests at {LIMIT}/min"),
            value: format!("{wall:.1} s"),
            reference: format!("{allowed:.0} s (sliding 60 s window)"),
            ratio: format!("{:.2}×", wall / allowed),
            target: "≤ 1.1×".to_owned(),
            verdict: Verdict::of(wall / allowed <= 1.1),
        });
        results.rows.push(Row {
            figure: "rate limited: 4400 refusals".to_owned(),
            value: format!("{} in report, {refused} at emulator", report.refused_4400),
            reference: format!(
                "{} sent, {} accepted, {} succeeded",
                stats.requests, stats.accepted, report.succeeded
            ),
            ratio: String::new(),
            target: "0".to_owned(),
            verdict: Verdict::of(
                report.refused_4400 == 0
                    && refused == 0
                    && report.succeeded == REQUESTS
                    && run.status.success(),
            ),
        });
        Ok(())
    }

    /// Item 5: requests verified per second at concurrency 16, 1 and 100
    /// URLs per request, against an emulator with no latency, no rate limit
    /// and quotas out of reach. The client runs on the same cores, so this
    /// is a floor; the emulator's own CPU time gives its capacity alone.
    pub(super) fn throughput(&self, results: &mut Results) -> Result<(), String> {
        let emulator = self.emulator(
            "throughput-emulator",
            &["--rate-limit", "0", "--quota-url-flush", HIGH_QUOTA],
        )?;
        let ticks = clock_ticks_per_second();
        for (urls_per_request, requests) in [(1usize, 4_000usize), (100, 1_000)] {
            let (file, _) = self.url_file(urls_per_request * requests)?;
            let cpu_before = cpu_ticks(emulator.child.id());
            let stats_before = emulator.stats()?;
            let pace = Pace {
                batch: urls_per_request,
                concurrency: 16,
                per_minute: 0,
            };
            let run = self.flush_file(
                &format!("throughput-{urls_per_request}"),
                &emulator.endpoint,
                pace,
                &[],
                &file,
                Duration::from_secs(120),
            )?;
            run.check_success("throughput")?;
            let stats_after = emulator.stats()?;
            let cpu_after = cpu_ticks(emulator.child.id());
            let report = Report::parse(&run.stdout)?;
            let verified = stats_after.accepted - stats_before.accepted;
            if report.requests != requests as u64 || verified != requests as u64 {
                return Err(format!(
                    "{requests} requests expected; report {}, emulator accepted {verified}",
                    report.requests
                ));
            }
            let per_second = verified as f64 / run.wall.as_secs_f64();
            let plural = if urls_per_request == 1 { "" } else { "s" };
            results.rows.push(Row {
                figure: format!(
                    "emulator: {urls_per_request}-URL request{plural} verified/s, concurrency 16"
                ),
                value: format!("{per_second:.0}/s"),
                reference: "160/s (item 4: 8 in flight / 50 ms)".to_owned(),
                ratio: format!("{:.1}×", per_second / 160.0),
                target: "≥ 1× (not the bottleneck)".to_owned(),
                verdict: Verdict::of(per_second >= 160.0),
            });
            if let (Some(before), Some(after), Some(ticks)) = (cpu_before, cpu_after, ticks) {
                let cpu_seconds = (after - before) as f64 / ticks as f64;
                if cpu_seconds > 0.0 {
                    results.rows.push(Row::info(
                        format!(
                            "emulator alone: {urls_per_request}-URL request{plural} per CPU-second"
                        ),
                        format!(
                            "{:.0}/s ({cpu_seconds:.2} CPU-s for {verified})",
                            verified as f64 / cpu_seconds
                        ),
                    ));
                }
            }
        }
        emulator.stop()
    }

    /// Robustness item 3: rounds of load against one emulator process
    /// (at most 12 rounds, no new round after 25 s), its RSS sampled every
    /// 50 ms. The emulator keeps every accepted task and every Nonce of the
    /// last 2 hours by design, so each round starts with
    /// `POST /_emulator/reset`: what is left growing is a leak.
    pub(super) fn load(&self, results: &mut Results) -> Result<(), String> {
        const MAX_ROUNDS: usize = 12;
        const MIN_ROUNDS: usize = 4;
        const NO_NEW_ROUND_AFTER: Duration = Duration::from_secs(25);
        const REQUESTS_PER_ROUND: usize = 5_000;
        const URLS_PER_REQUEST: usize = 5;
        let emulator = self.emulator(
            "load-emulator",
            &[
                "--rate-limit",
                "0",
                "--quota-url-flush",
                HIGH_QUOTA,
                "--quota-url-push",
                HIGH_QUOTA,
            ],
        )?;
        let pid = emulator.child.id();
        let idle = rss_of(pid).ok_or("cannot read the emulator's RSS from /proc")?;
        let sampler = Sampler::start(pid);
        let (file, _) = self.url_file(REQUESTS_PER_ROUND * URLS_PER_REQUEST)?;
        let started = Instant::now();
        let mut after_round = Vec::new();
        let mut sent = 0u64;
        let mut errors = 0u64;
        while after_round.len() < MAX_ROUNDS
            && (after_round.len() < MIN_ROUNDS || started.elapsed() < NO_NEW_ROUND_AFTER)
        {
            let round = after_round.len() + 1;
            emulator.post("/_emulator/reset")?;
            let before = emulator.stats()?;
            // Alternate POST and GET so both decoders carry the load.
            let method = if round % 2 == 1 { "post" } else { "get" };
            let pace = Pace {
                batch: URLS_PER_REQUEST,
                concurrency: 16,
                per_minute: 0,
            };
            let run = self.flush_file(
                "load",
                &emulator.endpoint,
                pace,
                &["--method", method, "--retries", "0"],
                &file,
                Duration::from_secs(60),
            )?;
            let report = Report::parse(&run.stdout)?;
            let after = emulator.stats()?;
            let answered = after.requests - before.requests;
            // After the reset, `accepted` counts this round's tasks only.
            errors += report.failed as u64 + answered.saturating_sub(after.accepted);
            if !run.status.success() || report.requests != REQUESTS_PER_ROUND as u64 {
                errors += 1;
            }
            sent += answered;
            after_round.push(rss_of(pid).ok_or("the emulator's RSS is gone: did it crash?")?);
        }
        let elapsed = started.elapsed();
        let samples = sampler.stop();
        emulator.stop()?;
        let max = samples.iter().copied().max().unwrap_or(idle);
        let first = after_round[0];
        let last = after_round[after_round.len() - 1];
        // The allocator's per-thread arenas fill during the first rounds;
        // a leak keeps growing after that, so flatness is judged over the
        // second half of the rounds.
        let middle_round = after_round.len() / 2;
        let middle = after_round[middle_round - 1];
        let second_half_requests =
            (sent / after_round.len() as u64) * (after_round.len() - middle_round) as u64;
        results.rows.push(Row {
            figure: format!(
                "load: {} rounds × {REQUESTS_PER_ROUND} requests of {URLS_PER_REQUEST} URLs, c16",
                after_round.len()
            ),
            value: format!("{sent} answered, {errors} errors"),
            reference: format!("{:.1} s, clean SIGTERM exit", elapsed.as_secs_f64()),
            ratio: format!("{:.0} requests/s", sent as f64 / elapsed.as_secs_f64()),
            target: "no errors, no crash".to_owned(),
            verdict: Verdict::of(errors == 0),
        });
        let growth = last as f64 / middle as f64;
        let per_request = (last as f64 - middle as f64) / second_half_requests.max(1) as f64;
        results.rows.push(Row::info(
            "load: emulator RSS first round / last / max",
            format!(
                "{} / {} / {} (idle {}, {} samples)",
                mib(first),
                mib(last),
                mib(max),
                mib(idle),
                samples.len()
            ),
        ));
        results.rows.push(Row {
            figure: format!(
                "load: RSS growth over rounds {}-{}",
                middle_round + 1,
                after_round.len()
            ),
            value: format!("{} -> {}", mib(middle), mib(last)),
            reference: format!("{per_request:+.1} bytes/request"),
            ratio: format!("{growth:.2}×"),
            target: "flat (≤ 1.10×)".to_owned(),
            verdict: Verdict::of(growth <= 1.10),
        });
        results.notes.push(format!(
            "load: emulator RSS after each round: {}",
            after_round
                .iter()
                .map(|&b| mib(b))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        Ok(())
    }
}

/// A running `tcdn emulator`, killed if dropped before [`stop`](Self::stop).
pub(super) struct Emulator {
    pub(super) child: Child,
    pub(super) endpoint: String,
}

impl Emulator {
    /// `http://127.0.0.1:PORT`: API 3.0's endpoint.
    pub(super) fn origin(&self) -> String {
        format!("http://{}", self.authority())
    }

    pub(super) fn authority(&self) -> &str {
        let rest = self.endpoint.trim_start_matches("http://");
        rest.split('/').next().unwrap_or(rest)
    }

    pub(super) fn stats(&self) -> Result<Stats, String> {
        let body = http(self.authority(), "GET", "/_emulator/stats")?;
        let field = |name| json_u64(&body, name).ok_or(format!("no `{name}` in stats: {body}"));
        Ok(Stats {
            connections: field("connections")?,
            requests: field("requests")?,
            accepted: field("accepted")?,
        })
    }

    pub(super) fn post(&self, path: &str) -> Result<(), String> {
        http(self.authority(), "POST", path).map(drop)
    }

    /// SIGTERM, then a clean exit within 10 s.
    pub(super) fn stop(mut self) -> Result<(), String> {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        if !sent.is_ok_and(|s| s.success()) {
            return Err("could not send SIGTERM to the emulator".to_owned());
        }
        let status = wait_child(&mut self.child, Duration::from_secs(10), "emulator")?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("the emulator exited with {status} after SIGTERM"))
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_cli_json_report() {
        let json = r#"{"succeeded":["https://a/1","https://a/2"],"failed":[{"url":"https://a/3","code":4400,"message":"rate"}],"requests":3,"duplicates_skipped":0}"#;
        let report = Report::parse(json).unwrap();
        assert_eq!(
            (
                report.succeeded,
                report.failed,
                report.requests,
                report.refused_4400
            ),
            (2, 1, 3, 1)
        );
        let empty = Report::parse(r#"{"succeeded":[],"failed":[],"requests":0}"#).unwrap();
        assert_eq!((empty.succeeded, empty.failed), (0, 0));
    }
}
