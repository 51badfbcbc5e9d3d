//! How many requests the emulator judges per CPU-second, in process (no
//! HTTP): a TC3-signed 20-URL `PurgeUrlsCache` (signature verified, key
//! derived, JSON parsed, quota spent, task recorded) beside a v1-signed
//! (HmacSHA256) one and an API 2.0 20-URL flush (HmacSHA1, Nonce spent).
//! One thread, so time is CPU time.
//!
//! Requests are signed before the clock starts, a thousand at a time, and
//! the state is reset between thousands so memory stays flat.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use http::{HeaderMap, HeaderValue, Method};
use tcdn_emulator::{Config, Credential, DailyQuotas, Emulator, InboundV2, InboundV3, ManualClock};
use tcdn_model::v2::FlushOrPush;
use tcdn_model::v3::{self, ActionRequest};
use tcdn_model::{Areas, CdnUrl, Operation};
use tcdn_sign::tc3::{Service, SigningKey, Timestamp};
use tcdn_sign::{Endpoint, HttpMethod, SecretKey};

const ID: &str = "AKIDbenchEmulator";
const KEY: &str = "bench-secret-key";
const NOW: i64 = 1_700_000_000;
const HOST: &str = "127.0.0.1:9000";
const CHUNK: u64 = 1000;

fn emulator() -> Emulator {
    let mut config = Config::new(vec![Credential::new(ID, KEY)]);
    config.rate_limit_per_minute = 0;
    config.v3_rate_limit_per_second = 0;
    config.quotas = DailyQuotas {
        url_flush: u32::MAX,
        dir_flush: u32::MAX,
        url_push: u32::MAX,
    };
    Emulator::with_clock(config, Arc::new(ManualClock::at(NOW)))
}

fn urls(n: usize, salt: u64) -> Vec<CdnUrl> {
    (0..n)
        .map(|i| {
            format!("https://www.example.com/static/{salt}/asset-{i}.js?v=20240101")
                .parse()
                .unwrap()
        })
        .collect()
}

/// A TC3 POST: headers and body.
fn tc3_request(salt: u64) -> (HeaderMap, String) {
    let request = v3::PurgeUrls::new(urls(20, salt), v3::PurgeOptions::default()).unwrap();
    let body = request.to_json();
    let timestamp = Timestamp::new(NOW as u64).unwrap();
    let key = SigningKey::derive(&SecretKey::from(KEY), timestamp.date(), Service::cdn());
    let signed = [("Content-Type", "application/json"), ("Host", HOST)];
    let mut authorization = String::new();
    key.authorize_into(
        ID,
        &tcdn_sign::tc3::Request::post(&signed, body.as_bytes()),
        timestamp,
        &mut authorization,
    )
    .unwrap();
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("host", HOST.to_owned()),
        ("content-type", "application/json".to_owned()),
        ("authorization", authorization),
        ("x-tc-action", "PurgeUrlsCache".to_owned()),
        ("x-tc-version", v3::VERSION.to_owned()),
        ("x-tc-timestamp", NOW.to_string()),
    ] {
        headers.insert(name, HeaderValue::from_str(&value).unwrap());
    }
    (headers, body)
}

/// A v1 (HmacSHA256) form POST body.
fn v1_request(salt: u64) -> String {
    let request = v3::PurgeUrls::new(urls(20, salt), v3::PurgeOptions::default()).unwrap();
    let mut params: Vec<(String, String)> = request
        .flat_params()
        .into_iter()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    for (k, v) in [
        ("Action", "PurgeUrlsCache"),
        ("Version", v3::VERSION),
        ("SecretId", ID),
        ("SignatureMethod", "HmacSHA256"),
    ] {
        params.push((k.to_owned(), v.to_owned()));
    }
    params.push(("Timestamp".to_owned(), NOW.to_string()));
    params.push(("Nonce".to_owned(), (salt + 1).to_string()));
    let endpoint = Endpoint::new(HttpMethod::Post, HOST, "/");
    let signature = tcdn_sign::sign(&SecretKey::from(KEY), &endpoint, &params).unwrap();
    params.push(("Signature".to_owned(), signature.as_str().to_owned()));
    let mut form = String::new();
    tcdn_model::append_form(&mut form, params.iter().map(|(k, v)| (k, v)));
    form
}

/// An API 2.0 (HmacSHA1) 20-URL flush, form POST body.
fn v2_request(salt: u64) -> String {
    let request = FlushOrPush::new(Operation::FlushUrls, Areas::Mainland, urls(20, salt)).unwrap();
    let mut params: Vec<(String, String)> = request
        .action_params()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_owned()))
        .collect();
    params.push(("Nonce".to_owned(), (salt + 1).to_string()));
    params.push(("Timestamp".to_owned(), NOW.to_string()));
    params.push(("SecretId".to_owned(), ID.to_owned()));
    let endpoint = Endpoint::new(HttpMethod::Post, "127.0.0.1", "/v2/index.php");
    let signature = tcdn_sign::sign(&SecretKey::from(KEY), &endpoint, &params).unwrap();
    params.push(("Signature".to_owned(), signature.as_str().to_owned()));
    let mut form = String::new();
    tcdn_model::append_form(&mut form, params.iter().map(|(k, v)| (k, v)));
    form
}

/// Times `judge` over `iters` requests made by `make`, a chunk at a time.
fn timed<R>(
    iters: u64,
    emulator: &Emulator,
    make: impl Fn(u64) -> R,
    judge: impl Fn(&R) -> bool,
) -> Duration {
    let mut total = Duration::ZERO;
    let mut done = 0;
    while done < iters {
        emulator.reset();
        let n = CHUNK.min(iters - done);
        let requests: Vec<R> = (done..done + n).map(&make).collect();
        let started = Instant::now();
        for request in &requests {
            assert!(judge(request), "the bench request was refused");
        }
        total += started.elapsed();
        done += n;
    }
    total
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("emulator_judge");
    let emulator = emulator();
    let post = Method::POST;
    group.bench_function("tc3_purge_20", |b| {
        b.iter_custom(|iters| {
            timed(iters, &emulator, tc3_request, |(headers, body)| {
                let verdict = emulator.judge_v3(InboundV3 {
                    method: &post,
                    query: None,
                    headers,
                    body: body.as_bytes(),
                    target_len: 1,
                });
                verdict.accepted.is_some()
            })
        });
    });
    group.bench_function("v1_purge_20", |b| {
        b.iter_custom(|iters| {
            let mut headers = HeaderMap::new();
            headers.insert("host", HeaderValue::from_static(HOST));
            headers.insert(
                "content-type",
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            );
            timed(iters, &emulator, v1_request, |body| {
                let verdict = emulator.judge_v3(InboundV3 {
                    method: &post,
                    query: None,
                    headers: &headers,
                    body: body.as_bytes(),
                    target_len: 1,
                });
                verdict.accepted.is_some()
            })
        });
    });
    group.bench_function("v2_flush_20", |b| {
        b.iter_custom(|iters| {
            timed(iters, &emulator, v2_request, |body| {
                let verdict = emulator.judge_v2(InboundV2 {
                    method: &post,
                    path: "/v2/index.php",
                    query: None,
                    host: Some("127.0.0.1"),
                    content_type: Some("application/x-www-form-urlencoded"),
                    body: body.as_bytes(),
                    target_len: "/v2/index.php".len(),
                });
                verdict.accepted.is_some()
            })
        });
    });
    group.finish();
}

// In a private module: the macro's generated function carries no doc.
mod group {
    use super::*;

    criterion_group! {
        name = judge_benches;
        config = Criterion::default()
            .measurement_time(Duration::from_secs(3))
            .warm_up_time(Duration::from_millis(500));
        targets = benches
    }
}

fn main() {
    group::judge_benches();
    Criterion::default().configure_from_args().final_summary();
}
