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

#[test]
fn every_kind_can_be_constructed_for_tests() {
    let cases = [
        (TransportError::connect("c"), ErrorKind::Connect),
        (TransportError::timeout("t"), ErrorKind::Timeout),
        (TransportError::tls("t"), ErrorKind::Tls),
        (TransportError::io("i"), ErrorKind::Io),
        (
            TransportError::response_too_large(1),
            ErrorKind::ResponseTooLarge,
        ),
        (
            TransportError::invalid_request("r"),
            ErrorKind::InvalidRequest,
        ),
        (
            TransportError::insecure_scheme("s"),
            ErrorKind::InsecureScheme,
        ),
        (TransportError::proxy("p"), ErrorKind::Proxy),
    ];
    for (error, kind) in cases {
        assert_eq!(error.kind(), kind);
        assert_eq!(TransportError::from(kind).kind(), kind);
    }
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
