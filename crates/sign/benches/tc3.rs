//! TC3 signing cost against the hashing it cannot avoid.
//!
//! For a `PurgeUrlsCache` JSON body with 20 URLs:
//! - `tc3_sign/20`: [`SigningKey::sign`] with a key derived beforehand and
//!   reused, as a client signing many requests a day does;
//! - `tc3_sign_derive/20`: deriving the key, then signing;
//! - `tc3_hash_floor/20`: the bare hashing every TC3 signature needs:
//!   SHA-256 of the payload, SHA-256 of the canonical request (built
//!   beforehand) and one HMAC-SHA256 of the string to sign (built
//!   beforehand).
//!
//! `cargo xtask bench` reports `tc3_sign / tc3_hash_floor` (target ≤ 1.5×)
//! and `tc3_sign_derive / tc3_hash_floor` (target ≤ 2.5×).
//!
//! With `TCDN_BENCH_REPEAT=<group>:<times>` set (group `tc3_sign`,
//! `tc3_sign_derive` or `tc3_hash_floor`), the binary runs that case
//! `times` times and exits: the loop for an instruction count under
//! `valgrind --tool=callgrind`, as in the `sign` bench.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use tcdn_sign::SecretKey;
use tcdn_sign::tc3::{self, Request, Service, SigningKey, Timestamp};

const URLS: usize = 20;
const HEADERS: [(&str, &str); 2] = [
    ("Content-Type", "application/json"),
    ("Host", "cdn.tencentcloudapi.com"),
];

fn body(urls: usize) -> String {
    let list: Vec<String> = (0..urls)
        .map(|i| format!("\"https://www.example.com/path/to/asset-{i}.jpg?v={i}\""))
        .collect();
    format!(
        "{{\"Urls\": [{}], \"Area\": \"mainland\"}}",
        list.join(", ")
    )
}

/// The inputs of every case.
struct Setup {
    secret: SecretKey,
    timestamp: Timestamp,
    service: Service,
    key: SigningKey,
    body: String,
    canonical: String,
    string_to_sign: String,
}

impl Setup {
    fn new() -> Self {
        let secret = SecretKey::from("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE");
        let timestamp = Timestamp::new(1_700_000_000).expect("in range");
        let service = Service::cdn();
        let key = SigningKey::derive(&secret, timestamp.date(), service);
        let body = body(URLS);
        let request = Request::post(&HEADERS, body.as_bytes());
        // What the floor hashes: the same texts the signer streams.
        let canonical = tc3::canonical_request(&request).expect("valid request");
        let request_hash = tc3::canonical_request_hash(&request).expect("valid request");
        let string_to_sign = tc3::string_to_sign(timestamp, &service, &request_hash);
        Self {
            secret,
            timestamp,
            service,
            key,
            body,
            canonical,
            string_to_sign,
        }
    }

    fn request(&self) -> Request<'_, (&'static str, &'static str)> {
        Request::post(&HEADERS, self.body.as_bytes())
    }

    fn sign(&self) -> impl Sized {
        self.key
            .sign(black_box(&self.request()), self.timestamp)
            .expect("valid")
    }

    fn sign_derive(&self) -> impl Sized {
        let key = SigningKey::derive(black_box(&self.secret), self.timestamp.date(), self.service);
        key.sign(black_box(&self.request()), self.timestamp)
            .expect("valid")
    }

    fn hash_floor(&self) -> impl Sized {
        let payload = Sha256::digest(black_box(self.body.as_bytes()));
        let canonical = Sha256::digest(black_box(self.canonical.as_bytes()));
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&[7u8; 32]).expect("any key");
        mac.update(black_box(self.string_to_sign.as_bytes()));
        (payload, canonical, mac.finalize().into_bytes())
    }
}

fn benches(c: &mut Criterion) {
    let setup = Setup::new();
    let id = BenchmarkId::from_parameter(URLS);
    c.benchmark_group("tc3_sign")
        .bench_function(id.clone(), |b| b.iter(|| setup.sign()));
    c.benchmark_group("tc3_sign_derive")
        .bench_function(id.clone(), |b| b.iter(|| setup.sign_derive()));
    c.benchmark_group("tc3_hash_floor")
        .bench_function(id, |b| b.iter(|| setup.hash_floor()));
}

fn repeat(spec: &str) -> Result<(), String> {
    let (case, times) = spec
        .split_once(':')
        .ok_or_else(|| format!("TCDN_BENCH_REPEAT={spec:?}: expected <group>:<times>"))?;
    let times: u64 = times
        .parse()
        .map_err(|e| format!("TCDN_BENCH_REPEAT times {times:?}: {e}"))?;
    let setup = Setup::new();
    for _ in 0..times {
        match case {
            "tc3_sign" => {
                black_box(setup.sign());
            }
            "tc3_sign_derive" => {
                black_box(setup.sign_derive());
            }
            "tc3_hash_floor" => {
                black_box(setup.hash_floor());
            }
            other => return Err(format!("unknown case {other:?}")),
        }
    }
    Ok(())
}

// In a private module: the macro's generated function carries no doc.
mod group {
    use super::*;

    criterion_group! {
        name = tc3_benches;
        config = Criterion::default()
            .measurement_time(Duration::from_secs(3))
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
    group::tc3_benches();
    Criterion::default().configure_from_args().final_summary();
}
