//! Properties of the EdgeOne model: requests within the limits build and
//! their JSON bodies parse back (server side) to the same request; bodies
//! outside the rules are refused with the API's codes; times keep their
//! instant through text.

use proptest::prelude::*;
use tcdn_model::CdnUrl;
use tcdn_model::teo::{
    Action, ActionRequest, BatchLimits, CacheTag, CreatePrefetchTask, CreatePurgeTask,
    DescribePrefetchTasks, DescribePurgeTasks, Hostname, JobId, Method, PrefetchOptions,
    PurgeTargets, PurgeType, Request, TaskQuery, TaskSelector, TaskStatus, Time, ZoneId,
    class_of_error,
};
use tcdn_model::v3::{ErrorClass, HttpHeader};

fn cdn_url() -> impl Strategy<Value = CdnUrl> {
    "https?://[a-z0-9-]{1,12}\\.(com|cn)(/[a-zA-Z0-9._~%图-]{0,12}){0,3}"
        .prop_filter_map("valid URLs", |text| text.parse().ok())
}

fn hostname() -> impl Strategy<Value = Hostname> {
    "[a-z0-9-]{1,12}(\\.[a-z]{2,6}){1,2}".prop_map(|h| Hostname::new(&h).unwrap())
}

fn zone() -> impl Strategy<Value = ZoneId> {
    "zone-[a-z0-9]{8,12}".prop_map(|z| ZoneId::new(&z).unwrap())
}

fn method() -> impl Strategy<Value = Method> {
    prop::sample::select(Method::ALL.to_vec())
}

fn targets() -> impl Strategy<Value = PurgeTargets> {
    prop_oneof![
        prop::collection::vec(cdn_url(), 1..20).prop_map(PurgeTargets::Urls),
        (prop::collection::vec(cdn_url(), 1..20), method())
            .prop_map(|(p, m)| PurgeTargets::Prefixes(p, m)),
        (prop::collection::vec(hostname(), 1..20), method())
            .prop_map(|(h, m)| PurgeTargets::Hosts(h, m)),
        method().prop_map(PurgeTargets::All),
        (
            prop::collection::vec("[!-~标签]{1,20}", 1..20),
            prop::collection::vec(hostname(), 0..3)
        )
            .prop_map(|(tags, domains)| PurgeTargets::CacheTags {
                tags: tags.iter().map(|t| CacheTag::new(t).unwrap()).collect(),
                domains,
            }),
    ]
}

fn time() -> impl Strategy<Value = Time> {
    (1_500_000_000i64..2_000_000_000).prop_map(Time::from_unix)
}

fn selector() -> impl Strategy<Value = TaskSelector> {
    (
        prop::option::of("[a-z0-9]{12}"),
        prop::option::of((time(), 0i64..=7 * 86_400)),
    )
        .prop_filter_map("a job or a window", |(job, window)| {
            let job = job.map(|j| JobId::new(&j).unwrap());
            let window = window.map(|(start, span)| {
                let end = Time::from_unix(start.unix() + span);
                (start, end)
            });
            TaskSelector::new(job, window).ok()
        })
}

fn parse(action: Action, json: &str) -> Result<Request, tcdn_model::v3::ApiError> {
    Request::from_json(action, json.as_bytes(), &BatchLimits::default())
}

proptest! {
    #[test]
    fn purges_parse_back_to_themselves(zone in zone(), targets in targets()) {
        let request = CreatePurgeTask::new(zone, targets).unwrap();
        let parsed = parse(Action::CreatePurgeTask, &request.to_json()).unwrap();
        prop_assert_eq!(parsed, Request::CreatePurgeTask(request));
    }

    #[test]
    fn prefetches_parse_back_to_themselves(
        zone in zone(),
        urls in prop::collection::vec(cdn_url(), 1..30),
        segments in any::<bool>(),
        header_count in 0usize..3,
    ) {
        let headers = (0..header_count)
            .map(|i| HttpHeader::new(&format!("X-H{i}"), "v").unwrap())
            .collect();
        let options = PrefetchOptions { headers, media_segments: segments };
        let request = CreatePrefetchTask::new(zone, urls, options).unwrap();
        let parsed = parse(Action::CreatePrefetchTask, &request.to_json()).unwrap();
        prop_assert_eq!(parsed, Request::CreatePrefetchTask(request));
    }

    #[test]
    fn task_queries_parse_back_to_themselves(
        zone in zone(),
        selector in selector(),
        limit in prop::option::of(1u64..=1000),
        statuses in prop::collection::vec(prop::sample::select(TaskStatus::ALL.to_vec()), 0..3),
        purge_type in prop::option::of(prop::sample::select(PurgeType::ALL.to_vec())),
    ) {
        let query = TaskQuery { limit, statuses, ..TaskQuery::new(zone, selector) };
        let purge = DescribePurgeTasks { query: query.clone(), purge_type };
        let parsed = parse(Action::DescribePurgeTasks, &purge.to_json()).unwrap();
        prop_assert_eq!(parsed, Request::DescribePurgeTasks(purge));
        let prefetch = DescribePrefetchTasks { query };
        let parsed = parse(Action::DescribePrefetchTasks, &prefetch.to_json()).unwrap();
        prop_assert_eq!(parsed, Request::DescribePrefetchTasks(prefetch));
    }

    #[test]
    fn times_keep_their_instant_through_any_offset(unix in -1_000_000_000i64..4_000_000_000, offset_min in -(23 * 60 + 59)..=(23 * 60 + 59i64)) {
        let local = unix + offset_min * 60;
        let utc = Time::from_unix(local);
        let sign = if offset_min < 0 { '-' } else { '+' };
        let text = format!(
            "{}{sign}{:02}:{:02}",
            &utc.as_str()[..19],
            offset_min.abs() / 60,
            offset_min.abs() % 60
        );
        prop_assert_eq!(Time::parse(&text).unwrap().unix(), unix);
    }

    #[test]
    fn more_targets_than_the_batch_are_refused_by_builder_and_server(
        zone in zone(),
        urls in prop::collection::vec(cdn_url(), 2..30),
    ) {
        let limit = urls.len() - 1;
        prop_assert!(CreatePurgeTask::with_limit(zone.clone(), PurgeTargets::Urls(urls.clone()), limit).is_err());
        let body = CreatePurgeTask::new(zone, PurgeTargets::Urls(urls)).unwrap().to_json();
        let limits = BatchLimits { purge_url: limit, ..BatchLimits::default() };
        let err = Request::from_json(Action::CreatePurgeTask, body.as_bytes(), &limits).unwrap_err();
        prop_assert_eq!(err.code().as_str(), "LimitExceeded.BatchQuota");
        prop_assert_eq!(class_of_error(&err), ErrorClass::BatchLimit);
    }
}

#[test]
fn the_server_refuses_what_the_builders_cannot_make() {
    let cases = [
        (
            Action::CreatePurgeTask,
            r#"{"Type":"purge_url","Targets":["https://a.com/"]}"#,
            "MissingParameter",
        ),
        (
            Action::CreatePurgeTask,
            r#"{"ZoneId":"zone-1","Type":"purge_all","Targets":["https://a.com/"]}"#,
            "InvalidParameter.ParameterError",
        ),
        (
            Action::CreatePurgeTask,
            r#"{"ZoneId":"zone-1","Type":"purge_url","Method":"delete","Targets":["https://a.com/"]}"#,
            "InvalidParameter.ParameterError",
        ),
        (
            Action::CreatePurgeTask,
            r#"{"ZoneId":"zone-1","Type":"purge_url","Targets":[]}"#,
            "InvalidParameter.ParameterError",
        ),
        (
            Action::CreatePurgeTask,
            r#"{"ZoneId":"zone-1","Type":"purge_url","Targets":["ftp://a.com/"]}"#,
            "InvalidParameter.Target",
        ),
        (
            Action::CreatePurgeTask,
            r#"{"ZoneId":"zone-1","Type":"purge_dir","Targets":["https://a.com/"]}"#,
            "InvalidParameterValue",
        ),
        (
            Action::CreatePurgeTask,
            r#"{"ZoneId":"zone-1","Type":"purge_url","Targets":["https://a.com/"],"Area":"x"}"#,
            "UnknownParameter",
        ),
        (
            Action::CreatePrefetchTask,
            r#"{"ZoneId":"zone-1","Targets":["https://a.com/"],"PrefetchMediaSegments":"yes"}"#,
            "InvalidParameter.ParameterError",
        ),
        (
            Action::DescribePurgeTasks,
            r#"{"ZoneId":"zone-1"}"#,
            "InvalidParameter.ParameterError",
        ),
        (
            Action::DescribePurgeTasks,
            r#"{"ZoneId":"zone-1","StartTime":"2022-01-01T00:00:00Z","EndTime":"2022-01-09T00:00:00Z"}"#,
            "InvalidParameter.ParameterError",
        ),
        (
            Action::DescribePrefetchTasks,
            r#"{"ZoneId":"zone-1","Filters":[{"Name":"type","Values":["purge_url"]}]}"#,
            "InvalidParameter.ParameterError",
        ),
        (Action::DescribeContentQuota, r#"{}"#, "MissingParameter"),
        (
            Action::DescribeZones,
            r#"{"Limit":101}"#,
            "InvalidParameter.ParameterError",
        ),
        (Action::DescribeZones, r#"[]"#, "InvalidParameter"),
    ];
    for (action, body, code) in cases {
        let err = parse(action, body).expect_err(body);
        assert_eq!(err.code().as_str(), code, "{body}: {err}");
    }
}
