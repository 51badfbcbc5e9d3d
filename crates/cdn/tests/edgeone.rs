//! The EdgeOne client against an in-process server (a `FnTransport` that
//! verifies each TC3 signature under the service `teo` and reads each body
//! with the model's server-side parser): zones found by host, batches per
//! zone by the quota's `Batch`, `FailedList` targets failed, lost answers
//! looked up, prefix purges and prefetches.

use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tcdn::model::teo::{
    Action, BatchLimits, CacheTag, ContentQuota, ErrorCode, FailReason, Hostname, Method,
    PurgeTargets, Quota, Request, Task, TaskCreated, Tasks, Time, Zone, ZoneId, Zones,
};
use tcdn::model::v3::{Answer, AnswerBody, FlushType, Headers, HttpHeader, PushOptions};
use tcdn::nonce::Nonce;
use tcdn::retry::Jitter;
use tcdn::sign::tc3::{self, Authorization, Service};
use tcdn::sign::{HttpMethod, SecretKey};
use tcdn::test_util::mock::FnTransport;
use tcdn::test_util::{ManualClock, ManualSleeper, SequentialNonces};
use tcdn::transport::TransportError;
use tcdn::wait::TaskIds;
use tcdn::{CdnUrl, Client, Credentials, Job, Operation, Product, RetryPolicy};

const ID: &str = "AKIDteoTestAAAAAAAAAAAAAAAAAAAAAAAAAA";
const KEY: &str = "teo-test-secret-key";
const START: u64 = 1_700_000_000;

/// One accepted call, as the fake server keeps it.
#[derive(Debug, Clone)]
struct Job1 {
    id: String,
    zone: String,
    kind: String,
    method: Option<String>,
    targets: Vec<String>,
    headers: usize,
    segments: bool,
}

#[derive(Debug, Default)]
struct Server {
    zones: Vec<(&'static str, &'static str)>,
    /// `Batch` of every quota (0: the default).
    batch: i64,
    jobs: Vec<Job1>,
    actions: Vec<Action>,
    /// Accepted creations whose answer is lost, counting down.
    lose: usize,
    /// Whether a creation whose answer is lost is never listed (as if the
    /// listing lagged).
    unlisted: bool,
    /// Targets every creation lists in `FailedList`.
    refuse: Vec<&'static str>,
    /// An error to answer every creation with.
    error: Option<&'static str>,
    /// Tasks are `processing` for this many lookups by `JobId`, then
    /// `final_status` (empty: `success`).
    finish_after: usize,
    final_status: &'static str,
    polls: usize,
}

fn ok<T: AnswerBody>(value: T) -> Result<http::Response<Bytes>, TransportError> {
    Ok(tcdn::test_util::mock::response(
        200,
        Answer::ok("req-ok", value).to_json(),
    ))
}

/// Verifies the signature and reads the request, as EdgeOne does.
fn read(request: &http::Request<Bytes>) -> Request {
    let header = |name: &str| request.headers()[name].to_str().unwrap().to_owned();
    let pairs: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let authorization = header("authorization");
    let auth = Authorization::parse(&authorization).unwrap();
    assert_eq!(auth.secret_id(), ID);
    let signed = tc3::Request {
        method: HttpMethod::Post,
        query: "",
        headers: &pairs,
        payload: request.body(),
    };
    let teo = Service::new("teo").unwrap();
    tc3::verify(
        &auth,
        &SecretKey::from(KEY),
        teo,
        &signed,
        &header("x-tc-timestamp"),
    )
    .unwrap();
    assert_eq!(header("x-tc-version"), "2022-09-01");
    assert_eq!(header("content-type"), "application/json");
    let action = Action::from_name(&header("x-tc-action")).unwrap();
    Request::from_json(action, request.body(), &BatchLimits::default()).unwrap()
}

impl Server {
    fn answer(
        &mut self,
        request: &http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let parsed = read(request);
        self.actions.push(parsed.action());
        let zone = parsed.zone_id().map(|z| z.as_str().to_owned());
        let (kind, method, targets, headers, segments) = match &parsed {
            Request::DescribeZones(page) => {
                let all: Vec<Zone> = self
                    .zones
                    .iter()
                    .map(|(id, name)| Zone {
                        zone_id: (*id).to_owned(),
                        zone_name: (*name).to_owned(),
                        status: Some("active".to_owned()),
                        alias_zone_name: None,
                        paused: Some(false),
                    })
                    .collect();
                let total_count = all.len() as i64;
                let zones = all
                    .into_iter()
                    .skip(usize::try_from(page.offset()).unwrap())
                    .take(usize::try_from(page.limit().unwrap_or(20)).unwrap())
                    .collect();
                return ok(Zones { zones, total_count });
            }
            Request::DescribeContentQuota(_) => {
                let quota = |kind: &str| Quota {
                    batch: if self.batch > 0 { self.batch } else { 2000 },
                    daily: 10_000,
                    daily_available: 10_000,
                    r#type: kind.to_owned(),
                };
                return ok(ContentQuota {
                    purge: vec![
                        quota("purge_url"),
                        quota("purge_prefix"),
                        quota("purge_host"),
                        quota("purge_cache_tag"),
                    ],
                    prefetch: vec![quota("prefetch_url")],
                });
            }
            Request::DescribePurgeTasks(q) => return ok(self.tasks(&q.query, true)),
            Request::DescribePrefetchTasks(q) => return ok(self.tasks(&q.query, false)),
            Request::CreatePurgeTask(r) => (
                r.targets().purge_type().as_str().to_owned(),
                r.targets().method().map(|m| m.as_str().to_owned()),
                r.targets()
                    .texts()
                    .iter()
                    .map(|t| (*t).to_owned())
                    .collect(),
                0,
                false,
            ),
            Request::CreatePrefetchTask(r) => (
                "prefetch_url".to_owned(),
                None,
                r.urls()
                    .iter()
                    .map(|u| u.as_str().to_owned())
                    .collect::<Vec<_>>(),
                r.options().headers.len(),
                r.options().media_segments,
            ),
        };
        if let Some(code) = self.error {
            let error = ErrorCode::from_code(code).unwrap().error("refused");
            let answer = Answer::<TaskCreated>::error("req-err", error);
            return Ok(tcdn::test_util::mock::response(200, answer.to_json()));
        }
        let id = format!("job-{}", self.jobs.len() + 1);
        let failed: Vec<String> = targets
            .iter()
            .filter(|t| self.refuse.contains(&t.as_str()))
            .cloned()
            .collect();
        self.jobs.push(Job1 {
            id: id.clone(),
            zone: zone.unwrap(),
            kind,
            method,
            targets: targets
                .iter()
                .filter(|t| !failed.contains(t))
                .cloned()
                .collect(),
            headers,
            segments,
        });
        if self.lose > 0 {
            self.lose -= 1;
            if self.unlisted {
                self.jobs.pop();
            }
            return Err(
                TransportError::timeout("the answer was lost").with_may_have_reached_server(true)
            );
        }
        let failed = if failed.is_empty() {
            Vec::new()
        } else {
            vec![FailReason {
                reason: "domain not valid".to_owned(),
                targets: failed,
            }]
        };
        ok(TaskCreated { job_id: id, failed })
    }

    fn tasks(&mut self, query: &tcdn::model::teo::TaskQuery, purge: bool) -> Tasks {
        let created = Time::from_unix(START as i64).as_str().to_owned();
        let job = query.selector.job_id().map(|j| j.as_str().to_owned());
        let status = if job.is_some() {
            self.polls += 1;
            match (self.polls > self.finish_after, self.final_status) {
                (false, _) => "processing",
                (true, "") => "success",
                (true, status) => status,
            }
        } else {
            "success"
        };
        let zone = query.zone_id.as_str();
        let target = &query.target;
        let tasks: Vec<Task> = self
            .jobs
            .iter()
            .filter(|j| (j.kind != "prefetch_url") == purge && j.zone == zone)
            .filter(|j| job.as_ref().is_none_or(|id| *id == j.id))
            .flat_map(|job| {
                job.targets.iter().map(|t| Task {
                    job_id: job.id.clone(),
                    target: t.clone(),
                    r#type: job.kind.clone(),
                    method: job.method.clone(),
                    status: status.to_owned(),
                    create_time: created.clone(),
                    update_time: created.clone(),
                    fail_type: None,
                    fail_message: None,
                })
            })
            .filter(|task| target.as_ref().is_none_or(|t| t.as_str() == task.target))
            .collect();
        let total_count = tasks.len() as i64;
        Tasks { tasks, total_count }
    }
}

struct Harness {
    server: Arc<Mutex<Server>>,
    clock: ManualClock,
}

impl Harness {
    fn new(server: Server) -> Self {
        Self {
            server: Arc::new(Mutex::new(server)),
            clock: ManualClock::new(START),
        }
    }

    fn client(&self) -> Client {
        let server = self.server.clone();
        let transport = FnTransport::new(move |request: &http::Request<Bytes>| {
            server.lock().unwrap().answer(request)
        });
        Client::builder(Credentials::new(ID, KEY).unwrap())
            .product(Product::EdgeOne)
            .transport(Arc::new(transport))
            .clock(Arc::new(self.clock.clone()))
            .sleeper(Arc::new(ManualSleeper::new(self.clock.clone())))
            .nonce_source(Arc::new(SequentialNonces::new(Nonce::MIN)))
            .retry_policy(RetryPolicy::default().with_jitter(Jitter::None))
            .concurrency(NonZeroUsize::MIN)
            .build()
            .unwrap()
    }

    fn server(&self) -> std::sync::MutexGuard<'_, Server> {
        self.server.lock().unwrap()
    }
}

fn two_zones() -> Server {
    Server {
        zones: vec![("zone-com", "example.com"), ("zone-img", "img.example.com")],
        ..Server::default()
    }
}

fn parse(urls: &[&str]) -> Vec<CdnUrl> {
    urls.iter().map(|u| u.parse().unwrap()).collect()
}

fn run<T>(future: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(future)
}

fn submit(client: &Client, job: &Job, urls: &[CdnUrl]) -> tcdn::Report {
    run(client.submit_job(job, urls.iter().cloned().collect(), |_| {}))
}

#[test]
fn urls_of_two_zones_are_purged_once_each_in_their_zone() {
    let harness = Harness::new(two_zones());
    let input = parse(&[
        "https://img.example.com/1.png",
        "https://www.example.com/a.css",
        "https://nowhere.test/x",
        "https://IMG.example.com/2.png",
    ]);
    let report = submit(&harness.client(), &Job::new(Operation::FlushUrls), &input);
    assert_eq!(
        report.succeeded,
        [input[0].clone(), input[1].clone(), input[3].clone()],
        "{:?}",
        report.failed
    );
    assert_eq!(report.failed.len(), 1);
    let orphan = &report.failed[0];
    assert_eq!(orphan.url, input[2]);
    assert!(
        orphan.message.contains("nowhere.test"),
        "{}",
        orphan.message
    );
    assert!(!orphan.sent);
    let json = serde_json::to_value(orphan).unwrap();
    assert_eq!(json["code"], serde_json::Value::Null);

    let server = harness.server();
    let placed: Vec<(&str, Vec<&str>)> = server
        .jobs
        .iter()
        .map(|j| {
            (
                j.zone.as_str(),
                j.targets.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        placed,
        [
            (
                "zone-img",
                vec![
                    "https://img.example.com/1.png",
                    "https://IMG.example.com/2.png"
                ]
            ),
            ("zone-com", vec!["https://www.example.com/a.css"]),
        ]
    );
    assert_eq!(
        server.actions,
        [
            Action::DescribeZones,
            Action::DescribeContentQuota,
            Action::CreatePurgeTask,
            Action::DescribeContentQuota,
            Action::CreatePurgeTask,
        ]
    );
    let tasks: Vec<&str> = report.tasks.iter().map(|t| t.task_id.as_str()).collect();
    assert_eq!(tasks, ["job-1", "job-2"]);
    assert_eq!(report.requests, 5);
}

#[test]
fn a_zone_given_is_every_urls_zone_and_batches_follow_the_quota() {
    let harness = Harness::new(Server {
        batch: 2,
        ..Server::default()
    });
    let input = parse(&["https://a.test/1", "https://b.test/2", "https://c.test/3"]);
    let job = Job::new(Operation::FlushUrls).zone("zone-x".parse().unwrap());
    let report = submit(&harness.client(), &job, &input);
    assert_eq!(report.succeeded, input);
    let server = harness.server();
    let sizes: Vec<usize> = server.jobs.iter().map(|j| j.targets.len()).collect();
    assert_eq!(sizes, [2, 1]);
    assert!(server.jobs.iter().all(|j| j.zone == "zone-x"));
    assert!(!server.actions.contains(&Action::DescribeZones));
}

#[test]
fn targets_in_failed_list_fail_and_the_rest_succeed() {
    let harness = Harness::new(Server {
        refuse: vec!["https://www.example.com/b"],
        ..two_zones()
    });
    let input = parse(&["https://www.example.com/a", "https://www.example.com/b"]);
    let report = submit(&harness.client(), &Job::new(Operation::FlushUrls), &input);
    assert_eq!(report.succeeded, [input[0].clone()]);
    let failure = &report.failed[0];
    assert_eq!(failure.url, input[1]);
    assert_eq!(failure.task_id.as_deref(), Some("job-1"));
    assert!(
        failure.message.contains("domain not valid"),
        "{}",
        failure.message
    );
    assert_eq!(report.tasks[0].urls, [input[0].clone()]);
}

#[test]
fn a_lost_answer_is_looked_up_and_not_sent_again() {
    let harness = Harness::new(Server {
        lose: 1,
        ..two_zones()
    });
    let input = parse(&["https://www.example.com/a", "https://www.example.com/b"]);
    let report = submit(&harness.client(), &Job::new(Operation::FlushUrls), &input);
    assert_eq!(report.succeeded, input, "{:?}", report.failed);
    let server = harness.server();
    assert_eq!(server.jobs.len(), 1, "sent again: {:?}", server.actions);
    assert!(server.actions.contains(&Action::DescribePurgeTasks));
    assert_eq!(report.tasks[0].task_id, "job-1");
}

#[test]
fn prefix_purges_carry_the_method_and_prefetches_their_options() {
    let harness = Harness::new(two_zones());
    let client = harness.client();
    let dirs = parse(&["https://www.example.com/img/"]);
    let job = Job::new(Operation::FlushDirs).flush_type(FlushType::Delete);
    assert!(submit(&client, &job, &dirs).is_success());
    let options = PushOptions {
        parse_m3u8: true,
        headers: Headers::new(vec![HttpHeader::new("X-Warm", "1").unwrap()]).unwrap(),
        ..PushOptions::default()
    };
    let job = Job::new(Operation::PushUrls).push_options(options);
    let urls = parse(&["https://img.example.com/live.m3u8"]);
    assert!(submit(&client, &job, &urls).is_success());
    let server = harness.server();
    let prefix = &server.jobs[0];
    assert_eq!(
        (prefix.kind.as_str(), prefix.method.as_deref()),
        ("purge_prefix", Some("delete"))
    );
    let prefetch = &server.jobs[1];
    assert_eq!(prefetch.kind, "prefetch_url");
    assert_eq!((prefetch.headers, prefetch.segments), (1, true));
    assert_eq!(prefetch.zone, "zone-img");
}

#[test]
fn a_daily_quota_refusal_fails_the_zone_with_edgeones_code() {
    let harness = Harness::new(Server {
        error: Some("LimitExceeded.DailyQuota"),
        ..two_zones()
    });
    let input = parse(&["https://www.example.com/a", "https://img.example.com/b"]);
    let report = submit(&harness.client(), &Job::new(Operation::FlushUrls), &input);
    assert!(report.succeeded.is_empty());
    let codes: Vec<Option<&str>> = report
        .failed
        .iter()
        .map(|f| f.error_code.as_deref())
        .collect();
    assert_eq!(
        codes,
        [
            Some("LimitExceeded.DailyQuota"),
            Some("LimitExceeded.DailyQuota")
        ]
    );
    // One refusal per zone: the daily quota is the zone's.
    let creations = harness
        .server()
        .actions
        .iter()
        .filter(|a| **a == Action::CreatePurgeTask)
        .count();
    assert_eq!(creations, 2);
}

#[test]
fn edgeone_refuses_what_it_lacks_before_sending() {
    let harness = Harness::new(two_zones());
    let job = Job::new(Operation::FlushUrls).areas(tcdn::Areas::Mainland);
    let report = submit(
        &harness.client(),
        &job,
        &parse(&["https://www.example.com/a"]),
    );
    assert!(
        report.failed[0].message.contains("no areas"),
        "{:?}",
        report.failed
    );
    assert!(harness.server().actions.is_empty());
    let v2 = Client::builder(Credentials::new(ID, KEY).unwrap())
        .product(Product::EdgeOne)
        .api(tcdn::Api::V2)
        .build();
    assert!(v2.is_err());
}

#[test]
fn a_wait_polls_each_job_in_its_zone_until_edgeone_says_success() {
    let harness = Harness::new(Server {
        finish_after: 2,
        ..two_zones()
    });
    let client = harness.client();
    let input = parse(&["https://www.example.com/a", "https://img.example.com/b"]);
    let mut report = submit(&client, &Job::new(Operation::FlushUrls), &input);
    let zones: Vec<Option<&str>> = report.tasks.iter().map(|t| t.zone_id.as_deref()).collect();
    assert_eq!(zones, [Some("zone-com"), Some("zone-img")]);
    let summary = run(client.wait(&mut report, std::time::Duration::from_secs(60), |_, _| {}));
    assert_eq!(summary.done, 2, "{summary:?} {:?}", report.failed);
    assert!(report.is_success());
    assert!(summary.polls >= 2, "{summary:?}");
}

#[test]
fn edgeone_failures_and_running_tasks_keep_edgeones_status() {
    for (final_status, finish_after, want_running) in
        [("timeout", 0, 0), ("canceled", 0, 0), ("", usize::MAX, 1)]
    {
        let harness = Harness::new(Server {
            finish_after,
            final_status,
            ..two_zones()
        });
        let client = harness.client();
        let input = parse(&["https://www.example.com/a"]);
        let mut report = submit(&client, &Job::new(Operation::FlushUrls), &input);
        let summary = run(client.wait(&mut report, std::time::Duration::from_secs(5), |_, _| {}));
        let failure = &report.failed[0];
        let want = if want_running == 1 {
            "processing"
        } else {
            final_status
        };
        assert_eq!(failure.status.as_deref(), Some(want), "{failure:?}");
        assert_eq!(summary.still_running, want_running);
        assert_eq!(summary.only_still_running(&report), want_running == 1);
    }
}

#[test]
fn a_wait_by_job_id_finds_the_zone_of_the_job() {
    let harness = Harness::new(two_zones());
    let client = harness.client();
    let input = parse(&["https://img.example.com/b"]);
    let report = submit(&client, &Job::new(Operation::FlushUrls), &input);
    let id = tcdn::model::v3::TaskId::new(&report.tasks[0].task_id).unwrap();
    let (waited, summary) = run(client.wait_tasks(
        &[id],
        None,
        std::time::Duration::from_secs(5),
        &tcdn::Cancel::new(),
        |_, _| {},
    ));
    assert_eq!(waited.succeeded, input, "{summary:?} {waited:?}");
    assert_eq!(waited.tasks[0].zone_id.as_deref(), Some("zone-img"));
    assert_eq!(waited.tasks[0].action, "CreatePurgeTask");
    let missing = tcdn::model::v3::TaskId::new("no-such-job").unwrap();
    let (waited, _) = run(client.wait_tasks(
        &[missing],
        None,
        std::time::Duration::from_secs(5),
        &tcdn::Cancel::new(),
        |_, _| {},
    ));
    assert_eq!(waited.unknown_tasks.len(), 1);
}

#[test]
fn a_wait_in_a_zone_looks_only_there() {
    let harness = Harness::new(two_zones());
    let client = harness.client();
    let input = parse(&["https://img.example.com/c"]);
    let report = submit(&client, &Job::new(Operation::FlushUrls), &input);
    let ids = [tcdn::model::v3::TaskId::new(&report.tasks[0].task_id).unwrap()];
    let wait_in = |zone: &str| {
        let zone = ZoneId::new(zone).unwrap();
        let tasks = TaskIds::new(&ids).in_zone(Some(&zone));
        run(client.wait_on(
            tasks,
            std::time::Duration::from_secs(5),
            &tcdn::Cancel::new(),
            |_, _| {},
        ))
    };
    let (waited, summary) = wait_in("zone-img");
    assert_eq!(waited.succeeded, input, "{summary:?} {waited:?}");
    assert_eq!(waited.tasks[0].zone_id.as_deref(), Some("zone-img"));
    let (waited, _) = wait_in("zone-com");
    assert!(waited.succeeded.is_empty(), "{waited:?}");
    assert_eq!(waited.unknown_tasks.len(), 1, "{waited:?}");
    assert_eq!(waited.unknown_tasks[0].task_id, ids[0].as_str());
}

fn hosts(names: &[&str]) -> Vec<Hostname> {
    names.iter().map(|n| Hostname::new(n).unwrap()).collect()
}

fn placed(server: &Server) -> Vec<(String, String, Option<String>, Vec<String>)> {
    server
        .jobs
        .iter()
        .map(|j| {
            (
                j.zone.clone(),
                j.kind.clone(),
                j.method.clone(),
                j.targets.clone(),
            )
        })
        .collect()
}

#[test]
fn hosts_are_purged_once_each_in_their_zone_and_a_host_of_no_zone_fails_unsent() {
    let harness = Harness::new(two_zones());
    let targets = PurgeTargets::Hosts(
        hosts(&["img.example.com", "nowhere.test", "www.example.com"]),
        Method::Delete,
    );
    let report = run(harness.client().purge_edgeone_targets(None, targets));
    assert_eq!(report.succeeded, ["img.example.com", "www.example.com"]);
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].target, "nowhere.test");
    assert!(!report.failed[0].sent);
    assert!(report.failed[0].message.contains("nowhere.test"));
    let server = harness.server();
    let delete = Some("delete".to_owned());
    assert_eq!(
        placed(&server),
        [
            (
                "zone-img".to_owned(),
                "purge_host".to_owned(),
                delete.clone(),
                vec!["img.example.com".to_owned()]
            ),
            (
                "zone-com".to_owned(),
                "purge_host".to_owned(),
                delete,
                vec!["www.example.com".to_owned()]
            ),
        ]
    );
    let tasks: Vec<(&str, &str)> = report
        .tasks
        .iter()
        .map(|t| (t.zone_id.as_str(), t.task_id.as_str()))
        .collect();
    assert_eq!(tasks, [("zone-img", "job-1"), ("zone-com", "job-2")]);
    assert_eq!(report.requests, 5);
}

#[test]
fn cache_tags_need_a_zone_and_follow_the_quotas_batch() {
    let harness = Harness::new(Server {
        batch: 2,
        ..two_zones()
    });
    let tags = PurgeTargets::CacheTags {
        tags: ["t1", "t2", "t3"]
            .iter()
            .map(|t| CacheTag::new(t).unwrap())
            .collect(),
        domains: hosts(&["www.example.com"]),
    };
    let unzoned = run(harness.client().purge_edgeone_targets(None, tags.clone()));
    assert_eq!(unzoned.failed.len(), 3);
    assert!(unzoned.failed.iter().all(|f| !f.sent));
    assert!(harness.server().actions.is_empty());

    let zone: ZoneId = "zone-com".parse().unwrap();
    let report = run(harness.client().purge_edgeone_targets(Some(&zone), tags));
    assert_eq!(report.succeeded, ["t1", "t2", "t3"], "{:?}", report.failed);
    let server = harness.server();
    let sizes: Vec<usize> = server.jobs.iter().map(|j| j.targets.len()).collect();
    assert_eq!(sizes, [2, 1]);
    assert!(server.jobs.iter().all(|j| j.kind == "purge_cache_tag"));
}

#[test]
fn a_whole_zone_stands_as_a_star_and_needs_its_zone() {
    let harness = Harness::new(two_zones());
    let all = PurgeTargets::All(Method::Invalidate);
    let unzoned = run(harness.client().purge_edgeone_targets(None, all.clone()));
    assert_eq!(unzoned.failed[0].target, "*");
    assert!(harness.server().jobs.is_empty());

    let zone: ZoneId = "zone-img".parse().unwrap();
    let report = run(harness.client().purge_edgeone_targets(Some(&zone), all));
    assert_eq!(report.succeeded, ["*"]);
    let server = harness.server();
    assert_eq!(
        placed(&server),
        [(
            "zone-img".to_owned(),
            "purge_all".to_owned(),
            Some("invalidate".to_owned()),
            vec![]
        )]
    );
}

#[test]
fn a_lost_answer_of_hosts_or_tags_is_found_by_its_job_and_not_sent_again() {
    let zone: ZoneId = "zone-com".parse().unwrap();
    let tags = |names: &[&str]| names.iter().map(|t| CacheTag::new(t).unwrap()).collect();
    let cases = [
        // One target is asked for by itself; two, by the window's tasks.
        PurgeTargets::Hosts(hosts(&["www.example.com"]), Method::Invalidate),
        PurgeTargets::CacheTags {
            tags: tags(&["release-42", "release-43"]),
            domains: Vec::new(),
        },
    ];
    for targets in cases {
        let harness = Harness::new(Server {
            lose: 1,
            ..two_zones()
        });
        let texts: Vec<String> = targets.texts().into_iter().map(str::to_owned).collect();
        let report = run(harness.client().purge_edgeone_targets(Some(&zone), targets));
        assert_eq!(report.succeeded, texts, "{:?}", report.failed);
        assert_eq!(report.tasks[0].task_id, "job-1");
        assert_eq!(report.tasks[0].targets, texts);
        let server = harness.server();
        assert_eq!(server.jobs.len(), 1, "sent again: {:?}", server.actions);
        assert!(server.actions.contains(&Action::DescribePurgeTasks));
    }
}

#[test]
fn a_lost_answer_whose_job_is_not_listed_is_maybe_applied_and_not_sent_again() {
    let harness = Harness::new(Server {
        lose: 1,
        unlisted: true,
        ..two_zones()
    });
    let zone: ZoneId = "zone-com".parse().unwrap();
    let targets = PurgeTargets::Hosts(hosts(&["www.example.com"]), Method::Invalidate);
    let report = run(harness.client().purge_edgeone_targets(Some(&zone), targets));
    assert!(report.succeeded.is_empty());
    assert!(report.failed[0].maybe_applied, "{:?}", report.failed);
    assert!(report.tasks.is_empty());
    let server = harness.server();
    let creations = server
        .actions
        .iter()
        .filter(|a| **a == Action::CreatePurgeTask)
        .count();
    assert_eq!(creations, 1, "{:?}", server.actions);
    assert!(server.actions.contains(&Action::DescribePurgeTasks));
}

#[test]
fn a_host_in_failed_list_fails_with_its_reason() {
    let harness = Harness::new(Server {
        refuse: vec!["img.example.com"],
        ..two_zones()
    });
    let zone: ZoneId = "zone-com".parse().unwrap();
    let targets = PurgeTargets::Hosts(
        hosts(&["img.example.com", "www.example.com"]),
        Method::Invalidate,
    );
    let report = run(harness.client().purge_edgeone_targets(Some(&zone), targets));
    assert_eq!(report.succeeded, ["www.example.com"]);
    assert_eq!(report.failed[0].target, "img.example.com");
    assert_eq!(report.failed[0].task_id.as_deref(), Some("job-1"));
    assert!(report.failed[0].message.contains("domain not valid"));
    assert_eq!(report.tasks[0].targets, ["www.example.com"]);
}
