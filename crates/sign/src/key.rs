//! The secret key: owned, zeroized on drop, never printed.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// A Tencent Cloud `SecretKey`, the HMAC key of the signature.
///
/// The bytes are wiped when the value is dropped, `Debug` prints
/// `SecretKey(<redacted>)`, and there is no `Display` and no accessor: only
/// this crate's signer reads the bytes. Build one from the text of the key:
///
/// ```
/// use tcdn_sign::SecretKey;
/// let key = SecretKey::from("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE");
/// assert_eq!(format!("{key:?}"), "SecretKey(<redacted>)");
/// ```
///
/// Any text is a valid HMAC key, the empty string included, so construction
/// cannot fail; whether the key is the right one only the server can tell.
#[derive(Clone)]
pub struct SecretKey {
    // A `String` rather than a boxed slice: turning a `String` with spare
    // capacity into a box reallocates and would leave an unwiped copy behind.
    text: String,
}

impl SecretKey {
    /// Takes ownership of the key's text (no copy).
    pub fn new(text: String) -> Self {
        Self { text }
    }

    /// The key's bytes, for the HMAC only.
    pub(crate) fn hmac_key(&self) -> &[u8] {
        self.text.as_bytes()
    }
}

impl From<String> for SecretKey {
    fn from(text: String) -> Self {
        Self::new(text)
    }
}

impl From<&str> for SecretKey {
    fn from(text: &str) -> Self {
        Self::new(text.to_owned())
    }
}

/// Compared in constant time (only the length may show), so that a caller
/// checking whether its key changed leaks nothing of either.
impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.text.as_bytes().ct_eq(other.text.as_bytes()))
    }
}

impl Eq for SecretKey {}

impl Drop for SecretKey {
    fn drop(&mut self) {
        // Wipes the whole capacity, not just the used length.
        self.text.zeroize();
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}
