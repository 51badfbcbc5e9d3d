//! Heap allocations of one request build and one signature (at most two
//! per request), counted with `dhat`'s global allocator.
//!
//! Counts, unlike times, are deterministic, so they can be asserted. One
//! test function does all the counting: the profiler is process-wide and
//! only one may run at a time. Run with `--nocapture` to see the counts.

use tcdn::{
    Areas, CdnUrl, Credentials, FlushOrPush, HttpMethod, Operation, SignatureMethod, nonce::Nonce,
    sign::SecretKey, v2::RequestBuilder,
};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// Blocks allocated while `f` runs: the fewest of three runs. The code under
/// test allocates the same count every run, but the count is process-wide
/// and another thread of the test process may allocate during one run (seen
/// on a loaded machine); taking the fewest keeps the assertion exact.
fn blocks_allocated<R>(mut f: impl FnMut() -> R) -> (u64, R) {
    let mut fewest = u64::MAX;
    let mut last = None;
    for _ in 0..3 {
        let before = dhat::HeapStats::get().total_blocks;
        let result = std::hint::black_box(f());
        fewest = fewest.min(dhat::HeapStats::get().total_blocks - before);
        last = Some(result);
    }
    (fewest, last.expect("three runs"))
}

fn request(urls: usize) -> FlushOrPush {
    let urls: Vec<CdnUrl> = (0..urls)
        .map(|i| {
            format!("https://www.example.com/static/js/app.{i}.min.js?v=20240101")
                .parse()
                .unwrap()
        })
        .collect();
    FlushOrPush::new(Operation::FlushUrls, Areas::Both, urls).unwrap()
}

fn sign_params(urls: usize) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = [("command", "flush"), ("type", "url")]
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .into();
    params.extend((0..urls).map(|i| (format!("urls.{i}"), format!("https://a.example/{i}"))));
    params.push(("Nonce".to_owned(), "7".to_owned()));
    params.push(("Timestamp".to_owned(), "1700000000".to_owned()));
    params
}

#[test]
fn one_allocation_per_request_and_none_for_an_ordinary_signature() {
    let _profiler = dhat::Profiler::builder().testing().build();

    let plain = Credentials::new("AKIDexample", "secret").unwrap();
    let with_token = plain.clone().with_token("session-token");
    for urls in [1, 20, 100, 1000] {
        let request = request(urls);
        for (method, hash, credentials, extra) in [
            (HttpMethod::Post, SignatureMethod::HmacSha1, &plain, false),
            (
                HttpMethod::Get,
                SignatureMethod::HmacSha256,
                &with_token,
                true,
            ),
        ] {
            let mut builder = RequestBuilder::new(credentials.clone())
                .with_method(method)
                .with_signature_method(hash);
            if extra {
                builder = builder
                    .with_extra_param("RequestClient", "SDK_PYTHON_2.0.15")
                    .unwrap();
            }
            let (blocks, prepared) =
                blocks_allocated(|| builder.prepare(&request, 1_700_000_000, Nonce::MIN));
            eprintln!("prepare {urls} URLs {method} {hash}: {blocks} allocation(s)");
            assert!(prepared.form().contains("&Signature="));
            assert_eq!(blocks, 1, "prepare with {urls} URLs, {method} {hash}");
        }
    }

    let key = SecretKey::from("secret");
    let endpoint = tcdn_sign::Endpoint::cdn_v2(HttpMethod::Post);
    // Up to 64 parameters the signer's scratch is on the stack; above, two
    // buffers hold the order.
    for (urls, expected) in [(1, 0), (20, 0), (60, 0), (100, 2), (1000, 2)] {
        let params = sign_params(urls);
        let (blocks, signature) = blocks_allocated(|| tcdn_sign::sign(&key, &endpoint, &params));
        eprintln!("sign {urls} URLs: {blocks} allocation(s)");
        assert!(signature.is_ok());
        assert_eq!(blocks, expected, "sign with {urls} URLs");
    }
}
