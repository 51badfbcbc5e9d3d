//! The computed signature: Base64 text in fixed inline storage.

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::SignatureMethod;

/// Room for the longer of the two encodings (HMAC-SHA256: 32 bytes → 44 characters).
const MAX_LEN: usize = 44;

/// A computed signature: the standard Base64 (with `=` padding) of the MAC,
/// 28 characters for HmacSHA1 and 44 for HmacSHA256, stored inline.
///
/// It deliberately has no `==`: comparing signatures byte by byte leaks
/// timing. Servers use [`crate::verify`], which compares in constant time.
/// `Debug` shows the method and the first four characters only.
#[derive(Clone, Copy)]
pub struct Signature {
    text: [u8; MAX_LEN],
    method: SignatureMethod,
}

impl Signature {
    /// Encodes a MAC of the length `method` produces.
    pub(crate) fn from_mac(method: SignatureMethod, mac: &[u8]) -> Self {
        let mut text = [0u8; MAX_LEN];
        let written = STANDARD
            .encode_slice(mac, &mut text)
            .expect("a 20- or 32-byte MAC encodes to at most 44 characters");
        debug_assert_eq!(written, method.base64_len());
        Self { text, method }
    }

    /// The Base64 text, e.g. `bWMMAR1eFGjZ5KWbfxTlBiLiNLc=`.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).expect("Base64 output is ASCII")
    }

    /// The Base64 text as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.text[..self.method.base64_len()]
    }

    /// The hash it was computed with.
    pub fn method(&self) -> SignatureMethod {
        self.method
    }

    /// Appends the wire form of the value (`+`→`%2B`, `/`→`%2F`, `=`→`%3D`;
    /// docs/protocol.md §1.3 step 7) to `out`. The caller writes `Signature=` and
    /// the separator.
    ///
    /// ```
    /// # use tcdn_sign::{sign, Endpoint, HttpMethod, SecretKey};
    /// # let key = SecretKey::from("k");
    /// let signature = sign(&key, &Endpoint::cdn_v2(HttpMethod::Get), &[("Nonce", "1")])?;
    /// let mut query = String::from("Nonce=1&Signature=");
    /// signature.append_form_encoded(&mut query);
    /// assert!(!query.ends_with('='));
    /// # Ok::<(), tcdn_sign::SignError>(())
    /// ```
    pub fn append_form_encoded(&self, out: &mut String) {
        crate::encode::form_value_into(self.as_str(), out);
    }

    /// Length in bytes of the wire form, for size checks before building a request.
    pub fn form_encoded_len(&self) -> usize {
        crate::encode::form_value_len(self.as_str())
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Signature({}, \"{}…\")",
            self.method.as_param(),
            &self.as_str()[..4]
        )
    }
}
