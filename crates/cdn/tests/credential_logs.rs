//! Every log line at trace level, the emulator's included, while the
//! credential chain assumes roles, refreshes and fails to refresh, holds no
//! key and no token. It runs alone in its own process: `tracing` caches
//! which callsites are wanted process-wide, and a test logging on another
//! thread at the same moment can leave this test's subscriber unasked.

mod sources;

use std::sync::Arc;
use std::time::Duration;

use sources::*;

#[derive(Clone, Default)]
struct Buffer(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every log line at trace level, the emulator's included, while the
/// chain assumes roles, refreshes, and fails to refresh.
#[tokio::test(flavor = "current_thread")]
async fn trace_logs_hold_no_key_and_no_token() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let setup = setup(|config| config.credential_ttl = Duration::from_secs(60)).await;
    let token_file = write(setup.home.path(), "tke/token", WEB_TOKEN);
    let tke = tke_vars(&token_file);
    let loaded = setup.chain(&tke).load().await.unwrap();
    setup.advance(30);
    setup
        .assert_accepted(loaded.current().await.unwrap(), "logged")
        .await;
    // The token file goes missing: the refresh fails and is logged; the
    // credentials in hand still serve.
    std::fs::remove_file(&token_file).unwrap();
    setup.advance(30);
    setup
        .assert_accepted(loaded.current().await.unwrap(), "logged-after-failure")
        .await;

    let keys = [
        ("TENCENTCLOUD_SECRET_ID", ID),
        ("TENCENTCLOUD_SECRET_KEY", KEY),
    ];
    let assumed = setup.chain(&keys).role_arn(ROLE_ARN).load().await.unwrap();
    setup.advance(31);
    setup
        .assert_accepted(assumed.current().await.unwrap(), "logged-assumed")
        .await;

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("refreshing the credentials failed"), "{logs}");
    assert!(logs.contains("credentials refreshed"), "{logs}");
    for secret in [
        KEY,
        WEB_TOKEN,
        "web-identity-secret",
        "TC3-HMAC-SHA256 Credential",
        "Signature=",
    ] {
        assert!(!logs.contains(secret), "logs contain {secret:?}:\n{logs}");
    }
}
