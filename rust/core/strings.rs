// SPDX-License-Identifier: GPL-2.0

//! Counted-string arithmetic of the NDIS 5 string calls:
//! `RtlEqualUnicodeString` (`NdisEqualString`),
//! `NdisAnsiStringToUnicodeString` and `NdisUnicodeStringToAnsiString`.
//!
//! The shim's ANSI code page is ISO 8859-1: byte `b` is U+00`b`, and a
//! UTF-16 unit above U+00FF has no byte (`?`, the default character
//! Windows substitutes).

/// The byte a UTF-16 unit has in the ANSI code page, or `?`.
pub fn ansi_byte(unit: u16) -> u8 {
    u8::try_from(unit).unwrap_or(b'?')
}

/// The upper-case form of a UTF-16 unit: Unicode's simple mapping when it
/// is one unit of the Basic Multilingual Plane, else the unit itself (as
/// `RtlUpcaseUnicodeChar`, which maps unit to unit; surrogates stay).
pub fn upcase(unit: u16) -> u16 {
    let Some(c) = char::from_u32(u32::from(unit)) else {
        return unit;
    };
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u16::try_from(u32::from(u)).unwrap_or(unit),
        _ => unit,
    }
}

/// `RtlEqualUnicodeString`: the same length and units, compared
/// upper-cased when `case_insensitive`.
pub fn equal_unicode(a: &[u16], b: &[u16], case_insensitive: bool) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(&x, &y)| x == y || (case_insensitive && upcase(x) == upcase(y)))
}

/// Why a conversion stopped short.
#[derive(Debug, PartialEq, Eq)]
pub struct Overflow;

/// ANSI to Unicode into `dst` (the destination's whole buffer, in units):
/// the units written before the terminator, which is written too; the
/// whole string and its terminator must fit, else `Overflow` and nothing
/// is written.
pub fn ansi_to_unicode(src: &[u8], dst: &mut [u16]) -> Result<usize, Overflow> {
    if src.len() >= dst.len() {
        return Err(Overflow);
    }
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = u16::from(s);
    }
    dst[src.len()] = 0;
    Ok(src.len())
}

/// Unicode to ANSI into `dst` (the destination's whole buffer): the bytes
/// written before the terminator, which is written too. A buffer too short
/// takes the first `dst.len() - 1` characters and its terminator (none
/// into an empty buffer): `Err` with that count.
pub fn unicode_to_ansi(src: &[u16], dst: &mut [u8]) -> Result<usize, (Overflow, usize)> {
    if dst.is_empty() {
        return Err((Overflow, 0));
    }
    let n = src.len().min(dst.len() - 1);
    for (d, &s) in dst.iter_mut().zip(&src[..n]) {
        *d = ansi_byte(s);
    }
    dst[n] = 0;
    if n < src.len() {
        Err((Overflow, n))
    } else {
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> std::vec::Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn equality() {
        assert!(equal_unicode(&w("Speed"), &w("Speed"), false));
        assert!(!equal_unicode(&w("Speed"), &w("SPEED"), false));
        assert!(equal_unicode(&w("Speed"), &w("SPEED"), true));
        assert!(equal_unicode(&w("größe"), &w("GRößE"), true));
        assert!(equal_unicode(&w("éa"), &w("ÉA"), true));
        assert!(!equal_unicode(&w("Speed"), &w("Speed2"), true));
        assert!(equal_unicode(&[], &[], false));
        // ß upper-cases to two letters: no one-unit mapping, kept.
        assert_eq!(upcase(0xdf), 0xdf);
        assert_eq!(upcase(0xd800), 0xd800);
    }

    #[test]
    fn ansi_to_unicode_fits_or_not() {
        let mut dst = [0xffffu16; 4];
        assert_eq!(ansi_to_unicode(b"ab\xe9", &mut dst), Ok(3));
        assert_eq!(dst, [0x61, 0x62, 0xe9, 0]);
        let mut dst = [0xffffu16; 3];
        assert_eq!(ansi_to_unicode(b"abc", &mut dst), Err(Overflow));
        assert_eq!(dst, [0xffff; 3]);
        assert_eq!(ansi_to_unicode(b"", &mut [1u16]), Ok(0));
        assert_eq!(ansi_to_unicode(b"", &mut []), Err(Overflow));
    }

    #[test]
    fn unicode_to_ansi_truncates() {
        let mut dst = [0xffu8; 5];
        assert_eq!(unicode_to_ansi(&w("aé€"), &mut dst), Ok(3));
        assert_eq!(&dst[..4], b"a\xe9?\0");
        let mut dst = [0xffu8; 3];
        assert_eq!(unicode_to_ansi(&w("abcd"), &mut dst), Err((Overflow, 2)));
        assert_eq!(&dst, b"ab\0");
        assert_eq!(unicode_to_ansi(&w("a"), &mut []), Err((Overflow, 0)));
    }
}
