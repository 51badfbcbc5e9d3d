//! A signed API 3.0 call ([`PreparedRequest`]): method, URL, headers and
//! body, its conversion to an HTTP request, and the redacted form that logs
//! and dry runs show.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use tcdn_sign::HttpMethod;

/// The `Content-Type` of a TC3 POST.
pub(super) const JSON: &str = "application/json";
/// The `Content-Type` of a form POST, and of a TC3 GET (as the official SDK
/// sends it).
pub(super) const FORM: &str = "application/x-www-form-urlencoded";

/// A signed API 3.0 request, ready to send: method, URL, headers and body.
///
/// `Debug` shows the header names and the body's length only;
/// [`redacted_display`](Self::redacted_display) shows everything but the
/// session token. Neither ever held the secret key.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    pub(super) method: HttpMethod,
    pub(super) url: String,
    pub(super) headers: Vec<(&'static str, String)>,
    pub(super) body: Option<String>,
    pub(super) wire_size: usize,
}

impl PreparedRequest {
    /// `GET` or `POST`.
    pub fn method(&self) -> HttpMethod {
        self.method
    }

    /// The URL (with the query, for a GET).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every header sent, by name, in the order sent.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.headers
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
    }

    /// The value of header `name` (case-insensitive), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body (POST), or `None` (GET).
    pub fn body(&self) -> Option<&str> {
        self.body.as_deref()
    }

    /// The size the server's limit applies to: the body of a POST, the
    /// request target (path, `?`, query) of a GET.
    pub fn wire_size(&self) -> usize {
        self.wire_size
    }

    /// The request as text, the session token redacted: the request line,
    /// the headers, and the body after a blank line.
    pub fn redacted_display(&self) -> String {
        let method = match self.method {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        };
        // Sized once: the body (tens of kilobytes) is copied in once, not
        // again at each doubling. `<redacted>` may be longer than a token.
        let headers: usize = self
            .headers
            .iter()
            .map(|(n, v)| n.len() + v.len() + 3)
            .sum();
        let body = self.body.as_ref().map_or(0, |body| body.len() + 2);
        let size = method.len() + self.url.len() + headers + body + 2 * "<redacted>".len() + 2;
        let mut out = String::with_capacity(size);
        out.push_str(method);
        out.push(' ');
        out.push_str(&redact_form_token(&self.url));
        out.push('\n');
        for (name, value) in &self.headers {
            let value = if name.eq_ignore_ascii_case("X-TC-Token") {
                "<redacted>"
            } else {
                value
            };
            out.push_str(name);
            out.push_str(": ");
            out.push_str(value);
            out.push('\n');
        }
        if let Some(body) = &self.body {
            out.push('\n');
            // Only a form (a v1 POST) carries the token in its body; a JSON
            // body's `Token=` is a URL's own query.
            match self.is_form() {
                true => out.push_str(&redact_form_token(body)),
                false => out.push_str(body),
            }
            out.push('\n');
        }
        out
    }
}

impl PreparedRequest {
    /// Whether the body, if any, is a form.
    fn is_form(&self) -> bool {
        self.headers
            .iter()
            .any(|(name, value)| name.eq_ignore_ascii_case("Content-Type") && value == FORM)
    }
}

/// A form or URL with its `Token=` value replaced (v1 requests).
fn redact_form_token(text: &str) -> Cow<'_, str> {
    // Most texts (every TC3 body, 1000 URLs long) hold no `Token=` at all:
    // `contains` answers that in one vectorised pass, where each `find`
    // below walks the text with a general substring searcher.
    if !text.contains("Token=") {
        return Cow::Borrowed(text);
    }
    let start = ["?Token=", "&Token="]
        .iter()
        .find_map(|mark| text.find(mark).map(|at| at + mark.len()))
        .or_else(|| text.starts_with("Token=").then_some("Token=".len()));
    match start {
        Some(start) => {
            let end = text[start..].find('&').map_or(text.len(), |e| start + e);
            Cow::Owned(format!("{}<redacted>{}", &text[..start], &text[end..]))
        }
        None => Cow::Borrowed(text),
    }
}

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| *name).collect();
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("endpoint", &self.url.split('?').next().unwrap_or_default())
            .field("headers", &names)
            .field("body_len", &self.body.as_ref().map(String::len))
            .finish_non_exhaustive()
    }
}

impl TryFrom<PreparedRequest> for http::Request<Bytes> {
    type Error = http::Error;

    fn try_from(prepared: PreparedRequest) -> Result<Self, http::Error> {
        let method = match prepared.method {
            HttpMethod::Get => http::Method::GET,
            HttpMethod::Post => http::Method::POST,
        };
        let mut builder = http::Request::builder().method(method).uri(prepared.url);
        for (name, value) in prepared.headers {
            builder = builder.header(name, value);
        }
        builder.body(prepared.body.map(Bytes::from).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(content_type: &str, body: &str) -> PreparedRequest {
        PreparedRequest {
            method: HttpMethod::Post,
            url: "https://cdn.tencentcloudapi.com/".to_owned(),
            headers: vec![("Content-Type", content_type.to_owned())],
            body: Some(body.to_owned()),
            wire_size: body.len(),
        }
    }

    #[test]
    fn a_form_body_hides_its_token_and_a_json_body_keeps_its_urls_whole() {
        let form = post(
            FORM,
            "Urls.0=https%3A%2F%2Fh%2F%3FToken%3Dq&Token=secret&Nonce=1",
        );
        let shown = form.redacted_display();
        assert!(!shown.contains("secret"), "{shown}");
        assert!(
            shown.ends_with("%3FToken%3Dq&Token=<redacted>&Nonce=1\n"),
            "{shown}"
        );
        let body = r#"{"Urls":["https://h/x?Token=q&v=1"],"Area":"mainland"}"#;
        let shown = post(JSON, body).redacted_display();
        assert!(shown.ends_with(&format!("\n\n{body}\n")), "{shown}");
    }

    #[test]
    fn the_token_is_redacted_wherever_it_is() {
        assert_eq!(
            redact_form_token("a=1&Token=xyz&b=2"),
            "a=1&Token=<redacted>&b=2"
        );
        assert_eq!(
            redact_form_token("https://h/?Token=xyz"),
            "https://h/?Token=<redacted>"
        );
        assert_eq!(redact_form_token("Token=xyz"), "Token=<redacted>");
        assert_eq!(redact_form_token("a=1"), "a=1");
    }

    #[test]
    fn only_a_whole_token_parameter_is_redacted() {
        // `Token=` inside another name is not the session token.
        assert_eq!(redact_form_token("a=1&XToken=xyz"), "a=1&XToken=xyz");
        assert!(matches!(
            redact_form_token("a=1&XToken=xyz"),
            Cow::Borrowed(_)
        ));
        assert_eq!(redact_form_token("a&Token="), "a&Token=<redacted>");
    }
}
