//! Text and numbers as the picture shows them: what came from the file with its control
//! characters escaped and its length cut, and figures short enough for an axis.

use crate::process::untrusted::escaped;

/// `text` with its control characters escaped, cut to `max_chars` characters at most: the
/// middle gives way to '…', so a URL keeps its host and the end of its path.
pub fn cut(text: &str, max_chars: usize) -> String {
    let text = escaped(text);
    let count = text.chars().count();
    if count <= max_chars {
        return text.into_owned();
    }
    let head = max_chars * 2 / 3;
    let tail = max_chars.saturating_sub(head + 1);
    let mut out: String = text.chars().take(head).collect();
    out.push('…');
    out.extend(text.chars().skip(count - tail));
    out
}

/// A tick's value, with as many decimals as the ticks' `step` needs; a million or more in
/// exponent form, so a hostile 1e300 stays a short label.
pub fn tick(value: f64, step: f64) -> String {
    if value.abs() >= 1e6 {
        return format!("{value:.2e}");
    }
    let decimals = match step >= 1.0 || step <= 0.0 {
        true => 0,
        false => (-step.log10()).ceil().clamp(0.0, 6.0) as usize,
    };
    format!("{value:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_then_cut_in_the_middle_and_numbers_stay_short() {
        assert_eq!(
            cut("http://a/\u{1b}]0;x\u{7}", 80),
            "http://a/\\x1b]0;x\\x07"
        );
        let long = format!("http://host/{}end", "a".repeat(500));
        let shown = cut(&long, 30);
        assert_eq!(shown.chars().count(), 30);
        assert!(
            shown.starts_with("http://host/") && shown.ends_with("aend"),
            "{shown}"
        );
        assert!(shown.contains('…'));
        assert_eq!(tick(12.0, 2.0), "12");
        assert_eq!(tick(0.5, 0.5), "0.5");
        assert_eq!(tick(0.25, 0.05), "0.25");
        assert_eq!(tick(1e300, 1e299), "1.00e300");
    }
}
