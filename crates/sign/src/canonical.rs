//! [`CanonicalSigner`]: signing parameters that the caller already holds in
//! canonical order, checked as they come, without ordering them again.

use core::cmp::Ordering;
use core::fmt;

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;

use crate::order::{SIGNATURE, SIGNATURE_METHOD, fold, keyed_cmp, sort_key};
use crate::signer::{Combined, Sink, keyed, write_prefix};
use crate::{Endpoint, MAX_PARAMS, SecretKey, SignError, Signature, SignatureMethod};

/// Signs a request whose parameters the caller passes **in canonical
/// order** (names compared byte by byte with `_` read as `.`, so `Nonce`
/// before `command`, and `urls.10` before `urls.2`), streaming the string to
/// sign into the MAC as they come.
///
/// It gives the same signature as [`sign`](crate::sign) over the same
/// parameters, without ordering them: a client that builds its requests
/// from a fixed set of names knows their order in advance. Every name is
/// checked to come strictly after the previous one (a comparison with the
/// previous name only), so a caller's mistake is an error, never a wrong
/// signature. [`push_indexed`](Self::push_indexed) takes a whole
/// `prefix.0 … prefix.N-1` group at once and writes its names in canonical
/// order itself (`urls.0, urls.1, urls.10, …`), taking the values by index.
///
/// The hash is chosen up front (the MAC starts before the parameters come);
/// a `SignatureMethod` parameter that selects another one, or its absence
/// with HmacSHA256, is an error ([`SignErrorKind::MethodMismatch`]), as the
/// server follows the parameter. Nothing is allocated.
///
/// ```
/// use tcdn_sign::{sign, CanonicalSigner, Endpoint, HttpMethod, SecretKey, SignatureMethod};
///
/// let key = SecretKey::from("secret");
/// let endpoint = Endpoint::cdn_v2(HttpMethod::Post);
/// let urls = ["https://a.example/0", "https://a.example/1"];
///
/// let mut signer = CanonicalSigner::new(&key, &endpoint, SignatureMethod::HmacSha1);
/// signer.push("Action", "FlushOrPushOverall")?;
/// signer.push("Nonce", "7")?;
/// signer.push("command", "flush")?;
/// signer.push_indexed("urls", &urls)?;
/// let signature = signer.finish()?;
///
/// let params = [
///     ("urls.1", urls[1]), ("command", "flush"), ("urls.0", urls[0]),
///     ("Nonce", "7"), ("Action", "FlushOrPushOverall"),
/// ];
/// assert_eq!(signature.as_str(), sign(&key, &endpoint, &params)?.as_str());
///
/// // Out of order: refused, not signed wrongly.
/// let mut signer = CanonicalSigner::new(&key, &endpoint, SignatureMethod::HmacSha1);
/// signer.push("command", "flush")?;
/// assert!(signer.push("Nonce", "7").is_err());
/// # Ok::<(), tcdn_sign::SignError>(())
/// ```
///
/// [`SignErrorKind::MethodMismatch`]: crate::SignErrorKind::MethodMismatch
pub struct CanonicalSigner<'a> {
    mac: AnyMac,
    method: SignatureMethod,
    previous: Previous<'a>,
    method_seen: bool,
    count: usize,
}

enum AnyMac {
    Sha1(Combined<Hmac<Sha1>>),
    Sha256(Combined<Hmac<Sha256>>),
}

/// The last name written, to check the next one against.
#[derive(Clone, Copy)]
enum Previous<'a> {
    Nothing,
    /// A name and its [`sort_key`], which decides most comparisons.
    Name(&'a str, u64),
    /// The greatest name of an indexed group: `prefix.index`.
    Member {
        prefix: &'a str,
        index: u32,
    },
}

impl<'a> CanonicalSigner<'a> {
    /// A signer for `endpoint` with `method`'s hash, keyed with `key`.
    pub fn new(key: &SecretKey, endpoint: &Endpoint<'_>, method: SignatureMethod) -> Self {
        let mut mac = match method {
            SignatureMethod::HmacSha1 => AnyMac::Sha1(Combined::new(keyed(key))),
            SignatureMethod::HmacSha256 => AnyMac::Sha256(Combined::new(keyed(key))),
        };
        match &mut mac {
            AnyMac::Sha1(sink) => write_prefix(sink, endpoint),
            AnyMac::Sha256(sink) => write_prefix(sink, endpoint),
        }
        Self {
            mac,
            method,
            previous: Previous::Nothing,
            method_seen: false,
            count: 0,
        }
    }

    /// Adds one parameter: `name` as sent on the wire (`_` is read as `.`
    /// for the order and the string to sign, as always) and its raw value.
    ///
    /// # Errors
    /// [`OutOfOrder`](crate::SignErrorKind::OutOfOrder) when `name` does not
    /// sort after the previous name, [`DuplicateName`] when it equals it,
    /// [`ReservedName`] for `Signature`, [`MethodMismatch`] for a
    /// `SignatureMethod` that selects another hash, and
    /// [`TooManyParameters`]. The parameter is then left out and the signer
    /// is as it was before the call.
    ///
    /// [`DuplicateName`]: crate::SignErrorKind::DuplicateName
    /// [`ReservedName`]: crate::SignErrorKind::ReservedName
    /// [`MethodMismatch`]: crate::SignErrorKind::MethodMismatch
    /// [`TooManyParameters`]: crate::SignErrorKind::TooManyParameters
    pub fn push(&mut self, name: &'a str, value: &str) -> Result<(), SignError> {
        if name == SIGNATURE {
            return Err(SignError::reserved());
        }
        self.check_after_previous(name)?;
        if name == SIGNATURE_METHOD {
            let selected = SignatureMethod::from_param(Some(value));
            if selected != self.method {
                return Err(SignError::method_mismatch(self.method, selected));
            }
            self.method_seen = true;
        }
        self.count_params(1)?;
        let first = matches!(self.previous, Previous::Nothing);
        match &mut self.mac {
            AnyMac::Sha1(sink) => sink.write_pair(first, name, value),
            AnyMac::Sha256(sink) => sink.write_pair(first, name, value),
        }
        self.previous = Previous::Name(name, sort_key(name));
        Ok(())
    }

    /// Adds the group `prefix.0 = values[0]`, …, `prefix.N-1 = values[N-1]`
    /// (N = `values.len()`), writing the names in canonical order itself.
    /// Nothing happens for an empty `values`.
    ///
    /// # Errors
    /// As for [`push`](Self::push): the group's first name must sort after
    /// the previous name, and the next name pushed must sort after the
    /// group's last one in canonical order (`urls.9` for ten URLs).
    pub fn push_indexed<V: AsRef<str>>(
        &mut self,
        prefix: &'a str,
        values: &[V],
    ) -> Result<(), SignError> {
        self.push_indexed_with(prefix, values.len(), |index| values[index].as_ref())
    }

    /// [`push_indexed`](Self::push_indexed) for `count` values that are not
    /// in a slice: `value(i)` gives the value of `prefix.i` (for each `i`
    /// below `count`, once, in canonical order).
    ///
    /// ```
    /// # use tcdn_sign::{CanonicalSigner, Endpoint, HttpMethod, SecretKey, SignatureMethod};
    /// let key = SecretKey::from("secret");
    /// let endpoint = Endpoint::cdn_v2(HttpMethod::Post);
    /// let text = "https://a.example/0 https://a.example/1";
    /// let mut signer = CanonicalSigner::new(&key, &endpoint, SignatureMethod::HmacSha1);
    /// signer.push_indexed_with("urls", 2, |i| text.split(' ').nth(i).unwrap_or_default())?;
    /// let mut same = CanonicalSigner::new(&key, &endpoint, SignatureMethod::HmacSha1);
    /// same.push_indexed("urls", &["https://a.example/0", "https://a.example/1"])?;
    /// assert_eq!(signer.finish()?.as_str(), same.finish()?.as_str());
    /// # Ok::<(), tcdn_sign::SignError>(())
    /// ```
    ///
    /// # Errors
    /// As for [`push_indexed`](Self::push_indexed).
    pub fn push_indexed_with<'v>(
        &mut self,
        prefix: &'a str,
        count: usize,
        value: impl Fn(usize) -> &'v str,
    ) -> Result<(), SignError> {
        let Some(count32) = u32::try_from(count).ok().filter(|&c| c > 0) else {
            return match count {
                0 => Ok(()),
                n => Err(SignError::too_many(n)),
            };
        };
        self.check_member_after_previous(prefix)?;
        self.count_params(count)?;
        let mut first = matches!(self.previous, Previous::Nothing);
        let last = match &mut self.mac {
            AnyMac::Sha1(sink) => write_group(sink, &mut first, prefix, &value, count32),
            AnyMac::Sha256(sink) => write_group(sink, &mut first, prefix, &value, count32),
        };
        self.previous = Previous::Member {
            prefix,
            index: last,
        };
        Ok(())
    }

    /// The signature of everything pushed.
    ///
    /// # Errors
    /// [`MethodMismatch`](crate::SignErrorKind::MethodMismatch) when no
    /// `SignatureMethod` parameter was pushed but the signer was created for
    /// HmacSHA256 (without the parameter, the server uses HmacSHA1).
    pub fn finish(self) -> Result<Signature, SignError> {
        if !self.method_seen && self.method != SignatureMethod::HmacSha1 {
            return Err(SignError::method_mismatch(
                self.method,
                SignatureMethod::HmacSha1,
            ));
        }
        Ok(match self.mac {
            AnyMac::Sha1(sink) => {
                Signature::from_mac(self.method, &sink.finish().finalize().into_bytes())
            }
            AnyMac::Sha256(sink) => {
                Signature::from_mac(self.method, &sink.finish().finalize().into_bytes())
            }
        })
    }

    fn count_params(&mut self, more: usize) -> Result<(), SignError> {
        let count = self.count + more;
        if count > MAX_PARAMS {
            return Err(SignError::too_many(count));
        }
        self.count = count;
        Ok(())
    }

    fn check_after_previous(&self, name: &str) -> Result<(), SignError> {
        let ordering = match self.previous {
            Previous::Nothing => return Ok(()),
            Previous::Name(previous, key) => keyed_cmp((key, previous), (sort_key(name), name)),
            Previous::Member { prefix, index } => {
                let mut digits = [0u8; 10];
                folded_cmp(
                    member_bytes(prefix, decimal(index, &mut digits)),
                    name.bytes(),
                )
            }
        };
        self.order_result(ordering, name.bytes())
    }

    fn check_member_after_previous(&self, prefix: &str) -> Result<(), SignError> {
        let first = || member_bytes(prefix, b"0");
        let ordering = match self.previous {
            Previous::Nothing => return Ok(()),
            Previous::Name(previous, _) => folded_cmp(previous.bytes(), first()),
            Previous::Member {
                prefix: previous,
                index,
            } => {
                let mut digits = [0u8; 10];
                folded_cmp(member_bytes(previous, decimal(index, &mut digits)), first())
            }
        };
        self.order_result(ordering, first())
    }

    /// `Ok` when the previous name sorts before the next one.
    #[cold]
    fn order_result(
        &self,
        ordering: Ordering,
        next: impl Iterator<Item = u8>,
    ) -> Result<(), SignError> {
        if ordering == Ordering::Less {
            return Ok(());
        }
        let next = String::from_utf8_lossy(&next.collect::<Vec<u8>>()).into_owned();
        let previous = match self.previous {
            Previous::Nothing => String::new(),
            Previous::Name(name, _) => name.to_owned(),
            Previous::Member { prefix, index } => format!("{prefix}.{index}"),
        };
        Err(if ordering == Ordering::Equal {
            SignError::duplicate(&previous, &next)
        } else {
            SignError::out_of_order(previous, &next)
        })
    }
}

impl fmt::Debug for CanonicalSigner<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CanonicalSigner")
            .field("method", &self.method)
            .field("params", &self.count)
            .finish_non_exhaustive()
    }
}

/// The bytes of `prefix.digits`.
fn member_bytes<'b>(prefix: &'b str, digits: &'b [u8]) -> impl Iterator<Item = u8> + 'b {
    prefix
        .bytes()
        .chain(core::iter::once(b'.'))
        .chain(digits.iter().copied())
}

/// Compares two names given as bytes, `_` read as `.`.
fn folded_cmp(a: impl Iterator<Item = u8>, b: impl Iterator<Item = u8>) -> Ordering {
    a.map(fold).cmp(b.map(fold))
}

/// The decimal digits of `value`.
fn decimal(mut value: u32, digits: &mut [u8; 10]) -> &[u8] {
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            return &digits[start..];
        }
    }
}

/// Writes `prefix.k = values[k]` for `k` in `0..count` in the lexicographic
/// order of `k`'s decimal text; returns the last `k` written.
///
/// The digits of `k` are kept as text alongside the number and changed in
/// place, the way the order moves: append a `0` (k × 10), drop the last
/// digit (k / 10), or raise the last digit (k + 1, never a 9 there).
fn write_group<'v, M: Mac>(
    sink: &mut Combined<M>,
    first: &mut bool,
    prefix: &str,
    value: &impl Fn(usize) -> &'v str,
    count: u32,
) -> u32 {
    let max = count - 1;
    let mut digits = [b'0'; 10];
    let mut len = 1;
    let mut current = 0u32;
    let mut written = 0;
    loop {
        sink.write_member(*first, prefix, &digits[..len], value(current as usize));
        *first = false;
        written += 1;
        if written == count {
            return current;
        }
        if current == 0 {
            current = 1;
            digits[0] = b'1';
        } else if current <= max / 10 {
            current *= 10;
            digits[len] = b'0';
            len += 1;
        } else {
            while current % 10 == 9 || current >= max {
                current /= 10;
                len -= 1;
            }
            current += 1;
            digits[len - 1] += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::lexicographic_indices;

    #[test]
    fn group_names_follow_the_lexicographic_order() {
        for count in 1..1200u32 {
            let mut expected = Vec::new();
            lexicographic_indices(count, |k| expected.push(k));
            let values: Vec<String> = (0..count).map(|k| k.to_string()).collect();
            let key = SecretKey::from("k");
            let endpoint = Endpoint::cdn_v2(crate::HttpMethod::Get);
            let mut sink = Combined::new(keyed::<Hmac<Sha1>>(&key));
            let mut first = true;
            let last = write_group(
                &mut sink,
                &mut first,
                "u",
                &|i: usize| values[i].as_str(),
                count,
            );
            assert_eq!(last, *expected.last().unwrap(), "count {count}");
            // The text the group wrote, through the string sink.
            let mut text = String::new();
            let mut first = true;
            for k in &expected {
                text.write_pair(first, &format!("u.{k}"), &k.to_string());
                first = false;
            }
            let mut signer = CanonicalSigner::new(&key, &endpoint, SignatureMethod::HmacSha1);
            signer.push_indexed("u", &values).unwrap();
            let reference = crate::sign_string_to_sign(
                &key,
                SignatureMethod::HmacSha1,
                &format!("GETcdn.api.qcloud.com/v2/index.php?{text}"),
            );
            assert_eq!(
                signer.finish().unwrap().as_str(),
                reference.as_str(),
                "count {count}"
            );
        }
    }
}
