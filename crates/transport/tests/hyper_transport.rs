//! `HyperTransport` against real servers on 127.0.0.1:0 started by each test:
//! plain hyper servers, raw TCP servers that misbehave on purpose, a TLS
//! server with an rcgen certificate, and a tiny CONNECT proxy.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tcdn_transport::{ErrorKind, HyperTransport, HyperTransportBuilder, Transport, TransportError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Upper bound for any single test; real runs take milliseconds.
const TEST_DEADLINE: Duration = Duration::from_secs(10);

async fn bounded<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(TEST_DEADLINE, test)
        .await
        .expect("test exceeded its deadline")
}

/// A builder that ignores the process environment's proxy settings.
fn builder() -> HyperTransportBuilder {
    HyperTransport::builder().disable_proxy()
}

fn get(uri: &str) -> Request<Bytes> {
    Request::get(uri).body(Bytes::new()).expect("valid request")
}

async fn loopback_listener() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let address = listener.local_addr().expect("local address");
    (listener, address)
}

/// A hyper HTTP/1.1 server answering every request with `status` and `body`;
/// returns its address and a counter of accepted connections.
async fn hyper_server(status: u16, body: &'static str) -> (SocketAddr, Arc<AtomicUsize>) {
    let (listener, address) = loopback_listener().await;
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(serve_http1(TokioIo::new(stream), status, body));
        }
    });
    (address, connections)
}

async fn serve_http1<I>(io: I, status: u16, body: &'static str)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = service_fn(move |_request: Request<Incoming>| async move {
        let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
        *response.status_mut() = StatusCode::from_u16(status).expect("valid status");
        Ok::<_, Infallible>(response)
    });
    // Errors here are the client's doing (resets, refused handshakes): not this test's subject.
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, service)
        .await;
}

/// Reads until the end of the request head.
async fn read_request_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut buffer = [0_u8; 1024];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        let read = stream.read(&mut buffer).await.expect("read request");
        assert!(read > 0, "client closed before sending a full request head");
        head.extend_from_slice(&buffer[..read]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

#[tokio::test]
async fn sequential_requests_reuse_one_pooled_connection() {
    bounded(async {
        let (address, connections) = hyper_server(200, "pong").await;
        let transport = builder().build().expect("transport");
        for _ in 0..10 {
            let response = transport
                .send(get(&format!("http://{address}/ping?Signature=abc")))
                .await
                .expect("response");
            assert_eq!(response.status(), 200);
            assert_eq!(response.body(), "pong");
        }
        assert_eq!(connections.load(Ordering::SeqCst), 1);
    })
    .await;
}

#[tokio::test]
async fn server_errors_are_responses_not_transport_errors() {
    bounded(async {
        let (address, _) = hyper_server(503, "busy").await;
        let transport = builder().build().expect("transport");
        let response = transport
            .send(get(&format!("http://{address}/")))
            .await
            .expect("a 503 is a response");
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.body(), "busy");
    })
    .await;
}

#[tokio::test]
async fn total_timeout_fires_when_the_server_accepts_then_stalls() {
    bounded(async {
        let (listener, address) = loopback_listener().await;
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("accept");
            read_request_head(&mut stream).await;
            // Hold the connection open without answering.
            std::future::pending::<()>().await;
            drop(stream);
        });
        let transport = builder()
            .total_timeout(Duration::from_millis(200))
            .build()
            .expect("transport");
        let error = transport
            .send(get(&format!("http://{address}/stall?Signature=secret")))
            .await
            .expect_err("the server never answers");
        assert_eq!(error.kind(), ErrorKind::Timeout);
        assert!(
            error.may_have_reached_server(),
            "the request was written: {error}"
        );
        assert!(!error.to_string().contains("secret"), "{error}");
    })
    .await;
}

#[tokio::test]
async fn closed_port_is_a_connect_error_with_nothing_sent() {
    bounded(async {
        let (listener, address) = loopback_listener().await;
        drop(listener);
        let transport = builder().build().expect("transport");
        let error = transport
            .send(get(&format!("http://{address}/x?Token=t0k")))
            .await
            .expect_err("port closed");
        assert_eq!(error.kind(), ErrorKind::Connect, "{error}");
        assert!(!error.may_have_reached_server());
        assert_eq!(error.target(), Some(format!("http://{address}/x").as_str()));
        assert!(!format!("{error} {error:?}").contains("t0k"), "{error:?}");
    })
    .await;
}

#[tokio::test]
async fn every_request_names_tcdn_as_its_user_agent_unless_it_names_its_own() {
    bounded(async {
        let (listener, address) = loopback_listener().await;
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = heads.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let head = read_request_head(&mut stream).await;
                seen.lock().unwrap().push(head.to_ascii_lowercase());
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .await;
            }
        });
        let transport = builder().build().expect("transport");
        let url = format!("http://{address}/");
        transport.send(get(&url)).await.expect("answered");
        let own = Request::get(&url)
            .header("User-Agent", "mine/1")
            .body(Bytes::new())
            .expect("valid request");
        transport.send(own).await.expect("answered");
        let heads = heads.lock().unwrap().clone();
        let expected = format!("user-agent: tcdn/{}\r\n", env!("CARGO_PKG_VERSION"));
        assert!(heads[0].contains(&expected), "{}", heads[0]);
        assert_eq!(
            tcdn_transport::USER_AGENT,
            &expected[12..expected.len() - 2]
        );
        assert!(heads[1].contains("user-agent: mine/1\r\n"), "{}", heads[1]);
        assert!(!heads[1].contains("tcdn/"), "{}", heads[1]);
    })
    .await;
}

#[tokio::test]
async fn reset_mid_response_is_an_io_error_that_may_have_reached_the_server() {
    bounded(async {
        let (listener, address) = loopback_listener().await;
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("accept");
            read_request_head(&mut stream).await;
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part of it")
                .await
                .expect("write partial response");
            // Linger 0: closing sends a TCP reset instead of a clean FIN.
            #[allow(deprecated)]
            stream.set_linger(Some(Duration::ZERO)).expect("set linger");
            drop(stream);
        });
        let transport = builder().build().expect("transport");
        let error = transport
            .send(get(&format!("http://{address}/")))
            .await
            .expect_err("reset mid-body");
        assert_eq!(error.kind(), ErrorKind::Io, "{error}");
        assert!(error.may_have_reached_server());
    })
    .await;
}

#[tokio::test]
async fn oversize_streamed_body_is_refused_and_reading_stops_early() {
    const CHUNK: usize = 64 * 1024;
    const TOTAL: usize = 64 * 1024 * 1024;
    bounded(async {
        let (listener, address) = loopback_listener().await;
        let (written_tx, written_rx) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("accept");
            read_request_head(&mut stream).await;
            let mut written = 0;
            let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
            if stream.write_all(head).await.is_ok() {
                let chunk = [b'x'; CHUNK];
                while written < TOTAL {
                    let framed = [format!("{CHUNK:x}\r\n").as_bytes(), &chunk, b"\r\n"].concat();
                    if stream.write_all(&framed).await.is_err() {
                        break;
                    }
                    written += CHUNK;
                }
            }
            let _ = written_tx.send(written);
        });
        let transport = builder()
            .max_response_bytes(CHUNK)
            .build()
            .expect("transport");
        let error = transport
            .send(get(&format!("http://{address}/big")))
            .await
            .expect_err("too large");
        assert_eq!(error.kind(), ErrorKind::ResponseTooLarge, "{error}");
        assert!(error.may_have_reached_server());
        drop(transport);
        let written = written_rx.await.expect("server reports");
        assert!(
            written < TOTAL,
            "the client kept reading: the server wrote all {written} bytes"
        );
    })
    .await;
}

#[tokio::test]
async fn announced_oversize_body_is_refused_without_reading_it() {
    bounded(async {
        let (listener, address) = loopback_listener().await;
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("accept");
            read_request_head(&mut stream).await;
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10485760\r\n\r\n")
                .await;
            // Never send the body: the client must not wait for it.
            std::future::pending::<()>().await;
            drop(stream);
        });
        let transport = builder()
            .max_response_bytes(1024)
            .build()
            .expect("transport");
        let error = transport
            .send(get(&format!("http://{address}/")))
            .await
            .expect_err("too large");
        assert_eq!(error.kind(), ErrorKind::ResponseTooLarge, "{error}");
    })
    .await;
}

#[tokio::test]
async fn plain_http_to_a_non_loopback_host_is_refused_before_any_network_activity() {
    bounded(async {
        // A proxy that would see any attempt, and a connect timeout far longer than the check.
        let proxy = ConnectProxy::start(ProxyMode::Tunnel(unreachable_target().await)).await;
        let transport = HyperTransport::builder()
            .proxy(proxy.url())
            .connect_timeout(Duration::from_secs(3600))
            .build()
            .expect("transport");
        let error = tokio::time::timeout(
            Duration::from_secs(1),
            transport.send(get("http://192.0.2.1/purge?Sig=s")),
        )
        .await
        .expect("refused at once, without connecting")
        .expect_err("insecure");
        assert_eq!(error.kind(), ErrorKind::InsecureScheme);
        assert!(!error.may_have_reached_server());
        let message = error.to_string();
        assert!(
            message.contains("http://192.0.2.1:80/purge") && message.contains("loopback"),
            "{message}"
        );
        assert!(!message.contains("Sig=s"), "{message}");
        assert_eq!(proxy.connections(), 0);
    })
    .await;
}

/// A test CA and a server certificate it signed for `localhost`,
/// `127.0.0.1` and `cdn.test.invalid`.
struct TestPki {
    root: CertificateDer<'static>,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: Vec<u8>,
}

fn test_pki() -> TestPki {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "tcdn test root");
    let ca_key = rcgen::KeyPair::generate().expect("ca key");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("ca certificate");

    let names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "cdn.test.invalid".to_owned(),
    ];
    let server_params = rcgen::CertificateParams::new(names).expect("server params");
    let server_key = rcgen::KeyPair::generate().expect("server key");
    let server_cert = server_params
        .signed_by(&server_key, &ca)
        .expect("server certificate");
    TestPki {
        root: ca.der().clone(),
        server_chain: vec![server_cert.der().clone()],
        server_key: server_key.serialize_der(),
    }
}

/// A hyper server behind rustls with the test PKI; answers 200 "secure".
async fn tls_server(pki: &TestPki) -> SocketAddr {
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.server_key.clone()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(pki.server_chain.clone(), key)
    .expect("server certificate");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (listener, address) = loopback_listener().await;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that distrusts the certificate aborts the handshake: fine.
                if let Ok(tls) = acceptor.accept(stream).await {
                    serve_http1(TokioIo::new(tls), 200, "secure").await;
                }
            });
        }
    });
    address
}

#[tokio::test]
async fn tls_succeeds_with_the_test_root_trusted() {
    bounded(async {
        let pki = test_pki();
        let address = tls_server(&pki).await;
        let transport = builder()
            .default_roots(false)
            .add_root_certificate(pki.root.clone())
            .build()
            .expect("transport");
        for host in ["localhost", "127.0.0.1"] {
            let response = transport
                .send(get(&format!("https://{host}:{}/", address.port())))
                .await
                .expect("TLS exchange");
            assert_eq!(response.status(), 200);
            assert_eq!(response.body(), "secure");
        }
    })
    .await;
}

#[tokio::test]
async fn tls_with_default_roots_refuses_the_test_certificate() {
    bounded(async {
        let pki = test_pki();
        let address = tls_server(&pki).await;
        let transport = builder().build().expect("transport");
        let error = transport
            .send(get(&format!("https://localhost:{}/", address.port())))
            .await
            .expect_err("untrusted certificate");
        assert_eq!(error.kind(), ErrorKind::Tls, "{error}");
        assert!(!error.may_have_reached_server());
    })
    .await;
}

/// What the test proxy does with a CONNECT request.
#[derive(Clone, Copy)]
enum ProxyMode {
    /// Tunnel to this address, whatever host the client asked for.
    Tunnel(SocketAddr),
    /// Answer 403 Forbidden.
    Refuse,
}

/// A tiny HTTP CONNECT proxy on loopback that records the request lines it
/// received.
struct ConnectProxy {
    address: SocketAddr,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl ConnectProxy {
    async fn start(mode: ProxyMode) -> Self {
        let (listener, address) = loopback_listener().await;
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (counter, log) = (connections.clone(), requests.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let log = log.clone();
                tokio::spawn(async move {
                    let head = read_request_head(&mut client).await;
                    let request_line = head.lines().next().unwrap_or_default().to_owned();
                    log.lock().expect("log").push(request_line);
                    match mode {
                        ProxyMode::Refuse => {
                            let _ = client
                                .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                                .await;
                        }
                        ProxyMode::Tunnel(upstream) => {
                            let Ok(mut server) = TcpStream::connect(upstream).await else {
                                return;
                            };
                            if client
                                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                                .await
                                .is_ok()
                            {
                                let _ =
                                    tokio::io::copy_bidirectional(&mut client, &mut server).await;
                            }
                        }
                    }
                });
            }
        });
        Self {
            address,
            connections,
            requests,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("log").clone()
    }
}

/// An address on which nothing listens.
async fn unreachable_target() -> SocketAddr {
    let (listener, address) = loopback_listener().await;
    drop(listener);
    address
}

#[tokio::test]
async fn https_goes_through_the_explicit_proxy_tunnel() {
    bounded(async {
        let pki = test_pki();
        let server = tls_server(&pki).await;
        let proxy = ConnectProxy::start(ProxyMode::Tunnel(server)).await;
        let transport = HyperTransport::builder()
            .proxy(proxy.url())
            .default_roots(false)
            .add_root_certificate(pki.root.clone())
            .build()
            .expect("transport");
        assert_eq!(transport.proxy(), Some(proxy.url().as_str()));
        let response = transport
            .send(get(
                "https://cdn.test.invalid/v2/index.php?Signature=s3cr3t",
            ))
            .await
            .expect("tunnelled");
        assert_eq!(response.body(), "secure");
        assert_eq!(proxy.requests(), ["CONNECT cdn.test.invalid:443 HTTP/1.1"]);
    })
    .await;
}

#[tokio::test]
async fn https_proxy_is_read_from_the_injected_environment() {
    bounded(async {
        let pki = test_pki();
        let server = tls_server(&pki).await;
        let proxy = ConnectProxy::start(ProxyMode::Tunnel(server)).await;
        let proxy_url = proxy.url();
        let transport = HyperTransport::builder()
            .proxy_from_env_with(move |name| (name == "https_proxy").then(|| proxy_url.clone()))
            .default_roots(false)
            .add_root_certificate(pki.root.clone())
            .build()
            .expect("transport");
        let response = transport
            .send(get("https://cdn.test.invalid/"))
            .await
            .expect("tunnelled");
        assert_eq!(response.status(), 200);
        assert_eq!(proxy.requests(), ["CONNECT cdn.test.invalid:443 HTTP/1.1"]);
    })
    .await;
}

#[tokio::test]
async fn no_proxy_from_the_environment_bypasses_the_proxy() {
    bounded(async {
        let proxy = ConnectProxy::start(ProxyMode::Refuse).await;
        let proxy_url = proxy.url();
        let transport = HyperTransport::builder()
            .proxy_from_env_with(move |name| match name {
                "HTTPS_PROXY" => Some(proxy_url.clone()),
                "NO_PROXY" => Some("example.org, .test.invalid".to_owned()),
                _ => None,
            })
            .connect_timeout(Duration::from_secs(2))
            .build()
            .expect("transport");
        // Direct connection to a name that cannot resolve: fails without the proxy.
        let error = transport
            .send(get("https://cdn.test.invalid/"))
            .await
            .expect_err("unresolvable");
        assert!(
            matches!(error.kind(), ErrorKind::Connect | ErrorKind::Timeout),
            "{error}"
        );
        assert!(!error.may_have_reached_server());
        assert_eq!(proxy.connections(), 0);
    })
    .await;
}

#[tokio::test]
async fn loopback_targets_never_use_the_proxy() {
    bounded(async {
        let (address, _) = hyper_server(200, "direct").await;
        let proxy = ConnectProxy::start(ProxyMode::Refuse).await;
        let transport = HyperTransport::builder()
            .proxy(proxy.url())
            .build()
            .expect("transport");
        let response = transport
            .send(get(&format!("http://{address}/")))
            .await
            .expect("direct");
        assert_eq!(response.body(), "direct");
        assert_eq!(proxy.connections(), 0);
    })
    .await;
}

#[tokio::test]
async fn a_refusing_proxy_is_a_proxy_error_with_nothing_sent() {
    bounded(async {
        let proxy = ConnectProxy::start(ProxyMode::Refuse).await;
        let transport = HyperTransport::builder()
            .proxy(proxy.url())
            .build()
            .expect("transport");
        let error = transport
            .send(get("https://cdn.test.invalid/"))
            .await
            .expect_err("proxy refuses");
        assert_eq!(error.kind(), ErrorKind::Proxy, "{error}");
        assert!(!error.may_have_reached_server());
        assert_eq!(proxy.requests(), ["CONNECT cdn.test.invalid:443 HTTP/1.1"]);
    })
    .await;
}

#[tokio::test]
async fn an_unreachable_proxy_is_a_proxy_error_with_nothing_sent() {
    bounded(async {
        let dead_proxy = unreachable_target().await;
        let transport = HyperTransport::builder()
            .proxy(format!("http://{dead_proxy}"))
            .build()
            .expect("transport");
        let error: TransportError = transport
            .send(get("https://cdn.test.invalid/"))
            .await
            .expect_err("no proxy");
        assert_eq!(error.kind(), ErrorKind::Proxy, "{error}");
        assert!(!error.may_have_reached_server());
    })
    .await;
}

#[tokio::test]
async fn usable_as_a_shared_trait_object() {
    bounded(async {
        let (address, _) = hyper_server(204, "").await;
        let transport: Arc<dyn Transport> = Arc::new(builder().build().expect("transport"));
        let response = transport
            .send(get(&format!("http://localhost:{}/", address.port())))
            .await
            .expect("ok");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    })
    .await;
}

#[tokio::test]
async fn a_resolved_name_is_reached_at_its_address_and_verified_for_the_name() {
    bounded(async {
        let pki = test_pki();
        let address = tls_server(&pki).await;
        let transport = builder()
            .default_roots(false)
            .add_root_certificate(pki.root.clone())
            .resolve("CDN.test.invalid", address)
            .resolve("other.test.invalid", address)
            .build()
            .expect("transport");
        // Port 9 stands for any port: the given address replaces host and port.
        let response = transport
            .send(get("https://cdn.test.invalid:9/"))
            .await
            .expect("TLS exchange with the name's certificate");
        assert_eq!(response.status(), 200);
        assert_eq!(response.body(), "secure");
        // The same server, reached for a name its certificate lacks, is refused.
        let error = transport
            .send(get("https://other.test.invalid:9/"))
            .await
            .expect_err("a certificate without the name");
        assert_eq!(error.kind(), ErrorKind::Tls, "{error}");
    })
    .await;
}
