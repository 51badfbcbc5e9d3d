//! Properties of signing and verification over generated requests:
//! order independence, `verify(sign(x))`, sensitivity to
//! every byte, no panics, and agreement with a naive reference ordering.

use proptest::prelude::*;
use proptest::sample::Index;
use tcdn_sign::{
    CanonicalSigner, Endpoint, HttpMethod, SecretKey, SignErrorKind, SignatureMethod,
    VerifyErrorKind, canonical_params, sign, verify,
};

/// The canonical string computed the obvious way: fold, sort, join.
/// `None` when the input must be rejected.
fn reference_canonical(params: &[(String, String)]) -> Option<String> {
    let mut folded: Vec<(String, &str)> = params
        .iter()
        .map(|(name, value)| (name.replace('_', "."), value.as_str()))
        .collect();
    if params.iter().any(|(name, _)| name == "Signature") {
        return None;
    }
    folded.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    if folded.windows(2).any(|w| w[0].0 == w[1].0) {
        return None;
    }
    let pairs: Vec<String> = folded.iter().map(|(n, v)| format!("{n}={v}")).collect();
    Some(pairs.join("&"))
}

/// Names shaped like real requests, near misses of the `urls.N` fast path,
/// and arbitrary text.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (prop::sample::select(vec!["urls", "urls_x", "a", "a.1", "Ids"]),
              prop::sample::select(vec![".", "_"]),
              0u32..40)
            .prop_map(|(prefix, sep, i)| format!("{prefix}{sep}{i}")),
        1 => (0u32..40).prop_map(|i| format!("urls.0{i}")),
        1 => "urls[._][0-9][a-z.]{0,2}",
        2 => "[A-Za-z_.]{0,6}",
        1 => "\\PC{0,5}",
    ]
}

/// Values with the characters that break naive encoders.
fn value() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z0-9&=+% ?/]{0,12}", "\\PC{0,12}", Just(String::new()),]
}

fn params() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((name(), value()), 0..24)
}

/// Requests that sign: names unique after folding, none `Signature`, and
/// free of `&` and `=` so that one changed byte cannot shift a pair boundary
/// and reproduce the same canonical string.
fn signable_params() -> impl Strategy<Value = Vec<(String, String)>> {
    params()
        .prop_map(|params| {
            let mut seen = std::collections::HashSet::new();
            params
                .into_iter()
                .filter(|(n, _)| !n.contains(['&', '=']) && n != "Signature")
                .filter(|(n, _)| seen.insert(n.replace('_', ".")))
                .collect::<Vec<_>>()
        })
        .prop_filter("at least one parameter", |p| !p.is_empty())
}

/// A request with many `urls.N` in shuffled order, the fast path's shape.
fn urls_request() -> impl Strategy<Value = Vec<(String, String)>> {
    (0usize..150, value()).prop_flat_map(|(count, extra)| {
        let mut params: Vec<(String, String)> = (0..count)
            .map(|i| (format!("urls.{i}"), format!("https://a.example/{i}")))
            .collect();
        params.extend(
            [
                ("Action", "FlushOrPushOverall"),
                ("Nonce", "1"),
                ("type", "url"),
            ]
            .map(|(n, v)| (n.to_owned(), v.to_owned())),
        );
        params.push(("urls".to_owned(), extra));
        Just(params).prop_shuffle()
    })
}

/// Complete `P.0 … P.n` groups (some with `_`), mixed with near misses that
/// fall inside a group's range (`urls.1a`, `a.1.5`) and arbitrary names.
fn mixed_request() -> impl Strategy<Value = Vec<(String, String)>> {
    let group = (
        prop::sample::select(vec!["urls", "a", "a.1", "a_1", "Ids", "urls.1"]),
        0usize..25,
        any::<bool>(),
    );
    (
        prop::collection::vec(group, 1..4),
        prop::collection::vec((name(), value()), 0..6),
    )
        .prop_flat_map(|(groups, extra)| {
            let mut params: Vec<(String, String)> = groups
                .into_iter()
                .flat_map(|(prefix, count, underscore)| {
                    let sep = if underscore { '_' } else { '.' };
                    (0..count).map(move |i| (format!("{prefix}{sep}{i}"), i.to_string()))
                })
                .collect();
            params.extend(extra);
            Just(params).prop_shuffle()
        })
}

fn http_method() -> impl Strategy<Value = HttpMethod> {
    prop_oneof![Just(HttpMethod::Get), Just(HttpMethod::Post)]
}

const HOST: &str = "cdn.api.qcloud.com";
const PATH: &str = "/v2/index.php";

fn key() -> SecretKey {
    SecretKey::from("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")
}

fn signed(endpoint: &Endpoint<'_>, params: &[(String, String)]) -> Vec<(String, String)> {
    let signature = sign(&key(), endpoint, params).unwrap();
    let mut received = params.to_vec();
    received.push(("Signature".to_owned(), signature.as_str().to_owned()));
    received
}

/// Replaces the character at `at` with a different one, never swapping
/// `_` and `.` (which the algorithm folds by design).
fn change_char(text: &str, at: Index, replacement: char) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return None;
    }
    let i = at.index(chars.len());
    let old = chars[i];
    let folded = |c: char| if c == '_' { '.' } else { c };
    let new = if folded(replacement) == folded(old) {
        if old == 'x' { 'y' } else { 'x' }
    } else {
        replacement
    };
    let mut out = chars;
    out[i] = new;
    Some(out.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn ordering_matches_the_naive_reference(params in params()) {
        let expected = reference_canonical(&params);
        match canonical_params(&params) {
            Ok(canonical) => prop_assert_eq!(Some(canonical), expected),
            Err(e) => {
                prop_assert_eq!(expected, None);
                prop_assert!(matches!(e.kind(), SignErrorKind::DuplicateName | SignErrorKind::ReservedName));
            }
        }
    }

    #[test]
    fn ordering_of_shuffled_urls_matches_the_reference(params in urls_request()) {
        prop_assert_eq!(Some(canonical_params(&params).unwrap()), reference_canonical(&params));
    }

    #[test]
    fn ordering_of_groups_with_intruders_matches_the_reference(params in mixed_request()) {
        let expected = reference_canonical(&params);
        let actual = canonical_params(&params);
        prop_assert_eq!(actual.as_ref().ok(), expected.as_ref());
        if let Err(e) = actual {
            prop_assert!(matches!(e.kind(), SignErrorKind::DuplicateName | SignErrorKind::ReservedName));
        }
    }

    /// The pre-ordered signer agrees with the sorting one on every
    /// request given in canonical order, and refuses every other order.
    #[test]
    fn canonical_signer_matches_sign(
        (params, shuffled) in prop_oneof![signable_params(), urls_request(), mixed_request()]
            .prop_flat_map(|p| (Just(p.clone()), Just(p).prop_shuffle())),
        method in http_method(),
    ) {
        let endpoint = Endpoint::new(method, HOST, PATH);
        let Ok(expected) = sign(&key(), &endpoint, &params) else {
            return Ok(());
        };
        let hash = SignatureMethod::from_param(
            params.iter().find(|(n, _)| n == "SignatureMethod").map(|(_, v)| v.as_str()),
        );
        let fold = |name: &str| name.replace('_', ".");
        let mut sorted = params.clone();
        sorted.sort_by_key(|p| fold(&p.0));
        let mut signer = CanonicalSigner::new(&key(), &endpoint, hash);
        for (name, value) in &sorted {
            signer.push(name, value).unwrap();
        }
        let signature = signer.finish().unwrap();
        prop_assert_eq!(signature.as_str(), expected.as_str());

        // Any other order is an error at the first name out of place.
        let mut signer = CanonicalSigner::new(&key(), &endpoint, hash);
        let in_order = shuffled.iter().map(|p| fold(&p.0)).collect::<Vec<_>>()
            == sorted.iter().map(|p| fold(&p.0)).collect::<Vec<_>>();
        let pushed: Result<(), _> = shuffled.iter().try_for_each(|(n, v)| signer.push(n, v));
        prop_assert_eq!(pushed.is_ok(), in_order);
        if let Err(e) = pushed {
            prop_assert_eq!(e.kind(), SignErrorKind::OutOfOrder);
        }
    }

    #[test]
    fn input_order_does_not_change_the_signature(
        (params, shuffled) in signable_params().prop_flat_map(|p| (Just(p.clone()), Just(p).prop_shuffle())),
        method in http_method(),
    ) {
        let endpoint = Endpoint::new(method, HOST, PATH);
        let original = sign(&key(), &endpoint, &params).unwrap();
        let reordered = sign(&key(), &endpoint, &shuffled).unwrap();
        prop_assert_eq!(original.as_str(), reordered.as_str());
    }

    #[test]
    fn verify_accepts_what_sign_produces(params in signable_params(), method in http_method()) {
        let endpoint = Endpoint::new(method, HOST, PATH);
        prop_assert_eq!(verify(&key(), &endpoint, &signed(&endpoint, &params)), Ok(()));
    }

    #[test]
    fn changing_a_name_or_value_fails_verification(
        params in signable_params(),
        which in any::<Index>(),
        in_name in any::<bool>(),
        at in any::<Index>(),
        replacement in any::<char>(),
    ) {
        let endpoint = Endpoint::new(HttpMethod::Get, HOST, PATH);
        let mut received = signed(&endpoint, &params);
        // Any entry, the `Signature` itself included.
        let i = which.index(received.len());
        let field = if in_name { &mut received[i].0 } else { &mut received[i].1 };
        if let Some(changed) = change_char(field, at, replacement) {
            *field = changed;
            prop_assert!(verify(&key(), &endpoint, &received).is_err());
        }
    }

    #[test]
    fn changing_method_host_or_path_fails_verification(
        params in signable_params(),
        method in http_method(),
        at in any::<Index>(),
        replacement in any::<char>(),
    ) {
        let endpoint = Endpoint::new(method, HOST, PATH);
        let received = signed(&endpoint, &params);
        let other_method = match method {
            HttpMethod::Get => HttpMethod::Post,
            HttpMethod::Post => HttpMethod::Get,
        };
        let kind = |e: Endpoint<'_>| verify(&key(), &e, &received).unwrap_err().kind();
        prop_assert_eq!(kind(Endpoint::new(other_method, HOST, PATH)), VerifyErrorKind::Mismatch);
        let host = change_char(HOST, at, replacement).unwrap();
        prop_assert_eq!(kind(Endpoint::new(method, &host, PATH)), VerifyErrorKind::Mismatch);
        let path = change_char(PATH, at, replacement).unwrap();
        prop_assert_eq!(kind(Endpoint::new(method, HOST, &path)), VerifyErrorKind::Mismatch);
    }

    #[test]
    fn folding_underscores_keeps_the_signature(params in signable_params()) {
        let endpoint = Endpoint::new(HttpMethod::Post, HOST, PATH);
        let received = signed(&endpoint, &params);
        let swapped: Vec<(String, String)> = received
            .iter()
            .map(|(n, v)| (if n == "Signature" { n.clone() } else { n.replace('.', "_") }, v.clone()))
            .collect();
        // Unless the swap produced a reserved or method-choosing name.
        prop_assume!(swapped.iter().filter(|(n, _)| n == "Signature").count() == 1);
        prop_assert_eq!(verify(&key(), &endpoint, &swapped), Ok(()));
    }

    #[test]
    fn no_input_panics(
        params in params(),
        host in "\\PC{0,8}",
        path in "\\PC{0,8}",
        method in http_method(),
        secret in "\\PC{0,40}",
    ) {
        let key = SecretKey::from(secret);
        let endpoint = Endpoint::new(method, &host, &path);
        let signed = sign(&key, &endpoint, &params);
        prop_assert_eq!(signed.is_ok(), reference_canonical(&params).is_some());
        let _ = tcdn_sign::string_to_sign(&endpoint, &params);
        let outcome = verify(&key, &endpoint, &params);
        prop_assert!(outcome.is_err() || params.iter().any(|(n, _)| n == "Signature"));
        if let Ok(signature) = signed {
            let mut received = params.clone();
            received.push(("Signature".to_owned(), signature.as_str().to_owned()));
            prop_assert_eq!(verify(&key, &endpoint, &received), Ok(()));
        }
    }
}
