//! Parsing the numbers people type: counts like `10k`, durations like `30s`. Each error
//! message says what was wrong and what would be right.

use crate::engine::steer::{check_limit, check_rate};
use std::time::Duration;

/// `count` over `secs` seconds; 0 when no time has passed.
pub fn per_second(count: u64, secs: f64) -> f64 {
    if secs > 0.0 { count as f64 / secs } else { 0.0 }
}

/// Two optional figures added (None only when both are): rates where a run may have none.
pub fn add_optional(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    }
}

/// `x` as a message shows a number from outside: very large or very small ones in powers
/// of ten (1e308, not 309 digits; 1e-300, not 300 zeros).
pub fn figure(x: f64) -> String {
    match x != 0.0 && !(1e-6..1e6).contains(&x.abs()) {
        true => format!("{x:e}"),
        false => format!("{x}"),
    }
}

/// A count with an optional k/m/g suffix (powers of 1000): `500`, `10k`, `1m`, `1_000`.
pub fn parse_count(text: &str) -> Result<u64, String> {
    let t = text.trim().replace('_', "").to_ascii_lowercase();
    let (digits, scale) = match t.char_indices().last() {
        Some((i, 'k')) => (&t[..i], 1_000),
        Some((i, 'm')) => (&t[..i], 1_000_000),
        Some((i, 'g')) => (&t[..i], 1_000_000_000),
        _ => (t.as_str(), 1),
    };
    let bad = || format!("'{text}' is not a count: use a whole number like 500, 10k or 1m");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| format!("'{text}' is too large a count"))
}

/// A count that must be at least 1 (request totals, concurrency, steps).
pub fn parse_positive_count(text: &str) -> Result<u64, String> {
    match parse_count(text)? {
        0 => Err(format!("'{text}' must be at least 1")),
        n => Ok(n),
    }
}

/// The longest duration sluice takes (a run, a timeout, a stage, a recorded run): a year, as
/// humantime counts one (`1y`, 365.25 days). Far enough for any soak test, and far from where
/// adding it to a clock could overflow.
pub const MAX_DURATION: Duration = Duration::from_secs(31_557_600);

/// Seconds read from a file (a recorded duration, a time in a timeline) as a `Duration`:
/// refused when negative, not finite or longer than `MAX_DURATION`.
pub fn seconds(secs: f64) -> Result<Duration, String> {
    match secs {
        s if !(0.0..=MAX_DURATION.as_secs_f64()).contains(&s) => Err(format!(
            "{} s is not a time from 0 to {} s (1y)",
            figure(s),
            MAX_DURATION.as_secs()
        )),
        s => Ok(Duration::from_secs_f64(s)),
    }
}

/// A rate in requests a second, with an optional k/m suffix: `500`, `2k`, `1.5k`, `0.5`.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let t = text.trim().replace('_', "").to_ascii_lowercase();
    let (number, scale) = match t.char_indices().last() {
        Some((i, 'k')) => (&t[..i], 1e3),
        Some((i, 'm')) => (&t[..i], 1e6),
        _ => (t.as_str(), 1.0),
    };
    let bad = || format!("'{text}' is not a rate: use requests a second like 500, 2k or 1.5k");
    let plain = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let rate = number
        .parse::<f64>()
        .ok()
        .filter(|_| plain)
        .ok_or_else(bad)?
        * scale;
    check_rate(rate).map_err(|why| format!("'{text}' {why}"))
}

/// The concurrency limit (or a step of it): 1 to `MAX_LIMIT`, the bounds the keys and the
/// generator keep too.
pub fn parse_concurrency(text: &str) -> Result<usize, String> {
    let n = parse_positive_count(text)?;
    check_limit(n as f64).map_err(|why| format!("'{text}' {why}"))
}

/// HTTP/2 streams per connection: 1 to 1000000 (no server allows more in flight on one).
pub fn parse_streams(text: &str) -> Result<usize, String> {
    match parse_positive_count(text)? {
        n if n <= 1_000_000 => Ok(n as usize),
        _ => Err(format!(
            "'{text}' is more streams than a connection carries (1000000)"
        )),
    }
}

/// A thread count: 1 to 1024.
pub fn parse_threads(text: &str) -> Result<usize, String> {
    match parse_positive_count(text)? {
        n if n <= 1024 => Ok(n as usize),
        _ => Err(format!("'{text}' is more threads than sluice runs (1024)")),
    }
}

/// A duration that must be longer than zero (run length, timeouts).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    match parse_duration_or_zero(text)? {
        d if d.is_zero() => Err(format!("'{text}' must be longer than zero")),
        d => Ok(d),
    }
}

/// A duration like `30s`, `5m`, `1h30m`, `250ms`, or `0s`; a bare number means seconds.
pub fn parse_duration_or_zero(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let bad =
        || format!("'{text}' is not a duration: use a number with a unit, like 500ms, 30s or 5m");
    let d = if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        t.parse::<f64>()
            .ok()
            .filter(|s| s.is_finite())
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .ok_or_else(bad)?
    } else {
        humantime::parse_duration(t).map_err(|_| bad())?
    };
    match d {
        d if d > MAX_DURATION => Err(format!(
            "'{text}' is longer than the longest duration sluice takes, 1y"
        )),
        d => Ok(d),
    }
}

/// `--check-body-limit`: bytes with an optional unit (`65536`, `64KiB`, `64k`, `1MiB`, `1m`;
/// k and m are powers of 1000, KiB and MiB of 1024), from 1 byte to `MAX_BODY_LIMIT`.
pub fn parse_body_limit(text: &str) -> Result<usize, String> {
    use crate::engine::checks::MAX_BODY_LIMIT;
    let t = text.trim().to_ascii_lowercase();
    let units: [(&str, u64); 7] = [
        ("kib", 1 << 10),
        ("mib", 1 << 20),
        ("kb", 1_000),
        ("mb", 1_000_000),
        ("k", 1_000),
        ("m", 1_000_000),
        ("b", 1),
    ];
    let (digits, scale) = units
        .iter()
        .find_map(|(unit, scale)| t.strip_suffix(unit).map(|d| (d.trim(), *scale)))
        .unwrap_or((t.as_str(), 1));
    let bad = || format!("'{text}' is not a size: use bytes like 65536, 64KiB or 1MiB");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    match digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
    {
        Some(0) => Err(format!("'{text}' must be at least 1 byte")),
        Some(n) if n <= MAX_BODY_LIMIT as u64 => Ok(n as usize),
        _ => Err(format!(
            "'{text}' is more than the checks keep of a body ({} MiB: it is held per response in flight)",
            MAX_BODY_LIMIT >> 20
        )),
    }
}

/// The most redirects `-r` follows in one chain (curl's default --max-redirs).
pub const MAX_REDIRECTS: u8 = 50;

/// `-r`: redirects to follow, 0 to `MAX_REDIRECTS`.
pub fn parse_redirects(text: &str) -> Result<u8, String> {
    match parse_count(text)? {
        n if n <= u64::from(MAX_REDIRECTS) => Ok(n as u8),
        _ => Err(format!(
            "'{text}' is more redirects than sluice follows in a chain ({MAX_REDIRECTS})"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::steer::MAX_LIMIT;

    #[test]
    fn body_limits_and_redirects_take_their_units_and_bounds() {
        assert_eq!(parse_body_limit("65536"), Ok(65536));
        assert_eq!(parse_body_limit("64KiB"), Ok(65536));
        assert_eq!(parse_body_limit("64k"), Ok(64_000));
        assert_eq!(parse_body_limit("1 MiB"), Ok(1 << 20));
        assert_eq!(parse_body_limit("16MiB"), Ok(16 << 20));
        assert_eq!(parse_body_limit("10b"), Ok(10));
        for bad in ["", "x", "1.5k", "-1", "0", "17MiB", "99999999999999999999"] {
            assert!(parse_body_limit(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_redirects("0"), Ok(0));
        assert_eq!(parse_redirects("50"), Ok(50));
        assert!(parse_redirects("51").is_err());
        assert!(parse_redirects("-1").is_err());
    }

    #[test]
    fn a_figure_from_outside_is_shown_in_a_few_characters() {
        assert_eq!(figure(1e308), "1e308");
        assert_eq!(figure(-1e-300), "-1e-300");
        assert_eq!(figure(2.5), "2.5");
        assert_eq!(figure(0.0), "0");
        assert_eq!(figure(f64::NAN), "NaN");
    }

    #[test]
    fn counts_with_suffixes() {
        assert_eq!(parse_count("500"), Ok(500));
        assert_eq!(parse_count("10k"), Ok(10_000));
        assert_eq!(parse_count("1M"), Ok(1_000_000));
        assert_eq!(parse_count("2g"), Ok(2_000_000_000));
        assert_eq!(parse_count("1_000"), Ok(1_000));
    }

    #[test]
    fn bad_counts_are_refused_with_a_hint() {
        for bad in ["", "k", "-5", "1.5k", "ten", "10x", "5 k"] {
            let err = parse_count(bad).expect_err(bad);
            assert!(err.contains("is not a count"), "{bad}: {err}");
        }
        assert!(parse_count("99999999999999999999").is_err());
        assert!(
            parse_count("20000000000g")
                .unwrap_err()
                .contains("too large")
        );
        assert!(
            parse_positive_count("0")
                .unwrap_err()
                .contains("at least 1")
        );
    }

    #[test]
    fn a_concurrency_above_the_highest_limit_is_refused() {
        assert_eq!(parse_concurrency("1M"), Ok(MAX_LIMIT));
        let err = parse_concurrency("2M").unwrap_err();
        assert!(err.contains("above the highest limit, 1000000"), "{err}");
    }

    #[test]
    fn rates_with_suffixes_and_fractions() {
        assert_eq!(parse_rate("500"), Ok(500.0));
        assert_eq!(parse_rate("2k"), Ok(2000.0));
        assert_eq!(parse_rate("1.5k"), Ok(1500.0));
        assert_eq!(parse_rate("0.5"), Ok(0.5));
        for bad in ["", "k", "-5", "fast", "1e3", "1.5x"] {
            let err = parse_rate(bad).expect_err(bad);
            assert!(err.contains("is not a rate"), "{bad}: {err}");
        }
        assert!(parse_rate("0").unwrap_err().contains("at least"));
        assert!(parse_rate("20m").unwrap_err().contains("highest rate"));
    }

    #[test]
    fn durations_with_units_and_bare_seconds() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("0.5"), Ok(Duration::from_millis(500)));
    }

    #[test]
    fn bad_durations_are_refused_with_a_hint() {
        for bad in ["", "soon", "-3s", "3 parsecs", "1e400"] {
            let err = parse_duration(bad).expect_err(bad);
            assert!(err.contains("is not a duration"), "{bad}: {err}");
        }
        assert!(
            parse_duration("0s")
                .unwrap_err()
                .contains("longer than zero")
        );
        assert_eq!(parse_duration_or_zero("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn durations_past_a_year_are_refused_before_they_reach_a_clock() {
        assert_eq!(parse_duration("1y"), Ok(MAX_DURATION));
        for long in [
            "18446744073709551615s",
            "10000000000000000000",
            "2y",
            "366d",
        ] {
            let err = parse_duration(long).expect_err(long);
            assert!(
                err.contains("longest duration sluice takes, 1y"),
                "{long}: {err}"
            );
        }
        assert_eq!(seconds(2.5), Ok(Duration::from_millis(2500)));
        for bad in [1e300, -1.0, f64::INFINITY, f64::NAN, 31_557_600.5] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
    }
}
