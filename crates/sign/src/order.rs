//! The canonical order of parameters: names with `_` read as `.`, compared
//! byte by byte (api-facts §1.3 steps 2–3), with duplicates rejected.
//!
//! A general comparison sort costs more than hashing the request once the
//! request carries many `urls.N` parameters, so the common shape has a fast
//! path: names `P.N` (or `P_N`) with the same prefix `P` and the indices
//! `0..n` form a *group* whose order is the lexicographic order of the
//! decimal numbers `0..n`, generated in O(n) without comparing strings. Only
//! the few remaining names, plus one representative per group, are sorted.
//! The result is then checked to be strictly increasing at every seam between
//! those units; anything else (a name that falls inside a group's range, a
//! duplicate, gaps in the indices) takes the general path: a comparison sort
//! of everything. The fast path never decides the answer on its own: it
//! produces an order that is checked, so both paths give the same output.

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

const fn fold(b: u8) -> u8 {
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

/// Whether two names are equal once `_` is read as `.`.
#[inline]
fn name_eq(a: &str, b: &str) -> bool {
    // A byte loop: the names compared here are short group prefixes, for
    // which a `memcmp` call costs more than the comparison.
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| fold(x) == fold(y))
}

/// Working memory for [`canonical_order`], sized for one request.
pub(crate) struct Scratch<'a> {
    /// Three words per parameter: order, class, group positions.
    words: &'a mut [u32],
    /// Units to sort, with their sort keys.
    units: &'a mut [(u64, u32)],
}

/// Parameters up to which the scratch lives on the stack.
const INLINE_PARAMS: usize = 32;

/// Runs `f` with scratch for `count` parameters, on the stack for ordinary
/// requests.
pub(crate) fn with_scratch<R>(count: usize, f: impl FnOnce(Scratch<'_>) -> R) -> R {
    if count <= INLINE_PARAMS {
        let mut words = [0u32; INLINE_PARAMS * 3];
        let mut units = [(0u64, 0u32); INLINE_PARAMS];
        f(Scratch {
            words: &mut words[..count * 3],
            units: &mut units[..count],
        })
    } else {
        let mut words = vec![0u32; count * 3];
        let mut units = vec![(0u64, 0u32); count];
        f(Scratch {
            words: &mut words,
            units: &mut units,
        })
    }
}

/// The first eight bytes of the folded name, big-endian, zero-padded.
///
/// Comparing keys orders names like [`name_cmp`] whenever the keys differ
/// (a shorter name pads with 0, which sorts first, as a prefix does); equal
/// keys need [`name_cmp`].
#[inline]
fn sort_key(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let raw = match bytes.first_chunk::<8>() {
        Some(head) => u64::from_be_bytes(*head),
        None => {
            let mut key = [0u8; 8];
            for (k, &b) in key.iter_mut().zip(bytes) {
                *k = b;
            }
            u64::from_be_bytes(key)
        }
    };
    // Turn every `_` byte into `.` at once: mark the bytes equal to 0x5F
    // (an exact zero-byte test, no false positives), subtract 0x31 there.
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let x = raw ^ (0x5F * LOW);
    let zero = !(((x & !HIGH) + !HIGH) | x) & HIGH;
    raw - (zero >> 7) * u64::from(b'_' - b'.')
}

/// [`name_cmp`] with the keys of both names at hand.
#[cfg(test)]
fn keyed_cmp(a: (u64, &str), b: (u64, &str)) -> Ordering {
    a.0.cmp(&b.0).then_with(|| name_cmp(a.1, b.1))
}

/// `class` entries that are not group members.
const SCALAR: u32 = u32::MAX;
const EXCLUDED: u32 = u32::MAX - 1;
/// Group members are `group << GROUP_SHIFT | index`.
const GROUP_SHIFT: u32 = 24;
const INDEX_MASK: u32 = (1 << GROUP_SHIFT) - 1;
/// A unit that stands for a whole group is `GROUP_UNIT | group`.
const GROUP_UNIT: u32 = 1 << 31;
/// Groups tracked by the fast path; names of further prefixes are sorted normally.
const MAX_GROUPS: usize = 4;

#[derive(Clone, Copy)]
struct Group<'a> {
    prefix: &'a str,
    /// [`sort_key`] of the prefix, which decides equality for prefixes of
    /// up to eight bytes.
    prefix_key: u64,
    count: u32,
    offset: u32,
    complete: bool,
}

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

/// Indices of up to 7 digits fit in [`INDEX_MASK`].
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
    let (order, rest) = scratch.words.split_at_mut(n);
    let (class, positions) = rest.split_at_mut(n);
    let units = &mut *scratch.units;

    // Pass 1: classify every name, find `Signature` and `SignatureMethod`.
    let mut signature = None;
    let mut method_value = None;
    let mut groups = [Group {
        prefix: "",
        prefix_key: 0,
        count: 0,
        offset: 0,
        complete: true,
    }; MAX_GROUPS];
    let mut group_count = 0;
    for (i, param) in params.iter().enumerate() {
        let name = param.name();
        if name == SIGNATURE {
            match mode {
                Mode::Sign => return Err(SignError::reserved().into()),
                Mode::Verify if signature.is_some() => return Err(OrderError::DuplicateSignature),
                Mode::Verify => {
                    signature = Some(i);
                    class[i] = EXCLUDED;
                    continue;
                }
            }
        }
        if name == SIGNATURE_METHOD && method_value.is_none() {
            method_value = Some(param.value());
        }
        class[i] = SCALAR;
        if let Some((prefix, index)) = group_member(name, n) {
            let key = sort_key(prefix);
            let found = groups[..group_count].iter().position(|g| {
                g.prefix_key == key
                    && g.prefix.len() == prefix.len()
                    && (prefix.len() <= 8 || name_eq(g.prefix, prefix))
            });
            let slot = match found {
                Some(g) => Some(g),
                None if group_count < MAX_GROUPS => {
                    groups[group_count].prefix = prefix;
                    groups[group_count].prefix_key = key;
                    group_count += 1;
                    Some(group_count - 1)
                }
                None => None,
            };
            if let Some(g) = slot {
                groups[g].count += 1;
                class[i] = (g as u32) << GROUP_SHIFT | index;
            }
        }
    }
    let method = SignatureMethod::from_param(method_value);
    let prepared = |len, fast| Prepared {
        len,
        method,
        signature,
        fast,
    };

    if group_count > 0
        && let Some(len) = fast_order(
            params,
            order,
            class,
            positions,
            units,
            &mut groups[..group_count],
        )
    {
        return Ok(prepared(len, true));
    }
    let len = general_order(params, order, class)?;
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
    class: &[u32],
    positions: &mut [u32],
    units: &mut [(u64, u32)],
    groups: &mut [Group<'_>],
) -> Option<usize> {
    // Pass 2: place each member at its index; a group is usable when its
    // indices are exactly 0..count.
    let mut offset = 0;
    for g in groups.iter_mut() {
        g.offset = offset;
        offset += g.count;
    }
    positions[..offset as usize].fill(SCALAR);
    for (i, &c) in class.iter().enumerate() {
        if c >= EXCLUDED {
            continue;
        }
        let g = &mut groups[(c >> GROUP_SHIFT) as usize];
        let index = c & INDEX_MASK;
        if index >= g.count {
            g.complete = false;
            continue;
        }
        let slot = &mut positions[(g.offset + index) as usize];
        if *slot != SCALAR {
            // The same name twice; the general path reports it.
            return None;
        }
        *slot = i as u32;
    }

    let name_of = |i: u32| params[i as usize].name();
    let mut unit_count = 0;
    for (i, &c) in class.iter().enumerate() {
        let is_unit = match c {
            EXCLUDED => false,
            SCALAR => true,
            _ => !groups[(c >> GROUP_SHIFT) as usize].complete,
        };
        if is_unit {
            units[unit_count] = (sort_key(name_of(i as u32)), i as u32);
            unit_count += 1;
        }
    }
    for (g, group) in groups.iter().enumerate() {
        if group.complete && group.count > 0 {
            let first = positions[group.offset as usize];
            units[unit_count] = (sort_key(name_of(first)), GROUP_UNIT | g as u32);
            unit_count += 1;
        }
    }
    let units = &mut units[..unit_count];
    let first_of = |unit: u32| -> u32 {
        if unit & GROUP_UNIT != 0 {
            positions[groups[(unit & !GROUP_UNIT) as usize].offset as usize]
        } else {
            unit
        }
    };
    // Keys decide almost every comparison; names are read only on a tie.
    units.sort_unstable_by(|&(ka, a), &(kb, b)| {
        ka.cmp(&kb)
            .then_with(|| name_cmp(name_of(first_of(a)), name_of(first_of(b))))
    });

    let mut len = 0;
    let mut previous_last: Option<(u64, u32)> = None;
    for &(key, unit) in units.iter() {
        let first = first_of(unit);
        if let Some((previous_key, previous)) = previous_last
            && previous_key
                .cmp(&key)
                .then_with(|| name_cmp(name_of(previous), name_of(first)))
                != Ordering::Less
        {
            return None;
        }
        if unit & GROUP_UNIT != 0 {
            let group = groups[(unit & !GROUP_UNIT) as usize];
            let members = &positions[group.offset as usize..(group.offset + group.count) as usize];
            lexicographic_indices(group.count, |k| {
                order[len] = members[k as usize];
                len += 1;
            });
            let last = order[len - 1];
            previous_last = Some((sort_key(name_of(last)), last));
        } else {
            order[len] = unit;
            len += 1;
            previous_last = Some((key, unit));
        }
    }
    Some(len)
}

/// The general path: a comparison sort, then a scan for equal neighbours.
fn general_order<P: Param>(
    params: &[P],
    order: &mut [u32],
    class: &[u32],
) -> Result<usize, SignError> {
    let mut len = 0;
    for (i, &c) in class.iter().enumerate() {
        if c != EXCLUDED {
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
    fn names_inside_a_group_take_the_general_path() {
        // (Gaps such as `urls.0, urls.2` stay on the fast path: the members
        // are then sorted one by one, like other names.)
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
