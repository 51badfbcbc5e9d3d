//! The `Authorization` header: written by the signer, read by servers.

use core::fmt;

use super::canonical::is_tchar;
use super::{
    ALGORITHM, Date, Error, MAX_SIGNED_HEADERS, SCOPE_TERMINATOR, Service, Signature, VerifyError,
};

/// Whether `id` can stand in `Credential=ID/...`: non-empty, without `/`,
/// `,`, spaces or control bytes.
pub(crate) fn check_secret_id(id: &str) -> Result<(), Error> {
    let valid = !id.is_empty()
        && id
            .bytes()
            .all(|b| b > 0x20 && b != 0x7f && b != b'/' && b != b',');
    if valid {
        Ok(())
    } else {
        Err(Error::invalid_secret_id())
    }
}

/// Appends `TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=…, Signature=…`.
pub(crate) fn write(
    out: &mut String,
    secret_id: &str,
    date: Date,
    service: &Service,
    signed_headers: impl FnOnce(&mut String),
    signature: &Signature,
) {
    out.push_str(ALGORITHM);
    out.push_str(" Credential=");
    out.push_str(secret_id);
    out.push('/');
    out.push_str(core::str::from_utf8(&date.ascii()).expect("ASCII date"));
    out.push('/');
    out.push_str(service.as_str());
    out.push('/');
    out.push_str(SCOPE_TERMINATOR);
    out.push_str(", SignedHeaders=");
    signed_headers(out);
    out.push_str(", Signature=");
    out.push_str(signature.as_str());
}

/// A parsed `Authorization` header, borrowing the text it was read from.
///
/// Servers read the SecretId from it to look up the secret key, then call
/// [`super::verify`]. `Debug` leaves the signature out.
///
/// ```
/// use tcdn_sign::tc3::Authorization;
/// let header = "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2023-11-14/cdn/tc3_request, \
///               SignedHeaders=content-type;host, \
///               Signature=e63f2d56a6c4cc0b979c345d28b34247f10276430a3945ad5567c48d7dc4906e";
/// let auth = Authorization::parse(header)?;
/// assert_eq!(auth.secret_id(), "AKIDEXAMPLE");
/// assert_eq!(auth.date().to_string(), "2023-11-14");
/// assert_eq!(auth.service().as_str(), "cdn");
/// assert_eq!(auth.signed_headers().collect::<Vec<_>>(), ["content-type", "host"]);
/// # Ok::<(), tcdn_sign::tc3::VerifyError>(())
/// ```
///
/// The form is the one every Tencent SDK writes: the algorithm, one space,
/// then `Credential=`, `SignedHeaders=` and `Signature=` in this order,
/// separated by commas (spaces around the commas are ignored).
/// `SignedHeaders` must be canonical: lower-case, sorted, each name once,
/// `content-type` and `host` among them. Anything else is
/// [`VerifyErrorKind::Malformed`](super::VerifyErrorKind::Malformed); another
/// algorithm is
/// [`VerifyErrorKind::UnsupportedAlgorithm`](super::VerifyErrorKind::UnsupportedAlgorithm).
#[derive(Clone)]
pub struct Authorization<'a> {
    secret_id: &'a str,
    date: Date,
    service: Service,
    signed_headers: &'a str,
    signature: [u8; 32],
}

fn component<'a>(
    part: Option<&'a str>,
    key: &str,
    what: &'static str,
) -> Result<&'a str, VerifyError> {
    part.map(|p| p.trim_matches(' '))
        .and_then(|p| p.strip_prefix(key))
        .ok_or_else(|| VerifyError::malformed(what))
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl<'a> Authorization<'a> {
    /// Reads an `Authorization` header value.
    pub fn parse(value: &'a str) -> Result<Self, VerifyError> {
        let (algorithm, rest) = value
            .split_once(' ')
            .ok_or_else(|| VerifyError::malformed("no space after the algorithm"))?;
        if algorithm != ALGORITHM {
            return Err(if algorithm.is_empty() {
                VerifyError::malformed("no algorithm before the first space")
            } else {
                VerifyError::algorithm(algorithm)
            });
        }
        let mut parts = rest.split(',');
        let credential = component(parts.next(), "Credential=", "`Credential=` expected first")?;
        let signed_headers = component(
            parts.next(),
            "SignedHeaders=",
            "`SignedHeaders=` expected after the credential",
        )?;
        let signature = component(
            parts.next(),
            "Signature=",
            "`Signature=` expected after the signed headers",
        )?;
        if parts.next().is_some() {
            return Err(VerifyError::malformed("more than three components"));
        }

        let mut scope = credential.split('/');
        let (Some(secret_id), Some(date), Some(service), Some(terminator), None) = (
            scope.next(),
            scope.next(),
            scope.next(),
            scope.next(),
            scope.next(),
        ) else {
            return Err(VerifyError::malformed(
                "the credential is not SecretId/Date/Service/tc3_request",
            ));
        };
        check_secret_id(secret_id)
            .map_err(|_| VerifyError::malformed("the SecretId is empty or holds invalid bytes"))?;
        let date = Date::parse(date)
            .map_err(|_| VerifyError::malformed("the credential date is not YYYY-MM-DD"))?;
        let service = Service::new(service)
            .map_err(|_| VerifyError::malformed("the credential service is not a service name"))?;
        if terminator != SCOPE_TERMINATOR {
            return Err(VerifyError::malformed(
                "the credential does not end in `tc3_request`",
            ));
        }

        check_signed_headers(signed_headers)?;

        let hex = signature.as_bytes();
        if hex.len() != 64 {
            return Err(VerifyError::malformed("the signature is not 64 hex digits"));
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
            let (Some(high), Some(low)) = (hex_value(pair[0]), hex_value(pair[1])) else {
                return Err(VerifyError::malformed("the signature is not 64 hex digits"));
            };
            *byte = high << 4 | low;
        }

        Ok(Self {
            secret_id,
            date,
            service,
            signed_headers,
            signature: bytes,
        })
    }

    /// The SecretId of the credential, to look the secret key up with.
    pub fn secret_id(&self) -> &'a str {
        self.secret_id
    }

    /// The date of the credential scope.
    pub fn date(&self) -> Date {
        self.date
    }

    /// The service of the credential scope.
    pub fn service(&self) -> &Service {
        &self.service
    }

    /// The signed header names, lower-case and sorted.
    pub fn signed_headers(&self) -> impl Iterator<Item = &'a str> + Clone + 'a {
        self.signed_headers.split(';')
    }

    /// The `SignedHeaders` text as received (`content-type;host`).
    pub fn signed_headers_str(&self) -> &'a str {
        self.signed_headers
    }

    /// The signature's bytes, for the constant-time comparison.
    pub(crate) fn signature_bytes(&self) -> &[u8; 32] {
        &self.signature
    }
}

fn check_signed_headers(list: &str) -> Result<(), VerifyError> {
    let mut previous: Option<&str> = None;
    let (mut content_type, mut host) = (false, false);
    for (i, name) in list.split(';').enumerate() {
        if i >= MAX_SIGNED_HEADERS {
            return Err(VerifyError::malformed("more than 32 signed headers"));
        }
        if name.is_empty() || !name.bytes().all(|b| is_tchar(b) && !b.is_ascii_uppercase()) {
            return Err(VerifyError::malformed(
                "a signed header name is empty, not lower-case or not a token",
            ));
        }
        if previous.is_some_and(|p| p >= name) {
            return Err(VerifyError::malformed(
                "the signed headers are not sorted or repeat a name",
            ));
        }
        content_type |= name == "content-type";
        host |= name == "host";
        previous = Some(name);
    }
    if !(content_type && host) {
        return Err(VerifyError::malformed(
            "the signed headers lack `content-type` or `host`",
        ));
    }
    Ok(())
}

impl fmt::Debug for Authorization<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorization")
            .field("secret_id", &self.secret_id)
            .field("date", &format_args!("{}", self.date))
            .field("service", &self.service.as_str())
            .field("signed_headers", &self.signed_headers)
            .field("signature", &format_args!("<redacted>"))
            .finish()
    }
}
