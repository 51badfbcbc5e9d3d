//! A small, strict `multipart/form-data` reader for buffered request bodies.
//!
//! The API documents form-data bodies as acceptable, and Tencent's PHP sample
//! posts arrays that PHP turns into form-data. Only text fields matter here;
//! a part with a `filename` is read as a field all the same, because the real
//! server would see its content as the parameter's value.

/// Why a multipart body could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultipartError(pub(crate) String);

impl std::fmt::Display for MultipartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "malformed multipart/form-data body: {}", self.0)
    }
}

impl std::error::Error for MultipartError {}

/// Extracts the `boundary` parameter of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<&str> {
    let mut parts = content_type.split(';');
    let mime = parts.next()?.trim();
    if !mime.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    parts.find_map(|p| {
        let (name, value) = p.trim().split_once('=')?;
        if name.trim().eq_ignore_ascii_case("boundary") {
            let value = value.trim().trim_matches('"');
            (!value.is_empty() && value.len() <= 200).then_some(value)
        } else {
            None
        }
    })
}

/// Splits a buffered body into `(name, value)` pairs, in order.
pub fn fields(body: &[u8], boundary: &str) -> Result<Vec<(String, String)>, MultipartError> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut rest = match find(body, delimiter) {
        Some(at) => &body[at + delimiter.len()..],
        None => return Err(MultipartError("no opening boundary".into())),
    };
    let mut out = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(out);
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .ok_or_else(|| MultipartError("boundary not followed by CRLF".into()))?;
        let header_end = find(rest, b"\r\n\r\n")
            .ok_or_else(|| MultipartError("part headers never end".into()))?;
        let headers = std::str::from_utf8(&rest[..header_end])
            .map_err(|_| MultipartError("part headers are not UTF-8".into()))?;
        let name = field_name(headers)
            .ok_or_else(|| MultipartError("part without a Content-Disposition name".into()))?;
        rest = &rest[header_end + 4..];
        let mut closing = Vec::with_capacity(delimiter.len() + 2);
        closing.extend_from_slice(b"\r\n");
        closing.extend_from_slice(delimiter);
        let value_end = find(rest, &closing)
            .ok_or_else(|| MultipartError(format!("part `{name}` is not closed by a boundary")))?;
        let value = String::from_utf8(rest[..value_end].to_vec())
            .map_err(|_| MultipartError(format!("value of part `{name}` is not UTF-8")))?;
        out.push((name, value));
        rest = &rest[value_end + closing.len()..];
    }
}

fn field_name(headers: &str) -> Option<String> {
    headers.split("\r\n").find_map(|line| {
        let (key, value) = line.split_once(':')?;
        if !key.trim().eq_ignore_ascii_case("content-disposition") {
            return None;
        }
        value.split(';').find_map(|p| {
            let (k, v) = p.trim().split_once('=')?;
            (k.trim() == "name").then(|| v.trim().trim_matches('"').to_owned())
        })
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_in_order() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"command\"\r\n\r\nflush\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"urls.0\"\r\nContent-Type: text/plain\r\n\r\nhttps://a.example/x y\r\n\
--XyZ--\r\n";
        let got = fields(body, "XyZ").unwrap();
        assert_eq!(
            got,
            vec![
                ("command".to_owned(), "flush".to_owned()),
                ("urls.0".to_owned(), "https://a.example/x y".to_owned()),
            ]
        );
    }

    #[test]
    fn boundary_is_taken_from_the_content_type() {
        assert_eq!(boundary("multipart/form-data; boundary=abc"), Some("abc"));
        assert_eq!(
            boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b\""),
            Some("a b")
        );
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
        assert_eq!(boundary("multipart/form-data"), None);
    }

    #[test]
    fn truncated_bodies_are_errors() {
        for body in [
            &b""[..],
            b"--XyZ",
            b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n",
            b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue",
            b"--XyZ\r\nX: y\r\n\r\nvalue\r\n--XyZ--",
        ] {
            assert!(
                fields(body, "XyZ").is_err(),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
