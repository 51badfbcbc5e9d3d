//! Snapshots of EdgeOne request bodies, one per action and purge type.
//!
//! When written, the bodies were compared with the official Python SDK's
//! (`tencentcloud-sdk-python-teo`: the request model's `_serialize()`
//! dumped with `separators=(",", ":")` and `ensure_ascii=False`): the same
//! fields in the same order.

use tcdn_model::CdnUrl;
use tcdn_model::teo::{
    ActionRequest, CacheTag, CreatePrefetchTask, CreatePurgeTask, DescribeContentQuota,
    DescribePrefetchTasks, DescribePurgeTasks, DescribeZones, Hostname, JobId, Method,
    PrefetchOptions, PurgeTargets, PurgeType, TargetText, TaskQuery, TaskSelector, TaskStatus,
    Time, ZoneId,
};
use tcdn_model::v3::HttpHeader;

fn zone() -> ZoneId {
    ZoneId::new("zone-2noz78a8ev6k").unwrap()
}

fn urls(list: &[&str]) -> Vec<CdnUrl> {
    list.iter().map(|u| u.parse().unwrap()).collect()
}

fn hosts(list: &[&str]) -> Vec<Hostname> {
    list.iter().map(|h| Hostname::new(h).unwrap()).collect()
}

fn body<R: ActionRequest>(request: &R) -> String {
    let json = request.to_json();
    serde_json::from_str::<serde_json::Value>(&json).expect("the body is JSON");
    format!("{}\n{json}\n", R::ACTION)
}

#[test]
fn purges_of_every_type() {
    let purges = [
        PurgeTargets::Urls(urls(&[
            "https://www.example.com/a.jpg",
            "https://www.example.com/图.png",
        ])),
        PurgeTargets::Prefixes(urls(&["https://www.example.com/img/"]), Method::Invalidate),
        PurgeTargets::Hosts(
            hosts(&["www.example.com", "img.example.com"]),
            Method::Delete,
        ),
        PurgeTargets::All(Method::Delete),
        PurgeTargets::CacheTags {
            tags: vec![CacheTag::new("product-42").unwrap()],
            domains: hosts(&["www.example.com"]),
        },
        PurgeTargets::CacheTags {
            tags: vec![CacheTag::new("a").unwrap(), CacheTag::new("b").unwrap()],
            domains: Vec::new(),
        },
    ];
    let out: String = purges
        .into_iter()
        .map(|targets| body(&CreatePurgeTask::new(zone(), targets).unwrap()))
        .collect();
    insta::assert_snapshot!(out);
}

#[test]
fn prefetches_plain_and_with_every_option() {
    let plain = CreatePrefetchTask::new(
        zone(),
        urls(&["https://www.example.com/a.mp4"]),
        PrefetchOptions::default(),
    )
    .unwrap();
    let options = PrefetchOptions {
        headers: vec![
            HttpHeader::new("X-Warm", "1").unwrap(),
            HttpHeader::new("Accept-Language", "zh-CN").unwrap(),
        ],
        media_segments: true,
    };
    let full = CreatePrefetchTask::new(
        zone(),
        urls(&["https://www.example.com/live/index.m3u8"]),
        options,
    )
    .unwrap();
    insta::assert_snapshot!(format!("{}{}", body(&plain), body(&full)));
}

#[test]
fn task_queries_by_job_and_by_window_with_filters() {
    let by_job = DescribePurgeTasks {
        query: TaskQuery::new(
            zone(),
            TaskSelector::job(JobId::new("20ga521cpwch").unwrap()),
        ),
        purge_type: None,
    };
    let window = TaskSelector::window(
        Time::parse("2022-02-09T00:00:00Z").unwrap(),
        Time::parse("2022-02-09T10:00:00+08:00").unwrap(),
    )
    .unwrap();
    let mut query = TaskQuery::new(zone(), window);
    query.offset = Some(0);
    query.limit = Some(5000);
    query.target = Some(TargetText::new("https://www.example.com/a.jpg").unwrap());
    query.statuses = vec![TaskStatus::Processing, TaskStatus::Failed];
    let filtered = DescribePurgeTasks {
        query: query.clone(),
        purge_type: Some(PurgeType::Url),
    };
    let prefetch = DescribePrefetchTasks { query };
    insta::assert_snapshot!(format!(
        "{}{}{}",
        body(&by_job),
        body(&filtered),
        body(&prefetch)
    ));
}

#[test]
fn quota_and_zone_queries() {
    let quota = DescribeContentQuota { zone_id: zone() };
    let first = DescribeZones::page(0, 100).unwrap();
    let named = DescribeZones::page(0, 20)
        .unwrap()
        .with_zone_names(hosts(&["example.com"]))
        .unwrap()
        .with_zone_ids(vec![zone()])
        .unwrap();
    insta::assert_snapshot!(format!("{}{}{}", body(&quota), body(&first), body(&named)));
}
