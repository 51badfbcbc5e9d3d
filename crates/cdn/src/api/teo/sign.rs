//! Signing an EdgeOne call: API 3.0's TC3 signing of the JSON body, with
//! EdgeOne's action, version (`2022-09-01`) and service (`teo`).

use std::borrow::Cow;

use tcdn_model::teo::{Request, SERVICE, VERSION};
use tcdn_sign::tc3::Service;

use super::builder::RequestBuilder;
use super::prepared::PreparedRequest;
use crate::api::v3::RequestError;
use crate::api::v3::sign::Wire;
use crate::credentials::Credentials;
use crate::nonce::Nonce;

impl Wire for Request {
    fn action(&self) -> &'static str {
        Request::action(self).as_str()
    }
    fn version(&self) -> &'static str {
        VERSION
    }
    fn service(&self) -> Service {
        Service::new(SERVICE).unwrap_or_else(|err| unreachable!("`teo` is a service name: {err}"))
    }
    fn to_json(&self) -> String {
        Request::to_json(self)
    }
    // EdgeOne is sent as a TC3 POST only (the builder allows nothing else),
    // so its requests have no flattened form.
    fn flat_params(&self) -> Vec<(Cow<'static, str>, Cow<'_, str>)> {
        Vec::new()
    }
    fn flat_form_len(&self) -> usize {
        0
    }
}

impl RequestBuilder {
    /// Signs `request` with `timestamp` (Unix seconds): a TC3 POST of its
    /// JSON body with `Authorization` (scope `…/teo/tc3_request`),
    /// `Content-Type`, `Host`, `X-TC-Action`, `X-TC-Timestamp`,
    /// `X-TC-Version: 2022-09-01`, `X-TC-Language` when asked for and
    /// `X-TC-Token` with a session token.
    ///
    /// # Errors
    /// As [`v3::RequestBuilder::prepare`](crate::v3::RequestBuilder::prepare).
    pub fn prepare(
        &self,
        request: &Request,
        timestamp: u64,
    ) -> Result<PreparedRequest, RequestError> {
        self.prepare_as(self.inner.credentials(), request, timestamp)
    }

    /// [`prepare`](Self::prepare) signed with `credentials`.
    pub(crate) fn prepare_as(
        &self,
        credentials: &Credentials,
        request: &Request,
        timestamp: u64,
    ) -> Result<PreparedRequest, RequestError> {
        // The nonce is the v1 signature's, which EdgeOne calls do not use.
        self.inner
            .prepare_wire(credentials, request, timestamp, Nonce::MIN)
    }
}

#[cfg(test)]
mod tests {
    use tcdn_model::teo::{CreatePurgeTask, PurgeTargets, ZoneId};

    use super::*;

    #[test]
    fn a_purge_is_a_tc3_post_under_the_teo_service() {
        let builder = RequestBuilder::new(Credentials::new("AKIDexample", "secret").unwrap());
        let purge = CreatePurgeTask::new(
            ZoneId::new("zone-1").unwrap(),
            PurgeTargets::Urls(vec!["https://www.example.com/a".parse().unwrap()]),
        )
        .unwrap();
        let prepared = builder
            .prepare(&Request::CreatePurgeTask(purge), 1_700_000_000)
            .unwrap();
        assert_eq!(prepared.header("X-TC-Action"), Some("CreatePurgeTask"));
        assert_eq!(prepared.header("Host"), Some("teo.tencentcloudapi.com"));
        assert_eq!(
            prepared.body(),
            Some(
                r#"{"ZoneId":"zone-1","Type":"purge_url","Targets":["https://www.example.com/a"]}"#
            )
        );
        let authorization = prepared.header("Authorization").unwrap();
        assert!(
            authorization.starts_with(
                "TC3-HMAC-SHA256 Credential=AKIDexample/2023-11-14/teo/tc3_request, \
                 SignedHeaders=content-type;host, Signature="
            ),
            "{authorization}"
        );
    }
}
