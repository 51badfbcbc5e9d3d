//! The canonical order of parameters: names with `_` read as `.`, compared
//! byte by byte (docs/protocol.md §1.3 steps 2–3), with duplicates rejected.
//!
//! A general comparison sort costs more than hashing the request once the
//! request carries many `urls.N` parameters, so the common shape has a fast
//! path. The names `P.N` (or `P_N`) that share the prefix `P` of the first
//! such name, with indices `0..n`, form a *group* whose order is the
//! lexicographic order of the decimal numbers `0..n`, generated in O(n)
//! without comparing strings. Only the other names are sorted (they are few
//! in real requests), and the group goes between them as one block. The
//! result is checked to be strictly increasing at the group's two seams and
//! between the sorted names; anything else (a name that falls inside the
//! group's range, a duplicate, a gap in the indices below the request's
//! parameter count) takes the general path: a comparison sort of
//! everything. (A name whose index is at or above the parameter count is
//! no group member: it is sorted with the other names, on the fast path.) The fast path never decides the answer
//! on its own: it produces an order that is checked, so both paths give the
//! same output.

use core::cmp::Ordering;

use crate::{MAX_PARAMS, Param, SignError, SignatureMethod};

/// The name the signer adds and never signs.
pub(crate) const SIGNATURE: &str = "Signature";
/// The name that chooses the hash.
pub(crate) const SIGNATURE_METHOD: &str = "SignatureMethod";

/// Whether a `Signature` parameter is an input error (signing) or the value
/// to check (verifying).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Sign,
    Verify,
}

/// What [`canonical_order`] found besides the order.
pub(crate) struct Prepared {
    /// How many entries of the scratch's order slice are used.
    pub(crate) len: usize,
    /// The hash, by the server's rule over the `SignatureMethod` parameter.
    pub(crate) method: SignatureMethod,
    /// In [`Mode::Verify`], the index of the `Signature` parameter.
    pub(crate) signature: Option<usize>,
    /// Whether the O(N) path produced the order (for tests of that path).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fast: bool,
}

/// A failure of [`canonical_order`].
pub(crate) enum OrderError {
    Sign(SignError),
    /// More than one `Signature` parameter ([`Mode::Verify`] only).
    DuplicateSignature,
}

impl From<SignError> for OrderError {
    fn from(e: SignError) -> Self {
        Self::Sign(e)
    }
}

pub(crate) const fn fold(b: u8) -> u8 {
    if b == b'_' { b'.' } else { b }
}

/// Compares two names as the signature does: `_` read as `.`, then bytes.
pub(crate) fn name_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let common = a.len().min(b.len());
    let mut i = 0;
    // Jump from one raw difference to the next; only there can folding matter.
    while let Some(offset) = a[i..common]
        .iter()
        .zip(&b[i..common])
        .position(|(x, y)| x != y)
    {
        i += offset;
        let (x, y) = (fold(a[i]), fold(b[i]));
        if x != y {
            return x.cmp(&y);
        }
        i += 1;
    }
    a.len().cmp(&b.len())
}

/// Working memory for [`canonical_order`], sized for one request.
pub(crate) struct Scratch<'a> {
    /// Two words per parameter: the order, then group positions.
    words: &'a mut [u32],
    /// Names outside the group, with their sort keys.
    units: &'a mut [(u64, u32)],
}

/// Parameters up to which the scratch lives on the stack (1.5 KiB).
const INLINE_PARAMS: usize = 64;

/// Runs `f` with scratch for `count` parameters, on the stack for ordinary
/// requests.
pub(crate) fn with_scratch<R>(count: usize, f: impl FnOnce(Scratch<'_>) -> R) -> R {
    if count <= INLINE_PARAMS {
        let mut words = [0u32; INLINE_PARAMS * 2];
        let mut units = [(0u64, 0u32); INLINE_PARAMS];
        f(Scratch {
            words: &mut words[..count * 2],
            units: &mut units[..count],
        })
    } else {
        let mut words = vec![0u32; count * 2];
        let mut units = vec![(0u64, 0u32); count];
        f(Scratch {
            words: &mut words,
            units: &mut units,
        })
    }
}

/// The first eight bytes of `bytes`, big-endian, zero-padded, read with at
/// most two loads for names of four bytes or more.
#[inline]
fn head(bytes: &[u8]) -> u64 {
    if let Some(first) = bytes.first_chunk::<8>() {
        return u64::from_be_bytes(*first);
    }
    if let (Some(first), Some(last)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        // Two overlapping reads; the bytes they share are equal, so OR-ing
        // them is harmless.
        let shift = 8 * (8 - bytes.len() as u32);
        return u64::from(u32::from_be_bytes(*first)) << 32
            | u64::from(u32::from_be_bytes(*last)) << shift;
    }
    let mut key = [0u8; 8];
    for (k, &b) in key.iter_mut().zip(bytes) {
        *k = b;
    }
    u64::from_be_bytes(key)
}

/// [`head`] with every `_` byte read as `.`.
#[inline]
fn fold_head(raw: u64) -> u64 {
    // Mark the bytes equal to 0x5F (an exact zero-byte test, no false
    // positives), subtract 0x31 there.
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let x = raw ^ (0x5F * LOW);
    let zero = !(((x & !HIGH) + !HIGH) | x) & HIGH;
    raw - (zero >> 7) * u64::from(b'_' - b'.')
}

/// The first eight bytes of the folded name, big-endian, zero-padded.
///
/// Comparing keys orders names like [`name_cmp`] whenever the keys differ
/// (a shorter name pads with 0, which sorts first, as a prefix does); equal
/// keys need [`name_cmp`].
#[inline]
pub(crate) fn sort_key(name: &str) -> u64 {
    fold_head(head(name.as_bytes()))
}

/// [`name_cmp`] with the keys of both names at hand.
#[inline]
pub(crate) fn keyed_cmp(a: (u64, &str), b: (u64, &str)) -> Ordering {
    a.0.cmp(&b.0).then_with(|| name_cmp(a.1, b.1))
}

/// A position not taken by any group member.
const VACANT: u32 = u32::MAX;

/// Splits `name` into a group prefix and its index when it ends in
/// `.N`/`_N` with `N` canonical decimal (no leading zero) below `limit`.
#[inline]
fn group_member(name: &str, limit: usize) -> Option<(&str, u32)> {
    let bytes = name.as_bytes();
    // Read the digits from the end, stopping at the separator.
    let mut end = bytes.len();
    let mut index: u32 = 0;
    let mut scale: u32 = 1;
    while end > 0 && bytes[end - 1].is_ascii_digit() {
        if bytes.len() - end == MAX_INDEX_DIGITS {
            return None;
        }
        index += u32::from(bytes[end - 1] - b'0') * scale;
        scale *= 10;
        end -= 1;
    }
    let digits = bytes.len() - end;
    let canonical = digits == 1 || (digits > 1 && bytes[end] != b'0');
    let separated = end >= 2 && matches!(bytes[end - 1], b'.' | b'_');
    (canonical && separated && (index as usize) < limit).then(|| (&name[..end - 1], index))
}

/// Indices of up to 7 digits: far more than [`MAX_PARAMS`].
const MAX_INDEX_DIGITS: usize = 7;

/// Calls `emit` with `0..count` in the lexicographic order of their decimal
/// text (`0, 1, 10, 11, 2, …`), in O(count).
pub(crate) fn lexicographic_indices(count: u32, mut emit: impl FnMut(u32)) {
    if count == 0 {
        return;
    }
    emit(0);
    let max = count - 1;
    let mut current = 1u32;
    for _ in 0..max {
        emit(current);
        if current <= max / 10 {
            current *= 10;
        } else {
            while current % 10 == 9 || current >= max {
                current /= 10;
            }
            current += 1;
        }
    }
}

/// The group of the fast path: the prefix of the first `P.N` name.
struct Group<'a> {
    prefix: &'a str,
    /// The prefix's bytes in the top of a [`head`], for prefixes of up to
    /// eight bytes (`mask` selects them).
    prefix_head: u64,
    mask: u64,
    members: u32,
    max_index: u32,
}

impl Group<'_> {
    /// Whether a name whose [`group_member`] prefix is `prefix` and whose
    /// [`head`] is `name_head` belongs to the group. Raw bytes decide: a
    /// name with the same prefix spelled with `_` instead of `.` stays out,
    /// and the seam checks send it to the general path if it matters.
    #[inline]
    fn holds(&self, prefix: &str, name_head: u64) -> bool {
        prefix.len() == self.prefix.len()
            && if prefix.len() <= 8 {
                (name_head ^ self.prefix_head) & self.mask == 0
            } else {
                prefix == self.prefix
            }
    }
}

/// Orders the parameters to sign into the start of the scratch's words
/// (read them back with [`order_of`]).
///
/// `scratch` comes from [`with_scratch`] for `params.len()`.
pub(crate) fn canonical_order<P: Param>(
    params: &[P],
    mode: Mode,
    scratch: &mut Scratch<'_>,
) -> Result<Prepared, OrderError> {
    let n = params.len();
    if n > MAX_PARAMS {
        return Err(SignError::too_many(n).into());
    }
    let (order, positions) = scratch.words.split_at_mut(n);
    let units = &mut *scratch.units;

    // One pass: find `Signature` and `SignatureMethod`, place group members
    // at their index, collect every other name with its key.
    let mut signature = None;
    let mut method_value = None;
    let mut group: Option<Group<'_>> = None;
    // Set when the fast path cannot finish; the pass still runs to the end
    // to find `Signature` and `SignatureMethod`.
    let mut general = false;
    let mut unit_count = 0;
    for (i, param) in params.iter().enumerate() {
        let name = param.name();
        if name.len() == SIGNATURE.len() && name == SIGNATURE {
            match mode {
                Mode::Sign => return Err(SignError::reserved().into()),
                Mode::Verify if signature.is_some() => return Err(OrderError::DuplicateSignature),
                Mode::Verify => {
                    signature = Some(i);
                    continue;
                }
            }
        }
        if name.len() == SIGNATURE_METHOD.len()
            && name == SIGNATURE_METHOD
            && method_value.is_none()
        {
            method_value = Some(param.value());
        }
        let name_head = head(name.as_bytes());
        if let Some((prefix, index)) = group_member(name, n) {
            let group = group.get_or_insert_with(|| {
                positions.fill(VACANT);
                let mask = if prefix.len() >= 8 {
                    u64::MAX
                } else {
                    !(u64::MAX >> (8 * prefix.len()))
                };
                Group {
                    prefix,
                    prefix_head: name_head & mask,
                    mask,
                    members: 0,
                    max_index: 0,
                }
            });
            if group.holds(prefix, name_head) {
                let slot = &mut positions[index as usize];
                // The same index twice: a duplicate the general path reports.
                general |= *slot != VACANT;
                *slot = i as u32;
                group.members += 1;
                group.max_index = group.max_index.max(index);
                continue;
            }
        }
        units[unit_count] = (fold_head(name_head), i as u32);
        unit_count += 1;
    }
    let method = SignatureMethod::from_param(method_value);
    let prepared = |len, fast| Prepared {
        len,
        method,
        signature,
        fast,
    };
    let group = group.filter(|g| g.members > 0);
    // Members with distinct indices below `members + 1` are exactly `0..members`.
    general |= group.as_ref().is_some_and(|g| g.max_index + 1 != g.members);
    if !general
        && let Some(len) = fast_order(params, order, positions, &mut units[..unit_count], group)
    {
        return Ok(prepared(len, true));
    }
    let len = general_order(params, order, signature)?;
    Ok(prepared(len, false))
}

/// The order [`canonical_order`] left in the scratch's words.
pub(crate) fn order_of<'s>(scratch: &'s Scratch<'_>, prepared: &Prepared) -> &'s [u32] {
    &scratch.words[..prepared.len]
}

/// The fast path; `None` when its result would not be strictly increasing.
fn fast_order<P: Param>(
    params: &[P],
    order: &mut [u32],
    positions: &[u32],
    units: &mut [(u64, u32)],
    group: Option<Group<'_>>,
) -> Option<usize> {
    let name_of = |i: u32| params[i as usize].name();
    // Keys decide almost every comparison; names are read only on a tie.
    units.sort_unstable_by(|&(ka, a), &(kb, b)| keyed_cmp((ka, name_of(a)), (kb, name_of(b))));
    for pair in units.windows(2) {
        let ((ka, a), (kb, b)) = (pair[0], pair[1]);
        if keyed_cmp((ka, name_of(a)), (kb, name_of(b))) != Ordering::Less {
            return None;
        }
    }
    let Some(group) = group else {
        for (slot, &(_, i)) in order.iter_mut().zip(units.iter()) {
            *slot = i;
        }
        return Some(units.len());
    };

    // The group goes before the first name above its first member.
    let first = positions[0];
    let first_key = (sort_key(name_of(first)), name_of(first));
    let split = units.partition_point(|&(k, i)| keyed_cmp((k, name_of(i)), first_key).is_lt());
    let (before, after) = units.split_at(split);
    let mut len = 0;
    for &(_, i) in before {
        order[len] = i;
        len += 1;
    }
    let members = &positions[..group.members as usize];
    lexicographic_indices(group.members, |k| {
        order[len] = members[k as usize];
        len += 1;
    });
    if let Some(&(next_key, next)) = after.first() {
        let last = order[len - 1];
        if keyed_cmp(
            (sort_key(name_of(last)), name_of(last)),
            (next_key, name_of(next)),
        ) != Ordering::Less
        {
            return None;
        }
        // `first` is below `next` too, since `next` is not below it and
        // names are distinct.
        if keyed_cmp(first_key, (next_key, name_of(next))) != Ordering::Less {
            return None;
        }
    }
    for &(_, i) in after {
        order[len] = i;
        len += 1;
    }
    Some(len)
}

/// The general path: a comparison sort, then a scan for equal neighbours.
fn general_order<P: Param>(
    params: &[P],
    order: &mut [u32],
    skip: Option<usize>,
) -> Result<usize, SignError> {
    let mut len = 0;
    for i in 0..params.len() {
        if Some(i) != skip {
            order[len] = i as u32;
            len += 1;
        }
    }
    let order = &mut order[..len];
    let name_of = |i: u32| params[i as usize].name();
    order.sort_unstable_by(|&a, &b| name_cmp(name_of(a), name_of(b)));
    for pair in order.windows(2) {
        let (a, b) = (name_of(pair[0]), name_of(pair[1]));
        if name_cmp(a, b) == Ordering::Equal {
            // Report them in input order.
            let (first, second) = if pair[0] < pair[1] { (a, b) } else { (b, a) };
            return Err(SignError::duplicate(first, second));
        }
    }
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicographic_indices_match_sorted_text() {
        for count in 0..1200u32 {
            let mut generated = Vec::new();
            lexicographic_indices(count, |k| generated.push(k));
            let mut expected: Vec<u32> = (0..count).collect();
            expected.sort_by_key(|k| k.to_string());
            assert_eq!(generated, expected, "count {count}");
        }
    }

    fn path_taken(params: &[(String, String)]) -> Option<bool> {
        with_scratch(params.len(), |mut scratch| {
            canonical_order(params, Mode::Sign, &mut scratch)
                .ok()
                .map(|p| p.fast)
        })
    }

    fn request(names: &[&str]) -> Vec<(String, String)> {
        names
            .iter()
            .map(|n| ((*n).to_owned(), String::new()))
            .collect()
    }

    #[test]
    fn typical_requests_take_the_fast_path() {
        for count in [1, 20, 100, 1000] {
            let mut params = request(&["command", "type", "mainland"]);
            params.extend((0..count).map(|i| (format!("urls.{i}"), String::new())));
            params.extend(request(&[
                "Nonce",
                "Timestamp",
                "Action",
                "SecretId",
                "SignatureMethod",
            ]));
            assert_eq!(path_taken(&params), Some(true), "{count} URLs");
        }
        assert_eq!(
            path_taken(&request(&["a.0", "b_0", "b.1", "c"])),
            Some(true)
        );
    }

    #[test]
    fn gaps_in_the_indices_take_the_general_path() {
        // `urls.2` is a member (2 < 4 parameters), and 0..2 has a gap.
        assert_eq!(
            path_taken(&request(&["urls.0", "urls.2", "a", "b"])),
            Some(false)
        );
        // `urls.2` is no member (2 >= 2 parameters): it is sorted with the
        // other names, on the fast path.
        assert_eq!(path_taken(&request(&["urls.0", "urls.2"])), Some(true));
        for names in [&["urls.0", "urls.2", "a", "b"][..], &["urls.0", "urls.2"]] {
            let params = request(names);
            let order = with_scratch(params.len(), |mut scratch| {
                let Ok(prepared) = canonical_order(&params, Mode::Sign, &mut scratch) else {
                    panic!("{names:?} refused")
                };
                order_of(&scratch, &prepared).to_vec()
            });
            let mut expected: Vec<u32> = (0..params.len() as u32).collect();
            expected.sort_by(|&a, &b| name_cmp(names[a as usize], names[b as usize]));
            assert_eq!(order, expected, "{names:?}");
        }
    }

    #[test]
    fn names_inside_a_group_take_the_general_path() {
        let shapes: [&[&str]; 3] = [
            &[
                "urls.0", "urls.1", "urls.10", "urls.2", "urls.3", "urls.4", "urls.5", "urls.6",
                "urls.7", "urls.8", "urls.9", "urls.1a",
            ],
            &["a.0", "a.1", "a.2", "a.1.0"],
            &["x.0", "x.1", "x_1"],
        ];
        for names in shapes {
            assert_ne!(path_taken(&request(names)), Some(true), "{names:?}");
        }
    }

    #[test]
    fn group_members_need_canonical_indices() {
        assert_eq!(group_member("urls.10", 11), Some(("urls", 10)));
        assert_eq!(group_member("urls_0", 1), Some(("urls", 0)));
        assert_eq!(group_member("urls.10", 10), None);
        assert_eq!(group_member("urls.01", 11), None);
        assert_eq!(group_member("urls.", 11), None);
        assert_eq!(group_member(".1", 11), None);
        assert_eq!(group_member("urls.1a", 11), None);
        assert_eq!(group_member("urls", 11), None);
    }

    #[test]
    fn keys_order_names_like_name_cmp() {
        let names = [
            "",
            "a",
            "a\0",
            "a\0\0b",
            "a_",
            "a.",
            "a.b",
            "a_b",
            "abcdefgh",
            "abcdefgh\0",
            "abcdefgh_",
            "abcdefghi",
            "abcdefg",
            "urls.10",
            "urls.2",
            "urls_1",
            "Z",
            "\u{7f}",
            "猫",
        ];
        for a in names {
            for b in names {
                assert_eq!(
                    keyed_cmp((sort_key(a), a), (sort_key(b), b)),
                    name_cmp(a, b),
                    "{a:?} vs {b:?}"
                );
                if sort_key(a) != sort_key(b) {
                    assert_eq!(
                        sort_key(a).cmp(&sort_key(b)),
                        name_cmp(a, b),
                        "{a:?} vs {b:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn names_compare_with_underscore_read_as_dot() {
        assert_eq!(name_cmp("a_b", "a.b"), Ordering::Equal);
        assert_eq!(name_cmp("urls.10", "urls.2"), Ordering::Less);
        assert_eq!(name_cmp("Z", "a"), Ordering::Less);
        assert_eq!(name_cmp("a", "a.0"), Ordering::Less);
        // `_` (0x5F) sorts as `.` (0x2E), so before digits and letters.
        assert_eq!(name_cmp("a_z", "a0"), Ordering::Less);
    }
}
