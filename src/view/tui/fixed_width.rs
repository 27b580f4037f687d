//! Short, fixed-width renderings of numbers for the dashboard.

use std::time::Duration;

/// `text` in at most `width` characters, cut from the front behind a `…` (the ends of
/// URLs and addresses of one run are what tell them apart).
pub fn cut_front(text: &str, width: usize) -> String {
    let chars = text.chars().count();
    match (chars > width, width) {
        (false, _) => text.to_string(),
        (true, 0) => String::new(),
        (true, _) => ['…']
            .into_iter()
            .chain(text.chars().skip(chars + 1 - width))
            .collect(),
    }
}

/// `text` in at most `width` characters, its middle cut out behind a `…`: a URL keeps its
/// scheme and host at the front and the end of its path.
pub fn cut_middle(text: &str, width: usize) -> String {
    let chars = text.chars().count();
    if chars <= width {
        return text.to_string();
    }
    let kept = width.saturating_sub(1);
    let head = kept.div_ceil(2);
    let tail = kept - head;
    let mut out: String = text.chars().take(head).collect();
    if width > 0 {
        out.push('…');
    }
    out.extend(text.chars().skip(chars - tail));
    out
}

/// `texts` (URLs, addresses) each in at most `width` characters, cut so that rows that
/// differ still read differently: from the front (they mostly differ at their ends); rows
/// that then read alike from the middle, and then from where they first differ
/// (`…0.pool.example…`, `…1.pool.example…`).
pub fn cut_apart(texts: &[String], width: usize) -> Vec<String> {
    let mut cut: Vec<String> = texts.iter().map(|t| cut_front(t, width)).collect();
    let from_difference = |t: &String| match shared_start(t, texts) {
        0 => cut_end(t, width),
        same => cut_end(
            &format!("…{}", t.chars().skip(same).collect::<String>()),
            width,
        ),
    };
    let ways: [&dyn Fn(&String) -> String; 2] = [&|t| cut_middle(t, width), &from_difference];
    for way in ways {
        let alike: Vec<usize> = (0..texts.len())
            .filter(|&i| (0..texts.len()).any(|j| cut[i] == cut[j] && texts[i] != texts[j]))
            .collect();
        for i in alike {
            cut[i] = way(&texts[i]);
        }
    }
    cut
}

/// How many characters `t` starts with that another of `texts` starts with too.
fn shared_start(t: &str, texts: &[String]) -> usize {
    texts
        .iter()
        .filter(|o| o.as_str() != t)
        .map(|o| t.chars().zip(o.chars()).take_while(|(a, b)| a == b).count())
        .max()
        .unwrap_or(0)
}

/// `text` in at most `width` characters, its end cut behind a `…`.
fn cut_end(text: &str, width: usize) -> String {
    match (text.chars().count() > width, width) {
        (false, _) => text.to_string(),
        (true, 0) => String::new(),
        (true, _) => text.chars().take(width - 1).chain(['…']).collect(),
    }
}

/// The widest a latency, a rate or a count renders: a column this wide plus a space
/// never runs into the next.
pub const LATENCY_CHARS: usize = 6;
pub const RATE_CHARS: usize = 6;
pub const COUNT_CHARS: usize = 5;

/// `v` at the most decimals (up to `most`) that keep its text within `digits` characters
/// and three figures before the point: `9.996` at two decimals is `10.00`, too wide for 4.
fn figures(v: f64, most: usize, digits: usize) -> Option<String> {
    (0..=most)
        .rev()
        .map(|d| format!("{v:.d$}"))
        .find(|t| t.len() <= digits && t.split('.').next().is_some_and(|w| w.len() <= 3))
}

/// Microseconds as a latency in at most `LATENCY_CHARS` (any a histogram holds, up to an
/// hour), three figures: `0.42ms`, `12.3ms`, `336ms`, `1.56s`, `12.3s`, `3600s`.
pub fn latency(us: u64) -> String {
    let ms = us as f64 / 1000.0;
    let s = ms / 1000.0;
    match (figures(ms, 2, 4), figures(s, 2, 4)) {
        (Some(t), _) => format!("{t}ms"),
        (None, Some(t)) => format!("{t}s"),
        (None, None) => format!("{s:.0}s"),
    }
}

/// A number in at most `width` characters, scaled by thousands: `812`, `12.3k`, `1.20M`;
/// up to `whole_digits` of it unscaled.
fn scaled(n: f64, width: usize, whole_digits: usize) -> String {
    let n = n.max(0.0) + 0.0; // never `-0`
    let whole = format!("{n:.0}");
    if whole.len() <= whole_digits {
        return whole;
    }
    for (i, unit) in ["k", "M", "G", "T", "P", "E"].iter().enumerate() {
        let v = n / 1000f64.powi(i as i32 + 1);
        // Thousands keep one decimal (`12.3k`), as they always read; the rest up to two.
        let most = if i == 0 { 1 } else { 2 };
        if let Some(t) = figures(v, most, width - 1) {
            return format!("{t}{unit}");
        }
    }
    whole
}

/// A rate in at most `RATE_CHARS`: `812`, `9999`, `12.3k`, `999.9k`, `1.20M`, `12.3M`.
pub fn rate(per_s: f64) -> String {
    scaled(per_s, RATE_CHARS, 4)
}

/// A count in at most `COUNT_CHARS`: `9999`, `12.3k`, `123k`, `1.23M`.
pub fn count(n: u64) -> String {
    scaled(n as f64, COUNT_CHARS, 4)
}

/// A run time: `12.3s`, `4m05s`, `1h02m`.
pub fn elapsed(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{:.1}s", d.as_secs_f64())
    } else if s < 3600 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_pick_their_unit() {
        assert_eq!(latency(420), "0.42ms");
        assert_eq!(latency(12_340), "12.3ms");
        assert_eq!(latency(1_234_000), "1.23s");
        assert_eq!(rate(812.4), "812");
        assert_eq!(rate(12_345.0), "12.3k");
        assert_eq!(rate(1_200_000.0), "1.20M");
        assert_eq!(latency(335_900), "336ms", "was 335.9ms: 7 characters");
        assert_eq!(latency(9_996), "10.0ms");
        assert_eq!(latency(999_600), "1.00s");
        assert_eq!(latency(3_600_000_000), "3600s");
        assert_eq!(rate(999_960.0), "1.00M");
        assert_eq!(rate(12_000_000.0), "12.00M");
        assert_eq!(rate(-0.0), "0");
        assert_eq!(count(9_999), "9999");
        assert_eq!(count(123_456), "123k");
        assert_eq!(count(u64::MAX), "18.4E");
        assert_eq!(elapsed(Duration::from_millis(12_340)), "12.3s");
        assert_eq!(elapsed(Duration::from_secs(245)), "4m05s");
        assert_eq!(elapsed(Duration::from_secs(3720)), "1h02m");
    }

    #[test]
    fn no_number_is_wider_than_its_column() {
        let mut n = 1.0_f64;
        while n < 2e19 {
            for v in [n, n * 0.9995, n * 9.995, n * 9.9995, n * 99.95, n * 999.5] {
                let v = v.min(u64::MAX as f64);
                assert!(rate(v).len() <= RATE_CHARS, "{v}: {}", rate(v));
                assert!(
                    count(v as u64).len() <= COUNT_CHARS,
                    "{v}: {}",
                    count(v as u64)
                );
                let us = v.min(3.6e9) as u64;
                assert!(latency(us).len() <= LATENCY_CHARS, "{us}: {}", latency(us));
            }
            n *= 10.0;
        }
    }

    #[test]
    fn rows_that_differ_still_differ_once_cut() {
        let names: Vec<String> = ["worker-0", "worker-1"]
            .iter()
            .map(|w| format!("{w}.loadgen.staging.example.com:9090"))
            .collect();
        assert_eq!(
            cut_apart(&names, 16),
            ["worker-0…om:9090", "worker-1…om:9090"]
        );
        assert_eq!(cut_apart(&names, 12), ["…0.loadgen.…", "…1.loadgen.…"]);
        let urls: Vec<String> = ["a/items", "b/items"]
            .iter()
            .map(|p| format!("http://h/{p}"))
            .collect();
        assert_eq!(
            cut_apart(&urls, 9),
            ["…/a/items", "…/b/items"],
            "from the front first"
        );
        for w in 0..20 {
            assert!(cut_apart(&names, w).iter().all(|c| c.chars().count() <= w));
        }
    }

    #[test]
    fn a_cut_keeps_both_ends_and_the_width() {
        let url = "https://api.example.com/v1/items";
        assert_eq!(cut_middle(url, 40), url);
        assert_eq!(cut_middle(url, 11), "https…items");
        assert_eq!(cut_middle(url, 10), "https…tems");
        assert_eq!(cut_middle(url, 1), "…");
        assert_eq!(cut_middle(url, 0), "");
        for w in 0..40 {
            assert_eq!(cut_middle(url, w).chars().count(), w.min(url.len()));
        }
    }
}
