//! Captures every log line at trace level while calls succeed, fail and
//! retry with a known secret key and session token, under API 2.0 and API
//! 3.0 (both of its signatures, GET and POST), and checks that neither (nor
//! any signature or signed query) appears, nor in any `Debug` or error
//! message.

use std::io;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tcdn::test_util::mock::{FnTransport, ScriptedTransport};
use tcdn::transport::TransportError;
use tcdn::v3::Signing;
use tcdn::{
    Api, Areas, CdnUrl, Client, Credentials, HttpMethod, RetryPolicy, SignatureMethod,
    nonce::Nonce, retry::Jitter, test_util::ManualClock, test_util::ManualSleeper,
    test_util::SequentialNonces, v2::RequestBuilder,
};
use tracing_subscriber::fmt::format::FmtSpan;

const SECRET_KEY: &str = "KnownSecretKeyValue0123456789abc";
const TOKEN: &str = "KnownSessionTokenValue-xyz";

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn credentials() -> Credentials {
    Credentials::new("AKIDlogtest", SECRET_KEY)
        .unwrap()
        .with_token(TOKEN)
}

fn assert_clean(text: &str, what: &str) {
    for secret in [SECRET_KEY, TOKEN, "Signature=", "Token="] {
        assert!(
            !text.contains(secret),
            "{what} contains {secret:?}:\n{text}"
        );
    }
}

#[test]
fn trace_logs_hold_no_secret_token_or_signature() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let urls: Vec<CdnUrl> = (0..8)
        .map(|i| {
            format!("https://www.example.com/{i}.css?v=1")
                .parse()
                .unwrap()
        })
        .collect();
    let mut errors = Vec::new();
    for method in [HttpMethod::Get, HttpMethod::Post] {
        let clock = ManualClock::new(1_700_000_000);
        let script = Arc::new(
            ScriptedTransport::new()
                .then_respond(200, r#"{"code":0,"message":""}"#)
                .then_respond(503, "unavailable")
                .then_error(TransportError::io("connection reset"))
                .then_respond(200, r#"{"code":4400,"message":"(9163)too often"}"#)
                .then_respond(200, r#"{"code":0,"message":""}"#)
                .then_respond(200, r#"{"code":4100,"message":"signature mismatch"}"#)
                .then_respond(200, "<html>not json</html>"),
        );
        let client = Client::builder(credentials())
            .api(Api::V2)
            .method(method)
            .signature_method(SignatureMethod::HmacSha256)
            .transport(script.clone())
            .clock(Arc::new(clock.clone()))
            .sleeper(Arc::new(ManualSleeper::new(clock)))
            .nonce_source(Arc::new(SequentialNonces::new(Nonce::MIN)))
            .retry_policy(RetryPolicy::default().with_jitter(Jitter::None))
            .batch_size(NonZeroUsize::new(2))
            .concurrency(NonZeroUsize::MIN)
            .build()
            .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let report = runtime.block_on(client.flush_urls(Areas::Both, urls.clone()));
        assert_eq!(report.succeeded.len(), 4);
        assert_eq!(report.failed.len(), 4);
        script.assert_script_exhausted();
        errors.extend(report.failed.iter().map(|f| f.message.clone()));
        errors.extend(
            report
                .batches
                .iter()
                .filter_map(|b| b.error.as_ref())
                .map(|e| format!("{e:?}")),
        );
        assert_clean(&format!("{client:?}"), "the client's Debug");
        assert_clean(&format!("{report:?}"), "the report's Debug");
    }

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("tcdn.call") && logs.contains("attempt failed"),
        "logs were captured:\n{logs}"
    );
    assert!(logs.contains("batch_size=2"), "{logs}");
    assert_clean(&logs, "the logs");
    if std::env::var_os("TCDN_SHOW_LOGS").is_some() {
        print!("{logs}");
    }
    assert_clean(&errors.join("\n"), "the error messages");
}

/// An API 3.0 server that answers submissions in turn with success, a 503,
/// a dropped connection, a rate limit, success and a refused signature,
/// and every lookup with no task.
fn v3_server() -> FnTransport<
    impl Fn(&http::Request<bytes::Bytes>) -> Result<http::Response<bytes::Bytes>, TransportError>
    + Send
    + Sync,
> {
    let submissions = AtomicUsize::new(0);
    FnTransport::new(move |request: &http::Request<bytes::Bytes>| {
        let action = request
            .headers()
            .get("X-TC-Action")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_else(|| {
                format!(
                    "{} {}",
                    request.uri(),
                    String::from_utf8_lossy(request.body())
                )
            });
        let error = |code: &str| {
            format!(
                r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"m"}},"RequestId":"r"}}}}"#
            )
        };
        let (status, body) = if action.contains("Describe") {
            (
                200,
                r#"{"Response":{"PurgeLogs":[],"TotalCount":0,"RequestId":"r"}}"#.to_owned(),
            )
        } else {
            match submissions.fetch_add(1, Ordering::Relaxed) % 6 {
                0 | 4 => (
                    200,
                    r#"{"Response":{"TaskId":"t-1","RequestId":"r"}}"#.to_owned(),
                ),
                1 => (503, "unavailable".to_owned()),
                2 => return Err(TransportError::io("connection reset")),
                3 => (200, error("RequestLimitExceeded")),
                _ => (200, error("AuthFailure.SignatureFailure")),
            }
        };
        Ok(http::Response::builder()
            .status(status)
            .header("Content-Type", "application/json")
            .body(bytes::Bytes::from(body))
            .unwrap())
    })
}

#[test]
fn api_3_trace_logs_hold_no_secret_token_or_signature() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let urls: Vec<CdnUrl> = (0..8)
        .map(|i| {
            format!("https://www.example.com/{i}.css?v=1")
                .parse()
                .unwrap()
        })
        .collect();
    let mut errors = Vec::new();
    for signing in [Signing::Tc3, Signing::V1(SignatureMethod::HmacSha256)] {
        for method in [HttpMethod::Get, HttpMethod::Post] {
            let clock = ManualClock::new(1_700_000_000);
            let client = Client::builder(credentials())
                .api(Api::V3)
                .method(method)
                .signing(signing)
                .transport(Arc::new(v3_server()))
                .clock(Arc::new(clock.clone()))
                .sleeper(Arc::new(ManualSleeper::new(clock)))
                .nonce_source(Arc::new(SequentialNonces::new(Nonce::MIN)))
                .retry_policy(RetryPolicy::default().with_jitter(Jitter::None))
                .batch_size(NonZeroUsize::new(2))
                .concurrency(NonZeroUsize::MIN)
                .build()
                .unwrap();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .unwrap();
            let report = runtime.block_on(client.flush_urls(Areas::Both, urls.clone()));
            assert_eq!(
                report.succeeded.len() + report.failed.len() + report.not_sent.len(),
                8,
                "{report:?}"
            );
            assert!(
                !report.failed.is_empty(),
                "{signing:?} {method:?}: {report:?}"
            );
            errors.extend(report.failed.iter().map(|f| f.message.clone()));
            assert_clean(&format!("{client:?}"), "the client's Debug");
            assert_clean(&format!("{report:?}"), "the report's Debug");
        }
    }

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("tcdn.call") && logs.contains("attempt failed"),
        "logs were captured:\n{logs}"
    );
    assert!(logs.contains("AuthFailure.SignatureFailure"), "{logs}");
    assert_clean(&logs, "the logs");
    assert_clean(&errors.join("\n"), "the error messages");
}

#[test]
fn debug_forms_hold_no_secret() {
    let credentials = credentials();
    assert_clean(&format!("{credentials:?}"), "Credentials' Debug");
    let url: CdnUrl = "https://www.example.com/a".parse().unwrap();
    let request =
        tcdn::FlushOrPush::new(tcdn::Operation::PushUrls, Areas::Mainland, [url]).unwrap();
    for method in [HttpMethod::Get, HttpMethod::Post] {
        let builder = RequestBuilder::new(credentials.clone()).with_method(method);
        assert_clean(&format!("{builder:?}"), "RequestBuilder's Debug");
        let prepared = builder.prepare(&request, 1_700_000_000, Nonce::MIN);
        let debug = format!("{prepared:?}");
        assert!(
            !debug.contains(SECRET_KEY) && !debug.contains(TOKEN),
            "{debug}"
        );
        assert!(debug.contains("Signature=<redacted>") && debug.contains("Token=<redacted>"));
        let shown = prepared.redacted_display().to_string();
        assert!(
            !shown.contains(TOKEN) && !shown.contains(SECRET_KEY),
            "{shown}"
        );
        // The real request carries the token, of course.
        assert!(prepared.form().contains(TOKEN));
    }
}
