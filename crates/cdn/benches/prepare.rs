//! Signing a request into its wire form: at most 2.5 µs
//! and 3.2× the raw HMAC of its string to sign at 20 URLs, linear in URLs.
//!
//! Groups:
//! - `prepare_post_sha1/<urls>` and `hmac_post_sha1/<urls>` for 1, 20, 100
//!   and 1000 URLs: `RequestBuilder::prepare` (POST, HmacSHA1) and, in the
//!   same run, the bare HMAC (key setup, update, finalize, Base64 of 20
//!   bytes) over the very string to sign that `prepare` signs, rebuilt from
//!   its output. `cargo xtask bench` prints the ratios and the per-URL
//!   scaling.
//! - `prepare/20 urls/GET/HmacSHA256`: the other method and hash.
//!
//! With `TCDN_BENCH_REPEAT=<case>:<times>` set (case `prepare_post_sha1/20`
//! or `hmac_post_sha1/20`, ...), the binary runs that case `times` times and
//! exits instead of benchmarking: the loop for an instruction count under
//! `valgrind --tool=callgrind`, which a loaded machine does not disturb.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use tcdn::{
    Areas, CdnUrl, Credentials, FlushOrPush, HttpMethod, Operation, SignatureMethod, nonce::Nonce,
    sign::SecretKey, v2::RequestBuilder,
};

const URL_COUNTS: [usize; 4] = [1, 20, 100, 1000];
const SECRET_ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
const TIMESTAMP: u64 = 1_700_000_000;

fn nonce() -> Nonce {
    Nonce::new(123_456_789).expect("in range")
}

fn request(urls: usize) -> FlushOrPush {
    let urls: Vec<CdnUrl> = (0..urls)
        .map(|i| {
            format!("https://www.example.com/static/js/app.{i}.min.js?v=20240101")
                .parse()
                .expect("valid URL")
        })
        .collect();
    FlushOrPush::new(Operation::FlushUrls, Areas::Both, urls).expect("valid request")
}

fn builder(method: HttpMethod, signature_method: SignatureMethod) -> RequestBuilder {
    let credentials = Credentials::new(SECRET_ID, SECRET_KEY).expect("valid credentials");
    RequestBuilder::new(credentials)
        .with_method(method)
        .with_signature_method(signature_method)
}

/// The string to sign behind a prepared request, rebuilt from its form.
fn string_to_sign(builder: &RequestBuilder, request: &FlushOrPush) -> String {
    let prepared = builder.prepare(request, TIMESTAMP, nonce());
    let params: Vec<(String, String)> = tcdn::model::decode_form(prepared.form().as_bytes())
        .expect("the builder's form decodes")
        .into_iter()
        .filter(|(name, _)| name != "Signature")
        .collect();
    let endpoint = tcdn_sign::Endpoint::new(
        builder.method(),
        builder.endpoint().signing_host(),
        builder.endpoint().path(),
    );
    tcdn_sign::string_to_sign(&endpoint, &params).expect("signable")
}

fn prepare(c: &mut Criterion) {
    let key = SecretKey::from(SECRET_KEY);
    let post = builder(HttpMethod::Post, SignatureMethod::HmacSha1);
    let cases: Vec<(usize, FlushOrPush, String)> = URL_COUNTS
        .iter()
        .map(|&n| {
            let request = request(n);
            let text = string_to_sign(&post, &request);
            (n, request, text)
        })
        .collect();

    let mut group = c.benchmark_group("prepare_post_sha1");
    for (n, request, _) in &cases {
        group.throughput(Throughput::Elements(*n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), request, |b, request| {
            b.iter(|| post.prepare(black_box(request), black_box(TIMESTAMP), nonce()));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("hmac_post_sha1");
    for (n, _, text) in &cases {
        group.throughput(Throughput::Elements(*n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), text, |b, text| {
            b.iter(|| {
                tcdn_sign::sign_string_to_sign(&key, SignatureMethod::HmacSha1, black_box(text))
            });
        });
    }
    group.finish();

    let get = builder(HttpMethod::Get, SignatureMethod::HmacSha256);
    let request = request(20);
    c.bench_function("prepare/20 urls/GET/HmacSHA256", |b| {
        b.iter(|| get.prepare(black_box(&request), black_box(TIMESTAMP), nonce()));
    });
}

/// The `TCDN_BENCH_REPEAT` mode: `case` run `times` times.
fn repeat(spec: &str) -> Result<(), String> {
    let parse = || -> Option<(&str, usize, u64)> {
        let (case, times) = spec.split_once(':')?;
        let (group, urls) = case.split_once('/')?;
        Some((group, urls.parse().ok()?, times.parse().ok()?))
    };
    let (group, urls, times) = parse()
        .ok_or_else(|| format!("TCDN_BENCH_REPEAT={spec:?}: expected <group>/<urls>:<times>"))?;
    let post = builder(HttpMethod::Post, SignatureMethod::HmacSha1);
    let request = request(urls);
    match group {
        "prepare_post_sha1" => {
            for _ in 0..times {
                black_box(post.prepare(black_box(&request), black_box(TIMESTAMP), nonce()));
            }
        }
        "hmac_post_sha1" => {
            let key = SecretKey::from(SECRET_KEY);
            let text = string_to_sign(&post, &request);
            for _ in 0..times {
                black_box(tcdn_sign::sign_string_to_sign(
                    &key,
                    SignatureMethod::HmacSha1,
                    black_box(&text),
                ));
            }
        }
        other => return Err(format!("unknown group {other:?}")),
    }
    Ok(())
}

// In a private module: the macro's generated function carries no doc.
mod group {
    use super::*;

    criterion_group! {
        name = benches;
        // Short runs keep `cargo xtask bench` within a few minutes on 2 cores.
        config = Criterion::default()
            .measurement_time(Duration::from_secs(2))
            .warm_up_time(Duration::from_millis(500));
        targets = prepare
    }
}

fn main() {
    if let Some(spec) = std::env::var_os("TCDN_BENCH_REPEAT") {
        if let Err(message) = repeat(&spec.to_string_lossy()) {
            eprintln!("{message}");
            std::process::exit(2);
        }
        return;
    }
    group::benches();
    Criterion::default().configure_from_args().final_summary();
}
