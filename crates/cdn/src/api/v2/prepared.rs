//! A signed API 2.0 request ([`PreparedRequest`]): method, URL and form
//! body, its size against the wire limits, its conversion to an HTTP
//! request, and the redacted forms that logs and dry runs show.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use tcdn_model::v2::{MAX_GET_REQUEST_TARGET_LEN, MAX_POST_BODY_LEN};
use tcdn_sign::HttpMethod;

/// A signed request, ready to send: method, URL and (POST) form body.
///
/// `Debug` redacts the `Signature` and `Token` values;
/// [`redacted_display`](Self::redacted_display) redacts the `Token` only.
/// Neither ever held the secret key.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    pub(super) method: HttpMethod,
    /// GET: the URL with its query. POST: the endpoint URL, then the body.
    pub(super) buffer: String,
    /// POST: where the body starts.
    pub(super) url_len: Option<usize>,
    pub(super) path_len: usize,
}

impl PreparedRequest {
    /// `GET` or `POST`.
    pub fn method(&self) -> HttpMethod {
        self.method
    }

    /// The URL: with the whole signed query for GET, the endpoint for POST.
    pub fn url(&self) -> &str {
        match self.url_len {
            Some(len) => &self.buffer[..len],
            None => &self.buffer,
        }
    }

    /// The `application/x-www-form-urlencoded` body (POST only).
    pub fn body(&self) -> Option<&str> {
        self.url_len.map(|len| &self.buffer[len..])
    }

    /// The form-encoded parameters: the query (GET) or the body (POST).
    pub fn form(&self) -> &str {
        match self.url_len {
            Some(len) => &self.buffer[len..],
            None => self.buffer.split_once('?').map_or("", |(_, query)| query),
        }
    }

    /// The size the server's limit applies to: the request target (path,
    /// `?`, query) for GET, the body for POST.
    pub fn wire_size(&self) -> usize {
        match self.method {
            HttpMethod::Get => self.path_len + 1 + self.form().len(),
            HttpMethod::Post => self.form().len(),
        }
    }

    /// Whether [`wire_size`](Self::wire_size) is within the method's limit
    /// ([`MAX_GET_REQUEST_TARGET_LEN`], [`MAX_POST_BODY_LEN`]); the server
    /// answers HTTP 501 to larger requests.
    pub fn fits_wire_limit(&self) -> bool {
        self.wire_size()
            <= match self.method {
                HttpMethod::Get => MAX_GET_REQUEST_TARGET_LEN,
                HttpMethod::Post => MAX_POST_BODY_LEN,
            }
    }

    /// Method, URL and body as owned values.
    pub fn into_parts(self) -> (HttpMethod, String, Option<String>) {
        match self.url_len {
            Some(len) => {
                let mut url = self.buffer;
                let body = url.split_off(len);
                (self.method, url, Some(body))
            }
            None => (self.method, self.buffer, None),
        }
    }

    /// The request with the `Token` value replaced by `<redacted>`, for
    /// showing to a user (the CLI's text `--dry-run`): `GET <url>`, or
    /// `POST <url>` and the body on a second line. The signature is shown:
    /// it is valid for this one request only and reveals nothing of the
    /// key.
    pub fn redacted_display(&self) -> impl fmt::Display + '_ {
        Redacted {
            request: self,
            names: &["Token"],
        }
    }

    /// The `http` request for a [`Transport`](tcdn_transport::Transport):
    /// POST carries `Content-Type: application/x-www-form-urlencoded`.
    ///
    /// # Errors
    /// When the `http` crate refuses the URI (it takes at most 65534 bytes,
    /// so a GET far over the wire limit).
    pub fn to_http(&self) -> Result<http::Request<Bytes>, http::Error> {
        let builder = http::Request::builder().uri(self.url());
        match self.body() {
            None => builder.method(http::Method::GET).body(Bytes::new()),
            Some(body) => builder
                .method(http::Method::POST)
                .header(
                    http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(Bytes::copy_from_slice(body.as_bytes())),
        }
    }
}

impl TryFrom<PreparedRequest> for http::Request<Bytes> {
    type Error = http::Error;

    fn try_from(prepared: PreparedRequest) -> Result<Self, Self::Error> {
        match prepared.url_len {
            None => http::Request::builder()
                .method(http::Method::GET)
                .uri(prepared.buffer)
                .body(Bytes::new()),
            Some(len) => {
                let uri = prepared.buffer[..len].to_owned();
                let body = Bytes::from(prepared.buffer).slice(len..);
                http::Request::builder()
                    .method(http::Method::POST)
                    .uri(uri)
                    .header(
                        http::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(body)
            }
        }
    }
}

/// `form` with the values of parameters named in `names` replaced.
fn redact_form<'a>(form: &'a str, names: &[&str]) -> Cow<'a, str> {
    let hit = |pair: &str| {
        names.iter().any(|name| {
            pair.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('='))
        })
    };
    if !form.split('&').any(hit) {
        return Cow::Borrowed(form);
    }
    let mut out = String::with_capacity(form.len());
    for (index, pair) in form.split('&').enumerate() {
        if index > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((name, _)) if hit(pair) => {
                out.push_str(name);
                out.push_str("=<redacted>");
            }
            _ => out.push_str(pair),
        }
    }
    Cow::Owned(out)
}

struct Redacted<'a> {
    request: &'a PreparedRequest,
    names: &'a [&'a str],
}

impl Redacted<'_> {
    fn url(&self) -> Cow<'_, str> {
        let url = self.request.url();
        match url.split_once('?') {
            Some((base, query)) => match redact_form(query, self.names) {
                Cow::Borrowed(_) => Cow::Borrowed(url),
                Cow::Owned(query) => Cow::Owned(format!("{base}?{query}")),
            },
            None => Cow::Borrowed(url),
        }
    }
}

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.request.method, self.url())?;
        if let Some(body) = self.request.body() {
            write!(f, "\n{}", redact_form(body, self.names))?;
        }
        Ok(())
    }
}

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = Redacted {
            request: self,
            names: &["Token", "Signature"],
        };
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("url", &redacted.url())
            .field(
                "body",
                &self.body().map(|body| redact_form(body, redacted.names)),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::v2::testing::builder;
    use crate::api::v2::testing::urls;
    use crate::nonce::Nonce;
    use tcdn_model::v2::FlushOrPush;
    use tcdn_model::{Areas, Operation};

    #[test]
    fn debug_redacts_signature_and_token_and_display_redacts_token() {
        let request = FlushOrPush::new(Operation::FlushUrls, Areas::Both, urls(2)).unwrap();
        for method in [HttpMethod::Get, HttpMethod::Post] {
            let prepared = builder()
                .with_method(method)
                .prepare(&request, 1, Nonce::MIN);
            let debug = format!("{prepared:?}");
            assert!(
                debug.contains("Token=<redacted>") && debug.contains("Signature=<redacted>"),
                "{debug}"
            );
            assert!(
                !debug.contains("tok&") && !debug.contains("=tok"),
                "{debug}"
            );
            let shown = prepared.redacted_display().to_string();
            assert!(shown.contains("Token=<redacted>"), "{shown}");
            assert!(!shown.contains("Signature=<redacted>"), "{shown}");
            assert!(shown.starts_with(method.as_str()), "{shown}");
        }
    }

    #[test]
    fn http_conversion_keeps_method_uri_body_and_content_type() {
        let request = FlushOrPush::new(Operation::PushUrls, Areas::Oversea, urls(3)).unwrap();
        let post = builder().prepare(&request, 1_700_000_000, Nonce::new(42).unwrap());
        let by_ref = post.to_http().unwrap();
        let owned = http::Request::<Bytes>::try_from(post.clone()).unwrap();
        for http_request in [by_ref, owned] {
            assert_eq!(http_request.method(), http::Method::POST);
            assert_eq!(
                http_request.uri(),
                "https://cdn.api.qcloud.com/v2/index.php"
            );
            assert_eq!(http_request.body(), post.body().unwrap().as_bytes());
            assert_eq!(
                http_request.headers()[http::header::CONTENT_TYPE],
                "application/x-www-form-urlencoded"
            );
        }
        let get = builder()
            .with_method(HttpMethod::Get)
            .prepare(&request, 1, Nonce::MIN);
        let http_request = http::Request::<Bytes>::try_from(get.clone()).unwrap();
        assert_eq!(http_request.uri().to_string(), get.url());
        assert!(http_request.body().is_empty());
        assert!(
            !http_request
                .headers()
                .contains_key(http::header::CONTENT_TYPE)
        );
    }
}
