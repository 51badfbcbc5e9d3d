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
