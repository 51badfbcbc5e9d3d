//! API 3.0 requests built as a client would: the parameters with
//! `tcdn_model::v3`, the signature with `tcdn_sign::tc3` or the v1 signer.

use std::sync::Arc;

use bytes::Bytes;
use tcdn_emulator::{Config, Credential, Emulator, ManualClock, RunningEmulator};
use tcdn_model::v3::{self, Request};
use tcdn_sign::tc3::{Service, SigningKey, Timestamp};
use tcdn_sign::{Endpoint, HttpMethod, SecretKey, SignatureMethod};
use tcdn_transport::Transport;

use super::{ID, KEY, NOW, transport};

/// How a request is signed and sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sig {
    /// TC3, JSON body.
    Tc3Post,
    /// TC3, parameters in the query.
    Tc3Get,
    /// v1, form body.
    V1Post(SignatureMethod),
    /// v1, parameters in the query.
    V1Get(SignatureMethod),
}

pub const EVERY_SIG: [Sig; 6] = [
    Sig::Tc3Post,
    Sig::Tc3Get,
    Sig::V1Post(SignatureMethod::HmacSha1),
    Sig::V1Post(SignatureMethod::HmacSha256),
    Sig::V1Get(SignatureMethod::HmacSha1),
    Sig::V1Get(SignatureMethod::HmacSha256),
];

/// What goes into one request; tests change a field to break it.
#[derive(Debug, Clone)]
pub struct Call {
    pub sig: Sig,
    pub action: String,
    pub version: String,
    /// The JSON body (TC3 POST) or the flattened parameters.
    pub json: String,
    pub flat: Vec<(String, String)>,
    pub timestamp: i64,
    pub nonce: u64,
    pub secret_id: String,
    pub key: String,
    pub token: Option<String>,
    /// The host signed for; `None` signs for the `Host` sent.
    pub signed_host: Option<String>,
    pub content_type: Option<String>,
    /// Changes the body after signing.
    pub tamper: bool,
    /// TC3 with `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` (the SDKs' option).
    pub unsigned_payload: bool,
    /// The TC3 scope's service (`cdn`; EdgeOne's is `teo`).
    pub service: &'static str,
    /// `X-TC-Language` (TC3) or `Language` (v1); `None` sends none.
    pub language: Option<String>,
}

impl Call {
    pub fn new(sig: Sig, request: &Request) -> Self {
        Self {
            sig,
            action: request.action().as_str().to_owned(),
            version: v3::VERSION.to_owned(),
            json: request.to_json(),
            flat: request
                .flat_params()
                .into_iter()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            timestamp: NOW,
            nonce: 1,
            secret_id: ID.to_owned(),
            key: KEY.to_owned(),
            token: None,
            signed_host: None,
            content_type: None,
            tamper: false,
            unsigned_payload: false,
            service: "cdn",
            language: Some("en-US".to_owned()),
        }
    }

    /// A request with raw parameters (names the model would not write).
    pub fn raw(sig: Sig, action: &str, json: &str, flat: &[(&str, &str)]) -> Self {
        let mut call = Self::new(sig, &Request::DescribePurgeQuota(v3::DescribePurgeQuota));
        call.action = action.to_owned();
        call.json = json.to_owned();
        call.flat = flat
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        call
    }

    /// The HTTP request for an emulator listening at `origin`.
    pub fn build(&self, origin: &str) -> http::Request<Bytes> {
        let host = origin.split_once("://").map_or(origin, |(_, h)| h);
        let signed_host = self.signed_host.as_deref().unwrap_or(host);
        let secret = SecretKey::from(self.key.as_str());
        match self.sig {
            Sig::Tc3Post | Sig::Tc3Get => {
                let get = self.sig == Sig::Tc3Get;
                let content_type = self.content_type.clone().unwrap_or_else(|| {
                    if get {
                        "application/x-www-form-urlencoded".to_owned()
                    } else {
                        "application/json".to_owned()
                    }
                });
                let mut query = String::new();
                v3::append_flat_form(&mut query, &self.flat);
                let signed = [
                    ("Content-Type", content_type.as_str()),
                    ("Host", signed_host),
                ];
                let timestamp = Timestamp::new(self.timestamp as u64).unwrap();
                let service = Service::new(self.service).unwrap();
                let key = SigningKey::derive(&secret, timestamp.date(), service);
                let mut request = if get {
                    tcdn_sign::tc3::Request::get(&query, &signed)
                } else {
                    tcdn_sign::tc3::Request::post(&signed, self.json.as_bytes())
                };
                if self.unsigned_payload {
                    request.payload = b"UNSIGNED-PAYLOAD";
                }
                let mut authorization = String::new();
                key.authorize_into(&self.secret_id, &request, timestamp, &mut authorization)
                    .unwrap();
                let uri = if get {
                    format!("{origin}/?{query}")
                } else {
                    format!("{origin}/")
                };
                let mut builder = http::Request::builder()
                    .method(if get { "GET" } else { "POST" })
                    .uri(uri)
                    .header("host", host)
                    .header("content-type", content_type)
                    .header("authorization", authorization)
                    .header("x-tc-action", &self.action)
                    .header("x-tc-version", &self.version)
                    .header("x-tc-timestamp", self.timestamp.to_string())
                    .header("x-tc-requestclient", "tcdn-emulator-tests");
                if let Some(language) = &self.language {
                    builder = builder.header("x-tc-language", language);
                }
                if let Some(token) = &self.token {
                    builder = builder.header("x-tc-token", token);
                }
                if self.unsigned_payload {
                    builder = builder.header("x-tc-content-sha256", "UNSIGNED-PAYLOAD");
                }
                let mut body = if get {
                    String::new()
                } else {
                    self.json.clone()
                };
                if self.tamper {
                    body = body.replace("example.com", "example.org");
                }
                builder.body(Bytes::from(body)).unwrap()
            }
            Sig::V1Post(method) | Sig::V1Get(method) => {
                let get = matches!(self.sig, Sig::V1Get(_));
                let mut params = self.flat.clone();
                for (k, v) in [
                    ("Action", self.action.clone()),
                    ("Version", self.version.clone()),
                    ("Timestamp", self.timestamp.to_string()),
                    ("Nonce", self.nonce.to_string()),
                    ("SecretId", self.secret_id.clone()),
                    ("SignatureMethod", method.as_param().to_owned()),
                    ("RequestClient", "tcdn-emulator-tests".to_owned()),
                ] {
                    params.push((k.to_owned(), v));
                }
                if let Some(token) = &self.token {
                    params.push(("Token".to_owned(), token.clone()));
                }
                if let Some(language) = &self.language {
                    params.push(("Language".to_owned(), language.clone()));
                }
                let http_method = if get {
                    HttpMethod::Get
                } else {
                    HttpMethod::Post
                };
                let endpoint = Endpoint::new(http_method, signed_host, "/");
                let signature = tcdn_sign::sign(&secret, &endpoint, &params).unwrap();
                params.push(("Signature".to_owned(), signature.as_str().to_owned()));
                let mut form = String::new();
                tcdn_model::append_form(&mut form, params.iter().map(|(k, v)| (k, v)));
                if self.tamper {
                    form = form.replace("example.com", "example.org");
                }
                let builder = http::Request::builder().header("host", host);
                if get {
                    builder
                        .method("GET")
                        .uri(format!("{origin}/?{form}"))
                        .body(Bytes::new())
                        .unwrap()
                } else {
                    builder
                        .method("POST")
                        .uri(format!("{origin}/"))
                        .header(
                            "content-type",
                            self.content_type
                                .as_deref()
                                .unwrap_or("application/x-www-form-urlencoded"),
                        )
                        .body(Bytes::from(form))
                        .unwrap()
                }
            }
        }
    }

    /// Sends it; the answer must be HTTP 200 with `Content-Type:
    /// application/json` exactly. Returns `Response`.
    pub async fn send(&self, running: &RunningEmulator) -> serde_json::Value {
        let response = transport()
            .send(self.build(running.origin()))
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{:?}", response.body());
        assert_eq!(response.headers()["content-type"], "application/json");
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        let answer = body["Response"].clone();
        assert!(answer["RequestId"].is_string(), "{body}");
        answer
    }

    /// Sends it and returns the error code (panics on success).
    pub async fn error(&self, running: &RunningEmulator) -> (String, String) {
        let answer = self.send(running).await;
        let code = answer["Error"]["Code"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error, got {answer}"));
        (
            code.to_owned(),
            answer["Error"]["Message"].as_str().unwrap().to_owned(),
        )
    }

    /// Sends it and returns the answer, which must not be an error.
    pub async fn ok(&self, running: &RunningEmulator) -> serde_json::Value {
        let answer = self.send(running).await;
        assert!(answer.get("Error").is_none(), "{:?}: {answer}", self.sig);
        answer
    }
}

/// An emulator on a manual clock stopped at [`NOW`], serving HTTP.
pub async fn start_at(adjust: impl FnOnce(&mut Config)) -> (RunningEmulator, ManualClock) {
    let mut config = Config::new(vec![Credential::new(ID, KEY)]);
    config.v3_rate_limit_per_second = 0;
    adjust(&mut config);
    let clock = ManualClock::at(NOW);
    let running = Emulator::with_clock(config, Arc::new(clock.clone()))
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    (running, clock)
}

pub fn purge_urls(n: usize) -> Request {
    purge_urls_in(n, None)
}

pub fn purge_urls_in(n: usize, area: Option<v3::PurgeArea>) -> Request {
    let options = v3::PurgeOptions {
        area,
        ..Default::default()
    };
    Request::PurgeUrls(v3::PurgeUrls::new(super::urls("file", n), options).unwrap())
}

pub fn purge_paths(n: usize) -> Request {
    let paths = super::urls("dir", n)
        .into_iter()
        .map(|u| format!("{u}/").parse().unwrap())
        .collect::<Vec<_>>();
    Request::PurgePaths(
        v3::PurgePaths::new(paths, v3::FlushType::Delete, v3::PurgeOptions::default()).unwrap(),
    )
}

pub fn push_urls(n: usize, area: Option<v3::Area>) -> Request {
    let options = v3::PushOptions {
        area,
        ..Default::default()
    };
    Request::PushUrls(v3::PushUrls::new(super::urls("push", n), options).unwrap())
}

pub fn purge_tasks_by_id(task_id: &str) -> Request {
    Request::DescribePurgeTasks(v3::DescribePurgeTasks::new(v3::TaskSelector::task(
        v3::TaskId::new(task_id).unwrap(),
    )))
}

pub fn push_tasks_by_id(task_id: &str) -> Request {
    Request::DescribePushTasks(v3::DescribePushTasks::new(v3::TaskSelector::task(
        v3::TaskId::new(task_id).unwrap(),
    )))
}

/// Where the quota list holds `area`'s entry, its `Available`.
pub fn available(list: &serde_json::Value, area: &str) -> i64 {
    list.as_array()
        .unwrap()
        .iter()
        .find(|q| q["Area"] == area)
        .unwrap_or_else(|| panic!("no {area} in {list}"))["Available"]
        .as_i64()
        .unwrap()
}
