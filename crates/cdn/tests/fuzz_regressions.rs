//! The `credentials` fuzz target's seed corpus and crashes, replayed in
//! `cargo test`.
//!
//! The checks are the fuzz target's own (`fuzz/src/credentials.rs`,
//! included below), so a seed or a past crash fails here exactly as it
//! would there.

#[path = "../../../fuzz/src/credentials.rs"]
mod checks;

#[path = "../../../fuzz/src/replay.rs"]
mod replay;
use replay::seeds;

#[test]
fn credentials_seeds_pass_the_target_checks() {
    let mut accepted = 0;
    for (path, bytes) in seeds("credentials") {
        eprintln!("{}", path.display());
        checks::check(&bytes);
        let text = std::str::from_utf8(&bytes).unwrap();
        accepted += usize::from(tcdn::credentials::parse_tccli_credential(text).is_ok());
        accepted += usize::from(matches!(
            tcdn::credentials::parse_ini_credentials(text, "default"),
            Ok(Some(_))
        ));
    }
    assert!(accepted >= 4, "only {accepted} seeds hold credentials");
}

/// The target's first crash was its own check's mistake: a `secret_key`
/// value that is a piece of an error message's wording ("section header
/// must end with") looked like a leaked secret. Secrets are now only
/// looked for when no message could hold them by chance; the parser's
/// answer itself was right.
#[test]
fn a_value_that_is_part_of_a_message_is_not_a_leak() {
    let text = "[t\nsecret_key=section header must end with '\n";
    let error = tcdn::credentials::parse_ini_credentials(text, "default").unwrap_err();
    assert_eq!(
        error.kind(),
        tcdn::credentials::CredentialErrorKind::Malformed
    );
    assert!(error.to_string().contains("line 1"), "{error}");
    checks::check(text.as_bytes());
}

/// An error about a file holding a real-looking key never shows the key.
#[test]
fn errors_about_a_file_with_a_key_do_not_show_it() {
    let key = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
    for text in [
        format!("[default]\nsecret_key = {key}\nsecret_key = {key}x\n"),
        format!("[default]\nsecret_key = {key}\n"),
        format!("{{\"secretKey\": \"{key}\", \"secretId\": 7}}"),
        format!("{{\"secretKey\": \"{key}\", \"secretId\": \"AKID x\"}}"),
    ] {
        checks::check(text.as_bytes());
        let tccli = tcdn::credentials::parse_tccli_credential(&text)
            .err()
            .map(|e| e.to_string());
        let ini = tcdn::credentials::parse_ini_credentials(&text, "default")
            .err()
            .map(|e| e.to_string());
        for message in [tccli, ini].into_iter().flatten() {
            assert!(!message.contains(key), "{message}");
        }
    }
}
