//! `tcdn flush` and `tcdn push`: read and validate input, then sign and
//! print (`--dry-run`) or send, and report every URL's outcome.

use std::io::{self, IsTerminal, Write};
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tcdn::clock::{Clock, SystemClock};
use tcdn::credentials::RefreshingCredentials;
use tcdn::error::ClientErrorKind;
use tcdn::model::v3::{FlushType, Headers, HttpHeader, Layer, PushOptions, UserAgent};
use tcdn::nonce::{Nonce, NonceSource, RandomNonces, SequentialNonces};
use tcdn::v2::RequestBuilder;
use tcdn::v3::Signing;
use tcdn::{
    Api, Areas, Client, CredentialChain, Endpoint, HttpMethod, Job, Operation, RetryPolicy,
    SignatureMethod,
};

use crate::args::{
    ApiArg, ClientOptions, FlushArgs, FlushTypeArg, MethodArg, OutputArg, PushArgs,
    PushOptionsArgs, SignatureMethodArg, SubmitArgs, TargetArgs,
};
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
    let flush_type = match args.flush_type {
        None => None,
        Some(FlushTypeArg::Flush) => Some(FlushType::Flush),
        Some(FlushTypeArg::Delete) => Some(FlushType::Delete),
    };
    let mut job = Job::new(operation);
    if let Some(flush_type) = flush_type {
        if global.api == ApiArg::V2 && flush_type != FlushType::Flush {
            return Err(v3_only("--flush-type delete"));
        }
        job = job.flush_type(flush_type);
    }
    let dir = args.dir;
    run(&global, job, args.target, &args.submit, dir)
}

/// `tcdn push`.
pub fn run_push(global: ClientOptions, args: PushArgs) -> Result<ExitStatus, CliError> {
    if args.dir {
        return Err(CliError::usage(
            "push --dir: directories can only be flushed (tcdn flush --dir); push takes URLs",
        ));
    }
    let options = push_options(&args.options)?;
    if global.api == ApiArg::V2 && options != PushOptions::default() {
        return Err(v3_only(
            "push options (--user-agent, --layer, --parse-m3u8, --disable-range, --header)",
        ));
    }
    let job = Job::new(Operation::PushUrls).push_options(options);
    run(&global, job, args.target, &args.submit, false)
}

fn v3_only(what: &str) -> CliError {
    CliError::usage(format!(
        "{what}: API 3.0 only; leave out --api v2 (or TCDN_API=v2)"
    ))
}

/// The push options, validated.
fn push_options(args: &PushOptionsArgs) -> Result<PushOptions, CliError> {
    let invalid =
        |flag: &str, err: tcdn::model::ModelError| CliError::usage(format!("{flag}: {err}"));
    let user_agent = args
        .user_agent
        .as_deref()
        .map(UserAgent::new)
        .transpose()
        .map_err(|e| invalid("--user-agent", e))?;
    let headers = args
        .headers
        .iter()
        .map(|text| {
            let (name, value) = text.split_once(':').ok_or_else(|| {
                CliError::usage(format!("--header {text:?}: write it as 'Name: Value'"))
            })?;
            HttpHeader::new(name.trim(), value.trim()).map_err(|e| invalid("--header", e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PushOptions {
        user_agent,
        layer: args.layer.map(|_| Layer::Middle),
        parse_m3u8: args.parse_m3u8,
        disable_range: args.disable_range,
        headers: Headers::new(headers).map_err(|e| invalid("--header", e))?,
        ..PushOptions::default()
    })
}

/// The client's settings, resolved from the options and the environment.
pub(crate) struct Setup {
    pub(crate) api: Api,
    endpoint: Endpoint,
    credentials: Arc<RefreshingCredentials>,
    method: HttpMethod,
    signing: Signing,
    language: tcdn::v3::Language,
    clock: Arc<StartingClock>,
    nonces: Arc<dyn NonceSource>,
}

impl Setup {
    /// Reads the endpoint, credentials and signing; refuses TC3 with API 2.0.
    /// The credentials are loaded on `runtime`, which the client then runs
    /// on (their refreshes share its connections).
    pub(crate) fn new(
        global: &ClientOptions,
        runtime: &tokio::runtime::Runtime,
    ) -> Result<Self, CliError> {
        let api = match global.api {
            ApiArg::V2 => Api::V2,
            ApiArg::V3 => Api::V3,
        };
        let signing = match (global.signature_method, api) {
            (SignatureMethodArg::Tc3HmacSha256, Api::V2) => {
                return Err(CliError::usage(
                    "--signature-method tc3-hmac-sha256 is API 3.0's: API 2.0 signs with \
                     hmac-sha1 or hmac-sha256",
                ));
            }
            (SignatureMethodArg::Tc3HmacSha256, _) => Signing::Tc3,
            (SignatureMethodArg::HmacSha1, _) => Signing::V1(SignatureMethod::HmacSha1),
            (SignatureMethodArg::HmacSha256, _) => Signing::V1(SignatureMethod::HmacSha256),
        };
        let endpoint = match &global.endpoint {
            Some(text) => Endpoint::parse_for(api, text)
                .map_err(|e| CliError::config(format!("--endpoint: {e}")))?,
            None => Endpoint::default_for(api),
        };
        let credentials = load_credentials(global, runtime)?;
        let method = match global.method {
            MethodArg::Get => HttpMethod::Get,
            MethodArg::Post => HttpMethod::Post,
        };
        let nonces: Arc<dyn NonceSource> = match global.nonce.and_then(Nonce::new) {
            // `--nonce N`: N, N + 1, ..., so a dry run is reproducible.
            Some(first) => Arc::new(SequentialNonces::new(first)),
            None => Arc::new(RandomNonces::new()),
        };
        let language = match global.language {
            crate::args::LanguageArg::EnUs => tcdn::v3::Language::EnUs,
            crate::args::LanguageArg::ZhCn => tcdn::v3::Language::ZhCn,
        };
        Ok(Self {
            api,
            endpoint,
            credentials,
            method,
            signing,
            language,
            clock: Arc::new(StartingClock::new(global.timestamp)),
            nonces,
        })
    }

    /// API 3.0's request builder, for dry runs.
    pub(crate) fn v3_builder(&self) -> tcdn::v3::RequestBuilder {
        tcdn::v3::RequestBuilder::new(self.credentials.peek())
            .with_endpoint(self.endpoint.clone())
            .with_method(self.method)
            .with_signing(self.signing)
            .with_language(self.language)
    }

    /// The timestamp and nonce of the next dry-run request: a fixed
    /// --timestamp stays fixed, so the output is reproducible.
    pub(crate) fn stamp(&self, global: &ClientOptions) -> (u64, Nonce) {
        let timestamp = global
            .timestamp
            .unwrap_or_else(|| self.clock.unix_seconds());
        (timestamp, self.nonces.next_nonce())
    }

    /// The client.
    pub(crate) fn client(
        &self,
        global: &ClientOptions,
        batch_size: Option<NonZeroUsize>,
    ) -> Result<Client, CliError> {
        let concurrency =
            NonZeroUsize::new(global.concurrency as usize).unwrap_or(NonZeroUsize::MIN);
        let mut builder = Client::builder_refreshing(Arc::clone(&self.credentials))
            .api(self.api)
            .endpoint(self.endpoint.clone())
            .method(self.method)
            .signing(self.signing)
            .language(self.language)
            .timeout(Duration::from_secs(global.timeout.max(1)))
            .retry_policy(
                RetryPolicy::default()
                    .with_retries(global.retries)
                    .with_base_delay(Duration::from_millis(global.retry_delay)),
            )
            .concurrency(concurrency)
            .rate_limit_per_minute(global.rate_limit)
            .batch_size(batch_size)
            .clock(self.clock.clone())
            .nonce_source(self.nonces.clone());
        if let Some(path) = &global.ca_bundle {
            let pem = read_ca_bundle(path)?;
            builder = builder
                .add_root_certificates_pem(&pem, &path.display().to_string())
                .map_err(|e| CliError::config(format!("--ca-bundle: {e}")))?;
        }
        if global.rate_limit == 0 && !self.endpoint.is_loopback() {
            tracing::warn!(
                "--rate-limit 0: requests are not paced; the server refuses calls over its \
                 limit (API 3.0: 20 per second per action, API 2.0: 100 per minute), and each \
                 refusal waits for the server's window"
            );
        }
        builder.build().map_err(|e| match e.kind() {
            // The user's environment, not a failure of the run.
            ClientErrorKind::Proxy => CliError::config(e.to_string()),
            _ => CliError::runtime(e.to_string()),
        })
    }
}

/// The most bytes a certificate bundle may hold: the largest system
/// bundles are about 250 KB, so 4 MiB leaves room and still keeps a wrong
/// path (`/dev/zero`, a disk image) from being read whole.
const MAX_CA_BUNDLE_LEN: u64 = 4 << 20;

/// The bytes of the `--ca-bundle` (or `SSL_CERT_FILE`) file, at most
/// [`MAX_CA_BUNDLE_LEN`]: the size is checked before reading, and the read
/// is bounded too (a device or a FIFO has no size to check).
fn read_ca_bundle(path: &Path) -> Result<Vec<u8>, CliError> {
    use std::io::Read as _;
    let name = || {
        format!(
            "certificate bundle {:?} (--ca-bundle or SSL_CERT_FILE)",
            path
        )
    };
    let unreadable = |e: io::Error| CliError::config(format!("{}: {e}", name()));
    let too_large = || {
        CliError::config(format!(
            "{} is larger than {} MiB: it cannot be a certificate bundle; check the path",
            name(),
            MAX_CA_BUNDLE_LEN >> 20
        ))
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    if file
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() > MAX_CA_BUNDLE_LEN)
    {
        return Err(too_large());
    }
    let mut pem = Vec::new();
    file.take(MAX_CA_BUNDLE_LEN + 1)
        .read_to_end(&mut pem)
        .map_err(unreadable)?;
    if pem.len() as u64 > MAX_CA_BUNDLE_LEN {
        return Err(too_large());
    }
    Ok(pem)
}

/// Follows the credential chain as the options say (the explicit choices
/// first, see [`CredentialChain`]). A dry run does not fall back on the
/// instance's role: it contacts the metadata service only when
/// `--use-cvm-role` asks. A source that fails is exit 2, its message naming
/// it (never a secret); `-v` logs which source supplied the credentials.
fn load_credentials(
    global: &ClientOptions,
    runtime: &tokio::runtime::Runtime,
) -> Result<Arc<RefreshingCredentials>, CliError> {
    if global.use_cvm_role && global.profile.is_some() {
        return Err(CliError::usage(
            "--use-cvm-role and --profile name different credentials: choose one",
        ));
    }
    if global.role_session_name.is_some()
        && global.role_arn.is_none()
        && std::env::var_os(tcdn::credentials::ENV_ROLE_ARN).is_none()
    {
        return Err(CliError::usage(format!(
            "--role-session-name names the session of an assumed role: give --role-arn (or {})",
            tcdn::credentials::ENV_ROLE_ARN
        )));
    }
    let mut chain = CredentialChain::from_process();
    if let Some(profile) = &global.profile {
        chain = chain.profile(profile.clone());
    }
    if global.use_cvm_role {
        chain = chain.use_cvm_role();
    } else if global.dry_run {
        chain = chain.without_instance_role_fallback();
    }
    if let Some(role_arn) = &global.role_arn {
        chain = chain.role_arn(role_arn.clone());
    }
    if let Some(name) = &global.role_session_name {
        chain = chain.role_session_name(name.clone());
    }
    let credentials = runtime
        .block_on(chain.load())
        .map_err(|e| CliError::credentials(e.to_string()))?;
    tracing::info!(
        source = %credentials.source(),
        "credentials from {}",
        credentials.source()
    );
    Ok(Arc::new(credentials))
}

/// A multi-threaded tokio runtime.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    build_runtime(tokio::runtime::Builder::new_multi_thread())
}

/// A tokio runtime on the calling thread alone: enough for what a dry run
/// awaits (credentials that come from a service), without starting a
/// worker thread per core that it would never use.
fn dry_run_runtime() -> Result<tokio::runtime::Runtime, CliError> {
    build_runtime(tokio::runtime::Builder::new_current_thread())
}

fn build_runtime(
    mut builder: tokio::runtime::Builder,
) -> Result<tokio::runtime::Runtime, CliError> {
    builder
        .enable_all()
        .build()
        .map_err(|e| CliError::runtime(format!("could not start the async runtime: {e}")))
}

fn run(
    global: &ClientOptions,
    job: Job,
    target: TargetArgs,
    submit: &SubmitArgs,
    dir: bool,
) -> Result<ExitStatus, CliError> {
    let v2 = global.api == ApiArg::V2;
    let areas = match Areas::from_flags(target.mainland, target.oversea) {
        Ok(areas) => Some(areas),
        Err(_) if v2 => {
            return Err(CliError::usage(
                "choose where to submit: --mainland (mainland China), --oversea (outside it), \
                 or both (API 2.0 needs one)",
            ));
        }
        Err(_) => None,
    };
    if v2 && target.url_encode {
        return Err(v3_only("--url-encode"));
    }
    if v2 && submit.wait {
        return Err(v3_only("--wait (API 2.0 cannot look tasks up)"));
    }
    let mut job = job.with_areas(areas).url_encode(target.url_encode);
    let collected = collect_input(&target, dir)?;
    if collected.invalid > 0 {
        for problem in &collected.problems {
            eprintln!("tcdn: {problem}");
        }
        if collected.not_kept() > 0 {
            eprintln!(
                "tcdn: ... and {} more invalid input value(s) not shown",
                collected.not_kept()
            );
        }
        return Err(CliError::input(format!(
            "{} invalid input value(s); nothing was sent",
            collected.invalid
        ))
        .with_problems(collected.problems));
    }
    if collected.urls.is_empty() {
        if target.allow_empty {
            return nothing_sent(global, job.operation(), areas);
        }
        return Err(CliError::input(
            "no URLs given: pass them as arguments, or one per line with --from-file PATH (or - \
             for stdin); --allow-empty makes an empty input a success that sends nothing",
        ));
    }
    if collected.urls.duplicates() > 0 {
        tracing::info!(
            duplicates = collected.urls.duplicates(),
            "repeated input URLs dropped; the first of each was kept"
        );
    }

    let runtime = if global.dry_run {
        dry_run_runtime()?
    } else {
        runtime()?
    };
    let setup = Setup::new(global, &runtime)?;
    let batch_size = global
        .batch_size
        .and_then(|n| NonZeroUsize::new(n as usize));
    let operation = job.operation();

    let mut stdout = io::stdout().lock();
    if global.dry_run {
        let mut out = bulk_stdout(&mut stdout);
        let stdout = &mut out;
        let status = if setup.api == Api::V2 {
            {
                let builder = RequestBuilder::new(setup.credentials.peek())
                    .with_endpoint(setup.endpoint.clone())
                    .with_method(setup.method)
                    .with_signature_method(match setup.signing {
                        Signing::V1(method) => method,
                        Signing::Tc3 => SignatureMethod::HmacSha1,
                    });
                let areas = areas.unwrap_or(Areas::Both);
                dry_run(
                    stdout, global, &builder, operation, areas, collected, batch_size, &setup,
                )
            }
        } else {
            dry_run_v3(stdout, global, &setup, &job, collected, batch_size)
        };
        return status.map_err(|e| CliError::output(&e));
    }

    let url_count = collected.urls.len();
    let client = setup.client(global, batch_size)?;
    let interrupts = crate::signals::Interrupts::watch(&runtime);
    if setup.api == Api::V3 && !submit.force {
        // An interrupt during the check ends it at once: the submission
        // then starts already stopped and reports every URL not sent.
        let unchecked = job.clone();
        job = runtime.block_on(async {
            tokio::select! {
                checked = crate::queries::check_quota(&client, job, url_count, batch_size) => checked,
                () = interrupts.cancel().cancelled() => Ok(unchecked),
            }
        })?;
    }
    let per_call = job
        .max_per_call(setup.api)
        .min(batch_size.map_or(usize::MAX, NonZeroUsize::get));
    let pacing = Pacing::of(setup.api, global.rate_limit, per_call);
    let progress = progress_bar(url_count, per_call, "URLs", pacing);
    // The input was deduplicated while it was read: once is enough.
    let mut report = runtime.block_on(client.submit_job_until(
        &job,
        collected.urls,
        interrupts.cancel(),
        |batch| {
            if let Some(bar) = &progress {
                bar.inc(batch.url_count as u64);
            }
        },
    ));
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let summary = (submit.wait && !report.tasks.is_empty() && interrupts.received().is_none())
        .then(|| {
            crate::wait_cmd::wait_for_report(
                &runtime,
                &client,
                &mut report,
                Duration::from_secs(submit.wait_timeout),
                interrupts.cancel(),
            )
        });
    output::report(&mut stdout, global.output, operation, areas, &report)
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::output(&e))?;
    Ok(match interrupts.received() {
        Some(signal) => ExitStatus::Interrupted(signal),
        None => crate::wait_cmd::status_of(&report, summary.as_ref()),
    })
}

/// Signs and prints every API 3.0 request; sends nothing. Directories are
/// planned with the default batch (100): the quota is not read.
///
/// Like [`dry_run`], a large input is signed and rendered on several
/// threads, with the timestamps and nonces drawn here in plan order.
fn dry_run_v3(
    out: &mut impl Write,
    global: &ClientOptions,
    setup: &Setup,
    job: &Job,
    collected: Collected,
    batch_size: Option<NonZeroUsize>,
) -> io::Result<ExitStatus> {
    let builder = setup.v3_builder();
    let threads = crate::ordered::threads_for(collected.urls.len(), PARALLEL_DRY_RUN_URLS);
    // Planned here, in order, with the stamps; each call is signed and
    // written on a worker straight from the input's list.
    let jobs = builder
        .plan_borrowed(job, &collected.urls, batch_size)
        .map(|item| {
            item.map(|call| {
                let (timestamp, nonce) = setup.stamp(global);
                (call, timestamp, nonce)
            })
        });
    let format = global.output;
    let mut failed = 0usize;
    crate::ordered::map_in_order(
        jobs,
        threads,
        |job| {
            job.map(|(call, timestamp, nonce)| {
                builder
                    .prepare_call(&call, timestamp, nonce)
                    .map(|prepared| {
                        if format == OutputArg::Json {
                            return Ok(output::dry_run_v3_json(&prepared));
                        }
                        let mut text = Vec::new();
                        output::dry_run_v3_request(&mut text, format, &prepared).map(|()| text)
                    })
            })
        },
        |rendered| match rendered {
            Ok(Ok(text)) => out.write_all(&text?),
            Ok(Err(error)) => {
                failed += 1;
                eprintln!("tcdn: {error}");
                Ok(())
            }
            Err(too_large) => {
                failed += 1;
                eprintln!("tcdn: {}: {too_large}", too_large.url);
                Ok(())
            }
        },
    )?;
    out.flush()?;
    Ok(if failed == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::SomeFailed
    })
}

/// `--allow-empty` with no URL: nothing is sent, and the report says so
/// (an empty JSON report, or one line of text). A dry run prints nothing.
fn nothing_sent(
    global: &ClientOptions,
    operation: Operation,
    areas: Option<Areas>,
) -> Result<ExitStatus, CliError> {
    let mut stdout = io::stdout().lock();
    let written = match (global.dry_run, global.output) {
        (true, _) => Ok(()),
        (false, OutputArg::Json) => output::report(
            &mut stdout,
            global.output,
            operation,
            areas,
            &tcdn::Report::default(),
        ),
        (false, OutputArg::Text) => writeln!(
            stdout,
            "{}: no URLs in the input; nothing was sent (--allow-empty)",
            output::verb(operation)
        ),
    };
    written
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::output(&e))?;
    Ok(ExitStatus::Success)
}

fn collect_input(target: &TargetArgs, dir: bool) -> Result<Collected, CliError> {
    let join = target
        .base_url
        .as_deref()
        .map(|base| crate::input::PathJoin::new(base, target.strip_prefix.as_deref(), dir))
        .transpose()
        .map_err(CliError::usage)?;
    let mut collector = Collector::with_join(join);
    for (index, url) in target.urls.iter().enumerate() {
        collector.push(url, || Origin::Argument(index + 1));
    }
    if let Some(path) = &target.from_file {
        if path == Path::new("-") {
            collector
                .read_lines("stdin", io::stdin().lock())
                .map_err(|e| CliError::input(format!("could not read stdin: {e}")))?;
        } else {
            collector
                .read_file(&path.display().to_string(), path)
                .map_err(|e| CliError::input(format!("--from-file {}: {e}", path.display())))?;
        }
    }
    Ok(collector.finish())
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
    setup: &Setup,
) -> io::Result<ExitStatus> {
    let threads = crate::ordered::threads_for(collected.urls.len(), PARALLEL_DRY_RUN_URLS);
    // Planned here, in order, with the stamps; each batch is signed and
    // written on a worker straight from the input's list.
    let jobs = builder
        .plan_borrowed(operation, areas, &collected.urls, batch_size)
        .map(|item| {
            item.map(|batch| {
                let (timestamp, nonce) = setup.stamp(global);
                (batch, timestamp, nonce)
            })
        });
    let format = global.output;
    let mut unsendable = 0usize;
    crate::ordered::map_in_order(
        jobs,
        threads,
        |job| {
            job.map(|(batch, timestamp, nonce)| {
                let request = builder.prepare_batch(&batch, timestamp, nonce);
                if format == OutputArg::Json {
                    return Ok(output::dry_run_json(&request));
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_follows_the_average_pace() {
        // 20 of 100 URLs in 61 s (one fast call, then a minute of pacing):
        // about 4 minutes left, not "~0s".
        assert_eq!(
            time_left(Duration::from_secs(61), 20, 100, None),
            "~244s left"
        );
        assert_eq!(
            time_left(Duration::from_millis(10), 20, 100, None),
            "~1s left"
        );
        assert_eq!(
            time_left(Duration::from_secs(5), 0, 100, None),
            "time left unknown"
        );
    }

    #[test]
    fn time_left_counts_the_pacing_still_ahead() {
        // API 2.0 at 100 calls a minute, one URL a call, 250 URLs: the first
        // 100 go at once, then 100 a window (61 s), so the last goes at 122 s.
        let pacing = Pacing::of(Api::V2, 100, 1);
        assert_eq!(
            pacing.map(|p| p.earliest_end(250)),
            Some(Duration::from_secs(122))
        );
        // The burst is done in a second: the average pace says ~2 s, the
        // pacing 121 s.
        assert_eq!(
            time_left(Duration::from_secs(1), 100, 250, pacing),
            "~121s left"
        );
        assert_eq!(
            time_left(Duration::from_secs(1), 0, 250, pacing),
            "~121s left"
        );
        // Past the pacing's bound, the average pace rules again.
        assert_eq!(
            time_left(Duration::from_secs(200), 200, 250, pacing),
            "~50s left"
        );
        // 100 URLs a call fit one window: nothing held back.
        assert_eq!(
            Pacing::of(Api::V2, 100, 100).map(|p| p.earliest_end(250)),
            Some(Duration::ZERO)
        );
        // API 3.0 at 1200 a minute: 20 calls a second (and the margin).
        assert_eq!(
            Pacing::of(Api::V3, 1200, 1).map(|p| p.earliest_end(41)),
            Some(Duration::from_millis(2200))
        );
        assert_eq!(Pacing::of(Api::V2, 0, 1), None);
    }
}

/// Stdout for a dry run's bulk output, which is written in whole batches
/// (tens of kilobytes each): a handle of its own on the same descriptor,
/// so the batches reach it without `Stdout`'s line buffering searching each
/// one for its last newline. Where there is no descriptor to share (stdout
/// closed, or not Unix), the locked `stdout` itself.
fn bulk_stdout<'a>(stdout: &'a mut io::StdoutLock<'static>) -> Box<dyn Write + 'a> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        // Nothing is buffered yet, but flushing first keeps the order true
        // whatever is printed before.
        if stdout.flush().is_ok()
            && let Ok(fd) = stdout.as_fd().try_clone_to_owned()
        {
            return Box::new(std::fs::File::from(fd));
        }
    }
    Box::new(stdout)
}

/// From this many distinct URLs on, a dry run signs on several threads.
const PARALLEL_DRY_RUN_URLS: usize = 10_000;

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
    fn of(api: Api, per_minute: u32, per_request: usize) -> Option<Self> {
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
    fn earliest_end(self, total: u64) -> Duration {
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
