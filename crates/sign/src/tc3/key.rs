//! The credential-scope service and the TC3 key derivation:
//! `TC3` + secret key → date → service → `tc3_request`.

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use super::{Date, Error, SCOPE_TERMINATOR, Signature};
use crate::SecretKey;

/// The longest service name accepted (Tencent's are a few letters: `cdn`, `cvm`).
pub const MAX_SERVICE_LEN: usize = 32;

/// The service of the credential scope, e.g. `cdn` (the first label of the
/// host `cdn.tencentcloudapi.com`).
///
/// 1 to [`MAX_SERVICE_LEN`] bytes of lower-case ASCII letters, digits, `-`
/// and `_`: nothing that could end a scope component (`/`, `,`, spaces).
/// Stored inline, so a [`SigningKey`] carries it without allocating.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Service {
    bytes: [u8; MAX_SERVICE_LEN],
    len: u8,
}

impl Service {
    /// A service name, checked.
    ///
    /// ```
    /// use tcdn_sign::tc3::Service;
    /// assert_eq!(Service::new("cdn")?, Service::cdn());
    /// assert!(Service::new("CDN").is_err());
    /// assert!(Service::new("cdn/x").is_err());
    /// # Ok::<(), tcdn_sign::tc3::Error>(())
    /// ```
    pub fn new(name: &str) -> Result<Self, Error> {
        let valid = !name.is_empty()
            && name.len() <= MAX_SERVICE_LEN
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_'));
        if !valid {
            return Err(Error::invalid_service(name));
        }
        let mut bytes = [0u8; MAX_SERVICE_LEN];
        bytes[..name.len()].copy_from_slice(name.as_bytes());
        Ok(Self {
            bytes,
            len: name.len() as u8,
        })
    }

    /// `cdn`, the service of `cdn.tencentcloudapi.com` (docs/protocol.md §5.1).
    pub fn cdn() -> Self {
        Self::new("cdn").expect("`cdn` is a valid service name")
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).expect("checked ASCII")
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl fmt::Debug for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Service({:?})", self.as_str())
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One intermediate key of the derivation (`SecretDate` or `SecretService`
/// in Tencent's documentation): 32 secret bytes, wiped on drop, redacted in
/// `Debug`, with no accessor. Compare it with an expected value through
/// [`DerivedKey::ct_eq_bytes`].
#[derive(Clone)]
pub struct DerivedKey {
    bytes: [u8; 32],
}

impl DerivedKey {
    /// Whether the key equals `expected`, in constant time.
    pub fn ct_eq_bytes(&self, expected: &[u8]) -> bool {
        expected.len() == self.bytes.len() && bool::from(self.bytes.ct_eq(expected))
    }
}

impl Drop for DerivedKey {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl fmt::Debug for DerivedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DerivedKey(<redacted>)")
    }
}

/// HMAC-SHA256 of `message` with `key`.
fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// `SecretDate = HMAC-SHA256("TC3" + SecretKey, "YYYY-MM-DD")`, the first
/// step of the derivation.
pub fn date_key(secret: &SecretKey, date: Date) -> DerivedKey {
    let secret = secret.hmac_key();
    // "TC3" + key without a heap copy: HMAC uses keys of up to one block
    // (64 bytes) as they are and replaces longer ones by their SHA-256
    // (RFC 2104), so a stack block or the streamed hash is the same key.
    let mut block = [0u8; 64];
    let key_len = 3 + secret.len();
    let bytes = if key_len <= block.len() {
        block[..3].copy_from_slice(b"TC3");
        block[3..key_len].copy_from_slice(secret);
        hmac(&block[..key_len], &date.ascii())
    } else {
        let mut hasher = Sha256::new();
        Digest::update(&mut hasher, b"TC3");
        Digest::update(&mut hasher, secret);
        block[..32].copy_from_slice(&hasher.finalize());
        hmac(&block[..32], &date.ascii())
    };
    block.zeroize();
    DerivedKey { bytes }
}

/// `SecretService = HMAC-SHA256(SecretDate, service)`, the second step.
pub fn service_key(date_key: &DerivedKey, service: &Service) -> DerivedKey {
    DerivedKey {
        bytes: hmac(&date_key.bytes, service.as_bytes()),
    }
}

/// The key that signs: `SecretSigning = HMAC-SHA256(SecretService,
/// "tc3_request")`, derived once for one (UTC date, service) and reused for
/// every request of that day to that service.
///
/// Secret like [`SecretKey`]: wiped on drop, `Debug` shows the date and the
/// service only, no accessor to the bytes. It remembers its date and
/// service, so signing a request whose timestamp falls on another UTC date
/// is an error ([`super::ErrorKind::KeyMismatch`]) rather than a signature
/// the server rejects.
///
/// ```
/// use tcdn_sign::SecretKey;
/// use tcdn_sign::tc3::{Service, SigningKey, Timestamp};
/// let secret = SecretKey::from("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE");
/// let key = SigningKey::derive(&secret, Timestamp::new(1_700_000_000)?.date(), Service::cdn());
/// assert_eq!(format!("{key:?}"), "SigningKey { date: 2023-11-14, service: \"cdn\", key: <redacted> }");
/// # Ok::<(), tcdn_sign::tc3::Error>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    key: DerivedKey,
    date: Date,
    service: Service,
}

impl SigningKey {
    /// Derives the key for `date` and `service` (three HMAC-SHA256).
    pub fn derive(secret: &SecretKey, date: Date, service: Service) -> Self {
        let service_key = service_key(&date_key(secret, date), &service);
        Self::from_service_key(&service_key, date, service)
    }

    /// The last step alone, from a `SecretService` that was derived for
    /// `date` and `service` (the caller vouches for that).
    pub fn from_service_key(service_key: &DerivedKey, date: Date, service: Service) -> Self {
        Self {
            key: DerivedKey {
                bytes: hmac(&service_key.bytes, SCOPE_TERMINATOR.as_bytes()),
            },
            date,
            service,
        }
    }

    /// The UTC date the key signs for.
    pub fn date(&self) -> Date {
        self.date
    }

    /// The service the key signs for.
    pub fn service(&self) -> &Service {
        &self.service
    }

    /// Whether the key's bytes equal `expected`, in constant time.
    pub fn ct_eq_bytes(&self, expected: &[u8]) -> bool {
        self.key.ct_eq_bytes(expected)
    }

    /// The HMAC of a string to sign already built (the last stage):
    /// `lowercase hex(HMAC-SHA256(SecretSigning, string_to_sign))`.
    pub fn sign_string_to_sign(&self, string_to_sign: &str) -> Signature {
        Signature::from_mac(&hmac(&self.key.bytes, string_to_sign.as_bytes()))
    }

    /// An HMAC keyed with this key, for streaming the string to sign.
    pub(crate) fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key.bytes).expect("HMAC takes any key")
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("date", &format_args!("{}", self.date))
            .field("service", &self.service.as_str())
            .field("key", &format_args!("<redacted>"))
            .finish()
    }
}
