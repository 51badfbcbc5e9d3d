//! What the tests of API 3.0's request building share: the documentation's
//! example key pair.

use crate::credentials::Credentials;

/// The key pair of Tencent's TC3 examples.
pub(super) fn credentials() -> Credentials {
    Credentials::new(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    )
    .unwrap()
}
