//! The library under API 3.0 against the local emulator over real HTTP: the
//! default hyper transport, TC3 and v1 signatures, quotas, waiting, and
//! lost answers looked up instead of resubmitted.

use std::collections::BTreeSet;
use std::num::{NonZeroU32, NonZeroUsize};
use std::time::Duration;

use tcdn::model::v3::FlushType;
use tcdn::v3::Signing;
use tcdn::{
    Api, Areas, CdnUrl, Client, ClientBuilder, Credentials, Endpoint, HttpMethod, Job, Operation,
    RetryPolicy, SignatureMethod,
};
use tcdn_emulator::{Config, Credential, Emulator, Faults, RunningEmulator};

const ID: &str = "AKIDclientV3E2E";
const KEY: &str = "client-v3-e2e-secret-key";

async fn start(adjust: impl FnOnce(&mut Config)) -> RunningEmulator {
    let mut config = Config::new(vec![Credential::new(ID, KEY)]);
    adjust(&mut config);
    Emulator::new(config)
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn client(running: &RunningEmulator) -> ClientBuilder {
    Client::builder(Credentials::new(ID, KEY).unwrap())
        .endpoint(Endpoint::parse_for(Api::V3, running.origin()).unwrap())
        .timeout(Duration::from_secs(10))
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(NonZeroU32::new(10).unwrap())
                .with_base_delay(Duration::from_millis(1))
                .with_max_delay(Duration::from_millis(5)),
        )
}

fn urls(prefix: &str, n: usize) -> Vec<CdnUrl> {
    (0..n)
        .map(|i| {
            format!("https://www.example.com/{prefix}/{i}.js?v=1&w=图")
                .parse()
                .unwrap()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_signing_purges_pushes_and_waits() {
    let running = start(|_| {}).await;
    for (method, signing) in [
        (HttpMethod::Post, Signing::Tc3),
        (HttpMethod::Get, Signing::Tc3),
        (HttpMethod::Post, Signing::V1(SignatureMethod::HmacSha1)),
        (HttpMethod::Get, Signing::V1(SignatureMethod::HmacSha256)),
    ] {
        let client = client(&running)
            .method(method)
            .signing(signing)
            .build()
            .unwrap();
        let input = urls(&format!("{method:?}-{signing:?}"), 3);
        let mut report = client.flush_urls(Areas::Mainland, input.clone()).await;
        assert_eq!(
            report.succeeded, input,
            "{method:?} {signing:?}: {:?}",
            report.failed
        );
        assert_eq!(report.tasks.len(), 1);
        let summary = client
            .wait(&mut report, Duration::from_secs(30), |_, _| {})
            .await;
        assert_eq!(summary.done, 3, "{summary:?}");
        let dirs = vec!["https://www.example.com/static/".parse().unwrap()];
        let job = Job::new(Operation::FlushDirs).flush_type(FlushType::Delete);
        let report = client
            .submit_job(&job, dirs.into_iter().collect(), |_| {})
            .await;
        assert!(report.is_success(), "{:?}", report.failed);
        let report = client.push_urls(Areas::Both, urls("push", 2)).await;
        assert!(report.is_success(), "{:?}", report.failed);
    }
    let client = client(&running).build().unwrap();
    let quota = client.purge_quota().await.unwrap();
    assert!(!quota.url_purge.is_empty() && !quota.path_purge.is_empty());
    assert!(!client.push_quota().await.unwrap().url_push.is_empty());
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answers_are_looked_up_and_nothing_is_applied_twice() {
    let running = start(|config| {
        config.faults = Faults {
            lose_answer_rate: 0.3,
            seed: 11,
            ..Faults::default()
        };
    })
    .await;
    let client = client(&running)
        .batch_size(NonZeroUsize::new(5))
        .concurrency(NonZeroUsize::new(2).unwrap())
        .build()
        .unwrap();
    let input = urls("lossy", 100);
    let report = client.flush_urls(Areas::Mainland, input.clone()).await;
    assert_eq!(report.succeeded, input, "{:?}", report.failed);
    let applied: Vec<String> = running
        .emulator()
        .tasks()
        .into_iter()
        .flat_map(|task| task.urls)
        .collect();
    let distinct: BTreeSet<&String> = applied.iter().collect();
    assert_eq!(
        (applied.len(), distinct.len()),
        (100, 100),
        "no URL applied twice"
    );
    running.shutdown().await.unwrap();
}

/// A pipeline in another container reaches the emulator by a name of its
/// `--tls-san`: it reads the CA from `/_emulator/ca.pem` once, then every
/// call is verified against that CA for that name. The transport maps the
/// name to the loopback address the emulator listens on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_is_reached_by_its_tls_name_trusting_the_ca_it_serves() {
    use std::sync::Arc;

    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    use tcdn_emulator::TlsIdentity;
    use tcdn_transport::{HyperTransport, Transport};

    let identity = TlsIdentity::generate_for(&["emulator.ci.test".to_owned()]).unwrap();
    let running = Emulator::new(Config::new(vec![Credential::new(ID, KEY)]))
        .start_tls("127.0.0.1:0".parse().unwrap(), &identity)
        .await
        .unwrap();
    let address = running.addr();
    let transport = |ca: &str, name: &str| -> Arc<dyn Transport> {
        Arc::new(
            HyperTransport::builder()
                .total_timeout(Duration::from_secs(10))
                .disable_proxy()
                .default_roots(false)
                .add_root_certificate(CertificateDer::from_pem_slice(ca.as_bytes()).unwrap())
                .resolve(name, address)
                .build()
                .unwrap(),
        )
    };
    let origin = |name: &str| format!("https://{name}:{}", address.port());

    // The first fetch of the CA trusts the identity the emulator was given.
    let fetch = transport(identity.ca_certificate_pem(), "emulator.ci.test");
    let served = fetch
        .send(
            http::Request::get(format!("{}/_emulator/ca.pem", origin("emulator.ci.test")))
                .body(bytes::Bytes::new())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    let served = String::from_utf8(served.body().to_vec()).unwrap();
    assert_eq!(served, identity.ca_certificate_pem());

    let client = Client::builder(Credentials::new(ID, KEY).unwrap())
        .endpoint(Endpoint::parse_for(Api::V3, &origin("emulator.ci.test")).unwrap())
        .transport(transport(&served, "emulator.ci.test"))
        .build()
        .unwrap();
    let input = urls("by-name", 3);
    let report = client.flush_urls(Areas::Mainland, input.clone()).await;
    assert_eq!(report.succeeded, input, "{:?}", report.failed);
    assert_eq!(running.emulator().tasks().len(), 1);

    // A name the certificate lacks is refused before anything is sent.
    let stranger = Client::builder(Credentials::new(ID, KEY).unwrap())
        .endpoint(Endpoint::parse_for(Api::V3, &origin("other.ci.test")).unwrap())
        .transport(transport(&served, "other.ci.test"))
        .retry_policy(RetryPolicy::default().with_max_attempts(NonZeroU32::new(1).unwrap()))
        .build()
        .unwrap();
    let report = stranger
        .flush_urls(Areas::Mainland, urls("stranger", 1))
        .await;
    assert!(report.succeeded.is_empty(), "{report:?}");
    assert_eq!(running.emulator().tasks().len(), 1);
    running.shutdown().await.unwrap();
}
