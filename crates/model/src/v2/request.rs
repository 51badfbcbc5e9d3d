//! The request: the wire `command` and `type` of an [`Operation`], and the
//! validated [`FlushOrPush`] batch.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{ModelError, ModelErrorKind, quote};
use crate::operation::{Areas, Operation};
use crate::url::CdnUrl;
use crate::v2::codes::ModuleCode;
use crate::v2::limits::{MAX_FLUSH_DIRS, MAX_FLUSH_URLS, MAX_PUSH_URLS};

/// The wire `command`: what to do with the URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Command {
    /// `flush`: purge cached copies.
    Flush,
    /// `push`: prefetch into the cache.
    Push,
}

impl Command {
    /// The wire value, `flush` or `push`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Flush => "flush",
            Self::Push => "push",
        }
    }
}

impl FromStr for Command {
    type Err = ModelError;

    /// Parses the exact wire value (case-sensitive, as the server compares it).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "flush" => Ok(Self::Flush),
            "push" => Ok(Self::Push),
            _ => Err(ModelError::new(
                ModelErrorKind::UnknownCommand,
                format!("command {} is not one of: flush, push", quote(s)),
            )),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The wire `type`: whether the batch holds resource URLs or directories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UrlType {
    /// `url`: full resource URLs.
    Url,
    /// `dir`: directories (flush only).
    Dir,
}

impl UrlType {
    /// The wire value, `url` or `dir`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Url => "url",
            Self::Dir => "dir",
        }
    }
}

impl FromStr for UrlType {
    type Err = ModelError;

    /// Parses the exact wire value (case-sensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "url" => Ok(Self::Url),
            "dir" => Ok(Self::Dir),
            _ => Err(ModelError::new(
                ModelErrorKind::UnknownType,
                format!("type {} is not one of: url, dir", quote(s)),
            )),
        }
    }
}

impl fmt::Display for UrlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How API 2.0 writes an [`Operation`]: its `command` and `type`, and its
/// limits.
impl Operation {
    /// Combines a wire `command` and `type`; a push of directories is refused
    /// with [`ModelErrorKind::PushDirectory`].
    pub fn from_parts(command: Command, url_type: UrlType) -> Result<Self, ModelError> {
        match (command, url_type) {
            (Command::Flush, UrlType::Url) => Ok(Self::FlushUrls),
            (Command::Flush, UrlType::Dir) => Ok(Self::FlushDirs),
            (Command::Push, UrlType::Url) => Ok(Self::PushUrls),
            (Command::Push, UrlType::Dir) => Err(ModelError::new(
                ModelErrorKind::PushDirectory,
                "command push with type dir: directories can only be flushed, not pushed",
            )),
        }
    }

    /// The wire `command`.
    pub const fn command(self) -> Command {
        match self {
            Self::FlushUrls | Self::FlushDirs => Command::Flush,
            Self::PushUrls => Command::Push,
        }
    }

    /// The wire `type`.
    pub const fn url_type(self) -> UrlType {
        match self {
            Self::FlushUrls | Self::PushUrls => UrlType::Url,
            Self::FlushDirs => UrlType::Dir,
        }
    }

    /// How many URLs one request may carry (docs/protocol.md §4.2: [`MAX_FLUSH_URLS`], [`MAX_FLUSH_DIRS`],
    /// [`MAX_PUSH_URLS`]).
    pub const fn max_urls_per_request(self) -> usize {
        match self {
            Self::FlushUrls => MAX_FLUSH_URLS,
            Self::FlushDirs => MAX_FLUSH_DIRS,
            Self::PushUrls => MAX_PUSH_URLS,
        }
    }

    /// The module code the service answers with when a request carries more
    /// than [`max_urls_per_request`](Self::max_urls_per_request) URLs: 22043,
    /// 22045 or 23100 (docs/protocol.md §4.5).
    pub const fn over_limit_module_code(self) -> ModuleCode {
        match self {
            Self::FlushUrls => ModuleCode::PurgeTooManyUrls,
            Self::FlushDirs => ModuleCode::PurgeTooManyDirs,
            Self::PushUrls => ModuleCode::PrefetchTooManyUrls,
        }
    }
}

/// A valid `FlushOrPushOverall` request: an operation, its areas, and
/// between 1 and [`Operation::max_urls_per_request`] distinct URLs, in the
/// order given.
///
/// Serde shape (validated on deserialize; unknown fields are refused):
///
/// ```
/// use tcdn_model::{Areas, Operation};
/// use tcdn_model::v2::FlushOrPush;
///
/// let request: FlushOrPush = serde_json::from_str(
///     r#"{"operation":"flush_dirs","areas":"both","urls":["https://a.example/static/"]}"#,
/// )?;
/// assert_eq!(request.operation(), Operation::FlushDirs);
/// assert_eq!(request.areas(), Areas::Both);
///
/// let too_many = format!(
///     r#"{{"operation":"push_urls","areas":"mainland","urls":[{}]}}"#,
///     (0..21).map(|i| format!(r#""https://a.example/{i}""#)).collect::<Vec<_>>().join(","),
/// );
/// let err = serde_json::from_str::<FlushOrPush>(&too_many).unwrap_err();
/// assert!(err.to_string().contains("21 URLs"), "{err}");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawRequest")]
pub struct FlushOrPush {
    operation: Operation,
    areas: Areas,
    urls: Vec<CdnUrl>,
}

/// The unvalidated serde shape of [`FlushOrPush`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    operation: Operation,
    areas: Areas,
    urls: Vec<CdnUrl>,
}

impl TryFrom<RawRequest> for FlushOrPush {
    type Error = ModelError;

    fn try_from(raw: RawRequest) -> Result<Self, Self::Error> {
        Self::new(raw.operation, raw.areas, raw.urls)
    }
}

impl FlushOrPush {
    /// Builds a request, checking the batch: at least one URL
    /// ([`NoUrls`](ModelErrorKind::NoUrls)), at most the operation's limit
    /// ([`TooManyUrls`](ModelErrorKind::TooManyUrls)), no URL twice
    /// ([`DuplicateUrl`](ModelErrorKind::DuplicateUrl); URLs are compared
    /// byte for byte, so `HTTP://a` and `http://a` are different).
    pub fn new(
        operation: Operation,
        areas: Areas,
        urls: impl IntoIterator<Item = CdnUrl>,
    ) -> Result<Self, ModelError> {
        let urls: Vec<CdnUrl> = urls.into_iter().collect();
        check_count(operation, urls.len())?;
        check_distinct(&urls)?;
        Ok(Self {
            operation,
            areas,
            urls,
        })
    }

    /// The operation.
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// The areas.
    pub fn areas(&self) -> Areas {
        self.areas
    }

    /// The URLs, in wire order (`urls.0` first).
    pub fn urls(&self) -> &[CdnUrl] {
        &self.urls
    }

    /// Takes the URLs back, e.g. to re-plan them into other batches.
    pub fn into_urls(self) -> Vec<CdnUrl> {
        self.urls
    }
}

pub(crate) fn check_count(operation: Operation, count: usize) -> Result<(), ModelError> {
    let limit = operation.max_urls_per_request();
    if count == 0 {
        return Err(ModelError::new(
            ModelErrorKind::NoUrls,
            format!("a {operation} request needs at least one URL; none were given"),
        ));
    }
    if count > limit {
        return Err(ModelError::new(
            ModelErrorKind::TooManyUrls { count, limit },
            format!(
                "a {operation} request carries at most {limit} URLs; {count} URLs were given \
                 (split them into several requests)"
            ),
        ));
    }
    Ok(())
}

fn check_distinct(urls: &[CdnUrl]) -> Result<(), ModelError> {
    // foldhash, not std's SipHash: this runs for every batch a client plans
    // (a thousand URLs each), and the URLs are the caller's own.
    let mut seen =
        HashSet::with_capacity_and_hasher(urls.len(), foldhash::fast::RandomState::default());
    for (index, url) in urls.iter().enumerate() {
        if !seen.insert(url.as_str()) {
            return Err(ModelError::new(
                ModelErrorKind::DuplicateUrl,
                format!(
                    "URL {} appears more than once in one batch (again at position {index}); \
                     each URL may appear once",
                    quote(url.as_str())
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(n: usize) -> Vec<CdnUrl> {
        (0..n)
            .map(|i| CdnUrl::parse(&format!("https://a.example/{i}")).unwrap())
            .collect()
    }

    #[test]
    fn operations_map_to_wire_values_and_back() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_parts(op.command(), op.url_type()), Ok(op));
        }
        let err = Operation::from_parts(Command::Push, UrlType::Dir).unwrap_err();
        assert_eq!(err.kind(), ModelErrorKind::PushDirectory);
    }

    #[test]
    fn limits_follow_the_console_quotas() {
        assert_eq!(Operation::FlushUrls.max_urls_per_request(), 1000);
        assert_eq!(Operation::FlushDirs.max_urls_per_request(), 20);
        assert_eq!(Operation::PushUrls.max_urls_per_request(), 20);
        assert_eq!(Operation::FlushUrls.over_limit_module_code().code(), 22043);
        assert_eq!(Operation::FlushDirs.over_limit_module_code().code(), 22045);
        assert_eq!(Operation::PushUrls.over_limit_module_code().code(), 23100);
    }

    #[test]
    fn areas_from_flags() {
        assert_eq!(Areas::from_flags(true, false), Ok(Areas::Mainland));
        assert_eq!(Areas::from_flags(false, true), Ok(Areas::Oversea));
        assert_eq!(Areas::from_flags(true, true), Ok(Areas::Both));
        let err = Areas::from_flags(false, false).unwrap_err();
        assert_eq!(err.kind(), ModelErrorKind::NoArea);
        assert!(err.to_string().contains("choose mainland, oversea or both"));
        for areas in [Areas::Mainland, Areas::Oversea, Areas::Both] {
            assert_eq!(
                Areas::from_flags(areas.mainland(), areas.oversea()),
                Ok(areas)
            );
        }
    }

    #[test]
    fn batch_bounds_are_inclusive() {
        for op in Operation::ALL {
            let limit = op.max_urls_per_request();
            assert!(FlushOrPush::new(op, Areas::Both, urls(1)).is_ok());
            assert!(FlushOrPush::new(op, Areas::Both, urls(limit)).is_ok());
            assert_eq!(
                FlushOrPush::new(op, Areas::Both, urls(limit + 1))
                    .unwrap_err()
                    .kind(),
                ModelErrorKind::TooManyUrls {
                    count: limit + 1,
                    limit
                }
            );
            assert_eq!(
                FlushOrPush::new(op, Areas::Both, urls(0))
                    .unwrap_err()
                    .kind(),
                ModelErrorKind::NoUrls
            );
        }
    }

    #[test]
    fn duplicates_are_refused_by_name() {
        let mut batch = urls(3);
        batch.push(batch[1].clone());
        let err = FlushOrPush::new(Operation::FlushUrls, Areas::Mainland, batch).unwrap_err();
        assert_eq!(err.kind(), ModelErrorKind::DuplicateUrl);
        assert!(
            err.to_string().contains(r#""https://a.example/1""#),
            "{err}"
        );
        assert!(err.to_string().contains("position 3"), "{err}");
    }

    #[test]
    fn serde_round_trip_and_refusals() {
        let json = r#"{"operation":"push_urls","areas":"oversea","urls":["https://a.example/x"]}"#;
        let request: FlushOrPush = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&request).unwrap(), json);

        let overseas =
            r#"{"operation":"push_urls","areas":"overseas","urls":["https://a.example/x"]}"#;
        assert_eq!(
            serde_json::from_str::<FlushOrPush>(overseas).unwrap(),
            request
        );

        for bad in [
            r#"{"operation":"push_dirs","areas":"both","urls":["https://a.example/"]}"#,
            r#"{"operation":"flush_urls","areas":"none","urls":["https://a.example/"]}"#,
            r#"{"operation":"flush_urls","areas":"both","urls":[]}"#,
            r#"{"operation":"flush_urls","areas":"both","urls":["ftp://a.example/"]}"#,
            r#"{"operation":"flush_urls","areas":"both","urls":["https://a/","https://a/"]}"#,
            r#"{"operation":"flush_urls","areas":"both","urls":["https://a/"],"extra":1}"#,
            r#"{"areas":"both","urls":["https://a/"]}"#,
        ] {
            assert!(serde_json::from_str::<FlushOrPush>(bad).is_err(), "{bad}");
        }
    }
}
