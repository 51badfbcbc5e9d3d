//! Snapshots of the encoded GET request target and POST body for
//! representative requests, with fixed common parameters and a placeholder
//! `Signature` (real signing belongs to tcdn-sign).

use tcdn_model::v2::{ENDPOINT_PATH, FlushOrPush, MAX_GET_REQUEST_TARGET_LEN, MAX_POST_BODY_LEN};
use tcdn_model::{Areas, CdnUrl, Operation, append_form, form_len};

/// Fixed common parameters. The placeholder holds `/`, `+` and `=` so the
/// snapshots show how a Base64 signature is encoded.
const COMMON: [(&str, &str); 5] = [
    ("Nonce", "12345"),
    ("Timestamp", "1700000000"),
    ("SecretId", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"),
    ("SignatureMethod", "HmacSHA1"),
    ("Signature", "PLACEHOLDER/sig+nature="),
];

fn request(operation: Operation, areas: Areas, urls: &[&str]) -> FlushOrPush {
    let urls = urls.iter().map(|u| u.parse::<CdnUrl>().unwrap());
    FlushOrPush::new(operation, areas, urls).unwrap()
}

/// The form of the action parameters followed by the common ones, checked
/// against the size computations.
fn form(request: &FlushOrPush) -> String {
    let mut form = String::new();
    append_form(&mut form, request.action_params());
    assert_eq!(form.len(), request.action_params_form_len());
    append_form(&mut form, COMMON);
    assert_eq!(
        form.len(),
        request.action_params_form_len() + 1 + form_len(COMMON)
    );
    form
}

/// Both wire forms of one request, as a client sends them.
fn wire(request: &FlushOrPush) -> String {
    let form = form(request);
    let target = format!("{ENDPOINT_PATH}?{form}");
    assert!(target.len() <= MAX_GET_REQUEST_TARGET_LEN);
    assert!(form.len() <= MAX_POST_BODY_LEN);
    format!(
        "GET {target}\n\nPOST {ENDPOINT_PATH}\n\
         Content-Type: application/x-www-form-urlencoded\n\n{form}\n"
    )
}

#[test]
fn one_url() {
    let r = request(
        Operation::FlushUrls,
        Areas::Mainland,
        &["https://www.example.com/index.html"],
    );
    insta::assert_snapshot!("one_url", wire(&r));
}

#[test]
fn twenty_urls() {
    let urls: Vec<String> = (0..20)
        .map(|i| format!("https://cdn.example.com/{i}.js"))
        .collect();
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    let r = request(Operation::PushUrls, Areas::Oversea, &urls);
    insta::assert_snapshot!("twenty_urls", wire(&r));
}

#[test]
fn dirs() {
    let r = request(
        Operation::FlushDirs,
        Areas::Mainland,
        &[
            "https://www.example.com/static/",
            "http://www.example.com/a%20b/",
        ],
    );
    insta::assert_snapshot!("dirs", wire(&r));
}

#[test]
fn both_areas() {
    let r = request(
        Operation::FlushUrls,
        Areas::Both,
        &["https://www.example.com/a.css"],
    );
    insta::assert_snapshot!("both_areas", wire(&r));
}

#[test]
fn unicode_and_reserved_characters() {
    let r = request(
        Operation::FlushUrls,
        Areas::Both,
        &[
            "https://www.example.com/a.jpg?x=1&y=2",
            "https://www.example.com/图片/猫.jpg",
            "https://cdn.example.com/c++/a~b.js?q=a+b%20c",
            "https://例子.cn/p=q;r%2Fs?%E7%8C%AB=1",
        ],
    );
    let wire = wire(&r);
    // Values the legacy Python SDK produced for the same URLs (docs/protocol.md §3,
    // vectors V1 and V3), so the snapshot is checked against an independent
    // encoder, not only against itself.
    for sdk in [
        "urls.0=https%3A%2F%2Fwww.example.com%2Fa.jpg%3Fx%3D1%26y%3D2&",
        "urls.1=https%3A%2F%2Fwww.example.com%2F%E5%9B%BE%E7%89%87%2F%E7%8C%AB.jpg&",
        "urls.2=https%3A%2F%2Fcdn.example.com%2Fc%2B%2B%2Fa~b.js%3Fq%3Da%2Bb%2520c&",
    ] {
        assert!(wire.contains(sdk), "missing {sdk}");
    }
    insta::assert_snapshot!("unicode_and_reserved_characters", wire);
}
