//! Signing a 20-URL request into its wire form (issue 7's target: at most
//! 2.5 µs and 2 allocations), GET and POST, HmacSHA1 and HmacSHA256.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tcdn::{
    Areas, CdnUrl, Credentials, FlushOrPush, HttpMethod, Nonce, Operation, RequestBuilder,
    SignatureMethod,
};

fn prepare(c: &mut Criterion) {
    let urls: Vec<CdnUrl> = (0..20)
        .map(|i| {
            format!("https://www.example.com/static/js/app.{i}.min.js?v=20240101")
                .parse()
                .unwrap()
        })
        .collect();
    let request = FlushOrPush::new(Operation::FlushUrls, Areas::Both, urls).unwrap();
    let credentials = Credentials::new(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    )
    .unwrap();
    for (method, signature_method, name) in [
        (
            HttpMethod::Post,
            SignatureMethod::HmacSha1,
            "prepare/20 urls/POST/HmacSHA1",
        ),
        (
            HttpMethod::Get,
            SignatureMethod::HmacSha256,
            "prepare/20 urls/GET/HmacSHA256",
        ),
    ] {
        let builder = RequestBuilder::new(credentials.clone())
            .with_method(method)
            .with_signature_method(signature_method);
        let nonce = Nonce::new(123_456_789).unwrap();
        c.bench_function(name, |b| {
            b.iter(|| builder.prepare(black_box(&request), black_box(1_700_000_000), nonce));
        });
    }
}

// In a private module: the macro's generated function carries no doc.
mod group {
    use super::*;

    criterion_group! {
        name = benches;
        // Short runs keep `cargo xtask bench` within a few minutes on 2 cores.
        config = Criterion::default()
            .measurement_time(std::time::Duration::from_secs(2))
            .warm_up_time(std::time::Duration::from_millis(500));
        targets = prepare
    }
}
criterion_main!(group::benches);
