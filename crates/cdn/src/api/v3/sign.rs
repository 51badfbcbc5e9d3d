//! Signing an API 3.0 call: [`RequestBuilder::prepare`] and its borrowed
//! twin [`RequestBuilder::prepare_call`] write a TC3 request (JSON POST or
//! GET, with the `Authorization` and `X-TC-*` headers) or a v1 one (form
//! POST or GET, the signature among the parameters).

use std::borrow::Cow;
use std::sync::PoisonError;

use tcdn_model::Operation;
use tcdn_model::v3::{self, ListedRequest, Request, VERSION};
use tcdn_sign::encode::form_value_into;
use tcdn_sign::tc3::{Service, SigningKey, Timestamp};
use tcdn_sign::{HttpMethod, SignatureMethod};

use super::builder::{RequestBuilder, RequestError, RequestErrorKind, Signing};
use super::plan::PlannedCall;
use super::prepared::{FORM, JSON, PreparedRequest};
use crate::credentials::Credentials;
use crate::nonce::Nonce;

impl RequestBuilder {
    /// Signs `request` with `timestamp` (Unix seconds) and `nonce` (used by
    /// the v1 signature only).
    ///
    /// TC3 POST: the compact JSON body, `Content-Type: application/json`.
    /// TC3 GET: the flattened parameters in the query, an empty payload.
    /// Either carries `Authorization` (signing `content-type` and `host`, as
    /// the official SDKs do), `Content-Type`, `Host`, `X-TC-Action`,
    /// `X-TC-Timestamp`, `X-TC-Version: 2018-06-06`, `X-TC-Language` when a
    /// language is asked for and, with a session token, `X-TC-Token`. The v1 signature puts `Action`, `Version`, the
    /// action's parameters, `Nonce`, `Timestamp`, `SecretId`,
    /// `SignatureMethod`, `Language`, `Token` and `Signature` in the form (POST) or the
    /// query (GET), and sends only `Host` (and `Content-Type` for a POST).
    ///
    /// # Errors
    /// [`RequestErrorKind::Signing`] when it cannot be signed,
    /// [`RequestErrorKind::TooLarge`] when it exceeds the wire limit.
    pub fn prepare(
        &self,
        request: &Request,
        timestamp: u64,
        nonce: Nonce,
    ) -> Result<PreparedRequest, RequestError> {
        self.prepare_as(&self.credentials, request, timestamp, nonce)
    }

    /// [`prepare`](Self::prepare) signed with `credentials` instead of the
    /// builder's own: the client's current ones, which may have been
    /// refreshed since the builder was made.
    pub(crate) fn prepare_as(
        &self,
        credentials: &Credentials,
        request: &Request,
        timestamp: u64,
        nonce: Nonce,
    ) -> Result<PreparedRequest, RequestError> {
        self.prepare_wire(credentials, request, timestamp, nonce)
    }

    /// [`prepare`](Self::prepare) for a call of a
    /// [`plan_borrowed`](Self::plan_borrowed) plan, with its URLs read in
    /// place from the plan's list: no [`Request`] is made, nor a copy of any
    /// URL. The request is the one [`prepare`](Self::prepare) makes of the
    /// call's [`request`](PlannedCall::request), byte for byte.
    ///
    /// ```
    /// use tcdn::{Credentials, Job, Operation, nonce::Nonce, plan::DistinctUrls};
    /// use tcdn::v3::RequestBuilder;
    ///
    /// let builder = RequestBuilder::new(Credentials::new("AKIDexample", "secret")?);
    /// let urls: DistinctUrls = (0..1200).map(|i| format!("https://a.example/{i}.js").parse()).collect::<Result<_, _>>()?;
    /// let job = Job::new(Operation::FlushUrls);
    /// for call in builder.plan_borrowed(&job, &urls, None) {
    ///     let call = call?;
    ///     let prepared = builder.prepare_call(&call, 1_700_000_000, Nonce::MIN)?;
    ///     assert_eq!(prepared, builder.prepare(&call.request(), 1_700_000_000, Nonce::MIN)?);
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As for [`prepare`](Self::prepare).
    pub fn prepare_call(
        &self,
        call: &PlannedCall<'_>,
        timestamp: u64,
        nonce: Nonce,
    ) -> Result<PreparedRequest, RequestError> {
        let (list, positions) = (call.urls.list(), call.urls.positions());
        let job = call.job;
        match job.operation() {
            Operation::FlushUrls => {
                let options = job.purge_options();
                let listed = ListedRequest::purge_urls(list, positions, &options);
                self.prepare_wire(&self.credentials, &listed, timestamp, nonce)
            }
            Operation::FlushDirs => {
                let options = job.purge_options();
                let listed =
                    ListedRequest::purge_paths(list, positions, job.flush_type_given(), &options);
                self.prepare_wire(&self.credentials, &listed, timestamp, nonce)
            }
            Operation::PushUrls => {
                let options = job.push_options_v3();
                let listed = ListedRequest::push_urls(list, positions, &options);
                self.prepare_wire(&self.credentials, &listed, timestamp, nonce)
            }
        }
    }

    /// The signed request of `request`, owned or read in place (or another
    /// product's, which signs the same way under its own service).
    pub(crate) fn prepare_wire(
        &self,
        credentials: &Credentials,
        request: &impl Wire,
        timestamp: u64,
        nonce: Nonce,
    ) -> Result<PreparedRequest, RequestError> {
        let prepared = match self.signing {
            Signing::Tc3 => self.prepare_tc3(credentials, request, timestamp)?,
            Signing::V1(method) => {
                self.prepare_v1(credentials, request, timestamp, nonce, method)?
            }
        };
        if prepared.wire_size > self.wire_limit() {
            return Err(RequestError {
                kind: RequestErrorKind::TooLarge,
                message: format!(
                    "the {} request is {} bytes, over the {} bytes the server takes; send fewer \
                     or shorter URLs per request",
                    request.action(),
                    prepared.wire_size,
                    self.wire_limit()
                ),
            });
        }
        Ok(prepared)
    }

    fn prepare_tc3(
        &self,
        credentials: &Credentials,
        request: &impl Wire,
        timestamp: u64,
    ) -> Result<PreparedRequest, RequestError> {
        let signing_error = |error: tcdn_sign::tc3::Error| RequestError {
            kind: RequestErrorKind::Signing,
            message: format!("cannot sign the {} request: {error}", request.action()),
        };
        let stamp = Timestamp::new(timestamp).map_err(signing_error)?;
        let host = self.endpoint.authority();
        let (content_type, query, body) = match self.method {
            HttpMethod::Post => (JSON, String::new(), Some(request.to_json())),
            HttpMethod::Get => {
                let mut query = String::with_capacity(request.flat_form_len());
                v3::append_flat_form(&mut query, &request.flat_params());
                (FORM, query, None)
            }
        };
        let signed = [("Content-Type", content_type), ("Host", host)];
        let payload = body.as_deref().unwrap_or_default().as_bytes();
        let tc3_request = tcdn_sign::tc3::Request {
            method: self.method,
            query: &query,
            headers: &signed,
            payload,
        };
        let mut authorization = String::with_capacity(256);
        {
            let mut cache = self.key.0.lock().unwrap_or_else(PoisonError::into_inner);
            let date = stamp.date();
            let secret = credentials.secret_key();
            if cache.as_ref().is_none_or(|(from, key)| {
                key.date() != date || from != secret || *key.service() != request.service()
            }) {
                *cache = Some((
                    secret.clone(),
                    SigningKey::derive(secret, date, request.service()),
                ));
            }
            let (_, key) = cache
                .as_ref()
                .unwrap_or_else(|| unreachable!("the key was just derived"));
            key.authorize_into(
                credentials.secret_id(),
                &tc3_request,
                stamp,
                &mut authorization,
            )
            .map_err(signing_error)?;
        }
        let mut headers = vec![
            ("Authorization", authorization),
            ("Content-Type", content_type.to_owned()),
            ("Host", host.to_owned()),
            ("X-TC-Action", request.action().to_owned()),
            ("X-TC-Timestamp", stamp.to_string()),
            ("X-TC-Version", request.version().to_owned()),
        ];
        if let Some(language) = self.language {
            headers.push(("X-TC-Language", language.as_str().to_owned()));
        }
        if let Some(token) = credentials.token() {
            headers.push(("X-TC-Token", token.expose().to_owned()));
        }
        let path_len = self.endpoint.path().len();
        let (url, wire_size) = if query.is_empty() {
            (
                self.endpoint.as_str().to_owned(),
                body.as_ref().map_or(path_len, String::len),
            )
        } else {
            let size = path_len + 1 + query.len();
            (format!("{}?{query}", self.endpoint.as_str()), size)
        };
        Ok(PreparedRequest {
            method: self.method,
            url,
            headers,
            body,
            wire_size,
        })
    }

    fn prepare_v1(
        &self,
        credentials: &Credentials,
        request: &impl Wire,
        timestamp: u64,
        nonce: Nonce,
        method: SignatureMethod,
    ) -> Result<PreparedRequest, RequestError> {
        let timestamp_text = timestamp.to_string();
        let nonce_text = nonce.get().to_string();
        let mut params: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::new();
        params.push(("Action".into(), request.action().into()));
        params.push(("Version".into(), request.version().into()));
        params.extend(request.flat_params());
        params.push(("Nonce".into(), nonce_text.as_str().into()));
        params.push(("Timestamp".into(), timestamp_text.as_str().into()));
        params.push(("SecretId".into(), credentials.secret_id().into()));
        params.push(("SignatureMethod".into(), method.as_param().into()));
        if let Some(language) = self.language {
            params.push(("Language".into(), language.as_str().into()));
        }
        if let Some(token) = credentials.token() {
            params.push(("Token".into(), token.expose().into()));
        }
        let endpoint = tcdn_sign::Endpoint::new(
            self.method,
            self.endpoint.signing_host(),
            self.endpoint.path(),
        );
        let signature =
            tcdn_sign::sign(credentials.secret_key(), &endpoint, &params).map_err(|error| {
                RequestError {
                    kind: RequestErrorKind::Signing,
                    message: format!("cannot sign the {} request: {error}", request.action()),
                }
            })?;
        let mut form = String::new();
        v3::append_flat_form(&mut form, &params);
        form.push_str("&Signature=");
        form_value_into(signature.as_str(), &mut form);
        let host = self.endpoint.authority().to_owned();
        Ok(match self.method {
            HttpMethod::Post => PreparedRequest {
                method: HttpMethod::Post,
                url: self.endpoint.as_str().to_owned(),
                headers: vec![("Content-Type", FORM.to_owned()), ("Host", host)],
                wire_size: form.len(),
                body: Some(form),
            },
            HttpMethod::Get => PreparedRequest {
                method: HttpMethod::Get,
                wire_size: self.endpoint.path().len() + 1 + form.len(),
                url: format!("{}?{form}", self.endpoint.as_str()),
                headers: vec![("Host", host)],
                body: None,
            },
        })
    }
}

/// What signing reads of a request: an owned [`Request`], a planned call
/// read in place ([`ListedRequest`]), or another product's request signed
/// the same way (its version and TC3 service its own).
pub(crate) trait Wire {
    /// The action's name.
    fn action(&self) -> &'static str;
    /// `X-TC-Version`.
    fn version(&self) -> &'static str {
        VERSION
    }
    /// The TC3 credential scope's service.
    fn service(&self) -> Service {
        Service::cdn()
    }
    /// The JSON body.
    fn to_json(&self) -> String;
    /// The flattened parameters (GET, or the v1 signature).
    fn flat_params(&self) -> Vec<(Cow<'static, str>, Cow<'_, str>)>;
    /// Their form length.
    fn flat_form_len(&self) -> usize;
}

impl Wire for Request {
    fn action(&self) -> &'static str {
        Request::action(self).as_str()
    }
    fn to_json(&self) -> String {
        Request::to_json(self)
    }
    fn flat_params(&self) -> Vec<(Cow<'static, str>, Cow<'_, str>)> {
        Request::flat_params(self)
    }
    fn flat_form_len(&self) -> usize {
        Request::flat_form_len(self)
    }
}

impl Wire for ListedRequest<'_> {
    fn action(&self) -> &'static str {
        ListedRequest::action(self).as_str()
    }
    fn to_json(&self) -> String {
        ListedRequest::to_json(self)
    }
    fn flat_params(&self) -> Vec<(Cow<'static, str>, Cow<'_, str>)> {
        ListedRequest::flat_params(self)
    }
    fn flat_form_len(&self) -> usize {
        ListedRequest::flat_form_len(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::v3::Language;
    use crate::api::v3::testing::credentials;
    use tcdn_model::v3::DescribePurgeQuota;

    #[test]
    fn a_language_is_a_tc3_header_and_a_signed_v1_parameter() {
        let quota: Request = DescribePurgeQuota.into();
        let plain = RequestBuilder::new(credentials());
        let prepared = plain.prepare(&quota, 1_700_000_000, Nonce::MIN).unwrap();
        assert_eq!(prepared.header("X-TC-Language"), None);
        let tc3 = plain.clone().with_language(Language::ZhCn);
        let prepared = tc3.prepare(&quota, 1_700_000_000, Nonce::MIN).unwrap();
        assert_eq!(prepared.header("X-TC-Language"), Some("zh-CN"));
        for method in [HttpMethod::Post, HttpMethod::Get] {
            let v1 = RequestBuilder::new(credentials())
                .with_signing(Signing::V1(SignatureMethod::HmacSha256))
                .with_method(method);
            let without = v1.prepare(&quota, 1_700_000_000, Nonce::MIN).unwrap();
            let with = v1
                .with_language(Language::EnUs)
                .prepare(&quota, 1_700_000_000, Nonce::MIN)
                .unwrap();
            let text = |p: &PreparedRequest| p.body().unwrap_or(p.url()).to_owned();
            assert!(text(&with).contains("&Language=en-US&"), "{}", text(&with));
            assert!(!text(&without).contains("Language"), "{}", text(&without));
            // Signed: the signature differs from the one without it.
            let signature =
                |p: &PreparedRequest| text(p).rsplit_once("Signature=").unwrap().1.to_owned();
            assert_ne!(signature(&with), signature(&without));
        }
    }

    #[test]
    fn the_signing_key_is_derived_once_a_day() {
        let builder = RequestBuilder::new(credentials());
        let quota: Request = DescribePurgeQuota.into();
        builder.prepare(&quota, 1_700_000_000, Nonce::MIN).unwrap();
        let first = builder.key.0.lock().unwrap().as_ref().unwrap().1.date();
        builder.prepare(&quota, 1_700_000_100, Nonce::MIN).unwrap();
        builder.prepare(&quota, 1_700_086_400, Nonce::MIN).unwrap();
        let second = builder.key.0.lock().unwrap().as_ref().unwrap().1.date();
        assert_eq!(
            (first.to_string(), second.to_string()),
            ("2023-11-14".into(), "2023-11-15".into())
        );
    }

    #[test]
    fn refreshed_credentials_derive_a_new_signing_key() {
        let first = credentials();
        let refreshed = Credentials::new("AKIDrefreshed", "another-secret-key")
            .unwrap()
            .with_token("session");
        let builder = RequestBuilder::new(first.clone());
        let quota: Request = DescribePurgeQuota.into();
        let authorization = |builder: &RequestBuilder, credentials: &Credentials| {
            builder
                .prepare_as(credentials, &quota, 1_700_000_000, Nonce::MIN)
                .unwrap()
                .header("Authorization")
                .unwrap()
                .to_owned()
        };
        let before = authorization(&builder, &first);
        // The same day, other credentials: signed as a fresh builder would.
        let after = authorization(&builder, &refreshed);
        assert_eq!(
            after,
            authorization(&RequestBuilder::new(refreshed.clone()), &refreshed)
        );
        assert_ne!(after, before);
        // And back: the first key again, not the cached one.
        assert_eq!(authorization(&builder, &first), before);
        let same_id_other_key = Credentials::new(first.secret_id(), "rotated-key").unwrap();
        assert_ne!(authorization(&builder, &same_id_other_key), before);
    }
}
