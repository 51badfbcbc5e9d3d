//! Checks for tcdn's credential file parsers, `tcdn::credentials::parse_tccli_credential`
//! (tccli's JSON) and `tcdn::credentials::parse_ini_credentials` (the SDKs' INI file), on
//! arbitrary text.
//!
//! Standalone (it names no other module of this crate), so the cdn crate's
//! `tests/fuzz_regressions.rs` includes this very file to replay the corpus.

use tcdn::{
    Credentials, credentials::CredentialError, credentials::SessionToken,
    credentials::parse_ini_credentials, credentials::parse_tccli_credential,
};
use tcdn_sign::{Endpoint, HttpMethod, SecretKey};

/// Whether `credentials` holds exactly this key, told by what it signs.
fn holds_key(credentials: &Credentials, key: &str) -> bool {
    let endpoint = Endpoint::cdn_v2(HttpMethod::Get);
    let params = [("Nonce", "1")];
    let ours = tcdn_sign::sign(credentials.secret_key(), &endpoint, &params);
    let theirs = tcdn_sign::sign(&SecretKey::from(key), &endpoint, &params);
    ours.expect("one parameter signs").as_str() == theirs.expect("one parameter signs").as_str()
}

/// Runs both parsers when `data` is UTF-8 (the files are read as text).
pub fn check(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        check_tccli(text);
        check_ini(text);
    }
}

/// A secret that no error message can contain by chance, so finding it in
/// one means the message quotes it: at least 12 ASCII letters and digits
/// with at least two of each (the messages' own words hold no digits, and
/// their numbers stand alone), written once in `text` (so it is no name or
/// header there).
///
/// The first version took any 12 characters and was fooled by a value that
/// was a piece of a message's own wording (the `credentials` target's first
/// crash, now a seed: `crash_value_is_part_of_a_message`).
fn distinctive<'a>(secret: &'a str, text: &str) -> Option<&'a str> {
    let count = |f: fn(&u8) -> bool| secret.bytes().filter(f).count();
    let shaped = secret.len() >= 12
        && secret.bytes().all(|b| b.is_ascii_alphanumeric())
        && count(u8::is_ascii_digit) >= 2
        && count(u8::is_ascii_alphabetic) >= 2;
    (shaped && text.matches(secret).count() == 1).then_some(secret)
}

fn check_error_hides(error: &CredentialError, secret: Option<&str>) {
    let (message, debug) = (error.to_string(), format!("{error:?}"));
    if let Some(secret) = secret {
        assert!(
            !message.contains(secret) && !debug.contains(secret),
            "an error shows a secret: {message}"
        );
    }
}

/// tccli JSON: accepted credentials are the file's own fields; errors never
/// show the key.
pub fn check_tccli(text: &str) {
    let json: Option<serde_json::Value> = serde_json::from_str(text).ok();
    let field = |name: &str| {
        json.as_ref()
            .and_then(|v| v.get(name))
            .and_then(serde_json::Value::as_str)
    };
    match parse_tccli_credential(text) {
        Ok(credentials) => {
            assert_eq!(Some(credentials.secret_id()), field("secretId"));
            let key = field("secretKey").expect("accepted without a secretKey string");
            assert!(!key.is_empty());
            assert!(holds_key(&credentials, key), "the key is not the file's");
            let token = field("token").filter(|t| !t.is_empty());
            assert_eq!(credentials.token(), token.map(SessionToken::new).as_ref());
            let shown = format!("{credentials:?}");
            if let Some(key) = distinctive(key, credentials.secret_id()) {
                assert!(!shown.contains(key), "Debug shows the key: {shown}");
            }
        }
        Err(error) => {
            let _ = error.kind();
            check_error_hides(
                &error,
                field("secretKey").and_then(|k| distinctive(k, text)),
            );
            check_error_hides(&error, field("token").and_then(|t| distinctive(t, text)));
        }
    }
}

/// The values of every line of `text` that is `NAME = value` with NAME in
/// `names`, trimmed the way the INI parser trims them.
fn ini_values<'a>(text: &'a str, names: &[&str]) -> Vec<&'a str> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            let split = line.find(['=', ':'])?;
            names
                .contains(&line[..split].trim())
                .then(|| line[split + 1..].trim())
        })
        .collect()
}

/// SDK INI: the result does not change with CRLF line ends or a trailing
/// comment, accepted credentials come from the text, and errors never show a
/// key or token.
pub fn check_ini(text: &str) {
    let first_section = text
        .lines()
        .find_map(|l| l.trim().strip_prefix('[')?.strip_suffix(']'))
        .map(str::trim);
    let crlf = text.replace('\n', "\r\n");
    let commented = format!("{text}\n# a trailing comment\n");
    for profile in ["default"].into_iter().chain(first_section) {
        let result = parse_ini_credentials(text, profile);
        for variant in [crlf.as_str(), commented.as_str()] {
            let again = parse_ini_credentials(variant, profile);
            match (&result, &again) {
                (Ok(None), Ok(None)) => {}
                (Ok(Some(a)), Ok(Some(b))) => {
                    assert_eq!(a.secret_id(), b.secret_id());
                    assert_eq!(a.token(), b.token());
                    let key_matches = ini_values(text, &["secret_key"])
                        .into_iter()
                        .any(|k| holds_key(a, k) && holds_key(b, k));
                    assert!(key_matches, "the key is none of the file's values");
                }
                (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind()),
                _ => panic!(
                    "line ends or a trailing comment changed the result for [{profile}]: \
                     {result:?} vs {again:?}"
                ),
            }
        }
        match result {
            Ok(Some(credentials)) => {
                assert!(!credentials.secret_id().is_empty());
                assert!(text.contains(credentials.secret_id()));
            }
            Ok(None) => {}
            Err(error) => {
                let _ = error.kind();
                for secret in ini_values(text, &["secret_key", "token"]) {
                    check_error_hides(&error, distinctive(secret, text));
                }
            }
        }
    }
}
