//! Snapshots of API 3.0 wire forms: the JSON body of each action and the
//! flattened parameters (names, raw values and the encoded form) of the same
//! requests, each checked against its computed length.
//!
//! When written, the bodies were compared byte for byte with the official
//! Python SDK's (`tencentcloud-sdk-python` 3.x: the request model's
//! `_serialize()` dumped with `separators=(",", ":")` and
//! `ensure_ascii=False`), and the forms with its `_format_params` then
//! `urlencode`: the same fields, order, `True` and encoding.

use tcdn_model::CdnUrl;
use tcdn_model::v3::{
    ActionRequest, Area, DateTime, DescribePurgeQuota, DescribePurgeTasks, DescribePushQuota,
    DescribePushTasks, FlushType, Headers, HttpHeader, Keyword, Layer, PurgeArea, PurgeOptions,
    PurgePaths, PurgeStatus, PurgeType, PurgeUrls, PushOptions, PushUrls, TaskId, TaskSelector,
    TaskStatus, UserAgent, append_flat_form,
};

fn urls(list: &[&str]) -> Vec<CdnUrl> {
    list.iter().map(|u| u.parse().unwrap()).collect()
}

/// Both wire forms, lengths checked.
fn wire<R: ActionRequest>(request: &R) -> String {
    let json = request.to_json();
    assert_eq!(json.len(), request.json_len(), "{json}");
    serde_json::from_str::<serde_json::Value>(&json).expect("the body is JSON");
    let params = request.flat_params();
    let mut form = String::new();
    append_flat_form(&mut form, &params);
    assert_eq!(form.len(), request.flat_form_len(), "{form}");
    let mut out = format!("{}\nJSON {json}\n", R::ACTION);
    for (name, value) in &params {
        out.push_str(&format!("  {name} = {value}\n"));
    }
    out.push_str(&format!("FORM {form}\n"));
    out
}

#[test]
fn purge_urls_minimal() {
    let r = PurgeUrls::new(
        urls(&["https://www.example.com/a.jpg"]),
        PurgeOptions::default(),
    )
    .unwrap();
    insta::assert_snapshot!(wire(&r));
}

#[test]
fn purge_urls_with_area_and_encoding() {
    let options = PurgeOptions {
        area: Some(PurgeArea::Mainland),
        url_encode: true,
    };
    let r = PurgeUrls::new(
        urls(&[
            "https://www.example.com/图片/猫.jpg?w=1&h=2",
            "http://www.example.com/a%20b\"c\\d",
            "https://www.example.com/x+y~z",
        ]),
        options,
    )
    .unwrap();
    insta::assert_snapshot!(wire(&r));
}

#[test]
fn purge_paths() {
    let options = PurgeOptions {
        area: Some(PurgeArea::Overseas),
        url_encode: false,
    };
    let r = PurgePaths::new(
        urls(&[
            "https://www.example.com/static/",
            "https://www.example.com/img/",
        ]),
        FlushType::Delete,
        options,
    )
    .unwrap();
    insta::assert_snapshot!(wire(&r));
}

#[test]
fn push_urls_every_option() {
    let options = PushOptions {
        user_agent: Some(UserAgent::new("Mozilla/5.0 (compatible; warmer)").unwrap()),
        area: Some(Area::Global),
        layer: Some(Layer::Middle),
        parse_m3u8: true,
        disable_range: true,
        headers: Headers::new(vec![
            HttpHeader::new("X-Warm", "1").unwrap(),
            HttpHeader::new("Referer", "https://www.example.com/?a=1&b=2").unwrap(),
        ])
        .unwrap(),
        url_encode: true,
    };
    let r = PushUrls::new(
        urls(&[
            "https://www.example.com/v/index.m3u8",
            "https://www.example.com/v/1.ts",
        ]),
        options,
    )
    .unwrap();
    insta::assert_snapshot!(wire(&r));
}

#[test]
fn push_urls_twelve_urls_index_order() {
    let list: Vec<String> = (0..12)
        .map(|i| format!("https://cdn.example.com/{i}.js"))
        .collect();
    let refs: Vec<&str> = list.iter().map(String::as_str).collect();
    let r = PushUrls::new(urls(&refs), PushOptions::default()).unwrap();
    insta::assert_snapshot!(wire(&r));
}

#[test]
fn describe_purge_tasks_every_filter() {
    let selector = TaskSelector::new(
        Some(TaskId::new("1533045796-i60rfmzm").unwrap()),
        Some(DateTime::parse("2018-08-08 00:00:00").unwrap()),
        Some(DateTime::parse("2018-08-08 23:59:59").unwrap()),
    )
    .unwrap();
    let mut q = DescribePurgeTasks::new(selector);
    q.purge_type = Some(PurgeType::Path);
    q.offset = Some(40);
    q.limit = Some(20);
    q.keyword = Some(Keyword::new("www.example.com").unwrap());
    q.status = Some(PurgeStatus::Done);
    q.area = Some(Area::Overseas);
    insta::assert_snapshot!(wire(&q));
}

#[test]
fn describe_push_tasks_by_id_and_by_time() {
    let by_id = DescribePushTasks::new(TaskSelector::task(
        TaskId::new("98547009889354471").unwrap(),
    ));
    let mut by_time = DescribePushTasks::new(
        TaskSelector::since(DateTime::parse("2024-02-29 08:00:00").unwrap(), None).unwrap(),
    );
    by_time.status = Some(TaskStatus::Invalid);
    by_time.area = Some(Area::Mainland);
    by_time.limit = Some(100);
    insta::assert_snapshot!(format!("{}{}", wire(&by_id), wire(&by_time)));
}

#[test]
fn quota_queries_have_empty_bodies() {
    insta::assert_snapshot!(format!(
        "{}{}",
        wire(&DescribePurgeQuota),
        wire(&DescribePushQuota)
    ));
}
