//! The end-of-run report: the summary's fields (a contract for scripts) and its writers:
//! text for people, JSON for scripts, CSV for spreadsheets, the HDR interval log.

pub mod hdr;
pub mod hdr_log;
mod json;
pub mod latency;
pub mod series;
pub mod summary;
mod text;
pub mod thresholds;

pub use summary::{RunFacts, Summary};
pub use text::render_text;

use crate::cli::OutputFormat;

/// The summary in the chosen format, newline-terminated.
pub fn render(summary: &Summary, format: OutputFormat) -> String {
    match format {
        OutputFormat::Json => json::to_string(summary).unwrap_or_else(|e| {
            format!("{{\"error\": \"summary could not be serialised: {e}\"}}\n")
        }),
        OutputFormat::Text => render_text(summary),
        OutputFormat::Csv => csv(summary),
    }
}

/// The series as CSV, then the text summary as `#` comment lines (which CSV readers skip
/// with `comment='#'`, and people read).
fn csv(summary: &Summary) -> String {
    let mut out = series::csv(&summary.series);
    for line in render_text(summary).lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::snapshot::Snapshot;
    use std::time::Duration;

    #[test]
    fn no_responses_means_no_latency_and_no_throughput() {
        let mut last = Snapshot {
            elapsed: Duration::from_secs(2),
            ..Snapshot::default()
        };
        last.counts.failed = 20;
        let facts = RunFacts {
            target: "http://127.0.0.1:1/".into(),
            initial_limit: 5,
            initial_rate: None,
            timeline: Vec::new(),
            until: None,
            peak_rss_kib: 0,
            urls: Vec::new(),
            fail_if: Vec::new(),
            started_at: std::time::UNIX_EPOCH,
        };
        let summary = Summary::new(facts, &last);
        let text = render_text(&summary);
        assert!(text.contains("Latency (ms):\n  no responses"), "{text}");
        assert!(text.contains("Throughput:   0.0 req/s"), "{text}");
        let json = render(&summary, OutputFormat::Json);
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert!(v["latency_ms"].is_null(), "{json}");
        assert!(!text.contains("Until:"), "no --until, no line: {text}");
    }

    #[test]
    fn an_until_that_never_held_says_so_without_any_steering() {
        let facts = RunFacts {
            target: "http://127.0.0.1:1/".into(),
            initial_limit: 5,
            initial_rate: Some(100.0),
            timeline: Vec::new(),
            until: Some(summary::Until {
                condition: "p99>200ms".into(),
                met_at_s: None,
                knee: None,
            }),
            peak_rss_kib: 0,
            urls: Vec::new(),
            fail_if: Vec::new(),
            started_at: std::time::UNIX_EPOCH,
        };
        let text = render_text(&Summary::new(facts, &Snapshot::default()));
        assert!(
            text.contains("Until:          p99>200ms never met"),
            "{text}"
        );
    }
}
