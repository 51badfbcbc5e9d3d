//! `tcdn emulator`: serve the local stand-in for Tencent Cloud CDN's API.
//!
//! The first line on stdout is the origin (`http://127.0.0.1:PORT`, or
//! `https://` with `--tls`); API 3.0 is served at its root, API 2.0 at
//! `/v2/index.php` under it, EdgeOne's actions (`--edgeone-zone`) at its
//! root too. It also stands in for the CVM metadata service
//! and STS (`TCDN_METADATA_ENDPOINT` and `TCDN_STS_ENDPOINT` take the
//! origin).

use std::convert::Infallible;
use std::fmt;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::Args;
use tcdn_emulator::{
    AccountDomain, Config, ConnectionLimits, Credential, DailyQuotas, Emulator, Faults,
    SessionToken, TaskProgress, TlsIdentity,
};

use crate::exit::{CliError, ExitStatus};

/// A secret option's value (the key, the token): its `Debug` shows no
/// character of it, so printing the options never prints a secret.
#[derive(Clone)]
pub struct Hidden(String);

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hidden(..)")
    }
}

impl FromStr for Hidden {
    type Err = Infallible;

    fn from_str(text: &str) -> Result<Self, Infallible> {
        Ok(Self(text.to_owned()))
    }
}

/// Options of `tcdn emulator`.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on; port 0 picks a free port. Any other than a
    /// loopback address (e.g. 0.0.0.0:8443 in a CI service container)
    /// prints a warning: the emulator is for tests.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: SocketAddr,

    /// The SecretId the emulator accepts.
    #[arg(long, value_name = "ID", env = "TENCENTCLOUD_SECRET_ID")]
    secret_id: Option<String>,

    /// The secret key the emulator accepts (prefer the environment variable:
    /// command lines are visible to other users of the machine).
    #[arg(
        long,
        value_name = "KEY",
        env = "TENCENTCLOUD_SECRET_KEY",
        hide_env_values = true
    )]
    secret_key: Option<Hidden>,

    /// API 2.0 calls per minute per SecretId before code 4400; 0 turns the
    /// limit off.
    #[arg(long, value_name = "N", default_value_t = 100)]
    rate_limit: u32,

    /// API 3.0 requests per second per action before `RequestLimitExceeded`;
    /// 0 turns the limit off.
    #[arg(long, value_name = "N", default_value_t = 20)]
    v3_rate_limit: u32,

    /// Require this session token of API 3.0 requests (`X-TC-Token`, or
    /// `Token` with the v1 signature), as temporary credentials carry one;
    /// else `AuthFailure.TokenFailure`.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "TCDN_EMULATOR_TOKEN",
        hide_env_values = true
    )]
    token: Option<Hidden>,

    /// Milliseconds an accepted API 3.0 URL stays `process` before it is
    /// `done` (or `fail`).
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    task_delay: u64,

    /// Probability (0 to 1) that an accepted API 3.0 URL ends in `fail`
    /// (seeded by --seed).
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = probability)]
    task_fail_rate: f64,

    /// Daily URL flush quota per area.
    #[arg(long, value_name = "N", default_value_t = DailyQuotas::default().url_flush)]
    quota_url_flush: u32,

    /// Daily directory flush quota per area.
    #[arg(long, value_name = "N", default_value_t = DailyQuotas::default().dir_flush)]
    quota_dir_flush: u32,

    /// Daily URL push quota per area.
    #[arg(long, value_name = "N", default_value_t = DailyQuotas::default().url_push)]
    quota_url_push: u32,

    /// Delay added before every API answer (both APIs), in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency: u64,

    /// Probability (0 to 1) of answering HTTP 503 (API 2.0: code 6000; API
    /// 3.0: `InternalError`), applying nothing.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = probability)]
    fail_rate: f64,

    /// Probability (0 to 1) of closing the connection without an answer, applying nothing.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = probability)]
    drop_rate: f64,

    /// Probability (0 to 1) of applying a request (task recorded, quota
    /// spent, nonce used) and then closing the connection without an answer.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = probability)]
    lose_answer_rate: f64,

    /// Answer this API 3.0 error code for this action, at RATE (0 to 1,
    /// default 1), with a plausible message instead of judging the request;
    /// nothing is applied. Repeatable, e.g.
    /// `--inject-error DescribePurgeTasks=InternalError:0.5`; EdgeOne's
    /// actions are written `teo:ACTION`.
    #[arg(long, value_name = "ACTION=CODE[:RATE]")]
    inject_error: Vec<tcdn_emulator::InjectedError>,

    /// Serve this EdgeOne zone (its targets are ZONE_NAME and its
    /// subdomains). Repeatable, e.g.
    /// `--edgeone-zone zone-2noz78a8ev6k=example.com`.
    #[arg(long, value_name = "ZONE_ID=ZONE_NAME")]
    edgeone_zone: Vec<tcdn_emulator::EdgeOneZone>,

    /// An EdgeOne content quota of every zone: targets per call and per day
    /// of one type (purge_url, purge_prefix, purge_host, purge_all,
    /// purge_cache_tag, prefetch_url; default 2000:10000 each). Repeatable,
    /// e.g. `--edgeone-quota purge_url=100:500`.
    #[arg(long, value_name = "TYPE=BATCH:DAILY")]
    edgeone_quota: Vec<tcdn_emulator::QuotaSetting>,

    /// A domain of the account played (API 3.0), accelerated in AREA
    /// (mainland, the default; overseas; global). Repeatable;
    /// `*.example.com` covers the names one label below example.com. With
    /// domains, a URL of any other host is refused
    /// (`ResourceNotFound.CdnHostNotExists`) and `DescribeDomains` lists
    /// them; with none, the account owns every host.
    #[arg(long, value_name = "HOST[:AREA]")]
    domain: Vec<AccountDomain>,

    /// A domain of the account that is offline: its URLs are refused
    /// (`InvalidParameter.CdnHostInvalidStatus`; a push:
    /// `ResourceUnavailable.CdnHostIsNotOnline`). Repeatable.
    #[arg(long, value_name = "HOST[:AREA]")]
    offline_domain: Vec<AccountDomain>,

    /// An API 3.0 action CAM denies the account
    /// (`UnauthorizedOperation.CdnCamUnauthorized`). Repeatable.
    #[arg(long, value_name = "ACTION", value_parser = api3_action)]
    deny: Vec<tcdn::model::v3::Action>,

    /// Seconds the emulator's clock is off from the machine's (negative:
    /// behind): what it judges timestamps, windows and task times by, and
    /// the `Date` of its answers.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    clock_skew: i64,

    /// Seed of the fault dice, for repeatable runs.
    #[arg(long, value_name = "N", default_value_t = 0)]
    seed: u64,

    /// Serve HTTPS, with a certificate authority generated at start and a
    /// server certificate it signs for 127.0.0.1, ::1 and localhost; needs
    /// --tls-ca-out.
    #[arg(long)]
    tls: bool,

    /// Where to write the generated CA certificate (PEM), for clients to
    /// trust; `GET /_emulator/ca.pem` serves it too.
    #[arg(long, value_name = "PATH", requires = "tls")]
    tls_ca_out: Option<PathBuf>,

    /// Another name (host name or IP address) for the generated server
    /// certificate, besides 127.0.0.1, ::1 and localhost: the name clients
    /// on other hosts reach the emulator by. Repeatable.
    #[arg(
        long,
        value_name = "NAME",
        requires = "tls",
        conflicts_with = "tls_cert"
    )]
    tls_san: Vec<String>,

    /// Serve this certificate chain (PEM: the server certificate first,
    /// then its issuers) instead of generating one; needs --tls-key.
    /// `GET /_emulator/ca.pem` serves its last certificate.
    #[arg(long, value_name = "FILE", requires_all = ["tls", "tls_key"])]
    tls_cert: Option<PathBuf>,

    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,

    /// Connections served at once; more wait until one closes.
    #[arg(long, value_name = "N",
          default_value_t = u32::try_from(ConnectionLimits::default().max_connections).unwrap_or(u32::MAX),
          value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,

    /// Seconds for a request's head to arrive (and between requests on a
    /// kept-alive connection, and for the TLS handshake).
    #[arg(long, value_name = "SECS", default_value_t = ConnectionLimits::default().header_read_timeout.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    header_timeout: u64,

    /// Seconds for a request's body to arrive.
    #[arg(long, value_name = "SECS", default_value_t = ConnectionLimits::default().body_read_timeout.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    body_timeout: u64,

    /// Seconds a connection may stay silent both ways (no request being
    /// handled) before it is closed.
    #[arg(long, value_name = "SECS", default_value_t = ConnectionLimits::default().idle_timeout.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    idle_timeout: u64,

    /// Seconds the temporary credentials issued by the metadata service
    /// and STS live (at most the DurationSeconds STS is asked for); API
    /// actions refuse them once expired (AuthFailure.TokenFailure).
    #[arg(long, value_name = "SECS", default_value_t = Config::new(Vec::new()).credential_ttl.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    credential_ttl: u64,

    /// The CAM role the metadata service says is bound to the instance.
    #[arg(long, value_name = "NAME", default_value = tcdn_emulator::DEFAULT_CVM_ROLE,
          conflicts_with = "no_cvm_role")]
    cvm_role: String,

    /// The metadata service answers 404: no role is bound.
    #[arg(long)]
    no_cvm_role: bool,
}

fn api3_action(text: &str) -> Result<tcdn::model::v3::Action, String> {
    tcdn::model::v3::Action::from_name(text)
        .ok_or_else(|| format!("`{text}` is not an API 3.0 action this emulator serves"))
}

fn probability(text: &str) -> Result<f64, String> {
    let p: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("`{text}` is not between 0 and 1"))
    }
}

/// Runs the emulator until Ctrl-C or SIGTERM.
pub fn run(args: EmulatorArgs) -> Result<ExitStatus, CliError> {
    let secret_id = args.secret_id.clone().filter(|s| !s.is_empty()).ok_or_else(|| {
        CliError::usage("the emulator needs the SecretId it accepts: pass --secret-id or set TENCENTCLOUD_SECRET_ID")
    })?;
    let secret_key = args.secret_key.clone().map(|key| key.0).filter(|s| !s.is_empty()).ok_or_else(|| {
        CliError::usage("the emulator needs the secret key it accepts: set TENCENTCLOUD_SECRET_KEY or pass --secret-key")
    })?;
    let tls = tls_identity(&args)?;
    let mut config = Config::new(vec![Credential::new(secret_id, secret_key)]);
    config.rate_limit_per_minute = args.rate_limit;
    config.v3_rate_limit_per_second = args.v3_rate_limit;
    config.token = args
        .token
        .map(|token| token.0)
        .filter(|t| !t.is_empty())
        .map(SessionToken::new);
    config.tasks = TaskProgress {
        delay: Duration::from_millis(args.task_delay),
        fail_rate: args.task_fail_rate,
    };
    config.quotas = DailyQuotas {
        url_flush: args.quota_url_flush,
        dir_flush: args.quota_dir_flush,
        url_push: args.quota_url_push,
    };
    config.faults = Faults {
        latency: Duration::from_millis(args.latency),
        fail_rate: args.fail_rate,
        drop_rate: args.drop_rate,
        lose_answer_rate: args.lose_answer_rate,
        seed: args.seed,
    };
    config.limits = ConnectionLimits {
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
        header_read_timeout: Duration::from_secs(args.header_timeout),
        body_read_timeout: Duration::from_secs(args.body_timeout),
        idle_timeout: Duration::from_secs(args.idle_timeout),
    };
    config.inject_errors = args.inject_error.clone();
    config.edgeone.zones = args.edgeone_zone.clone();
    for setting in &args.edgeone_quota {
        config.edgeone.quotas.set(setting.kind, setting.quota);
    }
    config.account = tcdn_emulator::Account {
        domains: (args.domain.iter().cloned())
            .chain(
                args.offline_domain
                    .iter()
                    .cloned()
                    .map(AccountDomain::offline),
            )
            .collect(),
        denied: args.deny.clone(),
    };
    config.credential_ttl = Duration::from_secs(args.credential_ttl);
    config.cvm_role = (!args.no_cvm_role).then(|| args.cvm_role.clone());

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::runtime(format!("could not start the async runtime: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| CliError::runtime(format!("could not listen on {}: {e}", args.listen)))?;
        let local = listener
            .local_addr()
            .map_err(|e| CliError::runtime(format!("could not read the bound address: {e}")))?;
        if !local.ip().is_loopback() {
            tracing::warn!(
                %local,
                "the emulator listens beyond loopback: any host that reaches this address can use it; it is for tests, never give it real credentials"
            );
            eprintln!(
                "warning: the emulator listens on {local}, reachable from other hosts; it is for tests only: never give it real credentials"
            );
        }
        // The contract: the origin is the first line on stdout, written once
        // the CA file (if any) is in place.
        let scheme = if tls.is_some() { "https" } else { "http" };
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{scheme}://{local}")
            .and_then(|()| stdout.flush())
            .map_err(|e| CliError::runtime(format!("could not write to stdout: {e}")))?;
        drop(stdout);
        tracing::info!(
            %local,
            scheme,
            v2_endpoint = %format!("{scheme}://{local}{}", tcdn_emulator::API_PATH),
            v3_endpoint = %format!("{scheme}://{local}{}", tcdn_emulator::API3_PATH),
            rate_limit = args.rate_limit,
            v3_rate_limit = args.v3_rate_limit,
            "emulator listening"
        );
        let clock = tcdn_emulator::SkewedClock::new(
            std::sync::Arc::new(tcdn_emulator::SystemClock),
            args.clock_skew,
        );
        let emulator = Emulator::with_clock(config, std::sync::Arc::new(clock));
        match &tls {
            None => emulator.serve(listener, shutdown_signal()).await,
            Some(identity) => {
                emulator
                    .serve_tls(listener, identity, shutdown_signal())
                    .await
            }
        }
        .map_err(|e| CliError::runtime(format!("the emulator stopped: {e}")))?;
        tracing::info!("emulator stopped");
        Ok(ExitStatus::Success)
    })
}

/// The TLS identity `--tls` asks for: the pipeline's own certificate
/// (`--tls-cert`, `--tls-key`), or one generated for the loopback names and
/// `--tls-san`, its CA written to `--tls-ca-out`.
fn tls_identity(args: &EmulatorArgs) -> Result<Option<TlsIdentity>, CliError> {
    if !args.tls {
        return Ok(None);
    }
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        let read = |path: &PathBuf| {
            std::fs::read(path)
                .map_err(|e| CliError::runtime(format!("could not read {}: {e}", path.display())))
        };
        let identity = TlsIdentity::from_pem(&read(cert)?, &read(key)?)
            .map_err(|e| CliError::usage(format!("--tls-cert/--tls-key: {e}")))?;
        if let Some(path) = &args.tls_ca_out {
            write_ca(path, &identity)?;
        }
        return Ok(Some(identity));
    }
    let Some(path) = &args.tls_ca_out else {
        return Err(CliError::usage(
            "--tls needs --tls-ca-out PATH: clients must be given the generated CA to trust",
        ));
    };
    if let Some(bad) = args.tls_san.iter().find(|name| !is_san(name)) {
        return Err(CliError::usage(format!(
            "--tls-san {bad}: not a host name or IP address"
        )));
    }
    let identity = TlsIdentity::generate_for(&args.tls_san)
        .map_err(|e| CliError::runtime(format!("--tls: {e}")))?;
    write_ca(path, &identity)?;
    Ok(Some(identity))
}

/// Whether `name` can be a name of the server certificate: an IP address,
/// or a host name (optionally a `*.` wildcard).
fn is_san(name: &str) -> bool {
    name.parse::<std::net::IpAddr>().is_ok() || tcdn::model::v3::is_domain_name(name)
}

fn write_ca(path: &PathBuf, identity: &TlsIdentity) -> Result<(), CliError> {
    std::fs::write(path, identity.ca_certificate_pem()).map_err(|e| {
        CliError::runtime(format!(
            "could not write the CA certificate to {}: {e}",
            path.display()
        ))
    })
}

/// Completes on Ctrl-C or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Options {
        #[command(flatten)]
        emulator: EmulatorArgs,
    }

    #[test]
    fn the_options_debug_shows_no_secret() {
        let options = Options::try_parse_from([
            "emulator",
            "--secret-id",
            "AKIDvisible",
            "--secret-key",
            "key-never-shown",
            "--token",
            "token-never-shown",
        ])
        .expect("valid options");
        let shown = format!("{:?}", options.emulator);
        assert!(shown.contains("AKIDvisible"), "{shown}");
        assert!(!shown.contains("never-shown"), "{shown}");
    }
}
