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
pub(crate) trait Sink {
    /// Bytes as they are.
    fn write(&mut self, bytes: &[u8]);
    /// `name=value` with `_` in the name written as `.`, preceded by `&`
    /// unless it is the first pair.
    fn write_pair(&mut self, first: bool, name: &str, value: &str);
}

use crate::order::fold;

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
/// request is mostly short names and values. Only whole 64-byte blocks are
/// handed over before the end, so the MAC never copies into its own buffer.
pub(crate) struct Combined<M: Mac> {
    mac: M,
    buffer: [u8; COMBINE_BYTES],
    len: usize,
}

pub(crate) const COMBINE_BYTES: usize = 1024;
/// The block size of SHA-1 and SHA-256.
const BLOCK: usize = 64;

impl<M: Mac> Combined<M> {
    pub(crate) fn new(mac: M) -> Self {
        Self {
            mac,
            buffer: [0; COMBINE_BYTES],
            len: 0,
        }
    }

    /// Hands the whole blocks to the MAC and keeps the rest.
    fn flush_blocks(&mut self) {
        let whole = self.len - self.len % BLOCK;
        self.mac.update(&self.buffer[..whole]);
        self.buffer.copy_within(whole..self.len, 0);
        self.len -= whole;
    }

    /// Hands everything to the MAC.
    fn flush(&mut self) {
        self.mac.update(&self.buffer[..self.len]);
        self.len = 0;
    }

    pub(crate) fn finish(mut self) -> M {
        self.flush();
        self.mac
    }

    /// Room for `need` more bytes, or `false` when they can never fit.
    #[inline]
    fn make_room(&mut self, need: usize) -> bool {
        if self.len + need > COMBINE_BYTES {
            self.flush_blocks();
        }
        self.len + need <= COMBINE_BYTES
    }

    /// A pair that does not fit the buffer, fed to the MAC piece by piece.
    #[cold]
    fn write_long_pair(&mut self, first: bool, name: &[&[u8]], value: &[u8]) {
        if !first {
            self.write(b"&");
        }
        for part in name {
            for (k, piece) in part.split(|&b| b == b'_').enumerate() {
                if k > 0 {
                    self.write(b".");
                }
                self.write(piece);
            }
        }
        self.write(b"=");
        self.flush();
        self.mac.update(value);
    }

    /// `&` (unless first), `prefix` folded, `.`, `digits`, `=`, `value`:
    /// a member of an indexed group such as `urls.17`.
    #[inline]
    pub(crate) fn write_member(&mut self, first: bool, prefix: &str, digits: &[u8], value: &str) {
        let (prefix, value) = (prefix.as_bytes(), value.as_bytes());
        let separator = usize::from(!first);
        let need = separator + prefix.len() + 1 + digits.len() + 1 + value.len();
        if !self.make_room(need) {
            self.write_long_pair(first, &[prefix, b".", digits], value);
            return;
        }
        let out = &mut self.buffer[self.len..self.len + need];
        let (head, rest) = out.split_at_mut(separator);
        head.fill(b'&');
        let (prefix_out, rest) = rest.split_at_mut(prefix.len());
        copy_folded(prefix_out, prefix);
        rest[0] = b'.';
        let (digits_out, rest) = rest[1..].split_at_mut(digits.len());
        digits_out.copy_from_slice(digits);
        rest[0] = b'=';
        rest[1..].copy_from_slice(value);
        self.len += need;
    }
}

/// Copies `src` into `dst` (of the same length) with `_` written as `.`,
/// eight or four bytes at a time.
#[inline(always)]
fn copy_folded(dst: &mut [u8], src: &[u8]) {
    let len = src.len();
    if len >= 8 {
        let mut i = 0;
        while i + 8 <= len {
            fold_chunk8(&mut dst[i..i + 8], &src[i..i + 8]);
            i += 8;
        }
        if i < len {
            // The last eight bytes again, overlapping the ones just written
            // with equal values.
            fold_chunk8(&mut dst[len - 8..], &src[len - 8..]);
        }
    } else if len >= 4 {
        fold_chunk4(&mut dst[..4], &src[..4]);
        fold_chunk4(&mut dst[len - 4..], &src[len - 4..]);
    } else {
        for (out, &b) in dst.iter_mut().zip(src) {
            *out = fold(b);
        }
    }
}

const LOW8: u64 = 0x0101_0101_0101_0101;
const HIGH8: u64 = 0x8080_8080_8080_8080;

/// Every `_` byte of `word` turned into `.`: mark the bytes equal to 0x5F
/// (an exact zero-byte test, no false positives), subtract 0x31 there.
#[inline]
const fn fold_word(word: u64) -> u64 {
    let x = word ^ (0x5F * LOW8);
    let zero = !(((x & !HIGH8) + !HIGH8) | x) & HIGH8;
    word - (zero >> 7) * (b'_' - b'.') as u64
}

#[inline]
fn fold_chunk8(dst: &mut [u8], src: &[u8]) {
    let word = u64::from_le_bytes(src.try_into().expect("eight bytes"));
    dst.copy_from_slice(&fold_word(word).to_le_bytes());
}

#[inline]
fn fold_chunk4(dst: &mut [u8], src: &[u8]) {
    let word = u32::from_le_bytes(src.try_into().expect("four bytes"));
    // The four high bytes are zero, never `_`, so they stay zero.
    let folded = fold_word(u64::from(word)) as u32;
    dst.copy_from_slice(&folded.to_le_bytes());
}

impl<M: Mac> Sink for Combined<M> {
    fn write(&mut self, bytes: &[u8]) {
        if self.make_room(bytes.len()) {
            self.buffer[self.len..self.len + bytes.len()].copy_from_slice(bytes);
            self.len += bytes.len();
        } else {
            self.flush();
            self.mac.update(bytes);
        }
    }

    #[inline]
    fn write_pair(&mut self, first: bool, name: &str, value: &str) {
        let (name, value) = (name.as_bytes(), value.as_bytes());
        let separator = usize::from(!first);
        let need = separator + name.len() + 1 + value.len();
        if !self.make_room(need) {
            self.write_long_pair(first, &[name], value);
            return;
        }
        let out = &mut self.buffer[self.len..self.len + need];
        let (head, rest) = out.split_at_mut(separator);
        head.fill(b'&');
        let (name_out, rest) = rest.split_at_mut(name.len());
        copy_folded(name_out, name);
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
    write_prefix(sink, endpoint);
    write_canonical(sink, params, order);
}

/// `METHOD + host + path + "?"`.
pub(crate) fn write_prefix(sink: &mut impl Sink, endpoint: &Endpoint<'_>) {
    sink.write(endpoint.method.as_str().as_bytes());
    sink.write(endpoint.host.as_bytes());
    sink.write(endpoint.path.as_bytes());
    sink.write(b"?");
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

/// The canonical parameter string (docs/protocol.md §1.3 steps 1–4): names with `_`
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

/// The string to sign (docs/protocol.md §1.3 step 5): `METHOD + host + path + "?" +`
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

/// A MAC keyed with `key`.
pub(crate) fn keyed<M: Mac + KeyInit>(key: &SecretKey) -> M {
    <M as KeyInit>::new_from_slice(key.hmac_key()).expect("HMAC takes keys of any length")
}

fn mac_of<M: Mac + KeyInit, P: Param>(
    key: &SecretKey,
    endpoint: &Endpoint<'_>,
    params: &[P],
    order: &[u32],
) -> M {
    let mut sink = Combined::new(keyed::<M>(key));
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

/// Signs a request (docs/protocol.md §1.3): the HMAC of the [`string_to_sign`],
/// Base64-encoded.
///
/// The hash follows the request's own `SignatureMethod` parameter by the
/// server's rule ([`SignatureMethod::from_param`]): add
/// `("SignatureMethod", "HmacSHA256")` to sign with SHA-256. Taking it from the
/// parameters rather than as a separate argument means the signature can
/// never disagree with what the server will compute.
///
/// The string to sign is streamed into the MAC piece by piece; nothing is
/// allocated for requests of up to 64 parameters, and two scratch buffers
/// (24 bytes per parameter in all) above that. A caller that already holds
/// its parameters in canonical order can skip the ordering with
/// [`CanonicalSigner`](crate::CanonicalSigner).
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
/// stage alone (docs/protocol.md §1.3 step 6), for callers that hold the text.
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
