//! Byte tests eight bytes at a time in a `u64` ("SIMD within a register"),
//! for the scans every URL goes through several times: URL validation and
//! JSON escaping.
//!
//! The compiler does vectorise a plain per-byte loop, but only across many
//! 16-byte chunks at once: a 50-byte URL fell to its scalar remainder loop,
//! at about four instructions a byte. These take about one and a half, for
//! any length, with no `unsafe` and no dependence on the processor.
//!
//! Two kinds of test: [`any_*`](any_below) words, which are exact only as a
//! whole ("is any byte …?": a borrow may flag a byte next to one that truly
//! matches, never a word with no match), and `*_at` masks, exact byte by
//! byte, for finding where the matches are.

/// `0x01` in every byte.
const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
/// `0x80` in every byte.
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
/// `0x7F` in every byte.
const LOWS: u64 = u64::from_ne_bytes([0x7F; 8]);

/// `byte` in every byte of a word.
pub(crate) const fn splat(byte: u8) -> u64 {
    ONES * byte as u64
}

/// Eight bytes of `bytes` from `at` as a little-endian word (byte `at` in
/// the low bits).
#[inline(always)]
pub(crate) fn word(bytes: &[u8], at: usize) -> u64 {
    let mut eight = [0u8; 8];
    eight.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(eight)
}

/// Fewer than eight `bytes` as a word, the rest of it `pad`.
#[inline(always)]
pub(crate) fn padded(bytes: &[u8], pad: u8) -> u64 {
    let mut eight = [pad; 8];
    eight[..bytes.len()].copy_from_slice(bytes);
    u64::from_le_bytes(eight)
}

/// Non-zero when some byte of `word` is below `n` (`n` ≤ 128).
#[inline(always)]
pub(crate) const fn any_below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(splat(n)) & !word & HIGHS
}

/// Non-zero when some byte of `word` is above `n` (`n` ≤ 127); bytes from
/// `0x80` up always are.
#[inline(always)]
pub(crate) const fn any_above(word: u64, n: u8) -> u64 {
    ((word & LOWS).wrapping_add(splat(127 - n)) | word) & HIGHS
}

/// Non-zero when some byte of `word` is `byte`.
#[inline(always)]
pub(crate) const fn any_equal(word: u64, byte: u8) -> u64 {
    any_below(word ^ splat(byte), 1)
}

/// `0x80` in exactly the bytes of `word` that are zero.
#[inline(always)]
const fn zero_at(word: u64) -> u64 {
    !(((word & LOWS).wrapping_add(LOWS)) | word | LOWS)
}

/// `0x80` in exactly the bytes of `word` that are `byte`.
#[inline(always)]
pub(crate) const fn equal_at(word: u64, byte: u8) -> u64 {
    zero_at(word ^ splat(byte))
}

/// `0x80` in exactly the bytes of `word` below `0x20` (ASCII controls).
#[inline(always)]
pub(crate) const fn control_at(word: u64) -> u64 {
    zero_at(word & splat(0xE0))
}

/// `0x80` in exactly the bytes of `word` that are ASCII capitals (`A` to
/// `Z`) or not ASCII (`0x80` and up).
#[inline(always)]
pub(crate) const fn capital_or_wide_at(word: u64) -> u64 {
    // Seven bits plus 0x3F reach the high bit from `A` up, plus 0x25 from
    // `[` up; neither sum carries into the next byte.
    let low = word & LOWS;
    ((low.wrapping_add(splat(0x80 - b'A')) & !low.wrapping_add(splat(0x80 - b'Z' - 1))) | word)
        & HIGHS
}

/// The low `n` bytes of a word set (`n` ≤ 8), to keep what a mask found
/// before a position.
#[inline(always)]
pub(crate) const fn low_bytes(n: usize) -> u64 {
    if n >= 8 { u64::MAX } else { (1 << (8 * n)) - 1 }
}

/// Calls `test` on the words of `bytes` and ORs the results: the whole
/// words, then the last eight bytes again (overlapping) or, for fewer than
/// eight, the bytes padded with `pad` (a byte the test never flags).
#[inline(always)]
pub(crate) fn fold_words(bytes: &[u8], pad: u8, test: impl Fn(u64) -> u64) -> u64 {
    let len = bytes.len();
    if len < 8 {
        return test(padded(bytes, pad));
    }
    let mut any = 0;
    let mut at = 0;
    while at + 8 <= len {
        any |= test(word(bytes, at));
        at += 8;
    }
    any | test(word(bytes, len - 8))
}

#[cfg(test)]
mod tests {

    #[test]
    fn capital_or_wide_at_marks_exactly_capitals_and_non_ascii() {
        for byte in 0..=u8::MAX {
            for at in 0..8 {
                let mut eight = [b'a'; 8];
                eight[at] = byte;
                let marked = capital_or_wide_at(u64::from_le_bytes(eight));
                let expected = if byte.is_ascii_uppercase() || !byte.is_ascii() {
                    0x80 << (8 * at)
                } else {
                    0
                };
                assert_eq!(marked, expected, "byte {byte:#x} at {at}");
            }
        }
        assert_eq!(low_bytes(0), 0);
        assert_eq!(low_bytes(3), 0xFF_FFFF);
        assert_eq!(low_bytes(8), u64::MAX);
    }

    use super::*;

    /// Each test against its per-byte meaning, for every byte value at
    /// every position, next to neighbours that do and do not match.
    #[test]
    fn every_test_agrees_with_its_byte_rule() {
        for neighbour in [0u8, 0x1f, 0x20, b'"', b'a', 0x7f, 0x80, 0xff] {
            for byte in 0..=255u8 {
                for at in 0..8 {
                    let mut eight = [neighbour; 8];
                    eight[at] = byte;
                    let w = u64::from_le_bytes(eight);
                    let bytes = eight;
                    let expect_any = |rule: &dyn Fn(u8) -> bool| bytes.iter().any(|&b| rule(b));
                    let expect_at = |rule: &dyn Fn(u8) -> bool| {
                        u64::from_le_bytes(bytes.map(|b| if rule(b) { 0x80 } else { 0 }))
                    };
                    for n in [0x20u8, 0x21, 1, 128] {
                        assert_eq!(
                            any_below(w, n) != 0,
                            expect_any(&|b| b < n),
                            "{bytes:?} < {n}"
                        );
                    }
                    for n in [0x7eu8, 0, 127] {
                        assert_eq!(
                            any_above(w, n) != 0,
                            expect_any(&|b| b > n),
                            "{bytes:?} > {n}"
                        );
                    }
                    for c in [b'"', b'\\', b'#', 0] {
                        assert_eq!(any_equal(w, c) != 0, expect_any(&|b| b == c));
                        assert_eq!(equal_at(w, c), expect_at(&|b| b == c), "{bytes:?} == {c}");
                    }
                    assert_eq!(control_at(w), expect_at(&|b| b < 0x20), "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn folding_covers_every_byte_of_any_length() {
        for len in 0..40 {
            for at in 0..len {
                let mut bytes = vec![b'a'; len];
                bytes[at] = b'"';
                assert_ne!(fold_words(&bytes, b'a', |w| any_equal(w, b'"')), 0);
            }
            assert_eq!(
                fold_words(&vec![b'a'; len], b'a', |w| any_equal(w, b'"')),
                0
            );
        }
    }
}
