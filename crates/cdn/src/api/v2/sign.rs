//! Signing an API 2.0 request: [`RequestBuilder::prepare`] and its borrowed
//! twin [`RequestBuilder::prepare_batch`] write the action, extra and common
//! parameters in wire order into one buffer, signed in canonical order.

use tcdn_model::v2::{ACTION, FlushOrPush};
use tcdn_model::{Areas, Operation};
use tcdn_sign::HttpMethod;
use tcdn_sign::encode::{FORM_VALUE_SLACK, form_value_extend, form_value_len};

use super::builder::RequestBuilder;
use super::prepared::PreparedRequest;
use crate::api::common::{decimal, folded_cmp};
use crate::credentials::Credentials;
use crate::nonce::Nonce;

impl RequestBuilder {
    /// Signs `request` with `timestamp` (Unix seconds) and `nonce`.
    ///
    /// Wire order: the action parameters (`Action`, `command`, `type`,
    /// `urls.N`, `mainland`/`oversea`), the extra parameters, then `Nonce`,
    /// `Timestamp`, `SecretId`, `SignatureMethod` (always sent, like the
    /// legacy SDK), `Token` (temporary credentials only), and `Signature`.
    /// Every name and value is form-encoded (the legacy SDK's `quote_plus`
    /// rules); the signature covers the raw values.
    ///
    /// One `String` is allocated, with its exact length computed first, and
    /// nothing else: the parameters are signed in canonical order as the
    /// builder knows it ([`tcdn_sign::CanonicalSigner`], which checks it),
    /// then written in wire order straight into the buffer.
    ///
    /// The result may exceed the wire limits if `request` was not planned
    /// with [`plan`](Self::plan); [`PreparedRequest::fits_wire_limit`] tells.
    pub fn prepare(&self, request: &FlushOrPush, timestamp: u64, nonce: Nonce) -> PreparedRequest {
        self.prepare_as(&self.credentials, request, timestamp, nonce)
    }

    /// [`prepare`](Self::prepare) signed with `credentials` instead of the
    /// builder's own: the client's current ones, which may have been
    /// refreshed since the builder was made.
    pub(crate) fn prepare_as(
        &self,
        credentials: &Credentials,
        request: &FlushOrPush,
        timestamp: u64,
        nonce: Nonce,
    ) -> PreparedRequest {
        let urls = request.urls();
        let batch = Batch {
            operation: request.operation(),
            areas: request.areas(),
            count: urls.len(),
            url: &|index| urls[index].as_str(),
        };
        self.prepare_urls(credentials, &batch, timestamp, nonce)
    }

    /// [`prepare`](Self::prepare) for a batch of a
    /// [`plan_borrowed`](Self::plan_borrowed) plan, with its URLs read from
    /// the plan's list: no [`FlushOrPush`] is made, nor a copy of any URL.
    /// The request is the one [`prepare`](Self::prepare) makes of the
    /// batch's [`request`](super::PlannedBatch::request), byte for byte.
    ///
    /// ```
    /// use tcdn::plan::DistinctUrls;
    /// use tcdn::v2::RequestBuilder;
    /// use tcdn::{Areas, CdnUrl, Credentials, Operation, nonce::Nonce};
    ///
    /// let builder = RequestBuilder::new(Credentials::new("AKIDexample", "secret")?);
    /// let urls: DistinctUrls = (0..30).map(|i| format!("https://a.example/{i}").parse::<CdnUrl>()).collect::<Result<_, _>>()?;
    /// for batch in builder.plan_borrowed(Operation::PushUrls, Areas::Both, &urls, None) {
    ///     let batch = batch?;
    ///     let prepared = builder.prepare_batch(&batch, 1_700_000_000, Nonce::MIN);
    ///     assert_eq!(prepared, builder.prepare(&batch.request(), 1_700_000_000, Nonce::MIN));
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prepare_batch(
        &self,
        batch: &super::PlannedBatch<'_>,
        timestamp: u64,
        nonce: Nonce,
    ) -> PreparedRequest {
        let urls = batch.urls();
        let planned = Batch {
            operation: batch.operation(),
            areas: batch.areas(),
            count: urls.len(),
            url: &|index| urls.get(index).unwrap_or_default(),
        };
        self.prepare_urls(&self.credentials, &planned, timestamp, nonce)
    }

    /// The request of `batch`'s URLs, signed with `credentials`: what
    /// [`prepare`](Self::prepare) does, wherever the URLs are held.
    fn prepare_urls(
        &self,
        credentials: &Credentials,
        batch: &Batch<'_>,
        timestamp: u64,
        nonce: Nonce,
    ) -> PreparedRequest {
        let mut nonce_digits = [0u8; 20];
        let mut timestamp_digits = [0u8; 20];
        let common = CommonParams {
            nonce: decimal(u64::from(nonce.get()), &mut nonce_digits),
            timestamp: decimal(timestamp, &mut timestamp_digits),
            secret_id: credentials.secret_id(),
            signature_method: self.signature_method.as_param(),
            token: credentials.token().map(|token| token.expose()),
        };
        let signature = self.sign_canonical(credentials, batch, &common);

        let Batch {
            operation,
            areas,
            count,
            url: text_of,
        } = *batch;
        let urls = (0..count).map(text_of);
        // The form's length with each encoded value's length given by
        // `value_len` and the action parameters' by `action_len`.
        let form_len = |action_len: usize, value_len: fn(&str) -> usize| {
            let extras: usize = self
                .extra_params
                .iter()
                .map(|(n, v)| value_len(n) + value_len(v) + 2)
                .sum();
            action_len
                + extras
                + "&Nonce=".len()
                + common.nonce.len()
                + "&Timestamp=".len()
                + common.timestamp.len()
                + "&SecretId=".len()
                + value_len(common.secret_id)
                + "&SignatureMethod=".len()
                + common.signature_method.len()
                + common
                    .token
                    .map_or(0, |token| "&Token=".len() + value_len(token))
                + "&Signature=".len()
                + signature.form_encoded_len()
        };
        let url = self.endpoint.as_str();
        let query_mark = usize::from(self.method == HttpMethod::Get);
        // One allocation, of at most what the encoding can take (`%XX` for
        // every byte): counting the exact length first took a pass over
        // every URL, and zeroing the buffer another. Only the bytes written
        // are touched; the rest of the room costs no memory.
        let action_bound = FlushOrPush::fixed_params_form_len(operation, areas)
            + urls
                .clone()
                .map(|url| "&urls.=".len() + 20 + 3 * url.len())
                .sum::<usize>();
        let mut out = Writer {
            buffer: Vec::with_capacity(
                url.len()
                    + query_mark
                    + form_len(action_bound, |value| 3 * value.len())
                    + FORM_VALUE_SLACK,
            ),
        };
        out.raw(url);
        if query_mark == 1 {
            out.raw("?");
        }
        out.raw("Action=");
        out.raw(ACTION);
        out.raw("&command=");
        out.raw(operation.command().as_str());
        out.raw("&type=");
        out.raw(operation.url_type().as_str());
        let mut index_digits = [0u8; 20];
        for (index, url) in urls.clone().enumerate() {
            out.raw("&urls.");
            out.raw(decimal(index as u64, &mut index_digits));
            out.raw("=");
            out.encoded(url);
        }
        if areas.mainland() {
            out.raw("&mainland=1");
        }
        if areas.oversea() {
            out.raw("&oversea=1");
        }
        for (name, value) in &self.extra_params {
            out.raw("&");
            out.encoded(name);
            out.raw("=");
            out.encoded(value);
        }
        out.raw("&Nonce=");
        out.raw(common.nonce);
        out.raw("&Timestamp=");
        out.raw(common.timestamp);
        out.raw("&SecretId=");
        out.encoded(common.secret_id);
        out.raw("&SignatureMethod=");
        out.raw(common.signature_method);
        if let Some(token) = common.token {
            out.raw("&Token=");
            out.encoded(token);
        }
        out.raw("&Signature=");
        out.encoded(signature.as_str());
        debug_assert_eq!(
            out.buffer.len(),
            url.len()
                + query_mark
                + form_len(
                    FlushOrPush::fixed_params_form_len(operation, areas)
                        + urls
                            .enumerate()
                            .map(|(index, url)| FlushOrPush::url_text_form_len(index, url))
                            .sum::<usize>(),
                    form_value_len
                ),
            "the form length counters and the writer disagree"
        );
        // Everything written is ASCII: the endpoint's URL and form encoding.
        let buffer = String::from_utf8(out.buffer)
            .unwrap_or_else(|_| unreachable!("form encoding is ASCII"));

        PreparedRequest {
            method: self.method,
            buffer,
            url_len: if self.method == HttpMethod::Get {
                None
            } else {
                Some(url.len())
            },
            path_len: self.endpoint.path().len(),
        }
    }

    /// The signature of `request` with the common parameters, its
    /// parameters given to the signer in canonical order: the upper-case
    /// names, then the lower-case ones with the `urls.N` group last, and the
    /// extra parameters merged in by name.
    fn sign_canonical(
        &self,
        credentials: &Credentials,
        batch: &Batch<'_>,
        common: &CommonParams<'_>,
    ) -> tcdn_sign::Signature {
        let Batch {
            operation, areas, ..
        } = *batch;
        // Byte order: upper case before lower case.
        let fixed: [(&str, Option<&str>); 10] = [
            ("Action", Some(ACTION)),
            ("Nonce", Some(common.nonce)),
            ("SecretId", Some(common.secret_id)),
            ("SignatureMethod", Some(common.signature_method)),
            ("Timestamp", Some(common.timestamp)),
            ("Token", common.token),
            ("command", Some(operation.command().as_str())),
            ("mainland", areas.mainland().then_some("1")),
            ("oversea", areas.oversea().then_some("1")),
            ("type", Some(operation.url_type().as_str())),
        ];
        let endpoint = tcdn_sign::Endpoint::new(
            self.method,
            self.endpoint.signing_host(),
            self.endpoint.path(),
        );
        let mut signer = tcdn_sign::CanonicalSigner::new(
            credentials.secret_key(),
            &endpoint,
            self.signature_method,
        );
        let mut extras = self
            .extra_order
            .iter()
            .map(|&k| {
                (
                    self.extra_params[k].0.as_str(),
                    self.extra_params[k].1.as_str(),
                )
            })
            .peekable();
        // The parameters are distinct by construction (extra names are
        // checked against the reserved ones, URLs are `urls.N`) and given in
        // order, so signing cannot fail; the signer checks it all the same.
        let mut push = |name, value| {
            signer
                .push(name, value)
                .unwrap_or_else(|err| unreachable!("validated parameters failed to sign: {err}"));
        };
        for (name, value) in fixed {
            while let Some((extra, extra_value)) =
                extras.next_if(|(extra, _)| folded_cmp(extra, name).is_lt())
            {
                push(extra, extra_value);
            }
            if let Some(value) = value {
                push(name, value);
            }
        }
        while let Some((extra, extra_value)) =
            extras.next_if(|(extra, _)| folded_cmp(extra, "urls.").is_lt())
        {
            push(extra, extra_value);
        }
        signer
            .push_indexed_with("urls", batch.count, batch.url)
            .unwrap_or_else(|err| unreachable!("validated parameters failed to sign: {err}"));
        for (extra, extra_value) in extras {
            signer
                .push(extra, extra_value)
                .unwrap_or_else(|err| unreachable!("validated parameters failed to sign: {err}"));
        }
        signer
            .finish()
            .unwrap_or_else(|err| unreachable!("validated parameters failed to sign: {err}"))
    }
}

/// The action parameters of one request: its operation and areas, and its
/// `count` URLs, the text of each given by `url` (from a [`FlushOrPush`] or
/// straight from a plan's list).
#[derive(Clone, Copy)]
struct Batch<'u> {
    operation: Operation,
    areas: Areas,
    count: usize,
    url: &'u dyn Fn(usize) -> &'u str,
}

/// The common parameters of one request, as text.
struct CommonParams<'a> {
    nonce: &'a str,
    timestamp: &'a str,
    secret_id: &'a str,
    signature_method: &'a str,
    token: Option<&'a str>,
}

/// Fills a buffer made with room for everything written, front to back.
struct Writer {
    buffer: Vec<u8>,
}

impl Writer {
    /// Text that needs no encoding.
    #[inline]
    fn raw(&mut self, text: &str) {
        self.buffer.extend_from_slice(text.as_bytes());
    }

    /// Text form-encoded.
    #[inline]
    fn encoded(&mut self, text: &str) {
        form_value_extend(text, &mut self.buffer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::v2::testing::{builder, urls};
    use tcdn_model::CdnUrl;
    use tcdn_sign::SignatureMethod;

    /// `prepare` the obvious way: every parameter in wire order, signed by
    /// the general signer (which sorts), each name and value form-encoded
    /// into a growing `String`.
    fn reference_prepare(
        builder: &RequestBuilder,
        request: &FlushOrPush,
        timestamp: u64,
        nonce: Nonce,
    ) -> String {
        let credentials = builder.credentials();
        let mut params: Vec<(String, String)> = request
            .action_params()
            .map(|(name, value)| (name.to_string(), value.to_owned()))
            .collect();
        params.extend(builder.extra_params.iter().cloned());
        params.push(("Nonce".into(), nonce.get().to_string()));
        params.push(("Timestamp".into(), timestamp.to_string()));
        params.push(("SecretId".into(), credentials.secret_id().to_owned()));
        params.push((
            "SignatureMethod".into(),
            builder.signature_method().as_param().to_owned(),
        ));
        if let Some(token) = credentials.token() {
            params.push(("Token".into(), token.expose().to_owned()));
        }
        let endpoint = tcdn_sign::Endpoint::new(
            builder.method(),
            builder.endpoint().signing_host(),
            builder.endpoint().path(),
        );
        let signature = tcdn_sign::sign(credentials.secret_key(), &endpoint, &params).unwrap();
        let mut out = builder.endpoint().as_str().to_owned();
        if builder.method() == HttpMethod::Get {
            out.push('?');
        }
        for (name, value) in &params {
            tcdn_sign::encode::form_value_into(name, &mut out);
            out.push('=');
            tcdn_sign::encode::form_value_into(value, &mut out);
            out.push('&');
        }
        out.push_str("Signature=");
        signature.append_form_encoded(&mut out);
        out
    }

    mod fast_path_matches_general_path {
        use proptest::prelude::*;

        use super::*;

        fn operation() -> impl Strategy<Value = Operation> {
            prop::sample::select(vec![
                Operation::FlushUrls,
                Operation::FlushDirs,
                Operation::PushUrls,
            ])
        }

        fn areas() -> impl Strategy<Value = Areas> {
            prop::sample::select(vec![Areas::Mainland, Areas::Oversea, Areas::Both])
        }

        /// Extra names on both sides of every fixed name and of `urls.N`.
        fn extra_name() -> impl Strategy<Value = String> {
            prop_oneof![
                prop::sample::select(vec![
                    "RequestClient",
                    "A",
                    "Zone_Id",
                    "a",
                    "b_c",
                    "urls-x",
                    "urlsA",
                    "v",
                    "zz",
                    "Nonce_2",
                    "Token.x",
                    "commands",
                    "typed",
                    "_x",
                    "~",
                ])
                .prop_map(str::to_owned),
                "[A-Za-z_.~ %&=-]{1,8}",
            ]
        }

        prop_compose! {
            fn case()(
                operation in operation(),
                areas in areas(),
                url_count in 1usize..45,
                path in "([a-z0-9/?&=+~图]|%[0-9A-F]{2}){0,12}",
                extras in prop::collection::vec((extra_name(), "\\PC{0,8}"), 0..4),
                get in any::<bool>(),
                sha256 in any::<bool>(),
                token in proptest::option::of("[A-Za-z0-9+/=]{1,16}"),
                secret_id in "[A-Za-z0-9+=/]{1,12}",
                timestamp in any::<u64>(),
                nonce in 1u32..=u32::MAX,
            ) -> (RequestBuilder, FlushOrPush, u64, Nonce) {
                let limit = operation.max_urls_per_request();
                let urls: Vec<CdnUrl> = (0..url_count.min(limit))
                    .map(|i| format!("https://a.example/{i}/{path}").parse().unwrap())
                    .collect();
                let request = FlushOrPush::new(operation, areas, urls).unwrap();
                let mut credentials = Credentials::new(secret_id, "key").unwrap();
                if let Some(token) = token {
                    credentials = credentials.with_token(token);
                }
                let mut builder = RequestBuilder::new(credentials)
                    .with_method(if get { HttpMethod::Get } else { HttpMethod::Post })
                    .with_signature_method(if sha256 {
                        SignatureMethod::HmacSha256
                    } else {
                        SignatureMethod::HmacSha1
                    });
                for (name, value) in extras {
                    // Reserved and repeated names are refused; skip them.
                    if let Ok(next) = builder.clone().with_extra_param(name, value) {
                        builder = next;
                    }
                }
                (builder, request, timestamp, Nonce::new(nonce).unwrap())
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn prepare_equals_the_general_path((builder, request, timestamp, nonce) in case()) {
                let prepared = builder.prepare(&request, timestamp, nonce);
                let expected = reference_prepare(&builder, &request, timestamp, nonce);
                let mut got = prepared.url().to_owned();
                got.push_str(prepared.body().unwrap_or(""));
                prop_assert_eq!(got, expected);
            }
        }
    }

    #[test]
    fn many_params_spill_to_the_heap_with_the_same_result() {
        let builder = builder();
        let request = FlushOrPush::new(Operation::FlushUrls, Areas::Mainland, urls(200)).unwrap();
        let prepared = builder.prepare(&request, 5, Nonce::MIN);
        assert!(prepared.form().contains("urls.199="));
        assert!(prepared.fits_wire_limit());
        // The same bytes as the general signer's, parameter by parameter.
        let mut got = prepared.url().to_owned();
        got.push_str(prepared.body().unwrap_or(""));
        assert_eq!(got, reference_prepare(&builder, &request, 5, Nonce::MIN));
    }
}
