//! How a deploy's paths become URLs: `--base-url`, `--strip-prefix` and
//! `--dir` joined onto each value that is not already a URL.

use tcdn::CdnUrl;

/// Whether `value` is a URL (`http://` or `https://`, in any case) rather
/// than a path for [`PathJoin`].
pub fn is_url(value: &str) -> bool {
    let starts = |prefix: &str| {
        value
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    starts("http://") || starts("https://")
}

/// How a deploy's paths become URLs: `--base-url`, `--strip-prefix` and
/// `--dir`. A value that is already a URL is taken as it is.
///
/// A path is cut into segments on `/`; empty segments and `.` are dropped
/// (so `./a`, `/a` and `a//b` normalise), `..` is refused (a path never
/// climbs out of the site), the prefix's segments are dropped when the path
/// starts with them, and each remaining segment is percent-encoded as RFC
/// 3986 requires of a path segment. An escape already there (`%` and two
/// hex digits) is kept, so an encoded path is never encoded twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathJoin {
    /// The base URL without its trailing `/`.
    base: String,
    /// The segments of `--strip-prefix`.
    strip: Vec<String>,
    /// `--dir`: every joined path ends with `/`.
    dir: bool,
}

impl PathJoin {
    /// The join onto `base`, an `http://` or `https://` URL with no query
    /// or fragment (a path under it is kept: `https://site/docs`).
    ///
    /// # Errors
    /// A message naming the option whose value is not usable.
    pub fn new(base: &str, strip_prefix: Option<&str>, dir: bool) -> Result<Self, String> {
        let refuse = |why: &str| format!("--base-url {base:?}: {why}");
        if !is_url(base) {
            return Err(refuse("it must start with http:// or https://"));
        }
        if base.contains(['?', '#']) {
            return Err(refuse("a base URL has no query (?) or fragment (#)"));
        }
        let trimmed = base.trim_end_matches('/');
        CdnUrl::parse(&format!("{trimmed}/")).map_err(|e| refuse(&e.to_string()))?;
        let strip = match strip_prefix {
            None => Vec::new(),
            Some(prefix) => segments(prefix)
                .map(|segment| segment.map(str::to_owned))
                .collect::<Result<_, _>>()
                .map_err(|()| {
                    format!("--strip-prefix {prefix:?}: `..` has no place in a prefix")
                })?,
        };
        Ok(Self {
            base: trimmed.to_owned(),
            strip,
            dir,
        })
    }

    /// `value` as a URL: itself when it is one, else the path joined to the
    /// base.
    ///
    /// # Errors
    /// The reason a path is refused (it holds a `..` segment).
    pub fn apply<'a>(&self, value: &'a str) -> Result<std::borrow::Cow<'a, str>, String> {
        if is_url(value) {
            return Ok(std::borrow::Cow::Borrowed(value));
        }
        if has_scheme(value) {
            return Err(format!(
                "URL {value:?} must start with http:// or https:// (a path has no scheme)"
            ));
        }
        let parts: Vec<&str> = segments(value).collect::<Result<_, _>>().map_err(|()| {
            format!("path {value:?}: `..` is refused; a path under --base-url stays under it")
        })?;
        let prefixed = !self.strip.is_empty()
            && parts.len() >= self.strip.len()
            && parts
                .iter()
                .zip(&self.strip)
                .all(|(part, strip)| part == strip);
        let rest = if prefixed {
            &parts[self.strip.len()..]
        } else {
            &parts[..]
        };
        let mut url = String::with_capacity(self.base.len() + value.len() * 3 + 2);
        url.push_str(&self.base);
        for segment in rest {
            url.push('/');
            encode_segment(segment, &mut url);
        }
        let directory = self.dir || value.ends_with('/') || value.ends_with("/.");
        if rest.is_empty() || directory {
            url.push('/');
        }
        Ok(std::borrow::Cow::Owned(url))
    }
}

/// Whether `value` starts like a URL of another scheme (`ftp://…`): a
/// mistake, not a path.
fn has_scheme(value: &str) -> bool {
    value.split_once("://").is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// The segments of a path: empty ones and `.` dropped, `Err` for `..`.
fn segments(path: &str) -> impl Iterator<Item = Result<&str, ()>> {
    path.split('/')
        .filter(|segment| !segment.is_empty() && *segment != ".")
        .map(|segment| {
            if segment == ".." {
                Err(())
            } else {
                Ok(segment)
            }
        })
}

/// Appends `segment` percent-encoded as an RFC 3986 path segment (`pchar`:
/// unreserved, sub-delims, `:` and `@` stay), keeping each `%XX` escape as
/// it is.
fn encode_segment(segment: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = segment.as_bytes();
    for (i, &byte) in bytes.iter().enumerate() {
        let keep = byte.is_ascii_alphanumeric()
            || b"-._~!$&'()*+,;=:@".contains(&byte)
            || (byte == b'%'
                && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit));
        if keep {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(base: &str, strip: Option<&str>, dir: bool, value: &str) -> Result<String, String> {
        PathJoin::new(base, strip, dir)
            .unwrap()
            .apply(value)
            .map(|url| url.into_owned())
    }

    #[test]
    fn paths_join_the_base_and_normalise() {
        let base = "https://site.example";
        for (value, expected) in [
            ("css/a.css", "https://site.example/css/a.css"),
            ("/css/a.css", "https://site.example/css/a.css"),
            ("./css//a.css", "https://site.example/css/a.css"),
            ("css/./a.css", "https://site.example/css/a.css"),
            ("static/", "https://site.example/static/"),
            ("/", "https://site.example/"),
            ("图 1.png", "https://site.example/%E5%9B%BE%201.png"),
            ("a%2Fb%zz%4", "https://site.example/a%2Fb%25zz%254"),
            ("q?x#y", "https://site.example/q%3Fx%23y"),
            ("HTTPS://other.example/x y", "HTTPS://other.example/x y"),
            ("http://other.example/a", "http://other.example/a"),
        ] {
            assert_eq!(
                joined(base, None, false, value).unwrap(),
                expected,
                "{value}"
            );
        }
        // A base with a path and a trailing slash.
        assert_eq!(
            joined("https://site.example/docs/", None, false, "/a.html").unwrap(),
            "https://site.example/docs/a.html"
        );
    }

    #[test]
    fn dot_dot_and_other_schemes_are_refused() {
        for value in ["../a", "a/../b", "a/..", "ftp://x.example/a"] {
            let error = joined("https://s.example", None, false, value).unwrap_err();
            assert!(error.contains(value), "{error}");
        }
        assert!(PathJoin::new("ftp://s.example", None, false).is_err());
        assert!(PathJoin::new("https://s.example/?a", None, false).is_err());
        assert!(PathJoin::new("https://s.example", Some("a/../b"), false).is_err());
    }

    #[test]
    fn dir_paths_end_with_a_slash() {
        for value in ["static", "static/", "./static//"] {
            assert_eq!(
                joined("https://s.example", None, true, value).unwrap(),
                "https://s.example/static/"
            );
        }
        assert_eq!(
            joined("https://s.example", None, true, "https://o.example/x").unwrap(),
            "https://o.example/x"
        );
    }

    #[test]
    fn the_prefix_is_stripped_only_from_the_paths_that_start_with_it() {
        for strip in ["dist/", "dist", "./dist", "/dist/"] {
            let join = |value| joined("https://s.example", Some(strip), false, value).unwrap();
            assert_eq!(join("dist/css/a.css"), "https://s.example/css/a.css");
            assert_eq!(join("./dist/a.css"), "https://s.example/a.css");
            assert_eq!(join("distant/a.css"), "https://s.example/distant/a.css");
            assert_eq!(join("css/dist/a.css"), "https://s.example/css/dist/a.css");
        }
    }

    mod join_properties {
        use super::super::*;
        use proptest::prelude::*;

        /// Paths of segments mixing plain text, escapes (good and stray),
        /// non-ASCII, spaces and `.`, with any slashes around them.
        fn path() -> impl Strategy<Value = String> {
            let segment = prop_oneof![
                "[a-zA-Z0-9._~-]{1,8}",
                "[ %图é#?!:@a-f0-9]{1,8}",
                Just(".".to_owned()),
                Just(String::new()),
            ];
            ("/{0,2}", prop::collection::vec(segment, 0..6), "/{0,2}")
                .prop_map(|(lead, segments, tail)| format!("{lead}{}{tail}", segments.join("/")))
                .prop_filter("a path, not a URL", |p| !is_url(p) && !has_scheme(p))
        }

        proptest! {
            #![proptest_config(ProptestConfig {
                failure_persistence: None,
                ..ProptestConfig::with_cases(256)
            })]

            /// A joined path is a valid URL under the base, made only of
            /// characters a URL path may hold; joining its own path again
            /// gives it back (escapes are never encoded twice); and decoding
            /// it gives the path's segments back.
            #[test]
            fn the_join_is_a_url_under_the_base_and_idempotent(value in path(), dir in any::<bool>()) {
                let base = "https://site.example/root";
                let join = PathJoin::new(base, None, dir).unwrap();
                if value.split('/').any(|segment| segment == "..") {
                    prop_assert!(join.apply(&value).is_err(), "{}", value);
                    return Ok(());
                }
                let url = join.apply(&value).unwrap().into_owned();
                prop_assert!(url.starts_with("https://site.example/root/"), "{}", url);
                prop_assert!(CdnUrl::parse(&url).is_ok(), "{}", url);
                let path = &url[base.len()..];
                prop_assert!(
                    path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@%".contains(&b)),
                    "{}", url
                );
                prop_assert!(!path.contains("//"), "{}", url);
                prop_assert_eq!(join.apply(path).unwrap().into_owned(), url.clone());
                if dir {
                    prop_assert!(url.ends_with('/'), "{}", url);
                }
                let expected: Vec<&str> = value.split('/').filter(|s| !s.is_empty() && *s != ".").collect();
                let decoded: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(decode).collect();
                prop_assert_eq!(decoded, expected.iter().map(|s| decode(s)).collect::<Vec<_>>());
            }
        }

        /// Percent-decodes `text` (a `%` without two hex digits stays).
        fn decode(text: &str) -> String {
            let bytes = text.as_bytes();
            let mut out = Vec::new();
            let mut i = 0;
            while i < bytes.len() {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
                    (b'%', Some(byte)) => {
                        out.push(byte);
                        i += 3;
                    }
                    (byte, _) => {
                        out.push(byte);
                        i += 1;
                    }
                }
            }
            String::from_utf8_lossy(&out).into_owned()
        }
    }
}
