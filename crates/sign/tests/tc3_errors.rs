//! TC3 errors by kind, and secrets kept out of `Debug` and messages.

use tcdn_sign::SecretKey;
use tcdn_sign::tc3::{
    self, Authorization, Date, ErrorKind, Request, Service, SigningKey, Timestamp, VerifyErrorKind,
};

const SECRET: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
const TOKEN: &str = "secret-session-token-value";
const TS: u64 = 1_700_000_000;

fn key() -> SigningKey {
    SigningKey::derive(
        &SecretKey::from(SECRET),
        Timestamp::new(TS).unwrap().date(),
        Service::cdn(),
    )
}

fn sign_kind(headers: &[(&str, &str)]) -> ErrorKind {
    key()
        .sign(&Request::post(headers, b"{}"), Timestamp::new(TS).unwrap())
        .unwrap_err()
        .kind()
}

const CT: (&str, &str) = ("Content-Type", "application/json");
const HOST: (&str, &str) = ("Host", "cdn.tencentcloudapi.com");

#[test]
fn headers_that_cannot_be_signed() {
    assert_eq!(sign_kind(&[CT]), ErrorKind::MissingRequiredHeader);
    assert_eq!(sign_kind(&[HOST]), ErrorKind::MissingRequiredHeader);
    assert_eq!(
        sign_kind(&[CT, HOST, ("host", "x")]),
        ErrorKind::DuplicateHeader
    );
    assert_eq!(
        sign_kind(&[CT, HOST, (" HOST\t", "x")]),
        ErrorKind::DuplicateHeader
    );
    for name in ["", " ", "X Y", "X:Y", "a;b", "é", "X\n"] {
        assert_eq!(
            sign_kind(&[CT, HOST, (name, "v")]),
            ErrorKind::InvalidHeaderName,
            "{name:?}"
        );
    }
    for value in ["a\r\nx-injected: 1", "a\nb", "\0", "\x7f"] {
        let error = key()
            .sign(
                &Request::post(&[CT, HOST, ("X-TC-Token", value)], b""),
                Timestamp::new(TS).unwrap(),
            )
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidHeaderValue, "{value:?}");
        assert!(error.to_string().contains("X-TC-Token"), "{error}");
    }
    // Tabs and non-ASCII text are fine in values.
    key()
        .sign(
            &Request::post(&[CT, HOST, ("X-A", "a\tb 猫")], b""),
            Timestamp::new(TS).unwrap(),
        )
        .unwrap();
    let many: Vec<(String, String)> = (0..31)
        .map(|i| (format!("X-{i}"), String::new()))
        .chain([
            ("Content-Type".into(), "a".into()),
            ("Host".into(), "h".into()),
        ])
        .collect();
    let error = key()
        .sign(&Request::post(&many, b""), Timestamp::new(TS).unwrap())
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TooManyHeaders);
}

#[test]
fn a_key_signs_for_its_own_date_only() {
    let key = key();
    let request = Request::post(&[CT, HOST], b"{}");
    // 2023-11-14T22:13:20Z: the same UTC day until 23:59:59, the next one after.
    assert!(
        key.sign(&request, Timestamp::new(TS + 6_399).unwrap())
            .is_ok()
    );
    let error = key
        .sign(&request, Timestamp::new(TS + 6_400).unwrap())
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::KeyMismatch);
    assert!(error.to_string().contains("2023-11-14") && error.to_string().contains("2023-11-15"));
}

#[test]
fn invalid_inputs_of_the_small_types() {
    assert_eq!(
        Timestamp::new(tc3::MAX_TIMESTAMP + 1).unwrap_err().kind(),
        ErrorKind::TimestampOutOfRange
    );
    assert_eq!(
        Timestamp::from_header("17e8").unwrap_err().kind(),
        ErrorKind::InvalidTimestamp
    );
    assert_eq!(
        Date::parse("2023-11-31").unwrap_err().kind(),
        ErrorKind::InvalidDate
    );
    assert_eq!(
        Service::new("").unwrap_err().kind(),
        ErrorKind::InvalidService
    );
    assert_eq!(
        Service::new(&"a".repeat(33)).unwrap_err().kind(),
        ErrorKind::InvalidService
    );
    let signature = key().sign_string_to_sign("x");
    for id in ["", "AKID/x", "AKID x", "AKID,x", "AKID\n"] {
        let error = tc3::authorization(
            id,
            key().date(),
            &Service::cdn(),
            "content-type;host",
            &signature,
        )
        .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidSecretId, "{id:?}");
        let mut out = String::new();
        let error = key()
            .authorize_into(
                id,
                &Request::post(&[CT, HOST], b""),
                Timestamp::new(TS).unwrap(),
                &mut out,
            )
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidSecretId);
        assert!(out.is_empty());
    }
}

const GOOD: &str = "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/cdn/tc3_request, SignedHeaders=content-type;host, Signature=e63f2d56a6c4cc0b979c345d28b34247f10276430a3945ad5567c48d7dc4906e";
const BODY: &str = r#"{"Urls": ["https://www.example.com/a.jpg", "https://www.example.com/\u56fe\u7247/\u732b.jpg?x=1"], "Area": "mainland"}"#;

fn verify_kind(
    authorization: &str,
    headers: &[(&str, &str)],
    service: &str,
    ts: &str,
) -> VerifyErrorKind {
    let auth = match Authorization::parse(authorization) {
        Ok(auth) => auth,
        Err(error) => return error.kind(),
    };
    tc3::verify(
        &auth,
        &SecretKey::from(SECRET),
        Service::new(service).unwrap(),
        &Request::post(headers, BODY.as_bytes()),
        ts,
    )
    .unwrap_err()
    .kind()
}

/// A malformed `X-TC-Timestamp`: the message states the cause, and
/// `source()` does not repeat it (an error chain would print it twice).
#[test]
fn a_verify_error_tells_its_cause_once() {
    let error = tc3::verify(
        &Authorization::parse(GOOD).unwrap(),
        &SecretKey::from(SECRET),
        Service::cdn(),
        &Request::post(&[CT, HOST], BODY.as_bytes()),
        "17e8",
    )
    .unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("malformed X-TC-Timestamp: "),
        "{message}"
    );
    assert!(message.len() > "malformed X-TC-Timestamp: ".len());
    assert!(std::error::Error::source(&error).is_none());
}

#[test]
fn verification_failures_by_kind() {
    let received = [CT, HOST, ("X-TC-Timestamp", "1700000000")];
    let auth = Authorization::parse(GOOD).unwrap();
    tc3::verify(
        &auth,
        &SecretKey::from(SECRET),
        Service::cdn(),
        &Request::post(&received, BODY.as_bytes()),
        "1700000000",
    )
    .unwrap();

    use VerifyErrorKind::*;
    let cases: &[(&str, VerifyErrorKind)] = &[
        ("", Malformed),
        ("TC3-HMAC-SHA256", Malformed),
        (" Credential=x", Malformed),
        (
            "HmacSHA256 Credential=a/2023-11-14/cdn/tc3_request, SignedHeaders=content-type;host, Signature=00",
            UnsupportedAlgorithm,
        ),
        (
            "tc3-hmac-sha256 Credential=a/2023-11-14/cdn/tc3_request, SignedHeaders=content-type;host, Signature=00",
            UnsupportedAlgorithm,
        ),
    ];
    for (text, kind) in cases {
        assert_eq!(
            verify_kind(text, &received, "cdn", "1700000000"),
            *kind,
            "{text:?}"
        );
    }
    let swap = |from: &str, to: &str| GOOD.replacen(from, to, 1);
    for broken in [
        swap("Credential=", "Credentials="),
        swap("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/", ""),
        swap("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", ""),
        swap("2023-11-14", "2023-11-31"),
        swap("/cdn/", "/CDN/"),
        swap("tc3_request", "tc4_request"),
        swap("content-type;host", "host;content-type"),
        swap("content-type;host", "Content-Type;host"),
        swap("content-type;host", "content-type;host;host"),
        swap("content-type;host", "host"),
        swap("content-type;host", "content-type;;host"),
        swap("Signature=e63f", "Signature=e63"),
        swap("Signature=e63f", "Signature=g63f"),
        swap(", Signature=", ", Sig="),
        format!("{GOOD}, Extra=1"),
        swap(", SignedHeaders", " SignedHeaders"),
    ] {
        assert_eq!(
            verify_kind(&broken, &received, "cdn", "1700000000"),
            Malformed,
            "{broken}"
        );
    }
    // Upper-case hex and spaces around commas are read.
    assert!(Authorization::parse(&swap("e63f2d56a6c4", "E63F2D56A6C4")).is_ok());
    assert!(Authorization::parse(&swap(", SignedHeaders", " ,  SignedHeaders")).is_ok());

    assert_eq!(
        verify_kind(GOOD, &received, "cdn", "01700000000"),
        Malformed
    );
    assert_eq!(
        verify_kind(GOOD, &received, "cdn", " 1700000000"),
        Malformed
    );
    assert_eq!(
        verify_kind(GOOD, &received, "cvm", "1700000000"),
        ScopeMismatch
    );
    assert_eq!(
        verify_kind(GOOD, &received, "cdn", "1700006400"),
        ScopeMismatch
    );
    assert_eq!(verify_kind(GOOD, &received, "cdn", "1700000001"), Mismatch);
    assert_eq!(verify_kind(GOOD, &[CT], "cdn", "1700000000"), MissingHeader);
    assert_eq!(
        verify_kind(GOOD, &[CT, HOST, ("HOST", "x")], "cdn", "1700000000"),
        Malformed
    );
    assert_eq!(
        verify_kind(&swap("e63f", "e63e"), &received, "cdn", "1700000000"),
        Mismatch
    );
}

#[test]
fn secrets_stay_out_of_debug_and_messages() {
    let key = key();
    let signature = key
        .sign(
            &Request::post(&[CT, HOST, ("X-TC-Token", TOKEN)], b"{}"),
            Timestamp::new(TS).unwrap(),
        )
        .unwrap();
    let date_key = tc3::date_key(&SecretKey::from(SECRET), key.date());
    let auth = Authorization::parse(GOOD).unwrap();
    for text in [
        format!("{key:?}"),
        format!("{date_key:?}"),
        format!("{:?}", tc3::service_key(&date_key, &Service::cdn())),
        format!("{signature:?}"),
        format!("{auth:?}"),
    ] {
        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains(&signature.as_str()[4..]), "{text}");
        assert!(!text.contains("e63f2d56a6c4cc0b979c"), "{text}");
    }
    assert_eq!(format!("{date_key:?}"), "DerivedKey(<redacted>)");
    assert!(format!("{auth:?}").contains("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"));

    // A header value (a token) never appears in an error.
    let error = key
        .sign(
            &Request::post(&[CT, ("X-TC-Token", TOKEN)], b""),
            Timestamp::new(TS).unwrap(),
        )
        .unwrap_err();
    let error_dup = key
        .sign(
            &Request::post(
                &[CT, HOST, ("x-tc-token", TOKEN), ("X-TC-Token", TOKEN)],
                b"",
            ),
            Timestamp::new(TS).unwrap(),
        )
        .unwrap_err();
    for text in [
        format!("{error}"),
        format!("{error:?}"),
        format!("{error_dup}"),
        format!("{error_dup:?}"),
    ] {
        assert!(!text.contains(TOKEN), "{text}");
    }
    let received = [CT, HOST, ("X-TC-Token", TOKEN)];
    let auth = Authorization::parse(GOOD).unwrap();
    let error = tc3::verify(
        &auth,
        &SecretKey::from("wrong"),
        Service::cdn(),
        &Request::post(&received, b""),
        "1700000000",
    )
    .unwrap_err();
    assert!(!format!("{error}{error:?}").contains("e63f2d56"), "{error}");
}
