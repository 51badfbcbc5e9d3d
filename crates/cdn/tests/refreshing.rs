//! `RefreshingCredentials` with a scripted provider and a manual clock:
//! when it refreshes, that concurrent callers share one fetch, that a failed
//! refresh keeps valid credentials and retries, and that nothing secret is
//! printed.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tcdn::clock::Clock;
use tcdn::credentials::{
    CredentialError, CredentialErrorKind, CredentialProvider, CredentialSource, RefreshPolicy,
    RefreshingCredentials,
};
use tcdn::test_util::ManualClock;
use tcdn::{CredentialChain, Credentials};
use tokio::sync::Semaphore;

const START: u64 = 1_700_000_000;

/// Gives `tmp-1`, `tmp-2`, ... each living `lifetime` from the clock's
/// now, or the next scripted failure; optionally waits for a permit first.
#[derive(Debug)]
struct Scripted {
    clock: ManualClock,
    lifetime: Duration,
    fetches: AtomicUsize,
    entered: AtomicUsize,
    failures: Mutex<VecDeque<bool>>,
    gate: Option<Arc<Semaphore>>,
}

impl Scripted {
    fn new(clock: &ManualClock, lifetime: Duration) -> Self {
        Self {
            clock: clock.clone(),
            lifetime,
            fetches: AtomicUsize::new(0),
            entered: AtomicUsize::new(0),
            failures: Mutex::new(VecDeque::new()),
            gate: None,
        }
    }

    /// The next fetches fail (`true`) or succeed (`false`), in order.
    fn script(self, outcomes: &[bool]) -> Self {
        self.failures.lock().unwrap().extend(outcomes);
        self
    }

    fn gated(mut self, gate: &Arc<Semaphore>) -> Self {
        self.gate = Some(Arc::clone(gate));
        self
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl CredentialProvider for Scripted {
    async fn fetch(&self) -> Result<Credentials, CredentialError> {
        self.entered.fetch_add(1, Ordering::SeqCst);
        if let Some(gate) = &self.gate {
            gate.acquire().await.unwrap().forget();
        }
        let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
        if self.failures.lock().unwrap().pop_front() == Some(true) {
            // A provider's error, as STS would give it.
            return Err(tcdn_error());
        }
        let expires = self.clock.unix_seconds() + self.lifetime.as_secs();
        Ok(
            Credentials::new(format!("AKIDtmp{n}"), format!("tmp-secret-key-{n}"))
                .unwrap()
                .with_token(format!("tmp-session-token-{n}"))
                .expiring_at(expires),
        )
    }

    fn source(&self) -> CredentialSource {
        CredentialSource::CvmRole {
            role: "scripted".to_owned(),
        }
    }
}

/// A real `CredentialError` from the library (the type has no public
/// constructor): a role ARN that is refused.
fn tcdn_error() -> CredentialError {
    "not-an-arn"
        .parse::<tcdn::credentials::RoleArn>()
        .unwrap_err()
}

async fn holder(provider: &Arc<Scripted>, clock: &ManualClock) -> RefreshingCredentials {
    RefreshingCredentials::new(
        Arc::clone(provider) as Arc<dyn CredentialProvider>,
        Arc::new(clock.clone()),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn long_lived_credentials_are_refreshed_five_minutes_before_expiry() {
    let clock = ManualClock::new(START);
    let provider = Arc::new(Scripted::new(&clock, Duration::from_secs(7200)));
    let holder = holder(&provider, &clock).await;
    assert_eq!(holder.current().await.unwrap().secret_id(), "AKIDtmp1");

    clock.advance(Duration::from_secs(7200 - 301));
    assert_eq!(holder.current().await.unwrap().secret_id(), "AKIDtmp1");
    assert_eq!(provider.fetches(), 1);

    clock.advance(Duration::from_secs(1));
    assert_eq!(holder.current().await.unwrap().secret_id(), "AKIDtmp2");
    assert_eq!(provider.fetches(), 2);
}

#[tokio::test]
async fn short_lived_credentials_are_refreshed_at_half_life() {
    let clock = ManualClock::new(START);
    let provider = Arc::new(Scripted::new(&clock, Duration::from_secs(60)));
    let holder = holder(&provider, &clock).await;
    clock.advance(Duration::from_secs(29));
    assert_eq!(holder.current().await.unwrap().secret_id(), "AKIDtmp1");
    clock.advance(Duration::from_secs(1));
    assert_eq!(holder.current().await.unwrap().secret_id(), "AKIDtmp2");
}

#[tokio::test]
async fn long_term_keys_are_never_fetched_again() {
    let holder = RefreshingCredentials::fixed(Credentials::new("AKIDlong", "long-key").unwrap());
    assert_eq!(holder.current().await.unwrap().secret_id(), "AKIDlong");
    assert_eq!(holder.source(), CredentialSource::Given);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_credentials_make_every_caller_wait_for_one_shared_fetch() {
    let clock = ManualClock::new(START);
    let gate = Arc::new(Semaphore::new(1));
    let provider = Arc::new(Scripted::new(&clock, Duration::from_secs(600)).gated(&gate));
    let holder = Arc::new(holder(&provider, &clock).await);
    clock.advance(Duration::from_secs(601));

    let callers: Vec<_> = (0..8)
        .map(|_| {
            let holder = Arc::clone(&holder);
            tokio::spawn(async move { holder.current().await.unwrap().secret_id().to_owned() })
        })
        .collect();
    // Let them all reach the fetch (or the wait for it), then open the gate once.
    tokio::task::yield_now().await;
    gate.add_permits(1);
    for caller in callers {
        assert_eq!(caller.await.unwrap(), "AKIDtmp2");
    }
    assert_eq!(
        provider.fetches(),
        2,
        "one initial fetch, one shared refresh"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_one_caller_refreshes_the_others_use_still_valid_credentials() {
    let clock = ManualClock::new(START);
    let gate = Arc::new(Semaphore::new(1));
    let provider = Arc::new(Scripted::new(&clock, Duration::from_secs(600)).gated(&gate));
    let holder = Arc::new(holder(&provider, &clock).await);
    clock.advance(Duration::from_secs(301)); // due (half-life), still valid

    let refreshing = {
        let holder = Arc::clone(&holder);
        tokio::spawn(async move { holder.current().await.unwrap().secret_id().to_owned() })
    };
    // Wait until the refresh is under way (blocked on the gate).
    while provider.entered.load(Ordering::SeqCst) < 2 {
        tokio::task::yield_now().await;
    }
    for _ in 0..5 {
        assert_eq!(holder.current().await.unwrap().secret_id(), "AKIDtmp1");
    }
    gate.add_permits(1);
    assert_eq!(refreshing.await.unwrap(), "AKIDtmp2");
    assert_eq!(holder.current().await.unwrap().secret_id(), "AKIDtmp2");
    assert_eq!(provider.fetches(), 2);
}

#[tokio::test]
async fn a_failed_refresh_keeps_valid_credentials_and_retries_later() {
    let clock = ManualClock::new(START);
    // Initial fetch succeeds, then two failures, then success.
    let provider = Arc::new(
        Scripted::new(&clock, Duration::from_secs(600)).script(&[false, true, true, false]),
    );
    let holder = RefreshingCredentials::with_policy(
        Arc::clone(&provider) as Arc<dyn CredentialProvider>,
        Arc::new(clock.clone()),
        RefreshPolicy {
            margin: Duration::from_secs(300),
            retry_after: Duration::from_secs(10),
        },
    )
    .await
    .unwrap();
    clock.advance(Duration::from_secs(301));
    // Fails, but the credentials in hand are valid for 299 s more.
    assert_eq!(holder.current().await.unwrap().secret_id(), "AKIDtmp1");
    assert_eq!(provider.fetches(), 2);
    // Within the retry pause: no new attempt.
    clock.advance(Duration::from_secs(9));
    assert_eq!(holder.current().await.unwrap().secret_id(), "AKIDtmp1");
    assert_eq!(provider.fetches(), 2);
    // After it: tried again, fails again, still fine.
    clock.advance(Duration::from_secs(1));
    assert_eq!(holder.current().await.unwrap().secret_id(), "AKIDtmp1");
    assert_eq!(provider.fetches(), 3);
    // Then it works.
    clock.advance(Duration::from_secs(10));
    assert_eq!(holder.current().await.unwrap().secret_id(), "AKIDtmp4");
    assert_eq!(provider.fetches(), 4);
}

#[tokio::test]
async fn once_expired_a_failed_refresh_is_the_callers_error() {
    let clock = ManualClock::new(START);
    let provider =
        Arc::new(Scripted::new(&clock, Duration::from_secs(60)).script(&[false, true, true]));
    let holder = holder(&provider, &clock).await;
    clock.advance(Duration::from_secs(30));
    assert_eq!(holder.current().await.unwrap().secret_id(), "AKIDtmp1");
    // Expired: the retry pause does not apply, the fetch is tried and its
    // error returned.
    clock.advance(Duration::from_secs(30));
    let err = holder.current().await.unwrap_err();
    assert_eq!(err.kind(), CredentialErrorKind::InvalidSetting);
    assert_eq!(provider.fetches(), 3);
}

#[tokio::test]
async fn a_refusal_refreshes_unless_someone_already_did() {
    let clock = ManualClock::new(START);
    let provider = Arc::new(Scripted::new(&clock, Duration::from_secs(3600)));
    let holder = holder(&provider, &clock).await;
    let used = holder.current().await.unwrap();
    let fresh = holder.refresh_after_refusal(&used).await.unwrap();
    assert_eq!(fresh.secret_id(), "AKIDtmp2");
    // A second caller refused with the same old credentials gets the new
    // ones without another fetch.
    let again = holder.refresh_after_refusal(&used).await.unwrap();
    assert_eq!(again.secret_id(), "AKIDtmp2");
    assert_eq!(provider.fetches(), 2);
}

#[tokio::test]
async fn credentials_that_arrive_expired_are_an_error_about_the_clock() {
    let clock = ManualClock::new(START);
    let provider = Arc::new(Scripted::new(&clock, Duration::ZERO));
    let err = RefreshingCredentials::new(
        Arc::clone(&provider) as Arc<dyn CredentialProvider>,
        Arc::new(clock.clone()),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), CredentialErrorKind::InvalidAnswer);
    assert!(err.to_string().contains("check the system clock"), "{err}");
}

#[tokio::test]
async fn debug_output_holds_no_key_and_no_token() {
    let clock = ManualClock::new(START);
    let provider = Arc::new(Scripted::new(&clock, Duration::from_secs(3600)));
    let holder = holder(&provider, &clock).await;
    let credentials = holder.current().await.unwrap();
    for shown in [format!("{holder:?}"), format!("{credentials:?}")] {
        assert!(shown.contains("AKIDtmp1"), "{shown}");
        assert!(!shown.contains("tmp-secret-key"), "{shown}");
        assert!(!shown.contains("tmp-session-token"), "{shown}");
    }
    let chain = CredentialChain::new(|_| None, None).role_arn("qcs::cam::uin/1:roleName/x");
    assert!(!format!("{chain:?}").is_empty());
}

/// A client on `holder`, talking to `transport` on `clock`.
fn client_on(
    api: tcdn::Api,
    holder: RefreshingCredentials,
    clock: &ManualClock,
    transport: Arc<dyn tcdn::transport::Transport>,
) -> tcdn::Client {
    tcdn::Client::builder_refreshing(Arc::new(holder))
        .api(api)
        .transport(transport)
        .clock(Arc::new(clock.clone()))
        .sleeper(Arc::new(tcdn::test_util::ManualSleeper::new(clock.clone())))
        .build()
        .unwrap()
}

fn one_flush() -> tcdn::model::v2::FlushOrPush {
    tcdn::model::v2::FlushOrPush::new(
        tcdn::Operation::FlushUrls,
        tcdn::Areas::Mainland,
        ["https://www.example.com/a.js".parse().unwrap()],
    )
    .unwrap()
}

fn v3_error(code: &str) -> http::Response<bytes::Bytes> {
    tcdn::test_util::mock::response(
        200,
        format!(
            r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"refused"}},"RequestId":"r-1"}}}}"#
        ),
    )
}

fn v3_accepted() -> http::Response<bytes::Bytes> {
    tcdn::test_util::mock::response(200, r#"{"Response":{"TaskId":"task-1","RequestId":"r-2"}}"#)
}

/// The `SecretId` an API 3.0 request was signed with.
fn signed_by(request: &tcdn::test_util::mock::RecordedRequest) -> String {
    let authorization = request.headers["authorization"].to_str().unwrap();
    let credential = authorization.split("Credential=").nth(1).unwrap();
    credential.split('/').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_token_refused_in_flight_is_refreshed_and_retried_once() {
    let clock = ManualClock::new(START);
    let provider = Arc::new(Scripted::new(&clock, Duration::from_secs(3600)));
    let transport = Arc::new(
        tcdn::test_util::mock::ScriptedTransport::new()
            .then_response(v3_error("AuthFailure.TokenFailure"))
            .then_response(v3_accepted()),
    );
    let client = client_on(
        tcdn::Api::V3,
        holder(&provider, &clock).await,
        &clock,
        transport.clone(),
    );
    let outcome = client.call(&one_flush()).await.unwrap();
    assert_eq!((outcome.attempts, outcome.requests_sent), (2, 2));
    assert_eq!(outcome.task_id.as_deref(), Some("task-1"));
    let sent: Vec<String> = transport.requests().iter().map(signed_by).collect();
    assert_eq!(sent, ["AKIDtmp1", "AKIDtmp2"]);
    assert_eq!(provider.fetches(), 2);
}

#[tokio::test]
async fn a_second_token_refusal_is_not_retried_again() {
    let clock = ManualClock::new(START);
    let provider = Arc::new(Scripted::new(&clock, Duration::from_secs(3600)));
    let transport = Arc::new(
        tcdn::test_util::mock::ScriptedTransport::new()
            .then_response(v3_error("AuthFailure.TokenFailure"))
            .then_response(v3_error("AuthFailure.TokenFailure")),
    );
    let client = client_on(
        tcdn::Api::V3,
        holder(&provider, &clock).await,
        &clock,
        transport.clone(),
    );
    let error = client.call(&one_flush()).await.unwrap_err();
    assert_eq!(error.error_code(), Some("AuthFailure.TokenFailure"));
    assert_eq!(error.requests_sent(), 2);
    transport.assert_script_exhausted();
}

#[tokio::test]
async fn long_term_keys_refused_for_their_token_are_not_retried() {
    let clock = ManualClock::new(START);
    let transport = Arc::new(
        tcdn::test_util::mock::ScriptedTransport::new()
            .then_response(v3_error("AuthFailure.TokenFailure")),
    );
    let fixed = RefreshingCredentials::fixed(
        Credentials::new("AKIDlong", "long-key")
            .unwrap()
            .with_token("a-token-of-long-term-keys"),
    );
    let client = client_on(tcdn::Api::V3, fixed, &clock, transport.clone());
    let error = client.call(&one_flush()).await.unwrap_err();
    assert_eq!(error.requests_sent(), 1, "{error}");
    transport.assert_sent(1);
}

#[tokio::test]
async fn a_signature_expiry_is_retried_only_when_the_credentials_had_expired() {
    // The request leaves just before the credentials expire and is judged
    // after: by the local clock they have expired, so they are refreshed.
    let clock = ManualClock::new(START);
    let provider = Arc::new(Scripted::new(&clock, Duration::from_secs(60)));
    let late = clock.clone();
    let sent = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&sent);
    let transport = Arc::new(tcdn::test_util::mock::FnTransport::new(move |_| {
        if counted.fetch_add(1, Ordering::SeqCst) == 0 {
            late.advance(Duration::from_secs(40));
            Ok(v3_error("AuthFailure.SignatureExpire"))
        } else {
            Ok(v3_accepted())
        }
    }));
    let client = client_on(
        tcdn::Api::V3,
        holder(&provider, &clock).await,
        &clock,
        transport,
    );
    // Not yet due for a refresh (at half life, 30 s) when it is signed.
    clock.advance(Duration::from_secs(29));
    let outcome = client.call(&one_flush()).await.unwrap();
    assert_eq!(outcome.requests_sent, 2);
    assert_eq!(provider.fetches(), 2);

    // Credentials still valid: the clock is what is off, and a retry from
    // the same clock would fail again.
    let clock = ManualClock::new(START);
    let provider = Arc::new(Scripted::new(&clock, Duration::from_secs(3600)));
    let transport = Arc::new(
        tcdn::test_util::mock::ScriptedTransport::new()
            .then_response(v3_error("AuthFailure.SignatureExpire")),
    );
    let client = client_on(
        tcdn::Api::V3,
        holder(&provider, &clock).await,
        &clock,
        transport.clone(),
    );
    let error = client.call(&one_flush()).await.unwrap_err();
    assert_eq!(error.kind(), tcdn::error::CallErrorKind::ClockSkew);
    assert_eq!(error.requests_sent(), 1);
    assert_eq!(provider.fetches(), 1);
}

#[tokio::test]
async fn api_2_token_refusals_are_refreshed_too() {
    let clock = ManualClock::new(START);
    let provider = Arc::new(Scripted::new(&clock, Duration::from_secs(3600)));
    let transport = Arc::new(
        tcdn::test_util::mock::ScriptedTransport::new()
            .then_respond(
                200,
                r#"{"code":4100,"message":"the session token expired","codeDesc":"AuthFailure.TokenFailure"}"#,
            )
            .then_respond(200, r#"{"code":0,"message":"","codeDesc":"Success"}"#),
    );
    let client = client_on(
        tcdn::Api::V2,
        holder(&provider, &clock).await,
        &clock,
        transport.clone(),
    );
    let outcome = client.call(&one_flush()).await.unwrap();
    assert_eq!(outcome.requests_sent, 2);
    let bodies: Vec<String> = transport.requests().iter().map(|r| r.body_text()).collect();
    assert!(bodies[0].contains("SecretId=AKIDtmp1"), "{bodies:?}");
    assert!(bodies[1].contains("SecretId=AKIDtmp2"), "{bodies:?}");

    // A 4100 that is not about the token is not retried.
    let transport = Arc::new(
        tcdn::test_util::mock::ScriptedTransport::new().then_respond(
            200,
            r#"{"code":4100,"message":"signature mismatch","codeDesc":"AuthFailure"}"#,
        ),
    );
    let client = client_on(
        tcdn::Api::V2,
        holder(&provider, &clock).await,
        &clock,
        transport.clone(),
    );
    assert_eq!(
        client.call(&one_flush()).await.unwrap_err().requests_sent(),
        1
    );
}

#[tokio::test]
async fn a_failed_refresh_of_expired_credentials_fails_the_call_naming_the_source() {
    let clock = ManualClock::new(START);
    let provider =
        Arc::new(Scripted::new(&clock, Duration::from_secs(60)).script(&[false, true, true]));
    let transport = Arc::new(tcdn::test_util::mock::ScriptedTransport::new());
    let client = client_on(
        tcdn::Api::V3,
        holder(&provider, &clock).await,
        &clock,
        transport.clone(),
    );
    clock.advance(Duration::from_secs(61));
    let error = client.call(&one_flush()).await.unwrap_err();
    assert_eq!(error.kind(), tcdn::error::CallErrorKind::Credentials);
    assert_eq!(error.requests_sent(), 0);
    assert!(
        error.to_string().contains("no valid credentials"),
        "{error}"
    );
    transport.assert_sent(0);
}
