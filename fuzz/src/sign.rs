//! Checks for `tcdn_sign::sign` and `tcdn_sign::verify` on arbitrary
//! parameters, against a naive, obviously correct string to sign.
//!
//! Input format (text; invalid UTF-8 is replaced): the first line is the
//! secret key, the second starts with `P` for POST (anything else: GET) and
//! its remainder is the host (empty: `cdn.api.qcloud.com`); every further
//! line is one parameter, `name=value` split at the first `=`.
//!
//! Standalone (it names no other module of this crate), so the sign crate's
//! `tests/fuzz_regressions.rs` includes this very file to replay the corpus.

use tcdn_sign::{
    CDN_V2_HOST, CDN_V2_PATH, Endpoint, HttpMethod, SecretKey, SignErrorKind, SignatureMethod,
    VerifyErrorKind, canonical_params, sign, sign_string_to_sign, string_to_sign, verify,
};

/// One decoded input.
#[derive(Debug)]
pub struct Case {
    /// The secret key's text.
    pub key: String,
    /// GET or POST.
    pub method: HttpMethod,
    /// The host of the string to sign.
    pub host: String,
    /// The parameters, in input order.
    pub params: Vec<(String, String)>,
}

impl Case {
    /// Decodes the input format described in the module documentation.
    pub fn decode(data: &[u8]) -> Self {
        let text = String::from_utf8_lossy(data);
        let mut lines = text.split('\n');
        let key = lines.next().unwrap_or("").to_owned();
        let flags = lines.next().unwrap_or("");
        let (method, host) = match flags.strip_prefix('P') {
            Some(host) => (HttpMethod::Post, host),
            None => (HttpMethod::Get, flags.get(1..).unwrap_or("")),
        };
        let host = if host.is_empty() { CDN_V2_HOST } else { host }.to_owned();
        let params = lines
            .map(|line| match line.split_once('=') {
                Some((name, value)) => (name.to_owned(), value.to_owned()),
                None => (line.to_owned(), String::new()),
            })
            .collect();
        Self {
            key,
            method,
            host,
            params,
        }
    }
}

/// The canonical parameter string built the slow, plain way, or the reason
/// signing must fail.
fn naive_canonical(params: &[(String, String)]) -> Result<String, SignErrorKind> {
    let mut folded: Vec<(String, &str)> = params
        .iter()
        .map(|(name, value)| (name.replace('_', "."), value.as_str()))
        .collect();
    folded.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let duplicate = folded.windows(2).any(|w| w[0].0 == w[1].0);
    let reserved = params.iter().any(|(name, _)| name == "Signature");
    if reserved {
        return Err(SignErrorKind::ReservedName);
    }
    if duplicate {
        return Err(SignErrorKind::DuplicateName);
    }
    Ok(folded
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&"))
}

/// Decodes `data` and runs [`check_case`].
pub fn check(data: &[u8]) {
    check_case(&Case::decode(data));
}

/// Signing agrees with the naive construction, a signed request verifies,
/// and a changed request does not.
pub fn check_case(case: &Case) {
    let key = SecretKey::from(case.key.as_str());
    let endpoint = Endpoint::new(case.method, &case.host, CDN_V2_PATH);
    let params = &case.params;

    // Whatever the input, verifying it as received never panics.
    if let Err(error) = verify(&key, &endpoint, params) {
        let _ = (error.kind(), error.to_string());
    }

    let expected = naive_canonical(params);
    let signed = sign(&key, &endpoint, params);
    let signature = match (expected, signed) {
        (Err(kind), Err(error)) => {
            // Both a `Signature` and a duplicate may be present: either
            // reason is right then.
            let both = kind == SignErrorKind::ReservedName
                && naive_canonical(
                    &params
                        .iter()
                        .filter(|(n, _)| n != "Signature")
                        .cloned()
                        .collect::<Vec<_>>(),
                )
                .is_err();
            assert!(
                error.kind() == kind || both,
                "sign failed with {:?}, expected {kind:?}",
                error.kind()
            );
            assert_eq!(
                canonical_params(params).map_err(|e| e.kind()),
                Err(error.kind())
            );
            let _ = error.to_string();
            return;
        }
        (Err(kind), Ok(_)) => panic!("sign succeeded, expected {kind:?}"),
        (Ok(_), Err(error)) => panic!("sign failed with {error}, expected success"),
        (Ok(canonical), Ok(signature)) => {
            assert_eq!(canonical_params(params).as_deref(), Ok(canonical.as_str()));
            let text = format!(
                "{}{}{}?{canonical}",
                case.method.as_str(),
                case.host,
                CDN_V2_PATH
            );
            assert_eq!(
                string_to_sign(&endpoint, params).as_deref(),
                Ok(text.as_str())
            );
            let method = SignatureMethod::from_param(
                params
                    .iter()
                    .find(|(n, _)| n == "SignatureMethod")
                    .map(|(_, v)| v.as_str()),
            );
            assert_eq!(signature.method(), method);
            assert_eq!(
                signature.as_str(),
                sign_string_to_sign(&key, method, &text).as_str(),
                "fast signature differs from the naive one"
            );
            signature
        }
    };

    let mut received = params.clone();
    received.push(("Signature".to_owned(), signature.as_str().to_owned()));
    assert_eq!(
        verify(&key, &endpoint, &received).map_err(|e| e.kind()),
        Ok(()),
        "a signed request must verify"
    );
    assert_eq!(
        verify(&key, &endpoint, params).map_err(|e| e.kind()),
        Err(VerifyErrorKind::MissingSignature)
    );
    let other_method = match case.method {
        HttpMethod::Get => HttpMethod::Post,
        HttpMethod::Post => HttpMethod::Get,
    };
    let elsewhere = Endpoint::new(other_method, &case.host, CDN_V2_PATH);
    assert_eq!(
        verify(&key, &elsewhere, &received).map_err(|e| e.kind()),
        Err(VerifyErrorKind::Mismatch),
        "a signature must not verify for the other HTTP method"
    );
    if let Some(first) = received.first_mut().filter(|(n, _)| n != "Signature") {
        first.1.push('x');
        assert_eq!(
            verify(&key, &endpoint, &received).map_err(|e| e.kind()),
            Err(VerifyErrorKind::Mismatch),
            "a changed value must not verify"
        );
    }
}
