//! Errors name what is wrong and nothing secret: duplicate and reserved
//! names, verification failures, the server's `SignatureMethod` rule, and
//! `Debug` output of keys, signatures and errors.

use tcdn_sign::{
    Endpoint, HttpMethod, SecretKey, SignErrorKind, SignatureMethod, VerifyErrorKind, sign, verify,
};

const KEY_TEXT: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

fn key() -> SecretKey {
    SecretKey::from(KEY_TEXT)
}

fn get() -> Endpoint<'static> {
    Endpoint::cdn_v2(HttpMethod::Get)
}

#[test]
fn names_equal_after_folding_are_duplicates() {
    let error = sign(&key(), &get(), &[("a_b", "1"), ("x", "2"), ("a.b", "3")]).unwrap_err();
    assert_eq!(error.kind(), SignErrorKind::DuplicateName);
    assert_eq!(error.duplicate_names(), Some(("a_b", "a.b")));
    let message = error.to_string();
    assert!(
        message.contains("`a_b`") && message.contains("`a.b`"),
        "{message}"
    );
}

#[test]
fn the_same_name_twice_is_a_duplicate() {
    for params in [
        vec![("Nonce", "1"), ("Nonce", "2")],
        vec![("urls.0", "a"), ("urls.1", "b"), ("urls_1", "c")],
    ] {
        let error = sign(&key(), &get(), &params).unwrap_err();
        assert_eq!(error.kind(), SignErrorKind::DuplicateName, "{params:?}");
    }
    let error = sign(&key(), &get(), &[("Nonce", "1"), ("Nonce", "2")]).unwrap_err();
    assert!(
        error.to_string().contains("`Nonce` appears twice"),
        "{error}"
    );
}

#[test]
fn a_signature_among_the_inputs_is_refused() {
    let error = sign(&key(), &get(), &[("Nonce", "1"), ("Signature", "x")]).unwrap_err();
    assert_eq!(error.kind(), SignErrorKind::ReservedName);
    assert!(error.to_string().contains("`Signature`"));
    // Other spellings are ordinary parameters.
    assert!(sign(&key(), &get(), &[("signature", "x")]).is_ok());
}

#[test]
fn verify_distinguishes_missing_malformed_and_mismatch() {
    let endpoint = get();
    let params = [("Nonce", "1"), ("Timestamp", "1700000000")];
    let signature = sign(&key(), &endpoint, &params).unwrap();
    let good = signature.as_str();

    let missing = verify(&key(), &endpoint, &params).unwrap_err();
    assert_eq!(missing.kind(), VerifyErrorKind::MissingSignature);

    let twice = [("Nonce", "1"), ("Signature", good), ("Signature", good)];
    assert_eq!(
        verify(&key(), &endpoint, &twice).unwrap_err().kind(),
        VerifyErrorKind::Malformed
    );
    let folded = [
        ("Nonce", "1"),
        ("No_nce", "1"),
        ("No.nce", "2"),
        ("Signature", good),
    ];
    let malformed = verify(&key(), &endpoint, &folded).unwrap_err();
    assert_eq!(malformed.kind(), VerifyErrorKind::Malformed);
    // The cause is told once: in the message, not again as `source()`.
    assert!(malformed.to_string().contains("cannot be verified: "));
    assert!(std::error::Error::source(&malformed).is_none());

    let wrong_key = verify(
        &SecretKey::from("another key"),
        &endpoint,
        &[
            ("Nonce", "1"),
            ("Timestamp", "1700000000"),
            ("Signature", good),
        ],
    )
    .unwrap_err();
    assert_eq!(wrong_key.kind(), VerifyErrorKind::Mismatch);
    assert!(
        wrong_key
            .to_string()
            .contains("GET cdn.api.qcloud.com/v2/index.php")
    );
}

#[test]
fn verify_is_called_once_per_accepted_host() {
    // The emulator checks the Host it received and the canonical one.
    let canonical = get();
    let local = Endpoint::new(HttpMethod::Get, "127.0.0.1:8080", "/v2/index.php");
    let params = [("Nonce", "1")];
    let signature = sign(&key(), &canonical, &params).unwrap();
    let received = [("Nonce", "1"), ("Signature", signature.as_str())];
    assert_eq!(
        verify(&key(), &local, &received).unwrap_err().kind(),
        VerifyErrorKind::Mismatch
    );
    assert_eq!(verify(&key(), &canonical, &received), Ok(()));
}

#[test]
fn the_hash_follows_the_server_rule() {
    let endpoint = get();
    for (value, expected) in [
        (None, SignatureMethod::HmacSha1),
        (Some("HmacSHA1"), SignatureMethod::HmacSha1),
        (Some("HmacSHA256"), SignatureMethod::HmacSha256),
        (Some("hmacsha256"), SignatureMethod::HmacSha1),
        (Some("HmacSHA256 "), SignatureMethod::HmacSha1),
        (Some(""), SignatureMethod::HmacSha1),
    ] {
        let mut params = vec![("Nonce", "1")];
        if let Some(value) = value {
            params.push(("SignatureMethod", value));
        }
        let signature = sign(&key(), &endpoint, &params).unwrap();
        assert_eq!(signature.method(), expected, "{value:?}");
        assert_eq!(
            signature.as_str().len(),
            if expected == SignatureMethod::HmacSha1 {
                28
            } else {
                44
            }
        );
        params.push(("Signature", signature.as_str()));
        assert_eq!(verify(&key(), &endpoint, &params), Ok(()), "{value:?}");
    }
    assert_eq!(SignatureMethod::default(), SignatureMethod::HmacSha1);
    assert_eq!(SignatureMethod::HmacSha1.as_param(), "HmacSHA1");
    assert_eq!(SignatureMethod::HmacSha256.as_param(), "HmacSHA256");
    assert_eq!(HttpMethod::Get.as_str(), "GET");
    assert_eq!(HttpMethod::Post.as_str(), "POST");
}

#[test]
fn a_signature_of_the_other_length_is_a_mismatch() {
    let endpoint = get();
    let sha256 = sign(
        &key(),
        &endpoint,
        &[("Nonce", "1"), ("SignatureMethod", "HmacSHA256")],
    )
    .unwrap();
    // A SHA-256 signature offered for a request that asks for SHA-1.
    let received = [("Nonce", "1"), ("Signature", sha256.as_str())];
    assert_eq!(
        verify(&key(), &endpoint, &received).unwrap_err().kind(),
        VerifyErrorKind::Mismatch
    );
}

#[test]
fn debug_never_shows_the_key() {
    let key = key();
    let debug = format!("{key:?} {:#?}", key.clone());
    assert!(
        !debug.contains(KEY_TEXT) && !debug.contains("Gu5t"),
        "{debug}"
    );
    assert_eq!(format!("{key:?}"), "SecretKey(<redacted>)");

    let endpoint = get();
    let signature = sign(&key, &endpoint, &[("Nonce", "1")]).unwrap();
    let signature_debug = format!("{signature:?}");
    assert!(
        !signature_debug.contains(signature.as_str()),
        "{signature_debug}"
    );

    // Every kind of error, in every format.
    let sign_errors = [
        sign(&key, &endpoint, &[("a", "1"), ("a", "2")]).unwrap_err(),
        sign(&key, &endpoint, &[("Signature", "1")]).unwrap_err(),
    ];
    let verify_errors = [
        verify(&key, &endpoint, &[("Nonce", "1")]).unwrap_err(),
        verify(
            &key,
            &endpoint,
            &[("a", "1"), ("a", "1"), ("Signature", "x")],
        )
        .unwrap_err(),
        verify(&key, &endpoint, &[("Nonce", "1"), ("Signature", "x")]).unwrap_err(),
    ];
    let mut shown: Vec<String> = Vec::new();
    for e in &sign_errors {
        shown.extend([format!("{e}"), format!("{e:?}"), format!("{e:#?}")]);
    }
    for e in &verify_errors {
        shown.extend([format!("{e}"), format!("{e:?}"), format!("{e:#?}")]);
    }
    for text in shown {
        assert!(!text.contains(KEY_TEXT), "{text}");
        // The expected signature would be an oracle for forgers.
        assert!(!text.contains(signature.as_str()), "{text}");
    }
}

#[test]
fn a_key_moves_in_without_a_copy_and_signs_like_the_borrowed_one() {
    let owned = SecretKey::new(String::from(KEY_TEXT));
    let params = [("Nonce", "1")];
    assert_eq!(
        sign(&owned, &get(), &params).unwrap().as_str(),
        sign(&key(), &get(), &params).unwrap().as_str()
    );
}
