//! `--tls` over real TLS on 127.0.0.1: tcdn's own transport, trusting only
//! the generated CA, reaches both APIs by IP and by `localhost`; without
//! that CA it refuses the server.

mod common;

use std::time::Duration;

use common::*;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tcdn_emulator::{Config, Credential, Emulator, RunningEmulator, TlsIdentity};
use tcdn_model::{Areas, Operation};
use tcdn_transport::{ErrorKind, HyperTransport, Transport};

async fn start_tls(identity: &TlsIdentity) -> RunningEmulator {
    Emulator::new(Config::new(vec![Credential::new(ID, KEY)]))
        .start_tls("127.0.0.1:0".parse().unwrap(), identity)
        .await
        .unwrap()
}

fn trusting(ca: CertificateDer<'static>) -> HyperTransport {
    HyperTransport::builder()
        .total_timeout(Duration::from_secs(5))
        .disable_proxy()
        .default_roots(false)
        .add_root_certificate(ca)
        .build()
        .unwrap()
}

#[test]
fn the_pem_written_for_clients_is_the_ca_certificate() {
    let identity = TlsIdentity::generate().unwrap();
    let parsed = CertificateDer::from_pem_slice(identity.ca_certificate_pem().as_bytes()).unwrap();
    assert_eq!(parsed, identity.ca_certificate_der());
}

#[tokio::test]
async fn both_apis_are_served_over_tls_to_a_client_trusting_the_ca() {
    bounded(async {
        let identity = TlsIdentity::generate().unwrap();
        let running = start_tls(&identity).await;
        let port = running.addr().port();
        assert_eq!(running.origin(), format!("https://127.0.0.1:{port}"));
        let pem = identity.ca_certificate_pem().as_bytes();
        let transport = trusting(CertificateDer::from_pem_slice(pem).unwrap());

        for (nonce, host) in [(1, "127.0.0.1"), (2, "localhost")] {
            let signer = Signer {
                host,
                timestamp: now(),
                nonce,
                ..Signer::default()
            };
            let form = signer
                .sign(&request(Operation::FlushUrls, Areas::Mainland, 1))
                .form();
            let url = format!("https://{host}:{port}/v2/index.php?{form}");
            let response = transport.send(get(url)).await.unwrap();
            let envelope = tcdn_model::v2::Envelope::from_slice(response.body()).unwrap();
            assert!(envelope.is_success(), "{host}: {envelope:?}");
        }
        assert_eq!(running.emulator().tasks().len(), 2);

        // API 3.0: a TC3-signed purge at the origin's root.
        let mut call = v3::Call::new(v3::Sig::Tc3Post, &v3::purge_urls(2));
        call.timestamp = now();
        let response = transport.send(call.build(running.origin())).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/json");
        let answer: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert!(answer["Response"]["TaskId"].is_string(), "{answer}");
        assert_eq!(running.emulator().tasks().len(), 3);
        running.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_client_not_trusting_the_ca_refuses_the_server() {
    bounded(async {
        let identity = TlsIdentity::generate().unwrap();
        let running = start_tls(&identity).await;
        let stranger = TlsIdentity::generate().unwrap();
        for transport in [
            trusting(stranger.ca_certificate_der()),
            HyperTransport::builder().disable_proxy().build().unwrap(),
        ] {
            let error = transport
                .send(get(format!("{}/_emulator/stats", running.origin())))
                .await
                .unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Tls, "{error}");
        }
        assert_eq!(running.emulator().stats().requests, 0);
        running.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn plain_http_to_the_tls_port_gets_no_answer() {
    bounded(async {
        let identity = TlsIdentity::generate().unwrap();
        let running = start_tls(&identity).await;
        let plain = format!("http://{}/_emulator/stats", running.addr());
        assert!(transport().send(get(plain)).await.is_err());
        running.shutdown().await.unwrap();
    })
    .await;
}

/// Connects to `running` on 127.0.0.1 as a client on another host would
/// reach it by `name` (no resolver needed: the name is only verified),
/// trusting `ca`, and answers `GET path`'s body.
async fn get_by_name(
    running: &RunningEmulator,
    name: &str,
    ca: CertificateDer<'static>,
    path: &str,
) -> Result<String, std::io::Error> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", running.addr().port())).await?;
    let server_name = rustls::pki_types::ServerName::try_from(name.to_owned()).unwrap();
    let mut tls = connector.connect(server_name, tcp).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {name}\r\nConnection: close\r\n\r\n");
    tls.write_all(request.as_bytes()).await?;
    let mut answer = String::new();
    tls.read_to_string(&mut answer).await?;
    Ok(answer)
}

#[tokio::test]
async fn extra_names_are_in_the_certificate_and_the_ca_is_served() {
    bounded(async {
        let names = ["emulator.ci.test".to_owned(), "10.9.8.7".to_owned()];
        let identity = TlsIdentity::generate_for(&names).unwrap();
        assert_eq!(identity.names()[3..], names);
        let running = start_tls(&identity).await;
        let ca = identity.ca_certificate_der();

        let answer = get_by_name(
            &running,
            "emulator.ci.test",
            ca.clone(),
            "/_emulator/ca.pem",
        )
        .await
        .unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("application/x-pem-file"), "{answer}");
        assert!(answer.ends_with(identity.ca_certificate_pem()), "{answer}");
        // A name the certificate does not hold fails verification.
        let error = get_by_name(&running, "other.ci.test", ca, "/_emulator/stats")
            .await
            .unwrap_err();
        assert!(error.to_string().contains("certificate"), "{error}");
        running.shutdown().await.unwrap();

        // Plain HTTP has no CA to serve.
        let plain = Emulator::new(Config::new(vec![Credential::new(ID, KEY)]))
            .start("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let response = transport()
            .send(get(format!("{}/_emulator/ca.pem", plain.origin())))
            .await
            .unwrap();
        assert_eq!(response.status(), 404);
        plain.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_certificate_the_pipeline_made_is_served() {
    bounded(async {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params =
            rcgen::CertificateParams::new(vec!["pipeline.ci.test".to_owned()]).unwrap();
        params.is_ca = rcgen::IsCa::NoCa;
        let cert = params.self_signed(&key).unwrap();
        let identity =
            TlsIdentity::from_pem(cert.pem().as_bytes(), key.serialize_pem().as_bytes()).unwrap();
        assert_eq!(identity.ca_certificate_pem().trim(), cert.pem().trim());
        assert!(identity.names().is_empty());
        let running = start_tls(&identity).await;
        let answer = get_by_name(
            &running,
            "pipeline.ci.test",
            cert.der().clone(),
            "/_emulator/ca.pem",
        )
        .await
        .unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        running.shutdown().await.unwrap();

        for (chain, key_pem) in [
            (&b"not pem"[..], key.serialize_pem()),
            (cert.pem().as_bytes(), "not a key".to_owned()),
        ] {
            let error = TlsIdentity::from_pem(chain, key_pem.as_bytes()).unwrap_err();
            assert_eq!(error.kind(), tcdn_emulator::TlsErrorKind::Pem, "{error}");
        }
    })
    .await;
}
