//! Properties of the API 3.0 model: requests within the limits build, and
//! their JSON body and flattened parameters parse back (server side) to the
//! same request with lengths as computed; requests outside the limits are
//! refused, by the builders and by the server-side parsers with the API's
//! codes; answers survive writing and reading.

use proptest::prelude::*;
use tcdn_model::v3::{
    ActionRequest, Answer, ApiError, Area, BatchLimits, DateTime, DescribePurgeTasks,
    DescribePushTasks, ErrorCode, FlushType, Headers, HttpHeader, Keyword, Layer, PurgeArea,
    PurgeLog, PurgeOptions, PurgePaths, PurgeQuota, PurgeStatus, PurgeTasks, PurgeType, PurgeUrls,
    PushLog, PushOptions, PushTasks, PushUrls, Quota, Request, TaskId, TaskSelector, TaskStatus,
    TaskSubmitted, UserAgent, append_flat_form,
};
use tcdn_model::{CdnUrl, ModelErrorKind, decode_form};

fn cdn_url() -> impl Strategy<Value = CdnUrl> {
    "[hH][tT][tT][pP][sS]?://([a-z0-9-]{1,12}(\\.[a-z]{2,4})?|例子\\.cn|\\[::1\\])(:[1-9][0-9]{0,3})?\
     (/([a-zA-Z0-9._~&=+?;:,'()!*$@\"\\\\图片猫-]|%[0-9a-fA-F]{2}){0,12}){0,4}"
        .prop_map(|text| text.parse().expect("the strategy only makes valid URLs"))
}

fn urls(max: usize) -> impl Strategy<Value = Vec<CdnUrl>> {
    prop::collection::vec(cdn_url(), 1..=max)
}

fn purge_options() -> impl Strategy<Value = PurgeOptions> {
    (
        prop::option::of(prop::sample::select(PurgeArea::ALL.to_vec())),
        any::<bool>(),
    )
        .prop_map(|(area, url_encode)| PurgeOptions { area, url_encode })
}

fn header() -> impl Strategy<Value = HttpHeader> {
    (
        "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}",
        "([!-~é图]([ \t!-~é图]{0,30}[!-~é图])?)?",
    )
        .prop_map(|(name, value)| HttpHeader::new(&name, &value).expect("valid by construction"))
}

fn push_options() -> impl Strategy<Value = PushOptions> {
    (
        prop::option::of("[!-~]([ !-~]{0,30}[!-~])?"),
        prop::option::of(prop::sample::select(Area::ALL.to_vec())),
        any::<(bool, bool, bool, bool)>(),
        prop::collection::vec(header(), 0..=20),
    )
        .prop_map(
            |(agent, area, (layer, m3u8, range, encode), headers)| PushOptions {
                user_agent: agent.map(|a| UserAgent::new(&a).unwrap()),
                area,
                layer: layer.then_some(Layer::Middle),
                parse_m3u8: m3u8,
                disable_range: range,
                headers: Headers::new(headers).unwrap(),
                url_encode: encode,
            },
        )
}

fn date_time() -> impl Strategy<Value = DateTime> {
    (
        2000u32..2100,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0u32..60,
    )
        .prop_map(|(y, mo, d, h, mi, s)| {
            DateTime::parse(&format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")).unwrap()
        })
}

fn selector() -> impl Strategy<Value = TaskSelector> {
    (
        prop::option::of("[0-9a-z-]{1,24}"),
        prop::option::of(date_time()),
        prop::option::of(date_time()),
    )
        .prop_filter_map("needs an id or a start", |(id, start, end)| {
            let (start, end) = match (start, end) {
                (Some(a), Some(b)) if b < a => (Some(b), Some(a)),
                other => other,
            };
            TaskSelector::new(id.map(|i| TaskId::new(&i).unwrap()), start, end).ok()
        })
}

fn filters() -> impl Strategy<Value = (Option<u64>, Option<u64>, Option<Keyword>, Option<Area>)> {
    (
        prop::option::of(any::<u64>()),
        prop::option::of(0u64..1000),
        prop::option::of("[a-z.]{1,20}".prop_map(|k| Keyword::new(&k).unwrap())),
        prop::option::of(prop::sample::select(Area::ALL.to_vec())),
    )
}

fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        (urls(30), purge_options()).prop_map(|(u, o)| PurgeUrls::new(u, o).unwrap().into()),
        (
            urls(30),
            prop::sample::select(FlushType::ALL.to_vec()),
            purge_options()
        )
            .prop_map(|(u, f, o)| PurgePaths::new(u, f, o).unwrap().into()),
        (urls(30), push_options()).prop_map(|(u, o)| PushUrls::new(u, o).unwrap().into()),
        (
            selector(),
            filters(),
            prop::option::of(prop::sample::select(PurgeType::ALL.to_vec())),
            prop::option::of(prop::sample::select(PurgeStatus::ALL.to_vec())),
        )
            .prop_map(|(s, (offset, limit, keyword, area), purge_type, status)| {
                let mut q = DescribePurgeTasks::new(s);
                (q.offset, q.limit, q.keyword, q.area) = (offset, limit, keyword, area);
                (q.purge_type, q.status) = (purge_type, status);
                q.into()
            }),
        (
            selector(),
            filters(),
            prop::option::of(prop::sample::select(TaskStatus::ALL.to_vec())),
        )
            .prop_map(|(s, (offset, limit, keyword, area), status)| {
                let mut q = DescribePushTasks::new(s);
                (q.offset, q.limit, q.keyword, q.area, q.status) =
                    (offset, limit, keyword, area, status);
                q.into()
            }),
        Just(Request::DescribePurgeQuota(
            tcdn_model::v3::DescribePurgeQuota
        )),
        Just(Request::DescribePushQuota(
            tcdn_model::v3::DescribePushQuota
        )),
        describe_domains(),
    ]
}

/// `DescribeDomains` with filters the server accepts: exact ones of up to
/// five values of any text, fuzzy ones of `domain` or `origin`.
fn describe_domains() -> impl Strategy<Value = Request> {
    let exact = (
        prop::sample::select(tcdn_model::v3::DOMAIN_FILTER_NAMES.to_vec()),
        prop::collection::vec("[a-z0-9.*_ 图%&=-]{0,12}", 1..=5),
    )
        .prop_map(|(name, values)| tcdn_model::v3::DomainFilter::exact(name, values));
    let fuzzy = (
        prop::sample::select(vec!["domain", "origin"]),
        "[a-z.]{0,12}",
    )
        .prop_map(|(name, value)| tcdn_model::v3::DomainFilter::fuzzy(name, value));
    (
        prop::option::of(0u64..100_000),
        prop::option::of(1u64..=1000),
        prop::collection::vec(prop_oneof![exact, fuzzy], 0..4),
    )
        .prop_map(|(offset, limit, filters)| {
            Request::DescribeDomains(tcdn_model::v3::DescribeDomains {
                offset,
                limit,
                filters,
            })
        })
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn both_wire_forms_parse_back_to_the_same_request(request in request()) {
        let limits = BatchLimits::default();
        let json = request.to_json();
        prop_assert_eq!(json.len(), request.json_len());
        let from_json = Request::from_json(request.action(), json.as_bytes(), &limits);
        prop_assert_eq!(from_json.as_ref(), Ok(&request), "{}", json);

        let mut form = String::new();
        append_flat_form(&mut form, &request.flat_params());
        prop_assert_eq!(form.len(), request.flat_form_len());
        // The common parameters of a v1 request are skipped by the parser.
        let wire = format!("Action={}&Version=2018-06-06&Nonce=1&Signature=x%2By&{form}", request.action());
        let pairs = decode_form(wire.as_bytes()).unwrap();
        let from_params = Request::from_params(request.action(), pairs, &limits);
        prop_assert_eq!(from_params.as_ref(), Ok(&request), "{}", form);
    }

    #[test]
    fn planner_lengths_add_up(list in urls(40), purge in purge_options(), push in push_options()) {
        let purge_request = PurgeUrls::new(list.clone(), purge).unwrap();
        let json: usize = list.iter().enumerate().map(|(i, u)| PurgeUrls::item_json_len(i, u)).sum();
        prop_assert_eq!(PurgeUrls::base_json_len(&purge) + json, purge_request.json_len());
        let form: usize = list.iter().enumerate().map(|(i, u)| PurgeUrls::item_form_len(i, u)).sum();
        prop_assert_eq!(PurgeUrls::base_form_len(&purge) + form - 1, purge_request.flat_form_len());

        let paths = PurgePaths::new(list.clone(), FlushType::Flush, purge).unwrap();
        let form: usize = list.iter().enumerate().map(|(i, u)| PurgePaths::item_form_len(i, u)).sum();
        prop_assert_eq!(PurgePaths::base_form_len(FlushType::Flush, &purge) + form - 1, paths.flat_form_len());
        prop_assert_eq!(PurgePaths::base_json_len(FlushType::Flush, &purge) + json, paths.json_len());

        let push_request = PushUrls::new(list.clone(), push.clone()).unwrap();
        let form: usize = list.iter().enumerate().map(|(i, u)| PushUrls::item_form_len(i, u)).sum();
        prop_assert_eq!(PushUrls::base_json_len(&push) + json, push_request.json_len());
        prop_assert_eq!(PushUrls::base_form_len(&push) + form - 1, push_request.flat_form_len());
    }

    #[test]
    fn headers_are_bounded(name_len in 1usize..200, value_len in 0usize..1100, count in 0usize..25) {
        let made = HttpHeader::new(&"N".repeat(name_len), &"v".repeat(value_len));
        prop_assert_eq!(made.is_ok(), name_len <= 128 && value_len <= 1024);
        let list = vec![HttpHeader::new("X", "1").unwrap(); count];
        prop_assert_eq!(Headers::new(list).is_ok(), count <= 20);
    }

    #[test]
    fn areas_outside_the_action_are_refused(value in "[a-zA-Z]{0,10}") {
        let body = format!(r#"{{"Urls":["https://a.example/"],"Area":"{value}"}}"#);
        let limits = BatchLimits::default();
        let purge = Request::from_json(tcdn_model::v3::Action::PurgeUrlsCache, body.as_bytes(), &limits);
        prop_assert_eq!(purge.is_ok(), PurgeArea::from_wire(&value).is_some());
        let push = Request::from_json(tcdn_model::v3::Action::PushUrlsCache, body.as_bytes(), &limits);
        prop_assert_eq!(push.is_ok(), Area::from_wire(&value).is_some());
        if let Err(e) = push {
            prop_assert_eq!(e.code(), &ErrorCode::InvalidParameterValue);
            prop_assert!(e.message().contains("Area"));
        }
    }

    #[test]
    fn answers_round_trip(
        id in "[0-9a-f-]{1,36}",
        task in "[0-9a-z-]{1,24}",
        count in 0usize..4,
        total in any::<i64>(),
        code in "[A-Za-z.]{1,40}",
        message in "\\PC{0,40}",
    ) {
        let submitted = Answer::ok(id.clone(), TaskSubmitted { task_id: task.clone() });
        prop_assert_eq!(Answer::<TaskSubmitted>::from_slice(submitted.to_json().as_bytes()).unwrap(), submitted);

        let purge_logs = PurgeTasks {
            logs: (0..count).map(|i| PurgeLog {
                task_id: task.clone(), url: format!("https://a.example/{i}"), status: "done".into(),
                purge_type: "url".into(), flush_type: "delete".into(), create_time: "2018-08-08 00:00:00".into(),
            }).collect(),
            total_count: total,
        };
        let answer = Answer::ok(id.clone(), purge_logs);
        prop_assert_eq!(Answer::<PurgeTasks>::from_slice(answer.to_json().as_bytes()).unwrap(), answer);

        let push_logs = PushTasks {
            logs: (0..count).map(|i| PushLog {
                task_id: task.clone(), url: format!("https://a.example/{i}"), status: "invalid".into(),
                percent: i as i64 * 10, create_time: "2018-08-08 00:00:00".into(), area: "global".into(),
                update_time: (i % 2 == 0).then(|| "2018-08-08 00:01:00".to_owned()),
            }).collect(),
            total_count: total,
        };
        let answer = Answer::ok(id.clone(), push_logs);
        prop_assert_eq!(Answer::<PushTasks>::from_slice(answer.to_json().as_bytes()).unwrap(), answer);

        let quota = PurgeQuota {
            url_purge: (0..count).map(|i| Quota { batch: 1000, total, available: i as i64, area: "mainland".into() }).collect(),
            path_purge: vec![],
        };
        let answer = Answer::ok(id.clone(), quota);
        prop_assert_eq!(Answer::<PurgeQuota>::from_slice(answer.to_json().as_bytes()).unwrap(), answer);

        let error = Answer::<TaskSubmitted>::error(id, ApiError::new(ErrorCode::from_code(&code), message));
        prop_assert_eq!(Answer::<TaskSubmitted>::from_slice(error.to_json().as_bytes()).unwrap(), error);
    }
}

proptest! {
    // Each case builds requests of up to 1000 URLs: fewer cases.
    #![proptest_config(ProptestConfig { cases: 16, ..config() })]

    #[test]
    fn list_limits_are_inclusive_for_builders_and_parsers(extra in 0usize..3, paths_limit in 1usize..150) {
        let url: CdnUrl = "https://a.example/x".parse().unwrap();
        let many = |n: usize| vec![url.clone(); n];
        let limits = BatchLimits { purge_paths: paths_limit, ..BatchLimits::default() };
        type Build<'a> = &'a dyn Fn(usize) -> Result<Request, tcdn_model::ModelError>;
        let cases: [(usize, Build<'_>, tcdn_model::v3::Action, ErrorCode); 3] = [
            (1000, &|n| PurgeUrls::new(many(n), PurgeOptions::default()).map(Request::from),
             tcdn_model::v3::Action::PurgeUrlsCache, ErrorCode::CdnPurgeUrlExceedBatchLimit),
            (paths_limit, &|n| PurgePaths::with_limit(many(n), FlushType::Flush, PurgeOptions::default(), paths_limit).map(Request::from),
             tcdn_model::v3::Action::PurgePathCache, ErrorCode::CdnPurgePathExceedBatchLimit),
            (500, &|n| PushUrls::new(many(n), PushOptions::default()).map(Request::from),
             tcdn_model::v3::Action::PushUrlsCache, ErrorCode::CdnPushExceedBatchLimit),
        ];
        for (limit, build, action, code) in cases {
            let at = build(limit).unwrap();
            let back = Request::from_json(action, at.to_json().as_bytes(), &limits);
            prop_assert_eq!(back.as_ref(), Ok(&at));
            let err = build(limit + 1 + extra).unwrap_err();
            let is_list_too_long = matches!(err.kind(), ModelErrorKind::ListTooLong { .. });
            prop_assert!(is_list_too_long);
            // Hand the server one item more than the limit.
            let list = (0..=limit + extra).map(|_| "\"https://a.example/x\"").collect::<Vec<_>>().join(",");
            let field = if action == tcdn_model::v3::Action::PurgePathCache { "Paths" } else { "Urls" };
            let body = format!(r#"{{"{field}":[{list}],"FlushType":"flush"}}"#);
            let refused: ApiError = Request::from_json(action, body.as_bytes(), &limits).unwrap_err();
            prop_assert_eq!(refused.code(), &code);
            prop_assert!(refused.message().contains(field));
        }
    }
}
