//! Per-adapter configuration as the shim's `config` module parameter holds
//! it, read the way the Windows registry is (`NdisReadConfiguration`,
//! `NdisReadNetworkAddress`).
//!
//! The text is whitespace-separated entries `DEVICE/Keyword=Value`:
//! `DEVICE` is a PCI device name (`0000:00:0c.0`, hex digits in either
//! case) or `*` for every adapter; `Keyword` is a registry value name
//! (anything but whitespace, `/`, `=` and `"`); `Value` is the string the
//! registry would hold, double-quoted if it contains whitespace (no escapes;
//! a quoted value cannot contain `"`). An entry for the device itself wins
//! over a `*` entry for the same keyword; among entries of one kind, the
//! last wins. Keywords match case-insensitively, as registry value names
//! do. Plain `core`: no allocation, the text is read in place.

/// One `DEVICE/Keyword=Value` entry, borrowed from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// A PCI device name, or `*`.
    pub device: &'a str,
    /// The keyword (registry value name).
    pub keyword: &'a str,
    /// The value, without its quotes.
    pub value: &'a str,
}

/// Why a configuration text was refused; the byte offset of the entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    /// An entry without `/` or `=`, or with an empty part.
    Malformed(usize),
    /// `DEVICE` is neither `*` nor a PCI device name.
    BadDevice(usize),
    /// A quoted value without its closing quote, or text right after it.
    BadQuote(usize),
}

/// Whether `c` separates entries.
fn is_space(c: char) -> bool {
    c.is_ascii_whitespace()
}

/// Splits `text` into its raw entries (each with its byte offset), quoted
/// values kept whole. An unterminated quote runs to the end of the text.
fn raw_entries(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut pos = 0;
    core::iter::from_fn(move || {
        let rest = &text[pos..];
        let start = pos + (rest.len() - rest.trim_start_matches(is_space).len());
        if start >= text.len() {
            pos = text.len();
            return None;
        }
        let mut quoted = false;
        let mut end = text.len();
        for (i, c) in text[start..].char_indices() {
            if c == '"' {
                quoted = !quoted;
            } else if is_space(c) && !quoted {
                end = start + i;
                break;
            }
        }
        pos = end;
        Some((start, &text[start..end]))
    })
}

/// Whether `name` is a PCI device name as Linux writes it:
/// `DDDD:BB:SS.F` (hex domain, bus, slot; one function digit 0-7).
pub fn is_pci_name(name: &str) -> bool {
    let b = name.as_bytes();
    let hex = |r: core::ops::Range<usize>| b[r].iter().all(u8::is_ascii_hexdigit);
    b.len() == 12
        && hex(0..4)
        && b[4] == b':'
        && hex(5..7)
        && b[7] == b':'
        && hex(8..10)
        && b[10] == b'.'
        && (b'0'..=b'7').contains(&b[11])
}

/// Reads one raw entry.
fn parse_entry(offset: usize, raw: &str) -> Result<Entry<'_>, ParseError> {
    let (device, rest) = raw.split_once('/').ok_or(ParseError::Malformed(offset))?;
    let (keyword, value) = rest.split_once('=').ok_or(ParseError::Malformed(offset))?;
    if device.is_empty() || keyword.is_empty() || keyword.contains(['/', '"']) {
        return Err(ParseError::Malformed(offset));
    }
    if device != "*" && !is_pci_name(device) {
        return Err(ParseError::BadDevice(offset));
    }
    let value = match value.strip_prefix('"') {
        Some(quoted) => match quoted.strip_suffix('"') {
            Some(inner) if !inner.contains('"') => inner,
            _ => return Err(ParseError::BadQuote(offset)),
        },
        None if value.contains('"') => return Err(ParseError::BadQuote(offset)),
        None => value,
    };
    Ok(Entry {
        device,
        keyword,
        value,
    })
}

/// Checks every entry of `text` (what a write to the parameter must pass).
pub fn validate(text: &str) -> Result<(), ParseError> {
    raw_entries(text).try_for_each(|(offset, raw)| parse_entry(offset, raw).map(|_| ()))
}

/// The well-formed entries of `text`, in order (a validated text has no
/// others).
pub fn entries(text: &str) -> impl Iterator<Item = Entry<'_>> {
    raw_entries(text).filter_map(|(offset, raw)| parse_entry(offset, raw).ok())
}

/// Whether `entry` applies to the adapter named `device`.
fn applies(entry: &Entry<'_>, device: &str) -> bool {
    entry.device == "*" || entry.device.eq_ignore_ascii_case(device)
}

/// Whether the UTF-16 `keyword` names `name`, compared as registry value
/// names are: case-insensitively (each character's uppercase mapping). A
/// keyword that is not valid UTF-16 names nothing.
pub fn keyword_matches(keyword: &[u16], name: &str) -> bool {
    let mut chars = name.chars();
    for unit in char::decode_utf16(keyword.iter().copied()) {
        let (Ok(k), Some(n)) = (unit, chars.next()) else {
            return false;
        };
        if k != n && !k.to_uppercase().eq(n.to_uppercase()) {
            return false;
        }
    }
    chars.next().is_none()
}

/// The value of `keyword` for the adapter named `device`: its own entry's
/// if it has one, else a `*` entry's; the last of either kind.
pub fn lookup<'a>(text: &'a str, device: &str, keyword: &[u16]) -> Option<&'a str> {
    let mut own = None;
    let mut any = None;
    for e in entries(text).filter(|e| applies(e, device) && keyword_matches(keyword, e.keyword)) {
        if e.device == "*" {
            any = Some(e.value);
        } else {
            own = Some(e.value);
        }
    }
    own.or(any)
}

/// The entries that apply to `device`, in order (a snapshot's size).
pub fn count_for(text: &str, device: &str) -> usize {
    entries(text).filter(|e| applies(e, device)).count()
}

/// A registry string read as an integer: base 10 (`NdisParameterInteger`)
/// or 16 (`NdisParameterHexInteger`, an optional `0x` prefix allowed), an
/// optional leading `-` (the ULONG then wraps, as a negative value stored
/// in a ULONG does), surrounding spaces ignored. `None`: not a number, or
/// beyond 32 bits.
pub fn parse_integer(value: &str, hex: bool) -> Option<u32> {
    let value = value.trim();
    let (negative, digits) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let (radix, digits) = if hex {
        let bare = digits
            .strip_prefix("0x")
            .or_else(|| digits.strip_prefix("0X"))
            .unwrap_or(digits);
        (16, bare)
    } else {
        (10, digits)
    };
    if digits.is_empty() || digits.starts_with('+') {
        return None;
    }
    let n = u32::from_str_radix(digits, radix).ok()?;
    Some(if negative { n.wrapping_neg() } else { n })
}

/// Length of an 802.3 network address.
pub const NETWORK_ADDRESS_LEN: usize = 6;

/// A `NetworkAddress` value as bytes: 12 hex digits, optionally with `-`
/// or `:` between byte pairs (one kind throughout). `None` otherwise.
pub fn parse_network_address(value: &str) -> Option<[u8; NETWORK_ADDRESS_LEN]> {
    let value = value.trim();
    let mut out = [0u8; NETWORK_ADDRESS_LEN];
    let mut digits = 0usize;
    let mut separator: Option<char> = None;
    let mut after_digit = false;
    for c in value.chars() {
        if let Some(d) = c.to_digit(16) {
            if digits == 2 * NETWORK_ADDRESS_LEN {
                return None;
            }
            // Cannot truncate: a hex digit.
            out[digits / 2] = (out[digits / 2] << 4) | d as u8;
            digits += 1;
            after_digit = true;
        } else if (c == '-' || c == ':')
            && after_digit
            && digits & 1 == 0
            && digits < 2 * NETWORK_ADDRESS_LEN
            && separator.is_none_or(|s| s == c)
        {
            separator = Some(c);
            after_digit = false;
        } else {
            return None;
        }
    }
    (digits == 2 * NETWORK_ADDRESS_LEN && after_digit).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn utf16(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    const DEV: &str = "0000:00:0c.0";

    #[test]
    fn parses_and_validates() {
        let text = " 0000:00:0c.0/InterruptThrottleRate=0\n*/NetworkAddress=02-00-00-00-00-01\t*/Desc=\"two words\" ";
        assert_eq!(validate(text), Ok(()));
        let e: Vec<_> = entries(text).collect();
        assert_eq!(e.len(), 3);
        assert_eq!(e[2].value, "two words");
        assert_eq!(e[0].device, DEV);
        assert_eq!(validate(""), Ok(()));
        assert_eq!(validate("   \n"), Ok(()));
        assert_eq!(validate("*/a="), Ok(()));
        assert_eq!(validate("*/=1"), Err(ParseError::Malformed(0)));
        assert_eq!(validate("x *"), Err(ParseError::Malformed(0)));
        assert_eq!(validate("*/a=1 foo/a=1"), Err(ParseError::BadDevice(6)));
        assert_eq!(validate("0000:00:0c.8/a=1"), Err(ParseError::BadDevice(0)));
        assert_eq!(validate("*/a=\"open"), Err(ParseError::BadQuote(0)));
        assert_eq!(validate("*/a=\"x\"y"), Err(ParseError::BadQuote(0)));
        assert_eq!(validate("*/a=x\"y"), Err(ParseError::BadQuote(0)));
        assert_eq!(validate("*/a/b=1"), Err(ParseError::Malformed(0)));
    }

    #[test]
    fn lookup_precedence_and_case() {
        let text = "0000:00:0C.0/Speed=10 */speed=100 */SPEED=1000 0000:00:0d.0/Speed=5";
        assert_eq!(lookup(text, DEV, &utf16("speed")), Some("10"));
        assert_eq!(lookup(text, "0000:00:0d.0", &utf16("Speed")), Some("5"));
        assert_eq!(lookup(text, "0000:00:0e.0", &utf16("sPeEd")), Some("1000"));
        assert_eq!(lookup(text, DEV, &utf16("Spee")), None);
        assert_eq!(lookup(text, DEV, &utf16("Speeds")), None);
        assert_eq!(lookup(text, DEV, &[0xd800]), None);
        assert_eq!(count_for(text, DEV), 3);
        assert!(keyword_matches(&utf16("ÄBC"), "äbc"));
    }

    #[test]
    fn integers() {
        assert_eq!(parse_integer("0", false), Some(0));
        assert_eq!(parse_integer(" 4294967295 ", false), Some(u32::MAX));
        assert_eq!(parse_integer("4294967296", false), None);
        assert_eq!(parse_integer("-1", false), Some(u32::MAX));
        assert_eq!(parse_integer("ff", false), None);
        assert_eq!(parse_integer("ff", true), Some(255));
        assert_eq!(parse_integer("0x1F", true), Some(31));
        assert_eq!(parse_integer("0x", true), None);
        assert_eq!(parse_integer("", false), None);
        assert_eq!(parse_integer("+1", false), None);
        assert_eq!(parse_integer("10", true), Some(16));
    }

    #[test]
    fn network_addresses() {
        let want = [2, 0, 0, 0, 0, 1];
        assert_eq!(parse_network_address("020000000001"), Some(want));
        assert_eq!(parse_network_address("02-00-00-00-00-01"), Some(want));
        assert_eq!(parse_network_address("02:00:00:00:00:01"), Some(want));
        assert_eq!(
            parse_network_address("aA:bB:cc:dd:ee:FF"),
            Some([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff])
        );
        assert_eq!(parse_network_address("02-00:00-00-00-01"), None);
        assert_eq!(parse_network_address("0-20000000001"), None);
        assert_eq!(parse_network_address("02000000000"), None);
        assert_eq!(parse_network_address("0200000000011"), None);
        assert_eq!(parse_network_address("02-00-00-00-00-01-"), None);
        assert_eq!(parse_network_address("-020000000001"), None);
        assert_eq!(parse_network_address("02--00-00-00-00-01"), None);
        assert_eq!(parse_network_address("g20000000001"), None);
        assert_eq!(parse_network_address(""), None);
    }
}
