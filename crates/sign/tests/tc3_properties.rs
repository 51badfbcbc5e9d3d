//! Properties of TC3 signing and verification over generated requests:
//! `verify(sign(x))`, sensitivity to the body, every signed header, the
//! timestamp and the key, indifference to header-name case and surrounding
//! whitespace, agreement of every stage with a naive reference, no panic on
//! any `Authorization` text, and no near miss of a real header verifying.

use hmac::{Hmac, KeyInit, Mac};
use proptest::prelude::*;
use sha2::{Digest, Sha256};
use tcdn_sign::tc3::{
    self, Authorization, MAX_TIMESTAMP, Request, Service, SigningKey, Timestamp, VerifyErrorKind,
};
use tcdn_sign::{HttpMethod, SecretKey};

type Headers = Vec<(String, String)>;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// The whole algorithm written the obvious way, with `String`s and
/// `format!`, from docs/protocol.md §6.
fn reference_signature(
    key: &str,
    service: &str,
    ts: u64,
    method: &str,
    query: &str,
    headers: &[(String, String)],
    payload: &[u8],
) -> String {
    let mut lines: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| {
            (
                n.trim_matches([' ', '\t']).to_ascii_lowercase(),
                v.trim_matches([' ', '\t']).to_ascii_lowercase(),
            )
        })
        .collect();
    lines.sort();
    let canonical: String = lines.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let signed: Vec<&str> = lines.iter().map(|(n, _)| n.as_str()).collect();
    let request = format!(
        "{method}\n/\n{query}\n{canonical}\n{}\n{}",
        signed.join(";"),
        hex(&Sha256::digest(payload))
    );
    let days = ts / 86_400;
    let date = civil(days);
    let sts = format!(
        "TC3-HMAC-SHA256\n{ts}\n{date}/{service}/tc3_request\n{}",
        hex(&Sha256::digest(request.as_bytes()))
    );
    let k = hmac256(format!("TC3{key}").as_bytes(), date.as_bytes());
    let k = hmac256(&k, service.as_bytes());
    let k = hmac256(&k, b"tc3_request");
    hex(&hmac256(&k, sts.as_bytes()))
}

/// The date by counting days from 1970 a year at a time (unlike the
/// crate's closed formula).
fn civil(mut days: u64) -> String {
    let leap = |y: u64| y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400));
    let mut year = 1970;
    loop {
        let len = if leap(year) { 366 } else { 365 };
        if days < len {
            break;
        }
        days -= len;
        year += 1;
    }
    let months = [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut month = 0;
    while days >= months[month] {
        days -= months[month];
        month += 1;
    }
    format!("{year:04}-{:02}-{:02}", month + 1, days + 1)
}

/// Spaces and tabs to put around a name or value.
fn padding() -> impl Strategy<Value = String> {
    "[ \t]{0,2}"
}

/// The same header with its name re-cased and padded, value padded.
fn disguise(name: &str, value: &str, mask: u64, pad: &[String; 4]) -> (String, String) {
    let recased: String = name
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    (
        format!("{}{recased}{}", pad[0], pad[1]),
        format!("{}{value}{}", pad[2], pad[3]),
    )
}

#[derive(Debug, Clone)]
struct Case {
    key: String,
    ts: u64,
    method: HttpMethod,
    query: String,
    signed: Headers,
    unsigned: Headers,
    payload: Vec<u8>,
}

fn case() -> impl Strategy<Value = Case> {
    let signed = (
        prop::sample::select(vec![
            "application/json",
            "application/json; charset=utf-8",
            "application/x-www-form-urlencoded",
        ]),
        "[a-z]{1,8}\\.tencentcloudapi\\.com",
        prop::option::of("[A-Za-z]{1,20}"),
        prop::option::of("[!-~]{0,30}"),
    )
        .prop_map(|(ct, host, action, token)| {
            let mut h: Headers = vec![("Content-Type".into(), ct.into()), ("Host".into(), host)];
            if let Some(action) = action {
                h.push(("X-TC-Action".into(), action));
            }
            if let Some(token) = token {
                h.push(("X-TC-Token".into(), token));
            }
            h
        });
    (
        "[ -~]{0,80}",
        0..=MAX_TIMESTAMP,
        any::<bool>(),
        "[A-Za-z0-9.=&%+~-]{0,60}",
        signed,
        prop::collection::vec(("X-Other-[a-z]{1,5}", "[ -~]{0,10}"), 0..3),
        prop::collection::vec(any::<u8>(), 0..600),
    )
        .prop_map(|(key, ts, get, query, signed, unsigned, payload)| Case {
            key,
            ts,
            method: if get {
                HttpMethod::Get
            } else {
                HttpMethod::Post
            },
            query,
            signed,
            unsigned,
            payload,
        })
}

impl Case {
    fn timestamp(&self) -> Timestamp {
        Timestamp::new(self.ts).unwrap()
    }

    fn key(&self) -> SigningKey {
        SigningKey::derive(
            &SecretKey::from(self.key.as_str()),
            self.timestamp().date(),
            Service::cdn(),
        )
    }

    fn request<'a>(
        &'a self,
        headers: &'a Headers,
        payload: &'a [u8],
    ) -> Request<'a, (String, String)> {
        Request {
            method: self.method,
            query: &self.query,
            headers,
            payload,
        }
    }

    /// The Authorization value the client sends.
    fn authorization(&self) -> String {
        let mut out = String::new();
        self.key()
            .authorize_into(
                "AKIDexample",
                &self.request(&self.signed, &self.payload),
                self.timestamp(),
                &mut out,
            )
            .unwrap();
        out
    }

    /// What the server receives: signed and unsigned headers, in reverse order.
    fn received(&self) -> Headers {
        let mut all: Headers = self.signed.iter().chain(&self.unsigned).cloned().collect();
        all.reverse();
        all
    }

    fn verify(
        &self,
        authorization: &str,
        key: &str,
        headers: &Headers,
        payload: &[u8],
        ts: &str,
    ) -> Result<(), VerifyErrorKind> {
        let auth = Authorization::parse(authorization).map_err(|e| e.kind())?;
        tc3::verify(
            &auth,
            &SecretKey::from(key),
            Service::cdn(),
            &self.request(headers, payload),
            ts,
        )
        .map_err(|e| e.kind())
    }
}

/// Changes the character at `i` of the case's `Authorization` header to `c`
/// and verifies the result: an error when it verifies although a signed part
/// changed. What may change and still verify: nothing (the same character),
/// the SecretId (it names the key, the signature does not cover it), or the
/// case of a hex digit of the signature.
fn near_miss(case: &Case, header: &str, i: usize, c: char) -> Result<(), String> {
    // The header is ASCII, so char positions are byte positions.
    let original = char::from(header.as_bytes()[i]);
    let mut text: Vec<char> = header.chars().collect();
    text[i] = c;
    let text: String = text.into_iter().collect();
    let verified = case.verify(
        &text,
        &case.key,
        &case.received(),
        &case.payload,
        &case.ts.to_string(),
    );
    let id_start = header.find("Credential=").unwrap() + "Credential=".len();
    let id_end = header[id_start..].find('/').unwrap() + id_start;
    let signature_start = header.find("Signature=").unwrap() + "Signature=".len();
    let harmless = c == original
        || (id_start..id_end).contains(&i)
        || (i >= signature_start && c.eq_ignore_ascii_case(&original));
    if verified.is_ok() && !harmless {
        Err(format!(
            "{text:?} verified after changing position {i} to {c:?}"
        ))
    } else {
        Ok(())
    }
}

#[test]
fn every_kind_of_change_at_every_position_of_a_real_header_is_caught() {
    let case = Case {
        key: "secret".into(),
        ts: 1_700_000_000,
        method: HttpMethod::Post,
        query: String::new(),
        signed: vec![
            ("Content-Type".into(), "application/json".into()),
            ("Host".into(), "cdn.tencentcloudapi.com".into()),
            ("X-TC-Action".into(), "PurgeUrlsCache".into()),
        ],
        unsigned: Vec::new(),
        payload: b"{}".to_vec(),
    };
    let header = case.authorization();
    // Each class of character the grammar treats apart: hex digits of both
    // cases, other letters, separators, space.
    let replacements = "0aAfFgGzZ /,;=-_.";
    let failures: Vec<String> = (0..header.len())
        .flat_map(|i| replacements.chars().map(move |c| (i, c)))
        .filter_map(|(i, c)| near_miss(&case, &header, i, c).err())
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn every_stage_agrees_with_the_reference(case in case()) {
        let signature = case.key().sign(&case.request(&case.signed, &case.payload), case.timestamp()).unwrap();
        let expected = reference_signature(
            &case.key, "cdn", case.ts, case.method.as_str(), &case.query, &case.signed, &case.payload,
        );
        prop_assert_eq!(signature.as_str(), expected);
        prop_assert_eq!(case.timestamp().date().to_string(), civil(case.ts / 86_400));
    }

    #[test]
    fn sign_then_verify_round_trips(case in case()) {
        let authorization = case.authorization();
        let parsed = Authorization::parse(&authorization).unwrap();
        prop_assert_eq!(parsed.secret_id(), "AKIDexample");
        prop_assert_eq!(
            case.verify(&authorization, &case.key, &case.received(), &case.payload, &case.ts.to_string()),
            Ok(())
        );
    }

    #[test]
    fn a_changed_body_fails(case in case(), at in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let authorization = case.authorization();
        let mut payload = case.payload.clone();
        if payload.is_empty() {
            payload.push(flip);
        } else {
            let i = at.index(payload.len());
            payload[i] ^= flip;
        }
        prop_assert_eq!(
            case.verify(&authorization, &case.key, &case.received(), &payload, &case.ts.to_string()),
            Err(VerifyErrorKind::Mismatch)
        );
    }

    #[test]
    fn a_changed_signed_header_fails(case in case(), which in any::<prop::sample::Index>(), extra in "[a-z0-9]{1,3}") {
        let authorization = case.authorization();
        let i = which.index(case.signed.len());
        let mut signed = case.signed.clone();
        signed[i].1.push_str(&extra);
        let received: Headers = signed.iter().chain(&case.unsigned).cloned().collect();
        prop_assert_eq!(
            case.verify(&authorization, &case.key, &received, &case.payload, &case.ts.to_string()),
            Err(VerifyErrorKind::Mismatch)
        );
        // Dropping it is a different failure.
        let mut received = received;
        received.remove(i);
        prop_assert_eq!(
            case.verify(&authorization, &case.key, &received, &case.payload, &case.ts.to_string()),
            Err(VerifyErrorKind::MissingHeader)
        );
    }

    #[test]
    fn a_changed_timestamp_fails(case in case(), delta in 1u64..200_000, later in any::<bool>()) {
        let authorization = case.authorization();
        let other = if later { case.ts.saturating_add(delta).min(MAX_TIMESTAMP) } else { case.ts.saturating_sub(delta) };
        prop_assume!(other != case.ts);
        let same_day = other / 86_400 == case.ts / 86_400;
        prop_assert_eq!(
            case.verify(&authorization, &case.key, &case.received(), &case.payload, &other.to_string()),
            Err(if same_day { VerifyErrorKind::Mismatch } else { VerifyErrorKind::ScopeMismatch })
        );
    }

    #[test]
    fn another_key_fails(case in case(), other in "[ -~]{0,80}") {
        prop_assume!(other != case.key);
        let authorization = case.authorization();
        prop_assert_eq!(
            case.verify(&authorization, &other, &case.received(), &case.payload, &case.ts.to_string()),
            Err(VerifyErrorKind::Mismatch)
        );
    }

    #[test]
    fn header_name_case_and_surrounding_whitespace_do_not_matter(
        case in case(),
        masks in prop::collection::vec(any::<u64>(), 4),
        pads in prop::collection::vec([padding(), padding(), padding(), padding()], 4),
    ) {
        let disguised: Headers = case
            .signed
            .iter()
            .zip(masks.iter().zip(&pads))
            .map(|((n, v), (mask, pad))| disguise(n, v, *mask, pad))
            .collect();
        let key = case.key();
        let plain = key.sign(&case.request(&case.signed, &case.payload), case.timestamp()).unwrap();
        let other = key.sign(&case.request(&disguised, &case.payload), case.timestamp()).unwrap();
        prop_assert_eq!(plain.as_str(), other.as_str());
        // And the server may receive them disguised.
        let received: Headers = disguised.iter().chain(&case.unsigned).cloned().collect();
        prop_assert_eq!(
            case.verify(&case.authorization(), &case.key, &received, &case.payload, &case.ts.to_string()),
            Ok(())
        );
    }

    #[test]
    fn long_and_short_keys_derive_like_hmac_of_the_concatenation(key in "[ -~]{0,200}", ts in 0..=MAX_TIMESTAMP) {
        let date = Timestamp::new(ts).unwrap().date();
        let expected = hmac256(format!("TC3{key}").as_bytes(), date.to_string().as_bytes());
        prop_assert!(tc3::date_key(&SecretKey::from(key.as_str()), date).ct_eq_bytes(&expected));
    }

    #[test]
    fn parsing_any_text_does_not_panic(text in "(TC3-HMAC-SHA256 )?[ -~]{0,200}") {
        let _ = Authorization::parse(&text);
    }

    #[test]
    fn near_misses_of_a_real_header_verify_only_where_nothing_signed_changed(case in case(), at in any::<prop::sample::Index>(), c in prop_oneof![any::<char>(), prop::char::range(' ', '~')]) {
        let header = case.authorization();
        let outcome = near_miss(&case, &header, at.index(header.len()), c);
        prop_assert!(outcome.is_ok(), "{}", outcome.unwrap_err());
    }
}
