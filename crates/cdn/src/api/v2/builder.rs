//! API 2.0's [`RequestBuilder`]: the configuration every request of a client
//! is signed with (endpoint, HTTP method, signature method, credentials,
//! extra signed parameters), and the [`RequestError`] of a configuration the
//! API refuses. Signing is in `sign.rs`, planning in `plan.rs`, the signed
//! request in `prepared.rs`.

use std::fmt;
use std::sync::Arc;

use tcdn_sign::{HttpMethod, SignatureMethod};

use crate::api::common::folded_cmp;
use crate::credentials::Credentials;
use crate::endpoint::Endpoint;
use crate::job::Api;

/// Names the client sets itself, which an extra parameter may not take
/// (compared after the signer's `_` → `.` renaming).
const RESERVED: [&str; 11] = [
    "Action",
    "command",
    "type",
    "mainland",
    "oversea",
    "Nonce",
    "Timestamp",
    "SecretId",
    "SignatureMethod",
    "Token",
    "Signature",
];

/// Everything needed to sign a request except the request itself and the
/// per-attempt `Timestamp` and `Nonce`: endpoint, HTTP method, signature
/// method, credentials and extra signed parameters.
///
/// Pure: no clock, no randomness, no I/O. The [`Client`](crate::client::Client)
/// uses one internally; the CLI's `--dry-run` uses one directly with a fixed
/// nonce and timestamp.
///
/// ```
/// use tcdn::{Areas, CdnUrl, Credentials, FlushOrPush, HttpMethod, nonce::Nonce, Operation, v2::RequestBuilder};
///
/// let credentials = Credentials::new("AKIDexample", "secret")?;
/// let builder = RequestBuilder::new(credentials).with_method(HttpMethod::Get);
/// let url: CdnUrl = "https://www.example.com/a.css".parse()?;
/// let request = FlushOrPush::new(Operation::FlushUrls, Areas::Mainland, [url])?;
/// let prepared = builder.prepare(&request, 1_700_000_000, Nonce::new(7).unwrap());
/// assert!(prepared.url().starts_with(
///     "https://cdn.api.qcloud.com/v2/index.php?Action=FlushOrPushOverall&command=flush&type=url\
///      &urls.0=https%3A%2F%2Fwww.example.com%2Fa.css&mainland=1&Nonce=7&Timestamp=1700000000\
///      &SecretId=AKIDexample&SignatureMethod=HmacSHA1&Signature="));
/// assert_eq!(prepared.body(), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    pub(super) endpoint: Endpoint,
    pub(super) method: HttpMethod,
    pub(super) signature_method: SignatureMethod,
    pub(super) credentials: Arc<Credentials>,
    pub(super) extra_params: Vec<(String, String)>,
    /// Indices into `extra_params` in canonical order (names compared with
    /// `_` read as `.`), so that signing never sorts.
    pub(super) extra_order: Vec<usize>,
}

impl RequestBuilder {
    /// A builder for API 2.0's public endpoint, POST and HmacSHA1.
    pub fn new(credentials: impl Into<Arc<Credentials>>) -> Self {
        Self {
            endpoint: Endpoint::default_for(Api::V2),
            method: HttpMethod::Post,
            signature_method: SignatureMethod::HmacSha1,
            credentials: credentials.into(),
            extra_params: Vec::new(),
            extra_order: Vec::new(),
        }
    }

    /// Sends to `endpoint`.
    #[must_use]
    pub fn with_endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// Uses GET (parameters in the query) or POST (form body, the default).
    #[must_use]
    pub fn with_method(mut self, method: HttpMethod) -> Self {
        self.method = method;
        self
    }

    /// Signs with HmacSHA1 (the default) or HmacSHA256.
    #[must_use]
    pub fn with_signature_method(mut self, signature_method: SignatureMethod) -> Self {
        self.signature_method = signature_method;
        self
    }

    /// Adds an extra signed parameter, sent after the action parameters,
    /// e.g. `RequestClient=SDK_PYTHON_2.0.15` (which the legacy SDK sends,
    /// and which reproduces its signatures).
    ///
    /// # Errors
    /// [`RequestErrorKind::ReservedName`] when the name (read with `_` as
    /// `.`, as the signer does) is one the client sets itself (`Action`,
    /// `command`, `type`, `mainland`, `oversea`, `urls`/`urls.*`, `Nonce`,
    /// `Timestamp`, `SecretId`, `SignatureMethod`, `Token`, `Signature`),
    /// is empty, or repeats an extra parameter already added.
    pub fn with_extra_param(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self, RequestError> {
        let name = name.into();
        let signed = name.replace('_', ".");
        let refuse = |why: &str| RequestError {
            kind: RequestErrorKind::ReservedName,
            message: format!("extra parameter {name:?} is not allowed: {why}"),
        };
        if name.is_empty() {
            return Err(refuse("the name is empty"));
        }
        if RESERVED.contains(&signed.as_str()) || signed == "urls" || signed.starts_with("urls.") {
            return Err(refuse("the client sets this parameter itself"));
        }
        if self
            .extra_params
            .iter()
            .any(|(other, _)| other.replace('_', ".") == signed)
        {
            return Err(refuse(
                "it was already added (names compare with '_' read as '.')",
            ));
        }
        let at = self
            .extra_order
            .partition_point(|&k| folded_cmp(&self.extra_params[k].0, &name).is_lt());
        self.extra_order.insert(at, self.extra_params.len());
        self.extra_params.push((name, value.into()));
        Ok(self)
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The HTTP method.
    pub fn method(&self) -> HttpMethod {
        self.method
    }

    /// The signature method.
    pub fn signature_method(&self) -> SignatureMethod {
        self.signature_method
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }
}

/// A problem with a request's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError {
    kind: RequestErrorKind,
    message: String,
}

impl RequestError {
    /// What kind of problem it is.
    pub fn kind(&self) -> RequestErrorKind {
        self.kind
    }
}

/// The kind of a [`RequestError`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestErrorKind {
    /// An extra parameter's name is empty, reserved or repeated.
    ReservedName,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RequestError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::v2::testing::builder;

    #[test]
    fn extra_params_may_not_take_reserved_or_repeated_names() {
        for name in [
            "Nonce",
            "Signature",
            "urls.0",
            "urls",
            "Secret_Id",
            "Token",
            "",
        ] {
            let name = if name == "Secret_Id" {
                "SecretId"
            } else {
                name
            };
            let err = builder().with_extra_param(name, "x").unwrap_err();
            assert_eq!(err.kind(), RequestErrorKind::ReservedName, "{name}");
            assert!(err.to_string().contains(&format!("{name:?}")), "{err}");
        }
        let err = builder()
            .with_extra_param("Request_Client", "a")
            .unwrap()
            .with_extra_param("Request.Client", "b")
            .unwrap_err();
        assert!(err.to_string().contains("already"), "{err}");
    }
}
