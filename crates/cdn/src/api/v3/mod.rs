//! API 3.0 (docs/protocol.md §5, §6): `PurgeUrlsCache`, `PurgePathCache`,
//! `PushUrlsCache` and the queries (`Describe{Purge,Push}Tasks`,
//! `Describe{Purge,Push}Quota`).
//!
//! - [`RequestBuilder`] (`builder.rs`) signs a
//!   [`Request`](tcdn_model::v3::Request) into a [`PreparedRequest`]: TC3
//!   (JSON POST, or GET) or the v1 signature (form POST, or GET), and plans
//!   URLs into calls.
//! - `answer.rs` classifies the answers by the string code's class.
//! - `V3` (here) is the backend the client core runs: one rate window of one
//!   second per action (20 calls each by default), a `TaskId` per accepted
//!   call, and the reconciliation of lost answers with `Describe*Tasks`.

pub(crate) mod answer;
mod builder;
mod plan;
mod prepared;
pub(crate) mod sign;
mod tasks;
#[cfg(test)]
mod testing;

use tcdn_model::CdnUrl;
use tcdn_model::v3::{DateTime, Keyword, PurgeType, Request, TaskSelector};
use tcdn_sign::tc3::{MAX_TIMESTAMP, Timestamp};

pub(crate) use answer::{Body, Receipt};
pub use builder::{Language, RequestBuilder, RequestError, RequestErrorKind, Signing};
pub(crate) use plan::batch as batch_of;
pub use plan::{BorrowedPlan, Plan, PlannedCall};
pub use prepared::PreparedRequest;
pub(crate) use tasks::{PageLog, TaskLogs, page_of, page_query};

use crate::core::backend::{
    Answer, Backend, Logged, Lookup, RateWindow, Reconciled, Reply, SignWith, Signed,
};
use crate::core::plan::Shape;
use crate::error::{CallError, CallErrorKind};
use crate::job::Job;

/// The most logs one `Describe*Tasks` page asks for. The documentation
/// gives the default (20) and not the maximum; 1000 is the maximum the
/// console's API explorer accepts [U] (docs/protocol.md §9). A server that
/// returns fewer pages on.
pub(crate) const PAGE: u64 = 1000;

/// The server's window: 20 calls per second per action (docs/protocol.md
/// §5.1).
const WINDOW: std::time::Duration = std::time::Duration::from_secs(1);

/// Added to the window: latency varies by more than this rarely, and a
/// `RequestLimitExceeded` is retried anyway.
const MARGIN: std::time::Duration = std::time::Duration::from_millis(100);

/// API 3.0's rate window, for every product that speaks it.
pub(crate) const RATE_WINDOW: RateWindow = RateWindow {
    window: WINDOW,
    margin: MARGIN,
};

/// The call error of a request that could not be prepared.
pub(crate) fn unprepared(err: RequestError) -> CallError {
    let kind = match err.kind() {
        RequestErrorKind::TooLarge => CallErrorKind::RequestTooLarge,
        _ => CallErrorKind::InvalidRequest,
    };
    CallError::new(kind, err.to_string())
}

/// The API 3.0 backend: a [`RequestBuilder`] and the answer classifier.
#[derive(Debug, Clone)]
pub(crate) struct V3 {
    pub(crate) requests: RequestBuilder,
}

impl Backend for V3 {
    type Job = Job;
    type Batch = Request;
    type Receipt = Receipt;

    const RATE_WINDOW: RateWindow = RATE_WINDOW;

    fn shape(&self, job: &Job) -> Shape {
        self.requests.shape(job)
    }

    fn batch(&self, job: &Job, urls: Vec<CdnUrl>) -> Request {
        plan::batch(job, urls)
    }

    fn narrow(&self, batch: &Request, urls: Vec<CdnUrl>) -> Request {
        let narrowed = match batch {
            Request::PurgeUrls(r) => {
                tcdn_model::v3::PurgeUrls::new(urls, r.options()).map(Request::from)
            }
            Request::PurgePaths(r) => tcdn_model::v3::PurgePaths::with_limit(
                urls,
                r.flush_type(),
                r.options(),
                r.paths().len(),
            )
            .map(Request::from),
            Request::PushUrls(r) => {
                tcdn_model::v3::PushUrls::new(urls, r.options().clone()).map(Request::from)
            }
            other => return other.clone(),
        };
        narrowed.unwrap_or_else(|err| unreachable!("a narrowed call is valid: {err}"))
    }

    fn urls(batch: &Request) -> &[CdnUrl] {
        match batch {
            Request::PurgeUrls(r) => r.urls(),
            Request::PurgePaths(r) => r.paths(),
            Request::PushUrls(r) => r.urls(),
            _ => &[],
        }
    }

    fn into_urls(batch: Request) -> Vec<CdnUrl> {
        match batch {
            Request::PurgeUrls(r) => r.into_urls(),
            Request::PurgePaths(r) => r.into_paths(),
            Request::PushUrls(r) => r.into_urls(),
            _ => Vec::new(),
        }
    }

    fn action(batch: &Request) -> &'static str {
        batch.action().as_str()
    }

    fn prepare(&self, batch: &Request, with: SignWith<'_>) -> Signed {
        let prepared = self
            .requests
            .prepare_as(
                with.credentials,
                batch,
                with.stamp.unix_seconds,
                with.stamp.nonce,
            )
            .map_err(unprepared)?;
        super::http_request(prepared)
    }

    fn classify(&self, batch: &Request, reply: Reply<'_>) -> Answer<Receipt> {
        let area = match batch {
            Request::PurgeUrls(r) => r.options().area.is_some(),
            Request::PurgePaths(r) => r.options().area.is_some(),
            Request::PushUrls(_) => true,
            _ => false,
        };
        answer::classify(batch.action(), reply.response, area)
    }

    fn task_id(receipt: &Receipt) -> Option<String> {
        match &receipt.body {
            Body::Task(task) => Some(task.task_id.clone()),
            _ => None,
        }
    }

    async fn reconcile<'a>(&'a self, lookup: Lookup<'a, Self>, batch: &'a Request) -> Reconciled {
        let (logs_of, urls) = match batch {
            Request::PurgeUrls(r) => (TaskLogs::Purge(Some(PurgeType::Url)), r.urls()),
            Request::PurgePaths(r) => (TaskLogs::Purge(Some(PurgeType::Path)), r.paths()),
            Request::PushUrls(r) => (TaskLogs::Push, r.urls()),
            _ => return Reconciled::Unsupported,
        };
        // The window is in the server's time (Beijing time on the wire).
        let (start, end) = lookup.window();
        let unix = |seconds: i64| u64::try_from(seconds).unwrap_or(0);
        let selector =
            match TaskSelector::since(beijing_time(unix(start)), Some(beijing_time(unix(end)))) {
                Ok(selector) => selector,
                Err(err) => return Reconciled::no_window(err),
            };
        // Every log in the window on the batch's hosts.
        let mut logged = Logged::default();
        let mut limit = page_limit(urls);
        for keyword in keywords(urls) {
            let mut offset = 0;
            loop {
                let query = page_query(
                    logs_of,
                    selector.clone(),
                    Some(keyword.clone()),
                    (offset, limit),
                );
                let receipt = match lookup.call(query).await {
                    Ok(Some(receipt)) => receipt,
                    // Longer URLs than the batch's on the same host: fewer
                    // logs a page.
                    Err(error) if error.kind == CallErrorKind::InvalidResponse && limit > 1 => {
                        limit /= 2;
                        continue;
                    }
                    Err(error) => return Reconciled::Unknown(error),
                    Ok(None) => {
                        return Reconciled::Unknown(CallError::new(
                            CallErrorKind::InvalidResponse,
                            "the lookup had no answer".to_owned(),
                        ));
                    }
                };
                let Ok((logs, total)) = page_of(receipt.body) else {
                    return Reconciled::Unknown(CallError::new(
                        CallErrorKind::InvalidResponse,
                        "the lookup's answer has no task logs".to_owned(),
                    ));
                };
                let page = logs.len() as u64;
                for log in logs {
                    let created = unix_of_beijing(&log.create_time);
                    logged.add(log.task_id, log.url, created);
                }
                offset += page;
                if page == 0 || offset >= total {
                    break;
                }
            }
        }
        lookup.found(urls, logged)
    }
}

/// Logs a lookup page asks for: as many as fit the transport's default
/// answer cap when every log carries a URL as long as the batch's longest
/// (its bytes twice over, for escapes) and the fields around it, at most
/// [`PAGE`].
fn page_limit(urls: &[CdnUrl]) -> u64 {
    const FIELDS: usize = 384;
    const ENVELOPE: usize = 8 * 1024;
    let longest = urls.iter().map(|u| u.as_str().len()).max().unwrap_or(0);
    let per_log = longest.saturating_mul(2).saturating_add(FIELDS);
    let fit = tcdn_transport::DEFAULT_MAX_RESPONSE_BYTES.saturating_sub(ENVELOPE) / per_log;
    (fit as u64).clamp(1, PAGE)
}

/// What to look the URLs up by: the URL itself when there is one, else each
/// distinct host (`Keyword` takes a domain or a full URL).
fn keywords(urls: &[CdnUrl]) -> Vec<Keyword> {
    if let [url] = urls {
        return Keyword::new(url.as_str()).into_iter().collect();
    }
    let mut hosts: Vec<&str> = Vec::new();
    for url in urls {
        let host = url.host();
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    hosts
        .into_iter()
        .filter_map(|h| Keyword::new(h).ok())
        .collect()
}

/// Unix seconds of a `YYYY-MM-DD HH:MM:SS` Beijing time (UTC+8); `None`
/// for any other text.
pub(crate) fn unix_of_beijing(text: &str) -> Option<i64> {
    let (date, time) = text.split_once(' ')?;
    let mut date = date.split('-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (date.next()??, date.next()??, date.next()??);
    let mut time = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (time.next()??, time.next()??, time.next()??);
    if date.next().is_some()
        || time.next().is_some()
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || !(0..24).contains(&h)
        || !(0..60).contains(&m)
        || !(0..=60).contains(&s)
    {
        return None;
    }
    let days = crate::core::skew::days_from_civil(year, month, day);
    Some(days * 86_400 + h * 3600 + m * 60 + s - 8 * 3600)
}

/// `YYYY-MM-DD HH:MM:SS` in Beijing time (UTC+8), as API 3.0 writes times.
/// A clock past year 9999 gives the last second of it.
pub(crate) fn beijing_time(unix: u64) -> DateTime {
    let seconds = unix.saturating_add(8 * 3600).min(MAX_TIMESTAMP);
    let date = Timestamp::new(seconds)
        .unwrap_or_else(|err| unreachable!("a bounded time is valid: {err}"))
        .date();
    let rest = seconds % 86_400;
    let text = format!(
        "{date} {:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    );
    DateTime::parse(&text).unwrap_or_else(|err| unreachable!("a computed time is valid: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_times() {
        assert_eq!(beijing_time(0).as_str(), "1970-01-01 08:00:00");
        assert_eq!(beijing_time(1_700_000_000).as_str(), "2023-11-15 06:13:20");
        assert_eq!(
            beijing_time(951_782_400 - 8 * 3600).as_str(),
            "2000-02-29 00:00:00"
        );
        assert_eq!(beijing_time(u64::MAX).as_str(), "9999-12-31 23:59:59");
    }

    /// A lookup page of the batch's longest URLs fits the transport's
    /// default answer cap: 1000 logs of short URLs, fewer of long ones.
    #[test]
    fn lookup_pages_fit_the_answer_cap() {
        let short: Vec<CdnUrl> = vec!["https://a.example/1".parse().unwrap()];
        assert_eq!(page_limit(&short), PAGE);
        for len in [1000, 4000] {
            let long: Vec<CdnUrl> = vec![
                format!("https://a.example/{}", "x".repeat(len))
                    .parse()
                    .unwrap(),
            ];
            let limit = page_limit(&long);
            assert!((1..PAGE).contains(&limit), "{len}: {limit}");
            let page_bytes = limit as usize * (2 * (len + 18) + 384);
            assert!(
                page_bytes <= tcdn_transport::DEFAULT_MAX_RESPONSE_BYTES,
                "{len}: {page_bytes}"
            );
        }
    }

    #[test]
    fn beijing_times_read_back() {
        for unix in [0, 951_782_400 - 8 * 3600, 1_700_000_000, 1_800_000_000] {
            assert_eq!(
                unix_of_beijing(beijing_time(unix).as_str()),
                Some(i64::try_from(unix).unwrap())
            );
        }
        for bad in [
            "",
            "2023-11-15",
            "2023-11-15T06:13:20",
            "2023-13-01 00:00:00",
            "x y",
        ] {
            assert_eq!(unix_of_beijing(bad), None, "{bad}");
        }
    }

    #[test]
    fn hosts_and_keywords() {
        let urls: Vec<CdnUrl> = [
            "https://a.example/1",
            "https://b.example/2",
            "https://a.example/3",
        ]
        .iter()
        .map(|u| u.parse().unwrap())
        .collect();
        let words: Vec<String> = keywords(&urls)
            .iter()
            .map(|k| k.as_str().to_owned())
            .collect();
        assert_eq!(words, ["a.example", "b.example"]);
        let one: Vec<String> = keywords(&urls[1..2])
            .iter()
            .map(|k| k.as_str().to_owned())
            .collect();
        assert_eq!(one, ["https://b.example/2"]);
    }
}
