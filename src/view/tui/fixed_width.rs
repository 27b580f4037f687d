//! Short, fixed-width renderings of numbers for the dashboard.

use std::time::Duration;

/// `text` in at most `width` characters, cut from the front behind a `…` (the ends of
/// URLs and addresses of one run are what tell them apart).
pub fn cut_front(text: &str, width: usize) -> String {
    let chars = text.chars().count();
    match chars > width {
        true => ['…']
            .into_iter()
            .chain(text.chars().skip(chars + 1 - width.max(1)))
            .collect(),
        false => text.to_string(),
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

/// Microseconds as a latency: `0.42ms`, `12.3ms`, `1.23s`.
pub fn latency(us: u64) -> String {
    let ms = us as f64 / 1000.0;
    if ms < 10.0 {
        format!("{ms:.2}ms")
    } else if ms < 1000.0 {
        format!("{ms:.1}ms")
    } else {
        format!("{:.2}s", ms / 1000.0)
    }
}

/// A rate: `812`, `12.3k`, `1.20M`.
pub fn rate(per_s: f64) -> String {
    if per_s < 10_000.0 {
        format!("{per_s:.0}")
    } else if per_s < 1_000_000.0 {
        format!("{:.1}k", per_s / 1000.0)
    } else {
        format!("{:.2}M", per_s / 1_000_000.0)
    }
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
        assert_eq!(elapsed(Duration::from_millis(12_340)), "12.3s");
        assert_eq!(elapsed(Duration::from_secs(245)), "4m05s");
        assert_eq!(elapsed(Duration::from_secs(3720)), "1h02m");
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
