//! The values' text: decimal numbers without `fmt`, UUIDs (v4), percent-encoding.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What `urlencode` leaves as it is: RFC 3986's unreserved characters.
const ENCODED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `n` in decimal.
pub(super) fn push_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Digits are ASCII: the check passes at once, and one copy beats a push a digit.
    out.push_str(std::str::from_utf8(&digits[i..]).unwrap_or_default());
}

/// `text` percent-encoded into `out`.
pub(super) fn push_encoded(out: &mut String, text: &str) {
    out.extend(utf8_percent_encode(text, ENCODED));
}

/// `text` escaped as the inside of a JSON string into `out`: quotes, backslashes and
/// control characters.
pub(super) fn push_json_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = std::fmt::Write::write_fmt(out, format_args!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
}

/// A random UUID, version 4 (RFC 9562), in its 36-character form. From the thread's fast
/// generator: unique enough to tell requests apart, not a secret.
pub fn uuid_v4() -> [u8; 36] {
    let bits = (fastrand::u128(..) & !(0xf << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62);
    let hex = b"0123456789abcdef";
    let mut out = [b'-'; 36];
    let mut nibble = 32;
    for (i, slot) in out.iter_mut().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            continue;
        }
        nibble -= 1;
        *slot = hex[((bits >> (nibble * 4)) & 0xf) as usize];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_uuids_and_encoding() {
        let mut s = String::new();
        for n in [0, 7, 10, 1234567890, u64::MAX] {
            s.clear();
            push_u64(&mut s, n);
            assert_eq!(s, n.to_string());
        }
        let a = uuid_v4();
        let text = std::str::from_utf8(&a).expect("ascii");
        assert_eq!(text.len(), 36);
        let groups: Vec<_> = text.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{text}");
        assert_eq!(&text[14..15], "4", "version 4: {text}");
        assert!("89ab".contains(&text[19..20]), "RFC variant: {text}");
        assert_ne!(uuid_v4(), a);
        s.clear();
        push_encoded(&mut s, "a b/é?&=-._~");
        assert_eq!(s, "a%20b%2F%C3%A9%3F%26%3D-._~");
        s.clear();
        push_json_escaped(&mut s, "a\"b\\c\nd\u{1}é");
        let back: String = serde_json::from_str(&format!("\"{s}\"")).expect("valid JSON");
        assert_eq!(back, "a\"b\\c\nd\u{1}é");
    }
}
