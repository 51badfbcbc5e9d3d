//! The stages of the signature and their composition: canonical parameter
//! string, string to sign, signature, verification.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::order::{self, Mode, OrderError, Prepared};
use crate::{Endpoint, Param, SecretKey, SignError, Signature, SignatureMethod, VerifyError};

/// Where the text of the signature goes: a MAC when signing, a `String`
/// when a stage is shown. Both share one writer, so the golden tests of the
/// shown stages also test what the MAC is fed.
trait Sink {
    /// Bytes as they are.
    fn write(&mut self, bytes: &[u8]);
    /// `name=value` with `_` in the name written as `.`, preceded by `&`
    /// unless it is the first pair.
    fn write_pair(&mut self, first: bool, name: &str, value: &str);
}

const fn fold(b: u8) -> u8 {
    if b == b'_' { b'.' } else { b }
}

impl Sink for String {
    fn write(&mut self, bytes: &[u8]) {
        // Every piece is a whole `&str`.
        self.push_str(core::str::from_utf8(bytes).expect("pieces are UTF-8"));
    }

    fn write_pair(&mut self, first: bool, name: &str, value: &str) {
        if !first {
            self.push('&');
        }
        // `_` and `.` are ASCII, so replacing one with the other keeps UTF-8.
        self.extend(name.chars().map(|c| if c == '_' { '.' } else { c }));
        self.push('=');
        self.push_str(value);
    }
}

/// Collects the pieces into chunks before they reach the MAC: the MAC's
/// per-call cost is larger than copying a short name or value, and a
/// request is mostly short names and values.
struct Combined<M: Mac> {
    mac: M,
    buffer: [u8; COMBINE_BYTES],
    len: usize,
}

const COMBINE_BYTES: usize = 512;

impl<M: Mac> Combined<M> {
    fn new(mac: M) -> Self {
        Self {
            mac,
            buffer: [0; COMBINE_BYTES],
            len: 0,
        }
    }

    fn flush(&mut self) {
        self.mac.update(&self.buffer[..self.len]);
        self.len = 0;
    }

    fn finish(mut self) -> M {
        self.flush();
        self.mac
    }
}

impl<M: Mac> Sink for Combined<M> {
    fn write(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > COMBINE_BYTES {
            self.flush();
        }
        if bytes.len() > COMBINE_BYTES {
            self.mac.update(bytes);
        } else {
            self.buffer[self.len..self.len + bytes.len()].copy_from_slice(bytes);
            self.len += bytes.len();
        }
    }

    fn write_pair(&mut self, first: bool, name: &str, value: &str) {
        let (name, value) = (name.as_bytes(), value.as_bytes());
        let separator = usize::from(!first);
        let need = separator + name.len() + 1 + value.len();
        if self.len + need > COMBINE_BYTES {
            self.flush();
        }
        if need > COMBINE_BYTES {
            // A pair longer than the buffer: feed the MAC piece by piece.
            if !first {
                self.write(b"&");
            }
            for piece in name.split(|&b| b == b'_').enumerate() {
                if piece.0 > 0 {
                    self.write(b".");
                }
                self.write(piece.1);
            }
            self.write(b"=");
            self.mac.update(&self.buffer[..self.len]);
            self.len = 0;
            self.mac.update(value);
            return;
        }
        let out = &mut self.buffer[self.len..self.len + need];
        let (head, rest) = out.split_at_mut(separator);
        head.fill(b'&');
        let (name_out, rest) = rest.split_at_mut(name.len());
        // Folding while copying: reading back bytes just written by a
        // `memcpy` stalls on store forwarding.
        for (out, &b) in name_out.iter_mut().zip(name) {
            *out = fold(b);
        }
        rest[0] = b'=';
        rest[1..].copy_from_slice(value);
        self.len += need;
    }
}

/// `name=value` pairs in canonical order, joined with `&`.
fn write_canonical<P: Param>(sink: &mut impl Sink, params: &[P], order: &[u32]) {
    for (k, &i) in order.iter().enumerate() {
        let param = &params[i as usize];
        sink.write_pair(k == 0, param.name(), param.value());
    }
}

/// `METHOD + host + path + "?" + canonical`.
fn write_string_to_sign<P: Param>(
    sink: &mut impl Sink,
    endpoint: &Endpoint<'_>,
    params: &[P],
    order: &[u32],
) {
    sink.write(endpoint.method.as_str().as_bytes());
    sink.write(endpoint.host.as_bytes());
    sink.write(endpoint.path.as_bytes());
    sink.write(b"?");
    write_canonical(sink, params, order);
}

/// Runs `f` on the canonical order of `params`.
fn with_order<P: Param, R>(
    params: &[P],
    mode: Mode,
    f: impl FnOnce(&Prepared, &[u32]) -> R,
) -> Result<R, OrderError> {
    order::with_scratch(params.len(), |mut scratch| {
        let prepared = order::canonical_order(params, mode, &mut scratch)?;
        Ok(f(&prepared, order::order_of(&scratch, &prepared)))
    })
}

fn sign_error(e: OrderError) -> SignError {
    match e {
        OrderError::Sign(e) => e,
        // Only verification accepts a `Signature` parameter at all.
        OrderError::DuplicateSignature => SignError::reserved(),
    }
}

/// The canonical parameter string (api-facts §1.3 steps 1–4): names with `_`
/// renamed to `.`, sorted by byte order (case-sensitive, `urls.10` before
/// `urls.2`), raw values, `name=value` joined with `&`.
///
/// ```
/// let canonical = tcdn_sign::canonical_params(&[("urls_1", "b&c"), ("Nonce", "7"), ("urls.0", "a b")])?;
/// assert_eq!(canonical, "Nonce=7&urls.0=a b&urls.1=b&c");
/// # Ok::<(), tcdn_sign::SignError>(())
/// ```
///
/// # Errors
/// Two names that are equal once `_` is read as `.`
/// ([`SignErrorKind::DuplicateName`](crate::SignErrorKind::DuplicateName)), a
/// parameter named `Signature`
/// ([`SignErrorKind::ReservedName`](crate::SignErrorKind::ReservedName)), or
/// more than [`MAX_PARAMS`](crate::MAX_PARAMS) parameters.
pub fn canonical_params<P: Param>(params: &[P]) -> Result<String, SignError> {
    with_order(params, Mode::Sign, |_, order| {
        let mut out = String::new();
        write_canonical(&mut out, params, order);
        out
    })
    .map_err(sign_error)
}

/// The string to sign (api-facts §1.3 step 5): `METHOD + host + path + "?" +`
/// [`canonical_params`].
///
/// ```
/// use tcdn_sign::{Endpoint, HttpMethod};
/// let text = tcdn_sign::string_to_sign(&Endpoint::cdn_v2(HttpMethod::Post), &[("Nonce", "7")])?;
/// assert_eq!(text, "POSTcdn.api.qcloud.com/v2/index.php?Nonce=7");
/// # Ok::<(), tcdn_sign::SignError>(())
/// ```
///
/// # Errors
/// As for [`canonical_params`].
pub fn string_to_sign<P: Param>(
    endpoint: &Endpoint<'_>,
    params: &[P],
) -> Result<String, SignError> {
    with_order(params, Mode::Sign, |_, order| {
        let mut out = String::new();
        write_string_to_sign(&mut out, endpoint, params, order);
        out
    })
    .map_err(sign_error)
}

fn mac_of<M: Mac + KeyInit, P: Param>(
    key: &SecretKey,
    endpoint: &Endpoint<'_>,
    params: &[P],
    order: &[u32],
) -> M {
    let mac =
        <M as KeyInit>::new_from_slice(key.hmac_key()).expect("HMAC takes keys of any length");
    let mut sink = Combined::new(mac);
    write_string_to_sign(&mut sink, endpoint, params, order);
    sink.finish()
}

fn compute<P: Param>(
    key: &SecretKey,
    endpoint: &Endpoint<'_>,
    params: &[P],
    method: SignatureMethod,
    order: &[u32],
) -> Signature {
    match method {
        SignatureMethod::HmacSha1 => {
            let mac = mac_of::<Hmac<Sha1>, P>(key, endpoint, params, order);
            Signature::from_mac(method, &mac.finalize().into_bytes())
        }
        SignatureMethod::HmacSha256 => {
            let mac = mac_of::<Hmac<Sha256>, P>(key, endpoint, params, order);
            Signature::from_mac(method, &mac.finalize().into_bytes())
        }
    }
}

/// Signs a request (api-facts §1.3): the HMAC of the [`string_to_sign`],
/// Base64-encoded.
///
/// The hash follows the request's own `SignatureMethod` parameter by the
/// server's rule ([`SignatureMethod::from_param`]): add
/// `("SignatureMethod", "HmacSHA256")` to sign with SHA-256. Taking it from the
/// parameters rather than as a separate argument means the signature can
/// never disagree with what the server will compute.
///
/// The string to sign is streamed into the MAC piece by piece; nothing is
/// allocated for requests of up to 32 parameters, and two scratch buffers
/// (28 bytes per parameter in all) above that.
///
/// ```
/// use tcdn_sign::{sign, Endpoint, HttpMethod, SecretKey};
/// let key = SecretKey::from("pxPgRWDbCy86ZYyqBTDk7WmeRZSmPco0");
/// let params = [
///     ("Action", "DescribeCdnHosts"), ("Nonce", "13029"),
///     ("SecretId", "AKIDT8G5AsY1D3MChWooNq1rFSw1fyBVCX9D"), ("Timestamp", "1463122059"),
///     ("limit", "10"), ("offset", "0"),
/// ];
/// let signature = sign(&key, &Endpoint::cdn_v2(HttpMethod::Get), &params)?;
/// assert_eq!(signature.as_str(), "bWMMAR1eFGjZ5KWbfxTlBiLiNLc=");
/// # Ok::<(), tcdn_sign::SignError>(())
/// ```
///
/// # Errors
/// As for [`canonical_params`].
pub fn sign<P: Param>(
    key: &SecretKey,
    endpoint: &Endpoint<'_>,
    params: &[P],
) -> Result<Signature, SignError> {
    with_order(params, Mode::Sign, |prepared, order| {
        compute(key, endpoint, params, prepared.method, order)
    })
    .map_err(sign_error)
}

/// The HMAC of an already built string to sign, Base64-encoded: the last
/// stage alone (api-facts §1.3 step 6), for callers that hold the text.
pub fn sign_string_to_sign(key: &SecretKey, method: SignatureMethod, text: &str) -> Signature {
    fn mac<M: Mac + KeyInit>(key: &SecretKey, text: &str) -> M {
        let mut mac =
            <M as KeyInit>::new_from_slice(key.hmac_key()).expect("HMAC takes keys of any length");
        mac.update(text.as_bytes());
        mac
    }
    match method {
        SignatureMethod::HmacSha1 => Signature::from_mac(
            method,
            &mac::<Hmac<Sha1>>(key, text).finalize().into_bytes(),
        ),
        SignatureMethod::HmacSha256 => Signature::from_mac(
            method,
            &mac::<Hmac<Sha256>>(key, text).finalize().into_bytes(),
        ),
    }
}

/// Checks a received request's signature, as the server does.
///
/// `params` are **all** the parameters received, `Signature` included (and
/// `SignatureMethod` when sent), with their decoded values. The hash is
/// chosen by the server's rule ([`SignatureMethod::from_param`]), the
/// signature recomputed over every other parameter, and compared with the
/// received one in constant time. A server that accepts more than one host
/// name calls it once per host.
///
/// ```
/// use tcdn_sign::{sign, verify, Endpoint, HttpMethod, SecretKey, VerifyErrorKind};
/// let key = SecretKey::from("secret");
/// let endpoint = Endpoint::cdn_v2(HttpMethod::Get);
/// let mut params = vec![("Nonce", String::from("7")), ("Timestamp", String::from("1700000000"))];
/// let signature = sign(&key, &endpoint, &params)?;
/// params.push(("Signature", signature.as_str().to_owned()));
/// assert!(verify(&key, &endpoint, &params).is_ok());
///
/// params[0].1 = String::from("8");
/// let error = verify(&key, &endpoint, &params).unwrap_err();
/// assert_eq!(error.kind(), VerifyErrorKind::Mismatch);
/// # Ok::<(), tcdn_sign::SignError>(())
/// ```
///
/// # Errors
/// [`VerifyErrorKind::Malformed`](crate::VerifyErrorKind::Malformed) when a
/// name appears twice (after `_`→`.` folding, `Signature` included);
/// [`VerifyErrorKind::MissingSignature`](crate::VerifyErrorKind::MissingSignature)
/// without a `Signature`;
/// [`VerifyErrorKind::Mismatch`](crate::VerifyErrorKind::Mismatch) when it
/// differs from the recomputed one.
pub fn verify<P: Param>(
    key: &SecretKey,
    endpoint: &Endpoint<'_>,
    params: &[P],
) -> Result<(), VerifyError> {
    let outcome = with_order(params, Mode::Verify, |prepared, order| {
        let received = prepared.signature?;
        let expected = compute(key, endpoint, params, prepared.method, order);
        Some((prepared.method, received, expected))
    });
    let (method, received, expected) = match outcome {
        Ok(Some(found)) => found,
        Ok(None) => return Err(VerifyError::missing()),
        Err(OrderError::Sign(e)) => return Err(VerifyError::malformed(e)),
        Err(OrderError::DuplicateSignature) => return Err(VerifyError::duplicate_signature()),
    };
    let received = params[received].value().as_bytes();
    let expected = expected.as_bytes();
    // The length is public (it follows from the method); the content is not.
    let equal = received.len() == expected.len() && bool::from(received.ct_eq(expected));
    if equal {
        Ok(())
    } else {
        Err(VerifyError::mismatch(
            method,
            endpoint.method,
            endpoint.host,
            endpoint.path,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HttpMethod;

    /// Pairs longer than the combining buffer take their own path to the MAC.
    #[test]
    fn long_names_and_values_stream_like_the_built_string() {
        let key = SecretKey::from("k");
        let endpoint = Endpoint::cdn_v2(HttpMethod::Post);
        let long_value = "v&=%+ 猫".repeat(400);
        let long_name = format!("{}_x", "n_".repeat(700));
        let short = "s".repeat(COMBINE_BYTES - 40);
        let cases: [&[(&str, &str)]; 4] = [
            &[("a", &long_value)],
            &[("a", "1"), ("b", &long_value), ("c", "3")],
            &[(&long_name, "1"), ("z", &long_value)],
            &[("a", &short), ("b", &short), ("c_d", &short)],
        ];
        for params in cases {
            let text = string_to_sign(&endpoint, params).unwrap();
            for method in [SignatureMethod::HmacSha1, SignatureMethod::HmacSha256] {
                let mut with_method = params.to_vec();
                with_method.push(("SignatureMethod", method.as_param()));
                let text = string_to_sign(&endpoint, &with_method).unwrap();
                assert_eq!(
                    sign(&key, &endpoint, &with_method).unwrap().as_str(),
                    sign_string_to_sign(&key, method, &text).as_str()
                );
            }
            assert!(!text.contains('_'), "names are folded");
        }
    }
}
