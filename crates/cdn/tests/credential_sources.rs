//! The credential chain's network sources for real over HTTP against the
//! emulator: the CVM metadata service, STS `AssumeRole` and TKE's
//! `AssumeRoleWithWebIdentity`. The credentials they give are accepted by
//! the emulator's API until they expire; refreshed ones work again. Errors
//! name the source and never hold a key or token.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use tcdn::clock::Clock;
use tcdn::credentials::RefreshingCredentials;
use tcdn::credentials::{CredentialErrorKind, CredentialSource};
use tcdn::model::v2::FlushOrPush;
use tcdn::{Api, Areas, CdnUrl, Client, Endpoint, Operation};
use tcdn_emulator::DEFAULT_CVM_ROLE;

mod sources;

use sources::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_instance_role_gives_temporary_credentials_the_api_accepts() {
    let setup = setup(|config| config.credential_ttl = Duration::from_secs(600)).await;
    let loaded = setup.chain(&[]).use_cvm_role().load().await.unwrap();
    assert_eq!(
        loaded.source(),
        CredentialSource::CvmRole {
            role: DEFAULT_CVM_ROLE.to_owned()
        }
    );
    let credentials = loaded.current().await.unwrap();
    assert!(credentials.secret_id().starts_with("AKIDtmp"));
    assert!(credentials.token().is_some());
    assert_eq!(credentials.expires_at(), Some(now_of(&setup) + 600));
    setup.assert_accepted(credentials, "cvm").await;
}

fn now_of(setup: &Setup) -> u64 {
    setup.client_clock.unix_seconds()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_chain_ends_with_the_instance_role() {
    let setup = setup(|_| {}).await;
    let loaded = setup.chain(&[]).load().await.unwrap();
    assert!(matches!(loaded.source(), CredentialSource::CvmRole { .. }));
    setup
        .assert_accepted(loaded.current().await.unwrap(), "chain-cvm")
        .await;

    // Keys in the environment come first.
    let loaded = setup
        .chain(&[
            ("TENCENTCLOUD_SECRET_ID", ID),
            ("TENCENTCLOUD_SECRET_KEY", KEY),
        ])
        .load()
        .await
        .unwrap();
    assert_eq!(loaded.source(), CredentialSource::Environment);
    assert_eq!(loaded.current().await.unwrap().expires_at(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_role_bound_is_not_found_and_every_source_is_named() {
    let setup = setup(|config| config.cvm_role = None).await;
    let err = setup.chain(&[]).load().await.unwrap_err();
    assert_eq!(err.kind(), CredentialErrorKind::NotFound, "{err}");
    let text = err.to_string();
    for source in [
        "TENCENTCLOUD_SECRET_ID",
        ".tccli/default.credential",
        ".tencentcloud/credentials",
        "TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE and TKE_ROLE_ARN",
        "CVM role: no CAM role is bound",
    ] {
        assert!(text.contains(source), "{source} missing from: {text}");
    }

    // Asked for explicitly, the role's absence is the error itself.
    let err = setup.chain(&[]).use_cvm_role().load().await.unwrap_err();
    assert_eq!(err.kind(), CredentialErrorKind::NoRoleBound, "{err}");
    assert!(err.to_string().starts_with("CVM role: "), "{err}");
    assert!(err.to_string().contains("404"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_metadata_service_is_named() {
    let setup = setup(|_| {}).await;
    // A port nothing listens on: bind one, then free it.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let vars = [("TCDN_METADATA_ENDPOINT", origin.as_str())];

    let err = setup.chain(&vars).use_cvm_role().load().await.unwrap_err();
    assert_eq!(err.kind(), CredentialErrorKind::Unreachable, "{err}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("CVM role: metadata service {origin} unreachable")),
        "{text}"
    );

    let err = setup.chain(&vars).load().await.unwrap_err();
    assert_eq!(err.kind(), CredentialErrorKind::NotFound, "{err}");
    assert!(err.to_string().contains("unreachable"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_endpoint_override_is_an_error_naming_the_variable() {
    let setup = setup(|_| {}).await;
    let err = setup
        .chain(&[("TCDN_METADATA_ENDPOINT", "http://169.254.0.23")])
        .use_cvm_role()
        .load()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialErrorKind::InvalidSetting);
    assert!(
        err.to_string().starts_with("TCDN_METADATA_ENDPOINT: "),
        "{err}"
    );
    assert!(err.to_string().contains("loopback"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assumed_role_is_signed_with_the_base_credentials() {
    let setup = setup(|_| {}).await;
    let keys = [
        ("TENCENTCLOUD_SECRET_ID", ID),
        ("TENCENTCLOUD_SECRET_KEY", KEY),
    ];
    let loaded = setup
        .chain(&keys)
        .role_arn(ROLE_ARN)
        .role_session_name("ci-deploy")
        .load()
        .await
        .unwrap();
    assert_eq!(
        loaded.source(),
        CredentialSource::AssumedRole {
            role_arn: ROLE_ARN.to_owned(),
            base: Box::new(CredentialSource::Environment),
        }
    );
    let credentials = loaded.current().await.unwrap();
    assert_ne!(credentials.secret_id(), ID);
    setup.assert_accepted(credentials, "assumed").await;

    // TENCENTCLOUD_ROLE_ARN does the same; the base may itself be the
    // instance role.
    let loaded = setup
        .chain(&[("TENCENTCLOUD_ROLE_ARN", ROLE_ARN)])
        .use_cvm_role()
        .load()
        .await
        .unwrap();
    assert!(
        matches!(&loaded.source(), CredentialSource::AssumedRole { base, .. } if matches!(**base, CredentialSource::CvmRole { .. })),
        "{:?}",
        loaded.source()
    );
    setup
        .assert_accepted(loaded.current().await.unwrap(), "assumed-from-cvm")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sts_refusals_carry_their_code_and_no_secret() {
    let setup = setup(|_| {}).await;
    let keys = [
        ("TENCENTCLOUD_SECRET_ID", ID),
        ("TENCENTCLOUD_SECRET_KEY", KEY),
    ];
    let missing = "qcs::cam::uin/100000000001:roleName/missing";
    let err = setup
        .chain(&keys)
        .role_arn(missing)
        .load()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialErrorKind::Refused, "{err}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("assumed role {missing}: STS http://")),
        "{text}"
    );
    assert!(text.contains("ResourceNotFound.RoleNotExist"), "{text}");
    assert_clean(&err);

    let wrong_key = [
        ("TENCENTCLOUD_SECRET_ID", ID),
        ("TENCENTCLOUD_SECRET_KEY", "not-the-key"),
    ];
    let err = setup
        .chain(&wrong_key)
        .role_arn(ROLE_ARN)
        .load()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("AuthFailure.SignatureFailure"),
        "{err}"
    );
    assert!(!err.to_string().contains("not-the-key"), "{err}");

    let err = setup
        .chain(&keys)
        .role_arn("not an arn")
        .load()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialErrorKind::InvalidSetting, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tke_oidc_assumes_the_role_with_the_web_identity_token() {
    let setup = setup(|_| {}).await;
    let token_file = write(setup.home.path(), "tke/token", WEB_TOKEN);
    let tke = tke_vars(&token_file);
    let loaded = setup.chain(&tke).load().await.unwrap();
    assert_eq!(
        loaded.source(),
        CredentialSource::WebIdentity {
            role_arn: ROLE_ARN.to_owned(),
            provider_id: "tke-oidc-provider".to_owned(),
        }
    );
    assert!(!format!("{loaded:?}").contains("web-identity-secret"));
    setup
        .assert_accepted(loaded.current().await.unwrap(), "tke")
        .await;

    // The role `missing` is refused; the token stays out of the error.
    let mut refused = tke;
    refused[3].1 = "qcs::cam::uin/100000000001:roleName/missing";
    let err = setup.chain(&refused).load().await.unwrap_err();
    assert!(
        err.to_string().contains("ResourceNotFound.RoleNotExist"),
        "{err}"
    );
    assert!(err.to_string().starts_with("TKE OIDC role "), "{err}");
    assert_clean(&err);

    // Three of the four variables: not TKE; the error says what is missing.
    let setup_without_role = self::setup(|config| config.cvm_role = None).await;
    let err = setup_without_role
        .chain(&tke[..3])
        .load()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialErrorKind::NotFound, "{err}");
    assert!(
        err.to_string()
            .contains("set TKE_ROLE_ARN as well (TKE OIDC needs all four"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_credentials_are_refused_and_refreshed_ones_accepted() {
    let setup = setup(|config| config.credential_ttl = Duration::from_secs(120)).await;
    let loaded = setup.chain(&[]).use_cvm_role().load().await.unwrap();
    let first = loaded.current().await.unwrap();
    setup.assert_accepted(first.clone(), "before-expiry").await;

    // Past expiry on both clocks, the old credentials are refused...
    setup.advance(121);
    let report = setup.purge(first.clone(), "expired").await;
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert_eq!(
        report.failed[0].error_code.as_deref(),
        Some("AuthFailure.TokenFailure"),
        "{report:?}"
    );
    assert!(report.failed[0].message.contains("expired"), "{report:?}");

    // ...and the holder fetches new ones, which are accepted.
    let second = loaded.current().await.unwrap();
    assert!(!second.same_as(&first));
    setup.assert_accepted(second, "after-refresh").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_lived_credentials_are_refreshed_at_half_life_before_they_fail() {
    let setup = setup(|config| config.credential_ttl = Duration::from_secs(60)).await;
    let loaded = setup.chain(&[]).use_cvm_role().load().await.unwrap();
    let mut used = BTreeSet::from([loaded.current().await.unwrap().secret_id().to_owned()]);
    // A paced run: a request every 20 s for 5 minutes, five lifetimes; each
    // issue is refreshed 30 s into its 60 s, so none is ever refused.
    for step in 0..15 {
        setup.advance(20);
        let credentials = loaded.current().await.unwrap();
        used.insert(credentials.secret_id().to_owned());
        setup
            .assert_accepted(credentials, &format!("paced-{step}"))
            .await;
    }
    // Refreshed at 40, 80, ... 280 s: seven issues after the first.
    assert_eq!(used.len(), 8, "{used:?}");
}

/// A client on refreshing credentials at the emulator, speaking `api`,
/// on the client clock.
fn refreshing_client(setup: &Setup, api: Api, credentials: RefreshingCredentials) -> Client {
    Client::builder_refreshing(Arc::new(credentials))
        .api(api)
        .endpoint(Endpoint::parse_for(api, setup.running.origin()).unwrap())
        .clock(Arc::new(setup.client_clock.clone()))
        .build()
        .unwrap()
}

fn flush_of(name: &str) -> FlushOrPush {
    let url: CdnUrl = format!("https://www.example.com/{name}.js")
        .parse()
        .unwrap();
    FlushOrPush::new(Operation::FlushUrls, Areas::Mainland, [url]).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_signs_a_long_run_with_refreshed_credentials() {
    for api in [Api::V3, Api::V2] {
        let setup = setup(|config| config.credential_ttl = Duration::from_secs(60)).await;
        let loaded = setup.chain(&[]).use_cvm_role().load().await.unwrap();
        let client = refreshing_client(&setup, api, loaded);
        let mut used = BTreeSet::new();
        // A call every 20 s for 3 minutes, three lifetimes: never refused.
        for step in 0..9 {
            setup.advance(20);
            let outcome = client
                .call(&flush_of(&format!("run-{step}")))
                .await
                .unwrap_or_else(|err| panic!("{api}: {err}"));
            assert_eq!(outcome.requests_sent, 1, "{api}: refused once");
            used.insert(client.credentials().peek().secret_id().to_owned());
        }
        assert!(used.len() >= 4, "{api}: {used:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_refused_in_flight_are_refreshed_and_the_call_retried() {
    for api in [Api::V3, Api::V2] {
        let setup = setup(|config| config.credential_ttl = Duration::from_secs(200)).await;
        let loaded = setup.chain(&[]).use_cvm_role().load().await.unwrap();
        let first = loaded.peek();
        let client = refreshing_client(&setup, api, loaded);
        // The server's clock runs ahead of the client's, past the expiry
        // (but within the signature's window): the client believes its
        // credentials valid, the server refuses them.
        setup.emulator_clock.advance_millis(250 * 1000);
        let outcome = client
            .call(&flush_of("in-flight"))
            .await
            .unwrap_or_else(|err| panic!("{api}: {err}"));
        assert_eq!((outcome.attempts, outcome.requests_sent), (2, 2), "{api}");
        assert!(!client.credentials().peek().same_as(&first), "{api}");
    }
}
