//! TC3 golden vectors (`fixtures/sign/tc3_vectors.json`, docs/protocol.md
//! §6), stage by stage: the three published variants of the
//! `DescribeInstances` example, each with the literal masked key its page
//! printed, and `PurgeUrlsCache` POST and GET requests made by Tencent's
//! official Python SDK, verified from the headers it actually sent.

use serde_json::Value;
use tcdn_sign::tc3::{
    self, Authorization, Date, Request, Service, SigningKey, Timestamp, VerifyErrorKind,
};
use tcdn_sign::{HttpMethod, SecretKey};

fn vectors() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/sign/tc3_vectors.json"
    );
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    file["vectors"].as_array().unwrap().clone()
}

fn text<'v>(vector: &'v Value, field: &str) -> &'v str {
    vector[field]
        .as_str()
        .unwrap_or_else(|| panic!("field `{field}` in {}", vector["name"]))
}

fn pairs(value: &Value) -> Vec<(String, String)> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_owned(),
                p[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn method(vector: &Value) -> HttpMethod {
    match text(vector, "method") {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        other => panic!("method {other}"),
    }
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn the_fixture_holds_all_variants_and_the_cdn_requests() {
    let names: Vec<String> = vectors()
        .iter()
        .map(|v| text(v, "name").to_owned())
        .collect();
    for expected in [
        "6 current page: x-tc-action signed, 32-asterisk key",
        "6 older page: EXAMPLE key",
        "6 older page: masked key",
        "CDN PurgeUrlsCache POST JSON (official SDK)",
        "CDN PurgeUrlsCache GET (official SDK)",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} not in {names:?}"
        );
    }
}

#[test]
fn every_stage_matches() {
    for vector in vectors() {
        let name = text(&vector, "name");
        let headers = pairs(&vector["headers"]);
        let payload = text(&vector, "payload").as_bytes();
        let request = Request {
            method: method(&vector),
            query: text(&vector, "query"),
            headers: &headers,
            payload,
        };
        let secret = SecretKey::from(text(&vector, "secret_key"));
        let service = Service::new(text(&vector, "service")).unwrap();
        let timestamp = Timestamp::new(vector["timestamp"].as_u64().unwrap()).unwrap();

        // Step 1.
        assert_eq!(
            tc3::payload_hash(payload).as_str(),
            text(&vector, "payload_sha256"),
            "{name}: payload hash"
        );
        assert_eq!(
            tc3::canonical_headers(&headers).unwrap(),
            text(&vector, "canonical_headers"),
            "{name}: canonical headers"
        );
        let signed = tc3::signed_headers(&headers).unwrap();
        assert_eq!(
            signed,
            text(&vector, "signed_headers"),
            "{name}: signed headers"
        );
        assert_eq!(
            tc3::canonical_request(&request).unwrap(),
            text(&vector, "canonical_request"),
            "{name}: canonical request"
        );
        let request_hash = tc3::canonical_request_hash(&request).unwrap();
        assert_eq!(
            request_hash.as_str(),
            text(&vector, "canonical_request_sha256"),
            "{name}: canonical request hash"
        );

        // Step 2.
        let date = timestamp.date();
        assert_eq!(date.to_string(), text(&vector, "date"), "{name}: UTC date");
        assert_eq!(Date::parse(text(&vector, "date")).unwrap(), date);
        assert_eq!(
            tc3::credential_scope(date, &service),
            text(&vector, "credential_scope"),
            "{name}: scope"
        );
        let string_to_sign = tc3::string_to_sign(timestamp, &service, &request_hash);
        assert_eq!(
            string_to_sign,
            text(&vector, "string_to_sign"),
            "{name}: string to sign"
        );

        // Step 3, one key at a time.
        let date_key = tc3::date_key(&secret, date);
        assert!(
            date_key.ct_eq_bytes(&unhex(text(&vector, "secret_date"))),
            "{name}: SecretDate"
        );
        let service_key = tc3::service_key(&date_key, &service);
        assert!(
            service_key.ct_eq_bytes(&unhex(text(&vector, "secret_service"))),
            "{name}: SecretService"
        );
        let key = SigningKey::from_service_key(&service_key, date, service);
        let secret_signing = unhex(text(&vector, "secret_signing"));
        assert!(key.ct_eq_bytes(&secret_signing), "{name}: SecretSigning");
        let derived = SigningKey::derive(&secret, date, service);
        assert!(derived.ct_eq_bytes(&secret_signing), "{name}: derive");
        assert!(
            !derived.ct_eq_bytes(&secret_signing[..31]),
            "{name}: length matters"
        );

        // Step 4.
        let expected = text(&vector, "signature");
        assert_eq!(
            key.sign_string_to_sign(&string_to_sign).as_str(),
            expected,
            "{name}: HMAC"
        );
        let signature = derived.sign(&request, timestamp).unwrap();
        assert_eq!(signature.as_str(), expected, "{name}: signature");

        // Step 5.
        let secret_id = text(&vector, "secret_id");
        let authorization = text(&vector, "authorization");
        assert_eq!(
            tc3::authorization(secret_id, date, &service, &signed, &signature).unwrap(),
            authorization,
            "{name}: Authorization from its parts"
        );
        let mut out = String::from("kept:");
        derived
            .authorize_into(secret_id, &request, timestamp, &mut out)
            .unwrap();
        assert_eq!(
            out.strip_prefix("kept:"),
            Some(authorization),
            "{name}: authorize_into"
        );

        // The server's side of the same request.
        let auth = Authorization::parse(authorization).unwrap();
        assert_eq!(auth.secret_id(), secret_id, "{name}");
        assert_eq!(auth.date(), date, "{name}");
        assert_eq!(auth.service(), &service, "{name}");
        assert_eq!(auth.signed_headers_str(), signed, "{name}");
        let timestamp_text = timestamp.to_string();
        assert_eq!(
            tc3::verify(&auth, &secret, service, &request, &timestamp_text),
            Ok(()),
            "{name}: verify"
        );
        let other = SecretKey::from("not the key");
        assert_eq!(
            tc3::verify(&auth, &other, service, &request, &timestamp_text)
                .unwrap_err()
                .kind(),
            VerifyErrorKind::Mismatch,
            "{name}: another key"
        );
    }
}

/// The published variants differ only in their key and signed headers:
/// each signature reproduces with its own page's literal key and no other.
#[test]
fn each_published_signature_needs_its_own_masked_key() {
    let vectors = vectors();
    let published: Vec<&Value> = vectors
        .iter()
        .filter(|v| text(v, "name").starts_with("6 "))
        .collect();
    assert_eq!(published.len(), 3);
    for vector in &published {
        let headers = pairs(&vector["headers"]);
        let request = Request::post(&headers, text(vector, "payload").as_bytes());
        let timestamp = Timestamp::new(vector["timestamp"].as_u64().unwrap()).unwrap();
        for other in &published {
            let secret = SecretKey::from(text(other, "secret_key"));
            let key = SigningKey::derive(&secret, timestamp.date(), Service::new("cvm").unwrap());
            let signature = key.sign(&request, timestamp).unwrap();
            let same_key = text(vector, "secret_key") == text(other, "secret_key");
            assert_eq!(
                signature.as_str() == text(vector, "signature"),
                same_key,
                "{} signed with the key of {}",
                text(vector, "name"),
                text(other, "name")
            );
        }
    }
}

/// The SDK's requests as a server receives them: every header it sent
/// (the unsigned `X-TC-*` ones and `Authorization` included), the raw query
/// of the request target, the body.
#[test]
fn the_sdk_requests_verify_from_what_was_sent() {
    let mut checked = 0;
    for vector in vectors() {
        let Some(sent) = vector.get("sent") else {
            continue;
        };
        let name = text(&vector, "name");
        let received = pairs(&sent["headers"]);
        let header = |wanted: &str| {
            received
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(wanted))
                .map(|(_, v)| v.as_str())
                .unwrap()
        };
        let target = text(sent, "target");
        let query = target.split_once('?').map_or("", |(_, q)| q);
        let body = text(sent, "body");
        let method = method(sent);
        let request = Request {
            method,
            query,
            headers: &received,
            payload: body.as_bytes(),
        };
        let auth = Authorization::parse(header("Authorization")).unwrap();
        assert_eq!(auth.secret_id(), text(&vector, "secret_id"));
        let secret = SecretKey::from(text(&vector, "secret_key"));
        assert_eq!(
            tc3::verify(
                &auth,
                &secret,
                Service::cdn(),
                &request,
                header("X-TC-Timestamp")
            ),
            Ok(()),
            "{name}"
        );

        // A client rebuilds the same bytes: the GET query from the
        // flattened URLs, the signed headers from what it sends.
        if method == HttpMethod::Get {
            let urls: Vec<&str> = [
                "https://www.example.com/a.jpg",
                "https://www.example.com/图片/猫.jpg?x=1",
                "https://www.example.com/my file+1~.png",
            ]
            .into();
            let mut flattened: Vec<(String, &str)> =
                tcdn_sign::flatten::list("Urls", &urls).collect();
            flattened.push(("Area".into(), "mainland"));
            assert_eq!(tc3::canonical_query(&flattened), query, "{name}: query");
            assert_eq!(format!("/?{}", tc3::canonical_query(&flattened)), target);
        }
        let signed = [
            ("Content-Type", header("Content-Type")),
            ("Host", header("Host")),
        ];
        let timestamp = Timestamp::from_header(header("X-TC-Timestamp")).unwrap();
        let key = SigningKey::derive(&secret, timestamp.date(), Service::cdn());
        let mut authorization = String::new();
        key.authorize_into(
            auth.secret_id(),
            &Request {
                method,
                query,
                headers: &signed,
                payload: body.as_bytes(),
            },
            timestamp,
            &mut authorization,
        )
        .unwrap();
        assert_eq!(
            authorization,
            header("Authorization"),
            "{name}: client side"
        );
        checked += 1;
    }
    assert_eq!(checked, 2);
}
