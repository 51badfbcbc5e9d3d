//! What both API modules share: how a number is written into a signed
//! request without allocating, and the order the signature sorts names in.

/// The decimal digits of `value`, written into `buffer`.
pub(crate) fn decimal(mut value: u64, buffer: &mut [u8; 20]) -> &str {
    let mut start = buffer.len();
    loop {
        start -= 1;
        buffer[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    std::str::from_utf8(&buffer[start..]).unwrap_or_default()
}

/// Compares names as the signature orders them: `_` read as `.`, then bytes.
pub(crate) fn folded_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let fold = |c: u8| if c == b'_' { b'.' } else { c };
    a.bytes().map(fold).cmp(b.bytes().map(fold))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_writes_digits() {
        let mut buffer = [0; 20];
        assert_eq!(decimal(0, &mut buffer), "0");
        assert_eq!(decimal(u64::MAX, &mut buffer), "18446744073709551615");
    }

    #[test]
    fn names_sort_with_underscore_read_as_dot() {
        use std::cmp::Ordering;
        assert_eq!(folded_cmp("urls_1", "urls.1"), Ordering::Equal);
        assert_eq!(folded_cmp("a.b", "a_c"), Ordering::Less);
        assert_eq!(folded_cmp("Z", "a"), Ordering::Less);
    }
}
