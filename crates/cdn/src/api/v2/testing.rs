//! What the tests of API 2.0's request building share: a builder with
//! temporary credentials, and distinct URLs.

use tcdn_model::CdnUrl;

use super::RequestBuilder;
use crate::credentials::Credentials;

pub(super) fn builder() -> RequestBuilder {
    RequestBuilder::new(
        Credentials::new("AKIDexample", "secret")
            .unwrap()
            .with_token("tok"),
    )
}

pub(super) fn urls(n: usize) -> Vec<CdnUrl> {
    (0..n)
        .map(|i| format!("https://a.example/{i}.css").parse().unwrap())
        .collect()
}
