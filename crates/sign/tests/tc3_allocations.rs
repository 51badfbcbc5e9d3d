//! Heap allocations of TC3 signing with a reused [`SigningKey`]: none, for
//! the signature and for the whole `Authorization` value written into a
//! buffer with room; none for a successful `verify` either. Counted with
//! `dhat`'s global allocator (counts, unlike times, can be asserted).
//!
//! One test function does all the counting: the profiler is process-wide.

use tcdn_sign::SecretKey;
use tcdn_sign::tc3::{self, Authorization, Request, Service, SigningKey, Timestamp};

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

/// A `PurgeUrlsCache` JSON body with `urls` URLs.
fn body(urls: usize) -> String {
    let list: Vec<String> = (0..urls)
        .map(|i| format!("\"https://www.example.com/static/js/app.{i}.min.js?v=20240101\""))
        .collect();
    format!(
        "{{\"Urls\": [{}], \"Area\": \"mainland\"}}",
        list.join(", ")
    )
}

#[test]
fn no_allocation_per_signature_with_a_reused_key() {
    let _profiler = dhat::Profiler::builder().testing().build();

    let secret = SecretKey::from("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE");
    let timestamp = Timestamp::new(1_700_000_000).unwrap();
    let key = SigningKey::derive(&secret, timestamp.date(), Service::cdn());
    let headers = [
        ("Content-Type", "application/json"),
        ("Host", "cdn.tencentcloudapi.com"),
        ("X-TC-Action", "PurgeUrlsCache"),
    ];
    let mut out = String::with_capacity(512);
    for urls in [1, 20, 1000] {
        let body = body(urls);
        let request = Request::post(&headers, body.as_bytes());

        let (blocks, signature) = blocks_allocated(|| key.sign(&request, timestamp).unwrap());
        eprintln!("sign, {urls} URLs: {blocks} allocation(s)");
        assert_eq!(signature.as_str().len(), 64);
        assert_eq!(blocks, 0, "sign with {urls} URLs");

        let (blocks, ()) = blocks_allocated(|| {
            out.clear();
            key.authorize_into(
                "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                &request,
                timestamp,
                &mut out,
            )
            .unwrap()
        });
        eprintln!("authorize_into, {urls} URLs: {blocks} allocation(s)");
        assert_eq!(blocks, 0, "authorize_into with {urls} URLs");

        let auth = Authorization::parse(&out).unwrap();
        let (blocks, verified) = blocks_allocated(|| {
            tc3::verify(&auth, &secret, Service::cdn(), &request, "1700000000")
        });
        eprintln!("verify, {urls} URLs: {blocks} allocation(s)");
        assert_eq!(verified, Ok(()));
        assert_eq!(blocks, 0, "verify with {urls} URLs");
    }

    // Deriving the key allocates nothing either.
    let (blocks, key) =
        blocks_allocated(|| SigningKey::derive(&secret, timestamp.date(), Service::cdn()));
    assert_eq!(blocks, 0, "derive");
    drop(key);
    // Nor does a secret key longer than one HMAC block.
    let long = SecretKey::from("k".repeat(100));
    let (blocks, key) =
        blocks_allocated(|| SigningKey::derive(&long, timestamp.date(), Service::cdn()));
    assert_eq!(blocks, 0, "derive with a 100-byte secret");
    drop(key);
}
