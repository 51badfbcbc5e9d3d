//! Signing cost against the bare HMAC over the same bytes.
//!
//! Groups `sign_sha1`/`sign_sha256` sign a `FlushOrPushOverall` request with
//! 1, 20, 100 and 1000 URLs; `hmac_sha1`/`hmac_sha256` run the bare HMAC
//! (key setup, update, finalize) over that request's string to sign. The
//! ratio of the two is what `cargo xtask bench` reports: everything the
//! signer adds (ordering, renaming, streaming, Base64) over the hash itself.
//!
//! With `TCDN_BENCH_REPEAT=<case>:<times>` set (case `sign_sha1/20`,
//! `hmac_sha256/1000`, ...), the binary runs that one case `times` times and
//! exits instead of benchmarking: the loop for an instruction count under
//! `valgrind --tool=callgrind`, which a loaded machine does not disturb.
//! Two runs with different `times` give the cost of one call by difference.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::Sha256;
use tcdn_sign::{Endpoint, HttpMethod, SecretKey, SignatureMethod, sign, string_to_sign};

type Params = Vec<(String, String)>;

const URL_COUNTS: [usize; 4] = [1, 20, 100, 1000];
const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

/// A request in the legacy SDK's wire order (action parameters, then common ones).
fn request(urls: usize, method: SignatureMethod) -> Params {
    let mut params: Params = [("command", "flush"), ("type", "url"), ("mainland", "1")]
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .into();
    params.extend((0..urls).map(|i| {
        (
            format!("urls.{i}"),
            format!("https://www.example.com/path/to/asset-{i}.jpg?v={i}"),
        )
    }));
    params.extend(
        [
            ("Nonce", "424242"),
            ("Timestamp", "1700000000"),
            ("Action", "FlushOrPushOverall"),
            ("SecretId", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"),
            ("SignatureMethod", method.as_param()),
        ]
        .map(|(n, v)| (n.to_owned(), v.to_owned())),
    );
    params
}

fn raw_hmac<M: Mac + KeyInit>(key: &[u8], text: &[u8]) -> impl Sized {
    let mut mac = <M as KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(text);
    mac.finalize().into_bytes()
}

fn bench_method(c: &mut Criterion, method: SignatureMethod, suffix: &str) {
    let key = SecretKey::from(KEY);
    let endpoint = Endpoint::cdn_v2(HttpMethod::Post);
    let cases: Vec<(usize, Params, String)> = URL_COUNTS
        .iter()
        .map(|&n| {
            let params = request(n, method);
            let text = string_to_sign(&endpoint, &params).expect("valid request");
            (n, params, text)
        })
        .collect();

    let mut group = c.benchmark_group(format!("sign_{suffix}"));
    for (n, params, text) in &cases {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), params, |b, params| {
            b.iter(|| sign(&key, &endpoint, black_box(params)).expect("valid request"));
        });
    }
    group.finish();

    let mut group = c.benchmark_group(format!("hmac_{suffix}"));
    for (n, _, text) in &cases {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), text, |b, text| {
            b.iter(|| match method {
                SignatureMethod::HmacSha1 => {
                    black_box(raw_hmac::<Hmac<Sha1>>(
                        KEY.as_bytes(),
                        black_box(text.as_bytes()),
                    ));
                }
                SignatureMethod::HmacSha256 => {
                    black_box(raw_hmac::<Hmac<Sha256>>(
                        KEY.as_bytes(),
                        black_box(text.as_bytes()),
                    ));
                }
            });
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    bench_method(c, SignatureMethod::HmacSha1, "sha1");
    bench_method(c, SignatureMethod::HmacSha256, "sha256");
}

/// The `TCDN_BENCH_REPEAT` mode: `case` run `times` times.
fn repeat(spec: &str) -> Result<(), String> {
    let (case, times) = spec
        .split_once(':')
        .ok_or_else(|| format!("TCDN_BENCH_REPEAT={spec:?}: expected <case>:<times>"))?;
    let times: u64 = times
        .parse()
        .map_err(|e| format!("TCDN_BENCH_REPEAT times {times:?}: {e}"))?;
    let (group, urls) = case
        .split_once('/')
        .ok_or_else(|| format!("case {case:?}: expected <group>/<urls>"))?;
    let urls: usize = urls
        .parse()
        .map_err(|e| format!("case {case:?} URL count: {e}"))?;
    let (what, hash) = group
        .split_once('_')
        .ok_or_else(|| format!("case {case:?}: expected sign_* or hmac_*"))?;
    let method = match hash {
        "sha1" => SignatureMethod::HmacSha1,
        "sha256" => SignatureMethod::HmacSha256,
        other => return Err(format!("case {case:?}: unknown hash {other:?}")),
    };
    let key = SecretKey::from(KEY);
    let endpoint = Endpoint::cdn_v2(HttpMethod::Post);
    let params = request(urls, method);
    let text = string_to_sign(&endpoint, &params).map_err(|e| e.to_string())?;
    for _ in 0..times {
        match (what, method) {
            ("sign", _) => {
                black_box(sign(&key, &endpoint, black_box(&params)).map_err(|e| e.to_string())?);
            }
            ("hmac", SignatureMethod::HmacSha1) => {
                black_box(raw_hmac::<Hmac<Sha1>>(
                    KEY.as_bytes(),
                    black_box(text.as_bytes()),
                ));
            }
            ("hmac", SignatureMethod::HmacSha256) => {
                black_box(raw_hmac::<Hmac<Sha256>>(
                    KEY.as_bytes(),
                    black_box(text.as_bytes()),
                ));
            }
            _ => return Err(format!("case {case:?}: expected sign_* or hmac_*")),
        }
    }
    Ok(())
}

// In a private module: the macro's generated function carries no doc.
mod group {
    use super::*;

    criterion_group! {
        name = sign_benches;
        // Short runs keep `cargo xtask bench` within a few minutes on 2 cores.
        config = Criterion::default()
            .measurement_time(Duration::from_secs(2))
            .warm_up_time(Duration::from_millis(500));
        targets = benches
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
    group::sign_benches();
    Criterion::default().configure_from_args().final_summary();
}
