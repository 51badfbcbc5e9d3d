//! The account the emulator plays, over HTTP (docs/protocol.md §12): its
//! domains (foreign, offline, wildcard hosts, areas), the actions CAM
//! denies, injected codes, `DescribeDomains`, and the language of every
//! message.

mod common;

use common::v3::{Call, EVERY_SIG, Sig, start_at};
use tcdn_emulator::{Account, AccountDomain, Config, RunningEmulator};
use tcdn_model::CdnUrl;
use tcdn_model::v3::{
    self, Area, DescribeDomains, DomainFilter, PurgeArea, PurgeOptions, PushOptions, Request,
};
use tcdn_transport::Transport;

/// An account of `domains` (`HOST[:AREA]`), `offline` ones, and `denied`
/// actions.
fn account(domains: &[&str], offline: &[&str], denied: &[v3::Action]) -> impl FnOnce(&mut Config) {
    let domains = domains
        .iter()
        .map(|d| d.parse::<AccountDomain>().unwrap())
        .chain(
            offline
                .iter()
                .map(|d| d.parse::<AccountDomain>().unwrap().offline()),
        )
        .collect();
    let denied = denied.to_vec();
    move |config| config.account = Account { domains, denied }
}

fn urls(texts: &[&str]) -> Vec<CdnUrl> {
    texts.iter().map(|t| t.parse().unwrap()).collect()
}

fn purge(texts: &[&str], area: Option<PurgeArea>) -> Request {
    let options = PurgeOptions {
        area,
        ..PurgeOptions::default()
    };
    v3::PurgeUrls::new(urls(texts), options).unwrap().into()
}

fn purge_paths(texts: &[&str]) -> Request {
    let options = PurgeOptions::default();
    v3::PurgePaths::new(urls(texts), v3::FlushType::Flush, options)
        .unwrap()
        .into()
}

fn push(texts: &[&str], area: Option<Area>) -> Request {
    let options = PushOptions {
        area,
        ..PushOptions::default()
    };
    v3::PushUrls::new(urls(texts), options).unwrap().into()
}

/// The code and message answered to `request` in `language` (`None`:
/// none asked, so Chinese).
async fn refused(
    running: &RunningEmulator,
    sig: Sig,
    request: &Request,
    language: Option<&str>,
) -> (String, String) {
    let mut call = Call::new(sig, request);
    call.language = language.map(str::to_owned);
    call.error(running).await
}

const EXAMPLE: &[&str] = &[
    "www.example.com",
    "*.img.example.com:global",
    "eu.example.com:overseas",
];

#[tokio::test]
async fn a_foreign_host_refuses_the_whole_call_in_both_languages() {
    let (running, _) = start_at(account(EXAMPLE, &[], &[])).await;
    let mixed = [
        "https://www.example.com/a.js",
        "https://other.example.org/b.js",
    ];
    for request in [
        purge(&mixed, None),
        purge_paths(&["https://www.example.com/d/", "https://other.example.org/d/"]),
        push(&mixed, None),
    ] {
        for sig in EVERY_SIG {
            let (code, message) = refused(&running, sig, &request, None).await;
            assert_eq!(code, "ResourceNotFound.CdnHostNotExists", "{sig:?}");
            assert!(
                message.starts_with("未查询到该域名，请确认域名是否正确。"),
                "{sig:?}: {message}"
            );
            let (code, message) = refused(&running, sig, &request, Some("en-US")).await;
            assert_eq!(code, "ResourceNotFound.CdnHostNotExists");
            assert!(
                message.starts_with("Unable to find the domain name."),
                "{sig:?}: {message}"
            );
            assert!(message.contains("other.example.org"), "{message}");
        }
    }
    assert!(running.emulator().tasks().is_empty(), "nothing applied");

    // The account's own hosts, a subdomain of its wildcard among them.
    let own = [
        "https://WWW.example.com/a.js",
        "https://cdn.img.example.com:8443/b.js",
    ];
    Call::new(Sig::Tc3Post, &purge(&own, None))
        .ok(&running)
        .await;
    let tasks = running.emulator().tasks();
    assert_eq!(tasks.len(), 1);
    // Mainland and global domains without an Area: both areas' quota.
    assert_eq!(tasks[0].areas, ["mainland", "oversea"]);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn wildcards_offline_domains_and_areas() {
    let (running, _) = start_at(account(EXAMPLE, &["old.example.com"], &[])).await;
    let cases: Vec<(Request, &str)> = vec![
        (
            purge(&["https://*.img.example.com/a.png"], None),
            "InvalidParameter.CdnPurgeWildcardNotAllowed",
        ),
        (
            purge_paths(&["https://*.img.example.com/d/"]),
            "InvalidParameter.CdnPurgeWildcardNotAllowed",
        ),
        (
            push(&["https://*.img.example.com/a.png"], None),
            "InvalidParameter.CdnPushWildcardNotAllowed",
        ),
        // A wildcard covers one label, not two.
        (
            purge(&["https://a.b.img.example.com/x"], None),
            "ResourceNotFound.CdnHostNotExists",
        ),
        (
            purge(&["https://old.example.com/a"], None),
            "InvalidParameter.CdnHostInvalidStatus",
        ),
        (
            purge_paths(&["https://old.example.com/d/"]),
            "InvalidParameter.CdnHostInvalidStatus",
        ),
        (
            push(&["https://old.example.com/a"], None),
            "ResourceUnavailable.CdnHostIsNotOnline",
        ),
        (
            purge(&["https://eu.example.com/a"], Some(PurgeArea::Mainland)),
            "InvalidParameter.CdnParamError",
        ),
        (
            push(&["https://eu.example.com/a"], None),
            "InvalidParameter.CdnParamError",
        ),
        (
            push(&["https://www.example.com/a"], Some(Area::Global)),
            "InvalidParameter.CdnParamError",
        ),
    ];
    for (request, expected) in &cases {
        let (code, zh) = refused(&running, Sig::Tc3Post, request, None).await;
        assert_eq!(code, *expected, "{}", request.to_json());
        assert!(!zh.is_ascii(), "Chinese: {zh}");
        let (code, en) = refused(
            &running,
            Sig::V1Get(tcdn_sign::SignatureMethod::HmacSha256),
            request,
            Some("en-US"),
        )
        .await;
        assert_eq!(code, *expected);
        assert!(en.is_ascii(), "English: {en}");
    }
    assert!(running.emulator().tasks().is_empty());

    // An overseas domain purged without Area: its own area.
    Call::new(Sig::Tc3Post, &purge(&["https://eu.example.com/a"], None))
        .ok(&running)
        .await;
    Call::new(
        Sig::Tc3Post,
        &push(&["https://eu.example.com/a"], Some(Area::Overseas)),
    )
    .ok(&running)
    .await;
    let areas: Vec<Vec<String>> = running
        .emulator()
        .tasks()
        .into_iter()
        .map(|t| t.areas)
        .collect();
    assert_eq!(
        areas,
        [vec!["oversea".to_owned()], vec!["oversea".to_owned()]]
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn denied_actions_and_injected_codes() {
    let (running, _) = start_at(|config| {
        account(
            &[],
            &[],
            &[v3::Action::PushUrlsCache, v3::Action::DescribeDomains],
        )(config);
        config.inject_errors = vec![
            "PurgePathCache=FailedOperation.CdnConfigError"
                .parse()
                .unwrap(),
            "DescribePurgeQuota=InternalError.CdnConfigError"
                .parse()
                .unwrap(),
            "DescribePushQuota=ResourceUnavailable.SomethingNew"
                .parse()
                .unwrap(),
        ];
    })
    .await;
    let describe = Request::DescribeDomains(DescribeDomains::default());
    for (request, code, zh, en) in [
        (
            push(&["https://any.example/a"], None),
            "UnauthorizedOperation.CdnCamUnauthorized",
            "子账号未配置cam策略。",
            "No CAM policy is configured for the sub-account.",
        ),
        (
            describe.clone(),
            "UnauthorizedOperation.CdnCamUnauthorized",
            "子账号未配置cam策略。",
            "No CAM policy is configured for the sub-account.",
        ),
        (
            purge_paths(&["https://any.example/d/"]),
            "FailedOperation.CdnConfigError",
            "域名配置更新操作失败，请重试或联系客服人员解决。",
            "Failed to update the domain name configuration. Please submit a ticket for troubleshooting.",
        ),
        (
            Request::DescribePurgeQuota(v3::DescribePurgeQuota),
            "InternalError.CdnConfigError",
            "域名配置更新失败。",
            "Failed to update the domain name configuration.",
        ),
        (
            Request::DescribePushQuota(v3::DescribePushQuota),
            "ResourceUnavailable.SomethingNew",
            "资源不可用。",
            "The resource is unavailable.",
        ),
    ] {
        let (got, message) = refused(&running, Sig::Tc3Post, &request, None).await;
        assert_eq!(got, code);
        assert!(message.starts_with(zh), "{message}");
        let (got, message) = refused(
            &running,
            Sig::V1Post(tcdn_sign::SignatureMethod::HmacSha1),
            &request,
            Some("en-US"),
        )
        .await;
        assert_eq!(got, code);
        assert!(message.starts_with(en), "{message}");
    }
    // With no domain the account owns every host.
    Call::new(Sig::Tc3Post, &purge(&["https://any.example/a"], None))
        .ok(&running)
        .await;
    assert_eq!(running.emulator().tasks().len(), 1);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn judging_errors_are_chinese_unless_english_is_asked() {
    let (running, _) = start_at(|_| {}).await;
    let mut call = Call::raw(Sig::Tc3Post, "PurgeUrlsCache", "{}", &[]);
    call.language = None;
    let (code, message) = call.error(&running).await;
    assert_eq!(code, "MissingParameter");
    assert!(
        message.starts_with("缺少参数错误。（") && message.contains("Urls"),
        "{message}"
    );
    call.language = Some("zh-CN".to_owned());
    assert!(call.error(&running).await.1.starts_with("缺少参数错误。"));
    call.language = Some("en-US".to_owned());
    let (_, message) = call.error(&running).await;
    assert!(message.is_ascii() && message.contains("Urls"), "{message}");
    let mut v1 = Call::raw(
        Sig::V1Post(tcdn_sign::SignatureMethod::HmacSha256),
        "Nope",
        "",
        &[],
    );
    v1.language = None;
    assert_eq!(
        v1.error(&running).await.1.split('（').next(),
        Some("接口不存在。")
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn describe_domains_pages_and_filters() {
    let many: Vec<String> = (0..12).map(|i| format!("d{i:02}.example.com")).collect();
    let mut domains: Vec<&str> = many.iter().map(String::as_str).collect();
    domains.push("*.img.example.org:overseas");
    let (running, _) = start_at(account(&domains, &["off.example.net"], &[])).await;
    let list = |offset, limit, filters: Vec<DomainFilter>| {
        Request::DescribeDomains(DescribeDomains {
            offset,
            limit,
            filters,
        })
    };
    let names = |answer: &serde_json::Value| -> Vec<String> {
        answer["Domains"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["Domain"].as_str().unwrap().to_owned())
            .collect()
    };

    let all = Call::new(Sig::Tc3Post, &list(None, None, vec![]))
        .ok(&running)
        .await;
    assert_eq!(all["TotalNumber"], 14);
    assert_eq!(names(&all).len(), 14);
    let first = &all["Domains"][0];
    for field in [
        "ResourceId",
        "AppId",
        "Cname",
        "ProjectId",
        "ServiceType",
        "CreateTime",
        "UpdateTime",
        "Disable",
        "Readonly",
        "Product",
        "ParentHost",
    ] {
        assert!(!first[field].is_null(), "{field}: {first}");
    }
    assert_eq!(first["Status"], "online");
    assert_eq!(first["Area"], "mainland");
    assert!(first["Origin"]["Origins"].is_array(), "{first}");
    assert_eq!(all["Domains"][12]["Domain"], "*.img.example.org");
    assert_eq!(all["Domains"][12]["Area"], "overseas");
    assert_eq!(all["Domains"][13]["Status"], "offline");

    for sig in EVERY_SIG {
        let page = Call::new(sig, &list(Some(10), Some(3), vec![]))
            .ok(&running)
            .await;
        assert_eq!(page["TotalNumber"], 14, "{sig:?}");
        assert_eq!(
            names(&page),
            ["d10.example.com", "d11.example.com", "*.img.example.org"]
        );
        let fuzzy = list(
            None,
            None,
            vec![DomainFilter::fuzzy("domain", "EXAMPLE.org")],
        );
        assert_eq!(
            names(&Call::new(sig, &fuzzy).ok(&running).await),
            ["*.img.example.org"]
        );
        let exact = list(
            None,
            Some(1),
            vec![DomainFilter::exact(
                "domain",
                ["d03.example.com", "d05.example.com"],
            )],
        );
        let answer = Call::new(sig, &exact).ok(&running).await;
        assert_eq!(
            (names(&answer), &answer["TotalNumber"]),
            (vec!["d03.example.com".to_owned()], &2.into())
        );
        let offline = list(None, None, vec![DomainFilter::exact("status", ["offline"])]);
        assert_eq!(
            names(&Call::new(sig, &offline).ok(&running).await),
            ["off.example.net"]
        );
    }
    // Exact filters match whole names only; several filters AND.
    let none = list(
        None,
        None,
        vec![DomainFilter::exact("domain", ["example.com"])],
    );
    assert_eq!(
        Call::new(Sig::Tc3Get, &none).ok(&running).await["TotalNumber"],
        0
    );
    let both = list(
        None,
        None,
        vec![
            DomainFilter::fuzzy("domain", "d0"),
            DomainFilter::exact("status", ["offline"]),
        ],
    );
    assert_eq!(
        Call::new(Sig::Tc3Get, &both).ok(&running).await["TotalNumber"],
        0
    );

    for (json, code, word) in [
        (r#"{"Limit":1001}"#, "InvalidParameterValue", "Limit"),
        (
            r#"{"Filters":[{"Name":"colour","Value":["red"]}]}"#,
            "InvalidParameterValue",
            "Filters.0.Name",
        ),
        (
            r#"{"Filters":[{"Name":"domain","Value":["a","b"],"Fuzzy":true}]}"#,
            "InvalidParameterValue",
            "Fuzzy",
        ),
        (
            r#"{"Filters":[{"Name":"domain","Value":["1","2","3","4","5","6"]}]}"#,
            "InvalidParameterValue",
            "Filters.0.Value",
        ),
        (
            r#"{"Filters":[{"Name":"domain"}]}"#,
            "MissingParameter",
            "Filters.0.Value",
        ),
        (
            r#"{"Filters":[{"Name":"domain","Value":["a"],"Colour":1}]}"#,
            "UnknownParameter",
            "Colour",
        ),
        (r#"{"Filters":["domain"]}"#, "InvalidParameter", "Filters.0"),
    ] {
        let (got, message) = Call::raw(Sig::Tc3Post, "DescribeDomains", json, &[])
            .error(&running)
            .await;
        assert_eq!(got, code, "{json}: {message}");
        assert!(message.contains(word), "{json}: {message}");
    }
    let flat = [
        ("Filters.0.Name", "domain"),
        ("Filters.0.Value.0", "x"),
        ("Filters.1", "y"),
    ];
    let (got, _) = Call::raw(Sig::Tc3Get, "DescribeDomains", "", &flat)
        .error(&running)
        .await;
    assert_eq!(got, "InvalidParameter");
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn without_domains_the_list_is_empty() {
    let (running, _) = start_at(|_| {}).await;
    let answer = Call::new(
        Sig::Tc3Post,
        &Request::DescribeDomains(DescribeDomains::default()),
    )
    .ok(&running)
    .await;
    assert_eq!(answer["TotalNumber"], 0);
    assert_eq!(answer["Domains"], serde_json::json!([]));
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_injected_failure_speaks_the_language_asked() {
    let (running, _) = start_at(|config| config.faults.fail_rate = 1.0).await;
    for (language, start) in [(None, "内部错误。"), (Some("en-US"), "Internal error.")] {
        let mut call = Call::new(
            Sig::V1Get(tcdn_sign::SignatureMethod::HmacSha1),
            &purge(&["https://a.example/x"], None),
        );
        call.language = language.map(str::to_owned);
        let response = common::transport()
            .send(call.build(running.origin()))
            .await
            .unwrap();
        assert_eq!(response.status(), 503);
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        let message = body["Response"]["Error"]["Message"].as_str().unwrap();
        assert!(message.starts_with(start), "{message}");
    }
    running.shutdown().await.unwrap();
}
