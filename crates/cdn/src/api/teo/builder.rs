//! EdgeOne's [`RequestBuilder`]: the endpoint, language and credentials
//! every EdgeOne call of a client is signed with. EdgeOne is called with
//! TC3 POST (JSON) only; signing is API 3.0's (`sign.rs`), under the
//! service `teo`.

use std::sync::Arc;

use crate::api::v3::{self, Language};
use crate::credentials::Credentials;
use crate::endpoint::Endpoint;
use crate::job::{Api, Product};

/// Everything needed to sign EdgeOne requests but the request and the
/// per-attempt timestamp: an API 3.0 builder of POST and TC3, pointed at
/// `https://teo.tencentcloudapi.com/` by default. Pure but for its cache of
/// the TC3 key.
///
/// ```
/// use tcdn::Credentials;
/// use tcdn::edgeone::RequestBuilder;
/// use tcdn::model::teo::{DescribeContentQuota, ZoneId};
///
/// let builder = RequestBuilder::new(Credentials::new("AKIDexample", "secret")?);
/// let quota = DescribeContentQuota { zone_id: ZoneId::new("zone-1")? };
/// let prepared = builder.prepare(&quota.into(), 1_700_000_000)?;
/// assert_eq!(prepared.url(), "https://teo.tencentcloudapi.com/");
/// assert_eq!(prepared.header("X-TC-Version"), Some("2022-09-01"));
/// assert!(prepared.header("Authorization").unwrap().contains("/2023-11-14/teo/tc3_request,"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    pub(super) inner: v3::RequestBuilder,
}

impl RequestBuilder {
    /// A builder for `https://teo.tencentcloudapi.com/`.
    pub fn new(credentials: impl Into<Arc<Credentials>>) -> Self {
        Self {
            inner: v3::RequestBuilder::new(credentials)
                .with_endpoint(Endpoint::default_for_product(Product::EdgeOne, Api::V3)),
        }
    }

    /// Sends to `endpoint`.
    #[must_use]
    pub fn with_endpoint(mut self, endpoint: Endpoint) -> Self {
        self.inner = self.inner.with_endpoint(endpoint);
        self
    }

    /// Asks for the server's messages in `language` (`X-TC-Language`).
    #[must_use]
    pub fn with_language(mut self, language: Language) -> Self {
        self.inner = self.inner.with_language(language);
        self
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        self.inner.endpoint()
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        self.inner.credentials()
    }
}
