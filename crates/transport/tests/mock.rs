//! The public mocks behave as documented: scripted order and recording,
//! closure answers, and a transport that never answers.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Request;
use tcdn_transport::mock::{FnTransport, ScriptedTransport, SilentTransport, response};
use tcdn_transport::{ErrorKind, Transport, TransportError};

fn post(uri: &str, body: &'static str) -> Request<Bytes> {
    Request::post(uri)
        .header("x-test", "1")
        .body(Bytes::from_static(body.as_bytes()))
        .expect("valid request")
}

#[tokio::test]
async fn scripted_transport_answers_in_order_and_records_requests() {
    let script = Arc::new(
        ScriptedTransport::new()
            .then_error(TransportError::timeout("simulated"))
            .then_respond(500, "oops")
            .then_response(response(200, "fine")),
    );
    let transport: Arc<dyn Transport> = script.clone();

    let first = transport
        .send(post("https://a.example/1", "one"))
        .await
        .expect_err("scripted error");
    assert_eq!(first.kind(), ErrorKind::Timeout);
    assert_eq!(
        transport
            .send(post("https://a.example/2", "two"))
            .await
            .expect("response")
            .status(),
        500
    );
    assert_eq!(
        transport
            .send(post("https://a.example/3", "three"))
            .await
            .expect("response")
            .body(),
        "fine"
    );

    script.assert_sent(3);
    script.assert_script_exhausted();
    let seen = script.requests();
    assert_eq!(
        seen.iter().map(|r| r.uri.path()).collect::<Vec<_>>(),
        ["/1", "/2", "/3"]
    );
    assert_eq!(seen[1].body_text(), "two");
    assert_eq!(seen[2].headers["x-test"], "1");
    assert_eq!(
        script.last_request().map(|r| r.body),
        Some(Bytes::from_static(b"three"))
    );
}

#[tokio::test]
#[should_panic(expected = "script is empty")]
async fn scripted_transport_panics_when_the_script_runs_out() {
    let script = ScriptedTransport::new();
    let _ = script.send(post("https://a.example/", "")).await;
}

#[test]
#[should_panic(expected = "expected 2 request(s), the transport saw 0")]
fn assert_sent_reports_the_mismatch() {
    ScriptedTransport::new().assert_sent(2);
}

#[tokio::test]
async fn fn_transport_answers_from_the_closure() {
    let transport = FnTransport::new(|request: &Request<Bytes>| match request.uri().path() {
        "/down" => Err(TransportError::from(ErrorKind::Connect)),
        _ => Ok(response(200, request.body().clone())),
    });
    let echoed = transport
        .send(post("https://a.example/echo", "ping"))
        .await
        .expect("echo");
    assert_eq!(echoed.body(), "ping");
    let error = transport
        .send(post("https://a.example/down", ""))
        .await
        .expect_err("down");
    assert_eq!(error.kind(), ErrorKind::Connect);
    assert!(!error.may_have_reached_server());
}

#[tokio::test(start_paused = true)]
async fn silent_transport_only_ends_by_the_callers_deadline() {
    let transport = SilentTransport::new();
    let outcome = tokio::time::timeout(
        Duration::from_secs(60),
        transport.send(post("https://a.example/", "")),
    )
    .await;
    assert!(outcome.is_err(), "the silent transport answered");
    assert_eq!(transport.received(), 1);
}

/// Each constructor gives its own kind, keeps the detail, and says whether
/// the request may have reached the server as the kind's documentation
/// does (written out here, not read back from the code).
#[test]
fn each_constructor_gives_its_kind_detail_and_whether_anything_was_sent() {
    let cases = [
        (
            TransportError::connect("d-connect"),
            ErrorKind::Connect,
            false,
        ),
        (
            TransportError::timeout("d-timeout"),
            ErrorKind::Timeout,
            true,
        ),
        (TransportError::tls("d-tls"), ErrorKind::Tls, false),
        (TransportError::io("d-io"), ErrorKind::Io, true),
        (
            TransportError::response_too_large(1),
            ErrorKind::ResponseTooLarge,
            true,
        ),
        (
            TransportError::invalid_request("d-invalid"),
            ErrorKind::InvalidRequest,
            false,
        ),
        (
            TransportError::insecure_scheme("d-insecure"),
            ErrorKind::InsecureScheme,
            false,
        ),
        (TransportError::proxy("d-proxy"), ErrorKind::Proxy, false),
    ];
    let mut kinds = std::collections::HashSet::new();
    for (error, kind, reached) in &cases {
        assert_eq!(error.kind(), *kind, "{error}");
        assert!(kinds.insert(error.kind()), "{kind:?} twice");
        assert_eq!(error.may_have_reached_server(), *reached, "{error}");
        let shown = error.to_string();
        assert!(shown.contains(error.detail()), "{shown}");
        let expected_detail = format!("d-{}", kind.to_string().split(' ').next().unwrap());
        if *kind != ErrorKind::ResponseTooLarge {
            assert_eq!(error.detail(), expected_detail);
        }
        assert!(
            shown.ends_with(if *reached {
                "(the request may have reached the server)"
            } else {
                "(the request was not sent)"
            }),
            "{shown}"
        );
        let from_kind = TransportError::from(*kind);
        assert_eq!(from_kind.kind(), *kind);
        assert_eq!(from_kind.may_have_reached_server(), *reached, "{kind:?}");
    }
    // Refined afterwards: a connect timeout sent nothing.
    let connect_timeout = TransportError::timeout("connect").with_may_have_reached_server(false);
    assert!(!connect_timeout.may_have_reached_server());
    assert!(
        connect_timeout
            .to_string()
            .ends_with("(the request was not sent)")
    );
}

#[tokio::test]
async fn recorded_requests_keep_signatures_and_tokens_out_of_debug() {
    let transport = ScriptedTransport::new().then_respond(200, "ok");
    let request =
        Request::post("https://cdn.example.com/v2/index.php?Token=tok-secret&Signature=sig%3D")
            .body(Bytes::from_static(b"Token=tok-secret&Signature=sig%3D"))
            .unwrap();
    transport.send(request).await.unwrap();
    let shown = format!("{transport:?} {:?}", transport.requests());
    assert!(
        !shown.contains("tok-secret") && !shown.contains("sig%3D"),
        "{shown}"
    );
    assert!(
        shown.contains("cdn.example.com") && shown.contains("/v2/index.php"),
        "{shown}"
    );
    // The test itself still sees everything.
    assert!(transport.requests()[0].body_text().contains("tok-secret"));
}
