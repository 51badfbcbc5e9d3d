//! Planning EdgeOne calls: each URL's zone (the zone whose name is its
//! host or the host's longest parent domain), the URLs of a submission
//! grouped by zone in input order, and one zone's calls (their action,
//! per-call limit and byte shape).

use std::num::NonZeroUsize;

use tcdn_model::teo::{
    CreatePrefetchTask, CreatePurgeTask, Method, PrefetchOptions, PurgeTargets, QuotaType, Request,
    Zone, ZoneId,
};
use tcdn_model::v3::MAX_TC3_POST_BODY_LEN;
use tcdn_model::{CdnUrl, Operation};

use super::builder::RequestBuilder;
use crate::core::dedupe::DistinctUrls;
use crate::core::plan::{Planner, Shape, TooLarge};
use crate::job::Job;

/// What every call of one zone's submission does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `CreatePurgeTask` of `purge_url`.
    PurgeUrls,
    /// `CreatePurgeTask` of `purge_prefix`.
    PurgePrefixes(Method),
    /// `CreatePrefetchTask`.
    Prefetch(PrefetchOptions),
}

impl Kind {
    /// What `job` does on EdgeOne: a purge of URLs, of prefixes (`--dir`,
    /// its flush type as the `Method`), or a prefetch.
    pub(crate) fn of(job: &Job) -> Self {
        match job.operation() {
            Operation::FlushUrls => Self::PurgeUrls,
            Operation::FlushDirs => Self::PurgePrefixes(job.edgeone_method()),
            Operation::PushUrls => Self::Prefetch(job.prefetch_options()),
        }
    }

    /// The quota its targets count against.
    pub(crate) fn quota_type(&self) -> QuotaType {
        match self {
            Self::PurgeUrls => QuotaType::PurgeUrl,
            Self::PurgePrefixes(_) => QuotaType::PurgePrefix,
            Self::Prefetch(_) => QuotaType::PrefetchUrl,
        }
    }
}

/// One zone's submission: its zone, what it does, and the most targets
/// one call carries (the zone quota's `Batch`, when read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ZoneJob {
    /// The zone.
    pub(crate) zone_id: ZoneId,
    /// What it does.
    pub(crate) kind: Kind,
    /// Targets per call.
    pub(crate) limit: usize,
}

/// The call of `job` carrying `urls` (non-empty, within the job's limit:
/// the planner made them so).
pub(crate) fn batch(job: &ZoneJob, urls: Vec<CdnUrl>) -> Request {
    let zone_id = job.zone_id.clone();
    let built = match &job.kind {
        Kind::PurgeUrls => {
            CreatePurgeTask::with_limit(zone_id, PurgeTargets::Urls(urls), usize::MAX)
                .map(Request::from)
        }
        Kind::PurgePrefixes(method) => {
            CreatePurgeTask::with_limit(zone_id, PurgeTargets::Prefixes(urls, *method), usize::MAX)
                .map(Request::from)
        }
        Kind::Prefetch(options) => {
            CreatePrefetchTask::with_limit(zone_id, urls, options.clone(), usize::MAX)
                .map(Request::from)
        }
    };
    built.unwrap_or_else(|err| unreachable!("a planned call is valid: {err}"))
}

/// How `job`'s URLs are laid out: the JSON `Targets` list of a TC3 POST
/// body, within the body limit; the fixed part is bounded from above (the
/// zone id, type, method and headers, each escaped at worst).
pub(crate) fn shape(job: &ZoneJob) -> Shape {
    let headers = match &job.kind {
        Kind::Prefetch(options) => options
            .headers
            .iter()
            .map(|h| 6 * (h.name().len() + h.value().len()) + 32)
            .sum(),
        Kind::PurgeUrls | Kind::PurgePrefixes(_) => 0,
    };
    Shape {
        limit: job.limit,
        budget: MAX_TC3_POST_BODY_LEN,
        fixed: 256 + job.zone_id.as_str().len() + headers,
        url_len: |index, url| tcdn_model::json::str_len(url) + usize::from(index > 0),
        url_len_bound: |len| 3 + 6 * len,
    }
}

impl RequestBuilder {
    /// The calls of `job` for `urls`, all of `zone_id`, in order: at most
    /// `batch_size` (else [`DEFAULT_MAX_TARGETS`](tcdn_model::teo::DEFAULT_MAX_TARGETS))
    /// targets each, for dry runs (a client reads the zone's quota for the
    /// batch size first). A URL too long for any call is a [`TooLarge`].
    ///
    /// ```
    /// use tcdn::{Credentials, Job, Operation, plan::DistinctUrls};
    /// use tcdn::edgeone::RequestBuilder;
    /// use tcdn::model::teo::ZoneId;
    ///
    /// let builder = RequestBuilder::new(Credentials::new("AKIDexample", "secret")?);
    /// let urls: DistinctUrls = (0..2500).map(|i| format!("https://a.example/{i}.js").parse()).collect::<Result<_, _>>()?;
    /// let calls = builder.plan(&Job::new(Operation::FlushUrls), &ZoneId::new("zone-1")?, urls, None);
    /// let sizes: Vec<usize> = calls.map(|call| call.unwrap().to_json().matches("https://").count()).collect();
    /// assert_eq!(sizes, [1000, 1000, 500]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn plan(
        &self,
        job: &Job,
        zone_id: &ZoneId,
        urls: DistinctUrls,
        batch_size: Option<NonZeroUsize>,
    ) -> impl Iterator<Item = Result<Request, TooLarge>> + use<> {
        let zone_job = ZoneJob {
            zone_id: zone_id.clone(),
            kind: Kind::of(job),
            limit: tcdn_model::teo::DEFAULT_MAX_TARGETS,
        };
        Planner::new(shape(&zone_job).with_batch_size(batch_size), urls)
            .map(move |planned| planned.map(|urls| batch(&zone_job, urls)))
    }
}

/// The account's zones by name, for giving each URL its zone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ZoneIndex {
    /// `(ZoneName, ZoneId)`, names in lower case.
    zones: Vec<(String, ZoneId)>,
}

impl ZoneIndex {
    /// The index of `zones` (those whose id is not a valid [`ZoneId`] are
    /// left out: no call could name them).
    pub(crate) fn new(zones: &[Zone]) -> Self {
        Self {
            zones: zones
                .iter()
                .filter_map(|zone| {
                    let id = ZoneId::new(&zone.zone_id).ok()?;
                    Some((
                        zone.zone_name.trim_end_matches('.').to_ascii_lowercase(),
                        id,
                    ))
                })
                .collect(),
        }
    }

    /// The zone of `host`: the zone named `host` or its longest parent
    /// domain. `Err` says why there is none: no zone covers it, or zones of
    /// the same name (which `AliasZoneName` tells apart) leave it
    /// ambiguous.
    pub(crate) fn zone_of(&self, host: &str) -> Result<&ZoneId, String> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let covers = |name: &str| {
            host == name
                || host
                    .strip_suffix(name)
                    .is_some_and(|head| head.ends_with('.'))
        };
        let longest = self
            .zones
            .iter()
            .filter(|(name, _)| covers(name))
            .map(|(name, _)| name.len())
            .max();
        let Some(longest) = longest else {
            return Err(format!(
                "no EdgeOne zone of the account serves the host {host} (give its zone with --zone)"
            ));
        };
        let mut matching = self
            .zones
            .iter()
            .filter(|(name, _)| name.len() == longest && covers(name));
        let (name, first) = matching
            .next()
            .unwrap_or_else(|| unreachable!("one matched"));
        match matching.next() {
            None => Ok(first),
            Some((_, second)) => Err(format!(
                "the host {host} is in more than one EdgeOne zone named {name} ({first}, \
                 {second}); give its zone with --zone"
            )),
        }
    }
}

/// URLs grouped by zone: each zone with its URLs (and their input
/// positions), zones in the order their first URL comes; and the URLs of
/// no zone, with why.
pub(crate) type Grouped = (
    Vec<(ZoneId, Vec<(usize, CdnUrl)>)>,
    Vec<(usize, CdnUrl, String)>,
);

/// Groups `urls` by the zone `zone_of` gives each one's host.
pub(crate) fn group_by_zone<'z>(
    urls: impl IntoIterator<Item = CdnUrl>,
    zone_of: impl Fn(&str) -> Result<&'z ZoneId, String>,
) -> Grouped {
    let mut zones: Vec<(ZoneId, Vec<(usize, CdnUrl)>)> = Vec::new();
    let mut orphans = Vec::new();
    for (at, url) in urls.into_iter().enumerate() {
        match zone_of(url.host()) {
            Ok(zone) => match zones.iter_mut().find(|(id, _)| id == zone) {
                Some((_, list)) => list.push((at, url)),
                None => zones.push((zone.clone(), vec![(at, url)])),
            },
            Err(why) => orphans.push((at, url, why)),
        }
    }
    (zones, orphans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(id: &str, name: &str) -> Zone {
        Zone {
            zone_id: id.to_owned(),
            zone_name: name.to_owned(),
            status: Some("active".to_owned()),
            alias_zone_name: None,
            paused: None,
        }
    }

    fn index() -> ZoneIndex {
        ZoneIndex::new(&[
            zone("zone-com", "example.com"),
            zone("zone-img", "img.example.com"),
            zone("zone-net", "Example.NET"),
            zone("zone-a", "twin.example"),
            zone("zone-b", "twin.example"),
        ])
    }

    #[test]
    fn a_host_gets_the_zone_of_its_longest_parent() {
        let index = index();
        let of = |host: &str| index.zone_of(host).map(ZoneId::as_str);
        assert_eq!(of("example.com"), Ok("zone-com"));
        assert_eq!(of("www.example.com"), Ok("zone-com"));
        assert_eq!(of("img.example.com"), Ok("zone-img"));
        assert_eq!(of("a.b.IMG.example.com"), Ok("zone-img"));
        assert_eq!(of("www.example.net"), Ok("zone-net"));
        let miss = of("badexample.com").unwrap_err();
        assert!(miss.contains("badexample.com"), "{miss}");
        let twin = of("www.twin.example").unwrap_err();
        assert!(twin.contains("zone-a") && twin.contains("zone-b"), "{twin}");
    }

    #[test]
    fn urls_are_grouped_by_zone_in_input_order() {
        let index = index();
        let urls: Vec<CdnUrl> = [
            "https://img.example.com/1",
            "https://www.example.com/2",
            "https://nowhere.test/3",
            "https://img.example.com/4",
            "https://example.com:8443/5",
        ]
        .iter()
        .map(|u| u.parse().unwrap())
        .collect();
        let (zones, orphans) = group_by_zone(urls, |host| index.zone_of(host));
        let shown: Vec<(&str, Vec<usize>)> = zones
            .iter()
            .map(|(id, urls)| (id.as_str(), urls.iter().map(|(at, _)| *at).collect()))
            .collect();
        assert_eq!(shown, [("zone-img", vec![0, 3]), ("zone-com", vec![1, 4])]);
        assert_eq!(orphans.len(), 1);
        assert_eq!(orphans[0].0, 2);
        assert!(orphans[0].2.contains("nowhere.test"), "{}", orphans[0].2);
    }

    #[test]
    fn a_zone_job_plans_its_calls_within_the_limit() {
        let job = ZoneJob {
            zone_id: ZoneId::new("zone-1").unwrap(),
            kind: Kind::PurgePrefixes(Method::Delete),
            limit: 2,
        };
        let shape = shape(&job);
        assert_eq!(shape.limit, 2);
        let urls: Vec<CdnUrl> = vec!["https://a.example/d/".parse().unwrap()];
        let request = batch(&job, urls);
        assert_eq!(
            request.to_json(),
            r#"{"ZoneId":"zone-1","Type":"purge_prefix","Method":"delete","Targets":["https://a.example/d/"]}"#
        );
        assert!(
            request.to_json().len() <= shape.fixed + (shape.url_len)(0, "https://a.example/d/")
        );
    }
}
