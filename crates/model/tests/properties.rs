//! Properties: valid requests survive the wire and JSON; invalid inputs are
//! refused with the right kind; no input makes any parser panic.

use proptest::prelude::*;
use tcdn_model::v2::{Envelope, FlushOrPush};
use tcdn_model::{
    Areas, CdnUrl, ModelErrorKind, Operation, SNIPPET_MAX_CHARS, append_form, decode_form,
};

/// Valid URLs: any ASCII letter case in the scheme (not `(?i)`, whose
/// Unicode folding would let `ſ` stand for `s`), optional port, and paths and
/// queries full of characters the wire must encode (`&`, `=`, `+`, `%`,
/// `;`, `?`, non-ASCII).
fn url_text() -> impl Strategy<Value = String> {
    "[hH][tT][tT][pP][sS]?://([a-z0-9-]{1,12}(\\.[a-z]{2,4})?|例子\\.cn|\\[::1\\])(:[1-9][0-9]{0,3})?\
     (/([a-zA-Z0-9._~&=+?;:,'()!*$@图片猫-]|%[0-9a-fA-F]{2}){0,12}){0,4}"
}

fn cdn_url() -> impl Strategy<Value = CdnUrl> {
    url_text().prop_map(|text| text.parse().expect("the strategy only makes valid URLs"))
}

fn operation() -> impl Strategy<Value = Operation> {
    prop::sample::select(Operation::ALL.to_vec())
}

fn areas() -> impl Strategy<Value = Areas> {
    prop::sample::select(vec![Areas::Mainland, Areas::Oversea, Areas::Both])
}

/// Distinct URLs, at most `max`.
fn distinct_urls(max: usize) -> impl Strategy<Value = Vec<CdnUrl>> {
    prop::collection::hash_set(cdn_url(), 1..=max).prop_map(|set| set.into_iter().collect())
}

fn valid_request() -> impl Strategy<Value = FlushOrPush> {
    (operation(), areas()).prop_flat_map(|(op, areas)| {
        distinct_urls(op.max_urls_per_request().min(20))
            .prop_map(move |urls| FlushOrPush::new(op, areas, urls).unwrap())
    })
}

/// The form of a request's action parameters plus typical common ones.
fn wire_form(request: &FlushOrPush) -> String {
    let mut form = String::new();
    append_form(&mut form, request.action_params());
    append_form(
        &mut form,
        [
            ("SecretId", "AKIDexample"),
            ("Nonce", "42"),
            ("Timestamp", "1700000000"),
            ("Signature", "a+b/c="),
            ("RequestClient", "SDK_PYTHON_2.0.15"),
        ],
    );
    form
}

/// Parameter names that the parser reads, mixed with common and random ones.
fn param_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "command",
            "type",
            "mainland",
            "oversea",
            "Action",
            "Signature",
            "urls",
        ])
        .prop_map(str::to_owned),
        "urls\\.[0-9]{1,3}",
        "urls\\..{0,6}",
        ".{0,8}",
    ]
}

fn param_value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["flush", "push", "url", "dir", "0", "1", "", "2"])
            .prop_map(str::to_owned),
        url_text(),
        ".{0,20}",
    ]
}

fn json_scalar() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Value, json};
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::from),
        Just(json!([])),
        Just(json!({})),
        Just(json!("(9110)no such host")),
        Just(json!("9163")),
    ]
}

/// JSON objects with the envelope's field names holding values of any type.
fn envelope_like() -> impl Strategy<Value = serde_json::Value> {
    let field = prop::sample::select(vec![
        "code", "message", "codeDesc", "data", "retcode", "errmsg", "other",
    ]);
    prop::collection::vec((field, json_scalar()), 0..7).prop_map(|fields| {
        serde_json::Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    })
}

// Properties over whole requests generate up to 30 URLs per case, so they
// run fewer cases than the cheap ones below.
proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn valid_requests_round_trip_through_the_wire(request in valid_request(), rotate in any::<usize>()) {
        let form = wire_form(&request);
        let mut pairs = decode_form(form.as_bytes()).unwrap();
        // The server does not care about parameter order.
        let len = pairs.len();
        pairs.rotate_left(rotate % len);
        let parsed = FlushOrPush::from_params(pairs.iter().map(|(k, v)| (k, v))).unwrap();
        prop_assert_eq!(&parsed, &request);

        let mut action_form = String::new();
        append_form(&mut action_form, request.action_params());
        prop_assert_eq!(action_form.len(), request.action_params_form_len());
    }

    #[test]
    fn valid_requests_round_trip_through_json(request in valid_request()) {
        let json = serde_json::to_string(&request).unwrap();
        let back: FlushOrPush = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, request);
    }

    #[test]
    fn duplicate_urls_are_refused(request in valid_request(), pick in any::<prop::sample::Index>()) {
        let mut urls = request.urls().to_vec();
        prop_assume!(urls.len() < request.operation().max_urls_per_request());
        let twin = urls[pick.index(urls.len())].clone();
        urls.push(twin);
        let err = FlushOrPush::new(request.operation(), request.areas(), urls).unwrap_err();
        prop_assert_eq!(err.kind(), ModelErrorKind::DuplicateUrl);
    }

    #[test]
    fn broken_wire_parameters_are_refused(request in valid_request(), pick in any::<prop::sample::Index>(), word in "[a-zA-Z]{0,6}") {
        let pairs = decode_form(wire_form(&request).as_bytes()).unwrap();
        let kind_without = |drop: &dyn Fn(&str) -> bool| {
            let kept = pairs.iter().filter(|(k, _)| !drop(k)).map(|(k, v)| (k, v));
            FlushOrPush::from_params(kept).unwrap_err().kind()
        };
        prop_assert_eq!(kind_without(&|k| k == "command"), ModelErrorKind::MissingParameter);
        prop_assert_eq!(kind_without(&|k| k == "type"), ModelErrorKind::MissingParameter);
        prop_assert_eq!(kind_without(&|k| k == "mainland" || k == "oversea"), ModelErrorKind::NoArea);
        prop_assert_eq!(kind_without(&|k| k.starts_with("urls.")), ModelErrorKind::NoUrls);

        let count = request.urls().len();
        if count > 1 {
            let gap = format!("urls.{}", pick.index(count - 1));
            prop_assert_eq!(kind_without(&|k| k == gap), ModelErrorKind::UrlIndex);
        }

        prop_assume!(word != "flush" && word != "push");
        let with_command = pairs.iter().map(|(k, v)| {
            if k == "command" { (k.as_str(), word.as_str()) } else { (k.as_str(), v.as_str()) }
        });
        prop_assert_eq!(FlushOrPush::from_params(with_command).unwrap_err().kind(), ModelErrorKind::UnknownCommand);
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn whitespace_or_control_characters_are_refused(
        url in url_text(),
        at in any::<prop::sample::Index>(),
        bad in prop::sample::select(vec![' ', '\t', '\n', '\r', '\0', '\u{7f}', '\u{85}', '\u{a0}', '\u{3000}']),
    ) {
        let mut chars: Vec<char> = url.chars().collect();
        let position = at.index(chars.len() + 1);
        chars.insert(position, bad);
        let text: String = chars.into_iter().collect();
        prop_assert_eq!(CdnUrl::parse(&text).unwrap_err().kind(), ModelErrorKind::UrlCharacter);
    }

    #[test]
    fn other_schemes_are_refused(url in url_text(), scheme in "[a-zA-Z][a-zA-Z0-9+.-]{0,8}") {
        prop_assume!(!scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https"));
        let rest = url.split_once("://").unwrap().1;
        let text = format!("{scheme}://{rest}");
        prop_assert_eq!(CdnUrl::parse(&text).unwrap_err().kind(), ModelErrorKind::UrlScheme);
    }

    #[test]
    fn fragments_are_refused(url in url_text(), fragment in "[a-z0-9/?=&]{0,10}") {
        let text = format!("{url}#{fragment}");
        prop_assert_eq!(CdnUrl::parse(&text).unwrap_err().kind(), ModelErrorKind::UrlFragment);
    }

    #[test]
    fn batches_over_the_limit_are_refused(op in operation(), extra in 1usize..5) {
        let limit = op.max_urls_per_request();
        let count = limit + extra;
        let urls = (0..count).map(|i| format!("https://a.example/{i}").parse::<CdnUrl>().unwrap());
        let err = FlushOrPush::new(op, Areas::Both, urls).unwrap_err();
        prop_assert_eq!(err.kind(), ModelErrorKind::TooManyUrls { count, limit });
    }

    #[test]
    fn arbitrary_strings_as_urls_never_panic(text in any::<String>()) {
        let _ = CdnUrl::parse(&text);
    }

    #[test]
    fn text_after_a_scheme_is_kept_as_given_and_accepted_only_when_every_rule_holds(
        scheme in "[hH][tT][tT][pP][sS]?://",
        rest in prop_oneof![
            any::<String>(),
            "[ -~]{0,40}",
            "[a-zA-Z0-9.-]{1,12}(:[0-9]{1,6})?(/[ -~]{0,10}){0,3}",
            "[a-z]{1,8}\\.example(/([a-z%#?]|%[0-9a-fA-Fg]{0,2}){0,12}){0,3}",
        ],
    ) {
        let text = format!("{scheme}{rest}");
        match CdnUrl::parse(&text) {
            Ok(url) => {
                prop_assert_eq!(url.as_str(), text.as_str());
                prop_assert!(!text.contains('#'), "{:?} has a fragment", text);
                prop_assert!(!text.chars().any(|c| c.is_whitespace() || c.is_control()), "{:?}", text);
                let bytes = text.as_bytes();
                for (at, _) in text.match_indices('%') {
                    prop_assert!(
                        bytes.get(at + 1).is_some_and(u8::is_ascii_hexdigit)
                            && bytes.get(at + 2).is_some_and(u8::is_ascii_hexdigit),
                        "{:?} has a bad escape at {}", text, at
                    );
                }
            }
            Err(error) => prop_assert!(
                matches!(error.kind(), ModelErrorKind::UrlCharacter | ModelErrorKind::UrlHost
                    | ModelErrorKind::UrlFragment | ModelErrorKind::UrlTooLong),
                "{:?}: {}", text, error
            ),
        }
    }

    #[test]
    fn arbitrary_parameters_never_panic(params in prop::collection::vec((param_name(), param_value()), 0..30)) {
        if let Ok(request) = FlushOrPush::from_params(params.iter().map(|(k, v)| (k, v))) {
            // Whatever parses is a valid request that survives its own wire form.
            let again = decode_form(wire_form(&request).as_bytes()).unwrap();
            prop_assert_eq!(FlushOrPush::from_params(again).unwrap(), request);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_decoder(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode_form(&bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_envelope_parser(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        if let Err(err) = Envelope::from_slice(&bytes) {
            prop_assert!(err.snippet().chars().count() <= SNIPPET_MAX_CHARS + 1);
            prop_assert!(!err.snippet().chars().any(char::is_control));
        }
    }

    #[test]
    fn envelopes_that_parse_survive_their_own_serialization(value in envelope_like()) {
        let body = serde_json::to_vec(&value).unwrap();
        if let Ok(envelope) = Envelope::from_slice(&body) {
            let again = Envelope::from_slice(&serde_json::to_vec(&envelope).unwrap()).unwrap();
            prop_assert_eq!(again, envelope);
        }
    }
}
