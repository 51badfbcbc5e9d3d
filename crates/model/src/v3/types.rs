//! The value types of API 3.0 requests: areas, purge and task enumerations,
//! times, task ids, keywords, HTTP headers, and the option sets shared by
//! every batch of one purge or push.

use std::fmt;
use std::str::FromStr;

use crate::error::{ModelError, ModelErrorKind, quote};
use crate::url::is_format_char;

/// Defines a closed enumeration of wire strings with `as_str`, `from_wire`,
/// `ALL`, `FromStr` and `Display`.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The wire value.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $wire, )*
                }
            }

            /// Reads the exact wire value (case-sensitive, as the API spells
            /// it); anything else is `None`.
            pub fn from_wire(value: &str) -> Option<Self> {
                match value {
                    $( $wire => Some(Self::$variant), )*
                    _ => None,
                }
            }

            /// The wire values, for messages: `a, b or c`.
            pub(crate) fn choices() -> String {
                let all: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                match all.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        format!("{} or {last}", rest.join(", "))
                    }
                    _ => all.join(""),
                }
            }
        }

        impl FromStr for $name {
            type Err = ModelError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_wire(s).ok_or_else(|| {
                    ModelError::new(
                        ModelErrorKind::UnknownValue,
                        format!(concat!($what, " {} is not one of: {}"), quote(s), Self::choices()),
                    )
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use wire_enum;

wire_enum! {
    /// Where a purge applies (`Area` of `PurgeUrlsCache` and
    /// `PurgePathCache`). Sending no area (`None` where an
    /// `Option<PurgeArea>` is taken) purges the domain's own acceleration
    /// region; an area given must match that region (docs/protocol.md §5.2).
    PurgeArea, "purge area" {
        /// `mainland`: nodes in mainland China.
        Mainland = "mainland",
        /// `overseas`: nodes outside mainland China.
        Overseas = "overseas",
    }
}

wire_enum! {
    /// Where a push applies (`Area` of `PushUrlsCache`), and the area of a
    /// task query or task log. The API's default for a push without `Area`
    /// is `mainland`; `global` uses both areas' daily quota.
    Area, "area" {
        /// `mainland`: nodes in mainland China.
        Mainland = "mainland",
        /// `overseas`: nodes outside mainland China.
        Overseas = "overseas",
        /// `global`: both.
        Global = "global",
    }
}

impl From<PurgeArea> for Area {
    fn from(area: PurgeArea) -> Self {
        match area {
            PurgeArea::Mainland => Self::Mainland,
            PurgeArea::Overseas => Self::Overseas,
        }
    }
}

wire_enum! {
    /// How `PurgePathCache` purges a directory (`FlushType`, required).
    FlushType, "FlushType" {
        /// `flush`: only resources that changed at the origin.
        Flush = "flush",
        /// `delete`: every cached resource under the directory.
        Delete = "delete",
    }
}

wire_enum! {
    /// Which purge tasks `DescribePurgeTasks` lists (`PurgeType`), and the
    /// type of a purge task log.
    PurgeType, "PurgeType" {
        /// `url`: URL purges.
        Url = "url",
        /// `path`: directory purges.
        Path = "path",
    }
}

wire_enum! {
    /// A purge task state, as a `DescribePurgeTasks` filter (`Status`).
    PurgeStatus, "purge Status" {
        /// `fail`: the purge failed.
        Fail = "fail",
        /// `done`: the purge succeeded.
        Done = "done",
        /// `process`: the purge is running.
        Process = "process",
    }
}

wire_enum! {
    /// A task state: the `Status` of a task log, and the `DescribePushTasks`
    /// filter. `invalid` is push-only: the origin answered 4xx or 5xx.
    TaskStatus, "Status" {
        /// `fail`: the task failed.
        Fail = "fail",
        /// `done`: the task succeeded.
        Done = "done",
        /// `process`: the task is running.
        Process = "process",
        /// `invalid`: the origin answered with a 4xx or 5xx status (push).
        Invalid = "invalid",
    }
}

impl From<PurgeStatus> for TaskStatus {
    fn from(status: PurgeStatus) -> Self {
        match status {
            PurgeStatus::Fail => Self::Fail,
            PurgeStatus::Done => Self::Done,
            PurgeStatus::Process => Self::Process,
        }
    }
}

wire_enum! {
    /// The tier a push warms (`Layer`). The API knows only `middle` (also
    /// its default in mainland China); overseas pushes warm the edge unless
    /// `middle` is sent.
    Layer, "Layer" {
        /// `middle`: the middle tier.
        Middle = "middle",
    }
}

/// Shared check of free text sent as a query value (`TaskId`, `Keyword`).
pub(crate) fn check_query_text(field: &str, value: &str, max: usize) -> Result<(), ModelError> {
    let bad = if value.is_empty() {
        Some("is empty".to_owned())
    } else if value.len() > max {
        Some(format!(
            "is {} bytes long; at most {max} are allowed",
            value.len()
        ))
    } else {
        value
            .chars()
            .find(|&c| c.is_control() || is_format_char(c))
            .map(|c| {
                format!(
                    "holds the control or format character U+{:04X}",
                    u32::from(c)
                )
            })
    };
    match bad {
        Some(rule) => Err(ModelError::new(
            ModelErrorKind::QueryText,
            format!("{field} {} {rule}", quote(value)),
        )),
        None => Ok(()),
    }
}

/// The longest `TaskId` we send or accept, in bytes: the documented ids are
/// at most 23 characters; 128 leaves room without letting a megabyte through.
pub const MAX_TASK_ID_LEN: usize = 128;

/// The longest `Keyword` (a domain or a full URL), in bytes: a URL's limit.
pub const MAX_KEYWORD_LEN: usize = crate::url::MAX_URL_LEN;

/// A task id: opaque, non-empty text without control or format characters,
/// at most [`MAX_TASK_ID_LEN`] bytes. The API's examples show
/// `1533045796-i60rfmzm` and long decimal strings; nothing else is assumed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(Box<str>);

impl TaskId {
    /// Validates and wraps a task id.
    pub fn new(value: &str) -> Result<Self, ModelError> {
        check_query_text("TaskId", value, MAX_TASK_ID_LEN)?;
        Ok(Self(value.into()))
    }

    /// The id as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A task query's `Keyword`: a domain or a full `http(s)://` URL to filter
/// by; non-empty, without control or format characters, at most
/// [`MAX_KEYWORD_LEN`] bytes. Its form is the server's business.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Keyword(Box<str>);

impl Keyword {
    /// Validates and wraps a keyword.
    pub fn new(value: &str) -> Result<Self, ModelError> {
        check_query_text("Keyword", value, MAX_KEYWORD_LEN)?;
        Ok(Self(value.into()))
    }

    /// The keyword as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A time in the API's format, `YYYY-MM-DD HH:MM:SS` (Beijing time, UTC+8,
/// as the console shows it; the API does not say, docs/protocol.md §9).
///
/// Checked to be a real date (leap years included) and time (`00:00:00` to
/// `23:59:59`); kept as text, so values compare in time order.
///
/// ```
/// use tcdn_model::v3::DateTime;
///
/// let t = DateTime::parse("2024-02-29 23:59:59")?;
/// assert_eq!(t.as_str(), "2024-02-29 23:59:59");
/// assert!(DateTime::parse("2023-02-29 00:00:00").is_err());
/// assert!(DateTime::parse("2024-01-01T00:00:00").is_err());
/// assert!(DateTime::parse("2024-01-01 24:00:00").is_err());
/// # Ok::<(), tcdn_model::ModelError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime([u8; 19]);

impl DateTime {
    /// Parses `YYYY-MM-DD HH:MM:SS` exactly (no other separators, no
    /// fractions, no zone).
    pub fn parse(value: &str) -> Result<Self, ModelError> {
        let error = |rule: &str| {
            ModelError::new(
                ModelErrorKind::DateTime,
                format!("time {} {rule}", quote(value)),
            )
        };
        let bytes: [u8; 19] = value
            .as_bytes()
            .try_into()
            .map_err(|_| error("is not in the form YYYY-MM-DD HH:MM:SS"))?;
        let shape_ok = bytes.iter().enumerate().all(|(i, &b)| match i {
            4 | 7 => b == b'-',
            10 => b == b' ',
            13 | 16 => b == b':',
            _ => b.is_ascii_digit(),
        });
        if !shape_ok {
            return Err(error("is not in the form YYYY-MM-DD HH:MM:SS"));
        }
        let number = |range: std::ops::Range<usize>| {
            bytes[range]
                .iter()
                .fold(0u32, |n, &b| n * 10 + u32::from(b - b'0'))
        };
        let (year, month, day) = (number(0..4), number(5..7), number(8..10));
        let (hour, minute, second) = (number(11..13), number(14..16), number(17..19));
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(error("has a month outside 01 to 12")),
        };
        if !(1..=days).contains(&day) {
            return Err(error("has a day that month does not have"));
        }
        if hour > 23 || minute > 59 || second > 59 {
            return Err(error("has a time outside 00:00:00 to 23:59:59"));
        }
        Ok(Self(bytes))
    }

    /// The time as sent, `YYYY-MM-DD HH:MM:SS`.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and separators are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DateTime {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// At most this many custom headers per push.
pub const MAX_HEADERS: usize = 20;
/// The longest header name, in bytes.
pub const MAX_HEADER_NAME_LEN: usize = 128;
/// The longest header value (and `UserAgent`), in bytes.
pub const MAX_HEADER_VALUE_LEN: usize = 1024;

fn check_header_value(what: &str, value: &str) -> Result<(), ModelError> {
    let error = |rule: String| {
        ModelError::new(
            ModelErrorKind::HeaderValue,
            format!("{what} {} {rule}", quote(value)),
        )
    };
    if value.len() > MAX_HEADER_VALUE_LEN {
        return Err(error(format!(
            "is {} bytes long; at most {MAX_HEADER_VALUE_LEN} are allowed",
            value.len()
        )));
    }
    // RFC 9110 field-value: visible ASCII, space, tab and obs-text (here:
    // any non-ASCII character); no surrounding whitespace, which HTTP strips.
    if let Some(c) = value
        .chars()
        .find(|&c| (c.is_ascii_control() && c != '\t') || c == '\u{7f}')
    {
        return Err(error(format!(
            "holds U+{:04X}; an HTTP header value cannot hold control characters",
            u32::from(c)
        )));
    }
    if value.starts_with([' ', '\t']) || value.ends_with([' ', '\t']) {
        return Err(error(
            "starts or ends with whitespace, which HTTP would strip".to_owned(),
        ));
    }
    Ok(())
}

/// A custom HTTP header of a push (`Headers` item: `Name`, `Value`).
///
/// The name is an HTTP token (letters, digits and `` !#$%&'*+-.^_`|~ ``),
/// 1 to [`MAX_HEADER_NAME_LEN`] bytes; the value is 0 to
/// [`MAX_HEADER_VALUE_LEN`] bytes of visible ASCII, spaces, tabs and
/// non-ASCII text, without control characters or surrounding whitespace.
///
/// ```
/// use tcdn_model::v3::HttpHeader;
///
/// let header = HttpHeader::new("X-Warm", "yes")?;
/// assert_eq!((header.name(), header.value()), ("X-Warm", "yes"));
/// assert!(HttpHeader::new("Bad Name", "x").is_err());
/// assert!(HttpHeader::new("X-A", "line\r\nInjected: 1").is_err());
/// # Ok::<(), tcdn_model::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HttpHeader {
    name: Box<str>,
    value: Box<str>,
}

impl HttpHeader {
    /// Validates a header.
    pub fn new(name: &str, value: &str) -> Result<Self, ModelError> {
        let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        let rule = if name.is_empty() {
            Some("is empty".to_owned())
        } else if name.len() > MAX_HEADER_NAME_LEN {
            Some(format!(
                "is {} bytes long; at most {MAX_HEADER_NAME_LEN} are allowed",
                name.len()
            ))
        } else if !name.bytes().all(token) {
            Some("is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only)".to_owned())
        } else {
            None
        };
        if let Some(rule) = rule {
            return Err(ModelError::new(
                ModelErrorKind::HeaderName,
                format!("header name {} {rule}", quote(name)),
            ));
        }
        check_header_value(&format!("the value of header {name}"), value)?;
        Ok(Self {
            name: name.into(),
            value: value.into(),
        })
    }

    /// The header name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The header value.
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// The `User-Agent` a push sends to the origin (`UserAgent`; the API's
/// default is `TencentCdn`): a non-empty HTTP header value of at most
/// [`MAX_HEADER_VALUE_LEN`] bytes (see [`HttpHeader`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserAgent(Box<str>);

impl UserAgent {
    /// Validates a user agent.
    pub fn new(value: &str) -> Result<Self, ModelError> {
        if value.is_empty() {
            return Err(ModelError::new(
                ModelErrorKind::HeaderValue,
                "UserAgent is empty; leave it out to use the default (TencentCdn)",
            ));
        }
        check_header_value("UserAgent", value)?;
        Ok(Self(value.into()))
    }

    /// The user agent as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The options of a purge, shared by every batch of one run: `Area` and
/// `UrlEncode`. The default sends neither (the domain's own region, no
/// encoding).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PurgeOptions {
    /// `Area`: `None` sends no `Area` (the domain's own region).
    pub area: Option<PurgeArea>,
    /// `UrlEncode`: ask the server to encode non-ASCII characters first.
    /// Sent as `true` when set; `false` is the API's default and is left out.
    pub url_encode: bool,
}

/// The custom headers of a push (`Headers`): at most [`MAX_HEADERS`], in
/// wire order. Names are not deduplicated: the API does not say how it
/// treats a repeat.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Headers(Vec<HttpHeader>);

impl Headers {
    /// Checks the count ([`ListTooLong`](ModelErrorKind::ListTooLong) over
    /// [`MAX_HEADERS`]).
    pub fn new(headers: Vec<HttpHeader>) -> Result<Self, ModelError> {
        if headers.len() > MAX_HEADERS {
            return Err(ModelError::new(
                ModelErrorKind::ListTooLong {
                    field: "Headers",
                    count: headers.len(),
                    limit: MAX_HEADERS,
                },
                format!(
                    "Headers holds {} headers; at most {MAX_HEADERS} are allowed",
                    headers.len()
                ),
            ));
        }
        Ok(Self(headers))
    }

    /// The headers, in wire order.
    pub fn as_slice(&self) -> &[HttpHeader] {
        &self.0
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The options of a push, shared by every batch of one run. The default
/// sends none of them (the API's defaults: `TencentCdn`, `mainland`, middle
/// tier, no M3U8 parsing, range requests on, no headers, no encoding).
///
/// ```
/// use tcdn_model::v3::{Area, Headers, HttpHeader, Layer, PushOptions, UserAgent};
///
/// let options = PushOptions {
///     user_agent: Some(UserAgent::new("warmer/1.0")?),
///     area: Some(Area::Global),
///     layer: Some(Layer::Middle),
///     headers: Headers::new(vec![HttpHeader::new("X-Warm", "1")?])?,
///     ..PushOptions::default()
/// };
/// assert_eq!(options.headers.len(), 1);
/// assert!(Headers::new(vec![HttpHeader::new("X", "1")?; 21]).is_err());
/// # Ok::<(), tcdn_model::ModelError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PushOptions {
    /// `UserAgent`; `None` leaves it out.
    pub user_agent: Option<UserAgent>,
    /// `Area`; `None` leaves it out (the API pushes to `mainland`).
    pub area: Option<Area>,
    /// `Layer`; `None` leaves it out.
    pub layer: Option<Layer>,
    /// `ParseM3U8`: also push the `.ts` segments an M3U8 playlist names.
    /// Sent as `true` when set, left out otherwise.
    pub parse_m3u8: bool,
    /// `DisableRange`: fetch from the origin without range requests. Sent as
    /// `true` when set, left out otherwise.
    pub disable_range: bool,
    /// `Headers`; left out when empty.
    pub headers: Headers,
    /// `UrlEncode`: sent as `true` when set, left out otherwise.
    pub url_encode: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_enums_round_trip_and_refuse_other_spellings() {
        for &area in Area::ALL {
            assert_eq!(Area::from_wire(area.as_str()), Some(area));
        }
        assert_eq!(Area::from_wire("Mainland"), None);
        assert_eq!(PurgeArea::from_wire("global"), None);
        assert_eq!(Area::choices(), "mainland, overseas or global");
        assert_eq!(Layer::choices(), "middle");
        let err = "edge".parse::<Layer>().unwrap_err();
        assert_eq!(err.to_string(), r#"Layer "edge" is not one of: middle"#);
        assert_eq!(Area::from(PurgeArea::Overseas), Area::Overseas);
        assert_eq!(TaskStatus::from(PurgeStatus::Done), TaskStatus::Done);
    }

    #[test]
    fn date_times() {
        for ok in [
            "2018-08-08 00:00:00",
            "2000-02-29 12:30:59",
            "1999-12-31 23:59:59",
        ] {
            assert_eq!(DateTime::parse(ok).unwrap().as_str(), ok);
        }
        for bad in [
            "",
            "2018-08-08",
            "2018-08-08 00:00:00 ",
            "2018/08/08 00:00:00",
            "1900-02-29 00:00:00",
            "2018-13-01 00:00:00",
            "2018-00-01 00:00:00",
            "2018-04-31 00:00:00",
            "2018-04-00 00:00:00",
            "2018-04-01 00:60:00",
            "2018-04-01 00:00:60",
            "２018-04-01 00:00:0",
        ] {
            let err = DateTime::parse(bad).unwrap_err();
            assert_eq!(err.kind(), ModelErrorKind::DateTime, "{bad:?}");
        }
        assert!(
            DateTime::parse("2018-08-08 00:00:00").unwrap()
                < DateTime::parse("2018-08-08 00:00:01").unwrap()
        );
    }

    #[test]
    fn headers_and_user_agents() {
        assert!(HttpHeader::new(&"X".repeat(128), &"v".repeat(1024)).is_ok());
        assert!(HttpHeader::new("X", "").is_ok());
        assert!(HttpHeader::new("X", "a\tb é").is_ok());
        let kind = |n: &str, v: &str| HttpHeader::new(n, v).unwrap_err().kind();
        assert_eq!(kind(&"X".repeat(129), "v"), ModelErrorKind::HeaderName);
        assert_eq!(kind("", "v"), ModelErrorKind::HeaderName);
        assert_eq!(kind("X:Y", "v"), ModelErrorKind::HeaderName);
        assert_eq!(kind("Ä", "v"), ModelErrorKind::HeaderName);
        assert_eq!(kind("X", &"v".repeat(1025)), ModelErrorKind::HeaderValue);
        assert_eq!(kind("X", "a\nb"), ModelErrorKind::HeaderValue);
        assert_eq!(kind("X", "a\u{7f}"), ModelErrorKind::HeaderValue);
        assert_eq!(kind("X", " a"), ModelErrorKind::HeaderValue);
        assert!(UserAgent::new("").is_err());
        assert!(UserAgent::new("Mozilla/5.0 (X11)").is_ok());
        let headers = vec![HttpHeader::new("X", "1").unwrap(); MAX_HEADERS];
        assert!(Headers::new(headers.clone()).is_ok());
        let mut more = headers;
        more.push(HttpHeader::new("Y", "2").unwrap());
        assert_eq!(
            Headers::new(more).unwrap_err().kind(),
            ModelErrorKind::ListTooLong {
                field: "Headers",
                count: 21,
                limit: 20
            }
        );
    }

    #[test]
    fn task_ids_and_keywords() {
        assert!(TaskId::new("1533045796-i60rfmzm").is_ok());
        assert!(Keyword::new("www.example.com").is_ok());
        for bad in ["", "a\u{0}", "a\u{200b}", &"1".repeat(129)] {
            assert_eq!(
                TaskId::new(bad).unwrap_err().kind(),
                ModelErrorKind::QueryText
            );
        }
    }
}
