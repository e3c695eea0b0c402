//! Byte classes and small slice helpers shared by the parsers (RFC 9110 section 5.6).

/// `OWS = *( SP / HTAB )` (RFC 9110 section 5.6.3).
pub(crate) const fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `etagc = %x21 / %x23-7E / obs-text`, `obs-text = %x80-FF` (RFC 9110 section 8.8.3).
pub(crate) const fn is_etagc(b: u8) -> bool {
    b > 0x20 && b != b'"' && b != 0x7F
}

/// The slice without leading and trailing `OWS`: a field value never includes them (section 5.5).
pub(crate) fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !is_ows(*first) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., last] = s {
        if !is_ows(*last) {
            break;
        }
        s = rest;
    }
    s
}

/// Writes `parts` one after another at the start of `out` and returns the length written.
///
/// Checks the total length first, so `out` is left untouched when it is too small.
pub(crate) fn write_parts(out: &mut [u8], parts: &[&[u8]]) -> Option<usize> {
    let total = parts
        .iter()
        .try_fold(0usize, |n, p| n.checked_add(p.len()))?;
    let mut dst = out.get_mut(..total)?;
    for part in parts {
        let (head, tail) = dst.split_at_mut_checked(part.len())?;
        head.copy_from_slice(part);
        dst = tail;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etagc_is_exactly_the_rfc_ranges() {
        for b in 0..=255u8 {
            let expected = b == 0x21 || (0x23..=0x7E).contains(&b) || b >= 0x80;
            assert_eq!(is_etagc(b), expected, "byte {b:#04x}");
        }
    }

    #[test]
    fn trim_ows_strips_only_space_and_tab() {
        assert_eq!(trim_ows(b" \t a b\t "), b"a b");
        assert_eq!(trim_ows(b"\r\na\n"), b"\r\na\n");
        assert_eq!(trim_ows(b"  "), b"");
        assert_eq!(trim_ows(b""), b"");
    }

    #[test]
    fn write_parts_leaves_a_short_buffer_untouched() {
        let mut out = [0xAAu8; 4];
        assert_eq!(write_parts(&mut out, &[b"ab", b"cde"]), None);
        assert_eq!(out, [0xAA; 4]);
        assert_eq!(write_parts(&mut out, &[b"ab", b"c"]), Some(3));
        assert_eq!(out, *b"abc\xAA");
    }
}
