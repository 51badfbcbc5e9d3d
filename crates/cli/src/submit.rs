//! `tcdn flush` and `tcdn push`: read and validate input, then sign and
//! print (`--dry-run`) or send, and report every URL's outcome.

use std::io::{self, IsTerminal, Write};
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use std::sync::atomic::{AtomicU32, Ordering};

use tcdn::clock::{Clock, SystemClock};
use tcdn::nonce::{Nonce, NonceSource, RandomNonces};
use tcdn::v2::{PlanItem, RequestBuilder};
use tcdn::{
    Areas, Client, CredentialChain, Credentials, Endpoint, HttpMethod, Operation, RetryPolicy,
    SignatureMethod,
};

use crate::args::{ClientOptions, FlushArgs, MethodArg, PushArgs, SignatureMethodArg, TargetArgs};
use crate::exit::{CliError, ExitStatus};
use crate::input::{Collected, Collector, Origin};
use crate::output;

/// `tcdn flush`.
pub fn run_flush(global: ClientOptions, args: FlushArgs) -> Result<ExitStatus, CliError> {
    let operation = if args.dir {
        Operation::FlushDirs
    } else {
        Operation::FlushUrls
    };
    run(&global, operation, args.target)
}

/// `tcdn push`.
pub fn run_push(global: ClientOptions, args: PushArgs) -> Result<ExitStatus, CliError> {
    run(&global, Operation::PushUrls, args.target)
}

fn run(
    global: &ClientOptions,
    operation: Operation,
    target: TargetArgs,
) -> Result<ExitStatus, CliError> {
    let areas = Areas::from_flags(target.mainland, target.oversea).map_err(|_| {
        CliError::usage(
            "choose where to submit: --mainland (mainland China), --oversea (outside it), or both",
        )
    })?;
    let collected = collect_input(&target)?;
    if !collected.problems.is_empty() {
        for problem in &collected.problems {
            eprintln!("tcdn: {problem}");
        }
        return Err(CliError::usage(format!(
            "{} invalid input value(s); nothing was sent",
            collected.problems.len()
        )));
    }
    if collected.urls.is_empty() {
        return Err(CliError::usage(
            "no URLs given: pass them as arguments, or one per line with --from-file PATH (or - for stdin)",
        ));
    }
    if collected.urls.duplicates() > 0 {
        tracing::info!(
            duplicates = collected.urls.duplicates(),
            "repeated input URLs dropped; the first of each was kept"
        );
    }

    let endpoint = match &global.endpoint {
        Some(text) => {
            Endpoint::parse(text).map_err(|e| CliError::usage(format!("--endpoint: {e}")))?
        }
        None => Endpoint::default(),
    };
    let mut chain = CredentialChain::from_process();
    if let Some(profile) = &global.profile {
        chain = chain.profile(profile.clone());
    }
    let credentials = chain
        .resolve()
        .map_err(|e| CliError::usage(e.to_string()))?;
    let method = match global.method {
        MethodArg::Get => HttpMethod::Get,
        MethodArg::Post => HttpMethod::Post,
    };
    let signature_method = match global.signature_method {
        SignatureMethodArg::HmacSha1 => SignatureMethod::HmacSha1,
        SignatureMethodArg::HmacSha256 => SignatureMethod::HmacSha256,
    };
    let batch_size = global
        .batch_size
        .and_then(|n| NonZeroUsize::new(n as usize));
    let nonces: Arc<dyn NonceSource> = match global.nonce.and_then(Nonce::new) {
        Some(first) => Arc::new(CountingNonces::new(first)),
        None => Arc::new(RandomNonces::new()),
    };
    let clock = Arc::new(StartingClock::new(global.timestamp));

    let mut stdout = io::stdout().lock();
    if global.dry_run {
        let builder = RequestBuilder::new(credentials)
            .with_endpoint(endpoint)
            .with_method(method)
            .with_signature_method(signature_method);
        return dry_run(
            &mut stdout,
            global,
            &builder,
            operation,
            areas,
            collected,
            batch_size,
            &*clock,
            &*nonces,
        )
        .map_err(|e| CliError::runtime(format!("could not write the output: {e}")));
    }

    let url_count = collected.urls.len();
    let client = build_client(
        global,
        credentials,
        endpoint,
        method,
        signature_method,
        batch_size,
        clock,
        nonces,
    )?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::runtime(format!("could not start the async runtime: {e}")))?;
    let progress = progress_bar(
        url_count,
        operation
            .max_urls_per_request()
            .min(batch_size.map_or(usize::MAX, NonZeroUsize::get)),
    );
    // The input was deduplicated while it was read: once is enough.
    let report =
        runtime.block_on(
            client.submit_distinct(operation, areas, collected.urls, |batch| {
                if let Some(bar) = &progress {
                    bar.inc(batch.url_count as u64);
                }
            }),
        );
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    output::report(&mut stdout, global.output, operation, areas, &report)
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::runtime(format!("could not write the output: {e}")))?;
    Ok(if report.is_success() {
        ExitStatus::Success
    } else {
        ExitStatus::SomeFailed
    })
}

fn collect_input(target: &TargetArgs) -> Result<Collected, CliError> {
    let mut collector = Collector::default();
    for (index, url) in target.urls.iter().enumerate() {
        collector.push(url, || Origin::Argument(index + 1));
    }
    if let Some(path) = &target.from_file {
        if path == Path::new("-") {
            collector
                .read_lines("stdin", io::stdin().lock())
                .map_err(|e| CliError::usage(format!("could not read stdin: {e}")))?;
        } else {
            collector
                .read_file(&path.display().to_string(), path)
                .map_err(|e| CliError::usage(format!("--from-file {}: {e}", path.display())))?;
        }
    }
    Ok(collector.finish())
}

#[allow(clippy::too_many_arguments)]
fn build_client(
    global: &ClientOptions,
    credentials: Credentials,
    endpoint: Endpoint,
    method: HttpMethod,
    signature_method: SignatureMethod,
    batch_size: Option<NonZeroUsize>,
    clock: Arc<StartingClock>,
    nonces: Arc<dyn NonceSource>,
) -> Result<Client, CliError> {
    let concurrency = NonZeroUsize::new(global.concurrency as usize).unwrap_or(NonZeroUsize::MIN);
    Client::builder(credentials)
        .endpoint(endpoint)
        .method(method)
        .signature_method(signature_method)
        .timeout(Duration::from_secs(global.timeout.max(1)))
        .retry_policy(
            RetryPolicy::default()
                .with_retries(global.retries)
                .with_base_delay(Duration::from_millis(global.retry_delay)),
        )
        .concurrency(concurrency)
        .rate_limit_per_minute(global.rate_limit)
        .batch_size(batch_size)
        .clock(clock)
        .nonce_source(nonces)
        .build()
        .map_err(|e| CliError::runtime(e.to_string()))
}

/// Signs and prints every request; sends nothing. A URL too long for any
/// request is reported on stderr and makes the exit status 1.
///
/// A large input is signed and rendered on several threads
/// ([`crate::ordered`]); the timestamps and nonces are still drawn here, in
/// plan order, and the requests printed in that order, so the output is the
/// same at any thread count.
#[allow(clippy::too_many_arguments)]
fn dry_run(
    out: &mut impl Write,
    global: &ClientOptions,
    builder: &RequestBuilder,
    operation: Operation,
    areas: Areas,
    collected: Collected,
    batch_size: Option<NonZeroUsize>,
    clock: &dyn Clock,
    nonces: &dyn NonceSource,
) -> io::Result<ExitStatus> {
    let threads = crate::ordered::threads_for(collected.urls.len(), PARALLEL_DRY_RUN_URLS);
    let jobs = builder
        .plan_distinct(operation, areas, collected.urls, batch_size)
        .map(|item| match item {
            PlanItem::Batch(batch) => {
                // A fixed --timestamp stays fixed, so the output is reproducible.
                let timestamp = global.timestamp.unwrap_or_else(|| clock.unix_seconds());
                Ok((batch, timestamp, nonces.next_nonce()))
            }
            PlanItem::TooLarge(too_large) => Err(too_large),
        });
    let format = global.output;
    let mut unsendable = 0usize;
    crate::ordered::map_in_order(
        jobs,
        threads,
        |job| {
            job.map(|(batch, timestamp, nonce)| {
                let request = builder.prepare(&batch, timestamp, nonce);
                let mut text = Vec::new();
                output::dry_run_request(&mut text, format, &request).map(|()| text)
            })
        },
        |rendered| match rendered {
            Ok(text) => out.write_all(&text?),
            Err(too_large) => {
                unsendable += 1;
                eprintln!("tcdn: {}: {too_large}", too_large.url);
                Ok(())
            }
        },
    )?;
    out.flush()?;
    Ok(if unsendable == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::SomeFailed
    })
}

/// From this many distinct URLs on, a dry run signs on several threads.
const PARALLEL_DRY_RUN_URLS: usize = 10_000;

/// A progress bar on stderr, only when stderr is a terminal and more than
/// one request will be sent.
fn progress_bar(urls: usize, per_request: usize) -> Option<indicatif::ProgressBar> {
    if urls <= per_request || !io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(urls as u64);
    let style = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} URLs, {elapsed} elapsed, ~{eta} left",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

/// The system clock, optionally started at a given Unix time (`--timestamp`)
/// and running on from there.
#[derive(Debug)]
struct StartingClock {
    start_unix: Option<u64>,
    origin: Instant,
    system: SystemClock,
}

impl StartingClock {
    fn new(start_unix: Option<u64>) -> Self {
        Self {
            start_unix,
            origin: Instant::now(),
            system: SystemClock::new(),
        }
    }
}

impl Clock for StartingClock {
    fn unix_seconds(&self) -> u64 {
        match self.start_unix {
            Some(start) => start.saturating_add(self.origin.elapsed().as_secs()),
            None => self.system.unix_seconds(),
        }
    }

    fn monotonic(&self) -> Duration {
        self.origin.elapsed()
    }
}

/// `--nonce N`: nonces N, N + 1, ... (wrapping from 4294967295 to 1), so a
/// dry run is reproducible.
#[derive(Debug)]
struct CountingNonces {
    next: AtomicU32,
}

impl CountingNonces {
    fn new(first: Nonce) -> Self {
        Self {
            next: AtomicU32::new(first.get()),
        }
    }
}

impl NonceSource for CountingNonces {
    fn next_nonce(&self) -> Nonce {
        let value = self
            .next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                Some(n.checked_add(1).unwrap_or(1))
            })
            .unwrap_or(1);
        Nonce::new(value).unwrap_or(Nonce::MIN)
    }
}
