//! The API 3.0 client against an in-process server (a `FnTransport` that
//! verifies each signature and reads each request as the API would): the
//! wire of each signing and method, batching, area mapping, answer classes,
//! lost answers reconciled with `Describe*Tasks`, quotas, and waiting.

use std::collections::HashMap;
use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use tcdn::clock::Clock;
use tcdn::model::v3::{
    Action, Answer, ApiError, BatchLimits, BriefDomain, Domains, ErrorCode, FlushType, PurgeLog,
    PurgeQuota, PurgeTasks, PushLog, PushOptions, PushQuota, PushTasks, Quota, Request,
    TaskSubmitted, UserAgent, domain_covers,
};
use tcdn::nonce::Nonce;
use tcdn::retry::Jitter;
use tcdn::sign::tc3::{self, Authorization, Service};
use tcdn::sign::{HttpMethod, SecretKey, SignatureMethod};
use tcdn::test_util::mock::FnTransport;
use tcdn::test_util::{ManualClock, ManualSleeper, SequentialNonces};
use tcdn::transport::TransportError;
use tcdn::v3::Signing;
use tcdn::{Api, Areas, CdnUrl, Client, Credentials, Job, Operation, RetryPolicy};

const ID: &str = "AKIDv3TestAAAAAAAAAAAAAAAAAAAAAAAAAA";
const KEY: &str = "v3-test-secret-key";
const START: u64 = 1_700_000_000;

/// One accepted call, as the fake server keeps it.
#[derive(Debug, Clone)]
struct Task {
    id: String,
    action: Action,
    urls: Vec<String>,
    area: Option<String>,
    /// Polls of this task answered so far.
    polls: usize,
}

/// What the fake server does besides answering.
#[derive(Debug, Default)]
struct Server {
    tasks: Vec<Task>,
    /// Every request's action, in order.
    actions: Vec<Action>,
    /// Every request's headers (names lower-case), in order.
    headers: Vec<HashMap<String, String>>,
    /// Accepted submissions whose answer is lost (a timeout after the
    /// server applied them), counting down.
    lose: usize,
    /// Errors to answer instead, in order.
    errors: Vec<&'static str>,
    /// A task's URLs are `process` until polled this many times, then this
    /// status.
    finish_after: usize,
    final_status: &'static str,
    /// `Available` of every quota.
    available: i64,
    /// The `TaskId`s to answer submissions with, in order (then `task-N`).
    task_ids: Vec<String>,
    /// Logs name a URL with its non-ASCII bytes percent-encoded, as the
    /// real server does for `UrlEncode`.
    respell: bool,
    /// More logs of a task: `(task id, url, status)`.
    extra_logs: Vec<(String, String, String)>,
    /// The account's domains, as `DescribeDomains` lists them (a page at
    /// most 2 long); submissions of other hosts are refused
    /// (`ResourceNotFound.CdnHostNotExists`) when there are any.
    domains: Vec<&'static str>,
}

fn header_map(request: &http::Request<Bytes>) -> HashMap<String, String> {
    request
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect()
}

/// Verifies the signature and reads the request, as the API does.
fn read(request: &http::Request<Bytes>) -> Request {
    let headers = header_map(request);
    let query = request.uri().query().unwrap_or_default();
    let key = SecretKey::from(KEY);
    if let Some(authorization) = headers.get("authorization") {
        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let auth = Authorization::parse(authorization).unwrap();
        assert_eq!(auth.secret_id(), ID);
        let method = if request.method() == http::Method::GET {
            HttpMethod::Get
        } else {
            HttpMethod::Post
        };
        let signed = tc3::Request {
            method,
            query,
            headers: &pairs,
            payload: request.body(),
        };
        tc3::verify(
            &auth,
            &key,
            Service::cdn(),
            &signed,
            &headers["x-tc-timestamp"],
        )
        .unwrap();
        assert_eq!(headers["x-tc-version"], "2018-06-06");
        let action: Action = headers["x-tc-action"].parse().unwrap();
        if method == HttpMethod::Post {
            assert_eq!(headers["content-type"], "application/json");
            Request::from_json(action, request.body(), &BatchLimits::default()).unwrap()
        } else {
            assert!(request.body().is_empty());
            let params = tcdn::model::decode_form(query.as_bytes()).unwrap();
            Request::from_params(action, params, &BatchLimits::default()).unwrap()
        }
    } else {
        let (method, form) = if request.method() == http::Method::GET {
            (HttpMethod::Get, query.as_bytes())
        } else {
            assert_eq!(headers["content-type"], "application/x-www-form-urlencoded");
            (HttpMethod::Post, &request.body()[..])
        };
        let params = tcdn::model::decode_form(form).unwrap();
        let host = request.uri().host().unwrap();
        let endpoint = tcdn::sign::Endpoint::new(method, host, request.uri().path());
        tcdn::sign::verify(&key, &endpoint, &params).unwrap();
        let find = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(find("Version").as_deref(), Some("2018-06-06"));
        assert_eq!(find("SecretId").as_deref(), Some(ID));
        let action: Action = find("Action").unwrap().parse().unwrap();
        Request::from_params(action, params, &BatchLimits::default()).unwrap()
    }
}

fn ok<T: tcdn::model::v3::AnswerBody>(value: T) -> Result<http::Response<Bytes>, TransportError> {
    Ok(tcdn::test_util::mock::response(
        200,
        Answer::ok("req-ok", value).to_json(),
    ))
}

impl Server {
    fn answer(
        &mut self,
        request: &http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        self.headers.push(header_map(request));
        let parsed = read(request);
        let action = parsed.action();
        self.actions.push(action);
        if !self.errors.is_empty() {
            let code = self.errors.remove(0);
            let answer = Answer::<TaskSubmitted>::error(
                "req-err",
                ApiError::new(ErrorCode::from_code(code), "refused"),
            );
            return Ok(tcdn::test_util::mock::response(200, answer.to_json()));
        }
        let submitted: &[CdnUrl] = match &parsed {
            Request::PurgeUrls(r) => r.urls(),
            Request::PurgePaths(r) => r.paths(),
            Request::PushUrls(r) => r.urls(),
            _ => &[],
        };
        let foreign = |url: &CdnUrl| !self.domains.iter().any(|d| domain_covers(d, url.host()));
        if !self.domains.is_empty() && submitted.iter().any(foreign) {
            let answer = Answer::<TaskSubmitted>::error(
                "req-host",
                ApiError::new(ErrorCode::CdnHostNotExists, "未查询到该域名"),
            );
            return Ok(tcdn::test_util::mock::response(200, answer.to_json()));
        }
        let submit = |tasks: &mut Vec<Task>,
                      ids: &mut Vec<String>,
                      urls: &[CdnUrl],
                      area: Option<String>| {
            let id = if ids.is_empty() {
                format!("task-{}", tasks.len() + 1)
            } else {
                ids.remove(0)
            };
            tasks.push(Task {
                id: id.clone(),
                action,
                urls: urls.iter().map(|u| u.as_str().to_owned()).collect(),
                area,
                polls: 0,
            });
            id
        };
        let task_id = match &parsed {
            Request::PurgeUrls(r) => submit(
                &mut self.tasks,
                &mut self.task_ids,
                r.urls(),
                r.options().area.map(|a| a.to_string()),
            ),
            Request::PurgePaths(r) => submit(
                &mut self.tasks,
                &mut self.task_ids,
                r.paths(),
                r.options().area.map(|a| a.to_string()),
            ),
            Request::PushUrls(r) => submit(
                &mut self.tasks,
                &mut self.task_ids,
                r.urls(),
                r.options().area.map(|a| a.to_string()),
            ),
            Request::DescribePurgeTasks(q) => {
                let logs = self.logs(
                    q.selector.task_id().map(|t| t.as_str()),
                    q.keyword.as_ref().map(|k| k.as_str()),
                    true,
                );
                let total_count = logs.len() as i64;
                let logs: Vec<PurgeLog> = page(logs, q.offset, q.limit)
                    .into_iter()
                    .map(|(task_id, url, status)| PurgeLog {
                        task_id,
                        url,
                        status,
                        purge_type: "url".into(),
                        flush_type: "flush".into(),
                        create_time: "2023-11-15 06:13:20".into(),
                    })
                    .collect();
                return ok(PurgeTasks { logs, total_count });
            }
            Request::DescribePushTasks(q) => {
                let logs = self.logs(
                    q.selector.task_id().map(|t| t.as_str()),
                    q.keyword.as_ref().map(|k| k.as_str()),
                    false,
                );
                let total_count = logs.len() as i64;
                let logs: Vec<PushLog> = page(logs, q.offset, q.limit)
                    .into_iter()
                    .map(|(task_id, url, status)| PushLog {
                        task_id,
                        url,
                        status,
                        percent: 100,
                        create_time: "2023-11-15 06:13:20".into(),
                        area: "mainland".into(),
                        update_time: None,
                    })
                    .collect();
                return ok(PushTasks { logs, total_count });
            }
            Request::DescribePurgeQuota(_) => {
                let quota = |batch| {
                    vec![Quota {
                        batch,
                        total: 10_000,
                        available: self.available,
                        area: "mainland".into(),
                    }]
                };
                return ok(PurgeQuota {
                    url_purge: quota(1000),
                    path_purge: quota(100),
                });
            }
            Request::DescribeDomains(q) => {
                let total_number = self.domains.len() as i64;
                let domains = page(self.domains.clone(), q.offset, q.limit.map(|l| l.min(2)))
                    .into_iter()
                    .map(|domain| BriefDomain {
                        domain: domain.to_owned(),
                        status: "online".into(),
                        area: "mainland".into(),
                        ..BriefDomain::default()
                    })
                    .collect();
                return ok(Domains {
                    domains,
                    total_number,
                });
            }
            Request::DescribePushQuota(_) => {
                return ok(PushQuota {
                    url_push: vec![Quota {
                        batch: 500,
                        total: 1000,
                        available: self.available,
                        area: "mainland".into(),
                    }],
                });
            }
        };
        if self.lose > 0 {
            self.lose -= 1;
            return Err(
                TransportError::timeout("the answer was lost").with_may_have_reached_server(true)
            );
        }
        ok(TaskSubmitted { task_id })
    }

    /// `(task id, url, status)` of the matching tasks; each lookup by id is
    /// a poll.
    fn logs(
        &mut self,
        task_id: Option<&str>,
        keyword: Option<&str>,
        purge: bool,
    ) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for task in &mut self.tasks {
            if (task.action == Action::PushUrlsCache) == purge {
                continue;
            }
            if task_id.is_some_and(|id| id != task.id) {
                continue;
            }
            // A lookup by id or by time window alone is a poll; one by
            // keyword is a lost answer's reconciliation.
            let status = if task_id.is_some() || keyword.is_none() {
                task.polls += 1;
                if task.polls > self.finish_after {
                    self.final_status
                } else {
                    "process"
                }
            } else {
                "process"
            };
            for url in &task.urls {
                if keyword.is_none_or(|k| url.contains(k)) {
                    let url = if self.respell {
                        percent_encode_non_ascii(url)
                    } else {
                        url.clone()
                    };
                    out.push((task.id.clone(), url, status.to_owned()));
                }
            }
            for (id, url, status) in &self.extra_logs {
                if *id == task.id {
                    out.push((id.clone(), url.clone(), status.clone()));
                }
            }
        }
        out
    }
}

/// `Offset` and `Limit` over the logs (`Limit` 20 when left out).
fn page<T>(logs: Vec<T>, offset: Option<u64>, limit: Option<u64>) -> Vec<T> {
    let offset = usize::try_from(offset.unwrap_or(0)).unwrap();
    let limit = usize::try_from(limit.unwrap_or(20)).unwrap();
    logs.into_iter().skip(offset).take(limit).collect()
}

fn percent_encode_non_ascii(url: &str) -> String {
    let mut out = String::new();
    for byte in url.bytes() {
        if byte.is_ascii() {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
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

    fn client(&self, configure: impl FnOnce(tcdn::ClientBuilder) -> tcdn::ClientBuilder) -> Client {
        let server = self.server.clone();
        let transport = FnTransport::new(move |request: &http::Request<Bytes>| {
            server.lock().unwrap().answer(request)
        });
        let builder = Client::builder(Credentials::new(ID, KEY).unwrap())
            .endpoint("https://cdn.tencentcloudapi.com/".parse().unwrap())
            .transport(Arc::new(transport))
            .clock(Arc::new(self.clock.clone()))
            .sleeper(Arc::new(ManualSleeper::new(self.clock.clone())))
            .nonce_source(Arc::new(SequentialNonces::new(Nonce::MIN)))
            .retry_policy(RetryPolicy::default().with_jitter(Jitter::None))
            .concurrency(NonZeroUsize::MIN);
        configure(builder).build().unwrap()
    }

    fn server(&self) -> std::sync::MutexGuard<'_, Server> {
        self.server.lock().unwrap()
    }
}

fn urls(prefix: &str, n: usize) -> Vec<CdnUrl> {
    (0..n)
        .map(|i| {
            format!("https://www.example.com/{prefix}/{i}.css")
                .parse()
                .unwrap()
        })
        .collect()
}

fn run<T>(future: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn every_signing_and_method_reaches_the_server_as_sent() {
    for (method, signing) in [
        (HttpMethod::Post, Signing::Tc3),
        (HttpMethod::Get, Signing::Tc3),
        (HttpMethod::Post, Signing::V1(SignatureMethod::HmacSha1)),
        (HttpMethod::Get, Signing::V1(SignatureMethod::HmacSha256)),
    ] {
        let harness = Harness::new(Server::default());
        let client = harness.client(|b| b.method(method).signing(signing));
        let input = vec![
            "https://www.example.com/图片/猫.jpg?x=1&y=a+b"
                .parse::<CdnUrl>()
                .unwrap(),
        ];
        let report = run(client.flush_urls(Areas::Mainland, input.clone()));
        assert_eq!(
            report.succeeded, input,
            "{method:?} {signing:?}: {:?}",
            report.failed
        );
        assert_eq!(report.tasks[0].task_id, "task-1");
        assert_eq!(report.tasks[0].action, "PurgeUrlsCache");
        let server = harness.server();
        assert_eq!(server.tasks[0].urls, [input[0].as_str()]);
        assert_eq!(server.tasks[0].area.as_deref(), Some("mainland"));
        let headers = &server.headers[0];
        if signing == Signing::Tc3 {
            let mut names: Vec<&str> = headers.keys().map(String::as_str).collect();
            names.sort_unstable();
            assert_eq!(
                names,
                [
                    "authorization",
                    "content-type",
                    "host",
                    "x-tc-action",
                    "x-tc-timestamp",
                    "x-tc-version"
                ]
            );
            assert_eq!(headers["x-tc-timestamp"], START.to_string());
            assert_eq!(headers["host"], "cdn.tencentcloudapi.com");
        }
    }
}

#[test]
fn a_session_token_goes_in_x_tc_token() {
    let harness = Harness::new(Server::default());
    let server = harness.server.clone();
    let transport = FnTransport::new(move |request: &http::Request<Bytes>| {
        server.lock().unwrap().answer(request)
    });
    let client = Client::builder(
        Credentials::new(ID, KEY)
            .unwrap()
            .with_token("session-token"),
    )
    .transport(Arc::new(transport))
    .build()
    .unwrap();
    let report = run(client.push_urls(Areas::Both, urls("t", 1)));
    assert!(report.is_success(), "{:?}", report.failed);
    let server = harness.server();
    assert_eq!(server.headers[0]["x-tc-token"], "session-token");
    assert_eq!(server.tasks[0].area.as_deref(), Some("global"));
}

#[test]
fn batches_follow_each_actions_limit_and_areas_map() {
    let harness = Harness::new(Server::default());
    let client = harness.client(|b| b.rate_limit_per_minute(0));
    let report = run(client.submit_job(
        &Job::new(Operation::FlushUrls).areas(Areas::Both),
        urls("p", 2500).into_iter().collect(),
        |_| {},
    ));
    assert!(report.is_success());
    let report2 = run(client.submit_job(
        &Job::new(Operation::PushUrls)
            .areas(Areas::Oversea)
            .push_options(PushOptions {
                user_agent: Some(UserAgent::new("warm/1").unwrap()),
                parse_m3u8: true,
                ..PushOptions::default()
            }),
        urls("q", 1200).into_iter().collect(),
        |_| {},
    ));
    assert!(report2.is_success());
    let dirs: Vec<CdnUrl> = (0..7)
        .map(|i| format!("https://www.example.com/d{i}/").parse().unwrap())
        .collect();
    let job = Job::new(Operation::FlushDirs)
        .flush_type(FlushType::Delete)
        .path_batch(NonZeroUsize::new(3).unwrap());
    let report3 = run(client.submit_job(&job, dirs.into_iter().collect(), |_| {}));
    assert!(report3.is_success());
    let server = harness.server();
    let sizes: Vec<(Action, usize, Option<&str>)> = server
        .tasks
        .iter()
        .map(|t| (t.action, t.urls.len(), t.area.as_deref()))
        .collect();
    assert_eq!(
        sizes,
        [
            (Action::PurgeUrlsCache, 1000, None),
            (Action::PurgeUrlsCache, 1000, None),
            (Action::PurgeUrlsCache, 500, None),
            (Action::PushUrlsCache, 500, Some("overseas")),
            (Action::PushUrlsCache, 500, Some("overseas")),
            (Action::PushUrlsCache, 200, Some("overseas")),
            (Action::PurgePathCache, 3, None),
            (Action::PurgePathCache, 3, None),
            (Action::PurgePathCache, 1, None),
        ]
    );
    assert_eq!(report.tasks.len(), 3);
    assert_eq!(report.tasks[2].urls.len(), 500);
}

#[test]
fn answers_are_classed_retried_or_reported_with_their_code_and_request_id() {
    let harness = Harness::new(Server {
        errors: vec!["RequestLimitExceeded", "InternalError.CdnSystemError"],
        ..Server::default()
    });
    let client = harness.client(|b| b);
    // Two retryable refusals, then accepted.
    let report = run(client.flush_urls(Areas::Mainland, urls("r", 1)));
    assert!(report.is_success());
    assert_eq!(report.requests, 3);
    // A daily quota is not retried.
    harness
        .server()
        .errors
        .push("LimitExceeded.CdnPurgeUrlExceedDayLimit");
    let report = run(client.flush_urls(Areas::Mainland, urls("s", 1)));
    assert_eq!(report.requests, 1);
    let failure = &report.failed[0];
    assert_eq!(
        failure.error_code.as_deref(),
        Some("LimitExceeded.CdnPurgeUrlExceedDayLimit")
    );
    assert_eq!(failure.request_id.as_deref(), Some("req-err"));
    let json = serde_json::to_value(failure).unwrap();
    assert_eq!(json["code"], "LimitExceeded.CdnPurgeUrlExceedDayLimit");
    assert_eq!(json["request_id"], "req-err");
}

#[test]
fn an_expired_signature_is_the_clock_and_not_retried() {
    let harness = Harness::new(Server {
        errors: vec!["AuthFailure.SignatureExpire"],
        ..Server::default()
    });
    let client = harness.client(|b| b);
    let report = run(client.flush_urls(Areas::Mainland, urls("c", 1)));
    assert_eq!(report.requests, 1);
    assert!(
        report.failed[0].message.contains("clock"),
        "{}",
        report.failed[0].message
    );
    let error = report.batches[0].error.as_ref().unwrap();
    assert_eq!(error.kind(), tcdn::error::CallErrorKind::ClockSkew);
}

/// The answers of the first two submissions are lost after the server
/// applied them: the lookup finds their URLs, so nothing is submitted twice.
#[test]
fn lost_answers_are_looked_up_and_nothing_is_submitted_twice() {
    for operation in [Operation::FlushUrls, Operation::PushUrls] {
        let harness = Harness::new(Server {
            lose: 2,
            ..Server::default()
        });
        let client = harness.client(|b| b.batch_size(NonZeroUsize::new(3)));
        let input = urls("lost", 7);
        let report = run(client.submit_job(
            &Job::new(operation).areas(Areas::Mainland),
            input.iter().cloned().collect(),
            |_| {},
        ));
        assert_eq!(report.succeeded, input, "{:?}", report.failed);
        let server = harness.server();
        let mut submitted: Vec<&String> = server.tasks.iter().flat_map(|t| &t.urls).collect();
        let count = submitted.len();
        submitted.dedup();
        assert_eq!((count, submitted.len()), (7, 7), "no URL twice");
        let lookups = server
            .actions
            .iter()
            .filter(|a| matches!(a, Action::DescribePurgeTasks | Action::DescribePushTasks))
            .count();
        assert_eq!(lookups, 2);
        // Every URL is under the task that applied it.
        let tasks: Vec<(&str, usize)> = report
            .tasks
            .iter()
            .map(|t| (t.task_id.as_str(), t.urls.len()))
            .collect();
        assert_eq!(tasks, [("task-1", 3), ("task-2", 3), ("task-3", 1)]);
    }
}

#[test]
fn quotas_are_read() {
    let harness = Harness::new(Server {
        available: 42,
        ..Server::default()
    });
    let client = harness.client(|b| b);
    let purge = run(client.purge_quota()).unwrap();
    assert_eq!(purge.url_purge[0].available, 42);
    assert_eq!(purge.path_purge[0].batch, 100);
    let push = run(client.push_quota()).unwrap();
    assert_eq!(push.url_push[0].total, 1000);
}

#[test]
fn api_2_has_no_quotas_and_needs_an_area() {
    let harness = Harness::new(Server::default());
    let client = harness.client(|b| {
        b.api(Api::V2)
            .endpoint("https://cdn.api.qcloud.com/v2/index.php".parse().unwrap())
    });
    let error = run(client.purge_quota()).unwrap_err();
    assert_eq!(error.kind(), tcdn::error::CallErrorKind::Unsupported);
    let report = run(client.submit_job(
        &Job::new(Operation::FlushUrls),
        urls("x", 2).into_iter().collect(),
        |_| {},
    ));
    assert_eq!(report.failed.len(), 2);
    assert!(report.failed[0].message.contains("area"));
    assert!(harness.server().actions.is_empty(), "nothing was sent");
    let tc3 = Client::builder(Credentials::new(ID, KEY).unwrap())
        .api(Api::V2)
        .signing(Signing::Tc3)
        .build();
    assert_eq!(
        tc3.unwrap_err().kind(),
        tcdn::error::ClientErrorKind::InvalidConfig
    );
}

#[test]
fn waiting_polls_until_done_and_fails_what_failed() {
    for (status, succeeded) in [("done", 4), ("fail", 0)] {
        let harness = Harness::new(Server {
            finish_after: 6,
            final_status: status,
            ..Server::default()
        });
        let client = harness.client(|b| b.batch_size(NonZeroUsize::new(2)));
        let mut report = run(client.flush_urls(Areas::Mainland, urls("w", 4)));
        assert_eq!(report.tasks.len(), 2);
        let before = harness.clock.monotonic();
        let mut progress = Vec::new();
        let summary = run(
            client.wait(&mut report, Duration::from_secs(600), |done, total| {
                progress.push((done, total))
            }),
        );
        let waited = harness.clock.monotonic() - before;
        assert_eq!(summary.polls, 7);
        assert_eq!(report.succeeded.len(), succeeded);
        assert_eq!(report.failed.len(), 4 - succeeded);
        assert_eq!(report.tasks.len(), 2, "tasks stay listed");
        assert_eq!(progress.last(), Some(&(4, 4)));
        // Six polls 0.25 s apart: 1.5 s.
        assert_eq!(waited, Duration::from_millis(1500));
        if status == "fail" {
            assert!(
                report.failed[0]
                    .task_id
                    .as_deref()
                    .is_some_and(|t| t.starts_with("task-"))
            );
            assert!(
                report.failed[0].message.contains("ended with status fail"),
                "{}",
                report.failed[0].message
            );
        }
    }
}

#[test]
fn a_wait_ends_at_its_timeout_and_the_gaps_grow_with_the_wait() {
    let harness = Harness::new(Server {
        finish_after: usize::MAX,
        final_status: "done",
        ..Server::default()
    });
    let client = harness.client(|b| b.rate_limit_per_minute(0));
    let mut report = run(client.push_urls(Areas::Mainland, urls("slow", 1)));
    let before = harness.clock.monotonic();
    let summary = run(client.wait(&mut report, Duration::from_secs(100), |_, _| {}));
    assert_eq!(harness.clock.monotonic() - before, Duration::from_secs(100));
    assert_eq!(summary.unfinished, 1);
    assert!(
        report.failed[0]
            .message
            .contains("had not finished after 100 s")
    );
    // 0.25 s gaps up to 2.5 s, then a tenth of the time waited: far fewer
    // than 400 polls.
    assert!(
        (30..=60).contains(&summary.polls),
        "{} polls",
        summary.polls
    );
}

/// The `Describe*Tasks` calls the server received.
fn describes(harness: &Harness) -> usize {
    harness
        .server()
        .actions
        .iter()
        .filter(|a| matches!(a, Action::DescribePurgeTasks | Action::DescribePushTasks))
        .count()
}

#[test]
fn a_wait_outlasts_failed_polls() {
    let harness = Harness::new(Server {
        finish_after: 1,
        final_status: "done",
        ..Server::default()
    });
    let client = harness.client(|b| b);
    let mut report = run(client.flush_urls(Areas::Mainland, urls("f", 2)));
    // Every attempt of the first polls fails (each poll is retried by the
    // client first).
    harness.server().errors = vec!["InternalError"; 8];
    let summary = run(client.wait(&mut report, Duration::from_secs(600), |_, _| {}));
    assert!(report.is_success(), "{:?}", report.failed);
    assert_eq!(summary.done, 2);
    assert!(summary.polls >= 3, "a failed poll, then two answered");
    assert!(summary.error.is_none() && summary.last_poll_error.is_none());
    assert!(harness.server().errors.is_empty());
}

#[test]
fn an_authentication_failure_ends_a_wait_at_once() {
    let harness = Harness::new(Server {
        finish_after: 1,
        final_status: "done",
        ..Server::default()
    });
    let client = harness.client(|b| b);
    let mut report = run(client.flush_urls(Areas::Mainland, urls("a", 1)));
    harness.server().errors = vec!["AuthFailure.SignatureFailure"; 3];
    let summary = run(client.wait(&mut report, Duration::from_secs(600), |_, _| {}));
    assert_eq!(summary.polls, 1);
    assert!(summary.error.is_some());
    assert!(!summary.timed_out);
    assert_eq!(report.failed.len(), 1);
    let failure = &report.failed[0];
    assert!(
        failure.message.contains("looking it up failed"),
        "{}",
        failure.message
    );
    assert_eq!(failure.status.as_deref(), Some("unknown"));
    assert!(!summary.only_still_running(&report));
}

#[test]
fn a_wait_over_two_hundred_tasks_asks_for_many_a_call() {
    let harness = Harness::new(Server {
        finish_after: 2,
        final_status: "done",
        ..Server::default()
    });
    let client = harness.client(|b| b.batch_size(NonZeroUsize::new(1)).rate_limit_per_minute(0));
    let mut report = run(client.flush_urls(Areas::Mainland, urls("many", 200)));
    assert_eq!(report.tasks.len(), 200);
    let summary = run(client.wait(&mut report, Duration::from_secs(600), |_, _| {}));
    assert!(report.is_success(), "{:?}", report.failed.first());
    // One lookup by id learns where the window starts; then each round
    // is two pages of 100 logs, not 200 calls.
    assert_eq!(summary.polls, 2);
    assert_eq!(describes(&harness), 5);
}

#[test]
fn an_unusable_task_id_fails_its_urls_under_wait() {
    let long = "x".repeat(500);
    let harness = Harness::new(Server {
        finish_after: 0,
        final_status: "done",
        task_ids: vec![String::new(), "a\u{200b}b".into(), long],
        ..Server::default()
    });
    let client = harness.client(|b| b.batch_size(NonZeroUsize::new(1)));
    let mut report = run(client.push_urls(Areas::Mainland, urls("odd", 3)));
    assert!(report.is_success(), "the server accepted them");
    assert_eq!(report.tasks[0].task_id, "");
    let summary = run(client.wait(&mut report, Duration::from_secs(600), |_, _| {}));
    assert_eq!(describes(&harness), 0, "there is nothing to ask for");
    assert_eq!((summary.failed, report.failed.len()), (3, 3));
    assert!(report.succeeded.is_empty());
    for failure in &report.failed {
        assert_eq!((failure.code, failure.error_code.as_deref()), (None, None));
        assert!(
            failure.message.contains("cannot be looked up"),
            "{}",
            failure.message
        );
    }
    assert!(
        report.failed[1].message.contains("a\\u{200b}b"),
        "{}",
        report.failed[1].message
    );
    assert!(
        report.failed[2].message.len() < 400,
        "{}",
        report.failed[2].message
    );
    assert!(!summary.only_still_running(&report));
}

#[test]
fn a_respelled_log_is_matched_and_the_worst_status_wins() {
    let url: CdnUrl = "https://www.example.com/图/1.png".parse().unwrap();
    for (status, extra, done) in [
        ("done", None, true),
        ("fail", None, false),
        ("done", Some("process"), false),
        ("done", Some("fail"), false),
        ("fail", Some("done"), false),
    ] {
        let harness = Harness::new(Server {
            finish_after: 0,
            final_status: status,
            respell: true,
            extra_logs: extra
                .map(|s| {
                    (
                        "task-1".to_owned(),
                        "https://www.example.com/%e5%9b%be/1.png".to_owned(),
                        s.to_owned(),
                    )
                })
                .into_iter()
                .collect(),
            ..Server::default()
        });
        let client = harness.client(|b| b);
        let mut report = run(client.flush_urls(Areas::Mainland, vec![url.clone()]));
        let summary = run(client.wait(&mut report, Duration::from_secs(5), |_, _| {}));
        assert_eq!(
            report.is_success(),
            done,
            "{status} {extra:?}: {:?}",
            report.failed
        );
        if !done {
            let seen = report.failed[0].status.as_deref();
            let worst = if status == "fail" {
                status
            } else {
                extra.unwrap_or(status)
            };
            assert_eq!(seen, Some(worst), "{status} {extra:?}");
            assert_eq!(summary.timed_out, extra == Some("process"));
        }
    }
}

#[test]
fn a_wait_at_its_timeout_reports_what_is_still_running() {
    let harness = Harness::new(Server {
        finish_after: usize::MAX,
        final_status: "done",
        ..Server::default()
    });
    let client = harness.client(|b| b);
    let mut report = run(client.flush_urls(Areas::Mainland, urls("run", 2)));
    let summary = run(client.wait(&mut report, Duration::from_secs(10), |_, _| {}));
    assert!(summary.timed_out && !summary.interrupted);
    assert_eq!((summary.unfinished, summary.still_running), (2, 2));
    assert!(summary.only_still_running(&report));
    let json = serde_json::to_value(&report.failed[0]).unwrap();
    assert_eq!(json["code"], serde_json::Value::Null);
    assert_eq!(json["status"], "process");
    assert_eq!(json["task_id"], "task-1");
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("had not finished after 10 s")
    );
    // A URL that also failed otherwise is not only still running.
    let mut mixed = report.clone();
    mixed.failed[1].status = Some("fail".into());
    mixed.failed.push(tcdn::Failure::clone(&report.failed[0]));
    assert!(!summary.only_still_running(&mixed));
}

#[test]
fn an_interrupted_wait_reports_what_it_last_saw() {
    let harness = Harness::new(Server {
        finish_after: usize::MAX,
        final_status: "done",
        ..Server::default()
    });
    let client = harness.client(|b| b);
    let mut report = run(client.flush_urls(Areas::Mainland, urls("int", 1)));
    let cancel = tcdn::Cancel::new();
    let summary = run(
        client.wait_until(&mut report, Duration::from_secs(600), &cancel, |_, _| {
            cancel.cancel()
        }),
    );
    assert!(summary.interrupted && !summary.timed_out);
    assert_eq!(summary.polls, 1);
    assert!(report.succeeded.is_empty());
    let failure = &report.failed[0];
    assert_eq!(failure.status.as_deref(), Some("process"));
    assert!(
        failure.message.contains("interrupted"),
        "{}",
        failure.message
    );
    assert!(!summary.only_still_running(&report));
}

#[test]
fn waiting_by_task_id_learns_each_tasks_urls() {
    let harness = Harness::new(Server {
        finish_after: 1,
        final_status: "done",
        ..Server::default()
    });
    let client = harness.client(|b| b);
    run(client.flush_urls(Areas::Mainland, urls("a", 2)));
    run(client.push_urls(Areas::Mainland, urls("b", 1)));
    let ids: Vec<_> = ["task-1", "task-2", "task-9"]
        .iter()
        .map(|t| t.parse_task())
        .collect();
    let (report, summary) = run(client.wait_tasks(
        &ids,
        None,
        Duration::from_secs(600),
        &tcdn::Cancel::new(),
        |_, _| {},
    ));
    assert_eq!(report.succeeded.len(), 3, "{:?}", report.failed);
    assert_eq!(summary.done, 3);
    let actions: Vec<_> = report.tasks.iter().map(|t| t.action).collect();
    assert_eq!(actions, ["PurgeUrlsCache", "PushUrlsCache"]);
    assert_eq!(report.unknown_tasks.len(), 1);
    assert_eq!(report.unknown_tasks[0].task_id, "task-9");
    assert!(report.unknown_tasks[0].message.contains("no such task"));
    assert!(!report.is_success());
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["unknown_tasks"][0]["task_id"], "task-9");
    // With the kind given, only that query is asked.
    let before = describes(&harness);
    let (report, _) = run(client.wait_tasks(
        &ids[1..2],
        Some(tcdn::wait::TaskKind::Push),
        Duration::from_secs(600),
        &tcdn::Cancel::new(),
        |_, _| {},
    ));
    assert!(report.is_success());
    assert_eq!(describes(&harness) - before, 1);
}

#[test]
fn task_logs_are_read_from_either_query() {
    let harness = Harness::new(Server {
        finish_after: 0,
        final_status: "done",
        ..Server::default()
    });
    let client = harness.client(|b| b);
    run(client.flush_urls(Areas::Mainland, urls("a", 2)));
    run(client.push_urls(Areas::Mainland, urls("b", 1)));
    let purge = run(client.task_logs(&"task-1".parse_task())).unwrap();
    assert_eq!(purge.len(), 2);
    assert_eq!(purge[0].kind, tcdn::wait::TaskKind::Purge);
    let push = run(client.task_logs(&"task-2".parse_task())).unwrap();
    assert_eq!(
        (push.len(), push[0].kind, push[0].status.as_str()),
        (1, tcdn::wait::TaskKind::Push, "done")
    );
    assert!(
        run(client.task_logs(&"task-9".parse_task()))
            .unwrap()
            .is_empty()
    );
}

trait ParseTask {
    fn parse_task(&self) -> tcdn::model::v3::TaskId;
}

impl ParseTask for str {
    fn parse_task(&self) -> tcdn::model::v3::TaskId {
        tcdn::model::v3::TaskId::new(self).unwrap()
    }
}

/// URLs of `hosts`, one each, in order.
fn urls_of(hosts: &[&str]) -> Vec<CdnUrl> {
    hosts
        .iter()
        .enumerate()
        .map(|(i, host)| format!("https://{host}/{i}.png").parse().unwrap())
        .collect()
}

const MIXED: [&str; 5] = [
    "www.example.com",
    "foreign.example",
    "img.cdn.example",
    "www.example.com",
    "foreign.example",
];

fn account() -> Server {
    Server {
        domains: vec!["www.example.com", "*.cdn.example", "other.example"],
        ..Server::default()
    }
}

fn failed_urls(report: &tcdn::Report) -> Vec<&str> {
    report.failed.iter().map(|f| f.url.as_str()).collect()
}

/// A submission of several calls reads every page of `DescribeDomains`
/// first and fails the URLs of hosts no domain covers (a wildcard covers
/// its subdomains) without a call; the others go out in calls of their own.
#[test]
fn a_domain_check_fails_foreign_hosts_without_a_call() {
    let harness = Harness::new(account());
    let client = harness.client(|b| b.batch_size(NonZeroUsize::new(2)));
    let input = urls_of(&MIXED);
    let job = Job::new(Operation::FlushUrls).check_domains(tcdn::CheckDomains::Auto);
    let report = run(client.submit_job(&job, input.iter().cloned().collect(), |_| {}));
    assert_eq!(
        failed_urls(&report),
        [
            "https://foreign.example/1.png",
            "https://foreign.example/4.png"
        ]
    );
    for failure in &report.failed {
        assert_eq!(
            failure.error_code.as_deref(),
            Some("ResourceNotFound.CdnHostNotExists")
        );
        assert!(
            failure
                .message
                .contains("DescribeDomains found no domain foreign.example")
        );
        assert!(!failure.sent);
    }
    assert_eq!(
        report.succeeded,
        [input[0].clone(), input[2].clone(), input[3].clone()]
    );
    assert_eq!(
        harness.server().actions,
        [
            Action::DescribeDomains,
            Action::DescribeDomains,
            Action::PurgeUrlsCache,
            Action::PurgeUrlsCache,
        ]
    );
    // One call is enough: no check.
    let harness = Harness::new(account());
    let client = harness.client(|b| b);
    let report = run(client.submit_job(&job, urls_of(&MIXED[..2]).into_iter().collect(), |_| {}));
    assert_eq!(failed_urls(&report), ["https://foreign.example/1.png"]);
    assert_eq!(
        harness.server().actions,
        [
            Action::PurgeUrlsCache,
            Action::PurgeUrlsCache,
            Action::PurgeUrlsCache
        ]
    );
}

/// Without the check, a batch refused for a foreign host is sent again
/// split by host: only that host's URLs fail, with the code and request
/// id, and no URL is accepted twice.
#[test]
fn unchecked_a_refused_batch_is_split_by_host() {
    let harness = Harness::new(account());
    let client = harness.client(|b| b.batch_size(NonZeroUsize::new(3)));
    let input = urls_of(&MIXED);
    let report = run(client.submit_job(
        &Job::new(Operation::FlushUrls),
        input.iter().cloned().collect(),
        |_| {},
    ));
    assert_eq!(
        failed_urls(&report),
        [
            "https://foreign.example/1.png",
            "https://foreign.example/4.png"
        ]
    );
    assert!(
        report
            .failed
            .iter()
            .all(|f| f.request_id.as_deref() == Some("req-host"))
    );
    assert_eq!(
        report.succeeded,
        [input[0].clone(), input[2].clone(), input[3].clone()]
    );
    let server = harness.server();
    // Batch 1 (3 hosts): refused, then www, foreign, img; batch 2 (2 hosts):
    // refused, then www, foreign.
    assert_eq!(server.actions.len(), 7);
    let accepted: Vec<&String> = server.tasks.iter().flat_map(|t| &t.urls).collect();
    assert_eq!(accepted.len(), 3, "{accepted:?}");
}

/// `always` makes an unreadable or empty list an error, and the submission
/// sends nothing; `auto` goes on unchecked.
#[test]
fn an_empty_domain_list_is_an_error_only_when_always() {
    let input = urls_of(&MIXED);
    let harness = Harness::new(Server::default());
    let client = harness.client(|b| b.batch_size(NonZeroUsize::new(2)));
    let always = Job::new(Operation::FlushUrls).check_domains(tcdn::CheckDomains::Always);
    let error = run(client.check_domains(&always, input.len())).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("DescribeDomains listed no domain"),
        "{error}"
    );
    let report = run(client.submit_job(&always, input.iter().cloned().collect(), |_| {}));
    assert_eq!(report.failed.len(), 5);
    assert_eq!(report.requests, 0);
    let auto = Job::new(Operation::FlushUrls).check_domains(tcdn::CheckDomains::Auto);
    assert_eq!(run(client.check_domains(&auto, input.len())), Ok(None));
    let report = run(client.submit_job(&auto, input.iter().cloned().collect(), |_| {}));
    assert_eq!(report.succeeded.len(), 5);
    let harness = Harness::new(Server {
        errors: vec!["UnauthorizedOperation.CdnCamUnauthorized"],
        ..Server::default()
    });
    let client = harness.client(|b| b.batch_size(NonZeroUsize::new(2)));
    let error = run(client.check_domains(&always, input.len())).unwrap_err();
    assert!(error.to_string().contains("CdnCamUnauthorized"), "{error}");
}
