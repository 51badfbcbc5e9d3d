//! The way back, for the emulator: decoded form parameters read into a
//! [`FlushOrPush`] as the server reads them, with the error kind of each
//! rule.

use crate::error::{ModelError, ModelErrorKind, quote};
use crate::operation::{Areas, Operation};
use crate::url::CdnUrl;
use crate::v2::request::{Command, FlushOrPush, UrlType, check_count};

impl FlushOrPush {
    /// Parses decoded wire parameters back into a request, as the server
    /// would read them (for the emulator).
    ///
    /// Read: `command`, `type`, `mainland`, `oversea` and every name that is
    /// `urls` or starts with `urls.`. Everything else (`Action`, `SecretId`,
    /// `Timestamp`, `Nonce`, `Signature`, `SignatureMethod`, `Token`,
    /// `RequestClient`, `Region`, unknown extras) is ignored: it is the
    /// caller's business.
    ///
    /// Rules and the error kind for each, in the order they are checked:
    /// 1. `command`, `type`, `mainland` or `oversea` twice →
    ///    [`DuplicateParameter`](ModelErrorKind::DuplicateParameter) (PHP
    ///    would silently keep the last; refusing it shows client bugs).
    /// 2. `command` or `type` missing →
    ///    [`MissingParameter`](ModelErrorKind::MissingParameter); not exactly
    ///    `flush`/`push` → [`UnknownCommand`](ModelErrorKind::UnknownCommand);
    ///    not exactly `url`/`dir` → [`UnknownType`](ModelErrorKind::UnknownType);
    ///    `push` with `dir` → [`PushDirectory`](ModelErrorKind::PushDirectory).
    /// 3. `mainland`/`oversea`: `1` chooses the area; `0` or empty means not
    ///    chosen, like an absent flag (\[U\]: the document only defines `1` and
    ///    absent]; any other value →
    ///    [`InvalidAreaFlag`](ModelErrorKind::InvalidAreaFlag); none chosen →
    ///    [`NoArea`](ModelErrorKind::NoArea).
    /// 4. URL names must be `urls.N` with N a canonical decimal (no sign, no
    ///    leading zero), each N once, and together exactly `0..count` (no
    ///    gaps); otherwise [`UrlIndex`](ModelErrorKind::UrlIndex).
    /// 5. No URLs → [`NoUrls`](ModelErrorKind::NoUrls); more than the
    ///    operation's limit → [`TooManyUrls`](ModelErrorKind::TooManyUrls)
    ///    with the operation, count and limit (the server answers those with
    ///    module codes 22043/22045/23100, not 4000).
    /// 6. Each value must be a valid [`CdnUrl`] (its own kinds), and distinct
    ///    ([`DuplicateUrl`](ModelErrorKind::DuplicateUrl)).
    ///
    /// Accepts any pairs of string-likes: `(&str, &str)`, `(String, String)`,
    /// or `pairs.iter().map(|(k, v)| (k, v))` over a slice of owned pairs.
    ///
    /// ```
    /// use tcdn_model::{ModelErrorKind, Operation, decode_form};
    /// use tcdn_model::v2::FlushOrPush;
    ///
    /// let pairs = decode_form(
    ///     b"Action=FlushOrPushOverall&Nonce=1&command=flush&type=dir&oversea=1\
    ///       &urls.0=https%3A%2F%2Fa.example%2Fstatic%2F&Signature=abc%3D",
    /// )?;
    /// let request = FlushOrPush::from_params(pairs.iter().map(|(k, v)| (k, v)))?;
    /// assert_eq!(request.operation(), Operation::FlushDirs);
    ///
    /// let err = FlushOrPush::from_params([("command", "push"), ("type", "dir")]).unwrap_err();
    /// assert_eq!(err.kind(), ModelErrorKind::PushDirectory);
    /// # Ok::<(), tcdn_model::ModelError>(())
    /// ```
    pub fn from_params<I, K, V>(params: I) -> Result<Self, ModelError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut command = Slot::new("command");
        let mut url_type = Slot::new("type");
        let mut mainland = Slot::new("mainland");
        let mut oversea = Slot::new("oversea");
        let mut indexed: Vec<(usize, String)> = Vec::new();
        for (key, value) in params {
            let (key, value) = (key.as_ref(), value.as_ref());
            match key {
                "command" => command.set(value)?,
                "type" => url_type.set(value)?,
                "mainland" => mainland.set(value)?,
                "oversea" => oversea.set(value)?,
                _ if key == "urls" || key.starts_with("urls.") => {
                    indexed.push((url_index(key)?, value.to_owned()));
                }
                _ => {}
            }
        }

        let command: Command = command.required()?.parse()?;
        let url_type: UrlType = url_type.required()?.parse()?;
        let operation = Operation::from_parts(command, url_type)?;
        let areas = Areas::from_flags(area_flag(&mainland)?, area_flag(&oversea)?)?;

        indexed.sort_unstable_by_key(|(index, _)| *index);
        for (position, (index, _)) in indexed.iter().enumerate() {
            if *index != position {
                let rule = if position > 0 && indexed[position - 1].0 == *index {
                    format!("urls.{index} appears more than once")
                } else {
                    format!("urls.{position} is missing but urls.{index} is present")
                };
                return Err(ModelError::new(
                    ModelErrorKind::UrlIndex,
                    format!("{rule}; URLs must be numbered urls.0, urls.1, … without gaps"),
                ));
            }
        }
        check_count(operation, indexed.len())?;

        let urls = indexed
            .into_iter()
            .map(|(_, value)| CdnUrl::try_from(value))
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(operation, areas, urls)
    }
}

/// A parameter that may appear at most once.
struct Slot {
    name: &'static str,
    value: Option<String>,
}

impl Slot {
    fn new(name: &'static str) -> Self {
        Self { name, value: None }
    }

    fn set(&mut self, value: &str) -> Result<(), ModelError> {
        if let Some(first) = &self.value {
            return Err(ModelError::new(
                ModelErrorKind::DuplicateParameter,
                format!(
                    "parameter {} appears more than once ({} and {}); send it once",
                    self.name,
                    quote(first),
                    quote(value)
                ),
            ));
        }
        self.value = Some(value.to_owned());
        Ok(())
    }

    fn required(&self) -> Result<&str, ModelError> {
        self.value.as_deref().ok_or_else(|| {
            ModelError::new(
                ModelErrorKind::MissingParameter,
                format!("required parameter {} is missing", self.name),
            )
        })
    }
}

fn area_flag(slot: &Slot) -> Result<bool, ModelError> {
    match slot.value.as_deref() {
        None | Some("") | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(other) => Err(ModelError::new(
            ModelErrorKind::InvalidAreaFlag,
            format!(
                "parameter {} is {}; it must be 1 (chosen), or 0 or empty (not chosen)",
                slot.name,
                quote(other)
            ),
        )),
    }
}

/// The N of a `urls.N` name, which must be a canonical decimal.
fn url_index(key: &str) -> Result<usize, ModelError> {
    let digits = key.strip_prefix("urls.").unwrap_or("");
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    match digits.parse::<usize>() {
        Ok(index) if canonical => Ok(index),
        _ => Err(ModelError::new(
            ModelErrorKind::UrlIndex,
            format!(
                "parameter name {} is not urls.N with N a decimal index (urls.0, urls.1, …)",
                quote(key)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(op: Operation, areas: Areas, urls: &[&str]) -> FlushOrPush {
        FlushOrPush::new(op, areas, urls.iter().map(|u| u.parse().unwrap())).unwrap()
    }

    fn kind(params: &[(&str, &str)]) -> Option<ModelErrorKind> {
        FlushOrPush::from_params(params.iter().copied())
            .err()
            .map(|e| e.kind())
    }

    #[test]
    fn parser_reads_what_the_server_reads() {
        let params = [
            ("Action", "FlushOrPushOverall"),
            ("SecretId", "AKID"),
            ("urls.1", "https://a/2"),
            ("command", "flush"),
            ("urls.0", "https://a/1"),
            ("type", "url"),
            ("mainland", "0"),
            ("oversea", "1"),
            ("Region", "gz"),
        ];
        let r = FlushOrPush::from_params(params).unwrap();
        assert_eq!(
            r,
            request(
                Operation::FlushUrls,
                Areas::Oversea,
                &["https://a/1", "https://a/2"]
            )
        );
    }

    #[test]
    fn parser_refusals() {
        use ModelErrorKind::*;
        let base = |extra: &[(&'static str, &'static str)]| {
            let mut p = vec![("command", "flush"), ("type", "url"), ("mainland", "1")];
            p.extend_from_slice(extra);
            p
        };
        let url = ("urls.0", "https://a/");
        assert_eq!(kind(&base(&[url])), None);
        assert_eq!(
            kind(&[("type", "url"), ("mainland", "1"), url]),
            Some(MissingParameter)
        );
        assert_eq!(
            kind(&[("command", "flush"), ("mainland", "1"), url]),
            Some(MissingParameter)
        );
        assert_eq!(
            kind(&base(&[url, ("command", "flush")])),
            Some(DuplicateParameter)
        );
        assert_eq!(
            kind(&[
                ("command", "Flush"),
                ("type", "url"),
                ("mainland", "1"),
                url
            ]),
            Some(UnknownCommand)
        );
        assert_eq!(
            kind(&[
                ("command", "flush"),
                ("type", "file"),
                ("mainland", "1"),
                url
            ]),
            Some(UnknownType)
        );
        assert_eq!(
            kind(&[("command", "push"), ("type", "dir"), ("mainland", "1"), url]),
            Some(PushDirectory)
        );
        assert_eq!(
            kind(&[("command", "flush"), ("type", "url"), url]),
            Some(NoArea)
        );
        assert_eq!(
            kind(&[
                ("command", "flush"),
                ("type", "url"),
                ("mainland", ""),
                ("oversea", "0"),
                url
            ]),
            Some(NoArea)
        );
        assert_eq!(kind(&base(&[url, ("oversea", "2")])), Some(InvalidAreaFlag));
        assert_eq!(kind(&base(&[])), Some(NoUrls));
        assert_eq!(kind(&base(&[("urls.1", "https://a/")])), Some(UrlIndex));
        assert_eq!(
            kind(&base(&[url, ("urls.0", "https://b/")])),
            Some(UrlIndex)
        );
        assert_eq!(kind(&base(&[("urls.01", "https://a/")])), Some(UrlIndex));
        assert_eq!(kind(&base(&[("urls.x", "https://a/")])), Some(UrlIndex));
        assert_eq!(kind(&base(&[("urls", "https://a/")])), Some(UrlIndex));
        assert_eq!(kind(&base(&[("urls.-1", "https://a/")])), Some(UrlIndex));
        assert_eq!(
            kind(&base(&[("urls.99999999999999999999999", "https://a/")])),
            Some(UrlIndex)
        );
        assert_eq!(kind(&base(&[("urls.0", "ftp://a/")])), Some(UrlScheme));
        assert_eq!(
            kind(&base(&[url, ("urls.1", "https://a/")])),
            Some(DuplicateUrl)
        );
        let many: Vec<(String, String)> = (0..21)
            .map(|i| (format!("urls.{i}"), format!("https://a/{i}")))
            .chain(
                [("command", "push"), ("type", "url"), ("oversea", "1")]
                    .map(|(k, v)| (k.into(), v.into())),
            )
            .collect();
        assert_eq!(
            FlushOrPush::from_params(many).unwrap_err().kind(),
            TooManyUrls {
                count: 21,
                limit: 20
            }
        );
    }

    #[test]
    fn gap_and_repeat_messages() {
        let err = FlushOrPush::from_params([
            ("command", "flush"),
            ("type", "url"),
            ("mainland", "1"),
            ("urls.0", "https://a/"),
            ("urls.2", "https://b/"),
        ])
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("urls.1 is missing but urls.2 is present"),
            "{err}"
        );
        let err = FlushOrPush::from_params([
            ("command", "flush"),
            ("type", "url"),
            ("mainland", "1"),
            ("urls.0", "https://a/"),
            ("urls.0", "https://b/"),
        ])
        .unwrap_err();
        assert!(
            err.to_string().starts_with("urls.0 appears more than once"),
            "{err}"
        );
    }
}
