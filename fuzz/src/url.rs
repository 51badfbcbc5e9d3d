//! Checks for `tcdn_model::CdnUrl::parse` on arbitrary text.
//!
//! Standalone (it names no other module of this crate), so the model crate's
//! `tests/fuzz_regressions.rs` includes this very file to replay the corpus.

use tcdn_model::v2::FlushOrPush;
use tcdn_model::{Areas, CdnUrl, MAX_URL_LEN, Operation, append_form, decode_form};

/// Runs [`check`] when `data` is UTF-8 (the target's input is text).
pub fn check_bytes(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        check(text);
    }
}

/// Parses `text`; an accepted URL must satisfy the documented rules, be kept
/// byte for byte, and travel through a request's wire form unchanged.
pub fn check(text: &str) {
    let url = match CdnUrl::parse(text) {
        Ok(url) => url,
        Err(error) => {
            let _ = (error.kind(), error.to_string());
            return;
        }
    };
    assert_eq!(url.as_str(), text, "a URL is kept exactly as given");
    assert!(text.len() <= MAX_URL_LEN, "accepted {} bytes", text.len());
    assert!(
        !text.chars().any(|c| c.is_whitespace() || c.is_control()),
        "accepted whitespace or a control character: {text:?}"
    );
    assert!(!text.contains('#'), "accepted a fragment: {text:?}");
    assert!(
        !text.contains([
            '\u{ad}', '\u{200b}', '\u{200e}', '\u{202e}', '\u{2066}', '\u{feff}'
        ]),
        "accepted an invisible format character: {text:?}"
    );
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &text[8..]
    } else if lower.starts_with("http://") {
        &text[7..]
    } else {
        panic!("accepted a scheme other than http(s): {text:?}")
    };
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    assert!(
        !authority.is_empty() && !authority.starts_with(':'),
        "accepted an empty host: {text:?}"
    );
    assert!(!authority.contains('@'), "accepted user info: {text:?}");
    if !authority.ends_with(']')
        && let Some((_, port)) = authority.rsplit_once(':')
    {
        assert!(
            port.parse::<u16>().is_ok_and(|p| p > 0),
            "accepted port {port:?}: {text:?}"
        );
    }
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    if !host.starts_with('[') {
        assert!(
            !host.contains(['"', '<', '>', '\\', '^', '`', '{', '|', '}']),
            "accepted a character a host cannot hold: {text:?}"
        );
        assert!(
            !host.split('.').any(str::is_empty),
            "accepted an empty label: {text:?}"
        );
    }

    // The dedupe key lowers scheme and host only, and is its own key.
    let key = url.dedupe_key();
    let keyed = CdnUrl::parse(&key).expect("a dedupe key is a valid URL");
    assert_eq!(keyed.dedupe_key(), key);
    assert!(keyed.same_resource(&url));
    let tail = &text[text.len() - rest.len() + authority.len()..];
    assert!(
        key.ends_with(tail),
        "the key changed the path or query: {key:?}"
    );

    assert_eq!(CdnUrl::parse(url.as_str()).as_ref(), Ok(&url));
    let json = serde_json::to_string(&url).expect("a URL serialises");
    let back: CdnUrl = serde_json::from_str(&json).expect("a serialised URL parses");
    assert_eq!(back, url);

    for operation in Operation::ALL {
        let request = FlushOrPush::new(operation, Areas::Both, [url.clone()])
            .expect("one valid URL makes a request");
        let mut form = String::new();
        append_form(&mut form, request.action_params());
        assert_eq!(form.len(), request.action_params_form_len());
        let pairs = decode_form(form.as_bytes()).expect("our own form decodes");
        let again = FlushOrPush::from_params(pairs.iter().map(|(k, v)| (k, v)))
            .expect("our own form parses back");
        assert_eq!(again, request, "wire form: {form}");
    }
}
