//! EdgeOne (`teo`, 2022-09-01) at `/` over real HTTP on 127.0.0.1: the six
//! actions under every signature, the zones and their `FailedList`, the
//! quotas, the tasks' states over the task delay, the signature's service,
//! injected errors and `GET /_emulator/tasks`.

mod common;

use std::time::Duration;

use common::v3::*;
use serde_json::{Value, json};
use tcdn_emulator::{Config, EdgeOneQuota, TaskProgress};
use tcdn_model::teo::QuotaType;

const ZONE: &str = "zone-2noz78a8ev6k";
const OTHER_ZONE: &str = "zone-other000001";

/// An emulator on [`common::NOW`] serving two zones.
async fn start(
    adjust: impl FnOnce(&mut Config),
) -> (tcdn_emulator::RunningEmulator, tcdn_emulator::ManualClock) {
    start_at(|config| {
        config.edgeone.zones = vec![
            format!("{ZONE}=example.com").parse().unwrap(),
            format!("{OTHER_ZONE}=example.org").parse().unwrap(),
        ];
        adjust(config);
    })
    .await
}

/// Flattens a JSON body into the pairs a v1 request or TC3 GET carries.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    let name = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| flatten(&name(k), v, out)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| flatten(&name(&i.to_string()), v, out)),
        Value::String(text) => out.push((prefix.to_owned(), text.clone())),
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}

/// An EdgeOne call: version 2022-09-01, TC3 scope service `teo`.
fn teo(sig: Sig, action: &str, body: Value) -> Call {
    let mut flat = Vec::new();
    flatten("", &body, &mut flat);
    let flat: Vec<(&str, &str)> = flat.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut call = Call::raw(sig, action, &body.to_string(), &flat);
    call.version = "2022-09-01".to_owned();
    call.service = "teo";
    call
}

fn purge(purge_type: &str, targets: &[&str]) -> Value {
    json!({"ZoneId": ZONE, "Type": purge_type, "Targets": targets})
}

fn by_job(job_id: &Value) -> Value {
    json!({"ZoneId": ZONE, "Filters": [{"Name": "job-id", "Values": [job_id]}]})
}

#[tokio::test]
async fn every_action_is_served_under_every_signature_and_method() {
    let (running, _) = start(|_| {}).await;
    for (n, sig) in EVERY_SIG.into_iter().enumerate() {
        let call = |action: &str, body: Value| {
            let mut call = teo(sig, action, body);
            call.nonce = n as u64 * 100 + 1;
            call
        };
        let zones = call("DescribeZones", json!({})).ok(&running).await;
        assert_eq!(zones["TotalCount"], 2, "{sig:?}: {zones}");
        assert_eq!(zones["Zones"][0]["ZoneName"], "example.com");
        let named = json!({"Filters": [{"Name": "zone-name", "Values": ["example.org"]}]});
        let zones = call("DescribeZones", named).ok(&running).await;
        assert_eq!(zones["Zones"][0]["ZoneId"], OTHER_ZONE, "{sig:?}: {zones}");

        let urls = [
            "https://www.example.com/a.js",
            "https://img.example.com/b.png",
        ];
        let created = call("CreatePurgeTask", purge("purge_url", &urls))
            .ok(&running)
            .await;
        assert_eq!(created["FailedList"], json!([]), "{sig:?}: {created}");
        let job = created["JobId"].clone();
        assert_eq!(job.as_str().unwrap().len(), 12, "{job}");
        let tasks = call("DescribePurgeTasks", by_job(&job)).ok(&running).await;
        assert_eq!(tasks["TotalCount"], 2, "{sig:?}: {tasks}");
        let targets: Vec<&str> = tasks["Tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["Target"].as_str().unwrap())
            .collect();
        assert_eq!(targets, urls);
        assert_eq!(tasks["Tasks"][0]["Status"], "processing");
        assert_eq!(tasks["Tasks"][0]["Type"], "purge_url");
        assert_eq!(tasks["Tasks"][0]["CreateTime"], "2023-11-14T22:13:20Z");

        let mut prefix = purge("purge_prefix", &["https://www.example.com/img/"]);
        prefix["Method"] = json!("delete");
        let host = purge("purge_host", &["www.example.com"]);
        let mut tag = purge("purge_cache_tag", &["tag-1"]);
        tag["CacheTag"] = json!({"Domains": ["www.example.com"]});
        let all = json!({"ZoneId": ZONE, "Type": "purge_all"});
        for (body, kind, method, target) in [
            (
                prefix,
                "purge_prefix",
                json!("delete"),
                "https://www.example.com/img/",
            ),
            (host, "purge_host", json!("invalidate"), "www.example.com"),
            (tag, "purge_cache_tag", Value::Null, "tag-1"),
            (all, "purge_all", json!("invalidate"), "example.com"),
        ] {
            let job = call("CreatePurgeTask", body).ok(&running).await["JobId"].clone();
            let tasks = call("DescribePurgeTasks", by_job(&job)).ok(&running).await;
            let task = &tasks["Tasks"][0];
            assert_eq!(
                (
                    &task["Type"],
                    &task["Target"],
                    task.get("Method").unwrap_or(&Value::Null)
                ),
                (&json!(kind), &json!(target), &method),
                "{sig:?}: {tasks}"
            );
        }

        let prefetch = json!({
            "ZoneId": ZONE,
            "Targets": ["https://www.example.com/v.m3u8"],
            "Headers": [{"Name": "X-Warm", "Value": "1"}],
            "PrefetchMediaSegments": "on",
        });
        let job = call("CreatePrefetchTask", prefetch).ok(&running).await["JobId"].clone();
        let tasks = call("DescribePrefetchTasks", by_job(&job))
            .ok(&running)
            .await;
        assert_eq!(
            tasks["Tasks"][0]["Type"], "prefetch_url",
            "{sig:?}: {tasks}"
        );
        let purges = call("DescribePurgeTasks", by_job(&job)).ok(&running).await;
        assert_eq!(purges["TotalCount"], 0, "a prefetch is no purge: {purges}");

        let quota = call("DescribeContentQuota", json!({"ZoneId": ZONE}))
            .ok(&running)
            .await;
        let types: Vec<&str> = quota["PurgeQuota"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["Type"].as_str().unwrap())
            .collect();
        assert_eq!(
            types,
            [
                "purge_prefix",
                "purge_url",
                "purge_host",
                "purge_all",
                "purge_cache_tag"
            ]
        );
        assert_eq!(quota["PrefetchQuota"][0]["Type"], "prefetch_url");
    }
    let tasks = running.emulator().tasks();
    assert_eq!(tasks.len(), 6 * EVERY_SIG.len());
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn targets_outside_the_zone_fail_alone_and_unknown_zones_are_refused() {
    let (running, _) = start(|_| {}).await;
    let mixed = purge(
        "purge_url",
        &[
            "https://www.example.com/a.js",
            "https://www.example.org/b.js",
        ],
    );
    let created = teo(Sig::Tc3Post, "CreatePurgeTask", mixed)
        .ok(&running)
        .await;
    assert_eq!(
        created["FailedList"],
        json!([{"Reason": "domain not valid", "Targets": ["https://www.example.org/b.js"]}])
    );
    let tasks = teo(
        Sig::Tc3Post,
        "DescribePurgeTasks",
        by_job(&created["JobId"]),
    )
    .ok(&running)
    .await;
    assert_eq!(tasks["TotalCount"], 1, "{tasks}");

    let foreign = purge("purge_host", &["example.org"]);
    let (code, message) = teo(Sig::Tc3Post, "CreatePurgeTask", foreign)
        .error(&running)
        .await;
    assert_eq!(code, "InvalidParameter.DomainNotFound", "{message}");
    let mut tag = purge("purge_cache_tag", &["t"]);
    tag["CacheTag"] = json!({"Domains": ["www.example.org"]});
    let (code, _) = teo(Sig::Tc3Post, "CreatePurgeTask", tag)
        .error(&running)
        .await;
    assert_eq!(code, "InvalidParameter.DomainNotFound");

    for action in [
        "CreatePurgeTask",
        "DescribeContentQuota",
        "DescribePurgeTasks",
    ] {
        let body = json!({"ZoneId": "zone-nosuchzone", "Type": "purge_url", "Targets": ["https://www.example.com/"]});
        let body = match action {
            "CreatePurgeTask" => body,
            "DescribeContentQuota" => json!({"ZoneId": "zone-nosuchzone"}),
            _ => {
                json!({"ZoneId": "zone-nosuchzone", "Filters": [{"Name": "job-id", "Values": ["x"]}]})
            }
        };
        let (code, _) = teo(Sig::Tc3Post, action, body).error(&running).await;
        assert_eq!(code, "ResourceNotFound.ZoneNotFound", "{action}");
    }
    let (code, _) = teo(
        Sig::Tc3Post,
        "CreatePurgeTask",
        json!({"Type": "purge_url"}),
    )
    .error(&running)
    .await;
    assert_eq!(code, "MissingParameter");
    let (code, _) = teo(
        Sig::Tc3Post,
        "CreatePurgeTask",
        purge("purge_url", &["not a url"]),
    )
    .error(&running)
    .await;
    assert_eq!(code, "InvalidParameter.Target");
    let (code, _) = teo(Sig::Tc3Post, "PurgeUrlsCache", json!({}))
        .error(&running)
        .await;
    assert_eq!(code, "InvalidAction", "the CDN's actions are not EdgeOne's");
    assert_eq!(
        running.emulator().tasks().len(),
        1,
        "refusals apply nothing"
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn per_call_and_daily_quotas_are_each_zones_own_per_type() {
    let (running, clock) = start(|config| {
        let quota = EdgeOneQuota { batch: 2, daily: 3 };
        config.edgeone.quotas.set(QuotaType::PurgeHost, quota);
    })
    .await;
    let hosts = |zone: &str, names: &[&str]| json!({"ZoneId": zone, "Type": "purge_host", "Targets": names});
    let (code, _) = teo(
        Sig::Tc3Post,
        "CreatePurgeTask",
        hosts(ZONE, &["a.example.com", "b.example.com", "c.example.com"]),
    )
    .error(&running)
    .await;
    assert_eq!(code, "LimitExceeded.BatchQuota");
    let two = hosts(ZONE, &["a.example.com", "b.example.com"]);
    teo(Sig::Tc3Post, "CreatePurgeTask", two.clone())
        .ok(&running)
        .await;
    let (code, message) = teo(Sig::Tc3Post, "CreatePurgeTask", two)
        .error(&running)
        .await;
    assert_eq!(code, "LimitExceeded.DailyQuota", "{message}");
    assert!(message.contains("2 of 3"), "{message}");
    let one = hosts(ZONE, &["a.example.com"]);
    teo(Sig::Tc3Post, "CreatePurgeTask", one.clone())
        .ok(&running)
        .await;
    let other = hosts(OTHER_ZONE, &["a.example.org", "b.example.org"]);
    teo(Sig::Tc3Post, "CreatePurgeTask", other)
        .ok(&running)
        .await;
    let url = purge("purge_url", &["https://www.example.com/a.js"]);
    teo(Sig::Tc3Post, "CreatePurgeTask", url).ok(&running).await;

    let quota = teo(
        Sig::Tc3Post,
        "DescribeContentQuota",
        json!({"ZoneId": ZONE}),
    )
    .ok(&running)
    .await;
    let of = |kind: &str| {
        quota["PurgeQuota"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["Type"] == kind)
            .unwrap()
            .clone()
    };
    assert_eq!(
        of("purge_host"),
        json!({"Batch": 2, "Daily": 3, "DailyAvailable": 0, "Type": "purge_host"})
    );
    assert_eq!(of("purge_url")["DailyAvailable"], 9999);

    // A new Beijing day (16:00 UTC) brings the quota back.
    clock.advance_millis(24 * 3600 * 1000);
    let mut tomorrow = teo(Sig::Tc3Post, "CreatePurgeTask", one);
    tomorrow.timestamp += 24 * 3600;
    tomorrow.ok(&running).await;
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn tasks_turn_from_processing_to_success_or_failed_after_the_task_delay() {
    let (running, clock) = start(|config| {
        config.tasks = TaskProgress {
            delay: Duration::from_secs(5),
            fail_rate: 0.0,
        };
    })
    .await;
    let job = teo(
        Sig::Tc3Post,
        "CreatePurgeTask",
        purge("purge_url", &["https://www.example.com/a"]),
    )
    .ok(&running)
    .await["JobId"]
        .clone();
    let status = |tasks: &Value| tasks["Tasks"][0]["Status"].as_str().unwrap().to_owned();
    let tasks = teo(Sig::Tc3Post, "DescribePurgeTasks", by_job(&job))
        .ok(&running)
        .await;
    assert_eq!(status(&tasks), "processing");
    assert_eq!(
        tasks["Tasks"][0]["UpdateTime"],
        tasks["Tasks"][0]["CreateTime"]
    );
    clock.advance_millis(4000);
    let tasks = teo(Sig::Tc3Post, "DescribePurgeTasks", by_job(&job))
        .ok(&running)
        .await;
    assert_eq!(status(&tasks), "processing");
    clock.advance_millis(1000);
    let tasks = teo(Sig::Tc3Post, "DescribePurgeTasks", by_job(&job))
        .ok(&running)
        .await;
    assert_eq!(status(&tasks), "success");
    assert_eq!(tasks["Tasks"][0]["UpdateTime"], "2023-11-14T22:13:25Z");
    let mut done = by_job(&job);
    done["Filters"] = json!([{"Name": "statuses", "Values": ["processing"]}]);
    done["StartTime"] = json!("2023-11-14T22:00:00Z");
    done["EndTime"] = json!("2023-11-15T06:30:00+08:00");
    let tasks = teo(Sig::Tc3Post, "DescribePurgeTasks", done)
        .ok(&running)
        .await;
    assert_eq!(tasks["TotalCount"], 0, "{tasks}");
    running.shutdown().await.unwrap();

    let (failing, _) = start(|config| {
        config.tasks = TaskProgress {
            delay: Duration::ZERO,
            fail_rate: 1.0,
        };
    })
    .await;
    let prefetch = json!({"ZoneId": ZONE, "Targets": ["https://www.example.com/a"]});
    let job = teo(Sig::Tc3Post, "CreatePrefetchTask", prefetch)
        .ok(&failing)
        .await["JobId"]
        .clone();
    let tasks = teo(Sig::Tc3Post, "DescribePrefetchTasks", by_job(&job))
        .ok(&failing)
        .await;
    assert_eq!(tasks["Tasks"][0]["Status"], "failed", "{tasks}");
    assert_eq!(tasks["Tasks"][0]["FailType"], "taskFailed");
    failing.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_signature_names_the_service_teo_and_either_host() {
    let (running, _) = start(|_| {}).await;
    for sig in [Sig::Tc3Post, Sig::Tc3Get] {
        let mut wrong = teo(sig, "DescribeZones", json!({}));
        wrong.service = "cdn";
        let (code, message) = wrong.error(&running).await;
        assert_eq!(code, "AuthFailure.SignatureFailure", "{sig:?}: {message}");
        let mut public = teo(sig, "DescribeZones", json!({}));
        public.signed_host = Some("teo.tencentcloudapi.com".to_owned());
        public.ok(&running).await;
        let mut cdn_host = teo(sig, "DescribeZones", json!({}));
        cdn_host.signed_host = Some("cdn.tencentcloudapi.com".to_owned());
        let (code, _) = cdn_host.error(&running).await;
        assert_eq!(code, "AuthFailure.SignatureFailure", "{sig:?}");
    }
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn injected_errors_name_edgeone_actions_with_teo() {
    let (running, _) = start(|config| {
        config.inject_errors = vec![
            "teo:CreatePurgeTask=LimitExceeded.DailyQuota"
                .parse()
                .unwrap(),
            "DescribePurgeTasks=InternalError".parse().unwrap(),
        ];
    })
    .await;
    let (code, _) = teo(
        Sig::Tc3Post,
        "CreatePurgeTask",
        purge("purge_url", &["https://www.example.com/a"]),
    )
    .error(&running)
    .await;
    assert_eq!(code, "LimitExceeded.DailyQuota");
    let any = json!({"ZoneId": ZONE, "Filters": [{"Name": "job-id", "Values": ["x"]}]});
    teo(Sig::Tc3Post, "DescribePurgeTasks", any)
        .ok(&running)
        .await;
    assert!(running.emulator().tasks().is_empty());
    assert!(
        "teo:PurgeUrlsCache=InternalError"
            .parse::<tcdn_emulator::InjectedError>()
            .is_err()
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn emulator_tasks_lists_edgeone_tasks_with_their_product_and_zone() {
    let (running, _) = start(|_| {}).await;
    Call::new(Sig::Tc3Post, &purge_urls(1)).ok(&running).await;
    let created = teo(
        Sig::Tc3Post,
        "CreatePurgeTask",
        purge("purge_host", &["www.example.com"]),
    )
    .ok(&running)
    .await;
    let listed = tcdn_transport::Transport::send(
        &common::transport(),
        common::get(format!("{}/_emulator/tasks", running.origin())),
    )
    .await
    .unwrap();
    let listed: Value = serde_json::from_slice(listed.body()).unwrap();
    assert!(listed[0].get("product").is_none() && listed[0].get("zone_id").is_none());
    let task = &listed[1];
    assert_eq!(task["product"], "edgeone", "{task}");
    assert_eq!(task["zone_id"], ZONE);
    assert_eq!(task["task_id"], created["JobId"]);
    assert_eq!(task["type"], "purge_host");
    assert_eq!(task["urls"], json!(["www.example.com"]));
    assert_eq!(task["statuses"], json!(["processing"]));
    assert_eq!(task["api"], "v3");
    running.shutdown().await.unwrap();
}
