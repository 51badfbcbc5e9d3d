//! Helpers for the tests of the credential chain's network sources: the
//! emulator on a manual clock, a chain reading given variables, and a
//! purge that shows whether credentials are accepted.

#![allow(dead_code, missing_docs, missing_debug_implementations)]

use std::collections::HashMap;
use std::ffi::OsString;
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tcdn::credentials::CredentialError;
use tcdn::test_util::ManualClock;
use tcdn::{
    Api, Areas, CdnUrl, Client, CredentialChain, Credentials, Endpoint, Report, RetryPolicy,
};
use tcdn_emulator::{Config, Credential, Emulator, ManualClock as EmulatorClock, RunningEmulator};

pub const ID: &str = "AKIDbaseCredentials";
pub const KEY: &str = "base-credentials-secret-key";
pub const ROLE_ARN: &str = "qcs::cam::uin/100000000001:roleName/deploy";
pub const WEB_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.web-identity-secret.signature";

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub struct Setup {
    pub running: RunningEmulator,
    pub emulator_clock: EmulatorClock,
    pub client_clock: ManualClock,
    pub home: tempfile::TempDir,
}

/// An emulator on a manual clock at the real time (API 2.0 checks the
/// `Timestamp` against it), and a client clock at the same instant.
pub async fn setup(adjust: impl FnOnce(&mut Config)) -> Setup {
    let start = now();
    let mut config = Config::new(vec![Credential::new(ID, KEY)]);
    adjust(&mut config);
    let emulator_clock = EmulatorClock::at(i64::try_from(start).unwrap());
    let running = Emulator::with_clock(config, Arc::new(emulator_clock.clone()))
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    Setup {
        running,
        emulator_clock,
        client_clock: ManualClock::new(start),
        home: tempfile::tempdir().unwrap(),
    }
}

impl Setup {
    /// A chain reading `vars` (plus the emulator's origins) and an empty
    /// home.
    pub fn chain(&self, vars: &[(&str, &str)]) -> CredentialChain {
        let origin = self.running.origin().to_owned();
        let mut env: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), OsString::from(v)))
            .collect();
        env.entry("TCDN_METADATA_ENDPOINT".to_owned())
            .or_insert_with(|| origin.clone().into());
        env.entry("TCDN_STS_ENDPOINT".to_owned())
            .or_insert_with(|| origin.into());
        CredentialChain::new(
            move |name| env.get(name).cloned(),
            Some(self.home.path().to_path_buf()),
        )
        .clock(Arc::new(self.client_clock.clone()))
    }

    pub fn advance(&self, seconds: u64) {
        self.client_clock.advance(Duration::from_secs(seconds));
        self.emulator_clock
            .advance_millis(i64::try_from(seconds * 1000).unwrap());
    }

    /// Flushes one URL with `credentials`, no retries.
    pub async fn purge(&self, credentials: Credentials, name: &str) -> Report {
        // API 3.0 (the default) at the emulator's origin: TC3 carries the token.
        let endpoint = Endpoint::parse_for(Api::V3, self.running.origin()).unwrap();
        let client = Client::builder(credentials)
            .endpoint(endpoint)
            .retry_policy(RetryPolicy::default().with_max_attempts(NonZeroU32::MIN))
            .build()
            .unwrap();
        let url: CdnUrl = format!("https://www.example.com/{name}.js")
            .parse()
            .unwrap();
        client.flush_urls(Areas::Both, vec![url]).await
    }

    pub async fn assert_accepted(&self, credentials: Credentials, name: &str) {
        let report = self.purge(credentials, name).await;
        assert_eq!(report.succeeded.len(), 1, "{report:?}");
    }
}

pub fn assert_clean(error: &CredentialError) {
    let text = format!("{error} {error:?}");
    for secret in [KEY, WEB_TOKEN, "web-identity-secret"] {
        assert!(!text.contains(secret), "a secret leaked: {text}");
    }
}

pub fn write(home: &Path, relative: &str, text: &str) -> String {
    let path = home.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// TKE's OIDC variables for the role [`ROLE_ARN`], naming `token_file`.
pub fn tke_vars(token_file: &str) -> [(&'static str, &str); 4] {
    [
        ("TKE_REGION", "ap-guangzhou"),
        ("TKE_PROVIDER_ID", "tke-oidc-provider"),
        ("TKE_WEB_IDENTITY_TOKEN_FILE", token_file),
        ("TKE_ROLE_ARN", ROLE_ARN),
    ]
}
