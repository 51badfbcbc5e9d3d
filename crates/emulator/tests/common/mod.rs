//! Helpers shared by the emulator's tests: build signed requests the way a
//! client would, with tcdn-sign and tcdn-model.

#![allow(dead_code, missing_docs, missing_debug_implementations)]

pub mod v3;

use std::time::Duration;

use bytes::Bytes;
use tcdn_emulator::{
    Config, Credential, Emulator, InboundV2, ManualClock, RunningEmulator, VerdictV2,
};
use tcdn_model::v2::FlushOrPush;
use tcdn_model::{Areas, CdnUrl, Operation};
use tcdn_sign::{Endpoint, HttpMethod, SecretKey, SignatureMethod};
use tcdn_transport::HyperTransport;

pub const ID: &str = "AKIDtestEmulator";
pub const KEY: &str = "emulator-test-secret-key";
pub const NOW: i64 = 1_700_000_000;

pub fn emulator() -> (Emulator, ManualClock) {
    emulator_with(|_| {})
}

pub fn emulator_with(adjust: impl FnOnce(&mut Config)) -> (Emulator, ManualClock) {
    let mut config = Config::new(vec![Credential::new(ID, KEY)]);
    adjust(&mut config);
    let clock = ManualClock::at(NOW);
    (
        Emulator::with_clock(config, std::sync::Arc::new(clock.clone())),
        clock,
    )
}

pub fn urls(prefix: &str, n: usize) -> Vec<CdnUrl> {
    (0..n)
        .map(|i| {
            format!("https://www.example.com/{prefix}/{i}.js")
                .parse()
                .unwrap()
        })
        .collect()
}

pub fn request(operation: Operation, areas: Areas, n: usize) -> FlushOrPush {
    let prefix = match operation {
        Operation::FlushDirs => "dir",
        _ => "file",
    };
    let urls = urls(prefix, n)
        .into_iter()
        .map(|u| {
            if operation == Operation::FlushDirs {
                format!("{u}/").parse().unwrap()
            } else {
                u
            }
        })
        .collect::<Vec<CdnUrl>>();
    FlushOrPush::new(operation, areas, urls).unwrap()
}

/// A fully signed parameter list.
pub struct Signed {
    pub params: Vec<(String, String)>,
}

impl Signed {
    pub fn form(&self) -> String {
        let mut out = String::new();
        tcdn_model::append_form(&mut out, self.params.iter().map(|(k, v)| (k, v)));
        out
    }

    pub fn set(&mut self, name: &str, value: &str) {
        for (k, v) in &mut self.params {
            if k == name {
                *v = value.to_owned();
            }
        }
    }
}

pub struct Signer<'a> {
    pub method: HttpMethod,
    pub host: &'a str,
    pub path: &'a str,
    pub signature_method: SignatureMethod,
    pub timestamp: i64,
    pub nonce: u64,
    pub secret_id: &'a str,
    pub key: &'a str,
    pub extra: Vec<(&'a str, &'a str)>,
}

impl Default for Signer<'_> {
    fn default() -> Self {
        Self {
            method: HttpMethod::Get,
            host: "127.0.0.1",
            path: "/v2/index.php",
            signature_method: SignatureMethod::HmacSha1,
            timestamp: NOW,
            nonce: 1,
            secret_id: ID,
            key: KEY,
            extra: Vec::new(),
        }
    }
}

impl Signer<'_> {
    pub fn sign(&self, request: &FlushOrPush) -> Signed {
        let mut params: Vec<(String, String)> = request
            .action_params()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_owned()))
            .collect();
        self.sign_params(&mut params);
        Signed { params }
    }

    pub fn sign_params(&self, params: &mut Vec<(String, String)>) {
        params.push(("Nonce".into(), self.nonce.to_string()));
        params.push(("Timestamp".into(), self.timestamp.to_string()));
        params.push(("SecretId".into(), self.secret_id.into()));
        params.push((
            "SignatureMethod".into(),
            self.signature_method.as_param().into(),
        ));
        for (k, v) in &self.extra {
            params.push(((*k).into(), (*v).into()));
        }
        let key = SecretKey::from(self.key);
        let endpoint = Endpoint::new(self.method, self.host, self.path);
        let signature = tcdn_sign::sign(&key, &endpoint, params).unwrap();
        params.push(("Signature".into(), signature.as_str().into()));
    }
}

/// Judges a GET with the given query, with `Host: 127.0.0.1`.
pub fn judge_get(emulator: &Emulator, query: &str) -> VerdictV2 {
    let target = format!("/v2/index.php?{query}");
    emulator.judge_v2(InboundV2 {
        method: &http::Method::GET,
        path: "/v2/index.php",
        query: Some(query),
        host: Some("127.0.0.1"),
        content_type: None,
        body: b"",
        target_len: target.len(),
    })
}

/// Judges a POST with the given body and content type, with `Host: 127.0.0.1`.
pub fn judge_post(emulator: &Emulator, content_type: &str, body: &[u8]) -> VerdictV2 {
    emulator.judge_v2(InboundV2 {
        method: &http::Method::POST,
        path: "/v2/index.php",
        query: None,
        host: Some("127.0.0.1"),
        content_type: Some(content_type),
        body,
        target_len: "/v2/index.php".len(),
    })
}

pub fn envelope(verdict: &VerdictV2) -> tcdn_model::v2::Envelope {
    tcdn_model::v2::Envelope::from_slice(verdict.body.as_bytes()).unwrap()
}

/// An emulator on the system clock, serving plain HTTP on a free port.
pub async fn start(adjust: impl FnOnce(&mut Config)) -> RunningEmulator {
    let mut config = Config::new(vec![Credential::new(ID, KEY)]);
    adjust(&mut config);
    Emulator::new(config)
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// tcdn's own transport, with a 5 s deadline and no proxy.
pub fn transport() -> HyperTransport {
    HyperTransport::builder()
        .total_timeout(Duration::from_secs(5))
        .disable_proxy()
        .build()
        .unwrap()
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn get(url: String) -> http::Request<Bytes> {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

/// Fails the test instead of hanging it.
pub async fn bounded<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), future)
        .await
        .expect("test took too long")
}
